//! Fixture-directory tests of the offline pipeline (decode → extract → normalize).
//!
//! Each `tests/fixtures/extract/<case>/` holds `page.html` (exact bytes), `case.toml`
//! (the URL, the Content-Type, and facts written by hand as an independent oracle) and
//! `expected.json` (the reviewed golden Article). A failing case prints its name and
//! what differs. Regenerate goldens with `QUIRE_BLESS=1 cargo test --test
//! extract_fixtures`, then review `git diff tests/fixtures`.

use std::path::{Path, PathBuf};

use quire::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use quire::model::{Article, Block, PageType};
use quire::pipeline::{self, CaptureInfo, PageInput};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    url: String,
    content_type: Option<String>,
    kind: String,
    /// "generic", a built-in name, or a path relative to tests/fixtures/.
    profile: Option<String>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    title: Option<String>,
    /// The label above the headline ("Book Review"); checked always (absent = none).
    kicker: Option<String>,
    /// "page", "metadata", "url" or "issue"; checked when given.
    published_source: Option<String>,
    subtitle: Option<String>,
    authors: Option<Vec<String>>,
    published: Option<String>,
    section: Option<Vec<String>>,
    bio: Option<String>,
    original_publication: Option<String>,
    charset: Option<String>,
    first_paragraph: Option<String>,
    last_paragraph: Option<String>,
    paragraphs: Option<usize>,
    headings: Option<Vec<String>>,
    lists: Option<usize>,
    blockquotes: Option<usize>,
    images: Option<Vec<ExpectImage>>,
    #[serde(default)]
    must_contain: Vec<String>,
    #[serde(default)]
    must_not_contain: Vec<String>,
    /// An index page's entries, in page order (checked when given).
    entries: Option<Vec<ExpectEntry>>,
    /// The issue an index page is the table of contents of (checked when entries are
    /// given: absent = none).
    issue: Option<ExpectIssue>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectEntry {
    url: String,
    title: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    published: Option<String>,
    teaser: Option<String>,
    section: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectIssue {
    label: String,
    date: Option<String>,
    precision: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct ExpectImage {
    src: String,
    caption: Option<String>,
    credit: Option<String>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures().join("extract"))
        .expect("fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    v.sort();
    v
}

fn run_case(dir: &Path) -> (Case, Article) {
    let case: Case = toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).unwrap())
        .unwrap_or_else(|e| panic!("{}: case.toml: {e}", dir.display()));
    let body = std::fs::read(dir.join("page.html")).unwrap();
    let profiles = ProfileSet::builtin();
    let choice = match case.profile.as_deref() {
        None => ProfileChoice::ByHost,
        Some("generic") => ProfileChoice::Generic,
        Some(p) if p.ends_with(".toml") => ProfileChoice::Force(
            profiles
                .resolve(fixtures().join(p).to_str().unwrap())
                .unwrap(),
        ),
        Some(p) => ProfileChoice::Force(profiles.resolve(p).unwrap()),
    };
    let cfg = ExtractConfig {
        profiles,
        choice,
        skip_links: false,
        // Fixed, so goldens do not depend on the day the tests run.
        latest_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
    };
    let url = url::Url::parse(&case.url).unwrap();
    let page = PageInput {
        url: &url,
        body: &body,
        content_type: case.content_type.as_deref(),
    };
    let processed =
        pipeline::process(&page, &cfg).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let capture = CaptureInfo {
        content_type: case.content_type.clone(),
        ..Default::default()
    };
    (case, processed.into_article(&body, capture))
}

