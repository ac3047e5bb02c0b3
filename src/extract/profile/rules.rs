//! The compiled text rules of a profile and the pure questions asked of them: is
//! this short text chrome, a stop phrase, a kicker, a book-data line, a signature;
//! what date does this URL or this opening parenthesis state; which publication does
//! this note name.
//!
//! Owns: applying one rule to one string (or to a URL). Must not: know about
//! segments, their order or typography (that is [`super::classify`]), name a site,
//! or do I/O. Every function here is linear in its input.

use regex::{Regex, RegexSet};
use url::Url;

use crate::model::PublishedDate;
use crate::normalize;

/// Longest text (bytes) that a chrome, stop, footer or kicker phrase can classify: a
/// long paragraph that mentions "donations" or "copyright" is body text.
pub(super) const MAX_CHROME_TEXT: usize = 320;

/// Longest text (bytes) that a recurring-feature boilerplate phrase can classify
/// (letters-page submission instructions run to a few sentences).
pub(super) const MAX_BOILERPLATE_TEXT: usize = 600;

/// Longest kicker (section label), in characters.
const MAX_KICKER_CHARS: usize = 80;

/// The text rules of a profile, compiled. See README "Site profiles" for each key.
#[derive(Debug, Clone)]
pub(super) struct Rules {
    pub breadcrumb: Option<Regex>,
    pub breadcrumb_separator: Regex,
    pub breadcrumb_self: Option<Regex>,
    pub kicker: RegexSet,
    pub byline: Regex,
    pub dateline: Option<Regex>,
    pub paren_date: Option<Regex>,
    pub end_mark: Option<Regex>,
    pub end_mark_image: Option<Regex>,
    pub chrome: RegexSet,
    pub boilerplate: RegexSet,
    pub stop: RegexSet,
    pub footer: RegexSet,
    pub bio: Vec<Regex>,
    pub original_publication: Vec<Regex>,
    pub signature: Option<Regex>,
    pub book_data: RegexSet,
    pub title_strip: Vec<Regex>,
    pub decorative_image: Vec<Regex>,
    pub url_date: Vec<Regex>,
}

impl Rules {
    /// A short text naming chrome (navigation, ads, share rows, copyright).
    pub fn is_chrome_text(&self, t: &str) -> bool {
        t.len() <= MAX_CHROME_TEXT && self.chrome.is_match(t)
    }

    /// A short text after which the article is over (when there is no end mark).
    pub fn is_stop_text(&self, t: &str) -> bool {
        t.len() <= MAX_CHROME_TEXT && self.stop.is_match(t)
    }

    /// A short text of the page footer: nothing after it is the article.
    pub fn is_footer_text(&self, t: &str) -> bool {
        t.len() <= MAX_CHROME_TEXT && self.footer.is_match(t)
    }

    /// Recurring-feature boilerplate (submission instructions and the like).
    pub fn is_boilerplate_text(&self, t: &str) -> bool {
        t.len() <= MAX_BOILERPLATE_TEXT && self.boilerplate.is_match(t)
    }

    /// A line of a book's data (publisher, price, pages, ISBN) in a review.
    pub fn is_book_data_line(&self, t: &str) -> bool {
        t.len() <= MAX_CHROME_TEXT && self.book_data.is_match(t)
    }

    /// The kicker a label text states, as printed: whitespace collapsed, without a
    /// trailing colon. `None` when the text is not a known label.
    pub fn kicker(&self, t: &str) -> Option<String> {
        if t.len() > MAX_KICKER_CHARS * 8 {
            return None;
        }
        let t = normalize::text(t);
        let t = t.trim_end_matches([':', ' ']).trim();
        if t.is_empty() || t.chars().count() > MAX_KICKER_CHARS || !self.kicker.is_match(t) {
            return None;
        }
        Some(t.to_string())
    }

