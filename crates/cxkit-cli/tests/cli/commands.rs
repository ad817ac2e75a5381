//! Every command group and format against the sandbox; help pages and completions.

use super::{common::cxkit, jsonl, stdout_of, umask};
use predicates::prelude::*;
use serde_json::{json, Value};

#[test]
fn readme_main_job_exports_a_month_of_history_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("march.csv");
    cxkit()
        .args([
            "--sandbox",
            "zchat",
            "history",
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--format",
            "csv",
            "--output",
        ])
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("wrote"));
    // Created like any file the user makes (not 0600 as a temp file would be).
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o666 & !umask(), "mode {mode:o}");
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    // Every column the spec knows, so no field of a row is dropped.
    assert_eq!(
        header,
        cxkit::schema::known_columns(cxkit::Api::Zchat, "HistoryRow")
    );
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // The default sandbox (seed 1, 10,000 rows over 90 days) has exactly this many in March.
    assert_eq!(rows.len(), 3444);
    let ids: std::collections::HashSet<&str> = rows.iter().map(|r| &r[at("id")]).collect();
    assert_eq!(ids.len(), rows.len(), "no row twice");
    assert!(
        rows.iter()
            .all(|r| r[at("created_at")].starts_with("2024-03-")),
        "every row is in March"
    );
    assert!(
        rows.iter().all(|r| !r[at("agent.name")].is_empty()),
        "nested fields are columns"
    );
    let dir_entries = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(
        dir_entries, 1,
        "no .partial or .checkpoint left after success"
    );
}

#[test]
fn zchat_commands() {
    let rows = jsonl(&[
        "zchat",
        "history",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-02",
        "--channel",
        "whatsapp",
        "--page-size",
        "50",
    ]);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["media"] == "WHATSAPP"));
    let expanded = jsonl(&[
        "zchat",
        "history",
        "--expanded",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-01",
    ]);
    assert!(expanded[0].get("talking_time").is_some());
    let ongoing = jsonl(&["zchat", "ongoing"]);
    assert_eq!(ongoing.len(), 200);
    let report = jsonl(&["zchat", "report", "--group-by", "agent"]);
    assert_eq!(report.last().unwrap()["title"], "Total");
    let id = rows[0]["id"].as_str().unwrap();
    let messages = jsonl(&["zchat", "messages", id]);
    assert_eq!(messages.len(), 3);
}

#[test]
fn converz_commands() {
    let reps = jsonl(&["converz", "reps", "--department", "support"]);
    assert!(!reps.is_empty() && reps.iter().all(|r| r["department"] == "support"));
    let calls = jsonl(&[
        "converz",
        "calls",
        "--start-date",
        "2024-03-01",
        "--end-date",
        "2024-03-01",
        "--campaign",
        "sales",
        "--column",
        "campaign",
        "--metric",
        "sentiment",
    ]);
    assert!(!calls.is_empty());
    assert!(calls.iter().all(|c| c["campaign"] == "sales"
        && c.get("sentiment").is_some()
        && c.get("summary").is_none()));
    let report = jsonl(&[
        "converz",
        "report",
        "--group-by",
        "campaign",
        "--metric",
        "n_calls",
    ]);
    assert!(!report.is_empty() && report.iter().all(|r| r.get("n_calls").is_some()));

    let dir = tempfile::tempdir().unwrap();
    let reps_csv = dir.path().join("reps.csv");
    std::fs::write(&reps_csv, "rep_id,team\nrep001,blue\nrep002,\n").unwrap();
    let chunks = jsonl(&[
        "converz",
        "update-reps",
        "--csv",
        reps_csv.to_str().unwrap(),
    ]);
    assert_eq!(
        chunks,
        vec![json!({"chunk": 1, "first_row": 0, "rows": 2, "status": "sent", "error": null})]
    );
    let calls_csv = dir.path().join("calls.csv");
    std::fs::write(&calls_csv, "call_id,reviewed\n1,yes\n2,no\n3,yes\n").unwrap();
    let chunks = jsonl(&[
        "converz",
        "update-calls",
        "--csv",
        calls_csv.to_str().unwrap(),
    ]);
    assert_eq!(chunks[0]["status"], "sent");
    cxkit()
        .args(["--sandbox", "converz", "update-calls", "--csv"])
        .arg(&reps_csv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("call_id"));
}

