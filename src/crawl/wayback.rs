//! Crawling from a web archive (`quire crawl --source wayback URL-PREFIX`): the
//! archive's capture index (CDX) is the frontier, and each listed capture's original
//! bytes come from the archive's `id_` replay (no banner, no rewritten links).
//!
//! Owns: where an archive keeps its CDX server and its replay ([`Endpoint`]), the CDX
//! query, reading CDX answers defensively ([`parse_cdx`]: bounded, typed errors, no
//! panic on any bytes), choosing the captures of a run ([`list`]), and the task of one
//! capture ([`page`]): fetch its replay, process it as a page of its *original* URL, store
//! it there with `fetched_at` = the archive's timestamp and `provenance.source` =
//! `{kind: "wayback", endpoint, timestamp, original_url}`.
//! Must not: open sockets itself (every request goes through [`crate::fetch::Fetcher`],
//! so the archive gets the run's per-host delay, concurrency, robots.txt and retries),
//! follow links found in archived pages (the listing is the whole frontier), print, or
//! read the environment.
//!
//! One run per command. The store keeps one outcome per URL and run, so a run holds the
//! *latest* listed capture of each URL in the `--from`/`--to` window; the earlier ones
//! are counted as `superseded` and not fetched. The archive's timeline becomes runs by
//! crawling windows, oldest first (`--to 2016`, then `--from 2017`): `history` and
//! `changes` then run across it. Captures are taken in archive-timestamp order (then
//! URL).
//!
//! Two dialects. The Wayback CDX server answers a JSON array (a header row, the rows,
//! then an empty row and the resume key when the listing goes on). pywb's, as a real
//! pywb 2.10.0 answers (`tests/wayback_pywb.rs` runs one on loopback in CI):
//! - CDX at `{collection}/cdx`, `output=json`: newline-delimited JSON objects
//!   (`text/x-ndjson`), fields in the order of `fl`, values all strings, `status` "200"
//!   (a string), `mime` the type's essence ("text/html", no charset), 14-digit
//!   timestamps from the WARC-Date. `fl` knows only pywb's names (`url`, `status`,
//!   `mime`): Wayback's are silently dropped. `from`/`to` are padded to 14 digits and
//!   inclusive, `matchType=prefix` works on the URL as given.
//! - `filter=` takes Wayback's field names too (`statuscode` is `status`), but a
//!   value is matched as a *substring* (`~` makes it a regex, `=` exact, `!` inverts).
//! - A revisit record (a deduplicated capture) is listed with `mime` "warc/revisit"
//!   and *no* `status`: `filter=statuscode:200` drops it, so a page unchanged in a
//!   window would be missing from that run (and look removed). quire sends
//!   [`PYWB_STATUS_FILTER`] instead and takes revisit rows; their replay serves the
//!   earlier payload with the revisit's `Memento-Datetime`. A revisit's type is learnt
//!   from the URL's other rows, else from the replay (not HTML: skipped, not failed).
//! - `collapse` is ignored (pywb has `collapseTime` only), and `showResumeKey` too:
//!   there is no resume key. Without `limit`, the listing stops at 100,000 rows without
//!   a word; quire asks for [`PYWB_LIMIT`] and an answer that long is an error.
//! - `{ts}id_/{url}` replays the archived response as it was (status, headers, bytes)
//!   with `Memento-Datetime` and a `Content-Location` naming the capture served. A
//!   timestamp that is not exact, or a listed capture whose WARC record cannot be
//!   loaded, is served from the nearest capture that loads, without a redirect (its
//!   `Memento-Datetime` says which). A listed capture with no loadable record at all is
//!   a 503 (an HTML error page), a URL not in the index a 404. An archived 301 is
//!   replayed as a 301 to the original site: a redirect out of the replay.
//! - `/robots.txt` at the server's root is a 307 to `/robots.txt/`, a 404: no rules.
//! - pywb's front end asks its own index (`{collection}/index?…`) over HTTP on the same
//!   port: a firewall or proxy in front of pywb must let loopback through.
//!
//! Resuming: the frontier holds one key per listed capture, its replay URL. A resumed
//! run lists again (the archive may have more by then; keys already known are
//! ignored), and a task first asks the store whether the run already has an outcome for
//! the capture's URL: a capture stored before a `kill -9` is never fetched again. A key
//! is marked done only once its outcome is durable (flushed), so no capture is lost
//! either.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use url::Url;

use super::{issues, lock, with_store, CrawlError, Ctx, PageResult};
use crate::fetch::url::{parse_canonical, Prefix, Scope};
use crate::fetch::{is_html_type, Conditional, FetchError, Fetched, Fetcher, Hop};
use crate::model::{Redirect, Source};
use crate::pipeline::{self, CaptureInfo, PageInput};
use crate::store::{Outcome, StoreError};

/// The default archive: the Internet Archive's Wayback Machine.
pub const DEFAULT_ENDPOINT: &str = "https://web.archive.org";

/// CDX rows asked for per request (`limit=`); the rest comes page by page with the
/// archive's resume key.
pub const DEFAULT_PAGE_SIZE: usize = 1000;

/// Largest CDX answer read (one page of rows); more is an error, not a truncation.
pub const MAX_CDX_BYTES: u64 = 16 * 1024 * 1024;

/// Longest field of a CDX row (a URL, a digest, a resume key).
pub const MAX_FIELD_BYTES: usize = 16 * 1024;

/// Most URLs one run lists: the listing is held in memory to be ordered by timestamp
/// (a few hundred bytes a URL), so a run takes at most this many, or `--max-frontier`
/// when lower; the rest are left out (`truncated`).
pub const MAX_LISTED_URLS: u64 = 1_000_000;

/// CDX pages in a row that carry a resume key but no capture before the listing is
/// declared broken (an archive that pages forever without progress).
pub const MAX_EMPTY_PAGES: u32 = 20;

/// The fields asked for (`fl=`) from a Wayback CDX server, in this order.
pub const CDX_FIELDS: &str = "timestamp,original,statuscode,mimetype,digest";

/// The same fields under pywb's names (pywb 2 answers only the fields it knows by
/// these names: given Wayback's, it returns just `timestamp` and `digest`).
pub const PYWB_CDX_FIELDS: &str = "timestamp,url,status,mime,digest";

/// The status filter sent to pywb: drop rows whose status begins with 1, 3, 4 or 5
/// (`!` inverts, `~` is a regex match from the start). A revisit row has no status (or
/// `-`) and is kept; pywb's plain `statuscode:200` would drop it (a missing field
/// contains nothing).
pub const PYWB_STATUS_FILTER: &str = "!~status:[1345]";

/// The `limit` sent to pywb, whose CDX server otherwise stops at 100,000 rows without a
/// word. An answer of this many rows may be cut short, and is an error; in practice
/// [`MAX_CDX_BYTES`] is met first.
pub const PYWB_LIMIT: usize = 1_000_000;

/// The mimetype a CDX server lists for a `revisit` record (a deduplicated capture: the
/// payload is an earlier record's). It says nothing of the page's type; the replay
/// serves the earlier payload under the revisit's time.
pub const REVISIT_MIME: &str = "warc/revisit";

/// Where an archive keeps its capture index and its replay, derived from the one URL
/// given with `--wayback-endpoint`:
///
/// | endpoint given | layout | CDX | replay |
/// |---|---|---|---|
/// | `https://web.archive.org` (no path) | Wayback | `{e}/cdx/search/cdx` | `{e}/web/{ts}id_/{url}` |
/// | `https://web.archive.org/web` (path ends in `/web`) | Wayback, `e` = without `/web` | as above | as above |
/// | `http://localhost:8080/my-coll` (any other path) | pywb collection | `{e}/cdx` | `{e}/{ts}id_/{url}` |
///
/// [`Endpoint::base`] (`e`) is what captures record as `provenance.source.endpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
    cdx: Url,
    replay: String,
    layout: Layout,
}

