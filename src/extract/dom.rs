//! DOM helpers shared by the profile and generic extractors: parsing with bounded
//! nesting, and link discovery.
//!
//! html5ever's tree builder is quadratic in the depth of open elements (20,000 nested
//! `<div>`s take a second, 100,000 would take half a minute), so [`parse`] first
//! flattens markup nested deeper than [`MAX_DEPTH`]: excess start tags and their end
//! tags are dropped, their text kept. Every walk over the tree in quire is iterative
//! or bounded by that depth. Owns no extraction policy.

use std::collections::HashMap;

use scraper::node::Element;
use scraper::Html;
use url::Url;

/// A parsed document.
pub type Document = Html;

/// Deepest element nesting kept by [`parse`]; deeper start tags are dropped.
pub const MAX_DEPTH: usize = 400;

/// Most links returned for one page (a page with a million links cannot exhaust
/// memory or the frontier).
pub const MAX_LINKS: usize = 10_000;

/// Parse decoded HTML, flattening pathological nesting first.
///
/// The same as [`Html::parse_document`], except that the node arena is allocated once
/// at about its final size (an estimate from the count of `<`) instead of growing by
/// doubling, which copies every node each time.
pub fn parse(html: &str) -> Document {
    use html5ever::tendril::TendrilSink;
    let flat = flatten_deep_nesting(html, MAX_DEPTH);
    let html = flat.as_deref().unwrap_or(html);
    let tags = memchr::memchr_iter(b'<', html.as_bytes()).count();
    let mut doc = Html::new_document();
    doc.tree = ego_tree::Tree::with_capacity(scraper::Node::Document, tags + tags / 2 + 16);
    // Parsed as a browser with scripting off would: the content of `<noscript>` is
    // markup, not one raw text string. Forum software (Discourse) and some CMSs serve
    // the whole server-rendered page inside `<noscript>`; with scripting on, html5ever
    // would hand it over as text that looks like HTML. Extractors skip `<noscript>`
    // unless it holds the page (see `generic::tree`).
    let opts = html5ever::ParseOpts {
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            scripting_enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    html5ever::driver::parse_document(scraper::HtmlTreeSink::new(doc), opts).one(html)
}

/// Elements that never have content or whose end is implied by the next sibling:
/// they do not add to the nesting depth as counted by the prescan.
fn is_void_or_implied(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"tr"
            | b"td"
            | b"th"
            | b"option"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"colgroup"
            | b"!doctype"
    )
}

/// Elements whose content is raw text: tags inside them are not tags.
fn is_raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"plaintext" | b"noembed"
    )
}

/// A cheap tag scanner that drops start tags nested deeper than `limit` (and the end
/// tags matching them). Returns `None` when the document never exceeds the limit, so
/// normal pages are parsed untouched.
fn flatten_deep_nesting(html: &str, limit: usize) -> Option<String> {
    let bytes = html.as_bytes();
    // Fewer tags than the limit cannot nest deeper than it.
    if memchr::memchr_iter(b'<', bytes).take(limit + 1).count() <= limit {
        return None;
    }
    let mut depth = 0usize;
    let mut suppressed: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(off) = memchr_lt(&bytes[i..]) {
        let start = i + off;
        if bytes[start..].starts_with(b"<!--") {
            i = find(bytes, start + 4, b"-->").map_or(bytes.len(), |e| e + 3);
            continue;
        }
        let Some(tag) = scan_tag(bytes, start) else {
            i = start + 1;
            continue;
        };
        let end = tag.end;
        if tag.closing {
            // (Most pages never suppress anything: skip hashing the name.)
            let n = if suppressed.is_empty() {
                None
            } else {
                suppressed.get_mut(tag.name.as_bytes())
            };
            if let Some(n) = n {
                if *n > 0 {
                    *n -= 1;
                    cuts.push((start, end));
                    i = end;
                    continue;
                }
            }
            if !is_void_or_implied(tag.name.as_bytes()) {
                depth = depth.saturating_sub(1);
            }
        } else if !tag.self_closing && !is_void_or_implied(tag.name.as_bytes()) {
            if depth >= limit {
                *suppressed.entry(tag.name.as_bytes().to_vec()).or_insert(0) += 1;
                cuts.push((start, end));
                i = end;
                continue;
            }
            depth += 1;
            if is_raw_text(tag.name.as_bytes()) {
                let close = [&b"</"[..], tag.name.as_bytes()].concat();
                i = find_ci(bytes, end, &close).unwrap_or(bytes.len());
                continue;
            }
        }
        i = end;
    }
    if cuts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(html.len());
    let mut pos = 0;
    for (s, e) in cuts {
        out.push_str(&html[pos..s]);
        pos = e;
    }
    out.push_str(&html[pos..]);
    Some(out)
}

struct Tag {
    /// Lowercased name, truncated to 16 bytes (enough to tell the names we test).
    name: TagName,
    closing: bool,
    self_closing: bool,
    end: usize,
}

