//! The generic extractor, for sites without a profile.
//!
//! One parse (done by the caller), one copy of the DOM into a flat arena with
//! bottom-up text statistics ([`tree`]), then: metadata from JSON-LD, `<meta>`, links,
//! `<time>`, the URL and bylines ([`meta`]); main-content detection by readability-style
//! container scoring with boilerplate pruning, and block emission ([`content`]); finally
//! the article/index decision. See `docs/GENERIC.md` for the rules and measured figures.
//!
//! Owns: deciding what the article is on an unknown site. Must not: decode bytes, touch
//! the network, the store or a clock (the caller passes "now" in [`GenericConfig`]),
//! or key any rule to a host name.

mod content;
mod meta;
mod tree;

use chrono::NaiveDate;
use url::Url;

use super::dom::Document;
use crate::model::{Block, Content, ExtractorInfo, PageType};
use crate::normalize;

/// Version of the generic extraction rules; bumps when output for a page may change.
pub const VERSION: &str = "1";

/// Configuration of the generic extractor.
#[derive(Debug, Clone, Default)]
pub struct GenericConfig {
    /// "Today" for the capture (the fetch date): published dates after it (plus one day
    /// of time-zone slack) are rejected. `None` disables the future-date check.
    pub now: Option<NaiveDate>,
}

impl GenericConfig {
    /// A configuration whose "now" is the given date.
    pub fn at(now: NaiveDate) -> GenericConfig {
        GenericConfig { now: Some(now) }
    }
}

/// Extract the main content of a page with no profile (no future-date check).
pub fn extract(doc: &Document, url: &Url) -> (Content, ExtractorInfo, Vec<String>) {
    extract_with(doc, url, &GenericConfig::default())
}

/// Extract the main content of a page with no profile.
pub fn extract_with(
    doc: &Document,
    url: &Url,
    cfg: &GenericConfig,
) -> (Content, ExtractorInfo, Vec<String>) {
    let t = tree::Tree::build(doc);
    let m = meta::read(&t, url, cfg.now);
    let choice = content::choose(&t);
    let mut body = content::emit(&t, &choice.roots, url);
    tidy(&mut body, m.title.as_deref());
    let mut warnings = Vec::new();

    let body_chars: usize = body.iter().map(|b| b.text().chars().count()).sum();
    let page = &t.nodes[t.body as usize];
    let listing_shape = body_chars < 400 && page.links >= 30 && t.link_density(t.body) > 0.4;
    let page_type = if !m.declared_article && (m.declared_listing || listing_shape) {
        warnings.push("page looks like an index or listing page; body left empty".to_string());
        body.clear();
        PageType::Index
    } else {
        if body.is_empty() {
            warnings.push("no main content found".to_string());
        }
        PageType::Article
    };

    let content = Content {
        url: url.to_string(),
        canonical_url: m.canonical_url,
        site: m.site,
        section: m.section,
        page_type,
        title: m.title,
        subtitle: m.subtitle,
        authors: m.authors,
        published: m.published,
        word_count: normalize::word_count(&body),
        body,
        bio: None,
        original_publication: None,
        language: m.language,
    };
    let info = ExtractorInfo {
        name: "generic".into(),
        version: VERSION.into(),
        profile: None,
    };
    (content, info, warnings)
}

/// Final clean-up of the body: a leading copy of the headline goes, and so do
/// immediate repeats of a block.
fn tidy(body: &mut Vec<Block>, title: Option<&str>) {
    cut_at_coda(body);
    split_credits(body);
    body.retain(|b| match b {
        Block::Paragraph { text } | Block::Heading { text, .. } => {
            let n = text.chars().count();
            !((n <= 80 && CHROME_LINE.is_match(text))
                || (n <= 200 && DISCLOSURE.is_match(text))
                || (n <= 400 && boiler_line(text)))
        }
        _ => true,
    });
    if let (Some(title), Some(Block::Heading { text, .. })) = (title, body.first()) {
        if text == title {
            body.remove(0);
        }
    }
    body.dedup_by(|a, b| a == b && !matches!(a, Block::Image { .. }));
    // Short loose lines before the first and after the last real paragraph are
    // chrome that survived pruning ("Weiter", "Mehr zum Thema", "Impressum").
    let short = |b: &Block| match b {
        Block::Paragraph { text } | Block::Heading { text, .. } => {
            text.chars().count() < TRIM_BELOW
        }
        _ => false,
    };
    let good = |b: &Block| matches!(b, Block::Paragraph { text } if text.chars().count() >= 200);
    if let (Some(first), Some(last)) = (body.iter().position(good), body.iter().rposition(good)) {
        let mut i = 0usize;
        body.retain(|b| {
            let keep = (i >= first && i <= last) || !short(b);
            i += 1;
            keep
        });
    }
}

