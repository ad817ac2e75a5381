//! Leads: the five kinds turn into a new prospect in the integration's group, or merge into
//! the prospect that already has one of their phones or e-mails (`merged: true`). The lead's
//! `history` becomes interactions, returned with the prospect. Also the categories and the
//! defaults leads are read with.

use super::catalog::{self, GROUPS};
use super::http::{invalid, ok, schema_invalid, Answer, Authorized, Body};
use super::notifications::{notify, Change, Subject};
use super::prospects::is_email;
use super::{interactions, model, Inner};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use conversion_api::types::{self, Interaction, KnownDistanceUnit, KnownLeadType, Prospect};
use conversion_api::wire;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The lead routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::create_retail_lead::PATH, post(retail))
        .route(wire::create_vehicle_lead::PATH, post(vehicle))
        .route(wire::create_insurance_lead::PATH, post(insurance))
        .route(wire::create_saving_plan_lead::PATH, post(saving_plan))
        .route(wire::create_real_estate_lead::PATH, post(real_estate))
        .route(wire::list_lead_categories::PATH, get(categories))
        .route(wire::get_lead_defaults::PATH, get(defaults))
}

/// One handler per lead operation: each reads its own body type and makes its kind of lead.
macro_rules! lead_handlers {
    ($($handler:ident: $body:ident => $kind:ident;)+) => {$(
        async fn $handler(
            State(s): State<Arc<AppState>>,
            _: Authorized,
            Body(lead): Body<types::$body>,
        ) -> Answer {
            create(&s, KnownLeadType::$kind, &lead)
        }
    )+};
}

lead_handlers! {
    retail: RetailLead => Retail;
    vehicle: VehicleLead => Vehicle;
    insurance: InsuranceLead => Insurance;
    saving_plan: SavingPlanLead => SavingPlan;
    real_estate: RealEstateLead => RealEstate;
}

/// The fields every kind of lead shares (`Lead`), and the kind's product as JSON.
fn common<T: Serialize>(lead: &T) -> Result<(types::Lead, Option<Map<String, Value>>), Response> {
    let value = serde_json::to_value(lead).map_err(|e| schema_invalid(e.to_string()))?;
    let product = value.get("product").and_then(Value::as_object).cloned();
    let common = serde_json::from_value(value).map_err(|e| schema_invalid(e.to_string()))?;
    Ok((common, product))
}

/// Refuses a lead the vendor refuses: no `utmSource` or a bad e-mail.
fn validate(lead: &types::Lead) -> Result<(), Response> {
    if lead.utm_source.is_empty() {
        return Err(invalid("utmSource is required"));
    }
    // A lead without a phone or an e-mail cannot be worked, but the API takes it (the
    // facade's lead builder is what refuses one).
    if let Some(bad) = lead.emails.iter().find(|e| !is_email(e)) {
        return Err(invalid(format!("{bad} is not an e-mail address")));
    }
    // A category the group does not have is taken as a hint, like `company` and `store`:
    // the lead still arrives, with the category it was sent with.
    Ok(())
}

fn create<T: Serialize>(state: &Arc<AppState>, kind: KnownLeadType, lead: &T) -> Answer {
    let (lead, product) = common(lead)?;
    validate(&lead)?;
    let (prospect, merged, history) = {
        let mut inner = state.conversion.lock();
        let (at, _) = inner.tick(state.config.anchor);
        let data = lead_data(&lead, product, kind, at);
        let duplicate = inner
            .prospects
            .values()
            .find(|p| is_duplicate(p, &lead))
            .map(|p| p.id.clone());
        let merged = duplicate.is_some();
        let id = match duplicate {
            Some(id) => id,
            None => {
                let id = inner.id_at(at);
                let p = model::prospect(id.clone(), at, &GROUPS[0]);
                inner.prospects.insert(id.clone(), p);
                id
            }
        };
        absorb(&mut inner, &id, &lead, data, at);
        let prospect = inner.prospect(&id)?.clone();
        let history: Vec<Interaction> = lead
            .history
            .iter()
            .map(|event| {
                let (at, iid) = inner.tick(state.config.anchor);
                interactions::from_event(iid, &prospect, at, event)
            })
            .collect();
        inner
            .interactions
            .entry(id)
            .or_default()
            .extend(history.clone());
        (prospect, merged, history)
    };
    let change = if merged {
        Change::Updated
    } else {
        Change::Created
    };
    notify(state, change, Subject::Prospect(prospect.clone()));
    for interaction in &history {
        notify(
            state,
            Change::Created,
            Subject::Interaction(prospect.clone(), interaction.clone()),
        );
    }
    let mut answer = model::created_answer(&prospect, history);
    answer.merged = Some(merged);
    Ok(ok(answer))
}

