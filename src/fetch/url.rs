//! URL canonicalization and crawl scope: pure functions, no I/O.
//!
//! Owns: the one spelling of a URL under which the frontier knows it (so one page is
//! fetched once), the scope test (seed host + path prefix, `--scope`, include/exclude
//! patterns), and the cheap "is this obviously not a page" test by file extension.
//! Must not: fetch anything, read the store, or know about robots.txt.

use regex::Regex;
use url::Url;

/// File extensions that are never HTML pages; such links are not fetched.
pub const NON_HTML_EXTENSIONS: &[&str] = &[
    "pdf", "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp", "tif", "tiff", "zip", "gz",
    "tgz", "bz2", "xz", "7z", "rar", "tar", "mp3", "mp4", "m4a", "ogg", "wav", "avi", "mov", "wmv",
    "flv", "mkv", "webm", "css", "js", "json", "xml", "rss", "atom", "txt", "doc", "docx", "xls",
    "xlsx", "ppt", "pptx", "exe", "dmg", "iso", "bin", "woff", "woff2", "ttf", "eot", "swf",
];

/// Why a URL string could not become a crawlable URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Not a URL at all.
    #[error("not a valid URL {url:?}: {detail}")]
    Invalid {
        /// The text given.
        url: String,
        /// The parser's complaint.
        detail: String,
    },
    /// A scheme we never fetch (mailto:, javascript:, file:, data:, ftp:, ...).
    #[error("unsupported scheme {scheme:?} in {url:?}")]
    Scheme {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// An http(s) URL without a host.
    #[error("URL has no host: {0:?}")]
    NoHost(String),
}

/// Parse `text` (absolute) and canonicalize it. Only http and https are accepted.
pub fn parse_canonical(text: &str) -> Result<Url, UrlError> {
    let url = Url::parse(text.trim()).map_err(|e| UrlError::Invalid {
        url: text.to_string(),
        detail: e.to_string(),
    })?;
    canonicalize(url)
}

/// Resolve `href` against `base` and canonicalize it.
pub fn resolve_canonical(base: &Url, href: &str) -> Result<Url, UrlError> {
    let url = base.join(href.trim()).map_err(|e| UrlError::Invalid {
        url: href.to_string(),
        detail: e.to_string(),
    })?;
    canonicalize(url)
}

/// The canonical form of an http(s) URL: scheme and host lower case (the `url` crate
/// does that, and IDNA), default port dropped, dot segments resolved, empty path → "/",
/// fragment dropped, empty query dropped, percent-escapes upper case, and escapes of
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`) decoded.
pub fn canonicalize(mut url: Url) -> Result<Url, UrlError> {
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(UrlError::Scheme {
                url: url.to_string(),
                scheme: other.to_string(),
            })
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UrlError::NoHost(url.to_string()));
    }
    url.set_fragment(None);
    let path = normalize_escapes(url.path());
    if path != url.path() {
        url.set_path(&path);
    }
    match url.query() {
        Some("") => url.set_query(None),
        Some(q) => {
            let nq = normalize_escapes(q);
            if nq != q {
                url.set_query(Some(&nq));
            }
        }
        None => {}
    }
    // A second pass lets dot segments that were hidden behind escapes (%2E) resolve.
    if path.contains("/.") {
        let again = Url::parse(url.as_str()).map_err(|e| UrlError::Invalid {
            url: url.to_string(),
            detail: e.to_string(),
        })?;
        url = again;
    }
    Ok(url)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Upper-case percent escapes and decode the ones of unreserved characters.
fn normalize_escapes(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                let v = h * 16 + l;
                if v.is_ascii_alphanumeric() || matches!(v, b'-' | b'.' | b'_' | b'~') {
                    out.push(v as char);
                } else {
                    out.push('%');
                    out.push(bytes[i + 1].to_ascii_uppercase() as char);
                    out.push(bytes[i + 2].to_ascii_uppercase() as char);
                }
                i += 3;
                continue;
            }
        }
        // `s` is valid UTF-8 and we only split at ASCII bytes, so push char by char.
        let ch_len = utf8_len(bytes[i]);
        out.push_str(&s[i..(i + ch_len).min(s.len())]);
        i += ch_len;
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// True when the URL's last path segment ends in an extension that is never a page.
pub fn has_non_html_extension(url: &Url) -> bool {
    let last = url.path().rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            let ext = ext.to_ascii_lowercase();
            NON_HTML_EXTENSIONS.contains(&ext.as_str())
        }
        _ => false,
    }
}

/// One URL prefix of the scope: same scheme, host and port, path starting with `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    scheme: String,
    host: String,
    port: Option<u16>,
    path: String,
}

impl Prefix {
    /// The default prefix of a seed: its origin and its path up to and including the
    /// last '/'.
    pub fn of_seed(seed: &Url) -> Prefix {
        let path = seed.path();
        let cut = path.rfind('/').map_or(0, |i| i + 1);
        Prefix {
            scheme: seed.scheme().to_string(),
            host: seed.host_str().unwrap_or("").to_string(),
            port: seed.port_or_known_default(),
            path: path[..cut].to_string(),
        }
    }

    /// A `--scope` prefix: the URL as given (canonicalized); its whole path is the prefix.
    pub fn parse(text: &str) -> Result<Prefix, UrlError> {
        let u = parse_canonical(text)?;
        Ok(Prefix {
            scheme: u.scheme().to_string(),
            host: u.host_str().unwrap_or("").to_string(),
            port: u.port_or_known_default(),
            path: u.path().to_string(),
        })
    }

