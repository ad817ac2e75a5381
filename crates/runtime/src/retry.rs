//! When a request is tried again, and after how long.

use reqwest::{Method, StatusCode};
use std::time::{Duration, SystemTime};

/// How failed requests are retried: exponential backoff with full jitter, honouring
/// `Retry-After`, for idempotent methods only.
///
/// A request is retried when it is idempotent (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`)
/// and its attempt failed with a connection error before or after the headers, a body that
/// broke or ended early, a timeout, `408`, `429` or a `5xx` other than `501`/`505`. A `POST`
/// or `PATCH` is never retried: a retry could apply it twice (a duplicate lead, a double
/// update).
///
/// The default budget is sized for bulk work: an export of a thousand pages through a 20%
/// fault rate fails with a probability of about one in ten thousand (0.2¹⁰ per page).
///
/// ```
/// use std::time::Duration;
/// let policy = cxkit_runtime::RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(200));
/// assert_eq!(policy.max_attempts(), 5);
/// assert!(cxkit_runtime::RetryPolicy::none().max_attempts() == 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    multiplier: f64,
    jitter: bool,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Ten attempts, 250 ms doubling up to 30 s, jittered; a `Retry-After` up to 60 s is
    /// honoured.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: true,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Total attempts including the first (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay before the second attempt.
    pub fn with_initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest computed backoff delay.
    pub fn with_max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The growth factor between attempts (at least 1).
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = multiplier.max(1.0);
        self
    }

    /// Whether delays are randomised ("full jitter"), spreading clients that failed together.
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest `Retry-After` that is waited for; a longer one ends the retries and
    /// returns the response, so a caller is never parked for an hour by a server.
    pub fn with_max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Total attempts including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether `method` may be sent again without changing the outcome.
    pub fn is_idempotent(method: &Method) -> bool {
        matches!(
            *method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        )
    }

    /// Whether a response with `status` is worth another attempt.
    pub fn is_retryable_status(status: StatusCode) -> bool {
        status == StatusCode::REQUEST_TIMEOUT
            || status == StatusCode::TOO_MANY_REQUESTS
            || (status.is_server_error()
                && status != StatusCode::NOT_IMPLEMENTED
                && status != StatusCode::HTTP_VERSION_NOT_SUPPORTED)
    }

    /// Whether a transport error is worth another attempt: the connection failed before or
    /// after the headers, the body broke or ended early, or the attempt timed out.
    ///
    /// reqwest files connection failures and timeouts while sending under "request" errors,
    /// and a response body that fails while read (whole or streamed) under "decode", so these
    /// two kinds cover them all; a "builder" error (a URL the client refuses) is not retried,
    /// as no attempt could cure it. (A "body" error is a request body that failed to upload:
    /// a streamed body cannot be sent twice.)
    pub fn is_retryable_error(error: &reqwest::Error) -> bool {
        error.is_request() || error.is_decode()
    }

    /// The longest single wait, computed or asked by the server (`--max-retry-wait`).
    pub fn with_max_wait(self, wait: Duration) -> Self {
        self.with_max_backoff(wait).with_max_retry_after(wait)
    }

    /// The backoff before attempt `next_attempt` (2 for the first retry), without jitter.
    pub fn backoff_ceiling(&self, next_attempt: u32) -> Duration {
        let exponent = next_attempt.saturating_sub(2).min(30) as i32;
        let delay = self.initial_backoff.as_secs_f64() * self.multiplier.powi(exponent);
        Duration::from_secs_f64(delay.min(self.max_backoff.as_secs_f64()))
    }

    /// The delay before attempt `next_attempt`, or `None` when the server asked for a wait
    /// longer than [`with_max_retry_after`](Self::with_max_retry_after) allows.
    pub fn delay(&self, next_attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let ceiling = self.backoff_ceiling(next_attempt);
        if !self.jitter {
            return Some(ceiling);
        }
        Some(ceiling.mul_f64(fastrand::f64()))
    }
}

