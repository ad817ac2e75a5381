//! `--format parquet`: rows shaped to the spec's schema ([`arrow_schema`](super::arrow_schema)),
//! read from their JSON text into Arrow batches ([`arrow_rows`](super::arrow_rows)) and
//! written as row groups while the list streams, so memory is bounded by one batch and one row
//! group whatever the list's length.

use super::arrow_rows::Rows;
use super::arrow_schema::Shape;
use super::{Columns, Spec};
use crate::error::CliError;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde_json::Value;
use std::fs::File;
use std::sync::Arc;

/// Rows per Arrow batch handed to the writer.
const BATCH_ROWS: usize = 8 * 1024;
/// Rows per Parquet row group (each is written out once full).
const ROW_GROUP_ROWS: usize = 64 * 1024;

/// The JSON Schema of the rows `spec` exports to Parquet; refuses what Parquet cannot do.
pub fn schema_for_spec(spec: &Spec<'_>) -> Result<Value, CliError> {
    if spec.path.is_none() {
        return Err(CliError::usage("--format parquet needs --output FILE"));
    }
    if spec.resume {
        return Err(CliError::usage(
            "--resume does not apply to parquet (a Parquet file cannot be continued): \
             run the export again",
        ));
    }
    if spec.select.is_some() {
        return Err(CliError::usage(
            "--columns does not apply to parquet: the file has every column of the spec",
        ));
    }
    match spec.columns {
        Columns::Schema(api, name) => cxkit::schema::self_contained(api, name)
            .ok_or_else(|| CliError::usage(format!("no schema for {name}"))),
        Columns::FromRows => Err(CliError::usage(
            "this command's rows have no schema in the spec: use json, jsonl or csv",
        )),
    }
}

/// A Parquet file being written.
pub struct ParquetOut {
    rows: Rows,
    writer: ArrowWriter<File>,
    /// A row failed half-way: the batch being gathered is unusable.
    broken: bool,
}

impl ParquetOut {
    /// A writer into `file` for rows of `json_schema`.
    pub fn create(file: File, json_schema: &Value) -> Result<Self, CliError> {
        let shape = Shape::of(json_schema);
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer = ArrowWriter::try_new(file, Arc::new(shape.schema()), Some(properties))
            .map_err(|e| CliError::io(format!("parquet: {e}")))?;
        Ok(Self {
            rows: Rows::new(&shape),
            writer,
            broken: false,
        })
    }

    /// Adds the row whose JSON text is `row`; a row that does not fit the spec's types is an
    /// error naming the field.
    pub fn write_json(&mut self, row: &str) -> Result<(), CliError> {
        if self.broken {
            return Err(CliError::io("parquet: a previous row failed"));
        }
        if let Err(e) = self.rows.push(row) {
            self.broken = true;
            return Err(CliError::io(format!(
                "parquet: a row does not fit the spec: {e}"
            )));
        }
        if self.rows.len() >= BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<(), CliError> {
        if self.rows.len() == 0 {
            return Ok(());
        }
        let batch = self
            .rows
            .take()
            .map_err(|e| CliError::io(format!("parquet: {e}")))?;
        self.writer
            .write(&batch)
            .map_err(|e| CliError::io(format!("parquet: {e}")))
    }

    /// Writes what is pending and the footer; the file, synced.
    pub fn finish(mut self) -> Result<File, CliError> {
        if self.broken {
            return Err(CliError::io("parquet: a row failed"));
        }
        self.flush_batch()?;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| CliError::io(format!("parquet: {e}")))?;
        file.sync_all()
            .map_err(|e| CliError::io(format!("parquet: {e}")))?;
        Ok(file)
    }
}

// Two attributes, not `all(test, …)`: cargo-mutants skips `#[cfg(test)]` code only.
#[cfg(test)]
#[cfg(feature = "sandbox")]
pub(super) mod tests {
    //! Rows the sandbox serves, written to Parquet and read back: every field comes back with
    //! its value (date-times as the same instants, untyped values from their JSON text,
    //! unnamed fields from `_extra`).

    use super::super::arrow_schema::{Shape, EXTRA};
    use super::*;
    use cxkit::Api;
    use futures::{StreamExt, TryStreamExt};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use serde_json::Map;

    /// `value` read back from Parquet turned into the JSON it came from.
    fn restore(shape: &Shape, value: Value) -> Value {
        match (shape, value) {
            (_, Value::Null) => Value::Null,
            (Shape::Json, Value::String(text)) => serde_json::from_str(&text).unwrap(),
            // A row with no schema is one column of its JSON text.
            (Shape::Json, Value::Object(mut row)) if row.len() == 1 => match row.remove("value") {
                Some(Value::String(text)) => serde_json::from_str(&text).unwrap(),
                other => panic!("a row without a schema read back as {other:?}"),
            },
            (Shape::Timestamp, Value::String(text)) => {
                Value::from(cxkit::sync::parse_time(&text).unwrap().timestamp_micros())
            }
            (Shape::List(item), Value::Array(items)) => {
                Value::Array(items.into_iter().map(|v| restore(item, v)).collect())
            }
            (Shape::Object(fields), Value::Object(mut map)) => {
                let mut out = Map::new();
                if let Some(Value::String(extra)) = map.remove(EXTRA) {
                    out = serde_json::from_str(&extra).unwrap();
                }
                for (name, shape, _) in fields {
                    if let Some(v) = map.remove(name) {
                        out.insert(name.clone(), restore(shape, v));
                    }
                }
                Value::Object(out)
            }
            (_, v) => v,
        }
    }

