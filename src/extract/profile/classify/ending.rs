//! The ending pass: where the body ends (the end mark, else the first stop phrase),
//! the author note wherever it sits around the end (after the mark, after a rule or
//! a related-articles box, before the mark, inside the mark's paragraph, or trailing
//! a body without a mark), a closing signature standing in for a byline, and the
//! date in parentheses that opens the first paragraph.
//!
//! Each step is one forward or backward walk over the body range. Owns no head
//! logic and builds no blocks.

use super::{Classifier, Dated, Ending, Head};
use crate::extract::profile::Picked;
use crate::extract::segment::SegKind;
use crate::model::{DateSource, PublishedDate};
use crate::normalize;

/// Longest author note, in characters.
const MAX_BIO_CHARS: usize = 800;

/// Most paragraphs an author note spans.
const MAX_BIO_SEGMENTS: usize = 6;

/// How many segments past a footer line (chrome between) a note naming the author
/// is looked for.
const FOOTER_NOTE_REACH: usize = 12;

/// Longest author note printed above the text, in characters.
const MAX_TOP_NOTE_CHARS: usize = 300;

/// Largest declared size (px) of a headshot beside a note above the text.
const TOP_HEADSHOT_MAX: u32 = 150;

/// Longest label heading an author note ("About the authors"), in characters.
const MAX_NOTE_LABEL_CHARS: usize = 40;

/// How many chrome segments (a related-articles box, a share row) may sit between
/// the end mark and the author note.
const MAX_CHROME_BEFORE_BIO: usize = 40;

/// How many segments after a bold line ending in the mark's words are looked at for
/// the running text that makes it a subhead.
const SUBHEAD_REACH: usize = 12;

/// How many empty segments (blank lines, rules) may sit between one article's end
/// mark and the next article's byline on a page that carries several.
const NEXT_ARTICLE_GAP: usize = 4;

/// Most articles one page is read as carrying.
const MAX_ARTICLES: usize = 6;

/// Most numbered notes read after the mark.
const MAX_FOOTNOTES: usize = 60;

