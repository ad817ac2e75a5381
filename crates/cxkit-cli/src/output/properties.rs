//! Property tests of the writers every export goes through (failures kept in
//! `proptest-regressions/`): random rows to CSV and back through the `csv` crate give the cells
//! of their values; random rows of every stream's shape to Parquet and back give their values.

use super::{Columns, Format, Output, Spec};
use proptest::prelude::*;
use serde_json::Value;

/// A scalar a vendor could send: strings with the characters CSV must quote, numbers, flags.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[ ,\"\r\n;=a-z]{0,12}".prop_map(Value::from),
    ]
}

/// Which kind each member of the rows of one test case has (a schema, in effect).
#[derive(Clone, Debug)]
enum Kind {
    Scalar,
    Nested(Vec<String>),
    List,
}

fn rows() -> impl Strategy<Value = Vec<Value>> {
    let kind = prop_oneof![
        3 => Just(Kind::Scalar),
        1 => prop::collection::vec("[a-z]{1,3}", 1..3).prop_map(Kind::Nested),
        1 => Just(Kind::List),
    ];
    prop::collection::btree_map("[a-z]{1,4}", kind, 1..6).prop_flat_map(|schema| {
        let schema: Vec<(String, Kind)> = schema.into_iter().collect();
        let row = schema
            .iter()
            .map(|(name, kind)| {
                let value: BoxedStrategy<Value> = match kind.clone() {
                    Kind::Scalar => scalar().boxed(),
                    Kind::List => prop::collection::vec(scalar(), 0..3)
                        .prop_map(Value::from)
                        .boxed(),
                    Kind::Nested(fields) => prop::collection::vec(scalar(), fields.len())
                        .prop_map(move |values| {
                            Value::Object(fields.iter().cloned().zip(values).collect())
                        })
                        .boxed(),
                };
                (Just(name.clone()), prop::option::of(value))
            })
            .collect::<Vec<_>>();
        prop::collection::vec(row, 1..6).prop_map(|rows| {
            rows.into_iter()
                .map(|members| {
                    Value::Object(
                        members
                            .into_iter()
                            .filter_map(|(name, value)| Some((name, value?)))
                            .collect(),
                    )
                })
                .collect()
        })
    })
}

/// The cell CSV must hold for `path` of `row`: strings as they are, nothing for null or absent,
/// JSON text for everything else.
fn cell(row: &Value, path: &str) -> String {
    let mut value = row;
    for part in path.split('.') {
        value = &value[part];
    }
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn csv_read_back_by_the_csv_crate_holds_every_cell_of_every_row(rows in rows()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let (mut out, _) = Output::open(Spec {
            format: Some(Format::Csv),
            path: Some(&path),
            columns: Columns::FromRows,
            select: None,
            quiet: true,
            resume: false,
            command: "test",
            csv_safe: false,
        })
        .unwrap();
        for row in &rows {
            out.write_json(row.to_string().as_bytes()).unwrap();
        }
        out.finish().unwrap();
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let header = reader.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        prop_assert_eq!(records.len(), rows.len());
        // Every leaf of every row has its column.
        for row in &rows {
            for (name, value) in row.as_object().unwrap() {
                match value {
                    Value::Object(inner) if !inner.is_empty() => {
                        for field in inner.keys() {
                            let column = format!("{name}.{field}");
                            prop_assert!(header.iter().any(|h| h == column), "{}", column);
                        }
                    }
                    _ => prop_assert!(header.iter().any(|h| h == name), "{}", name),
                }
            }
        }
        for (record, row) in records.iter().zip(&rows) {
            for (column, got) in header.iter().zip(record.iter()) {
                prop_assert_eq!(got, cell(row, column), "{}", column);
            }
        }
    }
}

#[cfg(all(feature = "parquet", feature = "sandbox"))]
mod parquet {
    use super::super::arrow_schema::Shape;
    use super::scalar;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use serde_json::{Map, Value};

    /// Values that fit `shape`: what a vendor may send for it (`None`: the member left out).
    fn fitting(shape: &Shape, required: bool) -> BoxedStrategy<Option<Value>> {
        let value: BoxedStrategy<Value> = match shape {
            Shape::Text => any::<String>().prop_map(Value::from).boxed(),
            Shape::Json => scalar().boxed(),
            Shape::Timestamp => (0i64..4_000_000_000, 0u32..1000, any::<bool>())
                .prop_map(|(s, ms, zulu)| {
                    let t = chrono::DateTime::from_timestamp(s, ms * 1_000_000).unwrap_or_default();
                    let text = if zulu {
                        t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                    } else {
                        t.with_timezone(&chrono::FixedOffset::west_opt(3 * 3600).unwrap())
                            .to_rfc3339()
                    };
                    Value::from(text)
                })
                .boxed(),
            Shape::Date => (1970i32..2100, 1u32..13, 1u32..29)
                .prop_map(|(y, m, d)| Value::from(format!("{y:04}-{m:02}-{d:02}")))
                .boxed(),
            Shape::Integer => any::<i64>().prop_map(Value::from).boxed(),
            Shape::Number => (-1e12f64..1e12).prop_map(Value::from).boxed(),
            Shape::Boolean => any::<bool>().prop_map(Value::from).boxed(),
            Shape::List(item) => prop::collection::vec(fitting(item, true), 0..3)
                .prop_map(|items| Value::from(items.into_iter().flatten().collect::<Vec<_>>()))
                .boxed(),
            Shape::Object(fields) => {
                let members: Vec<_> = fields
                    .iter()
                    .map(|(name, shape, required)| (Just(name.clone()), fitting(shape, *required)))
                    .collect();
                // Members the spec does not name go to `_extra`, kept whole.
                let extra = prop::collection::btree_map("zz_[a-z]{1,5}", scalar(), 0..2);
                (members, extra)
                    .prop_map(|(members, extra)| {
                        let mut object: Map<String, Value> = members
                            .into_iter()
                            .filter_map(|(name, value)| Some((name, value?)))
                            .collect();
                        object.extend(extra);
                        Value::Object(object)
                    })
                    .boxed()
            }
        };
        if required {
            value.prop_map(Some).boxed()
        } else {
            prop_oneof![Just(None), Just(Some(Value::Null)), value.prop_map(Some)].boxed()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn parquet_read_back_gives_the_values_of_rows_of_every_stream_shape(
            stream in prop::sample::select(cxkit::sync::STREAMS.to_vec()),
            seed in any::<u64>(),
        ) {
            let schema = cxkit::schema::self_contained(stream.api, stream.row_type).unwrap();
            let shape = Shape::of(&schema);
            // A row is an object; one without a schema (an open report row) is any object.
            let row = match shape {
                Shape::Object(_) => fitting(&shape, true),
                _ => prop::collection::btree_map("[a-z]{1,6}", scalar(), 0..4)
                    .prop_map(|m| Some(Value::Object(m.into_iter().collect())))
                    .boxed(),
            };
            let strategy = prop::collection::vec(row, 1..4);
            let mut runner = proptest::test_runner::TestRunner::new_with_rng(
                ProptestConfig::default(),
                proptest::test_runner::TestRng::from_seed(
                    proptest::test_runner::RngAlgorithm::ChaCha,
                    &{
                        let mut bytes = [0u8; 32];
                        bytes[..8].copy_from_slice(&seed.to_le_bytes());
                        bytes
                    },
                ),
            );
            let rows: Vec<Value> = strategy
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .into_iter()
                .flatten()
                .collect();
            super::super::parquet::tests::round_trip(stream.api, stream.row_type, rows);
        }
    }
}
