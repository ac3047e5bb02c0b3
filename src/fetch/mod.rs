//! HTTP fetching: the only module that touches the network.
//!
//! Owns: the HTTP client (reqwest on tokio, its own redirect policy switched off),
//! robots.txt ([`robots`]), per-host politeness ([`politeness`]), retries with backoff
//! ([`retry`]), body size limits enforced while streaming (after content-decoding, so a
//! gzip bomb stops at the cap), redirects followed hop by hop (each hop scope- and
//! robots-checked and recorded), URL canonicalization/scope ([`url`]), and resources
//! that are not pages, such as a web archive's capture listing ([`Fetcher::fetch_data`]),
//! under the same robots.txt, politeness and retries.
//! Must not: parse HTML, write the store, or read the environment (proxies included:
//! the client ignores `HTTP_PROXY` and friends).

pub mod politeness;
pub mod retry;
pub mod robots;
pub mod url;

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ::url::Url;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::model::Redirect;
use politeness::{host_key, HostScheduler};
use retry::{parse_retry_after, retryable_status, RetryPolicy};
use robots::{RobotsCache, RobotsFetch, RobotsRules};
use url::Scope;

/// The default User-Agent header.
pub fn default_user_agent() -> String {
    format!(
        "quire/{} (+https://github.com/quire-archiver/quire)",
        crate::TOOL_VERSION
    )
}

/// Frozen configuration of the fetch stage.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// User-Agent header; its product token ("quire") is what robots.txt groups match.
    pub user_agent: String,
    /// Time allowed to establish a TCP (+TLS) connection.
    pub connect_timeout: Duration,
    /// Time allowed between two reads of a response (headers or body).
    pub read_timeout: Duration,
    /// Time allowed for one whole request, body included.
    pub request_timeout: Duration,
    /// Largest accepted body in bytes, after content-decoding.
    pub max_body: u64,
    /// Most redirects followed for one page.
    pub max_redirects: usize,
    /// Retries of connection errors, timeouts, 429 and 5xx.
    pub retry: RetryPolicy,
    /// Minimum time between the starts of two requests to the same host.
    pub host_delay: Duration,
    /// Most requests in flight to one host.
    pub host_concurrency: usize,
    /// Longest robots.txt `Crawl-delay` honoured: a host asking for more gets this
    /// much. A `Crawl-delay` only ever raises [`FetchConfig::host_delay`]; zero ignores
    /// it.
    pub max_crawl_delay: Duration,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: default_user_agent(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(120),
            max_body: 20 * 1024 * 1024,
            max_redirects: 5,
            retry: RetryPolicy::default(),
            host_delay: Duration::from_secs(1),
            host_concurrency: 2,
            max_crawl_delay: Duration::from_secs(60),
        }
    }
}

/// Validators from the previous capture, for a conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Conditional {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// A successful fetch: a 2xx page with its body, or a 304.
#[derive(Debug, Clone)]
pub struct Page {
    /// Final URL after redirects.
    pub final_url: Url,
    /// Status of the final response (2xx or 304).
    pub status: u16,
    /// Redirect hops, in order.
    pub redirects: Vec<Redirect>,
    /// `ETag` of the final response.
    pub etag: Option<String>,
    /// `Last-Modified` of the final response.
    pub last_modified: Option<String>,
    /// `Content-Type` of the final response.
    pub content_type: Option<String>,
    /// `Memento-Datetime` of the final response (RFC 7089): a web archive's statement
    /// of when the bytes it replays were captured.
    pub memento_datetime: Option<String>,
    /// RFC 3339 UTC time the final response arrived.
    pub fetched_at: String,
    /// The body after content-decoding; `None` for a 304.
    pub body: Option<Vec<u8>>,
    /// HTTP requests made for this page (hops and retries).
    pub requests: u32,
}

impl Page {
    /// True for a 304 Not Modified.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }
}

/// What [`Fetcher::fetch_with`] does at a redirect hop whose target passed every check
/// (scope, scheme, port, extension, loop, count).
#[derive(Debug, Clone)]
pub enum Hop {
    /// Request the target, with these validators (those of the target's own previous
    /// capture, if any).
    Follow(Conditional),
    /// Do not request the target (e.g. it is fetched, or being fetched, by someone
    /// else): the fetch ends with [`Fetched::Stopped`].
    Stop,
}

