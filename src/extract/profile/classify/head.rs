//! The head pass: breadcrumb, kicker (section label), headline, deck, byline,
//! dateline and a review's book data, in whatever order a template prints them.
//!
//! One bounded scan over the first segments (at most [`HEAD_LIMIT`]), which stops at
//! the article's running text, so nothing in the body (a letter's "By the way", a
//! quoted sub-head's date) is ever taken for the head. Owns no body or ending logic.

use super::{Classifier, Dated, Head};
use crate::extract::profile::Picked;
use crate::extract::segment::{LineStyle, SegKind, Segment};
use crate::model::{DateSource, PublishedDate};
use crate::normalize;

/// How many segments from the top the head may span.
const HEAD_LIMIT: usize = 80;

/// How many segments from the top a breadcrumb may sit.
const CRUMB_LIMIT: usize = 60;

/// Largest declared size (the smaller of width and height, px) of a headshot.
const HEADSHOT_MAX: u32 = 150;

/// Longest section label (characters) read off the start of a headline.
const MAX_PREFIX_LABEL: usize = 40;

/// How far below a candidate deck the body's subheads are looked for.
const SUBHEAD_SCAN: usize = 200;

/// Whether a byline is the book's author in a review (part of the book data).
#[derive(Debug, Clone, Copy, PartialEq)]
enum BookByline {
    /// Not book data: the article's byline.
    No,
    /// Book-data lines in the same block: certainly the book's author.
    Same,
    /// The next block is the book's data: probably the book's author.
    Next,
}

