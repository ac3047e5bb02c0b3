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

mod bio;
mod classify;
mod content;
mod features;
mod meta;
mod tree;

use chrono::NaiveDate;
use url::Url;

use super::dom::Document;
use crate::model::{Block, Content, ExtractorInfo, PageType};
use crate::normalize;

/// Version of the generic extraction rules; bumps when output for a page may change.
pub const VERSION: &str = "2";

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
    let models = classify::models();
    let (mut body, kind) = match models {
        Some((page_model, block_model)) => {
            let (body, types) = classified(&t, &choice.roots, &m, url, page_model, block_model);
            (body, Some(types))
        }
        None => (content::emit(&t, &choice.roots, url), None),
    };
    // Measured before the tidy step: dropping furniture lines from a short article must
    // not make it look like a listing page.
    let body_chars: usize = body.iter().map(|b| b.text().chars().count()).sum();
    // The classifier has judged every short line already; the rule-based choice
    // still needs its edges trimmed.
    tidy(&mut body, m.title.as_deref(), models.is_none());
    drop_head_repeats(&mut body, &m);
    drop_repeated_text(&mut body);
    normalize::strip_markup_blocks(&mut body);
    let mut warnings = Vec::new();

    let page = &t.nodes[t.body as usize];
    // An index page: the page says so, or the page-type model takes it for a listing
    // or a collection, or (without the model) little text among many links.
    let best_type = kind.as_ref().map(|types| {
        let best = types
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(k, _)| k);
        features::PAGE_TYPES[best]
    });
    let listing_shape = match best_type {
        Some(best) => matches!(best, "listing" | "collection"),
        None => body_chars < 400 && page.links >= 30 && t.link_density(t.body) > 0.4,
    };
    let page_type = if !m.declared_article && (m.declared_listing || listing_shape) {
        warnings.push("page looks like an index or listing page".to_string());
        PageType::Index
    } else {
        if body.is_empty() {
            warnings.push("no main content found".to_string());
        }
        PageType::Article
    };

    let (entries, issue) = if page_type == PageType::Index {
        listed_entries(doc, url, m.title.as_deref(), &body)
    } else {
        (Vec::new(), None)
    };
    // A thread's posts, when the page-type model takes the page for a forum. A thread
    // whose body the classifier left empty gives its posts' text instead.
    let posts = if best_type == Some("forum") && page_type == PageType::Article {
        super::posts::read(doc)
    } else {
        Vec::new()
    };
    if fill_from_posts(&mut body, &posts) {
        warnings.retain(|w| w != "no main content found");
    }
    let bio = if page_type == PageType::Article && posts.is_empty() {
        bio::find(&t, &mut body, &m.authors)
    } else {
        None
    };
    let content = Content {
        url: url.to_string(),
        canonical_url: m.canonical_url,
        site: m.site,
        section: m.section,
        kicker: None,
        page_type,
        title: m.title,
        subtitle: m.subtitle,
        authors: m.authors,
        published: m.published,
        word_count: normalize::word_count(&body),
        entries,
        issue,
        posts,
        body,
        bio,
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

/// A body without running text becomes the posts' text, one paragraph per post.
/// Returns whether it did.
fn fill_from_posts(body: &mut Vec<Block>, posts: &[crate::model::Post]) -> bool {
    if posts.is_empty() || !body.iter().all(|b| b.text().trim().is_empty()) {
        return false;
    }
    *body = posts
        .iter()
        .map(|p| Block::Paragraph {
            text: p.text.clone(),
        })
        .collect();
    true
}

/// The entries of a listing page: the links the entry reader finds whose title the
/// classified body prints (so the site's menus, which the classifier left out, list
/// nothing). Fewer than two such links are no listing.
fn listed_entries(
    doc: &Document,
    url: &Url,
    title: Option<&str>,
    body: &[Block],
) -> (Vec<crate::model::Entry>, Option<crate::model::Issue>) {
    let page = super::entries::read(
        doc.root_element(),
        &super::entries::Context {
            url,
            title,
            chrome: None,
        },
    );
    // Which titles the body holds: one pass over the body text, whatever the number
    // of titles.
    let mut text = String::new();
    for b in body {
        text.push_str(&b.text().to_lowercase());
        text.push('\n');
    }
    let titles: Vec<String> = page
        .entries
        .iter()
        .map(|e| e.title.as_deref().unwrap_or("").to_lowercase())
        .collect();
    let mut found = vec![false; titles.len()];
    if let Ok(ac) = aho_corasick::AhoCorasick::new(titles.iter().filter(|t| !t.is_empty())) {
        // Pattern ids count the non-empty titles only.
        let ids: Vec<usize> = (0..titles.len())
            .filter(|&i| !titles[i].is_empty())
            .collect();
        for m in ac.find_overlapping_iter(&text) {
            if let Some(&i) = ids.get(m.pattern().as_usize()) {
                found[i] = true;
            }
        }
    }
    let entries: Vec<crate::model::Entry> = page
        .entries
        .into_iter()
        .zip(found)
        .filter(|(e, f)| *f && e.title.as_deref().is_some_and(|t| t.chars().count() >= 8))
        .map(|(e, _)| e)
        .collect();
    if entries.len() < 2 {
        return (Vec::new(), page.issue);
    }
    (entries, page.issue)
}

/// The facts about the page that the classifier's page-level features need.
fn page_facts<'r>(roots: &'r [u32], m: &'r meta::Meta) -> features::PageFacts<'r> {
    features::PageFacts {
        declared_article: m.declared_article,
        declared_listing: m.declared_listing,
        roots,
        title: m.title.as_deref(),
    }
}

/// The body as the block classifier decides it: every unit of visible text is
/// scored, the kept ones are emitted in reading order with their structure; images
/// come from the rule-based choice (inside its roots, not boilerplate).
fn classified(
    t: &tree::Tree<'_>,
    roots: &[u32],
    m: &meta::Meta,
    url: &Url,
    page_model: &classify::Model,
    block_model: &classify::Model,
) -> (Vec<Block>, Vec<f32>) {
    let units = content::units(t, url);
    let mut rows = features::rows(
        t,
        &units,
        &page_facts(roots, m),
        content::semantic(t),
        Some(&block_model.lexicon),
    );
    let page = features::page_row(t, url, &units, &rows, roots);
    let types = page_model.predict_classes(&page);
    for r in rows.iter_mut() {
        for (k, p) in types.iter().enumerate().take(features::PAGE_TYPES.len()) {
            r[features::PT_FIRST + k] = *p;
        }
    }
    let mut keep: Vec<bool> = rows
        .iter()
        .zip(&units)
        .map(|(r, u)| {
            let kept_by_rules = r[features::RULE_KEPT] > 0.5;
            // Data-table rows and preformatted text (code) inside the chosen article
            // are content: on the development sets nine in ten such units are, and
            // the model keeps nearly all of them; a rule makes it certain.
            if kept_by_rules
                && u.node != tree::NONE
                && matches!(t.nodes[u.node as usize].tag, tree::Tag::Tr | tree::Tag::Pre)
            {
                return true;
            }
            // Unless the page is an index, a line that is wholly a link and that the
            // rules leave out (a headline in a card row, a link list) is a teaser of
            // another page, whatever its words. Listing pages are made of such lines.
            if !kept_by_rules
                && r[features::PT_LISTING] + r[features::PT_COLLECTION] < 0.5
                && u.node != tree::NONE
                && wholly_link(t, u.node)
            {
                return false;
            }
            let thr = if kept_by_rules {
                block_model.threshold_kept
            } else if features::RULE_DROPPED.iter().any(|&c| r[c] > 0.5) {
                if r[features::PT_FORUM] > 0.5 {
                    block_model.threshold_dropped_forum
                } else {
                    block_model.threshold_dropped
                }
            } else {
                block_model.threshold
            };
            block_model.above(r, thr)
        })
        .collect();
    coda_cut(t, &units, &rows, &mut keep);
    drop_teaser_excerpts(t, url, &units, &rows, &mut keep);
    let mut img_ok = vec![false; t.nodes.len()];
    mark_within(t, roots, &mut img_ok);
    (content::emit_kept(t, url, &keep, &img_ok), types)
}

/// Is the text of `node` all link text: the element is an `<a>`, sits inside one
/// (nearest eight ancestors), or its link text is at least 95% of its text?
fn wholly_link(t: &tree::Tree<'_>, node: u32) -> bool {
    let mut cur = node;
    for _ in 0..8 {
        if cur == tree::NONE {
            break;
        }
        let n = &t.nodes[cur as usize];
        if n.tag == tree::Tag::A {
            return true;
        }
        if !n.tag.is_inline() && cur != node && !matches!(n.tag, tree::Tag::H(_)) {
            // Past the unit's own block: a link further out holds more than this text.
            if t.link_density(cur) < 0.95 {
                break;
            }
        }
        cur = n.parent;
    }
    t.nodes[node as usize].links >= 1 && t.link_density(node) >= 0.95
}

/// Teasers of the site's other pages beside or after the article, told by their
/// shape: a kept unit that is a cut-short excerpt ([`truncated_excerpt`]) in a small,
/// repeated card whose headline links to another page of the same site
/// ([`teaser_card`]) goes, unless the page is an index or a forum thread. Cards that link out to other
/// sites (an events calendar, a press review) are what their page is about.
fn drop_teaser_excerpts(
    t: &tree::Tree<'_>,
    url: &Url,
    units: &[content::Unit],
    rows: &[[f32; features::N]],
    keep: &mut [bool],
) {
    let Some(r) = rows.first() else {
        return;
    };
    if r[features::PT_LISTING] + r[features::PT_COLLECTION] + r[features::PT_FORUM] >= 0.5 {
        return;
    }
    let mut found = Vec::new();
    for (i, u) in units.iter().enumerate() {
        if keep[i] && truncated_excerpt(&u.text) && teaser_card(t, u.node, url).is_some() {
            found.push(i);
        }
    }
    for i in found {
        keep[i] = false;
    }
}

/// Most words in a teaser's excerpt; a longer paragraph ending in "…" is prose.
const EXCERPT_MAX_WORDS: usize = 70;

/// Does the text end the way a teaser's excerpt is cut short: 8 to
/// [`EXCERPT_MAX_WORDS`] words, then "..." or "…" straight after a word (not after a
/// sentence's own `?` or `!`)?
fn truncated_excerpt(text: &str) -> bool {
    let t = text.trim_end();
    let Some(head) = t
        .strip_suffix('…')
        .or_else(|| t.strip_suffix("..."))
        .map(str::trim_end)
    else {
        return false;
    };
    let words = head.split_whitespace().count();
    head.chars().next_back().is_some_and(char::is_alphanumeric)
        && (8..=EXCERPT_MAX_WORDS).contains(&words)
}

/// Largest kept text (non-whitespace bytes) of a teaser card around an excerpt.
const CARD_MAX_TEXT: u32 = 900;
/// Most text in a teaser card outside its excerpt and its links (a date, a name, a
/// place), in non-whitespace bytes.
const CARD_MAX_OTHER: u32 = 80;
/// Nodes looked at per card when searching it for a headline link.
const CARD_MAX_NODES: usize = 400;

/// The teaser card whose excerpt is the unit at `node`, if it is one: within a few ancestors, a
/// small container (at most [`CARD_MAX_TEXT`] of text) that also holds a link of
/// at least three words to another page outside the excerpt itself (the teaser's
/// headline or "Read more" line), and that repeats: a sibling element of the same
/// tag and class, as cards in a row do (the card, or a small box around it, is
/// returned). A roundup whose items end "… Full review…" carries that link inside
/// the item's own text, so it is not a card.
fn teaser_card(t: &tree::Tree<'_>, node: u32, url: &Url) -> Option<u32> {
    if node == tree::NONE {
        return None;
    }
    let mut card = t.nodes[node as usize].parent;
    for _ in 0..5 {
        if card == tree::NONE || card == t.body || card == t.html {
            return None;
        }
        let c = &t.nodes[card as usize];
        if c.raw_len > CARD_MAX_TEXT {
            return None;
        }
        // Beside its excerpt and links, a teaser card holds a date or a name at
        // most; a card with paragraphs of its own is an item of the article.
        let other = c
            .raw_len
            .saturating_sub(t.nodes[node as usize].raw_len)
            .saturating_sub(c.link_len.saturating_sub(t.nodes[node as usize].link_len));
        if other > CARD_MAX_OTHER {
            return None;
        }
        if headline_link_outside(t, card, node, url) {
            // The card, or a small wrapper of it (image and text in one box), repeats.
            let mut box_ = card;
            for _ in 0..3 {
                if box_ == tree::NONE || t.nodes[box_ as usize].raw_len > CARD_MAX_TEXT {
                    return None;
                }
                if repeated(t, box_) {
                    return Some(box_);
                }
                box_ = t.nodes[box_ as usize].parent;
            }
            return None;
        }
        card = c.parent;
    }
    None
}

/// Does `card` hold an `<a href>` to another page of the site at `url` (same host
/// but for a leading `www.`; not a fragment) with at least three words of text, not
/// inside `unit`? Looks at most [`CARD_MAX_NODES`] nodes.
fn headline_link_outside(t: &tree::Tree<'_>, card: u32, unit: u32, url: &Url) -> bool {
    let site = |u: &Url| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
    };
    let here = site(url);
    let mut seen = 0usize;
    let mut found = false;
    let mut text = String::new();
    let mut i = card;
    // A preorder walk by index: an element's subtree is the index range after it.
    let end = subtree_end(t, card);
    while i < end && !found {
        seen += 1;
        if seen > CARD_MAX_NODES {
            break;
        }
        let n = &t.nodes[i as usize];
        if n.tag == tree::Tag::A && !t.contains(unit, i) && !t.contains(i, unit) {
            let href = t.attr(i, "href").unwrap_or("").trim();
            let same_site = !href.starts_with('#')
                && url.join(href).is_ok_and(|to| {
                    matches!(to.scheme(), "http" | "https")
                        && site(&to) == here
                        && to.path() != url.path()
                });
            if same_site {
                text.clear();
                t.raw_text(i, &mut text);
                found = text.split_whitespace().nth(2).is_some();
            }
        }
        i += 1;
    }
    found
}

