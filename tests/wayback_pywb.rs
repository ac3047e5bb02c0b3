//! `quire crawl --source wayback` against a real pywb (PyPI `pywb`, installed by
//! `.ci/run`), not the fake of `tests/wayback.rs`: the demo site's two versions are
//! written into one WARC (v1 at [`T1`], v2 at [`T2`], with those WARC-Dates), put in a
//! pywb collection with `wb-manager`, and served by `wayback` on 127.0.0.1. quire crawls
//! two windows (`--to 2017`, then `--from 2018`) from the collection and what is asserted
//! is what a user meets: every HTML page of each version stored under its original URL,
//! `fetched_at` = the capture's archive time, `provenance.source` = wayback with the
//! endpoint and timestamp, the raw bytes and `content_sha256` those of the site's pages
//! (as `quire extract` makes them), `quire changes` = the demo's changes, and pywb's own
//! answers for two captures whose WARC is gone (a second index names a missing file):
//! one with no other capture fails with its reason, the other is served by pywb from
//! the nearest capture that loads, and stored at that capture's time.
//!
//! Without `wayback`/`wb-manager` (or `python3 -c 'import pywb'` failing) the test prints
//! why it skips; in CI (`CI=true`) it fails instead.

mod import_support;
mod wayback_support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use import_support::{http, response, write_warc, Gz};
use quire::store::{EntryKind, RunId, Store};
use sha2::Digest;
use wayback_support::{quire, rfc3339, stderr, summary};

/// The demo site's v1 in the WARC (WARC-Date 2017-01-05T12:00:00Z).
const T1: &str = "20170105120000";
/// The demo site's v2 (WARC-Date 2018-02-10T08:30:00Z).
const T2: &str = "20180210083000";
/// The archived site (`.invalid`: a fetch of an original URL instead of its replay
/// would fail at once, without leaving loopback).
const SITE: &str = "http://esr.invalid/";
/// The collection's name.
const COLL: &str = "esr";
/// Listed by pywb (a second index) at [`T1`], its WARC missing: pywb cannot replay it.
const GONE: &str = "http://esr.invalid/archive/gone.htm";
/// An article whose capture at [`LOST`] (its latest in the first window) is listed but
/// its WARC missing: pywb serves its [`T1`] capture instead.
const LOST_PATH: &str = "archive/articles/1016/1016pensions.htm";
/// See [`LOST_PATH`].
const LOST: &str = "20170105120007";

/// Is pywb installed (its two commands on PATH and the module importable)? Panics in CI
/// when it is not; elsewhere prints why the test is skipped and returns false.
fn pywb_ready() -> bool {
    let on_path = |cmd: &str| {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(cmd).is_file()))
    };
    let importable = Command::new("python3")
        .args(["-c", "import pywb"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let mut missing: Vec<&str> = ["wayback", "wb-manager"]
        .into_iter()
        .filter(|c| !on_path(c))
        .collect();
    if !importable {
        missing.push("`python3 -c 'import pywb'`");
    }
    if missing.is_empty() {
        return true;
    }
    let reason = format!(
        "pywb is not installed ({} missing or failing; `pip install 'pywb==2.10.*'`, \
         as .ci/run does)",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{reason}: CI must run the pywb interop test");
    }
    eprintln!("SKIPPED pywb test: {reason}");
    false
}

/// A running `wayback` (its own process group): killed, group and all, when dropped.
struct Pywb {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Pywb {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group this test created; no memory involved.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Pywb {
    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A port free on 127.0.0.1 at the time of asking.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.0 GET on loopback: (status, body), or None when nothing answers.
fn get(port: u16, target: &str) -> Option<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let status = std::str::from_utf8(&buf[..head_end])
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, buf[head_end + 4..].to_vec()))
}

/// Start `wayback` in `root` (which holds `config.yaml`) on a free loopback port; run
/// `meanwhile` (making the collection: pywb finds collections as they appear) while it
/// starts, then wait until the collection's CDX server lists something.
fn start_pywb(root: &Path, meanwhile: impl FnOnce()) -> Pywb {
    use std::os::unix::process::CommandExt;
    let log = root.join("wayback.log");
    let spawn = || {
        let port = free_port();
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new("wayback")
            .args(["-b", "127.0.0.1", "-p", &port.to_string(), "-t", "4"])
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .process_group(0)
            .spawn()
            .expect("start wayback");
        Pywb {
            child,
            port,
            log: log.clone(),
        }
    };
    let mut pywb = spawn();
    meanwhile();
    for _attempt in 0..3 {
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(_)) = pywb.child.try_wait() {
                break; // it exited (the port was taken meanwhile?): another port
            }
            let probe = format!("/{COLL}/cdx?url={SITE}&matchType=prefix&output=json&limit=1");
            if let Some((200, body)) = get(pywb.port, &probe) {
                if !body.is_empty() {
                    return pywb;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!(
            "wayback did not answer on {}:\n{}",
            pywb.port,
            pywb.log_text()
        );
        pywb = spawn();
    }
    panic!("wayback did not start; its log: {}", log.display());
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

/// The archived URL of a demo-site file.
fn original_of(path: &str) -> String {
    if path == "index.html" {
        SITE.to_string()
    } else {
        format!("{SITE}{path}")
    }
}

/// What the demo server sends as Content-Type (`src/demo/server.rs`).
fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("htm" | "html") => "text/html",
        Some("gif") => "image/gif",
        Some("txt") => "text/plain; charset=us-ascii",
        _ => "application/octet-stream",
    }
}

/// The HTML pages of demo version `v` ("v1"/"v2"): original URL → bytes.
fn html_pages(v: &str) -> BTreeMap<String, &'static [u8]> {
    quire::demo::site::FILES
        .iter()
        .filter_map(|(file, bytes)| {
            let (version, path) = file.split_once('/')?;
            (version == v && content_type(path) == "text/html").then(|| (original_of(path), *bytes))
        })
        .collect()
}