/// How an archive lays out its CDX server and replay under its base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// The Wayback Machine's (and OpenWayback's): `/cdx/search/cdx` and `/web/`.
    Wayback,
    /// A pywb collection's: `/cdx` and `/` under the collection.
    Pywb,
}

/// Why a wayback crawl could not be set up or its listing read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WaybackError {
    /// `--wayback-endpoint` is not a usable base URL.
    #[error("invalid --wayback-endpoint {url:?}: {detail}")]
    Endpoint {
        /// The text given.
        url: String,
        /// What is wrong with it.
        detail: String,
    },
    /// `--from` / `--to` is not a timestamp prefix.
    #[error(
        "invalid --{what} {value:?}: expected a year (YYYY) or a longer timestamp prefix \
         of at most 14 digits (YYYYMMDD, YYYYMMDDhhmmss)"
    )]
    Bound {
        /// "from" or "to".
        what: &'static str,
        /// The text given.
        value: String,
    },
    /// The CDX server could not be asked (after the fetcher's retries).
    #[error("CDX listing {url}: {source}")]
    Fetch {
        /// The CDX request.
        url: String,
        /// Why it failed.
        source: FetchError,
    },
    /// The CDX server's answer is not a CDX listing.
    #[error("CDX listing {url}: {source}")]
    Cdx {
        /// The CDX request.
        url: String,
        /// What is wrong with the answer.
        source: CdxError,
    },
    /// The archive lists no capture to take: no run is begun (an empty run would make
    /// every article of the previous one look removed).
    #[error(
        "the archive lists no HTML capture under {prefix} in this window \
         ({rows} CDX rows read, {skipped} left out); no run was begun"
    )]
    NothingListed {
        /// The prefix.
        prefix: String,
        /// Rows read.
        rows: u64,
        /// Rows left out (not HTML, not 200, out of the window, excluded, bad URL).
        skipped: u64,
    },
    /// The archive's paging does not progress.
    #[error("CDX listing {url}: {detail}")]
    Paging {
        /// The CDX request.
        url: String,
        /// How it failed to progress.
        detail: String,
    },
}

/// What is wrong with a CDX answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CdxError {
    /// Not JSON at all (an HTML error page, truncated JSON, ...).
    #[error("the answer is not CDX JSON ({detail}); it starts with {start:?}")]
    NotJson {
        /// The parser's message.
        detail: String,
        /// The first bytes of the answer, lossily decoded.
        start: String,
    },
    /// JSON, but not shaped like a CDX listing.
    #[error("the answer is not a CDX listing: {0}")]
    Shape(String),
    /// One row is malformed (1-based, the header row not counted).
    #[error("CDX row {row}: {detail}")]
    Row {
        /// The row number.
        row: usize,
        /// What is wrong.
        detail: String,
    },
}

impl Endpoint {
    /// Derive the CDX and replay URLs from `text` (see the table on [`Endpoint`]).
    pub fn parse(text: &str) -> Result<Endpoint, WaybackError> {
        let err = |detail: &str| WaybackError::Endpoint {
            url: text.to_string(),
            detail: detail.to_string(),
        };
        let mut url = Url::parse(text.trim()).map_err(|e| err(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(err("only http and https archives are supported"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(err("no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(err(
                "give the archive's base URL, without a query or fragment",
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(err("credentials in the URL are not supported"));
        }
        let path = url.path().trim_end_matches('/').to_string();
        let (layout, base_path) = if path.is_empty() {
            (Layout::Wayback, String::new())
        } else if let Some(root) = path.strip_suffix("/web") {
            (Layout::Wayback, root.to_string())
        } else {
            (Layout::Pywb, path)
        };
        url.set_path(&base_path);
        let base = url.as_str().trim_end_matches('/').to_string();
        let (cdx, replay) = match layout {
            Layout::Wayback => (format!("{base}/cdx/search/cdx"), format!("{base}/web/")),
            Layout::Pywb => (format!("{base}/cdx"), format!("{base}/")),
        };
        let cdx = Url::parse(&cdx).map_err(|e| err(&e.to_string()))?;
        Ok(Endpoint {
            base,
            cdx,
            replay,
            layout,
        })
    }

    /// The archive's base URL, as recorded in `provenance.source.endpoint`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The CDX server's URL (without a query).
    pub fn cdx(&self) -> &Url {
        &self.cdx
    }

    /// The replay prefix: a capture is at `{prefix}{timestamp}id_/{original}`.
    pub fn replay_prefix(&self) -> &str {
        &self.replay
    }

    /// The layout derived from the endpoint.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The `id_` replay URL of a capture: the original bytes, as archived.
    pub fn replay_url(&self, timestamp: &str, original: &str) -> String {
        format!("{}{timestamp}id_/{original}", self.replay)
    }

    /// The timestamp and original URL of an `id_` replay URL of this archive, or `None`
    /// when `url` is not one (another prefix, no 14-digit timestamp, another modifier).
    pub fn parse_replay(&self, url: &str) -> Option<(String, String)> {
        let rest = url.strip_prefix(self.replay.as_str())?;
        let (ts, rest) = rest.split_at_checked(14)?;
        let original = rest.strip_prefix("id_/")?;
        (is_timestamp(ts) && !original.is_empty()).then(|| (ts.to_string(), original.to_string()))
    }

    /// The CDX request for `prefix`. Wayback layout: one page of `limit` rows, asking
    /// for a resume key (`resume_key` from the previous page). pywb layout: pywb's field
    /// names, [`PYWB_STATUS_FILTER`] (revisits kept), and [`PYWB_LIMIT`] rows (pywb has
    /// no resume key, and stops at 100,000 rows unless told otherwise; the answer is
    /// bounded by [`MAX_CDX_BYTES`]).
    pub fn cdx_url(
        &self,
        prefix: &str,
        from: Option<&str>,
        to: Option<&str>,
        limit: usize,
        resume_key: Option<&str>,
    ) -> Url {
        let mut u = self.cdx.clone();
        {
            let mut q = u.query_pairs_mut();
            let fields = match self.layout {
                Layout::Wayback => CDX_FIELDS,
                Layout::Pywb => PYWB_CDX_FIELDS,
            };
            let filter = match self.layout {
                Layout::Wayback => "statuscode:200",
                Layout::Pywb => PYWB_STATUS_FILTER,
            };
            q.append_pair("url", prefix)
                .append_pair("matchType", "prefix")
                .append_pair("output", "json")
                .append_pair("fl", fields)
                .append_pair("collapse", "digest")
                .append_pair("filter", filter);
            match self.layout {
                Layout::Wayback => {
                    q.append_pair("showResumeKey", "true")
                        .append_pair("limit", &limit.to_string());
                }
                Layout::Pywb => {
                    q.append_pair("limit", &PYWB_LIMIT.to_string());
                }
            }
            if let Some(f) = from {
                q.append_pair("from", f);
            }
            if let Some(t) = to {
                q.append_pair("to", t);
            }
            if let (Some(k), Layout::Wayback) = (resume_key, self.layout) {
                q.append_pair("resumeKey", k);
            }
        }
        u
    }
}

/// Settings of a wayback crawl (the rest is the run's [`super::CrawlConfig`]).
#[derive(Debug, Clone)]
pub struct WaybackConfig {
    /// The archive.
    pub endpoint: Endpoint,
    /// The URL prefix listed (`matchType=prefix`), canonical.
    pub prefix: Url,
    /// Earliest timestamp, inclusive (`--from`: 4 to 14 digits).
    pub from: Option<String>,
    /// Latest timestamp, inclusive (`--to`: 4 to 14 digits).
    pub to: Option<String>,
    /// CDX rows per request (Wayback layout; pywb answers the listing at once).
    pub page_size: usize,
    /// Largest CDX answer read.
    pub max_cdx_bytes: u64,
}

impl WaybackConfig {
    /// A configuration with the defaults: the whole timeline, [`DEFAULT_PAGE_SIZE`].
    pub fn new(endpoint: Endpoint, prefix: Url) -> WaybackConfig {
        WaybackConfig {
            endpoint,
            prefix,
            from: None,
            to: None,
            page_size: DEFAULT_PAGE_SIZE,
            max_cdx_bytes: MAX_CDX_BYTES,
        }
    }

    /// What the run records about its source (`run.json`'s `info.source`); a resumed
    /// run must be asked for with the same.
    pub fn info(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": "wayback",
            "endpoint": self.endpoint.base(),
            "prefix": self.prefix.as_str(),
            "from": self.from,
            "to": self.to,
        })
    }
}

/// Check a `--from`/`--to` value: 4 to 14 ASCII digits (a timestamp prefix).
pub fn parse_bound(what: &'static str, text: &str) -> Result<String, WaybackError> {
    let t = text.trim();
    if (4..=14).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_string())
    } else {
        Err(WaybackError::Bound {
            what,
            value: text.to_string(),
        })
    }
}

/// A bound padded to 14 digits with `fill` ('0' for a lower, '9' for an upper bound).
fn pad(bound: &str, fill: char) -> String {
    let mut s = bound.to_string();
    while s.len() < 14 {
        s.push(fill);
    }
    s
}

/// Fourteen ASCII digits.
fn is_timestamp(ts: &str) -> bool {
    ts.len() == 14 && ts.bytes().all(|b| b.is_ascii_digit())
}

/// An archive timestamp (`YYYYMMDDhhmmss`, UTC) as RFC 3339 (`YYYY-MM-DDThh:mm:ssZ`);
/// `None` unless it names a real instant.
pub fn timestamp_rfc3339(ts: &str) -> Option<String> {
    if !is_timestamp(ts) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| ts.get(r).and_then(|s| s.parse::<u32>().ok());
    let date = chrono::NaiveDate::from_ymd_opt(n(0..4)? as i32, n(4..6)?, n(6..8)?)?;
    let t = date.and_hms_opt(n(8..10)?, n(10..12)?, n(12..14)?)?;
    Some(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A `Memento-Datetime` value (an HTTP date, RFC 7089) as a 14-digit timestamp.
pub fn memento_timestamp(value: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let ts = t
        .with_timezone(&chrono::Utc)
        .format("%Y%m%d%H%M%S")
        .to_string();
    is_timestamp(&ts).then_some(ts)
}

/// One capture as a CDX server lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdxRow {
    /// 14-digit timestamp naming a real instant.
    pub timestamp: String,
    /// The URL as the archive recorded it.
    pub original: String,
    /// HTTP status of the archived response, when listed ("-" for revisits).
    pub statuscode: Option<String>,
    /// Content-Type of the archived response, when listed.
    pub mimetype: Option<String>,
    /// Digest of the archived payload, when listed.
    pub digest: Option<String>,
}

/// One CDX answer: its rows and, when there are more, the key that resumes the query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CdxPage {
    /// The rows, in the server's order.
    pub rows: Vec<CdxRow>,
    /// `resumeKey` for the next page (Wayback form only).
    pub resume_key: Option<String>,
    /// The answer was pywb's newline-delimited JSON objects (which has no resume key).
    pub lines: bool,
}

/// Read a CDX answer to an `output=json` query: the Wayback CDX server's JSON array
/// (a header row naming the fields, the rows, then, when the listing goes on, an empty
/// row and a one-field row holding the resume key), or pywb's newline-delimited JSON
/// objects. Field names may be Wayback's (`original`, `statuscode`, `mimetype`) or
/// pywb's (`url`, `status`, `mime`). An empty answer is an empty listing. Every field
/// must be a string of at most [`MAX_FIELD_BYTES`], every timestamp 14 digits naming a
/// real instant; anything else is a [`CdxError`] that says where.
pub fn parse_cdx(body: &[u8]) -> Result<CdxPage, CdxError> {
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        None => Ok(CdxPage::default()),
        Some(b'[') => parse_array(body),
        Some(b'{') => parse_lines(body),
        Some(_) => Err(not_json(body, "expected a JSON array or JSON objects")),
    }
}

