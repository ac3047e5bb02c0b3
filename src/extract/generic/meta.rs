//! Metadata of a page without a profile: title, authors, published date, site name,
//! language and canonical URL, from JSON-LD, `<meta>`, `<link>`, `<time>`, the URL and
//! visible bylines, in that order of trust.
//!
//! Reads the arena only; never extracts dates from script code (JSON-LD is parsed as
//! data), never accepts a date after `now`. Must not emit body blocks.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde_json::Value;
use url::Url;

use super::tree::{Tag, Tree, NONE};
use crate::model::{DateSource, PublishedDate};
use crate::normalize;

/// What the metadata pass found.
#[derive(Debug, Default)]
pub struct Meta {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<PublishedDate>,
    pub site: Option<String>,
    pub language: Option<String>,
    pub canonical_url: Option<String>,
    /// The page declares itself an article (og:type article, JSON-LD Article…).
    pub declared_article: bool,
    /// The page declares itself a listing (JSON-LD CollectionPage, ItemList…).
    pub declared_listing: bool,
    pub section: Vec<String>,
    /// Deck / standfirst, from an element the page names as one.
    pub subtitle: Option<String>,
}

#[derive(Default)]
struct Raw {
    metas: Vec<(String, String)>,
    title_tag: Option<String>,
    h1: Vec<String>,
    canonical: Option<String>,
    rel_author: Vec<String>,
    bylines: Vec<String>,
    times: Vec<(bool, String)>,
    dated_text: Vec<String>,
    jsonld: Vec<Value>,
    lang: Option<String>,
    deck: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "Report",
    "ScholarlyArticle",
    "TechArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BackgroundNewsArticle",
    "ReportageNewsArticle",
    "SocialMediaPosting",
    "LiveBlogPosting",
    "Review",
    "Recipe",
    "Blog",
    "Posting",
    "DiscussionForumPosting",
    "MedicalScholarlyArticle",
];

/// ASCII-case-insensitive substring test, without allocating.
fn has_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// Does the class or id of node `i` contain any of `hints` (ASCII, any case)?
fn class_id_has(t: &Tree<'_>, i: u32, hints: &[&str]) -> bool {
    let Some(el) = t.nodes.get(i as usize).and_then(|n| n.el) else {
        return false;
    };
    el.attrs()
        .filter(|(k, _)| *k == "class" || *k == "id")
        .any(|(_, v)| hints.iter().any(|h| has_ci(v, h)))
}

