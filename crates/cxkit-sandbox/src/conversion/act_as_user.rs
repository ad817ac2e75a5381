//! What the integration does as its configured user (agent 0): archive, label and transfer
//! prospects, and list the archiving reasons, labels and transfer targets it may use. The
//! plain `POST /prospect/{id}/transfer` lives here too: both transfers share their rules.

use super::catalog::{self, GROUPS};
use super::http::{conflict, invalid, ok, unknown, Answer, Authorized, Body, Ids};
use super::model;
use super::prospects::{apply_update, changed, medium_ids};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use conversion_api::types::{self, KnownProspectStatus, Prospect};
use conversion_api::wire;

use std::sync::Arc;

/// The act-as-user and transfer routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(wire::transfer_prospect::PATH, post(transfer))
        .route(wire::transfer_prospect_as_user::PATH, post(transfer))
        .route(wire::archive_prospect_as_user::PATH, post(archive))
        .route(wire::label_prospect::PATH, post(label))
        .route(wire::list_archiving_reasons::PATH, get(reasons))
        .route(wire::list_prospect_labels::PATH, get(labels))
        .route(wire::get_transferable::PATH, get(transferable))
}

async fn reasons(_: Authorized) -> Answer {
    Ok(ok(catalog::archiving_reasons()))
}

async fn labels(_: Authorized) -> Answer {
    let labels: Vec<types::ProspectLabel> = catalog::LABELS
        .iter()
        .map(|(key, name)| types::ProspectLabel {
            key: Some((*key).to_owned()),
            name: Some((*name).to_owned()),
            extra: Default::default(),
        })
        .collect();
    Ok(ok(labels))
}

/// The groups prospects can be routed to and the active agents.
async fn transferable(_: Authorized) -> Answer {
    let groups = GROUPS
        .iter()
        .map(|g| types::Group {
            id: g.id.to_owned(),
            name: g.name.to_owned(),
            extra: Default::default(),
        })
        .collect();
    let agents = (0..catalog::AGENTS)
        .filter(|n| catalog::agent_active(*n))
        .map(catalog::agent)
        .collect();
    Ok(ok(types::GroupUserTransferable {
        agents,
        groups,
        extra: Default::default(),
    }))
}

/// Archives with a listed reason (other fields of the body change too, as in a PATCH).
async fn archive(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
    Body(body): Body<types::UpdateProspect>,
) -> Answer {
    state.conversion.exists(&id)?;
    if body.archiving_reason.is_none() {
        return Err(invalid("archivingReason is required to archive a prospect"));
    }
    changed(&state, &id, |inner| {
        let mediums = medium_ids(inner, state.config.anchor);
        apply_update(inner.prospect_mut(&id)?, &body, mediums)
    })
}

/// Sets the label: the key of a listed label.
async fn label(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
    Body(body): Body<types::LabelProspect>,
) -> Answer {
    state.conversion.exists(&id)?;
    let key = body.label.to_string();
    if !catalog::LABELS.iter().any(|(k, _)| *k == key) {
        return Err(unknown(format!("label {key} (see GET /as-user/labels)")));
    }
    changed(&state, &id, |inner| {
        model::set_label(inner.prospect_mut(&id)?, Some(key));
        Ok(())
    })
}

/// Moves the prospect to a group, to an agent, or both (the agent must work in the group).
/// To an agent: assigned to them (an unclaimed prospect becomes `new`). To a group only: it
/// waits there unclaimed, as a fresh lead would. Answers with the prospect (the spec's
/// answer is a free-form object).
async fn transfer(
    State(state): State<Arc<AppState>>,
    _: Authorized,
    Ids(id): Ids<String>,
    Body(body): Body<types::Transfer>,
) -> Answer {
    state.conversion.exists(&id)?;
    let target = Target::parse(&body)?;
    changed(&state, &id, |inner| {
        let (at, _) = inner.tick(state.config.anchor);
        let p = inner.prospect_mut(&id)?;
        target.apply(p);
        model::set_transferred(p, at);
        if p.agent.is_some() {
            p.assigned = Some(at);
        }
        Ok(())
    })
}

/// Where a transfer sends a prospect.
struct Target {
    group: &'static catalog::Group,
    agent: Option<u64>,
}

impl Target {
    fn parse(body: &types::Transfer) -> Result<Self, Response> {
        let group = match &body.group {
            Some(id) => Some(catalog::group(id).ok_or_else(|| unknown(format!("group {id}")))?),
            None => None,
        };
        let agent = match &body.user {
            Some(id) => {
                let n = catalog::agent_index(id).filter(|n| catalog::agent_active(*n));
                Some(n.ok_or_else(|| unknown(format!("active user {id}")))?)
            }
            None => None,
        };
        match (group, agent) {
            (None, None) => Err(invalid("a transfer needs a group, a user or both")),
            (Some(g), Some(n)) if catalog::agent_group(n).id != g.id => Err(conflict(format!(
                "user {} does not work in group {}",
                catalog::agent_id(n),
                g.id
            ))),
            (Some(group), agent) => Ok(Self { group, agent }),
            (None, Some(n)) => Ok(Self {
                group: catalog::agent_group(n),
                agent: Some(n),
            }),
        }
    }

    fn apply(&self, p: &mut Prospect) {
        p.group = self.group.name.to_owned();
        p.group_id = self.group.id.to_owned();
        let archived = p.status.to_string() == KnownProspectStatus::Archived.to_string();
        match self.agent {
            Some(n) => {
                p.agent = Some(catalog::agent(n));
                if p.status.to_string() == KnownProspectStatus::Unclaimed.to_string() {
                    p.status = KnownProspectStatus::New.into();
                }
            }
            None => {
                p.agent = None;
                p.assigned = None;
                if !archived {
                    p.status = KnownProspectStatus::Unclaimed.into();
                }
            }
        }
    }
}
