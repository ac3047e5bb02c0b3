//! Shared by the diff/export tests and `benches/changes_export.rs`: synthetic captures
//! written through the store's public API (no extractor, no network).
#![allow(dead_code)]

use quire::model::*;
use quire::store::{CaptureId, Outcome, RunId, Store};

/// A synthetic article page. `chrome` changes the raw bytes (and so `raw_sha256`)
/// without touching the content, as a changed navigation bar would.
pub struct Page<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub paragraphs: &'a [&'a str],
    pub page_type: PageType,
    pub chrome: &'a str,
}

impl<'a> Page<'a> {
    pub fn article(
        url: &'a str,
        title: &'a str,
        paragraphs: &'a [&'a str],
        chrome: &'a str,
    ) -> Self {
        Page {
            url,
            title,
            paragraphs,
            page_type: PageType::Article,
            chrome,
        }
    }
}

pub fn content_of(p: &Page<'_>) -> Content {
    Content {
        url: p.url.into(),
        canonical_url: None,
        site: Some("Synthetic Review".into()),
        section: vec!["Politics".into()],
        page_type: p.page_type,
        kicker: None,
        title: Some(p.title.into()),
        subtitle: None,
        authors: vec!["A. Writer".into()],
        published: Some(PublishedDate {
            date: "1998-09".into(),
            precision: DatePrecision::Month,
            source: None,
        }),
        body: p
            .paragraphs
            .iter()
            .map(|t| Block::Paragraph { text: (*t).into() })
            .collect(),
        bio: None,
        original_publication: None,
        language: Some("en".into()),
        word_count: p
            .paragraphs
            .iter()
            .map(|t| t.split_whitespace().count() as u64)
            .sum(),
        entries: Vec::new(),
        issue: None,
        posts: Vec::new(),
    }
}

pub fn html_of(p: &Page<'_>) -> Vec<u8> {
    let mut s = format!(
        "<html><head><title>{}</title></head><body><div class=nav>{}</div><h1>{}</h1>",
        p.title, p.chrome, p.title
    );
    for para in p.paragraphs {
        s.push_str(&format!("<p>{para}</p>"));
    }
    s.push_str("</body></html>");
    s.into_bytes()
}

/// Store one capture of `p` in `run`.
pub fn put_page(store: &mut Store, run: &RunId, p: &Page<'_>) -> CaptureId {
    let body = html_of(p);
    let obj = store.put_object(&body).unwrap();
    let content = content_of(p);
    let article = Article {
        schema_version: SCHEMA_VERSION.into(),
        content_sha256: content_sha256(&content),
        content,
        provenance: Provenance {
            fetched_at: Some("2026-12-02T03:15:00Z".into()),
            http_status: Some(200),
            final_url: Some(p.url.into()),
            redirects: vec![],
            etag: None,
            last_modified: None,
            content_type: Some("text/html; charset=utf-8".into()),
            charset: Charset {
                name: "UTF-8".into(),
                source: CharsetSource::Http,
                overruled: vec![],
            },
            raw_sha256: obj.sha256.clone(),
            raw_bytes: obj.len,
            extractor: ExtractorInfo {
                name: "generic".into(),
                version: "1".into(),
                profile: None,
            },
            tool_version: quire::TOOL_VERSION.into(),
            run_id: Some(run.to_string()),
            object_path: Some(obj.path.clone()),
            source: None,
        },
        warnings: vec![],
        aliases: vec![],
    };
    store.put_capture(run, &article).unwrap()
}

pub fn put_failed(store: &mut Store, run: &RunId, url: &str) {
    store
        .put_outcome(
            run,
            url,
            &Outcome::Failed {
                reason: "connection reset".into(),
                http_status: None,
            },
        )
        .unwrap();
}

pub fn put_gone(store: &mut Store, run: &RunId, url: &str) {
    store
        .put_outcome(run, url, &Outcome::Gone { http_status: 404 })
        .unwrap();
}

pub fn put_not_modified(store: &mut Store, run: &RunId, url: &str, previous: &CaptureId) {
    store
        .put_outcome(
            run,
            url,
            &Outcome::NotModified {
                previous: previous.clone(),
            },
        )
        .unwrap();
}

/// Build a store of `n` articles crawled twice: run 1 all captured; run 2 with every
/// page's chrome changed, every 10th article edited (one word), every 50th gone, and
/// n/50 new ones. Returns (run1, run2).
pub fn build_two_runs(root: &std::path::Path, n: usize) -> (RunId, RunId) {
    let mut store = Store::open_writer(root).unwrap();
    let r1 = store
        .begin_run(&serde_json::json!({"synthetic": n}))
        .unwrap();
    let urls: Vec<String> = (0..n)
        .map(|i| format!("http://127.0.0.1:1/a/{i:06}.html"))
        .collect();
    let para = |i: usize, edited: bool| {
        format!(
            "Paragraph of article {i} with some words that stay {} across both runs.",
            if edited { "mostly" } else { "exactly" }
        )
    };
    for (i, u) in urls.iter().enumerate() {
        let p0 = para(i, false);
        let paras = [p0.as_str(), "A second paragraph, unchanged."];
        put_page(
            &mut store,
            &r1,
            &Page::article(u, "Title", &paras, "nav v1"),
        );
    }
    store.finish_run(&r1, &serde_json::json!({})).unwrap();
    let r2 = store
        .begin_run(&serde_json::json!({"synthetic": n}))
        .unwrap();
    for (i, u) in urls.iter().enumerate() {
        if i % 50 == 49 {
            put_gone(&mut store, &r2, u);
            continue;
        }
        let p0 = para(i, i % 10 == 0);
        let paras = [p0.as_str(), "A second paragraph, unchanged."];
        put_page(
            &mut store,
            &r2,
            &Page::article(u, "Title", &paras, "nav v2 with a new ad"),
        );
    }
    for j in 0..n / 50 {
        let u = format!("http://127.0.0.1:1/new/{j:06}.html");
        put_page(
            &mut store,
            &r2,
            &Page::article(&u, "New", &["Brand new."], "nav v2"),
        );
    }
    store.finish_run(&r2, &serde_json::json!({})).unwrap();
    (r1, r2)
}

/// `quire changes --json`, decoded strictly: a new or renamed field fails the tests.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesJson {
    pub old: String,
    pub new: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
    pub unchanged: u64,
    pub failed: Vec<String>,
    pub index_pages: u64,
    pub alias_urls: u64,
    pub aliases: std::collections::BTreeMap<String, Vec<String>>,
}
