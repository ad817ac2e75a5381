//! Building the vendor clients from flags, the environment, or the embedded sandbox.
//!
//! Every client is built through the facade's builder, so the CLI gets the same validation
//! (URLs, credentials, limits) as a library user.

use crate::error::CliError;
use clap::Args;
use cxkit::{conversion, converz, zchat, Vendor};
use std::path::PathBuf;

/// Credentials and base URLs; each falls back to its environment variable. `Debug` shows
/// whether a credential is set, never its value.
#[derive(Args, Default)]
pub struct Credentials {
    // Three fields per vendor, alike in shape: every vendor takes the same settings (a
    // credential, a file holding it, a base URL), each under its own flag and variable.
    /// Zenvia Chat API token. A flag is visible to other users of this machine (`ps`): prefer
    /// ZCHAT_TOKEN or --zchat-token-file.
    #[arg(
        long,
        env = cxkit::zchat::TOKEN_VAR,
        hide_env_values = true,
        global = true,
        help_heading = "Credentials"
    )]
    pub zchat_token: Option<String>,
    /// A file holding the Zenvia Chat API token (e.g. a mounted secret).
    #[arg(
        long,
        env = cxkit::zchat::TOKEN_FILE_VAR,
        value_name = "FILE",
        global = true,
        help_heading = "Credentials"
    )]
    pub zchat_token_file: Option<PathBuf>,
    /// Zenvia Chat base URL override.
    #[arg(
        long,
        env = cxkit::zchat::BASE_URL_VAR,
        global = true,
        help_heading = "Credentials"
    )]
    pub zchat_base_url: Option<String>,
    /// Converz API key. A flag is visible to other users of this machine (`ps`): prefer
    /// CONVERZ_API_KEY or --converz-api-key-file.
    #[arg(
        long,
        env = cxkit::converz::API_KEY_VAR,
        hide_env_values = true,
        global = true,
        help_heading = "Credentials"
    )]
    pub converz_api_key: Option<String>,
    /// A file holding the Converz API key (e.g. a mounted secret).
    #[arg(
        long,
        env = cxkit::converz::API_KEY_FILE_VAR,
        value_name = "FILE",
        global = true,
        help_heading = "Credentials"
    )]
    pub converz_api_key_file: Option<PathBuf>,
    /// Converz base URL (your tenant's, e.g. https://acme.converz.co/api/v1).
    #[arg(
        long,
        env = cxkit::converz::BASE_URL_VAR,
        global = true,
        help_heading = "Credentials"
    )]
    pub converz_base_url: Option<String>,
    /// Zenvia Conversion API key. A flag is visible to other users of this machine (`ps`): prefer
    /// CONVERSION_API_KEY or --conversion-api-key-file.
    #[arg(
        long,
        env = cxkit::conversion::API_KEY_VAR,
        hide_env_values = true,
        global = true,
        help_heading = "Credentials"
    )]
    pub conversion_api_key: Option<String>,
    /// A file holding the Zenvia Conversion API key (e.g. a mounted secret).
    #[arg(
        long,
        env = cxkit::conversion::API_KEY_FILE_VAR,
        value_name = "FILE",
        global = true,
        help_heading = "Credentials"
    )]
    pub conversion_api_key_file: Option<PathBuf>,
    /// Zenvia Conversion base URL override.
    #[arg(
        long,
        env = cxkit::conversion::BASE_URL_VAR,
        global = true,
        help_heading = "Credentials"
    )]
    pub conversion_base_url: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Credentials")
            .field("zchat_token", &set(&self.zchat_token))
            .field("zchat_token_file", &self.zchat_token_file)
            .field("zchat_base_url", &self.zchat_base_url)
            .field("converz_api_key", &set(&self.converz_api_key))
            .field("converz_api_key_file", &self.converz_api_key_file)
            .field("converz_base_url", &self.converz_base_url)
            .field("conversion_api_key", &set(&self.conversion_api_key))
            .field("conversion_api_key_file", &self.conversion_api_key_file)
            .field("conversion_base_url", &self.conversion_base_url)
            .finish()
    }
}

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

/// How every client talks to its API (the global options).
#[derive(Clone, Debug, Default)]
pub struct Transport {
    /// Attempts and backoff.
    pub retry: cxkit::RetryPolicy,
    /// The timeout of each attempt.
    pub timeout: Option<std::time::Duration>,
    /// The connect timeout.
    pub connect_timeout: Option<std::time::Duration>,
    /// `--allow-http`.
    pub allow_http: bool,
    /// `--no-compression`.
    pub no_compression: bool,
}

/// Where the clients point: the embedded sandbox, or the real APIs with the given credentials.
pub struct Clients {
    sandbox: Option<Endpoints>,
    credentials: Credentials,
    transport: Transport,
}

