//! HTML serialization with chosen markup habits, and re-encoding.
//!
//! The variant generator edits a parsed DOM and writes it back with this serializer, so
//! that markup habits that do not change the document tree (tag and attribute name
//! case, attribute order, quote style) are choices of the writer. The output parses
//! back to the same tree (`reparse_is_identity` in `variants.rs` checks it on every
//! fixture). The walk is `ego_tree`'s iterative traversal: no recursion.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// Letter case of tag or attribute names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Lower,
    Upper,
    /// Upper or lower, chosen per element.
    Mixed,
}

/// How attribute values are quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    Double,
    Single,
    /// Unquoted wherever the value allows it (double quotes elsewhere).
    Bare,
    /// One of the three, chosen per attribute.
    Mixed,
}

/// Order in which an element's attributes are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrOrder {
    Source,
    Reversed,
    Shuffled,
}

/// The writer's habits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub tag_case: Case,
    pub attr_case: Case,
    pub quote: Quote,
    pub order: AttrOrder,
    /// Seed of the per-element choices (mixed case, shuffled order, mixed quotes).
    pub seed: u64,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            tag_case: Case::Lower,
            attr_case: Case::Lower,
            quote: Quote::Double,
            order: AttrOrder::Source,
            seed: 0,
        }
    }
}

impl Style {
    /// A short description for failure reports.
    pub fn describe(&self) -> String {
        format!(
            "tags {:?}, attribute names {:?}, quotes {:?}, attribute order {:?}",
            self.tag_case, self.attr_case, self.quote, self.order
        )
    }
}

pub const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input",
    "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Elements whose text children are written raw (scripting is enabled in quire's
/// parser, so `<noscript>` is raw text too).
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
];

fn cased(name: &str, case: Case, rng: &mut fastrand::Rng) -> String {
    let upper = match case {
        Case::Lower => false,
        Case::Upper => true,
        Case::Mixed => rng.bool(),
    };
    if upper {
        name.to_ascii_uppercase()
    } else {
        name.to_string()
    }
}

fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

fn can_be_bare(v: &str) -> bool {
    !v.is_empty()
        && !v.chars().any(|c| {
            c.is_ascii_whitespace()
                || matches!(c, '"' | '\'' | '=' | '<' | '>' | '`' | '&' | '\u{a0}')
        })
}

fn write_attr_value(v: &str, quote: Quote, out: &mut String) {
    let q = match quote {
        Quote::Bare if can_be_bare(v) => {
            out.push_str(v);
            return;
        }
        Quote::Single => '\'',
        _ => '"',
    };
    out.push(q);
    for c in v.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '"' if q == '"' => out.push_str("&quot;"),
            '\'' if q == '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out.push(q);
}

/// Write the whole document.
pub fn serialize(doc: &Html, style: &Style) -> String {
    let mut rng = fastrand::Rng::with_seed(style.seed);
    let mut out = String::new();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Document | Node::Fragment => {}
                Node::Doctype(d) => {
                    out.push_str("<!DOCTYPE ");
                    out.push_str(d.name());
                    if !d.public_id().is_empty() {
                        out.push_str(" PUBLIC \"");
                        out.push_str(d.public_id());
                        out.push('"');
                    }
                    if !d.system_id().is_empty() {
                        if d.public_id().is_empty() {
                            out.push_str(" SYSTEM");
                        }
                        out.push_str(" \"");
                        out.push_str(d.system_id());
                        out.push('"');
                    }
                    out.push('>');
                }
                Node::Comment(c) => {
                    out.push_str("<!--");
                    out.push_str(c);
                    out.push_str("-->");
                }
                Node::Text(t) => {
                    let raw = node
                        .parent()
                        .and_then(|p| p.value().as_element().map(|e| e.name().to_string()))
                        .is_some_and(|n| RAW_TEXT.contains(&n.as_str()));
                    if raw {
                        out.push_str(t);
                    } else {
                        escape_text(t, &mut out);
                    }
                }
                Node::Element(e) => {
                    out.push('<');
                    out.push_str(&cased(e.name(), style.tag_case, &mut rng));
                    let mut attrs: Vec<(&str, &str)> =
                        e.attrs().collect::<Vec<_>>().into_iter().collect();
                    match style.order {
                        AttrOrder::Source => {}
                        AttrOrder::Reversed => attrs.reverse(),
                        AttrOrder::Shuffled => rng.shuffle(&mut attrs),
                    }
                    for (name, value) in attrs {
                        out.push(' ');
                        out.push_str(&cased(name, style.attr_case, &mut rng));
                        out.push('=');
                        let q = match style.quote {
                            Quote::Mixed => *rng
                                .choice(&[Quote::Double, Quote::Single, Quote::Bare])
                                .unwrap_or(&Quote::Double),
                            q => q,
                        };
                        write_attr_value(value, q, &mut out);
                    }
                    out.push('>');
                    // The parser drops one newline right after these start tags.
                    if matches!(e.name(), "pre" | "textarea" | "listing")
                        && node
                            .first_child()
                            .and_then(|c| c.value().as_text().map(|t| t.starts_with('\n')))
                            .unwrap_or(false)
                    {
                        out.push('\n');
                    }
                }
                Node::ProcessingInstruction(_) => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    if !VOID.contains(&e.name()) {
                        out.push_str("</");
                        out.push_str(&cased(e.name(), style.tag_case, &mut rng));
                        out.push('>');
                    }
                }
            }
        }
    }
    out
}

