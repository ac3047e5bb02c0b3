//! `quire demo` end to end: serves the bundled site on 127.0.0.1, crawls v1 and v2, and
//! reports exactly the article changes listed in `src/demo/site/CHANGES.md`, with the
//! chrome changed on every page causing none.

mod diff_support;

use std::process::Command;

use diff_support::ChangesJson;

fn quire(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path_of(url: &str) -> &str {
    // "http://127.0.0.1:PORT/path" -> "/path"
    let rest = url.trim_start_matches("http://");
    &rest[rest.find('/').unwrap_or(rest.len())..]
}

#[test]
fn demo_reports_exactly_the_article_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let store_s = store.to_str().unwrap();
    let (code, out, err) = quire(&["demo", "--store", store_s]);
    assert_eq!(code, 0, "demo failed:\n{out}\n{err}");
    assert!(out.contains("crawl 1: run"), "{out}");
    assert!(out.contains("crawl 2: run"), "{out}");
    assert!(out.contains("added 1, removed 1"), "{out}");
    assert!(
        out.contains("$ quire diff "),
        "the demo prints one diff:\n{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when not on a terminal");

    let (code, json, err) = quire(&["changes", "--json", "--store", store_s]);
    assert_eq!(code, 0, "{err}");
    let c: ChangesJson = serde_json::from_str(json.trim()).unwrap();
    assert_ne!(c.old, c.new);
    let added: Vec<&str> = c.added.iter().map(|u| path_of(u)).collect();
    let removed: Vec<&str> = c.removed.iter().map(|u| path_of(u)).collect();
    assert_eq!(added, ["/archive/articles/1217/1217snowplow.htm"]);
    assert_eq!(removed, ["/archive/articles/1116/1116recount.htm"]);
    // Exactly the two edited articles changed. The re-encoded (windows-1252 → UTF-8),
    // re-entity'd and re-chromed ones did not, and the home and index pages (whose
    // chrome and teasers all changed) are not articles at all.
    let changed: Vec<&str> = c.changed.iter().map(|u| path_of(u)).collect();
    assert_eq!(
        changed,
        [
            "/archive/articles/1017/1017bridges.htm",
            "/archive/articles/1117/1117licensing.htm"
        ]
    );
    assert_eq!(
        c.unchanged, 5,
        "pensions, charity, ferry, library, budget: {c:?}"
    );
    assert!(c.failed.is_empty(), "{c:?}");
    assert!(c.index_pages >= 4, "home, archive and year indexes: {c:?}");

    let url = |p: &str| {
        let base = &c.added[0][..c.added[0].len() - path_of(&c.added[0]).len()];
        format!("{base}{p}")
    };
    // The one-word typo fix is one word.
    let (code, d, err) = quire(&[
        "diff",
        &url("/archive/articles/1017/1017bridges.htm"),
        "--store",
        store_s,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(d.contains("[-goverment-]{+government+}"), "{d}");
    assert_eq!(d.matches("[-").count(), 1, "{d}");
    assert_eq!(d.matches("{+").count(), 1, "{d}");

    // The new headline is a field change; the added paragraph is one inserted block.
    let (code, d, err) = quire(&[
        "diff",
        &url("/archive/articles/1117/1117licensing.htm"),
        "--store",
        store_s,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        d.contains("title: [-Licensed to Braid-]{+Who Needs a Licence to Braid Hair?+}"),
        "{d}"
    );
    assert_eq!(d.matches("@@ ").count(), 1, "one body block changed:\n{d}");
    assert!(
        d.contains("@@ +4 paragraph @@\n{+The costs are not trivial."),
        "{d}"
    );
}

#[test]
fn demo_runs_with_a_temporary_store() {
    let (code, out, err) = quire(&["demo"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("store: (temporary)"), "{out}");
}
