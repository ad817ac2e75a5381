//! Webhook deliveries: every change reaches the active subscriptions of its topic, a refused
//! delivery is redelivered under the sandbox's retry policy, and redelivery stops when the
//! policy's attempts run out.

use super::conversion_client;
use cxkit::{conversion, RetryPolicy};
use cxkit_sandbox::{Sandbox, SandboxConfig};
use futures::TryStreamExt;
use httpmock::prelude::*;
use serde_json::json;
use std::time::Duration;

/// A sandbox whose webhook sender waits `backoff` (doubling, no jitter) between `attempts`.
async fn sandbox(attempts: u32, backoff: Duration) -> Sandbox {
    Sandbox::start_with(SandboxConfig {
        webhook_retry: RetryPolicy::default()
            .with_max_attempts(attempts)
            .with_initial_backoff(backoff)
            .with_jitter(false),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// Subscribes `receiver`'s `/hook` to interactions, then records a note on the first prospect:
/// that prospect's id and what the create answered.
async fn subscribe_and_record_a_note(
    s: &Sandbox,
    receiver: &MockServer,
) -> (String, Vec<conversion::Interaction>) {
    let c = conversion_client(s);
    let secret = cxkit::Secret::new("0123456789abcdef-secret");
    c.subscribe_webhook(
        &receiver.url("/hook"),
        &secret,
        [conversion::TopicName::from(
            conversion::KnownTopicName::Interactions,
        )],
    )
    .await
    .unwrap();
    let prospect = c
        .prospects(conversion::ProspectQuery::new().page_size(1))
        .try_next()
        .await
        .unwrap()
        .unwrap();
    let event: conversion_api::types::NewEvent =
        serde_json::from_value(json!({"type": "note", "content": "called back"})).unwrap();
    let created = c
        .raw()
        .create_prospect_interaction()
        .prospect_id(prospect.id.clone())
        .body(event)
        .send()
        .await
        .unwrap()
        .into_inner();
    (prospect.id, created)
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_gets_exactly_the_policys_attempts() {
    let s = sandbox(3, Duration::from_millis(5)).await;
    let receiver = MockServer::start_async().await;
    let attempts: Vec<_> = futures::future::join_all((1..=4).map(|n| {
        let receiver = &receiver;
        async move {
            receiver
                .mock_async(move |when, then| {
                    when.method(POST)
                        .path("/hook")
                        .json_body_includes(format!(r#"{{"attempts": {n}}}"#));
                    then.status(503);
                })
                .await
        }
    }))
    .await;
    subscribe_and_record_a_note(&s, &receiver).await;
    for _ in 0..200 {
        if attempts[2].calls_async().await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The third attempt was the last: a fourth would come 20 ms later; wait ten times that.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for (n, mock) in attempts.iter().enumerate() {
        let expected = usize::from(n < 3);
        assert_eq!(mock.calls_async().await, expected, "attempt {}", n + 1);
    }
}

#[tokio::test]
async fn interactions_created_through_the_api_are_listed_and_delivered_with_redelivery() {
    let s = sandbox(10, Duration::from_millis(20)).await;
    let receiver = MockServer::start_async().await;
    let failing = receiver
        .mock_async(|when, then| {
            when.method(POST)
                .path("/hook")
                .json_body_includes(r#"{"attempts": 1}"#);
            then.status(500);
        })
        .await;
    let accepted = receiver
        .mock_async(|when, then| {
            when.method(POST)
                .path("/hook")
                .json_body_includes(r#"{"attempts": 2}"#)
                .json_body_includes(r#"{"topic": "interactions"}"#);
            then.status(200);
        })
        .await;
    let (prospect, created) = subscribe_and_record_a_note(&s, &receiver).await;
    let c = conversion_client(&s);
    let listed: Vec<_> = c
        .prospect_interactions(&prospect, conversion::InteractionQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert!(listed.iter().any(|i| i.id == created[0].id));

    for _ in 0..100 {
        if accepted.calls_async().await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    failing.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;

    let missing: conversion_api::types::NewEvent =
        serde_json::from_value(json!({"type": "note"})).unwrap();
    let error = c
        .raw()
        .create_prospect_interaction()
        .prospect_id("000000000000000000000000")
        .body(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}
