//! The Conversion contract: a successful response of every operation of
//! `specs/conversion.yaml` and the documented errors, each validated against the spec, and
//! every webhook delivery validated against `WebhookEvent`.

#[path = "conversion_account.rs"]
mod conversion_account;
#[path = "conversion_records.rs"]
mod conversion_records;

use super::{problems, spec, standalone, Checker, Payload};
use cxkit_sandbox::Sandbox;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Calls to the Conversion fake with the sandbox's key.
struct Api<'a> {
    c: &'a mut Checker,
    spec: Value,
    base: String,
    key: String,
}

impl Api<'_> {
    /// `method template` at `path` (concrete path and query, without the key).
    async fn call(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        payload: Payload,
        status: u16,
    ) -> Value {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = format!("{}{path}{sep}api-key={}", self.base, self.key);
        let spec = self.spec.clone();
        self.c
            .check(&spec, template, method, url, None, payload, status)
            .await
    }

    async fn get(&mut self, template: &str, path: &str, status: u16) -> Value {
        self.call("get", template, path, Payload::None, status)
            .await
    }

    async fn send(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        body: Value,
        status: u16,
    ) -> Value {
        self.call(method, template, path, Payload::Json(body), status)
            .await
    }

    /// A request without the `api-key` parameter.
    async fn anonymous(
        &mut self,
        method: &str,
        template: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let url = format!("{}{path}", self.base);
        let spec = self.spec.clone();
        let payload = body.map_or(Payload::None, Payload::Json);
        self.c
            .check(&spec, template, method, url, None, payload, status)
            .await
    }
}

/// A webhook receiver on 127.0.0.1 that keeps every body it gets.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

#[tokio::test]
async fn every_conversion_operation_answers_as_the_spec_says() {
    let s = Sandbox::start().await.unwrap();
    let mut checker = Checker::new();
    let k = spec("conversion");
    let mut api = Api {
        c: &mut checker,
        spec: k.clone(),
        base: s.conversion_base_url(),
        key: s.credentials().conversion_api_key.clone(),
    };
    let (hook, deliveries) = receiver().await;

    // Notifications first, so that the changes below are delivered.
    let topics = api
        .get("/notifications/topics", "/notifications/topics", 200)
        .await;
    assert_eq!(topics[0]["name"], "prospects");
    let body = json!({"topics": ["prospects", "interactions", "quotes"], "callbackUrl": hook});
    let sub = api
        .send(
            "post",
            "/notifications/subscriptions",
            "/notifications/subscriptions",
            body,
            201,
        )
        .await;
    let sid = sub["id"].as_str().unwrap().to_owned();
    let listed = api
        .get(
            "/notifications/subscriptions",
            "/notifications/subscriptions",
            200,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let one = api
        .get(
            "/notifications/subscription/{subscriptionId}",
            &format!("/notifications/subscription/{sid}"),
            200,
        )
        .await;
    assert_eq!(one["callbackUrl"], hook);

    let pid = conversion_records::leads_prospects_interactions_quotes(&mut api).await;
    conversion_account::as_user_messaging_directory_apps(&mut api, &pid).await;

    // Webhook deliveries (topics prospects, interactions and quotes).
    let event_schema = standalone(&k, &json!({"$ref": "#/components/schemas/WebhookEvent"}));
    for _ in 0..200 {
        if deliveries.lock().unwrap().len() >= 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered = deliveries.lock().unwrap().clone();
    for event in &delivered {
        let problems = problems(&event_schema, event);
        assert!(
            problems.is_empty(),
            "a delivery breaks WebhookEvent:\n{}",
            problems.join("\n")
        );
    }
    for topic in ["prospects", "interactions", "quotes"] {
        assert!(
            delivered.iter().any(|e| e["topic"] == topic),
            "{topic} delivered"
        );
    }

    let s1 = format!("/notifications/subscription/{sid}");
    api.call(
        "delete",
        "/notifications/subscription/{subscriptionId}",
        &s1,
        Payload::None,
        200,
    )
    .await;
    api.get("/notifications/subscription/{subscriptionId}", &s1, 404)
        .await;
    let cleared = api
        .call(
            "delete",
            "/notifications/subscriptions",
            "/notifications/subscriptions",
            Payload::None,
            200,
        )
        .await;
    assert_eq!(cleared["modified"], 0.0);
    let archived = api
        .send(
            "post",
            "/prospect/{prospectId}/as-user/archive",
            &format!("/prospect/{pid}/as-user/archive"),
            json!({"archivingReason": "converted"}),
            200,
        )
        .await;
    assert_eq!(archived["status"], "archived");
    let p = "/prospect/{prospectId}";
    api.call("delete", p, &format!("/prospect/{pid}"), Payload::None, 200)
        .await;
    api.get(p, &format!("/prospect/{pid}"), 404).await;

    // Every operation answered successfully at least once.
    let mut missing = Vec::new();
    for (path, item) in k["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str())
                && !checker.succeeded.contains(&(method.clone(), path.clone()))
            {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(missing.is_empty(), "operations never checked: {missing:?}");
    assert_eq!(checker.succeeded.len(), 59);
}
