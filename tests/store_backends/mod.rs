//! One store test, two backends: a local directory, or a bucket on the real S3 server
//! of `s3_support` (moto on loopback) seen from one or more "machines", each with its
//! own cache directory. Tests written against [`Backend`] run on both through
//! [`on_both_backends!`]: `on_disk::NAME` and `in_a_bucket::NAME` (which skips with a
//! printed reason when moto is missing outside CI, and fails in CI).
//!
//! API tests open the store through [`Backend::writer`] and [`Backend::reader`]; CLI
//! tests run the `quire` binary through [`Backend::quire`] (`--store` is
//! [`Backend::store_arg`]; on a bucket the child gets the server's `AWS_*` environment
//! and `--index-cache` of its machine) and reach the stored files by their names in
//! the layout ([`Backend::files`], [`Backend::read`], [`Backend::overwrite`],
//! [`Backend::remove`], [`Backend::name`]: a path on disk or an `s3://` key).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use quire::store::{S3Location, S3Options, Store, StoreError, WriterOptions};

use crate::s3_support::{self, S3Server};

/// Where a test's store lives.
pub enum Backend {
    Local {
        _dir: tempfile::TempDir,
        root: PathBuf,
    },
    S3 {
        moto: &'static S3Server,
        loc: S3Location,
        _caches: tempfile::TempDir,
        caches: PathBuf,
    },
}

