//! Index pages as data: the entries an index page lists (a table of contents, a year
//! archive, a "recent articles" page, a site map, a listing) and the issue it is the
//! table of contents of.
//!
//! The page is read as *lines*: runs of inline text between block boundaries and
//! `<br>`s, each with the links it holds. An entry is a line with one link to another
//! page of the site whose text is not a navigation label; what the line prints around
//! the link (and the link-less lines right after it) gives the byline, the date and the
//! teaser, in the forms magazines print them:
//!
//! - "Title by Author (web posted Month D, YYYY)", "by A and B";
//! - "Title: a teaser sentence …, writes Author" (also says, argues, reports, …);
//! - a title-only link with "by Author", a dateline and a teaser on the next lines;
//! - entries grouped under headings (the heading is the entry's `section`).
//!
//! Nothing is guessed: a field the page does not print in one of these forms is absent.
//! A month heading over a group of entries is their section, not their date.
//!
//! Owns: reading entries and the issue label out of a parsed page. Must not: decide
//! whether the page is an index (the extractors do), or touch the network or the store.
//! Pure and bounded: one iterative walk, at most [`MAX_LINES`] lines of at most
//! [`MAX_LINE_CHARS`] bytes, at most [`MAX_ENTRIES`] entries.

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use regex::Regex;
use scraper::node::Node;
use scraper::ElementRef;
use url::Url;

use crate::model::{DateSource, Entry, Issue, PublishedDate};
use crate::normalize;

/// Most lines read from one page.
pub const MAX_LINES: usize = 20_000;
/// Longest line kept, in bytes; the rest of a longer run of text is dropped.
pub const MAX_LINE_CHARS: usize = 4_000;
/// Most entries returned for one page.
pub const MAX_ENTRIES: usize = 5_000;
/// Link-less lines after an entry's line that may still belong to it (byline, date,
/// teaser).
const CONTINUATION_LINES: usize = 3;
/// Longest teaser kept, in bytes.
const MAX_TEASER: usize = 1_000;

/// What the caller knows about the page that the entries depend on.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The page's URL: links resolve against it, and a link to it is no entry.
    pub url: &'a Url,
    /// The page's title, as the extractor chose it: a heading that repeats it is the
    /// page's name, not a section.
    pub title: Option<&'a str>,
    /// The site's chrome (a profile's chrome rules): a link whose text is chrome is no
    /// entry, and a chrome line ends the entry before it. `None`: only the built-in
    /// navigation labels and copyright lines.
    pub chrome: Option<&'a dyn Fn(&str) -> bool>,
}

impl Context<'_> {
    fn is_chrome(&self, t: &str) -> bool {
        NAV_LABEL.is_match(t) || COPYRIGHT.is_match(t) || self.chrome.is_some_and(|f| f(t))
    }
}

/// A copyright or rights line: page furniture after the last entry.
static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)©|&copy;|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved")
        .expect("static regex")
});

/// A link within a line: byte range of its text and its resolved target (`None` for a
/// `mailto:` or script link, which still counts in a navigation bar's shape).
#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    url: Option<Url>,
}

/// One line of the page.
#[derive(Debug, Clone, Default)]
struct Line {
    text: String,
    links: Vec<Span>,
    /// Inside `<h1>`–`<h6>` (1–6), or 0.
    level: u8,
    /// Bytes of text in bold or a large font.
    strong: usize,
    /// The largest type in the line: `<font size>` 1–7 (3 is the default),
    /// `<h6>`–`<h1>` 4–9.
    font: i8,
}

impl Line {
    fn is_heading(&self) -> bool {
        let t = self.text.trim();
        !t.is_empty()
            && t.len() <= 120
            && self.links.is_empty()
            && (self.level > 0 || self.strong * 10 >= t.len() * 9)
            && !t.ends_with(['.', ','])
    }
}

/// Elements whose text is never an entry: navigation, forms, scripts (and side
/// columns, see [`side_column`]).
fn skipped(name: &str) -> bool {
    matches!(
        name,
        "nav"
            | "footer"
            | "aside"
            | "form"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "select"
            | "button"
            | "textarea"
            | "svg"
            | "head"
            | "title"
            | "iframe"
            | "object"
    )
}

