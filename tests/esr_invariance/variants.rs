//! Layout variants of an ESR page that change only chrome.
//!
//! The generator knows nothing of a page's words. It parses the page, finds its
//! landmarks by structure and by Enter Stage Right's *conventions* (the "ESR" end mark
//! closing the article, an italic author note right after it, a "home > … > this
//! article" breadcrumb, a table cell of links beside the article, copyright and
//! sign-up lines after it), and then moves, duplicates, wraps or adds chrome around
//! the article, re-writes the markup in other habits and re-encodes the bytes. Every
//! transformation is a [`Step`]; a variant is a list of steps, applied in a fixed
//! order, so any step can be replayed alone to find which one changed an article.
//!
//! All inserted chrome (navigation, "Other related articles" boxes, sign-up lines,
//! banner-exchange blocks, comments) is the generator's own vocabulary. Walks over the
//! DOM are `ego_tree` iterators or loops bounded by the tree's depth: no recursion.

use std::collections::HashMap;
use std::sync::LazyLock;

use ego_tree::{NodeId, Tree};
use regex::Regex;
use scraper::node::{Comment, Text};
use scraper::{Html, Node, StrTendril};

use crate::serialize::{self, AttrOrder, Case, Enc, Quote, Style};

type Dom = Tree<Node>;

// ---------------------------------------------------------------------------------
// ESR conventions (structure and recurring chrome, never an article's words).

/// "ESR" closing the last paragraph after a sentence end ("… answer. ESR").
static MARK_AFTER_SENTENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"[.!?”’"')\]]\s*ESR\s*$"#).unwrap());
/// "ESR" closing a long run of text.
static MARK_AFTER_SPACE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\sESR\s*$").unwrap());
/// The mark and the space before it, to split it off its paragraph.
static MARK_SUFFIX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*ESR\s*$").unwrap());
/// File names of end-mark images.
static MARK_IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|/)(?:esr|esrend|end|endmark)(?:[_-]?(?:mark|small|sm))?\.(?:gif|jpe?g|png)$",
    )
    .unwrap()
});
static CRUMB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^home\s*(?:>|»|::)\s*\S").unwrap());
static CRUMB_SEP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*(?:>|»|::)\s*").unwrap());
static CRUMB_SELF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^this (?:article|review|page|column|issue)$").unwrap());
/// What Apache prints for a server-side include it could not process.
static SSI_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*\[an error occurred while processing th(?:is|e) directive\]\s*$").unwrap()
});
/// Lines of ESR's page footer and sign-up chrome.
static FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)©|\(c\)\s*\d{4}|copyright|all rights reserved|get weekly updates|banner exchange|link ?exchange|^site\s*map$|e-?mail\s+esr|you are visitor",
    )
    .unwrap()
});

const BLOCK: &[&str] = &[
    "address",
    "blockquote",
    "body",
    "center",
    "dd",
    "div",
    "dl",
    "dt",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];
/// Blocks that hold one paragraph's worth of content.
const PARA: &[&str] = &[
    "address",
    "blockquote",
    "center",
    "dd",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "p",
];
const NOT_TEXT: &[&str] = &["script", "style", "noscript", "title", "head", "textarea"];

// ---------------------------------------------------------------------------------
// DOM helpers.

fn name(dom: &Dom, id: NodeId) -> Option<&str> {
    dom.get(id)?.value().as_element().map(|e| e.name())
}

fn is(dom: &Dom, id: NodeId, set: &[&str]) -> bool {
    name(dom, id).is_some_and(|n| set.contains(&n))
}

fn has_ancestor(dom: &Dom, id: NodeId, set: &[&str]) -> bool {
    dom.get(id).is_some_and(|n| {
        n.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| set.contains(&e.name()))
        })
    })
}

/// Visible text under `id`, whitespace collapsed.
fn text(dom: &Dom, id: NodeId) -> String {
    let Some(node) = dom.get(id) else {
        return String::new();
    };
    let mut s = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            if d.parent().is_some_and(|p| is(dom, p.id(), NOT_TEXT)) {
                continue;
            }
            s.push_str(t);
            s.push(' ');
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters (not counting whitespace) of visible text under `id`.
fn visible_chars(dom: &Dom, id: NodeId) -> usize {
    let Some(node) = dom.get(id) else { return 0 };
    node.descendants()
        .filter(|d| !d.parent().is_some_and(|p| is(dom, p.id(), NOT_TEXT)))
        .filter_map(|d| {
            d.value()
                .as_text()
                .map(|t| t.split_whitespace().map(str::len).sum::<usize>())
        })
        .sum()
}

/// Characters (not counting whitespace) of text under `id` that sit inside links.
fn link_chars(dom: &Dom, id: NodeId) -> usize {
    let Some(node) = dom.get(id) else { return 0 };
    node.descendants()
        .filter_map(|d| d.value().as_text().map(|t| (d, t)))
        .filter(|(d, _)| {
            d.ancestors()
                .take_while(|a| a.id() != id)
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "a"))
        })
        .map(|(_, t)| t.split_whitespace().map(str::len).sum::<usize>())
        .sum()
}

fn is_whitespace_text(dom: &Dom, id: NodeId) -> bool {
    dom.get(id)
        .and_then(|n| n.value().as_text().map(|t| t.trim().is_empty()))
        .unwrap_or(false)
}

fn contains(dom: &Dom, outer: NodeId, inner: NodeId) -> bool {
    outer == inner
        || dom
            .get(inner)
            .is_some_and(|n| n.ancestors().any(|a| a.id() == outer))
}

fn detach(dom: &mut Dom, id: NodeId) {
    if let Some(mut n) = dom.get_mut(id) {
        n.detach();
    }
}

fn attached(dom: &Dom, id: NodeId) -> bool {
    dom.get(id).is_some_and(|n| n.parent().is_some())
}

/// Moves are refused (not panicked on) when they would make a cycle or when the
/// anchor is not in the document.
fn check_move(dom: &Dom, anchor: NodeId, nodes: &[NodeId], sibling: bool) -> Result<(), Skip> {
    if dom.get(anchor).is_none() || (sibling && !attached(dom, anchor)) {
        return Err("anchor not in the document");
    }
    if nodes.iter().any(|&n| contains(dom, n, anchor)) {
        return Err("would move a node into itself");
    }
    Ok(())
}

fn insert_before(dom: &mut Dom, anchor: NodeId, nodes: &[NodeId]) -> Result<(), Skip> {
    check_move(dom, anchor, nodes, true)?;
    for &n in nodes {
        detach(dom, n);
        dom.get_mut(anchor).ok_or("anchor")?.insert_id_before(n);
    }
    Ok(())
}

fn insert_after(dom: &mut Dom, anchor: NodeId, nodes: &[NodeId]) -> Result<(), Skip> {
    check_move(dom, anchor, nodes, true)?;
    let mut last = anchor;
    for &n in nodes {
        detach(dom, n);
        dom.get_mut(last).ok_or("anchor")?.insert_id_after(n);
        last = n;
    }
    Ok(())
}

fn append(dom: &mut Dom, parent: NodeId, nodes: &[NodeId]) -> Result<(), Skip> {
    check_move(dom, parent, nodes, false)?;
    for &n in nodes {
        detach(dom, n);
        dom.get_mut(parent).ok_or("parent")?.append_id(n);
    }
    Ok(())
}

fn prepend(dom: &mut Dom, parent: NodeId, nodes: &[NodeId]) -> Result<(), Skip> {
    check_move(dom, parent, nodes, false)?;
    for &n in nodes.iter().rev() {
        detach(dom, n);
        dom.get_mut(parent).ok_or("parent")?.prepend_id(n);
    }
    Ok(())
}

fn children(dom: &Dom, id: NodeId) -> Vec<NodeId> {
    dom.get(id)
        .map(|n| n.children().map(|c| c.id()).collect())
        .unwrap_or_default()
}

/// Parse `html` (the generator's own markup) as body content and graft it into `dom`
/// as detached nodes.
fn graft(dom: &mut Dom, html: &str) -> Vec<NodeId> {
    let frag = Html::parse_fragment(html);
    let root = dom.extend_tree(frag.tree).id();
    // Fragment root > <html> > the nodes.
    let holder = dom
        .get(root)
        .and_then(|r| r.first_child())
        .map(|h| h.id())
        .expect("fragment root holds an html element");
    let nodes = children(dom, holder);
    for &n in &nodes {
        detach(dom, n);
    }
    nodes
}

/// Graft one element and return it.
fn graft_one(dom: &mut Dom, html: &str) -> NodeId {
    let nodes = graft(dom, html);
    nodes
        .into_iter()
        .find(|&n| name(dom, n).is_some())
        .expect("fragment has an element")
}

/// A `<td>` or `<tr>` needs a table around it to parse: graft the table and take the
/// first element called `want` out of it.
fn graft_table_part(dom: &mut Dom, html: &str, want: &str) -> NodeId {
    let table = graft_one(dom, html);
    let found = dom
        .get(table)
        .and_then(|t| {
            t.descendants()
                .find(|d| d.value().as_element().is_some_and(|e| e.name() == want))
        })
        .map(|d| d.id())
        .expect("table part");
    detach(dom, found);
    found
}

/// Deep copy of the subtree at `src`, detached. Iterative.
fn clone_subtree(dom: &mut Dom, src: NodeId) -> NodeId {
    use ego_tree::iter::Edge;
    let mut items: Vec<(Node, Option<usize>)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for edge in dom.get(src).expect("source").traverse() {
        match edge {
            Edge::Open(n) => {
                items.push((n.value().clone(), open.last().copied()));
                open.push(items.len() - 1);
            }
            Edge::Close(_) => {
                open.pop();
            }
        }
    }
    let mut ids: Vec<NodeId> = Vec::with_capacity(items.len());
    for (value, parent) in items {
        let id = match parent {
            None => dom.orphan(value).id(),
            Some(p) => dom
                .get_mut(ids[p])
                .expect("copied parent")
                .append(value)
                .id(),
        };
        ids.push(id);
    }
    ids[0]
}

fn new_text(dom: &mut Dom, s: &str) -> NodeId {
    dom.orphan(Node::Text(Text {
        text: StrTendril::from(s),
    }))
    .id()
}

fn new_comment(dom: &mut Dom, s: &str) -> NodeId {
    dom.orphan(Node::Comment(Comment {
        comment: StrTendril::from(s),
    }))
    .id()
}

fn set_text(dom: &mut Dom, id: NodeId, s: &str) {
    if let Some(mut n) = dom.get_mut(id) {
        if let Node::Text(t) = n.value() {
            t.text = StrTendril::from(s);
        }
    }
}

// ---------------------------------------------------------------------------------
// Landmarks.

