//! `content_sha256` is a property of the article, not of the capture: the same
//! article re-encoded, re-indented or wrapped in different chrome hashes the same,
//! and a one-word edit does not.

use quire::extract::{ExtractConfig, ProfileSet};
use quire::pipeline::{self, CaptureInfo, PageInput};

const URL: &str = "http://www.enterstageright.com/archive/articles/0517/0517culturalrev.htm";

fn page() -> String {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/extract/esr-2017-05-epoch-times-reprint/page.html"
    ))
    .unwrap();
    encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
}

fn digest(bytes: &[u8], content_type: Option<&str>) -> String {
    let cfg = ExtractConfig {
        profiles: ProfileSet::builtin(),
        ..Default::default()
    };
    let url = url::Url::parse(URL).unwrap();
    let p = pipeline::process(
        &PageInput {
            url: &url,
            body: bytes,
            content_type,
        },
        &cfg,
    )
    .unwrap();
    p.into_article(bytes, CaptureInfo::default()).content_sha256
}

fn cp1252(s: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1252.encode(s).0.into_owned()
}

#[test]
fn re_encoding_does_not_change_the_digest() {
    let html = page();
    let original = digest(&cp1252(&html), None);
    let utf8 = html.replace("charset=windows-1252", "charset=utf-8");
    assert_eq!(original, digest(utf8.as_bytes(), None));
    // Entities instead of raw characters.
    let entities = html
        .replace('’', "&rsquo;")
        .replace('“', "&#8220;")
        .replace('”', "&#x201D;");
    assert_eq!(original, digest(&cp1252(&entities), None));
    // No meta at all, charset only in the HTTP header.
    let no_meta = html.replace(
        r#"<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">"#,
        "",
    );
    assert_eq!(
        original,
        digest(&cp1252(&no_meta), Some("text/html; charset=windows-1252"))
    );
}

#[test]
fn re_indenting_does_not_change_the_digest() {
    let html = page();
    let original = digest(&cp1252(&html), None);
    let reflowed: String = html
        .lines()
        .map(|l| format!("      {}\n", l.trim()))
        .collect();
    assert_eq!(original, digest(&cp1252(&reflowed), None));
    let squashed = html.replace('\n', " ").replace("  ", " ");
    assert_eq!(original, digest(&cp1252(&squashed), None));
}

#[test]
fn different_chrome_does_not_change_the_digest() {
    let html = page();
    let original = digest(&cp1252(&html), None);
    let chrome = html
        .replace("1996-2024", "1996-2026")
        .replace("Restoring the balance in Ottawa", "A brand new related story")
        .replace("Conservative Links", "Friends of ESR")
        .replace("<p align=\"center\"><font size=\"1\" face=\"Arial, Helvetica, sans-serif\"><a href=\"../../../site_map.html\">Site Map</a></font></p>",
                 "<table><tr><td><a href=\"/map.html\">Site Map</a> | <a href=\"/new.html\">What's new</a></td></tr></table>");
    assert_ne!(chrome, html, "the chrome edit must apply");
    assert_eq!(original, digest(&cp1252(&chrome), None));
}

#[test]
fn a_one_word_edit_changes_the_digest() {
    let html = page();
    let edited = html.replace("Teachers were beaten", "Teachers were attacked");
    assert_ne!(edited, html);
    assert_ne!(digest(&cp1252(&html), None), digest(&cp1252(&edited), None));
}
