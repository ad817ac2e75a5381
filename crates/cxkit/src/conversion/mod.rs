//! Zenvia Conversion: leads, prospects, interactions and webhooks.
//!
//! Lists are cursor-walked streams; a date range over 31 days is split into windows (the
//! vendor refuses longer ones), and rows are kept to their window so none repeats. Lead
//! `POST`s are validated before sending and never retried automatically.
//!
//! ```no_run
//! use cxkit::conversion::{Client, Lead, ProspectQuery};
//! use chrono::{Duration, Utc};
//! use futures::TryStreamExt;
//!
//! # async fn demo() -> Result<(), cxkit::Error> {
//! let client = Client::from_env()?; // CONVERSION_API_KEY, optional CONVERSION_BASE_URL
//! let lead = Lead::retail("website").first_name("Ana").phone("+5511987654321").build()?;
//! let created = client.create_lead(lead).await?;
//! println!("prospect {} (merged: {:?})", created.id, created.merged);
//!
//! let now = Utc::now();
//! let query = ProspectQuery::new().created_between(now - Duration::days(90), now);
//! let prospects: Vec<_> = client.prospects(query).try_collect().await?;
//! # Ok(()) }
//! ```

mod act_as_user;
mod call;
mod directory;
mod leads;
mod messaging;
mod prospects;
mod query;
mod quotes;
mod raw;
mod walk;
pub mod webhook;

pub use conversion_api::types::{
    CommunicationChannel, Interaction, InteractionVia, KnownCommunicationChannel,
    KnownInteractionVia, KnownNinType, KnownProspectStatus, KnownTopicName, NewEvent, NewMessage,
    NewQuote, NewTemplateMessage, Nin, NinType, Product, Prospect, ProspectCreated, ProspectStatus,
    Quote, RealEstateProduct, SavingPlanProduct, Subscription, TopicName, Transfer, UpdateEvent,
    UpdateProspect, UpdateQuote, VehicleProduct, WebhookEvent,
};
pub use leads::{InsuranceProduct, Lead, LeadBuilder, LeadKind, NewLead};
pub use query::{windows, DataFilter, InteractionQuery, ProspectQuery, MAX_PAGE_SIZE, MAX_WINDOW};
pub use quotes::QuoteQuery;

/// Every generated type of this API (the facade re-exports the common ones above).
pub use conversion_api::types;

use crate::client::Vendor;
use crate::config::Lookup;
use crate::error::{from_generated, Api, Error};
use crate::pagination::{Paging, RowStream};
use cxkit_runtime::{ApiProfile, ClientContext, Credential, Secret};
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use walk::{windowed, within, Walk};

/// The API key variable read by [`Client::from_env`].
pub const API_KEY_VAR: &str = "CONVERSION_API_KEY";
/// A file holding the API key, read by [`Client::from_env`] when [`API_KEY_VAR`] is unset (a
/// mounted secret, so the key is in neither the environment nor a command line).
pub const API_KEY_FILE_VAR: &str = "CONVERSION_API_KEY_FILE";
/// The optional base-URL override read by [`Client::from_env`].
pub const BASE_URL_VAR: &str = "CONVERSION_BASE_URL";
/// Why a failed lead `POST` was not retried.
pub const LEAD_NOT_RETRIED: &str =
    "not retried automatically: a retry could create a duplicate lead";

/// A Zenvia Conversion client. Cheap to clone; `Debug` never shows the key.
#[derive(Clone, Debug)]
pub struct Client {
    raw: conversion_api::Client,
}

/// Zenvia Conversion as a [`Vendor`]: an `api-key` in the query string, a global host.
#[derive(Clone, Copy, Debug, Default)]
pub struct Conversion;

impl crate::client::Sealed for Conversion {}

