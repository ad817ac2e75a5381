//! Rust client for the **Converz Data API 1.0.5**: users (`/reps`), conversations (`/calls`)
//! and analytics (`/report`).
//!
//! Generated at build time by progenitor from `specs/converz.yaml` through `cxkit-codegen`;
//! never edit generated code, change the spec. For streaming pages of up to a million rows
//! and safe bulk updates, use the `cxkit` facade; this crate is the raw, complete surface.
//!
//! - **Base URL is required**: every tenant has its own host ([`tenant_base_url`]); there is
//!   no global default. [`MOCK_BASE_URL`] is the vendor's documentation mock.
//! - Authentication: the `X-API-Key` header, sent marked sensitive and never printed.
//! - Rows are open: `rep_id` / `call_id` are typed, every other column is kept in `extra`.
//! - Updates (`POST /reps`, `POST /calls`) take a columnar or a row-wise body. **Row-wise
//!   trap:** a field given for only some rows is set to `null` on the others; prefer the
//!   columnar form, whose `null` entries leave values untouched. At most 100,000 rows per
//!   request. `POST`s are never retried automatically.
//!
//! ```no_run
//! # async fn demo() -> Result<(), converz_api::Error<converz_api::types::Error>> {
//! let base = converz_api::tenant_base_url("acme")?;
//! let client = converz_api::Client::with_api_key(&base, "my-api-key");
//! let calls = client
//!     .list_calls()
//!     .start_date("2025-07-01".parse::<chrono::NaiveDate>().unwrap())
//!     .campaign(vec!["sales".to_string(), "retention".to_string()])
//!     .n_per_page(1000u64)
//!     .send()
//!     .await?;
//! for call in calls.iter() {
//!     // Columns the spec leaves open stay JSON text until read.
//!     let duration = call.extra.get("duration").and_then(|d| d.as_u64());
//!     println!("{} {duration:?}", call.call_id);
//! }
//! # Ok(()) }
//! ```
//!
//! With the `mock` feature, [`mock::MockServerExt`] adds one typed method per operation to
//! `httpmock::MockServer`, for your own tests.

#![allow(missing_docs)] // generated items carry the spec's descriptions where it has them
#![allow(clippy::all)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));

/// The OpenAPI document this crate was generated from (`specs/converz.yaml`), for tools that
/// check traffic against the contract (the sandbox validates request bodies with it).
pub const SPEC_YAML: &str = include_str!("../spec.yaml");

pub use cxkit_runtime::{Credential, RetryPolicy, Secret};

/// The header that carries the API key (from the spec's security scheme).
pub const API_KEY_HEADER: &str = wire::CREDENTIAL_NAME;

/// The vendor's documentation mock server.
pub const MOCK_BASE_URL: &str = "https://docs.converz.co/_mock/openapi";

/// Rows per update request the vendor accepts (the update bodies' `maxItems` in the spec).
pub const MAX_UPDATE_ROWS: usize = wire::update_reps::MAX_BODY_ITEMS;

/// Rows per page the vendor serves at most (`n_per_page`'s `maximum` in the spec).
pub const MAX_PAGE_SIZE: u64 = wire::list_calls::query::N_PER_PAGE_MAXIMUM;

// The two update operations and the two lists share their limits: the facade relies on it.
const _: () = assert!(wire::update_calls::MAX_BODY_ITEMS == MAX_UPDATE_ROWS);
const _: () = assert!(wire::list_reps::query::N_PER_PAGE_MAXIMUM == MAX_PAGE_SIZE);

/// How cxkit-runtime treats Converz: plain bodies, `{error, code}` errors.
pub static PROFILE: cxkit_runtime::ApiProfile = cxkit_runtime::ApiProfile {
    name: "converz",
    envelope: cxkit_runtime::Envelope::Plain,
    error_body: |status, message| serde_json::json!({"error": message, "code": status.as_str()}),
};

/// `https://{domain}.converz.co/api/v1` for your tenant's subdomain.
///
/// ```
/// assert_eq!(
///     converz_api::tenant_base_url("acme").unwrap(),
///     "https://acme.converz.co/api/v1"
/// );
/// assert!(converz_api::tenant_base_url("not a host/").is_err());
/// ```
pub fn tenant_base_url(domain: &str) -> Result<String, InvalidDomain> {
    let valid = !domain.is_empty()
        && domain.len() <= 63
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !domain.starts_with('-')
        && !domain.ends_with('-');
    if valid {
        Ok(wire::SERVER_URL.replace("{domain}", domain))
    } else {
        Err(InvalidDomain(domain.to_owned()))
    }
}

/// A tenant subdomain that is not a valid DNS label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidDomain(pub String);

impl std::fmt::Display for InvalidDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not a valid Converz tenant subdomain", self.0)
    }
}

impl std::error::Error for InvalidDomain {}

impl<E> From<InvalidDomain> for Error<E> {
    fn from(e: InvalidDomain) -> Self {
        Error::InvalidRequest(e.to_string())
    }
}

/// The Converz credential: `X-API-Key: <value>` on every request, marked sensitive.
pub fn api_key(value: impl Into<Secret>) -> Credential {
    credential(value)
}

/// A runtime context for Converz with `key` as credential; adjust it with
/// `ClientContext::with_retry` and friends, then pass it to `Client::new`.
pub fn context(key: impl Into<Secret>) -> cxkit_runtime::ClientContext {
    cxkit_runtime::ClientContext::new(&PROFILE).with_credential(api_key(key))
}

impl Client {
    /// A client for `base_url` (see [`tenant_base_url`]) with `key` and default retries.
    pub fn with_api_key(base_url: &str, key: impl Into<Secret>) -> Self {
        Self::new(base_url, context(key))
    }
}

/// Typed httpmock helpers: `server.list_calls(|when, then| ...)`.
#[cfg(feature = "mock")]
pub mod mock {
    include!(concat!(env!("OUT_DIR"), "/mock.rs"));
}
