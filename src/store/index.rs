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
pub(crate) const INDEX_VERSION: &str = "3";

/// Most alias hops followed when resolving a URL to its article, and most levels of
/// aliases-of-aliases listed: redirect chains are short (the fetcher follows at most
/// `max_redirects`), and a bound keeps a damaged or hostile store from looping.
pub(crate) const MAX_ALIAS_DEPTH: u32 = 8;

/// Most alias URLs listed for one article (a site could point thousands of URLs at
/// one page; an export line must stay bounded).
pub(crate) const MAX_ALIASES_LISTED: usize = 10_000;

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
  target TEXT,
  title TEXT,
  PRIMARY KEY(run, url)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_url ON entries(url, run);
CREATE INDEX IF NOT EXISTS entries_by_target ON entries(target, run) WHERE target IS NOT NULL;
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
    /// The article an alias leads to (alias rows only).
    pub target: Option<String>,
    /// The captured document's title (capture rows only), for search.
    pub title: Option<String>,
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
            target: None,
            title: None,
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
                row.title = article.content.title.clone();
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
            RecordOutcome::Alias { target, redirects } => {
                row.kind = "alias";
                row.target = Some(target.clone());
                row.http_status = redirects.first().map(|r| r.status);
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

/// Open (creating if needed) the index of a writer. An index of another version is
/// emptied first (its tables may lack columns this version needs); the caller then
/// sees no `index_version` and rebuilds it from the files.
pub(crate) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    configure(&conn, true)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    )?;
    if meta_get(&conn, "index_version")?.is_some_and(|v| v != INDEX_VERSION) {
        conn.execute_batch(
            "DROP TABLE IF EXISTS entries; DROP TABLE IF EXISTS frontier;
             DROP TABLE IF EXISTS runs; DELETE FROM meta;",
        )?;
    }
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
               raw_sha256, raw_bytes, fetched_at, http_status, etag, last_modified, reason, page_type,
               target, title)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
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
            row.target,
            row.title,
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

/// Claim `url` for the caller, atomically: true when the run's frontier did not know it
/// (it is then added as in flight, taken by the caller, at `depth`); false when it is
/// already queued, in flight, done, or has an outcome in the run. Every fetch of a run
/// goes through `frontier_take` (pending → in flight) or this (unknown → in flight), one
/// statement each on the writer's one connection, so of two tasks reaching the same URL
/// at once, one directly and one through a redirect, exactly one fetches it.
pub(crate) fn frontier_claim(
    conn: &Connection,
    run: &str,
    url: &str,
    depth: u32,
) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "INSERT INTO frontier(run, url, depth, state)
             SELECT ?1, ?2, ?3, ?4
             WHERE NOT EXISTS (SELECT 1 FROM entries WHERE run = ?1 AND url = ?2)
             ON CONFLICT(run, url) DO NOTHING",
        )?
        .execute(params![run, url, depth, IN_FLIGHT])?;
    Ok(n > 0)
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

// ---- aliases ----

/// The URL `url` leads to when its most recent entry (captured, not modified or alias,
/// in `run` only or in any run) is an alias: its target, followed through at most
/// [`MAX_ALIAS_DEPTH`] hops (a cycle stops where it closes). `url` itself when it is
/// not an alias.
pub(crate) fn resolve_alias(
    conn: &Connection,
    url: &str,
    run: Option<&str>,
) -> Result<String, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, target FROM entries
         WHERE url = ?1 AND kind IN ('captured', 'not_modified', 'alias')
           AND (?2 IS NULL OR run = ?2)
         ORDER BY run DESC LIMIT 1",
    )?;
    let mut current = url.to_string();
    let mut seen = vec![current.clone()];
    for _ in 0..MAX_ALIAS_DEPTH {
        let next: Option<(String, Option<String>)> = stmt
            .query_row(params![current, run], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match next {
            Some((kind, Some(target))) if kind == "alias" && !seen.contains(&target) => {
                seen.push(target.clone());
                current = target;
            }
            _ => break,
        }
    }
    Ok(current)
}

