//! `quire crawl` (the binary, as a child process) against the hostile server: the run
//! ends within a wall-clock cap, its peak RSS stays bounded, every hostile page ends
//! as a capture, a failure with its reason, or a counted skip, nothing out of scope is
//! requested, and `quire verify` passes on the store afterwards. Also the run limits
//! set from the command line.

mod support;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quire::store::{EntryKind, RunId, Store};
use support::hostile::{path, HostileOptions, HostileServer, ALL};

/// What a child run of `quire` gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// Peak resident set size of the child, in KiB (getrusage ru_maxrss = VmHWM).
    max_rss_kib: i64,
    elapsed: Duration,
}

/// Run `quire args`, killing it (and failing) after `cap`.
fn quire(args: &[&str], cap: Duration) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let (status, rusage) = loop {
        let mut status = 0;
        // SAFETY: wait4 on our own child with valid out-pointers.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if r == pid {
            break (status, ru);
        }
        assert!(r == 0, "wait4 failed");
        if started.elapsed() > cap {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("quire {args:?} still running after {cap:?}: hang");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Run {
        code,
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err).unwrap_or_default(),
        max_rss_kib: rusage.ru_maxrss,
        elapsed: started.elapsed(),
    }
}

fn summary(r: &Run) -> serde_json::Value {
    let line = r.stdout.lines().last().unwrap_or("");
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!("no JSON summary ({e}): {}\n{}", r.stdout, r.stderr);
    })
}

/// Outcomes of the store's only run: URL path → "captured" / "failed: reason" / "gone".
fn outcomes(store_dir: &std::path::Path, run_id: &str) -> BTreeMap<String, String> {
    let store = Store::open_reader(store_dir).unwrap();
    let mut m = BTreeMap::new();
    store
        .for_each_entry(&RunId(run_id.to_string()), |e| {
            let p = url::Url::parse(&e.url).unwrap().path().to_string();
            let v = match e.kind {
                EntryKind::Captured { .. } => "captured".to_string(),
                EntryKind::Failed { reason, .. } => format!("failed: {reason}"),
                other => format!("{other:?}"),
            };
            m.insert(p, v);
            Ok(())
        })
        .unwrap();
    m
}

const FAST: &[&str] = &[
    "--json",
    "--delay",
    "0",
    "--retries",
    "1",
    "--retry-base",
    "10ms",
    "--connect-timeout",
    "500ms",
    "--read-timeout",
    "1s",
];

#[test]
fn a_crawl_of_the_hostile_site_ends_bounded_and_records_every_failure() {
    let canary = HostileServer::start(HostileOptions::default());
    let server = HostileServer::start(HostileOptions {
        canary_port: canary.addr.port(),
        big_robots: true,
        ..HostileOptions::default()
    });
    let store = tempfile::tempdir().unwrap();
    let seed = server.url(path::INDEX);
    let store_arg = store.path().to_str().unwrap();
    let mut args = vec!["crawl", seed.as_str(), "--store", store_arg];
    args.extend_from_slice(FAST);
    // Depth 1: the index and its hostile links; not the million links' targets. The
    // 1 byte/s body is cut off by the whole-request timeout.
    args.extend_from_slice(&["--max-depth", "1", "--request-timeout", "3s"]);
    // About 15 s on an idle machine (debug build). The cap catches hangs, which
    // never end; it is wide because a loaded 2-core CI box runs several times slower.
    let r = quire(&args, Duration::from_secs(150));
    let s = summary(&r);
    assert_eq!(r.code, 1, "some pages failed: {s}\n{}", r.stderr);
    assert_eq!(s["finished"], true, "{s}");

    let got = outcomes(store.path(), s["run_id"].as_str().unwrap());
    let want: &[(&str, &str)] = &[
        (path::INDEX, "captured"),
        (path::OK, "captured"),
        (path::SHORT_LENGTH, "captured"),
        (path::BAD_HEADER_VALUE, "captured"),
        (path::MILLION_LINKS, "captured"),
        (path::BOMB, "failed: too_large"),
        (path::ENDLESS, "failed: too_large"),
        (path::ENDLESS_HEADERS, "failed: network"),
        (path::CHAIN, "failed: too_many_redirects"),
        (path::LONG_LENGTH, "failed: network"),
        (path::LONG_LENGTH_STALL, "failed: timeout"),
        (path::TRICKLE, "failed: timeout"),
        (path::BAD_HEADER, "failed: network"),
        (path::BAD_STATUS, "failed: network"),
        (path::TO_FILE, "failed: bad_redirect"),
        (path::TO_DATA, "failed: bad_redirect"),
        (path::TO_JAVASCRIPT, "failed: bad_redirect"),
        (path::TO_BINARY, "failed: bad_redirect"),
    ];
    for (p, kind) in want {
        let g = got.get(*p).map(String::as_str).unwrap_or("no record");
        assert!(g.starts_with(kind), "{p}: want {kind}, got {g}");
    }
    // Out-of-scope redirects are skips (counted, no record).
    assert_eq!(s["skipped"]["redirect_out_of_scope"], 2, "{s}");
    assert!(!got.contains_key(path::TO_PORT) && !got.contains_key(path::TO_LOCALHOST));
    for p in ALL {
        assert!(
            got.contains_key(*p) || [path::TO_PORT, path::TO_LOCALHOST].contains(p),
            "{p} has no outcome: {got:#?}"
        );
    }
    assert_eq!(canary.total_requests(), 0, "another port was requested");
    assert_eq!(server.requests_under("/h/r/"), 6);
    assert_eq!(server.counts("/robots.txt").requests, 1);
    // Bounded: the bombs and endless bodies stop at 20 MiB each; the 16 MB page with a
    // million links is parsed once. Measured about 300 MiB; the cap is a regression
    // guard, far below "the machine".
    eprintln!(
        "hostile crawl: {:?}, peak RSS {} MiB",
        r.elapsed,
        r.max_rss_kib / 1024
    );
    assert!(
        r.max_rss_kib < 1024 * 1024,
        "peak RSS {} MiB",
        r.max_rss_kib / 1024
    );

    let v = quire(&["verify", "--store", store_arg], Duration::from_secs(30));
    assert_eq!(v.code, 0, "verify: {}{}", v.stdout, v.stderr);
}

