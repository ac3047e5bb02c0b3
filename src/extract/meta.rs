//! Page-level metadata every extractor can use: `<title>`, Open Graph, canonical
//! link, language. One pass over the document's elements; pure reads of the DOM.

use url::Url;

use super::dom::Document;
use crate::normalize;

/// Metadata of a page, from its `<head>` and root element.
#[derive(Debug, Clone, Default)]
pub struct PageMeta {
    /// `og:title`, else `<title>`.
    pub title: Option<String>,
    /// `<title>` as written.
    pub html_title: Option<String>,
    /// `og:site_name`.
    pub site_name: Option<String>,
    /// `<link rel=canonical>` resolved against the page URL.
    pub canonical_url: Option<String>,
    /// `<html lang>`, else `content-language`, else `og:locale` (as a BCP 47 tag).
    pub language: Option<String>,
}

fn set_once(slot: &mut Option<String>, v: Option<&str>) {
    if slot.is_none() {
        if let Some(v) = v.map(normalize::text).filter(|v| !v.is_empty()) {
            *slot = Some(v);
        }
    }
}

/// Read the page metadata.
pub fn page_meta(doc: &Document, url: &Url) -> PageMeta {
    let mut m = PageMeta::default();
    let (mut og_title, mut canonical, mut content_lang, mut og_locale) = (None, None, None, None);
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        match el.name() {
            "title" if m.html_title.is_none() => {
                let t: String = node
                    .descendants()
                    .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                    .collect();
                set_once(&mut m.html_title, Some(&t));
            }
            "meta" => {
                let content = el.attr("content");
                match el.attr("property").or_else(|| el.attr("name")) {
                    Some("og:title") => set_once(&mut og_title, content),
                    Some("og:site_name") => set_once(&mut m.site_name, content),
                    Some("og:locale") => set_once(&mut og_locale, content),
                    _ => {}
                }
                if el
                    .attr("http-equiv")
                    .is_some_and(|h| h.eq_ignore_ascii_case("content-language"))
                {
                    set_once(&mut content_lang, content);
                }
            }
            "link"
                if el.attr("rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                }) =>
            {
                set_once(&mut canonical, el.attr("href"));
            }
            _ => {}
        }
    }
    m.title = og_title.or_else(|| m.html_title.clone());
    m.canonical_url = canonical
        .and_then(|h| url.join(&h).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from);
    m.language = doc
        .root_element()
        .value()
        .attr("lang")
        .map(normalize::text)
        .filter(|l| !l.is_empty())
        .or(content_lang)
        .or(og_locale)
        .map(|l| l.replace('_', "-"))
        .filter(|l| l.len() <= 35 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    m
}
