//! The HTTP client every cxkit client sends through: redirects are never followed and no
//! `Referer` is sent, so a credential (an `api-key` in the URL, an `X-API-Key` header) never
//! travels to another origin.
//!
//! reqwest's defaults follow up to 10 redirects, re-sending custom headers to the new host
//! and putting the original URL (query credential included) in `Referer`. A redirect is
//! instead answered to the caller as an error naming the target, with credentials masked.

use std::time::Duration;

/// A `reqwest::ClientBuilder` with cxkit's safe defaults: no redirects, no `Referer`, a 10 s
/// connect timeout. Add proxies, TLS roots or pools on top; do not re-enable redirects.
///
/// ```
/// let client = cxkit_runtime::http_client_builder()
///     .pool_max_idle_per_host(4)
///     .build()
///     .unwrap();
/// # drop(client);
/// ```
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .connect_timeout(Duration::from_secs(10))
}

/// A client from [`http_client_builder`]; `timeout` bounds each whole request.
pub fn http_client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    http_client_builder().timeout(timeout).build()
}