    /// `value` as the comparison sees it: no nulls, date-times as instants.
    fn normal(shape: &Shape, value: Value) -> Value {
        match (shape, value) {
            (Shape::Timestamp, Value::String(text)) => {
                Value::from(cxkit::sync::parse_time(&text).unwrap().timestamp_micros())
            }
            (Shape::List(item), Value::Array(items)) => {
                Value::Array(items.into_iter().map(|v| normal(item, v)).collect())
            }
            (Shape::Object(fields), Value::Object(map)) => Value::Object(
                map.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| {
                        let shape = fields.iter().find(|(n, _, _)| *n == k);
                        let v = shape.map_or(v.clone(), |(_, s, _)| normal(s, v));
                        (k, v)
                    })
                    .collect(),
            ),
            (_, v) => v,
        }
    }

    fn drop_nulls(value: Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k, drop_nulls(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(drop_nulls).collect()),
            v => v,
        }
    }

    pub(in crate::output) fn round_trip(api: Api, row_type: &str, rows: Vec<Value>) {
        assert!(!rows.is_empty(), "{row_type}: no rows to test with");
        let schema = cxkit::schema::self_contained(api, row_type).unwrap();
        let shape = Shape::of(&schema);
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut out = ParquetOut::create(file.reopen().unwrap(), &schema).unwrap();
        for row in &rows {
            out.write_json(&row.to_string()).unwrap();
        }
        out.finish().unwrap();

        let reader = ParquetRecordBatchReaderBuilder::try_new(file.reopen().unwrap())
            .unwrap()
            .build()
            .unwrap();
        let mut bytes = Vec::new();
        let mut writer = arrow_json::LineDelimitedWriter::new(&mut bytes);
        for batch in reader {
            writer.write(&batch.unwrap()).unwrap();
        }
        writer.finish().unwrap();
        let back: Vec<Value> = String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| restore(&shape, serde_json::from_str(l).unwrap()))
            .map(drop_nulls)
            .collect();
        assert_eq!(back.len(), rows.len(), "{row_type}: row count");
        for (got, want) in back.into_iter().zip(rows) {
            let want = drop_nulls(normal(&shape, want));
            assert_eq!(drop_nulls(normal(&shape, got)), want, "{row_type}");
        }
    }

    fn values<T: serde::Serialize>(rows: Vec<T>) -> Vec<Value> {
        rows.into_iter()
            .map(|r| serde_json::to_value(r).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn sandbox_rows_come_back_from_parquet_with_every_field() {
        let sandbox = cxkit_sandbox::Sandbox::start().await.unwrap();
        let keys = sandbox.credentials();
        let zchat = cxkit::zchat::Client::builder()
            .token(keys.zchat_token.clone())
            .base_url(sandbox.zchat_base_url())
            .build()
            .unwrap();
        let converz = cxkit::converz::Client::builder()
            .api_key(keys.converz_api_key.clone())
            .base_url(sandbox.converz_base_url())
            .build()
            .unwrap();
        let conversion = cxkit::conversion::Client::builder()
            .api_key(keys.conversion_api_key.clone())
            .base_url(sandbox.conversion_base_url())
            .build()
            .unwrap();
        let history: Vec<_> = zchat
            .history(cxkit::zchat::HistoryQuery::new().page_size(500))
            .take(1500)
            .try_collect()
            .await
            .unwrap();
        round_trip(Api::Zchat, "HistoryRow", values(history));
        let expanded: Vec<_> = zchat
            .history_expanded(cxkit::zchat::HistoryQuery::new())
            .take(500)
            .try_collect()
            .await
            .unwrap();
        round_trip(Api::Zchat, "ExpandedHistoryRow", values(expanded));
        let calls: Vec<_> = converz
            .calls(cxkit::converz::CallQuery::new())
            .take(500)
            .try_collect()
            .await
            .unwrap();
        round_trip(Api::Converz, "Call", values(calls));
        let prospects: Vec<_> = conversion
            .prospects(cxkit::conversion::ProspectQuery::new())
            .try_collect()
            .await
            .unwrap();
        round_trip(Api::Conversion, "Prospect", values(prospects));
        let interactions: Vec<_> = conversion
            .interactions(cxkit::conversion::InteractionQuery::new())
            .try_collect()
            .await
            .unwrap();
        round_trip(Api::Conversion, "Interaction", values(interactions));
    }

    #[test]
    fn an_empty_export_has_the_spec_schema() {
        let schema = cxkit::schema::self_contained(Api::Conversion, "Prospect").unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        ParquetOut::create(file.reopen().unwrap(), &schema)
            .unwrap()
            .finish()
            .unwrap();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file.reopen().unwrap()).unwrap();
        assert_eq!(
            builder.schema().as_ref(),
            &Shape::of(&schema).schema(),
            "same schema with no rows"
        );
        assert_eq!(builder.metadata().file_metadata().num_rows(), 0);
    }
}