/// A side column by its class or id ("sidebar", `id="side"`, "left-side"): the site's
/// "Recent articles" and "Popular" boxes beside the list, not entries of the page.
fn side_column(el: &scraper::node::Element) -> bool {
    el.attrs()
        .filter(|(k, v)| (*k == "class" || *k == "id") && v.len() <= 1000)
        .flat_map(|(_, v)| v.split(|c: char| !c.is_ascii_alphanumeric()))
        .any(|p| {
            p.eq_ignore_ascii_case("side")
                || p.eq_ignore_ascii_case("sidenav")
                || p.get(..7)
                    .is_some_and(|h| h.eq_ignore_ascii_case("sidebar"))
        })
}

/// Elements that end a line: the segmenter's block elements and `<br>`.
fn breaks(name: &str) -> bool {
    name == "br" || super::segment::is_block(name)
}

/// A large font: `<font size=4..7>` or `size=+1..`.
fn big_font(el: &scraper::node::Element) -> bool {
    font_size(el).is_some_and(|f| f > 3)
}

/// The type size an element sets on the 1–7 scale of `<font size>` (3 is the
/// default; `size=+2` is 5), read by the segmenter's rule.
fn font_size(el: &scraper::node::Element) -> Option<i8> {
    if el.name() != "font" {
        return None;
    }
    super::segment::font_size(el.attr("size")?).map(|r| r + 3)
}

/// The page as lines, in document order. Bounded by [`MAX_LINES`] and
/// [`MAX_LINE_CHARS`].
fn lines(root: ElementRef<'_>, base: &Url) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut cur = Line::default();
    let mut skip = 0usize;
    let mut strong = 0usize;
    let mut level: Vec<u8> = Vec::new();
    let mut fonts: Vec<i8> = Vec::new();
    // The open link: where its text starts in `cur.text`, and its target.
    let mut link: Option<(usize, Option<Url>)> = None;
    let flush = |cur: &mut Line, out: &mut Vec<Line>, link: &mut Option<(usize, Option<Url>)>| {
        // A link left open across a line break ends here.
        if let Some((start, url)) = link.take() {
            let end = cur.text.trim_end().len();
            if end > start {
                cur.links.push(Span { start, end, url });
            }
        }
        let t = cur.text.trim_end().len();
        cur.text.truncate(t);
        if !cur.text.is_empty() && out.len() < MAX_LINES {
            out.push(std::mem::take(cur));
        } else {
            *cur = Line::default();
        }
    };
    for edge in root.traverse() {
        if out.len() >= MAX_LINES {
            break;
        }
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if skip > 0 || skipped(name) || side_column(el) {
                        skip += 1;
                        continue;
                    }
                    if breaks(name) {
                        flush(&mut cur, &mut out, &mut link);
                    }
                    if let Some(l) = name
                        .strip_prefix('h')
                        .and_then(|d| d.parse::<u8>().ok())
                        .filter(|d| (1..=6).contains(d))
                    {
                        level.push(l);
                    }
                    if matches!(name, "b" | "strong") || big_font(el) {
                        strong += 1;
                    }
                    if let Some(f) = font_size(el) {
                        fonts.push(f);
                    }
                    if name == "a" {
                        // Canonical once, here: every later comparison uses it.
                        let target = el
                            .attr("href")
                            .and_then(|h| base.join(h.trim()).ok())
                            .filter(|u| matches!(u.scheme(), "http" | "https"))
                            .and_then(canonical);
                        link = Some((cur.text.len(), target));
                    }
                }
                Node::Text(t) => {
                    if skip > 0 || cur.text.len() >= MAX_LINE_CHARS {
                        continue;
                    }
                    let room = MAX_LINE_CHARS - cur.text.len();
                    let before = cur.text.len();
                    push_text(&mut cur.text, t, room);
                    if strong > 0 || !level.is_empty() {
                        cur.strong += cur.text.len() - before;
                    }
                    if let Some(&l) = level.last() {
                        cur.level = if cur.level == 0 { l } else { cur.level.min(l) };
                    }
                    if cur.text.len() > before {
                        let f = match level.last() {
                            Some(&l) => 10 - l as i8,
                            None => fonts.last().copied().unwrap_or(3),
                        };
                        cur.font = cur.font.max(f);
                    }
                }
                _ => {}
            },
            Edge::Close(node) => {
                let Node::Element(el) = node.value() else {
                    continue;
                };
                let name = el.name();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if name == "a" {
                    if let Some((start, url)) = link.take() {
                        let end = cur.text.trim_end().len();
                        if end > start {
                            cur.links.push(Span { start, end, url });
                        }
                    }
                }
                if matches!(name, "b" | "strong") || big_font(el) {
                    strong = strong.saturating_sub(1);
                }
                if font_size(el).is_some() {
                    fonts.pop();
                }
                if name.len() == 2
                    && name.starts_with('h')
                    && name[1..].parse::<u8>().is_ok_and(|d| (1..=6).contains(&d))
                {
                    level.pop();
                }
                if breaks(name) {
                    flush(&mut cur, &mut out, &mut link);
                }
            }
        }
    }
    flush(&mut cur, &mut out, &mut link);
    out
}

