//! The Zenvia Chat fake: `/reports`, `/history`, `/history/expanded`,
//! `/history/{id}/messages`, `/ongoing`, with the `token` query parameter and the
//! `{status, success, data}` envelope.
//!
//! The generated interactions ([`data`]), the filters and paging over them ([`filter`]) and
//! each route ([`history`], [`ongoing`], [`reports`], [`messages`]) have their module; this
//! one holds the routes and the auth, error, paging and envelope rules they share.

mod data;
mod filter;
mod history;
mod messages;
mod names;
mod ongoing;
mod reports;

use crate::query::{value, Pairs};
use crate::AppState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use history::{history, history_expanded};
use messages::messages;
use names::PageNames;
use ongoing::ongoing;
use reports::reports;
use serde_json::json;
use std::sync::Arc;
use zchat_api::types;
use zchat_api::wire;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::get_reports::PATH, get(reports))
        .route(wire::list_history::PATH, get(history))
        .route(wire::list_history_expanded::PATH, get(history_expanded))
        .route(wire::list_history_messages::PATH, get(messages))
        .route(wire::list_ongoing::PATH, get(ongoing))
}

/// The zchat error envelope with `status` as the HTTP status too.
fn error(status: StatusCode, message: &str) -> Response {
    let body = types::ErrorEnvelope {
        error: Some(message.to_owned()),
        status: Some(i64::from(status.as_u16())),
        success: false,
        extra: Default::default(),
    };
    (status, Json(body)).into_response()
}

fn authorize(state: &AppState, pairs: &Pairs) -> Result<(), Response> {
    match value(pairs, zchat_api::wire::CREDENTIAL_NAME) {
        Some(t) if t == state.config.credentials.zchat_token => Ok(()),
        Some(_) => Err(error(StatusCode::UNAUTHORIZED, "Invalid token")),
        None => Err(error(StatusCode::UNAUTHORIZED, "Token not provided")),
    }
}

/// The page size (1 to the operation's maximum) and the page number (>= 1), each its
/// operation's default when absent.
fn paging(pairs: &Pairs, names: &PageNames) -> Result<(u64, u64), Response> {
    let number = |key: &str, default: u64, max: u64| -> Result<u64, Response> {
        match value(pairs, key) {
            None => Ok(default),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(error(
                    StatusCode::BAD_REQUEST,
                    &format!("invalid {key} `{v}`"),
                )),
            },
        }
    };
    // `page` is an int32 in the spec.
    Ok((
        number(names.limit, names.limit_default, names.limit_maximum)?,
        number(names.page, names.page_default, i32::MAX as u64)?,
    ))
}

fn envelope<T: serde::Serialize>(data: Vec<T>) -> Response {
    Json(json!({"status": 200, "success": true, "data": data})).into_response()
}
