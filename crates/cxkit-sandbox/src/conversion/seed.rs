//! The seeded account: `config.prospects` prospects spread over the 90 days before the
//! anchor, with their interactions, quotes and orders (`activity`), each value drawn from
//! (seed, prospect index) so that every run gives the same data.
//!
//! The proportions follow the vendor's real traffic: most prospects in follow-up, one phone
//! and no e-mail, `additionalData: {}`, `transferredAt: null` (a date-time in a few),
//! `label` absent (a key in a few, `null` in some), `nin` items with `_id` and `type` but no
//! `number`, `lastName` mostly absent; leads with a provider id and key, some with UTM medium
//! and campaign; WhatsApp messages with `templateConfig: null`, a couple sent from a template.

use super::activity::{interactions, order, quotes};
use super::catalog::{self, GROUPS};
use super::draw::Draw;
use super::{model, Inner};
use crate::config::{SandboxConfig, DATA_DAYS};
use crate::rng;
use chrono::{DateTime, Duration, Utc};
use conversion_api::types::{
    self, KnownLeadType, KnownNinType, KnownProspectStatus as Status, Prospect,
};
use serde_json::json;

const FIRST: [&str; 12] = [
    "Ana", "Bruno", "Carla", "Diego", "Elisa", "Fabio", "Gabriela", "Heitor", "Isabela", "Joao",
    "Larissa", "Marcos",
];
const LAST: [&str; 6] = ["Souza", "Lima", "Dias", "Alves", "Rocha", "Pereira"];
const CITIES: [&str; 4] = ["São Paulo", "Porto Alegre", "Recife", "Curitiba"];
const COMMENTS: [&str; 4] = [
    "Quer saber o valor da entrada",
    "Pediu uma avaliação do usado na troca",
    "Interesse em financiamento",
    "Perguntou sobre o test drive",
];

/// Where a seeded prospect came from: lead source, UTM source, provider key, contact medium.
struct Channel {
    source: &'static str,
    utm_source: &'static str,
    provider_key: Option<&'static str>,
    medium: &'static str,
}

const CHANNELS: [Channel; 4] = [
    Channel {
        source: "WHATSAPP",
        utm_source: "whatsapp",
        provider_key: Some("sandbox-whatsapp"),
        medium: "phone",
    },
    Channel {
        source: "INSTAGRAM",
        utm_source: "instagram",
        provider_key: Some("sandbox-instagram"),
        medium: "instagram",
    },
    Channel {
        source: "FACEBOOK",
        utm_source: "facebook",
        provider_key: Some("sandbox-facebook"),
        medium: "facebook",
    },
    Channel {
        source: "SITE",
        utm_source: "google",
        provider_key: None,
        medium: "phone",
    },
];

/// The seeded state for `config`.
pub(super) fn inner(config: &SandboxConfig) -> Inner {
    let mut inner = Inner::default();
    let start = config.anchor - Duration::days(DATA_DAYS);
    let span = Duration::days(DATA_DAYS).num_seconds();
    for i in 0..config.prospects {
        let draw = Draw {
            seed: config.seed,
            index: i,
        };
        let offset = Duration::seconds(span * i as i64 / config.prospects.max(1) as i64);
        let created = start + offset + draw.millis(draw.at(0));
        let p = prospect(&draw, created, &mut inner);
        let interactions = interactions(&draw, &p, &mut inner);
        let quotes = quotes(&draw, &p, &mut inner);
        if draw.percent(50) < 5 && p.phones.as_ref().is_some_and(|v| !v.is_empty()) {
            let order = order(&draw, &p, &mut inner);
            inner.orders.insert(p.id.clone(), vec![order]);
        }
        inner.interactions.insert(p.id.clone(), interactions);
        inner.quotes.insert(p.id.clone(), quotes);
        inner.prospects.insert(p.id.clone(), p);
    }
    inner
}

