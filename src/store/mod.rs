//! The snapshot store: content-addressed raw bodies, one immutable record per URL
//! outcome of a run, a manifest (with its own digest) per finished run, and a SQLite
//! index that is only a cache of those files. The only module that writes under a store
//! root; it must not fetch, extract or decide crawl policy.
//!
//! Write order is always object → record → index row, every file written atomically
//! and durably ([`atomic`]), so a process killed at any instant leaves files that
//! verify, and an index that a writer reconciles from the files when it next opens
//! ([`rebuild`]). One writer at a time ([`lock`]); readers never take the lock.
//! The on-disk layout is documented in [`layout`] and `snapshots/README.md`.

mod atomic;
mod batch;
mod error;
mod index;
pub mod layout;
mod lock;
mod rebuild;
mod record;
pub mod s3;
#[doc(hidden)]
pub mod synthetic;
mod verify;

use std::fs;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::Serialize;

pub use batch::WriterOptions;
pub use error::StoreError;
pub use record::{parse_file, FileKind, ParsedFile};
pub use s3::{default_cache_dir, S3Location, S3Options, StoreLocation};
pub use verify::{Problem, ProblemKind, VerifyReport};

use atomic::{create_dir_durable, sync_dir, write_atomic, write_temp, TempDir};
use batch::Batch;
use layout::{is_run_id, is_sha256_hex, object_rel, Layout};
use lock::WriterLock;
use record::{Record, RecordOutcome, RunFile};

use crate::model::{sha256_hex, Article, PageType, Redirect};

/// Id of a crawl run: `YYYYMMDDTHHMMSSZ-<6 hex>`, sortable by start time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RunId(pub String);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Id of a capture: `<run id>/<sha256 of its record file>`. Stable: it names the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CaptureId(pub String);

impl std::fmt::Display for CaptureId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored raw body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    /// SHA-256 (hex) of the bytes.
    pub sha256: String,
    /// Length in bytes.
    pub len: u64,
    /// Path relative to the store root (`objects/sha256/ab/ab…`).
    pub path: String,
}

/// A run as the index knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// The run id.
    pub id: RunId,
    /// RFC 3339 UTC start time.
    pub started_at: String,
    /// RFC 3339 UTC finish time; `None` while the run is unfinished.
    pub finished_at: Option<String>,
    /// SHA-256 of the run's manifest, once finished.
    pub manifest_sha256: Option<String>,
    /// Seeds and configuration given to `begin_run`.
    pub info: serde_json::Value,
    /// Summary given to `finish_run`.
    pub summary: Option<serde_json::Value>,
}

impl RunInfo {
    /// Does this run hold only earlier captures of URLs that a later run of the same
    /// command holds as well (`quire import` of a URL captured several times marks
    /// such runs `"role": "earlier_captures"`)? Such a run is history, not a state of
    /// the site: the default comparisons (`quire changes`, `quire serve`) pass over it.
    pub fn holds_earlier_captures(&self) -> bool {
        self.info.get("role").and_then(|v| v.as_str()) == Some("earlier_captures")
    }
}

/// A non-capture outcome for a URL in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// 304: the previous capture still holds.
    NotModified {
        /// The capture that was revalidated.
        previous: CaptureId,
    },
    /// The page could not be fetched or processed.
    Failed {
        /// Why.
        reason: String,
        /// HTTP status, when there was a response.
        http_status: Option<u16>,
    },
    /// The page is gone (404/410).
    Gone {
        /// The status.
        http_status: u16,
    },
    /// The URL redirected to `target`, an article whose own outcome is recorded under
    /// `target`: the URL is an alias of it, not a page of its own.
    Alias {
        /// Where the redirects led (canonical URL, not the URL itself).
        target: String,
        /// The hops from the URL to `target`, in order (evidence; may be empty).
        redirects: Vec<Redirect>,
    },
}

/// One URL outcome of a run, as streamed by [`Store::for_each_entry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunEntry {
    /// The URL.
    pub url: String,
    /// What happened.
    pub kind: EntryKind,
    /// Page type of the capture (or of the revalidated previous capture), when known.
    pub page_type: Option<PageType>,
}

/// What happened to a URL in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntryKind {
    /// Fetched and stored.
    Captured {
        /// The capture.
        capture: CaptureId,
        /// Its content digest.
        content_sha256: String,
        /// Its raw body digest.
        raw_sha256: String,
    },
    /// 304 Not Modified.
    NotModified {
        /// The previous capture (still current).
        capture: CaptureId,
        /// Its content digest.
        content_sha256: String,
        /// Its raw body digest.
        raw_sha256: String,
    },
    /// Failed, with the reason.
    Failed {
        /// Why.
        reason: String,
        /// HTTP status, when there was a response.
        http_status: Option<u16>,
    },
    /// Gone (404/410).
    Gone {
        /// The status.
        http_status: u16,
    },
    /// The URL redirected to `target` (an alias of the article recorded there).
    Alias {
        /// The URL it led to.
        target: String,
    },
}

/// The captures of one article: the URL it resolves to, the URLs recorded as its
/// aliases, and every capture made under any of them, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleHistory {
    /// The article's URL: the URL asked about, or where its aliases lead.
    pub url: String,
    /// URLs recorded (in any run) as redirecting to it, sorted.
    pub aliases: Vec<String>,
    /// Its captures, oldest first (captures an old store made under an alias URL
    /// included).
    pub captures: Vec<CaptureSummary>,
}

/// One capture, as listed by history and the export streams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaptureSummary {
    /// The capture id.
    pub id: CaptureId,
    /// The run it belongs to.
    pub run: RunId,
    /// The URL.
    pub url: String,
    /// When the response was received.
    pub fetched_at: Option<String>,
    /// HTTP status of the final response.
    pub http_status: Option<u16>,
    /// Content digest.
    pub content_sha256: String,
    /// Raw body digest.
    pub raw_sha256: String,
    /// Raw body length.
    pub raw_bytes: u64,
    /// `ETag` of the response.
    pub etag: Option<String>,
    /// `Last-Modified` of the response.
    pub last_modified: Option<String>,
}

/// Frontier sizes of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct FrontierCounts {
    /// Waiting to be fetched.
    pub pending: u64,
    /// Taken, not yet done.
    pub in_flight: u64,
    /// Done.
    pub done: u64,
}

/// What `reindex` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReindexReport {
    /// Runs indexed.
    pub runs: u64,
    /// Of which finished.
    pub finished_runs: u64,
    /// Captures indexed.
    pub captures: u64,
    /// Other outcomes indexed.
    pub outcomes: u64,
    /// Record files skipped because they did not verify or parse.
    pub skipped_records: u64,
}

#[derive(Debug)]
struct WriterState {
    _lock: WriterLock,
    tmp: TempDir,
    batch: std::cell::RefCell<Batch>,
    opts: WriterOptions,
    /// Set when the store is on S3: every commit is uploaded before the index sees it.
    mirror: Option<Mirror>,
}

/// The bucket side of a writer on S3: the connection, this cache's id, the leases of
/// the runs this writer holds, and the uploads of the pending batch, started in the
/// background as its objects and records are put.
#[derive(Debug)]
pub(crate) struct Mirror {
    remote: std::sync::Arc<s3::Remote>,
    root: PathBuf,
    cache_id: String,
    leases: std::cell::RefCell<Vec<s3::Lease>>,
    objects: std::cell::RefCell<Vec<s3::Upload>>,
    records: std::cell::RefCell<Vec<s3::Upload>>,
}

