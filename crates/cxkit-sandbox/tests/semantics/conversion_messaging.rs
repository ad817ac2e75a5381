//! Conversion messaging and the directory: messages, files and templates become
//! interactions of the integration's user; agents, groups and their availability are
//! deterministic.

use super::fake::{agent, assert_vendor_error, ids, new_prospect, read, Fake, MISSING};
use serde_json::json;

#[tokio::test]
async fn messages_files_and_templates_become_interactions() {
    let f = Fake::start().await;
    let id = new_prospect(&f, "+5511000000201").await;
    let sent = f
        .ok(
            "POST",
            &format!("/prospect/{id}/messaging/whatsapp"),
            json!({"content": "Olá"}),
        )
        .await;
    assert_eq!(sent.as_array().unwrap().len(), 1, "a bare array");
    let i = &sent[0];
    assert_eq!(i["via"], "whatsApp");
    assert_eq!(i["agentId"], agent(0), "sent as the integration's user");
    assert_eq!(i["proactive"], true);
    let m = &i["output"]["message"];
    assert_eq!(m["performer"], "agent");
    assert_eq!(m["recipient"], "+5511000000201");
    assert_eq!(m["body"], "Olá");
    assert!(m.as_object().unwrap().contains_key("templateConfig") && m["templateConfig"].is_null());
    let listed = f
        .get(&format!("/prospect/{id}/interactions?via=whatsApp"))
        .await;
    assert_eq!(ids(&listed), [i["id"].as_str().unwrap()]);

    let part = reqwest::multipart::Part::bytes(vec![0x89, b'P', b'N', b'G'])
        .file_name("foto carro.png")
        .mime_str("image/png")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let url = f.url(&format!("/prospect/{id}/messaging/whatsapp/send-file"));
    let (status, file) = read(
        reqwest::Client::new()
            .post(&url)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{file}");
    let attachment = &file[0]["output"]["message"]["attachment"];
    assert_eq!(attachment["type"], "IMAGE");
    assert!(attachment["url"]
        .as_str()
        .unwrap()
        .ends_with("/foto_carro.png"));
    let other = reqwest::multipart::Form::new().text("note", "no file");
    let (status, body) = read(
        reqwest::Client::new()
            .post(&url)
            .multipart(other)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_vendor_error(&body);
    f.refused(
        "POST",
        &format!("/prospect/{id}/messaging/whatsapp/send-file"),
        Some(json!({})),
        400,
    )
    .await;
    // An empty file is still a file.
    let empty = reqwest::multipart::Part::bytes(Vec::new())
        .file_name("vazio.txt")
        .mime_str("text/plain")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", empty);
    let (status, file) = read(
        reqwest::Client::new()
            .post(&url)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{file}");
    let attachment = &file[0]["output"]["message"]["attachment"];
    assert_eq!(attachment["type"], "FILE");
    assert_eq!(attachment["size"], 0);
    assert!(attachment["url"].as_str().unwrap().ends_with("/vazio.txt"));

    let hsm = format!("/prospect/{id}/messaging/whatsapp/notification");
    let template = f
        .ok(
            "POST",
            &hsm,
            json!({"key": "test_drive", "parameters": {"date": "sexta"}}),
        )
        .await;
    let m = &template[0]["output"]["message"];
    assert_eq!(
        m["body"],
        "Olá Rita, seu test drive está confirmado para sexta."
    );
    assert_eq!(m["template"], "test_drive");
    assert_eq!(m["templateParameters"], json!({"date": "sexta"}));
    let no_key = f
        .refused("POST", &hsm, Some(json!({"parameters": {}})), 400)
        .await;
    assert_eq!(no_key["code"], "SCHEMA_VALIDATION_FAILED");
    let wrong_parameter = f
        .refused(
            "POST",
            &hsm,
            Some(json!({"key": "welcome", "parameters": {"name": 5}})),
            400,
        )
        .await;
    assert_eq!(wrong_parameter["code"], "SCHEMA_VALIDATION_FAILED");
    let nope = f
        .refused("POST", &hsm, Some(json!({"key": "nope"})), 404)
        .await;
    assert_eq!(nope["code"], "NOT_FOUND");
    assert!(nope["message"].as_str().unwrap().contains("nope"));
    // Parameter values are taken as given: tabs, line breaks, four spaces.
    let odd = "a\tb\nc    d";
    let template = f
        .ok(
            "POST",
            &hsm,
            json!({"key": "welcome", "parameters": {"name": odd}}),
        )
        .await;
    let m = &template[0]["output"]["message"];
    assert_eq!(m["template"], "welcome");
    assert_eq!(m["templateParameters"], json!({"name": odd}));
    assert!(m["body"].as_str().unwrap().contains(odd), "{m}");
    let facebook = format!("/prospect/{id}/messaging/facebook");
    let no_template = f
        .refused(
            "POST",
            &format!("{facebook}/notification"),
            Some(json!({"key": "welcome"})),
            404,
        )
        .await;
    assert_eq!(no_template["code"], "NOT_FOUND");
    let unreachable = f
        .refused("POST", &facebook, Some(json!({"content": "oi"})), 409)
        .await;
    assert_eq!(unreachable["code"], "CONFLICT");
    let empty = f
        .refused(
            "POST",
            &format!("/prospect/{id}/messaging/whatsapp"),
            Some(json!({})),
            400,
        )
        .await;
    assert_eq!(empty["code"], "SCHEMA_VALIDATION_FAILED");
    for path in ["", "/notification"] {
        let unknown = format!("/prospect/{id}/messaging/telegram{path}");
        f.refused(
            "POST",
            &unknown,
            Some(json!({"content": "oi", "key": "welcome"})),
            404,
        )
        .await;
    }
    let interactions = f.get(&format!("/prospect/{id}/interactions")).await;
    assert_eq!(
        interactions.as_array().unwrap().len(),
        5,
        "message, two files, two templates"
    );

    // A seeded prospect who came from a social network and left no phone.
    let social = f.prospect_where(|p| p["phones"] == json!([])).await;
    let sid = social["id"].as_str().unwrap();
    let channels = f.get(&format!("/prospect/{sid}/messaging/channels")).await;
    let names: Vec<&str> = channels
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["channel"].as_str().unwrap())
        .collect();
    assert!(names == ["facebook"] || names == ["instagram"], "{names:?}");
    let unreachable = f
        .refused(
            "POST",
            &format!("/prospect/{sid}/messaging/whatsapp"),
            Some(json!({"content": "oi"})),
            409,
        )
        .await;
    assert_eq!(unreachable["code"], "CONFLICT");
    assert!(unreachable["message"].as_str().unwrap().contains(sid));
    f.ok(
        "POST",
        &format!("/prospect/{sid}/messaging/{}", names[0]),
        json!({"content": "oi"}),
    )
    .await;

    let buyer = f.prospect_where(|_| true).await;
    let all = f.get("/prospects?limit=5000").await;
    let mut found = false;
    for p in all.as_array().unwrap() {
        let orders = f
            .get(&format!(
                "/prospect/{}/orders?limit=1",
                p["id"].as_str().unwrap()
            ))
            .await;
        if let Some(order) = orders.as_array().unwrap().first() {
            assert_eq!(orders.as_array().unwrap().len(), 1);
            assert!(order["items"][0]["name"].is_string() && order["createdAt"].is_string());
            found = true;
            break;
        }
    }
    assert!(found, "some seeded prospects ordered");
    let buyer = buyer["id"].as_str().unwrap();
    f.refused(
        "GET",
        &format!("/prospect/{buyer}/orders?limit=0"),
        None,
        400,
    )
    .await;
}
#[tokio::test]
async fn the_directory_is_deterministic() {
    let f = Fake::start().await;
    f.refused("GET", "/agents", None, 400).await;
    f.refused("GET", &format!("/agents?group={MISSING}"), None, 404)
        .await;
    f.refused(
        "GET",
        "/agents?group=65f000000000000000000a01&active=maybe",
        None,
        400,
    )
    .await;
    let vendas = f.get("/agents?group=65f000000000000000000a01").await;
    assert_eq!(ids(&vendas), [agent(0), agent(2), agent(4), agent(6)]);
    assert_eq!(vendas[0]["legacyId"], "CRM-1000");
    assert!(vendas[1].get("legacyId").is_none());
    assert_eq!(vendas[0]["appFields"], json!({}));
    assert_eq!(
        f.get("/agents?group=65f000000000000000000a00")
            .await
            .as_array()
            .unwrap()
            .len(),
        8
    );
    let gone = f
        .get("/agents?group=65f000000000000000000a02&active=false")
        .await;
    assert_eq!(ids(&gone), [agent(7)]);

    let online = f.get("/group/65f000000000000000000a02/agents/online").await;
    assert_eq!(ids(&online["agents"]), [agent(1), agent(3)]);
    assert_eq!(online["officeHours"], true);
    assert_eq!(
        f.get(&format!("/agents/{}/is-working", agent(2))).await["isWorking"],
        false
    );
    assert_eq!(
        f.get(&format!("/agents/{}/is-working", agent(0))).await["isWorking"],
        true
    );
    assert_eq!(
        f.get("/groups/65f000000000000000000a01/is-working").await["isWorking"],
        true
    );
    let time = f
        .ok(
            "POST",
            &format!("/agents/{}/response-time", agent(0)),
            json!({}),
        )
        .await;
    assert_eq!(time["responseTime"], 90);
    let (status, group_time) = f
        .call(
            "POST",
            "/groups/65f000000000000000000a01/response-time",
            None,
        )
        .await;
    assert_eq!(
        (status, group_time["responseTime"].as_u64()),
        (200, Some(351))
    );
    f.refused("GET", &format!("/agents/{MISSING}/is-working"), None, 404)
        .await;
    f.refused("GET", &format!("/group/{MISSING}"), None, 404)
        .await;

    let tree = f.get("/groups").await;
    assert_eq!(
        ids(&tree),
        [
            "65f000000000000000000a00",
            "65f000000000000000000a01",
            "65f000000000000000000a02"
        ]
    );
    let store = f.get("/group/65f000000000000000000a02").await;
    assert_eq!(store["parent"], "65f000000000000000000a00");
    assert_eq!(store["ancestors"], json!(["65f000000000000000000a00"]));
    let industries = f.get("/industries").await;
    assert_eq!(
        industries,
        json!([{"name": "automotive"}, {"name": "insurance"}, {"name": "financing"}])
    );
    let integration = f.get("/integration").await;
    assert_eq!(integration["providerKey"], "sandbox-crm");
    assert_eq!(integration["user"], agent(0));
    assert_eq!(f.get("/integrations").await.as_array().unwrap().len(), 2);
    let targets = f.get("/as-user/transfer").await;
    assert_eq!(
        targets["agents"].as_array().unwrap().len(),
        7,
        "active agents only"
    );
    assert_eq!(targets["groups"].as_array().unwrap().len(), 2);
    f.refused("GET", "/archiving-reasons", None, 400).await;
    f.refused(
        "GET",
        &format!("/archiving-reasons?agent={MISSING}"),
        None,
        404,
    )
    .await;
    assert_eq!(
        f.get(&format!("/archiving-reasons?agent={}", agent(4)))
            .await
            .as_array()
            .unwrap()
            .len(),
        5
    );
}