fn not_json(body: &[u8], detail: &str) -> CdxError {
    let start: String = String::from_utf8_lossy(&body[..body.len().min(60)])
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    CdxError::NotJson {
        detail: detail.to_string(),
        start,
    }
}

/// Which column holds which field.
struct Columns {
    timestamp: usize,
    original: usize,
    statuscode: Option<usize>,
    mimetype: Option<usize>,
    digest: Option<usize>,
}

fn field_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "timestamp" => "timestamp",
        "original" | "url" => "original",
        "statuscode" | "status" => "statuscode",
        "mimetype" | "mime" => "mimetype",
        "digest" => "digest",
        _ => return None,
    })
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn string_field<'v>(v: &'v serde_json::Value, row: usize, name: &str) -> Result<&'v str, CdxError> {
    let s = v.as_str().ok_or_else(|| CdxError::Row {
        row,
        detail: format!("field {name} is {}, expected a string", kind_of(v)),
    })?;
    if s.len() > MAX_FIELD_BYTES {
        return Err(CdxError::Row {
            row,
            detail: format!(
                "field {name} is {} bytes long (at most {MAX_FIELD_BYTES})",
                s.len()
            ),
        });
    }
    Ok(s)
}

fn make_row(
    row: usize,
    timestamp: &str,
    original: &str,
    statuscode: Option<&str>,
    mimetype: Option<&str>,
    digest: Option<&str>,
) -> Result<CdxRow, CdxError> {
    if timestamp_rfc3339(timestamp).is_none() {
        return Err(CdxError::Row {
            row,
            detail: format!("timestamp {timestamp:?} is not 14 digits naming a real instant"),
        });
    }
    if original.is_empty() {
        return Err(CdxError::Row {
            row,
            detail: "empty original URL".into(),
        });
    }
    Ok(CdxRow {
        timestamp: timestamp.to_string(),
        original: original.to_string(),
        statuscode: statuscode.map(str::to_string),
        mimetype: mimetype.map(str::to_string),
        digest: digest.map(str::to_string),
    })
}

