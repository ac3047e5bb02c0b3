//! The Article document: quire's wire format and compatibility promise.
//!
//! This module owns the serde types that are written to the store, printed by
//! `quire extract` and exported by `quire export`, the JSON Schema generated from them
//! (checked in under `schema/`), and the `content_sha256` digest. It holds no logic
//! about *how* the fields are found (that is `extract` and `normalize`) and does no I/O.
//!
//! Compatibility rule: adding an optional field is a minor bump of [`SCHEMA_VERSION`];
//! anything else is a major bump with a migration and the old schema kept in `schema/`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Version of the Article document schema. Semver for data.
pub const SCHEMA_VERSION: &str = "1.3.0";

/// One normalized article (or page) with the provenance of its capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Article {
    /// Version of this document's schema, e.g. "1.0.0".
    pub schema_version: String,
    /// SHA-256 (hex) of the RFC 8785 canonical JSON of `content`.
    pub content_sha256: String,
    /// What the article is. Independent of chrome, encoding and fetch time.
    pub content: Content,
    /// How we know: the capture this document was made from.
    pub provenance: Provenance,
    /// Things the extractor was unsure about. Not part of the content digest.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Other URLs of this article: URLs that redirected to `content.url` in a crawl
    /// (e.g. an old file name or a flat archive path). Filled by `quire export` from
    /// the store's alias records; absent when there are none. Not part of the content
    /// digest. (Schema 1.1.0.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// The content part of an Article: the only part `content_sha256` covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// The page's URL (canonicalized). For a crawled page, the URL it was served at
    /// after any redirects; the URLs that redirected to it are its `aliases`.
    pub url: String,
    /// `<link rel="canonical">` resolved against the page URL, when the page has one.
    pub canonical_url: Option<String>,
    /// Name of the site or magazine.
    pub site: Option<String>,
    /// Breadcrumb trail, outermost first, without the "home" root and the
    /// self-reference ("this article"). Empty when the page has none.
    pub section: Vec<String>,
    /// Whether this page is an article or a listing/index page.
    pub page_type: PageType,
    /// The label printed above the headline (a kicker): a recurring section or
    /// feature name such as "Book Review", "Editorial" or "Site of the Month". Never
    /// part of `title`. Absent when the page prints none. (Schema 1.1.0.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kicker: Option<String>,
    /// Headline.
    pub title: Option<String>,
    /// Deck / standfirst under the headline.
    pub subtitle: Option<String>,
    /// Authors in byline order; "By A and B" is two authors.
    pub authors: Vec<String>,
    /// Publication date with its precision.
    pub published: Option<PublishedDate>,
    /// Body blocks in reading order. Text only; never chrome.
    pub body: Vec<Block>,
    /// The author or reprint note.
    pub bio: Option<String>,
    /// Publication where this article originally appeared, for reprints.
    pub original_publication: Option<String>,
    /// BCP 47 language tag when known (from markup or detection).
    pub language: Option<String>,
    /// Words in the body (Unicode word boundaries, text blocks and captions).
    pub word_count: u64,
    /// On an index page (a table of contents, an archive, a listing, a site map): the
    /// pages it lists, in page order, one per linked URL. Absent on articles and on
    /// index pages whose entries could not be read. (Schema 1.2.0.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Entry>,
    /// On an index page: the issue it is the table of contents of ("November 1997
    /// issue"). On an article that states no date: the issue whose contents list it
    /// in the same crawl run (its date is then `published`, source `issue`). Absent
    /// otherwise. (Schema 1.2.0.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<Issue>,
    /// On a forum thread: its posts in page order, each with its author and date.
    /// Absent elsewhere. The body keeps the thread's text as well. (Schema 1.2.0.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<Post>,
}

/// One entry of an index page: a page it links to and what it says about it. Fields
/// the page does not state are absent: nothing is guessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The linked page, absolute and canonical as the crawler stores URLs.
    pub url: String,
    /// The title as the entry prints it (usually the link text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Authors the entry names ("by A and B", "…, writes A").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// The date the entry prints for this article, with its precision (source
    /// `page`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PublishedDate>,
    /// The teaser printed with the entry, as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teaser: Option<String>,
    /// The heading the entry is listed under ("Book Reviews", "January 2008").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// One post of a forum thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Post {
    /// The poster's name as printed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// When it was posted, as precise as the page states it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<PublishedDate>,
    /// The post's text, whitespace normalized.
    pub text: String,
}

