//! Fuzz target: decode + extract + normalize on arbitrary bytes
//! (`quire::pipeline::process`), then assemble and serialize the Article.
//!
//! The first byte picks the extractor (ESR profile forced, or generic) and whether a
//! Content-Type header is passed; the rest is the body. Must not panic, and the
//! content digest must be a function of the content.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quire::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use quire::pipeline::{process, CaptureInfo, PageInput};

struct Cfgs {
    esr: ExtractConfig,
    generic: ExtractConfig,
    url: url::Url,
}

fn cfgs() -> &'static Cfgs {
    static C: OnceLock<Cfgs> = OnceLock::new();
    C.get_or_init(|| {
        let profiles = ProfileSet::builtin();
        let esr = match profiles.resolve("esr") {
            Ok(p) => ProfileChoice::Force(p),
            Err(_) => ProfileChoice::Generic,
        };
        Cfgs {
            esr: ExtractConfig {
                profiles: profiles.clone(),
                choice: esr,
                skip_links: false,
                ..ExtractConfig::default()
            },
            generic: ExtractConfig {
                profiles,
                choice: ProfileChoice::Generic,
                skip_links: false,
                ..ExtractConfig::default()
            },
            url: url::Url::parse("http://www.enterstageright.com/archive/articles/0101/a.htm")
                .expect("constant URL"),
        }
    })
}

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("text/html"),
    Some("text/html; charset=windows-1252"),
    Some("text/html; charset=utf-8"),
    Some("text/html; charset=shift_jis"),
    Some("text/html; charset=utf-16le"),
    Some("text/html; charset=bogus"),
    Some("application/xhtml+xml"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let c = cfgs();
    let cfg = if sel & 1 == 0 { &c.esr } else { &c.generic };
    let ct = CONTENT_TYPES[(sel as usize >> 1) % CONTENT_TYPES.len()];
    let input = PageInput {
        url: &c.url,
        body,
        content_type: ct,
    };
    let Ok(p) = process(&input, cfg) else {
        return;
    };
    let digest = quire::model::content_sha256(&p.content);
    let article = p.into_article(body, CaptureInfo::default());
    assert_eq!(article.content_sha256, digest);
    let json = serde_json::to_vec(&article);
    assert!(json.is_ok(), "article does not serialize: {json:?}");
});
