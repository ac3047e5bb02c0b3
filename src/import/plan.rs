//! Pass 1 of an import, kept on disk: the plan.
//!
//! The plan is what pass 2 needs to know about a record before it reaches it: its run
//! (layer) when its URL is captured more than once, whether it is past the cap of
//! captures per URL, whether a redirect leads to a page of the import, which earlier
//! capture a revisit takes its payload from, and whether some revisit takes its payload
//! from it. Deciding this needs every record's headers first, and the per-URL and
//! per-capture facts grow with the file; so they go to a private scratch SQLite
//! database (`plan.sqlite` in the import's scratch directory, see [`Scratch`]), never
//! to a map in memory. Its page cache is bounded ([`CACHE_KIB`]), it has no journal and
//! no syncs (it is thrown away), rows are inserted in batched transactions, and the
//! indexes the plan's joins need are built after the bulk insert.
//!
//! Pass 2 reads the decisions back in record order, a block at a time
//! ([`Decisions`]): a merge of two sorted streams, not a lookup per record.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use super::{
    examine, key, open, referent_keys, revisit_keys, Facts, ImportConfig, ImportError, Pos,
    Progress, Verdict,
};

/// Page cache of each scratch database, in KiB: the import's memory for its plan,
/// whatever the number of records.
pub(super) const CACHE_KIB: u32 = 4096;

/// Records read between two commits of pass 1.
const BATCH_RECORDS: u64 = 4096;

/// Decisions pass 2 reads ahead.
const READ_AHEAD: usize = 1024;

/// Page cache of the plan while pass 2 reads it (in order, once), in KiB.
const READ_CACHE_KIB: u32 = 256;

/// Bits of a record position that hold its ordinal in its file.
const ORD_BITS: u32 = 40;

/// The import's scratch directory: its databases, removed when it is dropped (at the
/// end of the import, on success and on error). Made in the system temp dir (`TMPDIR`)
/// unless the configuration names another directory.
pub(super) struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    /// Make a new scratch directory in `parent` (or the system temp dir).
    pub(super) fn new(parent: Option<&Path>) -> Result<Scratch, ImportError> {
        let mut b = tempfile::Builder::new();
        b.prefix("quire-import-");
        let made = match parent {
            Some(p) => b.tempdir_in(p),
            None => b.tempdir(),
        };
        let dir = made.map_err(|source| ImportError::ScratchDir {
            path: parent.map_or_else(std::env::temp_dir, Path::to_path_buf),
            source,
        })?;
        Ok(Scratch { dir })
    }

    /// A database file in the scratch directory.
    pub(super) fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Open a scratch database: no journal, no syncs, one connection, a bounded cache.
pub(super) fn open_db(path: &Path) -> Result<Connection, ImportError> {
    let conn = Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;
         PRAGMA temp_store=FILE; PRAGMA cache_size=-{CACHE_KIB};"
    ))?;
    Ok(conn)
}

/// A record position as one integer (file index in the high bits): positions sort as
/// the records are read.
pub(super) fn pos_id(pos: Pos) -> Result<i64, ImportError> {
    if pos.1 >= 1 << ORD_BITS || u64::from(pos.0) >= 1 << (63 - ORD_BITS) {
        return Err(ImportError::TooManyRecords);
    }
    Ok(((u64::from(pos.0) << ORD_BITS) | pos.1) as i64)
}

fn pos_of(id: i64) -> Pos {
    let id = id as u64;
    ((id >> ORD_BITS) as u32, id & ((1 << ORD_BITS) - 1))
}

/// What pass 1 decided about one record. The default: the main run, not past the
/// cap, a redirect that leads nowhere in the import, an unresolved revisit, no revisit
/// takes its payload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Decision {
    /// Layer (run index) of a record of a URL captured more than once.
    pub layer: Option<usize>,
    /// One of a URL's oldest captures past the cap.
    pub too_many: bool,
    /// A redirect whose target is a page of the import.
    pub alias: bool,
    /// A resolved revisit: the record it takes its payload from.
    pub revisit_of: Option<Pos>,
    /// Some revisit takes its payload from this record.
    pub referent: bool,
}

