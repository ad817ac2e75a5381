//! Quotes: per prospect, and every quote of the account as a cursor-walked stream.

use super::Client;
use crate::error::{Api, Error};
use crate::pagination::{cursor, Paging, RowStream};
use chrono::{DateTime, Utc};
use conversion_api::types::{NewQuote, Quote, UpdateQuote};

/// Filters of the quote lists: status and the created/accepted/rejected date ranges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuoteQuery {
    status: Option<String>,
    created: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    accepted: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    rejected: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    pub(super) page_size: u64,
}

impl QuoteQuery {
    /// Every quote, 1,000 per request.
    pub fn new() -> Self {
        Self {
            page_size: 1_000,
            ..Self::default()
        }
    }

    /// Only quotes with this status (`pending`, `accepted`, `rejected`).
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Only quotes created in `[from, to)`.
    pub fn created_between(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.created = (Some(from), Some(to));
        self
    }

    /// Only quotes accepted in `[from, to)`.
    pub fn accepted_between(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.accepted = (Some(from), Some(to));
        self
    }

    /// Only quotes rejected in `[from, to)`.
    pub fn rejected_between(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.rejected = (Some(from), Some(to));
        self
    }

    /// Rows per request of the account-wide list (at least 1).
    pub fn page_size(mut self, rows: u64) -> Self {
        self.page_size = rows.max(1);
        self
    }
}

/// Puts a [`QuoteQuery`]'s filters on either generated quote-list builder.
macro_rules! quote_filters {
    ($builder:expr, $query:expr) => {{
        let (q, mut b) = ($query, $builder);
        if let Some(v) = &q.status {
            b = b.status(v.clone());
        }
        if let Some(v) = q.created.0 {
            b = b.created_after(v);
        }
        if let Some(v) = q.created.1 {
            b = b.created_before(v);
        }
        if let Some(v) = q.accepted.0 {
            b = b.accepted_after(v);
        }
        if let Some(v) = q.accepted.1 {
            b = b.accepted_before(v);
        }
        if let Some(v) = q.rejected.0 {
            b = b.rejected_after(v);
        }
        if let Some(v) = q.rejected.1 {
            b = b.rejected_before(v);
        }
        b
    }};
}

impl QuoteQuery {
    /// One cursor page of the account's quotes on the generated builder: the one encoder of
    /// this list's request, for the typed and the raw list.
    pub(crate) fn apply<'a>(
        &self,
        b: conversion_api::builder::ListQuotes<'a>,
        page_size: u64,
        at: Option<crate::pagination::Cursor>,
    ) -> conversion_api::builder::ListQuotes<'a> {
        let b = quote_filters!(b.limit(page_size), self);
        match at {
            Some(crate::pagination::Cursor::After(id)) => b.after(id),
            Some(crate::pagination::Cursor::Before(id)) => b.before(id),
            None => b,
        }
    }
}

// One method per operation: the request chains repeat their shape because the operations
// take the same kinds of parameters (ids, a body), not the same ones; `call` sends them all.
impl Client {
    /// The quotes of one prospect matching `query`.
    pub async fn prospect_quotes(
        &self,
        prospect: &str,
        query: &QuoteQuery,
    ) -> Result<Vec<Quote>, Error> {
        let request = quote_filters!(self.raw.list_prospect_quotes().prospect_id(prospect), query);
        self.call("list_prospect_quotes", request.send()).await
    }

    /// Every quote of the account matching `query`, cursor-walked.
    pub fn quotes(&self, query: QuoteQuery) -> RowStream<Quote> {
        let client = self.clone();
        let paging = Paging {
            page_size: query.page_size,
            prefetch: false,
            concurrency: 1,
        };
        cursor(
            (Api::Conversion, "list_quotes"),
            paging,
            None,
            |q: &Quote| q.id.as_str(),
            move |at| {
                let (client, query) = (client.clone(), query.clone());
                async move {
                    let request = query.apply(client.raw.list_quotes(), paging.page_size, at);
                    client.call("list_quotes", request.send()).await
                }
            },
        )
    }

    /// One quote of a prospect.
    pub async fn quote(&self, prospect: &str, id: &str) -> Result<Quote, Error> {
        let sent = self
            .raw
            .get_prospect_quote()
            .prospect_id(prospect)
            .quote_id(id)
            .send();
        self.call("get_prospect_quote", sent).await
    }

    /// Creates a quote for a prospect (`201`). Not retried.
    pub async fn create_quote(&self, prospect: &str, quote: NewQuote) -> Result<Quote, Error> {
        let sent = self
            .raw
            .create_prospect_quote()
            .prospect_id(prospect)
            .body(quote)
            .send();
        self.call("create_prospect_quote", sent).await
    }

    /// Accepts or rejects a quote.
    pub async fn update_quote(
        &self,
        prospect: &str,
        id: &str,
        update: UpdateQuote,
    ) -> Result<Quote, Error> {
        let sent = self
            .raw
            .update_prospect_quote()
            .prospect_id(prospect)
            .quote_id(id)
            .body(update)
            .send();
        self.call("update_prospect_quote", sent).await
    }
}