/// The WARC: every file of v1 at T1 and of v2 at T2 (robots.txt and GIFs included, so
/// that pywb lists non-HTML captures too), and one archived 301 at T2.
fn write_site_warc(path: &Path) {
    let mut recs = Vec::new();
    for (n, (file, bytes)) in quire::demo::site::FILES.iter().enumerate() {
        let (version, p) = file.split_once('/').unwrap();
        let date = if version == "v1" {
            "2017-01-05T12:00:00Z"
        } else {
            "2018-02-10T08:30:00Z"
        };
        let message = http(
            200,
            &[
                ("Content-Type", content_type(p)),
                ("Content-Length", &bytes.len().to_string()),
            ],
            bytes,
        );
        recs.push(response(
            &original_of(p),
            date,
            &format!("00000000-0000-4000-8000-{n:012}"),
            &message,
        ));
    }
    let moved = http(
        301,
        &[
            ("Location", "http://esr.invalid/archive/"),
            ("Content-Length", "0"),
        ],
        b"",
    );
    recs.push(response(
        &format!("{SITE}archive/moved.htm"),
        "2018-02-10T08:30:00Z",
        "00000000-0000-4000-8000-999999999999",
        &moved,
    ));
    write_warc(path, "1.1", Gz::PerRecord, &recs);
}

/// SURT key of a URL on `esr.invalid` as pywb writes it (`invalid,esr)/path`).
fn surt(url: &str) -> String {
    let path = url.strip_prefix("http://esr.invalid").unwrap();
    format!("invalid,esr){path}")
}

/// pywb's `config.yaml`. The defaults need no network; say so, and keep to the
/// collection's files.
fn write_config(root: &Path) {
    std::fs::write(
        root.join("config.yaml"),
        "# quire's interop test: one local collection; no live web, recording or proxy.\n\
         collections_root: collections\n\
         enable_memento: true\n\
         framed_replay: false\n",
    )
    .unwrap();
}

