//! Zenvia Chat: the Digital Channels report, service history (standard and expanded), messages
//! and ongoing interactions, with typed filters and paginated streams.
//!
//! ```no_run
//! use cxkit::zchat::{Channel, Client, HistoryQuery, KnownChannel};
//! use chrono::{FixedOffset, TimeZone};
//! use futures::TryStreamExt;
//!
//! # async fn demo() -> Result<(), cxkit::Error> {
//! let client = Client::from_env()?; // ZCHAT_TOKEN, optional ZCHAT_BASE_URL
//! let brt = FixedOffset::west_opt(3 * 3600).unwrap();
//! let query = HistoryQuery::new()
//!     .between(
//!         brt.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap(),
//!         brt.with_ymd_and_hms(2024, 3, 31, 23, 59, 59).unwrap(),
//!     )
//!     .channels([Channel::from(KnownChannel::Whatsapp), Channel::from(KnownChannel::Email)])
//!     .page_size(5_000)
//!     .prefetch(true);
//! let mut rows = client.history(query);
//! while let Some(row) = rows.try_next().await? {
//!     println!("{}", row.id);
//! }
//! # Ok(()) }
//! ```

mod query;
mod raw;

pub use query::{HistoryQuery, OngoingQuery, ReportQuery};
pub use zchat_api::types::{
    ActiveFlag, Agent, Channel, Customer, Department, ExpandedHistoryRow, HistoryRow, KnownChannel,
    KnownState, Message, OngoingRow, ReportGrouping, ReportRow, State,
};

/// Every generated type of this API (the facade re-exports the common ones above).
pub use zchat_api::types;

use crate::client::Vendor;
use crate::config::Lookup;
use crate::error::{from_generated, Api, Error};
use crate::pagination::{key_hash, numbered, start_page, Checkpoint, KeyOf, Paging, RowStream};
use cxkit_runtime::{ApiProfile, ClientContext, Credential, Secret};
use futures::stream::{self, StreamExt};
use std::future::Future;
use std::sync::Arc;

/// The token variable read by [`Client::from_env`].
pub const TOKEN_VAR: &str = "ZCHAT_TOKEN";
/// A file holding the token, read by [`Client::from_env`] when [`TOKEN_VAR`] is unset (a
/// mounted secret, so the token is in neither the environment nor a command line).
pub const TOKEN_FILE_VAR: &str = "ZCHAT_TOKEN_FILE";
/// The optional base-URL override read by [`Client::from_env`].
pub const BASE_URL_VAR: &str = "ZCHAT_BASE_URL";
/// The most rows one history or ongoing page can hold (`limit`'s `maximum` in the spec).
pub const MAX_PAGE_SIZE: u32 = zchat_api::wire::list_history::query::LIMIT_MAXIMUM as u32;

/// A Zenvia Chat client. Cheap to clone; `Debug` never shows the token.
#[derive(Clone, Debug)]
pub struct Client {
    raw: zchat_api::Client,
}

/// Zenvia Chat as a [`Vendor`]: a token in the query string, a global host.
#[derive(Clone, Copy, Debug, Default)]
pub struct Zchat;

impl crate::client::Sealed for Zchat {}

// Shaped like conversion's and converz's impls: the trait asks every vendor for the same
// facts (credential, variables, default URL, profile), not the same values.
impl Vendor for Zchat {
    type Client = Client;
    const CREDENTIAL: &'static str = "the Zenvia Chat API token";
    const CREDENTIAL_VAR: &'static str = TOKEN_VAR;
    const CREDENTIAL_FILE_VAR: &'static str = TOKEN_FILE_VAR;
    const BASE_URL_VAR: &'static str = BASE_URL_VAR;
    const DEFAULT_BASE_URL: Option<&'static str> = Some(zchat_api::DEFAULT_BASE_URL);
    const BASE_URL_HINT: &'static str =
        "the Zenvia Chat base URL (the production server when unset)";

    fn profile() -> &'static ApiProfile {
        &zchat_api::PROFILE
    }

    fn credential(secret: Secret) -> Credential {
        zchat_api::token(secret)
    }

    fn client(base_url: &str, http: reqwest::Client, context: ClientContext, _: Self) -> Client {
        Client {
            raw: zchat_api::Client::new_with_client(base_url, http, context),
        }
    }
}

/// Builds a [`Client`]: `Client::builder().token("…").build()?`.
pub type ClientBuilder = crate::ClientBuilder<Zchat>;

impl ClientBuilder {
    /// The API token (Settings > Integrations > API in the admin UI).
    pub fn token(self, token: impl Into<Secret>) -> Self {
        self.credential(token)
    }
}

