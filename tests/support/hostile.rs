//! A hostile HTTP server on 127.0.0.1: raw sockets, one thread per connection, so it
//! can send what no well-behaved framework would (lying Content-Length, bytes that are
//! not HTTP, bodies that never end or trickle). Every path lives under `/h/`; the
//! index `/h/` links to all of them. It counts requests and bytes written per path.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Paths of the hostile server.
pub mod path {
    /// Links to every path below.
    pub const INDEX: &str = "/h/";
    /// A well-behaved article (the run must go on and capture it).
    pub const OK: &str = "/h/ok.html";
    /// Content-Encoding: gzip, generated on the fly: 10 GiB of spaces once inflated.
    pub const BOMB: &str = "/h/bomb.html";
    /// A chunked body that never ends.
    pub const ENDLESS: &str = "/h/endless.html";
    /// Header lines that never end.
    pub const ENDLESS_HEADERS: &str = "/h/endless-headers.html";
    /// A body trickling at 1 byte/s (Content-Length 10,000).
    pub const TRICKLE: &str = "/h/trickle.html";
    /// Start of a redirect chain of 10,000 hops (`/h/r/0` → `/h/r/1` → ...).
    pub const CHAIN: &str = "/h/r/0";
    /// A 14 MB page with a million distinct links.
    pub const MILLION_LINKS: &str = "/h/million.html";
    /// Content-Length smaller than the body.
    pub const SHORT_LENGTH: &str = "/h/short-length.html";
    /// Content-Length larger than the body, then the connection closes.
    pub const LONG_LENGTH: &str = "/h/long-length.html";
    /// Content-Length larger than the body, then the connection stalls.
    pub const LONG_LENGTH_STALL: &str = "/h/long-length-stall.html";
    /// A header name with a NUL and a space in it: not HTTP.
    pub const BAD_HEADER: &str = "/h/bad-header.html";
    /// A Content-Type value with bytes that are not UTF-8 (obs-text): still HTTP.
    pub const BAD_HEADER_VALUE: &str = "/h/bad-header-value.html";
    /// A status line that is garbage.
    pub const BAD_STATUS: &str = "/h/bad-status.html";
    /// Redirect to file:///etc/passwd.
    pub const TO_FILE: &str = "/h/to-file.html";
    /// Redirect to a data: URL.
    pub const TO_DATA: &str = "/h/to-data.html";
    /// Redirect to javascript:.
    pub const TO_JAVASCRIPT: &str = "/h/to-javascript.html";
    /// Redirect to another port on 127.0.0.1 (the canary server, if given).
    pub const TO_PORT: &str = "/h/to-port.html";
    /// Redirect to the same port under "localhost" (another host: out of scope).
    pub const TO_LOCALHOST: &str = "/h/to-localhost.html";
    /// Redirect to a Location with bytes that are not UTF-8.
    pub const TO_BINARY: &str = "/h/to-binary.html";
}

/// The hostile paths a crawl of [`path::INDEX`] meets (all linked from the index).
pub const ALL: &[&str] = &[
    path::OK,
    path::BOMB,
    path::ENDLESS,
    path::ENDLESS_HEADERS,
    path::TRICKLE,
    path::CHAIN,
    path::MILLION_LINKS,
    path::SHORT_LENGTH,
    path::LONG_LENGTH,
    path::LONG_LENGTH_STALL,
    path::BAD_HEADER,
    path::BAD_HEADER_VALUE,
    path::BAD_STATUS,
    path::TO_FILE,
    path::TO_DATA,
    path::TO_JAVASCRIPT,
    path::TO_PORT,
    path::TO_LOCALHOST,
    path::TO_BINARY,
];

/// Options of a hostile server.
#[derive(Clone, Default)]
pub struct HostileOptions {
    /// Port that TO_PORT redirects to (0: this port + 1).
    pub canary_port: u16,
    /// Serve a 10 MB robots.txt (allow all in its first 512 KiB, then `Disallow: /h/`);
    /// otherwise robots.txt is a 404.
    pub big_robots: bool,
    /// Make robots.txt itself a 10,000-hop redirect chain.
    pub robots_chain: bool,
    /// Paths left out of the index (e.g. TRICKLE for a crawl with default timeouts).
    pub unlinked: Vec<&'static str>,
    /// Also link this many copies of the million-link page (`/h/millions/<n>.html`).
    pub millions: u32,
}

/// Per-path counters.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Requests received.
    pub requests: u64,
    /// Bytes written (or handed to the kernel) in answers.
    pub bytes: u64,
}

