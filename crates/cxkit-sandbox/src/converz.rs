//! The Converz fake: `/reps`, `/calls` (GET streams rows straight into the body, so a page of
//! a million rows costs no memory; POST updates persist), `/report`, `X-API-Key` auth.

use crate::{parse_query, rng, value, values, AppState, Pairs, DATA_DAYS};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use converz_api::types;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

const CAMPAIGNS: [&str; 4] = ["sales", "retention", "support", "onboarding"];
const VENDORS: [&str; 3] = ["five9", "genesys", "twilio"];
const DEPARTMENTS: [&str; 3] = ["support", "sales", "billing"];
const ROWS_PER_CHUNK: u64 = 1_000;

/// Column values written by updates, over the generated rows.
#[derive(Default)]
pub(crate) struct Store {
    reps: Mutex<HashMap<String, Map<String, Value>>>,
    calls: Mutex<HashMap<i64, Map<String, Value>>>,
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/reps", get(list_reps).post(update_reps))
        .route("/calls", get(list_calls).post(update_calls))
        .route("/report", get(report))
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
    match headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        Some(k) if k == state.config.credentials.converz_api_key => Ok(()),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Invalid API key",
        )),
    }
}

fn paging(pairs: &Pairs) -> Result<(u64, u64), Response> {
    let number = |key: &str, default: u64, max: u64| match value(pairs, key) {
        None => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(bad(format!("Invalid parameter: {key}"))),
        },
    };
    Ok((
        number("n_per_page", 10, 1_000_000)?,
        // `page` is an int64 in the spec.
        number("page", 1, i64::MAX as u64)?,
    ))
}

fn rep_id(index: u64) -> String {
    format!("rep{index:03}")
}

fn rep(state: &AppState, index: u64) -> Map<String, Value> {
    let r = |k: u64| rng::at(state.config.seed, 100 + k, index);
    let mut row = Map::new();
    row.insert("rep_id".into(), rep_id(index).into());
    row.insert("name".into(), format!("Agent {index}").into());
    row.insert("gender".into(), rng::pick(&["f", "m", "x"], r(1)).into());
    row.insert("department".into(), rng::pick(&DEPARTMENTS, r(2)).into());
    row.insert("campaign".into(), rng::pick(&CAMPAIGNS, r(3)).into());
    row.insert("active".into(), u64::from(r(4) % 5 != 0).into());
    row
}

struct Calls {
    seed: u64,
    count: u64,
    start: DateTime<Utc>,
    step_ms: i64,
    reps: u64,
}

impl Calls {
    fn new(state: &AppState) -> Self {
        let span = Duration::days(DATA_DAYS).num_milliseconds();
        Self {
            seed: state.config.seed,
            count: state.config.calls,
            start: state.config.anchor - Duration::days(DATA_DAYS),
            step_ms: (span / state.config.calls.max(1) as i64).max(1),
            reps: state.config.reps.max(1),
        }
    }

    fn started(&self, index: u64) -> DateTime<Utc> {
        self.start + Duration::milliseconds(self.step_ms * index as i64)
    }

    fn row(&self, index: u64) -> Map<String, Value> {
        let r = |k: u64| rng::at(self.seed, 200 + k, index);
        let campaign = rng::pick(&CAMPAIGNS, r(1));
        let mut row = Map::new();
        row.insert("call_id".into(), (index as i64 + 1).into());
        row.insert("rep_id".into(), rep_id(r(2) % self.reps).into());
        row.insert(
            "start_time".into(),
            self.started(index)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
                .into(),
        );
        row.insert("duration".into(), (30 + r(3) % 1200).into());
        row.insert("campaign".into(), campaign.into());
        row.insert(
            "subcampaign".into(),
            format!("{campaign}-{}", r(4) % 3 + 1).into(),
        );
        row.insert("vendor".into(), rng::pick(&VENDORS, r(5)).into());
        row.insert("vendor_call_id".into(), format!("v-{}", index + 1).into());
        row.insert("department".into(), rng::pick(&DEPARTMENTS, r(6)).into());
        row.insert(
            "summary".into(),
            format!("Customer asked about {campaign}.").into(),
        );
        row
    }

    /// Indices started in `[from, to)`.
    fn range(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> std::ops::Range<u64> {
        let index_of = |t: DateTime<Utc>| {
            let ms = (t - self.start).num_milliseconds();
            if ms <= 0 {
                0
            } else {
                ((ms + self.step_ms - 1) / self.step_ms) as u64
            }
        };
        let lo = from.map_or(0, index_of).min(self.count);
        let hi = to.map_or(self.count, index_of).min(self.count);
        lo..hi.max(lo)
    }
}

/// The `/calls` and `/report` filters.
#[derive(Clone, Default)]
struct CallFilter {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    lists: Vec<(&'static str, Vec<String>)>,
    vendor_call_id: Option<String>,
}

fn date(pairs: &Pairs, key: &str) -> Result<Option<NaiveDate>, Response> {
    value(pairs, key)
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| bad(format!("Invalid parameter: {key}")))
        })
        .transpose()
}

