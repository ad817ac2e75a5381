//! Every Zenvia Conversion operation on the wire (httpmock): method and exact path (the singular
//! `/prospect/{id}`, `/prospect/{id}/interaction/{iid}` and `/notifications/subscription/{id}`
//! beside the plural collections), the `api-key` query parameter, each filter's encoding
//! (RFC 3339 UTC instants, repeated `additionalData[]` and `via[]` keys), request bodies exactly
//! as documented, typed success bodies, typed errors (the vendor's, synthesized, rate-limited),
//! which requests are retried, and lossless parsing of open shapes and webhook deliveries.

use chrono::{DateTime, Utc};
use conversion_api::mock::MockServerExt;
use conversion_api::{types, Client, Error, ResponseValue, RetryPolicy};
use cxkit_runtime::{ATTEMPT_HEADER, SYNTHESIZED_HEADER};
use cxkit_tests::{fixture, fixture_path, normalized, round_trip, LogCapture};
use httpmock::prelude::*;
use httpmock::{Mock, Then};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::num::NonZeroU64;
use std::time::Duration;

const KEY: &str = "conv-test-key-91d2";
/// `prospect.json`.
const PROSPECT_ID: &str = "65d4a1e7f2c3b80014a9d362";
/// `prospect_created.merged.json`, the prospect `interactions.json` belongs to.
const MERGED_ID: &str = "65e6f0a2c4b1d90012f3a871";
/// The first interaction of `interactions.json`.
const INTERACTION_ID: &str = "65e88b12a7c4d30014f1a2c8";
/// `subscription.json`.
const SUBSCRIPTION_ID: &str = "65f1c2a4e13b7d0012a4c9e1";
/// The first group of `groups.json`.
const GROUP_ID: &str = "60a3b7e2f1c4d50015b8a9c2";
/// The first agent of `agents.json`.
const AGENT_ID: &str = "5fb3e8a1c7d2490016a4f2b8";

// ---- helpers ----

fn client(server: &MockServer) -> Client {
    client_with_backoff(server, Duration::from_millis(1))
}

fn client_with_backoff(server: &MockServer, initial_backoff: Duration) -> Client {
    Client::new(
        &server.base_url(),
        conversion_api::context(KEY).with_retry(
            RetryPolicy::default()
                .with_max_attempts(3)
                .with_initial_backoff(initial_backoff),
        ),
    )
}

fn typed<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value)
        .unwrap_or_else(|e| panic!("does not parse as {}: {e}", std::any::type_name::<T>()))
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The vendor error of a failed call; panics, naming it, on any other failure.
fn vendor_error(err: Error<types::Error>) -> ResponseValue<types::Error> {
    match err {
        Error::ErrorResponse(rv) => rv,
        other => panic!("expected a typed error response, got {other}"),
    }
}

fn header_of<'a, T>(rv: &'a ResponseValue<T>, name: &str) -> Option<&'a str> {
    rv.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The rate-limit answer: `429` with the `X-RateLimit-*` headers, no body, and no wait asked.
fn rate_limited(then: Then) -> Then {
    then.status(429)
        .header("X-RateLimit-Limit", "60")
        .header("X-RateLimit-Remaining", "0")
        .header("X-RateLimit-Reset", "1")
        .header("Retry-After", "0")
}

/// Mocks `POST path` expecting the key (and nothing else) in the query and exactly `body`;
/// answers with the merged prospect of `prospect_created.merged.json`.
async fn lead_mock<'a>(server: &'a MockServer, path: &str, body: Value) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path)
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(body);
            then.status(200)
                .json_body(fixture("conversion/prospect_created.merged.json"));
        })
        .await
}

// ---- documented request bodies ----
//
// Typed bodies are built from JSON (`round_trip` also proves the type keeps every field). The
// wire body is then what the typed value serializes to: the documented JSON, except that
// integers in `f64` fields (`priority`, amounts) are written `1.0`, which httpmock's exact JSON
// match would otherwise tell apart from `1`.

fn retail_lead() -> Value {
    json!({
        "utmSource": "google",
        "utmMedium": "cpc",
        "utmCampaign": "smartphones-marco",
        "firstName": "Ana",
        "lastName": "Souza",
        "phones": ["+5511912345678"],
        "emails": ["ana.souza@example.com"],
        "comments": "Tem em estoque na loja do centro?",
        "store": "Loja Centro",
        "product": {
            "make": "Samsung",
            "model": "Galaxy S24",
            "detail": "256 GB, preto",
            "sku": "SM-S921B-256",
            "price": {"amount": 4999.9, "currency": "BRL"}
        }
    })
}

fn insurance_lead() -> Value {
    json!({
        "utmSource": "comparador-seguros",
        "utmCampaign": "auto-2024",
        "firstName": "Marcos",
        "lastName": "Pereira",
        "phones": ["+5531998877665"],
        "emails": ["marcos.pereira@example.com"],
        "nin": [{"type": "CPF", "number": "52998224725"}],
        "product": {
            "make": "Porto Seguro",
            "model": "Auto Essencial",
            "detail": "Cobertura compreensiva, franquia reduzida",
            "price": {"amount": 189.9, "currency": "BRL"}
        }
    })
}

fn saving_plan_lead() -> Value {
    json!({
        "utmSource": "facebook",
        "utmMedium": "social",
        "utmCampaign": "consorcio-imovel",
        "firstName": "Juliana",
        "lastName": "Lima",
        "phones": ["+5541987651234"],
        "product": {
            "goodType": "property",
            "goodSubType": "apartment",
            "brand": "Consórcio Nacional",
            "description": "Carta de crédito para apartamento",
            "condition": "new",
            "planType": "180 meses",
            "monthlyPaymentsEstimate": {"lowerEstimate": 1500, "upperEstimate": 2200.5, "currency": "BRL"},
            "creditAmountEstimate": {"lowerEstimate": 250000, "upperEstimate": 350000, "currency": "BRL"}
        }
    })
}

