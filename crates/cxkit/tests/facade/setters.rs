//! Every public filter setter reaches the wire under the parameter name the spec gives it.
//! (The setters the other modules exercise — paging, date ranges, `additional_data`, `via`,
//! the zchat filters, Converz call dates/metrics/columns/campaigns/reps — are pinned there.)

use crate::common::*;
use chrono::{NaiveDate, SecondsFormat, TimeZone, Utc};
use cxkit::{conversion, converz};
use httpmock::prelude::*;
use serde_json::json;

const AGENT: &str = "65d4a1e7f2c3b80014a9d301";
const GROUP: &str = "65d4a1e7f2c3b80014a9d302";

fn conversion_client(server: &MockServer) -> conversion::Client {
    conversion::Client::builder()
        .api_key(CONVERSION_KEY)
        .base_url(server.base_url())
        .retry(fast_retry(1))
        .build()
        .unwrap()
}

fn converz_client(server: &MockServer) -> converz::Client {
    converz::Client::builder()
        .api_key(CONVERZ_KEY)
        .base_url(server.base_url())
        .retry(fast_retry(1))
        .build()
        .unwrap()
}

fn day(n: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, n, 0, 0, 0).unwrap()
}

fn wire(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[tokio::test]
async fn prospect_filters_reach_the_wire() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/prospects")
                .query_param("search", "ana")
                .query_param("phoneNumber", "+5511999990000")
                .query_param("category", "vehicle")
                .query_param("agent", AGENT)
                .query_param("group", GROUP)
                .query_param("withAgent", "true");
            then.status(200).json_body(json!([]));
        })
        .await;
    let query = conversion::ProspectQuery::new()
        .search("ana")
        .phone_number("+5511999990000")
        .category("vehicle")
        .agent(AGENT)
        .group(GROUP)
        .with_agent(true);
    let (rows, error) = drain(conversion_client(&server).prospects(query)).await;
    assert!(error.is_none(), "{error:?}");
    assert!(rows.is_empty());
    mock.assert_async().await;
}

#[tokio::test]
async fn interaction_filters_reach_the_wire() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/prospects/interactions")
                .query_param("status", "updated")
                .query_param("agent", AGENT);
            then.status(200).json_body(json!([]));
        })
        .await;
    let query = conversion::InteractionQuery::new()
        .status("updated")
        .agent(AGENT);
    let (_, error) = drain(conversion_client(&server).interactions(query)).await;
    assert!(error.is_none(), "{error:?}");
    mock.assert_async().await;
}

#[tokio::test]
async fn quote_filters_reach_the_wire() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/prospects/quotes")
                .query_param("status", "accepted")
                .query_param("createdAfter", wire(day(1)))
                .query_param("createdBefore", wire(day(2)))
                .query_param("acceptedAfter", wire(day(3)))
                .query_param("acceptedBefore", wire(day(4)))
                .query_param("rejectedAfter", wire(day(5)))
                .query_param("rejectedBefore", wire(day(6)));
            then.status(200).json_body(json!([]));
        })
        .await;
    let query = conversion::QuoteQuery::new()
        .status("accepted")
        .created_between(day(1), day(2))
        .accepted_between(day(3), day(4))
        .rejected_between(day(5), day(6));
    let (_, error) = drain(conversion_client(&server).quotes(query)).await;
    assert!(error.is_none(), "{error:?}");
    mock.assert_async().await;
}

#[tokio::test]
async fn call_filters_not_pinned_elsewhere_reach_the_wire() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/calls")
                .query_param("before", "2025-07-20 18:30")
                .query_param("vendor_call_id", "v-42")
                .query_param("vendor", "twilio")
                .query_param("subcampaign", "renewals")
                .query_param("department", "support")
                .query_param("department", "sales")
                .query_param_count("^department$", ".*", 2);
            then.status(200).json_body(json!([]));
        })
        .await;
    let query = converz::CallQuery::new()
        .before(
            NaiveDate::from_ymd_opt(2025, 7, 20)
                .unwrap()
                .and_hms_opt(18, 30, 0)
                .unwrap(),
        )
        .vendor_call_id("v-42")
        .vendors(["twilio"])
        .subcampaigns(["renewals"])
        .departments(["support", "sales"]);
    let (_, error) = drain(converz_client(&server).calls(query)).await;
    assert!(error.is_none(), "{error:?}");
    mock.assert_async().await;
}

#[tokio::test]
async fn report_filters_reach_the_wire() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/report")
                .query_param("start_date", "2025-07-01")
                .query_param("end_date", "2025-07-31")
                .query_param("days", "7")
                .query_param("metric", "n_calls,sentiment")
                .query_param("groupby", "campaign,rep_id")
                .query_param("rep_id", "kees500")
                .query_param("vendor", "twilio")
                .query_param("campaign", "A")
                .query_param("subcampaign", "renewals")
                .query_param("department", "support");
            then.status(200)
                .json_body(json!([{"campaign": "A", "n_calls": 3}]));
        })
        .await;
    let query = converz::ReportQuery::new()
        .start_date(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap())
        .end_date(NaiveDate::from_ymd_opt(2025, 7, 31).unwrap())
        .days(7)
        .metrics(["n_calls", "sentiment"])
        .group_by(["campaign", "rep_id"])
        .rep_ids(["kees500"])
        .vendors(["twilio"])
        .campaigns(["A"])
        .subcampaigns(["renewals"])
        .departments(["support"]);
    let rows = converz_client(&server).report(&query).await.unwrap();
    assert_eq!(rows.len(), 1);
    mock.assert_async().await;
}
