//! robots.txt (RFC 9309) rules per origin, cached for one run.
//!
//! Owns: turning a robots.txt fetch result into rules (2xx → parsed rules for our user
//! agent; 4xx → allow all; 5xx or unreachable → disallow all, §2.3.1.4) and the per-run
//! cache, which fetches each origin's file once even under concurrency.
//! Must not: perform HTTP itself (the fetcher passes the fetch in as a future).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;
use url::Url;

/// Largest robots.txt body we read; the rest is ignored (RFC 9309 asks for at least
/// 500 KiB to be parsed).
pub const ROBOTS_MAX_BYTES: usize = 512 * 1024;

/// The rules of one origin.
pub enum RobotsRules {
    /// No robots.txt (4xx), or one with no rules for us.
    AllowAll,
    /// robots.txt unreachable or answering 5xx: crawl nothing on this origin.
    DisallowAll,
    /// Parsed rules.
    Rules(Box<texting_robots::Robot>),
}

impl std::fmt::Debug for RobotsRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RobotsRules::AllowAll => f.write_str("AllowAll"),
            RobotsRules::DisallowAll => f.write_str("DisallowAll"),
            RobotsRules::Rules(_) => f.write_str("Rules(..)"),
        }
    }
}

/// What fetching robots.txt produced, as the fetcher reports it.
#[derive(Debug)]
pub enum RobotsFetch {
    /// A final response (after at most 5 redirects): status and the (capped) body.
    Response {
        /// HTTP status.
        status: u16,
        /// Body, at most [`ROBOTS_MAX_BYTES`].
        body: Vec<u8>,
    },
    /// More redirects than allowed: treated as unavailable (allow all, §2.3.1.2).
    TooManyRedirects,
    /// Network error or timeout.
    Unreachable,
}

impl RobotsRules {
    /// Rules from a fetch result, for `agent` (our user agent's product token).
    pub fn from_fetch(fetch: RobotsFetch, agent: &str) -> RobotsRules {
        match fetch {
            RobotsFetch::Response { status, body } if (200..300).contains(&status) => {
                match texting_robots::Robot::new(agent, &body) {
                    Ok(r) => RobotsRules::Rules(Box::new(r)),
                    // Unparseable: RFC 9309 parsers must accept anything; treat as empty.
                    Err(_) => RobotsRules::AllowAll,
                }
            }
            RobotsFetch::Response { status, .. } if (400..500).contains(&status) => {
                RobotsRules::AllowAll
            }
            RobotsFetch::Response { .. } => RobotsRules::DisallowAll,
            RobotsFetch::TooManyRedirects => RobotsRules::AllowAll,
            RobotsFetch::Unreachable => RobotsRules::DisallowAll,
        }
    }

    /// The `Crawl-delay` of the group that applies to us, if it is a positive, finite
    /// number of seconds (anything else is ignored), at most `cap`.
    pub fn crawl_delay(&self, cap: Duration) -> Option<Duration> {
        let RobotsRules::Rules(r) = self else {
            return None;
        };
        let secs = r.delay?;
        if !secs.is_finite() || secs <= 0.0 {
            return None;
        }
        let d = Duration::try_from_secs_f32(secs).unwrap_or(cap);
        Some(d.min(cap))
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &Url) -> bool {
        match self {
            RobotsRules::AllowAll => true,
            RobotsRules::DisallowAll => false,
            RobotsRules::Rules(r) => {
                // robots.txt itself is always allowed.
                url.path() == "/robots.txt" || r.allowed(url.as_str())
            }
        }
    }
}

/// The user-agent product token robots.txt groups are matched against: the part of
/// the User-Agent header before the first '/' or space ("quire").
pub fn product_token(user_agent: &str) -> &str {
    user_agent
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(user_agent)
}

/// The origin key of a URL: "scheme://host:port".
pub fn origin_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Per-run cache of robots rules by origin.
#[derive(Default)]
pub struct RobotsCache {
    entries: Mutex<HashMap<String, Arc<OnceCell<Arc<RobotsRules>>>>>,
}

