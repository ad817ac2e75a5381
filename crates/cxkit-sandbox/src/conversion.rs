//! The Zenvia Conversion fake: leads (merging duplicates by phone/e-mail), prospects and
//! interactions with cursor paging (newest first) and the 31-day rule, the directory,
//! subscriptions, and webhook deliveries that are retried until the receiver answers `2xx`.

use crate::{parse_query, rng, typed, value, values, AppState, Pairs, SandboxConfig, DATA_DAYS};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use conversion_api::types::{self, Interaction, Prospect};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

const GROUPS: [(&str, &str); 2] = [
    ("65f000000000000000000a01", "Vendas"),
    ("65f000000000000000000a02", "Pós-venda"),
];
const STATUSES: [&str; 5] = ["unclaimed", "new", "followUp", "processing", "archived"];
const VIAS: [&str; 5] = ["whatsApp", "phoneCall", "email", "sms", "visit"];
const FIRST: [&str; 6] = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio"];
const LAST: [&str; 5] = ["Souza", "Lima", "Dias", "Alves", "Rocha"];
const AGENTS: u64 = 8;

#[derive(Default)]
struct Inner {
    prospects: BTreeMap<String, Prospect>,
    interactions: BTreeMap<String, Vec<Interaction>>,
    subscriptions: Vec<types::Subscription>,
    counter: u64,
}

/// Prospects, interactions and subscriptions.
pub(crate) struct Store {
    inner: Mutex<Inner>,
    http: reqwest::Client,
}

/// A 24-hex id that sorts by time, like a MongoDB ObjectId.
fn object_id(at: DateTime<Utc>, counter: u64) -> String {
    format!("{:08x}{:016x}", at.timestamp().max(0) as u32, counter)
}

fn agent(n: u64) -> Value {
    json!({"id": format!("65f0000000000000000b{n:04x}"), "firstName": FIRST[(n % 6) as usize], "lastName": "Agente",
           "email": format!("agent{n}@sandbox.example")})
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    pub fn seeded(config: &SandboxConfig) -> Self {
        let mut inner = Inner::default();
        let start = config.anchor - Duration::days(DATA_DAYS);
        let span = Duration::days(DATA_DAYS).num_seconds();
        for i in 0..config.prospects {
            let r = |k| rng::at(config.seed, 500 + k, i);
            let created =
                start + Duration::seconds(span * i as i64 / config.prospects.max(1) as i64);
            inner.counter += 1;
            let id = object_id(created, inner.counter);
            let (group_id, group) = GROUPS[(r(1) % 2) as usize];
            let status = rng::pick(&STATUSES, r(2));
            let first = rng::pick(&FIRST, r(3));
            let mut p = json!({
                "id": id, "created": ts(created), "account": "Sandbox Motors", "accountId": "65f000000000000000000001",
                "group": group, "groupId": group_id, "status": status, "firstName": first, "lastName": rng::pick(&LAST, r(4)),
                "phones": [format!("+55119{:08}", r(5) % 100_000_000)], "emails": [format!("{}{}@example.com", first.to_lowercase(), i)],
                "leads": [{"created": ts(created), "source": "sandbox", "utmSource": rng::pick(&["google", "facebook", "site"], r(6)), "type": "retail"}],
                "additionalData": {"score": r(7) % 100, "city": rng::pick(&["São Paulo", "Porto Alegre", "Recife"], r(8))},
            });
            if status != "unclaimed" {
                p["agent"] = agent(r(9) % AGENTS);
                p["assigned"] = json!(ts(created + Duration::minutes(5)));
            }
            let prospect: Prospect = typed(p);
            let interactions = (0..r(10) % 3)
                .map(|n| {
                    inner.counter += 1;
                    let at = created + Duration::hours(n as i64 + 1);
                    typed::<Interaction>(json!({"id": object_id(at, inner.counter), "createdAt": ts(at), "status": "created",
                        "prospectId": id, "via": rng::pick(&VIAS, r(11 + n)), "proactive": n % 2 == 0}))
                })
                .collect();
            inner.interactions.insert(id.clone(), interactions);
            inner.prospects.insert(id, prospect);
        }
        Self {
            inner: Mutex::new(inner),
            http: reqwest::Client::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/lead/{kind}", post(create_lead))
        .route("/leads/categories", get(categories))
        .route("/leads/defaults", get(defaults))
        .route("/prospects", get(list_prospects))
        .route(
            "/prospect/{id}",
            get(get_prospect)
                .patch(update_prospect)
                .delete(delete_prospect),
        )
        .route("/prospect/{id}/transfer", post(transfer))
        .route(
            "/prospect/{id}/interactions",
            get(prospect_interactions).post(create_interaction),
        )
        .route("/prospect/{id}/interaction/{iid}", get(get_interaction))
        .route("/prospects/interactions", get(all_interactions))
        .route("/notifications/topics", get(topics))
        .route(
            "/notifications/subscriptions",
            get(list_subscriptions)
                .post(subscribe)
                .delete(unsubscribe_all),
        )
        .route(
            "/notifications/subscription/{id}",
            get(get_subscription).delete(unsubscribe),
        )
        .route("/agents", get(agents))
        .route("/groups", get(groups))
        .route("/group/{id}", get(group))
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = types::Error {
        code: Some(code.to_owned()),
        message: Some(message.to_owned()),
        summary: Some(
            status
                .canonical_reason()
                .unwrap_or("Error")
                .replace(' ', ""),
        ),
        extra: Default::default(),
    };
    (status, Json(body)).into_response()
}

fn invalid(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", &message.into())
}

fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        &format!("{what} not found"),
    )
}

