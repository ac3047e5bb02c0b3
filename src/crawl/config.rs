//! The crawl's TOML configuration file (`quire crawl --config FILE`) and the duration
//! and size spellings shared with the command line ("30m", "500ms", "20MiB").
//!
//! Owns: the file's schema (every key optional; unknown keys are an error) and parsing.
//! Must not: read the environment, open the store, or decide precedence (the CLI merges:
//! flags win over the file, the file over defaults).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The configuration file. Every key has the meaning of the flag of the same name.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// Seed URLs.
    #[serde(default)]
    pub seeds: Vec<String>,
    /// Store directory; relative paths are relative to the config file's directory.
    pub store: Option<PathBuf>,
    /// Site profile name or file.
    pub profile: Option<String>,
    /// Extra in-scope URL prefixes.
    #[serde(default)]
    pub scope: Vec<String>,
    /// Include patterns (regex).
    #[serde(default)]
    pub include: Vec<String>,
    /// Exclude patterns (regex).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Pages per run.
    pub max_pages: Option<u64>,
    /// Link depth from the seeds.
    pub max_depth: Option<u32>,
    /// Bytes per page ("20MiB" or a number of bytes).
    pub max_body: Option<SizeValue>,
    /// Bytes per run.
    pub max_run_bytes: Option<SizeValue>,
    /// URLs known to the frontier of one run.
    pub max_frontier: Option<u64>,
    /// Run duration ("30m").
    pub max_duration: Option<String>,
    /// Per-host delay between request starts ("1s", "0").
    pub delay: Option<String>,
    /// Longest robots.txt `Crawl-delay` honoured ("60s", "0" ignores it).
    pub max_crawl_delay: Option<String>,
    /// Global concurrency.
    pub concurrency: Option<usize>,
    /// Per-host concurrency.
    pub host_concurrency: Option<usize>,
    /// Retries per request.
    pub retries: Option<u32>,
    /// User-Agent header.
    pub user_agent: Option<String>,
    /// Connect timeout ("10s").
    pub connect_timeout: Option<String>,
    /// Read timeout ("30s").
    pub read_timeout: Option<String>,
    /// `--request-timeout`.
    pub request_timeout: Option<String>,
    /// Print the JSON summary.
    pub json: Option<bool>,
    /// "live" (the default) or "wayback".
    pub source: Option<String>,
    /// The web archive of `source = "wayback"`.
    pub wayback_endpoint: Option<String>,
    /// Earliest archive timestamp taken (`source = "wayback"`).
    pub from: Option<String>,
    /// Latest archive timestamp taken (`source = "wayback"`).
    pub to: Option<String>,
}

/// A size: a number of bytes, or a string like "20MiB", "512k".
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum SizeValue {
    /// Bytes.
    Bytes(u64),
    /// A spelled size.
    Text(String),
}

impl SizeValue {
    /// The number of bytes.
    pub fn bytes(&self) -> Result<u64, ConfigError> {
        match self {
            SizeValue::Bytes(n) => Ok(*n),
            SizeValue::Text(s) => parse_size(s),
        }
    }
}

/// Why a configuration value or file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("invalid config file {path}: {detail}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (names the key).
        detail: String,
    },
    /// A value could not be parsed.
    #[error("invalid {what} {value:?}: {detail}")]
    Value {
        /// Which setting.
        what: &'static str,
        /// The text given.
        value: String,
        /// What is expected.
        detail: &'static str,
    },
}

impl FileConfig {
    /// Read and parse a config file. A relative `store` is made relative to the file.
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg: FileConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        if let (Some(store), Some(dir)) = (cfg.store.as_ref(), path.parent()) {
            if store.is_relative() {
                cfg.store = Some(dir.join(store));
            }
        }
        Ok(cfg)
    }
}

/// Parse a duration: "0", "250ms", "2s", "30m", "1h", "1d", or a plain number of
/// seconds (fractions allowed: "0.5").
pub fn parse_duration(text: &str) -> Result<Duration, ConfigError> {
    let t = text.trim();
    let err = || ConfigError::Value {
        what: "duration",
        value: text.to_string(),
        detail: "expected e.g. 0, 500ms, 2s, 30m, 1h, 1d",
    };
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| err())?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" => n,
        "ms" => n / 1000.0,
        "m" | "min" | "mins" => n * 60.0,
        "h" | "hour" | "hours" => n * 3600.0,
        "d" | "day" | "days" => n * 86400.0,
        _ => return Err(err()),
    };
    if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
        return Err(err());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parse a size: "1048576", "512k"/"512KiB", "20M"/"20MiB", "1G"/"1GiB" (binary units;
/// "KB"/"MB"/"GB" are decimal).
pub fn parse_size(text: &str) -> Result<u64, ConfigError> {
    let t = text.trim();
    let err = || ConfigError::Value {
        what: "size",
        value: text.to_string(),
        detail: "expected e.g. 1048576, 512KiB, 20MiB, 1GiB",
    };
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| err())?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(err()),
    };
    n.checked_mul(mult).ok_or_else(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        for bad in ["", "m", "-1s", "5 fortnights", "1e999", "NaN"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("20MiB").unwrap(), 20 * 1024 * 1024);
        assert_eq!(parse_size("512k").unwrap(), 512 * 1024);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("2MB").unwrap(), 2_000_000);
        assert!(parse_size("99999999999999999999G").is_err());
        assert!(parse_size("18446744073709551615G").is_err());
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn file_parses_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("archive.toml");
        std::fs::write(
            &p,
            "seeds = [\"http://www.enterstageright.com/archive/\"]\nstore = \"snapshots\"\nmax-body = \"5MiB\"\ndelay = \"2s\"\nexclude = [\"/print/\"]\n",
        )
        .unwrap();
        let c = FileConfig::load(&p).unwrap();
        assert_eq!(c.seeds.len(), 1);
        assert_eq!(c.store, Some(dir.path().join("snapshots")));
        assert_eq!(c.max_body.unwrap().bytes().unwrap(), 5 * 1024 * 1024);
        assert_eq!(c.exclude, vec!["/print/".to_string()]);
        std::fs::write(&p, "seeds = []\nmax-pagez = 3\n").unwrap();
        let e = FileConfig::load(&p).unwrap_err().to_string();
        assert!(e.contains("max-pagez"), "{e}");
    }
}
