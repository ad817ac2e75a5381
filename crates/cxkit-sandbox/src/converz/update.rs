//! `POST /reps` and `POST /calls`: updates in either body shape (columnar or row-wise) that
//! persist over the generated rows, under the vendor's null rule and row limit.

use super::{authorize, bad, error};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// A JSON request body; anything else is answered in the vendor's error shape (`415` for
/// another content type, `400` for bytes that are not JSON).
fn json_body(headers: &HeaderMap, bytes: &[u8]) -> Result<Value, Response> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be application/json",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| bad(format!("the body is not JSON: {e}")))
}

pub(super) async fn update_reps(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let known = state.config.reps;
    // Rows of users the sandbox does not have change nothing (and are not errors).
    let is_known = |id: &String| {
        id.strip_prefix("rep")
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n < known)
    };
    let rows = Rows {
        key: "rep_id",
        parse_key: |v: &Value| v.as_str().map(str::to_owned),
        is_known,
        store: &state.converz.reps,
    };
    update(&state, &headers, &bytes, rows)
}

pub(super) async fn update_calls(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let known = state.config.calls as i64;
    let rows = Rows {
        key: "call_id",
        parse_key: Value::as_i64,
        is_known: |id: &i64| (1..=known).contains(id),
        store: &state.converz.calls,
    };
    update(&state, &headers, &bytes, rows)
}

/// The rows an update may change: their key member, how to read it, which keys exist, and
/// where their changed columns are kept.
struct Rows<'a, K, P, F> {
    key: &'static str,
    parse_key: P,
    is_known: F,
    store: &'a Mutex<HashMap<K, Map<String, Value>>>,
}

/// Authorises and applies an update to `rows`, answering `{"updated": n}` (rows of keys the
/// sandbox does not have change nothing and are not errors).
fn update<K, P, F>(
    state: &AppState,
    headers: &HeaderMap,
    bytes: &[u8],
    rows: Rows<'_, K, P, F>,
) -> Response
where
    K: Eq + Hash,
    P: Fn(&Value) -> Option<K>,
    F: Fn(&K) -> bool,
{
    if let Err(r) = authorize(state, headers) {
        return r;
    }
    let body = match json_body(headers, bytes) {
        Ok(body) => body,
        Err(r) => return r,
    };
    match apply_update(&body, rows.key, rows.parse_key) {
        Ok(changes) => {
            let changes: Vec<_> = changes
                .into_iter()
                .filter(|(id, _)| (rows.is_known)(id))
                .collect();
            let n = changes.len();
            let mut store = rows.store.lock().unwrap_or_else(|e| e.into_inner());
            for (id, columns) in changes {
                store.entry(id).or_default().extend(columns);
            }
            Json(json!({"updated": n})).into_response()
        }
        Err(message) => bad(message),
    }
}

/// The columns an update sets, per row key.
type RowChanges<K> = Vec<(K, Map<String, Value>)>;

/// The column values an update body sets, per key, with the vendor's semantics: columnar
/// `null` leaves a value untouched; row-wise, a field missing from a row is set to null.
fn apply_update<K>(
    body: &Value,
    key: &str,
    parse_key: impl Fn(&Value) -> Option<K>,
) -> Result<RowChanges<K>, String> {
    let rows: Vec<(K, Map<String, Value>)> = match body {
        Value::Object(columns) => {
            let keys = columns
                .get(key)
                .and_then(Value::as_array)
                .ok_or(format!("`{key}` must be an array"))?;
            let mut rows: Vec<(K, Map<String, Value>)> = Vec::with_capacity(keys.len());
            for k in keys {
                rows.push((
                    parse_key(k).ok_or(format!("`{key}` {k} is not a valid {key}"))?,
                    Map::new(),
                ));
            }
            for (name, column) in columns.iter().filter(|(n, _)| *n != key) {
                // A column shorter than the keys leaves the missing rows untouched (as `null`
                // does); values past the last key have no row to go to.
                let column = column
                    .as_array()
                    .ok_or(format!("column `{name}` must be an array"))?;
                for ((_, row), v) in rows.iter_mut().zip(column) {
                    if !v.is_null() {
                        row.insert(name.clone(), v.clone());
                    }
                }
            }
            rows
        }
        Value::Array(items) => {
            let fields: std::collections::BTreeSet<&String> = items
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|o| o.keys())
                .filter(|k| *k != key)
                .collect();
            let mut rows = Vec::with_capacity(items.len());
            for item in items {
                let object = item.as_object().ok_or("every row must be an object")?;
                let k = object
                    .get(key)
                    .and_then(&parse_key)
                    .ok_or(format!("a row has no valid `{key}`"))?;
                let row = fields
                    .iter()
                    .map(|f| ((*f).clone(), object.get(*f).cloned().unwrap_or(Value::Null)))
                    .collect();
                rows.push((k, row));
            }
            rows
        }
        _ => return Err("the body must be a columnar object or an array of rows".into()),
    };
    if rows.len() > converz_api::MAX_UPDATE_ROWS {
        return Err(format!(
            "Max rows per request: {}",
            converz_api::MAX_UPDATE_ROWS
        ));
    }
    Ok(rows)
}