fn collect(t: &Tree<'_>) -> Raw {
    let mut raw = Raw::default();
    let mut ci = String::new();
    if t.html != NONE {
        raw.lang = t
            .attr(t.html, "lang")
            .or_else(|| t.attr(t.html, "xml:lang"))
            .map(str::to_string);
    }
    for (i, n) in t.nodes.iter().enumerate() {
        let i = i as u32;
        let Some(el) = n.el else { continue };
        match n.tag {
            Tag::Meta => {
                let mut key = None;
                let mut content = None;
                for (k, v) in el.attrs() {
                    match k {
                        "name" | "property" | "itemprop" | "http-equiv" if key.is_none() => {
                            key = Some(v.trim().to_ascii_lowercase())
                        }
                        "content" => content = Some(v),
                        _ => {}
                    }
                }
                if let (Some(k), Some(c)) = (key, content) {
                    raw.metas.push((k, c.to_string()));
                }
            }
            Tag::Title if raw.title_tag.is_none() => {
                let mut s = String::new();
                t.raw_text(i, &mut s);
                raw.title_tag = Some(normalize::text(&s));
            }
            Tag::H(1) if !n.junk_root && raw.h1.len() < 5 => {
                let mut s = String::new();
                t.raw_text(i, &mut s);
                let s = normalize::text(&s);
                if !s.is_empty() {
                    raw.h1.push(s);
                }
            }
            Tag::Link => {
                let rel = t.attr(i, "rel").unwrap_or("").to_ascii_lowercase();
                if rel.split_ascii_whitespace().any(|r| r == "canonical") && raw.canonical.is_none()
                {
                    raw.canonical = t.attr(i, "href").map(str::to_string);
                }
            }
            Tag::JsonLd if raw.jsonld.len() < 20 => {
                let mut s = String::new();
                t.raw_text(i, &mut s);
                if s.len() < 2_000_000 {
                    let s = s.trim().trim_start_matches("<!--").trim_end_matches("-->");
                    if let Ok(v) = serde_json::from_str::<Value>(s.trim()) {
                        raw.jsonld.push(v);
                    }
                }
            }
            Tag::Time => {
                if let Some(dt) = t.attr(i, "datetime") {
                    let pub_hint = t.attr(i, "pubdate").is_some()
                        || t.attr(i, "itemprop")
                            .is_some_and(|p| p.contains("datePublished"))
                        || class_id_has(t, i, &["publish"])
                        || ancestor_hint(
                            t,
                            i,
                            &[
                                "publish",
                                "posted",
                                "entry-date",
                                "post-date",
                                "article-date",
                                "dateline",
                                "byline",
                                "meta",
                            ],
                        );
                    raw.times.push((pub_hint, dt.to_string()));
                }
            }
            Tag::A => {
                let rel = t.attr(i, "rel").unwrap_or("");
                if rel
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("author"))
                {
                    let mut s = String::new();
                    t.raw_text(i, &mut s);
                    raw.rel_author.push(s);
                }
            }
            _ => {}
        }
        if !matches!(
            n.tag,
            Tag::Void | Tag::JsonLd | Tag::Meta | Tag::Link | Tag::Title | Tag::Text
        ) && n.text_len < 120
            && (n.text_len > 0 || n.junk)
        {
            ci.clear();
            for (k, v) in el.attrs() {
                if k == "class" || k == "id" {
                    ci.push_str(v);
                    ci.push(' ');
                }
            }
            ci.make_ascii_lowercase();
            let itemprop = t.attr(i, "itemprop").unwrap_or("");
            if ci.is_empty() && itemprop.is_empty() {
                continue;
            }
            // Every test below needs one of the hint words in `ci` (or the itemprop):
            // one search for all of them rules out most elements.
            if itemprop != "author" && !CLASS_HINTS.is_match(&ci) {
                continue;
            }
            if raw.deck.is_none()
                && !n.tag.is_inline()
                && ci.split([' ', '-', '_']).any(|w| {
                    ["subtitle", "standfirst", "deck", "dek", "subhead"].contains(&w)
                        || w.ends_with("subtitle")
                })
            {
                let mut s = String::new();
                t.raw_text(i, &mut s);
                let s = normalize::text(&s);
                if (20..=400).contains(&s.chars().count()) {
                    raw.deck = Some(s);
                }
            }
            if (ci.contains("byline") || ci.contains("author") || itemprop == "author")
                && !ci.contains("avatar")
                && !ci.contains("bio")
                && !ci.contains("comment")
                && raw.bylines.len() < 10
                // The comment form's "Name" field and the commenters' names.
                && !ancestor_hint(t, i, &["comment", "respond", "reply"])
            {
                let mut s = String::new();
                t.raw_text(i, &mut s);
                let s = normalize::text(&s);
                if !s.is_empty() && s.len() < 120 {
                    raw.bylines.push(s);
                }
            }
            if ["date", "posted", "publish", "time", "meta"]
                .iter()
                .any(|h| ci.contains(h))
                && raw.dated_text.len() < 20
            {
                let mut s = String::new();
                t.raw_text(i, &mut s);
                if s.len() < 400 {
                    raw.dated_text.push(s);
                }
            }
        }
    }
    raw
}

/// Every word the class/id tests in [`collect`] look for (deck, byline, date).
static CLASS_HINTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("subtitle|standfirst|deck|dek|subhead|byline|author|date|posted|publish|time|meta")
        .expect("static regex")
});

fn ancestor_hint(t: &Tree<'_>, mut i: u32, hints: &[&str]) -> bool {
    for _ in 0..4 {
        i = t.nodes[i as usize].parent;
        if i == NONE {
            return false;
        }
        if class_id_has(t, i, hints) {
            return true;
        }
    }
    false
}

