//! Directory: agents and groups.

use super::*;

// ---- directory ----

#[tokio::test]
async fn list_agents_sends_group_and_active_filters() {
    let server = MockServer::start_async().await;
    let filtered = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/agents")
                .query_param("api-key", KEY)
                .query_param("group", GROUP_ID)
                .query_param("active", "true")
                .query_param_count(".*", ".*", 3);
            then.status(200)
                .json_body(fixture("conversion/agents.json"));
        })
        .await;
    let inactive = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/agents")
                .query_param("api-key", KEY)
                .query_param("group", GROUP_ID)
                // `active` is a status string in the reference, sent as given.
                .query_param("active", "inactive");
            then.status(200).json_body(json!([]));
        })
        .await;
    let c = client(&server);

    let agents = c
        .list_agents()
        .group(GROUP_ID)
        .active("true")
        .send()
        .await
        .unwrap();
    let none = c
        .list_agents()
        .group(GROUP_ID)
        .active("inactive")
        .send()
        .await
        .unwrap();
    // The reference makes `group` required: refused before sending.
    let no_group = c.list_agents().send().await.unwrap_err();
    assert!(matches!(no_group, Error::InvalidRequest(_)), "{no_group}");

    filtered.assert_async().await;
    inactive.assert_async().await;
    assert!(none.is_empty());
    assert_eq!(agents.len(), 2);
    assert_eq!(agents[0].id, AGENT_ID);
    assert_eq!(agents[1].legacy_id.as_deref(), Some("4821"));
    assert_eq!(to_json(&agents[1].external_id), json!({"crm": "VND-0142"}));
    assert_eq!(
        agents[1]
            .app_fields
            .as_ref()
            .expect("app fields")
            .get("ramal")
            .unwrap(),
        "214"
    );
}

#[tokio::test]
async fn list_groups_reads_the_groups() {
    let server = MockServer::start_async().await;
    let body = fixture("conversion/groups.json");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/groups")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(body.clone());
        })
        .await;

    let groups = client(&server)
        .list_groups()
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(normalized(&to_json(&groups)), normalized(&body));
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].type_, Some(strings(&["store"])));
    assert_eq!(
        groups[1].display_name.as_deref(),
        Some("Vitória Veículos - Leads Digitais")
    );
}

#[tokio::test]
async fn get_group_puts_the_id_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/group/{GROUP_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/groups.json")[0].clone());
        })
        .await;

    let group = client(&server)
        .get_group()
        .group_id(GROUP_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(group.id, GROUP_ID);
    assert_eq!(group.timezone.as_deref(), Some("America/Sao_Paulo"));
    assert_eq!(group.country_code.as_deref(), Some("BR"));
}

#[tokio::test]
async fn online_agents_and_working_hours_are_read_per_group_and_agent() {
    let server = MockServer::start_async().await;
    let online = fixture("conversion/online_agents.json");
    let m1 = mock_op(&server, Op::GetOnlineAgents, |w| w, 200, online.clone()).await;
    let m2 = mock_op(
        &server,
        Op::IsGroupWorking,
        |w| w,
        200,
        json!({"working": true}),
    )
    .await;
    let m3 = mock_op(
        &server,
        Op::IsAgentWorking,
        |w| w,
        200,
        json!({"working": false}),
    )
    .await;
    // The response-time queries are POSTs without a body.
    let m4 = mock_op(
        &server,
        Op::GetGroupResponseTime,
        |w| w.body(""),
        200,
        json!({"responseTime": 312.5, "unit": "s"}),
    )
    .await;
    let m5 = mock_op(
        &server,
        Op::GetAgentResponseTime,
        |w| w.body(""),
        200,
        json!({"responseTime": 95}),
    )
    .await;
    let c = client(&server);

    let agents = c
        .get_online_agents()
        .group_id(GROUP_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    let group_working = c
        .is_group_working()
        .group_id(GROUP_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    let agent_working = c
        .is_agent_working()
        .agent_id(AGENT_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    let group_time = c
        .get_group_response_time()
        .group_id(GROUP_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    let agent_time = c
        .get_agent_response_time()
        .agent_id(AGENT_ID)
        .send()
        .await
        .unwrap()
        .into_inner();

    for m in [m1, m2, m3, m4, m5] {
        m.assert_async().await;
    }
    assert_eq!(
        normalized(&to_json(&agents)),
        normalized(&online),
        "nothing lost"
    );
    assert_eq!(agents.office_hours, Some(true));
    assert_eq!(
        agents.extra.get("checkedAt").unwrap(),
        "2024-03-08T12:00:00.000Z"
    );
    assert_eq!(group_working["working"], true);
    assert_eq!(agent_working["working"], false);
    assert_eq!(group_time["unit"], "s");
    assert_eq!(agent_time["responseTime"], 95);
}

#[tokio::test]
async fn list_industries_reads_names_and_keeps_the_rest() {
    let server = MockServer::start_async().await;
    let body = json!([{"name": "automotive"}, {"name": "realEstate", "label": "Imóveis"}]);
    let mock = mock_op(&server, Op::ListIndustries, |w| w, 200, body.clone()).await;

    let industries = client(&server)
        .list_industries()
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(normalized(&to_json(&industries)), normalized(&body));
}
