//! Serving the receiver so that senders without the secret cannot starve it: a cap on open
//! connections, a deadline for the request headers (also while a kept-alive connection sits
//! idle), and a graceful end.
//!
//! `axum::serve` has neither the cap nor the header deadline: slow uploads from anyone would
//! hold file descriptors until real deliveries fail. The body deadline and the size limit are
//! the router's ([`ReceiverConfig`](super::ReceiverConfig)).

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Bounds on what one sender can hold.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ServeLimits {
    /// Connections open at once; more wait in the listen backlog (default 256).
    pub max_connections: usize,
    /// How long a connection may take to send a request's headers, and how long it may sit
    /// idle between requests (default 10 s).
    pub header_timeout: Duration,
    /// How long in-flight requests get to finish after the shutdown signal (default 10 s).
    pub grace: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            grace: Duration::from_secs(10),
        }
    }
}

impl ServeLimits {
    /// At most `n` connections open at once.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// The header (and idle) deadline.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }
}

/// Serves `app` (e.g. a [`router`](super::router)) on `listener` over HTTP/1.1 within
/// `limits`, until `shutdown` completes; then stops accepting and lets requests in flight
/// finish (within `limits.grace`), so an event being written is still acknowledged.
///
/// ```no_run
/// use cxkit::conversion::webhook::{router, serve, Delivery, HandlerError, ReceiverConfig, ServeLimits};
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let app = router(ReceiverConfig::new(std::env::var("WEBHOOK_SECRET")?)?, |d: Delivery| async move {
///     println!("{}", d.id);
///     Ok::<(), HandlerError>(())
/// });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// serve(listener, app, ServeLimits::default(), std::future::pending()).await?;
/// # Ok(()) }
/// ```
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of descriptors or a connection reset before it was accepted: not a
                    // reason to stop serving the others.
                    tracing::warn!(%error, "webhook: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(limits.grace, graceful.shutdown()).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_keep_what_was_set_and_allow_at_least_one_connection() {
        let limits = ServeLimits::default()
            .max_connections(3)
            .header_timeout(Duration::from_millis(250));
        assert_eq!(limits.max_connections, 3);
        assert_eq!(limits.header_timeout, Duration::from_millis(250));
        assert_eq!(limits.grace, ServeLimits::default().grace);
        assert_eq!(ServeLimits::default().max_connections(0).max_connections, 1);
    }
}