/// Reads `Retry-After` as delta-seconds or an HTTP date, relative to `now`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Reads Conversion's `X-RateLimit-Reset`, whose unit the vendor does not document: a Unix
/// timestamp in seconds (≥ 10⁹) or milliseconds (≥ 10¹²), else seconds left.
pub fn parse_rate_limit_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let n: u64 = value.trim().parse().ok()?;
    let at = match n {
        n if n >= 1_000_000_000_000 => SystemTime::UNIX_EPOCH + Duration::from_millis(n),
        n if n >= 1_000_000_000 => SystemTime::UNIX_EPOCH + Duration::from_secs(n),
        n => return Some(Duration::from_secs(n)),
    };
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_idempotent_methods_retry() {
        assert!(RetryPolicy::is_idempotent(&Method::GET));
        assert!(RetryPolicy::is_idempotent(&Method::DELETE));
        assert!(!RetryPolicy::is_idempotent(&Method::POST));
        assert!(!RetryPolicy::is_idempotent(&Method::PATCH));
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(
                RetryPolicy::is_retryable_status(StatusCode::from_u16(s).unwrap()),
                "{s}"
            );
        }
        for s in [200, 400, 401, 404, 501, 505] {
            assert!(
                !RetryPolicy::is_retryable_status(StatusCode::from_u16(s).unwrap()),
                "{s}"
            );
        }
    }

    #[test]
    fn backoff_grows_exponentially_and_is_capped() {
        let p = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(1000))
            .with_jitter(false);
        let delays: Vec<_> = (2..=7)
            .map(|a| p.delay(a, None).unwrap().as_millis())
            .collect();
        assert_eq!(delays, vec![100, 200, 400, 800, 1000, 1000]);
    }

    #[test]
    fn jitter_stays_under_the_ceiling_and_varies() {
        let p = RetryPolicy::default().with_initial_backoff(Duration::from_millis(100));
        let delays: Vec<Duration> = (0..100).map(|_| p.delay(2, None).unwrap()).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(100)));
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(
            distinct.len() > 50,
            "full jitter spreads the waits: {}",
            distinct.len()
        );
        let fixed = p.clone().with_jitter(false);
        assert_eq!(fixed.delay(2, None), Some(Duration::from_millis(100)));
    }

    #[test]
    fn retry_after_wins_unless_too_long() {
        let p = RetryPolicy::default().with_max_retry_after(Duration::from_secs(5));
        assert_eq!(
            p.delay(2, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(p.delay(2, Some(Duration::from_secs(30))), None);
    }

    #[test]
    fn rate_limit_reset_reads_seconds_left_or_a_timestamp() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_rate_limit_reset("12", now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            parse_rate_limit_reset("1700000030", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_rate_limit_reset("1700000001500", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_rate_limit_reset("1699999999", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_rate_limit_reset("later", now), None);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn none_never_retries_and_max_wait_caps_both_waits() {
        assert_eq!(RetryPolicy::none().max_attempts(), 1);
        assert_eq!(RetryPolicy::default().max_attempts(), 10);
        let capped = RetryPolicy::default()
            .with_jitter(false)
            .with_max_wait(Duration::from_secs(5));
        assert_eq!(capped.delay(20, None), Some(Duration::from_secs(5)));
        assert_eq!(
            capped.delay(2, Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(capped.delay(2, Some(Duration::from_secs(6))), None);
    }

    #[test]
    fn the_multiplier_sets_the_growth() {
        let p = RetryPolicy::default()
            .with_initial_backoff(Duration::from_secs(1))
            .with_max_backoff(Duration::from_secs(100))
            .with_multiplier(3.0);
        let ceilings: Vec<_> = (2..=5).map(|a| p.backoff_ceiling(a).as_secs()).collect();
        assert_eq!(ceilings, vec![1, 3, 9, 27]);
    }

    fn failing_body() -> reqwest::Response {
        let failing =
            futures::stream::once(async { Err::<bytes::Bytes, _>(std::io::Error::other("cut")) });
        http::Response::new(reqwest::Body::wrap_stream(failing)).into()
    }

    #[tokio::test]
    async fn transport_errors_are_retryable_by_kind() {
        use futures::StreamExt;
        let streamed = failing_body()
            .bytes_stream()
            .next()
            .await
            .unwrap()
            .unwrap_err();
        assert!(streamed.is_decode(), "{streamed:?}");
        assert!(RetryPolicy::is_retryable_error(&streamed));

        let whole = failing_body().bytes().await.unwrap_err();
        assert!(whole.is_decode(), "{whole:?}");
        assert!(RetryPolicy::is_retryable_error(&whole));

        let refused = reqwest::Client::new()
            .get("http://127.0.0.1:9/")
            .send()
            .await
            .unwrap_err();
        assert!(refused.is_request() && refused.is_connect(), "{refused:?}");
        assert!(RetryPolicy::is_retryable_error(&refused));

        let refused_scheme = reqwest::Client::new()
            .get("ftp://127.0.0.1/")
            .send()
            .await
            .unwrap_err();
        assert!(refused_scheme.is_builder(), "{refused_scheme:?}");
        assert!(!RetryPolicy::is_retryable_error(&refused_scheme));
    }
}
