//! `quire import` as a child process: WARC files from `quire export`, wget, warcio and
//! hand-built files (plain, gzip per record, gzipped whole; WARC/1.0 and 1.1) into a
//! store; revisits, digest mismatches, damaged files, several captures of one URL,
//! `changes` between two imports, `verify`, and the schema.

mod import_support;
mod support;
#[path = "support/tools.rs"]
mod tools;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use import_support::*;
use quire::model::{Article, Source};
use quire::store::Store;
use support::site::article_html;
use support::{Site, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_quire");

fn quire(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn import(files: &[&Path], store: &Path, extra: &[&str]) -> (Output, serde_json::Value) {
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend([
        "--store".into(),
        store.display().to_string(),
        "--json".into(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    if !extra.contains(&"--profile") {
        // The test pages are in Enter Stage Right's layout.
        args.extend(["--profile".into(), "esr".into()]);
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = quire(&argv);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let summary = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "no JSON summary ({e}): {text:?}; stderr {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, summary)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// URL → (content_sha256, Article) of the latest capture of every URL.
fn latest(store: &Path) -> BTreeMap<String, Article> {
    let s = Store::open_reader(store).unwrap();
    let mut out = BTreeMap::new();
    s.for_each_capture(true, None, |c| {
        out.insert(c.url.clone(), s.read_capture(&c.id)?);
        Ok(())
    })
    .unwrap();
    out
}

fn warc_source(a: &Article) -> (String, String, u64) {
    match &a.provenance.source {
        Some(Source::Warc {
            file,
            record_id,
            offset,
        }) => (file.clone(), record_id.clone(), *offset),
        other => panic!("not a WARC source: {other:?}"),
    }
}

fn page(title: &str, seed: u64) -> String {
    article_html(title, "Ann Author", 2001, 3, 4, seed, "../issue1.html")
}

fn crawl_site(server: &TestServer, store: &Path) {
    let seed = server.url("/archive/");
    let out = quire(&[
        "crawl",
        &seed,
        "--store",
        store.to_str().unwrap(),
        "--delay",
        "0",
        "--profile",
        "esr",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/article-1.3.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

#[test]
fn an_export_imports_back_to_the_same_content_digests_and_verifies() {
    let server = TestServer::start(Site::generate(1, 2, 3));
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    crawl_site(&server, &a);
    let warc = dir.path().join("export.warc.gz");
    let out = quire(&[
        "export",
        "--format",
        "warc",
        "--store",
        a.to_str().unwrap(),
        "-o",
        warc.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let b = dir.path().join("b");
    let (out, s) = import(&[&warc], &b, &["--profile", "esr"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let crawled = latest(&a);
    let imported = latest(&b);
    assert_eq!(crawled.len(), 10);
    assert_eq!(s["captured"], 10);
    assert_eq!(
        crawled.keys().collect::<Vec<_>>(),
        imported.keys().collect::<Vec<_>>()
    );
    for (url, c) in &crawled {
        let i = &imported[url];
        assert_eq!(c.content_sha256, i.content_sha256, "{url}");
        assert_eq!(c.provenance.raw_sha256, i.provenance.raw_sha256, "{url}");
        assert_eq!(c.provenance.fetched_at, i.provenance.fetched_at, "{url}");
        let (file, id, _) = warc_source(i);
        assert_eq!(file, "export.warc.gz");
        assert!(id.starts_with("<urn:uuid:"), "{id}");
    }
    // The export's request, conversion and warcinfo records are skipped, not failed.
    assert_eq!(s["skipped"]["request"], 10);
    assert_eq!(s["skipped"]["conversion"], 10);
    assert_eq!(s["failed"], 0);

    let v = quire(&["verify", "--store", b.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "verify: {}", stderr(&v));
    let schema = validator();
    for (url, a) in &imported {
        let doc = serde_json::to_value(a).unwrap();
        let errors: Vec<String> = schema.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{url}: {errors:?}");
        assert_eq!(doc["provenance"]["source"]["kind"], "warc");
    }
}

#[test]
fn a_wget_mirror_imports_with_every_article() {
    if !wget_ready() {
        return;
    }
    let site = Site::generate(1, 2, 3);
    let articles = site.article_paths();
    let server = TestServer::start(site);
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("wget")
        .args(["--mirror", "--no-verbose", "--tries=1", "--warc-file"])
        .arg(dir.path().join("mirror"))
        .arg("-P")
        .arg(dir.path().join("files"))
        .arg(server.url("/archive/"))
        .output()
        .unwrap();
    // wget exits 8 when a link 404s; the WARC is written either way.
    assert!(
        matches!(out.status.code(), Some(0) | Some(8)),
        "wget: {}",
        stderr(&out)
    );
    let warc = dir.path().join("mirror.warc.gz");
    assert!(warc.exists(), "wget wrote no WARC: {}", stderr(&out));
    let store = dir.path().join("s");
    let (out, s) = import(&[&warc], &store, &["--profile", "esr"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{s}", stderr(&out));
    let got = latest(&store);
    for path in &articles {
        let url = server.url(path);
        let a = got
            .get(&url)
            .unwrap_or_else(|| panic!("{url} not imported: {s}"));
        assert_eq!(
            a.content.page_type,
            quire::model::PageType::Article,
            "{url}"
        );
        assert!(a
            .content
            .title
            .as_deref()
            .unwrap_or("")
            .starts_with("Article"));
        let (file, id, _) = warc_source(a);
        assert_eq!(file, "mirror.warc.gz");
        assert!(!id.is_empty());
    }
    // wget's request, metadata and warcinfo records were read and skipped.
    assert!(s["skipped"]["request"].as_u64().unwrap_or(0) >= articles.len() as u64);
    assert_eq!(s["failed"], 0, "{s}");
}

fn three_pages(version: &str) -> Vec<Rec> {
    vec![
        request(
            "http://m.example/a.html",
            "2020-01-02T03:04:05Z",
            "00000000-0000-0000-0000-000000000001",
        ),
        html_response(
            "http://m.example/a.html",
            "2020-01-02T03:04:05Z",
            "00000000-0000-0000-0000-000000000002",
            &page(&format!("First {version}"), 1),
        ),
        html_response(
            "http://m.example/b.html",
            "2020-01-02T03:04:06Z",
            "00000000-0000-0000-0000-000000000003",
            &page("Second", 2),
        ),
        response(
            "http://m.example/logo.png",
            "2020-01-02T03:04:07Z",
            "00000000-0000-0000-0000-000000000004",
            &http(200, &[("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n"),
        ),
        html_response(
            "<http://M.EXAMPLE:80/c.html#frag>",
            "2020-01-02T03:04:08.123Z",
            "00000000-0000-0000-0000-000000000005",
            &page("Third", 3),
        ),
    ]
}

#[test]
fn plain_gzip_per_record_and_whole_gzip_warc_1_0_and_1_1() {
    let dir = tempfile::tempdir().unwrap();
    let mut digests: Vec<BTreeMap<String, String>> = Vec::new();
    for version in ["1.0", "1.1"] {
        for gz in [Gz::None, Gz::PerRecord, Gz::Whole] {
            let name = format!("f-{version}-{gz:?}.warc");
            let file = dir.path().join(&name);
            let recs = three_pages("same");
            let offsets = write_warc(&file, version, gz, &recs);
            let store = dir.path().join(format!("s-{version}-{gz:?}"));
            let (out, s) = import(&[&file], &store, &[]);
            assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
            assert_eq!(s["captured"], 3, "{name}: {s}");
            assert_eq!(s["skipped"]["request"], 1, "{name}");
            assert_eq!(s["skipped"]["non_html"], 1, "{name}");
            let got = latest(&store);
            // The URL is canonical (case, default port, fragment, angle brackets).
            assert_eq!(
                got.keys().cloned().collect::<Vec<_>>(),
                [
                    "http://m.example/a.html",
                    "http://m.example/b.html",
                    "http://m.example/c.html"
                ]
            );
            let c = &got["http://m.example/c.html"];
            assert_eq!(
                c.provenance.fetched_at.as_deref(),
                Some("2020-01-02T03:04:08.123Z")
            );
            assert_eq!(c.provenance.http_status, Some(200));
            assert_eq!(
                warc_source(c),
                (
                    name.clone(),
                    "<urn:uuid:00000000-0000-0000-0000-000000000005>".into(),
                    offsets[4]
                )
            );
            assert_eq!(warc_source(&got["http://m.example/b.html"]).2, offsets[2]);
            digests.push(
                got.iter()
                    .map(|(u, a)| (u.clone(), a.content_sha256.clone()))
                    .collect(),
            );
        }
    }
    assert!(digests.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn chunked_and_gzip_encoded_payloads_are_undone() {
    let dir = tempfile::tempdir().unwrap();
    let html = page("Encoded", 9);
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, html.as_bytes()).unwrap();
    let z = z.finish().unwrap();
    let mut chunked = Vec::new();
    for part in z.chunks(97) {
        chunked.extend_from_slice(format!("{:X}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let msg = http(
        200,
        &[
            ("Content-Type", "text/html"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Encoding", "gzip"),
            ("ETag", "\"e1\""),
        ],
        &chunked,
    );
    let file = dir.path().join("enc.warc.gz");
    write_warc(
        &file,
        "1.1",
        Gz::PerRecord,
        &[response(
            "http://m.example/enc.html",
            "2021-05-06T07:08:09Z",
            "e",
            &msg,
        )],
    );
    let store = dir.path().join("s");
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(s["captured"], 1, "{s}");
    let got = latest(&store);
    let a = &got["http://m.example/enc.html"];
    let st = Store::open_reader(&store).unwrap();
    assert_eq!(
        st.read_object(&a.provenance.raw_sha256).unwrap(),
        html.as_bytes()
    );
    assert_eq!(a.provenance.etag.as_deref(), Some("\"e1\""));
    assert_eq!(a.content.title.as_deref(), Some("Encoded"));
}

#[test]
fn revisits_resolve_within_the_import_and_unknown_ones_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let html = page("Revisited", 5);
    let first = html_response(
        "http://m.example/r.html",
        "2020-01-01T00:00:00Z",
        "r1",
        &html,
    );
    let digest = first.field("WARC-Payload-Digest").unwrap().to_string();
    let recs = vec![
        first,
        revisit(
            "http://m.example/r.html",
            "2020-06-01T00:00:00Z",
            "r2",
            "<urn:uuid:r1>",
            &digest,
        ),
        revisit(
            "http://m.example/x.html",
            "2020-06-01T00:00:00Z",
            "r3",
            "<urn:uuid:elsewhere>",
            "sha1:AAAA",
        ),
    ];
    let file = dir.path().join("rev.warc");
    let offsets = write_warc(&file, "1.1", Gz::None, &recs);
    let store = dir.path().join("s");
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(s["captured"], 2, "{s}");
    assert_eq!(s["revisits"], 1);
    assert_eq!(s["skipped"]["revisit_unresolved"], 1);
    let st = Store::open_reader(&store).unwrap();
    let h = st.history("http://m.example/r.html").unwrap();
    assert_eq!(
        h.iter()
            .map(|c| c.fetched_at.clone().unwrap())
            .collect::<Vec<_>>(),
        ["2020-01-01T00:00:00Z", "2020-06-01T00:00:00Z"]
    );
    assert_eq!(h[0].content_sha256, h[1].content_sha256);
    // The revisit's capture names the record whose payload it stores.
    let rev = st.read_capture(&h[1].id).unwrap();
    assert_eq!(
        warc_source(&rev),
        ("rev.warc".into(), "<urn:uuid:r1>".into(), offsets[0])
    );
    assert!(st.history("http://m.example/x.html").unwrap().is_empty());
}

#[test]
fn a_payload_digest_mismatch_is_reported_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let good = html_response(
        "http://m.example/g.html",
        "2020-01-01T00:00:00Z",
        "g",
        &page("Good", 1),
    );
    let bad = html_response(
        "http://m.example/bad.html",
        "2020-01-01T00:00:01Z",
        "bad",
        &page("Bad", 2),
    )
    .set("WARC-Payload-Digest", &sha1_digest(b"something else"));
    let file = dir.path().join("mismatch.warc.gz");
    let offsets = write_warc(&file, "1.1", Gz::PerRecord, &[good, bad]);
    let store = dir.path().join("s");
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(s["captured"], 1);
    assert_eq!(s["failures"]["payload_digest_mismatch"], 1);
    let m = &s["digest_mismatches"][0];
    assert_eq!(m["offset"], offsets[1]);
    assert_eq!(m["record_id"], "<urn:uuid:bad>");
    let err = stderr(&out);
    assert!(
        err.contains(&format!("at byte {}", offsets[1])) && err.contains("<urn:uuid:bad>"),
        "{err}"
    );
    let st = Store::open_reader(&store).unwrap();
    assert!(st.history("http://m.example/bad.html").unwrap().is_empty());
    assert_eq!(st.history("http://m.example/g.html").unwrap().len(), 1);
}

#[test]
fn a_block_digest_mismatch_is_reported_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    // A block digest that covers the record (HTTP head and payload) as written: stored.
    let good = html_response(
        "http://m.example/g.html",
        "2020-01-01T00:00:00Z",
        "g",
        &page("Good", 1),
    );
    let good = {
        let d = sha1_digest(&good.block);
        good.set("WARC-Block-Digest", &d)
    };
    // Its hex spelling is read too.
    let hex = html_response(
        "http://m.example/h.html",
        "2020-01-01T00:00:01Z",
        "h",
        &page("Hex", 3),
    );
    let hex = {
        use sha1::Digest;
        let d = format!("sha1:{:x}", sha1::Sha1::digest(&hex.block));
        hex.set("WARC-Block-Digest", &d)
    };
    // A header changed after the writer hashed the block: the payload still matches
    // its own digest, the block does not.
    let original = html_response(
        "http://m.example/bad.html",
        "2020-01-01T00:00:02Z",
        "bad",
        &page("Bad", 2),
    );
    let stated = sha1_digest(&original.block);
    let mut bad = original.set("WARC-Block-Digest", &stated);
    let text = String::from_utf8(bad.block.clone()).unwrap();
    bad.block = text
        .replacen("charset=utf-8", "charset=koi8-r", 1)
        .into_bytes();
    assert_ne!(bad.block, text.as_bytes(), "the head was altered");
    // An algorithm quire does not hash is left unchecked, not failed.
    let md5 = html_response(
        "http://m.example/m.html",
        "2020-01-01T00:00:03Z",
        "m",
        &page("Md5", 4),
    )
    .set("WARC-Block-Digest", "md5:abcdef");
    let file = dir.path().join("block.warc.gz");
    let offsets = write_warc(&file, "1.1", Gz::PerRecord, &[good, hex, bad, md5]);
    let store = dir.path().join("s");
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(s["captured"], 3, "{s}");
    assert_eq!(s["failures"]["block_digest_mismatch"], 1, "{s}");
    let m = &s["digest_mismatches"][0];
    assert_eq!(m["header"], "WARC-Block-Digest");
    assert_eq!(m["offset"], offsets[2]);
    assert_eq!(m["record_id"], "<urn:uuid:bad>");
    assert_eq!(m["expected"], stated);
    assert_ne!(m["actual"], stated);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("at byte {}", offsets[2])) && err.contains("WARC-Block-Digest"),
        "{err}"
    );
    let st = Store::open_reader(&store).unwrap();
    assert!(st.history("http://m.example/bad.html").unwrap().is_empty());
    for u in ["g", "h", "m"] {
        let url = format!("http://m.example/{u}.html");
        assert_eq!(st.history(&url).unwrap().len(), 1, "{url}");
    }
}

/// Cut a file at `at`, import it: the records before survive, the damage is reported
/// at `offset`, exit 1.
fn damaged(bytes: &[u8], name: &str, offset: u64, expect_captured: u64) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let store = dir.path().join("s");
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
    assert_eq!(s["captured"], expect_captured, "{name}: {s}");
    assert_eq!(s["damaged"][0]["offset"], offset, "{name}: {s}");
    assert!(
        stderr(&out).contains(&format!("damaged at byte {offset}")),
        "{name}: {}",
        stderr(&out)
    );
    assert!(s["finished"].as_bool().unwrap());
    let v = quire(&["verify", "--store", store.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{name}: {}", stderr(&v));
}

#[test]
fn truncated_and_corrupt_files_keep_what_came_before() {
    let recs = three_pages("cut");
    // Plain, cut in the middle of the last record's block.
    let (plain, offs) = warc_bytes("1.1", Gz::None, &recs);
    let cut = &plain[..plain.len() - 200];
    damaged(cut, "cut.warc", offs[4], 2);
    // gzip per record, cut in the middle of the last member.
    let (gz, offs) = warc_bytes("1.1", Gz::PerRecord, &recs);
    let mid = (offs[4] as usize + gz.len()) / 2;
    damaged(&gz[..mid], "cut.warc.gz", offs[4], 2);
    // Garbage between two records.
    let (first, _) = warc_bytes("1.1", Gz::None, &recs[..2]);
    let (rest, _) = warc_bytes("1.1", Gz::None, &recs[2..]);
    let mut garbage = first.clone();
    garbage.extend_from_slice(b"\x00\xffthis is not a WARC record\r\n\r\n");
    garbage.extend_from_slice(&rest);
    damaged(&garbage, "garbage.warc", first.len() as u64, 1);
    // Garbage after a gzip member.
    let (gfirst, _) = warc_bytes("1.1", Gz::PerRecord, &recs[..3]);
    let mut g = gfirst.clone();
    g.extend_from_slice(&[0u8; 64]);
    damaged(&g, "garbage.warc.gz", gfirst.len() as u64, 2);
    // A file of random bytes: nothing imported, damage at 0.
    let noise: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 7) as u8)
        .collect();
    damaged(&noise, "noise.warc", 0, 0);
}

#[test]
fn two_captures_of_one_url_keep_their_dates_and_history_shows_both() {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://m.example/twice.html";
    let old = page("Twice", 7);
    let new = old.replace(
        "<!--body-->\n",
        "<!--body-->\n<p>A paragraph added later, with words of its own.</p>\n",
    );
    // The later capture comes first in the file: dates decide, not file order.
    let recs = vec![
        html_response(url, "2022-02-02T00:00:00Z", "t2", &new),
        html_response(
            "http://m.example/once.html",
            "2021-01-01T00:00:00Z",
            "o",
            &page("Once", 8),
        ),
        html_response(url, "2021-01-01T00:00:00Z", "t1", &old),
    ];
    let file = dir.path().join("twice.warc.gz");
    write_warc(&file, "1.1", Gz::PerRecord, &recs);
    let store = dir.path().join("s");
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(s["captured"], 3);
    assert_eq!(s["history_runs"].as_array().unwrap().len(), 1, "{s}");
    let h = quire(&["history", url, "--store", store.to_str().unwrap(), "--json"]);
    assert_eq!(h.status.code(), Some(0));
    let h: serde_json::Value = serde_json::from_slice(&h.stdout).unwrap();
    let dates: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fetched_at"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2021-01-01T00:00:00Z", "2022-02-02T00:00:00Z"]);
    assert_ne!(h[0]["content_sha256"], h[1]["content_sha256"]);
    // The main run holds every URL's latest capture.
    assert_eq!(h[1]["run"], s["run_id"]);
    let st = Store::open_reader(&store).unwrap();
    let main = quire::store::RunId(s["run_id"].as_str().unwrap().to_string());
    let mut urls = Vec::new();
    st.for_each_entry(&main, |e| {
        urls.push(e.url);
        Ok(())
    })
    .unwrap();
    assert_eq!(urls, ["http://m.example/once.html", url]);
    let latest = st.latest_capture(url).unwrap().unwrap();
    assert_eq!(latest.fetched_at.as_deref(), Some("2022-02-02T00:00:00Z"));
    // `diff` compares the two captures.
    let d = quire(&["diff", url, "--store", store.to_str().unwrap()]);
    assert_eq!(d.status.code(), Some(0), "{}", stderr(&d));
    assert!(String::from_utf8_lossy(&d.stdout).contains("added later"));
}

#[test]
fn changes_between_two_imports_work_as_between_two_crawls() {
    let dir = tempfile::tempdir().unwrap();
    let u = |p: &str| format!("http://m.example/{p}.html");
    let v1 = vec![
        html_response(&u("kept"), "2020-01-01T00:00:00Z", "k1", &page("Kept", 1)),
        html_response(
            &u("edited"),
            "2020-01-01T00:00:01Z",
            "e1",
            &page("Edited", 2),
        ),
        html_response(
            &u("dropped"),
            "2020-01-01T00:00:02Z",
            "d1",
            &page("Dropped", 3),
        ),
    ];
    let edited = page("Edited", 2).replace(
        "<!--body-->\n",
        "<!--body-->\n<p>A correction was added.</p>\n",
    );
    let v2 = vec![
        // The same bytes a year later: unchanged.
        html_response(&u("kept"), "2021-01-01T00:00:00Z", "k2", &page("Kept", 1)),
        html_response(&u("edited"), "2021-01-01T00:00:01Z", "e2", &edited),
        // An earlier capture of the same page in this file: this import writes it into
        // a run of its own before its main run, which `changes` passes over.
        html_response(
            &u("edited"),
            "2020-06-01T00:00:00Z",
            "e15",
            &page("Edited", 2),
        ),
        html_response(&u("new"), "2021-01-01T00:00:02Z", "n2", &page("New", 4)),
        response(
            &u("dropped"),
            "2021-01-01T00:00:03Z",
            "d2",
            &http(404, &[("Content-Type", "text/html")], b"gone"),
        ),
    ];
    let f1 = dir.path().join("2020.warc.gz");
    let f2 = dir.path().join("2021.warc.gz");
    write_warc(&f1, "1.1", Gz::PerRecord, &v1);
    write_warc(&f2, "1.1", Gz::PerRecord, &v2);
    let store = dir.path().join("s");
    let (o1, s1) = import(&[&f1], &store, &[]);
    assert_eq!(o1.status.code(), Some(0), "{}", stderr(&o1));
    let (o2, s2) = import(&[&f2], &store, &[]);
    // An archived 404 is recorded, not an import failure.
    assert_eq!(o2.status.code(), Some(0), "{}", stderr(&o2));
    assert_eq!(s2["http_errors"], 1);
    assert_eq!(s2["gone"], 1);
    assert_eq!(s2["previous_run"], s1["run_id"]);
    assert_eq!(s2["history_runs"].as_array().map(Vec::len), Some(1), "{s2}");
    assert_eq!(
        (
            s2["added"].as_u64(),
            s2["changed"].as_u64(),
            s2["unchanged"].as_u64(),
            s2["removed"].as_u64()
        ),
        (Some(1), Some(1), Some(1), Some(1))
    );
    let c = quire(&["changes", "--store", store.to_str().unwrap(), "--json"]);
    assert_eq!(c.status.code(), Some(0), "{}", stderr(&c));
    let c: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    // The two imports' main runs, not the second import's two runs.
    assert_eq!(
        (&c["old"], &c["new"]),
        (&s1["run_id"], &s2["run_id"]),
        "{c}"
    );
    assert_eq!(c["added"], serde_json::json!([u("new")]));
    assert_eq!(c["changed"], serde_json::json!([u("edited")]));
    assert_eq!(c["removed"], serde_json::json!([u("dropped")]));
    assert_eq!(c["unchanged"], 1);
}

#[test]
fn redirects_become_aliases_and_archived_errors_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let recs = vec![
        response(
            "http://m.example/old.html",
            "2020-01-01T00:00:00Z",
            "m",
            &http(301, &[("Location", "/new.html")], b""),
        ),
        html_response(
            "http://m.example/new.html",
            "2020-01-01T00:00:01Z",
            "n",
            &page("Moved", 1),
        ),
        response(
            "http://m.example/off.html",
            "2020-01-01T00:00:02Z",
            "o",
            &http(302, &[("Location", "http://elsewhere.example/")], b""),
        ),
        response(
            "http://m.example/broken.html",
            "2020-01-01T00:00:03Z",
            "b",
            &http(500, &[], b"oops"),
        ),
    ];
    let file = dir.path().join("r.warc");
    write_warc(&file, "1.0", Gz::None, &recs);
    let store = dir.path().join("s");
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(s["aliases"], 1);
    assert_eq!(s["skipped"]["redirect_target_not_imported"], 1);
    assert_eq!(s["http_errors"], 1);
    let h = quire(&[
        "history",
        "http://m.example/old.html",
        "--store",
        store.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&h.stdout);
    assert!(
        text.contains("article\thttp://m.example/new.html"),
        "{text}"
    );
    let st = Store::open_reader(&store).unwrap();
    let main = quire::store::RunId(s["run_id"].as_str().unwrap().to_string());
    let e = st
        .entry(&main, "http://m.example/broken.html")
        .unwrap()
        .unwrap();
    assert!(
        matches!(
            e.kind,
            quire::store::EntryKind::Failed {
                http_status: Some(500),
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_warcio_written_warc_imports() {
    if !tools::warcio_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file: PathBuf = dir.path().join("py.warc.gz");
    let html = page("Written by warcio", 11);
    std::fs::write(dir.path().join("page.html"), &html).unwrap();
    let script = r#"
import sys
from warcio.warcwriter import WARCWriter
from warcio.statusandheaders import StatusAndHeaders
body = open(sys.argv[2], 'rb').read()
with open(sys.argv[1], 'wb') as out:
    w = WARCWriter(out, gzip=True)
    h = StatusAndHeaders('200 OK', [('Content-Type', 'text/html; charset=utf-8')], protocol='HTTP/1.1')
    import io
    rec = w.create_warc_record('http://py.example/a.html', 'response', payload=io.BytesIO(body), http_headers=h)
    w.write_record(rec)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .arg(dir.path().join("page.html"))
        .output()
        .unwrap();
    assert!(out.status.success(), "warcio: {}", stderr(&out));
    let store = dir.path().join("s");
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(0), "{}\n{s}", stderr(&out));
    assert_eq!(s["captured"], 1, "{s}");
    let got = latest(&store);
    let a = &got["http://py.example/a.html"];
    assert_eq!(a.content.title.as_deref(), Some("Written by warcio"));
    assert_eq!(warc_source(a).2, 0);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let out = quire(&[
        "import",
        "/no/such/file.warc",
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let f = dir.path().join("x.warc");
    std::fs::write(&f, b"").unwrap();
    let out = quire(&[
        "import",
        f.to_str().unwrap(),
        "--store",
        store.to_str().unwrap(),
        "--profile",
        "nope",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// An import that was killed leaves its run unfinished: a crawl refuses to resume it
/// as a crawl (exit 2, naming `quire import`), and the next import finishes it and
/// goes on.
#[test]
fn an_interrupted_import_is_finished_by_the_next_import_not_by_a_crawl() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s");
    let killed = {
        let mut s = Store::open_writer(&store).unwrap();
        s.begin_run(
            &serde_json::json!({"source": "warc", "files": ["a.warc.gz"], "role": "import"}),
        )
        .unwrap()
    };
    // Port 9 on loopback: the crawl must refuse before it fetches anything.
    let c = quire(&[
        "crawl",
        "http://127.0.0.1:9/",
        "--store",
        store.to_str().unwrap(),
    ]);
    assert_eq!(c.status.code(), Some(2), "{}", stderr(&c));
    assert!(stderr(&c).contains("quire import"), "{}", stderr(&c));

    let file = dir.path().join("one.warc.gz");
    write_warc(
        &file,
        "1.1",
        Gz::PerRecord,
        &[html_response(
            "http://m.example/one.html",
            "2021-01-01T00:00:00Z",
            "o",
            &page("One", 9),
        )],
    );
    let (out, s) = import(&[&file], &store, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(s["captured"], 1);
    let st = Store::open_reader(&store).unwrap();
    let runs = st.runs().unwrap();
    assert!(
        runs.iter().all(|r| r.finished_at.is_some()),
        "every run finished"
    );
    assert!(runs.iter().any(|r| r.id == killed));
}

/// `2020-01-DDTHH:MM:SSZ`, `sec` seconds into day `day`.
fn jan_2020(day: u32, sec: u32) -> String {
    format!(
        "2020-01-{day:02}T{:02}:{:02}:{:02}Z",
        sec / 3600,
        (sec / 60) % 60,
        sec % 60
    )
}

/// Import through the library: the summary, or the error.
fn import_lib(
    cfg: &quire::import::ImportConfig,
    store: &mut Store,
    progress: &(dyn Fn(&quire::import::Progress) + Sync),
) -> Result<quire::import::ImportSummary, quire::import::ImportError> {
    quire::import::import(cfg, store, progress)
}

/// The entries of a run: URL → entry kind.
fn entries(st: &Store, run: &str) -> BTreeMap<String, quire::store::EntryKind> {
    let mut out = BTreeMap::new();
    st.for_each_entry(&quire::store::RunId(run.to_string()), |e| {
        out.insert(e.url, e.kind);
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn the_plan_across_many_urls_with_repeats_revisits_redirects_and_a_cap() {
    // 2,000 records. The rules, as pass 1 applies them:
    // - a URL captured n times takes the last n runs, by date, its latest the main run;
    //   past the cap (3 here) its oldest captures are skipped (`too_many_captures`);
    // - a revisit resolves only to an *earlier* capture of the import, and is then a
    //   capture of its own URL and date (another outcome of that URL);
    // - a redirect counts (an alias) when its target is an outcome of the import, in
    //   file order: a redirect to a redirect counted before it counts too.
    let dir = tempfile::tempdir().unwrap();
    let a = |j: u32| format!("http://m.example/a{j}.html");
    let b = |j: u32| format!("http://m.example/b{j}.html");
    let c = "http://m.example/c.html";
    let r = |k: u32| format!("http://m.example/r{k}.html");
    let redirect = |from: &str, to: &str, date: &str, id: &str| {
        response(from, date, id, &http(301, &[("Location", to)], b""))
    };
    let html = page("Many", 3);
    let mut recs = Vec::new();
    // Revisits of captures that come later in the file: unresolved.
    for j in 200..220 {
        recs.push(revisit(
            &a(j),
            &jan_2020(5, j),
            &format!("fw{j}"),
            &format!("<urn:uuid:a{j}>"),
            "sha1:AAAA",
        ));
    }
    // A redirect to r1 before r1 is judged: not counted.
    recs.push(redirect(
        "http://m.example/q2.html",
        &r(1),
        &jan_2020(1, 0),
        "q2",
    ));
    let mut digests = Vec::new();
    for j in 0..300 {
        let rec = html_response(&a(j), &jan_2020(1, j), &format!("a{j}"), &html);
        digests.push(rec.field("WARC-Payload-Digest").unwrap().to_string());
        recs.push(rec);
    }
    // Three captures each, the latest first in the file.
    for j in 0..100 {
        for day in [3, 1, 2] {
            recs.push(html_response(
                &b(j),
                &jan_2020(day, j),
                &format!("b{j}-{day}"),
                &html,
            ));
        }
    }
    // Five captures, newest first: the two oldest are past the cap.
    for day in [5, 4, 3, 2, 1] {
        recs.push(html_response(
            c,
            &jan_2020(day, 0),
            &format!("c{day}"),
            &html,
        ));
    }
    for k in 0..50 {
        recs.push(redirect(&r(k), &a(k), &jan_2020(2, k), &format!("r{k}")));
    }
    // A redirect to a redirect counted before it: counted.
    recs.push(redirect(
        "http://m.example/q.html",
        &r(0),
        &jan_2020(2, 99),
        "q",
    ));
    recs.push(redirect(
        "http://m.example/r2x.html",
        "http://m.example/nowhere.html",
        &jan_2020(2, 98),
        "r2x",
    ));
    // Revisits of earlier captures: resolved, later than what they refer to.
    for j in 0..60 {
        recs.push(revisit(
            &a(j),
            &jan_2020(4, j),
            &format!("v{j}"),
            &format!("<urn:uuid:a{j}>"),
            &digests[j as usize],
        ));
    }
    let mut n = 0;
    while recs.len() < 2000 {
        recs.push(request(&a(n % 300), &jan_2020(1, n), &format!("q{n}")));
        n += 1;
    }
    let requests = n as u64;
    let file = dir.path().join("many.warc.gz");
    write_warc(&file, "1.1", Gz::PerRecord, &recs);

    let mut cfg = quire::import::ImportConfig::new(vec![file.clone()]);
    cfg.max_captures_per_url = 3;
    cfg.scratch_in = Some(dir.path().to_path_buf());
    let root = dir.path().join("s");
    let mut st = Store::open_writer(&root).unwrap();
    let s = import_lib(&cfg, &mut st, &|_| {}).unwrap();
    drop(st);
    assert_eq!(s.records, 2000);
    assert_eq!(s.history_runs.len(), 2, "three layers: {s:?}");
    assert_eq!(s.captured, 300 + 60 + 300 + 3, "{s:?}");
    assert_eq!(s.revisits, 60);
    assert_eq!(s.aliases, 50 + 1);
    assert_eq!(s.failed, 0, "{s:?}");
    let skipped = |k: &str| s.skipped.get(k).copied().unwrap_or(0);
    assert_eq!(skipped("too_many_captures"), 2);
    assert_eq!(skipped("revisit_unresolved"), 20);
    assert_eq!(skipped("redirect_target_not_imported"), 2);
    assert_eq!(skipped("request"), requests);

    let st = Store::open_reader(&root).unwrap();
    let runs = [&s.history_runs[0], &s.history_runs[1], &s.run_id];
    let e: Vec<_> = runs.iter().map(|run| entries(&st, run)).collect();
    assert_eq!(e[2].len(), 300 + 100 + 1 + 50 + 1, "main run");
    assert_eq!(e[1].len(), 60 + 100 + 1);
    assert_eq!(e[0].len(), 100 + 1);
    let captured = |m: &BTreeMap<String, quire::store::EntryKind>, u: &str| {
        matches!(m.get(u), Some(quire::store::EntryKind::Captured { .. }))
    };
    // (run index, fetched_at) of every capture of `u`, oldest first.
    let placed = |u: &str| -> Vec<(usize, String)> {
        st.history(u)
            .unwrap()
            .iter()
            .map(|c| {
                let i = runs.iter().position(|r| **r == c.run.0).unwrap();
                (i, c.fetched_at.clone().unwrap())
            })
            .collect()
    };
    for j in 0..300 {
        assert!(captured(&e[2], &a(j)), "{}", a(j));
        if j < 60 {
            // The capture in the run before, the revisit (later) in the main run.
            assert_eq!(
                placed(&a(j)),
                [(1, jan_2020(1, j)), (2, jan_2020(4, j))],
                "{}",
                a(j)
            );
            let h = st.history(&a(j)).unwrap();
            let rev = st.read_capture(&h[1].id).unwrap();
            assert_eq!(warc_source(&rev).1, format!("<urn:uuid:a{j}>"));
        } else {
            assert_eq!(placed(&a(j)), [(2, jan_2020(1, j))], "{}", a(j));
        }
    }
    for j in 0..100 {
        assert_eq!(
            placed(&b(j)),
            [
                (0, jan_2020(1, j)),
                (1, jan_2020(2, j)),
                (2, jan_2020(3, j))
            ],
            "{}",
            b(j)
        );
    }
    assert_eq!(
        placed(c),
        [
            (0, jan_2020(3, 0)),
            (1, jan_2020(4, 0)),
            (2, jan_2020(5, 0))
        ]
    );
    for k in 0..50 {
        assert_eq!(
            e[2].get(&r(k)),
            Some(&quire::store::EntryKind::Alias { target: a(k) }),
            "{}",
            r(k)
        );
    }
    assert_eq!(
        e[2].get("http://m.example/q.html"),
        Some(&quire::store::EntryKind::Alias { target: r(0) })
    );
    for m in &e {
        assert!(!m.contains_key("http://m.example/q2.html"));
        assert!(!m.contains_key("http://m.example/r2x.html"));
    }
    // The scratch directory is gone.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|d| d.ok())
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("quire-import-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_scratch_directory_is_removed_after_an_import_and_after_a_failed_one() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    // Over 512 records, so that pass 1 reports progress (and looks at the scratch dir).
    let mut recs = Vec::new();
    for i in 0..3 {
        recs.push(html_response(
            &format!("http://m.example/s{i}.html"),
            "2021-01-01T00:00:00Z",
            &format!("s{i}"),
            &page("Scratch", i),
        ));
    }
    for i in 0..600 {
        recs.push(request(
            "http://m.example/s0.html",
            "2021-01-01T00:00:00Z",
            &format!("q{i}"),
        ));
    }
    let file = dir.path().join("s.warc.gz");
    write_warc(&file, "1.1", Gz::PerRecord, &recs);
    let mut cfg = quire::import::ImportConfig::new(vec![file]);
    cfg.scratch_in = Some(scratch.clone());
    let most = std::sync::Mutex::new(0usize);
    let count = || std::fs::read_dir(&scratch).unwrap().count();
    let progress = |_: &quire::import::Progress| {
        let n = count();
        let mut m = most.lock().unwrap();
        *m = (*m).max(n);
    };
    let root = dir.path().join("store");
    let mut st = Store::open_writer(&root).unwrap();
    let s = import_lib(&cfg, &mut st, &progress).unwrap();
    assert_eq!(s.captured, 3);
    assert_eq!(
        *most.lock().unwrap(),
        1,
        "a scratch directory during the import"
    );
    assert_eq!(count(), 0, "and none after it");
    drop(st);
    // A store opened read-only: the plan is made, then the first run cannot begin.
    *most.lock().unwrap() = 0;
    let mut ro = Store::open_reader(&root).unwrap();
    let err = import_lib(&cfg, &mut ro, &progress).unwrap_err();
    assert!(matches!(err, quire::import::ImportError::Store(_)), "{err}");
    assert_eq!(
        *most.lock().unwrap(),
        1,
        "a scratch directory during the import"
    );
    assert_eq!(count(), 0, "and none after it failed");
}
