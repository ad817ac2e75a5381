//! Injected failures, for testing clients against a hostile network: latency, `429` with
//! `Retry-After`, `503`, connections closed before an answer, bodies cut or stalled mid-way,
//! headers that come late, and redirects to another origin.
//!
//! Every draw is deterministic: request `n` of a sandbox with seed `s` always meets the same
//! fault, so a failing run can be replayed.

use crate::{rng, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often and how the sandbox misbehaves. Rates are fractions of requests in `[0, 1]`;
/// their sum should stay at most 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// Added to every response.
    pub latency: Duration,
    /// Fraction answered `429 Too Many Requests` with `Retry-After`.
    pub rate_429: f64,
    /// Fraction answered `503 Service Unavailable`.
    pub rate_5xx: f64,
    /// Fraction whose connection is closed before an answer.
    pub rate_drop: f64,
    /// Fraction whose body is cut: the connection breaks after some of the body.
    pub rate_cut: f64,
    /// Fraction whose body stalls after some bytes, for [`stall`](Self::stall).
    pub rate_stall: f64,
    /// Fraction whose headers come [`slow_headers`](Self::slow_headers) late.
    pub rate_slow_headers: f64,
    /// Fraction answered `302` to [`redirect_to`](Self::redirect_to) (when set).
    pub rate_redirect: f64,
    /// The `Retry-After` seconds sent with a `429`.
    pub retry_after_secs: u64,
    /// A cut body breaks after a drawn number of bytes up to this many (at least 1).
    pub cut_max_bytes: u64,
    /// How long a stalled body stops.
    pub stall: Duration,
    /// How late slow headers are.
    pub slow_headers: Duration,
    /// Another origin redirects point at (`http://127.0.0.2:9999`); the path is kept.
    pub redirect_to: Option<String>,
    /// A rate limit as real APIs have one: a request arriving while this many are being
    /// answered gets `429` with `Retry-After` (`None`: no limit).
    pub max_concurrent: Option<usize>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            rate_429: 0.0,
            rate_5xx: 0.0,
            rate_drop: 0.0,
            rate_cut: 0.0,
            rate_stall: 0.0,
            rate_slow_headers: 0.0,
            rate_redirect: 0.0,
            retry_after_secs: 0,
            cut_max_bytes: 64 * 1024,
            stall: Duration::from_secs(30),
            slow_headers: Duration::from_secs(2),
            redirect_to: None,
            max_concurrent: None,
        }
    }
}

impl Faults {
    /// `rate` spread evenly over 429, 5xx, dropped connections and cut bodies: the "mixed
    /// faults" of the fault suite and benchmark.
    pub fn mixed(rate: f64) -> Self {
        let each = rate / 4.0;
        Self {
            rate_429: each,
            rate_5xx: each,
            rate_drop: each,
            rate_cut: each,
            ..Self::default()
        }
    }

    /// Parses `429=0.05,5xx=0.05,drop=0.05,cut=0.05,stall=0.01,slow=0.01,redirect=0.1`
    /// (any subset; `mixed=0.2` spreads a rate over the first four), plus `concurrent=N` for
    /// [`max_concurrent`](Self::max_concurrent).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut faults = Self::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}` is not NAME=RATE"))?;
            if name == "concurrent" {
                let limit = value.parse().ok().filter(|n| *n > 0);
                let limit =
                    limit.ok_or_else(|| format!("`{value}` is not a number of requests"))?;
                faults.max_concurrent = Some(limit);
                continue;
            }
            let rate: f64 = value
                .parse()
                .ok()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| format!("`{value}` is not a rate between 0 and 1"))?;
            match name {
                "mixed" => {
                    let mixed = Self::mixed(rate);
                    faults.rate_429 = mixed.rate_429;
                    faults.rate_5xx = mixed.rate_5xx;
                    faults.rate_drop = mixed.rate_drop;
                    faults.rate_cut = mixed.rate_cut;
                }
                "429" => faults.rate_429 = rate,
                "5xx" => faults.rate_5xx = rate,
                "drop" => faults.rate_drop = rate,
                "cut" => faults.rate_cut = rate,
                "stall" => faults.rate_stall = rate,
                "slow" => faults.rate_slow_headers = rate,
                "redirect" => faults.rate_redirect = rate,
                other => return Err(format!("unknown fault `{other}`")),
            }
        }
        Ok(faults)
    }
}

/// Draws the faults deterministically from the seed and the request count.
pub(crate) struct Injector {
    faults: Faults,
    seed: u64,
    count: AtomicU64,
    in_flight: Arc<AtomicUsize>,
    over_limit: AtomicU64,
}

