//! The one client shape: a [`ClientBuilder`] generic over the [`Vendor`], so base URL, timeout,
//! retries, user agent, HTTP client and `from_env` are written once for the three APIs.
//!
//! Each vendor module names its builder (`zchat::ClientBuilder` is `ClientBuilder<zchat::Zchat>`)
//! and adds only what is its own: the credential's name (`token` or `api_key`), a tenant host,
//! the Converz update chunk size.
//!
//! ```
//! use cxkit::{zchat, ClientBuilder, Vendor};
//!
//! // Any vendor's client from a credential and a base URL, e.g. a local sandbox.
//! fn local<V: Vendor>(secret: &str) -> Result<V::Client, cxkit::Error> {
//!     ClientBuilder::<V>::default()
//!         .credential(secret)
//!         .base_url("http://127.0.0.1:8080")
//!         .build()
//! }
//! let client: zchat::Client = local::<zchat::Zchat>("token")?;
//! # Ok::<(), cxkit::Error>(())
//! ```

use crate::config::{env_secret, env_url, HttpConfig, Lookup, Settings};
use crate::error::{ConfigError, Error};
use cxkit_runtime::{ApiProfile, ClientContext, Credential, RetryPolicy, Secret};
use std::time::Duration;

mod sealed {
    pub trait Sealed {}
}

/// What sets one vendor's client apart; everything else is [`ClientBuilder`]. Implemented by
/// [`zchat::Zchat`](crate::zchat::Zchat), [`converz::Converz`](crate::converz::Converz) and
/// [`conversion::Conversion`](crate::conversion::Conversion) only.
///
/// A value of the vendor type holds the builder settings only that vendor has.
pub trait Vendor:
    sealed::Sealed + Clone + std::fmt::Debug + Default + Send + Sync + 'static
{
    /// The facade client the builder makes.
    type Client;
    /// What the credential is, for messages (`the Zenvia Chat API token`).
    const CREDENTIAL: &'static str;
    /// The environment variable [`ClientBuilder::from_env`] reads the credential from.
    const CREDENTIAL_VAR: &'static str;
    /// The environment variable naming a file that holds the credential, read when
    /// [`CREDENTIAL_VAR`](Self::CREDENTIAL_VAR) is unset.
    const CREDENTIAL_FILE_VAR: &'static str;
    /// The environment variable [`ClientBuilder::from_env`] reads the base URL from.
    const BASE_URL_VAR: &'static str;
    /// The production server, or `None` when every tenant has its own host (then a base URL
    /// is required).
    const DEFAULT_BASE_URL: Option<&'static str>;
    /// What the base URL looks like, for the message when a required one is missing.
    const BASE_URL_HINT: &'static str;
    /// How the runtime treats this API (envelope, error bodies).
    fn profile() -> &'static ApiProfile;
    /// The credential, placed where the spec's security scheme says.
    fn credential(secret: Secret) -> Credential;
    /// The client over a checked base URL, HTTP client and runtime context.
    fn client(
        base_url: &str,
        http: reqwest::Client,
        context: ClientContext,
        vendor: Self,
    ) -> Self::Client;
}

pub(crate) use sealed::Sealed;

/// Builds any vendor's client; each vendor module names it (`zchat::ClientBuilder`, …) and adds
/// its own setters. `Debug` never shows the credential.
#[derive(Clone, Debug, Default)]
pub struct ClientBuilder<V: Vendor> {
    settings: Settings,
    credential: Option<Secret>,
    pub(crate) vendor: V,
}

