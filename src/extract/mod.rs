//! Extraction: from decoded HTML to the Article content part.
//!
//! A site profile (data: TOML, [`profile`]) is chosen by host or forced by the user;
//! without one the [`generic`] extractor decides what the article is. Both walk the
//! same DOM (html5ever via scraper) and hand raw strings to [`crate::normalize`].
//! Extraction never hard-fails: it returns the best content it found plus warnings.
//!
//! Owns: choosing the extractor, finding the article, naming the chrome, link
//! discovery. Must not: decode bytes, touch the network or the store.

pub mod dom;
pub mod entries;
pub mod generic;
pub mod meta;
pub mod posts;
pub mod profile;
pub mod segment;

use url::Url;

use crate::model::{Content, ExtractorInfo};

pub use profile::{Profile, ProfileSet};

/// Which extractor to use for a page.
#[derive(Debug, Clone, Default)]
pub enum ProfileChoice {
    /// Choose by host among the known profiles; generic when none matches.
    #[default]
    ByHost,
    /// Use this profile whatever the host.
    Force(std::sync::Arc<Profile>),
    /// Always use the generic extractor.
    Generic,
}

/// Frozen configuration of the extract stage.
#[derive(Debug, Clone, Default)]
pub struct ExtractConfig {
    /// Known site profiles (the built-in ones plus any the user added).
    pub profiles: ProfileSet,
    /// How to choose among them.
    pub choice: ProfileChoice,
    /// Do not collect links (for `quire extract`, which has no use for them).
    pub skip_links: bool,
    /// The latest plausible publication date (the fetch date, with a day of slack for
    /// time zones): later dates found on a page are rejected. `None`: no check. Set by
    /// the caller so that extraction stays a pure function of its inputs.
    pub latest_date: Option<chrono::NaiveDate>,
}

/// The `latest_date` for a page fetched at `at`: its UTC date plus one day.
pub fn latest_date_for(at: chrono::DateTime<chrono::Utc>) -> Option<chrono::NaiveDate> {
    at.date_naive().succ_opt()
}

/// What extraction produced for one page.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// The normalized content part.
    pub content: Content,
    /// Which extractor and profile ran.
    pub extractor: ExtractorInfo,
    /// Non-fatal problems.
    pub warnings: Vec<String>,
    /// Absolute links for crawl discovery.
    pub links: Vec<Url>,
}

/// Extract the content of one decoded page.
pub fn extract(html: &str, url: &Url, cfg: &ExtractConfig) -> Extraction {
    let doc = dom::parse(html);
    let links = if cfg.skip_links {
        Vec::new()
    } else {
        dom::links(&doc, url)
    };
    let profile = match &cfg.choice {
        ProfileChoice::ByHost => cfg.profiles.for_url(url),
        ProfileChoice::Force(p) => Some(p.clone()),
        ProfileChoice::Generic => None,
    };
    let (content, extractor, warnings) = match profile {
        Some(p) => profile::extract(&doc, url, &p),
        None => generic::extract_with(
            &doc,
            url,
            &generic::GenericConfig {
                now: cfg.latest_date,
            },
        ),
    };
    Extraction {
        content,
        extractor,
        warnings,
        links,
    }
}