fn real_estate_lead() -> Value {
    json!({
        "utmSource": "zapimoveis",
        "utmMedium": "portal",
        "firstName": "Carlos",
        "lastName": "Mendes",
        "emails": ["carlos.mendes@example.com"],
        "listingTitle": "Apartamento 3 quartos, 98 m², Savassi",
        "listingUrl": "https://www.zapimoveis.com.br/imovel/venda-apartamento-3-quartos-savassi-belo-horizonte-mg-98m2-id-2623456789/",
        "locality": "Belo Horizonte",
        "region": "MG",
        "country": "BR",
        "product": {"title": "Apartamento 3 quartos na Savassi", "type": "residential"}
    })
}

fn prospect_update() -> Value {
    json!({
        "archivingReason": "notInterested",
        "firstName": "Camila",
        "lastName": "Rodrigues Alves",
        "phone": "+5511976543210",
        "email": "camila.alves@example.com",
        "label": "frio"
    })
}

fn new_subscription() -> Value {
    json!({
        "topics": ["prospects", "interactions"],
        "callbackUrl": "https://hooks.vitoriaveiculos.example.com/zenvia-conversion?secret=6f1e9a0c4b7d2e8f3a5c1b9d7e2f4a6c"
    })
}

// ---- every operation, for cross-cutting checks ----

#[derive(Clone, Copy, Debug)]
enum Op {
    CreateRetailLead,
    CreateVehicleLead,
    CreateInsuranceLead,
    CreateSavingPlanLead,
    CreateRealEstateLead,
    ListLeadCategories,
    GetLeadDefaults,
    ListProspects,
    GetProspect,
    UpdateProspect,
    DeleteProspect,
    TransferProspect,
    ListProspectInteractions,
    CreateProspectInteraction,
    GetProspectInteraction,
    ListInteractions,
    ListTopics,
    ListSubscriptions,
    CreateSubscription,
    DeleteSubscriptions,
    GetSubscription,
    DeleteSubscription,
    ListAgents,
    ListGroups,
    GetGroup,
}

const ALL: [Op; 25] = [
    Op::CreateRetailLead,
    Op::CreateVehicleLead,
    Op::CreateInsuranceLead,
    Op::CreateSavingPlanLead,
    Op::CreateRealEstateLead,
    Op::ListLeadCategories,
    Op::GetLeadDefaults,
    Op::ListProspects,
    Op::GetProspect,
    Op::UpdateProspect,
    Op::DeleteProspect,
    Op::TransferProspect,
    Op::ListProspectInteractions,
    Op::CreateProspectInteraction,
    Op::GetProspectInteraction,
    Op::ListInteractions,
    Op::ListTopics,
    Op::ListSubscriptions,
    Op::CreateSubscription,
    Op::DeleteSubscriptions,
    Op::GetSubscription,
    Op::DeleteSubscription,
    Op::ListAgents,
    Op::ListGroups,
    Op::GetGroup,
];

const LEADS: [Op; 5] = [
    Op::CreateRetailLead,
    Op::CreateVehicleLead,
    Op::CreateInsuranceLead,
    Op::CreateSavingPlanLead,
    Op::CreateRealEstateLead,
];

impl Op {
    fn method(self) -> Method {
        match self {
            Op::CreateRetailLead
            | Op::CreateVehicleLead
            | Op::CreateInsuranceLead
            | Op::CreateSavingPlanLead
            | Op::CreateRealEstateLead
            | Op::TransferProspect
            | Op::CreateProspectInteraction
            | Op::CreateSubscription => POST,
            Op::UpdateProspect => PATCH,
            Op::DeleteProspect | Op::DeleteSubscriptions | Op::DeleteSubscription => DELETE,
            Op::ListLeadCategories
            | Op::GetLeadDefaults
            | Op::ListProspects
            | Op::GetProspect
            | Op::ListProspectInteractions
            | Op::GetProspectInteraction
            | Op::ListInteractions
            | Op::ListTopics
            | Op::ListSubscriptions
            | Op::GetSubscription
            | Op::ListAgents
            | Op::ListGroups
            | Op::GetGroup => GET,
        }
    }

    fn is_write(self) -> bool {
        matches!(self.method(), POST | PATCH)
    }

    fn path(self) -> String {
        match self {
            Op::CreateRetailLead => "/lead/retail".into(),
            Op::CreateVehicleLead => "/lead/vehicle".into(),
            Op::CreateInsuranceLead => "/lead/insurance".into(),
            Op::CreateSavingPlanLead => "/lead/saving-plan".into(),
            Op::CreateRealEstateLead => "/lead/real-estate".into(),
            Op::ListLeadCategories => "/leads/categories".into(),
            Op::GetLeadDefaults => "/leads/defaults".into(),
            Op::ListProspects => "/prospects".into(),
            Op::GetProspect | Op::UpdateProspect | Op::DeleteProspect => {
                format!("/prospect/{PROSPECT_ID}")
            }
            Op::TransferProspect => format!("/prospect/{PROSPECT_ID}/transfer"),
            Op::ListProspectInteractions | Op::CreateProspectInteraction => {
                format!("/prospect/{MERGED_ID}/interactions")
            }
            Op::GetProspectInteraction => {
                format!("/prospect/{MERGED_ID}/interaction/{INTERACTION_ID}")
            }
            Op::ListInteractions => "/prospects/interactions".into(),
            Op::ListTopics => "/notifications/topics".into(),
            Op::ListSubscriptions | Op::CreateSubscription | Op::DeleteSubscriptions => {
                "/notifications/subscriptions".into()
            }
            Op::GetSubscription | Op::DeleteSubscription => {
                format!("/notifications/subscription/{SUBSCRIPTION_ID}")
            }
            Op::ListAgents => "/agents".into(),
            Op::ListGroups => "/groups".into(),
            Op::GetGroup => format!("/group/{GROUP_ID}"),
        }
    }

