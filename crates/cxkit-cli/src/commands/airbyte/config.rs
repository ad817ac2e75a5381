//! The connector's configuration: its JSON Schema (the SPEC's `connectionSpecification`) and
//! how a config file becomes the vendors' clients.

use crate::clients::Clients;
use crate::clients::Credentials;
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

/// Zenvia Chat's credential and base URL, and the zone its naive date-times are in.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ZchatConfig {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    /// The account's UTC offset (`-03:00`): zchat writes `created_at` without one.
    #[serde(default)]
    utc_offset: Option<String>,
}

/// The config file (`--config FILE`), shared by `cxkit airbyte` and `cxkit singer`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where time-filtered streams start on a first run (default: 30 days ago).
    #[serde(default)]
    start_date: Option<DateTime<Utc>>,
    /// Days an incremental run re-reads before its overlap, for rows that change after they
    /// are created (default 0).
    #[serde(default)]
    lookback_window_days: Option<u32>,
    #[serde(default)]
    zchat: Option<ZchatConfig>,
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
    /// Allow a plain `http://` base URL to another machine (default: refused).
    #[serde(default)]
    allow_http: bool,
}

/// The zchat part of the SPEC: a vendor's, plus the account's UTC offset.
fn zchat_schema(mut vendor: Value) -> Value {
    vendor["properties"]["utc_offset"] = json!({
        "type": "string",
        "pattern": "^[+-][0-9]{2}:?[0-9]{2}$",
        "default": "+00:00",
        "title": "UTC offset",
        "description": "The account's offset, e.g. -03:00: zchat writes date-times without one, and every cursor cxkit saves is UTC.",
        "examples": ["-03:00"]
    });
    vendor
}

