//! `GET /history` and `GET /history/expanded`: a page of generated interactions in each
//! row shape.

use super::data::{protocol, Data, Interaction, DEPARTMENTS};
use super::envelope;
use super::filter::{list_request, page_of};
use super::names;
use crate::typed::typed;
use crate::{rng, AppState};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use zchat_api::types;

pub(super) fn agent(i: &Interaction, status: Option<&str>) -> types::Agent {
    types::Agent {
        id: Some(i.agent.to_string()),
        name: Some(format!("Agent {}", i.agent)),
        phone_extension: Some(format!("{}", 2000 + i.agent)),
        status: status.map(|s| types::AgentStatus::String(s.to_owned())),
        extra: Default::default(),
    }
}

pub(super) fn history_row(i: &Interaction) -> types::HistoryRow {
    // Built field by field (not through `json!`): the sandbox is the server in the export
    // benchmarks, and every row it renders counts.
    let text = |s: String| Some(types::StringOrList::String(s));
    let millis = |t: DateTime<Utc>| Some(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    types::HistoryRow {
        id: protocol(i.index),
        active: Some(types::ActiveFlag::String(i.active.to_string())),
        agent: Some(agent(i, None)),
        created_at: millis(i.created),
        current_state: Some(types::State::String(i.state.to_owned())),
        current_state_time: millis(i.created + Duration::minutes(12)),
        customer: Some(types::Customer {
            id: Some(format!("c{}", i.index % 5000)),
            fields: Some(types::CustomerFields {
                channel_email: Some(types::StringOrList::Array(vec![format!(
                    "cliente{}@example.com",
                    i.index % 1000
                )])),
                channel_phone: text(format!("+55119{:08}", i.index % 100_000_000)),
                main_identifier: text(i.customer.to_owned()),
                document: text(String::new()),
                channel_external: None,
                channel_facebook: None,
                channel_mercado_livre: None,
                channel_telegram: None,
                main_photo: None,
                extra: Default::default(),
            }),
            extra: Default::default(),
        }),
        department: Some(types::Department {
            id: Some((i.department + 1).to_string()),
            name: Some(DEPARTMENTS[i.department].to_owned()),
            extra: Default::default(),
        }),
        first_answer_time: millis(i.created + Duration::seconds(40)),
        media: Some(types::Channel::String(i.channel.to_owned())),
        mood: Some(i.mood.to_string()),
        sla_overdue: Some(i.index.is_multiple_of(7)),
        extra: Default::default(),
    }
}

pub(super) async fn history(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (filter, limit, page) = match list_request(&state, raw.as_deref(), &names::HISTORY) {
        Ok((filter, limit, page)) => (filter, limit, page),
        Err(r) => return r,
    };
    let data = Data::history(&state);
    envelope(
        page_of(&data, &filter, limit, page)
            .iter()
            .map(history_row)
            .collect(),
    )
}

pub(super) async fn history_expanded(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (filter, limit, page) = match list_request(&state, raw.as_deref(), &names::HISTORY_EXPANDED)
    {
        Ok((filter, limit, page)) => (filter, limit, page),
        Err(r) => return r,
    };
    let data = Data::history(&state);
    let rows: Vec<Value> = page_of(&data, &filter, limit, page)
        .iter()
        .map(|i| {
            let talking = 60 + rng::at(data.seed, 40, i.index) % 1800;
            let row: types::ExpandedHistoryRow = typed(json!({
                "id": protocol(i.index), "type": i.channel, "state": i.state, "origin": if i.active { "AGENT" } else { "CLIENT" },
                "startTime": i.created.to_rfc3339(), "endTime": (i.created + Duration::seconds(talking as i64)).to_rfc3339(),
                "agent": format!("Agent {}", i.agent), "department": DEPARTMENTS[i.department],
                "main_identifier": i.customer, "talking_time": talking, "queued_time": i.index % 90,
                "messages": 4 + i.index % 30, "response_count": 2 + i.index % 10, "mood": i.mood.to_string(),
                "tags": ["sandbox"], "tagCount": 1, "sla_overdue": i.index % 7 == 0, "queue_id": i.department + 1,
            }));
            serde_json::to_value(row).unwrap_or(Value::Null)
        })
        .collect();
    envelope(rows)
}
