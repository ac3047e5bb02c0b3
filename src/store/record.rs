//! The record envelope: one immutable JSON file per URL outcome of a run, named by the
//! SHA-256 of its own bytes. A captured page's record holds the [`Article`] document
//! unchanged inside it. Owns the serde types of records, `run.json` and the manifest;
//! does no I/O.

use serde::{Deserialize, Serialize};

use crate::model::{Article, PageType};

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
    /// "captured", "not_modified", "failed" or "gone".
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
    /// HTTP status (captured, failed, gone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
}
