//! One capture per article per run, whatever the links: a site whose pages link the
//! same articles directly and through `/recent.html` → `/recent.htm`-style and flat →
//! foldered redirects (and a two-hop chain), in orders that make the redirect come
//! first, last and at the same time as the direct link, under faults (503 with
//! Retry-After, a reset, slow pages). Asserted from the server's request log (every
//! URL fetched once per run), from the store (one capture per article, under its final
//! URL, aliases recorded), after a reindex, through verify, export, changes, history
//! and diff, across a second run that reaches an article only through a new alias,
//! and across an interrupted and resumed run.

mod support;
#[path = "support/tools.rs"]
mod tools;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use quire::crawl::{crawl, CrawlConfig, Summary};
use quire::export::{jsonl, warc, Selection};
use quire::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use quire::fetch::retry::RetryPolicy;
use quire::fetch::url::parse_canonical;
use quire::model::Article;
use quire::store::{EntryKind, RunEntry, RunId, Store};
use support::site::{article_html, index_html, SitePage};
use support::{PageFault, Site, TestServer};

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

/// Final URLs of the articles (paths).
const RECENT: &str = "/archive/recent.htm";
const X0998: &str = "/archive/articles/0998/0998x.htm";
const Y0999: &str = "/archive/articles/0999/0999y.htm";
const Z1000: &str = "/archive/articles/1000/1000z.htm";
const W0101: &str = "/archive/articles/0101/0101w.htm";
const PLAIN: &str = "/archive/articles/0102/0102plain.htm";
const ONLY: &str = "/archive/articles/0103/0103only.htm";
const MOVED: &str = "/archive/articles/0104/0104moved.htm";

/// Redirecting URLs: (path, status, Location as sent, the article it leads to).
const REDIRECTS: &[(&str, u16, &str, &str)] = &[
    // `/recent.html` → `/recent.htm`: the redirect is linked first (the index), the
    // direct link only from the (slow) issue page.
    ("/archive/recent.html", 301, "recent.htm", RECENT),
    // Flat → foldered: the direct link first (index), the flat one later (issue page).
    (
        "/archive/articles/0998x.htm",
        301,
        "/archive/articles/0998/0998x.htm",
        X0998,
    ),
    // Flat and direct side by side on the index: the redirect arrives while the (slow)
    // target is in flight, or the other way round.
    ("/archive/articles/0999y.htm", 301, "0999/0999y.htm", Y0999),
    // Two hops, the middle one also linked directly.
    (
        "/archive/old/z.html",
        302,
        "/archive/articles/1000z.htm",
        Z1000,
    ),
    (
        "/archive/articles/1000z.htm",
        301,
        "/archive/articles/1000/1000z.htm",
        Z1000,
    ),
    // The redirect answers 503 first; its target resets the first connection.
    ("/archive/articles/0101w.htm", 301, "0101/0101w.htm", W0101),
    // Reached only through the redirect.
    (
        "/archive/articles/0103only.htm",
        308,
        "0103/0103only.htm",
        ONLY,
    ),
];

/// Added to the site for the second run: the article's direct link is gone, only this
/// new alias leads to it.
const NEW_ALIAS: (&str, u16, &str, &str) = ("/archive/old/0104moved.html", 301, MOVED, MOVED);

const ARTICLES: &[&str] = &[RECENT, X0998, Y0999, Z1000, W0101, PLAIN, ONLY, MOVED];
const INDEX: &str = "/archive/";
const ISSUE: &str = "/archive/issue.html";

fn article(path: &str, n: u64) -> SitePage {
    SitePage {
        html: article_html(
            &format!("Article number {n} of the alias site"),
            &format!("Writer {n}"),
            1999,
            (n % 12) as u32 + 1,
            (n % 27) as u32 + 1,
            1000 + n * 7,
            "/archive/",
        ),
        version: 1,
        article: path.contains(".htm"),
    }
}

fn links(hrefs: &[&str]) -> Vec<(String, String)> {
    hrefs
        .iter()
        .map(|h| (h.to_string(), format!("Link to {h}")))
        .collect()
}

fn index_page(hrefs: &[&str], title: &str) -> SitePage {
    SitePage {
        html: index_html(title, &links(hrefs)),
        version: 1,
        article: false,
    }
}

