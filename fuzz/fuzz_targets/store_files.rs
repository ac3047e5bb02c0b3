//! Fuzz target: reading store records, run files and manifests
//! (`quire::store::parse_file`, the parsing `verify` and `reindex` do).
//!
//! The first byte picks the file kind; the rest is the file. Must not panic, and a
//! record that parses is a "captured", "not_modified", "failed" or "gone" outcome.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::store::{parse_file, FileKind};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else {
        return;
    };
    let kind = match sel % 3 {
        0 => FileKind::Record,
        1 => FileKind::RunFile,
        _ => FileKind::Manifest,
    };
    if let Ok(p) = parse_file(kind, bytes) {
        if kind == FileKind::Record {
            assert!(
                matches!(p.kind.as_str(), "captured" | "not_modified" | "failed" | "gone"),
                "{p:?}"
            );
        }
    }
});
