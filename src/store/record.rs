//! The record envelope: one immutable JSON file per URL outcome of a run, named by the
//! SHA-256 of its own bytes. A captured page's record holds the [`Article`] document
//! unchanged inside it. Owns the serde types of records, `run.json` and the manifest;
//! does no I/O.

use serde::{Deserialize, Serialize};

use crate::model::{Article, PageType, Redirect};

/// One record file: `runs/<run>/records/<sha256>.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Record {
    /// [`super::layout::RECORD_FORMAT`].
    pub format: String,
    /// The run this outcome belongs to.
    pub run_id: String,
    /// The URL (the Article's `content.url` for captures).
    pub url: String,
    /// When the store wrote this record (RFC 3339 UTC).
    pub recorded_at: String,
    /// What happened.
    pub outcome: RecordOutcome,
}

/// The outcome part of a record.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub(crate) enum RecordOutcome {
    /// A page was fetched and stored.
    Captured {
        /// The Article document, exactly as given to `put_capture`.
        article: Box<Article>,
    },
    /// The server answered 304; the previous capture still holds.
    NotModified {
        /// Capture id of the previous capture.
        previous: String,
        /// Its content digest.
        content_sha256: String,
        /// Its raw body digest.
        raw_sha256: String,
        /// Its page type, when known.
        #[serde(default)]
        page_type: Option<PageType>,
    },
    /// The page could not be fetched or processed.
    Failed {
        /// Why.
        reason: String,
        /// The HTTP status, when there was a response.
        http_status: Option<u16>,
    },
    /// The page is gone (404/410).
    Gone {
        /// The status.
        http_status: u16,
    },
    /// The URL redirected to `target`, whose own outcome (a capture, usually) is
    /// recorded under `target` in the same run: the URL is an alias of that article,
    /// not a page of its own. Store format 2.
    Alias {
        /// The URL the redirects led to (canonical).
        target: String,
        /// The hops from this record's URL to `target`, in order (evidence; may be
        /// empty).
        #[serde(default)]
        redirects: Vec<Redirect>,
    },
}

/// `runs/<run>/run.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunFile {
    /// [`super::layout::RUN_FORMAT`].
    pub format: String,
    /// The run id (also the directory name).
    pub run_id: String,
    /// RFC 3339 UTC start time.
    pub started_at: String,
    /// Version of quire that began the run.
    pub tool_version: String,
    /// Seeds and configuration, as given by the crawler.
    pub info: serde_json::Value,
}

/// `runs/<run>/manifest.json`, written once when the run finishes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Manifest {
    /// [`super::layout::MANIFEST_FORMAT`].
    pub format: String,
    /// The run id.
    pub run_id: String,
    /// RFC 3339 UTC start time (from run.json).
    pub started_at: String,
    /// RFC 3339 UTC finish time.
    pub finished_at: String,
    /// Version of quire that finished the run.
    pub tool_version: String,
    /// SHA-256 of `run.json`.
    pub run_json_sha256: String,
    /// The crawler's summary.
    pub summary: serde_json::Value,
    /// Number of entries below.
    pub entry_count: u64,
    /// Every URL outcome of the run, sorted by URL.
    pub entries: Vec<ManifestEntry>,
}

/// One line of the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManifestEntry {
    /// The URL.
    pub url: String,
    /// "captured", "not_modified", "failed", "gone" or "alias".
    pub kind: String,
    /// Record path relative to the store root.
    pub record: String,
    /// SHA-256 of the record file.
    pub record_sha256: String,
    /// Content digest (captured, not_modified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_sha256: Option<String>,
    /// Raw body digest (captured, not_modified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_sha256: Option<String>,
    /// Raw body length (captured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_bytes: Option<u64>,
    /// Object path relative to the store root (captured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The capture a not_modified entry refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// HTTP status (captured, failed, gone; for an alias, its first redirect's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The URL an alias leads to (alias only; store format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// Which store file [`parse_file`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// `runs/<run>/records/<sha256>.json`.
    Record,
    /// `runs/<run>/run.json`.
    RunFile,
    /// `runs/<run>/manifest.json`.
    Manifest,
}

/// What a store file's bytes said, in brief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    /// The run the file belongs to.
    pub run_id: String,
    /// URLs it speaks of: 1 for a record, the entries of a manifest, 0 for run.json.
    pub urls: usize,
    /// The index kind of a record ("captured", "failed", ...); empty otherwise.
    pub kind: String,
}

/// Parse the bytes of a store file the way `verify` and `reindex` read them (a record
/// also goes through the conversion to its index row). No I/O; for tools and fuzzing.
pub fn parse_file(kind: FileKind, bytes: &[u8]) -> Result<ParsedFile, serde_json::Error> {
    match kind {
        FileKind::Record => {
            let r: Record = serde_json::from_slice(bytes)?;
            let row = super::index::EntryRow::from_record(&r, &crate::model::sha256_hex(bytes));
            Ok(ParsedFile {
                run_id: row.run,
                urls: 1,
                kind: row.kind.to_string(),
            })
        }
        FileKind::RunFile => {
            let r: RunFile = serde_json::from_slice(bytes)?;
            Ok(ParsedFile {
                run_id: r.run_id,
                urls: 0,
                kind: String::new(),
            })
        }
        FileKind::Manifest => {
            let m: Manifest = serde_json::from_slice(bytes)?;
            Ok(ParsedFile {
                run_id: m.run_id,
                urls: m.entries.len(),
                kind: String::new(),
            })
        }
    }
}