/// How the end mark is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkForm {
    /// "ESR" ending a text node that holds the paragraph's text.
    Suffix,
    /// An element or text node that is only "ESR" (`<b>ESR</b>`).
    Word,
    /// An end-mark image.
    Image,
}

#[derive(Clone, Debug)]
pub struct EndMark {
    /// The text node, the "ESR" element, or the image.
    pub unit: NodeId,
    pub form: MarkForm,
    /// Nearest block ancestor.
    pub block: NodeId,
    /// The block holds nothing but the mark.
    pub standalone: bool,
}

#[derive(Clone, Debug)]
pub struct Landmarks {
    pub body: NodeId,
    pub head: Option<NodeId>,
    /// The table cell that holds the article (its end mark), or `<body>`.
    pub container: NodeId,
    pub end_mark: Option<EndMark>,
    /// The author note: the nodes to move (an italic paragraph, or an inline italic
    /// run with the line breaks that set it off before it).
    pub bio: Option<Vec<NodeId>>,
    /// Link columns beside the article in the layout row.
    pub nav_cells: Vec<NodeId>,
    pub layout_row: Option<NodeId>,
    /// The outermost table around the article.
    pub layout_table: Option<NodeId>,
    /// The breadcrumb block and whether it has no trail ("home > this article").
    pub breadcrumb: Option<(NodeId, bool)>,
    /// Footer lines (copyright, site map, e-mail, sign-up) after the article.
    pub footer: Vec<NodeId>,
}

impl Landmarks {
    /// Insert "after the end mark" here: after the mark's paragraph when the mark ends
    /// a paragraph block of its own, else right after the mark itself.
    fn after_mark(&self, dom: &Dom) -> Option<NodeId> {
        let m = self.end_mark.as_ref()?;
        let bio_inside = self
            .bio
            .as_ref()
            .is_some_and(|b| b.iter().any(|&n| contains(dom, m.block, n)));
        if is(dom, m.block, PARA) && !bio_inside {
            Some(m.block)
        } else {
            Some(m.unit)
        }
    }

    /// The last node of the article's end: the bio or the end mark, whichever comes
    /// later (a bio moved before the mark no longer ends the article).
    fn end_region(&self, dom: &Dom) -> Option<NodeId> {
        let mark = self.after_mark(dom);
        if let Some(b) = self.bio.as_ref().and_then(|b| b.last()) {
            if dom.get(*b).is_some_and(|n| n.parent().is_some()) {
                let ord = order(dom);
                let later = match (mark.and_then(|m| ord.get(&m)), ord.get(b)) {
                    (Some(m), Some(bo)) => m > bo,
                    _ => false,
                };
                return Some(if later { mark.unwrap_or(*b) } else { *b });
            }
        }
        mark
    }
}

/// Document order of every node, for "after" comparisons.
fn order(dom: &Dom) -> HashMap<NodeId, usize> {
    dom.root()
        .descendants()
        .enumerate()
        .map(|(i, n)| (n.id(), i))
        .collect()
}

fn find_end_mark(dom: &Dom, body: NodeId) -> Option<(NodeId, MarkForm)> {
    for d in dom.get(body)?.descendants() {
        if has_ancestor(dom, d.id(), &["a", "head", "script", "style", "title"]) {
            continue;
        }
        match d.value() {
            Node::Text(t) => {
                let t = t.trim();
                if t == "ESR" {
                    return Some((d.id(), MarkForm::Word));
                }
                if MARK_AFTER_SENTENCE.is_match(t)
                    || (t.len() >= 100 && MARK_AFTER_SPACE.is_match(t))
                {
                    return Some((d.id(), MarkForm::Suffix));
                }
            }
            Node::Element(e) if e.name() == "img" => {
                let src = e.attr("src").unwrap_or("");
                let src = src.split(['?', '#']).next().unwrap_or("");
                if MARK_IMAGE.is_match(src)
                    || e.attr("alt")
                        .is_some_and(|a| a.trim().eq_ignore_ascii_case("ESR"))
                {
                    return Some((d.id(), MarkForm::Image));
                }
            }
            _ => {}
        }
    }
    None
}

fn nearest_block(dom: &Dom, id: NodeId) -> NodeId {
    dom.get(id)
        .and_then(|n| {
            n.ancestors().find(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| BLOCK.contains(&e.name()))
            })
        })
        .map(|a| a.id())
        .unwrap_or(id)
}

/// The next node after the subtree of `id` in document order, not leaving `stop`.
fn next_after(dom: &Dom, id: NodeId, stop: NodeId) -> Option<NodeId> {
    let mut cur = dom.get(id)?;
    loop {
        if let Some(s) = cur.next_sibling() {
            return Some(s.id());
        }
        let p = cur.parent()?;
        if p.id() == stop {
            return None;
        }
        cur = p;
    }
}

/// The author note: the first thing with text after the end mark, if all its text is
/// italic. Line breaks, rules, whitespace, comments and the error line of an
/// unprocessed server-side include before it are skipped.
fn find_bio(dom: &Dom, from: NodeId, container: NodeId) -> Option<Vec<NodeId>> {
    let mut cur = next_after(dom, from, container);
    while let Some(id) = cur {
        let node = dom.get(id)?;
        match node.value() {
            Node::Comment(_) => {}
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(t) if SSI_ERROR.is_match(t) => {}
            Node::Text(_) => return None,
            Node::Element(e) => {
                let t = text(dom, id);
                if !t.is_empty() && !SSI_ERROR.is_match(&t) {
                    let italic = ["i", "em", "cite"];
                    let all_italic = e.name() == "i"
                        || e.name() == "em"
                        || node.descendants().all(|d| match d.value() {
                            Node::Text(tx) => {
                                tx.trim().is_empty()
                                    || d.ancestors().take_while(|a| a.id() != id).any(|a| {
                                        a.value()
                                            .as_element()
                                            .is_some_and(|e| italic.contains(&e.name()))
                                    })
                            }
                            _ => true,
                        });
                    if !all_italic || t.len() < 15 {
                        return None;
                    }
                    let mut unit = vec![id];
                    if !is(dom, id, BLOCK) {
                        // An inline note: the line breaks that set it off from the
                        // text before it go with it.
                        let mut prev = node.prev_sibling();
                        while let Some(n) = prev {
                            if is(dom, n.id(), &["br"]) && unit.len() < 3 {
                                unit.insert(0, n.id());
                            } else if !is_whitespace_text(dom, n.id()) {
                                break;
                            }
                            prev = n.prev_sibling();
                        }
                    }
                    return Some(unit);
                }
                if !matches!(e.name(), "br" | "hr" | "p" | "div" | "font" | "span") {
                    return None;
                }
            }
            _ => {}
        }
        cur = next_after(dom, id, container);
    }
    None
}

/// The first child of `container` with real text outside links: where the article's
/// head begins (breadcrumb, kicker, title or byline).
pub fn head_anchor(dom: &Dom, container: NodeId) -> Option<NodeId> {
    let c = dom.get(container)?;
    for d in c.descendants() {
        let Node::Text(t) = d.value() else { continue };
        if t.chars().filter(|c| !c.is_whitespace()).count() < 3
            || has_ancestor(dom, d.id(), &["a", "script", "style", "noscript"])
        {
            continue;
        }
        return d
            .ancestors()
            .take_while(|a| a.id() != container)
            .last()
            .map(|a| a.id())
            .or(Some(d.id()));
    }
    None
}