fn parse_array(body: &[u8]) -> Result<CdxPage, CdxError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| not_json(body, &e.to_string()))?;
    let serde_json::Value::Array(items) = value else {
        return Err(CdxError::Shape("expected a JSON array".into()));
    };
    let mut items = items.into_iter();
    let Some(header) = items.next() else {
        return Ok(CdxPage::default());
    };
    let serde_json::Value::Array(header) = header else {
        return Err(CdxError::Shape(format!(
            "the first row (the field names) is {}, expected an array",
            kind_of(&header)
        )));
    };
    let mut idx: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let name = h.as_str().ok_or_else(|| {
            CdxError::Shape(format!(
                "field name {} is {}, expected a string",
                i + 1,
                kind_of(h)
            ))
        })?;
        if let Some(f) = field_name(name) {
            idx.entry(f).or_insert(i);
        }
    }
    let cols = match (idx.get("timestamp"), idx.get("original")) {
        (Some(&timestamp), Some(&original)) => Columns {
            timestamp,
            original,
            statuscode: idx.get("statuscode").copied(),
            mimetype: idx.get("mimetype").copied(),
            digest: idx.get("digest").copied(),
        },
        _ => {
            return Err(CdxError::Shape(format!(
                "the field names {:?} lack timestamp or original",
                header
                    .iter()
                    .take(20)
                    .map(|h| h
                        .as_str()
                        .unwrap_or("?")
                        .chars()
                        .take(40)
                        .collect::<String>())
                    .collect::<Vec<_>>()
            )))
        }
    };
    let width = header.len();
    let mut page = CdxPage::default();
    let mut row = 0usize;
    while let Some(item) = items.next() {
        row += 1;
        let serde_json::Value::Array(fields) = item else {
            return Err(CdxError::Row {
                row,
                detail: format!("{}, expected an array", kind_of(&item)),
            });
        };
        if fields.is_empty() {
            // The end of the rows: the resume key follows, alone.
            let key = match items.next() {
                Some(serde_json::Value::Array(k)) if k.len() == 1 => {
                    string_field(&k[0], row + 1, "resume key")?.to_string()
                }
                Some(other) => {
                    return Err(CdxError::Shape(format!(
                        "after the empty row, expected [\"resume key\"], found {}",
                        match &other {
                            serde_json::Value::Array(a) => format!("an array of {}", a.len()),
                            v => kind_of(v).to_string(),
                        }
                    )))
                }
                None => return Err(CdxError::Shape("an empty row without a resume key".into())),
            };
            if items.next().is_some() {
                return Err(CdxError::Shape("rows after the resume key".into()));
            }
            if key.is_empty() {
                return Err(CdxError::Shape("an empty resume key".into()));
            }
            page.resume_key = Some(key);
            break;
        }
        if fields.len() != width {
            return Err(CdxError::Row {
                row,
                detail: format!("{} fields, the header names {width}", fields.len()),
            });
        }
        let get = |i: usize, name: &str| string_field(&fields[i], row, name);
        let opt = |i: Option<usize>, name: &str| i.map(|i| get(i, name)).transpose();
        page.rows.push(make_row(
            row,
            get(cols.timestamp, "timestamp")?,
            get(cols.original, "original")?,
            opt(cols.statuscode, "statuscode")?,
            opt(cols.mimetype, "mimetype")?,
            opt(cols.digest, "digest")?,
        )?);
    }
    Ok(page)
}

fn parse_lines(body: &[u8]) -> Result<CdxPage, CdxError> {
    let mut page = CdxPage {
        lines: true,
        ..CdxPage::default()
    };
    let mut row = 0usize;
    for line in body.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        row += 1;
        let value: serde_json::Value = serde_json::from_slice(line).map_err(|e| CdxError::Row {
            row,
            detail: format!("not a JSON object: {e}"),
        })?;
        let serde_json::Value::Object(map) = value else {
            return Err(CdxError::Row {
                row,
                detail: format!("{}, expected an object", kind_of(&value)),
            });
        };
        let mut found: HashMap<&'static str, &str> = HashMap::new();
        for (k, v) in &map {
            if let Some(f) = field_name(k) {
                if !found.contains_key(f) {
                    found.insert(f, string_field(v, row, k)?);
                }
            }
        }
        let (Some(ts), Some(original)) = (found.get("timestamp"), found.get("original")) else {
            return Err(CdxError::Row {
                row,
                detail: "no timestamp or no url field".into(),
            });
        };
        page.rows.push(make_row(
            row,
            ts,
            original,
            found.get("statuscode").copied(),
            found.get("mimetype").copied(),
            found.get("digest").copied(),
        )?);
    }
    Ok(page)
}

/// What the listing found, reported in the run summary (`wayback`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct WaybackSummary {
    /// The archive's base URL.
    pub endpoint: String,
    /// Its layout (where the CDX server and the replay are).
    pub layout: Option<Layout>,
    /// The URL prefix listed.
    pub prefix: String,
    /// `--from`, as given.
    pub from: Option<String>,
    /// `--to`, as given.
    pub to: Option<String>,
    /// CDX requests answered (pages of the listing).
    pub cdx_pages: u64,
    /// CDX rows read.
    pub rows: u64,
    /// Rows skipped: not HTML by their mimetype.
    pub not_html: u64,
    /// Rows skipped: an archived status other than 200.
    pub not_200: u64,
    /// Rows skipped: outside `--from`/`--to` (an archive that ignored them).
    pub out_of_window: u64,
    /// Rows skipped: the URL fails `--include`/`--exclude`.
    pub excluded: u64,
    /// Rows skipped: the original URL is not a crawlable http(s) URL.
    pub bad_url: u64,
    /// Rows of `revisit` records (deduplicated captures) kept: their type is the one
    /// the replay answers (a capture that is not HTML is skipped then, not failed).
    pub revisits: u64,
    /// Earlier captures of a URL whose later capture this run takes (one per URL).
    pub superseded: u64,
    /// Captures this run takes: one per URL, the latest in the window.
    pub captures: u64,
    /// The listing stopped at `--max-frontier` (or [`MAX_LISTED_URLS`]) URLs: later
    /// captures are missing.
    pub truncated: bool,
}

/// A capture chosen for the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    /// Its archive timestamp.
    pub timestamp: String,
    /// The URL it is stored under (canonical).
    pub url: String,
    /// Its frontier key: the `id_` replay URL.
    pub key: String,
}

/// The run's captures in archive-timestamp order (then URL), and what was skipped.
pub(crate) struct Listing {
    pub captures: Vec<Listed>,
    pub summary: WaybackSummary,
}

/// Chooses the run's captures from CDX rows, one row at a time: the latest capture of
/// each URL in the window that passes `include`/`exclude`, and the counts of what was
/// left out. Pure (no I/O), so that every rule has a unit test.
pub(crate) struct Chooser<'a> {
    summary: WaybackSummary,
    lo: Option<String>,
    hi: Option<String>,
    include: &'a [regex::Regex],
    exclude: &'a [regex::Regex],
    max_urls: u64,
    /// URL → (timestamp, original as listed): the latest capture in the window.
    latest: HashMap<String, (String, String)>,
    /// URLs whose latest capture so far is a revisit.
    revisit_latest: HashSet<String>,
    /// Revisit rows kept, per URL.
    revisit_rows: HashMap<String, u64>,
    /// URLs listed with a type that is not HTML: a revisit of those is not taken (it
    /// would not be HTML either).
    not_html_urls: HashSet<String>,
    kept_rows: u64,
}

