//! The store's error type. Owns only the error enum and its classification helpers;
//! it must not decide what a command prints (that is `cli`).

use std::path::{Path, PathBuf};

use crate::exit::ExitCode;

/// Everything that can go wrong reading or writing a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process holds the writer lock.
    #[error("the store is locked by another quire process ({holder})")]
    Locked {
        /// Who holds the lock, as written in the lock file (pid and start time).
        holder: String,
    },
    /// An I/O error on a path under the store root.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A file in the store does not hold what it must.
    #[error("corrupt store file {}: {detail}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The SQLite index failed.
    #[error("store index: {0}")]
    Index(#[from] rusqlite::Error),
    /// A run, capture, object or store that does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A write to a run that is already finished (its manifest is sealed).
    #[error("run {0} is finished; its records are sealed")]
    RunFinished(String),
    /// An argument the store cannot accept (e.g. a capture whose object is not stored).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The object storage holding the store failed (after its own retries).
    #[error("object storage: {0}")]
    Remote(String),
    /// The store was written by a newer, incompatible format version.
    #[error("unsupported store format at {}: {detail}", path.display())]
    Format {
        /// The format file.
        path: PathBuf,
        /// What was found.
        detail: String,
    },
}

impl StoreError {
    /// True when the writer lock is held by someone else.
    pub fn is_locked(&self) -> bool {
        matches!(self, StoreError::Locked { .. })
    }

    /// True when a store file was found corrupt.
    pub fn is_corrupt(&self) -> bool {
        matches!(self, StoreError::Corrupt { .. })
    }

    /// The process exit code this error should end a command with.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            StoreError::Locked { .. } => ExitCode::StoreLocked,
            StoreError::Corrupt { .. } => ExitCode::StoreCorrupt,
            _ => ExitCode::Fatal,
        }
    }

    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
        move |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn corrupt(path: &Path, detail: impl Into<String>) -> StoreError {
        StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: detail.into(),
        }
    }
}
