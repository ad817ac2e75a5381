//! Webhook deliveries: parse one into a typed [`WebhookEvent`], tell a redelivery from a new
//! event ([`EventId`]), and (feature `webhook-server`) receive them with an axum `Router` and a
//! hardened accept loop ([`serve`]).
//!
//! The vendor signs nothing, so the receiver checks a shared secret carried in the callback
//! URL (`?secret=…`, see [`callback_url`] and
//! [`Client::subscribe_webhook`](super::Client::subscribe_webhook)), compared in constant
//! time, before it reads the body. The secret must have at least [`MIN_SECRET_LEN`]
//! characters: an empty one (an unset `$WEBHOOK_SECRET`) would open the receiver to anyone.
//!
//! # Which deliveries are the same event
//!
//! The vendor retries a delivery until it gets a `2xx`, sometimes twice at once (tens of
//! milliseconds apart), and a retry carries new delivery metadata (`attempts`, `sent`,
//! `received`) and possibly a newer snapshot of the objects around the change (the prospect's
//! owner, say). In real traffic `operationId` is the changed object's id, so every change of
//! one interaction shares it: it alone does not name an event. The rule ([`EventId::of`]):
//!
//! - a delivery with an `operationId` and an `updatedAt` is the event (`topic`, `type`,
//!   `operationId`, `updatedAt` as an instant): a redelivery of that change matches whatever
//!   else it carries; another change of the same object has another `updatedAt` (or `type`)
//!   and is a new event;
//! - any other delivery is identified by all of its members except the delivery metadata
//!   ([`DELIVERY_METADATA`]), so only a byte-for-byte repeat of its content is dropped.
//!
//! A new event is never dropped as a duplicate; at worst, a redelivery without `updatedAt`
//! whose surrounding snapshot changed is handled twice.

pub use conversion_api::types::{
    KnownTopicName, KnownWebhookEventType, TopicName, WebhookEvent, WebhookEventType,
};

use crate::error::Error;
use cxkit_runtime::{excerpt, normalize::EXCERPT_LIMIT, Secret};
use serde_json::Value;

/// The query parameter carrying the shared secret in the callback URL.
pub const SECRET_PARAM: &str = "secret";

/// The environment variable the CLI and the examples read the shared webhook secret from.
pub const SECRET_VAR: &str = "WEBHOOK_SECRET";

/// The environment variable naming a file that holds the shared webhook secret.
pub const SECRET_FILE_VAR: &str = "WEBHOOK_SECRET_FILE";

/// The fewest characters a webhook secret may have, for a callback URL and for a receiver.
pub const MIN_SECRET_LEN: usize = 16;

/// Members a redelivery may change without being a new event: how and when it was sent, and
/// through which subscription.
pub const DELIVERY_METADATA: &[&str] = &["attempts", "sent", "received", "subscriptionId"];

/// Parses a delivery body. Unknown topics and event types parse (as `String` variants) and
/// unknown fields are kept in `extra`.
pub fn parse(body: &[u8]) -> Result<WebhookEvent, Error> {
    serde_json::from_slice(body).map_err(|e| not_a_delivery(body, e))
}

fn not_a_delivery(body: &[u8], e: serde_json::Error) -> Error {
    Error::Decode {
        api: crate::Api::Conversion,
        operation: "webhook",
        status: None,
        reason: e.to_string(),
        excerpt: excerpt(body, EXCERPT_LIMIT),
    }
}

/// What identifies an event across its redeliveries (see the module's rule): 128 bits, so
/// different events do not collide in practice. Store it where you record handled events
/// (a unique key in a table, say) to make your handler idempotent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(u128);