/// Flatten JSON-LD (arrays and `@graph`) into objects.
fn objects<'v>(v: &'v Value, out: &mut Vec<&'v serde_json::Map<String, Value>>, depth: u32) {
    if depth > 4 || out.len() > 100 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| objects(x, out, depth + 1)),
        Value::Object(o) => {
            if let Some(g) = o.get("@graph") {
                objects(g, out, depth + 1);
            }
            out.push(o);
        }
        _ => {}
    }
}

fn types(o: &serde_json::Map<String, Value>) -> Vec<String> {
    match o.get("@type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn names(v: &Value, out: &mut Vec<String>, depth: u32) {
    if depth > 3 {
        return;
    }
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| names(x, out, depth + 1)),
        Value::Object(o) => {
            if let Some(n) = o.get("name") {
                names(n, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => a.first().and_then(|x| str_of(Some(x))),
        Value::Object(o) => str_of(o.get("name")),
        _ => None,
    }
}

/// Is this a plausible person name for a byline?
fn plausible_author(s: &str) -> bool {
    let l = s.to_lowercase();
    let bad = [
        "staff",
        "admin",
        "administrator",
        "editor",
        "editors",
        "redaktion",
        "team",
        "anonymous",
        "guest",
        "unknown",
        "webmaster",
        "none",
        "null",
    ];
    // A byline label with no name after it.
    let labels = [
        "by", "von", "par", "por", "door", "di", "de", "author", "autor", "autorin", "posted",
    ];
    let words: Vec<&str> = l.split_whitespace().collect();
    if s.is_empty()
        || s.chars().count() > 60
        || s.starts_with('@')
        || l.contains("http")
        || l.contains("www.")
        || s.contains('|')
        || labels.contains(&l.as_str())
    {
        return false;
    }
    if bad
        .iter()
        .any(|b| l == *b || l.ends_with(&format!(" {b}")) && words.len() <= 2)
    {
        return false;
    }
    // A CMS user name ("wordpressadmin"), and a desk rather than a person: "Staff
    // Writer", "Redaktion MSM", "TVT-Redaktion", "HLNF Staff Report".
    if words.len() == 1 && l.ends_with("admin") {
        return false;
    }
    // Form labels, photo credits and link texts that sit in author-named elements.
    static NOT_A_NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?xi)^\W*name\W*$ | \bplease\b | \byour\s+name\b | \benter\b
            | ^\W*(?:fotos?|photos?|bild(?:er)?|images?|quelle|source|credits?)\s*:
            | \b(?:anzeigen|archiv|archive|posts|beiträge|artikel|articles|entries|profile|profil
                 |weiter|weiterlesen|theme|read\s+more)\b",
        )
        .expect("static regex")
    });
    if NOT_A_NAME.is_match(s) {
        return false;
    }
    if words.first().is_some_and(|w| is_desk(w))
        || (words.len() <= 3 && words.iter().any(|w| is_desk(w)))
    {
        return false;
    }
    if normalize::parse_date(s).is_some() || s.chars().filter(|c| c.is_ascii_digit()).count() > 2 {
        return false;
    }
    s.chars().any(char::is_alphabetic) && words.len() <= 6
}

/// A lowercase word naming an editorial desk: "staff", "redaktion", "tvt-redaktion".
fn is_desk(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphanumeric());
    let last = w.rsplit('-').next().unwrap_or(w);
    matches!(
        last,
        "staff" | "redaktion" | "redaction" | "redacción" | "redazione"
    )
}

