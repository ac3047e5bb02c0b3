//! The segmenter: a DOM region as a flat, reading-order list of text segments with
//! their typography (bold, italic, font size, centering), link density and box
//! (enclosing table cell / table), which is what hand-made old-school pages encode
//! their structure in. Profile rules classify these segments.
//!
//! Iterative walk (no recursion), so depth is bounded by memory only, and the parser
//! already flattened pathological nesting. Owns no policy about what is chrome.

use std::collections::HashSet;

use ego_tree::{NodeId, NodeRef};
use scraper::node::Node;
use scraper::ElementRef;
use url::Url;

use crate::normalize;

/// What a segment is, structurally.
#[derive(Debug, Clone, PartialEq)]
pub enum SegKind {
    /// Running text (a paragraph, a table cell, a div).
    Text,
    /// An `<h1>`–`<h6>`.
    Heading(u8),
    /// One `<li>` of the list with this id.
    ListItem {
        /// Id of the enclosing list, shared by its items.
        list: usize,
        /// `<ol>`.
        ordered: bool,
    },
    /// Text inside the `<blockquote>` with this id.
    Quote(usize),
    /// A `<pre>`.
    Pre,
    /// An image.
    Image {
        /// Resolved source.
        src: String,
        /// Alt text.
        alt: Option<String>,
        /// Declared width or height, whichever is smaller, when given.
        size: Option<u32>,
        /// Inside a link (buttons, icons, ads, "click to enlarge").
        in_link: bool,
        /// Floated (`align=left|right`, CSS `float`): the text around it is running
        /// text, not its caption.
        float: bool,
    },
    /// An `<hr>`.
    Rule,
}

/// One segment of the reading order.
#[derive(Debug, Clone)]
pub struct Segment {
    /// What it is.
    pub kind: SegKind,
    /// Normalized text lines (split at single `<br>`), without empty lines.
    pub lines: Vec<String>,
    /// Typography of each line of `lines` (same length).
    pub line_style: Vec<LineStyle>,
    /// Normalized text (lines joined by one space). Preformatted text keeps newlines.
    pub text: String,
    /// Characters of text in total, in links, in bold, in italic.
    pub chars: usize,
    /// Characters inside `<a href>`.
    pub link_chars: usize,
    /// Characters inside `<b>`/`<strong>`/headings.
    pub bold_chars: usize,
    /// Characters inside `<i>`/`<em>`/`<cite>`.
    pub italic_chars: usize,
    /// Largest relative font size seen (`<font size=+2>` = 2, size=5 = 2, `<h1>` = 3).
    pub font: i8,
    /// Smallest relative font size seen (`<small>`, `<font size=-1>`).
    pub min_font: i8,
    /// Inside `<center>` or `align=center`.
    pub centered: bool,
    /// Id of the nearest enclosing table cell, if any.
    pub cell: Option<usize>,
    /// Id of the nearest enclosing table, if any.
    pub table: Option<usize>,
    /// Id of the nearest enclosing table row (`<tr>`) of that table, if any.
    pub row: Option<usize>,
    /// Id of the nearest enclosing `<figure>`, if any.
    pub figure: Option<usize>,
    /// Inside a `<figcaption>` or `<caption>`.
    pub in_caption: bool,
    /// Id of the block element the segment was flushed from (image + caption in one
    /// paragraph share it).
    pub block: usize,
}

impl Segment {
    /// Share of the text in bold.
    pub fn bold_ratio(&self) -> f32 {
        ratio(self.bold_chars, self.chars)
    }
    /// Share of the text in italics.
    pub fn italic_ratio(&self) -> f32 {
        ratio(self.italic_chars, self.chars)
    }
    /// Share of the text inside links.
    pub fn link_ratio(&self) -> f32 {
        ratio(self.link_chars, self.chars)
    }
}

fn ratio(a: usize, b: usize) -> f32 {
    if b == 0 {
        0.0
    } else {
        a as f32 / b as f32
    }
}

