//! Injected failures, for testing clients' retries: latency, `429` with `Retry-After`,
//! `503`, and connections dropped before a response.

use crate::{rng, AppState};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often and how the sandbox misbehaves. Rates are fractions of requests in `[0, 1]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Added to every response.
    pub latency: Duration,
    /// Fraction answered `429 Too Many Requests` with `Retry-After`.
    pub rate_429: f64,
    /// Fraction answered `503 Service Unavailable`.
    pub rate_5xx: f64,
    /// Fraction whose connection is dropped without a response.
    pub rate_drop: f64,
    /// The `Retry-After` seconds sent with a `429`.
    pub retry_after_secs: u64,
}

/// Draws the faults deterministically from the seed and the request count.
pub(crate) struct Injector {
    faults: Faults,
    seed: u64,
    count: AtomicU64,
}

impl Injector {
    pub fn new(faults: Faults, seed: u64) -> Self {
        Self {
            faults,
            seed,
            count: AtomicU64::new(0),
        }
    }
}

enum Fault {
    None,
    TooMany,
    Unavailable,
    Drop,
}

pub(crate) async fn inject(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let injector = &state.faults;
    let f = &injector.faults;
    if !f.latency.is_zero() {
        tokio::time::sleep(f.latency).await;
    }
    let n = injector.count.fetch_add(1, Ordering::Relaxed);
    let draw = rng::unit(rng::at(injector.seed, 99, n));
    let fault = if draw < f.rate_429 {
        Fault::TooMany
    } else if draw < f.rate_429 + f.rate_5xx {
        Fault::Unavailable
    } else if draw < f.rate_429 + f.rate_5xx + f.rate_drop {
        Fault::Drop
    } else {
        Fault::None
    };
    match fault {
        Fault::None => next.run(request).await,
        Fault::TooMany => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, f.retry_after_secs.to_string())],
            "rate limited by the sandbox",
        )
            .into_response(),
        Fault::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable (sandbox fault)",
        )
            .into_response(),
        Fault::Drop => {
            // A body that fails at once makes the server abort the connection.
            let failing = futures::stream::once(async {
                Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("dropped by the sandbox"))
            });
            Response::builder()
                .status(StatusCode::OK)
                .body(Body::from_stream(failing))
                .unwrap_or_default()
        }
    }
}
