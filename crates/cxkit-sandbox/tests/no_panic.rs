//! No input makes the sandbox panic or fail with a `5xx`, and every refusal comes in the
//! vendor's error shape: random path parameters, query
//! strings and bodies (JSON or not), with and without the credential, thrown at every
//! operation of the three specs. The router is called in-process, so a panicking handler fails
//! the property with the smallest input that caused it.

use axum::body::Body;
use axum::http::{Method, Request};
use cxkit_sandbox::{router, Credentials, SandboxConfig};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use tower::ServiceExt;

/// One operation of a spec, as the sandbox mounts it.
#[derive(Clone, Debug)]
struct Operation {
    method: Method,
    /// The full path template, with the vendor's prefix.
    path: String,
    query: Vec<String>,
    credential: Credential,
    error_shape: ErrorShape,
    /// The property names of its JSON request body, so random bodies reach the handler's
    /// typed fields (e.g. a lead's `priority` as a string).
    body_keys: Vec<String>,
}

/// The body each vendor answers a refused request with.
#[derive(Clone, Copy, Debug)]
enum ErrorShape {
    /// zchat: `{"success": false, "error": "…"}`.
    Zchat,
    /// Converz: `{"code": "…", "error": "…"}`.
    Converz,
    /// Conversion: `{"code": "…", "message": "…", "summary": "…"}`.
    Conversion,
}

impl ErrorShape {
    fn holds(self, body: &Value) -> bool {
        let text = |key: &str| body[key].is_string();
        match self {
            ErrorShape::Zchat => body["success"] == false && text("error"),
            ErrorShape::Converz => text("code") && text("error"),
            ErrorShape::Conversion => text("code") && text("message"),
        }
    }
}

/// Where an operation's credential goes.
#[derive(Clone, Debug)]
enum Credential {
    Query(&'static str, String),
    Header(&'static str, String),
}

fn operations() -> Vec<Operation> {
    let keys = Credentials::default();
    let vendors = [
        (
            zchat_api::SPEC_YAML,
            "/zchat",
            Credential::Query(zchat_api::wire::CREDENTIAL_NAME, keys.zchat_token),
            ErrorShape::Zchat,
        ),
        (
            converz_api::SPEC_YAML,
            "/converz/api/v1",
            Credential::Header(converz_api::wire::CREDENTIAL_NAME, keys.converz_api_key),
            ErrorShape::Converz,
        ),
        (
            conversion_api::SPEC_YAML,
            "/conversion/v1",
            Credential::Query(
                conversion_api::wire::CREDENTIAL_NAME,
                keys.conversion_api_key,
            ),
            ErrorShape::Conversion,
        ),
    ];
    let mut operations = Vec::new();
    for (spec, prefix, credential, error_shape) in vendors {
        let spec: Value = serde_yaml::from_str(spec).expect("the spec is YAML");
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("a path item") {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                if op.get("operationId").is_none() {
                    continue;
                }
                let query = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                let body_keys = op["requestBody"]["content"]["application/json"]["schema"]
                    .as_object()
                    .map(|schema| {
                        let mut keys = Vec::new();
                        property_names(&spec, &Value::Object(schema.clone()), 0, &mut keys);
                        keys
                    })
                    .unwrap_or_default();
                operations.push(Operation {
                    method,
                    path: format!("{prefix}{path}"),
                    query,
                    credential: credential.clone(),
                    error_shape,
                    body_keys,
                });
            }
        }
    }
    operations
}

/// The property names of `schema`, through `$ref`s and `allOf`/`oneOf`/`anyOf` branches.
fn property_names(spec: &Value, schema: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > 4 {
        return;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        property_names(spec, &spec["components"]["schemas"][name], depth + 1, out);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for branch in schema[key].as_array().into_iter().flatten() {
            property_names(spec, branch, depth + 1, out);
        }
    }
    if let Some(properties) = schema["properties"].as_object() {
        out.extend(properties.keys().cloned());
    }
    if let Some(items) = schema.get("items") {
        property_names(spec, items, depth + 1, out);
    }
}

/// Text that probes parsers: numbers at the edges, dates, lists, blanks, unicode, controls.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("1e309".to_owned()),
        Just("NaN".to_owned()),
        Just("2024-02-30T25:61:00Z".to_owned()),
        Just("2024-03-01T00:00:00-03:00".to_owned()),
        Just("a,b,,c".to_owned()),
        Just("000000000000000000000000".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-z0-9,:. -]{0,24}",
        any::<String>(),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z_]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A request body: none, JSON, arbitrary bytes, or an object over the operation's own
