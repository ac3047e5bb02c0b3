//! `quire crawl --source wayback`: the demo site's two versions served by a fake web
//! archive on 127.0.0.1 (`wayback_support`), in the Wayback Machine's layout and in a
//! pywb collection's. What is asserted: captures stored under their original URLs with
//! the archive's timestamp as `fetched_at` and `provenance.source` = wayback; `history`
//! and `changes` across the archive's timeline (two runs: `--to 2017`, `--from 2018`);
//! one capture per URL and run (the latest in the window); the CDX query's parameters
//! and its paging by resume key; `id_` replays only, nothing non-HTML, nothing collapsed
//! fetched; 429/503 `Retry-After` and the per-host delay and concurrency honoured (from
//! the archive's request log: order and counts, with lower bounds only); a capture the
//! archive does not have fails with its reason; `kill -9` and resume without refetching
//! a stored capture; hostile CDX answers are clear errors; every Article validates
//! against the schema.

mod wayback_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quire::store::{EntryKind, RunId, Store};
use wayback_support::{
    quire, rfc3339, stderr, summary, CdxMode, Fake, FERRY, FERRY_SERVED, GONE, SITE, T1, T2, T3,
    T3_PATHS,
};

const BIN: &str = env!("CARGO_BIN_EXE_quire");

fn is_html(mime: &str) -> bool {
    mime.starts_with("text/html")
}

/// The crawl's arguments for `prefix` at `endpoint` in store `store`, plus `extra`.
fn args<'a>(prefix: &'a str, endpoint: &'a str, store: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "crawl",
        "--source",
        "wayback",
        prefix,
        "--wayback-endpoint",
        endpoint,
        "--store",
        store,
        "--profile",
        "esr",
        "--retry-base",
        "10ms",
        "--json",
    ];
    v.extend_from_slice(extra);
    v
}

fn schema_validator() -> jsonschema::Validator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(format!("article-{}.json", quire::model::SCHEMA_VERSION));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

/// Every capture of the store: its Article as JSON, by (URL, run).
fn articles(store: &std::path::Path) -> Vec<(String, RunId, serde_json::Value)> {
    let s = Store::open_reader(store).unwrap();
    let mut ids = Vec::new();
    s.for_each_capture(false, None, |c| {
        ids.push((c.url, c.run, c.id));
        Ok(())
    })
    .unwrap();
    ids.into_iter()
        .map(|(url, run, id)| {
            let a = s.read_capture(&id).unwrap();
            (url, run, serde_json::to_value(&a).unwrap())
        })
        .collect()
}

/// Check one stored Article of a wayback capture: keyed by its original URL, the
/// archive's time, the source, the replay it came from, no archive validators.
fn assert_wayback_article(doc: &serde_json::Value, endpoint: &str, replay_prefix: &str) {
    let url = doc["content"]["url"].as_str().unwrap();
    assert!(
        url.starts_with(SITE),
        "stored under the original URL: {url}"
    );
    let p = &doc["provenance"];
    let src = &p["source"];
    assert_eq!(src["kind"], "wayback", "{p}");
    assert_eq!(src["endpoint"], endpoint, "{p}");
    assert_eq!(src["original_url"], url, "{p}");
    let ts = src["timestamp"].as_str().unwrap();
    assert_eq!(p["fetched_at"].as_str().unwrap(), rfc3339(ts), "{p}");
    assert_eq!(
        p["final_url"].as_str().unwrap(),
        format!("{replay_prefix}{ts}id_/{url}"),
        "{p}"
    );
    assert_eq!(p["http_status"], 200);
    assert!(
        p["etag"].is_null(),
        "the archive's ETag is not the page's: {p}"
    );
    assert!(p["last_modified"].is_null(), "{p}");
}

/// What the archive lists for `prefix` (HTML, status 200) in a window, per URL: the
/// timestamps, as a CDX server without `collapse` would give them.
fn listed_html(fake: &Fake, lo: &str, hi: &str) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in fake.all() {
        if c.listed
            && c.status == 200
            && is_html(&c.mime)
            && c.timestamp.as_str() >= lo
            && c.timestamp.as_str() <= hi
        {
            m.entry(c.original.clone())
                .or_default()
                .push(c.timestamp.clone());
        }
    }
    m
}

