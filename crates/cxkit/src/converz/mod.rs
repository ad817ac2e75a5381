//! Converz: users (reps), conversations (calls), analytics and bulk updates.
//!
//! `reps` and `calls` stream rows as each page downloads (pages of up to 1,000,000 rows cost
//! one row of memory); `update_reps` / `update_calls` send columnar updates in chunks of at
//! most 100,000 rows.
//!
//! ```no_run
//! use cxkit::converz::{CallQuery, Client, Update};
//! use futures::TryStreamExt;
//!
//! # async fn demo() -> Result<(), cxkit::Error> {
//! let client = Client::from_env()?; // CONVERZ_API_KEY and CONVERZ_BASE_URL
//! let mut calls = client.calls(CallQuery::new().campaigns(["sales"]).page_size(100_000));
//! let mut ids = Vec::new();
//! while let Some(call) = calls.try_next().await? {
//!     ids.push(call.call_id);
//! }
//! let n = ids.len();
//! let update = Update::keyed_by_call_id(ids).column("reviewed", vec![true; n]);
//! let report = client.update_calls(&update).await?;
//! assert!(report.is_complete());
//! # Ok(()) }
//! ```

mod chunks;
mod page;
mod query;
mod raw;
mod update;

pub use chunks::{ChunkOutcome, ChunkStatus, Progress, UpdateReport};
pub use converz_api::types::{Call, Rep, ReportRow};
pub use query::{CallQuery, RepQuery, ReportQuery};
pub use update::{CallUpdate, RepUpdate, Update, UpdateKey};

/// Every generated type of this API (the facade re-exports the common ones above).
pub use converz_api::types;

use crate::client::Vendor;
use crate::config::Lookup;
use crate::error::{from_generated, Api, ConfigError, Error, VendorError};
use crate::json_rows::{decode_rows_limited, OpenRow, RowErrorKind};
use crate::pagination::{key_hash, numbered, start_page, Checkpoint, KeyOf, Paging, RowStream};
use converz_api::ResponseValue;
use cxkit_runtime::progenitor_client::ClientInfo;
use cxkit_runtime::{ApiProfile, ClientContext, Credential, Secret};
use futures::stream::{BoxStream, StreamExt};
use serde::de::DeserializeOwned;
use std::future::Future;

/// The API key variable read by [`Client::from_env`].
pub const API_KEY_VAR: &str = "CONVERZ_API_KEY";
/// A file holding the API key, read by [`Client::from_env`] when [`API_KEY_VAR`] is unset (a
/// mounted secret, so the key is in neither the environment nor a command line).
pub const API_KEY_FILE_VAR: &str = "CONVERZ_API_KEY_FILE";
/// The base-URL variable read by [`Client::from_env`] (required: every tenant has its own host).
pub const BASE_URL_VAR: &str = "CONVERZ_BASE_URL";

/// A Converz client. Cheap to clone; `Debug` never shows the key.
#[derive(Clone, Debug)]
pub struct Client {
    raw: converz_api::Client,
    update_chunk_rows: usize,
}

/// Converz as a [`Vendor`]: an `X-API-Key` header, one host per tenant, and the settings only
/// its builder has.
#[derive(Clone, Copy, Debug, Default)]
pub struct Converz {
    update_chunk_rows: Option<usize>,
}

impl crate::client::Sealed for Converz {}

impl Vendor for Converz {
    type Client = Client;
    const CREDENTIAL: &'static str = "the Converz API key";
    const CREDENTIAL_VAR: &'static str = API_KEY_VAR;
    const CREDENTIAL_FILE_VAR: &'static str = API_KEY_FILE_VAR;
    const BASE_URL_VAR: &'static str = BASE_URL_VAR;
    const DEFAULT_BASE_URL: Option<&'static str> = None;
    const BASE_URL_HINT: &'static str =
        "your tenant's base URL, e.g. https://acme.converz.co/api/v1";

    fn profile() -> &'static ApiProfile {
        &converz_api::PROFILE
    }

    fn credential(secret: Secret) -> Credential {
        converz_api::api_key(secret)
    }

    fn client(base_url: &str, http: reqwest::Client, context: ClientContext, me: Self) -> Client {
        Client {
            raw: converz_api::Client::new_with_client(base_url, http, context),
            update_chunk_rows: me
                .update_chunk_rows
                .unwrap_or(converz_api::MAX_UPDATE_ROWS)
                .clamp(1, converz_api::MAX_UPDATE_ROWS),
        }
    }
}

