//! Rows as flat tables (CSV and terminal tables) without losing a field: columns are the
//! spec's known leaves (`agent.name`), then every other leaf the rows carry, in the order
//! first seen. Lists and open values are one cell holding their JSON.

use super::json_text::{self, Kind};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

/// Column paths to their place: looked up for every member of every row, so hashed with
/// `foldhash` rather than SipHash (a profile showed SipHash in every cell).
type Index = HashMap<String, usize, foldhash::fast::RandomState>;

/// The columns of a table of rows.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Leaves the spec knows, in its order.
    known: Vec<String>,
    /// Every column, in output order.
    columns: Vec<String>,
    /// Each column's place in `columns`.
    index: Index,
    /// Known leaves and their parents, to stop flattening where the spec says a value is one
    /// cell.
    known_set: BTreeSet<String>,
}

impl Layout {
    /// A layout that starts with `known` (the spec's leaves).
    pub fn new(known: Vec<String>) -> Self {
        let known_set = known.iter().cloned().collect();
        Self {
            columns: known.clone(),
            index: known.iter().cloned().zip(0..).collect(),
            known,
            known_set,
        }
    }

    /// Exactly these columns (`--columns`): nothing is added.
    pub fn fixed(columns: Vec<String>) -> Self {
        let mut layout = Self::new(columns);
        layout.known.clear();
        layout
    }

    /// Adds the leaves of `row` not seen yet.
    pub fn see(&mut self, row: &Value) {
        let mut found = Vec::new();
        self.leaves(row, "", &mut found);
        self.add(found);
    }

    /// Adds the leaves of the row whose JSON text is `row`, as [`see`](Self::see) does, but
    /// without building its values: only its objects' keys are read (a CSV export reads every
    /// row once for its columns before writing any).
    pub fn see_json(&mut self, row: &[u8]) -> serde_json::Result<()> {
        let mut found = Vec::new();
        let mut de = serde_json::Deserializer::from_slice(row);
        serde::de::DeserializeSeed::deserialize(
            Leaves {
                layout: self,
                prefix: Cow::Borrowed(""),
                out: &mut found,
            },
            &mut de,
        )?;
        de.end()?;
        self.add(found);
        Ok(())
    }

    fn add(&mut self, found: Vec<String>) {
        for path in found {
            if !self.index.contains_key(&path) {
                self.index.insert(path.clone(), self.columns.len());
                self.columns.push(path);
            }
        }
    }

    /// The columns.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The cells of `row`, one per column. Known columns stay even when no row has them,
    /// so an export of the same list always has the same header, even when empty.
    pub fn cells(&self, row: &Value) -> Vec<String> {
        self.columns.iter().map(|path| cell(row, path)).collect()
    }

    /// The cells of the row whose JSON text is `row`, as [`cells`](Self::cells) gives them
    /// for its value, read in place: strings unescaped, numbers, lists and objects as the
    /// text sent them (a 24-digit number stays whole). A key spelled with dots (`"a.b"`) fills
    /// the column `a.b` too; when two spellings meet, the one nearer the top of the row wins
    /// (the later value, for a key sent twice).
    pub fn cells_json<'a>(&self, row: &'a str) -> serde_json::Result<Vec<Cow<'a, str>>> {
        let mut cells = Cells {
            text: vec![Cow::Borrowed(""); self.columns.len()],
            depth: vec![usize::MAX; self.columns.len()],
        };
        if json_text::kind(row) == Kind::Object {
            self.fill(row, "", 0, &mut cells)?;
        } else {
            self.put(&mut cells, "value", 0, cell_text(row)?);
        }
        Ok(cells.text)
    }

    /// Fills the cells under the object `object` found at `prefix`.
    fn fill<'a>(
        &self,
        object: &'a str,
        prefix: &str,
        depth: usize,
        cells: &mut Cells<'a>,
    ) -> serde_json::Result<()> {
        json_text::for_each_member(object, |key, value| {
            let path = child(prefix, key);
            let text = value.get();
            if json_text::kind(text) == Kind::Object && !self.is_known_leaf(&path) {
                // An object that is a column itself (one row had it empty) is also one cell.
                if self.index.contains_key(path.as_ref()) {
                    self.put(cells, &path, depth, Cow::Borrowed(text.trim()));
                }
                self.fill(text, &path, depth + 1, cells)?;
            } else {
                self.put(cells, &path, depth, cell_text(text)?);
            }
            Ok(())
        })
        .map_err(json_text::Walk::into_json)
    }

    fn put<'a>(&self, cells: &mut Cells<'a>, path: &str, depth: usize, text: Cow<'a, str>) {
        if let Some(&at) = self.index.get(path) {
            // `<=`: of two values at one depth (a key sent twice) the later wins, as it does
            // when the row is decoded into a value.
            if depth <= cells.depth[at] {
                cells.text[at] = text;
                cells.depth[at] = depth;
            }
        }
    }

    fn leaves(&self, value: &Value, prefix: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) if !map.is_empty() && !self.is_known_leaf(prefix) => {
                for (key, child) in map {
                    let path = join(prefix, key);
                    self.leaves(child, &path, out);
                }
            }
            Value::Null if !prefix.is_empty() && self.has_known_below(prefix) => {}
            _ if !prefix.is_empty() => out.push(prefix.to_owned()),
            _ => out.push("value".to_owned()),
        }
    }

    fn is_known_leaf(&self, path: &str) -> bool {
        !path.is_empty() && self.known_set.contains(path) && !self.has_known_below(path)
    }

    /// Whether the spec knows leaves under `path` (so a null object adds no column).
    fn has_known_below(&self, path: &str) -> bool {
        let prefix = format!("{path}.");
        self.known_set
            .range(prefix.clone()..)
            .next()
            .is_some_and(|k| k.starts_with(&prefix))
    }
}

