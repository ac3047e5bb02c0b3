//! The ESR article fixtures, found at run time: every `tests/fixtures/extract/esr-*/`
//! whose `case.toml` says `kind = "article"`. Shared by `tests/esr_invariance.rs` and
//! `benches/esr_fields.rs`. `case.toml` is read leniently here (unknown keys are
//! ignored): `tests/extract_fixtures.rs` is the strict reader.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use quire::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use quire::model::Article;
use quire::pipeline::{self, CaptureInfo, PageInput};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Case {
    #[serde(default)]
    pub description: String,
    pub url: String,
    pub content_type: Option<String>,
    pub kind: String,
    pub profile: Option<String>,
    #[serde(default)]
    pub expect: Expect,
}

/// The hand-written facts of a fixture (absent keys: see `tests/extract_fixtures.rs`;
/// `kicker`, `authors`, `title`, `subtitle`, `published`, `bio` and
/// `original_publication` absent mean null / empty).
#[derive(Debug, Default, Deserialize)]
pub struct Expect {
    pub title: Option<String>,
    pub kicker: Option<String>,
    pub published_source: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Option<Vec<String>>,
    pub published: Option<String>,
    pub section: Option<Vec<String>>,
    pub bio: Option<String>,
    pub original_publication: Option<String>,
}

pub struct Fixture {
    pub name: String,
    pub dir: PathBuf,
    pub case: Case,
    pub page: Vec<u8>,
}

/// `tests/fixtures`, or `$QUIRE_FIXTURES_DIR` (a directory laid out the same way, to
/// score fixtures that are not in this tree yet).
pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os("QUIRE_FIXTURES_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
    }
}

/// Every ESR article fixture, sorted by name.
pub fn esr_articles() -> Result<Vec<Fixture>, String> {
    let root = fixtures_dir().join("extract");
    let entries = std::fs::read_dir(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let mut out = Vec::new();
    for e in entries {
        let dir = e.map_err(|e| e.to_string())?.path();
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !name.starts_with("esr-") || !dir.join("case.toml").is_file() {
            continue;
        }
        let toml_text = std::fs::read_to_string(dir.join("case.toml"))
            .map_err(|e| format!("{name}: case.toml: {e}"))?;
        let case: Case =
            toml::from_str(&toml_text).map_err(|e| format!("{name}: case.toml: {e}"))?;
        if case.kind != "article" {
            continue;
        }
        let page =
            std::fs::read(dir.join("page.html")).map_err(|e| format!("{name}: page.html: {e}"))?;
        out.push(Fixture {
            name,
            dir,
            case,
            page,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The configuration `tests/extract_fixtures.rs` uses: the case's profile choice and a
/// fixed `latest_date`, so results do not depend on the day.
pub fn config(case: &Case) -> Result<ExtractConfig, String> {
    let profiles = ProfileSet::builtin();
    let choice = match case.profile.as_deref() {
        None => ProfileChoice::ByHost,
        Some("generic") => ProfileChoice::Generic,
        Some(p) if p.ends_with(".toml") => {
            let path = fixtures_dir().join(p);
            ProfileChoice::Force(
                profiles
                    .resolve(&path.to_string_lossy())
                    .map_err(|e| e.to_string())?,
            )
        }
        Some(p) => ProfileChoice::Force(profiles.resolve(p).map_err(|e| e.to_string())?),
    };
    Ok(ExtractConfig {
        profiles,
        choice,
        skip_links: false,
        latest_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
    })
}

/// Run the offline pipeline on `body` as the fixture's URL.
pub fn run(
    case: &Case,
    cfg: &ExtractConfig,
    body: &[u8],
    content_type: Option<&str>,
) -> Result<Article, String> {
    let url = url::Url::parse(&case.url).map_err(|e| format!("url: {e}"))?;
    let page = PageInput {
        url: &url,
        body,
        content_type,
    };
    let processed = pipeline::process(&page, cfg).map_err(|e| e.to_string())?;
    let capture = CaptureInfo {
        content_type: content_type.map(str::to_string),
        ..Default::default()
    };
    Ok(processed.into_article(body, capture))
}
