//! Open members without a `serde_json::Value` tree.
//!
//! Every schema the specs leave open (`additionalProperties`) keeps the members it does not
//! name in an `extra` field. Decoding those into `Value` trees made a typed row cost what a
//! `Value` costs (an allocation per name, per string, per map node). An [`OpenMap`] instead
//! copies each open member's name and JSON text, as sent, into one buffer and records where
//! they lie: two allocations per object, and values decoded only when asked ([`OpenValue`]).
//! Re-encoding writes each value's text as sent, so a typed row goes back out with the
//! vendor's spellings (`2024-02-24T08:23:11.000Z`, `4.50`, `"\u00e9"`, integers past `u64`).
//! [`OpenJson`] does the same for one value the spec leaves open (`{}`: any JSON).
//!
//! The generated types decode through [`split`]: codegen gives every open struct a
//! `Deserialize` that reads its named members into a private struct derived like the public
//! one, and the rest into its `OpenMap`, in one pass (see `cxkit_codegen::open_rows`).

mod decode;
mod json;
mod token;
mod value;

pub use decode::split;
pub use json::OpenJson;
pub use value::OpenValue;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::fmt;

/// The open members of an object, kept as the JSON text they were sent as.
///
/// Reads like a map of names to [`OpenValue`]s, in the order the members were sent. A name
/// sent twice reads as its last value, as with `serde_json::Map`, and is kept twice (counted,
/// iterated and written back twice: nothing sent is dropped). Built from a `Map` or with
/// [`insert`](Self::insert) when you write rows yourself; `insert` replaces every member of
/// its name.
///
/// ```
/// use cxkit_runtime::OpenMap;
///
/// let extra: OpenMap = serde_json::from_str(
///     r#"{"campaign": "sales", "duration": 40, "csat": {"result": 5}}"#,
/// )?;
/// assert_eq!(extra.len(), 3);
/// assert_eq!(extra.get("campaign").unwrap(), "sales");
/// let seconds: u64 = extra.get("duration").unwrap().parse()?;
/// assert_eq!(seconds, 40);
/// assert_eq!(extra.get("csat").unwrap().to_value()["result"], 5);
/// let names: Vec<&str> = extra.keys().collect();
/// assert_eq!(names, ["campaign", "duration", "csat"]);
///
/// let mut extra = extra;
/// extra.insert("team", serde_json::json!("blue"));
/// extra.remove("csat");
/// assert_eq!(
///     serde_json::to_string(&extra)?,
///     r#"{"campaign":"sales","duration":40,"team":"blue"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct OpenMap {
    /// The members' names (unescaped) and values (JSON text as sent), one after another, then
    /// what was inserted since (a removed member's text stays until the map is dropped).
    text: String,
    members: Vec<Member>,
}

/// Where one member's name (unescaped) and value (JSON text) lie in `OpenMap::text`.
#[derive(Clone, Copy)]
struct Member {
    name: Span,
    value: Span,
}

#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

impl OpenMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many members the map holds.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the map holds no member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<OpenValue<'_>> {
        self.position(name)
            .map(|at| OpenValue::new(self.slice(self.members[at].value)))
    }

    /// Whether the map has a member `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The members, in the order they were sent or inserted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, OpenValue<'_>)> + '_ {
        self.members
            .iter()
            .map(|m| (self.slice(m.name), OpenValue::new(self.slice(m.value))))
    }

    /// The member names, in the order they were sent or inserted.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.iter().map(|(name, _)| name)
    }

    /// Sets member `name` to `value`, in place of any member of that name.
    pub fn insert(&mut self, name: impl AsRef<str>, value: Value) {
        let name = name.as_ref();
        self.remove(name);
        let name = self.push(name);
        let value = self.push(&value.to_string());
        self.members.push(Member { name, value });
    }

    /// Removes member `name`; returns its value.
    pub fn remove(&mut self, name: &str) -> Option<OpenValue<'_>> {
        let mut removed = None;
        while let Some(at) = self.position(name) {
            removed = Some(self.members.remove(at).value);
        }
        removed.map(|span| OpenValue::new(self.slice(span)))
    }

    /// The members as a `serde_json::Map` of `Value` trees.
    pub fn to_map(&self) -> Map<String, Value> {
        self.iter()
            .map(|(name, value)| (name.to_owned(), value.to_value()))
            .collect()
    }

    /// The last member called `name` (the one a map keeps).
    fn position(&self, name: &str) -> Option<usize> {
        self.members
            .iter()
            .rposition(|m| self.slice(m.name) == name)
    }

    fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or_default()
    }

    fn push(&mut self, text: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(text);
        Span {
            start,
            end: self.text.len(),
        }
    }
}

impl From<Map<String, Value>> for OpenMap {
    fn from(members: Map<String, Value>) -> Self {
        members.into_iter().collect()
    }
}

impl From<OpenMap> for Map<String, Value> {
    fn from(map: OpenMap) -> Self {
        map.to_map()
    }
}

impl From<OpenMap> for Value {
    fn from(map: OpenMap) -> Self {
        Value::Object(map.to_map())
    }
}

impl<'a> IntoIterator for &'a OpenMap {
    type Item = (&'a str, OpenValue<'a>);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, OpenValue<'a>)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl FromIterator<(String, Value)> for OpenMap {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(members: I) -> Self {
        let mut map = Self::new();
        map.extend(members);
        map
    }
}

impl Extend<(String, Value)> for OpenMap {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, members: I) {
        for (name, value) in members {
            self.insert(name, value);
        }
    }
}

impl PartialEq for OpenMap {
    /// The same members with equal values, in any order and whatever their spelling: what
    /// two `serde_json::Map`s of the same members compare as.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.to_map() == other.to_map()
    }
}

impl fmt::Debug for OpenMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for OpenMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, &value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for OpenMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (serde::de::IgnoredAny, map) = split(deserializer, |_| false)?;
        Ok(map)
    }
}

impl schemars::JsonSchema for OpenMap {
    fn schema_name() -> String {
        <Map<String, Value>>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <Map<String, Value>>::schema_id()
    }

    fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        <Map<String, Value>>::json_schema(generator)
    }

    fn is_referenceable() -> bool {
        <Map<String, Value>>::is_referenceable()
    }
}

#[cfg(test)]
mod tests;
