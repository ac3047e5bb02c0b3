//! Site profiles: data (TOML) that tells the extractor where a magazine's article is
//! and what its chrome looks like. Enter Stage Right's profile is built in
//! (`src/extract/profiles/esr.toml`, documented in `docs/ESR.md`); users add others
//! with `--profile FILE`.
//!
//! A profile has two halves. Optional CSS selectors pin down parts a modern template
//! marks up (body region, kicker, title, byline, date, breadcrumb, bio, elements to
//! remove). Text rules (regexes) classify the reading-order segments of hand-made
//! pages (see [`super::segment`]): breadcrumb, kicker labels, byline, dateline, dates
//! in parentheses, book data, the end mark, stop and footer phrases, the author note,
//! reprint notices, signatures, boilerplate and chrome. The engine is generic; nothing
//! in it names a site.
//!
//! Layout: [`load`] (TOML → compiled [`Profile`], [`ProfileSet`], validation),
//! [`rules`] (the compiled rules and the pure text questions asked of them),
//! [`classify`] (segments → the article's parts: head, end, bio, body blocks). This
//! file is the entry point: selectors first, then the segment classifier, then the
//! page-level fallbacks (`<title>`, site name, canonical URL, language).
//!
//! Owns: profile-driven extraction. Must not: decode bytes, do I/O other than reading
//! a profile file, or read the clock or the environment: the result is a pure
//! function of the document, the URL and the profile.

pub mod classify;
pub mod load;
pub mod rules;

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::{ElementRef, Selector};
use url::Url;

use super::dom::Document;
use super::segment;
use crate::model::{Block, Content, ExtractorInfo, PageType};
use crate::normalize;

pub use classify::split_credit;
pub use load::{Profile, ProfileError, ProfileSet, ENGINE_VERSION};

/// Extract with a profile: the content part, which extractor ran, and warnings.
pub fn extract(doc: &Document, url: &Url, p: &Profile) -> (Content, ExtractorInfo, Vec<String>) {
    let mut warnings = Vec::new();
    let info = ExtractorInfo {
        name: "profile".into(),
        version: ENGINE_VERSION.into(),
        profile: Some(p.name.clone()),
    };
    let meta = super::meta::page_meta(doc, url);
    let chosen = p.sel.body.as_ref().and_then(|s| doc.select(s).next());
    if p.sel.body.is_some() && chosen.is_none() {
        warnings.push("profile body selector matched nothing; scanned the whole page".into());
    }
    let root = chosen.unwrap_or_else(|| doc.root_element());
    let removed = removed_ids(doc, &p.sel.remove);
    let picked = Picked::from_selectors(doc, p);
    let segs = segment::segment_filtered(root, url, &removed, &picked.ids);

    let mut content = classify::classify(p, &segs, url, &picked, &mut warnings);
    if content.title.is_none() {
        // An index page is named by its <title> as written; an article whose
        // headline was not found falls back to the <title> without the site name.
        content.title = match content.page_type {
            PageType::Index => meta.html_title.clone(),
            PageType::Article => meta.title.as_deref().map(|t| p.rules.strip_title(t)),
        };
    }
    if content.page_type == PageType::Index {
        index_entries(&mut content, root, url, p, &mut warnings);
    }
    content.site = p.site.clone().or(meta.site_name);
    content.canonical_url = meta.canonical_url;
    content.language = meta.language;
    content.word_count = normalize::word_count(&content.body);
    (content, info, warnings)
}

/// An index page's entries, its issue, and a body made of the entries' printed text
/// (so that plain-text consumers see what the page lists). The "no article" warning
/// stays only when no entry could be read either.
fn index_entries(
    content: &mut Content,
    root: ElementRef<'_>,
    url: &Url,
    p: &Profile,
    warnings: &mut Vec<String>,
) {
    let chrome = |t: &str| p.rules.is_chrome_text(t) || p.rules.is_stop_text(t);
    let page = super::entries::read(
        root,
        &super::entries::Context {
            url,
            title: content.title.as_deref(),
            chrome: Some(&chrome),
        },
    );
    if page.entries.is_empty() {
        return;
    }
    warnings.retain(|w| !w.starts_with("no article found"));
    content.body = page
        .entries
        .iter()
        .map(|e| Block::Paragraph {
            text: super::entries::entry_text(e),
        })
        .filter(|b| !b.text().is_empty())
        .collect();
    if let Some(h) = page.heading {
        // The heading the page prints names it better than its <title>.
        content.title = Some(h);
    }
    content.entries = page.entries;
    content.issue = page.issue;
}

/// Node ids of elements a profile removes.
fn removed_ids(doc: &Document, sels: &[Selector]) -> HashSet<NodeId> {
    sels.iter()
        .flat_map(|s| doc.select(s))
        .map(|e| e.id())
        .collect()
}

/// Values taken by selectors, and the elements they came from (skipped by the
/// segmenter so they don't reappear in the body).
#[derive(Default)]
pub struct Picked {
    kicker: Option<String>,
    title: Option<String>,
    subtitle: Option<String>,
    byline: Option<String>,
    date: Option<String>,
    breadcrumb: Option<Vec<String>>,
    bio: Option<String>,
    ids: HashSet<NodeId>,
}

fn el_text(e: ElementRef<'_>) -> String {
    normalize::text(&e.text().collect::<String>())
}

impl Picked {
    fn from_selectors(doc: &Document, p: &Profile) -> Picked {
        let mut k = Picked::default();
        let one = |s: &Option<Selector>, ids: &mut HashSet<NodeId>| {
            let e = s.as_ref().and_then(|s| doc.select(s).next())?;
            ids.insert(e.id());
            Some(el_text(e)).filter(|t| !t.is_empty())
        };
        let mut ids = HashSet::new();
        k.kicker = one(&p.sel.kicker, &mut ids)
            .map(|t| t.trim_end_matches([':', ' ']).to_string())
            .filter(|t| !t.is_empty());
        k.title = one(&p.sel.title, &mut ids);
        k.subtitle = one(&p.sel.subtitle, &mut ids);
        k.byline = one(&p.sel.byline, &mut ids);
        k.date = one(&p.sel.date, &mut ids);
        k.bio = one(&p.sel.bio, &mut ids);
        if let Some(s) = &p.sel.breadcrumb {
            let items: Vec<String> = doc
                .select(s)
                .map(|e| {
                    ids.insert(e.id());
                    el_text(e)
                })
                .filter(|t| !t.is_empty())
                .collect();
            if !items.is_empty() {
                k.breadcrumb = Some(items);
            }
        }
        k.ids = ids;
        k
    }
}