fn clean_authors(raw: &str) -> Vec<String> {
    static NOISE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?xi)^\s*(?:
              (?:view|see|show)\s+all\s+(?:posts|articles|stories|entries)\s+by
            | (?:all|more)\s+(?:posts|articles|stories)\s+(?:by|from)
            | (?:zeige\s+)?alle\s+(?:beiträge|artikel)\s+von
            | voir\s+tous\s+les\s+articles\s+de | ver\s+todas\s+las\s+entradas\s+de
            | publi[ée]\s+par | publicado\s+por | pubblicato\s+da | scritto\s+da | vom
            | posted | published | written | geschrieben | veröffentlicht | autor(?:in)?
            | author | von | par | door | di | por | de | by
            )\s*(?:[:\s]\s*|$)",
        )
        .expect("static regex")
    });
    // E-mail addresses and social handles next to a name.
    static CONTACT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|\s)(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w{2,})").expect("static regex")
    });
    let mut s = normalize::text(raw);
    for _ in 0..2 {
        s = NOISE.replace(&s, "").to_string();
    }
    s = CONTACT.replace_all(&s, "").to_string();
    // Cut at a date or separator that follows the name ("Jean Le Pen" keeps its "Le":
    // the separators are case-sensitive), and at an affiliation (any case).
    for sep in [
        " | ", " – ", " — ", " - ", " on ", " am ", " le ", " · ", "\u{2022}",
    ] {
        if let Some(p) = s.find(sep) {
            s.truncate(p);
        }
    }
    // ASCII lowercasing keeps every byte offset.
    let low = s.to_ascii_lowercase();
    if let Some(p) = [" member of ", " mitglied der ", " mitglied des "]
        .iter()
        .filter_map(|sep| low.find(sep))
        .min()
    {
        s.truncate(p);
    }
    let s = s.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | '→' | '»' | ':' | ',' | ';' | '·')
    });
    normalize::split_authors(undouble(s))
        .into_iter()
        .map(|a| normalize::text(&a))
        .map(drop_desk_suffix)
        .filter(|a| plausible_author(a))
        .collect()
}

/// Longest text [`undouble`] looks at: two names of [`plausible_author`]'s 60 characters
/// and a score. The search is quadratic, and author strings come from the page.
const UNDOUBLE_MAX_CHARS: usize = 130;

/// A name printed twice in a row (visible text plus a hidden copy, "Ann LeeAnn Lee"),
/// possibly followed by a number (a reputation score): the name once.
fn undouble(s: &str) -> &str {
    let chars: Vec<(usize, char)> = s.char_indices().take(UNDOUBLE_MAX_CHARS + 1).collect();
    if chars.len() > UNDOUBLE_MAX_CHARS {
        return s;
    }
    for k in (3..=chars.len() / 2).rev() {
        let end = chars.get(2 * k).map_or(s.len(), |c| c.0);
        let (first, second) = (&s[..chars[k].0], &s[chars[k].0..end]);
        let rest = &s[end..];
        if first == second
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_whitespace() || c.is_ascii_punctuation())
        {
            return first.trim();
        }
    }
    s
}

/// "Adam Aaronson PhillyVoice Staff" → "Adam Aaronson": a name followed by the
/// site's desk.
fn drop_desk_suffix(a: String) -> String {
    let words: Vec<&str> = a.split_whitespace().collect();
    if words.len() >= 4 && words.last().is_some_and(|w| is_desk(&w.to_lowercase())) {
        return words[..words.len() - 2].join(" ");
    }
    a
}

fn not_future(d: PublishedDate, now: Option<NaiveDate>) -> Option<PublishedDate> {
    let first = match d.date.len() {
        4 => format!("{}-01-01", d.date),
        7 => format!("{}-01", d.date),
        _ => d.date.clone(),
    };
    let parsed = NaiveDate::parse_from_str(&first, "%Y-%m-%d").ok()?;
    if parsed.format("%Y").to_string().parse::<i32>().ok()? < 1990 {
        return None;
    }
    if let Some(now) = now {
        if parsed > now + chrono::Duration::days(1) {
            return None;
        }
    }
    Some(d)
}

fn date_from_url(url: &Url) -> Option<PublishedDate> {
    static YMD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:/|[-_.]|$)")
            .expect("static regex")
    });
    static YM: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/").expect("static regex"));
    let path = url.path();
    if let Some(c) = YMD.captures(path) {
        return normalize::parse_date(&format!("{}-{}-{}", &c[1], &c[2], &c[3]));
    }
    if let Some(c) = YM.captures(path) {
        return normalize::parse_date(&format!("{}-{}", &c[1], &c[2]));
    }
    None
}

