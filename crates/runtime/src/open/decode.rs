//! Reading an open object in one pass: its named members into a typed struct, the rest into
//! an [`OpenMap`], as text.

use super::token::{AppendJson, Name};
use super::{Member, OpenMap, Span};
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor,
};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// Reads one JSON object from `deserializer`: the members `is_named` accepts into `K` (a
/// struct deriving `Deserialize`, so every rule of serde's derive holds for them), every other
/// member into the returned [`OpenMap`], kept as its text.
///
/// The generated `Deserialize` of every open struct calls this, with a `matches!` of the wire
/// names of the struct's fields (a `match` on string literals, cheaper per member than a
/// search of a list).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Known {
///     call_id: i64,
///     rep_id: Option<String>,
/// }
///
/// let mut json = serde_json::Deserializer::from_str(r#"{"call_id": 7, "talk_time": 31}"#);
/// let (known, extra): (Known, _) =
///     cxkit_runtime::open::split(&mut json, |name| matches!(name, "call_id" | "rep_id"))?;
/// assert_eq!((known.call_id, known.rep_id), (7, None));
/// assert_eq!(extra.get("talk_time").unwrap(), 31);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn split<'de, K, D, N>(deserializer: D, is_named: N) -> Result<(K, OpenMap), D::Error>
where
    K: Deserialize<'de>,
    D: Deserializer<'de>,
    N: Fn(&str) -> bool,
{
    deserializer.deserialize_map(Split {
        is_named,
        typed: PhantomData,
    })
}

struct Split<N, K> {
    is_named: N,
    typed: PhantomData<K>,
}

impl<'de, K: Deserialize<'de>, N: Fn(&str) -> bool> Visitor<'de> for Split<N, K> {
    type Value = (K, OpenMap);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut open = OpenMap::new();
        let typed = K::deserialize(Filter {
            map,
            is_named: &self.is_named,
            open: &mut open,
            current: None,
        })?;
        Ok((typed, open))
    }
}

/// The object's map, as the typed struct sees it: only its named members. Every other
/// member is copied into the `OpenMap` on the way past, its value as JSON text.
struct Filter<'a, 'de, A, N> {
    map: A,
    is_named: &'a N,
    open: &'a mut OpenMap,
    /// The named member whose value is next, for errors.
    current: Option<Cow<'de, str>>,
}

impl<'de, A: MapAccess<'de>, N: Fn(&str) -> bool> Deserializer<'de> for Filter<'_, 'de, A, N> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>, N: Fn(&str) -> bool> MapAccess<'de> for Filter<'_, 'de, A, N> {
    type Error = A::Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        while let Some(name) = self.map.next_key_seed(Name)? {
            if (self.is_named)(&name) {
                let key = seed.deserialize(name.clone().into_deserializer())?;
                self.current = Some(name);
                return Ok(Some(key));
            }
            let open = &mut *self.open;
            if open.members.is_empty() {
                // Rows have a handful of open columns: grow once, not per member.
                open.members.reserve(8);
                open.text.reserve(256);
            }
            let name = open.push(&name);
            let start = open.text.len();
            self.map.next_value_seed(AppendJson(&mut open.text))?;
            let value = Span {
                start,
                end: open.text.len(),
            };
            open.members.push(Member { name, value });
        }
        Ok(None)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        let name = self.current.take();
        self.map.next_value_seed(seed).map_err(|e| match name {
            Some(name) => de::Error::custom(format_args!("`{name}`: {e}")),
            None => e,
        })
    }
}
