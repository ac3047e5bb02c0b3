//! `quire import`: WARC files from other tools (wget, Heritrix, Browsertrix,
//! ArchiveBox, `quire export`) into the store, as captures with the same documents,
//! digests and provenance a crawl writes, plus `provenance.source = {kind: "warc",
//! file, record_id, offset}`.
//!
//! Owns: which records become captures, the import's runs, and the import summary.
//! Reads files with [`warc`] (framing, gzip, offsets, damage) and [`http`] (the HTTP
//! message, de-chunking, content decoding, payload digests); processes bodies with
//! [`crate::pipeline::process`] and writes through the store's public API, the way
//! the crawler does (object → capture; failures, gone pages and aliases as outcomes).
//! Must not: touch the network, read the environment, print, or write under a store
//! root except through [`Store`].
//!
//! **Records.** A `response` with an HTTP 2xx payload that is HTML (by Content-Type,
//! or sniffed when it has none) becomes a capture: HTTP headers from the record,
//! chunked transfer and `Content-Encoding` undone, `fetched_at` = `WARC-Date`. A
//! `revisit` becomes a capture of its own URL and date with the payload of the record
//! it refers to (`WARC-Refers-To`, else `WARC-Refers-To-Target-URI` +
//! `WARC-Refers-To-Date`, else the same URL and `WARC-Payload-Digest`), when that record
//! is an earlier capture of the same import; otherwise it is skipped and counted. A
//! 301/302/303/307/308 whose target is a page of the import records the URL as the
//! target's alias, as the crawler does for redirects it follows. A 4xx/5xx is recorded
//! as the crawler records it (`Gone` for 404/410 of a URL captured before, else
//! `Failed` with `http_<status>`) and counted apart from import failures. Everything
//! else (`request`, `metadata`, `warcinfo`, `resource`, `conversion` records, non-HTML
//! payloads, non-HTTP URIs) is skipped and counted by reason.
//!
//! **Failures.** A `WARC-Payload-Digest` or `WARC-Block-Digest` that does not match
//! (the block digest covers the HTTP head too: a record whose headers were altered
//! after writing fails it), a payload over
//! `max_body`, a `WARC-Truncated` payload, a broken chunked or content coding, or a body
//! the pipeline cannot decode: the capture is not stored; a `Failed` outcome with the
//! reason is (as the crawler records a page it could not take), and the summary lists
//! digest mismatches with file, offset and record id. Damage (a cut or corrupt file)
//! ends that file: what came before is imported, the damage is reported with its
//! offset, and the next file is read.
//!
//! **Runs.** One import is one run — unless a URL has several captures in it. A run
//! holds one outcome per URL (the store's invariant), so the import then writes its
//! captures into as many runs as the most-captured URL needs, all begun by this
//! command, oldest first: each URL's captures, sorted by `WARC-Date`, go to the *last*
//! runs, its latest into the last run (the import's main run, which therefore holds
//! every URL's latest state). `history` lists every capture in date order, `export`
//! and `diff` see the latest as the latest, and `changes` between the main runs of two
//! imports works as between two crawls. Deciding this needs a first pass over the
//! files (headers only, unless a payload must be sniffed): the plan (`plan.rs`).
//!
//! **Order and memory.** Nothing this module keeps grows with the number of records,
//! URLs or pages. The plan's per-URL and per-capture facts go to a private scratch SQLite
//! database (a page cache of a few MiB, no journal, no syncs), and the second pass reads
//! its decisions back in record order; the captures that revisits take their payload
//! from and the undated articles held back for their issue's date go to a second one.
//! Both live in a scratch directory (`quire-import-*` in the system temp dir, or
//! [`ImportConfig::scratch_in`]) that is removed when the import returns, on success
//! and on error (a killed import leaves it behind); it takes about 140 bytes per page.
//! The second pass reads one record at a time; bodies are processed on `workers`
//! threads and written in file order. At most a few bodies (each at most `max_body`)
//! are in memory at once. Two things after the second pass still hold a list per URL,
//! outside this module: the issue dates of held-back articles (`crawl::issues`, only
//! when some article states no date) and the comparison with the previous run
//! (`diff::changes`, only when the store has one).

pub mod http;
mod plan;
pub mod warc;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sha2::Digest as _;

use crate::crawl::issues::{apply_issue_date, issue_dates, needs_issue_date};
use crate::extract::ExtractConfig;
use crate::fetch::is_html_type;
use crate::fetch::url::{has_non_html_extension, parse_canonical, resolve_canonical};
use crate::model::{Issue, Redirect, Source};
use crate::pipeline::{self, CaptureInfo, PageInput, ProcessError, Processed};
use crate::store::{Outcome, RunId, Store, StoreError};

use self::http::{BlockCheck, DigestCheck, HttpHead, PayloadError, ResponseParser};
use self::warc::{Damage, RecordHead, WarcReader};

/// Default cap on a payload after decoding: the crawler's `--max-body` default.
pub const DEFAULT_MAX_BODY: u64 = 20 * 1024 * 1024;

/// Default cap on the runs one import may write for the captures of one URL: past it,
/// a URL's oldest captures are skipped (`too_many_captures`).
pub const DEFAULT_MAX_CAPTURES_PER_URL: usize = 64;