/// A running hostile server.
pub struct HostileServer {
    /// 127.0.0.1:port.
    pub addr: SocketAddr,
    counts: Arc<Mutex<HashMap<String, Counts>>>,
}

impl HostileServer {
    /// Start with `opts`.
    pub fn start(opts: HostileOptions) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let counts: Arc<Mutex<HashMap<String, Counts>>> = Arc::default();
        let c = counts.clone();
        let opts = Arc::new(opts);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (c, opts) = (c.clone(), opts.clone());
                std::thread::spawn(move || connection(stream, addr, &opts, &c));
            }
        });
        HostileServer { addr, counts }
    }

    /// `http://127.0.0.1:port` + path.
    pub fn url(&self, p: &str) -> String {
        format!("http://{}{}", self.addr, p)
    }

    /// Counters of one path.
    pub fn counts(&self, p: &str) -> Counts {
        self.counts
            .lock()
            .unwrap()
            .get(p)
            .cloned()
            .unwrap_or_default()
    }

    /// Requests to paths starting with `prefix`.
    pub fn requests_under(&self, prefix: &str) -> u64 {
        self.counts
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v.requests)
            .sum()
    }

    /// Total requests.
    pub fn total_requests(&self) -> u64 {
        self.requests_under("")
    }
}

struct Conn<'a> {
    s: TcpStream,
    path: String,
    counts: &'a Mutex<HashMap<String, Counts>>,
}

impl Conn<'_> {
    fn send(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.s.write_all(b)?;
        if let Some(c) = self.counts.lock().unwrap().get_mut(&self.path) {
            c.bytes += b.len() as u64;
        }
        Ok(())
    }
}

fn head(status: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

fn full(status: &str, ct: &str, body: &[u8]) -> Vec<u8> {
    let len = body.len().to_string();
    let mut v = head(status, &[("Content-Type", ct), ("Content-Length", &len)]);
    v.extend_from_slice(body);
    v
}

fn redirect(to: &str) -> Vec<u8> {
    head("302 Found", &[("Location", to), ("Content-Length", "0")])
}

/// A small article page.
pub fn article(title: &str) -> String {
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1><p class=\"byline\">By Hostile Tester</p><div class=\"article\"><p>This is the {title} page, with its own words about {title}.</p><p>Second paragraph of {title}.</p></div></body></html>")
}

fn connection(
    s: TcpStream,
    addr: SocketAddr,
    opts: &HostileOptions,
    counts: &Mutex<HashMap<String, Counts>>,
) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let mut s = s;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let text = String::from_utf8_lossy(&buf);
    let path = text
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    counts
        .lock()
        .unwrap()
        .entry(path.clone())
        .or_default()
        .requests += 1;
    let mut c = Conn {
        s,
        path: path.clone(),
        counts,
    };
    let _ = answer(&mut c, &path, addr, opts);
}

