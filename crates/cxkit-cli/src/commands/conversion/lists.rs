//! The list commands (prospects, interactions), leads, and webhook subscriptions.

use super::args::{LeadKind, Lists};
use crate::commands::{export_all, export_list, Context, ListPeriod};
use crate::error::CliError;
use crate::output::Columns;
use crate::period::{checked, utc_period, Period};
use cxkit::conversion;
use cxkit::sync::{Filters, ReadSpec, Stream};
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

/// Exports a list walked in date windows (prospects, interactions): `--from`/`--to` in UTC,
/// the windows fetched concurrently and, inside one, the next cursor page.
async fn export_dated(
    ctx: &Context<'_>,
    client: &conversion::Client,
    stream: Stream,
    columns: Columns,
    page_size: u64,
    p: &Period,
    filters: Filters,
) -> Result<(), CliError> {
    let span = utc_period(p)?;
    warn_default_window(ctx, span.is_some());
    let mut spec = ReadSpec::new()
        .filters(filters)
        .concurrency(ctx.concurrency);
    if let Some(period) = checked(span)? {
        spec = spec.period(period);
    }
    let period = ListPeriod::until(span.map(|(_, to)| to));
    export_list(
        ctx,
        client.clone().into(),
        stream,
        columns,
        page_size,
        period,
        spec,
    )
    .await
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
            let mut query = conversion::ProspectQuery::new().page_size(page_size);
            if let Some(s) = status {
                query = query.status(s);
            }
            if let Some(s) = search {
                query = query.search(s);
            }
            for condition in data {
                query = query.additional_data(data_filter(&condition)?);
            }
            let filters = Filters::ConversionProspects(query);
            let stream = Stream::ConversionProspects;
            export_dated(ctx, client, stream, PROSPECTS, page_size, &p, filters).await?;
        }
        Lists::Interactions {
            period: p,
            prospect,
            via,
            page_size,
        } => {
            let query = conversion::InteractionQuery::new()
                .via(via)
                .page_size(page_size);
            let filters = Filters::ConversionInteractions { query, prospect };
            let stream = Stream::ConversionInteractions;
            export_dated(ctx, client, stream, INTERACTIONS, page_size, &p, filters).await?;
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
