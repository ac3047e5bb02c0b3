//! Main-content detection and block emission for the generic extractor.
//!
//! [`choose`] scores containers readability-style (paragraph text, commas and link
//! density credited to parents and grandparents, class/id hints) and picks the best
//! one plus the siblings that belong with it. [`emit`] walks the chosen subtrees once
//! (iteratively) and turns them into typed blocks, pruning boilerplate below them.
//! Must not: read metadata, decide the page type, touch the network.

use url::Url;

use super::tree::{Tag, Tree, Why, NONE};
use crate::model::Block;
use crate::normalize;

/// Minimum kept text (non-whitespace bytes) for a node to count as a paragraph.
const MIN_PARA: u32 = 25;
const PROMOTE: bool = true;

fn tag_bonus(tag: Tag) -> f32 {
    match tag {
        Tag::Div | Tag::Article | Tag::Main | Tag::Section => 5.0,
        Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
        Tag::Ul | Tag::Ol | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form => -3.0,
        Tag::H(_) => -5.0,
        _ => 0.0,
    }
}

/// The chosen content roots, in document order, and the top candidate's score.
pub struct Choice {
    pub roots: Vec<u32>,
    pub score: f32,
}

/// Pick the main-content subtrees.
pub fn choose(t: &Tree<'_>) -> Choice {
    let mut c = choose_inner(t);
    if LEADS {
        add_leads(t, &mut c.roots);
    }
    c
}

const LEADS: bool = true;

/// A standfirst or lead paragraph often sits just before the body container, in the
/// article header: take short runs of good text preceding the first root, up to three
/// levels up, never crossing the body.
fn add_leads(t: &Tree<'_>, roots: &mut Vec<u32>) {
    let Some(&first) = roots.first() else { return };
    let mut leads: Vec<u32> = Vec::new();
    let mut cur = first;
    for _ in 0..3 {
        let mut s = prev_sibling(t, cur);
        let mut seen = 0;
        while let Some(p) = s {
            let n = &t.nodes[p as usize];
            if n.el.is_none() {
                // Whitespace and comments between elements are not siblings that count.
                s = prev_sibling(t, p);
                continue;
            }
            if seen >= 4 {
                break;
            }
            seen += 1;
            if !n.junk && n.el.is_some() && !n.tag.is_inline() {
                let own = if n.has_block {
                    n.inline_len.max(n.text_len)
                } else {
                    n.text_len
                };
                if (80..3000).contains(&own) && t.link_density(p) < 0.2 {
                    leads.push(p);
                }
            }
            s = prev_sibling(t, p);
        }
        let parent = t.nodes[cur as usize].parent;
        if parent == NONE
            || parent == t.body
            || matches!(t.nodes[parent as usize].tag, Tag::Body | Tag::Html)
        {
            break;
        }
        // An article's header can sit outside its <article>: climbing on is bounded
        // by the three levels and the size and link-density checks.
        cur = parent;
    }
    if !leads.is_empty() {
        leads.reverse();
        leads.retain(|l| {
            !roots
                .iter()
                .any(|&r| t.contains(r, *l) || t.contains(*l, r))
        });
        leads.extend(roots.iter().copied());
        *roots = leads;
    }
}

fn prev_sibling(t: &Tree<'_>, i: u32) -> Option<u32> {
    let p = t.nodes[i as usize].parent;
    if p == NONE {
        return None;
    }
    let mut c = t.nodes[p as usize].first_child;
    let mut prev = None;
    while c != NONE && c != i {
        prev = Some(c);
        c = t.nodes[c as usize].next_sibling;
    }
    prev
}

