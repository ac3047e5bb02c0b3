//! Index pages as data through the CLI: `quire toc` prints an index page's entries
//! and issue from the store; `quire export --page-type` picks articles (the default),
//! index pages or both.

use std::path::Path;
use std::process::Command;

use quire::extract::{ExtractConfig, ProfileSet};
use quire::pipeline::{self, CaptureInfo, PageInput};
use quire::store::Store;

const ISSUE: &str = "esr-index-monthly-issue-1997";
const ISSUE_URL: &str = "http://www.enterstageright.com/archive/1197/index.htm";
const ARTICLE: &str = "esr-1997-11-very-short";
const ARTICLE_URL: &str = "http://www.enterstageright.com/archive/articles/1197/1197letters.htm";

/// A store with one finished run holding the issue page and one of its articles.
fn store_with_issue(root: &Path) {
    let mut s = Store::open_writer(root).unwrap();
    let run = s.begin_run(&serde_json::json!({})).unwrap();
    for (dir, url) in [(ISSUE, ISSUE_URL), (ARTICLE, ARTICLE_URL)] {
        let raw = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/extract")
                .join(dir)
                .join("page.html"),
        )
        .unwrap();
        let u = url::Url::parse(url).unwrap();
        let p = pipeline::process(
            &PageInput {
                url: &u,
                body: &raw,
                content_type: Some("text/html"),
            },
            &ExtractConfig {
                profiles: ProfileSet::builtin(),
                ..ExtractConfig::default()
            },
        )
        .unwrap();
        let obj = s.put_object(&raw).unwrap();
        let article = p.into_article(
            &raw,
            CaptureInfo {
                http_status: Some(200),
                run_id: Some(run.0.clone()),
                object_path: Some(obj.path.clone()),
                ..CaptureInfo::default()
            },
        );
        s.put_capture(&run, &article).unwrap();
    }
    s.finish_run(&run, &serde_json::json!({})).unwrap();
}

fn quire(args: &[&str], store: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn toc_prints_the_entries_and_the_issue() {
    let dir = tempfile::tempdir().unwrap();
    store_with_issue(dir.path());

    let (code, out, err) = quire(&["toc", ISSUE_URL, "--json"], dir.path());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["issue"]["label"], "November 1997 issue");
    assert_eq!(v["issue"]["date"]["date"], "1997-11");
    assert_eq!(v["issue"]["date"]["precision"], "month");
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 8);
    assert!(entries.iter().any(|e| e["url"] == ARTICLE_URL
        && e["authors"][0] == "Douglas Fairleigh"
        && e["section"] == "Features"));

    let (code, table, _) = quire(&["toc", ISSUE_URL], dir.path());
    assert_eq!(code, 0);
    assert!(
        table.contains("issue\tNovember 1997 issue\t1997-11"),
        "{table}"
    );
    assert!(
        table.contains(&format!(
            "Features\tWhy We Print the Angry Letters\tDouglas Fairleigh\t-\t{ARTICLE_URL}"
        )),
        "{table}"
    );

    // An article is no index page; an unknown URL has no capture: both exit 1.
    let (code, _, err) = quire(&["toc", ARTICLE_URL], dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("article, not an index page"), "{err}");
    let (code, _, err) = quire(
        &["toc", "http://www.enterstageright.com/nope.htm"],
        dir.path(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("no captures"), "{err}");
}

#[test]
fn export_page_type_selects_articles_by_default() {
    let dir = tempfile::tempdir().unwrap();
    store_with_issue(dir.path());
    let urls = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["export"];
        a.extend_from_slice(args);
        let (code, out, err) = quire(&a, dir.path());
        assert_eq!(code, 0, "{err}");
        let mut v: Vec<String> = out
            .lines()
            .map(|l| {
                let d: serde_json::Value = serde_json::from_str(l).unwrap();
                d["content"]["url"].as_str().unwrap().to_string()
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(urls(&[]), vec![ARTICLE_URL]);
    assert_eq!(urls(&["--page-type", "article"]), vec![ARTICLE_URL]);
    assert_eq!(urls(&["--page-type", "index"]), vec![ISSUE_URL]);
    assert_eq!(urls(&["--page-type", "all"]), vec![ISSUE_URL, ARTICLE_URL]);
}
