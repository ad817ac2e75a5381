//! Building the vendor clients from flags, the environment, or the embedded sandbox.
//!
//! Every client is built through the facade's builder, so the CLI gets the same validation
//! (URLs, credentials, limits) as a library user.

use crate::args::Credentials;
use crate::error::CliError;
use cxkit::{conversion, converz, zchat, Vendor};

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

/// A missing setting, named by its environment variable and the flag that also sets it (the
/// flags are the variables in lower case: `ZCHAT_TOKEN` is `--zchat-token`).
fn missing(variable: &str, what: &str) -> CliError {
    let flag = variable.to_ascii_lowercase().replace('_', "-");
    CliError::config(format!(
        "missing {what}: set {variable} or pass --{flag} (or use --sandbox)"
    ))
}

/// One vendor's credential and base URL as given by flags or the environment.
struct Given<'a> {
    secret: &'a Option<String>,
    base_url: &'a Option<String>,
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
        let c = &self.credentials;
        self.client::<zchat::Zchat>(
            |s| &s.zchat,
            Given {
                secret: &c.zchat_token,
                base_url: &c.zchat_base_url,
            },
        )
    }

    /// The Converz client.
    pub fn converz(&self) -> Result<converz::Client, CliError> {
        let c = &self.credentials;
        self.client::<converz::Converz>(
            |s| &s.converz,
            Given {
                secret: &c.converz_api_key,
                base_url: &c.converz_base_url,
            },
        )
    }

    /// The Zenvia Conversion client.
    pub fn conversion(&self) -> Result<conversion::Client, CliError> {
        let c = &self.credentials;
        self.client::<conversion::Conversion>(
            |s| &s.conversion,
            Given {
                secret: &c.conversion_api_key,
                base_url: &c.conversion_base_url,
            },
        )
    }

    /// The Zenvia Conversion API key the client uses (the sandbox's with `--sandbox`).
    pub fn conversion_key(&self) -> Result<cxkit::Secret, CliError> {
        match (&self.sandbox, &self.credentials.conversion_api_key) {
            (Some(s), _) => Ok(s.conversion.secret.clone()),
            (None, Some(key)) => Ok(cxkit::Secret::new(key.clone())),
            (None, None) => Err(missing(
                conversion::API_KEY_VAR,
                <conversion::Conversion as Vendor>::CREDENTIAL,
            )),
        }
    }

    /// Any vendor's client through the facade's one builder: the sandbox's endpoint with
    /// `--sandbox`, else the given credential and base URL (required when the vendor has no
    /// global host).
    fn client<V: Vendor>(
        &self,
        endpoint: fn(&Endpoints) -> &Endpoint,
        given: Given<'_>,
    ) -> Result<V::Client, CliError> {
        let mut builder = cxkit::ClientBuilder::<V>::default().retry(self.retry.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        builder = match &self.sandbox {
            Some(s) => {
                let endpoint = endpoint(s);
                builder
                    .base_url(endpoint.base_url.clone())
                    .credential(endpoint.secret.clone())
            }
            None => {
                let secret = given
                    .secret
                    .clone()
                    .ok_or_else(|| missing(V::CREDENTIAL_VAR, V::CREDENTIAL))?;
                match (given.base_url, V::DEFAULT_BASE_URL) {
                    (Some(url), _) => builder.base_url(url.clone()),
                    (None, Some(_)) => builder,
                    (None, None) => return Err(missing(V::BASE_URL_VAR, V::BASE_URL_HINT)),
                }
                .credential(secret)
            }
        };
        Ok(builder.build()?)
    }
}
