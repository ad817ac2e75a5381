//! Contract checks of leads, prospects, interactions and quotes.

use super::Api;
use serde_json::json;

/// Leads, prospects, interactions and quotes; answers the id of the prospect the leads
/// created, which the later steps change.
pub async fn leads_prospects_interactions_quotes(api: &mut Api<'_>) -> String {
    // Leads: the first creates a prospect, the others merge into it.
    let lead = json!({"utmSource": "site", "firstName": "Ana", "phones": ["+5511000000009"]});
    let mut pid = String::new();
    for kind in [
        "retail",
        "vehicle",
        "insurance",
        "saving-plan",
        "real-estate",
    ] {
        let template = format!("/lead/{kind}");
        let created = api
            .send("post", &template, &template, lead.clone(), 200)
            .await;
        assert_eq!(created["merged"], kind != "retail");
        pid = created["id"].as_str().unwrap().to_owned();
    }
    api.send(
        "post",
        "/lead/retail",
        "/lead/retail",
        json!({"phones": ["+1"]}),
        400,
    )
    .await;
    let categories = api.get("/leads/categories", "/leads/categories", 200).await;
    assert_eq!(categories[0]["name"], "default");
    let defaults = api.get("/leads/defaults", "/leads/defaults", 200).await;
    assert_eq!(defaults, json!({"currency": "BRL", "distance": "km"}));

    // Prospects.
    let page = api
        .get(
            "/prospects",
            "/prospects?limit=5&additionalData=score>=10",
            200,
        )
        .await;
    assert_eq!(page.as_array().unwrap().len(), 5);
    let seeded = page[0]["id"].as_str().unwrap().to_owned();
    let long = "/prospects?createdAfter=2024-01-01T00:00:00Z&createdBefore=2024-03-01T00:00:00Z";
    api.get("/prospects", long, 400).await;
    api.anonymous("get", "/prospects", "/prospects?api-key=wrong", None, 401)
        .await;
    let p = "/prospect/{prospectId}";
    api.get(p, &format!("/prospect/{seeded}"), 200).await;
    api.get(p, "/prospect/000000000000000000000000", 404).await;
    let patched = api
        .send(
            "patch",
            p,
            &format!("/prospect/{pid}"),
            json!({"label": "vip", "email": "x@y.example"}),
            200,
        )
        .await;
    assert_eq!(patched["label"], "vip");
    // A label the account does not have is a 404 (schema-valid, nothing to set).
    api.send(
        "patch",
        p,
        &format!("/prospect/{pid}"),
        json!({"label": "nope"}),
        404,
    )
    .await;
    // A body the spec refuses (an explicit null for a field that is not nullable) is a 400.
    api.send(
        "patch",
        p,
        &format!("/prospect/{pid}"),
        json!({"firstName": null}),
        400,
    )
    .await;
    let data = api
        .send(
            "patch",
            "/prospect/{prospectId}/additionalData",
            &format!("/prospect/{pid}/additionalData"),
            json!({"city": "Recife"}),
            200,
        )
        .await;
    assert_eq!(data["additionalData"]["city"], "Recife");
    let fields = api
        .get(
            "/prospect/{prospectId}/prospectAdditionalFields",
            &format!("/prospect/{pid}/prospectAdditionalFields"),
            200,
        )
        .await;
    assert_eq!(fields[0], json!({"key": "score", "name": "Pontuação"}));
    let rating = api
        .send(
            "post",
            "/prospect/{prospectId}/csat",
            &format!("/prospect/{pid}/csat"),
            json!({"result": 5, "comment": "ótimo"}),
            200,
        )
        .await;
    assert_eq!(rating["result"], 5.0);
    let moved = api
        .send(
            "post",
            "/prospect/{prospectId}/transfer",
            &format!("/prospect/{pid}/transfer"),
            json!({"group": "65f000000000000000000a02"}),
            200,
        )
        .await;
    assert_eq!(moved["groupId"], "65f000000000000000000a02");
    let selection = "/contacts/selection/{selectionId}";
    let contacts = api
        .get(
            selection,
            "/contacts/selection/65f000000000000000000e01?fields=firstName&limit=3",
            200,
        )
        .await;
    assert_eq!(contacts["contacts"].as_array().unwrap().len(), 3);
    api.get(
        selection,
        "/contacts/selection/65f0000000000000000000ff",
        404,
    )
    .await;
    let reasons = api
        .get(
            "/archiving-reasons",
            "/archiving-reasons?agent=65f0000000000000000b0001",
            200,
        )
        .await;
    assert_eq!(reasons[0]["reason"], "inactive");

    // Interactions.
    let list = "/prospect/{prospectId}/interactions";
    let note = api
        .send(
            "post",
            list,
            &format!("/prospect/{pid}/interactions"),
            json!({"type": "note", "content": "hi"}),
            200,
        )
        .await;
    assert_eq!(note[0]["output"]["comment"], "hi");
    let message = api
        .send(
            "post",
            list,
            &format!("/prospect/{pid}/interactions"),
            json!({"type": "message", "content": "oi"}),
            200,
        )
        .await;
    let iid = message[0]["id"].as_str().unwrap().to_owned();
    let missing = format!(
        "{}/prospect/000000000000000000000000/interactions?api-key={}",
        api.base, api.key
    );
    let missing = reqwest::Client::new()
        .post(missing)
        .json(&json!({"type": "note"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    // Live, this 404 has an empty body; the spec documents the JSON error, which the sandbox
    // sends (the runtime turns the empty live one into the same shape).
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "NOT_FOUND");
    let notes = api
        .get(
            list,
            &format!("/prospect/{pid}/interactions?via=other"),
            200,
        )
        .await;
    assert_eq!(notes.as_array().unwrap().len(), 1);
    let one = "/prospect/{prospectId}/interaction/{interactionId}";
    api.get(one, &format!("/prospect/{pid}/interaction/{iid}"), 200)
        .await;
    let read = api
        .send(
            "put",
            one,
            &format!("/prospect/{pid}/interaction/{iid}"),
            json!({"type": "message", "status": "read", "delivered": true}),
            200,
        )
        .await;
    assert_eq!(read["status"], "updated");
    let all = api
        .get(
            "/prospects/interactions",
            "/prospects/interactions?limit=20",
            200,
        )
        .await;
    assert_eq!(all.as_array().unwrap().len(), 20);

    // Quotes.
    let quotes = "/prospect/{prospectId}/quotes";
    let item = json!({"items": [{"quantity": 2, "price": 100.5, "concept": "Revisão"}]});
    let quote = api
        .send(
            "post",
            quotes,
            &format!("/prospect/{pid}/quotes"),
            item,
            201,
        )
        .await;
    assert_eq!(quote["total"], 201.0);
    let qid = quote["id"].as_str().unwrap().to_owned();
    api.get(
        quotes,
        &format!("/prospect/{pid}/quotes?status=pending"),
        200,
    )
    .await;
    let q = "/prospect/{prospectId}/quote/{quoteId}";
    api.get(q, &format!("/prospect/{pid}/quote/{qid}"), 200)
        .await;
    let accepted = api
        .send(
            "put",
            q,
            &format!("/prospect/{pid}/quote/{qid}"),
            json!({"status": "accepted"}),
            200,
        )
        .await;
    assert!(accepted["acceptedAt"].is_string());
    api.get("/prospects/quotes", "/prospects/quotes?limit=10", 200)
        .await;

    pid
}
