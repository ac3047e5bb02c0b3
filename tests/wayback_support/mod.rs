//! A fake web archive on 127.0.0.1 for `tests/wayback.rs`, built from the demo site's
//! two versions (`quire::demo::site`): v1 captured at [`T1`], v2 at [`T2`], and a
//! byte-identical copy of two v2 articles at [`T3`] (same digest: a CDX server asked for
//! `collapse=digest` drops them). Every file of the site is listed, the GIFs and
//! robots.txt with their non-HTML mimetypes. Extra rows: a capture the replay does not
//! have ([`GONE`]), a 301 capture (dropped by `filter=statuscode:200`), and the ferry
//! article listed at [`T2`] but replayable only at [`FERRY_SERVED`] (the archive answers
//! with the nearest capture).
//!
//! It speaks two dialects at once, as the real servers do:
//! - Wayback (the Internet Archive's layout, base `http://127.0.0.1:PORT`): CDX at
//!   `/cdx/search/cdx`, a JSON array with a header row, `limit` + `showResumeKey` paging
//!   with opaque resume keys, `collapse=digest`; replay at `/web/{ts}id_/{url}`, a
//!   non-exact timestamp answered with a 302 to the nearest capture.
//! - pywb (a collection, base `http://127.0.0.1:PORT/coll`), as a real pywb 2.10.0
//!   answers (`tests/wayback_pywb.rs` runs one): CDX at `/coll/cdx`, newline-delimited
//!   JSON objects with pywb's field names (Wayback's names in `fl` are dropped), no
//!   resume key, `collapse` ignored, at most `limit` rows (100,000 when not given);
//!   `filter` values matched as substrings (`~` regex, `=` exact, `!` inverts,
//!   `statuscode` read as `status`); the [`T3`] copies are revisit records there
//!   (`mime` "warc/revisit", no `status`), as a deduplicating crawler writes them.
//!   Replay at `/coll/{ts}id_/{url}`: a non-exact timestamp, or a listed capture the
//!   archive cannot load, served directly from the nearest capture that loads, with its
//!   `Memento-Datetime`; a listed capture with none that loads ([`GONE`]) is a 503.
//!
//! Every replay carries `Memento-Datetime`. Replays without `id_` get a page with an
//! archive banner (a client that asked for them would be seen in the log). Throttling is
//! scripted per request ([`Fake::fault`]): a status with an optional `Retry-After`, and
//! the archive notes any retry that comes before the `Retry-After` it gave.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

/// The demo site's v1.
pub const T1: &str = "20170105120000";
/// The demo site's v2.
pub const T2: &str = "20180210083000";
/// Identical copies of two v2 articles ([`T3_PATHS`]).
pub const T3: &str = "20190301000000";
/// The articles copied at [`T3`].
pub const T3_PATHS: &[&str] = &[
    "archive/articles/1016/1016pensions.htm",
    "archive/articles/1217/1217budget.htm",
];
/// The archived site's host (`.invalid`: never resolvable, so a client that fetched an
/// original URL instead of its replay would fail at once, without leaving loopback).
pub const SITE: &str = "http://esr.invalid/";
/// Listed at [`T1`] as an HTML 200, but the replay has no such capture (404).
pub const GONE: &str = "http://esr.invalid/archive/gone.htm";
/// Listed at [`T1`] with status 301.
pub const MOVED: &str = "http://esr.invalid/archive/moved.htm";
/// The ferry article: listed at [`T2`], replayable only at [`FERRY_SERVED`].
pub const FERRY: &str = "http://esr.invalid/archive/articles/1017/1017ferry.htm";
/// Where the ferry's v2 capture really is.
pub const FERRY_SERVED: &str = "20180210083007";

/// One capture the fake archive knows.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The URL as archived.
    pub original: String,
    /// Its timestamp.
    pub timestamp: String,
    /// Archived Content-Type.
    pub mime: String,
    /// Archived status.
    pub status: u16,
    /// Digest (of the body; "PHANTOM" rows have their own).
    pub digest: String,
    /// The archived bytes.
    pub body: Vec<u8>,
    /// In the CDX listing.
    pub listed: bool,
    /// Served by the replay.
    pub replay: bool,
    /// A revisit record in the pywb dialect (the T3 copies): listed with mimetype
    /// "warc/revisit" and no status; replayed with its own time.
    pub revisit: bool,
}

