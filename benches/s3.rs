//! The store on S3 against the store on local disk: crawls the same generated ESR-style
//! site (~10,000 pages, served in-process on 127.0.0.1) with the `quire` binary into a
//! local directory and into a bucket of moto's S3 server on loopback (`pip install
//! 'moto[server]'`), and reports pages/s of each and their ratio; then `quire verify`
//! on each (verify MB/s; on S3 every key is downloaded afresh and re-hashed).
//!
//! `cargo bench --bench s3` (default 20 years = 9,800 article pages + indexes), or
//! `cargo bench --bench s3 -- --years 2` for a smaller site.
//! Goal (issue 18): S3 pages/s ≥ 0.7 × local pages/s.
//!
//! Note: moto is a Python mock; its per-request cost (not quire's) bounds the S3
//! figure. A production S3 or MinIO answers PUTs in parallel far faster.

#[path = "../tests/s3_support/mod.rs"]
mod s3_support;
#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use support::{Options, Site, TestServer};

fn quire(m: &s3_support::Moto, cache: &Path, args: &[&str]) -> (f64, serde_json::Value) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .arg("--index-cache")
        .arg(cache)
        .envs(m.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .expect("run quire");
    let secs = started.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(text.lines().last().unwrap_or("null")).unwrap_or_default();
    (secs, v)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let years = args
        .iter()
        .position(|a| a == "--years")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(20u32);
    let Some(m) = s3_support::moto() else {
        eprintln!("s3 bench: moto is not installed; nothing measured");
        return;
    };
    let site = Site::generate(years, 10, 49);
    let pages = site.pages.len();
    let server = TestServer::start_with(
        site,
        Options {
            keep_alive: true,
            logging: false,
            threads: 1,
            ..Options::default()
        },
    );
    let seed = server.url("/archive/");
    let dir = tempfile::tempdir().expect("tempdir");
    let local = dir.path().join("local");
    let bucket = m.bucket();
    let s3 = format!("s3://{bucket}/bench");
    let cache = dir.path().join("cache");
    let crawl = |store: &str| {
        quire(
            m,
            &cache,
            &[
                "crawl",
                &seed,
                "--store",
                store,
                "--delay",
                "0",
                "--concurrency",
                "8",
                "--host-concurrency",
                "8",
                "--profile",
                "esr",
                "--json",
            ],
        )
    };
    let mut rates = Vec::new();
    for (name, store) in [("local", local.to_str().unwrap_or(".")), ("s3", &s3[..])] {
        let (secs, s) = crawl(store);
        let captured = s["captured"].as_u64().unwrap_or(0);
        assert_eq!(captured as usize, pages, "every page captured: {s}");
        let rate = captured as f64 / secs;
        rates.push(rate);
        println!("crawl {name}: {pages} pages, {secs:.2} s, {rate:.0} pages/s");
        let vcache = dir.path().join(format!("verify-{name}"));
        let (vsecs, v) = quire(m, &vcache, &["verify", "--store", store, "--json"]);
        let bytes = v["bytes_hashed"].as_u64().unwrap_or(0);
        assert_eq!(v["problems"].as_array().map(Vec::len), Some(0), "{v}");
        println!(
            "verify {name}: {} objects, {} records, {:.1} MB in {vsecs:.2} s, {:.1} MB/s",
            v["objects"],
            v["records"],
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / vsecs
        );
    }
    println!(
        "s3/local pages/s ratio: {:.2} (goal >= 0.7)",
        rates[1] / rates[0]
    );
    // The server's own ceiling: small conditional PUTs, 16 in flight (as the store
    // uploads), with no quire in the loop. A crawled page costs 2 PUTs (its raw body
    // and its record), so pages/s on this server cannot exceed half of it.
    let n = 2000;
    let secs = m.put_many(&m.bucket(), n, 16);
    println!(
        "server ceiling: {n} PUTs (If-None-Match, 16 in flight) in {secs:.2} s, {:.0} PUT/s -> at most {:.0} pages/s",
        n as f64 / secs,
        n as f64 / secs / 2.0
    );
}
