//! The integration behind the key, credential checks and custom apps: the two operations the
//! spec declares without security carry no client key in the URL.

use super::*;

#[tokio::test]
async fn get_integration_and_list_integrations_read_the_key_s_integration() {
    let server = MockServer::start_async().await;
    let one = fixture("conversion/integration.json");
    let m1 = mock_op(&server, Op::GetIntegration, |w| w, 200, one.clone()).await;
    let m2 = mock_op(
        &server,
        Op::ListIntegrations,
        |w| w,
        200,
        json!([one.clone()]),
    )
    .await;
    let c = client(&server);

    let integration = c.get_integration().send().await.unwrap().into_inner();
    let all = c.list_integrations().send().await.unwrap().into_inner();

    m1.assert_async().await;
    m2.assert_async().await;
    assert_eq!(
        normalized(&to_json(&integration)),
        normalized(&one),
        "nothing lost"
    );
    assert_eq!(integration.provider_key, "website");
    assert_eq!(integration.user.as_deref(), Some(AGENT_ID));
    assert_eq!(
        integration.extra.get("scopes").unwrap(),
        json!(["leads:write", "prospects:read"])
    );
    assert_eq!(all, vec![integration]);
}

#[tokio::test]
async fn check_credentials_sends_the_checked_key_instead_of_the_client_s() {
    let server = MockServer::start_async().await;
    // `Op::expect` requires exactly one `api-key`: the checked one.
    let valid = server
        .mock_async(|when, then| {
            Op::CheckCredentials.expect(when);
            then.status(200);
        })
        .await;

    let answer = client(&server)
        .check_credentials()
        .api_key(CHECKED_KEY)
        .send()
        .await
        .unwrap();

    valid.assert_async().await;
    assert_eq!(answer.status().as_u16(), 200);
}

#[tokio::test]
async fn check_credentials_masks_the_checked_key_in_errors() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            Op::CheckCredentials.expect(when);
            then.status(401)
                .json_body(json!({"code": "UNAUTHORIZED", "message": "Invalid API key"}));
        })
        .await;

    let err = client(&server)
        .check_credentials()
        .api_key(CHECKED_KEY)
        .send()
        .await
        .unwrap_err();

    let text = format!("{err} {err:?}");
    cxkit_tests::assert_no_secret("a check_credentials error", &text, CHECKED_KEY);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn send_app_event_carries_its_key_in_the_body_only_and_masks_it_in_debug() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            // No `api-key` in the URL: `Op::expect` requires it absent.
            Op::SendAppEvent.expect(when).json_body(custom_event());
            then.status(200);
        })
        .await;
    let event = typed::<types::CustomEvent>(custom_event());
    let debug = format!("{event:?}");
    cxkit_tests::assert_no_secret("CustomEvent's Debug", &debug, "app-key-3c1e");
    assert_eq!(
        to_json(&event),
        custom_event(),
        "the key still goes on the wire"
    );

    client(&server)
        .send_app_event()
        .body(event)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn send_notification_posts_target_and_platforms() {
    let server = MockServer::start_async().await;
    let mock = mock_op(
        &server,
        Op::SendNotification,
        |w| w.json_body(notification_data()),
        200,
        Value::Null,
    )
    .await;

    client(&server)
        .send_notification()
        .body(typed::<types::NotificationData>(notification_data()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}
