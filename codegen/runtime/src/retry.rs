//! When to try a request again, and how long to wait first.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

/// How a client retries: on 429, 502, 503 and 504, and on connection
/// failures, with exponential backoff and jitter, honouring `Retry-After`.
///
/// A request that is not idempotent (POST, PATCH, or any method the
/// client does not know, unless it carries an `Idempotency-Key`) is
/// retried only on 429 (the server did not process it) and on a
/// connection that failed before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 never retries.
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles with each retry.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts that backoff gives.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The same policy with another number of attempts (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before retry number `retry` (1 for the first), with
    /// "equal jitter": half fixed, half random, so that clients that
    /// failed together do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX));
        let cap = exp.min(self.max_backoff);
        let half = cap / 2;
        let jitter = fastrand::u64(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }

    /// The wait a response asks for with `Retry-After` (seconds or an HTTP
    /// date), capped.
    pub fn retry_after(&self, headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
        let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
        let wait = match value.parse::<u64>() {
            Ok(secs) => Duration::from_secs(secs),
            Err(_) => {
                let at = httpdate::parse_http_date(value).ok()?;
                at.duration_since(now).unwrap_or(Duration::ZERO)
            }
        };
        Some(wait.min(self.max_retry_after))
    }
}

/// Methods that may be sent twice with the effect of once (RFC 9110 §9.2.2,
/// and QUERY, which is safe by definition).
pub fn is_idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE" | "PUT" | "DELETE" | "QUERY")
}

/// Whether a response with this status is worth another attempt.
pub fn retryable_status(status: StatusCode, idempotent: bool) -> bool {
    match status.as_u16() {
        429 => true,
        502..=504 => idempotent,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(250) && first <= Duration::from_millis(500), "{first:?}");
            let third = p.backoff(3);
            assert!(third >= Duration::from_secs(1) && third <= Duration::from_secs(2), "{third:?}");
            let late = p.backoff(40);
            assert!(late <= p.max_backoff && late >= p.max_backoff / 2, "{late:?}");
        }
    }

    #[test]
    fn retry_after_in_seconds_and_as_a_date() {
        let p = RetryPolicy::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(p.retry_after(&h, now), Some(Duration::from_secs(2)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        h.insert(RETRY_AFTER, later.parse().unwrap());
        assert_eq!(p.retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, "86400".parse().unwrap());
        assert_eq!(p.retry_after(&h, now), Some(p.max_retry_after));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        h.insert(RETRY_AFTER, past.parse().unwrap());
        assert_eq!(p.retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(p.retry_after(&h, now), None);
    }

    #[test]
    fn what_is_retried() {
        assert!(retryable_status(StatusCode::TOO_MANY_REQUESTS, false));
        assert!(retryable_status(StatusCode::SERVICE_UNAVAILABLE, true));
        assert!(!retryable_status(StatusCode::SERVICE_UNAVAILABLE, false));
        assert!(!retryable_status(StatusCode::INTERNAL_SERVER_ERROR, true));
        assert!(!retryable_status(StatusCode::NOT_FOUND, true));
        assert!(is_idempotent("QUERY") && is_idempotent("PUT"));
        assert!(!is_idempotent("POST") && !is_idempotent("PATCH"));
    }
}
