//! The HTTP message inside a WARC `response` (or `revisit`) record: the status line and
//! headers (bounded, parsed by `httparse`), then the payload, pushed through in chunks:
//! `WARC-Payload-Digest` hashing, chunked transfer decoding, and `Content-Encoding`
//! decoding (gzip, deflate, br), into a body capped at `max_body` bytes after decoding
//! (a decompression bomb stops at the cap, as in the crawler).
//!
//! Owns what a stored body is made of; knows nothing of WARC framing or of the store.
//! Pure: bytes in, values out.

use std::io::{self, Write};

use sha2::Digest as _;

/// Most bytes of an HTTP status line and headers.
pub const MAX_HTTP_HEAD: usize = 64 * 1024;

/// Most HTTP header fields.
const MAX_HTTP_FIELDS: usize = 256;

/// Longest chunk-size or trailer line of a chunked body.
const MAX_CHUNK_LINE: usize = 4096;

/// Most stacked content codings (`Content-Encoding: gzip, br`).
const MAX_CODINGS: usize = 3;

/// An HTTP response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpHead {
    /// The status code.
    pub status: u16,
    /// Header fields in order (values trimmed; not valid UTF-8 → lossy).
    pub headers: Vec<(String, String)>,
}

impl HttpHead {
    /// The first header named `name` (case-insensitive), non-empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Is the payload chunked (`Transfer-Encoding` ends with `chunked`)?
    pub fn chunked(&self) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"))
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .rfind(|t| !t.is_empty())
            .is_some_and(|t| t == "chunked")
    }

    /// The content codings, in the order they were applied (identity left out).
    pub fn codings(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("content-encoding"))
            .flat_map(|(_, v)| v.split(','))
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty() && t != "identity")
            .collect()
    }
}

/// Parse a complete head (status line, fields, blank line). `Ok(None)`: incomplete.
pub fn parse_head(bytes: &[u8]) -> Result<Option<(HttpHead, usize)>, String> {
    // httparse reads HTTP/1.x; WARCs of HTTP/2 traffic write "HTTP/2 200" or
    // "HTTP/2.0 200": read those as HTTP/1.1.
    let fixed;
    let mut shift = 0isize;
    let bytes = if let Some(rest) = bytes
        .strip_prefix(b"HTTP/2.0 ")
        .or_else(|| bytes.strip_prefix(b"HTTP/3.0 "))
        .or_else(|| bytes.strip_prefix(b"HTTP/2 "))
        .or_else(|| bytes.strip_prefix(b"HTTP/3 "))
    {
        let mut v = b"HTTP/1.1 ".to_vec();
        shift = v.len() as isize - (bytes.len() - rest.len()) as isize;
        v.extend_from_slice(rest);
        fixed = v;
        &fixed[..]
    } else {
        bytes
    };
    let mut fields = [httparse::EMPTY_HEADER; MAX_HTTP_FIELDS];
    let mut resp = httparse::Response::new(&mut fields);
    match resp.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => {
            let status = resp.code.ok_or("HTTP response without a status")?;
            let headers = resp
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_string(),
                        String::from_utf8_lossy(h.value).trim().to_string(),
                    )
                })
                .collect();
            let used = (n as isize - shift).max(0) as usize;
            Ok(Some((HttpHead { status, headers }, used)))
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(e) => Err(format!("malformed HTTP response head: {e}")),
    }
}

/// Why a payload gave no body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Larger than the cap after decoding.
    #[error("body larger than {0} bytes")]
    TooLarge(u64),
    /// The chunked transfer coding is broken or cut short.
    #[error("bad chunked transfer coding: {0}")]
    Chunked(String),
    /// A content coding we do not decode.
    #[error("unsupported Content-Encoding {0:?}")]
    Unsupported(String),
    /// The content coding does not decode.
    #[error("Content-Encoding {coding} does not decode: {detail}")]
    Decoding {
        /// The coding.
        coding: String,
        /// The decoder's complaint.
        detail: String,
    },
    /// The HTTP head does not parse.
    #[error("{0}")]
    Head(String),
}