/// Strip a site-name suffix or prefix from a title.
pub fn strip_site(title: &str, site: Option<&str>, h1: &[String], host: &str) -> String {
    let title = normalize::text(title);
    // A separator left dangling at either end ("Über André Loibl |").
    let title = title
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '|' | '·' | '•'))
        .to_string();
    if h1.contains(&title) {
        return title;
    }
    for h in h1 {
        if h.len() > 10 && title.contains(h.as_str()) {
            return h.clone();
        }
    }
    const SEPS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « ", " / ", " : ", " •",
    ];
    for sep in SEPS {
        let parts: Vec<&str> = title.split(sep).collect();
        if parts.len() < 2 {
            continue;
        }
        if let Some(site) = site {
            let sl = site.to_lowercase();
            let kept: Vec<&str> = parts
                .iter()
                .copied()
                .filter(|p| {
                    let pl = p.trim().to_lowercase();
                    !(pl == sl
                        || sl.contains(&pl) && pl.len() > 3
                        || pl.contains(&sl) && pl.len() < sl.len() + 8)
                })
                .collect();
            if !kept.is_empty() && kept.len() < parts.len() {
                return kept.join(sep).trim().to_string();
            }
        }
        // A first or last segment naming the host ("Ear Candy! | Novalanalove" on
        // novalanalove.com, "Bohnenviertel - Stadt Stuttgart" on stuttgart.de).
        let last = parts[parts.len() - 1].trim();
        let first = parts[0].trim();
        if names_host(last, host) {
            return parts[..parts.len() - 1].join(sep).trim().to_string();
        }
        if names_host(first, host) {
            return parts[1..].join(sep).trim().to_string();
        }
        // No site name to match: drop a short last (or first) segment.
        let head = parts[..parts.len() - 1].join(sep);
        if last.chars().count() * 2 < head.chars().count() && last.split_whitespace().count() <= 4 {
            return head.trim().to_string();
        }
        let tail = parts[1..].join(sep);
        if first.chars().count() * 2 < tail.chars().count() && first.split_whitespace().count() <= 3
        {
            return tail.trim().to_string();
        }
    }
    title
}

/// Does a title segment name the site the page is on? It does when, squeezed to
/// lowercase letters and digits, it mostly consists of the host's own label (at least
/// 4 characters, making up at least 40% of it) or is most of that label: "Stadt
/// Stuttgart" names stuttgart.de, "Advertising on Jodel" does not name jodel.com.
/// Segments of more than 5 words are headlines, whatever they contain.
fn names_host(segment: &str, host: &str) -> bool {
    if segment.split_whitespace().count() > 5 {
        return false;
    }
    let squeezed: String = segment
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let n = squeezed.chars().count();
    if n < 4 {
        return false;
    }
    // The site's own label, without a public suffix list: the label before the TLD,
    // or the one before that when it is at most 3 characters (the "co" of co.uk).
    // Subdomains ("advertising.jodel.com", "foren.myoos.de") are not the site.
    let labels: Vec<&str> = host.split('.').collect();
    let mut i = labels.len().saturating_sub(2);
    if i > 0 && labels[i].chars().count() <= 3 {
        i -= 1;
    }
    let Some(label) = labels.get(i).filter(|_| labels.len() >= 2) else {
        return false;
    };
    let l = label.to_lowercase().replace('-', "");
    let ln = l.chars().count();
    ln >= 4 && ((squeezed.contains(&l) && ln * 5 >= n * 2) || (l.contains(&squeezed) && n * 2 > ln))
}

