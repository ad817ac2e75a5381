//! Interactions: a prospect's list and one interaction, events registered on a prospect
//! (note, message, call, question), updates of a message's delivery or a question's answer,
//! and the list across prospects (cursor, newest first, 31-day rule).

use super::http::{conflict, not_found, ok, Answer, Authorized, Body, Ids};
use super::listing::{listing_names, Listing, Range, Window};
use super::notifications::{notify, Change, Subject};
use super::{catalog, model};
use crate::query::{value, values, Pairs};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use conversion_api::types::{
    Interaction, KnownInteractionVia as Via, KnownMessagePerformer, NewEvent, Prospect, UpdateEvent,
};
use conversion_api::wire;
use conversion_api::wire::list_interactions::query as q;
use serde_json::{json, Value};
use std::sync::Arc;

/// The interaction routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            wire::list_prospect_interactions::PATH,
            get(list).post(create),
        )
        .route(wire::get_prospect_interaction::PATH, get(one).put(update))
        .route(wire::list_interactions::PATH, get(list_all))
}

/// The `status`, `via` (repeated) and `agent` filters.
fn keeps<'a>(pairs: &'a Pairs) -> impl Fn(&Interaction) -> bool + 'a {
    let status = value(pairs, q::STATUS);
    let via = values(pairs, q::VIA);
    let agent = value(pairs, q::AGENT);
    move |i| {
        status.is_none_or(|s| i.status == s)
            && (via.is_empty()
                || i.via
                    .as_ref()
                    .is_some_and(|v| via.contains(&model::via_str(v).as_str())))
            && agent.is_none_or(|a| i.agent_id.as_deref() == Some(a))
    }
}

async fn list(
    State(state): State<Arc<AppState>>,
    Authorized(pairs): Authorized,
    Ids(id): Ids<String>,
) -> Answer {
    let created = Range::parse(&pairs, q::CREATED_AFTER, q::CREATED_BEFORE)?;
    let keep = keeps(&pairs);
    let inner = state.conversion.lock();
    inner.prospect(&id)?;
    let rows: Vec<&Interaction> = inner
        .interactions
        .get(&id)
        .into_iter()
        .flatten()
        .filter(|i| keep(i) && created.contains(i.created_at))
        .collect();
    Ok(ok(rows))
}

async fn create(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
    Body(event): Body<NewEvent>,
) -> Response {
    let (prospect, interaction) = {
        let mut inner = state.conversion.lock();
        let Some(prospect) = inner.prospects.get(&id).cloned() else {
            // The live API answers this 404 with an empty body; the spec documents every error
            // as the vendor's JSON error, so the sandbox sends that (the client reads both).
            return not_found("prospect", &id);
        };
        let (at, iid) = inner.tick(state.config.anchor);
        let interaction = from_event(iid, &prospect, at, &event);
        inner
            .interactions
            .entry(id)
            .or_default()
            .push(interaction.clone());
        (prospect, interaction)
    };
    notify(
        &state,
        Change::Created,
        Subject::Interaction(prospect, interaction.clone()),
    );
    ok(vec![interaction])
}

/// The interaction an event registers on `p` at `at`. Events come from the integration, so
/// a message is inbound (`performer: integration`) and nothing is proactive.
pub(crate) fn from_event(
    id: String,
    p: &Prospect,
    at: DateTime<Utc>,
    event: &NewEvent,
) -> Interaction {
    let phone = p
        .phones
        .iter()
        .flatten()
        .next()
        .cloned()
        .unwrap_or_default();
    match event {
        NewEvent::Note { content } => {
            let mut i = model::interaction(id, &p.id, at, Via::Other);
            if let Some(output) = i.output.as_mut() {
                output.comment = content.clone();
            }
            i
        }
        NewEvent::Message {
            attachment,
            buttons,
            channel_interaction,
            content,
            delivered,
            list,
            order,
            product_list,
            provider_id,
            recipient,
            replies_to,
            sender,
        } => {
            let mut i = model::interaction(id.clone(), &p.id, at, Via::WhatsApp);
            let mut m = model::message(
                Via::WhatsApp,
                KnownMessagePerformer::Integration,
                content.as_deref().unwrap_or_default(),
                sender.as_deref().unwrap_or(&phone),
                recipient.as_deref().unwrap_or(catalog::WHATSAPP_NUMBER),
                provider_id.clone().unwrap_or_else(|| format!("sbx.{id}")),
            );
            m.delivered = Some(delivered.unwrap_or(false));
            m.attachment = attachment.clone();
            let parts = json!({"repliesTo": replies_to, "list": list, "buttons": buttons,
                "productList": product_list, "order": order, "channelInteraction": channel_interaction});
            for (k, v) in parts.as_object().into_iter().flatten() {
                if !v.is_null() {
                    m.extra.insert(k.clone(), v.clone());
                }
            }
            i.proactive = Some(false);
            if let Some(output) = i.output.as_mut() {
                output.message = Some(m);
            }
            i
        }
        NewEvent::Call {
            duration,
            provider_id,
            recording_url,
            started_at,
            utm_source,
        } => {
            let mut i = model::interaction(id, &p.id, at, Via::InboundCall);
            let started = started_at.unwrap_or(at);
            let millis = duration
                .filter(|d| d.is_finite() && *d >= 0.0)
                .unwrap_or(0.0);
            i.started_at = Some(started);
            // At most a day; `startedAt` is the client's, so the sum must not overflow.
            let length = Duration::milliseconds(millis.min(8.64e7) as i64);
            i.finished_at = Some(started.checked_add_signed(length).unwrap_or(started));
            i.proactive = Some(false);
            if let Some(output) = i.output.as_mut() {
                output.call_successful = Some(millis > 0.0);
            }
            put(&mut i, "providerId", json!(provider_id));
            put(&mut i, "recordingUrl", json!(recording_url));
            put(&mut i, "utmSource", json!(utm_source));
            put(&mut i, "duration", json!(duration));
            i
        }
        NewEvent::Question {
            answer,
            cancel_reason,
            delivered,
            provider_id,
            question,
            thread_title,
            thread_url,
        } => {
            let mut i = model::interaction(id, &p.id, at, Via::Other);
            i.proactive = Some(false);
            if let Some(output) = i.output.as_mut() {
                output.response = answer.clone();
                output.status =
                    Some(question_status(answer.is_some(), cancel_reason.is_some()).to_owned());
            }
            put(&mut i, "question", json!(question));
            put(&mut i, "threadTitle", json!(thread_title));
            put(&mut i, "threadUrl", json!(thread_url));
            put(&mut i, "providerId", json!(provider_id));
            put(&mut i, "cancelReason", json!(cancel_reason));
            put(&mut i, "delivered", json!(delivered));
            i
        }
    }
}

