//! Fixity: re-hash every object, record, run file and manifest under a store root and
//! cross-check them (names vs digests, content digests vs content, manifests vs records,
//! records vs objects), in parallel. Reads files only — never the index, never the
//! lock — so it works while a writer writes. Owns the report types printed by
//! `quire verify`.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::StoreError;
use super::layout::{self, is_run_id, is_sha256_hex, object_rel, Layout};
use super::record::{Manifest, ManifestEntry, Record, RecordOutcome, RunFile};

/// What `verify` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Objects hashed.
    pub objects: u64,
    /// Records hashed.
    pub records: u64,
    /// Manifests hashed.
    pub manifests: u64,
    /// Total bytes read and hashed.
    pub bytes_hashed: u64,
    /// Every problem, sorted by path. Empty when the store verifies.
    pub problems: Vec<Problem>,
    /// Runs without a sealed manifest (begun, not finished): their records were
    /// verified by their names.
    pub unfinished_runs: Vec<String>,
    /// Harmless leftovers of an interrupted writer (temp files, an unsealed manifest);
    /// the next writer removes them.
    pub harmless: Vec<PathBuf>,
}

impl VerifyReport {
    /// True when no problem was found.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One thing that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file concerned.
    pub path: PathBuf,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// Details (expected vs found digest, who refers to a missing file, ...).
    pub detail: String,
}

/// Kinds of [`Problem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemKind {
    /// The bytes do not match the digest that names or lists them.
    Mismatch,
    /// A file that is referred to does not exist.
    Missing,
    /// A file that the layout does not account for.
    Unexpected,
    /// A file that cannot be read or parsed.
    Unreadable,
    /// A run directory without its `run.json`, or a similar half-made structure.
    Incomplete,
}

impl std::fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProblemKind::Mismatch => "mismatch",
            ProblemKind::Missing => "missing",
            ProblemKind::Unexpected => "unexpected",
            ProblemKind::Unreadable => "unreadable",
            ProblemKind::Incomplete => "incomplete",
        })
    }
}

#[derive(Debug)]
enum JobKind {
    Object { sha: String },
    Record { sha: String },
    RunFile,
    Manifest,
}

#[derive(Debug)]
struct Job {
    path: PathBuf,
    kind: JobKind,
}

#[derive(Debug, Default)]
struct JobOut {
    digest: Option<String>,
    len: u64,
    error: Option<String>,
    record: Option<Result<Record, String>>,
    /// For a capture record whose `content` does not hash to its `content_sha256`:
    /// what each says.
    content_mismatch: Option<String>,
    manifest: Option<Result<Manifest, String>>,
}

/// Parse a record, and for a capture recompute its content digest from the stored
/// JSON of `content` (not from the Rust type, so a field a later schema version
/// adds cannot change the digest of an old record): the record, and how the digest
/// disagrees, if it does.
fn parse_record(bytes: &[u8]) -> Result<(Record, Option<String>), String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("record does not parse: {e}"))?;
    let record = Record::deserialize(&value).map_err(|e| format!("record does not parse: {e}"))?;
    let mismatch = match &record.outcome {
        RecordOutcome::Captured { article } => {
            let computed = value
                .pointer("/outcome/detail/article/content")
                .map(|c| crate::model::sha256_hex(crate::model::canonical_json(c).as_bytes()));
            (computed.as_deref() != Some(article.content_sha256.as_str())).then(|| {
                format!(
                    "content_sha256 says {}, content hashes to {}",
                    article.content_sha256,
                    computed.as_deref().unwrap_or("?")
                )
            })
        }
        _ => None,
    };
    Ok((record, mismatch))
}

struct RunPlan {
    id: String,
    sealed_digest: Option<String>,
    records: Vec<String>,
    run_job: Option<usize>,
    manifest_job: Option<usize>,
    first_record_job: usize,
}