/// One request as the archive saw it.
#[derive(Debug, Clone)]
pub struct Req {
    /// Path and query, as sent.
    pub target: String,
    /// When it arrived.
    pub at: Instant,
    /// The status answered.
    pub status: u16,
}

impl Req {
    /// The query's pairs, decoded.
    pub fn query(&self) -> Vec<(String, String)> {
        match self.target.split_once('?') {
            Some((_, q)) => url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect(),
            None => Vec::new(),
        }
    }

    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A CDX request (either dialect)?
    pub fn is_cdx(&self) -> bool {
        matches!(self.path(), "/cdx/search/cdx" | "/coll/cdx")
    }

    /// A replay request: (timestamp + modifier, original).
    pub fn replay(&self) -> Option<(String, String)> {
        let rest = self
            .target
            .strip_prefix("/web/")
            .or_else(|| self.target.strip_prefix("/coll/"))?;
        let (stamp, original) = rest.split_once('/')?;
        if !stamp.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        Some((stamp.to_string(), original.to_string()))
    }
}

/// What the CDX endpoints answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CdxMode {
    /// The listing.
    Normal,
    /// JSON cut in the middle.
    Truncated,
    /// A timestamp that is a JSON number.
    WrongTypes,
    /// A row with a 20 KiB URL.
    HugeField,
    /// 17 MiB of rows.
    HugeBody,
    /// An HTML error page with status 200.
    Html,
    /// A JSON object that is no CDX.
    NotCdx,
    /// The same resume key on every page.
    KeyLoop,
    /// A timestamp that names no instant.
    BadTimestamp,
    /// 500 on every request.
    AlwaysFailing,
}

/// Scripted answers: (status, Retry-After seconds), in order.
type Script = Vec<(u16, Option<u64>)>;

struct Archive {
    captures: Vec<Capture>,
    log: Mutex<Vec<Req>>,
    /// Scripted answers, per request key (a replay path, or "cdx#N" for the N-th page
    /// of a listing, 0-based): consumed in order, then normal answers.
    faults: Mutex<HashMap<String, Script>>,
    /// Request key → not before (from a Retry-After given).
    not_before: Mutex<HashMap<String, Instant>>,
    /// Request keys retried before their Retry-After.
    early: Mutex<Vec<String>>,
    /// Resume keys issued → offset of the next row.
    keys: Mutex<HashMap<String, (usize, usize)>>,
    mode: Mutex<CdxMode>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Milliseconds each replay takes to answer (to keep requests in flight).
    replay_ms: AtomicUsize,
}

/// A running fake archive.
pub struct Fake {
    /// Where it listens.
    pub addr: SocketAddr,
    state: Arc<Archive>,
}

fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    hex::encode_upper(&d[..20])
}

fn mime_of(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("htm" | "html") => "text/html",
        Some("gif") => "image/gif",
        _ => "text/plain",
    }
}

/// The URL a demo-site file is archived under.
pub fn original_of(path: &str) -> String {
    if path == "index.html" {
        SITE.to_string()
    } else {
        format!("{SITE}{path}")
    }
}

/// The captures: the demo site's v1 at T1, v2 at T2, two copies at T3, and the extras.
pub fn captures() -> Vec<Capture> {
    let mut out = Vec::new();
    for (file, bytes) in quire::demo::site::FILES {
        let (version, path) = file.split_once('/').unwrap();
        let ts = if version == "v1" { T1 } else { T2 };
        let original = original_of(path);
        let cap = Capture {
            original: original.clone(),
            timestamp: ts.to_string(),
            mime: mime_of(path).to_string(),
            status: 200,
            digest: digest(bytes),
            body: bytes.to_vec(),
            listed: true,
            replay: true,
            revisit: false,
        };
        if original == FERRY && version == "v2" {
            // Listed at T2; the archive holds it at FERRY_SERVED.
            out.push(Capture {
                replay: false,
                ..cap.clone()
            });
            out.push(Capture {
                timestamp: FERRY_SERVED.to_string(),
                listed: false,
                ..cap
            });
            continue;
        }
        if version == "v2" && T3_PATHS.contains(&path) {
            out.push(Capture {
                timestamp: T3.to_string(),
                revisit: true,
                ..cap.clone()
            });
        }
        out.push(cap);
    }
    let extra = |original: &str, status: u16, replay: bool| Capture {
        original: original.to_string(),
        timestamp: T1.to_string(),
        mime: "text/html".into(),
        status,
        digest: digest(original.as_bytes()),
        body: b"<html><body><p>never served</p></body></html>".to_vec(),
        listed: true,
        replay,
        revisit: false,
    };
    out.push(extra(GONE, 200, false));
    out.push(extra(MOVED, 301, true));
    out.sort_by(|a, b| (&a.original, &a.timestamp).cmp(&(&b.original, &b.timestamp)));
    out
}

