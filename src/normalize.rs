//! Text normalization: the one place that decides how text is written in an Article.
//!
//! Entities are decoded by the HTML parser before text gets here. This module applies
//! Unicode NFC, collapses every run of whitespace (including no-break spaces) to one
//! space, drops invisible characters (soft hyphens, zero-width spaces, BOMs), keeps
//! typographic quotes and dashes as they are, parses dates to ISO 8601 with their
//! precision, and splits bylines into author lists.
//!
//! Pure functions on strings; no DOM, no I/O.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use crate::model::{Block, DatePrecision, PublishedDate};

/// Normalize a run of text: NFC, whitespace collapsed, invisible characters dropped,
/// trimmed.
pub fn text(raw: &str) -> String {
    // Most text is already NFC: skip the composing iterator when a quick check says so.
    if raw.is_ascii()
        || unicode_normalization::is_nfc_quick(raw.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        collapse_str(raw)
    } else {
        collapse(raw.nfc(), raw.len())
    }
}

/// [`collapse`] of text that is already NFC, a word at a time: `split_whitespace`
/// splits at exactly the characters `char::is_whitespace` accepts.
fn collapse_str(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        let start = out.len();
        if start > 0 {
            out.push(' ');
        }
        if word.is_ascii() || !word.contains(is_invisible) {
            out.push_str(word);
        } else {
            out.extend(word.chars().filter(|&c| !is_invisible(c)));
            if out.len() == start + usize::from(start > 0) {
                // The word was invisible characters only: no word, no space.
                out.truncate(start);
            }
        }
    }
    out
}

fn collapse(chars: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut pending_space = false;
    for c in chars {
        if is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// HTML element names whose tags, met in running text, are markup that leaked out of
/// a page (escaped twice, read from a `<noscript>` or a template), not prose.
const HTML_TAGS: &str =
    "a|abbr|article|aside|audio|b|body|br|button|canvas|center|code|div|em|embed|\
    figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|label|li|link|\
    main|meta|nav|noscript|object|ol|option|p|path|picture|script|section|select|source|span|\
    strong|style|sub|sup|svg|table|tbody|td|textarea|th|thead|title|tr|u|ul|video";

/// Remove markup that leaked into running text: HTML tags of known elements written
/// out as text (`&lt;img src="…"&gt;` on the page, a `<noscript>` read as text) and
/// template placeholders (`{{title}}`, `{% block %}`, `<%= x %>`). A tag with
/// attributes always goes; a bare `<tag>` or `</tag>` goes when the text holds two or
/// more tags (one mention of `<blink>` in prose is prose). Returns `None` when no words
/// remain. Preformatted text (code samples) is not passed through this.
pub fn strip_markup(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    static WITH_ATTRS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?i)<(?:{HTML_TAGS})\s+[a-z_:][-a-z0-9_:.]*\s*=[^<>]{{0,2000}}/?>"
        ))
        .expect("static regex")
    });
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r"(?i)</?(?:{HTML_TAGS})\s*/?>")).expect("static regex")
    });
    static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\{\{[^{}]{0,200}\}\}|\{%[^%]{0,200}%\}|<%=?[^%]{0,200}%>")
            .expect("static regex")
    });
    // Cheap exit for the common case.
    if !text.contains('<') && !text.contains("{{") && !text.contains("{%") {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let mut out = std::borrow::Cow::Borrowed(text);
    if WITH_ATTRS.is_match(&out) {
        out = std::borrow::Cow::Owned(WITH_ATTRS.replace_all(&out, " ").into_owned());
    }
    if BARE.find_iter(&out).nth(1).is_some() {
        out = std::borrow::Cow::Owned(BARE.replace_all(&out, " ").into_owned());
    }
    if TEMPLATE.is_match(&out) {
        out = std::borrow::Cow::Owned(TEMPLATE.replace_all(&out, " ").into_owned());
    }
    if let std::borrow::Cow::Owned(s) = &out {
        let t = text_of_words(s);
        return (!t.is_empty()).then_some(std::borrow::Cow::Owned(t));
    }
    Some(out)
}

