//! Site profiles: data (TOML) that tells the extractor where a magazine's article is
//! and what its chrome looks like. Enter Stage Right's profile is built in.

use std::sync::Arc;

use url::Url;

use super::dom::Document;
use crate::model::{Content, ExtractorInfo};

/// One site profile.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Short name, e.g. "esr".
    pub name: String,
}

/// The profiles known to a run.
#[derive(Debug, Clone, Default)]
pub struct ProfileSet {
    profiles: Vec<Arc<Profile>>,
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

impl ProfileSet {
    /// The built-in profiles (Enter Stage Right).
    pub fn builtin() -> ProfileSet {
        ProfileSet {
            profiles: vec![Arc::new(Profile { name: "esr".into() })],
        }
    }

    /// Resolve a `--profile` argument: a built-in name, or a path to a TOML file.
    pub fn resolve(&self, name_or_path: &str) -> Result<Arc<Profile>, ProfileError> {
        self.profiles
            .iter()
            .find(|p| p.name == name_or_path)
            .cloned()
            .ok_or_else(|| ProfileError::Unknown(name_or_path.to_string()))
    }

    /// Add a profile loaded from a file (it is then also chosen by host).
    pub fn add(&mut self, profile: Arc<Profile>) {
        self.profiles.push(profile);
    }

    /// The profile whose hosts match `url`, if any.
    pub fn for_url(&self, _url: &Url) -> Option<Arc<Profile>> {
        self.profiles.first().cloned()
    }
}

/// Extract with a profile.
pub fn extract(doc: &Document, url: &Url, _p: &Profile) -> (Content, ExtractorInfo, Vec<String>) {
    super::generic::extract(doc, url)
}
