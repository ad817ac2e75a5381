//! Tolerant, lossless parsing of open shapes and webhook deliveries.

use super::*;

// ---- tolerant, lossless parsing ----

#[tokio::test]
async fn an_unknown_status_and_unknown_fields_survive_a_round_trip() {
    let server = MockServer::start_async().await;
    let body = json!([
        fixture("conversion/prospect.json"),
        fixture("conversion/prospect.unknown_status.json"),
    ]);
    server
        .mock_async(|when, then| {
            when.method(GET).path("/prospects");
            then.status(200).json_body(body.clone());
        })
        .await;

    let prospects = client(&server)
        .list_prospects()
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(normalized(&to_json(&prospects)), normalized(&body));
    assert_eq!(prospects.len(), 2);
    let odd = &prospects[1];
    assert_eq!(odd.status, types::ProspectStatus::String("onHold".into()));
    assert_eq!(odd.status.to_string(), "onHold");
    assert_eq!(odd.extra.get("score").unwrap(), 87);
    assert_eq!(odd.extra.get("tags").unwrap(), json!(["vip"]));
    assert_eq!(odd.extra.len(), 2, "only unknown fields land in extra");
}

#[test]
fn an_interactions_webhook_delivery_parses_and_round_trips() {
    // Parsed as a receiver would: from the raw bytes of the POST body.
    let bytes = std::fs::read(fixture_path("conversion/webhook.interactions.json")).unwrap();
    let event: types::WebhookEvent = serde_json::from_slice(&bytes).unwrap();
    let original: Value = serde_json::from_slice(&bytes).unwrap();

    assert_eq!(normalized(&to_json(&event)), normalized(&original));
    assert!(event.extra.is_empty(), "{:?}", event.extra);
    assert_eq!(
        event.topic,
        types::TopicName::from(types::KnownTopicName::Interactions)
    );
    assert_eq!(
        event.type_,
        Some(types::WebhookEventType::from(
            types::KnownWebhookEventType::Created
        ))
    );
    assert_eq!(event.attempts, Some(1));
    assert_eq!(event.subscription_id.as_deref(), Some(SUBSCRIPTION_ID));
    assert_eq!(event.received, Some(utc("2024-03-05T14:07:31.482Z")));

    let prospect = event.prospect.as_ref().expect("the prospect");
    assert_eq!(prospect.id, MERGED_ID);
    assert_eq!(
        prospect.status,
        types::ProspectStatus::from(types::KnownProspectStatus::FollowUp)
    );
    assert_eq!(
        prospect
            .additional_data
            .as_ref()
            .expect("additional data")
            .get("rendaMensal")
            .unwrap(),
        8500
    );
    assert_eq!(prospect.contact_mediums.as_ref().map(Vec::len), Some(2));
    assert_eq!(prospect.label.as_deref(), Some("quente"));
    assert!(prospect.extra.is_empty(), "{:?}", prospect.extra);

    let interaction = event.interaction.as_ref().expect("the interaction");
    assert_eq!(interaction.id, "65e725d3b1f4a80013c2e7a9");
    assert_eq!(
        event.operation_id.as_deref(),
        Some(interaction.id.as_str()),
        "operationId is the interaction's id"
    );
    let message = interaction
        .output
        .as_ref()
        .and_then(|o| o.message.as_ref())
        .expect("a message output");
    assert_eq!(
        message.attachment.as_ref().and_then(|a| a.type_.clone()),
        Some(types::AttachmentType::from(
            types::KnownAttachmentType::Image
        ))
    );
}

// ---- the patterns of real traffic ----
//
// Our own fixtures, written to reproduce what the vendor's real answers look like (nulls the
// reference never mentions, items with fields it does not name, `status: updated`, empty
// `nin`, `appFields: {}`): every value survives parse → serialize.

#[test]
fn real_traffic_patterns_parse_with_no_value_lost() {
    let prospects: Vec<types::Prospect> =
        round_trip(&fixture("conversion/prospects.live_patterns.json"));
    let interactions: Vec<types::Interaction> =
        round_trip(&fixture("conversion/interactions.live_patterns.json"));
    let event: types::WebhookEvent = round_trip(&fixture("conversion/webhook.live_patterns.json"));

    let first = &prospects[0];
    assert_eq!(
        first.transferred_at, None,
        "`transferredAt: null` reads as absent"
    );
    assert_eq!(first.label, None, "`label: null` too");
    let nin = first.nin.as_ref().expect("nin");
    assert_eq!(
        nin[0].id.as_deref(),
        Some("66a1f0c2b7e4d30009a1c0f1"),
        "`_id` is kept"
    );
    assert_eq!(nin[0].number, None, "no `number` in real traffic");
    let mediums = first.contact_mediums.as_ref().expect("contact mediums");
    assert_eq!(mediums[1].medium_id.as_deref(), Some("17841400000000001"));
    let agent = first.agent.as_ref().expect("agent");
    assert_eq!(
        agent.app_fields.as_ref().map(|m| m.len()),
        Some(0),
        "`appFields: {{}}` kept"
    );
    assert_eq!(agent.legacy_id.as_deref(), Some("417"));
    assert_eq!(
        first.leads[0].provider_lead_id.as_deref(),
        Some("wa-000001")
    );
    assert_eq!(prospects[1].label.as_deref(), Some("caliente"));
    assert_eq!(
        prospects[1].transferred_at,
        Some(utc("2024-07-26T09:00:00Z"))
    );
    assert_eq!(
        prospects[2].nin.as_ref().map(Vec::len),
        Some(0),
        "an empty `nin` is kept"
    );
    assert_eq!(prospects[2].first_name, None);

    assert_eq!(interactions[1].status, "updated");
    let message = interactions[0]
        .output
        .as_ref()
        .and_then(|o| o.message.as_ref())
        .expect("a message");
    assert_eq!(
        message.template_config, None,
        "`templateConfig: null` parses"
    );
    let templated = interactions[1]
        .output
        .as_ref()
        .and_then(|o| o.message.as_ref())
        .expect("a message");
    assert_eq!(templated.template.as_deref(), Some("saludo_1"));
    assert_eq!(
        templated
            .template_parameters
            .as_ref()
            .and_then(|p| p.get("nombre").map(|v| v.to_value())),
        Some(json!("Lucía"))
    );
    assert_eq!(event.attempts, Some(2));
    assert_eq!(
        event.type_,
        Some(types::WebhookEventType::from(
            types::KnownWebhookEventType::Updated
        ))
    );
}
