//! Every kind of sandbox response, validated against the JSON Schemas in `specs/` with an
//! independent validator (the `jsonschema` crate), not only through the generated types.
//!
//! OpenAPI 3.0 schemas become JSON Schema draft 7: `#/components/schemas/X` references point
//! at `definitions`, `nullable: true` adds `null`, and `oneOf` is read as `anyOf` (the specs'
//! open enums are `oneOf [KnownX, string]`, where a known value matches both branches).

use cxkit_sandbox::Sandbox;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

fn spec(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../specs/{name}.yaml"));
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_value(yaml).unwrap()
}

fn convert(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                match k.as_str() {
                    "example" | "examples" | "discriminator" | "nullable" => {}
                    "oneOf" => {
                        out.insert("anyOf".into(), convert(v));
                    }
                    "$ref" => {
                        let target = v
                            .as_str()
                            .unwrap_or_default()
                            .replace("#/components/schemas/", "#/definitions/");
                        out.insert(k.clone(), Value::String(target));
                    }
                    _ => {
                        out.insert(k.clone(), convert(v));
                    }
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                return json!({"anyOf": [Value::Object(out), {"type": "null"}]});
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The response schema of `method path` for `status` (exact code, then `4XX`/`5XX`).
fn response_schema(spec: &Value, path: &str, method: &str, status: u16) -> Value {
    let responses = &spec["paths"][path][method]["responses"];
    let range = format!("{}XX", status / 100);
    let mut response = [status.to_string(), range]
        .iter()
        .map(|k| &responses[k.as_str()])
        .find(|r| !r.is_null())
        .unwrap_or_else(|| panic!("{method} {path} documents no {status}"))
        .clone();
    if let Some(reference) = response["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        response = spec["components"]["responses"][name].clone();
    }
    let mut schema = convert(&response["content"]["application/json"]["schema"]);
    schema["definitions"] = convert(&spec["components"]["schemas"]);
    schema["$schema"] = json!("http://json-schema.org/draft-07/schema#");
    schema
}

struct Checker {
    http: reqwest::Client,
    checked: usize,
}

impl Checker {
    /// Sends the request, expects `status`, validates the body against the spec.
    #[allow(clippy::too_many_arguments)]
    async fn check(
        &mut self,
        spec: &Value,
        template: &str,
        method: &str,
        url: String,
        header: Option<(&str, &str)>,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let mut request = self
            .http
            .request(method.to_uppercase().parse().unwrap(), &url);
        if let Some((k, v)) = header {
            request = request.header(k, v);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {url}");
        let value: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: not JSON: {e}"));
        let schema = response_schema(spec, template, method, status);
        let validator = jsonschema::draft7::new(&schema)
            .unwrap_or_else(|e| panic!("{method} {template}: bad schema: {e}"));
        let problems: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .take(5)
            .collect();
        assert!(
            problems.is_empty(),
            "{method} {template} ({status}) does not match the spec:\n{}",
            problems.join("\n")
        );
        self.checked += 1;
        value
    }
}

#[tokio::test]
async fn every_kind_of_sandbox_response_matches_the_specs() {
    let s = Sandbox::start().await.unwrap();
    let mut c = Checker {
        http: reqwest::Client::new(),
        checked: 0,
    };
    let creds = s.credentials().clone();

    // zchat
    let z = spec("zchat");
    let zb = s.zchat_base_url();
    let t = &creds.zchat_token;
    c.check(
        &z,
        "/reports",
        "get",
        format!("{zb}/reports?token={t}&data_type=agent"),
        None,
        None,
        200,
    )
    .await;
    let page = c
        .check(
            &z,
            "/history",
            "get",
            format!("{zb}/history?token={t}&limit=50&types=WHATSAPP,EMAIL"),
            None,
            None,
            200,
        )
        .await;
    c.check(
        &z,
        "/history/expanded",
        "get",
        format!("{zb}/history/expanded?token={t}&limit=50"),
        None,
        None,
        200,
    )
    .await;
    let id = page["data"][0]["id"].as_str().unwrap();
    c.check(
        &z,
        "/history/{id}/messages",
        "get",
        format!("{zb}/history/{id}/messages?token={t}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &z,
        "/ongoing",
        "get",
        format!("{zb}/ongoing?token={t}&limit=10"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &z,
        "/history",
        "get",
        format!("{zb}/history?token=wrong"),
        None,
        None,
        401,
    )
    .await;
    c.check(
        &z,
        "/history",
        "get",
        format!("{zb}/history?token={t}&timezone=BRT"),
        None,
        None,
        400,
    )
    .await;
    c.check(
        &z,
        "/history/{id}/messages",
        "get",
        format!("{zb}/history/nope/messages?token={t}"),
        None,
        None,
        404,
    )
    .await;

    // Converz
    let v = spec("converz");
    let vb = s.converz_base_url();
    let key = Some(("X-API-Key", creds.converz_api_key.as_str()));
    c.check(
        &v,
        "/reps",
        "get",
        format!("{vb}/reps?n_per_page=5"),
        key,
        None,
        200,
    )
    .await;
    c.check(
        &v,
        "/reps",
        "post",
        format!("{vb}/reps"),
        key,
        Some(json!({"rep_id": ["rep001"], "team": ["x"]})),
        200,
    )
    .await;
    c.check(
        &v,
        "/calls",
        "get",
        format!("{vb}/calls?n_per_page=20&metric=sentiment&campaign=sales"),
        key,
        None,
        200,
    )
    .await;
    c.check(
        &v,
        "/calls",
        "post",
        format!("{vb}/calls"),
        key,
        Some(json!([{"call_id": 1, "reviewed": true}])),
        200,
    )
    .await;
    c.check(
        &v,
        "/report",
        "get",
        format!("{vb}/report?groupby=date,campaign&metric=n_calls,avg_duration"),
        key,
        None,
        200,
    )
    .await;
    c.check(
        &v,
        "/calls",
        "get",
        format!("{vb}/calls"),
        Some(("X-API-Key", "wrong")),
        None,
        401,
    )
    .await;
    c.check(
        &v,
        "/calls",
        "get",
        format!("{vb}/calls?n_per_page=0"),
        key,
        None,
        400,
    )
    .await;
    c.check(
        &v,
        "/calls",
        "post",
        format!("{vb}/calls"),
        key,
        Some(json!({"call_id": [1], "x": [1, 2]})),
        400,
    )
    .await;

    // Conversion
    let k = spec("conversion");
    let kb = s.conversion_base_url();
    let a = format!("api-key={}", creds.conversion_api_key);
    let lead = json!({"utmSource": "site", "firstName": "Ana", "phones": ["+5511000000009"]});
    for kind in [
        "retail",
        "vehicle",
        "insurance",
        "saving-plan",
        "real-estate",
    ] {
        c.check(
            &k,
            &format!("/lead/{kind}"),
            "post",
            format!("{kb}/lead/{kind}?{a}"),
            None,
            Some(lead.clone()),
            200,
        )
        .await;
    }
    c.check(
        &k,
        "/lead/retail",
        "post",
        format!("{kb}/lead/retail?{a}"),
        None,
        Some(json!({"phones": ["+1"]})),
        400,
    )
    .await;
    c.check(
        &k,
        "/leads/categories",
        "get",
        format!("{kb}/leads/categories?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/leads/defaults",
        "get",
        format!("{kb}/leads/defaults?{a}"),
        None,
        None,
        200,
    )
    .await;
    let prospects = c
        .check(
            &k,
            "/prospects",
            "get",
            format!("{kb}/prospects?{a}&limit=5&additionalData[]=score>=10"),
            None,
            None,
            200,
        )
        .await;
    let pid = prospects[0]["id"].as_str().unwrap().to_owned();
    c.check(&k, "/prospects", "get", format!("{kb}/prospects?{a}&createdAfter=2024-01-01T00:00:00Z&createdBefore=2024-03-01T00:00:00Z"), None, None, 400).await;
    c.check(
        &k,
        "/prospects",
        "get",
        format!("{kb}/prospects?api-key=wrong"),
        None,
        None,
        401,
    )
    .await;
    c.check(
        &k,
        "/prospect/{prospectId}",
        "get",
        format!("{kb}/prospect/{pid}?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/prospect/{prospectId}",
        "get",
        format!("{kb}/prospect/000000000000000000000000?{a}"),
        None,
        None,
        404,
    )
    .await;
    c.check(
        &k,
        "/prospect/{prospectId}",
        "patch",
        format!("{kb}/prospect/{pid}?{a}"),
        None,
        Some(json!({"label": "vip", "email": "x@y.z"})),
        200,
    )
    .await;
    c.check(
        &k,
        "/prospect/{prospectId}/transfer",
        "post",
        format!("{kb}/prospect/{pid}/transfer?{a}"),
        None,
        Some(json!({"group": "65f000000000000000000a02"})),
        200,
    )
    .await;
    let created = c
        .check(
            &k,
            "/prospect/{prospectId}/interactions",
            "post",
            format!("{kb}/prospect/{pid}/interactions?{a}"),
            None,
            Some(json!({"type": "note", "content": "hi"})),
            200,
        )
        .await;
    let iid = created[0]["id"].as_str().unwrap().to_owned();
    c.check(
        &k,
        "/prospect/{prospectId}/interactions",
        "get",
        format!("{kb}/prospect/{pid}/interactions?{a}&via[]=other"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/prospect/{prospectId}/interaction/{interactionId}",
        "get",
        format!("{kb}/prospect/{pid}/interaction/{iid}?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/prospects/interactions",
        "get",
        format!("{kb}/prospects/interactions?{a}&limit=20"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/notifications/topics",
        "get",
        format!("{kb}/notifications/topics?{a}"),
        None,
        None,
        200,
    )
    .await;
    let sub = c
        .check(
            &k,
            "/notifications/subscriptions",
            "post",
            format!("{kb}/notifications/subscriptions?{a}"),
            None,
            Some(json!({"topics": ["prospects"], "callbackUrl": "http://127.0.0.1:9/hook"})),
            201,
        )
        .await;
    let sid = sub["id"].as_str().unwrap().to_owned();
    c.check(
        &k,
        "/notifications/subscriptions",
        "get",
        format!("{kb}/notifications/subscriptions?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/notifications/subscription/{subscriptionId}",
        "get",
        format!("{kb}/notifications/subscription/{sid}?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/notifications/subscription/{subscriptionId}",
        "delete",
        format!("{kb}/notifications/subscription/{sid}?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/notifications/subscriptions",
        "delete",
        format!("{kb}/notifications/subscriptions?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/agents",
        "get",
        format!("{kb}/agents?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/groups",
        "get",
        format!("{kb}/groups?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/group/{groupId}",
        "get",
        format!("{kb}/group/65f000000000000000000a01?{a}"),
        None,
        None,
        200,
    )
    .await;
    c.check(
        &k,
        "/prospect/{prospectId}",
        "delete",
        format!("{kb}/prospect/{pid}?{a}"),
        None,
        None,
        200,
    )
    .await;

    assert_eq!(c.checked, 45, "every check ran");
}

#[test]
fn the_validator_catches_a_response_that_breaks_the_spec() {
    let z = spec("zchat");
    let schema = response_schema(&z, "/history", "get", 200);
    let validator = jsonschema::draft7::new(&schema).unwrap();
    assert!(
        validator.is_valid(&json!({"success": true, "data": [{"id": "1", "media": "INSTAGRAM"}]}))
    );
    assert!(
        !validator.is_valid(&json!({"success": true, "data": [{"media": "WHATSAPP"}]})),
        "id is required"
    );
    assert!(
        !validator.is_valid(&json!({"success": true, "data": [{"id": 7}]})),
        "id is a string"
    );
    assert!(
        !validator.is_valid(&json!({"success": true})),
        "data is required"
    );
}