/// One past the last node of `root`'s subtree (nodes are numbered in preorder).
fn subtree_end(t: &tree::Tree<'_>, root: u32) -> u32 {
    let mut cur = root;
    while cur != tree::NONE {
        let n = &t.nodes[cur as usize];
        if n.next_sibling != tree::NONE {
            return n.next_sibling;
        }
        cur = n.parent;
    }
    t.nodes.len() as u32
}

/// Has `node` a sibling element of the same tag and the same first class name
/// (cards in a row; later class names often name each card's category)?
fn repeated(t: &tree::Tree<'_>, node: u32) -> bool {
    let n = &t.nodes[node as usize];
    let first_class = |i: u32| {
        t.attr(i, "class")
            .and_then(|c| c.split_whitespace().next())
            .unwrap_or("")
    };
    let class = first_class(node);
    let parent = n.parent;
    if parent == tree::NONE {
        return false;
    }
    let mut s = t.nodes[parent as usize].first_child;
    let mut looked = 0;
    while s != tree::NONE && looked < 200 {
        if s != node
            && t.nodes[s as usize].tag == n.tag
            && t.nodes[s as usize].el.is_some()
            && first_class(s) == class
        {
            return true;
        }
        looked += 1;
        s = t.nodes[s as usize].next_sibling;
    }
    false
}

