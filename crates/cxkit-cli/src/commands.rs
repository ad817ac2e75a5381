//! One function per subcommand: build the query, stream rows into the output.

use crate::args::{self, Converz, Period, Webhook, Zchat, ZchatFilters};
use crate::clients::Clients;
use crate::error::CliError;
use crate::event_log::EventLog;
use crate::output::{Columns, Output, Spec};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use cxkit::pagination::{Checkpoint, Progress, RowStream};
use cxkit::Api;
use cxkit::{conversion, converz, zchat};
use futures::{Stream, StreamExt};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What every command needs: the clients and how to open the output.
pub struct Context<'a> {
    pub clients: &'a Clients,
    pub format: Option<args::Format>,
    pub output: Option<&'a std::path::Path>,
    pub columns: Option<&'a [String]>,
    pub quiet: bool,
    pub resume: bool,
    /// The command line, recorded in checkpoints.
    pub command: &'a str,
}

impl Context<'_> {
    fn spec(&self, columns: Columns) -> Spec<'_> {
        Spec {
            format: self.format,
            path: self.output,
            columns,
            select: self.columns,
            quiet: self.quiet,
            resume: self.resume,
            command: self.command,
        }
    }

    /// An output for a command that is not a list (nothing to resume).
    pub(crate) fn open(&self, columns: Columns) -> Result<Output, CliError> {
        if self.resume {
            return Err(CliError::usage("--resume applies to list exports only"));
        }
        Output::open(self.spec(columns)).map(|(out, _)| out)
    }
}

/// Exports a list: opens the output (picking up its checkpoint with `--resume`), asks
/// `rows` for the list from there, writes every row and records a checkpoint after each
/// complete page. The first error aborts; `FILE` appears only when the list is complete.
pub(crate) async fn export_list<T: Serialize + Send + 'static>(
    ctx: &Context<'_>,
    columns: Columns,
    page_size: u64,
    rows: impl FnOnce(Option<Checkpoint>) -> RowStream<T>,
) -> Result<(), CliError> {
    let (out, resume) = Output::open(ctx.spec(columns))?;
    let mut out = out.with_page_size(page_size);
    let mut items = rows(resume).with_checkpoints();
    while let Some(item) = items.next().await {
        match item? {
            Progress::Row(row) => out.write_row(&row)?,
            Progress::Checkpoint(c) => out.checkpoint(&c)?,
        }
    }
    out.finish()?;
    Ok(())
}

/// Writes every row of `rows`; the first error aborts (and `--output` is left untouched).
pub(crate) async fn export<T: Serialize>(
    mut out: Output,
    rows: impl Stream<Item = Result<T, cxkit::Error>>,
) -> Result<(), CliError> {
    let mut rows = std::pin::pin!(rows);
    while let Some(row) = rows.next().await {
        out.write_row(&row?)?;
    }
    out.finish()?;
    Ok(())
}

pub(crate) async fn export_all<T: Serialize>(out: Output, rows: Vec<T>) -> Result<(), CliError> {
    export(out, futures::stream::iter(rows.into_iter().map(Ok))).await
}

/// `2024-03-01` (start of day) or `2024-03-01T08:00:00`, in `offset`.
fn instant(
    text: &str,
    offset: FixedOffset,
    end_of_day: bool,
) -> Result<DateTime<FixedOffset>, CliError> {
    let local = match NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        Ok(t) => t,
        Err(_) => {
            let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                CliError::usage(format!("`{text}` is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"))
            })?;
            let time = if end_of_day {
                day.and_hms_opt(23, 59, 59)
            } else {
                day.and_hms_opt(0, 0, 0)
            };
            time.ok_or_else(|| CliError::usage(format!("`{text}` is not a valid date")))?
        }
    };
    offset
        .from_local_datetime(&local)
        .single()
        .ok_or_else(|| CliError::usage(format!("`{text}` is ambiguous")))
}

fn offset(text: &str) -> Result<FixedOffset, CliError> {
    text.parse::<FixedOffset>()
        .or_else(|_| format!("{text}:00").parse())
        .map_err(|_| CliError::usage(format!("`{text}` is not a UTC offset like -03:00")))
}

/// A period's two ends.
type Span<Tz> = Option<(DateTime<Tz>, DateTime<Tz>)>;