    /// The byline's names: the text from capture group 1 when the rule has one
    /// ("Reviewed by X" → "X"), else the whole line; a dateline or a date in
    /// parentheses on the same line ("By X, web posted May 1999", "By X (May 3,
    /// 1999)") is cut off. `None` when `line` is not a byline.
    /// A description of the author printed after a comma ("By X, senior fellow at
    /// the Y Institute", "By X, special to the Z") is cut off: it is not a name.
    pub fn byline_names<'t>(&self, line: &'t str) -> Option<&'t str> {
        self.byline_parts(line).map(|(names, _)| {
            // "By X | web posted …": the separator before the dateline goes too.
            without_description(before_spaced_dash(names)).trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, '|' | '/' | '-' | '–' | '—' | '·' | '•')
            })
        })
    }

    /// Whether a byline line names a reviewer ("Reviewed by X", "A review by X"):
    /// never a reviewed book's own "By" line.
    pub fn names_reviewer(&self, line: &str) -> bool {
        self.byline
            .captures(line)
            .and_then(|c| c.get(1))
            .is_some_and(|m| line[..m.start()].to_lowercase().contains("review"))
    }

    /// A byline line split into its names and what follows them (a dateline, a
    /// date in parentheses and, on pages that run the byline into the first
    /// paragraph, that paragraph's text; empty when nothing follows).
    pub fn byline_parts<'t>(&self, line: &'t str) -> Option<(&'t str, &'t str)> {
        let c = self.byline.captures(line)?;
        let from = c.get(1).map_or(0, |m| m.start());
        let rest = &line[from..];
        Some(rest.split_at(self.byline_tail(rest).unwrap_or(rest.len())))
    }

    /// Where a dateline or a parenthesised date starts inside a byline line.
    fn byline_tail(&self, rest: &str) -> Option<usize> {
        rest.char_indices().find_map(|(k, ch)| {
            if k == 0 {
                return None;
            }
            let prev = rest[..k].chars().next_back()?;
            let at = &rest[k..];
            let date = (ch == '(' && self.paren_date.as_ref().is_some_and(|r| r.is_match(at)))
                || ((prev.is_whitespace() || prev == ',')
                    && self.dateline.as_ref().is_some_and(|r| r.is_match(at)));
            date.then_some(k)
        })
    }

    /// The date a byline line carries after the names, if any.
    pub fn byline_date(
        &self,
        line: &str,
        context: &dyn Fn() -> Option<PublishedDate>,
    ) -> Option<PublishedDate> {
        let c = self.byline.captures(line)?;
        let rest = &line[c.get(1).map_or(0, |m| m.start())..];
        let tail = &rest[self.byline_tail(rest)?..];
        self.paren_date(tail, context)
            .or_else(|| normalize::parse_date(tail))
    }

    /// The date the URL encodes, by the first `url_date` rule that matches it.
    pub fn url_date(&self, url: &Url) -> Option<PublishedDate> {
        let s = url.as_str();
        self.url_date.iter().find_map(|r| {
            let c = r.captures(s)?;
            let num = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
            let y = match num("y")? {
                y @ 0..=69 => 2000 + y,
                y @ 70..=99 => 1900 + y,
                y => y,
            };
            let iso = match num("d") {
                Some(d) => format!("{y:04}-{:02}-{d:02}", num("m")?),
                None => format!("{y:04}-{:02}", num("m")?),
            };
            normalize::parse_date(&iso)
        })
    }

    /// The date in parentheses opening a paragraph ("(March 6, 2000) I had …"). A
    /// date without a year ("(December 20) --") takes the year of `context` (the
    /// URL's issue month), one less when the issue is January and the day December.
    pub fn paren_date(
        &self,
        text: &str,
        context: &dyn Fn() -> Option<PublishedDate>,
    ) -> Option<PublishedDate> {
        let c = self.paren_date.as_ref()?.captures(text)?;
        let inner = c.get(1)?.as_str();
        if let Some(d) = normalize::parse_date(inner) {
            return Some(d);
        }
        normalize::parse_month_day(inner)?;
        let ctx = context()?;
        let year: i32 = ctx.date.get(..4)?.parse().ok()?;
        let month: u32 = ctx.date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
        let (m, _) = normalize::parse_month_day(inner)?;
        let year = if month == 1 && m == 12 {
            year - 1
        } else {
            year
        };
        normalize::parse_date_in_year(inner, year)
    }

    /// The name a closing signature line states ("- Jane Doe", "-- Jane Doe").
    pub fn signature(&self, line: &str) -> Option<String> {
        if line.len() > 120 {
            return None;
        }
        let r = self.signature.as_ref()?;
        let name = normalize::text(r.captures(line)?.get(1)?.as_str());
        (!name.is_empty()).then_some(name)
    }

    /// Text with the end mark cut off: at the mark's capture group 1 when the rule
    /// has one (so the punctuation before the mark stays), else at the match.
    pub fn strip_end_mark(&self, text: &str) -> String {
        let Some(r) = &self.end_mark else {
            return text.to_string();
        };
        match r.captures(text) {
            Some(c) => {
                let at = c
                    .get(1)
                    .or_else(|| c.get(0))
                    .map_or(text.len(), |m| m.start());
                normalize::text(&text[..at])
            }
            None => text.to_string(),
        }
    }

    /// The publication a bio names as the original ("originally appeared in X").
    pub fn original_publication(&self, bio: &str) -> Option<String> {
        self.original_publication.iter().find_map(|r| {
            let m = r.captures(bio)?.get(1)?;
            // "in the Globe" → "Globe"; "in The Freeman" keeps its capitalised article.
            let t = normalize::text(m.as_str().trim_end_matches(['.', ',', ';', ':']));
            let t = t.strip_prefix("the ").map(str::to_string).unwrap_or(t);
            (!t.is_empty()).then_some(t)
        })
    }

    /// A breadcrumb trail without its "home" root and its self-reference.
    pub fn trim_trail(&self, mut items: Vec<String>) -> Vec<String> {
        if items
            .first()
            .is_some_and(|f| f.eq_ignore_ascii_case("home"))
        {
            items.remove(0);
        }
        if let (Some(r), Some(last)) = (&self.breadcrumb_self, items.last()) {
            if r.is_match(last) {
                items.pop();
            }
        }
        items
    }

    /// The breadcrumb items of a trail text.
    pub fn breadcrumb_items(&self, text: &str) -> Vec<String> {
        let items = self
            .breadcrumb_separator
            .split(text)
            .map(normalize::text)
            .filter(|t| !t.is_empty())
            .collect();
        self.trim_trail(items)
    }

    /// A `<title>` without the site name.
    pub fn strip_title(&self, t: &str) -> String {
        let mut t = t.to_string();
        for r in &self.title_strip {
            t = r.replace_all(&t, "").into_owned();
        }
        normalize::text(&t)
    }

    /// An image that is decoration by its source URL.
    pub fn is_decorative_src(&self, src: &str) -> bool {
        self.decorative_image.iter().any(|r| r.is_match(src))
    }

    /// An image that is the end mark, by its alt text or file name.
    pub fn is_end_mark_image(&self, src: &str, alt: Option<&str>) -> bool {
        match &self.end_mark_image {
            Some(r) => {
                alt.is_some_and(|a| r.is_match(a))
                    || r.is_match(src.rsplit('/').next().unwrap_or(""))
            }
            None => false,
        }
    }

    /// Whether some rule for a bio matches.
    pub fn bio_phrase(&self, t: &str) -> bool {
        self.bio.iter().any(|r| r.is_match(t))
    }

    /// The date a dateline states, read leniently: a month name misspelt by one
    /// letter ("Febuary", "Septmber", "Ocotber") is read as the month it misspells.
    /// Only for lines a dateline rule already matched: in running text such a word
    /// is not a date.
    pub fn dateline_date(&self, text: &str) -> Option<PublishedDate> {
        let read = |t: &str| {
            normalize::parse_date(t).or_else(|| {
                let fixed = fix_month_names(t)?;
                normalize::parse_date(&fixed)
            })
        };
        read(text).or_else(|| read(&first_day_of_range(text)?))
    }
}

