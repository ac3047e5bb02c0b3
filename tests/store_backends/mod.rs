//! One store test, two backends: a local directory, or a bucket on the real S3 server
//! of `s3_support` (moto on loopback) seen from one or more "machines", each with its
//! own cache directory. Tests written against [`Backend`] run on both through
//! [`on_both_backends!`]: `on_disk::NAME` and `in_a_bucket::NAME` (which skips with a
//! printed reason when moto is missing outside CI, and fails in CI).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use quire::store::{S3Location, S3Options, Store, StoreError, WriterOptions};

use crate::s3_support::{self, Moto};

/// Where a test's store lives.
pub enum Backend {
    Local {
        _dir: tempfile::TempDir,
        root: PathBuf,
    },
    S3 {
        moto: &'static Moto,
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
