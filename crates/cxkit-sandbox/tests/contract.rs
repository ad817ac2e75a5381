//! Every kind of sandbox response, validated against the JSON Schemas in `specs/` with an
//! independent validator (the `jsonschema` crate), not only through the generated types.
//!
//! OpenAPI 3.0.3 schemas become JSON Schema draft 7 faithfully and strictly:
//! `#/components/schemas/X` references point at `definitions`; `nullable: true` adds `null`
//! to the `type` of its own schema and does nothing where no `type` is given (3.0.3's rule);
//! `oneOf` stays `oneOf` (exactly one branch must match); formats (`date-time`, `email`) are
//! checked. Every Conversion operation must be covered by at least one successful response
//! (see `contract/conversion.rs`).

#[path = "contract/conversion.rs"]
mod conversion;

/// The same OpenAPI 3.0.3 → draft-7 conversion the sandbox checks request bodies with (its
/// rules are pinned by `nullable_and_one_of_follow_openapi_3_0_3` below).
use cxkit_sandbox::contract::convert;
use cxkit_sandbox::Sandbox;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn spec(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../specs/{name}.yaml"));
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_value(yaml).unwrap()
}

/// Every schema of `components.schemas`, converted.
fn definitions(spec: &Value) -> Value {
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    Value::Object(
        schemas
            .iter()
            .map(|(name, s)| (name.clone(), convert(s)))
            .collect(),
    )
}

/// A draft-7 schema for `schema` (an OpenAPI schema of `spec`), with the spec's definitions.
fn standalone(spec: &Value, schema: &Value) -> Value {
    let mut schema = convert(schema);
    schema["definitions"] = definitions(spec);
    schema["$schema"] = json!("http://json-schema.org/draft-07/schema#");
    schema
}

/// The documented response of `method path` for `status` (exact code, then `4XX`/`5XX`).
fn response(spec: &Value, path: &str, method: &str, status: u16) -> Value {
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
    response
}

/// The JSON Schema of the response body, or `None` when the response has no content.
fn response_schema(spec: &Value, path: &str, method: &str, status: u16) -> Option<Value> {
    let response = response(spec, path, method, status);
    let schema = &response["content"]["application/json"]["schema"];
    (!schema.is_null()).then(|| standalone(spec, schema))
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("bad schema: {e}"))
}

/// The problems `value` has against `schema` (empty when it is valid).
fn problems(schema: &Value, value: &Value) -> Vec<String> {
    validator(schema)
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .take(5)
        .collect()
}

/// What a request sends.
enum Payload {
    None,
    Json(Value),
    Multipart(reqwest::multipart::Form),
}

/// Sends requests and validates each answer against the spec; remembers which operations
/// (method + path template) answered successfully.
struct Checker {
    http: reqwest::Client,
    checked: usize,
    succeeded: BTreeSet<(String, String)>,
}

impl Checker {
    fn new() -> Self {
        Self {
            http: reqwest::Client::new(),
            checked: 0,
            succeeded: BTreeSet::new(),
        }
    }

    /// Sends the request, expects `status`, validates the body against the spec (a response
    /// without content must come without a body) and returns it (`Null` when empty).
    #[allow(clippy::too_many_arguments)]
    async fn check(
        &mut self,
        spec: &Value,
        template: &str,
        method: &str,
        url: String,
        header: Option<(&str, &str)>,
        payload: Payload,
        status: u16,
    ) -> Value {
        let mut request = self
            .http
            .request(method.to_uppercase().parse().unwrap(), &url);
        if let Some((k, v)) = header {
            request = request.header(k, v);
        }
        request = match payload {
            Payload::None => request,
            Payload::Json(body) => request.json(&body),
            Payload::Multipart(form) => request.multipart(form),
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {url}");
        let bytes = response.bytes().await.unwrap();
        let value = match response_schema(spec, template, method, status) {
            None => {
                assert!(bytes.is_empty(), "{method} {template}: no body documented");
                Value::Null
            }
            Some(schema) => {
                let value: Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("{method} {url}: not JSON: {e}"));
                let problems = problems(&schema, &value);
                assert!(
                    problems.is_empty(),
                    "{method} {template} ({status}) does not match the spec:\n{}",
                    problems.join("\n")
                );
                value
            }
        };
        self.checked += 1;
        if status < 300 {
            self.succeeded
                .insert((method.to_owned(), template.to_owned()));
        }
        value
    }
}

