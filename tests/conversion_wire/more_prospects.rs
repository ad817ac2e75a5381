//! The prospect operations beyond the first 25: additional data and fields, CSAT, contact
//! selections, and updating an interaction.

use super::*;

#[tokio::test]
async fn update_prospect_additional_data_patches_the_free_form_object() {
    let server = MockServer::start_async().await;
    let mock = mock_op(
        &server,
        Op::UpdateProspectAdditionalData,
        |w| w.json_body(additional_data_update()),
        200,
        fixture("conversion/prospect.json"),
    )
    .await;

    client(&server)
        .update_prospect_additional_data()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::UpdateAdditionalData>(
            additional_data_update(),
        ))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn list_prospect_additional_fields_reads_keys_and_names() {
    let server = MockServer::start_async().await;
    let body = json!([{"key": "rendaMensal", "name": "Renda mensal"}, {"key": "cpfConjuge"}]);
    let mock = mock_op(
        &server,
        Op::ListProspectAdditionalFields,
        |w| w,
        200,
        body.clone(),
    )
    .await;

    let fields = client(&server)
        .list_prospect_additional_fields()
        .prospect_id(PROSPECT_ID)
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(normalized(&to_json(&fields)), normalized(&body));
    assert_eq!(fields[1].name, None);
}

#[tokio::test]
async fn create_csat_posts_the_score_and_comment() {
    let server = MockServer::start_async().await;
    let mock = mock_op(
        &server,
        Op::CreateCsat,
        |w| w.json_body(json!({"result": 4.0, "comment": "Atendimento rápido"})),
        200,
        json!({}),
    )
    .await;

    client(&server)
        .create_csat()
        .prospect_id(PROSPECT_ID)
        .body(typed::<types::Csat>(csat()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn get_contacts_selection_repeats_fields_and_pages_with_offset() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/contacts_selection.json");
    let mock = mock_op(
        &server,
        Op::GetContactsSelection,
        |w| {
            w.query_param("fields", "firstName")
                .query_param("fields", "phones")
                .query_param_count("^fields$", ".*", 2)
                .query_param("offset", "100")
                .query_param("limit", "100")
        },
        200,
        body.clone(),
    )
    .await;

    let page = client(&server)
        .get_contacts_selection()
        .selection_id(SELECTION_ID)
        .fields(strings(&["firstName", "phones"]))
        .offset(100u64)
        .limit(100u64)
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(
        normalized(&to_json(&page)),
        normalized(&body),
        "nothing lost"
    );
    assert_eq!(page.total, Some(1.0));
    assert_eq!(page.extra.get("offset").unwrap(), 0);
    let contact = &page.contacts.as_ref().expect("contacts")[0];
    assert_eq!(contact.id, PROSPECT_ID);
    assert_eq!(contact.transferred_at, None);
}

#[tokio::test]
async fn update_prospect_interaction_puts_the_tagged_update_and_is_retried() {
    let server = MockServer::start_async().await;
    let question = json!({"type": "question", "answer": "Sim, aceita troca", "delivered": true});
    let unavailable = server
        .mock_async(|when, then| {
            Op::UpdateProspectInteraction
                .expect(when)
                .header(ATTEMPT_HEADER, "1")
                .json_body(question.clone());
            then.status(503);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            Op::UpdateProspectInteraction
                .expect(when)
                .header(ATTEMPT_HEADER, "2")
                .json_body(question.clone());
            then.status(200)
                .json_body(fixture("conversion/interactions.json")[0].clone());
        })
        .await;

    let update: types::UpdateEvent = typed(question.clone());
    assert!(
        matches!(update, types::UpdateEvent::QuestionEvent(_)),
        "{update:?}"
    );
    let message: types::UpdateEvent = typed(message_status_update());
    assert!(
        matches!(message, types::UpdateEvent::MessageEvent(_)),
        "{message:?}"
    );
    let updated = client(&server)
        .update_prospect_interaction()
        .prospect_id(MERGED_ID)
        .interaction_id(INTERACTION_ID)
        .body(update)
        .send()
        .await
        .unwrap();

    // PUT is idempotent: the runtime may send it again.
    unavailable.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert_eq!(updated.id, INTERACTION_ID);
}
