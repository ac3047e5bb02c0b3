//! Site profiles: data (TOML) that tells the extractor where a magazine's article is
//! and what its chrome looks like. Enter Stage Right's profile is built in
//! (`src/extract/profiles/esr.toml`); users add others with `--profile FILE`.
//!
//! A profile has two halves. Optional CSS selectors pin down parts a modern template
//! marks up (body region, title, byline, date, breadcrumb, bio, elements to remove).
//! Text rules (regexes) classify the reading-order segments of hand-made pages
//! (see [`super::segment`]): breadcrumb, byline, dateline, the end mark, the author
//! note, reprint notices, and chrome phrases. The engine here is generic; nothing in
//! it names a site.
//!
//! Owns: profile loading, validation and selection by host, and profile-driven
//! extraction. Must not decode bytes or do I/O other than reading a profile file.

use std::cell::OnceCell;
use std::path::Path;
use std::sync::Arc;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use scraper::{ElementRef, Selector};
use serde::Deserialize;
use url::Url;

use super::dom::Document;
use super::segment::{self, SegKind, Segment, Segments};
use crate::model::{Block, Content, DateSource, ExtractorInfo, PageType, PublishedDate};
use crate::normalize;

/// Version of the profile engine; part of every document's provenance.
pub const ENGINE_VERSION: &str = "1.0";

const ESR_TOML: &str = include_str!("profiles/esr.toml");

/// A profile as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    site: Option<String>,
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    selectors: SelectorsFile,
    #[serde(default)]
    rules: RulesFile,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SelectorsFile {
    body: Option<String>,
    title: Option<String>,
    subtitle: Option<String>,
    byline: Option<String>,
    date: Option<String>,
    breadcrumb: Option<String>,
    bio: Option<String>,
    #[serde(default)]
    remove: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    breadcrumb: Option<String>,
    breadcrumb_separator: Option<String>,
    breadcrumb_self: Option<String>,
    byline: Option<String>,
    dateline: Option<String>,
    end_mark: Option<String>,
    end_mark_image: Option<String>,
    #[serde(default)]
    chrome: Vec<String>,
    #[serde(default)]
    stop: Vec<String>,
    #[serde(default)]
    bio: Vec<String>,
    #[serde(default)]
    original_publication: Vec<String>,
    #[serde(default)]
    title_strip: Vec<String>,
    #[serde(default)]
    decorative_image: Vec<String>,
    /// A regex over the URL with named groups `y` (2 or 4 digits), `m` and
    /// optionally `d`: the publication date when the page states none.
    url_date: Option<String>,
}

/// One compiled site profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Short name, e.g. "esr".
    pub name: String,
    /// Site name written into `content.site`.
    pub site: Option<String>,
    /// Hosts (and their subdomains) the profile is chosen for.
    pub hosts: Vec<String>,
    sel: Selectors,
    rules: Rules,
}

#[derive(Debug, Clone, Default)]
struct Selectors {
    body: Option<Selector>,
    title: Option<Selector>,
    subtitle: Option<Selector>,
    byline: Option<Selector>,
    date: Option<Selector>,
    breadcrumb: Option<Selector>,
    bio: Option<Selector>,
    remove: Vec<Selector>,
}

#[derive(Debug, Clone)]
struct Rules {
    breadcrumb: Option<Regex>,
    breadcrumb_separator: Regex,
    breadcrumb_self: Option<Regex>,
    byline: Regex,
    dateline: Option<Regex>,
    end_mark: Option<Regex>,
    end_mark_image: Option<Regex>,
    chrome: RegexSet,
    stop: RegexSet,
    bio: Vec<Regex>,
    original_publication: Vec<Regex>,
    title_strip: Vec<Regex>,
    decorative_image: Vec<Regex>,
    url_date: Option<Regex>,
}

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read profile {path}: {source}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid profile.
    #[error("invalid profile {path}: {detail}")]
    Invalid {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// No built-in profile has this name.
    #[error("unknown profile {0:?} (built-in: esr; or give a path to a .toml file)")]
    Unknown(String),
}

fn re(src: &str, what: &str) -> Result<Regex, String> {
    RegexBuilder::new(src)
        .case_insensitive(true)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| format!("rules.{what}: {e}"))
}

fn res(srcs: &[String], what: &str) -> Result<Vec<Regex>, String> {
    srcs.iter().map(|s| re(s, what)).collect()
}

fn set(srcs: &[String], what: &str) -> Result<RegexSet, String> {
    RegexSetBuilder::new(srcs)
        .case_insensitive(true)
        .size_limit(1 << 24)
        .build()
        .map_err(|e| format!("rules.{what}: {e}"))
}

