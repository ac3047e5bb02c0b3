//! The body pass: the segments between the head and the end → typed blocks
//! (paragraphs, bold-line subheads, lists, quotations, images with captions,
//! preformatted text), opened by a review's book data.
//!
//! Skipped on the way: segments the head or the bio took, chrome, recurring-feature
//! boilerplate, the end mark, and a stop phrase with the box or list it heads (a
//! related-articles box floated before the end mark). One forward walk; quotation
//! sizes are counted once. Owns no decision about where the body starts or ends.

use std::collections::HashMap;

use super::{Classifier, Ending, Head};
use crate::extract::segment::SegKind;
use crate::model::Block;
use crate::normalize;

/// How many segments before or after a pull-quote the paragraph it repeats may sit.
const PULL_QUOTE_REACH: usize = 8;

/// Longest text (characters) of one cell of a data table's row read as one paragraph.
const MAX_ROW_CELL_CHARS: usize = 200;

impl Classifier<'_> {
    pub(super) fn blocks(&mut self, h: &Head, e: &Ending) -> Vec<Block> {
        let segs = self.segs;
        let (start, end) = (h.body_start.min(e.end), e.end.min(segs.len()));
        let overrides = &self.overrides;
        let mut out: Vec<Block> = Vec::new();
        if let Some(t) = &e.first_subhead {
            out.push(Block::Heading {
                level: 3,
                text: t.clone(),
            });
        }
        for &i in &h.book_prefix {
            if let Some(t) = self.text_of(i, e, overrides).filter(|t| !t.is_empty()) {
                out.push(Block::Paragraph { text: t });
            }
        }
        let total_chars: usize = segs[start..end].iter().map(|s| s.chars).sum();
        // Characters per blockquote, counted once (asking per segment would be
        // quadratic on a page that is one long quote).
        let mut quote_chars: HashMap<usize, usize> = HashMap::new();
        for s in &segs[start..end] {
            if let SegKind::Quote(q) = s.kind {
                *quote_chars.entry(q).or_insert(0) += s.chars;
            }
        }
        let quote_share = |q: usize| -> f32 {
            quote_chars.get(&q).copied().unwrap_or(0) as f32 / total_chars.max(1) as f32
        };
        // A quotation that holds most of the body indents the whole article only
        // when the body starts inside it; after an introduction of the writer's own
        // (a speech or a letter reprinted whole) it is a quotation.
        let opening_quote = (start..end)
            .find(|&i| segs[i].chars > 0 && !self.used[i] && !self.is_chrome(i))
            .and_then(|i| match segs[i].kind {
                SegKind::Quote(q) => Some(q),
                _ => None,
            });
        let indents = |q: usize| quote_share(q) >= 0.6 && opening_quote == Some(q);
        let pull_quotes = self.pull_quotes(start, end);
        let mut i = start;
        while i < end {
            let s = &segs[i];
            if pull_quotes[i - start] {
                i += 1;
                continue;
            }
            if !self.used[i] && (self.is_stop(i) || self.is_stop_box(i)) {
                i = self.skip_stop_run(i, end);
                continue;
            }
            if self.used[i]
                // Book data in the bookseller's box beside the cover stays.
                || (self.is_chrome(i) && !self.book[i])
                || self.is_end_mark_image(i)
                || self.boiler[i]
                || self.is_boilerplate(i)
            {
                i += 1;
                continue;
            }
            let Some(text) = self.text_of(i, e, overrides) else {
                i += 1;
                continue;
            };
            // A row of a data table in the text: one paragraph (else its cells are
            // read one by one, below).
            if matches!(s.kind, SegKind::Text) && s.row.is_some() {
                if let Some((row, next)) = self.table_row(i, end, e, overrides) {
                    out.push(Block::Paragraph { text: row });
                    i = next;
                    continue;
                }
            }
            match &s.kind {
                // A cover linked to a bookseller beside the book's data: the
                // bookseller's, not a picture of the text.
                SegKind::Image { in_link: true, .. } if self.beside_book_data(i, end) => {}
                SegKind::Image { src, alt, .. } => {
                    let (caption, used_n) = self.caption_after(i, end);
                    let (caption, credit) = split_credit(caption);
                    out.push(Block::Image {
                        src: src.clone(),
                        alt: alt.clone(),
                        caption,
                        credit,
                    });
                    i += 1 + used_n;
                    continue;
                }
                SegKind::Heading(level) => {
                    if !text.is_empty() {
                        out.push(Block::Heading {
                            level: *level,
                            text,
                        });
                    }
                }
                SegKind::ListItem { list, ordered } => {
                    let (list, ordered) = (*list, *ordered);
                    let mut items = Vec::new();
                    let mut links = 0;
                    let mut chars = 0;
                    while i < end
                        && matches!(segs[i].kind, SegKind::ListItem { list: l, .. } if l == list)
                    {
                        if !self.r.is_chrome_text(&segs[i].text) && !self.used[i] {
                            if let Some(t) = self.text_of(i, e, overrides).filter(|t| !t.is_empty())
                            {
                                items.push(t);
                                links += segs[i].link_chars;
                                chars += segs[i].chars;
                            }
                        }
                        i += 1;
                    }
                    if !items.is_empty() && (links as f32) < 0.6 * chars as f32 {
                        out.push(Block::List { ordered, items });
                    }
                    continue;
                }
                SegKind::Quote(q) if !indents(*q) => {
                    let q = *q;
                    let mut paragraphs = Vec::new();
                    while i < end && segs[i].kind == SegKind::Quote(q) {
                        if !self.is_chrome(i) && !self.used[i] && !self.boiler[i] {
                            if let Some(t) = self.text_of(i, e, overrides).filter(|t| !t.is_empty())
                            {
                                paragraphs.push(t);
                            }
                        }
                        i += 1;
                    }
                    if !paragraphs.is_empty() {
                        out.push(Block::Blockquote { paragraphs });
                    }
                    continue;
                }
                SegKind::Pre => out.push(Block::Preformatted {
                    text: s.text.clone(),
                }),
                SegKind::Rule => {}
                SegKind::Text | SegKind::Quote(_) => {
                    if text.is_empty() {
                    } else if !self.book[i] && self.is_subhead(i, &text, end) {
                        out.push(Block::Heading { level: 3, text });
                    } else {
                        out.push(Block::Paragraph { text });
                    }
                }
            }
            i += 1;
        }
        normalize::strip_markup_blocks(&mut out);
        out
    }

    /// A segment's body text: its override if any, with the end mark cut off when it
    /// holds the mark. `None` when the segment is dropped.
    fn text_of(
        &self,
        i: usize,
        e: &Ending,
        overrides: &HashMap<usize, Option<String>>,
    ) -> Option<String> {
        let t = match overrides.get(&i) {
            Some(None) => return None,
            Some(Some(t)) => t.clone(),
            None => self.segs[i].text.clone(),
        };
        Some(if Some(i) == e.end_mark_at {
            self.r.strip_end_mark(&t)
        } else {
            t
        })
    }

    /// Past a stop phrase and what it heads: the rest of its small box, the list
    /// right under it, and the link lines that follow.
    pub(super) fn skip_stop_run(&self, i: usize, end: usize) -> usize {
        let table = self.segs[i].table.filter(|_| self.is_stop_box(i));
        let mut j = i + 1;
        while j < end {
            let s = &self.segs[j];
            let in_box = table.is_some() && s.table == table;
            let listy = matches!(s.kind, SegKind::ListItem { .. });
            let linky = s.chars > 0 && s.link_ratio() >= 0.5;
            let blank = s.chars == 0;
            // An italic author note that names a bookseller is still the note.
            let note = s.italic_ratio() > 0.6 && s.link_ratio() < 0.5 && self.r.bio_phrase(&s.text);
            if note && !in_box {
                break;
            }
            if !(in_box || listy || linky || blank || self.is_chrome(j)) {
                break;
            }
            j += 1;
        }
        j
    }

    /// Pull-quotes: a short block of text (a table cell, an aside, a quotation)
    /// whose words the article prints again, whole, inside a longer paragraph near
    /// it. It repeats the text for the layout and is not a block of the body.
    /// One flag per segment of `start..end`, so the caller's test is O(1).
    fn pull_quotes(&self, start: usize, end: usize) -> Vec<bool> {
        let segs = self.segs;
        let texty = |k: usize| matches!(segs[k].kind, SegKind::Text | SegKind::Quote(_));
        // Compared without case: a pull-quote capitalises the words it lifts from
        // mid-sentence.
        let lower: Vec<String> = (start..end).map(|k| segs[k].text.to_lowercase()).collect();
        let mut out = vec![false; end.saturating_sub(start)];
        for i in start..end {
            let s = &segs[i];
            if !texty(i) || self.used[i] || s.chars > 300 {
                continue;
            }
            let core = lower[i - start].trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '“' | '”' | '‘' | '’' | '…' | '.')
            });
            if core.split_whitespace().count() < 8 {
                continue;
            }
            // Set beside the text it repeats: look a few segments either way.
            let near =
                i.saturating_sub(PULL_QUOTE_REACH).max(start)..(i + PULL_QUOTE_REACH + 1).min(end);
            let repeated = near.into_iter().any(|j| {
                j != i
                    && texty(j)
                    && !self.used[j]
                    && segs[j].chars > s.chars + 20
                    && lower[j - start].contains(core)
            });
            out[i - start] = repeated;
        }
        out
    }

    /// The row of a data table inside the text (not the layout table that holds
    /// the article's running text) that starts at segment `i`: its cells, each one
    /// short text, in order, joined by a space, and the segment after the row.
    /// `None` when the row has fewer than two text cells, a cell of several
    /// blocks, a picture, or chrome: its cells are then read one by one.
    fn table_row(
        &self,
        i: usize,
        end: usize,
        e: &Ending,
        overrides: &HashMap<usize, Option<String>>,
    ) -> Option<(String, usize)> {
        let s = &self.segs[i];
        let (Some(table), Some(row)) = (s.table, s.row) else {
            return None;
        };
        if Some(table) == self.main_table || s.cell.is_none() {
            return None;
        }
        // Only from the row's first block: a row declined at its start (a cell of
        // several blocks) is read cell by cell to its end.
        let same_row =
            |k: usize| self.segs[k].table == Some(table) && self.segs[k].row == Some(row);
        let mut k = i;
        while k > 0 && same_row(k - 1) {
            let prev = &self.segs[k - 1];
            if prev.chars > 0 || matches!(prev.kind, SegKind::Image { .. }) {
                return None;
            }
            k -= 1;
        }
        let mut parts = Vec::new();
        let mut last_cell = None;
        let mut j = i;
        while j < end && self.segs[j].table == Some(table) && self.segs[j].row == Some(row) {
            let t = &self.segs[j];
            if matches!(t.kind, SegKind::Image { .. }) {
                return None;
            }
            if t.chars > 0 {
                if !matches!(t.kind, SegKind::Text)
                    || t.cell.is_none()
                    || t.cell == last_cell
                    || t.chars > MAX_ROW_CELL_CHARS
                    || self.used[j]
                    || self.is_chrome(j)
                {
                    return None;
                }
                last_cell = t.cell;
                parts.push(self.text_of(j, e, overrides)?);
            }
            j += 1;
        }
        (parts.len() >= 2).then(|| (parts.join(" "), j))
    }

    /// Whether the next text after the image at `i`, in the same table, is a
    /// book's data.
    fn beside_book_data(&self, i: usize, end: usize) -> bool {
        let table = self.segs[i].table;
        (i + 1..end.min(i + 4))
            .find(|&j| self.segs[j].chars > 0)
            .is_some_and(|j| table.is_some() && self.segs[j].table == table && self.book[j])
    }

    /// A short, fully bold (or large) line followed by more text is a subhead.
    fn is_subhead(&self, i: usize, text: &str, end: usize) -> bool {
        let s = &self.segs[i];
        let short = s.chars <= 100;
        let styled = s.bold_ratio() > 0.95 || s.font > self.body_font;
        let ends_like_sentence = text.ends_with(['.', ',', ';', ':']) && !text.ends_with("...");
        let followed = (i + 1..end).any(|j| self.segs[j].chars > 0 && !self.is_chrome(j));
        short && styled && !ends_like_sentence && followed && s.link_ratio() < 0.5
    }

    /// The caption of the image at `i`: short text that follows it in the same small
    /// box (table cell, table or figure) or the same block. Returns it and how many
    /// segments it used.
    fn caption_after(&self, i: usize, end: usize) -> (Option<String>, usize) {
        let segs = self.segs;
        let img = &segs[i];
        let small_table = img
            .table
            .and_then(|t| self.tables.tables.get(t))
            .is_some_and(|t| t.chars > 0 && t.chars < 500);
        let mut parts = Vec::new();
        let mut j = i + 1;
        while j < end {
            let s = &segs[j];
            if matches!(s.kind, SegKind::Image { .. }) || s.chars == 0 || s.chars > 400 {
                break;
            }
            // Text that shares the image's paragraph is its caption when it is set
            // like one or short; beside a floated image it is running text unless
            // set like a caption.
            let styled = s.min_font < self.body_font || s.italic_ratio() > 0.6;
            let float = matches!(img.kind, SegKind::Image { float: true, .. });
            let same_block =
                s.block == img.block && img.block != 0 && (styled || (!float && s.chars <= 150));
            let same_box = (img.figure.is_some() && s.figure == img.figure)
                || (img.cell.is_some() && s.cell == img.cell && (small_table || styled))
                || (small_table && s.table == img.table)
                || same_block
                || (s.in_caption && j == i + 1);
            if !same_box || self.is_chrome(j) || self.used[j] || self.book[j] {
                break;
            }
            parts.push(s.text.clone());
            j += 1;
            if !(small_table || img.figure.is_some()) {
                break;
            }
        }
        let n = j - i - 1;
        let cap = parts.join(" ");
        ((!cap.is_empty()).then_some(cap), n)
    }
}

/// Split a trailing "(credit)" off a caption.
pub fn split_credit(caption: Option<String>) -> (Option<String>, Option<String>) {
    let Some(c) = caption else {
        return (None, None);
    };
    let t = c.trim_end();
    if t.ends_with(')') {
        if let Some(open) = t.rfind('(') {
            let credit = normalize::text(&t[open + 1..t.len() - 1]);
            let rest = normalize::text(&t[..open]);
            if !credit.is_empty() && credit.chars().count() <= 60 {
                return ((!rest.is_empty()).then_some(rest), Some(credit));
            }
        }
    }
    (Some(c), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_split() {
        let (c, r) = split_credit(Some("Stalin at the canal. (Wikipedia Commons)".into()));
        assert_eq!(c.as_deref(), Some("Stalin at the canal."));
        assert_eq!(r.as_deref(), Some("Wikipedia Commons"));
        let (c, r) = split_credit(Some("Joseph Stalin".into()));
        assert_eq!((c.as_deref(), r), (Some("Joseph Stalin"), None));
    }
}