    /// Sends the operation with a valid body and the ids of [`Op::path`].
    async fn send(self, c: &Client) -> Result<Value, Error<types::Error>> {
        Ok(match self {
            Op::CreateRetailLead => to_json(
                &c.create_retail_lead()
                    .body(typed::<types::RetailLead>(retail_lead()))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::CreateVehicleLead => to_json(
                &c.create_vehicle_lead()
                    .body(typed::<types::VehicleLead>(fixture(
                        "conversion/lead.vehicle.json",
                    )))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::CreateInsuranceLead => to_json(
                &c.create_insurance_lead()
                    .body(typed::<types::InsuranceLead>(insurance_lead()))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::CreateSavingPlanLead => to_json(
                &c.create_saving_plan_lead()
                    .body(typed::<types::SavingPlanLead>(saving_plan_lead()))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::CreateRealEstateLead => to_json(
                &c.create_real_estate_lead()
                    .body(typed::<types::RealEstateLead>(real_estate_lead()))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::ListLeadCategories => to_json(&c.list_lead_categories().send().await?.into_inner()),
            Op::GetLeadDefaults => to_json(&c.get_lead_defaults().send().await?.into_inner()),
            Op::ListProspects => to_json(&c.list_prospects().send().await?.into_inner()),
            Op::GetProspect => to_json(
                &c.get_prospect()
                    .prospect_id(PROSPECT_ID)
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::UpdateProspect => to_json(
                &c.update_prospect()
                    .prospect_id(PROSPECT_ID)
                    .body(typed::<types::UpdateProspect>(prospect_update()))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::DeleteProspect => to_json(
                &c.delete_prospect()
                    .prospect_id(PROSPECT_ID)
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::TransferProspect => to_json(
                &c.transfer_prospect()
                    .prospect_id(PROSPECT_ID)
                    .body(typed::<types::Transfer>(json!({"group": GROUP_ID})))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::ListProspectInteractions => to_json(
                &c.list_prospect_interactions()
                    .prospect_id(MERGED_ID)
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::CreateProspectInteraction => to_json(
                &c.create_prospect_interaction()
                    .prospect_id(MERGED_ID)
                    .body(typed::<types::NewEvent>(fixture(
                        "conversion/new_event.note.json",
                    )))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::GetProspectInteraction => to_json(
                &c.get_prospect_interaction()
                    .prospect_id(MERGED_ID)
                    .interaction_id(INTERACTION_ID)
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::ListInteractions => to_json(&c.list_interactions().send().await?.into_inner()),
            Op::ListTopics => to_json(&c.list_topics().send().await?.into_inner()),
            Op::ListSubscriptions => to_json(&c.list_subscriptions().send().await?.into_inner()),
            Op::CreateSubscription => to_json(
                &c.create_subscription()
                    .body(typed::<types::NewSubscription>(new_subscription()))
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::DeleteSubscriptions => {
                to_json(&c.delete_subscriptions().send().await?.into_inner())
            }
            Op::GetSubscription => to_json(
                &c.get_subscription()
                    .subscription_id(SUBSCRIPTION_ID)
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::DeleteSubscription => to_json(
                &c.delete_subscription()
                    .subscription_id(SUBSCRIPTION_ID)
                    .send()
                    .await?
                    .into_inner(),
            ),
            Op::ListAgents => to_json(&c.list_agents().send().await?.into_inner()),
            Op::ListGroups => to_json(&c.list_groups().send().await?.into_inner()),
            Op::GetGroup => to_json(&c.get_group().group_id(GROUP_ID).send().await?.into_inner()),
        })
    }
}

// ---- leads ----

#[tokio::test]
async fn create_vehicle_lead_sends_the_documented_lead_and_reads_the_merged_prospect() {
    let server = MockServer::start_async().await;
    let lead: types::VehicleLead = round_trip(&fixture("conversion/lead.vehicle.json"));
    let product = lead.product.as_ref().expect("the vehicle is typed");
    assert_eq!(product.fuel_type, Some(types::FuelType::Flex));
    assert_eq!(product.condition, Some(types::ProductCondition::Used));
    assert_eq!(
        product.odometer.as_ref().and_then(|o| o.unit),
        Some(types::DistanceUnit::Km)
    );
    assert_eq!(
        product
            .finance
            .as_ref()
            .and_then(|f| f.payment_month_length),
        Some(48)
    );
    let mock = lead_mock(&server, "/lead/vehicle", to_json(&lead)).await;

    let created = client(&server)
        .create_vehicle_lead()
        .body(lead)
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(
        normalized(&to_json(&created)),
        normalized(&fixture("conversion/prospect_created.merged.json"))
    );
    assert_eq!(created.id, MERGED_ID);
    assert_eq!(created.merged, Some(true));
    assert!(
        created
            .absence_message
            .as_deref()
            .is_some_and(|m| m.contains("Nosso horário de atendimento")),
        "{:?}",
        created.absence_message
    );
    assert_eq!(
        created.status,
        types::ProspectStatus::from(types::KnownProspectStatus::Unclaimed)
    );
    assert_eq!(created.leads.len(), 2, "both merged leads are listed");
    assert_eq!(
        created.leads[1].provider_lead_id.as_deref(),
        Some("WM-88291734")
    );
    assert_eq!(created.interactions.len(), 1);
    assert_eq!(created.interactions[0].bot, Some(true));
    assert_eq!(
        created.sent_working_hour_message,
        Some(json!("2024-03-05T22:40:17.951Z"))
    );
}

#[tokio::test]
async fn create_retail_lead_posts_the_lead_and_its_product() {
    let server = MockServer::start_async().await;
    let lead: types::RetailLead = round_trip(&retail_lead());
    let mock = lead_mock(&server, "/lead/retail", to_json(&lead)).await;

    let created = client(&server)
        .create_retail_lead()
        .body(lead)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.id, MERGED_ID);
    assert_eq!(created.merged, Some(true));
}

#[tokio::test]
async fn create_insurance_lead_posts_the_lead_and_its_product() {
    let server = MockServer::start_async().await;
    let lead: types::InsuranceLead = round_trip(&insurance_lead());
    assert_eq!(
        lead.nin[0].type_,
        Some(types::NinType::from(types::KnownNinType::Cpf))
    );
    let mock = lead_mock(&server, "/lead/insurance", to_json(&lead)).await;

    let created = client(&server)
        .create_insurance_lead()
        .body(lead)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.id, MERGED_ID);
}

#[tokio::test]
async fn create_saving_plan_lead_posts_the_lead_and_its_plan() {
    let server = MockServer::start_async().await;
    let lead: types::SavingPlanLead = round_trip(&saving_plan_lead());
    assert_eq!(
        lead.product.as_ref().and_then(|p| p.good_type),
        Some(types::SavingPlanGoodType::Property)
    );
    let mock = lead_mock(&server, "/lead/saving-plan", to_json(&lead)).await;

    let created = client(&server)
        .create_saving_plan_lead()
        .body(lead)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.id, MERGED_ID);
}

#[tokio::test]
async fn create_real_estate_lead_posts_the_lead_and_its_property() {
    let server = MockServer::start_async().await;
    let lead: types::RealEstateLead = round_trip(&real_estate_lead());
    assert_eq!(
        lead.product.as_ref().and_then(|p| p.type_),
        Some(types::RealEstateType::Residential)
    );
    let mock = lead_mock(&server, "/lead/real-estate", to_json(&lead)).await;

    let created = client(&server)
        .create_real_estate_lead()
        .body(lead)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.id, MERGED_ID);
}

#[tokio::test]
async fn list_lead_categories_reads_the_default_first() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/leads/categories")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("api-version", "1.10.0");
            then.status(200)
                .json_body(fixture("conversion/categories.json"));
        })
        .await;

    let categories = client(&server).list_lead_categories().send().await.unwrap();

    mock.assert_async().await;
    let names: Vec<&str> = categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["novos", "seminovos", "pos-venda"]);
    assert!(categories[0]
        .description
        .as_deref()
        .is_some_and(|d| d.contains("categoria padrão")));
}

#[tokio::test]
async fn get_lead_defaults_reads_currency_and_distance_unit() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/leads/defaults")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/defaults.json"));
        })
        .await;

    let defaults = client(&server)
        .get_lead_defaults()
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(defaults.currency.as_deref(), Some("BRL"));
    assert_eq!(defaults.distance, Some(types::DistanceUnit::Km));
}

// ---- prospects ----

#[tokio::test]
async fn list_prospects_encodes_every_filter() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects")
                .query_param("api-key", KEY)
                .query_param("search", "camila rodrigues")
                // `+` must be percent-encoded, or the server reads a space.
                .query_param("phoneNumber", "+5511976543210")
                .query_param("category", "novos")
                .query_param("status", "processing")
                .query_param("agent", AGENT_ID)
                .query_param("group", GROUP_ID)
                .query_param("withAgent", "true")
                .query_param("createdAfter", "2024-03-01T00:00:00Z")
                .query_param("createdBefore", "2024-03-31T23:59:59Z")
                // Given at -03:00, sent in UTC.
                .query_param("claimedAfter", "2024-03-02T11:30:00Z")
                // Milliseconds are kept.
                .query_param("claimedBefore", "2024-03-30T18:00:00.500Z")
                .query_param("transferredAfter", "2024-03-03T12:00:00Z")
                .query_param("transferredBefore", "2024-03-29T12:00:00Z")
                .query_param("before", MERGED_ID)
                .query_param("after", "65d4a1e7f2c3b80014a9d300")
                .query_param("limit", "1000")
                .query_param("additionalData[]", "score>=50")
                .query_param("additionalData[]", "financiamento=1")
                .query_param("additionalData[]", "cidade~São Paulo")
                .query_param_count("^additionalData\\[\\]$", ".*", 3)
                // 16 filters, 3 additional-data items and the key: nothing else.
                .query_param_count(".*", ".*", 20);
            then.status(200)
                .json_body(json!([fixture("conversion/prospect.json")]));
        })
        .await;

    let page = client(&server)
        .list_prospects()
        .search("camila rodrigues")
        .phone_number("+5511976543210")
        .category("novos")
        .status("processing")
        .agent(AGENT_ID)
        .group(GROUP_ID)
        .with_agent(true)
        .created_after(utc("2024-03-01T00:00:00Z"))
        .created_before(utc("2024-03-31T23:59:59Z"))
        .claimed_after(utc("2024-03-02T08:30:00-03:00"))
        .claimed_before(utc("2024-03-30T18:00:00.500Z"))
        .transferred_after(utc("2024-03-03T12:00:00Z"))
        .transferred_before(utc("2024-03-29T12:00:00Z"))
        .before(MERGED_ID)
        .after("65d4a1e7f2c3b80014a9d300")
        .limit(1000u64)
        .additional_data(strings(&[
            "score>=50",
            "financiamento=1",
            "cidade~São Paulo",
        ]))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, PROSPECT_ID);
}

