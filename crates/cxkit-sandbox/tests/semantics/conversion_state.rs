//! Conversion state changes are visible in a following `GET`, and refused input changes
//! nothing: archiving, labels, transfers, prospect and additional-data updates, ratings,
//! interaction updates (quotes, lead history and selections: `conversion_quotes.rs`).

use super::conversion_client;
use super::fake::{agent, new_prospect, Fake, MISSING};
use conversion_api::types;
use serde_json::json;

const VENDAS: &str = "65f000000000000000000a01";
const POS_VENDA: &str = "65f000000000000000000a02";

#[tokio::test]
async fn archiving_needs_a_listed_reason_and_archives() {
    let f = Fake::start().await;
    let id = new_prospect(&f, "+5511000000101").await;
    let path = format!("/prospect/{id}/as-user/archive");
    let bored = Some(json!({"archivingReason": "bored"}));
    let refused = f.refused("POST", &path, bored, 404).await;
    assert_eq!(refused["code"], "NOT_FOUND");
    assert!(refused["message"].as_str().unwrap().contains("bored"));
    // Archiving as the user requires a reason (the spec's `ArchiveProspect`).
    let refused = f
        .refused("POST", &path, Some(json!({"firstName": "X"})), 400)
        .await;
    assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    let p = f.get(&format!("/prospect/{id}")).await;
    assert_eq!(
        p["status"], "unclaimed",
        "a refused request changes nothing"
    );
    assert_eq!(p["firstName"], "Rita");

    let reasons = f.get("/as-user/archiving-reasons").await;
    assert_eq!(
        reasons[1],
        json!({"reason": "converted", "name": "Convertido"})
    );
    f.ok("POST", &path, json!({"archivingReason": "converted"}))
        .await;
    let p = f.get(&format!("/prospect/{id}")).await;
    assert_eq!(p["status"], "archived");
    assert_eq!(p["archivingReason"], "converted");

    let other = new_prospect(&f, "+5511000000102").await;
    let patch = format!("/prospect/{other}");
    let refused = f
        .refused(
            "PATCH",
            &patch,
            Some(json!({"archivingReason": "nope"})),
            404,
        )
        .await;
    assert_eq!(refused["code"], "NOT_FOUND");
    let refused = f
        .refused("PATCH", &patch, Some(json!({"archivingReason": null})), 400)
        .await;
    assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    assert_eq!(f.get(&patch).await["status"], "unclaimed");
    f.ok("PATCH", &patch, json!({"archivingReason": "inactive"}))
        .await;
    assert_eq!(f.get(&patch).await["status"], "archived");
    let missing = format!("/prospect/{MISSING}/as-user/archive");
    let body = Some(json!({"archivingReason": "inactive"}));
    f.refused("POST", &missing, body, 404).await;
}

#[tokio::test]
async fn labels_must_be_listed_and_persist() {
    let f = Fake::start().await;
    let labels = f.get("/as-user/labels").await;
    let keys: Vec<&str> = labels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["hot", "vip", "callback", "financing"]);
    let id = new_prospect(&f, "+5511000000111").await;
    let path = format!("/prospect/{id}/as-user/label");
    let refused = f
        .refused("POST", &path, Some(json!({"label": "gold"})), 404)
        .await;
    assert_eq!(refused["code"], "NOT_FOUND");
    assert!(refused["message"].as_str().unwrap().contains("gold"));
    for bad in [json!({}), json!({"label": ""}), json!({"label": null})] {
        let refused = f.refused("POST", &path, Some(bad), 400).await;
        assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    }
    let p = f.get(&format!("/prospect/{id}")).await;
    assert!(p.get("label").is_none(), "no label yet: {p}");
    let labelled = f.ok("POST", &path, json!({"label": "hot"})).await;
    assert_eq!(labelled["label"], "hot");
    assert_eq!(f.get(&format!("/prospect/{id}")).await["label"], "hot");
    let patch = format!("/prospect/{id}");
    f.ok("PATCH", &patch, json!({"label": "callback"})).await;
    assert_eq!(f.get(&patch).await["label"], "callback");
    let refused = f
        .refused("PATCH", &patch, Some(json!({"label": "x"})), 404)
        .await;
    assert_eq!(refused["code"], "NOT_FOUND");
    assert_eq!(f.get(&patch).await["label"], "callback");
}