/// The end of a [`Fetcher::fetch_with`].
#[derive(Debug, Clone)]
pub enum Fetched {
    /// A 2xx or 304 at its final URL.
    Page(Page),
    /// A redirect led to `target` and the hop callback said [`Hop::Stop`]; `target`
    /// was not requested.
    Stopped {
        /// Where the last redirect pointed.
        target: Url,
        /// The hops followed, the last one pointing at `target`.
        redirects: Vec<Redirect>,
    },
}

/// Why a page was not fetched.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// robots.txt disallows it (never requested).
    #[error("disallowed by robots.txt: {0}")]
    Disallowed(String),
    /// robots.txt answered 5xx or was unreachable (after retries): RFC 9309 says crawl
    /// nothing on that origin. A failure, not a skip, so that the run reports it.
    #[error("robots.txt unavailable (5xx or unreachable); not fetching {0}")]
    RobotsUnavailable(String),
    /// A redirect pointed out of scope (not followed).
    #[error("redirect out of scope to {0}")]
    OutOfScope(String),
    /// A redirect pointed at a non-page target by extension (not followed).
    #[error("redirect to a non-HTML target {0}")]
    NonHtmlTarget(String),
    /// A redirect without a usable Location, or to file:, data:, mailto:, ...
    #[error("bad redirect from {url}: {detail}")]
    BadRedirect {
        /// The URL that redirected.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// A redirect chain came back to a URL already in it.
    #[error("redirect loop at {0}")]
    RedirectLoop(String),
    /// More redirects than allowed.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// Connect or read timeout (after retries).
    #[error("timeout: {0}")]
    Timeout(String),
    /// Connection could not be made (after retries).
    #[error("connection failed: {0}")]
    Connect(String),
    /// Other transport error, e.g. a reset in the middle of a response (after retries).
    #[error("network error: {0}")]
    Network(String),
    /// A final status that is neither 2xx, 3xx nor 304.
    #[error("HTTP status {0}")]
    Http(u16),
    /// The body is larger than the limit (by Content-Length or while streaming).
    #[error("body larger than {0} bytes")]
    TooLarge(u64),
    /// The Content-Type is not HTML.
    #[error("not HTML: {0}")]
    NotHtml(String),
}

impl FetchError {
    /// A short stable key for counting reasons in summaries ("http_404", "timeout", ...).
    pub fn kind(&self) -> String {
        match self {
            FetchError::Disallowed(_) => "robots".into(),
            FetchError::RobotsUnavailable(_) => "robots_unavailable".into(),
            FetchError::OutOfScope(_) => "redirect_out_of_scope".into(),
            FetchError::NonHtmlTarget(_) => "redirect_non_html".into(),
            FetchError::BadRedirect { .. } => "bad_redirect".into(),
            FetchError::RedirectLoop(_) => "redirect_loop".into(),
            FetchError::TooManyRedirects(_) => "too_many_redirects".into(),
            FetchError::Timeout(_) => "timeout".into(),
            FetchError::Connect(_) => "connect".into(),
            FetchError::Network(_) => "network".into(),
            FetchError::Http(s) => format!("http_{s}"),
            FetchError::TooLarge(_) => "too_large".into(),
            FetchError::NotHtml(_) => "not_html".into(),
        }
    }

    /// True for pages we chose not to fetch (robots, scope): skipped, not failed.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            FetchError::Disallowed(_) | FetchError::OutOfScope(_) | FetchError::NonHtmlTarget(_)
        )
    }

    /// The HTTP status, for status failures.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            FetchError::Http(s) => Some(*s),
            _ => None,
        }
    }

    fn retryable(&self) -> bool {
        match self {
            FetchError::Timeout(_) | FetchError::Connect(_) | FetchError::Network(_) => true,
            FetchError::Http(s) => retryable_status(*s),
            _ => false,
        }
    }
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// reqwest refused the configuration (e.g. a User-Agent that is not a header value).
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