/// The after-article zone, judged on units: once at least half of the kept text has
/// been read, a line that opens the coda ("Related articles", "Weitere Beiträge",
/// "11 responses to …") ends the body, whether the classifier kept that line or only
/// the rule-based choice holds it (the classifier often drops the label and keeps the
/// teasers under it). A "See also" label on its own goes when much text follows.
fn coda_cut(
    t: &tree::Tree<'_>,
    units: &[content::Unit],
    rows: &[[f32; features::N]],
    keep: &mut [bool],
) {
    let total: usize = units
        .iter()
        .zip(keep.iter())
        .filter(|(_, k)| **k)
        .map(|(u, _)| u.text.len())
        .sum();
    let mut seen = 0usize;
    for k in 0..units.len() {
        let candidate = keep[k] || rows[k][features::RULE_KEPT] > 0.5;
        if candidate && seen * 2 >= total && total > 0 {
            let text = &units[k].text;
            let heading = units[k].node != tree::NONE
                && matches!(t.nodes[units[k].node as usize].tag, tree::Tag::H(_));
            let lead = (heading || text.ends_with(':')) && CODA_LEAD.is_match(text);
            let n = text.chars().count();
            let thread = n <= 200 && RESPONSES.is_match(text);
            if thread || (n <= 60 && (lead || CODA.is_match(text))) {
                if SEE_ALSO.is_match(text) && (total - seen) * 3 > total {
                    keep[k] = false;
                } else {
                    for x in keep[k..].iter_mut() {
                        *x = false;
                    }
                    return;
                }
            }
        }
        if keep[k] {
            seen += units[k].text.len();
        }
    }
}

