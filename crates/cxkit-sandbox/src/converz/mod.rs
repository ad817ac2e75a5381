//! The Converz fake: `/reps`, `/calls` (GET streams rows straight into the body, so a page of
//! a million rows costs no memory; POST updates persist), `/report`, `X-API-Key` auth.
//!
//! The generated rows ([`data`]), the calls list and its filters ([`calls`]), the users
//! ([`reps`]), the grouped report ([`report`]) and the updates ([`update`]) each have their
//! module; this one holds the store, the routes and the auth, error and paging rules they share.

mod calls;
mod data;
mod names;
mod report;
mod reps;
mod update;

use crate::query::{value, Pairs};
use crate::AppState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use calls::list_calls;
use converz_api::types;
use converz_api::wire;
use names::PageNames;
use report::report;
use reps::list_reps;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use update::{update_calls, update_reps};

/// Column values written by updates, over the generated rows.
#[derive(Default)]
pub(crate) struct Store {
    reps: Mutex<HashMap<String, Map<String, Value>>>,
    calls: Mutex<HashMap<i64, Map<String, Value>>>,
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::list_reps::PATH, get(list_reps).post(update_reps))
        .route(wire::list_calls::PATH, get(list_calls).post(update_calls))
        .route(wire::get_report::PATH, get(report))
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = types::Error {
        code: Some(code.to_owned()),
        error: Some(message.to_owned()),
        extra: Default::default(),
    };
    (status, Json(body)).into_response()
}

fn bad(message: String) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_request", &message)
}

fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    match headers
        .get(converz_api::wire::CREDENTIAL_NAME)
        .and_then(|v| v.to_str().ok())
    {
        Some(k) if k == state.config.credentials.converz_api_key => Ok(()),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Invalid API key",
        )),
    }
}

fn paging(pairs: &Pairs, names: &PageNames) -> Result<(u64, u64), Response> {
    let number = |key: &str, default: u64, max: u64| match value(pairs, key) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(bad(format!("Invalid parameter: {key}"))),
        },
    };
    Ok((
        number(
            names.n_per_page,
            names.n_per_page_default,
            names.n_per_page_maximum,
        )?,
        // `page` is an int64 in the spec.
        number(names.page, names.page_default, i64::MAX as u64)?,
    ))
}
