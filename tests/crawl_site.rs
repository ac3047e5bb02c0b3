//! End-to-end crawls of the fixture site into a real store, asserted from the server's
//! request log and from the store.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use quire::crawl::{crawl, CrawlConfig, Summary};
use quire::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use quire::fetch::retry::RetryPolicy;
use quire::fetch::url::parse_canonical;
use quire::store::Store;
use support::{fault, Site, TestServer};

/// The ESR profile, forced (the test server serves ESR pages under 127.0.0.1).
fn esr() -> ExtractConfig {
    let profiles = ProfileSet::builtin();
    let esr = profiles.resolve("esr").unwrap();
    ExtractConfig {
        profiles,
        choice: ProfileChoice::Force(esr),
        skip_links: false,
        latest_date: None,
    }
}

fn config(server: &TestServer) -> CrawlConfig {
    let mut cfg = CrawlConfig::new(vec![parse_canonical(&server.url("/archive/")).unwrap()]);
    cfg.fetch.host_delay = Duration::ZERO;
    cfg.fetch.host_concurrency = 8;
    cfg.fetch.connect_timeout = Duration::from_millis(500);
    cfg.fetch.read_timeout = Duration::from_millis(300);
    cfg.fetch.request_timeout = Duration::from_secs(3);
    cfg.fetch.max_body = 1024 * 1024;
    cfg.fetch.retry = RetryPolicy {
        retries: 2,
        base: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        budget: Duration::from_secs(10),
    };
    cfg.shutdown_grace = Duration::from_secs(5);
    cfg.extract = esr();
    cfg
}

async fn run(cfg: CrawlConfig, dir: &std::path::Path) -> Summary {
    let store = Store::open_writer(dir).unwrap();
    crawl(cfg, store, std::future::pending(), &|_| {})
        .await
        .unwrap()
}