/// Append `raw` to `out` with whitespace collapsed, no leading space at the start of a
/// line, at most `room` bytes.
fn push_text(out: &mut String, raw: &str, room: usize) {
    let start = out.len();
    for (i, word) in raw.split_whitespace().enumerate() {
        let space = (i > 0 || raw.starts_with(char::is_whitespace)) && !out.is_empty();
        if space && !out.ends_with(' ') {
            out.push(' ');
        }
        if out.len() - start + word.len() > room {
            break;
        }
        out.push_str(word);
    }
    if raw.ends_with(char::is_whitespace) && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// Link texts that are navigation, never an entry's title.
static NAV_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)^[\s\[\(<«»>|•·-]*(?:
            home(?:\s*page)? | front\s*page | main\s*page | archives? | site\s*map | sitemap
          | (?:e-?mail|contact|write\s+to)(?:\s+(?:us|esr|the\s+editor|the\s+author|me))?
          | search(?:\s+\S+)? | about(?:\s+us)? | links? | top | back | (?:back|return|go)\s+to\b.*
          | (?:next|previous|prev|older|newer)(?:\s+(?:page|entries|posts|articles|issue))?
          | more(?:\s+\S+)? | read\s+more | continue(?:\s+reading)? | full\s+story | click\s+here
          | subscribe | log\s*in | sign\s*(?:in|up) | register | privacy(?:\s+policy)?
          | terms(?:\s+of\s+\S+)? | help | faq | rss | atom | feed | print(?:\s+\S+)?
          | share | tweet | facebook | twitter | reddit | donate | advertise
          | \d+\s+comments? | comments? | reply | permalink | \d{1,3}
        )[\s\]\)>«»:.!|•·-]*$",
    )
    .expect("static regex")
});

/// "by Ann Lee", "By: Ann Lee and Bo Ray"; group 1: the names.
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[-–—,:|]\s*)?(?:written\s+|reviewed\s+)?by[:\s]+(\S.*)$")
        .expect("static regex")
});

/// "…, writes Ann Lee." at the end of a teaser; group 1: the name.
static SAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:,|--|—|–)?\s+(?:writes|says|argues|reports|notes|asks|explains|contends|suggests|warns|believes|insists|maintains|observes|concludes|thinks|claims|declares|predicts|reminds\s+us|opines|muses|wonders)\s+((?:Dr\.|Prof\.|Rev\.|Sen\.|Rep\.|Gov\.)?\s*\p{Lu}[\p{L}\p{M}'’.-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}'’.-]*|[a-z]{1,3}))*(?:,\s*(?:Jr|Sr|II|III|IV|Ph\.?D|M\.?D)\.?)?)\s*[.!?]?\s*$",
    )
    .expect("static regex")
});

/// A date in parentheses, with or without "web posted": "(web posted May 3, 2003)",
/// "(March 6, 2000)"; group 1: the date.
static PAREN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\(\s*(?:web\s+)?(?:posted\s+)?([^()]{4,40}?)\s*\)").expect("static regex")
});

/// "web posted May 3, 2003" (or "posted …") without parentheses; group 1: the date.
static POSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|\s|[-–—|,])(?:web\s+)?posted(?:\s+on)?:?\s+([^()|]{4,40})")
        .expect("static regex")
});