fn minute(pairs: &Pairs, key: &str) -> Result<Option<DateTime<Utc>>, Response> {
    value(pairs, key)
        .map(|v| {
            NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M")
                .map(|t| t.and_utc())
                .map_err(|_| bad(format!("Invalid parameter: {key}")))
        })
        .transpose()
}

impl CallFilter {
    fn parse(pairs: &Pairs, default_start: Option<NaiveDate>) -> Result<Self, Response> {
        let start = date(pairs, "start_date")?
            .or(default_start)
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        let end = date(pairs, "end_date")?.map(|d| {
            (d + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
        });
        let after = minute(pairs, "after")?;
        let before = minute(pairs, "before")?.map(|t| t + Duration::minutes(1));
        let lists = ["rep_id", "vendor", "campaign", "subcampaign", "department"]
            .into_iter()
            .map(|k| {
                (
                    k,
                    values(pairs, k)
                        .into_iter()
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Ok(Self {
            from: [start, after].into_iter().flatten().max(),
            to: [end, before].into_iter().flatten().min(),
            lists,
            vendor_call_id: value(pairs, "vendor_call_id").map(str::to_owned),
        })
    }

    fn matches(&self, row: &Map<String, Value>) -> bool {
        self.lists.iter().all(|(k, allowed)| {
            row.get(*k)
                .and_then(Value::as_str)
                .is_some_and(|v| allowed.iter().any(|a| a == v))
        }) && self
            .vendor_call_id
            .as_ref()
            .is_none_or(|id| row.get("vendor_call_id").and_then(Value::as_str) == Some(id))
    }
}

async fn list_calls(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let pairs = parse_query(raw.as_deref());
    let ((limit, page), filter) = match (paging(&pairs), CallFilter::parse(&pairs, None)) {
        (Ok(p), Ok(f)) => (p, f),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let columns: Option<Vec<String>> =
        value(&pairs, "columns").map(|c| c.split(',').map(|s| s.trim().to_owned()).collect());
    let metrics: Vec<String> = value(&pairs, "metric")
        .map(|m| m.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default();
    let calls = Calls::new(&state);
    let range = calls.range(filter.from, filter.to);
    let overlay = state
        .converz
        .calls
        .lock()
        .map(|m| m.clone())
        .unwrap_or_default();
    let seed = state.config.seed;
    let shape = move |index: u64, mut row: Map<String, Value>| {
        if let Some(update) = overlay.get(&(index as i64 + 1)) {
            row.extend(update.clone());
        }
        // `columns` picks stored columns; requested metrics are always added.
        if let Some(columns) = &columns {
            row.retain(|k, _| k == "call_id" || columns.contains(k));
        }
        for metric in &metrics {
            row.insert(
                metric.clone(),
                (rng::unit(rng::at(seed, 300, index)) * 100.0)
                    .round()
                    .into(),
            );
        }
        row
    };
    let skip = (page - 1).saturating_mul(limit);
    let rows: Box<dyn Iterator<Item = Map<String, Value>> + Send> =
        if filter.lists.is_empty() && filter.vendor_call_id.is_none() {
            let start = range.start.saturating_add(skip).min(range.end);
            let end = start.saturating_add(limit).min(range.end);
            Box::new((start..end).map(move |i| shape(i, calls.row(i))))
        } else {
            Box::new(
                range
                    .map(move |i| (i, calls.row(i)))
                    .filter(move |(_, row)| filter.matches(row))
                    .skip(skip as usize)
                    .take(limit as usize)
                    .map(move |(i, row)| shape(i, row)),
            )
        };
    json_array_body(rows.map(|row| {
        let call_id = row
            .get("call_id")
            .and_then(Value::as_i64)
            .unwrap_or_default();
        let mut extra = row;
        extra.remove("call_id");
        let rep_id = extra
            .remove("rep_id")
            .and_then(|v| v.as_str().map(str::to_owned));
        types::Call {
            call_id,
            rep_id,
            extra,
        }
    }))
}

async fn list_reps(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let pairs = parse_query(raw.as_deref());
    let (limit, page) = match paging(&pairs) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ids: Vec<String> = values(&pairs, "rep_id")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let departments: Vec<String> = values(&pairs, "department")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let active = match value(&pairs, "active") {
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
            types::Rep { rep_id, extra }
        })
        .collect();
    Json(rows).into_response()
}

/// A JSON array body written lazily, `ROWS_PER_CHUNK` rows per chunk.
fn json_array_body<T, I>(rows: I) -> Response
where
    T: serde::Serialize + Send + 'static,
    I: Iterator<Item = T> + Send + 'static,
{
    let mut rows = rows.peekable();
    let mut opened = false;
    let mut closed = false;
    let chunks = std::iter::from_fn(move || {
        if closed {
            return None;
        }
        let mut buf = Vec::with_capacity(64 * 1024);
        if !opened {
            buf.push(b'[');
        }
        for _ in 0..ROWS_PER_CHUNK {
            let Some(row) = rows.next() else { break };
            if opened {
                buf.push(b',');
            }
            opened = true;
            if serde_json::to_writer(&mut buf, &row).is_err() {
                buf.extend_from_slice(b"null");
            }
        }
        opened = true;
        if rows.peek().is_none() {
            buf.push(b']');
            closed = true;
        }
        Some(Ok::<_, std::io::Error>(Bytes::from(buf)))
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(futures::stream::iter(chunks)))
        .unwrap_or_default()
}

async fn report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let pairs = parse_query(raw.as_deref());
    let days = match value(&pairs, "days").map(str::parse::<i64>) {
        None => None,
        Some(Ok(d)) if d > 0 => Some(d),
        Some(_) => return bad("Invalid parameter: days".into()),
    };
    let anchor = state.config.anchor.date_naive();
    // Any number of days is a valid request; more than the data spans reads it all.
    let days = days.unwrap_or(30).min(1_000_000);
    let default_start = anchor - Duration::days(days);
    let filter = match CallFilter::parse(&pairs, Some(default_start)) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let groupby: Vec<String> = value(&pairs, "groupby")
        .unwrap_or("date")
        .split(',')
        .map(|s| s.trim().to_owned())
        .collect();
    let metrics: Vec<String> = value(&pairs, "metric")
        .unwrap_or("n_calls")
        .split(',')
        .map(|s| s.trim().to_owned())
        .collect();
    let calls = Calls::new(&state);
    let mut groups: BTreeMap<Vec<String>, (u64, u64)> = BTreeMap::new();
    for i in calls.range(filter.from, filter.to) {
        let row = calls.row(i);
        if !filter.matches(&row) {
            continue;
        }
        let started = calls.started(i).date_naive();
        let mut key = Vec::new();
        for g in &groupby {
            key.push(match g.as_str() {
                "date" => started.to_string(),
                "week" => started.format("%G-W%V").to_string(),
                "month" => started.format("%Y-%m").to_string(),
                "quarter" => format!(
                    "{}-Q{}",
                    started.format("%Y"),
                    (started.format("%m").to_string().parse::<u32>().unwrap_or(1) - 1) / 3 + 1
                ),
                // A column the rows lack groups everything under one empty value.
                other => match row.get(other).and_then(Value::as_str) {
                    Some(v) => v.to_owned(),
                    None => String::new(),
                },
            });
        }
        let g = groups.entry(key).or_default();
        g.0 += 1;
        g.1 += row
            .get("duration")
            .and_then(Value::as_u64)
            .unwrap_or_default();
    }
    let rows: Vec<types::ReportRow> = groups
        .into_iter()
        .map(|(key, (n, total))| {
            let mut row = Map::new();
            for (g, v) in groupby.iter().zip(key) {
                row.insert(g.clone(), v.into());
            }
            for m in &metrics {
                let v: Value = match m.as_str() {
                    "n_calls" => n.into(),
                    "avg_duration" => ((total as f64 / n as f64) * 10.0)
                        .round()
                        .div_euclid(10.0)
                        .into(),
                    "total_duration" => total.into(),
                    _ => Value::Null,
                };
                row.insert(m.clone(), v);
            }
            types::ReportRow(row)
        })
        .collect();
    Json(rows).into_response()
}

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

async fn update_reps(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let body = match json_body(&headers, &bytes) {
        Ok(body) => body,
        Err(r) => return r,
    };
    let known = state.config.reps;
    let is_known = |id: &String| {
        id.strip_prefix("rep")
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n < known)
    };
    let outcome = apply_update(&body, "rep_id", |v| v.as_str().map(str::to_owned));
    match outcome {
        Ok(changes) => {
            // Rows of users the sandbox does not have change nothing (and are not errors).
            let changes: Vec<_> = changes.into_iter().filter(|(id, _)| is_known(id)).collect();
            let n = changes.len();
            let mut store = state.converz.reps.lock().unwrap_or_else(|e| e.into_inner());
            for (id, columns) in changes {
                store.entry(id).or_default().extend(columns);
            }
            Json(json!({"updated": n})).into_response()
        }
        Err(message) => bad(message),
    }
}

async fn update_calls(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let body = match json_body(&headers, &bytes) {
        Ok(body) => body,
        Err(r) => return r,
    };
    let known = state.config.calls as i64;
    let outcome = apply_update(&body, "call_id", Value::as_i64);
    match outcome {
        Ok(changes) => {
            let changes: Vec<_> = changes
                .into_iter()
                .filter(|(id, _)| (1..=known).contains(id))
                .collect();
            let n = changes.len();
            let mut store = state
                .converz
                .calls
                .lock()
                .unwrap_or_else(|e| e.into_inner());
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