    /// Whether `url` falls under this prefix.
    pub fn contains(&self, url: &Url) -> bool {
        url.scheme() == self.scheme
            && url.host_str() == Some(self.host.as_str())
            && url.port_or_known_default() == self.port
            && url.path().starts_with(&self.path)
    }
}

impl std::fmt::Display for Prefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.path)
    }
}

/// The crawl scope: a URL is in scope when it is under one of the prefixes, matches an
/// include pattern (if any are given) and matches no exclude pattern.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Allowed URL prefixes.
    pub prefixes: Vec<Prefix>,
    /// If not empty, a URL must match at least one of these.
    pub include: Vec<Regex>,
    /// A URL matching any of these is out of scope.
    pub exclude: Vec<Regex>,
}

impl Scope {
    /// Whether `url` (canonical) is in scope.
    pub fn contains(&self, url: &Url) -> bool {
        let s = url.as_str();
        self.prefixes.iter().any(|p| p.contains(url))
            && (self.include.is_empty() || self.include.iter().any(|r| r.is_match(s)))
            && !self.exclude.iter().any(|r| r.is_match(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        parse_canonical(s)
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn canonical_spellings_agree() {
        let want = "http://www.example.com/archive/a.html";
        for s in [
            "http://www.example.com/archive/a.html",
            "HTTP://WWW.Example.COM/archive/a.html",
            "http://www.example.com:80/archive/a.html",
            "http://www.example.com/archive/./x/../a.html",
            "http://www.example.com/archive/a.html#top",
            "http://www.example.com/archive/%61.html",
            "http://www.example.com/archive/a.html?",
        ] {
            assert_eq!(c(s), want, "{s}");
        }
        assert_eq!(c("http://Example.com"), "http://example.com/");
        assert_eq!(c("https://example.com:443/x"), "https://example.com/x");
        assert_eq!(c("http://example.com:8080/x"), "http://example.com:8080/x");
        assert_eq!(
            c("http://example.com/a%2fb?q=%3d"),
            "http://example.com/a%2Fb?q=%3D"
        );
        assert_eq!(
            c("http://example.com/%7Euser/"),
            "http://example.com/~user/"
        );
    }

    #[test]
    fn relative_links_resolve() {
        let base = parse_canonical("http://h.com/archive/2001/index.html").unwrap();
        let r = |h: &str| resolve_canonical(&base, h).map(|u| u.to_string());
        assert_eq!(r("a.html").unwrap(), "http://h.com/archive/2001/a.html");
        assert_eq!(r("../b.html#x").unwrap(), "http://h.com/archive/b.html");
        assert_eq!(r("/c.html").unwrap(), "http://h.com/c.html");
        assert_eq!(r("//other.com/d").unwrap(), "http://other.com/d");
        assert!(matches!(r("mailto:a@b.c"), Err(UrlError::Scheme { .. })));
        assert!(matches!(
            r("javascript:void(0)"),
            Err(UrlError::Scheme { .. })
        ));
        assert!(matches!(
            parse_canonical("file:///etc/passwd"),
            Err(UrlError::Scheme { .. })
        ));
        assert!(matches!(
            parse_canonical("data:text/html,hi"),
            Err(UrlError::Scheme { .. })
        ));
    }

    #[test]
    fn odd_escapes_do_not_panic() {
        for s in [
            "http://h/%",
            "http://h/%4",
            "http://h/%zz",
            "http://h/é%41",
            "http://h/?%",
        ] {
            assert!(parse_canonical(s).is_ok(), "{s}");
        }
        assert_eq!(c("http://h/%4"), "http://h/%4");
    }

    #[test]
    fn extension_filter() {
        let y = |s: &str| has_non_html_extension(&parse_canonical(s).unwrap());
        assert!(y("http://h/a/b.PDF"));
        assert!(y("http://h/img/x.jpg?size=2"));
        assert!(!y("http://h/a/b.html"));
        assert!(!y("http://h/a/"));
        assert!(!y("http://h/a/.hidden"));
        assert!(!y("http://h/a/page.php"));
    }

    #[test]
    fn default_scope_is_host_and_path_prefix() {
        let seed = parse_canonical("http://www.esr.com/archive/index.html").unwrap();
        let scope = Scope {
            prefixes: vec![Prefix::of_seed(&seed)],
            ..Scope::default()
        };
        let inn = |s: &str| scope.contains(&parse_canonical(s).unwrap());
        assert!(inn("http://www.esr.com/archive/"));
        assert!(inn("http://WWW.esr.com/archive/2001/a.html"));
        assert!(!inn("http://www.esr.com/other/a.html"));
        assert!(!inn("http://www.esr.com/archive"));
        assert!(!inn("http://evil.com/archive/a.html"));
        assert!(!inn("http://www.esr.com:8080/archive/a.html"));
        assert!(!inn("https://www.esr.com/archive/a.html"));
    }

    #[test]
    fn include_exclude_and_extra_prefixes() {
        let seed = parse_canonical("http://h.com/archive/").unwrap();
        let scope = Scope {
            prefixes: vec![
                Prefix::of_seed(&seed),
                Prefix::parse("http://h.com/columns/").unwrap(),
            ],
            include: vec![],
            exclude: vec![Regex::new(r"/print/").unwrap()],
        };
        let inn = |s: &str| scope.contains(&parse_canonical(s).unwrap());
        assert!(inn("http://h.com/columns/x.html"));
        assert!(!inn("http://h.com/archive/print/x.html"));
        let scope2 = Scope {
            include: vec![Regex::new(r"\.html$").unwrap()],
            ..scope
        };
        assert!(scope2.contains(&parse_canonical("http://h.com/archive/a.html").unwrap()));
        assert!(!scope2.contains(&parse_canonical("http://h.com/archive/a.php").unwrap()));
    }
}
