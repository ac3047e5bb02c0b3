//! The store on S3-compatible object storage (`--store s3://bucket/prefix`). Owns the
//! bucket side only: parsing the location, the client (`object_store`'s S3 client,
//! configured from the standard `AWS_*` environment), conditional creates, the per-run
//! lease objects, and moving files between the bucket and a local cache directory.
//! It must not decide what is written (that is [`super::Store`]) nor touch the index.
//!
//! The bucket holds exactly the files of the on-disk layout ([`super::layout`]), under
//! the prefix, with the same names: `quire-store.json`, `objects/sha256/..`,
//! `runs/<run>/{run.json,records/*.json,manifest.json,manifest.sha256}`, plus
//! `leases/<run>.json` (the writer lease of an unfinished run). Every object, record,
//! run file and `manifest.sha256` is written with `If-None-Match: *` (never
//! overwritten); `manifest.json` may be rewritten until its `manifest.sha256` seals it;
//! the format file is only ever raised (1 → 2).
//!
//! A store opened on S3 works on a local cache directory laid out like a local store
//! (the SQLite index, the frontier of this machine's runs, and a copy of the files it
//! pulled): [`pull`] copies in what the bucket has and the cache lacks (all names are
//! content digests or immutable, so a cached file is never stale), a writer uploads
//! each object and record in the background as it is put ([`Remote::spawn_create`]; a
//! record only once the objects put before it are in the bucket) and its group commit
//! waits for them before the index sees them, and [`push`] re-uploads what a killed
//! writer left only local.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use futures_util::future::{BoxFuture, Shared};
use futures_util::{FutureExt, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload, UpdateVersion};

use super::error::StoreError;
use super::layout::{self, is_run_id, is_sha256_hex};

/// Where a store lives: a local directory (the default) or an S3 bucket and prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A directory on a local file system.
    Local(PathBuf),
    /// `s3://bucket/prefix`.
    S3(S3Location),
}

/// A bucket and a key prefix (no leading or trailing `/`; may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// The bucket name.
    pub bucket: String,
    /// The key prefix under which the store's files live.
    pub prefix: String,
}

impl std::fmt::Display for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

impl StoreLocation {
    /// `s3://bucket[/prefix]` is a bucket; anything else is a local directory, exactly
    /// as before.
    pub fn parse(arg: &Path) -> Result<StoreLocation, StoreError> {
        let Some(s) = arg.to_str().and_then(|s| s.strip_prefix("s3://")) else {
            return Ok(StoreLocation::Local(arg.to_path_buf()));
        };
        let (bucket, prefix) = s.split_once('/').unwrap_or((s, ""));
        let prefix = prefix.trim_matches('/');
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        let prefix_ok = prefix.split('/').all(|seg| {
            !prefix.is_empty() && !seg.is_empty() && seg != "." && seg != ".." || prefix.is_empty()
        }) && !prefix.bytes().any(|b| b.is_ascii_control());
        if !bucket_ok || !prefix_ok {
            return Err(StoreError::Invalid(format!(
                "bad S3 store location {s:?}: expected s3://bucket/prefix (bucket: 3-63 of a-z 0-9 . -; prefix: /-separated names)"
            )));
        }
        Ok(StoreLocation::S3(S3Location {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        }))
    }
}

/// Settings of an S3 store beyond the `AWS_*` environment.
#[derive(Debug, Clone)]
pub struct S3Options {
    /// Local directory for the index and the cached files; default
    /// [`default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// How long a writer's lease on a run lasts without renewal (renewed every third
    /// of it); a crashed writer's run can be taken over after this.
    pub lease_ttl: Duration,
    /// Uploads and downloads in flight at once.
    pub parallelism: usize,
    /// `object_store` S3 settings over the `AWS_*` environment, as (key, value), e.g.
    /// `("aws_endpoint", "http://127.0.0.1:9000")` (the tests use this).
    pub config: Vec<(String, String)>,
}

impl Default for S3Options {
    fn default() -> Self {
        S3Options {
            cache_dir: None,
            lease_ttl: Duration::from_secs(60),
            parallelism: 16,
            config: Vec::new(),
        }
    }
}

