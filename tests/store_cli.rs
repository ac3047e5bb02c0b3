//! The store's subcommands as a user runs them: `verify` (exit 4 naming the file),
//! `history`, `reindex`, and the writer lock (exit 3) against a live writing process.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");

fn quire(args: &[&str]) -> Output {
    Command::new(QUIRE).args(args).output().unwrap()
}

fn fill(store: &Path, n: u64) {
    let out = quire(&[
        "debug-store-fill",
        "--store",
        store.to_str().unwrap(),
        "--captures",
        &n.to_string(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn first_file(dir: &Path) -> PathBuf {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v.into_iter().find(|p| p.is_file()).unwrap()
}

fn flip_byte(path: &Path) -> Vec<u8> {
    let orig = fs::read(path).unwrap();
    let mut b = orig.clone();
    let i = b.len() / 2;
    b[i] ^= 0x20;
    fs::write(path, b).unwrap();
    orig
}

fn run_dir(store: &Path) -> PathBuf {
    first_file_dir(&store.join("runs"))
}

fn first_file_dir(dir: &Path) -> PathBuf {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v.into_iter().find(|p| p.is_dir()).unwrap()
}

#[test]
fn verify_exit_codes_name_the_damaged_file() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    fill(&store, 30);
    let s = store.to_str().unwrap();
    let out = quire(&["verify", "--store", s]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let run = run_dir(&store);
    let object = {
        let fan = first_file_dir(&store.join("objects/sha256"));
        let mut fans: Vec<PathBuf> = fs::read_dir(store.join("objects/sha256"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        fans.sort();
        fans.into_iter()
            .find(|f| fs::read_dir(f).unwrap().next().is_some())
            .unwrap_or(fan)
    };
    let object = first_file(&object);
    let record = first_file(&run.join("records"));
    let manifest = run.join("manifest.json");
    for target in [&object, &record, &manifest] {
        let orig = flip_byte(target);
        let out = quire(&["verify", "--store", s]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(4), "{stdout}");
        assert!(
            stdout.contains(&target.display().to_string()),
            "{target:?} not named in:\n{stdout}"
        );
        assert!(stdout.contains("mismatch"), "{stdout}");
        let json = quire(&["verify", "--store", s, "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert!(!v["problems"].as_array().unwrap().is_empty());
        fs::write(target, orig).unwrap();
    }
    assert_eq!(quire(&["verify", "--store", s]).status.code(), Some(0));
    fs::remove_file(&object).unwrap();
    let out = quire(&["verify", "--store", s]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stdout.contains("missing") && stdout.contains(&object.display().to_string()),
        "{stdout}"
    );
}

#[test]
fn reindex_of_a_deleted_database_gives_identical_history() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    fill(&store, 20);
    fill(&store, 20);
    let s = store.to_str().unwrap();
    let url = "https://fill.test/fill/page-000001";
    let before = quire(&["history", url, "--store", s, "--json"]);
    let before_text = quire(&["history", url, "--store", s]);
    let v: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "two runs, two captures");
    for f in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm"] {
        let _ = fs::remove_file(store.join(f));
    }
    let out = quire(&["reindex", "--store", s]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(store.join("index.sqlite").exists());
    assert_eq!(
        quire(&["history", url, "--store", s, "--json"]).stdout,
        before.stdout
    );
    assert_eq!(
        quire(&["history", url, "--store", s]).stdout,
        before_text.stdout
    );
}

#[test]
fn second_writer_gets_the_locked_exit_code_while_readers_work() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("s");
    fill(&store, 5);
    let s = store.to_str().unwrap();
    let mut child = Command::new(QUIRE)
        .args([
            "debug-store-fill",
            "--store",
            s,
            "--captures",
            "400",
            "--run-label",
            "slow",
            "--pause-every",
            "1",
            "--pause-ms",
            "20",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the child holds the lock (it writes its pid into the lock file).
    let pid = child.id().to_string();
    let start = Instant::now();
    while !fs::read_to_string(store.join("lock"))
        .unwrap_or_default()
        .contains(&format!("pid {pid} "))
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "child never took the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = quire(&["reindex", "--store", s]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("locked"));
    let out = quire(&["debug-store-fill", "--store", s, "--captures", "1"]);
    assert_eq!(out.status.code(), Some(3));
    // Readers keep working during the write.
    let out = quire(&[
        "history",
        "https://fill.test/fill/page-000001",
        "--store",
        s,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let out = quire(&["verify", "--store", s]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