/// Typography of one line of a segment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LineStyle {
    /// Characters in the line.
    pub chars: usize,
    /// Share in bold.
    pub bold: f32,
    /// Share in italics.
    pub italic: f32,
    /// Largest relative font size.
    pub font: i8,
    /// The line's first style run, when the style changes inside the line (a
    /// headline and its deck set inline, told apart only by type): its characters
    /// (not counting whitespace; 0 when the line is set in one style) and style.
    pub head: Run,
    /// Largest relative font size after the first run.
    pub tail_font: i8,
}

/// A run of text set in one style.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Run {
    /// Characters, whitespace not counted.
    pub chars: usize,
    /// In bold.
    pub bold: bool,
    /// In italics.
    pub italic: bool,
    /// Relative font size.
    pub font: i8,
}

/// Per-table facts computed after segmenting.
#[derive(Debug, Clone, Default)]
pub struct TableInfo {
    /// Characters of text in the table (including nested tables).
    pub chars: usize,
    /// Lowercased text of the table, capped in length.
    pub text: String,
    /// Segments of running prose in the table (80 characters or more, under 30 % in
    /// links): a table with two of them holds an article, it is not a small box.
    pub prose: usize,
    /// Characters in those segments of prose.
    pub prose_chars: usize,
}

/// Segments of a region plus per-table summaries.
#[derive(Debug, Clone, Default)]
pub struct Segments {
    /// Reading order.
    pub segs: Vec<Segment>,
    /// Indexed by table id.
    pub tables: Vec<TableInfo>,
}

#[derive(Clone, Copy, Default)]
struct Style {
    bold: bool,
    italic: bool,
    link: bool,
    font: i8,
    centered: bool,
    pre: bool,
    in_caption: bool,
    cell: Option<usize>,
    table: Option<usize>,
    row: Option<usize>,
    figure: Option<usize>,
    quote: Option<usize>,
    list: Option<(usize, bool)>,
    li: bool,
    heading: Option<u8>,
    block: usize,
}

#[derive(Default)]
struct Buf {
    lines: Vec<String>,
    line_style: Vec<LineStyle>,
    /// (chars, bold, italic, font) of the current line.
    line: (usize, usize, usize, i8),
    /// The current line's first style run, whether the style has changed since, and
    /// the largest font after it.
    run: (Run, bool, i8),
    cur: String,
    chars: usize,
    link: usize,
    bold: usize,
    italic: usize,
    font: i8,
    min_font: i8,
    centered: bool,
    saw_text: bool,
    pending_br: bool,
}

/// Elements whose content is never reading text.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "select"
            | "option"
            | "textarea"
            | "button"
            | "input"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "iframe"
            | "frame"
            | "frameset"
            | "map"
            | "audio"
            | "video"
            | "canvas"
            | "dialog"
    )
}

/// The attributes the segmenter reads, gathered in one pass.
#[derive(Default)]
struct Attrs<'a> {
    hidden: bool,
    href: bool,
    style: Option<&'a str>,
    class: Option<&'a str>,
    align: Option<&'a str>,
    size: Option<&'a str>,
}

/// Block elements: their boundaries end a run of text (also for `extract::entries`).
pub(crate) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "center"
            | "hr"
            | "pre"
            | "form"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "figure"
            | "figcaption"
            | "address"
            | "main"
            | "caption"
            | "body"
            | "html"
            | "fieldset"
            | "details"
            | "summary"
            | "menu"
            | "dir"
    )
}

/// A `<font size>` value relative to the default size 3 (`5` and `+2` are 2).
pub(crate) fn font_size(attr: &str) -> Option<i8> {
    let a = attr.trim();
    let v: i8 = a.trim_start_matches('+').parse().ok()?;
    if a.starts_with('+') || a.starts_with('-') {
        Some(v.clamp(-4, 4))
    } else {
        Some((v - 3).clamp(-4, 4))
    }
}

/// Segment the subtree under `root`, resolving image sources against `base`.
pub fn segment(root: ElementRef<'_>, base: &Url) -> Segments {
    segment_filtered(root, base, &HashSet::new(), &HashSet::new())
}

