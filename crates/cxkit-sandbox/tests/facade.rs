//! Every method of `cxkit::conversion::Client` against the sandbox: the facade reaches each
//! operation of the spec, the fake answers it, and what a write changes is visible to the
//! next read.

use chrono::{Duration, TimeZone, Utc};
use cxkit::conversion::{
    types, Client, CommunicationChannel, KnownCommunicationChannel, ProspectQuery, QuoteQuery,
};
use cxkit::Secret;
use cxkit_sandbox::Sandbox;
use futures::TryStreamExt;
use serde_json::{json, Map, Value};

fn client(s: &Sandbox) -> Client {
    Client::builder()
        .base_url(s.conversion_base_url())
        .api_key(s.credentials().conversion_api_key.clone())
        .build()
        .unwrap()
}

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

fn whatsapp() -> CommunicationChannel {
    KnownCommunicationChannel::Whatsapp.into()
}

const GROUP: &str = "65f000000000000000000a01";
const SELECTION: &str = "65f000000000000000000e01";

#[tokio::test]
async fn every_conversion_operation_is_reachable_from_the_facade() {
    let s = Sandbox::start().await.unwrap();
    let c = client(&s);
    let anchor = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).unwrap();

    // A prospect to work on, with a phone (WhatsApp needs one).
    let query = ProspectQuery::new().created_between(anchor - Duration::days(90), anchor);
    let prospects: Vec<types::Prospect> = c.prospects(query).try_collect().await.unwrap();
    assert_eq!(
        prospects.len(),
        300,
        "the default sandbox seeds 300 prospects"
    );
    let p = prospects
        .iter()
        .find(|p| p.phones.as_ref().is_some_and(|ph| !ph.is_empty()))
        .expect("a prospect with a phone")
        .id
        .clone();

    // One prospect: read, change, additional data, rating.
    assert_eq!(c.prospect(&p).await.unwrap().id, p);
    let change = types::UpdateProspect {
        first_name: Some("Renata".into()),
        ..Default::default()
    };
    assert_eq!(
        c.update_prospect(&p, change)
            .await
            .unwrap()
            .first_name
            .as_deref(),
        Some("Renata")
    );
    let mut data = Map::new();
    data.insert("city".into(), json!("Recife"));
    let updated = c.update_additional_data(&p, data).await.unwrap();
    assert_eq!(
        updated.additional_data.unwrap().get("city").unwrap(),
        "Recife"
    );
    let fields = c.additional_fields(&p).await.unwrap();
    assert!(
        fields.iter().any(|f| f.key.as_deref() == Some("city")),
        "{fields:?}"
    );
    let rating = types::Csat {
        result: 5.0,
        comment: Some("great".into()),
    };
    c.rate_prospect(&p, rating).await.unwrap();
    assert_eq!(
        c.prospect(&p)
            .await
            .unwrap()
            .extra
            .get("csat")
            .unwrap()
            .to_value()["result"],
        5.0
    );

    // Interactions: add a note, read it, then the message sent below is updated.
    let note: types::NewEvent = typed(json!({"type": "note", "content": "called back"}));
    let added = c.add_interaction(&p, note).await.unwrap();
    let note_id = added[0].id.clone();
    assert_eq!(c.interaction(&p, &note_id).await.unwrap().id, note_id);

    // Messaging: channels, a message, a file, a template, orders.
    assert!(!c.channels().await.unwrap().is_empty());
    assert!(!c.prospect_channels(&p).await.unwrap().is_empty());
    let message = types::NewMessage {
        content: Some("Olá!".into()),
        ..Default::default()
    };
    let sent = c.send_message(&p, &whatsapp(), message).await.unwrap();
    let update: types::UpdateEvent = typed(json!({"type": "message", "status": "read"}));
    let read = c.update_interaction(&p, &sent[0].id, update).await.unwrap();
    assert_eq!(read.status, "updated");
    let file = c
        .send_file(
            &p,
            &whatsapp(),
            "proposta.pdf",
            "application/pdf",
            b"%PDF".to_vec(),
        )
        .await
        .unwrap();
    let attachment = file[0]
        .output
        .as_ref()
        .unwrap()
        .message
        .as_ref()
        .unwrap()
        .attachment
        .clone();
    assert!(attachment.unwrap().url.unwrap().ends_with("proposta.pdf"));
    let template: types::NewTemplateMessage =
        typed(json!({"key": "welcome", "parameters": {"name": "Renata"}}));
    let templated = c.send_template(&p, &whatsapp(), template).await.unwrap();
    let body = templated[0]
        .output
        .as_ref()
        .unwrap()
        .message
        .as_ref()
        .unwrap()
        .body
        .clone();
    assert!(body.unwrap().contains("Renata"));
    c.orders(&p, Some(100)).await.unwrap();

    // Quotes: create, accept, read back, list for the prospect and for the account.
    let new_quote: types::NewQuote =
        typed(json!({"items": [{"quantity": 1, "price": 1000, "concept": "Onix"}]}));
    let quote = c.create_quote(&p, new_quote).await.unwrap();
    let accept: types::UpdateQuote = typed(json!({"status": "accepted"}));
    let accepted = c.update_quote(&p, &quote.id, accept).await.unwrap();
    assert!(accepted.accepted_at.is_some());
    assert_eq!(c.quote(&p, &quote.id).await.unwrap().id, quote.id);
    let mine = c
        .prospect_quotes(&p, &QuoteQuery::new().status("accepted"))
        .await
        .unwrap();
    assert!(mine.iter().any(|q| q.id == quote.id));
    let all: Vec<types::Quote> = c
        .quotes(QuoteQuery::new().page_size(5))
        .try_collect()
        .await
        .unwrap();
    assert!(all.iter().any(|q| q.id == quote.id));

    // Acting as the integration's user.
    let reasons = c.archiving_reasons().await.unwrap();
    let labels = c.labels().await.unwrap();
    let targets = c.transferable().await.unwrap();
    let label = labels[0].key.clone().unwrap();
    assert_eq!(
        c.label_prospect(&p, &label).await.unwrap().label.as_deref(),
        Some(label.as_str())
    );
    let agent = targets.agents[1].id.clone();
    let to_agent = types::Transfer {
        group: None,
        user: Some(agent.clone()),
    };
    c.transfer_as_user(&p, to_agent).await.unwrap();
    assert_eq!(c.prospect(&p).await.unwrap().agent.unwrap().id, agent);
    let to_group = types::Transfer {
        group: Some(GROUP.into()),
        user: None,
    };
    c.transfer_prospect(&p, to_group).await.unwrap();
    let reason = reasons[0].reason.clone().unwrap();
    let archived = c.archive_as_user(&p, &reason).await.unwrap();
    assert_eq!(archived.archiving_reason.as_deref(), Some(reason.as_str()));

    // The directory and the integration.
    let agents = c.agents(GROUP, None).await.unwrap();
    assert!(!agents.is_empty());
    c.agent_response_time(&agents[0].id).await.unwrap();
    c.agent_is_working(&agents[0].id).await.unwrap();
    #[allow(deprecated)]
    let old = c.archiving_reasons_of(&agents[0].id).await.unwrap();
    assert_eq!(old.len(), reasons.len());
    let groups = c.groups().await.unwrap();
    assert!(groups.iter().any(|g| g.id == GROUP));
    assert_eq!(c.group(GROUP).await.unwrap().id, GROUP);
    c.online_agents(GROUP).await.unwrap();
    c.group_response_time(GROUP).await.unwrap();
    c.group_is_working(GROUP).await.unwrap();
    assert!(!c.industries().await.unwrap().is_empty());
    assert_eq!(
        c.lead_categories().await.unwrap()[0].name.as_deref(),
        Some("default")
    );
    assert_eq!(c.lead_defaults().await.unwrap().currency, "BRL");
    let integration = c.integration().await.unwrap();
    assert!(c
        .integrations()
        .await
        .unwrap()
        .iter()
        .any(|i| i.id == integration.id));
    let key = Secret::new(s.credentials().conversion_api_key.clone());
    assert!(c.check_credentials(&key).await.unwrap());
    assert!(!c
        .check_credentials(&Secret::new("not-the-key"))
        .await
        .unwrap());

    // A contact selection, paged by offset.
    let contacts: Vec<types::Prospect> = c
        .contacts_selection(SELECTION, vec!["firstName".into()], 7)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        contacts.len(),
        225,
        "every contact of the selection, over 33 pages of 7"
    );

    // Webhooks and custom apps.
    assert_eq!(c.topics().await.unwrap().len(), 4);
    let secret = Secret::new("a-shared-secret-of-sixteen+");
    let topics = [types::TopicName::from(types::KnownTopicName::Quotes)];
    let subscription = c
        .subscribe_webhook("http://127.0.0.1:9/hook", &secret, topics)
        .await
        .unwrap();
    assert_eq!(
        c.subscription(&subscription.id).await.unwrap().id,
        subscription.id
    );
    c.unsubscribe(&subscription.id).await.unwrap();
    c.unsubscribe_all().await.unwrap();
    let event: types::CustomEvent = typed(json!({
        "event": "visit", "type": "prospect", "prospectId": p,
        "data": {"apiKey": s.credentials().conversion_api_key}
    }));
    c.send_app_event(event).await.unwrap();
    let notification: types::NotificationData = typed(json!({
        "type": "reminder", "target": {"role": ["agent"]}, "platforms": {"android": {"title": "t"}}
    }));
    c.send_app_notification(notification).await.unwrap();

    // Finally the prospect goes.
    assert_eq!(c.delete_prospect(&p).await.unwrap().id, p);
    let gone = c.prospect(&p).await.unwrap_err();
    assert_eq!(gone.status().map(|s| s.as_u16()), Some(404));
}
