//! Reading any stream of the catalog as rows of JSON text, from whichever vendors are
//! configured: every list's rows as the vendor sent them (its `*_raw` list, or for a list that
//! comes in one answer its generated builder's request read as rows), except the two reports
//! (one typed answer each, encoded once) and subscriptions (decoded to mask the secret in their
//! callback URLs before anything is written).

use super::catalog::StreamDef;
use super::streams::Stream;
use crate::error::{Api, Error};
use crate::{conversion, converz, zchat};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::Serialize;

/// The configured vendors; a vendor left out has no streams.
#[derive(Clone, Debug, Default)]
pub struct Source {
    /// Zenvia Chat.
    pub zchat: Option<zchat::Client>,
    /// Converz.
    pub converz: Option<converz::Client>,
    /// Zenvia Conversion.
    pub conversion: Option<conversion::Client>,
    /// Pages (or Conversion date windows) fetched at once by each list (see
    /// [`Paging::concurrency`](crate::Paging::concurrency)); 0 or 1 reads one at a time.
    pub concurrency: usize,
}

/// A stream's rows, each its JSON text (one object on one line), in the API's order.
pub type Rows = BoxStream<'static, Result<Bytes, Error>>;

fn to_json<T: Serialize>(row: T) -> Result<Bytes, Error> {
    serde_json::to_vec(&row)
        .map(Bytes::from)
        .map_err(|e| Error::InvalidInput(format!("unserialisable row: {e}")))
}

fn raw(list: crate::RowStream<crate::RawRow>) -> Rows {
    list.map(|r| r.map(crate::RawRow::into_bytes)).boxed()
}

/// The rows of a list that comes in one answer, as the vendor sent them.
fn answer<F>(fetch: F) -> Rows
where
    F: std::future::Future<Output = Result<Vec<crate::RawRow>, Error>> + Send + 'static,
{
    stream::once(fetch)
        .map_ok(|list| stream::iter(list.into_iter().map(|row| Ok(row.into_bytes()))))
        .try_flatten()
        .boxed()
}

/// A one-answer Conversion list's rows as sent, through its generated builder's request.
macro_rules! one_answer {
    ($client:expr, $operation:ident) => {{
        let c = $client;
        answer(async move {
            let request = c.raw().$operation().build_request().await;
            let operation = conversion_api::wire::$operation::OPERATION_ID;
            c.answer_raw(operation, request).await
        })
    }};
}

fn all<T, F>(fetch: F) -> Rows
where
    T: Serialize + Send + 'static,
    F: std::future::Future<Output = Result<Vec<T>, Error>> + Send + 'static,
{
    stream::once(fetch)
        .map_ok(|list| stream::iter(list.into_iter().map(to_json)))
        .try_flatten()
        .boxed()
}

impl Source {
    /// Whether `api` is configured.
    pub fn has(&self, api: Api) -> bool {
        match api {
            Api::Zchat => self.zchat.is_some(),
            Api::Converz => self.converz.is_some(),
            Api::Conversion => self.conversion.is_some(),
        }
    }

    /// The streams of the configured vendors.
    pub fn streams(&self) -> impl Iterator<Item = &'static StreamDef> + '_ {
        super::STREAMS.iter().filter(|s| self.has(s.api))
    }

    /// One cheap call to `api`, to check its credential.
    pub async fn check(&self, api: Api) -> Result<(), Error> {
        match api {
            Api::Zchat => {
                let client = self.client(&self.zchat, api)?;
                let mut first = client.ongoing(zchat::OngoingQuery::new().page_size(1));
                first.next().await.transpose().map(drop)
            }
            Api::Converz => {
                let client = self.client(&self.converz, api)?;
                let mut first = client.reps(converz::RepQuery::new().page_size(1));
                first.next().await.transpose().map(drop)
            }
            Api::Conversion => self.client(&self.conversion, api)?.topics().await.map(drop),
        }
    }