fn requests_by_path(server: &TestServer) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for r in server.log() {
        *m.entry(r.path).or_insert(0) += 1;
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_crawl_then_conditional_recrawl() {
    let site = Site::generate(3, 3, 4); // 1 + 3 + 9 + 36 = 49 pages
    assert_eq!(site.pages.len(), 49);
    let articles = site.article_paths();
    let pages: Vec<String> = site.pages.keys().cloned().collect();
    let server = TestServer::start(site).with_fault_links();
    let dir = tempfile::tempdir().unwrap();

    let s1 = run(config(&server), dir.path()).await;
    let by_path = requests_by_path(&server);
    for p in &pages {
        assert_eq!(
            by_path.get(p),
            Some(&1),
            "{p} requested {:?} times",
            by_path.get(p)
        );
    }
    assert_eq!(by_path.get("/robots.txt"), Some(&1));
    for never in [
        fault::PRIVATE,
        fault::IMAGE_LINK,
        fault::OUTSIDE,
        "/archive/elsewhere.html",
        "/archive/logo.png",
    ] {
        assert_eq!(by_path.get(never), None, "{never} must never be requested");
    }
    assert!(
        server
            .log()
            .iter()
            .all(|r| r.host.is_empty() || r.host.starts_with("127.0.0.1")),
        "off-scope host requested"
    );
    assert_eq!(
        by_path.get(fault::BROKEN),
        Some(&3),
        "500: one try + 2 retries"
    );
    assert_eq!(by_path.get(fault::MISSING), Some(&1));
    assert_eq!(by_path.get(fault::BUSY), Some(&2));
    assert_eq!(by_path.get(fault::THROTTLED), Some(&2));
    assert_eq!(by_path.get(fault::HUGE), Some(&1));

    // 49 site pages + moved-target (reached through moved.html) + busy + throttled +
    // gzipped.
    assert_eq!(s1.captured, 53, "{s1:#?}");
    assert_eq!(s1.not_modified, 0);
    let f = &s1.failures;
    assert_eq!(f.get("http_500"), Some(&1), "{f:?}");
    assert_eq!(f.get("http_404"), Some(&1), "{f:?}");
    assert_eq!(f.get("timeout"), Some(&1), "{f:?}");
    assert_eq!(f.get("too_large"), Some(&2), "{f:?}");
    assert_eq!(f.get("not_html"), Some(&1), "{f:?}");
    assert_eq!(f.get("redirect_loop"), Some(&1), "{f:?}");
    assert_eq!(f.get("bad_redirect"), Some(&1), "{f:?}");
    assert_eq!(f.get("network").or(f.get("connect")), Some(&1), "{f:?}");
    assert_eq!(s1.skipped.get("robots"), Some(&1), "{:?}", s1.skipped);
    assert_eq!(
        s1.skipped.get("redirect_out_of_scope"),
        Some(&2),
        "{:?}",
        s1.skipped
    );
    assert!(s1.finished && !s1.resumed);

    {
        let store = Store::open_reader(dir.path()).unwrap();
        let mut digests = std::collections::HashSet::new();
        for a in &articles {
            let h = store.history(&server.url(a)).unwrap();
            assert_eq!(h.len(), 1, "{a} captured {} times", h.len());
            let art = store.read_capture(&h[0].id).unwrap();
            assert_eq!(
                art.content.page_type,
                quire::model::PageType::Article,
                "{a}"
            );
            assert!(
                art.content.word_count > 100,
                "{a}: {} words",
                art.content.word_count
            );
            assert!(
                digests.insert(art.content_sha256.clone()),
                "{a}: same content as another"
            );
        }
        // The redirected page is stored under its final URL, with the hop in its
        // provenance; the URL that redirected is its alias and has no capture.
        assert!(store
            .latest_capture(&server.url(fault::MOVED))
            .unwrap()
            .is_none());
        let moved = store
            .latest_capture(&server.url(fault::MOVED_TARGET))
            .unwrap()
            .unwrap();
        let art = store.read_capture(&moved.id).unwrap();
        assert_eq!(art.provenance.redirects.len(), 1);
        assert_eq!(art.provenance.redirects[0].url, server.url(fault::MOVED));
        assert_eq!(
            art.provenance.final_url.as_deref(),
            Some(server.url(fault::MOVED_TARGET).as_str())
        );
        assert_eq!(art.content.url, server.url(fault::MOVED_TARGET));
        assert_eq!(
            store
                .aliases_of(&server.url(fault::MOVED_TARGET), None)
                .unwrap(),
            vec![server.url(fault::MOVED)]
        );
        // moved.html → moved-target.html. A redirect loop fails as a whole, under the
        // URL linked (loop-a.html); loop-b.html, claimed on the way, is no alias.
        assert_eq!(s1.aliases, 1, "{s1:#?}");
        let run1 = quire::store::RunId(s1.run_id.clone());
        let loop_a = store
            .entry(&run1, &server.url(fault::LOOP_A))
            .unwrap()
            .map(|e| e.kind);
        assert!(
            matches!(&loop_a, Some(quire::store::EntryKind::Failed { reason, .. }) if reason.starts_with("redirect_loop")),
            "{loop_a:?}"
        );
        assert!(store
            .entry(&run1, &server.url(fault::LOOP_B))
            .unwrap()
            .is_none());
    }

    // Second run: conditional GETs, 304s, links rediscovered from stored bodies.
    server.clear_log();
    server
        .state
        .site
        .write()
        .unwrap()
        .edit(&articles[0], "A brand new opening paragraph.");
    let s2 = run(config(&server), dir.path()).await;
    let log = server.log();
    for p in &pages {
        let reqs: Vec<_> = log.iter().filter(|r| &r.path == p).collect();
        assert_eq!(reqs.len(), 1, "{p} on the second run");
        assert!(reqs[0].if_none_match.is_some(), "{p}: no If-None-Match");
        assert!(
            reqs[0].if_modified_since.is_some(),
            "{p}: no If-Modified-Since"
        );
    }
    // The edited article is captured again; every other site page is a 304.
    assert_eq!(s2.not_modified, 48, "{s2:#?}");
    assert_eq!(s2.captured, 1 + 4, "{s2:#?}");
    assert_eq!(s2.previous_run.as_deref(), Some(s1.run_id.as_str()));
    assert_eq!(s2.changed, Some(1), "{s2:#?}");
    assert_eq!(s2.removed, Some(0), "{s2:#?}");
    assert_eq!(s2.added, Some(0), "{s2:#?}");
    assert!(s2.unchanged.unwrap_or(0) >= 35, "{s2:#?}");
    let store = Store::open_reader(dir.path()).unwrap();
    assert_eq!(store.history(&server.url(&articles[0])).unwrap().len(), 2);
    assert_eq!(store.history(&server.url(&articles[1])).unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_pages_are_gone_on_the_next_run() {
    let site = Site::generate(1, 1, 3);
    let server = TestServer::start(site);
    let dir = tempfile::tempdir().unwrap();
    let s1 = run(config(&server), dir.path()).await;
    assert_eq!(s1.captured, 6);
    assert_eq!(s1.gone, 0);
    server
        .state
        .site
        .write()
        .unwrap()
        .pages
        .remove("/archive/2001/i1/a2.html");
    let s2 = run(config(&server), dir.path()).await;
    assert_eq!(s2.gone, 1, "{s2:#?}");
    assert_eq!(s2.removed, Some(1), "{s2:#?}");
    assert_eq!(s2.failed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_pages_depth_and_frontier() {
    let server = TestServer::start(Site::generate(2, 2, 5)); // 1 + 2 + 4 + 20 = 27
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.max_pages = Some(5);
    let s = run(cfg, dir.path()).await;
    assert_eq!(s.pages_fetched, 5, "{s:#?}");
    assert_eq!(s.stopped_by.as_deref(), Some("max_pages"));
    assert_eq!(
        server
            .log()
            .iter()
            .filter(|r| r.path != "/robots.txt")
            .count(),
        5
    );

    let server = TestServer::start(Site::generate(2, 2, 5));
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.max_depth = Some(1);
    let s = run(cfg, dir.path()).await;
    assert_eq!(s.captured, 3, "archive index + 2 year indexes: {s:#?}");

    let server = TestServer::start(Site::generate(2, 2, 5));
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.max_frontier = Some(10);
    let s = run(cfg, dir.path()).await;
    assert_eq!(s.pages_fetched, 10, "{s:#?}");
    assert!(s.frontier_dropped > 0);

    let server = TestServer::start(Site::generate(1, 1, 1));
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.max_duration = Some(Duration::ZERO);
    let s = run(cfg, dir.path()).await;
    assert_eq!(s.stopped_by.as_deref(), Some("max_duration"));
    assert_eq!(s.pages_fetched, 0, "{s:#?}");
    assert!(s.finished);

    let server = TestServer::start(Site::generate(2, 2, 5));
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.max_run_bytes = Some(1);
    cfg.concurrency = 1;
    let s = run(cfg, dir.path()).await;
    assert_eq!(s.stopped_by.as_deref(), Some("max_run_bytes"));
    assert_eq!(s.pages_fetched, 1, "{s:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn politeness_delay_between_request_starts() {
    let server = TestServer::start(Site::generate(1, 1, 5)); // 8 pages
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.fetch.host_delay = Duration::from_millis(200);
    cfg.fetch.host_concurrency = 2;
    let s = run(cfg, dir.path()).await;
    assert_eq!(s.captured, 8);
    let log = server.log();
    assert_eq!(log.len(), 9);
    for w in log.windows(2) {
        let gap = w[1].at - w[0].at;
        assert!(
            gap >= Duration::from_millis(140),
            "gap {gap:?} before {}",
            w[1].path
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_per_page_are_capped() {
    let server = TestServer::start(Site::generate(1, 1, 1));
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.seeds = vec![parse_canonical(&server.url(fault::MANY_LINKS)).unwrap()];
    cfg.max_pages = Some(1);
    let s = run(cfg, dir.path()).await;
    assert_eq!(s.captured, 1, "{s:#?}");
    let store = Store::open_reader(dir.path()).unwrap();
    let c = store
        .frontier_counts(&quire::store::RunId(s.run_id.clone()))
        .unwrap();
    let known = c.pending + c.in_flight + c.done;
    assert!(known > 1000, "links were discovered: {c:?}");
    assert!(known <= 10_001, "at most 10,000 links from one page: {c:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_robots_txt_fetches_nothing_and_is_reported() {
    let server = TestServer::start(Site::generate(1, 1, 2));
    *server.state.robots_status.lock().unwrap() = 503;
    let dir = tempfile::tempdir().unwrap();
    let s = run(config(&server), dir.path()).await;
    assert_eq!(s.captured, 0);
    assert_eq!(s.failed, 1, "{s:#?}");
    assert_eq!(s.failures.get("robots_unavailable"), Some(&1), "{s:#?}");
    assert!(server.log().iter().all(|r| r.path == "/robots.txt"));
}

#[tokio::test]
async fn max_duration_abandons_a_page_that_outlives_the_grace() {
    // The seed answers after 30 s; the run may last 200 ms, plus 300 ms of grace.
    let server = TestServer::start_with(
        Site::generate(1, 1, 1),
        support::Options {
            slow: Duration::from_secs(30),
            ..support::Options::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&server);
    cfg.seeds = vec![parse_canonical(&server.url(fault::SLOW)).unwrap()];
    cfg.fetch.read_timeout = Duration::from_secs(60);
    cfg.fetch.request_timeout = Duration::from_secs(60);
    cfg.max_duration = Some(Duration::from_millis(200));
    cfg.shutdown_grace = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let s = tokio::time::timeout(Duration::from_secs(20), run(cfg, dir.path()))
        .await
        .expect("the run ends near its deadline, not when the page answers");
    assert_eq!(s.stopped_by.as_deref(), Some("max_duration"));
    assert!(s.finished, "{s:#?}");
    assert_eq!(
        s.pages_fetched, 0,
        "the abandoned page leaves no record: {s:#?}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "grace given"
    );
    assert_eq!(server.count(fault::SLOW), 1, "it was requested");
    let store = Store::open_reader(dir.path()).unwrap();
    assert!(store.verify().unwrap().ok());
}
