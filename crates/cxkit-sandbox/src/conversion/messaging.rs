//! Messaging: the account's channels (WhatsApp with its templates, Facebook, Instagram), the
//! channels a prospect can be reached on, outbound messages, files and template messages
//! (each recorded as an interaction of the integration's user and answered as a bare
//! array), and the orders prospects placed.

use super::catalog::{self, CHANNELS, TEMPLATES};
use super::http::{
    conflict, invalid, not_found, ok, schema_invalid, unknown, Answer, Authorized, Body, Ids,
};
use super::multipart::Form;
use super::notifications::{notify, Change, Subject};
use super::{listing, model};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use conversion_api::types::{
    self, AttachmentType, InteractionMessage, KnownAttachmentType, KnownInteractionVia as Via,
    KnownMessagePerformer, Prospect,
};
use conversion_api::wire;
use conversion_api::wire::list_prospect_orders::query as q;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The messaging routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::list_channels::PATH, get(channels))
        .route(wire::list_prospect_channels::PATH, get(prospect_channels))
        .route(wire::send_message::PATH, post(send))
        .route(wire::send_file::PATH, post(send_file))
        .route(wire::send_template_message::PATH, post(send_template))
        .route(wire::list_prospect_orders::PATH, get(orders))
}

fn channel(name: &str, id: &str) -> types::Channel {
    let templates = (name == "whatsapp").then(|| {
        TEMPLATES
            .iter()
            .map(|t| types::TransactionalTemplate {
                body: Some(t.body.to_owned()),
                key: Some(t.key.to_owned()),
                name: Some(t.name.to_owned()),
                template: Some(t.provider_name.to_owned()),
                extra: Default::default(),
            })
            .collect()
    });
    types::Channel {
        channel: types::CommunicationChannel::String(name.to_owned()),
        channel_id: id.to_owned(),
        templates: Some(templates.unwrap_or_default()),
        extra: Default::default(),
    }
}

async fn channels(_: Authorized) -> Answer {
    let all: Vec<types::Channel> = CHANNELS.iter().map(|(n, id)| channel(n, id)).collect();
    Ok(ok(all))
}

async fn prospect_channels(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
) -> Answer {
    let inner = state.conversion.lock();
    let p = inner.prospect(&id)?;
    let reachable: Vec<types::Channel> = CHANNELS
        .iter()
        .filter(|(name, _)| recipient(p, name).is_some())
        .map(|(n, id)| channel(n, id))
        .collect();
    Ok(ok(reachable))
}

/// The medium of a `{channel}` path value (`404` for an unknown channel).
fn via_of(channel: &str) -> Result<Via, Response> {
    match channel {
        "whatsapp" => Ok(Via::WhatsApp),
        "facebook" => Ok(Via::Facebook),
        "instagram" => Ok(Via::Instagram),
        other => Err(not_found("channel", other)),
    }
}

/// Who receives a message to `p` on `channel`: a phone for WhatsApp, the prospect's id on
/// the social network otherwise.
fn recipient(p: &Prospect, channel: &str) -> Option<String> {
    match channel {
        "whatsapp" => p.phones.iter().flatten().next().cloned(),
        social => p
            .contact_mediums
            .iter()
            .flatten()
            .find(|m| m.type_.as_deref() == Some(social))
            .and_then(|m| m.medium_id.clone().or_else(|| m.id.clone())),
    }
}

/// Records an outbound message of the integration's user to prospect `id` on `channel`:
/// `fill` sets what the kind of message adds. Answers with the interaction, as a bare array.
fn send_outbound(
    state: &Arc<AppState>,
    id: &str,
    channel: &str,
    text: &str,
    fill: impl FnOnce(&mut InteractionMessage),
) -> Answer {
    let via = via_of(channel)?;
    let (prospect, interaction) = {
        let mut inner = state.conversion.lock();
        let prospect = inner.prospect(id)?.clone();
        let to = recipient(&prospect, channel)
            .ok_or_else(|| conflict(format!("prospect {id} cannot be reached on {channel}")))?;
        let (at, iid) = inner.tick(state.config.anchor);
        let from = match via {
            Via::WhatsApp => catalog::WHATSAPP_NUMBER,
            _ => catalog::SOCIAL_ACCOUNT,
        };
        let provider_id = format!("sbx.{iid}");
        let mut m = model::message(
            via,
            KnownMessagePerformer::Agent,
            text,
            from,
            &to,
            provider_id,
        );
        // Sent now, delivered when the provider says so (`PUT …/interaction/{id}`).
        m.delivered = Some(false);
        fill(&mut m);
        let user = catalog::agent(catalog::INTEGRATION_USER);
        let mut i = model::interaction(iid, id, at, via);
        (i.agent_id, i.agent) = (Some(user.id.clone()), Some(user));
        i.proactive = Some(true);
        if let Some(output) = i.output.as_mut() {
            output.message = Some(m);
        }
        inner
            .interactions
            .entry(id.to_owned())
            .or_default()
            .push(i.clone());
        (prospect, i)
    };
    notify(
        state,
        Change::Created,
        Subject::Interaction(prospect, interaction.clone()),
    );
    Ok(ok(vec![interaction]))
}

