//! The connector's configuration: its JSON Schema (the SPEC's `connectionSpecification`) and
//! how a config file becomes the vendors' clients.

use crate::args::Credentials;
use crate::clients::Clients;
use crate::error::CliError;
use chrono::{DateTime, Duration, Utc};
use cxkit::sync::Source;
use serde::Deserialize;
use serde_json::{json, Value};

/// A vendor's credential and base URL.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct VendorConfig {
    #[serde(default, alias = "api_key")]
    token: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
}

/// The config file (`--config FILE`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where time-filtered streams start on a first run (default: 30 days ago).
    #[serde(default)]
    start_date: Option<DateTime<Utc>>,
    #[serde(default)]
    zchat: Option<VendorConfig>,
    #[serde(default)]
    converz: Option<VendorConfig>,
    #[serde(default)]
    conversion: Option<VendorConfig>,
    /// Run against the embedded sandbox (all three vendors, no credentials).
    #[serde(default)]
    sandbox: bool,
    /// Pages fetched at once by each stream (default: the CLI's `--concurrency` default).
    #[serde(default)]
    concurrency: Option<u16>,
}

/// The SPEC's `connectionSpecification`.
pub fn connection_specification() -> Value {
    let vendor = |title: &str, secret: &str, base_url_required: bool| {
        let mut required = vec![secret];
        if base_url_required {
            required.push("base_url");
        }
        json!({
            "type": "object",
            "title": title,
            "required": required,
            "additionalProperties": false,
            "properties": {
                secret: {"type": "string", "airbyte_secret": true, "title": "Credential"},
                // wire-literal: a JSON Schema keyword
                "base_url": {"type": "string", "format": "uri", "title": "Base URL"}
            }
        })
    };
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "cxkit: Zenvia Chat, Converz and Zenvia Conversion",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            // wire-literal: the connector config's own key, not a vendor parameter
            "start_date": {
                "type": "string",
                // wire-literal: a JSON Schema keyword
                "format": "date-time",
                "title": "Start date",
                "description": "Where time-filtered streams start on a first run (default: 30 days ago).",
                "examples": ["2024-01-01T00:00:00Z"]
            },
            // wire-literal: the connector config's own key
            "zchat": vendor("Zenvia Chat", "token", false),
            "converz": vendor("Converz", "api_key", true),
            "conversion": vendor("Zenvia Conversion", "api_key", false),
            // wire-literal: the connector config's own key
            "concurrency": {
                "type": "integer",
                "minimum": 1,
                "maximum": 64,
                "default": crate::args::DEFAULT_CONCURRENCY,
                "title": "Concurrency",
                "description": "Pages (Conversion: 31-day windows) each stream fetches at once; fewer after the API answers 429, more again after successes."
            },
            "sandbox": {
                "type": "boolean",
                "default": false,
                "title": "Embedded sandbox",
                "description": "Read from cxkit's embedded fake of the three APIs (no credentials)."
            }
        }
    })
}

impl Config {
    /// Reads and checks `path`.
    pub fn load(path: &std::path::Path) -> Result<Self, CliError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::config(format!("cannot read {}: {e}", path.display())))?;
        let config: Self = serde_json::from_str(&text)
            .map_err(|e| CliError::config(format!("invalid config {}: {e}", path.display())))?;
        if let Some(n) = config.concurrency.filter(|n| !(1..=64).contains(n)) {
            return Err(CliError::config(format!(
                "invalid config {}: concurrency {n} is outside 1..=64",
                path.display()
            )));
        }
        Ok(config)
    }

    /// Where a first run of a time-filtered stream starts.
    pub fn start(&self) -> DateTime<Utc> {
        self.start_date
            .unwrap_or_else(|| Utc::now() - Duration::days(30))
    }

    /// The clients of the configured vendors, and what keeps an embedded sandbox running.
    pub async fn source(&self) -> Result<(Source, Clients), CliError> {
        let part = |v: &Option<VendorConfig>| {
            let v = v.as_ref();
            (
                v.and_then(|v| v.token.clone()),
                v.and_then(|v| v.base_url.clone()),
            )
        };
        let (zchat_token, zchat_base_url) = part(&self.zchat);
        let (converz_api_key, converz_base_url) = part(&self.converz);
        let (conversion_api_key, conversion_base_url) = part(&self.conversion);
        let credentials = Credentials {
            zchat_token,
            zchat_base_url,
            converz_api_key,
            converz_base_url,
            conversion_api_key,
            conversion_base_url,
        };
        let sandbox = self.sandbox_endpoints().await?;
        let all = sandbox.is_some();
        let clients = Clients::new(sandbox, credentials, cxkit::RetryPolicy::default(), None);
        let source = Source {
            zchat: (all || self.zchat.is_some())
                .then(|| clients.zchat())
                .transpose()?,
            converz: (all || self.converz.is_some())
                .then(|| clients.converz())
                .transpose()?,
            conversion: (all || self.conversion.is_some())
                .then(|| clients.conversion())
                .transpose()?,
            concurrency: usize::from(self.concurrency.unwrap_or(crate::args::DEFAULT_CONCURRENCY)),
        };
        Ok((source, clients))
    }

    #[cfg(feature = "sandbox")]
    async fn sandbox_endpoints(&self) -> Result<Option<crate::clients::Endpoints>, CliError> {
        if !self.sandbox {
            return Ok(None);
        }
        let args = crate::args::SandboxArgs {
            enabled: true,
            rows: 10_000,
            latency_ms: 0,
            faults: None,
        };
        crate::embedded::start(&args).await
    }

    #[cfg(not(feature = "sandbox"))]
    async fn sandbox_endpoints(&self) -> Result<Option<crate::clients::Endpoints>, CliError> {
        if self.sandbox {
            return Err(CliError::config(
                "this build has no embedded sandbox (cargo feature `sandbox`)",
            ));
        }
        Ok(None)
    }
}