/// Builds a [`Client`]: `Client::builder().base_url(..).api_key(..).build()?`.
pub type ClientBuilder = crate::ClientBuilder<Converz>;

impl ClientBuilder {
    /// The API key (provisioned by Converz).
    pub fn api_key(self, key: impl Into<Secret>) -> Self {
        self.credential(key)
    }

    /// The tenant's base URL from its subdomain (`https://{domain}.converz.co/api/v1`).
    pub fn tenant(self, domain: &str) -> Result<Self, Error> {
        let url = converz_api::tenant_base_url(domain)
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        Ok(self.base_url(url))
    }

    /// Rows per update request, at most 100,000 (the default).
    pub fn update_chunk_rows(mut self, rows: usize) -> Self {
        self.vendor.update_chunk_rows = Some(rows);
        self
    }
}

impl Client {
    /// A builder; a base URL (or tenant) and an API key are required.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `CONVERZ_API_KEY` and `CONVERZ_BASE_URL` (both required).
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_env_with(lookup: impl Lookup) -> Result<Self, Error> {
        ClientBuilder::from_env_with(lookup)?.build()
    }

    /// The generated client, for anything the facade does not wrap.
    pub fn raw(&self) -> &converz_api::Client {
        &self.raw
    }

    /// Every user matching `query`, decoded row by row.
    pub fn reps(&self, query: RepQuery) -> RowStream<Rep> {
        let at = (query.paging(), query.checkpoint().cloned());
        let key: KeyOf<Rep> = |r| Some(key_hash(&r.rep_id));
        self.pages(at, key, query)
    }

    /// Every conversation matching `query`, decoded row by row.
    pub fn calls(&self, query: CallQuery) -> RowStream<Call> {
        let at = (query.paging(), query.checkpoint().cloned());
        let key: KeyOf<Call> = |c| Some(key_hash(c.call_id));
        self.pages(at, key, query)
    }

