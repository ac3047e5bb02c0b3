//! `changes` and `diff` on a two-run store where every page's chrome changed: only the
//! articles whose content changed, appeared or disappeared are reported.

mod diff_support;

use std::process::Command;

use diff_support::*;
use quire::diff::{self, compare_runs};
use quire::model::PageType;
use quire::store::{RunId, Store};

const A: &str = "http://127.0.0.1:9/a.html";
const B: &str = "http://127.0.0.1:9/b.html";
const C: &str = "http://127.0.0.1:9/c.html";
const D: &str = "http://127.0.0.1:9/d.html";
const E: &str = "http://127.0.0.1:9/e.html";
const F: &str = "http://127.0.0.1:9/f.html";
const G: &str = "http://127.0.0.1:9/g.html";
const IDX: &str = "http://127.0.0.1:9/index.html";

fn fixture() -> (tempfile::TempDir, RunId, RunId) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_writer(dir.path()).unwrap();
    let r1 = s.begin_run(&serde_json::json!({"seeds": [IDX]})).unwrap();
    let body_b1 = ["The quick brwon fox jumps.", "Second paragraph."];
    let index = |links: &'static str, chrome: &'static str| Page {
        url: IDX,
        title: links,
        paragraphs: &[],
        page_type: PageType::Index,
        chrome,
    };
    put_page(&mut s, &r1, &index("Index v1", "nav 1"));
    put_page(
        &mut s,
        &r1,
        &Page::article(A, "A", &["Alpha text."], "nav 1"),
    );
    put_page(&mut s, &r1, &Page::article(B, "B", &body_b1, "nav 1"));
    put_page(&mut s, &r1, &Page::article(C, "C", &["Gamma."], "nav 1"));
    put_page(&mut s, &r1, &Page::article(D, "D", &["Delta."], "nav 1"));
    put_page(&mut s, &r1, &Page::article(E, "E", &["Epsilon."], "nav 1"));
    let g1 = put_page(&mut s, &r1, &Page::article(G, "G", &["Eta."], "nav 1"));
    s.finish_run(&r1, &serde_json::json!({})).unwrap();

    let r2 = s.begin_run(&serde_json::json!({"seeds": [IDX]})).unwrap();
    let body_b2 = ["The quick brown fox jumps.", "Second paragraph."];
    put_page(&mut s, &r2, &index("Index v2", "nav 2, new ad"));
    put_page(
        &mut s,
        &r2,
        &Page::article(A, "A", &["Alpha text."], "nav 2, new ad"),
    );
    put_page(
        &mut s,
        &r2,
        &Page::article(B, "B", &body_b2, "nav 2, new ad"),
    );
    put_gone(&mut s, &r2, C);
    // D is not reached at all by the finished run 2: removed.
    put_failed(&mut s, &r2, E);
    put_page(
        &mut s,
        &r2,
        &Page::article(F, "F", &["Phi, new."], "nav 2, new ad"),
    );
    put_not_modified(&mut s, &r2, G, &g1);
    s.finish_run(&r2, &serde_json::json!({})).unwrap();
    (dir, r1, r2)
}

fn quire(args: &[&str], store: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn compare_runs_reports_only_content_changes() {
    let (dir, r1, r2) = fixture();
    let store = Store::open_reader(dir.path()).unwrap();
    let cmp = compare_runs(&store, &r1, &r2).unwrap();
    assert_eq!(cmp.added, vec![F]);
    assert_eq!(cmp.removed, vec![C, D]);
    assert_eq!(cmp.changed, vec![B]);
    assert_eq!(cmp.unchanged, 2, "A (new chrome) and G (304)");
    assert_eq!(cmp.failed, vec![E]);
    assert_eq!(
        cmp.index_pages, 1,
        "the index page's change is not an article change"
    );

    // Same run against itself: nothing changed.
    let same = compare_runs(&store, &r2, &r2).unwrap();
    assert!(same.added.is_empty() && same.removed.is_empty() && same.changed.is_empty());
}

#[test]
fn changes_cli_defaults_to_the_last_two_runs() {
    let (dir, r1, r2) = fixture();
    let (code, out, err) = quire(&["changes", "--json"], dir.path());
    assert_eq!(code, 0, "{err}");
    let j: ChangesJson = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (j.old.as_str(), j.new.as_str()),
        (r1.0.as_str(), r2.0.as_str())
    );
    assert_eq!(j.added, vec![F]);
    assert_eq!(j.removed, vec![C, D]);
    assert_eq!(j.changed, vec![B]);
    assert_eq!(j.unchanged, 2);
    assert_eq!(j.failed, vec![E]);
    assert_eq!(j.index_pages, 1);

    let (code, human, _) = quire(&["changes", &r1.0, &r2.0], dir.path());
    assert_eq!(code, 0);
    assert!(
        human.contains("added 1, removed 2, changed 1, unchanged 2, failed 1"),
        "{human}"
    );
    assert!(human.contains(&format!("~ {B}")), "{human}");

    let (code, _, err) = quire(&["changes", "nope", &r2.0], dir.path());
    assert_eq!(code, 2, "unknown run is a usage error: {err}");
}

#[test]
fn diff_cli_shows_a_fixed_typo_as_one_word() {
    let (dir, r1, r2) = fixture();
    let (code, out, err) = quire(&["diff", B], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("The quick [-brwon-]{+brown+} fox jumps."),
        "{out}"
    );
    assert_eq!(out.matches("[-").count(), 1, "{out}");
    assert_eq!(out.matches("{+").count(), 1, "{out}");
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );

    let (code, out, _) = quire(
        &["diff", B, "--json", "--from", &r1.0, "--to", &r2.0],
        dir.path(),
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let d: diff::ArticleDiff = serde_json::from_value(v["diff"].clone()).unwrap();
    let store = Store::open_reader(dir.path()).unwrap();
    let h = store.history(B).unwrap();
    let old = store.read_capture(&h[0].id).unwrap();
    let new = store.read_capture(&h[1].id).unwrap();
    assert_eq!(diff::apply(&old.content, &d).unwrap(), new.content);
    assert_eq!(d.block_counts(), (0, 0, 1));
}

#[test]
fn diff_cli_on_unchanged_and_unknown() {
    let (dir, r1, r2) = fixture();
    // A only changed its chrome.
    let (code, out, _) = quire(&["diff", A], dir.path());
    assert_eq!(code, 0);
    assert!(out.contains("no content changes"), "{out}");
    // G was 304 in run 2: as of run 2 it is its run-1 capture.
    let (code, out, err) = quire(&["diff", G, "--from", &r1.0, "--to", &r2.0], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no content changes"), "{out}");
    let (code, _, _) = quire(&["diff", "http://127.0.0.1:9/never.html"], dir.path());
    assert_eq!(code, 2);
}