/// A request being answered, counted against [`Faults::max_concurrent`] until dropped.
struct Answering(Arc<AtomicUsize>);

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Injector {
    pub fn new(faults: Faults, seed: u64) -> Self {
        Self {
            faults,
            seed,
            count: AtomicU64::new(0),
            in_flight: Arc::default(),
            over_limit: AtomicU64::new(0),
        }
    }

    /// Counts the request in, or `None` when it is over the concurrency limit.
    fn admit(&self) -> Option<Answering> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let answering = Answering(self.in_flight.clone());
        match self.faults.max_concurrent {
            Some(limit) if now > limit => {
                self.over_limit.fetch_add(1, Ordering::Relaxed);
                None
            }
            _ => Some(answering),
        }
    }

    /// Requests refused by [`admit`](Self::admit).
    pub fn over_limit_count(&self) -> u64 {
        self.over_limit.load(Ordering::Relaxed)
    }

    /// The fault of the next request, and a second draw for where in the body it strikes.
    fn draw(&self) -> (Fault, u64) {
        let n = self.count.fetch_add(1, Ordering::Relaxed);
        let draw = rng::unit(rng::at(self.seed, 99, n));
        let f = &self.faults;
        let kinds = [
            (f.rate_429, Fault::TooMany),
            (f.rate_5xx, Fault::Unavailable),
            (f.rate_drop, Fault::Drop),
            (f.rate_cut, Fault::Cut),
            (f.rate_stall, Fault::Stall),
            (f.rate_slow_headers, Fault::SlowHeaders),
            (
                if f.redirect_to.is_some() {
                    f.rate_redirect
                } else {
                    0.0
                },
                Fault::Redirect,
            ),
        ];
        let mut edge = 0.0;
        for (rate, fault) in kinds {
            edge += rate;
            if draw < edge {
                return (fault, rng::at(self.seed, 98, n));
            }
        }
        (Fault::None, 0)
    }
}

#[derive(Clone, Copy)]
enum Fault {
    None,
    TooMany,
    Unavailable,
    Drop,
    Cut,
    Stall,
    SlowHeaders,
    Redirect,
}

pub(crate) async fn inject(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let f = &state.faults.faults;
    let Some(_answering) = state.faults.admit() else {
        return too_many(f.retry_after_secs);
    };
    if !f.latency.is_zero() {
        tokio::time::sleep(f.latency).await;
    }
    let (fault, at) = state.faults.draw();
    match fault {
        Fault::None => next.run(request).await,
        Fault::TooMany => too_many(f.retry_after_secs),
        Fault::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable (sandbox fault)",
        )
            .into_response(),
        Fault::Drop => broken(Bytes::new()),
        Fault::SlowHeaders => {
            tokio::time::sleep(f.slow_headers).await;
            next.run(request).await
        }
        Fault::Redirect => {
            let target = format!(
                "{}{}",
                f.redirect_to.as_deref().unwrap_or_default(),
                request.uri().path()
            );
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(value) = HeaderValue::from_str(&target) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Fault::Cut | Fault::Stall => {
            let keep = 1 + at % f.cut_max_bytes.max(1);
            let response = next.run(request).await;
            let (mut parts, body) = response.into_parts();
            // The length the headers promise is not what arrives: the client must notice.
            parts.headers.remove(header::CONTENT_LENGTH);
            let body = match fault {
                Fault::Cut => cut_after(body, keep),
                _ => stall_after(body, keep, f.stall),
            };
            Response::from_parts(parts, body)
        }
    }
}

fn too_many(retry_after_secs: u64) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, retry_after_secs.to_string())],
        "rate limited by the sandbox",
    )
        .into_response()
}

/// A response whose body fails after `sent`: the server aborts the connection.
fn broken(sent: Bytes) -> Response {
    let failing = futures::stream::iter([
        Ok(sent),
        Err(std::io::Error::other("connection cut by the sandbox")),
    ]);
    Response::builder()
        .status(StatusCode::OK)
        .body(Body::from_stream(failing))
        .unwrap_or_default()
}

/// `body`'s first `keep` bytes, then a broken connection.
fn cut_after(body: Body, keep: u64) -> Body {
    let mut left = keep;
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        if left == 0 {
            return Err(std::io::Error::other("body cut by the sandbox"));
        }
        let take = (chunk.len() as u64).min(left);
        left -= take;
        Ok(chunk.slice(..take as usize))
    });
    // Once the budget is spent, the next chunk (or the end) fails the connection.
    let tail =
        futures::stream::once(async { Err(std::io::Error::other("body cut by the sandbox")) });
    Body::from_stream(
        stream
            .take_while(|r| futures::future::ready(r.is_ok()))
            .chain(tail),
    )
}

/// `body`'s first `keep` bytes, a pause of `stall`, then the rest.
fn stall_after(body: Body, keep: u64, stall: Duration) -> Body {
    let mut sent = 0u64;
    let stream = body.into_data_stream().then(move |chunk| {
        let before = sent;
        sent += chunk.as_ref().map_or(0, |c| c.len() as u64);
        async move {
            if before <= keep && keep < sent {
                tokio::time::sleep(stall).await;
            }
            chunk.map_err(std::io::Error::other)
        }
    });
    Body::from_stream(stream)
}