    /// Numbered pages of `query`'s list, each decoded as it downloads and resumed if its body
    /// breaks.
    fn pages<T: OpenRow + Send + 'static, Q: page::ListQuery>(
        &self,
        (paging, resume): (Paging, Option<Checkpoint>),
        key: KeyOf<T>,
        query: Q,
    ) -> RowStream<T> {
        let start = match start_page(resume.as_ref()) {
            Ok(start) => start,
            Err(e) => return RowStream::failed(e),
        };
        let this = Client {
            raw: paging.client_for(&self.raw, converz_api::Client::new_with_client),
            ..self.clone()
        };
        let query = std::sync::Arc::new(query);
        numbered(
            (Api::Converz, Q::OPERATION_ID),
            paging,
            start,
            key,
            move |page| {
                let request = page::PageRequest::new(this.raw.clone(), query.clone(), page);
                page::resumable_page(this.clone(), request, key)
            },
        )
    }

    /// Aggregated analytics rows.
    pub async fn report(&self, query: &ReportQuery) -> Result<Vec<ReportRow>, Error> {
        let mut b = self.raw.get_report();
        if let Some(d) = query.start_date {
            b = b.start_date(d);
        }
        if let Some(d) = query.end_date {
            b = b.end_date(d);
        }
        if let Some(d) = query.days {
            b = b.days(d);
        }
        if let Some(m) = &query.metrics {
            b = b.metric(m.clone());
        }
        if let Some(g) = &query.group_by {
            b = b.groupby(g.clone());
        }
        if !query.rep_ids.is_empty() {
            b = b.rep_id(query.rep_ids.clone());
        }
        if !query.vendors.is_empty() {
            b = b.vendor(query.vendors.clone());
        }
        if !query.campaigns.is_empty() {
            b = b.campaign(query.campaigns.clone());
        }
        if !query.subcampaigns.is_empty() {
            b = b.subcampaign(query.subcampaigns.clone());
        }
        if !query.departments.is_empty() {
            b = b.department(query.departments.clone());
        }
        let rows = b
            .send()
            .await
            .map_err(|e| from_generated(Api::Converz, "get_report", self.raw.context(), e))?;
        Ok(rows.into_inner().0)
    }

    /// Sends a user update in chunks (see [`Update`]); the report says which were accepted.
    pub async fn update_reps(&self, update: &RepUpdate) -> Result<UpdateReport, Error> {
        self.update_reps_with_progress(update, |_| {}).await
    }

    /// [`update_reps`](Self::update_reps), calling `progress` after each chunk.
    pub async fn update_reps_with_progress(
        &self,
        update: &RepUpdate,
        progress: impl FnMut(Progress),
    ) -> Result<UpdateReport, Error> {
        self.send_update(update, progress, "update_reps", |body: types::RepUpdate| {
            self.raw.update_reps().body(body).send()
        })
        .await
    }

    /// Sends a conversation update in chunks (see [`Update`]).
    pub async fn update_calls(&self, update: &CallUpdate) -> Result<UpdateReport, Error> {
        self.update_calls_with_progress(update, |_| {}).await
    }

    /// [`update_calls`](Self::update_calls), calling `progress` after each chunk.
    pub async fn update_calls_with_progress(
        &self,
        update: &CallUpdate,
        progress: impl FnMut(Progress),
    ) -> Result<UpdateReport, Error> {
        self.send_update(
            update,
            progress,
            "update_calls",
            |body: types::CallUpdate| self.raw.update_calls().body(body).send(),
        )
        .await
    }

    /// Chunks `update` and sends each chunk's columnar body, typed as `B`, with `send`.
    async fn send_update<K, B, F, Fut>(
        &self,
        update: &Update<K>,
        progress: impl FnMut(Progress),
        operation: &'static str,
        send: F,
    ) -> Result<UpdateReport, Error>
    where
        K: UpdateKey,
        B: DeserializeOwned,
        F: Fn(B) -> Fut,
        Fut: Future<
            Output = Result<ResponseValue<types::UpdateResult>, converz_api::Error<types::Error>>,
        >,
    {
        chunks::send_in_chunks(update, self.update_chunk_rows, progress, |body| {
            let typed = serde_json::from_value::<B>(body);
            let ctx = self.raw.context();
            let sent = typed.map(&send);
            async move {
                let sent = sent.map_err(|e| Error::InvalidInput(format!("update body: {e}")))?;
                let response = sent.await;
                let body = response.map_err(|e| from_generated(Api::Converz, operation, ctx, e))?;
                Ok(body.into_inner().0.into())
            }
        })
        .await
    }

    /// Sends a GET through the runtime (credential, retries, masking) and decodes the JSON
    /// array body row by row as it arrives.
    pub(crate) async fn stream_rows<T: OpenRow + Send + 'static>(
        &self,
        request: &page::PageRequest,
    ) -> Result<BoxStream<'static, Result<T, Error>>, Error> {
        let operation = request.operation;
        let ctx = self.raw.context().clone();
        let request = request.build().await?;
        let response =
            cxkit_runtime::execute_streaming(self.raw.client(), &ctx, request, operation)
                .await
                .map_err(|e| Error::transport(Api::Converz, operation, e))?;
        let status = response.status();
        if !status.is_success() {
            let body = cxkit_runtime::read_body(response, ctx.max_body_bytes())
                .await
                .map_err(|e| Error::transport(Api::Converz, operation, e))?;
            let vendor: converz_api::types::Error = serde_json::from_slice(&body).map_err(|e| {
                Error::decode(Api::Converz, operation, &ctx, Some(status), e, &body)
            })?;
            return Err(Error::Api {
                api: Api::Converz,
                operation,
                status,
                code: vendor.code(),
                message: ctx.redact(&vendor.message()),
                note: None,
            });
        }
        let max_row = usize::try_from(ctx.max_row_bytes()).unwrap_or(usize::MAX);
        let rows =
            decode_rows_limited(response.bytes_stream(), T::parse, max_row).map(move |row| {
                row.map_err(|e| match e.kind {
                    RowErrorKind::Interrupted => Error::Interrupted {
                        api: Api::Converz,
                        operation,
                        rows: e.row as u64,
                        reason: ctx.redact(&e.reason),
                    },
                    RowErrorKind::TooLarge => Error::TooLarge {
                        api: Api::Converz,
                        operation,
                        what: "row",
                        limit: ctx.max_row_bytes(),
                    },
                    RowErrorKind::Malformed => Error::decode(
                        Api::Converz,
                        operation,
                        &ctx,
                        Some(status),
                        e.reason,
                        &e.excerpt,
                    ),
                })
            });
        Ok(rows.boxed())
    }
}
