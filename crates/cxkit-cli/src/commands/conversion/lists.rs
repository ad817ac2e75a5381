//! The list commands (prospects, interactions), leads, and webhook subscriptions.

use super::args::{LeadKind, Lists};
use crate::commands::{export_all, export_list, Context, ListPeriod};
use crate::error::CliError;
use crate::output::Columns;
use crate::period::utc_period;
use chrono::{DateTime, Utc};
use cxkit::conversion;
use cxkit::sync::Stream;
use cxkit::Api;
use serde_json::{json, Value};

const PROSPECTS: Columns = Columns::Schema(Api::Conversion, "Prospect");
const INTERACTIONS: Columns = Columns::Schema(Api::Conversion, "Interaction");
const SUBSCRIPTIONS: Columns = Columns::Schema(Api::Conversion, "Subscription");

/// The callback URL with its `secret` parameter masked: CLI output never shows a secret.
fn masked_subscription(mut s: Value) -> Value {
    if let Some(url) = s.get("callbackUrl").and_then(Value::as_str) {
        s["callbackUrl"] = json!(cxkit::conversion::webhook::masked_callback_url(url));
    }
    s
}

/// Without dates the vendor answers only about the last 31 days, in one uncapped array; a
/// user who meant "everything" is told (an incremental run's state supplies its own start).
fn warn_default_window(ctx: &Context<'_>, dated: bool) {
    if !dated && ctx.state.is_none() && !ctx.quiet {
        eprintln!(
            "cxkit: without --from the vendor returns only about the last 31 days; pass --from \
             (and --to) to export an older period, walked in 31-day windows"
        );
    }
}

/// The period an incremental run asks for: from the later of `--from` and the state's start,
/// to `--to` or now; `None` on a first run.
fn since_period(
    span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    since: Option<DateTime<Utc>>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let since = since?;
    let to = span.map_or_else(Utc::now, |(_, to)| to);
    let from = span.map_or(since, |(from, _)| from.max(since));
    Some((from.min(to), to))
}

