//! The seeded activity of a prospect: its interactions (mostly WhatsApp messages, in and
//! out, with `templateConfig: null`, a few from a template; some notes), its quotes and the
//! orders it placed. Drawn, like the prospect, from (seed, prospect index).

use super::draw::Draw;
use super::{catalog, model, Inner};
use crate::rng;
use chrono::Duration;
use conversion_api::types::{
    self, Interaction, KnownInteractionVia as Via, KnownMessagePerformer, KnownQuoteStatus,
    Prospect, Quote,
};
use serde_json::json;

const INBOUND: [&str; 4] = [
    "Olá, tenho interesse no carro anunciado",
    "Qual o valor da entrada?",
    "Vocês aceitam troca?",
    "Ainda está disponível?",
];
const OUTBOUND: [&str; 3] = [
    "Olá! Sou da Sandbox Motors, como posso ajudar?",
    "Podemos agendar um test drive?",
    "Segue a proposta que você pediu.",
];
const NOTES: [&str; 2] = ["Cliente pediu retorno amanhã", "Ligou para a loja"];
/// `(concept, code, unit price)` of the quote items.
const ITEMS: [(&str, &str, f64); 4] = [
    ("Revisão 10.000 km", "REV10", 450.0),
    ("Seguro auto anual", "SEG01", 2890.0),
    ("Kit de acessórios", "ACC05", 780.0),
    ("Sandbox Hatch 1.0", "HB10", 72_990.0),
];

/// The prospect's interactions, oldest first.
pub(super) fn interactions(d: &Draw, p: &Prospect, inner: &mut Inner) -> Vec<Interaction> {
    let phone = p.phones.iter().flatten().next().cloned();
    let social = p
        .contact_mediums
        .iter()
        .flatten()
        .find(|m| m.medium_id.is_some())
        .cloned();
    let mut at = p.created;
    (0..d.at(60) % 4)
        .map(|n| {
            let r = |k: u64| d.at(200 + n * 10 + k);
            at += Duration::minutes(7 + (r(0) % 40) as i64) + d.millis(r(7));
            let id = inner.id_at(at);
            if r(1) % 100 >= 85 {
                let mut note = model::interaction(id, &p.id, at, Via::Other);
                note.finished_at = Some(at + Duration::seconds(1 + (r(2) % 50) as i64));
                if let Some(output) = note.output.as_mut() {
                    output.comment = Some(rng::pick(&NOTES, r(2)).to_owned());
                }
                note.proactive = Some(true);
                return note;
            }
            // WhatsApp when the prospect has a phone, else the social network it came from.
            let (via, contact, account) = match (&phone, &social) {
                (None, Some(m)) => {
                    let facebook = m.type_.as_deref() == Some("facebook");
                    let via = if facebook {
                        Via::Facebook
                    } else {
                        Via::Instagram
                    };
                    (
                        via,
                        m.medium_id.clone().unwrap_or_default(),
                        catalog::SOCIAL_ACCOUNT,
                    )
                }
                _ => (
                    Via::WhatsApp,
                    phone.clone().unwrap_or_default(),
                    catalog::WHATSAPP_NUMBER,
                ),
            };
            let outbound = n % 2 == 1 && p.agent.is_some();
            let mut i = model::interaction(id, &p.id, at, via);
            i.finished_at = Some(at + Duration::seconds(1 + (r(2) % 50) as i64));
            let provider_id = format!("sbx.{:016x}", r(3));
            let message = if outbound {
                let mut m = model::message(
                    via,
                    KnownMessagePerformer::Agent,
                    rng::pick(&OUTBOUND, r(4)),
                    account,
                    &contact,
                    provider_id,
                );
                if r(5) % 10 == 0 {
                    let name = p.first_name.clone().unwrap_or_else(|| "cliente".to_owned());
                    let text = catalog::TEMPLATES[0].body.replace("{{name}}", &name);
                    (m.body, m.content) = (Some(text.clone()), Some(text));
                    m.template = Some(catalog::TEMPLATES[0].key.to_owned());
                    m.template_parameters =
                        json!({"name": name}).as_object().cloned().map(Into::into);
                }
                m
            } else {
                model::message(
                    via,
                    KnownMessagePerformer::Integration,
                    rng::pick(&INBOUND, r(4)),
                    &contact,
                    account,
                    provider_id,
                )
            };
            if let Some(output) = i.output.as_mut() {
                output.message = Some(message);
            }
            i.proactive = Some(outbound);
            if let Some(agent) = &p.agent {
                (i.agent, i.agent_id) = (Some(agent.clone()), Some(agent.id.clone()));
            }
            if r(6) % 100 < 35 {
                i.status = "updated".to_owned();
            }
            i
        })
        .collect()
}

/// The prospect's quotes (about one prospect in eight has one).
pub(super) fn quotes(d: &Draw, p: &Prospect, inner: &mut Inner) -> Vec<Quote> {
    if d.percent(40) >= 12 {
        return Vec::new();
    }
    let created = p.created + Duration::days(2);
    let items: Vec<types::QuoteItem> = (0..1 + d.at(41) % 2)
        .map(|n| {
            let (concept, code, price) = rng::pick(&ITEMS, d.at(42 + n));
            types::QuoteItem {
                code: Some(code.to_owned()),
                concept: Some(concept.to_owned()),
                price: Some(price),
                product: Some(code.to_lowercase()),
                quantity: 1.0,
                extra: Default::default(),
            }
        })
        .collect();
    let status = d.pick(
        44,
        &[
            KnownQuoteStatus::Pending,
            KnownQuoteStatus::Accepted,
            KnownQuoteStatus::Rejected,
        ],
    );
    let mut quote = super::quotes::new_quote(inner.id_at(created), &p.id, created, items, status);
    if status != KnownQuoteStatus::Pending {
        // Settled a day later, not when created.
        let settled = Some(created + Duration::days(1));
        quote.finished_at = settled;
        match status {
            KnownQuoteStatus::Accepted => quote.accepted_at = settled,
            _ => quote.rejected_at = settled,
        }
    }
    vec![quote]
}

/// An order placed from the WhatsApp catalog.
pub(super) fn order(d: &Draw, p: &Prospect, inner: &mut Inner) -> types::OrderByProspect {
    let at = p.created + Duration::hours(3);
    let (concept, code, price) = d.pick(51, &ITEMS[..3]);
    let item: types::ProductOrder = crate::typed::typed(json!({
        "id": format!("{}", 8_000_000_000_000 + d.at(52) % 1_000_000_000),
        "retailer_id": code, "name": concept, "price": format!("{price:.2}"),
        "currency": "BRL", "availability": "in stock", "brand": "Sandbox Motors",
        "url": format!("https://loja.sandbox-motors.example/p/{}", code.to_lowercase()),
    }));
    types::OrderByProspect {
        created_at: Some(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        items: Some(vec![item]),
        order_id: Some(inner.id_at(at)),
        extra: Default::default(),
    }
}
