//! Prospects: list filters, get, patch, delete, transfer.

use super::*;

// ---- prospects ----

#[tokio::test]
async fn list_prospects_encodes_every_filter() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects")
                .query_param("api-key", KEY)
                .query_param("search", "camila rodrigues")
                // `+` must be percent-encoded, or the server reads a space.
                .query_param("phoneNumber", "+5511976543210")
                .query_param("category", "novos")
                .query_param("status", "processing")
                .query_param("agent", AGENT_ID)
                .query_param("group", GROUP_ID)
                .query_param("withAgent", "true")
                .query_param("createdAfter", "2024-03-01T00:00:00Z")
                .query_param("createdBefore", "2024-03-31T23:59:59Z")
                // Given at -03:00, sent in UTC.
                .query_param("claimedAfter", "2024-03-02T11:30:00Z")
                // Milliseconds are kept.
                .query_param("claimedBefore", "2024-03-30T18:00:00.500Z")
                .query_param("transferredAfter", "2024-03-03T12:00:00Z")
                .query_param("transferredBefore", "2024-03-29T12:00:00Z")
                .query_param("before", MERGED_ID)
                .query_param("after", "65d4a1e7f2c3b80014a9d300")
                .query_param("limit", "1000")
                .query_param("additionalData", "score>=50")
                .query_param("additionalData", "financiamento=1")
                .query_param("additionalData", "cidade~São Paulo")
                .query_param_count("^additionalData$", ".*", 3)
                // 16 filters, 3 additional-data items and the key: nothing else.
                .query_param_count(".*", ".*", 20);
            then.status(200)
                .json_body(json!([fixture("conversion/prospect.json")]));
        })
        .await;

    let page = client(&server)
        .list_prospects()
        .search("camila rodrigues")
        .phone_number("+5511976543210")
        .category("novos")
        .status("processing")
        .agent(AGENT_ID)
        .group(GROUP_ID)
        .with_agent(true)
        .created_after(utc("2024-03-01T00:00:00Z"))
        .created_before(utc("2024-03-31T23:59:59Z"))
        .claimed_after(utc("2024-03-02T08:30:00-03:00"))
        .claimed_before(utc("2024-03-30T18:00:00.500Z"))
        .transferred_after(utc("2024-03-03T12:00:00Z"))
        .transferred_before(utc("2024-03-29T12:00:00Z"))
        .before(MERGED_ID)
        .after("65d4a1e7f2c3b80014a9d300")
        .limit(1000u64)
        .additional_data(
            ["score>=50", "financiamento=1", "cidade~São Paulo"]
                .iter()
                .map(|f| f.parse::<types::ListProspectsAdditionalDataItem>().unwrap())
                .collect::<Vec<_>>(),
        )
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, PROSPECT_ID);
}

#[tokio::test]
async fn list_prospects_without_filters_sends_only_the_key() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(json!([]));
        })
        .await;

    let page = client(&server).list_prospects().send().await.unwrap();

    mock.assert_async().await;
    assert!(page.is_empty());
}

#[tokio::test]
async fn get_prospect_reads_the_whole_prospect() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/prospect.json");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/prospect/{PROSPECT_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(body.clone());
        })
        .await;

    let prospect = client(&server)
        .get_prospect()
        .prospect_id(PROSPECT_ID)
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(normalized(&to_json(&prospect)), normalized(&body));
    assert!(prospect.extra.is_empty(), "{:?}", prospect.extra);
    assert_eq!(prospect.id, PROSPECT_ID);
    assert_eq!(
        prospect.status,
        types::ProspectStatus::from(types::KnownProspectStatus::Processing)
    );
    assert_eq!(
        prospect.agent.as_ref().map(|a| a.first_name.as_str()),
        Some("João Pedro")
    );
    assert_eq!(prospect.assigned, Some(utc("2024-02-20T13:52:30.114Z")));
    assert_eq!(prospect.next_reminder, Some(utc("2024-02-24T12:00:00Z")));
    assert_eq!(
        prospect.leads[0].type_,
        types::LeadType::from(types::KnownLeadType::Vehicle)
    );
    assert_eq!(
        prospect.leads[0]
            .product
            .as_ref()
            .expect("a product")
            .get("model")
            .unwrap(),
        "Nivus"
    );
}

#[tokio::test]
async fn update_prospect_patches_only_the_fields_sent() {
    let server = MockServer::start_async().await;
    let update: types::UpdateProspect = round_trip(&prospect_update());
    let mut answer = fixture("conversion/prospect.json");
    answer["status"] = json!("archived");
    answer["archivingReason"] = json!("notInterested");
    answer["lastName"] = json!("Rodrigues Alves");
    answer["label"] = json!("frio");
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/prospect/{PROSPECT_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(prospect_update());
            then.status(200).json_body(answer);
        })
        .await;

    let prospect = client(&server)
        .update_prospect()
        .prospect_id(PROSPECT_ID)
        .body(update)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(
        prospect.status,
        types::ProspectStatus::from(types::KnownProspectStatus::Archived)
    );
    assert_eq!(prospect.archiving_reason.as_deref(), Some("notInterested"));
    assert_eq!(prospect.label.as_deref(), Some("frio"));
    assert_eq!(prospect.last_name.as_deref(), Some("Rodrigues Alves"));
}

#[tokio::test]
async fn update_prospect_leaves_out_fields_not_set() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/prospect/{PROSPECT_ID}"))
                .query_param("api-key", KEY)
                .json_body(json!({"label": "quente"}));
            then.status(200)
                .json_body(fixture("conversion/prospect.json"));
        })
        .await;

    client(&server)
        .update_prospect()
        .prospect_id(PROSPECT_ID)
        .body_map(|b| b.label("quente".to_string()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_prospect_answers_with_the_deleted_prospect() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("/prospect/{PROSPECT_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/prospect.json"));
        })
        .await;

    let deleted = client(&server)
        .delete_prospect()
        .prospect_id(PROSPECT_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(deleted.id, PROSPECT_ID);
    assert_eq!(deleted.first_name.as_deref(), Some("Camila"));
}

#[tokio::test]
async fn transfer_prospect_sends_group_and_user_only_when_given() {
    let server = MockServer::start_async().await;
    let path = format!("/prospect/{PROSPECT_ID}/transfer");
    let mut answer = fixture("conversion/prospect.json");
    answer["transferredAt"] = json!("2024-03-01T15:04:05.123Z");
    let to_agent = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path.as_str())
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(json!({"group": GROUP_ID, "user": AGENT_ID}));
            then.status(200).json_body(answer.clone());
        })
        .await;
    let to_group = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(path.as_str())
                .query_param("api-key", KEY)
                .json_body(json!({"group": GROUP_ID}));
            then.status(200).json_body(answer);
        })
        .await;
    let c = client(&server);

    let moved = c
        .transfer_prospect()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::Transfer>(
            json!({"group": GROUP_ID, "user": AGENT_ID}),
        ))
        .send()
        .await
        .unwrap();
    c.transfer_prospect()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::Transfer>(json!({"group": GROUP_ID})))
        .send()
        .await
        .unwrap();

    to_agent.assert_async().await;
    to_group.assert_async().await;
    assert_eq!(
        moved["transferredAt"], "2024-03-01T15:04:05.123Z",
        "the free-form answer is kept"
    );
}
