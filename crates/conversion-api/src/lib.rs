//! Rust client for the **Zenvia Conversion API** (formerly Sirena): leads, prospects,
//! interactions, webhook subscriptions and the agent/group directory.
//!
//! Generated at build time by progenitor from `specs/conversion.yaml` through
//! `cxkit-codegen`; never edit generated code, change the spec. For cursor streams, 31-day
//! windows, validated lead builders and a webhook receiver, use the `cxkit` facade; this
//! crate is the raw, complete surface.
//!
//! - Authentication: the API key travels as the `api-key` query parameter; it is masked in
//!   every URL, error and log line (see `cxkit-runtime`).
//! - Rate limit: over it the API answers `429` with `X-RateLimit-*` headers. `GET`s and
//!   `DELETE`s are retried with backoff; **lead `POST`s are never retried** (a retry could
//!   create a duplicate prospect).
//! - Webhook deliveries are typed as [`types::WebhookEvent`]: parse the body your endpoint
//!   receives with `serde_json::from_slice::<types::WebhookEvent>(..)`.
//! - Open shapes (`Prospect`, `Interaction`, …) keep every unknown field in `extra`;
//!   extensible enums (status, via, topic, lead type) parse unknown values as `String`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), conversion_api::Error<conversion_api::types::Error>> {
//! let client = conversion_api::Client::with_api_key("my-api-key");
//! let prospects = client
//!     .list_prospects()
//!     .status("followUp")
//!     .limit(std::num::NonZeroU64::new(1000).unwrap())
//!     .send()
//!     .await?;
//! for p in prospects.iter() {
//!     println!("{} {:?}", p.id, p.status);
//! }
//! # Ok(()) }
//! ```
//!
//! With the `mock` feature, [`mock::MockServerExt`] adds one typed method per operation to
//! `httpmock::MockServer`, for your own tests.

#![allow(missing_docs)] // generated items carry the spec's descriptions where it has them
#![allow(clippy::all)]
// The spec documents `429` (with its `X-RateLimit-*` headers) beside the shared `4XX`
// response; progenitor matches the `4XX` range first, so its `429` arm never runs.
#![allow(unreachable_patterns)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));

/// The OpenAPI document this crate was generated from (`specs/conversion.yaml`), for tools that
/// check traffic against the contract (the sandbox validates request bodies with it).
pub const SPEC_YAML: &str = include_str!("../spec.yaml");

pub use cxkit_runtime::{Credential, RetryPolicy, Secret};

/// The production server (the spec's first server).
pub const DEFAULT_BASE_URL: &str = wire::SERVER_URL;

/// The query parameter that carries the API key (from the spec's security scheme).
pub const API_KEY_PARAM: &str = wire::CREDENTIAL_NAME;

/// How cxkit-runtime treats Conversion: plain bodies, `{code, message, summary}` errors.
pub static PROFILE: cxkit_runtime::ApiProfile = cxkit_runtime::ApiProfile {
    name: "conversion",
    envelope: cxkit_runtime::Envelope::Plain,
    error_body: |status, message| {
        serde_json::json!({
            "code": status.as_str(),
            "message": message,
            "summary": status.canonical_reason().unwrap_or("HTTP error"),
        })
    },
};

/// The Conversion credential: `api-key=<value>` on every request.
pub fn api_key(value: impl Into<Secret>) -> Credential {
    credential(value)
}

/// A runtime context for Conversion with `key` as credential; adjust it with
/// `ClientContext::with_retry` and friends, then pass it to `Client::new`.
pub fn context(key: impl Into<Secret>) -> cxkit_runtime::ClientContext {
    cxkit_runtime::ClientContext::new(&PROFILE).with_credential(api_key(key))
}

impl Client {
    /// A client for the production server with `key` and default retries and timeout.
    pub fn with_api_key(key: impl Into<Secret>) -> Self {
        Self::new(DEFAULT_BASE_URL, context(key))
    }
}

/// Typed httpmock helpers: `server.list_prospects(|when, then| ...)`.
#[cfg(feature = "mock")]
pub mod mock {
    include!(concat!(env!("OUT_DIR"), "/mock.rs"));
}
