//! The WARC export passes an external validator: warcio (`warcio check`, `warcio
//! index`). CI installs it (`pip install warcio`); without it these tests fail in CI
//! (`CI=true`) and are skipped, with the reason printed, elsewhere.

mod diff_support;
#[path = "support/tools.rs"]
mod tools;

use std::path::Path;
use std::process::Command;

use quire::export::warc::{digest, write_capture, write_warcinfo, WarcOptions};
use quire::export::Selection;
use quire::model::*;

fn article(url: &str, body: &[u8], status: u16) -> Article {
    let content = Content {
        url: url.into(),
        canonical_url: None,
        site: Some("Example".into()),
        section: vec![],
        page_type: PageType::Article,
        kicker: None,
        title: Some("A title".into()),
        subtitle: None,
        authors: vec!["A. Writer".into()],
        published: None,
        body: vec![Block::Paragraph {
            text: "Hello world.".into(),
        }],
        bio: None,
        original_publication: None,
        language: None,
        word_count: 2,
        entries: Vec::new(),
        issue: None,
        posts: Vec::new(),
    };
    Article {
        schema_version: SCHEMA_VERSION.into(),
        content_sha256: content_sha256(&content),
        content,
        provenance: Provenance {
            fetched_at: Some("2026-12-02T03:15:00.123Z".into()),
            http_status: Some(status),
            final_url: Some(url.into()),
            redirects: vec![],
            etag: Some("\"abc\"".into()),
            last_modified: Some("Mon, 01 Jan 2001 00:00:00 GMT".into()),
            content_type: Some("text/html; charset=windows-1252".into()),
            charset: Charset {
                name: "windows-1252".into(),
                source: CharsetSource::Http,
                overruled: vec![],
            },
            raw_sha256: sha256_hex(body),
            raw_bytes: body.len() as u64,
            extractor: ExtractorInfo {
                name: "generic".into(),
                version: "1".into(),
                profile: None,
            },
            tool_version: quire::TOOL_VERSION.into(),
            run_id: Some("20261202T031500Z-abcdef".into()),
            object_path: None,
            source: None,
        },
        warnings: vec![],
        aliases: vec![],
    }
}

/// Run warcio on `file`; panics with a clear message when warcio is not installed.
pub fn warcio(args: &[&str], file: &Path) -> String {
    String::from_utf8_lossy(&warcio_bytes(args, file, &[])).into_owned()
}