/// The leaf paths of one row read from its JSON text, by the rules of [`Layout::leaves`]:
/// a non-empty object is descended into unless the spec makes it one cell, a null under which
/// the spec knows leaves adds nothing, anything else is a leaf.
/// Only paths not yet columns are gathered (most rows add none).
struct Leaves<'a, 'k> {
    layout: &'a Layout,
    prefix: Cow<'k, str>,
    out: &'a mut Vec<String>,
}

impl Leaves<'_, '_> {
    fn leaf(self) {
        let path = if self.prefix.is_empty() {
            "value"
        } else {
            &self.prefix
        };
        if !self.layout.index.contains_key(path) {
            self.out.push(path.to_owned());
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Leaves<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Leaves<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::IgnoredAny;
        if self.layout.is_known_leaf(&self.prefix) {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            self.leaf();
            return Ok(());
        }
        let Leaves {
            layout,
            prefix,
            out,
        } = self;
        let mut empty = true;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            empty = false;
            let child = Leaves {
                layout,
                prefix: child(&prefix, key),
                out: &mut *out,
            };
            map.next_value_seed(child)?;
        }
        if empty {
            Leaves {
                layout,
                prefix,
                out,
            }
            .leaf();
        }
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        self.leaf();
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        if self.prefix.is_empty() || !self.layout.has_known_below(&self.prefix) {
            self.leaf();
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.leaf();
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.leaf();
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.leaf();
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.leaf();
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.leaf();
        Ok(())
    }
}

/// Cells being filled from a row's text, with the depth each was found at.
struct Cells<'a> {
    text: Vec<Cow<'a, str>>,
    depth: Vec<usize>,
}

/// A cell from a value's JSON text: a string's content, nothing for null, else the text.
fn cell_text(text: &str) -> serde_json::Result<Cow<'_, str>> {
    match json_text::kind(text) {
        Kind::Null => Ok(Cow::Borrowed("")),
        Kind::String => json_text::unquoted(text),
        _ => Ok(Cow::Borrowed(text.trim())),
    }
}