/// How [`Fetcher::attempt`] reads a 2xx body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyMode {
    /// A page: HTML only (by `Content-Type`), over `max_body` is an error.
    Page,
    /// robots.txt: any type, cut at `max_body`.
    Robots,
    /// Data such as an archive's capture index: any type, over `max_body` is an error.
    Data,
}

/// One response of one attempt.
struct Response {
    status: u16,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

/// The fetcher shared by all tasks of a run.
pub struct Fetcher {
    client: reqwest::Client,
    cfg: FetchConfig,
    hosts: HostScheduler,
    robots: RobotsCache,
    agent_token: String,
    requests: AtomicU64,
    body_bytes: AtomicU64,
}

impl Fetcher {
    /// Build the client. The redirect policy is `none`: [`Fetcher::fetch`] follows
    /// redirects itself.
    pub fn new(cfg: FetchConfig) -> Result<Arc<Fetcher>, ClientError> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            .timeout(cfg.request_timeout)
            .no_proxy()
            .gzip(true)
            .deflate(true)
            .brotli(true)
            .build()
            .map_err(|e| ClientError::Build(e.to_string()))?;
        let agent_token = robots::product_token(&cfg.user_agent).to_string();
        Ok(Arc::new(Fetcher {
            client,
            hosts: HostScheduler::new(cfg.host_delay, cfg.host_concurrency),
            robots: RobotsCache::default(),
            agent_token,
            cfg,
            requests: AtomicU64::new(0),
            body_bytes: AtomicU64::new(0),
        }))
    }

    /// HTTP requests made so far (pages, hops, retries and robots.txt).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Body bytes received so far (after content-decoding).
    pub fn body_bytes(&self) -> u64 {
        self.body_bytes.load(Ordering::Relaxed)
    }

    /// The robots rules for `url`'s origin (fetched once per run).
    pub async fn robots(&self, url: &Url) -> Arc<RobotsRules> {
        self.robots
            .rules(url, || async {
                let fetch = self.fetch_robots(url).await;
                tracing::debug!(origin = %robots::origin_key(url), ?fetch, "robots.txt");
                let rules = RobotsRules::from_fetch(fetch, &self.agent_token);
                if let Some(d) = rules.crawl_delay(self.cfg.max_crawl_delay) {
                    let host = host_key(url);
                    self.hosts.raise_delay(&host, d);
                    tracing::info!(%host, delay_ms = d.as_millis() as u64, "robots.txt Crawl-delay");
                }
                rules
            })
            .await
    }

    async fn fetch_robots(&self, url: &Url) -> RobotsFetch {
        let mut current = match url.join("/robots.txt") {
            Ok(u) => u,
            Err(_) => return RobotsFetch::Unreachable,
        };
        for _ in 0..=5 {
            // Retried like a page: a passing 503 must not close the site for the run.
            let resp = match self
                .attempt_with_retries(
                    &current,
                    &Conditional::default(),
                    robots::ROBOTS_MAX_BYTES as u64,
                    BodyMode::Robots,
                )
                .await
            {
                Ok((r, _)) => r,
                Err(FetchError::Http(status)) => {
                    return RobotsFetch::Response {
                        status,
                        body: Vec::new(),
                    }
                }
                Err(_) => return RobotsFetch::Unreachable,
            };
            if (300..400).contains(&resp.status) && resp.status != 304 {
                let next =
                    location(&resp.headers).and_then(|l| url::resolve_canonical(&current, &l).ok());
                match next {
                    Some(n) => {
                        current = n;
                        continue;
                    }
                    None => {
                        return RobotsFetch::Response {
                            status: 404,
                            body: Vec::new(),
                        }
                    }
                }
            }
            return RobotsFetch::Response {
                status: resp.status,
                body: resp.body.unwrap_or_default(),
            };
        }
        RobotsFetch::TooManyRedirects
    }

