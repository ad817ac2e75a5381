//! What a sandbox serves and accepts: its configuration, credentials and the fixed facts of
//! its data (where the Conversion fake is mounted, how many days the data spans).

use crate::faults::Faults;
use crate::link::Link;
use chrono::{DateTime, TimeZone, Utc};
use std::time::Duration;

/// The credentials the sandbox accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// zchat `token` query parameter.
    pub zchat_token: String,
    /// Converz `X-API-Key` header.
    pub converz_api_key: String,
    /// Conversion `api-key` query parameter.
    pub conversion_api_key: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Self {
            zchat_token: "sandbox-zchat-token".into(),
            converz_api_key: "sandbox-converz-key".into(),
            conversion_api_key: "sandbox-conversion-key".into(),
        }
    }
}

/// What the sandbox serves.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Seed of every generated value.
    pub seed: u64,
    /// zchat history rows, spread over the 90 days before `anchor`.
    pub history_rows: u64,
    /// zchat ongoing interactions.
    pub ongoing_rows: u64,
    /// Converz users.
    pub reps: u64,
    /// Converz conversations, spread over the 90 days before `anchor`.
    pub calls: u64,
    /// Conversion prospects at start, spread over the 90 days before `anchor`.
    pub prospects: u64,
    /// The end of the generated data ("now" for the sandbox).
    pub anchor: DateTime<Utc>,
    /// Injected failures.
    pub faults: Faults,
    /// Accepted credentials.
    pub credentials: Credentials,
    /// Webhook redelivery: how many attempts, and the delays between them (the runtime's
    /// policy, as the clients use; by default 5 attempts, 200 ms doubling, no jitter).
    pub webhook_retry: conversion_api::RetryPolicy,
    /// Render each successful `GET` once and answer the same URL again with the same bytes
    /// from memory (for benchmarks of the client; writes are not reflected in cached lists).
    pub replay: bool,
    /// Compress responses when the request accepts it, at this level (1 fastest to 9 for
    /// gzip; `None`: never). Faults cut and stall the compressed bytes.
    pub compression: Option<u32>,
    /// Serve through a shaped link (shared bandwidth, round-trip delay).
    pub link: Option<Link>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            history_rows: 10_000,
            ongoing_rows: 200,
            reps: 50,
            calls: 10_000,
            prospects: 300,
            anchor: Utc
                .with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            faults: Faults::default(),
            credentials: Credentials::default(),
            webhook_retry: conversion_api::RetryPolicy::default()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(200))
                .with_jitter(false),
            replay: false,
            compression: Some(1),
            link: None,
        }
    }
}

/// Where the Conversion fake is mounted.
pub(crate) const CONVERSION_PREFIX: &str = "/conversion/v1";

/// The span of generated data before the anchor.
pub(crate) const DATA_DAYS: i64 = 90;
