//! The fetcher against a hostile server on 127.0.0.1 (tests/support/hostile.rs): each
//! attack ends in a typed error (or a capture) within a bounded time and a bounded
//! number of bytes, and nothing outside the scope is requested. What
//! tests/crawl_fetch.rs already covers (8 MiB bomb, file:, port+1, loops) is not
//! repeated.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use quire::fetch::retry::RetryPolicy;
use quire::fetch::url::{parse_canonical, Prefix, Scope};
use quire::fetch::{Conditional, FetchConfig, FetchError, Fetcher, Page};
use support::hostile::{path, HostileOptions, HostileServer};

/// Generous hang guard for one fetch.
const CAP: Duration = Duration::from_secs(30);

fn config() -> FetchConfig {
    FetchConfig {
        connect_timeout: Duration::from_millis(500),
        read_timeout: Duration::from_millis(1500),
        request_timeout: Duration::from_secs(3),
        max_body: 1024 * 1024,
        retry: RetryPolicy {
            retries: 1,
            base: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
            budget: Duration::from_secs(10),
        },
        host_delay: Duration::ZERO,
        ..FetchConfig::default()
    }
}

fn setup(opts: HostileOptions) -> (HostileServer, Arc<Fetcher>, Scope) {
    let server = HostileServer::start(opts);
    let fetcher = Fetcher::new(config()).unwrap();
    let seed = parse_canonical(&server.url(path::INDEX)).unwrap();
    let scope = Scope {
        prefixes: vec![Prefix::of_seed(&seed)],
        ..Scope::default()
    };
    (server, fetcher, scope)
}

async fn get(f: &Fetcher, s: &HostileServer, scope: &Scope, p: &str) -> Result<Page, FetchError> {
    let url = parse_canonical(&s.url(p)).unwrap();
    let started = Instant::now();
    let r = tokio::time::timeout(CAP, f.fetch(&url, &Conditional::default(), scope))
        .await
        .unwrap_or_else(|_| panic!("fetch of {p} hung for {CAP:?}"));
    assert!(started.elapsed() < CAP);
    r
}

#[tokio::test]
async fn streamed_gzip_bomb_of_10_gib_stops_at_the_body_cap() {
    let (s, f, scope) = setup(HostileOptions::default());
    let r = get(&f, &s, &scope, path::BOMB).await;
    assert!(matches!(r, Err(FetchError::TooLarge(_))), "{r:?}");
    assert_eq!(s.counts(path::BOMB).requests, 1, "too large is not retried");
    // 1 MiB decoded is about 1 KiB on the wire; the kernel buffers a few MiB more.
    assert!(
        f.body_bytes() <= 2 * 1024 * 1024,
        "decoded {} bytes",
        f.body_bytes()
    );
    assert!(
        s.counts(path::BOMB).bytes < 64 * 1024 * 1024,
        "server wrote {} compressed bytes",
        s.counts(path::BOMB).bytes
    );
}

#[tokio::test]
async fn endless_chunked_body_and_endless_headers_are_cut_off() {
    let (s, f, scope) = setup(HostileOptions::default());
    let r = get(&f, &s, &scope, path::ENDLESS).await;
    assert!(matches!(r, Err(FetchError::TooLarge(_))), "{r:?}");
    assert!(f.body_bytes() <= 2 * 1024 * 1024, "{}", f.body_bytes());
    let r = get(&f, &s, &scope, path::ENDLESS_HEADERS).await;
    assert!(
        matches!(r, Err(FetchError::Network(_) | FetchError::Timeout(_))),
        "{r:?}"
    );
}

#[tokio::test]
async fn a_body_trickling_at_one_byte_per_second_times_out() {
    let (s, f, scope) = setup(HostileOptions::default());
    let started = Instant::now();
    let r = get(&f, &s, &scope, path::TRICKLE).await;
    assert!(matches!(r, Err(FetchError::Timeout(_))), "{r:?}");
    // Two attempts of request_timeout (3 s) each, plus a short backoff.
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.counts(path::TRICKLE).requests, 2, "1 try + 1 retry");
}

