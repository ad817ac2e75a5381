//! No credential ever appears in `Debug`, `Display`, errors or logs.

use cxkit_runtime::RetryPolicy;
use cxkit_tests::{assert_no_secret, LogCapture};
use httpmock::prelude::*;
use std::time::Duration;

const TOKEN: &str = "tok-SECRET-91c2e7";

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(1))
}

#[tokio::test]
async fn zchat_token_never_printed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/history");
            then.status(401).json_body(
                serde_json::json!({"error": "bad token", "status": 401, "success": false}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/reports");
            // A server that echoes the URL (with the token) into its error page.
            then.status(500)
                .body(format!("<pre>GET /reports?token={TOKEN} failed</pre>"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/ongoing");
            then.status(200)
                .delay(Duration::from_millis(500))
                .json_body(serde_json::json!({"data": []}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/history/expanded");
            then.status(200).body("not json");
        })
        .await;

    let logs = LogCapture::default();
    let guard = logs.install();
    let context = zchat_api::context(TOKEN)
        .with_retry(RetryPolicy::none())
        .with_request_timeout(Duration::from_millis(100));
    let client = zchat_api::Client::new(&server.base_url(), context);
    // Retried (a connection refused is retryable), quickly: what is printed after the last
    // attempt is what matters.
    let closed = zchat_api::Client::new(
        "http://127.0.0.1:9",
        zchat_api::context(TOKEN).with_retry(fast_retries()),
    );

    let mut printed = vec![format!("{client:?}"), format!("{:?}", client.context())];
    let errors = [
        client.list_history().send().await.unwrap_err(),
        client.get_reports().send().await.unwrap_err(),
        client.list_ongoing().send().await.unwrap_err(),
        client.list_history_expanded().send().await.unwrap_err(),
        closed.list_history().send().await.unwrap_err(),
    ];
    drop(guard);
    for err in &errors {
        printed.push(format!("{err}"));
        printed.push(format!("{err:?}"));
        let mut source = std::error::Error::source(err);
        while let Some(inner) = source {
            printed.push(format!("{inner} {inner:?}"));
            source = inner.source();
        }
    }
    printed.push(logs.text());

    assert!(
        printed.iter().any(|p| p.contains("token=***")),
        "the masked URL is shown"
    );
    assert!(
        logs.text().contains("cxkit.request"),
        "requests were logged"
    );
    for text in &printed {
        assert_no_secret("output", text, TOKEN);
    }
}

const CONVERZ_KEY: &str = "cvz-SECRET-4f0d2a";

#[tokio::test]
async fn converz_key_sent_as_header_and_never_printed() {
    let server = MockServer::start_async().await;
    let with_header = server
        .mock_async(|when, then| {
            when.path("/reps").header("x-api-key", CONVERZ_KEY);
            then.status(401)
                .json_body(serde_json::json!({"error": "Invalid API key", "code": "unauthorized"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/calls");
            then.status(500)
                .body(format!("<pre>X-API-Key: {CONVERZ_KEY} rejected</pre>"));
        })
        .await;

    let logs = LogCapture::default();
    let guard = logs.install();
    let client = converz_api::Client::new(
        &server.base_url(),
        converz_api::context(CONVERZ_KEY).with_retry(RetryPolicy::none()),
    );
    let closed = converz_api::Client::new(
        "http://127.0.0.1:9",
        converz_api::context(CONVERZ_KEY).with_retry(fast_retries()),
    );
    let errors = [
        client.list_reps().send().await.unwrap_err(),
        client.list_calls().send().await.unwrap_err(),
        closed.get_report().send().await.unwrap_err(),
    ];
    drop(guard);
    with_header.assert_calls_async(1).await;

    let mut printed = vec![format!("{client:?}"), logs.text()];
    printed.extend(
        errors
            .iter()
            .flat_map(|e| [format!("{e}"), format!("{e:?}")]),
    );
    for text in &printed {
        assert_no_secret("output", text, CONVERZ_KEY);
    }
}

const CONVERSION_KEY: &str = "conv-SECRET-0e9b31";

#[tokio::test]
async fn conversion_key_masked_in_urls_errors_and_logs() {
    let server = MockServer::start_async().await;
    let in_query = server
        .mock_async(|when, then| {
            when.path("/prospects")
                .query_param("api-key", CONVERSION_KEY);
            then.status(403).json_body(serde_json::json!({
                "code": "FORBIDDEN", "message": "missing scope prospects:read"
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/agents");
            then.status(503).body(format!(
                "upstream said: /v1/agents?api-key={CONVERSION_KEY}"
            ));
        })
        .await;

    let logs = LogCapture::default();
    let guard = logs.install();
    let client = conversion_api::Client::new(
        &server.base_url(),
        conversion_api::context(CONVERSION_KEY).with_retry(RetryPolicy::none()),
    );
    let closed = conversion_api::Client::new(
        "http://127.0.0.1:9",
        conversion_api::context(CONVERSION_KEY).with_retry(fast_retries()),
    );
    let errors = [
        client.list_prospects().send().await.unwrap_err(),
        client.list_agents().send().await.unwrap_err(),
        closed.list_groups().send().await.unwrap_err(),
    ];
    drop(guard);
    in_query.assert_calls_async(1).await;

    let mut printed = vec![format!("{client:?}"), logs.text()];
    printed.extend(
        errors
            .iter()
            .flat_map(|e| [format!("{e}"), format!("{e:?}")]),
    );
    assert!(
        printed.iter().any(|p| p.contains("api-key=***")),
        "the masked URL is shown"
    );
    for text in &printed {
        assert_no_secret("output", text, CONVERSION_KEY);
    }
}

#[tokio::test]
async fn a_credential_echoed_in_any_vendor_body_is_masked_in_generated_errors_and_values() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/history");
            then.status(401).json_body(serde_json::json!(
                {"error": format!("invalid token {TOKEN}"), "status": 401, "success": false}
            ));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/notifications/topics");
            then.status(403).json_body(serde_json::json!({
                "code": "FORBIDDEN",
                "message": "scope missing",
                "details": {"request": format!("/v1/notifications/topics?api-key={CONVERSION_KEY}")}
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/notifications/subscriptions");
            // A success body that echoes the key in a nested value.
            then.status(200).json_body(serde_json::json!([{
                "id": "65f1c2a4e13b7d0012a4c9e1", "topics": ["prospects"],
                "callbackUrl": format!("https://hooks.example.com/x?echo={CONVERSION_KEY}")
            }]));
        })
        .await;

    let zchat = zchat_api::Client::new(
        &server.base_url(),
        zchat_api::context(TOKEN).with_retry(RetryPolicy::none()),
    );
    let conversion = conversion_api::Client::new(
        &server.base_url(),
        conversion_api::context(CONVERSION_KEY).with_retry(RetryPolicy::none()),
    );
    let zchat_error = zchat.list_history().send().await.unwrap_err();
    let conversion_error = conversion.list_topics().send().await.unwrap_err();
    let subscriptions = conversion.list_subscriptions().send().await.unwrap();

    let printed = [
        format!("{zchat_error}"),
        format!("{zchat_error:?}"),
        format!("{conversion_error}"),
        format!("{conversion_error:?}"),
        format!("{subscriptions:?}"),
        serde_json::to_string(&subscriptions.into_inner()).unwrap(),
    ];
    for text in &printed {
        assert_no_secret("a generated error or value", text, TOKEN);
        assert_no_secret("a generated error or value", text, CONVERSION_KEY);
    }
    assert!(printed[1].contains("invalid token ***"), "{}", printed[1]);
    assert!(printed[3].contains("api-key=***"), "{}", printed[3]);
}