/// The site of the first run. `extra` plain articles (linked from the index) make a
/// longer run for the interruption test.
fn alias_site(extra: u64) -> Site {
    let mut site = Site::default();
    for (n, path) in ARTICLES.iter().enumerate() {
        site.pages.insert(path.to_string(), article(path, n as u64));
    }
    let mut extra_paths = Vec::new();
    for i in 0..extra {
        let p = format!("/archive/articles/0200/0200extra{i}.htm");
        site.pages.insert(p.clone(), article(&p, 100 + i));
        extra_paths.push(p);
    }
    for (from, status, location, _) in REDIRECTS {
        site.redirects
            .insert(from.to_string(), (*status, location.to_string()));
    }
    let mut index_links = vec![
        "/archive/recent.html",
        X0998,
        "/archive/articles/0999y.htm",
        Y0999,
        "/archive/old/z.html",
        "/archive/articles/0101w.htm",
        PLAIN,
        "/archive/articles/0103only.htm",
        MOVED,
        ISSUE,
    ];
    index_links.extend(extra_paths.iter().map(String::as_str));
    site.pages
        .insert(INDEX.into(), index_page(&index_links, "Archive"));
    site.pages.insert(
        ISSUE.into(),
        index_page(
            &[
                RECENT,
                "/archive/articles/0998x.htm",
                "/archive/articles/1000z.htm",
                Z1000,
                W0101,
            ],
            "Issue",
        ),
    );
    site.faults
        .insert(ISSUE.into(), PageFault::Delay(Duration::from_millis(400)));
    site.faults
        .insert(Y0999.into(), PageFault::Delay(Duration::from_millis(500)));
    site.faults.insert(Z1000.into(), PageFault::BusyOnce);
    site.faults
        .insert("/archive/articles/0101w.htm".into(), PageFault::BusyOnce);
    site.faults.insert(W0101.into(), PageFault::ResetOnce);
    site
}

/// Second run: MOVED's direct link replaced by a new alias; RECENT edited.
fn second_run_site(site: &mut Site) {
    let (from, status, location, _) = NEW_ALIAS;
    site.redirects
        .insert(from.into(), (status, location.into()));
    if let Some(index) = site.pages.get_mut(INDEX) {
        index.html = index
            .html
            .replace(&format!("href=\"{MOVED}\""), &format!("href=\"{from}\""));
        index.version += 1;
    }
    assert!(site.edit(RECENT, "A new first paragraph, added for the second run."));
}

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

fn config(server: &TestServer, concurrency: usize) -> CrawlConfig {
    let mut cfg = CrawlConfig::new(vec![parse_canonical(&server.url(INDEX)).unwrap()]);
    cfg.concurrency = concurrency;
    cfg.fetch.host_delay = Duration::ZERO;
    cfg.fetch.host_concurrency = 8;
    cfg.fetch.connect_timeout = Duration::from_millis(1000);
    cfg.fetch.read_timeout = Duration::from_secs(3);
    cfg.fetch.request_timeout = Duration::from_secs(5);
    cfg.fetch.retry = RetryPolicy {
        retries: 2,
        base: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        budget: Duration::from_secs(10),
    };
    cfg.shutdown_grace = Duration::from_secs(20);
    cfg.extract = esr();
    cfg
}

async fn run(cfg: CrawlConfig, dir: &Path) -> Summary {
    let store = Store::open_writer(dir).unwrap();
    crawl(cfg, store, std::future::pending(), &|_| {})
        .await
        .unwrap()
}

/// Per path: (answers that delivered the page or a redirect, faulted attempts).
fn tally(server: &TestServer) -> HashMap<String, (usize, usize)> {
    let mut m: HashMap<String, (usize, usize)> = HashMap::new();
    for r in server.log() {
        let e = m.entry(r.path.clone()).or_default();
        match r.status {
            200..=399 => e.0 += 1,
            _ => e.1 += 1,
        }
    }
    m
}

/// Every article, index and redirecting URL was answered exactly once (faulted
/// attempts, retried, aside: at most one per faulty URL).
fn assert_each_fetched_once(t: &HashMap<String, (usize, usize)>, paths: &[&str], label: &str) {
    for p in paths {
        let (ok, faulted) = t.get(*p).copied().unwrap_or_default();
        assert_eq!(ok, 1, "{label}: {p} answered {ok} times ({t:?})");
        assert!(faulted <= 1, "{label}: {p} faulted {faulted} times");
    }
}

