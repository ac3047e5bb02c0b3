//! The SQLite index: runs, URL outcomes (entries) and the crawl frontier. It is a cache
//! of the files — everything but the frontier can be rebuilt from them (`rebuild`) — so
//! it runs in WAL mode with `synchronous=NORMAL`. Owns every SQL statement; must not
//! touch store files (callers hand it rows).

use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use super::error::StoreError;
use super::record::{Record, RecordOutcome};
use crate::model::PageType;

/// Version of the index schema; a mismatch makes a writer rebuild the index.
pub(crate) const INDEX_VERSION: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  manifest_sha256 TEXT,
  info TEXT NOT NULL,
  summary TEXT
);
CREATE TABLE IF NOT EXISTS entries(
  run TEXT NOT NULL,
  url TEXT NOT NULL,
  kind TEXT NOT NULL,
  record_sha256 TEXT NOT NULL,
  capture TEXT,
  content_sha256 TEXT,
  raw_sha256 TEXT,
  raw_bytes INTEGER,
  fetched_at TEXT,
  http_status INTEGER,
  etag TEXT,
  last_modified TEXT,
  reason TEXT,
  page_type TEXT,
  PRIMARY KEY(run, url)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_url ON entries(url, run);
CREATE TABLE IF NOT EXISTS frontier(
  seq INTEGER PRIMARY KEY,
  run TEXT NOT NULL,
  url TEXT NOT NULL,
  depth INTEGER NOT NULL,
  state INTEGER NOT NULL,
  UNIQUE(run, url)
);
CREATE INDEX IF NOT EXISTS frontier_by_state ON frontier(run, state);
";

pub(crate) const PENDING: i64 = 0;
pub(crate) const IN_FLIGHT: i64 = 1;
pub(crate) const DONE: i64 = 2;

/// One row of `entries`, derived from a record file.
#[derive(Debug, Clone)]
pub(crate) struct EntryRow {
    pub run: String,
    pub url: String,
    pub kind: &'static str,
    pub record_sha256: String,
    pub capture: Option<String>,
    pub content_sha256: Option<String>,
    pub raw_sha256: Option<String>,
    pub raw_bytes: Option<u64>,
    pub fetched_at: Option<String>,
    pub http_status: Option<u16>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub reason: Option<String>,
    pub page_type: Option<PageType>,
}

impl EntryRow {
    /// The index row for a record stored under `record_sha256`.
    pub(crate) fn from_record(record: &Record, record_sha256: &str) -> EntryRow {
        let mut row = EntryRow {
            run: record.run_id.clone(),
            url: record.url.clone(),
            kind: "captured",
            record_sha256: record_sha256.to_string(),
            capture: None,
            content_sha256: None,
            raw_sha256: None,
            raw_bytes: None,
            fetched_at: None,
            http_status: None,
            etag: None,
            last_modified: None,
            reason: None,
            page_type: None,
        };
        match &record.outcome {
            RecordOutcome::Captured { article } => {
                let p = &article.provenance;
                row.capture = Some(format!("{}/{}", record.run_id, record_sha256));
                row.content_sha256 = Some(article.content_sha256.clone());
                row.raw_sha256 = Some(p.raw_sha256.clone());
                row.raw_bytes = Some(p.raw_bytes);
                row.fetched_at = p.fetched_at.clone();
                row.http_status = p.http_status;
                row.etag = p.etag.clone();
                row.last_modified = p.last_modified.clone();
                row.page_type = Some(article.content.page_type);
            }
            RecordOutcome::NotModified {
                previous,
                content_sha256,
                raw_sha256,
                page_type,
            } => {
                row.kind = "not_modified";
                row.capture = Some(previous.clone());
                row.content_sha256 = Some(content_sha256.clone());
                row.raw_sha256 = Some(raw_sha256.clone());
                row.http_status = Some(304);
                row.page_type = *page_type;
            }
            RecordOutcome::Failed {
                reason,
                http_status,
            } => {
                row.kind = "failed";
                row.reason = Some(reason.clone());
                row.http_status = *http_status;
            }
            RecordOutcome::Gone { http_status } => {
                row.kind = "gone";
                row.http_status = Some(*http_status);
            }
        }
        row
    }
}

pub(crate) fn page_type_str(p: Option<PageType>) -> Option<&'static str> {
    p.map(|p| match p {
        PageType::Article => "article",
        PageType::Index => "index",
    })
}