impl Mirror {
    /// Start uploading a new object of the batch (its bytes, as put).
    fn upload_object(&self, rel: &str, bytes: &[u8]) {
        let up = self
            .remote
            .spawn_create(rel, bytes.to_vec(), Vec::new(), Vec::new());
        self.objects.borrow_mut().push(up);
    }

    /// Start uploading a new record of the batch, to be made once every object of the
    /// batch put before it is in the bucket (the objects it names are among them, or
    /// were uploaded by an earlier flush or at open), and not once a lease is lost.
    fn upload_record(&self, rel: &str, bytes: &[u8]) {
        let after = self.objects.borrow().clone();
        let lost = self
            .leases
            .borrow()
            .iter()
            .map(s3::Lease::lost_flag)
            .collect();
        let up = self.remote.spawn_create(rel, bytes.to_vec(), after, lost);
        self.records.borrow_mut().push(up);
    }

    /// Stop tracking the batch's uploads (its flush failed).
    pub(crate) fn forget(&self) {
        self.objects.borrow_mut().clear();
        self.records.borrow_mut().clear();
    }

    /// The bucket side of one group commit: wait until the batch's objects and
    /// records, uploading since they were put, are all in the bucket (objects before
    /// records, as on disk). Clears the batch's uploads, whatever the result.
    pub(crate) fn commit(&self) -> Result<(), StoreError> {
        let mut uploads = std::mem::take(&mut *self.objects.borrow_mut());
        uploads.append(&mut self.records.borrow_mut());
        if let Some(l) = self.leases.borrow().iter().find(|l| l.is_lost()) {
            return Err(StoreError::Locked {
                holder: format!(
                    "the lease on run {} was taken over by another writer",
                    l.run
                ),
            });
        }
        self.remote.wait(uploads)
    }

    fn own_marker(&self, run: &str) -> PathBuf {
        self.root.join("own-runs").join(run)
    }

    /// Take the lease of `run` (unless held) and mark the run as begun by this cache.
    fn hold(&self, run: &str) -> Result<(), StoreError> {
        if self
            .leases
            .borrow()
            .iter()
            .any(|l| l.run == run && !l.is_lost())
        {
            return Ok(());
        }
        let lease = s3::Lease::acquire(&self.remote, run, &self.cache_id)?;
        self.leases.borrow_mut().retain(|l| l.run != run);
        self.leases.borrow_mut().push(lease);
        let marker = self.own_marker(run);
        if let Some(dir) = marker.parent() {
            fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        }
        fs::write(&marker, b"").map_err(StoreError::io(&marker))
    }
}

/// A snapshot store opened for reading or for writing.
#[derive(Debug)]
pub struct Store {
    layout: Layout,
    conn: Connection,
    writer: Option<WriterState>,
    /// The version in the store's format file (raised when the first alias is put).
    format_version: u32,
    /// A reader whose index is a private in-memory rebuild (the on-disk index was
    /// absent, of another version, or unreadable): it never sees later writes.
    private_index: bool,
    /// `s3://…` when the store is in a bucket (`layout.root` is then its local cache).
    location: Option<S3Location>,
}

#[allow(dead_code)]
fn assert_send() {
    fn is_send<T: Send>() {}
    is_send::<Store>();
}

#[derive(Debug, Serialize, serde::Deserialize)]
struct FormatFile {
    format: String,
    version: u32,
}

/// Where a store's SQLite index lives (it may be absent).
pub fn index_path(root: &Path) -> PathBuf {
    Layout::new(root).index_file()
}

impl Store {
    /// Open (creating the layout if absent) for writing. Takes the exclusive writer lock
    /// or fails at once with [`StoreError::Locked`]. Empties `tmp/` and reconciles the
    /// index with the files (rebuilding it when missing).
    pub fn open_writer(root: &Path) -> Result<Store, StoreError> {
        Store::open_writer_with(root, WriterOptions::default())
    }

    /// [`Store::open_writer`] with explicit group-commit settings.
    pub fn open_writer_with(root: &Path, opts: WriterOptions) -> Result<Store, StoreError> {
        let layout = Layout::new(root);
        create_dir_durable(root)?;
        let lock = WriterLock::acquire(&layout.lock_file())?;
        let tmp_dir = layout.tmp_dir();
        create_dir_durable(&tmp_dir)?;
        clean_tmp(&tmp_dir)?;
        let mut tmp = TempDir::new(tmp_dir);
        let format_path = layout.format_file();
        let format_version = if format_path.exists() {
            check_format(&format_path)?
        } else {
            write_format(&mut tmp, &format_path, layout::BASE_FORMAT_VERSION)?;
            layout::BASE_FORMAT_VERSION
        };
        let objects = layout.objects_dir();
        create_dir_durable(&objects)?;
        let mut created = false;
        for fan in 0..=255u8 {
            let dir = objects.join(format!("{fan:02x}"));
            match fs::create_dir(&dir) {
                Ok(()) => created = true,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(StoreError::io(&dir)(e)),
            }
        }
        if created {
            sync_dir(&objects)?;
        }
        create_dir_durable(&layout.runs_dir())?;
        let index_path = layout.index_file();
        let existed = index_path.exists();
        let mut conn = index::open_writer(&index_path)?;
        let version = index::meta_get(&conn, "index_version")?;
        if !existed || version.as_deref() != Some(index::INDEX_VERSION) {
            rebuild::rebuild(&layout, &mut conn)?;
        } else {
            rebuild::reconcile(&layout, &mut conn)?;
        }
        Ok(Store {
            layout,
            conn,
            writer: Some(WriterState {
                _lock: lock,
                tmp,
                batch: std::cell::RefCell::new(Batch::default()),
                opts,
                mirror: None,
            }),
            format_version,
            private_index: false,
            location: None,
        })
    }

    /// Open for reading. Never takes the lock, never writes. When the store has no
    /// index file yet, builds one in memory from the files.
    pub fn open_reader(root: &Path) -> Result<Store, StoreError> {
        let layout = Layout::new(root);
        let format_path = layout.format_file();
        if !format_path.exists() {
            return Err(StoreError::NotFound(format!(
                "no quire store at {} (missing {})",
                root.display(),
                layout::FORMAT_FILE
            )));
        }
        let format_version = check_format(&format_path)?;
        let index_path = layout.index_file();
        // An index that is absent, of another version, or that cannot be opened (e.g. a
        // store on read-only media) is replaced by a private in-memory one.
        let opened = if index_path.exists() {
            index::open_reader(&index_path).ok().filter(|conn| {
                matches!(index::meta_get(conn, "index_version"),
                    Ok(Some(v)) if v == index::INDEX_VERSION)
            })
        } else {
            None
        };
        let private_index = opened.is_none();
        let conn = match opened {
            Some(conn) => conn,
            None => memory_index(&layout)?,
        };
        Ok(Store {
            layout,
            conn,
            writer: None,
            format_version,
            private_index,
            location: None,
        })
    }

    /// Open a store at a location for writing: [`Store::open_writer`] for a directory;
    /// for `s3://…`, see [`Store::open_writer_s3`] (default [`S3Options`], with
    /// `cache_dir` as its cache when given).
    pub fn open_writer_at(
        loc: &StoreLocation,
        cache_dir: Option<&Path>,
    ) -> Result<Store, StoreError> {
        match loc {
            StoreLocation::Local(root) => Store::open_writer(root),
            StoreLocation::S3(s3loc) => Store::open_writer_s3(
                s3loc,
                S3Options {
                    cache_dir: cache_dir.map(Path::to_path_buf),
                    ..S3Options::default()
                },
                WriterOptions::default(),
            ),
        }
    }

