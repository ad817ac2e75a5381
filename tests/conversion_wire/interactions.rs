//! Interactions: per prospect and across prospects.

use super::*;

// ---- interactions ----

#[tokio::test]
async fn list_prospect_interactions_sends_filters_and_keeps_unknown_media() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/interactions.json");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/prospect/{MERGED_ID}/interactions"))
                .query_param("api-key", KEY)
                .query_param("status", "created")
                .query_param("createdAfter", "2024-03-01T00:00:00Z")
                .query_param("createdBefore", "2024-03-11T00:00:00Z")
                .query_param("via", "inboundCall")
                .query_param("via", "tiktok")
                .query_param_count("^via$", ".*", 2)
                .query_param_count(".*", ".*", 6);
            then.status(200).json_body(body.clone());
        })
        .await;

    let interactions = client(&server)
        .list_prospect_interactions()
        .prospect_id(MERGED_ID)
        .status("created")
        .created_after(utc("2024-03-01T00:00:00Z"))
        .created_before(utc("2024-03-11T00:00:00Z"))
        .via(strings(&["inboundCall", "tiktok"]))
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(normalized(&to_json(&interactions)), normalized(&body));
    assert_eq!(interactions.len(), 3);
    assert_eq!(
        interactions[0].via,
        Some(types::InteractionVia::from(
            types::KnownInteractionVia::InboundCall
        ))
    );
    assert_eq!(
        interactions[0]
            .output
            .as_ref()
            .and_then(|o| o.call_successful),
        Some(true)
    );
    assert_eq!(
        interactions[1].due_at,
        Some(utc("2024-03-09T13:00:00.000Z"))
    );
    assert_eq!(
        interactions[2].via,
        Some(types::InteractionVia::String("tiktok".into()))
    );
    let message = interactions[2]
        .output
        .as_ref()
        .and_then(|o| o.message.as_ref())
        .expect("a message output");
    assert_eq!(
        message.performer,
        Some(types::MessagePerformer::from(
            types::KnownMessagePerformer::Integration
        ))
    );
    assert!(interactions
        .iter()
        .all(|i| i.prospect_id.as_deref() == Some(MERGED_ID)));
}

#[tokio::test]
async fn create_prospect_interaction_posts_the_tagged_event() {
    let server = MockServer::start_async().await;
    let documented = fixture("conversion/new_event.note.json");
    let event: types::NewEvent = round_trip(&documented);
    assert!(
        matches!(&event, types::NewEvent::Note { content: Some(text) } if text.contains("48x")),
        "{event:?}"
    );
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/prospect/{MERGED_ID}/interactions"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                // `{"type": "note", "content": …}`: the kind is the `type` tag.
                .json_body(documented);
            then.status(200).json_body(json!([{
                "id": "65f0a3c9d2b4e80013a1f5c7",
                "createdAt": "2024-03-12T17:41:09.305Z",
                "status": "created",
                "agentId": AGENT_ID,
                "prospectId": MERGED_ID,
                "proactive": true,
                "via": "other",
                "output": {
                    "comment": "Cliente pediu retorno na sexta após as 18h. Quer financiar em 48x com entrada do Argo."
                }
            }]));
        })
        .await;

    let interactions = client(&server)
        .create_prospect_interaction()
        .prospect_id(MERGED_ID)
        .body(event)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(interactions.len(), 1);
    assert_eq!(interactions[0].id, "65f0a3c9d2b4e80013a1f5c7");
    assert_eq!(
        interactions[0].created_at,
        Some(utc("2024-03-12T17:41:09.305Z"))
    );
    assert!(interactions[0]
        .output
        .as_ref()
        .and_then(|o| o.comment.as_deref())
        .is_some_and(|c| c.contains("48x")));
}

#[tokio::test]
async fn get_prospect_interaction_uses_the_singular_path() {
    let server = MockServer::start_async().await;
    let one = fixture("conversion/interactions.json")[0].clone();
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!(
                    "/prospect/{MERGED_ID}/interaction/{INTERACTION_ID}"
                ))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(one);
        })
        .await;

    let interaction = client(&server)
        .get_prospect_interaction()
        .prospect_id(MERGED_ID)
        .interaction_id(INTERACTION_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(interaction.id, INTERACTION_ID);
    assert_eq!(interaction.status, "created");
    assert_eq!(
        interaction.agent_id.as_deref(),
        Some("5f9a1b2c3d4e5f6a7b8c9d0e")
    );
    assert_eq!(interaction.proactive, Some(false));
    assert_eq!(
        interaction.finished_at,
        Some(utc("2024-03-06T13:09:12.733Z"))
    );
}

#[tokio::test]
async fn list_interactions_sends_cursor_paging_and_filters() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects/interactions")
                .query_param("api-key", KEY)
                .query_param("before", "65ee0d9ac3f5b20012a4e7d2")
                .query_param("after", "65e88b12a7c4d30014f1a2c7")
                .query_param("limit", "500")
                .query_param("agent", "5f9a1b2c3d4e5f6a7b8c9d0e")
                .query_param("status", "created")
                .query_param("createdAfter", "2024-03-06T00:00:00Z")
                .query_param("createdBefore", "2024-03-11T00:00:00Z")
                .query_param("via", "inboundCall")
                .query_param("via", "visit")
                .query_param_count("^via$", ".*", 2)
                .query_param_count(".*", ".*", 10);
            then.status(200)
                .json_body(fixture("conversion/interactions.json"));
        })
        .await;

    let interactions = client(&server)
        .list_interactions()
        .before("65ee0d9ac3f5b20012a4e7d2")
        .after("65e88b12a7c4d30014f1a2c7")
        .limit(500u64)
        .agent("5f9a1b2c3d4e5f6a7b8c9d0e")
        .status("created")
        .created_after(utc("2024-03-06T00:00:00Z"))
        .created_before(utc("2024-03-11T00:00:00Z"))
        .via(strings(&["inboundCall", "visit"]))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    let ids: Vec<&str> = interactions.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            INTERACTION_ID,
            "65ec6f47b2e1a90013d7c5e4",
            "65ee0d9ac3f5b20012a4e7d1"
        ]
    );
}