pub fn analyse(dom: &Dom) -> Option<Landmarks> {
    let html = dom
        .root()
        .children()
        .find(|c| c.value().as_element().is_some_and(|e| e.name() == "html"))?;
    let body = html
        .children()
        .find(|c| c.value().as_element().is_some_and(|e| e.name() == "body"))?
        .id();
    let head = html
        .children()
        .find(|c| c.value().as_element().is_some_and(|e| e.name() == "head"))
        .map(|h| h.id());
    let ord = order(dom);

    let mark = find_end_mark(dom, body);
    let end_mark = mark.map(|(node, form)| {
        // A word mark's unit is its highest wrapper that holds nothing else (<b>ESR</b>).
        let mut unit = node;
        if form == MarkForm::Word {
            while let Some(p) = dom.get(unit).and_then(|n| n.parent()) {
                if is(dom, p.id(), BLOCK) || text(dom, p.id()) != "ESR" {
                    break;
                }
                unit = p.id();
            }
        }
        let block = nearest_block(dom, unit);
        let bt = text(dom, block);
        let standalone =
            is(dom, block, PARA) && (bt == "ESR" || (form == MarkForm::Image && bt.is_empty()));
        EndMark {
            unit,
            form,
            block,
            standalone,
        }
    });

    // The article's cell: the nearest cell around the end mark that holds real text;
    // without an end mark, the cell with the most text outside links.
    let body_text = visible_chars(dom, body).max(1);
    let container = if let Some(m) = &end_mark {
        dom.get(m.unit)
            .into_iter()
            .flat_map(|n| n.ancestors())
            .find(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "td" | "th"))
                    && visible_chars(dom, a.id()).saturating_sub(link_chars(dom, a.id())) * 3
                        >= body_text
            })
            .map(|a| a.id())
            .unwrap_or(body)
    } else {
        dom.get(body)
            .into_iter()
            .flat_map(|b| b.descendants())
            .filter(|d| {
                d.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "td" | "th"))
            })
            .map(|d| {
                // Text of the cell that is not inside a nested cell.
                let own: usize = d
                    .descendants()
                    .filter(|x| x.value().is_text())
                    .filter(|x| {
                        x.ancestors()
                            .find(|a| {
                                a.value()
                                    .as_element()
                                    .is_some_and(|e| matches!(e.name(), "td" | "th"))
                            })
                            .is_some_and(|a| a.id() == d.id())
                    })
                    .filter(|x| !has_ancestor(dom, x.id(), &["a"]))
                    .map(|x| {
                        x.value()
                            .as_text()
                            .map(|t| t.split_whitespace().map(str::len).sum::<usize>())
                            .unwrap_or(0)
                    })
                    .sum();
                (own, d.id())
            })
            .filter(|(own, _)| own * 2 >= body_text)
            .max_by_key(|(own, _)| *own)
            .map(|(_, id)| id)
            .unwrap_or(body)
    };

    // Link columns: other cells of a row around the article that are mostly links.
    let mut nav_cells = Vec::new();
    let mut layout_row = None;
    let cells_up: Vec<NodeId> = dom
        .get(container)
        .into_iter()
        .flat_map(|c| std::iter::once(c).chain(c.ancestors()))
        .filter(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "td" | "th"))
        })
        .map(|a| a.id())
        .collect();
    for cell in cells_up {
        let Some(row) = dom.get(cell).and_then(|c| c.parent()) else {
            continue;
        };
        let navs: Vec<NodeId> = row
            .children()
            .filter(|s| s.id() != cell && is(dom, s.id(), &["td", "th"]))
            .filter(|s| {
                let t = visible_chars(dom, s.id());
                let links = s
                    .descendants()
                    .filter(|d| {
                        d.value()
                            .as_element()
                            .is_some_and(|e| e.name() == "a" && e.attr("href").is_some())
                    })
                    .count();
                t > 0 && links >= 3 && link_chars(dom, s.id()) * 2 >= t
            })
            .map(|s| s.id())
            .collect();
        if !navs.is_empty() {
            nav_cells = navs;
            layout_row = Some(row.id());
            break;
        }
    }
    let layout_table = dom
        .get(container)
        .into_iter()
        .flat_map(|c| c.ancestors())
        .filter(|a| a.value().as_element().is_some_and(|e| e.name() == "table"))
        .last()
        .map(|a| a.id());

    let breadcrumb = dom.get(body).and_then(|b| {
        b.descendants()
            .filter(|d| {
                d.value().as_element().is_some_and(|e| {
                    matches!(
                        e.name(),
                        "p" | "div" | "center" | "font" | "span" | "td" | "nav"
                    )
                })
            })
            .filter(|d| !d.children().any(|c| is(dom, c.id(), BLOCK)))
            .find_map(|d| {
                let t = text(dom, d.id());
                if t.len() > 200 || !CRUMB.is_match(&t) {
                    return None;
                }
                // A navigation bar that starts at "Home" ("Home :: Archive :: …",
                // every item a link, the last one not the page) is not a breadcrumb.
                let items: Vec<&str> = CRUMB_SEP
                    .split(&t)
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .collect();
                let item_chars: usize = items
                    .iter()
                    .map(|x| x.split_whitespace().map(str::len).sum::<usize>())
                    .sum();
                let ends_at_page = items.last().is_some_and(|l| CRUMB_SELF.is_match(l));
                if !ends_at_page && link_chars(dom, d.id()) >= item_chars {
                    return None;
                }
                // The highest wrapper that holds only the breadcrumb.
                let mut top = d.id();
                while let Some(p) = dom.get(top).and_then(|n| n.parent()) {
                    if p.id() == container
                        || p.id() == body
                        || is(dom, p.id(), &["td", "th", "tr", "table"])
                        || text(dom, p.id()) != t
                    {
                        break;
                    }
                    top = p.id();
                }
                let parts: Vec<&str> = CRUMB_SEP.split(&t).collect();
                let trail_free = parts.len() == 2 && CRUMB_SELF.is_match(parts[1].trim());
                Some((top, trail_free))
            })
    });

    let mut lm = Landmarks {
        body,
        head,
        container,
        end_mark,
        bio: None,
        nav_cells,
        layout_row,
        layout_table,
        breadcrumb,
        footer: Vec::new(),
    };
    if let Some(m) = &lm.end_mark {
        lm.bio = find_bio(dom, m.unit, container);
    }

    // Footer lines: paragraph blocks after the article's end (or outside its cell) that
    // match ESR's footer chrome; innermost blocks only.
    let end_at = lm.end_region(dom).and_then(|e| ord.get(&e).copied());
    lm.footer = dom
        .get(body)
        .into_iter()
        .flat_map(|b| b.descendants())
        .filter(|d| {
            d.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "p" | "div" | "center"))
        })
        .filter(|d| {
            !d.descendants()
                .skip(1)
                .any(|x| is(dom, x.id(), &["p", "div", "center", "table"]))
        })
        .filter(|d| {
            let t = text(dom, d.id());
            !t.is_empty() && t.len() <= 300 && FOOTER.is_match(&t)
        })
        .filter(|d| match end_at {
            Some(e) => ord.get(&d.id()).is_some_and(|&pos| pos > e),
            None => !contains(dom, container, d.id()),
        })
        .filter(|d| {
            !lm.bio.as_ref().is_some_and(|b| {
                b.iter()
                    .any(|&n| contains(dom, d.id(), n) || contains(dom, n, d.id()))
            })
        })
        .map(|d| d.id())
        .collect();
    Some(lm)
}

// ---------------------------------------------------------------------------------
// Steps.

/// Places outside the article where chrome can go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot {
    BodyStart,
    BodyEnd,
    BeforeLayout,
    AfterLayout,
    NewColumnLeft,
    NewColumnRight,
    NavColumnTop,
    NavColumnBottom,
    BeforeArticleHead,
    AfterEndRegion,
}

