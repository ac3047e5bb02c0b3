//! Soak test: a 20,001-page loopback site where 5% of the articles always answer 503,
//! 1% reset the connection and 1% answer after 1.5 s, crawled to the end by the
//! `quire` binary — killed with SIGKILL once midway and resumed. Then checks: every
//! page is captured or recorded failed with the right reason, no URL has two
//! outcomes, `quire verify` passes, and the crawler's RSS stays flat (sampled from
//! /proc/<pid>/status through both invocations).
//!
//! `cargo bench --bench soak` (about 3 minutes on 2 cores), or
//! `cargo bench --bench soak -- --sections 20` for a 2,001-page site.
//! Not part of `cargo test`. Exits non-zero when a check fails.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quire::store::{EntryKind, Store};

const PER_SECTION: u32 = 99;

/// What an article path does, decided by a hash of the path (index and section pages
/// are always fine, so that every article is discovered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    Error503,
    Reset,
    Slow,
}

fn fault(path: &str) -> Fault {
    if !path.starts_with("/s/a") {
        return Fault::None;
    }
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in path.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    match h % 100 {
        0..=4 => Fault::Error503,
        5 => Fault::Reset,
        6 => Fault::Slow,
        _ => Fault::None,
    }
}

fn all_paths(sections: u32) -> Vec<String> {
    let mut v = vec!["/s/".to_string()];
    for s in 0..sections {
        v.push(format!("/s/sec{s}.html"));
        for a in 0..PER_SECTION {
            v.push(format!("/s/a{s}-{a}.html"));
        }
    }
    v
}

fn page(path: &str, sections: u32) -> Option<String> {
    let wrap = |title: &str, body: &str| {
        format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><table><tr><td><a href=\"/s/\">Home</a></td><td>{body}</td></tr></table><p>Copyright soak</p></body></html>")
    };
    if path == "/s/" {
        let links: String = (0..sections)
            .map(|s| format!("<li><a href=\"sec{s}.html\">Section {s}</a></li>"))
            .collect();
        return Some(wrap(
            "Soak index",
            &format!("<h1>Soak index</h1><ul>{links}</ul>"),
        ));
    }
    if let Some(s) = path
        .strip_prefix("/s/sec")
        .and_then(|r| r.strip_suffix(".html"))
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|s| *s < sections)
    {
        let links: String = (0..PER_SECTION)
            .map(|a| format!("<li><a href=\"a{s}-{a}.html\">Article {s}-{a}</a></li>"))
            .collect();
        return Some(wrap(
            &format!("Section {s}"),
            &format!("<h1>Section {s}</h1><ul>{links}</ul>"),
        ));
    }
    let id = path.strip_prefix("/s/a")?.strip_suffix(".html")?;
    let (s, a) = id.split_once('-')?;
    let (s, a): (u32, u32) = (s.parse().ok()?, a.parse().ok()?);
    if s >= sections || a >= PER_SECTION {
        return None;
    }
    let mut body = format!(
        "<h1>Article {s}-{a}</h1><p class=\"byline\">By Soak Writer {}</p><div class=\"article\">",
        a % 7
    );
    for p in 0..6 {
        body.push_str(&format!("<p>Paragraph {p} of article {s}-{a}: the soak test writes a few sentences so that extraction has something to do, and every article is its own text with its own number {}.</p>", s * 1000 + a * 10 + p));
    }
    body.push_str("</div>");
    Some(wrap(&format!("Article {s}-{a}"), &body))
}