    /// Fetch one page: robots check, conditional GET, retries, redirects within
    /// `scope` (each hop checked and recorded), Content-Type and size limits. Every hop
    /// is followed, each sent `cond`.
    pub async fn fetch(
        &self,
        url: &Url,
        cond: &Conditional,
        scope: &Scope,
    ) -> Result<Page, FetchError> {
        let follow = |_: &Redirect| std::future::ready(Hop::Follow(cond.clone()));
        match self.fetch_with(url, cond, scope, follow).await? {
            Fetched::Page(p) => Ok(p),
            // `follow` never stops; kept total rather than asserted.
            Fetched::Stopped { target, .. } => Err(FetchError::BadRedirect {
                url: url.to_string(),
                detail: format!("stopped at {target}"),
            }),
        }
    }

    /// Fetch a resource that is not a page (a web archive's CDX listing): the robots
    /// check, politeness and retries of a page, any `Content-Type`, at most `max_bytes`
    /// (more is [`FetchError::TooLarge`]). Redirects are not followed: a 3xx is
    /// [`FetchError::BadRedirect`] naming its target, any other non-2xx
    /// [`FetchError::Http`].
    pub async fn fetch_data(&self, url: &Url, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
        let rules = self.robots(url).await;
        if matches!(*rules, RobotsRules::DisallowAll) {
            return Err(FetchError::RobotsUnavailable(url.to_string()));
        }
        if !rules.allowed(url) {
            return Err(FetchError::Disallowed(url.to_string()));
        }
        let (resp, _) = self
            .attempt_with_retries(url, &Conditional::default(), max_bytes, BodyMode::Data)
            .await?;
        match resp.status {
            200..=299 => Ok(resp.body.unwrap_or_default()),
            300..=399 => Err(FetchError::BadRedirect {
                url: url.to_string(),
                detail: format!(
                    "{} to {} (not followed for a listing; use that address)",
                    resp.status,
                    location(&resp.headers).unwrap_or_else(|| "nowhere".into())
                ),
            }),
            status => Err(FetchError::Http(status)),
        }
    }

