//! A flat, index-addressed copy of the parsed DOM with per-node statistics.
//!
//! Built with one iterative walk over the scraper tree (no recursion, so a page nested
//! 100,000 levels deep costs a `Vec`, not the stack), then annotated by a few linear
//! passes: boilerplate marking top-down, text/link lengths bottom-up. Owns nothing
//! but the arena; it decides no content and emits no strings.

use ego_tree::iter::Edge;
use scraper::node::Element;
use scraper::{Html, Node as DomNode};

/// An `<a>` wrapping blocks with less kept text than this is a teaser card.
const CARD_LINK_MAX: u32 = 300;

/// "No node".
pub const NONE: u32 = u32::MAX;

/// The element kinds the extractor distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Text,
    P,
    H(u8),
    Ul,
    Ol,
    Li,
    Dl,
    Dt,
    Dd,
    Blockquote,
    Pre,
    Table,
    Tr,
    Td,
    Caption,
    Figure,
    Figcaption,
    Img,
    Br,
    A,
    Div,
    Section,
    Article,
    Main,
    Body,
    Header,
    Footer,
    Nav,
    Aside,
    Form,
    Time,
    /// Inline phrasing element (span, em, strong, …).
    Inline,
    /// Never content (script, style, svg, inputs, …).
    Void,
    /// `<script type="application/ld+json">`.
    JsonLd,
    /// `<noscript>`: never content, unless it holds most of the page (see
    /// [`Tree::build`]); then it becomes a [`Tag::Div`].
    NoScript,
    Meta,
    Link,
    Title,
    Html,
    /// Any other (block-level) element.
    Other,
}

impl Tag {
    pub fn is_inline(self) -> bool {
        matches!(
            self,
            Tag::Text | Tag::Inline | Tag::A | Tag::Br | Tag::Img | Tag::Time
        )
    }
}

fn tag_of(name: &str, el: &Element) -> Tag {
    match name {
        "p" => Tag::P,
        "h1" => Tag::H(1),
        "h2" => Tag::H(2),
        "h3" => Tag::H(3),
        "h4" => Tag::H(4),
        "h5" => Tag::H(5),
        "h6" => Tag::H(6),
        "ul" | "menu" => Tag::Ul,
        "ol" => Tag::Ol,
        "li" => Tag::Li,
        "dl" => Tag::Dl,
        "dt" => Tag::Dt,
        "dd" => Tag::Dd,
        "blockquote" => Tag::Blockquote,
        "pre" | "listing" | "xmp" | "plaintext" => Tag::Pre,
        "table" => Tag::Table,
        "tr" => Tag::Tr,
        "td" | "th" => Tag::Td,
        "caption" => Tag::Caption,
        "figure" => Tag::Figure,
        "figcaption" => Tag::Figcaption,
        "img" => Tag::Img,
        "br" => Tag::Br,
        "a" => Tag::A,
        "div" | "center" => Tag::Div,
        "section" => Tag::Section,
        "article" => Tag::Article,
        "main" => Tag::Main,
        "body" => Tag::Body,
        "header" => Tag::Header,
        "footer" => Tag::Footer,
        "nav" => Tag::Nav,
        "aside" => Tag::Aside,
        "form" => Tag::Form,
        "time" => Tag::Time,
        "meta" => Tag::Meta,
        "link" => Tag::Link,
        "title" => Tag::Title,
        "html" => Tag::Html,
        "span" | "em" | "strong" | "b" | "i" | "u" | "s" | "small" | "sub" | "sup" | "code"
        | "mark" | "abbr" | "cite" | "q" | "font" | "label" | "big" | "tt" | "del" | "ins"
        | "kbd" | "var" | "samp" | "bdi" | "bdo" | "data" | "wbr" | "nobr" | "strike"
        | "acronym" | "dfn" | "picture" | "address" | "ruby" | "rb" | "rtc" | "blink" => {
            Tag::Inline
        }
        "script" => {
            let json = el
                .attrs()
                .any(|(k, v)| k == "type" && v.trim().eq_ignore_ascii_case("application/ld+json"));
            if json {
                Tag::JsonLd
            } else {
                Tag::Void
            }
        }
        "noscript" => Tag::NoScript,
        "style" | "template" | "svg" | "math" | "iframe" | "object" | "embed" | "canvas"
        | "button" | "input" | "select" | "textarea" | "option" | "head" | "dialog" | "audio"
        | "video" | "source" | "track" | "map" | "area" | "frameset" | "frame" | "noframes"
        | "applet" | "param" | "datalist" | "output" | "progress" | "meter" | "rt" | "rp" => {
            Tag::Void
        }
        _ => Tag::Other,
    }
}

