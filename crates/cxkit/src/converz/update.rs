//! Converz bulk updates in the columnar form, which cannot set other rows to `null` by
//! accident, chunked to the vendor's 100,000 rows per request.
//!
//! The vendor's row-wise form sets a field given for only some rows to `null` on the others.
//! [`Update`] is always sent columnar: a `null` entry leaves that row's value untouched, so
//! rows built from sparse records, CSV files with empty cells or partial columns never
//! erase data. (Setting a value *to* null on purpose is a row-wise operation: use
//! `converz_api` directly.)

use crate::error::Error;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::ops::Range;

/// The key column of an update: `rep_id` (text) or `call_id` (integer).
pub trait UpdateKey: Clone + Into<Value> + Send + Sync + 'static {
    /// The column name.
    const COLUMN: &'static str;
    /// Reads a key from JSON.
    fn from_json(value: &Value) -> Option<Self>;
    /// Reads a key from a CSV cell.
    fn from_text(text: &str) -> Option<Self>;
}

impl UpdateKey for String {
    const COLUMN: &'static str = "rep_id";
    fn from_json(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
    fn from_text(text: &str) -> Option<Self> {
        (!text.is_empty()).then(|| text.to_owned())
    }
}

impl UpdateKey for i64 {
    const COLUMN: &'static str = "call_id";
    fn from_json(value: &Value) -> Option<Self> {
        value.as_i64()
    }
    fn from_text(text: &str) -> Option<Self> {
        text.trim().parse().ok()
    }
}

/// A columnar update: one key per row, and columns of values (`None`/`null` = untouched).
///
/// ```
/// use cxkit::converz::Update;
/// let update = Update::keyed_by_rep_id(["mila", "liam"])
///     .column("gender", ["f", "m"])
///     .column_opt("name", [None, Some("Liam")]); // mila's name is left as it is
/// assert_eq!(update.len(), 2);
/// assert_eq!(
///     update.to_json(0..2).unwrap(),
///     serde_json::json!({"rep_id": ["mila", "liam"], "gender": ["f", "m"], "name": [null, "Liam"]})
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Update<K> {
    keys: Vec<K>,
    columns: BTreeMap<String, Vec<Value>>,
    problems: Vec<String>,
}

/// An update of users, keyed by `rep_id`.
pub type RepUpdate = Update<String>;
/// An update of conversations, keyed by `call_id`.
pub type CallUpdate = Update<i64>;

impl Update<String> {
    /// Updates the users `ids`, in this order.
    pub fn keyed_by_rep_id<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        Self::keyed(ids.into_iter().map(Into::into).collect())
    }
}

impl Update<i64> {
    /// Updates the conversations `ids`, in this order.
    pub fn keyed_by_call_id<I: IntoIterator<Item = i64>>(ids: I) -> Self {
        Self::keyed(ids.into_iter().collect())
    }
}

impl<K: UpdateKey> Update<K> {
    fn keyed(keys: Vec<K>) -> Self {
        Self {
            keys,
            columns: BTreeMap::new(),
            problems: Vec::new(),
        }
    }

    /// Sets column `name` to one value per row.
    pub fn column<I: IntoIterator<Item = V>, V: Into<Value>>(self, name: &str, values: I) -> Self {
        self.with_column(name, values.into_iter().map(Into::into).collect())
    }

    /// Sets column `name` where the value is `Some`, leaving rows with `None` untouched.
    pub fn column_opt<I, V>(self, name: &str, values: I) -> Self
    where
        I: IntoIterator<Item = Option<V>>,
        V: Into<Value>,
    {
        let values = values
            .into_iter()
            .map(|v| v.map_or(Value::Null, Into::into))
            .collect();
        self.with_column(name, values)
    }

    fn with_column(mut self, name: &str, values: Vec<Value>) -> Self {
        if name == K::COLUMN {
            self.problems
                .push(format!("`{name}` is the key column and cannot be updated"));
        } else if values.len() != self.keys.len() {
            self.problems.push(format!(
                "column `{name}` has {} values for {} rows",
                values.len(),
                self.keys.len()
            ));
        } else if self.columns.insert(name.to_owned(), values).is_some() {
            self.problems.push(format!("column `{name}` is set twice"));
        }
        self
    }

