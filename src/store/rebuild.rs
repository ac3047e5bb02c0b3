//! Files → index: the full rebuild (`quire reindex`, a missing index), the incremental
//! reconcile a writer runs when it opens (a crash can leave files the index has not
//! seen yet), and index → manifest when a run finishes. Owns the agreement between the
//! files and the index; reads store files, and deletes only an unsealed manifest
//! (a `manifest.json` without its `manifest.sha256`, left by a crash in `finish_run`).

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use rusqlite::{params, Connection};

use super::atomic::{sync_dir, write_atomic_with, TempDir};
use super::error::StoreError;
use super::index::{self, EntryRow};
use super::layout::{self, is_run_id, is_sha256_hex, object_rel, record_rel, Layout};
use super::record::{Manifest, ManifestEntry, Record, RunFile};
use super::ReindexReport;
use crate::model::sha256_hex;

/// Drop every index row and rebuild from the files (writer: unsealed manifests removed).
pub(crate) fn rebuild(layout: &Layout, conn: &mut Connection) -> Result<ReindexReport, StoreError> {
    rebuild_inner(layout, conn, true)
}

/// Rebuild into a reader's private (in-memory) index; never touches the files.
pub(crate) fn rebuild_readonly(
    layout: &Layout,
    conn: &mut Connection,
) -> Result<ReindexReport, StoreError> {
    rebuild_inner(layout, conn, false)
}

fn rebuild_inner(
    layout: &Layout,
    conn: &mut Connection,
    mutate: bool,
) -> Result<ReindexReport, StoreError> {
    let tx = conn.transaction()?;
    index::clear(&tx)?;
    let mut report = ReindexReport::default();
    for run in list_runs(layout)? {
        import_run(&tx, layout, &run, &HashSet::new(), mutate, &mut report)?;
    }
    index::meta_set(&tx, "index_version", index::INDEX_VERSION)?;
    tx.commit()?;
    Ok(report)
}

/// Bring an existing index up to date with the files, cheaply: new run directories are
/// imported, finished runs get their finish, unfinished runs get records the index
/// missed, runs gone from disk are dropped.
pub(crate) fn reconcile(layout: &Layout, conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let on_disk = list_runs(layout)?;
    let mut indexed: Vec<(String, bool)> = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT id, finished_at IS NOT NULL FROM runs")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
        for r in rows {
            indexed.push(r?);
        }
    }
    let disk_set: HashSet<&str> = on_disk.iter().map(String::as_str).collect();
    for (id, _) in &indexed {
        if !disk_set.contains(id.as_str()) {
            index::delete_run(&tx, id)?;
        }
    }
    let mut report = ReindexReport::default();
    for run in &on_disk {
        match indexed.iter().find(|(id, _)| id == run) {
            None => import_run(&tx, layout, run, &HashSet::new(), true, &mut report)?,
            Some((_, true)) => {}
            Some((_, false)) => {
                let files = record_names(layout, run)?;
                if files.len() as u64 != index::entry_count(&tx, run)? {
                    let known: HashSet<String> =
                        index::record_shas(&tx, run)?.into_iter().collect();
                    import_records(&tx, layout, run, &files, &known, false, &mut report)?;
                }
                if let Some((finished_at, digest, summary)) = read_finish(layout, run, true)? {
                    index::set_finished(&tx, run, &finished_at, &digest, &summary)?;
                }
            }
        }
    }
    tx.commit()?;
    Ok(())
}