/// Verify the store at `layout`.
pub(crate) fn verify(layout: &Layout) -> Result<VerifyReport, StoreError> {
    let root = &layout.root;
    if !root.is_dir() {
        return Err(StoreError::NotFound(format!(
            "no store at {}",
            root.display()
        )));
    }
    let mut report = VerifyReport::default();
    let mut problems = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    let problem = |path: PathBuf, kind: ProblemKind, detail: String| Problem { path, kind, detail };

    // Top level.
    let allowed = [
        layout::FORMAT_FILE,
        layout::LOCK_FILE,
        layout::INDEX_FILE,
        "index.sqlite-wal",
        "index.sqlite-shm",
        "index.sqlite-journal",
        "README.md",
        "tmp",
        "objects",
        "runs",
    ];
    for (name, path, _) in list_dir(root)? {
        if !allowed.contains(&name.as_str()) {
            problems.push(problem(
                path,
                ProblemKind::Unexpected,
                "not part of the store layout".into(),
            ));
        }
    }
    let format_path = layout.format_file();
    // The version the format file declares (alias records need version 2).
    let mut format_version: Option<u64> = None;
    let parsed = layout::read_limited(&format_path, layout::MAX_RECORD_BYTES)
        .map(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    match parsed {
        Ok(Some(v)) => {
            format_version = v.get("version").and_then(serde_json::Value::as_u64);
        }
        Ok(None) => problems.push(problem(
            format_path,
            ProblemKind::Unreadable,
            "format file does not parse".into(),
        )),
        Err(_) => problems.push(problem(
            format_path,
            ProblemKind::Missing,
            "format marker of the store".into(),
        )),
    }
    if let Ok(entries) = list_dir(&layout.tmp_dir()) {
        report
            .harmless
            .extend(entries.into_iter().map(|(_, p, _)| p));
    }

    // Runs first, objects second: a record seen here was written after its object, so
    // the object listing below cannot miss it even while a writer is running.
    let mut plans: Vec<RunPlan> = Vec::new();
    let runs_dir = layout.runs_dir();
    if runs_dir.is_dir() {
        let mut runs = list_dir(&runs_dir)?;
        runs.sort();
        for (id, run_path, is_dir) in runs {
            if !is_dir || !is_run_id(&id) {
                problems.push(problem(
                    run_path,
                    ProblemKind::Unexpected,
                    "not a run directory".into(),
                ));
                continue;
            }
            let mut has = HashSet::new();
            for (name, path, is_dir) in list_dir(&run_path)? {
                match (name.as_str(), is_dir) {
                    ("run.json", false)
                    | ("manifest.json", false)
                    | ("manifest.sha256", false)
                    | ("records", true) => {
                        has.insert(name);
                    }
                    _ => problems.push(problem(
                        path,
                        ProblemKind::Unexpected,
                        "not part of a run".into(),
                    )),
                }
            }
            let mut plan = RunPlan {
                id: id.clone(),
                sealed_digest: None,
                records: Vec::new(),
                run_job: None,
                manifest_job: None,
                first_record_job: 0,
            };
            if has.contains("run.json") {
                plan.run_job = Some(jobs.len());
                jobs.push(Job {
                    path: layout.run_file(&id),
                    kind: JobKind::RunFile,
                });
            } else {
                problems.push(problem(
                    layout.run_file(&id),
                    ProblemKind::Incomplete,
                    "run directory without run.json".into(),
                ));
            }
            if has.contains("manifest.sha256") {
                let dpath = layout.manifest_digest_file(&id);
                match fs::read_to_string(&dpath) {
                    Ok(t) => {
                        let d = t.split_whitespace().next().unwrap_or("");
                        if is_sha256_hex(d) {
                            plan.sealed_digest = Some(d.to_string());
                        } else {
                            problems.push(problem(
                                dpath,
                                ProblemKind::Unreadable,
                                "not a SHA-256 digest line".into(),
                            ));
                            plan.sealed_digest = Some(String::new());
                        }
                    }
                    Err(e) => {
                        problems.push(problem(dpath, ProblemKind::Unreadable, e.to_string()));
                        plan.sealed_digest = Some(String::new());
                    }
                }
                if has.contains("manifest.json") {
                    plan.manifest_job = Some(jobs.len());
                    jobs.push(Job {
                        path: layout.manifest_file(&id),
                        kind: JobKind::Manifest,
                    });
                } else {
                    problems.push(problem(
                        layout.manifest_file(&id),
                        ProblemKind::Missing,
                        "listed by manifest.sha256".into(),
                    ));
                }
            } else {
                if has.contains("manifest.json") {
                    report.harmless.push(layout.manifest_file(&id));
                }
                report.unfinished_runs.push(id.clone());
            }
            plan.first_record_job = jobs.len();
            if has.contains("records") {
                for (name, path, is_dir) in list_dir(&layout.records_dir(&id))? {
                    match name
                        .strip_suffix(".json")
                        .filter(|s| is_sha256_hex(s) && !is_dir)
                    {
                        Some(sha) => {
                            plan.records.push(sha.to_string());
                            jobs.push(Job {
                                path,
                                kind: JobKind::Record {
                                    sha: sha.to_string(),
                                },
                            });
                        }
                        None => problems.push(problem(
                            path,
                            ProblemKind::Unexpected,
                            "not a record (name must be its SHA-256)".into(),
                        )),
                    }
                }
            } else {
                problems.push(problem(
                    layout.records_dir(&id),
                    ProblemKind::Missing,
                    "records directory of the run".into(),
                ));
            }
            plans.push(plan);
        }
    }

    // Objects.
    let objects_root = root.join("objects");
    if objects_root.is_dir() {
        for (name, path, _) in list_dir(&objects_root)? {
            if name != "sha256" {
                problems.push(problem(
                    path,
                    ProblemKind::Unexpected,
                    "not an object directory".into(),
                ));
            }
        }
    }
    let objects_dir = layout.objects_dir();
    let mut object_lens: HashMap<String, usize> = HashMap::new();
    if objects_dir.is_dir() {
        let mut fans = list_dir(&objects_dir)?;
        fans.sort();
        for (fan, fan_path, is_dir) in fans {
            let fan_ok = is_dir
                && fan.len() == 2
                && fan
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
            if !fan_ok {
                problems.push(problem(
                    fan_path,
                    ProblemKind::Unexpected,
                    "not an object fan-out directory".into(),
                ));
                continue;
            }
            for (name, path, is_dir) in list_dir(&fan_path)? {
                if !is_dir && is_sha256_hex(&name) && name.starts_with(&fan) {
                    object_lens.insert(name.clone(), jobs.len());
                    jobs.push(Job {
                        path,
                        kind: JobKind::Object { sha: name },
                    });
                } else {
                    problems.push(problem(
                        path,
                        ProblemKind::Unexpected,
                        "not an object (name must be its SHA-256)".into(),
                    ));
                }
            }
        }
    }

    // Hash everything, in parallel.
    let outs = run_jobs(&jobs);
    for (job, out) in jobs.iter().zip(&outs) {
        report.bytes_hashed += out.len;
        if let Some(e) = &out.error {
            problems.push(problem(
                job.path.clone(),
                ProblemKind::Unreadable,
                e.clone(),
            ));
            continue;
        }
        match &job.kind {
            JobKind::Object { sha } => {
                report.objects += 1;
                if out.digest.as_deref() != Some(sha.as_str()) {
                    problems.push(problem(
                        job.path.clone(),
                        ProblemKind::Mismatch,
                        format!(
                            "object named {sha} hashes to {}",
                            out.digest.as_deref().unwrap_or("?")
                        ),
                    ));
                }
            }
            JobKind::Record { sha, .. } => {
                report.records += 1;
                if out.digest.as_deref() != Some(sha.as_str()) {
                    problems.push(problem(
                        job.path.clone(),
                        ProblemKind::Mismatch,
                        format!(
                            "record named {sha} hashes to {}",
                            out.digest.as_deref().unwrap_or("?")
                        ),
                    ));
                }
            }
            JobKind::Manifest => report.manifests += 1,
            JobKind::RunFile => {}
        }
    }

    // Cross-checks.
    // sha -> (length expected, who refers to it)
    let mut referenced: HashMap<String, (u64, PathBuf)> = HashMap::new();
    for plan in &plans {
        let run_digest = plan.run_job.and_then(|i| outs[i].digest.clone());
        if let Some(i) = plan.run_job {
            if outs[i].error.is_none() {
                let ok = layout::read_limited(&jobs[i].path, layout::MAX_RECORD_BYTES)
                    .ok()
                    .and_then(|b| serde_json::from_slice::<RunFile>(&b).ok());
                match ok {
                    Some(rf) if rf.run_id == plan.id => {}
                    Some(_) => problems.push(problem(
                        jobs[i].path.clone(),
                        ProblemKind::Mismatch,
                        "run_id does not match the directory".into(),
                    )),
                    None => problems.push(problem(
                        jobs[i].path.clone(),
                        ProblemKind::Unreadable,
                        "run file does not parse".into(),
                    )),
                }
            }
        }
        // Every record, sealed or not. For an unfinished run (no manifest to go by)
        // the records themselves say which URLs and objects the run holds.
        let mut urls: HashMap<String, PathBuf> = HashMap::new();
        for (k, sha) in plan.records.iter().enumerate() {
            let i = plan.first_record_job + k;
            let path = &jobs[i].path;
            match &outs[i].record {
                Some(Ok(rec)) => {
                    if rec.run_id != plan.id {
                        problems.push(problem(
                            path.clone(),
                            ProblemKind::Mismatch,
                            "run_id does not match the directory".into(),
                        ));
                    }
                    if let Some(d) = &outs[i].content_mismatch {
                        problems.push(problem(path.clone(), ProblemKind::Mismatch, d.clone()));
                    }
                    if let RecordOutcome::Alias { target, redirects } = &rec.outcome {
                        if let Some(d) = alias_problem(&rec.url, target, redirects) {
                            problems.push(problem(path.clone(), ProblemKind::Mismatch, d));
                        }
                        if format_version
                            .is_some_and(|v| v < u64::from(layout::ALIAS_FORMAT_VERSION))
                        {
                            problems.push(problem(
                                path.clone(),
                                ProblemKind::Mismatch,
                                format!(
                                    "alias record in a store marked format version {} (aliases need {})",
                                    format_version.unwrap_or(0),
                                    layout::ALIAS_FORMAT_VERSION
                                ),
                            ));
                        }
                    }
                    if plan.sealed_digest.is_none() {
                        if let Some(other) = urls.insert(rec.url.clone(), path.clone()) {
                            problems.push(problem(
                                path.clone(),
                                ProblemKind::Unexpected,
                                format!(
                                    "second outcome for {} in this run (also {})",
                                    rec.url,
                                    other.display()
                                ),
                            ));
                        }
                        if let RecordOutcome::Captured { article } = &rec.outcome {
                            let p = &article.provenance;
                            referenced
                                .entry(p.raw_sha256.clone())
                                .or_insert((p.raw_bytes, path.clone()));
                        }
                    }
                }
                // A record that hashes right but does not parse is unreadable; one
                // that hashes wrong is already reported as a mismatch.
                Some(Err(e)) if outs[i].digest.as_deref() == Some(sha.as_str()) => {
                    problems.push(problem(path.clone(), ProblemKind::Unreadable, e.clone()));
                }
                _ => {}
            }
        }
        if let (Some(expected), Some(mi)) = (&plan.sealed_digest, plan.manifest_job) {
            let mpath = &jobs[mi].path;
            let out = &outs[mi];
            if out.error.is_some() {
                continue;
            }
            if !expected.is_empty() && out.digest.as_deref() != Some(expected.as_str()) {
                problems.push(problem(
                    mpath.clone(),
                    ProblemKind::Mismatch,
                    format!(
                        "manifest.sha256 says {expected}, file hashes to {}",
                        out.digest.as_deref().unwrap_or("?")
                    ),
                ));
            }
            match &out.manifest {
                Some(Ok(m)) => {
                    if m.run_id != plan.id {
                        problems.push(problem(
                            mpath.clone(),
                            ProblemKind::Mismatch,
                            "run_id does not match the directory".into(),
                        ));
                    }
                    if m.entry_count != m.entries.len() as u64 {
                        problems.push(problem(
                            mpath.clone(),
                            ProblemKind::Mismatch,
                            format!(
                                "entry_count {} but {} entries",
                                m.entry_count,
                                m.entries.len()
                            ),
                        ));
                    }
                    if let (Some(d), Some(ri)) = (&run_digest, plan.run_job) {
                        if *d != m.run_json_sha256 {
                            problems.push(problem(
                                jobs[ri].path.clone(),
                                ProblemKind::Mismatch,
                                format!(
                                    "manifest lists run.json as {}, file hashes to {d}",
                                    m.run_json_sha256
                                ),
                            ));
                        }
                    }
                    let on_disk: HashMap<&str, usize> = plan
                        .records
                        .iter()
                        .enumerate()
                        .map(|(k, sha)| (sha.as_str(), plan.first_record_job + k))
                        .collect();
                    let mut listed: HashSet<&str> = HashSet::new();
                    let mut urls: HashSet<&str> = HashSet::new();
                    for e in &m.entries {
                        listed.insert(e.record_sha256.as_str());
                        if !urls.insert(e.url.as_str()) {
                            problems.push(problem(
                                mpath.clone(),
                                ProblemKind::Mismatch,
                                format!("two entries for {}", e.url),
                            ));
                        }
                        match on_disk.get(e.record_sha256.as_str()) {
                            None => problems.push(problem(
                                layout.record_file(&plan.id, &e.record_sha256),
                                ProblemKind::Missing,
                                format!("listed in {}", mpath.display()),
                            )),
                            Some(&i) => {
                                if let Some(Ok(rec)) = &outs[i].record {
                                    if let Some(d) = entry_disagrees(e, rec) {
                                        problems.push(problem(
                                            mpath.clone(),
                                            ProblemKind::Mismatch,
                                            format!("entry for {}: {d}", e.url),
                                        ));
                                    }
                                }
                            }
                        }
                        if e.kind == "captured" {
                            if let Some(raw) = &e.raw_sha256 {
                                referenced.entry(raw.clone()).or_insert((
                                    e.raw_bytes.unwrap_or(0),
                                    layout.record_file(&plan.id, &e.record_sha256),
                                ));
                            }
                        }
                    }
                    for sha in &plan.records {
                        if !listed.contains(sha.as_str()) {
                            problems.push(problem(
                                layout.record_file(&plan.id, sha),
                                ProblemKind::Unexpected,
                                format!(
                                    "record of a finished run not listed in {}",
                                    mpath.display()
                                ),
                            ));
                        }
                    }
                }
                Some(Err(e)) => {
                    problems.push(problem(mpath.clone(), ProblemKind::Unreadable, e.clone()))
                }
                None => {}
            }
        }
    }
    for (sha, (len, referrer)) in &referenced {
        let path = root.join(object_rel(sha));
        match object_lens.get(sha) {
            None => problems.push(problem(
                path,
                ProblemKind::Missing,
                format!("raw body referred to by {}", referrer.display()),
            )),
            Some(&i) => {
                if outs[i].error.is_none() && outs[i].len != *len {
                    problems.push(problem(
                        path,
                        ProblemKind::Mismatch,
                        format!(
                            "{} bytes, but {} says {len}",
                            outs[i].len,
                            referrer.display()
                        ),
                    ));
                }
            }
        }
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.detail.cmp(&b.detail)));
    problems.dedup();
    report.problems = problems;
    report.harmless.sort();
    Ok(report)
}