const TRIM_BELOW: usize = 50;

/// Diagnostics for development: the chosen content roots as "tag.class#id (text
/// length)" strings, and the top score. Not a stable interface.
#[doc(hidden)]
pub fn debug_choice(doc: &Document) -> (Vec<String>, f32) {
    let t = tree::Tree::build(doc);
    let choice = content::choose(&t);
    let mut junk: Vec<u32> = (0..t.nodes.len() as u32)
        .filter(|&i| t.nodes[i as usize].junk_root && t.nodes[i as usize].el.is_some())
        .collect();
    junk.sort_by_key(|&i| std::cmp::Reverse(t.nodes[i as usize].raw_len));
    junk.truncate(6);
    let roots = choice
        .roots
        .iter()
        .chain([tree::NONE].iter())
        .chain(junk.iter())
        .filter(|&&i| i != tree::NONE)
        .map(|&i| {
            let n = &t.nodes[i as usize];
            let name = n.el.map_or("#text", |e| e.name());
            format!(
                "{}{name}.{}#{} ({} bytes, raw {}, ld {:.2})",
                if n.junk_root { "JUNK " } else { "" },
                t.attr(i, "class").unwrap_or(""),
                t.attr(i, "id").unwrap_or(""),
                n.text_len,
                n.raw_len,
                t.link_density(i)
            )
        })
        .collect();
    (roots, choice.score)
}

/// Diagnostics for development: (all visible text, text kept after boilerplate
/// marking, extracted text), blocks joined by newlines. Not a stable interface.
#[doc(hidden)]
pub fn debug_texts(doc: &Document, url: &Url) -> ([String; 3], Vec<(String, String)>) {
    let t = tree::Tree::build(doc);
    let mut roots = Vec::new();
    for (i, n) in t.nodes.iter().enumerate() {
        if n.junk_root && n.raw_len > 0 && !matches!(n.tag, tree::Tag::Void | tree::Tag::JsonLd) {
            if let Some(el) = n.el {
                let mut s = String::new();
                t.raw_text(i as u32, &mut s);
                let desc = format!(
                    "{}.{}#{}",
                    el.name(),
                    t.attr(i as u32, "class").unwrap_or(""),
                    t.attr(i as u32, "id").unwrap_or("")
                );
                roots.push((desc, s));
            }
        }
    }
    let join = |b: Vec<Block>| b.iter().map(|b| b.text()).collect::<Vec<_>>().join("\n");
    let choice = content::choose(&t);
    (
        [
            join(content::emit_with(&t, &[t.body], url, true)),
            join(content::emit(&t, &[t.body], url)),
            join(content::emit(&t, &choice.roots, url)),
        ],
        roots,
    )
}