/// What pass 1 decided: the number of runs, and the decisions, on disk.
pub(super) struct Plan {
    /// Runs the import needs (the most captures of one URL, within the cap; at least 1).
    pub layers: usize,
    /// Bytes of all files.
    pub total_bytes: u64,
    db: Connection,
}

impl Plan {
    /// The decisions, for reading in record order. The cache pass 1 filled is given
    /// back first: pass 2 reads each page once.
    pub(super) fn decisions(self) -> Result<Decisions, ImportError> {
        self.db.execute_batch(&format!(
            "PRAGMA cache_size=-{READ_CACHE_KIB}; PRAGMA shrink_memory;"
        ))?;
        Ok(Decisions {
            db: self.db,
            buf: VecDeque::new(),
            after: -1,
            done: false,
        })
    }
}

const SCHEMA: &str = "
    -- Records that are outcomes of their URL: captures, archived errors, resolved
    -- revisits, redirects to a page of the import. k: key of the URL.
    CREATE TABLE occ(pos INTEGER PRIMARY KEY, k BLOB NOT NULL, micros INTEGER NOT NULL);
    -- Redirects, judged once every page is known.
    CREATE TABLE redir(pos INTEGER PRIMARY KEY, k BLOB NOT NULL, micros INTEGER NOT NULL,
                       target BLOB NOT NULL);
    -- Revisits, resolved once every capture is known, and the keys they refer by
    -- (rank 0 the most precise).
    CREATE TABLE revisit(pos INTEGER PRIMARY KEY, k BLOB NOT NULL, micros INTEGER NOT NULL);
    CREATE TABLE revkey(pos INTEGER NOT NULL, rank INTEGER NOT NULL, k BLOB NOT NULL,
                        PRIMARY KEY (pos, rank)) WITHOUT ROWID;
    -- Keys under which a capture can be referred to.
    CREATE TABLE refkey(k BLOB NOT NULL, pos INTEGER NOT NULL);
    -- The decisions that differ from the default. layer -1: past the cap.
    CREATE TABLE decide(pos INTEGER PRIMARY KEY, layer INTEGER, alias INTEGER NOT NULL DEFAULT 0,
                        referent INTEGER, is_ref INTEGER NOT NULL DEFAULT 0);
";