/// What is wrong with an alias record, if anything: it must lead to another absolute
/// http(s) URL, and its redirect hops (when recorded) must go from its URL to its
/// target, each hop starting where the previous one pointed.
fn alias_problem(url: &str, target: &str, redirects: &[crate::model::Redirect]) -> Option<String> {
    if target == url {
        return Some(format!("alias of {url} leads to itself"));
    }
    match url::Url::parse(target) {
        Ok(t) if matches!(t.scheme(), "http" | "https") => {}
        _ => return Some(format!("alias target {target:?} is not an http(s) URL")),
    }
    if redirects.is_empty() {
        return None;
    }
    let mut at = url;
    for hop in redirects {
        if hop.url != at {
            return Some(format!(
                "alias redirect hop from {} does not continue from {at}",
                hop.url
            ));
        }
        at = &hop.location;
    }
    (at != target).then(|| format!("alias redirects end at {at}, not at its target {target}"))
}

/// How a sealed manifest's entry disagrees with the record it lists, if it does.
fn entry_disagrees(e: &ManifestEntry, rec: &Record) -> Option<String> {
    if e.url != rec.url {
        return Some(format!("the record is for {}", rec.url));
    }
    if let RecordOutcome::Alias { target, .. } = &rec.outcome {
        if e.kind != "alias" || e.target.as_deref() != Some(target.as_str()) {
            return Some(format!(
                "listed as {} {:?}, the record is an alias of {target}",
                e.kind, e.target
            ));
        }
        return None;
    }
    if e.kind == "alias" {
        return Some("listed as an alias, the record is not one".into());
    }
    if let RecordOutcome::Captured { article } = &rec.outcome {
        let field = |name: &str, listed: &Option<String>, actual: &str| {
            listed
                .as_deref()
                .filter(|l| *l != actual)
                .map(|l| format!("{name} listed as {l}, the record says {actual}"))
        };
        return field("content_sha256", &e.content_sha256, &article.content_sha256)
            .or_else(|| field("raw_sha256", &e.raw_sha256, &article.provenance.raw_sha256));
    }
    None
}