impl EventId {
    /// The identity of the delivery `body` (a JSON object).
    ///
    /// ```
    /// use cxkit::conversion::webhook::EventId;
    /// let first = br#"{"topic":"interactions","type":"updated","operationId":"65c2",
    ///     "updatedAt":"2024-02-06T13:50:44.521Z","attempts":1,"prospect":{"agentId":"a"}}"#;
    /// let again = br#"{"topic":"interactions","type":"updated","operationId":"65c2",
    ///     "updatedAt":"2024-02-06T13:50:44.521Z","attempts":2,"prospect":{"agentId":"b"}}"#;
    /// let later = br#"{"topic":"interactions","type":"updated","operationId":"65c2",
    ///     "updatedAt":"2024-02-06T13:51:02.000Z","attempts":1,"prospect":{"agentId":"b"}}"#;
    /// assert_eq!(EventId::of(first)?, EventId::of(again)?, "a redelivery");
    /// assert_ne!(EventId::of(first)?, EventId::of(later)?, "a new change of the same object");
    /// # Ok::<(), cxkit::Error>(())
    /// ```
    pub fn of(body: &[u8]) -> Result<Self, Error> {
        let value: Value = serde_json::from_slice(body).map_err(|e| not_a_delivery(body, e))?;
        match &value {
            Value::Object(_) => Ok(Self::of_value(&value)),
            _ => Err(Error::Decode {
                api: crate::Api::Conversion,
                operation: "webhook",
                status: None,
                reason: "a delivery is a JSON object".into(),
                excerpt: excerpt(body, EXCERPT_LIMIT),
            }),
        }
    }

    /// The identity of a delivery already parsed as a JSON value.
    pub fn of_value(delivery: &Value) -> Self {
        let text = |name: &str| delivery.get(name).and_then(Value::as_str);
        let mut hash = twox_hash::XxHash3_128::new();
        match (text("operationId"), text("updatedAt")) {
            (Some(operation), Some(updated)) => {
                hash.write(b"change\0");
                for part in [
                    &canonical(delivery.get("topic").unwrap_or(&Value::Null)),
                    &canonical(delivery.get("type").unwrap_or(&Value::Null)),
                    operation,
                    &instant(updated),
                ] {
                    hash.write(part.as_bytes());
                    hash.write(&[0]);
                }
            }
            _ => {
                hash.write(b"content\0");
                let mut content = delivery.clone();
                if let Value::Object(members) = &mut content {
                    for name in DELIVERY_METADATA {
                        members.remove(*name);
                    }
                }
                hash.write(canonical(&content).as_bytes());
            }
        }
        Self(hash.finish_128())
    }

    /// The 16 bytes of the identity (little-endian), to store.
    pub fn to_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    /// An identity stored with [`to_bytes`](Self::to_bytes).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(u128::from_le_bytes(bytes))
    }
}

impl std::fmt::Debug for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EventId({self})")
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

/// A date-time as the instant it names (`…44.500Z` and `…44.5+00:00` are one instant), or
/// the text itself when it is not one.
fn instant(text: &str) -> String {
    match crate::sync::parse_time(text) {
        Some(at) => at.timestamp_nanos_opt().map_or_else(
            || at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            |n| n.to_string(),
        ),
        None => text.to_owned(),
    }
}