impl Classifier<'_> {
    pub(super) fn head(
        &mut self,
        picked: &Picked,
        url_date: &dyn Fn() -> Option<PublishedDate>,
    ) -> Head {
        let n = self.segs.len();
        let mut h = Head::default();

        // 1. Breadcrumb.
        let mut crumb_at: Option<usize> = None;
        match &picked.breadcrumb {
            Some(v) => h.section = self.r.trim_trail(v.clone()),
            None => {
                if let Some(r) = &self.r.breadcrumb {
                    if let Some(i) = (0..n.min(CRUMB_LIMIT)).find(|&i| {
                        self.segs[i].chars < 300
                            && r.is_match(&self.segs[i].text)
                            && !self.is_nav_bar(i)
                    }) {
                        self.used[i] = true;
                        crumb_at = Some(i);
                        h.section = self.r.breadcrumb_items(&self.segs[i].text);
                    }
                }
            }
        }
        let first_head = crumb_at.map_or(0, |i| i + 1);

        // 2. One scan: kicker, boilerplate, byline, dateline, book data. It ends at
        // the article's running text.
        h.kicker = picked.kicker.clone();
        h.authors = picked
            .byline
            .as_deref()
            .map(normalize::split_authors)
            .unwrap_or_default();
        let mut byline_found = picked.byline.is_some();
        h.published = picked
            .date
            .as_deref()
            .and_then(normalize::parse_date)
            .map(|date| Dated {
                date,
                source: DateSource::Page,
            });
        let limit = n.min(HEAD_LIMIT);
        let mut head_end = limit;
        let mut body_like_seen = 0;
        // The first byline/dateline segment and its line, when head lines sit above
        // it in the same block; and the first paragraph's text when the byline runs
        // into it.
        let mut lead: Option<(usize, usize)> = None;
        let mut tail: Option<(usize, String)> = None;
        for i in 0..limit {
            if self.used[i] {
                continue;
            }
            if self.is_boilerplate(i) {
                self.boiler[i] = true;
                self.used[i] = true;
                continue;
            }
            // Label lines after the breadcrumb; label images anywhere in the head.
            let image = matches!(self.segs[i].kind, SegKind::Image { .. });
            if i >= first_head || image {
                if let Some(k) = self.kicker_of(i) {
                    h.kicker.get_or_insert(k);
                    self.used[i] = true;
                    continue;
                }
            }
            if self.book[i] {
                continue;
            }
            let byline = self
                .byline_line(i)
                .or_else(|| self.byline_running_on(i, url_date));
            if self.r.is_chrome_text(&self.segs[i].text) && byline.is_none() {
                continue;
            }
            let mut hit = false;
            if !byline_found {
                if let Some(l) = byline {
                    match self.book_byline(i, l) {
                        BookByline::No => {
                            let lines = &self.segs[i].lines;
                            let line = &lines[l];
                            h.authors = self.authors_of(line);
                            byline_found = true;
                            hit = true;
                            // Head lines above the byline in its block; also under
                            // a dateline printed above them ("web posted May 1997"
                            // over "The headline<br>By X").
                            if l > 0 && lead.is_none() {
                                lead = Some((i, l));
                            }
                            if self.runs_on(line, url_date) {
                                if let Some((_, rest)) = self.r.byline_parts(line) {
                                    let mut text = vec![rest.trim()];
                                    text.extend(lines[l + 1..].iter().map(String::as_str));
                                    tail = Some((i, text.join(" ")));
                                }
                            }
                            if h.published.is_none() {
                                h.published =
                                    self.r.byline_date(line, url_date).map(|date| Dated {
                                        date,
                                        source: DateSource::Page,
                                    });
                            }
                        }
                        BookByline::Same => {
                            // The reviewer's byline and the dateline may share the
                            // block with the book's data: take them, keep the data.
                            if let Some((authors, date)) = self.reviewer_in_book_block(i, l) {
                                if !authors.is_empty() {
                                    h.authors = authors;
                                    byline_found = true;
                                }
                                if h.published.is_none() {
                                    h.published = date;
                                }
                                h.anchor = Some(h.anchor.map_or(i, |a: usize| a.max(i)));
                            }
                            self.mark_book(i);
                            continue;
                        }
                        BookByline::Next => {
                            self.mark_book(i);
                            continue;
                        }
                    }
                }
            }
            if h.published.is_none() {
                if let Some(d) = self.dateline_at(i) {
                    h.published = d;
                    if !hit && h.anchor.is_none() {
                        lead = self.date_line(i).filter(|&l| l > 0).map(|l| (i, l));
                    }
                    hit = true;
                }
            }
            if hit {
                self.used[i] = true;
                h.anchor = Some(h.anchor.map_or(i, |a: usize| a.max(i)));
            }
            if h.published.is_some() && byline_found {
                break;
            }
            if !hit && self.body_like(i) {
                body_like_seen += 1;
                if h.anchor.is_some() || body_like_seen >= 2 {
                    break;
                }
                if h.anchor.is_none() && head_end == limit {
                    head_end = i;
                }
            }
        }
        // Short lines right above a book's "By" line may be the book's title.
        let book_titles: Vec<usize> = (1..n.min(HEAD_LIMIT))
            .filter(|&i| self.book[i] && !self.book[i - 1])
            .map(|i| i - 1)
            .filter(|&j| self.book_title_like(j))
            .collect();

        // 3. Headline and deck: prominent segments between the breadcrumb and the
        // byline/dateline (or the running text).
        let (mut title, mut subtitle) = (picked.title.clone(), picked.subtitle.clone());
        let mut body_start = h.anchor.map_or(first_head, |a| a + 1);
        let mut title_at: Option<usize> = None;
        if title.is_none() {
            let before = h.anchor.unwrap_or(head_end).min(n);
            let cand = |c: &Self, i: usize| {
                !c.used[i]
                    && !c.book[i]
                    && !c.boiler[i]
                    && c.prominence(i) > 0
                    && !c.labels_links(i)
            };
            let mut cands: Vec<usize> = (first_head..before).filter(|&i| cand(self, i)).collect();
            // A book's title right above its "By" line is the headline only when
            // nothing else can be.
            if cands.iter().any(|i| !book_titles.contains(i)) {
                cands.retain(|i| !book_titles.contains(i));
            }
            if cands.is_empty() && first_head > 0 {
                // A headline printed above the breadcrumb.
                cands = (0..first_head.min(before))
                    .filter(|&i| cand(self, i))
                    .collect();
            }
            // Head lines above the byline in its own block: the headline when they
            // stand out at least as much as anything above them.
            let lead_title = lead
                .and_then(|(a, l)| self.lead_lines(a, l).map(|(k, score)| (a, l, k, score)))
                .filter(|&(a, .., score)| {
                    score > 0
                        && a >= first_head
                        && cands
                            .iter()
                            .filter(|&&i| i < a)
                            .all(|&i| self.prominence(i) <= score)
                });
            if lead_title.is_some() {
                cands.clear();
            }
            // A headline set as a picture (a GIF of the words, its alt the headline),
            // when no text in the head is set apart as one.
            let image_title = if cands.is_empty() && lead_title.is_none() {
                (first_head..before).find(|&i| self.headline_image(i))
            } else {
                None
            };
            let mut after = false;
            if cands.is_empty() && lead_title.is_none() && image_title.is_none() {
                // Byline above the headline: look just after the anchor.
                cands = (body_start..n.min(body_start + 4))
                    .filter(|&i| cand(self, i))
                    .take(2)
                    .collect();
                after = true;
            }
            if let Some((a, l, kickers, _)) = lead_title {
                let s = &self.segs[a];
                let (k, t, deck) =
                    self.split_lines(&s.lines[kickers..l], &s.line_style[kickers..l]);
                if let Some(k) = k {
                    h.kicker.get_or_insert(k);
                }
                title = Some(t);
                subtitle = deck;
                title_at = Some(a);
            } else if let Some(i) = image_title {
                if let SegKind::Image { alt: Some(a), .. } = &self.segs[i].kind {
                    title = Some(a.clone());
                }
                self.used[i] = true;
                title_at = Some(i);
            } else if let Some(&best) = cands
                .iter()
                .max_by_key(|&&i| (self.prominence(i), std::cmp::Reverse(i)))
            {
                let (k, t, deck) = self.split_head_lines(best);
                if let Some(k) = k {
                    h.kicker.get_or_insert(k);
                }
                title = Some(t);
                subtitle = deck;
                self.used[best] = true;
                title_at = Some(best);
                if subtitle.is_none() {
                    // The next candidate, when nothing but images or chrome separates
                    // it from the headline, is the deck (or the headline's run-on).
                    let adjacent = |c: &Self, j: usize| {
                        (best + 1..j).all(|k| c.segs[k].chars == 0 || c.is_chrome(k))
                    };
                    if let Some(&next) = cands
                        .iter()
                        .find(|&&i| i > best)
                        .filter(|&&i| adjacent(self, i))
                    {
                        let s = &self.segs[next];
                        // Without a byline or dateline to close the head, a line set
                        // like the body's later subheads is the first of them.
                        let subhead = h.anchor.is_none() && self.recurs_as_subhead(next);
                        if self.prominence(next) > 0 && s.chars < 250 && !subhead {
                            if title.as_deref().is_some_and(continues) {
                                // "Chapter Sixteen of Keeping Score:" / "Wally's Seat".
                                title = title.map(|t| format!("{t} {}", s.text));
                            } else {
                                subtitle = Some(s.text.clone());
                            }
                            self.used[next] = true;
                        }
                    }
                }
                if h.anchor.is_none() || after {
                    body_start = body_start.max(
                        cands
                            .iter()
                            .copied()
                            .filter(|&i| self.used[i])
                            .max()
                            .unwrap_or(best)
                            + 1,
                    );
                }
            }
            if h.anchor.is_none() {
                // A short italic segment right under the headline is a deck.
                if subtitle.is_none() && body_start < n {
                    let s = &self.segs[body_start];
                    if s.italic_ratio() > 0.8
                        && s.chars < 200
                        && !self.is_chrome(body_start)
                        && !self.book[body_start]
                        && !self.boiler[body_start]
                    {
                        subtitle = Some(s.text.clone());
                        self.used[body_start] = true;
                        body_start += 1;
                    }
                }
            }
        } else if h.anchor.is_none() {
            body_start = 0;
        }
        // A month and year alone beside the headline (the other cell of the head
        // table's row, or the segment right next to it: "March 1999"), on a page
        // whose head states no other date: the page's date, month precision.
        if let Some(t) = title_at {
            if h.published.is_none() {
                let near = |c: &Self, j: usize| {
                    let (a, b) = (&c.segs[t], &c.segs[j]);
                    (a.row.is_some() && a.row == b.row) || j + 1 == t || j == t + 1
                };
                if let Some(j) = (t.saturating_sub(2)..n.min(t + 3)).find(|&j| {
                    j != t
                        && !self.used[j]
                        && self.segs[j].chars < 30
                        && near(self, j)
                        && month_year_only(&self.segs[j].text)
                }) {
                    if let Some(date) = normalize::parse_date(&self.segs[j].text) {
                        h.published = Some(Dated {
                            date,
                            source: DateSource::Page,
                        });
                        self.used[j] = true;
                    }
                }
            }
        }
        if let Some((a, _)) = lead {
            // A label line opening the byline's block is the kicker.
            if let Some(k) = self.segs[a].lines.first().and_then(|t| self.r.kicker(t)) {
                h.kicker.get_or_insert(k);
            }
        }
        if let Some(a) = h.anchor {
            // A deck may sit between the headline and the byline: anything left
            // there that is short and not chrome.
            if subtitle.is_none() {
                if let Some(i) = (first_head..a).find(|&i| {
                    let s = &self.segs[i];
                    !self.used[i]
                        && !self.book[i]
                        && !self.boiler[i]
                        && !book_titles.contains(&i)
                        && s.chars > 0
                        && s.chars < 250
                        && !self.is_chrome(i)
                        // Under a headline: with none found on the page (the
                        // `<title>` stands in) nothing in the head is its deck.
                        && title_at.is_some_and(|t| i > t)
                }) {
                    subtitle = Some(self.segs[i].text.clone());
                    self.used[i] = true;
                }
            }
            // Or the lines above the byline in its own block, under a headline
            // printed before that block.
            if let Some((la, l)) = lead.filter(|_| subtitle.is_none() && title_at != Some(a)) {
                let s = &self.segs[la];
                let deck: Vec<&str> = s.lines[..l]
                    .iter()
                    .skip_while(|t| self.r.kicker(t).is_some())
                    .map(String::as_str)
                    .collect();
                let deck = deck.join(" ");
                if !deck.is_empty()
                    && deck.chars().count() < 250
                    && title_at.is_some_and(|t| t < la)
                {
                    subtitle = Some(deck);
                }
            }
            // A second dateline in the segment right after the anchor.
            if body_start < n
                && h.published
                    .as_ref()
                    .is_none_or(|d| d.source == DateSource::Url)
            {
                if let Some(d) = self.dateline_at(body_start) {
                    if d.is_some() {
                        h.published = d;
                    }
                    self.used[body_start] = true;
                    body_start += 1;
                }
            }
        }

        // A byline run into the first paragraph ("By X (March 5, 2000) The …"): the
        // block is the head up to the names, and the first paragraph from the date.
        if let (Some((a, text)), Some(anchor)) = (tail, h.anchor) {
            if a == anchor && body_start == a + 1 {
                self.used[a] = false;
                self.overrides.insert(a, Some(text));
                body_start = a;
            }
        }

        // 4. Book data right after the head ("By" the book's author next to its
        // publisher, pages, price, ISBN) is body, never a subhead; book data before
        // the body opens it; a short title line right before a book's "By" line
        // belongs to the data.
        for i in body_start..n.min(body_start + 6) {
            if self.book[i] || self.used[i] {
                continue;
            }
            if let Some(l) = self.byline_line(i) {
                if self.book_byline(i, l) != BookByline::No {
                    self.mark_book(i);
                }
            }
        }
        // A block of the book's data lines opening the body without a "By" line
        // (title, the author's bare name, publisher, pages, price, ISBN, as a table
        // cell beside the cover) is book data too: it opens the body as printed and
        // is never a picture's caption.
        if let Some(i) = (body_start..n.min(body_start + 6)).find(|&i| {
            let s = &self.segs[i];
            !self.used[i]
                && s.chars > 0
                && matches!(s.kind, SegKind::Text)
                && !self.r.is_chrome_text(&s.text)
        }) {
            if !self.book[i] && self.book_data_block(i) {
                self.mark_book(i);
            }
        }
        for i in 1..n.min(HEAD_LIMIT + 8) {
            if self.book[i] && !self.book[i - 1] {
                let prev = i - 1;
                if self.book_title_like(prev) && title_at.is_none_or(|t| prev > t) {
                    self.book[prev] = true;
                }
            }
        }
        if picked.title.is_none() {
            // A section label printed on the headline's own line before a colon
            // ("Book Review: The quiet counter-revolution") is the kicker.
            if let Some((k, rest)) = title.as_deref().and_then(|t| self.kicker_prefix(t)) {
                h.kicker.get_or_insert(k);
                title = Some(rest);
            }
        }
        h.book_prefix = (0..body_start.min(n))
            .filter(|&i| self.book[i] && !self.used[i])
            .collect();
        h.title = title.filter(|t| !t.is_empty());
        h.subtitle = subtitle.filter(|t| !t.is_empty());
        h.body_start = body_start;
        self.drop_headshots(body_start, h.title.as_deref());
        h
    }

    /// A small floated picture beside the byline or at the start of the first
    /// paragraph, with no caption, is the columnist's standing headshot: furniture,
    /// not a picture of the text. One named like the headline (the featured site's
    /// logo on a review of it) is the text's.
    fn drop_headshots(&mut self, start: usize, title: Option<&str>) {
        let n = self.segs.len();
        let first = (start..n.min(start + 12)).find(|&i| {
            let s = &self.segs[i];
            matches!(s.kind, SegKind::Text | SegKind::Quote(_))
                && s.chars > 0
                && !self.used[i]
                && !self.book[i]
                && !self.is_chrome(i)
        });
        let Some(first) = first else { return };
        for i in start..n.min(first + 2) {
            let s = &self.segs[i];
            let SegKind::Image {
                alt, size, float, ..
            } = &s.kind
            else {
                continue;
            };
            let at_start = i < first || (i == first + 1 && s.block == self.segs[first].block);
            let small = size.is_none_or(|z| z <= HEADSHOT_MAX);
            let subject = alt
                .as_deref()
                .zip(title)
                .is_some_and(|(a, t)| a.eq_ignore_ascii_case(t));
            let captioned = self.segs.get(i + 1).is_some_and(|c| {
                c.chars > 0
                    && c.block == s.block
                    && (c.in_caption || c.italic_ratio() > 0.6 || c.min_font < self.body_font)
            });
            if *float && at_start && small && !subject && !captioned {
                self.used[i] = true;
            }
        }
    }

    /// A line of segment `i` that opens with a byline and runs on into the first
    /// paragraph after a date in parentheses ("By X (March 5, 2000) The Council …",
    /// the byline and the text set in one block without a break): the byline ends
    /// where the date starts, which opens the paragraph. Only a short name part and
    /// a date that reads as one count.
    fn byline_running_on(
        &self,
        i: usize,
        url_date: &dyn Fn() -> Option<PublishedDate>,
    ) -> Option<usize> {
        self.segs[i]
            .lines
            .iter()
            .position(|l| self.runs_on(l, url_date))
    }

    /// A byline line that runs on into the text after a date (see
    /// [`Self::byline_running_on`]).
    fn runs_on(&self, line: &str, url_date: &dyn Fn() -> Option<PublishedDate>) -> bool {
        line.len() < 5000
            && self.r.byline_parts(line).is_some_and(|(names, rest)| {
                names.chars().count() <= 100
                    && rest.trim_start().starts_with('(')
                    && rest.chars().count() >= 80
                    && self.r.byline_date(line, url_date).is_some()
            })
    }

    /// Whether a short line set like segment `j` (same size, weight, slant and
    /// alignment) heads more text further down: the style of the body's subheads
    /// ("Re: …" on a letters page), which a deck, printed once, never shares.
    fn recurs_as_subhead(&self, j: usize) -> bool {
        let n = self.segs.len();
        let style = |s: &Segment| {
            (
                s.font,
                s.bold_ratio() > 0.8,
                s.italic_ratio() > 0.6,
                s.centered,
                std::mem::discriminant(&s.kind),
            )
        };
        let want = style(&self.segs[j]);
        let mut k = j + 1;
        while k + 1 < n.min(j + SUBHEAD_SCAN) {
            let s = &self.segs[k];
            if s.chars > 0 && s.chars <= 120 && style(s) == want && !self.is_chrome(k) {
                let next = (k + 1..n.min(k + 4)).find(|&m| self.segs[m].chars > 0);
                if next.is_some_and(|m| self.segs[m].chars > s.chars && !self.is_chrome(m)) {
                    return true;
                }
            }
            k += 1;
        }
        false
    }

    /// A trail that starts at "home" but is the site's navigation bar ("Home ::
    /// Archive :: Columnists :: …"): every item is a link and the last one is not the
    /// page itself. A breadcrumb ends at the page, which it does not link to.
    fn is_nav_bar(&self, i: usize) -> bool {
        let s = &self.segs[i];
        let items: Vec<&str> = self
            .r
            .breadcrumb_separator
            .split(&s.text)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        let item_chars: usize = items
            .iter()
            .map(|t| t.chars().filter(|c| !c.is_whitespace()).count())
            .sum();
        let last_is_self = match (&self.r.breadcrumb_self, items.last()) {
            (Some(r), Some(last)) => r.is_match(last),
            _ => false,
        };
        item_chars > 0 && s.link_chars >= item_chars && !last_is_self
    }

    /// A short heading over a group of links (a navigation column's "Sections" or
    /// "Columnists" above its links, printed before the article in source order):
    /// the next non-empty segment is a list of links, two lines or items or more,
    /// that the head did not take. A headline is followed by a byline, a deck or the
    /// text, never by a column of links.
    fn labels_links(&self, i: usize) -> bool {
        if self.segs[i].chars > 60 {
            return false;
        }
        let Some(j) = (i + 1..self.segs.len().min(i + 4)).find(|&j| self.segs[j].chars > 0) else {
            return false;
        };
        let s = &self.segs[j];
        let links = |k: usize| {
            let t = &self.segs[k];
            t.chars > 0 && t.link_ratio() > 0.8 && !self.used[k]
        };
        match s.kind {
            SegKind::Text => links(j) && s.lines.len() >= 2,
            SegKind::ListItem { list, .. } => {
                links(j)
                    && self.segs.get(j + 1).is_some_and(|n| {
                        matches!(n.kind, SegKind::ListItem { list: l, .. } if l == list)
                            && links(j + 1)
                    })
            }
            _ => false,
        }
    }

    /// A short line that can be a book's title above its "By" line.
    fn book_title_like(&self, j: usize) -> bool {
        let s = &self.segs[j];
        !self.used[j]
            && !self.boiler[j]
            && matches!(s.kind, SegKind::Text)
            && s.chars > 0
            && s.chars < 200
            && !self.is_chrome(j)
            && self.byline_line(j).is_none()
    }

    /// The kicker a segment states: a short label line, or a label image's alt. A
    /// linked image is a navigation button ("Site of the Day" in a column of them),
    /// as a linked label line is a navigation link: neither labels the article.
    fn kicker_of(&self, i: usize) -> Option<String> {
        let s = &self.segs[i];
        match &s.kind {
            SegKind::Image {
                alt: Some(a),
                in_link: false,
                ..
            } => self.r.kicker(a),
            SegKind::Text | SegKind::Heading(_) | SegKind::Quote(_)
                if s.chars > 0 && s.link_ratio() < 0.5 =>
            {
                if self.in_chrome_box(i) {
                    return None;
                }
                self.r.kicker(&s.text)
            }
            _ => None,
        }
    }

    /// An image that prints the headline: not linked, not chrome or the end mark,
    /// its alt a phrase of at least three words that is not a label and does not
    /// carry the site's name (a masthead's "Site: tag line").
    fn headline_image(&self, i: usize) -> bool {
        let SegKind::Image {
            alt: Some(a),
            in_link: false,
            ..
        } = &self.segs[i].kind
        else {
            return false;
        };
        let words = a.split_whitespace().count();
        (3..=30).contains(&words)
            && !self.is_chrome(i)
            && !self.is_end_mark_image(i)
            && self.r.kicker(a).is_none()
            && self.r.strip_title(a) == *a
            && self
                .p
                .site
                .as_deref()
                .is_none_or(|site| !a.to_lowercase().contains(&site.to_lowercase()))
    }

    /// A headline opening with a section label and a colon or a dash ("Book
    /// Review: …", "Editorial -- …", "Editorial — …"): (the label as a kicker, the
    /// rest). The rest must hold at least two words.
    fn kicker_prefix(&self, title: &str) -> Option<(String, String)> {
        let split = split_label(title).and_then(|(label, rest)| {
            let rest = rest.trim();
            if label.chars().count() > MAX_PREFIX_LABEL || rest.split_whitespace().count() < 2 {
                return None;
            }
            let k = self.r.kicker(label.trim())?;
            Some((k, rest.to_string()))
        });
        split.or_else(|| self.run_in_label(title))
    }

    /// A known label of two or three words run into the headline without a colon
    /// or a dash, told from it by the change of case ("Cdn pol Quebec and the orange
    /// wave", "Film review The Hobbit …", as the label in another colour reads once
    /// the colour is gone): the label's last word is in lowercase, the rest opens
    /// with a capital and holds at least two words. A label in capitals or title
    /// case ("Letters from Ottawa", "Editorial Board …") never splits this way.
    fn run_in_label(&self, title: &str) -> Option<(String, String)> {
        let mut ends = title
            .char_indices()
            .filter(|&(_, c)| c.is_whitespace())
            .map(|(b, _)| b);
        for _ in 0..3 {
            let at = ends.next()?;
            let (label, rest) = (&title[..at], title[at..].trim_start());
            let last = label.rsplit(' ').next().unwrap_or("");
            if label.split_whitespace().count() < 2
                || !last.chars().all(|c| c.is_lowercase() || c == '.')
            {
                continue;
            }
            if rest.chars().next().is_some_and(char::is_uppercase)
                && rest.split_whitespace().count() >= 2
            {
                if let Some(k) = self.r.kicker(label) {
                    return Some((k, rest.to_string()));
                }
            }
        }
        None
    }

    /// Authors of a byline line.
    fn authors_of(&self, line: &str) -> Vec<String> {
        self.r
            .byline_names(line)
            .map(normalize::split_authors)
            .unwrap_or_default()
    }

    /// The publication date a dateline in segment `i` states: `None` when there is
    /// no dateline, `Some(None)` for a dateline without a readable date. The date
    /// may be hard-wrapped over the following lines ("web posted" / "May 1997").
    fn dateline_at(&mut self, i: usize) -> Option<Option<Dated>> {
        let l = self.date_line(i)?;
        let lines = &self.segs[i].lines;
        let text = lines[l..lines.len().min(l + 3)].join(" ");
        let d = self.r.dateline_date(&text);
        if d.is_none() {
            self.warnings
                .push(format!("unparsed date line {:?}", lines[l]));
        }
        Some(d.map(|date| Dated {
            date,
            source: DateSource::Page,
        }))
    }

    /// A reviewer's byline ("Reviewed by X", a second "By" line) and a dateline
    /// inside a book-data block whose "By" line `l` is the book's author: the
    /// reviewer's names and the date, the block's text keeping only the book's
    /// data. `None` when the block holds neither.
    fn reviewer_in_book_block(
        &mut self,
        i: usize,
        l: usize,
    ) -> Option<(Vec<String>, Option<Dated>)> {
        let lines = &self.segs[i].lines;
        let reviewer = (l + 1..lines.len())
            .find(|&k| !self.r.is_book_data_line(&lines[k]) && self.r.byline.is_match(&lines[k]));
        let dateline = self.r.dateline.as_ref();
        let date_at = (0..lines.len()).find(|&k| {
            k != l
                && lines[k].chars().count() < 120
                && dateline.is_some_and(|r| r.is_match(&lines[k]))
        });
        if reviewer.is_none() && date_at.is_none() {
            return None;
        }
        let authors = reviewer.map_or_else(Vec::new, |k| self.authors_of(&lines[k]));
        let date = date_at
            .and_then(|k| {
                self.r
                    .dateline_date(&lines[k..lines.len().min(k + 2)].join(" "))
            })
            .map(|date| Dated {
                date,
                source: DateSource::Page,
            });
        let keep: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|&(k, _)| Some(k) != reviewer && Some(k) != date_at)
            .map(|(_, t)| t.as_str())
            .collect();
        let keep = keep.join(" ");
        self.overrides.insert(i, Some(keep));
        Some((authors, date))
    }

    /// Whether the byline at line `l` of segment `i` is a book's author.
    fn book_byline(&self, i: usize, l: usize) -> BookByline {
        let s = &self.segs[i];
        if s.lines.iter().any(|x| self.r.is_book_data_line(x)) {
            return BookByline::Same;
        }
        // "Reviewed by X" names the reviewer, whatever follows it; so does a "By"
        // line printed with the page's dateline in its block (a book's data never
        // carries "web posted").
        if s.lines
            .get(l)
            .is_some_and(|line| self.r.names_reviewer(line))
            || self.date_line(i).is_some()
        {
            return BookByline::No;
        }
        let next = (i + 1..self.segs.len().min(i + 3)).find(|&j| self.segs[j].chars > 0);
        match next {
            Some(j)
                if self.is_book_data(j)
                    && self.byline_line(j).is_none()
                    && !self.segs[j].text.to_lowercase().contains(" by ") =>
            {
                BookByline::Next
            }
            _ => BookByline::No,
        }
    }

    /// A block set as a book's data: three lines or more, all short and none of
    /// them chrome (a bookseller's "Buy it at … for $18.20" line is), one of them
    /// a book-data line (pages, price, ISBN, binding), mostly not links, and not
    /// running text. It may sit in the bookseller's box beside the linked cover.
    fn book_data_block(&self, j: usize) -> bool {
        let s = &self.segs[j];
        matches!(s.kind, SegKind::Text)
            && s.lines.len() >= 3
            && s.link_ratio() < 0.5
            && s.lines
                .iter()
                .all(|l| l.chars().count() <= 120 && !self.r.is_chrome_text(l))
            && s.lines.iter().any(|l| self.r.is_book_data_line(l))
            && !s.text.trim_end().ends_with(['.', '!', '?', '"', '”'])
    }

    fn is_book_data(&self, j: usize) -> bool {
        let s = &self.segs[j];
        matches!(s.kind, SegKind::Text | SegKind::Quote(_))
            && s.lines.iter().any(|x| self.r.is_book_data_line(x))
            && !self.is_chrome(j)
    }

    /// Mark segment `i` and the book-data blocks right after it as book data. A
    /// bookseller's box among them ("Buy it at … for $18.20") is chrome,
    /// never book data, however much it looks like a price line.
    fn mark_book(&mut self, i: usize) {
        self.book[i] = true;
        let mut j = i + 1;
        while j < self.segs.len().min(i + 8) {
            if (self.segs[j].chars == 0 && !matches!(self.segs[j].kind, SegKind::Text))
                || self.is_chrome(j)
            {
                j += 1;
                continue;
            }
            if !self.is_book_data(j) {
                break;
            }
            self.book[j] = true;
            j += 1;
        }
    }

    /// Headline-like: a heading, or short text set large, bold or centred-bold.
    fn prominence(&self, i: usize) -> i32 {
        let s = &self.segs[i];
        if s.chars == 0 || s.chars > 300 || s.link_ratio() > 0.5 || self.r.is_chrome_text(&s.text) {
            return 0;
        }
        let mut score = 0;
        if let SegKind::Heading(l) = s.kind {
            score += 10 - l as i32;
        }
        if s.font > 0 {
            score += 2 * s.font as i32;
        }
        if s.bold_ratio() > 0.8 {
            score += 2;
        }
        if s.centered && score > 0 {
            score += 1;
        }
        score
    }

    /// The headline segment's lines → (kicker, title, deck). A leading label line is
    /// the kicker; the title starts at the most prominent line and runs on while
    /// the lines look the same or the title is visibly unfinished (a hard-wrapped
    /// headline, "…of Keeping Score:" / "Wally's Seat"); what follows is the deck.
    fn split_head_lines(&self, i: usize) -> (Option<String>, String, Option<String>) {
        let s = &self.segs[i];
        if s.line_style.len() != s.lines.len() || s.lines.is_empty() {
            return (None, s.text.clone(), None);
        }
        self.split_lines(&s.lines, &s.line_style)
    }

    /// [`Self::split_head_lines`] over some lines and their styles (not empty, same
    /// length).
    fn split_lines(
        &self,
        lines: &[String],
        styles: &[LineStyle],
    ) -> (Option<String>, String, Option<String>) {
        if lines.len() == 1 {
            let (t, deck) = split_inline_deck(&lines[0], &styles[0]);
            return (None, t, deck);
        }
        let mut first = 0;
        let mut kicker = None;
        while first + 1 < lines.len() {
            match self.r.kicker(&lines[first]) {
                Some(k) => {
                    kicker.get_or_insert(k);
                    first += 1;
                }
                None => break,
            }
        }
        let top = (first..lines.len())
            .map(|k| line_weight(&styles[k]))
            .max()
            .unwrap_or(0);
        let start = (first..lines.len())
            .find(|&k| line_weight(&styles[k]) == top)
            .unwrap_or(first);
        let same = |a: &LineStyle, b: &LineStyle| {
            a.font == b.font && (a.italic - b.italic).abs() <= 0.5 && (a.bold - b.bold).abs() <= 0.5
        };
        let mut k = start + 1;
        let mut title = lines[start].clone();
        while k < lines.len()
            && (same(&styles[start], &styles[k]) || continues(&title) || series_marker(&lines[k]))
        {
            title.push(' ');
            title.push_str(&lines[k]);
            k += 1;
        }
        let deck = lines[k..].join(" ");
        if deck.is_empty() && k == start + 1 {
            let (t, deck) = split_inline_deck(&title, &styles[start]);
            return (kicker, t, deck);
        }
        (kicker, title, (!deck.is_empty()).then_some(deck))
    }

    /// The head lines printed in the byline's (or dateline's) own block above it
    /// ("Enter Stage Gabbing<br>The headline<br>By X"): the number of kicker lines
    /// that open them and how prominent the rest is (as [`Self::prominence`]).
    /// `None` when there are none, or when they are not set apart from the text.
    fn lead_lines(&self, i: usize, l: usize) -> Option<(usize, i32)> {
        let s = &self.segs[i];
        if l == 0 || l > s.lines.len() || s.line_style.len() != s.lines.len() {
            return None;
        }
        let kickers = s.lines[..l]
            .iter()
            .take_while(|t| self.r.kicker(t).is_some())
            .count();
        let rest = &s.line_style[kickers..l];
        let mut score = rest.iter().map(line_weight).max().unwrap_or(0);
        if let SegKind::Heading(h) = s.kind {
            score += 10 - h as i32;
        }
        if s.centered && score > 0 {
            score += 1;
        }
        Some((kickers, score))
    }
}