/// Repeats of the page head at the top of the body go: the headline and the deck
/// (they are `title` and `subtitle`), and a short byline or dateline that names the
/// page's author or a date ("Posted on March 3, 2009 by Ed Kowalski").
fn drop_head_repeats(body: &mut Vec<Block>, m: &meta::Meta) {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let title = m.title.as_deref().map(fold);
    let subtitle = m.subtitle.as_deref().map(fold);
    let authors: Vec<String> = m
        .authors
        .iter()
        .map(|a| fold(a))
        .filter(|a| a.len() >= 4)
        .collect();
    let mut i = 0usize;
    let mut looked = 0usize;
    while i < body.len() && looked < 4 {
        let (text, heading) = match &body[i] {
            Block::Paragraph { text } => (text.as_str(), false),
            Block::Heading { text, .. } => (text.as_str(), true),
            Block::Image { .. } => {
                i += 1;
                continue;
            }
            _ => break,
        };
        looked += 1;
        let f = fold(text);
        let words = text.split_whitespace().count();
        let repeat = Some(&f) == title.as_ref() || Some(&f) == subtitle.as_ref();
        let byline = !heading
            && words <= 14
            && !is_sentence(text)
            && (authors.iter().any(|a| f.contains(a.as_str()))
                || (words <= 8 && normalize::parse_date(text).is_some()));
        if repeat || byline {
            body.remove(i);
        } else {
            i += 1;
        }
    }
}

/// Mark every kept (non-junk) node below the given roots.
fn mark_within(t: &tree::Tree<'_>, roots: &[u32], mark: &mut [bool]) {
    for &r in roots {
        // The arena is in document order, so r's subtree is the index range from r
        // to the next node after it: the next sibling of r or of its nearest ancestor
        // that has one.
        let start = r as usize;
        let mut end = t.nodes.len();
        let mut cur = r;
        while cur != tree::NONE {
            let n = &t.nodes[cur as usize];
            if n.next_sibling != tree::NONE {
                end = n.next_sibling as usize;
                break;
            }
            cur = n.parent;
        }
        for (i, m) in mark.iter_mut().enumerate().take(end).skip(start) {
            *m = !t.nodes[i].junk;
        }
    }
}

/// Development aid: every unit of the page's visible text with its feature vector,
/// as the classifier sees them (what `tools/train_blocks.py` trains on). Not a stable
/// interface.
/// The page's own feature vector (for the page-type model) comes last. The `pt_*`
/// columns of the unit rows are left at zero: the trainer fills them in.
/// Per unit also its text tokens and class-name tokens (for the lexicon), whose
/// `lex_*` columns are left at zero like the `pt_*` ones.
#[doc(hidden)]
pub fn debug_units(doc: &Document, url: &Url) -> DebugUnits {
    let t = tree::Tree::build(doc);
    let m = meta::read(&t, url, None);
    let choice = content::choose(&t);
    let units = content::units(&t, url);
    let rows = features::rows(
        &t,
        &units,
        &page_facts(&choice.roots, &m),
        content::semantic(&t),
        None,
    );
    let page = features::page_row(&t, url, &units, &rows, &choice.roots);
    DebugUnits {
        words: units
            .iter()
            .map(|u| features::text_tokens(&u.text))
            .collect(),
        classes: units
            .iter()
            .map(|u| features::class_tokens(&t, if u.node == tree::NONE { t.body } else { u.node }))
            .collect(),
        texts: units.into_iter().map(|u| u.text).collect(),
        rows: rows.into_iter().map(|r| r.to_vec()).collect(),
        page,
    }
}

/// What [`debug_units`] returns. Not a stable interface.
#[doc(hidden)]
pub struct DebugUnits {
    pub texts: Vec<String>,
    pub rows: Vec<Vec<f32>>,
    pub words: Vec<Vec<String>>,
    pub classes: Vec<Vec<String>>,
    pub page: Vec<f32>,
}

/// The classifier's unit and page feature names, in vector order. Not a stable
/// interface.
#[doc(hidden)]
pub fn debug_feature_names() -> (&'static [&'static str], Vec<String>) {
    (features::NAMES, features::page_names())
}

