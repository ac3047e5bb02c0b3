//! `quire serve`: every JSON endpoint and HTML page against a store crawled from the
//! loopback demo site in two versions, documents checked against the CLI's `--json`
//! output and the Article schema; conditional requests; errors; archived markup that
//! must stay text; runs that appear while the server runs.

mod diff_support;
mod serve_support;

use std::path::Path;
use std::process::Command;

use quire::store::{RunId, Store};
use serde_json::Value;
use serve_support::{crawled_store, enc, get, get_with, Server};

fn quire_json(args: &[&str], store: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "schema/article-{}.json",
        quire::model::SCHEMA_VERSION
    ));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&v).unwrap()
}

#[test]
fn every_api_endpoint_on_a_crawled_store_matches_the_cli() {
    let (_dir, root, report) = crawled_store();
    let server = Server::start(&root);

    // Runs, newest first.
    let runs = get(&server.url("/api/v1/runs"));
    assert_eq!(runs.status, 200);
    assert_eq!(runs.header("content-type"), "application/json");
    let runs = runs.json();
    let ids: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            report.runs[1].run_id.as_str(),
            report.runs[0].run_id.as_str()
        ]
    );

    // A run's entries, three at a time, following the cursor to the end.
    let store = Store::open_reader(&root).unwrap();
    let new_run = RunId(report.runs[1].run_id.clone());
    let mut all = Vec::new();
    store
        .for_each_entry(&new_run, |e| {
            all.push(e.url);
            Ok(())
        })
        .unwrap();
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let q = cursor
            .as_deref()
            .map_or(String::new(), |c| format!("&cursor={}", enc(c)));
        let page = get(&server.url(&format!("/api/v1/runs/{}?limit=3{q}", new_run))).json();
        assert_eq!(page["run"]["id"], new_run.0.as_str());
        let entries = page["entries"].as_array().unwrap();
        assert!(entries.len() <= 3);
        paged.extend(
            entries
                .iter()
                .map(|e| e["url"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert!(all.len() > 3, "the demo run has more entries than one page");
    assert_eq!(paged, all);

    // changes: the same document as `quire changes --json`.
    let changes = get(&server.url("/api/v1/changes")).json();
    assert_eq!(changes, quire_json(&["changes", "--json"], &root));
    let explicit = get(&server.url(&format!(
        "/api/v1/changes?from={}&to={}",
        report.runs[0].run_id, report.runs[1].run_id
    )));
    assert_eq!(explicit.json(), changes);
    let changed = changes["changed"][0]
        .as_str()
        .expect("an article changed")
        .to_string();

    // diff: as `quire diff URL --json`.
    let diff = get(&server.url(&format!("/api/v1/diff?url={}", enc(&changed))));
    assert_eq!(diff.status, 200);
    assert_eq!(
        diff.json(),
        quire_json(&["diff", &changed, "--json"], &root)
    );

    // history: the captures `quire history --json` lists, with the article's URL.
    let history = get(&server.url(&format!("/api/v1/history?url={}", enc(&changed)))).json();
    assert_eq!(history["url"], changed.as_str());
    assert_eq!(
        history["captures"],
        quire_json(&["history", &changed, "--json"], &root)
    );
    let captures = history["captures"].as_array().unwrap();
    assert_eq!(captures.len(), 2);

    // articles: the latest Article document, valid against the schema.
    let article = get(&server.url(&format!("/api/v1/articles?url={}", enc(&changed))));
    assert_eq!(article.status, 200);
    let doc = article.json();
    let validator = schema();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(doc["content_sha256"], captures[1]["content_sha256"]);

    // captures: the record file, byte for byte (its name is the SHA-256 of its bytes).
    let id = captures[0]["id"].as_str().unwrap();
    let record = get(&server.url(&format!("/api/v1/captures/{id}")));
    assert_eq!(record.status, 200);
    let sha = id.split_once('/').unwrap().1;
    assert_eq!(quire::model::sha256_hex(&record.body), sha);
    let stored = &record.json()["outcome"]["detail"]["article"];
    assert_eq!(stored["content"]["url"], changed.as_str());
    let errors: Vec<String> = validator
        .iter_errors(stored)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // Conditional requests: the same ETag answers 304 with no body.
    let tag = article.header("etag").to_string();
    assert!(tag.starts_with('"') && tag.len() > 10, "{tag}");
    let again = get_with(
        &server.url(&format!("/api/v1/articles?url={}", enc(&changed))),
        Some(&tag),
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = get_with(
        &server.url(&format!("/api/v1/articles?url={}", enc(&changed))),
        Some("\"something-else\""),
    );
    assert_eq!(other.status, 200);
}

#[test]
fn api_errors_are_json_with_a_stable_code_and_the_right_status() {
    let (_dir, root, _) = crawled_store();
    let server = Server::start(&root);
    let cases = [
        ("/api/v1/runs/20000101T000000Z-000000", 404, "unknown_run"),
        ("/api/v1/articles", 400, "missing_parameter"),
        (
            "/api/v1/articles?url=http%3A%2F%2F127.0.0.1%3A9%2Fnope",
            404,
            "unknown_url",
        ),
        (
            "/api/v1/history?url=http%3A%2F%2F127.0.0.1%3A9%2Fnope",
            404,
            "unknown_url",
        ),
        (
            "/api/v1/diff?url=http%3A%2F%2F127.0.0.1%3A9%2Fnope",
            404,
            "unknown_url",
        ),
        ("/api/v1/captures/not-a-capture", 404, "not_found"),
        ("/api/v1/changes?from=x", 400, "missing_parameter"),
        ("/api/v1/changes?from=x&to=y", 404, "unknown_run"),
        ("/api/v1/nothing-here", 404, "unknown_path"),
    ];
    for (path, status, code) in cases {
        let g = get(&server.url(path));
        assert_eq!(g.status, status, "{path}: {}", g.text());
        assert_eq!(g.header("content-type"), "application/json", "{path}");
        assert_eq!(g.json()["error"], code, "{path}");
        assert!(g.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A malformed page size.
    let runs = get(&server.url("/api/v1/runs")).json();
    let run = runs[0]["id"].as_str().unwrap();
    for bad in ["0", "abc", "1000001"] {
        let g = get(&server.url(&format!("/api/v1/runs/{run}?limit={bad}")));
        assert_eq!(g.status, 400);
        assert_eq!(g.json()["error"], "bad_parameter");
    }
}

#[test]
fn every_page_renders_with_its_security_headers() {
    let (_dir, root, report) = crawled_store();
    let server = Server::start(&root);
    let changed = &report.comparison.changed[0];
    let new_run = &report.runs[1].run_id;
    let pages = [
        "/".to_string(),
        format!("/runs/{new_run}"),
        format!("/runs/{new_run}?mark=changed"),
        format!("/articles?url={}", enc(changed)),
        format!("/diff?url={}", enc(changed)),
        "/search?q=archive".to_string(),
    ];
    for p in &pages {
        let g = get(&server.url(p));
        assert_eq!(g.status, 200, "{p}");
        assert_eq!(g.header("content-type"), "text/html; charset=utf-8", "{p}");
        assert!(
            g.header("content-security-policy")
                .starts_with("default-src 'none'"),
            "{p}"
        );
        assert!(!g.text().contains("<script"), "{p}");
    }
    // The run page marks the changed articles and links their diffs.
    let run = get(&server.url(&format!("/runs/{new_run}?mark=changed"))).text();
    for u in &report.comparison.changed {
        assert!(run.contains(&maud::html! { (u) }.into_string()), "{u}");
    }
    assert!(run.contains("/diff?url="));
    // The article page shows its timeline, the second capture marked changed.
    let article = get(&server.url(&format!("/articles?url={}", enc(changed)))).text();
    assert!(article.contains("content changed"), "{article}");
    // The diff page marks words with <ins> and <del>.
    let diff = get(&server.url(&format!("/diff?url={}", enc(changed)))).text();
    assert!(diff.contains("<ins>") || diff.contains("<del>"), "{diff}");
    // Search finds articles by a part of their URL or of their title, LIKE's
    // wildcards taken literally.
    let tail = changed.rsplit('/').next().unwrap();
    let search = get(&server.url(&format!("/search?q={}", enc(tail)))).text();
    assert!(search.contains(tail));
    let title = get(&server.url(&format!("/api/v1/articles?url={}", enc(changed)))).json()
        ["content"]["title"]
        .as_str()
        .unwrap()
        .to_string();
    let word = title
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_uppercase();
    let search = get(&server.url(&format!("/search?q={}", enc(&word)))).text();
    assert!(search.contains(changed.as_str()), "{word}: {search}");
    let none = get(&server.url("/search?q=%25%25_%25")).text();
    assert!(none.contains("0 article(s)"), "{none}");
    // Raw bytes: plain text, no scripts, the digests first.
    let history = get(&server.url(&format!("/api/v1/history?url={}", enc(changed)))).json();
    let cap = history["captures"][1]["id"].as_str().unwrap();
    let raw = get(&server.url(&format!("/raw/{cap}")));
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(
        raw.header("content-security-policy"),
        "default-src 'none'; sandbox"
    );
    let raw_sha = history["captures"][1]["raw_sha256"].as_str().unwrap();
    assert!(raw.text().contains(&format!("raw_sha256: {raw_sha}")));
    assert!(raw.text().contains("<html") || raw.text().contains("<HTML"));
    // The stylesheet is served from the binary; unknown pages are a 404 page.
    let css = get(&server.url("/static/quire.css"));
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    let missing = get(&server.url("/no/such/page"));
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("unknown_path"));
}

/// Titles, paragraphs and URLs full of markup, as a hostile site would send them.
const EVIL_TITLE: &str = "\"><img src=x onerror=alert(1)><script>alert(2)</script>";
const EVIL_PARA: &str =
    "Click <a href=\"javascript:alert(3)\">here</a> </td></tr></table><script>alert(4)</script>";
const EVIL_URL: &str = "http://127.0.0.1:9/a\"><script>alert(5)</script>.html";

fn hostile_store(root: &Path) -> (RunId, RunId) {
    use diff_support::{put_page, Page};
    let mut s = Store::open_writer(root).unwrap();
    let r1 = s.begin_run(&serde_json::json!({})).unwrap();
    put_page(
        &mut s,
        &r1,
        &Page::article(EVIL_URL, EVIL_TITLE, &[EVIL_PARA], "nav"),
    );
    s.finish_run(&r1, &serde_json::json!({"changed": 0}))
        .unwrap();
    let r2 = s.begin_run(&serde_json::json!({})).unwrap();
    let edited = format!("{EVIL_PARA} <script>alert(6)</script>");
    put_page(
        &mut s,
        &r2,
        &Page::article(EVIL_URL, EVIL_TITLE, &[edited.as_str()], "nav 2"),
    );
    s.finish_run(&r2, &serde_json::json!({"changed": 1}))
        .unwrap();
    (r1, r2)
}

#[test]
fn archived_markup_is_text_on_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let (_r1, r2) = hostile_store(dir.path());
    let server = Server::start(dir.path());
    let pages = [
        "/".to_string(),
        format!("/runs/{r2}"),
        format!("/runs/{r2}?mark=changed"),
        format!("/articles?url={}", enc(EVIL_URL)),
        format!("/diff?url={}", enc(EVIL_URL)),
        format!("/search?q={}", enc("<script>")),
    ];
    for p in &pages {
        let g = get(&server.url(p));
        assert_eq!(g.status, 200, "{p}: {}", g.text());
        let t = g.text();
        assert!(!t.contains("<script"), "{p}: {t}");
        assert!(!t.contains("<img"), "{p}");
        assert!(!t.contains("href=\"javascript:"), "{p}");
        // The attribute text is there only inside escaped text, never in a tag.
        assert!(
            t.match_indices("onerror=alert")
                .all(|(i, _)| t[..i].ends_with("&lt;img src=x ")),
            "{p}"
        );
    }
    // The text is there, escaped.
    let article = get(&server.url(&format!("/articles?url={}", enc(EVIL_URL)))).text();
    assert!(
        article.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
        "{article}"
    );
    let diff = get(&server.url(&format!("/diff?url={}", enc(EVIL_URL)))).text();
    assert!(
        diff.contains("<ins>&lt;script&gt;alert(6)&lt;/script&gt;</ins>"),
        "{diff}"
    );
}

#[test]
fn new_runs_appear_without_a_restart_and_the_writer_lock_stays_free() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    {
        use diff_support::{put_page, Page};
        let mut s = Store::open_writer(root).unwrap();
        let r = s.begin_run(&serde_json::json!({})).unwrap();
        put_page(
            &mut s,
            &r,
            &Page::article("http://127.0.0.1:9/a.html", "A", &["One."], "n"),
        );
        s.finish_run(&r, &serde_json::json!({})).unwrap();
    }
    let server = Server::start(root);
    assert_eq!(
        get(&server.url("/api/v1/runs"))
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A crawl can take the writer lock while the server runs.
    {
        use diff_support::{put_page, Page};
        let mut s = Store::open_writer(root).expect("the server holds no writer lock");
        let r = s.begin_run(&serde_json::json!({})).unwrap();
        put_page(
            &mut s,
            &r,
            &Page::article("http://127.0.0.1:9/a.html", "A", &["Two."], "n"),
        );
        s.finish_run(&r, &serde_json::json!({})).unwrap();
    }
    let runs = get(&server.url("/api/v1/runs")).json();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    let diff = get(&server.url("/api/v1/diff?url=http%3A%2F%2F127.0.0.1%3A9%2Fa.html")).json();
    assert!(!diff["diff"]["body"].as_array().unwrap().is_empty());
}

#[test]
fn serve_refuses_a_public_address_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--addr", "0.0.0.0:0", "--store"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--public"));
    // A path that holds no store is refused at start.
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["serve", "--addr", "127.0.0.1:0", "--store"])
        .arg(dir.path().join("nothing"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no quire store"));
}

#[test]
fn demo_serve_ends_by_serving_its_store_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["demo", "--serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut base = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("serving on ") {
            base = rest
                .split_whitespace()
                .next()
                .map(|u| u.trim_end_matches('/').to_string());
            break;
        }
    }
    let base = base.expect("the demo prints the address it serves on");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let runs = get(&format!("{base}/api/v1/runs")).json();
    assert_eq!(runs.as_array().unwrap().len(), 2, "the demo's two crawls");
    let home = get(&format!("{base}/"));
    assert_eq!(home.status, 200);
    assert!(home.text().contains("Runs"));
    // SIGTERM (as Ctrl-C) stops it with exit code 0.
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