/// The issue an index page is the table of contents of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    /// The issue's name as printed ("November 1997 issue").
    pub label: String,
    /// The issue's date as precise as the label states it (usually a month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PublishedDate>,
}

impl Content {
    /// The body's running text, one block per line: paragraphs, headings, list items
    /// and quote paragraphs on lines of their own, empty blocks skipped. Images and
    /// their captions are not running text and are left out (they stay in the image
    /// blocks). This is what `quire extract --format text` prints.
    pub fn body_text(&self) -> String {
        self.render_text(false)
    }

    /// [`Content::body_text`] with each image's caption and credit on a line of its
    /// own where the image is (`quire extract --format text --captions`).
    pub fn body_text_with_captions(&self) -> String {
        self.render_text(true)
    }

    fn render_text(&self, captions: bool) -> String {
        let mut out = String::new();
        for b in &self.body {
            if !captions && matches!(b, Block::Image { .. }) {
                continue;
            }
            let t = b.text();
            if !t.is_empty() {
                out.push_str(&t);
                out.push('\n');
            }
        }
        out
    }
}

/// What kind of page a document was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PageType {
    /// A single article with a body.
    Article,
    /// An index, listing, home or section page: links to other pages. Its body, when
    /// the extractor gives one, is the text of the entries it lists.
    Index,
}

/// A date as precise as the page states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishedDate {
    /// ISO 8601: "YYYY-MM-DD", "YYYY-MM" or "YYYY" matching `precision`.
    pub date: String,
    /// How precise `date` is.
    pub precision: DatePrecision,
    /// Where the date was read. Absent in documents made before schema 1.1.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<DateSource>,
}

impl PublishedDate {
    /// The same date, marked as read from `source`.
    pub fn from_source(self, source: DateSource) -> PublishedDate {
        PublishedDate {
            source: Some(source),
            ..self
        }
    }
}

/// Where a [`PublishedDate`] came from, from most to least direct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// Printed in the page's visible text (a dateline, "web posted …", a date line).
    Page,
    /// The page's machine-readable metadata (JSON-LD, `<meta>`, `<time datetime>`).
    Metadata,
    /// Inferred from the URL's path (e.g. an archive folder naming the month); a last
    /// resort, so usually with month precision.
    Url,
    /// Taken from an issue or index page of the same run that lists the article.
    Issue,
}

/// Precision of a [`PublishedDate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    /// Day precision: "2017-04-24".
    Day,
    /// Month precision: "1998-09".
    Month,
    /// Year precision: "1998".
    Year,
}

/// One typed block of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// A paragraph of running text.
    Paragraph {
        /// Normalized text.
        text: String,
    },
    /// A subhead inside the body.
    Heading {
        /// 1–6, as in HTML; bold-line subheads are level 3.
        level: u8,
        /// Normalized text.
        text: String,
    },
    /// A quotation set off from the text; one entry per paragraph.
    Blockquote {
        /// Normalized paragraphs of the quotation.
        paragraphs: Vec<String>,
    },
    /// A bulleted or numbered list.
    List {
        /// True for a numbered list.
        ordered: bool,
        /// Normalized item texts.
        items: Vec<String>,
    },
    /// An image with its caption and credit.
    Image {
        /// Absolute URL of the image, resolved against the page URL.
        src: String,
        /// The `alt` attribute, when present and not empty.
        alt: Option<String>,
        /// Caption text, without the credit.
        caption: Option<String>,
        /// Credit such as "Wikipedia Commons", from a trailing "(…)" of the caption.
        credit: Option<String>,
    },
    /// Preformatted text; whitespace kept as in the page (line ends normalized).
    Preformatted {
        /// The text.
        text: String,
    },
}

impl Block {
    /// The block's text as one string (paragraphs or items joined by newlines).
    pub fn text(&self) -> String {
        match self {
            Block::Paragraph { text }
            | Block::Heading { text, .. }
            | Block::Preformatted { text } => text.clone(),
            Block::Blockquote { paragraphs } => paragraphs.join("\n"),
            Block::List { items, .. } => items.join("\n"),
            Block::Image {
                caption, credit, ..
            } => match (caption, credit) {
                (Some(c), Some(r)) => format!("{c} ({r})"),
                (Some(c), None) => c.clone(),
                (None, Some(r)) => format!("({r})"),
                (None, None) => String::new(),
            },
        }
    }
}

