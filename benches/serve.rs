//! Bench binary (`cargo bench --bench serve`): `quire serve` (the release binary, as
//! a child process) over a store of about 10,000 captures (5,000 articles crawled
//! twice), hit on loopback by 50 concurrent clients: requests/s, median and p99
//! latency for `/api/v1/articles` and `/diff` on random articles, then the server's
//! peak RSS (from `wait4` after a SIGTERM stop).
//!
//! `cargo bench --bench serve -- [ARTICLES] [REQUESTS]` (defaults 5000 and 4000).

#[path = "../tests/diff_support/mod.rs"]
mod diff_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 50;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let articles: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let requests: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(4000);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("store");
    let t = Instant::now();
    diff_support::build_two_runs(&root, articles);
    println!(
        "store: {articles} articles crawled twice ({} captures) built in {:.1} s",
        count_captures(&root),
        t.elapsed().as_secs_f64()
    );
    // Reaped below with wait4, which also gives its peak RSS.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--addr", "127.0.0.1:0", "--store"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn quire serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the server prints its address");
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("serving on http://…")
        .trim_end_matches('/')
        .to_string();
    let urls: Arc<Vec<String>> = Arc::new(
        (0..articles)
            .filter(|i| i % 50 != 49)
            .map(|i| format!("http://127.0.0.1:1/a/{i:06}.html"))
            .collect(),
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for (name, path) in [
        ("/api/v1/articles", "/api/v1/articles?url="),
        ("/diff", "/diff?url="),
    ] {
        let (secs, mut lat) = rt.block_on(load(&base, path, urls.clone(), requests));
        lat.sort_unstable();
        let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
        println!(
            "{name:<18} {requests} requests, {CLIENTS} clients: {:.0} req/s, median {:.2} ms, p99 {:.2} ms",
            requests as f64 / secs,
            pct(0.5).as_secs_f64() * 1000.0,
            pct(0.99).as_secs_f64() * 1000.0,
        );
    }
    // Stop the server as Ctrl-C would and read its peak RSS.
    let pid = child.id() as libc::pid_t;
    // SAFETY: signalling and reaping our own child; rusage is plain data.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
        let mut status: libc::c_int = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid, &mut status, 0, &mut usage);
        println!(
            "server peak RSS: {:.1} MiB (exit status {})",
            usage.ru_maxrss as f64 / 1024.0,
            libc::WEXITSTATUS(status)
        );
    }
}

fn count_captures(root: &std::path::Path) -> usize {
    let store = quire::store::Store::open_reader(root).expect("store");
    let mut n = 0;
    store
        .for_each_capture(false, None, |_| {
            n += 1;
            Ok(())
        })
        .expect("captures");
    n
}

/// `requests` GETs of `base + path + <article URL>` over [`CLIENTS`] connections;
/// returns the wall time and every request's latency.
async fn load(
    base: &str,
    path: &str,
    urls: Arc<Vec<String>>,
    requests: usize,
) -> (f64, Vec<Duration>) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("client");
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (client, next, urls) = (client.clone(), next.clone(), urls.clone());
        let prefix = format!("{base}{path}");
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut k = c.wrapping_mul(7919);
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                // A spread of articles: a cheap deterministic shuffle.
                k = k
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = &urls[(k >> 33) % urls.len()];
                let enc: String = url::form_urlencoded::byte_serialize(u.as_bytes()).collect();
                let t = Instant::now();
                let r = client
                    .get(format!("{prefix}{enc}"))
                    .send()
                    .await
                    .expect("request");
                assert!(r.status().is_success(), "{}", r.status());
                let _ = r.bytes().await.expect("body");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    (start.elapsed().as_secs_f64(), all)
}
