//! One error type for every vendor and every way a call can fail.

use cxkit_runtime::progenitor_client::Error as Generated;
use cxkit_runtime::{excerpt, normalize::EXCERPT_LIMIT, ClientContext, RetryPolicy};
use reqwest::StatusCode;
use std::fmt;

/// Which vendor API an error came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// Zenvia Chat.
    Zchat,
    /// Converz.
    Converz,
    /// Zenvia Conversion.
    Conversion,
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Api::Zchat => "zchat",
            Api::Converz => "converz",
            Api::Conversion => "conversion",
        })
    }
}

/// Everything that can go wrong in cxkit. No variant ever holds a credential: messages and
/// excerpts built from server data are masked, URLs carry `***` in place of secrets.
///
/// ```
/// let err = cxkit::Error::InvalidInput("a lead needs a phone or an email".into());
/// assert!(!err.is_retryable());
/// assert_eq!(err.status(), None);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The vendor answered with an error (its status, code and message).
    #[error("{api} `{operation}` failed with HTTP {status}{code}: {message}{note}",
        code = code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
        note = note.map(|n| format!(" [{n}]")).unwrap_or_default())]
    Api {
        /// The vendor.
        api: Api,
        /// The operation (`operationId` in the spec).
        operation: &'static str,
        /// The HTTP status (for zchat, the envelope's when a `2xx` said `success: false`).
        status: StatusCode,
        /// The vendor's error code, when it sends one.
        code: Option<String>,
        /// The vendor's message, or what cxkit could read of an unusable error body.
        message: String,
        /// Why cxkit did not retry a retryable failure, when that matters (lead POSTs).
        note: Option<&'static str>,
    },
    /// The request did not reach the server or the connection broke.
    #[error("{api} `{operation}`: transport error: {source}{note}",
        note = note.map(|n| format!(" [{n}]")).unwrap_or_default())]
    Transport {
        /// The vendor.
        api: Api,
        /// The operation.
        operation: &'static str,
        /// The underlying error; its URL has credentials masked.
        #[source]
        source: reqwest::Error,
        /// Why cxkit did not retry, when that matters (lead POSTs).
        note: Option<&'static str>,
    },
    /// An attempt took longer than the configured timeout.
    #[error("{api} `{operation}` timed out")]
    Timeout {
        /// The vendor.
        api: Api,
        /// The operation.
        operation: &'static str,
    },
    /// The response could not be read as the documented type.
    #[error("{api} `{operation}`: could not decode the response{status}: {reason}; body starts: {excerpt:?}",
        status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Decode {
        /// The vendor.
        api: Api,
        /// The operation.
        operation: &'static str,
        /// The HTTP status, when known.
        status: Option<StatusCode>,
        /// What the decoder said.
        reason: String,
        /// At most 512 bytes of the body, secrets masked.
        excerpt: String,
    },
    /// A response body broke or ended early, after `rows` rows of it had been read; cxkit
    /// already tried again as often as the retry policy allows.
    #[error("{api} `{operation}`: the response body broke after {rows} row(s): {reason}")]
    Interrupted {
        /// The vendor.
        api: Api,
        /// The operation.
        operation: &'static str,
        /// Rows read from the body before it broke.
        rows: u64,
        /// What happened, secrets masked.
        reason: String,
    },
    /// A list did not advance: a page that only repeats rows already yielded, or a cursor
    /// that does not move. Paging on would never end.
    #[error("{api} `{operation}`: {message}")]
    Pagination {
        /// The vendor.
        api: Api,
        /// The operation.
        operation: &'static str,
        /// What the server did.
        message: String,
    },
    /// A response body (or one row of a streamed list) was larger than the client's limit
    /// (see [`ClientBuilder::max_body_bytes`](crate::ClientBuilder::max_body_bytes)); the
    /// request is not retried, since the same answer would be as large again.
    #[error("{api} `{operation}`: the response {what} is larger than the limit of {limit} bytes (raise it with max_body_bytes / max_row_bytes if the answer is legitimate)")]
    TooLarge {
        /// The vendor.
        api: Api,
        /// The operation.
        operation: &'static str,
        /// What went past the limit: `"body"` or `"row"`.
        what: &'static str,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The input was refused before anything was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A setting is missing or malformed.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// A missing or malformed setting; names the environment variable when it came from one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required environment variable is not set (or empty).
    #[error("environment variable {variable} is not set: {hint}")]
    MissingVariable {
        /// The variable.
        variable: &'static str,
        /// What it should hold.
        hint: &'static str,
    },
    /// An environment variable is set to something unusable.
    #[error("environment variable {variable} is invalid: {reason}")]
    InvalidVariable {
        /// The variable.
        variable: &'static str,
        /// Why (never the secret value itself).
        reason: String,
    },
    /// A builder setting is missing or malformed.
    #[error("invalid client configuration: {0}")]
    Invalid(String),
}

