//! Crawl throughput and memory: serves a generated ESR-style site of ~10,000 pages on
//! 127.0.0.1 in-process, runs the `quire` binary (built with the bench profile) as a
//! child with `--delay 0`, and reports pages/s end to end into the store and the
//! child's peak RSS (VmHWM from /proc/<pid>/status, sampled every 20 ms).
//!
//! `cargo bench --bench crawl` (default 10,000 pages), or
//! `cargo bench --bench crawl -- --years 4` for a smaller site (490 pages a year),
//! `-- --store-in /dev/shm` to put the store on tmpfs.
//! Goal: ≥ 500 pages/s on 2 cores, peak RSS < 100 MB, RSS not growing with pages.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Options, Site, TestServer};

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

fn run(years: u32, base: Option<&str>) -> (usize, f64, u64, serde_json::Value) {
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
    let dir = match base {
        Some(b) => tempfile::tempdir_in(b).expect("tempdir"),
        None => tempfile::tempdir().expect("tempdir"),
    };
    let seed = server.url("/archive/");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args([
            "crawl",
            &seed,
            "--store",
            dir.path().to_str().unwrap_or("."),
            "--delay",
            "0",
            "--concurrency",
            "8",
            "--host-concurrency",
            "8",
            "--profile",
            "esr",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn quire");
    let pid = child.id();
    let mut peak = 0u64;
    loop {
        if let Some(h) = vm_hwm_kib(pid) {
            peak = peak.max(h);
        }
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let out = child.wait_with_output().expect("wait");
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: serde_json::Value =
        serde_json::from_str(text.lines().last().unwrap_or("null")).unwrap_or_default();
    (pages, elapsed, peak, summary)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let years = args
        .iter()
        .position(|a| a == "--years")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(20u32);
    // `--store-in DIR` puts the store under DIR (e.g. /dev/shm, to take disk fsync
    // latency out of the figure).
    let base = args
        .iter()
        .position(|a| a == "--store-in")
        .and_then(|i| args.get(i + 1))
        .cloned();
    // A small run first, to see whether RSS grows with the number of pages.
    let small_years = (years / 10).max(1);
    for y in [small_years, years] {
        let (pages, secs, peak_kib, s) = run(y, base.as_deref());
        let captured = s["captured"].as_u64().unwrap_or(0);
        println!(
            "crawl: {pages} pages, {captured} captured, {:.2} s, {:.0} pages/s, peak RSS {:.1} MiB, failed {}",
            secs,
            captured as f64 / secs,
            peak_kib as f64 / 1024.0,
            s["failed"]
        );
        assert_eq!(captured as usize, pages, "every page captured: {s}");
    }
}
