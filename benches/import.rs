//! Import throughput and memory: writes `.warc.gz` files (one gzip member per record, a
//! `request` and a `response` record per page, as wget writes them) of ESR-style
//! synthetic article pages (the test site's generator, each page with its own text and a
//! sidebar of links, ~16 KB, ~3 KB compressed), runs the `quire` binary (bench profile)
//! as a child on each: `quire import FILE --store DIR --profile esr --json`, and reports
//! pages, MB/s (file bytes), pages/s, the child's peak RSS (`wait4`'s `ru_maxrss`) and
//! the peak size of its scratch directory (the plan on disk; the child's `TMPDIR` is a
//! directory of the bench's, measured every 100 ms). Peak RSS should be the same at
//! every size: the import's memory does not grow with the number of pages.
//!
//! `cargo bench --bench import` (64, 256 and 1024 MB; ~4 GB of disk at the largest),
//! `-- --sizes 64,256` for other sizes (`--size-mb N`: N and N/2), `--runs 2` to import
//! each file twice (the best time counts; peak RSS is the largest), `--warc-dir DIR` to
//! keep the generated files there and reuse them (the same bytes for a before/after
//! comparison), `--quire PATH` to run another build, `--store-in /dev/shm` for tmpfs.

#[path = "../tests/support/site.rs"]
#[allow(dead_code)]
mod site;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::Digest;

fn page(i: u64) -> String {
    let year = 1995 + (i % 25) as u32;
    let html = site::article_html(
        &format!("Article {i}"),
        &format!("Author {}", i % 97),
        year,
        (i % 12) as u32 + 1,
        (i % 28) as u32 + 1,
        i,
        "../issue1.html",
    );
    // A sidebar of links, as magazine pages carry.
    let mut side = String::from("<table><tr><td>");
    for k in 0..150u64 {
        side.push_str(&format!(
            "<p><a href=\"/archive/{year}/i{}/a{}.html\">Related article {k} from the archive</a></p>\n",
            (i + k) % 12,
            (i * 7 + k) % 49
        ));
    }
    side.push_str("</td></tr></table>\n</body>");
    html.replacen("</body>", &side, 1)
}

fn member(head: &str, block: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(head.as_bytes())?;
    gz.write_all(block)?;
    gz.write_all(b"\r\n\r\n")?;
    gz.finish()
}

/// Write a WARC of about `bytes` (compressed) bytes; returns (pages, size).
fn write_warc(path: &Path, bytes: u64) -> (u64, u64) {
    let f = std::fs::File::create(path).expect("create");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
    let mut i = 0u64;
    let mut written = 0u64;
    while written < bytes {
        let url = format!("http://bench.example/archive/p{}/a{i}.html", i / 1000);
        let date = format!(
            "2024-01-{:02}T{:02}:{:02}:{:02}Z",
            (i / 86400) % 28 + 1,
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60
        );
        let req = format!("GET /archive/a{i}.html HTTP/1.1\r\nHost: bench.example\r\n\r\n");
        let head = format!(
            "WARC/1.1\r\nWARC-Type: request\r\nWARC-Record-ID: <urn:uuid:req-{i}>\r\nWARC-Date: {date}\r\nWARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=request\r\nContent-Length: {}\r\n\r\n",
            req.len()
        );
        let m = member(&head, req.as_bytes()).expect("compress");
        out.write_all(&m).expect("write");
        written += m.len() as u64;
        let body = page(i);
        let msg = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let digest = format!(
            "sha1:{}",
            data_encoding::BASE32.encode(&sha1::Sha1::digest(body.as_bytes()))
        );
        // Both digests, as wget writes them: the import checks both.
        let block = format!(
            "sha1:{}",
            data_encoding::BASE32.encode(&sha1::Sha1::digest(msg.as_bytes()))
        );
        let head = format!(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:resp-{i}>\r\nWARC-Date: {date}\r\nWARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\nWARC-Payload-Digest: {digest}\r\nWARC-Block-Digest: {block}\r\nContent-Length: {}\r\n\r\n",
            msg.len()
        );
        let m = member(&head, msg.as_bytes()).expect("compress");
        out.write_all(&m).expect("write");
        written += m.len() as u64;
        i += 1;
    }
    out.flush().expect("flush");
    (i, written)
}

/// One import: wall seconds, peak RSS (KiB), peak scratch bytes, the summary.
struct Measured {
    secs: f64,
    rss_kib: u64,
    scratch: u64,
    summary: serde_json::Value,
}

/// Bytes of the files under `dir` (0 when it is gone).
fn dir_bytes(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.filter_map(|e| e.ok())
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            Ok(_) => e.metadata().map_or(0, |m| m.len()),
            Err(_) => 0,
        })
        .sum()
}