/// The default cache directory of a bucket store:
/// `$XDG_CACHE_HOME/quire/s3/<bucket>/<16 hex of SHA-256(endpoint, bucket, prefix)>`
/// (`$HOME/.cache` when `XDG_CACHE_HOME` is unset).
pub fn default_cache_dir(loc: &S3Location) -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .or_else(|_| std::env::var("AWS_ENDPOINT"))
        .unwrap_or_default();
    let key =
        crate::model::sha256_hex(format!("{endpoint}\n{}\n{}", loc.bucket, loc.prefix).as_bytes());
    base.join("quire")
        .join("s3")
        .join(&loc.bucket)
        .join(&key[..16])
}

fn remote_err(what: impl std::fmt::Display) -> impl FnOnce(object_store::Error) -> StoreError {
    move |e| StoreError::Remote(format!("{what}: {e}"))
}

/// Attempts of [`create_immutable`] at quire's level (each with `object_store`'s own
/// retries inside).
const CREATE_ATTEMPTS: u32 = 4;

/// Create `key` (`If-None-Match: *`) whose name is its content's digest or that is
/// never rewritten, so that a key already there is success. `object_store` retries a
/// refused connection and 5xx answers itself, but not a conditional PUT whose request
/// broke on a pooled connection the server dropped (it is not idempotent in general:
/// a retry after a lost answer may see 412). For these keys a 412 is success, so the
/// PUT is tried again, up to [`CREATE_ATTEMPTS`] times with a growing pause.
async fn create_immutable(
    s3: &AmazonS3,
    key: &ObjPath,
    payload: PutPayload,
) -> Result<(), object_store::Error> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match s3
            .put_opts(key, payload.clone(), PutMode::Create.into())
            .await
        {
            Ok(_)
            | Err(object_store::Error::AlreadyExists { .. })
            | Err(object_store::Error::Precondition { .. }) => return Ok(()),
            Err(e @ object_store::Error::Generic { .. }) if attempt < CREATE_ATTEMPTS => {
                tracing::debug!(%key, attempt, error = %e, "PUT failed; trying again");
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A small key read whole: its bytes and its ETag.
pub(crate) type Fetched = (Vec<u8>, Option<String>);

/// An upload running in the background ([`Remote::spawn_create`]): resolves to its
/// outcome, and can be awaited by several (a record's upload waits for the objects
/// put before it; the flush waits for all).
pub(crate) type Upload = Shared<BoxFuture<'static, Result<(), String>>>;

/// A connection to one bucket prefix, with its own small runtime (the store is
/// synchronous; every call blocks on it).
pub(crate) struct Remote {
    rt: Option<tokio::runtime::Runtime>,
    s3: Arc<AmazonS3>,
    /// Background uploads in flight at once ([`S3Options::parallelism`]).
    permits: Arc<tokio::sync::Semaphore>,
    pub(crate) loc: S3Location,
    pub(crate) opts: S3Options,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Remote({})", self.loc)
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        // Dropping a runtime inside another runtime's task would panic; this never does.
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

impl Remote {
    /// A client from the standard environment: `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` /
    /// `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` (MinIO, Ceph, moto…; plain `http://`
    /// allowed when the endpoint says so), `AWS_VIRTUAL_HOSTED_STYLE_REQUEST` (path
    /// style is the default, as MinIO wants).
    pub(crate) fn connect(loc: &S3Location, opts: S3Options) -> Result<Remote, StoreError> {
        let mut b = AmazonS3Builder::from_env().with_bucket_name(&loc.bucket);
        if let Ok(region) = std::env::var("AWS_REGION") {
            b = b.with_region(region);
        }
        let endpoint = std::env::var("AWS_ENDPOINT_URL").or_else(|_| std::env::var("AWS_ENDPOINT"));
        if let Ok(ep) = endpoint {
            b = b.with_endpoint(&ep);
            if ep.starts_with("http://") {
                b = b.with_allow_http(true);
            }
        }
        for (k, v) in &opts.config {
            let key = k
                .parse()
                .map_err(|e| StoreError::Invalid(format!("unknown S3 setting {k:?}: {e}")))?;
            if k.contains("endpoint") && v.starts_with("http://") {
                b = b.with_allow_http(true);
            }
            b = b.with_config(key, v);
        }
        let s3 = b
            .build()
            .map_err(remote_err(format!("cannot configure S3 client for {loc}")))?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("quire-s3")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Remote(format!("cannot start the S3 runtime: {e}")))?;
        Ok(Remote {
            rt: Some(rt),
            s3: Arc::new(s3),
            permits: Arc::new(tokio::sync::Semaphore::new(opts.parallelism.max(1))),
            loc: loc.clone(),
            opts,
        })
    }

    /// Run a future to completion on the remote's runtime, from any thread (from
    /// inside another runtime, on a scoped helper thread).
    fn block_on<T: Send>(&self, fut: impl std::future::Future<Output = T> + Send) -> T {
        let Some(rt) = self.rt.as_ref() else {
            unreachable!("the runtime is only taken in drop")
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| match s.spawn(|| rt.block_on(fut)).join() {
                Ok(v) => v,
                Err(p) => std::panic::resume_unwind(p),
            })
        } else {
            rt.block_on(fut)
        }
    }

    /// The full key of a path relative to the store root.
    pub(crate) fn key(&self, rel: &str) -> ObjPath {
        if self.loc.prefix.is_empty() {
            ObjPath::from(rel)
        } else {
            ObjPath::from(format!("{}/{rel}", self.loc.prefix))
        }
    }

    fn rel_of(&self, key: &ObjPath) -> Option<String> {
        let k = key.as_ref();
        if self.loc.prefix.is_empty() {
            Some(k.to_string())
        } else {
            k.strip_prefix(&self.loc.prefix)
                .and_then(|r| r.strip_prefix('/'))
                .map(str::to_string)
        }
    }

    /// Every key under the prefix, as relative path → size.
    pub(crate) fn list(&self) -> Result<BTreeMap<String, u64>, StoreError> {
        let prefix = if self.loc.prefix.is_empty() {
            None
        } else {
            Some(ObjPath::from(self.loc.prefix.as_str()))
        };
        let metas: Vec<object_store::ObjectMeta> = self
            .block_on(self.s3.list(prefix.as_ref()).try_collect())
            .map_err(remote_err(format!("cannot list {}", self.loc)))?;
        Ok(metas
            .into_iter()
            .filter_map(|m| self.rel_of(&m.location).map(|r| (r, m.size)))
            .collect())
    }

    /// Create `rel` with `bytes` unless it exists (`If-None-Match: *`). True when this
    /// call created it.
    pub(crate) fn put_create(&self, rel: &str, bytes: Vec<u8>) -> Result<bool, StoreError> {
        let key = self.key(rel);
        let r = self.block_on(self.s3.put_opts(
            &key,
            PutPayload::from(bytes),
            PutOptions::from(PutMode::Create),
        ));
        match r {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. })
            | Err(object_store::Error::Precondition { .. }) => Ok(false),
            Err(e) => Err(StoreError::Remote(format!("cannot write {key}: {e}"))),
        }
    }

    /// Write `rel`, replacing what is there (only for the format file and an unsealed
    /// manifest).
    pub(crate) fn put_overwrite(&self, rel: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let key = self.key(rel);
        self.block_on(self.s3.put(&key, PutPayload::from(bytes)))
            .map(drop)
            .map_err(remote_err(format!("cannot write {key}")))
    }

    /// Read `rel` whole (at most `max` bytes) with its ETag; `None` when absent.
    pub(crate) fn get(&self, rel: &str, max: u64) -> Result<Option<Fetched>, StoreError> {
        let key = self.key(rel);
        let r = self.block_on(async {
            let got = self.s3.get(&key).await?;
            if got.meta.size > max {
                return Ok(Err(got.meta.size));
            }
            let etag = got.meta.e_tag.clone();
            let bytes = got.bytes().await?;
            Ok::<_, object_store::Error>(Ok((bytes.to_vec(), etag)))
        });
        match r {
            Ok(Ok(v)) => Ok(Some(v)),
            Ok(Err(size)) => Err(StoreError::Remote(format!(
                "{key} is {size} bytes, more than the {max} quire reads"
            ))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(StoreError::Remote(format!("cannot read {key}: {e}"))),
        }
    }

    /// Replace `rel` only if its ETag is still `etag` (`If-Match`); the new ETag, or
    /// `None` when someone else changed it first.
    fn put_if_match(
        &self,
        rel: &str,
        bytes: Vec<u8>,
        etag: &str,
    ) -> Result<Option<String>, StoreError> {
        let key = self.key(rel);
        let mode = PutMode::Update(UpdateVersion {
            e_tag: Some(etag.to_string()),
            version: None,
        });
        match self.block_on(self.s3.put_opts(&key, PutPayload::from(bytes), mode.into())) {
            Ok(r) => Ok(Some(r.e_tag.unwrap_or_default())),
            Err(object_store::Error::Precondition { .. })
            | Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(StoreError::Remote(format!("cannot update {key}: {e}"))),
        }
    }

    pub(crate) fn delete(&self, rel: &str) -> Result<(), StoreError> {
        let key = self.key(rel);
        match self.block_on(self.s3.delete(&key)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StoreError::Remote(format!("cannot delete {key}: {e}"))),
        }
    }

    /// Start creating `rel` with `bytes` (`If-None-Match: *`; a key that exists is left
    /// as it is, its name being its content's digest or immutable) in the background,
    /// and return at once. The PUT is made only after every upload of `after` has
    /// succeeded (a failed one fails this one without a request), and only while none
    /// of the `lost` flags (the writer's leases) is set; at most
    /// [`S3Options::parallelism`] of these PUTs are in flight at once (a waiting
    /// upload holds no slot). `object_store` retries each one on its own (5xx, including
    /// `503 SlowDown`, with backoff).
    pub(crate) fn spawn_create(
        &self,
        rel: &str,
        bytes: Vec<u8>,
        after: Vec<Upload>,
        lost: Vec<Arc<AtomicBool>>,
    ) -> Upload {
        let s3 = self.s3.clone();
        let key = self.key(rel);
        let permits = self.permits.clone();
        let task = async move {
            for dep in after {
                dep.await
                    .map_err(|e| format!("{key} not written: an upload before it failed: {e}"))?;
            }
            let _slot = permits
                .acquire_owned()
                .await
                .map_err(|e| format!("cannot write {key}: {e}"))?;
            if lost.iter().any(|l| l.load(Ordering::SeqCst)) {
                return Err(format!(
                    "{key} not written: the run's lease was taken over by another writer"
                ));
            }
            create_immutable(&s3, &key, PutPayload::from(bytes))
                .await
                .map_err(|e| format!("cannot write {key}: {e}"))
        };
        let Some(rt) = self.rt.as_ref() else {
            unreachable!("the runtime is only taken in drop")
        };
        let handle = rt.spawn(task);
        async move {
            handle
                .await
                .unwrap_or_else(|e| Err(format!("upload task failed: {e}")))
        }
        .boxed()
        .shared()
    }

    /// Wait for background uploads; the first failure, if any.
    pub(crate) fn wait(&self, uploads: Vec<Upload>) -> Result<(), StoreError> {
        if uploads.is_empty() {
            return Ok(());
        }
        self.block_on(async {
            let mut first = None;
            for u in uploads {
                if let Err(e) = u.await {
                    first.get_or_insert(e);
                }
            }
            first.map_or(Ok(()), |e| Err(StoreError::Remote(e)))
        })
    }

    /// Upload local files (paths under `root`) with `If-None-Match: *`, in parallel; a
    /// key that already exists is left as it is (its name is its content's digest or
    /// it is immutable). Fails on the first error, after the retries `object_store`
    /// makes on its own (5xx including `503 SlowDown`, with exponential backoff).
    pub(crate) fn upload_files(&self, root: &Path, files: &[PathBuf]) -> Result<(), StoreError> {
        if files.is_empty() {
            return Ok(());
        }
        let par = self.opts.parallelism.max(1);
        let jobs: Vec<_> = files
            .iter()
            .map(|f| {
                let f = f.clone();
                let s3 = self.s3.clone();
                let rel = f
                    .strip_prefix(root)
                    .ok()
                    .and_then(Path::to_str)
                    .map(|r| r.replace('\\', "/"));
                let key = rel.as_deref().map(|r| self.key(r));
                async move {
                    let Some(key) = key else {
                        return Err(StoreError::Invalid(format!(
                            "{} is not under the store cache",
                            f.display()
                        )));
                    };
                    let bytes = tokio::fs::read(&f).await.map_err(StoreError::io(&f))?;
                    create_immutable(&s3, &key, PutPayload::from(bytes))
                        .await
                        .map_err(|e| StoreError::Remote(format!("cannot write {key}: {e}")))
                }
            })
            .collect();
        self.block_on(async {
            let mut s = futures_util::stream::iter(jobs).buffer_unordered(par);
            while let Some(r) = s.next().await {
                r?;
            }
            Ok(())
        })
    }

    /// Download keys (relative paths) into `root`, each through a temp file in
    /// `staging` renamed into place, in parallel, streaming. Returns bytes written.
    pub(crate) fn download(
        &self,
        root: &Path,
        staging: &Path,
        rels: &[String],
    ) -> Result<u64, StoreError> {
        std::fs::create_dir_all(staging).map_err(StoreError::io(staging))?;
        let par = self.opts.parallelism.max(1);
        let tag = format!("{}-{:08x}", std::process::id(), fastrand::u32(..));
        let jobs: Vec<_> = rels
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                let s3 = self.s3.clone();
                let key = self.key(rel);
                let dest = root.join(rel);
                let tmp = staging.join(format!("{tag}-{i}.part"));
                async move {
                    use tokio::io::AsyncWriteExt;
                    if let Some(dir) = dest.parent() {
                        tokio::fs::create_dir_all(dir)
                            .await
                            .map_err(StoreError::io(dir))?;
                    }
                    let got = s3
                        .get(&key)
                        .await
                        .map_err(remote_err(format!("cannot read {key}")))?;
                    let mut stream = got.into_stream();
                    let mut file = tokio::fs::File::create(&tmp)
                        .await
                        .map_err(StoreError::io(&tmp))?;
                    let mut n = 0u64;
                    let res: Result<(), StoreError> = async {
                        while let Some(chunk) = stream.next().await {
                            let chunk = chunk.map_err(remote_err(format!("cannot read {key}")))?;
                            n += chunk.len() as u64;
                            file.write_all(&chunk).await.map_err(StoreError::io(&tmp))?;
                        }
                        file.flush().await.map_err(StoreError::io(&tmp))?;
                        drop(file);
                        tokio::fs::rename(&tmp, &dest)
                            .await
                            .map_err(StoreError::io(&dest))
                    }
                    .await;
                    if res.is_err() {
                        let _ = tokio::fs::remove_file(&tmp).await;
                    }
                    res.map(|()| n)
                }
            })
            .collect();
        self.block_on(async {
            let mut total = 0u64;
            let mut s = futures_util::stream::iter(jobs).buffer_unordered(par);
            while let Some(r) = s.next().await {
                total += r?;
            }
            Ok(total)
        })
    }
}