#[test]
fn cli_limits_pages_body_run_bytes_frontier_and_duration_are_enforced() {
    let server = HostileServer::start(HostileOptions {
        unlinked: vec![
            path::TRICKLE,
            path::LONG_LENGTH_STALL,
            path::ENDLESS_HEADERS,
            path::MILLION_LINKS,
        ],
        ..HostileOptions::default()
    });
    let seed = server.url(path::INDEX);
    let crawl = |extra: &[&str]| {
        let store = tempfile::tempdir().unwrap();
        let mut args = vec!["crawl", seed.as_str(), "--store"];
        let store_arg = store.path().to_str().unwrap().to_string();
        args.push(&store_arg);
        args.extend_from_slice(FAST);
        args.extend_from_slice(&["--max-depth", "1", "--concurrency", "1"]);
        args.extend_from_slice(extra);
        let r = quire(&args, Duration::from_secs(60));
        let s = summary(&r);
        let got = outcomes(store.path(), s["run_id"].as_str().unwrap());
        (s, got)
    };

    let (s, _) = crawl(&["--max-pages", "3"]);
    assert_eq!(s["pages_fetched"], 3, "{s}");
    assert_eq!(s["stopped_by"], "max_pages", "{s}");

    // A body cap below the index page's size: the index itself is refused.
    let (s, got) = crawl(&["--max-body", "200"]);
    assert_eq!(s["captured"], 0, "{s}");
    assert!(got[path::INDEX].starts_with("failed: too_large"), "{got:?}");

    let (s, _) = crawl(&["--max-run-bytes", "1KiB"]);
    assert_eq!(s["stopped_by"], "max_run_bytes", "{s}");
    assert!(s["bytes"].as_u64().unwrap() < 1024 * 1024, "{s}");

    // The frontier knows the seed and 2 more; the other links are dropped and counted.
    let (s, _) = crawl(&["--max-frontier", "3"]);
    assert_eq!(s["pages_fetched"], 3, "{s}");
    assert!(s["frontier_dropped"].as_u64().unwrap() >= 10, "{s}");

    // Duration: a page that stalls (1 s read timeout, 2 attempts) outlives a 500 ms
    // limit; no page is started after it, in-flight pages finish, the run is finished.
    let slow = HostileServer::start(HostileOptions {
        unlinked: ALL
            .iter()
            .copied()
            .filter(|p| ![path::OK, path::LONG_LENGTH_STALL].contains(p))
            .collect(),
        ..HostileOptions::default()
    });
    let store = tempfile::tempdir().unwrap();
    let seed = slow.url(path::INDEX);
    let mut args = vec!["crawl", seed.as_str(), "--store"];
    args.push(store.path().to_str().unwrap());
    args.extend_from_slice(FAST);
    args.extend_from_slice(&["--concurrency", "1", "--max-duration", "500ms"]);
    let r = quire(&args, Duration::from_secs(30));
    let s = summary(&r);
    assert_eq!(s["stopped_by"], "max_duration", "{s}");
    assert_eq!(s["finished"], true, "{s}");
    assert!(s["duration_s"].as_f64().unwrap() >= 0.5, "{s}");
    assert!(r.elapsed < Duration::from_secs(10), "{:?}", r.elapsed);
}

/// Heavy (8 × 16 MB pages; a minute in a debug build): run with
/// `cargo test --release --test hostile_crawl -- --ignored`.
#[test]
#[ignore]
fn eight_huge_pages_at_once_do_not_multiply_memory() {
    // Parsing a 16 MB page with a million links peaks near 35x its size; eight of them
    // processed at once (--concurrency 8) must not cost eight times that.
    let server = HostileServer::start(HostileOptions {
        unlinked: ALL.to_vec(),
        millions: 8,
        ..HostileOptions::default()
    });
    let store = tempfile::tempdir().unwrap();
    let seed = server.url(path::INDEX);
    let mut args = vec!["crawl", seed.as_str(), "--store"];
    args.push(store.path().to_str().unwrap());
    args.extend_from_slice(FAST);
    args.extend_from_slice(&["--max-depth", "1", "--concurrency", "8"]);
    let r = quire(&args, Duration::from_secs(120));
    let s = summary(&r);
    assert_eq!(s["captured"], 9, "{s}");
    eprintln!(
        "8 million-link pages: {:?}, peak RSS {} MiB",
        r.elapsed,
        r.max_rss_kib / 1024
    );
    // Measured 5.3 GiB before pages were processed at most one per core at a time;
    // now about one page's worth (~700 MiB) per core.
    let cores = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8) as i64;
    assert!(
        r.max_rss_kib < (cores + 1) * 800 * 1024,
        "peak RSS {} MiB on {cores} cores",
        r.max_rss_kib / 1024
    );
}