/// "November 1997 issue", "The November 1997 issue", "issue of November 1997";
/// groups: the label's month and year.
static ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?P<m1>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+(?P<y1>(?:19|20)\d\d)\s+issue\b|issue\s+(?:of|for|dated)\s+(?P<m2>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+(?P<y2>(?:19|20)\d\d)\b)",
    )
    .expect("static regex")
});

/// "Volume 20, Issue 16", "Vol. 3 No. 7": a numbered issue.
static VOLUME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bvol(?:ume|\.)?\s*\d{1,4},?\s*(?:issue|no\.?|number)\s*\d{1,4}\b")
        .expect("static regex")
});

/// A date the entry prints for itself: in parentheses or after "posted". A date that
/// is not a full date or a month of a year is none.
fn entry_date(text: &str) -> Option<(PublishedDate, std::ops::Range<usize>)> {
    let found = PAREN_DATE
        .captures_iter(text)
        .chain(POSTED.captures_iter(text))
        .find_map(|c| {
            let whole = c.get(0)?;
            let d = normalize::parse_date(c.get(1)?.as_str())?;
            // "(Part Two)" or "(1998)" alone is no entry date.
            (d.precision != crate::model::DatePrecision::Year).then_some((d, whole.range()))
        })?;
    Some((found.0.from_source(DateSource::Page), found.1))
}

/// Names in a byline or after "writes": split, cleaned, plausible.
fn names(raw: &str) -> Vec<String> {
    normalize::split_authors(raw)
        .into_iter()
        .map(|n| n.trim_end_matches(['.', ',', ';', ':']).trim().to_string())
        .filter(|n| plausible_name(n))
        .collect()
}

/// A person's (or a desk's) name as bylines print it: one to six words, the first
/// capitalised, no sentence punctuation.
fn plausible_name(n: &str) -> bool {
    let words: Vec<&str> = n.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 6
        && n.len() <= 80
        && n.chars().next().is_some_and(char::is_uppercase)
        && !n.contains(['?', '!', '"', '“', '”', '(', ')', '<', '>', '{', '}', '|'])
        && normalize::parse_date(n).is_none()
}

/// The issue an index page is the table of contents of, from its title and headings
/// (the first 40 lines).
fn issue_of(title: Option<&str>, lines: &[Line]) -> Option<Issue> {
    let texts = title
        .into_iter()
        .chain(lines.iter().take(40).map(|l| l.text.as_str()));
    for t in texts {
        if let Some(c) = VOLUME.captures(t) {
            let whole = c.get(0).map_or("", |g| g.as_str());
            let label = normalize::text(whole);
            // The date printed after the label ("Volume 20, Issue 16 – April 24, 2017").
            let date = normalize::parse_date(&t[c.get(0).map_or(0, |g| g.end())..]);
            return Some(Issue { label, date });
        }
        let Some(c) = ISSUE.captures(t) else {
            continue;
        };
        let (m, y) = match (c.name("m1"), c.name("y1"), c.name("m2"), c.name("y2")) {
            (Some(m), Some(y), _, _) | (_, _, Some(m), Some(y)) => (m.as_str(), y.as_str()),
            _ => continue,
        };
        let date = normalize::parse_date(&format!("{m} {y}"));
        let label = normalize::text(c.get(0).map_or("", |g| g.as_str()));
        return Some(Issue { label, date });
    }
    None
}

/// Same site: the same host, ignoring a leading `www.`.
fn same_site(a: &Url, b: &Url) -> bool {
    let h = |u: &Url| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
    };
    h(a) == h(b)
}

/// An entry's link target in the crawler's canonical form.
fn canonical(mut u: Url) -> Option<Url> {
    u.set_fragment(None);
    crate::fetch::url::canonicalize(u).ok()
}

/// What an index page lists and names.
#[derive(Debug, Clone, Default)]
pub struct IndexPage {
    /// The entries, in page order.
    pub entries: Vec<Entry>,
    /// The issue the page is the table of contents of.
    pub issue: Option<Issue>,
    /// The page's own heading: the first heading before any entry that is set larger
    /// than every heading after it ("Recent articles", "The 2003 archive").
    pub heading: Option<String>,
}

