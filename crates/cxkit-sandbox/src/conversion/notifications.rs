//! Webhooks and custom apps: topics, subscriptions (one active per group), deliveries of
//! every change with redelivery until the receiver answers `2xx`, and the custom-app
//! operations `POST /apps/event` (key in the body) and `POST /apps/notifications`.

use super::http::{invalid, not_found, ok, unauthorized, Answer, Authorized, Body, Ids};
use super::{catalog, model, StoredSubscription};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use conversion_api::types::{
    self, CustomEventType, Interaction, KnownInteractionVia as Via, KnownTopicName,
    KnownWebhookEventType, Prospect, Quote, TopicName,
};
use conversion_api::wire;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The notification and custom-app routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::list_topics::PATH, get(topics))
        .route(
            wire::list_subscriptions::PATH,
            get(list).post(subscribe).delete(unsubscribe_all),
        )
        .route(wire::get_subscription::PATH, get(one).delete(unsubscribe))
        .route(wire::send_app_event::PATH, post(app_event))
        .route(wire::send_notification::PATH, post(app_notification))
}

/// What happened to the notified object (the envelope's `type`).
#[derive(Clone, Copy)]
pub(crate) enum Change {
    /// The object is new.
    Created,
    /// The object existed and changed.
    Updated,
}

/// The object a change concerns, with the prospect it belongs to; it decides the topic.
// Built once per change and moved into the delivery task: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Subject {
    /// Topic `prospects`.
    Prospect(Prospect),
    /// Topic `interactions`: the prospect and the interaction, as in real deliveries.
    Interaction(Prospect, Interaction),
    /// Topic `quotes`: the quote travels in the envelope's extra field `quote`.
    Quote(Prospect, Quote),
}

async fn topics(_: Authorized) -> Answer {
    let topics: Vec<types::Topic> = catalog::TOPICS
        .iter()
        .map(|(name, description)| types::Topic {
            description: Some((*description).to_owned()),
            name: Some(TopicName::String((*name).to_owned())),
            extra: Default::default(),
        })
        .collect();
    Ok(ok(topics))
}

async fn subscribe(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Body(body): Body<types::NewSubscription>,
) -> Answer {
    let url = reqwest::Url::parse(&body.callback_url)
        .map_err(|_| invalid("callbackUrl must be an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("callbackUrl must be an http(s) URL"));
    }
    if body.topics.is_empty() {
        return Err(invalid("topics must name at least one topic"));
    }
    let mut inner = state.conversion.lock();
    let (_, id) = inner.tick(state.config.anchor);
    // One subscription per group: subscribing again deactivates the previous one.
    for s in &mut inner.subscriptions {
        s.active = false;
    }
    let subscription = types::Subscription {
        callback_url: body.callback_url.to_string(),
        id,
        topics: body.topics,
        extra: Default::default(),
    };
    inner.subscriptions.push(StoredSubscription {
        subscription: subscription.clone(),
        active: true,
    });
    Ok((StatusCode::CREATED, Json(subscription)).into_response())
}

async fn list(State(state): State<Arc<AppState>>, _: Authorized) -> Answer {
    let inner = state.conversion.lock();
    let active: Vec<&types::Subscription> = inner
        .subscriptions
        .iter()
        .filter(|s| s.active)
        .map(|s| &s.subscription)
        .collect();
    Ok(ok(active))
}

async fn one(State(state): State<Arc<AppState>>, _: Authorized, Ids(id): Ids<String>) -> Answer {
    let inner = state.conversion.lock();
    inner
        .subscriptions
        .iter()
        .find(|s| s.active && s.subscription.id == id)
        .map(|s| ok(&s.subscription))
        .ok_or_else(|| not_found("active subscription", &id))
}

async fn unsubscribe(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
) -> Answer {
    let mut inner = state.conversion.lock();
    let stored = inner
        .subscriptions
        .iter_mut()
        .find(|s| s.active && s.subscription.id == id)
        .ok_or_else(|| not_found("active subscription", &id))?;
    stored.active = false;
    Ok(ok(&stored.subscription))
}

async fn unsubscribe_all(State(state): State<Arc<AppState>>, _: Authorized) -> Answer {
    let mut inner = state.conversion.lock();
    let mut modified = 0;
    for s in inner.subscriptions.iter_mut().filter(|s| s.active) {
        s.active = false;
        modified += 1;
    }
    Ok(ok(types::DeleteSubscriptionsResult {
        modified: f64::from(modified),
        extra: Default::default(),
    }))
}

/// Posts `subject`'s change to every active subscription of its topic, in the background,
/// retrying under the sandbox's webhook retry policy until the receiver answers `2xx`.
pub(crate) fn notify(state: &Arc<AppState>, change: Change, subject: Subject) {
    let (topic, operation_id, prospect, interaction, quote) = match subject {
        Subject::Prospect(p) => (KnownTopicName::Prospects, p.id.clone(), p, None, None),
        Subject::Interaction(p, i) => {
            (KnownTopicName::Interactions, i.id.clone(), p, Some(i), None)
        }
        Subject::Quote(p, q) => (KnownTopicName::Quotes, q.id.clone(), p, None, Some(q)),
    };
    let targets: Vec<(String, String)> = {
        let inner = state.conversion.lock();
        inner
            .subscriptions
            .iter()
            .filter(|s| s.active)
            .filter(|s| {
                s.subscription
                    .topics
                    .iter()
                    .any(|t| t.to_string() == topic.to_string())
            })
            .map(|s| {
                (
                    s.subscription.id.clone(),
                    s.subscription.callback_url.clone(),
                )
            })
            .collect()
    };
    let received = Utc::now();
    let kind = match change {
        Change::Created => KnownWebhookEventType::Created,
        Change::Updated => KnownWebhookEventType::Updated,
    };
    let mut extra = Map::new();
    if let Some(quote) = &quote {
        extra.insert(
            "quote".into(),
            serde_json::to_value(quote).unwrap_or_default(),
        );
    }
    for (subscription_id, url) in targets {
        let event = types::WebhookEvent {
            attempts: None,
            interaction: interaction.clone(),
            operation_id: Some(operation_id.clone()),
            prospect: Some(prospect.clone()),
            received: Some(received),
            sent: None,
            subscription_id: Some(subscription_id),
            topic: topic.into(),
            type_: Some(kind.into()),
            updated_at: Some(received),
            extra: extra.clone().into(),
        };
        tokio::spawn(deliver(state.clone(), url, event));
    }
}

/// POSTs `event` to `url` until the receiver answers `2xx` or the sandbox's webhook retry
/// policy runs out of attempts, waiting the policy's backoff between them.
async fn deliver(state: Arc<AppState>, url: String, mut event: types::WebhookEvent) {
    let policy = &state.config.webhook_retry;
    let attempts = policy.max_attempts();
    for attempt in 1..=attempts {
        event.attempts = Some(i64::from(attempt));
        event.sent = Some(Utc::now());
        match state.conversion.http.post(&url).json(&event).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => tracing::debug!(status = %r.status(), attempt, "webhook refused"),
            Err(e) => tracing::debug!(error = %e.without_url(), attempt, "webhook failed"),
        }
        match policy.delay(attempt + 1, None) {
            Some(delay) if attempt < attempts => tokio::time::sleep(delay).await,
            _ => return,
        }
    }
}