/// Headings or short lines that open the after-article zone (related stories,
/// comments, newsletter, share bars), in the languages quire meets most.
static CODA: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?xi)^\W*(?:
        related(?:\s+(?:articles?|posts?|stories|content|news|reading))? | more\s+(?:stories|articles|news|from|on|like\s+this)
        | you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested) | read\s+(?:more|next|also)
        | (?:\d+\s+)?comments?(?:\s*\(\d+\))? | leave\s+a\s+(?:reply|comment) | share\s+(?:this|on)
        | recommended(?:\s+for\s+you)? | popular(?:\s+(?:posts|articles))? | trending | latest\s+(?:news|posts|articles)
        | über\s+(?:den\s+autor|die\s+autorin) | zur\s+person | zobacz\s+(?:także|też) | viel\s+gelesen | weiterlesen
        | sign\s+up\s+for | subscribe\s+to | about\s+the\s+author | tags?: | filed\s+under
        | mehr\s+zum\s+thema | das\s+könnte\s+(?:sie|dich)\s+(?:auch\s+)?interessieren | auch\s+interessant
        | weitere\s+(?:artikel|beiträge|themen|nachrichten|informationen) | ähnliche\s+(?:beiträge|artikel)
        | lesen\s+sie\s+(?:auch|mehr) | (?:\d+\s+)?kommentare? | schreibe?\s+(?:einen\s+)?kommentar | teilen\s+mit
        | artículos\s+relacionados | noticias\s+relacionadas | comentarios | lea\s+también
        | articles?\s+(?:similaires|connexes|liés) | à\s+lire\s+aussi | commentaires? | sur\s+le\s+même\s+sujet
        | articoli\s+correlati | leggi\s+anche | commenti
        | powiązane | czytaj\s+(?:także|też) | komentarze
        | ezek\s+is\s+érdekelhetnek | kapcsolódó\s+cikkek | 热门推荐 | 相关(?:新闻|阅读|文章)
        | lue\s+myös | relaterade\s+artiklar | gerelateerde\s+artikelen | lees\s+ook | leia\s+também | artigos\s+relacionados
        )\W*$",
    )
    .expect("static regex")
});

/// Short lines that are credits, ad labels or widget captions wherever they stand.
static CHROME_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?xi)^\W*(?:
        (?:quelle|source|sources|credit|credits|foto|fotos|photo|photos|bild|titelbild|image|images|źródło|fuente|crédito|créditos|crédit|fonte)\s*:
        | advertisement | anzeige | werbung | publicité | publicidad | reklama | affiliate[-\s]?link
        | (?:weiter|mehr)\s*lesen | weiterlesen | read\s+more | continue\s+reading | lire\s+la\s+suite | leer\s+más | czytaj\s+dalej
        | zum\s+shop | (?:rezept\s+)?drucken | print(?:\s+this)? | permalink | permalien | teilen | share | tweet
        | subscribe\s+to | sign\s+up\s+for | enjoying\s+this\s+(?:essay|article|story|post)
        | über\s+(?:den\s+autor|die\s+autorin) | about\s+the\s+authors? | zobacz\s+(?:także|też) | viel\s+gelesen
        )(?:\W|$)",
    )
    .expect("static regex")
});