fn css(src: &Option<String>, what: &str) -> Result<Option<Selector>, String> {
    src.as_deref()
        .map(|s| Selector::parse(s).map_err(|e| format!("selectors.{what}: {e}")))
        .transpose()
}

impl Profile {
    /// Parse and compile a profile from TOML text.
    pub fn from_toml(text: &str) -> Result<Profile, String> {
        let f: ProfileFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if f.name.trim().is_empty() {
            return Err("name must not be empty".into());
        }
        let s = &f.selectors;
        let sel = Selectors {
            body: css(&s.body, "body")?,
            title: css(&s.title, "title")?,
            subtitle: css(&s.subtitle, "subtitle")?,
            byline: css(&s.byline, "byline")?,
            date: css(&s.date, "date")?,
            breadcrumb: css(&s.breadcrumb, "breadcrumb")?,
            bio: css(&s.bio, "bio")?,
            remove: s
                .remove
                .iter()
                .map(|r| Selector::parse(r).map_err(|e| format!("selectors.remove: {e}")))
                .collect::<Result<_, _>>()?,
        };
        let r = &f.rules;
        let opt = |s: &Option<String>, w: &str| s.as_deref().map(|s| re(s, w)).transpose();
        let rules = Rules {
            breadcrumb: opt(&r.breadcrumb, "breadcrumb")?,
            breadcrumb_separator: re(
                r.breadcrumb_separator
                    .as_deref()
                    .unwrap_or(r"\s*(?:>|»|›|/|\|)\s*"),
                "breadcrumb_separator",
            )?,
            breadcrumb_self: opt(&r.breadcrumb_self, "breadcrumb_self")?,
            byline: re(r.byline.as_deref().unwrap_or(r"^by\s+\S"), "byline")?,
            dateline: opt(&r.dateline, "dateline")?,
            end_mark: opt(&r.end_mark, "end_mark")?,
            end_mark_image: opt(&r.end_mark_image, "end_mark_image")?,
            chrome: set(&r.chrome, "chrome")?,
            stop: set(&r.stop, "stop")?,
            bio: res(&r.bio, "bio")?,
            original_publication: res(&r.original_publication, "original_publication")?,
            title_strip: res(&r.title_strip, "title_strip")?,
            decorative_image: res(&r.decorative_image, "decorative_image")?,
            url_date: opt(&r.url_date, "url_date")?,
        };
        Ok(Profile {
            name: f.name,
            site: f.site,
            hosts: f
                .hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
            sel,
            rules,
        })
    }

    /// Load a profile file.
    pub fn from_file(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Profile::from_toml(&text).map_err(|detail| ProfileError::Invalid {
            path: path.to_path_buf(),
            detail,
        })
    }

    fn matches_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.hosts
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    }
}

/// The profiles known to a run.
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    profiles: Vec<Arc<Profile>>,
}

impl ProfileSet {
    /// The built-in profiles (Enter Stage Right).
    pub fn builtin() -> ProfileSet {
        // The built-in profile is tested; should it ever fail to compile, run without
        // it rather than panic (the generic extractor still works).
        let profiles = Profile::from_toml(ESR_TOML)
            .map(Arc::new)
            .into_iter()
            .collect();
        ProfileSet { profiles }
    }

    /// Resolve a `--profile` argument: a built-in name, or a path to a TOML file.
    pub fn resolve(&self, name_or_path: &str) -> Result<Arc<Profile>, ProfileError> {
        if let Some(p) = self.profiles.iter().find(|p| p.name == name_or_path) {
            return Ok(p.clone());
        }
        let path = Path::new(name_or_path);
        if name_or_path.ends_with(".toml") || path.is_file() {
            return Profile::from_file(path).map(Arc::new);
        }
        Err(ProfileError::Unknown(name_or_path.to_string()))
    }

    /// Add a profile (it is then also chosen by host, before earlier ones).
    pub fn add(&mut self, profile: Arc<Profile>) {
        self.profiles.insert(0, profile);
    }

    /// The profile whose hosts match `url`, if any.
    pub fn for_url(&self, url: &Url) -> Option<Arc<Profile>> {
        let host = url.host_str()?;
        self.profiles.iter().find(|p| p.matches_host(host)).cloned()
    }
}