    /// Open a store at a location for reading ([`Store::open_reader`] for a directory,
    /// [`Store::open_reader_s3`] for a bucket).
    pub fn open_reader_at(
        loc: &StoreLocation,
        cache_dir: Option<&Path>,
    ) -> Result<Store, StoreError> {
        match loc {
            StoreLocation::Local(root) => Store::open_reader(root),
            StoreLocation::S3(s3loc) => Store::open_reader_s3(
                s3loc,
                S3Options {
                    cache_dir: cache_dir.map(Path::to_path_buf),
                    ..S3Options::default()
                },
            ),
        }
    }

    /// Verify a store at a location ([`Store::verify_root`] for a directory,
    /// [`Store::verify_s3`] for a bucket).
    pub fn verify_at(
        loc: &StoreLocation,
        cache_dir: Option<&Path>,
    ) -> Result<VerifyReport, StoreError> {
        match loc {
            StoreLocation::Local(root) => Store::verify_root(root),
            StoreLocation::S3(s3loc) => Store::verify_s3(
                s3loc,
                &S3Options {
                    cache_dir: cache_dir.map(Path::to_path_buf),
                    ..S3Options::default()
                },
            ),
        }
    }

    fn s3_cache(loc: &S3Location, opts: &S3Options) -> Result<PathBuf, StoreError> {
        let cache = opts
            .cache_dir
            .clone()
            .unwrap_or_else(|| s3::default_cache_dir(loc));
        fs::create_dir_all(&cache).map_err(StoreError::io(&cache))?;
        Ok(cache)
    }

    /// Open the store in a bucket for writing. Its local cache directory
    /// (`opts.cache_dir`, default [`default_cache_dir`]) holds the SQLite index, this
    /// machine's crawl frontier and a copy of the files: the writer copies in what the
    /// bucket has and the cache lacks, takes the cache's lock, reconciles the index,
    /// and uploads what an earlier writer of this cache committed locally but never
    /// uploaded. Then every group commit is uploaded (objects, then records, each with
    /// `If-None-Match: *`) before the index sees it; each run it begins or resumes is
    /// held by a lease object ([`s3`]), so several writers can share one bucket, each
    /// run being one writer's.
    pub fn open_writer_s3(
        loc: &S3Location,
        opts: S3Options,
        wopts: WriterOptions,
    ) -> Result<Store, StoreError> {
        let cache = Store::s3_cache(loc, &opts)?;
        let remote = std::sync::Arc::new(s3::Remote::connect(loc, opts)?);
        let listing = remote.list()?;
        sync_format(&remote, &cache, &listing)?;
        s3::pull(&remote, &cache, &listing)?;
        let mut store = Store::open_writer_with(&cache, wopts)?;
        s3::push(&remote, &cache, &listing)?;
        let cache_id = s3::cache_id(&cache)?;
        if let Some(w) = store.writer.as_mut() {
            w.mirror = Some(Mirror {
                remote,
                root: cache,
                cache_id,
                leases: std::cell::RefCell::new(Vec::new()),
                objects: std::cell::RefCell::new(Vec::new()),
                records: std::cell::RefCell::new(Vec::new()),
            });
        }
        store.location = Some(loc.clone());
        Ok(store)
    }