#[tokio::test]
async fn every_kind_of_zchat_and_converz_response_matches_the_specs() {
    let s = Sandbox::start().await.unwrap();
    let mut c = Checker::new();
    let creds = s.credentials().clone();

    let z = spec("zchat");
    let zb = s.zchat_base_url();
    let t = &creds.zchat_token;
    let zchat = [
        (
            "/reports",
            format!("reports?token={t}&data_type=agent"),
            200,
        ),
        (
            "/history",
            format!("history?token={t}&limit=50&types=WHATSAPP,EMAIL"),
            200,
        ),
        (
            "/history/expanded",
            format!("history/expanded?token={t}&limit=50"),
            200,
        ),
        ("/ongoing", format!("ongoing?token={t}&limit=10"), 200),
        ("/history", "history?token=wrong".to_owned(), 401),
        ("/history", format!("history?token={t}&timezone=BRT"), 400),
        (
            "/history/{id}/messages",
            format!("history/nope/messages?token={t}"),
            404,
        ),
    ];
    for (template, path, status) in zchat {
        let url = format!("{zb}/{path}");
        c.check(&z, template, "get", url, None, Payload::None, status)
            .await;
    }
    let page = c
        .check(
            &z,
            "/history",
            "get",
            format!("{zb}/history?token={t}&limit=5"),
            None,
            Payload::None,
            200,
        )
        .await;
    let id = page["data"][0]["id"].as_str().unwrap();
    let url = format!("{zb}/history/{id}/messages?token={t}");
    let messages = c
        .check(
            &z,
            "/history/{id}/messages",
            "get",
            url,
            None,
            Payload::None,
            200,
        )
        .await;
    assert_eq!(messages["data"].as_array().unwrap().len(), 5);

    let v = spec("converz");
    let vb = s.converz_base_url();
    let key = Some(("X-API-Key", creds.converz_api_key.as_str()));
    let converz = [
        ("/reps", "get", "reps?n_per_page=5", None, 200),
        (
            "/reps",
            "post",
            "reps",
            Some(json!({"rep_id": ["rep001"], "team": ["x"]})),
            200,
        ),
        (
            "/calls",
            "get",
            "calls?n_per_page=20&metric=sentiment&campaign=sales",
            None,
            200,
        ),
        (
            "/calls",
            "post",
            "calls",
            Some(json!([{"call_id": 1, "reviewed": true}])),
            200,
        ),
        (
            "/report",
            "get",
            "report?groupby=date,campaign&metric=n_calls,avg_duration",
            None,
            200,
        ),
        ("/calls", "get", "calls?n_per_page=0", None, 400),
        (
            "/calls",
            "post",
            "calls",
            Some(json!({"call_id": ["not an id"], "x": [1]})),
            400,
        ),
    ];
    for (template, method, path, body, status) in converz {
        let payload = body.map_or(Payload::None, Payload::Json);
        let url = format!("{vb}/{path}");
        c.check(&v, template, method, url, key, payload, status)
            .await;
    }
    let wrong = Some(("X-API-Key", "wrong"));
    let url = format!("{vb}/calls");
    c.check(&v, "/calls", "get", url, wrong, Payload::None, 401)
        .await;
    assert_eq!(c.checked, 17, "every check ran");
}

#[test]
fn the_validator_catches_a_response_that_breaks_the_spec() {
    let z = spec("zchat");
    let schema = response_schema(&z, "/history", "get", 200).unwrap();
    let ok = |v: Value| problems(&schema, &v).is_empty();
    assert!(ok(
        json!({"success": true, "data": [{"id": "1", "media": "INSTAGRAM"}]})
    ));
    assert!(
        !ok(json!({"success": true, "data": [{"media": "WHATSAPP"}]})),
        "id is required"
    );
    assert!(
        !ok(json!({"success": true, "data": [{"id": 7}]})),
        "id is a string"
    );
    assert!(!ok(json!({"success": true})), "data is required");
}

#[test]
fn nullable_and_one_of_follow_openapi_3_0_3() {
    let k = spec("conversion");
    let prospect = standalone(&k, &json!({"$ref": "#/components/schemas/Prospect"}));
    let base = json!({"id": "65f000000000000000000001", "created": "2024-03-01T10:00:00.000Z",
        "account": "A", "accountId": "1", "group": "G", "groupId": "2", "status": "new", "leads": []});
    let with = |key: &str, v: Value| {
        let mut p = base.clone();
        p[key] = v;
        problems(&prospect, &p)
    };
    assert!(
        with("transferredAt", Value::Null).is_empty(),
        "nullable with a type"
    );
    assert!(
        !with("transferredAt", json!("yesterday")).is_empty(),
        "date-time format"
    );
    assert!(
        with("agent", Value::Null).is_empty(),
        "the null branch of oneOf"
    );
    assert!(!with("status", Value::Null).is_empty(), "allOf: no null");
    assert!(!with("leads", Value::Null).is_empty(), "not nullable");
    // `nullable` without `type` adds nothing (3.0.3).
    let bare = convert(&json!({"nullable": true, "allOf": [{"type": "string"}]}));
    assert!(!validator(&bare).is_valid(&Value::Null));
    // `oneOf` is exclusive: a value matching both branches is refused.
    let both = convert(&json!({"oneOf": [{"type": "string"}, {"type": "string", "minLength": 1}]}));
    assert!(!validator(&both).is_valid(&json!("x")));
    assert!(validator(&both).is_valid(&json!("")));
}