pub(crate) fn page_type_parse(s: Option<String>) -> Option<PageType> {
    match s.as_deref() {
        Some("article") => Some(PageType::Article),
        Some("index") => Some(PageType::Index),
        _ => None,
    }
}

fn configure(conn: &Connection, writer: bool) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    if writer {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Open (creating if needed) the index of a writer.
pub(crate) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    configure(&conn, true)?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// Open an existing index read-only (never blocks a writer in WAL mode).
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn, false)?;
    Ok(conn)
}

/// An in-memory index (a reader's fallback when the store has no index file).
pub(crate) fn open_memory() -> Result<Connection, StoreError> {
    let conn = Connection::open_in_memory()?;
    configure(&conn, false)?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?
        .execute([key, value])?;
    Ok(())
}

/// Drop every row (the frontier included).
pub(crate) fn clear(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "DELETE FROM entries; DELETE FROM runs; DELETE FROM frontier; DELETE FROM meta;",
    )?;
    Ok(())
}

pub(crate) fn insert_run(
    conn: &Connection,
    id: &str,
    started_at: &str,
    info: &serde_json::Value,
) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR IGNORE INTO runs(id, started_at, info) VALUES (?1, ?2, ?3)")?
        .execute(params![id, started_at, info.to_string()])?;
    Ok(())
}

pub(crate) fn set_finished(
    conn: &Connection,
    id: &str,
    finished_at: &str,
    manifest_sha256: &str,
    summary: &serde_json::Value,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE runs SET finished_at = ?2, manifest_sha256 = ?3, summary = ?4 WHERE id = ?1",
    )?
    .execute(params![
        id,
        finished_at,
        manifest_sha256,
        summary.to_string()
    ])?;
    Ok(())
}

pub(crate) fn delete_run(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM entries WHERE run = ?1", [id])?;
    conn.execute("DELETE FROM frontier WHERE run = ?1", [id])?;
    conn.execute("DELETE FROM runs WHERE id = ?1", [id])?;
    Ok(())
}

/// Insert an entry unless the run already has one for the URL; true when inserted.
/// Marks the URL done in the run's frontier either way.
pub(crate) fn insert_entry(conn: &Connection, row: &EntryRow) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO entries(run, url, kind, record_sha256, capture, content_sha256,
               raw_sha256, raw_bytes, fetched_at, http_status, etag, last_modified, reason, page_type)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            row.run,
            row.url,
            row.kind,
            row.record_sha256,
            row.capture,
            row.content_sha256,
            row.raw_sha256,
            row.raw_bytes.map(|b| b as i64),
            row.fetched_at,
            row.http_status,
            row.etag,
            row.last_modified,
            row.reason,
            page_type_str(row.page_type),
        ])?;
    conn.prepare_cached("UPDATE frontier SET state = ?3 WHERE run = ?1 AND url = ?2")?
        .execute(params![row.run, row.url, DONE])?;
    Ok(n > 0)
}

/// Record digest and kind of the run's entry for a URL.
pub(crate) fn entry_for(
    conn: &Connection,
    run: &str,
    url: &str,
) -> Result<Option<(String, String, Option<String>)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT record_sha256, kind, capture FROM entries WHERE run = ?1 AND url = ?2",
        )?
        .query_row([run, url], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// Record digests already indexed for a run.
pub(crate) fn record_shas(conn: &Connection, run: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT record_sha256 FROM entries WHERE run = ?1")?;
    let rows = stmt.query_map([run], |r| r.get(0))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r?);
    }
    Ok(out)
}