/// Text a page prints twice is read once. Responsive layouts ship the same article
/// for two screen sizes, tabbed widgets repeat their panels, tables of contents repeat
/// the headings: a reader, and every consumer of the body, wants each passage once.
/// A paragraph, heading, quote or list item whose text (at least [`REPEAT_MIN`]
/// characters) already appeared earlier in the body is dropped; the first occurrence
/// stays where it is. Short lines ("Yes", "Read more") may legitimately recur and are
/// left alone; preformatted text (code repeats itself by nature) and images are
/// never touched. A data-table row is a paragraph here, so only a whole row repeated
/// word for word goes, never a row that merely shares its label with another.
/// Linear in the body's length.
fn drop_repeated_text(body: &mut Vec<Block>) {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    normalize::retain_running_text(body, |text| {
        let key = text.split_whitespace().collect::<Vec<_>>().join(" ");
        key.chars().count() < REPEAT_MIN || seen.insert(key)
    });
}

/// Shortest text that [`drop_repeated_text`] treats as a passage.
const REPEAT_MIN: usize = 20;

/// Final clean-up of the body: a leading copy of the headline goes, and so do
/// immediate repeats of a block.
fn tidy(body: &mut Vec<Block>, title: Option<&str>, trim_edges: bool) {
    cut_at_coda(body);
    split_credits(body);
    for b in body.iter_mut() {
        if let Block::List { items, .. } = b {
            items.retain(|item| !furniture(item));
        }
    }
    body.retain(|b| match b {
        Block::Paragraph { text } | Block::Heading { text, .. } => !furniture(text),
        Block::List { items, .. } => !items.is_empty(),
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
    if !trim_edges {
        return;
    }
    if let (Some(first), Some(last)) = (body.iter().position(good), body.iter().rposition(good)) {
        // Outside the real paragraphs, a short line stays when it is a sentence (a
        // greeting, a sign-off, a closing question) or a heading over text.
        let keep: Vec<bool> = body
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if (first..=last).contains(&i) || !short(b) {
                    return true;
                }
                match b {
                    Block::Paragraph { text } => is_sentence(text),
                    Block::Heading { .. } => body[i + 1..]
                        .iter()
                        .find(|n| !matches!(n, Block::Image { .. }))
                        .is_some_and(|n| {
                            matches!(n, Block::Paragraph { text } if text.chars().count() >= 80)
                        }),
                    _ => true,
                }
            })
            .collect();
        let mut i = 0usize;
        body.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
}

/// A line that reads as a sentence: at least three words and a final `.`, `!`,
/// `?` or `…` (closing quotes and brackets aside), not a label ending in `:`.
fn is_sentence(text: &str) -> bool {
    let t = text.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '»' | '«' | '“' | '”' | '’' | ']')
    });
    t.split_whitespace().count() >= 3 && t.ends_with(['.', '!', '?', '…'])
}

const TRIM_BELOW: usize = 50;

/// A line that is site furniture: a widget label, a credit, a disclosure, an appeal.
fn furniture(text: &str) -> bool {
    let n = text.chars().count();
    (n <= 80 && CHROME_LINE.is_match(text))
        || (n <= 200 && DISCLOSURE.is_match(text))
        || (n <= 400 && BOILER_LINE.is_match(text))
        || (n <= 300 && APPEAL.is_match(text))
}

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
        | (?:seite|artikel|beitrag)\s+drucken | (?:print|imprimir|imprimer|stampa)\s+(?:this\s+)?(?:page|article|story|página|artículo|la\s+page|l'article|articolo)
        | valora\s+esta\s+noticia | rate\s+this\s+(?:article|post|story) | (?:artikel|beitrag)\s+bewerten
        | externer\s+inhalt | external\s+content | contenu\s+externe | contenido\s+externo
        | (?:[\w-]+\s+){0,3}als\s+pdf\s+(?:herunterladen|downloaden) | download\s+(?:this\s+\w+\s+)?(?:as\s+)?(?:a\s+)?pdf
        )(?:\W|$)",
    )
    .expect("static regex")
});

/// Site furniture phrased as a sentence, up to a few lines long: post-meta footers,
/// login and consent prompts, support appeals, licence and citation notes, cookie
/// notices, in the languages quire meets most. Tested with [`BOILER_LINE`].
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
        | (?:php\s+)?(?:warning|notice|deprecated|fatal\s+error|parse\s+error|strict\s+standards)\s*:.{0,300}?\son\s+line\s+\d+
        | (?:es\s+werden\s+)?(?:die\s+)?(?:\w+\s+)?\d+\s*(?:bis|-|–)\s*\d+\s+von\s+(?:insgesamt\s+)?\d+\b.{0,30}$
        | (?:showing|displaying|viewing)\s+(?:results?\s+)?\d+\s*(?:-|–|to)\s*\d+\s+of\s+\d+
        | (?:wir\s+respektieren\s+(?:deine|ihre)\s+privatsphäre|we\s+respect\s+your\s+privacy|nous\s+respectons\s+votre\s+vie\s+privée)
        )
        | \b(?:korzystamy\s+z\s+(?:plików\s+)?cookies|we\s+use\s+cookies|wir\s+verwenden\s+cookies|nous\s+utilisons\s+des\s+cookies|utilizamos\s+cookies|diese\s+(?:website|webseite|seite)\s+(?:verwendet|nutzt)\s+cookies)
        | \byou\s+can\s+(?:keep\s+up\s+with|follow|find)\s+(?:me|him|her|us)\s+on\s+(?:twitter|facebook|instagram|linkedin)
        ";