impl Fake {
    /// Start the archive on 127.0.0.1 (its own thread and runtime).
    pub fn start() -> Fake {
        let state = Arc::new(Archive {
            captures: captures(),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(HashMap::new()),
            not_before: Mutex::new(HashMap::new()),
            early: Mutex::new(Vec::new()),
            keys: Mutex::new(HashMap::new()),
            mode: Mutex::new(CdxMode::Normal),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            replay_ms: AtomicUsize::new(0),
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let st = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("archive runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let _ = tx.send(listener.local_addr().expect("addr"));
                let app = axum::Router::new().fallback(handle).with_state(st);
                let _ = axum::serve(listener, app).await;
            });
        });
        let addr = rx.recv().expect("archive started");
        Fake { addr, state }
    }

    /// The Wayback-layout endpoint (`--wayback-endpoint`).
    pub fn wayback_endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The pywb-layout endpoint (a collection).
    pub fn pywb_endpoint(&self) -> String {
        format!("http://{}/coll", self.addr)
    }

    /// Every capture it knows.
    pub fn all(&self) -> &[Capture] {
        &self.state.captures
    }

    /// Script the next answers to the request with key `key` (a replay path such as
    /// `/web/{ts}id_/{url}`, or `cdx#N`): `(status, Retry-After seconds)`, in order.
    pub fn fault(&self, key: &str, answers: &[(u16, Option<u64>)]) {
        self.state
            .faults
            .lock()
            .unwrap()
            .insert(key.to_string(), answers.to_vec());
    }

    /// What the CDX endpoints answer from now on.
    pub fn set_mode(&self, mode: CdxMode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    /// Each replay answers after `ms` milliseconds.
    pub fn set_replay_delay(&self, ms: usize) {
        self.state.replay_ms.store(ms, Ordering::SeqCst);
    }

    /// The request log.
    pub fn log(&self) -> Vec<Req> {
        self.state.log.lock().unwrap().clone()
    }

    /// Request keys that were retried before the Retry-After they were given.
    pub fn early_retries(&self) -> Vec<String> {
        self.state.early.lock().unwrap().clone()
    }

    /// Most requests in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

struct InFlight<'a>(&'a Archive);

