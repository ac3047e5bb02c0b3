//! Features of each unit of text for the block classifier ([`super::classify`]).
//!
//! A unit is one run of text as the emitter delivers it (a paragraph, heading, list
//! item, cell, quote paragraph, caption or `<pre>`; [`super::content::Unit`]). Its
//! features describe the text itself, the element it came from and that element's
//! ancestors (tags, class-name hints, boilerplate marks, repetition among siblings),
//! its place in the page, its neighbours, and the page as a whole. Everything is
//! computed in a few linear passes over the arena; ancestor walks are bounded.
//!
//! Owns: the feature vector and its order ([`NAMES`], which the model file must
//! match). Must not: decide anything; the model does.

use super::content::Unit;
use super::tree::{Tag, Tree, Why, NONE};

/// Feature names, in vector order. The model file lists them too, and loading refuses
/// a model whose names differ.
pub const NAMES: &[&str] = &[
    // The text.
    "len_log",
    "words_log",
    "avg_word_len",
    "end_punct",
    "starts_upper",
    "digit_ratio",
    "upper_ratio",
    "sentences",
    "commas_per_100",
    "has_date",
    "has_currency",
    "copyright",
    "title_overlap",
    "pipe_or_bullet",
    // The element.
    "ld",
    "links_log",
    "tag_p",
    "tag_li",
    "tag_td",
    "tag_h",
    "h_level",
    "tag_pre",
    "tag_quote",
    "tag_caption",
    "tag_dt_dd",
    "tag_div",
    "tag_a_only",
    // Ancestors.
    "in_article",
    "in_main",
    "in_header",
    "in_footer",
    "in_nav",
    "in_aside",
    "in_form",
    "in_li",
    "in_table",
    "in_heading",
    "in_figure",
    "depth",
    "junk",
    "why_tag",
    "why_header",
    "why_hidden",
    "why_strong",
    "why_layout",
    "why_weak",
    "why_author",
    "weight_sum",
    "weight_min",
    "weight_max",
    "teaser",
    "in_roots",
    "rule_kept",
    "in_semantic",
    "link_farm",
    "parent_ld",
    "parent_len_log",
    "gparent_ld",
    "gparent_len_log",
    "block_ld",
    "block_len_log",
    "block_units_log",
    "rep_self",
    "rep_max",
    "rep_level",
    "rep_text_log",
    "grp_share",
    "grp_rank",
    "grp_count_log",
    "grp_item_share",
    // Place in the page.
    "rel_pos",
    "text_before",
    "roots_side",
    "units_from_roots_log",
    "prev_ld",
    "prev_len_log",
    "prev_in_roots",
    "next_ld",
    "next_len_log",
    "next_in_roots",
    "next_is_heading",
    "same_parent_prev",
    "same_parent_next",
    // The page.
    "page_len_log",
    "page_ld",
    "page_units_log",
    "declared_article",
    "declared_listing",
    "ld_product",
    "ld_forum",
    "roots_share",
    "roots_count",
    "articles_log",
    "h1_count",
    "good_share",
    // Learned vocabularies (the block model's lexicon): the unit's words and the
    // class/id name parts of its element and ancestors.
    "lex_text_mean",
    "lex_text_min",
    "lex_text_max",
    "lex_text_cover",
    "lex_class_sum",
    "lex_class_min",
    "lex_class_max",
    // The page-type model's probabilities (filled in by the caller).
    "pt_article",
    "pt_collection",
    "pt_documentation",
    "pt_forum",
    "pt_listing",
    "pt_product",
    "pt_service",
];

/// The page types the page-type model tells apart, in the order of its classes and
/// of the `pt_*` features.
pub const PAGE_TYPES: &[&str] = &[
    "article",
    "collection",
    "documentation",
    "forum",
    "listing",
    "product",
    "service",
];

/// Index of the first `pt_*` feature.
pub const PT_FIRST: usize = N - PAGE_TYPES.len();

/// Number of features.
pub const N: usize = NAMES.len();