    /// Open the store in a bucket for reading: copy into the local cache what the
    /// bucket has and the cache lacks, bring the cache's index up to date when it can
    /// take the cache's lock (else read it as it is, or rebuild it in memory), and read
    /// from the cache. A snapshot of the bucket at open time.
    pub fn open_reader_s3(loc: &S3Location, opts: S3Options) -> Result<Store, StoreError> {
        let cache = Store::s3_cache(loc, &opts)?;
        let remote = s3::Remote::connect(loc, opts)?;
        let listing = remote.list()?;
        if !listing.contains_key(layout::FORMAT_FILE) {
            return Err(StoreError::NotFound(format!(
                "no quire store at {loc} (missing {})",
                layout::FORMAT_FILE
            )));
        }
        sync_format(&remote, &cache, &listing)?;
        let copied = s3::pull(&remote, &cache, &listing)?;
        if copied > 0 || !layout::Layout::new(&cache).index_file().exists() {
            match Store::open_writer(&cache) {
                Ok(w) => drop(w),
                Err(StoreError::Locked { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let mut store = Store::open_reader(&cache)?;
        store.location = Some(loc.clone());
        Ok(store)
    }

    /// Verify the store in a bucket: download every object, record, run file and
    /// manifest afresh (streaming, `opts.parallelism` at a time) into a scratch
    /// directory of the cache, run the same checks as on disk there, and report the
    /// problems by their `s3://` names. Never trusts the cache's own copies.
    pub fn verify_s3(loc: &S3Location, opts: &S3Options) -> Result<VerifyReport, StoreError> {
        let cache = Store::s3_cache(loc, opts)?;
        let remote = s3::Remote::connect(loc, opts.clone())?;
        let listing = remote.list()?;
        if listing.is_empty() {
            return Err(StoreError::NotFound(format!("no quire store at {loc}")));
        }
        let fresh = s3::fresh_copy_dir(&cache);
        let rels: Vec<String> = listing
            .keys()
            .filter(|k| !k.starts_with("leases/"))
            .cloned()
            .collect();
        let result = remote
            .download(&fresh, &fresh.join("tmp"), &rels)
            .and_then(|_| {
                // A bucket has no empty directories: a run begun and not yet given a
                // record has its run file only; on disk its records/ directory exists.
                for rel in &rels {
                    if let Some(run) = rel
                        .strip_prefix("runs/")
                        .and_then(|r| r.strip_suffix("/run.json"))
                        .filter(|r| layout::is_run_id(r))
                    {
                        let dir = fresh.join("runs").join(run).join("records");
                        fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
                    }
                }
                verify::verify(&Layout::new(&fresh))
            });
        let _ = fs::remove_dir_all(&fresh);
        let mut report = result?;
        let name = |p: &Path| -> PathBuf {
            match p.strip_prefix(&fresh) {
                Ok(rel) => PathBuf::from(format!("{loc}/{}", rel.display())),
                Err(_) => p.to_path_buf(),
            }
        };
        for p in &mut report.problems {
            p.path = name(&p.path);
        }
        for h in &mut report.harmless {
            *h = name(h);
        }
        Ok(report)
    }

    /// The bucket location of a store opened on S3 (`None` for a local store).
    pub fn s3_location(&self) -> Option<&S3Location> {
        self.location.as_ref()
    }

    /// Does this reader see what writers commit later? True when it reads the
    /// store's on-disk SQLite index (each query sees the latest committed state);
    /// false for a private in-memory rebuild, which is a snapshot of open time.
    pub fn sees_later_writes(&self) -> bool {
        self.writer.is_some() || !self.private_index
    }

    /// The store root.
    pub fn root(&self) -> &Path {
        &self.layout.root
    }

    /// Make every pending write durable and visible (objects, then records, then index
    /// rows). Writers group-commit: a put returns once its temp file is written, and is
    /// durable after the next flush — after [`WriterOptions::batch_records`] records,
    /// [`WriterOptions::batch_millis`] ms, `finish_run`, or when the store is dropped.
    /// A crash before the flush loses those puts cleanly (the frontier still has them).
    pub fn flush(&mut self) -> Result<(), StoreError> {
        match self.writer.as_mut() {
            Some(w) => w.batch.get_mut().flush(&self.conn, w.mirror.as_ref()),
            None => Ok(()),
        }
    }

    /// Read-your-writes: before a read that the pending batch could affect, flush it.
    /// Reads it cannot affect (e.g. `latest_capture` of a URL not in the batch) keep
    /// the batch, so the crawler's hot path still group-commits.
    fn flush_if(&self, affects: impl FnOnce(&Batch) -> bool) -> Result<(), StoreError> {
        if let Some(w) = &self.writer {
            let mut b = w.batch.borrow_mut();
            if !b.is_empty() && affects(&b) {
                b.flush(&self.conn, w.mirror.as_ref())?;
            }
        }
        Ok(())
    }

    fn maybe_flush(&mut self) -> Result<(), StoreError> {
        match self.writer.as_mut() {
            Some(w) if w.batch.borrow().due(&w.opts) => {
                w.batch.get_mut().flush(&self.conn, w.mirror.as_ref())
            }
            _ => Ok(()),
        }
    }

    /// Raise the store's format version to at least `version` (durably, before the
    /// caller writes anything that needs it).
    fn ensure_format(&mut self, version: u32) -> Result<(), StoreError> {
        if self.format_version >= version {
            return Ok(());
        }
        let path = self.layout.format_file();
        let w = self.writer()?;
        write_format(&mut w.tmp, &path, version)?;
        if let Some(m) = &w.mirror {
            let bytes = layout::read_limited(&path, layout::MAX_RECORD_BYTES)
                .map_err(StoreError::io(&path))?;
            m.remote.put_overwrite(layout::FORMAT_FILE, bytes)?;
        }
        self.format_version = version;
        Ok(())
    }

    /// The store's format version (1, or 2 once it holds an alias record).
    pub fn format_version(&self) -> u32 {
        self.format_version
    }

    fn writer(&mut self) -> Result<&mut WriterState, StoreError> {
        self.writer
            .as_mut()
            .ok_or_else(|| StoreError::Invalid("the store was opened read-only".into()))
    }

    // ---- runs ----

    /// Begin a run; `info` (seeds, configuration) is stored in its `run.json`.
    pub fn begin_run(&mut self, info: &serde_json::Value) -> Result<RunId, StoreError> {
        let runs_dir = self.layout.runs_dir();
        let last: Option<String> = self
            .conn
            .prepare_cached("SELECT max(id) FROM runs")?
            .query_row([], |r| r.get(0))?;
        // Run ids should sort after every existing one (and must be new on disk); if the
        // clock stays behind the last run for 2 s, accept any new id rather than hang.
        let mut tries = 0u32;
        let (now, id) = loop {
            let now = chrono::Utc::now();
            let id = layout::new_run_id(now);
            let after_last = last.as_deref().is_none_or(|l| id.as_str() > l);
            if (after_last || tries >= 2000) && !runs_dir.join(&id).exists() {
                break (now, id);
            }
            tries += 1;
            std::thread::sleep(std::time::Duration::from_millis(1));
        };
        let started_at = layout::timestamp(now);
        let run_file = RunFile {
            format: layout::RUN_FORMAT.into(),
            run_id: id.clone(),
            started_at: started_at.clone(),
            tool_version: crate::TOOL_VERSION.into(),
            info: info.clone(),
        };
        let mut bytes =
            serde_json::to_vec_pretty(&run_file).map_err(|e| StoreError::Invalid(e.to_string()))?;
        bytes.push(b'\n');
        // Stage the whole run directory in tmp/, then rename it into runs/ in one step.
        let w = self.writer()?;
        let stage = w.tmp.next();
        fs::create_dir(&stage).map_err(StoreError::io(&stage))?;
        let records = stage.join("records");
        fs::create_dir(&records).map_err(StoreError::io(&records))?;
        let run_json = stage.join("run.json");
        {
            use std::io::Write;
            let mut f = fs::File::create(&run_json).map_err(StoreError::io(&run_json))?;
            f.write_all(&bytes).map_err(StoreError::io(&run_json))?;
            f.sync_all().map_err(StoreError::io(&run_json))?;
        }
        sync_dir(&records)?;
        sync_dir(&stage)?;
        let dest = self.layout.run_dir(&id);
        fs::rename(&stage, &dest).map_err(StoreError::io(&dest))?;
        sync_dir(&runs_dir)?;
        index::insert_run(&self.conn, &id, &started_at, info)?;
        if let Some(m) = self.writer.as_ref().and_then(|w| w.mirror.as_ref()) {
            // The lease first, then the run file: a run in the bucket always had a
            // writer holding it.
            m.hold(&id)?;
            m.remote
                .upload_files(&m.root, &[self.layout.run_file(&id)])?;
        }
        Ok(RunId(id))
    }

    /// The most recent run that was begun and never finished (a crash or Ctrl-C).
    ///
    /// On S3, only a run that this cache directory began (its frontier is here) and
    /// whose lease this writer can take: runs of other crawlers, live or not, are
    /// theirs to resume.
    pub fn unfinished_run(&self) -> Result<Option<RunId>, StoreError> {
        use rusqlite::OptionalExtension;
        if let Some(m) = self.writer.as_ref().and_then(|w| w.mirror.as_ref()) {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id FROM runs WHERE finished_at IS NULL ORDER BY started_at DESC, id DESC",
            )?;
            let ids: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()?;
            for id in ids {
                if !m.own_marker(&id).exists() {
                    continue;
                }
                match m.hold(&id) {
                    Ok(()) => return Ok(Some(RunId(id))),
                    Err(StoreError::Locked { holder }) => {
                        tracing::info!(run = %id, %holder, "unfinished run held by another writer");
                    }
                    Err(e) => return Err(e),
                }
            }
            return Ok(None);
        }
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM runs WHERE finished_at IS NULL ORDER BY started_at DESC, id DESC LIMIT 1",
            )?
            .query_row([], |r| r.get::<_, String>(0))
            .optional()?
            .map(RunId))
    }

    /// Take over an unfinished run explicitly (e.g. one begun on another machine whose
    /// crawler is gone). On S3, takes the run's lease: [`StoreError::Locked`] while a
    /// live writer holds it, and of two writers racing for an expired or released
    /// lease exactly one wins. On a local store the writer lock already makes every
    /// run this writer's. Fails for an unknown or finished run.
    pub fn hold_run(&mut self, run: &RunId) -> Result<(), StoreError> {
        self.writer()?;
        self.open_run(run)?;
        match self.writer.as_ref().and_then(|w| w.mirror.as_ref()) {
            Some(m) => m.hold(&run.0),
            None => Ok(()),
        }
    }

    /// One run as the index knows it, if the store has it.
    pub fn run_info(&self, run: &str) -> Result<Option<RunInfo>, StoreError> {
        use rusqlite::OptionalExtension;
        let row = self
            .conn
            .prepare_cached(
                "SELECT id, started_at, finished_at, manifest_sha256, info, summary FROM runs WHERE id = ?1",
            )?
            .query_row([run], run_from_row)
            .optional()?;
        Ok(row)
    }

    fn open_run(&self, run: &RunId) -> Result<(), StoreError> {
        match self.run_info(&run.0)? {
            None => Err(StoreError::NotFound(format!("run {run}"))),
            Some(r) if r.finished_at.is_some() => Err(StoreError::RunFinished(run.0.clone())),
            Some(_) => Ok(()),
        }
    }

    /// Finish a run: write its manifest (every entry, sorted by URL, with digests) and
    /// `manifest.sha256`. Finishing a finished run returns its info unchanged.
    pub fn finish_run(
        &mut self,
        run: &RunId,
        summary: &serde_json::Value,
    ) -> Result<RunInfo, StoreError> {
        self.flush()?;
        let info = self
            .run_info(&run.0)?
            .ok_or_else(|| StoreError::NotFound(format!("run {run}")))?;
        if info.finished_at.is_some() {
            return Ok(info);
        }
        let finished_at = layout::timestamp(chrono::Utc::now());
        let run_json_path = self.layout.run_file(&run.0);
        let run_json = layout::read_limited(&run_json_path, layout::MAX_RECORD_BYTES)
            .map_err(StoreError::io(&run_json_path))?;
        let header = rebuild::ManifestHeader {
            run_id: &run.0,
            started_at: &info.started_at,
            finished_at: &finished_at,
            run_json_sha256: &sha256_hex(&run_json),
            summary,
        };
        let manifest_path = self.layout.manifest_file(&run.0);
        let digest_path = self.layout.manifest_digest_file(&run.0);
        let Some(w) = self.writer.as_mut() else {
            return Err(StoreError::Invalid("the store was opened read-only".into()));
        };
        let (digest, _) = rebuild::write_manifest(&self.conn, &mut w.tmp, &manifest_path, &header)?;
        write_atomic(
            &mut w.tmp,
            &digest_path,
            format!("{digest}  manifest.json\n").as_bytes(),
        )?;
        if let Some(m) = &w.mirror {
            m.hold(&run.0)?;
            // The manifest may be rewritten until its seal exists; the seal last.
            let bytes = layout::read_limited(&manifest_path, layout::MAX_MANIFEST_BYTES)
                .map_err(StoreError::io(&manifest_path))?;
            m.remote
                .put_overwrite(&format!("runs/{}/manifest.json", run.0), bytes)?;
            m.remote
                .upload_files(&m.root, std::slice::from_ref(&digest_path))?;
            m.leases.borrow_mut().retain(|l| l.run != run.0);
        }
        index::set_finished(&self.conn, &run.0, &finished_at, &digest, summary)?;
        Ok(RunInfo {
            finished_at: Some(finished_at),
            manifest_sha256: Some(digest),
            summary: Some(summary.clone()),
            ..info
        })
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, started_at, finished_at, manifest_sha256, info, summary FROM runs ORDER BY started_at, id",
        )?;
        let rows = stmt.query_map([], run_from_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r?);
        }
        Ok(out)
    }

    /// Articles whose URL or latest title contains `needle` (case-insensitive for
    /// ASCII), with their latest capture, sorted by URL; at most `limit`.
    pub fn search(&self, needle: &str, limit: usize) -> Result<Vec<CaptureSummary>, StoreError> {
        self.flush_if(|b| !b.is_empty())?;
        // LIKE's wildcards and its escape character, taken literally.
        let mut escaped = String::with_capacity(needle.len() + 8);
        for c in needle.chars() {
            if matches!(c, '%' | '_' | '\\') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS_E} FROM entries e WHERE e.kind = 'captured'
               AND (e.url LIKE ?1 ESCAPE '\\' OR e.title LIKE ?1 ESCAPE '\\')
               AND e.run = (SELECT max(l.run) FROM entries l WHERE l.url = e.url AND l.kind = 'captured')
             ORDER BY e.url LIMIT ?2"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query(rusqlite::params![format!("%{escaped}%"), limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(summary_from_row(r)?);
        }
        Ok(out)
    }

    // ---- objects and records ----

    /// Store raw bytes under their SHA-256; identical bytes are stored once.
    pub fn put_object(&mut self, bytes: &[u8]) -> Result<ObjectRef, StoreError> {
        let sha = sha256_hex(bytes);
        let rel = object_rel(&sha);
        let path = self.layout.root.join(&rel);
        let len = bytes.len() as u64;
        let w = self.writer()?;
        let present = w.batch.get_mut().object_len(&sha) == Some(len)
            || fs::metadata(&path).map(|m| m.len() == len).unwrap_or(false);
        if !present {
            let (tmp, file) = write_temp(&mut w.tmp, bytes)?;
            w.batch
                .get_mut()
                .add_object(sha.clone(), len, tmp, file, path);
            if let Some(m) = &w.mirror {
                m.upload_object(&rel, bytes);
            }
            self.maybe_flush()?;
        }
        Ok(ObjectRef {
            sha256: sha,
            len,
            path: rel,
        })
    }

    fn check_object(
        &self,
        sha: &str,
        len: u64,
        object_path: Option<&str>,
    ) -> Result<(), StoreError> {
        if !is_sha256_hex(sha) {
            return Err(StoreError::Invalid(format!(
                "raw_sha256 {sha:?} is not a SHA-256 hex digest"
            )));
        }
        let rel = object_rel(sha);
        if let Some(p) = object_path {
            if p != rel {
                return Err(StoreError::Invalid(format!(
                    "object_path {p:?} does not match raw_sha256 (expected {rel:?})"
                )));
            }
        }
        if let Some(pending) = self
            .writer
            .as_ref()
            .and_then(|w| w.batch.borrow().object_len(sha))
        {
            if pending == len {
                return Ok(());
            }
        }
        let path = self.layout.root.join(&rel);
        match fs::metadata(&path) {
            Ok(m) if m.len() == len => Ok(()),
            Ok(m) => Err(StoreError::Invalid(format!(
                "raw_bytes {len} does not match stored object {rel} ({} bytes)",
                m.len()
            ))),
            Err(_) => Err(StoreError::Invalid(format!(
                "object {rel} is not in the store (put_object first)"
            ))),
        }
    }

    fn write_record(&mut self, record: &Record) -> Result<(String, index::EntryRow), StoreError> {
        let mut bytes =
            serde_json::to_vec(record).map_err(|e| StoreError::Invalid(e.to_string()))?;
        bytes.push(b'\n');
        let sha = sha256_hex(&bytes);
        let path = self.layout.record_file(&record.run_id, &sha);
        let row = index::EntryRow::from_record(record, &sha);
        let w = self.writer()?;
        let (tmp, file) = write_temp(&mut w.tmp, &bytes)?;
        w.batch.get_mut().add_record(tmp, file, path, row.clone());
        if let Some(m) = &w.mirror {
            m.upload_record(&layout::record_rel(&record.run_id, &sha), &bytes);
        }
        self.maybe_flush()?;
        Ok((sha, row))
    }

    /// Store the record of a capture. The Article's raw body must already be stored
    /// (checked). At most one outcome per (run, URL): a second put returns the existing
    /// id and writes nothing.
    pub fn put_capture(&mut self, run: &RunId, article: &Article) -> Result<CaptureId, StoreError> {
        if !article.aliases.is_empty() {
            // Aliases are outcomes of their own URLs (`Outcome::Alias`), found at any
            // time of a run; an export fills the field from them.
            return Err(StoreError::Invalid(
                "an Article's aliases are not stored in its capture; put them as Outcome::Alias"
                    .into(),
            ));
        }
        let url = &article.content.url;
        if let Some(sha) = self.writer()?.batch.get_mut().record_for(&run.0, url) {
            return Ok(CaptureId(format!("{run}/{sha}")));
        }
        if let Some((sha, _, _)) = index::entry_for(&self.conn, &run.0, url)? {
            return Ok(CaptureId(format!("{run}/{sha}")));
        }
        self.open_run(run)?;
        let p = &article.provenance;
        self.check_object(&p.raw_sha256, p.raw_bytes, p.object_path.as_deref())?;
        let record = Record {
            format: layout::RECORD_FORMAT.into(),
            run_id: run.0.clone(),
            url: url.clone(),
            recorded_at: layout::timestamp(chrono::Utc::now()),
            outcome: RecordOutcome::Captured {
                article: Box::new(article.clone()),
            },
        };
        let (sha, _) = self.write_record(&record)?;
        Ok(CaptureId(format!("{run}/{sha}")))
    }

    /// Store a non-capture outcome for a URL (one outcome per run and URL; a second is
    /// ignored).
    pub fn put_outcome(
        &mut self,
        run: &RunId,
        url: &str,
        outcome: &Outcome,
    ) -> Result<(), StoreError> {
        if self
            .writer()?
            .batch
            .get_mut()
            .record_for(&run.0, url)
            .is_some()
        {
            return Ok(());
        }
        if index::entry_for(&self.conn, &run.0, url)?.is_some() {
            return Ok(());
        }
        self.open_run(run)?;
        let outcome = match outcome {
            Outcome::NotModified { previous } => {
                let (content_sha256, raw_sha256, page_type) =
                    match index::capture_digests(&self.conn, &previous.0)? {
                        Some(d) => d,
                        None => {
                            let a = self.read_capture(previous)?;
                            (
                                a.content_sha256,
                                a.provenance.raw_sha256,
                                Some(a.content.page_type),
                            )
                        }
                    };
                RecordOutcome::NotModified {
                    previous: previous.0.clone(),
                    content_sha256,
                    raw_sha256,
                    page_type,
                }
            }
            Outcome::Failed {
                reason,
                http_status,
            } => RecordOutcome::Failed {
                reason: reason.clone(),
                http_status: *http_status,
            },
            Outcome::Gone { http_status } => RecordOutcome::Gone {
                http_status: *http_status,
            },
            Outcome::Alias { target, redirects } => {
                if target.is_empty() || target == url {
                    return Err(StoreError::Invalid(format!(
                        "an alias of {url} must lead to another URL (target {target:?})"
                    )));
                }
                // Mark the store before the first alias record exists (see
                // layout::ALIAS_FORMAT_VERSION).
                self.ensure_format(layout::ALIAS_FORMAT_VERSION)?;
                RecordOutcome::Alias {
                    target: target.clone(),
                    redirects: redirects.clone(),
                }
            }
        };
        let record = Record {
            format: layout::RECORD_FORMAT.into(),
            run_id: run.0.clone(),
            url: url.to_string(),
            recorded_at: layout::timestamp(chrono::Utc::now()),
            outcome,
        };
        self.write_record(&record)?;
        Ok(())
    }

    /// Stream every URL outcome of a run, sorted by URL (byte order), in constant memory.
    pub fn for_each_entry(
        &self,
        run: &RunId,
        mut f: impl FnMut(RunEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.flush_if(|b| b.has_run(&run.0))?;
        if self.run_info(&run.0)?.is_none() {
            return Err(StoreError::NotFound(format!("run {run}")));
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLS} FROM entries WHERE run = ?1 ORDER BY url"
        ))?;
        let mut rows = stmt.query([&run.0])?;
        while let Some(r) = rows.next()? {
            f(entry_from_row(r)?)?;
        }
        Ok(())
    }

    /// At most `limit` URL outcomes of a run, sorted by URL, after URL `after` (a
    /// page of [`Store::for_each_entry`], for cursors: the last URL of one page is
    /// `after` for the next).
    pub fn entries_after(
        &self,
        run: &RunId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RunEntry>, StoreError> {
        self.flush_if(|b| b.has_run(&run.0))?;
        if self.run_info(&run.0)?.is_none() {
            return Err(StoreError::NotFound(format!("run {run}")));
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLS} FROM entries WHERE run = ?1 AND url > ?2 ORDER BY url LIMIT ?3"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query(rusqlite::params![&run.0, after.unwrap_or(""), limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(entry_from_row(r)?);
        }
        Ok(out)
    }

    /// The outcome of one URL in a run, if it has one.
    pub fn entry(&self, run: &RunId, url: &str) -> Result<Option<RunEntry>, StoreError> {
        use rusqlite::OptionalExtension;
        self.flush_if(|b| b.has_run(&run.0))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLS} FROM entries WHERE run = ?1 AND url = ?2"
        ))?;
        stmt.query_row([&run.0, url], |r| Ok(entry_from_row(r)))
            .optional()?
            .transpose()
    }

    /// Stream the alias entries of a run (URL → target), sorted by URL.
    pub fn for_each_alias(
        &self,
        run: &RunId,
        mut f: impl FnMut(String, String) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.flush_if(|b| b.has_run(&run.0))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT url, target FROM entries WHERE run = ?1 AND kind = 'alias' ORDER BY url",
        )?;
        let mut rows = stmt.query([&run.0])?;
        while let Some(r) = rows.next()? {
            let target: Option<String> = r.get(1)?;
            f(r.get(0)?, target.unwrap_or_default())?;
        }
        Ok(())
    }

    /// The URL an article is known under: `url` itself, or, when `url`'s most recent
    /// entry is an alias, where its aliases lead (at most 8 hops).
    pub fn resolve_alias(&self, url: &str) -> Result<String, StoreError> {
        self.resolve_alias_in(url, None)
    }

    /// [`Store::resolve_alias`] over the entries of `run` only (or of any run).
    pub fn resolve_alias_in(&self, url: &str, run: Option<&RunId>) -> Result<String, StoreError> {
        self.flush_if(|b| !b.is_empty())?;
        index::resolve_alias(&self.conn, url, run.map(|r| r.0.as_str()))
    }

    /// URLs recorded as aliases of `url` (and aliases of those, a few levels deep), in
    /// `run` or in any run; sorted, at most 10,000.
    pub fn aliases_of(&self, url: &str, run: Option<&RunId>) -> Result<Vec<String>, StoreError> {
        self.flush_if(|b| !b.is_empty())?;
        index::aliases_of(&self.conn, url, run.map(|r| r.0.as_str()))
    }

    /// The history of the article `url` names: `url` resolved through its aliases,
    /// every URL recorded as an alias of it, and the captures made under any of them
    /// (an old store keyed captures by the URL requested), oldest first.
    pub fn article_history(&self, url: &str) -> Result<ArticleHistory, StoreError> {
        let target = self.resolve_alias(url)?;
        let aliases = self.aliases_of(&target, None)?;
        let mut captures = self.history(&target)?;
        for a in &aliases {
            captures.extend(self.history(a)?);
        }
        captures
            .sort_by(|a, b| (&a.run, &a.fetched_at, &a.url).cmp(&(&b.run, &b.fetched_at, &b.url)));
        Ok(ArticleHistory {
            url: target,
            aliases,
            captures,
        })
    }

    /// The newest capture of a URL (for conditional GET).
    pub fn latest_capture(&self, url: &str) -> Result<Option<CaptureSummary>, StoreError> {
        self.flush_if(|b| b.has_url(url))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS} FROM entries WHERE url = ?1 AND kind = 'captured'
             ORDER BY run DESC, fetched_at DESC LIMIT 1"
        ))?;
        let mut rows = stmt.query([url])?;
        match rows.next()? {
            Some(r) => Ok(Some(summary_from_row(r)?)),
            None => Ok(None),
        }
    }

    /// Every capture of a URL, oldest first.
    pub fn history(&self, url: &str) -> Result<Vec<CaptureSummary>, StoreError> {
        self.flush_if(|b| b.has_url(url))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLS} FROM entries WHERE url = ?1 AND kind = 'captured'
             ORDER BY run, fetched_at"
        ))?;
        let mut rows = stmt.query([url])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(summary_from_row(r)?);
        }
        Ok(out)
    }

    /// Stream captures sorted by URL then time: every capture, or only the latest per
    /// URL; optionally only those of one run.
    pub fn for_each_capture(
        &self,
        latest_only: bool,
        run: Option<&RunId>,
        mut f: impl FnMut(CaptureSummary) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.flush_if(|_| true)?;
        let run_filter = if run.is_some() { "AND e.run = ?1" } else { "" };
        let latest = match (latest_only, run.is_some()) {
            // The latest capture of each URL, unless a later run found the URL to be an
            // alias of a page the store holds (an old store's capture under a URL that
            // now redirects to its article): the article is exported under the URL it
            // resolves to. An alias whose target was never captured (a redirect to a
            // consent page that failed, a run stopped by its limits) hides nothing.
            (true, false) => {
                "AND e.run = (SELECT max(l.run) FROM entries l WHERE l.url = e.url AND l.kind = 'captured')
                 AND NOT EXISTS (SELECT 1 FROM entries a WHERE a.url = e.url AND a.kind = 'alias' AND a.run > e.run
                     AND EXISTS (SELECT 1 FROM entries t WHERE t.url = a.target AND t.kind = 'captured'))"
            }
            _ => "",
        };
        let sql = format!(
            "SELECT {SUMMARY_COLS_E} FROM entries e WHERE e.kind = 'captured' {run_filter} {latest}
             ORDER BY e.url, e.run, e.fetched_at"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = match run {
            Some(r) => stmt.query([&r.0])?,
            None => stmt.query([])?,
        };
        while let Some(r) = rows.next()? {
            f(summary_from_row(r)?)?;
        }
        Ok(())
    }

    /// The record file of a capture, byte for byte as stored (hash-checked against its
    /// name, and checked to be a capture): what `quire serve` hands out as the stored
    /// document.
    pub fn read_capture_record(&self, id: &CaptureId) -> Result<Vec<u8>, StoreError> {
        self.capture_record(id).map(|(bytes, _)| bytes)
    }

    /// The Article document of a capture, read from its record (hash-checked).
    pub fn read_capture(&self, id: &CaptureId) -> Result<Article, StoreError> {
        self.capture_record(id).map(|(_, article)| article)
    }

    /// A capture's record bytes and its Article, hash-checked.
    fn capture_record(&self, id: &CaptureId) -> Result<(Vec<u8>, Article), StoreError> {
        let (run, sha) =
            id.0.split_once('/')
                .filter(|(r, s)| is_run_id(r) && is_sha256_hex(s))
                .ok_or_else(|| StoreError::NotFound(format!("capture {id} (malformed id)")))?;
        self.flush_if(|b| b.has_run(run))?;
        let path = self.layout.record_file(run, sha);
        let bytes = match layout::read_limited(&path, layout::MAX_RECORD_BYTES) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound(format!("capture {id}")))
            }
            Err(e) => return Err(StoreError::io(&path)(e)),
        };
        if sha256_hex(&bytes) != sha {
            return Err(StoreError::corrupt(
                &path,
                "record does not match its SHA-256 name",
            ));
        }
        let record: Record = serde_json::from_slice(&bytes)
            .map_err(|e| StoreError::corrupt(&path, format!("record does not parse: {e}")))?;
        match record.outcome {
            RecordOutcome::Captured { article } => Ok((bytes, *article)),
            _ => Err(StoreError::NotFound(format!(
                "capture {id} (record is not a capture)"
            ))),
        }
    }

    /// The raw bytes of an object (hash-checked).
    pub fn read_object(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        if !is_sha256_hex(sha256) {
            return Err(StoreError::NotFound(format!(
                "object {sha256:?} (malformed digest)"
            )));
        }
        self.flush_if(|b| b.object_len(sha256).is_some())?;
        let path = self.layout.root.join(object_rel(sha256));
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound(format!("object {sha256}")))
            }
            Err(e) => return Err(StoreError::io(&path)(e)),
        };
        if sha256_hex(&bytes) != sha256 {
            return Err(StoreError::corrupt(
                &path,
                "object does not match its SHA-256 name",
            ));
        }
        Ok(bytes)
    }

    // ---- frontier ----

    /// Add URLs (with depth) to a run's frontier; URLs already known to the run (queued,
    /// taken, done, or with an outcome) are ignored. Returns how many were new.
    pub fn frontier_add(
        &mut self,
        run: &RunId,
        urls: &[(String, u32)],
    ) -> Result<usize, StoreError> {
        self.writer()?;
        self.maybe_flush()?;
        index::frontier_add(&mut self.conn, &run.0, urls)
    }

    /// Take up to `max` pending URLs (FIFO) and mark them in flight.
    pub fn frontier_take(
        &mut self,
        run: &RunId,
        max: usize,
    ) -> Result<Vec<(String, u32)>, StoreError> {
        self.writer()?;
        self.maybe_flush()?;
        index::frontier_take(&mut self.conn, &run.0, max)
    }

    /// Claim a URL reached through a redirect, atomically: true when the run's frontier
    /// did not know it (it is added, in flight, for the caller to fetch at `depth`);
    /// false when it is queued, in flight, done or has an outcome (someone else fetches
    /// or fetched it: the caller records an alias instead).
    pub fn frontier_claim(
        &mut self,
        run: &RunId,
        url: &str,
        depth: u32,
    ) -> Result<bool, StoreError> {
        if self
            .writer()?
            .batch
            .get_mut()
            .record_for(&run.0, url)
            .is_some()
        {
            return Ok(false);
        }
        self.maybe_flush()?;
        index::frontier_claim(&self.conn, &run.0, url, depth)
    }

    /// Mark a URL done.
    pub fn frontier_done(&mut self, run: &RunId, url: &str) -> Result<(), StoreError> {
        if self.writer()?.batch.get_mut().defer_done(&run.0, url) {
            return self.maybe_flush();
        }
        index::frontier_done(&self.conn, &run.0, url)
    }

    /// On resume: in-flight URLs go back to pending, except those that already have an
    /// outcome in the run (they become done). Returns how many went back to pending.
    pub fn frontier_reset_in_flight(&mut self, run: &RunId) -> Result<usize, StoreError> {
        self.writer()?;
        self.flush()?;
        index::frontier_reset_in_flight(&mut self.conn, &run.0)
    }

    /// Pending, in-flight and done counts of a run's frontier.
    pub fn frontier_counts(&self, run: &RunId) -> Result<FrontierCounts, StoreError> {
        self.flush_if(|b| b.has_run(&run.0))?;
        let [pending, in_flight, done] = index::frontier_counts(&self.conn, &run.0)?;
        Ok(FrontierCounts {
            pending,
            in_flight,
            done,
        })
    }

    // ---- fixity ----

    /// Re-hash every object, record and manifest and cross-check them.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        self.flush_if(|_| true)?;
        verify::verify(&self.layout)
    }

    /// [`Store::verify`] on a root directory without opening it as a store, so that a
    /// store too damaged to open (e.g. its format file deleted) still gets a report.
    pub fn verify_root(root: &Path) -> Result<VerifyReport, StoreError> {
        verify::verify(&Layout::new(root))
    }

    /// Drop and rebuild the index from the files (writer only). The frontier of an
    /// unfinished run is rebuilt as "done" for the URLs that have an outcome.
    pub fn reindex(&mut self) -> Result<ReindexReport, StoreError> {
        self.writer()?;
        self.flush()?;
        rebuild::rebuild(&self.layout, &mut self.conn)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::error!(error = %e, "store: pending writes could not be flushed");
        }
    }
}