/// How much a line stands out: type size and bold.
fn line_weight(l: &LineStyle) -> i32 {
    2 * l.font as i32 + if l.bold > 0.8 { 2 } else { 0 }
}

/// A headline line whose tail is set smaller, in italics or out of bold ("The good
/// and the bad…" + "presented with permission from …" in one line): the head is the
/// title, the tail the deck. A line in one style, or a tail too short to be a deck,
/// is all title.
fn split_inline_deck(line: &str, st: &LineStyle) -> (String, Option<String>) {
    let whole = (line.to_string(), None);
    let head = st.head;
    let chars = st.chars;
    if head.chars < 8 || chars < head.chars + 12 {
        return whole;
    }
    let tail = chars - head.chars;
    let count = |share: f32| (share * chars as f32).round() as usize;
    let tail_bold = count(st.bold).saturating_sub(if head.bold { head.chars } else { 0 });
    let tail_italic = count(st.italic).saturating_sub(if head.italic { head.chars } else { 0 });
    let smaller = head.font > st.tail_font;
    let unbolded = head.bold && tail_bold * 10 < tail;
    let italicised = !head.italic && tail_italic * 10 > tail * 8 && st.tail_font <= head.font;
    if !(smaller || unbolded || italicised) {
        return whole;
    }
    // The byte where the first run's last visible character ends.
    let mut seen = 0;
    let at = line.char_indices().find_map(|(b, c)| {
        if c.is_whitespace() {
            return None;
        }
        seen += 1;
        (seen > head.chars).then_some(b)
    });
    let Some(at) = at else { return whole };
    let (t, d) = (line[..at].trim(), line[at..].trim());
    let first = d.split_whitespace().next().unwrap_or("");
    if t.is_empty()
        || d.split_whitespace().count() < 3
        || connecting(&first.to_lowercase())
        || first.ends_with([':', ',', ';', '-', '–', '—'])
    {
        // "<b>The Hobbit</b> and the defence of the West" runs on: one title.
        return whole;
    }
    (t.to_string(), Some(d.to_string()))
}