/// The entries of the index page under `root`, its issue and its own heading.
pub fn read(root: ElementRef<'_>, cx: &Context<'_>) -> IndexPage {
    let mut heading: Option<String> = None;
    let lines = lines(root, cx.url);
    let issue = issue_of(cx.title, &lines);
    let page = canonical(cx.url.clone());
    let title_key = cx.title.map(|t| normalize::text(t).to_lowercase());
    let mut seen: HashSet<String> = HashSet::new();
    let mut out: Vec<Entry> = Vec::new();
    let mut section: Option<String> = None;
    // The largest heading type after each line: the page's own heading is a heading
    // before the first entry set larger than every heading after it.
    let mut later = vec![i8::MIN; lines.len() + 1];
    for k in (0..lines.len()).rev() {
        later[k] = later[k + 1];
        if lines[k].is_heading() {
            later[k] = later[k].max(lines[k].font);
        }
    }
    let mut i = 0;
    while i < lines.len() && out.len() < MAX_ENTRIES {
        let line = &lines[i];
        i += 1;
        if line.is_heading() {
            let t = line.text.trim().trim_end_matches(':').trim().to_string();
            let own = heading.is_none() && out.is_empty() && line.font > later[i];
            if own {
                heading = Some(t.clone());
            }
            let is_title = own
                || title_key.as_deref() == Some(t.to_lowercase().as_str())
                || line.level == 1
                || issue.as_ref().is_some_and(|s| t.contains(&s.label));
            if !is_title && !COPYRIGHT.is_match(&t) {
                section = Some(t);
            }
            continue;
        }
        // A row of links before any section heading is the site's navigation bar;
        // under a heading it is a list of titles (a site map's years).
        if section.is_none() && nav_bar(line) {
            continue;
        }
        // The entry links of the line: another page of the site, named by a text that
        // is not navigation.
        let cands: Vec<&Span> = line
            .links
            .iter()
            .filter(|s| s.url.as_ref().is_some_and(|u| same_site(u, cx.url)))
            .filter(|s| {
                let t = line.text[s.start..s.end].trim();
                t.chars().filter(|c| c.is_alphanumeric()).count() >= 3
                    && !cx.is_chrome(t)
                    && !not_a_title(t)
            })
            .filter(|s| s.url != page)
            .collect();
        if cands.is_empty() {
            continue;
        }
        if cands.len() > 1 {
            // A row of links (a site map line, a list of titles): each is an entry with
            // its title only.
            for s in cands {
                let Some(u) = s.url.clone() else {
                    continue;
                };
                if seen.insert(u.to_string()) {
                    out.push(Entry {
                        url: u.to_string(),
                        title: Some(clean_title(&line.text[s.start..s.end])),
                        authors: Vec::new(),
                        published: None,
                        teaser: None,
                        section: section.clone(),
                    });
                }
            }
            continue;
        }
        let s = cands[0];
        let Some(u) = s.url.clone() else {
            continue;
        };
        if !seen.insert(u.to_string()) {
            continue;
        }
        let mut e = Entry {
            url: u.to_string(),
            title: Some(clean_title(&line.text[s.start..s.end])).filter(|t| !t.is_empty()),
            authors: Vec::new(),
            published: None,
            teaser: None,
            section: section.clone(),
        };
        let after = line.text[s.end..].trim();
        read_after(&mut e, after, true);
        // The lines after the link that hold no link of their own may be the entry's
        // byline, date and teaser.
        let mut taken = 0;
        while i < lines.len() && taken < CONTINUATION_LINES {
            let next = &lines[i];
            // Any link elsewhere (another entry, the site's navigation) or a chrome
            // line ends the entry; "more>>" to the entry itself does not.
            let elsewhere = next.links.iter().any(|l| {
                let t = next.text[l.start..l.end].trim();
                l.url.as_ref().map(Url::as_str) != Some(e.url.as_str()) || !NAV_LABEL.is_match(t)
            });
            if elsewhere || next.is_heading() || cx.is_chrome(&next.text) {
                break;
            }
            // Navigation text of the same entry ("more>>") is dropped.
            let text = strip_links(next, &e.url);
            read_after(&mut e, text.trim(), false);
            taken += 1;
            i += 1;
        }
        out.push(e);
    }
    // A link text that names three or more different pages is a button ("View
    // Company Profile", "Read more"), not a title.
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for e in &out {
        if let Some(t) = &e.title {
            *counts.entry(t.to_lowercase()).or_insert(0) += 1;
        }
    }
    out.retain(|e| {
        e.title
            .as_ref()
            .is_none_or(|t| counts.get(&t.to_lowercase()).copied().unwrap_or(0) < 3)
    });
    IndexPage {
        entries: out,
        issue,
        heading,
    }
}

