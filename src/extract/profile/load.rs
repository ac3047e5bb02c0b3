//! Profile loading: TOML text → a compiled, validated [`Profile`]; the set of known
//! profiles ([`ProfileSet`]) and the choice of one by host or by `--profile`.
//!
//! Owns: the TOML schema of a profile file (every key a user may write), its
//! validation (a bad regex, a bad selector, a rule missing a capture group it needs
//! is a clear [`ProfileError`] naming the key), and host matching. Must not: look at
//! a page, segment or classify anything (that is [`super::classify`]), or do I/O
//! other than reading one profile file.

use std::path::Path;
use std::sync::Arc;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use scraper::Selector;
use serde::Deserialize;
use url::Url;

use super::rules::Rules;

/// Version of the profile engine; part of every document's provenance. Bumped when
/// the output for the same page and profile may change.
pub const ENGINE_VERSION: &str = "1.2";

const ESR_TOML: &str = include_str!("../profiles/esr.toml");

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
    kicker: Option<String>,
    title: Option<String>,
    subtitle: Option<String>,
    byline: Option<String>,
    date: Option<String>,
    breadcrumb: Option<String>,
    bio: Option<String>,
    #[serde(default)]
    remove: Vec<String>,
}

/// One regex or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl Default for OneOrMany {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl OneOrMany {
    fn list(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    breadcrumb: Option<String>,
    breadcrumb_separator: Option<String>,
    breadcrumb_self: Option<String>,
    #[serde(default)]
    kicker: Vec<String>,
    byline: Option<String>,
    dateline: Option<String>,
    paren_date: Option<String>,
    end_mark: Option<String>,
    end_mark_image: Option<String>,
    #[serde(default)]
    chrome: Vec<String>,
    #[serde(default)]
    boilerplate: Vec<String>,
    #[serde(default)]
    stop: Vec<String>,
    #[serde(default)]
    footer: Vec<String>,
    #[serde(default)]
    bio: Vec<String>,
    #[serde(default)]
    original_publication: Vec<String>,
    signature: Option<String>,
    #[serde(default)]
    book_data: Vec<String>,
    #[serde(default)]
    title_strip: Vec<String>,
    #[serde(default)]
    decorative_image: Vec<String>,
    /// Regexes over the URL with named groups `y` (2 or 4 digits), `m` and
    /// optionally `d`: the publication date when the page states none. The first
    /// that matches wins.
    #[serde(default)]
    url_date: OneOrMany,
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
    pub(super) sel: Selectors,
    pub(super) rules: Rules,
}

