//! Property tests of `content_sha256` on generated Enter Stage Right pages (random
//! paragraphs in ESR's table layout, as in tests/content_hash.rs and
//! tests/fixtures/extract): the digest does not change when the page is re-encoded,
//! re-indented or wrapped in other chrome, and does change when a paragraph does.

use proptest::prelude::*;
use quire::extract::{ExtractConfig, ProfileSet};
use quire::pipeline::{self, CaptureInfo, PageInput};

const URL: &str = "http://www.enterstageright.com/archive/articles/0999/0999thrift.htm";

/// Words including characters that windows-1252 has and ASCII has not.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z]{1,9}",
        1 => "[A-Z][a-z]{1,7}",
        1 => Just("café".to_string()),
        1 => Just("don’t".to_string()),
        1 => Just("“quoted”".to_string()),
        1 => Just("—".to_string()),
        1 => Just("naïve".to_string()),
    ]
}

fn paragraph() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 5..40).prop_map(|w| {
        let mut s = w.join(" ");
        s.push('.');
        s
    })
}

/// The chrome around the article: which nav links, which footer, how wide.
#[derive(Debug, Clone)]
struct Chrome {
    nav: Vec<String>,
    footer: String,
    width: u32,
}

fn chrome() -> impl Strategy<Value = Chrome> {
    (
        prop::collection::vec("[A-Z][a-z]{2,10}", 1..8),
        "[A-Za-z ]{0,40}",
        100u32..800,
    )
        .prop_map(|(nav, footer, width)| Chrome { nav, footer, width })
}

/// An ESR article page (template of tests/support/site.rs and the ESR fixtures).
fn page(title: &str, paras: &[String], c: &Chrome, meta_charset: Option<&str>) -> String {
    let mut body = String::new();
    for (i, p) in paras.iter().enumerate() {
        let end = if i + 1 == paras.len() { " ESR" } else { "" };
        body.push_str(&format!("<p>{p}{end}</p>\n"));
    }
    let nav: String = c
        .nav
        .iter()
        .map(|n| format!("<p><a href=\"/{}.html\">{n}</a></p>\n", n.to_lowercase()))
        .collect();
    let meta = meta_charset
        .map(|cs| {
            format!("<meta http-equiv=\"Content-Type\" content=\"text/html; charset={cs}\">\n")
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">\n<html>\n<head>\n{meta}<title>Enter Stage Right - {title}</title>\n</head>\n<body bgcolor=\"#FFFFFF\">\n<table width=\"100%\" border=\"0\"><tr><td width=\"{w}\" valign=\"top\" bgcolor=\"#000066\">\n{nav}</td>\n<td valign=\"top\">\n<table width=\"95%\" border=\"0\"><tr><td>\n<p><font size=\"1\"><a href=\"/archive/\">home</a> &gt; <a href=\"/archive/\">archive</a> &gt; this article</font></p>\n<p><font size=\"5\"><b>{title}</b></font><br>\n<font size=\"3\"><i>A deck for {title}</i></font></p>\n<p><font size=\"2\">By Jane Writer<br>\nweb posted September 13, 1999</font></p>\n<!--body-->\n{body}<p><i>Jane Writer writes for Enter Stage Right.</i></p>\n</td></tr></table>\n<p align=\"center\"><font size=\"1\">{footer} Copyright 1996-2026, Enter Stage Right</font></p>\n</td></tr></table>\n</body>\n</html>\n",
        w = c.width,
        footer = c.footer,
    )
}

fn process(bytes: &[u8], content_type: Option<&str>) -> quire::model::Article {
    let cfg = ExtractConfig {
        profiles: ProfileSet::builtin(),
        ..Default::default()
    };
    let url = url::Url::parse(URL).unwrap();
    pipeline::process(
        &PageInput {
            url: &url,
            body: bytes,
            content_type,
        },
        &cfg,
    )
    .unwrap()
    .into_article(bytes, CaptureInfo::default())
}

fn digest(bytes: &[u8], content_type: Option<&str>) -> String {
    process(bytes, content_type).content_sha256
}

fn cp1252(s: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1252.encode(s).0.into_owned()
}

/// Numeric character references for everything outside ASCII.
fn entities(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("&#{};", c as u32)
            }
        })
        .collect()
}

/// Replace each run of whitespace with the next of `ws` (cycled).
fn reindent(s: &str, ws: &[String]) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    let mut i = 0;
    let mut in_ws = false;
    for ch in s.chars() {
        if ch == ' ' || ch == '\n' {
            if !in_ws {
                out.push_str(&ws[i % ws.len()]);
                i += 1;
            }
            in_ws = true;
        } else {
            in_ws = false;
            out.push(ch);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20))]

    #[test]
    fn digest_ignores_encoding_indentation_and_chrome(
        title in "[A-Z][a-z]{3,10}( [a-z]{2,8}){0,4}",
        paras in prop::collection::vec(paragraph(), 2..8),
        c1 in chrome(),
        c2 in chrome(),
        ws in prop::collection::vec("[ \n\t]{1,6}", 1..10),
    ) {
        let html = page(&title, &paras, &c1, Some("windows-1252"));
        let a = process(&cp1252(&html), None);
        prop_assert!(a.content.word_count > 0, "nothing extracted: {:?}", a.content);
        let want = a.content_sha256;

        let utf8 = page(&title, &paras, &c1, Some("utf-8"));
        prop_assert_eq!(&want, &digest(utf8.as_bytes(), None), "utf-8");
        prop_assert_eq!(&want, &digest(entities(&html).as_bytes(), None), "entities");
        let no_meta = page(&title, &paras, &c1, None);
        prop_assert_eq!(&want, &digest(&cp1252(&no_meta), Some("text/html; charset=windows-1252")), "header charset");
        prop_assert_eq!(&want, &digest(&cp1252(&reindent(&html, &ws)), None), "re-indented");
        let other = page(&title, &paras, &c2, Some("windows-1252"));
        prop_assert_eq!(&want, &digest(&cp1252(&other), None), "other chrome");
    }

    #[test]
    fn digest_changes_when_a_paragraph_does(
        paras in prop::collection::vec(paragraph(), 2..6),
        c in chrome(),
        at in any::<prop::sample::Index>(),
        extra in "[a-z]{3,8}",
    ) {
        let html = page("Thrift", &paras, &c, Some("utf-8"));
        let mut edited = paras.clone();
        let i = at.index(edited.len());
        edited[i] = format!("{extra} {}", edited[i]);
        let html2 = page("Thrift", &edited, &c, Some("utf-8"));
        prop_assert_ne!(digest(html.as_bytes(), None), digest(html2.as_bytes(), None));
    }
}
