//! The Zenvia Chat fake: `/reports`, `/history`, `/history/expanded`,
//! `/history/{id}/messages`, `/ongoing`, with the `token` query parameter and the
//! `{status, success, data}` envelope.

use crate::{parse_query, rng, typed, value, AppState, Pairs, DATA_DAYS};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use zchat_api::types;

const CHANNELS: [&str; 9] = [
    "WHATSAPP", "EMAIL", "TEXT", "FACEBOOK", "SMS", "TELEGRAM", "PHONE", "MELI_QST", "MELI_MSG",
];
const STATES: [&str; 4] = ["ENDED", "ENDED", "CANCELED", "DISCARDED"];
const AGENTS: u64 = 20;
const DEPARTMENTS: [&str; 5] = ["Vendas", "Suporte", "Financeiro", "Pós-venda", "Ouvidoria"];
const NAMES: [&str; 8] = [
    "Ana Souza",
    "Bruno Lima",
    "Carla Dias",
    "Diego Alves",
    "Elisa Rocha",
    "Fábio Melo",
    "Gabi Nunes",
    "Hugo Reis",
];

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/reports", get(reports))
        .route("/history", get(history))
        .route("/history/expanded", get(history_expanded))
        .route("/history/{id}/messages", get(messages))
        .route("/ongoing", get(ongoing))
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
    match value(pairs, "token") {
        Some(t) if t == state.config.credentials.zchat_token => Ok(()),
        Some(_) => Err(error(StatusCode::UNAUTHORIZED, "Invalid token")),
        None => Err(error(StatusCode::UNAUTHORIZED, "Token not provided")),
    }
}

/// A generated interaction (the base of history, expanded and ongoing rows).
struct Interaction {
    index: u64,
    created: DateTime<Utc>,
    channel: &'static str,
    state: &'static str,
    agent: u64,
    department: usize,
    active: bool,
    customer: &'static str,
    mood: u64,
}

struct Data<'a> {
    seed: u64,
    rows: u64,
    start: DateTime<Utc>,
    step: Duration,
    salt: u64,
    _state: &'a AppState,
}

impl<'a> Data<'a> {
    fn history(state: &'a AppState) -> Self {
        let rows = state.config.history_rows.max(1);
        let span = Duration::days(DATA_DAYS);
        Self {
            seed: state.config.seed,
            rows: state.config.history_rows,
            start: state.config.anchor - span,
            step: span / i32::try_from(rows).unwrap_or(i32::MAX).max(1),
            salt: 1,
            _state: state,
        }
    }

    fn ongoing(state: &'a AppState) -> Self {
        let rows = state.config.ongoing_rows.max(1);
        Self {
            seed: state.config.seed,
            rows: state.config.ongoing_rows,
            start: state.config.anchor - Duration::hours(8),
            step: Duration::hours(8) / i32::try_from(rows).unwrap_or(i32::MAX).max(1),
            salt: 2,
            _state: state,
        }
    }

    fn at(&self, index: u64) -> Interaction {
        let r = |k: u64| rng::at(self.seed, self.salt * 16 + k, index);
        let step_ms = self.step.num_milliseconds().max(1);
        Interaction {
            index,
            created: self.start + Duration::milliseconds(step_ms * index as i64),
            channel: rng::pick(&CHANNELS, r(1)),
            state: rng::pick(&STATES, r(2)),
            agent: r(3) % AGENTS + 1,
            department: (r(4) % DEPARTMENTS.len() as u64) as usize,
            active: r(5) % 4 == 0,
            customer: rng::pick(&NAMES, r(6)),
            mood: r(7) % 5 + 1,
        }
    }