const ENTRY_COLS: &str =
    "url, kind, capture, content_sha256, raw_sha256, reason, http_status, page_type, target";

fn entry_from_row(r: &rusqlite::Row<'_>) -> Result<RunEntry, StoreError> {
    let url: String = r.get(0)?;
    let kind: String = r.get(1)?;
    let capture: Option<String> = r.get(2)?;
    let content: Option<String> = r.get(3)?;
    let raw: Option<String> = r.get(4)?;
    let reason: Option<String> = r.get(5)?;
    let status: Option<u16> = r.get(6)?;
    let page_type = index::page_type_parse(r.get(7)?);
    let target: Option<String> = r.get(8)?;
    let kind = match kind.as_str() {
        "captured" => EntryKind::Captured {
            capture: CaptureId(capture.unwrap_or_default()),
            content_sha256: content.unwrap_or_default(),
            raw_sha256: raw.unwrap_or_default(),
        },
        "not_modified" => EntryKind::NotModified {
            capture: CaptureId(capture.unwrap_or_default()),
            content_sha256: content.unwrap_or_default(),
            raw_sha256: raw.unwrap_or_default(),
        },
        "gone" => EntryKind::Gone {
            http_status: status.unwrap_or(410),
        },
        "alias" => EntryKind::Alias {
            target: target.unwrap_or_default(),
        },
        _ => EntryKind::Failed {
            reason: reason.unwrap_or_default(),
            http_status: status,
        },
    };
    Ok(RunEntry {
        url,
        kind,
        page_type,
    })
}

