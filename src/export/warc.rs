//! WARC 1.1 export (ISO 28500:2017), one gzip member per record (`.warc.gz`).
//!
//! Layout: one `warcinfo` record, then for every exported capture a `request`, a
//! `response` and a `conversion` record, in that order:
//! - `request`: the GET quire sent, reconstructed (method, path, `Host`, `User-Agent`);
//!   `WARC-Concurrent-To` names the response.
//! - `response`: an HTTP/1.1 message made of the status line, the headers the store
//!   kept (`Content-Type`, `ETag`, `Last-Modified`) and the **stored body**. The store
//!   keeps the body after content-decoding (gzip/deflate/br removed), so the message
//!   carries no `Content-Encoding` and no `Transfer-Encoding`, and its `Content-Length`
//!   is the stored body's length: it is a consistent HTTP message whose payload is
//!   byte for byte the stored object, and `WARC-Payload-Digest` equals `raw_sha256`.
//! - `conversion`: the normalized Article JSON, `WARC-Refers-To` the response. Its
//!   `aliases` lists the URLs that redirected to the article.
//! - `metadata` (only for an article with aliases): `application/warc-fields`, one
//!   `alias: <URL>` line per alias, `WARC-Refers-To` the response. The article is
//!   exported once, under its final URL; its aliases have no records of their own
//!   (their redirect responses were not stored).
//!
//! Digests are `sha256:<BASE32>` (RFC 4648, upper case, padded), the form warcio and
//! most WARC tools write and check; `WARC-Block-Digest` covers the whole record block,
//! `WARC-Payload-Digest` the HTTP entity body. Record ids are UUIDs derived from the
//! capture id, so exporting the same store twice gives the same ids.
//!
//! Owns the WARC format. Reads the store; never writes it; no clock (the caller passes
//! the export time for the `warcinfo` record).

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};

use super::{for_each_selected, ExportError, ExportStats, Selection};
use crate::model::Article;
use crate::store::Store;

/// Options of a WARC export.
#[derive(Debug, Clone)]
pub struct WarcOptions {
    /// Which captures.
    pub selection: Selection,
    /// When the export was made (RFC 3339 / WARC-Date form), for the `warcinfo` record.
    pub created: String,
    /// The file name the WARC is written to, if known (`WARC-Filename`).
    pub filename: Option<String>,
}

/// `sha256:<base32>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!(
        "sha256:{}",
        data_encoding::BASE32.encode(&Sha256::digest(bytes))
    )
}

/// `<urn:uuid:…>` derived from `seed` (deterministic).
fn record_id(seed: &str) -> String {
    let h = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    let id = uuid::Builder::from_random_bytes(b).into_uuid();
    format!("<urn:uuid:{id}>")
}

/// A WARC-Date (UTC, `YYYY-MM-DDThh:mm:ss[.f]Z`) from an RFC 3339 time; `fallback`
/// when absent or unparseable.
fn warc_date(t: Option<&str>, fallback: &str) -> String {
    t.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|d| {
            d.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        })
        .unwrap_or_else(|| fallback.to_string())
}