/// Month names long enough that a one-letter slip cannot make another word (March,
/// April, May, June and July are left out: "match", "Marsh", "Jule").
const LONG_MONTHS: &[&str] = &[
    "january",
    "february",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `text` with each word that misspells a long month name by one edit (a letter
/// added, dropped, changed, or two neighbours swapped) replaced by the month's name;
/// `None` when no word does.
fn fix_month_names(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        out.push_str(&rest[..start]);
        let word_len = rest[start..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        let lower = word.to_ascii_lowercase();
        let month = (normalize::month_of_name(word).is_none() && (5..=10).contains(&word_len))
            .then(|| LONG_MONTHS.iter().find(|m| within_one_edit(&lower, m)))
            .flatten();
        match month {
            Some(m) => {
                out.push_str(m);
                changed = true;
            }
            None => out.push_str(word),
        }
        rest = &rest[start + word_len..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Whether two short ASCII words differ by at most one insertion, deletion,
/// substitution or transposition of neighbours (optimal string alignment distance,
/// from `strsim`), with the same first letter.
fn within_one_edit(a: &str, b: &str) -> bool {
    a.as_bytes().first() == b.as_bytes().first() && strsim::osa_distance(a, b) <= 1
}

/// A byline's names without what follows a dash set off by a space ("By X — Notes
/// from the Prairie", "By X -- Column"): a column's name or a description, never a
/// name. A hyphen inside a name ("Jean-Paul") has no space before it.
fn before_spaced_dash(names: &str) -> &str {
    let mut prev_space = false;
    for (b, c) in names.char_indices() {
        if prev_space && matches!(c, '-' | '–' | '—') && b > 0 {
            return names[..b].trim_end();
        }
        prev_space = c.is_whitespace();
    }
    names
}

/// A dateline's day range ("Week of January 3-9, 2005", "January 3 to 9, 2005")
/// reduced to its first day ("January 3, 2005"); `None` when there is no range.
fn first_day_of_range(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut k = 0;
    while k < bytes.len() {
        if !bytes[k].is_ascii_digit() || (k > 0 && bytes[k - 1].is_ascii_digit()) {
            k += 1;
            continue;
        }
        let day_end = k + bytes[k..].iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = &text[day_end..];
        let trimmed = rest.trim_start();
        let after_sep = trimmed
            .strip_prefix(['-', '–', '—'])
            .or_else(|| trimmed.strip_prefix("to "))
            .map(str::trim_start);
        if let Some(after) = after_sep.filter(|_| day_end - k <= 2) {
            let second = after.bytes().take_while(u8::is_ascii_digit).count();
            if (1..=2).contains(&second)
                && !after[second..]
                    .starts_with(|c: char| c.is_ascii_digit() || matches!(c, '/' | '-'))
            {
                return Some(format!("{}{}", &text[..day_end], &after[second..]));
            }
        }
        k = day_end;
    }
    None
}

/// Lowercase words a list of names may hold: the words that join names and the
/// particles of surnames ("Ludwig von Mises", "Vicente de la Cruz").
const NAME_JOINERS: &[&str] = &[
    "and", "with", "de", "del", "della", "di", "da", "du", "des", "van", "von", "der", "den",
    "ter", "la", "le", "bin", "ibn", "al", "y", "e",
];

/// Words of a title or position that name no one, also when capitalised ("ESR
/// Contributing Editor", "Senior Fellow", "Professor Emeritus"). Words that are also
/// surnames ("Writer", "Author", "Fellows") are left out.
const ROLE_WORDS: &[&str] = &[
    "editor",
    "editors",
    "columnist",
    "correspondent",
    "contributor",
    "fellow",
    "professor",
    "president",
    "director",
    "chairman",
    "publisher",
    "reporter",
    "analyst",
    "emeritus",
];

/// A byline's names without the description that follows them after a comma: the
/// first comma-separated part holding a lowercase word that is neither a joining
/// word nor a surname particle ("senior fellow at …", "special to …"), or a word
/// of a title or position ([`ROLE_WORDS`], "ESR Contributing Editor"), and
/// everything after it. Degrees and suffixes ("Ph.D.", "Jr.") and further names
/// ("A, B and C") stay.
fn without_description(names: &str) -> &str {
    let mut at = 0;
    for part in names.split(',') {
        if at > 0 {
            let described = part.split_whitespace().any(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                (w.chars().next().is_some_and(char::is_lowercase) && !NAME_JOINERS.contains(&w))
                    || ROLE_WORDS.contains(&w.to_lowercase().as_str())
            });
            if described {
                return names[..at - 1].trim_end();
            }
        }
        at += part.len() + 1;
    }
    names
}

#[cfg(test)]
mod tests {
    use super::super::load::Profile;
    use super::{fix_month_names, within_one_edit};

    fn esr() -> Profile {
        Profile::from_toml(include_str!("../profiles/esr.toml")).unwrap()
    }

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn url_dates_folder_and_flat_file() {
        let r = esr().rules;
        let d = |u: &str| r.url_date(&url(u)).map(|d| d.date);
        assert_eq!(
            d("http://www.enterstageright.com/archive/articles/0111/quotes.htm").as_deref(),
            Some("2011-01")
        );
        assert_eq!(
            d("https://enterstageright.com/archive/articles/0998editorial.htm").as_deref(),
            Some("1998-09")
        );
        assert_eq!(
            d("http://enterstageright.com/archive/articles/1299/1299editorial.htm").as_deref(),
            Some("1999-12")
        );
        assert_eq!(d("http://www.enterstageright.com/recent.htm"), None);
        assert_eq!(
            d("http://www.enterstageright.com/archive/articles/1399junk.htm"),
            None
        );
    }

    #[test]
    fn kickers_as_printed() {
        let r = esr().rules;
        assert_eq!(
            r.kicker(" Enter  Stage Gabbing: ").as_deref(),
            Some("Enter Stage Gabbing")
        );
        assert_eq!(
            r.kicker("The Enter Stage Right Site of the Month")
                .as_deref(),
            Some("The Enter Stage Right Site of the Month")
        );
        assert_eq!(r.kicker("Book Review").as_deref(), Some("Book Review"));
        assert_eq!(r.kicker("An Editorial: The Budget Nobody Read"), None);
        assert_eq!(r.kicker("Readers seize Enter Stage Right"), None);
    }

    #[test]
    fn paren_dates_with_and_without_year() {
        let r = esr().rules;
        let ctx = || {
            r.url_date(&url(
                "http://www.enterstageright.com/archive/articles/1299/1299editorial.htm",
            ))
        };
        let d = |t: &str| r.paren_date(t, &ctx).map(|d| d.date);
        assert_eq!(
            d("(March 6, 2000) I had a question").as_deref(),
            Some("2000-03-06")
        );
        assert_eq!(
            d("(December 20) -- I generally").as_deref(),
            Some("1999-12-20")
        );
        assert_eq!(
            d("(June 1998) One of the beauties").as_deref(),
            Some("1998-06")
        );
        assert_eq!(d("(AP) The wire said"), None);
        assert_eq!(d("I had (March 6, 2000) a question"), None);
        let jan = || {
            r.url_date(&url(
                "http://enterstageright.com/archive/articles/0100/x.htm",
            ))
        };
        assert_eq!(
            r.paren_date("(December 31) -- Last", &jan)
                .map(|d| d.date)
                .as_deref(),
            Some("1999-12-31")
        );
        assert_eq!(r.paren_date("(December 20) -- x", &|| None), None);
    }

    #[test]
    fn misspelt_months_in_datelines() {
        let r = esr().rules;
        for (line, want) in [
            ("web posted Febuary 20, 2002", "2002-02-20"),
            ("web posted Janaury 7, 2019", "2019-01-07"),
            ("web posted Decmber 1, 2003", "2003-12-01"),
        ] {
            assert_eq!(
                r.dateline_date(line).map(|d| d.date),
                Some(want.into()),
                "{line}"
            );
        }
        assert!(within_one_edit("ocotber", "october"));
        assert!(!within_one_edit("decade", "december"));
        assert_eq!(fix_month_names("web posted Match 8, 1999"), None);
    }

    #[test]
    fn signatures_and_book_data() {
        let r = esr().rules;
        assert_eq!(r.signature("- Gord Gekko").as_deref(), Some("Gord Gekko"));
        assert_eq!(
            r.signature("-- Steven Martinovich").as_deref(),
            Some("Steven Martinovich")
        );
        assert_eq!(
            r.signature("— Lady Liberty").as_deref(),
            Some("Lady Liberty")
        );
        assert_eq!(r.signature("- and then the vote was held"), None);
        assert!(r.is_book_data_line("Mercer House, 2004, HC, 320 pgs. US$26.95"));
        assert!(r.is_book_data_line("ISBN 0-00-000000-0"));
        assert!(!r.is_book_data_line("By Harriet Vance"));
    }
}