/// [`strip_markup`] over every text of the body except preformatted blocks (code
/// samples show markup on purpose); blocks left without words go.
pub fn strip_markup_blocks(body: &mut Vec<Block>) {
    let clean = |s: &mut String| -> bool {
        match strip_markup(s) {
            Some(std::borrow::Cow::Borrowed(_)) => true,
            Some(std::borrow::Cow::Owned(t)) => {
                *s = t;
                true
            }
            None => false,
        }
    };
    retain_running_text(body, clean);
    for b in body.iter_mut() {
        if let Block::Image {
            caption,
            credit,
            alt,
            ..
        } = b
        {
            for f in [caption, credit, alt] {
                if let Some(t) = f {
                    if !clean(t) {
                        *f = None;
                    }
                }
            }
        }
    }
}

/// Keep the running text of `body` (paragraphs, headings, list items, quote
/// paragraphs) for which `keep` answers true, in document order; `keep` may also
/// rewrite the text. A list or quote left empty goes; images and preformatted blocks
/// are not shown to `keep` and stay.
pub fn retain_running_text(body: &mut Vec<Block>, mut keep: impl FnMut(&mut String) -> bool) {
    body.retain_mut(|b| match b {
        Block::Paragraph { text } | Block::Heading { text, .. } => keep(text),
        Block::List { items, .. } => {
            items.retain_mut(|t| keep(t));
            !items.is_empty()
        }
        Block::Blockquote { paragraphs } => {
            paragraphs.retain_mut(|t| keep(t));
            !paragraphs.is_empty()
        }
        Block::Image { .. } | Block::Preformatted { .. } => true,
    });
}

/// Whitespace collapsed again after removals; empty when no letter or digit is left.
fn text_of_words(s: &str) -> String {
    if !s.chars().any(char::is_alphanumeric) {
        return String::new();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalize preformatted text: NFC, line ends to `\n`, trailing whitespace of each
/// line and blank leading/trailing lines removed; inner spacing kept.
pub fn preformatted(raw: &str) -> String {
    let s: String = raw.nfc().filter(|&c| !is_invisible(c)).collect();
    let s = s
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\u{a0}', " ");
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |e| e + 1);
    lines[start..end].join("\n")
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
    )
}

/// Number of words in the body: whitespace-separated tokens that contain a letter or
/// digit, over text blocks and image captions.
pub fn word_count(body: &[Block]) -> u64 {
    fn words(t: &str) -> u64 {
        // (For ASCII, `char::is_alphanumeric` is `u8::is_ascii_alphanumeric`.)
        t.split_whitespace()
            .filter(|w| {
                w.bytes().any(|b| b.is_ascii_alphanumeric())
                    || (!w.is_ascii() && w.chars().any(char::is_alphanumeric))
            })
            .count() as u64
    }
    let many = |v: &[String]| v.iter().map(|t| words(t)).sum::<u64>();
    body.iter()
        .map(|b| match b {
            Block::Paragraph { text }
            | Block::Heading { text, .. }
            | Block::Preformatted { text } => words(text),
            Block::Blockquote { paragraphs } => many(paragraphs),
            Block::List { items, .. } => many(items),
            Block::Image {
                caption, credit, ..
            } => caption.as_deref().map_or(0, words) + credit.as_deref().map_or(0, words),
        })
        .sum()
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(full.iter())
        .position(|(abbr, full)| {
            w == *abbr
                || w == *full
                || (w == "sept" && *abbr == "sep")
                || (full.starts_with(&w) && w.len() >= 3)
        })
        .map(|i| i as u32 + 1)
}

fn valid_day(y: i32, m: u32, d: u32) -> bool {
    chrono::NaiveDate::from_ymd_opt(y, m, d).is_some()
}