    /// [`Fetcher::fetch`], asking `on_redirect` at every redirect hop that passed its
    /// checks whether to request the target (and with which validators) or stop there.
    /// The crawler uses it to claim a redirect's target in its frontier before
    /// fetching it, so that a page linked both directly and through redirects is
    /// requested once. `on_redirect` gets the hop (its `location` is the canonical
    /// target).
    pub async fn fetch_with<F, Fut>(
        &self,
        url: &Url,
        cond: &Conditional,
        scope: &Scope,
        mut on_redirect: F,
    ) -> Result<Fetched, FetchError>
    where
        F: FnMut(&Redirect) -> Fut,
        Fut: Future<Output = Hop>,
    {
        let mut cond = cond.clone();
        let mut current = url.clone();
        let mut redirects: Vec<Redirect> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        seen.insert(current.as_str().to_string());
        let mut requests = 0u32;
        loop {
            let rules = self.robots(&current).await;
            if matches!(*rules, RobotsRules::DisallowAll) {
                return Err(FetchError::RobotsUnavailable(current.to_string()));
            }
            if !rules.allowed(&current) {
                return Err(FetchError::Disallowed(current.to_string()));
            }
            let (resp, n) = self
                .attempt_with_retries(&current, &cond, self.cfg.max_body, BodyMode::Page)
                .await?;
            requests += n;
            let status = resp.status;
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let loc = location(&resp.headers).ok_or_else(|| FetchError::BadRedirect {
                    url: current.to_string(),
                    detail: "no Location header".into(),
                })?;
                let next = url::resolve_canonical(&current, &loc).map_err(|e| {
                    FetchError::BadRedirect {
                        url: current.to_string(),
                        detail: e.to_string(),
                    }
                })?;
                let hop = Redirect {
                    url: current.to_string(),
                    status,
                    location: next.to_string(),
                };
                redirects.push(hop.clone());
                if redirects.len() > self.cfg.max_redirects {
                    return Err(FetchError::TooManyRedirects(self.cfg.max_redirects));
                }
                if !seen.insert(next.as_str().to_string()) {
                    return Err(FetchError::RedirectLoop(next.to_string()));
                }
                if !scope.contains(&next) {
                    return Err(FetchError::OutOfScope(next.to_string()));
                }
                if url::has_non_html_extension(&next) {
                    return Err(FetchError::NonHtmlTarget(next.to_string()));
                }
                match on_redirect(&hop).await {
                    Hop::Follow(c) => cond = c,
                    Hop::Stop => {
                        return Ok(Fetched::Stopped {
                            target: next,
                            redirects,
                        })
                    }
                }
                current = next;
                continue;
            }
            if status == 304 || (200..300).contains(&status) {
                return Ok(Fetched::Page(Page {
                    final_url: current,
                    status,
                    redirects,
                    etag: header(&resp.headers, "etag"),
                    last_modified: header(&resp.headers, "last-modified"),
                    content_type: header(&resp.headers, "content-type"),
                    memento_datetime: header(&resp.headers, "memento-datetime"),
                    fetched_at: chrono::Utc::now()
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    body: resp.body,
                    requests,
                }));
            }
            return Err(FetchError::Http(status));
        }
    }

    /// One request with retries. A retryable status that persists is returned as the
    /// final response's status error.
    async fn attempt_with_retries(
        &self,
        url: &Url,
        cond: &Conditional,
        max_body: u64,
        mode: BodyMode,
    ) -> Result<(Response, u32), FetchError> {
        let policy = &self.cfg.retry;
        let started = tokio::time::Instant::now();
        let mut retry = 0u32;
        loop {
            let result = self.attempt(url, cond, max_body, mode).await;
            let (err, retry_after) = match result {
                Ok(r) if retryable_status(r.status) => {
                    let ra = header(&r.headers, "retry-after")
                        .and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
                    (FetchError::Http(r.status), ra)
                }
                Ok(r) => return Ok((r, retry + 1)),
                Err(e) => (e, None),
            };
            if !err.retryable() || retry >= policy.retries {
                return Err(err);
            }
            retry += 1;
            let wait = policy.delay(retry, retry_after);
            if started.elapsed() + wait > policy.budget {
                return Err(err);
            }
            tracing::info!(%url, error = %err, retry, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP GET under the host's politeness permit. Reads the body of 2xx
    /// responses (HTML only for [`BodyMode::Page`]), at most `max_body` bytes: over the
    /// limit is an error, except for [`BodyMode::Robots`], which keeps the first
    /// `max_body`.
    async fn attempt(
        &self,
        url: &Url,
        cond: &Conditional,
        max_body: u64,
        mode: BodyMode,
    ) -> Result<Response, FetchError> {
        let truncate = mode == BodyMode::Robots;
        let _permit = self.hosts.acquire(&host_key(url)).await;
        let mut req = self.client.get(url.clone());
        if let Some(e) = cond
            .etag
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(m) = cond
            .last_modified
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, m);
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut resp = req.send().await.map_err(|e| transport_error(url, &e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        if !(200..300).contains(&status) {
            return Ok(Response {
                status,
                headers,
                body: None,
            });
        }
        if mode == BodyMode::Page {
            if let Some(ct) = header(&headers, "content-type") {
                if !is_html_type(&ct) {
                    return Err(FetchError::NotHtml(ct));
                }
            }
        }
        if !truncate && resp.content_length().is_some_and(|n| n > max_body) {
            return Err(FetchError::TooLarge(max_body));
        }
        let mut body: Vec<u8> = Vec::new();
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return Err(transport_error(url, &e)),
            };
            self.body_bytes
                .fetch_add(chunk.len() as u64, Ordering::Relaxed);
            if (body.len() + chunk.len()) as u64 > max_body {
                if truncate {
                    let room = (max_body as usize).saturating_sub(body.len());
                    body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                    break;
                }
                return Err(FetchError::TooLarge(max_body));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body: Some(body),
        })
    }
}

fn transport_error(url: &Url, e: &reqwest::Error) -> FetchError {
    let mut detail = format!("{url}: {e}");
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        src = s.source();
    }
    if e.is_timeout() {
        FetchError::Timeout(detail)
    } else if e.is_connect() {
        FetchError::Connect(detail)
    } else {
        FetchError::Network(detail)
    }
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn location(h: &HeaderMap) -> Option<String> {
    header(h, "location")
}

/// Whether a Content-Type names an HTML document.
pub fn is_html_type(ct: &str) -> bool {
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(essence.as_str(), "text/html" | "application/xhtml+xml" | "")
}