impl Error {
    /// The HTTP status, for errors that came with one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Decode { status, .. } => *status,
            _ => None,
        }
    }

    /// Whether trying again later could succeed (rate limits, server errors, timeouts,
    /// connection failures). cxkit's own retries have already run when you see this.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } => RetryPolicy::is_retryable_status(*status),
            Error::Transport { .. } | Error::Timeout { .. } | Error::Interrupted { .. } => true,
            _ => false,
        }
    }

    /// The vendor's error code, when it sent one.
    pub fn vendor_code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The vendor the error came from, when it came from one.
    pub fn api(&self) -> Option<Api> {
        match self {
            Error::Api { api, .. }
            | Error::Transport { api, .. }
            | Error::Timeout { api, .. }
            | Error::Decode { api, .. }
            | Error::Interrupted { api, .. }
            | Error::Pagination { api, .. }
            | Error::TooLarge { api, .. } => Some(*api),
            _ => None,
        }
    }

    /// The error with `mask` applied to every text that came from a server (messages, codes,
    /// excerpts, reasons): for secrets only the caller knows of (a webhook secret inside a
    /// callback URL the vendor echoes back).
    pub(crate) fn masked_with(mut self, mask: impl Fn(&str) -> String) -> Self {
        match &mut self {
            Error::Api { code, message, .. } => {
                *message = mask(message);
                if let Some(code) = code {
                    *code = mask(code);
                }
            }
            Error::Decode {
                reason, excerpt, ..
            } => {
                *reason = mask(reason);
                *excerpt = mask(excerpt);
            }
            Error::Interrupted { reason, .. } => *reason = mask(reason),
            Error::Pagination { message, .. } => *message = mask(message),
            Error::InvalidInput(text) => *text = mask(text),
            Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::TooLarge { .. }
            | Error::Config(_) => {}
        }
        self
    }

    /// Adds why the failure was not retried (for operations cxkit never retries).
    pub(crate) fn with_note(mut self, why: &'static str) -> Self {
        match &mut self {
            Error::Api { note, .. } | Error::Transport { note, .. } => *note = Some(why),
            _ => {}
        }
        self
    }

    /// A decode failure with a masked excerpt of `body`.
    pub(crate) fn decode(
        api: Api,
        operation: &'static str,
        ctx: &ClientContext,
        status: Option<StatusCode>,
        reason: impl fmt::Display,
        body: &[u8],
    ) -> Self {
        Error::Decode {
            api,
            operation,
            status,
            reason: ctx.redact(&reason.to_string()),
            excerpt: ctx.redact(&excerpt(body, EXCERPT_LIMIT)),
        }
    }

    /// A transport failure (the runtime already masked the URL).
    pub(crate) fn transport(api: Api, operation: &'static str, source: reqwest::Error) -> Self {
        if let Some(found) = cxkit_runtime::too_large(&source) {
            Error::TooLarge {
                api,
                operation,
                what: found.what,
                limit: found.limit,
            }
        } else if source.is_timeout() {
            Error::Timeout { api, operation }
        } else {
            Error::Transport {
                api,
                operation,
                source,
                note: None,
            }
        }
    }
}

