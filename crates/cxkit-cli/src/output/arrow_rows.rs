//! Rows' JSON text appended straight to Arrow columns of their [`Shape`]: each value is read
//! in place from the row's text (no `serde_json::Value`, no second JSON decoder), so a Parquet
//! export costs one pass over the rows it writes.
//!
//! Values are shaped as the [`arrow_schema`](super::arrow_schema) table says: date-times
//! become microseconds, untyped values their JSON text, the members of an object the spec does
//! not name go to its `_extra` column as a JSON object. A value that does not fit (text where
//! the spec says a number, a required field that is absent) is an error naming its field.

use super::arrow_schema::Shape;
use super::json_text::{self, Kind};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use std::sync::Arc;

/// Rows being gathered into one record batch.
pub struct Rows {
    schema: SchemaRef,
    root: Column,
    /// Whether rows are objects (one column per field) or any value (one `value` column).
    objects: bool,
    len: usize,
}

impl Rows {
    /// Empty columns for rows of `shape`.
    pub fn new(shape: &Shape) -> Self {
        Self {
            schema: Arc::new(shape.schema()),
            root: Column::of(shape),
            objects: matches!(shape, Shape::Object(_)),
            len: 0,
        }
    }

    /// The rows gathered so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Appends the row whose JSON text is `row`. After an error the columns are uneven: the
    /// rows gathered must be thrown away.
    pub fn push(&mut self, row: &str) -> Result<(), String> {
        if self.objects && json_text::kind(row) != Kind::Object {
            return Err(format!("a row is not an object: {}", preview(row)));
        }
        self.root.push(row, "")?;
        self.len += 1;
        Ok(())
    }

    /// The rows gathered as one batch; the columns start empty again.
    pub fn take(&mut self) -> Result<RecordBatch, String> {
        self.len = 0;
        let arrays = match (&mut self.root, self.objects) {
            (
                Column::Object {
                    fields,
                    extra,
                    nulls,
                    ..
                },
                true,
            ) => {
                // Rows are never null (`push` refuses them): the batch has no row validity.
                nulls.finish();
                let mut arrays = fields
                    .iter_mut()
                    .map(|f| f.column.finish())
                    .collect::<Result<Vec<_>, _>>()?;
                arrays.push(Arc::new(extra.finish()));
                arrays
            }
            (root, _) => vec![root.finish()?],
        };
        RecordBatch::try_new(self.schema.clone(), arrays).map_err(|e| e.to_string())
    }
}

mod column;