#[tokio::test]
async fn list_prospects_without_filters_sends_only_the_key() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(json!([]));
        })
        .await;

    let page = client(&server).list_prospects().send().await.unwrap();

    mock.assert_async().await;
    assert!(page.is_empty());
}

#[tokio::test]
async fn get_prospect_reads_the_whole_prospect() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/prospect.json");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/prospect/{PROSPECT_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(body.clone());
        })
        .await;

    let prospect = client(&server)
        .get_prospect()
        .prospect_id(PROSPECT_ID)
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(normalized(&to_json(&prospect)), normalized(&body));
    assert!(prospect.extra.is_empty(), "{:?}", prospect.extra);
    assert_eq!(prospect.id, PROSPECT_ID);
    assert_eq!(
        prospect.status,
        types::ProspectStatus::from(types::KnownProspectStatus::Processing)
    );
    assert_eq!(
        prospect.agent.as_ref().map(|a| a.first_name.as_str()),
        Some("João Pedro")
    );
    assert_eq!(prospect.assigned, Some(utc("2024-02-20T13:52:30.114Z")));
    assert_eq!(prospect.next_reminder, Some(utc("2024-02-24T12:00:00Z")));
    assert_eq!(
        prospect.leads[0].type_,
        types::LeadType::from(types::KnownLeadType::Vehicle)
    );
    assert_eq!(prospect.leads[0].product["model"], "Nivus");
}

#[tokio::test]
async fn update_prospect_patches_only_the_fields_sent() {
    let server = MockServer::start_async().await;
    let update: types::UpdateProspect = round_trip(&prospect_update());
    let mut answer = fixture("conversion/prospect.json");
    answer["status"] = json!("archived");
    answer["archivingReason"] = json!("notInterested");
    answer["lastName"] = json!("Rodrigues Alves");
    answer["label"] = json!("frio");
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/prospect/{PROSPECT_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(prospect_update());
            then.status(200).json_body(answer);
        })
        .await;

    let prospect = client(&server)
        .update_prospect()
        .prospect_id(PROSPECT_ID)
        .body(update)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(
        prospect.status,
        types::ProspectStatus::from(types::KnownProspectStatus::Archived)
    );
    assert_eq!(prospect.archiving_reason.as_deref(), Some("notInterested"));
    assert_eq!(prospect.label.as_deref(), Some("frio"));
    assert_eq!(prospect.last_name.as_deref(), Some("Rodrigues Alves"));
}

