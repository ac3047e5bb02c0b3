//! The fetch layer against the in-process test server: robots, retries, timeouts,
//! resets, size limits, gzip, redirects, conditional GET and per-host delay, asserted
//! from the server's own request log.

mod support;

use std::sync::Arc;
use std::time::Duration;

use quire::fetch::retry::RetryPolicy;
use quire::fetch::url::{parse_canonical, Prefix, Scope};
use quire::fetch::{Conditional, FetchConfig, FetchError, Fetcher};
use support::{fault, Site, TestServer};

fn test_config() -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(400),
        request_timeout: Duration::from_secs(3),
        max_body: 1024 * 1024,
        retry: RetryPolicy {
            retries: 2,
            base: Duration::from_millis(20),
            max_delay: Duration::from_secs(2),
            budget: Duration::from_secs(10),
        },
        host_delay: Duration::ZERO,
        ..FetchConfig::default()
    }
}

fn setup() -> (TestServer, Arc<Fetcher>, Scope) {
    let server = TestServer::start(Site::generate(1, 1, 2));
    let fetcher = Fetcher::new(test_config()).unwrap();
    let seed = parse_canonical(&server.url("/archive/")).unwrap();
    let scope = Scope {
        prefixes: vec![Prefix::of_seed(&seed)],
        ..Scope::default()
    };
    (server, fetcher, scope)
}

async fn get(
    f: &Fetcher,
    s: &TestServer,
    scope: &Scope,
    path: &str,
) -> Result<quire::fetch::Page, FetchError> {
    f.fetch(
        &parse_canonical(&s.url(path)).unwrap(),
        &Conditional::default(),
        scope,
    )
    .await
}

#[tokio::test]
async fn robots_disallowed_path_is_never_requested_and_robots_fetched_once() {
    let (s, f, scope) = setup();
    let r = get(&f, &s, &scope, fault::PRIVATE).await;
    assert!(matches!(r, Err(FetchError::Disallowed(_))), "{r:?}");
    assert!(get(&f, &s, &scope, "/archive/2001/").await.is_ok());
    assert_eq!(s.count(fault::PRIVATE), 0);
    assert_eq!(s.count("/robots.txt"), 1);
    let ua = s.log()[0].user_agent.clone().unwrap_or_default();
    assert!(ua.starts_with("quire/"), "{ua}");
}

#[tokio::test]
async fn robots_5xx_disallows_everything_and_404_allows_everything() {
    let (s, f, scope) = setup();
    *s.state.robots_status.lock().unwrap() = 503;
    let r = get(&f, &s, &scope, "/archive/2001/").await;
    assert!(matches!(r, Err(FetchError::RobotsUnavailable(_))), "{r:?}");
    assert!(!r.unwrap_err().is_skip(), "reported as a failure");
    assert_eq!(s.count("/archive/2001/"), 0);
    assert_eq!(
        s.count("/robots.txt"),
        3,
        "robots.txt retried: 1 + 2 retries"
    );

    let (s2, f2, scope2) = setup();
    *s2.state.robots.write().unwrap() = None;
    assert!(get(&f2, &s2, &scope2, fault::PRIVATE).await.is_ok());
}

#[tokio::test]
async fn retry_after_is_honoured_on_503() {
    let (s, f, scope) = setup();
    let page = get(&f, &s, &scope, fault::BUSY).await.unwrap();
    assert_eq!(page.status, 200);
    let log: Vec<_> = s
        .log()
        .into_iter()
        .filter(|r| r.path == fault::BUSY)
        .collect();
    assert_eq!(log.len(), 2);
    let gap = log[1].at - log[0].at;
    assert!(gap >= Duration::from_millis(900), "retried after {gap:?}");
}

#[tokio::test]
async fn throttled_429_is_retried_and_500_bounded() {
    let (s, f, scope) = setup();
    assert_eq!(
        get(&f, &s, &scope, fault::THROTTLED).await.unwrap().status,
        200
    );
    assert_eq!(s.count(fault::THROTTLED), 2);
    let r = get(&f, &s, &scope, fault::BROKEN).await;
    assert!(matches!(r, Err(FetchError::Http(500))), "{r:?}");
    assert_eq!(s.count(fault::BROKEN), 3, "1 try + 2 retries");
    let r = get(&f, &s, &scope, fault::MISSING).await;
    assert!(matches!(r, Err(FetchError::Http(404))), "{r:?}");
    assert_eq!(s.count(fault::MISSING), 1, "404 is not retried");
}