impl Spot {
    fn label(self) -> &'static str {
        match self {
            Spot::BodyStart => "body-start",
            Spot::BodyEnd => "body-end",
            Spot::BeforeLayout => "before-layout-table",
            Spot::AfterLayout => "after-layout-table",
            Spot::NewColumnLeft => "new-left-column",
            Spot::NewColumnRight => "new-right-column",
            Spot::NavColumnTop => "nav-column-top",
            Spot::NavColumnBottom => "nav-column-bottom",
            Spot::BeforeArticleHead => "before-article-head",
            Spot::AfterEndRegion => "after-end-region",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavPos {
    Left,
    Right,
    TopRow,
    BottomRow,
    TopBlock,
    BottomBlock,
}

impl NavPos {
    fn label(self) -> &'static str {
        match self {
            NavPos::Left => "left",
            NavPos::Right => "right",
            NavPos::TopRow => "top-row",
            NavPos::BottomRow => "bottom-row",
            NavPos::TopBlock => "top",
            NavPos::BottomBlock => "bottom",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavStyle {
    /// A table of one link per row, like ESR's left column.
    Column,
    /// One line of links separated by " | ".
    Bar,
    /// Links separated by line breaks.
    Lines,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapper {
    Table,
    Font,
    FontSized,
    Center,
    Div,
}

impl Wrapper {
    fn label(self) -> &'static str {
        match self {
            Wrapper::Table => "table",
            Wrapper::Font => "font",
            Wrapper::FontSized => "font-size",
            Wrapper::Center => "center",
            Wrapper::Div => "div",
        }
    }
    fn open(self) -> &'static str {
        match self {
            Wrapper::Table => {
                r#"<table width="100%" border="0" cellspacing="0" cellpadding="6"><tr><td valign="top">"#
            }
            Wrapper::Font => r#"<font face="Verdana, Arial, Helvetica, sans-serif">"#,
            Wrapper::FontSized => r#"<font face="Arial, Helvetica, sans-serif" size="2">"#,
            Wrapper::Center => "<center>",
            Wrapper::Div => r#"<div align="left">"#,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelatedPos {
    /// Between the last paragraph and the end mark (the mark on a line of its own).
    BeforeEndMark,
    AfterEndMark,
    AfterBio,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoxStyle {
    List,
    Table,
    Lines,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BioPos {
    /// Just before the end mark (the mark on a line of its own after it).
    BeforeEndMark,
    /// After a rule following the end mark.
    AfterRule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FooterOp {
    /// A copy of one footer line elsewhere outside the article.
    Duplicate(Spot),
    /// All footer lines moved.
    Move(Spot),
    /// A "Get weekly updates about new issues of ESR!" sign-up block (in a form or not).
    Weekly(Spot, bool),
    /// A banner-exchange block.
    Banner(Spot),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meta {
    /// `<meta http-equiv>` naming the encoding used.
    Match,
    /// `<meta charset>` naming the encoding used.
    Html5,
    Removed,
    /// Naming the other encoding (the HTTP header then tells the truth).
    Lying,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Http {
    /// `text/html; charset=<the encoding used>`.
    Truthful,
    /// `text/html`.
    Bare,
    /// No Content-Type at all.
    Absent,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The end mark moved out of the last paragraph onto a line of its own.
    MarkOwnLine,
    NavMove(NavPos, usize),
    NavDuplicate(NavPos, usize),
    NavInsert(Spot, NavStyle),
    WrapArticle(Vec<Wrapper>),
    WrapPage(Vec<Wrapper>),
    Related(RelatedPos, BoxStyle, u64),
    Bio(BioPos),
    CrumbAdd,
    CrumbRemove,
    Footer(FooterOp, usize),
    Comments(u64),
    Whitespace {
        strip: bool,
        seed: u64,
    },
    Markup(Style),
    Charset {
        enc: Enc,
        meta: Meta,
        http: Http,
    },
}

impl Step {
    /// Stable name of the transformation, used in reports and in the allow-list.
    pub fn label(&self) -> String {
        let wrappers = |w: &[Wrapper]| w.iter().map(|w| w.label()).collect::<Vec<_>>().join("+");
        match self {
            Step::MarkOwnLine => "end-mark:own-line".into(),
            Step::NavMove(p, _) => format!("nav-move:{}", p.label()),
            Step::NavDuplicate(p, _) => format!("nav-duplicate:{}", p.label()),
            Step::NavInsert(s, st) => format!("nav-insert:{}:{st:?}", s.label()).to_lowercase(),
            Step::WrapArticle(w) => format!("wrap-article:{}", wrappers(w)),
            Step::WrapPage(w) => format!("wrap-page:{}", wrappers(w)),
            Step::Related(p, s, _) => format!(
                "related-box:{}:{}",
                match p {
                    RelatedPos::BeforeEndMark => "before-end-mark",
                    RelatedPos::AfterEndMark => "after-end-mark",
                    RelatedPos::AfterBio => "after-bio",
                },
                format!("{s:?}").to_lowercase()
            ),
            Step::Bio(BioPos::BeforeEndMark) => "bio:before-end-mark".into(),
            Step::Bio(BioPos::AfterRule) => "bio:after-rule".into(),
            Step::CrumbAdd => "breadcrumb:add-trail-free".into(),
            Step::CrumbRemove => "breadcrumb:remove-trail-free".into(),
            Step::Footer(op, _) => match op {
                FooterOp::Duplicate(s) => format!("footer:duplicate:{}", s.label()),
                FooterOp::Move(s) => format!("footer:move:{}", s.label()),
                FooterOp::Weekly(s, form) => {
                    format!(
                        "footer:weekly-updates{}:{}",
                        if *form { "-form" } else { "" },
                        s.label()
                    )
                }
                FooterOp::Banner(s) => format!("footer:banner-exchange:{}", s.label()),
            },
            Step::Comments(_) => "comments-and-ssi".into(),
            Step::Whitespace { strip, .. } => {
                if *strip {
                    "whitespace:strip".into()
                } else {
                    "whitespace:add".into()
                }
            }
            Step::Markup(s) => format!("markup:{}", s.describe()),
            Step::Charset { enc, meta, http } => {
                format!("charset:{}:meta-{meta:?}:http-{http:?}", enc.label()).to_lowercase()
            }
        }
    }

    /// Application order: edits near the article's end first (they find their
    /// anchors in the original structure), then navigation, wrappers, markup noise.
    fn rank(&self) -> u8 {
        match self {
            Step::MarkOwnLine => 0,
            Step::Related(..) => 1,
            Step::Footer(..) => 2,
            Step::CrumbAdd | Step::CrumbRemove => 3,
            Step::Bio(_) => 4,
            Step::NavInsert(..) => 5,
            Step::NavDuplicate(..) => 6,
            Step::NavMove(..) => 7,
            Step::WrapArticle(_) => 8,
            Step::WrapPage(_) => 9,
            Step::Comments(_) => 10,
            Step::Whitespace { .. } => 11,
            Step::Charset { .. } => 12,
            Step::Markup(_) => 13,
        }
    }
}

// ---------------------------------------------------------------------------------
// The generator's own chrome.

const NAV_LINKS: &[(&str, &str)] = &[
    ("Home", "../../../index.html"),
    ("Archive", "../../index.html"),
    ("Site Map", "../../../site_map.html"),
    ("Columnists", "../../../columnists.html"),
    ("Search", "../../../search.html"),
    ("E-mail ESR", "mailto:esr@enterstageright.com"),
];

/// Invented headlines for "Other related articles" boxes.
const RELATED_TITLES: &[&str] = &[
    "A tariff by any other name",
    "What the provinces owe Ottawa",
    "The long road to school choice",
    "Notes on a minority parliament",
    "Why regulation never shrinks",
    "The pension promise, revisited",
    "Farm subsidies and the family farm",
    "A reply to my critics",
    "The trouble with central planning",
    "Lessons from the 1993 election",
];

fn nav_html(style: NavStyle) -> String {
    match style {
        NavStyle::Column => {
            let rows: String = NAV_LINKS
                .iter()
                .map(|(t, h)| {
                    format!(
                        r#"<tr><td><font face="Arial, Helvetica, sans-serif" size="1"><b><a href="{h}">{t}</a></b></font></td></tr>"#
                    )
                })
                .collect();
            format!(
                r#"<table border="0" cellpadding="3" cellspacing="0" width="140">{rows}</table>"#
            )
        }
        NavStyle::Bar => {
            let links: Vec<String> = NAV_LINKS
                .iter()
                .map(|(t, h)| format!(r#"<a href="{h}">{t}</a>"#))
                .collect();
            format!(
                r#"<p align="center"><font face="Arial, Helvetica, sans-serif" size="1">{}</font></p>"#,
                links.join(" | ")
            )
        }
        NavStyle::Lines => {
            let links: Vec<String> = NAV_LINKS
                .iter()
                .map(|(t, h)| format!(r#"<a href="{h}">{t}</a>"#))
                .collect();
            format!(
                r#"<div><font size="1">{}</font></div>"#,
                links.join("<br>\n")
            )
        }
    }
}

fn related_html(style: BoxStyle, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let n = rng.usize(3..=5);
    let mut titles: Vec<&str> = RELATED_TITLES.to_vec();
    rng.shuffle(&mut titles);
    let links: Vec<String> = titles
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, t)| format!(r#"<a href="../../articles/related{}.htm">{t}</a>"#, i + 1))
        .collect();
    match style {
        BoxStyle::List => format!(
            "<p><b>Other related articles</b></p>\n<ul>\n{}\n</ul>",
            links
                .iter()
                .map(|l| format!("<li>{l}</li>"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        BoxStyle::Table => format!(
            r##"<table border="1" cellpadding="4" cellspacing="0" width="160" align="right" bordercolor="#000066"><tr><td bgcolor="#000066"><font color="#FFFFFF" size="2"><b>Other related articles</b></font></td></tr><tr><td><font size="1">{}</font></td></tr></table>"##,
            links.join("<br>\n")
        ),
        BoxStyle::Lines => format!(
            r#"<p><font size="2"><b>Other related articles</b><br>{}</font></p>"#,
            links.join("<br>\n")
        ),
    }
}

const CRUMB_HTML: &str = r#"<p><font size="1" face="Arial, Helvetica, sans-serif"><a href="../../../index.html">home</a> &gt; this article</font></p>"#;

fn weekly_html(form: bool) -> &'static str {
    if form {
        r#"<form method="post" action="/cgi-bin/subscribe.pl"><p align="center"><font size="2">Get weekly updates about new issues of ESR!<br>Enter your e-mail address: <input type="text" name="email" size="20"> <input type="submit" value="Subscribe"></font></p></form>"#
    } else {
        r#"<p align="center"><font size="2"><b>Get weekly updates about new issues of ESR!</b> <a href="../../../subscribe.html">Subscribe here</a></font></p>"#
    }
}

const BANNER_HTML: &str = r#"<center><a href="http://banners.example.org/cgi-bin/click?member=esr"><img src="http://banners.example.org/cgi-bin/show?member=esr" width="468" height="60" border="1" ismap alt="Banner Exchange"></a><br><font size="1">This site is a member of the <a href="http://banners.example.org/">Conservative Banner Exchange</a></font></center>"#;

const COMMENTS: &[&str] = &[
    " begin article ",
    " end article ",
    " #BeginEditable \"body\" ",
    " #EndEditable ",
    " google_ad_section_start ",
    " google_ad_section_end ",
    "#include virtual=\"/includes/nav.html\" ",
    "#include virtual=\"/includes/footer.shtml\" ",
    "#echo var=\"LAST_MODIFIED\" ",
    "#config timefmt=\"%B %d, %Y\" ",
    " InstanceBeginEditable name=\"content\" ",
    " ESR footer ",
];

// ---------------------------------------------------------------------------------
// Applying steps.

/// Why a step could not be applied to this page.
pub type Skip = &'static str;

fn spot_ok(dom: &Dom, lm: &Landmarks, spot: Spot) -> bool {
    match spot {
        Spot::BodyStart | Spot::BodyEnd => true,
        Spot::BeforeLayout | Spot::AfterLayout => lm.layout_table.is_some(),
        Spot::NewColumnLeft | Spot::NewColumnRight => lm.layout_row.is_some(),
        Spot::NavColumnTop | Spot::NavColumnBottom => !lm.nav_cells.is_empty(),
        Spot::BeforeArticleHead => head_anchor(dom, lm.container).is_some(),
        Spot::AfterEndRegion => lm.end_mark.is_some(),
    }
}

fn place(dom: &mut Dom, lm: &Landmarks, spot: Spot, nodes: &[NodeId]) -> Result<(), Skip> {
    match spot {
        Spot::BodyStart => prepend(dom, lm.body, nodes)?,
        Spot::BodyEnd => append(dom, lm.body, nodes)?,
        Spot::BeforeLayout => insert_before(dom, lm.layout_table.ok_or("no layout table")?, nodes)?,
        Spot::AfterLayout => insert_after(dom, lm.layout_table.ok_or("no layout table")?, nodes)?,
        Spot::NewColumnLeft | Spot::NewColumnRight => {
            let row = lm.layout_row.ok_or("no layout row")?;
            let td = graft_table_part(
                dom,
                r#"<table><tr><td width="140" valign="top"></td></tr></table>"#,
                "td",
            );
            append(dom, td, nodes)?;
            if spot == Spot::NewColumnLeft {
                prepend(dom, row, &[td])?;
            } else {
                append(dom, row, &[td])?;
            }
        }
        Spot::NavColumnTop => prepend(dom, *lm.nav_cells.first().ok_or("no nav column")?, nodes)?,
        Spot::NavColumnBottom => append(dom, *lm.nav_cells.first().ok_or("no nav column")?, nodes)?,
        Spot::BeforeArticleHead => {
            let a = head_anchor(dom, lm.container).ok_or("no article head")?;
            insert_before(dom, a, nodes)?
        }
        Spot::AfterEndRegion => {
            let a = lm.end_region(dom).ok_or("no end mark")?;
            insert_after(dom, a, nodes)?
        }
    }
    Ok(())
}

/// Put the end mark on a line of its own right after its paragraph (no-op when it
/// already is).
fn mark_own_line(dom: &mut Dom, lm: &mut Landmarks) -> Result<(), Skip> {
    let m = lm.end_mark.clone().ok_or("no end mark")?;
    if m.standalone {
        return Ok(());
    }
    let anchor = lm.after_mark(dom).ok_or("no end mark")?;
    let p = graft_one(dom, "<p></p>");
    insert_after(dom, anchor, &[p])?;
    let unit = match m.form {
        MarkForm::Suffix => {
            let t = dom
                .get(m.unit)
                .and_then(|n| n.value().as_text().map(|t| t.to_string()))
                .ok_or("mark text")?;
            let cut = MARK_SUFFIX.find(&t).ok_or("mark suffix")?;
            let rest = format!("{}\n", &t[..cut.start()]);
            set_text(dom, m.unit, &rest);
            new_text(dom, "ESR")
        }
        MarkForm::Word | MarkForm::Image => m.unit,
    };
    append(dom, p, &[unit])?;
    lm.end_mark = Some(EndMark {
        unit,
        form: if m.form == MarkForm::Image {
            MarkForm::Image
        } else {
            MarkForm::Word
        },
        block: p,
        standalone: true,
    });
    Ok(())
}

/// Is `cell` already at `pos` (first or last cell of its row)?
fn nav_is_at(dom: &Dom, cell: NodeId, pos: NavPos) -> bool {
    let Some(row) = dom.get(cell).and_then(|c| c.parent()) else {
        return false;
    };
    let cells: Vec<NodeId> = row
        .children()
        .filter(|c| is(dom, c.id(), &["td", "th"]))
        .map(|c| c.id())
        .collect();
    match pos {
        NavPos::Left => cells.first() == Some(&cell),
        NavPos::Right => cells.last() == Some(&cell),
        _ => false,
    }
}

fn nav_place(dom: &mut Dom, lm: &Landmarks, cell: NodeId, pos: NavPos) -> Result<(), Skip> {
    let row = lm.layout_row.ok_or("no layout row")?;
    match pos {
        NavPos::Left => prepend(dom, row, &[cell])?,
        NavPos::Right => append(dom, row, &[cell])?,
        NavPos::TopRow | NavPos::BottomRow => {
            let tr = graft_table_part(dom, "<table><tr></tr></table>", "tr");
            append(dom, tr, &[cell])?;
            if pos == NavPos::TopRow {
                insert_before(dom, row, &[tr])?;
            } else {
                insert_after(dom, row, &[tr])?;
            }
        }
        NavPos::TopBlock | NavPos::BottomBlock => {
            let table = graft_one(
                dom,
                r#"<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr></tr></table>"#,
            );
            let tr = dom
                .get(table)
                .and_then(|t| t.descendants().find(|d| is(dom, d.id(), &["tr"])))
                .map(|d| d.id())
                .ok_or("no row")?;
            append(dom, tr, &[cell])?;
            let outer = lm.layout_table.ok_or("no layout table")?;
            if pos == NavPos::TopBlock {
                insert_before(dom, outer, &[table])?;
            } else {
                insert_after(dom, outer, &[table])?;
            }
        }
    }
    Ok(())
}

/// Wrap `nodes` (siblings, in order) in the nested `wrappers`, outermost first.
fn wrap(dom: &mut Dom, nodes: &[NodeId], wrappers: &[Wrapper]) -> Result<(), Skip> {
    let first = *nodes.first().ok_or("nothing to wrap")?;
    let open: String = wrappers.iter().map(|w| w.open()).collect();
    let outer = graft_one(dom, &open);
    // The slot: the innermost element of the wrapper chain.
    let mut slot = outer;
    loop {
        let next = dom
            .get(slot)
            .and_then(|s| s.children().find(|c| c.value().is_element()))
            .map(|c| c.id());
        match next {
            Some(n) => slot = n,
            None => break,
        }
    }
    insert_before(dom, first, &[outer])?;
    append(dom, slot, nodes)?;
    Ok(())
}

fn block_positions(dom: &Dom, body: NodeId) -> Vec<NodeId> {
    dom.get(body)
        .into_iter()
        .flat_map(|b| b.descendants())
        .filter(|d| d.id() != body && is(dom, d.id(), BLOCK))
        .filter(|d| {
            !has_ancestor(
                dom,
                d.id(),
                &["pre", "textarea", "script", "style", "select"],
            )
        })
        .map(|d| d.id())
        .collect()
}

fn apply(dom: &mut Dom, lm: &mut Landmarks, step: &Step) -> Result<(), Skip> {
    match step {
        Step::MarkOwnLine => {
            if lm.end_mark.as_ref().is_some_and(|m| m.standalone) {
                return Err("end mark already on its own line");
            }
            mark_own_line(dom, lm)
        }
        Step::NavMove(pos, which) => {
            if lm.nav_cells.is_empty() {
                return Err("no nav column");
            }
            let cell = lm.nav_cells[which % lm.nav_cells.len()];
            if nav_is_at(dom, cell, *pos) {
                return Err("the column is there already");
            }
            nav_place(dom, lm, cell, *pos)
        }
        Step::NavDuplicate(pos, which) => {
            if lm.nav_cells.is_empty() {
                return Err("no nav column");
            }
            let cell = lm.nav_cells[which % lm.nav_cells.len()];
            let copy = clone_subtree(dom, cell);
            nav_place(dom, lm, copy, *pos)
        }
        Step::NavInsert(spot, style) => {
            if !spot_ok(dom, lm, *spot) {
                return Err("spot not on this page");
            }
            let nodes = graft(dom, &nav_html(*style));
            place(dom, lm, *spot, &nodes)
        }
        Step::WrapArticle(w) => {
            let c = lm.container;
            let kids = if c != lm.body {
                children(dom, c)
            } else {
                // The article runs from its head to its end region inside <body>.
                let start = head_anchor(dom, c).ok_or("no article head")?;
                let end = lm.end_region(dom).ok_or("no end mark")?;
                let end = dom
                    .get(end)
                    .and_then(|n| {
                        std::iter::once(n)
                            .chain(n.ancestors())
                            .find(|a| a.parent().is_some_and(|p| p.id() == c))
                    })
                    .map(|n| n.id())
                    .ok_or("end outside body")?;
                let all = children(dom, c);
                let (Some(i), Some(j)) = (
                    all.iter().position(|&x| x == start),
                    all.iter().position(|&x| x == end),
                ) else {
                    return Err("article range");
                };
                if i > j {
                    return Err("article range");
                }
                all[i..=j].to_vec()
            };
            wrap(dom, &kids, w)
        }
        Step::WrapPage(w) => {
            let kids = children(dom, lm.body);
            wrap(dom, &kids, w)
        }
        Step::Related(pos, style, seed) => {
            let anchor_after = match pos {
                RelatedPos::BeforeEndMark => {
                    mark_own_line(dom, lm)?;
                    let m = lm.end_mark.as_ref().ok_or("no end mark")?;
                    let block = m.block;
                    let nodes = graft(dom, &related_html(*style, *seed));
                    insert_before(dom, block, &nodes)?;
                    return Ok(());
                }
                RelatedPos::AfterEndMark => lm.after_mark(dom).ok_or("no end mark")?,
                RelatedPos::AfterBio => *lm.bio.as_ref().and_then(|b| b.last()).ok_or("no bio")?,
            };
            let nodes = graft(dom, &related_html(*style, *seed));
            insert_after(dom, anchor_after, &nodes)?;
            Ok(())
        }
        Step::Bio(pos) => {
            let bio = lm.bio.clone().ok_or("no bio")?;
            match pos {
                BioPos::BeforeEndMark => {
                    mark_own_line(dom, lm)?;
                    let block = lm.end_mark.as_ref().ok_or("no end mark")?.block;
                    insert_before(dom, block, &bio)?;
                }
                BioPos::AfterRule => {
                    for &b in &bio {
                        detach(dom, b);
                    }
                    let anchor = lm.after_mark(dom).ok_or("no end mark")?;
                    let hr = graft_one(dom, r#"<hr width="80%">"#);
                    insert_after(dom, anchor, &[hr])?;
                    insert_after(dom, hr, &bio)?;
                }
            }
            Ok(())
        }
        Step::CrumbAdd => {
            if lm.breadcrumb.is_some() {
                return Err("page has a breadcrumb");
            }
            let anchor = head_anchor(dom, lm.container).ok_or("no article head")?;
            let nodes = graft(dom, CRUMB_HTML);
            insert_before(dom, anchor, &nodes)?;
            Ok(())
        }
        Step::CrumbRemove => match lm.breadcrumb {
            Some((node, true)) => {
                detach(dom, node);
                Ok(())
            }
            Some((_, false)) => Err("breadcrumb has a trail (it is the section)"),
            None => Err("no breadcrumb"),
        },
        Step::Footer(op, which) => match op {
            FooterOp::Duplicate(spot) => {
                if lm.footer.is_empty() {
                    return Err("no footer lines");
                }
                if !spot_ok(dom, lm, *spot) {
                    return Err("spot not on this page");
                }
                let src = lm.footer[which % lm.footer.len()];
                let copy = clone_subtree(dom, src);
                place(dom, lm, *spot, &[copy])
            }
            FooterOp::Move(spot) => {
                if lm.footer.is_empty() {
                    return Err("no footer lines");
                }
                if !spot_ok(dom, lm, *spot) {
                    return Err("spot not on this page");
                }
                let lines = lm.footer.clone();
                for &l in &lines {
                    detach(dom, l);
                }
                place(dom, lm, *spot, &lines)
            }
            FooterOp::Weekly(spot, form) => {
                if !spot_ok(dom, lm, *spot) {
                    return Err("spot not on this page");
                }
                let nodes = graft(dom, weekly_html(*form));
                place(dom, lm, *spot, &nodes)
            }
            FooterOp::Banner(spot) => {
                if !spot_ok(dom, lm, *spot) {
                    return Err("spot not on this page");
                }
                let nodes = graft(dom, BANNER_HTML);
                place(dom, lm, *spot, &nodes)
            }
        },
        Step::Comments(seed) => {
            let mut rng = fastrand::Rng::with_seed(*seed);
            let blocks = block_positions(dom, lm.body);
            if blocks.is_empty() {
                return Err("no blocks");
            }
            for _ in 0..rng.usize(3..=8) {
                let at = blocks[rng.usize(..blocks.len())];
                let c = new_comment(dom, COMMENTS[rng.usize(..COMMENTS.len())]);
                insert_before(dom, at, &[c])?;
            }
            if let Some(h) = lm.head {
                let c = new_comment(dom, COMMENTS[rng.usize(..COMMENTS.len())]);
                append(dom, h, &[c])?;
            }
            Ok(())
        }
        Step::Whitespace { strip, seed } => {
            let mut rng = fastrand::Rng::with_seed(*seed);
            let blockish = |dom: &Dom, n: Option<NodeId>| {
                n.is_none_or(|n| {
                    is(dom, n, BLOCK) || dom.get(n).is_some_and(|x| x.value().is_comment())
                })
            };
            if *strip {
                let ws: Vec<NodeId> = dom
                    .get(lm.body)
                    .into_iter()
                    .flat_map(|b| b.descendants())
                    .filter(|d| is_whitespace_text(dom, d.id()))
                    .filter(|d| !has_ancestor(dom, d.id(), &["pre", "textarea", "script", "style"]))
                    .filter(|d| d.parent().is_some_and(|p| is(dom, p.id(), BLOCK)))
                    .filter(|d| {
                        blockish(dom, d.prev_sibling().map(|s| s.id()))
                            && blockish(dom, d.next_sibling().map(|s| s.id()))
                    })
                    .map(|d| d.id())
                    .collect();
                if ws.is_empty() {
                    return Err("no whitespace between blocks");
                }
                for id in ws {
                    detach(dom, id);
                }
            } else {
                // Before a block whose previous sibling is a block, a comment, nothing
                // (first in a block container) or whitespace already.
                let mut places: Vec<(NodeId, Option<NodeId>)> = Vec::new();
                for b in block_positions(dom, lm.body) {
                    let prev = dom.get(b).and_then(|n| n.prev_sibling()).map(|p| p.id());
                    let ok = match prev {
                        None => dom
                            .get(b)
                            .and_then(|n| n.parent())
                            .is_some_and(|p| is(dom, p.id(), BLOCK)),
                        Some(p) => {
                            is(dom, p, BLOCK)
                                || dom.get(p).is_some_and(|x| x.value().is_comment())
                                || is_whitespace_text(dom, p)
                        }
                    };
                    if ok {
                        places.push((b, prev.filter(|&p| is_whitespace_text(dom, p))));
                    }
                }
                if places.is_empty() {
                    return Err("no place between blocks");
                }
                let forced = rng.usize(..places.len());
                for (i, (b, ws_before)) in places.into_iter().enumerate() {
                    if i != forced && !rng.bool() {
                        continue;
                    }
                    let ws = ["\n", "\n\n", "\n    ", "\t", " \n  \n"][rng.usize(..5)];
                    match ws_before {
                        Some(t) => {
                            let old = dom
                                .get(t)
                                .and_then(|n| n.value().as_text().map(|x| x.to_string()))
                                .unwrap_or_default();
                            set_text(dom, t, &format!("{old}{ws}"));
                        }
                        None => {
                            let t = new_text(dom, ws);
                            insert_before(dom, b, &[t])?;
                        }
                    }
                }
            }
            Ok(())
        }
        Step::Markup(_) => Ok(()),
        Step::Charset { enc, meta, .. } => {
            let old: Vec<NodeId> = dom
                .root()
                .descendants()
                .filter(|d| {
                    d.value().as_element().is_some_and(|e| {
                        e.name() == "meta"
                            && (e.attr("charset").is_some()
                                || e.attr("http-equiv")
                                    .is_some_and(|h| h.eq_ignore_ascii_case("content-type")))
                    })
                })
                .map(|d| d.id())
                .collect();
            for m in old {
                detach(dom, m);
            }
            let declared = match meta {
                Meta::Match | Meta::Html5 => Some(*enc),
                Meta::Lying => Some(enc.other()),
                Meta::Removed => None,
            };
            if let Some(d) = declared {
                let head = lm.head.ok_or("no head")?;
                let html = if *meta == Meta::Html5 {
                    format!(r#"<meta charset="{}">"#, d.label())
                } else {
                    format!(
                        r#"<meta http-equiv="Content-Type" content="text/html; charset={}">"#,
                        d.label()
                    )
                };
                let node = graft_one(dom, &html);
                prepend(dom, head, &[node])?;
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------
// Sources, plans and rendering.

/// A fixture page as the generator starts from it.
#[derive(Clone, Debug)]
pub struct Source {
    /// The encoding it was decoded with (written back in it unless a step says not).
    pub enc: Enc,
    pub bom: bool,
    pub content_type: Option<String>,
    /// `text` parsed once; every variant starts from a copy.
    doc: Html,
}

impl Source {
    pub fn new(bytes: &[u8], content_type: Option<&str>) -> Result<Source, String> {
        let d = quire::decode::decode(bytes, content_type).map_err(|e| e.to_string())?;
        Ok(Source {
            doc: parse(&d.text),
            enc: Enc::from_name(&d.charset.name).unwrap_or(Enc::Utf8),
            bom: bytes.starts_with(b"\xEF\xBB\xBF"),
            content_type: content_type.map(str::to_string),
        })
    }
}

/// A generated page.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    /// Labels of the steps applied, in order.
    pub applied: Vec<String>,
    /// Steps that did not apply here, with the reason.
    pub skipped: Vec<String>,
}

pub fn parse(text: &str) -> Html {
    quire::extract::dom::parse(text)
}

/// Apply `plan` to the page and write it out.
pub fn render(src: &Source, plan: &[Step]) -> Rendered {
    let mut doc = src.doc.clone();
    let mut steps: Vec<&Step> = plan.iter().collect();
    steps.sort_by_key(|s| s.rank());
    let mut applied = Vec::new();
    let mut skipped = Vec::new();
    let mut style = Style::default();
    let mut enc = src.enc;
    let mut bom = src.bom;
    let mut content_type = src.content_type.clone();
    match analyse(&doc.tree) {
        Some(mut lm) => {
            for step in steps {
                match apply(&mut doc.tree, &mut lm, step) {
                    Ok(()) => {
                        applied.push(step.label());
                        match step {
                            Step::Markup(s) => style = *s,
                            Step::Charset { enc: e, http, .. } => {
                                enc = *e;
                                bom = false;
                                content_type = match http {
                                    Http::Truthful => {
                                        Some(format!("text/html; charset={}", e.label()))
                                    }
                                    Http::Bare => Some("text/html".into()),
                                    Http::Absent => None,
                                };
                            }
                            _ => {}
                        }
                    }
                    Err(why) => skipped.push(format!("{} ({why})", step.label())),
                }
            }
        }
        None => skipped.push("everything (no <body>)".into()),
    }
    let html = serialize::serialize(&doc, &style);
    Rendered {
        bytes: serialize::encode(&html, enc, bom),
        content_type,
        applied,
        skipped,
    }
}

/// Families of steps; a variant takes at most one step of each.
const FAMILIES: usize = 14;

fn pick<T: Copy>(rng: &mut fastrand::Rng, xs: &[T]) -> T {
    xs[rng.usize(..xs.len())]
}

fn wrappers(rng: &mut fastrand::Rng) -> Vec<Wrapper> {
    let all = [
        Wrapper::Table,
        Wrapper::Font,
        Wrapper::FontSized,
        Wrapper::Center,
        Wrapper::Div,
    ];
    (0..rng.usize(1..=3)).map(|_| pick(rng, &all)).collect()
}

/// One step of `family` that applies to this page, if any.
fn family_step(family: usize, dom: &Dom, lm: &Landmarks, rng: &mut fastrand::Rng) -> Option<Step> {
    let has_mark = lm.end_mark.is_some();
    let has_nav = !lm.nav_cells.is_empty() && lm.layout_row.is_some();
    let spots = |rng: &mut fastrand::Rng, from: &[Spot]| -> Option<Spot> {
        let ok: Vec<Spot> = from
            .iter()
            .copied()
            .filter(|s| spot_ok(dom, lm, *s))
            .collect();
        (!ok.is_empty()).then(|| pick(rng, &ok))
    };
    match family {
        0 => (has_mark && !lm.end_mark.as_ref().is_some_and(|m| m.standalone))
            .then_some(Step::MarkOwnLine),
        1 => has_nav.then(|| {
            let which = rng.usize(..8);
            let cell = lm.nav_cells[which % lm.nav_cells.len()];
            let positions: Vec<NavPos> = [
                NavPos::Left,
                NavPos::Right,
                NavPos::TopRow,
                NavPos::BottomRow,
                NavPos::TopBlock,
                NavPos::BottomBlock,
            ]
            .into_iter()
            .filter(|p| !nav_is_at(dom, cell, *p))
            .collect();
            Step::NavMove(pick(rng, &positions), which)
        }),
        2 => has_nav.then(|| {
            let pos = pick(
                rng,
                &[
                    NavPos::Left,
                    NavPos::Right,
                    NavPos::TopRow,
                    NavPos::BottomRow,
                    NavPos::TopBlock,
                    NavPos::BottomBlock,
                ],
            );
            Step::NavDuplicate(pos, rng.usize(..8))
        }),
        3 => {
            let spot = spots(
                rng,
                &[
                    Spot::BodyStart,
                    Spot::BodyEnd,
                    Spot::BeforeLayout,
                    Spot::AfterLayout,
                    Spot::NewColumnLeft,
                    Spot::NewColumnRight,
                    Spot::NavColumnTop,
                    Spot::NavColumnBottom,
                    Spot::BeforeArticleHead,
                    Spot::AfterEndRegion,
                ],
            )?;
            Some(Step::NavInsert(
                spot,
                pick(rng, &[NavStyle::Column, NavStyle::Bar, NavStyle::Lines]),
            ))
        }
        4 => (lm.container != lm.body || has_mark).then(|| Step::WrapArticle(wrappers(rng))),
        5 => Some(Step::WrapPage(wrappers(rng))),
        6 => {
            if !has_mark {
                return None;
            }
            let mut pos = vec![RelatedPos::BeforeEndMark, RelatedPos::AfterEndMark];
            if lm.bio.is_some() {
                pos.push(RelatedPos::AfterBio);
            }
            Some(Step::Related(
                pick(rng, &pos),
                pick(rng, &[BoxStyle::List, BoxStyle::Table, BoxStyle::Lines]),
                rng.u64(..),
            ))
        }
        7 => (has_mark && lm.bio.is_some())
            .then(|| Step::Bio(pick(rng, &[BioPos::BeforeEndMark, BioPos::AfterRule]))),
        8 => match lm.breadcrumb {
            None => Some(Step::CrumbAdd),
            Some((_, true)) => Some(Step::CrumbRemove),
            Some((_, false)) => None,
        },
        9 => {
            let mut ops = Vec::new();
            if !lm.footer.is_empty() {
                if let Some(s) = spots(
                    rng,
                    &[
                        Spot::AfterEndRegion,
                        Spot::BodyEnd,
                        Spot::NavColumnBottom,
                        Spot::AfterLayout,
                    ],
                ) {
                    ops.push(FooterOp::Duplicate(s));
                }
                if let Some(s) = spots(
                    rng,
                    &[
                        Spot::AfterEndRegion,
                        Spot::NavColumnBottom,
                        Spot::AfterLayout,
                    ],
                ) {
                    ops.push(FooterOp::Move(s));
                }
            }
            if let Some(s) = spots(
                rng,
                &[
                    Spot::AfterEndRegion,
                    Spot::BodyEnd,
                    Spot::NavColumnTop,
                    Spot::NavColumnBottom,
                    Spot::AfterLayout,
                ],
            ) {
                ops.push(FooterOp::Weekly(s, rng.bool()));
            }
            if let Some(s) = spots(
                rng,
                &[
                    Spot::BodyStart,
                    Spot::BeforeArticleHead,
                    Spot::AfterEndRegion,
                    Spot::BodyEnd,
                ],
            ) {
                ops.push(FooterOp::Banner(s));
            }
            (!ops.is_empty()).then(|| Step::Footer(pick(rng, &ops), rng.usize(..8)))
        }
        10 => Some(Step::Comments(rng.u64(..))),
        11 => Some(Step::Whitespace {
            strip: rng.bool(),
            seed: rng.u64(..),
        }),
        12 => {
            let cases = [Case::Lower, Case::Upper, Case::Mixed];
            Some(Step::Markup(Style {
                tag_case: pick(rng, &cases),
                attr_case: pick(rng, &cases),
                quote: pick(
                    rng,
                    &[Quote::Double, Quote::Single, Quote::Bare, Quote::Mixed],
                ),
                order: pick(
                    rng,
                    &[AttrOrder::Source, AttrOrder::Reversed, AttrOrder::Shuffled],
                ),
                seed: rng.u64(..),
            }))
        }
        13 => {
            let enc = pick(rng, &[Enc::Utf8, Enc::Windows1252]);
            let meta = pick(rng, &[Meta::Match, Meta::Html5, Meta::Removed, Meta::Lying]);
            let http = if meta == Meta::Lying {
                Http::Truthful
            } else {
                pick(rng, &[Http::Truthful, Http::Bare, Http::Absent])
            };
            Some(Step::Charset { enc, meta, http })
        }
        _ => None,
    }
}

/// The plan of variant number `index` of a page: one family chosen in turn (so every
/// family that applies is exercised within the first variants), plus others at random,
/// at least three steps in all.
pub fn plan(src: &Source, index: usize, seed: u64) -> Vec<Step> {
    let doc = &src.doc;
    let Some(lm) = analyse(&doc.tree) else {
        return Vec::new();
    };
    let mut rng = fastrand::Rng::with_seed(seed);
    let applicable: Vec<usize> = (0..FAMILIES)
        .filter(|&f| family_step(f, &doc.tree, &lm, &mut fastrand::Rng::with_seed(seed)).is_some())
        .collect();
    if applicable.is_empty() {
        return Vec::new();
    }
    let forced = applicable[index % applicable.len()];
    let mut chosen: Vec<usize> = vec![forced];
    let mut others: Vec<usize> = applicable
        .iter()
        .copied()
        .filter(|&f| f != forced)
        .collect();
    rng.shuffle(&mut others);
    for (i, f) in others.into_iter().enumerate() {
        if i < 2 || rng.f32() < 0.3 {
            chosen.push(f);
        }
    }
    chosen.sort();
    chosen
        .into_iter()
        .filter_map(|f| family_step(f, &doc.tree, &lm, &mut rng))
        .collect()
}

/// What the generator found on a page, for failure reports.
pub fn describe_landmarks(src: &Source) -> String {
    let doc = &src.doc;
    let Some(lm) = analyse(&doc.tree) else {
        return "no body".into();
    };
    let dom = &doc.tree;
    format!(
        "container <{}>, end mark {}, bio {}, nav columns {}, breadcrumb {}, footer lines {}",
        name(dom, lm.container).unwrap_or("?"),
        match &lm.end_mark {
            None => "none".to_string(),
            Some(m) => format!(
                "{:?}{}",
                m.form,
                if m.standalone { " (own line)" } else { "" }
            ),
        },
        if lm.bio.is_some() { "yes" } else { "no" },
        lm.nav_cells.len(),
        match lm.breadcrumb {
            None => "none",
            Some((_, true)) => "trail-free",
            Some((_, false)) => "with trail",
        },
        lm.footer.len(),
    )
}

/// One step of every kind and every parameter that matters (positions, spots,
/// styles, encodings): the catalogue the unit tests and the one-at-a-time matrix
/// (`every_transformation_alone`) go through.
pub fn catalogue() -> Vec<Step> {
    let mut v = vec![Step::MarkOwnLine, Step::CrumbAdd, Step::CrumbRemove];
    let positions = [
        NavPos::Left,
        NavPos::Right,
        NavPos::TopRow,
        NavPos::BottomRow,
        NavPos::TopBlock,
        NavPos::BottomBlock,
    ];
    for which in 0..2 {
        for p in positions {
            v.push(Step::NavMove(p, which));
            v.push(Step::NavDuplicate(p, which));
        }
    }
    let spots = [
        Spot::BodyStart,
        Spot::BodyEnd,
        Spot::BeforeLayout,
        Spot::AfterLayout,
        Spot::NewColumnLeft,
        Spot::NewColumnRight,
        Spot::NavColumnTop,
        Spot::NavColumnBottom,
        Spot::BeforeArticleHead,
        Spot::AfterEndRegion,
    ];
    for s in spots {
        for st in [NavStyle::Column, NavStyle::Bar, NavStyle::Lines] {
            v.push(Step::NavInsert(s, st));
        }
    }
    let wraps: Vec<Vec<Wrapper>> = vec![
        vec![Wrapper::Table],
        vec![Wrapper::Font],
        vec![Wrapper::FontSized],
        vec![Wrapper::Center],
        vec![Wrapper::Div],
        vec![Wrapper::Table, Wrapper::Table, Wrapper::Table],
        vec![Wrapper::Table, Wrapper::FontSized],
        vec![Wrapper::Div, Wrapper::Font, Wrapper::Center],
    ];
    for w in &wraps {
        v.push(Step::WrapArticle(w.clone()));
        v.push(Step::WrapPage(w.clone()));
    }
    for p in [
        RelatedPos::BeforeEndMark,
        RelatedPos::AfterEndMark,
        RelatedPos::AfterBio,
    ] {
        for st in [BoxStyle::List, BoxStyle::Table, BoxStyle::Lines] {
            v.push(Step::Related(p, st, 7));
        }
    }
    v.push(Step::Bio(BioPos::BeforeEndMark));
    v.push(Step::Bio(BioPos::AfterRule));
    for s in [
        Spot::AfterEndRegion,
        Spot::BodyEnd,
        Spot::NavColumnBottom,
        Spot::AfterLayout,
    ] {
        for which in 0..3 {
            v.push(Step::Footer(FooterOp::Duplicate(s), which));
        }
        v.push(Step::Footer(FooterOp::Move(s), 0));
    }
    for s in [
        Spot::AfterEndRegion,
        Spot::BodyEnd,
        Spot::NavColumnTop,
        Spot::NavColumnBottom,
        Spot::AfterLayout,
    ] {
        v.push(Step::Footer(FooterOp::Weekly(s, true), 0));
        v.push(Step::Footer(FooterOp::Weekly(s, false), 0));
    }
    for s in [
        Spot::BodyStart,
        Spot::BeforeArticleHead,
        Spot::AfterEndRegion,
        Spot::BodyEnd,
    ] {
        v.push(Step::Footer(FooterOp::Banner(s), 0));
    }
    for seed in 1..=3 {
        v.push(Step::Comments(seed));
        v.push(Step::Whitespace { strip: false, seed });
    }
    v.push(Step::Whitespace {
        strip: true,
        seed: 1,
    });
    for (tag_case, attr_case, quote, order) in [
        (Case::Upper, Case::Upper, Quote::Single, AttrOrder::Reversed),
        (Case::Mixed, Case::Lower, Quote::Bare, AttrOrder::Shuffled),
        (Case::Lower, Case::Mixed, Quote::Mixed, AttrOrder::Source),
    ] {
        v.push(Step::Markup(Style {
            tag_case,
            attr_case,
            quote,
            order,
            seed: 11,
        }));
    }
    for enc in [Enc::Utf8, Enc::Windows1252] {
        for meta in [Meta::Match, Meta::Html5, Meta::Removed, Meta::Lying] {
            for http in [Http::Truthful, Http::Bare, Http::Absent] {
                if meta == Meta::Lying && http != Http::Truthful {
                    continue;
                }
                v.push(Step::Charset { enc, meta, http });
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The tree as a flat list of tokens, attributes sorted, adjacent text merged.
    fn tokens(doc: &Html) -> Vec<String> {
        use ego_tree::iter::Edge;
        let mut out: Vec<String> = Vec::new();
        for edge in doc.tree.root().traverse() {
            let tok = match edge {
                Edge::Open(n) => match n.value() {
                    Node::Element(e) => {
                        let mut a: Vec<String> =
                            e.attrs().map(|(k, v)| format!("{k}={v:?}")).collect();
                        a.sort();
                        format!("<{} {}>", e.name(), a.join(" "))
                    }
                    Node::Text(t) => {
                        if let Some(last) = out.last_mut().filter(|l| l.starts_with('#')) {
                            last.push_str(t);
                            continue;
                        }
                        format!("#{}", &**t)
                    }
                    Node::Comment(c) => format!("<!--{}-->", &**c),
                    Node::Doctype(d) => format!(
                        "<!DOCTYPE {} {} {}>",
                        d.name(),
                        d.public_id(),
                        d.system_id()
                    ),
                    _ => continue,
                },
                Edge::Close(n) => match n.value() {
                    Node::Element(e) => format!("</{}>", e.name()),
                    _ => continue,
                },
            };
            out.push(tok);
        }
        out
    }

    fn sources() -> Vec<(String, Source)> {
        crate::cases::esr_articles()
            .expect("fixtures")
            .into_iter()
            .map(|fx| {
                let s = Source::new(&fx.page, fx.case.content_type.as_deref()).expect("decodes");
                (fx.name, s)
            })
            .collect()
    }

    /// \w+ words of the visible text of a rendered page, lowercased, with counts.
    fn words(r: &Rendered) -> BTreeMap<String, usize> {
        let d = quire::decode::decode(&r.bytes, r.content_type.as_deref()).expect("decodes");
        let doc = parse(&d.text);
        let mut out = BTreeMap::new();
        let re = Regex::new(r"\w+").unwrap();
        for n in doc.tree.root().descendants() {
            let Node::Text(t) = n.value() else { continue };
            if n.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| NOT_TEXT.contains(&e.name()))
            }) {
                continue;
            }
            for w in re.find_iter(t) {
                *out.entry(w.as_str().to_lowercase()).or_default() += 1;
            }
        }
        out
    }

    #[test]
    fn reserializing_a_fixture_keeps_its_tree() {
        let styles = [
            Style::default(),
            Style {
                tag_case: Case::Upper,
                attr_case: Case::Mixed,
                quote: Quote::Bare,
                order: AttrOrder::Reversed,
                seed: 1,
            },
            Style {
                tag_case: Case::Mixed,
                attr_case: Case::Upper,
                quote: Quote::Mixed,
                order: AttrOrder::Shuffled,
                seed: 2,
            },
        ];
        for (name, src) in sources() {
            let want = tokens(&src.doc);
            for st in &styles {
                let back = parse(&serialize::serialize(&src.doc, st));
                assert_eq!(tokens(&back), want, "{name}: {st:?}");
            }
        }
    }

    /// Every transformation of the catalogue on the synthetic pages and on a spread of
    /// the fixtures (every step on every fixture is the ignored matrix test's job).
    #[test]
    fn every_transformation_changes_the_bytes_and_keeps_the_text() {
        let mut applied_somewhere: BTreeMap<String, usize> = BTreeMap::new();
        let fixtures = sources();
        let stride = fixtures.len().div_ceil(3).max(1);
        let mut pages: Vec<(String, Source)> = Vec::new();
        let mut rest: Vec<(String, Source)> = Vec::new();
        for (k, f) in fixtures.into_iter().enumerate() {
            if k % stride == 0 {
                pages.push(f);
            } else {
                rest.push(f);
            }
        }
        // A step the spread does not exercise (which fixtures the stride picks
        // depends on how many there are) is tried on the first other fixture it
        // applies to.
        let spread_applies = |step: &Step| {
            pages
                .iter()
                .any(|(_, src)| !render(src, std::slice::from_ref(step)).applied.is_empty())
        };
        let missing: Vec<Step> = catalogue()
            .into_iter()
            .filter(|s| !spread_applies(s))
            .collect();
        for step in &missing {
            if let Some(k) = rest
                .iter()
                .position(|(_, src)| !render(src, std::slice::from_ref(step)).applied.is_empty())
            {
                pages.push(rest.swap_remove(k));
            }
        }
        pages.push(("synthetic".into(), page()));
        let no_crumb = PAGE.replace(
            r#"<p><font size="1"><a href="/">home</a> &gt; this article</font></p>"#,
            "",
        );
        pages.push((
            "synthetic, no breadcrumb".into(),
            Source::new(no_crumb.as_bytes(), None).expect("decodes"),
        ));
        for (name, src) in pages {
            let identity = render(&src, &[]);
            assert!(identity.applied.is_empty() && identity.skipped.is_empty());
            let original = words(&identity);
            for step in catalogue() {
                let r = render(&src, std::slice::from_ref(&step));
                if r.applied.is_empty() {
                    assert_eq!(
                        r.skipped.len(),
                        1,
                        "{name}: {step:?} neither applied nor skipped"
                    );
                    continue;
                }
                *applied_somewhere.entry(step.label()).or_default() += 1;
                let same = r.bytes == identity.bytes && r.content_type == identity.content_type;
                // A declaration that already matches the page's own is the only no-op.
                assert!(
                    !same || matches!(step, Step::Charset { .. }),
                    "{name}: {} changes nothing",
                    step.label()
                );
                let got = words(&r);
                for (w, n) in &original {
                    let m = got.get(w).copied().unwrap_or(0);
                    let removable = step == Step::CrumbRemove
                        && ["home", "this", "article"].contains(&w.as_str());
                    assert!(
                        m >= *n || removable,
                        "{name}: {} loses the word {w:?} ({n} → {m})",
                        step.label()
                    );
                }
            }
        }
        for step in catalogue() {
            assert!(
                applied_somewhere.contains_key(&step.label()),
                "{} never applies to any fixture",
                step.label()
            );
        }
    }

    #[test]
    fn plans_are_deterministic_and_cover_every_family() {
        for (name, src) in sources().into_iter().take(8) {
            let mut families = std::collections::BTreeSet::new();
            for i in 0..20 {
                let a = plan(&src, i, 1000 + i as u64);
                let b = plan(&src, i, 1000 + i as u64);
                assert_eq!(a, b, "{name}");
                assert!(a.len() >= 3, "{name}: plan {i} has {} steps", a.len());
                assert_eq!(render(&src, &a).bytes, render(&src, &b).bytes, "{name}");
                for s in &a {
                    families.insert(s.rank());
                }
            }
            let doc = &src.doc;
            let lm = analyse(&doc.tree).expect("landmarks");
            let applicable = (0..FAMILIES)
                .filter(|&f| {
                    family_step(f, &doc.tree, &lm, &mut fastrand::Rng::with_seed(1)).is_some()
                })
                .count();
            assert_eq!(
                families.len(),
                applicable,
                "{name}: every applicable family within 20 variants"
            );
        }
    }

    const PAGE: &str = r##"<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>Enter Stage Right - A Test</title></head>
<body><table width="100%"><tr>
<td width="140"><table><tr><td><a href="/">Home</a></td></tr><tr><td><a href="/a">Archive</a></td></tr><tr><td><a href="/c">Columnists</a></td></tr><tr><td><a href="/s">Search</a></td></tr></table></td>
<td valign="top">
<p><font size="1"><a href="/">home</a> &gt; this article</font></p>
<p><font size="5"><b>Alpha Beta Gamma</b></font></p>
<p>By Quentin Quill<br>web posted May 1, 2001</p>
<p>First paragraph of running text, long enough to be a real paragraph of the piece at hand.</p>
<p>Second paragraph, which ends the piece with a flourish and the usual end mark. ESR</p>
<p><i>Quentin Quill is a writer of test pages in Zürich.</i></p>
</td></tr></table>
<p align="center"><font size="1">&copy; 1996-2001, Enter Stage Right. All rights reserved.</font></p>
</body></html>"##;

    fn page() -> Source {
        Source::new(PAGE.as_bytes(), Some("text/html")).expect("decodes")
    }

    fn out(s: &Source, step: Step) -> String {
        let r = render(s, std::slice::from_ref(&step));
        assert_eq!(r.applied, vec![step.label()], "skipped: {:?}", r.skipped);
        quire::decode::decode(&r.bytes, r.content_type.as_deref())
            .expect("decodes")
            .text
    }

    fn at(hay: &str, needle: &str) -> usize {
        hay.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {hay}"))
    }

    #[test]
    fn landmarks_of_an_esr_page() {
        let s = page();
        let lm = analyse(&s.doc.tree).expect("landmarks");
        let d = &s.doc.tree;
        assert_eq!(name(d, lm.container), Some("td"));
        let m = lm.end_mark.as_ref().expect("end mark");
        assert_eq!((m.form, m.standalone), (MarkForm::Suffix, false));
        let bio = lm.bio.as_ref().expect("bio");
        assert_eq!(
            text(d, bio[0]),
            "Quentin Quill is a writer of test pages in Zürich."
        );
        assert_eq!(lm.nav_cells.len(), 1);
        assert!(text(d, lm.nav_cells[0]).starts_with("Home Archive"));
        assert_eq!(lm.breadcrumb.map(|(_, free)| free), Some(true));
        assert_eq!(lm.footer.len(), 1);
        assert!(text(d, lm.footer[0]).contains("All rights reserved"));
        assert_eq!(
            text(d, head_anchor(d, lm.container).expect("head")),
            "home > this article"
        );
    }

    #[test]
    fn each_step_does_what_it_says() {
        let s = page();
        let o = out(&s, Step::NavMove(NavPos::Right, 0));
        assert!(
            at(&o, ">Home<") > at(&o, "Zürich"),
            "nav column after the article"
        );
        let o = out(&s, Step::NavMove(NavPos::TopBlock, 0));
        assert!(at(&o, ">Home<") < at(&o, "<table width=\"100%\">"));
        let o = out(&s, Step::NavDuplicate(NavPos::BottomRow, 0));
        assert_eq!(o.matches(">Archive<").count(), 2);
        let o = out(&s, Step::NavInsert(Spot::BeforeArticleHead, NavStyle::Bar));
        assert!(at(&o, "E-mail ESR") < at(&o, "&gt; this article"));
        let o = out(&s, Step::CrumbRemove);
        assert!(!o.contains("this article"));
        let o = out(&s, Step::MarkOwnLine);
        assert!(
            o.contains("flourish and the usual end mark.\n</p><p>ESR</p>"),
            "{o}"
        );
        let o = out(&s, Step::Bio(BioPos::BeforeEndMark));
        assert!(at(&o, "end mark.") < at(&o, "Zürich") && at(&o, "Zürich") < at(&o, "<p>ESR</p>"));
        let o = out(&s, Step::Bio(BioPos::AfterRule));
        assert!(at(&o, "ESR</p>") < at(&o, "<hr") && at(&o, "<hr") < at(&o, "Zürich"));
        let o = out(
            &s,
            Step::Related(RelatedPos::BeforeEndMark, BoxStyle::List, 1),
        );
        assert!(at(&o, "end mark.") < at(&o, "Other related articles"));
        assert!(at(&o, "Other related articles") < at(&o, "<p>ESR</p>"));
        let o = out(
            &s,
            Step::Related(RelatedPos::AfterEndMark, BoxStyle::Table, 1),
        );
        assert!(
            at(&o, "ESR</p>") < at(&o, "Other related")
                && at(&o, "Other related") < at(&o, "Zürich")
        );
        let o = out(&s, Step::Related(RelatedPos::AfterBio, BoxStyle::Lines, 1));
        assert!(at(&o, "Zürich") < at(&o, "Other related articles"));
        let o = out(&s, Step::Footer(FooterOp::Move(Spot::NavColumnBottom), 0));
        assert!(at(&o, "All rights reserved") < at(&o, "Alpha Beta Gamma"));
        let o = out(&s, Step::Footer(FooterOp::Banner(Spot::BodyStart), 0));
        assert!(at(&o, "Banner Exchange") < at(&o, ">Home<"));
        let o = out(&s, Step::WrapArticle(vec![Wrapper::Table, Wrapper::Center]));
        let inner = at(
            &o,
            r#"<td valign="top"><table width="100%" border="0" cellspacing="0" cellpadding="6"><tbody><tr><td valign="top"><center>"#,
        );
        assert!(
            inner < at(&o, "&gt; this article")
                && at(&o, "Zürich") < at(&o, "</center></td></tr></tbody></table></td>"),
            "{o}"
        );
        let o = out(&s, Step::WrapPage(vec![Wrapper::FontSized]));
        assert!(
            o.contains(r#"<body><font face="Arial, Helvetica, sans-serif" size="2"><table"#),
            "{o}"
        );
        let o = out(&s, Step::Comments(3));
        assert!(o.matches("<!--").count() >= 4);

        // Encodings: the bytes and what declares them.
        let r = render(
            &s,
            &[Step::Charset {
                enc: Enc::Windows1252,
                meta: Meta::Lying,
                http: Http::Truthful,
            }],
        );
        assert!(std::str::from_utf8(&r.bytes).is_err());
        assert_eq!(
            r.content_type.as_deref(),
            Some("text/html; charset=windows-1252")
        );
        assert!(String::from_utf8_lossy(&r.bytes).contains("charset=utf-8\">"));
        let r = render(
            &s,
            &[Step::Charset {
                enc: Enc::Utf8,
                meta: Meta::Removed,
                http: Http::Absent,
            }],
        );
        assert!(std::str::from_utf8(&r.bytes)
            .is_ok_and(|t| t.contains("Zürich") && !t.contains("charset")));
        assert_eq!(r.content_type, None);
        let r = render(
            &s,
            &[Step::Charset {
                enc: Enc::Utf8,
                meta: Meta::Html5,
                http: Http::Bare,
            }],
        );
        assert!(
            std::str::from_utf8(&r.bytes).is_ok_and(|t| t.contains(r#"<meta charset="utf-8">"#))
        );
        // Markup habits.
        let r = render(
            &s,
            &[Step::Markup(Style {
                tag_case: Case::Upper,
                attr_case: Case::Upper,
                quote: Quote::Single,
                order: AttrOrder::Reversed,
                seed: 0,
            })],
        );
        let t = String::from_utf8_lossy(&r.bytes);
        assert!(
            t.contains("<TD VALIGN='top'>") && t.contains("<TABLE WIDTH='100%'>"),
            "{t}"
        );
    }

    #[test]
    fn a_breadcrumb_with_a_trail_is_never_removed() {
        let s = Source::new(
            PAGE.replace(
                "&gt; this article",
                "&gt; <a href=\"/a\">archive</a> &gt; this article",
            )
            .as_bytes(),
            None,
        )
        .expect("decodes");
        let r = render(&s, &[Step::CrumbRemove]);
        assert!(r.applied.is_empty() && r.skipped[0].contains("trail"));
        let lm = analyse(&s.doc.tree).expect("landmarks");
        assert_eq!(lm.breadcrumb.map(|(_, free)| free), Some(false));
        for i in 0..50 {
            assert!(!plan(&s, i, i as u64).contains(&Step::CrumbRemove));
        }
    }
}