/// A headline split at its first separator after a possible label: a colon, or a
/// dash set off by spaces or doubled ("Editorial -- …", "Editorial — …",
/// "Editorial—…"); a hyphen inside a word ("Op-ed") is not one. Only the first
/// [`MAX_PREFIX_LABEL`] characters are looked at.
fn split_label(title: &str) -> Option<(&str, &str)> {
    let mut prev: Option<char> = None;
    for (k, (b, c)) in title.char_indices().enumerate() {
        if k > MAX_PREFIX_LABEL + 1 {
            return None;
        }
        let after = &title[b + c.len_utf8()..];
        let next = after.chars().next();
        let spaced = prev.is_some_and(char::is_whitespace);
        let sep_len = match c {
            ':' => Some(c.len_utf8()),
            // An em dash with or without spaces; an en dash only set off by spaces.
            '—' => Some(c.len_utf8()),
            '–' if spaced => Some(c.len_utf8()),
            '-' if after.starts_with('-')
                && (spaced || prev.is_some_and(char::is_alphanumeric)) =>
            {
                Some(2)
            }
            '-' if spaced && next.is_some_and(char::is_whitespace) => Some(1),
            _ => None,
        };
        if let Some(len) = sep_len {
            if k == 0 {
                return None;
            }
            return Some((&title[..b], &title[b + len..]));
        }
        prev = Some(c);
    }
    None
}

