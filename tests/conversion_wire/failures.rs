//! Requests refused before sending, and failures on every operation.

use super::*;

// ---- requests refused before sending ----

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = client(&server);

    let zero_limit = c.list_prospects().limit(0u64).send().await.unwrap_err();
    assert!(
        matches!(zero_limit, Error::InvalidRequest(_)),
        "{zero_limit}"
    );
    let zero_limit = c.list_interactions().limit(0u64).send().await.unwrap_err();
    assert!(
        matches!(zero_limit, Error::InvalidRequest(_)),
        "{zero_limit}"
    );
    let no_id = c.get_prospect().send().await.unwrap_err();
    assert!(matches!(no_id, Error::InvalidRequest(_)), "{no_id}");
    let no_body = c
        .create_prospect_interaction()
        .prospect_id(MERGED_ID)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(no_body, Error::InvalidRequest(_)), "{no_body}");
    let no_source = c
        .create_retail_lead()
        .body_map(|lead| lead.phones(strings(&["+5511912345678"])))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&no_source, Error::InvalidRequest(m) if m.contains("utm_source")),
        "{no_source}"
    );
    assert_eq!(any.calls_async().await, 0);
}

// ---- failures ----

#[tokio::test]
async fn the_vendor_error_body_is_typed_on_every_operation() {
    let body = fixture("conversion/error.400.json");
    for &op in ALL {
        let server = MockServer::start_async().await;
        let failing = server
            .mock_async(|when, then| {
                op.expect(when);
                then.status(400).json_body(body.clone());
            })
            .await;

        let err = op.send(&client(&server)).await.unwrap_err();

        failing.assert_calls_async(1).await;
        let rv = vendor_error(err);
        assert_eq!(rv.status().as_u16(), 400, "{op:?}");
        assert_eq!(header_of(&rv, SYNTHESIZED_HEADER), None, "{op:?}");
        let error = rv.into_inner();
        assert_eq!(error.code.as_deref(), Some("UNEXPECTED_ERROR"), "{op:?}");
        assert_eq!(
            error.message.as_deref(),
            Some("This app does not have the permissions to send notifications"),
            "{op:?}"
        );
        assert_eq!(error.summary.as_deref(), Some("ValidationError"), "{op:?}");
        assert_eq!(to_json(&error), body, "{op:?}: nothing lost");
    }
}

#[tokio::test]
async fn an_empty_404_on_create_prospect_interaction_gets_the_vendor_error_shape() {
    // Seen live: an unknown prospect id is answered 404 with an empty body.
    const UNKNOWN_ID: &str = "65f00000000000000000a0ff";
    let server = MockServer::start_async().await;
    let missing = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/prospect/{UNKNOWN_ID}/interactions"))
                .query_param("api-key", KEY)
                .json_body(fixture("conversion/new_event.note.json"));
            then.status(404);
        })
        .await;

    let err = client(&server)
        .create_prospect_interaction()
        .prospect_id(UNKNOWN_ID)
        .body(typed::<types::NewEvent>(fixture(
            "conversion/new_event.note.json",
        )))
        .send()
        .await
        .unwrap_err();

    missing.assert_calls_async(1).await;
    let text = err.to_string();
    assert!(text.contains("404"), "{text}");
    assert!(!text.contains(KEY), "the key leaks: {text}");
    let rv = vendor_error(err);
    assert_eq!(rv.status().as_u16(), 404);
    assert_eq!(header_of(&rv, SYNTHESIZED_HEADER), Some("true"));
    let error = rv.into_inner();
    assert_eq!(error.code.as_deref(), Some("404"));
    assert_eq!(
        error.message.as_deref(),
        Some("HTTP 404 Not Found with an empty body")
    );
    assert_eq!(error.summary.as_deref(), Some("Not Found"));
}

#[tokio::test]
async fn a_429_on_list_prospects_is_retried_then_succeeds() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects")
                .query_param("api-key", KEY)
                .query_param("status", "new")
                .header(ATTEMPT_HEADER, "1");
            rate_limited(then);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/prospects")
                .query_param("api-key", KEY)
                .query_param("status", "new")
                .header(ATTEMPT_HEADER, "2");
            then.status(200)
                .json_body(json!([fixture("conversion/prospect.json")]));
        })
        .await;

    // The client's own backoff is long (10 s, jittered): a retry at once shows that the
    // server's `Retry-After: 0` was used.
    let logs = LogCapture::default();
    let guard = logs.install();
    let result = client_with_backoff(&server, Duration::from_secs(10))
        .list_prospects()
        .status("new")
        .send()
        .await;
    drop(guard);

    let page = result.unwrap();
    limited.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    assert_eq!(page[0].id, PROSPECT_ID);
    let text = logs.text();
    assert_eq!(text.matches("retrying").count(), 1, "{text}");
    assert!(text.contains("delay_ms=0"), "{text}");
    assert!(!text.contains(KEY), "the key leaks into the logs: {text}");
}

#[tokio::test]
async fn a_429_on_a_lead_post_is_not_retried_and_keeps_its_rate_limit_headers() {
    for op in LEADS {
        let server = MockServer::start_async().await;
        let limited = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path(op.path())
                    .query_param("api-key", KEY);
                rate_limited(then);
            })
            .await;

        let err = op.send(&client(&server)).await.unwrap_err();

        // A retried lead POST could create a duplicate prospect.
        limited.assert_calls_async(1).await;
        let rv = vendor_error(err);
        assert_eq!(rv.status().as_u16(), 429, "{op:?}");
        assert_eq!(header_of(&rv, "x-ratelimit-limit"), Some("60"), "{op:?}");
        assert_eq!(header_of(&rv, "x-ratelimit-remaining"), Some("0"), "{op:?}");
        assert_eq!(header_of(&rv, "x-ratelimit-reset"), Some("1"), "{op:?}");
        let error = rv.into_inner();
        assert_eq!(error.code.as_deref(), Some("429"), "{op:?}");
        assert_eq!(
            error.message.as_deref(),
            Some("HTTP 429 Too Many Requests with an empty body"),
            "{op:?}"
        );
    }
}

#[tokio::test]
async fn writes_are_sent_once_while_reads_and_deletes_are_retried() {
    for &op in ALL {
        let server = MockServer::start_async().await;
        let failing = server
            .mock_async(|when, then| {
                op.expect(when);
                then.status(503);
            })
            .await;

        let err = op.send(&client(&server)).await.unwrap_err();

        let attempts = if op.is_write() { 1 } else { 3 };
        failing.assert_calls_async(attempts).await;
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{op:?}");
        assert!(err.is_retryable(), "{op:?}: a caller may still retry it");
    }
}
