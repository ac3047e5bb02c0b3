//! JSONL export: one Article document (as stored, provenance included, with its
//! `aliases` filled from the store) per line, latest capture per URL by default,
//! every capture with `all`, only articles or only index pages with `page_type`.
//! Streams.
//!
//! Owns the line format only; reads the store, never writes it.

use std::io::Write;

use super::{for_each_selected, ExportError, ExportStats, Selection};
use crate::store::Store;

/// Write the selected captures to `out`, one JSON document per line.
pub fn export(
    store: &Store,
    sel: &Selection,
    out: &mut dyn Write,
) -> Result<ExportStats, ExportError> {
    let mut stats = ExportStats::default();
    let mut line = Vec::with_capacity(64 * 1024);
    let mut articles = super::WithAliases::new(store, sel);
    for_each_selected(store, sel, |summary| {
        let article = articles.article(&summary)?;
        if sel
            .page_type
            .is_some_and(|t| t != article.content.page_type)
        {
            return Ok(());
        }
        line.clear();
        serde_json::to_writer(&mut line, &article).map_err(|e| ExportError::Serialize {
            capture: summary.id.to_string(),
            detail: e.to_string(),
        })?;
        line.push(b'\n');
        out.write_all(&line)?;
        stats.captures += 1;
        stats.bytes += line.len() as u64;
        Ok(())
    })?;
    out.flush()?;
    Ok(stats)
}
