//! `cxkit zchat …`.

use super::{export_all, export_list, Context, ListPeriod};
use crate::error::CliError;
use crate::output::Columns;
use crate::period::{checked, period, Period};
use chrono::Utc;
use clap::{Args, Subcommand};
use cxkit::sync::{Filters, ReadSpec, Stream};
use cxkit::zchat;
use cxkit::Api;
use serde_json::json;

/// zchat filters shared by its lists.
#[derive(Args, Debug, Clone)]
pub struct ZchatFilters {
    /// Only this channel (repeatable): WHATSAPP, EMAIL, TEXT, …
    #[arg(long = "channel")]
    pub channels: Vec<String>,
    /// Only this status, the rows' `current_state` (repeatable): ENDED, CANCELED, …
    /// (`--state` is the incremental state file.)
    #[arg(long = "current-state")]
    pub states: Vec<String>,
    /// Only this agent id (repeatable).
    #[arg(long = "agent")]
    pub agents: Vec<String>,
    /// Only this department id (repeatable).
    #[arg(long = "department")]
    pub departments: Vec<String>,
    /// Rows per request (1 to 10,000).
    #[arg(long, default_value_t = 1000)]
    pub page_size: u32,
}

/// Zenvia Chat commands.
#[derive(Subcommand, Debug)]
pub enum Zchat {
    /// The Digital Channels report.
    #[command(
        after_help = "Example:\n  cxkit --sandbox zchat report --group-by channel --from 2024-03-01 --to 2024-03-31"
    )]
    Report {
        #[command(flatten)]
        period: Period,
        /// Grouping: period, tag, department, channel, agent.
        #[arg(long, default_value = "period")]
        group_by: String,
        #[command(flatten)]
        filters: ZchatFilters,
    },
    /// Service history, every page.
    #[command(
        after_help = "Example:\n  cxkit --sandbox zchat history --from 2024-03-01 --to 2024-03-31 --channel WHATSAPP --format csv"
    )]
    History {
        #[command(flatten)]
        period: Period,
        #[command(flatten)]
        filters: ZchatFilters,
        /// Client name, agent e-mail or interaction id.
        #[arg(long)]
        search: Option<String>,
        /// Only sent (true) or received (false) interactions.
        #[arg(long)]
        active: Option<bool>,
        /// The expanded rows (every column the vendor has).
        #[arg(long)]
        expanded: bool,
        /// Fetch pages one after another: --concurrency 1, under its older name (hidden).
        #[arg(long, hide = true)]
        no_prefetch: bool,
    },
    /// Ongoing interactions, every page.
    #[command(after_help = "Example:\n  cxkit --sandbox zchat ongoing --current-state NOT_ANSWER")]
    Ongoing {
        #[command(flatten)]
        filters: ZchatFilters,
    },
    /// The messages of one conversation.
    #[command(after_help = "Example:\n  cxkit --sandbox zchat messages 202400000042")]
    Messages {
        /// The protocol number.
        protocol: String,
    },
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
            let mut query = zchat_filters!(zchat::HistoryQuery::new(), filters);
            if let Some(s) = search {
                query = query.search(s);
            }
            if let Some(a) = active {
                query = query.active(a);
            }
            let span = period(&p)?;
            let mut spec = ReadSpec::new()
                .filters(Filters::ZchatHistory(query))
                .concurrency(if no_prefetch { 1 } else { ctx.concurrency });
            if let Some(period) = checked(span)? {
                spec = spec.period(period);
            }
            let until = ListPeriod {
                until: span.map(|(_, to)| to.with_timezone(&Utc)),
                naive_offset: Some(p.utc_offset),
            };
            let (stream, row) = if expanded {
                (Stream::ZchatHistoryExpanded, "ExpandedHistoryRow")
            } else {
                (Stream::ZchatHistory, "HistoryRow")
            };
            let columns = Columns::Schema(Api::Zchat, row);
            let page_size = filters.page_size.into();
            export_list(ctx, client.into(), stream, columns, page_size, until, spec).await
        }
        Zchat::Ongoing { filters } => {
            let query = zchat_filters!(zchat::OngoingQuery::new(), filters);
            let spec = ReadSpec::new()
                .filters(Filters::ZchatOngoing(query))
                .concurrency(ctx.concurrency);
            let columns = Columns::Schema(Api::Zchat, "OngoingRow");
            let page_size = filters.page_size.into();
            let period = ListPeriod::default();
            export_list(
                ctx,
                client.into(),
                Stream::ZchatOngoing,
                columns,
                page_size,
                period,
                spec,
            )
            .await
        }
        Zchat::Messages { protocol } => {
            let columns = Columns::Schema(Api::Zchat, "Message");
            export_all(ctx.open(columns)?, client.messages(&protocol).await?).await
        }
    }
}