fn choose_inner(t: &Tree<'_>) -> Choice {
    let n = t.nodes.len();
    let mut score = vec![f32::NAN; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut credit = |i: u32, s: f32, score: &mut Vec<f32>| {
        if i == NONE {
            return;
        }
        let node = &t.nodes[i as usize];
        if node.junk || node.tag.is_inline() {
            return;
        }
        let cell = &mut score[i as usize];
        if cell.is_nan() {
            *cell = tag_bonus(node.tag) + node.weight as f32;
            touched.push(i);
        }
        *cell += s;
    };
    for i in 0..n as u32 {
        let node = &t.nodes[i as usize];
        if node.junk || node.tag.is_inline() || node.el.is_none() {
            continue;
        }
        let (len, first_target) = if !node.has_block {
            if !matches!(
                node.tag,
                Tag::P
                    | Tag::Pre
                    | Tag::Td
                    | Tag::Div
                    | Tag::Section
                    | Tag::Dd
                    | Tag::Blockquote
                    | Tag::Other
                    | Tag::Article
                    | Tag::Li
            ) {
                continue;
            }
            (node.text_len, node.parent)
        } else {
            (node.inline_len, i)
        };
        if len < MIN_PARA {
            continue;
        }
        let ld = t.link_density(i);
        if ld > 0.6 {
            continue;
        }
        let mut s = 1.0 + node.commas.min(len / 20) as f32 + (len as f32 / 100.0).min(3.0);
        if node.tag == Tag::Li {
            s *= 0.5;
        }
        s *= 1.0 - ld;
        let mut target = first_target;
        for level in 0..3 {
            if target == NONE {
                break;
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                _ => 3.0,
            };
            credit(target, s / div, &mut score);
            target = t.nodes[target as usize].parent;
        }
    }
    // Final scores.
    let mut ranked: Vec<(f32, u32)> = touched
        .iter()
        .map(|&i| (score[i as usize] * (1.0 - t.link_density(i)), i))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let Some(&(top_score, mut top)) = ranked.first() else {
        return Choice {
            roots: if t.body != NONE {
                vec![t.body]
            } else {
                Vec::new()
            },
            score: 0.0,
        };
    };
    for (i, &(s, _)) in ranked.iter().enumerate() {
        score[ranked[i].1 as usize] = s;
    }
    // Several near-top candidates under one ancestor: the ancestor is the article.
    let alts: Vec<u32> = ranked
        .iter()
        .skip(1)
        .take(5)
        .filter(|(s, _)| *s >= top_score * 0.75)
        .map(|&(_, i)| i)
        .collect();
    if alts.len() >= 3 && PROMOTE {
        let mut anc = t.nodes[top as usize].parent;
        while anc != NONE && t.nodes[anc as usize].tag != Tag::Body {
            let inside = alts.iter().filter(|&&a| t.contains(anc, a)).count();
            if inside >= 3 {
                top = anc;
                break;
            }
            anc = t.nodes[anc as usize].parent;
        }
    }
    // Climb while the parent holds little more than the top (a lone wrapper).
    loop {
        let p = t.nodes[top as usize].parent;
        if p == NONE || matches!(t.nodes[p as usize].tag, Tag::Body | Tag::Html) || p == 0 {
            break;
        }
        let pl = t.nodes[p as usize].text_len;
        let tl = t.nodes[top as usize].text_len;
        if pl as f32 <= tl as f32 * 1.05 + 10.0 {
            top = p;
        } else {
            break;
        }
    }
    let top_s = if score[top as usize].is_nan() {
        top_score
    } else {
        score[top as usize].max(top_score)
    };
    // Siblings that belong with the top candidate.
    let mut roots = Vec::new();
    let parent = t.nodes[top as usize].parent;
    if parent == NONE {
        roots.push(top);
    } else {
        let threshold = (top_s * 0.2).max(10.0);
        let mut c = t.nodes[parent as usize].first_child;
        while c != NONE {
            let node = &t.nodes[c as usize];
            let mut take = c == top;
            if !take && !node.junk && node.text_len > 0 {
                let s = score[c as usize];
                let ld = t.link_density(c);
                if !s.is_nan() && s >= threshold {
                    take = true;
                } else if node.tag == Tag::P || (node.tag == Tag::Text && node.text_len > 0) {
                    if node.text_len > 80 && ld < 0.25 {
                        take = true;
                    } else if ld == 0.0 && node.text_len > 0 {
                        let mut s = String::new();
                        t.raw_text(c, &mut s);
                        let s = s.trim_end();
                        take = s.ends_with('.') || s.ends_with('。');
                    }
                }
            }
            if take {
                roots.push(c);
            }
            c = node.next_sibling;
        }
    }
    let good = good_text(t);
    let body_good = good[t.body as usize];
    // A container the page itself names as the article body wins when it holds most
    // of the running text.
    if SEMANTIC {
        if let Some(sem) = semantic_body(t, &good) {
            if good[sem as usize] as f64 >= SEM_SHARE * body_good as f64 && body_good > 0 {
                return Choice {
                    roots: vec![sem],
                    score: top_s,
                };
            }
        }
    }
    // Coverage check: when the chosen roots hold little of the page's running text
    // (good paragraphs: long, few links), the article is split over several
    // containers; take the lowest ancestor that holds most of it instead.
    let covered: u64 = roots.iter().map(|&r| good[r as usize]).sum();
    if body_good > 0 && (covered as f64) < COVER_MIN * body_good as f64 {
        let mut anc = top;
        while anc != NONE && (good[anc as usize] as f64) < COVER_TARGET * body_good as f64 {
            anc = t.nodes[anc as usize].parent;
        }
        if anc != NONE {
            return Choice {
                roots: vec![anc],
                score: top_s,
            };
        }
    }
    Choice {
        roots,
        score: top_s,
    }
}

const SEMANTIC: bool = true;
const SEM_SHARE: f64 = 0.9;

/// Class, id and itemprop names that publishers give the article body.
const BODY_NAMES: &[&str] = &[
    "articlebody",
    "article-body",
    "article__body",
    "article-content",
    "article__content",
    "articlecontent",
    "article-text",
    "article__text",
    "entry-content",
    "entry__content",
    "entrycontent",
    "post-content",
    "post__content",
    "postcontent",
    "post-body",
    "post__body",
    "postbody",
    "post-entry",
    "story-body",
    "story__body",
    "storybody",
    "story-content",
    "content-body",
    "text-body",
    "body-text",
    "bodytext",
    "rich-text",
    "richtext",
    "article-body-text",
    "single-content",
    "blog-content",
    "main-text",
    "entry-body",
    "td-post-content",
    "field-name-body",
    "field--name-body",
    "news-content",
    "news-text",
    "newsbody",
    "article_body",
    "post_content",
    "entry_content",
    "story_body",
];

/// The element the page names as its article body, if any (by good text).
pub(super) fn semantic(t: &Tree<'_>) -> Option<u32> {
    semantic_body(t, &good_text(t))
}

/// The best element the page names as its article body, by good text.
fn semantic_body(t: &Tree<'_>, good: &[u64]) -> Option<u32> {
    let mut best: Option<u32> = None;
    for (i, n) in t.nodes.iter().enumerate() {
        if n.junk || n.el.is_none() || good[i] == 0 || n.tag.is_inline() {
            continue;
        }
        let i = i as u32;
        let named = t
            .attr(i, "itemprop")
            .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "articleBody"))
            || t.attr(i, "class").is_some_and(|c| {
                c.split_ascii_whitespace()
                    .any(|c| BODY_NAMES.iter().any(|b| c.eq_ignore_ascii_case(b)))
            })
            || t.attr(i, "id")
                .is_some_and(|c| BODY_NAMES.iter().any(|b| c.eq_ignore_ascii_case(b)));
        if named && best.is_none_or(|b| good[i as usize] > good[b as usize]) {
            best = Some(i);
        }
    }
    best
}

