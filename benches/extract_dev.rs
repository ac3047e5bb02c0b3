//! Benchmark of the generic extractor on the public development sets:
//! `extract-dev` (990 real pages, must/must-not snippets, scored P/R/F) and `wcxb-dev`
//! (1,497 pages from 2025 in seven page types, reviewed main text, title, author and
//! date; word-bag F1 per page, metadata exactness). Both live in `../shared/data/`.
//!
//! For each set it:
//! 1. extracts every page in-process on one thread with `pipeline::process` and the
//!    generic extractor, timing only decode + parse + extraction (not gunzip, not file
//!    I/O), and times a parse-only reference on the same pages (decode + html5ever);
//! 2. writes `<id>.txt` (the body exactly as `quire extract --format text` prints it,
//!    what gets scored) and `json/<id>.json` (title, authors, published, body);
//! 3. scores with the set's own `score.py`, on all pages and on each half of a split
//!    by domain (`tune` / `holdout`, see [`half_of`]), so overfitting shows;
//! 4. with `--process`, measures whole processes over the same pages written to disk:
//!    `quire extract --profile generic --format text --out DIR`, with `--jobs 1` and
//!    with its default (one thread per core), against a program that
//!    only reads the files and parses them with html5ever (this binary with
//!    `--parse-only-files`), each with its wall time and peak RSS.
//!
//! Usage: `cargo bench --bench extract_dev [-- OPTIONS]`
//! - `--set extract|wcxb|both` (default both);
//! - `--half tune|holdout` scores and reports only that half (default: all, and both
//!   halves separately);
//! - `--out DIR` keeps the outputs (else a temporary directory);
//! - `--process` adds the whole-process measurement (needs `cargo build --release`);
//! - `--limit N` only the first N pages of each set; `--pipeline-only` skips the
//!   parse-only reference (for `valgrind --tool=callgrind`);
//! - `--only ID` prints the generic extractor's debug view of one page;
//! - `--diagnose [--verbose]` (extract-dev): where each missed "with" snippet is lost;
//! - `--stages`: writes each page's visible and kept text (`stages/`), no scoring;
//! - `--data DIR` the parent of the two set directories.
//!
//! Touches nothing outside its output directory.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use quire::extract::{ExtractConfig, ProfileChoice};
use quire::pipeline::{self, PageInput};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--parse-only-files") {
        // The reference process: read each file, parse it with html5ever, nothing else.
        let mut nodes = 0usize;
        for f in &args[1..] {
            let Ok(bytes) = std::fs::read(f) else {
                continue;
            };
            let html = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
            nodes += html.tree.nodes().count();
        }
        println!("{nodes}");
        return;
    }
    if let Err(e) = run(args) {
        eprintln!("extract_dev: {e}");
        std::process::exit(1);
    }
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Set {
    Extract,
    Wcxb,
}

impl Set {
    fn dir(self) -> &'static str {
        match self {
            Set::Extract => "extract-dev",
            Set::Wcxb => "wcxb-dev",
        }
    }
}

struct Opts {
    data: PathBuf,
    sets: Vec<Set>,
    half: Option<String>,
    out: Option<PathBuf>,
    process: bool,
    limit: usize,
    pipeline_only: bool,
    only: Option<String>,
    diagnose: bool,
    verbose: bool,
    stages: bool,
    export: Option<PathBuf>,
}

