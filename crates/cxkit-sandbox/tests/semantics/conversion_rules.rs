//! The Conversion fake's rules: each operation reads its key where the spec puts it, input the
//! spec refuses gets the vendor's 400 (never a panic) and input it takes is accepted, unknown
//! ids, routes and methods get the vendor's errors.

use super::conversion_client;
use super::fake::{agent, assert_vendor_error, ids, new_prospect, read, Fake, MISSING};
use serde_json::{json, Value};

#[tokio::test]
async fn each_operation_reads_its_key_where_the_spec_puts_it() {
    let f = Fake::start().await;
    let http = reqwest::Client::new();
    let base = f.sandbox.conversion_base_url();
    let key = f.sandbox.credentials().conversion_api_key.clone();
    for (query, expected) in [
        ("", 401),
        ("?api-key=wrong", 401),
        (&*format!("?api-key={key}"), 200),
    ] {
        let (status, body) = read(
            http.get(format!("{base}/checkCredentials{query}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, expected);
        if expected == 200 {
            assert!(body.is_null(), "no body");
        } else {
            assert_vendor_error(&body);
        }
    }
    let c = conversion_client(&f.sandbox);
    c.raw()
        .check_credentials()
        .api_key(key.as_str())
        .send()
        .await
        .unwrap();
    for path in [
        "/as-user/labels?api-key=wrong",
        "/industries",
        "/prospects/quotes?api-key=",
    ] {
        let (status, body) = read(http.get(format!("{base}{path}")).send().await.unwrap()).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(body["code"], "UNAUTHORIZED");
    }

    let id = new_prospect(&f, "+5511000000301").await;
    let event = |key: &str, body: Value| {
        let mut e = json!({"event": "visit", "type": "prospect", "data": {"apiKey": key, "details": {"store": "Centro"}}});
        e.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        e
    };
    let post = |body: Value| http.post(format!("{base}/apps/event")).json(&body).send();
    let (status, _) = read(
        post(event("wrong", json!({"prospectId": id})))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    let (status, body) = read(post(event(&key, json!({"prospectId": id}))).await.unwrap()).await;
    assert_eq!((status, body), (200, Value::Null));
    let timeline = f
        .get(&format!("/prospect/{id}/interactions?via=customApp"))
        .await;
    assert_eq!(timeline[0]["output"]["comment"], "visit");
    assert_eq!(timeline[0]["output"]["details"], json!({"store": "Centro"}));
    // Off the spec (a `type` outside its enum, no `event`): the vendor's schema 400.
    for bad in [
        event(&key, json!({"type": "visit", "prospectId": id})),
        json!({"type": "prospect", "prospectId": id, "data": {"apiKey": key}}),
    ] {
        let (status, body) = read(post(bad).await.unwrap()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["code"], "SCHEMA_VALIDATION_FAILED");
    }
    // Schema-valid but about nobody (a prospect or quote event without `prospectId`, a user
    // event without `userId`): accepted, and nothing lands on any timeline.
    for about_nobody in [json!({}), json!({"type": "quote"}), json!({"type": "user"})] {
        let (status, body) = read(post(event(&key, about_nobody)).await.unwrap()).await;
        assert_eq!((status, body), (200, Value::Null));
    }
    let all = f.get(&format!("/prospect/{id}/interactions")).await;
    assert_eq!(ids(&all), ids(&timeline), "no side effect");
    assert_eq!(
        read(
            post(event(&key, json!({"prospectId": MISSING})))
                .await
                .unwrap()
        )
        .await
        .0,
        404
    );
    let about_user = json!({"type": "user", "userId": agent(2)});
    assert_eq!(
        read(post(event(&key, about_user)).await.unwrap()).await.0,
        200
    );
    let unknown_user = json!({"type": "user", "userId": MISSING});
    assert_eq!(
        read(post(event(&key, unknown_user)).await.unwrap()).await.0,
        404
    );

    let note = |target: Value, platforms: Value| json!({"type": "reminder", "target": target, "platforms": platforms});
    let android = json!({"android": {"title": "Oi", "body": "Novo lead"}});
    let refused = f
        .refused(
            "POST",
            "/apps/notifications",
            Some(note(json!({"user": [MISSING]}), android.clone())),
            404,
        )
        .await;
    assert_eq!(refused["code"], "NOT_FOUND");
    assert!(refused["message"].as_str().unwrap().contains(MISSING));
    // Off the spec: a role outside its enum, no `platforms`, `platforms: null`.
    for bad in [
        note(json!({"role": ["nobody"]}), android.clone()),
        json!({"type": "reminder", "target": {"role": ["agent"]}}),
        note(json!({"role": ["agent"]}), Value::Null),
    ] {
        let refused = f
            .refused("POST", "/apps/notifications", Some(bad), 400)
            .await;
        assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    }
    // The spec requires neither a target user or role nor a platform: accepted.
    for (target, platforms) in [
        (json!({}), android.clone()),
        (json!({"role": ["agent"]}), json!({})),
    ] {
        let (status, body) = f
            .call("POST", "/apps/notifications", Some(note(target, platforms)))
            .await;
        assert_eq!((status, body), (200, Value::Null));
    }
    let (status, body) = f
        .call(
            "POST",
            "/apps/notifications",
            Some(note(
                json!({"user": [agent(1)], "role": ["owner"]}),
                android,
            )),
        )
        .await;
    assert_eq!((status, body), (200, Value::Null));
}
#[tokio::test]
async fn bad_input_gets_the_vendor_400_never_a_panic() {
    let f = Fake::start().await;
    let high = json!({"utmSource": "site", "phones": ["+5511000000401"], "priority": "high"});
    for kind in [
        "retail",
        "vehicle",
        "insurance",
        "saving-plan",
        "real-estate",
    ] {
        let refused = f
            .refused("POST", &format!("/lead/{kind}"), Some(high.clone()), 400)
            .await;
        assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED");
    }
    for lead in [
        json!({"phones": ["+5511000000402"]}),
        json!({"utmSource": "", "phones": ["+5511000000402"]}),
        json!({"utmSource": null, "phones": ["+5511000000402"]}),
        json!({"utmSource": "site", "emails": ["not-an-email"]}),
        json!({"utmSource": "site", "phones": null}),
        json!([1, 2]),
    ] {
        let refused = f
            .refused("POST", "/lead/retail", Some(lead.clone()), 400)
            .await;
        assert_eq!(refused["code"], "SCHEMA_VALIDATION_FAILED", "{lead}");
    }
    // What the spec takes, the fake takes: a `utmSource` of spaces (only an empty one is
    // off its minLength), a lead without phone or e-mail, a category the account lacks.
    let spaces = f
        .ok(
            "POST",
            "/lead/retail",
            json!({"utmSource": " ", "phones": ["+5511000000402"]}),
        )
        .await;
    assert_eq!(spaces["merged"], false);
    assert_eq!(spaces["phones"], json!(["+5511000000402"]));
    assert_eq!(spaces["leads"][0]["utmSource"], " ");
    let no_contact = f
        .ok("POST", "/lead/retail", json!({"utmSource": "site"}))
        .await;
    assert_eq!(no_contact["merged"], false);
    let stored = f
        .get(&format!("/prospect/{}", no_contact["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (
            &stored["phones"],
            &stored["emails"],
            &stored["contactMediums"]
        ),
        (&json!([]), &json!([]), &json!([]))
    );
    assert_eq!(stored["leads"][0]["utmSource"], "site");
    let boats = f
        .ok(
            "POST",
            "/lead/retail",
            json!({"utmSource": "site", "phones": ["+5511000000404"], "category": "boats"}),
        )
        .await;
    assert_eq!(boats["merged"], false);
    let stored = f
        .get(&format!("/prospect/{}", boats["id"].as_str().unwrap()))
        .await;
    assert_eq!(stored["phones"], json!(["+5511000000404"]));
    assert_eq!(stored["category"], "boats");
    let url = f.url("/lead/retail");
    let http = reqwest::Client::new();
    for (content_type, body) in [
        ("application/json", "{"),
        ("text/plain", r#"{"utmSource":"x"}"#),
        ("application/json", ""),
    ] {
        let request = http
            .post(&url)
            .header("content-type", content_type)
            .body(body);
        let (status, answer) = read(request.send().await.unwrap()).await;
        assert_eq!(status, 400, "{content_type} {body}");
        assert_vendor_error(&answer);
    }
    let (status, answer) = read(http.post(&url).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_vendor_error(&answer);
    for query in [
        "limit=0",
        "limit=5001",
        "limit=many",
        "createdAfter=yesterday",
        "before=xyz",
        "withAgent=maybe",
        "additionalData=score",
        "agent=AGENT",
        "group=1",
    ] {
        f.refused("GET", &format!("/prospects?{query}"), None, 400)
            .await;
    }
    f.refused("GET", "/prospects/interactions?limit=5001", None, 400)
        .await;
    f.refused("GET", "/prospects/quotes?after=nope", None, 400)
        .await;
    let subscribe = "/notifications/subscriptions";
    f.refused(
        "POST",
        subscribe,
        Some(json!({"topics": ["prospects"], "callbackUrl": "not a url"})),
        400,
    )
    .await;
    f.refused(
        "POST",
        subscribe,
        Some(json!({"topics": [], "callbackUrl": "https://h.example/x"})),
        400,
    )
    .await;
    let id = new_prospect(&f, "+5511000000403").await;
    f.refused(
        "POST",
        &format!("/prospect/{id}/interactions"),
        Some(json!({"type": "fax"})),
        400,
    )
    .await;
    // Still serving, nothing poisoned: the 300 seeded, the three accepted leads and Rita.
    assert_eq!(
        f.get("/prospects?limit=5000")
            .await
            .as_array()
            .unwrap()
            .len(),
        304
    );
}
#[tokio::test]
async fn unknown_ids_routes_and_methods_get_the_vendor_errors() {
    let f = Fake::start().await;
    for path in [
        format!("/prospect/{MISSING}"),
        format!("/prospect/{MISSING}/interactions"),
        format!("/prospect/{MISSING}/quotes"),
        format!("/prospect/{MISSING}/orders"),
        format!("/prospect/{MISSING}/messaging/channels"),
        format!("/prospect/{MISSING}/prospectAdditionalFields"),
        format!("/notifications/subscription/{MISSING}"),
        format!("/group/{MISSING}/agents/online"),
        "/nowhere".to_owned(),
    ] {
        f.refused("GET", &path, None, 404).await;
    }
    // Live answers this one with an empty body; the spec documents the vendor's JSON error.
    let refused = f
        .refused(
            "POST",
            &format!("/prospect/{MISSING}/interactions"),
            Some(json!({"type": "note"})),
            404,
        )
        .await;
    assert_eq!(refused["code"], "NOT_FOUND");
    assert!(refused["message"].as_str().unwrap().contains(MISSING));
    f.refused("PUT", "/prospects", None, 405).await;
}
