//! `GET /reports`: the filtered history counted per period, channel, agent, department or
//! tag, with a `Total` row.

use super::data::{Data, DEPARTMENTS};
use super::filter::Filter;
use super::names;
use super::{authorize, envelope, error};
use crate::query::{parse_query, value};
use crate::typed::typed;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use std::sync::Arc;
use zchat_api::types;
use zchat_api::wire::get_reports::query as q;

pub(super) async fn reports(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = parse_query(raw.as_deref());
    if let Err(r) = authorize(&state, &pairs) {
        return r;
    }
    let filter = match Filter::parse(&pairs, state.config.anchor, &names::REPORTS) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let grouping = value(&pairs, q::DATA_TYPE).unwrap_or("period");
    if !["period", "channel", "agent", "department", "tag"].contains(&grouping) {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("invalid data_type `{grouping}`"),
        );
    }
    let data = Data::history(&state);
    let mut groups: std::collections::BTreeMap<String, [i64; 4]> = Default::default();
    for i in data
        .range(filter.from, filter.to)
        .map(|i| data.at(i))
        .filter(|i| filter.matches(i))
    {
        let key = match grouping {
            "period" => i.created.format("%Y-%m-%d").to_string(),
            "channel" => i.channel.to_owned(),
            "agent" => format!("Agent {}", i.agent),
            "department" => DEPARTMENTS[i.department].to_owned(),
            _ => "sandbox".to_owned(),
        };
        let g = groups.entry(key).or_default();
        g[0] += 1;
        g[1] += i64::from(!i.active);
        g[2] += i64::from(i.active);
        g[3] += i64::from(i.state == "ENDED");
    }
    let total = groups.values().fold([0i64; 4], |mut t, g| {
        (0..4).for_each(|k| t[k] += g[k]);
        t
    });
    let rows: Vec<types::ReportRow> = groups
        .into_iter()
        .chain(std::iter::once(("Total".to_owned(), total)))
        .map(|(title, g)| {
            typed(json!({
                "title": title, "answered": g[0], "received": g[1], "made": g[2], "ended": g[3],
                "backlog": 0, "discarded": g[0] - g[3], "tma": 240, "tme": 30,
            }))
        })
        .collect();
    envelope(rows)
}