/// Site furniture phrased as a sentence, up to a few lines long: post-meta footers,
/// login and consent prompts, support appeals, licence and citation notes, cookie
/// notices, in the languages quire meets most. Tested with [`boiler_line`].
const BOILER_PATTERN: &str = r"(?xi)
        ^\W*(?:
          this\s+entry\s+was\s+posted
        | (?:der|dieser)\s+(?:beitrag|artikel|eintrag)\s+wurde\s+am\s.{0,80}\s(?:veröffentlicht|erstellt|geschrieben)
        | erstellt\s+am\s.{0,80}\sabgelegt\s+unter
        | für\s+links\s+auf\s+dieser\s+seite\s+erhält
        | this\s+(?:post|article|page|story)\s+(?:contains|may\s+contain|includes)\s+(?:references\s+to\s+products|links\s+to\s+products|affiliate|sponsored)
        | if\s+you\s+(?:enjoyed|liked|like|enjoy)\s+(?:reading\s+)?this\s+(?:post|article|story|piece)
        | wenn\s+(?:ihnen|dir)\s+(?:unser|dieser|der|mein)\s+(?:artikel|beitrag|text)\s+gefallen\s+hat
        | (?:sie\s+müssen|du\s+musst)\s+(?:sich|dich)\s+(?:einloggen|anmelden)
        | you\s+must\s+be\s+logged\s+in
        | bitte\s+(?:registrieren|melden)\s+sie\s+sich
        | klicke?n?\s+(?:sie\s+)?auf\s+den\s+(?:unteren\s+)?button,?\s+um\s+den\s+inhalt
        | (?:click|tap)\s+(?:the\s+button\s+)?(?:below\s+)?to\s+load\s+(?:the\s+)?content
        | never\s+miss\s+(?:the\s+latest|a\s+story|an?\s+update)
        | suggested\s+citation
        | (?:dieser\s+(?:text|artikel|beitrag)|this\s+(?:text|article|work|post))\s+(?:wurde\s+veröffentlicht\s+unter|steht\s+unter|is\s+licensed\s+under|is\s+published\s+under)
        | sofern\s+nicht\s+anders\s+(?:angegeben|ausgewiesen|vermerkt)
        | (?:les\s+opinions\s+exprimées|the\s+views\s+(?:and\s+opinions\s+)?expressed|die\s+(?:hier\s+)?geäußerten\s+meinungen)
        | zapraszamy\s+(?:też\s+|również\s+)?do\s+(?:subskrypcji|prenumeraty)
        | czytaj\s+więcej
        | was\s+sind\s+cookies
        | vorschau\s+auf\s+den\s+nächsten\s+(?:artikel|beitrag)
        | (?:ihr|dein)\s+warenkorb\s+ist\s+leer | your\s+(?:cart|basket|bag)\s+is\s+empty
        | alle\s+angaben\s+ohne\s+gewähr
        | bild\s+anzeigen | zum\s+vergrößern\s+(?:auf\s+das\s+bild\s+)?klicken
        | be\s+sociable
        | mehr\s+zum\s+thema\W*$
        )
        | \b(?:korzystamy\s+z\s+(?:plików\s+)?cookies|we\s+use\s+cookies|wir\s+verwenden\s+cookies|nous\s+utilisons\s+des\s+cookies|utilizamos\s+cookies|diese\s+(?:website|webseite|seite)\s+(?:verwendet|nutzt)\s+cookies)
        | \byou\s+can\s+(?:keep\s+up\s+with|follow|find)\s+(?:me|him|her|us)\s+on\s+(?:twitter|facebook|instagram|linkedin)
        ";

static BOILER_LINE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new(BOILER_PATTERN).expect("static regex"));

/// [`BOILER_PATTERN`] without its `\b` assertions: a necessary condition for it. The
/// lazy DFA cannot evaluate a Unicode `\b` next to a non-ASCII character, so the exact
/// pattern falls back to the (much slower) PikeVM on most non-English text; this one
/// never does, and rules out almost every line before the exact one runs.
static BOILER_LINE_LOOSE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(&BOILER_PATTERN.replace(r"\b", "")).expect("static regex")
});

/// Does `text` match [`BOILER_PATTERN`]?
fn boiler_line(text: &str) -> bool {
    BOILER_LINE_LOOSE.is_match(text) && BOILER_LINE.is_match(text)
}

/// Affiliate and sponsorship disclosures, up to a couple of sentences long.
static DISCLOSURE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^\W*(?:this\s+(?:post|article|page|story)\s+(?:contains|may\s+contain|includes)\s+(?:affiliate|sponsored)|(?:dieser\s+(?:beitrag|artikel)\s+enthält\s+(?:affiliate|werbe)))",
    )
    .expect("static regex")
});