impl PayloadError {
    /// A short stable key for summaries.
    pub fn kind(&self) -> &'static str {
        match self {
            PayloadError::TooLarge(_) => "too_large",
            PayloadError::Chunked(_) => "bad_chunked",
            PayloadError::Unsupported(_) => "unsupported_encoding",
            PayloadError::Decoding { .. } => "bad_encoding",
            PayloadError::Head(_) => "bad_http",
        }
    }
}

/// The outcome of checking `WARC-Payload-Digest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestCheck {
    /// The record has none.
    Absent,
    /// An algorithm or encoding we do not check (the value is kept).
    Unchecked(String),
    /// It matches.
    Match,
    /// It does not match: the record's payload is not what its writer hashed.
    Mismatch {
        /// The record's value.
        expected: String,
        /// Ours, in the same algorithm (base32).
        actual: String,
    },
}

enum Hasher {
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn new(algo: &str) -> Option<Hasher> {
        match algo {
            "sha1" | "sha-1" => Some(Hasher::Sha1(sha1::Sha1::new())),
            "sha256" | "sha-256" => Some(Hasher::Sha256(sha2::Sha256::new())),
            "sha512" | "sha-512" => Some(Hasher::Sha512(sha2::Sha512::new())),
            _ => None,
        }
    }
    fn update(&mut self, b: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(b),
            Hasher::Sha256(h) => h.update(b),
            Hasher::Sha512(h) => h.update(b),
        }
    }
    fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// Checks a record's `WARC-Block-Digest`: the digest of the whole record block (for a
/// `response`, the HTTP status line, headers and payload exactly as stored). Fed the
/// block's bytes as they are read; judged only when the whole block went through it.
pub struct BlockCheck {
    /// The record's value, as written.
    stated: Option<String>,
    /// Its algorithm, digest bytes and our hasher, when we can check it.
    check: Option<(String, Vec<u8>, Hasher)>,
}

impl BlockCheck {
    /// For the record's `WARC-Block-Digest` value, if it has one.
    pub fn new(digest: Option<&str>) -> BlockCheck {
        let check = digest
            .and_then(expected_digest)
            .and_then(|(algo, want)| Hasher::new(&algo).map(|h| (algo, want, h)));
        BlockCheck {
            stated: digest.map(|d| d.trim().to_string()),
            check,
        }
    }

    /// More of the block.
    pub fn update(&mut self, b: &[u8]) {
        if let Some((_, _, h)) = self.check.as_mut() {
            h.update(b);
        }
    }

    /// The verdict. `whole`: every byte of the block was fed; otherwise the block was
    /// not read to its end (a payload nobody stores) and nothing is judged.
    pub fn finish(self, whole: bool) -> DigestCheck {
        let Some(stated) = self.stated else {
            return DigestCheck::Absent;
        };
        match self.check {
            Some((algo, want, h)) if whole => {
                let got = h.finish();
                if got == want {
                    DigestCheck::Match
                } else {
                    DigestCheck::Mismatch {
                        expected: stated,
                        actual: format!("{algo}:{}", data_encoding::BASE32.encode(&got)),
                    }
                }
            }
            _ => DigestCheck::Unchecked(stated),
        }
    }
}

/// `algo:value` → (algorithm, digest bytes) when we can check it.
fn expected_digest(text: &str) -> Option<(String, Vec<u8>)> {
    let (algo, value) = text.split_once(':')?;
    let algo = algo.trim().to_ascii_lowercase();
    let value = value.trim();
    Hasher::new(&algo)?;
    let upper = value.to_ascii_uppercase();
    let bytes = data_encoding::BASE32
        .decode(upper.as_bytes())
        .or_else(|_| data_encoding::BASE32_NOPAD.decode(upper.trim_end_matches('=').as_bytes()))
        .or_else(|_| data_encoding::HEXLOWER_PERMISSIVE.decode(value.as_bytes()))
        .ok()?;
    Some((algo, bytes))
}

