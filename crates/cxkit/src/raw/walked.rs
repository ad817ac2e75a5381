//! Rows as sent for the lists walked by cursor in date windows (Conversion): each row's text
//! with the id its cursor follows and the creation time its window keeps, read in the pass
//! that validates it.

use super::{expect, one, skip_space, syntax, RawRow};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::marker::PhantomData;

/// A row as the vendor sent it, with its id and creation time.
#[derive(Clone, Debug)]
pub(crate) struct WalkedRow {
    /// The row's text.
    pub row: RawRow,
    /// Its id (what the cursor follows); empty when the row has none.
    pub id: String,
    /// When it was created, when it says so in RFC 3339.
    pub created: Option<DateTime<Utc>>,
}

/// The member names a list's [`WalkedRow`]s are read with, as a type (so a row is read with
/// `Deserialize` in one pass together with its place in the page).
pub(crate) trait WalkedNames {
    /// The id member (`id`).
    const ID: &'static str;
    /// The creation time member (`created`, `createdAt`), for lists kept to date windows.
    const CREATED: Option<&'static str>;
}

/// The rows of a body that is one JSON array of rows, each sharing the body.
pub(crate) fn array_page<N: WalkedNames>(body: &Bytes) -> serde_json::Result<Vec<WalkedRow>> {
    let mut at = expect(body, 0, b'[')?;
    let mut rows = Vec::new();
    let flat = memchr::memchr2(b'\n', b'\r', body).is_none();
    if body.get(skip_space(body, at)) == Some(&b']') {
        at = skip_space(body, at) + 1;
    } else {
        loop {
            let start = skip_space(body, at);
            let (read, end) = one::<Found<N>>(body, start)?;
            let key = read.id_text.as_deref().map(crate::pagination::key_hash);
            rows.push(WalkedRow {
                row: RawRow::from_page(body, start..end, key, flat),
                id: read.id.unwrap_or_default(),
                created: read.created,
            });
            at = skip_space(body, end);
            match body.get(at) {
                Some(b',') => at += 1,
                Some(b']') => {
                    at += 1;
                    break;
                }
                _ => return Err(syntax("`,` or `]` after a row")),
            }
        }
    }
    if skip_space(body, at) != body.len() {
        return Err(syntax("nothing after the array's closing `]`"));
    }
    Ok(rows)
}

/// What one row's read found.
struct Found<N> {
    id_text: Option<String>,
    id: Option<String>,
    created: Option<DateTime<Utc>>,
    names: PhantomData<N>,
}

impl<'de, N: WalkedNames> serde::Deserialize<'de> for Found<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(Read(PhantomData))
    }
}

/// Reads one object, skipping (and so validating) every member but the two `N` names.
struct Read<N>(PhantomData<N>);

impl<'de, N: WalkedNames> Visitor<'de> for Read<N> {
    type Value = Found<N>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object (one row)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<N>, A::Error> {
        let mut found = Found {
            id_text: None,
            id: None,
            created: None,
            names: PhantomData,
        };
        while let Some(member) = map.next_key_seed(Which::<N>(PhantomData))? {
            match member {
                Member::Id => {
                    let value: &RawValue = map.next_value()?;
                    found.id = serde_json::from_str::<String>(value.get()).ok();
                    found.id_text = Some(value.get().to_owned());
                }
                Member::Created => {
                    let value: Option<String> = map.next_value()?;
                    found.created = value
                        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
                        .map(|t| t.with_timezone(&Utc));
                }
                Member::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

enum Member {
    Id,
    Created,
    Other,
}

/// Which of the two names a member has (read as bytes, as `NameIs` does).
struct Which<N>(PhantomData<N>);

impl<'de, N: WalkedNames> DeserializeSeed<'de> for Which<N> {
    type Value = Member;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Member, D::Error> {
        deserializer.deserialize_bytes(self)
    }
}

impl<'de, N: WalkedNames> Visitor<'de> for Which<N> {
    type Value = Member;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_bytes<E>(self, name: &[u8]) -> Result<Member, E> {
        Ok(if name == N::ID.as_bytes() {
            Member::Id
        } else if N::CREATED.is_some_and(|created| name == created.as_bytes()) {
            Member::Created
        } else {
            Member::Other
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_spelling_and_bring_their_id_and_creation_time() {
        let body = Bytes::from_static(
            b"[{\"id\":\"66a1\",\"created\":\"2024-02-24T08:23:11.000Z\",\"n\":1.50},\n {\"id\":\"66a2\",\"x\":null}]",
        );
        struct Names;
        impl WalkedNames for Names {
            const ID: &'static str = "id";
            const CREATED: Option<&'static str> = Some("created");
        }
        let rows = array_page::<Names>(&body).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].row.as_bytes(),
            b"{\"id\":\"66a1\",\"created\":\"2024-02-24T08:23:11.000Z\",\"n\":1.50}"
        );
        assert_eq!(rows[0].id, "66a1");
        assert_eq!(
            rows[0].created.unwrap().to_rfc3339(),
            "2024-02-24T08:23:11+00:00"
        );
        assert_eq!(rows[1].row.as_bytes(), b"{\"id\":\"66a2\",\"x\":null}");
        assert_eq!(rows[1].created, None);
        assert_eq!(
            rows[0].row.key(),
            Some(crate::pagination::key_hash("\"66a1\""))
        );
        assert!(array_page::<Names>(&Bytes::from_static(b"[]"))
            .unwrap()
            .is_empty());
        assert!(array_page::<Names>(&Bytes::from_static(b"[1]")).is_err());
        assert!(array_page::<Names>(&Bytes::from_static(b"{\"data\":[]}")).is_err());
        assert!(array_page::<Names>(&Bytes::from_static(b"[{}] x")).is_err());
    }
}
