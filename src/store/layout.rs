//! The on-disk layout (format version [`FORMAT_VERSION`]): every path under a store
//! root is computed here, from hex digests and run ids only — never from URL text, so a
//! hostile URL cannot steer a write. Owns names and name validation; does no I/O beyond
//! what `ensure` needs to create the skeleton.
//!
//! ```text
//! <root>/quire-store.json                 format marker {"format":"quire-store","version":1|2}
//! <root>/lock                             writer lock (flock); holder pid + time inside
//! <root>/index.sqlite[-wal|-shm]          SQLite index: a cache, rebuilt by `quire reindex`
//! <root>/tmp/                             temp files of the writer; emptied when a writer opens
//! <root>/objects/sha256/<2 hex>/<64 hex>  raw bodies, named by the SHA-256 of their bytes
//! <root>/runs/<run id>/run.json           the run's start: id, time, tool version, info
//! <root>/runs/<run id>/records/<64 hex>.json  one record per URL outcome, named by its SHA-256
//! <root>/runs/<run id>/manifest.json      written when the run finishes: every entry + digests
//! <root>/runs/<run id>/manifest.sha256    `<sha256 of manifest.json>  manifest.json` (sha256sum -c)
//! ```

use std::path::{Path, PathBuf};

/// Highest version of the on-disk layout this quire reads and writes. Bumped on any
/// change a reader of the previous version would misread.
pub const FORMAT_VERSION: u32 = 2;
/// The version a new store is created with: version 1 (a format-1 reader reads it).
pub const BASE_FORMAT_VERSION: u32 = 1;
/// The version that adds `alias` records. A store is marked with it (its format file
/// rewritten) just before its first alias record is written, so a format-1 reader,
/// which cannot parse that record kind, refuses the store instead of reporting its
/// alias records as corrupt; a store that never had one stays at version 1.
pub const ALIAS_FORMAT_VERSION: u32 = 2;
/// Name of the format marker file.
pub const FORMAT_FILE: &str = "quire-store.json";
/// Name of the writer lock file.
pub const LOCK_FILE: &str = "lock";
/// Name of the SQLite index.
pub const INDEX_FILE: &str = "index.sqlite";
/// The record envelope's format tag.
pub const RECORD_FORMAT: &str = "quire-record/1";
/// The manifest's format tag.
pub const MANIFEST_FORMAT: &str = "quire-manifest/1";
/// The run file's format tag.
pub const RUN_FORMAT: &str = "quire-run/1";

/// Largest record, run file or format file quire will read into memory.
pub const MAX_RECORD_BYTES: u64 = 256 << 20;
/// Largest manifest quire will read into memory.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 30;

/// Read a whole file, refusing one larger than `max` bytes (no unbounded allocation
/// on a damaged or hostile store).
pub(crate) fn read_limited(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut out = Vec::new();
    file.take(max + 1).read_to_end(&mut out)?;
    if out.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("file larger than {max} bytes"),
        ));
    }
    Ok(out)
}

/// Path computations for one store root.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) root: PathBuf,
}

impl Layout {
    pub(crate) fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
        }
    }
    pub(crate) fn format_file(&self) -> PathBuf {
        self.root.join(FORMAT_FILE)
    }
    pub(crate) fn lock_file(&self) -> PathBuf {
        self.root.join(LOCK_FILE)
    }
    pub(crate) fn index_file(&self) -> PathBuf {
        self.root.join(INDEX_FILE)
    }
    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }
    pub(crate) fn objects_dir(&self) -> PathBuf {
        self.root.join("objects").join("sha256")
    }
    pub(crate) fn runs_dir(&self) -> PathBuf {
        self.root.join("runs")
    }
    pub(crate) fn run_dir(&self, run: &str) -> PathBuf {
        self.runs_dir().join(run)
    }
    pub(crate) fn records_dir(&self, run: &str) -> PathBuf {
        self.run_dir(run).join("records")
    }
    pub(crate) fn record_file(&self, run: &str, sha: &str) -> PathBuf {
        self.records_dir(run).join(format!("{sha}.json"))
    }
    pub(crate) fn run_file(&self, run: &str) -> PathBuf {
        self.run_dir(run).join("run.json")
    }
    pub(crate) fn manifest_file(&self, run: &str) -> PathBuf {
        self.run_dir(run).join("manifest.json")
    }
    pub(crate) fn manifest_digest_file(&self, run: &str) -> PathBuf {
        self.run_dir(run).join("manifest.sha256")
    }
}

/// Relative path (with `/`) of the object with this digest.
pub(crate) fn object_rel(sha: &str) -> String {
    let fan = sha.get(..2).unwrap_or("00");
    format!("objects/sha256/{fan}/{sha}")
}

/// Relative path of a record.
pub(crate) fn record_rel(run: &str, sha: &str) -> String {
    format!("runs/{run}/records/{sha}.json")
}

/// True for a lowercase 64-hex SHA-256 digest.
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// True for a run id as made by [`new_run_id`]: `YYYYMMDDTHHMMSSZ-<6 hex>`.
pub(crate) fn is_run_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 23
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z'
        && b[16] == b'-'
        && b[17..]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// A new run id: UTC start time to the second, then 6 hex digits: the millisecond
/// (top 10 bits) and 14 random bits, so ids sort by start time to the millisecond.
pub(crate) fn new_run_id(now: chrono::DateTime<chrono::Utc>) -> String {
    let ms = now.timestamp_subsec_millis().min(999);
    format!(
        "{}-{:06x}",
        now.format("%Y%m%dT%H%M%SZ"),
        (ms << 14) | fastrand::u32(..1 << 14)
    )
}

/// RFC 3339 UTC with milliseconds, as used in every store file.
pub(crate) fn timestamp(now: chrono::DateTime<chrono::Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_validate() {
        let id = new_run_id(chrono::Utc::now());
        assert!(is_run_id(&id), "{id}");
        assert!(!is_run_id("../../etc"));
        assert!(!is_run_id("20261202T031500Z-ABCDEF"));
    }

    #[test]
    fn object_paths_come_from_digests_only() {
        let sha = crate::model::sha256_hex(b"x");
        assert_eq!(
            object_rel(&sha),
            format!("objects/sha256/{}/{sha}", &sha[..2])
        );
        assert!(is_sha256_hex(&sha));
        assert!(!is_sha256_hex("../x"));
    }
}