/// (name, path, is_dir) of a directory's entries; non-UTF-8 names get a lossy name.
fn list_dir(dir: &Path) -> Result<Vec<(String, PathBuf, bool)>, StoreError> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(StoreError::io(dir))? {
        let entry = entry.map_err(StoreError::io(dir))?;
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        out.push((
            entry.file_name().to_string_lossy().into_owned(),
            entry.path(),
            is_dir,
        ));
    }
    Ok(out)
}

fn run_jobs(jobs: &[Job]) -> Vec<JobOut> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<Vec<(usize, JobOut)>> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut buf = vec![0u8; 256 * 1024];
                    let mut whole = Vec::new();
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        out.push((i, run_job(job, &mut buf, &mut whole)));
                    }
                    out
                })
            })
            .collect();
        for h in handles {
            match h.join() {
                Ok(v) => results.push(v),
                Err(_) => results.push(Vec::new()),
            }
        }
    });
    let mut outs: Vec<Option<JobOut>> = (0..jobs.len()).map(|_| None).collect();
    for v in results {
        for (i, o) in v {
            outs[i] = Some(o);
        }
    }
    outs.into_iter()
        .map(|o| {
            o.unwrap_or_else(|| JobOut {
                error: Some("not verified (worker failed)".into()),
                ..JobOut::default()
            })
        })
        .collect()
}

