//! **cxkit**: one ergonomic, streaming, safe client for three contact-center APIs.
//!
//! | module | vendor | what |
//! |---|---|---|
//! | [`zchat`] | Zenvia Chat | reports, service history, messages, ongoing interactions |
//! | [`converz`] | Converz | agents (reps), conversations (calls), analytics, bulk updates |
//! | [`conversion`] | Zenvia Conversion | leads, prospects, interactions, webhooks |
//!
//! What the facade adds to the generated `*-api` crates:
//!
//! - **Clients** with builders (credential, base URL, timeout, [`RetryPolicy`], user agent, or
//!   a ready `reqwest::Client`) and `from_env()` reading documented variables.
//! - **One [`Error`]** with the vendor's status, code and message; `is_retryable()`,
//!   `status()`. No credential ever appears in it, in `Debug` or in logs.
//! - **Lists as `Stream`s of rows** ([`RowStream`]) over every page, with optional prefetch;
//!   Converz pages are decoded row by row while they download, so memory stays flat.
//! - **Typed parameters**: channels, states, chrono dates; no hand-formatted strings.
//! - **Converz bulk updates** that cannot null other rows by accident, chunked at 100,000 rows.
//! - **Conversion lead builders** that refuse unusable leads before sending, and a webhook
//!   receiver (feature `webhook-server`).
//!
//! Generated types are re-exported in each module, so `cxkit` is the only dependency a user
//! needs.

pub mod client;
pub mod config;
pub mod conversion;
pub mod converz;
pub mod error;
pub mod json_rows;
pub mod pagination;
mod period;
pub mod raw;
pub mod schema;
pub mod sync;
mod wire;
pub mod zchat;

pub use client::{ClientBuilder, Vendor};
pub use config::Lookup;
pub use cxkit_runtime::{OpenJson, OpenMap, OpenValue, RetryPolicy, Secret};
pub use error::{Api, ConfigError, Error};
pub use pagination::{Paging, RowStream};
pub use period::{Period, PeriodError};
pub use raw::RawRow;

/// The README's Rust examples, compiled (and the mock one run) as doctests so the first code
/// a user copies cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