fn day(y: i32, m: u32, d: u32) -> Option<PublishedDate> {
    valid_day(y, m, d).then(|| PublishedDate {
        date: format!("{y:04}-{m:02}-{d:02}"),
        precision: DatePrecision::Day,
        source: None,
    })
}

fn month(y: i32, m: u32) -> Option<PublishedDate> {
    ((1..=12).contains(&m) && (1000..=9999).contains(&y)).then(|| PublishedDate {
        date: format!("{y:04}-{m:02}"),
        precision: DatePrecision::Month,
        source: None,
    })
}

/// Parse a human or machine date into an ISO 8601 date with its precision.
///
/// Accepts "April 24, 2017", "Apr. 24 2017", "24 April 2017", "September 1998",
/// "Sept. 1998", "2017-04-24", "2017-04-24T10:00:00Z" (the date part), "2017/04/24",
/// "12/03/2006" (US order, month first, unless the first number exceeds 12), "1998-09".
/// The first date found in `raw` wins. Returns `None` for anything else.
pub fn parse_date(raw: &str) -> Option<PublishedDate> {
    parse_date_with(raw, false)
}

/// [`parse_date`] for pages in any language: also month names in German, French,
/// Spanish, Italian, Portuguese, Dutch and Polish ("4. März 2021", "4 de marzo de
/// 2021", "4 marca 2021"), and dotted numeric dates day first, as they are written
/// wherever dots are used ("04.03.2021" is 4 March). Slashed dates stay month first
/// unless the first number exceeds 12. Relative dates ("3 days ago") are never read:
/// they need a reference date.
pub fn parse_date_any(raw: &str) -> Option<PublishedDate> {
    parse_date_with(raw, true)
}

/// Month number of a month name or abbreviation in one of the languages of
/// [`parse_date_any`] (English excluded: see [`month_number`]).
fn intl_month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.chars().count() < 3 {
        return None;
    }
    const NAMES: [&[&str]; 12] = [
        &[
            "januar", "jänner", "janvier", "enero", "gennaio", "janeiro", "januari", "stycznia",
            "styczeń", "janv",
        ],
        &[
            "februar",
            "février",
            "fevrier",
            "febrero",
            "febbraio",
            "fevereiro",
            "februari",
            "lutego",
            "luty",
            "févr",
            "fév",
        ],
        &[
            "märz", "maerz", "mars", "marzo", "março", "maart", "marca", "marzec", "mär", "mrz",
        ],
        &[
            "april",
            "avril",
            "abril",
            "aprile",
            "kwietnia",
            "kwiecień",
            "avr",
        ],
        &["mai", "mayo", "maggio", "maio", "mei", "maja", "maj"],
        &[
            "juni", "juin", "junio", "giugno", "junho", "czerwca", "czerwiec",
        ],
        &[
            "juli", "juillet", "julio", "luglio", "julho", "lipca", "lipiec", "juil",
        ],
        &[
            "august",
            "août",
            "aout",
            "agosto",
            "augustus",
            "sierpnia",
            "sierpień",
        ],
        &[
            "september",
            "septembre",
            "septiembre",
            "setiembre",
            "settembre",
            "setembro",
            "września",
            "wrzesień",
        ],
        &[
            "oktober",
            "octobre",
            "octubre",
            "ottobre",
            "outubro",
            "października",
            "październik",
            "okt",
        ],
        &[
            "november",
            "novembre",
            "noviembre",
            "novembro",
            "listopada",
            "listopad",
        ],
        &[
            "dezember",
            "décembre",
            "decembre",
            "diciembre",
            "dicembre",
            "dezembro",
            "december",
            "grudnia",
            "grudzień",
            "dez",
            "déc",
        ],
    ];
    NAMES
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u32 + 1)
}

/// The month (1–12) a month name or abbreviation names, in English or in one of the
/// languages of [`parse_date_any`]: "Dec", "december", "März", "juillet".
pub fn month_of_name(word: &str) -> Option<u32> {
    if !word.chars().all(|c| c.is_alphabetic() || c == '.') {
        return None;
    }
    month_number(word).or_else(|| intl_month(word))
}