/// A headline line that is visibly unfinished: it ends with a colon, a comma, a dash
/// or a connecting word, so the next line continues it.
fn continues(title: &str) -> bool {
    let t = title.trim_end();
    if t.ends_with([':', ',', ';', '-', '–', '—']) {
        return true;
    }
    // Not "on" or "in": they end headlines as adverbs ("Twelve years on").
    let last = t.rsplit(' ').next().unwrap_or("").to_lowercase();
    !matches!(last.as_str(), "on" | "in") && connecting(&last)
}

/// A series marker in parentheses on a line of its own under the headline, "(Part
/// Two)", "(Part 2 of 3)": part of the title however it is set, as the site's own
/// listings print it. A bare "Part 3 of 5" stays a deck.
fn series_marker(line: &str) -> bool {
    let Some(inner) = line
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
    else {
        return false;
    };
    let mut words = inner.split_whitespace();
    words.next().is_some_and(|w| w.eq_ignore_ascii_case("part")) && (1..=4).contains(&words.count())
}

/// A line that is only a month name and a year ("March 1999", "Sept. 2004").
fn month_year_only(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let (Some(m), Some(y), None) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    let y = y.trim_end_matches('.');
    normalize::month_of_name(m.trim_end_matches(['.', ','])).is_some()
        && y.len() == 4
        && y.bytes().all(|b| b.is_ascii_digit())
}

/// A word that joins what precedes it to what follows it.
fn connecting(word: &str) -> bool {
    matches!(
        word,
        "of" | "the" | "a" | "an" | "and" | "or" | "in" | "on" | "for" | "to" | "with" | "at"
    )
}