/// Why a node was marked as boilerplate (on its junk root).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Why {
    /// Not boilerplate (or junk only through an ancestor).
    #[default]
    None,
    /// Never content: script, style, form controls, a rejected `<noscript>`.
    Never,
    /// `nav`, `aside`, `form`, `footer`.
    Tag,
    /// A short or link-dense `<header>`, or a site-header class name.
    Header,
    /// `hidden`, `aria-hidden`, `display:none`, a hidden class, a chrome role.
    Hidden,
    /// A class/id part that is boilerplate whatever its size (comments, share, …).
    Strong,
    /// A layout class/id part (sidebar, menu, ad, …) on a node without running text.
    Layout,
    /// A weak class/id part (meta, byline, widget, …) on a small or link-dense node.
    Weak,
    /// An author box.
    AuthorBox,
}

/// One node of the arena.
pub struct Node<'a> {
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    pub tag: Tag,
    pub el: Option<&'a Element>,
    /// Text of a text node ("" otherwise).
    pub text: &'a str,
    /// Removed as boilerplate (itself or an ancestor).
    pub junk: bool,
    /// This node itself is a boilerplate root (for diagnostics and exceptions).
    pub junk_root: bool,
    /// Why this node is a junk root ([`Why::None`] otherwise).
    pub why: Why,
    /// A class/id names it a teaser or link list; dropped at emission when link-dense.
    pub teaser: bool,
    /// Non-whitespace bytes of kept text below.
    pub text_len: u32,
    /// Non-whitespace bytes of kept text below that is inside links.
    pub link_len: u32,
    /// Kept `<a>` elements below (self included).
    pub links: u32,
    /// Commas in kept text below.
    pub commas: u32,
    /// Has a kept block-level element below.
    pub has_block: bool,
    /// Non-whitespace bytes of kept text in this node's own inline runs (text and
    /// inline children, not inside block children).
    pub inline_len: u32,
    /// Class-and-id weight (readability's ±25 hints).
    pub weight: i32,
    /// Visible text length before boilerplate removal.
    pub raw_len: u32,
}

/// The arena: node 0 is the document.
pub struct Tree<'a> {
    pub nodes: Vec<Node<'a>>,
    pub body: u32,
    pub html: u32,
}