const SUMMARY_COLS: &str = "record_sha256, run, url, fetched_at, http_status, content_sha256, raw_sha256, raw_bytes, etag, last_modified";
const SUMMARY_COLS_E: &str = "e.record_sha256, e.run, e.url, e.fetched_at, e.http_status, e.content_sha256, e.raw_sha256, e.raw_bytes, e.etag, e.last_modified";

fn summary_from_row(r: &rusqlite::Row<'_>) -> Result<CaptureSummary, StoreError> {
    let sha: String = r.get(0)?;
    let run: String = r.get(1)?;
    Ok(CaptureSummary {
        id: CaptureId(format!("{run}/{sha}")),
        run: RunId(run),
        url: r.get(2)?,
        fetched_at: r.get(3)?,
        http_status: r.get(4)?,
        content_sha256: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        raw_sha256: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
        raw_bytes: r.get::<_, Option<i64>>(7)?.unwrap_or(0).max(0) as u64,
        etag: r.get(8)?,
        last_modified: r.get(9)?,
    })
}

fn run_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunInfo> {
    let info: String = r.get(4)?;
    let summary: Option<String> = r.get(5)?;
    Ok(RunInfo {
        id: RunId(r.get(0)?),
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        manifest_sha256: r.get(3)?,
        info: serde_json::from_str(&info).unwrap_or(serde_json::Value::Null),
        summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
    })
}