/// A `Write` that keeps at most `cap` bytes and fails past it.
struct Limited {
    buf: Vec<u8>,
    cap: u64,
    over: bool,
}

impl Write for Limited {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        if (self.buf.len() + b.len()) as u64 > self.cap {
            self.over = true;
            return Err(io::Error::other("body over the cap"));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The content-decoding chain (outermost coding first).
enum Stage {
    Out(Limited),
    Gzip(Box<flate2::write::GzDecoder<Stage>>),
    Zlib(Box<flate2::write::ZlibDecoder<Stage>>),
    Raw(Box<flate2::write::DeflateDecoder<Stage>>),
    /// "deflate": zlib-wrapped by the standard, raw in the wild; decided on the first
    /// two bytes.
    Deflate {
        head: Vec<u8>,
        inner: Option<Box<Stage>>,
    },
    Brotli(Box<brotli_decompressor::DecompressorWriter<Stage>>),
}

fn looks_like_zlib(h: &[u8]) -> bool {
    h.len() >= 2 && h[0] & 0x0f == 8 && (u16::from(h[0]) << 8 | u16::from(h[1])) % 31 == 0
}

impl Stage {
    fn wrap(self, coding: &str) -> Result<Stage, PayloadError> {
        Ok(match coding {
            "gzip" | "x-gzip" => Stage::Gzip(Box::new(flate2::write::GzDecoder::new(self))),
            "deflate" => Stage::Deflate {
                head: Vec::new(),
                inner: Some(Box::new(self)),
            },
            "br" => Stage::Brotli(Box::new(brotli_decompressor::DecompressorWriter::new(
                self, 4096,
            ))),
            other => return Err(PayloadError::Unsupported(other.to_string())),
        })
    }

    fn over(&self) -> bool {
        match self {
            Stage::Out(l) => l.over,
            Stage::Gzip(d) => d.get_ref().over(),
            Stage::Zlib(d) => d.get_ref().over(),
            Stage::Raw(d) => d.get_ref().over(),
            Stage::Deflate { inner, .. } => inner.as_ref().is_some_and(|i| i.over()),
            Stage::Brotli(d) => d.get_ref().over(),
        }
    }

