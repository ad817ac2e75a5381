//! The Converz lists as [`RawRow`]s: the same streamed, resumable pages as the typed lists,
//! each row validated and keyed, never decoded into columns.

use super::{CallQuery, Client, RepQuery};
use crate::json_rows::OpenRow;
use crate::pagination::RowStream;
use crate::raw::{CallId, KeyName, RawRow, RepId};
use std::marker::PhantomData;

impl Client {
    /// Every conversation matching `query`, as the vendor sent it: what
    /// [`calls`](Self::calls) yields, without decoding it (for copying rows to JSON Lines).
    pub fn calls_raw(&self, query: CallQuery) -> RowStream<RawRow> {
        let at = (query.paging(), query.checkpoint().cloned());
        let key = |r: &Raw<CallId>| r.0.key();
        let rows = self.pages(at, key, query);
        rows.map_rows(|r| r.0)
    }

    /// Every user matching `query`, as the vendor sent it.
    pub fn reps_raw(&self, query: RepQuery) -> RowStream<RawRow> {
        let at = (query.paging(), query.checkpoint().cloned());
        let key = |r: &Raw<RepId>| r.0.key();
        let rows = self.pages(at, key, query);
        rows.map_rows(|r| r.0)
    }
}

/// A raw row keyed by the member `K` names, read where the typed lists read open rows.
struct Raw<K>(RawRow, PhantomData<K>);

impl<K: KeyName> OpenRow for Raw<K> {
    fn parse(bytes: &[u8]) -> serde_json::Result<Self> {
        RawRow::new(bytes, K::NAME, None).map(|row| Raw(row, PhantomData))
    }
}