impl<'a> InFlight<'a> {
    fn enter(st: &'a Archive) -> InFlight<'a> {
        let n = st.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        st.max_in_flight.fetch_max(n, Ordering::SeqCst);
        InFlight(st)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn http_date(ts: &str) -> String {
    let t = chrono::NaiveDateTime::parse_from_str(ts, "%Y%m%d%H%M%S").expect("timestamp");
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn answer(status: u16, body: impl Into<axum::body::Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

async fn handle(
    axum::extract::State(st): axum::extract::State<Arc<Archive>>,
    req: Request,
) -> Response {
    let _in = InFlight::enter(&st);
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let at = Instant::now();
    let response = route(&st, &target).await;
    st.log.lock().unwrap().push(Req {
        target,
        at,
        status: response.status().as_u16(),
    });
    response
}

/// A scripted answer for `key`, if one is left; notes a retry that came too early.
fn scripted(st: &Archive, key: &str) -> Option<Response> {
    let now = Instant::now();
    if let Some(nb) = st.not_before.lock().unwrap().remove(key) {
        if now < nb {
            st.early.lock().unwrap().push(key.to_string());
        }
    }
    let mut faults = st.faults.lock().unwrap();
    let queue = faults.get_mut(key)?;
    if queue.is_empty() {
        return None;
    }
    let (status, retry_after) = queue.remove(0);
    let mut r = answer(status, "busy, come back later");
    if let Some(secs) = retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        st.not_before
            .lock()
            .unwrap()
            .insert(key.to_string(), now + Duration::from_secs(secs));
    }
    Some(r)
}

async fn route(st: &Archive, target: &str) -> Response {
    let path = target.split('?').next().unwrap_or("");
    let query: Vec<(String, String)> = match target.split_once('?') {
        Some((_, q)) => url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect(),
        None => Vec::new(),
    };
    match path {
        "/robots.txt" => answer(404, "no robots.txt"),
        "/cdx/search/cdx" => cdx(st, &query, false),
        "/coll/cdx" => cdx(st, &query, true),
        _ => {
            if let Some(rest) = path.strip_prefix("/web/") {
                replay(st, target, &target["/web/".len()..], rest, false).await
            } else if let Some(rest) = path.strip_prefix("/coll/") {
                replay(st, target, &target["/coll/".len()..], rest, true).await
            } else {
                answer(404, "not here")
            }
        }
    }
}

async fn replay(st: &Archive, target: &str, full: &str, _path: &str, pywb: bool) -> Response {
    let key = target.to_string();
    if let Some(r) = scripted(st, &key) {
        return r;
    }
    let ms = st.replay_ms.load(Ordering::SeqCst);
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms as u64)).await;
    }
    let Some((stamp, original)) = full.split_once('/') else {
        return answer(404, "no capture named");
    };
    let digits: String = stamp.chars().take_while(char::is_ascii_digit).collect();
    let modifier = &stamp[digits.len()..];
    if digits.len() != 14 {
        return answer(400, "bad timestamp");
    }
    let prefix = if pywb { "/coll/" } else { "/web/" };
    let have: Vec<&Capture> = st
        .captures
        .iter()
        .filter(|c| c.replay && c.original == original)
        .collect();
    let want: u64 = digits.parse().unwrap_or(0);
    let Some(best) = have
        .iter()
        .min_by_key(|c| c.timestamp.parse::<u64>().unwrap_or(0).abs_diff(want))
    else {
        // pywb: a URL it lists but cannot load any record of is a 503 (its error page);
        // a URL it does not know, a 404.
        if pywb
            && st
                .captures
                .iter()
                .any(|c| c.listed && c.original == original)
        {
            return answer(503, "<html><title>Pywb Error</title></html>");
        }
        return answer(404, "Wayback Machine has not archived that URL.");
    };
    if best.timestamp != digits && !pywb {
        let mut r = answer(302, "");
        let loc = format!("{prefix}{}{modifier}/{original}", best.timestamp);
        r.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_str(&loc).unwrap());
        return r;
    }
    let mut r = if modifier == "id_" {
        answer(200, best.body.clone())
    } else {
        let mut page = b"<html><body><div id=\"wm-ipp\">ARCHIVE BANNER</div>".to_vec();
        page.extend_from_slice(&best.body);
        answer(200, page)
    };
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&best.mime).unwrap(),
    );
    h.insert(
        "memento-datetime",
        HeaderValue::from_str(&http_date(&best.timestamp)).unwrap(),
    );
    // The archive's own validators (which a client must not take for the page's).
    h.insert(header::ETAG, HeaderValue::from_static("\"archive-etag\""));
    r
}

fn get<'q>(query: &'q [(String, String)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn pad(bound: &str, fill: char) -> String {
    let mut s = bound.to_string();
    while s.len() < 14 {
        s.push(fill);
    }
    s
}

/// The value of a CDX field of a capture in pywb's listing: a revisit record has the
/// mimetype "warc/revisit" and no status.
fn pywb_field(c: &Capture, name: &str) -> Option<String> {
    match name {
        "statuscode" | "status" if c.revisit => None,
        "mimetype" | "mime" if c.revisit => Some("warc/revisit".into()),
        _ => field(c, name),
    }
}

/// pywb's `filter=[!][=|~]field:value`: substring, exact (`=`) or regex from the start
/// (`~`) match of the field (Wayback's names read as pywb's; a missing field is "").
fn pywb_filter(c: &Capture, f: &str) -> bool {
    let (invert, f) = match f.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, f),
    };
    let (mode, f) = match f.chars().next() {
        Some(m @ ('=' | '~')) => (m, &f[1..]),
        _ => (' ', f),
    };
    let Some((name, value)) = f.split_once(':') else {
        return true;
    };
    let have = pywb_field(c, name).unwrap_or_default();
    let matched = match mode {
        '=' => have == value,
        '~' => regex::Regex::new(&format!("^(?:{value})"))
            .map(|r| r.is_match(&have))
            .unwrap_or(false),
        _ => have.contains(value),
    };
    matched != invert
}

