//! The axum receiver for webhook deliveries (feature `webhook-server`).

use super::seen::{Claim, Seen};
use super::{check_secret, parse, EventId, SECRET_PARAM};
use crate::conversion::WebhookEvent;
use crate::error::Error;
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use cxkit_runtime::Secret;
use http_body_util::{BodyExt, Limited};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// What a handler returns when it could not process an event (the vendor will redeliver).
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// One delivery, checked and parsed: what the handler gets.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// What identifies the event across its redeliveries (a key to store).
    pub id: EventId,
    /// The event, typed (unknown fields in `extra`).
    pub event: WebhookEvent,
    /// The body exactly as the vendor sent it, to store without re-encoding.
    pub body: Bytes,
}

/// How the receiver checks, bounds and de-duplicates deliveries.
#[derive(Clone, Debug)]
pub struct ReceiverConfig {
    secret: Secret,
    dedup_capacity: usize,
    dedup_window: Option<Duration>,
    max_body_bytes: usize,
    body_timeout: Duration,
    handled: Vec<EventId>,
}

impl ReceiverConfig {
    /// Deliveries must carry `?secret=<secret>`, which needs at least
    /// [`MIN_SECRET_LEN`](super::MIN_SECRET_LEN) characters (an error otherwise: an empty or
    /// short secret would let anyone post events). Defaults: the last 100,000 events
    /// remembered, bodies of up to 1 MiB read within 10 s.
    pub fn new(secret: impl Into<Secret>) -> Result<Self, Error> {
        let secret = secret.into();
        check_secret(&secret)?;
        Ok(Self {
            secret,
            dedup_capacity: 100_000,
            dedup_window: None,
            max_body_bytes: 1024 * 1024,
            body_timeout: Duration::from_secs(10),
            handled: Vec::new(),
        })
    }

    /// Events handled before this receiver started (read back from where a previous run
    /// stored them, oldest first), so a redelivery after a restart is acknowledged without
    /// being handled twice.
    pub fn already_handled(mut self, ids: impl IntoIterator<Item = EventId>) -> Self {
        self.handled.extend(ids);
        self
    }

    /// How many handled events are remembered to drop their redeliveries (default 100,000;
    /// the oldest is forgotten first).
    pub fn dedup_capacity(mut self, events: usize) -> Self {
        self.dedup_capacity = events;
        self
    }

    /// Forget handled events after this long, too (default: only by count).
    pub fn dedup_window(mut self, window: Duration) -> Self {
        self.dedup_window = Some(window);
        self
    }

    /// The largest body accepted (default 1 MiB); larger ones get `413` unread.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// How long the body may take to arrive once the headers did (default 10 s); a slower
    /// one gets `408`.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }
}

struct Receiver<H> {
    config: ReceiverConfig,
    handler: H,
    seen: Mutex<Seen>,
}

/// How long a redelivery waits for the same event's handler before giving up with `409`
/// (the vendor then tries again).
const WAIT_FOR_IN_FLIGHT: Duration = Duration::from_secs(10);

/// A `Router` answering `POST /`, in this order:
/// `401` (wrong or missing secret: the body is not read), `413` (body over the limit),
/// `408` (body too slow), `400` (not a delivery), then the event: `200` when handled now or
/// already handled (a redelivery of an event being handled waits for it, so concurrent
/// redeliveries are handled once), `500` when the handler failed (the vendor redelivers),
/// `409` when another delivery of the event is still being handled after 10 s.
/// Mount it where the callback URL points, e.g. `Router::new().nest("/hooks/conversion", router(..))`,
/// and serve it with [`serve`](super::serve) (connection cap, header timeout).
///
/// ```
/// use cxkit::conversion::webhook::{router, Delivery, HandlerError, ReceiverConfig};
/// let app: axum::Router = router(
///     ReceiverConfig::new("a-long-random-shared-secret")?,
///     |delivery: Delivery| async move {
///         println!("{} {:?}", delivery.id, delivery.event.topic);
///         Ok::<(), HandlerError>(())
///     },
/// );
/// # Ok::<(), cxkit::Error>(())
/// ```
pub fn router<H, Fut>(mut config: ReceiverConfig, handler: H) -> Router
where
    H: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    let handled = std::mem::take(&mut config.handled);
    let seen = Seen::new(config.dedup_capacity, config.dedup_window, handled);
    let receiver = Arc::new(Receiver {
        config,
        handler,
        seen: Mutex::new(seen),
    });
    Router::new()
        .route("/", post(receive::<H, Fut>))
        .with_state(receiver)
}

