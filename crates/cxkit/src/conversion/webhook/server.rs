//! The axum receiver for webhook deliveries (feature `webhook-server`).

use super::{dedup_key, parse, SECRET_PARAM};
use crate::conversion::WebhookEvent;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use cxkit_runtime::Secret;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// What a handler returns when it could not process an event (the vendor will redeliver).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// How the receiver checks and de-duplicates deliveries.
#[derive(Clone, Debug)]
pub struct ReceiverConfig {
    secret: Secret,
    dedup_window: Duration,
    max_body_bytes: usize,
    handled: Vec<DeliveryKey>,
}

impl ReceiverConfig {
    /// Deliveries must carry `?secret=<secret>`; 10-minute de-duplication; 1 MiB bodies.
    pub fn new(secret: impl Into<Secret>) -> Self {
        Self {
            secret: secret.into(),
            dedup_window: Duration::from_secs(600),
            max_body_bytes: 1024 * 1024,
            handled: Vec::new(),
        }
    }

    /// Deliveries handled before this receiver started (read back from where a previous run
    /// stored them), so a redelivery after a restart is acknowledged without being handled
    /// twice. They are remembered for one window from now.
    pub fn already_handled(mut self, keys: impl IntoIterator<Item = DeliveryKey>) -> Self {
        self.handled.extend(keys);
        self
    }

    /// How long a handled delivery is remembered to drop its redeliveries.
    pub fn dedup_window(mut self, window: Duration) -> Self {
        self.dedup_window = window;
        self
    }

    /// The largest body accepted (default 1 MiB); larger ones get `413`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }
}

/// What identifies a delivery: (`topic`, `type`, `operationId`), see [`super::dedup_key`].
pub type DeliveryKey = (String, String, String);
type Key = DeliveryKey;

enum Seen {
    InFlight,
    Handled(Instant),
}

struct Receiver<H> {
    config: ReceiverConfig,
    handler: H,
    seen: Mutex<HashMap<Key, Seen>>,
}

/// A `Router` answering `POST /` with:
/// `401` (wrong or missing secret), `413` (body over the limit), `400` (not a delivery),
/// `409` (the same delivery is being handled right now), `500` (the handler failed: the
/// vendor redelivers), `200` (handled now, or already handled within the window).
/// Mount it where the callback URL points, e.g. `Router::new().nest("/hooks/conversion", router(..))`.
///
/// ```
/// use cxkit::conversion::webhook::{router, ReceiverConfig, HandlerError};
/// let app: axum::Router = router(
///     ReceiverConfig::new("a-long-random-shared-secret"),
///     |event: cxkit::conversion::WebhookEvent| async move {
///         println!("{:?} {:?}", event.topic, event.operation_id);
///         Ok::<(), HandlerError>(())
///     },
/// );
/// ```
pub fn router<H, Fut>(config: ReceiverConfig, handler: H) -> Router
where
    H: Fn(WebhookEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    let limit = config.max_body_bytes;
    let now = Instant::now();
    let seen = config
        .handled
        .iter()
        .map(|key| (key.clone(), Seen::Handled(now)))
        .collect();
    let receiver = Arc::new(Receiver {
        config,
        handler,
        seen: Mutex::new(seen),
    });
    Router::new()
        .route("/", post(receive::<H, Fut>))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(receiver)
}

async fn receive<H, Fut>(
    State(receiver): State<Arc<Receiver<H>>>,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> StatusCode
where
    H: Fn(WebhookEvent) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    let given = params
        .get(SECRET_PARAM)
        .map(String::as_bytes)
        .unwrap_or_default();
    let expected = receiver.config.secret.expose().as_bytes();
    if !bool::from(given.ct_eq(expected)) {
        return StatusCode::UNAUTHORIZED;
    }
    let event = match parse(&body) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, "webhook: not a delivery");
            return StatusCode::BAD_REQUEST;
        }
    };
    let key = dedup_key(&event);
    let mut guard = match &key {
        Some(key) => match receiver.claim(key) {
            Claim::AlreadyHandled => return StatusCode::OK,
            Claim::InFlight => return StatusCode::CONFLICT,
            Claim::Claimed => Some(InFlightGuard {
                receiver: receiver.as_ref(),
                key: key.clone(),
                handled: false,
            }),
        },
        None => None,
    };
    match (receiver.handler)(event).await {
        Ok(()) => {
            if let Some(guard) = guard.as_mut() {
                guard.handled = true;
            }
            StatusCode::OK
        }
        Err(error) => {
            tracing::warn!(%error, "webhook: handler failed; the vendor will redeliver");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

enum Claim {
    Claimed,
    InFlight,
    AlreadyHandled,
}

impl<H> Receiver<H> {
    fn claim(&self, key: &Key) -> Claim {
        let window = self.config.dedup_window;
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.retain(|_, s| !matches!(s, Seen::Handled(at) if at.elapsed() > window));
        match seen.get(key) {
            Some(Seen::Handled(_)) => Claim::AlreadyHandled,
            Some(Seen::InFlight) => Claim::InFlight,
            None => {
                seen.insert(key.clone(), Seen::InFlight);
                Claim::Claimed
            }
        }
    }
}

/// Marks a delivery handled, or forgets it (so a redelivery is handled) when the handler
/// failed, panicked or the request was dropped.
struct InFlightGuard<'a, H> {
    receiver: &'a Receiver<H>,
    key: Key,
    handled: bool,
}

impl<H> Drop for InFlightGuard<'_, H> {
    fn drop(&mut self) {
        let mut seen = self.receiver.seen.lock().unwrap_or_else(|e| e.into_inner());
        if self.handled {
            seen.insert(self.key.clone(), Seen::Handled(Instant::now()));
        } else {
            seen.remove(&self.key);
        }
    }
}
