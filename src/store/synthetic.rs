//! Synthetic captures for tests, benches and the hidden `quire debug-store-fill`
//! command: Article values built directly (no extractor), with bodies derived from a
//! label and an index. Owns nothing the real pipeline uses; must not be called by it.

use crate::model::{
    self, Article, Block, Charset, CharsetSource, Content, ExtractorInfo, PageType, Provenance,
};

use super::{ObjectRef, RunId};

/// A deterministic HTML body of about `size` bytes for page `i` of `label`.
pub fn body(label: &str, i: u64, size: usize) -> Vec<u8> {
    let mut out = format!("<html><head><title>{label} {i}</title></head><body>\n").into_bytes();
    let mut n = 0u64;
    while out.len() < size {
        out.extend_from_slice(
            format!("<p>Paragraph {n} of page {i} in {label}: the quick brown fox jumps over the lazy dog.</p>\n")
                .as_bytes(),
        );
        n += 1;
    }
    out.extend_from_slice(b"</body></html>\n");
    out
}

/// An Article for `url` whose raw body is `object`, captured in `run`.
pub fn article(url: &str, object: &ObjectRef, run: &RunId, title: &str) -> Article {
    let content = Content {
        url: url.to_string(),
        canonical_url: None,
        site: Some("Synthetic".into()),
        section: vec!["Test".into()],
        page_type: PageType::Article,
        kicker: None,
        title: Some(title.to_string()),
        subtitle: None,
        authors: vec!["A. Writer".into()],
        published: None,
        body: vec![Block::Paragraph {
            text: format!("Body of {title}."),
        }],
        bio: None,
        original_publication: None,
        language: Some("en".into()),
        word_count: 3,
        entries: Vec::new(),
        issue: None,
        posts: Vec::new(),
    };
    Article {
        schema_version: model::SCHEMA_VERSION.into(),
        content_sha256: model::content_sha256(&content),
        content,
        provenance: Provenance {
            fetched_at: Some(
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ),
            http_status: Some(200),
            final_url: Some(url.to_string()),
            redirects: vec![],
            etag: Some(format!("\"{}\"", &object.sha256[..16])),
            last_modified: None,
            content_type: Some("text/html; charset=utf-8".into()),
            charset: Charset {
                name: "UTF-8".into(),
                source: CharsetSource::Http,
                overruled: vec![],
            },
            raw_sha256: object.sha256.clone(),
            raw_bytes: object.len,
            extractor: ExtractorInfo {
                name: "generic".into(),
                version: "1".into(),
                profile: None,
            },
            tool_version: crate::TOOL_VERSION.into(),
            run_id: Some(run.0.clone()),
            object_path: Some(object.path.clone()),
            source: None,
        },
        warnings: vec![],
        aliases: vec![],
    }
}
