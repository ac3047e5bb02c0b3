//! `--store s3://bucket/prefix` under the faults only a bucket has, against a real S3
//! server on loopback (moto) and the loopback test site: a crawl whose S3 endpoint goes
//! down mid-run and comes back finishes on its own; two crawlers with `--shard` write
//! one site, split by host, into one bucket at once; a bucket that answers every fifth
//! request `503 SlowDown` slows a crawl down without losing a page. The scenarios that
//! hold on both backends (crawl then read from another machine, `verify` naming a
//! damaged key, a killed crawl resumed, a WARC imported, the writer lock) run on a
//! directory and on a bucket from one body each in `store_cli.rs`.

mod s3_support;
mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use s3_support::S3Server;
use support::{Site, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_quire");

fn quire(m: &S3Server, cache: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--index-cache")
        .arg(cache)
        .envs(m.env())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

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

const FAST: &[&str] = &["--delay", "0", "--profile", "esr", "--json"];

#[test]
fn the_endpoint_going_down_mid_crawl_and_coming_back_loses_nothing() {
    let Some(m) = s3_support::moto() else { return };
    let site = Site::generate(2, 3, 6); // 45 pages
    let pages: Vec<String> = site.pages.keys().cloned().collect();
    let server = TestServer::start(site);
    let proxy = s3_support::Proxy::start(m);
    let dir = tempfile::tempdir().unwrap();
    let bucket = m.bucket();
    let store = format!("s3://{bucket}/m");
    let seed = server.url("/archive/");
    let cache = dir.path().join("cache");
    let child = Command::new(BIN)
        .args([
            "crawl",
            &seed,
            "--store",
            &store,
            "--delay",
            "40ms",
            "--profile",
            "esr",
            "--json",
        ])
        .arg("--index-cache")
        .arg(&cache)
        .envs(m.env())
        .env("AWS_ENDPOINT_URL", proxy.endpoint())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while server.log().len() < 12 && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    // The S3 endpoint dies (connections reset, new ones refused) for 1.5 s.
    proxy.kill();
    let down_at = server.log().len();
    std::thread::sleep(Duration::from_millis(1500));
    proxy.restart();
    let out = child.wait_with_output().unwrap();
    let s = summary(&out);
    assert!(
        down_at < 45,
        "the outage came mid-crawl ({down_at} requests)"
    );
    assert_eq!(s["finished"], true, "{s}");
    assert_eq!(s["captured"], 45, "{s}");
    // Everything reached the bucket: a fresh machine finds every page and verify passes.
    let other = dir.path().join("other");
    let run = s["run_id"].as_str().unwrap();
    let exported = ok(&quire(
        m,
        &other,
        &["export", "--store", &store, "--all", "--page-type", "all"],
    ));
    assert_eq!(exported.lines().count(), pages.len());
    assert!(exported.contains(run));
    let v = ok(&quire(m, &other, &["verify", "--store", &store, "--json"]));
    let v: serde_json::Value = serde_json::from_str(v.trim()).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["manifests"], 1, "{v}");
}

#[test]
fn a_throttled_bucket_slows_the_crawl_down_but_loses_nothing() {
    let Some(m) = s3_support::moto() else { return };
    let site = Site::generate(2, 3, 4); // 27 pages
    let pages = site.pages.len();
    let server = TestServer::start(site);
    // Every fifth request to the bucket is refused with 503 SlowDown, reads and
    // conditional writes alike.
    let throttle = s3_support::Throttle::start(m, 5);
    let dir = tempfile::tempdir().unwrap();
    let bucket = m.bucket();
    let store = format!("s3://{bucket}/m");
    let seed = server.url("/archive/");
    let cache = dir.path().join("cache");
    let out = Command::new(BIN)
        .args(["crawl", &seed, "--store", &store])
        .args(FAST)
        .arg("--index-cache")
        .arg(&cache)
        .envs(m.env())
        .env("AWS_ENDPOINT_URL", throttle.endpoint())
        .output()
        .unwrap();
    let s = summary(&out);
    assert!(
        throttle.throttled() >= 3,
        "the bucket throttled the crawl ({} refusals)",
        throttle.throttled()
    );
    assert_eq!(s["finished"], true, "{s}");
    assert_eq!(s["captured"], pages, "{s}");
    // Through the same throttled endpoint, verify re-reads everything and passes.
    let v = Command::new(BIN)
        .args(["verify", "--store", &store, "--json"])
        .arg("--index-cache")
        .arg(dir.path().join("other"))
        .envs(m.env())
        .env("AWS_ENDPOINT_URL", throttle.endpoint())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(ok(&v).trim()).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["manifests"], 1, "{v}");
    // And without the throttle every page is in the bucket.
    let exported = ok(&quire(
        m,
        &dir.path().join("third"),
        &["export", "--store", &store, "--all", "--page-type", "all"],
    ));
    assert_eq!(exported.lines().count(), pages);
}