#[tokio::test]
async fn update_prospect_leaves_out_fields_not_set() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/prospect/{PROSPECT_ID}"))
                .query_param("api-key", KEY)
                .json_body(json!({"label": "quente"}));
            then.status(200)
                .json_body(fixture("conversion/prospect.json"));
        })
        .await;

    client(&server)
        .update_prospect()
        .prospect_id(PROSPECT_ID)
        .body_map(|b| b.label("quente".to_string()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_prospect_answers_with_the_deleted_prospect() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("/prospect/{PROSPECT_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/prospect.json"));
        })
        .await;

    let deleted = client(&server)
        .delete_prospect()
        .prospect_id(PROSPECT_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(deleted.id, PROSPECT_ID);
    assert_eq!(deleted.first_name.as_deref(), Some("Camila"));
}

#[tokio::test]
async fn transfer_prospect_sends_group_and_user_only_when_given() {
    let server = MockServer::start_async().await;
    let path = format!("/prospect/{PROSPECT_ID}/transfer");
    let mut answer = fixture("conversion/prospect.json");
    answer["transferredAt"] = json!("2024-03-01T15:04:05.123Z");
    let to_agent = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path.as_str())
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(json!({"group": GROUP_ID, "user": AGENT_ID}));
            then.status(200).json_body(answer.clone());
        })
        .await;
    let to_group = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path.as_str())
                .query_param("api-key", KEY)
                .json_body(json!({"group": GROUP_ID}));
            then.status(200).json_body(answer);
        })
        .await;
    let c = client(&server);

    let moved = c
        .transfer_prospect()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::Transfer>(
            json!({"group": GROUP_ID, "user": AGENT_ID}),
        ))
        .send()
        .await
        .unwrap();
    c.transfer_prospect()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::Transfer>(json!({"group": GROUP_ID})))
        .send()
        .await
        .unwrap();

    to_agent.assert_async().await;
    to_group.assert_async().await;
    assert_eq!(moved.transferred_at, Some(utc("2024-03-01T15:04:05.123Z")));
}

// ---- interactions ----

#[tokio::test]
async fn list_prospect_interactions_sends_filters_and_keeps_unknown_media() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/interactions.json");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/prospect/{MERGED_ID}/interactions"))
                .query_param("api-key", KEY)
                .query_param("status", "created")
                .query_param("createdAfter", "2024-03-01T00:00:00Z")
                .query_param("createdBefore", "2024-03-11T00:00:00Z")
                .query_param("via[]", "inboundCall")
                .query_param("via[]", "tiktok")
                .query_param_count("^via\\[\\]$", ".*", 2)
                .query_param_count(".*", ".*", 6);
            then.status(200).json_body(body.clone());
        })
        .await;

    let interactions = client(&server)
        .list_prospect_interactions()
        .prospect_id(MERGED_ID)
        .status("created")
        .created_after(utc("2024-03-01T00:00:00Z"))
        .created_before(utc("2024-03-11T00:00:00Z"))
        .via(strings(&["inboundCall", "tiktok"]))
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(normalized(&to_json(&interactions)), normalized(&body));
    assert_eq!(interactions.len(), 3);
    assert_eq!(
        interactions[0].via,
        Some(types::InteractionVia::from(
            types::KnownInteractionVia::InboundCall
        ))
    );
    assert_eq!(
        interactions[0]
            .output
            .as_ref()
            .and_then(|o| o.call_successful),
        Some(true)
    );
    assert_eq!(
        interactions[1].due_at,
        Some(utc("2024-03-09T13:00:00.000Z"))
    );
    assert_eq!(
        interactions[2].via,
        Some(types::InteractionVia::String("tiktok".into()))
    );
    let message = interactions[2]
        .output
        .as_ref()
        .and_then(|o| o.message.as_ref())
        .expect("a message output");
    assert_eq!(
        message.performer,
        Some(types::MessagePerformer::from(
            types::KnownMessagePerformer::Integration
        ))
    );
    assert!(interactions
        .iter()
        .all(|i| i.prospect_id.as_deref() == Some(MERGED_ID)));
}

#[tokio::test]
async fn create_prospect_interaction_posts_the_tagged_event() {
    let server = MockServer::start_async().await;
    let documented = fixture("conversion/new_event.note.json");
    let event: types::NewEvent = round_trip(&documented);
    assert!(
        matches!(&event, types::NewEvent::Note { content: Some(text) } if text.contains("48x")),
        "{event:?}"
    );
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/prospect/{MERGED_ID}/interactions"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                // `{"type": "note", "content": …}`: the kind is the `type` tag.
                .json_body(documented);
            then.status(200).json_body(json!([{
                "id": "65f0a3c9d2b4e80013a1f5c7",
                "createdAt": "2024-03-12T17:41:09.305Z",
                "status": "created",
                "agentId": AGENT_ID,
                "prospectId": MERGED_ID,
                "proactive": true,
                "via": "other",
                "output": {
                    "comment": "Cliente pediu retorno na sexta após as 18h. Quer financiar em 48x com entrada do Argo."
                }
            }]));
        })
        .await;

    let interactions = client(&server)
        .create_prospect_interaction()
        .prospect_id(MERGED_ID)
        .body(event)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(interactions.len(), 1);
    assert_eq!(interactions[0].id, "65f0a3c9d2b4e80013a1f5c7");
    assert_eq!(interactions[0].created_at, utc("2024-03-12T17:41:09.305Z"));
    assert!(interactions[0]
        .output
        .as_ref()
        .and_then(|o| o.comment.as_deref())
        .is_some_and(|c| c.contains("48x")));
}

