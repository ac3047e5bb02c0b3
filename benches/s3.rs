//! The store on S3 against the store on local disk: crawls the same generated ESR-style
//! site (~10,000 pages, served in-process on 127.0.0.1) with the `quire` binary into a
//! local directory and into a bucket of each S3 server on loopback that is installed
//! (`s3s-fs`: `cargo install s3s-fs --version 0.14.1 --features binary --locked`;
//! moto: `pip install 'moto[server]'`), and reports pages/s of each and the ratio of
//! each server to local disk; then `quire verify` on each (verify MB/s; on S3 every
//! key is downloaded afresh and re-hashed); then each server's own PUT rate.
//!
//! `cargo bench --bench s3` (default 20 years = 9,800 article pages + indexes; both
//! servers), `-- --years 2` for a smaller site, `-- --servers s3s-fs` for one server,
//! `-- --quire PATH` to run another build, `-- --skip-verify` for the crawls only.
//! Goal (issue 18): S3 pages/s ≥ 0.7 × local pages/s.
//!
//! Note: moto is a Python mock; its per-request cost (not quire's) bounds its S3
//! figure. s3s-fs (Rust, files on the local disk) answers PUTs in parallel.

#[path = "../tests/s3_support/mod.rs"]
mod s3_support;
#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use support::{Options, Site, TestServer};

fn quire(
    bin: &str,
    m: &s3_support::S3Server,
    cache: &Path,
    args: &[&str],
) -> (f64, serde_json::Value) {
    let started = Instant::now();
    let out = Command::new(bin)
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
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let years = arg("--years").and_then(|v| v.parse().ok()).unwrap_or(20u32);
    let servers = arg("--servers").unwrap_or_else(|| "s3s-fs,moto".to_string());
    let bin = arg("--quire").unwrap_or_else(|| env!("CARGO_BIN_EXE_quire").to_string());
    let skip_verify = args.iter().any(|a| a == "--skip-verify");
    let mut backends: Vec<(&str, &s3_support::S3Server)> = Vec::new();
    for name in servers.split(',') {
        let server = match name {
            "moto" => s3_support::moto(),
            "s3s-fs" => s3_support::s3s_fs(),
            other => panic!("unknown server {other:?} (moto, s3s-fs)"),
        };
        match server {
            Some(s) => backends.push((if name == "moto" { "moto" } else { "s3s-fs" }, s)),
            None => eprintln!("s3 bench: {name} is not installed; not measured"),
        }
    }
    let Some(&(_, first)) = backends.first() else {
        eprintln!("s3 bench: no S3 server installed; nothing measured");
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
    let crawl = |m: &s3_support::S3Server, cache: &Path, store: &str| {
        quire(
            &bin,
            m,
            cache,
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
    let mut stores: Vec<(String, &s3_support::S3Server, String)> = vec![(
        "local".into(),
        first,
        local.to_str().unwrap_or(".").to_string(),
    )];
    for (name, m) in &backends {
        stores.push((
            format!("s3 ({name})"),
            m,
            format!("s3://{}/bench", m.bucket()),
        ));
    }
    let mut rates = Vec::new();
    for (i, (name, m, store)) in stores.iter().enumerate() {
        let cache = dir.path().join(format!("cache-{i}"));
        let (secs, s) = crawl(m, &cache, store);
        let captured = s["captured"].as_u64().unwrap_or(0);
        assert_eq!(captured as usize, pages, "every page captured: {s}");
        let rate = captured as f64 / secs;
        rates.push(rate);
        println!("crawl {name}: {pages} pages, {secs:.2} s, {rate:.0} pages/s");
        if skip_verify {
            continue;
        }
        let vcache = dir.path().join(format!("verify-{i}"));
        let (vsecs, v) = quire(&bin, m, &vcache, &["verify", "--store", store, "--json"]);
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
    for (i, (name, m)) in backends.iter().enumerate() {
        println!(
            "s3 ({name})/local pages/s ratio: {:.2} (goal >= 0.7)",
            rates[i + 1] / rates[0]
        );
        // The server's own ceiling: small conditional PUTs, 16 in flight (as the
        // store uploads), with no quire in the loop. A crawled page costs 2 PUTs (its
        // raw body and its record), so pages/s on this server cannot exceed half of it.
        let n = 2000;
        let secs = m.put_many(&m.bucket(), n, 16);
        println!(
            "{name} ceiling: {n} PUTs (If-None-Match, 16 in flight) in {secs:.2} s, {:.0} PUT/s -> at most {:.0} pages/s",
            n as f64 / secs,
            n as f64 / secs / 2.0
        );
    }
}
