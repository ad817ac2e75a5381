//! **cxkit-sandbox**: an in-memory fake of the Zenvia Chat, Converz and Zenvia Conversion APIs,
//! on the paths and shapes of `specs/` (responses are built from the generated types).
//!
//! - Deterministic data from a seed, generated on the fly from (seed, row index): a million
//!   history rows cost no memory.
//! - Real semantics: page/limit and cursor pagination, the documented filters, Converz updates
//!   that persist (both body shapes, the row-wise null rule, the 100,000-row limit), leads that
//!   create or merge prospects, interactions, and webhook deliveries with redelivery. The
//!   Conversion fake serves every operation of its spec (quotes, messaging, act-as-user,
//!   directory, custom apps…) on persistent state.
//! - Each vendor's auth and error shape; fault injection (latency, 429, 5xx, dropped
//!   connections) for testing clients.
//! - Responses compressed when the request asks (gzip, br, zstd, deflate; level 1 by default,
//!   as nginx), faults applying to the compressed bytes; and a shaped link ([`Link`]: one
//!   bandwidth budget for all connections, a round-trip delay) to model a real network.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = cxkit_sandbox::Sandbox::start().await?;
//! let client = cxkit::zchat::Client::builder()
//!     .base_url(sandbox.zchat_base_url())
//!     .token(sandbox.credentials().zchat_token.clone())
//!     .build()
//!     .unwrap();
//! # Ok(()) }
//! ```

// Handlers return `Err(Response)` to answer early with the vendor's error shape; the
// response is built once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

mod config;
pub mod contract;
mod conversion;
mod converz;
mod faults;
mod link;
mod query;
mod replay;
pub mod rng;
mod typed;
mod zchat;

use axum::Router;
use config::CONVERSION_PREFIX;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

pub use config::{Credentials, SandboxConfig};
pub use faults::Faults;
pub use link::Link;

/// Shared state of the three fakes.
pub(crate) struct AppState {
    pub config: SandboxConfig,
    /// The Conversion spec: request bodies are checked against it.
    pub conversion_contract: contract::Contract,
    pub converz: converz::Store,
    pub conversion: conversion::Store,
    pub faults: faults::Injector,
    pub rendered: replay::Rendered,
}

/// The router serving all three APIs: `/zchat`, `/converz/api/v1`, `/conversion/v1`.
pub fn router(config: SandboxConfig) -> Router {
    routes(config).0
}

/// The router and the state it serves.
fn routes(config: SandboxConfig) -> (Router, Arc<AppState>) {
    let state = Arc::new(AppState {
        // Compiled in and checked by every test that starts a sandbox.
        conversion_contract: contract::Contract::parse(conversion_api::SPEC_YAML)
            .unwrap_or_else(|e| panic!("specs/conversion.yaml: {e}")),
        converz: converz::Store::default(),
        conversion: conversion::Store::seeded(&config),
        faults: faults::Injector::new(config.faults.clone(), config.seed),
        rendered: replay::Rendered::default(),
        config,
    });
    let router = Router::new()
        .nest("/zchat", zchat::routes())
        .nest("/converz/api/v1", converz::routes())
        .nest(CONVERSION_PREFIX, conversion::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            replay::replay,
        ));
    // Inside the faults: a cut or a stall hits the compressed bytes, as on a real link.
    let router = match state.config.compression {
        Some(level) => router.layer(tower_http::compression::CompressionLayer::new().quality(
            tower_http::CompressionLevel::Precise(level.clamp(1, 9) as i32),
        )),
        None => router,
    };
    let router = router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .with_state(state.clone());
    (router, state)
}

/// A running sandbox on 127.0.0.1; stops when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    credentials: Credentials,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    /// The shaped link's forwarding, when there is one.
    link: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts the default sandbox on a random port.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox with `config` on a random port of 127.0.0.1.
    pub async fn start_with(config: SandboxConfig) -> std::io::Result<Self> {
        Self::bind(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a sandbox with `config` on `addr`.
    pub async fn bind(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Self> {
        let public = tokio::net::TcpListener::bind(addr).await?;
        let addr = public.local_addr()?;
        let (listener, link) = match config.link {
            None => (public, None),
            Some(link) => {
                let private = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
                let forwarding = tokio::spawn(link::serve(public, private.local_addr()?, link));
                (private, Some(forwarding))
            }
        };
        let credentials = config.credentials.clone();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let (app, state) = routes(config);
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "sandbox server stopped");
            }
        });
        Ok(Self {
            addr,
            credentials,
            state,
            shutdown: Some(shutdown),
            link,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL of the zchat fake.
    pub fn zchat_base_url(&self) -> String {
        format!("http://{}/zchat", self.addr)
    }

    /// Base URL of the Converz fake.
    pub fn converz_base_url(&self) -> String {
        format!("http://{}/converz/api/v1", self.addr)
    }

    /// Base URL of the Conversion fake.
    pub fn conversion_base_url(&self) -> String {
        format!("http://{}{CONVERSION_PREFIX}", self.addr)
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// How many requests were answered `429` for exceeding
    /// [`Faults::max_concurrent`](crate::Faults::max_concurrent).
    pub fn over_limit_count(&self) -> u64 {
        self.state.faults.over_limit_count()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(link) = self.link.take() {
            link.abort();
        }
    }
}
