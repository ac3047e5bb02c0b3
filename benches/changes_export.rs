//! Bench binary (`cargo bench --bench changes_export`): `quire changes` and
//! `quire export --format jsonl` on stores of 1,000 and 10,000 captures, run as child
//! processes of the release binary. Prints wall time and the child's peak RSS (from
//! `wait4`'s rusage, i.e. the kernel's VmHWM of that one child). Memory must stay flat
//! as the store grows: the 10k figure should be close to the 1k one.
//!
//! Stores are built through the library (two runs: every chrome changed, 10 % of the
//! articles edited, 2 % gone, 2 % new) in a temporary directory.

#[path = "../tests/diff_support/mod.rs"]
mod diff_support;

use std::process::{Command, Stdio};
use std::time::Instant;

/// Run `quire args…` with stdout to /dev/null; returns (seconds, peak RSS in KiB).
fn measure(args: &[&str]) -> (f64, i64) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn quire");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "quire {args:?} failed: status {status}"
    );
    std::mem::forget(child); // already reaped by wait4
    (secs, usage.ru_maxrss)
}

fn main() {
    // `cargo bench` passes `--bench`; numbers after `--` are extra store sizes in
    // captures (e.g. `cargo bench --bench changes_export -- 50000`).
    let mut sizes: Vec<(usize, String)> = vec![(500, "1k".into()), (5000, "10k".into())];
    for a in std::env::args().skip(1) {
        if let Ok(n) = a.parse::<usize>() {
            sizes.push((n / 2, format!("{}k", n / 1000)));
        }
    }
    println!("store   captures  command                 wall_s   peak_rss_MiB");
    for (articles, label) in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("store");
        let t = Instant::now();
        let (r1, r2) = diff_support::build_two_runs(&root, articles);
        let captures = articles + (articles - articles / 50) + articles / 50;
        eprintln!(
            "built {label} store ({captures} captures) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let store = root.to_str().expect("utf-8 temp path");
        let cases: [(&str, Vec<&str>); 3] = [
            (
                "changes --json",
                vec!["changes", &r1.0, &r2.0, "--json", "--store", store],
            ),
            ("export jsonl (latest)", vec!["export", "--store", store]),
            (
                "export jsonl --all",
                vec!["export", "--all", "--store", store],
            ),
        ];
        for (name, args) in cases {
            // Warm the page cache once, then measure the best of three.
            let _ = measure(&args);
            let mut best = (f64::MAX, 0);
            for _ in 0..3 {
                let (s, rss) = measure(&args);
                if s < best.0 {
                    best = (s, rss);
                }
            }
            println!(
                "{label:<7} {captures:>8}  {name:<22} {:>7.3}   {:>8.1}",
                best.0,
                best.1 as f64 / 1024.0
            );
        }
    }
}