const COVER_MIN: f64 = 0.7;
const COVER_TARGET: f64 = 0.8;

/// Bytes of "good" paragraph text below each node: leaf text blocks of at least 80
/// bytes with a link density under 0.25. One bottom-up pass.
fn good_text(t: &Tree<'_>) -> Vec<u64> {
    let mut good = vec![0u64; t.nodes.len()];
    for i in (0..t.nodes.len()).rev() {
        let n = &t.nodes[i];
        if n.junk {
            continue;
        }
        if !n.tag.is_inline() && n.el.is_some() {
            let own = if n.has_block {
                n.inline_len
            } else {
                n.text_len
            };
            if own >= 80 && t.link_density(i as u32) < 0.25 {
                good[i] += own as u64;
            }
        }
        if n.parent != NONE {
            let g = good[i];
            good[n.parent as usize] += g;
        }
    }
    good
}

enum Frame {
    /// A block container that only delimits paragraphs.
    Block,
    /// A table; `true` for a data table (rows become " | "-joined lines).
    Table(bool),
    Heading(u8),
    List {
        ordered: bool,
        items: Vec<String>,
    },
    Item(String),
    Quote(Vec<String>),
    Pre(String),
    Row(Vec<String>),
    Cell(String),
    Figure {
        src: Option<String>,
        alt: Option<String>,
        caption: String,
        /// With `keep`: the classifier kept some of the caption's units. Captions
        /// of a figure are always admitted (they describe its image and never reach
        /// the running text), but a figure without an image turns its caption into
        /// a paragraph, and that paragraph is the classifier's to judge.
        text_kept: bool,
    },
    Caption,
    /// A caption-named element outside any figure: its text is attached to the
    /// image just emitted, or dropped (it is not running text).
    LooseCaption(String),
}

/// One run of text as the emitter delivers it: a paragraph, a heading, a list item, a
/// table cell, a quote paragraph, a caption or a `<pre>`, with the element it came
/// from (the innermost open block element). The block classifier decides per unit.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The element whose frame held the text.
    pub node: u32,
    /// Normalized text.
    pub text: String,
}

struct Emitter<'u> {
    base: &'u Url,
    /// Ignore boilerplate marks and pruning (diagnostics, and the classifier's view).
    raw: bool,
    blocks: Vec<Block>,
    frames: Vec<(u32, Frame)>,
    buf: String,
    pending_images: Vec<Block>,
    /// Record every unit of text (the classifier's input).
    units: Option<Vec<Unit>>,
    /// Emit only the units whose index is true (the classifier's output).
    keep: Option<&'u [bool]>,
    /// With `keep`: the nodes whose images may be emitted.
    img_ok: Option<&'u [bool]>,
    /// Units seen so far (indexes `keep`).
    seen: usize,
}

