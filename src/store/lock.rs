//! The writer lock: an exclusive `flock` on `<root>/lock` (via `File::try_lock`), held
//! for the life of a writer [`super::Store`]. Owns only the lock; readers never touch it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::error::StoreError;

/// A held writer lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub(crate) struct WriterLock {
    _file: File,
}

impl WriterLock {
    /// Take the lock or fail at once with [`StoreError::Locked`].
    pub(crate) fn acquire(path: &Path) -> Result<WriterLock, StoreError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(StoreError::io(path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = (&file).take(512).read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(StoreError::Locked {
                    holder: if holder.is_empty() {
                        "unknown holder".into()
                    } else {
                        holder.to_string()
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::io(path)(e)),
        }
        let note = format!(
            "pid {} since {}\n",
            std::process::id(),
            super::layout::timestamp(chrono::Utc::now())
        );
        // The note is informational; failing to write it does not matter.
        let _ = file
            .set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(note.as_bytes()));
        Ok(WriterLock { _file: file })
    }
}
