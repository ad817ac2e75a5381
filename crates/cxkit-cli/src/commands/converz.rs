//! `cxkit converz …`.

use super::{export_all, export_list, Context, ListPeriod};
use crate::error::CliError;
use crate::output::Columns;
use clap::Subcommand;
use cxkit::converz;
use cxkit::sync::{Filters, ReadSpec, Stream};
use cxkit::Api;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Converz commands.
#[derive(Subcommand, Debug)]
pub enum Converz {
    /// Users, every page.
    #[command(after_help = "Example:\n  cxkit --sandbox converz reps --department support")]
    Reps {
        /// Only this user (repeatable).
        #[arg(long = "rep-id")]
        rep_ids: Vec<String>,
        /// Only this department (repeatable).
        #[arg(long = "department")]
        departments: Vec<String>,
        /// Only active (true) or inactive (false) users.
        #[arg(long)]
        active: Option<bool>,
        /// Rows per request (1 to 1,000,000).
        #[arg(long, default_value_t = 10_000)]
        page_size: u64,
    },
    /// Conversations, every page, streamed.
    #[command(
        after_help = "Example:\n  cxkit --sandbox converz calls --start-date 2024-03-01 --end-date 2024-03-07 --campaign sales --format csv"
    )]
    Calls {
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        start_date: Option<chrono::NaiveDate>,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        end_date: Option<chrono::NaiveDate>,
        /// Only this campaign (repeatable).
        #[arg(long = "campaign")]
        campaigns: Vec<String>,
        /// Only this vendor (repeatable).
        #[arg(long = "vendor")]
        vendors: Vec<String>,
        /// Only this user (repeatable).
        #[arg(long = "rep-id")]
        rep_ids: Vec<String>,
        /// Only these columns (repeatable).
        #[arg(long = "column")]
        columns: Vec<String>,
        /// Metrics to compute (repeatable).
        #[arg(long = "metric")]
        metrics: Vec<String>,
        /// Rows per request (1 to 1,000,000).
        #[arg(long, default_value_t = 100_000)]
        page_size: u64,
    },
    /// Aggregated analytics.
    #[command(
        after_help = "Example:\n  cxkit --sandbox converz report --group-by date --group-by campaign --metric n_calls"
    )]
    Report {
        /// Last N days.
        #[arg(long)]
        days: Option<u64>,
        /// Dimension to group by (repeatable): date, week, month, campaign, rep_id, …
        #[arg(long = "group-by")]
        group_by: Vec<String>,
        /// Metric (repeatable): n_calls, avg_duration, total_duration, …
        #[arg(long = "metric")]
        metrics: Vec<String>,
    },
    /// Update users from a CSV with a rep_id column (empty cells are left untouched).
    #[command(after_help = "Example:\n  cxkit --sandbox converz update-reps --csv teams.csv")]
    UpdateReps {
        /// The CSV file.
        #[arg(long)]
        csv: PathBuf,
    },
    /// Update conversations from a CSV with a call_id column (empty cells are left untouched).
    #[command(after_help = "Example:\n  cxkit --sandbox converz update-calls --csv reviewed.csv")]
    UpdateCalls {
        /// The CSV file.
        #[arg(long)]
        csv: PathBuf,
    },
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
            let spec = ReadSpec::new()
                .filters(Filters::ConverzReps(query))
                .concurrency(ctx.concurrency);
            let period = ListPeriod::default();
            let stream = Stream::ConverzReps;
            export_list(ctx, client.into(), stream, columns, page_size, period, spec).await
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
                .page_size(page_size);
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
            let spec = ReadSpec::new()
                .filters(Filters::ConverzCalls(query))
                .concurrency(ctx.concurrency);
            // The last day is whole: the period ends at the next midnight (UTC).
            let until = end_date
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc());
            let period = ListPeriod::until(until);
            let stream = Stream::ConverzCalls;
            export_list(ctx, client.into(), stream, columns, page_size, period, spec).await
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