impl Emitter<'_> {
    /// Append a block. Paragraphs already collected by open quotes go first, so a
    /// list, heading or `<pre>` inside a `<blockquote>` keeps its place in the
    /// reading order (the quote is split around it).
    fn push(&mut self, b: Block) {
        for (_, f) in self.frames.iter_mut() {
            if let Frame::Quote(ps) = f {
                if !ps.is_empty() {
                    let paragraphs = std::mem::take(ps);
                    self.blocks.push(Block::Blockquote { paragraphs });
                }
            }
        }
        self.blocks.push(b);
    }

    fn deliver(&mut self, text: String) {
        for (_, f) in self.frames.iter_mut().rev() {
            match f {
                Frame::Block | Frame::Table(_) => continue,
                Frame::Heading(level) => {
                    let level = *level;
                    self.push(Block::Heading { level, text });
                    return;
                }
                Frame::Item(s) | Frame::Cell(s) => {
                    if !s.is_empty() {
                        s.push(' ');
                    }
                    s.push_str(&text);
                    return;
                }
                Frame::Quote(ps) => {
                    ps.push(text);
                    return;
                }
                Frame::Caption => continue,
                Frame::LooseCaption(c) => {
                    if !c.is_empty() {
                        c.push(' ');
                    }
                    c.push_str(&text);
                    return;
                }
                Frame::Figure { caption, .. } => {
                    if !caption.is_empty() {
                        caption.push(' ');
                    }
                    caption.push_str(&text);
                    return;
                }
                Frame::Pre(_) | Frame::Row(_) | Frame::List { .. } => break,
            }
        }
        self.push(Block::Paragraph { text });
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let buf = std::mem::take(&mut self.buf);
            // A blank line (two <br>) separates paragraphs.
            // Text of a data-table cell is judged with its row (one unit per row).
            let in_cell = matches!(
                self.frames
                    .iter()
                    .rev()
                    .find(|(_, f)| !matches!(f, Frame::Block)),
                Some((_, Frame::Cell(_)))
            );
            for piece in buf.split("\n\n") {
                let text = normalize::text(piece);
                // Markup that leaked into text is not text (and not a unit).
                let text = match normalize::strip_markup(&text) {
                    Some(std::borrow::Cow::Borrowed(_)) => text,
                    Some(std::borrow::Cow::Owned(t)) => t,
                    None => continue,
                };
                if !text.is_empty() && (in_cell || self.admit(&text)) {
                    self.deliver(text);
                }
            }
        }
        if !self.pending_images.is_empty() {
            let imgs = std::mem::take(&mut self.pending_images);
            for img in imgs {
                self.push(img);
            }
        }
    }

    /// Count a unit of text, record it, and say whether it is to be emitted.
    fn admit(&mut self, text: &str) -> bool {
        let node = self.frames.last().map_or(NONE, |(n, _)| *n);
        let k = self.seen;
        self.seen += 1;
        if let Some(units) = &mut self.units {
            units.push(Unit {
                node,
                text: text.to_string(),
            });
        }
        let kept = self
            .keep
            .is_none_or(|keep| keep.get(k).copied().unwrap_or(false));
        if self.keep.is_some() {
            // Text inside a figure (its caption, or a table or quote the figure
            // wraps) flows into the figure's caption, and the figure remembers whether
            // the classifier kept any of it. A caption proper (nothing but plain
            // blocks between it and the figure) is admitted whatever the classifier
            // says: see `Frame::Figure::text_kept`.
            let mut direct = true;
            for (_, f) in self.frames.iter_mut().rev() {
                match f {
                    Frame::Figure { text_kept, .. } => {
                        *text_kept |= kept;
                        return kept || direct;
                    }
                    Frame::Block | Frame::Caption => {}
                    _ => direct = false,
                }
            }
        }
        kept
    }

    fn in_pre(&self) -> bool {
        self.frames.iter().any(|(_, f)| matches!(f, Frame::Pre(_)))
    }

    fn resolve(&self, src: &str) -> Option<String> {
        let src = src.trim();
        if src.is_empty() || src.starts_with("data:") {
            return None;
        }
        self.base.join(src).ok().map(|u| u.to_string())
    }
}

