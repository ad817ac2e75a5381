//! Two versions of a spec compared for the users of the generated client: every change to
//! operations, parameters, request and response schemas, enums, security and servers, each
//! classified as breaking, needing review, or compatible.

use crate::specs::resolve;
use cxkit_codegen::openapi::METHODS;
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};

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

    fn schema(&mut self, b: &Value, a: &Value, direction: Direction, at: &str, depth: usize) {
        if depth > DEPTH || (b.is_null() && a.is_null()) {
            return;
        }
        let (b, a) = (resolve(self.before, b), resolve(self.after, a));
        let breaking_if = |request: bool| {
            if request == (direction == Direction::Request) {
                Class::Breaking
            } else {
                Class::Compatible
            }
        };
        if kind(b) != kind(a) {
            self.push(
                Class::Breaking,
                format!("{at}: type {} → {}", kind(b), kind(a)),
            );
            return;
        }
        if b["format"] != a["format"] {
            self.push(
                Class::Breaking,
                format!(
                    "{at}: format {} → {}",
                    text(&b["format"]),
                    text(&a["format"])
                ),
            );
        }
        let (nb, na) = (nullable(b), nullable(a));
        if nb && !na {
            // A request value can no longer be null; a response value never is now.
            self.push(breaking_if(true), format!("{at}: no longer nullable"));
        } else if !nb && na {
            self.push(breaking_if(false), format!("{at}: now nullable"));
        }
        self.enums(b, a, direction, at);
        if b["pattern"] != a["pattern"] {
            self.push(Class::NeedsReview, format!("{at}: pattern changed"));
        }
        self.limits(b, a, direction, at);
        self.properties(b, a, direction, at, depth);
        if b["items"].is_mapping() || a["items"].is_mapping() {
            let items = if at.contains(':') {
                format!("{at}[]")
            } else {
                format!("{at}: []")
            };
            self.schema(&b["items"], &a["items"], direction, &items, depth + 1);
        }
        // An open enum's members were compared as one enum above.
        let open = is_open_enum(self.before, b) && is_open_enum(self.after, a);
        for key in ["allOf", "anyOf", "oneOf"]
            .into_iter()
            .filter(|k| !open || *k != "anyOf")
        {
            let (mb, ma) = (members(&b[key]), members(&a[key]));
            if mb.len() != ma.len() {
                self.push(
                    Class::NeedsReview,
                    format!("{at}: {key} has {} members, was {}", ma.len(), mb.len()),
                );
            }
            for (i, (x, y)) in mb.iter().zip(&ma).enumerate() {
                self.schema(x, y, direction, &format!("{at}<{key} {i}>"), depth + 1);
            }
        }
    }

    fn enums(&mut self, b: &Value, a: &Value, direction: Direction, at: &str) {
        let (Some(eb), Some(ea)) = (enum_values(self.before, b), enum_values(self.after, a)) else {
            return;
        };
        let open = is_open_enum(self.before, b) && is_open_enum(self.after, a);
        for v in eb.difference(&ea) {
            let class = if open {
                Class::NeedsReview
            } else {
                Class::Breaking
            };
            self.push(class, format!("{at}: enum value {v} removed"));
        }
        for v in ea.difference(&eb) {
            let class = match (open, direction) {
                (true, _) => Class::NeedsReview,
                (false, Direction::Request) => Class::Compatible,
                // An old client cannot decode a value its closed enum does not know.
                (false, Direction::Response) => Class::Breaking,
            };
            self.push(class, format!("{at}: enum value {v} added"));
        }
    }

    fn limits(&mut self, b: &Value, a: &Value, direction: Direction, at: &str) {
        for (key, upper) in [
            ("maximum", true),
            ("maxLength", true),
            ("maxItems", true),
            ("minimum", false),
            ("minLength", false),
            ("minItems", false),
        ] {
            let (x, y) = (b[key].as_f64(), a[key].as_f64());
            if x == y {
                continue;
            }
            let narrowed = match (x, y) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(x), Some(y)) => (y < x) == upper,
                (None, None) => continue,
            };
            let class = match (narrowed, direction) {
                (true, Direction::Request) => Class::Breaking,
                (false, Direction::Request) | (true, Direction::Response) => Class::Compatible,
                (false, Direction::Response) => Class::NeedsReview,
            };
            self.push(class, format!("{at}: {key} {} → {}", number(x), number(y)));
        }
    }

    fn properties(&mut self, b: &Value, a: &Value, direction: Direction, at: &str, depth: usize) {
        let names = |v: &Value| -> BTreeSet<String> {
            v["properties"]
                .as_mapping()
                .into_iter()
                .flatten()
                .map(|(k, _)| text(k))
                .collect()
        };
        let (before, after) = (names(b), names(a));
        let (rb, ra) = (required_names(b), required_names(a));
        let field = |name: &str| child(at, name);
        for name in before.difference(&after) {
            self.push(Class::Breaking, format!("{} removed", field(name)));
        }
        for name in after.difference(&before) {
            let class = if direction == Direction::Request && ra.contains(name) {
                Class::Breaking
            } else {
                Class::Compatible
            };
            let how = if ra.contains(name) {
                "required"
            } else {
                "optional"
            };
            self.push(class, format!("{} added, {how}", field(name)));
        }
        for name in before.intersection(&after) {
            let (was, is) = (rb.contains(name), ra.contains(name));
            if !was && is {
                let class = match direction {
                    Direction::Request => Class::Breaking,
                    Direction::Response => Class::Compatible,
                };
                self.push(class, format!("{} made required", field(name)));
            } else if was && !is {
                let class = match direction {
                    Direction::Request => Class::Compatible,
                    Direction::Response => Class::Breaking,
                };
                self.push(class, format!("{} made optional", field(name)));
            }
            let (pb, pa) = (
                &b["properties"][name.as_str()],
                &a["properties"][name.as_str()],
            );
            self.schema(pb, pa, direction, &child(at, name), depth + 1);
        }
        let closed = |v: &Value| v["additionalProperties"] == Value::Bool(false);
        if !closed(b) && closed(a) {
            let class = match direction {
                Direction::Request => Class::Breaking,
                Direction::Response => Class::NeedsReview,
            };
            self.push(class, format!("{at}: no longer accepts other fields"));
        }
    }
}