use column::{preview, Column};

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int64Type, TimestampMicrosecondType};
    use arrow_array::Array;

    fn shape() -> Shape {
        Shape::Object(vec![
            ("id".into(), Shape::Text, true),
            ("at".into(), Shape::Timestamp, false),
            ("any".into(), Shape::Json, false),
            ("n".into(), Shape::Integer, false),
            ("day".into(), Shape::Date, false),
            (
                "tags".into(),
                Shape::List(Box::new(Shape::Object(vec![(
                    "k".into(),
                    Shape::Text,
                    false,
                )]))),
                false,
            ),
        ])
    }

    #[test]
    fn rows_are_read_into_their_columns_without_losing_a_member() {
        let mut rows = Rows::new(&shape());
        rows.push(
            r#"{"id":"a\"1","at":"2024-03-01T10:00:00Z","any":{"a":[1.50]},"n":3,"new":true,"day":"2024-03-01","tags":[{"k":"x","z":1},null]}"#,
        )
        .unwrap();
        rows.push(r#"{"id":"b","n":null,"tags":null,"late":{"q":"\u00e9"}}"#)
            .unwrap();
        assert_eq!(rows.len(), 2);
        let batch = rows.take().unwrap();
        assert_eq!(rows.len(), 0);
        assert_eq!(batch.num_rows(), 2);
        let column = |name: &str| batch.column_by_name(name).unwrap().clone();
        let id = column("id");
        assert_eq!(id.as_string::<i32>().value(0), "a\"1");
        let at = column("at");
        let at = at.as_primitive::<TimestampMicrosecondType>();
        assert_eq!(at.value(0), 1_709_287_200_000_000);
        assert!(at.is_null(1));
        assert_eq!(column("any").as_string::<i32>().value(0), r#"{"a":[1.50]}"#);
        let n = column("n");
        assert_eq!(n.as_primitive::<Int64Type>().value(0), 3);
        assert!(n.is_null(1));
        let extra = column(super::super::arrow_schema::EXTRA);
        let extra = extra.as_string::<i32>();
        assert_eq!(extra.value(0), r#"{"new":true}"#);
        assert_eq!(extra.value(1), r#"{"late":{"q":"\u00e9"}}"#);
        let tags = column("tags");
        let tags = tags.as_list::<i32>();
        assert!(tags.is_null(1));
        let first = tags.value(0);
        let first = first.as_struct();
        assert_eq!(first.len(), 2);
        assert_eq!(first.column(0).as_string::<i32>().value(0), "x");
        assert!(first.is_null(1), "a null item stays null");
        assert_eq!(first.column(1).as_string::<i32>().value(0), r#"{"z":1}"#);
        // The columns start empty again.
        rows.push(r#"{"id":"c"}"#).unwrap();
        assert_eq!(rows.take().unwrap().num_rows(), 1);
    }

    #[test]
    fn a_row_that_does_not_fit_names_its_field() {
        for (row, field) in [
            (r#"{"id":"1","n":"three"}"#, "`n`"),
            (r#"{"id":"1","n":1.5}"#, "`n`"),
            (r#"{"id":"1","at":"soon"}"#, "`at`"),
            (r#"{"id":"1","day":"someday"}"#, "`day`"),
            (r#"{"id":"1","tags":[{"k":"x"},3]}"#, "`tags[1]`"),
            (
                r#"{"id":"1","at":"2024-03-01T10:00:00Z","tags":[{"k":"x","k":"y"}]}"#,
                "`tags[0].k`",
            ),
            (r#"{"id":"1","tags":{"k":"x"}}"#, "`tags`"),
            (r#"{"n":1}"#, "`id`: absent"),
            (r#"{"id":null}"#, "`id`: null"),
            (r#"{"id":"1","id":"2"}"#, "`id`: sent twice"),
        ] {
            let err = Rows::new(&shape()).push(row).unwrap_err();
            assert!(err.contains(field), "{row}: {err}");
        }
        // Each type the spec names, in the words the message uses.
        for (row, words) in [
            (
                r#"{"id":"1","n":"three"}"#,
                "`n`: \"three\" does not fit the spec's type (integer)",
            ),
            (
                r#"{"id":"1","at":3}"#,
                "does not fit the spec's type (date-time)",
            ),
            (
                r#"{"id":"1","day":true}"#,
                "does not fit the spec's type (date)",
            ),
            (
                r#"{"id":"1","tags":{"k":"x"}}"#,
                "does not fit the spec's type (list)",
            ),
            (
                r#"{"id":"1","tags":[3]}"#,
                "does not fit the spec's type (object)",
            ),
        ] {
            let err = Rows::new(&shape()).push(row).unwrap_err();
            assert!(err.contains(words), "{row}: {err}");
        }
        // A long value is shown by its start.
        let long = format!("{{\"id\":\"1\",\"n\":\"{}\"}}", "x".repeat(100));
        let err = Rows::new(&shape()).push(&long).unwrap_err();
        let start = format!("`n`: \"{}… does not fit", "x".repeat(59));
        assert!(err.contains(&start), "{err}");
        assert!(Rows::new(&shape()).push("[1]").is_err());
        assert!(Rows::new(&shape()).push(r#"{"id":"1""#).is_err());
    }

    #[test]
    fn unnamed_members_keep_their_names_exactly() {
        let mut rows = Rows::new(&shape());
        rows.push(
            r#"{"id":"1","we\"ird\\":1,"tab\t":[],"\u00e9":null,"\u0001\t":2,"\"\"":3,"\\":4}"#,
        )
        .unwrap();
        let batch = rows.take().unwrap();
        let extra = batch
            .column_by_name(super::super::arrow_schema::EXTRA)
            .unwrap();
        let extra: serde_json::Value =
            serde_json::from_str(extra.as_string::<i32>().value(0)).unwrap();
        assert_eq!(
            extra,
            serde_json::json!({"we\"ird\\": 1, "tab\t": [], "\u{e9}": null, "\u{1}\t": 2, "\"\"": 3, "\\": 4})
        );
    }

    #[test]
    fn values_of_another_json_type_are_kept_where_the_spec_allows_them() {
        let mut rows = Rows::new(&shape());
        // A number where the spec says text is kept as its JSON text; a date as the number of
        // days since 1970-01-01 (Arrow's own unit) is that date.
        rows.push(r#"{"id":17,"day":19783}"#).unwrap();
        rows.push(r#"{"id":true,"day":"2024-03-01"}"#).unwrap();
        let batch = rows.take().unwrap();
        let id = batch.column_by_name("id").unwrap();
        assert_eq!(id.as_string::<i32>().value(0), "17");
        assert_eq!(id.as_string::<i32>().value(1), "true");
        let day = batch.column_by_name("day").unwrap();
        let day = day.as_primitive::<arrow_array::types::Date32Type>();
        assert_eq!((day.value(0), day.value(1)), (19783, 19783));
    }

    #[test]
    fn rows_that_are_not_objects_fill_one_value_column() {
        let mut rows = Rows::new(&Shape::Json);
        rows.push(r#"[1,"two"]"#).unwrap();
        rows.push("null").unwrap();
        let batch = rows.take().unwrap();
        let value = batch.column_by_name("value").unwrap();
        assert_eq!(value.as_string::<i32>().value(0), r#"[1,"two"]"#);
        assert!(value.is_null(1));
    }
}