/// The provenance part: how this document came to be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// RFC 3339 UTC time the response was received; null for a local file.
    pub fetched_at: Option<String>,
    /// HTTP status of the final response; null for a local file.
    pub http_status: Option<u16>,
    /// URL of the final response after redirects.
    pub final_url: Option<String>,
    /// Redirects followed, in order.
    pub redirects: Vec<Redirect>,
    /// `ETag` response header.
    pub etag: Option<String>,
    /// `Last-Modified` response header.
    pub last_modified: Option<String>,
    /// `Content-Type` response header (or the value given with `--content-type`).
    pub content_type: Option<String>,
    /// The character encoding used to decode the bytes, and why.
    pub charset: Charset,
    /// SHA-256 (hex) of the stored raw body: the bytes after HTTP content-decoding
    /// (gzip/deflate/br removed), exactly as the server sent them otherwise.
    pub raw_sha256: String,
    /// Length of the stored raw body in bytes.
    pub raw_bytes: u64,
    /// Which extractor made the content part.
    pub extractor: ExtractorInfo,
    /// Version of quire that made this document.
    pub tool_version: String,
    /// The crawl run this capture belongs to; null outside a crawl.
    pub run_id: Option<String>,
    /// Path of the raw body in the store, relative to the store root.
    pub object_path: Option<String>,
    /// Where the bytes came from when not from the live site: a WARC file or a web
    /// archive. Absent means a live fetch (or a local file). (Schema 1.3.0.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// The origin of a capture's bytes (`provenance.source`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// Fetched from the live site. Written only where a reader should be told
    /// explicitly; an absent `source` means the same.
    Live,
    /// Read from a `response` (or resolved `revisit`) record of a WARC file.
    Warc {
        /// The WARC file as named on the command line (its file name, no directory).
        file: String,
        /// `WARC-Record-ID` of the record whose payload was stored.
        record_id: String,
        /// Byte offset of that record in the file (in the compressed file for a
        /// gzipped WARC: the offset of the record's gzip member).
        offset: u64,
    },
    /// Fetched from a web archive's replay of an earlier capture.
    Wayback {
        /// The archive's base URL (CDX and replay live under it).
        endpoint: String,
        /// The archive's 14-digit capture timestamp (`YYYYMMDDhhmmss`, UTC).
        timestamp: String,
        /// The URL as the archive recorded it.
        original_url: String,
    },
}

/// One redirect hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redirect {
    /// URL that answered with a redirect.
    pub url: String,
    /// Its status (301, 302, 303, 307, 308).
    pub status: u16,
    /// Where it pointed, resolved to an absolute URL.
    pub location: String,
}

/// The encoding decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Charset {
    /// WHATWG encoding name used, e.g. "windows-1252", "UTF-8".
    pub name: String,
    /// Which evidence decided it.
    pub source: CharsetSource,
    /// Encodings declared by the page or server that were overruled, with the reason.
    #[serde(default)]
    pub overruled: Vec<String>,
}

/// Where the encoding decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    /// A byte order mark.
    Bom,
    /// The HTTP `Content-Type` header (or `--content-type`).
    Http,
    /// A `<meta charset>` or `<meta http-equiv="Content-Type">` in the page.
    Meta,
    /// The bytes are valid UTF-8 and nothing trustworthy said otherwise.
    Utf8Valid,
    /// Statistical detection (chardetng).
    Detected,
}

/// Which extractor produced the content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractorInfo {
    /// "profile" or "generic".
    pub name: String,
    /// Version of the extraction rules; bumps when output for the same page may change.
    pub version: String,
    /// Name of the site profile used, when one was.
    pub profile: Option<String>,
}

/// The JSON Schema of the Article document (draft 2020-12), pretty-printed.
pub fn article_schema_json() -> String {
    let schema = schemars::schema_for!(Article);
    let mut value = serde_json::to_value(&schema).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            serde_json::Value::String(format!(
                "https://quire.invalid/schema/article-{SCHEMA_VERSION}.json"
            )),
        );
    }
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    out
}

/// SHA-256 (lowercase hex) of the RFC 8785 canonical JSON of `content`.
pub fn content_sha256(content: &Content) -> String {
    let canonical = canonical_json(content);
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// RFC 8785 (JCS) canonical JSON of any serializable value.
pub fn canonical_json<T: Serialize>(value: &T) -> String {
    // Serializing our own plain types cannot fail (no maps with non-string keys,
    // no non-finite floats), so an error here is a programming error; fall back to
    // an empty string that can never collide with a real digest input.
    serde_json_canonicalizer::to_string(value).unwrap_or_default()
}

/// SHA-256 (lowercase hex) of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
