//! The history lists as [`RawRow`]s: each page's request built by the generated builder (the
//! same encoder as the typed lists), sent through the runtime (credential, retries, masking,
//! the `success:false` check) and split into rows that are validated, never decoded.

use super::{Client, HistoryQuery, OngoingQuery};
use crate::error::{from_answer, from_generated, Api, Error};
use crate::pagination::RowStream;
use crate::raw::{page_rows, RawRow};
use cxkit_runtime::progenitor_client::ClientInfo;
use zchat_api::types::ErrorEnvelope;
use zchat_api::wire;

impl Client {
    /// Every service-history row matching `query`, as the vendor sent it: what
    /// [`history`](Self::history) yields, without decoding it (for copying rows to JSON Lines).
    pub fn history_raw(&self, query: HistoryQuery) -> RowStream<RawRow> {
        let operation = wire::list_history::OPERATION_ID;
        let at = (query.paging(), query.checkpoint().cloned());
        self.pages(
            operation,
            at,
            query,
            RawRow::key,
            move |raw, query, page| async move {
                let request = query.apply(raw.list_history(), page)?.build_request();
                fetch_page(&raw, operation, request.await).await
            },
        )
    }

    /// Every ongoing interaction matching `query`, as the vendor sent it.
    pub fn ongoing_raw(&self, query: OngoingQuery) -> RowStream<RawRow> {
        let operation = wire::list_ongoing::OPERATION_ID;
        let at = (query.paging(), query.checkpoint().cloned());
        self.pages(
            operation,
            at,
            query,
            RawRow::key,
            move |raw, query, page| async move {
                let request = query.apply(raw.list_ongoing(), page)?.build_request();
                fetch_page(&raw, operation, request.await).await
            },
        )
    }

    /// Every expanded service-history row matching `query`, as the vendor sent it.
    pub fn history_expanded_raw(&self, query: HistoryQuery) -> RowStream<RawRow> {
        let operation = wire::list_history_expanded::OPERATION_ID;
        let at = (query.paging(), query.checkpoint().cloned());
        self.pages(
            operation,
            at,
            query,
            RawRow::key,
            move |raw, query, page| async move {
                let builder = raw.list_history_expanded();
                let request = query.apply_expanded(builder, page)?.build_request();
                fetch_page(&raw, operation, request.await).await
            },
        )
    }
}

/// One page's rows: the builder's `request` sent through the runtime, the body split into
/// rows that share it.
async fn fetch_page(
    raw: &zchat_api::Client,
    operation: &'static str,
    request: Result<reqwest::Request, zchat_api::Error<ErrorEnvelope>>,
) -> Result<Vec<RawRow>, Error> {
    let ctx = raw.inner();
    let request = request.map_err(|e| from_generated(Api::Zchat, operation, ctx, e))?;
    let failed = |e| Error::transport(Api::Zchat, operation, e);
    let response = cxkit_runtime::execute(raw.client(), ctx, request, operation)
        .await
        .map_err(failed)?;
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.bytes().await.map_err(failed)?;
    if !status.is_success() {
        let source = (Api::Zchat, operation);
        return Err(from_answer::<ErrorEnvelope>(
            source, ctx, status, &headers, &body,
        ));
    }
    page_rows::<crate::raw::Id>(&body)
        .map_err(|e| Error::decode(Api::Zchat, operation, ctx, Some(status), e, &body))
}