/// Import `file` with `quire` into a new store under `base`.
fn import(quire: &Path, file: &Path, base: &Path) -> Measured {
    let store = base.join("store");
    let scratch = base.join("scratch");
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let started = Instant::now();
    // Reaped below with wait4, which also gives its peak RSS.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new(quire)
        .args(["import"])
        .arg(file)
        .arg("--store")
        .arg(&store)
        .args(["--profile", "esr", "--json"])
        .env("TMPDIR", &scratch)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn quire");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        let scratch = scratch.clone();
        std::thread::spawn(move || {
            let mut most = 0u64;
            while !stop.load(Ordering::Relaxed) {
                most = most.max(dir_bytes(&scratch));
                std::thread::sleep(Duration::from_millis(100));
            }
            most
        })
    };
    let pid = child.id() as libc::pid_t;
    // SAFETY: reaping our own child; rusage is plain data.
    let (status, rss) = unsafe {
        let mut status: libc::c_int = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid, &mut status, 0, &mut usage);
        (libc::WEXITSTATUS(status), usage.ru_maxrss as u64)
    };
    let secs = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let scratch_peak = watcher.join().unwrap_or(0);
    let text = reader.join().unwrap_or_default();
    assert_eq!(status, 0, "quire import exited {status}: {text}");
    let summary = serde_json::from_str(text.trim()).expect("summary");
    assert_eq!(
        dir_bytes(&scratch),
        0,
        "the import left its scratch directory"
    );
    let _ = std::fs::remove_dir_all(&store);
    Measured {
        secs,
        rss_kib: rss,
        scratch: scratch_peak,
        summary,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<u64> = match (flag("--sizes"), flag("--size-mb")) {
        (Some(list), _) => list
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .collect(),
        (None, Some(mb)) => {
            let mb: u64 = mb.parse().expect("--size-mb N");
            vec![mb, mb / 2]
        }
        (None, None) => vec![64, 256, 1024],
    };
    let runs: usize = flag("--runs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let quire =
        flag("--quire").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_quire")), PathBuf::from);
    let dir = match flag("--store-in") {
        Some(b) => tempfile::tempdir_in(b).expect("tempdir"),
        None => tempfile::tempdir().expect("tempdir"),
    };
    let warc_dir = flag("--warc-dir").map(PathBuf::from);
    let mut rows = Vec::new();
    for mb in sizes {
        let (file, keep) = match &warc_dir {
            Some(d) => {
                std::fs::create_dir_all(d).expect("--warc-dir");
                (d.join(format!("bench-{mb}.warc.gz")), true)
            }
            None => (dir.path().join(format!("bench-{mb}.warc.gz")), false),
        };
        if !file.exists() {
            let t = Instant::now();
            let (pages, bytes) = write_warc(&file, mb * 1024 * 1024);
            eprintln!(
                "wrote {} ({pages} pages, {:.0} MB) in {:.1} s",
                file.display(),
                bytes as f64 / 1e6,
                t.elapsed().as_secs_f64()
            );
        }
        let bytes = std::fs::metadata(&file).map(|m| m.len()).expect("file");
        let mut best: Option<Measured> = None;
        let mut rss = 0u64;
        for _ in 0..runs {
            let m = import(&quire, &file, dir.path());
            let pages = m.summary["captured"].as_u64().unwrap_or(0);
            println!(
                "import {:.0} MB ({pages} pages): {:.1} s, {:.2} MB/s, {:.0} pages/s, peak RSS {:.1} MiB, scratch {:.1} MB",
                bytes as f64 / 1e6,
                m.secs,
                bytes as f64 / 1e6 / m.secs,
                pages as f64 / m.secs,
                m.rss_kib as f64 / 1024.0,
                m.scratch as f64 / 1e6
            );
            rss = rss.max(m.rss_kib);
            if best.as_ref().is_none_or(|b| m.secs < b.secs) {
                best = Some(m);
            }
        }
        if !keep {
            let _ = std::fs::remove_file(&file);
        }
        if let Some(b) = best {
            let pages = b.summary["captured"].as_u64().unwrap_or(0);
            assert_eq!(
                b.summary["records"].as_u64(),
                Some(2 * pages),
                "{}",
                b.summary
            );
            rows.push((bytes, pages, b.secs, rss, b.scratch));
        }
    }
    println!(
        "\n| file | pages | s | MB/s | pages/s | peak RSS | scratch peak | scratch bytes/page |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (bytes, pages, secs, rss, scratch) in &rows {
        println!(
            "| {:.0} MB | {pages} | {secs:.1} | {:.2} | {:.0} | {:.1} MiB | {:.1} MB | {:.0} |",
            *bytes as f64 / 1e6,
            *bytes as f64 / 1e6 / secs,
            *pages as f64 / secs,
            *rss as f64 / 1024.0,
            *scratch as f64 / 1e6,
            *scratch as f64 / (*pages).max(1) as f64
        );
    }
    let (lo, hi) = rows
        .iter()
        .fold((u64::MAX, 0), |(lo, hi), r| (lo.min(r.3), hi.max(r.3)));
    if rows.len() > 1 {
        println!(
            "peak RSS from {:.1} to {:.1} MiB across sizes ({:+.1}%)",
            lo as f64 / 1024.0,
            hi as f64 / 1024.0,
            (hi as f64 / lo.max(1) as f64 - 1.0) * 100.0
        );
    }
}
