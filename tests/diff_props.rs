//! Property: applying `diff(a, b)` to `a` gives `b`'s content exactly, and `diff(a, a)`
//! is empty, for arbitrary bodies built from a small vocabulary (so that blocks and
//! words repeat and the aligner has real work to do).

use proptest::prelude::*;
use quire::diff;
use quire::model::{Block, Content, PageType};

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("the".to_string()),
        Just("cat".to_string()),
        Just("sat,".to_string()),
        Just("mat.".to_string()),
        Just("“quoted”".to_string()),
        "[a-z]{1,6}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..8).prop_map(|w| w.join(" "))
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        4 => text().prop_map(|text| Block::Paragraph { text }),
        1 => (1u8..=6, text()).prop_map(|(level, text)| Block::Heading { level, text }),
        1 => prop::collection::vec(text(), 0..3).prop_map(|paragraphs| Block::Blockquote { paragraphs }),
        1 => (any::<bool>(), prop::collection::vec(text(), 0..3))
            .prop_map(|(ordered, items)| Block::List { ordered, items }),
        1 => (prop_oneof![Just("http://e.test/1.jpg"), Just("http://e.test/2.jpg")],
              prop::option::of(text()), prop::option::of(text()))
            .prop_map(|(src, caption, credit)| Block::Image { src: src.into(), alt: None, caption, credit }),
        1 => text().prop_map(|text| Block::Preformatted { text }),
    ]
}

fn content() -> impl Strategy<Value = Content> {
    (
        prop::option::of(text()),
        prop::collection::vec(text(), 0..3),
        prop::collection::vec(block(), 0..10),
        any::<bool>(),
    )
        .prop_map(|(title, authors, body, index)| Content {
            url: "http://e.test/a.html".into(),
            canonical_url: None,
            site: None,
            section: vec![],
            page_type: if index {
                PageType::Index
            } else {
                PageType::Article
            },
            kicker: None,
            title,
            subtitle: None,
            authors,
            published: None,
            body,
            bio: None,
            original_publication: None,
            language: None,
            word_count: 0,
            entries: Vec::new(),
            issue: None,
            posts: Vec::new(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn apply_of_diff_gives_the_new_content(a in content(), b in content()) {
        let d = diff::contents(&a, &b);
        // Through JSON, as a program consuming `quire diff --json` would.
        let d: diff::ArticleDiff = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        prop_assert_eq!(diff::apply(&a, &d).unwrap(), b.clone());
        prop_assert_eq!(d.is_empty(), a == b);
    }

    #[test]
    fn a_content_against_itself_is_empty(a in content()) {
        let d = diff::contents(&a, &a);
        prop_assert!(d.is_empty());
        prop_assert!(d.body.is_empty() && d.metadata.is_empty());
    }

    #[test]
    fn one_word_edit_is_one_word(words in prop::collection::vec("[a-z]{2,6}", 3..20), at in any::<prop::sample::Index>()) {
        let i = at.index(words.len());
        let old = words.join(" ");
        let mut edited = words.clone();
        edited[i] = format!("{}X", edited[i]);
        let new = edited.join(" ");
        let (ops, _) = diff::word_ops(&old, &new);
        let changed: Vec<&diff::WordOp> = ops.iter().filter(|o| !matches!(o, diff::WordOp::Equal { .. })).collect();
        prop_assert_eq!(changed.len(), 2);
        prop_assert_eq!(changed[0], &diff::WordOp::Delete { text: words[i].clone() });
        prop_assert_eq!(changed[1], &diff::WordOp::Insert { text: edited[i].clone() });
    }
}
