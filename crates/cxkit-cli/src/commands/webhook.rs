//! `cxkit webhook …`.

use super::Context;
use crate::args::{self, Webhook};
use crate::error::CliError;
use crate::event_log::EventLog;
use crate::output::{Columns, Output};
use cxkit::conversion;
use cxkit::Api;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// `cxkit webhook …`: a delivery is written (and, with `--output`, made durable) before it
/// is acknowledged; a redelivery of one already written is acknowledged, not written again.
pub async fn webhook(ctx: &Context<'_>, command: Webhook) -> Result<(), CliError> {
    let Webhook::Listen {
        addr,
        secret,
        max_events,
    } = command;
    let sink = match ctx.output {
        Some(path) => {
            if ctx.format.is_some_and(|f| f != args::Format::Jsonl) {
                return Err(CliError::usage(
                    "webhook listen --output appends JSON Lines: use --format jsonl",
                ));
            }
            let (log, handled) = EventLog::open(path)?;
            if !ctx.quiet && !handled.is_empty() {
                eprintln!("{} deliveries already in {}", handled.len(), path.display());
            }
            (Sink::File(log), handled)
        }
        None => {
            let out = ctx.open(Columns::Schema(Api::Conversion, "WebhookEvent"))?;
            (Sink::Stdout(Arc::new(Mutex::new(out))), Vec::new())
        }
    };
    let (sink, handled) = sink;
    let written = Arc::new(AtomicU64::new(0));
    let enough = Arc::new(tokio::sync::Notify::new());
    let config = conversion::webhook::ReceiverConfig::new(secret).already_handled(handled);
    let app = {
        let (sink, written, enough) = (sink.clone(), written.clone(), enough.clone());
        conversion::webhook::router(config, move |event| {
            let (sink, written, enough) = (sink.clone(), written.clone(), enough.clone());
            async move {
                sink.write(&event)
                    .await
                    .map_err(|e| Box::new(e) as conversion::webhook::HandlerError)?;
                let n = written.fetch_add(1, Ordering::SeqCst) + 1;
                if max_events.is_some_and(|max| n >= max) {
                    enough.notify_one();
                }
                Ok(())
            }
        })
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| CliError::config(format!("cannot listen on {addr}: {e}")))?;
    if !ctx.quiet {
        let at = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        eprintln!("listening on http://{at} (POST /?secret=…)");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { enough.notified().await })
        .await
        .map_err(|e| CliError::io(format!("the listener stopped: {e}")))?;
    if let Sink::Stdout(out) = sink {
        if let Ok(out) = Arc::try_unwrap(out) {
            out.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .finish()?;
        }
    }
    Ok(())
}

/// Where received events go.
#[derive(Clone)]
enum Sink {
    /// `--output`: appended and fsynced.
    File(EventLog),
    /// stdout, flushed per event.
    Stdout(Arc<Mutex<Output>>),
}

impl Sink {
    async fn write(&self, event: &conversion::WebhookEvent) -> Result<(), CliError> {
        match self {
            Sink::File(log) => log.append(event).await,
            Sink::Stdout(out) => {
                let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
                out.write_row(event)?;
                out.flush()
            }
        }
    }
}