#[tokio::test]
async fn get_prospect_interaction_uses_the_singular_path() {
    let server = MockServer::start_async().await;
    let one = fixture("conversion/interactions.json")[0].clone();
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!(
                    "/prospect/{MERGED_ID}/interaction/{INTERACTION_ID}"
                ))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(one);
        })
        .await;

    let interaction = client(&server)
        .get_prospect_interaction()
        .prospect_id(MERGED_ID)
        .interaction_id(INTERACTION_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(interaction.id, INTERACTION_ID);
    assert_eq!(interaction.status, "created");
    assert_eq!(
        interaction.agent_id.as_deref(),
        Some("5f9a1b2c3d4e5f6a7b8c9d0e")
    );
    assert_eq!(interaction.proactive, Some(false));
    assert_eq!(
        interaction.finished_at,
        Some(utc("2024-03-06T13:09:12.733Z"))
    );
}

#[tokio::test]
async fn list_interactions_sends_cursor_paging_and_filters() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects/interactions")
                .query_param("api-key", KEY)
                .query_param("before", "65ee0d9ac3f5b20012a4e7d2")
                .query_param("after", "65e88b12a7c4d30014f1a2c7")
                .query_param("limit", "500")
                .query_param("agent", "5f9a1b2c3d4e5f6a7b8c9d0e")
                .query_param("status", "created")
                .query_param("createdAfter", "2024-03-06T00:00:00Z")
                .query_param("createdBefore", "2024-03-11T00:00:00Z")
                .query_param("via[]", "inboundCall")
                .query_param("via[]", "visit")
                .query_param_count("^via\\[\\]$", ".*", 2)
                .query_param_count(".*", ".*", 10);
            then.status(200)
                .json_body(fixture("conversion/interactions.json"));
        })
        .await;

    let interactions = client(&server)
        .list_interactions()
        .before("65ee0d9ac3f5b20012a4e7d2")
        .after("65e88b12a7c4d30014f1a2c7")
        .limit(500u64)
        .agent("5f9a1b2c3d4e5f6a7b8c9d0e")
        .status("created")
        .created_after(utc("2024-03-06T00:00:00Z"))
        .created_before(utc("2024-03-11T00:00:00Z"))
        .via(strings(&["inboundCall", "visit"]))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    let ids: Vec<&str> = interactions.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            INTERACTION_ID,
            "65ec6f47b2e1a90013d7c5e4",
            "65ee0d9ac3f5b20012a4e7d1"
        ]
    );
}

// ---- notifications ----

#[tokio::test]
async fn list_topics_reads_the_four_known_topics() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/notifications/topics")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/topics.json"));
        })
        .await;

    let topics = client(&server).list_topics().send().await.unwrap();

    mock.assert_async().await;
    let names: Vec<String> = topics.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["prospects", "interactions", "quotes", "agents"]);
    assert!(topics
        .iter()
        .all(|t| matches!(t.name, types::TopicName::KnownTopicName(_))));
}

#[tokio::test]
async fn list_subscriptions_reads_the_active_subscriptions() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/notifications/subscriptions")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(json!([fixture("conversion/subscription.json")]));
        })
        .await;

    let subscriptions = client(&server).list_subscriptions().send().await.unwrap();

    mock.assert_async().await;
    assert_eq!(subscriptions.len(), 1);
    assert_eq!(subscriptions[0].id, SUBSCRIPTION_ID);
    assert_eq!(subscriptions[0].active, Some(true));
}

#[tokio::test]
async fn create_subscription_posts_topics_and_callback_and_reads_the_201() {
    let server = MockServer::start_async().await;
    let request: types::NewSubscription = round_trip(&new_subscription());
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/notifications/subscriptions")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(new_subscription());
            then.status(201)
                .json_body(fixture("conversion/subscription.json"));
        })
        .await;

    let created = client(&server)
        .create_subscription()
        .body(request)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.status().as_u16(), 201);
    let subscription = created.into_inner();
    assert_eq!(
        subscription,
        typed::<types::Subscription>(fixture("conversion/subscription.json"))
    );
    let topics: Vec<String> = subscription.topics.iter().map(|t| t.to_string()).collect();
    assert_eq!(topics, ["prospects", "interactions"]);
    assert!(subscription
        .callback_url
        .ends_with("?secret=6f1e9a0c4b7d2e8f3a5c1b9d7e2f4a6c"));
}

#[tokio::test]
async fn delete_subscriptions_reads_how_many_were_deactivated() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/notifications/subscriptions")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(json!({"modified": 3}));
        })
        .await;

    let result = client(&server).delete_subscriptions().send().await.unwrap();

    mock.assert_async().await;
    assert_eq!(result.modified, 3);
}

#[tokio::test]
async fn get_subscription_uses_the_singular_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/notifications/subscription/{SUBSCRIPTION_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/subscription.json"));
        })
        .await;

    let subscription = client(&server)
        .get_subscription()
        .subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(subscription.id, SUBSCRIPTION_ID);
    assert_eq!(subscription.topics.len(), 2);
}

#[tokio::test]
async fn delete_subscription_uses_the_singular_path_and_reads_it_inactive() {
    let server = MockServer::start_async().await;
    let mut answer = fixture("conversion/subscription.json");
    answer["active"] = json!(false);
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("/notifications/subscription/{SUBSCRIPTION_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(answer);
        })
        .await;

    let subscription = client(&server)
        .delete_subscription()
        .subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(subscription.id, SUBSCRIPTION_ID);
    assert_eq!(subscription.active, Some(false));
}

// ---- directory ----

#[tokio::test]
async fn list_agents_sends_group_and_active_filters() {
    let server = MockServer::start_async().await;
    let filtered = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/agents")
                .query_param("api-key", KEY)
                .query_param("group", GROUP_ID)
                .query_param("active", "true")
                .query_param_count(".*", ".*", 3);
            then.status(200)
                .json_body(fixture("conversion/agents.json"));
        })
        .await;
    let inactive = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/agents")
                .query_param("api-key", KEY)
                // `false` is sent, not dropped.
                .query_param("active", "false")
                .query_param_missing("group");
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = client(&server);

    let agents = c
        .list_agents()
        .group(GROUP_ID)
        .active(true)
        .send()
        .await
        .unwrap();
    let none = c.list_agents().active(false).send().await.unwrap();

    filtered.assert_async().await;
    inactive.assert_async().await;
    assert!(none.is_empty());
    assert_eq!(agents.len(), 2);
    assert_eq!(agents[0].id, AGENT_ID);
    assert_eq!(agents[1].legacy_id.as_deref(), Some("4821"));
    assert_eq!(agents[1].external_id, Some(json!("VND-0142")));
    assert_eq!(agents[1].app_fields["ramal"], "214");
}

