//! Messaging: channels, conversational messages, files, templates and orders.

use super::*;

#[tokio::test]
async fn channels_are_listed_for_the_key_and_for_one_prospect() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/channels.json");
    let all = mock_op(&server, Op::ListChannels, |w| w, 200, body.clone()).await;
    let one = mock_op(&server, Op::ListProspectChannels, |w| w, 200, body.clone()).await;
    let c = client(&server);

    let channels = c.list_channels().send().await.unwrap().into_inner();
    let for_prospect = c
        .list_prospect_channels()
        .prospect_id(MERGED_ID)
        .send()
        .await
        .unwrap()
        .into_inner();

    all.assert_async().await;
    one.assert_async().await;
    assert_eq!(
        normalized(&to_json(&channels)),
        normalized(&body),
        "nothing lost"
    );
    assert_eq!(
        channels[0].channel,
        types::CommunicationChannel::from(types::KnownCommunicationChannel::Whatsapp)
    );
    assert_eq!(
        channels[2].channel,
        types::CommunicationChannel::String("telegram".into()),
        "an unknown channel still parses"
    );
    let templates = channels[0].templates.as_ref().expect("templates");
    assert_eq!(templates[0].key.as_deref(), Some("follow_up_1"));
    assert_eq!(templates[0].extra.get("language").unwrap(), "pt_BR");
    assert_eq!(for_prospect, channels);
}

#[tokio::test]
async fn send_message_posts_the_content_to_the_channel_path() {
    let server = MockServer::start_async().await;
    let body = json!({
        "content": "Podemos agendar?",
        "buttons": {"body": "Escolha um horário", "buttons": [{"id": "am", "title": "Manhã"}, {"id": "pm", "title": "Tarde"}]}
    });
    let mock = mock_op(
        &server,
        Op::SendMessage,
        |w| w.json_body(body.clone()),
        200,
        fixture("conversion/interactions.json"),
    )
    .await;

    let sent = client(&server)
        .send_message()
        .prospect_id(MERGED_ID)
        .channel(CHANNEL)
        .body(typed::<types::NewMessage>(body.clone()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(sent.len(), 3);
}

#[tokio::test]
async fn send_file_uploads_one_multipart_file_part() {
    let server = MockServer::start_async().await;
    let mock = mock_op(
        &server,
        Op::SendFile,
        |w| {
            w.header_matches("content-type", "^multipart/form-data; boundary=")
                .body_includes(
                    "Content-Disposition: form-data; name=\"file\"; filename=\"proposta.pdf\"",
                )
                .body_includes("Content-Type: application/pdf")
                .body_includes("%PDF-1.4 proposal")
        },
        200,
        fixture("conversion/interactions.json"),
    )
    .await;

    let sent = client(&server)
        .send_file(MERGED_ID, CHANNEL, file_part())
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].id, INTERACTION_ID);
}

#[tokio::test]
async fn send_file_is_not_retried_and_its_errors_are_typed() {
    let server = MockServer::start_async().await;
    let failing = mock_op(
        &server,
        Op::SendFile,
        |w| w,
        503,
        fixture("conversion/error.400.json"),
    )
    .await;

    let err = client(&server)
        .send_file(MERGED_ID, CHANNEL, file_part())
        .await
        .unwrap_err();

    failing.assert_calls_async(1).await;
    let rv = vendor_error(err);
    assert_eq!(rv.status().as_u16(), 503);
    assert_eq!(rv.into_inner().code.as_deref(), Some("UNEXPECTED_ERROR"));
}

#[tokio::test]
async fn send_template_message_posts_key_and_parameters() {
    let server = MockServer::start_async().await;
    let mock = mock_op(
        &server,
        Op::SendTemplateMessage,
        |w| w.json_body(template_message()),
        200,
        fixture("conversion/interactions.json"),
    )
    .await;

    client(&server)
        .send_template_message()
        .prospect_id(MERGED_ID)
        .channel(CHANNEL)
        .body(typed::<types::NewTemplateMessage>(template_message()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn list_prospect_orders_sends_the_limit_and_keeps_snake_case_product_fields() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/orders.json");
    let mock = mock_op(
        &server,
        Op::ListProspectOrders,
        |w| {
            w.query_param("limit", "200")
                .query_param_count(".*", ".*", 2)
        },
        200,
        body.clone(),
    )
    .await;

    let orders = client(&server)
        .list_prospect_orders()
        .prospect_id(MERGED_ID)
        .limit(200u64)
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(
        normalized(&to_json(&orders)),
        normalized(&body),
        "nothing lost"
    );
    let item = &orders[0].items.as_ref().expect("items")[0];
    assert_eq!(item.sale_price.as_deref(), Some("179.90"));
    assert_eq!(
        item.image_url.as_deref(),
        Some("https://cdn.example.com/tapete.jpg")
    );
    assert_eq!(item.inventory, Some(12.0));
    assert_eq!(item.extra.get("quantity").unwrap(), 2);
    assert_eq!(orders[0].created_at.as_deref(), Some("1709830800"));
}
