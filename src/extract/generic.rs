//! The generic extractor, for sites without a profile.

use url::Url;

use super::dom::Document;
use crate::model::{Content, ExtractorInfo, PageType};

/// Extract the main content of a page with no profile.
pub fn extract(_doc: &Document, url: &Url) -> (Content, ExtractorInfo, Vec<String>) {
    let content = Content {
        url: url.to_string(),
        canonical_url: None,
        site: None,
        section: Vec::new(),
        page_type: PageType::Index,
        title: None,
        subtitle: None,
        authors: Vec::new(),
        published: None,
        body: Vec::new(),
        bio: None,
        original_publication: None,
        language: None,
        word_count: 0,
    };
    let info = ExtractorInfo {
        name: "generic".into(),
        version: "0".into(),
        profile: None,
    };
    (
        content,
        info,
        vec!["generic extractor not implemented yet".into()],
    )
}