/// Link texts that are no title whatever the site: a date or a relative time ("17
/// hours ago"), a bare domain ("example.com"), a rating or a count ("4.7 out of 5
/// stars 58,483": mostly digits).
fn not_a_title(t: &str) -> bool {
    static NOT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^(?:\d+\s*(?:s|sec|seconds?|m|min|minutes?|h|hrs?|hours?|d|days?|w|weeks?|months?|y|years?)\s+ago|(?:yesterday|today|just now)|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})$",
        )
        .expect("static regex")
    });
    let alnum = t.chars().filter(|c| c.is_alphanumeric()).count();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    // A year alone names a year's archive ("1998").
    let year = t.trim().len() == 4 && (t.trim().starts_with("19") || t.trim().starts_with("20"));
    !year && NOT.is_match(t.trim())
        || (!year && digits * 10 > alnum * 4)
        || (!year && t.len() <= 30 && normalize::parse_date(t).is_some())
}

/// A navigation bar: three or more links with nothing but separators between them
/// ("Home | Past Issues | Our Writers", ":: Books :: Search ::").
fn nav_bar(line: &Line) -> bool {
    if line.links.len() < 3 {
        return false;
    }
    let mut at = 0;
    let mut between = String::new();
    for l in &line.links {
        between.push_str(&line.text[at.min(l.start)..l.start]);
        at = l.end;
    }
    between.push_str(&line.text[at.min(line.text.len())..]);
    between.chars().all(|c| !c.is_alphanumeric())
}

/// The line's text without its navigation links to `url` ("more>>").
fn strip_links(line: &Line, url: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    for l in &line.links {
        let t = line.text[l.start..l.end].trim();
        let same = l.url.as_ref().is_some_and(|u| u.as_str() == url);
        if same && NAV_LABEL.is_match(t) {
            out.push_str(&line.text[at..l.start]);
            at = l.end;
        }
    }
    out.push_str(&line.text[at..]);
    normalize::text(&out)
}

/// A title as printed, without a trailing separator and without a "Read full
/// article:" label before it.
fn clean_title(t: &str) -> String {
    static READ: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^read\s+(?:the\s+)?(?:full\s+|more\s+)?(?:article|story|post|review|more)\s*[:–—-]\s*")
            .expect("static regex")
    });
    let t = normalize::text(t);
    READ.replace(&t, "")
        .trim_end_matches([':', '-', '–', '—', ',', '·', '•', '|', ' '])
        .to_string()
}

/// Read what a line prints after the title (or, on a following line, with no title):
/// a byline, a date, a teaser.
fn read_after(e: &mut Entry, text: &str, same_line: bool) {
    let mut text = normalize::text(text);
    if text.is_empty() || text.chars().all(|c| !c.is_alphanumeric()) {
        return;
    }
    if e.published.is_none() {
        if let Some((d, range)) = entry_date(&text) {
            e.published = Some(d);
            text.replace_range(range, " ");
            text = normalize::text(&text);
        } else if let Some(d) = normalize::parse_date(&text)
            .filter(|_| text.len() <= 40 && !text.contains(':') && text.split(' ').count() <= 6)
            .filter(|d| d.precision == crate::model::DatePrecision::Day)
        {
            // A line that is only a date ("May 3, 2003").
            e.published = Some(d.from_source(DateSource::Page));
            return;
        }
    }
    let text = text.trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | '|'));
    if text.is_empty() {
        return;
    }
    if let Some(c) = BYLINE.captures(text) {
        if e.authors.is_empty() {
            e.authors = names(c.get(1).map_or("", |m| m.as_str()));
        }
        return;
    }
    // "Title: teaser" on the same line, or a teaser line after the title.
    let teaser = if same_line {
        match text.strip_prefix(':') {
            Some(t) => t.trim(),
            None if text.starts_with(['-', '–', '—']) => {
                text.trim_start_matches(['-', '–', '—']).trim()
            }
            None => text,
        }
    } else {
        text
    };
    if teaser.split_whitespace().count() < 3 || e.teaser.is_some() {
        return;
    }
    if e.authors.is_empty() {
        if let Some(c) = SAYS.captures(teaser) {
            e.authors = names(c.get(1).map_or("", |m| m.as_str()));
        }
    }
    let mut t = teaser.to_string();
    if t.len() > MAX_TEASER {
        let mut end = MAX_TEASER;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        t.truncate(end);
    }
    e.teaser = Some(t);
}