/// The location of field `name` inside `at` (`response 200: data`, then `…data.agent`).
fn child(at: &str, name: &str) -> String {
    if at.contains(':') {
        format!("{at}.{name}")
    } else {
        format!("{at}: {name}")
    }
}

/// The keys of a mapping (response codes, media types), as text.
fn keys(v: &Value) -> BTreeSet<String> {
    v.as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, _)| text(k))
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

fn number(v: Option<f64>) -> String {
    v.map_or("(none)".into(), |n| n.to_string())
}

fn required(v: &Value) -> bool {
    v["required"].as_bool().unwrap_or(false)
}

fn nullable(v: &Value) -> bool {
    v["nullable"].as_bool().unwrap_or(false)
}

fn required_names(v: &Value) -> BTreeSet<String> {
    v["required"]
        .as_sequence()
        .into_iter()
        .flatten()
        .map(text)
        .collect()
}

fn members(v: &Value) -> Vec<Value> {
    v.as_sequence().cloned().unwrap_or_default()
}

/// The declared type (`object` when only properties are given, `any` when nothing is).
fn kind(v: &Value) -> String {
    match v["type"].as_str() {
        Some(t) => t.to_owned(),
        None if v["properties"].is_mapping() => "object".into(),
        None => "any".into(),
    }
}

/// The enum values of a closed enum, or of an open one (`anyOf [ {enum}, {type: string} ]`).
fn enum_values(doc: &Value, v: &Value) -> Option<BTreeSet<String>> {
    if let Some(values) = v["enum"].as_sequence() {
        return Some(values.iter().map(text).collect());
    }
    members(&v["anyOf"])
        .iter()
        .map(|m| resolve(doc, m))
        .find_map(|m| m["enum"].as_sequence().cloned())
        .map(|values| values.iter().map(text).collect())
}

/// `anyOf` of an enum and a plain string: any text is accepted, known values are typed.
fn is_open_enum(doc: &Value, v: &Value) -> bool {
    let m = members(&v["anyOf"]);
    let m: Vec<&Value> = m.iter().map(|x| resolve(doc, x)).collect();
    m.iter().any(|x| x["enum"].is_sequence())
        && m.iter()
            .any(|x| x["type"] == "string" && !x["enum"].is_sequence())
}