pub(crate) fn entry_count(conn: &Connection, run: &str) -> Result<u64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM entries WHERE run = ?1")?
        .query_row([run], |r| r.get::<_, i64>(0))? as u64)
}

/// Digests and page type of a capture, by capture id.
pub(crate) fn capture_digests(
    conn: &Connection,
    capture: &str,
) -> Result<Option<(String, String, Option<PageType>)>, StoreError> {
    let Some((run, sha)) = capture.split_once('/') else {
        return Ok(None);
    };
    Ok(conn
        .prepare_cached(
            "SELECT content_sha256, raw_sha256, page_type FROM entries
             WHERE run = ?1 AND record_sha256 = ?2 AND kind = 'captured'",
        )?
        .query_row([run, sha], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                page_type_parse(r.get(2)?),
            ))
        })
        .optional()?)
}

// ---- frontier ----

pub(crate) fn frontier_add(
    conn: &mut Connection,
    run: &str,
    urls: &[(String, u32)],
) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let mut added = 0;
    {
        let mut known = tx.prepare_cached("SELECT 1 FROM entries WHERE run = ?1 AND url = ?2")?;
        let mut ins = tx.prepare_cached(
            "INSERT OR IGNORE INTO frontier(run, url, depth, state) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (url, depth) in urls {
            let done = known.exists(params![run, url])?;
            let state = if done { DONE } else { PENDING };
            let n = ins.execute(params![run, url, depth, state])?;
            if n > 0 && !done {
                added += 1;
            }
        }
    }
    tx.commit()?;
    Ok(added)
}

pub(crate) fn frontier_take(
    conn: &mut Connection,
    run: &str,
    max: usize,
) -> Result<Vec<(String, u32)>, StoreError> {
    let tx = conn.transaction()?;
    let mut out = Vec::new();
    {
        let mut sel = tx.prepare_cached(
            "SELECT seq, url, depth FROM frontier WHERE run = ?1 AND state = ?2 ORDER BY seq LIMIT ?3",
        )?;
        let mut upd = tx.prepare_cached("UPDATE frontier SET state = ?2 WHERE seq = ?1")?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let rows = sel.query_map(params![run, PENDING, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
            ))
        })?;
        let mut taken = Vec::new();
        for r in rows {
            taken.push(r?);
        }
        for (seq, url, depth) in taken {
            upd.execute(params![seq, IN_FLIGHT])?;
            out.push((url, depth));
        }
    }
    tx.commit()?;
    Ok(out)
}

pub(crate) fn frontier_done(conn: &Connection, run: &str, url: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE frontier SET state = ?3 WHERE run = ?1 AND url = ?2")?
        .execute(params![run, url, DONE])?;
    Ok(())
}

pub(crate) fn frontier_reset_in_flight(
    conn: &mut Connection,
    run: &str,
) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    tx.execute(
        "UPDATE frontier SET state = ?2 WHERE run = ?1 AND state != ?2
           AND EXISTS (SELECT 1 FROM entries e WHERE e.run = frontier.run AND e.url = frontier.url)",
        params![run, DONE],
    )?;
    let n = tx.execute(
        "UPDATE frontier SET state = ?2 WHERE run = ?1 AND state = ?3",
        params![run, PENDING, IN_FLIGHT],
    )?;
    tx.commit()?;
    Ok(n)
}

pub(crate) fn frontier_counts(conn: &Connection, run: &str) -> Result<[u64; 3], StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT state, count(*) FROM frontier WHERE run = ?1 GROUP BY state")?;
    let rows = stmt.query_map([run], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = [0u64; 3];
    for r in rows {
        let (state, n) = r?;
        if let Some(slot) = usize::try_from(state).ok().and_then(|s| out.get_mut(s)) {
            *slot = n as u64;
        }
    }
    Ok(out)
}
