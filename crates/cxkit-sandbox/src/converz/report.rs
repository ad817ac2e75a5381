//! `GET /report`: the filtered conversations of the last `days` grouped by period or column,
//! with their counts and durations.

use super::calls::CallFilter;
use super::data::Calls;
use super::{authorize, bad};
use crate::query::{parse_query, value};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Duration;
use converz_api::types;
use converz_api::wire::get_report::query as q;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub(super) async fn report(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let pairs = parse_query(raw.as_deref());
    let days = match value(&pairs, q::DAYS).map(str::parse::<i64>) {
        None => None,
        Some(Ok(d)) if d > 0 => Some(d),
        Some(_) => return bad("Invalid parameter: days".into()),
    };
    let anchor = state.config.anchor.date_naive();
    // Any number of days is a valid request; more than the data spans reads it all.
    let days = days.unwrap_or(30).min(1_000_000);
    let default_start = anchor - Duration::days(days);
    let filter = match CallFilter::parse(&pairs, Some(default_start), &super::names::REPORT) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let groupby: Vec<String> = value(&pairs, q::GROUPBY)
        .unwrap_or("date")
        .split(',')
        .map(|s| s.trim().to_owned())
        .collect();
    let metrics: Vec<String> = value(&pairs, q::METRIC)
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
                    // Seconds to one decimal.
                    "avg_duration" => (((total as f64 / n as f64) * 10.0).round() / 10.0).into(),
                    "total_duration" => total.into(),
                    _ => Value::Null,
                };
                row.insert(m.clone(), v);
            }
            types::ReportRow(row.into())
        })
        .collect();
    Json(rows).into_response()
}