fn serve(mut s: TcpStream, sections: u32, requests: &AtomicU64) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    requests.fetch_add(1, Ordering::Relaxed);
    let text = String::from_utf8_lossy(&buf);
    let path = text
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let respond = |s: &mut TcpStream, status: &str, ct: &str, body: &str| {
        let _ = s.write_all(
            format!(
                "HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
    };
    if path == "/robots.txt" {
        return respond(&mut s, "404 Not Found", "text/plain", "none");
    }
    match fault(&path) {
        Fault::Error503 => return respond(&mut s, "503 Service Unavailable", "text/plain", "busy"),
        Fault::Reset => {
            let linger = libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            // SAFETY: setsockopt on a socket we own, with a correctly sized value.
            unsafe {
                libc::setsockopt(
                    s.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_LINGER,
                    &linger as *const libc::linger as *const libc::c_void,
                    std::mem::size_of::<libc::linger>() as libc::socklen_t,
                );
            }
            return;
        }
        Fault::Slow => std::thread::sleep(Duration::from_millis(1500)),
        Fault::None => {}
    }
    match page(&path, sections) {
        Some(html) => respond(&mut s, "200 OK", "text/html; charset=utf-8", &html),
        None => respond(&mut s, "404 Not Found", "text/plain", "not found"),
    }
}

fn proc_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

struct Invocation {
    code: Option<i32>,
    stdout: String,
    peak_kib: u64,
    /// (requests served so far, VmRSS KiB) samples.
    rss: Vec<(u64, u64)>,
    elapsed: Duration,
}

/// Run `quire crawl`; SIGKILL it once the server has served `kill_at` requests.
fn crawl(seed: &str, store: &str, requests: &AtomicU64, kill_at: Option<u64>) -> Invocation {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args([
            "crawl",
            seed,
            "--store",
            store,
            "--delay",
            "0",
            "--concurrency",
            "16",
            "--host-concurrency",
            "16",
            "--retries",
            "1",
            "--retry-base",
            "10ms",
            "--read-timeout",
            "5s",
            "--max-frontier",
            "100000",
            "--json",
        ])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn quire");
    let pid = child.id();
    let (mut peak, mut rss, mut last_sample) = (0u64, Vec::new(), 0u64);
    let mut killed = false;
    loop {
        if let Some(h) = proc_kib(pid, "VmHWM:") {
            peak = peak.max(h);
        }
        let served = requests.load(Ordering::Relaxed);
        if served >= last_sample + 1000 {
            if let Some(r) = proc_kib(pid, "VmRSS:") {
                rss.push((served, r));
            }
            last_sample = served;
        }
        if !killed && kill_at.is_some_and(|k| served >= k) {
            let _ = child.kill();
            killed = true;
        }
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => break,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let out = child.wait_with_output().expect("wait");
    Invocation {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        peak_kib: peak,
        rss,
        elapsed: started.elapsed(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sections: u32 = args
        .iter()
        .position(|a| a == "--sections")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(202);
    let paths = all_paths(sections);
    let total = paths.len() as u64;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let requests = Arc::new(AtomicU64::new(0));
    let r = requests.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let r = r.clone();
            std::thread::spawn(move || serve(s, sections, &r));
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().to_str().expect("utf-8 path").to_string();
    let seed = format!("http://{addr}/s/");
    println!("soak: {total} pages at {seed}, store {store}");

    let first = crawl(&seed, &store, &requests, Some(total / 2));
    println!(
        "first invocation: killed (exit {:?}) after {:.1}s, {} requests, peak RSS {} MiB",
        first.code,
        first.elapsed.as_secs_f64(),
        requests.load(Ordering::Relaxed),
        first.peak_kib / 1024
    );
    let second = crawl(&seed, &store, &requests, None);
    let summary: serde_json::Value =
        serde_json::from_str(second.stdout.lines().last().unwrap_or("")).unwrap_or_default();
    println!(
        "second invocation: exit {:?} after {:.1}s, peak RSS {} MiB",
        second.code,
        second.elapsed.as_secs_f64(),
        second.peak_kib / 1024
    );
    println!("summary: {summary}");

    let mut problems: Vec<String> = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            problems.push(what);
        }
    };
    check(
        summary["resumed"] == true,
        "second invocation did not resume".into(),
    );
    check(summary["finished"] == true, "run not finished".into());

    // Every page: captured, or failed for the reason its fault predicts; once each.
    let st = Store::open_reader(dir.path()).expect("open store");
    let runs = st.runs().expect("runs");
    check(runs.len() == 1, format!("{} runs, want 1", runs.len()));
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut entries = 0u64;
    if let Some(run) = runs.first() {
        st.for_each_entry(&run.id, |e| {
            entries += 1;
            let path = url::Url::parse(&e.url)
                .map(|u| u.path().to_string())
                .unwrap_or_default();
            let v = match e.kind {
                EntryKind::Captured { .. } => "captured".to_string(),
                EntryKind::Failed { reason, .. } => {
                    reason.split(':').next().unwrap_or("").to_string()
                }
                other => format!("{other:?}"),
            };
            seen.insert(path, v);
            Ok(())
        })
        .expect("entries");
    }
    check(
        entries == seen.len() as u64,
        format!("{entries} entries for {} URLs: duplicates", seen.len()),
    );
    let mut by_outcome: BTreeMap<String, u64> = BTreeMap::new();
    for p in &paths {
        let want = match fault(p) {
            Fault::None | Fault::Slow => "captured",
            Fault::Error503 => "http_503",
            Fault::Reset => "network",
        };
        let got = seen.get(p).map(String::as_str).unwrap_or("no outcome");
        *by_outcome.entry(format!("{want} -> {got}")).or_insert(0) += 1;
        if got != want {
            check(false, format!("{p}: want {want}, got {got}"));
        }
    }
    check(
        seen.len() as u64 == total,
        format!("{} outcomes for {total} pages", seen.len()),
    );
    println!("outcomes (expected -> recorded): {by_outcome:?}");
    let record_files = runs
        .first()
        .and_then(|r| std::fs::read_dir(dir.path().join("runs").join(&r.id.0).join("records")).ok())
        .map(|d| d.count())
        .unwrap_or(0);
    println!("record files in the run: {record_files} (entries {entries})");
    drop(st);

    let verify = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["verify", "--store", &store])
        .output()
        .expect("verify");
    check(
        verify.status.success(),
        format!(
            "verify failed: {}{}",
            String::from_utf8_lossy(&verify.stdout),
            String::from_utf8_lossy(&verify.stderr)
        ),
    );

    // RSS flat: the last samples of the resumed run against its first ones.
    let rss: Vec<u64> = second.rss.iter().map(|(_, r)| *r).collect();
    println!(
        "VmRSS MiB every 1000 requests: first {:?} | resumed {:?}",
        first.rss.iter().map(|(_, r)| r / 1024).collect::<Vec<_>>(),
        rss.iter().map(|r| r / 1024).collect::<Vec<_>>()
    );
    if rss.len() >= 4 {
        let q = rss.len() / 4;
        let early = rss[q..2 * q].iter().max().copied().unwrap_or(0);
        let late = rss[rss.len() - q..].iter().max().copied().unwrap_or(0);
        println!(
            "RSS second quarter max {} MiB, last quarter max {} MiB",
            early / 1024,
            late / 1024
        );
        check(
            late <= early + early / 2 + 16 * 1024,
            format!("RSS grew from {early} KiB to {late} KiB"),
        );
    }
    let pages_per_s = total as f64 / (first.elapsed + second.elapsed).as_secs_f64();
    println!(
        "total {:.1}s for {total} pages ({pages_per_s:.0} pages/s incl. faults), {} requests",
        (first.elapsed + second.elapsed).as_secs_f64(),
        requests.load(Ordering::Relaxed)
    );
    if problems.is_empty() {
        println!("soak: OK");
    } else {
        for p in problems.iter().take(30) {
            println!("PROBLEM: {p}");
        }
        println!("soak: {} problems", problems.len());
        std::process::exit(1);
    }
}
