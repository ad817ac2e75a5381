//! `GET /reps`: the users of a page, filtered by id, department and `active`, with the
//! updated columns over the generated ones.

use super::data::{rep, rep_id};
use super::{authorize, bad, paging};
use crate::query::{parse_query, value, values};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use converz_api::types;
use converz_api::wire::list_reps::query as q;
use serde_json::Value;
use std::sync::Arc;

pub(super) async fn list_reps(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let pairs = parse_query(raw.as_deref());
    let (limit, page) = match paging(&pairs, &super::names::REPS_PAGE) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ids: Vec<String> = values(&pairs, q::REP_ID)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let departments: Vec<String> = values(&pairs, q::DEPARTMENT)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let active = match value(&pairs, q::ACTIVE) {
        None => None,
        Some("0") => Some(false),
        Some("1") => Some(true),
        Some(other) => return bad(format!("Invalid parameter: active `{other}` (0 or 1)")),
    };
    let overlay = state
        .converz
        .reps
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    let rows: Vec<types::Rep> = (0..state.config.reps)
        .map(|i| {
            let mut row = rep(&state, i);
            if let Some(update) = overlay.get(&rep_id(i)) {
                row.extend(update.clone());
            }
            row
        })
        .filter(|r| {
            ids.is_empty()
                || r.get("rep_id")
                    .and_then(Value::as_str)
                    .is_some_and(|v| ids.iter().any(|x| x == v))
        })
        .filter(|r| {
            departments.is_empty()
                || r.get("department")
                    .and_then(Value::as_str)
                    .is_some_and(|v| departments.iter().any(|x| x == v))
        })
        .filter(|r| {
            active.is_none_or(|a| (r.get("active").and_then(Value::as_u64) == Some(1)) == a)
        })
        .skip(usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX))
        .take(limit as usize)
        .map(|mut extra| {
            let rep_id = extra
                .remove("rep_id")
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            types::Rep {
                rep_id,
                extra: extra.into(),
            }
        })
        .collect();
    Json(rows).into_response()
}