    fn finish(self) -> io::Result<Vec<u8>> {
        match self {
            Stage::Out(l) => Ok(l.buf),
            Stage::Gzip(d) => d.finish()?.finish(),
            Stage::Zlib(d) => d.finish()?.finish(),
            Stage::Raw(d) => d.finish()?.finish(),
            Stage::Deflate { head, inner } => {
                let inner = inner.ok_or_else(|| io::Error::other("deflate stage lost"))?;
                if head.is_empty() {
                    return inner.finish();
                }
                let mut d = flate2::write::DeflateDecoder::new(*inner);
                d.write_all(&head)?;
                d.finish()?.finish()
            }
            Stage::Brotli(mut d) => {
                d.close()?;
                match d.into_inner() {
                    Ok(s) => s.finish(),
                    Err(_) => Err(io::Error::other("brotli stream incomplete")),
                }
            }
        }
    }
}

impl Write for Stage {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Stage::Out(l) => l.write(b),
            Stage::Gzip(d) => d.write(b),
            Stage::Zlib(d) => d.write(b),
            Stage::Raw(d) => d.write(b),
            Stage::Brotli(d) => d.write(b),
            Stage::Deflate { head, inner } => {
                let need = 2usize.saturating_sub(head.len()).min(b.len());
                head.extend_from_slice(&b[..need]);
                if head.len() < 2 {
                    return Ok(b.len());
                }
                let Some(inner) = inner.take() else {
                    return Err(io::Error::other("deflate stage lost"));
                };
                let mut next = if looks_like_zlib(head) {
                    Stage::Zlib(Box::new(flate2::write::ZlibDecoder::new(*inner)))
                } else {
                    Stage::Raw(Box::new(flate2::write::DeflateDecoder::new(*inner)))
                };
                next.write_all(head)?;
                next.write_all(&b[need..])?;
                *self = next;
                Ok(b.len())
            }
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The chunked transfer decoder, fed in pieces.
enum Chunked {
    /// Reading a chunk-size line (the bytes so far).
    Size(Vec<u8>),
    /// Inside a chunk: bytes left.
    Data(u64),
    /// After a chunk's data: expecting CR LF (how many of its bytes were seen).
    DataEnd(u8),
    /// Trailer lines after the last chunk (the current line's length).
    Trailer(usize),
    /// Done; anything after is ignored.
    Done,
    /// The payload turned out not to be chunked at all (a tool that stored it
    /// de-chunked but kept the header): bytes pass through.
    Passthrough,
}

/// Pushes payload bytes through hashing, de-chunking and content decoding.
struct Payload {
    raw_hash: Option<Hasher>,
    dechunked_hash: Option<Hasher>,
    expected: Option<(String, Vec<u8>)>,
    expected_text: Option<String>,
    chunked: Option<Chunked>,
    /// Bytes seen before the first chunk line ended (replayed on passthrough).
    first_line_seen: bool,
    stage: Option<Stage>,
    codings: Vec<String>,
    cap: u64,
    error: Option<PayloadError>,
}

impl Payload {
    fn new(head: &HttpHead, cap: u64, digest: Option<&str>) -> Payload {
        let expected = digest.and_then(expected_digest);
        let raw_hash = expected.as_ref().and_then(|(a, _)| Hasher::new(a));
        let chunked = head.chunked();
        let dechunked_hash = if chunked {
            expected.as_ref().and_then(|(a, _)| Hasher::new(a))
        } else {
            None
        };
        let codings = head.codings();
        let mut error = None;
        let mut stage = Some(Stage::Out(Limited {
            buf: Vec::new(),
            cap,
            over: false,
        }));
        if codings.len() > MAX_CODINGS {
            error = Some(PayloadError::Unsupported(codings.join(", ")));
        } else {
            for c in &codings {
                match stage.take().map(|s| s.wrap(c)) {
                    Some(Ok(s)) => stage = Some(s),
                    Some(Err(e)) => {
                        error = Some(e);
                        break;
                    }
                    None => break,
                }
            }
        }
        Payload {
            raw_hash,
            dechunked_hash,
            expected,
            expected_text: digest.map(str::to_string),
            chunked: chunked.then(|| Chunked::Size(Vec::new())),
            first_line_seen: false,
            stage,
            codings,
            cap,
            error,
        }
    }

    fn decoded(&mut self, b: &[u8]) {
        if self.error.is_some() || b.is_empty() {
            return;
        }
        if let Some(h) = self.dechunked_hash.as_mut() {
            h.update(b);
        }
        let Some(stage) = self.stage.as_mut() else {
            return;
        };
        if let Err(e) = stage.write_all(b) {
            self.error = Some(if stage.over() {
                PayloadError::TooLarge(self.cap)
            } else {
                PayloadError::Decoding {
                    coding: self.codings.join(", "),
                    detail: e.to_string(),
                }
            });
        }
    }

