//! Prospects: the filtered, cursor-paged list; one prospect (get, update, delete); its
//! additional data and fields; satisfaction ratings; contact selections; and the deprecated
//! per-agent archiving reasons.

use super::http::{invalid, not_found, ok, unknown, Answer, Authorized, Body, Ids};
use super::listing::{self, listing_names, Listing, Range, Window};
use super::notifications::{notify, Change, Subject};
use super::{catalog, model};
use crate::query::{value, values, Pairs};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, patch, post};
use axum::Router;
use chrono::{DateTime, Utc};
use conversion_api::types::{self, KnownProspectStatus, Prospect};
use conversion_api::wire;
use conversion_api::wire::list_prospects::query as q;
use serde_json::{json, Value};
use std::sync::Arc;

/// The prospect routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::list_prospects::PATH, get(list))
        .route(
            wire::get_prospect::PATH,
            get(one).patch(update).delete(remove),
        )
        .route(
            wire::update_prospect_additional_data::PATH,
            patch(update_data),
        )
        .route(wire::list_prospect_additional_fields::PATH, get(fields))
        .route(wire::create_csat::PATH, post(csat))
        .route(wire::get_contacts_selection::PATH, get(selection))
        .route(
            wire::deprecated_list_archiving_reasons::PATH,
            get(archiving_reasons_of_agent),
        )
}

/// One `additionalData` filter: `FIELD<op>VALUE`.
struct DataFilter {
    field: String,
    op: &'static str,
    expected: String,
}

impl DataFilter {
    /// Splits at the first operator character; `>=` and `<=` win over `>` and `<`.
    fn parse(text: &str) -> Option<Self> {
        let at = text.find(['=', '>', '<', '~'])?;
        let (field, rest) = text.split_at(at);
        let op = ["<=", ">=", "=", ">", "<", "~"]
            .into_iter()
            .find(|op| rest.starts_with(op))?;
        (!field.is_empty()).then(|| Self {
            field: field.to_owned(),
            op,
            expected: rest[op.len()..].to_owned(),
        })
    }

    fn matches(&self, p: &Prospect) -> bool {
        let Some(actual) = p.additional_data.as_ref().and_then(|d| d.get(&self.field)) else {
            return false;
        };
        let text = match actual.as_str() {
            Some(s) => s.into_owned(),
            None => actual.json().to_owned(),
        };
        // Real traffic stores numbers as strings: compare numerically whenever both parse.
        let numbers = (text.parse::<f64>().ok(), self.expected.parse::<f64>().ok());
        match (self.op, numbers) {
            ("~", _) => text.to_lowercase().contains(&self.expected.to_lowercase()),
            ("=", _) => text == self.expected,
            (">=", (Some(a), Some(e))) => a >= e,
            (">", (Some(a), Some(e))) => a > e,
            ("<=", (Some(a), Some(e))) => a <= e,
            ("<", (Some(a), Some(e))) => a < e,
            // Values that are not both numbers compare as text.
            (">=", _) => text >= self.expected,
            (">", _) => text > self.expected,
            ("<=", _) => text <= self.expected,
            _ => text < self.expected,
        }
    }
}

