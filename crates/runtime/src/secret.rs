//! Secrets and how they are kept out of every printed string.

use std::fmt;

/// What a masked secret is replaced with, everywhere.
pub const MASK: &str = "***";

/// A credential value. Its `Debug` and `Display` never show the value.
///
/// ```
/// let key = cxkit_runtime::Secret::new("s3cr3t");
/// assert_eq!(format!("{key:?}"), "Secret(***)");
/// assert_eq!(key.expose(), "s3cr3t");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself. Call this only where the value goes on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty (an empty credential is a configuration error).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// On the wire a secret is its plain value: generated request types (a `format: password`
/// field, such as an API key inside a body) serialise it as the vendor expects, while their
/// `Debug` shows [`MASK`].
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl schemars::JsonSchema for Secret {
    fn schema_name() -> String {
        "Secret".into()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("password".into()),
            ..Default::default()
        }
        .into()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// Returns `url` with the value of every query parameter named in `names` replaced by [`MASK`].
///
/// ```
/// let url = url::Url::parse("https://h/x?token=abc&page=2").unwrap();
/// let masked = cxkit_runtime::mask_url(&url, &["token"]);
/// assert_eq!(masked.as_str(), "https://h/x?token=***&page=2");
/// ```
pub fn mask_url(url: &url::Url, names: &[&str]) -> url::Url {
    if url.query().is_none() || !url.query_pairs().any(|(k, _)| names.contains(&k.as_ref())) {
        return url.clone();
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let value = if names.contains(&k.as_ref()) {
                MASK.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    let mut masked = url.clone();
    masked.query_pairs_mut().clear().extend_pairs(pairs);
    // `extend_pairs` percent-encodes the mask; keep it readable.
    let readable = masked.as_str().replace("%2A%2A%2A", MASK);
    url::Url::parse(&readable).unwrap_or(masked)
}

/// Replaces every occurrence of each secret in `text` by [`MASK`], also in its
/// percent-encoded form (a secret may be echoed back inside a URL).
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let raw = secret.expose();
        out = out.replace(raw, MASK);
        let encoded = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect::<String>();
        if encoded != raw {
            out = out.replace(&encoded, MASK);
        }
    }
    out
}

/// Secrets shorter than this are not searched for inside response bodies: a body is data,
/// and a two-letter "secret" (a test token, say) would match and corrupt ordinary values
/// (`"status"` → `"s***a***us"`). Real credentials are far longer; short ones are still
/// masked in URLs, headers and messages.
pub const MIN_BODY_MASKED_LEN: usize = 8;

/// `body` with every occurrence of each secret (raw or percent-encoded) replaced by [`MASK`];
/// borrowed when there is nothing to mask. Secrets shorter than [`MIN_BODY_MASKED_LEN`] are
/// left alone.
pub fn redact_bytes<'a>(body: &'a [u8], secrets: &[&Secret]) -> std::borrow::Cow<'a, [u8]> {
    let forms = secret_forms(secrets);
    if !forms.iter().any(|f| contains(body, f.as_bytes())) {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = body.to_vec();
    for form in &forms {
        out = replace_all(&out, form.as_bytes(), MASK.as_bytes());
    }
    std::borrow::Cow::Owned(out)
}

/// The spellings of the secrets worth looking for: raw and percent-encoded.
/// Only secrets of at least [`MIN_BODY_MASKED_LEN`] bytes (see there).
pub(crate) fn secret_forms(secrets: &[&Secret]) -> Vec<String> {
    let mut forms = Vec::new();
    for secret in secrets
        .iter()
        .filter(|s| s.expose().len() >= MIN_BODY_MASKED_LEN)
    {
        let raw = secret.expose().to_owned();
        let encoded: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
        if encoded != raw {
            forms.push(encoded);
        }
        forms.push(raw);
    }
    forms
}

// Every page body is scanned for every secret: a SIMD substring search keeps that a small
// fraction of reading the body (a byte-by-byte window compare was a sixth of an export's CPU).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(haystack, needle).is_some()
}

fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut copied = 0;
    for at in memchr::memmem::find_iter(haystack, needle) {
        // Matches may overlap ("aaa" in "aaaa"); the first one wins, as a left-to-right scan.
        if at < copied {
            continue;
        }
        out.extend_from_slice(&haystack[copied..at]);
        out.extend_from_slice(with);
        copied = at + needle.len();
    }
    out.extend_from_slice(&haystack[copied..]);
    out
}

/// At most `max` bytes of `body` as text, cut on a character boundary, with `…` when cut.
pub fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.len() <= max {
        return trimmed.to_owned();
    }
    let mut end = max;
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &trimmed[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("tok-123");
        assert!(!format!("{s:?}{s}{s:#?}").contains("tok-123"));
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), MASK);
        assert!(!s.is_empty() && Secret::new("").is_empty());
    }

    #[test]
    fn a_secret_is_a_password_string_in_json_schema() {
        let schema = serde_json::to_value(schemars::schema_for!(Secret)).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["format"], "password");
        assert_eq!(schema["title"], "Secret");
    }

    #[test]
    fn a_url_without_the_named_params_comes_back_unchanged() {
        let url = url::Url::parse("https://h/p?q=a%20b&t=%7E~&x").unwrap();
        assert_eq!(mask_url(&url, &["token"]).as_str(), url.as_str());
        let bare = url::Url::parse("https://h/p").unwrap();
        assert_eq!(mask_url(&bare, &["token"]), bare);
    }

    #[test]
    fn mask_url_masks_only_named_params() {
        let url = url::Url::parse("https://h/p?a=1&api-key=k%2F1&b=2").unwrap();
        let masked = mask_url(&url, &["api-key"]);
        assert_eq!(masked.as_str(), "https://h/p?a=1&api-key=***&b=2");
        assert_eq!(mask_url(&url, &["token"]), url);
    }

    #[test]
    fn redact_catches_raw_and_encoded_forms() {
        let s = Secret::new("a b/c");
        let text = "x a b/c y a+b%2Fc z";
        assert_eq!(redact(text, &[&s]), "x *** y *** z");
    }

    #[test]
    fn redact_bytes_masks_raw_and_encoded_forms_and_borrows_clean_bodies() {
        let s = Secret::new("key/0001");
        let body = br#"{"error":"invalid key key/0001","url":"/x?api-key=key%2F0001"}"#;
        let masked = redact_bytes(body, &[&s]);
        assert_eq!(
            std::str::from_utf8(&masked).unwrap(),
            r#"{"error":"invalid key ***","url":"/x?api-key=***"}"#
        );
        assert!(matches!(
            redact_bytes(b"a clean body, longer than the secret", &[&s]),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        let body = "ééééé".as_bytes();
        assert_eq!(excerpt(body, 3), "é…");
        assert_eq!(excerpt(b"  short  ", 10), "short");
    }

    #[test]
    fn short_secrets_do_not_corrupt_bodies_and_long_ones_are_masked() {
        let body = br#"{"status":200,"token":"abcd1234efgh"}"#;
        let short = Secret::new("t");
        assert_eq!(&*redact_bytes(body, &[&short]), &body[..]);
        let long = Secret::new("abcd1234efgh");
        assert_eq!(
            &*redact_bytes(body, &[&long]),
            &br#"{"status":200,"token":"***"}"#[..]
        );
        let seven = Secret::new("abcd123");
        assert_eq!(&*redact_bytes(body, &[&seven]), &body[..]);
    }
}