/// Header values must not carry line breaks (a hostile ETag could forge headers).
fn clean(v: &str) -> String {
    v.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Write one record as its own gzip member.
fn write_record(
    out: &mut dyn Write,
    headers: &[(&str, String)],
    block: &[u8],
) -> std::io::Result<u64> {
    let mut head = String::from("WARC/1.1\r\n");
    for (k, v) in headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(&clean(v));
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
    let mut gz = GzEncoder::new(out, Compression::default());
    gz.write_all(head.as_bytes())?;
    gz.write_all(block)?;
    gz.write_all(b"\r\n\r\n")?;
    gz.finish()?;
    Ok((head.len() + block.len() + 4) as u64)
}

/// The `warcinfo` record; returns its id and the bytes written.
pub fn write_warcinfo(out: &mut dyn Write, opts: &WarcOptions) -> std::io::Result<(String, u64)> {
    let id = record_id(&format!("warcinfo:{}", opts.created));
    let fields = format!(
        "software: quire/{}\r\nformat: WARC File Format 1.1\r\n\
         conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n\
         description: quire store export; response payloads are the stored bodies after HTTP content-decoding\r\n",
        crate::TOOL_VERSION
    );
    let mut headers = vec![
        ("WARC-Type", "warcinfo".to_string()),
        ("WARC-Record-ID", id.clone()),
        ("WARC-Date", opts.created.clone()),
    ];
    if let Some(f) = &opts.filename {
        headers.push(("WARC-Filename", f.clone()));
    }
    headers.push(("Content-Type", "application/warc-fields".into()));
    headers.push(("WARC-Block-Digest", digest(fields.as_bytes())));
    let n = write_record(out, &headers, fields.as_bytes())?;
    Ok((id, n))
}

/// Write the request, response and conversion records of one capture.
pub fn write_capture(
    out: &mut dyn Write,
    capture_id: &str,
    article: &Article,
    body: &[u8],
    warcinfo_id: &str,
    fallback_date: &str,
) -> Result<u64, ExportError> {
    let p = &article.provenance;
    let target = p
        .final_url
        .clone()
        .unwrap_or_else(|| article.content.url.clone());
    let date = warc_date(p.fetched_at.as_deref(), fallback_date);
    let req_id = record_id(&format!("request:{capture_id}"));
    let resp_id = record_id(&format!("response:{capture_id}"));
    let conv_id = record_id(&format!("conversion:{capture_id}"));

    // request
    let (host, path) = match url::Url::parse(&target) {
        Ok(u) => {
            let host = match (u.host_str(), u.port()) {
                (Some(h), Some(port)) => format!("{h}:{port}"),
                (Some(h), None) => h.to_string(),
                _ => String::new(),
            };
            let mut path = u.path().to_string();
            if let Some(q) = u.query() {
                path.push('?');
                path.push_str(q);
            }
            (host, path)
        }
        Err(_) => (String::new(), "/".to_string()),
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: quire/{}\r\n\r\n",
        clean(&path).replace(' ', "%20"),
        clean(&host),
        crate::TOOL_VERSION
    );
    let mut n = write_record(
        out,
        &[
            ("WARC-Type", "request".into()),
            ("WARC-Record-ID", req_id.clone()),
            ("WARC-Date", date.clone()),
            ("WARC-Target-URI", target.clone()),
            ("WARC-Warcinfo-ID", warcinfo_id.to_string()),
            ("WARC-Concurrent-To", resp_id.clone()),
            ("Content-Type", "application/http;msgtype=request".into()),
            ("WARC-Block-Digest", digest(request.as_bytes())),
        ],
        request.as_bytes(),
    )?;

    // response
    let status = p.http_status.unwrap_or(200);
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    if let Some(ct) = &p.content_type {
        head.push_str(&format!("Content-Type: {}\r\n", clean(ct)));
    }
    if let Some(e) = &p.etag {
        head.push_str(&format!("ETag: {}\r\n", clean(e)));
    }
    if let Some(lm) = &p.last_modified {
        head.push_str(&format!("Last-Modified: {}\r\n", clean(lm)));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut block = Vec::with_capacity(head.len() + body.len());
    block.extend_from_slice(head.as_bytes());
    block.extend_from_slice(body);
    n += write_record(
        out,
        &[
            ("WARC-Type", "response".into()),
            ("WARC-Record-ID", resp_id.clone()),
            ("WARC-Date", date.clone()),
            ("WARC-Target-URI", target.clone()),
            ("WARC-Warcinfo-ID", warcinfo_id.to_string()),
            ("WARC-Concurrent-To", req_id),
            ("Content-Type", "application/http;msgtype=response".into()),
            ("WARC-Block-Digest", digest(&block)),
            ("WARC-Payload-Digest", digest(body)),
        ],
        &block,
    )?;

    // conversion: the normalized Article
    let json = serde_json::to_vec(article).map_err(|e| ExportError::Serialize {
        capture: capture_id.to_string(),
        detail: e.to_string(),
    })?;
    n += write_record(
        out,
        &[
            ("WARC-Type", "conversion".into()),
            ("WARC-Record-ID", conv_id),
            ("WARC-Date", date.clone()),
            ("WARC-Target-URI", target.clone()),
            ("WARC-Warcinfo-ID", warcinfo_id.to_string()),
            ("WARC-Refers-To", resp_id.clone()),
            (
                "Content-Type",
                format!(
                    "application/json; profile=\"https://quire.invalid/schema/article-{}.json\"",
                    article.schema_version
                ),
            ),
            ("WARC-Block-Digest", digest(&json)),
        ],
        &json,
    )?;

    // metadata: the article's aliases
    if !article.aliases.is_empty() {
        let mut fields = String::new();
        for a in &article.aliases {
            fields.push_str("alias: ");
            fields.push_str(&clean(a));
            fields.push_str("\r\n");
        }
        n += write_record(
            out,
            &[
                ("WARC-Type", "metadata".into()),
                (
                    "WARC-Record-ID",
                    record_id(&format!("metadata:{capture_id}")),
                ),
                ("WARC-Date", date),
                ("WARC-Target-URI", target),
                ("WARC-Warcinfo-ID", warcinfo_id.to_string()),
                ("WARC-Refers-To", resp_id),
                ("Content-Type", "application/warc-fields".into()),
                ("WARC-Block-Digest", digest(fields.as_bytes())),
            ],
            fields.as_bytes(),
        )?;
    }
    Ok(n)
}

/// Export the selected captures of `store` as a WARC to `out`.
pub fn export(
    store: &Store,
    opts: &WarcOptions,
    out: &mut dyn Write,
) -> Result<ExportStats, ExportError> {
    let (info_id, n) = write_warcinfo(out, opts)?;
    let mut stats = ExportStats {
        captures: 0,
        bytes: n,
    };
    let mut articles = super::WithAliases::new(store, &opts.selection);
    for_each_selected(store, &opts.selection, |summary| {
        let article = articles.article(&summary)?;
        let body = store.read_object(&article.provenance.raw_sha256)?;
        stats.bytes += write_capture(
            out,
            &summary.id.to_string(),
            &article,
            &body,
            &info_id,
            &opts.created,
        )?;
        stats.captures += 1;
        Ok(())
    })?;
    out.flush()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_base32_sha256() {
        // sha256("") in base32, as warcio computes it.
        assert_eq!(
            digest(b""),
            "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ===="
        );
    }

    #[test]
    fn record_ids_are_stable_uuids() {
        let a = record_id("response:x");
        assert_eq!(a, record_id("response:x"));
        assert_ne!(a, record_id("request:x"));
        assert!(a.starts_with("<urn:uuid:") && a.ends_with('>') && a.len() == 47);
    }

    #[test]
    fn header_values_cannot_break_lines() {
        assert_eq!(clean("a\r\nWARC-Type: evil"), "a  WARC-Type: evil");
    }
}