impl Backend {
    /// A new store in a temporary directory.
    pub fn local() -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        Backend::Local { _dir: dir, root }
    }

    /// A new store in a fresh bucket, or `None` when moto is missing outside CI.
    pub fn s3() -> Option<Backend> {
        let moto = s3_support::moto()?;
        let caches = tempfile::tempdir().unwrap();
        Some(Backend::S3 {
            moto,
            loc: S3Location {
                bucket: moto.bucket(),
                prefix: "mags/weekly".to_string(),
            },
            caches: caches.path().to_path_buf(),
            _caches: caches,
        })
    }

    /// The local root, for the checks that look at files on disk.
    pub fn local_root(&self) -> Option<&Path> {
        match self {
            Backend::Local { root, .. } => Some(root),
            Backend::S3 { .. } => None,
        }
    }

    /// True for the bucket.
    pub fn is_s3(&self) -> bool {
        matches!(self, Backend::S3 { .. })
    }

    /// The `--store` argument: the directory, or `s3://bucket/prefix`.
    pub fn store_arg(&self) -> String {
        match self {
            Backend::Local { root, .. } => root.to_str().unwrap().to_string(),
            Backend::S3 { loc, .. } => format!("s3://{}/{}", loc.bucket, loc.prefix),
        }
    }

    /// Another, empty store of the same kind (a sibling directory, or another prefix
    /// of the same bucket) with the same machines: its `--store` argument.
    pub fn other_store_arg(&self, name: &str) -> String {
        match self {
            Backend::Local { root, .. } => root.with_file_name(name).to_str().unwrap().to_string(),
            Backend::S3 { loc, .. } => format!("s3://{}/{name}", loc.bucket),
        }
    }

    /// The directory that `machine` keeps its view of the store in: the store itself
    /// on disk, the machine's cache for a bucket (its SQLite index, its lock, its
    /// frontier).
    pub fn view_dir(&self, machine: usize) -> PathBuf {
        match self {
            Backend::Local { root, .. } => root.clone(),
            Backend::S3 { caches, .. } => caches.join(machine.to_string()),
        }
    }

    /// The `quire` binary as `machine` runs it: on a bucket, with the server's `AWS_*`
    /// environment and `--index-cache` (the machine's cache) after `args`.
    pub fn quire(&self, machine: usize, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_quire"));
        c.args(args).env("RUST_LOG", "warn");
        if let Backend::S3 { moto, caches, .. } = self {
            c.arg("--index-cache")
                .arg(caches.join(machine.to_string()))
                .envs(moto.env());
        }
        c
    }

    /// Run `quire args` from `machine` and wait for it.
    pub fn run(&self, machine: usize, args: &[&str]) -> Output {
        self.quire(machine, args).output().unwrap()
    }

    /// The name `verify` gives a stored file (`rel` in the layout): its path on disk,
    /// or `s3://bucket/prefix/rel`.
    pub fn name(&self, rel: &str) -> String {
        match self {
            Backend::Local { root, .. } => root.join(rel).display().to_string(),
            Backend::S3 { loc, .. } => format!("s3://{}/{}/{rel}", loc.bucket, loc.prefix),
        }
    }

    /// Every stored file (not the index, lock or tmp files), as sorted names in the
    /// layout (`objects/sha256/ab/ab…`, `runs/<run>/records/….json`, …); in a bucket,
    /// every key under the prefix (leases included).
    pub fn files(&self) -> Vec<String> {
        match self {
            Backend::Local { root, .. } => {
                let mut out = Vec::new();
                let mut stack = vec![root.join("objects"), root.join("runs")];
                while let Some(d) = stack.pop() {
                    let Ok(rd) = std::fs::read_dir(&d) else {
                        continue;
                    };
                    for e in rd {
                        let p = e.unwrap().path();
                        if p.is_dir() {
                            stack.push(p);
                        } else {
                            let rel = p.strip_prefix(root).unwrap();
                            out.push(rel.to_str().unwrap().replace('\\', "/"));
                        }
                    }
                }
                out.sort();
                out
            }
            Backend::S3 { moto, loc, .. } => {
                let pre = format!("{}/", loc.prefix);
                moto.keys(&loc.bucket)
                    .into_iter()
                    .filter_map(|k| k.strip_prefix(&pre).map(str::to_string))
                    .collect()
            }
        }
    }

    /// The bytes of a stored file; `None` when absent.
    pub fn read(&self, rel: &str) -> Option<Vec<u8>> {
        match self {
            Backend::Local { root, .. } => std::fs::read(root.join(rel)).ok(),
            Backend::S3 { moto, loc, .. } => {
                moto.get_raw(&loc.bucket, &format!("{}/{rel}", loc.prefix))
            }
        }
    }

    /// Replace a stored file's bytes behind the store's back (to damage it on purpose,
    /// or to repair it).
    pub fn overwrite(&self, rel: &str, bytes: &[u8]) {
        match self {
            Backend::Local { root, .. } => std::fs::write(root.join(rel), bytes).unwrap(),
            Backend::S3 { moto, loc, .. } => {
                moto.put_raw(&loc.bucket, &format!("{}/{rel}", loc.prefix), bytes)
            }
        }
    }

    /// Delete a stored file behind the store's back.
    pub fn remove(&self, rel: &str) {
        match self {
            Backend::Local { root, .. } => std::fs::remove_file(root.join(rel)).unwrap(),
            Backend::S3 { moto, loc, .. } => {
                moto.delete_raw(&loc.bucket, &format!("{}/{rel}", loc.prefix))
            }
        }
    }

    fn opts(&self, machine: usize) -> Option<S3Options> {
        match self {
            Backend::Local { .. } => None,
            Backend::S3 { moto, caches, .. } => Some(S3Options {
                cache_dir: Some(caches.join(machine.to_string())),
                config: moto.config(),
                ..S3Options::default()
            }),
        }
    }

    /// Open the store's writer from `machine` (each machine has its own cache).
    pub fn try_writer(&self, machine: usize) -> Result<Store, StoreError> {
        self.try_writer_with(machine, WriterOptions::default())
    }

    pub fn try_writer_with(&self, machine: usize, w: WriterOptions) -> Result<Store, StoreError> {
        match self {
            Backend::Local { root, .. } => Store::open_writer_with(root, w),
            Backend::S3 { loc, .. } => Store::open_writer_s3(loc, self.opts(machine).unwrap(), w),
        }
    }

    pub fn writer(&self, machine: usize) -> Store {
        self.try_writer(machine).unwrap()
    }

    /// Open a reader from `machine`.
    pub fn reader(&self, machine: usize) -> Store {
        match self {
            Backend::Local { root, .. } => Store::open_reader(root).unwrap(),
            Backend::S3 { loc, .. } => {
                Store::open_reader_s3(loc, self.opts(machine).unwrap()).unwrap()
            }
        }
    }

    /// Fixity of the whole store, from the files or the bucket.
    pub fn verify(&self) -> quire::store::VerifyReport {
        match self {
            Backend::Local { root, .. } => Store::verify_root(root).unwrap(),
            Backend::S3 { loc, .. } => Store::verify_s3(loc, &self.opts(99).unwrap()).unwrap(),
        }
    }
}

/// `on_both_backends!(f, g)`: for each `fn f(b: &Backend)` of the file, a test
/// `on_disk::f` and a test `in_a_bucket::f`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod on_disk {
            $(
                #[test]
                fn $name() {
                    super::$name(&$crate::store_backends::Backend::local());
                }
            )*
        }
        mod in_a_bucket {
            $(
                #[test]
                fn $name() {
                    let Some(b) = $crate::store_backends::Backend::s3() else { return };
                    super::$name(&b);
                }
            )*
        }
    };
}