/// property names (picked when the request is built) with random values.
#[derive(Clone, Debug)]
enum RandomBody {
    None,
    Bytes(Vec<u8>),
    Shaped(Vec<(prop::sample::Index, Value)>),
}

fn body() -> impl Strategy<Value = RandomBody> {
    prop_oneof![
        1 => Just(RandomBody::None),
        2 => json().prop_map(|v| RandomBody::Bytes(v.to_string().into_bytes())),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(RandomBody::Bytes),
        4 => prop::collection::vec((any::<prop::sample::Index>(), json()), 0..10)
            .prop_map(RandomBody::Shaped),
    ]
}

/// A random request for one of `operations`: which one, path parameter values, values for its
/// query parameters (and a stray one), a body, and whether the credential is sent.
#[derive(Clone, Debug)]
struct Input {
    operation: usize,
    path_values: Vec<String>,
    query_values: Vec<Option<String>>,
    stray: Option<(String, String)>,
    body: RandomBody,
    authorised: bool,
}

fn input(operations: usize) -> impl Strategy<Value = Input> {
    (
        0..operations,
        prop::collection::vec(text(), 3),
        prop::collection::vec(prop::option::of(text()), 12),
        prop::option::of(("[a-z_]{1,10}", text())),
        body(),
        prop::bool::weighted(0.9),
    )
        .prop_map(
            |(operation, path_values, query_values, stray, body, authorised)| Input {
                operation,
                path_values,
                query_values,
                stray,
                body,
                authorised,
            },
        )
}

/// Percent-encodes everything but the unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn request(op: &Operation, input: &Input) -> Request<Body> {
    let mut values = input.path_values.iter().cycle();
    let path: String = op
        .path
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                let value = encode(values.next().expect("cycled"));
                // An empty segment would route elsewhere; the handler must see a bad id.
                if value.is_empty() {
                    "%20".to_owned()
                } else {
                    value
                }
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let mut pairs: Vec<(String, String)> = op
        .query
        .iter()
        .zip(&input.query_values)
        .filter_map(|(name, value)| value.as_ref().map(|v| (name.clone(), v.clone())))
        .collect();
    pairs.extend(input.stray.clone());
    let mut builder = Request::builder().method(op.method.clone());
    match (&op.credential, input.authorised) {
        (Credential::Query(name, value), true) => pairs.push(((*name).to_owned(), value.clone())),
        (Credential::Header(name, value), true) => builder = builder.header(*name, value),
        (_, false) => {}
    }
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let uri = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let builder = builder.uri(uri);
    let bytes = match &input.body {
        RandomBody::None => None,
        RandomBody::Bytes(bytes) => Some(bytes.clone()),
        RandomBody::Shaped(fields) if op.body_keys.is_empty() => {
            Some(Value::Object(Default::default()).to_string().into_bytes())
        }
        RandomBody::Shaped(fields) => {
            let object: serde_json::Map<String, Value> = fields
                .iter()
                .map(|(at, value)| (at.get(&op.body_keys).clone(), value.clone()))
                .collect();
            Some(Value::Object(object).to_string().into_bytes())
        }
    };
    match bytes {
        Some(bytes) => builder
            .header("content-type", "application/json")
            .body(Body::from(bytes)),
        None => builder.body(Body::empty()),
    }
    .expect("a well-formed request")
}

#[test]
fn no_input_makes_a_sandbox_route_panic_answer_5xx_or_leave_the_vendors_error_shape() {
    let operations = operations();
    assert!(
        operations.len() > 50,
        "every spec's operations: {}",
        operations.len()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(async {
        router(SandboxConfig {
            history_rows: 300,
            ongoing_rows: 20,
            reps: 10,
            calls: 300,
            prospects: 30,
            ..SandboxConfig::default()
        })
    });
    let mut runner = TestRunner::new(Config {
        cases: 3_000,
        // A failing case is kept (and committed) so every later run tries it first.
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "proptest-regressions/no_panic.txt",
            ),
        )),
        ..Config::default()
    });
    runner
        .run(&input(operations.len()), |input| {
            let op = &operations[input.operation];
            let request = request(op, &input);
            let described = format!("{} {}", request.method(), request.uri());
            let (status, body) = runtime.block_on(async {
                let response = app.clone().oneshot(request).await.expect("infallible");
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;
                (status, body.expect("a body that can be read"))
            });
            prop_assert!(!status.is_server_error(), "{described} answered {status}");
            if status.is_client_error() {
                let error: Value = serde_json::from_slice(&body).unwrap_or_default();
                prop_assert!(
                    op.error_shape.holds(&error),
                    "{described} answered {status} with {:?}, not the vendor's error shape",
                    String::from_utf8_lossy(&body)
                );
            }
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("{failure}"));
}