static BOILER_LINE: std::sync::LazyLock<Prefiltered> =
    std::sync::LazyLock::new(|| Prefiltered::new(BOILER_PATTERN));

/// A pattern with Unicode `\b` assertions, tested through a copy without them first.
/// The copy is a necessary condition for the pattern (dropping a zero-width assertion
/// only admits more). The lazy DFA cannot evaluate a Unicode `\b` next to a non-ASCII
/// character, so the exact pattern falls back to the (much slower) PikeVM on most
/// non-English text; the copy never does, and rules out almost every line before the
/// exact pattern runs.
struct Prefiltered {
    exact: regex::Regex,
    loose: regex::Regex,
}

impl Prefiltered {
    fn new(pattern: &str) -> Self {
        Prefiltered {
            exact: regex::Regex::new(pattern).expect("static regex"),
            loose: regex::Regex::new(&pattern.replace(r"\b", "")).expect("static regex"),
        }
    }

    fn is_match(&self, text: &str) -> bool {
        self.loose.is_match(text) && self.exact.is_match(text)
    }
}

/// Calls to subscribe, sign up, follow, download the app, join or support the site,
/// paywall notices and "we may earn a commission" notes: furniture in sentence form,
/// wherever it stands, in the languages quire meets most.
const APPEAL_PATTERN: &str = r"(?xi)
        ^\W*(?:
          subscribe\s+(?:now|today|here)\b | (?:please\s+)?subscribe\s+to\s+(?:our|the)\b
        | sign\s+up\s+(?:here|now|today|for\s+(?:our|the))\b | join\s+our\s+(?:newsletter|mailing\s+list|community)
        | follow\s+(?:us|[^.!?]{1,40}?)\s+on\s+(?:twitter|facebook|instagram|linkedin|telegram|tiktok|youtube|whatsapp)
        | (?:get|download)\s+(?:the|our)\s+[^.!?]{0,60}?\bapps?\b
        | for\s+the\s+latest\s+(?:news|stories|updates)[^.!?]{0,80}\b(?:download|follow|subscribe|sign\s+up)
        | (?:to\s+(?:view|read|continue\s+reading)|continue\s+reading)\s+(?:the\s+full|this)\s+(?:story|article)
        | submit\s+(?:your\s+|a\s+)?letter\s+to\s+the\s+editor
        | (?:instant|immediate)\s+(?:online\s+)?access\s+to
        | s[ií]gu?enos\s+en | suscr[ií]bete | únete\s+a\s+nuestro
        | abonnez-vous | suivez-nous\s+sur | inscrivez-vous\s+à\s+(?:notre|la)\s+newsletter
        | abonniere?n?\s+sie\s+(?:jetzt\s+)?unseren | folge?n?\s+(?:sie\s+)?uns\s+(?:auf|bei)
        | werden\s+sie\s+(?:jetzt\s+)?(?:mitglied|abonnent) | melde?n?\s+(?:sie\s+)?(?:dich|sich)\s+(?:jetzt\s+)?(?:hier\s+)?(?:für|zu)\s+unserem?\s+newsletter
        | gefällt\s+(?:dir|ihnen|euch)\s+unser | (?:sie\s+lesen|du\s+liest)\s+gerne?\b
        | obserwuj\s+nas | zapisz\s+się\s+do\s+newslettera
        )
        | \b(?:already\s+a\s+(?:subscriber|member)|subscription\s+will\s+(?:auto(?:matically)?[\s-]?)?renew|cancel\s+any\s*time
          | (?:our|unseren|unserem|notre|nuestro|nuestra)\s+newsletter | newsletter\s+abonnieren
          | support\s+(?:our|independent)\s+journalism | unterstützen\s+sie\s+(?:unseren?|unabhängigen)\s+journalismus
          | cancela\s+cuando\s+quieras | jederzeit\s+kündbar | sans\s+engagement
          | wesprzyj\s+(?:nas|nasz)
          | canal\s+de\s+(?:telegram|whatsapp)
          | we\s+may\s+(?:receive|earn)\s+(?:a\s+)?(?:compensation|commission) | affiliate[-\s]links?\b
          | (?:erhalten|bekommen)\s+wir\s+(?:eine\s+)?provision
          )
        ";

static APPEAL: std::sync::LazyLock<Prefiltered> =
    std::sync::LazyLock::new(|| Prefiltered::new(APPEAL_PATTERN));

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
        | \([^()]{0,60}\b(?:shutterstock|getty|istock|istockphoto|fotolia|clipdealer|thinkstock|adobe\s*stock|imago|picture[\s-]alliance|dpa|afp|reuters|unsplash|pixabay|pexels|keystone|epa|flickr|wikimedia|photo|foto|bild)\b[^()]{0,40}\)
        | [^.|/()]{0,50}/\s*(?:shutterstock|getty\s*images|istock(?:photo)?|fotolia|clipdealer|thinkstock|adobe\s*stock|imago|picture[\s-]alliance|dpa|afp|reuters|unsplash|pixabay|pexels|keystone)(?:\.com)?\b[^.|]{0,30}
        )\s*$",
    )
    .dfa_size_limit(8 << 20)
    .build()
    .expect("static regex")
});