    /// Push payload bytes. False once nothing more is useful (an error).
    fn push(&mut self, mut b: &[u8]) -> bool {
        if let Some(h) = self.raw_hash.as_mut() {
            h.update(b);
        }
        if self.error.is_some() {
            // Keep hashing for the digest check only when there is one to check.
            return self.raw_hash.is_some();
        }
        let Some(mut state) = self.chunked.take() else {
            self.decoded(b);
            return self.error.is_none() || self.raw_hash.is_some();
        };
        while !b.is_empty() {
            state = match state {
                Chunked::Passthrough => {
                    self.decoded(b);
                    b = &[];
                    Chunked::Passthrough
                }
                Chunked::Done => {
                    b = &[];
                    Chunked::Done
                }
                Chunked::Size(mut line) => {
                    let nl = memchr::memchr(b'\n', b);
                    let take = nl.map_or(b.len(), |i| i + 1);
                    line.extend_from_slice(&b[..take]);
                    b = &b[take..];
                    if nl.is_none() {
                        if line.len() > MAX_CHUNK_LINE {
                            if !self.first_line_seen {
                                self.decoded(&line);
                                Chunked::Passthrough
                            } else {
                                self.error =
                                    Some(PayloadError::Chunked("chunk-size line too long".into()));
                                Chunked::Done
                            }
                        } else {
                            Chunked::Size(line)
                        }
                    } else {
                        match chunk_size(&line) {
                            Some(0) => {
                                self.first_line_seen = true;
                                Chunked::Trailer(0)
                            }
                            Some(n) => {
                                self.first_line_seen = true;
                                Chunked::Data(n)
                            }
                            None if !self.first_line_seen => {
                                // Not chunked after all: the header lied.
                                self.first_line_seen = true;
                                self.decoded(&line);
                                Chunked::Passthrough
                            }
                            None => {
                                let shown: String =
                                    String::from_utf8_lossy(&line).chars().take(20).collect();
                                self.error = Some(PayloadError::Chunked(format!(
                                    "bad chunk-size line {shown:?}"
                                )));
                                Chunked::Done
                            }
                        }
                    }
                }
                Chunked::Data(n) => {
                    let take = (b.len() as u64).min(n) as usize;
                    let (now, rest) = b.split_at(take);
                    self.decoded(now);
                    b = rest;
                    if n - take as u64 == 0 {
                        Chunked::DataEnd(0)
                    } else {
                        Chunked::Data(n - take as u64)
                    }
                }
                Chunked::DataEnd(seen) => {
                    let c = b[0];
                    b = &b[1..];
                    match (seen, c) {
                        (0, b'\r') => Chunked::DataEnd(1),
                        (_, b'\n') => Chunked::Size(Vec::new()),
                        _ => {
                            self.error = Some(PayloadError::Chunked(
                                "chunk data not followed by CRLF".into(),
                            ));
                            Chunked::Done
                        }
                    }
                }
                Chunked::Trailer(len) => {
                    let c = b[0];
                    b = &b[1..];
                    match c {
                        b'\n' if len == 0 => Chunked::Done,
                        b'\n' => Chunked::Trailer(0),
                        b'\r' => Chunked::Trailer(len),
                        _ if len >= MAX_CHUNK_LINE => {
                            self.error =
                                Some(PayloadError::Chunked("trailer line too long".into()));
                            Chunked::Done
                        }
                        _ => Chunked::Trailer(len + 1),
                    }
                }
            };
            if self.error.is_some() {
                break;
            }
        }
        self.chunked = Some(state);
        self.error.is_none() || self.raw_hash.is_some()
    }

    fn finish(mut self) -> (Result<Vec<u8>, PayloadError>, DigestCheck) {
        let digest = match (&self.expected, &self.expected_text) {
            (None, None) => DigestCheck::Absent,
            (None, Some(t)) => DigestCheck::Unchecked(t.clone()),
            (Some((_, want)), Some(t)) => {
                let raw = self.raw_hash.take().map(Hasher::finish);
                let dechunked = self.dechunked_hash.take().map(Hasher::finish);
                if raw.as_ref() == Some(want) || dechunked.as_ref() == Some(want) {
                    DigestCheck::Match
                } else {
                    let algo = t.split_once(':').map_or("", |(a, _)| a);
                    DigestCheck::Mismatch {
                        expected: t.clone(),
                        actual: format!(
                            "{algo}:{}",
                            data_encoding::BASE32.encode(&raw.unwrap_or_default())
                        ),
                    }
                }
            }
            (Some(_), None) => DigestCheck::Absent,
        };
        if let Some(e) = self.error.take() {
            return (Err(e), digest);
        }
        match self.chunked.take() {
            Some(Chunked::Data(_) | Chunked::DataEnd(_)) => {
                return (
                    Err(PayloadError::Chunked(
                        "cut short inside a chunk (no last chunk)".into(),
                    )),
                    digest,
                );
            }
            Some(Chunked::Size(line)) if !line.is_empty() || !self.first_line_seen => {
                if !self.first_line_seen {
                    // An empty or one-line payload that never was chunked.
                    let mut me = self;
                    me.chunked = None;
                    me.decoded(&line);
                    return me.finish_body(digest);
                }
                return (
                    Err(PayloadError::Chunked(
                        "cut short in a chunk-size line".into(),
                    )),
                    digest,
                );
            }
            _ => {}
        }
        self.finish_body(digest)
    }

