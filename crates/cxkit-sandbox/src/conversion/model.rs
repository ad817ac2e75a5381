//! Building and reading the generated types: records with every optional field unset, the
//! explicit `null`s real traffic carries, contact data, and the string form of open enums.
//!
//! The generated types leave a `None` out of the JSON. Where real traffic sends `null`
//! (`transferredAt`, `label`, `templateConfig`) the fake writes the `null` into the record's
//! `extra` map, and drops it again when the field gets a value, so a key never appears twice.

use super::catalog::{self, Group};
use chrono::{DateTime, Utc};
use conversion_api::types::{
    self, ContactMedium, Interaction, InteractionMessage, InteractionOutput, InteractionVia,
    KnownInteractionVia, KnownLeadType, KnownMessagePerformer, KnownProspectStatus, LeadData,
    Prospect,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A prospect created at `created` in `group`, unclaimed, with no contact data and the
/// fields real traffic always carries (`additionalData: {}`, `transferredAt: null`, …).
pub(crate) fn prospect(id: String, created: DateTime<Utc>, group: &Group) -> Prospect {
    let mut extra = types::OpenMap::new();
    extra.insert("transferredAt", Value::Null);
    Prospect {
        absence_message: None,
        account: catalog::ACCOUNT.to_owned(),
        account_id: catalog::ACCOUNT_ID.to_owned(),
        additional_data: Some(Default::default()),
        agent: None,
        archiving_reason: None,
        assigned: None,
        category: None,
        contact_mediums: Some(Vec::new()),
        created,
        emails: Some(Vec::new()),
        facebook_due_at: None,
        first_contacted_at: None,
        first_name: None,
        group: group.name.to_owned(),
        group_id: group.id.to_owned(),
        id,
        initial_group: Some(group.name.to_owned()),
        initial_group_id: Some(group.id.to_owned()),
        instagram_due_at: None,
        label: None,
        last_name: None,
        leads: Vec::new(),
        merged: None,
        next_reminder: None,
        nin: Some(Vec::new()),
        phones: Some(Vec::new()),
        sent_working_hour_message: None,
        status: KnownProspectStatus::Unclaimed.into(),
        transferred_at: None,
        user_made: Some(false),
        whats_app_due_at: None,
        extra,
    }
}

/// A lead as stored on a prospect.
pub(crate) fn lead_data(
    created: DateTime<Utc>,
    source: &str,
    utm_source: &str,
    kind: KnownLeadType,
) -> LeadData {
    LeadData {
        agent: None,
        campaign: None,
        comments: None,
        company: None,
        created,
        created_by: None,
        medium: None,
        priority: None,
        product: None,
        provider_key: None,
        provider_lead_id: None,
        source: source.to_owned(),
        store: None,
        type_: kind.into(),
        utm_campaign: None,
        utm_medium: None,
        utm_source: utm_source.to_owned(),
        extra: Default::default(),
    }
}

/// An interaction of `prospect_id` through `via`, created (and finished) at `at`.
pub(crate) fn interaction(
    id: String,
    prospect_id: &str,
    at: DateTime<Utc>,
    via: KnownInteractionVia,
) -> Interaction {
    Interaction {
        agent: None,
        agent_id: None,
        bot: None,
        created_at: Some(at),
        due_at: None,
        finished_at: Some(at),
        id,
        output: Some(output()),
        proactive: None,
        prospect_id: Some(prospect_id.to_owned()),
        started_at: None,
        status: "created".to_owned(),
        via: Some(via.into()),
        extra: Default::default(),
    }
}

/// An interaction outcome with nothing set.
pub(crate) fn output() -> InteractionOutput {
    InteractionOutput {
        call_successful: None,
        comment: None,
        conversations: None,
        message: None,
        proposal: None,
        rejection_reason: None,
        reminder: None,
        response: None,
        status: None,
        transfered_to: None,
        visit_successful: None,
        extra: Default::default(),
    }
}

/// A message with the keys every real message carries (`templateConfig: null` included).
pub(crate) fn message(
    via: KnownInteractionVia,
    performer: KnownMessagePerformer,
    text: &str,
    sender: &str,
    recipient: &str,
    provider_id: String,
) -> InteractionMessage {
    let mut extra = types::OpenMap::new();
    extra.insert("templateConfig", Value::Null);
    InteractionMessage {
        attachment: None,
        body: Some(text.to_owned()),
        content: Some(text.to_owned()),
        delivered: Some(performer == KnownMessagePerformer::Agent),
        performer: Some(performer.into()),
        provider_id: Some(provider_id),
        recipient: Some(recipient.to_owned()),
        sender: Some(sender.to_owned()),
        template: None,
        template_config: None,
        template_parameters: None,
        via: Some(via.into()),
        extra,
    }
}

/// `via` as on the wire.
pub(crate) fn via_str(via: &InteractionVia) -> String {
    match via {
        InteractionVia::KnownInteractionVia(known) => known.to_string(),
        InteractionVia::String(other) => other.clone(),
    }
}

/// Sets the prospect's label (`None` writes the explicit `null` real traffic shows).
pub(crate) fn set_label(p: &mut Prospect, label: Option<String>) {
    match label {
        Some(key) => {
            p.extra.remove("label");
            p.label = Some(key);
        }
        None => {
            p.label = None;
            p.extra.insert("label", Value::Null);
        }
    }
}

/// Records a transfer at `at`.
pub(crate) fn set_transferred(p: &mut Prospect, at: DateTime<Utc>) {
    p.extra.remove("transferredAt");
    p.transferred_at = Some(at);
}

/// Adds a phone number (and its contact medium) unless the prospect has it.
pub(crate) fn add_phone(p: &mut Prospect, phone: &str, medium_id: impl FnOnce() -> String) {
    let phones = p.phones.get_or_insert_with(Vec::new);
    if !phones.iter().any(|x| x == phone) {
        phones.push(phone.to_owned());
        add_medium(p, "phone", medium_id(), None);
    }
}

/// Adds an e-mail address (and its contact medium) unless the prospect has it.
pub(crate) fn add_email(p: &mut Prospect, email: &str, medium_id: impl FnOnce() -> String) {
    let emails = p.emails.get_or_insert_with(Vec::new);
    if !emails.iter().any(|x| x.eq_ignore_ascii_case(email)) {
        emails.push(email.to_owned());
        add_medium(p, "email", medium_id(), None);
    }
}

/// Adds a contact medium `{_id, type, mediumId?}`.
pub(crate) fn add_medium(p: &mut Prospect, kind: &str, id: String, medium_id: Option<String>) {
    p.contact_mediums
        .get_or_insert_with(Vec::new)
        .push(ContactMedium {
            id: Some(id),
            medium_id,
            type_: Some(kind.to_owned()),
            extra: Default::default(),
        });
}

/// The answer to a lead: the prospect plus the interactions the lead produced.
pub(crate) fn created_answer(
    p: &Prospect,
    interactions: Vec<Interaction>,
) -> types::ProspectCreated {
    let mut value = to_value(p);
    value.insert("interactions".into(), to_value_any(&interactions));
    retype(value, |c: &mut types::ProspectCreated| &mut c.extra)
}

/// The prospect with only `fields` (plus the ones a contact selection always returns).
pub(crate) fn project(p: &Prospect, fields: &[&str]) -> Prospect {
    const ALWAYS: [&str; 8] = [
        "id",
        "status",
        "leads",
        "accountId",
        "account",
        "group",
        "groupId",
        "created",
    ];
    let mut value = to_value(p);
    value.retain(|k, _| ALWAYS.contains(&k.as_str()) || fields.contains(&k.as_str()));
    retype(value, |p: &mut Prospect| &mut p.extra)
}

fn to_value(p: &Prospect) -> Map<String, Value> {
    match serde_json::to_value(p) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn to_value_any<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Reads sandbox-written JSON as `T`, then puts back the explicit `null`s that serde read
/// into `None` (and would leave out of the JSON).
fn retype<T: DeserializeOwned>(
    value: Map<String, Value>,
    extra: fn(&mut T) -> &mut types::OpenMap,
) -> T {
    let nulls: Vec<String> = value
        .iter()
        .filter(|(_, v)| v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    let mut typed: T = crate::typed::typed(Value::Object(value));
    let extra = extra(&mut typed);
    for key in nulls {
        extra.insert(key, Value::Null);
    }
    typed
}