    /// The index range whose rows were created in `[from, to]`.
    fn range(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> std::ops::Range<u64> {
        let step = self.step.num_milliseconds().max(1);
        let index_of = |t: DateTime<Utc>| -> i64 {
            let ms = (t - self.start).num_milliseconds();
            if ms <= 0 {
                0
            } else {
                (ms + step - 1) / step
            }
        };
        let lo = from.map_or(0, index_of).clamp(0, self.rows as i64) as u64;
        let hi = to
            .map_or(self.rows as i64, |t| {
                index_of(t + Duration::milliseconds(1))
            })
            .clamp(0, self.rows as i64) as u64;
        lo..hi.max(lo)
    }
}

/// The documented filters, parsed.
struct Filter {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    agents: Option<Vec<u64>>,
    departments: Option<Vec<String>>,
    states: Option<Vec<String>>,
    types: Option<Vec<String>>,
    active: Option<bool>,
    search: Option<String>,
}

fn list(pairs: &Pairs, key: &str) -> Option<Vec<String>> {
    value(pairs, key).map(|v| {
        v.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

impl Filter {
    fn parse(pairs: &Pairs, anchor: DateTime<Utc>) -> Result<Self, Response> {
        let bad = |m: String| error(StatusCode::BAD_REQUEST, &m);
        let tz = match value(pairs, "timezone") {
            None => FixedOffset::east_opt(0).unwrap_or(FixedOffset::east_opt(0).expect("UTC")),
            Some(t) => parse_offset(t).ok_or_else(|| bad(format!("invalid timezone `{t}`")))?,
        };
        let time = |key: &str| -> Result<Option<DateTime<Utc>>, Response> {
            match value(pairs, key) {
                None => Ok(None),
                Some(t) => {
                    let local = local_time(t).ok_or_else(|| {
                        bad(format!(
                            "invalid {key} `{t}`: expected YYYY-MM-DD HH:MM[:SS] (space or T)"
                        ))
                    })?;
                    let at = tz
                        .from_local_datetime(&local)
                        .single()
                        .ok_or_else(|| bad(format!("invalid {key}")))?;
                    Ok(Some(at.with_timezone(&Utc)))
                }
            }
        };
        let (from, to) = (time("from")?, time("to")?);
        // The vendor's defaults: the last 30 days, up to now.
        let from = from.or(Some(anchor - Duration::days(30)));
        // Ids the sandbox does not know (any text) match nothing, as on the vendor's side.
        let agents = list(pairs, "agents").map(|ids| {
            ids.iter()
                .map(|i| i.parse::<u64>().unwrap_or(u64::MAX))
                .collect()
        });
        let active = match value(pairs, "active") {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => return Err(bad(format!("invalid active `{other}`"))),
        };
        Ok(Self {
            from,
            to,
            agents,
            departments: list(pairs, "departments"),
            states: list(pairs, "states"),
            types: list(pairs, "types"),
            active,
            search: value(pairs, "search").map(|s| s.to_lowercase()),
        })
    }

    fn without_period(mut self) -> Self {
        self.from = None;
        self.to = None;
        self
    }

    fn matches(&self, i: &Interaction) -> bool {
        let within = |list: &Option<Vec<String>>, v: &str| {
            list.as_ref().is_none_or(|l| l.iter().any(|x| x == v))
        };
        self.agents.as_ref().is_none_or(|a| a.contains(&i.agent))
            && within(&self.departments, &(i.department + 1).to_string())
            && within(&self.states, i.state)
            && within(&self.types, i.channel)
            && self.active.is_none_or(|a| a == i.active)
            && self.search.as_ref().is_none_or(|s| {
                i.customer.to_lowercase().contains(s)
                    || format!("agent{}@sandbox.example", i.agent).contains(s)
                    || protocol(i.index) == *s
            })
    }

    fn is_period_only(&self) -> bool {
        self.agents.is_none()
            && self.departments.is_none()
            && self.states.is_none()
            && self.types.is_none()
            && self.active.is_none()
            && self.search.is_none()
    }
}

/// The forms the vendor documents: `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS` and
/// `YYYY-MM-DDTHH:MM:SS`. A day past the end of its month (`02-29` in a common year) is read
/// as the month's last day, as date libraries that roll over would not.
fn local_time(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.splitn(3, ':').map(|p| p.parse::<u32>().ok());
    let (hour, minute) = (t.next()??, t.next()??);
    let second = match t.next() {
        Some(s) => s?,
        None => 0,
    };
    let year = i32::try_from(year).ok()?;
    let last_day = (28..=31)
        .rev()
        .find(|d| chrono::NaiveDate::from_ymd_opt(year, month, *d).is_some())?;
    chrono::NaiveDate::from_ymd_opt(year, month, day.min(last_day))?
        .and_hms_opt(hour, minute, second)
}

fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

fn protocol(index: u64) -> String {
    format!("2024{index:08}")
}

/// `limit` (1..=10,000, default 100) and `page` (>= 1, default 1).
fn paging(pairs: &Pairs) -> Result<(u64, u64), Response> {
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
        number("limit", 100, 10_000)?,
        number("page", 1, i32::MAX as u64)?,
    ))
}

/// The rows of one page: index arithmetic when only the period filters, a scan otherwise.
fn page_of(data: &Data, filter: &Filter, limit: u64, page: u64) -> Vec<Interaction> {
    let range = data.range(filter.from, filter.to);
    let skip = (page - 1).saturating_mul(limit);
    if filter.is_period_only() {
        let start = range.start.saturating_add(skip).min(range.end);
        let end = start.saturating_add(limit).min(range.end);
        return (start..end).map(|i| data.at(i)).collect();
    }
    range
        .map(|i| data.at(i))
        .filter(|i| filter.matches(i))
        .skip(skip as usize)
        .take(limit as usize)
        .collect()
}

fn agent(i: &Interaction, status: Option<&str>) -> types::Agent {
    types::Agent {
        id: Some(i.agent.to_string()),
        name: Some(format!("Agent {}", i.agent)),
        phone_extension: Some(format!("{}", 2000 + i.agent)),
        status: status.map(|s| types::AgentStatus::String(s.to_owned())),
        extra: Default::default(),
    }
}

fn history_row(i: &Interaction) -> types::HistoryRow {
    // Built field by field (not through `json!`): the sandbox is the server in the export
    // benchmarks, and every row it renders counts.
    let text = |s: String| Some(types::StringOrList::String(s));
    let millis = |t: DateTime<Utc>| Some(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    types::HistoryRow {
        id: protocol(i.index),
        active: Some(types::ActiveFlag::String(i.active.to_string())),
        agent: Some(agent(i, None)),
        created_at: millis(i.created),
        current_state: Some(types::State::String(i.state.to_owned())),
        current_state_time: millis(i.created + Duration::minutes(12)),
        customer: Some(types::Customer {
            id: Some(format!("c{}", i.index % 5000)),
            fields: Some(types::CustomerFields {
                channel_email: Some(types::StringOrList::Array(vec![format!(
                    "cliente{}@example.com",
                    i.index % 1000
                )])),
                channel_phone: text(format!("+55119{:08}", i.index % 100_000_000)),
                main_identifier: text(i.customer.to_owned()),
                document: text(String::new()),
                channel_external: None,
                channel_facebook: None,
                channel_mercado_livre: None,
                channel_telegram: None,
                main_photo: None,
                extra: Default::default(),
            }),
            extra: Default::default(),
        }),
        department: Some(types::Department {
            id: Some((i.department + 1).to_string()),
            name: Some(DEPARTMENTS[i.department].to_owned()),
            extra: Default::default(),
        }),
        first_answer_time: millis(i.created + Duration::seconds(40)),
        media: Some(types::Channel::String(i.channel.to_owned())),
        mood: Some(i.mood.to_string()),
        sla_overdue: Some(i.index % 7 == 0),
        extra: Default::default(),
    }
}

fn envelope<T: serde::Serialize>(data: Vec<T>) -> Response {
    Json(json!({"status": 200, "success": true, "data": data})).into_response()
}

async fn history(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let pairs = parse_query(raw.as_deref());
    if let Err(r) = authorize(&state, &pairs) {
        return r;
    }
    let (filter, (limit, page)) = match (Filter::parse(&pairs, state.config.anchor), paging(&pairs))
    {
        (Ok(f), Ok(p)) => (f, p),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let data = Data::history(&state);
    envelope(
        page_of(&data, &filter, limit, page)
            .iter()
            .map(history_row)
            .collect(),
    )
}

async fn history_expanded(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let pairs = parse_query(raw.as_deref());
    if let Err(r) = authorize(&state, &pairs) {
        return r;
    }
    let (filter, (limit, page)) = match (Filter::parse(&pairs, state.config.anchor), paging(&pairs))
    {
        (Ok(f), Ok(p)) => (f, p),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let data = Data::history(&state);
    let rows: Vec<Value> = page_of(&data, &filter, limit, page)
        .iter()
        .map(|i| {
            let talking = 60 + rng::at(data.seed, 40, i.index) % 1800;
            let row: types::ExpandedHistoryRow = typed(json!({
                "id": protocol(i.index), "type": i.channel, "state": i.state, "origin": if i.active { "AGENT" } else { "CLIENT" },
                "startTime": i.created.to_rfc3339(), "endTime": (i.created + Duration::seconds(talking as i64)).to_rfc3339(),
                "agent": format!("Agent {}", i.agent), "department": DEPARTMENTS[i.department],
                "main_identifier": i.customer, "talking_time": talking, "queued_time": i.index % 90,
                "messages": 4 + i.index % 30, "response_count": 2 + i.index % 10, "mood": i.mood.to_string(),
                "tags": ["sandbox"], "tagCount": 1, "sla_overdue": i.index % 7 == 0, "queue_id": i.department + 1,
            }));
            serde_json::to_value(row).unwrap_or(Value::Null)
        })
        .collect();
    envelope(rows)
}

async fn ongoing(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let pairs = parse_query(raw.as_deref());
    if let Err(r) = authorize(&state, &pairs) {
        return r;
    }
    let (filter, (limit, page)) = match (Filter::parse(&pairs, state.config.anchor), paging(&pairs))
    {
        (Ok(f), Ok(p)) => (f.without_period(), p),
        (Err(r), _) | (_, Err(r)) => return r,
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

async fn reports(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let pairs = parse_query(raw.as_deref());
    if let Err(r) = authorize(&state, &pairs) {
        return r;
    }
    let filter = match Filter::parse(&pairs, state.config.anchor) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let grouping = value(&pairs, "data_type").unwrap_or("period");
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

async fn messages(
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
