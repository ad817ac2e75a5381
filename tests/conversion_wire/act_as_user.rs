//! Acting as the integration's user: archive, label and transfer a prospect, and the lists
//! of archiving reasons, labels and transfer targets.

use super::*;

#[tokio::test]
async fn archive_prospect_as_user_posts_the_reason_code() {
    let server = MockServer::start_async().await;
    let archived = json!({"archivingReason": "converted"});
    let mock = mock_op(
        &server,
        Op::ArchiveProspectAsUser,
        |when| when.json_body(archived.clone()),
        200,
        fixture("conversion/prospect.json"),
    )
    .await;

    let prospect = client(&server)
        .archive_prospect_as_user()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::ArchiveProspect>(archived.clone()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(prospect.id, PROSPECT_ID);
}

#[tokio::test]
async fn label_prospect_posts_the_label_key() {
    let server = MockServer::start_async().await;
    let mock = mock_op(
        &server,
        Op::LabelProspect,
        |when| when.json_body(json!({"label": "quente"})),
        200,
        fixture("conversion/prospect.json"),
    )
    .await;

    client(&server)
        .label_prospect()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::LabelProspect>(json!({"label": "quente"})))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn transfer_prospect_as_user_sends_only_the_user_and_keeps_the_free_form_answer() {
    let server = MockServer::start_async().await;
    let answer = json!({"ok": true, "transferredTo": AGENT_ID});
    let mock = mock_op(
        &server,
        Op::TransferProspectAsUser,
        |when| when.json_body(json!({"user": AGENT_ID})),
        200,
        answer.clone(),
    )
    .await;

    let done = client(&server)
        .transfer_prospect_as_user()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::Transfer>(json!({"user": AGENT_ID})))
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(to_json(&done), answer, "a free-form answer is kept whole");
}

#[tokio::test]
async fn the_acting_user_lists_archiving_reasons_labels_and_transfer_targets() {
    let server = MockServer::start_async().await;
    let reasons = json!([
        {"reason": "converted", "name": "Vendido"},
        {"reason": "inactive", "name": "Sem resposta", "order": 2}
    ]);
    let labels = json!([{"key": "quente", "name": "Quente"}, {"key": "frio", "name": null}]);
    let m1 = mock_op(
        &server,
        Op::ListArchivingReasons,
        |w| w,
        200,
        reasons.clone(),
    )
    .await;
    let m2 = mock_op(&server, Op::ListProspectLabels, |w| w, 200, labels.clone()).await;
    let m3 = mock_op(
        &server,
        Op::GetTransferable,
        |w| w,
        200,
        fixture("conversion/transferable.json"),
    )
    .await;
    // The deprecated spelling takes the agent as a required parameter.
    let m4 = mock_op(
        &server,
        Op::DeprecatedListArchivingReasons,
        |w| w.query_param("agent", AGENT_ID),
        200,
        reasons.clone(),
    )
    .await;
    let c = client(&server);

    let got_reasons = c
        .list_archiving_reasons()
        .send()
        .await
        .unwrap()
        .into_inner();
    let got_labels = c.list_prospect_labels().send().await.unwrap().into_inner();
    let targets = c.get_transferable().send().await.unwrap().into_inner();
    #[allow(deprecated)]
    let old = c
        .deprecated_list_archiving_reasons()
        .agent(AGENT_ID)
        .send()
        .await
        .unwrap()
        .into_inner();

    for m in [m1, m2, m3, m4] {
        m.assert_async().await;
    }
    assert_eq!(normalized(&to_json(&got_reasons)), normalized(&reasons));
    assert_eq!(got_reasons[1].extra.get("order").unwrap(), 2);
    assert_eq!(normalized(&to_json(&got_labels)), normalized(&labels));
    assert_eq!(got_labels[1].name, None);
    assert_eq!(targets.agents[0].id, AGENT_ID);
    assert_eq!(targets.groups[1].extra.get("parent").unwrap(), GROUP_ID);
    assert_eq!(old, got_reasons);
}