/// What kind of store file a relative key names, if any (anything else in the bucket,
/// e.g. leases, is not copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum KeyKind {
    /// Raw bodies: uploaded first.
    Object,
    /// Records and run files.
    Record,
    /// `manifest.json`.
    Manifest,
    /// `manifest.sha256`: sealed last.
    ManifestSeal,
    /// `quire-store.json`.
    Format,
}

pub(crate) fn key_kind(rel: &str) -> Option<KeyKind> {
    if rel == layout::FORMAT_FILE {
        return Some(KeyKind::Format);
    }
    let parts: Vec<&str> = rel.split('/').collect();
    match parts.as_slice() {
        ["objects", "sha256", fan, sha] if is_sha256_hex(sha) && sha.get(..2) == Some(*fan) => {
            Some(KeyKind::Object)
        }
        ["runs", run, "run.json"] if is_run_id(run) => Some(KeyKind::Record),
        ["runs", run, "records", name]
            if is_run_id(run) && name.strip_suffix(".json").is_some_and(is_sha256_hex) =>
        {
            Some(KeyKind::Record)
        }
        ["runs", run, "manifest.json"] if is_run_id(run) => Some(KeyKind::Manifest),
        ["runs", run, "manifest.sha256"] if is_run_id(run) => Some(KeyKind::ManifestSeal),
        _ => None,
    }
}

