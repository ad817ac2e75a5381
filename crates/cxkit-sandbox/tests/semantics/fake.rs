//! Plain JSON calls to the Conversion fake (most of its operations have no facade method),
//! and a webhook receiver that keeps what it gets.

use cxkit_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// The Conversion fake of a running sandbox, called with its key.
pub struct Fake {
    /// The running sandbox.
    pub sandbox: Sandbox,
    http: reqwest::Client,
}

impl Fake {
    /// The default sandbox.
    pub async fn start() -> Self {
        Self::start_with(SandboxConfig::default()).await
    }

    /// A sandbox with `config`.
    pub async fn start_with(config: SandboxConfig) -> Self {
        Self {
            sandbox: Sandbox::start_with(config).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    /// The URL of `path` (with its query) carrying the sandbox's key.
    pub fn url(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        let key = &self.sandbox.credentials().conversion_api_key;
        format!(
            "{}{path}{sep}api-key={key}",
            self.sandbox.conversion_base_url()
        )
    }

    /// Status and JSON body (`Null` when empty) of `method path` with an optional JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    /// The body of a `GET` that must succeed.
    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call("GET", path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// The body of a `method` with a JSON body that must succeed (`2xx`).
    pub async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(method, path, Some(body)).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {answer}"
        );
        answer
    }

    /// Asserts that `method path` is refused with `status` and the vendor's error shape.
    pub async fn refused(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let (got, answer) = self.call(method, path, body).await;
        assert_eq!(got, status, "{method} {path}: {answer}");
        assert_vendor_error(&answer);
        answer
    }

    /// The first seeded prospect (by id) that `pick` accepts.
    pub async fn prospect_where(&self, pick: impl Fn(&Value) -> bool) -> Value {
        let all = self.get("/prospects?limit=5000").await;
        let mut all = all.as_array().unwrap().clone();
        all.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        all.into_iter()
            .find(|p| pick(p))
            .expect("a seeded prospect fits")
    }
}

/// An id no object has.
pub const MISSING: &str = "000000000000000000000000";

/// The id of seeded agent `n`.
pub fn agent(n: u64) -> String {
    format!("65f0000000000000000b{n:04x}")
}

/// The `id`s of a JSON array.
pub fn ids(list: &Value) -> Vec<&str> {
    let items = list.as_array().unwrap();
    items.iter().map(|x| x["id"].as_str().unwrap()).collect()
}

/// A new prospect "Rita" (from a retail lead) with `phone`; its id.
pub async fn new_prospect(f: &Fake, phone: &str) -> String {
    let lead = json!({"utmSource": "site", "firstName": "Rita", "phones": [phone]});
    let p = f.ok("POST", "/lead/retail", lead).await;
    p["id"].as_str().unwrap().to_owned()
}

/// Status and JSON body (`Null` when empty).
pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {bytes:?}"))
    };
    (status, body)
}

/// `{code, message, summary}`, all strings.
pub fn assert_vendor_error(body: &Value) {
    for key in ["code", "message", "summary"] {
        assert!(
            body[key].is_string(),
            "not the vendor's error shape: {body}"
        );
    }
}

/// A webhook receiver on 127.0.0.1: its URL and the bodies it received.
pub async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
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

/// Waits (up to 4 s) until `seen` holds at least `n` bodies, and returns them.
pub async fn wait_for(seen: &Arc<Mutex<Vec<Value>>>, n: usize) -> Vec<Value> {
    for _ in 0..200 {
        if seen.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    seen.lock().unwrap().clone()
}