/// A photo credit at the end of a caption or a short caption-like paragraph: "© X",
/// "Foto: X", "Bild: X", "(X / Agency)", "X / Shutterstock".
///
/// Its bounded repetitions make a large lazy DFA: with the default 2 MiB cache the
/// DFA keeps being rebuilt and gives up for the PikeVM; 8 MiB holds it (the cache
/// grows only as far as it is used).
static CREDIT_TAIL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::RegexBuilder::new(
        r"(?xi)(?:^|[.!?,;|–—]\s*|\s)(?:
        (?:\|\s*)?(?:©|\(c\)\s|copyright\s)[^©]{1,80}
        | (?:foto|fotos|photo|photos|bild|bilder|kuva|quelle|source|credit|credits|image|images|zdjęcie|fot\.|crédito|créditos|crédit|bildquelle|bildnachweis|beitragsbild|titelbild|fotografía|photographie)\s*:\s*[^:]{1,80}
        | \([^()]{0,60}(?:shutterstock|getty|istock|istockphoto|fotolia|clipdealer|thinkstock|adobe\s*stock|imago|picture[\s-]alliance|dpa|afp|reuters|unsplash|pixabay|pexels|keystone|epa|flickr|wikimedia|photo|foto|bild)[^()]{0,40}\)
        | [^.|/()]{0,50}/\s*(?:shutterstock|getty\s*images|istock(?:photo)?|fotolia|clipdealer|thinkstock|adobe\s*stock|imago|picture[\s-]alliance|dpa|afp|reuters|unsplash|pixabay|pexels|keystone)(?:\.com)?[^.|]{0,30}
        )\s*$",
    )
    .dfa_size_limit(8 << 20)
    .build()
    .expect("static regex")
});

/// Byte offset where a trailing credit starts, if the text ends with one.
fn credit_start(text: &str) -> Option<usize> {
    if text.len() > 400 {
        return None;
    }
    let m = CREDIT_TAIL.find(text)?;
    Some(m.start())
}

/// Move trailing credits out of captions, and drop them from short caption-like
/// paragraphs (the credit is not article text).
fn split_credits(body: &mut Vec<Block>) {
    for b in body.iter_mut() {
        match b {
            Block::Image {
                caption, credit, ..
            } => {
                let Some(c) = caption.as_deref() else {
                    continue;
                };
                let Some(at) = credit_start(c) else { continue };
                let rest = c[..at]
                    .trim_end_matches(|ch: char| ch.is_whitespace() || ch == '|')
                    .to_string();
                let tail = c[at..]
                    .trim_start_matches(|ch: char| {
                        ch.is_whitespace()
                            || matches!(ch, '.' | ',' | ';' | '|' | '–' | '—' | '!' | '?')
                    })
                    .trim()
                    .to_string();
                if credit.is_none() && !tail.is_empty() {
                    *credit = Some(tail);
                }
                *caption = (!rest.is_empty()).then_some(rest);
            }
            Block::Paragraph { text } if text.chars().count() <= 300 => {
                if let Some(at) = credit_start(text) {
                    let rest =
                        text[..at].trim_end_matches(|ch: char| ch.is_whitespace() || ch == '|');
                    *text = rest.to_string();
                }
            }
            _ => {}
        }
    }
    body.retain(|b| !matches!(b, Block::Paragraph { text } if text.is_empty()));
}

/// Cut the body at the first coda line found in its second half.
fn cut_at_coda(body: &mut Vec<Block>) {
    let total: usize = body.iter().map(|b| b.text().len()).sum();
    let mut seen = 0usize;
    for (i, b) in body.iter().enumerate() {
        let text = match b {
            Block::Heading { text, .. } | Block::Paragraph { text } => Some(text),
            _ => None,
        };
        if let Some(text) = text {
            if seen * 2 >= total && text.chars().count() <= 60 && CODA.is_match(text) {
                body.truncate(i);
                return;
            }
        }
        seen += b.text().len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boiler_line_is_the_exact_pattern() {
        for (text, want) in [
            ("We use cookies to improve your experience.", true),
            ("Diese Website verwendet Cookies.", true),
            ("This entry was posted in News.", true),
            (
                "Der Beitrag wurde am 3. März 2021 von Anna veröffentlicht.",
                true,
            ),
            ("You can follow me on Twitter.", true),
            // Unicode `\b`: no boundary between "é" and "w", so no match.
            ("Caféwe use cookies", false),
            ("Noch ein ganz normaler Absatz über Bienenstich.", false),
        ] {
            assert_eq!(BOILER_LINE.is_match(text), want, "{text}");
            assert_eq!(boiler_line(text), want, "{text}");
        }
        assert!(BOILER_LINE_LOOSE.is_match("Caféwe use cookies"));
    }
}
