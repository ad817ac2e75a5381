//! Building the vendor clients from flags, the environment, or the embedded sandbox.
//!
//! Every client is built through the facade's builder, so the CLI gets the same validation
//! (URLs, credentials, limits) as a library user.

use crate::args::Credentials;
use crate::error::CliError;
use cxkit::{conversion, converz, zchat};

/// One vendor's base URL and the credential it accepts.
pub struct Endpoint {
    /// The base URL.
    pub base_url: String,
    /// The credential.
    pub secret: cxkit::Secret,
}

#[cfg(feature = "sandbox")]
impl Endpoint {
    /// An endpoint at `base_url` taking `secret`.
    pub fn new(base_url: String, secret: &str) -> Self {
        Self {
            base_url,
            secret: cxkit::Secret::new(secret),
        }
    }
}

/// The embedded sandbox's endpoints, and the running sandbox itself (dropped with them).
pub struct Endpoints {
    /// Zenvia Chat.
    pub zchat: Endpoint,
    /// Converz.
    pub converz: Endpoint,
    /// Zenvia Conversion.
    pub conversion: Endpoint,
    /// Keeps the sandbox serving while the clients live.
    pub _running: Box<dyn std::any::Any + Send + Sync>,
}

/// Where the clients point: the embedded sandbox, or the real APIs with the given credentials.
pub struct Clients {
    sandbox: Option<Endpoints>,
    credentials: Credentials,
    retry: cxkit::RetryPolicy,
    timeout: Option<std::time::Duration>,
}

fn missing(variable: &str, flag: &str, what: &str) -> CliError {
    CliError::config(format!(
        "missing {what}: set {variable} or pass --{flag} (or use --sandbox)"
    ))
}

impl Clients {
    /// Clients for the sandbox's `endpoints` when given, else for the real APIs.
    pub fn new(
        sandbox: Option<Endpoints>,
        credentials: Credentials,
        retry: cxkit::RetryPolicy,
        timeout: Option<std::time::Duration>,
    ) -> Self {
        Self {
            sandbox,
            credentials,
            retry,
            timeout,
        }
    }

    /// The Zenvia Chat client.
    pub fn zchat(&self) -> Result<zchat::Client, CliError> {
        let mut builder = zchat::Client::builder().retry(self.retry.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        let builder = match &self.sandbox {
            Some(s) => builder
                .base_url(s.zchat.base_url.clone())
                .token(s.zchat.secret.clone()),
            None => {
                let c = &self.credentials;
                let token = c.zchat_token.clone().ok_or_else(|| {
                    missing("ZCHAT_TOKEN", "zchat-token", "the Zenvia Chat API token")
                })?;
                let builder = builder.token(token);
                match &c.zchat_base_url {
                    Some(url) => builder.base_url(url.clone()),
                    None => builder,
                }
            }
        };
        Ok(builder.build()?)
    }

    /// The Converz client.
    pub fn converz(&self) -> Result<converz::Client, CliError> {
        let mut builder = converz::Client::builder().retry(self.retry.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        let builder = match &self.sandbox {
            Some(s) => builder
                .base_url(s.converz.base_url.clone())
                .api_key(s.converz.secret.clone()),
            None => {
                let c = &self.credentials;
                let key = c.converz_api_key.clone().ok_or_else(|| {
                    missing("CONVERZ_API_KEY", "converz-api-key", "the Converz API key")
                })?;
                let url = c.converz_base_url.clone().ok_or_else(|| {
                    missing(
                        "CONVERZ_BASE_URL",
                        "converz-base-url",
                        "your Converz tenant's base URL",
                    )
                })?;
                builder.api_key(key).base_url(url)
            }
        };
        Ok(builder.build()?)
    }

    /// The Zenvia Conversion API key the client uses (the sandbox's with `--sandbox`).
    pub fn conversion_key(&self) -> Result<cxkit::Secret, CliError> {
        match (&self.sandbox, &self.credentials.conversion_api_key) {
            (Some(s), _) => Ok(s.conversion.secret.clone()),
            (None, Some(key)) => Ok(cxkit::Secret::new(key.clone())),
            (None, None) => Err(missing(
                "CONVERSION_API_KEY",
                "conversion-api-key",
                "the Zenvia Conversion API key",
            )),
        }
    }

    /// The Zenvia Conversion client.
    pub fn conversion(&self) -> Result<conversion::Client, CliError> {
        let mut builder = conversion::Client::builder().retry(self.retry.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        let builder = match &self.sandbox {
            Some(s) => builder
                .base_url(s.conversion.base_url.clone())
                .api_key(s.conversion.secret.clone()),
            None => {
                let c = &self.credentials;
                let key = c.conversion_api_key.clone().ok_or_else(|| {
                    missing(
                        "CONVERSION_API_KEY",
                        "conversion-api-key",
                        "the Zenvia Conversion API key",
                    )
                })?;
                let builder = builder.api_key(key);
                match &c.conversion_base_url {
                    Some(url) => builder.base_url(url.clone()),
                    None => builder,
                }
            }
        };
        Ok(builder.build()?)
    }
}
