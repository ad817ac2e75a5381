//! The history and ongoing lists as [`RawRow`]s: each page's request built by the generated
//! builder (the same encoder as the typed lists), sent through the runtime (credential,
//! retries, masking, the `success:false` check) and split into rows that are validated, never
//! decoded.

use super::{Client, HistoryQuery, OngoingQuery};
use crate::error::{Api, Error};
use crate::pagination::{Checkpoint, Paging, RowStream};
use crate::raw::{fetch_body, page_rows, RawRow};
use cxkit_runtime::progenitor_client::ClientInfo;
use std::future::Future;
use std::sync::Arc;
use zchat_api::types::ErrorEnvelope;
use zchat_api::wire;

/// A page's request as the generated builder makes it.
type Built = Result<reqwest::Request, zchat_api::Error<ErrorEnvelope>>;

impl Client {
    /// Every service-history row matching `query`, as the vendor sent it: what
    /// [`history`](Self::history) yields, without decoding it (for copying rows to JSON Lines).
    pub fn history_raw(&self, query: HistoryQuery) -> RowStream<RawRow> {
        let at = (query.paging(), query.checkpoint().cloned());
        let operation = wire::list_history::OPERATION_ID;
        self.raw_pages(operation, at, query, |raw, query, page| async move {
            Ok(query.apply(raw.list_history(), page)?.build_request().await)
        })
    }

    /// Every expanded service-history row matching `query`, as the vendor sent it.
    pub fn history_expanded_raw(&self, query: HistoryQuery) -> RowStream<RawRow> {
        let at = (query.paging(), query.checkpoint().cloned());
        let operation = wire::list_history_expanded::OPERATION_ID;
        self.raw_pages(operation, at, query, |raw, query, page| async move {
            let builder = raw.list_history_expanded();
            Ok(query.apply_expanded(builder, page)?.build_request().await)
        })
    }

    /// Every ongoing interaction matching `query`, as the vendor sent it.
    pub fn ongoing_raw(&self, query: OngoingQuery) -> RowStream<RawRow> {
        let at = (query.paging(), query.checkpoint().cloned());
        let operation = wire::list_ongoing::OPERATION_ID;
        self.raw_pages(operation, at, query, |raw, query, page| async move {
            Ok(query.apply(raw.list_ongoing(), page)?.build_request().await)
        })
    }

    /// Numbered pages of `operation` as raw rows; `build` makes page `n`'s request.
    fn raw_pages<Q, B, Fut>(
        &self,
        operation: &'static str,
        at: (Paging, Option<Checkpoint>),
        query: Q,
        build: B,
    ) -> RowStream<RawRow>
    where
        Q: Send + Sync + 'static,
        B: Fn(zchat_api::Client, Arc<Q>, u64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Built, Error>> + Send + 'static,
    {
        let build = Arc::new(build);
        self.pages(
            operation,
            at,
            query,
            RawRow::key,
            move |raw, query, page| {
                let build = build.clone();
                async move {
                    let request = build(raw.clone(), query, page).await?;
                    let answer = (raw.client(), raw.inner());
                    let (status, body) =
                        fetch_body::<ErrorEnvelope>(answer, (Api::Zchat, operation), request)
                            .await?;
                    page_rows::<crate::raw::Id>(&body).map_err(|e| {
                        Error::decode(Api::Zchat, operation, raw.inner(), Some(status), e, &body)
                    })
                }
            },
        )
    }
}
