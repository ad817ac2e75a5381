//! One attempt's outcome, and what makes it worth another attempt.
//!
//! A buffered attempt reads the whole body before deciding, so a connection cut after the
//! headers, a body cut mid-way (shorter than `Content-Length`, or JSON that ends early) and a
//! stalled body (the per-attempt timeout) are all retried like a `503`, and reach the caller
//! as transport errors, never as decode errors.

use crate::retry::{parse_rate_limit_reset, parse_retry_after, RetryPolicy};
use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use std::time::{Duration, SystemTime};

/// A response whose body has been read in full.
pub(crate) struct Buffered {
    pub status: StatusCode,
    pub version: http::Version,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What came back from one attempt.
pub(crate) enum Outcome {
    /// Headers (and, when buffered, the whole body) arrived.
    Response(Answer),
    /// The connection or the body failed.
    Failed(reqwest::Error),
}

/// A response, streaming or read in full.
pub(crate) enum Answer {
    /// Headers only; the body is still on the wire.
    Streaming(reqwest::Response),
    /// Everything.
    Buffered(Buffered),
}

impl Answer {
    pub fn status(&self) -> StatusCode {
        match self {
            Answer::Streaming(r) => r.status(),
            Answer::Buffered(b) => b.status,
        }
    }

    pub fn headers(&self) -> &HeaderMap {
        match self {
            Answer::Streaming(r) => r.headers(),
            Answer::Buffered(b) => &b.headers,
        }
    }
}

/// Sends `request` and, when `buffer` is set, reads the whole body; a body that ends early
/// is a failure like a dropped connection.
/// `buffer` is the most bytes a body may have (`None`: hand it back unread).
pub(crate) async fn send(
    client: &reqwest::Client,
    request: reqwest::Request,
    buffer: Option<u64>,
) -> Outcome {
    let url = request.url().clone();
    let response = match client.execute(request).await {
        Ok(response) => response,
        Err(error) => return Outcome::Failed(error),
    };
    let Some(limit) = buffer else {
        return Outcome::Response(Answer::Streaming(response));
    };
    let (status, version, headers) = (
        response.status(),
        response.version(),
        response.headers().clone(),
    );
    match crate::limits::read_body(response, limit).await {
        Ok(body) if status.is_success() && is_truncated_json(version, &headers, &body) => {
            Outcome::Failed(truncated_body_error().await.with_url(url))
        }
        Ok(body) => Outcome::Response(Answer::Buffered(Buffered {
            status,
            version,
            headers,
            body,
        })),
        Err(error) => Outcome::Failed(error),
    }
}

/// JSON that stops before its end: the connection closed cleanly but early (no
/// `Content-Length`, no chunked framing to tell).
///
/// Only such close-delimited bodies are checked: with a length, chunked framing or HTTP/2 the
/// HTTP layer itself reports a body that ends early, and a second full parse of every page
/// just to find out would cost an export a twentieth of its CPU.
fn is_truncated_json(version: reqwest::Version, headers: &HeaderMap, body: &[u8]) -> bool {
    let chunked = headers
        .get(reqwest::header::TRANSFER_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("chunked"));
    let framed = chunked
        || headers.contains_key(reqwest::header::CONTENT_LENGTH)
        || version >= reqwest::Version::HTTP_2;
    if framed {
        return false;
    }
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !json || body.is_empty() {
        return false;
    }
    matches!(
        serde_json::from_slice::<serde::de::IgnoredAny>(body),
        Err(e) if e.is_eof()
    )
}

/// A truncated body, as the transport failure it is.
async fn truncated_body_error() -> reqwest::Error {
    crate::limits::body_error(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "the response body ended before the end of its JSON",
    ))
    .await
}

/// Why an outcome is worth another attempt, and the server's requested wait if it gave one.
pub(crate) enum Verdict {
    /// Done: hand it to the caller.
    Final,
    /// Try again, after the server's wait when it asked for one.
    Retry {
        /// What went wrong, for the log.
        reason: String,
        /// `Retry-After` or `X-RateLimit-Reset`.
        server_wait: Option<Duration>,
    },
}

/// Judges one outcome.
pub(crate) fn judge(outcome: &Outcome, now: SystemTime) -> Verdict {
    match outcome {
        // The same body would be just as large again.
        Outcome::Failed(error) if crate::limits::too_large(error).is_some() => Verdict::Final,
        Outcome::Failed(error) if RetryPolicy::is_retryable_error(error) => Verdict::Retry {
            reason: describe(error),
            server_wait: None,
        },
        Outcome::Failed(_) => Verdict::Final,
        Outcome::Response(answer) if RetryPolicy::is_retryable_status(answer.status()) => {
            Verdict::Retry {
                reason: format!("HTTP {}", answer.status()),
                server_wait: server_wait(answer.headers(), answer.status(), now),
            }
        }
        Outcome::Response(_) => Verdict::Final,
    }
}

fn server_wait(headers: &HeaderMap, status: StatusCode, now: SystemTime) -> Option<Duration> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &http::HeaderValue| v.to_str().ok())
    };
    if let Some(wait) = header(RETRY_AFTER.as_str()).and_then(|v| parse_retry_after(v, now)) {
        return Some(wait);
    }
    // Conversion's rate limit says when its 60 s window resets.
    (status == StatusCode::TOO_MANY_REQUESTS)
        .then(|| header("x-ratelimit-reset").and_then(|v| parse_rate_limit_reset(v, now)))
        .flatten()
}

/// A transport error in one line, without its URL (the caller logs the masked one).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_decode() {
        "the body failed mid-way"
    } else {
        "the connection failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