/// Compiled CSS selectors of a profile.
#[derive(Debug, Clone, Default)]
pub(super) struct Selectors {
    pub body: Option<Selector>,
    pub kicker: Option<Selector>,
    pub title: Option<Selector>,
    pub subtitle: Option<Selector>,
    pub byline: Option<Selector>,
    pub date: Option<Selector>,
    pub breadcrumb: Option<Selector>,
    pub bio: Option<Selector>,
    pub remove: Vec<Selector>,
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

/// Compile one rule regex: case-insensitive, size-capped.
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

/// A rule whose value is read from capture group 1 must have one.
fn with_group(r: Regex, what: &str) -> Result<Regex, String> {
    if r.captures_len() < 2 {
        return Err(format!(
            "rules.{what}: the regex needs a capture group (group 1 is the value)"
        ));
    }
    Ok(r)
}

fn css(src: &Option<String>, what: &str) -> Result<Option<Selector>, String> {
    src.as_deref()
        .map(|s| Selector::parse(s).map_err(|e| format!("selectors.{what}: {e}")))
        .transpose()
}

fn compile_rules(r: &RulesFile) -> Result<Rules, String> {
    let opt = |s: &Option<String>, w: &str| s.as_deref().map(|s| re(s, w)).transpose();
    let url_date = r
        .url_date
        .list()
        .iter()
        .map(|s| {
            let rx = re(s, "url_date")?;
            let names: Vec<&str> = rx.capture_names().flatten().collect();
            if !(names.contains(&"y") && names.contains(&"m")) {
                return Err(format!(
                    "rules.url_date: {s:?} needs named groups (?P<y>…) and (?P<m>…)"
                ));
            }
            Ok(rx)
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Rules {
        breadcrumb: opt(&r.breadcrumb, "breadcrumb")?,
        breadcrumb_separator: re(
            r.breadcrumb_separator
                .as_deref()
                .unwrap_or(r"\s*(?:>|»|›|/|\|)\s*"),
            "breadcrumb_separator",
        )?,
        breadcrumb_self: opt(&r.breadcrumb_self, "breadcrumb_self")?,
        kicker: set(&r.kicker, "kicker")?,
        byline: re(r.byline.as_deref().unwrap_or(r"^by\s+\S"), "byline")?,
        dateline: opt(&r.dateline, "dateline")?,
        paren_date: opt(&r.paren_date, "paren_date")?
            .map(|x| with_group(x, "paren_date"))
            .transpose()?,
        end_mark: opt(&r.end_mark, "end_mark")?,
        end_mark_image: opt(&r.end_mark_image, "end_mark_image")?,
        chrome: set(&r.chrome, "chrome")?,
        boilerplate: set(&r.boilerplate, "boilerplate")?,
        stop: set(&r.stop, "stop")?,
        footer: set(&r.footer, "footer")?,
        bio: res(&r.bio, "bio")?,
        original_publication: res(&r.original_publication, "original_publication")?
            .into_iter()
            .map(|x| with_group(x, "original_publication"))
            .collect::<Result<_, _>>()?,
        signature: opt(&r.signature, "signature")?
            .map(|x| with_group(x, "signature"))
            .transpose()?,
        book_data: set(&r.book_data, "book_data")?,
        title_strip: res(&r.title_strip, "title_strip")?,
        decorative_image: res(&r.decorative_image, "decorative_image")?,
        url_date,
    })
}

impl Profile {
    /// Parse and compile a profile from TOML text. The error names the key at fault.
    pub fn from_toml(text: &str) -> Result<Profile, String> {
        let f: ProfileFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if f.name.trim().is_empty() {
            return Err("name must not be empty".into());
        }
        let s = &f.selectors;
        let sel = Selectors {
            body: css(&s.body, "body")?,
            kicker: css(&s.kicker, "kicker")?,
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
        Ok(Profile {
            name: f.name,
            site: f.site,
            hosts: f
                .hosts
                .iter()
                .map(|h| {
                    h.trim()
                        .trim_end_matches('.')
                        .trim_start_matches("www.")
                        .to_ascii_lowercase()
                })
                .filter(|h| !h.is_empty())
                .collect(),
            sel,
            rules: compile_rules(&f.rules)?,
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

    /// Whether the profile is chosen for `host`: the host itself or any subdomain
    /// (`www.` or not), case and a trailing dot ignored.
    pub fn matches_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.iter().any(|h| {
            host == *h
                || host
                    .strip_suffix(h.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
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

    /// The profile whose hosts match `url`, if any (any scheme, any port).
    pub fn for_url(&self, url: &Url) -> Option<Arc<Profile>> {
        let host = url.host_str()?;
        self.profiles.iter().find(|p| p.matches_host(host)).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_esr_profile_compiles_and_matches_every_host_form() {
        let p = Profile::from_toml(ESR_TOML).expect("esr.toml compiles");
        assert_eq!(p.name, "esr");
        for h in [
            "www.enterstageright.com",
            "enterstageright.com",
            "WWW.EnterStageRight.com",
            "enterstageright.com.",
        ] {
            assert!(p.matches_host(h), "{h}");
        }
        assert!(!p.matches_host("notenterstageright.com"));
        assert!(!p.matches_host("enterstageright.com.evil.example"));
        let set = ProfileSet::builtin();
        for u in [
            "http://www.enterstageright.com/archive/articles/0111/quotes.htm",
            "https://enterstageright.com/archive/articles/0111/quotes.htm",
            "https://www.enterstageright.com:443/x.htm",
        ] {
            let url = Url::parse(u).unwrap();
            assert!(set.for_url(&url).is_some(), "{u}");
        }
    }

    #[test]
    fn bad_profiles_are_rejected_with_the_field() {
        let bad = |t: &str| Profile::from_toml(t).unwrap_err();
        let e = bad("name = \"x\"\n[rules]\nbyline = \"(\"");
        assert!(e.contains("rules.byline"), "{e}");
        let e = bad("name = \"x\"\n[selectors]\nbody = \"div[\"");
        assert!(e.contains("selectors.body"), "{e}");
        assert!(Profile::from_toml("name = \"x\"\nbogus = 1").is_err());
        let e = bad("name = \"x\"\n[rules]\nkicker = ['(']");
        assert!(e.contains("rules.kicker"), "{e}");
        let e = bad("name = \"x\"\n[rules]\nurl_date = '/(\\d\\d)(\\d\\d)/'");
        assert!(
            e.contains("rules.url_date") && e.contains("named groups"),
            "{e}"
        );
        let e = bad("name = \"x\"\n[rules]\nsignature = '^-\\s*\\S+$'");
        assert!(
            e.contains("rules.signature") && e.contains("capture group"),
            "{e}"
        );
        let e = bad("name = \"x\"\n[rules]\nparen_date = '^\\(.*\\)'");
        assert!(e.contains("rules.paren_date"), "{e}");
        let e = bad("name = \"x\"\n[rules]\nbook_data = ['[']");
        assert!(e.contains("rules.book_data"), "{e}");
        let e = bad("name = \"x\"\n[selectors]\nkicker = '<<'");
        assert!(e.contains("selectors.kicker"), "{e}");
    }

    #[test]
    fn the_readme_example_profile_loads() {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("```toml\nname = \"my-mag\"")
            .expect("README has the example profile");
        let body = &readme[start + "```toml\n".len()..];
        let end = body.find("```").expect("the example is closed");
        let p = Profile::from_toml(&body[..end]).expect("the README example compiles");
        assert_eq!(p.name, "my-mag");
        assert!(p.sel.kicker.is_some());
        assert_eq!(p.rules.url_date.len(), 1);
        assert!(p.rules.signature.is_some() && p.rules.paren_date.is_some());
    }

    #[test]
    fn url_date_takes_one_rule_or_a_list() {
        let one = "name = \"x\"\n[rules]\nurl_date = '/(?P<y>\\d{4})/(?P<m>\\d\\d)/'";
        assert_eq!(Profile::from_toml(one).unwrap().rules.url_date.len(), 1);
        let two = "name = \"x\"\n[rules]\nurl_date = ['/(?P<y>\\d{4})/(?P<m>\\d\\d)/', '/(?P<m>\\d\\d)(?P<y>\\d\\d)/']";
        assert_eq!(Profile::from_toml(two).unwrap().rules.url_date.len(), 2);
    }
}
