//! Group commit for a writer: objects and records are written to temp files at once
//! and made durable together — `fsync` of every temp file (in parallel), rename of the
//! objects, `fsync` of their directories, rename of the records, `fsync` of theirs,
//! then one index transaction. Owns the pending state and that order; a crash at any
//! step leaves temp files (removed by the next writer), orphan objects (harmless) or
//! records the index has not seen (reconciled by the next writer).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::Connection;

use super::atomic::sync_many;
use super::error::StoreError;
use super::index::{self, EntryRow};

/// When a writer flushes on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOptions {
    /// Flush after this many pending records (1: every put is durable on return).
    pub batch_records: usize,
    /// Flush when the oldest pending write is older than this many milliseconds
    /// (checked on every writer call).
    pub batch_millis: u64,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            batch_records: 64,
            batch_millis: 100,
        }
    }
}

#[derive(Debug)]
struct PendingFile {
    tmp: PathBuf,
    file: File,
    dest: PathBuf,
}

/// Writes not yet durable.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    objects: Vec<PendingFile>,
    object_lens: HashMap<String, u64>,
    records: Vec<(PendingFile, EntryRow)>,
    /// (run, url) -> record sha of pending outcomes.
    keys: HashMap<(String, String), String>,
    done: Vec<(String, String)>,
    urls: HashSet<String>,
    runs: HashSet<String>,
    since: Option<Instant>,
}

impl Batch {
    pub(crate) fn is_empty(&self) -> bool {
        self.objects.is_empty() && self.records.is_empty() && self.done.is_empty()
    }

    pub(crate) fn due(&self, opts: &WriterOptions) -> bool {
        self.records.len() >= opts.batch_records.max(1)
            || self
                .since
                .is_some_and(|t| t.elapsed().as_millis() as u64 >= opts.batch_millis)
    }

    fn touch(&mut self) {
        self.since.get_or_insert_with(Instant::now);
    }

    pub(crate) fn object_len(&self, sha: &str) -> Option<u64> {
        self.object_lens.get(sha).copied()
    }

    pub(crate) fn add_object(
        &mut self,
        sha: String,
        len: u64,
        tmp: PathBuf,
        file: File,
        dest: PathBuf,
    ) {
        self.touch();
        self.object_lens.insert(sha, len);
        self.objects.push(PendingFile { tmp, file, dest });
    }

    pub(crate) fn record_for(&self, run: &str, url: &str) -> Option<&String> {
        self.keys.get(&(run.to_string(), url.to_string()))
    }

    pub(crate) fn add_record(&mut self, tmp: PathBuf, file: File, dest: PathBuf, row: EntryRow) {
        self.touch();
        self.urls.insert(row.url.clone());
        self.runs.insert(row.run.clone());
        self.keys.insert(
            (row.run.clone(), row.url.clone()),
            row.record_sha256.clone(),
        );
        self.records.push((PendingFile { tmp, file, dest }, row));
    }

    /// True when a pending record is for this URL (in any run).
    pub(crate) fn has_url(&self, url: &str) -> bool {
        self.urls.contains(url)
    }

    /// True when a pending record or frontier mark belongs to this run.
    pub(crate) fn has_run(&self, run: &str) -> bool {
        self.runs.contains(run)
    }

    /// Defer a frontier "done" if its outcome is still pending; true when deferred.
    pub(crate) fn defer_done(&mut self, run: &str, url: &str) -> bool {
        if self.keys.contains_key(&(run.to_string(), url.to_string())) {
            self.done.push((run.to_string(), url.to_string()));
            true
        } else {
            false
        }
    }

    /// Make every pending write durable and visible, in order. The batch is empty
    /// afterwards, whatever the result.
    pub(crate) fn flush(
        &mut self,
        conn: &Connection,
        mirror: Option<&super::Mirror>,
    ) -> Result<(), StoreError> {
        let batch = std::mem::take(self);
        if batch.is_empty() {
            return Ok(());
        }
        let result = batch.commit(conn, mirror);
        if result.is_err() {
            if let Some(m) = mirror {
                // Uploads still running finish or fail on their own; the next batch
                // does not wait for them (what they leave is pushed by the next writer).
                m.forget();
            }
            // Leave nothing half-done behind in tmp/ (renamed files are complete).
            for p in batch
                .objects
                .iter()
                .chain(batch.records.iter().map(|(p, _)| p))
            {
                let _ = fs::remove_file(&p.tmp);
            }
        }
        result
    }

    fn commit(&self, conn: &Connection, mirror: Option<&super::Mirror>) -> Result<(), StoreError> {
        let files: Vec<(&Path, Option<&File>)> = self
            .objects
            .iter()
            .chain(self.records.iter().map(|(p, _)| p))
            .map(|p| (p.tmp.as_path(), Some(&p.file)))
            .collect();
        sync_many(&files)?;
        rename_all(self.objects.iter())?;
        rename_all(self.records.iter().map(|(p, _)| p))?;
        if let Some(m) = mirror {
            // In the bucket before the index row: the index never names what the
            // bucket lacks; a failure here leaves local files the next writer pushes.
            // The uploads began as the files were put (see `Mirror`); this waits for
            // what is left of them.
            m.commit()?;
        }
        // The writer is the only user of its connection and holds no other transaction
        // while flushing, so an unchecked transaction is safe here.
        let tx = conn.unchecked_transaction()?;
        for (_, row) in &self.records {
            index::insert_entry(&tx, row)?;
        }
        for (run, url) in &self.done {
            index::frontier_done(&tx, run, url)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Rename pending files into place, then fsync each destination directory once.
fn rename_all<'a>(files: impl Iterator<Item = &'a PendingFile>) -> Result<(), StoreError> {
    let mut dirs = BTreeSet::new();
    for p in files {
        fs::rename(&p.tmp, &p.dest).map_err(StoreError::io(&p.dest))?;
        if let Some(d) = p.dest.parent() {
            dirs.insert(d.to_path_buf());
        }
    }
    let items: Vec<(&Path, Option<&File>)> = dirs.iter().map(|d| (d.as_path(), None)).collect();
    sync_many(&items)
}
