//! Crashes found by the fuzz targets (fuzz/fuzz_targets/*.rs), replayed exactly as the
//! target ran them. Each test names the target and the artifact it came from.

use quire::fetch::url::{canonicalize, parse_canonical, resolve_canonical};

/// The `fetch_url` target's idempotence check on "base\nhref" input.
fn url_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (base_text, href) = text.split_once('\n').unwrap_or((&text, ""));
    let base = parse_canonical(base_text)
        .or_else(|_| parse_canonical("http://h.example/archive/index.html"))
        .unwrap();
    let mut urls = vec![base.clone()];
    urls.extend(resolve_canonical(&base, href));
    for u in urls {
        assert_eq!(canonicalize(u.clone()).ok(), Some(u.clone()), "{u}");
        assert_eq!(parse_canonical(u.as_str()).ok(), Some(u.clone()), "{u}");
    }
}

/// fetch_url crash-18be23a0: a stray '%' before an escape of a hex digit ("%%66")
/// decoded into a new escape ("%f6"), so canonicalizing twice changed the URL (and its
/// meaning: a literal "%" became the byte 0xF6).
#[test]
fn fetch_url_decoded_hex_digit_after_stray_percent() {
    url_target(b"http:/=4gw%2E%2E./\xc1%%%%%%%%%%%%6666%%\xd1\x93\x8bht\x8b\x92\x93\x92\xff\xff\xff\x04\x93xn");
    url_target(b"http://h/%%66");
    url_target(b"http://h/%6%36?q=%%41%4%31");
    let u = parse_canonical("http://h/a%%66b").unwrap();
    assert_eq!(u.path(), "/a%%66b", "the escape stays an escape");
}
