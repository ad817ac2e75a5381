//! Pre-rendered answers: with [`SandboxConfig::replay`](crate::SandboxConfig::replay) on, a
//! successful `GET` is rendered once and every later request for the same URL gets the same
//! bytes from memory, so a benchmark measures the client, not the fake's rendering.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Rendered bodies by path and query, with their content type.
#[derive(Default)]
pub(crate) struct Rendered {
    bodies: Mutex<HashMap<String, (Option<HeaderValue>, Bytes)>>,
}

pub(crate) async fn replay(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if !state.config.replay || request.method() != Method::GET {
        return next.run(request).await;
    }
    let key = request.uri().to_string();
    let cached = lock(&state.rendered.bodies).get(&key).cloned();
    if let Some((kind, body)) = cached {
        return answer(kind, body);
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, body) = response.into_parts();
    let kind = parts.headers.get(header::CONTENT_TYPE).cloned();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => {
            lock(&state.rendered.bodies).insert(key, (kind.clone(), body.clone()));
            answer(kind, body)
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn answer(kind: Option<HeaderValue>, body: Bytes) -> Response {
    let mut response = Response::new(Body::from(body));
    if let Some(kind) = kind {
        response.headers_mut().insert(header::CONTENT_TYPE, kind);
    }
    response
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
