//! The segment classifier: a page's reading-order segments (see
//! [`crate::extract::segment`]) → the article's parts, driven only by a profile's
//! rules and selectors.
//!
//! The passes, in order: [`head`] (breadcrumb, kicker, headline and deck, byline,
//! dateline, book data), [`ending`] (where the body ends: the end mark or the first
//! stop phrase; the author note wherever it sits around the end; a closing
//! signature; the date in parentheses opening the first paragraph), then [`blocks`]
//! (the body as typed blocks, without chrome, boilerplate or related-article boxes).
//! This file owns the shared state (which segment has been used for what) and the
//! per-segment predicates, memoized so that every pass stays linear in the page.
//!
//! Owns: deciding what each segment is. Must not: parse TOML, name a site (every
//! site-specific word is a rule in the profile), touch the DOM (it sees segments
//! only), or scan the page more than a bounded number of times.

mod blocks;
mod ending;
mod head;

use std::cell::OnceCell;
use std::collections::HashMap;

use regex::RegexSet;
use url::Url;

use super::load::Profile;
use super::rules::Rules;
use super::Picked;
use crate::extract::segment::{SegKind, Segment, Segments};
use crate::model::{Content, DateSource, PageType, PublishedDate};

pub use blocks::split_credit;

/// A chrome box: a small table whose text contains a chrome (or stop) phrase and
/// that is not mostly prose (a short article laid out in a table is not a box), nor
/// the table that holds the page's longest paragraph (a short poem in a page-wide
/// layout table, among its links, is still the article).
const SMALL_BOX_CHARS: usize = 700;

/// Classify the segments of one page into its content part. `site`, `canonical_url`,
/// `language` and `word_count` are left for the caller.
pub fn classify(
    p: &Profile,
    segs: &Segments,
    url: &Url,
    picked: &Picked,
    warnings: &mut Vec<String>,
) -> Content {
    let n = segs.segs.len();
    let once = |k: usize| (0..k).map(|_| OnceCell::new()).collect::<Vec<_>>();
    let mut c = Classifier {
        p,
        r: &p.rules,
        body_font: body_font(&segs.segs),
        main_table: main_table(&segs.segs),
        segs: &segs.segs,
        tables: segs,
        warnings,
        chrome_memo: once(n),
        chrome_box: once(segs.tables.len()),
        stop_box: once(segs.tables.len()),
        used: vec![false; n],
        book: vec![false; n],
        boiler: vec![false; n],
        overrides: HashMap::new(),
    };
    c.run(url, picked)
}

/// Where the publication date was read.
#[derive(Debug, Clone)]
struct Dated {
    date: PublishedDate,
    source: DateSource,
}

struct Classifier<'a> {
    p: &'a Profile,
    r: &'a Rules,
    /// The font size most of the page's running text is set in: "small" (a caption,
    /// a note) and "large" mean relative to it, so a page-wide `<font size=2>` makes
    /// nothing small.
    body_font: i8,
    /// The table the page's longest paragraph sits in (its nearest table): the
    /// layout, never a small box.
    main_table: Option<usize>,
    segs: &'a [Segment],
    tables: &'a Segments,
    warnings: &'a mut Vec<String>,
    /// Per segment, computed when first asked: is it chrome.
    chrome_memo: Vec<OnceCell<bool>>,
    /// Per table, computed when first asked: a small box with a chrome phrase.
    chrome_box: Vec<OnceCell<bool>>,
    /// Per table, computed when first asked: a small box with a stop phrase.
    stop_box: Vec<OnceCell<bool>>,
    /// Segments taken by the head (breadcrumb, kicker, title, byline…) or the bio.
    used: Vec<bool>,
    /// Segments that are a review's book data (body, but never head).
    book: Vec<bool>,
    /// Segments that are recurring-feature boilerplate (never anything).
    boiler: Vec<bool>,
    /// Text that replaces a segment's in the body (`None`: the segment is dropped),
    /// e.g. a paragraph whose last line was the signature, a book-data block that
    /// also held the reviewer's byline.
    overrides: HashMap<usize, Option<String>>,
}

