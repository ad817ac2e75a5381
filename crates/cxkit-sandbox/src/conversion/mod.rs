//! The Zenvia Conversion fake: every operation of `specs/conversion.yaml` on one in-memory
//! account ([`catalog`]) with seeded prospects, interactions, quotes and orders ([`seed`]).
//!
//! - Leads create a prospect or merge into the one with the same phone or e-mail.
//! - Prospect and interaction lists page by cursor, newest first, under the vendor's 31-day
//!   rule ([`listing`]).
//! - Every change to a prospect, interaction or quote is POSTed to the subscriptions of its
//!   topic and redelivered until the receiver answers `2xx` ([`notifications`]).
//! - Errors have the vendor's shape `{code, message, summary}`; client input is parsed by
//!   extractors that answer `400`/`401` ([`http`]) and never reaches a panic.

mod act_as_user;
mod activity;
mod catalog;
mod directory;
mod draw;
mod http;
mod interactions;
mod leads;
mod listing;
mod messaging;
mod model;
mod multipart;
mod notifications;
mod prospects;
mod quotes;
mod seed;

use crate::config::SandboxConfig;
use crate::AppState;
use axum::response::Response;
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use conversion_api::types::{self, Interaction, OrderByProspect, Prospect, Quote};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// A subscription and whether it still receives events (the spec's `Subscription` does not
/// say; deactivated ones are kept so that their ids stay known).
struct StoredSubscription {
    subscription: types::Subscription,
    active: bool,
}

/// Everything the fake remembers. Interactions, quotes and orders are kept per prospect id.
#[derive(Default)]
pub(crate) struct Inner {
    prospects: BTreeMap<String, Prospect>,
    interactions: BTreeMap<String, Vec<Interaction>>,
    quotes: BTreeMap<String, Vec<Quote>>,
    orders: BTreeMap<String, Vec<OrderByProspect>>,
    subscriptions: Vec<StoredSubscription>,
    /// App notifications accepted by `POST /apps/notifications` (nothing reads them back).
    notifications: Vec<types::NotificationData>,
    /// Events accepted by `POST /apps/event` about users and quotes.
    app_events: Vec<types::CustomEvent>,
    counter: u64,
}

impl Inner {
    /// A fresh 24-hex id for an object created at `at`. Like a MongoDB ObjectId it starts
    /// with the creation second, so ids sort by creation time (the cursors rely on it).
    fn id_at(&mut self, at: DateTime<Utc>) -> String {
        self.counter += 1;
        format!("{:08x}{:016x}", at.timestamp().max(0) as u32, self.counter)
    }

    /// The time and id of a change made through the API: one second after the anchor per
    /// change, so that later changes sort after earlier ones and after the seeded data.
    fn tick(&mut self, anchor: DateTime<Utc>) -> (DateTime<Utc>, String) {
        // Real timestamps carry milliseconds.
        let millis = 1 + (self.counter * 389) % 999;
        let at = anchor
            + Duration::seconds(self.counter as i64 + 1)
            + Duration::milliseconds(millis as i64);
        (at, self.id_at(at))
    }

    /// The prospect `id`, or the vendor's 404.
    fn prospect(&self, id: &str) -> Result<&Prospect, Response> {
        self.prospects
            .get(id)
            .ok_or_else(|| http::not_found("prospect", id))
    }

    /// The prospect `id` to change, or the vendor's 404.
    fn prospect_mut(&mut self, id: &str) -> Result<&mut Prospect, Response> {
        self.prospects
            .get_mut(id)
            .ok_or_else(|| http::not_found("prospect", id))
    }
}

/// The Conversion fake's state, and the HTTP client that delivers webhooks.
pub(crate) struct Store {
    inner: Mutex<Inner>,
    http: reqwest::Client,
}

impl Store {
    /// The account with `config.prospects` generated prospects.
    pub fn seeded(config: &SandboxConfig) -> Self {
        Self {
            inner: Mutex::new(seed::inner(config)),
            http: reqwest::Client::new(),
        }
    }

    /// `Ok` when prospect `id` exists, else the vendor's 404. Handlers check it before the
    /// body's values, as the vendor finds the prospect before judging the change.
    fn exists(&self, id: &str) -> Result<(), Response> {
        self.lock().prospect(id).map(|_| ())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A handler never panics while holding the lock, but a poisoned lock must not take
        // the whole fake down with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Every operation of `specs/conversion.yaml`, on its path.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .merge(leads::routes())
        .merge(prospects::routes())
        .merge(interactions::routes())
        .merge(quotes::routes())
        .merge(act_as_user::routes())
        .merge(messaging::routes())
        .merge(notifications::routes())
        .merge(directory::routes())
        .fallback(http::unknown_route)
        .method_not_allowed_fallback(http::method_not_allowed)
}
