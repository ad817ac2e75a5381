//! Webhook deliveries: parse one into a typed [`WebhookEvent`], and (feature
//! `webhook-server`) receive them with an axum `Router`.
//!
//! The vendor signs nothing, so the receiver checks a shared secret carried in the callback
//! URL (`?secret=…`, see [`callback_url`] and
//! [`Client::subscribe_webhook`](super::Client::subscribe_webhook)), compared in constant
//! time. Deliveries are retried by the vendor and can repeat: the receiver calls your
//! handler once per (`topic`, `type`, `operationId`) within a window, and answers `2xx` only
//! after the handler succeeded, so a failure is redelivered.

pub use conversion_api::types::{
    KnownTopicName, KnownWebhookEventType, TopicName, WebhookEvent, WebhookEventType,
};

use crate::error::Error;
use crate::wire::wire_text;
use cxkit_runtime::{excerpt, normalize::EXCERPT_LIMIT, Secret};

/// The query parameter carrying the shared secret in the callback URL.
pub const SECRET_PARAM: &str = "secret";

/// The environment variable the CLI and the examples read the shared webhook secret from.
pub const SECRET_VAR: &str = "WEBHOOK_SECRET";

/// Parses a delivery body. Unknown topics and event types parse (as `String` variants) and
/// unknown fields are kept in `extra`.
pub fn parse(body: &[u8]) -> Result<WebhookEvent, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        api: crate::Api::Conversion,
        operation: "webhook",
        status: None,
        reason: e.to_string(),
        excerpt: excerpt(body, EXCERPT_LIMIT),
    })
}

/// What identifies a delivery across redeliveries: (`topic`, `type`, `operationId`).
/// `None` when the delivery has no `operationId` (it cannot be de-duplicated).
pub fn dedup_key(event: &WebhookEvent) -> Option<(String, String, String)> {
    let operation = event.operation_id.clone()?;
    let kind = event.type_.as_ref().map(wire_text).unwrap_or_default();
    Some((wire_text(&event.topic), kind, operation))
}

/// `url` with the secret added as the `secret` query parameter.
pub fn callback_url(url: &str, secret: &Secret) -> Result<String, Error> {
    if secret.expose().len() < 16 {
        return Err(Error::InvalidInput(
            "use a webhook secret of at least 16 characters".into(),
        ));
    }
    let mut parsed =
        reqwest::Url::parse(url).map_err(|e| Error::InvalidInput(format!("callback URL: {e}")))?;
    if parsed.scheme() != "https"
        && parsed.host_str() != Some("127.0.0.1")
        && parsed.host_str() != Some("localhost")
    {
        return Err(Error::InvalidInput(
            "the callback URL must use https (it carries a secret)".into(),
        ));
    }
    parsed
        .query_pairs_mut()
        .append_pair(SECRET_PARAM, secret.expose());
    Ok(parsed.into())
}

/// `url` with the value of its `secret` parameter replaced by `***`, for anything shown or
/// stored: output never carries a webhook secret.
///
/// ```
/// use cxkit::conversion::webhook::masked_callback_url;
/// assert_eq!(
///     masked_callback_url("https://h/x?a=1&secret=s3cr3t"),
///     "https://h/x?a=1&secret=***"
/// );
/// assert_eq!(masked_callback_url("https://h/x"), "https://h/x");
/// ```
pub fn masked_callback_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let masked: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k == SECRET_PARAM => format!("{k}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", masked.join("&"))
}

#[cfg(feature = "webhook-server")]
mod server;
#[cfg(feature = "webhook-server")]
pub use server::{router, DeliveryKey, HandlerError, ReceiverConfig};