impl Classifier<'_> {
    fn run(&mut self, url: &Url, picked: &Picked) -> Content {
        // The URL's date is read only when the page needs it.
        let url_cell: OnceCell<Option<PublishedDate>> = OnceCell::new();
        let url_date = || url_cell.get_or_init(|| self.r.url_date(url)).clone();
        let head = self.head(picked, &url_date);
        let end = self.ending(&head, picked, &url_date);

        let mut published = head.published.clone();
        if published.is_none() {
            published = end.paren_date.clone();
        }
        if published.is_none() {
            published = end.foot_date.clone();
        }
        if published.is_none() {
            published = url_date().map(|date| Dated {
                date,
                source: DateSource::Url,
            });
        }
        let mut authors = head.authors.clone();
        if authors.is_empty() {
            if let Some(name) = &end.signature {
                authors.push(name.clone());
            }
        }
        for a in &end.more_authors {
            if !authors.contains(a) {
                authors.push(a.clone());
            }
        }

        // A page with none of the article head (no byline, no dateline, no kicker,
        // no feature boilerplate, no end mark) where the profile defines them is an index page; so is a page
        // without an end mark that carries several bylines (teasers of other
        // articles).
        let headless = head.anchor.is_none()
            && end.end_mark_at.is_none()
            && head.kicker.is_none()
            && !self.boiler.iter().any(|&b| b)
            && published
                .as_ref()
                .is_none_or(|d| d.source == DateSource::Url)
            && picked.byline.is_none()
            && picked.date.is_none()
            && (self.r.dateline.is_some() || self.p.sel.date.is_some())
            && !self.reads_like_an_article(head.body_start, end.end);
        let teasers = end.end_mark_at.is_none()
            && picked.byline.is_none()
            && self.r.end_mark.is_some()
            && (0..end.end.min(self.segs.len()))
                .filter(|&i| !self.book[i] && self.byline_line(i).is_some())
                .take(2)
                .count()
                >= 2;
        let body = if headless || teasers {
            Vec::new()
        } else {
            self.blocks(&head, &end)
        };
        let page_type = if body.is_empty() {
            PageType::Index
        } else {
            PageType::Article
        };
        let mut content = Content {
            url: url.to_string(),
            canonical_url: None,
            site: None,
            section: head.section.clone(),
            page_type,
            kicker: head.kicker.clone(),
            title: head.title.clone(),
            subtitle: head
                .subtitle
                .clone()
                .filter(|t| end.first_subhead.as_ref() != Some(t)),
            authors,
            published: published.map(|d| d.date.from_source(d.source)),
            body,
            bio: end.bio.clone(),
            original_publication: end
                .bio
                .as_deref()
                .and_then(|b| self.r.original_publication(b)),
            language: None,
            word_count: 0,
            entries: Vec::new(),
            issue: None,
            posts: Vec::new(),
        };
        if content.body.is_empty() {
            self.warnings
                .push("no article found: treated as an index page".into());
            // Teasers on an index page carry other articles' bylines and dates.
            content.kicker = None;
            content.title = None;
            content.subtitle = None;
            content.authors.clear();
            content.published = None;
            content.bio = None;
            content.original_publication = None;
        } else if end.end_mark_at.is_none() && self.r.end_mark.is_some() {
            self.warnings
                .push("no end mark found; body ends at the first chrome".into());
        }
        content
    }

    /// Several long plain paragraphs after the head: an article even without a
    /// byline, a date or an end mark (an unsigned, undated feature page).
    fn reads_like_an_article(&self, start: usize, end: usize) -> bool {
        (start..end.min(self.segs.len()))
            .filter(|&i| {
                let s = &self.segs[i];
                matches!(s.kind, SegKind::Text | SegKind::Quote(_))
                    && s.chars >= 300
                    && s.link_ratio() < 0.1
                    && !self.is_chrome(i)
            })
            .take(3)
            .count()
            >= 3
    }

    /// A segment that is navigation, an ad box or another piece of chrome (memoized:
    /// the classifier asks about the same segment several times).
    fn is_chrome(&self, i: usize) -> bool {
        match self.chrome_memo.get(i) {
            Some(cell) => *cell.get_or_init(|| self.compute_chrome(i)),
            None => false,
        }
    }

    fn compute_chrome(&self, i: usize) -> bool {
        let s = &self.segs[i];
        if matches!(s.kind, SegKind::Rule) {
            return true;
        }
        if let SegKind::Image {
            src,
            alt,
            size,
            in_link,
            ..
        } = &s.kind
        {
            return size.is_some_and(|z| z <= 12)
                || (*in_link && size.is_none_or(|z| z < 100))
                || self.r.is_decorative_src(src)
                || self.in_chrome_box(i)
                || alt.as_deref().is_some_and(|a| self.r.is_chrome_text(a));
        }
        if self.r.is_chrome_text(&s.text) {
            return true;
        }
        if s.chars > 0 && s.link_ratio() > 0.6 {
            return true;
        }
        self.in_chrome_box(i)
    }

    fn in_chrome_box(&self, i: usize) -> bool {
        self.small_box(i, &self.chrome_box, &self.r.chrome)
    }

    /// In a small box (table) whose text holds a stop phrase.
    fn is_stop_box(&self, i: usize) -> bool {
        self.small_box(i, &self.stop_box, &self.r.stop)
    }

    fn small_box(&self, i: usize, cache: &[OnceCell<bool>], set: &RegexSet) -> bool {
        let Some(t) = self.segs[i].table else {
            return false;
        };
        let (Some(cell), Some(info)) = (cache.get(t), self.tables.tables.get(t)) else {
            return false;
        };
        *cell.get_or_init(|| {
            Some(t) != self.main_table
                && info.chars < SMALL_BOX_CHARS
                && info.prose < 2
                && info.prose_chars * 2 < info.chars
                && set.is_match(&info.text)
        })
    }

    /// A stop phrase: the whole (short) text, or the first line of a longer segment
    /// ("Other related articles" heading a list of links in the same block).
    fn is_stop(&self, i: usize) -> bool {
        let s = &self.segs[i];
        self.r.is_stop_text(&s.text)
            || (s.lines.len() > 1 && s.lines.first().is_some_and(|l| self.r.is_stop_text(l)))
    }

    fn is_footer(&self, i: usize) -> bool {
        let s = &self.segs[i];
        self.r.is_footer_text(&s.text)
            || (s.lines.len() > 1 && s.lines.first().is_some_and(|l| self.r.is_footer_text(l)))
    }

    fn is_boilerplate(&self, i: usize) -> bool {
        let s = &self.segs[i];
        if s.chars == 0 {
            return match &s.kind {
                SegKind::Image { alt: Some(a), .. } => self.r.is_boilerplate_text(a),
                _ => false,
            };
        }
        self.r.is_boilerplate_text(&s.text)
    }

    fn is_end_mark_image(&self, i: usize) -> bool {
        match &self.segs[i].kind {
            SegKind::Image { src, alt, .. } => self.r.is_end_mark_image(src, alt.as_deref()),
            _ => false,
        }
    }

    /// The text segment `i` gives the body: its override, if any (`None`: dropped).
    fn text_at(&self, i: usize) -> Option<&str> {
        match self.overrides.get(&i) {
            Some(t) => t.as_deref(),
            None => Some(&self.segs[i].text),
        }
    }

    /// The line of segment `i` that is a byline, if any.
    fn byline_line(&self, i: usize) -> Option<usize> {
        self.segs[i]
            .lines
            .iter()
            .position(|l| l.chars().count() < 200 && self.r.byline.is_match(l))
    }

    /// The line of segment `i` that is a dateline, if any.
    fn date_line(&self, i: usize) -> Option<usize> {
        let r = self.r.dateline.as_ref()?;
        self.segs[i]
            .lines
            .iter()
            .position(|l| l.chars().count() < 120 && r.is_match(l))
    }

    /// Running text that is clearly the article's body, not its head.
    fn body_like(&self, i: usize) -> bool {
        let s = &self.segs[i];
        matches!(s.kind, SegKind::Text | SegKind::Quote(_))
            && s.chars >= 100
            && s.text
                .trim_end()
                .ends_with(['.', '!', '?', '"', '”', '’', ')', ':'])
            && s.link_ratio() < 0.3
            && !self.book[i]
            && !self.boiler[i]
            && !self.is_chrome(i)
            && self.byline_line(i).is_none()
            && self.date_line(i).is_none()
    }
}