fn parse_date_with(raw: &str, intl: bool) -> Option<PublishedDate> {
    // Every accepted form has digits: most text has none, and skips the regexes.
    if !raw.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    static ISO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:(?-u:\b)|T)")
            .expect("static regex")
    });
    static MDY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?-u:\b)")
            .expect("static regex")
    });
    static DMY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?-u:\b)(\d{1,2})(?:st|nd|rd|th)?\.?\s+([a-z]{3,9})\.?,?\s+(\d{4})(?-u:\b)",
        )
        .expect("static regex")
    });
    static MY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)([a-z]{3,9})\.?,?\s+(\d{4})(?-u:\b)").expect("static regex")
    });
    static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(\d{1,2})([/.])(\d{1,2})[/.](\d{4}|\d{2})(?-u:\b)")
            .expect("static regex")
    });
    // Day, month name in any of the languages of `intl_month`, year: "4. März 2021",
    // "4 de marzo de 2021", "1er janvier 2020".
    static INTL_DMY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(\d{1,2})(?:\.|er|º)?\s+(?:de\s+)?(\p{L}{3,12})\.?,?\s+(?:de\s+|del\s+)?(\d{4})\b",
        )
        .expect("static regex")
    });
    // Day-month-year with dashes, "02-12-2025" (as written where dots are also used).
    static DASHED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(\d{1,2})-(\d{1,2})-(\d{4})(?-u:\b)").expect("static regex")
    });
    let s = text(raw);
    let num = |m: Option<regex::Match<'_>>| m.and_then(|m| m.as_str().parse::<u32>().ok());

    // Collect candidates with their position; the earliest valid one wins.
    let mut best: Option<(usize, PublishedDate)> = None;
    fn consider(best: &mut Option<(usize, PublishedDate)>, pos: usize, d: Option<PublishedDate>) {
        if let Some(d) = d {
            if best.as_ref().is_none_or(|(p, _)| pos < *p) {
                *best = Some((pos, d));
            }
        }
    }
    for c in ISO.captures_iter(&s) {
        let (Some(y), Some(m)) = (num(c.get(1)), num(c.get(2))) else {
            continue;
        };
        let pos = c.get(0).map_or(0, |m| m.start());
        match num(c.get(3)) {
            Some(d) => consider(&mut best, pos, day(y as i32, m, d)),
            None => consider(&mut best, pos, month(y as i32, m)),
        }
    }
    for c in MDY.captures_iter(&s) {
        let Some(m) = c.get(1).and_then(|m| month_number(m.as_str())) else {
            continue;
        };
        let (Some(d), Some(y)) = (num(c.get(2)), num(c.get(3))) else {
            continue;
        };
        consider(
            &mut best,
            c.get(0).map_or(0, |m| m.start()),
            day(y as i32, m, d),
        );
    }
    for c in DMY.captures_iter(&s) {
        let Some(m) = c.get(2).and_then(|m| month_number(m.as_str())) else {
            continue;
        };
        let (Some(d), Some(y)) = (num(c.get(1)), num(c.get(3))) else {
            continue;
        };
        consider(
            &mut best,
            c.get(0).map_or(0, |m| m.start()),
            day(y as i32, m, d),
        );
    }
    if intl {
        for c in DASHED.captures_iter(&s) {
            let (Some(a), Some(b), Some(y)) = (num(c.get(1)), num(c.get(2)), num(c.get(3))) else {
                continue;
            };
            let (m, d) = if b > 12 { (a, b) } else { (b, a) };
            consider(
                &mut best,
                c.get(0).map_or(0, |m| m.start()),
                day(y as i32, m, d),
            );
        }
        for c in INTL_DMY.captures_iter(&s) {
            let Some(m) = c.get(2).and_then(|m| intl_month(m.as_str())) else {
                continue;
            };
            let (Some(d), Some(y)) = (num(c.get(1)), num(c.get(3))) else {
                continue;
            };
            consider(
                &mut best,
                c.get(0).map_or(0, |m| m.start()),
                day(y as i32, m, d),
            );
        }
    }
    for c in NUMERIC.captures_iter(&s) {
        let (Some(a), Some(b), Some(y)) = (num(c.get(1)), num(c.get(3)), num(c.get(4))) else {
            continue;
        };
        let y = if y < 100 {
            if y >= 70 {
                1900 + y
            } else {
                2000 + y
            }
        } else {
            y
        };
        let dotted = c.get(2).is_some_and(|m| m.as_str() == ".");
        let (m, d) = if a > 12 || (intl && dotted) {
            (b, a)
        } else {
            (a, b)
        };
        consider(
            &mut best,
            c.get(0).map_or(0, |m| m.start()),
            day(y as i32, m, d),
        );
    }
    let found_day = best.is_some();
    if !found_day {
        for c in MY.captures_iter(&s) {
            let Some(m) = c.get(1).and_then(|m| month_number(m.as_str())) else {
                continue;
            };
            let Some(y) = num(c.get(2)) else { continue };
            consider(
                &mut best,
                c.get(0).map_or(0, |m| m.start()),
                month(y as i32, m),
            );
        }
    }
    best.map(|(_, d)| d)
}