/// Pass 1: read every record's headers (a payload only when its type must be sniffed)
/// and decide; the scratch database is created at `db_path`.
pub(super) fn plan(
    cfg: &ImportConfig,
    db_path: &Path,
    progress: &dyn Fn(&Progress),
) -> Result<Plan, ImportError> {
    let db = open_db(db_path)?;
    db.execute_batch(SCHEMA)?;
    let mut total_bytes = 0u64;
    for path in &cfg.files {
        total_bytes += std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    }
    db.execute_batch("BEGIN")?;
    {
        let mut ins_occ = db.prepare("INSERT INTO occ(pos, k, micros) VALUES (?1, ?2, ?3)")?;
        let mut ins_ref = db.prepare("INSERT INTO refkey(k, pos) VALUES (?1, ?2)")?;
        let mut ins_redir =
            db.prepare("INSERT INTO redir(pos, k, micros, target) VALUES (?1, ?2, ?3, ?4)")?;
        let mut ins_revisit =
            db.prepare("INSERT INTO revisit(pos, k, micros) VALUES (?1, ?2, ?3)")?;
        let mut ins_revkey = db.prepare("INSERT INTO revkey(pos, rank, k) VALUES (?1, ?2, ?3)")?;
        let mut done_bytes = 0u64;
        let mut since_commit = 0u64;
        for (fi, path) in cfg.files.iter().enumerate() {
            let mut reader = open(path)?;
            let mut ord = 0u64;
            while let Ok(Some(head)) = reader.next_record() {
                let pos = (fi as u32, ord);
                ord += 1;
                if ord.is_multiple_of(512) {
                    progress(&Progress {
                        pass: 1,
                        bytes: done_bytes + reader.raw_position(),
                        total_bytes,
                        captured: 0,
                    });
                }
                let ex = match examine(&mut reader, &head, false, cfg.max_body) {
                    Ok(Some(ex)) => ex,
                    Ok(None) | Err(_) => break,
                };
                if matches!(ex.verdict, Verdict::Skip(_)) {
                    continue;
                }
                let id = pos_id(pos)?;
                let micros = ex.date.timestamp_micros();
                let k = key(&[&ex.url]);
                match ex.verdict {
                    Verdict::Skip(_) => {}
                    Verdict::Capture { .. } => {
                        for rk in referent_keys(&head, &ex.url, &ex.date) {
                            ins_ref.execute(params![&rk[..], id])?;
                        }
                        ins_occ.execute(params![id, &k[..], micros])?;
                    }
                    Verdict::HttpError { .. } => {
                        ins_occ.execute(params![id, &k[..], micros])?;
                    }
                    Verdict::Redirect { target, .. } => {
                        let t = key(&[&target]);
                        ins_redir.execute(params![id, &k[..], micros, &t[..]])?;
                    }
                    Verdict::Revisit { .. } => {
                        ins_revisit.execute(params![id, &k[..], micros])?;
                        for (rank, rk) in revisit_keys(&head, &ex.url).iter().enumerate() {
                            ins_revkey.execute(params![id, rank as i64, &rk[..]])?;
                        }
                    }
                }
                since_commit += 1;
                if since_commit >= BATCH_RECORDS {
                    since_commit = 0;
                    db.execute_batch("COMMIT; BEGIN")?;
                }
            }
            done_bytes += reader.raw_position();
        }
    }
    db.execute_batch("COMMIT; BEGIN")?;
    resolve_revisits(&db)?;
    db.execute_batch("CREATE INDEX occ_k ON occ(k)")?;
    judge_redirects(&db)?;
    let most: i64 = db.query_row(
        "SELECT coalesce(max(n), 1) FROM (SELECT count(*) AS n FROM occ GROUP BY k)",
        [],
        |r| r.get(0),
    )?;
    let layers = usize::try_from(most)
        .unwrap_or(1)
        .clamp(1, cfg.max_captures_per_url.max(1));
    // Each repeated URL's captures by date: the latest in the last layer, the others
    // just before it, the oldest past the cap skipped (-1).
    db.execute(
        "INSERT INTO decide(pos, layer)
         SELECT pos, CASE WHEN i < n - ?1 THEN -1 ELSE ?1 - (n - i) END
         FROM (SELECT o.pos AS pos, c.n AS n,
                      row_number() OVER (PARTITION BY o.k ORDER BY o.micros, o.pos) - 1 AS i
               FROM occ o
               JOIN (SELECT k, count(*) AS n FROM occ GROUP BY k HAVING count(*) > 1) c
                 ON c.k = o.k)
         WHERE true
         ON CONFLICT(pos) DO UPDATE SET layer = excluded.layer",
        params![layers as i64],
    )?;
    db.execute_batch("COMMIT")?;
    Ok(Plan {
        layers,
        total_bytes,
        db,
    })
}

/// A revisit resolves to the first capture (in file order) under the first of its keys
/// that some *earlier* capture has; it then counts as an outcome of its URL.
fn resolve_revisits(db: &Connection) -> Result<(), ImportError> {
    let any: bool = db.query_row("SELECT EXISTS(SELECT 1 FROM revisit)", [], |r| r.get(0))?;
    if !any {
        return Ok(());
    }
    db.execute_batch("CREATE INDEX refkey_k ON refkey(k, pos)")?;
    let mut keys = db.prepare(
        "SELECT v.pos, (SELECT min(r.pos) FROM refkey r WHERE r.k = v.k)
         FROM revkey v ORDER BY v.pos, v.rank",
    )?;
    let mut set_of = db.prepare(
        "INSERT INTO decide(pos, referent) VALUES (?1, ?2)
         ON CONFLICT(pos) DO UPDATE SET referent = excluded.referent",
    )?;
    let mut set_ref = db.prepare(
        "INSERT INTO decide(pos, is_ref) VALUES (?1, 1)
         ON CONFLICT(pos) DO UPDATE SET is_ref = 1",
    )?;
    let mut count = db.prepare(
        "INSERT INTO occ(pos, k, micros) SELECT pos, k, micros FROM revisit WHERE pos = ?1",
    )?;
    let mut rows = keys.query([])?;
    let mut resolved: Option<i64> = None;
    while let Some(row) = rows.next()? {
        let pos: i64 = row.get(0)?;
        let found: Option<i64> = row.get(1)?;
        if resolved == Some(pos) {
            continue;
        }
        if let Some(r) = found.filter(|r| *r < pos) {
            resolved = Some(pos);
            set_of.execute(params![pos, r])?;
            set_ref.execute(params![r])?;
            count.execute(params![pos])?;
        }
    }
    Ok(())
}

