//! Sending one operation: attempts, backoff, tracing, masking and normalisation.

use crate::context::ClientContext;
use crate::normalize::{normalize, Masking};
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::secret::mask_url;
use reqwest::header::{HeaderValue, RETRY_AFTER, USER_AGENT};
use std::time::{Duration, Instant, SystemTime};
use tracing::Instrument;

/// Header carrying the attempt number (1, 2, …), so servers and test mocks can tell a
/// retry from a new request.
pub const ATTEMPT_HEADER: &str = "x-cxkit-attempt";

/// Runs `request` for the operation `operation_id` with `ctx`'s retry policy and returns
/// the normalised response (see [`crate::normalize`]). Used by the generated
/// `ClientHooks::exec` of every cxkit API crate.
///
/// Every attempt runs in a `cxkit.request` span with the fields `api`, `operation`,
/// `method`, `path`, `attempt`, `status` and `duration_ms`. No URL with a credential in it
/// is ever logged or returned: errors carry the URL with the credential masked.
pub async fn execute(
    client: &reqwest::Client,
    ctx: &ClientContext,
    request: reqwest::Request,
    operation_id: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let query_names = ctx.masked_query_names();
    let secrets: Vec<_> = ctx.credential.iter().map(|c| c.secret()).collect();
    let masking = Masking {
        query_names: &query_names,
        secrets: &secrets,
    };
    let max_attempts = if RetryPolicy::is_idempotent(request.method()) {
        ctx.retry.max_attempts()
    } else {
        1
    };

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
        let started = Instant::now();
        let result = client.execute(request).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);

        let retry_after = match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                RetryPolicy::is_retryable_status(response.status()).then(|| {
                    response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()))
                })
            }
            Err(error) => RetryPolicy::is_retryable_error(error).then_some(None),
        };

        let delay = match (&spare, retry_after) {
            (Some(_), Some(retry_after)) => ctx.retry.delay(attempt + 1, retry_after),
            _ => None,
        };
        if let (Some(delay), Some(spare)) = (delay, spare) {
            let _entered = span.enter();
            tracing::debug!(delay_ms = delay.as_millis() as u64, "retrying");
            drop(_entered);
            sleep(delay).await;
            next = Some(spare);
            attempt += 1;
            continue;
        }

        return match result {
            Ok(response) => normalize(response, ctx.profile, &masking).await,
            Err(error) => Err(mask_error(error, &query_names)),
        };
    }
    unreachable!("the loop returns on its last attempt")
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