fn ws_free_len(s: &str) -> u32 {
    // `u8::is_ascii_whitespace`, summed as bytes over short chunks so that it
    // vectorizes.
    let ws: usize = s
        .as_bytes()
        .chunks(255)
        .map(|chunk| {
            let n: u8 = chunk
                .iter()
                .map(|&b| u8::from(matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')))
                .sum();
            usize::from(n)
        })
        .sum();
    (s.len() - ws) as u32
}

fn count_commas(s: &str) -> u32 {
    let ascii = memchr::memchr_iter(b',', s.as_bytes()).count();
    let wide = if s.is_ascii() {
        0
    } else {
        s.chars().filter(|c| matches!(c, '，' | '、' | '،')).count()
    };
    (ascii + wide) as u32
}

impl<'a> Tree<'a> {
    /// Copy the scraper tree into the arena (iteratively) and annotate it.
    pub fn build(doc: &'a Html) -> Tree<'a> {
        let mut nodes: Vec<Node<'a>> = Vec::with_capacity(doc.tree.nodes().len());
        let mut last_child: Vec<u32> = Vec::with_capacity(nodes.capacity());
        let mut stack: Vec<u32> = Vec::new();
        let (mut body, mut html) = (NONE, NONE);
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(n) => {
                    let (tag, el, text) = match n.value() {
                        DomNode::Element(e) => (tag_of(e.name(), e), Some(e), ""),
                        DomNode::Text(t) => (Tag::Text, None, &**t),
                        DomNode::Document | DomNode::Fragment => (Tag::Other, None, ""),
                        _ => (Tag::Void, None, ""),
                    };
                    let idx = nodes.len() as u32;
                    let parent = stack.last().copied().unwrap_or(NONE);
                    if parent != NONE {
                        let p = parent as usize;
                        let lc = last_child[p];
                        if lc == NONE {
                            nodes[p].first_child = idx;
                        } else {
                            nodes[lc as usize].next_sibling = idx;
                        }
                        last_child[p] = idx;
                    }
                    if tag == Tag::Body && body == NONE {
                        body = idx;
                    }
                    if tag == Tag::Html && html == NONE {
                        html = idx;
                    }
                    // Never-content elements are out from the start, so that the size
                    // guards of the boilerplate rules measure visible text only.
                    let junk = (parent != NONE && nodes[parent as usize].junk)
                        || matches!(
                            tag,
                            Tag::Void | Tag::JsonLd | Tag::Meta | Tag::Link | Tag::Title
                        );
                    nodes.push(Node {
                        parent,
                        first_child: NONE,
                        next_sibling: NONE,
                        tag,
                        el,
                        text,
                        junk,
                        junk_root: false,
                        why: if junk { Why::Never } else { Why::None },
                        teaser: false,
                        text_len: 0,
                        link_len: 0,
                        links: 0,
                        commas: 0,
                        has_block: false,
                        inline_len: 0,
                        weight: 0,
                        raw_len: 0,
                    });
                    last_child.push(NONE);
                    stack.push(idx);
                }
                Edge::Close(_) => {
                    stack.pop();
                }
            }
        }
        if body == NONE {
            body = 0;
        }
        let mut t = Tree { nodes, body, html };
        t.stats(); // raw sizes, for the size guards of the boilerplate rules
        t.settle_noscript();
        for n in t.nodes.iter_mut() {
            if n.tag != Tag::Text {
                n.raw_len = n.text_len;
            }
        }
        t.mark_junk();
        t.stats();
        t
    }

    /// Decide each `<noscript>`: a server-rendered page inside it (what forum
    /// software serves to clients without JavaScript) holds more text than the rest of
    /// the page and is the content; anything else ("please enable JavaScript",
    /// tracking pixels, a duplicate of a lazy image) is not. The raw sizes are then
    /// measured again without the rejected ones.
    fn settle_noscript(&mut self) {
        let page = self.nodes.get(self.body as usize).map_or(0, |n| n.text_len);
        let mut changed = false;
        for i in 0..self.nodes.len() {
            if self.nodes[i].tag != Tag::NoScript || self.nodes[i].junk {
                continue;
            }
            let own = self.nodes[i].text_len;
            if own >= 200 && own as u64 * 2 > page as u64 {
                self.nodes[i].tag = Tag::Div;
            } else {
                self.nodes[i].junk = true;
                self.nodes[i].why = Why::Never;
                changed = true;
            }
        }
        if changed {
            // Junk spreads to descendants (they follow their ancestor in the arena).
            for i in 0..self.nodes.len() {
                let p = self.nodes[i].parent;
                if p != NONE && self.nodes[p as usize].junk {
                    self.nodes[i].junk = true;
                }
            }
            self.stats();
        }
    }

    /// Bottom-up statistics over kept (non-junk) nodes. Nodes are in document order,
    /// so a reverse scan sees every child before its parent.
    fn stats(&mut self) {
        for n in self.nodes.iter_mut() {
            n.text_len = 0;
            n.link_len = 0;
            n.links = 0;
            n.commas = 0;
            n.has_block = false;
            n.inline_len = 0;
        }
        for i in (0..self.nodes.len()).rev() {
            let (tag, junk, parent) = {
                let n = &self.nodes[i];
                (n.tag, n.junk, n.parent)
            };
            if junk {
                continue;
            }
            if tag == Tag::Text {
                let n = &mut self.nodes[i];
                // Computed once on the first pass, kept in raw_len/weight afterwards.
                if n.raw_len == 0 && n.weight == 0 {
                    n.raw_len = ws_free_len(n.text);
                    n.weight = count_commas(n.text) as i32;
                }
                n.text_len = n.raw_len;
                n.commas = n.weight as u32;
                n.inline_len = n.text_len;
            } else if tag == Tag::A
                && (!self.nodes[i].has_block || self.nodes[i].text_len < CARD_LINK_MAX)
            {
                // An <a> wrapping blocks is a container when it is long (an unclosed
                // link that swallowed the page); a short one is a teaser card, and its
                // headline and blurb are link text.
                let n = &mut self.nodes[i];
                n.link_len = n.text_len;
                n.links += 1;
            }
            if parent == NONE {
                continue;
            }
            let (tl, ll, lk, cm, hb, il) = {
                let n = &self.nodes[i];
                (
                    n.text_len,
                    n.link_len,
                    n.links,
                    n.commas,
                    n.has_block,
                    n.inline_len,
                )
            };
            let p = &mut self.nodes[parent as usize];
            p.text_len += tl;
            p.link_len += ll;
            p.links += lk;
            p.commas += cm;
            if tag.is_inline() {
                p.inline_len += il;
                p.has_block |= hb;
            } else if !matches!(tag, Tag::Void | Tag::JsonLd | Tag::Meta | Tag::Link) {
                p.has_block = true;
            }
        }
    }

    /// Top-down boilerplate marking.
    fn mark_junk(&mut self) {
        // Pages repeat their class names ("menu-item" a hundred times): each distinct
        // name is classified once.
        let mut names: FnvMap<&'a str, Name> = FnvMap::default();
        let body_len = self
            .nodes
            .get(self.body as usize)
            .map_or(0, |n| n.text_len)
            .max(1);
        for i in 0..self.nodes.len() {
            let parent = self.nodes[i].parent;
            if self.nodes[i].junk || (parent != NONE && self.nodes[parent as usize].junk) {
                self.nodes[i].junk = true;
                continue;
            }
            let Some(el) = self.nodes[i].el else {
                continue;
            };
            if self.nodes[i].tag == Tag::Text {
                continue;
            }
            let tag = self.nodes[i].tag;
            let n = &self.nodes[i];
            let big = n.text_len as u64 * 2 > body_len as u64;
            let small =
                n.text_len < 300 || (n.text_len > 0 && n.link_len as u64 * 2 > n.text_len as u64);
            let substantial =
                n.text_len >= 500 && (n.link_len as u64 * 10) < (n.text_len as u64 * 3);
            // An article's own header (headline, standfirst) sits inside the article
            // and is mostly running text, not links.
            let article_header = tag == Tag::Header
                && n.text_len >= 40
                && n.link_len as u64 * 5 < n.text_len as u64
                && (n.text_len >= 100 || self.within_article(i));
            let sizes = Sizes {
                big,
                small: small && !article_header,
                substantial,
            };
            let (why, weight, teaser) = judge(tag, el, sizes, &mut names);
            let n = &mut self.nodes[i];
            n.weight = weight;
            n.teaser = teaser;
            if why != Why::None {
                n.junk = true;
                n.junk_root = true;
                n.why = why;
            }
        }
    }

    /// Is an `<article>` or `<main>` among the nearest 64 ancestors of node `i`?
    fn within_article(&self, i: usize) -> bool {
        let mut p = self.nodes[i].parent;
        for _ in 0..64 {
            if p == NONE {
                return false;
            }
            let n = &self.nodes[p as usize];
            if matches!(n.tag, Tag::Article | Tag::Main) {
                return true;
            }
            p = n.parent;
        }
        false
    }

    /// Link density of a node: share of its text inside links.
    pub fn link_density(&self, i: u32) -> f32 {
        let n = &self.nodes[i as usize];
        if n.text_len == 0 {
            0.0
        } else {
            n.link_len as f32 / n.text_len as f32
        }
    }

    /// Attribute value of an element node.
    pub fn attr(&self, i: u32, name: &str) -> Option<&'a str> {
        let el = self.nodes.get(i as usize)?.el?;
        el.attrs().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    /// Raw text below node `i` (kept or not), appended to `out`. Iterative.
    pub fn raw_text(&self, i: u32, out: &mut String) {
        self.walk(i, false, |n| {
            if n.tag == Tag::Text {
                out.push_str(n.text);
            }
            true
        });
    }

    /// Preorder walk below and including `root`; `f` returns whether to descend.
    /// With `skip_junk`, junk subtrees are not visited at all.
    pub fn walk<F: FnMut(&Node<'a>) -> bool>(&self, root: u32, skip_junk: bool, mut f: F) {
        let mut cur = root;
        loop {
            let n = &self.nodes[cur as usize];
            let descend = !(skip_junk && n.junk) && f(n);
            if descend && n.first_child != NONE {
                cur = n.first_child;
                continue;
            }
            loop {
                if cur == root {
                    return;
                }
                let n = &self.nodes[cur as usize];
                if n.next_sibling != NONE {
                    cur = n.next_sibling;
                    break;
                }
                cur = n.parent;
                if cur == NONE {
                    return;
                }
            }
        }
    }

    /// Is `a` an ancestor of (or equal to) `b`?
    pub fn contains(&self, a: u32, mut b: u32) -> bool {
        while b != NONE {
            if a == b {
                return true;
            }
            b = self.nodes[b as usize].parent;
        }
        false
    }
}

/// Class/id name parts that mark boilerplate whatever its size.
const STRONG: &[&str] = &[
    "comment",
    "comments",
    "commentlist",
    "disqus",
    "respond",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "share",
    "sharing",
    "shares",
    "social",
    "socials",
    "sharedaddy",
    "shariff",
    "addthis",
    "newsletter",
    "subscribe",
    "subscription",
    "related",
    "breadcrumb",
    "breadcrumbs",
    "popup",
    "modal",
    "outbrain",
    "taboola",
    "paywall",
    "signup",
    "login",
    "pagination",
    "pager",
    "skip",
    "skiplink",
    "tagcloud",
    "tags",
    "overlay",
];

/// Class/id name parts of page furniture: boilerplate unless the element holds
/// substantial running text (layout wrappers are often named after their sidebar).
const LAYOUT: &[&str] = &[
    "sidebar",
    "footer",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "subnav",
    "topbar",
    "masthead",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "adsense",
    "adslot",
    "adunit",
    "sponsor",
    "sponsored",
    "promo",
    "promotion",
    "recommended",
    "recommend",
    "trending",
    "popular",
    "reactions",
];

/// Class/id name parts that mark boilerplate when the element is small or link-dense.
const WEAK: &[&str] = &[
    "widget",
    "widgets",
    "meta",
    "postmeta",
    "byline",
    "author",
    "date",
    "dateline",
    "timestamp",
    "published",
    "more",
    "readmore",
    "next",
    "prev",
    "previous",
    "nextprev",
    "toolbar",
    "tools",
    "rating",
    "ratings",
    "banner",
    "categories",
    "category",
    "follow",
    "donate",
    "cta",
    "rss",
    "feedback",
    "tooltip",
    "bio",
    "profile",
    "avatar",
    "reply",
    "replies",
    "credits",
    "copyright",
    "legal",
    "imprint",
    "impressum",
    "carousel",
    "slider",
    "jump",
    "toc",
    "alert",
    "notice",
    "notification",
    "like",
    "likes",
    "vote",
    "votes",
    "logo",
    "search",
    "sitemap",
    "crumbs",
    "newsticker",
    "shoutbox",
    "infobox",
    "print",
];

/// Class/id name parts of teasers for other pages: boilerplate when link-dense. Many
/// sites also call the article's own standfirst a teaser, which is not link-dense.
const TEASER: &[&str] = &[
    "teaser",
    "teasers",
    "linklist",
    "crosslink",
    "crosslinks",
    "seealso",
    "readalso",
    "morelinks",
    "storylist",
    "headlines",
];

/// Class/id name parts that mark content.
const POSITIVE: &[&str] = &[
    "article",
    "articlebody",
    "body",
    "content",
    "entry",
    "hentry",
    "main",
    "page",
    "post",
    "text",
    "blog",
    "story",
    "prose",
    "richtext",
    "copy",
    "maincontent",
    "postbody",
    "entrycontent",
    "single",
    "td-post-content",
    "field",
];

/// Class/id name parts of a recipe's structure: content whatever else the name says.
const RECIPE_PARTS: &[&str] = &[
    "recipe",
    "ingredients",
    "ingredient",
    "instructions",
    "directions",
    "preparation",
    "zutaten",
    "zubereitung",
    "ingredienti",
    "ingredientes",
];

/// Whole class/id names of invisible or screen-reader-only elements.
const HIDDEN_WHOLE: &[&str] = &[
    "hidden",
    "hide",
    "d-none",
    "invisible",
    "visuallyhidden",
    "visually-hidden",
    "sr-only",
    "screen-reader-text",
    "screen-reader-only",
    "offscreen",
    "is-hidden",
    "u-hidden",
    "print-only",
    "skip-link",
];

/// Whole class/id names of a site header.
const HEADER_WHOLE: &[&str] = &[
    "header",
    "site-header",
    "page-header",
    "header-wrapper",
    "header-container",
    "header-inner",
    "top-header",
    "main-header",
    "global-header",
    "header-outer",
    "headerwrapper",
    "site-header-wrapper",
    "header-top",
    "header-bottom",
    "header-main",
];

/// Whole class/id names that look negative by their parts but are content.
const POSITIVE_WHOLE: &[&str] = &[
    "article-body",
    "articlebody",
    "post-body",
    "entry-content",
    "post-content",
    "article-content",
    "story-body",
    "content-body",
    "main-content",
    "page-content",
];

/// Which vocabulary a class-name part belongs to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Hint {
    Strong,
    Layout,
    Weak,
    Positive,
}

