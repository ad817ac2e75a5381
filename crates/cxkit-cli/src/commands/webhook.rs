//! `cxkit webhook …`.

use super::Context;
use crate::error::CliError;
use crate::event_log::EventLog;
use crate::output::Format;
use crate::output::{Columns, Output};
use clap::{Args, Subcommand};
use cxkit::conversion::webhook::{self as hooks, Delivery, ServeLimits};
use cxkit::Api;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The shared webhook secret, from a flag, a file or the environment.
#[derive(Args, Debug, Clone)]
pub struct WebhookSecret {
    /// The shared secret deliveries carry as ?secret=… (16 characters or more). A flag is
    /// visible to other users of this machine (`ps`): prefer WEBHOOK_SECRET or --secret-file.
    #[arg(long, env = cxkit::conversion::webhook::SECRET_VAR, hide_env_values = true)]
    pub secret: Option<String>,
    /// A file holding the shared secret (e.g. a mounted secret).
    #[arg(long, env = cxkit::conversion::webhook::SECRET_FILE_VAR, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
}

impl WebhookSecret {
    /// The secret, checked: present, from one place only, 16 characters or more.
    pub fn resolve(&self) -> Result<cxkit::Secret, crate::error::CliError> {
        let secret = crate::clients::one_secret(
            self.secret.as_deref(),
            self.secret_file.as_deref(),
            ("--secret", cxkit::conversion::webhook::SECRET_VAR),
            ("--secret-file", cxkit::conversion::webhook::SECRET_FILE_VAR),
        )?
        .ok_or_else(|| {
            crate::error::CliError::config(format!(
                "missing the webhook secret: set {} or {}, or pass --secret or --secret-file",
                cxkit::conversion::webhook::SECRET_VAR,
                cxkit::conversion::webhook::SECRET_FILE_VAR
            ))
        })?;
        let secret = cxkit::Secret::new(secret);
        cxkit::conversion::webhook::check_secret(&secret)
            .map_err(|e| crate::error::CliError::config(e.to_string()))?;
        Ok(secret)
    }
}

/// Webhook commands.
#[derive(Subcommand, Debug)]
pub enum Webhook {
    /// Receive deliveries and print each event (JSON Lines by default).
    ///
    /// The secret is checked before the body is read; bodies over --max-body-kib get 413,
    /// headers and bodies that take over 10 s are cut, at most --max-connections are open at
    /// once. A redelivery of an event already written (same topic, type, operationId and
    /// updatedAt) is acknowledged without being written again; a new change of the same
    /// object always is.
    #[command(
        after_help = "Example:\n  WEBHOOK_SECRET=$(openssl rand -hex 24) cxkit webhook listen --addr 127.0.0.1:8080 --output events.jsonl"
    )]
    Listen {
        /// Address to listen on (put a TLS proxy in front of it to receive from the internet).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        #[command(flatten)]
        secret: WebhookSecret,
        /// Stop after this many events.
        #[arg(long)]
        max_events: Option<u64>,
        /// Connections open at once; more wait for a free one.
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65_536))]
        max_connections: u32,
        /// The largest delivery body accepted, in KiB.
        #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
        max_body_kib: u32,
        /// Events remembered to drop their redeliveries (with --output, across restarts too).
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..))]
        dedup_capacity: u32,
    },
}

/// `cxkit webhook …`: a delivery is written (and, with `--output`, made durable) before it
/// is acknowledged; a redelivery of an event already written is acknowledged, not written
/// again (the rule: `cxkit::conversion::webhook`).
pub async fn webhook(ctx: &Context<'_>, command: Webhook) -> Result<(), CliError> {
    let Webhook::Listen {
        addr,
        secret,
        max_events,
        max_connections,
        max_body_kib,
        dedup_capacity,
    } = command;
    // Refused before anything listens: an empty or short secret opens the receiver.
    let secret = secret.resolve()?;
    let capacity = dedup_capacity as usize;
    let (sink, handled) = match ctx.output {
        Some(path) => {
            if ctx.format.is_some_and(|f| f != Format::Jsonl) {
                return Err(CliError::usage(
                    "webhook listen --output appends JSON Lines: use --format jsonl",
                ));
            }
            let opened = EventLog::open(path, capacity)?;
            if !ctx.quiet {
                if opened.repaired > 0 {
                    eprintln!(
                        "removed {} bytes of a partly written line from {} (never acknowledged)",
                        opened.repaired,
                        path.display()
                    );
                }
                if !opened.handled.is_empty() {
                    eprintln!(
                        "{} deliveries already in {}",
                        opened.handled.len(),
                        path.display()
                    );
                }
            }
            (Sink::File(opened.log), opened.handled)
        }
        None => {
            let out = ctx.open(Columns::Schema(Api::Conversion, "WebhookEvent"))?;
            (Sink::Stdout(Arc::new(Mutex::new(out))), Vec::new())
        }
    };
    let written = Arc::new(AtomicU64::new(0));
    let enough = Arc::new(tokio::sync::Notify::new());
    let config = hooks::ReceiverConfig::new(secret)
        .map_err(|e| CliError::config(e.to_string()))?
        .max_body_bytes(max_body_kib as usize * 1024)
        .dedup_capacity(capacity)
        .already_handled(handled);
    let app = {
        let (sink, written, enough) = (sink.clone(), written.clone(), enough.clone());
        hooks::router(config, move |delivery: Delivery| {
            let (sink, written, enough) = (sink.clone(), written.clone(), enough.clone());
            async move {
                sink.write(&delivery)
                    .await
                    .map_err(|e| Box::new(e) as hooks::HandlerError)?;
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
    let limits = ServeLimits::default().max_connections(max_connections as usize);
    hooks::serve(
        listener,
        app,
        limits,
        async move { enough.notified().await },
    )
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
    async fn write(&self, delivery: &Delivery) -> Result<(), CliError> {
        match self {
            Sink::File(log) => log.append(delivery).await,
            Sink::Stdout(out) => {
                let row = cxkit::RawRow::from_slice(&delivery.body, "operationId")
                    .map_err(|e| CliError::io(format!("not a JSON object: {e}")))?;
                let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
                out.write_json(row.as_bytes())?;
                out.flush()
            }
        }
    }
}