impl Classifier<'_> {
    pub(super) fn ending(
        &mut self,
        h: &Head,
        picked: &Picked,
        url_date: &dyn Fn() -> Option<PublishedDate>,
    ) -> Ending {
        let mut e = Ending::default();
        let (mut end, mut mark) = self.find_end(h.body_start);
        // A page carrying further articles under one headline (a debate, "Sell
        // it" / "Keep it"): a byline right after the mark, running text under it,
        // and a mark of its own. One document: every writer is an author and the
        // body runs to the last mark.
        if !h.authors.is_empty() || picked.byline.is_some() {
            let mut articles = 1;
            while let Some(m) = mark {
                if articles >= MAX_ARTICLES {
                    break;
                }
                let Some((k, l)) = self.next_article(m) else {
                    break;
                };
                let (end2, mark2) = self.find_end(k + 1);
                let Some(m2) = mark2 else { break };
                let names = self.segs[k]
                    .lines
                    .get(l)
                    .and_then(|line| self.r.byline_names(line))
                    .map(normalize::split_authors)
                    .unwrap_or_default();
                if names.is_empty() {
                    break;
                }
                e.more_authors.extend(names);
                if articles == 1 {
                    // The first article's subhead, printed in its byline's block
                    // ("Sell it" over "By X"), heads the body like the others'.
                    e.first_subhead = h.anchor.and_then(|a| self.subhead_in_byline_block(a));
                }
                // The earlier mark closes a paragraph of the body; the byline leaves
                // the body, its other lines (the second article's subhead) stay.
                if !matches!(self.segs[m].kind, SegKind::Image { .. }) {
                    let words = self.r.strip_end_mark(self.text_at(m).unwrap_or(""));
                    self.overrides
                        .insert(m, (!words.is_empty()).then_some(words));
                }
                let rest: Vec<&str> = self.segs[k]
                    .lines
                    .iter()
                    .enumerate()
                    .filter(|&(x, _)| x != l)
                    .map(|(_, t)| t.as_str())
                    .collect();
                let rest = rest.join(" ");
                self.overrides.insert(k, (!rest.is_empty()).then_some(rest));
                end = end2;
                mark = Some(m2);
                articles += 1;
            }
        }
        e.end = end;
        e.end_mark_at = mark;
        // The mark closing a line of its paragraph, the author note in italics on
        // the lines after it: the paragraph ends at the mark, the note is the bio's.
        if let Some((m, l)) = mark.and_then(|m| self.mark_line(m).map(|l| (m, l))) {
            let lines = &self.segs[m].lines;
            let text = lines[..=l].join(" ");
            let tail = lines[l + 1..].join(" ");
            self.overrides.insert(m, Some(text));
            e.mark_tail = Some(normalize::text(&tail)).filter(|t| !t.is_empty());
        }
        // Numbered notes the text cites ("… in 1995.[1]") printed after the mark
        // are the article's own: body, after the text.
        if let Some(last) = mark.and_then(|m| self.footnotes_after(h, m)) {
            e.end = last + 1;
        }
        // A dateline printed at the foot of the article, after the mark, when the
        // head has none.
        if h.published.is_none() {
            e.foot_date = self.foot_date(&e);
        }
        match &picked.bio {
            Some(b) => e.bio = Some(b.clone()),
            None => self.find_bio(h, &mut e),
        }
        // Not on feature pages (letters): their signers are letter writers.
        if h.authors.is_empty() && picked.byline.is_none() && !self.boiler.iter().any(|&b| b) {
            self.find_signature(h, &mut e);
            if e.signature.is_none() {
                self.find_closing_byline(h, &mut e);
            }
        }
        e.paren_date = self.first_paragraph_date(h, &e, url_date);
        e
    }

    /// The end of the body: (one past its last segment, the end-mark segment).
    ///
    /// The end mark wins wherever it is, even after a stop phrase (a related-articles
    /// box floated before the mark is skipped as chrome, see `blocks`), but not past
    /// the page footer; without a mark the body ends at the first stop phrase.
    fn find_end(&self, start: usize) -> (usize, Option<usize>) {
        let n = self.segs.len();
        let mut stop_at: Option<usize> = None;
        let mut seen_body = false;
        for i in start..n {
            if self.used[i] || self.boiler[i] {
                continue;
            }
            let s = &self.segs[i];
            if seen_body && self.is_end_mark_image(i) {
                let small = match &s.kind {
                    SegKind::Image { size, .. } => size.is_some_and(|z| z <= 40),
                    _ => false,
                };
                if stop_at.is_none() || small {
                    return (i, Some(i));
                }
            }
            if let Some(r) = &self.r.end_mark {
                if matches!(
                    s.kind,
                    SegKind::Text | SegKind::Quote(_) | SegKind::ListItem { .. }
                ) && s.chars > 2
                    && r.is_match(&s.text)
                    && !self.is_chrome(i)
                    && (stop_at.is_none() || self.plausible_late_mark(i))
                    // A short line ending in the initials before any running text
                    // ("Special to ESR" under the byline) is not the article's end;
                    // a short closing sentence with the mark after it is.
                    && (seen_body || s.chars > 60 || self.sentence_before_mark(i))
                    && !self.subhead_ending_in_mark(i)
                {
                    return (i + 1, Some(i));
                }
                if seen_body && stop_at.is_none() && self.mark_line(i).is_some() {
                    return (i + 1, Some(i));
                }
            }
            if stop_at.is_some() {
                if self.is_footer(i) {
                    break;
                }
                continue;
            }
            if seen_body && (self.is_stop(i) || self.is_stop_box(i) || self.is_footer(i)) {
                stop_at = Some(i);
                if self.is_footer(i) {
                    break;
                }
                continue;
            }
            if s.chars > 60 && !self.is_chrome(i) {
                seen_body = true;
            }
        }
        (stop_at.unwrap_or(n), None)
    }

    /// The line of text segment `i` that the end mark closes when it is not the
    /// segment's last line and every line after it is set in italics and worded
    /// like an author note ("… last words. ESR<br><i>X is a …</i>" in one
    /// paragraph); `None` otherwise, and for a mark that closes the segment.
    fn mark_line(&self, i: usize) -> Option<usize> {
        let s = &self.segs[i];
        let r = self.r.end_mark.as_ref()?;
        if !matches!(s.kind, SegKind::Text)
            || s.lines.len() < 2
            || s.line_style.len() != s.lines.len()
            || r.is_match(&s.text)
        {
            return None;
        }
        let l = (0..s.lines.len() - 1).find(|&l| r.is_match(&s.lines[l]))?;
        let words = self.r.strip_end_mark(&s.lines[l]);
        let tail = &s.lines[l + 1..];
        let tail_chars: usize = tail.iter().map(|t| t.chars().count()).sum();
        let sentence = words
            .trim_end()
            .ends_with(['.', '!', '?', '"', '”', '’', ')']);
        (sentence
            && s.line_style[l + 1..].iter().all(|st| st.italic > 0.6)
            && tail_chars <= MAX_BIO_CHARS
            && self.r.bio_phrase(&tail.join(" ")))
        .then_some(l)
    }

    /// Do the words before segment `i`'s end mark end like a sentence ("Closing
    /// words. ESR"), not like a credit line ("Special to ESR")?
    fn sentence_before_mark(&self, i: usize) -> bool {
        let words = self.r.strip_end_mark(&self.segs[i].text);
        words
            .trim_end()
            .ends_with(['.', '!', '?', '"', '”', '’', ')'])
    }

    /// A subhead whose words end with the mark's ("What comes next for ESR"): short,
    /// set bold or large, not ending like a sentence, with running text after it.
    /// It is a heading of the body, not its end.
    fn subhead_ending_in_mark(&self, i: usize) -> bool {
        let s = &self.segs[i];
        let words = self.r.strip_end_mark(&s.text);
        let words = words.trim_end();
        if words.is_empty()
            || s.chars > 100
            || !(s.bold_ratio() > 0.95 || s.font > self.body_font)
            || words.ends_with(['.', '!', '?', ',', ';', ':', '"', '”', '’', ')'])
        {
            return false;
        }
        // The subhead's running text follows within a few segments (a picture and
        // its caption may sit between): looking no further keeps a page of many such
        // lines linear.
        (i + 1..self.segs.len())
            .take(SUBHEAD_REACH)
            .take_while(|&j| !self.is_footer(j) && !self.is_stop(j))
            .any(|j| {
                let t = &self.segs[j];
                matches!(t.kind, SegKind::Text | SegKind::Quote(_))
                    && t.chars > 60
                    && t.italic_ratio() < 0.5
                    && t.link_ratio() < 0.5
                    && !self.is_chrome(j)
            })
    }

    /// An end mark met after a stop phrase ends the article only when it looks like
    /// the article's: a mark on its own, or closing a real paragraph, outside any box
    /// of links ("Write for ESR" in a sidebar is not the end of the article).
    fn plausible_late_mark(&self, i: usize) -> bool {
        let s = &self.segs[i];
        let standalone = self.r.strip_end_mark(&s.text).is_empty();
        (standalone || s.chars >= 40) && s.link_ratio() < 0.5 && !self.is_stop_box(i)
    }

    /// The author note: after the end mark (past empty lines, rules, a mark image
    /// and chrome), else right before a mark that stands alone, else the italic
    /// note inside the mark's own paragraph; without a mark, the italic (or small,
    /// bio-worded) notes that close the body.
    fn find_bio(&mut self, h: &Head, e: &mut Ending) {
        self.find_end_note(h, e);
        if e.bio.is_none() {
            self.find_top_note(h, e);
        }
    }

    /// An author note printed above the text: the first block of the body, set in
    /// italics (or smaller than the running text), short, opening with a byline
    /// author's name and worded like a note ("Jane Doe is a former …"), with
    /// running text after it; one such block per author when there are several.
    /// A small picture right before the note in its table (a headshot in a box
    /// floated at the top of the text) is furniture.
    fn find_top_note(&mut self, h: &Head, e: &mut Ending) {
        let end = e.end.min(self.segs.len());
        let Some(mut i) = (h.body_start..end).find(|&i| {
            let s = &self.segs[i];
            !self.used[i] && !self.book[i] && (s.chars > 0 || !matches!(s.kind, SegKind::Text))
        }) else {
            return;
        };
        let mut headshot = None;
        if let SegKind::Image { size, .. } = self.segs[i].kind {
            let next = i + 1;
            let beside = next < end
                && self.segs[i].table.is_some()
                && self.segs[next].table == self.segs[i].table
                && size.is_none_or(|z| z <= TOP_HEADSHOT_MAX);
            if !beside {
                return;
            }
            headshot = Some(i);
            i = next;
        }
        let first = i;
        let mut last = i;
        while last < end && last - first < MAX_BIO_SEGMENTS && self.top_note(h, last, end) {
            last += 1;
        }
        if last > first {
            if let Some(k) = headshot {
                self.used[k] = true;
            }
            e.bio = self.join_bio(first, last);
        }
    }

    /// Whether segment `i` is (one author's) note above the text (see
    /// [`Self::find_top_note`]).
    fn top_note(&self, h: &Head, i: usize, end: usize) -> bool {
        let s = &self.segs[i];
        let small = s.min_font < self.body_font && s.font <= self.body_font;
        matches!(s.kind, SegKind::Text)
            && !self.used[i]
            && s.chars <= MAX_TOP_NOTE_CHARS
            && (s.italic_ratio() > 0.8 || small)
            && !self.is_chrome(i)
            && !self.boiler[i]
            && opens_with_author(&s.text, &h.authors)
            && self.r.bio_phrase(&s.text)
            && (i + 1..end).any(|j| {
                let t = &self.segs[j];
                matches!(t.kind, SegKind::Text)
                    && t.chars >= 60
                    && t.italic_ratio() < 0.5
                    && !self.is_chrome(j)
            })
    }

    fn find_end_note(&mut self, h: &Head, e: &mut Ending) {
        let n = self.segs.len();
        let Some(m) = e.end_mark_at else {
            let mut j = e.end;
            while j > h.body_start && (self.segs[j - 1].chars == 0 || self.is_chrome(j - 1)) {
                j -= 1;
            }
            let stop = j;
            while j > h.body_start && j + MAX_BIO_SEGMENTS > stop && self.trailing_note(j - 1) {
                j -= 1;
            }
            // An italic closing paragraph is a note only when it reads like one
            // (or names an author): a closing quotation in italics is body.
            if j < stop && j > h.body_start {
                let text = self.join_text(j, stop);
                if self.r.bio_phrase(&text) || names_an_author(&text, &h.authors) {
                    e.bio = self.join_bio(j, stop);
                    e.end = j;
                }
            }
            return;
        };

        // After the mark (and the article's numbered notes).
        let mut j = (m + 1).max(e.end);
        let mut skipped = 0;
        while j < n && skipped <= MAX_CHROME_BEFORE_BIO {
            let s = &self.segs[j];
            // Empty lines, the mark's image, a headshot beside the note.
            let blank = s.chars == 0 && !matches!(s.kind, SegKind::Image { in_link: true, .. });
            if blank || self.is_end_mark_image(j) {
                j += 1;
                continue;
            }
            if self.looks_like_bio(j, skipped == 0, &h.authors) {
                break;
            }
            if self.is_footer(j) {
                // An author's own copyright line may stand between the mark and a
                // note that names the author; a footer before anything else ends it.
                let named = (j + 1..n.min(j + FOOTER_NOTE_REACH))
                    .find(|&k| {
                        let s = &self.segs[k];
                        s.chars > 0
                            && !self.note_label(k)
                            && !self.is_chrome(k)
                            && !self.is_stop(k)
                            && !self.is_stop_box(k)
                    })
                    .is_some_and(|k| opens_with_author(&self.segs[k].text, &h.authors));
                if !named {
                    break;
                }
                skipped += 1;
                j += 1;
                continue;
            }
            if self.is_stop(j) || self.is_stop_box(j) {
                skipped += 1;
                j = self.skip_stop_run(j, n);
                continue;
            }
            if self.is_chrome(j) || self.used[j] || self.is_boilerplate(j) {
                skipped += 1;
                j += 1;
                continue;
            }
            // A label heading the note ("About the author"): passed over when a
            // note follows it.
            if self.note_label(j)
                && (j + 1..n.min(j + 3))
                    .find(|&k| self.segs[k].chars > 0)
                    .is_some_and(|k| self.looks_like_bio(k, skipped == 0, &h.authors))
            {
                j += 1;
                continue;
            }
            break;
        }
        let start = j;
        // The notes, one per author; inside one table (a cell per author, each
        // beside a headshot) the empty segments and pictures between them too.
        let table = self.segs.get(start).and_then(|s| s.table);
        let mut notes = 0;
        let mut k = j;
        while k < n && notes < MAX_BIO_SEGMENTS {
            let s = &self.segs[k];
            let between = table.is_some()
                && s.table == table
                && s.chars == 0
                && !matches!(s.kind, SegKind::Image { in_link: true, .. });
            if k > start && between {
                k += 1;
                continue;
            }
            if !self.looks_like_bio(k, k == start && skipped == 0, &h.authors) {
                break;
            }
            notes += 1;
            k += 1;
            j = k;
        }
        // A note that opens with the feature's own name ("The X Award is given
        // to …") describes the feature, not the author.
        let mark_alone = match self.segs[m].kind {
            SegKind::Image { .. } => true,
            _ => self.r.strip_end_mark(&self.segs[m].text).is_empty(),
        };
        if j > start && !opens_with(&self.join_text(start, j), h.kicker.as_deref()) {
            let after = self.join_bio(start, j);
            // Notes on both sides of a mark that stands alone (one author's before
            // it, the other's after it) are one bio, in order.
            let before = if mark_alone {
                self.note_before(h, e, m)
            } else {
                None
            };
            let after = after.map(|a| self.without_note_label(start, a));
            let after = match (e.mark_tail.take(), after) {
                (Some(t), Some(a)) => Some(format!("{t} {a}")),
                (t, a) => a.or(t),
            };
            e.bio = match (before, after) {
                (Some(b), Some(a)) => Some(format!("{b} {a}")),
                (b, a) => a.or(b),
            };
            return;
        }
        if let Some(t) = e.mark_tail.take() {
            e.bio = Some(t);
            return;
        }

        // Before a mark that stands alone (its own paragraph, or an image).
        if mark_alone {
            // Past empty lines and chrome (a related-articles box set between the
            // note and the mark).
            let mut j = m;
            while j > h.body_start && (self.segs[j - 1].chars == 0 || self.is_chrome(j - 1)) {
                j -= 1;
            }
            e.bio = self.note_before(h, e, m);
            if e.bio.is_none() {
                e.bio = self.tail_note_before(h, m);
            }
            return;
        }

        // The mark closing the note itself ("<i>Jane Doe writes from Ottawa.</i> ESR").
        let s = &self.segs[m];
        if m > h.body_start && s.italic_ratio() > 0.6 && s.chars <= MAX_BIO_CHARS {
            let text = self.r.strip_end_mark(&s.text);
            if !text.is_empty() && (self.r.bio_phrase(&text) || names_an_author(&text, &h.authors))
            {
                self.used[m] = true;
                e.bio = Some(text);
                e.end = m;
            }
        }
    }

    /// The italic notes right before a mark that stands alone at `m` (past empty
    /// lines and chrome), when they read like a note or name an author: taken out
    /// of the body, with a picture in the note's own table cell (the author's
    /// headshot beside the note).
    fn note_before(&mut self, h: &Head, e: &mut Ending, m: usize) -> Option<String> {
        let mut j = m;
        while j > h.body_start
            && (self.segs[j - 1].chars == 0 || (self.is_chrome(j - 1) && !self.italic_note(j - 1)))
        {
            j -= 1;
        }
        let hi = j;
        while j > h.body_start && j + MAX_BIO_SEGMENTS > hi && self.italic_note(j - 1) {
            j -= 1;
        }
        if j >= hi || j <= h.body_start {
            return None;
        }
        let text = self.join_text(j, hi);
        if !(self.r.bio_phrase(&text) || names_an_author(&text, &h.authors)) {
            return None;
        }
        for k in j..hi {
            self.used[k] = true;
        }
        let cell = self.segs[j].cell;
        let mut k = j;
        while cell.is_some() && k > h.body_start && j - k < 3 && self.segs[k - 1].cell == cell {
            k -= 1;
            if matches!(self.segs[k].kind, SegKind::Image { in_link: false, .. }) {
                self.used[k] = true;
            }
        }
        e.end = j;
        Some(text)
    }

    /// The italic note closing the last paragraph before a mark that stands alone,
    /// after a line break ("… last words.<br><i>X is a …</i>" then "ESR"): the
    /// paragraph keeps its upright lines, the note is the bio. Only when the note
    /// reads like one or names an author.
    fn tail_note_before(&mut self, h: &Head, m: usize) -> Option<String> {
        let mut j = m;
        while j > h.body_start && (self.segs[j - 1].chars == 0 || self.is_chrome(j - 1)) {
            j -= 1;
        }
        let k = j
            .checked_sub(1)
            .filter(|&k| k >= h.body_start && !self.used[k])?;
        let s = &self.segs[k];
        if !matches!(s.kind, SegKind::Text) || s.line_style.len() != s.lines.len() {
            return None;
        }
        let italic = |l: usize| s.line_style[l].italic > 0.6;
        let from =
            (1..s.lines.len()).find(|&l| !italic(l - 1) && (l..s.lines.len()).all(italic))?;
        let tail = s.lines[from..].join(" ");
        if tail.chars().count() > MAX_BIO_CHARS
            || !(self.r.bio_phrase(&tail) || names_an_author(&tail, &h.authors))
        {
            return None;
        }
        let text = s.lines[..from].join(" ");
        self.overrides.insert(k, Some(text));
        Some(normalize::text(&tail)).filter(|t| !t.is_empty())
    }

    fn join_text(&self, a: usize, b: usize) -> String {
        let text: Vec<&str> = self.segs[a..b]
            .iter()
            .map(|s| s.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        text.join(" ")
    }

    fn join_bio(&mut self, a: usize, b: usize) -> Option<String> {
        for k in a..b {
            self.used[k] = true;
        }
        Some(self.join_text(a, b)).filter(|t| !t.is_empty())
    }

    /// A note whose paragraph opens with a bold label before a colon ("<b>About
    /// the author:</b> X is …"): the note without it. The label is the first run of
    /// the segment's first line, bold, at most five words; `text` as it is otherwise.
    fn without_note_label(&self, i: usize, text: String) -> String {
        let s = &self.segs[i];
        let Some(st) = s.line_style.first() else {
            return text;
        };
        let Some((label, rest)) = text.split_once(':') else {
            return text;
        };
        let label_chars = label.chars().filter(|c| !c.is_whitespace()).count() + 1;
        let words = label.split_whitespace().count();
        if st.head.bold
            && (1..=5).contains(&words)
            && label.chars().count() <= MAX_NOTE_LABEL_CHARS
            && (label_chars - 1..=label_chars).contains(&st.head.chars)
            && !rest.trim().is_empty()
        {
            rest.trim().to_string()
        } else {
            text
        }
    }

    /// A short label line set apart (a heading, or bold) without a sentence's
    /// punctuation and without links: what heads a note ("About the author").
    fn note_label(&self, i: usize) -> bool {
        let s = &self.segs[i];
        let set_apart = matches!(s.kind, SegKind::Heading(_))
            || (matches!(s.kind, SegKind::Text) && s.bold_ratio() > 0.8);
        set_apart
            && s.chars > 0
            && s.chars <= MAX_NOTE_LABEL_CHARS
            && s.link_chars == 0
            && s.text.split_whitespace().count() <= 5
            && !s.text.trim_end().ends_with(['.', '!', '?'])
    }

    /// A block after the end mark that is (part of) the author note: italic; or
    /// opening with a byline author's name ("Jane Doe covers …"); or, first after
    /// the mark, worded like a note.
    fn looks_like_bio(&self, i: usize, first: bool, authors: &[String]) -> bool {
        let s = &self.segs[i];
        if s.chars == 0
            || s.chars > MAX_BIO_CHARS
            || self.used[i]
            || !matches!(s.kind, SegKind::Text | SegKind::Quote(_))
            || self.boiler[i]
            || self.is_boilerplate(i)
        {
            return false;
        }
        let italic = s.italic_ratio() > 0.6;
        if self.is_chrome(i) || self.is_stop(i) || self.is_footer(i) {
            // An italic reprint note may carry a copyright line ("© 2004 Creators
            // Syndicate. Reprinted with permission."): still the note.
            return italic && s.link_ratio() < 0.5 && self.r.bio_phrase(&s.text);
        }
        italic
            || (s.link_ratio() < 0.5 && opens_with_author(&s.text, authors))
            // Worded like a note: first after the mark, or past chrome when it
            // names a byline author ("You can e-mail Jane Doe at …").
            || ((first || names_an_author(&s.text, authors)) && self.r.bio_phrase(&s.text))
    }

    /// An italic paragraph short enough to be an author note.
    fn italic_note(&self, i: usize) -> bool {
        let s = &self.segs[i];
        matches!(s.kind, SegKind::Text | SegKind::Quote(_))
            && s.chars > 0
            && s.chars <= MAX_BIO_CHARS
            && s.italic_ratio() > 0.6
            && !self.used[i]
            && (!self.is_chrome(i) || (s.link_ratio() < 0.5 && self.r.bio_phrase(&s.text)))
            && !self.boiler[i]
            && !self.is_boilerplate(i)
    }

    /// A note closing a body that has no end mark: italic, or set smaller than the
    /// running text and worded like a bio.
    fn trailing_note(&self, i: usize) -> bool {
        let s = &self.segs[i];
        if !matches!(s.kind, SegKind::Text | SegKind::Quote(_))
            || s.chars == 0
            || s.chars > MAX_BIO_CHARS
            || self.used[i]
            || self.is_chrome(i)
            || self.is_stop(i)
            || self.boiler[i]
            || self.is_boilerplate(i)
        {
            return false;
        }
        let small = s.min_font < self.body_font && s.font <= self.body_font;
        s.italic_ratio() > 0.6 || (small && self.r.bio_phrase(&s.text))
    }

    /// A closing "- Name" line standing in for a missing byline: exactly one
    /// signature-like line in the body, and it is the body's last line. Several
    /// (a letters page, a page of quotations) are the signers', not the author's.
    fn find_signature(&mut self, h: &Head, e: &mut Ending) {
        if self.r.signature.is_none() {
            return;
        }
        let mut found: Option<(usize, usize, String)> = None;
        let mut last_text: Option<usize> = None;
        for i in h.body_start..e.end.min(self.segs.len()) {
            let s = &self.segs[i];
            if self.used[i]
                || self.boiler[i]
                || s.chars == 0
                || !matches!(s.kind, SegKind::Text | SegKind::Quote(_))
                || self.is_chrome(i)
            {
                continue;
            }
            if Some(i) == e.end_mark_at && self.r.strip_end_mark(&s.text).is_empty() {
                continue;
            }
            last_text = Some(i);
            for (l, line) in s.lines.iter().enumerate() {
                if line.len() > 160 {
                    continue;
                }
                let line = if Some(i) == e.end_mark_at && l + 1 == s.lines.len() {
                    std::borrow::Cow::Owned(self.r.strip_end_mark(line))
                } else {
                    std::borrow::Cow::Borrowed(line.as_str())
                };
                if let Some(name) = self.r.signature(&line) {
                    if found.is_some() {
                        return;
                    }
                    found = Some((i, l, name));
                }
            }
        }
        let Some((i, l, name)) = found else { return };
        let s = &self.segs[i];
        if last_text != Some(i) || l + 1 != s.lines.len() {
            return;
        }
        let rest = s.lines[..l].join(" ");
        self.overrides.insert(i, (!rest.is_empty()).then_some(rest));
        e.signature = Some(name);
    }

    /// The byline of a further article right after the mark at `m`: past a few
    /// empty lines or rules, a short block whose line `l` is a byline, with running
    /// text under it. Returns (the block, the byline's line).
    fn next_article(&self, m: usize) -> Option<(usize, usize)> {
        let n = self.segs.len();
        let mut k = m + 1;
        let mut gap = 0;
        while k < n
            && gap < NEXT_ARTICLE_GAP
            && (self.segs[k].chars == 0 || matches!(self.segs[k].kind, SegKind::Rule))
        {
            k += 1;
            gap += 1;
        }
        if k >= n || self.used[k] || self.book[k] || self.boiler[k] {
            return None;
        }
        let s = &self.segs[k];
        let l = self.byline_line(k)?;
        if s.chars > 200
            || s.link_ratio() > 0.3
            || self.is_chrome(k)
            || self.is_stop(k)
            || self.is_footer(k)
        {
            return None;
        }
        let next = (k + 1..n.min(k + 4)).find(|&i| self.segs[i].chars > 0)?;
        self.body_like(next).then_some((k, l))
    }

    /// The lines of the byline block `a` other than its byline and dateline, when
    /// they are short: a subhead printed over the byline.
    fn subhead_in_byline_block(&self, a: usize) -> Option<String> {
        let l = self.byline_line(a)?;
        let d = self.date_line(a);
        let lines: Vec<&str> = self.segs[a]
            .lines
            .iter()
            .enumerate()
            .filter(|&(x, _)| x != l && Some(x) != d)
            .map(|(_, t)| t.as_str())
            .collect();
        let text = lines.join(" ");
        (!text.is_empty() && text.chars().count() <= 100).then_some(text)
    }

    /// The last of the numbered notes ("[1] …", "[2] …") printed right after the
    /// mark at `m`, when the text cites the first of them; a short label heading
    /// them ("Notes") goes with them. `None` when there are none.
    fn footnotes_after(&self, h: &Head, m: usize) -> Option<usize> {
        let n = self.segs.len();
        let mut j = m + 1;
        while j < n && j < m + 1 + NEXT_ARTICLE_GAP && self.segs[j].chars == 0 {
            j += 1;
        }
        if j < n && self.note_label(j) {
            j += 1;
        }
        let mut last = None;
        let mut count = 0;
        while j < n && count < MAX_FOOTNOTES {
            let s = &self.segs[j];
            if s.chars == 0 {
                j += 1;
                continue;
            }
            if !matches!(s.kind, SegKind::Text | SegKind::Quote(_))
                || s.italic_ratio() > 0.6
                || s.chars > MAX_BIO_CHARS
                || self.used[j]
                || self.is_footer(j)
            {
                break;
            }
            let Some(num) = footnote_number(&s.text) else {
                break;
            };
            if last.is_none() {
                // The text must cite it: one scan of the body, once.
                let tag = format!("[{num}]");
                if !(h.body_start..=m).any(|i| self.segs[i].text.contains(&tag)) {
                    return None;
                }
            }
            last = Some(j);
            count += 1;
            j += 1;
        }
        last
    }

    /// A dateline on a line of its own after the end mark (before the footer).
    fn foot_date(&mut self, e: &Ending) -> Option<Dated> {
        let m = e.end_mark_at?;
        let n = self.segs.len();
        let from = (m + 1).max(e.end);
        for j in from..n.min(from + MAX_CHROME_BEFORE_BIO) {
            if self.is_footer(j) {
                break;
            }
            let s = &self.segs[j];
            if s.chars == 0 || s.chars >= 120 || self.used[j] || s.lines.len() != 1 {
                continue;
            }
            if self.date_line(j) == Some(0) {
                let date = self.r.dateline_date(&s.text)?;
                self.used[j] = true;
                return Some(Dated {
                    date,
                    source: DateSource::Page,
                });
            }
        }
        None
    }

    /// A byline printed after the text instead of above it ("By X" on a line of
    /// its own closing the body, before the mark or with it): the authors, and the
    /// line leaves the body.
    fn find_closing_byline(&mut self, h: &Head, e: &mut Ending) {
        let mut i = e.end.min(self.segs.len());
        while i > h.body_start {
            let k = i - 1;
            let s = &self.segs[k];
            let lone_mark = Some(k) == e.end_mark_at
                && (matches!(s.kind, SegKind::Image { .. })
                    || self.r.strip_end_mark(&s.text).is_empty());
            if s.chars == 0 || lone_mark || self.used[k] || self.is_chrome(k) {
                i -= 1;
                continue;
            }
            break;
        }
        if i <= h.body_start + 1 {
            return;
        }
        let k = i - 1;
        let s = &self.segs[k];
        if s.lines.len() != 1
            || s.chars > 100
            || !matches!(s.kind, SegKind::Text | SegKind::Quote(_))
        {
            return;
        }
        let line = if Some(k) == e.end_mark_at {
            self.r.strip_end_mark(&s.text)
        } else {
            s.text.clone()
        };
        if !self.r.byline.is_match(&line) {
            return;
        }
        let names = self
            .r
            .byline_names(&line)
            .map(normalize::split_authors)
            .unwrap_or_default();
        if names.is_empty() {
            return;
        }
        self.overrides.insert(k, None);
        e.more_authors.extend(names);
    }

    /// The date in parentheses opening the body's first paragraph.
    fn first_paragraph_date(
        &self,
        h: &Head,
        e: &Ending,
        url_date: &dyn Fn() -> Option<PublishedDate>,
    ) -> Option<Dated> {
        self.r.paren_date.as_ref()?;
        let i = (h.body_start..e.end.min(self.segs.len())).find(|&i| {
            let s = &self.segs[i];
            !self.used[i]
                && !self.book[i]
                && !self.boiler[i]
                && s.chars > 0
                && matches!(s.kind, SegKind::Text | SegKind::Quote(_))
                && !self.is_chrome(i)
        })?;
        let date = self.r.paren_date(self.text_at(i)?, url_date)?;
        Some(Dated {
            date,
            source: DateSource::Page,
        })
    }
}

