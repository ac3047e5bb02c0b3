//! Test support: an in-process HTTP server on 127.0.0.1 serving a generated ESR-style
//! site plus fault paths, with a log of every request it received.
//!
//! The server runs on its own thread and tokio runtime, so both async tests and tests
//! that run the `quire` binary as a child can use it. It is axum behind a raw
//! `TcpListener` accept loop: connections whose first request is a connection-level
//! fault (a reset) are handled on the raw socket, the rest go to axum.
#![allow(dead_code)]

pub mod hostile;
pub mod site;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

pub use site::{PageFault, Site};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Req {
    /// Path and query.
    pub path: String,
    /// Host header.
    pub host: String,
    /// When it arrived.
    pub at: Instant,
    /// If-None-Match header.
    pub if_none_match: Option<String>,
    /// If-Modified-Since header.
    pub if_modified_since: Option<String>,
    /// User-Agent header.
    pub user_agent: Option<String>,
    /// Status the server answered (0 for a reset).
    pub status: u16,
}

/// Fault paths served by every test server (linked from the archive index by
/// [`fault_links`]).
pub mod fault {
    /// 301 to an in-scope article.
    pub const MOVED: &str = "/archive/moved.html";
    /// The article MOVED points at.
    pub const MOVED_TARGET: &str = "/archive/moved-target.html";
    /// 302 to another host (localhost instead of 127.0.0.1): out of scope.
    pub const OFFSITE_REDIRECT: &str = "/archive/offsite.html";
    /// Loop: a → b → a.
    pub const LOOP_A: &str = "/archive/loop-a.html";
    /// Loop: b → a.
    pub const LOOP_B: &str = "/archive/loop-b.html";
    /// Always 404.
    pub const MISSING: &str = "/archive/missing.html";
    /// Always 500.
    pub const BROKEN: &str = "/archive/broken.html";
    /// 503 with Retry-After: 1 on the first request, then an article.
    pub const BUSY: &str = "/archive/busy.html";
    /// 429 on the first request, then an article.
    pub const THROTTLED: &str = "/archive/throttled.html";
    /// Answers after `State::slow` (longer than the test's read timeout).
    pub const SLOW: &str = "/archive/slow.html";
    /// The connection is reset (RST) without an answer.
    pub const RESET: &str = "/archive/reset.html";
    /// A 2 MiB HTML body.
    pub const HUGE: &str = "/archive/huge.html";
    /// A small gzip body that inflates to 8 MiB.
    pub const BOMB: &str = "/archive/bomb.html";
    /// A gzip-encoded article (must be captured).
    pub const GZIP: &str = "/archive/gzipped.html";
    /// Content-Type image/png with an .html name.
    pub const WRONG_TYPE: &str = "/archive/picture.html";
    /// Disallowed by robots.txt.
    pub const PRIVATE: &str = "/archive/private/secret.html";
    /// A link with an image extension: never requested.
    pub const IMAGE_LINK: &str = "/archive/photo.jpg";
    /// Redirect to file:///etc/passwd (refused).
    pub const TO_FILE: &str = "/archive/to-file.html";
    /// Redirect to another port on the same host (out of scope).
    pub const TO_PORT: &str = "/archive/to-port.html";
    /// An index page with 20,000 distinct links.
    pub const MANY_LINKS: &str = "/archive/many-links.html";
    /// Outside the seed's path prefix.
    pub const OUTSIDE: &str = "/outside/page.html";
}

/// The default robots.txt: disallows /archive/private/ for everyone.
pub const ROBOTS: &str = "User-agent: *\nDisallow: /archive/private/\n";

/// Server state, shared with the test.
pub struct ServerState {
    /// The site; tests may edit it between crawls.
    pub site: RwLock<Site>,
    /// Every request received, in order.
    pub log: Mutex<Vec<Req>>,
    /// robots.txt body, or None for a 404.
    pub robots: RwLock<Option<String>>,
    /// Status for robots.txt when not 200/404 (e.g. 503); 0 = normal.
    pub robots_status: Mutex<u16>,
    /// How long SLOW waits before answering.
    pub slow: Duration,
    /// Keep connections alive (false: `Connection: close` on every answer).
    pub keep_alive: bool,
    /// Log requests (the bench turns it off).
    pub logging: bool,
    hits: Mutex<HashMap<String, u32>>,
    bomb: Vec<u8>,
    port: Mutex<u16>,
}