fn parse_opts(args: Vec<String>) -> Res<Opts> {
    let mut o = Opts {
        data: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
        sets: vec![Set::Extract, Set::Wcxb],
        half: None,
        out: None,
        process: false,
        limit: usize::MAX,
        pipeline_only: false,
        only: None,
        diagnose: false,
        verbose: false,
        stages: false,
        export: None,
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut val = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--bench" => {}
            "--set" => {
                o.sets = match val("--set")?.as_str() {
                    "extract" => vec![Set::Extract],
                    "wcxb" => vec![Set::Wcxb],
                    "both" => vec![Set::Extract, Set::Wcxb],
                    s => return Err(format!("unknown set {s}").into()),
                }
            }
            "--half" => {
                let h = val("--half")?;
                if h != "tune" && h != "holdout" {
                    return Err(format!("--half is tune or holdout, not {h}").into());
                }
                o.half = Some(h);
            }
            "--out" => o.out = Some(PathBuf::from(val("--out")?)),
            "--data" => o.data = PathBuf::from(val("--data")?),
            "--process" => o.process = true,
            "--limit" => {
                o.limit = val("--limit")?
                    .parse()
                    .map_err(|_| "--limit needs a number")?
            }
            "--pipeline-only" => o.pipeline_only = true,
            "--only" => o.only = Some(val("--only")?),
            "--diagnose" => o.diagnose = true,
            "--verbose" => o.verbose = true,
            "--stages" => o.stages = true,
            "--export-features" => o.export = Some(PathBuf::from(val("--export-features")?)),
            s => return Err(format!("unknown option {s}").into()),
        }
    }
    Ok(o)
}

/// One development page.
struct Case {
    id: String,
    url: url::Url,
    /// The line of the set's cases file, for writing filtered copies.
    line: String,
    path: PathBuf,
    half: &'static str,
    with: Vec<String>,
}

/// The half of the domain split a page belongs to: FNV-1a of its host without a
/// leading `www.`, even → "tune", odd → "holdout". Pages without a URL split by id.
/// All pages of one domain fall in the same half, so a rule fitted to a site on the
/// tuning half cannot lift the holdout figure.
fn half_of(url: Option<&url::Url>, id: &str) -> &'static str {
    let key = url
        .and_then(|u| u.host_str())
        .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
        .unwrap_or_else(|| id.to_string());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    if h % 2 == 0 {
        "tune"
    } else {
        "holdout"
    }
}

fn load_cases(set: Set, data: &Path, limit: usize) -> Res<Vec<Case>> {
    let dir = data.join(set.dir());
    let text = match set {
        Set::Extract => std::fs::read_to_string(dir.join("cases.jsonl"))
            .map_err(|e| format!("cannot read {}/cases.jsonl: {e}", dir.display()))?,
        Set::Wcxb => {
            let mut s = String::new();
            flate2::read::GzDecoder::new(
                std::fs::File::open(dir.join("cases.jsonl.gz"))
                    .map_err(|e| format!("cannot read {}/cases.jsonl.gz: {e}", dir.display()))?,
            )
            .read_to_string(&mut s)?;
            s
        }
    };
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(limit) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let id = v["id"].as_str().ok_or("case without id")?.to_string();
        let parsed = v["url"].as_str().and_then(|u| url::Url::parse(u).ok());
        let half = half_of(parsed.as_ref(), &id);
        let url = parsed.unwrap_or(url::Url::parse("http://invalid/")?);
        let path = match set {
            Set::Extract => dir.join(v["file"].as_str().ok_or("case without file")?),
            Set::Wcxb => dir.join("html").join(format!("{id}.html.gz")),
        };
        let with = v["with"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect();
        out.push(Case {
            id,
            url,
            line: line.to_string(),
            path,
            half,
            with,
        });
    }
    Ok(out)
}

fn gunzip(path: &Path) -> Res<Vec<u8>> {
    let mut body = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path)?).read_to_end(&mut body)?;
    Ok(body)
}

fn run(args: Vec<String>) -> Res<()> {
    let o = parse_opts(args)?;
    let tmp = tempfile::tempdir()?;
    let root = o.out.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    for &set in &o.sets {
        let cases = load_cases(set, &o.data, o.limit)?;
        let out = root.join(set.dir());
        std::fs::create_dir_all(out.join("json"))?;
        if let Some(id) = &o.only {
            return debug_one(&cases, id, &out);
        }
        if o.diagnose {
            return diagnose(&cases, o.verbose);
        }
        if o.stages {
            stages(&cases, &out)?;
            continue;
        }
        if let Some(dir) = &o.export {
            export_features(set, &cases, dir)?;
            continue;
        }
        measure(set, &cases, &out, o.pipeline_only)?;
        score(set, &o, &cases, &out)?;
        if o.process {
            whole_process(set, &cases, &out)?;
        }
    }
    Ok(())
}