#[tokio::test]
async fn a_redirect_chain_of_ten_thousand_stops_after_max_redirects() {
    let (s, f, scope) = setup(HostileOptions::default());
    let r = get(&f, &s, &scope, path::CHAIN).await;
    assert!(matches!(r, Err(FetchError::TooManyRedirects(5))), "{r:?}");
    assert_eq!(s.requests_under("/h/r/"), 6, "the first request and 5 hops");
}

#[tokio::test]
async fn a_robots_txt_of_10_mb_is_read_only_up_to_its_cap() {
    let (s, f, scope) = setup(HostileOptions {
        big_robots: true,
        ..HostileOptions::default()
    });
    // The file's last line disallows /h/, but it lies beyond the 512 KiB we parse.
    let page = get(&f, &s, &scope, path::OK).await.unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(s.counts("/robots.txt").requests, 1);
    assert!(
        f.body_bytes() < 2 * 1024 * 1024,
        "read {} bytes of robots.txt",
        f.body_bytes()
    );
}

#[tokio::test]
async fn a_robots_txt_redirecting_forever_is_given_up_and_allows_all() {
    let (s, f, scope) = setup(HostileOptions {
        robots_chain: true,
        ..HostileOptions::default()
    });
    let page = get(&f, &s, &scope, path::OK).await.unwrap();
    assert_eq!(page.status, 200);
    assert!(
        s.requests_under("/robots") <= 6,
        "{}",
        s.requests_under("/robots")
    );
}

#[tokio::test]
async fn lying_content_length_shorter_truncates_and_longer_fails() {
    let (s, f, scope) = setup(HostileOptions::default());
    let page = get(&f, &s, &scope, path::SHORT_LENGTH).await.unwrap();
    assert_eq!(page.body.as_deref().map(<[u8]>::len), Some(40));
    let r = get(&f, &s, &scope, path::LONG_LENGTH).await;
    assert!(matches!(r, Err(FetchError::Network(_))), "{r:?}");
    assert_eq!(s.counts(path::LONG_LENGTH).requests, 2, "retried once");
    let r = get(&f, &s, &scope, path::LONG_LENGTH_STALL).await;
    assert!(matches!(r, Err(FetchError::Timeout(_))), "{r:?}");
}

#[tokio::test]
async fn invalid_bytes_in_headers_and_status_lines() {
    let (s, f, scope) = setup(HostileOptions::default());
    let r = get(&f, &s, &scope, path::BAD_HEADER).await;
    assert!(matches!(r, Err(FetchError::Network(_))), "{r:?}");
    let r = get(&f, &s, &scope, path::BAD_STATUS).await;
    assert!(matches!(r, Err(FetchError::Network(_))), "{r:?}");
    // obs-text in a header value is legal HTTP: the page is fetched, the value unused.
    let page = get(&f, &s, &scope, path::BAD_HEADER_VALUE).await.unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type, None);
    let r = get(&f, &s, &scope, path::TO_BINARY).await;
    assert!(matches!(r, Err(FetchError::BadRedirect { .. })), "{r:?}");
}

#[tokio::test]
async fn redirects_to_other_schemes_hosts_and_ports_are_never_followed() {
    let canary = HostileServer::start(HostileOptions::default());
    let (s, f, scope) = setup(HostileOptions {
        canary_port: canary.addr.port(),
        ..HostileOptions::default()
    });
    for p in [path::TO_FILE, path::TO_DATA, path::TO_JAVASCRIPT] {
        let r = get(&f, &s, &scope, p).await;
        assert!(
            matches!(r, Err(FetchError::BadRedirect { .. })),
            "{p}: {r:?}"
        );
    }
    for p in [path::TO_PORT, path::TO_LOCALHOST] {
        let r = get(&f, &s, &scope, p).await;
        assert!(matches!(r, Err(FetchError::OutOfScope(_))), "{p}: {r:?}");
        assert!(r.as_ref().is_err_and(FetchError::is_skip));
    }
    assert_eq!(canary.total_requests(), 0, "the other port got a request");
    assert_eq!(s.counts(path::OK).requests, 0, "localhost hop was followed");
}