/// Checks `api-key` and returns the query pairs.
fn authorize(state: &AppState, raw: Option<&str>) -> Result<Pairs, Response> {
    let pairs = parse_query(raw);
    match value(&pairs, "api-key") {
        Some(k) if k == state.config.credentials.conversion_api_key => Ok(pairs),
        _ => Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Invalid API key",
        )),
    }
}

macro_rules! authorized {
    ($state:expr, $raw:expr) => {
        match authorize(&$state, $raw.as_deref()) {
            Ok(pairs) => pairs,
            Err(response) => return response,
        }
    };
}

fn time(pairs: &Pairs, key: &str) -> Result<Option<DateTime<Utc>>, Response> {
    value(pairs, key)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| invalid(format!("`{key}` must be an ISO-8601 date-time")))
        })
        .transpose()
}

/// The created range, limit and cursor of a list, with the vendor's rules.
struct Listing {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    limit: Option<usize>,
    before: Option<String>,
    after: Option<String>,
}

impl Listing {
    fn parse(pairs: &Pairs, anchor: DateTime<Utc>) -> Result<Self, Response> {
        let (from, to) = (time(pairs, "createdAfter")?, time(pairs, "createdBefore")?);
        let limit = match value(pairs, "limit") {
            None => None,
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=5_000).contains(&n) => Some(n),
                _ => return Err(invalid("`limit` must be between 1 and 5000")),
            },
        };
        let effective_from = from.unwrap_or(anchor - Duration::days(DATA_DAYS * 10));
        if from.is_some() && to.unwrap_or(anchor) - effective_from > Duration::days(31) {
            return Err(invalid("the date range cannot be longer than 31 days"));
        }
        // Without a limit only the last 31 days come back.
        let from = if limit.is_none() && from.is_none() {
            Some(anchor - Duration::days(31))
        } else {
            from
        };
        Ok(Self {
            from,
            to,
            limit,
            before: value(pairs, "before").map(str::to_owned),
            after: value(pairs, "after").map(str::to_owned),
        })
    }

    /// Newest first, inside the range and past the cursor, at most `limit`.
    fn apply<T>(&self, mut rows: Vec<(String, DateTime<Utc>, T)>) -> Vec<T> {
        rows.retain(|(id, created, _)| {
            self.from.is_none_or(|f| *created >= f)
                && self.to.is_none_or(|t| *created < t)
                && self.before.as_ref().is_none_or(|b| id < b)
                && self.after.as_ref().is_none_or(|a| id > a)
        });
        rows.sort_by(|a, b| b.0.cmp(&a.0));
        rows.into_iter()
            .take(self.limit.unwrap_or(usize::MAX))
            .map(|(_, _, t)| t)
            .collect()
    }
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn data_filter(condition: &str) -> Option<(String, &'static str, String)> {
    for op in [">=", "<=", "=", ">", "<", "~"] {
        if let Some((field, value)) = condition.split_once(op) {
            return Some((field.to_owned(), op, value.to_owned()));
        }
    }
    None
}