impl<'a> Chooser<'a> {
    pub(crate) fn new(
        cfg: &WaybackConfig,
        include: &'a [regex::Regex],
        exclude: &'a [regex::Regex],
        max_urls: u64,
    ) -> Chooser<'a> {
        let ep = &cfg.endpoint;
        Chooser {
            summary: WaybackSummary {
                endpoint: ep.base().to_string(),
                layout: Some(ep.layout()),
                prefix: cfg.prefix.to_string(),
                from: cfg.from.clone(),
                to: cfg.to.clone(),
                ..WaybackSummary::default()
            },
            lo: cfg.from.as_deref().map(|f| pad(f, '0')),
            hi: cfg.to.as_deref().map(|t| pad(t, '9')),
            include,
            exclude,
            max_urls: max_urls.min(MAX_LISTED_URLS),
            latest: HashMap::new(),
            revisit_latest: HashSet::new(),
            revisit_rows: HashMap::new(),
            not_html_urls: HashSet::new(),
            kept_rows: 0,
        }
    }

    /// Take one row; false when the listing is full (`truncated`: stop listing).
    pub(crate) fn row(&mut self, row: CdxRow) -> bool {
        let summary = &mut self.summary;
        summary.rows += 1;
        let revisit = row.mimetype.as_deref() == Some(REVISIT_MIME);
        // A revisit row has no status of its own (none, or "-").
        let status_ok = match row.statuscode.as_deref() {
            None | Some("200") => true,
            Some("-") => revisit,
            Some(_) => false,
        };
        if !status_ok {
            summary.not_200 += 1;
            return true;
        }
        if !revisit && row.mimetype.as_deref().is_some_and(|m| !is_html_type(m)) {
            summary.not_html += 1;
            // Bounded: past it, a revisit of such a URL is fetched and skipped then.
            if (self.not_html_urls.len() as u64) < MAX_LISTED_URLS {
                if let Ok(u) = parse_canonical(&row.original) {
                    self.not_html_urls.insert(u.to_string());
                }
            }
            return true;
        }
        if self
            .lo
            .as_deref()
            .is_some_and(|lo| row.timestamp.as_str() < lo)
            || self
                .hi
                .as_deref()
                .is_some_and(|hi| row.timestamp.as_str() > hi)
        {
            summary.out_of_window += 1;
            return true;
        }
        let Ok(canonical) = parse_canonical(&row.original) else {
            summary.bad_url += 1;
            return true;
        };
        let url_text = canonical.to_string();
        if (!self.include.is_empty() && !self.include.iter().any(|r| r.is_match(&url_text)))
            || self.exclude.iter().any(|r| r.is_match(&url_text))
        {
            summary.excluded += 1;
            return true;
        }
        match self.latest.get_mut(&url_text) {
            Some(held) => {
                if row.timestamp > held.0 {
                    *held = (row.timestamp, row.original);
                    if revisit {
                        self.revisit_latest.insert(url_text.clone());
                    } else {
                        self.revisit_latest.remove(&url_text);
                    }
                }
            }
            None => {
                if self.latest.len() as u64 >= self.max_urls {
                    tracing::warn!(
                        max = self.max_urls,
                        "the listing reached its most URLs; later captures are left out"
                    );
                    summary.truncated = true;
                    return false;
                }
                if revisit {
                    self.revisit_latest.insert(url_text.clone());
                }
                self.latest
                    .insert(url_text.clone(), (row.timestamp, row.original));
            }
        }
        self.kept_rows += 1;
        if revisit {
            *self.revisit_rows.entry(url_text).or_insert(0) += 1;
        }
        true
    }

    /// The run's captures in archive-timestamp order (then URL), and the counts.
    pub(crate) fn finish(mut self, ep: &Endpoint) -> Listing {
        // A URL listed as not HTML whose latest capture is a revisit: a revisit of that
        // (an image, a style sheet), not a page. Its revisit rows count as not HTML.
        let drop: Vec<String> = self
            .revisit_latest
            .intersection(&self.not_html_urls)
            .cloned()
            .collect();
        for u in drop {
            self.latest.remove(&u);
            let n = self.revisit_rows.remove(&u).unwrap_or(0);
            self.summary.not_html += n;
            self.kept_rows = self.kept_rows.saturating_sub(n);
        }
        let mut summary = self.summary;
        summary.revisits = self.revisit_rows.values().sum();
        let mut captures: Vec<Listed> = self
            .latest
            .into_iter()
            .map(|(url, (timestamp, original))| Listed {
                key: ep.replay_url(&timestamp, &original),
                timestamp,
                url,
            })
            .collect();
        captures.sort_by(|a, b| (&a.timestamp, &a.url).cmp(&(&b.timestamp, &b.url)));
        summary.captures = captures.len() as u64;
        summary.superseded = self.kept_rows.saturating_sub(summary.captures);
        Listing { captures, summary }
    }
}

/// List the captures under the prefix, page by page, through `fetcher` (so the CDX
/// server gets the run's politeness and retries), and keep the latest of each URL in the
/// window that passes `include`/`exclude` ([`Chooser`]). At most `max_urls` URLs (and at
/// most [`MAX_LISTED_URLS`]; then `truncated`).
pub(crate) async fn list(
    fetcher: &Fetcher,
    cfg: &WaybackConfig,
    include: &[regex::Regex],
    exclude: &[regex::Regex],
    max_urls: u64,
) -> Result<Listing, WaybackError> {
    let ep = &cfg.endpoint;
    let limit = cfg.page_size.max(1);
    let mut chooser = Chooser::new(cfg, include, exclude, max_urls);
    let mut key: Option<String> = None;
    let mut keys_seen: HashSet<String> = HashSet::new();
    let mut empty_pages = 0u32;
    'pages: loop {
        let url = ep.cdx_url(
            cfg.prefix.as_str(),
            cfg.from.as_deref(),
            cfg.to.as_deref(),
            limit,
            key.as_deref(),
        );
        tracing::info!(%url, "CDX listing");
        let body = fetcher
            .fetch_data(&url, cfg.max_cdx_bytes)
            .await
            .map_err(|source| WaybackError::Fetch {
                url: url.to_string(),
                source,
            })?;
        let page = parse_cdx(&body).map_err(|source| WaybackError::Cdx {
            url: url.to_string(),
            source,
        })?;
        drop(body);
        if let Some(detail) = cut_short(ep.layout(), page.rows.len()) {
            return Err(WaybackError::Paging {
                url: url.to_string(),
                detail,
            });
        }
        chooser.summary.cdx_pages += 1;
        empty_pages = if page.rows.is_empty() {
            empty_pages + 1
        } else {
            0
        };
        for row in page.rows {
            if !chooser.row(row) {
                break 'pages;
            }
        }
        match page.resume_key {
            None => break,
            Some(k) => {
                if !keys_seen.insert(k.clone()) {
                    return Err(WaybackError::Paging {
                        url: url.to_string(),
                        detail: format!(
                            "the resume key {:?} came back again; the archive's paging does not advance",
                            k.chars().take(80).collect::<String>()
                        ),
                    });
                }
                if empty_pages >= MAX_EMPTY_PAGES {
                    return Err(WaybackError::Paging {
                        url: url.to_string(),
                        detail: format!(
                            "{empty_pages} pages in a row held no capture but a resume key"
                        ),
                    });
                }
                key = Some(k);
            }
        }
    }
    Ok(chooser.finish(ep))
}

/// pywb answers at most [`PYWB_LIMIT`] rows and has no resume key: an answer of that
/// many may be cut short, an error naming what to do.
fn cut_short(layout: Layout, rows: usize) -> Option<String> {
    (layout == Layout::Pywb && rows >= PYWB_LIMIT).then(|| {
        format!(
            "pywb answered {rows} rows, the limit asked for: the listing may be cut short; \
             narrow the window (--from, --to) or the prefix"
        )
    })
}

/// The run-wide state of a wayback crawl's tasks.
pub(crate) struct Runtime {
    /// The settings.
    pub cfg: WaybackConfig,
    /// Redirects are followed within the archive's replay prefix only.
    pub scope: Scope,
    /// URLs taken by a task in this session: one capture per URL and run.
    taken: Mutex<HashSet<String>>,
    /// Frontier keys of captures held back for an issue's date (see [`issues`]): marked
    /// done once those captures are written at the end of the run.
    pub deferred_keys: Mutex<Vec<String>>,
}

impl Runtime {
    pub(crate) fn new(cfg: WaybackConfig) -> Result<Runtime, WaybackError> {
        let prefix =
            Prefix::parse(cfg.endpoint.replay_prefix()).map_err(|e| WaybackError::Endpoint {
                url: cfg.endpoint.base().to_string(),
                detail: e.to_string(),
            })?;
        Ok(Runtime {
            cfg,
            scope: Scope {
                prefixes: vec![prefix],
                ..Scope::default()
            },
            taken: Mutex::new(HashSet::new()),
            deferred_keys: Mutex::new(Vec::new()),
        })
    }
}

