//! The documented request bodies, as JSON.

use serde_json::{json, Value};

// ---- documented request bodies ----
//
// Typed bodies are built from JSON (`round_trip` also proves the type keeps every field). The
// wire body is then what the typed value serializes to: the documented JSON, except that
// integers in `f64` fields (`priority`, amounts) are written `1.0`, which httpmock's exact JSON
// match would otherwise tell apart from `1`.

pub(crate) fn retail_lead() -> Value {
    json!({
        "utmSource": "google",
        "utmMedium": "cpc",
        "utmCampaign": "smartphones-marco",
        "firstName": "Ana",
        "lastName": "Souza",
        "phones": ["+5511912345678"],
        "emails": ["ana.souza@example.com"],
        "comments": "Tem em estoque na loja do centro?",
        "store": "Loja Centro",
        "product": {
            "make": "Samsung",
            "model": "Galaxy S24",
            "detail": "256 GB, preto",
            "sku": "SM-S921B-256",
            "price": {"amount": 4999.9, "currency": "BRL"}
        }
    })
}

pub(crate) fn insurance_lead() -> Value {
    json!({
        "utmSource": "comparador-seguros",
        "utmCampaign": "auto-2024",
        "firstName": "Marcos",
        "lastName": "Pereira",
        "phones": ["+5531998877665"],
        "emails": ["marcos.pereira@example.com"],
        "nin": [{"type": "CPF", "number": "52998224725"}],
        "product": {
            "make": "Porto Seguro",
            "model": "Auto Essencial",
            "detail": "Cobertura compreensiva, franquia reduzida",
            "price": {"amount": 189.9, "currency": "BRL"}
        }
    })
}

pub(crate) fn saving_plan_lead() -> Value {
    json!({
        "utmSource": "facebook",
        "utmMedium": "social",
        "utmCampaign": "consorcio-imovel",
        "firstName": "Juliana",
        "lastName": "Lima",
        "phones": ["+5541987651234"],
        "product": {
            "goodType": "property",
            "goodSubType": "apartment",
            "brand": "Consórcio Nacional",
            "description": "Carta de crédito para apartamento",
            "condition": "new",
            "planType": "180 meses",
            "monthlyPaymentsEstimate": {"lowerEstimate": 1500, "upperEstimate": 2200.5, "currency": "BRL"},
            "creditAmountEstimate": {"lowerEstimate": 250000, "upperEstimate": 350000, "currency": "BRL"}
        }
    })
}

pub(crate) fn real_estate_lead() -> Value {
    json!({
        "utmSource": "zapimoveis",
        "utmMedium": "portal",
        "firstName": "Carlos",
        "lastName": "Mendes",
        "emails": ["carlos.mendes@example.com"],
        "listingTitle": "Apartamento 3 quartos, 98 m², Savassi",
        "listingUrl": "https://www.zapimoveis.com.br/imovel/venda-apartamento-3-quartos-savassi-belo-horizonte-mg-98m2-id-2623456789/",
        "locality": "Belo Horizonte",
        "region": "MG",
        "country": "BR",
        "product": {"title": "Apartamento 3 quartos na Savassi", "type": "residential"}
    })
}

pub(crate) fn prospect_update() -> Value {
    json!({
        "archivingReason": "notInterested",
        "firstName": "Camila",
        "lastName": "Rodrigues Alves",
        "phone": "+5511976543210",
        "email": "camila.alves@example.com",
        "label": "frio"
    })
}

pub(crate) fn new_subscription() -> Value {
    json!({
        "topics": ["prospects", "interactions"],
        "callbackUrl": "https://hooks.vitoriaveiculos.example.com/zenvia-conversion?secret=6f1e9a0c4b7d2e8f3a5c1b9d7e2f4a6c"
    })
}

pub(crate) fn additional_data_update() -> Value {
    json!({"rendaMensal": 9200, "financiamento": "sim"})
}

pub(crate) fn csat() -> Value {
    json!({"result": 4, "comment": "Atendimento rápido"})
}

/// A message interaction's delivery status, as `PUT …/interaction/{id}` sends it.
pub(crate) fn message_status_update() -> Value {
    json!({"type": "message", "status": "read", "delivered": true})
}

pub(crate) fn new_quote() -> Value {
    json!({
        "status": "pending",
        "items": [
            {"quantity": 1, "price": 89900.5, "concept": "Onix LT 1.0", "code": "ONX-LT", "product": "vehicle"},
            {"quantity": 2, "price": 350.25, "concept": "Tapetes"}
        ]
    })
}

pub(crate) fn template_message() -> Value {
    json!({"key": "follow_up_1", "parameters": {"name": "Ana", "model": "Onix"}})
}

pub(crate) fn custom_event() -> Value {
    json!({
        "event": "test-drive-booked",
        "type": "prospect",
        "prospectId": "65d4a1e7f2c3b80014a9d362",
        "data": {"apiKey": "app-key-3c1e", "details": {"slot": "2024-03-09T10:00:00Z"}}
    })
}

pub(crate) fn notification_data() -> Value {
    json!({
        "type": "reminder",
        "target": {"role": ["agent"]},
        "platforms": {"android": {"title": "Lembrete", "body": "Ligar para Ana"}}
    })
}

/// A small PDF, as a multipart file part.
pub(crate) fn file_part() -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(b"%PDF-1.4 proposal".to_vec())
        .file_name("proposta.pdf")
        .mime_str("application/pdf")
        .expect("a valid MIME type")
}