/// A tag name without allocation.
#[derive(Clone, Copy)]
struct TagName {
    buf: [u8; 16],
    len: usize,
}

impl TagName {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', b)
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    memchr::memmem::find(&b[from..], needle).map(|p| p + from)
}

/// First ASCII-case-insensitive occurrence of `needle` (which starts with `<`) at or
/// after `from`.
fn find_ci(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    memchr::memchr_iter(b'<', &b[from..])
        .map(|p| p + from)
        .find(|&p| {
            b.get(p..p + needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        })
}

/// Scan one tag starting at `<`; `None` if this `<` does not start a tag.
fn scan_tag(b: &[u8], start: usize) -> Option<Tag> {
    let mut i = start + 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'!' || b[i] == b'-') {
        i += 1;
    }
    if i == name_start || !(b[name_start].is_ascii_alphabetic() || b[name_start] == b'!') {
        return None;
    }
    let mut name = TagName {
        buf: [0; 16],
        len: 0,
    };
    for &c in &b[name_start..i.min(name_start + 16)] {
        name.buf[name.len] = c.to_ascii_lowercase();
        name.len += 1;
    }
    // Skip attributes, honouring quotes, up to the closing '>'.
    while let Some(off) = memchr::memchr3(b'>', b'"', b'\'', &b[i..]) {
        i += off;
        let c = b[i];
        if c == b'>' {
            let self_closing = i > start && b[i - 1] == b'/';
            return Some(Tag {
                name,
                closing,
                self_closing,
                end: i + 1,
            });
        }
        // A quoted value: skip to its closing quote.
        match memchr::memchr(c, &b[i + 1..]) {
            Some(q) => i += 1 + q + 1,
            None => break,
        }
    }
    Some(Tag {
        name,
        closing,
        self_closing: false,
        end: b.len(),
    })
}

/// Absolute http(s) links of the page for crawl discovery: `<a href>`, `<area href>`,
/// `<frame src>`, `<iframe src>`, `<link rel=next href>`; resolved against `<base
/// href>` or the page URL, fragments removed, duplicates dropped, document order, at
/// most [`MAX_LINKS`].
pub fn links(doc: &Document, page: &Url) -> Vec<Url> {
    let mut base: Option<Url> = None;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for node in doc.tree.nodes() {
        let Some(v) = node.value().as_element() else {
            continue;
        };
        let raw = match v.name() {
            "base" => {
                if base.is_none() {
                    base = attr(v, "href").and_then(|h| page.join(h.trim()).ok());
                }
                None
            }
            "a" | "area" => attr(v, "href"),
            "frame" | "iframe" => attr(v, "src"),
            "link" => {
                let rel = attr(v, "rel").unwrap_or("");
                if rel
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
                {
                    attr(v, "href")
                } else {
                    None
                }
            }
            _ => None,
        };
        let Some(raw) = raw else { continue };
        let Ok(mut url) = base.as_ref().unwrap_or(page).join(raw.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        url.set_fragment(None);
        if seen.insert(url.as_str().to_string()) {
            out.push(url);
            if out.len() >= MAX_LINKS {
                break;
            }
        }
    }
    out
}

/// The value of the attribute `name` (no namespace): [`Element::attr`] without
/// interning `name` and hashing it, which costs more than a scan of the handful of
/// attributes an element has.
fn attr<'a>(el: &'a Element, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(k, _)| k.prefix.is_none() && k.ns == html5ever::ns!() && &*k.local == name)
        .map(|(_, v)| &**v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_flattened_and_text_kept() {
        let n = 100_000;
        let html = format!(
            "<body>{}deep text{}</body>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let flat = flatten_deep_nesting(&html, MAX_DEPTH).expect("flattened");
        assert!(
            flat.len() < 6 * (MAX_DEPTH + 10) * 2 + 40,
            "len {}",
            flat.len()
        );
        let doc = parse(&html);
        let text: String = doc.root_element().text().collect();
        assert_eq!(text, "deep text");
    }

    #[test]
    fn normal_pages_are_untouched() {
        let html = "<p>one<p>two<table><tr><td>x</table><script>if (a<b) {}</script>";
        assert!(flatten_deep_nesting(html, MAX_DEPTH).is_none());
    }

    #[test]
    fn links_resolved_deduplicated_and_filtered() {
        let html = r#"<base href="http://ex.com/a/"><a href="b.htm#x">1</a><a href="b.htm">2</a>
            <a href="mailto:x@y">m</a><a href="javascript:void(0)">j</a><area href="/c">
            <iframe src="d.htm"></iframe><link rel="next" href="e.htm"><link rel="stylesheet" href="s.css">"#;
        let page = Url::parse("http://ex.com/z/page.htm").unwrap();
        let got: Vec<String> = links(&parse(html), &page)
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            got,
            [
                "http://ex.com/a/b.htm",
                "http://ex.com/c",
                "http://ex.com/a/d.htm",
                "http://ex.com/a/e.htm"
            ]
        );
    }
}