/// Bring the cache's format file to the bucket's version (the format is only ever
/// raised); the bucket gets the cache's when it has none or a lower one.
fn sync_format(
    remote: &s3::Remote,
    cache: &Path,
    listing: &std::collections::BTreeMap<String, u64>,
) -> Result<(), StoreError> {
    let local = cache.join(layout::FORMAT_FILE);
    let local_version = if local.exists() {
        Some(check_format(&local)?)
    } else {
        None
    };
    let remote_bytes = if listing.contains_key(layout::FORMAT_FILE) {
        remote.get(layout::FORMAT_FILE, layout::MAX_RECORD_BYTES)?
    } else {
        None
    };
    let Some((bytes, _)) = remote_bytes else {
        if local_version.is_some() {
            let b = layout::read_limited(&local, layout::MAX_RECORD_BYTES)
                .map_err(StoreError::io(&local))?;
            remote.put_create(layout::FORMAT_FILE, b)?;
        }
        return Ok(());
    };
    let f: FormatFile = serde_json::from_slice(&bytes).map_err(|e| StoreError::Format {
        path: PathBuf::from(format!("{}/{}", remote.loc, layout::FORMAT_FILE)),
        detail: e.to_string(),
    })?;
    if f.format != "quire-store" || f.version > layout::FORMAT_VERSION {
        return Err(StoreError::Format {
            path: PathBuf::from(format!("{}/{}", remote.loc, layout::FORMAT_FILE)),
            detail: format!("{} version {}", f.format, f.version),
        });
    }
    match local_version {
        Some(v) if v >= f.version => {
            if v > f.version {
                let b = layout::read_limited(&local, layout::MAX_RECORD_BYTES)
                    .map_err(StoreError::io(&local))?;
                remote.put_overwrite(layout::FORMAT_FILE, b)?;
            }
        }
        _ => {
            let mut tmp = TempDir::new(cache.to_path_buf());
            write_format(&mut tmp, &local, f.version)?;
        }
    }
    Ok(())
}