/// [`segment`], skipping the subtrees of the elements in `removed` and `picked`.
pub fn segment_filtered(
    root: ElementRef<'_>,
    base: &Url,
    removed: &HashSet<NodeId>,
    picked: &HashSet<NodeId>,
) -> Segments {
    let mut w = Walker {
        out: Segments::default(),
        buf: Buf::default(),
        deferred: Vec::new(),
        next_id: 1,
        base,
    };
    // Explicit stack: (node, style at entry, entering?)
    let mut stack: Vec<Frame<'_>> = vec![(*root, Style::default(), true)];
    while let Some((node, style, entering)) = stack.pop() {
        match node.value() {
            Node::Text(t) if entering => {
                w.text(t, &style);
            }
            Node::Element(el) => {
                let name = el.name();
                if !entering {
                    if is_block(name) {
                        w.flush(&style);
                    }
                    continue;
                }
                if is_skipped(name)
                    || (!removed.is_empty() && removed.contains(&node.id()))
                    || (!picked.is_empty() && picked.contains(&node.id()))
                {
                    continue;
                }
                // One pass over the attributes (each `attr()` lookup hashes).
                let mut attrs = Attrs::default();
                for (k, v) in el.attrs() {
                    match k {
                        "hidden" => attrs.hidden = true,
                        "style" => attrs.style = Some(v),
                        "class" => attrs.class = Some(v),
                        "align" => attrs.align = Some(v),
                        "href" => attrs.href = true,
                        "size" => attrs.size = Some(v),
                        _ => {}
                    }
                }
                if attrs.hidden
                    || attrs.style.is_some_and(|s| {
                        let s = s.to_ascii_lowercase().replace(' ', "");
                        s.contains("display:none") || s.contains("visibility:hidden")
                    })
                {
                    continue;
                }
                let mut st = style;
                match name {
                    "br" => {
                        w.br(&style);
                        continue;
                    }
                    "hr" => {
                        w.flush(&style);
                        w.push_simple(SegKind::Rule, &style);
                        continue;
                    }
                    "img" => {
                        w.image(el, &style);
                        continue;
                    }
                    "b" | "strong" => st.bold = true,
                    "i" | "em" | "cite" | "var" | "dfn" => st.italic = true,
                    "a" if attrs.href => st.link = true,
                    "small" => st.font = st.font.min(-1),
                    "big" => st.font = st.font.max(1),
                    "font" => {
                        if let Some(f) = attrs.size.and_then(font_size) {
                            st.font = f;
                        }
                    }
                    "center" => st.centered = true,
                    "pre" | "listing" | "xmp" => st.pre = true,
                    "figcaption" | "caption" => st.in_caption = true,
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                        let level = name[1..].parse().unwrap_or(3);
                        st.heading = Some(level);
                        st.bold = true;
                        st.font = st.font.max(4 - level as i8);
                    }
                    _ => {}
                }
                if attrs
                    .class
                    .is_some_and(|c| c.to_ascii_lowercase().contains("caption"))
                {
                    st.in_caption = true;
                }
                if attrs
                    .align
                    .is_some_and(|a| a.eq_ignore_ascii_case("center"))
                {
                    st.centered = true;
                }
                if is_block(name) {
                    w.flush(&style);
                    st.block = w.id();
                    match name {
                        "table" => {
                            let id = w.out.tables.len();
                            w.out.tables.push(TableInfo::default());
                            st.table = Some(id);
                            st.cell = None;
                            st.row = None;
                        }
                        "tr" => st.row = Some(w.id()),
                        "td" | "th" => st.cell = Some(w.id()),
                        "figure" => st.figure = Some(w.id()),
                        "blockquote" => st.quote = Some(w.id()),
                        "ul" | "ol" | "menu" | "dir" => {
                            st.list = Some((w.id(), name == "ol"));
                            st.li = false;
                        }
                        "li" => st.li = true,
                        _ => {}
                    }
                }
                stack.push((node, st, false));
                push_children(&mut stack, node, st);
            }
            Node::Document | Node::Fragment if entering => {
                push_children(&mut stack, node, style);
            }
            _ => {}
        }
    }
    w.flush(&Style::default());
    // Table summaries: text of every segment counted in each enclosing table is not
    // tracked (only the nearest), which is what "small boxes" need.
    for s in &w.out.segs {
        if let Some(t) = s.table {
            if let Some(info) = w.out.tables.get_mut(t) {
                info.chars += s.chars;
                if s.chars >= 80 && s.link_chars * 10 < s.chars * 3 {
                    info.prose += 1;
                    info.prose_chars += s.chars;
                }
                if info.text.len() < 2000 {
                    info.text.push_str(&s.text.to_lowercase());
                    info.text.push(' ');
                }
            }
        }
    }
    w.out
}