fn prospect(d: &Draw, created: DateTime<Utc>, inner: &mut Inner) -> Prospect {
    let channel = match d.percent(1) {
        0..70 => &CHANNELS[0],
        70..82 => &CHANNELS[1],
        82..90 => &CHANNELS[2],
        _ => &CHANNELS[3],
    };
    let status = match d.percent(3) {
        0..75 => Status::FollowUp,
        75..88 => Status::Archived,
        88..97 => Status::Unclaimed,
        97..99 => Status::New,
        _ => Status::Processing,
    };
    let group = &GROUPS[(d.at(2) % 2) as usize];
    let id = inner.id_at(created);
    let mut p = model::prospect(id, created, group);
    p.status = status.into();
    let first = d.pick(4, &FIRST);
    p.first_name = (d.percent(5) != 0).then(|| first.to_owned());
    p.last_name = (d.percent(6) < 15).then(|| d.pick(7, &LAST).to_owned());
    let social_only = channel.medium != "phone" && d.at(8).is_multiple_of(2);
    if !social_only {
        let phone = format!("+55119{:08}", d.at(9) % 100_000_000);
        model::add_phone(&mut p, &phone, || inner.id_at(created));
    }
    if channel.medium != "phone" {
        let medium_id = format!("{}", 17_000_000_000_000_000 + d.at(10) % 1_000_000_000_000);
        model::add_medium(
            &mut p,
            channel.medium,
            inner.id_at(created),
            Some(medium_id),
        );
    }
    if d.percent(11) < 12 {
        let email = format!("{}.{}@example.com", first.to_lowercase(), d.index);
        model::add_email(&mut p, &email, || inner.id_at(created));
    }
    if d.percent(12) < 12 {
        p.nin = Some(vec![types::Nin {
            id: Some(inner.id_at(created)),
            number: None,
            type_: Some(KnownNinType::Cpf.into()),
            extra: Default::default(),
        }]);
    }
    p.user_made = Some(d.percent(13) < 3);
    if d.percent(14) < 25 {
        p.additional_data = Some(
            json!({"score": d.at(15) % 100, "city": d.pick(16, &CITIES)})
                .as_object()
                .cloned()
                .unwrap_or_default()
                .into(),
        );
    }
    p.leads = vec![lead(d, channel, created, 0)];
    if d.percent(17) < 4 {
        p.leads
            .push(lead(d, channel, created + Duration::days(3), 1));
    }
    let unassigned =
        status == Status::Unclaimed || (status == Status::Archived && d.at(18).is_multiple_of(3));
    if !unassigned {
        let agents = catalog::agents_of(group.id);
        p.agent = Some(catalog::agent(d.pick(19, &agents)));
        p.assigned = Some(created + Duration::minutes(2 + (d.at(20) % 30) as i64));
    }
    if !d.at(21).is_multiple_of(50) {
        p.first_contacted_at = Some(created + Duration::minutes(1 + (d.at(22) % 20) as i64));
    }
    if status == Status::Archived {
        p.archiving_reason = Some(d.pick(23, &catalog::ARCHIVING_REASONS).0.to_owned());
    }
    if status == Status::Unclaimed && channel.medium == "phone" {
        p.whats_app_due_at = Some(created + Duration::days(1));
    }
    match d.percent(24) {
        0..3 => {
            // Transferred from the other group a few hours after it arrived.
            let other = &GROUPS[((d.at(2) + 1) % 2) as usize];
            p.initial_group = Some(other.name.to_owned());
            p.initial_group_id = Some(other.id.to_owned());
            model::set_transferred(&mut p, created + Duration::hours(3));
        }
        3 => {
            p.extra.remove("transferredAt");
        }
        _ => {}
    }
    match d.percent(25) {
        0..3 => model::set_label(&mut p, Some(d.pick(26, &catalog::LABELS).0.to_owned())),
        3 => model::set_label(&mut p, None),
        _ => {}
    }
    p
}

fn lead(d: &Draw, channel: &Channel, created: DateTime<Utc>, n: u64) -> types::LeadData {
    let r = |k: u64| d.at(100 + k * 2 + n);
    let kind = if r(0) % 4 == 0 {
        KnownLeadType::Retail
    } else {
        KnownLeadType::Vehicle
    };
    let mut lead = model::lead_data(created, channel.source, channel.utm_source, kind);
    lead.comments = Some(rng::pick(&COMMENTS, r(1)).to_owned());
    lead.provider_key = channel.provider_key.map(str::to_owned);
    if r(2) % 100 < 97 {
        lead.provider_lead_id = Some(format!(
            "{}-{:010}",
            channel.utm_source,
            r(3) % 10_000_000_000
        ));
    }
    if r(4) % 100 < 33 {
        let medium = rng::pick(&["cpc", "social", "organic"], r(5)).to_owned();
        (lead.medium, lead.utm_medium) = (Some(medium.clone()), Some(medium));
    }
    if r(6) % 100 < 22 {
        let campaign = rng::pick(&["feirao-abril", "seminovos-2024", "revisao-gratis"], r(7));
        (lead.campaign, lead.utm_campaign) = (Some(campaign.to_owned()), Some(campaign.to_owned()));
    }
    if r(8) % 100 < 3 {
        let product = json!({"make": "Sandbox", "model": "Hatch", "modelYear": "2024"});
        lead.product = product.as_object().cloned().map(Into::into);
    }
    if r(9) % 100 == 0 {
        lead.created_by = Some(catalog::agent_id(r(10) % catalog::AGENTS));
        lead.store = Some("Loja Centro".to_owned());
    }
    lead
}
