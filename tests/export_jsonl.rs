//! `quire export --format jsonl`: one schema-valid Article per line; latest capture per
//! URL by default, every capture with `--all`, one run with `--run`.

mod diff_support;

use std::process::Command;

use diff_support::*;
use quire::model::Article;

fn schema() -> serde_json::Value {
    let checked_in = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/article-1.3.0.json");
    let text =
        std::fs::read_to_string(checked_in).unwrap_or_else(|_| quire::model::article_schema_json());
    serde_json::from_str(&text).unwrap()
}

fn export(args: &[&str], store: &std::path::Path) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .arg("export")
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .enumerate()
        .map(|(n, line)| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line {}: not JSON: {e}", n + 1));
            let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
            assert!(
                errors.is_empty(),
                "line {} fails the schema: {errors:?}",
                n + 1
            );
            // And it is an Article our own types accept.
            let _: Article = serde_json::from_value(v.clone()).unwrap();
            v
        })
        .collect()
}

#[test]
fn jsonl_export_is_schema_valid_and_selects_captures() {
    let dir = tempfile::tempdir().unwrap();
    let (r1, r2) = build_two_runs(dir.path(), 100);
    // 100 in run 1; run 2: 98 re-captured (2 gone), 2 new.
    let latest = export(&[], dir.path());
    assert_eq!(latest.len(), 102);
    let urls: Vec<&str> = latest
        .iter()
        .map(|v| v["content"]["url"].as_str().unwrap())
        .collect();
    let mut sorted = urls.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), urls.len(), "one line per URL");
    // The latest capture of a re-captured URL is run 2's.
    let first = latest
        .iter()
        .find(|v| v["content"]["url"] == "http://127.0.0.1:1/a/000000.html")
        .unwrap();
    assert_eq!(first["provenance"]["run_id"], r2.0.as_str());

    let all = export(&["--all", "--format", "jsonl"], dir.path());
    assert_eq!(all.len(), 200);

    let run1 = export(&["--run", &r1.0], dir.path());
    assert_eq!(run1.len(), 100);
    assert!(run1
        .iter()
        .all(|v| v["provenance"]["run_id"] == r1.0.as_str()));
}
