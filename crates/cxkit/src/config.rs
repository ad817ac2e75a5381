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
    pub allow_http: bool,
    /// `false`: ask for identity bodies (no `Accept-Encoding`).
    pub no_compression: bool,
    pub connect_timeout: Option<Duration>,
    pub max_body_bytes: Option<u64>,
    pub max_row_bytes: Option<u64>,
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
        if !self.allow_http {
            refuse_clear_text(&base_url).map_err(ConfigError::Invalid)?;
        }
        credential
            .validate()
            .map_err(|problem| ConfigError::Invalid(format!("{}: {problem}", profile.name)))?;
        let mut builder = cxkit_runtime::http_client_builder();
        if let Some(timeout) = self.connect_timeout {
            builder = builder.connect_timeout(timeout);
        }
        if self.no_compression {
            builder = builder.no_gzip().no_brotli().no_zstd().no_deflate();
        }
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
            .with_request_timeout(self.timeout.unwrap_or(Duration::from_secs(60)))
            .with_max_body_bytes(
                self.max_body_bytes
                    .unwrap_or(cxkit_runtime::DEFAULT_MAX_BODY_BYTES),
            )
            .with_max_row_bytes(
                self.max_row_bytes
                    .unwrap_or(cxkit_runtime::DEFAULT_MAX_ROW_BYTES),
            );
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

/// Refuses a plain `http://` URL to a host other than this machine: the credential would
/// cross the network in clear.
///
/// ```
/// # use cxkit::config::refuse_clear_text;
/// assert!(refuse_clear_text("http://api.example.com/v1").is_err());
/// assert!(refuse_clear_text("https://api.example.com/v1").is_ok());
/// assert!(refuse_clear_text("http://127.0.0.1:8080").is_ok());
/// assert!(refuse_clear_text("http://localhost:8080").is_ok());
/// assert!(refuse_clear_text("http://[::1]:8080").is_ok());
/// ```
pub fn refuse_clear_text(text: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    if url.scheme() != "http" {
        return Ok(());
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if loopback {
        return Ok(());
    }
    Err(format!(
        "`{}` is plain http to another machine: the credential and the data would cross the          network unencrypted. Use https, or allow it explicitly (`allow_http`, the CLI's          --allow-http) for a trusted network",
        cxkit_runtime::mask_url(&url, &[])
    ))
}

/// A required secret from the environment: the variable itself, or the file its `_FILE`
/// twin names (one trailing line break is not part of the secret).
pub(crate) fn env_secret(
    lookup: &impl Lookup,
    (variable, file_variable): (&'static str, &'static str),
    hint: &'static str,
) -> Result<String, ConfigError> {
    let direct = lookup(variable).filter(|v| !v.trim().is_empty());
    let from_file = lookup(file_variable).filter(|v| !v.trim().is_empty());
    let (value, variable) = match (direct, from_file) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::InvalidVariable {
                variable: file_variable,
                reason: format!("{variable} is set too: keep one"),
            })
        }
        (Some(value), None) => (Some(value), variable),
        (None, Some(path)) => (
            Some(
                read_secret_file(std::path::Path::new(&path)).map_err(|reason| {
                    ConfigError::InvalidVariable {
                        variable: file_variable,
                        reason,
                    }
                })?,
            ),
            file_variable,
        ),
        (None, None) => (None, variable),
    };
    match value {
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

/// A secret kept in a file (a mounted secret, a file only its owner can read): its content
/// without one trailing line break. Symlinks are followed (mounted secrets are links).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("cxkit-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("token"), "s3cr3t\n").unwrap();
/// assert_eq!(cxkit::config::read_secret_file(&dir.join("token")).unwrap(), "s3cr3t");
/// assert!(cxkit::config::read_secret_file(&dir.join("absent")).is_err());
/// # std::fs::remove_dir_all(dir).unwrap();
/// ```
pub fn read_secret_file(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the secret file {}: {e}", path.display()))?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    if text.trim().is_empty() {
        return Err(format!("the secret file {} is empty", path.display()));
    }
    Ok(text.to_owned())
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