async fn send(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids((id, channel)): Ids<(String, String)>,
    Body(message): Body<types::NewMessage>,
) -> Answer {
    via_of(&channel)?;
    state.conversion.exists(&id)?;
    let text = message
        .content
        .clone()
        .or_else(|| message.list.as_ref().map(|l| l.body.clone()))
        .or_else(|| message.buttons.as_ref().map(|b| b.body.clone()))
        .or_else(|| message.product_list.as_ref().map(|p| p.body.clone()))
        .ok_or_else(|| invalid("a message needs content, a list, buttons or a product list"))?;
    send_outbound(&state, &id, &channel, &text, |m| {
        let parts = json!({"list": message.list, "buttons": message.buttons, "productList": message.product_list});
        for (key, v) in parts.as_object().into_iter().flatten() {
            if !v.is_null() {
                m.extra.insert(key.clone(), v.clone());
            }
        }
    })
}

async fn send_file(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids((id, channel)): Ids<(String, String)>,
    Form(parts): Form,
) -> Answer {
    via_of(&channel)?;
    state.conversion.exists(&id)?;
    let file = parts
        .into_iter()
        .find(|p| p.name == "file")
        .ok_or_else(|| schema_invalid("the form needs a `file` part"))?;
    // Only a safe file name goes into the download URL.
    let name: String = file
        .file_name
        .unwrap_or_else(|| "file".to_owned())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let media = file.content_type.unwrap_or_default();
    let kind = match media.split('/').next().unwrap_or_default() {
        "image" => KnownAttachmentType::Image,
        "audio" => KnownAttachmentType::Audio,
        "video" => KnownAttachmentType::Video,
        _ => KnownAttachmentType::File,
    };
    let size = file.data.len();
    send_outbound(&state, &id, &channel, &name, |m| {
        let url = format!(
            "https://files.sandbox-motors.example/{}/{name}",
            m.provider_id.clone().unwrap_or_default()
        );
        // A field the reference does not name, as real traffic has.
        let mut extra = types::OpenMap::new();
        extra.insert("size", size.into());
        m.attachment = Some(types::MessageAttachment {
            type_: Some(AttachmentType::KnownAttachmentType(kind)),
            url: Some(url),
            extra,
        });
    })
}

/// A template message: the key of a template of the channel and its parameter values.
async fn send_template(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids((id, channel)): Ids<(String, String)>,
    Body(message): Body<types::NewTemplateMessage>,
) -> Answer {
    via_of(&channel)?;
    state.conversion.exists(&id)?;
    let template = TEMPLATES
        .iter()
        .filter(|_| channel == "whatsapp")
        .find(|t| t.key == message.key)
        .ok_or_else(|| unknown(format!("template {} of channel {channel}", message.key)))?;
    let first_name = state
        .conversion
        .lock()
        .prospect(&id)?
        .first_name
        .clone()
        .unwrap_or_else(|| "cliente".to_owned());
    let mut parameters = BTreeMap::from([
        ("name".to_owned(), first_name),
        ("date".to_owned(), "amanhã".to_owned()),
    ]);
    parameters.extend(message.parameters.clone());
    let text = parameters
        .iter()
        .fold(template.body.to_owned(), |text, (k, v)| {
            text.replace(&format!("{{{{{k}}}}}"), v)
        });
    send_outbound(&state, &id, &channel, &text, |m| {
        m.template = Some(template.key.to_owned());
        let given = message
            .parameters
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)));
        m.template_parameters = Some(given.collect());
    })
}

async fn orders(
    State(state): State<Arc<AppState>>,
    Authorized(pairs): Authorized,
    Ids(id): Ids<String>,
) -> Answer {
    let limit = listing::count(&pairs, q::LIMIT, 1, u64::MAX)?;
    let inner = state.conversion.lock();
    inner.prospect(&id)?;
    let orders: Vec<&types::OrderByProspect> = inner
        .orders
        .get(&id)
        .into_iter()
        .flatten()
        .take(limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)))
        .collect();
    Ok(ok(orders))
}