/// The nearest table of the longest paragraph of running text (few links), if any.
fn main_table(segs: &[Segment]) -> Option<usize> {
    segs.iter()
        .filter(|s| matches!(s.kind, SegKind::Text | SegKind::Quote(_)))
        .filter(|s| s.link_chars * 10 < s.chars * 3)
        .max_by_key(|s| s.chars)
        .and_then(|s| s.table)
}

/// The font size (largest relative size of a segment) of most of the page's running
/// text, by characters: plain paragraphs of prose, not links. 0 when there are none.
fn body_font(segs: &[Segment]) -> i8 {
    let mut by_size: Vec<(i8, usize)> = Vec::new();
    for s in segs {
        if matches!(
            s.kind,
            SegKind::Text | SegKind::Quote(_) | SegKind::ListItem { .. }
        ) && s.chars >= 80
            && s.link_ratio() < 0.3
        {
            match by_size.iter_mut().find(|(f, _)| *f == s.font) {
                Some((_, n)) => *n += s.chars,
                None => by_size.push((s.font, s.chars)),
            }
        }
    }
    by_size
        .iter()
        .max_by_key(|&&(f, n)| (n, std::cmp::Reverse(f)))
        .map_or(0, |&(f, _)| f)
}

/// What the head pass found.
#[derive(Debug, Default)]
struct Head {
    section: Vec<String>,
    kicker: Option<String>,
    title: Option<String>,
    subtitle: Option<String>,
    authors: Vec<String>,
    published: Option<Dated>,
    /// The last byline or dateline segment.
    anchor: Option<usize>,
    /// First segment of the body.
    body_start: usize,
    /// Book-data segments before `body_start`, in order (they open the body).
    book_prefix: Vec<usize>,
}

/// What the ending pass found.
#[derive(Debug, Default)]
struct Ending {
    /// One past the last body segment.
    end: usize,
    /// The segment that holds (or is) the end mark.
    end_mark_at: Option<usize>,
    bio: Option<String>,
    /// The name of a closing signature used as the byline.
    signature: Option<String>,
    /// The date in parentheses opening the first paragraph.
    paren_date: Option<Dated>,
    /// A dateline printed at the foot of the article, after the mark (read only
    /// when the head has none).
    foot_date: Option<Dated>,
    /// Authors named after the head: the byline of a second article on the page,
    /// or a byline printed after the text instead of above it.
    more_authors: Vec<String>,
    /// On a page of several articles, the first one's subhead printed in its
    /// byline's block (it opens the body as a heading).
    first_subhead: Option<String>,
    /// The italic note printed after the mark inside the mark's own paragraph,
    /// after a line break ("… last words. ESR<br><i>X is …</i>").
    mark_tail: Option<String>,
}