    fn finish_body(mut self, digest: DigestCheck) -> (Result<Vec<u8>, PayloadError>, DigestCheck) {
        if let Some(e) = self.error.take() {
            return (Err(e), digest);
        }
        let Some(stage) = self.stage.take() else {
            return (Ok(Vec::new()), digest);
        };
        let body = stage.finish().map_err(|e| PayloadError::Decoding {
            coding: self.codings.join(", "),
            detail: e.to_string(),
        });
        (body, digest)
    }
}

/// A chunk-size line's value (hex, before any `;extension`), or None.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(line).ok()?;
    let text = text.trim_end_matches(['\r', '\n']);
    let size = text.split(';').next()?.trim();
    if size.is_empty() || size.len() > 15 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(size, 16).ok()
}

/// What a response record's block held.
#[derive(Debug)]
pub struct Response {
    /// The head, or why it did not parse.
    pub head: Result<HttpHead, String>,
    /// The decoded body (when asked for and the head parsed).
    pub body: Option<Result<Vec<u8>, PayloadError>>,
    /// The payload digest check (`Absent` when the body was not read).
    pub digest: DigestCheck,
}

/// Parses a record block pushed in chunks: the head, then (if wanted) the payload.
pub struct ResponseParser {
    head_buf: Vec<u8>,
    head: Option<Result<HttpHead, String>>,
    want_body: fn(&HttpHead) -> bool,
    cap: u64,
    digest: Option<String>,
    payload: Option<Payload>,
}

impl ResponseParser {
    /// A parser; when `want_body` says no for the head, it stops there. `digest` is the
    /// record's `WARC-Payload-Digest`.
    pub fn new(want_body: fn(&HttpHead) -> bool, cap: u64, digest: Option<&str>) -> ResponseParser {
        ResponseParser {
            head_buf: Vec::new(),
            head: None,
            want_body,
            cap,
            digest: digest.map(str::to_string),
            payload: None,
        }
    }

    /// Push block bytes; false when the rest of the block is not needed.
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        if let Some(p) = self.payload.as_mut() {
            return p.push(chunk);
        }
        if self.head.is_some() {
            return false;
        }
        // Look for the head's end in at most MAX_HTTP_HEAD bytes.
        let room = MAX_HTTP_HEAD.saturating_sub(self.head_buf.len());
        let take = chunk.len().min(room);
        let before = self.head_buf.len();
        self.head_buf.extend_from_slice(&chunk[..take]);
        // Parse once the status line is whole (its version decides how).
        let parsed = if memchr::memchr(b'\n', &self.head_buf).is_some() {
            parse_head(&self.head_buf)
        } else {
            Ok(None)
        };
        match parsed {
            Ok(Some((head, used))) => {
                let rest_start = used.saturating_sub(before);
                let rest = chunk.get(rest_start..).unwrap_or(&[]);
                self.head_buf = Vec::new();
                if !(self.want_body)(&head) {
                    self.head = Some(Ok(head));
                    return false;
                }
                let mut p = Payload::new(&head, self.cap, self.digest.as_deref());
                self.head = Some(Ok(head));
                let more = p.push(rest);
                self.payload = Some(p);
                more
            }
            Ok(None) if self.head_buf.len() >= MAX_HTTP_HEAD => {
                self.head = Some(Err(format!(
                    "HTTP response head longer than {MAX_HTTP_HEAD} bytes"
                )));
                false
            }
            Ok(None) => true,
            Err(e) => {
                self.head = Some(Err(e));
                false
            }
        }
    }