impl Vendor for Conversion {
    type Client = Client;
    const CREDENTIAL: &'static str = "the Zenvia Conversion API key";
    const CREDENTIAL_VAR: &'static str = API_KEY_VAR;
    const CREDENTIAL_FILE_VAR: &'static str = API_KEY_FILE_VAR;
    const BASE_URL_VAR: &'static str = BASE_URL_VAR;
    const DEFAULT_BASE_URL: Option<&'static str> = Some(conversion_api::DEFAULT_BASE_URL);
    const BASE_URL_HINT: &'static str =
        "the Zenvia Conversion base URL (the production server when unset)";

    fn profile() -> &'static ApiProfile {
        &conversion_api::PROFILE
    }

    fn credential(secret: Secret) -> Credential {
        conversion_api::api_key(secret)
    }

    fn client(base_url: &str, http: reqwest::Client, context: ClientContext, _: Self) -> Client {
        Client {
            raw: conversion_api::Client::new_with_client(base_url, http, context),
        }
    }
}

/// Builds a [`Client`]: `Client::builder().api_key("…").build()?`.
pub type ClientBuilder = crate::ClientBuilder<Conversion>;

impl ClientBuilder {
    /// The integration's API key.
    pub fn api_key(self, key: impl Into<Secret>) -> Self {
        self.credential(key)
    }
}

impl Client {
    /// A builder with the production server and default retries.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `CONVERSION_API_KEY` (required) and `CONVERSION_BASE_URL` (optional).
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_env_with(lookup: impl Lookup) -> Result<Self, Error> {
        ClientBuilder::from_env_with(lookup)?.build()
    }

    /// The generated client, for anything the facade does not wrap.
    pub fn raw(&self) -> &conversion_api::Client {
        &self.raw
    }

    /// Sends a lead (validated again here). Never retried automatically; a failure that
    /// would otherwise be retried says so.
    pub async fn create_lead(&self, lead: NewLead) -> Result<ProspectCreated, Error> {
        lead.validate()?;
        let (operation, result) = match lead {
            NewLead::Retail(l) => (
                "create_retail_lead",
                self.raw.create_retail_lead().body(l).send().await,
            ),
            NewLead::Vehicle(l) => (
                "create_vehicle_lead",
                self.raw.create_vehicle_lead().body(l).send().await,
            ),
            NewLead::Insurance(l) => (
                "create_insurance_lead",
                self.raw.create_insurance_lead().body(l).send().await,
            ),
            NewLead::SavingPlan(l) => (
                "create_saving_plan_lead",
                self.raw.create_saving_plan_lead().body(l).send().await,
            ),
            NewLead::RealEstate(l) => (
                "create_real_estate_lead",
                self.raw.create_real_estate_lead().body(l).send().await,
            ),
        };
        result.map(|r| r.into_inner()).map_err(|e| {
            let error = from_generated(Api::Conversion, operation, self.raw.context(), e);
            if error.is_retryable() {
                error.with_note(LEAD_NOT_RETRIED)
            } else {
                error
            }
        })
    }

    /// The generated client a walk with `paging` sends through: with its own throttle when it
    /// fetches concurrently.
    fn paged(&self, paging: &Paging) -> conversion_api::Client {
        paging.client_for(&self.raw, conversion_api::Client::new_with_client)
    }

    /// Every prospect matching `query`, oldest window first, each window cursor-walked.
    pub fn prospects(&self, query: ProspectQuery) -> RowStream<Prospect> {
        let (windows, paging) = (query.windows(), query.paging());
        let raw = self.paged(&paging);
        let query = Arc::new(query);
        let walk = Walk {
            source: (Api::Conversion, "list_prospects"),
            paging,
            id_of: |p: &Prospect| p.id.as_str(),
            created: |p: &Prospect| Some(p.created),
        };
        let resume = query.checkpoint().cloned();
        walk.run(windows, resume.as_ref(), move |window, at| {
            let (raw, query) = (raw.clone(), query.clone());
            async move {
                let b = query.apply(raw.list_prospects(), paging.page_size, window, at)?;
                let rows = b.send().await;
                rows.map(|r| r.into_inner()).map_err(|e| {
                    from_generated(Api::Conversion, "list_prospects", raw.context(), e)
                })
            }
        })
    }