fn matches_data(p: &Prospect, (field, op, expected): &(String, &'static str, String)) -> bool {
    let Some(actual) = p.additional_data.get(field) else {
        return false;
    };
    let as_text = match actual {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match (*op, actual.as_f64(), expected.parse::<f64>().ok()) {
        ("~", _, _) => as_text.to_lowercase().contains(&expected.to_lowercase()),
        ("=", _, _) => as_text == *expected,
        (">=", Some(a), Some(e)) => a >= e,
        (">", Some(a), Some(e)) => a > e,
        ("<=", Some(a), Some(e)) => a <= e,
        ("<", Some(a), Some(e)) => a < e,
        _ => false,
    }
}

async fn list_prospects(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let pairs = authorized!(state, raw);
    let listing = match Listing::parse(&pairs, state.config.anchor) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let conditions: Vec<_> = match values(&pairs, "additionalData[]")
        .into_iter()
        .map(data_filter)
        .collect::<Option<Vec<_>>>()
    {
        Some(c) => c,
        None => {
            return invalid(
                "`additionalData[]` must be FIELD<op>VALUE with op one of = >= > <= < ~",
            )
        }
    };
    let status = value(&pairs, "status");
    let agent = value(&pairs, "agent");
    let group = value(&pairs, "group");
    let category = value(&pairs, "category");
    let phone = value(&pairs, "phoneNumber");
    let search = value(&pairs, "search").map(str::to_lowercase);
    let with_agent = value(&pairs, "withAgent").map(|v| v == "true");
    let inner = state.conversion.lock();
    let rows = inner
        .prospects
        .values()
        .filter(|p| {
            status.is_none_or(|s| {
                serde_json::to_value(&p.status)
                    .ok()
                    .and_then(|v| v.as_str().map(|x| x == s))
                    .unwrap_or(false)
            })
        })
        .filter(|p| agent.is_none_or(|a| p.agent.as_ref().is_some_and(|x| x.id == a)))
        .filter(|p| group.is_none_or(|g| p.group_id == g))
        .filter(|p| category.is_none_or(|c| text(&p.category) == c))
        .filter(|p| phone.is_none_or(|n| p.phones.iter().any(|x| x == n)))
        .filter(|p| with_agent.is_none_or(|w| p.agent.is_some() == w))
        .filter(|p| {
            search.as_ref().is_none_or(|s| {
                p.phones
                    .iter()
                    .chain(&p.emails)
                    .any(|x| x.to_lowercase().contains(s))
                    || format!("{} {}", text(&p.first_name), text(&p.last_name))
                        .to_lowercase()
                        .contains(s)
            })
        })
        .filter(|p| conditions.iter().all(|c| matches_data(p, c)))
        .map(|p| (p.id.clone(), p.created, p.clone()))
        .collect();
    Json(listing.apply(rows)).into_response()
}

async fn get_prospect(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    authorized!(state, raw);
    match state.conversion.lock().prospects.get(&id) {
        Some(p) => Json(p.clone()).into_response(),
        None => not_found("prospect"),
    }
}

async fn delete_prospect(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    authorized!(state, raw);
    let mut inner = state.conversion.lock();
    inner.interactions.remove(&id);
    match inner.prospects.remove(&id) {
        Some(p) => Json(p).into_response(),
        None => not_found("prospect"),
    }
}

async fn update_prospect(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    Json(body): Json<types::UpdateProspect>,
) -> Response {
    authorized!(state, raw);
    let updated = {
        let mut inner = state.conversion.lock();
        let Some(p) = inner.prospects.get_mut(&id) else {
            return not_found("prospect");
        };
        if let Some(reason) = &body.archiving_reason {
            p.archiving_reason = Some(reason.clone());
            p.status = types::ProspectStatus::String("archived".into());
        }
        if let Some(v) = &body.first_name {
            p.first_name = Some(v.clone());
        }
        if let Some(v) = &body.last_name {
            p.last_name = Some(v.clone());
        }
        if let Some(v) = &body.phone {
            if !p.phones.contains(v) {
                p.phones.push(v.clone());
            }
        }
        if let Some(v) = &body.email {
            if !p.emails.contains(v) {
                p.emails.push(v.clone());
            }
        }
        if let Some(v) = &body.label {
            p.extra.insert("label".into(), json!(v));
        }
        p.clone()
    };
    notify(
        &state,
        "prospects",
        "updated",
        &updated.id,
        Some(&updated),
        None,
    );
    Json(updated).into_response()
}

async fn transfer(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    Json(body): Json<types::Transfer>,
) -> Response {
    authorized!(state, raw);
    let updated = {
        let mut inner = state.conversion.lock();
        let Some(p) = inner.prospects.get_mut(&id) else {
            return not_found("prospect");
        };
        if let Some(g) = &body.group {
            match GROUPS.iter().find(|(gid, _)| gid == g) {
                Some((gid, name)) => {
                    p.group_id = (*gid).to_owned();
                    p.group = (*name).to_owned();
                }
                None => return invalid(format!("unknown group {g}")),
            }
        }
        if let Some(u) = &body.user {
            let n = (0..AGENTS).find(|n| agent(*n)["id"] == *u);
            match n {
                Some(n) => p.agent = Some(typed(agent(n))),
                None => return invalid(format!("unknown user {u}")),
            }
        }
        p.extra
            .insert("transferredAt".into(), json!(ts(state.config.anchor)));
        p.clone()
    };
    notify(
        &state,
        "prospects",
        "updated",
        &updated.id,
        Some(&updated),
        None,
    );
    Json(updated).into_response()
}

fn interaction_filter(pairs: &Pairs) -> impl Fn(&Interaction) -> bool + '_ {
    let status = value(pairs, "status");
    let via = values(pairs, "via[]");
    let agent = value(pairs, "agent");
    move |i: &Interaction| {
        status.is_none_or(|s| i.status == s)
            && (via.is_empty()
                || i.via
                    .as_ref()
                    .and_then(|v| serde_json::to_value(v).ok())
                    .and_then(|v| v.as_str().map(|s| via.contains(&s)))
                    .unwrap_or(false))
            && agent.is_none_or(|a| i.agent_id.as_deref() == Some(a))
    }
}

async fn prospect_interactions(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = authorized!(state, raw);
    let (from, to) = match (time(&pairs, "createdAfter"), time(&pairs, "createdBefore")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let inner = state.conversion.lock();
    let Some(list) = inner.interactions.get(&id) else {
        return not_found("prospect");
    };
    let keep = interaction_filter(&pairs);
    let rows: Vec<&Interaction> = list
        .iter()
        .filter(|i| {
            keep(i) && from.is_none_or(|f| i.created_at >= f) && to.is_none_or(|t| i.created_at < t)
        })
        .collect();
    Json(rows).into_response()
}

async fn all_interactions(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let pairs = authorized!(state, raw);
    let listing = match Listing::parse(&pairs, state.config.anchor) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let keep = interaction_filter(&pairs);
    let inner = state.conversion.lock();
    let rows = inner
        .interactions
        .values()
        .flatten()
        .filter(|i| keep(i))
        .map(|i| (i.id.clone(), i.created_at, i.clone()))
        .collect();
    Json(listing.apply(rows)).into_response()
}

async fn get_interaction(
    State(state): State<Arc<AppState>>,
    Path((id, iid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    authorized!(state, raw);
    let inner = state.conversion.lock();
    match inner
        .interactions
        .get(&id)
        .and_then(|l| l.iter().find(|i| i.id == iid))
    {
        Some(i) => Json(i.clone()).into_response(),
        None => not_found("interaction"),
    }
}

async fn create_interaction(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    Json(event): Json<types::NewEvent>,
) -> Response {
    authorized!(state, raw);
    let (interaction, prospect) = {
        let mut inner = state.conversion.lock();
        let Some(prospect) = inner.prospects.get(&id).cloned() else {
            // As the live API: an unknown prospect gives 404 with an empty body.
            return StatusCode::NOT_FOUND.into_response();
        };
        inner.counter += 1;
        let at = state.config.anchor + Duration::seconds(inner.counter as i64);
        let event = serde_json::to_value(&event).unwrap_or_default();
        let kind = event["type"].as_str().unwrap_or("note").to_owned();
        let via = match kind.as_str() {
            "call" => "phoneCall",
            "message" => "whatsApp",
            _ => "other",
        };
        let interaction: Interaction = typed(json!({
            "id": object_id(at, inner.counter), "createdAt": ts(at), "status": "created", "prospectId": id,
            "via": via, "proactive": true, "output": {"comment": event.get("content").cloned().unwrap_or(Value::Null), "kind": kind},
        }));
        inner
            .interactions
            .entry(id.clone())
            .or_default()
            .push(interaction.clone());
        (interaction, prospect)
    };
    notify(
        &state,
        "interactions",
        "created",
        &interaction.id,
        Some(&prospect),
        Some(&interaction),
    );
    Json(vec![interaction]).into_response()
}

async fn create_lead(
    State(state): State<Arc<AppState>>,
    Path(kind): Path<String>,
    RawQuery(raw): RawQuery,
    Json(lead): Json<Value>,
) -> Response {
    authorized!(state, raw);
    let lead_type = match kind.as_str() {
        "retail" => "retail",
        "vehicle" => "vehicle",
        "insurance" => "insurance",
        "saving-plan" => "savingPlan",
        "real-estate" => "realEstate",
        _ => return not_found("lead kind"),
    };
    let Some(utm) = lead
        .get("utmSource")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return invalid("utmSource is required");
    };
    let list = |key: &str| -> Vec<String> {
        lead.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (phones, emails) = (list("phones"), list("emails"));
    if phones.is_empty() && emails.is_empty() {
        return invalid("a lead needs at least one phone or email");
    }
    let (prospect, created) = {
        let mut inner = state.conversion.lock();
        inner.counter += 1;
        let at = state.config.anchor + Duration::seconds(inner.counter as i64);
        let mut data =
            json!({"created": ts(at), "source": "api", "utmSource": utm, "type": lead_type});
        for key in [
            "product",
            "comments",
            "company",
            "store",
            "agent",
            "priority",
            "providerLeadId",
        ] {
            if let Some(v) = lead.get(key).filter(|v| !v.is_null()) {
                data[key] = v.clone();
            }
        }
        let lead_data: types::LeadData = typed(data);
        let existing = inner
            .prospects
            .values()
            .find(|p| {
                p.phones.iter().any(|x| phones.contains(x))
                    || p.emails.iter().any(|x| emails.contains(x))
            })
            .map(|p| p.id.clone());
        match existing {
            Some(id) => {
                let p = inner.prospects.get_mut(&id).expect("found above");
                p.leads.push(lead_data);
                p.merged = Some(true);
                for x in &phones {
                    if !p.phones.contains(x) {
                        p.phones.push(x.clone());
                    }
                }
                for x in &emails {
                    if !p.emails.contains(x) {
                        p.emails.push(x.clone());
                    }
                }
                (p.clone(), false)
            }
            None => {
                let (group_id, group) = GROUPS[0];
                let id = object_id(at, inner.counter);
                let p: Prospect = typed(json!({
                    "id": id, "created": ts(at), "account": "Sandbox Motors", "accountId": "65f000000000000000000001",
                    "group": group, "groupId": group_id, "status": "unclaimed", "leads": [lead_data],
                    "firstName": lead.get("firstName"), "lastName": lead.get("lastName"), "phones": phones, "emails": emails, "merged": false,
                }));
                inner.interactions.insert(id.clone(), Vec::new());
                inner.prospects.insert(id, p.clone());
                (p, true)
            }
        }
    };
    notify(
        &state,
        "prospects",
        if created { "created" } else { "updated" },
        &prospect.id,
        Some(&prospect),
        None,
    );
    let mut body = serde_json::to_value(&prospect).unwrap_or_default();
    body["interactions"] = json!([]);
    let created: types::ProspectCreated = typed(body);
    Json(created).into_response()
}

async fn categories(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    authorized!(state, raw);
    let rows: Vec<types::Category> = ["default", "new-cars", "used-cars"]
        .iter()
        .map(|c| typed(json!({"name": c, "description": format!("{c} leads")})))
        .collect();
    Json(rows).into_response()
}

async fn defaults(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    authorized!(state, raw);
    Json(typed::<types::Defaults>(
        json!({"currency": "BRL", "distance": "km"}),
    ))
    .into_response()
}

async fn topics(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    authorized!(state, raw);
    let rows: Vec<types::Topic> = [
        ("prospects", "A prospect was created or changed"),
        ("interactions", "An interaction was created or changed"),
        ("quotes", "A quote changed"),
        ("agents", "An agent changed"),
    ]
    .iter()
    .map(|(n, d)| typed(json!({"name": n, "description": d})))
    .collect();
    Json(rows).into_response()
}

async fn agents(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    authorized!(state, raw);
    Json(
        (0..AGENTS)
            .map(|n| typed::<types::Agent>(agent(n)))
            .collect::<Vec<_>>(),
    )
    .into_response()
}

async fn groups(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    authorized!(state, raw);
    Json(
        GROUPS
            .iter()
            .map(|(id, name)| typed::<types::Group>(json!({"id": id, "name": name})))
            .collect::<Vec<_>>(),
    )
    .into_response()
}

async fn group(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    authorized!(state, raw);
    match GROUPS.iter().find(|(gid, _)| *gid == id) {
        Some((id, name)) => {
            Json(typed::<types::Group>(json!({"id": id, "name": name}))).into_response()
        }
        None => not_found("group"),
    }
}

async fn subscribe(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
    Json(body): Json<types::NewSubscription>,
) -> Response {
    authorized!(state, raw);
    if reqwest::Url::parse(&body.callback_url).is_err() {
        return invalid("callbackUrl must be a URL");
    }
    let mut inner = state.conversion.lock();
    inner.counter += 1;
    let id = object_id(state.config.anchor, inner.counter);
    // One subscription per group: the previous one is deactivated.
    inner
        .subscriptions
        .iter_mut()
        .for_each(|s| s.active = Some(false));
    let subscription: types::Subscription = typed(
        json!({"id": id, "topics": body.topics, "callbackUrl": body.callback_url, "active": true}),
    );
    inner.subscriptions.push(subscription.clone());
    (StatusCode::CREATED, Json(subscription)).into_response()
}

async fn list_subscriptions(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    authorized!(state, raw);
    let inner = state.conversion.lock();
    Json(
        inner
            .subscriptions
            .iter()
            .filter(|s| s.active != Some(false))
            .cloned()
            .collect::<Vec<_>>(),
    )
    .into_response()
}

async fn get_subscription(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    authorized!(state, raw);
    let inner = state.conversion.lock();
    match inner.subscriptions.iter().find(|s| s.id == id) {
        Some(s) => Json(s.clone()).into_response(),
        None => not_found("subscription"),
    }
}

async fn unsubscribe(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    authorized!(state, raw);
    let mut inner = state.conversion.lock();
    match inner.subscriptions.iter_mut().find(|s| s.id == id) {
        Some(s) => {
            s.active = Some(false);
            Json(s.clone()).into_response()
        }
        None => not_found("subscription"),
    }
}

async fn unsubscribe_all(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    authorized!(state, raw);
    let mut inner = state.conversion.lock();
    let mut modified = 0;
    for s in inner
        .subscriptions
        .iter_mut()
        .filter(|s| s.active != Some(false))
    {
        s.active = Some(false);
        modified += 1;
    }
    Json(types::DeleteSubscriptionsResult {
        modified,
        extra: Default::default(),
    })
    .into_response()
}

/// Delivers an event to every active subscription of `topic`, retrying until `2xx`.
fn notify(
    state: &Arc<AppState>,
    topic: &str,
    kind: &str,
    operation_id: &str,
    prospect: Option<&Prospect>,
    interaction: Option<&Interaction>,
) {
    let targets: Vec<(String, String)> = {
        let inner = state.conversion.lock();
        inner
            .subscriptions
            .iter()
            .filter(|s| s.active != Some(false))
            .filter(|s| {
                s.topics.iter().any(|t| {
                    serde_json::to_value(t)
                        .ok()
                        .and_then(|v| v.as_str().map(|x| x == topic))
                        .unwrap_or(false)
                })
            })
            .map(|s| (s.id.clone(), s.callback_url.clone()))
            .collect()
    };
    let received = Utc::now();
    for (subscription, url) in targets {
        let mut event = json!({
            "subscriptionId": subscription, "topic": topic, "type": kind, "received": ts(received),
            "updatedAt": ts(received), "operationId": operation_id,
        });
        if let Some(p) = prospect {
            event["prospect"] = serde_json::to_value(p).unwrap_or_default();
        }
        if let Some(i) = interaction {
            event["interaction"] = serde_json::to_value(i).unwrap_or_default();
        }
        let state = state.clone();
        tokio::spawn(async move {
            let mut delay = state.config.webhook_backoff;
            for attempt in 1..=state.config.webhook_attempts.max(1) {
                event["attempts"] = json!(attempt);
                event["sent"] = json!(ts(Utc::now()));
                let delivery: types::WebhookEvent = typed(event.clone());
                let outcome = state
                    .conversion
                    .http
                    .post(&url)
                    .json(&delivery)
                    .send()
                    .await;
                match outcome {
                    Ok(r) if r.status().is_success() => return,
                    Ok(r) => {
                        tracing::debug!(status = %r.status(), attempt, "webhook refused; redelivering")
                    }
                    Err(e) => {
                        tracing::debug!(error = %e.without_url(), attempt, "webhook failed; redelivering")
                    }
                }
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        });
    }
}