impl<V: Vendor> ClientBuilder<V> {
    /// A builder whose credential and base URL come from `V`'s environment variables (the
    /// credential is required, the base URL when the vendor has no global host); the other
    /// settings can still be changed before [`build`](Self::build). The credential can also
    /// come from a file named by `<CREDENTIAL_VAR>_FILE` (`ZCHAT_TOKEN_FILE`, …), e.g. a
    /// mounted secret; setting both is refused.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_env_with(lookup: impl Lookup) -> Result<Self, Error> {
        let secret = env_secret(
            &lookup,
            (V::CREDENTIAL_VAR, V::CREDENTIAL_FILE_VAR),
            V::CREDENTIAL,
        )?;
        let builder = Self::default().credential(secret);
        match (env_url(&lookup, V::BASE_URL_VAR)?, V::DEFAULT_BASE_URL) {
            (Some(url), _) => Ok(builder.base_url(url)),
            (None, Some(_)) => Ok(builder),
            (None, None) => Err(ConfigError::MissingVariable {
                variable: V::BASE_URL_VAR,
                hint: V::BASE_URL_HINT,
            }
            .into()),
        }
    }

    /// The credential (the zchat token, or the Converz or Conversion API key).
    pub fn credential(mut self, secret: impl Into<Secret>) -> Self {
        self.credential = Some(secret.into());
        self
    }

    /// The base URL (scheme, host, path prefix), e.g. a sandbox or proxy.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.base_url = Some(url.into());
        self
    }

    /// The timeout of each attempt (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = Some(timeout);
        self
    }

    /// The retry policy (default: 3 attempts, jittered exponential backoff).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = Some(policy);
        self
    }

    /// Allows a plain `http://` base URL to a host other than this machine (default: refused,
    /// since the credential and the data would cross the network in clear). Loopback
    /// addresses (`127.0.0.0/8`, `::1`, `localhost`) are always allowed, for sandboxes and
    /// local proxies.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.settings.allow_http = allow;
        self
    }

    /// Whether to ask for compressed responses (default `true`: `Accept-Encoding: gzip, br,
    /// zstd, deflate`, decoded as they stream in). `false` asks for identity bodies, for a
    /// server or proxy that compresses wrongly. Limits, masking and resumption work on the
    /// decoded bytes either way.
    pub fn compression(mut self, enabled: bool) -> Self {
        self.settings.no_compression = !enabled;
        self
    }

    /// How long to wait for a connection (default 10 s), apart from the timeout of each
    /// attempt ([`timeout`](Self::timeout)), which also bounds the body.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = Some(timeout);
        self
    }

    /// The largest response body read into memory (default
    /// [`DEFAULT_MAX_BODY_BYTES`](cxkit_runtime::DEFAULT_MAX_BODY_BYTES), far above the
    /// largest page any vendor sends); a longer one ends the request with
    /// [`Error::TooLarge`]. Streamed lists (Converz) bound each row instead, to
    /// [`DEFAULT_MAX_ROW_BYTES`](cxkit_runtime::DEFAULT_MAX_ROW_BYTES) by default.
    pub fn max_body_bytes(mut self, bytes: u64) -> Self {
        self.settings.max_body_bytes = Some(bytes);
        self
    }

    /// The largest row of a streamed list (Converz calls and users) held in memory.
    pub fn max_row_bytes(mut self, bytes: u64) -> Self {
        self.settings.max_row_bytes = Some(bytes);
        self
    }

    /// The `User-Agent` header (default `cxkit/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.settings.user_agent = Some(agent.into());
        self
    }

    /// Adjusts the HTTP client (proxies, TLS roots, connection pools):
    /// `.http_client(|b| b.pool_max_idle_per_host(4))`. Redirects and `Referer` are turned off
    /// after it runs, whatever it sets: a credential must never travel to another origin.
    pub fn http_client(
        mut self,
        configure: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.settings.http = Some(HttpConfig(std::sync::Arc::new(configure)));
        self
    }

    /// Checks the settings (URL, credential) and builds the client.
    pub fn build(self) -> Result<V::Client, Error> {
        let secret = self.credential.ok_or_else(|| {
            ConfigError::Invalid(format!("no {}: set a credential", V::CREDENTIAL))
        })?;
        let (base, http, context) =
            self.settings
                .finish(V::DEFAULT_BASE_URL, V::profile(), V::credential(secret))?;
        Ok(V::client(&base, http, context, self.vendor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{conversion, converz, zchat};
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Lookup {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn missing_variable<V: Vendor>(result: Result<ClientBuilder<V>, Error>) -> &'static str {
        match result {
            Err(Error::Config(ConfigError::MissingVariable { variable, .. })) => variable,
            other => panic!("expected a missing variable, got {other:?}"),
        }
    }

    #[test]
    fn from_env_requires_each_vendors_credential_variable() {
        let none = lookup(&[]);
        assert_eq!(
            missing_variable(ClientBuilder::<zchat::Zchat>::from_env_with(&none)),
            zchat::TOKEN_VAR
        );
        assert_eq!(
            missing_variable(ClientBuilder::<converz::Converz>::from_env_with(&none)),
            converz::API_KEY_VAR
        );
        assert_eq!(
            missing_variable(ClientBuilder::<conversion::Conversion>::from_env_with(
                &none
            )),
            conversion::API_KEY_VAR
        );
    }

    #[test]
    fn a_vendor_without_a_global_host_requires_its_base_url_variable() {
        let key_only = lookup(&[(converz::API_KEY_VAR, "k")]);
        assert_eq!(
            missing_variable(ClientBuilder::<converz::Converz>::from_env_with(&key_only)),
            converz::BASE_URL_VAR
        );
        let token_only = lookup(&[(zchat::TOKEN_VAR, "t")]);
        assert!(ClientBuilder::<zchat::Zchat>::from_env_with(&token_only)
            .and_then(ClientBuilder::build)
            .is_ok());
    }

    #[test]
    fn building_without_a_credential_names_what_is_missing() {
        let error = ClientBuilder::<converz::Converz>::default()
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("the Converz API key"), "{error}");
        let error = ClientBuilder::<zchat::Zchat>::default()
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("the Zenvia Chat API token"),
            "{error}"
        );
    }

    #[test]
    fn the_credential_can_come_from_the_file_its_file_variable_names() {
        let dir = std::env::temp_dir().join(format!("cxkit-client-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token");
        std::fs::write(&path, "zt-file-SECRET\n").unwrap();
        let path = path.to_str().unwrap().to_owned();
        let from_file = lookup(&[(zchat::TOKEN_FILE_VAR, &path)]);
        let built = ClientBuilder::<zchat::Zchat>::from_env_with(&from_file).unwrap();
        assert_eq!(
            built.credential.as_ref().map(|s| s.expose().to_owned()),
            Some("zt-file-SECRET".to_owned()),
            "one trailing line break is not part of it"
        );
        let both = lookup(&[(zchat::TOKEN_FILE_VAR, &path), (zchat::TOKEN_VAR, "t")]);
        match ClientBuilder::<zchat::Zchat>::from_env_with(&both) {
            Err(Error::Config(ConfigError::InvalidVariable { variable, reason })) => {
                assert_eq!(variable, zchat::TOKEN_FILE_VAR);
                assert!(!reason.contains("zt-file-SECRET"), "{reason}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let missing = lookup(&[(converz::API_KEY_FILE_VAR, "/nonexistent/cxkit/key")]);
        assert!(ClientBuilder::<converz::Converz>::from_env_with(&missing).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_malformed_base_url_variable_is_refused_with_its_name() {
        let bad = lookup(&[(zchat::TOKEN_VAR, "t"), (zchat::BASE_URL_VAR, "not a url")]);
        match ClientBuilder::<zchat::Zchat>::from_env_with(&bad) {
            Err(Error::Config(ConfigError::InvalidVariable { variable, .. })) => {
                assert_eq!(variable, zchat::BASE_URL_VAR)
            }
            other => panic!("expected an invalid variable, got {other:?}"),
        }
    }
}