#[tokio::test]
async fn list_groups_reads_the_groups() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/groups.json");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/groups")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(body.clone());
        })
        .await;

    let groups = client(&server)
        .list_groups()
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(normalized(&to_json(&groups)), normalized(&body));
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].type_, ["store"]);
    assert_eq!(
        groups[1].display_name.as_deref(),
        Some("Vitória Veículos - Leads Digitais")
    );
}

#[tokio::test]
async fn get_group_puts_the_id_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/group/{GROUP_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/groups.json")[0].clone());
        })
        .await;

    let group = client(&server)
        .get_group()
        .group_id(GROUP_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(group.id, GROUP_ID);
    assert_eq!(group.timezone.as_deref(), Some("America/Sao_Paulo"));
    assert_eq!(group.country_code.as_deref(), Some("BR"));
}

// ---- requests refused before sending ----

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = client(&server);

    let zero_limit = c.list_prospects().limit(0u64).send().await.unwrap_err();
    assert!(
        matches!(zero_limit, Error::InvalidRequest(_)),
        "{zero_limit}"
    );
    let zero_limit = c.list_interactions().limit(0u64).send().await.unwrap_err();
    assert!(
        matches!(zero_limit, Error::InvalidRequest(_)),
        "{zero_limit}"
    );
    let no_id = c.get_prospect().send().await.unwrap_err();
    assert!(matches!(no_id, Error::InvalidRequest(_)), "{no_id}");
    let no_body = c
        .create_prospect_interaction()
        .prospect_id(MERGED_ID)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(no_body, Error::InvalidRequest(_)), "{no_body}");
    let no_source = c
        .create_retail_lead()
        .body_map(|lead| lead.phones(strings(&["+5511912345678"])))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&no_source, Error::InvalidRequest(m) if m.contains("utm_source")),
        "{no_source}"
    );
    assert_eq!(any.calls_async().await, 0);
}

// ---- failures ----

#[tokio::test]
async fn the_vendor_error_body_is_typed_on_every_operation() {
    let body = fixture("conversion/error.400.json");
    for op in ALL {
        let server = MockServer::start_async().await;
        let failing = server
            .mock_async(|when, then| {
                when.method(op.method())
                    .path(op.path())
                    .query_param("api-key", KEY);
                then.status(400).json_body(body.clone());
            })
            .await;

        let err = op.send(&client(&server)).await.unwrap_err();

        failing.assert_calls_async(1).await;
        let rv = vendor_error(err);
        assert_eq!(rv.status().as_u16(), 400, "{op:?}");
        assert_eq!(header_of(&rv, SYNTHESIZED_HEADER), None, "{op:?}");
        let error = rv.into_inner();
        assert_eq!(error.code.as_deref(), Some("UNEXPECTED_ERROR"), "{op:?}");
        assert_eq!(
            error.message.as_deref(),
            Some("This app does not have the permissions to send notifications"),
            "{op:?}"
        );
        assert_eq!(error.summary.as_deref(), Some("ValidationError"), "{op:?}");
        assert_eq!(to_json(&error), body, "{op:?}: nothing lost");
    }
}

#[tokio::test]
async fn an_empty_404_on_create_prospect_interaction_gets_the_vendor_error_shape() {
    // Seen live: an unknown prospect id is answered 404 with an empty body.
    const UNKNOWN_ID: &str = "65f00000000000000000a0ff";
    let server = MockServer::start_async().await;
    let missing = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/prospect/{UNKNOWN_ID}/interactions"))
                .query_param("api-key", KEY)
                .json_body(fixture("conversion/new_event.note.json"));
            then.status(404);
        })
        .await;

    let err = client(&server)
        .create_prospect_interaction()
        .prospect_id(UNKNOWN_ID)
        .body(typed::<types::NewEvent>(fixture(
            "conversion/new_event.note.json",
        )))
        .send()
        .await
        .unwrap_err();

    missing.assert_calls_async(1).await;
    let text = err.to_string();
    assert!(text.contains("404"), "{text}");
    assert!(!text.contains(KEY), "the key leaks: {text}");
    let rv = vendor_error(err);
    assert_eq!(rv.status().as_u16(), 404);
    assert_eq!(header_of(&rv, SYNTHESIZED_HEADER), Some("true"));
    let error = rv.into_inner();
    assert_eq!(error.code.as_deref(), Some("404"));
    assert_eq!(
        error.message.as_deref(),
        Some("HTTP 404 Not Found with an empty body")
    );
    assert_eq!(error.summary.as_deref(), Some("Not Found"));
}

#[tokio::test]
async fn a_429_on_list_prospects_is_retried_then_succeeds() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects")
                .query_param("api-key", KEY)
                .query_param("status", "new")
                .header(ATTEMPT_HEADER, "1");
            rate_limited(then);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects")
                .query_param("api-key", KEY)
                .query_param("status", "new")
                .header(ATTEMPT_HEADER, "2");
            then.status(200)
                .json_body(json!([fixture("conversion/prospect.json")]));
        })
        .await;

    // The client's own backoff is long (10 s, jittered): a retry at once shows that the
    // server's `Retry-After: 0` was used.
    let logs = LogCapture::default();
    let guard = logs.install();
    let result = client_with_backoff(&server, Duration::from_secs(10))
        .list_prospects()
        .status("new")
        .send()
        .await;
    drop(guard);

    let page = result.unwrap();
    limited.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert_eq!(page[0].id, PROSPECT_ID);
    let text = logs.text();
    assert_eq!(text.matches("retrying").count(), 1, "{text}");
    assert!(text.contains("delay_ms=0"), "{text}");
    assert!(!text.contains(KEY), "the key leaks into the logs: {text}");
}