/// The error a failed answer read outside the generated client stands for: the vendor's code
/// and message when the body has its error shape (the runtime gives every error body that
/// shape), else what the runtime noted (a redirect not followed), else the status alone.
pub(crate) fn from_answer<E: VendorError + serde::de::DeserializeOwned>(
    (api, operation): (Api, &'static str),
    ctx: &ClientContext,
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> Error {
    let vendor = serde_json::from_slice::<E>(body).ok();
    let note = headers
        .get(cxkit_runtime::NOTE_HEADER)
        .and_then(|v| v.to_str().ok());
    let message = match (&vendor, note) {
        (Some(vendor), _) => vendor.message(),
        (None, Some(note)) => note.to_owned(),
        (None, None) => format!("HTTP {status}"),
    };
    Error::Api {
        api,
        operation,
        status,
        code: vendor.and_then(|v| v.code()).map(|c| ctx.redact(&c)),
        message: ctx.redact(&message),
        note: None,
    }
}

/// The vendor's error body: its code and message.
pub(crate) trait VendorError {
    fn code(&self) -> Option<String>;
    fn message(&self) -> String;
}

impl VendorError for zchat_api::types::ErrorEnvelope {
    fn code(&self) -> Option<String> {
        self.status.map(|s| s.to_string())
    }
    fn message(&self) -> String {
        self.error.clone().unwrap_or_else(|| "no message".into())
    }
}

impl VendorError for converz_api::types::Error {
    fn code(&self) -> Option<String> {
        self.code.clone()
    }
    fn message(&self) -> String {
        self.error.clone().unwrap_or_else(|| "no message".into())
    }
}

impl VendorError for conversion_api::types::Error {
    fn code(&self) -> Option<String> {
        self.code.clone()
    }
    fn message(&self) -> String {
        let message = self.message.clone().unwrap_or_else(|| "no message".into());
        match &self.summary {
            Some(summary) => format!("{message} ({summary})"),
            None => message,
        }
    }
}

/// Turns a generated client's error into [`Error`], masking `ctx`'s secrets.
pub(crate) fn from_generated<E: VendorError>(
    api: Api,
    operation: &'static str,
    ctx: &ClientContext,
    error: Generated<E>,
) -> Error {
    match error {
        Generated::InvalidRequest(message) | Generated::Custom(message) => {
            Error::InvalidInput(ctx.redact(&message))
        }
        Generated::CommunicationError(source)
        | Generated::InvalidUpgrade(source)
        | Generated::ResponseBodyError(source) => Error::transport(api, operation, source),
        Generated::ErrorResponse(response) => Error::Api {
            api,
            operation,
            status: response.status(),
            code: response.code().map(|c| ctx.redact(&c)),
            message: ctx.redact(&response.message()),
            note: None,
        },
        Generated::InvalidResponsePayload(body, reason) => {
            Error::decode(api, operation, ctx, None, reason, &body)
        }
        Generated::UnexpectedResponse(response) => Error::Api {
            api,
            operation,
            status: response.status(),
            code: None,
            // The runtime explains what it did not act on (a redirect not followed).
            message: response
                .headers()
                .get(cxkit_runtime::NOTE_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(|note| ctx.redact(note))
                .unwrap_or_else(|| "a response the spec does not document".into()),
            note: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(status: u16) -> Error {
        Error::Api {
            api: Api::Converz,
            operation: "list_calls",
            status: StatusCode::from_u16(status).unwrap(),
            code: Some("E42".into()),
            message: "bad s3cr3t-token".into(),
            note: None,
        }
    }

    fn decode_error(status: Option<u16>) -> Error {
        Error::Decode {
            api: Api::Zchat,
            operation: "history",
            status: status.map(|s| StatusCode::from_u16(s).unwrap()),
            reason: "expected s3cr3t-token".into(),
            excerpt: "{\"s3cr3t-token\"".into(),
        }
    }

    fn others() -> Vec<Error> {
        vec![
            Error::Timeout {
                api: Api::Conversion,
                operation: "leads",
            },
            Error::Interrupted {
                api: Api::Converz,
                operation: "list_calls",
                rows: 3,
                reason: "reset s3cr3t-token".into(),
            },
            Error::Pagination {
                api: Api::Zchat,
                operation: "history",
                message: "stuck at s3cr3t-token".into(),
            },
            Error::TooLarge {
                api: Api::Converz,
                operation: "list_calls",
                what: "row",
                limit: 9,
            },
            Error::InvalidInput("no s3cr3t-token".into()),
            Error::Config(ConfigError::Invalid("x".into())),
        ]
    }

    #[test]
    fn each_vendor_is_named_in_messages() {
        let names: Vec<String> = [Api::Zchat, Api::Converz, Api::Conversion]
            .iter()
            .map(Api::to_string)
            .collect();
        assert_eq!(names, ["zchat", "converz", "conversion"]);
        assert_eq!(
            api_error(404).to_string(),
            "converz `list_calls` failed with HTTP 404 Not Found (E42): bad s3cr3t-token"
        );
        assert_eq!(
            decode_error(Some(200)).to_string(),
            "zchat `history`: could not decode the response (HTTP 200 OK): expected \
             s3cr3t-token; body starts: \"{\\\"s3cr3t-token\\\"\""
        );
    }

    #[test]
    fn status_code_vendor_and_retryability_come_from_the_variant() {
        assert_eq!(api_error(429).status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert_eq!(decode_error(Some(200)).status(), Some(StatusCode::OK));
        assert_eq!(decode_error(None).status(), None);
        assert!(others().iter().all(|e| e.status().is_none()));

        assert!(api_error(429).is_retryable() && api_error(503).is_retryable());
        assert!(!api_error(404).is_retryable() && !decode_error(Some(200)).is_retryable());
        let retryable: Vec<bool> = others().iter().map(Error::is_retryable).collect();
        assert_eq!(retryable, [true, true, false, false, false, false]);

        assert_eq!(api_error(400).vendor_code(), Some("E42"));
        assert_eq!(decode_error(None).vendor_code(), None);

        assert_eq!(api_error(400).api(), Some(Api::Converz));
        assert_eq!(decode_error(None).api(), Some(Api::Zchat));
        let apis: Vec<Option<Api>> = others().iter().map(Error::api).collect();
        assert_eq!(
            apis,
            [
                Some(Api::Conversion),
                Some(Api::Converz),
                Some(Api::Zchat),
                Some(Api::Converz),
                None,
                None
            ]
        );
    }

    #[test]
    fn masking_reaches_every_text_a_server_wrote() {
        let mask = |text: &str| text.replace("s3cr3t-token", "***");
        let mut all = vec![api_error(400), decode_error(Some(200))];
        all.extend(others());
        for error in all {
            let masked = error.masked_with(mask);
            let shown = format!("{masked} {masked:?}");
            assert!(!shown.contains("s3cr3t-token"), "{shown}");
        }
        let Error::Api { code, .. } = Error::Api {
            api: Api::Converz,
            operation: "op",
            status: StatusCode::BAD_REQUEST,
            code: Some("s3cr3t-token".into()),
            message: String::new(),
            note: None,
        }
        .masked_with(mask) else {
            unreachable!()
        };
        assert_eq!(code.as_deref(), Some("***"));
    }

    #[test]
    fn a_note_says_why_a_failure_was_not_retried_where_it_applies() {
        let noted = api_error(503).with_note("lead POSTs are never retried");
        assert!(
            noted
                .to_string()
                .ends_with(" [lead POSTs are never retried]"),
            "{noted}"
        );
        let timeout = Error::Timeout {
            api: Api::Conversion,
            operation: "leads",
        }
        .with_note("ignored");
        assert_eq!(timeout.to_string(), "conversion `leads` timed out");
    }
}

#[cfg(test)]
mod vendor_bodies {
    use super::*;

    fn parsed<E: serde::de::DeserializeOwned>(body: serde_json::Value) -> E {
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn each_vendors_error_body_gives_its_code_and_message() {
        let zchat: zchat_api::types::ErrorEnvelope =
            parsed(serde_json::json!({"success": false, "status": 401, "error": "bad token"}));
        assert_eq!(
            (zchat.code(), zchat.message()),
            (Some("401".to_owned()), "bad token".to_owned())
        );
        let zchat: zchat_api::types::ErrorEnvelope = parsed(serde_json::json!({"success": false}));
        assert_eq!(
            (zchat.code(), zchat.message()),
            (None, "no message".to_owned())
        );

        let converz: converz_api::types::Error =
            parsed(serde_json::json!({"code": "E1", "error": "no such rep"}));
        assert_eq!(
            (converz.code(), converz.message()),
            (Some("E1".to_owned()), "no such rep".to_owned())
        );
        let converz: converz_api::types::Error = parsed(serde_json::json!({}));
        assert_eq!(
            (converz.code(), converz.message()),
            (None, "no message".to_owned())
        );

        let conversion: conversion_api::types::Error = parsed(
            serde_json::json!({"code": "C9", "message": "invalid", "summary": "email taken"}),
        );
        assert_eq!(
            (conversion.code(), conversion.message()),
            (Some("C9".to_owned()), "invalid (email taken)".to_owned())
        );
        let conversion: conversion_api::types::Error =
            parsed(serde_json::json!({"message": "invalid"}));
        assert_eq!(
            (conversion.code(), conversion.message()),
            (None, "invalid".to_owned())
        );
    }
}