/// `message` with the values of every credential member of `config` (`token`, `api_key`, at
/// any depth, whatever their type) replaced by `***`.
fn mask_credentials(message: &str, config: &Value) -> String {
    fn collect(value: &Value, secret: bool, out: &mut Vec<String>) {
        match value {
            Value::Object(members) => {
                for (name, member) in members {
                    // wire-literal: the connector config's own keys
                    let named = matches!(name.as_str(), "token" | "api_key");
                    collect(member, secret || named, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| collect(i, secret, out)),
            Value::String(s) if secret && !s.is_empty() => out.push(s.clone()),
            Value::Null | Value::String(_) => {}
            other if secret => out.push(other.to_string()),
            _ => {}
        }
    }
    let mut secrets = Vec::new();
    collect(config, false, &mut secrets);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.iter().fold(message.to_owned(), |text, secret| {
        text.replace(secret.as_str(), "***")
    })
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
            "zchat": zchat_schema(vendor("Zenvia Chat", "token", false)),
            // wire-literal: the connector config's own key
            "lookback_window_days": {
                "type": "integer",
                "minimum": 0,
                "maximum": 3650,
                "default": 0,
                "title": "Lookback window (days)",
                "description": "Incremental runs re-read this many days before their one-hour overlap, to pick up rows that change after they are created (a status, an owner). Rows re-read inside the overlap are dropped; older ones are emitted again (deduplicate by primary key)."
            },
            "converz": vendor("Converz", "api_key", true),
            "conversion": vendor("Zenvia Conversion", "api_key", false),
            // wire-literal: the connector config's own key
            "concurrency": {
                "type": "integer",
                "minimum": 1,
                "maximum": cxkit::pagination::MAX_CONCURRENCY,
                "default": cxkit::pagination::DEFAULT_CONCURRENCY,
                "title": "Concurrency",
                "description": "Pages (Conversion: 31-day windows) each stream fetches at once; fewer after the API answers 429, more again after successes."
            },
            // wire-literal: the connector config's own key
            "allow_http": {
                "type": "boolean",
                "default": false,
                "title": "Allow plain http",
                "description": "Allow a plain http:// base URL to a host other than this machine: the credentials and the data would cross the network unencrypted."
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
        let invalid = |e: serde_json::Error| {
            // A type error quotes the value it met: never a credential.
            let message = match serde_json::from_str::<Value>(&text) {
                Ok(value) => mask_credentials(&e.to_string(), &value),
                Err(_) => e.to_string(),
            };
            CliError::config(format!("invalid config {}: {message}", path.display()))
        };
        let config: Self = serde_json::from_str(&text).map_err(invalid)?;
        if let Some(days) = config.lookback_window_days.filter(|d| *d > 3650) {
            return Err(CliError::config(format!(
                "invalid config {}: lookback_window_days {days} is over 3650",
                path.display()
            )));
        }
        if let Some(offset) = config.zchat.as_ref().and_then(|z| z.utc_offset.as_deref()) {
            crate::period::parse_offset(offset).map_err(|e| {
                CliError::config(format!(
                    "invalid config {}: zchat.utc_offset: {e}",
                    path.display(),
                ))
            })?;
        }
        let max = cxkit::pagination::MAX_CONCURRENCY;
        if let Some(n) = config.concurrency.filter(|n| !(1..=max).contains(n)) {
            return Err(CliError::config(format!(
                "invalid config {}: concurrency {n} is outside 1..={max}",
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

    /// How this run follows every stream's cursor: from the start date, up to now, with the
    /// configured lookback and zchat's offset.
    pub fn semantics(&self) -> crate::commands::stream_run::Semantics {
        let zchat_offset = self
            .zchat
            .as_ref()
            .and_then(|z| z.utc_offset.as_deref())
            .and_then(|o| crate::period::parse_offset(o).ok())
            .unwrap_or_else(|| chrono::Offset::fix(&Utc));
        crate::commands::stream_run::Semantics {
            start: self.start(),
            until: Utc::now(),
            lookback: Duration::days(i64::from(self.lookback_window_days.unwrap_or(0))),
            zchat_offset,
        }
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
        let zchat = self.zchat.as_ref();
        let (zchat_token, zchat_base_url) = (
            zchat.and_then(|z| z.token.clone()),
            zchat.and_then(|z| z.base_url.clone()),
        );
        let (converz_api_key, converz_base_url) = part(&self.converz);
        let (conversion_api_key, conversion_base_url) = part(&self.conversion);
        let credentials = Credentials {
            zchat_token,
            zchat_base_url,
            converz_api_key,
            converz_base_url,
            conversion_api_key,
            conversion_base_url,
            ..Credentials::default()
        };
        let sandbox = self.sandbox_endpoints().await?;
        let all = sandbox.is_some();
        let transport = crate::clients::Transport {
            allow_http: self.allow_http,
            ..Default::default()
        };
        let clients = Clients::new(sandbox, credentials, transport);
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
            concurrency: usize::from(
                self.concurrency
                    .unwrap_or(cxkit::pagination::DEFAULT_CONCURRENCY),
            ),
        };
        Ok((source, clients))
    }

    #[cfg(feature = "sandbox")]
    async fn sandbox_endpoints(&self) -> Result<Option<crate::clients::Endpoints>, CliError> {
        if !self.sandbox {
            return Ok(None);
        }
        let args = crate::embedded::SandboxArgs {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_error_never_quotes_a_credential() {
        let dir = tempfile::tempdir().unwrap();
        for (config, secret) in [
            (r#"{"zchat": {"token": 8675309123}}"#, "8675309123"),
            (
                r#"{"converz": {"api_key": ["k3y-in-a-list"]}}"#,
                "k3y-in-a-list",
            ),
            (
                r#"{"sandbox": "tok-as-wrong-type", "zchat": {"token": "tok-as-wrong-type"}}"#,
                "tok-as-wrong-type",
            ),
        ] {
            let path = dir.path().join("config.json");
            std::fs::write(&path, config).unwrap();
            let Err(error) = Config::load(&path) else {
                panic!("{config} loaded")
            };
            assert!(!error.message.contains(secret), "{}", error.message);
            assert!(
                error.message.contains("invalid config"),
                "{}",
                error.message
            );
        }
    }
}