#[tokio::test]
async fn a_429_on_a_lead_post_is_not_retried_and_keeps_its_rate_limit_headers() {
    for op in LEADS {
        let server = MockServer::start_async().await;
        let limited = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path(op.path())
                    .query_param("api-key", KEY);
                rate_limited(then);
            })
            .await;

        let err = op.send(&client(&server)).await.unwrap_err();

        // A retried lead POST could create a duplicate prospect.
        limited.assert_calls_async(1).await;
        let rv = vendor_error(err);
        assert_eq!(rv.status().as_u16(), 429, "{op:?}");
        assert_eq!(header_of(&rv, "x-ratelimit-limit"), Some("60"), "{op:?}");
        assert_eq!(header_of(&rv, "x-ratelimit-remaining"), Some("0"), "{op:?}");
        assert_eq!(header_of(&rv, "x-ratelimit-reset"), Some("1"), "{op:?}");
        let error = rv.into_inner();
        assert_eq!(error.code.as_deref(), Some("429"), "{op:?}");
        assert_eq!(
            error.message.as_deref(),
            Some("HTTP 429 Too Many Requests with an empty body"),
            "{op:?}"
        );
    }
}

#[tokio::test]
async fn writes_are_sent_once_while_reads_and_deletes_are_retried() {
    for op in ALL {
        let server = MockServer::start_async().await;
        let failing = server
            .mock_async(|when, then| {
                when.method(op.method())
                    .path(op.path())
                    .query_param("api-key", KEY);
                then.status(503);
            })
            .await;

        let err = op.send(&client(&server)).await.unwrap_err();

        let attempts = if op.is_write() { 1 } else { 3 };
        failing.assert_calls_async(attempts).await;
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{op:?}");
        assert!(err.is_retryable(), "{op:?}: a caller may still retry it");
    }
}

// ---- tolerant, lossless parsing ----

#[tokio::test]
async fn an_unknown_status_and_unknown_fields_survive_a_round_trip() {
    let server = MockServer::start_async().await;
    let body = json!([
        fixture("conversion/prospect.json"),
        fixture("conversion/prospect.unknown_status.json"),
    ]);
    server
        .mock_async(|when, then| {
            when.method(GET).path("/prospects");
            then.status(200).json_body(body.clone());
        })
        .await;

    let prospects = client(&server)
        .list_prospects()
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(normalized(&to_json(&prospects)), normalized(&body));
    assert_eq!(prospects.len(), 2);
    let odd = &prospects[1];
    assert_eq!(odd.status, types::ProspectStatus::String("onHold".into()));
    assert_eq!(odd.status.to_string(), "onHold");
    assert_eq!(odd.extra["score"], 87);
    assert_eq!(odd.extra["tags"], json!(["vip"]));
    assert_eq!(odd.extra.len(), 2, "only unknown fields land in extra");
}

#[test]
fn an_interactions_webhook_delivery_parses_and_round_trips() {
    // Parsed as a receiver would: from the raw bytes of the POST body.
    let bytes = std::fs::read(fixture_path("conversion/webhook.interactions.json")).unwrap();
    let event: types::WebhookEvent = serde_json::from_slice(&bytes).unwrap();
    let original: Value = serde_json::from_slice(&bytes).unwrap();

    assert_eq!(normalized(&to_json(&event)), normalized(&original));
    assert!(event.extra.is_empty(), "{:?}", event.extra);
    assert_eq!(
        event.topic,
        types::TopicName::from(types::KnownTopicName::Interactions)
    );
    assert_eq!(
        event.type_,
        Some(types::WebhookEventType::from(
            types::KnownWebhookEventType::Created
        ))
    );
    assert_eq!(event.attempts, Some(1));
    assert_eq!(event.subscription_id.as_deref(), Some(SUBSCRIPTION_ID));
    assert_eq!(event.received, Some(utc("2024-03-05T14:07:31.482Z")));

    let prospect = event.prospect.as_ref().expect("the prospect");
    assert_eq!(prospect.id, MERGED_ID);
    assert_eq!(
        prospect.status,
        types::ProspectStatus::from(types::KnownProspectStatus::FollowUp)
    );
    assert_eq!(prospect.additional_data["rendaMensal"], 8500);
    assert_eq!(prospect.contact_mediums.len(), 2);
    assert_eq!(prospect.label.as_deref(), Some("quente"));
    assert!(prospect.extra.is_empty(), "{:?}", prospect.extra);

    let interaction = event.interaction.as_ref().expect("the interaction");
    assert_eq!(interaction.id, "65e725d3b1f4a80013c2e7a9");
    assert_eq!(
        event.operation_id.as_deref(),
        Some(interaction.id.as_str()),
        "operationId is the interaction's id"
    );
    let message = interaction
        .output
        .as_ref()
        .and_then(|o| o.message.as_ref())
        .expect("a message output");
    assert_eq!(
        message.attachment.as_ref().and_then(|a| a.type_.clone()),
        Some(types::AttachmentType::from(
            types::KnownAttachmentType::Image
        ))
    );
}

// ---- typed mock helpers ----

#[test]
fn typed_mock_helpers_match_what_the_client_sends() {
    // The generated helpers are synchronous (httpmock's `mock`), so no async runtime here
    // until the client runs.
    let server = MockServer::start();
    let prospects: Vec<types::Prospect> = vec![typed(fixture("conversion/prospect.json"))];
    let filters = strings(&["score>=50", "financiamento=1"]);
    let after = utc("2024-03-01T08:30:00.250Z");
    let page_mock = server.list_prospects(|when, then| {
        when.status("processing")
            .with_agent(true)
            .limit(NonZeroU64::new(1000).unwrap())
            .additional_data(&filters)
            .created_after(&after);
        then.ok(&prospects);
    });
    let event: types::NewEvent = typed(fixture("conversion/new_event.note.json"));
    let interactions: Vec<types::Interaction> = typed(fixture("conversion/interactions.json"));
    let event_mock = server.create_prospect_interaction(|when, then| {
        when.prospect_id(MERGED_ID).body(&event);
        then.ok(&interactions);
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let c = client(&server);
    let page = runtime
        .block_on(
            c.list_prospects()
                .status("processing")
                .with_agent(true)
                .limit(1000u64)
                .additional_data(filters)
                .created_after(after)
                .send(),
        )
        .unwrap();
    let created = runtime
        .block_on(
            c.create_prospect_interaction()
                .prospect_id(MERGED_ID)
                .body(event)
                .send(),
        )
        .unwrap();

    page_mock.assert();
    event_mock.assert();
    assert_eq!(page.into_inner(), prospects);
    assert_eq!(created.into_inner(), interactions);
}
