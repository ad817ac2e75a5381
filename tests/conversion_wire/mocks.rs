//! The typed httpmock helpers.

use super::*;

// ---- typed mock helpers ----

#[test]
fn typed_mock_helpers_match_what_the_client_sends() {
    // The generated helpers are synchronous (httpmock's `mock`), so no async runtime here
    // until the client runs.
    let server = MockServer::start();
    let prospects: Vec<types::Prospect> = vec![typed(fixture("conversion/prospect.json"))];
    let filters: Vec<types::ListProspectsAdditionalDataItem> = ["score>=50", "financiamento=1"]
        .iter()
        .map(|f| f.parse().unwrap())
        .collect();
    let after = utc("2024-03-01T08:30:00.250Z");
    let page_mock = server.list_prospects(|when, then| {
        when.status("processing")
            .with_agent(true)
            .limit(NonZeroU64::new(1000).unwrap())
            .additional_data(&filters)
            .created_after(&after);
        then.ok(&prospects);
    });
    let event: types::NewEvent = typed(fixture("conversion/new_event.note.json"));
    let interactions: Vec<types::Interaction> = typed(fixture("conversion/interactions.json"));
    let event_mock = server.create_prospect_interaction(|when, then| {
        when.prospect_id(&MERGED_ID.parse().unwrap()).body(&event);
        then.ok(&interactions);
    });

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let c = client(&server);
    let page = runtime
        .block_on(
            c.list_prospects()
                .status("processing")
                .with_agent(true)
                .limit(1000u64)
                .additional_data(filters)
                .created_after(after)
                .send(),
        )
        .unwrap();
    let created = runtime
        .block_on(
            c.create_prospect_interaction()
                .prospect_id(MERGED_ID)
                .body(event)
                .send(),
        )
        .unwrap();

    page_mock.assert();
    event_mock.assert();
    assert_eq!(page.into_inner(), prospects);
    assert_eq!(created.into_inner(), interactions);
}