fn cfg() -> ExtractConfig {
    ExtractConfig {
        choice: ProfileChoice::Generic,
        skip_links: true,
        ..Default::default()
    }
}

/// In-process timing and outputs.
fn measure(set: Set, cases: &[Case], out: &Path, pipeline_only: bool) -> Res<()> {
    let cfg = cfg();
    let mut elapsed = Duration::ZERO;
    let mut parse_only = Duration::ZERO;
    let mut slowest = (Duration::ZERO, String::new());
    let (mut pages, mut bytes, mut errors, mut empty) = (0usize, 0usize, 0usize, 0usize);
    for case in cases {
        let body = gunzip(&case.path)?;
        if !pipeline_only {
            let t = Instant::now();
            let html = scraper::Html::parse_document(&String::from_utf8_lossy(&body));
            std::hint::black_box(&html);
            parse_only += t.elapsed();
            drop(html);
        }
        let input = PageInput {
            url: &case.url,
            body: &body,
            content_type: None,
        };
        let t = Instant::now();
        let result = pipeline::process(&input, &cfg);
        let dt = t.elapsed();
        elapsed += dt;
        if dt > slowest.0 {
            slowest = (dt, case.id.clone());
        }
        pages += 1;
        bytes += body.len();
        let p = match result {
            Ok(p) => p,
            Err(e) => {
                errors += 1;
                eprintln!("{}: {e}", case.id);
                continue;
            }
        };
        let text = p.content.body_text();
        empty += usize::from(text.trim().is_empty());
        let json = serde_json::json!({ "title": p.content.title, "authors": p.content.authors,
            "published": p.content.published, "kicker": p.content.kicker,
            "page_type": p.content.page_type, "body": p.content.body });
        std::fs::write(out.join(format!("{}.txt", case.id)), text)?;
        std::fs::write(
            out.join("json").join(format!("{}.json", case.id)),
            serde_json::to_vec(&json)?,
        )?;
    }
    let secs = elapsed.as_secs_f64().max(1e-9);
    let name = set.dir();
    println!(
        "{name}: {pages} pages, {:.1} MB, {errors} errors, {empty} empty; pipeline {:.3} s on one thread: {:.0} pages/s, {:.1} MB/s (slowest {} {:.1} ms)",
        bytes as f64 / 1e6,
        secs,
        pages as f64 / secs,
        bytes as f64 / 1e6 / secs,
        slowest.1,
        slowest.0.as_secs_f64() * 1e3
    );
    if !pipeline_only {
        println!(
            "{name}: reference html5ever parse only (lossy UTF-8 + scraper::Html): {:.3} s, {:.0} pages/s; pipeline / parse = {:.2}x",
            parse_only.as_secs_f64(),
            pages as f64 / parse_only.as_secs_f64().max(1e-9),
            secs / parse_only.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

/// Score all pages and each half with the set's own score.py.
fn score(set: Set, o: &Opts, cases: &[Case], out: &Path) -> Res<()> {
    let halves: Vec<Option<&str>> = match &o.half {
        Some(h) => vec![Some(h.as_str())],
        None => vec![None, Some("tune"), Some("holdout")],
    };
    let dir = o.data.join(set.dir());
    let work = tempfile::tempdir()?;
    for half in halves {
        let label = half.unwrap_or("all");
        let chosen: Vec<&Case> = cases
            .iter()
            .filter(|c| half.is_none_or(|h| c.half == h))
            .collect();
        let mut lines = String::new();
        for c in &chosen {
            lines.push_str(&c.line);
            lines.push('\n');
        }
        let output = match set {
            Set::Extract => {
                let cases_file = work.path().join(format!("cases-{label}.jsonl"));
                std::fs::write(&cases_file, &lines)?;
                Command::new("python3")
                    .arg(dir.join("score.py"))
                    .arg("--cases")
                    .arg(&cases_file)
                    .arg("--outputs")
                    .arg(out)
                    .arg("--json")
                    .output()?
            }
            Set::Wcxb => {
                // score.py reads the cases next to itself: give it a directory of its own
                // with the chosen cases.
                let d = work.path().join(label);
                std::fs::create_dir_all(&d)?;
                std::fs::copy(dir.join("score.py"), d.join("score.py"))?;
                let mut gz = flate2::write::GzEncoder::new(
                    std::fs::File::create(d.join("cases.jsonl.gz"))?,
                    flate2::Compression::fast(),
                );
                std::io::Write::write_all(&mut gz, lines.as_bytes())?;
                gz.finish()?;
                Command::new("python3")
                    .arg(d.join("score.py"))
                    .arg("--outputs")
                    .arg(out)
                    .arg("--meta")
                    .arg(out.join("json"))
                    .arg("--json")
                    .output()?
            }
        };
        if !output.status.success() {
            return Err(format!(
                "score.py failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        println!("{} [{label}, {} pages]", set.dir(), chosen.len());
        for l in stdout.lines().filter(|l| !l.starts_with('{')) {
            println!("  {l}");
        }
        if set == Set::Wcxb {
            // The metadata goals are stated on article pages.
            let d = work.path().join(label);
            let articles = Command::new("python3")
                .arg(d.join("score.py"))
                .arg("--outputs")
                .arg(out)
                .arg("--meta")
                .arg(out.join("json"))
                .arg("--types")
                .arg("article")
                .output()?;
            for l in String::from_utf8_lossy(&articles.stdout)
                .lines()
                .filter(|l| l.contains("exact"))
            {
                println!("  article {}", l.trim_start());
            }
        }
        if set == Set::Extract {
            if let Some(s) = stdout
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            {
                let f = |k: &str| s.get(k).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
                println!(
                    "  P {:.3} R {:.3} F {:.3}",
                    f("precision"),
                    f("recall"),
                    f("f_score")
                );
            }
        }
    }
    Ok(())
}

/// Whole processes over the pages on disk: `quire extract` vs parse only.
fn whole_process(set: Set, cases: &[Case], out: &Path) -> Res<()> {
    let quire = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/quire");
    if !quire.is_file() {
        return Err(format!("{} missing: run cargo build --release", quire.display()).into());
    }
    let pages = out.join("pages");
    std::fs::create_dir_all(&pages)?;
    let mut files = Vec::new();
    let mut bytes = 0usize;
    for c in cases {
        let p = pages.join(format!("{}.html", c.id));
        let body = gunzip(&c.path)?;
        bytes += body.len();
        std::fs::write(&p, body)?;
        files.push(p);
    }
    let texts = out.join("process-out");
    std::fs::create_dir_all(&texts)?;
    let me = std::env::current_exe()?;
    // Warm the page cache once, then alternate runs so that load spikes hit both.
    // 0: quire on one thread, 1: parse only (one thread), 2: quire with its default
    // --jobs (one thread per core).
    let mut best = [(f64::MAX, 0u64); 3];
    for round in 0..4 {
        for (k, best) in best.iter_mut().enumerate() {
            let mut cmd = if k != 1 {
                let mut c = Command::new(&quire);
                c.arg("extract")
                    .arg("--profile")
                    .arg("generic")
                    .arg("--format")
                    .arg("text")
                    .arg("--out")
                    .arg(&texts);
                if k == 0 {
                    c.arg("--jobs").arg("1");
                }
                c
            } else {
                let mut c = Command::new(&me);
                c.arg("--parse-only-files");
                c
            };
            cmd.args(&files)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            let (secs, rss_kib) = timed(cmd)?;
            if round > 0 && secs < best.0 {
                *best = (secs, rss_kib);
            }
        }
    }
    let n = files.len() as f64;
    let mb = bytes as f64 / 1e6;
    println!(
        "{}: whole process, best of 3: quire extract --jobs 1 {:.3} s ({:.0} pages/s, {:.1} MB/s, peak RSS {:.1} MiB); parse only {:.3} s ({:.0} pages/s, peak RSS {:.1} MiB); ratio {:.2}x",
        set.dir(),
        best[0].0,
        n / best[0].0,
        mb / best[0].0,
        best[0].1 as f64 / 1024.0,
        best[1].0,
        n / best[1].0,
        best[1].1 as f64 / 1024.0,
        best[0].0 / best[1].0
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "{}: whole process, best of 3: quire extract (default --jobs, {cores} cores) {:.3} s ({:.0} pages/s, {:.1} MB/s, peak RSS {:.1} MiB); wall-clock ratio to the one-thread parse {:.2}x",
        set.dir(),
        best[2].0,
        n / best[2].0,
        mb / best[2].0,
        best[2].1 as f64 / 1024.0,
        best[2].0 / best[1].0
    );
    Ok(())
}

/// Run a command to completion: (wall seconds, peak RSS in KiB) from `wait4`.
fn timed(mut cmd: Command) -> Res<(f64, u64)> {
    let t = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet waited for; the pointers are valid.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = t.elapsed().as_secs_f64();
    if r != pid || !libc::WIFEXITED(status) {
        return Err(format!("{cmd:?} did not exit normally").into());
    }
    std::mem::forget(child);
    Ok((secs, usage.ru_maxrss as u64))
}

fn debug_one(cases: &[Case], id: &str, out: &Path) -> Res<()> {
    let case = cases
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| format!("no case {id}"))?;
    let body = gunzip(&case.path)?;
    let text = quire::decode::decode(&body, None)
        .map(|d| d.text)
        .unwrap_or_default();
    let doc = quire::extract::dom::parse(&text);
    println!("{:?}", quire::extract::generic::debug_choice(&doc));
    let (texts, _) = quire::extract::generic::debug_texts(&doc, &case.url);
    std::fs::write(out.join("debug-chosen.txt"), &texts[2])?;
    std::fs::write(out.join("debug-kept.txt"), &texts[1])?;
    let input = PageInput {
        url: &case.url,
        body: &body,
        content_type: None,
    };
    let p = pipeline::process(&input, &cfg())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({"title": p.content.title,
        "authors": p.content.authors, "published": p.content.published,
        "body": p.content.body}))?
    );
    println!("debug texts in {}", out.display());
    Ok(())
}

/// The block classifier's training data: for every page, every unit of visible text
/// with its features. Writes `DIR/<set>/features.f32` (rows of little-endian f32, in
/// the order of `names.txt`), `DIR/<set>/units.jsonl` (`{"id", "half", "text"}` per
/// row), per page `pages.f32` and `pages.jsonl` (page features in the order of
/// `page_names.txt`), and the two name lists. `tools/train_blocks.py` reads them.
fn export_features(set: Set, cases: &[Case], dir: &Path) -> Res<()> {
    use std::io::Write;
    let d = dir.join(set.dir());
    std::fs::create_dir_all(&d)?;
    let (names, page_names) = quire::extract::generic::debug_feature_names();
    std::fs::write(dir.join("names.txt"), names.join("\n") + "\n")?;
    std::fs::write(dir.join("page_names.txt"), page_names.join("\n") + "\n")?;
    let mut feats = std::io::BufWriter::new(std::fs::File::create(d.join("features.f32"))?);
    let mut units = std::io::BufWriter::new(std::fs::File::create(d.join("units.jsonl"))?);
    let mut pfeats = std::io::BufWriter::new(std::fs::File::create(d.join("pages.f32"))?);
    let mut pages = std::io::BufWriter::new(std::fs::File::create(d.join("pages.jsonl"))?);
    let mut rows = 0usize;
    for case in cases {
        let body = gunzip(&case.path)?;
        let text = quire::decode::decode(&body, None)
            .map(|d| d.text)
            .unwrap_or_default();
        let doc = quire::extract::dom::parse(&text);
        let du = quire::extract::generic::debug_units(&doc, &case.url);
        let (texts, vectors, page) = (&du.texts, &du.rows, &du.page);
        for x in page.iter() {
            pfeats.write_all(&x.to_le_bytes())?;
        }
        serde_json::to_writer(
            &mut pages,
            &serde_json::json!({"id": case.id, "half": case.half, "units": texts.len(),
                "url": case.url.as_str()}),
        )?;
        pages.write_all(b"\n")?;
        for (k, (t, v)) in texts.iter().zip(vectors).enumerate() {
            for x in v {
                feats.write_all(&x.to_le_bytes())?;
            }
            serde_json::to_writer(
                &mut units,
                &serde_json::json!({"id": case.id, "half": case.half, "text": t,
                    "w": du.words[k], "c": du.classes[k]}),
            )?;
            units.write_all(b"\n")?;
            rows += 1;
        }
    }
    feats.flush()?;
    units.flush()?;
    pfeats.flush()?;
    pages.flush()?;
    println!(
        "{}: {rows} units of {} pages, {} features each, in {}",
        set.dir(),
        cases.len(),
        names.len(),
        d.display()
    );
    Ok(())
}

/// Development aid: the page's visible text and the text kept after boilerplate
/// marking, as `stages/<id>.visible.txt` and `stages/<id>.kept.txt`, to see how much
/// of the truth each stage still holds.
fn stages(cases: &[Case], out: &Path) -> Res<()> {
    let dir = out.join("stages");
    std::fs::create_dir_all(&dir)?;
    for case in cases {
        let body = gunzip(&case.path)?;
        let text = quire::decode::decode(&body, None)
            .map(|d| d.text)
            .unwrap_or_default();
        let doc = quire::extract::dom::parse(&text);
        let (texts, _) = quire::extract::generic::debug_texts(&doc, &case.url);
        std::fs::write(dir.join(format!("{}.visible.txt", case.id)), &texts[0])?;
        std::fs::write(dir.join(format!("{}.kept.txt", case.id)), &texts[1])?;
    }
    println!("stages written to {}", dir.display());
    Ok(())
}

/// Where each "with" snippet is lost: not visible at all, removed as boilerplate,
/// not chosen, or found.
fn diagnose(cases: &[Case], verbose: bool) -> Res<()> {
    let mut diag = [0usize; 4];
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for case in cases {
        let body = gunzip(&case.path)?;
        let text = quire::decode::decode(&body, None)
            .map(|d| d.text)
            .unwrap_or_default();
        let doc = quire::extract::dom::parse(&text);
        let (texts, junk_roots) = quire::extract::generic::debug_texts(&doc, &case.url);
        let texts: Vec<String> = texts.iter().map(|t| norm(t)).collect();
        for w in &case.with {
            let w = norm(w);
            let stage = texts.iter().position(|t| !t.contains(&w)).unwrap_or(3);
            diag[stage] += 1;
            if stage < 3 && verbose {
                let culprit = if stage == 1 {
                    junk_roots
                        .iter()
                        .find(|(_, t)| norm(t).contains(&w))
                        .map_or("?", |(d, _)| d.as_str())
                } else {
                    ""
                };
                println!(
                    "{}\t{}\t{w}\t{culprit}",
                    case.id,
                    ["invisible", "junked", "not-chosen"][stage]
                );
            }
        }
    }
    println!(
        "with snippets: {} not visible, {} junked, {} not chosen, {} found",
        diag[0], diag[1], diag[2], diag[3]
    );
    Ok(())
}
