//! `GET /ongoing`: a page of the interactions in progress, in the history row's shape with
//! the agent's status and an open state.

use super::data::Data;
use super::envelope;
use super::filter::{list_request, page_of};
use super::history::{agent, history_row};
use super::names;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use std::sync::Arc;
use zchat_api::types;

pub(super) async fn ongoing(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (filter, limit, page) = match list_request(&state, raw.as_deref(), &names::ONGOING) {
        Ok((filter, limit, page)) => (filter.without_period(), limit, page),
        Err(r) => return r,
    };
    let data = Data::ongoing(&state);
    let rows: Vec<types::OngoingRow> = page_of(&data, &filter, limit, page)
        .iter()
        .map(|i| {
            let h = history_row(i);
            let status = if i.index % 3 == 0 {
                "OFFLINE"
            } else {
                "ONLINE"
            };
            types::OngoingRow {
                active: h.active,
                agent: Some(agent(i, Some(status))),
                created_at: h.created_at,
                current_state: Some(types::State::String(
                    ["NOT_ANSWER", "PENDING", "IN_PROGRESS"][(i.index % 3) as usize].into(),
                )),
                current_state_time: h.current_state_time,
                customer: h.customer,
                department: h.department,
                id: h.id,
                media: h.media,
                sla_overdue: h.sla_overdue,
                extra: Default::default(),
            }
        })
        .collect();
    envelope(rows)
}
