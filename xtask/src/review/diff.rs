//! Two versions of a spec compared for the users of the generated client: every change to
//! operations, parameters, request and response schemas, enums, security and servers, each
//! classified as breaking, needing review, or compatible.

mod schema;
mod values;

use crate::specs::resolve;
use cxkit_codegen::openapi::METHODS;
use serde_yaml::Value;
use std::collections::BTreeMap;
use values::*;

/// What a change means for users of the generated client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Code or traffic that worked before can fail.
    Breaking,
    /// Probably fine, but a person must decide (an open enum gains a value, a pattern changes).
    NeedsReview,
    /// Nothing that worked before stops working.
    Compatible,
}

impl Class {
    /// The word the report uses.
    pub fn label(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::NeedsReview => "needs review",
            Class::Compatible => "compatible",
        }
    }
}

/// One classified change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// The operation (`GET /history (list_history)`), or `spec` for spec-wide changes.
    pub scope: String,
    /// Its class.
    pub class: Class,
    /// What changed, and where (`response 200: data[].agent.name removed`).
    pub what: String,
}

/// Whose data a schema describes: the client sends requests and receives responses, so the
/// same edit can be safe in one and breaking in the other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

const DEPTH: usize = 16;

/// Every change from `before` to `after`, sorted by scope, class and description.
pub fn compare(before: &Value, after: &Value) -> Vec<Change> {
    let mut d = Diff {
        before,
        after,
        out: Vec::new(),
        scope: "spec".into(),
    };
    if before["servers"] != after["servers"] {
        d.push(
            Class::NeedsReview,
            "servers changed (the default base URL may move)".into(),
        );
    }
    if before["security"] != after["security"]
        || before["components"]["securitySchemes"] != after["components"]["securitySchemes"]
    {
        d.push(
            Class::Breaking,
            "security changed (how the credential is sent)".into(),
        );
    }
    let (old, new) = (operations(before), operations(after));
    for (key, op) in &old {
        d.scope = scope(key, op.op);
        match new.get(key) {
            None => d.push(Class::Breaking, "operation removed".into()),
            Some(now) => d.operation(op, now),
        }
    }
    for (key, op) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
        d.scope = scope(key, op.op);
        d.push(Class::Compatible, "operation added".into());
    }
    let mut out = d.out;
    out.sort();
    out.dedup();
    out
}

struct Operation<'a> {
    op: &'a Value,
    path_parameters: &'a Value,
}

fn operations(doc: &Value) -> BTreeMap<String, Operation<'_>> {
    let mut out = BTreeMap::new();
    if let Some(paths) = doc["paths"].as_mapping() {
        for (path, item) in paths {
            let path = path.as_str().unwrap_or_default();
            for method in &METHODS {
                let op = &item[*method];
                if op.is_mapping() {
                    out.insert(
                        format!("{} {path}", method.to_uppercase()),
                        Operation {
                            op,
                            path_parameters: &item["parameters"],
                        },
                    );
                }
            }
        }
    }
    out
}

fn scope(key: &str, op: &Value) -> String {
    match op["operationId"].as_str() {
        Some(id) => format!("{key} ({id})"),
        None => key.to_owned(),
    }
}

struct Diff<'a> {
    before: &'a Value,
    after: &'a Value,
    out: Vec<Change>,
    scope: String,
}

