//! What changed in the run's index pages: per index page, the entries added and removed
//! between two runs (`quire changes --index`). An article dropped from an issue's table
//! of contents is news to an archivist. Reads the store through its public API only.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::model::{Entry, PageType};
use crate::store::{CaptureId, EntryKind, RunId, Store, StoreError};

/// One entry as reported: its URL and title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryRef {
    /// The entry's URL.
    pub url: String,
    /// Its title as the index page printed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// What happened to one index page between the two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStatus {
    /// An index page in both runs whose entries differ.
    Changed,
    /// An index page only in the newer run: every entry is added.
    New,
    /// An index page only in the older run: every entry is removed.
    Gone,
}

/// The entries of one index page that came and went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexPageChange {
    /// The index page.
    pub url: String,
    /// Changed, new or gone.
    pub status: PageStatus,
    /// Entries the newer run's page lists and the older one's did not, in page order.
    pub added: Vec<EntryRef>,
    /// Entries the older run's page listed and the newer one's does not, in page order.
    pub removed: Vec<EntryRef>,
}

/// Index-page changes between two runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexComparison {
    /// The older run.
    pub old: RunId,
    /// The newer run.
    pub new: RunId,
    /// Index pages in both runs with the same entries.
    pub unchanged: u64,
    /// Index pages whose entries changed, appeared or went, by URL.
    pub pages: Vec<IndexPageChange>,
}

/// URL → (capture, content digest) of the index pages a run holds (captured or
/// revalidated).
fn index_pages(
    store: &Store,
    run: &RunId,
) -> Result<BTreeMap<String, (CaptureId, String)>, StoreError> {
    let mut out = BTreeMap::new();
    store.for_each_entry(run, |e| {
        if e.page_type == Some(PageType::Index) {
            if let EntryKind::Captured {
                capture,
                content_sha256,
                ..
            }
            | EntryKind::NotModified {
                capture,
                content_sha256,
                ..
            } = e.kind
            {
                out.insert(e.url, (capture, content_sha256));
            }
        }
        Ok(())
    })?;
    Ok(out)
}

fn refs<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<EntryRef> {
    entries
        .map(|e| EntryRef {
            url: e.url.clone(),
            title: e.title.clone(),
        })
        .collect()
}

/// Compare the index pages of `old` and `new`. Pages with the same content digest are
/// not read.
pub fn compare_index_pages(
    store: &Store,
    old: &RunId,
    new: &RunId,
) -> Result<IndexComparison, StoreError> {
    let a = index_pages(store, old)?;
    let b = index_pages(store, new)?;
    let mut pages = Vec::new();
    let mut unchanged = 0;
    let entries = |id: &CaptureId| -> Result<Vec<Entry>, StoreError> {
        Ok(store.read_capture(id)?.content.entries)
    };
    let urls: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for url in urls {
        match (a.get(url), b.get(url)) {
            (Some((_, da)), Some((_, db))) if da == db => unchanged += 1,
            (Some((ia, _)), Some((ib, _))) => {
                let (ea, eb) = (entries(ia)?, entries(ib)?);
                let in_a: HashSet<&str> = ea.iter().map(|e| e.url.as_str()).collect();
                let in_b: HashSet<&str> = eb.iter().map(|e| e.url.as_str()).collect();
                let added = refs(eb.iter().filter(|e| !in_a.contains(e.url.as_str())));
                let removed = refs(ea.iter().filter(|e| !in_b.contains(e.url.as_str())));
                if added.is_empty() && removed.is_empty() {
                    unchanged += 1;
                } else {
                    pages.push(IndexPageChange {
                        url: url.clone(),
                        status: PageStatus::Changed,
                        added,
                        removed,
                    });
                }
            }
            (None, Some((ib, _))) => pages.push(IndexPageChange {
                url: url.clone(),
                status: PageStatus::New,
                added: refs(entries(ib)?.iter()),
                removed: Vec::new(),
            }),
            (Some((ia, _)), None) => pages.push(IndexPageChange {
                url: url.clone(),
                status: PageStatus::Gone,
                added: Vec::new(),
                removed: refs(entries(ia)?.iter()),
            }),
            (None, None) => {}
        }
    }
    Ok(IndexComparison {
        old: old.clone(),
        new: new.clone(),
        unchanged,
        pages,
    })
}

/// The human report: one block per index page (`~` changed, `+` new, `-` gone), its
/// added (`+`) and removed (`-`) entries indented below.
pub fn print_human(out: &mut dyn std::io::Write, cmp: &IndexComparison) -> std::io::Result<()> {
    writeln!(out, "index changes {} -> {}", cmp.old, cmp.new)?;
    writeln!(
        out,
        "  {} index pages with changed entries, {} unchanged",
        cmp.pages.len(),
        cmp.unchanged
    )?;
    for p in &cmp.pages {
        let mark = match p.status {
            PageStatus::Changed => '~',
            PageStatus::New => '+',
            PageStatus::Gone => '-',
        };
        writeln!(out, "{mark} {}", p.url)?;
        for (m, list) in [('+', &p.added), ('-', &p.removed)] {
            for e in list {
                writeln!(
                    out,
                    "    {m} {}\t{}",
                    e.url,
                    e.title.as_deref().unwrap_or("")
                )?;
            }
        }
    }
    Ok(())
}