fn redirect_paths() -> Vec<&'static str> {
    REDIRECTS.iter().map(|r| r.0).collect()
}

/// The alias URLs expected for each article (full URLs).
fn expected_aliases(server: &TestServer, with_new: bool) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut all: Vec<_> = REDIRECTS.to_vec();
    if with_new {
        all.push(NEW_ALIAS);
    }
    for (from, _, _, article) in all {
        m.entry(server.url(article))
            .or_default()
            .push(server.url(from));
    }
    for v in m.values_mut() {
        v.sort();
    }
    m
}

fn entries(store: &Store, run: &RunId) -> Vec<RunEntry> {
    let mut v = Vec::new();
    store
        .for_each_entry(run, |e| {
            v.push(e);
            Ok(())
        })
        .unwrap();
    v
}

/// What the store answers about the site: every run's entries, and for every URL its
/// resolution, aliases and article history.
fn answers(store: &Store, server: &TestServer) -> String {
    let mut out = String::new();
    for r in store.runs().unwrap() {
        out.push_str(&format!("{:?}\n", entries(store, &r.id)));
    }
    let mut urls: Vec<&str> = ARTICLES.to_vec();
    urls.extend(redirect_paths());
    urls.push(NEW_ALIAS.0);
    for p in urls {
        let u = server.url(p);
        out.push_str(&format!(
            "{u} -> {} {:?} {:?}\n",
            store.resolve_alias(&u).unwrap(),
            store.aliases_of(&u, None).unwrap(),
            store.article_history(&u).unwrap()
        ));
    }
    out
}

fn quire(args: &[&str]) -> Output {
    Command::new(QUIRE).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The store after run 1: one capture per article under its final URL, every
/// redirecting URL an alias resolving to its article, nothing captured twice.
fn assert_one_capture_per_article(store: &Store, run: &RunId, server: &TestServer, extra: usize) {
    let es = entries(store, run);
    let captured: Vec<&str> = es
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Captured { .. }))
        .map(|e| e.url.as_str())
        .collect();
    let set: BTreeSet<&str> = captured.iter().copied().collect();
    assert_eq!(
        set.len(),
        captured.len(),
        "a URL captured twice: {captured:?}"
    );
    // 8 articles, the index, the issue page, the extra articles.
    assert_eq!(captured.len(), ARTICLES.len() + 2 + extra, "{captured:?}");
    for p in ARTICLES {
        let u = server.url(p);
        assert!(
            set.contains(u.as_str()),
            "{p} not captured under its final URL"
        );
        let h = store.history(&u).unwrap();
        assert_eq!(h.len(), 1, "{p}: {h:?}");
        let art = store.read_capture(&h[0].id).unwrap();
        assert_eq!(art.content.url, u);
        assert_eq!(art.provenance.final_url.as_deref(), Some(u.as_str()));
        assert_eq!(
            art.content.page_type,
            quire::model::PageType::Article,
            "{p}"
        );
    }
    for (from, _, _, article) in REDIRECTS {
        let u = server.url(from);
        assert!(!set.contains(u.as_str()), "{from} captured");
        let e = es.iter().find(|e| e.url == u).expect("alias entry");
        assert!(
            matches!(&e.kind, EntryKind::Alias { .. }),
            "{from}: {:?}",
            e.kind
        );
        assert_eq!(store.resolve_alias(&u).unwrap(), server.url(article));
    }
    for (article, aliases) in expected_aliases(server, false) {
        assert_eq!(
            store.aliases_of(&article, Some(run)).unwrap(),
            aliases,
            "{article}"
        );
    }
}

