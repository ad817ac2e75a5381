//! Behaviour of the `cxkit` facade against httpmock servers: builders and `from_env`, every
//! stream over several pages, streaming decode, windows, bulk updates, leads, webhooks,
//! retries, and no credential in any error or `Debug` output the suite produces.

mod common;
mod config;
mod conversion;
mod converz;
mod decoders;
mod limits;
mod paging;
mod raw_pages;
mod resume;
mod setters;
mod source;
#[cfg(feature = "webhook-server")]
mod webhook;
mod windows;
mod zchat;