/// The value of a CDX field of a capture, by either dialect's name.
fn field(c: &Capture, name: &str) -> Option<String> {
    Some(match name {
        "timestamp" => c.timestamp.clone(),
        "original" | "url" => c.original.clone(),
        "statuscode" | "status" => c.status.to_string(),
        "mimetype" | "mime" => c.mime.clone(),
        "digest" => c.digest.clone(),
        "urlkey" => c.original.replace("http://", ""),
        "length" => c.body.len().to_string(),
        _ => return None,
    })
}

fn cdx(st: &Archive, query: &[(String, String)], pywb: bool) -> Response {
    let mode = *st.mode.lock().unwrap();
    let page_no = match get(query, "resumeKey") {
        None => Some(0),
        Some(k) => st.keys.lock().unwrap().get(k).map(|&(_, page)| page),
    };
    let Some(page_no) = page_no else {
        return answer(400, "unknown resumeKey");
    };
    if let Some(r) = scripted(st, &format!("cdx#{page_no}")) {
        return r;
    }
    let header_row = r#"["timestamp","original","statuscode","mimetype","digest"]"#;
    let row = |ts: &str, url: &str| format!(r#"["{ts}","{url}","200","text/html","X"]"#);
    match mode {
        CdxMode::Normal => {}
        CdxMode::Truncated => {
            return answer(200, format!("[{header_row},[\"2017010512"));
        }
        CdxMode::WrongTypes => {
            return answer(
                200,
                format!("[{header_row},[20170105120000,\"{SITE}\",\"200\",\"text/html\",\"X\"]]"),
            );
        }
        CdxMode::HugeField => {
            let url = format!("{SITE}{}", "a".repeat(20 * 1024));
            return answer(200, format!("[{header_row},{}]", row(T1, &url)));
        }
        CdxMode::HugeBody => {
            let mut body = format!("[{header_row}");
            let one = format!(",{}", row(T1, &format!("{SITE}{}", "b".repeat(1000))));
            while body.len() < 17 * 1024 * 1024 {
                body.push_str(&one);
            }
            body.push(']');
            return answer(200, body);
        }
        CdxMode::Html => {
            return answer(
                200,
                "<html><body>Service temporarily unavailable</body></html>",
            );
        }
        CdxMode::NotCdx => {
            return answer(200, r#"{"error": "no such collection"}"#);
        }
        CdxMode::KeyLoop => {
            st.keys
                .lock()
                .unwrap()
                .insert("same-key".into(), (0, page_no + 1));
            return answer(
                200,
                format!("[{header_row},{},[],[\"same-key\"]]", row(T1, SITE)),
            );
        }
        CdxMode::BadTimestamp => {
            return answer(
                200,
                format!("[{header_row},{}]", row("20171399999999", SITE)),
            );
        }
        CdxMode::AlwaysFailing => return answer(500, "internal error"),
    }
    if get(query, "output") != Some("json") {
        return answer(400, "this fake answers output=json only");
    }
    let url = get(query, "url").unwrap_or("");
    let prefix_match = get(query, "matchType") == Some("prefix");
    let lo = get(query, "from").map(|f| pad(f, '0'));
    let hi = get(query, "to").map(|t| pad(t, '9'));
    let filters: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "filter")
        .map(|(_, v)| v.as_str())
        .collect();
    let collapse = !pywb && get(query, "collapse") == Some("digest");
    let mut rows: Vec<&Capture> = Vec::new();
    let mut last_digest: Option<&str> = None;
    for c in st.captures.iter().filter(|c| c.listed) {
        let url_ok = if prefix_match {
            c.original.starts_with(url)
        } else {
            c.original == url
        };
        let in_window = lo.as_deref().is_none_or(|lo| c.timestamp.as_str() >= lo)
            && hi.as_deref().is_none_or(|hi| c.timestamp.as_str() <= hi);
        let filtered = filters.iter().all(|f| {
            if pywb {
                return pywb_filter(c, f);
            }
            let (neg, f) = match f.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, *f),
            };
            let Some((name, value)) = f.split_once(':') else {
                return true;
            };
            (field(c, name).as_deref() == Some(value)) != neg
        });
        if !(url_ok && in_window && filtered) {
            continue;
        }
        if collapse && last_digest == Some(c.digest.as_str()) {
            continue;
        }
        last_digest = Some(c.digest.as_str());
        rows.push(c);
    }
    let fields: Vec<&str> = get(query, "fl")
        .unwrap_or("timestamp,original,statuscode,mimetype,digest")
        .split(',')
        .collect();
    if pywb {
        // pywb 2: newline-delimited objects, only the fields it knows by its own names.
        let known: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|f| matches!(*f, "timestamp" | "url" | "status" | "mime" | "digest"))
            .collect();
        // At most `limit` rows, 100,000 when none is given, without a word.
        let limit: usize = get(query, "limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(100_000);
        let mut out = String::new();
        for c in rows.into_iter().take(limit) {
            let obj: serde_json::Map<String, serde_json::Value> = known
                .iter()
                .filter_map(|f| Some((f.to_string(), pywb_field(c, f)?.into())))
                .collect();
            out.push_str(&serde_json::Value::Object(obj).to_string());
            out.push('\n');
        }
        let mut r = answer(200, out);
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/x-ndjson"),
        );
        return r;
    }
    for f in &fields {
        if field(
            &Capture {
                original: String::new(),
                timestamp: String::new(),
                mime: String::new(),
                status: 0,
                digest: String::new(),
                body: Vec::new(),
                listed: false,
                replay: false,
                revisit: false,
            },
            f,
        )
        .is_none()
        {
            return answer(400, format!("unknown field {f}"));
        }
    }
    let start = match get(query, "resumeKey") {
        Some(k) => st.keys.lock().unwrap().get(k).map_or(0, |&(off, _)| off),
        None => 0,
    };
    let limit: usize = get(query, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let end = start.saturating_add(limit).min(rows.len());
    let mut out: Vec<serde_json::Value> = vec![fields.clone().into()];
    for c in &rows[start.min(rows.len())..end] {
        out.push(
            fields
                .iter()
                .map(|f| field(c, f).unwrap_or_default())
                .collect::<Vec<_>>()
                .into(),
        );
    }
    if end < rows.len() && get(query, "showResumeKey") == Some("true") {
        // An opaque key in the Wayback Machine's style (escaped SURT, '+', '%21').
        let next = rows[end];
        let key = format!(
            "{}+{}%21",
            url::form_urlencoded::byte_serialize(field(next, "urlkey").unwrap().as_bytes())
                .collect::<String>(),
            next.timestamp
        );
        st.keys
            .lock()
            .unwrap()
            .insert(key.clone(), (end, page_no + 1));
        out.push(serde_json::Value::Array(Vec::new()));
        out.push(vec![key].into());
    }
    let mut r = answer(200, serde_json::Value::Array(out).to_string());
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The quire binary under test.
const QUIRE_BIN: &str = env!("CARGO_BIN_EXE_quire");

/// Run `quire ARGS` (warnings only on stderr) to its end.
pub fn quire(args: &[&str]) -> std::process::Output {
    std::process::Command::new(QUIRE_BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// A command's stderr as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The JSON summary a `--json` command prints as its last line of stdout.
pub fn summary(out: &std::process::Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or("");
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("no JSON summary ({e}): {text:?}; stderr {}", stderr(out)))
}

/// A 14-digit archive timestamp as RFC 3339 (UTC).
pub fn rfc3339(ts: &str) -> String {
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &ts[0..4],
        &ts[4..6],
        &ts[6..8],
        &ts[8..10],
        &ts[10..12],
        &ts[12..14]
    )
}