/// The period's ends, when given (both or none).
fn period(p: &Period) -> Result<Span<FixedOffset>, CliError> {
    let tz = offset(&p.utc_offset)?;
    match (&p.from, &p.to) {
        (None, None) => Ok(None),
        (Some(from), Some(to)) => Ok(Some((instant(from, tz, false)?, instant(to, tz, true)?))),
        (Some(from), None) => Ok(Some((
            instant(from, tz, false)?,
            Utc::now().with_timezone(&tz),
        ))),
        (None, Some(_)) => Err(CliError::usage("--to needs --from")),
    }
}

fn channels(names: &[String]) -> Vec<zchat::Channel> {
    names
        .iter()
        .map(|n| {
            serde_json::from_value(json!(n.to_uppercase()))
                .unwrap_or(zchat::Channel::String(n.clone()))
        })
        .collect()
}

fn states(names: &[String]) -> Vec<zchat::State> {
    names
        .iter()
        .map(|n| {
            serde_json::from_value(json!(n.to_uppercase()))
                .unwrap_or(zchat::State::String(n.clone()))
        })
        .collect()
}

macro_rules! zchat_filters {
    ($query:expr, $f:expr) => {
        $query
            .channels(channels(&$f.channels))
            .states(states(&$f.states))
            .agents(&$f.agents)
            .departments(&$f.departments)
            .page_size($f.page_size)
    };
}

/// `cxkit zchat …`
pub async fn zchat(ctx: &Context<'_>, command: Zchat) -> Result<(), CliError> {
    let client = ctx.clients.zchat()?;
    match command {
        Zchat::Report {
            period: p,
            group_by,
            filters,
        } => {
            let grouping: zchat::ReportGrouping = serde_json::from_value(json!(group_by))
                .map_err(|_| CliError::usage(format!("unknown grouping `{group_by}`")))?;
            let mut query = zchat::ReportQuery::new().group_by(grouping);
            if let Some((from, to)) = period(&p)? {
                query = query.between(from, to);
            }
            let ZchatFilters {
                channels: c,
                states: s,
                agents,
                departments,
                ..
            } = filters;
            let query = query
                .channels(channels(&c))
                .states(states(&s))
                .agents(&agents)
                .departments(&departments);
            let columns = Columns::Schema(Api::Zchat, "ReportRow");
            export_all(ctx.open(columns)?, client.report(&query).await?).await
        }
        Zchat::History {
            period: p,
            filters,
            search,
            active,
            expanded,
            no_prefetch,
        } => {
            let mut query =
                zchat_filters!(zchat::HistoryQuery::new(), filters).prefetch(!no_prefetch);
            if let Some((from, to)) = period(&p)? {
                query = query.between(from, to);
            }
            if let Some(s) = search {
                query = query.search(s);
            }
            if let Some(a) = active {
                query = query.active(a);
            }
            let page_size = filters.page_size.into();
            let resumed = move |at: Option<Checkpoint>| match at {
                Some(at) => query.resume_from(at),
                None => query,
            };
            if expanded {
                let columns = Columns::Schema(Api::Zchat, "ExpandedHistoryRow");
                export_list(ctx, columns, page_size, |at| {
                    client.history_expanded(resumed(at))
                })
                .await
            } else {
                let columns = Columns::Schema(Api::Zchat, "HistoryRow");
                export_list(ctx, columns, page_size, |at| client.history(resumed(at))).await
            }
        }
        Zchat::Ongoing { filters } => {
            let query = zchat_filters!(zchat::OngoingQuery::new(), filters);
            let columns = Columns::Schema(Api::Zchat, "OngoingRow");
            export_list(ctx, columns, filters.page_size.into(), |at| {
                client.ongoing(match at {
                    Some(at) => query.resume_from(at),
                    None => query,
                })
            })
            .await
        }
        Zchat::Messages { protocol } => {
            let columns = Columns::Schema(Api::Zchat, "Message");
            export_all(ctx.open(columns)?, client.messages(&protocol).await?).await
        }
    }
}