/// Two windows of the archive as two runs (Wayback layout, CDX paged five rows at a
/// time, throttled): `history` and `changes` across the timeline, exactly the demo's
/// expected changes; what was asked of the archive and how.
#[test]
fn two_windows_give_history_and_changes_across_the_timeline() {
    let fake = Fake::start();
    let endpoint = fake.wayback_endpoint();
    let replay_prefix = format!("{endpoint}/web/");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let st = store.to_str().unwrap();
    // Throttling: the second CDX page answers 503 with Retry-After first; one replay a
    // 429 with Retry-After; another a plain 500.
    let bridges = format!("/web/{T1}id_/{SITE}archive/articles/1017/1017bridges.htm");
    let charity = format!("/web/{T1}id_/{SITE}archive/articles/1216/1216charity.htm");
    fake.fault("cdx#1", &[(503, Some(1))]);
    fake.fault(&bridges, &[(429, Some(1))]);
    fake.fault(&charity, &[(500, None)]);
    // Replays take a moment, so that eight tasks would overlap without the host limit.
    fake.set_replay_delay(20);

    let first = quire(&args(
        SITE,
        &endpoint,
        st,
        &["--to", "2017", "--delay", "0", "--cdx-page-size", "5"],
    ));
    let log1 = fake.log();
    // One listed capture is not in the archive's replay: the run goes on, exit 1.
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let s1 = summary(&first);
    let v1 = listed_html(&fake, "2017", "20179999999999");
    assert_eq!(s1["finished"], true, "{s1}");
    assert_eq!(s1["captured"], v1.len() as u64 - 1, "{s1}");
    assert_eq!(s1["failed"], 1, "{s1}");
    assert_eq!(s1["failures"]["http_404"], 1, "{s1}");
    let w = &s1["wayback"];
    assert_eq!(w["endpoint"], endpoint.as_str());
    assert_eq!(w["layout"], "wayback");
    assert_eq!(w["captures"], v1.len() as u64, "{w}");
    assert_eq!(w["superseded"], 0, "{w}");
    let non_html_v1 = fake
        .all()
        .iter()
        .filter(|c| c.timestamp == T1 && !is_html(&c.mime))
        .count() as u64;
    assert_eq!(w["not_html"], non_html_v1, "{w}");
    // 14 HTML + non-HTML rows, 5 a page: the listing took several pages.
    let rows = w["rows"].as_u64().unwrap();
    assert_eq!(w["cdx_pages"], rows.div_ceil(5), "{w}");
    assert!(rows > 10, "{w}");

    let second = quire(&args(
        SITE,
        &endpoint,
        st,
        &["--from", "2018", "--delay", "0", "--cdx-page-size", "5"],
    ));
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let s2 = summary(&second);
    let log = fake.log();
    let log2 = &log[log1.len()..];
    assert_eq!(s2["previous_run"], s1["run_id"], "{s2}");
    // Exactly the demo's changes (src/demo/site/CHANGES.md).
    assert_eq!(s2["added"], 1, "{s2}");
    assert_eq!(s2["removed"], 1, "{s2}");
    assert_eq!(s2["changed"], 2, "{s2}");
    assert_eq!(s2["unchanged"], 5, "{s2}");

    let out = quire(&["changes", "--json", "--store", st]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = |k: &str| -> Vec<String> {
        c[k].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        list("added"),
        [format!("{SITE}archive/articles/1217/1217snowplow.htm")]
    );
    assert_eq!(
        list("removed"),
        [format!("{SITE}archive/articles/1116/1116recount.htm")]
    );
    assert_eq!(
        list("changed"),
        [
            format!("{SITE}archive/articles/1017/1017bridges.htm"),
            format!("{SITE}archive/articles/1117/1117licensing.htm")
        ]
    );

    // History of an edited article: both captures, at the archive's times, in order.
    let licensing = format!("{SITE}archive/articles/1117/1117licensing.htm");
    let out = quire(&["history", &licensing, "--json", "--store", st]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let times: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fetched_at"].as_str().unwrap())
        .collect();
    assert_eq!(times, [rfc3339(T1), rfc3339(T2)]);
    let digests: BTreeSet<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["content_sha256"].as_str().unwrap())
        .collect();
    assert_eq!(digests.len(), 2, "the edit is a content change");

    // Every Article: original URL, archive time, source, replay URL; schema-valid.
    let validator = schema_validator();
    let docs = articles(&store);
    assert_eq!(
        docs.len() as u64,
        s1["captured"].as_u64().unwrap() + s2["captured"].as_u64().unwrap()
    );
    for (url, _, doc) in &docs {
        assert_wayback_article(doc, &endpoint, &replay_prefix);
        let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{url}: {errors:?}");
    }
    // The ferry was listed at T2 and served (after a redirect) at FERRY_SERVED.
    let ferry = docs
        .iter()
        .find(|(u, _, d)| u == FERRY && d["provenance"]["source"]["timestamp"] != T1)
        .map(|(_, _, d)| d)
        .unwrap();
    assert_eq!(ferry["provenance"]["source"]["timestamp"], FERRY_SERVED);
    assert_eq!(ferry["provenance"]["fetched_at"], rfc3339(FERRY_SERVED));
    let hops = ferry["provenance"]["redirects"].as_array().unwrap();
    assert_eq!(hops.len(), 1, "{ferry}");
    assert_eq!(hops[0]["url"], format!("{replay_prefix}{T2}id_/{FERRY}"));
    assert_eq!(
        hops[0]["location"],
        format!("{replay_prefix}{FERRY_SERVED}id_/{FERRY}")
    );
    // The capture the replay lacks failed with its reason.
    let s = Store::open_reader(&store).unwrap();
    let gone = s
        .entry(&RunId(s1["run_id"].as_str().unwrap().into()), GONE)
        .unwrap()
        .unwrap();
    assert!(
        matches!(&gone.kind, EntryKind::Failed { reason, http_status: Some(404) } if reason.starts_with("http_404")),
        "{gone:?}"
    );

    // The requests: robots.txt, CDX pages, id_ replays; nothing else.
    for r in &log {
        assert!(
            r.path() == "/robots.txt" || r.path() == "/cdx/search/cdx" || r.replay().is_some(),
            "unexpected request {}",
            r.target
        );
        if let Some((stamp, original)) = r.replay() {
            assert!(stamp.ends_with("id_"), "not an id_ replay: {}", r.target);
            assert!(original.starts_with(SITE), "{}", r.target);
            let ts = &stamp[..14];
            assert_ne!(ts, T3, "a collapsed capture was fetched: {}", r.target);
            let cap = fake.all().iter().find(|c| c.original == original);
            assert!(
                cap.is_some_and(|c| is_html(&c.mime)),
                "non-HTML fetched: {}",
                r.target
            );
        }
    }
    // The CDX query: the documented parameters on every page; the window passed through.
    let cdx1: Vec<_> = log1.iter().filter(|r| r.is_cdx()).collect();
    let cdx2: Vec<_> = log2.iter().filter(|r| r.is_cdx()).collect();
    for (reqs, from, to) in [(&cdx1, None, Some("2017")), (&cdx2, Some("2018"), None)] {
        assert!(reqs.len() >= 2, "paged");
        for r in reqs.iter() {
            assert_eq!(r.param("url").as_deref(), Some(SITE));
            assert_eq!(r.param("matchType").as_deref(), Some("prefix"));
            assert_eq!(r.param("output").as_deref(), Some("json"));
            assert_eq!(
                r.param("fl").as_deref(),
                Some("timestamp,original,statuscode,mimetype,digest")
            );
            assert_eq!(r.param("collapse").as_deref(), Some("digest"));
            assert_eq!(r.param("filter").as_deref(), Some("statuscode:200"));
            assert_eq!(r.param("showResumeKey").as_deref(), Some("true"));
            assert_eq!(r.param("limit").as_deref(), Some("5"));
            assert_eq!(r.param("from").as_deref(), from, "{}", r.target);
            assert_eq!(r.param("to").as_deref(), to, "{}", r.target);
        }
        // Page n > 0 resumes with the key the archive gave (the fake answers 400 to
        // any other); every page was answered.
        assert!(reqs[0].param("resumeKey").is_none());
        assert!(reqs.iter().skip(1).all(|r| r.param("resumeKey").is_some()));
    }
    // Throttling honoured: each scripted failure was retried once, never before its
    // Retry-After, and the run went on.
    assert!(
        fake.early_retries().is_empty(),
        "{:?}",
        fake.early_retries()
    );
    let count = |t: &str| log.iter().filter(|r| r.target == t).count();
    assert_eq!(count(&bridges), 2);
    assert_eq!(count(&charity), 2);
    let statuses: Vec<u16> = log
        .iter()
        .filter(|r| r.target == bridges)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 200]);
    let page1: Vec<u16> = cdx1
        .iter()
        .filter(|r| r.param("resumeKey").is_some())
        .take(2)
        .map(|r| r.status)
        .collect();
    assert_eq!(
        page1,
        [503, 200],
        "page 2 of the listing: refused, then answered"
    );
    // At most --host-concurrency (2) requests in flight to the archive, with eight tasks.
    assert!(fake.max_in_flight() <= 2, "{}", fake.max_in_flight());
    // Each capture was requested once (plus the scripted retries and the ferry's hop).
    let mut per_target: HashMap<&str, usize> = HashMap::new();
    for r in log.iter().filter(|r| r.replay().is_some()) {
        *per_target.entry(&r.target).or_insert(0) += 1;
    }
    for (t, n) in per_target {
        let want = if t == bridges || t == charity { 2 } else { 1 };
        assert_eq!(n, want, "{t}");
    }
}

