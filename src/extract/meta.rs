//! Page-level metadata every extractor can use: `<title>`, Open Graph, canonical
//! link, language. Pure reads of the DOM.

use scraper::Selector;
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

fn first_attr(doc: &Document, css: &str, attr: &str) -> Option<String> {
    let sel = Selector::parse(css).ok()?;
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr))
        .map(normalize::text)
        .find(|v| !v.is_empty())
}

/// Read the page metadata.
pub fn page_meta(doc: &Document, url: &Url) -> PageMeta {
    let html_title = Selector::parse("title").ok().and_then(|sel| {
        doc.select(&sel)
            .next()
            .map(|t| normalize::text(&t.text().collect::<String>()))
            .filter(|t| !t.is_empty())
    });
    let title = first_attr(doc, r#"meta[property="og:title"]"#, "content").or_else(|| html_title.clone());
    let site_name = first_attr(doc, r#"meta[property="og:site_name"]"#, "content");
    let canonical_url = first_attr(doc, r#"link[rel="canonical"]"#, "href")
        .and_then(|h| url.join(&h).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from);
    let language = doc
        .root_element()
        .value()
        .attr("lang")
        .map(normalize::text)
        .filter(|l| !l.is_empty())
        .or_else(|| first_attr(doc, r#"meta[http-equiv="content-language" i]"#, "content"))
        .or_else(|| first_attr(doc, r#"meta[property="og:locale"]"#, "content"))
        .map(|l| l.replace('_', "-"))
        .filter(|l| l.len() <= 35 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    PageMeta { title, html_title, site_name, canonical_url, language }
}
