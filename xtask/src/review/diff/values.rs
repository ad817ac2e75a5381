//! Small readings of spec values the comparison shares: names, texts, numbers, requiredness,
//! enum members.

use crate::specs::resolve;
use serde_yaml::Value;
use std::collections::BTreeSet;

/// The location of field `name` inside `at` (`response 200: data`, then `…data.agent`).
pub(super) fn child(at: &str, name: &str) -> String {
    if at.contains(':') {
        format!("{at}.{name}")
    } else {
        format!("{at}: {name}")
    }
}

/// The keys of a mapping (response codes, media types), as text.
pub(super) fn keys(v: &Value) -> BTreeSet<String> {
    v.as_mapping()
        .into_iter()
        .flatten()
        .map(|(k, _)| text(k))
        .collect()
}

pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_owned(),
    }
}

pub(super) fn number(v: Option<f64>) -> String {
    v.map_or("(none)".into(), |n| n.to_string())
}

pub(super) fn required(v: &Value) -> bool {
    v["required"].as_bool().unwrap_or(false)
}

pub(super) fn nullable(v: &Value) -> bool {
    v["nullable"].as_bool().unwrap_or(false)
}

pub(super) fn required_names(v: &Value) -> BTreeSet<String> {
    v["required"]
        .as_sequence()
        .into_iter()
        .flatten()
        .map(text)
        .collect()
}

pub(super) fn members(v: &Value) -> Vec<Value> {
    v.as_sequence().cloned().unwrap_or_default()
}

/// The declared type (`object` when only properties are given, `any` when nothing is).
pub(super) fn kind(v: &Value) -> String {
    match v["type"].as_str() {
        Some(t) => t.to_owned(),
        None if v["properties"].is_mapping() => "object".into(),
        None => "any".into(),
    }
}

/// The enum values of a closed enum, or of an open one (`anyOf [ {enum}, {type: string} ]`).
pub(super) fn enum_values(doc: &Value, v: &Value) -> Option<BTreeSet<String>> {
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
pub(super) fn is_open_enum(doc: &Value, v: &Value) -> bool {
    let m = members(&v["anyOf"]);
    let m: Vec<&Value> = m.iter().map(|x| resolve(doc, x)).collect();
    m.iter().any(|x| x["enum"].is_sequence())
        && m.iter()
            .any(|x| x["type"] == "string" && !x["enum"].is_sequence())
}