/// Words one of which every alternative of [`CREDIT_TAIL`] needs (a label, a
/// copyright sign, an agency's name): a necessary condition, tested first with one
/// ASCII-case-insensitive pass, so that the regex runs only on text that may match.
/// The non-ASCII capitals the regex's Unicode case folding accepts are listed too
/// (all but the Kelvin sign and the long s standing in for "k" and "s").
static CREDIT_WORDS: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                "©",
                "(c)",
                "copyright",
                "foto",
                "photo",
                "bild",
                "kuva",
                "quelle",
                "source",
                "credit",
                "image",
                "zdj",
                "fot.",
                "crédit",
                "CRÉDIT",
                "Crédit",
                "ZDJĘ",
                "shutterstock",
                "getty",
                "istock",
                "fotolia",
                "clipdealer",
                "thinkstock",
                "adobe",
                "imago",
                "picture",
                "dpa",
                "afp",
                "reuters",
                "unsplash",
                "pixabay",
                "pexels",
                "keystone",
                "epa",
                "flickr",
                "wikimedia",
            ])
            .ok()
    });

/// Byte offset where a trailing credit starts, if the text ends with one.
fn credit_start(text: &str) -> Option<usize> {
    if text.len() > 400 {
        return None;
    }
    if let Some(words) = CREDIT_WORDS.as_ref() {
        if !words.is_match(text) {
            return None;
        }
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

/// Headings that open the after-article zone with a topic after the phrase ("Weitere
/// Beiträge aus der Kolumne:", "More from Science", "Mehr zu Klima und Konsum").
static CODA_LEAD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?xi)^\W*(?:
        more\s+(?:stories|articles|news|posts)?\s*(?:from|on|about|in) | related\s+(?:articles?|posts?|stories|content|news|reading|topics)
        | (?:latest|recent)\s+(?:news|posts|articles|stories)\s+(?:from|on|about|in)
        | weitere\s+(?:artikel|beiträge|themen|nachrichten|informationen|meldungen|news|texte|folgen)
        | mehr\s+(?:artikel\s+|beiträge\s+|nachrichten\s+|news\s+)?(?:zu|zum|zur|von|vom|aus|über)\b | neueste\s+(?:artikel|beiträge)
        | lesen\s+sie\s+(?:auch|mehr|weiter) | ähnliche\s+(?:beiträge|artikel|themen) | das\s+könnte\s+(?:sie|dich)
        | más\s+(?:noticias|artículos)\s+(?:de|sobre) | (?:otras\s+)?noticias\s+relacionadas | artículos\s+relacionados
        | plus\s+d'articles | (?:d')?autres\s+articles | articles?\s+(?:similaires|connexes|liés) | sur\s+le\s+même\s+sujet
        | altri\s+articoli | articoli\s+correlati | czytaj\s+(?:także|też|więcej) | więcej\s+(?:artykułów|na\s+temat)
        )\b[^.!?]{0,50}$",
    )
    .expect("static regex")
});

/// The heading of a comment thread: "11 responses to “Title”", "3 Kommentare zu …".
static RESPONSES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?xi)^\W*(?:\d+|one|two|three|ein|eine|zwei|drei|un|une|uno|una)\s+(?:
        responses?|replies|comments?|thoughts|kommentare?|antworten|gedanken|commentaires?|réponses?
        | comentarios?|respuestas?|commenti|risposte|reacties|reactions?|komentarz[ey]?|odpowiedzi
        )\s+(?:to|on|zu|auf|für|à|sur|a|al|en|op|do|na)\b",
    )
    .expect("static regex")
});

/// "See also" labels that introduce one inline link inside the article as often as
/// they open the after-article zone.
static SEE_ALSO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?xi)^\W*(?:
        lesen\s+sie\s+(?:auch|mehr) | lies\s+auch | siehe\s+auch | auch\s+interessant
        | see\s+also | read\s+(?:also|more) | also\s+read | lue\s+myös | läs\s+också | lees\s+ook
        | leia\s+também | le[ae]\s+también | (?:à\s+)?lire\s+aussi | voir\s+aussi | leggi\s+anche
        | czytaj\s+(?:także|też) | zobacz\s+(?:także|też)
        )\W*$",
    )
    .expect("static regex")
});