/// Most digest mismatches (and damages) listed one by one in a summary; the counts
/// are always complete.
pub const MAX_LISTED: usize = 1000;

/// Frozen configuration of one import.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// The WARC files, read in this order.
    pub files: Vec<PathBuf>,
    /// Extractor choice (forced profile or by host). `latest_date` is set per record
    /// from its `WARC-Date`.
    pub extract: ExtractConfig,
    /// Recorded in the run's info (what `--profile` was).
    pub profile_label: Option<String>,
    /// Largest body after decoding; larger payloads fail with `too_large`.
    pub max_body: u64,
    /// Threads that run the pipeline.
    pub workers: usize,
    /// Most captures of one URL imported (each needs a run of its own).
    pub max_captures_per_url: usize,
    /// Most undated articles held back for their issue's date (see
    /// [`crate::crawl::issues`]); past it they are captured undated.
    pub max_deferred: usize,
    /// Where the import's scratch directory (its plan and held-back pages, on disk;
    /// removed at the end) is made: `None` for the system temp dir (`TMPDIR`).
    pub scratch_in: Option<PathBuf>,
}

impl ImportConfig {
    /// Defaults for `files`.
    pub fn new(files: Vec<PathBuf>) -> ImportConfig {
        ImportConfig {
            files,
            extract: ExtractConfig::default(),
            profile_label: None,
            max_body: DEFAULT_MAX_BODY,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_captures_per_url: DEFAULT_MAX_CAPTURES_PER_URL,
            max_deferred: crate::crawl::issues::DEFAULT_MAX_DEFERRED,
            scratch_in: None,
        }
    }
}

/// Why an import could not run or had to stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The store refused an operation: the import stops (its runs stay unfinished and
    /// the next import finishes them).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be opened.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A crawl run is unfinished; importing now would put runs between its start and
    /// its end.
    #[error("the store has an unfinished crawl run {0}; run `quire crawl` to finish it before importing")]
    UnfinishedCrawl(String),
    /// A worker thread died (a bug).
    #[error("internal error in an import thread: {0}")]
    Task(String),
    /// The scratch directory (the plan on disk) could not be made.
    #[error("cannot make the import's scratch directory in {path}: {source}")]
    ScratchDir {
        /// The directory it was to be made in.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The scratch database (the plan on disk) failed: a full disk, most likely.
    #[error("the import's scratch database failed: {0}")]
    Scratch(#[from] rusqlite::Error),
    /// A file holds more records than a position can number (2^40).
    #[error("a file has too many records to import (2^40 or more)")]
    TooManyRecords,
}

/// Damage found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDamage {
    /// The file as given.
    pub file: String,
    /// Byte offset (of the gzip member in a gzipped file).
    pub offset: u64,
    /// What is wrong.
    pub detail: String,
}

/// A record whose payload does not match its `WARC-Payload-Digest`, or whose block does
/// not match its `WARC-Block-Digest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DigestMismatch {
    /// The file as given.
    pub file: String,
    /// The record's offset.
    pub offset: u64,
    /// Its `WARC-Record-ID`.
    pub record_id: String,
    /// Its URL.
    pub url: String,
    /// Which digest: `WARC-Payload-Digest` (the HTTP payload) or `WARC-Block-Digest`
    /// (the whole record block: HTTP head and payload as stored).
    pub header: String,
    /// The digest it states.
    pub expected: String,
    /// The digest of what the record holds, in the same algorithm.
    pub actual: String,
}

/// The import summary: printed with `--json` (one line) and stored with the main run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    /// The main run: every URL's latest outcome.
    pub run_id: String,
    /// Runs written before it for the earlier captures of URLs captured more than once
    /// (oldest first); empty when no URL repeats.
    pub history_runs: Vec<String>,
    /// True when every run was finished.
    pub finished: bool,
    /// Files read.
    pub files: u64,
    /// WARC records read (all types).
    pub records: u64,
    /// Bytes of the files read (compressed bytes for gzipped files).
    pub bytes: u64,
    /// Captures stored (revisits included).
    pub captured: u64,
    /// Of which resolved `revisit` records.
    pub revisits: u64,
    /// Records that should have become captures and did not (see `failures`).
    pub failed: u64,
    /// Failures by reason ("payload_digest_mismatch", "too_large", "decode", ...).
    pub failures: BTreeMap<String, u64>,
    /// Archived 4xx/5xx responses, recorded as the crawler records them.
    pub http_errors: u64,
    /// Of which recorded as `Gone` (404/410 of a URL captured before).
    pub gone: u64,
    /// Redirects recorded as aliases.
    pub aliases: u64,
    /// Records not imported, by reason ("request", "non_html", "revisit_unresolved", ...).
    pub skipped: BTreeMap<String, u64>,
    /// Digest mismatches (at most [`MAX_LISTED`]).
    pub digest_mismatches: Vec<DigestMismatch>,
    /// Damaged files, one entry each.
    pub damaged: Vec<FileDamage>,
    /// Articles that state no date and took their issue's (as in a crawl).
    pub issue_dated: u64,
    /// Against the last finished run before this import: articles new in the main run.
    pub added: Option<u64>,
    /// ... whose content changed.
    pub changed: Option<u64>,
    /// ... unchanged.
    pub unchanged: Option<u64>,
    /// ... gone from the main run.
    pub removed: Option<u64>,
    /// The run compared against.
    pub previous_run: Option<String>,
    /// Wall-clock seconds.
    pub duration_s: f64,
}