type Frame<'a> = (NodeRef<'a, Node>, Style, bool);

/// Push `node`'s children so that the first child is popped first (no allocation).
fn push_children<'a>(stack: &mut Vec<Frame<'a>>, node: NodeRef<'a, Node>, st: Style) {
    let mut child = node.last_child();
    while let Some(c) = child {
        stack.push((c, st, true));
        child = c.prev_sibling();
    }
}

fn line_style(
    (chars, bold, italic, font): (usize, usize, usize, i8),
    (head, changed, tail_font): (Run, bool, i8),
) -> LineStyle {
    LineStyle {
        chars,
        bold: ratio(bold, chars),
        italic: ratio(italic, chars),
        font,
        head: if changed { head } else { Run::default() },
        tail_font,
    }
}

struct Walker<'u> {
    out: Segments,
    buf: Buf,
    /// Floated images met inside a paragraph: placed after it, so that the
    /// paragraph stays whole.
    deferred: Vec<Segment>,
    next_id: usize,
    base: &'u Url,
}

impl Walker<'_> {
    fn id(&mut self) -> usize {
        self.next_id += 1;
        self.next_id
    }

    fn text(&mut self, t: &str, st: &Style) {
        let b = &mut self.buf;
        b.cur.push_str(t);
        let n = if t.is_ascii() {
            t.bytes().filter(|c| !c.is_ascii_whitespace()).count()
        } else {
            t.chars().filter(|c| !c.is_whitespace()).count()
        };
        if n == 0 {
            return;
        }
        if !b.saw_text {
            b.font = st.font;
            b.min_font = st.font;
            b.centered = st.centered;
        }
        b.saw_text = true;
        b.pending_br = false;
        if b.line.0 == 0 {
            b.line.3 = st.font;
            b.run = (
                Run {
                    chars: 0,
                    bold: st.bold,
                    italic: st.italic,
                    font: st.font,
                },
                false,
                i8::MIN,
            );
        }
        let (head, changed, tail_font) = &mut b.run;
        if *changed {
            *tail_font = (*tail_font).max(st.font);
        } else if (st.bold, st.italic, st.font) == (head.bold, head.italic, head.font) {
            head.chars += n;
        } else {
            *changed = true;
            *tail_font = st.font;
        }
        b.line.0 += n;
        b.line.1 += if st.bold { n } else { 0 };
        b.line.2 += if st.italic { n } else { 0 };
        b.line.3 = b.line.3.max(st.font);
        b.chars += n;
        if st.link {
            b.link += n;
        }
        if st.bold {
            b.bold += n;
        }
        if st.italic {
            b.italic += n;
        }
        b.font = b.font.max(st.font);
        b.min_font = b.min_font.min(st.font);
        b.centered &= st.centered;
    }

    fn br(&mut self, st: &Style) {
        if st.pre {
            self.buf.cur.push('\n');
            return;
        }
        let has_line_text = self.buf.cur.chars().any(|c| !c.is_whitespace());
        if !has_line_text && self.buf.pending_br {
            // Second <br> in a row: a paragraph break.
            self.flush(st);
            return;
        }
        let line = std::mem::take(&mut self.buf.cur);
        let line = normalize::text(&line);
        let stats = std::mem::take(&mut self.buf.line);
        let run = std::mem::take(&mut self.buf.run);
        if !line.is_empty() {
            self.buf.lines.push(line);
            self.buf.line_style.push(line_style(stats, run));
        }
        self.buf.pending_br = true;
    }

    fn flush(&mut self, st: &Style) {
        self.flush_text(st);
        if !self.deferred.is_empty() {
            self.out.segs.append(&mut self.deferred);
        }
    }

    fn flush_text(&mut self, st: &Style) {
        let b = std::mem::take(&mut self.buf);
        if b.chars == 0 {
            return;
        }
        let (lines, line_style, text) = if st.pre {
            let mut raw = b.lines.join("\n");
            if !raw.is_empty() {
                raw.push('\n');
            }
            raw.push_str(&b.cur);
            let t = normalize::preformatted(&raw);
            let lines: Vec<String> = t.lines().map(str::to_string).collect();
            let styles = vec![LineStyle::default(); lines.len()];
            (lines, styles, t)
        } else {
            let mut lines = b.lines;
            let mut styles = b.line_style;
            let last = normalize::text(&b.cur);
            if !last.is_empty() {
                lines.push(last);
                styles.push(line_style(b.line, b.run));
            }
            let text = lines.join(" ");
            (lines, styles, text)
        };
        if text.is_empty() {
            return;
        }
        let kind = if st.pre {
            SegKind::Pre
        } else if let Some(level) = st.heading {
            SegKind::Heading(level)
        } else if let (Some((list, ordered)), true) = (st.list, st.li) {
            SegKind::ListItem { list, ordered }
        } else if let Some(q) = st.quote {
            SegKind::Quote(q)
        } else {
            SegKind::Text
        };
        self.out.segs.push(Segment {
            kind,
            lines,
            line_style,
            text,
            chars: b.chars,
            link_chars: b.link,
            bold_chars: b.bold,
            italic_chars: b.italic,
            font: b.font,
            min_font: b.min_font,
            centered: b.centered,
            cell: st.cell,
            table: st.table,
            row: st.row,
            figure: st.figure,
            in_caption: st.in_caption,
            block: st.block,
        });
    }

    fn push_simple(&mut self, kind: SegKind, st: &Style) {
        self.out.segs.push(simple(kind, st));
    }

    fn image(&mut self, el: &scraper::node::Element, st: &Style) {
        let Some(src) = el
            .attr("src")
            .or_else(|| el.attr("data-src"))
            .map(str::trim)
            .filter(|s| !s.is_empty() && !s.starts_with("data:"))
        else {
            return;
        };
        let Ok(url) = self.base.join(src) else { return };
        let dim = |a: &str| {
            el.attr(a)
                .and_then(|v| v.trim().trim_end_matches("px").parse::<u32>().ok())
        };
        let size = match (dim("width"), dim("height")) {
            (Some(w), Some(h)) => Some(w.min(h)),
            (a, b) => a.or(b),
        };
        let alt = el
            .attr("alt")
            .map(normalize::text)
            .filter(|a| !a.is_empty());
        let float = el
            .attr("align")
            .is_some_and(|a| a.eq_ignore_ascii_case("left") || a.eq_ignore_ascii_case("right"))
            || el.attr("style").is_some_and(|s| {
                let s = s.to_ascii_lowercase().replace(' ', "");
                s.contains("float:left") || s.contains("float:right")
            });
        let kind = SegKind::Image {
            src: url.to_string(),
            alt,
            size,
            in_link: st.link,
            float,
        };
        if float && self.buf.chars > 0 {
            // Floated beside a paragraph: the paragraph stays whole and the image
            // follows it.
            self.deferred.push(simple(kind, st));
            return;
        }
        // The image is a block of its own: text before it in the same element is
        // flushed first (an inline image in mid-paragraph splits the paragraph).
        if self.buf.chars > 0 {
            self.flush(st);
        }
        self.push_simple(kind, st);
    }
}

/// A segment without text (an image or a rule) in the style it sits in.
fn simple(kind: SegKind, st: &Style) -> Segment {
    Segment {
        kind,
        lines: Vec::new(),
        line_style: Vec::new(),
        text: String::new(),
        chars: 0,
        link_chars: 0,
        bold_chars: 0,
        italic_chars: 0,
        font: st.font,
        min_font: st.font,
        centered: st.centered,
        cell: st.cell,
        table: st.table,
        row: st.row,
        figure: st.figure,
        in_caption: st.in_caption,
        block: st.block,
    }
}