/// The path of member `key` under `prefix`: the key itself at the top (no copy).
fn child<'k>(prefix: &str, key: Cow<'k, str>) -> Cow<'k, str> {
    if prefix.is_empty() {
        key
    } else {
        Cow::Owned(format!("{prefix}.{key}"))
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The text of `row` at `path`: strings as they are, numbers and booleans as JSON, lists and
/// objects as their JSON (so no value is lost), nothing for absent or null.
fn cell(row: &Value, path: &str) -> String {
    let value = if path == "value" && !row.is_object() {
        Some(row)
    } else {
        lookup(row, path)
    };
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The value at a dotted path; a key that itself contains dots is found too.
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let map: &Map<String, Value> = value.as_object()?;
    if let Some(found) = map.get(path) {
        return Some(found);
    }
    let mut split = path
        .char_indices()
        .filter(|(_, c)| *c == '.')
        .map(|(i, _)| i);
    split.find_map(|at| {
        let (head, tail) = (&path[..at], &path[at + 1..]);
        map.get(head).and_then(|child| lookup(child, tail))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_columns_come_first_and_later_fields_are_added_not_dropped() {
        let mut layout = Layout::new(vec!["id".into(), "agent.name".into(), "tags".into()]);
        let first = json!({"id": "1", "agent": {"name": "Ana"}, "tags": ["a", "b"]});
        let second = json!({"id": "2", "agent": {"name": "Bo", "team": "x"}, "late": {"k": 1}, "tags": {"a": 1}});
        layout.see(&first);
        layout.see(&second);
        assert_eq!(
            layout.columns(),
            ["id", "agent.name", "tags", "agent.team", "late.k"]
        );
        assert_eq!(layout.cells(&first), ["1", "Ana", r#"["a","b"]"#, "", ""]);
        assert_eq!(layout.cells(&second), ["2", "Bo", r#"{"a":1}"#, "x", "1"]);
    }

    /// The columns read from JSON text are the columns read from values, rows of every shape.
    #[test]
    fn columns_from_json_text_are_the_columns_from_values() {
        let rows = [
            json!({"id": "1", "agent": {"name": "Ana", "team": {"x": 1}}, "tags": ["a"]}),
            json!({"agent": null, "late": {}, "n": 1.5, "big": 18446744073709551615_u64, "neg": -3}),
            json!({"tags": {"a": {"b": 2}}, "ok": false, "x": null, "s": "t", "deep": {"a": {"b": null}}}),
            json!(7),
            json!([1, 2]),
            json!(null),
        ];
        for known in [
            vec![],
            vec!["id".to_owned(), "agent.name".into(), "tags".into()],
        ] {
            let (mut from_values, mut from_text) = (Layout::new(known.clone()), Layout::new(known));
            for row in &rows {
                from_values.see(row);
                from_text.see_json(row.to_string().as_bytes()).unwrap();
            }
            assert_eq!(from_text.columns(), from_values.columns());
        }
        assert!(Layout::default().see_json(b"{\"a\":").is_err());
        assert!(Layout::default().see_json(b"{} x").is_err());
    }

    /// The cells read from JSON text are the cells read from values, rows of every shape,
    /// with the spec's known leaves, with columns picked by hand and with neither.
    #[test]
    fn cells_from_json_text_are_the_cells_from_values() {
        let rows = [
            json!({"id": "1", "agent": {"name": "Ana", "team": {"x": 1}}, "tags": ["a", {"b": null}]}),
            json!({"agent": null, "late": {}, "n": 1.5, "big": 18446744073709551615_u64, "neg": -3}),
            json!({"tags": {"a": {"b": 2}}, "ok": false, "x": null, "s": "t\"\n\u{e9}", "deep": {"a": {"b": null}}}),
            json!({"a.b": 3, "a": {"b": 4, "c": "five"}, "id": "dotted"}),
            json!({"agent": {"name": null, "team": {}}, "value": "v"}),
            json!(7),
            json!("text"),
            json!([1, {"a": 2}]),
            json!(null),
        ];
        let known = vec!["id".to_owned(), "agent.name".into(), "tags".into()];
        let picked = vec![
            "a.b".to_owned(),
            "agent".into(),
            "deep.a".into(),
            "value".into(),
        ];
        for mut layout in [Layout::new(known), Layout::fixed(picked), Layout::default()] {
            for row in &rows {
                layout.see(row);
            }
            for row in &rows {
                let text = row.to_string();
                assert_eq!(
                    layout.cells_json(&text).unwrap(),
                    layout.cells(row),
                    "{text}"
                );
            }
        }
    }

    /// A key sent twice is read as a value decode reads it: the later value wins. (An object
    /// sent twice under one key is read member by member, so a member only the first one has
    /// is kept rather than dropped, where a value decode keeps only the second object.)
    #[test]
    fn a_key_sent_twice_gives_its_later_value_as_a_value_decode_does() {
        let text = r#"{"x":1,"x":2,"a":{"b":"one","b":"two"},"c":{"d":1,"e":1},"c":{"e":2}}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let mut layout = Layout::default();
        layout.see_json(text.as_bytes()).unwrap();
        assert_eq!(layout.columns(), ["x", "a.b", "c.d", "c.e"]);
        let cells = layout.cells_json(text).unwrap();
        assert_eq!(cells, ["2", "two", "1", "2"]);
        let decoded = layout.cells(&value);
        assert_eq!(decoded, ["2", "two", "", "2"]);
    }

    #[test]
    fn cells_from_json_text_keep_numbers_and_nested_values_as_sent() {
        let mut layout = Layout::default();
        let text = r#"{"big":123456789012345678901234,"price":1.50,"tags":[1.0, "\u00e9"],"o":{}}"#;
        layout.see_json(text.as_bytes()).unwrap();
        assert_eq!(layout.columns(), ["big", "price", "tags", "o"]);
        assert_eq!(
            layout.cells_json(text).unwrap(),
            [
                "123456789012345678901234",
                "1.50",
                r#"[1.0, "\u00e9"]"#,
                "{}"
            ]
        );
        assert!(layout.cells_json(r#"{"big":"#).is_err());
        assert!(layout.cells_json(r#"{"big":1} x"#).is_err());
    }

    #[test]
    fn a_null_object_adds_no_column_and_a_dotted_key_is_found() {
        let mut layout = Layout::new(vec!["agent.name".into()]);
        let row = json!({"agent": null, "a.b": 3, "n": 1.5, "ok": false});
        layout.see(&row);
        assert_eq!(layout.columns(), ["agent.name", "a.b", "n", "ok"]);
        assert_eq!(layout.cells(&row), ["", "3", "1.5", "false"]);
    }
}