/// A running test server.
pub struct TestServer {
    /// Its address (127.0.0.1:port).
    pub addr: SocketAddr,
    /// Shared state.
    pub state: Arc<ServerState>,
}

/// Options of a test server.
#[derive(Clone)]
pub struct Options {
    /// SLOW's delay.
    pub slow: Duration,
    /// Keep-alive.
    pub keep_alive: bool,
    /// Request logging.
    pub logging: bool,
    /// Worker threads of the server's runtime.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            slow: Duration::from_secs(3),
            keep_alive: false,
            logging: true,
            threads: 1,
        }
    }
}

/// The links to every fault path plus off-scope and never-fetch links, as absolute or
/// relative hrefs for the archive index.
pub fn fault_links(port: u16) -> Vec<String> {
    use fault::*;
    let mut v: Vec<String> = [
        MOVED,
        OFFSITE_REDIRECT,
        LOOP_A,
        MISSING,
        BROKEN,
        BUSY,
        THROTTLED,
        SLOW,
        RESET,
        HUGE,
        BOMB,
        GZIP,
        WRONG_TYPE,
        PRIVATE,
        IMAGE_LINK,
        OUTSIDE,
        TO_FILE,
        TO_PORT,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push(format!("http://localhost:{port}/archive/elsewhere.html"));
    v.push("mailto:someone@example.com".into());
    v.push("/archive/2001/./issue1.html#top".into());
    v.push(format!("HTTP://127.0.0.1:{port}/archive/2001/issue1.html"));
    v
}

impl TestServer {
    /// Start serving `site` on 127.0.0.1 with default options.
    pub fn start(site: Site) -> TestServer {
        TestServer::start_with(site, Options::default())
    }

    /// Start with options.
    pub fn start_with(site: Site, opts: Options) -> TestServer {
        let bomb = {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..128 {
                let _ = enc.write_all(&chunk);
            }
            enc.finish().unwrap_or_default()
        };
        let state = Arc::new(ServerState {
            site: RwLock::new(site),
            log: Mutex::new(Vec::new()),
            robots: RwLock::new(Some(ROBOTS.to_string())),
            robots_status: Mutex::new(0),
            slow: opts.slow,
            keep_alive: opts.keep_alive,
            logging: opts.logging,
            hits: Mutex::new(HashMap::new()),
            bomb,
            port: Mutex::new(0),
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let st = state.clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(opts.threads.max(1))
                .enable_all()
                .build()
                .expect("test server runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let addr = listener.local_addr().expect("addr");
                *st.port.lock().unwrap() = addr.port();
                let _ = tx.send(addr);
                serve(listener, st).await;
            });
        });
        let addr = rx.recv().expect("server started");
        TestServer { addr, state }
    }

    /// `http://127.0.0.1:port` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A copy of the request log.
    pub fn log(&self) -> Vec<Req> {
        self.state.log.lock().unwrap().clone()
    }

    /// Forget the log.
    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }

    /// How many times `path` was requested (any host).
    pub fn count(&self, path: &str) -> usize {
        self.state
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// Add the fault links to the archive index.
    pub fn with_fault_links(self) -> TestServer {
        {
            let mut site = self.state.site.write().unwrap();
            site.extra_index_links = fault_links(self.addr.port());
            let years = site
                .pages
                .keys()
                .filter(|k| k.len() == "/archive/2001/".len() && k.ends_with('/'))
                .count() as u32;
            site.rebuild_archive_index(years);
        }
        self
    }
}

struct RawListener {
    rx: mpsc::UnboundedReceiver<(TcpStream, SocketAddr)>,
    addr: SocketAddr,
}

impl axum::serve::Listener for RawListener {
    type Io = TcpStream;
    type Addr = SocketAddr;
    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        match self.rx.recv().await {
            Some(x) => x,
            None => std::future::pending().await,
        }
    }
    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