/// The printed text of an entry, for the body of an index page: the title, then the
/// byline, date and teaser as one line.
pub fn entry_text(e: &Entry) -> String {
    let mut s = e.title.clone().unwrap_or_default();
    if !e.authors.is_empty() {
        s.push_str(" by ");
        s.push_str(&e.authors.join(" and "));
    }
    if let Some(t) = &e.teaser {
        if !s.is_empty() {
            s.push_str(": ");
        }
        s.push_str(t);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(url: &str, html: &str) -> (Vec<Entry>, Option<Issue>) {
        let doc = scraper::Html::parse_document(html);
        let url = Url::parse(url).unwrap();
        let p = read(
            doc.root_element(),
            &Context {
                url: &url,
                title: None,
                chrome: None,
            },
        );
        (p.entries, p.issue)
    }

    #[test]
    fn byline_and_web_posted_after_the_title() {
        let (e, _) = run(
            "http://mag.example/archive/2003/index.html",
            r#"<p><font size=5><b>The 2003 archive</b></font></p><p><b>January 2003</b><br>
            <a href="../articles/0103/a.htm">A budget for hard times</a> by Ann Lee and Bo Ray (web posted January 6, 2003)<br>
            <a href="../articles/0103/b.htm">Kosovo</a> by Cy Dee</p>
            <p><a href="/">Home</a> | <a href="mailto:x@mag.example">E-mail</a></p>"#,
        );
        assert_eq!(e.len(), 2, "{e:#?}");
        assert_eq!(e[0].url, "http://mag.example/archive/articles/0103/a.htm");
        assert_eq!(e[0].title.as_deref(), Some("A budget for hard times"));
        assert_eq!(e[0].authors, vec!["Ann Lee", "Bo Ray"]);
        assert_eq!(
            e[0].published.as_ref().map(|d| d.date.as_str()),
            Some("2003-01-06")
        );
        assert_eq!(e[0].section.as_deref(), Some("January 2003"));
        assert_eq!(e[1].authors, vec!["Cy Dee"]);
        assert_eq!(e[1].published, None);
    }

    #[test]
    fn side_columns_named_as_such_give_no_entries() {
        let list = r#"<p><a href="a.htm">Roads and taxes</a> (web posted May 2, 2005)<br>
            <a href="b.htm">The art of the deal</a> (web posted April 25, 2005)</p>"#;
        for side in [
            r#"<td id="side">"#,
            r#"<div class="widget-area sidebar-right">"#,
            r#"<div class="col left-side">"#,
            r#"<ul class="sidenav">"#,
        ] {
            let close = if side.starts_with("<td") {
                "</td>"
            } else if side.starts_with("<ul") {
                "</ul>"
            } else {
                "</div>"
            };
            let html = format!(
                r#"<table><tr><td>{list}</td>{side}<p><strong>Recent articles</strong></p>
                <p><a href="c.htm">Census fight</a><br><a href="d.htm">Stimulus</a></p>{close}</tr></table>"#
            );
            let (e, _) = run("http://mag.example/columnists/lee.htm", &html);
            let urls: Vec<&str> = e.iter().map(|e| e.url.as_str()).collect();
            assert_eq!(
                urls,
                [
                    "http://mag.example/columnists/a.htm",
                    "http://mag.example/columnists/b.htm"
                ],
                "{side}"
            );
        }
        // "inside", "sideways": not a side column.
        let html = format!(r#"<div class="inside sideways">{list}</div>"#);
        let (e, _) = run("http://mag.example/columnists/lee.htm", &html);
        assert_eq!(e.len(), 2, "{e:#?}");
    }

    #[test]
    fn teaser_with_writes_and_a_title_only_link_with_byline_below() {
        let (e, _) = run(
            "http://mag.example/recent.htm",
            r#"<p><a href="a.htm">The need to fix roads</a>: Potholes cost drivers more than taxes would, argues Dr. Ann Lee</p>
               <p><a href="b.htm">Art in crisis</a>: Bo Ray examines the state of art today</p>
               <p><b><a href="c.htm">Title only</a></b><br><font size=1>by Cy Dee</font><br>A teaser on its own line. <a href="c.htm">more&gt;&gt;</a></p>"#,
        );
        assert_eq!(e.len(), 3, "{e:#?}");
        assert_eq!(e[0].authors, vec!["Dr. Ann Lee"]);
        assert_eq!(
            e[0].teaser.as_deref(),
            Some("Potholes cost drivers more than taxes would, argues Dr. Ann Lee")
        );
        assert!(
            e[1].authors.is_empty(),
            "no verb, no guess: {:?}",
            e[1].authors
        );
        assert_eq!(e[2].authors, vec!["Cy Dee"]);
        assert_eq!(e[2].teaser.as_deref(), Some("A teaser on its own line."));
    }

    #[test]
    fn issue_label_from_a_heading() {
        let (_, i) = run(
            "http://mag.example/1197/",
            "<h2>The November 1997 issue of the Magazine</h2><p><a href=a.htm>Story one</a></p>",
        );
        let i = i.expect("issue");
        assert_eq!(i.label, "November 1997 issue");
        assert_eq!(i.date.map(|d| d.date), Some("1997-11".to_string()));
    }

    #[test]
    fn numbered_issue_with_its_date_and_a_nav_bar_before_any_heading() {
        let (e, i) = run(
            "http://mag.example/",
            "<p><a href=/>Home</a> | <a href=past.htm>Past Issues</a> | <a href=w.htm>Our Writers</a> | <a href=mailto:x@y>Write Us</a></p>\
             <table><tr><td><b>Volume 20, Issue 16 – April 24, 2017</b></td></tr></table>\
             <p><a href=a.htm>Story one here</a> by Ann Lee</p>",
        );
        let i = i.expect("issue");
        assert_eq!(i.label, "Volume 20, Issue 16");
        assert_eq!(i.date.map(|d| d.date), Some("2017-04-24".to_string()));
        let urls: Vec<&str> = e.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(urls, vec!["http://mag.example/a.htm"]);
    }

    #[test]
    fn buttons_and_labels_are_no_titles() {
        let (e, _) = run(
            "http://mag.example/list",
            r#"<h2>Firms</h2><p><a href=a.htm>Read full article: The best lamps</a></p>
               <p><a href=b.htm>Elkins Park, PA ·</a></p>
               <p><a href=c1.htm>View Company Profile</a></p><p><a href=c2.htm>View Company Profile</a></p>
               <p><a href=c3.htm>View Company Profile</a></p>"#,
        );
        let titles: Vec<&str> = e.iter().filter_map(|e| e.title.as_deref()).collect();
        assert_eq!(titles, vec!["The best lamps", "Elkins Park, PA"]);
        let (e, _) = run(
            "http://mag.example/list",
            r#"<h2>News</h2><p><a href=a.htm>A real headline here</a> <a href=b.htm>17 hours ago</a></p>
               <p><a href=c.htm>example.com</a></p><p><a href=d.htm>4.7 out of 5 stars 58,483</a></p>
               <p><a href=e.htm>May 4, 2025</a></p>"#,
        );
        let titles: Vec<&str> = e.iter().filter_map(|e| e.title.as_deref()).collect();
        assert_eq!(titles, vec!["A real headline here"]);
    }

    #[test]
    fn hostile_pages_stay_bounded() {
        let many = "<p><a href=x.htm>link text here</a> by Ann</p>".repeat(30_000);
        let (e, _) = run("http://mag.example/", &many);
        assert!(e.len() <= 1, "one URL, one entry");
        let long = format!("<p>{}</p>", "word ".repeat(1_000_000));
        let (e, _) = run("http://mag.example/", &long);
        assert!(e.is_empty());
    }
}