/// Extract with a profile.
pub fn extract(doc: &Document, url: &Url, p: &Profile) -> (Content, ExtractorInfo, Vec<String>) {
    let mut warnings = Vec::new();
    let info = ExtractorInfo {
        name: "profile".into(),
        version: ENGINE_VERSION.into(),
        profile: Some(p.name.clone()),
    };
    let meta = super::meta::page_meta(doc, url);
    let chosen = p.sel.body.as_ref().and_then(|s| doc.select(s).next());
    if p.sel.body.is_some() && chosen.is_none() {
        warnings.push("profile body selector matched nothing; scanned the whole page".into());
    }
    let root = chosen.unwrap_or_else(|| doc.root_element());
    let removed = removed_ids(doc, &p.sel.remove);
    let picked = Picked::from_selectors(doc, p);
    let segs = segment::segment_filtered(root, url, &removed, &picked.ids);

    let chrome_box = (0..segs.tables.len()).map(|_| OnceCell::new()).collect();
    let stop_box = (0..segs.tables.len()).map(|_| OnceCell::new()).collect();
    let chrome_memo = (0..segs.segs.len()).map(|_| OnceCell::new()).collect();
    let mut c = Classifier {
        p,
        segs: &segs,
        warnings: &mut warnings,
        chrome_memo,
        chrome_box,
        stop_box,
    };
    let mut content = c.run(url, &picked);
    if content.title.is_none() {
        // An index page is named by its <title> as written; an article whose
        // headline was not found falls back to the <title> without the site name.
        content.title = match content.page_type {
            PageType::Index => meta.html_title.clone(),
            PageType::Article => meta.title.as_deref().map(|t| strip_title(t, p)),
        };
    }
    content.site = p.site.clone().or(meta.site_name);
    content.canonical_url = meta.canonical_url;
    content.language = meta.language;
    content.word_count = normalize::word_count(&content.body);
    (content, info, warnings)
}

fn strip_title(t: &str, p: &Profile) -> String {
    let mut t = t.to_string();
    for r in &p.rules.title_strip {
        t = r.replace_all(&t, "").into_owned();
    }
    normalize::text(&t)
}

/// Node ids of elements a profile removes.
fn removed_ids(doc: &Document, sels: &[Selector]) -> std::collections::HashSet<ego_tree::NodeId> {
    sels.iter()
        .flat_map(|s| doc.select(s))
        .map(|e| e.id())
        .collect()
}

/// Values taken by selectors, and the elements they came from (skipped by the
/// segmenter so they don't reappear in the body).
#[derive(Default)]
struct Picked {
    title: Option<String>,
    subtitle: Option<String>,
    byline: Option<String>,
    date: Option<String>,
    breadcrumb: Option<Vec<String>>,
    bio: Option<String>,
    ids: std::collections::HashSet<ego_tree::NodeId>,
}

fn el_text(e: ElementRef<'_>) -> String {
    normalize::text(&e.text().collect::<String>())
}

impl Picked {
    fn from_selectors(doc: &Document, p: &Profile) -> Picked {
        let mut k = Picked::default();
        let one = |s: &Option<Selector>, ids: &mut std::collections::HashSet<ego_tree::NodeId>| {
            let e = s.as_ref().and_then(|s| doc.select(s).next())?;
            ids.insert(e.id());
            Some(el_text(e)).filter(|t| !t.is_empty())
        };
        let mut ids = std::collections::HashSet::new();
        k.title = one(&p.sel.title, &mut ids);
        k.subtitle = one(&p.sel.subtitle, &mut ids);
        k.byline = one(&p.sel.byline, &mut ids);
        k.date = one(&p.sel.date, &mut ids);
        k.bio = one(&p.sel.bio, &mut ids);
        if let Some(s) = &p.sel.breadcrumb {
            let items: Vec<String> = doc
                .select(s)
                .map(|e| {
                    ids.insert(e.id());
                    el_text(e)
                })
                .filter(|t| !t.is_empty())
                .collect();
            if !items.is_empty() {
                k.breadcrumb = Some(items);
            }
        }
        k.ids = ids;
        k
    }
}

struct Classifier<'a> {
    p: &'a Profile,
    segs: &'a Segments,
    warnings: &'a mut Vec<String>,
    /// Per segment, computed when first asked: is it chrome.
    chrome_memo: Vec<OnceCell<bool>>,
    /// Per table, computed when first asked: a small box with a chrome phrase.
    chrome_box: Vec<OnceCell<bool>>,
    /// Per table, computed when first asked: a small box with a stop phrase.
    stop_box: Vec<OnceCell<bool>>,
}

/// A chrome box: a small table whose text contains a chrome phrase.
const SMALL_BOX_CHARS: usize = 700;

