//! The directory and the integration: agents of a group, their availability and response
//! times, the group tree, industries, the key's integration(s) and `GET /checkCredentials`.
//! Availability is deterministic (see `catalog::agent_online`), so tests can rely on it.

use super::catalog::{self, Group, GROUPS, ROOT};
use super::http::{not_found, ok, schema_invalid, unauthorized, Answer, Authorized, Ids};
use super::listing;
use crate::query::{parse_query, value};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use conversion_api::types;
use conversion_api::wire;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The directory and integration routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::list_agents::PATH, get(agents))
        .route(
            wire::get_agent_response_time::PATH,
            post(agent_response_time),
        )
        .route(wire::is_agent_working::PATH, get(agent_is_working))
        .route(wire::list_groups::PATH, get(groups))
        .route(wire::get_group::PATH, get(group))
        .route(wire::get_online_agents::PATH, get(online_agents))
        .route(
            wire::get_group_response_time::PATH,
            post(group_response_time),
        )
        .route(wire::is_group_working::PATH, get(group_is_working))
        .route(wire::list_industries::PATH, get(industries))
        .route(wire::check_credentials::PATH, get(check_credentials))
        .route(wire::get_integration::PATH, get(integration))
        .route(wire::list_integrations::PATH, get(integrations))
}

/// Any group of the tree, the root included (`404` otherwise).
fn find_group(id: &str) -> Result<&'static Group, Response> {
    std::iter::once(&ROOT)
        .chain(GROUPS.iter())
        .find(|g| g.id == id)
        .ok_or_else(|| not_found("group", id))
}

/// The agent with this id (`404` otherwise).
fn find_agent(id: &str) -> Result<u64, Response> {
    catalog::agent_index(id).ok_or_else(|| not_found("agent", id))
}

/// A free-form answer (the spec records no shape for these).
fn object(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// The agents of a group (`group` is required), optionally only the active or inactive ones.
async fn agents(Authorized(pairs): Authorized) -> Answer {
    let group = value(&pairs, "group").ok_or_else(|| schema_invalid("`group` is required"))?;
    let group = find_group(group)?;
    let active = listing::flag(&pairs, "active")?;
    let list: Vec<types::Agent> = catalog::agents_of(group.id)
        .into_iter()
        .filter(|n| active.is_none_or(|a| catalog::agent_active(*n) == a))
        .map(catalog::agent)
        .collect();
    Ok(ok(list))
}

async fn agent_response_time(_: Authorized, Ids(id): Ids<String>) -> Answer {
    let n = find_agent(&id)?;
    let secs = catalog::agent_response_secs(n);
    Ok(ok(object(
        json!({"agentId": id, "responseTime": secs, "unit": "seconds"}),
    )))
}

async fn agent_is_working(_: Authorized, Ids(id): Ids<String>) -> Answer {
    let n = find_agent(&id)?;
    let working = catalog::agent_online(n);
    Ok(ok(object(json!({"agentId": id, "isWorking": working}))))
}

fn node(group: &Group) -> types::GroupNode {
    let root = group.id == ROOT.id;
    let ids = |gs: &[Group]| gs.iter().map(|g| g.id.to_owned()).collect();
    types::GroupNode {
        ancestors: Some(if root {
            Vec::new()
        } else {
            vec![ROOT.id.to_owned()]
        }),
        country_code: Some("BR".to_owned()),
        descendants: Some(if root { ids(&GROUPS) } else { Vec::new() }),
        display_name: Some(if root {
            ROOT.name.to_owned()
        } else {
            format!("{} {}", ROOT.name, group.name)
        }),
        id: group.id.to_owned(),
        name: Some(group.name.to_owned()),
        parent: (!root).then(|| ROOT.id.to_owned()),
        timezone: Some("America/Sao_Paulo".to_owned()),
        type_: Some(vec![if root { "group" } else { "store" }.to_owned()]),
        extra: Default::default(),
    }
}

async fn groups(_: Authorized) -> Answer {
    let tree: Vec<types::GroupNode> = std::iter::once(&ROOT)
        .chain(GROUPS.iter())
        .map(node)
        .collect();
    Ok(ok(tree))
}

async fn group(_: Authorized, Ids(id): Ids<String>) -> Answer {
    Ok(ok(node(find_group(&id)?)))
}

async fn online_agents(_: Authorized, Ids(id): Ids<String>) -> Answer {
    let group = find_group(&id)?;
    let online: Vec<types::Agent> = catalog::agents_of(group.id)
        .into_iter()
        .filter(|n| catalog::agent_online(*n))
        .map(catalog::agent)
        .collect();
    Ok(ok(types::OnlineAgents {
        office_hours: Some(!online.is_empty()),
        agents: Some(online),
        extra: Default::default(),
    }))
}

/// The mean response time of the group's active agents.
async fn group_response_time(_: Authorized, Ids(id): Ids<String>) -> Answer {
    let group = find_group(&id)?;
    let times: Vec<u64> = catalog::agents_of(group.id)
        .into_iter()
        .filter(|n| catalog::agent_active(*n))
        .map(catalog::agent_response_secs)
        .collect();
    let mean = times.iter().sum::<u64>() / times.len().max(1) as u64;
    Ok(ok(object(
        json!({"groupId": id, "responseTime": mean, "unit": "seconds"}),
    )))
}

async fn group_is_working(_: Authorized, Ids(id): Ids<String>) -> Answer {
    let group = find_group(&id)?;
    let working = catalog::agents_of(group.id)
        .into_iter()
        .any(catalog::agent_online);
    Ok(ok(object(json!({"groupId": id, "isWorking": working}))))
}

async fn industries(_: Authorized) -> Answer {
    let list: Vec<types::Industry> = catalog::INDUSTRIES
        .iter()
        .map(|name| types::Industry {
            name: Some((*name).to_owned()),
            extra: Default::default(),
        })
        .collect();
    Ok(ok(list))
}

/// No security scheme: the key to check is the explicit `api-key` parameter. `200` without
/// a body for the sandbox's key, the vendor's `401` for any other (or none).
async fn check_credentials(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let pairs = parse_query(raw.as_deref());
    match value(&pairs, conversion_api::wire::CREDENTIAL_NAME) {
        Some(key) if key == state.config.credentials.conversion_api_key => {
            StatusCode::OK.into_response()
        }
        _ => unauthorized(),
    }
}

async fn integration(_: Authorized) -> Answer {
    let first = catalog::integrations().into_iter().next();
    first
        .map(ok)
        .ok_or_else(|| not_found("integration", "of this key"))
}

async fn integrations(_: Authorized) -> Answer {
    Ok(ok(catalog::integrations()))
}