/// Copy into `root` every store file the bucket has and `root` lacks (a manifest only
/// once sealed), and the format file always. `listing` is [`Remote::list`]. Returns the
/// number of files copied. Creates the empty `records/` directory of every run.
pub(crate) fn pull(
    remote: &Remote,
    root: &Path,
    listing: &BTreeMap<String, u64>,
) -> Result<usize, StoreError> {
    let mut want = Vec::new();
    for rel in listing.keys() {
        let Some(kind) = key_kind(rel) else { continue };
        if kind == KeyKind::Manifest {
            let seal = rel.replace("manifest.json", "manifest.sha256");
            if !listing.contains_key(&seal) {
                continue;
            }
        }
        if kind == KeyKind::Format || !root.join(rel).exists() {
            want.push(rel.clone());
        }
        if kind == KeyKind::Record {
            if let Some(run) = rel.split('/').nth(1) {
                let dir = root.join("runs").join(run).join("records");
                std::fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
            }
        }
    }
    // A sealed manifest is copied with its seal, the seal last (a reader of the cache
    // never sees a seal without its manifest).
    want.sort_by_key(|r| key_kind(r));
    let (seals, rest): (Vec<String>, Vec<String>) = want
        .into_iter()
        .partition(|r| key_kind(r) == Some(KeyKind::ManifestSeal));
    let staging = root.join("tmp-pull");
    remote.download(root, &staging, &rest)?;
    remote.download(root, &staging, &seals)?;
    let _ = std::fs::remove_dir_all(&staging);
    Ok(rest.len() + seals.len())
}