/// The list, lead and subscription commands.
#[deny(clippy::wildcard_enum_match_arm)]
pub(super) async fn run(
    ctx: &Context<'_>,
    client: &conversion::Client,
    command: Lists,
) -> Result<(), CliError> {
    match command {
        Lists::Lead {
            kind,
            utm_source,
            first_name,
            last_name,
            phones,
            emails,
            comments,
        } => {
            let contact = Contact {
                first_name,
                last_name,
                comments,
                phones,
                emails,
            };
            let lead = match kind {
                LeadKind::Retail => contact.lead(conversion::Lead::retail(utm_source)),
                LeadKind::Vehicle => contact.lead(conversion::Lead::vehicle(utm_source)),
                LeadKind::Insurance => contact.lead(conversion::Lead::insurance(utm_source)),
                LeadKind::SavingPlan => contact.lead(conversion::Lead::saving_plan(utm_source)),
                LeadKind::RealEstate => contact.lead(conversion::Lead::real_estate(utm_source)),
            }?;
            let created = client.create_lead(lead).await?;
            export_all(ctx.open(PROSPECTS)?, vec![created]).await?;
        }
        Lists::Prospects {
            period: p,
            status,
            search,
            data,
            page_size,
        } => {
            let mut query = conversion::ProspectQuery::new()
                .page_size(page_size)
                // Windows are fetched concurrently; inside one, the next cursor page.
                .concurrency(ctx.concurrency);
            let span = utc_period(&p)?;
            warn_default_window(ctx, span.is_some());
            if let Some((from, to)) = span {
                query = query.created_between(from, to);
            }
            if let Some(s) = status {
                query = query.status(s);
            }
            if let Some(s) = search {
                query = query.search(s);
            }
            for condition in data {
                query = query.additional_data(data_filter(&condition)?);
            }
            export_list(
                ctx,
                Stream::ConversionProspects,
                PROSPECTS,
                page_size,
                ListPeriod::until(span.map(|(_, to)| to)),
                |at, since| {
                    if let Some((from, to)) = since_period(span, since) {
                        query = query.created_between(from, to);
                    }
                    client.prospects_raw(match at {
                        Some(at) => query.resume_from(at),
                        None => query,
                    })
                },
            )
            .await?;
        }
        Lists::Interactions {
            period: p,
            prospect,
            via,
            page_size,
        } => {
            let mut query = conversion::InteractionQuery::new()
                .via(via)
                .page_size(page_size)
                // Windows are fetched concurrently; inside one, the next cursor page.
                .concurrency(ctx.concurrency);
            let span = utc_period(&p)?;
            warn_default_window(ctx, span.is_some());
            if let Some((from, to)) = span {
                query = query.created_between(from, to);
            }
            export_list(
                ctx,
                Stream::ConversionInteractions,
                INTERACTIONS,
                page_size,
                ListPeriod::until(span.map(|(_, to)| to)),
                |at, since| {
                    if let Some((from, to)) = since_period(span, since) {
                        query = query.created_between(from, to);
                    }
                    let query = match at {
                        Some(at) => query.resume_from(at),
                        None => query,
                    };
                    match prospect {
                        Some(id) => client.prospect_interactions_raw(&id, query),
                        None => client.interactions_raw(query),
                    }
                },
            )
            .await?;
        }
        Lists::Subscribe {
            url,
            secret,
            topics,
        } => {
            let topics: Vec<conversion::TopicName> = topics
                .iter()
                .map(|t| {
                    serde_json::from_value(json!(t))
                        .unwrap_or(conversion::TopicName::String(t.clone()))
                })
                .collect();
            let created = client
                .subscribe_webhook(&url, &cxkit::Secret::new(secret), topics)
                .await?;
            let row = masked_subscription(to_value(created)?);
            export_all(ctx.open(SUBSCRIPTIONS)?, vec![row]).await?;
        }
        Lists::Subscriptions => {
            let list = client.subscriptions().await?;
            let rows: Vec<Value> = list
                .into_iter()
                .map(|s| to_value(s).map(masked_subscription))
                .collect::<Result<_, _>>()?;
            export_all(ctx.open(SUBSCRIPTIONS)?, rows).await?;
        }
        Lists::Subscription { id } => {
            let row = masked_subscription(to_value(client.subscription(&id).await?)?);
            export_all(ctx.open(SUBSCRIPTIONS)?, vec![row]).await?;
        }
        Lists::Unsubscribe { id, all } => match (id, all) {
            (Some(id), false) => {
                let row = masked_subscription(to_value(client.unsubscribe(&id).await?)?);
                export_all(ctx.open(SUBSCRIPTIONS)?, vec![row]).await?;
            }
            _ => super::show(ctx, client.unsubscribe_all().await?).await?,
        },
    }
    Ok(())
}

fn to_value<T: serde::Serialize>(value: T) -> Result<Value, CliError> {
    serde_json::to_value(value).map_err(|e| CliError::io(e.to_string()))
}

fn data_filter(text: &str) -> Result<conversion::DataFilter, CliError> {
    for (op, make) in [
        (">=", conversion::DataFilter::ge as fn(&str, String) -> _),
        ("<=", conversion::DataFilter::le),
        ("=", conversion::DataFilter::eq),
        (">", conversion::DataFilter::gt),
        ("<", conversion::DataFilter::lt),
        ("~", conversion::DataFilter::contains),
    ] {
        if let Some((field, value)) = text.split_once(op) {
            return Ok(make(field, value.to_owned()));
        }
    }
    Err(CliError::usage(format!(
        "`{text}` is not FIELD<op>VALUE with op one of = >= > <= < ~"
    )))
}

/// The lead fields `cxkit conversion lead` takes, whatever the kind.
struct Contact {
    first_name: Option<String>,
    last_name: Option<String>,
    comments: Option<String>,
    phones: Vec<String>,
    emails: Vec<String>,
}

impl Contact {
    /// `builder` with these fields, checked and built.
    fn lead<P: conversion::LeadKind>(
        self,
        mut builder: conversion::LeadBuilder<P>,
    ) -> Result<conversion::NewLead, cxkit::Error> {
        if let Some(v) = self.first_name {
            builder = builder.first_name(v);
        }
        if let Some(v) = self.last_name {
            builder = builder.last_name(v);
        }
        if let Some(v) = self.comments {
            builder = builder.comments(v);
        }
        for phone in self.phones {
            builder = builder.phone(phone);
        }
        for email in self.emails {
            builder = builder.email(email);
        }
        builder.build()
    }
}