impl RobotsCache {
    /// The rules for `url`'s origin, fetching them with `fetch` the first time.
    pub async fn rules<F, Fut>(&self, url: &Url, fetch: F) -> Arc<RobotsRules>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = RobotsRules>,
    {
        let cell = {
            let mut map = match self.entries.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            map.entry(origin_key(url)).or_default().clone()
        };
        cell.get_or_init(|| async { Arc::new(fetch().await) })
            .await
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn status_classes() {
        let ok = RobotsRules::from_fetch(
            RobotsFetch::Response {
                status: 200,
                body: b"User-agent: *\nDisallow: /private/\n".to_vec(),
            },
            "quire",
        );
        assert!(ok.allowed(&u("http://h/archive/a.html")));
        assert!(!ok.allowed(&u("http://h/private/a.html")));
        let gone = RobotsRules::from_fetch(
            RobotsFetch::Response {
                status: 404,
                body: vec![],
            },
            "quire",
        );
        assert!(gone.allowed(&u("http://h/private/a.html")));
        let err = RobotsRules::from_fetch(
            RobotsFetch::Response {
                status: 503,
                body: vec![],
            },
            "quire",
        );
        assert!(!err.allowed(&u("http://h/a.html")));
        assert!(!RobotsRules::from_fetch(RobotsFetch::Unreachable, "quire")
            .allowed(&u("http://h/a.html")));
        assert!(
            RobotsRules::from_fetch(RobotsFetch::TooManyRedirects, "quire")
                .allowed(&u("http://h/a.html"))
        );
    }

    #[test]
    fn our_group_wins() {
        let r = RobotsRules::from_fetch(
            RobotsFetch::Response {
                status: 200,
                body: b"User-agent: *\nDisallow: /\n\nUser-agent: quire\nDisallow: /x/\n".to_vec(),
            },
            product_token("quire/0.1.0 (+https://github.com/quire-archiver/quire)"),
        );
        assert!(r.allowed(&u("http://h/archive/")));
        assert!(!r.allowed(&u("http://h/x/y")));
    }

    fn delay_of(body: &str) -> Option<Duration> {
        RobotsRules::from_fetch(
            RobotsFetch::Response {
                status: 200,
                body: body.as_bytes().to_vec(),
            },
            "quire",
        )
        .crawl_delay(Duration::from_secs(60))
    }

    #[test]
    fn crawl_delay_is_read_sanitised_and_capped() {
        assert_eq!(
            delay_of("User-agent: *\nCrawl-delay: 2.5\nDisallow: /x/\n"),
            Some(Duration::from_millis(2500))
        );
        // Our own group's value wins over the wildcard group's.
        assert_eq!(
            delay_of("User-agent: *\nCrawl-delay: 30\n\nUser-agent: quire\nCrawl-delay: 3\n"),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            delay_of("User-agent: *\nCrawl-delay: 86400\n"),
            Some(Duration::from_secs(60)),
            "capped"
        );
        for ignored in ["0", "-5", "NaN", "inf", "soon", "1e39"] {
            let d = delay_of(&format!("User-agent: *\nCrawl-delay: {ignored}\n"));
            assert_eq!(d, None, "{ignored}");
        }
        assert_eq!(delay_of("User-agent: *\nDisallow: /x/\n"), None);
        let none = RobotsRules::from_fetch(RobotsFetch::Unreachable, "quire");
        assert_eq!(none.crawl_delay(Duration::from_secs(60)), None);
    }

    #[test]
    fn garbage_body_does_not_panic() {
        let body: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 256) as u8).collect();
        let r = RobotsRules::from_fetch(RobotsFetch::Response { status: 200, body }, "quire");
        let _ = r.allowed(&u("http://h/a"));
        assert_eq!(product_token("quire/1.0 (x)"), "quire");
        assert_eq!(product_token(""), "");
    }
}