/// JSON text with every object's members in name order, so two spellings of one value hash
/// alike whatever order the sender put them in.
fn canonical(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(members) => {
                let mut sorted: Vec<_> = members.iter().collect();
                sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (i, (name, member)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(name.clone()).to_string());
                    out.push(':');
                    write(member, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// `url` with the secret added as the `secret` query parameter.
pub fn callback_url(url: &str, secret: &Secret) -> Result<String, Error> {
    check_secret(secret)?;
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

/// Refuses a secret shorter than [`MIN_SECRET_LEN`] characters (an empty one included).
///
/// ```
/// use cxkit::conversion::webhook::check_secret;
/// assert!(check_secret(&cxkit::Secret::new("")).is_err());
/// assert!(check_secret(&cxkit::Secret::new("0123456789abcdef")).is_ok());
/// ```
pub fn check_secret(secret: &Secret) -> Result<(), Error> {
    if secret.expose().chars().count() < MIN_SECRET_LEN {
        return Err(Error::InvalidInput(format!(
            "use a webhook secret of at least {MIN_SECRET_LEN} characters \
             (an empty or short one lets anyone post events)"
        )));
    }
    Ok(())
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

/// `text` with the value of every `secret=` parameter it quotes replaced by `***`: a vendor
/// error or a body excerpt that echoes a callback URL does not reveal its secret.
///
/// ```
/// use cxkit::conversion::webhook::mask_secret_params;
/// assert_eq!(
///     mask_secret_params(r#"bad callbackUrl "https://h/x?secret=s3cr3t&a=1""#),
///     r#"bad callbackUrl "https://h/x?secret=***&a=1""#
/// );
/// ```
pub fn mask_secret_params(text: &str) -> String {
    let needle = "secret=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(needle) {
        let (before, after) = rest.split_at(at + needle.len());
        out.push_str(before);
        let end = after
            .find(|c: char| matches!(c, '&' | '"' | '\'' | '\\' | '#') || c.is_whitespace())
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str("***");
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(feature = "webhook-server")]
mod seen;
#[cfg(feature = "webhook-server")]
mod serve;
#[cfg(feature = "webhook-server")]
mod server;
#[cfg(feature = "webhook-server")]
pub use serve::{serve, ServeLimits};
#[cfg(feature = "webhook-server")]
pub use server::{router, Delivery, HandlerError, ReceiverConfig};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(v: Value) -> EventId {
        EventId::of(v.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn metadata_and_member_order_do_not_make_a_new_event() {
        let a = json!({"topic": "quotes", "type": "created", "quote": {"id": "q", "total": 10},
                       "attempts": 1, "sent": "2024-01-01T00:00:00Z"});
        let b = json!({"sent": "2024-01-01T00:05:00Z", "attempts": 3, "subscriptionId": "s2",
                       "quote": {"total": 10, "id": "q"}, "type": "created", "topic": "quotes"});
        assert_eq!(id(a.clone()), id(b));
        let changed =
            json!({"topic": "quotes", "type": "created", "quote": {"id": "q", "total": 11}});
        assert_ne!(id(a), id(changed));
    }

    #[test]
    fn the_change_is_the_instant_of_updated_at_whatever_its_spelling() {
        let base = |updated: &str, kind: &str| json!({"topic": "interactions", "type": kind, "operationId": "op", "updatedAt": updated});
        assert_eq!(
            id(base("2024-02-24T08:23:11.000Z", "updated")),
            id(base("2024-02-24T08:23:11Z", "updated"))
        );
        assert_ne!(
            id(base("2024-02-24T08:23:11Z", "updated")),
            id(base("2024-02-24T08:23:12Z", "updated"))
        );
        assert_ne!(
            id(base("2024-02-24T08:23:11Z", "created")),
            id(base("2024-02-24T08:23:11Z", "updated"))
        );
        let other_topic = json!({"topic": "prospects", "type": "updated", "operationId": "op",
                                 "updatedAt": "2024-02-24T08:23:11Z"});
        assert_ne!(id(base("2024-02-24T08:23:11Z", "updated")), id(other_topic));
    }

    /// The hashed text is JSON itself (it reads back as the same value), so it is one text
    /// per value: two different events never share it and are never taken for each other.
    #[test]
    fn the_canonical_text_is_the_value_as_sorted_json() {
        let value =
            json!({"b": [1, {"d": null, "c": "x,y"}, []], "a": {}, "e": [{"g": 1, "f": 2}]});
        let text = canonical(&value);
        assert_eq!(
            text,
            r#"{"a":{},"b":[1,{"c":"x,y","d":null},[]],"e":[{"f":2,"g":1}]}"#
        );
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }

    #[test]
    fn ids_round_trip_through_bytes_and_non_objects_are_refused() {
        let a = id(json!({"topic": "x"}));
        assert_eq!(EventId::from_bytes(a.to_bytes()), a);
        assert_eq!(a.to_string().len(), 32);
        assert_eq!(format!("{a:?}"), format!("EventId({a})"));
        assert!(EventId::of(b"[1]").is_err());
        assert!(EventId::of(b"{").is_err());
    }

    #[test]
    fn a_callback_urls_secret_is_masked_and_nothing_else_is_touched() {
        assert_eq!(
            masked_callback_url("https://h/x?a=1&secret=s3cr3t&b=secret"),
            "https://h/x?a=1&secret=***&b=secret"
        );
        assert_eq!(
            masked_callback_url("https://h/x?secrets=1&a"),
            "https://h/x?secrets=1&a"
        );
        assert_eq!(masked_callback_url("https://h/x"), "https://h/x");
    }

    #[test]
    fn secret_params_are_masked_wherever_they_are_quoted() {
        assert_eq!(mask_secret_params("secret="), "secret=");
        assert_eq!(
            mask_secret_params("a?secret=x y secret=z"),
            "a?secret=*** y secret=***"
        );
        assert_eq!(mask_secret_params("no secrets"), "no secrets");
    }
}
