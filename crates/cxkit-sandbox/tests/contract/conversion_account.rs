//! Contract checks of the act-as-user, messaging, directory, integration and custom-app
//! operations.

use super::{Api, Payload};
use serde_json::{json, Value};

/// Everything but records, on prospect `pid` (which has a phone).
pub async fn as_user_messaging_directory_apps(api: &mut Api<'_>, pid: &str) {
    // Acting as the integration's user.
    let reasons = api
        .get(
            "/as-user/archiving-reasons",
            "/as-user/archiving-reasons",
            200,
        )
        .await;
    assert_eq!(reasons.as_array().unwrap().len(), 5);
    let labels = api.get("/as-user/labels", "/as-user/labels", 200).await;
    assert_eq!(labels[1], json!({"key": "vip", "name": "VIP"}));
    let targets = api.get("/as-user/transfer", "/as-user/transfer", 200).await;
    assert_eq!(
        targets["groups"][0],
        json!({"id": "65f000000000000000000a01", "name": "Vendas"})
    );
    let labelled = api
        .send(
            "post",
            "/prospect/{prospectId}/as-user/label",
            &format!("/prospect/{pid}/as-user/label"),
            json!({"label": "hot"}),
            200,
        )
        .await;
    assert_eq!(labelled["label"], "hot");
    let agent = "65f0000000000000000b0001";
    let to_agent = api
        .send(
            "post",
            "/prospect/{prospectId}/as-user/transfer",
            &format!("/prospect/{pid}/as-user/transfer"),
            json!({"user": agent}),
            200,
        )
        .await;
    assert_eq!(to_agent["agent"]["id"], agent);

    // Messaging.
    let channels = api
        .get("/messaging/channels", "/messaging/channels", 200)
        .await;
    assert_eq!(channels[0]["templates"][0]["key"], "welcome");
    let mine = api
        .get(
            "/prospect/{prospectId}/messaging/channels",
            &format!("/prospect/{pid}/messaging/channels"),
            200,
        )
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "a phone only: WhatsApp");
    let send = "/prospect/{prospectId}/messaging/{channel}";
    let sent = api
        .send(
            "post",
            send,
            &format!("/prospect/{pid}/messaging/whatsapp"),
            json!({"content": "Olá"}),
            200,
        )
        .await;
    assert_eq!(sent[0]["output"]["message"]["performer"], "agent");
    api.send(
        "post",
        send,
        &format!("/prospect/{pid}/messaging/telegram"),
        json!({"content": "Olá"}),
        404,
    )
    .await;
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec())
        .file_name("proposta.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let file = api
        .call(
            "post",
            "/prospect/{prospectId}/messaging/{channel}/send-file",
            &format!("/prospect/{pid}/messaging/whatsapp/send-file"),
            Payload::Multipart(form),
            200,
        )
        .await;
    assert_eq!(file[0]["output"]["message"]["attachment"]["type"], "FILE");
    let hsm = api
        .send(
            "post",
            "/prospect/{prospectId}/messaging/{channel}/notification",
            &format!("/prospect/{pid}/messaging/whatsapp/notification"),
            json!({"key": "welcome"}),
            200,
        )
        .await;
    assert_eq!(
        hsm[0]["output"]["message"]["body"],
        "Olá Ana, obrigado pelo contato com a Sandbox Motors!"
    );
    let all = api.get("/prospects", "/prospects?limit=5000", 200).await;
    let mut with_orders = Value::Null;
    for p in all.as_array().unwrap() {
        let id = p["id"].as_str().unwrap();
        with_orders = api
            .get(
                "/prospect/{prospectId}/orders",
                &format!("/prospect/{id}/orders?limit=10"),
                200,
            )
            .await;
        if !with_orders.as_array().unwrap().is_empty() {
            break;
        }
    }
    assert!(
        with_orders[0]["items"][0]["price"].is_string(),
        "a seeded order"
    );

    // Directory and integration.
    let group = "65f000000000000000000a01";
    let agents = api
        .get(
            "/agents",
            &format!("/agents?group={group}&active=true"),
            200,
        )
        .await;
    assert_eq!(agents[0]["appFields"], json!({}));
    api.get("/agents", "/agents", 400).await;
    let time = api
        .call(
            "post",
            "/agents/{agentId}/response-time",
            &format!("/agents/{agent}/response-time"),
            Payload::None,
            200,
        )
        .await;
    assert_eq!(time["responseTime"], 227);
    let working = api
        .get(
            "/agents/{agentId}/is-working",
            &format!("/agents/{agent}/is-working"),
            200,
        )
        .await;
    assert_eq!(working["isWorking"], true);
    let tree = api.get("/groups", "/groups", 200).await;
    assert_eq!(tree.as_array().unwrap().len(), 3);
    let node = api
        .get("/group/{groupId}", &format!("/group/{group}"), 200)
        .await;
    assert_eq!(node["name"], "Vendas");
    let online = api
        .get(
            "/group/{groupId}/agents/online",
            &format!("/group/{group}/agents/online"),
            200,
        )
        .await;
    assert_eq!(online["officeHours"], true);
    api.call(
        "post",
        "/groups/{groupId}/response-time",
        &format!("/groups/{group}/response-time"),
        Payload::None,
        200,
    )
    .await;
    api.get(
        "/groups/{groupId}/is-working",
        &format!("/groups/{group}/is-working"),
        200,
    )
    .await;
    let industries = api.get("/industries", "/industries", 200).await;
    assert_eq!(industries[0]["name"], "automotive");
    let integration = api.get("/integration", "/integration", 200).await;
    assert_eq!(integration["user"], "65f0000000000000000b0000");
    api.get("/integrations", "/integrations", 200).await;
    let key = api.key.clone();
    api.anonymous(
        "get",
        "/checkCredentials",
        &format!("/checkCredentials?api-key={key}"),
        None,
        200,
    )
    .await;
    api.anonymous(
        "get",
        "/checkCredentials",
        "/checkCredentials?api-key=wrong",
        None,
        401,
    )
    .await;

    // Custom apps.
    let event =
        json!({"event": "visit", "type": "prospect", "prospectId": pid, "data": {"apiKey": key}});
    api.anonymous(
        "post",
        "/apps/event",
        "/apps/event",
        Some(event.clone()),
        200,
    )
    .await;
    let mut forged = event;
    forged["data"]["apiKey"] = json!("wrong");
    api.anonymous("post", "/apps/event", "/apps/event", Some(forged), 401)
        .await;
    let notification = json!({"type": "reminder", "target": {"role": ["agent"]}, "platforms": {"android": {"title": "Oi", "body": "Novo lead"}}});
    api.send(
        "post",
        "/apps/notifications",
        "/apps/notifications",
        notification,
        200,
    )
    .await;
}
