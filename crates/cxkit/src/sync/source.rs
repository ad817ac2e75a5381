//! Reading any stream of the catalog as rows of JSON text, from whichever vendors are
//! configured: every list's rows as the vendor sent them (its `*_raw` list, or for a list that
//! comes in one answer its generated builder's request read as rows), except the two reports
//! (one typed answer each, encoded once) and subscriptions (decoded to mask the secret in their
//! callback URLs before anything is written).

use super::catalog::StreamDef;
use super::read::{Filters, ReadSpec};
use super::streams::Stream;
use crate::error::{Api, Error};
use crate::pagination::RowStream;
use crate::{conversion, converz, zchat, Period, RawRow};
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
    /// Pages (or Conversion date windows) fetched at once by each list that
    /// [`read`](Self::read) reads (see [`Paging::concurrency`](crate::Paging::concurrency));
    /// 0 or 1 reads one at a time. [`rows`](Self::rows) takes it from its [`ReadSpec`].
    pub concurrency: usize,
}

/// A source of one vendor's streams.
macro_rules! source_of {
    ($($vendor:ident),+) => {$(
        impl From<$vendor::Client> for Source {
            fn from(client: $vendor::Client) -> Self {
                Source {
                    $vendor: Some(client),
                    ..Source::default()
                }
            }
        }
    )+};
}
source_of!(zchat, converz, conversion);

/// A stream's rows, each its JSON text (one object on one line), in the API's order.
pub type Rows = BoxStream<'static, Result<Bytes, Error>>;

/// A typed answer's rows, encoded once (the reports, the masked subscriptions).
fn all<T, F>(fetch: F) -> RowStream<RawRow>
where
    T: Serialize + Send + 'static,
    F: std::future::Future<Output = Result<Vec<T>, Error>> + Send + 'static,
{
    answer(async move {
        let list = fetch.await?;
        list.iter().map(RawRow::encoded).collect()
    })
}

