//! Every Zenvia Conversion operation on the wire (httpmock): method and exact path (the singular
//! `/prospect/{id}`, `/prospect/{id}/interaction/{iid}` and `/notifications/subscription/{id}`
//! beside the plural collections), the `api-key` query parameter, each filter's encoding
//! (RFC 3339 UTC instants, repeated `additionalData[]` and `via[]` keys), request bodies exactly
//! as documented, typed success bodies, typed errors (the vendor's, synthesized, rate-limited),
//! which requests are retried, and lossless parsing of open shapes and webhook deliveries.

use chrono::{DateTime, Utc};
use conversion_api::mock::MockServerExt;
use conversion_api::{types, Client, Error, ResponseValue, RetryPolicy};
use cxkit_runtime::{ATTEMPT_HEADER, SYNTHESIZED_HEADER};
use cxkit_tests::{fixture, fixture_path, normalized, round_trip, LogCapture};
use httpmock::prelude::*;
use httpmock::{Mock, Then};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::num::NonZeroU64;
use std::time::Duration;

const KEY: &str = "conv-test-key-91d2";
/// `prospect.json`.
const PROSPECT_ID: &str = "65d4a1e7f2c3b80014a9d362";
/// `prospect_created.merged.json`, the prospect `interactions.json` belongs to.
const MERGED_ID: &str = "65e6f0a2c4b1d90012f3a871";
/// The first interaction of `interactions.json`.
const INTERACTION_ID: &str = "65e88b12a7c4d30014f1a2c8";
/// `subscription.json`.
const SUBSCRIPTION_ID: &str = "65f1c2a4e13b7d0012a4c9e1";
/// The first group of `groups.json`.
const GROUP_ID: &str = "60a3b7e2f1c4d50015b8a9c2";
/// The first agent of `agents.json`.
const AGENT_ID: &str = "5fb3e8a1c7d2490016a4f2b8";
/// `quote.json`, a quote of the merged prospect.
const QUOTE_ID: &str = "65e9a4c2d1b7f30012c8e5a4";
/// A contact selection.
const SELECTION_ID: &str = "65f2b0c4d9e1a70013b5c2d8";
/// The messaging channel used in paths (the reference's lowercase spelling).
const CHANNEL: &str = "whatsapp";
/// A key checked by `check_credentials` (not the client's own).
const CHECKED_KEY: &str = "key-being-checked-7f3a";

// ---- helpers ----

fn client(server: &MockServer) -> Client {
    client_with_backoff(server, Duration::from_millis(1))
}

fn client_with_backoff(server: &MockServer, initial_backoff: Duration) -> Client {
    Client::new(
        &server.base_url(),
        conversion_api::context(KEY).with_retry(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(initial_backoff),
        ),
    )
}

fn typed<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value)
        .unwrap_or_else(|e| panic!("does not parse as {}: {e}", std::any::type_name::<T>()))
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The vendor error of a failed call; panics, naming it, on any other failure.
fn vendor_error(err: Error<types::Error>) -> ResponseValue<types::Error> {
    match err {
        Error::ErrorResponse(rv) => rv,
        other => panic!("expected a typed error response, got {other}"),
    }
}

fn header_of<'a, T>(rv: &'a ResponseValue<T>, name: &str) -> Option<&'a str> {
    rv.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The rate-limit answer: `429` with the `X-RateLimit-*` headers, no body, and no wait asked.
fn rate_limited(then: Then) -> Then {
    then.status(429)
        .header("X-RateLimit-Limit", "60")
        .header("X-RateLimit-Remaining", "0")
        .header("X-RateLimit-Reset", "1")
        .header("Retry-After", "0")
}

/// Mocks `POST path` expecting the key (and nothing else) in the query and exactly `body`;
/// answers with the merged prospect of `prospect_created.merged.json`.
async fn lead_mock<'a>(server: &'a MockServer, path: &str, body: Value) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path)
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(body);
            then.status(200)
                .json_body(fixture("conversion/prospect_created.merged.json"));
        })
        .await
}

mod act_as_user;
mod bodies;
mod directory;
mod failures;
mod integration;
mod interactions;
mod leads;
mod messaging;
mod mocks;
mod more_prospects;
mod notifications;
mod ops;
mod parsing;
mod prospects;
mod quotes;

use bodies::*;
use ops::{Op, ALL, LEADS};

/// Mocks `op` (its method, path and credential placement) refined by `refine`, answering
/// `status` with `body`.
async fn mock_op<'a>(
    server: &'a MockServer,
    op: Op,
    refine: impl FnOnce(httpmock::When) -> httpmock::When,
    status: u16,
    body: Value,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            refine(op.expect(when));
            then.status(status).json_body(body);
        })
        .await
}
