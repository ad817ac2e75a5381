//! Conversion quotes (persisted, filtered, cursor-paged), lead histories that become
//! interactions, and contact selections.

use super::fake::{new_prospect, Fake, MISSING};
use serde_json::{json, Value};

const POS_VENDA: &str = "65f000000000000000000a02";

#[tokio::test]
async fn quotes_persist_filter_and_cursor_page() {
    let f = Fake::start().await;
    let id = new_prospect(&f, "+5511000000161").await;
    let list = format!("/prospect/{id}/quotes");
    let items = json!([{"quantity": 1, "price": 450, "concept": "Revisão"}]);
    let (status, first) = f.call("POST", &list, Some(json!({"items": items}))).await;
    assert_eq!(status, 201);
    assert_eq!(first["status"], "pending");
    assert_eq!(first["total"], 450.0);
    assert!(first.get("acceptedAt").is_none());
    let second = f
        .ok("POST", &list, json!({"status": "accepted", "items": items}))
        .await;
    assert!(second["acceptedAt"].is_string());
    let one = format!("/prospect/{id}/quote/{}", first["id"].as_str().unwrap());
    let rejected = f.ok("PUT", &one, json!({"status": "rejected"})).await;
    assert!(rejected["rejectedAt"].is_string() && rejected["finishedAt"].is_string());
    assert_eq!(f.get(&one).await["status"], "rejected");
    let refused = f
        .refused("PUT", &one, Some(json!({"status": "accepted"})), 409)
        .await;
    assert_eq!(refused["code"], "CONFLICT");
    assert_eq!(f.get(&one).await["status"], "rejected");
    for (method, path, bad) in [
        ("PUT", &one, json!({"status": "maybe"})),
        ("POST", &list, json!({"items": []})),
        ("POST", &list, json!({"items": [{"price": 450}]})),
        ("POST", &list, json!({"items": [{"quantity": "1"}]})),
    ] {
        let refused = f.refused(method, path, Some(bad), 400).await;
        assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    }
    f.refused("GET", &format!("/prospect/{id}/quote/{MISSING}"), None, 404)
        .await;

    let rejected_only = f.get(&format!("{list}?status=rejected")).await;
    assert_eq!(rejected_only.as_array().unwrap().len(), 1);
    assert_eq!(rejected_only[0]["id"], first["id"]);
    let since = second["acceptedAt"].as_str().unwrap();
    let accepted = f.get(&format!("{list}?acceptedAfter={since}")).await;
    assert_eq!(accepted.as_array().unwrap().len(), 1);
    assert_eq!(accepted[0]["id"], second["id"]);

    // Across prospects: newest first, and a cursor walk gives the same rows once each.
    let all = f.get("/prospects/quotes?limit=5000").await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 47);
    assert_eq!(all[0]["id"], second["id"], "the newest first");
    let mut walked: Vec<Value> = Vec::new();
    loop {
        let cursor = walked
            .last()
            .map(|q| format!("&before={}", q["id"].as_str().unwrap()));
        let page = f
            .get(&format!(
                "/prospects/quotes?limit=7{}",
                cursor.unwrap_or_default()
            ))
            .await;
        let page = page.as_array().unwrap().clone();
        if page.is_empty() {
            break;
        }
        walked.extend(page);
    }
    assert_eq!(&walked, all);
    let accepted = f.get("/prospects/quotes?status=accepted&limit=5000").await;
    assert!(!accepted.as_array().unwrap().is_empty());
    assert!(accepted
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["status"] == "accepted"));

    // Any quantity and price the spec's numbers allow is taken, and kept as given.
    let odd = json!([{"quantity": 0, "price": 450}, {"quantity": 2, "price": -1.5}]);
    let (status, third) = f.call("POST", &list, Some(json!({"items": odd}))).await;
    assert_eq!(status, 201, "{third}");
    assert_eq!(third["total"], -3.0);
    let stored = f
        .get(&format!(
            "/prospect/{id}/quote/{}",
            third["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        stored["items"],
        json!([{"quantity": 0.0, "price": 450.0}, {"quantity": 2.0, "price": -1.5}])
    );
    assert_eq!(
        f.get("/prospects/quotes?limit=1").await[0]["id"],
        third["id"]
    );
}

#[tokio::test]
async fn a_lead_history_becomes_interactions_and_nin_keeps_no_number() {
    let f = Fake::start().await;
    let lead = json!({"utmSource": "ads", "emails": ["h@example.com"], "nin": [{"type": "CPF", "number": "12345678900"}],
        "history": [{"type": "note", "content": "visitou a loja"},
                    {"type": "call", "duration": 65000, "startedAt": "2024-03-30T10:00:00Z"}]});
    let created = f.ok("POST", "/lead/vehicle", lead).await;
    let history = created["interactions"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["output"]["comment"], "visitou a loja");
    assert_eq!(history[1]["via"], "inboundCall");
    assert_eq!(history[1]["finishedAt"], "2024-03-30T10:01:05Z");
    let id = created["id"].as_str().unwrap();
    let listed = f.get(&format!("/prospect/{id}/interactions")).await;
    assert_eq!(listed.as_array().unwrap(), history);
    let nin = &f.get(&format!("/prospect/{id}")).await["nin"];
    assert_eq!(nin[0]["type"], "CPF");
    assert!(
        nin[0]["_id"].is_string() && nin[0].get("number").is_none(),
        "{nin}"
    );
    let p = f.get(&format!("/prospect/{id}")).await;
    assert_eq!(p["leads"][0]["providerKey"], "sandbox-crm");
}

#[tokio::test]
async fn contact_selections_page_with_fields_and_the_always_returned_ones() {
    let f = Fake::start().await;
    let base = "/contacts/selection/65f000000000000000000e01";
    let first = f
        .get(&format!("{base}?fields=firstName&offset=0&limit=5"))
        .await;
    let following = f.get("/prospects?status=followUp&limit=5000").await;
    assert_eq!(first["total"], following.as_array().unwrap().len() as f64);
    let always = [
        "id",
        "status",
        "leads",
        "accountId",
        "account",
        "group",
        "groupId",
        "created",
    ];
    let contacts = first["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 5);
    for c in contacts {
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert!(
            keys.iter()
                .all(|k| always.contains(&k.as_str()) || *k == "firstName"),
            "{keys:?}"
        );
        assert!(always.iter().all(|k| c.get(k).is_some()));
        assert_eq!(c["status"], "followUp");
    }
    let next = f.get(&format!("{base}?offset=5&limit=5")).await;
    assert_ne!(next["contacts"][0]["id"], contacts[0]["id"]);
    assert!(
        next["contacts"][0]["phones"].is_array(),
        "no fields: whole prospects"
    );
    let total = first["total"].as_f64().unwrap();
    let beyond = f.get(&format!("{base}?offset={total}")).await;
    assert_eq!(beyond["contacts"], json!([]));
    let after_sales = f
        .get("/contacts/selection/65f000000000000000000e02?limit=1000")
        .await;
    assert!(!after_sales["contacts"].as_array().unwrap().is_empty());
    assert!(after_sales["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["groupId"] == POS_VENDA));
    f.refused(
        "GET",
        "/contacts/selection/65f0000000000000000000ff",
        None,
        404,
    )
    .await;
    f.refused("GET", &format!("{base}?offset=-1"), None, 400)
        .await;
    f.refused("GET", &format!("{base}?limit=0"), None, 400)
        .await;
}