impl Client {
    /// A builder with the production server and default retries.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `ZCHAT_TOKEN` (required) and `ZCHAT_BASE_URL` (optional).
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_env_with(lookup: impl Lookup) -> Result<Self, Error> {
        ClientBuilder::from_env_with(lookup)?.build()
    }

    /// The generated client, for anything the facade does not wrap.
    pub fn raw(&self) -> &zchat_api::Client {
        &self.raw
    }

    /// The Digital Channels report (one row per group, the last titled `"Total"`).
    pub async fn report(&self, query: &ReportQuery) -> Result<Vec<ReportRow>, Error> {
        let ctx = self.raw.context();
        let request = query.apply(self.raw.get_reports())?;
        let page = request
            .send()
            .await
            .map_err(|e| from_generated(Api::Zchat, "get_reports", ctx, e))?;
        Ok(page.into_inner().data)
    }

    /// Every service-history row matching `query`, page after page.
    pub fn history(&self, query: HistoryQuery) -> RowStream<HistoryRow> {
        let at = (query.paging(), query.checkpoint().cloned());
        self.pages(
            "list_history",
            at,
            query,
            |r: &HistoryRow| Some(key_hash(&r.id)),
            |raw, query, page| async move {
                let request = query.apply(raw.list_history(), page)?;
                let response = request.send().await;
                response
                    .map(|r| r.into_inner().data)
                    .map_err(|e| from_generated(Api::Zchat, "list_history", raw.context(), e))
            },
        )
    }

    /// Every expanded service-history row matching `query`, page after page.
    pub fn history_expanded(&self, query: HistoryQuery) -> RowStream<ExpandedHistoryRow> {
        let key = |r: &ExpandedHistoryRow| r.id.as_ref().map(key_hash);
        let at = (query.paging(), query.checkpoint().cloned());
        self.pages(
            "list_history_expanded",
            at,
            query,
            key,
            |raw, query, page| async move {
                let request = query.apply_expanded(raw.list_history_expanded(), page)?;
                let response = request.send().await;
                response.map(|r| r.into_inner().data).map_err(|e| {
                    from_generated(Api::Zchat, "list_history_expanded", raw.context(), e)
                })
            },
        )
    }

    // Shaped like `history`: each list has its own operation, builder and row type; the
    // paging they share is `pages`.
    /// Every ongoing interaction matching `query`, page after page.
    pub fn ongoing(&self, query: OngoingQuery) -> RowStream<OngoingRow> {
        let at = (query.paging(), query.checkpoint().cloned());
        self.pages(
            "list_ongoing",
            at,
            query,
            |r: &OngoingRow| Some(key_hash(&r.id)),
            |raw, query, page| async move {
                let request = query.apply(raw.list_ongoing(), page)?;
                let response = request.send().await;
                response
                    .map(|r| r.into_inner().data)
                    .map_err(|e| from_generated(Api::Zchat, "list_ongoing", raw.context(), e))
            },
        )
    }

    /// Numbered pages of the list `operation`: `page` fetches page `n` with the query; rows
    /// are de-duplicated by `key`.
    fn pages<Q, T, F, Fut>(
        &self,
        operation: &'static str,
        (paging, resume): (Paging, Option<Checkpoint>),
        query: Q,
        key: KeyOf<T>,
        page: F,
    ) -> RowStream<T>
    where
        Q: Send + Sync + 'static,
        T: Send + 'static,
        F: Fn(zchat_api::Client, Arc<Q>, u64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<T>, Error>> + Send + 'static,
    {
        let start = match start_page(resume.as_ref()) {
            Ok(start) => start,
            Err(e) => return RowStream::failed(e),
        };
        let raw = paging.client_for(&self.raw, zchat_api::Client::new_with_client);
        let query = Arc::new(query);
        numbered((Api::Zchat, operation), paging, start, key, move |n| {
            let rows = page(raw.clone(), query.clone(), n);
            async move { Ok(stream::iter(rows.await?.into_iter().map(Ok)).boxed()) }
        })
    }

    /// The messages of one conversation, by protocol number.
    pub async fn messages(&self, protocol: &str) -> Result<Vec<Message>, Error> {
        if protocol.trim().is_empty() {
            return Err(Error::InvalidInput("a protocol number is required".into()));
        }
        let page = self
            .raw
            .list_history_messages()
            .id(protocol)
            .send()
            .await
            .map_err(|e| {
                from_generated(Api::Zchat, "list_history_messages", self.raw.context(), e)
            })?;
        Ok(page.into_inner().data)
    }
}