fn answer(
    c: &mut Conn<'_>,
    p: &str,
    addr: SocketAddr,
    opts: &HostileOptions,
) -> std::io::Result<()> {
    use path::*;
    let port = addr.port();
    if p == "/robots.txt" || p.starts_with("/robots/") {
        if opts.robots_chain {
            let n: u32 = p
                .strip_prefix("/robots/")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            return c.send(&redirect(&format!("/robots/{}", n + 1)));
        }
        if !opts.big_robots {
            return c.send(&full("404 Not Found", "text/plain", b"none"));
        }
        let total: usize = 10 * 1024 * 1024;
        let len = total.to_string();
        c.send(&head(
            "200 OK",
            &[("Content-Type", "text/plain"), ("Content-Length", &len)],
        ))?;
        let mut sent = 0usize;
        let filler = "# nothing to see here, just a very long robots.txt\n".repeat(1000);
        c.send(b"User-agent: *\nAllow: /\n")?;
        sent += 23;
        while sent + filler.len() < total - 32 {
            c.send(filler.as_bytes())?;
            sent += filler.len();
        }
        let tail = "User-agent: *\nDisallow: /h/\n";
        let pad = " ".repeat(total - sent - tail.len());
        c.send(pad.as_bytes())?;
        return c.send(tail.as_bytes());
    }
    match p {
        INDEX => {
            let mut body = String::from("<html><body><h1>Hostile index</h1>");
            for l in ALL.iter().filter(|l| !opts.unlinked.contains(l)) {
                body.push_str(&format!("<a href=\"{l}\">{l}</a> "));
            }
            for n in 0..opts.millions {
                body.push_str(&format!("<a href=\"/h/millions/{n}.html\">{n}</a> "));
            }
            body.push_str("</body></html>");
            c.send(&full("200 OK", "text/html", body.as_bytes()))
        }
        OK => c.send(&full("200 OK", "text/html", article("Fine").as_bytes())),
        BOMB => {
            c.send(&head(
                "200 OK",
                &[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
            ))?;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let mib = vec![b' '; 1 << 20];
            for _ in 0..10 * 1024 {
                enc.write_all(&mib)?;
                enc.flush()?;
                let out: Vec<u8> = enc.get_mut().drain(..).collect();
                c.send(&out)?;
            }
            let out = enc.finish()?;
            c.send(&out)
        }
        ENDLESS => {
            c.send(&head(
                "200 OK",
                &[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
            ))?;
            let para = "<p>and on and on and on</p>\n".repeat(2000);
            let chunk = format!("{:x}\r\n{para}\r\n", para.len());
            loop {
                c.send(chunk.as_bytes())?;
            }
        }
        ENDLESS_HEADERS => {
            c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")?;
            let mut i = 0u64;
            loop {
                c.send(format!("X-Filler-{i}: {}\r\n", "y".repeat(100)).as_bytes())?;
                i += 1;
            }
        }
        TRICKLE => {
            c.send(&head(
                "200 OK",
                &[("Content-Type", "text/html"), ("Content-Length", "10000")],
            ))?;
            for b in article("Trickle").bytes().cycle().take(10_000) {
                c.send(&[b])?;
                std::thread::sleep(Duration::from_secs(1));
            }
            Ok(())
        }
        _ if p == MILLION_LINKS || p.starts_with("/h/millions/") => {
            let mut body = String::with_capacity(15 << 20);
            body.push_str("<html><body><h1>A million links</h1>");
            for i in 0..1_000_000u32 {
                body.push_str("<a href=");
                body.push_str(&i.to_string());
                body.push_str(">.</a>");
            }
            body.push_str("</body></html>");
            c.send(&full("200 OK", "text/html", body.as_bytes()))
        }
        SHORT_LENGTH => {
            let body = article("Short Length");
            let mut v = head(
                "200 OK",
                &[("Content-Type", "text/html"), ("Content-Length", "40")],
            );
            v.extend_from_slice(body.as_bytes());
            c.send(&v)
        }
        LONG_LENGTH | LONG_LENGTH_STALL => {
            let body = article("Long Length");
            let mut v = head(
                "200 OK",
                &[("Content-Type", "text/html"), ("Content-Length", "100000")],
            );
            v.extend_from_slice(body.as_bytes());
            c.send(&v)?;
            if p == LONG_LENGTH_STALL {
                std::thread::sleep(Duration::from_secs(60));
            }
            Ok(())
        }
        BAD_HEADER => {
            c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-B\x00ad Name: 1\r\nContent-Length: 5\r\n\r\nhello")
        }
        BAD_HEADER_VALUE => {
            let body = article("Bad Header Value");
            let len = body.len().to_string();
            let mut v = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html; charset=\xff\xfe\r\nX-Junk: \x80\x81\x82\r\nContent-Length: ".to_vec();
            v.extend_from_slice(len.as_bytes());
            v.extend_from_slice(b"\r\n\r\n");
            v.extend_from_slice(body.as_bytes());
            c.send(&v)
        }
        BAD_STATUS => c.send(b"HTTP/1.1 9999999 WHAT\r\n\x01\x02\x03\r\n\r\n"),
        TO_FILE => c.send(&redirect("file:///etc/passwd")),
        TO_DATA => c.send(&redirect("data:text/html,<h1>hi</h1>")),
        TO_JAVASCRIPT => c.send(&redirect("javascript:alert(1)")),
        TO_PORT => {
            let to = if opts.canary_port == 0 {
                port.wrapping_add(1)
            } else {
                opts.canary_port
            };
            c.send(&redirect(&format!("http://127.0.0.1:{to}/h/ok.html")))
        }
        TO_LOCALHOST => c.send(&redirect(&format!("http://localhost:{port}/h/ok.html"))),
        TO_BINARY => {
            c.send(b"HTTP/1.1 302 Found\r\nConnection: close\r\nLocation: /h/\xff\xfe.html\r\nContent-Length: 0\r\n\r\n")
        }
        _ => {
            if let Some(n) = p.strip_prefix("/h/r/").and_then(|n| n.parse::<u32>().ok()) {
                if n < 10_000 {
                    return c.send(&redirect(&format!("/h/r/{}", n + 1)));
                }
                return c.send(&full("200 OK", "text/html", article("Chain End").as_bytes()));
            }
            c.send(&full("404 Not Found", "text/plain", b"not found"))
        }
    }
}