#[test]
fn two_crawlers_split_a_site_by_host_into_one_bucket_at_once() {
    use quire::crawl::shard::Shard;
    let Some(m) = s3_support::moto() else { return };
    let site = Site::generate(1, 3, 5); // 1 + 1 + 3 + 15 = 20 pages per host
    let paths: Vec<String> = site.pages.keys().cloned().collect();
    let server = TestServer::start(site);
    // One server, two host names: 127.0.0.1 and localhost (links are relative, so
    // each host's pages link to the same host).
    let port = url::Url::parse(&server.url("/")).unwrap().port().unwrap();
    let hosts = ["127.0.0.1", "localhost"];
    let seeds: Vec<String> = hosts
        .iter()
        .map(|h| format!("http://{h}:{port}/archive/"))
        .collect();
    let shard_of = |n: u32, h: &str| {
        let u = url::Url::parse(&format!("http://{h}:{port}/")).unwrap();
        (0..n)
            .find(|&i| Shard { index: i, count: n }.owns(&u))
            .unwrap()
    };
    // The smallest n that puts the two hosts in different shards.
    let n = (2..64)
        .find(|&n| shard_of(n, hosts[0]) != shard_of(n, hosts[1]))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bucket = m.bucket();
    let store = format!("s3://{bucket}/site");
    let children: Vec<_> = hosts
        .iter()
        .map(|h| {
            let shard = format!("{}/{n}", shard_of(n, h));
            Command::new(BIN)
                .args([
                    "crawl", &seeds[0], &seeds[1], "--store", &store, "--shard", &shard,
                ])
                .args(FAST)
                .arg("--index-cache")
                .arg(dir.path().join(h))
                .envs(m.env())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let summaries: Vec<serde_json::Value> = children
        .into_iter()
        .map(|c| summary(&c.wait_with_output().unwrap()))
        .collect();
    for s in &summaries {
        assert_eq!(s["finished"], true, "{s}");
        assert_eq!(s["captured"], 20, "{s}");
    }
    assert_ne!(summaries[0]["run_id"], summaries[1]["run_id"]);
    // Each host was fetched by its own shard only, each page once.
    let pages_fetched = server
        .log()
        .iter()
        .filter(|r| paths.contains(&r.path))
        .count();
    assert_eq!(pages_fetched, 40, "every page of both hosts, once");
    // Another machine sees both runs, each holding exactly its host's pages.
    let other = dir.path().join("other");
    for (h, s) in hosts.iter().zip(&summaries) {
        let run = s["run_id"].as_str().unwrap();
        let out = ok(&quire(
            m,
            &other,
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
        let urls: std::collections::BTreeSet<String> = out
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["content"]["url"].as_str().unwrap().to_string()
            })
            .collect();
        let want: std::collections::BTreeSet<String> = paths
            .iter()
            .map(|p| format!("http://{h}:{port}{p}"))
            .collect();
        assert_eq!(urls, want, "run of {h}");
    }
    let v = ok(&quire(m, &other, &["verify", "--store", &store, "--json"]));
    let v: serde_json::Value = serde_json::from_str(v.trim()).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["manifests"], 2, "{v}");
}
