//! Exports of a store: JSONL ([`jsonl`]) and WARC 1.1 ([`warc`]).
//!
//! Owns the export formats. Reads the store through its public read API only
//! (`for_each_capture`, `read_capture`, `read_object`, `aliases_of`); never writes it, never touches
//! the network, never reads the clock (the caller passes the export time). Both
//! exports stream: one capture is in memory at a time, whatever the store's size.

use crate::model::Article;
use crate::store::{CaptureSummary, RunId, Store, StoreError};

pub mod jsonl;
pub mod warc;

/// Which captures to export.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only captures of this run.
    pub run: Option<RunId>,
    /// Every capture, not only the latest per URL.
    pub all: bool,
    /// Only documents of this page type (`None`: every page). JSONL only: a WARC keeps
    /// every capture.
    pub page_type: Option<crate::model::PageType>,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExportStats {
    /// Captures exported.
    pub captures: u64,
    /// Bytes written (before any compression the format applies itself).
    pub bytes: u64,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing the output failed (e.g. a closed pipe).
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    /// A record could not be serialized.
    #[error("serializing capture {capture}: {detail}")]
    Serialize {
        /// The capture.
        capture: String,
        /// What went wrong.
        detail: String,
    },
}

/// The Article of each capture with its `aliases`: the URLs recorded as redirecting
/// to it, in the selected run (`--run`) or in any run of the store. Captures come
/// sorted by URL, so the aliases of the last URL are kept and asked for once per URL,
/// not once per capture (`--all` lists every capture of a URL in a row).
pub(crate) struct WithAliases<'s> {
    store: &'s Store,
    sel: &'s Selection,
    last: Option<(String, Vec<String>)>,
}

impl<'s> WithAliases<'s> {
    pub(crate) fn new(store: &'s Store, sel: &'s Selection) -> Self {
        WithAliases {
            store,
            sel,
            last: None,
        }
    }

    pub(crate) fn article(&mut self, summary: &CaptureSummary) -> Result<Article, StoreError> {
        let mut article = self.store.read_capture(&summary.id)?;
        let aliases = match &self.last {
            Some((url, aliases)) if *url == summary.url => aliases.clone(),
            _ => {
                let aliases = self.store.aliases_of(&summary.url, self.sel.run.as_ref())?;
                self.last = Some((summary.url.clone(), aliases.clone()));
                aliases
            }
        };
        article.aliases = aliases;
        Ok(article)
    }
}

/// Run `f` over the selected captures, letting it fail with an [`ExportError`] even
/// though the store's callback only carries [`StoreError`]s.
pub(crate) fn for_each_selected(
    store: &crate::store::Store,
    sel: &Selection,
    mut f: impl FnMut(crate::store::CaptureSummary) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let mut failure: Option<ExportError> = None;
    let res = store.for_each_capture(!sel.all, sel.run.as_ref(), |summary| {
        match f(summary) {
            Ok(()) => Ok(()),
            Err(ExportError::Store(e)) => Err(e),
            Err(e) => {
                failure = Some(e);
                // Any error stops the store's iteration; the real one is kept above.
                Err(StoreError::NotFound("export stopped".into()))
            }
        }
    });
    match (failure, res) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(e.into()),
        (None, Ok(())) => Ok(()),
    }
}
