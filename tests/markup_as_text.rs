//! No markup as text, ever: pages whose text holds leaked HTML (a `<noscript>` full of
//! tags, tags escaped twice so that they show as `<img src=…>`, template placeholders
//! such as `{{title}}`) never put that markup into a body block, whichever extractor
//! runs; the prose around it survives, and code samples in `<pre>` keep theirs.

use proptest::prelude::*;
use quire::extract::{ExtractConfig, ProfileChoice, ProfileSet};
use quire::model::Block;
use quire::pipeline::{self, PageInput};

const PROSE: &[&str] = &[
    "The council voted on Tuesday to keep the library open on Saturday afternoons, after a long debate.",
    "Residents had collected more than six hundred signatures, roughly one in six adults of the village.",
    "The budget for next year will be presented in March, and the mayor promised no new cuts to services.",
    "Opponents argued that the money would be better spent on the roads, which are in a poor state.",
];

/// Leaked markup as a page author's HTML would carry it (already escaped where the
/// text shows tags).
const LEAKS: &[&str] = &[
    "&lt;img src=\"/banner.png\" alt=\"ad\"&gt;",
    "&lt;div class=\"promo\"&gt;&lt;a href=\"/offer\"&gt;Offer&lt;/a&gt;&lt;/div&gt;",
    "{{ article.title }}",
    "{% include 'sidebar.html' %}",
    "&lt;script type=\"text/javascript\" src=\"/track.js\"&gt;&lt;/script&gt;",
    "&lt;p&gt;&lt;strong&gt;Read more&lt;/strong&gt;&lt;/p&gt;",
    "&lt;%= user.name %&gt;",
    "&lt;iframe src=\"https://video.example/embed/1\" width=\"560\"&gt;&lt;/iframe&gt;",
];

fn leaked(text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    for needle in [
        "<img ",
        "<div ",
        "<a href",
        "<script",
        "<iframe",
        "</div>",
        "{{",
        "{%",
        "<%",
        "</strong>",
    ] {
        if lower.contains(needle) {
            return Some(needle);
        }
    }
    None
}

fn block_texts(body: &[Block]) -> Vec<String> {
    body.iter()
        .filter(|b| !matches!(b, Block::Preformatted { .. }))
        .map(Block::text)
        .collect()
}

fn page(parts: &[(usize, usize, bool)], in_noscript: bool) -> String {
    let mut body = String::new();
    for &(p, l, wrap_p) in parts {
        body.push_str(&format!("<p>{}</p>", PROSE[p % PROSE.len()]));
        let leak = LEAKS[l % LEAKS.len()];
        if wrap_p {
            body.push_str(&format!("<p>{leak}</p>"));
        } else {
            body.push_str(&format!("<p>{} {leak}</p>", PROSE[(p + 1) % PROSE.len()]));
        }
    }
    let noscript = if in_noscript {
        "<noscript><div class=\"x\"><img src=\"/pixel.gif\"><p>Please enable JavaScript.</p></div></noscript>"
    } else {
        ""
    };
    format!(
        "<html><head><title>Library hours</title></head><body>{noscript}<main><article>\
         <h1>Library hours</h1>{body}<pre>&lt;div class=\"example\"&gt;code sample&lt;/div&gt;</pre>\
         <p>ESR</p></article></main></body></html>"
    )
}

fn run(html: &str, url: &str, choice: ProfileChoice) -> Vec<Block> {
    let url = url::Url::parse(url).unwrap();
    let cfg = ExtractConfig {
        profiles: ProfileSet::builtin(),
        choice,
        ..Default::default()
    };
    let input = PageInput {
        url: &url,
        body: html.as_bytes(),
        content_type: None,
    };
    pipeline::process(&input, &cfg).unwrap().content.body
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn leaked_markup_never_reaches_a_block(
        parts in prop::collection::vec((0usize..8, 0usize..8, any::<bool>()), 2..6),
        in_noscript in any::<bool>(),
    ) {
        let html = page(&parts, in_noscript);
        for (url, choice) in [
            ("https://news.example/story", ProfileChoice::Generic),
            ("http://www.enterstageright.com/archive/articles/0399/0399x.htm", ProfileChoice::ByHost),
        ] {
            let body = run(&html, url, choice);
            for text in block_texts(&body) {
                prop_assert!(leaked(&text).is_none(), "{url}: markup {:?} in {text:?}", leaked(&text));
                prop_assert!(!text.contains("Please enable JavaScript"), "{url}: noscript text in {text:?}");
            }
            // The prose around the leaks survives.
            let all = block_texts(&body).join("\n");
            let first = PROSE[parts[0].0 % PROSE.len()];
            prop_assert!(all.contains(first), "{url}: lost {first:?} from {all}");
        }
    }
}

#[test]
fn a_code_sample_keeps_its_markup() {
    let html = page(&[(0, 0, true), (1, 1, false)], false);
    let body = run(&html, "https://news.example/story", ProfileChoice::Generic);
    let pre: Vec<&Block> = body
        .iter()
        .filter(|b| matches!(b, Block::Preformatted { .. }))
        .collect();
    assert_eq!(pre.len(), 1, "{body:?}");
    assert!(pre[0].text().contains("<div class=\"example\">"), "{pre:?}");
}
