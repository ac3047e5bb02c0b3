//! Import throughput and memory: writes a `.warc.gz` (one gzip member per record, a
//! `request` and a `response` record per page, as wget writes them) of ESR-style
//! synthetic article pages (the test site's generator, each page with its own text and a
//! sidebar of links, ~16 KB), runs the `quire` binary (bench profile) as a child:
//! `quire import FILE --store DIR --profile esr --json`, and reports MB/s (file bytes),
//! pages/s and the child's peak RSS (`wait4`). Then the same for a file half the size:
//! the peak RSS must not grow with the file.
//!
//! `cargo bench --bench import` (1 GiB; needs ~3 GiB of disk for the file and the
//! store), `-- --size-mb 128` for a smaller file, `-- --store-in /dev/shm` for tmpfs.

#[path = "../tests/support/site.rs"]
#[allow(dead_code)]
mod site;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

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

fn member(out: &mut impl Write, head: &str, block: &[u8]) -> std::io::Result<()> {
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
    gz.write_all(head.as_bytes())?;
    gz.write_all(block)?;
    gz.write_all(b"\r\n\r\n")?;
    gz.finish()?;
    Ok(())
}

/// Write a WARC of about `bytes` (compressed) bytes; returns (pages, size).
fn write_warc(path: &Path, bytes: u64) -> (u64, u64) {
    let f = std::fs::File::create(path).expect("create");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
    let mut i = 0u64;
    let mut written = 0u64;
    let mut counter = CountingSink(0);
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
        member(&mut counter, &head, req.as_bytes()).expect("count");
        member(&mut out, &head, req.as_bytes()).expect("write");
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
        member(&mut counter, &head, msg.as_bytes()).expect("count");
        member(&mut out, &head, msg.as_bytes()).expect("write");
        written = counter.0;
        i += 1;
    }
    out.flush().expect("flush");
    (i, written)
}

struct CountingSink(u64);
impl Write for CountingSink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Import `file` into a new store under `base`: (seconds, peak RSS KiB, summary).
fn import(file: &Path, base: &Path) -> (f64, u64, serde_json::Value) {
    let store = base.join("store");
    let started = Instant::now();
    // Reaped below with wait4, which also gives its peak RSS.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["import"])
        .arg(file)
        .arg("--store")
        .arg(&store)
        .args(["--profile", "esr", "--json"])
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
    let pid = child.id() as libc::pid_t;
    // SAFETY: reaping our own child; rusage is plain data.
    let (status, rss) = unsafe {
        let mut status: libc::c_int = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid, &mut status, 0, &mut usage);
        (libc::WEXITSTATUS(status), usage.ru_maxrss as u64)
    };
    let secs = started.elapsed().as_secs_f64();
    let text = reader.join().unwrap_or_default();
    assert_eq!(status, 0, "quire import exited {status}: {text}");
    let summary = serde_json::from_str(text.trim()).expect("summary");
    let _ = std::fs::remove_dir_all(&store);
    (secs, rss, summary)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let size_mb: u64 = flag("--size-mb")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let dir = match flag("--store-in") {
        Some(b) => tempfile::tempdir_in(b).expect("tempdir"),
        None => tempfile::tempdir().expect("tempdir"),
    };
    let mut rss = Vec::new();
    for mb in [size_mb, size_mb / 2] {
        let file = dir.path().join(format!("bench-{mb}.warc.gz"));
        let t = Instant::now();
        let (pages, bytes) = write_warc(&file, mb * 1024 * 1024);
        eprintln!(
            "wrote {} ({pages} pages, {:.0} MB) in {:.1} s",
            file.display(),
            bytes as f64 / 1e6,
            t.elapsed().as_secs_f64()
        );
        let (secs, peak, s) = import(&file, dir.path());
        let _ = std::fs::remove_file(&file);
        assert_eq!(s["captured"].as_u64(), Some(pages), "{s}");
        println!(
            "import {:.0} MB ({pages} pages): {:.1} s, {:.1} MB/s, {:.0} pages/s, peak RSS {:.1} MiB",
            bytes as f64 / 1e6,
            secs,
            bytes as f64 / 1e6 / secs,
            pages as f64 / secs,
            peak as f64 / 1024.0
        );
        rss.push(peak);
    }
    if let [full, half] = rss[..] {
        println!(
            "peak RSS, full file vs half: {:.1} MiB vs {:.1} MiB ({:+.1}%)",
            full as f64 / 1024.0,
            half as f64 / 1024.0,
            (full as f64 / half.max(1) as f64 - 1.0) * 100.0
        );
    }
}