/// Fetch, process and record one listed capture (frontier key `key`).
pub(super) async fn page(ctx: Arc<Ctx>, key: String) -> PageResult {
    match page_inner(&ctx, &key).await {
        Ok(r) => r,
        Err(CrawlError::Store(e)) => PageResult::Store(e),
        Err(e) => {
            tracing::error!(key = %key, error = %e, "capture task failed");
            PageResult::Failed
        }
    }
}

/// Make the pending writes durable, then mark `key` done: a key is never done before
/// its capture's outcome is on disk.
async fn done(ctx: &Arc<Ctx>, key: &str) -> Result<(), CrawlError> {
    let (r, k) = (ctx.run.clone(), key.to_string());
    with_store(&ctx.store, move |s| {
        s.flush()?;
        s.frontier_done(&r, &k)
    })
    .await
}

/// Record a failed capture under its URL and mark its key done.
async fn fail(
    ctx: &Arc<Ctx>,
    key: &str,
    url: &str,
    reason: String,
    http_status: Option<u16>,
) -> Result<PageResult, CrawlError> {
    tracing::info!(%url, %key, %reason, "capture failed");
    let (r, u) = (ctx.run.clone(), url.to_string());
    with_store(&ctx.store, move |s| {
        s.put_outcome(
            &r,
            &u,
            &Outcome::Failed {
                reason,
                http_status,
            },
        )
    })
    .await?;
    done(ctx, key).await?;
    Ok(PageResult::Failed)
}

async fn page_inner(ctx: &Arc<Ctx>, key: &str) -> Result<PageResult, CrawlError> {
    let Some(wb) = ctx.wayback.clone() else {
        return Err(CrawlError::Task("a wayback task in a live crawl".into()));
    };
    let ep = &wb.cfg.endpoint;
    let Some((listed_ts, original)) = ep.parse_replay(key) else {
        tracing::warn!(%key, "frontier key is not a replay URL of this archive; skipped");
        done(ctx, key).await?;
        return Ok(PageResult::Skipped("not_a_capture".into()));
    };
    let Ok(page_url) = parse_canonical(&original) else {
        done(ctx, key).await?;
        return Ok(PageResult::Skipped("bad_url".into()));
    };
    let url_key = page_url.to_string();
    let first_here = wb
        .taken
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(url_key.clone());
    // One capture per URL and run: a URL this session took, or one the run recorded
    // before an interruption, is not fetched again.
    let recorded = if first_here {
        let (r, u) = (ctx.run.clone(), url_key.clone());
        with_store(&ctx.store, move |s| Ok(s.entry(&r, &u)?.is_some())).await?
    } else {
        true
    };
    if recorded {
        tracing::debug!(url = %url_key, %key, "already recorded in this run");
        done(ctx, key).await?;
        return Ok(PageResult::Skipped("already_in_run".into()));
    }
    let replay = match Url::parse(key) {
        Ok(u) => u,
        Err(e) => {
            return fail(ctx, key, &url_key, format!("invalid_url: {key}: {e}"), None).await;
        }
    };
    let follow = |_: &Redirect| std::future::ready(Hop::Follow(Conditional::default()));
    let fetched = ctx
        .fetcher
        .fetch_with(&replay, &Conditional::default(), &wb.scope, follow)
        .await;
    let page = match fetched {
        Ok(Fetched::Page(p)) if (200..300).contains(&p.status) => p,
        Ok(Fetched::Page(p)) => {
            let reason = format!("http_{}: the archive answered {}", p.status, p.status);
            return fail(ctx, key, &url_key, reason, Some(p.status)).await;
        }
        Ok(Fetched::Stopped { target, .. }) => {
            let reason = format!("bad_redirect: stopped at {target}");
            return fail(ctx, key, &url_key, reason, None).await;
        }
        // A revisit row gave no type: the replay says it is not a page. Skipped, as
        // a listed non-HTML capture is.
        Err(FetchError::NotHtml(ct)) => {
            tracing::debug!(url = %url_key, %key, content_type = %ct, "not HTML; skipped");
            done(ctx, key).await?;
            return Ok(PageResult::Skipped("not_html".into()));
        }
        Err(e) => {
            let reason = format!("{}: {e}", e.kind());
            return fail(ctx, key, &url_key, reason, e.http_status()).await;
        }
    };
    // The capture served must come from an `id_` replay URL (else the bytes are not
    // the original ones). Its time: the archive's `Memento-Datetime` when it states one
    // (pywb serves the nearest capture without redirecting), else the timestamp of the
    // final URL (the Wayback Machine redirects to the nearest capture).
    let Some((url_ts, _)) = ep.parse_replay(page.final_url.as_str()) else {
        let reason = format!(
            "not_original_bytes: the archive answered from {}, not an id_ replay URL",
            page.final_url
        );
        return fail(ctx, key, &url_key, reason, Some(page.status)).await;
    };
    let served_ts = page
        .memento_datetime
        .as_deref()
        .and_then(memento_timestamp)
        .unwrap_or(url_ts);
    let Some(fetched_at) = timestamp_rfc3339(&served_ts) else {
        let reason = format!("bad_timestamp: {served_ts:?} from {}", page.final_url);
        return fail(ctx, key, &url_key, reason, Some(page.status)).await;
    };
    if served_ts != listed_ts {
        tracing::info!(url = %url_key, listed = %listed_ts, served = %served_ts, "the archive served another capture");
    }

    let c = ctx.clone();
    let key_owned = key.to_string();
    let source = Source::Wayback {
        endpoint: ep.base().to_string(),
        timestamp: served_ts,
        original_url: original,
    };
    let permit = ctx.processing.clone().acquire_owned().await.ok();
    tokio::task::spawn_blocking(move || -> Result<PageResult, CrawlError> {
        let _permit = permit;
        let key = key_owned;
        let body = page.body.unwrap_or_default();
        let input = PageInput {
            url: &page_url,
            body: &body,
            content_type: page.content_type.as_deref(),
        };
        let processed = match pipeline::process(&input, &c.extract) {
            Ok(p) => p,
            Err(e) => {
                let mut s = lock(&c.store);
                s.put_outcome(
                    &c.run,
                    &url_key,
                    &Outcome::Failed {
                        reason: format!("decode: {e}"),
                        http_status: Some(page.status),
                    },
                )?;
                s.flush()?;
                s.frontier_done(&c.run, &key)?;
                return Ok(PageResult::Failed);
            }
        };
        let mut s = lock(&c.store);
        let obj = s.put_object(&body)?;
        let info = CaptureInfo {
            fetched_at: Some(fetched_at),
            http_status: Some(page.status),
            final_url: Some(page.final_url.to_string()),
            redirects: page.redirects.clone(),
            // The archive's validators are not the page's: never sent to the live site.
            etag: None,
            last_modified: None,
            content_type: page.content_type.clone(),
            run_id: Some(c.run.to_string()),
            object_path: Some(obj.path.clone()),
            source: Some(source),
        };
        if c.held_for_issue_date(&processed.content, || issues::Deferred {
            final_url: page_url.clone(),
            raw_sha256: obj.sha256.clone(),
            info: info.clone(),
            urls: vec![url_key.clone()],
            hops: Vec::new(),
        }) {
            // The key stays in flight until the capture is written at the run's end.
            wb.deferred_keys
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(key);
            return Ok(PageResult::Captured);
        }
        // Stored under the original URL, whatever the page says.
        let article = processed.into_article_at(&body, info, &url_key);
        s.put_capture(&c.run, &article)?;
        s.flush()?;
        s.frontier_done(&c.run, &key)?;
        Ok(PageResult::Captured)
    })
    .await
    .map_err(|e| CrawlError::Task(e.to_string()))?
}

