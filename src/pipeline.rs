//! The offline half of the pipeline as one pure function: bytes + URL (+ the HTTP
//! Content-Type) → decoded text → extracted blocks → normalized Article content.
//!
//! Owns the order of the stages and the assembly of an [`Article`]. Must not touch the
//! network or the store: the crawler and `quire extract` both call [`process`] and do
//! their own I/O.

use url::Url;

use crate::decode;
use crate::extract::{self, ExtractConfig};
use crate::model::{self, Article, Charset, Content, ExtractorInfo, Provenance, Redirect};

/// One page to process.
#[derive(Debug, Clone, Copy)]
pub struct PageInput<'a> {
    /// The URL the page was requested as; relative links resolve against it.
    pub url: &'a Url,
    /// The body after HTTP content-decoding.
    pub body: &'a [u8],
    /// The HTTP `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
}

/// The result of processing a page: content plus what is needed for provenance.
#[derive(Debug, Clone)]
pub struct Processed {
    /// The normalized content part.
    pub content: Content,
    /// The encoding decision.
    pub charset: Charset,
    /// Which extractor and profile produced `content`.
    pub extractor: ExtractorInfo,
    /// Non-fatal problems found on the way.
    pub warnings: Vec<String>,
    /// Every link of the page (`<a>`, `<area>`, `<frame>`, `<iframe>`,
    /// `<link rel=next>`), resolved to absolute URLs, in document order, deduplicated.
    /// Chrome links included: this is for crawl discovery, not content.
    pub links: Vec<Url>,
}

/// Why a page could not be processed at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcessError {
    /// The body is empty.
    #[error("empty body")]
    Empty,
    /// The bytes could not be decoded as an HTML document.
    #[error(transparent)]
    Decode(#[from] decode::DecodeError),
}

/// Facts about the capture that only the caller knows (the crawler, or `quire extract`).
#[derive(Debug, Clone, Default)]
pub struct CaptureInfo {
    /// RFC 3339 UTC time the response was received.
    pub fetched_at: Option<String>,
    /// HTTP status of the final response.
    pub http_status: Option<u16>,
    /// Final URL after redirects.
    pub final_url: Option<String>,
    /// Redirect chain.
    pub redirects: Vec<Redirect>,
    /// `ETag` header.
    pub etag: Option<String>,
    /// `Last-Modified` header.
    pub last_modified: Option<String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// Crawl run id.
    pub run_id: Option<String>,
    /// Path of the raw body in the store, relative to its root.
    pub object_path: Option<String>,
    /// Where the bytes came from when not from the live site.
    pub source: Option<model::Source>,
}

/// Decode, extract and normalize one page.
pub fn process(input: &PageInput<'_>, cfg: &ExtractConfig) -> Result<Processed, ProcessError> {
    if input.body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ProcessError::Empty);
    }
    let decoded = decode::decode(input.body, input.content_type)?;
    let mut warnings = decoded.warnings;
    let out = extract::extract(&decoded.text, input.url, cfg);
    warnings.extend(out.warnings);
    Ok(Processed {
        content: out.content,
        charset: decoded.charset,
        extractor: out.extractor,
        warnings,
        links: out.links,
    })
}

impl Processed {
    /// The Article of a capture stored under `url` (the store's key: a crawl's final
    /// URL, an archive's original URL), whatever URL the extraction gave the content.
    /// The content digest covers the key.
    pub fn into_article_at(mut self, raw: &[u8], capture: CaptureInfo, url: &str) -> Article {
        if self.content.url != url {
            self.content.url = url.to_string();
        }
        self.into_article(raw, capture)
    }

    /// Assemble the full Article document for a capture of `raw` (the stored body).
    pub fn into_article(self, raw: &[u8], capture: CaptureInfo) -> Article {
        let provenance = Provenance {
            fetched_at: capture.fetched_at,
            http_status: capture.http_status,
            final_url: capture.final_url,
            redirects: capture.redirects,
            etag: capture.etag,
            last_modified: capture.last_modified,
            content_type: capture.content_type,
            charset: self.charset,
            raw_sha256: model::sha256_hex(raw),
            raw_bytes: raw.len() as u64,
            extractor: self.extractor,
            tool_version: crate::TOOL_VERSION.to_string(),
            run_id: capture.run_id,
            object_path: capture.object_path,
            source: capture.source,
        };
        Article {
            schema_version: model::SCHEMA_VERSION.to_string(),
            content_sha256: model::content_sha256(&self.content),
            content: self.content,
            provenance,
            warnings: self.warnings,
            aliases: Vec::new(),
        }
    }
}