    /// The result, once the block is read (or the parser said stop).
    pub fn finish(mut self) -> Response {
        if self.head.is_none() {
            // A head without its blank line at the very end of the block.
            let mut b = std::mem::take(&mut self.head_buf);
            if b.is_empty() {
                self.head = Some(Err("empty HTTP response".into()));
            } else {
                b.extend_from_slice(b"\r\n\r\n");
                self.head = Some(match parse_head(&b) {
                    Ok(Some((h, _))) => {
                        if (self.want_body)(&h) {
                            self.payload = Some(Payload::new(&h, self.cap, self.digest.as_deref()));
                        }
                        Ok(h)
                    }
                    Ok(None) => Err("HTTP response head cut short".into()),
                    Err(e) => Err(e),
                });
            }
        }
        let head = self.head.unwrap_or_else(|| Err("no HTTP head".into()));
        match (head, self.payload) {
            (Ok(h), Some(p)) => {
                let (body, digest) = p.finish();
                Response {
                    head: Ok(h),
                    body: Some(body),
                    digest,
                }
            }
            (head, _) => Response {
                head,
                body: None,
                digest: DigestCheck::Absent,
            },
        }
    }
}

/// Does a body with no Content-Type look like HTML? The WHATWG MIME sniffing rule for
/// HTML: after whitespace (and a UTF-8 BOM), one of the HTML tags it lists, followed
/// by a space or `>` (or a comment opener).
pub fn sniff_html(body: &[u8]) -> bool {
    let b = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = b
        .iter()
        .take(512)
        .position(|c| !matches!(c, b'\t' | b'\n' | 0x0c | b'\r' | b' '));
    let Some(start) = start else {
        return false;
    };
    let b = &b[start..];
    if b.starts_with(b"<!--") {
        return true;
    }
    const TAGS: &[&[u8]] = &[
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
    ];
    TAGS.iter().any(|t| {
        b.len() > t.len()
            && b[..t.len()].eq_ignore_ascii_case(t)
            && matches!(b[t.len()], b' ' | b'>')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(block: &[u8], digest: Option<&str>, piece: usize) -> Response {
        let mut p = ResponseParser::new(|_| true, 1 << 20, digest);
        for c in block.chunks(piece.max(1)) {
            if !p.push(c) {
                break;
            }
        }
        p.finish()
    }

    fn sha1_b32(b: &[u8]) -> String {
        format!(
            "sha1:{}",
            data_encoding::BASE32.encode(&sha1::Sha1::digest(b))
        )
    }

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn plain_response_with_digest() {
        let body = b"<html><p>hi</p></html>";
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".to_vec();
        block.extend_from_slice(body);
        for piece in [1, 3, 7, 1000] {
            let r = parse(&block, Some(&sha1_b32(body)), piece);
            assert_eq!(r.head.as_ref().unwrap().status, 200);
            assert_eq!(r.body.unwrap().unwrap(), body);
            assert_eq!(r.digest, DigestCheck::Match, "piece {piece}");
        }
        let r = parse(&block, Some(&sha1_b32(b"other")), 5);
        assert!(matches!(r.digest, DigestCheck::Mismatch { .. }));
        let r = parse(&block, Some("md5:abc"), 5);
        assert_eq!(r.digest, DigestCheck::Unchecked("md5:abc".into()));
    }

    #[test]
    fn chunked_and_gzip_are_undone() {
        let body = b"<html><body><p>chunked and gzipped</p></body></html>".repeat(50);
        let z = gz(&body);
        let mut payload = Vec::new();
        for part in z.chunks(100) {
            payload.extend_from_slice(format!("{:x};ext=1\r\n", part.len()).as_bytes());
            payload.extend_from_slice(part);
            payload.extend_from_slice(b"\r\n");
        }
        payload.extend_from_slice(b"0\r\nX-Trailer: y\r\n\r\n");
        let mut block =
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend_from_slice(&payload);
        for piece in [1, 2, 13, 4096] {
            // Digest over the raw (chunked) payload, as warcio and wget write it...
            let r = parse(&block, Some(&sha1_b32(&payload)), piece);
            assert_eq!(r.body.unwrap().unwrap(), body, "piece {piece}");
            assert_eq!(r.digest, DigestCheck::Match);
            // ...or over the de-chunked entity, as the WARC standard reads.
            let r = parse(&block, Some(&sha1_b32(&z)), piece);
            assert_eq!(r.digest, DigestCheck::Match);
        }
    }

    #[test]
    fn a_chunked_header_over_a_plain_payload_passes_through() {
        let block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n<html>plain</html>";
        let r = parse(block, None, 4);
        assert_eq!(r.body.unwrap().unwrap(), b"<html>plain</html>");
    }

    #[test]
    fn cut_chunks_and_bad_codings_are_errors() {
        let block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly some";
        let r = parse(block, None, 4);
        assert_eq!(r.body.unwrap().unwrap_err().kind(), "bad_chunked");
        let block = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nnot gzip at all";
        let r = parse(block, None, 4);
        assert_eq!(r.body.unwrap().unwrap_err().kind(), "bad_encoding");
        let block = b"HTTP/1.1 200 OK\r\nContent-Encoding: compress\r\n\r\nx";
        let r = parse(block, None, 4);
        assert_eq!(r.body.unwrap().unwrap_err().kind(), "unsupported_encoding");
    }

    #[test]
    fn a_bomb_stops_at_the_cap() {
        let z = gz(&vec![b' '; 8 << 20]);
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        block.extend_from_slice(&z);
        let r = parse(&block, None, 65536);
        assert_eq!(
            r.body.unwrap().unwrap_err(),
            PayloadError::TooLarge(1 << 20)
        );
    }

    #[test]
    fn deflate_raw_and_zlib_and_brotli() {
        let body = b"<p>deflated</p>".repeat(20);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&body).unwrap();
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        d.write_all(&body).unwrap();
        for enc in [z.finish().unwrap(), d.finish().unwrap()] {
            let mut block = b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n".to_vec();
            block.extend_from_slice(&enc);
            assert_eq!(parse(&block, None, 1).body.unwrap().unwrap(), body);
        }
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            w.write_all(&body).unwrap();
        }
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\n".to_vec();
        block.extend_from_slice(&br);
        assert_eq!(parse(&block, None, 3).body.unwrap().unwrap(), body);
    }

    #[test]
    fn heads_http2_lf_only_and_headers_only() {
        let r = parse(b"HTTP/2 301\r\nlocation: /x\r\n\r\n", None, 3);
        let h = r.head.unwrap();
        assert_eq!(h.status, 301);
        assert_eq!(h.get("Location"), Some("/x"));
        let r = parse(
            b"HTTP/1.0 404 Not Found\nContent-Type: text/html\n\nnope",
            None,
            2,
        );
        assert_eq!(r.head.unwrap().status, 404);
        assert_eq!(r.body.unwrap().unwrap(), b"nope");
        let r = parse(b"HTTP/1.1 302 Found\r\nLocation: /y", None, 5);
        assert_eq!(r.head.unwrap().status, 302);
        assert!(parse(b"", None, 1).head.is_err());
        assert!(parse(b"\x00\x01binary", None, 1).head.is_err());
        let huge = vec![b'a'; MAX_HTTP_HEAD * 2];
        assert!(parse(&huge, None, 4096).head.is_err());
    }

    #[test]
    fn sniffing() {
        assert!(sniff_html(b"\xEF\xBB\xBF  <!DOCTYPE html><html>"));
        assert!(sniff_html(b"\n<html lang=en>"));
        assert!(sniff_html(b"<p>x"));
        assert!(sniff_html(b"<!-- c -->"));
        assert!(!sniff_html(b"\x89PNG\r\n"));
        assert!(!sniff_html(b"<?xml version"));
        assert!(!sniff_html(b"body { color: red }"));
        assert!(!sniff_html(b"<pre>"));
        assert!(!sniff_html(b""));
    }
}
