//! Per-host politeness: at most N requests in flight per host, and a minimum delay
//! between the *starts* of two requests to the same host (the run's delay, raised per
//! host by a robots.txt `Crawl-delay`).
//!
//! Owns: the host table and its timing. Must not: perform requests (callers hold the
//! returned permit for the duration of one request) or decide retries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

struct HostState {
    slots: Arc<Semaphore>,
    timing: Mutex<Timing>,
}

/// When a host's requests may start.
struct Timing {
    /// The start reserved last (possibly still in the future), if any.
    last_start: Option<Instant>,
    /// Minimum time between two starts on this host.
    delay: Duration,
}

/// The host scheduler shared by every request of a run.
pub struct HostScheduler {
    delay: Duration,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
}

/// Held while a request to a host is in flight; dropping it frees the host slot.
pub struct HostPermit {
    _permit: Option<OwnedSemaphorePermit>,
}

impl HostScheduler {
    /// A scheduler with `delay` between request starts per host and `per_host`
    /// concurrent requests per host (at least 1).
    pub fn new(delay: Duration, per_host: usize) -> HostScheduler {
        HostScheduler {
            delay,
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn state(&self, host: &str) -> Arc<HostState> {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        hosts
            .entry(host.to_string())
            .or_insert_with(|| {
                Arc::new(HostState {
                    slots: Arc::new(Semaphore::new(self.per_host)),
                    timing: Mutex::new(Timing {
                        last_start: None,
                        delay: self.delay,
                    }),
                })
            })
            .clone()
    }

    /// Wait for a free slot on `host` and for its next allowed start time.
    pub async fn acquire(&self, host: &str) -> HostPermit {
        let st = self.state(host);
        // The semaphore is never closed, so this is always Some.
        let permit = st.slots.clone().acquire_owned().await.ok();
        let start_at = {
            let mut t = st.timing.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let at = match t.last_start {
                Some(last) if last + t.delay > now => last + t.delay,
                _ => now,
            };
            t.last_start = Some(at);
            at
        };
        tokio::time::sleep_until(start_at).await;
        HostPermit { _permit: permit }
    }

    /// Raise `host`'s delay between starts to `delay` if that is longer than its
    /// current one (never lowers it). Applies from the next start on, counted from the
    /// last one.
    pub fn raise_delay(&self, host: &str, delay: Duration) {
        let st = self.state(host);
        let mut t = st.timing.lock().unwrap_or_else(PoisonError::into_inner);
        if delay > t.delay {
            t.delay = delay;
        }
    }
}

/// The key politeness is counted under: host and port.
pub fn host_key(url: &url::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}