/// Is a table a data table (cells hold text only), not a layout grid?
fn data_table(t: &Tree<'_>, i: u32) -> bool {
    let mut data = true;
    // Walked whatever the boilerplate marks say (a table inside a comment-named box
    // has a structure all the same); invisible subtrees do not count.
    t.walk(i, false, |n| {
        if !data || (n.junk_root && matches!(n.why, Why::Never | Why::Hidden)) {
            return false;
        }
        match n.tag {
            Tag::Td => {
                // Cells holding paragraphs, lists or nested tables are layout. What
                // the structure is does not depend on whether the boilerplate rules
                // like a part of it (a forum reply inside a "comment" box is still a
                // table of profile and post): only invisible children do not count.
                let mut c = n.first_child;
                while c != NONE {
                    let cn = &t.nodes[c as usize];
                    if !(cn.junk_root && matches!(cn.why, Why::Never | Why::Hidden))
                        && matches!(
                            cn.tag,
                            Tag::P
                                | Tag::Table
                                | Tag::Ul
                                | Tag::Ol
                                | Tag::Div
                                | Tag::H(_)
                                | Tag::Blockquote
                        )
                        && cn.raw_len > 0
                    {
                        data = false;
                    }
                    c = cn.next_sibling;
                }
                true
            }
            Tag::Table if n.first_child != NONE && !std::ptr::eq(n, &t.nodes[i as usize]) => {
                data = false;
                false
            }
            _ => true,
        }
    });
    data
}

/// Should a container below the content root be dropped as a link farm?
pub(super) fn link_farm(t: &Tree<'_>, i: u32) -> bool {
    let n = &t.nodes[i as usize];
    let ld = t.link_density(i);
    if matches!(n.tag, Tag::P | Tag::H(_)) && n.links >= 1 && ld >= 0.5 && n.text_len < 150 {
        return true;
    }
    // A list whose items are nothing but links ("See also" under a paragraph), and a
    // loose line that is one headline link, are teasers whatever their count.
    let all_links = n.links >= 1 && ld >= 0.9;
    // A teaser or link-list box (by class) that is mostly links.
    if n.teaser && n.links >= 1 && ld > 0.5 {
        return true;
    }
    match n.tag {
        Tag::Ul | Tag::Ol | Tag::Dl if all_links => return true,
        Tag::Div | Tag::Section | Tag::Other if all_links && !n.has_block && n.text_len < 150 => {
            return true
        }
        _ => {}
    }
    if n.links < 3 {
        return false;
    }
    match n.tag {
        Tag::Ul | Tag::Ol | Tag::Dl => ld > 0.4,
        Tag::Div | Tag::Section | Tag::Table | Tag::Other | Tag::Td | Tag::Li => {
            ld > 0.5 || (ld > 0.4 && n.text_len < 300 && n.links >= 5)
        }
        Tag::P | Tag::H(_) => (ld > 0.8 && n.links >= 4) || (ld >= 0.5 && n.text_len < 150),
        _ => false,
    }
}

/// Turn the chosen subtrees into blocks.
pub fn emit(t: &Tree<'_>, roots: &[u32], base: &Url) -> Vec<Block> {
    emit_with(t, roots, base, false)
}

/// [`emit`], or with `raw` every visible node (diagnostics).
pub fn emit_with(t: &Tree<'_>, roots: &[u32], base: &Url, raw: bool) -> Vec<Block> {
    let mut e = Emitter::new(base, raw);
    for &root in roots {
        emit_root(t, root, &mut e);
        e.flush();
        e.frames.clear();
    }
    e.blocks
}

/// Every unit of visible text of the page, in reading order, as the classifier sees
/// it: boilerplate marks are ignored, never-content elements are not.
pub fn units(t: &Tree<'_>, base: &Url) -> Vec<Unit> {
    let mut e = Emitter::new(base, true);
    e.units = Some(Vec::new());
    if t.body != NONE {
        emit_root(t, t.body, &mut e);
        e.flush();
    }
    e.units.unwrap_or_default()
}

/// Emit the page's blocks keeping only the units marked in `keep` (indexed as
/// [`units`] returns them) and the images whose node is marked in `img_ok`.
pub fn emit_kept(t: &Tree<'_>, base: &Url, keep: &[bool], img_ok: &[bool]) -> Vec<Block> {
    let mut e = Emitter::new(base, true);
    e.keep = Some(keep);
    e.img_ok = Some(img_ok);
    if t.body != NONE {
        emit_root(t, t.body, &mut e);
        e.flush();
    }
    e.blocks
}