/// One command over the whole timeline, pywb layout, with a delay: one capture per URL,
/// the latest listed; pywb's answers (no resume key, no collapse, the nearest capture
/// served with its Memento-Datetime); politeness toward the archive.
#[test]
fn one_run_takes_the_latest_capture_of_each_url_politely() {
    let fake = Fake::start();
    let endpoint = fake.pywb_endpoint();
    let replay_prefix = format!("{endpoint}/");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let st = store.to_str().unwrap();
    let prefix = format!("{SITE}archive/");
    fake.set_replay_delay(30);
    // One task at a time, so that the order of the requests is the order taken.
    let out = quire(&args(
        &prefix,
        &endpoint,
        st,
        &["--delay", "120ms", "--concurrency", "1"],
    ));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = summary(&out);
    let log = fake.log();

    // pywb lists without collapsing, so the T3 copies are the latest of their URLs.
    let listed: BTreeMap<String, Vec<String>> = listed_html(&fake, "0", "99999999999999")
        .into_iter()
        .filter(|(u, _)| u.starts_with(&prefix))
        .collect();
    let latest: BTreeMap<&str, &str> = listed
        .iter()
        .map(|(u, ts)| (u.as_str(), ts.iter().max().unwrap().as_str()))
        .collect();
    let rows: usize = listed.values().map(Vec::len).sum();
    let w = &s["wayback"];
    assert_eq!(w["layout"], "pywb");
    assert_eq!(w["cdx_pages"], 1, "pywb has no resume key: one answer");
    assert_eq!(w["captures"], latest.len() as u64, "{w}");
    assert_eq!(w["superseded"], (rows - latest.len()) as u64, "{w}");
    assert!(w["superseded"].as_u64().unwrap() >= 8, "{w}");
    assert_eq!(
        s["captured"],
        latest.len() as u64 - 1,
        "all but {GONE}: {s}"
    );

    let run = RunId(s["run_id"].as_str().unwrap().into());
    let store_r = Store::open_reader(&store).unwrap();
    for (url, ts) in &latest {
        let h = store_r.history(url).unwrap();
        if *url == GONE {
            assert!(h.is_empty());
            continue;
        }
        assert_eq!(h.len(), 1, "{url}: one capture per URL and run");
        assert_eq!(h[0].run, run);
        let served = if *url == FERRY { FERRY_SERVED } else { ts };
        assert_eq!(
            h[0].fetched_at.as_deref(),
            Some(rfc3339(served).as_str()),
            "{url}"
        );
    }
    for p in T3_PATHS {
        assert_eq!(latest[format!("{SITE}{p}").as_str()], T3);
    }
    // The ferry was listed at T2 and pywb served FERRY_SERVED without a redirect: the
    // time is the archive's Memento-Datetime.
    let docs = articles(&store);
    let validator = schema_validator();
    for (url, _, doc) in &docs {
        if url == FERRY {
            assert_eq!(doc["provenance"]["source"]["timestamp"], FERRY_SERVED);
            assert!(doc["provenance"]["redirects"]
                .as_array()
                .unwrap()
                .is_empty());
            // The URL asked for; the time is the one served.
            assert_eq!(
                doc["provenance"]["final_url"],
                format!("{replay_prefix}{T2}id_/{FERRY}")
            );
            continue;
        }
        assert_wayback_article(doc, &endpoint, &replay_prefix);
        assert!(validator.is_valid(doc), "{url}");
    }

    // Only the chosen capture of each URL was requested: no superseded one.
    let replays: Vec<_> = log.iter().filter(|r| r.replay().is_some()).collect();
    let asked: BTreeSet<(String, String)> = replays
        .iter()
        .map(|r| {
            let (stamp, original) = r.replay().unwrap();
            (original, stamp[..14].to_string())
        })
        .collect();
    let chosen: BTreeSet<(String, String)> = latest
        .iter()
        .map(|(u, ts)| (u.to_string(), ts.to_string()))
        .collect();
    assert_eq!(asked, chosen);
    // Each requested once; GONE, which pywb answers 503 (listed, no record loads),
    // once more per retry.
    let gone = replays
        .iter()
        .filter(|r| r.replay().is_some_and(|(_, o)| o == GONE))
        .count();
    assert!(gone >= 2, "{GONE} retried after pywb's 503: {gone}");
    assert_eq!(
        replays.len() - gone,
        chosen.len() - 1,
        "each requested once"
    );
    // Captures taken in archive-timestamp order.
    let order: Vec<String> = replays
        .iter()
        .map(|r| r.replay().unwrap().0[..14].to_string())
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "taken oldest first");

    // Politeness: request starts at least --delay apart: over n requests the span is at
    // least (n-1) delays (less a margin for the first request's connection set-up; only
    // a lower bound is asserted).
    let n = log.len();
    assert!(n >= 10, "{n} requests");
    let span = log[n - 1].at.duration_since(log[0].at);
    let floor = Duration::from_millis(120) * (n as u32 - 1) * 8 / 10;
    assert!(
        span >= floor,
        "{n} requests in {span:?}, expected at least {floor:?}"
    );
}

