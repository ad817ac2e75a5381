//! `--format parquet` end to end: the file holds every row the JSON Lines export holds, with
//! its values typed by the spec; what Parquet cannot do is refused before anything is fetched.

use super::{common::cxkit, jsonl};
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use predicates::prelude::*;

const HISTORY: [&str; 6] = [
    "zchat",
    "history",
    "--from",
    "2024-03-01",
    "--to",
    "2024-03-02",
];

fn read(path: &std::path::Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_parquet_export_holds_every_row_with_its_typed_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.parquet");
    cxkit()
        .args(["--sandbox", "--quiet", "--format", "parquet", "--output"])
        .arg(&file)
        .args(HISTORY)
        .assert()
        .success();
    let rows = jsonl(&HISTORY);
    assert!(rows.len() > 100, "{} rows", rows.len());

    let batches = read(&file);
    let mut at = 0;
    for batch in &batches {
        let ids = batch
            .column_by_name("id")
            .unwrap()
            .as_string::<i32>()
            .clone();
        let agent = batch.column_by_name("agent").unwrap().as_struct().clone();
        let agent_names = agent.column_by_name("name").unwrap().as_string::<i32>();
        for i in 0..batch.num_rows() {
            let row = &rows[at];
            assert_eq!(ids.value(i), row["id"].as_str().unwrap(), "row {at}");
            match row["agent"]["name"].as_str() {
                Some(name) => assert_eq!(agent_names.value(i), name, "row {at}"),
                None => assert!(agent.is_null(i) || agent_names.is_null(i), "row {at}"),
            }
            at += 1;
        }
    }
    assert_eq!(at, rows.len(), "every row, once");
}

#[test]
fn date_times_the_spec_declares_are_parquet_timestamps_of_the_same_instant() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prospects.parquet");
    let list = [
        "conversion",
        "prospects",
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-01",
    ];
    cxkit()
        .args(["--sandbox", "--quiet", "--format", "parquet", "--output"])
        .arg(&file)
        .args(list)
        .assert()
        .success();
    let rows = jsonl(&list);
    assert!(!rows.is_empty());
    let mut at = 0;
    for batch in read(&file) {
        let created = batch.column_by_name("created").unwrap().clone();
        let created = created.as_primitive::<TimestampMicrosecondType>();
        for i in 0..batch.num_rows() {
            let sent = rows[at]["created"].as_str().unwrap();
            let sent = cxkit::sync::parse_time(sent).unwrap();
            assert_eq!(created.value(i), sent.timestamp_micros(), "row {at}");
            at += 1;
        }
    }
    assert_eq!(at, rows.len());
}

#[test]
fn what_parquet_cannot_do_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.parquet");
    let refused = |extra: &[&str], list: &[&str], words: &str| {
        cxkit()
            .args(["--sandbox", "--format", "parquet"])
            .args(extra)
            .args(list)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(words));
        assert!(!file.exists(), "{words}: nothing written");
    };
    let output = ["--output", file.to_str().unwrap()];
    refused(&[], &HISTORY, "--format parquet needs --output FILE");
    refused(
        &[&output[..], &["--resume"]].concat(),
        &HISTORY,
        "a Parquet file cannot be continued",
    );
    refused(
        &[&output[..], &["--columns", "id"]].concat(),
        &HISTORY,
        "--columns does not apply to parquet",
    );
    refused(
        &output,
        &["conversion", "topics"],
        "this command's rows have no schema in the spec",
    );
}