    /// Every interaction of every prospect matching `query`, cursor-walked per window.
    pub fn interactions(&self, query: InteractionQuery) -> RowStream<Interaction> {
        let (windows, paging) = (query.windows(), query.paging());
        let raw = self.paged(&paging);
        let query = Arc::new(query);
        let walk = Walk {
            source: (Api::Conversion, "list_interactions"),
            paging,
            id_of: |i: &Interaction| i.id.as_str(),
            created: |i: &Interaction| i.created_at,
        };
        let resume = query.checkpoint().cloned();
        walk.run(windows, resume.as_ref(), move |window, at| {
            let (raw, query) = (raw.clone(), query.clone());
            async move {
                let b = query.apply(raw.list_interactions(), paging.page_size, window, at)?;
                let rows = b.send().await;
                rows.map(|r| r.into_inner()).map_err(|e| {
                    from_generated(Api::Conversion, "list_interactions", raw.context(), e)
                })
            }
        })
    }

    /// The interactions of one prospect matching `query` (one request per 31-day window;
    /// this list has no cursor).
    pub fn prospect_interactions(
        &self,
        prospect_id: &str,
        query: InteractionQuery,
    ) -> RowStream<Interaction> {
        let paging = query.paging();
        let raw = self.paged(&paging);
        let query = Arc::new(query);
        let prospect_id = prospect_id.to_owned();
        let resume = query.checkpoint().cloned();
        windowed(
            query.windows(),
            resume.as_ref(),
            paging,
            move |window, _| {
                let (raw, query, id) = (raw.clone(), query.clone(), prospect_id.clone());
                let page = async move {
                    let b = raw.list_prospect_interactions().prospect_id(id);
                    let rows = query.apply_one(b, window).send().await.map_err(|e| {
                        from_generated(
                            Api::Conversion,
                            "list_prospect_interactions",
                            raw.context(),
                            e,
                        )
                    })?;
                    Ok::<_, Error>(stream::iter(rows.into_inner().into_iter().map(Ok)))
                };
                let rows = stream::once(page)
                    .map(|page| match page {
                        Ok(rows) => rows.boxed(),
                        Err(e) => stream::iter(vec![Err(e)]).boxed(),
                    })
                    .flatten();
                within(RowStream::from_rows(rows), window, |i: &Interaction| {
                    i.created_at
                })
            },
        )
    }

    /// Subscribes `callback_url` to `topics`, with `secret` attached as the `secret` query
    /// parameter that [`webhook`]'s receiver checks. One subscription per group: this
    /// replaces the previous one.
    pub async fn subscribe_webhook(
        &self,
        callback_url: &str,
        secret: &Secret,
        topics: impl IntoIterator<Item = TopicName>,
    ) -> Result<Subscription, Error> {
        let url = webhook::callback_url(callback_url, secret)?;
        let body = conversion_api::types::NewSubscription {
            // The URL carries the secret: the error names neither.
            callback_url: url.parse().map_err(|_| {
                Error::InvalidInput("the callback URL must be an absolute http(s) URL".into())
            })?,
            topics: topics.into_iter().collect(),
        };
        let created = self
            .raw
            .create_subscription()
            .body(body)
            .send()
            .await
            .map_err(|e| {
                from_generated(
                    Api::Conversion,
                    "create_subscription",
                    self.raw.context(),
                    e,
                )
                .masked_with(|text| {
                    let text = cxkit_runtime::redact(text, &[secret]);
                    webhook::mask_secret_params(&text)
                })
            })?;
        Ok(created.into_inner())
    }
}

impl Client {
    /// The active webhook subscriptions.
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, Error> {
        let list = self.raw.list_subscriptions().send().await;
        list.map(|l| l.into_inner()).map_err(|e| {
            from_generated(Api::Conversion, "list_subscriptions", self.raw.context(), e)
                .masked_with(webhook::mask_secret_params)
        })
    }
}