    /// Builds an update from records (one JSON object per row, with the key column). A field
    /// missing from a record leaves that row untouched, unlike the vendor's row-wise form.
    pub fn from_rows<I: IntoIterator<Item = Map<String, Value>>>(rows: I) -> Result<Self, Error> {
        let rows: Vec<Map<String, Value>> = rows.into_iter().collect();
        let mut keys = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let key = row.get(K::COLUMN).and_then(K::from_json).ok_or_else(|| {
                Error::InvalidInput(format!("row {i} has no usable `{}`", K::COLUMN))
            })?;
            keys.push(key);
        }
        let names: std::collections::BTreeSet<&String> = rows
            .iter()
            .flat_map(|r| r.keys())
            .filter(|k| *k != K::COLUMN)
            .collect();
        let mut update = Self::keyed(keys);
        for name in names {
            let values = rows
                .iter()
                .map(|r| r.get(name).cloned().unwrap_or(Value::Null));
            update = update.column(name, values);
        }
        update.check()?;
        Ok(update)
    }

    /// Builds an update from CSV with a header row naming the key column. An empty cell
    /// leaves that row's value untouched; other cells are sent as text.
    pub fn from_csv<R: std::io::Read>(reader: R) -> Result<Self, Error> {
        let mut csv = csv::Reader::from_reader(reader);
        let headers = csv
            .headers()
            .map_err(|e| Error::InvalidInput(format!("CSV header: {e}")))?
            .clone();
        let key_at = headers
            .iter()
            .position(|h| h == K::COLUMN)
            .ok_or_else(|| Error::InvalidInput(format!("the CSV has no `{}` column", K::COLUMN)))?;
        let mut keys = Vec::new();
        let mut columns: Vec<Vec<Value>> = vec![Vec::new(); headers.len()];
        for (line, record) in csv.records().enumerate() {
            let record =
                record.map_err(|e| Error::InvalidInput(format!("CSV record {}: {e}", line + 1)))?;
            let key = record.get(key_at).and_then(K::from_text).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "CSV record {} has no usable `{}`",
                    line + 1,
                    K::COLUMN
                ))
            })?;
            keys.push(key);
            for (i, cell) in record.iter().enumerate() {
                columns[i].push(if cell.is_empty() {
                    Value::Null
                } else {
                    Value::from(cell)
                });
            }
        }
        let mut update = Self::keyed(keys);
        for (i, values) in columns.into_iter().enumerate() {
            if i != key_at {
                update = update.column(&headers[i], values);
            }
        }
        update.check()?;
        Ok(update)
    }

    /// Rows in the update.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Refuses an update that cannot be sent as built.
    pub fn check(&self) -> Result<(), Error> {
        if let Some(problem) = self.problems.first() {
            return Err(Error::InvalidInput(problem.clone()));
        }
        if self.columns.is_empty() {
            return Err(Error::InvalidInput("the update sets no column".into()));
        }
        Ok(())
    }

    /// The columnar JSON body for `rows`.
    pub fn to_json(&self, rows: Range<usize>) -> Result<Value, Error> {
        self.check()?;
        let mut body = Map::new();
        let keys = self
            .keys
            .get(rows.clone())
            .ok_or_else(|| Error::InvalidInput(format!("rows {rows:?} are outside the update")))?;
        body.insert(
            K::COLUMN.into(),
            keys.iter().cloned().map(Into::into).collect(),
        );
        for (name, values) in &self.columns {
            body.insert(name.clone(), Value::Array(values[rows.clone()].to_vec()));
        }
        Ok(Value::Object(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_from_json_rows_keep_their_numeric_keys() {
        let rows = [
            serde_json::json!({"call_id": 7, "reviewed": true}),
            serde_json::json!({"call_id": 9}),
        ]
        .map(|r| r.as_object().unwrap().clone());
        let update = Update::<i64>::from_rows(rows).unwrap();
        assert_eq!(update.len(), 2);
        assert!(!update.is_empty());
        let body = update.to_json(0..2).unwrap();
        assert_eq!(body["call_id"], serde_json::json!([7, 9]));
        let text_key = serde_json::json!({"call_id": "7"});
        assert!(Update::<i64>::from_rows([text_key.as_object().unwrap().clone()]).is_err());
        assert!(Update::<i64>::keyed_by_call_id([]).is_empty());
    }
    use serde_json::json;

    #[test]
    fn refuses_mismatched_and_key_columns() {
        let u = Update::keyed_by_rep_id(["a", "b"]).column("x", [1]);
        assert!(u
            .check()
            .unwrap_err()
            .to_string()
            .contains("has 1 values for 2 rows"));
        let u = Update::keyed_by_rep_id(["a"]).column("rep_id", ["z"]);
        assert!(u.check().unwrap_err().to_string().contains("key column"));
        let u = Update::keyed_by_rep_id(["a"]);
        assert!(u.check().unwrap_err().to_string().contains("no column"));
        let u = Update::keyed_by_call_id([1])
            .column("x", [1])
            .column("x", [2]);
        assert!(u.check().unwrap_err().to_string().contains("twice"));
    }

    #[test]
    fn sparse_rows_leave_missing_fields_untouched() {
        let rows = [
            json!({"rep_id": "mila", "gender": "f"}),
            json!({"rep_id": "liam", "name": "Liam"}),
        ]
        .map(|v| v.as_object().unwrap().clone());
        let u = Update::<String>::from_rows(rows).unwrap();
        assert_eq!(
            u.to_json(0..2).unwrap(),
            json!({"rep_id": ["mila", "liam"], "gender": ["f", null], "name": [null, "Liam"]})
        );
    }

    #[test]
    fn csv_with_empty_cells() {
        let csv = "call_id,campaign,notes\n1,A,\n2,,vip\n";
        let u = Update::<i64>::from_csv(csv.as_bytes()).unwrap();
        assert_eq!(
            u.to_json(0..2).unwrap(),
            json!({"call_id": [1, 2], "campaign": ["A", null], "notes": [null, "vip"]})
        );
        let bad = Update::<i64>::from_csv("campaign\nA\n".as_bytes()).unwrap_err();
        assert!(bad.to_string().contains("no `call_id` column"));
        let bad = Update::<i64>::from_csv("call_id,x\nseven,1\n".as_bytes()).unwrap_err();
        assert!(bad.to_string().contains("record 1"));
    }
}