/// The collection: `wb-manager init` + `add`, then a second index naming a WARC that
/// is not there (a collection whose file was lost).
fn make_collection(root: &Path) {
    let warc = root.join("esr-site.warc.gz");
    write_site_warc(&warc);
    let wb = |args: &[&str]| {
        let o = Command::new("wb-manager")
            .args(args)
            .current_dir(root)
            .output()
            .expect("wb-manager");
        assert!(
            o.status.success(),
            "wb-manager {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    wb(&["init", COLL]);
    wb(&["add", COLL, warc.to_str().unwrap()]);
    let indexes = root.join("collections").join(COLL).join("indexes");
    assert!(indexes.join("index.cdxj").is_file(), "wb-manager indexed");
    let lost = original_of(LOST_PATH);
    let mut lines: Vec<String> = [(GONE, T1), (lost.as_str(), LOST)]
        .iter()
        .map(|(url, ts)| {
            format!(
                "{} {ts} {{\"url\": \"{url}\", \"mime\": \"text/html\", \"status\": \"200\", \
                 \"digest\": \"LOSTLOSTLOSTLOSTLOSTLOSTLOSTLOST\", \"length\": \"400\", \
                 \"offset\": \"0\", \"filename\": \"lost.warc.gz\"}}",
                surt(url)
            )
        })
        .collect();
    lines.sort();
    std::fs::write(indexes.join("lost.cdxj"), lines.join("\n") + "\n").unwrap();
}

/// `content_sha256` of a page as `quire extract` makes it from the site's bytes.
fn extracted_digest(dir: &Path, url: &str, bytes: &[u8]) -> String {
    let file = dir.join("page.htm");
    std::fs::write(&file, bytes).unwrap();
    let out = quire(&[
        "extract",
        file.to_str().unwrap(),
        "--url",
        url,
        "--content-type",
        "text/html",
        "--profile",
        "esr",
    ]);
    assert!(out.status.success(), "extract {url}: {}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["content_sha256"].as_str().unwrap().to_string()
}

/// Every capture of a run: URL → its Article as JSON.
fn run_articles(store: &Path, run: &str) -> BTreeMap<String, serde_json::Value> {
    let s = Store::open_reader(store).unwrap();
    let mut ids = Vec::new();
    s.for_each_capture(false, None, |c| {
        if c.run.0 == run {
            ids.push((c.url, c.id));
        }
        Ok(())
    })
    .unwrap();
    ids.into_iter()
        .map(|(url, id)| {
            let a = s.read_capture(&id).unwrap();
            (url, serde_json::to_value(&a).unwrap())
        })
        .collect()
}

#[test]
fn two_windows_of_a_real_pywb_collection() {
    if !pywb_ready() {
        return;
    }
    let t0 = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("pywb");
    std::fs::create_dir(&root).unwrap();
    write_config(&root);
    let pywb = start_pywb(&root, || make_collection(&root));
    let endpoint = format!("http://127.0.0.1:{}/{COLL}", pywb.port);
    let replay_prefix = format!("{endpoint}/");
    let store = dir.path().join("store");
    let st = store.to_str().unwrap();
    let crawl = |window: &[&str]| {
        let mut a = vec![
            "crawl",
            "--source",
            "wayback",
            SITE,
            "--wayback-endpoint",
            &endpoint,
            "--store",
            st,
            "--profile",
            "esr",
            "--delay",
            "0",
            "--retries",
            "1",
            "--retry-base",
            "10ms",
            "--json",
        ];
        a.extend_from_slice(window);
        quire(&a)
    };

    // Window 1: v1. GONE cannot be replayed: the run goes on, exit 1.
    let first = crawl(&["--to", "2017"]);
    assert_eq!(
        first.status.code(),
        Some(1),
        "{}\npywb's log:\n{}",
        stderr(&first),
        pywb.log_text()
    );
    let s1 = summary(&first);
    let v1 = html_pages("v1");
    let v2 = html_pages("v2");
    assert_eq!(s1["finished"], true, "{s1}");
    assert_eq!(s1["captured"], v1.len() as u64, "{s1}");
    assert_eq!(s1["failed"], 1, "{s1}");
    let w = &s1["wayback"];
    assert_eq!(w["endpoint"], endpoint.as_str(), "{w}");
    assert_eq!(w["layout"], "pywb", "{w}");
    assert_eq!(w["cdx_pages"], 1, "{w}");
    // pywb lists every v1 file (3 not HTML: two GIFs, robots.txt) and the two lost
    // captures; the lost one of LOST_PATH supersedes its T1 capture.
    let v1_files = quire::demo::site::FILES
        .iter()
        .filter(|(f, _)| f.starts_with("v1/"))
        .count() as u64;
    assert_eq!(w["rows"], v1_files + 2, "{w}");
    assert_eq!(w["not_html"], v1_files - v1.len() as u64, "{w}");
    assert_eq!(w["not_200"], 0, "{w}");
    assert_eq!(w["out_of_window"], 0, "pywb applied --to: {w}");
    assert_eq!(w["superseded"], 1, "{w}");
    assert_eq!(w["captures"], v1.len() as u64 + 1, "{w}");
    let run1 = s1["run_id"].as_str().unwrap().to_string();

    // The capture pywb lists but cannot replay: failed, with pywb's answer as reason.
    let s = Store::open_reader(&store).unwrap();
    let gone = s.entry(&RunId(run1.clone()), GONE).unwrap().unwrap();
    match &gone.kind {
        EntryKind::Failed {
            reason,
            http_status,
        } => {
            assert_eq!(*http_status, Some(503), "{gone:?}");
            assert!(reason.starts_with("http_503"), "{reason}");
        }
        other => panic!("{GONE}: {other:?}"),
    }
    drop(s);

    // Window 2: v2; its changes against window 1.
    let second = crawl(&["--from", "2018"]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let s2 = summary(&second);
    assert_eq!(s2["captured"], v2.len() as u64, "{s2}");
    assert_eq!(s2["previous_run"], run1.as_str(), "{s2}");
    let w = &s2["wayback"];
    assert_eq!(w["captures"], v2.len() as u64, "{w}");
    assert_eq!(w["not_200"], 0, "the 301 left out by the CDX filter: {w}");
    assert_eq!(w["out_of_window"], 0, "pywb applied --from: {w}");
    let run2 = s2["run_id"].as_str().unwrap().to_string();
    // Exactly the demo's changes (src/demo/site/CHANGES.md).
    assert_eq!(s2["added"], 1, "{s2}");
    assert_eq!(s2["removed"], 1, "{s2}");
    assert_eq!(s2["changed"], 2, "{s2}");
    assert_eq!(s2["unchanged"], 5, "{s2}");
    let out = quire(&["changes", &run1, &run2, "--json", "--store", st]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = |k: &str| -> Vec<String> {
        c[k].as_array()
            .unwrap_or_else(|| panic!("{k} in {c}"))
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

    // Every page of each version, under its original URL, at the capture's archive time,
    // from pywb's id_ replay, with the site's bytes and the content quire extracts.
    let scratch = dir.path().join("extract");
    std::fs::create_dir(&scratch).unwrap();
    for (run, pages, ts) in [(&run1, &v1, T1), (&run2, &v2, T2)] {
        let docs = run_articles(&store, run);
        let urls: BTreeSet<&String> = docs.keys().collect();
        assert_eq!(urls, pages.keys().collect(), "run {run}");
        for (url, doc) in &docs {
            let p = &doc["provenance"];
            assert_eq!(doc["content"]["url"], url.as_str(), "{p}");
            assert_eq!(p["fetched_at"], rfc3339(ts), "{url}: {p}");
            assert_eq!(p["http_status"], 200, "{url}: {p}");
            let src = &p["source"];
            assert_eq!(src["kind"], "wayback", "{url}: {p}");
            assert_eq!(src["endpoint"], endpoint.as_str(), "{url}: {p}");
            assert_eq!(src["timestamp"], ts, "{url}: {p}");
            assert_eq!(src["original_url"], url.as_str(), "{url}: {p}");
            // The URL asked for: the listed capture's id_ replay (for LOST_PATH, the lost
            // capture, which pywb answered with its T1 capture, without redirecting).
            let listed = if run == &run1 && *url == original_of(LOST_PATH) {
                LOST
            } else {
                ts
            };
            assert_eq!(
                p["final_url"],
                format!("{replay_prefix}{listed}id_/{url}"),
                "{url}: {p}"
            );
            assert!(p["redirects"].as_array().unwrap().is_empty(), "{url}: {p}");
            assert!(p["etag"].is_null() && p["last_modified"].is_null(), "{p}");
            let bytes = pages[url.as_str()];
            assert_eq!(
                p["raw_sha256"],
                sha256_hex(bytes),
                "{url}: the site's bytes"
            );
            assert_eq!(p["raw_bytes"], bytes.len() as u64, "{url}");
            assert_eq!(
                doc["content_sha256"].as_str().unwrap(),
                extracted_digest(&scratch, url, bytes),
                "{url}: the content quire extracts from the site's page"
            );
        }
    }

    // History of an edited article across the archive's timeline.
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

    // What quire asked of pywb: its CDX server twice (one answer per window) and id_
    // replays, nothing else under the collection.
    let log = pywb.log_text();
    let asked: Vec<&str> = log
        .lines()
        .filter_map(|l| l.split('"').nth(1))
        .filter_map(|r| r.strip_prefix("GET "))
        .filter_map(|r| r.split(' ').next())
        .filter(|t| t.starts_with(&format!("/{COLL}/")))
        .collect();
    // quire's listings (the readiness probe asks for `limit=1` only): one per window,
    // the window passed through.
    let listings: Vec<&&str> = asked
        .iter()
        .filter(|t| t.starts_with(&format!("/{COLL}/cdx?")) && t.contains("&fl="))
        .collect();
    assert_eq!(listings.len(), 2, "{asked:#?}");
    assert!(listings[0].contains("to=2017") && !listings[0].contains("from="));
    assert!(listings[1].contains("from=2018") && !listings[1].contains("to="));
    for t in &asked {
        let rest = &t[COLL.len() + 2..];
        assert!(
            // pywb's front end asks its own index server (`/index?`) on the same port.
            rest.starts_with("cdx?")
                || rest.starts_with("index?")
                || rest.get(14..18) == Some("id_/"),
            "not a CDX query nor an id_ replay: {t}"
        );
    }
    eprintln!("pywb interop test: {:?}", t0.elapsed());
}