fn replays_of(log: &[wayback_support::Req]) -> Vec<(String, String)> {
    log.iter()
        .filter_map(|r| r.replay())
        .map(|(stamp, original)| (stamp[..14].to_string(), original))
        .collect()
}

/// kill -9 in the middle of the captures, then the same command again: the run resumes
/// and no capture stored before the kill is requested again. Meanwhile, another crawl
/// may not begin (the unfinished run must be finished by the command that began it).
#[test]
fn kill_9_and_resume_without_refetching_stored_captures() {
    let fake = Fake::start();
    let endpoint = fake.wayback_endpoint();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let st = store.to_str().unwrap();
    let a = args(SITE, &endpoint, st, &["--delay", "100ms"]);
    let mut child = Command::new(BIN)
        .args(&a)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while replays_of(&fake.log()).len() < 6 && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed");
    let before = fake.log().len();
    assert!(replays_of(&fake.log()).len() >= 6);

    // What the killed run stored.
    let s = Store::open_reader(&store).unwrap();
    let runs = s.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert!(runs[0].finished_at.is_none(), "left unfinished");
    let mut stored: Vec<(String, String)> = Vec::new();
    s.for_each_capture(false, None, |c| {
        let ts = c.fetched_at.unwrap().replace(['-', ':', 'T', 'Z'], "");
        stored.push((ts, c.url));
        Ok(())
    })
    .unwrap();
    drop(s);
    assert!(
        !stored.is_empty(),
        "some captures were durable before the kill"
    );

    // Another crawl cannot begin while it is unfinished: nothing is done (exit 2).
    let live = quire(&[
        "crawl",
        &format!("http://{}/", fake.addr),
        "--store",
        st,
        "--delay",
        "0",
    ]);
    assert_eq!(live.status.code(), Some(2), "{}", stderr(&live));
    assert!(
        stderr(&live).contains("unfinished") && stderr(&live).contains("web archive"),
        "{}",
        stderr(&live)
    );
    let other = quire(&args(SITE, &endpoint, st, &["--to", "2017"]));
    assert_eq!(other.status.code(), Some(2), "{}", stderr(&other));
    assert!(stderr(&other).contains("--to 2017"), "{}", stderr(&other));
    assert_eq!(fake.log().len(), before, "nothing was requested by either");

    let out = quire(&a);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let sum = summary(&out);
    assert_eq!(sum["resumed"], true, "{sum}");
    assert_eq!(sum["run_id"], runs[0].id.0.as_str());
    let expected = listed_html(&fake, "0", "99999999999999").len() as u64;
    assert_eq!(sum["captured"], expected - 1, "{sum}");
    assert_eq!(sum["failed"], 1, "{GONE}: {sum}");

    let log = fake.log();
    let after = replays_of(&log[before..]);
    for (ts, url) in &stored {
        assert!(
            !after.iter().any(|(t, u)| t == ts && u == url),
            "{url} at {ts} was stored before the kill and fetched again"
        );
    }
    // Only captures fetched before the kill but not yet durable (in flight, at most
    // --host-concurrency of them, or held back for their issue's date until the
    // run's end) may be fetched a second time; none a third.
    let mut per: HashMap<(String, String), usize> = HashMap::new();
    for k in replays_of(&log) {
        *per.entry(k).or_insert(0) += 1;
    }
    assert!(per.values().all(|&n| n <= 2), "{per:?}");
    let not_durable: BTreeSet<(String, String)> = replays_of(&log[..before])
        .into_iter()
        .filter(|k| !stored.contains(k))
        .collect();
    for (k, n) in &per {
        assert!(
            *n == 1 || not_durable.contains(k),
            "{k:?} fetched twice though it was durable or not fetched before the kill"
        );
    }
    // One capture per URL in the finished run.
    let s = Store::open_reader(&store).unwrap();
    let mut urls = BTreeSet::new();
    s.for_each_capture(false, None, |c| {
        assert!(urls.insert(c.url.clone()), "{} twice", c.url);
        Ok(())
    })
    .unwrap();
    assert_eq!(urls.len() as u64, expected - 1);
    assert!(s.verify().unwrap().problems.is_empty());
}