impl<'u> Emitter<'u> {
    fn new(base: &'u Url, raw: bool) -> Emitter<'u> {
        Emitter {
            base,
            raw,
            blocks: Vec::new(),
            frames: Vec::new(),
            buf: String::new(),
            pending_images: Vec::new(),
            units: None,
            keep: None,
            img_ok: None,
            seen: 0,
        }
    }
}

fn emit_root(t: &Tree<'_>, root: u32, e: &mut Emitter<'_>) {
    let mut cur = root;
    loop {
        let descend = open(t, cur, cur == root, e);
        let n = &t.nodes[cur as usize];
        if descend && n.first_child != NONE {
            cur = n.first_child;
            continue;
        }
        loop {
            close(t, cur, e);
            if cur == root {
                return;
            }
            let n = &t.nodes[cur as usize];
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

/// Handle entering node `i`; returns whether to visit its children.
fn open(t: &Tree<'_>, i: u32, is_root: bool, e: &mut Emitter<'_>) -> bool {
    let n = &t.nodes[i as usize];
    if n.junk
        && !(e.raw
            && !matches!(
                n.tag,
                Tag::Void | Tag::NoScript | Tag::JsonLd | Tag::Meta | Tag::Link | Tag::Title
            ))
    {
        return false;
    }
    match n.tag {
        Tag::Text => {
            if let Some((_, Frame::Pre(s))) = e
                .frames
                .iter_mut()
                .rev()
                .find(|(_, f)| matches!(f, Frame::Pre(_)))
            {
                s.push_str(n.text);
            } else {
                e.buf.push_str(n.text);
            }
            return false;
        }
        Tag::Br => {
            if let Some((_, Frame::Pre(s))) = e
                .frames
                .iter_mut()
                .rev()
                .find(|(_, f)| matches!(f, Frame::Pre(_)))
            {
                s.push('\n');
            } else {
                e.buf.push('\n');
            }
            return false;
        }
        Tag::Img => {
            if e.img_ok
                .is_some_and(|ok| !ok.get(i as usize).copied().unwrap_or(false))
            {
                return false;
            }
            let src = img_src(t, i).and_then(|s| e.resolve(s));
            let alt = t
                .attr(i, "alt")
                .map(normalize::text)
                .filter(|s| !s.is_empty());
            if let Some((
                _,
                Frame::Figure {
                    src: fs, alt: fa, ..
                },
            )) = e
                .frames
                .iter_mut()
                .rev()
                .find(|(_, f)| matches!(f, Frame::Figure { .. }))
            {
                if fs.is_none() {
                    *fs = src;
                    *fa = alt;
                }
            } else if let Some(src) = src {
                let img = Block::Image {
                    src,
                    alt,
                    caption: None,
                    credit: None,
                };
                if e.buf.trim().is_empty() {
                    e.push(img);
                } else {
                    e.pending_images.push(img);
                }
            }
            return false;
        }
        Tag::Inline | Tag::A | Tag::Time => return true,
        _ => {}
    }
    if n.el.is_none() && n.tag != Tag::Other {
        return false;
    }
    if !is_root && !e.raw && link_farm(t, i) {
        return false;
    }
    if e.in_pre() {
        return true;
    }
    let in_list = e
        .frames
        .iter()
        .rev()
        .find(|(_, f)| !matches!(f, Frame::Block))
        .map(|(_, f)| matches!(f, Frame::List { .. } | Frame::Item(_)))
        .unwrap_or(false);
    let frame = match n.tag {
        Tag::H(level) => Frame::Heading(level),
        Tag::Ul | Tag::Ol | Tag::Dl => {
            if in_list {
                // Nested list: its items join the outer list after the current item.
                e.flush();
                finish_item(e);
                Frame::Block
            } else {
                Frame::List {
                    ordered: n.tag == Tag::Ol,
                    items: Vec::new(),
                }
            }
        }
        Tag::Li | Tag::Dt | Tag::Dd if in_list => Frame::Item(String::new()),
        Tag::Blockquote => Frame::Quote(Vec::new()),
        Tag::Pre => Frame::Pre(String::new()),
        // A layout table's rows and cells are plain containers.
        Tag::Table => Frame::Table(data_table(t, i)),
        Tag::Tr if in_data_table(e) => Frame::Row(Vec::new()),
        Tag::Td if in_row(e) => Frame::Cell(String::new()),
        Tag::Figure => Frame::Figure {
            src: None,
            alt: None,
            caption: String::new(),
            text_kept: false,
        },
        Tag::Figcaption => Frame::Caption,
        _ => Frame::Block,
    };
    let frame = match frame {
        Frame::Block | Frame::Heading(_)
            if !is_root
                && !matches!(n.tag, Tag::Body | Tag::Main | Tag::Article)
                && caption_named(t, i) =>
        {
            caption_frame(t, i, e)
        }
        f => f,
    };
    e.flush();
    e.frames.push((i, frame));
    true
}

fn in_data_table(e: &Emitter<'_>) -> bool {
    matches!(
        e.frames
            .iter()
            .rev()
            .find(|(_, f)| !matches!(f, Frame::Block)),
        Some((_, Frame::Table(true)))
    )
}

fn in_row(e: &Emitter<'_>) -> bool {
    matches!(
        e.frames
            .iter()
            .rev()
            .find(|(_, f)| !matches!(f, Frame::Block)),
        Some((_, Frame::Row(_)))
    )
}

fn finish_item(e: &mut Emitter<'_>) {
    let pos = e
        .frames
        .iter()
        .rposition(|(_, f)| matches!(f, Frame::Item(_)));
    let Some(pos) = pos else { return };
    let text = match &mut e.frames[pos].1 {
        Frame::Item(s) => std::mem::take(s),
        _ => return,
    };
    if text.is_empty() {
        return;
    }
    if let Some((_, Frame::List { items, .. })) = e.frames[..pos]
        .iter_mut()
        .rev()
        .find(|(_, f)| matches!(f, Frame::List { .. }))
    {
        items.push(text);
    } else {
        e.push(Block::Paragraph { text });
    }
}

/// Handle leaving node `i`.
fn close(t: &Tree<'_>, i: u32, e: &mut Emitter<'_>) {
    if e.frames.last().map(|(n, _)| *n) != Some(i) {
        return;
    }
    let _ = t;
    e.flush();
    if matches!(e.frames.last(), Some((_, Frame::Item(_)))) {
        finish_item(e);
        e.frames.pop();
        return;
    }
    let Some((_, frame)) = e.frames.pop() else {
        return;
    };
    match frame {
        Frame::Block | Frame::Table(_) | Frame::Heading(_) | Frame::Caption | Frame::Item(_) => {}
        Frame::LooseCaption(text) => attach_caption(e, text),
        Frame::List { ordered, items } => {
            if !items.is_empty() {
                e.push(Block::List { ordered, items });
            }
        }
        Frame::Quote(paragraphs) => {
            if !paragraphs.is_empty() {
                e.blocks.push(Block::Blockquote { paragraphs });
            }
        }
        Frame::Pre(raw) => {
            let text = normalize::preformatted(&raw);
            if !text.is_empty() {
                // Counted as a unit of the <pre> itself (its frame is popped already).
                e.frames.push((i, Frame::Block));
                let admitted = e.admit(&text);
                e.frames.pop();
                if admitted {
                    e.push(Block::Preformatted { text });
                }
            }
        }
        Frame::Cell(text) => {
            if let Some((_, Frame::Row(cells))) = e.frames.last_mut() {
                cells.push(text);
            } else if !text.is_empty() {
                e.frames.push((i, Frame::Block));
                let admitted = e.admit(&text);
                e.frames.pop();
                if admitted {
                    e.deliver(text);
                }
            }
        }
        Frame::Row(cells) => {
            let cells: Vec<String> = cells.into_iter().filter(|c| !c.is_empty()).collect();
            if !cells.is_empty() {
                let text = cells.join(" | ");
                // One unit per row, counted as the row's (its frame is popped already).
                e.frames.push((i, Frame::Block));
                let admitted = e.admit(&text);
                e.frames.pop();
                if admitted {
                    e.deliver(text);
                }
            }
        }
        Frame::Figure {
            src,
            alt,
            caption,
            text_kept,
        } => {
            let caption = (!caption.is_empty() && (src.is_some() || text_kept || e.keep.is_none()))
                .then_some(caption);
            match src {
                Some(src) => {
                    let (caption, credit) = split_credit(caption);
                    e.push(Block::Image {
                        src,
                        alt,
                        caption,
                        credit,
                    });
                }
                None => {
                    if let Some(text) = caption {
                        e.deliver(text);
                    }
                }
            }
        }
    }
}

/// Class/id name parts of an image caption or legend.
const CAPTION_PARTS: &[&str] = &[
    "caption",
    "captions",
    "figcaption",
    "legend",
    "bildunterschrift",
    "bildtext",
    "imagecaption",
    "photocaption",
];

/// Does the class or id of element `i` name it an image caption ("wp-caption-text",
/// "media__caption", "figure__caption", "legend")?
fn caption_named(t: &Tree<'_>, i: u32) -> bool {
    let Some(el) = t.nodes[i as usize].el else {
        return false;
    };
    el.attrs()
        .filter(|(k, _)| *k == "class" || *k == "id")
        .flat_map(|(_, v)| v.split(|c: char| !c.is_ascii_alphanumeric()))
        .any(|p| {
            CAPTION_PARTS
                .iter()
                .any(|c| p.len() == c.len() && p.eq_ignore_ascii_case(c))
        })
}

/// The frame of a caption-named element: a figure when it wraps the image ("wp-caption",
/// "media-caption"), the figure's caption inside one, else a loose caption.
fn caption_frame(t: &Tree<'_>, i: u32, e: &Emitter<'_>) -> Frame {
    let in_figure = e
        .frames
        .iter()
        .any(|(_, f)| matches!(f, Frame::Figure { .. }));
    match (has_img(t, i), in_figure) {
        (true, true) => Frame::Block,
        (true, false) => Frame::Figure {
            src: None,
            alt: None,
            caption: String::new(),
            text_kept: false,
        },
        (false, true) => Frame::Caption,
        (false, false) => Frame::LooseCaption(String::new()),
    }
}

/// Is there an `<img>` below node `i`? After 500 nodes it stops descending (the
/// walk still passes the remaining siblings, each in O(1)): a caption wrapper is
/// small, and a big container named "caption" is not one.
fn has_img(t: &Tree<'_>, i: u32) -> bool {
    let (mut seen, mut found) = (0u32, false);
    t.walk(i, true, |n| {
        seen += 1;
        found |= n.tag == Tag::Img;
        !found && seen < 500
    });
    found
}

/// The image URL of `<img>` node `i`: `src`, else the lazy-loading attributes, else
/// the first candidate of `srcset`.
fn img_src<'a>(t: &Tree<'a>, i: u32) -> Option<&'a str> {
    ["src", "data-src", "data-lazy-src", "data-original"]
        .iter()
        .filter_map(|a| t.attr(i, a))
        .map(str::trim)
        .find(|s| !s.is_empty() && !s.starts_with("data:"))
        .or_else(|| {
            ["srcset", "data-srcset"]
                .iter()
                .filter_map(|a| t.attr(i, a))
                .find_map(|s| s.split(',').next()?.split_whitespace().next())
        })
}

/// Give a loose caption's text to the image just emitted (among the last three
/// blocks, when it has no caption yet); without one it is dropped, since it
/// describes a picture that is not in the body.
fn attach_caption(e: &mut Emitter<'_>, text: String) {
    if text.is_empty() {
        return;
    }
    let n = e.blocks.len();
    let img = e.blocks[n.saturating_sub(3)..]
        .iter_mut()
        .rev()
        .find_map(|b| match b {
            Block::Image {
                caption, credit, ..
            } => Some((caption, credit)),
            _ => None,
        });
    if let Some((caption @ None, credit)) = img {
        let (c, r) = split_credit(Some(text));
        *caption = c;
        if credit.is_none() {
            *credit = r;
        }
    }
}

/// "Caption text (Credit)" → caption and credit.
fn split_credit(caption: Option<String>) -> (Option<String>, Option<String>) {
    let Some(c) = caption else {
        return (None, None);
    };
    let looks_like_credit = |s: &str| {
        let l = s.to_lowercase();
        [
            "©", "photo", "foto", "image", "bild", "getty", "reuters", "picture", "credit", "wiki",
        ]
        .iter()
        .any(|k| l.contains(k))
    };
    if c.ends_with(')') {
        if let Some(open) = c.rfind('(') {
            let credit = c[open + 1..c.len() - 1].trim().to_string();
            let rest = c[..open].trim().to_string();
            if !credit.is_empty()
                && !rest.is_empty()
                && credit.len() < 80
                && looks_like_credit(&credit)
            {
                return (Some(rest), Some(credit));
            }
        }
    }
    (Some(c), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `<table>` elements of `html`, in document order, and whether each is a
    /// data table.
    fn tables(html: &str) -> Vec<bool> {
        let doc = scraper::Html::parse_document(html);
        let t = Tree::build(&doc);
        (0..t.nodes.len() as u32)
            .filter(|&i| t.nodes[i as usize].tag == Tag::Table)
            .map(|i| data_table(&t, i))
            .collect()
    }

    #[test]
    fn a_tables_kind_does_not_depend_on_the_boilerplate_marks_around_it() {
        let post = "<table><tr><td>member1<br>Joined: 2019</td><td><div class=\"author\">Posted: today</div>\
                    <div class=\"content\">A reply long enough to be a post of its own in the thread.</div></td></tr></table>";
        let figures =
            "<table><tr><td>Revenue</td><td>12</td></tr><tr><td>Costs</td><td>9</td></tr></table>";
        let page = format!(
            "<html><body><main>{post}{figures}</main>\
             <div id=\"comments\" class=\"comments\">{post}{figures}</div>\
             <div hidden>{post}</div></body></html>"
        );
        // Cells holding divs make a layout table, in the article and inside a
        // comment-named box alike; a grid of short cells is data in both.
        assert_eq!(tables(&page)[..4], [false, true, false, true]);
    }
}
