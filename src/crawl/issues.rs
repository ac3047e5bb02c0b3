//! Dates from issues: an article page that states no date of its own takes the date of
//! the issue page of the same run that lists it (`published.source = "issue"`) and
//! names that issue (`content.issue`).
//!
//! This is the one place where two pages meet. [`crate::pipeline::process`] stays a
//! function of one page: the crawl holds back the capture of an undated article
//! ([`Deferred`]: the stored body and its fetch facts, not the document), and when the
//! run's pages are all done, [`write_deferred`] reads the run's index pages from the
//! store ([`issue_dates`]), processes each held-back body again (the same pure
//! function, so the same document) and writes its capture with the issue's date.
//! A run stopped by a signal writes none of them: their frontier entries are still in
//! flight, so the resumed run fetches them again and links them at its end.
//!
//! Owns: which articles wait, where an issue's date comes from, writing the waiting
//! captures. Must not: fetch, or change a date the article page states.

use std::collections::HashMap;

use url::Url;

use crate::extract::ExtractConfig;
use crate::model::{Content, DateSource, Issue, PageType, PublishedDate, Redirect};
use crate::pipeline::{self, CaptureInfo, PageInput};
use crate::store::{EntryKind, RunId, Store, StoreError};

/// Default cap on the captures one run holds back
/// ([`crate::crawl::CrawlConfig::max_deferred`]): a hundred megabytes of fetch facts at
/// most.
pub const DEFAULT_MAX_DEFERRED: usize = 200_000;

/// A capture held back until the run's issue pages are known.
#[derive(Debug, Clone)]
pub(crate) struct Deferred {
    /// The URL the page was served at (its final URL), canonical.
    pub final_url: Url,
    /// SHA-256 of the stored body.
    pub raw_sha256: String,
    /// The fetch facts for the capture's provenance.
    pub info: CaptureInfo,
    /// Every URL of the page's redirect chain (the final one last) and the hops, for
    /// its aliases, written after the capture as for any page.
    pub urls: Vec<String>,
    /// The redirects between `urls`.
    pub hops: Vec<Redirect>,
}

/// Does this page wait for an issue's date? An article whose page states no date: none
/// at all, or only one inferred from its URL.
pub fn needs_issue_date(c: &Content) -> bool {
    c.page_type == PageType::Article
        && c.published
            .as_ref()
            .is_none_or(|d| d.source == Some(DateSource::Url))
}

/// Give `c` the issue's date and name the issue (`content.issue`), when the page
/// states no date (see [`needs_issue_date`]). Returns whether it did.
pub fn apply_issue_date(c: &mut Content, issue: &Issue) -> bool {
    let Some(date) = &issue.date else {
        return false;
    };
    if !needs_issue_date(c) {
        return false;
    }
    c.published = Some(PublishedDate {
        date: date.date.clone(),
        precision: date.precision,
        source: Some(DateSource::Issue),
    });
    c.issue = Some(issue.clone());
    true
}

/// Article URL (as the run stored it: aliases resolved) → the date of the earliest
/// issue of `run` that lists it, from the run's index pages (captured or revalidated)
/// that name a dated issue.
pub fn issue_dates(store: &Store, run: &RunId) -> Result<HashMap<String, Issue>, StoreError> {
    let mut pages = Vec::new();
    store.for_each_entry(run, |e| {
        if e.page_type == Some(PageType::Index) {
            if let EntryKind::Captured { capture, .. } | EntryKind::NotModified { capture, .. } =
                e.kind
            {
                pages.push(capture);
            }
        }
        Ok(())
    })?;
    let mut out: HashMap<String, Issue> = HashMap::new();
    for id in pages {
        let doc = store.read_capture(&id)?;
        let Some(issue) = doc.content.issue.filter(|i| i.date.is_some()) else {
            continue;
        };
        let key = |i: &Issue| i.date.as_ref().map(|d| d.date.clone()).unwrap_or_default();
        for e in &doc.content.entries {
            let url = store.resolve_alias_in(&e.url, Some(run))?;
            if out.get(&url).is_none_or(|d| key(&issue) < key(d)) {
                out.insert(url, issue.clone());
            }
        }
    }
    Ok(out)
}

/// Write the held-back captures of `run`, each with its issue's date when an issue page
/// of the run lists it under any of its URLs. Returns how many took an issue's date.
pub(crate) fn write_deferred(
    store: &mut Store,
    run: &RunId,
    extract: &ExtractConfig,
    deferred: Vec<Deferred>,
) -> Result<u64, StoreError> {
    if deferred.is_empty() {
        return Ok(0);
    }
    let dates = issue_dates(store, run)?;
    let mut dated = 0;
    for d in deferred {
        let raw = store.read_object(&d.raw_sha256)?;
        let input = PageInput {
            url: &d.final_url,
            body: &raw,
            content_type: d.info.content_type.as_deref(),
        };
        // The body was processed once already; the same pure function gives the same
        // document (a failure now would be a bug: the page is skipped, not stored).
        let Ok(mut processed) = pipeline::process(&input, extract) else {
            tracing::error!(url = %d.final_url, "held-back page no longer processes; not stored");
            continue;
        };
        let key = d
            .urls
            .last()
            .cloned()
            .unwrap_or_else(|| d.final_url.to_string());
        let date = d.urls.iter().rev().find_map(|u| dates.get(u));
        if let Some(date) = date {
            if apply_issue_date(&mut processed.content, date) {
                dated += 1;
            }
        }
        let article = processed.into_article_at(&raw, d.info.clone(), &key);
        store.put_capture(run, &article)?;
        super::put_aliases(store, run, &d.urls, &d.hops, &key)?;
    }
    Ok(dated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DatePrecision;

    fn content(published: Option<PublishedDate>) -> Content {
        let mut c = crate::store::synthetic::article(
            "http://m.example/a",
            &crate::store::ObjectRef {
                sha256: "0".repeat(64),
                len: 0,
                path: String::new(),
            },
            &RunId("r".into()),
            "t",
        )
        .content;
        c.published = published;
        c
    }

    #[test]
    fn a_stated_date_is_never_overwritten() {
        let issue = Issue {
            label: "November 1997 issue".into(),
            date: Some(PublishedDate {
                date: "1997-11".into(),
                precision: DatePrecision::Month,
                source: None,
            }),
        };
        let page = PublishedDate {
            date: "1997-10".into(),
            precision: DatePrecision::Month,
            source: Some(DateSource::Page),
        };
        let mut c = content(Some(page.clone()));
        assert!(!apply_issue_date(&mut c, &issue));
        assert_eq!(c.published, Some(page));

        let mut c = content(None);
        assert!(apply_issue_date(&mut c, &issue));
        assert_eq!(
            c.issue.as_ref().map(|i| i.label.as_str()),
            Some("November 1997 issue")
        );
        assert_eq!(
            c.published.as_ref().and_then(|d| d.source),
            Some(DateSource::Issue)
        );
        assert_eq!(
            c.published.as_ref().map(|d| d.date.as_str()),
            Some("1997-11")
        );

        // A date inferred from the URL is no date the page states.
        let mut c = content(Some(PublishedDate {
            date: "1997-10".into(),
            precision: DatePrecision::Month,
            source: Some(DateSource::Url),
        }));
        assert!(apply_issue_date(&mut c, &issue));
        assert_eq!(c.published.map(|d| d.date), Some("1997-11".to_string()));
    }
}
