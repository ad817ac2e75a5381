//! serde_json's raw-value protocol, spoken directly so that JSON text moves without a copy per
//! value and without failing where serde buffers.
//!
//! `serde_json::value::RawValue` asks a deserializer for a newtype struct with a reserved name;
//! serde_json's deserializers (from a slice, a `str`, a reader or a `Value`) answer with a
//! one-entry map whose value is the JSON text as sent. Serde's own buffer (an `untagged` or
//! internally tagged enum, a `flatten`ed field) does not know the name and hands over its
//! buffered value instead, which `RawValue` then refuses. Asking with the same name here keeps
//! the text where serde_json can give it and still decodes where it cannot ([`AppendJson`]).
//! On the way out, [`RawText`] is serialized the way `RawValue` is, so serde_json writes it
//! verbatim.
//!
//! The name is serde_json's own (`serde_json::raw::TOKEN`, private to it). Should it ever
//! change, nothing breaks silently: values would be re-encoded on the way in and written as
//! one-member objects on the way out, and the runtime's `open` tests and `tests/open_values.rs`,
//! which check that spellings survive a round trip, fail.

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// The newtype-struct name serde_json reserves for raw values.
const TOKEN: &str = "$serde_json::private::RawValue";

/// Appends the JSON text of the next value to a buffer: as sent when serde_json can lend it,
/// else the value re-encoded (inside serde's buffers, or from another format).
pub(crate) struct AppendJson<'a>(pub(crate) &'a mut String);

impl<'de> DeserializeSeed<'de> for AppendJson<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_newtype_struct(TOKEN, self)
    }
}

impl<'de> Visitor<'de> for AppendJson<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(first) = map.next_key_seed(Name)? else {
            self.0.push_str("{}");
            return Ok(());
        };
        if first == TOKEN {
            return map.next_value_seed(Append(self.0));
        }
        // A real map, from a deserializer that answers a newtype request with the map itself.
        let mut members = Map::new();
        members.insert(first.into_owned(), map.next_value()?);
        while let Some((name, value)) = map.next_entry::<String, Value>()? {
            members.insert(name, value);
        }
        push_value(self.0, &Value::Object(members));
        Ok(())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, inner: D) -> Result<(), D::Error> {
        push_value(self.0, &Value::deserialize(inner)?);
        Ok(())
    }
}

fn push_value(buffer: &mut String, value: &Value) {
    use std::fmt::Write;
    // Writing to a `String` cannot fail.
    let _ = write!(buffer, "{value}");
}

/// A member name, borrowed when the input lends it.
pub(crate) struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(name))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(name.to_owned()))
    }

    fn visit_string<E: de::Error>(self, name: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(name))
    }
}

/// The raw text serde_json hands over as the value of its one-entry map, appended.
struct Append<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Append<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Append<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("raw JSON text")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.0.push_str(text);
        Ok(())
    }
}

/// Valid JSON text, serialized as itself (by serde_json; as a `RawValue` is by others).
pub(crate) struct RawText<'a>(pub(crate) &'a str);

impl Serialize for RawText<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut raw = serializer.serialize_struct(TOKEN, 1)?;
        raw.serialize_field(TOKEN, self.0)?;
        raw.end()
    }
}
