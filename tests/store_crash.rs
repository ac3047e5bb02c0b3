//! Crash safety: a writing process is SIGKILLed at many different points; each time
//! `quire verify` must pass, and a rerun must finish the run without a second outcome
//! for any URL.

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");
const N: u64 = 60;

fn fill_cmd(store: &Path) -> Command {
    let mut c = Command::new(QUIRE);
    c.args([
        "debug-store-fill",
        "--store",
        store.to_str().unwrap(),
        "--captures",
        &N.to_string(),
        "--pause-every",
        "2",
        "--pause-ms",
        "10",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    c
}

fn verify_ok(store: &Path, context: &str) {
    let out = Command::new(QUIRE)
        .args(["verify", "--store", store.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{context}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn run_dirs(store: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(store.join("runs"))
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn sealed(store: &Path, run: &str) -> bool {
    store
        .join("runs")
        .join(run)
        .join("manifest.sha256")
        .exists()
}

/// (run, url) pairs of every record file: the files are the truth.
fn outcomes(store: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let runs = store.join("runs");
    let Ok(rd) = fs::read_dir(&runs) else {
        return out;
    };
    for run in rd {
        let run = run.unwrap().path();
        for rec in fs::read_dir(run.join("records")).unwrap() {
            let v: serde_json::Value =
                serde_json::from_slice(&fs::read(rec.unwrap().path()).unwrap()).unwrap();
            out.push((
                v["run_id"].as_str().unwrap().to_string(),
                v["url"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

#[test]
fn sigkill_at_many_points_leaves_a_verifiable_resumable_store() {
    let d = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    // The writer pauses 10 ms every 2 URLs, so a run takes at least 300 ms and the kill
    // delays below (0 to ~500 ms) land before, inside and after it.
    let mut interrupted = 0;
    for iter in 0..12u64 {
        let store = d.path().join(format!("s{iter}"));
        // Kill once or twice at escalating, jittered delays, from "before the first
        // file" to "while finishing the run".
        let kills = if iter % 3 == 2 { 2 } else { 1 };
        for k in 0..kills {
            let mut child = fill_cmd(&store).spawn().unwrap();
            let micros = iter * 45_000 / (k + 1) + rng.u64(0..10_000);
            std::thread::sleep(Duration::from_micros(micros));
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            if store.join("quire-store.json").exists() {
                verify_ok(
                    &store,
                    &format!("iteration {iter}, kill {k} after {micros} us"),
                );
            }
        }
        let before = run_dirs(&store);
        let unfinished = before.iter().filter(|r| !sealed(&store, r)).count();
        assert!(
            unfinished <= 1,
            "iteration {iter}: at most one unfinished run"
        );
        if unfinished == 1 {
            interrupted += 1;
        }
        let out = fill_cmd(&store).output().unwrap();
        assert!(
            out.status.success(),
            "iteration {iter}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        verify_ok(&store, &format!("iteration {iter}, after the rerun"));
        let after = run_dirs(&store);
        if unfinished == 1 {
            assert_eq!(
                after, before,
                "iteration {iter}: the interrupted run was resumed, not restarted"
            );
        } else {
            assert_eq!(after.len(), before.len() + 1, "iteration {iter}");
        }
        assert!(
            after.iter().all(|r| sealed(&store, r)),
            "iteration {iter}: every run finished"
        );
        let all = outcomes(&store);
        let unique: HashSet<_> = all.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            all.len(),
            "iteration {iter}: a URL has two outcomes in one run"
        );
        for run in &after {
            let n = all.iter().filter(|(r, _)| r == run).count() as u64;
            assert_eq!(
                n, N,
                "iteration {iter}: run {run} has an outcome for every URL"
            );
        }
    }
    assert!(
        interrupted >= 5,
        "only {interrupted} of 12 kills landed inside a run: the test would prove little"
    );
}