/// Cut the body at the first coda line found in its second half. A "see also" label
/// with more than a third of the text still after it is an inline link's label: only
/// the label goes.
fn cut_at_coda(body: &mut Vec<Block>) {
    let total: usize = body.iter().map(|b| b.text().len()).sum();
    let mut seen = 0usize;
    let mut labels = Vec::new();
    for (i, b) in body.iter().enumerate() {
        let text = match b {
            Block::Heading { text, .. } | Block::Paragraph { text } => Some(text),
            _ => None,
        };
        if let Some(text) = text {
            let lead = (matches!(b, Block::Heading { .. }) || text.ends_with(':'))
                && CODA_LEAD.is_match(text);
            let n = text.chars().count();
            let thread = n <= 200 && RESPONSES.is_match(text);
            if seen * 2 >= total && (thread || (n <= 60 && (lead || CODA.is_match(text)))) {
                if SEE_ALSO.is_match(text) && (total - seen) * 3 > total {
                    labels.push(i);
                } else {
                    body.truncate(i);
                    break;
                }
            }
        }
        seen += b.text().len();
    }
    let mut next = labels.into_iter().peekable();
    let mut i = 0usize;
    body.retain(|_| {
        let label = next.peek() == Some(&i);
        if label {
            next.next();
        }
        i += 1;
        !label
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credit_prefilter_never_hides_a_credit() {
        let samples = [
            "The harbour at dawn. Photo: Ann Lee",
            "The harbour at dawn. PHOTO: ANN LEE",
            "The harbour at dawn © 2019 Ann Lee",
            "The harbour at dawn | (c) Reuters",
            "The harbour at dawn (Getty Images)",
            "The harbour at dawn Ann Lee / Shutterstock",
            "The harbour at dawn. CRÉDITO: Ann Lee",
            "The harbour at dawn. Crédit : Ann Lee",
            "The harbour at dawn. Bildquelle: dpa",
            "The harbour at dawn. ZDJĘCIE: Ann Lee",
            "The harbour at dawn (AFP Photo)",
            "The harbour at dawn. Image: NASA",
            "The harbour at dawn, copyright Ann Lee",
            "The harbour at dawn. Fot. Ann Lee",
            "The harbour at dawn.",
            "A separate question: what now?",
            "Sources say the council will vote (again) on Tuesday.",
        ];
        for text in samples {
            let plain = CREDIT_TAIL.find(text).map(|m| m.start());
            assert_eq!(credit_start(text), plain, "{text}");
        }
        // The samples exercise both outcomes.
        assert!(samples.iter().filter(|t| credit_start(t).is_some()).count() >= 12);
        assert!(credit_start("The harbour at dawn.").is_none());
    }

    #[test]
    fn an_empty_thread_body_takes_the_posts_text_and_a_real_body_stays() {
        let post = |t: &str| crate::model::Post {
            author: Some("ann".into()),
            published: None,
            text: t.into(),
        };
        let posts = vec![post("First post text here."), post("A reply to it.")];
        let mut empty = vec![Block::Paragraph { text: " ".into() }];
        assert!(fill_from_posts(&mut empty, &posts));
        let texts: Vec<String> = empty.iter().map(Block::text).collect();
        assert_eq!(texts, vec!["First post text here.", "A reply to it."]);
        let mut real = vec![Block::Paragraph {
            text: "The thread as the classifier kept it.".into(),
        }];
        assert!(!fill_from_posts(&mut real, &posts));
        assert_eq!(real.len(), 1);
        assert!(!fill_from_posts(&mut Vec::new(), &[]));
    }

    /// `p` and its exact pattern agree on every case, and `loose_only` shows the
    /// loose copy admitting what the exact pattern refuses.
    fn agrees(p: &Prefiltered, cases: &[(&str, bool)], loose_only: &str) {
        for &(text, want) in cases {
            assert_eq!(p.exact.is_match(text), want, "{text}");
            assert_eq!(p.is_match(text), want, "{text}");
        }
        assert!(p.loose.is_match(loose_only) && !p.exact.is_match(loose_only));
    }

    #[test]
    fn a_passage_printed_twice_is_read_once() {
        let para = |s: &str| Block::Paragraph {
            text: s.to_string(),
        };
        let long = "The council voted on Tuesday to close the bridge.";
        let mut body = vec![
            Block::Heading {
                level: 2,
                text: "Why the bridge closed now".into(),
            },
            para(long),
            para("Yes"),
            Block::List {
                ordered: false,
                items: vec!["Budget overruns in 2024".into(), "Rust".into()],
            },
            // The mobile copy of the same article, with other whitespace.
            Block::Heading {
                level: 2,
                text: "Why the bridge  closed now".into(),
            },
            para("The council voted on Tuesday\nto close the bridge."),
            para("Yes"),
            Block::List {
                ordered: false,
                items: vec!["Budget overruns in 2024".into(), "Rust".into()],
            },
            Block::Blockquote {
                paragraphs: vec![long.into()],
            },
            para("A new closing paragraph that only appears once."),
        ];
        drop_repeated_text(&mut body);
        assert_eq!(
            body,
            vec![
                Block::Heading {
                    level: 2,
                    text: "Why the bridge closed now".into()
                },
                para(long),
                para("Yes"),
                Block::List {
                    ordered: false,
                    items: vec!["Budget overruns in 2024".into(), "Rust".into()]
                },
                // Short lines may recur; the repeated item went, the short one stayed.
                para("Yes"),
                Block::List {
                    ordered: false,
                    items: vec!["Rust".into()]
                },
                para("A new closing paragraph that only appears once."),
            ]
        );
    }

    #[test]
    fn boiler_line_is_the_exact_pattern() {
        let cases = [
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
        ];
        agrees(&BOILER_LINE, &cases, "Caféwe use cookies");
    }

    #[test]
    fn appeal_is_the_exact_pattern() {
        let cases = [
            ("Subscribe now for unlimited access.", true),
            ("Folgen Sie uns auf Instagram!", true),
            ("Suscríbete a nuestro boletín", true),
            ("Please support our journalism today.", true),
            // Unicode `\b`: "nowé" is one word, so "subscribe now" is not a phrase here.
            ("Subscribe nowé", false),
            ("Die Bienen fliegen über die Wiese.", false),
        ];
        agrees(&APPEAL, &cases, "Subscribe nowé");
    }
}