fn jsonl_export(store: &Store, sel: &Selection) -> Vec<Article> {
    let mut buf = Vec::new();
    jsonl::export(store, sel, &mut buf).unwrap();
    String::from_utf8(buf)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_article_is_fetched_and_stored_once_under_its_final_url() {
    let server = TestServer::start(alias_site(0));
    let dir = tempfile::tempdir().unwrap();
    let s1 = run(config(&server, 8), dir.path()).await;

    // The request log: every URL answered once.
    let t = tally(&server);
    let mut all: Vec<&str> = ARTICLES.to_vec();
    all.extend([INDEX, ISSUE]);
    all.extend(redirect_paths());
    assert_each_fetched_once(&t, &all, "run 1");
    // The faults did happen (and were retried, not refetched).
    for p in [Z1000, W0101, "/archive/articles/0101w.htm"] {
        assert_eq!(t.get(p).map(|x| x.1), Some(1), "{p}: fault not served");
    }
    assert_eq!(s1.failed, 0, "{s1:#?}");
    assert_eq!(s1.captured, ARTICLES.len() as u64 + 2, "{s1:#?}");
    assert_eq!(s1.aliases, REDIRECTS.len() as u64, "{s1:#?}");

    let run1 = RunId(s1.run_id.clone());
    let before = {
        let store = Store::open_reader(dir.path()).unwrap();
        assert_eq!(store.format_version(), 2, "aliases mark the store format 2");
        assert_one_capture_per_article(&store, &run1, &server, 0);
        let report = store.verify().unwrap();
        assert!(report.ok(), "{:?}", report.problems);

        // JSONL: each article once, under its final URL, with its aliases.
        let docs = jsonl_export(&store, &Selection::default());
        let by_url: BTreeMap<&str, &Article> =
            docs.iter().map(|a| (a.content.url.as_str(), a)).collect();
        assert_eq!(by_url.len(), docs.len(), "an article exported twice");
        assert_eq!(docs.len(), ARTICLES.len() + 2);
        for (article, aliases) in expected_aliases(&server, false) {
            let a = by_url.get(article.as_str()).expect("article exported");
            assert_eq!(a.aliases, aliases, "{article}");
            // The content digest does not cover the aliases.
            assert_eq!(
                a.content_sha256,
                quire::model::content_sha256(&a.content),
                "{article}"
            );
        }
        assert!(by_url[server.url(PLAIN).as_str()].aliases.is_empty());
        // The line format is the schema's: aliases present only when there are some.
        let line = {
            let mut buf = Vec::new();
            jsonl::export(&store, &Selection::default(), &mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        };
        assert_eq!(
            line.matches("\"aliases\":").count(),
            expected_aliases(&server, false).len()
        );

        // WARC: one response per capture, each target once, aliases in metadata.
        let mut w = Vec::new();
        let opts = warc::WarcOptions {
            selection: Selection::default(),
            created: "2026-12-02T04:00:00Z".into(),
            filename: None,
        };
        warc::export(&store, &opts, &mut w).unwrap();
        let wdir = tempfile::tempdir().unwrap();
        let wpath = wdir.path().join("out.warc.gz");
        std::fs::write(&wpath, &w).unwrap();
        // warcio reads the export back: one response per article, no alias fetched.
        if tools::warcio_ready() {
            let index = warcio(&["index", "-f", "warc-type,warc-target-uri"], &wpath);
            let recs: Vec<serde_json::Value> = index
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            let responses: Vec<&str> = recs
                .iter()
                .filter(|r| r["warc-type"] == "response")
                .map(|r| r["warc-target-uri"].as_str().unwrap())
                .collect();
            let unique: BTreeSet<&str> = responses.iter().copied().collect();
            assert_eq!(unique.len(), responses.len(), "{responses:?}");
            assert_eq!(responses.len(), ARTICLES.len() + 2);
            for (from, ..) in REDIRECTS {
                assert!(
                    !unique.contains(server.url(from).as_str()),
                    "{from} in the WARC"
                );
            }
            let metadata = recs.iter().filter(|r| r["warc-type"] == "metadata").count();
            assert_eq!(metadata, expected_aliases(&server, false).len());
            let check = warcio(&["check", "-v"], &wpath);
            assert!(!check.contains("failed"), "{check}");
        }

        answers(&store, &server)
    };

    // Reindex from the files: the same answers.
    for f in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm"] {
        let _ = std::fs::remove_file(dir.path().join(f));
    }
    {
        let store = Store::open_reader(dir.path()).unwrap();
        assert_eq!(
            answers(&store, &server),
            before,
            "in-memory index of a reader"
        );
    }
    let mut w = Store::open_writer(dir.path()).unwrap();
    let rep = w.reindex().unwrap();
    assert_eq!(rep.skipped_records, 0);
    assert_eq!(answers(&w, &server), before, "after reindex");
    drop(w);

    // Second run: RECENT edited; MOVED reached only through a new alias.
    server.clear_log();
    second_run_site(&mut server.state.site.write().unwrap());
    let s2 = run(config(&server, 8), dir.path()).await;
    let t = tally(&server);
    let mut all: Vec<&str> = ARTICLES.to_vec();
    all.extend([INDEX, ISSUE, NEW_ALIAS.0]);
    all.extend(redirect_paths());
    assert_each_fetched_once(&t, &all, "run 2");
    let moved_req: Vec<_> = server
        .log()
        .into_iter()
        .filter(|r| r.path == MOVED)
        .collect();
    assert!(
        moved_req[0].if_none_match.is_some(),
        "the target of a new alias is revalidated with its own validators"
    );
    assert_eq!(s2.added, Some(0), "{s2:#?}");
    assert_eq!(s2.removed, Some(0), "{s2:#?}");
    assert_eq!(s2.changed, Some(1), "{s2:#?}");
    assert_eq!(s2.unchanged, Some(ARTICLES.len() as u64 - 1), "{s2:#?}");
    assert_eq!(s2.aliases, REDIRECTS.len() as u64 + 1, "{s2:#?}");

    let st = dir.path().to_str().unwrap();
    // changes --json: the edited article, with its alias; the alias URLs counted.
    let c: serde_json::Value =
        serde_json::from_str(&stdout(&quire(&["changes", "--json", "--store", st]))).unwrap();
    let recent = server.url(RECENT);
    assert_eq!(c["changed"], serde_json::json!([recent]));
    assert_eq!(c["added"], serde_json::json!([]));
    assert_eq!(c["removed"], serde_json::json!([]));
    assert_eq!(c["alias_urls"], REDIRECTS.len() + 1);
    assert_eq!(
        c["aliases"][&recent],
        serde_json::json!([server.url("/archive/recent.html")])
    );
    let human = stdout(&quire(&["changes", "--store", st]));
    assert!(
        human.contains(&format!(
            "~ {recent}  (aliases: {})",
            server.url("/archive/recent.html")
        )),
        "{human}"
    );

    // history through an alias: the article's captures, its aliases listed.
    let h = stdout(&quire(&[
        "history",
        &server.url("/archive/recent.html"),
        "--store",
        st,
    ]));
    assert!(h.contains(&format!("article\t{recent}")), "{h}");
    assert!(h.contains(&server.url("/archive/recent.html")), "{h}");
    assert_eq!(
        h.lines()
            .filter(|l| l.contains(&s1.run_id) || l.contains(&s2.run_id))
            .count(),
        2,
        "{h}"
    );
    let hj: serde_json::Value = serde_json::from_str(&stdout(&quire(&[
        "history",
        &server.url(NEW_ALIAS.0),
        "--json",
        "--store",
        st,
    ])))
    .unwrap();
    assert_eq!(
        hj.as_array().unwrap().len(),
        1,
        "MOVED: one capture, then a 304"
    );
    assert_eq!(hj[0]["url"], server.url(MOVED));

    // diff through an alias.
    let d = stdout(&quire(&[
        "diff",
        &server.url("/archive/recent.html"),
        "--store",
        st,
    ]));
    assert!(d.starts_with(&format!("diff {recent}\n")), "{d}");
    assert!(d.contains("A new first paragraph"), "{d}");
    let d = stdout(&quire(&[
        "diff",
        &server.url(NEW_ALIAS.0),
        "--from",
        &s1.run_id,
        "--to",
        &s2.run_id,
        "--json",
        "--store",
        st,
    ]));
    let dj: serde_json::Value = serde_json::from_str(&d).unwrap();
    assert_eq!(dj["url"], server.url(MOVED));

    // export (CLI): each article once, the new alias listed too.
    let lines = stdout(&quire(&["export", "--store", st]));
    let docs: Vec<Article> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let urls: BTreeSet<&str> = docs.iter().map(|a| a.content.url.as_str()).collect();
    assert_eq!(urls.len(), docs.len());
    let moved = docs
        .iter()
        .find(|a| a.content.url == server.url(MOVED))
        .unwrap();
    assert_eq!(moved.aliases, vec![server.url(NEW_ALIAS.0)]);
    // Per run: run 2's aliases only.
    let run2 = stdout(&quire(&["export", "--run", &s2.run_id, "--store", st]));
    let recent_doc: Article = run2
        .lines()
        .map(|l| serde_json::from_str::<Article>(l).unwrap())
        .find(|a| a.content.url == recent)
        .unwrap();
    assert_eq!(recent_doc.aliases, vec![server.url("/archive/recent.html")]);

    let v = quire(&["verify", "--store", st]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

/// The same site crawled one page at a time: no race, only the orders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_page_at_a_time_gives_the_same_store() {
    let server = TestServer::start(alias_site(0));
    let dir = tempfile::tempdir().unwrap();
    let s = run(config(&server, 1), dir.path()).await;
    let t = tally(&server);
    let mut all: Vec<&str> = ARTICLES.to_vec();
    all.extend([INDEX, ISSUE]);
    all.extend(redirect_paths());
    assert_each_fetched_once(&t, &all, "concurrency 1");
    let store = Store::open_reader(dir.path()).unwrap();
    assert_one_capture_per_article(&store, &RunId(s.run_id.clone()), &server, 0);
    assert!(store.verify().unwrap().ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_resumes_without_fetching_anything_twice() {
    const EXTRA: u64 = 30;
    let server = TestServer::start(alias_site(EXTRA));
    let dir = tempfile::tempdir().unwrap();

    // Session 1: stopped (as by SIGTERM) after a few pages; in-flight pages finish.
    let stop = Arc::new(tokio::sync::Notify::new());
    let s1 = {
        let store = Store::open_writer(dir.path()).unwrap();
        let trigger = stop.clone();
        let progress = move |p: &quire::crawl::Progress| {
            if p.done == 6 {
                trigger.notify_one();
            }
        };
        let waiter = stop.clone();
        crawl(
            config(&server, 4),
            store,
            async move { waiter.notified().await },
            &progress,
        )
        .await
        .unwrap()
    };
    assert!(
        !s1.finished && s1.stopped_by.as_deref() == Some("signal"),
        "{s1:#?}"
    );
    let done_in_1 = s1.captured + s1.aliases;
    assert!(
        done_in_1 < ARTICLES.len() as u64 + 2 + EXTRA,
        "the run was not interrupted: {s1:#?}"
    );

    // Session 2: resumes the run and finishes it.
    let s2 = run(config(&server, 4), dir.path()).await;
    assert!(s2.resumed && s2.finished, "{s2:#?}");
    assert_eq!(s2.run_id, s1.run_id);

    // Over both sessions, every URL was answered once.
    let t = tally(&server);
    let extra: Vec<String> = (0..EXTRA)
        .map(|i| format!("/archive/articles/0200/0200extra{i}.htm"))
        .collect();
    let mut all: Vec<&str> = ARTICLES.to_vec();
    all.extend([INDEX, ISSUE]);
    all.extend(redirect_paths());
    all.extend(extra.iter().map(String::as_str));
    assert_each_fetched_once(&t, &all, "interrupted + resumed");

    let store = Store::open_reader(dir.path()).unwrap();
    assert_one_capture_per_article(&store, &RunId(s2.run_id.clone()), &server, EXTRA as usize);
    assert_eq!(s2.aliases, REDIRECTS.len() as u64, "{s2:#?}");
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

/// `kill -9` in the middle of a run (the binary, with a delay between requests): the
/// resumed run loses no alias and stores every article once; only pages in flight at
/// the kill are requested again.
#[test]
fn a_killed_run_resumes_with_every_alias_and_one_capture_per_article() {
    const EXTRA: u64 = 20;
    let server = TestServer::start(alias_site(EXTRA));
    let dir = tempfile::tempdir().unwrap();
    let seed = server.url(INDEX);
    let st = dir.path().to_str().unwrap().to_string();
    let args = [
        "crawl",
        &seed,
        "--store",
        &st,
        "--delay",
        "40ms",
        "--profile",
        "esr",
        "--json",
    ];
    let mut child = Command::new(QUIRE)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let t0 = std::time::Instant::now();
    while server.log().len() < 14 && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().code(), None, "killed");
    let before = server.log().len();
    let out = quire(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(s["resumed"], true, "{s}");
    assert!(
        before < server.log().len(),
        "the run was killed before its end"
    );
    assert_eq!(s["aliases"], REDIRECTS.len(), "{s}");

    let t = tally(&server);
    for p in ARTICLES {
        let (ok, _) = t.get(*p).copied().unwrap_or_default();
        assert!((1..=2).contains(&ok), "{p} answered {ok} times");
    }
    let store = Store::open_reader(dir.path()).unwrap();
    let run = RunId(s["run_id"].as_str().unwrap().to_string());
    assert_one_capture_per_article(&store, &run, &server, EXTRA as usize);
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

/// An article that moved (its old URL now redirects to a new one) is one article:
/// unchanged, not removed + added; and when it moves back, the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_article_is_the_same_article() {
    const A: &str = "/archive/articles/0105/0105a.htm";
    const B: &str = "/archive/articles/0105/0105b.htm";
    let mut site = Site::default();
    site.pages.insert(A.into(), article(A, 1));
    site.pages.insert(PLAIN.into(), article(PLAIN, 2));
    site.pages
        .insert(INDEX.into(), index_page(&[A, PLAIN], "Archive"));
    let server = TestServer::start(site);
    let dir = tempfile::tempdir().unwrap();
    let s1 = run(config(&server, 2), dir.path()).await;
    assert_eq!(s1.captured, 3, "{s1:#?}");

    // Run 2: A moved to B (same page), A redirects there.
    {
        let mut site = server.state.site.write().unwrap();
        let page = site.pages.remove(A).unwrap();
        site.pages.insert(B.into(), page);
        site.redirects.insert(A.into(), (301, B.into()));
    }
    let s2 = run(config(&server, 2), dir.path()).await;
    assert_eq!(
        (s2.added, s2.removed, s2.changed, s2.unchanged),
        (Some(0), Some(0), Some(0), Some(2)),
        "{s2:#?}"
    );
    let store = Store::open_reader(dir.path()).unwrap();
    assert_eq!(store.resolve_alias(&server.url(A)).unwrap(), server.url(B));
    assert_eq!(
        store
            .article_history(&server.url(A))
            .unwrap()
            .captures
            .len(),
        2
    );
    drop(store);

    // Run 3: back at A; B is gone.
    {
        let mut site = server.state.site.write().unwrap();
        let page = site.pages.remove(B).unwrap();
        site.pages.insert(A.into(), page);
        site.redirects.clear();
    }
    let s3 = run(config(&server, 2), dir.path()).await;
    assert_eq!(
        (s3.added, s3.removed, s3.changed, s3.unchanged),
        (Some(0), Some(0), Some(0), Some(2)),
        "{s3:#?}"
    );
}

/// An old store keyed its captures by the URL requested, the redirect chain in the
/// provenance (and often captured the target a second time). A new run over it: the
/// article is one article (unchanged), not removed + added; the old capture stays in
/// the article's history; verify passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_store_keyed_by_requested_urls_compares_with_a_new_run() {
    let mut site = Site::default();
    site.pages.insert(RECENT.into(), article(RECENT, 1));
    site.pages.insert(PLAIN.into(), article(PLAIN, 2));
    site.redirects
        .insert("/archive/recent.html".into(), (301, "recent.htm".into()));
    site.pages.insert(
        INDEX.into(),
        index_page(&["/archive/recent.html", PLAIN], "Archive"),
    );
    let server = TestServer::start(site);
    let dir = tempfile::tempdir().unwrap();
    let old_url = server.url("/archive/recent.html");
    let new_url = server.url(RECENT);

    // Run 1, as the old crawler stored it: the capture of RECENT keyed by the
    // redirecting URL (content.url = the requested URL), the hop in the provenance.
    run(config(&server, 2), dir.path()).await;
    {
        let dir2 = tempfile::tempdir().unwrap();
        // Rebuild run 1 in the old shape in a fresh store, then swap it in.
        let store = Store::open_reader(dir.path()).unwrap();
        let h = store.history(&new_url).unwrap();
        let mut art = store.read_capture(&h[0].id).unwrap();
        let plain = store
            .read_capture(&store.history(&server.url(PLAIN)).unwrap()[0].id)
            .unwrap();
        let body = store.read_object(&art.provenance.raw_sha256).unwrap();
        let plain_body = store.read_object(&plain.provenance.raw_sha256).unwrap();
        drop(store);
        let mut old = Store::open_writer(dir2.path()).unwrap();
        let r = old
            .begin_run(&serde_json::json!({"seeds": [server.url(INDEX)]}))
            .unwrap();
        old.put_object(&body).unwrap();
        old.put_object(&plain_body).unwrap();
        art.content.url = old_url.clone();
        art.content_sha256 = quire::model::content_sha256(&art.content);
        art.provenance.run_id = Some(r.0.clone());
        old.put_capture(&r, &art).unwrap();
        let mut plain = plain;
        plain.provenance.run_id = Some(r.0.clone());
        old.put_capture(&r, &plain).unwrap();
        old.finish_run(&r, &serde_json::json!({})).unwrap();
        assert_eq!(
            old.format_version(),
            1,
            "no alias: the store stays format 1"
        );
        drop(old);
        std::fs::remove_dir_all(dir.path()).unwrap();
        copy_dir(dir2.path(), dir.path());
    }
    let old_store = Store::open_reader(dir.path()).unwrap();
    assert!(old_store.verify().unwrap().ok());
    let old_run = old_store.runs().unwrap()[0].id.clone();
    drop(old_store);

    let s2 = run(config(&server, 2), dir.path()).await;
    assert_eq!(s2.previous_run.as_deref(), Some(old_run.0.as_str()));
    assert_eq!(s2.added, Some(0), "{s2:#?}");
    assert_eq!(s2.removed, Some(0), "{s2:#?}");
    assert_eq!(s2.changed, Some(0), "{s2:#?}");
    assert_eq!(s2.unchanged, Some(2), "{s2:#?}");

    let store = Store::open_reader(dir.path()).unwrap();
    let cmp = quire::diff::compare_runs(&store, &old_run, &RunId(s2.run_id.clone())).unwrap();
    assert!(cmp.added.is_empty() && cmp.removed.is_empty() && cmp.changed.is_empty());
    // The old capture under the alias URL is part of the article's history.
    let h = store.article_history(&old_url).unwrap();
    assert_eq!(h.url, new_url);
    assert_eq!(h.aliases, vec![old_url.clone()]);
    assert_eq!(h.captures.len(), 2, "{h:?}");
    // The latest export shows the article once, under its final URL.
    let docs = jsonl_export(&store, &Selection::default());
    let urls: Vec<&str> = docs.iter().map(|a| a.content.url.as_str()).collect();
    assert!(!urls.contains(&old_url.as_str()), "{urls:?}");
    assert_eq!(urls.iter().filter(|u| **u == new_url).count(), 1);
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// warcio on a file (installed for the WARC interop tests).
fn warcio(args: &[&str], file: &Path) -> String {
    let out = Command::new("python3")
        .args(["-m", "warcio.cli"])
        .args(args)
        .arg(file)
        .output()
        .expect("python3 -m warcio.cli (pip install warcio)");
    assert!(
        out.status.success(),
        "warcio {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An article that the next run finds redirecting to a page that answers 404 is gone:
/// the 404 is recorded as `gone` at the end of the chain (an article had been captured
/// at its start), and `changes` reports the article removed, not a failure of a URL it
/// never had.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_article_that_now_redirects_to_a_404_is_removed() {
    let server = TestServer::start(alias_site(0));
    let dir = tempfile::tempdir().unwrap();
    let s1 = run(config(&server, 4), dir.path()).await;
    assert_eq!(s1.failed, 0, "{s1:#?}");
    let missing = "/archive/articles/9999missing.htm";
    {
        let mut site = server.state.site.write().unwrap();
        site.pages.remove(PLAIN);
        site.redirects.insert(PLAIN.into(), (301, missing.into()));
    }
    let s2 = run(config(&server, 4), dir.path()).await;
    let store = Store::open_reader(dir.path()).unwrap();
    let r2 = RunId(s2.run_id.clone());
    let kind = |u: &str| store.entry(&r2, &server.url(u)).unwrap().map(|e| e.kind);
    assert!(
        matches!(kind(missing), Some(EntryKind::Gone { http_status: 404 })),
        "{:?}",
        kind(missing)
    );
    assert!(
        matches!(kind(PLAIN), Some(EntryKind::Alias { .. })),
        "{:?}",
        kind(PLAIN)
    );
    let cmp = quire::diff::compare_runs(&store, &RunId(s1.run_id.clone()), &r2).unwrap();
    assert_eq!(cmp.removed, [server.url(PLAIN)], "{cmp:?}");
    assert!(cmp.failed.is_empty(), "{cmp:?}");
}
