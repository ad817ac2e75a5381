//! One function per subcommand (one module per vendor): build the query, stream rows into the
//! output. Here: what they share, the context and the export loop.

pub(crate) mod airbyte;
pub(crate) mod conversion;
mod converz;
pub(crate) mod singer;
mod state;
pub(crate) mod stream_run;
mod webhook;
mod zchat;

pub use converz::{converz, Converz};
pub use webhook::{webhook, Webhook};
pub use zchat::{zchat, Zchat};

use crate::clients::Clients;
use crate::error::CliError;
use crate::output::{Columns, Output, Spec};
use chrono::{DateTime, Utc};
use cxkit::pagination::Progress;
use cxkit::sync::{ReadSpec, Source};
use futures::{Stream, StreamExt};
use serde::Serialize;

/// What every command needs: the clients and how to open the output.
pub struct Context<'a> {
    pub clients: &'a Clients,
    pub format: Option<crate::output::Format>,
    pub output: Option<&'a std::path::Path>,
    pub columns: Option<&'a [String]>,
    pub quiet: bool,
    pub resume: bool,
    /// The command line without credentials, recorded in checkpoints.
    pub command: &'a str,
    /// What selects the rows (subcommand and its filters), recorded in state files.
    pub filters: &'a str,
    /// `--csv-safe`: CSV cells that a spreadsheet would run as formulas are quoted.
    pub csv_safe: bool,
    /// `--lookback`: how far before its overlap an incremental run starts again.
    pub lookback: chrono::Duration,
    /// `--state FILE`: an incremental export.
    pub state: Option<&'a std::path::Path>,
    /// `--concurrency N`: pages of a list fetched at once.
    pub concurrency: usize,
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
            csv_safe: self.csv_safe,
        }
    }

    /// An output for a command that is not a list (nothing to resume).
    pub(crate) fn open(&self, columns: Columns) -> Result<Output, CliError> {
        if self.resume {
            return Err(CliError::usage("--resume applies to list exports only"));
        }
        if self.state.is_some() {
            return Err(CliError::usage(
                "--state applies to the list exports that can run incrementally: zchat history, \
                 converz calls, conversion prospects and interactions (the Airbyte source also \
                 reads conversion_quotes incrementally)",
            ));
        }
        Output::open(self.spec(columns)).map(|(out, _)| out)
    }
}

/// Exports the list of `stream` as `spec` asks, read from `source` through the stream
/// registry (as Airbyte and Singer read it): opens the output (picking up its checkpoint with
/// `--resume`), reads the list from there (and from the state's start with `--state`), writes
/// every row as the vendor sent it and records a checkpoint after each complete page. The first
/// error aborts; `FILE` appears only when the list is complete, and the state file is replaced
/// only after that. `period` is what the command knows of time: with the run's start, its end
/// bounds the saved cursor.
pub(crate) async fn export_list(
    ctx: &Context<'_>,
    source: Source,
    stream: cxkit::sync::Stream,
    columns: Columns,
    page_size: u64,
    period: ListPeriod,
    mut spec: ReadSpec,
) -> Result<(), CliError> {
    let started = Utc::now();
    let until = period.until.map_or(started, |until| until.min(started));
    let mut state = match ctx.state {
        Some(_) if ctx.resume => {
            return Err(CliError::usage(
                "--state and --resume do not go together: an interrupted --state export \
                 leaves its state as it was, so run the same command again",
            ))
        }
        Some(path) => {
            let made_with = state::MadeWith {
                filters: ctx.filters.to_owned(),
                origin: ctx.clients.origin(stream)?,
            };
            let follow = state::Follow {
                until,
                lookback: ctx.lookback,
                naive_offset: period.naive_offset,
            };
            Some(state::StateFile::open(
                path,
                stream.name(),
                made_with,
                follow,
            )?)
        }
        None => None,
    };
    if let Some(since) = state.as_ref().and_then(state::StateFile::since) {
        spec = spec.since(since);
    }
    let (out, resume) = Output::open(ctx.spec(columns))?;
    let mut out = out.with_page_size(page_size);
    if let Some(at) = resume {
        spec = spec.resume_from(at);
    }
    let mut items = source.rows(stream, spec)?.with_checkpoints();
    while let Some(item) = items.next().await {
        match item? {
            Progress::Row(row) => {
                let json = row.as_bytes();
                let admitted = match state.as_mut() {
                    None => true,
                    Some(state) => state.admit_json(json)?,
                };
                if admitted {
                    out.write_json(json)?;
                }
            }
            Progress::Checkpoint(c) => out.checkpoint(&c)?,
        }
    }
    out.finish()?;
    if let Some(state) = &state {
        state.save()?;
    }
    Ok(())
}

/// What a list command knows of time, for `--state`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ListPeriod {
    /// The end of the period asked for (`--to`).
    pub until: Option<DateTime<Utc>>,
    /// The zone of date-times the vendor writes without an offset (zchat's `--utc-offset`).
    pub naive_offset: Option<chrono::FixedOffset>,
}

impl ListPeriod {
    /// A period ending at `until`, when there is one.
    pub fn until(until: Option<DateTime<Utc>>) -> Self {
        Self {
            until,
            naive_offset: None,
        }
    }
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