/// Longest text (bytes) that a chrome or stop phrase can classify.
const MAX_CHROME_TEXT: usize = 320;

impl Classifier<'_> {
    /// Chrome phrases mark short texts only: a long paragraph that mentions
    /// "donations" or "copyright" is body text.
    fn is_chrome_text(&self, t: &str) -> bool {
        t.len() <= MAX_CHROME_TEXT && self.p.rules.chrome.is_match(t)
    }

    fn is_stop(&self, t: &str) -> bool {
        t.len() <= MAX_CHROME_TEXT && self.p.rules.stop.is_match(t)
    }

    /// A segment that is navigation, an ad box or another piece of chrome (memoized:
    /// the classifier asks about the same segment several times).
    fn is_chrome(&self, s: &Segment) -> bool {
        match self.index_of(s).and_then(|i| self.chrome_memo.get(i)) {
            Some(cell) => *cell.get_or_init(|| self.compute_chrome(s)),
            None => self.compute_chrome(s),
        }
    }

    /// Position of `s` in the segment list, when it is an element of it.
    fn index_of(&self, s: &Segment) -> Option<usize> {
        let base = self.segs.segs.as_ptr() as usize;
        let at = s as *const Segment as usize;
        let size = std::mem::size_of::<Segment>().max(1);
        let off = at.checked_sub(base)?;
        (off % size == 0)
            .then_some(off / size)
            .filter(|&i| i < self.segs.segs.len())
    }

    fn compute_chrome(&self, s: &Segment) -> bool {
        if matches!(s.kind, SegKind::Rule) {
            return true;
        }
        if let SegKind::Image {
            src,
            alt,
            size,
            in_link,
        } = &s.kind
        {
            return size.is_some_and(|z| z <= 12)
                || (*in_link && size.is_none_or(|z| z < 100))
                || self
                    .p
                    .rules
                    .decorative_image
                    .iter()
                    .any(|r| r.is_match(src))
                || self.in_chrome_box(s)
                || alt.as_deref().is_some_and(|a| self.is_chrome_text(a));
        }
        if self.is_chrome_text(&s.text) {
            return true;
        }
        if s.chars > 0 && s.link_ratio() > 0.6 {
            return true;
        }
        self.in_chrome_box(s)
    }

    fn in_chrome_box(&self, s: &Segment) -> bool {
        self.small_box(s, &self.chrome_box, &self.p.rules.chrome)
    }

    fn small_box(&self, s: &Segment, cache: &[OnceCell<bool>], set: &RegexSet) -> bool {
        let Some(t) = s.table else { return false };
        let (Some(cell), Some(info)) = (cache.get(t), self.segs.tables.get(t)) else {
            return false;
        };
        *cell.get_or_init(|| info.chars < SMALL_BOX_CHARS && set.is_match(&info.text))
    }

    fn is_end_mark_image(&self, s: &Segment) -> bool {
        match (&s.kind, &self.p.rules.end_mark_image) {
            (SegKind::Image { src, alt, .. }, Some(r)) => {
                alt.as_deref().is_some_and(|a| r.is_match(a))
                    || r.is_match(src.rsplit('/').next().unwrap_or(""))
            }
            _ => false,
        }
    }

    /// Headline-like: a heading, or short text set large, bold or centred-bold.
    fn prominence(&self, s: &Segment) -> i32 {
        if s.chars == 0 || s.chars > 300 || s.link_ratio() > 0.5 || self.is_chrome_text(&s.text) {
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

    fn byline_line(&self, s: &Segment) -> Option<usize> {
        s.lines
            .iter()
            .position(|l| l.chars().count() < 200 && self.p.rules.byline.is_match(l))
    }

    fn date_line(&self, s: &Segment) -> Option<usize> {
        let r = self.p.rules.dateline.as_ref()?;
        s.lines
            .iter()
            .position(|l| l.chars().count() < 120 && r.is_match(l))
    }

    fn run(&mut self, url: &Url, picked: &Picked) -> Content {
        let segs = &self.segs.segs;
        let n = segs.len();
        let mut used = vec![false; n];

        // 1. Breadcrumb.
        let mut section = picked
            .breadcrumb
            .clone()
            .map(|v| self.trim_trail(v))
            .unwrap_or_default();
        let mut crumb_at: Option<usize> = None;
        if picked.breadcrumb.is_none() {
            if let Some(r) = &self.p.rules.breadcrumb {
                let limit = n.min(60);
                if let Some(i) =
                    (0..limit).find(|&i| r.is_match(&segs[i].text) && segs[i].chars < 300)
                {
                    used[i] = true;
                    crumb_at = Some(i);
                    let items = self
                        .p
                        .rules
                        .breadcrumb_separator
                        .split(&segs[i].text)
                        .map(normalize::text)
                        .filter(|t| !t.is_empty())
                        .collect();
                    section = self.trim_trail(items);
                }
            }
        }

        // 2. Byline and dateline: the anchor of the article head.
        let head_limit = n.min(80);
        let mut authors = picked
            .byline
            .as_deref()
            .map(normalize::split_authors)
            .unwrap_or_default();
        let mut published: Option<PublishedDate> =
            picked.date.as_deref().and_then(normalize::parse_date);
        let mut anchor: Option<usize> = None;
        let mut byline_at: Option<usize> = None;
        for i in 0..head_limit {
            if used[i] || self.is_chrome_text(&segs[i].text) && self.byline_line(&segs[i]).is_none()
            {
                continue;
            }
            let s = &segs[i];
            let mut hit = false;
            if authors.is_empty() && byline_at.is_none() {
                if let Some(l) = self.byline_line(s) {
                    let line = &s.lines[l];
                    // A dateline on the same line ("By X, web posted ...") is cut off.
                    let cut = self
                        .p
                        .rules
                        .dateline
                        .as_ref()
                        .and_then(|r| r.find(line).map(|m| m.start()))
                        .filter(|&p| p > 0)
                        .map_or(line.as_str(), |p| &line[..p]);
                    authors = normalize::split_authors(cut);
                    byline_at = Some(i);
                    hit = true;
                }
            }
            if published.is_none() {
                if let Some(l) = self.date_line(s) {
                    published = normalize::parse_date(&s.lines[l]);
                    if published.is_none() {
                        self.warnings
                            .push(format!("unparsed date line {:?}", s.lines[l]));
                    }
                    hit = true;
                }
            }
            if hit {
                used[i] = true;
                anchor = Some(anchor.map_or(i, |a: usize| a.max(i)));
            }
            if published.is_some() && (byline_at.is_some() || !authors.is_empty()) {
                break;
            }
        }

        let mut date_from_url = false;
        if published.is_none() {
            published = self.url_date(url);
            date_from_url = published.is_some();
        }

        // 3. Title and deck: prominent segments after the breadcrumb, before the body.
        let first_head = crumb_at.map_or(0, |i| i + 1);
        let (mut title, mut subtitle) = (picked.title.clone(), picked.subtitle.clone());
        let mut body_start = anchor.map_or(first_head, |a| a + 1);
        if title.is_none() {
            let before_anchor = anchor.unwrap_or(head_limit.min(n));
            let mut cands: Vec<usize> = (first_head..before_anchor)
                .filter(|&i| !used[i] && self.prominence(&segs[i]) > 0)
                .collect();
            let mut after = false;
            if cands.is_empty() {
                // Byline above the headline: look just after the anchor.
                cands = (body_start..n.min(body_start + 4))
                    .filter(|&i| self.prominence(&segs[i]) > 0)
                    .take(2)
                    .collect();
                after = true;
            }
            if let Some(&best) = cands
                .iter()
                .max_by_key(|&&i| (self.prominence(&segs[i]), std::cmp::Reverse(i)))
            {
                let (t, deck) = split_head_lines(&segs[best]);
                title = Some(t);
                subtitle = deck;
                used[best] = true;
                if let Some(&deck) = cands
                    .iter()
                    .find(|&&i| i > best)
                    .filter(|_| subtitle.is_none())
                {
                    if self.prominence(&segs[deck]) > 0 && segs[deck].chars < 250 {
                        subtitle = Some(segs[deck].text.clone());
                        used[deck] = true;
                    }
                }
                if anchor.is_none() || after {
                    body_start = body_start.max(
                        cands
                            .iter()
                            .copied()
                            .filter(|&i| used[i])
                            .max()
                            .unwrap_or(best)
                            + 1,
                    );
                }
            }
            if anchor.is_none() {
                // Plain segments between the headline and the body that are italic
                // and short are a deck.
                if subtitle.is_none() && body_start < n {
                    let s = &segs[body_start];
                    if s.italic_ratio() > 0.8 && s.chars < 200 && !self.is_chrome(s) {
                        subtitle = Some(s.text.clone());
                        used[body_start] = true;
                        body_start += 1;
                    }
                }
            }
        } else if anchor.is_none() {
            body_start = 0;
        }
        if let Some(a) = anchor {
            // A deck may sit between the headline and the byline: anything left
            // there that is short and not chrome.
            if subtitle.is_none() {
                if let Some(i) = (first_head..a).find(|&i| {
                    !used[i]
                        && segs[i].chars < 250
                        && !self.is_chrome(&segs[i])
                        && segs[i].chars > 0
                }) {
                    subtitle = Some(segs[i].text.clone());
                    used[i] = true;
                }
            }
            // A second date/byline line in the segment right after the anchor.
            if body_start < n && (published.is_none() || date_from_url) {
                if let Some(l) = self.date_line(&segs[body_start]) {
                    if let Some(d) = normalize::parse_date(&segs[body_start].lines[l]) {
                        published = Some(d);
                        date_from_url = false;
                    }
                    body_start += 1;
                }
            }
        }

        // 4. The end of the body: the end mark, else the first stop phrase.
        let mut end = n;
        let mut end_mark_at: Option<usize> = None;
        let mut seen_body = false;
        for i in body_start..n {
            let s = &segs[i];
            if self.is_end_mark_image(s) && seen_body {
                end_mark_at = Some(i);
                end = i;
                break;
            }
            if let Some(r) = &self.p.rules.end_mark {
                if matches!(
                    s.kind,
                    SegKind::Text | SegKind::Quote(_) | SegKind::ListItem { .. }
                ) && s.chars > 2
                    && r.is_match(&s.text)
                    && !self.is_chrome(s)
                {
                    end_mark_at = Some(i);
                    end = i + 1;
                    break;
                }
            }
            if seen_body && (self.is_stop(&s.text) || self.is_stop_box(s)) {
                end = i;
                break;
            }
            if s.chars > 60 && !self.is_chrome(s) {
                seen_body = true;
            }
        }

        // 5. The author note: italic text after the end mark, or before the stop.
        let mut bio = picked.bio.clone();
        let mut bio_range: Option<(usize, usize)> = None;
        if bio.is_none() {
            if end_mark_at.is_some() {
                let mut j = end;
                while j < n && segs[j].chars == 0 && !matches!(segs[j].kind, SegKind::Image { .. })
                {
                    j += 1;
                }
                // Skip a trailing end-mark image directly after the text.
                while j < n && self.is_end_mark_image(&segs[j]) {
                    j += 1;
                }
                let start = j;
                while j < n && self.looks_like_bio(&segs[j], j == start) {
                    j += 1;
                }
                if j > start {
                    bio_range = Some((start, j));
                }
            } else {
                // Without an end mark: trailing italic notes at the end of the body.
                let mut j = end;
                while j > body_start && (segs[j - 1].chars == 0 || self.is_chrome(&segs[j - 1])) {
                    j -= 1;
                }
                let stop = j;
                while j > body_start
                    && self.looks_like_bio(&segs[j - 1], false)
                    && segs[j - 1].italic_ratio() > 0.6
                {
                    j -= 1;
                }
                if j < stop {
                    bio_range = Some((j, stop));
                    end = j;
                }
            }
            if let Some((a, b)) = bio_range {
                let text: Vec<&str> = segs[a..b]
                    .iter()
                    .map(|s| s.text.as_str())
                    .filter(|t| !t.is_empty())
                    .collect();
                bio = Some(text.join(" ")).filter(|t| !t.is_empty());
            }
        }
        let original_publication = bio.as_deref().and_then(|b| self.original_publication(b));

        // 6. Body blocks. A page with none of the article head (no byline, no
        // dateline, no end mark) where the profile defines them is an index page;
        // so is a page without an end mark that carries several bylines (teasers
        // of other articles).
        let headless = anchor.is_none()
            && end_mark_at.is_none()
            && picked.byline.is_none()
            && picked.date.is_none()
            && (self.p.rules.dateline.is_some() || self.p.sel.date.is_some());
        let teasers = end_mark_at.is_none()
            && picked.byline.is_none()
            && self.p.rules.end_mark.is_some()
            && segs
                .iter()
                .filter(|s| self.byline_line(s).is_some())
                .take(2)
                .count()
                >= 2;
        let body = if headless || teasers {
            Vec::new()
        } else {
            self.blocks(body_start, end, &used, end_mark_at)
        };
        let page_type = if body.is_empty() {
            PageType::Index
        } else {
            PageType::Article
        };
        if body.is_empty() {
            self.warnings
                .push("no article found: treated as an index page".into());
            // Teasers on an index page carry other articles' bylines and dates.
            title = None;
            subtitle = None;
            authors.clear();
            published = None;
        }
        let (bio, original_publication) = if body.is_empty() {
            (None, None)
        } else {
            (bio, original_publication)
        };
        if end_mark_at.is_none()
            && page_type == PageType::Article
            && self.p.rules.end_mark.is_some()
        {
            self.warnings
                .push("no end mark found; body ends at the first chrome".into());
        }
        Content {
            url: url.to_string(),
            canonical_url: None,
            site: None,
            section,
            page_type,
            kicker: None,
            title: title.map(|t| strip_title(&t, self.p)),
            subtitle,
            authors,
            published: published.map(|d| {
                d.from_source(if date_from_url {
                    DateSource::Url
                } else {
                    DateSource::Page
                })
            }),
            body,
            bio,
            original_publication,
            language: None,
            word_count: 0,
        }
    }

    /// The date the URL encodes, by the profile's `url_date` rule.
    fn url_date(&self, url: &Url) -> Option<PublishedDate> {
        let c = self.p.rules.url_date.as_ref()?.captures(url.as_str())?;
        let num = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        let y = num("y")?;
        let y = match y {
            0..=69 => 2000 + y,
            70..=99 => 1900 + y,
            _ => y,
        };
        let iso = match num("d") {
            Some(d) => format!("{y:04}-{:02}-{d:02}", num("m")?),
            None => format!("{y:04}-{:02}", num("m")?),
        };
        normalize::parse_date(&iso)
    }

    /// Text with the end mark cut off: at the mark's capture group 1 when the rule
    /// has one (so the punctuation before the mark stays), else at the match.
    fn strip_end_mark(&self, text: &str) -> String {
        let Some(r) = &self.p.rules.end_mark else {
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

    fn is_stop_box(&self, s: &Segment) -> bool {
        self.small_box(s, &self.stop_box, &self.p.rules.stop)
    }

    fn looks_like_bio(&self, s: &Segment, first: bool) -> bool {
        if s.chars == 0 || self.is_chrome(s) || self.is_stop(&s.text) || s.chars > 800 {
            return false;
        }
        if !matches!(s.kind, SegKind::Text | SegKind::Quote(_)) {
            return false;
        }
        s.italic_ratio() > 0.6 || (first && self.p.rules.bio.iter().any(|r| r.is_match(&s.text)))
    }

    fn original_publication(&self, bio: &str) -> Option<String> {
        self.p.rules.original_publication.iter().find_map(|r| {
            let m = r.captures(bio)?.get(1)?;
            // "in the Globe" → "Globe"; "in The Freeman" keeps its capitalised article.
            let t = normalize::text(m.as_str().trim_end_matches(['.', ',', ';', ':']));
            let t = t.strip_prefix("the ").map(str::to_string).unwrap_or(t);
            (!t.is_empty()).then_some(t)
        })
    }

    fn trim_trail(&self, mut items: Vec<String>) -> Vec<String> {
        if items
            .first()
            .is_some_and(|f| f.eq_ignore_ascii_case("home"))
        {
            items.remove(0);
        }
        if let (Some(r), Some(last)) = (&self.p.rules.breadcrumb_self, items.last()) {
            if r.is_match(last) {
                items.pop();
            }
        }
        items
    }

    fn blocks(
        &mut self,
        start: usize,
        end: usize,
        used: &[bool],
        end_mark_at: Option<usize>,
    ) -> Vec<Block> {
        let segs = &self.segs.segs;
        let mut out: Vec<Block> = Vec::new();
        let total_chars: usize = segs[start..end].iter().map(|s| s.chars).sum();
        // Characters per blockquote, counted once (asking per segment would be
        // quadratic on a page that is one long quote).
        let mut quote_chars: std::collections::HashMap<usize, usize> =
            std::collections::HashMap::new();
        for s in &segs[start..end] {
            if let SegKind::Quote(q) = s.kind {
                *quote_chars.entry(q).or_insert(0) += s.chars;
            }
        }
        let quote_share = |q: usize| -> f32 {
            quote_chars.get(&q).copied().unwrap_or(0) as f32 / total_chars.max(1) as f32
        };
        let mut i = start;
        while i < end {
            let s = &segs[i];
            if used[i] || self.is_chrome(s) || self.is_end_mark_image(s) {
                i += 1;
                continue;
            }
            let mut text = s.text.clone();
            if Some(i) == end_mark_at {
                text = self.strip_end_mark(&text);
            }
            match &s.kind {
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
                        if !self.is_chrome_text(&segs[i].text) {
                            items.push(segs[i].text.clone());
                            links += segs[i].link_chars;
                            chars += segs[i].chars;
                        }
                        i += 1;
                    }
                    if !items.is_empty() && (links as f32) < 0.6 * chars as f32 {
                        out.push(Block::List { ordered, items });
                    }
                    continue;
                }
                SegKind::Quote(q) if quote_share(*q) < 0.6 => {
                    let q = *q;
                    let mut paragraphs = Vec::new();
                    while i < end && segs[i].kind == SegKind::Quote(q) {
                        if !self.is_chrome(&segs[i]) && !used[i] {
                            let mut t = segs[i].text.clone();
                            if Some(i) == end_mark_at {
                                t = self.strip_end_mark(&t);
                            }
                            if !t.is_empty() {
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
                    } else if self.is_subhead(s, &text, i, end) {
                        out.push(Block::Heading { level: 3, text });
                    } else {
                        out.push(Block::Paragraph { text });
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// A short, fully bold (or large) line followed by more text is a subhead.
    fn is_subhead(&self, s: &Segment, text: &str, i: usize, end: usize) -> bool {
        let short = s.chars <= 100;
        let styled = s.bold_ratio() > 0.95 || s.font > 0;
        let ends_like_sentence = text.ends_with(['.', ',', ';', ':']) && !text.ends_with("...");
        let followed = (i + 1..end)
            .any(|j| self.segs.segs[j].chars > 0 && !self.is_chrome(&self.segs.segs[j]));
        short && styled && !ends_like_sentence && followed && s.link_ratio() < 0.5
    }

    /// The caption of the image at `i`: short text that follows it in the same small
    /// box (table cell, table or figure) or the same block. Returns it and how many
    /// segments it used.
    fn caption_after(&self, i: usize, end: usize) -> (Option<String>, usize) {
        let segs = &self.segs.segs;
        let img = &segs[i];
        let small_table = img
            .table
            .and_then(|t| self.segs.tables.get(t))
            .is_some_and(|t| t.chars > 0 && t.chars < 500);
        let mut parts = Vec::new();
        let mut j = i + 1;
        while j < end {
            let s = &segs[j];
            if matches!(s.kind, SegKind::Image { .. }) || s.chars == 0 || s.chars > 400 {
                break;
            }
            let same_box = (img.figure.is_some() && s.figure == img.figure)
                || (img.cell.is_some()
                    && s.cell == img.cell
                    && (small_table || s.min_font < 0 || s.italic_ratio() > 0.6))
                || (small_table && s.table == img.table)
                || (s.block == img.block && img.block != 0)
                || (s.in_caption && j == i + 1);
            if !same_box || self.is_chrome(s) {
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

/// A headline segment whose later lines are set differently (a smaller or italic
/// line after a `<br>`) holds the headline and the deck.
fn split_head_lines(s: &Segment) -> (String, Option<String>) {
    let styles = &s.line_style;
    if s.lines.len() < 2 || styles.len() != s.lines.len() {
        return (s.text.clone(), None);
    }
    let first = styles[0];
    let differs = |l: &segment::LineStyle| {
        l.font != first.font
            || (l.italic - first.italic).abs() > 0.5
            || (l.bold - first.bold).abs() > 0.5
    };
    match styles.iter().position(differs) {
        Some(k) if k > 0 => {
            let title = s.lines[..k].join(" ");
            let deck = s.lines[k..].join(" ");
            (title, (!deck.is_empty()).then_some(deck))
        }
        _ => (s.text.clone(), None),
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
    fn builtin_esr_profile_compiles() {
        let p = Profile::from_toml(ESR_TOML).expect("esr.toml compiles");
        assert_eq!(p.name, "esr");
        assert!(p.matches_host("www.enterstageright.com"));
        assert!(!p.matches_host("notenterstageright.com"));
    }

    #[test]
    fn bad_profiles_are_rejected_with_the_field() {
        let e = Profile::from_toml("name = \"x\"\n[rules]\nbyline = \"(\"").unwrap_err();
        assert!(e.contains("rules.byline"), "{e}");
        let e = Profile::from_toml("name = \"x\"\n[selectors]\nbody = \"div[\"").unwrap_err();
        assert!(e.contains("selectors.body"), "{e}");
        assert!(Profile::from_toml("name = \"x\"\nbogus = 1").is_err());
    }

    #[test]
    fn credit_split() {
        let (c, r) = split_credit(Some("Stalin at the canal. (Wikipedia Commons)".into()));
        assert_eq!(c.as_deref(), Some("Stalin at the canal."));
        assert_eq!(r.as_deref(), Some("Wikipedia Commons"));
        let (c, r) = split_credit(Some("Joseph Stalin".into()));
        assert_eq!((c.as_deref(), r), (Some("Joseph Stalin"), None));
    }
}
