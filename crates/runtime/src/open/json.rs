//! One owned open value (a `{}` schema: any JSON), kept as its text.

use super::token::{AppendJson, RawText};
use super::OpenValue;
use serde::de::DeserializeSeed;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// A value the spec leaves open (any JSON), kept as the text it was sent as: decoded only
/// when asked, written back as sent.
///
/// ```
/// use cxkit_runtime::OpenJson;
///
/// let agent: OpenJson = serde_json::from_str(r#"{"id": "a1", "score": 4.50}"#)?;
/// assert_eq!(agent.to_value()["id"], "a1");
/// assert_eq!(serde_json::to_string(&agent)?, r#"{"id": "a1", "score": 4.50}"#);
///
/// #[derive(serde::Deserialize)]
/// struct Agent<'a> {
///     id: &'a str,
/// }
/// let agent: Agent = agent.parse()?;
/// assert_eq!(agent.id, "a1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct OpenJson {
    json: Box<str>,
}

impl OpenJson {
    /// The value as a view with every accessor ([`OpenValue`]).
    pub fn as_open(&self) -> OpenValue<'_> {
        OpenValue::new(&self.json)
    }

    /// The value's JSON text, exactly as sent.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// Decodes the value as `T`, borrowing from the text where `T` can.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        self.as_open().parse()
    }

    /// The value as a `serde_json::Value` tree.
    pub fn to_value(&self) -> Value {
        self.as_open().to_value()
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        self.as_open().is_null()
    }
}

impl Default for OpenJson {
    /// `null`.
    fn default() -> Self {
        Value::Null.into()
    }
}

impl From<Value> for OpenJson {
    fn from(value: Value) -> Self {
        Self {
            json: value.to_string().into_boxed_str(),
        }
    }
}

impl From<OpenJson> for Value {
    fn from(value: OpenJson) -> Self {
        value.to_value()
    }
}

impl fmt::Display for OpenJson {
    /// The JSON text as sent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.json)
    }
}

impl fmt::Debug for OpenJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.json)
    }
}

impl PartialEq for OpenJson {
    /// Equal values, whatever their spelling.
    fn eq(&self, other: &Self) -> bool {
        self.as_open() == other.as_open()
    }
}

impl Serialize for OpenJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawText(&self.json).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for OpenJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut json = String::new();
        AppendJson(&mut json).deserialize(deserializer)?;
        Ok(Self {
            json: json.into_boxed_str(),
        })
    }
}

impl schemars::JsonSchema for OpenJson {
    fn schema_name() -> String {
        Value::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        Value::schema_id()
    }

    fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        Value::json_schema(generator)
    }

    fn is_referenceable() -> bool {
        Value::is_referenceable()
    }
}