fn write_format(tmp: &mut TempDir, path: &Path, version: u32) -> Result<(), StoreError> {
    let ff = FormatFile {
        format: "quire-store".into(),
        version,
    };
    let mut bytes =
        serde_json::to_vec_pretty(&ff).map_err(|e| StoreError::Invalid(e.to_string()))?;
    bytes.push(b'\n');
    write_atomic(tmp, path, &bytes)
}

/// Check the format file; returns the store's format version.
fn check_format(path: &Path) -> Result<u32, StoreError> {
    let bytes =
        layout::read_limited(path, layout::MAX_RECORD_BYTES).map_err(StoreError::io(path))?;
    let ff: FormatFile = serde_json::from_slice(&bytes).map_err(|e| StoreError::Format {
        path: path.to_path_buf(),
        detail: format!("does not parse: {e}"),
    })?;
    if ff.format != "quire-store" || ff.version > layout::FORMAT_VERSION {
        return Err(StoreError::Format {
            path: path.to_path_buf(),
            detail: format!(
                "format {:?} version {} (this quire reads version {} or older)",
                ff.format,
                ff.version,
                layout::FORMAT_VERSION
            ),
        });
    }
    Ok(ff.version)
}

fn clean_tmp(dir: &Path) -> Result<(), StoreError> {
    let entries = fs::read_dir(dir).map_err(StoreError::io(dir))?;
    for entry in entries {
        let entry = entry.map_err(StoreError::io(dir))?;
        let path: PathBuf = entry.path();
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        let res = if is_dir {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        res.map_err(StoreError::io(&path))?;
    }
    Ok(())
}

fn memory_index(layout: &Layout) -> Result<Connection, StoreError> {
    let mut conn = index::open_memory()?;
    rebuild::rebuild_readonly(layout, &mut conn)?;
    Ok(conn)
}