impl ImportSummary {
    /// Did anything fail (a file damaged, a record that should have been imported)?
    pub fn has_failures(&self) -> bool {
        self.failed > 0 || !self.damaged.is_empty()
    }
}

/// Progress, reported every few hundred records.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// 1 for the planning pass, 2 for the import pass.
    pub pass: u8,
    /// Bytes read in this pass (all files).
    pub bytes: u64,
    /// Bytes of all files.
    pub total_bytes: u64,
    /// Captures stored so far.
    pub captured: u64,
}

// ---------------------------------------------------------------------------
// Record classification, shared by both passes.

type Key = [u8; 16];

fn key(parts: &[&str]) -> Key {
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

/// (file index, record ordinal in the file): a record's identity in both passes.
type Pos = (u32, u64);

/// A `WARC-Date` (or `WARC-Refers-To-Date`): RFC 3339, or the shorter W3C forms
/// WARC 1.1 allows, or a 14-digit timestamp.
pub fn parse_warc_date(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    let naive = |fmt: &str| chrono::NaiveDateTime::parse_from_str(t, fmt).ok();
    if let Some(n) = naive("%Y-%m-%dT%H:%MZ").or_else(|| naive("%Y%m%d%H%M%S")) {
        return Some(n.and_utc());
    }
    let day = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d").ok())
        .or_else(|| NaiveDate::parse_from_str(&format!("{t}-01-01"), "%Y-%m-%d").ok());
    day.and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

fn strip_angle(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(v)
}

fn is_html_candidate(h: &HttpHead) -> bool {
    (200..300).contains(&h.status) && h.get("content-type").is_none_or(is_html_type)
}

fn has_no_content_type(h: &HttpHead) -> bool {
    (200..300).contains(&h.status) && h.get("content-type").is_none()
}

/// What a record is, as far as the import is concerned.
enum Verdict {
    Skip(&'static str),
    /// A 2xx HTML payload (body read when asked for).
    Capture {
        head: HttpHead,
        body: Option<Result<Vec<u8>, PayloadError>>,
        digest: DigestCheck,
        /// The `WARC-Block-Digest` check (pass 2 only).
        block: DigestCheck,
        truncated: Option<String>,
    },
    /// A 4xx/5xx.
    HttpError {
        head: HttpHead,
    },
    /// A redirect to `target`.
    Redirect {
        target: String,
        hop: Redirect,
    },
    /// A revisit (its own HTTP head, when it has one).
    Revisit {
        head: Option<HttpHead>,
    },
}

struct Examined {
    url: String,
    date: DateTime<Utc>,
    record_id: String,
    verdict: Verdict,
}

/// Read and classify the record `head` (its block is read as far as needed). `full`:
/// read the body of every capture candidate (pass 2); otherwise only when it must be
/// sniffed (pass 1).
fn examine<R: std::io::BufRead>(
    reader: &mut WarcReader<R>,
    head: &RecordHead,
    full: bool,
    max_body: u64,
) -> Result<Option<Examined>, Damage> {
    let rtype = head.record_type();
    let skip = |reason| Ok(Some(skipped(reason)));
    match rtype.as_str() {
        "response" | "revisit" => {}
        "request" => return skip("request"),
        "metadata" => return skip("metadata"),
        "warcinfo" => return skip("warcinfo"),
        "resource" => return skip("resource"),
        "conversion" => return skip("conversion"),
        "continuation" => return skip("continuation"),
        _ => return skip("other_record_type"),
    }
    if head.version != "1.0" && head.version != "1.1" {
        return skip("unsupported_version");
    }
    let Some(uri) = head.get("WARC-Target-URI") else {
        return skip("no_target_uri");
    };
    let url = match parse_canonical(strip_angle(uri)) {
        Ok(u) => u,
        Err(_) => return skip("not_http"),
    };
    if let Some(ct) = head.get("Content-Type") {
        let ct = ct.to_ascii_lowercase();
        if !ct.starts_with("application/http") {
            return skip("not_http");
        }
        if ct.contains("msgtype=request") {
            return skip("request");
        }
    }
    let Some(date) = head.get("WARC-Date").and_then(parse_warc_date) else {
        return skip("bad_date");
    };
    let record_id = head.get("WARC-Record-ID").unwrap_or("").to_string();
    let url_text = url.to_string();
    let examined = |verdict| {
        Ok(Some(Examined {
            url: url_text.clone(),
            date,
            record_id: record_id.clone(),
            verdict,
        }))
    };
    if rtype == "revisit" {
        let mut p = ResponseParser::new(|_| false, max_body, None);
        reader.read_block(|c| p.push(c))?;
        return examined(Verdict::Revisit {
            head: p.finish().head.ok(),
        });
    }
    let wants: fn(&HttpHead) -> bool = if full {
        is_html_candidate
    } else {
        has_no_content_type
    };
    let mut p = ResponseParser::new(wants, max_body, head.get("WARC-Payload-Digest"));
    // The block digest is judged in the pass that stores, on blocks read to their end
    // (a payload that is not stored is not read further than its head).
    let mut block = BlockCheck::new(head.get("WARC-Block-Digest").filter(|_| full));
    reader.read_block(|c| {
        block.update(c);
        p.push(c)
    })?;
    let block = block.finish(reader.block_left() == 0);
    let resp = p.finish();
    let Ok(h) = resp.head else {
        return skip("bad_http");
    };
    match h.status {
        200..=299 => {
            if !is_html_candidate(&h) {
                return skip("non_html");
            }
            if h.get("content-type").is_none() {
                if let Some(Ok(body)) = &resp.body {
                    if !http::sniff_html(body) {
                        return skip("non_html");
                    }
                }
            }
            examined(Verdict::Capture {
                head: h,
                body: resp.body,
                digest: resp.digest,
                block,
                truncated: head.get("WARC-Truncated").map(str::to_string),
            })
        }
        301 | 302 | 303 | 307 | 308 => {
            let Some(loc) = h.get("location") else {
                return skip("redirect_without_location");
            };
            let Ok(target) = resolve_canonical(&url, loc) else {
                return skip("bad_redirect");
            };
            if target == url {
                return skip("self_redirect");
            }
            if has_non_html_extension(&target) {
                return skip("non_html");
            }
            let hop = Redirect {
                url: url_text.clone(),
                status: h.status,
                location: target.to_string(),
            };
            examined(Verdict::Redirect {
                target: target.to_string(),
                hop,
            })
        }
        304 => skip("not_modified_response"),
        400..=599 => {
            if has_non_html_extension(&url) {
                return skip("non_html");
            }
            examined(Verdict::HttpError { head: h })
        }
        _ => skip("other_status"),
    }
}

fn skipped(reason: &'static str) -> Examined {
    Examined {
        url: String::new(),
        date: DateTime::<Utc>::MIN_UTC,
        record_id: String::new(),
        verdict: Verdict::Skip(reason),
    }
}

/// Keys under which a capture can be referred to by a later revisit.
fn referent_keys(head: &RecordHead, url: &str, date: &DateTime<Utc>) -> Vec<Key> {
    let mut v = Vec::with_capacity(3);
    if let Some(id) = head.get("WARC-Record-ID") {
        v.push(key(&["id", id.trim()]));
    }
    v.push(key(&["ud", url, &date.timestamp_micros().to_string()]));
    if let Some(d) = head.get("WARC-Payload-Digest") {
        v.push(key(&["pd", url, &d.trim().to_ascii_lowercase()]));
    }
    v
}

/// Keys a revisit refers by, most precise first.
fn revisit_keys(head: &RecordHead, url: &str) -> Vec<Key> {
    let mut v = Vec::new();
    if let Some(id) = head.get("WARC-Refers-To") {
        v.push(key(&["id", id.trim()]));
    }
    let target = head
        .get("WARC-Refers-To-Target-URI")
        .and_then(|u| parse_canonical(strip_angle(u)).ok())
        .map(|u| u.to_string());
    if let (Some(t), Some(d)) = (
        &target,
        head.get("WARC-Refers-To-Date").and_then(parse_warc_date),
    ) {
        v.push(key(&["ud", t, &d.timestamp_micros().to_string()]));
    }
    if let Some(d) = head.get("WARC-Payload-Digest") {
        let d = d.trim().to_ascii_lowercase();
        v.push(key(&["pd", target.as_deref().unwrap_or(url), &d]));
        if target.as_deref().is_some_and(|t| t != url) {
            v.push(key(&["pd", url, &d]));
        }
    }
    v
}

// ---------------------------------------------------------------------------
// Pass 1 (the plan) is in [`plan`].

fn open(path: &Path) -> Result<WarcReader<BufReader<File>>, ImportError> {
    let open_err = |source| ImportError::Open {
        path: path.to_path_buf(),
        source,
    };
    let f = File::open(path).map_err(open_err)?;
    WarcReader::new(BufReader::with_capacity(256 * 1024, f)).map_err(open_err)
}

// ---------------------------------------------------------------------------
// Pass 2: the import.

/// Capture facts of one record (kept as JSON in the scratch database while held).
#[derive(Clone, Serialize, serde::Deserialize)]
struct Facts {
    url: String,
    layer: usize,
    pos: Pos,
    /// A later revisit takes its payload from this record.
    referent: bool,
    fetched_at: String,
    latest_date: Option<NaiveDate>,
    http_status: u16,
    content_type: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    source: Source,
}

enum Work {
    Capture {
        facts: Facts,
        body: Vec<u8>,
    },
    Failed {
        facts: Facts,
        kind: String,
        reason: String,
        mismatch: Option<DigestMismatch>,
    },
    HttpError {
        facts: Facts,
    },
    Alias {
        url: String,
        layer: usize,
        target: String,
        hop: Redirect,
    },
    Revisit {
        facts: Facts,
        referent: Pos,
        own_head: bool,
    },
}

enum Done {
    Processed {
        facts: Facts,
        body: Vec<u8>,
        processed: Box<Result<Processed, ProcessError>>,
    },
    Other(Work),
}

/// What the reader thread counted.
#[derive(Default)]
struct ReaderTally {
    records: u64,
    bytes: u64,
    skipped: BTreeMap<String, u64>,
    damaged: Vec<FileDamage>,
}

fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn facts_of(
    ex: &Examined,
    head: Option<&HttpHead>,
    file: &str,
    offset: u64,
    layer: usize,
    pos: Pos,
    referent: bool,
) -> Facts {
    let h = |name: &str| head.and_then(|h| h.get(name)).map(str::to_string);
    Facts {
        url: ex.url.clone(),
        layer,
        pos,
        referent,
        fetched_at: ex.date.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        latest_date: crate::extract::latest_date_for(ex.date),
        http_status: head.map_or(200, |h| h.status),
        content_type: h("content-type"),
        etag: h("etag"),
        last_modified: h("last-modified"),
        source: Source::Warc {
            file: file.to_string(),
            record_id: ex.record_id.clone(),
            offset,
        },
    }
}

/// The reader thread: every file, every record, in order; slot records become work.
fn read_all(
    cfg: &ImportConfig,
    layers: usize,
    plan: &mut plan::Decisions,
    send: &dyn Fn(Work) -> bool,
    progress: &dyn Fn(u64),
) -> Result<ReaderTally, ImportError> {
    let mut t = ReaderTally::default();
    let main = layers - 1;
    let mut done_bytes = 0u64;
    for (fi, path) in cfg.files.iter().enumerate() {
        let label = file_label(path);
        let mut reader = open(path)?;
        let mut ord = 0u64;
        let skip = |t: &mut ReaderTally, r: &str| *t.skipped.entry(r.to_string()).or_insert(0) += 1;
        loop {
            let head = match reader.next_record() {
                Ok(Some(h)) => h,
                Ok(None) => break,
                Err(d) => {
                    t.damaged.push(FileDamage {
                        file: path.display().to_string(),
                        offset: d.offset,
                        detail: d.detail,
                    });
                    break;
                }
            };
            t.records += 1;
            let pos = (fi as u32, ord);
            ord += 1;
            if ord.is_multiple_of(64) {
                progress(done_bytes + reader.raw_position());
            }
            let ex = match examine(&mut reader, &head, true, cfg.max_body) {
                Ok(Some(ex)) => ex,
                Ok(None) => continue,
                Err(d) => {
                    t.damaged.push(FileDamage {
                        file: path.display().to_string(),
                        offset: d.offset,
                        detail: d.detail,
                    });
                    break;
                }
            };
            if let Verdict::Skip(r) = ex.verdict {
                skip(&mut t, r);
                continue;
            }
            let d = plan.get(pos)?;
            if d.too_many {
                skip(&mut t, "too_many_captures");
                continue;
            }
            let layer = d.layer.unwrap_or(main);
            let work = match ex.verdict {
                Verdict::Skip(_) => continue,
                Verdict::Redirect {
                    ref target,
                    ref hop,
                } => {
                    if !d.alias {
                        skip(&mut t, "redirect_target_not_imported");
                        continue;
                    }
                    Work::Alias {
                        url: ex.url.clone(),
                        layer,
                        target: target.clone(),
                        hop: hop.clone(),
                    }
                }
                Verdict::HttpError { ref head } => Work::HttpError {
                    facts: facts_of(&ex, Some(head), &label, 0, layer, pos, d.referent),
                },
                Verdict::Revisit { ref head } => {
                    let Some(r) = d.revisit_of else {
                        skip(&mut t, "revisit_unresolved");
                        continue;
                    };
                    let own = head.as_ref().filter(|h| (200..300).contains(&h.status));
                    Work::Revisit {
                        facts: facts_of(&ex, own, &label, 0, layer, pos, d.referent),
                        referent: r,
                        own_head: own.is_some(),
                    }
                }
                Verdict::Capture {
                    ref head,
                    ref body,
                    ref digest,
                    ref block,
                    ref truncated,
                } => {
                    let facts = facts_of(&ex, Some(head), &label, 0, layer, pos, d.referent);
                    let fail = |kind: &str, reason: String, mismatch| Work::Failed {
                        facts: facts.clone(),
                        kind: kind.to_string(),
                        reason,
                        mismatch,
                    };
                    let mismatch =
                        |header: &str, expected: &String, actual: &String| DigestMismatch {
                            file: path.display().to_string(),
                            offset: 0,
                            record_id: ex.record_id.clone(),
                            url: ex.url.clone(),
                            header: header.to_string(),
                            expected: expected.clone(),
                            actual: actual.clone(),
                        };
                    if let DigestCheck::Mismatch { expected, actual } = digest {
                        fail(
                            "payload_digest_mismatch",
                            format!("payload_digest_mismatch: WARC-Payload-Digest {expected}, payload {actual}"),
                            Some(mismatch("WARC-Payload-Digest", expected, actual)),
                        )
                    } else if let DigestCheck::Mismatch { expected, actual } = block {
                        fail(
                            "block_digest_mismatch",
                            format!("block_digest_mismatch: WARC-Block-Digest {expected}, block {actual}"),
                            Some(mismatch("WARC-Block-Digest", expected, actual)),
                        )
                    } else if let Some(tr) = truncated {
                        fail(
                            "warc_truncated",
                            format!("warc_truncated: the WARC writer cut the payload ({tr})"),
                            None,
                        )
                    } else {
                        match body {
                            Some(Ok(b)) if b.iter().all(u8::is_ascii_whitespace) => {
                                fail("empty", "empty: empty body".to_string(), None)
                            }
                            Some(Ok(b)) => Work::Capture {
                                facts,
                                body: b.clone(),
                            },
                            Some(Err(e)) => fail(e.kind(), format!("{}: {e}", e.kind()), None),
                            None => fail("bad_http", "bad_http: no body".into(), None),
                        }
                    }
                }
            };
            let work = with_offset(work, head.offset);
            if !send(work) {
                return Ok(t);
            }
        }
        done_bytes += reader.raw_position();
    }
    t.bytes = done_bytes;
    Ok(t)
}

/// Set the record's offset on the work's source (and mismatch).
fn with_offset(mut w: Work, offset: u64) -> Work {
    let set = |f: &mut Facts| {
        if let Source::Warc { offset: o, .. } = &mut f.source {
            *o = offset;
        }
    };
    match &mut w {
        Work::Capture { facts, .. } | Work::HttpError { facts } | Work::Revisit { facts, .. } => {
            set(facts)
        }
        Work::Failed {
            facts, mismatch, ..
        } => {
            set(facts);
            if let Some(m) = mismatch {
                m.offset = offset;
            }
        }
        Work::Alias { .. } => {}
    }
    w
}

/// Held-back articles read back at a time when they are written.
const DEFERRED_BLOCK: usize = 256;

struct Writer<'a> {
    cfg: &'a ImportConfig,
    runs: Vec<RunId>,
    s: ImportSummary,
    /// Referent captures and held-back articles, on disk.
    held: plan::Held,
    deferred_full: bool,
}

impl Writer<'_> {
    fn fail(
        &mut self,
        store: &mut Store,
        facts: &Facts,
        kind: &str,
        reason: String,
    ) -> Result<(), ImportError> {
        self.s.failed += 1;
        *self.s.failures.entry(kind.to_string()).or_insert(0) += 1;
        store.put_outcome(
            &self.runs[facts.layer],
            &facts.url,
            &Outcome::Failed {
                reason,
                http_status: Some(facts.http_status),
            },
        )?;
        Ok(())
    }

    fn info(&self, facts: &Facts, object_path: String) -> CaptureInfo {
        CaptureInfo {
            fetched_at: Some(facts.fetched_at.clone()),
            http_status: Some(facts.http_status),
            final_url: Some(facts.url.clone()),
            redirects: Vec::new(),
            etag: facts.etag.clone(),
            last_modified: facts.last_modified.clone(),
            content_type: facts.content_type.clone(),
            run_id: Some(self.runs[facts.layer].to_string()),
            object_path: Some(object_path),
            source: Some(facts.source.clone()),
        }
    }

    /// Store a processed body as a capture (or hold it back for its issue's date).
    fn capture(
        &mut self,
        store: &mut Store,
        facts: Facts,
        body: &[u8],
        processed: Result<Processed, ProcessError>,
    ) -> Result<(), ImportError> {
        let processed = match processed {
            Ok(p) => p,
            Err(e) => return self.fail(store, &facts, "decode", format!("decode: {e}")),
        };
        let obj = store.put_object(body)?;
        if facts.referent {
            self.held.put_referent(&obj.sha256, &facts)?;
        }
        if needs_issue_date(&processed.content) {
            if self.held.deferred() < self.cfg.max_deferred as u64 {
                self.held.defer(&obj.sha256, &obj.path, &facts)?;
                self.s.captured += 1;
                return Ok(());
            }
            if !self.deferred_full {
                self.deferred_full = true;
                tracing::warn!(
                    max = self.cfg.max_deferred,
                    "too many undated articles wait for issue pages; the rest are captured undated"
                );
            }
        }
        let info = self.info(&facts, obj.path);
        self.put(store, &facts, body, processed, info)?;
        self.s.captured += 1;
        Ok(())
    }

    fn put(
        &mut self,
        store: &mut Store,
        facts: &Facts,
        body: &[u8],
        processed: Processed,
        info: CaptureInfo,
    ) -> Result<(), ImportError> {
        let article = processed.into_article_at(body, info, &facts.url);
        store.put_capture(&self.runs[facts.layer], &article)?;
        Ok(())
    }

    fn other(&mut self, store: &mut Store, work: Work) -> Result<(), ImportError> {
        match work {
            Work::Capture { facts, body } => {
                // Not processed by a worker (cannot happen): process here.
                let p = process(&self.cfg.extract, &facts, &body);
                self.capture(store, facts, &body, p)
            }
            Work::Failed {
                facts,
                kind,
                reason,
                mismatch,
            } => {
                if let Some(m) = mismatch {
                    if self.s.digest_mismatches.len() < MAX_LISTED {
                        self.s.digest_mismatches.push(m);
                    }
                }
                self.fail(store, &facts, &kind, reason)
            }
            Work::HttpError { facts } => {
                self.s.http_errors += 1;
                let run = &self.runs[facts.layer];
                let earlier = matches!(facts.http_status, 404 | 410)
                    && store.history(&facts.url)?.iter().any(|c| c.run < *run);
                let outcome = if earlier {
                    self.s.gone += 1;
                    Outcome::Gone {
                        http_status: facts.http_status,
                    }
                } else {
                    Outcome::Failed {
                        reason: format!("http_{}: archived response", facts.http_status),
                        http_status: Some(facts.http_status),
                    }
                };
                store.put_outcome(run, &facts.url, &outcome)?;
                Ok(())
            }
            Work::Alias {
                url,
                layer,
                target,
                hop,
            } => {
                self.s.aliases += 1;
                store.put_outcome(
                    &self.runs[layer],
                    &url,
                    &Outcome::Alias {
                        target,
                        redirects: vec![hop],
                    },
                )?;
                Ok(())
            }
            Work::Revisit {
                mut facts,
                referent,
                own_head,
            } => {
                let Some((raw_sha256, r)) = self.held.referent(referent)? else {
                    return self.fail(
                        store,
                        &facts,
                        "revisit_of_failed_record",
                        "revisit_of_failed_record: the record it refers to was not imported".into(),
                    );
                };
                let body = store.read_object(&raw_sha256)?;
                if !own_head || facts.content_type.is_none() {
                    facts.content_type = r.content_type;
                }
                if !own_head {
                    facts.http_status = r.http_status;
                    facts.etag = r.etag;
                    facts.last_modified = r.last_modified;
                }
                // The payload stored is the referred record's: so is the source.
                facts.source = r.source;
                let p = process(&self.cfg.extract, &facts, &body);
                let before = self.s.captured;
                self.capture(store, facts, &body, p)?;
                if self.s.captured > before {
                    self.s.revisits += 1;
                }
                Ok(())
            }
        }
    }

    /// Write the held-back captures with their issue's date (from any run of the
    /// import; the earliest issue listing an article wins).
    fn write_deferred(&mut self, store: &mut Store) -> Result<(), ImportError> {
        if self.held.deferred() == 0 {
            return Ok(());
        }
        let mut dates: HashMap<String, Issue> = HashMap::new();
        let k = |i: &Issue| i.date.as_ref().map(|d| d.date.clone()).unwrap_or_default();
        for run in &self.runs {
            for (url, issue) in issue_dates(store, run)? {
                if dates.get(&url).is_none_or(|d| k(&issue) < k(d)) {
                    dates.insert(url, issue);
                }
            }
        }
        let mut after = -1i64;
        loop {
            let block = self.held.deferred_after(after, DEFERRED_BLOCK)?;
            if block.is_empty() {
                break;
            }
            for (seq, raw_sha256, object_path, facts) in block {
                after = seq;
                let raw = store.read_object(&raw_sha256)?;
                let Ok(mut processed) = process(&self.cfg.extract, &facts, &raw) else {
                    tracing::error!(url = %facts.url, "held-back page no longer processes; not stored");
                    continue;
                };
                if let Some(issue) = dates.get(&facts.url) {
                    if apply_issue_date(&mut processed.content, issue) {
                        self.s.issue_dated += 1;
                    }
                }
                let info = self.info(&facts, object_path);
                self.put(store, &facts, &raw, processed, info)?;
            }
        }
        Ok(())
    }
}

fn process(cfg: &ExtractConfig, facts: &Facts, body: &[u8]) -> Result<Processed, ProcessError> {
    let url = match url::Url::parse(&facts.url) {
        Ok(u) => u,
        Err(_) => return Err(ProcessError::Empty),
    };
    let cfg = ExtractConfig {
        latest_date: facts.latest_date,
        ..cfg.clone()
    };
    pipeline::process(
        &PageInput {
            url: &url,
            body,
            content_type: facts.content_type.as_deref(),
        },
        &cfg,
    )
}

fn run_info(cfg: &ImportConfig, layer: usize, layers: usize) -> serde_json::Value {
    serde_json::json!({
        "source": "warc",
        "files": cfg.files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "profile": cfg.profile_label,
        "role": if layer + 1 == layers { "import" } else { "earlier_captures" },
        "layer": layer + 1,
        "layers": layers,
        "tool_version": crate::TOOL_VERSION,
    })
}

/// Finish the import runs an interrupted import left unfinished; refuse when a crawl
/// run is unfinished.
fn seal_interrupted(store: &mut Store) -> Result<(), ImportError> {
    while let Some(run) = store.unfinished_run()? {
        let info = store.run_info(&run.0)?;
        let is_import = info
            .as_ref()
            .and_then(|i| i.info.get("source"))
            .and_then(|v| v.as_str())
            == Some("warc");
        if !is_import {
            return Err(ImportError::UnfinishedCrawl(run.0));
        }
        tracing::warn!(%run, "finishing an interrupted import run as it is");
        store.finish_run(&run, &serde_json::json!({"interrupted": true}))?;
    }
    Ok(())
}

/// Import `cfg.files` into `store`. See the module docs.
pub fn import(
    cfg: &ImportConfig,
    store: &mut Store,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    for f in &cfg.files {
        File::open(f).map_err(|source| ImportError::Open {
            path: f.clone(),
            source,
        })?;
    }
    seal_interrupted(store)?;
    let previous = store
        .runs()?
        .into_iter()
        .filter(|r| r.finished_at.is_some())
        .map(|r| r.id)
        .next_back();
    // The plan and the writer's held rows live in a scratch directory: declared first,
    // so that it is removed last, when this function returns, whichever way.
    let scratch = plan::Scratch::new(cfg.scratch_in.as_deref())?;
    let plan = plan::plan(cfg, &scratch.file("plan.sqlite"), progress)?;
    let (layers, total_bytes) = (plan.layers, plan.total_bytes);
    let mut decisions = plan.decisions()?;
    let mut runs = Vec::with_capacity(layers);
    for layer in 0..layers {
        runs.push(store.begin_run(&run_info(cfg, layer, layers))?);
    }
    let main = runs[layers - 1].clone();
    let mut w = Writer {
        cfg,
        runs: runs.clone(),
        s: ImportSummary {
            run_id: main.to_string(),
            history_runs: runs[..layers - 1].iter().map(|r| r.to_string()).collect(),
            files: cfg.files.len() as u64,
            previous_run: previous.as_ref().map(|r| r.to_string()),
            ..ImportSummary::default()
        },
        held: plan::Held::new(scratch.file("held.sqlite")),
        deferred_full: false,
    };

    let workers = cfg.workers.max(1);
    let (job_tx, job_rx) = sync_channel::<(u64, Work)>(workers * 2);
    let (done_tx, done_rx) = sync_channel::<(u64, Done)>(workers * 2);
    let job_rx: Arc<Mutex<Receiver<(u64, Work)>>> = Arc::new(Mutex::new(job_rx));
    let tally = std::thread::scope(|scope| -> Result<ReaderTally, ImportError> {
        for _ in 0..workers {
            let rx = job_rx.clone();
            let tx = done_tx.clone();
            let extract = cfg.extract.clone();
            scope.spawn(move || loop {
                let next = match rx.lock() {
                    Ok(g) => g.recv(),
                    Err(p) => p.into_inner().recv(),
                };
                let Ok((seq, work)) = next else { break };
                let done = match work {
                    Work::Capture { facts, body } => {
                        let processed = Box::new(process(&extract, &facts, &body));
                        Done::Processed {
                            facts,
                            body,
                            processed,
                        }
                    }
                    other => Done::Other(other),
                };
                if tx.send((seq, done)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let reader = scope.spawn(move || {
            // Every piece of work gets the next sequence number: the writer puts them
            // back in this order.
            let counter = std::cell::Cell::new(0u64);
            let send = |work: Work| -> bool {
                let s = counter.get();
                counter.set(s + 1);
                job_tx.send((s, work)).is_ok()
            };
            read_all(cfg, layers, &mut decisions, &send, &|bytes| {
                progress(&Progress {
                    pass: 2,
                    bytes,
                    total_bytes,
                    captured: 0,
                })
            })
        });
        // The writer: results in sequence order.
        let mut next = 0u64;
        let mut waiting: BTreeMap<u64, Done> = BTreeMap::new();
        let mut store_error: Option<ImportError> = None;
        for (seq, done) in done_rx.iter() {
            waiting.insert(seq, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                if store_error.is_some() {
                    continue;
                }
                let r = match done {
                    Done::Processed {
                        facts,
                        body,
                        processed,
                    } => w.capture(store, facts, &body, *processed),
                    Done::Other(work) => w.other(store, work),
                };
                if let Err(e) = r {
                    store_error = Some(e);
                }
            }
        }
        let tally = reader
            .join()
            .map_err(|_| ImportError::Task("the reader thread panicked".into()))??;
        if let Some(e) = store_error {
            return Err(e);
        }
        Ok(tally)
    })?;
    w.write_deferred(store)?;
    w.s.records = tally.records;
    w.s.bytes = tally.bytes;
    w.s.skipped = tally.skipped;
    w.s.damaged = tally.damaged;
    w.s.finished = true;
    w.s.duration_s = started.elapsed().as_secs_f64();
    for (i, run) in runs.iter().enumerate() {
        let summary = if i + 1 == runs.len() {
            serde_json::to_value(&w.s).unwrap_or(serde_json::Value::Null)
        } else {
            serde_json::json!({"role": "earlier_captures", "import_run": main.to_string()})
        };
        store.finish_run(run, &summary)?;
    }
    if let Some(prev) = previous {
        let cmp = crate::diff::changes::compare_runs(store, &prev, &main)?;
        w.s.added = Some(cmp.added.len() as u64);
        w.s.changed = Some(cmp.changed.len() as u64);
        w.s.unchanged = Some(cmp.unchanged);
        w.s.removed = Some(cmp.removed.len() as u64);
    }
    Ok(w.s)
}
