//! Turns what a vendor sent into something the generated code can always type.
//!
//! progenitor's generated methods decode a `2xx` body as the success type and a `4xx`/`5xx`
//! body as the spec's error type. Three things a real server sends break that contract and
//! would lose the HTTP status on the way (`Error::InvalidResponsePayload` carries no status):
//! an HTML or empty error page, a non-object JSON error, and a `2xx` envelope whose
//! `success` is `false`. This module rewrites those responses *before* the generated code
//! sees them, so every failure reaches the caller as a typed `Error::ErrorResponse` with a
//! status. A `2xx` with `Content-Length: 0` reads as JSON `null` (for operations whose success
//! body is unpublished and typed as any JSON). Rewritten responses carry
//! [`SYNTHESIZED_HEADER`] and, where the status changed, [`ORIGINAL_STATUS_HEADER`].

use crate::secret::{excerpt, mask_url, redact, Secret};
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{ResponseBuilderExt, StatusCode};

/// Header set on a response whose body or status `cxkit-runtime` rewrote.
pub const SYNTHESIZED_HEADER: &str = "x-cxkit-synthesized";
/// Header holding the HTTP status the server really sent, when the status was rewritten.
pub const ORIGINAL_STATUS_HEADER: &str = "x-cxkit-original-status";
/// Header holding cxkit's explanation of a response it did not act on (a redirect not
/// followed), with credentials masked.
pub const NOTE_HEADER: &str = "x-cxkit-note";
/// The longest body excerpt put into a synthesized error, in bytes.
pub const EXCERPT_LIMIT: usize = 512;

/// How a vendor wraps successful bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Envelope {
    /// The body is the payload; the HTTP status alone tells success.
    Plain,
    /// `{"success": bool, "status": int, ...}`: a `2xx` whose `success` is `false` is an
    /// error (zchat). Its `status` becomes the response status when it is a `4xx`/`5xx`,
    /// else `422`.
    SuccessFlag,
}

/// What the runtime knows about one vendor API. Each `*-api` crate defines one.
#[derive(Debug)]
pub struct ApiProfile {
    /// Short name used in logs and spans (`zchat`, `converz`, `conversion`).
    pub name: &'static str,
    /// How successful bodies are wrapped.
    pub envelope: Envelope,
    /// Builds the vendor's error body for a failure whose real body was unusable:
    /// receives the status and a human-readable message (status, excerpt).
    pub error_body: fn(StatusCode, &str) -> serde_json::Value,
}

/// What normalisation needs from the caller: the secrets to hide.
pub(crate) struct Masking<'a> {
    pub query_names: &'a [&'static str],
    pub secrets: &'a [&'a Secret],
}

/// Rewrites `response` as described in the module docs. Successful `Plain` bodies are not
/// read, so they still stream.
pub(crate) async fn normalize(
    response: reqwest::Response,
    profile: &ApiProfile,
    masking: &Masking<'_>,
) -> reqwest::Result<reqwest::Response> {
    let url = mask_url(response.url(), masking.query_names);
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();

    if status.is_redirection() {
        // Never followed: the credential would travel with it. Say where it pointed.
        let mut headers = headers;
        let target = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("an unnamed location")
            .to_owned();
        let note = format!(
            "HTTP {status}: redirected to {target}; not followed, so that the credential never \
             leaves its origin (point the client at the new URL if it is legitimate)"
        );
        if let Ok(value) = HeaderValue::from_str(&redact(&note, masking.secrets)) {
            headers.insert(NOTE_HEADER, value);
        }
        let http: http::Response<reqwest::Body> = response.into();
        return Ok(rebuild(status, version, headers, url, http.into_body()));
    }
    if status.is_success() && declares_empty_body(&headers) {
        // An explicitly empty success reads as JSON `null`, so an operation whose success
        // body is unpublished (typed as any JSON) still succeeds.
        let mut headers = headers;
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        mark_synthesized(&mut headers, None);
        return Ok(rebuild(
            status,
            version,
            headers,
            url,
            Bytes::from_static(b"null"),
        ));
    }
    if status.is_success() && profile.envelope == Envelope::Plain {
        let http: http::Response<reqwest::Body> = response.into();
        return Ok(rebuild(status, version, headers, url, http.into_body()));
    }

    let body = response
        .bytes()
        .await
        .map_err(|e| e.without_url().with_url(url.clone()))?;

    if status.is_success() {
        return Ok(match failed_envelope_status(&body) {
            Some(error_status) => {
                let mut headers = headers;
                mark_synthesized(&mut headers, Some(status));
                rebuild(error_status, version, headers, url, body)
            }
            None => rebuild(status, version, headers, url, body),
        });
    }

    if is_json_object(&body) {
        return Ok(rebuild(status, version, headers, url, body));
    }
    let message = failure_message(status, &body, masking.secrets);
    let synthesized = (profile.error_body)(status, &message);
    let mut headers = headers;
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    mark_synthesized(&mut headers, None);
    let bytes = Bytes::from(serde_json::to_vec(&synthesized).unwrap_or_default());
    Ok(rebuild(status, version, headers, url, bytes))
}