#[tokio::test]
async fn transfers_move_the_prospect_and_stamp_transferred_at() {
    let f = Fake::start().await;
    let id = new_prospect(&f, "+5511000000121").await;
    let before = f.get(&format!("/prospect/{id}")).await;
    assert!(before.as_object().unwrap().contains_key("transferredAt"));
    assert!(before["transferredAt"].is_null(), "never transferred: null");

    let to_agent = f
        .ok(
            "POST",
            &format!("/prospect/{id}/transfer"),
            json!({"user": agent(3)}),
        )
        .await;
    assert_eq!(to_agent["groupId"], POS_VENDA, "agent 3 works in Pós-venda");
    let p = f.get(&format!("/prospect/{id}")).await;
    assert_eq!(p["agent"]["id"], agent(3));
    assert_eq!(p["agent"]["appFields"], json!({}));
    assert_eq!(p["groupId"], POS_VENDA);
    assert_eq!(p["group"], "Pós-venda");
    assert_eq!(p["initialGroupId"], VENDAS);
    assert_eq!(
        p["status"], "new",
        "an unclaimed prospect given to an agent"
    );
    assert!(p["transferredAt"].is_string() && p["assigned"].is_string());

    // As the integration's user, to a group only: it waits there unclaimed.
    let path = format!("/prospect/{id}/as-user/transfer");
    f.ok("POST", &path, json!({"group": VENDAS})).await;
    let p = f.get(&format!("/prospect/{id}")).await;
    assert!(
        p.get("agent").is_none() && p.get("assigned").is_none(),
        "{p}"
    );
    assert_eq!(p["status"], "unclaimed");
    assert_eq!(p["groupId"], VENDAS);

    // An unknown group, an inactive agent: 404. An agent outside the named group: 409. No
    // target at all: off the spec's `minProperties`, 400. None of them moves the prospect.
    for (body, status, code) in [
        (
            json!({"group": "65f0000000000000000000ff"}),
            404,
            "NOT_FOUND",
        ),
        (json!({"user": agent(7)}), 404, "NOT_FOUND"),
        (json!({"group": VENDAS, "user": agent(1)}), 409, "CONFLICT"),
        (json!({}), 400, "SCHEMA_VALIDATION_FAILED"),
        (json!({"group": null}), 400, "SCHEMA_VALIDATION_FAILED"),
    ] {
        let refused = f.refused("POST", &path, Some(body.clone()), status).await;
        assert_eq!(refused["code"], code, "{body}");
    }
    let p = f.get(&format!("/prospect/{id}")).await;
    assert_eq!(
        (&p["groupId"], &p["status"]),
        (&json!(VENDAS), &json!("unclaimed"))
    );
    assert!(p.get("agent").is_none(), "{p}");
    let missing = format!("/prospect/{MISSING}/transfer");
    f.refused("POST", &missing, Some(json!({"group": VENDAS})), 404)
        .await;

    // The generated client reads the free-form answer.
    let c = conversion_client(&f.sandbox);
    let body = types::Transfer {
        group: Some(POS_VENDA.to_owned()),
        user: None,
    };
    let answer = c
        .raw()
        .transfer_prospect()
        .prospect_id(id.as_str())
        .body(body)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(answer["groupId"], POS_VENDA);
}

#[tokio::test]
async fn prospect_updates_and_additional_data_persist() {
    let f = Fake::start().await;
    let id = new_prospect(&f, "+5511000000131").await;
    let path = format!("/prospect/{id}");
    let update =
        json!({"lastName": "Souza", "phone": "+5511000000132", "email": "rita@example.com"});
    f.ok("PATCH", &path, update).await;
    let p = f.get(&path).await;
    assert_eq!(p["lastName"], "Souza");
    assert_eq!(p["phones"], json!(["+5511000000131", "+5511000000132"]));
    assert_eq!(p["emails"], json!(["rita@example.com"]));
    let mediums: Vec<&str> = p["contactMediums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(mediums, ["phone", "phone", "email"]);
    for bad in [
        json!({"email": "not-an-email"}),
        json!({"firstName": 5}),
        json!({"phone": ""}),
    ] {
        let refused = f.refused("PATCH", &path, Some(bad), 400).await;
        assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    }
    let p = f.get(&path).await;
    assert_eq!(p["phones"], json!(["+5511000000131", "+5511000000132"]));
    assert_eq!(p["emails"], json!(["rita@example.com"]));

    let fields = f
        .get(&format!("/prospect/{id}/prospectAdditionalFields"))
        .await;
    let keys: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["score", "city", "birthdate", "finance"]);
    let data = format!("/prospect/{id}/additionalData");
    f.ok("PATCH", &data, json!({"score": 91, "city": "Recife"}))
        .await;
    assert_eq!(
        f.get(&path).await["additionalData"],
        json!({"score": 91, "city": "Recife"})
    );
    f.ok("PATCH", &data, json!({"city": null})).await;
    assert_eq!(f.get(&path).await["additionalData"], json!({"score": 91}));
    let refused = f
        .refused("PATCH", &data, Some(json!({"shoeSize": 42})), 404)
        .await;
    assert_eq!(refused["code"], "NOT_FOUND");
    assert!(refused["message"].as_str().unwrap().contains("shoeSize"));
    let refused = f.refused("PATCH", &data, Some(json!([42])), 400).await;
    assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    assert_eq!(f.get(&path).await["additionalData"], json!({"score": 91}));
    let found = f
        .get("/prospects?limit=5000&additionalData=score>=91&additionalData=score<92")
        .await;
    let found = found.as_array().unwrap();
    assert!(found.iter().any(|p| p["id"] == id.as_str()));
    assert!(found.iter().all(|p| p["additionalData"]["score"] == 91));
}