async fn receive<H, Fut>(State(receiver): State<Arc<Receiver<H>>>, request: Request) -> StatusCode
where
    H: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    let config = &receiver.config;
    if !has_secret(&request, &config.secret) {
        return StatusCode::UNAUTHORIZED;
    }
    let body = match read_body(request.into_body(), config).await {
        Ok(body) => body,
        Err(status) => return status,
    };
    let (event, id) = match parse(&body).and_then(|event| Ok((event, EventId::of(&body)?))) {
        Ok(parsed) => parsed,
        Err(error) => {
            tracing::warn!(%error, "webhook: not a delivery");
            return StatusCode::BAD_REQUEST;
        }
    };
    for _ in 0..3 {
        let claim = receiver.lock().claim(id);
        match claim {
            Claim::Handled => return StatusCode::OK,
            Claim::Wait(done) => {
                let notified = done.notified();
                // Woken by the end of the handler (registered before the state is read
                // again, so a wake-up in between is not missed).
                let mut notified = std::pin::pin!(notified);
                notified.as_mut().enable();
                if !receiver.lock().is_in_flight(id) {
                    continue;
                }
                if tokio::time::timeout(WAIT_FOR_IN_FLIGHT, notified)
                    .await
                    .is_err()
                {
                    return StatusCode::CONFLICT;
                }
            }
            Claim::Claimed => {
                let delivery = Delivery {
                    id,
                    event,
                    body: body.clone(),
                };
                return handle(&receiver, delivery).await;
            }
        }
    }
    StatusCode::CONFLICT
}

async fn handle<H, Fut>(receiver: &Receiver<H>, delivery: Delivery) -> StatusCode
where
    H: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    let mut guard = InFlightGuard {
        receiver,
        id: delivery.id,
        handled: false,
    };
    match (receiver.handler)(delivery).await {
        Ok(()) => {
            guard.handled = true;
            StatusCode::OK
        }
        Err(error) => {
            tracing::warn!(%error, "webhook: handler failed; the vendor will redeliver");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// Whether the query's `secret` is the configured one (constant time).
fn has_secret(request: &Request, secret: &Secret) -> bool {
    let given = Query::<HashMap<String, String>>::try_from_uri(request.uri())
        .ok()
        .and_then(|Query(params)| params.get(SECRET_PARAM).cloned())
        .unwrap_or_default();
    bool::from(given.as_bytes().ct_eq(secret.expose().as_bytes()))
}

/// The body, within the size limit (a declared length over it is refused unread) and the
/// body timeout.
async fn read_body(body: Body, config: &ReceiverConfig) -> Result<Bytes, StatusCode> {
    let limit = config.max_body_bytes;
    let declared = axum::body::HttpBody::size_hint(&body).exact();
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(StatusCode::PAYLOAD_TOO_LARGE);
    }
    let collect = Limited::new(body, limit).collect();
    match tokio::time::timeout(config.body_timeout, collect).await {
        Err(_) => Err(StatusCode::REQUEST_TIMEOUT),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            Err(StatusCode::PAYLOAD_TOO_LARGE)
        }
        Ok(Err(_)) => Err(StatusCode::BAD_REQUEST),
    }
}

impl<H> Receiver<H> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Marks a delivery handled, or forgets it (so a redelivery is handled) when the handler
/// failed, panicked or the request was dropped.
struct InFlightGuard<'a, H> {
    receiver: &'a Receiver<H>,
    id: EventId,
    handled: bool,
}

impl<H> Drop for InFlightGuard<'_, H> {
    fn drop(&mut self) {
        self.receiver.lock().release(self.id, self.handled);
    }
}
