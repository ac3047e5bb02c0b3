//! Atomic, durable file writes: temp file in the store's `tmp/` directory, `fsync`,
//! `rename` into place, `fsync` the destination directory. Owns nothing else; it must
//! not decide *what* is written or where (that is `layout` and the callers).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::StoreError;

/// Hands out unique temp file names under one `tmp/` directory for one writer.
#[derive(Debug)]
pub(crate) struct TempDir {
    dir: PathBuf,
    prefix: String,
    counter: u64,
}

impl TempDir {
    pub(crate) fn new(dir: PathBuf) -> TempDir {
        TempDir {
            dir,
            prefix: format!("{}-{:08x}", std::process::id(), fastrand::u32(..)),
            counter: 0,
        }
    }

    /// A fresh path for a temp file (or directory) that nobody else uses.
    pub(crate) fn next(&mut self) -> PathBuf {
        self.counter += 1;
        self.dir
            .join(format!("{}-{}.tmp", self.prefix, self.counter))
    }
}

/// Write `bytes` to `dest` atomically and durably. `dest`'s directory must exist.
pub(crate) fn write_atomic(tmp: &mut TempDir, dest: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomic_with(tmp, dest, |w| w.write_all(bytes)).map(|_| ())
}

/// Like [`write_atomic`], streaming: `fill` writes the content; returns the SHA-256
/// (hex) and length of what was written.
pub(crate) fn write_atomic_with(
    tmp: &mut TempDir,
    dest: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(String, u64), StoreError> {
    let tmp_path = tmp.next();
    let result = (|| {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp_path)
            .map_err(StoreError::io(&tmp_path))?;
        let mut w = HashingWriter {
            inner: io::BufWriter::with_capacity(64 * 1024, file),
            hasher: Sha256::new(),
            len: 0,
        };
        fill(&mut w).map_err(StoreError::io(&tmp_path))?;
        let HashingWriter { inner, hasher, len } = w;
        let file = inner
            .into_inner()
            .map_err(|e| StoreError::io(&tmp_path)(e.into_error()))?;
        file.sync_all().map_err(StoreError::io(&tmp_path))?;
        drop(file);
        fs::rename(&tmp_path, dest).map_err(StoreError::io(dest))?;
        if let Some(dir) = dest.parent() {
            sync_dir(dir)?;
        }
        Ok((hex::encode(hasher.finalize()), len))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    result
}

/// `fsync` a directory so that renames and creations in it are durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io(dir))
}

/// Create `dir` (and missing parents) durably: each new directory's parent is synced.
pub(crate) fn create_dir_durable(dir: &Path) -> Result<(), StoreError> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        if !parent.as_os_str().is_empty() {
            create_dir_durable(parent)?;
        }
    }
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(StoreError::io(dir)(e)),
    }
    if let Some(parent) = dir.parent() {
        if !parent.as_os_str().is_empty() {
            sync_dir(parent)?;
        }
    }
    Ok(())
}

struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Write `bytes` to a fresh temp file without syncing it; the caller syncs (in a batch)
/// and renames it.
pub(crate) fn write_temp(tmp: &mut TempDir, bytes: &[u8]) -> Result<(PathBuf, File), StoreError> {
    let path = tmp.next();
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(StoreError::io(&path))?;
    if let Err(e) = file.write_all(bytes) {
        let _ = fs::remove_file(&path);
        return Err(StoreError::io(&path)(e));
    }
    Ok((path, file))
}

/// `fsync` many files (or directories) at once from a few threads, so the file system
/// can commit them together; the first error wins.
pub(crate) fn sync_many(items: &[(&Path, Option<&File>)]) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let threads = items.len().clamp(1, 8);
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || -> Result<(), StoreError> {
                    for (path, file) in part {
                        match file {
                            Some(f) => f.sync_all().map_err(StoreError::io(path))?,
                            None => sync_dir(path)?,
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        let mut result = Ok(());
        for h in handles {
            let r = h
                .join()
                .unwrap_or_else(|_| Err(StoreError::Invalid("a sync thread panicked".into())));
            if result.is_ok() {
                result = r;
            }
        }
        result
    })
}