/// `POST /apps/event`: no `api-key` parameter, the app's key is `data.apiKey`. An event about
/// a prospect is recorded on its timeline as a `customApp` interaction; events about users
/// and quotes are kept.
async fn app_event(
    State(state): State<Arc<AppState>>,
    Body(event): Body<types::CustomEvent>,
) -> Answer {
    if event.data.api_key.expose() != state.config.credentials.conversion_api_key {
        return Err(unauthorized());
    }
    if let Some(user) = &event.user_id {
        catalog::agent_index(user).ok_or_else(|| not_found("user", user))?;
    }
    let recorded = {
        let mut inner = state.conversion.lock();
        match (&event.type_, &event.prospect_id) {
            (CustomEventType::Prospect, Some(id)) => {
                let prospect = inner.prospect(id)?.clone();
                let (at, iid) = inner.tick(state.config.anchor);
                let interaction = app_interaction(iid, &prospect, at, &event);
                let list = inner.interactions.entry(id.clone()).or_default();
                list.push(interaction.clone());
                Some((prospect, interaction))
            }
            (_, prospect_id) => {
                if let Some(id) = prospect_id {
                    inner.prospect(id)?;
                }
                inner.app_events.push(event);
                None
            }
        }
    };
    if let Some((prospect, interaction)) = recorded {
        notify(
            &state,
            Change::Created,
            Subject::Interaction(prospect, interaction),
        );
    }
    Ok(StatusCode::OK.into_response())
}

/// `POST /apps/notifications`: the targets must be known users or roles, and the
/// notification must have content for at least one platform.
async fn app_notification(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Body(notification): Body<types::NotificationData>,
) -> Answer {
    let target = &notification.target;
    if let Some(unknown) = target
        .user
        .iter()
        .find(|u| catalog::agent_index(u).is_none())
    {
        return Err(not_found("user", unknown));
    }
    state.conversion.lock().notifications.push(notification);
    Ok(StatusCode::OK.into_response())
}

/// The `customApp` interaction a custom app's event about `p` records.
fn app_interaction(
    id: String,
    p: &Prospect,
    at: DateTime<Utc>,
    event: &types::CustomEvent,
) -> Interaction {
    let mut i = model::interaction(id, &p.id, at, Via::CustomApp);
    i.bot = Some(true);
    if let Some(output) = i.output.as_mut() {
        output.comment = Some(event.event.clone());
        if !event.data.details.is_empty() {
            output
                .extra
                .insert("details", Value::from(event.data.details.clone()));
        }
    }
    i
}