/// Size guards measured on an element before it is judged by its class names.
#[derive(Clone, Copy)]
struct Sizes {
    /// Holds more than half of the page's text.
    big: bool,
    /// Under 300 bytes, or link-dense (and not an article header).
    small: bool,
    /// At least 500 bytes of running text with a link density under 0.3.
    substantial: bool,
}

/// FNV-1a: the hint table is looked up for every class-name part of every element,
/// and its keys are short, trusted constants.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

static HINTS: std::sync::LazyLock<FnvMap<&'static str, Hint>> = std::sync::LazyLock::new(|| {
    let mut m = FnvMap::default();
    // Insert the weakest first so that a part in two lists gets the stronger hint.
    for (list, hint) in [
        (POSITIVE, Hint::Positive),
        (WEAK, Hint::Weak),
        (LAYOUT, Hint::Layout),
        (STRONG, Hint::Strong),
    ] {
        for w in list {
            m.insert(*w, hint);
        }
    }
    m
});

/// The strongest hint among the parts of a lowercased class name.
fn hint_of(lower: &str) -> Option<Hint> {
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .filter_map(|p| HINTS.get(p).copied())
        .min()
}

/// Does a part of a lowercased class name name a teaser or link list? A compound
/// ending in "teaser" ("newsteaser", "artikelteaser") does. This does not weigh the
/// node for scoring: it only lets the emitter drop the box when it is link-dense.
fn teaser_of(lower: &str) -> bool {
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|p| TEASER.contains(&p) || p.ends_with("teaser") || p.ends_with("teasers"))
}

