//! The vendor's error answers and the extractors every handler uses. Each extractor rejects
//! with the vendor's JSON error body: axum's own rejections answer `text/plain`, which the
//! spec does not document.
//!
//! - [`Authorized`]: the query pairs of a request whose `api-key` is the sandbox's key.
//! - [`Body`]: a JSON body parsed into a generated request type.
//! - [`Ids`]: the path parameters.

use crate::query::{parse_query, value, Pairs};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use conversion_api::types;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// An error answer: the vendor's `{code, message, summary}` with `status`.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let summary = match status {
        // The class real traffic shows for a refused request.
        StatusCode::BAD_REQUEST => "ValidationError".to_owned(),
        other => other.canonical_reason().unwrap_or("Error").replace(' ', ""),
    };
    let body = types::Error {
        code: Some(code.to_owned()),
        message: Some(message.to_owned()),
        summary: Some(summary),
        extra: Default::default(),
    };
    (status, Json(body)).into_response()
}

/// `400`: the request is well-formed but its values are refused (an unknown label, a range
/// over 31 days…).
pub(crate) fn invalid(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", &message.into())
}

/// `400`: a parameter or body does not fit the schema (the vendor's code for that).
pub(crate) fn schema_invalid(message: impl Into<String>) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "SCHEMA_VALIDATION_FAILED",
        &message.into(),
    )
}

/// `404`: something the request names does not exist (an archiving reason, a label, a
/// template): schema-valid, but nothing to act on.
pub(crate) fn unknown(what: impl Into<String>) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("{} not found", what.into()),
    )
}

/// `409`: the request conflicts with the resource's state (a settled quote, an interaction
/// of another kind).
pub(crate) fn conflict(message: impl Into<String>) -> Response {
    error(StatusCode::CONFLICT, "CONFLICT", &message.into())
}

/// `404`: no `what` with this id.
pub(crate) fn not_found(what: &str, id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("{what} {id} not found"),
    )
}

/// `401`: the key is missing or not the sandbox's.
pub(crate) fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Invalid API key")
}

/// A path that is no operation of the API.
pub(crate) async fn unknown_route() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such operation")
}

/// A known path with a method it does not serve.
pub(crate) async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "this path does not serve that method",
    )
}

/// The query pairs of a request carrying the sandbox's key as `api-key`; any other request
/// is answered `401` before its handler runs.
pub(crate) struct Authorized(pub Pairs);

impl FromRequestParts<Arc<AppState>> for Authorized {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let pairs = parse_query(parts.uri.query());
        match value(&pairs, conversion_api::wire::CREDENTIAL_NAME) {
            Some(key) if key == state.config.credentials.conversion_api_key => Ok(Self(pairs)),
            _ => Err(unauthorized()),
        }
    }
}

/// A JSON request body, checked against the operation's schema in the spec (as the vendor
/// checks it) and parsed into `T` (a generated request type). A missing or malformed body,
/// one the spec refuses (an explicit `null` where none is allowed, a missing required field,
/// a value off its pattern) or another content type is answered `400`.
pub(crate) struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for Body<T> {
    type Rejection = Response;

    async fn from_request(
        request: Request,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers().get(header::CONTENT_TYPE)) {
            return Err(schema_invalid(
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let method = request.method().as_str().to_owned();
        let route = request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map(|p| {
                p.as_str()
                    .trim_start_matches(crate::config::CONVERSION_PREFIX)
                    .to_owned()
            });
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|e| schema_invalid(format!("the body could not be read: {e}")))?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| schema_invalid(format!("the body is not JSON: {e}")))?;
        if let Some(problem) = route.and_then(|route| {
            state
                .conversion_contract
                .request_problem(&method, &route, &value)
        }) {
            return Err(schema_invalid(format!(
                "the body does not fit the spec: {problem}"
            )));
        }
        serde_json::from_value(value)
            .map(Self)
            .map_err(|e| schema_invalid(format!("the body does not fit the schema: {e}")))
    }
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// The path parameters, as `String` or a tuple of them.
pub(crate) struct Ids<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Ids<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Only a path segment that is not UTF-8 once percent-decoded can fail here.
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(ids)| Self(ids))
            .map_err(|e| schema_invalid(format!("bad path parameter: {}", e.body_text())))
    }
}

/// A `200` answer with the JSON of `body`.
pub(crate) fn ok<T: serde::Serialize>(body: T) -> Response {
    Json(body).into_response()
}

/// What a handler answers: a response, or an early error response (axum sends either).
pub(crate) type Answer = Result<Response, Response>;