#[test]
fn conversion_commands() {
    let created = jsonl(&[
        "conversion",
        "lead",
        "vehicle",
        "--utm-source",
        "ads",
        "--first-name",
        "Ana",
        "--email",
        "ana@new.example",
    ]);
    assert_eq!(created[0]["merged"], false);
    cxkit()
        .args([
            "--sandbox",
            "conversion",
            "lead",
            "retail",
            "--utm-source",
            "ads",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("phone or e-mail"));
    let prospects = jsonl(&[
        "conversion",
        "prospects",
        "--from",
        "2024-01-01",
        "--to",
        "2024-03-31",
        "--data",
        "score>=90",
        "--page-size",
        "20",
    ]);
    assert!(!prospects.is_empty());
    assert!(prospects
        .iter()
        .all(|p| p["additionalData"]["score"].as_u64().unwrap() >= 90));
    let interactions = jsonl(&[
        "conversion",
        "interactions",
        "--via",
        "whatsApp",
        "--page-size",
        "50",
    ]);
    assert!(!interactions.is_empty() && interactions.iter().all(|i| i["via"] == "whatsApp"));
    let one = jsonl(&[
        "conversion",
        "interactions",
        "--prospect",
        prospects[0]["id"].as_str().unwrap(),
    ]);
    assert!(!one.is_empty() && one.iter().all(|i| i["prospectId"] == prospects[0]["id"]));
    let secret = "sandbox-webhook-secret-1234";
    let out = stdout_of(&[
        "--sandbox",
        "--format",
        "jsonl",
        "conversion",
        "subscribe",
        "--url",
        "https://hooks.example.com/in",
        "--secret",
        secret,
        "--topic",
        "prospects",
    ]);
    assert!(out.contains("secret=***") && !out.contains(secret), "{out}");
    let listed = jsonl(&["conversion", "subscriptions"]);
    assert!(
        listed.is_empty(),
        "each --sandbox run starts a fresh sandbox"
    );
    // An empty list in JSON is an empty array, byte for byte.
    let empty = stdout_of(&[
        "--sandbox",
        "--format",
        "json",
        "conversion",
        "subscriptions",
    ]);
    assert_eq!(empty, "[]\n");
}

#[test]
fn every_format() {
    let args = ["zchat", "messages", "202400000042"];
    let table = stdout_of(&[&["--sandbox", "--format", "table"][..], &args].concat());
    assert!(
        table.contains("│") && table.contains("direction"),
        "{table}"
    );
    let json_text = stdout_of(&[&["--sandbox", "--format", "json"][..], &args].concat());
    // One row a line between the brackets (a reader can stream it line by line).
    assert!(
        json_text.starts_with("[\n{") && json_text.ends_with("}\n]\n"),
        "{json_text}"
    );
    let json: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
    // No --format and stdout not a terminal (a pipe here): JSON Lines, the same rows.
    let default = stdout_of(&[&["--sandbox"][..], &args].concat());
    let lines: Vec<Value> = default
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(Value::from(lines), json, "{default}");
    let csv = stdout_of(&[&["--sandbox", "--format", "csv"][..], &args].concat());
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for column in ["id", "time", "direction", "type", "content", "agent.name"] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    // Every row, every cell: the CSV holds what the JSON holds.
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let columns = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 5);
    for (record, row) in records.iter().zip(json.as_array().unwrap()) {
        for (name, cell) in columns.iter().zip(record.iter()) {
            let mut value = row;
            for part in name.split('.') {
                value = &value[part];
            }
            let expected = match value {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(cell, expected, "{name}");
        }
    }
    let picked = stdout_of(
        &[
            &["--sandbox", "--format", "csv", "--columns", "direction,id"][..],
            &args,
        ]
        .concat(),
    );
    assert!(
        picked.starts_with("direction,id\n"),
        "--columns picks and orders: {picked}"
    );
    let lines = stdout_of(&[&["--sandbox", "--format", "jsonl"][..], &args].concat());
    assert!(lines.lines().next().is_some());
    assert!(lines
        .lines()
        .all(|l| serde_json::from_str::<Value>(l).is_ok()));
    let empty: Value = serde_json::from_str(&stdout_of(&[
        "--sandbox",
        "--format",
        "json",
        "zchat",
        "history",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-02",
    ]))
    .unwrap();
    assert_eq!(empty, json!([]));
}

#[test]
fn help_has_examples_and_completions_generate() {
    for cmd in [
        &["zchat", "history"][..],
        &["converz", "calls"],
        &["conversion", "lead"],
        &["webhook", "listen"],
        &["converz", "update-reps"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        assert!(stdout_of(&args).contains("Example"), "{cmd:?}");
    }
    assert!(stdout_of(&["--help"]).contains("Exit codes"));
    assert!(stdout_of(&["completions", "bash"]).contains("cxkit"));
    cxkit().args(["zchat", "histroy"]).assert().code(2);
}
