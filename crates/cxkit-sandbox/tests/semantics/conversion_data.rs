//! Conversion data: every change is delivered to webhooks with its topic and type, filters
//! are read by their wire names, and the seeded data follows the seed and real traffic.

use super::fake::{agent, ids, new_prospect, receiver, wait_for, Fake};
use cxkit_sandbox::SandboxConfig;
use serde_json::{json, Value};

#[tokio::test]
async fn every_change_is_delivered_with_its_topic_and_type() {
    let f = Fake::start().await;
    let (hook, seen) = receiver().await;
    let topics = json!({"topics": ["prospects", "interactions", "quotes"], "callbackUrl": hook});
    let old = f
        .ok("POST", "/notifications/subscriptions", topics.clone())
        .await;
    let sub = f.ok("POST", "/notifications/subscriptions", topics).await;
    assert_eq!(
        ids(&f.get("/notifications/subscriptions").await),
        [sub["id"].as_str().unwrap()],
        "one per group"
    );
    f.refused(
        "GET",
        &format!(
            "/notifications/subscription/{}",
            old["id"].as_str().unwrap()
        ),
        None,
        404,
    )
    .await;

    let id = new_prospect(&f, "+5511000000501").await;
    f.ok(
        "PATCH",
        &format!("/prospect/{id}"),
        json!({"lastName": "Lima"}),
    )
    .await;
    let note = f
        .ok(
            "POST",
            &format!("/prospect/{id}/interactions"),
            json!({"type": "message", "content": "oi"}),
        )
        .await;
    let iid = note[0]["id"].as_str().unwrap();
    f.ok(
        "PUT",
        &format!("/prospect/{id}/interaction/{iid}"),
        json!({"type": "message", "delivered": true}),
    )
    .await;
    let quote = f
        .ok(
            "POST",
            &format!("/prospect/{id}/quotes"),
            json!({"items": [{"quantity": 1}]}),
        )
        .await;
    let qid = quote["id"].as_str().unwrap();
    f.ok(
        "PUT",
        &format!("/prospect/{id}/quote/{qid}"),
        json!({"status": "accepted"}),
    )
    .await;

    let events = wait_for(&seen, 6).await;
    let got: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["topic"].as_str().unwrap(),
                e["type"].as_str().unwrap(),
                e["operationId"].as_str().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("prospects", "created", id.as_str()),
        ("prospects", "updated", id.as_str()),
        ("interactions", "created", iid),
        ("interactions", "updated", iid),
        ("quotes", "created", qid),
        ("quotes", "updated", qid),
    ];
    for e in expected {
        assert!(got.contains(&e), "{e:?} not in {got:?}");
    }
    assert_eq!(events.len(), 6, "nothing else, nothing twice");
    for e in &events {
        assert_eq!(e["subscriptionId"], sub["id"]);
        assert_eq!(e["attempts"], 1);
        assert_eq!(e["prospect"]["id"], id.as_str());
    }
    let delivered = events
        .iter()
        .find(|e| e["type"] == "updated" && e["topic"] == "interactions")
        .unwrap();
    assert_eq!(
        delivered["interaction"]["output"]["message"]["delivered"],
        true
    );
    let accepted = events
        .iter()
        .find(|e| e["type"] == "updated" && e["topic"] == "quotes")
        .unwrap();
    assert_eq!(accepted["quote"]["status"], "accepted");
}
#[tokio::test]
async fn filters_are_read_by_their_wire_names() {
    let f = Fake::start().await;
    let transferred = f
        .get("/prospects?limit=5000&transferredAfter=2023-01-01T00:00:00Z")
        .await;
    let transferred = transferred.as_array().unwrap();
    assert!(!transferred.is_empty() && transferred.iter().all(|p| p["transferredAt"].is_string()));
    let (from, to) = ("2024-03-01T00:00:00Z", "2024-03-10T00:00:00Z");
    let claimed = f
        .get(&format!(
            "/prospects?limit=5000&claimedAfter={from}&claimedBefore={to}"
        ))
        .await;
    let claimed = claimed.as_array().unwrap();
    assert!(!claimed.is_empty());
    assert!(claimed
        .iter()
        .all(|p| (from..to).contains(&p["assigned"].as_str().unwrap())));
    let recife = f
        .get("/prospects?limit=5000&additionalData=city~recife")
        .await;
    assert!(!recife.as_array().unwrap().is_empty());
    assert!(recife
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["additionalData"]["city"] == "Recife"));
    let free = f.get("/prospects?limit=5000&withAgent=false").await;
    assert!(!free.as_array().unwrap().is_empty());
    assert!(free
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p.get("agent").is_none()));
    let one = f
        .prospect_where(|p| p["phones"].as_array().is_some_and(|x| !x.is_empty()))
        .await;
    let phone = one["phones"][0].as_str().unwrap().replace('+', "%2B");
    assert_eq!(
        ids(&f
            .get(&format!("/prospects?limit=5000&phoneNumber={phone}"))
            .await),
        [one["id"].as_str().unwrap()]
    );
    let instagram = f
        .get("/prospects/interactions?limit=5000&via=instagram&via=facebook")
        .await;
    let instagram = instagram.as_array().unwrap();
    assert!(
        !instagram.is_empty()
            && instagram
                .iter()
                .all(|i| i["via"] == "instagram" || i["via"] == "facebook")
    );
    let mine = f
        .get(&format!(
            "/prospects/interactions?limit=5000&agent={}",
            agent(2)
        ))
        .await;
    assert!(!mine.as_array().unwrap().is_empty());
    assert!(mine
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["agentId"] == agent(2)));
}
#[tokio::test]
async fn seeded_data_follows_real_traffic_and_the_seed() {
    let f = Fake::start().await;
    let again = Fake::start().await;
    let other = Fake::start_with(SandboxConfig {
        seed: 2,
        ..SandboxConfig::default()
    })
    .await;
    let all = "/prospects?limit=5000";
    let prospects = f.get(all).await;
    assert_eq!(prospects, again.get(all).await, "same seed, same data");
    assert_ne!(prospects, other.get(all).await);
    let interactions = f.get("/prospects/interactions?limit=5000").await;
    assert_eq!(
        interactions,
        again.get("/prospects/interactions?limit=5000").await
    );
    let few = Fake::start_with(SandboxConfig {
        prospects: 40,
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(few.get(all).await.as_array().unwrap().len(), 40);

    let ps = prospects.as_array().unwrap();
    assert_eq!(ps.len(), 300);
    let count = |f: &dyn Fn(&Value) -> bool| ps.iter().filter(|p| f(p)).count();
    let absent = |p: &Value, k: &str| p.get(k).is_none();
    // Exact, for the default seed.
    assert_eq!(
        count(&|p| p["transferredAt"].is_null() && !absent(p, "transferredAt")),
        287
    );
    assert_eq!(count(&|p| p["transferredAt"].is_string()), 9);
    assert_eq!(count(&|p| absent(p, "label")), 290);
    assert_eq!(count(&|p| p["label"].is_string()), 9);
    assert_eq!(count(&|p| p["label"].is_null() && !absent(p, "label")), 1);
    assert_eq!(count(&|p| p["additionalData"] == json!({})), 221);
    assert!(count(&|p| absent(p, "lastName")) > 240);
    assert_eq!(count(&|p| p["additionalData"].is_object()), 300);
    for p in ps {
        for n in p["nin"].as_array().unwrap() {
            assert!(
                n["_id"].is_string() && n["type"].is_string() && absent(n, "number"),
                "{n}"
            );
        }
        for m in p["contactMediums"].as_array().unwrap() {
            let keys: Vec<&String> = m.as_object().unwrap().keys().collect();
            assert!(
                keys == ["_id", "type"] || keys == ["_id", "mediumId", "type"],
                "{keys:?}"
            );
        }
        if let Some(agent) = p.get("agent") {
            assert_eq!(agent["appFields"], json!({}));
        }
        assert!(p["created"].as_str().unwrap().ends_with('Z'));
        for lead in p["leads"].as_array().unwrap() {
            assert!(lead["source"].is_string() && lead["utmSource"].is_string());
        }
    }
    assert!(count(&|p| p["agent"].get("legacyId").is_some()) > 20);
    let leads: Vec<&Value> = ps
        .iter()
        .flat_map(|p| p["leads"].as_array().unwrap())
        .collect();
    assert!(
        leads
            .iter()
            .filter(|l| l["providerLeadId"].is_string())
            .count()
            * 10
            > leads.len() * 9
    );
    assert!(leads
        .iter()
        .any(|l| l["utmMedium"].is_string() && l["medium"] == l["utmMedium"]));
    assert!(leads
        .iter()
        .any(|l| l["utmCampaign"].is_string() && l["campaign"] == l["utmCampaign"]));

    let is = interactions.as_array().unwrap();
    assert!(!is.is_empty());
    assert!(is
        .iter()
        .all(|i| i["status"] == "created" || i["status"] == "updated"));
    assert!(is.iter().any(|i| i["status"] == "updated"));
    let messages: Vec<&Value> = is
        .iter()
        .filter_map(|i| i["output"].get("message"))
        .collect();
    assert!(messages.len() * 10 > is.len() * 7, "mostly messages");
    for m in &messages {
        for key in [
            "via",
            "body",
            "content",
            "performer",
            "delivered",
            "providerId",
            "sender",
            "recipient",
        ] {
            assert!(m.get(key).is_some(), "{key} missing in {m}");
        }
        assert!(
            m.as_object().unwrap().contains_key("templateConfig") && m["templateConfig"].is_null()
        );
    }
    let templated = messages
        .iter()
        .filter(|m| m["template"].is_string() && m["templateParameters"].is_object());
    assert!(templated.count() >= 2);
    let millis = |t: &str| t.len() == 24 && t.as_bytes()[19] == b'.';
    assert!(
        is.iter()
            .filter(|i| millis(i["createdAt"].as_str().unwrap()))
            .count()
            * 10
            > is.len() * 9
    );
}
