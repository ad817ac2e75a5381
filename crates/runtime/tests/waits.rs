//! The retry loop really waits, for as long as the policy and the server say: measured on
//! tokio's paused clock (virtual time), so the waits are exact and cost nothing.
//!
//! The HTTP client has no timer of its own here (no timeout, no idle-pool expiry): with the
//! clock paused, tokio jumps to the next timer whenever the runtime waits on a socket, so any
//! such timer would fire at once and add its whole length to the measured wait.

use cxkit_runtime::{execute, ApiProfile, ClientContext, Envelope, RetryPolicy};
use httpmock::prelude::*;
use std::time::Duration;
use tokio::time::Instant;

static PROFILE: ApiProfile = ApiProfile {
    name: "waits",
    envelope: Envelope::Plain,
    error_body: |status, message| serde_json::json!({"error": message, "status": status.as_u16()}),
};

/// Sends one GET to `path` with `policy`; the virtual time it took.
async fn timed(server: &MockServer, path: &str, policy: RetryPolicy) -> (u16, Duration) {
    let client = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    let ctx = ClientContext::new(&PROFILE).with_retry(policy);
    let request = reqwest::Request::new(reqwest::Method::GET, server.url(path).parse().unwrap());
    let started = Instant::now();
    let response = execute(&client, &ctx, request, "op").await.unwrap();
    (response.status().as_u16(), started.elapsed())
}

fn exact(attempts: u32, first: Duration) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(first)
        .with_jitter(false)
}

#[tokio::test(start_paused = true)]
async fn backoff_doubles_between_attempts() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.path("/down");
            then.status(503);
        })
        .await;

    let (status, waited) = timed(&server, "/down", exact(4, Duration::from_secs(1))).await;

    failing.assert_calls_async(4).await;
    assert_eq!(status, 503);
    // 1 s + 2 s + 4 s between the four attempts, and nothing after the last.
    assert!(waited >= Duration::from_secs(7), "{waited:?}");
    assert!(waited < Duration::from_secs(8), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn retry_after_and_rate_limit_reset_set_the_wait() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/after");
            then.status(429).header("Retry-After", "20");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/reset");
            then.status(429).header("X-RateLimit-Reset", "15");
        })
        .await;
    let policy = || exact(2, Duration::from_millis(10));

    let (_, after) = timed(&server, "/after", policy()).await;
    let (_, reset) = timed(&server, "/reset", policy()).await;

    assert!(
        after >= Duration::from_secs(20) && after < Duration::from_secs(21),
        "{after:?}"
    );
    assert!(
        reset >= Duration::from_secs(15) && reset < Duration::from_secs(16),
        "{reset:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_longer_than_allowed_ends_the_retries_at_once() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.path("/later");
            then.status(429).header("Retry-After", "3600");
        })
        .await;
    let policy = exact(5, Duration::from_millis(10)).with_max_retry_after(Duration::from_secs(60));

    let (status, waited) = timed(&server, "/later", policy).await;

    limited.assert_calls_async(1).await;
    assert_eq!(status, 429);
    assert!(waited < Duration::from_secs(1), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn jittered_waits_stay_under_the_doubling_ceiling() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/down");
            then.status(503);
        })
        .await;
    let policy = RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_secs(1));

    let mut totals = Vec::new();
    for _ in 0..8 {
        let (_, waited) = timed(&server, "/down", policy.clone()).await;
        assert!(
            waited < Duration::from_secs(7),
            "at most 1 + 2 + 4 s: {waited:?}"
        );
        totals.push(waited);
    }
    totals.sort();
    totals.dedup();
    assert!(totals.len() > 1, "full jitter varies the waits: {totals:?}");
}