/// Does a lowercased class/id name an author box ("author-box", "about-author",
/// "entry-author-info", "authorbio")?
fn author_box(lower: &str) -> bool {
    let stem = lower.split("--").next().unwrap_or(lower);
    let mut author = false;
    let mut boxy = false;
    for p in stem.split(|c: char| !c.is_ascii_alphanumeric()) {
        match p {
            "author" | "authors" | "autor" | "autore" | "auteur" | "autorin" => author = true,
            "box" | "bio" | "info" | "description" | "desc" | "profile" | "card" | "about"
            | "details" | "biography" => boxy = true,
            "authorbox" | "authorbio" | "authorinfo" | "aboutauthor" | "abouttheauthor"
            | "authorprofile" => return true,
            _ => {}
        }
    }
    author && boxy
}

/// Decide whether an element is boilerplate (and why) and its class/id weight.
fn judge<'a>(
    tag: Tag,
    el: &'a Element,
    sizes: Sizes,
    names: &mut FnvMap<&'a str, Name>,
) -> (Why, i32, bool) {
    let Sizes {
        big,
        small,
        substantial,
    } = sizes;
    let mut class = "";
    let mut id = "";
    let mut junk = false;
    for (k, v) in el.attrs() {
        match k {
            "class" => class = v,
            "id" => id = v,
            "hidden" => junk = true,
            "aria-hidden" if v.trim().eq_ignore_ascii_case("true") => junk = true,
            "style" => {
                let s: String = v
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if s.contains("display:none") || s.contains("visibility:hidden") {
                    junk = true;
                }
            }
            "role" => {
                let r = v.trim();
                if [
                    "navigation",
                    "contentinfo",
                    "banner",
                    "dialog",
                    "search",
                    "menu",
                    "menubar",
                    "alertdialog",
                    "complementary",
                ]
                .iter()
                .any(|x| r.eq_ignore_ascii_case(x))
                    && !big
                {
                    junk = true;
                }
            }
            "type" if tag == Tag::Inline || tag == Tag::Other => {}
            _ => {}
        }
    }
    let mut why = if junk { Why::Hidden } else { Why::None };
    match tag {
        Tag::Void | Tag::NoScript | Tag::JsonLd | Tag::Meta | Tag::Link | Tag::Title => {
            return (Why::Never, 0, false)
        }
        Tag::Nav | Tag::Aside | Tag::Form | Tag::Footer if !big && why == Why::None => {
            why = Why::Tag
        }
        // A site header is short or link-dense; an article header (headline, standfirst)
        // is neither.
        Tag::Header if small && why == Why::None => why = Why::Header,
        _ => {}
    }
    // The reason a class name gives, strongest first.
    let mut named = Why::None;
    let mut name_why = |w: Why| {
        let rank = |w: Why| match w {
            Why::Hidden => 0,
            Why::Strong => 1,
            Why::AuthorBox => 2,
            Why::Header => 3,
            Why::Layout => 4,
            Why::Weak => 5,
            _ => 9,
        };
        if rank(w) < rank(named) {
            named = w;
        }
    };
    let mut weight = 0;
    let mut negative = false;
    let mut positive = false;
    let mut weak = false;
    let mut teaser = false;
    // Ids of headings, and slug-like ids, are anchors made from the text.
    let id = if matches!(tag, Tag::H(_)) || id.split(['-', '_']).count() >= 4 {
        ""
    } else {
        id
    };
    for name in class
        .split_ascii_whitespace()
        .chain(id.split_ascii_whitespace())
    {
        let name = *names.entry(name).or_insert_with(|| classify(name));
        teaser |= name.teaser;
        match name.kind {
            Kind::HeaderWhole => {
                if !substantial {
                    negative = true;
                    name_why(Why::Header);
                }
                weight -= 25;
            }
            Kind::HiddenWhole => {
                negative = true;
                name_why(Why::Hidden);
            }
            Kind::PositiveWhole => {
                weight += 25;
                positive = true;
            }
            Kind::AuthorBox => {
                negative = true;
                name_why(Why::AuthorBox);
                weight -= 25;
            }
            Kind::Recipe => positive = true,
            Kind::Modifier | Kind::Part(None) => {}
            Kind::Part(Some(Hint::Strong)) => {
                negative = true;
                name_why(Why::Strong);
                weight -= 25;
            }
            Kind::Part(Some(Hint::Layout)) => {
                if !substantial {
                    negative = true;
                    name_why(Why::Layout);
                }
                weight -= 25;
            }
            Kind::Part(Some(Hint::Weak)) => {
                if small {
                    weak = true;
                    name_why(Why::Weak);
                }
                weight -= 25;
            }
            Kind::Part(Some(Hint::Positive)) => {
                weight += 25;
                positive = true;
            }
        }
    }
    // A class list naming the node as content ("box article") outweighs a modifier.
    if positive && !small {
        negative = false;
    }
    negative |= weak && !positive;
    let protected = matches!(tag, Tag::Body | Tag::Html | Tag::Main | Tag::Article) || big;
    let junk_by_name = (negative && !protected && !matches!(tag, Tag::Inline | Tag::A | Tag::Time))
        // Inline share buttons and screen-reader-only labels.
        || (negative && matches!(tag, Tag::Inline) && !big);
    if why == Why::None && junk_by_name {
        why = if named == Why::None { Why::Weak } else { named };
    }
    (why, weight.clamp(-50, 50), teaser)
}