/// The secret given as a value or as a file holding it (never both), if any. Symlinks are
/// followed (mounted secrets are links); one trailing line break is not part of it.
pub fn one_secret(
    value: Option<&str>,
    file: Option<&std::path::Path>,
    (flag, variable): (&str, &str),
    (file_flag, file_variable): (&str, &str),
) -> Result<Option<String>, CliError> {
    match (value.filter(|v| !v.is_empty()), file) {
        (Some(_), Some(_)) => Err(CliError::config(format!(
            "both {flag}/{variable} and {file_flag}/{file_variable} are set: keep one"
        ))),
        (Some(value), None) => Ok(Some(value.to_owned())),
        (None, Some(path)) => cxkit::config::read_secret_file(path)
            .map(Some)
            .map_err(CliError::config),
        (None, None) => Ok(value.map(str::to_owned)),
    }
}

/// A missing setting, named by its environment variable and the flag that also sets it (the
/// flags are the variables in lower case: `ZCHAT_TOKEN` is `--zchat-token`).
fn missing(variable: &str, what: &str) -> CliError {
    let flag = variable.to_ascii_lowercase().replace('_', "-");
    CliError::config(format!(
        "missing {what}: set {variable} (or {variable}_FILE) or pass --{flag} (or \
         --{flag}-file; or use --sandbox)"
    ))
}

/// One vendor's credential (or the file holding it) and base URL as given by flags or the
/// environment.
struct Given<'a> {
    secret: &'a Option<String>,
    secret_file: &'a Option<std::path::PathBuf>,
    base_url: &'a Option<String>,
}

impl Given<'_> {
    fn secret<V: Vendor>(&self) -> Result<Option<String>, CliError> {
        let flag = format!(
            "--{}",
            V::CREDENTIAL_VAR.to_ascii_lowercase().replace('_', "-")
        );
        let file_flag = format!("{flag}-file");
        one_secret(
            self.secret.as_deref(),
            self.secret_file.as_deref(),
            (&flag, V::CREDENTIAL_VAR),
            (&file_flag, V::CREDENTIAL_FILE_VAR),
        )
    }
}

impl Clients {
    /// Clients for the sandbox's `endpoints` when given, else for the real APIs.
    pub fn new(sandbox: Option<Endpoints>, credentials: Credentials, transport: Transport) -> Self {
        Self {
            sandbox,
            credentials,
            transport,
        }
    }

    /// The Zenvia Chat client.
    pub fn zchat(&self) -> Result<zchat::Client, CliError> {
        let c = &self.credentials;
        self.client::<zchat::Zchat>(
            |s| &s.zchat,
            Given {
                secret: &c.zchat_token,
                secret_file: &c.zchat_token_file,
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
                secret_file: &c.converz_api_key_file,
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
                secret_file: &c.conversion_api_key_file,
                base_url: &c.conversion_base_url,
            },
        )
    }

    /// The Zenvia Conversion API key the client uses (the sandbox's with `--sandbox`).
    pub fn conversion_key(&self) -> Result<cxkit::Secret, CliError> {
        let c = &self.credentials;
        let given = Given {
            secret: &c.conversion_api_key,
            secret_file: &c.conversion_api_key_file,
            base_url: &c.conversion_base_url,
        };
        match (&self.sandbox, given.secret::<conversion::Conversion>()?) {
            (Some(s), _) => Ok(s.conversion.secret.clone()),
            (None, Some(key)) => Ok(cxkit::Secret::new(key)),
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
        let t = &self.transport;
        let mut builder = cxkit::ClientBuilder::<V>::default()
            .retry(t.retry.clone())
            .allow_http(t.allow_http)
            .compression(!t.no_compression);
        if let Some(timeout) = t.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(timeout) = t.connect_timeout {
            builder = builder.connect_timeout(timeout);
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
                    .secret::<V>()?
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

impl Clients {
    /// What the export of `stream` reads from, for a state file: `sandbox`, or the vendor's
    /// base URL (the default one when none is given) without credentials or query.
    pub fn origin(&self, stream: cxkit::sync::Stream) -> Result<String, CliError> {
        let def = stream.def();
        if self.sandbox.is_some() {
            return Ok("sandbox".into());
        }
        let c = &self.credentials;
        let (given, default) = match def.api {
            cxkit::Api::Zchat => (&c.zchat_base_url, zchat::Zchat::DEFAULT_BASE_URL),
            cxkit::Api::Converz => (&c.converz_base_url, converz::Converz::DEFAULT_BASE_URL),
            cxkit::Api::Conversion => (
                &c.conversion_base_url,
                conversion::Conversion::DEFAULT_BASE_URL,
            ),
            other => return Err(CliError::usage(format!("no base URL for {other}"))),
        };
        let url = given.as_deref().or(default).unwrap_or_default();
        Ok(match url::Url::parse(url) {
            Ok(mut parsed) => {
                let _ = parsed.set_username("");
                let _ = parsed.set_password(None);
                parsed.set_query(None);
                parsed.set_fragment(None);
                parsed.as_str().trim_end_matches('/').to_owned()
            }
            Err(_) => url.to_owned(),
        })
    }
}