/// Whether `p` has one of the lead's phones or e-mails.
fn is_duplicate(p: &Prospect, lead: &types::Lead) -> bool {
    let phone = |x: &String| lead.phones.iter().any(|n| !n.trim().is_empty() && n == x);
    let email = |x: &String| lead.emails.iter().any(|e| e.eq_ignore_ascii_case(x));
    p.phones.iter().flatten().any(phone) || p.emails.iter().flatten().any(email)
}

/// Adds the lead to prospect `id`: the lead itself, new contact data, names and
/// identification numbers it did not have yet.
fn absorb(
    inner: &mut Inner,
    id: &str,
    lead: &types::Lead,
    data: types::LeadData,
    at: DateTime<Utc>,
) {
    let fresh: Vec<String> = (0..lead.phones.len() + lead.emails.len() + lead.nin.len())
        .map(|_| inner.id_at(at))
        .collect();
    let mut fresh = fresh.into_iter();
    let Some(p) = inner.prospects.get_mut(id) else {
        return;
    };
    p.leads.push(data);
    for phone in lead.phones.iter().filter(|n| !n.trim().is_empty()) {
        model::add_phone(p, phone, || fresh.next().unwrap_or_default());
    }
    for email in &lead.emails {
        model::add_email(p, email, || fresh.next().unwrap_or_default());
    }
    if p.first_name.is_none() {
        p.first_name = lead.first_name.clone();
    }
    if p.last_name.is_none() {
        p.last_name = lead.last_name.clone();
    }
    if p.category.is_none() {
        p.category = lead.category.clone();
    }
    let nin = p.nin.get_or_insert_with(Vec::new);
    for given in &lead.nin {
        if !nin.iter().any(|n| n.type_ == given.type_) {
            // As in real traffic, the stored entry has an `_id` and no `number`.
            nin.push(types::Nin {
                id: fresh.next(),
                number: None,
                type_: given.type_.clone(),
                extra: Default::default(),
            });
        }
    }
}

/// The lead as stored on the prospect: the UTM values under both their names (real traffic
/// carries `medium`/`utmMedium` and `campaign`/`utmCampaign`) and the integration's key.
fn lead_data(
    lead: &types::Lead,
    product: Option<Map<String, Value>>,
    kind: KnownLeadType,
    at: DateTime<Utc>,
) -> types::LeadData {
    let mut data = model::lead_data(at, &lead.utm_source, &lead.utm_source, kind);
    data.priority = lead.priority;
    data.comments = lead.comments.clone();
    data.company = lead.company.clone();
    data.store = lead.store.clone();
    data.agent = lead.agent.clone();
    data.provider_lead_id = lead.provider_lead_id.clone();
    data.provider_key = Some(catalog::PROVIDER_KEY.to_owned());
    (data.medium, data.utm_medium) = (lead.utm_medium.clone(), lead.utm_medium.clone());
    (data.campaign, data.utm_campaign) = (lead.utm_campaign.clone(), lead.utm_campaign.clone());
    data.product = product.map(Into::into);
    data
}

// Shaped like act_as_user's `labels` and prospects' `fields`: each turns its own catalog
// table into its own generated type.
async fn categories(_: Authorized) -> Answer {
    let list: Vec<types::Category> = catalog::CATEGORIES
        .iter()
        .map(|(name, description)| types::Category {
            description: Some((*description).to_owned()),
            name: Some((*name).to_owned()),
            extra: Default::default(),
        })
        .collect();
    Ok(ok(list))
}

async fn defaults(_: Authorized) -> Answer {
    Ok(ok(types::Defaults {
        currency: "BRL".to_owned(),
        distance: KnownDistanceUnit::Km.into(),
        extra: Default::default(),
    }))
}
