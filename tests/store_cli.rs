//! The store's subcommands as a user runs them, each scenario from one body on two
//! backends (`on_disk::NAME`, `in_a_bucket::NAME`: a directory, and a bucket of a real
//! S3 server on loopback seen from several machines, each with its own
//! `--index-cache`; see `store_backends`): `verify` (exit 4 naming the damaged file or
//! `s3://` key), `history`, `reindex` of a deleted index, the writer lock (exit 3)
//! against a live writing process while readers read; a crawl of the loopback site read
//! back from another machine (`export`, `history`, `changes`, `reindex`, `verify`, a
//! store that does not exist); a crawl killed with SIGKILL resumed and finished; a WARC
//! imported. The bucket-only fault tests (endpoint down, `503 SlowDown`, two shards at
//! once) are in `store_s3_cli.rs`.

mod s3_support;
mod store_backends;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use store_backends::Backend;
use support::{Site, TestServer};

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

on_both_backends!(
    verify_exit_codes_name_the_damaged_file,
    reindex_of_a_deleted_database_gives_identical_history,
    second_writer_gets_the_locked_exit_code_while_readers_work,
    crawl_then_read_it_from_another_machine,
    a_crawl_killed_mid_run_resumes_its_run,
    a_warc_imports_into_the_store,
);

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout {} stderr {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn summary(out: &Output) -> serde_json::Value {
    let text = ok(out);
    serde_json::from_str(text.lines().last().unwrap_or("")).unwrap()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap()
}

const FAST: &[&str] = &["--delay", "0", "--profile", "esr", "--json"];

fn fill(be: &Backend, n: u64) {
    let store = be.store_arg();
    ok(&be.run(
        0,
        &[
            "debug-store-fill",
            "--store",
            &store,
            "--captures",
            &n.to_string(),
        ],
    ));
}

fn flip_byte(be: &Backend, rel: &str) -> Vec<u8> {
    let orig = be.read(rel).unwrap();
    let mut b = orig.clone();
    let i = b.len() / 2;
    b[i] ^= 0x20;
    be.overwrite(rel, &b);
    orig
}

fn verify_exit_codes_name_the_damaged_file(be: &Backend) {
    fill(be, 30);
    let s = be.store_arg();
    let out = be.run(0, &["verify", "--store", &s]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let files = be.files();
    let first = |prefix: &str, suffix: &str| -> String {
        files
            .iter()
            .find(|f| f.starts_with(prefix) && f.ends_with(suffix))
            .unwrap_or_else(|| panic!("no {prefix}…{suffix} in {files:?}"))
            .clone()
    };
    let object = first("objects/sha256/", "");
    let run = first("runs/", "/run.json");
    let run = run.split('/').nth(1).unwrap();
    let record = first(&format!("runs/{run}/records/"), ".json");
    let manifest = first(&format!("runs/{run}/"), "/manifest.json");
    for target in [&object, &record, &manifest] {
        let orig = flip_byte(be, target);
        let out = be.run(0, &["verify", "--store", &s]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(4), "{stdout}");
        assert!(
            stdout.contains(&be.name(target)),
            "{} not named in:\n{stdout}",
            be.name(target)
        );
        assert!(stdout.contains("mismatch"), "{stdout}");
        let json = be.run(0, &["verify", "--store", &s, "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert!(!v["problems"].as_array().unwrap().is_empty());
        be.overwrite(target, &orig);
    }
    assert_eq!(be.run(0, &["verify", "--store", &s]).status.code(), Some(0));
    be.remove(&object);
    let out = be.run(0, &["verify", "--store", &s]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stdout.contains("missing") && stdout.contains(&be.name(&object)),
        "{stdout}"
    );
}

fn reindex_of_a_deleted_database_gives_identical_history(be: &Backend) {
    fill(be, 20);
    fill(be, 20);
    let s = be.store_arg();
    let url = "https://fill.test/fill/page-000001";
    let before = be.run(0, &["history", url, "--store", &s, "--json"]);
    let before_text = be.run(0, &["history", url, "--store", &s]);
    let v: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "two runs, two captures");
    // The index of this machine's view: the store itself, or its cache of the bucket.
    let view = be.view_dir(0);
    assert!(view.join("index.sqlite").exists());
    for f in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm"] {
        let _ = std::fs::remove_file(view.join(f));
    }
    let out = be.run(0, &["reindex", "--store", &s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(view.join("index.sqlite").exists());
    assert_eq!(
        be.run(0, &["history", url, "--store", &s, "--json"]).stdout,
        before.stdout
    );
    assert_eq!(
        be.run(0, &["history", url, "--store", &s]).stdout,
        before_text.stdout
    );
}

fn second_writer_gets_the_locked_exit_code_while_readers_work(be: &Backend) {
    fill(be, 5);
    let s = be.store_arg();
    let mut child = be
        .quire(
            0,
            &[
                "debug-store-fill",
                "--store",
                &s,
                "--captures",
                "400",
                "--run-label",
                "slow",
                "--pause-every",
                "1",
                "--pause-ms",
                "20",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the child holds the lock of its view of the store (the store's
    // directory, or its machine's cache of the bucket): it writes its pid there.
    let lock = be.view_dir(0).join("lock");
    let pid = child.id().to_string();
    let start = Instant::now();
    while !std::fs::read_to_string(&lock)
        .unwrap_or_default()
        .contains(&format!("pid {pid} "))
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "child never took the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = be.run(0, &["reindex", "--store", &s]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked"));
    let out = be.run(0, &["debug-store-fill", "--store", &s, "--captures", "1"]);
    assert_eq!(out.status.code(), Some(3));
    // Readers keep working during the write.
    let out = be.run(
        0,
        &[
            "history",
            "https://fill.test/fill/page-000001",
            "--store",
            &s,
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = be.run(0, &["verify", "--store", &s]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

fn crawl_then_read_it_from_another_machine(be: &Backend) {
    let server = TestServer::start(Site::generate(1, 2, 3)); // 10 pages
    let store = be.store_arg();
    let seed = server.url("/archive/");
    let mut args = vec!["crawl", &seed[..], "--store", &store];
    args.extend_from_slice(FAST);
    let s1 = summary(&be.run(0, &args));
    assert_eq!(s1["captured"], 10, "{s1}");
    assert_eq!(s1["finished"], true, "{s1}");
    let run1 = s1["run_id"].as_str().unwrap().to_string();

    // Another machine (on a bucket: its own, empty cache) sees the run and every
    // capture.
    let out = ok(&be.run(
        1,
        &["export", "--store", &store, "--all", "--page-type", "all"],
    ));
    let urls: BTreeSet<String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["content"]["url"].as_str().unwrap().to_string()
        })
        .collect();
    let site_urls: BTreeSet<String> = Site::generate(1, 2, 3)
        .pages
        .keys()
        .map(|p| server.url(p))
        .collect();
    assert_eq!(urls, site_urls);
    let url = server.url("/archive/");
    let hist = ok(&be.run(1, &["history", "--store", &store, &url]));
    assert!(hist.contains(&run1), "{hist}");

    // A second crawl after one article changed: `changes` from the other machine.
    let article = Site::generate(1, 2, 3).article_paths()[0].clone();
    assert!(server
        .state
        .site
        .write()
        .unwrap()
        .edit(&article, "A new paragraph, added later."));
    let s2 = summary(&be.run(0, &args));
    assert_eq!(s2["finished"], true, "{s2}");
    assert_eq!(s2["changed"], 1, "{s2}");
    let ch = ok(&be.run(1, &["changes", "--store", &store, "--json"]));
    assert!(ch.contains(&server.url(&article)), "{ch}");

    // reindex rebuilds the machine's index from the files (the bucket); verify
    // re-hashes everything.
    let re = json(&ok(&be.run(1, &["reindex", "--store", &store, "--json"])));
    assert_eq!(re["runs"], 2, "{re}");
    assert_eq!(re["finished_runs"], 2, "{re}");
    let v = json(&ok(&be.run(1, &["verify", "--store", &store, "--json"])));
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
    assert!(v["objects"].as_u64().unwrap() >= 11, "{v}");

    // Damage one object: verify exits 4 and names it (its path, or its s3:// key).
    let key = be
        .files()
        .into_iter()
        .find(|k| k.starts_with("objects/sha256/"))
        .unwrap();
    flip_byte(be, &key);
    let out = be.run(1, &["verify", "--store", &store]);
    assert_eq!(out.status.code(), Some(4));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&be.name(&key)), "{text}");

    // A place with no store is a clear error, not an empty answer.
    let empty = be.other_store_arg("nothing-here");
    let out = be.run(1, &["export", "--store", &empty, "--all"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no quire store"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn a_crawl_killed_mid_run_resumes_its_run(be: &Backend) {
    let site = Site::generate(2, 3, 6); // 45 pages
    let pages: Vec<String> = site.pages.keys().cloned().collect();
    let server = TestServer::start(site);
    let store = be.store_arg();
    let seed = server.url("/archive/");
    let args = [
        "crawl",
        &seed,
        "--store",
        &store,
        "--delay",
        "40ms",
        "--profile",
        "esr",
        "--json",
    ];
    let mut child = be
        .quire(0, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while server.log().len() < 15 && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed");
    assert!(server.log().len() < 46, "stopped before the end");
    // The same machine resumes the same run (on a bucket, the killed writer's lease is
    // still there; the same cache takes it over at once, its lock proving the old
    // writer gone).
    let s = summary(&be.run(0, &args));
    assert_eq!(s["resumed"], true, "{s}");
    assert_eq!(s["finished"], true, "{s}");
    assert_eq!(s["captured"], 45, "{s}");
    if be.is_s3() {
        assert!(
            !be.files().iter().any(|k| k.starts_with("leases/")),
            "lease released"
        );
    }
    // Everything is stored: another machine sees exactly one capture per page in that
    // run (the run's export, one line per capture), and a page's history names it.
    let run = s["run_id"].as_str().unwrap();
    let exported = ok(&be.run(
        1,
        &[
            "export",
            "--store",
            &store,
            "--run",
            run,
            "--page-type",
            "all",
        ],
    ));
    let mut urls: Vec<String> = exported
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["content"]["url"].as_str().unwrap().to_string()
        })
        .collect();
    urls.sort();
    let mut want: Vec<String> = pages.iter().map(|p| server.url(p)).collect();
    want.sort();
    assert_eq!(urls, want, "one capture per page in run {run}");
    for p in [&pages[0], &pages[pages.len() - 1]] {
        let h = ok(&be.run(1, &["history", "--store", &store, &server.url(p)]));
        assert!(h.contains(run), "{p}: {h}");
    }
    let v = json(&ok(&be.run(1, &["verify", "--store", &store, "--json"])));
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["manifests"], 1, "{v}");
}

/// `quire import` writes into a bucket as into a directory: a crawl exported as WARC
/// and imported gives, read from another machine, the same content digests, and the
/// store verifies clean.
fn a_warc_imports_into_the_store(be: &Backend) {
    let server = TestServer::start(Site::generate(1, 2, 3));
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("local");
    let seed = server.url("/archive/");
    let local_s = local.to_str().unwrap();
    let plain = |args: &[&str]| Command::new(QUIRE).args(args).output().unwrap();
    summary(&plain(
        &[&["crawl", &seed[..], "--store", local_s][..], FAST].concat(),
    ));
    let warc = dir.path().join("site.warc.gz");
    let warc_s = warc.to_str().unwrap();
    ok(&plain(&[
        "export", "--format", "warc", "--store", local_s, "-o", warc_s,
    ]));
    let store = be.store_arg();
    let s = summary(&be.run(
        0,
        &[
            "import",
            warc_s,
            "--store",
            &store,
            "--profile",
            "esr",
            "--json",
        ],
    ));
    assert_eq!(s["captured"], 10, "{s}");
    let digests = |out: String| -> BTreeMap<String, String> {
        out.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["content"]["url"].as_str().unwrap().to_string(),
                    v["content_sha256"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let imported = digests(ok(&be.run(
        1,
        &["export", "--store", &store, "--all", "--page-type", "all"],
    )));
    let crawled = digests(ok(&plain(&[
        "export",
        "--store",
        local_s,
        "--all",
        "--page-type",
        "all",
    ])));
    assert_eq!(imported.len(), 10);
    assert_eq!(imported, crawled);
    let v = json(&ok(&be.run(1, &["verify", "--store", &store, "--json"])));
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
}