/// Hostile or broken CDX answers: a clear error naming the listing and the problem,
/// exit 5, no panic, and no run begun.
#[test]
fn hostile_cdx_answers_are_clear_errors() {
    let fake = Fake::start();
    let endpoint = fake.wayback_endpoint();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (CdxMode::Truncated, "not CDX JSON"),
        (
            CdxMode::WrongTypes,
            "CDX row 1: field timestamp is a number",
        ),
        (CdxMode::HugeField, "bytes long"),
        (CdxMode::HugeBody, "body larger than"),
        (CdxMode::Html, "not CDX JSON"),
        (CdxMode::NotCdx, "CDX row 1: no timestamp"),
        (CdxMode::KeyLoop, "resume key"),
        (CdxMode::BadTimestamp, "naming a real instant"),
        (CdxMode::AlwaysFailing, "HTTP status 500"),
    ];
    for (i, (mode, want)) in cases.into_iter().enumerate() {
        fake.set_mode(mode);
        let store = dir.path().join(format!("s{i}"));
        let out = quire(&args(
            SITE,
            &endpoint,
            store.to_str().unwrap(),
            &["--delay", "0", "--retries", "1"],
        ));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(5), "{mode:?}: {err}");
        assert!(err.contains("CDX listing"), "{mode:?}: {err}");
        assert!(err.contains(want), "{mode:?}: {err:?} lacks {want:?}");
        assert!(!err.contains("panicked"), "{mode:?}: {err}");
        assert!(out.stdout.is_empty(), "{mode:?}");
        let s = Store::open_reader(&store).unwrap();
        assert!(s.runs().unwrap().is_empty(), "{mode:?}: a run was begun");
    }
    // No replay was ever requested.
    assert!(fake.log().iter().all(|r| r.replay().is_none()));

    // A window the archive has nothing in: no run (exit 1), rather than an empty run
    // that would make the previous run's articles look removed.
    fake.set_mode(CdxMode::Normal);
    let store = dir.path().join("empty");
    let out = quire(&args(
        SITE,
        &endpoint,
        store.to_str().unwrap(),
        &["--from", "2030", "--delay", "0"],
    ));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("lists no HTML capture") && err.contains("no run was begun"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let cdx = fake.log().into_iter().rev().find(|r| r.is_cdx()).unwrap();
    assert_eq!(cdx.param("from").as_deref(), Some("2030"));
    assert!(Store::open_reader(&store)
        .unwrap()
        .runs()
        .unwrap()
        .is_empty());

    // A listing cut at --max-frontier URLs says so, and the run takes those URLs.
    let store = dir.path().join("capped");
    let out = quire(&args(
        SITE,
        &endpoint,
        store.to_str().unwrap(),
        &["--max-frontier", "3", "--to", "2017", "--delay", "0"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = summary(&out);
    assert_eq!(s["wayback"]["truncated"], true, "{s}");
    assert_eq!(s["wayback"]["captures"], 3, "{s}");
    assert_eq!(s["captured"], 3, "{s}");
}

/// Flags that do not fit `--source wayback` (or need it) are usage errors; the
/// defaults: the Internet Archive, one second between requests to it.
#[test]
fn wayback_flags_and_defaults() {
    use clap::Parser;
    use quire::cli::{Cli, Command as Cmd};
    let parse = |argv: &[&str]| -> quire::cli::crawl::Args {
        let mut v = vec!["quire", "crawl"];
        v.extend_from_slice(argv);
        match Cli::try_parse_from(v).unwrap().command {
            Cmd::Crawl(a) => a,
            other => panic!("{other:?}"),
        }
    };
    let (cfg, _, _) = quire::cli::crawl::build_config(parse(&[
        "--source",
        "wayback",
        "http://esr.invalid/archive/",
        "--store",
        "x",
        "--from",
        "2016",
        "--to",
        "20171231",
    ]))
    .unwrap();
    let wb = cfg.wayback.expect("wayback settings");
    assert_eq!(wb.endpoint.base(), "https://web.archive.org");
    assert_eq!(
        wb.endpoint.cdx().as_str(),
        "https://web.archive.org/cdx/search/cdx"
    );
    assert_eq!(wb.from.as_deref(), Some("2016"));
    assert_eq!(wb.to.as_deref(), Some("20171231"));
    assert_eq!(
        cfg.fetch.host_delay,
        Duration::from_secs(1),
        "the live crawl's default delay"
    );
    assert_eq!(cfg.fetch.host_concurrency, 2);
    let (live, _, _) =
        quire::cli::crawl::build_config(parse(&["http://esr.invalid/", "--store", "x"])).unwrap();
    assert!(live.wayback.is_none());

    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s");
    let st = st.to_str().unwrap();
    for bad in [
        vec![
            "crawl",
            "http://esr.invalid/",
            "--from",
            "2016",
            "--store",
            st,
        ],
        vec![
            "crawl",
            "--source",
            "wayback",
            "http://a.invalid/",
            "http://b.invalid/",
            "--store",
            st,
        ],
        vec![
            "crawl",
            "--source",
            "wayback",
            "http://a.invalid/",
            "--from",
            "2019",
            "--to",
            "2017",
            "--store",
            st,
        ],
        vec![
            "crawl",
            "--source",
            "wayback",
            "http://a.invalid/",
            "--from",
            "16",
            "--store",
            st,
        ],
        vec![
            "crawl",
            "--source",
            "wayback",
            "http://a.invalid/",
            "--wayback-endpoint",
            "ftp://x",
            "--store",
            st,
        ],
        vec![
            "crawl",
            "--source",
            "wayback",
            "http://a.invalid/",
            "--scope",
            "http://a.invalid/b/",
            "--store",
            st,
        ],
        vec![
            "crawl",
            "--source",
            "wayback",
            "http://a.invalid/",
            "--max-depth",
            "2",
            "--store",
            st,
        ],
    ] {
        let out = quire(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
}
