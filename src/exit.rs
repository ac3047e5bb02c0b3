//! Process exit codes: the contract with cron, systemd and scripts.
//!
//! Owns the numbers only; deciding which one applies is the caller's business.

/// Exit status of a `quire` command. Documented in the README and in `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExitCode {
    /// Everything asked for was done.
    Success = 0,
    /// The command finished, but some pages (or inputs) failed; see the summary.
    PartialFailure = 1,
    /// Bad command line or configuration; nothing was done.
    Usage = 2,
    /// Another `quire` process holds the store's writer lock.
    StoreLocked = 3,
    /// The store failed verification or could not be read consistently.
    StoreCorrupt = 4,
    /// A fatal error stopped the command (I/O error, unwritable store, ...).
    Fatal = 5,
}

impl ExitCode {
    /// The numeric status.
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(c.code() as u8)
    }
}
