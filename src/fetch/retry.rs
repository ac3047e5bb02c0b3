//! Retry policy: which failures are retried, exponential backoff with jitter, and the
//! `Retry-After` header (delta-seconds or HTTP date), all bounded.
//!
//! Owns: the arithmetic of waiting. Must not: sleep, perform requests or log; the
//! fetcher calls these functions and does the waiting.

use std::time::Duration;

/// Bounds of the retry policy.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub retries: u32,
    /// Backoff before the first retry; doubled for each further retry.
    pub base: Duration,
    /// Upper bound of one backoff (and of an honoured `Retry-After`).
    pub max_delay: Duration,
    /// Upper bound of the time spent on one URL across all its attempts and waits.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 3,
            base: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            budget: Duration::from_secs(300),
        }
    }
}

/// Whether an HTTP status is worth retrying (429 and 5xx except 501).
pub fn retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status) && status != 501
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): `base * 2^(retry-1)` with full
    /// jitter in its upper half, at most `max_delay`. A `Retry-After` value, when the
    /// server sent one, replaces it (capped at `max_delay`).
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(self.max_delay);
        }
        let exp = self.base.saturating_mul(
            1u32.checked_shl(retry.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        let capped = exp.min(self.max_delay);
        // Jitter: uniformly in [capped/2, capped].
        let half = capped / 2;
        let jitter_ns = fastrand::u64(0..=half.as_nanos().min(u64::MAX as u128) as u64);
        half + Duration::from_nanos(jitter_ns)
    }
}

/// Parse a `Retry-After` value: delta-seconds, or an HTTP date (relative to `now`).
/// Dates in the past mean "now"; garbage means `None`.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - now;
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            retries: 10,
            base: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            budget: Duration::from_secs(10),
        };
        for _ in 0..50 {
            let d1 = p.delay(1, None);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = p.delay(3, None);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            assert!(p.delay(40, None) <= Duration::from_secs(1));
        }
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(5))),
            Duration::from_secs(1)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_millis(300))),
            Duration::from_millis(300)
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn statuses() {
        assert!(retryable_status(429));
        assert!(retryable_status(503));
        assert!(retryable_status(500));
        assert!(!retryable_status(501));
        assert!(!retryable_status(404));
        assert!(!retryable_status(200));
    }
}
