//! Property tests of URL canonicalization (`quire::fetch::url`): idempotent, stable
//! under reparsing, and one canonical spelling for the equivalent spellings of a URL.

use proptest::prelude::*;
use quire::fetch::url::{canonicalize, parse_canonical, Prefix, Scope};

/// A path or query segment: letters, unreserved and reserved characters, stray '%'
/// and escapes of every kind, dot segments, non-ASCII.
fn segment() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9]{1,4}",
            Just("%".to_string()),
            "%[0-9a-fA-F]{2}",
            "%[0-9a-fA-F]",
            Just(".".to_string()),
            Just("..".to_string()),
            "[-._~!$&'()*+,;=:@]",
            Just("é".to_string()),
            Just("%2E".to_string()),
            Just(" ".to_string()),
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn url_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("http"), Just("https"), Just("HTTP"), Just("hTTps")],
        "[a-zA-Z][a-zA-Z0-9-]{0,8}(\\.[a-zA-Z]{2,4}){0,2}",
        prop_oneof![
            Just(String::new()),
            Just(":80".into()),
            Just(":443".into()),
            "(:[0-9]{1,5})"
        ],
        prop::collection::vec(segment(), 0..5),
        prop::option::of(segment()),
        prop::option::of(segment()),
    )
        .prop_map(|(scheme, host, port, segs, query, frag)| {
            let mut s = format!("{scheme}://{host}{port}/{}", segs.join("/"));
            if let Some(q) = query {
                s.push('?');
                s.push_str(&q);
            }
            if let Some(f) = frag {
                s.push('#');
                s.push_str(&f);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn canonicalization_is_idempotent(text in url_text()) {
        if let Ok(u) = parse_canonical(&text) {
            prop_assert_eq!(canonicalize(u.clone()).ok(), Some(u.clone()), "{}", text);
            prop_assert_eq!(parse_canonical(u.as_str()).ok(), Some(u.clone()), "{}", text);
            prop_assert!(u.fragment().is_none());
            prop_assert!(matches!(u.scheme(), "http" | "https"));
            let own = Scope { prefixes: vec![Prefix::of_seed(&u)], ..Scope::default() };
            prop_assert!(own.contains(&u), "{} not in its own scope", u);
        }
    }

    #[test]
    fn equivalent_spellings_have_one_canonical_form(
        host in "[a-z]{1,8}\\.com",
        segs in prop::collection::vec("[a-z0-9]{1,6}", 1..5),
        frag in "[a-z]{0,5}",
    ) {
        let path = segs.join("/");
        let plain = parse_canonical(&format!("http://{host}/{path}")).unwrap();
        let escaped: String = path.chars().map(|c| if c == '/' { "/".to_string() } else { format!("%{:02x}", c as u32) }).collect();
        for other in [
            format!("HTTP://{}/{path}", host.to_uppercase()),
            format!("http://{host}:80/{path}#{frag}"),
            format!("http://{host}/x/../{path}"),
            format!("http://{host}/./{path}"),
            format!("http://{host}/{escaped}"),
        ] {
            prop_assert_eq!(parse_canonical(&other).ok(), Some(plain.clone()), "{}", other);
        }
    }
}