/// The byte encodings a variant may be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Windows1252,
}

impl Enc {
    /// The label written in `<meta>` and Content-Type.
    pub fn label(self) -> &'static str {
        match self {
            Enc::Utf8 => "utf-8",
            Enc::Windows1252 => "windows-1252",
        }
    }

    /// The other one (what a lying declaration names).
    pub fn other(self) -> Enc {
        match self {
            Enc::Utf8 => Enc::Windows1252,
            Enc::Windows1252 => Enc::Utf8,
        }
    }

    /// The encoding quire decoded a page with, by its WHATWG name.
    pub fn from_name(name: &str) -> Option<Enc> {
        match encoding_rs::Encoding::for_label(name.as_bytes()) {
            Some(e) if e == encoding_rs::UTF_8 => Some(Enc::Utf8),
            Some(e) if e == encoding_rs::WINDOWS_1252 => Some(Enc::Windows1252),
            _ => None,
        }
    }
}

/// Encode `text`. Characters Windows-1252 cannot represent become numeric character
/// references (`&#8364;`), which the parser turns back into the same characters.
pub fn encode(text: &str, enc: Enc, bom: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    match enc {
        Enc::Utf8 => {
            if bom {
                out.extend_from_slice(b"\xEF\xBB\xBF");
            }
            out.extend_from_slice(text.as_bytes());
        }
        Enc::Windows1252 => {
            let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
            out.extend_from_slice(&bytes);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visible_text(html: &str) -> String {
        let doc = quire::extract::dom::parse(html);
        let mut s = String::new();
        for n in doc.tree.root().descendants() {
            if let Node::Text(t) = n.value() {
                s.push_str(t);
            }
        }
        s
    }

    #[test]
    fn windows_1252_round_trips_through_quire_decoding() {
        // cp1252's own characters, Latin-1, and characters cp1252 cannot hold.
        let html = "<html><head><title>t</title></head><body><p>It’s “quoted” — 5 € … café \
                    Ω → ✓ 𝄞</p></body></html>";
        let bytes = encode(html, Enc::Windows1252, false);
        assert!(std::str::from_utf8(&bytes).is_err(), "really single-byte");
        assert!(
            bytes.contains(&0x92) && bytes.contains(&0x80),
            "’ and € as cp1252 bytes"
        );
        let as_text = String::from_utf8_lossy(&bytes);
        assert!(
            as_text.contains("&#937;") && as_text.contains("&#119070;"),
            "NCRs for the rest"
        );
        let decoded = quire::decode::decode(&bytes, Some("text/html; charset=windows-1252"))
            .expect("decodes");
        assert_eq!(visible_text(&decoded.text), visible_text(html));
    }

    #[test]
    fn utf8_round_trips_with_and_without_bom() {
        let html = "<p>It’s “quoted” — 5 € café Ω</p>";
        for bom in [false, true] {
            let bytes = encode(html, Enc::Utf8, bom);
            assert_eq!(bytes.starts_with(b"\xEF\xBB\xBF"), bom);
            let decoded = quire::decode::decode(&bytes, None).expect("decodes");
            assert_eq!(decoded.text, html);
        }
    }

    #[test]
    fn every_quote_style_keeps_attribute_values() {
        let html = r#"<html><head></head><body><a href="/x?a=1&amp;b=2" title='say "hi"' alt="it's" class="a b" data-x="">t</a></body></html>"#;
        let doc = quire::extract::dom::parse(html);
        let want: Vec<(String, String)> = doc
            .tree
            .root()
            .descendants()
            .filter_map(|n| {
                n.value().as_element().filter(|e| e.name() == "a").map(|e| {
                    e.attrs()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect::<Vec<_>>()
                })
            })
            .next()
            .expect("a");
        for quote in [Quote::Double, Quote::Single, Quote::Bare, Quote::Mixed] {
            for (tag_case, attr_case) in [(Case::Upper, Case::Upper), (Case::Mixed, Case::Mixed)] {
                let style = Style {
                    tag_case,
                    attr_case,
                    quote,
                    order: AttrOrder::Shuffled,
                    seed: 5,
                };
                let out = serialize(&doc, &style);
                assert_ne!(
                    out,
                    serialize(&doc, &Style::default()),
                    "{style:?} writes differently"
                );
                let back = quire::extract::dom::parse(&out);
                let mut got: Vec<(String, String)> = back
                    .tree
                    .root()
                    .descendants()
                    .filter_map(|n| {
                        n.value().as_element().filter(|e| e.name() == "a").map(|e| {
                            e.attrs()
                                .map(|(k, v)| (k.to_string(), v.to_string()))
                                .collect::<Vec<_>>()
                        })
                    })
                    .next()
                    .expect("a");
                let mut w = want.clone();
                w.sort();
                got.sort();
                assert_eq!(got, w, "{style:?}: {out}");
            }
        }
    }
}