/// What one class or id name says, whatever element it is on.
#[derive(Clone, Copy)]
struct Name {
    kind: Kind,
    /// A part of it names a teaser or link list (see [`teaser_of`]).
    teaser: bool,
}

#[derive(Clone, Copy)]
enum Kind {
    /// A whole name of a site header.
    HeaderWhole,
    /// A whole name of an invisible element.
    HiddenWhole,
    /// A whole name of an article body.
    PositiveWhole,
    /// An author box (bio, avatar, "about the author"): not the article, however long
    /// the bio.
    AuthorBox,
    /// A layout modifier: says nothing about the node itself.
    Modifier,
    /// Recipe structure (ingredients, steps, times): the content of a recipe page,
    /// even in a name that also says "meta" or "header". It protects the element
    /// without making a small box the best candidate.
    Recipe,
    /// The strongest hint among its parts.
    Part(Option<Hint>),
}

/// Classify one class or id name (any case).
fn classify(name: &str) -> Name {
    let plain = |kind| Name {
        kind,
        teaser: false,
    };
    let lower = name.to_ascii_lowercase();
    if HEADER_WHOLE.iter().any(|p| lower == *p) {
        return plain(Kind::HeaderWhole);
    }
    if HIDDEN_WHOLE.iter().any(|p| lower == *p) {
        return plain(Kind::HiddenWhole);
    }
    if POSITIVE_WHOLE.iter().any(|p| lower == *p) {
        return plain(Kind::PositiveWhole);
    }
    // Checked before the `author-` modifier rule below.
    if author_box(&lower) {
        return plain(Kind::AuthorBox);
    }
    // Layout modifiers ("has-sidebar", "no-comments", "modal-enabled") say nothing
    // about the node itself.
    if [
        "has-",
        "with-",
        "no-",
        "is-",
        "js-",
        "hide-",
        "show-",
        "l-",
        "u-",
        "not-",
        "non-",
        "category-",
        "tag-",
        "format-",
        "status-",
        "type-",
        "postid-",
        "author-",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        || [
            "-enabled",
            "-active",
            "-open",
            "-relative",
            "-disabled",
            "-visible",
            "-closed",
        ]
        .iter()
        .any(|p| lower.ends_with(p))
    {
        return plain(Kind::Modifier);
    }
    // BEM modifiers ("o-section--has-ads") qualify, they do not name.
    let lower = match lower.find("--") {
        Some(p) if p > 0 => &lower[..p],
        _ => &lower,
    };
    let teaser = teaser_of(lower);
    let kind = if lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|p| RECIPE_PARTS.contains(&p))
    {
        Kind::Recipe
    } else {
        Kind::Part(hint_of(lower))
    };
    Name { kind, teaser }
}
