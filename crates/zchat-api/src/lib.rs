//! Rust client for the **Zenvia Chat** external data API: the Digital Channels report,
//! service history (standard and expanded), conversation messages and ongoing interactions.
//!
//! Generated at build time by progenitor from `specs/zchat.yaml` through `cxkit-codegen`;
//! never edit generated code, change the spec. For streams, typed filters and one error
//! type, use the `cxkit` facade; this crate is the raw, complete surface.
//!
//! - Authentication: the API token travels as the `token` query parameter; it is masked in
//!   every URL, error and log line (see `cxkit-runtime`).
//! - Every response is wrapped as `{"status", "success", "data"}`; a `2xx` whose `success`
//!   is `false` is returned as `Error::ErrorResponse` with the envelope's status.
//! - Retries: `GET`s are retried on `429`/`5xx`/connection errors per the [`RetryPolicy`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), zchat_api::Error<zchat_api::types::ErrorEnvelope>> {
//! let client = zchat_api::Client::with_token("my-api-token");
//! let page = client
//!     .list_history()
//!     .from("2024-03-01T00:00:00")
//!     .to("2024-03-31T23:59:59")
//!     .timezone("-0300")
//!     .types("WHATSAPP,EMAIL")
//!     .limit(1000)
//!     .page(1)
//!     .send()
//!     .await?;
//! for row in &page.data {
//!     println!("{} {:?}", row.id, row.current_state);
//! }
//! # Ok(()) }
//! ```
//!
//! With the `mock` feature, [`mock::MockServerExt`] adds one typed method per operation to
//! `httpmock::MockServer`, for your own tests.

#![allow(missing_docs)] // generated items carry the spec's descriptions where it has them
#![allow(clippy::all)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));

/// The OpenAPI document this crate was generated from (`specs/zchat.yaml`), for tools that
/// check traffic against the contract (the sandbox validates request bodies with it).
pub const SPEC_YAML: &str = include_str!("../spec.yaml");

pub use cxkit_runtime::{Credential, RetryPolicy, Secret};

/// The production server (the spec's first server).
pub const DEFAULT_BASE_URL: &str = wire::SERVER_URL;

/// The query parameter that carries the API token (from the spec's security scheme).
pub const TOKEN_PARAM: &str = wire::CREDENTIAL_NAME;

/// How cxkit-runtime treats zchat: `success`-flag envelope, `{error, status, success}` errors.
pub static PROFILE: cxkit_runtime::ApiProfile = cxkit_runtime::ApiProfile {
    name: "zchat",
    envelope: cxkit_runtime::Envelope::SuccessFlag,
    error_body: |status, message| serde_json::json!({"error": message, "status": status.as_u16(), "success": false}),
};

/// The zchat credential: `token=<value>` on every request.
pub fn token(value: impl Into<Secret>) -> Credential {
    credential(value)
}

impl Client {
    /// A client for the production server with `token` and default retries and timeout.
    pub fn with_token(value: impl Into<Secret>) -> Self {
        Self::new(DEFAULT_BASE_URL, context(value))
    }
}

/// A runtime context for zchat with `token` as credential; adjust it with
/// `ClientContext::with_retry` and friends, then pass it to `Client::new`.
pub fn context(value: impl Into<Secret>) -> cxkit_runtime::ClientContext {
    cxkit_runtime::ClientContext::new(&PROFILE).with_credential(token(value))
}

/// Typed httpmock helpers: `server.list_history(|when, then| ...)`.
#[cfg(feature = "mock")]
pub mod mock {
    include!(concat!(env!("OUT_DIR"), "/mock.rs"));
}