/// Read the page's metadata.
pub fn read(t: &Tree<'_>, url: &Url, now: Option<NaiveDate>) -> Meta {
    let raw = collect(t);
    let meta = |keys: &[&str]| -> Option<String> {
        for k in keys {
            if let Some((_, v)) = raw
                .metas
                .iter()
                .find(|(mk, v)| mk == k && !v.trim().is_empty())
            {
                return Some(v.clone());
            }
        }
        None
    };
    let mut objs = Vec::new();
    for v in &raw.jsonld {
        objects(v, &mut objs, 0);
    }
    let article = objs
        .iter()
        .find(|o| types(o).iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())));
    let mut m = Meta::default();
    m.declared_article = article.is_some()
        || meta(&["og:type"]).is_some_and(|t| t.to_ascii_lowercase().contains("article"));
    m.declared_listing = !m.declared_article
        && objs.iter().any(|o| {
            types(o).iter().any(|t| {
                matches!(
                    t.as_str(),
                    "CollectionPage" | "ItemList" | "SearchResultsPage"
                )
            })
        });

    // Site name.
    m.site = meta(&["og:site_name", "application-name", "twitter:site"])
        .map(|s| normalize::text(&s))
        .filter(|s| !s.is_empty() && !s.starts_with('@'))
        .or_else(|| {
            article
                .and_then(|a| str_of(a.get("publisher")))
                .or_else(|| {
                    objs.iter()
                        .find(|o| types(o).iter().any(|t| t == "WebSite"))
                        .and_then(|o| str_of(o.get("name")))
                })
                .map(|s| normalize::text(&s))
        })
        .filter(|s| !s.is_empty());

    // Title.
    let og = meta(&["og:title", "twitter:title"])
        .or_else(|| article.and_then(|a| str_of(a.get("headline"))));
    let site = m.site.as_deref();
    // An h1 that is a trailing segment of <title> ("Story | Site") is the site name.
    let h1_is_site = raw.h1.len() == 1
        && (m.site.as_deref() == Some(raw.h1[0].as_str())
            || raw.title_tag.as_deref().is_some_and(|t| {
                [
                    " | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « ", " / ",
                ]
                .iter()
                .any(|sep| {
                    let parts: Vec<&str> = t.split(sep).map(str::trim).collect();
                    parts.len() >= 2 && parts[1..].contains(&raw.h1[0].as_str())
                })
            }));
    let h1s: Vec<String> = if h1_is_site {
        Vec::new()
    } else {
        raw.h1.clone()
    };
    let site = if h1_is_site && site.is_none() {
        raw.h1.first().map(String::as_str)
    } else {
        site
    };
    let host = url.host_str().unwrap_or("");
    m.title = if !h1_is_site
        && raw.h1.len() == 1
        && (raw
            .title_tag
            .as_deref()
            .is_some_and(|t| t.contains(raw.h1[0].as_str()))
            || og
                .as_deref()
                .is_some_and(|t| t.contains(raw.h1[0].as_str())))
    {
        Some(raw.h1[0].clone())
    } else if let Some(og) = og {
        Some(strip_site(&og, site, &h1s, host))
    } else if let Some(tt) = &raw.title_tag {
        Some(strip_site(tt, site, &h1s, host))
    } else {
        h1s.first().cloned()
    }
    .map(|s| normalize::text(&s))
    .filter(|s| !s.is_empty());

    // Authors.
    let mut authors: Vec<String> = Vec::new();
    if let Some(a) = article.and_then(|a| a.get("author").or_else(|| a.get("creator"))) {
        let mut ns = Vec::new();
        names(a, &mut ns, 0);
        for n in ns {
            authors.extend(clean_authors(&n));
        }
    }
    if authors.is_empty() {
        for k in [
            "author",
            "article:author",
            "dc.creator",
            "sailthru.author",
            "parsely-author",
            "byl",
            "dcterms.creator",
            "citation_author",
        ] {
            for (_, v) in raw.metas.iter().filter(|(mk, _)| mk == k) {
                if v.contains("://") {
                    continue;
                }
                authors.extend(clean_authors(v));
            }
            if !authors.is_empty() {
                break;
            }
        }
    }
    if authors.is_empty() {
        for r in &raw.rel_author {
            authors.extend(clean_authors(r));
        }
    }
    if authors.is_empty() {
        for b in &raw.bylines {
            let found = clean_authors(b);
            if !found.is_empty() {
                authors = found;
                break;
            }
        }
    }
    if authors.is_empty() {
        static BY_TAIL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)\bby\s+([^|•·,\d][^|•·\d]{1,60})$").expect("static regex")
        });
        for line in &raw.dated_text {
            let line = normalize::text(line);
            if let Some(c) = BY_TAIL.captures(&line) {
                let found = clean_authors(&c[1]);
                if !found.is_empty() {
                    authors = found;
                    break;
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    authors.retain(|a| seen.insert(a.to_lowercase()));
    authors.truncate(10);
    m.authors = authors;

    // Published date.
    let mut candidates: Vec<String> = Vec::new();
    if let Some(a) = article {
        if let Some(d) = str_of(a.get("datePublished")).or_else(|| str_of(a.get("dateCreated"))) {
            candidates.push(d);
        }
    }
    for k in [
        "article:published_time",
        "og:published_time",
        "og:article:published_time",
        "datepublished",
        "date",
        "pubdate",
        "publishdate",
        "publish-date",
        "published-date",
        "dc.date.issued",
        "dc.date",
        "dcterms.date",
        "dcterms.issued",
        "sailthru.date",
        "parsely-pub-date",
        "citation_publication_date",
        "article.published",
        "cxenseparse:recs:publishtime",
        "originalpublicationdate",
    ] {
        if let Some(v) = meta(&[k]) {
            candidates.push(v);
        }
    }
    for (hint, dt) in &raw.times {
        if *hint {
            candidates.push(dt.clone());
        }
    }
    // The page's own JSON-LD WebPage (what WordPress SEO plugins emit for every post)
    // carries the post's date when no Article object does.
    if let Some(d) = objs
        .iter()
        .filter(|o| {
            types(o)
                .iter()
                .any(|t| matches!(t.as_str(), "WebPage" | "ItemPage" | "MedicalWebPage"))
        })
        .find_map(|o| str_of(o.get("datePublished")))
    {
        candidates.push(d);
    }
    let mut published = candidates
        .iter()
        .filter_map(|c| normalize::parse_date(c))
        .find_map(|d| not_future(d, now))
        .map(|d| d.from_source(DateSource::Metadata));
    if published.is_none() {
        published = date_from_url(url)
            .and_then(|d| not_future(d, now))
            .map(|d| d.from_source(DateSource::Url));
        // A month from the URL yields to a visible day in that month.
        if let Some(month) = published.as_ref().filter(|d| d.date.len() == 7) {
            let prefix = month.date.clone();
            if let Some(day) = raw
                .dated_text
                .iter()
                .filter_map(|c| normalize::parse_date(c))
                .find(|d| d.date.starts_with(&prefix) && d.date.len() == 10)
            {
                published = Some(day.from_source(DateSource::Page));
            }
        }
    }
    if published.is_none() {
        published = raw
            .times
            .iter()
            .filter_map(|(_, c)| normalize::parse_date(c))
            .find_map(|d| not_future(d, now))
            .map(|d| d.from_source(DateSource::Metadata));
    }
    if published.is_none() {
        published = raw
            .dated_text
            .iter()
            .filter_map(|c| normalize::parse_date(c))
            .find_map(|d| not_future(d, now))
            .map(|d| d.from_source(DateSource::Page));
    }
    m.published = published;

    // Language.
    m.language = raw
        .lang
        .clone()
        .or_else(|| meta(&["og:locale", "content-language", "language", "dc.language"]))
        .map(|l| l.trim().replace('_', "-"))
        .and_then(|l| l.split([',', ';']).next().map(|s| s.trim().to_string()))
        .filter(|l| {
            !l.is_empty()
                && l.len() <= 35
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });

    // Canonical URL.
    m.canonical_url = raw
        .canonical
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|h| url.join(h).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.to_string());

    m.subtitle = raw.deck.clone().filter(|d| Some(d) != m.title.as_ref());

    // Breadcrumbs from JSON-LD.
    if let Some(bc) = objs
        .iter()
        .find(|o| types(o).iter().any(|t| t == "BreadcrumbList"))
    {
        if let Some(Value::Array(items)) = bc.get("itemListElement") {
            let mut trail: Vec<String> = items
                .iter()
                .filter_map(|it| {
                    str_of(it.get("name"))
                        .or_else(|| it.get("item").and_then(|i| str_of(i.get("name"))))
                })
                .map(|s| normalize::text(&s))
                .filter(|s| !s.is_empty())
                .collect();
            if trail.first().is_some_and(|f| {
                let l = f.to_lowercase();
                l == "home"
                    || l == "startseite"
                    || l == "accueil"
                    || l == "inicio"
                    || Some(f.as_str()) == m.site.as_deref()
            }) {
                trail.remove(0);
            }
            if trail.last().is_some_and(|l| Some(l) == m.title.as_ref()) {
                trail.pop();
            }
            m.section = trail;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines_lose_their_furniture() {
        for (raw, want) in [
            ("View all posts by Daniel Lemire", vec!["Daniel Lemire"]),
            ("Zeige alle Beiträge von Petra Ruland", vec!["Petra Ruland"]),
            ("Zeige alle Beiträge von mywakenews →", vec!["mywakenews"]),
            ("Lüder Hoppe info@buero-hoppe.de", vec!["Lüder Hoppe"]),
            ("Williams Perdomo @wperdomod -", vec!["Williams Perdomo"]),
            (
                "Hagen von EitzenHagen von Eitzen 3",
                vec!["Hagen von Eitzen"],
            ),
            ("Adam Aaronson PhillyVoice Staff", vec!["Adam Aaronson"]),
            (
                "Steven Salentin Mitglied der Tonight News-Redaktion",
                vec!["Steven Salentin"],
            ),
            ("By Ann Lee and Bo Ray", vec!["Ann Lee", "Bo Ray"]),
            ("Jean Le Pen", vec!["Jean Le Pen"]),
            ("Publié par Anne Roy", vec!["Anne Roy"]),
            ("vom Krimiblogger", vec!["Krimiblogger"]),
            ("Grant Tinsley, PhD", vec!["Grant Tinsley, PhD"]),
        ] {
            assert_eq!(clean_authors(raw), want, "{raw}");
        }
    }

    #[test]
    fn a_huge_author_string_is_cheap_and_refused() {
        // From a page's meta author or JSON-LD: no quadratic search over it.
        let huge = "a".repeat(2_000_000);
        assert_eq!(undouble(&huge).len(), huge.len());
        assert!(clean_authors(&huge).is_empty());
        assert_eq!(undouble("Ann LeeAnn Lee"), "Ann Lee");
    }

    #[test]
    fn desks_labels_and_user_names_are_not_authors() {
        for raw in [
            "By",
            "Von:",
            "Redaktion -",
            "Staff Writer",
            "HLNF Staff Report",
            "TVT-Redaktion",
            "Redaktion MSM",
            "Redaktion Gelbe Liste Pharmindex",
            "wordpressadmin",
            "@janedoe",
            "Name",
            "Name:* Please enter your name here",
            "Fotos: EL HERALDO/ AFP",
            "Archiv anzeigen →",
            "weiter",
            "Theme: Pirate Rogue von xwolf",
            "Publié par Unknown",
            "12. März 2021",
        ] {
            assert!(
                clean_authors(raw).is_empty(),
                "{raw}: {:?}",
                clean_authors(raw)
            );
        }
    }

    #[test]
    fn title_segments_naming_the_host_go() {
        for (title, host, want) in [
            (
                "Ear Candy! | Novalanalove",
                "novalanalove.com",
                "Ear Candy!",
            ),
            (
                "Bohnenviertel - Stadt Stuttgart",
                "www.stuttgart.de",
                "Bohnenviertel",
            ),
            (
                "Kanzlei Viehbacher | Steuerberatung im Ausland",
                "viehbacher.com",
                "Steuerberatung im Ausland",
            ),
            (
                "Over here | Kanzlei Viehbacher",
                "www.viehbacher.co.uk",
                "Over here",
            ),
            // A headline that mentions the site is not the site.
            (
                "Advertising on Jodel | Platform overview",
                "advertising.jodel.com",
                "Advertising on Jodel | Platform overview",
            ),
            (
                "Jodel for brands | Jodel help centre",
                "jodel.com",
                "Jodel for brands | Jodel help centre",
            ),
            // A dangling separator goes; quotation marks stay.
            ("Über André Loibl |", "changenow.de", "Über André Loibl"),
            (
                "«Gute Löhne alleine reichen nicht»",
                "volksstimme.ch",
                "«Gute Löhne alleine reichen nicht»",
            ),
        ] {
            assert_eq!(
                strip_site(title, None, &[], host),
                want,
                "{title} on {host}"
            );
        }
    }
}