#[tokio::test]
async fn slow_response_times_out_and_reset_is_a_network_error() {
    let (s, f, scope) = setup();
    let r = get(&f, &s, &scope, fault::SLOW).await;
    assert!(matches!(r, Err(FetchError::Timeout(_))), "{r:?}");
    assert_eq!(s.count(fault::SLOW), 3);
    let r = get(&f, &s, &scope, fault::RESET).await;
    assert!(
        matches!(r, Err(FetchError::Network(_) | FetchError::Connect(_))),
        "{r:?}"
    );
    assert_eq!(s.count(fault::RESET), 3);
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused_even_when_compressed() {
    let (s, f, scope) = setup();
    assert!(matches!(
        get(&f, &s, &scope, fault::HUGE).await,
        Err(FetchError::TooLarge(_))
    ));
    assert!(matches!(
        get(&f, &s, &scope, fault::BOMB).await,
        Err(FetchError::TooLarge(_))
    ));
    assert_eq!(s.count(fault::HUGE), 1, "too large is not retried");
    assert!(
        f.body_bytes() < 3 * 1024 * 1024,
        "read {} bytes",
        f.body_bytes()
    );
    let page = get(&f, &s, &scope, fault::GZIP).await.unwrap();
    let body = String::from_utf8(page.body.unwrap()).unwrap();
    assert!(body.contains("Gzipped"), "{body}");
    let r = get(&f, &s, &scope, fault::WRONG_TYPE).await;
    assert!(matches!(r, Err(FetchError::NotHtml(_))), "{r:?}");
}

#[tokio::test]
async fn redirects_are_followed_in_scope_only_and_loops_stop() {
    let (s, f, scope) = setup();
    let page = get(&f, &s, &scope, fault::MOVED).await.unwrap();
    assert_eq!(page.final_url.path(), fault::MOVED_TARGET);
    assert_eq!(page.redirects.len(), 1);
    assert_eq!(page.redirects[0].status, 301);
    assert!(page.redirects[0].location.ends_with(fault::MOVED_TARGET));

    let r = get(&f, &s, &scope, fault::OFFSITE_REDIRECT).await;
    assert!(matches!(r, Err(FetchError::OutOfScope(_))), "{r:?}");
    assert!(s.log().iter().all(|r| !r.host.starts_with("localhost")));

    let r = get(&f, &s, &scope, fault::TO_FILE).await;
    assert!(matches!(r, Err(FetchError::BadRedirect { .. })), "{r:?}");
    let r = get(&f, &s, &scope, fault::TO_PORT).await;
    assert!(matches!(r, Err(FetchError::OutOfScope(_))), "{r:?}");

    let r = get(&f, &s, &scope, fault::LOOP_A).await;
    assert!(matches!(r, Err(FetchError::RedirectLoop(_))), "{r:?}");
    assert_eq!(s.count(fault::LOOP_A), 1);
    assert_eq!(s.count(fault::LOOP_B), 1);
}

#[tokio::test]
async fn conditional_get_sends_validators_and_gets_304() {
    let (s, f, scope) = setup();
    let first = get(&f, &s, &scope, "/archive/2001/i1/a1.html")
        .await
        .unwrap();
    let cond = Conditional {
        etag: first.etag.clone(),
        last_modified: first.last_modified.clone(),
    };
    assert!(cond.etag.is_some() && cond.last_modified.is_some());
    let url = parse_canonical(&s.url("/archive/2001/i1/a1.html")).unwrap();
    let second = f.fetch(&url, &cond, &scope).await.unwrap();
    assert!(second.not_modified());
    assert!(second.body.is_none());
    let last = s.log().into_iter().last().unwrap();
    assert_eq!(last.if_none_match, cond.etag);
    assert_eq!(last.if_modified_since, cond.last_modified);
    assert_eq!(last.status, 304);
}

#[tokio::test]
async fn per_host_delay_spaces_request_starts() {
    let s = TestServer::start(Site::generate(1, 1, 4));
    let cfg = FetchConfig {
        host_delay: Duration::from_millis(200),
        host_concurrency: 2,
        ..test_config()
    };
    let f = Fetcher::new(cfg).unwrap();
    assert!(fetch_articles(&f, &s, 4).await);
    let log = s.log();
    assert_eq!(log.len(), 5, "robots + 4 pages");
    for w in log.windows(2) {
        let gap = w[1].at - w[0].at;
        // 200 ms between starts, with 60 ms tolerance for arrival jitter on a loaded machine.
        assert!(
            gap >= Duration::from_millis(140),
            "gap {gap:?} between {} and {}",
            w[0].path,
            w[1].path
        );
    }
}

/// Fetch `/archive/2001/i1/a1.html` .. `a{n}.html` concurrently; true if all succeeded.
async fn fetch_articles(f: &Arc<Fetcher>, s: &TestServer, n: usize) -> bool {
    let seed = parse_canonical(&s.url("/archive/")).unwrap();
    let scope = Arc::new(Scope {
        prefixes: vec![Prefix::of_seed(&seed)],
        ..Scope::default()
    });
    let mut tasks = Vec::new();
    for a in 1..=n {
        let (f, scope, url) = (
            f.clone(),
            scope.clone(),
            parse_canonical(&s.url(&format!("/archive/2001/i1/a{a}.html"))).unwrap(),
        );
        tasks.push(tokio::spawn(async move {
            f.fetch(&url, &Conditional::default(), &scope).await.is_ok()
        }));
    }
    let mut ok = true;
    for t in tasks {
        ok &= t.await.unwrap();
    }
    ok
}

/// Smallest gap between two consecutive request starts in the server's log.
fn smallest_gap(s: &TestServer) -> Duration {
    let log = s.log();
    log.windows(2)
        .map(|w| w[1].at - w[0].at)
        .min()
        .unwrap_or(Duration::MAX)
}

#[tokio::test]
async fn robots_crawl_delay_raises_the_host_delay() {
    let s = TestServer::start(Site::generate(1, 1, 3));
    *s.state.robots.write().unwrap() = Some("User-agent: *\nCrawl-delay: 0.3\n".into());
    let cfg = FetchConfig {
        host_delay: Duration::ZERO,
        host_concurrency: 2,
        ..test_config()
    };
    let f = Fetcher::new(cfg).unwrap();
    assert!(fetch_articles(&f, &s, 3).await);
    assert_eq!(s.log().len(), 4, "robots + 3 pages");
    // 300 ms between starts, with 60 ms tolerance for arrival jitter.
    let gap = smallest_gap(&s);
    assert!(gap >= Duration::from_millis(240), "smallest gap {gap:?}");
}

#[tokio::test]
async fn robots_crawl_delay_is_capped_and_never_lowers_the_delay() {
    // A site asking for a day between requests gets the cap (here 250 ms).
    let s = TestServer::start(Site::generate(1, 1, 3));
    *s.state.robots.write().unwrap() = Some("User-agent: *\nCrawl-delay: 86400\n".into());
    let cfg = FetchConfig {
        host_delay: Duration::ZERO,
        max_crawl_delay: Duration::from_millis(250),
        ..test_config()
    };
    let f = Fetcher::new(cfg).unwrap();
    let done = tokio::time::timeout(Duration::from_secs(20), fetch_articles(&f, &s, 3)).await;
    assert_eq!(done, Ok(true), "finished within 20 s, all fetched");
    let gap = smallest_gap(&s);
    assert!(gap >= Duration::from_millis(190), "smallest gap {gap:?}");

    // A Crawl-delay shorter than the run's delay changes nothing.
    let s = TestServer::start(Site::generate(1, 1, 3));
    *s.state.robots.write().unwrap() = Some("User-agent: *\nCrawl-delay: 0.01\n".into());
    let cfg = FetchConfig {
        host_delay: Duration::from_millis(250),
        ..test_config()
    };
    let f = Fetcher::new(cfg).unwrap();
    assert!(fetch_articles(&f, &s, 3).await);
    let gap = smallest_gap(&s);
    assert!(gap >= Duration::from_millis(190), "smallest gap {gap:?}");
}
