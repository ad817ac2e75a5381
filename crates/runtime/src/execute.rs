//! Sending one operation: attempts, backoff, tracing, masking and normalisation.

use crate::attempt::{self, Answer, Buffered, Outcome, Verdict};
use crate::context::ClientContext;
use crate::normalize::{normalize, rebuild, Masking};
use crate::secret::{mask_url, redact, redact_bytes, Secret};
use reqwest::header::{HeaderMap, HeaderValue, USER_AGENT};
use reqwest::StatusCode;
use std::time::{Duration, Instant, SystemTime};
use tracing::Instrument;

/// Header carrying the attempt number (1, 2, …), so servers and test mocks can tell a
/// retry from a new request.
pub const ATTEMPT_HEADER: &str = "x-cxkit-attempt";

/// Runs `request` for the operation `operation_id` with `ctx`'s retry policy and returns
/// the normalised response (see [`crate::normalize`]), its body read in full. Used by the
/// generated `ClientHooks::exec` of every cxkit API crate.
///
/// Reading the body inside the attempt is what lets a connection cut after the headers, or
/// a body cut mid-way, be retried like a `503`. Every attempt runs in a `cxkit.request` span
/// with the fields `api`, `operation`, `method`, `path`, `attempt`, `status` and
/// `duration_ms`; each retry is logged (`info`) with its reason and wait. No credential
/// reaches a log, an error, a header or a body handed back: URLs, header values and bodies
/// are masked.
pub async fn execute(
    client: &reqwest::Client,
    ctx: &ClientContext,
    request: reqwest::Request,
    operation_id: &'static str,
) -> reqwest::Result<reqwest::Response> {
    run(client, ctx, request, operation_id, true).await
}

/// Like [`execute`], but a successful body is handed back unread, so it can be decoded as
/// it arrives (pages of a million rows). Failures before the headers are retried; a body that
/// breaks later is the caller's to resume. Secrets echoed in the body are still masked.
pub async fn execute_streaming(
    client: &reqwest::Client,
    ctx: &ClientContext,
    request: reqwest::Request,
    operation_id: &'static str,
) -> reqwest::Result<reqwest::Response> {
    run(client, ctx, request, operation_id, false).await
}