/// After the held-back captures are written: make them durable and mark their keys done.
pub(super) fn finish_deferred(
    s: &mut crate::store::Store,
    run: &crate::store::RunId,
    keys: Vec<String>,
) -> Result<(), StoreError> {
    s.flush()?;
    for k in keys {
        s.frontier_done(run, &k)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_layouts() {
        let ia = Endpoint::parse("https://web.archive.org").unwrap();
        assert_eq!(ia.base(), "https://web.archive.org");
        assert_eq!(ia.layout(), Layout::Wayback);
        assert_eq!(ia.cdx().as_str(), "https://web.archive.org/cdx/search/cdx");
        assert_eq!(
            ia.replay_url("20170105120000", "http://esr.invalid/a.htm"),
            "https://web.archive.org/web/20170105120000id_/http://esr.invalid/a.htm"
        );
        // The replay prefix names the same archive.
        for given in [
            "https://web.archive.org/web",
            "https://web.archive.org/web/",
        ] {
            assert_eq!(Endpoint::parse(given).unwrap(), ia, "{given}");
        }
        let py = Endpoint::parse("http://localhost:8080/my-coll/").unwrap();
        assert_eq!(py.layout(), Layout::Pywb);
        assert_eq!(py.base(), "http://localhost:8080/my-coll");
        assert_eq!(py.cdx().as_str(), "http://localhost:8080/my-coll/cdx");
        assert_eq!(py.replay_prefix(), "http://localhost:8080/my-coll/");
        // An archive under a path of its own, Wayback layout.
        let ow = Endpoint::parse("http://archive.local/wayback/web").unwrap();
        assert_eq!(
            ow.cdx().as_str(),
            "http://archive.local/wayback/cdx/search/cdx"
        );
        assert_eq!(ow.replay_prefix(), "http://archive.local/wayback/web/");
        for bad in [
            "ftp://web.archive.org",
            "web.archive.org",
            "https://web.archive.org/?x=1",
            "https://u:p@web.archive.org/",
            "",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_cdx_query_asks_for_what_is_documented() {
        let ep = Endpoint::parse("https://web.archive.org").unwrap();
        let u = ep.cdx_url(
            "http://esr.invalid/archive/",
            Some("2016"),
            Some("20171231"),
            500,
            Some("invalid%2Cesr)/a+2017!"),
        );
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        let get = |k: &str| {
            q.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(get("url"), "http://esr.invalid/archive/");
        assert_eq!(get("matchType"), "prefix");
        assert_eq!(get("output"), "json");
        assert_eq!(get("fl"), "timestamp,original,statuscode,mimetype,digest");
        assert_eq!(get("collapse"), "digest");
        assert_eq!(get("filter"), "statuscode:200");
        assert_eq!(get("showResumeKey"), "true");
        assert_eq!(get("limit"), "500");
        assert_eq!(get("from"), "2016");
        assert_eq!(get("to"), "20171231");
        // The key goes back byte for byte (it holds '%' and '+').
        assert_eq!(get("resumeKey"), "invalid%2Cesr)/a+2017!");
        let none = ep.cdx_url("http://esr.invalid/", None, None, 10, None);
        assert!(!none.as_str().contains("from="));
        assert!(!none.as_str().contains("resumeKey="));
        // pywb: its field names, a status filter that keeps revisits (which have no
        // status), a limit above its silent default of 100,000 rows, no resume key.
        let py = Endpoint::parse("http://127.0.0.1:8080/coll").unwrap();
        let u = py.cdx_url("http://esr.invalid/", Some("2016"), None, 10, Some("k"));
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert!(q.contains(&("fl".into(), "timestamp,url,status,mime,digest".into())));
        assert!(q.contains(&("from".into(), "2016".into())));
        assert!(q.contains(&("filter".into(), "!~status:[1345]".into())));
        assert!(q.contains(&("limit".into(), "1000000".into())), "{u}");
        for absent in ["showResumeKey", "resumeKey"] {
            assert!(!q.iter().any(|(k, _)| k == absent), "{absent} in {u}");
        }
    }

    #[test]
    fn replay_urls_round_trip() {
        let ep = Endpoint::parse("http://127.0.0.1:9/coll").unwrap();
        let key = ep.replay_url("20180210083000", "http://esr.invalid/a.php?x=1&y=2");
        assert_eq!(
            ep.parse_replay(&key),
            Some((
                "20180210083000".to_string(),
                "http://esr.invalid/a.php?x=1&y=2".to_string()
            ))
        );
        // Not an id_ replay, or not of this archive.
        assert_eq!(
            ep.parse_replay("http://127.0.0.1:9/coll/20180210083000/http://esr.invalid/a"),
            None
        );
        assert_eq!(
            ep.parse_replay("http://127.0.0.1:9/coll/2018id_/http://esr.invalid/a"),
            None
        );
        assert_eq!(
            ep.parse_replay("http://127.0.0.1:9/other/20180210083000id_/http://e.invalid/"),
            None
        );
    }

    #[test]
    fn timestamps_and_bounds() {
        assert_eq!(
            timestamp_rfc3339("20170105120304").as_deref(),
            Some("2017-01-05T12:03:04Z")
        );
        for bad in [
            "2017010512030",
            "20171305120000",
            "20170230120000",
            "2017010512030x",
        ] {
            assert_eq!(timestamp_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(parse_bound("from", " 2016 ").unwrap(), "2016");
        assert_eq!(parse_bound("to", "20171231").unwrap(), "20171231");
        for bad in ["16", "2016-01", "201601010000001", "soon"] {
            assert!(parse_bound("from", bad).is_err(), "{bad}");
        }
        assert_eq!(pad("2017", '9'), "20179999999999");
        assert_eq!(
            memento_timestamp("Thu, 05 Jan 2017 12:00:07 GMT").as_deref(),
            Some("20170105120007")
        );
        assert_eq!(memento_timestamp("yesterday"), None);
        assert_eq!(pad("2017", '0'), "20170000000000");
    }

    #[test]
    fn a_wayback_page_with_a_resume_key() {
        let body = br#"[["timestamp","original","statuscode","mimetype","digest"],
 ["20170105120000","http://esr.invalid:80/a.htm","200","text/html","AAA"],
 ["20180210083000","http://esr.invalid/a.htm","200","text/html","BBB"],
 [],
 ["invalid,esr)/b.htm 20170105120000!"]]"#;
        let p = parse_cdx(body).unwrap();
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].original, "http://esr.invalid:80/a.htm");
        assert_eq!(p.rows[1].digest.as_deref(), Some("BBB"));
        assert_eq!(
            p.resume_key.as_deref(),
            Some("invalid,esr)/b.htm 20170105120000!")
        );
        assert!(!p.lines);
        // The last page: no resume key. Columns in another order are found by name.
        let last = br#"[["original","timestamp"],["http://e.invalid/","20170105120000"]]"#;
        let p = parse_cdx(last).unwrap();
        assert_eq!(p.rows[0].timestamp, "20170105120000");
        assert_eq!(p.resume_key, None);
        for empty in [&b""[..], b"  \n", b"[]"] {
            assert_eq!(parse_cdx(empty).unwrap(), CdxPage::default());
        }
    }

    #[test]
    fn pywb_json_lines() {
        let body = b"{\"urlkey\": \"invalid,esr)/a.htm\", \"timestamp\": \"20170105120000\", \"url\": \"http://esr.invalid/a.htm\", \"mime\": \"text/html\", \"status\": \"200\", \"digest\": \"AAA\"}\n{\"timestamp\": \"20170105120001\", \"url\": \"http://esr.invalid/b.gif\", \"mime\": \"image/gif\", \"status\": \"200\"}\n";
        let p = parse_cdx(body).unwrap();
        assert!(p.lines);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[1].mimetype.as_deref(), Some("image/gif"));
        assert_eq!(p.rows[0].statuscode.as_deref(), Some("200"));
        // pywb 2.10's row for a revisit record: no status field at all (as answered).
        let revisit = br#"{"timestamp": "20180210083000", "url": "http://esr.invalid/same.htm", "mime": "warc/revisit", "digest": "CZEDVDZ6YICNN6VSEYU7AS4L6O5EEUZU"}"#;
        let p = parse_cdx(revisit).unwrap();
        assert_eq!(p.rows[0].statuscode, None);
        assert_eq!(p.rows[0].mimetype.as_deref(), Some(REVISIT_MIME));
    }

    fn row(ts: &str, url: &str, status: Option<&str>, mime: &str) -> CdxRow {
        CdxRow {
            timestamp: ts.into(),
            original: url.into(),
            statuscode: status.map(str::to_string),
            mimetype: Some(mime.into()),
            digest: None,
        }
    }

    /// Revisit records (deduplicated captures), as pywb lists them: `warc/revisit`, no
    /// status (the CDX form: "-"). The latest capture of a page may be one: it is taken
    /// (the replay serves the earlier payload under the revisit's time), unless the URL
    /// is listed as something other than HTML.
    #[test]
    fn revisits_are_captures_of_the_page() {
        let ep = Endpoint::parse("http://127.0.0.1:8080/coll").unwrap();
        let mut cfg = WaybackConfig::new(ep.clone(), Url::parse("http://e.invalid/").unwrap());
        cfg.to = Some("2018".into());
        let mut c = Chooser::new(&cfg, &[], &[], u64::MAX);
        let rows = [
            row(
                "20170105120000",
                "http://e.invalid/a.htm",
                Some("200"),
                "text/html",
            ),
            // The page unchanged in 2018: only a revisit.
            row(
                "20180210083000",
                "http://e.invalid/a.htm",
                None,
                REVISIT_MIME,
            ),
            // CDX files write "-" for it.
            row(
                "20180210083000",
                "http://e.invalid/b.htm",
                Some("-"),
                REVISIT_MIME,
            ),
            // pywb's mime is the essence, but a charset is understood too.
            row(
                "20170105120000",
                "http://e.invalid/c.htm",
                Some("200"),
                "text/html; charset=utf-8",
            ),
            // An image and its revisit: neither is taken.
            row(
                "20170105120000",
                "http://e.invalid/i.gif",
                Some("200"),
                "image/gif",
            ),
            row(
                "20180210083000",
                "http://e.invalid/i.gif",
                None,
                REVISIT_MIME,
            ),
            // "-" on a row that is not a revisit, and a redirect: not 200.
            row(
                "20170105120000",
                "http://e.invalid/d.htm",
                Some("-"),
                "text/html",
            ),
            row(
                "20170105120000",
                "http://e.invalid/e.htm",
                Some("301"),
                "text/html",
            ),
            // Out of the window, revisit or not.
            row(
                "20190101000000",
                "http://e.invalid/a.htm",
                None,
                REVISIT_MIME,
            ),
        ];
        for r in rows {
            assert!(c.row(r));
        }
        let l = c.finish(&ep);
        let got: Vec<(&str, &str)> = l
            .captures
            .iter()
            .map(|c| (c.url.as_str(), c.timestamp.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("http://e.invalid/c.htm", "20170105120000"),
                ("http://e.invalid/a.htm", "20180210083000"),
                ("http://e.invalid/b.htm", "20180210083000"),
            ]
        );
        assert_eq!(
            l.captures[1].key,
            "http://127.0.0.1:8080/coll/20180210083000id_/http://e.invalid/a.htm"
        );
        let s = &l.summary;
        assert_eq!(s.rows, 9);
        assert_eq!(s.revisits, 2, "{s:?}");
        assert_eq!(s.not_html, 2, "the GIF and its revisit: {s:?}");
        assert_eq!(s.not_200, 2, "{s:?}");
        assert_eq!(s.out_of_window, 1, "{s:?}");
        assert_eq!(s.superseded, 1, "a.htm's 2017 capture: {s:?}");
        assert_eq!(s.captures, 3);
    }

    /// pywb stops at 100,000 rows unless asked for more, without a word, and has no
    /// resume key: quire asks for [`PYWB_LIMIT`], and an answer of that many rows is an
    /// error, never a silently short listing.
    #[test]
    fn a_full_pywb_answer_is_an_error() {
        assert_eq!(cut_short(Layout::Pywb, PYWB_LIMIT - 1), None);
        let e = cut_short(Layout::Pywb, PYWB_LIMIT).unwrap();
        assert!(e.contains("cut short") && e.contains("--from"), "{e}");
        // The Wayback CDX server pages with a resume key instead.
        assert_eq!(cut_short(Layout::Wayback, PYWB_LIMIT), None);
    }

    #[test]
    fn hostile_answers_are_errors_that_say_where() {
        let big = format!(
            r#"[["timestamp","original"],["20170105120000","http://e.invalid/{}"]]"#,
            "a".repeat(MAX_FIELD_BYTES + 1)
        );
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                b"[[\"timestamp\",\"original\"],[\"2017".to_vec(),
                "not CDX JSON",
            ),
            (b"<html>Service unavailable</html>".to_vec(), "not CDX JSON"),
            (
                b"[[\"timestamp\",\"original\"],[20170105120000,\"http://e.invalid/\"]]".to_vec(),
                "row 1: field timestamp is a number",
            ),
            (
                b"[[\"timestamp\",\"original\"],[\"20170105120000\"]]".to_vec(),
                "row 1: 1 fields",
            ),
            (
                b"[[\"timestamp\",\"original\"],{\"a\":1}]".to_vec(),
                "row 1: an object",
            ),
            (
                b"[[\"timestamp\",\"original\"],[\"2017-01-05\",\"http://e.invalid/\"]]".to_vec(),
                "timestamp \"2017-01-05\"",
            ),
            (
                b"[[\"urlkey\",\"length\"],[\"a\",\"1\"]]".to_vec(),
                "lack timestamp or original",
            ),
            (b"[\"timestamp\",\"original\"]".to_vec(), "first row"),
            (
                b"[[\"timestamp\",\"original\"],[],[\"k\"],[\"x\"]]".to_vec(),
                "rows after the resume key",
            ),
            (
                b"[[\"timestamp\",\"original\"],[],[1]]".to_vec(),
                "resume key is a number",
            ),
            (
                b"[[\"timestamp\",\"original\"],[]]".to_vec(),
                "without a resume key",
            ),
            (
                b"{\"timestamp\": 5, \"url\": \"http://e.invalid/\"}".to_vec(),
                "row 1: field timestamp is a number",
            ),
            (
                b"{\"url\": \"http://e.invalid/\"}\n".to_vec(),
                "row 1: no timestamp",
            ),
            (
                b"{\"timestamp\": \"20170105120000\", \"url\": \"x\"}\n[1]\n".to_vec(),
                "row 2",
            ),
            (b"{\"a\": ".to_vec(), "row 1: not a JSON object"),
            (big.into_bytes(), "bytes long"),
            (b"[[1,2]]".to_vec(), "field name 1 is a number"),
        ];
        for (body, want) in cases {
            let e = parse_cdx(&body).unwrap_err().to_string();
            assert!(
                e.contains(want),
                "{:?}: {e:?} lacks {want:?}",
                String::from_utf8_lossy(&body[..body.len().min(80)])
            );
        }
    }
}