/// Upload every store file of the cache `root` that the bucket lacks, in the store's
/// order: objects, records and run files, manifests, seals last (what a writer killed
/// between its local commit and its upload left behind).
pub(crate) fn push(
    remote: &Remote,
    root: &Path,
    listing: &BTreeMap<String, u64>,
) -> Result<usize, StoreError> {
    let mut by_kind: HashMap<KeyKind, Vec<PathBuf>> = HashMap::new();
    for entry in walkdir(root)? {
        let Some(rel) = entry.strip_prefix(root).ok().and_then(Path::to_str) else {
            continue;
        };
        let rel = rel.replace('\\', "/");
        let Some(kind) = key_kind(&rel) else { continue };
        if kind == KeyKind::Manifest {
            // Only a sealed manifest; an unsealed one is the writer's business.
            if !root
                .join(rel.replace("manifest.json", "manifest.sha256"))
                .exists()
            {
                continue;
            }
        }
        if !listing.contains_key(&rel) {
            by_kind.entry(kind).or_default().push(entry);
        }
    }
    let mut n = 0;
    for kind in [
        KeyKind::Format,
        KeyKind::Object,
        KeyKind::Record,
        KeyKind::Manifest,
        KeyKind::ManifestSeal,
    ] {
        if let Some(files) = by_kind.get(&kind) {
            remote.upload_files(root, files)?;
            n += files.len();
        }
    }
    Ok(n)
}