/// Redirects, in file order, count when their target is an outcome of the import
/// (a page, or a redirect counted before them); they then count as an outcome too.
fn judge_redirects(db: &Connection) -> Result<(), ImportError> {
    let mut all = db.prepare("SELECT pos, k, micros, target FROM redir ORDER BY pos")?;
    let mut known = db.prepare("SELECT EXISTS(SELECT 1 FROM occ WHERE k = ?1)")?;
    let mut count = db.prepare("INSERT INTO occ(pos, k, micros) VALUES (?1, ?2, ?3)")?;
    let mut set = db.prepare(
        "INSERT INTO decide(pos, alias) VALUES (?1, 1)
         ON CONFLICT(pos) DO UPDATE SET alias = 1",
    )?;
    let mut rows = all.query([])?;
    while let Some(row) = rows.next()? {
        let pos: i64 = row.get(0)?;
        let k: Vec<u8> = row.get(1)?;
        let micros: i64 = row.get(2)?;
        let target: Vec<u8> = row.get(3)?;
        if known.query_row(params![target], |r| r.get::<_, bool>(0))? {
            count.execute(params![pos, k, micros])?;
            set.execute(params![pos])?;
        }
    }
    Ok(())
}

/// The plan's decisions, read in record order a block at a time.
pub(super) struct Decisions {
    db: Connection,
    buf: VecDeque<(i64, Decision)>,
    /// Position of the last decision read.
    after: i64,
    done: bool,
}

impl Decisions {
    /// The decision about the record at `pos`. Positions must be asked for in
    /// increasing order.
    pub(super) fn get(&mut self, pos: Pos) -> Result<Decision, ImportError> {
        let id = pos_id(pos)?;
        loop {
            if self.buf.is_empty() && !self.done {
                self.fill()?;
            }
            match self.buf.front() {
                Some((p, _)) if *p < id => {
                    self.buf.pop_front();
                }
                Some((p, d)) if *p == id => {
                    let d = *d;
                    self.buf.pop_front();
                    return Ok(d);
                }
                _ => return Ok(Decision::default()),
            }
        }
    }

    fn fill(&mut self) -> Result<(), ImportError> {
        let mut stmt = self.db.prepare_cached(
            "SELECT pos, layer, alias, referent, is_ref FROM decide
             WHERE pos > ?1 ORDER BY pos LIMIT ?2",
        )?;
        let mut rows = stmt.query(params![self.after, READ_AHEAD as i64])?;
        let mut n = 0usize;
        while let Some(row) = rows.next()? {
            n += 1;
            let pos: i64 = row.get(0)?;
            let layer: Option<i64> = row.get(1)?;
            let referent: Option<i64> = row.get(3)?;
            let d = Decision {
                layer: layer.and_then(|l| usize::try_from(l).ok()),
                too_many: layer.is_some_and(|l| l < 0),
                alias: row.get::<_, i64>(2)? != 0,
                revisit_of: referent.map(pos_of),
                referent: row.get::<_, i64>(4)? != 0,
            };
            self.after = pos;
            self.buf.push_back((pos, d));
        }
        if n < READ_AHEAD {
            self.done = true;
        }
        Ok(())
    }
}

/// What pass 2's writer keeps until later, on disk (`held.sqlite`, made when first
/// needed): the captures that revisits take their payload from, and the undated
/// articles held back for their issue's date. Written and read by the writer's thread
/// only.
pub(super) struct Held {
    path: PathBuf,
    db: Option<Connection>,
    deferred: u64,
}

fn to_json(facts: &Facts) -> Result<String, ImportError> {
    serde_json::to_string(facts)
        .map_err(|e| ImportError::Scratch(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))
}

