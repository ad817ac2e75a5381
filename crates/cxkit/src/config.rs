//! The settings behind every client builder ([`crate::ClientBuilder`]): turning them into the
//! generated client's inputs, and reading them from the environment.

use crate::error::{ConfigError, Error};
use cxkit_runtime::{ApiProfile, ClientContext, Credential, RetryPolicy};
use std::time::Duration;

/// Where settings come from in `from_env_with`: a variable name → its value.
pub trait Lookup: Fn(&str) -> Option<String> {}
impl<F: Fn(&str) -> Option<String>> Lookup for F {}

/// How a caller adjusts the HTTP client, applied to cxkit's safe defaults.
#[derive(Clone)]
pub(crate) struct HttpConfig(
    pub std::sync::Arc<dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync>,
);

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpConfig(..)")
    }
}

/// Settings shared by every builder.
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    pub base_url: Option<String>,
    pub timeout: Option<Duration>,
    pub retry: Option<RetryPolicy>,
    pub user_agent: Option<String>,
    pub http: Option<HttpConfig>,
}

impl Settings {
    /// The generated client's inputs: checked base URL, HTTP client and runtime context.
    pub fn finish(
        &self,
        default_base_url: Option<&str>,
        profile: &'static ApiProfile,
        credential: Credential,
    ) -> Result<(String, reqwest::Client, ClientContext), Error> {
        let base_url = match (&self.base_url, default_base_url) {
            (Some(url), _) => url.clone(),
            (None, Some(url)) => url.to_owned(),
            (None, None) => {
                return Err(ConfigError::Invalid(format!(
                    "{} has no global host: set a base URL",
                    profile.name
                ))
                .into())
            }
        };
        check_url(&base_url).map_err(ConfigError::Invalid)?;
        credential
            .validate()
            .map_err(|problem| ConfigError::Invalid(format!("{}: {problem}", profile.name)))?;
        let builder = cxkit_runtime::http_client_builder();
        let http = match &self.http {
            Some(configure) => (configure.0)(builder),
            None => builder,
        }
        // Whatever the caller configured, a credential never follows a redirect.
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .build()
        .map_err(|e| ConfigError::Invalid(format!("cannot build the HTTP client: {e}")))?;
        let mut context = ClientContext::new(profile)
            .with_credential(credential)
            .with_retry(self.retry.clone().unwrap_or_default())
            .with_request_timeout(self.timeout.unwrap_or(Duration::from_secs(60)));
        let agent = self
            .user_agent
            .clone()
            .unwrap_or_else(|| format!("cxkit/{}", env!("CARGO_PKG_VERSION")));
        context = context.with_user_agent(agent);
        Ok((base_url.trim_end_matches('/').to_owned(), http, context))
    }
}

/// An `http(s)://` URL with a host.
pub(crate) fn check_url(text: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("`{text}` is not an http(s) URL with a host"));
    }
    Ok(())
}

/// A required secret from the environment.
pub(crate) fn env_secret(
    lookup: &impl Lookup,
    variable: &'static str,
    hint: &'static str,
) -> Result<String, ConfigError> {
    match lookup(variable) {
        Some(value) if !value.trim().is_empty() => {
            if value.trim() != value || value.contains(char::is_control) {
                return Err(ConfigError::InvalidVariable {
                    variable,
                    reason: "it has surrounding spaces or control characters".into(),
                });
            }
            Ok(value)
        }
        _ => Err(ConfigError::MissingVariable { variable, hint }),
    }
}

/// An optional URL from the environment.
pub(crate) fn env_url(
    lookup: &impl Lookup,
    variable: &'static str,
) -> Result<Option<String>, ConfigError> {
    match lookup(variable) {
        Some(value) if !value.trim().is_empty() => {
            check_url(value.trim())
                .map_err(|reason| ConfigError::InvalidVariable { variable, reason })?;
            Ok(Some(value.trim().to_owned()))
        }
        _ => Ok(None),
    }
}