impl Diff<'_> {
    fn push(&mut self, class: Class, what: String) {
        self.out.push(Change {
            scope: self.scope.clone(),
            class,
            what,
        });
    }

    fn operation(&mut self, old: &Operation<'_>, new: &Operation<'_>) {
        let (b, a) = (old.op, new.op);
        if b["operationId"] != a["operationId"] {
            self.push(
                Class::Breaking,
                format!(
                    "operationId {} → {} (the generated method is renamed)",
                    text(&b["operationId"]),
                    text(&a["operationId"])
                ),
            );
        }
        if b["security"] != a["security"] {
            self.push(Class::Breaking, "security changed".into());
        }
        if b["summary"] != a["summary"] || b["description"] != a["description"] {
            self.push(Class::Compatible, "description changed".into());
        }
        self.parameters(old, new);
        self.request_body(&b["requestBody"], &a["requestBody"]);
        self.responses(&b["responses"], &a["responses"]);
    }

    fn parameters(&mut self, old: &Operation<'_>, new: &Operation<'_>) {
        let collect = |doc: &Value, op: &Operation<'_>| -> BTreeMap<(String, String), Value> {
            let mut out = BTreeMap::new();
            for list in [op.path_parameters, &op.op["parameters"]] {
                for p in list.as_sequence().into_iter().flatten() {
                    let p = resolve(doc, p);
                    let key = (text(&p["in"]), text(&p["name"]));
                    out.insert(key, p.clone());
                }
            }
            out
        };
        let (before, after) = (collect(self.before, old), collect(self.after, new));
        for ((place, name), b) in &before {
            let label = format!("{place} parameter `{name}`");
            match after.get(&(place.clone(), name.clone())) {
                None => self.push(Class::Breaking, format!("{label} removed")),
                Some(a) => {
                    let (was, is) = (required(b), required(a));
                    if !was && is {
                        self.push(Class::Breaking, format!("{label} made required"));
                    } else if was && !is {
                        self.push(Class::Compatible, format!("{label} made optional"));
                    }
                    if b["description"] != a["description"] {
                        self.push(Class::Compatible, format!("{label}: description changed"));
                    }
                    self.schema(&b["schema"], &a["schema"], Direction::Request, &label, 0);
                }
            }
        }
        for ((place, name), a) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
            let label = format!("{place} parameter `{name}`");
            if required(a) {
                self.push(Class::Breaking, format!("{label} added, required"));
            } else {
                self.push(Class::Compatible, format!("{label} added, optional"));
            }
        }
    }

    fn request_body(&mut self, b: &Value, a: &Value) {
        let (b, a) = (resolve(self.before, b), resolve(self.after, a));
        match (b.is_mapping(), a.is_mapping()) {
            (false, false) => {}
            (true, false) => self.push(Class::Breaking, "request body removed".into()),
            (false, true) if required(a) => {
                self.push(Class::Breaking, "request body added, required".into())
            }
            (false, true) => self.push(Class::Compatible, "request body added, optional".into()),
            (true, true) => {
                if !required(b) && required(a) {
                    self.push(Class::Breaking, "request body made required".into());
                }
                self.content(
                    &b["content"],
                    &a["content"],
                    Direction::Request,
                    "request body",
                );
            }
        }
    }

    fn responses(&mut self, b: &Value, a: &Value) {
        let (before, after) = (keys(b), keys(a));
        for code in &before {
            let label = format!("response {code}");
            if !after.contains(code) {
                self.push(Class::NeedsReview, format!("{label} no longer documented"));
                continue;
            }
            let rb = resolve(self.before, &b[code.as_str()]);
            let ra = resolve(self.after, &a[code.as_str()]);
            self.content(&rb["content"], &ra["content"], Direction::Response, &label);
        }
        for code in after.difference(&before) {
            self.push(Class::Compatible, format!("response {code} added"));
        }
    }

    fn content(&mut self, b: &Value, a: &Value, direction: Direction, label: &str) {
        let (before, after) = (keys(b), keys(a));
        for media in before.difference(&after) {
            self.push(
                Class::Breaking,
                format!("{label}: media type {media} removed"),
            );
        }
        for media in after.difference(&before) {
            let class = match direction {
                Direction::Request => Class::Compatible,
                Direction::Response => Class::NeedsReview,
            };
            self.push(class, format!("{label}: media type {media} added"));
        }
        for media in before.intersection(&after) {
            let (sb, sa) = (&b[media.as_str()]["schema"], &a[media.as_str()]["schema"]);
            self.schema(sb, sa, direction, label, 0);
        }
    }
}