/// Every filter of `GET /prospects` except the created range and the cursor.
fn filters(pairs: &Pairs) -> Result<impl Fn(&Prospect) -> bool + '_, Response> {
    let data = values(pairs, q::ADDITIONAL_DATA)
        .into_iter()
        .map(|f| {
            DataFilter::parse(f).ok_or_else(|| {
                invalid(format!(
                    "additionalData filter `{f}` must be FIELD<op>VALUE with op one of = >= > <= < ~"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let claimed = Range::parse(pairs, q::CLAIMED_AFTER, q::CLAIMED_BEFORE)?;
    let transferred = Range::parse(pairs, q::TRANSFERRED_AFTER, q::TRANSFERRED_BEFORE)?;
    let agent = listing::object_id(pairs, q::AGENT)?;
    let group = listing::object_id(pairs, q::GROUP)?;
    let with_agent = listing::flag(pairs, q::WITH_AGENT)?;
    let status = value(pairs, q::STATUS);
    let category = value(pairs, q::CATEGORY);
    let phone = value(pairs, q::PHONE_NUMBER);
    let search = value(pairs, q::SEARCH).map(str::to_lowercase);
    Ok(move |p: &Prospect| {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        status.is_none_or(|s| p.status.to_string() == s)
            && agent.is_none_or(|a| p.agent.as_ref().is_some_and(|x| x.id == a))
            && group.is_none_or(|g| p.group_id == g)
            && category.is_none_or(|c| p.category.as_deref() == Some(c))
            && phone.is_none_or(|n| p.phones.iter().flatten().any(|x| x == n))
            && with_agent.is_none_or(|w| p.agent.is_some() == w)
            && claimed.contains(p.assigned)
            && transferred.contains(p.transferred_at)
            && search.as_ref().is_none_or(|s| {
                let name = format!("{} {}", text(&p.first_name), text(&p.last_name));
                let contacts = p.phones.iter().chain(&p.emails).flatten();
                contacts
                    .chain(std::iter::once(&name))
                    .any(|x| x.to_lowercase().contains(s))
            })
            && data.iter().all(|f| f.matches(p))
    })
}

async fn list(State(state): State<Arc<AppState>>, Authorized(pairs): Authorized) -> Answer {
    let listing = Listing::parse(
        &pairs,
        &listing_names!(list_prospects),
        state.config.anchor,
        Window::ThirtyOneDays,
        q::LIMIT_MAXIMUM,
    )?;
    let keep = filters(&pairs)?;
    let inner = state.conversion.lock();
    let rows = inner
        .prospects
        .values()
        .filter(|p| keep(p))
        .map(|p| (p.id.clone(), Some(p.created), p.clone()))
        .collect();
    Ok(ok(listing.apply(rows)))
}

async fn one(State(state): State<Arc<AppState>>, _: Authorized, Ids(id): Ids<String>) -> Answer {
    Ok(ok(state.conversion.lock().prospect(&id)?))
}

/// Applies an `UpdateProspect` to `p`, after checking every value (nothing changes when one
/// is refused). An archiving reason archives the prospect. `[phone, email]` are the ids of
/// the contact mediums a new phone or e-mail gets.
pub(crate) fn apply_update(
    p: &mut Prospect,
    body: &types::UpdateProspect,
    [phone_medium, email_medium]: [String; 2],
) -> Result<(), Response> {
    let known = |list: &[(&str, &str)], key: &str| list.iter().any(|(k, _)| *k == key);
    if let Some(reason) = body
        .archiving_reason
        .as_deref()
        .filter(|r| !known(&catalog::ARCHIVING_REASONS, r))
    {
        return Err(unknown(format!(
            "archiving reason {reason} (see GET /as-user/archiving-reasons)"
        )));
    }
    if let Some(label) = body
        .label
        .as_deref()
        .filter(|l| !known(&catalog::LABELS, l))
    {
        return Err(unknown(format!("label {label} (see GET /as-user/labels)")));
    }
    if let Some(email) = body.email.as_deref().filter(|e| !is_email(e)) {
        return Err(invalid(format!("{email} is not an e-mail address")));
    }
    if let Some(reason) = &body.archiving_reason {
        p.archiving_reason = Some(reason.clone());
        p.status = KnownProspectStatus::Archived.into();
    }
    if let Some(v) = &body.first_name {
        p.first_name = Some(v.clone());
    }
    if let Some(v) = &body.last_name {
        p.last_name = Some(v.clone());
    }
    if let Some(v) = &body.phone {
        model::add_phone(p, v, || phone_medium);
    }
    if let Some(v) = &body.email {
        model::add_email(p, v, || email_medium);
    }
    if let Some(v) = &body.label {
        model::set_label(p, Some(v.clone()));
    }
    Ok(())
}

/// Ids for the contact mediums an update may add.
/// Changes the prospect `id` with `change` under the lock (nothing changes when it refuses),
/// notifies the subscribers and answers with the prospect as it now is.
pub(crate) fn changed(
    state: &Arc<AppState>,
    id: &str,
    change: impl FnOnce(&mut super::Inner) -> Result<(), Response>,
) -> Answer {
    let updated = {
        let mut inner = state.conversion.lock();
        change(&mut inner)?;
        inner.prospect(id)?.clone()
    };
    notify(state, Change::Updated, Subject::Prospect(updated.clone()));
    Ok(ok(updated))
}

pub(crate) fn medium_ids(inner: &mut super::Inner, anchor: DateTime<Utc>) -> [String; 2] {
    [inner.tick(anchor).1, inner.tick(anchor).1]
}

/// A plausible e-mail address: `local@domain` with a dot in the domain and no spaces.
/// As lax as JSON Schema's `format: email` check: an `@` between two non-empty parts.
pub(crate) fn is_email(text: &str) -> bool {
    text.rsplit_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
}

async fn update(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
    Body(body): Body<types::UpdateProspect>,
) -> Answer {
    changed(&state, &id, |inner| {
        let mediums = medium_ids(inner, state.config.anchor);
        apply_update(inner.prospect_mut(&id)?, &body, mediums)
    })
}

/// Deleting is no `created`/`updated` change, so no webhook is sent for it.
async fn remove(State(state): State<Arc<AppState>>, _: Authorized, Ids(id): Ids<String>) -> Answer {
    let mut inner = state.conversion.lock();
    let p = inner
        .prospects
        .remove(&id)
        .ok_or_else(|| not_found("prospect", &id))?;
    inner.interactions.remove(&id);
    inner.quotes.remove(&id);
    inner.orders.remove(&id);
    Ok(ok(p))
}

async fn update_data(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
    Body(body): Body<types::UpdateAdditionalData>,
) -> Answer {
    state.conversion.exists(&id)?;
    if let Some(key) = body
        .keys()
        .find(|k| !catalog::ADDITIONAL_FIELDS.iter().any(|(f, _)| f == k))
    {
        return Err(unknown(format!(
            "additional field {key} (see GET /prospect/{id}/prospectAdditionalFields)"
        )));
    }
    changed(&state, &id, |inner| {
        let p = inner.prospect_mut(&id)?;
        let data = p.additional_data.get_or_insert_with(Default::default);
        for (key, v) in &body.0 {
            // `null` clears a field.
            if v.is_null() {
                data.remove(key);
            } else {
                data.insert(key, v.to_value());
            }
        }
        Ok(())
    })
}

async fn fields(State(state): State<Arc<AppState>>, _: Authorized, Ids(id): Ids<String>) -> Answer {
    state.conversion.lock().prospect(&id)?;
    let fields: Vec<types::ProspectAdditionalField> = catalog::ADDITIONAL_FIELDS
        .iter()
        .map(|(key, name)| types::ProspectAdditionalField {
            key: Some((*key).to_owned()),
            name: Some((*name).to_owned()),
            extra: Default::default(),
        })
        .collect();
    Ok(ok(fields))
}

/// Stores the rating as the prospect's `csat` (a field the spec's open `Prospect` allows;
/// the reference says nowhere else where a rating shows) and answers with it.
async fn csat(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
    Body(rating): Body<types::Csat>,
) -> Answer {
    let (updated, stored) = {
        let mut inner = state.conversion.lock();
        let (at, rating_id) = inner.tick(state.config.anchor);
        let stored = csat_record(rating_id, &id, at, &rating);
        let p = inner.prospect_mut(&id)?;
        p.extra.insert("csat", stored.clone());
        (p.clone(), stored)
    };
    notify(&state, Change::Updated, Subject::Prospect(updated));
    Ok(ok(stored))
}

fn csat_record(id: String, prospect_id: &str, at: DateTime<Utc>, rating: &types::Csat) -> Value {
    let mut record = json!({"id": id, "prospectId": prospect_id, "result": rating.result,
        "createdAt": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)});
    if let Some(comment) = &rating.comment {
        record["comment"] = json!(comment);
    }
    record
}

/// A page of a contact selection, oldest contact first, with the requested `fields`.
async fn selection(
    State(state): State<Arc<AppState>>,
    Authorized(pairs): Authorized,
    Ids(id): Ids<String>,
) -> Answer {
    let selection = catalog::SELECTIONS
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(|| not_found("contact selection", &id))?;
    use conversion_api::wire::get_contacts_selection::query as selection;
    let offset = listing::count(&pairs, selection::OFFSET, 0, u64::MAX)?.unwrap_or(0);
    let limit = listing::count(&pairs, selection::LIMIT, 1, u64::MAX)?.unwrap_or(100);
    let fields = values(&pairs, selection::FIELDS);
    let inner = state.conversion.lock();
    let held: Vec<&Prospect> = inner
        .prospects
        .values()
        .filter(|p| (selection.holds)(p))
        .collect();
    let contacts = held
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|p| {
            if fields.is_empty() {
                (*p).clone()
            } else {
                model::project(p, &fields)
            }
        })
        .collect();
    Ok(ok(types::ProspectsPaginated {
        contacts: Some(contacts),
        total: Some(held.len() as f64),
        extra: Default::default(),
    }))
}

/// The archiving reasons of an agent (every agent has the account's).
async fn archiving_reasons_of_agent(Authorized(pairs): Authorized) -> Answer {
    let agent = value(&pairs, q::AGENT)
        .ok_or_else(|| super::http::schema_invalid("`agent` is required"))?;
    catalog::agent_index(agent).ok_or_else(|| not_found("agent", agent))?;
    Ok(ok(super::catalog::archiving_reasons()))
}