/// Like [`warcio`], with arguments after the file; returns raw stdout.
pub fn warcio_bytes(args: &[&str], file: &Path, after: &[&str]) -> Vec<u8> {
    let probe = Command::new("python3")
        .args(["-c", "import warcio"])
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        _ => panic!(
            "warcio is required to validate the WARC export but `python3 -c 'import warcio'` \
             failed; install it with `pip install warcio` (CI does this in .ci/run)"
        ),
    }
    let out = Command::new("python3")
        .args(["-m", "warcio.cli"])
        .args(args)
        .arg(file)
        .args(after)
        .output()
        .expect("running python3 -m warcio.cli");
    let stdout = out.stdout.clone();
    assert!(
        out.status.success(),
        "warcio {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn synthetic_captures_pass_warcio_check_and_index() {
    if !tools::warcio_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.warc.gz");
    let mut buf = Vec::new();
    let opts = WarcOptions {
        selection: Selection::default(),
        created: "2026-12-02T04:00:00Z".into(),
        filename: Some("out.warc.gz".into()),
    };
    let (info, _) = write_warcinfo(&mut buf, &opts).unwrap();
    // Windows-1252 bytes, an empty-ish body and a 404 page, and a hostile ETag.
    let bodies: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "http://127.0.0.1:8080/a.html",
            b"<html>caf\xe9</html>".to_vec(),
            200,
        ),
        (
            "http://127.0.0.1:8080/b.html?x=1&y=2",
            b"<p>b</p>".to_vec(),
            200,
        ),
        ("http://127.0.0.1:8080/gone.html", b"not here".to_vec(), 404),
    ];
    for (i, (url, body, status)) in bodies.iter().enumerate() {
        let mut a = article(url, body, *status);
        if i == 1 {
            a.provenance.etag = Some("\"x\"\r\nWARC-Type: evil".into());
        }
        write_capture(
            &mut buf,
            &format!("cap-{i}"),
            &a,
            body,
            &info,
            "2026-12-02T04:00:00Z",
        )
        .unwrap();
    }
    std::fs::write(&path, &buf).unwrap();

    let check = warcio(&["check", "-v"], &path);
    assert!(!check.contains("failed"), "{check}");
    assert_eq!(check.matches("digest pass").count(), 1 + 3 * 3, "{check}");

    let index = warcio(
        &[
            "index",
            "-f",
            "offset,warc-type,warc-target-uri,warc-payload-digest,http:status,warc-refers-to",
        ],
        &path,
    );
    let lines: Vec<serde_json::Value> = index
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10, "{index}");
    assert_eq!(lines[0]["warc-type"], "warcinfo");
    let types: Vec<&str> = lines[1..4]
        .iter()
        .map(|l| l["warc-type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["request", "response", "conversion"]);
    assert_eq!(lines[2]["http:status"], "200");
    assert_eq!(lines[8]["http:status"], "404");
    assert_eq!(
        lines[2]["warc-payload-digest"].as_str().unwrap(),
        digest(&bodies[0].1)
    );
    assert!(lines[3]["warc-refers-to"]
        .as_str()
        .unwrap()
        .starts_with("<urn:uuid:"));
    assert_eq!(
        lines[5]["warc-target-uri"],
        "http://127.0.0.1:8080/b.html?x=1&y=2"
    );

    // The response payload is the stored body, byte for byte.
    let offset = lines[2]["offset"].as_str().unwrap().to_string();
    let payload = warcio_bytes(&["extract", "--payload"], &path, &[&offset]);
    assert_eq!(payload, bodies[0].1);
}

#[test]
fn store_export_through_the_cli_passes_warcio() {
    if !tools::warcio_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    diff_support::build_two_runs(&store, 20);
    let path = dir.path().join("all.warc.gz");
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["export", "--format", "warc", "--all", "--store"])
        .arg(&store)
        .arg("--output")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = warcio(&["check", "-v"], &path);
    assert!(!check.contains("failed"), "{check}");
    let index = warcio(&["index", "-f", "warc-type"], &path);
    // With 20 articles, run 2 re-captures all 20 (none gone, none new): 40 captures,
    // each a request, a response and a conversion record, after one warcinfo.
    assert_eq!(index.lines().count(), 1 + 3 * 40, "{index}");
    assert_eq!(index.matches("\"conversion\"").count(), 40);
}

#[test]
fn demo_store_with_real_pages_exports_a_valid_warc() {
    if !tools::warcio_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let bin = env!("CARGO_BIN_EXE_quire");
    let demo = Command::new(bin)
        .args(["demo", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let path = dir.path().join("demo.warc.gz");
    let out = Command::new(bin)
        .args(["export", "--format", "warc", "--all", "--store"])
        .arg(&store)
        .arg("-o")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = warcio(&["check", "-v"], &path);
    assert!(!check.contains("failed"), "{check}");
    let index = warcio(&["index", "-f", "warc-type,warc-target-uri,offset"], &path);
    let lines: Vec<serde_json::Value> = index
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let responses = lines
        .iter()
        .filter(|l| l["warc-type"] == "response")
        .count();
    assert!(responses >= 20, "two crawls of 13 pages: {index}");
    // A windows-1252 page's payload is the stored bytes (0x92 kept, nothing re-encoded).
    let lib = lines
        .iter()
        .find(|l| {
            l["warc-type"] == "response"
                && l["warc-target-uri"]
                    .as_str()
                    .is_some_and(|u| u.ends_with("/1117library.htm"))
        })
        .expect("library article in the WARC");
    let payload = warcio_bytes(
        &["extract", "--payload"],
        &path,
        &[lib["offset"].as_str().unwrap()],
    );
    let v1 = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/demo/site/v1/archive/articles/1117/1117library.htm"
    ))
    .unwrap();
    assert_eq!(payload, v1);
    assert!(payload.contains(&0x92));
}