fn from_json(text: &str) -> Result<Facts, ImportError> {
    serde_json::from_str(text).map_err(|e| {
        ImportError::Scratch(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    })
}

impl Held {
    /// Held rows will go to `path` (created on the first one).
    pub(super) fn new(path: PathBuf) -> Held {
        Held {
            path,
            db: None,
            deferred: 0,
        }
    }

    fn db(&mut self) -> Result<&Connection, ImportError> {
        if self.db.is_none() {
            let db = open_db(&self.path)?;
            db.execute_batch(
                "CREATE TABLE referent(pos INTEGER PRIMARY KEY, raw_sha256 TEXT NOT NULL,
                                       facts TEXT NOT NULL);
                 CREATE TABLE deferred(seq INTEGER PRIMARY KEY, raw_sha256 TEXT NOT NULL,
                                       object_path TEXT NOT NULL, facts TEXT NOT NULL);",
            )?;
            self.db = Some(db);
        }
        match &self.db {
            Some(db) => Ok(db),
            None => Err(ImportError::Task(
                "the held-rows database is not open".into(),
            )),
        }
    }

    /// Keep what a later revisit of `facts.pos` needs: the stored payload's digest and
    /// the record's facts.
    pub(super) fn put_referent(
        &mut self,
        raw_sha256: &str,
        facts: &Facts,
    ) -> Result<(), ImportError> {
        let id = pos_id(facts.pos)?;
        let json = to_json(facts)?;
        self.db()?
            .prepare_cached(
                "INSERT OR REPLACE INTO referent(pos, raw_sha256, facts) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![id, raw_sha256, json])?;
        Ok(())
    }

    /// The payload digest and facts of the capture at `pos`, if it was stored.
    pub(super) fn referent(&mut self, pos: Pos) -> Result<Option<(String, Facts)>, ImportError> {
        if self.db.is_none() {
            return Ok(None);
        }
        let id = pos_id(pos)?;
        let row: Option<(String, String)> = {
            let db = self.db()?;
            let mut stmt =
                db.prepare_cached("SELECT raw_sha256, facts FROM referent WHERE pos = ?1")?;
            let mut rows = stmt.query(params![id])?;
            match rows.next()? {
                Some(r) => Some((r.get(0)?, r.get(1)?)),
                None => None,
            }
        };
        match row {
            Some((sha, json)) => Ok(Some((sha, from_json(&json)?))),
            None => Ok(None),
        }
    }

    /// Hold back an undated article (its object is stored) for its issue's date.
    pub(super) fn defer(
        &mut self,
        raw_sha256: &str,
        object_path: &str,
        facts: &Facts,
    ) -> Result<(), ImportError> {
        let json = to_json(facts)?;
        self.db()?
            .prepare_cached(
                "INSERT INTO deferred(raw_sha256, object_path, facts) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![raw_sha256, object_path, json])?;
        self.deferred += 1;
        Ok(())
    }

    /// Articles held back so far.
    pub(super) fn deferred(&self) -> u64 {
        self.deferred
    }

    /// Up to `limit` held-back articles after `seq`, in the order they were held:
    /// (seq, raw digest, object path, facts).
    pub(super) fn deferred_after(
        &mut self,
        seq: i64,
        limit: usize,
    ) -> Result<Vec<(i64, String, String, Facts)>, ImportError> {
        if self.db.is_none() {
            return Ok(Vec::new());
        }
        let raw: Vec<(i64, String, String, String)> = {
            let db = self.db()?;
            let mut stmt = db.prepare_cached(
                "SELECT seq, raw_sha256, object_path, facts FROM deferred
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![seq, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        raw.into_iter()
            .map(|(seq, sha, path, json)| Ok((seq, sha, path, from_json(&json)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_sort_as_records_are_read() {
        let a = pos_id((0, 5)).unwrap();
        let b = pos_id((0, 6)).unwrap();
        let c = pos_id((1, 0)).unwrap();
        assert!(a < b && b < c);
        assert_eq!(pos_of(c), (1, 0));
        assert_eq!(pos_of(pos_id((7, 123_456)).unwrap()), (7, 123_456));
        assert!(pos_id((0, 1 << ORD_BITS)).is_err());
    }
}