/// `cxkit converz …`
pub async fn converz(ctx: &Context<'_>, command: Converz) -> Result<(), CliError> {
    let client = ctx.clients.converz()?;
    match command {
        Converz::Reps {
            rep_ids,
            departments,
            active,
            page_size,
        } => {
            let mut query = converz::RepQuery::new()
                .rep_ids(rep_ids)
                .departments(departments)
                .page_size(page_size);
            if let Some(a) = active {
                query = query.active(a);
            }
            let columns = Columns::Schema(Api::Converz, "Rep");
            export_list(ctx, columns, page_size, |at| {
                client.reps(match at {
                    Some(at) => query.resume_from(at),
                    None => query,
                })
            })
            .await
        }
        Converz::Calls {
            start_date,
            end_date,
            campaigns,
            vendors,
            rep_ids,
            columns,
            metrics,
            page_size,
        } => {
            let mut query = converz::CallQuery::new()
                .campaigns(campaigns)
                .vendors(vendors)
                .rep_ids(rep_ids)
                .page_size(page_size)
                .prefetch(true);
            if let Some(d) = start_date {
                query = query.start_date(d);
            }
            if let Some(d) = end_date {
                query = query.end_date(d);
            }
            if !columns.is_empty() {
                query = query.columns(columns);
            }
            if !metrics.is_empty() {
                query = query.metrics(metrics);
            }
            let columns = Columns::Schema(Api::Converz, "Call");
            export_list(ctx, columns, page_size, |at| {
                client.calls(match at {
                    Some(at) => query.resume_from(at),
                    None => query,
                })
            })
            .await
        }
        Converz::Report {
            days,
            group_by,
            metrics,
        } => {
            let mut query = converz::ReportQuery::new();
            if let Some(d) = days {
                query = query.days(d);
            }
            if !group_by.is_empty() {
                query = query.group_by(group_by);
            }
            if !metrics.is_empty() {
                query = query.metrics(metrics);
            }
            let columns = Columns::Schema(Api::Converz, "ReportRow");
            export_all(ctx.open(columns)?, client.report(&query).await?).await
        }
        Converz::UpdateReps { csv } => {
            let update = converz::Update::<String>::from_csv(open(&csv)?)?;
            let report = client
                .update_reps_with_progress(&update, progress(ctx.quiet))
                .await?;
            write_report(ctx, report).await
        }
        Converz::UpdateCalls { csv } => {
            let update = converz::Update::<i64>::from_csv(open(&csv)?)?;
            let report = client
                .update_calls_with_progress(&update, progress(ctx.quiet))
                .await?;
            write_report(ctx, report).await
        }
    }
}

fn open(path: &std::path::Path) -> Result<std::fs::File, CliError> {
    std::fs::File::open(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}

fn progress(quiet: bool) -> impl FnMut(converz::Progress) {
    move |p| {
        if !quiet {
            eprintln!(
                "chunk {}/{}: {}/{} rows sent",
                p.chunk + 1,
                p.chunks,
                p.rows_done,
                p.rows_total
            );
        }
    }
}

/// One row per chunk; fails (exit 1) when a chunk was not applied, after writing the report.
async fn write_report(ctx: &Context<'_>, report: converz::UpdateReport) -> Result<(), CliError> {
    let rows: Vec<Value> = report
        .chunks
        .iter()
        .map(|c| {
            let (status, error) = match &c.status {
                converz::ChunkStatus::Sent(_) => ("sent", None),
                converz::ChunkStatus::Failed(e) => ("failed", Some(e.to_string())),
                converz::ChunkStatus::NotSent => ("not sent", None),
            };
            json!({"chunk": c.index + 1, "first_row": c.rows.start, "rows": c.rows.len(), "status": status, "error": error})
        })
        .collect();
    export_all(ctx.open(Columns::FromRows)?, rows).await?;
    match report.error() {
        Some(e) => Err(CliError {
            code: crate::error::API,
            message: format!(
                "the update stopped: {e}; rows not applied: {:?}",
                report.rows_not_applied()
            ),
        }),
        None => Ok(()),
    }
}

pub(crate) fn utc_period(p: &Period) -> Result<Span<Utc>, CliError> {
    Ok(period(p)?.map(|(a, b)| {
        (
            a.with_timezone(&Utc),
            b.with_timezone(&Utc) + chrono::Duration::seconds(1),
        )
    }))
}

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
