//! `GET /calls`: the conversations of a page, filtered, with the updated columns over the
//! generated ones, streamed into the body; and the `/calls` and `/report` filters.

use super::data::Calls;
use super::names::{self, FilterNames};
use super::{authorize, bad, paging};
use crate::query::{parse_query, value, values, Pairs};
use crate::{rng, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use converz_api::types;
use converz_api::wire::list_calls::query as q;
use serde_json::{Map, Value};
use std::sync::Arc;

const ROWS_PER_CHUNK: u64 = 1_000;

/// The `/calls` and `/report` filters.
#[derive(Clone, Default)]
pub(super) struct CallFilter {
    pub(super) from: Option<DateTime<Utc>>,
    pub(super) to: Option<DateTime<Utc>>,
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
    /// The filters of `pairs`, read under the route's own parameter `names`.
    pub(super) fn parse(
        pairs: &Pairs,
        default_start: Option<NaiveDate>,
        names: &FilterNames,
    ) -> Result<Self, Response> {
        let start = date(pairs, names.start_date)?
            .or(default_start)
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        let end = date(pairs, names.end_date)?.map(|d| {
            (d + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
        });
        let minute = |key: Option<&str>| key.map_or(Ok(None), |key| minute(pairs, key));
        let after = minute(names.after)?;
        let before = minute(names.before)?.map(|t| t + Duration::minutes(1));
        // A list filter and the column it filters share their name.
        let lists = names
            .lists
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
            vendor_call_id: names
                .vendor_call_id
                .and_then(|key| value(pairs, key))
                .map(str::to_owned),
        })
    }

    pub(super) fn matches(&self, row: &Map<String, Value>) -> bool {
        self.lists.iter().all(|(k, allowed)| {
            row.get(*k)
                .and_then(Value::as_str)
                .is_some_and(|v| allowed.iter().any(|a| a == v))
        }) && self
            .vendor_call_id
            .as_ref()
            .is_none_or(|id| row.get(q::VENDOR_CALL_ID).and_then(Value::as_str) == Some(id))
    }
}

pub(super) async fn list_calls(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(r) = authorize(&state, &headers) {
        return r;
    }
    let pairs = parse_query(raw.as_deref());
    let ((limit, page), filter) = match (
        paging(&pairs, &names::CALLS_PAGE),
        CallFilter::parse(&pairs, None, &names::CALLS),
    ) {
        (Ok(p), Ok(f)) => (p, f),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let columns: Option<Vec<String>> =
        value(&pairs, q::COLUMNS).map(|c| c.split(',').map(|s| s.trim().to_owned()).collect());
    let metrics: Vec<String> = value(&pairs, q::METRIC)
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
            extra: extra.into(),
        }
    }))
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