fn body_text(a: &Article) -> String {
    a.content
        .body
        .iter()
        .map(Block::text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The hand-written body, when the fixture has one: `body.txt`, the text
/// `quire extract --format text` must print, one block per line.
fn expected_body(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join("body.txt")).ok()
}

/// Lines with their whitespace collapsed, blank lines dropped.
fn lines_of(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

fn check_body(dir: &Path, a: &Article) -> Vec<String> {
    let Some(want) = expected_body(dir) else {
        return Vec::new();
    };
    let (want, got) = (lines_of(&want), lines_of(&a.content.body_text()));
    if want == got {
        return Vec::new();
    }
    let want = want.join("\n");
    let got = got.join("\n");
    let diff = similar::TextDiff::from_lines(&want, &got);
    vec![format!(
        "body.txt differs:\n{}",
        diff.unified_diff()
            .context_radius(1)
            .header("body.txt", "actual")
            .to_string()
            .lines()
            .take(30)
            .collect::<Vec<_>>()
            .join("\n")
    )]
}

fn check(case: &Case, a: &Article) -> Vec<String> {
    let mut errs = Vec::new();
    let c = &a.content;
    let e = &case.expect;
    macro_rules! eq {
        ($name:expr, $want:expr, $got:expr) => {
            if $want != $got {
                errs.push(format!(
                    "{}:\n    want {:?}\n     got {:?}",
                    $name, $want, $got
                ));
            }
        };
    }
    let want_type = if case.kind == "index" {
        PageType::Index
    } else {
        PageType::Article
    };
    eq!("page_type", want_type, c.page_type);
    if let Some(want) = &e.entries {
        let got: Vec<ExpectEntry> = c
            .entries
            .iter()
            .map(|x| ExpectEntry {
                url: x.url.clone(),
                title: x.title.clone(),
                authors: x.authors.clone(),
                published: x.published.as_ref().map(|d| d.date.clone()),
                teaser: x.teaser.clone(),
                section: x.section.clone(),
            })
            .collect();
        if want.len() != got.len() {
            errs.push(format!(
                "entries: want {} got {}: {:#?}",
                want.len(),
                got.len(),
                got.iter().map(|g| &g.url).collect::<Vec<_>>()
            ));
        }
        for (i, (w, g)) in want.iter().zip(&got).enumerate() {
            eq!(format!("entries[{i}]"), w, g);
        }
        let issue = c.issue.as_ref().map(|i| ExpectIssue {
            label: i.label.clone(),
            date: i.date.as_ref().map(|d| d.date.clone()),
            precision: i
                .date
                .as_ref()
                .and_then(|d| serde_json::to_value(d.precision).ok())
                .and_then(|v| v.as_str().map(str::to_string)),
        });
        eq!("issue", e.issue.as_ref(), issue.as_ref());
    }
    if case.kind != "index" {
        eq!("title", e.title.as_deref(), c.title.as_deref());
        eq!("subtitle", e.subtitle.as_deref(), c.subtitle.as_deref());
        eq!("kicker", e.kicker.as_deref(), c.kicker.as_deref());
        if let Some(src) = &e.published_source {
            eq!(
                "published.source",
                Some(src.clone()),
                c.published
                    .as_ref()
                    .and_then(|p| p.source)
                    .and_then(|s| serde_json::to_value(s).ok())
                    .and_then(|v| v.as_str().map(str::to_string))
            );
        }
        eq!("authors", e.authors.clone().unwrap_or_default(), c.authors);
        eq!(
            "published",
            e.published.as_deref(),
            c.published.as_ref().map(|p| p.date.as_str())
        );
        if let Some(s) = &e.section {
            eq!("section", s, &c.section);
        }
        eq!("bio", e.bio.as_deref(), c.bio.as_deref());
        eq!(
            "original_publication",
            e.original_publication.as_deref(),
            c.original_publication.as_deref()
        );
        let paras: Vec<&str> = c
            .body
            .iter()
            .filter_map(|b| {
                if let Block::Paragraph { text } = b {
                    Some(text.as_str())
                } else {
                    None
                }
            })
            .collect();
        if let Some(f) = &e.first_paragraph {
            eq!("first_paragraph", Some(f.as_str()), paras.first().copied());
        }
        if let Some(l) = &e.last_paragraph {
            eq!("last_paragraph", Some(l.as_str()), paras.last().copied());
        }
        if let Some(n) = e.paragraphs {
            eq!("paragraphs", n, paras.len());
        }
        if let Some(h) = &e.headings {
            let got: Vec<&str> = c
                .body
                .iter()
                .filter_map(|b| {
                    if let Block::Heading { text, .. } = b {
                        Some(text.as_str())
                    } else {
                        None
                    }
                })
                .collect();
            eq!(
                "headings",
                h.iter().map(String::as_str).collect::<Vec<_>>(),
                got
            );
        }
        if let Some(n) = e.lists {
            eq!(
                "lists",
                n,
                c.body
                    .iter()
                    .filter(|b| matches!(b, Block::List { .. }))
                    .count()
            );
        }
        if let Some(n) = e.blockquotes {
            eq!(
                "blockquotes",
                n,
                c.body
                    .iter()
                    .filter(|b| matches!(b, Block::Blockquote { .. }))
                    .count()
            );
        }
        if let Some(imgs) = &e.images {
            let got: Vec<ExpectImage> = c
                .body
                .iter()
                .filter_map(|b| match b {
                    Block::Image {
                        src,
                        caption,
                        credit,
                        ..
                    } => Some(ExpectImage {
                        src: src.clone(),
                        caption: caption.clone(),
                        credit: credit.clone(),
                    }),
                    _ => None,
                })
                .collect();
            eq!("images", imgs, &got);
        }
    } else if let Some(t) = &e.title {
        eq!("title", Some(t.as_str()), c.title.as_deref());
    }
    if let Some(cs) = &e.charset {
        eq!(
            "charset",
            cs.to_ascii_lowercase(),
            a.provenance.charset.name.to_ascii_lowercase()
        );
    }
    let text = body_text(a);
    for s in &e.must_contain {
        if !text.contains(s.as_str()) {
            errs.push(format!("body lacks {s:?}"));
        }
    }
    let all = serde_json::to_string(&a.content.body).unwrap();
    for s in &e.must_not_contain {
        if text.contains(s.as_str()) || all.contains(s.as_str()) {
            errs.push(format!("body contains chrome {s:?}"));
        }
    }
    if text.contains('\u{fffd}') || text.contains("â€") || text.contains("Ã") {
        errs.push("mojibake or U+FFFD in body".into());
    }
    errs
}

#[test]
fn fixtures_match_their_oracle_facts() {
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 25, "only {} fixture cases", all.len());
    for dir in &all {
        let (case, article) = run_case(dir);
        let mut errs = check(&case, &article);
        if case.kind != "index" {
            errs.extend(check_body(dir, &article));
        }
        if !errs.is_empty() {
            failures.push(format!(
                "--- {} ({})\n  {}",
                dir.file_name().unwrap().to_string_lossy(),
                case.description,
                errs.join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn fixtures_match_reviewed_goldens() {
    let bless = std::env::var_os("QUIRE_BLESS").is_some();
    let mut failures = Vec::new();
    for dir in cases() {
        let (_, article) = run_case(&dir);
        let got = serde_json::to_string_pretty(&article).unwrap() + "\n";
        let path = dir.join("expected.json");
        if bless {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == got => {}
            Ok(want) => {
                let diff = similar::TextDiff::from_lines(&want, &got);
                let shown: String = diff
                    .unified_diff()
                    .context_radius(2)
                    .header("expected.json", "actual")
                    .to_string()
                    .lines()
                    .take(40)
                    .collect::<Vec<_>>()
                    .join("\n");
                failures.push(format!("--- {}\n{shown}", dir.display()));
            }
            Err(_) => failures.push(format!(
                "--- {}: no expected.json (run with QUIRE_BLESS=1)",
                dir.display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "goldens differ (QUIRE_BLESS=1 to regenerate, then review):\n{}",
        failures.join("\n")
    );
}