/// Index of a feature by name (at compile time).
const fn index_of(name: &str) -> usize {
    let mut i = 0;
    while i < NAMES.len() {
        let (a, b) = (NAMES[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut k = 0;
            while k < a.len() && a[k] == b[k] {
                k += 1;
            }
            if k == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("no such feature")
}

/// Index of the page-type model's forum probability.
pub const PT_FORUM: usize = index_of("pt_forum");

/// Indexes of the page-type model's listing and collection probabilities among a
/// unit's features (an index page's entries are links).
pub const PT_LISTING: usize = index_of("pt_listing");
pub const PT_COLLECTION: usize = index_of("pt_collection");

/// Index of the `rule_kept` feature (the model's second threshold applies to it).
pub const RULE_KEPT: usize = index_of("rule_kept");

/// The features that say the rule-based boilerplate marks drop a unit by tag, by a
/// strong class name or as an author box (the model's third threshold applies).
pub const RULE_DROPPED: [usize; 4] = [
    index_of("why_strong"),
    index_of("why_tag"),
    index_of("why_header"),
    index_of("why_author"),
];

/// Word and class-name weights learned with the block model (log-odds of content;
/// only tokens seen on many sites are kept, so they are vocabulary, not site names).
/// Keyed by [`token_hash`] of the lowercase token.
#[derive(Debug, Default)]
pub struct Lexicon {
    pub text: FnvMap<u64, f32>,
    pub class: FnvMap<u64, f32>,
}

/// FNV-1a, for token hashes and class-name caches: keys are short.
#[derive(Default)]
pub struct Fnv(u64);

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
    fn write_u64(&mut self, v: u64) {
        // Token hashes are already well mixed.
        self.0 = v;
    }
}

/// A hash map with the [`Fnv`] hasher.
pub type FnvMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// The hash of a token as the lexicon stores it: FNV-1a of its UTF-8 bytes.
pub fn token_hash(token: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in token.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Words of a unit read for the lexicon: the first 64.
const MAX_WORDS: usize = 64;
/// Class/id name parts read per element.
const MAX_CLASS_PARTS: usize = 32;
/// Ancestors (and the element itself) whose class names a unit's lexicon reads.
const CLASS_LEVELS: usize = 9;

/// Hashes of the distinct lowercase words among the first [`MAX_WORDS`] words of `s`
/// (words: alphanumeric runs of at most 30 bytes), sorted. No allocation per word.
fn word_hashes(s: &str, out: &mut Vec<u64>) {
    out.clear();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut len = 0usize;
    let mut words = 0usize;
    let mut buf = [0u8; 4];
    let finish = |h: &mut u64, len: &mut usize, out: &mut Vec<u64>| {
        if *len > 0 && *len <= 30 {
            out.push(*h);
        }
        *h = 0xcbf2_9ce4_8422_2325;
        *len = 0;
    };
    for c in s.chars() {
        if c.is_alphanumeric() {
            for lc in c.to_lowercase() {
                for b in lc.encode_utf8(&mut buf).bytes() {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(0x0100_0000_01b3);
                    len += 1;
                }
            }
        } else if len > 0 {
            finish(&mut h, &mut len, out);
            words += 1;
            if words >= MAX_WORDS {
                break;
            }
        }
    }
    if words < MAX_WORDS {
        finish(&mut h, &mut len, out);
    }
    out.sort_unstable();
    out.dedup();
}

/// The tokens [`word_hashes`] hashes, as strings (for the trainer's export).
pub fn text_tokens(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .map(str::to_lowercase)
        .filter(|w| w.len() <= 30)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The class and id name parts of one element: lowercase ASCII alphanumeric runs of
/// 2 to 30 characters, not all digits, the first [`MAX_CLASS_PARTS`], deduplicated.
fn element_class_tokens(el: &scraper::node::Element) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for (k, val) in el.attrs() {
        if k != "class" && k != "id" {
            continue;
        }
        for part in head(val, 400).split(|c: char| !c.is_ascii_alphanumeric()) {
            if v.len() >= MAX_CLASS_PARTS {
                break;
            }
            if (2..=30).contains(&part.len()) && !part.bytes().all(|b| b.is_ascii_digit()) {
                v.push(part.to_ascii_lowercase());
            }
        }
    }
    v.sort();
    v.dedup();
    v
}

/// The class-name tokens a unit of node `i` reads: each of the element and its
/// nearest ancestors contributes its own [`element_class_tokens`] (a token on two
/// levels counts twice). For the trainer's export.
pub fn class_tokens(t: &Tree<'_>, i: u32) -> Vec<String> {
    let mut v = Vec::new();
    let mut cur = i;
    for _ in 0..CLASS_LEVELS {
        if cur == NONE {
            break;
        }
        if let Some(el) = t.nodes[cur as usize].el {
            v.extend(element_class_tokens(el));
        }
        cur = t.nodes[cur as usize].parent;
    }
    v
}

/// (sum, min, max, found) of lexicon weights.
#[derive(Clone, Copy)]
struct LexAcc {
    sum: f32,
    min: f32,
    max: f32,
    found: u32,
}

impl LexAcc {
    const EMPTY: LexAcc = LexAcc {
        sum: 0.0,
        min: f32::MAX,
        max: f32::MIN,
        found: 0,
    };
    fn add(&mut self, w: f32) {
        self.sum += w;
        self.min = self.min.min(w);
        self.max = self.max.max(w);
        self.found += 1;
    }
    fn merge(&mut self, o: &LexAcc) {
        self.sum += o.sum;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.found += o.found;
    }
}

/// The lexicon totals of each element's own class tokens, computed once per distinct
/// (class, id) pair.
fn class_lex(t: &Tree<'_>, table: &FnvMap<u64, f32>) -> Vec<LexAcc> {
    let mut cache: FnvMap<(&str, &str), LexAcc> = FnvMap::default();
    let mut out = vec![LexAcc::EMPTY; t.nodes.len()];
    for (i, n) in t.nodes.iter().enumerate() {
        let Some(el) = n.el else { continue };
        let key = (
            t.attr(i as u32, "class").unwrap_or(""),
            t.attr(i as u32, "id").unwrap_or(""),
        );
        if key == ("", "") {
            continue;
        }
        out[i] = *cache.entry(key).or_insert_with(|| {
            let mut acc = LexAcc::EMPTY;
            for tok in element_class_tokens(el) {
                if let Some(&w) = table.get(&token_hash(&tok)) {
                    acc.add(w);
                }
            }
            acc
        });
    }
    out
}

/// Page-level facts the caller knows (from metadata and the heuristic choice).
pub struct PageFacts<'r> {
    pub declared_article: bool,
    pub declared_listing: bool,
    /// The heuristic's chosen content roots.
    pub roots: &'r [u32],
    /// The page's title (for the overlap feature).
    pub title: Option<&'r str>,
}

const ANC_LIMIT: usize = 64;

/// Bits of ancestor tags.
const A_ARTICLE: u16 = 1;
const A_MAIN: u16 = 2;
const A_HEADER: u16 = 4;
const A_FOOTER: u16 = 8;
const A_NAV: u16 = 16;
const A_ASIDE: u16 = 32;
const A_FORM: u16 = 64;
const A_LI: u16 = 128;
const A_TABLE: u16 = 256;
const A_HEADING: u16 = 512;
const A_FIGURE: u16 = 1024;
const A_ROOTS: u16 = 2048;
const A_SEM: u16 = 4096;
const A_TEASER: u16 = 8192;

fn tag_bit(tag: Tag) -> u16 {
    match tag {
        Tag::Article => A_ARTICLE,
        Tag::Main => A_MAIN,
        Tag::Header => A_HEADER,
        Tag::Footer => A_FOOTER,
        Tag::Nav => A_NAV,
        Tag::Aside => A_ASIDE,
        Tag::Form => A_FORM,
        Tag::Li | Tag::Dd | Tag::Dt => A_LI,
        Tag::Table | Tag::Tr | Tag::Td => A_TABLE,
        Tag::H(_) => A_HEADING,
        Tag::Figure | Tag::Figcaption => A_FIGURE,
        _ => 0,
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
fn head(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn ln1(x: f64) -> f32 {
    (x.max(0.0) + 1.0).ln() as f32
}

/// Per-node facts computed top-down once per page.
pub struct NodeFacts {
    /// The node is one of the chosen roots.
    root_mark: Vec<bool>,
    bits: Vec<u16>,
    depth: Vec<u16>,
    /// The reason of the nearest junk root at or above the node.
    why: Vec<Why>,
    wsum: Vec<i32>,
    wmin: Vec<i32>,
    wmax: Vec<i32>,
    /// Siblings (same parent) sharing this element's tag and class, itself included.
    rep: Vec<u32>,
    /// The repeated group (three or more such siblings) a node is a member of.
    group: Vec<u32>,
    /// Per group: (text of all members, members, rank by text among the page's groups).
    groups: Vec<(u64, u32, u32)>,
}

fn node_facts(t: &Tree<'_>, roots: &[u32], semantic: Option<u32>) -> NodeFacts {
    let n = t.nodes.len();
    let mut f = NodeFacts {
        root_mark: vec![false; n],
        bits: vec![0; n],
        depth: vec![0; n],
        why: vec![Why::None; n],
        wsum: vec![0; n],
        wmin: vec![0; n],
        wmax: vec![0; n],
        rep: vec![1; n],
        group: vec![NONE; n],
        groups: Vec::new(),
    };
    for &r in roots {
        if let Some(m) = f.root_mark.get_mut(r as usize) {
            *m = true;
        }
    }
    for i in 0..n {
        let node = &t.nodes[i];
        let p = node.parent;
        let (mut bits, depth, why, ws, wmin, wmax) = if p == NONE {
            (0, 0, Why::None, 0, 0, 0)
        } else {
            let p = p as usize;
            (
                f.bits[p],
                f.depth[p].saturating_add(1),
                f.why[p],
                f.wsum[p],
                f.wmin[p],
                f.wmax[p],
            )
        };
        bits |= tag_bit(node.tag);
        if f.root_mark[i] {
            bits |= A_ROOTS;
        }
        if semantic == Some(i as u32) {
            bits |= A_SEM;
        }
        if node.teaser {
            bits |= A_TEASER;
        }
        f.bits[i] = bits;
        f.depth[i] = depth;
        f.why[i] = if node.junk_root { node.why } else { why };
        f.wsum[i] = ws.saturating_add(node.weight);
        f.wmin[i] = wmin.min(node.weight);
        f.wmax[i] = wmax.max(node.weight);
    }
    // Repetition among siblings: the same tag and class attribute.
    let mut sigs: Vec<(u64, u32)> = Vec::new();
    for p in 0..n {
        let first = t.nodes[p].first_child;
        if first == NONE {
            continue;
        }
        sigs.clear();
        let mut c = first;
        while c != NONE {
            let cn = &t.nodes[c as usize];
            if cn.el.is_some() && !cn.tag.is_inline() {
                sigs.push((signature(t, c), c));
            }
            c = cn.next_sibling;
        }
        if sigs.len() < 2 {
            continue;
        }
        sigs.sort_unstable();
        let mut a = 0;
        while a < sigs.len() {
            let mut b = a + 1;
            while b < sigs.len() && sigs[b].0 == sigs[a].0 {
                b += 1;
            }
            let count = (b - a) as u32;
            let gid = f.groups.len() as u32;
            let mut text = 0u64;
            for &(_, c) in &sigs[a..b] {
                f.rep[c as usize] = count;
                if count >= 3 {
                    f.group[c as usize] = gid;
                    text += u64::from(t.nodes[c as usize].raw_len);
                }
            }
            if count >= 3 {
                f.groups.push((text, count, 0));
            }
            a = b;
        }
    }
    let mut order: Vec<usize> = (0..f.groups.len()).collect();
    order.sort_by_key(|&g| std::cmp::Reverse(f.groups[g].0));
    for (rank, g) in order.into_iter().enumerate() {
        f.groups[g].2 = rank as u32 + 1;
    }
    f
}

/// Would the rule-based emitter keep text of node `i`? It must lie below one of the
/// chosen roots with no boilerplate or link-farm element between (the root itself is
/// never judged a link farm).
pub fn rule_kept(t: &Tree<'_>, i: u32, f: &NodeFacts) -> bool {
    if f.bits[i as usize] & A_ROOTS == 0 {
        return false;
    }
    let mut cur = i;
    for _ in 0..ANC_LIMIT * 4 {
        if cur == NONE {
            return false;
        }
        let n = &t.nodes[cur as usize];
        if n.junk {
            return false;
        }
        if f.root_mark[cur as usize] {
            return true;
        }
        if !n.tag.is_inline() && n.el.is_some() && super::content::link_farm(t, cur) {
            return false;
        }
        cur = n.parent;
    }
    false
}

/// FNV-1a of an element's tag kind and class attribute.
fn signature(t: &Tree<'_>, i: u32) -> u64 {
    let n = &t.nodes[i as usize];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    for b in n.el.map_or("", |e| e.name()).bytes() {
        eat(b);
    }
    eat(0);
    for b in t.attr(i, "class").unwrap_or("").bytes().take(200) {
        eat(b);
    }
    h
}

/// Text-level facts of one string.
struct TextFacts {
    chars: usize,
    words: usize,
    letters: usize,
    digits: usize,
    upper: usize,
    commas: usize,
    sentences: usize,
}

fn text_facts(s: &str) -> TextFacts {
    let mut f = TextFacts {
        chars: 0,
        words: 0,
        letters: 0,
        digits: 0,
        upper: 0,
        commas: 0,
        sentences: 0,
    };
    let mut in_word = false;
    let mut prev_end = false;
    for c in s.chars() {
        f.chars += 1;
        if c.is_alphanumeric() {
            if !in_word {
                f.words += 1;
            }
            in_word = true;
            if c.is_numeric() {
                f.digits += 1;
            } else {
                f.letters += 1;
                if c.is_uppercase() {
                    f.upper += 1;
                }
            }
        } else {
            in_word = false;
        }
        if matches!(c, ',' | '，' | '、') {
            f.commas += 1;
        }
        if prev_end && c.is_whitespace() {
            f.sentences += 1;
        }
        prev_end = matches!(c, '.' | '!' | '?' | '。');
    }
    if prev_end {
        f.sentences += 1;
    }
    f
}

fn has_date(s: &str) -> bool {
    // A year next to a month name or a numeric date: cheap, approximate.
    let b = s.as_bytes();
    let mut digits = 0;
    let mut year = false;
    for &c in b.iter().take(400) {
        if c.is_ascii_digit() {
            digits += 1;
        } else {
            if digits == 4 {
                year = true;
            }
            digits = 0;
        }
    }
    if digits == 4 {
        year = true;
    }
    if !year {
        return false;
    }
    let l = head(s, 400).to_lowercase();
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "/20",
        "-20", ".20", "/19", "-19",
    ]
    .iter()
    .any(|m| l.contains(m))
}

/// Shared distinct words over the larger of the two sets (both sorted hash lists).
fn overlap(a: &[u64], b: &[u64]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.iter().filter(|w| b.binary_search(w).is_ok()).count();
    common as f32 / a.len().max(b.len()) as f32
}

/// The nearest ancestor (or self) of node `i` that is a block element holding more
/// than one unit's worth of structure: the "block" a unit belongs to.
fn block_of(t: &Tree<'_>, i: u32) -> u32 {
    let mut cur = i;
    for _ in 0..ANC_LIMIT {
        let n = &t.nodes[cur as usize];
        if n.parent == NONE {
            return cur;
        }
        if !n.tag.is_inline()
            && n.el.is_some()
            && matches!(
                n.tag,
                Tag::Div
                    | Tag::Section
                    | Tag::Article
                    | Tag::Main
                    | Tag::Ul
                    | Tag::Ol
                    | Tag::Dl
                    | Tag::Table
                    | Tag::Other
                    | Tag::Aside
                    | Tag::Nav
                    | Tag::Header
                    | Tag::Footer
                    | Tag::Form
            )
            && cur != i
        {
            return cur;
        }
        cur = n.parent;
    }
    cur
}

/// Link density of node `i` over its kept text ([`Tree::link_density`]): 0 for a
/// node the boilerplate marks removed, whose kept text is empty. The model was
/// trained on exactly this, so a junk unit's zero is a signal it knows.
fn kept_ld(t: &Tree<'_>, i: u32) -> f32 {
    if i == NONE {
        return 0.0;
    }
    t.link_density(i)
}

/// The feature rows of `units`, `N` values each, in unit order.
pub fn rows(
    t: &Tree<'_>,
    units: &[Unit],
    page: &PageFacts<'_>,
    semantic: Option<u32>,
    lexicon: Option<&Lexicon>,
) -> Vec<[f32; N]> {
    let f = node_facts(t, page.roots, semantic);
    let n = units.len();
    let lens: Vec<usize> = units.iter().map(|u| u.text.chars().count()).collect();
    let total: usize = lens.iter().sum::<usize>().max(1);
    let mut title_words = Vec::new();
    if let Some(title) = page.title {
        word_hashes(title, &mut title_words);
    }
    let mut words = Vec::new();
    let class_acc = lexicon.map(|l| class_lex(t, &l.class));
    let in_roots = |u: &Unit| u.node != NONE && f.bits[u.node as usize] & A_ROOTS != 0;
    let first_root_unit = units.iter().position(in_roots);
    let last_root_unit = units.iter().rposition(in_roots);
    // Page-level values.
    let body = t.body;
    let page_len = t.nodes.get(body as usize).map_or(0, |b| b.raw_len) as f64;
    let page_ld = kept_ld(t, body);
    let roots_text: u64 = page
        .roots
        .iter()
        .map(|&r| t.nodes[r as usize].text_len as u64)
        .sum();
    let body_text = t.nodes.get(body as usize).map_or(0, |b| b.text_len).max(1) as f32;
    let (mut articles, mut h1s, mut product, mut forum) = (0usize, 0usize, false, false);
    for (i, node) in t.nodes.iter().enumerate() {
        match node.tag {
            Tag::Article => articles += 1,
            Tag::H(1) if !node.junk => h1s += 1,
            Tag::JsonLd => {
                let mut s = String::new();
                t.raw_text(i as u32, &mut s);
                let s = head(&s, 20_000);
                product |= s.contains("\"Product\"") || s.contains("\"ProductGroup\"");
                forum |= s.contains("DiscussionForumPosting") || s.contains("\"QAPage\"");
            }
            _ => {}
        }
    }
    let good = good_share(t);
    // Units per block.
    let mut block_units: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
    let blocks: Vec<u32> = units
        .iter()
        .map(|u| {
            let b = if u.node == NONE {
                body
            } else {
                block_of(t, u.node)
            };
            *block_units.entry(b).or_insert(0) += 1;
            b
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    let mut before = 0usize;
    for (k, u) in units.iter().enumerate() {
        let mut v = [0f32; N];
        let node = if u.node == NONE { body } else { u.node };
        let nd = &t.nodes[node as usize];
        let tf = text_facts(&u.text);
        let mut x = 0usize;
        let mut put = |val: f32| {
            v[x] = val;
            x += 1;
        };
        // The text.
        put(ln1(tf.chars as f64));
        put(ln1(tf.words as f64));
        put(if tf.words > 0 {
            (tf.letters + tf.digits) as f32 / tf.words as f32
        } else {
            0.0
        });
        let trimmed = u
            .text
            .trim_end_matches(['"', '\'', ')', '”', '’', '»', ']']);
        put(f32::from(u8::from(
            trimmed.ends_with(['.', '!', '?', '…', '。', ':']),
        )));
        put(f32::from(u8::from(
            u.text.chars().next().is_some_and(char::is_uppercase),
        )));
        put(tf.digits as f32 / tf.chars.max(1) as f32);
        put(tf.upper as f32 / tf.letters.max(1) as f32);
        put(ln1(tf.sentences as f64));
        put(tf.commas as f32 * 100.0 / tf.chars.max(1) as f32);
        put(f32::from(u8::from(has_date(&u.text))));
        put(f32::from(u8::from(
            u.text.contains(['$', '€', '£', '¥']) || u.text.contains("USD"),
        )));
        let lower_head = head(&u.text, 60).to_lowercase();
        put(f32::from(u8::from(
            u.text.contains('©')
                || lower_head.contains("copyright")
                || lower_head.contains("all rights reserved"),
        )));
        word_hashes(&u.text, &mut words);
        put(overlap(&words, &title_words));
        put(f32::from(u8::from(
            u.text.contains(" | ") || u.text.contains(" • ") || u.text.contains(" · "),
        )));
        // The element.
        put(kept_ld(t, node));
        put(ln1(nd.links as f64));
        put(f32::from(u8::from(nd.tag == Tag::P)));
        put(f32::from(u8::from(nd.tag == Tag::Li)));
        put(f32::from(u8::from(nd.tag == Tag::Td)));
        let hl = if let Tag::H(l) = nd.tag { l } else { 0 };
        put(f32::from(u8::from(hl > 0)));
        put(f32::from(hl));
        put(f32::from(u8::from(nd.tag == Tag::Pre)));
        put(f32::from(u8::from(nd.tag == Tag::Blockquote)));
        put(f32::from(u8::from(matches!(
            nd.tag,
            Tag::Figcaption | Tag::Caption
        ))));
        put(f32::from(u8::from(matches!(nd.tag, Tag::Dt | Tag::Dd))));
        put(f32::from(u8::from(matches!(
            nd.tag,
            Tag::Div | Tag::Section | Tag::Other
        ))));
        put(f32::from(u8::from(
            nd.links >= 1 && kept_ld(t, node) >= 0.95,
        )));
        // Ancestors.
        let bits = f.bits[node as usize];
        for b in [
            A_ARTICLE, A_MAIN, A_HEADER, A_FOOTER, A_NAV, A_ASIDE, A_FORM, A_LI, A_TABLE,
            A_HEADING, A_FIGURE,
        ] {
            put(f32::from(u8::from(bits & b != 0)));
        }
        put(f32::from(f.depth[node as usize]));
        put(f32::from(u8::from(nd.junk)));
        let why = f.why[node as usize];
        for w in [
            Why::Tag,
            Why::Header,
            Why::Hidden,
            Why::Strong,
            Why::Layout,
            Why::Weak,
            Why::AuthorBox,
        ] {
            put(f32::from(u8::from(why == w)));
        }
        put(f.wsum[node as usize] as f32);
        put(f.wmin[node as usize] as f32);
        put(f.wmax[node as usize] as f32);
        put(f32::from(u8::from(bits & A_TEASER != 0)));
        put(f32::from(u8::from(bits & A_ROOTS != 0)));
        put(f32::from(u8::from(rule_kept(t, node, &f))));
        put(f32::from(u8::from(bits & A_SEM != 0)));
        let parent = nd.parent;
        put(f32::from(u8::from(
            super::content::link_farm(t, node)
                || (parent != NONE && super::content::link_farm(t, parent)),
        )));
        let gparent = if parent == NONE {
            NONE
        } else {
            t.nodes[parent as usize].parent
        };
        put(kept_ld(t, parent));
        put(ln1(if parent == NONE {
            0.0
        } else {
            t.nodes[parent as usize].raw_len as f64
        }));
        put(kept_ld(t, gparent));
        put(ln1(if gparent == NONE {
            0.0
        } else {
            t.nodes[gparent as usize].raw_len as f64
        }));
        let blk = blocks[k];
        put(kept_ld(t, blk));
        put(ln1(t.nodes[blk as usize].raw_len as f64));
        put(ln1(block_units.get(&blk).copied().unwrap_or(1) as f64));
        put(f.rep[node as usize] as f32);
        let (mut rep_max, mut rep_level, mut rep_text) = (f.rep[node as usize], 0u32, nd.raw_len);
        let mut cur = parent;
        for level in 1..=6u32 {
            if cur == NONE || cur == body {
                break;
            }
            let r = f.rep[cur as usize];
            if r > rep_max {
                rep_max = r;
                rep_level = level;
                rep_text = t.nodes[cur as usize].raw_len;
            }
            cur = t.nodes[cur as usize].parent;
        }
        put(ln1(f64::from(rep_max)));
        put(rep_level as f32);
        put(ln1(f64::from(rep_text)));
        // The nearest repeated group above the unit: how much of the page it holds,
        // its rank among the page's groups, its size, and this member's share of it.
        let mut cur = node;
        let mut found = None;
        for _ in 0..10 {
            if cur == NONE || cur == body {
                break;
            }
            let g = f.group[cur as usize];
            if g != NONE {
                found = Some((g, cur));
                break;
            }
            cur = t.nodes[cur as usize].parent;
        }
        match found {
            Some((g, member)) => {
                let (text, count, rank) = f.groups[g as usize];
                put(text as f32 / page_len.max(1.0) as f32);
                put(rank.min(5) as f32);
                put(ln1(f64::from(count)));
                put(t.nodes[member as usize].raw_len as f32 / text.max(1) as f32);
            }
            None => {
                put(0.0);
                put(0.0);
                put(0.0);
                put(0.0);
            }
        }
        // Place in the page.
        put(k as f32 / n.max(1) as f32);
        put(before as f32 / total as f32);
        before += lens[k];
        let side = match (first_root_unit, last_root_unit) {
            (Some(a), Some(_)) if k < a => -1.0,
            (Some(_), Some(b)) if k > b => 1.0,
            (Some(_), Some(_)) => 0.0,
            _ => 2.0,
        };
        put(side);
        let dist = match (first_root_unit, last_root_unit) {
            (Some(a), _) if k < a => a - k,
            (_, Some(b)) if k > b => k - b,
            _ => 0,
        };
        put(ln1(dist as f64));
        let nb = |j: Option<usize>| -> (f32, f32, f32) {
            match j {
                Some(j) => {
                    let nn = if units[j].node == NONE {
                        body
                    } else {
                        units[j].node
                    };
                    (
                        kept_ld(t, nn),
                        ln1(lens[j] as f64),
                        f32::from(u8::from(in_roots(&units[j]))),
                    )
                }
                None => (0.0, 0.0, 0.0),
            }
        };
        let prev = k.checked_sub(1);
        let next = (k + 1 < n).then_some(k + 1);
        let (a, b, c) = nb(prev);
        put(a);
        put(b);
        put(c);
        let (a, b, c) = nb(next);
        put(a);
        put(b);
        put(c);
        put(f32::from(u8::from(next.is_some_and(|j| {
            let nn = units[j].node;
            nn != NONE && matches!(t.nodes[nn as usize].tag, Tag::H(_))
        }))));
        let same = |j: Option<usize>| {
            j.is_some_and(|j| {
                let o = units[j].node;
                o != NONE && o != u.node && t.nodes[o as usize].parent == parent
            })
        };
        put(f32::from(u8::from(same(prev))));
        put(f32::from(u8::from(same(next))));
        // The page.
        put(ln1(page_len));
        put(page_ld);
        put(ln1(n as f64));
        put(f32::from(u8::from(page.declared_article)));
        put(f32::from(u8::from(page.declared_listing)));
        put(f32::from(u8::from(product)));
        put(f32::from(u8::from(forum)));
        put(roots_text as f32 / body_text);
        put(page.roots.len() as f32);
        put(ln1(articles as f64));
        put(h1s as f32);
        put(good);
        match (lexicon, &class_acc) {
            (Some(lex), Some(class_acc)) => {
                let mut acc = LexAcc::EMPTY;
                for h in &words {
                    if let Some(&w) = lex.text.get(h) {
                        acc.add(w);
                    }
                }
                if acc.found > 0 {
                    put(acc.sum / acc.found as f32);
                    put(acc.min);
                    put(acc.max);
                    put(acc.found as f32 / words.len().max(1) as f32);
                } else {
                    for _ in 0..4 {
                        put(0.0);
                    }
                }
                let mut cacc = LexAcc::EMPTY;
                let mut cur = node;
                for _ in 0..CLASS_LEVELS {
                    if cur == NONE {
                        break;
                    }
                    cacc.merge(&class_acc[cur as usize]);
                    cur = t.nodes[cur as usize].parent;
                }
                if cacc.found > 0 {
                    put(cacc.sum);
                    put(cacc.min);
                    put(cacc.max);
                } else {
                    for _ in 0..3 {
                        put(0.0);
                    }
                }
            }
            _ => {
                for _ in 0..7 {
                    put(0.0);
                }
            }
        }
        for _ in PAGE_TYPES {
            put(0.0);
        }
        debug_assert_eq!(x, N);
        out.push(v);
    }
    out
}

/// Structural URL path tokens (never topic words): they say what kind of page a
/// site's software made.
const URL_TOKENS: &[&str] = &[
    "blog",
    "blogs",
    "article",
    "articles",
    "post",
    "posts",
    "news",
    "story",
    "stories",
    "guide",
    "guides",
    "t",
    "thread",
    "threads",
    "topic",
    "topics",
    "forum",
    "forums",
    "community",
    "questions",
    "question",
    "discussion",
    "discussions",
    "d",
    "r",
    "comments",
    "showthread",
    "viewtopic",
    "product",
    "products",
    "p",
    "dp",
    "item",
    "itm",
    "shop",
    "store",
    "collections",
    "collection",
    "category",
    "categories",
    "c",
    "catalog",
    "list",
    "best",
    "top",
    "docs",
    "doc",
    "documentation",
    "api",
    "reference",
    "manual",
    "wiki",
    "learn",
    "tutorial",
    "tutorials",
    "services",
    "service",
    "solutions",
    "features",
    "pricing",
    "about",
    "tag",
    "tags",
    "search",
    "page",
    "help",
    "support",
    "faq",
    "events",
    "courses",
    "course",
    "jobs",
    "review",
    "reviews",
    "recipes",
    "recipe",
];

/// Schema.org types looked for in JSON-LD.
const LD_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "TechArticle",
    "Product",
    "ProductGroup",
    "Offer",
    "AggregateRating",
    "DiscussionForumPosting",
    "QAPage",
    "Question",
    "Answer",
    "Comment",
    "ItemList",
    "CollectionPage",
    "FAQPage",
    "HowTo",
    "Recipe",
    "SoftwareApplication",
    "Service",
    "Organization",
    "LocalBusiness",
    "WebPage",
    "BreadcrumbList",
    "Event",
    "Course",
    "SearchResultsPage",
    "Person",
    "VideoObject",
    "AboutPage",
    "ContactPage",
    "WebSite",
    "SiteNavigationElement",
    "Review",
];

/// Site software named by `<meta name="generator">` (platform, not site).
const GENERATORS: &[&str] = &[
    "wordpress",
    "discourse",
    "phpbb",
    "vbulletin",
    "xenforo",
    "invision",
    "shopify",
    "drupal",
    "joomla",
    "sphinx",
    "mkdocs",
    "docusaurus",
    "hugo",
    "jekyll",
    "gatsby",
    "next.js",
    "ghost",
    "squarespace",
    "wix",
    "mediawiki",
    "flarum",
    "nodebb",
    "webflow",
    "hubspot",
    "woocommerce",
    "magento",
    "gitbook",
    "vitepress",
    "typo3",
];

/// Class-name parts counted over the page.
const CLASS_COUNTS: &[&str] = &[
    "price",
    "cart",
    "post",
    "comment",
    "reply",
    "thread",
    "product",
    "card",
    "sidebar",
    "toc",
    "author",
    "avatar",
    "message",
    "answer",
    "question",
    "vote",
    "tile",
    "grid",
    "item",
    "listing",
    "result",
    "code",
    "highlight",
    "sku",
    "rating",
    "review",
    "feature",
    "pricing",
    "testimonial",
    "hero",
    "cta",
];

/// Number of page features.
pub const NP: usize =
    PAGE_BASE.len() + URL_TOKENS.len() + LD_TYPES.len() + GENERATORS.len() + CLASS_COUNTS.len();

/// Page features other than the token lists, in order.
const PAGE_BASE: &[&str] = &[
    "url_depth",
    "url_len_log",
    "url_date",
    "url_numeric",
    "url_query",
    "url_slash_end",
    "url_html",
    "url_slug_words",
    "og_article",
    "og_product",
    "og_website",
    "og_other",
    "n_article_log",
    "n_time_log",
    "n_h1",
    "n_h2_log",
    "n_h3_log",
    "n_pre_log",
    "n_code_log",
    "n_table_log",
    "n_li_log",
    "n_input_log",
    "n_button_log",
    "n_img_log",
    "n_a_log",
    "n_form_log",
    "n_itemprop_price",
    "n_itemprop_review_log",
    "text_log",
    "ld",
    "good_share",
    "units_log",
    "unit_len_mean_log",
    "rep3_share",
    "rep10_share",
    "roots_share",
    "prices_log",
    "dates_log",
    "junk_share",
    "strong_share",
    "long_units_log",
    "headings_share",
];

/// Names of the page features, in vector order.
pub fn page_names() -> Vec<String> {
    let mut v: Vec<String> = PAGE_BASE.iter().map(|s| s.to_string()).collect();
    v.extend(URL_TOKENS.iter().map(|t| format!("url_{t}")));
    v.extend(LD_TYPES.iter().map(|t| format!("ld_{t}")));
    v.extend(GENERATORS.iter().map(|t| format!("gen_{t}")));
    v.extend(CLASS_COUNTS.iter().map(|t| format!("class_{t}")));
    v
}

/// The page's feature vector for the page-type model.
pub fn page_row(
    t: &Tree<'_>,
    url: &url::Url,
    units: &[Unit],
    rows: &[[f32; N]],
    roots: &[u32],
) -> Vec<f32> {
    let mut v = Vec::with_capacity(NP);
    // URL.
    let path = url.path().to_ascii_lowercase();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    v.push(segs.len() as f32);
    v.push(ln1(url.as_str().len() as f64));
    let date_like = segs.windows(2).any(|w| {
        w[0].len() == 4
            && w[0].bytes().all(|b| b.is_ascii_digit())
            && w[0].starts_with(['1', '2'])
            && w[1].len() <= 2
            && w[1].bytes().all(|b| b.is_ascii_digit())
    });
    v.push(f32::from(u8::from(date_like)));
    v.push(f32::from(u8::from(segs.iter().any(|s| {
        s.len() >= 3 && s.bytes().all(|b| b.is_ascii_digit())
    }))));
    v.push(f32::from(u8::from(url.query().is_some())));
    v.push(f32::from(u8::from(path.ends_with('/'))));
    v.push(f32::from(u8::from(
        path.ends_with(".html") || path.ends_with(".htm"),
    )));
    v.push(
        segs.last()
            .map_or(0, |s| s.split(['-', '_']).filter(|w| !w.is_empty()).count()) as f32,
    );
    let parts: Vec<&str> = segs
        .iter()
        .flat_map(|s| s.split(['.', '_', '-']))
        .filter(|s| !s.is_empty())
        .collect();
    // Markup counts in one pass.
    let mut og = "";
    let mut gens = vec![false; GENERATORS.len()];
    let mut lds = vec![false; LD_TYPES.len()];
    let mut classes = vec![0u32; CLASS_COUNTS.len()];
    let (mut art, mut time, mut h1, mut h2, mut h3, mut pre, mut code, mut table) =
        (0u32, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
    let (mut li, mut input, mut button, mut img, mut a, mut form, mut price, mut review) =
        (0u32, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
    let mut ld_budget = 200_000usize;
    // Pages repeat their class attributes: each distinct one is matched once.
    let mut class_masks: FnvMap<&str, u64> = FnvMap::default();
    for (i, n) in t.nodes.iter().enumerate() {
        let Some(el) = n.el else { continue };
        let name = el.name();
        match name {
            "article" => art += 1,
            "time" => time += 1,
            "h1" => h1 += 1,
            "h2" => h2 += 1,
            "h3" => h3 += 1,
            "pre" => pre += 1,
            "code" => code += 1,
            "table" => table += 1,
            "li" => li += 1,
            "input" | "select" | "textarea" => input += 1,
            "button" => button += 1,
            "img" => img += 1,
            "a" => a += 1,
            "form" => form += 1,
            _ => {}
        }
        if n.tag == Tag::Meta {
            let key = el
                .attrs()
                .find(|(k, _)| matches!(*k, "name" | "property"))
                .map(|(_, v)| v);
            let content = el.attrs().find(|(k, _)| *k == "content").map(|(_, v)| v);
            match (key, content) {
                (Some(k), Some(c)) if k.eq_ignore_ascii_case("og:type") => og = c,
                (Some(k), Some(c)) if k.eq_ignore_ascii_case("generator") => {
                    let c = head(c, 200).to_ascii_lowercase();
                    for (g, hit) in GENERATORS.iter().zip(gens.iter_mut()) {
                        *hit |= c.contains(g);
                    }
                }
                _ => {}
            }
        }
        if n.tag == Tag::JsonLd && ld_budget > 0 {
            let mut s = String::new();
            t.raw_text(i as u32, &mut s);
            let s = head(&s, ld_budget.min(50_000));
            ld_budget = ld_budget.saturating_sub(s.len());
            for (ty, hit) in LD_TYPES.iter().zip(lds.iter_mut()) {
                if !*hit {
                    *hit = s.contains(&format!("\"{ty}\""));
                }
            }
        }
        for (k, val) in el.attrs() {
            if k == "itemprop" {
                price += u32::from(val.contains("price"));
                review += u32::from(val.contains("review"));
            }
            if k == "class" {
                let mask = *class_masks.entry(val).or_insert_with(|| {
                    let lower = head(val, 200).to_ascii_lowercase();
                    CLASS_COUNTS
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| lower.contains(*c))
                        .fold(0u64, |m, (k, _)| m | (1 << k))
                });
                for (k, count) in classes.iter_mut().enumerate() {
                    *count += ((mask >> k) & 1) as u32;
                }
            }
        }
    }
    let og = og.trim().to_ascii_lowercase();
    v.push(f32::from(u8::from(og.contains("article"))));
    v.push(f32::from(u8::from(og.contains("product"))));
    v.push(f32::from(u8::from(og == "website")));
    v.push(f32::from(u8::from(
        !og.is_empty() && !og.contains("article") && !og.contains("product") && og != "website",
    )));
    for x in [art, time] {
        v.push(ln1(f64::from(x)));
    }
    v.push(h1 as f32);
    for x in [h2, h3, pre, code, table, li, input, button, img, a, form] {
        v.push(ln1(f64::from(x)));
    }
    v.push(price.min(20) as f32);
    v.push(ln1(f64::from(review)));
    // Text.
    let body = t.body;
    let raw = t.nodes.get(body as usize).map_or(0, |b| b.raw_len);
    v.push(ln1(f64::from(raw)));
    v.push(t.link_density(body));
    v.push(good_share(t));
    let n = units.len().max(1) as f64;
    v.push(ln1(units.len() as f64));
    let lens: Vec<usize> = units.iter().map(|u| u.text.len()).collect();
    let total: usize = lens.iter().sum();
    v.push(ln1(total as f64 / n));
    let col = |name: &str| NAMES.iter().position(|x| *x == name).unwrap_or(0);
    let (rep, jk, st, sl) = (col("rep_max"), col("junk"), col("why_strong"), col("tag_h"));
    let share = |f: &dyn Fn(&[f32; N]) -> bool| -> f32 {
        let s: usize = rows
            .iter()
            .zip(&lens)
            .filter(|(r, _)| f(r))
            .map(|(_, l)| *l)
            .sum();
        s as f32 / total.max(1) as f32
    };
    v.push(share(&|r| r[rep] >= ln1(3.0)));
    v.push(share(&|r| r[rep] >= ln1(10.0)));
    let roots_text: u64 = roots
        .iter()
        .map(|&r| u64::from(t.nodes[r as usize].text_len))
        .sum();
    v.push(roots_text as f32 / t.nodes.get(body as usize).map_or(1, |b| b.text_len.max(1)) as f32);
    let (pc, dc) = (col("has_currency"), col("has_date"));
    v.push(ln1(rows.iter().filter(|r| r[pc] > 0.5).count() as f64));
    v.push(ln1(rows.iter().filter(|r| r[dc] > 0.5).count() as f64));
    v.push(share(&|r| r[jk] > 0.5));
    v.push(share(&|r| r[st] > 0.5));
    v.push(ln1(lens.iter().filter(|&&l| l >= 200).count() as f64));
    v.push(share(&|r| r[sl] > 0.5));
    debug_assert_eq!(v.len(), PAGE_BASE.len());
    for tok in URL_TOKENS {
        v.push(f32::from(u8::from(parts.contains(tok))));
    }
    for hit in lds {
        v.push(f32::from(u8::from(hit)));
    }
    for hit in gens {
        v.push(f32::from(u8::from(hit)));
    }
    for c in classes {
        v.push(ln1(f64::from(c)));
    }
    debug_assert_eq!(v.len(), NP);
    v
}

/// Share of the page's kept text that is "good" running text (long, few links).
fn good_share(t: &Tree<'_>) -> f32 {
    let mut good = 0u64;
    let mut all = 0u64;
    for (i, n) in t.nodes.iter().enumerate() {
        if n.junk || n.tag.is_inline() || n.el.is_none() {
            continue;
        }
        let own = if n.has_block {
            n.inline_len
        } else {
            n.text_len
        };
        all += u64::from(own);
        if own >= 80 && t.link_density(i as u32) < 0.25 {
            good += u64::from(own);
        }
    }
    good as f32 / all.max(1) as f32
}