/// "HTTP 502 Bad Gateway: <excerpt>" with secrets masked; says so when the body was empty.
pub fn failure_message(status: StatusCode, body: &[u8], secrets: &[&Secret]) -> String {
    let text = excerpt(body, EXCERPT_LIMIT);
    let text = redact(&text, secrets);
    if text.is_empty() {
        format!("HTTP {status} with an empty body")
    } else {
        format!("HTTP {status}: {text}")
    }
}

fn failed_envelope_status(body: &[u8]) -> Option<StatusCode> {
    // Parsing a whole page only to read one flag costs as much as validating the page; a
    // failed envelope has to spell `"success"`, a colon and `false`, so a byte search rules
    // out nearly every page first (a key written with escapes, `"succ\u0065ss"`, is missed).
    if !may_say_success_false(body) {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Flag {
        success: Option<bool>,
        status: Option<u16>,
    }
    let flag: Flag = serde_json::from_slice(body).ok()?;
    if flag.success != Some(false) {
        return None;
    }
    let declared = flag.status.and_then(|s| StatusCode::from_u16(s).ok());
    Some(match declared {
        Some(s) if s.is_client_error() || s.is_server_error() => s,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    })
}

/// Whether `body` has `"success"`, a colon and `false` in a row, whitespace allowed between.
fn may_say_success_false(body: &[u8]) -> bool {
    const KEY: &[u8] = b"\"success\"";
    let skip_space = |s: &[u8]| -> usize {
        s.iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count()
    };
    memchr::memmem::find_iter(body, KEY).any(|at| {
        let rest = &body[at + KEY.len()..];
        let rest = &rest[skip_space(rest)..];
        let Some(rest) = rest.strip_prefix(b":") else {
            return false;
        };
        rest[skip_space(rest)..].starts_with(b"false")
    })
}

fn declares_empty_body(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_LENGTH)
        .is_some_and(|v| v.as_bytes() == b"0")
}

fn is_json_object(body: &[u8]) -> bool {
    matches!(
        serde_json::from_slice::<serde_json::Value>(body),
        Ok(serde_json::Value::Object(_))
    )
}

fn mark_synthesized(headers: &mut HeaderMap, original: Option<StatusCode>) {
    headers.remove(CONTENT_LENGTH);
    headers.insert(SYNTHESIZED_HEADER, HeaderValue::from_static("true"));
    if let Some(status) = original {
        headers.insert(ORIGINAL_STATUS_HEADER, HeaderValue::from(status.as_u16()));
    }
}

