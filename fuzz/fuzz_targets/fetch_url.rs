//! Fuzz target: URL canonicalization and scope checks (`quire::fetch::url`).
//!
//! Input: "base\nhref". Canonicalization must not panic, must be idempotent, must only
//! ever yield http(s) URLs with a host, and the scope test must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::fetch::url::{
    canonicalize, has_non_html_extension, parse_canonical, resolve_canonical, Prefix, Scope,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (base_text, href) = text.split_once('\n').unwrap_or((&text, ""));
    let base = parse_canonical(base_text)
        .or_else(|_| parse_canonical("http://h.example/archive/index.html"));
    let Ok(base) = base else { return };
    check(&base);
    let scope = Scope {
        prefixes: vec![Prefix::of_seed(&base)],
        ..Scope::default()
    };
    let _ = Prefix::parse(href);
    if let Ok(u) = resolve_canonical(&base, href) {
        check(&u);
        let _ = scope.contains(&u);
        let _ = has_non_html_extension(&u);
    }
});

fn check(u: &url::Url) {
    assert!(matches!(u.scheme(), "http" | "https"), "{u}");
    assert!(u.host_str().is_some_and(|h| !h.is_empty()), "{u}");
    assert!(u.fragment().is_none(), "{u}");
    let again = canonicalize(u.clone());
    assert_eq!(again.as_ref().ok(), Some(u), "canonicalize not idempotent on {u}");
    let reparsed = parse_canonical(u.as_str());
    assert_eq!(reparsed.as_ref().ok(), Some(u), "reparse differs for {u}");
    // The default scope of a URL contains the URL itself.
    let s = Scope {
        prefixes: vec![Prefix::of_seed(u)],
        ..Scope::default()
    };
    assert!(s.contains(u), "{u} not in its own scope");
}
