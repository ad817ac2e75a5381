//! The Conversion lists as [`RawRow`]s: the same windows, cursors and requests as the typed
//! lists (each query's `apply` on the generated builder, sent with `build_request()`), each
//! row's text kept as the vendor sent it (`2024-02-24T08:23:11.000Z` stays so), read only for
//! the id its cursor follows and the creation time its window keeps.

use super::walk::{windowed, within, Walk, Window};
use super::{Client, InteractionQuery, ProspectQuery, QuoteQuery};
use crate::error::{Api, Error};
use crate::pagination::{cursor, Checkpoint, Cursor, Paging, RowStream};
use crate::raw::{array_page, fetch_body, RawRow, WalkedNames, WalkedRow};
use conversion_api::types;
use conversion_api::wire;
use cxkit_runtime::progenitor_client::ClientInfo;
use futures::stream::{self, StreamExt};
use std::future::Future;
use std::sync::Arc;

/// A page's request as the generated builder makes it.
type Built = Result<reqwest::Request, conversion_api::Error<types::Error>>;

/// Prospects: `id`, created at `created`.
struct ProspectNames;

impl WalkedNames for ProspectNames {
    const ID: &'static str = "id";
    const CREATED: Option<&'static str> = Some("created");
}

/// Interactions: `id`, created at `createdAt`.
struct InteractionNames;

impl WalkedNames for InteractionNames {
    const ID: &'static str = "id";
    const CREATED: Option<&'static str> = Some("createdAt");
}

impl Client {
    /// Every prospect matching `query`, as the vendor sent it: what
    /// [`prospects`](Self::prospects) yields, without decoding it (every value keeps its
    /// spelling, for copying rows to files).
    pub fn prospects_raw(&self, query: ProspectQuery) -> RowStream<RawRow> {
        let at = (query.windows(), query.paging(), query.checkpoint().cloned());
        let operation = wire::list_prospects::OPERATION_ID;
        self.walked::<ProspectNames, _, _, _>(
            operation,
            at,
            query,
            |raw, q, window, at, size| async move {
                Ok(q.apply(raw.list_prospects(), size, window, at)?
                    .build_request()
                    .await)
            },
        )
    }

    // Shaped like `prospects_raw`: each list has its own builder and row names; the walk
    // they share is `walked`.
    /// Every interaction of every prospect matching `query`, as the vendor sent it.
    pub fn interactions_raw(&self, query: InteractionQuery) -> RowStream<RawRow> {
        let at = (query.windows(), query.paging(), query.checkpoint().cloned());
        let operation = wire::list_interactions::OPERATION_ID;
        self.walked::<InteractionNames, _, _, _>(
            operation,
            at,
            query,
            |raw, q, window, at, size| async move {
                Ok(q.apply(raw.list_interactions(), size, window, at)?
                    .build_request()
                    .await)
            },
        )
    }

    /// A windowed cursor walk of `operation` as raw rows; `build` makes one page's request
    /// (window, cursor, page size).
    fn walked<N, Q, B, Fut>(
        &self,
        operation: &'static str,
        (windows, paging, resume): (Result<Vec<Window>, Error>, Paging, Option<Checkpoint>),
        query: Q,
        build: B,
    ) -> RowStream<RawRow>
    where
        N: WalkedNames,
        Q: Send + Sync + 'static,
        B: Fn(conversion_api::Client, Arc<Q>, Window, Option<Cursor>, u64) -> Fut
            + Send
            + Sync
            + 'static,
        Fut: Future<Output = Result<Built, Error>> + Send + 'static,
    {
        let (raw, query, build) = (self.paged(&paging), Arc::new(query), Arc::new(build));
        walk(operation, paging)
            .run(windows, resume.as_ref(), move |window, at| {
                let (raw, query, build) = (raw.clone(), query.clone(), build.clone());
                async move {
                    let request = build(raw.clone(), query, window, at, paging.page_size).await?;
                    sent_page::<N>(&raw, operation, request).await
                }
            })
            .map_rows(|r| r.row)
    }

