//! Per-host politeness: at most N requests in flight per host, and a minimum delay
//! between the *starts* of two requests to the same host.
//!
//! Owns: the host table and its timing. Must not: perform requests (callers hold the
//! returned permit for the duration of one request) or decide retries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

struct HostState {
    slots: Arc<Semaphore>,
    next_start: Mutex<Instant>,
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
        let mut hosts = match self.hosts.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        hosts
            .entry(host.to_string())
            .or_insert_with(|| {
                Arc::new(HostState {
                    slots: Arc::new(Semaphore::new(self.per_host)),
                    next_start: Mutex::new(Instant::now()),
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
            let mut next = match st.next_start.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            let now = Instant::now();
            let at = if *next > now { *next } else { now };
            *next = at + self.delay;
            at
        };
        tokio::time::sleep_until(start_at).await;
        HostPermit { _permit: permit }
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