fn run_job(job: &Job, buf: &mut [u8], whole: &mut Vec<u8>) -> JobOut {
    let mut out = JobOut::default();
    let needs_bytes = matches!(job.kind, JobKind::Manifest | JobKind::Record { .. });
    let mut file = match File::open(&job.path) {
        Ok(f) => f,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    let mut hasher = Sha256::new();
    let limit = match job.kind {
        JobKind::Manifest => layout::MAX_MANIFEST_BYTES,
        _ => layout::MAX_RECORD_BYTES,
    };
    let too_big = file.metadata().map(|m| m.len() > limit).unwrap_or(false);
    if needs_bytes && !too_big {
        whole.clear();
        if let Err(e) = (&mut file).take(limit).read_to_end(whole) {
            out.error = Some(e.to_string());
            return out;
        }
        hasher.update(&whole[..]);
        out.len = whole.len() as u64;
    } else {
        loop {
            match file.read(buf) {
                Ok(0) => break,
                Ok(n) => {
                    hasher.update(&buf[..n]);
                    out.len += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    out.error = Some(e.to_string());
                    return out;
                }
            }
        }
    }
    out.digest = Some(hex::encode(hasher.finalize()));
    if needs_bytes && too_big {
        let msg = format!("larger than {limit} bytes; not parsed");
        match &job.kind {
            JobKind::Manifest => out.manifest = Some(Err(msg)),
            _ => out.record = Some(Err(msg)),
        }
        return out;
    }
    match &job.kind {
        JobKind::Manifest => {
            out.manifest = Some(
                serde_json::from_slice(whole).map_err(|e| format!("manifest does not parse: {e}")),
            );
        }
        JobKind::Record { .. } => {
            out.record = Some(parse_record(whole).map(|(r, mismatch)| {
                out.content_mismatch = mismatch;
                r
            }));
        }
        _ => {}
    }
    out
}
