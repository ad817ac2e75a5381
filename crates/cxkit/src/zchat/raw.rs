//! The history lists as [`RawRow`]s: each page read through the runtime (credential, retries,
//! masking, the `success:false` check) and split into rows that are validated, never decoded.

use super::{Client, HistoryQuery};
use crate::error::{from_answer, Api, Error};
use crate::pagination::RowStream;
use crate::raw::{page_rows, RawRow};
use cxkit_runtime::progenitor_client::ClientInfo;
use zchat_api::wire;

impl Client {
    /// Every service-history row matching `query`, as the vendor sent it: what
    /// [`history`](Self::history) yields, without decoding it (for copying rows to JSON Lines).
    pub fn history_raw(&self, query: HistoryQuery) -> RowStream<RawRow> {
        let operation = (wire::list_history::OPERATION_ID, wire::list_history::PATH);
        self.raw_pages(operation, query)
    }

    /// Every expanded service-history row matching `query`, as the vendor sent it.
    pub fn history_expanded_raw(&self, query: HistoryQuery) -> RowStream<RawRow> {
        let operation = (
            wire::list_history_expanded::OPERATION_ID,
            wire::list_history_expanded::PATH,
        );
        self.raw_pages(operation, query)
    }

    fn raw_pages(
        &self,
        (operation, path): (&'static str, &'static str),
        query: HistoryQuery,
    ) -> RowStream<RawRow> {
        let at = (query.paging(), query.checkpoint().cloned());
        self.pages(
            operation,
            at,
            query,
            RawRow::key,
            move |raw, query, page| async move {
                fetch_page(&raw, (operation, path), query.pairs(page)?).await
            },
        )
    }
}

/// One page's rows: `GET path?pairs` through the runtime, the body split into rows that share it.
async fn fetch_page(
    raw: &zchat_api::Client,
    (operation, path): (&'static str, &'static str),
    pairs: Vec<(&'static str, String)>,
) -> Result<Vec<RawRow>, Error> {
    let ctx = raw.inner();
    let request = crate::wire::get_request(raw.baseurl(), path, pairs, ctx)?;
    let failed = |e| Error::transport(Api::Zchat, operation, e);
    let response = cxkit_runtime::execute(raw.client(), ctx, request, operation)
        .await
        .map_err(failed)?;
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.bytes().await.map_err(failed)?;
    if !status.is_success() {
        let source = (Api::Zchat, operation);
        return Err(from_answer::<zchat_api::types::ErrorEnvelope>(
            source, ctx, status, &headers, &body,
        ));
    }
    page_rows::<crate::raw::Id>(&body)
        .map_err(|e| Error::decode(Api::Zchat, operation, ctx, Some(status), e, &body))
}