/// The rows of a list that comes in one answer, as the vendor sent them.
fn answer<F>(fetch: F) -> RowStream<RawRow>
where
    F: std::future::Future<Output = Result<Vec<RawRow>, Error>> + Send + 'static,
{
    RowStream::from_rows(
        stream::once(fetch)
            .map_ok(|list| stream::iter(list.into_iter().map(Ok)))
            .try_flatten(),
    )
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

fn mismatch(filters: &Filters, stream: Stream) -> Error {
    Error::InvalidInput(format!(
        "the filters of {} do not apply to the stream `{}`",
        filters.name(),
        stream.name()
    ))
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

    /// The rows of `stream` from `from` (streams with a time filter) until now, with
    /// [`concurrency`](Self::concurrency) pages at once: [`rows`](Self::rows) with
    /// `ReadSpec::new().since(from)`, as JSON text.
    pub fn read(&self, stream: &StreamDef, from: DateTime<Utc>) -> Result<Rows, Error> {
        let spec = ReadSpec::new().since(from).concurrency(self.concurrency);
        let rows = self.rows(stream.id, spec)?;
        Ok(rows.map(|r| r.map(RawRow::into_bytes)).boxed())
    }

    /// The rows of `stream` as `spec` asks, each as the vendor sent it (checkpoints after
    /// each page of the lists that can resume). The one dispatch on the stream: exhaustive,
    /// so a new stream does not compile until it is read. An error when its vendor is not
    /// configured, when the filters are another stream's, or when a stream that cannot
    /// resume is asked to.
    ///
    /// ```no_run
    /// # async fn demo(source: cxkit::sync::Source) -> Result<(), cxkit::Error> {
    /// use cxkit::sync::{ReadSpec, Stream};
    /// use futures::TryStreamExt;
    /// let since = chrono::Utc::now() - chrono::Duration::days(7);
    /// let spec = ReadSpec::new().since(since).concurrency(8);
    /// let week: Vec<cxkit::RawRow> = source.rows(Stream::ConverzCalls, spec)?.try_collect().await?;
    /// # Ok(()) }
    /// ```
    #[deny(clippy::wildcard_enum_match_arm)]
    pub fn rows(&self, stream: Stream, mut spec: ReadSpec) -> Result<RowStream<RawRow>, Error> {
        let api = stream.def().api;
        let period = spec.effective_period();
        let (asked, since) = (spec.period, spec.since);
        let c = spec.concurrency.max(1);
        let mut resume = spec.resume.take();
        let mut filters = spec.filters.take();
        // The stream's own query: its filters, or a new one.
        macro_rules! query {
            ($variant:ident, $new:expr) => {
                match filters.take() {
                    None => $new,
                    Some(Filters::$variant(q)) => q,
                    Some(other) => return Err(mismatch(&other, stream)),
                }
            };
        }
        // A paged list's query with the spec's concurrency and resume point.
        macro_rules! paged {
            ($query:expr) => {{
                let q = $query.concurrency(c);
                match resume.take() {
                    Some(at) => q.resume_from(at),
                    None => q,
                }
            }};
        }
        let conversion = || self.client(&self.conversion, api).cloned();
        let utc = |p: Period| (p.from().to_utc(), p.to().to_utc());
        let rows = match stream {
            Stream::ZchatHistory | Stream::ZchatHistoryExpanded => {
                let mut q = query!(ZchatHistory, zchat::HistoryQuery::new());
                if let Some(p) = period {
                    q = q.period(p);
                }
                let client = self.client(&self.zchat, api)?;
                if stream == Stream::ZchatHistory {
                    client.history_raw(paged!(q))
                } else {
                    client.history_expanded_raw(paged!(q))
                }
            }
            Stream::ZchatOngoing => {
                let q = query!(ZchatOngoing, zchat::OngoingQuery::new());
                self.client(&self.zchat, api)?.ongoing_raw(paged!(q))
            }
            Stream::ZchatReports => {
                let client = self.client(&self.zchat, api)?.clone();
                let mut q = zchat::ReportQuery::new();
                if let Some(p) = period {
                    q = q.period(p);
                }
                all(async move { client.report(&q).await })
            }
            Stream::ConverzReps => {
                let q = query!(ConverzReps, converz::RepQuery::new());
                self.client(&self.converz, api)?.reps_raw(paged!(q))
            }
            Stream::ConverzCalls => {
                let mut q = query!(ConverzCalls, converz::CallQuery::new());
                if let Some(p) = asked {
                    q = q
                        .start_date(p.from().date_naive())
                        .end_date(p.to().date_naive());
                }
                if let Some(since) = since {
                    q = q.since(since);
                }
                self.client(&self.converz, api)?.calls_raw(paged!(q))
            }
            Stream::ConverzReport => {
                let client = self.client(&self.converz, api)?.clone();
                let mut q = converz::ReportQuery::new();
                if let Some(p) = period {
                    q = q
                        .start_date(p.from().date_naive())
                        .end_date(p.to().date_naive());
                }
                all(async move { client.report(&q).await })
            }
            Stream::ConversionProspects => {
                let mut q = query!(ConversionProspects, conversion::ProspectQuery::new());
                if let Some((from, to)) = period.map(utc) {
                    q = q.created_between(from, to);
                }
                conversion()?.prospects_raw(paged!(q))
            }
            Stream::ConversionInteractions => {
                let (mut q, prospect) = match filters.take() {
                    None => (conversion::InteractionQuery::new(), None),
                    Some(Filters::ConversionInteractions { query, prospect }) => (query, prospect),
                    Some(other) => return Err(mismatch(&other, stream)),
                };
                if let Some((from, to)) = period.map(utc) {
                    q = q.created_between(from, to);
                }
                let c = conversion()?;
                match prospect {
                    Some(id) => c.prospect_interactions_raw(&id, paged!(q)),
                    None => c.interactions_raw(paged!(q)),
                }
            }
            Stream::ConversionQuotes => {
                let mut q = query!(ConversionQuotes, conversion::QuoteQuery::new());
                if let Some((from, to)) = period.map(utc) {
                    q = q.created_between(from, to);
                }
                conversion()?.quotes_raw(q)
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
        };
        if let Some(other) = filters {
            return Err(mismatch(&other, stream));
        }
        if resume.is_some() {
            return Err(Error::InvalidInput(format!(
                "the stream `{}` cannot resume from a checkpoint: read it again in full",
                stream.name()
            )));
        }
        Ok(rows)
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