/// Whether `text` opens with the page's kicker (a leading "the" ignored on both).
fn opens_with(text: &str, kicker: Option<&str>) -> bool {
    let Some(k) = kicker else { return false };
    let strip = |t: &str| {
        let t = t.trim_start();
        match t.get(..4) {
            Some(p) if p.eq_ignore_ascii_case("the ") => t[4..].to_lowercase(),
            _ => t.to_lowercase(),
        }
    };
    let k = strip(k);
    k.chars().count() >= 4 && strip(text).starts_with(&k)
}

/// Whether `text` opens with the name of one of the byline's authors, with or
/// without an honorific the byline prints ("Dr. Jane Doe" → "Jane Doe is …").
fn opens_with_author(text: &str, authors: &[String]) -> bool {
    let text = text.trim_start();
    authors.iter().any(|a| {
        let bare = match a.split_once(' ') {
            Some((first, rest)) if first.ends_with('.') && first.len() <= 5 => rest,
            _ => a.as_str(),
        };
        [a.as_str(), bare].iter().any(|name| {
            name.chars().count() >= 4
                && text.starts_with(name)
                && text[name.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
        })
    })
}

/// Whether a note names one of the byline's authors (a bio usually opens with it).
fn names_an_author(text: &str, authors: &[String]) -> bool {
    authors
        .iter()
        .any(|a| a.chars().count() >= 4 && text.contains(a.as_str()))
}

/// The number of a footnote line ("[3] Report of …"): a number of at most three
/// digits in brackets, then text.
fn footnote_number(text: &str) -> Option<u32> {
    let rest = text.trim_start().strip_prefix('[')?;
    let (num, after) = rest.split_once(']')?;
    if num.is_empty() || num.len() > 3 || !after.starts_with(char::is_whitespace) {
        return None;
    }
    num.parse().ok()
}
