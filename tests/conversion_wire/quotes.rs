//! Quotes: per prospect (list with filters, create, get, update) and across prospects.

use super::*;

#[tokio::test]
async fn list_prospect_quotes_encodes_status_and_every_date_filter() {
    let server = MockServer::start_async().await;
    let body = json!([fixture("conversion/quote.json")]);
    let mock = mock_op(
        &server,
        Op::ListProspectQuotes,
        |when| {
            when.query_param("status", "accepted")
                .query_param("createdAfter", "2024-03-01T00:00:00Z")
                .query_param("createdBefore", "2024-03-31T00:00:00Z")
                // Given at -03:00, sent in UTC.
                .query_param("acceptedAfter", "2024-03-02T03:00:00Z")
                .query_param("acceptedBefore", "2024-03-30T00:00:00.250Z")
                .query_param("rejectedAfter", "2024-03-03T00:00:00Z")
                .query_param("rejectedBefore", "2024-03-29T00:00:00Z")
                .query_param_count(".*", ".*", 8)
        },
        200,
        body.clone(),
    )
    .await;

    let quotes = client(&server)
        .list_prospect_quotes()
        .prospect_id(MERGED_ID)
        .status("accepted")
        .created_after(utc("2024-03-01T00:00:00Z"))
        .created_before(utc("2024-03-31T00:00:00Z"))
        .accepted_after(utc("2024-03-02T00:00:00-03:00"))
        .accepted_before(utc("2024-03-30T00:00:00.250Z"))
        .rejected_after(utc("2024-03-03T00:00:00Z"))
        .rejected_before(utc("2024-03-29T00:00:00Z"))
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(
        normalized(&to_json(&quotes)),
        normalized(&body),
        "nothing lost"
    );
    let quote = &quotes[0];
    assert_eq!(quote.id, QUOTE_ID);
    assert_eq!(
        quote.status,
        types::QuoteStatus::from(types::KnownQuoteStatus::Accepted)
    );
    assert_eq!(quote.accepted_at, Some(utc("2024-03-08T09:41:55.007Z")));
    assert_eq!(quote.rejected_at, None, "null reads as absent");
    assert_eq!(quote.items.as_ref().map(Vec::len), Some(2));
    assert_eq!(quote.extra.get("validUntil").unwrap(), "2024-03-22");
}

#[tokio::test]
async fn create_prospect_quote_posts_the_items_and_reads_the_201() {
    let server = MockServer::start_async().await;
    let mock = mock_op(
        &server,
        Op::CreateProspectQuote,
        // Amounts are numbers (`f64`): the typed body writes `1` as `1.0`.
        |when| {
            when.header("content-type", "application/json")
                .json_body(to_json(&typed::<types::NewQuote>(new_quote())))
        },
        201,
        fixture("conversion/quote.json"),
    )
    .await;

    let created = client(&server)
        .create_prospect_quote()
        .prospect_id(MERGED_ID)
        .body(typed::<types::NewQuote>(new_quote()))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.into_inner().total, Some(90601.0));
}

#[tokio::test]
async fn get_and_update_prospect_quote_use_the_singular_path() {
    let server = MockServer::start_async().await;
    let get = mock_op(
        &server,
        Op::GetProspectQuote,
        |when| when,
        200,
        fixture("conversion/quote.json"),
    )
    .await;
    let put = mock_op(
        &server,
        Op::UpdateProspectQuote,
        |when| when.json_body(json!({"status": "rejected"})),
        200,
        fixture("conversion/quote.json"),
    )
    .await;
    let c = client(&server);

    let quote = c
        .get_prospect_quote()
        .prospect_id(MERGED_ID)
        .quote_id(QUOTE_ID)
        .send()
        .await
        .unwrap();
    let updated = c
        .update_prospect_quote()
        .prospect_id(MERGED_ID)
        .quote_id(QUOTE_ID)
        .body(typed::<types::UpdateQuote>(json!({"status": "rejected"})))
        .send()
        .await
        .unwrap();

    get.assert_async().await;
    put.assert_async().await;
    assert_eq!(quote.prospect_id.as_deref(), Some(MERGED_ID));
    assert_eq!(updated.id, QUOTE_ID);
}

#[tokio::test]
async fn list_quotes_sends_cursor_paging_and_filters() {
    let server = MockServer::start_async().await;
    let mock = mock_op(
        &server,
        Op::ListQuotes,
        |when| {
            when.query_param("after", "65e9a4c2d1b7f30012c8e500")
                .query_param("limit", "500")
                .query_param("status", "pending")
                .query_param("createdAfter", "2024-01-01T00:00:00Z")
                .query_param_count(".*", ".*", 5)
        },
        200,
        json!([fixture("conversion/quote.json")]),
    )
    .await;

    let quotes = client(&server)
        .list_quotes()
        .after("65e9a4c2d1b7f30012c8e500")
        .limit(500u64)
        .status("pending")
        .created_after(utc("2024-01-01T00:00:00Z"))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(quotes[0].id, QUOTE_ID);
}