async fn run(
    client: &reqwest::Client,
    ctx: &ClientContext,
    request: reqwest::Request,
    operation_id: &'static str,
    buffer: bool,
) -> reqwest::Result<reqwest::Response> {
    let query_names = ctx.masked_query_names();
    let secrets: Vec<&Secret> = ctx.credential.iter().map(|c| c.secret()).collect();
    let masking = Masking {
        query_names: &query_names,
        secrets: &secrets,
    };
    let max_attempts = if crate::RetryPolicy::is_idempotent(request.method()) {
        ctx.retry.max_attempts()
    } else {
        1
    };
    let masked_url = mask_url(request.url(), &query_names);

    let mut next = Some(prepare(request, ctx));
    let mut attempt = 1;
    while let Some(mut request) = next.take() {
        let spare = (attempt < max_attempts)
            .then(|| request.try_clone())
            .flatten();
        request
            .headers_mut()
            .insert(ATTEMPT_HEADER, HeaderValue::from(attempt));

        let span = tracing::info_span!(
            "cxkit.request",
            api = ctx.profile.name,
            operation = operation_id,
            method = %request.method(),
            path = %request.url().path(),
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let permit = match &ctx.throttle {
            Some(throttle) => Some(throttle.acquire().instrument(span.clone()).await),
            None => None,
        };
        let started = Instant::now();
        let outcome = attempt::send(client, request, buffer.then_some(ctx.max_body_bytes))
            .instrument(span.clone())
            .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        let status = match &outcome {
            Outcome::Response(answer) => Some(answer.status()),
            Outcome::Failed(_) => None,
        };
        if let Some(status) = status {
            span.record("status", status.as_u16());
        }
        let verdict = attempt::judge(&outcome, SystemTime::now());
        let delay = match &verdict {
            Verdict::Retry { server_wait, .. } if spare.is_some() => {
                ctx.retry.delay(attempt + 1, *server_wait)
            }
            _ => None,
        };
        if let Some(permit) = permit {
            match status {
                Some(StatusCode::TOO_MANY_REQUESTS) => span.in_scope(|| permit.rate_limited(delay)),
                Some(status) if status.is_success() => permit.succeeded(),
                _ => drop(permit),
            }
        }

        if let (Verdict::Retry { reason, .. }, Some(spare)) = (verdict, spare) {
            if let Some(delay) = delay {
                let reason = redact(&reason, &secrets);
                span.in_scope(|| {
                    tracing::info!(
                        reason,
                        delay_ms = delay.as_millis() as u64,
                        next_attempt = attempt + 1,
                        "retrying"
                    )
                });
                sleep(delay).await;
                next = Some(spare);
                attempt += 1;
                continue;
            }
        }

        return match outcome {
            Outcome::Failed(error) => {
                span.in_scope(|| {
                    tracing::warn!(error = %redact(&describe_failure(&error), &secrets), attempts = attempt, "failed")
                });
                Err(mask_error(error, &query_names))
            }
            Outcome::Response(Answer::Buffered(answer)) => {
                let response = masked_response(answer, &masked_url, &masking);
                normalize(response, ctx.profile, &masking).await
            }
            Outcome::Response(Answer::Streaming(response)) => {
                let response = masked_stream(response, &masked_url, &masking, &secrets);
                normalize(response, ctx.profile, &masking).await
            }
        };
    }
    unreachable!("the loop returns on its last attempt")
}

/// A buffered answer as a response with its URL, header values and body masked.
fn masked_response(answer: Buffered, url: &url::Url, masking: &Masking<'_>) -> reqwest::Response {
    let headers = masked_headers(answer.headers, masking);
    // A clean body (nearly all) is handed on as is: copying every page would cost an export
    // a pass over its bytes and the page faults of a fresh buffer.
    let body = match redact_bytes(&answer.body, masking.secrets) {
        std::borrow::Cow::Borrowed(_) => answer.body,
        std::borrow::Cow::Owned(masked) => bytes::Bytes::from(masked),
    };
    rebuild(answer.status, answer.version, headers, url.clone(), body)
}

/// A streaming answer with its URL and header values masked and its body masked as it flows.
fn masked_stream(
    response: reqwest::Response,
    url: &url::Url,
    masking: &Masking<'_>,
    secrets: &[&Secret],
) -> reqwest::Response {
    let (status, version) = (response.status(), response.version());
    let headers = masked_headers(response.headers().clone(), masking);
    let owned: Vec<Secret> = secrets.iter().map(|s| (*s).clone()).collect();
    let body = crate::masked_body::mask_stream(response.bytes_stream(), owned);
    rebuild(
        status,
        version,
        headers,
        url.clone(),
        reqwest::Body::wrap_stream(body),
    )
}

/// Header values with secrets masked (a `Location` echoing the query, say).
fn masked_headers(mut headers: HeaderMap, masking: &Masking<'_>) -> HeaderMap {
    for value in headers.values_mut() {
        let Ok(text) = value.to_str() else { continue };
        let masked = match url::Url::parse(text) {
            Ok(url) => redact(
                mask_url(&url, masking.query_names).as_str(),
                masking.secrets,
            ),
            Err(_) => redact(text, masking.secrets),
        };
        if masked != text {
            if let Ok(masked) = HeaderValue::from_str(&masked) {
                *value = masked;
            }
        }
    }
    headers
}

fn prepare(mut request: reqwest::Request, ctx: &ClientContext) -> reqwest::Request {
    if let Some(timeout) = ctx.request_timeout {
        *request.timeout_mut() = Some(timeout);
    }
    if !request.headers().contains_key(USER_AGENT) {
        let agent = ctx.user_agent.clone().unwrap_or_else(|| {
            format!(
                "cxkit-runtime/{} ({})",
                env!("CARGO_PKG_VERSION"),
                ctx.profile.name
            )
        });
        if let Ok(value) = HeaderValue::from_str(&agent) {
            request.headers_mut().insert(USER_AGENT, value);
        }
    }
    request
}

fn describe_failure(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `reqwest::Error` keeps the request URL, credential included: mask it.
pub(crate) fn mask_error(
    mut error: reqwest::Error,
    query_names: &[&'static str],
) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        *url = mask_url(url, query_names);
    }
    error
}

async fn sleep(delay: Duration) {
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}