    /// The interactions of one prospect matching `query`, as the vendor sent them (one request
    /// per 31-day window; this list has no cursor).
    pub fn prospect_interactions_raw(
        &self,
        prospect_id: &str,
        query: InteractionQuery,
    ) -> RowStream<RawRow> {
        let operation = wire::list_prospect_interactions::OPERATION_ID;
        let paging = query.paging();
        let raw = self.paged(&paging);
        let query = Arc::new(query);
        let prospect_id = prospect_id.to_owned();
        let resume = query.checkpoint().cloned();
        let rows = windowed(
            query.windows(),
            resume.as_ref(),
            paging,
            move |window, _| {
                let (raw, query, id) = (raw.clone(), query.clone(), prospect_id.clone());
                let page = async move {
                    let b =
                        query.apply_one(raw.list_prospect_interactions().prospect_id(id), window);
                    let request = b.build_request().await;
                    sent_page::<InteractionNames>(&raw, operation, request).await
                };
                let rows = stream::once(page).flat_map(|page| match page {
                    Ok(rows) => stream::iter(rows.into_iter().map(Ok)).boxed(),
                    Err(e) => stream::iter(vec![Err(e)]).boxed(),
                });
                within(RowStream::from_rows(rows), window, created)
            },
        );
        rows.map_rows(|r| r.row)
    }
}

impl Client {
    /// Every quote of the account matching `query`, as the vendor sent it: what
    /// [`quotes`](Self::quotes) yields, without decoding it.
    pub fn quotes_raw(&self, query: QuoteQuery) -> RowStream<RawRow> {
        let operation = wire::list_quotes::OPERATION_ID;
        let paging = Paging {
            page_size: query.page_size,
            prefetch: false,
            concurrency: 1,
        };
        let (raw, query) = (self.raw.clone(), Arc::new(query));
        cursor(
            (Api::Conversion, operation),
            paging,
            None,
            walked_id,
            move |at| {
                let (raw, query) = (raw.clone(), query.clone());
                async move {
                    let b = query.apply(raw.list_quotes(), paging.page_size, at);
                    sent_page::<QuoteNames>(&raw, operation, b.build_request().await).await
                }
            },
        )
        .map_rows(|r| r.row)
    }

    /// The rows of a list that comes in one answer (groups, topics, …), as the vendor sent
    /// them: `request` is the list's generated builder's `build_request()`.
    pub async fn answer_raw(
        &self,
        operation: &'static str,
        request: Built,
    ) -> Result<Vec<RawRow>, Error> {
        let rows = sent_page::<AgentNames>(&self.raw, operation, request).await?;
        Ok(rows.into_iter().map(|r| r.row).collect())
    }

    /// Every group's agents as the vendor sent them, each agent once (an agent can belong to
    /// several groups).
    pub async fn agents_of_every_group_raw(&self) -> Result<Vec<RawRow>, Error> {
        let operation = wire::list_agents::OPERATION_ID;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for group in self.groups().await? {
            let request = self.raw.list_agents().group(group.id).build_request().await;
            for agent in sent_page::<AgentNames>(&self.raw, operation, request).await? {
                if seen.insert(agent.id) {
                    out.push(agent.row);
                }
            }
        }
        Ok(out)
    }
}

/// Quotes: `id`, created at `createdAt`.
struct QuoteNames;

impl WalkedNames for QuoteNames {
    const ID: &'static str = "id";
    const CREATED: Option<&'static str> = Some("createdAt");
}

/// Agents and the one-answer lists: `id` (no creation time is read).
struct AgentNames;

impl WalkedNames for AgentNames {
    const ID: &'static str = "id";
    const CREATED: Option<&'static str> = None;
}

/// A cursor walk of `operation` over raw rows.
fn walk(operation: &'static str, paging: crate::Paging) -> Walk<WalkedRow> {
    Walk {
        source: (Api::Conversion, operation),
        paging,
        id_of: walked_id,
        created,
    }
}

fn walked_id(row: &WalkedRow) -> &str {
    row.id.as_str()
}

fn created(row: &WalkedRow) -> Option<chrono::DateTime<chrono::Utc>> {
    row.created
}

/// One page's rows as sent: the builder's `request` through the runtime, the body (one JSON
/// array) split into rows that share it.
async fn sent_page<N: WalkedNames>(
    raw: &conversion_api::Client,
    operation: &'static str,
    request: Built,
) -> Result<Vec<WalkedRow>, Error> {
    let (answer, source) = ((raw.client(), raw.context()), (Api::Conversion, operation));
    let (status, body) = fetch_body::<types::Error>(answer, source, request).await?;
    array_page::<N>(&body).map_err(|e| {
        Error::decode(
            Api::Conversion,
            operation,
            raw.context(),
            Some(status),
            e,
            &body,
        )
    })
}