    /// The rows of `stream` from `from` (streams with a time filter) until now. The one
    /// dispatch on the stream: exhaustive, so a new stream does not compile until it is read.
    #[deny(clippy::wildcard_enum_match_arm)]
    pub fn read(&self, stream: &StreamDef, from: DateTime<Utc>) -> Result<Rows, Error> {
        let now = Utc::now().max(from);
        let c = self.concurrency.max(1);
        let conversion = || self.client(&self.conversion, stream.api).cloned();
        Ok(match stream.id {
            Stream::ZchatHistory => {
                let q = zchat::HistoryQuery::new().between(from, now).concurrency(c);
                raw(self.client(&self.zchat, stream.api)?.history_raw(q))
            }
            Stream::ZchatHistoryExpanded => {
                let q = zchat::HistoryQuery::new().between(from, now).concurrency(c);
                raw(self
                    .client(&self.zchat, stream.api)?
                    .history_expanded_raw(q))
            }
            Stream::ZchatOngoing => raw(self
                .client(&self.zchat, stream.api)?
                .ongoing_raw(zchat::OngoingQuery::new().concurrency(c))),
            Stream::ZchatReports => {
                let client = self.client(&self.zchat, stream.api)?.clone();
                let q = zchat::ReportQuery::new().between(from, now);
                all(async move { client.report(&q).await })
            }
            Stream::ConverzReps => raw(self
                .client(&self.converz, stream.api)?
                .reps_raw(converz::RepQuery::new().concurrency(c))),
            Stream::ConverzCalls => {
                let q = converz::CallQuery::new()
                    .start_date(from.date_naive())
                    .after(from.naive_utc())
                    .concurrency(c);
                raw(self.client(&self.converz, stream.api)?.calls_raw(q))
            }
            Stream::ConverzReport => {
                let client = self.client(&self.converz, stream.api)?.clone();
                let q = converz::ReportQuery::new()
                    .start_date(from.date_naive())
                    .end_date(now.date_naive());
                all(async move { client.report(&q).await })
            }
            Stream::ConversionProspects => {
                let q = conversion::ProspectQuery::new()
                    .created_between(from, now)
                    .concurrency(c);
                raw(self.client(&self.conversion, stream.api)?.prospects_raw(q))
            }
            Stream::ConversionInteractions => {
                let q = conversion::InteractionQuery::new()
                    .created_between(from, now)
                    .concurrency(c);
                raw(self
                    .client(&self.conversion, stream.api)?
                    .interactions_raw(q))
            }
            Stream::ConversionQuotes => {
                let q = conversion::QuoteQuery::new().created_between(from, now);
                raw(self.client(&self.conversion, stream.api)?.quotes_raw(q))
            }
            Stream::ConversionGroups => one_answer!(conversion()?, list_groups),
            Stream::ConversionAgents => {
                let c = conversion()?;
                answer(async move { c.agents_of_every_group_raw().await })
            }
            Stream::ConversionIndustries => one_answer!(conversion()?, list_industries),
            Stream::ConversionLeadCategories => one_answer!(conversion()?, list_lead_categories),
            Stream::ConversionTopics => one_answer!(conversion()?, list_topics),
            Stream::ConversionSubscriptions => {
                let c = conversion()?;
                all(async move {
                    let list = c.subscriptions().await?;
                    Ok(list.into_iter().map(masked_subscription).collect())
                })
            }
            Stream::ConversionChannels => one_answer!(conversion()?, list_channels),
            Stream::ConversionIntegrations => one_answer!(conversion()?, list_integrations),
            Stream::ConversionLabels => one_answer!(conversion()?, list_prospect_labels),
            Stream::ConversionArchivingReasons => {
                one_answer!(conversion()?, list_archiving_reasons)
            }
        })
    }

    fn client<'a, C>(&self, client: &'a Option<C>, api: Api) -> Result<&'a C, Error> {
        client
            .as_ref()
            .ok_or_else(|| Error::InvalidInput(format!("{api} is not configured")))
    }
}

/// A subscription with the secret in its callback URL masked: a sync never copies a
/// credential into a warehouse.
fn masked_subscription(mut s: conversion::Subscription) -> conversion::Subscription {
    s.callback_url = conversion::webhook::masked_callback_url(&s.callback_url);
    s
}
