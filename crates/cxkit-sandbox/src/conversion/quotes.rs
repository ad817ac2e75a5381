//! Quotes: per prospect (list with the status and date filters, create, get, accept or
//! reject) and across prospects, cursor-paged newest first (`GET /prospects/quotes`).

use super::http::{conflict, invalid, not_found, ok, Answer, Authorized, Body, Ids};
use super::listing::{listing_names, Listing, Range, Window};
use super::notifications::{notify, Change, Subject};
use crate::query::{value, Pairs};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use conversion_api::types::{self, KnownQuoteStatus, Quote, QuoteItem, UpdateQuoteStatus};
use conversion_api::wire;
use conversion_api::wire::list_quotes::query as q;

use std::sync::Arc;

/// The quote routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::list_prospect_quotes::PATH, get(list).post(create))
        .route(wire::get_prospect_quote::PATH, get(one).put(update))
        .route(wire::list_quotes::PATH, get(list_all))
}

/// A quote of `items` created at `at`; `acceptedAt`/`rejectedAt` and `finishedAt` are `at`
/// when it is created settled.
pub(crate) fn new_quote(
    id: String,
    prospect_id: &str,
    at: DateTime<Utc>,
    items: Vec<QuoteItem>,
    status: KnownQuoteStatus,
) -> Quote {
    let total = items
        .iter()
        .map(|i| i.quantity * i.price.unwrap_or(0.0))
        .sum();
    Quote {
        accepted_at: (status == KnownQuoteStatus::Accepted).then_some(at),
        additional_data: Some(Default::default()),
        created_at: at,
        finished_at: (status != KnownQuoteStatus::Pending).then_some(at),
        id,
        items: Some(items),
        prospect_id: Some(prospect_id.to_owned()),
        rejected_at: (status == KnownQuoteStatus::Rejected).then_some(at),
        status: status.into(),
        total: Some(total),
        extra: Default::default(),
    }
}

/// The filters both quote lists share: status and when quotes were created, accepted or
/// rejected.
struct Filter {
    status: Option<String>,
    created: Range,
    accepted: Range,
    rejected: Range,
}

impl Filter {
    fn parse(pairs: &Pairs) -> Result<Self, Response> {
        Ok(Self {
            status: value(pairs, q::STATUS).map(str::to_owned),
            created: Range::parse(pairs, q::CREATED_AFTER, q::CREATED_BEFORE)?,
            accepted: Range::parse(pairs, q::ACCEPTED_AFTER, q::ACCEPTED_BEFORE)?,
            rejected: Range::parse(pairs, q::REJECTED_AFTER, q::REJECTED_BEFORE)?,
        })
    }

    fn keeps(&self, q: &Quote) -> bool {
        self.status
            .as_ref()
            .is_none_or(|s| q.status.to_string() == *s)
            && self.created.contains(Some(q.created_at))
            && self.accepted.contains(q.accepted_at)
            && self.rejected.contains(q.rejected_at)
    }
}

async fn list(
    State(state): State<Arc<AppState>>,
    Authorized(pairs): Authorized,
    Ids(id): Ids<String>,
) -> Answer {
    let filter = Filter::parse(&pairs)?;
    let inner = state.conversion.lock();
    inner.prospect(&id)?;
    let quotes: Vec<&Quote> = inner
        .quotes
        .get(&id)
        .into_iter()
        .flatten()
        .filter(|q| filter.keeps(q))
        .collect();
    Ok(ok(quotes))
}

async fn create(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
    Body(body): Body<types::NewQuote>,
) -> Answer {
    state.conversion.exists(&id)?;
    if body.items.is_empty() {
        return Err(invalid("a quote needs at least one item"));
    }

    let (prospect, quote) = {
        let mut inner = state.conversion.lock();
        let prospect = inner.prospect(&id)?.clone();
        let (at, quote_id) = inner.tick(state.config.anchor);
        let status = body.status.unwrap_or(KnownQuoteStatus::Pending);
        let quote = new_quote(quote_id, &id, at, body.items, status);
        inner.quotes.entry(id).or_default().push(quote.clone());
        (prospect, quote)
    };
    notify(
        &state,
        Change::Created,
        Subject::Quote(prospect, quote.clone()),
    );
    Ok((StatusCode::CREATED, Json(quote)).into_response())
}

// Shaped like interactions' `one`: each is its own per-prospect list, with its own 404.
async fn one(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids((id, quote_id)): Ids<(String, String)>,
) -> Answer {
    let inner = state.conversion.lock();
    inner.prospect(&id)?;
    let quote = inner
        .quotes
        .get(&id)
        .and_then(|qs| qs.iter().find(|q| q.id == quote_id))
        .ok_or_else(|| not_found("quote", &quote_id))?;
    Ok(ok(quote))
}

async fn update(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids((id, quote_id)): Ids<(String, String)>,
    Body(body): Body<types::UpdateQuote>,
) -> Answer {
    let (prospect, quote) = {
        let mut inner = state.conversion.lock();
        let prospect = inner.prospect(&id)?.clone();
        let (at, _) = inner.tick(state.config.anchor);
        let quote = inner
            .quotes
            .get_mut(&id)
            .and_then(|qs| qs.iter_mut().find(|q| q.id == quote_id))
            .ok_or_else(|| not_found("quote", &quote_id))?;
        if quote.status.to_string() != KnownQuoteStatus::Pending.to_string() {
            return Err(conflict(format!("the quote is already {}", quote.status)));
        }
        match body.status {
            UpdateQuoteStatus::Accepted => {
                quote.status = KnownQuoteStatus::Accepted.into();
                quote.accepted_at = Some(at);
            }
            UpdateQuoteStatus::Rejected => {
                quote.status = KnownQuoteStatus::Rejected.into();
                quote.rejected_at = Some(at);
            }
        }
        quote.finished_at = Some(at);
        (prospect, quote.clone())
    };
    notify(
        &state,
        Change::Updated,
        Subject::Quote(prospect, quote.clone()),
    );
    Ok(ok(quote))
}

async fn list_all(State(state): State<Arc<AppState>>, Authorized(pairs): Authorized) -> Answer {
    // The spec gives this list's `limit` no maximum and no 31-day rule.
    let listing = Listing::parse(
        &pairs,
        &listing_names!(list_quotes),
        state.config.anchor,
        Window::Unbounded,
        u64::MAX,
    )?;
    let filter = Filter::parse(&pairs)?;
    let inner = state.conversion.lock();
    let rows = inner
        .quotes
        .values()
        .flatten()
        .filter(|q| filter.keeps(q))
        .map(|q| (q.id.clone(), Some(q.created_at), q.clone()))
        .collect();
    Ok(ok(listing.apply(rows)))
}
