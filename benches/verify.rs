//! `cargo bench --bench verify`: builds a 10,000-capture store in a temp dir through the
//! library, then times `Store::verify` against `sha256sum` over the same files (page
//! cache warm for both), printing MB/s for each and the ratio. Also prints the rate at
//! which the store was filled (captures/s, group commit on).
//!
//! Options (after `--`): `--captures N` (default 10000), `--body-bytes B` (default 16384).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quire::store::{synthetic, Store};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_none_or(|x| x != "sha256") {
            out.push(p);
        }
    }
}

fn best<F: FnMut() -> Duration>(n: usize, mut f: F) -> Duration {
    (0..n).map(|_| f()).min().unwrap_or_default()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let captures = arg("--captures", 10_000);
    let body_bytes = arg("--body-bytes", 16_384) as usize;
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("store");

    let t = Instant::now();
    {
        let mut store = Store::open_writer(&root).expect("open writer");
        let run = store
            .begin_run(&serde_json::json!({"bench": "verify"}))
            .expect("begin");
        for i in 0..captures {
            let url = format!("https://bench.test/page-{i:06}");
            let obj = store
                .put_object(&synthetic::body("bench", i, body_bytes))
                .expect("object");
            let article = synthetic::article(&url, &obj, &run, &format!("Page {i}"));
            store.put_capture(&run, &article).expect("capture");
        }
        store
            .finish_run(&run, &serde_json::json!({}))
            .expect("finish");
    }
    let build = t.elapsed();
    println!(
        "filled {captures} captures ({body_bytes}-byte bodies) in {:.2} s: {:.0} captures/s",
        build.as_secs_f64(),
        captures as f64 / build.as_secs_f64()
    );

    let mut list = Vec::new();
    files(&root.join("objects"), &mut list);
    files(&root.join("runs"), &mut list);
    let total: u64 = list
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    // Warm the page cache for both contenders.
    for p in &list {
        let _ = std::fs::read(p);
    }

    let reader = Store::open_reader(&root).expect("reader");
    let mut report = None;
    let verify = best(3, || {
        let t = Instant::now();
        report = Some(reader.verify().expect("verify"));
        t.elapsed()
    });
    let report = report.expect("ran");
    assert!(report.ok(), "{:?}", report.problems);

    let sha = best(3, || {
        let t = Instant::now();
        for chunk in list.chunks(1000) {
            let status = Command::new("sha256sum")
                .args(chunk)
                .stdout(Stdio::null())
                .status()
                .expect("sha256sum");
            assert!(status.success());
        }
        t.elapsed()
    });
    let mb = |d: Duration| report.bytes_hashed as f64 / 1e6 / d.as_secs_f64();
    println!(
        "files: {} ({:.1} MB); verify hashed {:.1} MB in {} objects, {} records, {} manifests",
        list.len(),
        total as f64 / 1e6,
        report.bytes_hashed as f64 / 1e6,
        report.objects,
        report.records,
        report.manifests
    );
    println!(
        "quire verify: {:.3} s, {:.0} MB/s   (threads: {})",
        verify.as_secs_f64(),
        mb(verify),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "sha256sum:    {:.3} s, {:.0} MB/s",
        sha.as_secs_f64(),
        total as f64 / 1e6 / sha.as_secs_f64()
    );
    println!(
        "ratio verify/sha256sum time: {:.2}x (goal <= 1.5x)",
        verify.as_secs_f64() / sha.as_secs_f64()
    );

    // The same on one core, both as child processes: the `quire verify` binary vs
    // `sha256sum`, each pinned with `taskset -c 0`.
    let pinned = Command::new("taskset")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    if pinned.map(|s| s.success()).unwrap_or(false) {
        let quire = env!("CARGO_BIN_EXE_quire");
        let qv = best(3, || {
            let t = Instant::now();
            let status = Command::new("taskset")
                .args(["-c", "0", quire, "verify", "--store"])
                .arg(&root)
                .stdout(Stdio::null())
                .status()
                .expect("quire verify");
            assert!(status.success());
            t.elapsed()
        });
        let sv = best(3, || {
            let t = Instant::now();
            for chunk in list.chunks(1000) {
                let status = Command::new("taskset")
                    .args(["-c", "0", "sha256sum"])
                    .args(chunk)
                    .stdout(Stdio::null())
                    .status()
                    .expect("sha256sum");
                assert!(status.success());
            }
            t.elapsed()
        });
        println!(
            "one core: `quire verify` {:.3} s ({:.0} MB/s), sha256sum {:.3} s ({:.0} MB/s), ratio {:.2}x",
            qv.as_secs_f64(),
            mb(qv),
            sv.as_secs_f64(),
            total as f64 / 1e6 / sv.as_secs_f64(),
            qv.as_secs_f64() / sv.as_secs_f64()
        );
    }
}