async fn serve(listener: TcpListener, st: Arc<ServerState>) {
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = mpsc::unbounded_channel();
    let st2 = st.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            let tx = tx.clone();
            let st = st2.clone();
            tokio::spawn(async move {
                if let Some(stream) = triage(stream, &st).await {
                    let _ = tx.send((stream, peer));
                }
            });
        }
    });
    let app = axum::Router::new().fallback(handle).with_state(st);
    let _ = axum::serve(RawListener { rx, addr }, app).await;
}

/// Peek at the first request line; reset the connection for RESET, else hand it on.
async fn triage(stream: TcpStream, st: &ServerState) -> Option<TcpStream> {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let n = match tokio::time::timeout(Duration::from_millis(200), stream.peek(&mut buf)).await
        {
            Ok(Ok(n)) => n,
            Ok(Err(_)) => return None,
            Err(_) => 0,
        };
        let text = String::from_utf8_lossy(&buf[..n]);
        if let Some(line) = text.split("\r\n").next().filter(|_| text.contains("\r\n")) {
            let path = line.split(' ').nth(1).unwrap_or("");
            let reset_once = st
                .site
                .read()
                .unwrap()
                .faults
                .get(path)
                .is_some_and(|f| *f == PageFault::ResetOnce);
            if path == fault::RESET || (reset_once && hit(st, &format!("reset {path}")) == 1) {
                log(
                    st,
                    Req {
                        path: path.to_string(),
                        host: String::new(),
                        at: Instant::now(),
                        if_none_match: None,
                        if_modified_since: None,
                        user_agent: None,
                        status: 0,
                    },
                );
                // Linger 0 makes the close an RST; it cannot block with a zero timeout.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                let mut s = stream;
                let _ = s.shutdown().await;
                drop(s);
                return None;
            }
            return Some(stream);
        }
        if n == buf.len() || Instant::now() > deadline {
            return Some(stream);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn log(st: &ServerState, r: Req) {
    if st.logging {
        st.log.lock().unwrap().push(r);
    }
}

fn hit(st: &ServerState, path: &str) -> u32 {
    let mut h = st.hits.lock().unwrap();
    let n = h.entry(path.to_string()).or_insert(0);
    *n += 1;
    *n
}

fn hdr(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn last_modified(version: u32) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap();
    (base + chrono::Duration::days(version as i64))
        .with_timezone(&chrono::Utc)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn simple_article(title: &str) -> String {
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1><p class=\"byline\">By Fault Tester</p><div class=\"article\"><p>This is the {title} page, with its own words about {title}.</p><p>Second paragraph of {title}.</p></div></body></html>")
}

async fn handle(State(st): State<Arc<ServerState>>, req: Request) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let h = req.headers().clone();
    let at = Instant::now();
    // Logged on arrival (a client that times out drops the handler before it answers).
    let idx = if st.logging {
        let mut log = st.log.lock().unwrap();
        log.push(Req {
            path: path.clone(),
            host: hdr(&h, "host").unwrap_or_default(),
            at,
            if_none_match: hdr(&h, "if-none-match"),
            if_modified_since: hdr(&h, "if-modified-since"),
            user_agent: hdr(&h, "user-agent"),
            status: 0,
        });
        Some(log.len() - 1)
    } else {
        None
    };
    let mut resp = route(&st, &path, &h).await;
    if !st.keep_alive {
        resp.headers_mut()
            .insert("connection", HeaderValue::from_static("close"));
    }
    if let Some(i) = idx {
        if let Some(r) = st.log.lock().unwrap().get_mut(i) {
            r.status = resp.status().as_u16();
        }
    }
    resp
}

fn respond(status: u16, headers: &[(&str, String)], body: impl Into<Body>) -> Response {
    let mut b = Response::builder().status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    for (k, v) in headers {
        b = b.header(*k, v.as_str());
    }
    b.body(body.into()).unwrap_or_default()
}

fn html(body: String) -> Response {
    respond(
        200,
        &[("content-type", "text/html; charset=utf-8".into())],
        body,
    )
}

async fn route(st: &ServerState, path: &str, h: &HeaderMap) -> Response {
    use fault::*;
    let port = *st.port.lock().unwrap();
    match path {
        "/robots.txt" => {
            let code = *st.robots_status.lock().unwrap();
            if code != 0 {
                return respond(code, &[], "");
            }
            return match st.robots.read().unwrap().clone() {
                Some(body) => respond(200, &[("content-type", "text/plain".into())], body),
                None => respond(404, &[], "no robots"),
            };
        }
        MOVED => return respond(301, &[("location", MOVED_TARGET.into())], ""),
        MOVED_TARGET => return html(simple_article("Moved Target")),
        OFFSITE_REDIRECT => {
            return respond(
                302,
                &[(
                    "location",
                    format!("http://localhost:{port}/archive/elsewhere.html"),
                )],
                "",
            )
        }
        MANY_LINKS => {
            let mut body = String::from("<html><body><h1>Many</h1>");
            for i in 0..20_000 {
                body.push_str(&format!("<a href=\"l/{i}.html\">{i}</a> "));
            }
            body.push_str("</body></html>");
            return html(body);
        }
        TO_FILE => return respond(302, &[("location", "file:///etc/passwd".into())], ""),
        TO_PORT => {
            return respond(
                302,
                &[(
                    "location",
                    format!("http://127.0.0.1:{}/archive/x.html", port.wrapping_add(1)),
                )],
                "",
            )
        }
        LOOP_A => return respond(302, &[("location", LOOP_B.into())], ""),
        LOOP_B => return respond(302, &[("location", "loop-a.html".into())], ""),
        MISSING => return respond(404, &[], "not found"),
        BROKEN => return respond(500, &[], "oops"),
        BUSY => {
            if hit(st, path) == 1 {
                return respond(503, &[("retry-after", "1".into())], "busy");
            }
            return html(simple_article("Busy"));
        }
        THROTTLED => {
            if hit(st, path) == 1 {
                return respond(429, &[], "slow down");
            }
            return html(simple_article("Throttled"));
        }
        SLOW => {
            tokio::time::sleep(st.slow).await;
            return html(simple_article("Slow"));
        }
        HUGE => {
            let mut s = simple_article("Huge");
            s.push_str(&" ".repeat(2 * 1024 * 1024));
            return html(s);
        }
        BOMB => {
            return respond(
                200,
                &[
                    ("content-type", "text/html".into()),
                    ("content-encoding", "gzip".into()),
                ],
                st.bomb.clone(),
            )
        }
        GZIP => {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = enc.write_all(simple_article("Gzipped").as_bytes());
            let body = enc.finish().unwrap_or_default();
            return respond(
                200,
                &[
                    ("content-type", "text/html".into()),
                    ("content-encoding", "gzip".into()),
                ],
                body,
            );
        }
        WRONG_TYPE => {
            return respond(
                200,
                &[("content-type", "image/png".into())],
                vec![0x89u8, b'P', b'N', b'G'],
            )
        }
        PRIVATE => return html(simple_article("Secret")),
        _ => {}
    }
    let fault = st.site.read().unwrap().faults.get(path).copied();
    match fault {
        Some(PageFault::BusyOnce) if hit(st, &format!("busy {path}")) == 1 => {
            return respond(503, &[("retry-after", "1".into())], "busy");
        }
        Some(PageFault::Delay(d)) => tokio::time::sleep(d).await,
        _ => {}
    }
    let redirect = st.site.read().unwrap().redirects.get(path).cloned();
    if let Some((status, location)) = redirect {
        return respond(status, &[("location", location)], "");
    }
    let page = st.site.read().unwrap().pages.get(path).cloned();
    match page {
        Some(p) => {
            let etag = format!("\"v{}-{}\"", p.version, p.html.len());
            let lm = last_modified(p.version);
            let inm = hdr(h, "if-none-match");
            let ims = hdr(h, "if-modified-since");
            if inm.as_deref() == Some(etag.as_str())
                || (inm.is_none() && ims.as_deref() == Some(lm.as_str()))
            {
                return respond(304, &[("etag", etag), ("last-modified", lm)], "");
            }
            respond(
                200,
                &[
                    ("content-type", "text/html; charset=utf-8".into()),
                    ("etag", etag),
                    ("last-modified", lm),
                ],
                p.html,
            )
        }
        None => respond(404, &[], "not found"),
    }
}