static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?-u:\b)")
        .expect("static regex")
});
static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(\d{1,2})(?:st|nd|rd|th)?\.?\s+([a-z]{3,9})(?-u:\b)")
        .expect("static regex")
});

/// The month and day of a date written without a year: "December 20", "Dec. 20th",
/// "20 December". The first found wins; `None` when there is none.
pub fn parse_month_day(raw: &str) -> Option<(u32, u32)> {
    let s = text(raw);
    let num = |m: Option<regex::Match<'_>>| m.and_then(|m| m.as_str().parse::<u32>().ok());
    let md = MONTH_DAY.captures_iter(&s).find_map(|c| {
        let m = month_number(c.get(1)?.as_str())?;
        let d = num(c.get(2))?;
        Some((c.get(0)?.start(), m, d))
    });
    let dm = DAY_MONTH.captures_iter(&s).find_map(|c| {
        let m = month_number(c.get(2)?.as_str())?;
        let d = num(c.get(1))?;
        Some((c.get(0)?.start(), m, d))
    });
    let (_, m, d) = match (md, dm) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (a, b) => a.or(b)?,
    };
    // February 29 is checked against a leap year: the caller supplies the year.
    valid_day(2000, m, d).then_some((m, d))
}

/// [`parse_date`], and when `raw` states no year ("December 20"), the day in `year`.
pub fn parse_date_in_year(raw: &str, year: i32) -> Option<PublishedDate> {
    parse_date(raw).or_else(|| {
        let (m, d) = parse_month_day(raw)?;
        day(year, m, d)
    })
}