/// A response from parts, carrying `url` (already masked).
pub(crate) fn rebuild(
    status: StatusCode,
    version: http::Version,
    headers: HeaderMap,
    url: url::Url,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    // The builder only carries the (masked) URL extension; it cannot fail.
    let (mut parts, ()) = http::Response::builder()
        .url(url)
        .body(())
        .unwrap_or_else(|_| http::Response::new(()))
        .into_parts();
    parts.status = status;
    parts.version = version;
    parts.headers = headers;
    http::Response::from_parts(parts, body.into()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(envelope: Envelope) -> ApiProfile {
        fn error_body(status: StatusCode, message: &str) -> serde_json::Value {
            serde_json::json!({"error": message, "status": status.as_u16()})
        }
        ApiProfile {
            name: "test",
            envelope,
            error_body,
        }
    }

    fn response(status: u16, body: &'static str) -> reqwest::Response {
        let http = http::Response::builder()
            .status(status)
            .url(url::Url::parse("https://h/x?token=s3cret&page=1").unwrap())
            .body(body)
            .unwrap();
        http.into()
    }

    async fn run(envelope: Envelope, status: u16, body: &'static str) -> reqwest::Response {
        let secret = Secret::new("s3cret");
        let masking = Masking {
            query_names: &["token"],
            secrets: &[&secret],
        };
        normalize(response(status, body), &profile(envelope), &masking)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn url_is_masked_and_success_untouched() {
        let r = run(Envelope::Plain, 200, "[1]").await;
        assert_eq!(r.url().as_str(), "https://h/x?token=***&page=1");
        assert!(r.headers().get(SYNTHESIZED_HEADER).is_none());
        assert_eq!(r.text().await.unwrap(), "[1]");
    }

    #[tokio::test]
    async fn html_error_page_becomes_vendor_error_with_status_and_excerpt() {
        let r = run(Envelope::Plain, 502, "<html>Bad gateway s3cret</html>").await;
        assert_eq!(r.status(), 502);
        assert_eq!(r.headers()[SYNTHESIZED_HEADER], "true");
        let v: serde_json::Value = r.json().await.unwrap();
        let msg = v["error"].as_str().unwrap();
        assert!(msg.contains("502 Bad Gateway"), "{msg}");
        assert!(msg.contains("<html>Bad gateway"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
    }

    #[tokio::test]
    async fn empty_error_body_says_so() {
        let r = run(Envelope::Plain, 404, "").await;
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"], "HTTP 404 Not Found with an empty body");
    }

    #[tokio::test]
    async fn json_error_object_is_kept_verbatim() {
        let r = run(Envelope::Plain, 400, r#"{"code":"X","message":"m"}"#).await;
        assert!(r.headers().get(SYNTHESIZED_HEADER).is_none());
        assert_eq!(r.text().await.unwrap(), r#"{"code":"X","message":"m"}"#);
    }

    #[test]
    fn the_byte_search_finds_every_spelling_of_a_false_flag_and_nothing_else() {
        for failed in [
            &br#"{"success":false}"#[..],
            br#"{"data":[],"success" :  false}"#,
            b"{\n  \"success\":\n\tfalse\n}",
        ] {
            assert!(
                may_say_success_false(failed),
                "{:?}",
                String::from_utf8_lossy(failed)
            );
        }
        for fine in [
            &br#"{"success":true,"data":[{"ok":false}]}"#[..],
            br#"{"data":[{"success":"false"}]}"#,
            br#"{"success":true}"#,
            b"",
        ] {
            assert!(
                !may_say_success_false(fine),
                "{:?}",
                String::from_utf8_lossy(fine)
            );
        }
        // A row with its own `success: false` is a candidate; the parse then reads only the
        // envelope's flag.
        let nested = br#"{"success":true,"data":[{"success":false}]}"#;
        assert!(may_say_success_false(nested));
        assert_eq!(failed_envelope_status(nested), None);
    }

    #[tokio::test]
    async fn success_false_envelope_becomes_its_declared_status() {
        let body = r#"{"success":false,"status":401,"error":"bad token"}"#;
        let r = run(Envelope::SuccessFlag, 200, body).await;
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()[ORIGINAL_STATUS_HEADER], "200");
        assert_eq!(r.text().await.unwrap(), body);
    }

    #[tokio::test]
    async fn success_false_without_error_status_becomes_422() {
        let r = run(
            Envelope::SuccessFlag,
            200,
            r#"{"success":false,"status":200}"#,
        )
        .await;
        assert_eq!(r.status(), 422);
    }

    #[tokio::test]
    async fn empty_success_reads_as_null() {
        let http = http::Response::builder()
            .status(200)
            .header(CONTENT_LENGTH, "0")
            .body("")
            .unwrap();
        let secret = Secret::new("s3cret");
        let masking = Masking {
            query_names: &[],
            secrets: &[&secret],
        };
        let r = normalize(http.into(), &profile(Envelope::Plain), &masking)
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), "null");
    }

    #[tokio::test]
    async fn success_true_envelope_is_untouched() {
        let r = run(Envelope::SuccessFlag, 200, r#"{"success":true,"data":[]}"#).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers().get(SYNTHESIZED_HEADER).is_none());
    }
}