/// Keeps a given event field in the interaction's `output` (the spec's output has no field
/// for it; unknown fields are allowed).
fn put(i: &mut Interaction, key: &str, v: Value) {
    if let Some(output) = i.output.as_mut().filter(|_| !v.is_null()) {
        output.extra.insert(key, v);
    }
}

/// The outcome status of a question: `opened`, `answered` or `cancelled`.
fn question_status(answered: bool, cancelled: bool) -> &'static str {
    match (answered, cancelled) {
        (_, true) => "cancelled",
        (true, false) => "answered",
        (false, false) => "opened",
    }
}

async fn one(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids((id, iid)): Ids<(String, String)>,
) -> Answer {
    let inner = state.conversion.lock();
    inner.prospect(&id)?;
    let found = inner
        .interactions
        .get(&id)
        .and_then(|l| l.iter().find(|i| i.id == iid));
    found.map(ok).ok_or_else(|| not_found("interaction", &iid))
}

async fn update(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids((id, iid)): Ids<(String, String)>,
    Body(event): Body<UpdateEvent>,
) -> Answer {
    let (prospect, updated) = {
        let mut inner = state.conversion.lock();
        let prospect = inner.prospect(&id)?.clone();
        let interaction = inner
            .interactions
            .get_mut(&id)
            .and_then(|l| l.iter_mut().find(|i| i.id == iid))
            .ok_or_else(|| not_found("interaction", &iid))?;
        apply_update(interaction, &event)?;
        interaction.status = "updated".to_owned();
        (prospect, interaction.clone())
    };
    notify(
        &state,
        Change::Updated,
        Subject::Interaction(prospect, updated.clone()),
    );
    Ok(ok(updated))
}

/// Applies an update event, after checking it fits the interaction (nothing changes when it
/// does not): a message update needs a message and a known status, a question update a
/// question.
fn apply_update(i: &mut Interaction, event: &UpdateEvent) -> Result<(), Response> {
    let id = i.id.clone();
    let output = i.output.as_mut();
    match event {
        UpdateEvent::MessageEvent(update) => {
            let message = output
                .and_then(|o| o.message.as_mut())
                .ok_or_else(|| conflict(format!("interaction {id} is not a message")))?;
            // The spec's enum already refused any other status.
            if let Some(status) = &update.status {
                message.extra.insert("status", json!(status));
            }
            if let Some(delivered) = update.delivered {
                message.delivered = Some(delivered);
            }
            if !update.error.is_empty() {
                let error = Value::from(update.error.clone());
                message.extra.insert("error", error);
            }
        }
        UpdateEvent::QuestionEvent(update) => {
            let question = ["opened", "answered", "cancelled"];
            let output = output
                .filter(|o| o.status.as_deref().is_some_and(|s| question.contains(&s)))
                .ok_or_else(|| conflict(format!("interaction {id} is not a question")))?;
            if let Some(reason) = &update.cancel_reason {
                output.status = Some(question_status(false, true).to_owned());
                output.extra.insert("cancelReason", json!(reason));
            } else if let Some(answer) = &update.answer {
                output.status = Some(question_status(true, false).to_owned());
                output.response = Some(answer.clone());
            }
            if let Some(delivered) = update.delivered {
                output.extra.insert("delivered", json!(delivered));
            }
        }
    }
    Ok(())
}

async fn list_all(State(state): State<Arc<AppState>>, Authorized(pairs): Authorized) -> Answer {
    let listing = Listing::parse(
        &pairs,
        &listing_names!(list_interactions),
        state.config.anchor,
        Window::ThirtyOneDays,
        q::LIMIT_MAXIMUM,
    )?;
    let keep = keeps(&pairs);
    let inner = state.conversion.lock();
    let rows = inner
        .interactions
        .values()
        .flatten()
        .filter(|i| keep(i))
        .map(|i| (i.id.clone(), i.created_at, i.clone()))
        .collect();
    Ok(ok(listing.apply(rows)))
}
