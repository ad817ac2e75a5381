//! `GET /history/{id}/messages`: the generated messages of one history interaction.

use super::data::Data;
use super::{authorize, envelope, error};
use crate::query::parse_query;
use crate::typed::typed;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use serde_json::json;
use std::sync::Arc;
use zchat_api::types;

pub(super) async fn messages(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = parse_query(raw.as_deref());
    if let Err(r) = authorize(&state, &pairs) {
        return r;
    }
    let index = match id.strip_prefix("2024").and_then(|n| n.parse::<u64>().ok()) {
        Some(i) if i < state.config.history_rows => i,
        _ => return error(StatusCode::NOT_FOUND, &format!("protocol {id} not found")),
    };
    let data = Data::history(&state);
    let i = data.at(index);
    let count = 3 + index % 5;
    let rows: Vec<types::Message> = (0..count)
        .map(|n| {
            let from_client = n % 2 == 0;
            typed(json!({
                "id": format!("{id}-{n}"),
                "time": (i.created + Duration::seconds(30 * n as i64)).to_rfc3339(),
                "direction": if from_client { "CLIENT" } else { "AGENT" },
                "type": "text",
                "content": if from_client { format!("Olá, sou {}", i.customer) } else { "Como posso ajudar?".to_owned() },
            }))
        })
        .collect();
    envelope(rows)
}