/// URLs recorded as aliases of `url` (directly, or as aliases of its aliases, at most
/// [`MAX_ALIAS_DEPTH`] levels), in `run` only or in any run; sorted, without `url`,
/// at most [`MAX_ALIASES_LISTED`].
pub(crate) fn aliases_of(
    conn: &Connection,
    url: &str,
    run: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "WITH RECURSIVE a(url, depth) AS (
           SELECT url, 1 FROM entries
            WHERE target = ?1 AND kind = 'alias' AND (?2 IS NULL OR run = ?2)
           UNION
           SELECT e.url, a.depth + 1 FROM entries e JOIN a ON e.target = a.url
            WHERE e.kind = 'alias' AND (?2 IS NULL OR e.run = ?2) AND a.depth < ?3
         )
         SELECT DISTINCT url FROM a WHERE url != ?1 ORDER BY url LIMIT ?4",
    )?;
    let rows = stmt.query_map(
        params![url, run, MAX_ALIAS_DEPTH, MAX_ALIASES_LISTED as i64],
        |r| r.get::<_, String>(0),
    )?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        open_memory().unwrap()
    }

    fn state(c: &Connection, run: &str, url: &str) -> Option<i64> {
        c.query_row(
            "SELECT state FROM frontier WHERE run = ?1 AND url = ?2",
            [run, url],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
    }

    #[test]
    fn a_claim_takes_an_unknown_url_once() {
        let mut c = conn();
        assert!(frontier_claim(&c, "r1", "http://h/a", 3).unwrap());
        assert_eq!(state(&c, "r1", "http://h/a"), Some(IN_FLIGHT));
        assert!(
            !frontier_claim(&c, "r1", "http://h/a", 3).unwrap(),
            "claimed twice"
        );
        // A claimed URL is in flight: never taken, and a link to it adds nothing.
        assert!(frontier_take(&mut c, "r1", 10).unwrap().is_empty());
        assert_eq!(
            frontier_add(&mut c, "r1", &[("http://h/a".into(), 1)]).unwrap(),
            0
        );
        // Another run knows nothing of it.
        assert!(frontier_claim(&c, "r2", "http://h/a", 0).unwrap());
    }

    #[test]
    fn a_queued_in_flight_or_done_url_is_not_claimed() {
        let mut c = conn();
        frontier_add(
            &mut c,
            "r1",
            &[("http://h/q".into(), 1), ("http://h/t".into(), 1)],
        )
        .unwrap();
        // Queued: left to its own task, still pending.
        assert!(!frontier_claim(&c, "r1", "http://h/q", 1).unwrap());
        assert_eq!(state(&c, "r1", "http://h/q"), Some(PENDING));
        let taken = frontier_take(&mut c, "r1", 2).unwrap();
        assert_eq!(taken.len(), 2);
        // In flight.
        assert!(!frontier_claim(&c, "r1", "http://h/t", 1).unwrap());
        frontier_done(&c, "r1", "http://h/t").unwrap();
        // Done.
        assert!(!frontier_claim(&c, "r1", "http://h/t", 1).unwrap());
    }

    #[test]
    fn a_url_with_an_outcome_is_not_claimed_even_without_a_frontier_row() {
        let c = conn();
        let row = EntryRow {
            run: "r1".into(),
            url: "http://h/e".into(),
            kind: "failed",
            record_sha256: "0".repeat(64),
            capture: None,
            content_sha256: None,
            raw_sha256: None,
            raw_bytes: None,
            fetched_at: None,
            http_status: Some(500),
            etag: None,
            last_modified: None,
            reason: Some("x".into()),
            page_type: None,
            target: None,
            title: None,
        };
        insert_entry(&c, &row).unwrap();
        assert_eq!(state(&c, "r1", "http://h/e"), None);
        assert!(!frontier_claim(&c, "r1", "http://h/e", 0).unwrap());
        assert_eq!(state(&c, "r1", "http://h/e"), None);
    }

    #[test]
    fn a_claim_left_in_flight_by_a_crash_goes_back_to_pending() {
        let mut c = conn();
        assert!(frontier_claim(&c, "r1", "http://h/c", 2).unwrap());
        assert_eq!(frontier_reset_in_flight(&mut c, "r1").unwrap(), 1);
        assert_eq!(
            frontier_take(&mut c, "r1", 5).unwrap(),
            vec![("http://h/c".to_string(), 2)]
        );
    }

    #[test]
    fn aliases_resolve_and_list_with_bounded_depth() {
        let c = conn();
        let alias = |run: &str, url: &str, target: &str| EntryRow {
            run: run.into(),
            url: url.into(),
            kind: "alias",
            record_sha256: crate::model::sha256_hex(url.as_bytes()),
            capture: None,
            content_sha256: None,
            raw_sha256: None,
            raw_bytes: None,
            fetched_at: None,
            http_status: Some(301),
            etag: None,
            last_modified: None,
            reason: None,
            page_type: None,
            target: Some(target.into()),
            title: None,
        };
        // a -> b -> c (two hops), d -> c, and a cycle x -> y -> x.
        for (u, t) in [("a", "b"), ("b", "c"), ("d", "c"), ("x", "y"), ("y", "x")] {
            insert_entry(&c, &alias("r1", u, t)).unwrap();
        }
        insert_entry(&c, &alias("r2", "e", "c")).unwrap();
        assert_eq!(resolve_alias(&c, "a", None).unwrap(), "c");
        assert_eq!(resolve_alias(&c, "c", None).unwrap(), "c");
        assert_eq!(resolve_alias(&c, "x", None).unwrap(), "y");
        // Within one run: r2 only knows e -> c; r1's chain does not apply there.
        assert_eq!(resolve_alias(&c, "e", Some("r2")).unwrap(), "c");
        assert_eq!(resolve_alias(&c, "a", Some("r2")).unwrap(), "a");
        assert_eq!(resolve_alias(&c, "a", Some("r1")).unwrap(), "c");
        assert_eq!(aliases_of(&c, "c", None).unwrap(), ["a", "b", "d", "e"]);
        assert_eq!(aliases_of(&c, "c", Some("r1")).unwrap(), ["a", "b", "d"]);
        assert_eq!(aliases_of(&c, "x", None).unwrap(), ["y"]);
        // A chain longer than the bound stops listing.
        for i in 0..20 {
            insert_entry(&c, &alias("r3", &format!("n{}", i + 1), &format!("n{i}"))).unwrap();
        }
        assert_eq!(
            aliases_of(&c, "n0", None).unwrap().len(),
            MAX_ALIAS_DEPTH as usize
        );
        assert_eq!(
            resolve_alias(&c, "n20", None).unwrap(),
            format!("n{}", 20 - MAX_ALIAS_DEPTH)
        );
    }
}