/// Split a byline into author names: "By A and B", "By A, B and C", "A & B",
/// "By Dr. A, Jr." → names in order, without "By", without trailing punctuation.
pub fn split_authors(raw: &str) -> Vec<String> {
    static BY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^\s*(?:written\s+)?by[:\s]+").expect("static regex"));
    static SEP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s*;\s*|\s+with\s+")
            .expect("static regex")
    });
    let s = text(raw);
    let s = BY.replace(&s, "");
    let parts: Vec<&str> = SEP.split(&s).collect();
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        let name = part.trim().trim_end_matches(['.', ',', ':', ';']).trim();
        if name.is_empty() {
            continue;
        }
        // "John Smith, Jr." splits into "John Smith" + "Jr": glue suffixes back on.
        let lower = name.to_lowercase();
        if matches!(
            lower.as_str(),
            "jr" | "sr" | "ii" | "iii" | "iv" | "phd" | "ph.d" | "md"
        ) {
            if let Some(last) = out.last_mut() {
                let suffix = if part.trim().ends_with('.') {
                    format!("{name}.")
                } else {
                    name.to_string()
                };
                last.push_str(", ");
                last.push_str(&suffix);
                continue;
            }
        }
        // Keep "Dr." and similar abbreviations' final dot inside a name.
        let name = if part.trim().ends_with('.')
            && name.split_whitespace().last().is_some_and(|w| w.len() <= 2)
        {
            format!("{name}.")
        } else {
            name.to_string()
        };
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaked_markup_is_removed_and_prose_about_tags_is_not() {
        let strip = |s| strip_markup(s).map(|c| c.into_owned());
        assert_eq!(
            strip("Plain text, no markup."),
            Some("Plain text, no markup.".into())
        );
        assert_eq!(
            strip(r#"Look <img src="/a.png" alt="x"> here"#),
            Some("Look here".into())
        );
        assert_eq!(strip(r#"<div class="ad"><a href="/x">"#), None);
        assert_eq!(strip("<p><strong>Bold</strong></p>"), Some("Bold".into()));
        assert_eq!(
            strip("Hello {{ user.name }}, welcome"),
            Some("Hello , welcome".into())
        );
        assert_eq!(strip("{% block content %}"), None);
        // One bare tag named in prose stays; comparisons are not tags.
        assert_eq!(
            strip("The <blink> tag was never a standard."),
            Some("The <blink> tag was never a standard.".into())
        );
        assert_eq!(
            strip("Use <b> for bold text."),
            Some("Use <b> for bold text.".into())
        );
        assert_eq!(
            strip("if a < b and c > d"),
            Some("if a < b and c > d".into())
        );
        // Bounded: a long run without '>' cannot make the attribute pattern scan far.
        let long = format!("<img src={}", "x".repeat(100_000));
        assert!(strip(&long).is_some());
    }

    #[test]
    fn text_collapses_and_keeps_typography() {
        assert_eq!(
            text("  Stalin\u{2019}s\u{a0}\u{a0} \u{201c}purge\u{201d}\n\t\u{2014} x "),
            "Stalin’s “purge” — x"
        );
        assert_eq!(text("co\u{ad}operate\u{200b}"), "cooperate");
        assert_eq!(text("Cafe\u{301}"), "Café");
        assert_eq!(text(" \n "), "");
        assert_eq!(
            text("  plain\t ascii\r\n\u{b}text \u{c}"),
            "plain ascii text"
        );
        assert_eq!(text("a \u{200b} b\u{ad} \u{feff}\u{ad} c\u{2060}"), "a b c");
        assert_eq!(text("\u{200b} \u{85}x\u{1c}y\u{3000}z "), "x\u{1c}y z");
        // The word-at-a-time path gives what the character loop gives.
        for s in [
            " \u{a0}\u{200b}\u{a0}a\u{2028}b\u{ad}\u{ad} c ",
            "\u{ad}",
            "x \u{feff} ",
            "\t\u{b}\u{c}\r\n \u{1680}\u{2000}\u{200a}\u{2029}\u{202f}\u{205f}Ende",
        ] {
            assert_eq!(collapse_str(s), collapse(s.chars(), s.len()), "{s:?}");
        }
    }

    #[test]
    fn dates_with_precision() {
        let d = |s: &str| parse_date(s).map(|d| (d.date, d.precision));
        assert_eq!(
            d("web posted April 24, 2017"),
            Some(("2017-04-24".into(), DatePrecision::Day))
        );
        assert_eq!(
            d("web posted September 1998"),
            Some(("1998-09".into(), DatePrecision::Month))
        );
        assert_eq!(
            d("Sept. 1998"),
            Some(("1998-09".into(), DatePrecision::Month))
        );
        assert_eq!(
            d("posted 24 April 2017"),
            Some(("2017-04-24".into(), DatePrecision::Day))
        );
        assert_eq!(
            d("2017-04-24T10:00:00+02:00"),
            Some(("2017-04-24".into(), DatePrecision::Day))
        );
        assert_eq!(
            d("Posted: 12/03/2006"),
            Some(("2006-12-03".into(), DatePrecision::Day))
        );
        assert_eq!(
            d("Dec. 3rd, 2007"),
            Some(("2007-12-03".into(), DatePrecision::Day))
        );
        assert_eq!(d("February 30, 2017"), None);
        assert_eq!(d("no date here"), None);
    }

    #[test]
    fn dates_without_a_year() {
        assert_eq!(parse_month_day("December 20"), Some((12, 20)));
        assert_eq!(parse_month_day("Dec. 20th --"), Some((12, 20)));
        assert_eq!(parse_month_day("20 December"), Some((12, 20)));
        assert_eq!(parse_month_day("December 32"), None);
        assert_eq!(parse_month_day("the 20 dwarves"), None);
        let d = |s: &str, y| parse_date_in_year(s, y).map(|d| (d.date, d.precision));
        assert_eq!(
            d("December 20", 1999),
            Some(("1999-12-20".into(), DatePrecision::Day))
        );
        assert_eq!(
            d("March 6, 2000", 1999),
            Some(("2000-03-06".into(), DatePrecision::Day))
        );
        assert_eq!(d("February 29", 1999), None);
        assert_eq!(
            d("February 29", 2000),
            Some(("2000-02-29".into(), DatePrecision::Day))
        );
    }

    #[test]
    fn dates_in_any_language() {
        let d = |s: &str| parse_date_any(s).map(|d| d.date);
        assert_eq!(
            d("Veröffentlicht am 4. März 2021").as_deref(),
            Some("2021-03-04")
        );
        assert_eq!(d("le 1er janvier 2020").as_deref(), Some("2020-01-01"));
        assert_eq!(d("4 de marzo de 2021").as_deref(), Some("2021-03-04"));
        assert_eq!(d("12 grudnia 2023").as_deref(), Some("2023-12-12"));
        // Dots and dashes are day first; slashes stay month first.
        assert_eq!(d("04.03.2021").as_deref(), Some("2021-03-04"));
        assert_eq!(d("02-12-2025").as_deref(), Some("2025-12-02"));
        assert_eq!(d("12-31-2025").as_deref(), Some("2025-12-31"));
        assert_eq!(d("04/03/2021").as_deref(), Some("2021-04-03"));
        // English as parse_date reads it.
        assert_eq!(d("Updated on 09/11/25").as_deref(), Some("2025-09-11"));
        assert_eq!(d("3 days ago"), None);
        assert_eq!(d("Mars attacks 2021"), None);
        // parse_date itself keeps the old reading of dotted dates.
        assert_eq!(
            parse_date("04.03.2021").map(|d| d.date).as_deref(),
            Some("2021-04-03")
        );
        assert_eq!(month_of_name("Dez."), Some(12));
        assert_eq!(month_of_name("sept"), Some(9));
        assert_eq!(month_of_name("Monday"), None);
    }

    #[test]
    fn authors_split() {
        assert_eq!(split_authors("By Jim Liao"), vec!["Jim Liao"]);
        assert_eq!(
            split_authors("By A. Smith and Bo Jones"),
            vec!["A. Smith", "Bo Jones"]
        );
        assert_eq!(
            split_authors("By Ann Lee, Bob Ray and Cy Young"),
            vec!["Ann Lee", "Bob Ray", "Cy Young"]
        );
        assert_eq!(
            split_authors("By Ann Lee, Bob Ray, and Cy Young"),
            vec!["Ann Lee", "Bob Ray", "Cy Young"]
        );
        assert_eq!(split_authors("by Dr. Mary Poe"), vec!["Dr. Mary Poe"]);
        assert_eq!(split_authors("By John Smith, Jr."), vec!["John Smith, Jr."]);
        assert_eq!(split_authors("By W. R."), vec!["W. R."]);
    }
}