/// Run directory names under `runs/` that are valid run ids, sorted.
pub(crate) fn list_runs(layout: &Layout) -> Result<Vec<String>, StoreError> {
    let dir = layout.runs_dir();
    let mut out = Vec::new();
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(StoreError::io(&dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(StoreError::io(&dir))?;
        if let Some(name) = entry.file_name().to_str() {
            if is_run_id(name) && entry.path().is_dir() {
                out.push(name.to_string());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Record digests (file names without `.json`) of a run, sorted.
pub(crate) fn record_names(layout: &Layout, run: &str) -> Result<Vec<String>, StoreError> {
    let dir = layout.records_dir(run);
    let mut out = Vec::new();
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(StoreError::io(&dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(StoreError::io(&dir))?;
        if let Some(sha) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.strip_suffix(".json"))
            .filter(|s| is_sha256_hex(s))
        {
            out.push(sha.to_string());
        }
    }
    out.sort();
    Ok(out)
}

fn import_run(
    tx: &Connection,
    layout: &Layout,
    run: &str,
    known: &HashSet<String>,
    mutate: bool,
    report: &mut ReindexReport,
) -> Result<(), StoreError> {
    let path = layout.run_file(run);
    let run_file: RunFile = match layout::read_limited(&path, layout::MAX_RECORD_BYTES)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        Some(r) => r,
        None => {
            tracing::warn!(path = %path.display(), "run file missing or unreadable; run skipped");
            return Ok(());
        }
    };
    index::insert_run(tx, run, &run_file.started_at, &run_file.info)?;
    report.runs += 1;
    let finish = read_finish(layout, run, mutate)?;
    let files = record_names(layout, run)?;
    import_records(tx, layout, run, &files, known, finish.is_none(), report)?;
    if let Some((finished_at, digest, summary)) = finish {
        index::set_finished(tx, run, &finished_at, &digest, &summary)?;
        report.finished_runs += 1;
    }
    Ok(())
}

fn import_records(
    tx: &Connection,
    layout: &Layout,
    run: &str,
    files: &[String],
    known: &HashSet<String>,
    frontier: bool,
    report: &mut ReindexReport,
) -> Result<(), StoreError> {
    let mut done = tx.prepare_cached(
        "INSERT OR IGNORE INTO frontier(run, url, depth, state) VALUES (?1, ?2, 0, ?3)",
    )?;
    for sha in files {
        if known.contains(sha) {
            continue;
        }
        let path = layout.record_file(run, sha);
        let Ok(bytes) = layout::read_limited(&path, layout::MAX_RECORD_BYTES) else {
            report.skipped_records += 1;
            continue;
        };
        if sha256_hex(&bytes) != *sha {
            tracing::warn!(path = %path.display(), "record does not match its name; skipped");
            report.skipped_records += 1;
            continue;
        }
        let record: Record = match serde_json::from_slice(&bytes) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "record does not parse; skipped");
                report.skipped_records += 1;
                continue;
            }
        };
        if record.run_id != run {
            report.skipped_records += 1;
            continue;
        }
        let row = EntryRow::from_record(&record, sha);
        if index::insert_entry(tx, &row)? {
            if row.kind == "captured" {
                report.captures += 1;
            } else {
                report.outcomes += 1;
            }
        }
        if frontier {
            done.execute(params![run, row.url, index::DONE])?;
        }
    }
    Ok(())
}

/// The finish of a run, from a sealed manifest: (finished_at, manifest digest, summary).
/// An unsealed manifest (no `manifest.sha256`) means unfinished; `mutate` removes it.
fn read_finish(
    layout: &Layout,
    run: &str,
    mutate: bool,
) -> Result<Option<(String, String, serde_json::Value)>, StoreError> {
    let manifest_path = layout.manifest_file(run);
    let digest_path = layout.manifest_digest_file(run);
    let Ok(digest_text) = fs::read_to_string(&digest_path) else {
        if mutate && manifest_path.exists() {
            fs::remove_file(&manifest_path).map_err(StoreError::io(&manifest_path))?;
            sync_dir(&layout.run_dir(run))?;
        }
        return Ok(None);
    };
    let digest = digest_text.get(..64).unwrap_or("").to_string();
    let manifest: Option<Manifest> =
        layout::read_limited(&manifest_path, layout::MAX_MANIFEST_BYTES)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
    Ok(Some(match manifest {
        Some(m) => (m.finished_at, digest, m.summary),
        None => {
            tracing::warn!(path = %manifest_path.display(), "manifest unreadable; run counted as finished");
            (String::new(), digest, serde_json::Value::Null)
        }
    }))
}

/// Fixed fields of a manifest.
pub(crate) struct ManifestHeader<'a> {
    pub run_id: &'a str,
    pub started_at: &'a str,
    pub finished_at: &'a str,
    pub run_json_sha256: &'a str,
    pub summary: &'a serde_json::Value,
}

/// Stream the manifest of a run from the index to `dest` (atomically); returns the
/// digest and length of the file. Entries are sorted by URL; one per line.
pub(crate) fn write_manifest(
    conn: &Connection,
    tmp: &mut TempDir,
    dest: &Path,
    h: &ManifestHeader<'_>,
) -> Result<(String, u64), StoreError> {
    let count = index::entry_count(conn, h.run_id)?;
    let mut stmt = conn.prepare(
        "SELECT url, kind, record_sha256, capture, content_sha256, raw_sha256, raw_bytes, http_status,
                target
         FROM entries WHERE run = ?1 ORDER BY url",
    )?;
    let mut rows = stmt.query([h.run_id])?;
    let mut failure: Option<StoreError> = None;
    let res = write_atomic_with(tmp, dest, |w| {
        let js = |v: &str| serde_json::to_string(v).unwrap_or_else(|_| "\"\"".into());
        write!(
            w,
            "{{\"format\":{},\"run_id\":{},\"started_at\":{},\"finished_at\":{},\"tool_version\":{},\"run_json_sha256\":{},\"summary\":{},\"entry_count\":{},\"entries\":[",
            js(layout::MANIFEST_FORMAT),
            js(h.run_id),
            js(h.started_at),
            js(h.finished_at),
            js(crate::TOOL_VERSION),
            js(h.run_json_sha256),
            h.summary,
            count
        )?;
        let mut first = true;
        loop {
            let row = match rows.next() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    failure = Some(e.into());
                    return Err(std::io::Error::other("index read failed"));
                }
            };
            let entry = match manifest_entry(h.run_id, row) {
                Ok(e) => e,
                Err(e) => {
                    failure = Some(e.into());
                    return Err(std::io::Error::other("index read failed"));
                }
            };
            w.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            serde_json::to_writer(&mut *w, &entry)?;
        }
        w.write_all(b"\n]}\n")
    });
    match (res, failure) {
        (_, Some(e)) => Err(e),
        (r, None) => r,
    }
}

fn manifest_entry(run: &str, r: &rusqlite::Row<'_>) -> rusqlite::Result<ManifestEntry> {
    let kind: String = r.get(1)?;
    let sha: String = r.get(2)?;
    let capture: Option<String> = r.get(3)?;
    let raw: Option<String> = r.get(5)?;
    let captured = kind == "captured";
    Ok(ManifestEntry {
        url: r.get(0)?,
        record: record_rel(run, &sha),
        record_sha256: sha,
        content_sha256: r.get(4)?,
        object: if captured {
            raw.as_deref().map(object_rel)
        } else {
            None
        },
        raw_sha256: raw,
        raw_bytes: r.get::<_, Option<i64>>(6)?.map(|b| b.max(0) as u64),
        previous: if kind == "not_modified" {
            capture
        } else {
            None
        },
        http_status: r.get(7)?,
        target: r.get(8)?,
        kind,
    })
}
