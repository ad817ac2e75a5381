//! Building the vendor clients from flags, the environment, or the embedded sandbox.

use crate::args::Credentials;
use crate::error::CliError;
use cxkit::{conversion, converz, zchat};
use cxkit_sandbox::{Sandbox, SandboxConfig};

/// Where the clients point: the embedded sandbox, or the real APIs with the given credentials.
pub struct Clients {
    sandbox: Option<Sandbox>,
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
    /// Starts the embedded sandbox when asked (`config` sizes it).
    pub async fn new(
        sandbox: Option<SandboxConfig>,
        credentials: Credentials,
        retry: cxkit::RetryPolicy,
        timeout: Option<std::time::Duration>,
    ) -> Result<Self, CliError> {
        let sandbox = match sandbox {
            Some(config) => Some(
                Sandbox::start_with(config)
                    .await
                    .map_err(|e| CliError::config(format!("cannot start the sandbox: {e}")))?,
            ),
            None => None,
        };
        Ok(Self {
            sandbox,
            credentials,
            retry,
            timeout,
        })
    }

    /// The Zenvia Chat client.
    pub fn zchat(&self) -> Result<zchat::Client, CliError> {
        let mut builder = zchat::Client::builder().retry(self.retry.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        let builder = match &self.sandbox {
            Some(s) => builder
                .base_url(s.zchat_base_url())
                .token(s.credentials().zchat_token.clone()),
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
                .base_url(s.converz_base_url())
                .api_key(s.credentials().converz_api_key.clone()),
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
            (Some(s), _) => Ok(cxkit::Secret::new(
                s.credentials().conversion_api_key.clone(),
            )),
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
                .base_url(s.conversion_base_url())
                .api_key(s.credentials().conversion_api_key.clone()),
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