/// Every regular file under `root`'s `objects/` and `runs/`, and its format file.
fn walkdir(root: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut out = Vec::new();
    let format = root.join(layout::FORMAT_FILE);
    if format.is_file() {
        out.push(format);
    }
    let mut stack = vec![root.join("objects"), root.join("runs")];
    while let Some(dir) = stack.pop() {
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(StoreError::io(&dir)(e)),
        };
        for e in rd {
            let e = e.map_err(StoreError::io(&dir))?;
            let ft = e.file_type().map_err(StoreError::io(&dir))?;
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                out.push(e.path());
            }
        }
    }
    Ok(out)
}

// ---- leases ----

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct LeaseFile {
    holder: String,
    /// The id of the local cache directory of the holder ([`cache_id`]).
    cache: String,
    /// Unix milliseconds after which the lease may be taken over.
    expires_ms: i64,
}

fn lease_rel(run: &str) -> String {
    format!("leases/{run}.json")
}

fn holder_note() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    format!(
        "host {host} pid {} since {}",
        std::process::id(),
        layout::timestamp(chrono::Utc::now())
    )
}

/// The random id of a cache directory (`<cache>/cache-id`, made on first use).
pub(crate) fn cache_id(cache: &Path) -> Result<String, StoreError> {
    let path = cache.join("cache-id");
    if let Ok(s) = std::fs::read_to_string(&path) {
        let s = s.trim();
        if s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(s.to_string());
        }
    }
    let id = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let tmp = cache.join(format!("cache-id.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &id).map_err(StoreError::io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(StoreError::io(&path))?;
    Ok(id)
}

#[derive(Debug, Clone)]
struct Holder {
    note: String,
    cache: String,
}

fn lease_bytes(h: &Holder, ttl: Duration) -> Vec<u8> {
    let expires_ms = chrono::Utc::now().timestamp_millis() + ttl.as_millis() as i64;
    serde_json::to_vec(&LeaseFile {
        holder: h.note.clone(),
        cache: h.cache.clone(),
        expires_ms,
    })
    .unwrap_or_default()
}

/// A held lease on one run: `leases/<run>.json`, created with `If-None-Match: *`,
/// renewed with `If-Match` on its ETag every third of its TTL by a background thread,
/// deleted when the writer lets go of the run (finished, or stopped cleanly). A
/// crashed writer's lease is taken over (`If-Match` on the ETag read, so of two
/// successors exactly one wins) once it has expired, or at once by a writer on the
/// same cache directory: that one holds the cache's `flock`, which proves the old
/// holder gone. Losing the lease is noticed at the next renewal and fails the
/// writer's next flush.
#[derive(Debug)]
pub(crate) struct Lease {
    pub(crate) run: String,
    remote: Arc<Remote>,
    lost: Arc<AtomicBool>,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Lease {
    /// Take the lease of `run` for the writer of cache `cache_id`: create it, or take
    /// over one that has expired (or was left by a dead writer of this same cache).
    /// [`StoreError::Locked`] when a live writer holds it.
    pub(crate) fn acquire(
        remote: &Arc<Remote>,
        run: &str,
        cache_id: &str,
    ) -> Result<Lease, StoreError> {
        let rel = lease_rel(run);
        let me = Holder {
            note: holder_note(),
            cache: cache_id.to_string(),
        };
        let ttl = remote.opts.lease_ttl;
        for _ in 0..3 {
            if remote.put_create(&rel, lease_bytes(&me, ttl))? {
                // Read back the ETag to renew with.
                if let Some((bytes, Some(etag))) = remote.get(&rel, 64 << 10)? {
                    let f: Option<LeaseFile> = serde_json::from_slice(&bytes).ok();
                    if f.is_some_and(|f| f.holder == me.note && f.cache == me.cache) {
                        return Ok(Lease::start(remote, run, me, etag));
                    }
                }
                continue;
            }
            let Some((bytes, etag)) = remote.get(&rel, 64 << 10)? else {
                continue; // released meanwhile: try to create it again
            };
            let file: Option<LeaseFile> = serde_json::from_slice(&bytes).ok();
            let now = chrono::Utc::now().timestamp_millis();
            if let Some(f) = &file {
                if f.expires_ms > now && f.cache != me.cache {
                    return Err(StoreError::Locked {
                        holder: format!("lease on run {run}: {}", f.holder),
                    });
                }
            }
            let Some(etag) = etag else {
                return Err(StoreError::Remote(format!("lease {rel} has no ETag")));
            };
            return match remote.put_if_match(&rel, lease_bytes(&me, ttl), &etag)? {
                Some(e) => {
                    tracing::warn!(run, "took over the S3 lease of a writer that is gone");
                    Ok(Lease::start(remote, run, me, e))
                }
                None => Err(StoreError::Locked {
                    holder: format!("lease on run {run} taken over by another writer"),
                }),
            };
        }
        Err(StoreError::Locked {
            holder: format!("lease on run {run}: contended"),
        })
    }

    fn start(remote: &Arc<Remote>, run: &str, me: Holder, etag: String) -> Lease {
        let lost = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel::<()>();
        let every = remote.opts.lease_ttl / 3;
        let (r, rel, l) = (remote.clone(), lease_rel(run), lost.clone());
        let thread = std::thread::Builder::new()
            .name("quire-lease".into())
            .spawn(move || {
                let mut cur = etag;
                loop {
                    match rx.recv_timeout(every) {
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                    match r.put_if_match(&rel, lease_bytes(&me, r.opts.lease_ttl), &cur) {
                        Ok(Some(new)) => cur = new,
                        Ok(None) => {
                            l.store(true, Ordering::SeqCst);
                            return;
                        }
                        // Retried at the next tick; if the lease expires meanwhile and
                        // someone takes it, the next renewal notices.
                        Err(err) => tracing::warn!(error = %err, "S3 lease renewal failed"),
                    }
                }
            })
            .ok();
        Lease {
            run: run.to_string(),
            remote: remote.clone(),
            lost,
            stop: Some(tx),
            thread,
        }
    }

    /// True once another writer took the lease over.
    pub(crate) fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// The flag [`Lease::is_lost`] reads, for an upload to check just before its PUT.
    pub(crate) fn lost_flag(&self) -> Arc<AtomicBool> {
        self.lost.clone()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if !self.is_lost() {
            if let Err(e) = self.remote.delete(&lease_rel(&self.run)) {
                tracing::warn!(error = %e, "cannot delete the S3 lease (it expires on its own)");
            }
        }
    }
}

/// Staging directory for a fresh copy of the bucket ([`super::Store::verify_location`]).
pub(crate) fn fresh_copy_dir(cache: &Path) -> PathBuf {
    cache.join(format!(
        "verify-{}-{:08x}",
        std::process::id(),
        fastrand::u32(..)
    ))
}