#[tokio::test]
async fn ratings_are_stored_on_the_prospect() {
    let f = Fake::start().await;
    let id = new_prospect(&f, "+5511000000141").await;
    let path = format!("/prospect/{id}/csat");
    let rating = f
        .ok("POST", &path, json!({"result": 4, "comment": "bom"}))
        .await;
    assert_eq!(rating["result"], 4.0);
    assert_eq!(rating["prospectId"], id.as_str());
    let p = f.get(&format!("/prospect/{id}")).await;
    assert_eq!(p["csat"]["result"], 4.0);
    assert_eq!(p["csat"]["comment"], "bom");
    f.refused("POST", &path, Some(json!({"comment": "no score"})), 400)
        .await;
    let missing = format!("/prospect/{MISSING}/csat");
    f.refused("POST", &missing, Some(json!({"result": 5})), 404)
        .await;
}

#[tokio::test]
async fn interaction_updates_persist_and_mark_it_updated() {
    let f = Fake::start().await;
    let id = new_prospect(&f, "+5511000000151").await;
    let list = format!("/prospect/{id}/interactions");
    let event = json!({"type": "message", "content": "Oi", "providerId": "wamid.1"});
    let created = f.ok("POST", &list, event).await;
    let message = &created[0];
    assert_eq!(message["via"], "whatsApp");
    assert_eq!(message["status"], "created");
    assert_eq!(message["output"]["message"]["performer"], "integration");
    assert_eq!(message["output"]["message"]["providerId"], "wamid.1");
    assert_eq!(message["output"]["message"]["sender"], "+5511000000151");
    assert!(message["output"]["message"]
        .as_object()
        .unwrap()
        .contains_key("templateConfig"));
    let one = format!(
        "/prospect/{id}/interaction/{}",
        message["id"].as_str().unwrap()
    );
    let update = json!({"type": "message", "status": "read", "delivered": true});
    assert_eq!(f.ok("PUT", &one, update).await["status"], "updated");
    let read = f.get(&one).await;
    assert_eq!(read["status"], "updated");
    assert_eq!(read["output"]["message"]["delivered"], true);
    assert_eq!(read["output"]["message"]["status"], "read");
    for bad in [
        json!({"type": "message", "status": "lost"}),
        json!({"type": "bogus"}),
    ] {
        let refused = f.refused("PUT", &one, Some(bad), 400).await;
        assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    }
    let refused = f
        .refused(
            "PUT",
            &one,
            Some(json!({"type": "question", "answer": "x"})),
            409,
        )
        .await;
    assert_eq!(refused["code"], "CONFLICT");
    assert_eq!(f.get(&one).await["output"]["message"]["status"], "read");
    // Every status of the spec's enum is taken and kept.
    for status in ["pending", "sent", "received", "failed", "deleted", "read"] {
        f.ok("PUT", &one, json!({"type": "message", "status": status}))
            .await;
        assert_eq!(f.get(&one).await["output"]["message"]["status"], status);
    }

    let question =
        json!({"type": "question", "question": "Tem garantia?", "threadTitle": "Hatch 2024"});
    let asked = f.ok("POST", &list, question).await;
    assert_eq!(asked[0]["output"]["status"], "opened");
    let q = format!(
        "/prospect/{id}/interaction/{}",
        asked[0]["id"].as_str().unwrap()
    );
    f.ok(
        "PUT",
        &q,
        json!({"type": "question", "answer": "Sim, 3 anos"}),
    )
    .await;
    let answered = f.get(&q).await;
    assert_eq!(answered["output"]["status"], "answered");
    assert_eq!(answered["output"]["response"], "Sim, 3 anos");
    let refused = f
        .refused(
            "PUT",
            &q,
            Some(json!({"type": "message", "status": "read"})),
            409,
        )
        .await;
    assert_eq!(refused["code"], "CONFLICT");
    assert_eq!(
        f.get(&q).await,
        answered,
        "a refused update changes nothing"
    );
    let updated = f.get(&format!("{list}?status=updated")).await;
    assert_eq!(updated.as_array().unwrap().len(), 2);
    let missing = format!("/prospect/{id}/interaction/{MISSING}");
    f.refused("PUT", &missing, Some(json!({"type": "message"})), 404)
        .await;
}
