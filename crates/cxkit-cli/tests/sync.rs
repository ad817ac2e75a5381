//! Incremental exports (`--state`) and the Airbyte source (`cxkit airbyte …`) against the
//! embedded sandbox: runs that continue from a state neither skip nor repeat a row.
#![cfg(feature = "sandbox")]

mod common;

use common::cxkit;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids(rows: &[Value], key: &str) -> Vec<String> {
    rows.iter().map(|r| r[key].to_string()).collect()
}

/// Runs `args` (after `--sandbox --format jsonl`) into `out`, with `--state state`.
fn export(args: &[&str], out: &Path, state: &Path) -> Vec<Value> {
    cxkit()
        .args(["--sandbox", "--quiet", "--format", "jsonl", "--output"])
        .arg(out)
        .arg("--state")
        .arg(state)
        .args(args)
        .assert()
        .success();
    read_jsonl(out)
}

/// A first run over part of a period and a second, from its state, over the whole period
/// together write exactly the rows of one run over the whole period: none skipped, none
/// repeated across the overlap the second run re-reads.
fn two_runs_equal_one(
    command: &[&'static str],
    first: &[&'static str],
    whole: &[&'static str],
    key: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let with = |extra: &[&'static str]| -> Vec<&'static str> { [command, extra].concat() };
    let a = export(&with(first), &dir.path().join("a.jsonl"), &state);
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert!(saved["cursor"].is_string(), "{saved}");
    let b = export(&with(whole), &dir.path().join("b.jsonl"), &state);

    let full_state = dir.path().join("unused.json");
    let full = export(&with(whole), &dir.path().join("full.jsonl"), &full_state);
    assert!(
        !a.is_empty() && !b.is_empty(),
        "{} then {}",
        a.len(),
        b.len()
    );
    let mut both = ids(&a, key);
    both.extend(ids(&b, key));
    let unique: BTreeSet<_> = both.iter().cloned().collect();
    assert_eq!(unique.len(), both.len(), "a row was written twice");
    let expected: BTreeSet<_> = ids(&full, key).into_iter().collect();
    assert_eq!(unique, expected, "rows skipped or invented");

    // A third run finds nothing new and keeps the cursor.
    let after_b: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let c = export(&with(whole), &dir.path().join("c.jsonl"), &state);
    assert_eq!(c.len(), 0);
    let again: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(again["cursor"], after_b["cursor"]);
}

#[test]
fn zchat_history_continues_from_its_state() {
    two_runs_equal_one(
        &["zchat", "history"],
        &["--from", "2024-03-01", "--to", "2024-03-10"],
        &["--from", "2024-03-01", "--to", "2024-03-20"],
        "id",
    );
}

#[test]
fn conversion_prospects_continue_from_their_state() {
    two_runs_equal_one(
        &["conversion", "prospects"],
        &["--from", "2024-02-01", "--to", "2024-02-20"],
        &["--from", "2024-02-01", "--to", "2024-03-31"],
        "id",
    );
}

#[test]
fn converz_calls_continue_from_their_state() {
    two_runs_equal_one(
        &["converz", "calls"],
        &["--start-date", "2024-03-01", "--end-date", "2024-03-10"],
        &["--start-date", "2024-03-01", "--end-date", "2024-03-20"],
        "call_id",
    );
}

#[test]
fn state_files_are_refused_where_they_cannot_work() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let run = |args: &[&str]| {
        cxkit()
            .args(["--sandbox", "--format", "jsonl", "--state"])
            .arg(&state)
            .args(args)
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone()
    };
    let stderr = run(&["converz", "reps"]);
    assert!(String::from_utf8_lossy(&stderr).contains("full refresh only"));
    let out = dir.path().join("x.jsonl");
    let stderr = run(&[
        "zchat",
        "history",
        "--resume",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&stderr).contains("--resume"));
    std::fs::write(&state, r#"{"stream": "conversion_prospects"}"#).unwrap();
    let stderr = run(&["zchat", "history"]);
    assert!(String::from_utf8_lossy(&stderr).contains("follows `conversion_prospects`"));
    // Refused runs leave the state as it was.
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        r#"{"stream": "conversion_prospects"}"#
    );
}

#[test]
fn a_failed_export_leaves_the_state_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    cxkit()
        .args(["--sandbox", "--format", "jsonl", "--state"])
        .arg(&state)
        .args(["--output", "/nonexistent-dir/out.jsonl", "zchat", "history"])
        .assert()
        .code(5);
    assert!(!state.exists());
}

/// `cxkit airbyte …`'s stdout as messages.
fn airbyte(args: &[&str], dir: &Path, code: i32) -> Vec<Value> {
    let out = cxkit()
        .current_dir(dir)
        .arg("airbyte")
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    messages(&out)
}

/// Airbyte messages, one per line of `stdout`.
fn messages(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A directory holding `config.json`: the embedded sandbox, read from 2024-03-01.
fn sandbox_config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        json!({"sandbox": true, "start_date": "2024-03-01T00:00:00Z"}).to_string(),
    )
    .unwrap();
    dir
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn of_type<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["type"] == kind).collect()
}

#[test]
fn airbyte_spec_discover_and_two_reads_without_a_repeat() {
    let dir = sandbox_config();
    let d = dir.path();

    let spec = airbyte(&["spec"], d, 0);
    assert_eq!(spec.len(), 1);
    let properties = &spec[0]["spec"]["connectionSpecification"]["properties"];
    assert_eq!(
        properties["zchat"]["properties"]["token"]["airbyte_secret"],
        true
    );
    assert_eq!(
        properties["converz"]["properties"]["api_key"]["airbyte_secret"],
        true
    );
    assert_eq!(properties["concurrency"]["default"], 4);
    std::fs::write(
        d.join("eager.json"),
        r#"{"sandbox": true, "concurrency": 0}"#,
    )
    .unwrap();
    let refused = airbyte(&["check", "--config", "eager.json"], d, 0);
    assert!(
        refused
            .iter()
            .any(|m| m.to_string().contains("concurrency 0 is outside 1..=64")),
        "{refused:?}"
    );

    let status = airbyte(&["check", "--config", "config.json"], d, 0);
    assert_eq!(status[0]["connectionStatus"]["status"], "SUCCEEDED");

    let catalog = airbyte(&["discover", "--config", "config.json"], d, 0);
    let streams = catalog[0]["catalog"]["streams"].as_array().unwrap().clone();
    let names: Vec<&str> = streams
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = cxkit::sync::STREAMS.iter().map(|s| s.name).collect();
    assert_eq!(names, expected);

    let configured: Vec<Value> = streams
        .iter()
        .filter(|s| {
            ["zchat_history", "conversion_prospects", "converz_reps"]
                .contains(&s["name"].as_str().unwrap())
        })
        .map(|s| {
            // Every stream asked for incremental, as PyAirbyte does: a stream without a cursor
            // is read in full.
            json!({
                "stream": s,
                "sync_mode": "incremental",
                "destination_sync_mode": "append",
                "cursor_field": s.get("default_cursor_field").cloned().unwrap_or(json!([])),
            })
        })
        .collect();
    std::fs::write(
        d.join("catalog.json"),
        json!({"streams": configured}).to_string(),
    )
    .unwrap();

    let before = now_ms();
    let first = airbyte(
        &[
            "read",
            "--config",
            "config.json",
            "--catalog",
            "catalog.json",
        ],
        d,
        0,
    );
    let after = now_ms();
    let records = of_type(&first, "RECORD");
    let mut per_stream: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &records {
        *per_stream
            .entry(r["record"]["stream"].as_str().unwrap())
            .or_default() += 1;
        // Destinations order and dedupe by it: the time the record was read, in ms.
        let emitted = r["record"]["emitted_at"].as_i64().unwrap();
        assert!(
            (before..=after).contains(&emitted),
            "{emitted} not in {before}..={after}"
        );
    }
    for t in of_type(&first, "TRACE") {
        let emitted = t["trace"]["emitted_at"].as_f64().unwrap() as i64;
        assert!((before..=after).contains(&emitted), "{t}");
    }
    assert_eq!(per_stream.len(), 3, "{per_stream:?}");
    // Each stream's STATE comes after its records and counts them.
    let states = of_type(&first, "STATE");
    assert_eq!(states.len(), 2, "one per incremental stream");
    for state in &states {
        let name = state["state"]["stream"]["stream_descriptor"]["name"]
            .as_str()
            .unwrap();
        let position = first.iter().position(|m| m == *state).unwrap();
        assert!(first[position..]
            .iter()
            .all(|m| m["record"]["stream"] != name));
        assert_eq!(
            state["state"]["sourceStats"]["recordCount"]
                .as_f64()
                .unwrap() as usize,
            per_stream[name]
        );
    }
    let state_list: Vec<&Value> = states.iter().map(|s| &s["state"]).collect();
    std::fs::write(
        d.join("state.json"),
        serde_json::to_string(&state_list).unwrap(),
    )
    .unwrap();

    let second = airbyte(
        &[
            "read",
            "--config",
            "config.json",
            "--catalog",
            "catalog.json",
            "--state",
            "state.json",
        ],
        d,
        0,
    );
    let again: Vec<&str> = of_type(&second, "RECORD")
        .iter()
        .map(|r| r["record"]["stream"].as_str().unwrap())
        .collect();
    // The full-refresh stream is read again; the incremental ones have nothing new.
    assert_eq!(again.len(), per_stream["converz_reps"]);
    assert!(again.iter().all(|s| *s == "converz_reps"));
    let statuses: Vec<&str> = of_type(&second, "TRACE")
        .iter()
        .filter_map(|t| t["trace"]["stream_status"]["status"].as_str())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "COMPLETE").count(), 3);
}

#[test]
fn airbyte_failures_are_typed_and_never_show_the_credential() {
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(401)
            .json_body(json!({"code": "unauthorized", "error": "invalid API key"}));
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = "k-0123456789abcdef-secret";
    std::fs::write(
        d.join("config.json"),
        json!({"converz": {"api_key": key, "base_url": server.base_url()}}).to_string(),
    )
    .unwrap();
    let status = airbyte(&["check", "--config", "config.json"], d, 0);
    assert_eq!(status[0]["connectionStatus"]["status"], "FAILED");
    assert!(status[0]["connectionStatus"]["message"]
        .as_str()
        .unwrap()
        .contains("invalid API key"));

    let stream = json!({"name": "converz_reps", "json_schema": {}, "supported_sync_modes": ["full_refresh"]});
    let catalog = json!({"streams": [
        {"stream": stream, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"},
        {"stream": {"name": "zchat_history", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
         "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"},
    ]});
    std::fs::write(d.join("catalog.json"), catalog.to_string()).unwrap();
    let read = airbyte(
        &[
            "read",
            "--config",
            "config.json",
            "--catalog",
            "catalog.json",
        ],
        d,
        3,
    );
    let errors: Vec<&Value> = of_type(&read, "TRACE")
        .into_iter()
        .filter(|t| t["trace"]["type"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 2, "{read:?}");
    for e in &errors {
        assert_eq!(e["trace"]["error"]["failure_type"], "config_error", "{e}");
    }
    assert!(of_type(&read, "TRACE")
        .iter()
        .any(|t| t["trace"]["stream_status"]["status"] == "INCOMPLETE"));
    let everything =
        serde_json::to_string(&read).unwrap() + &serde_json::to_string(&status).unwrap();
    assert!(!everything.contains(key));

    std::fs::write(d.join("bad.json"), "{\"sandbox\": \"yes\"}").unwrap();
    let bad = airbyte(&["discover", "--config", "bad.json"], d, 3);
    assert_eq!(bad[0]["trace"]["error"]["failure_type"], "config_error");
}

/// `cxkit airbyte read … | head -1`: the reader going away is not a failure (exit 0, nothing on
/// stderr), as for every Unix filter.
#[test]
fn a_reader_that_goes_away_ends_the_read_quietly() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("config.json"), r#"{"sandbox": true}"#).unwrap();
    let catalog = airbyte(&["discover", "--config", "config.json"], d, 0);
    let configured: Vec<Value> = catalog[0]["catalog"]["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!({"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}))
        .collect();
    std::fs::write(
        d.join("catalog.json"),
        json!({"streams": configured}).to_string(),
    )
    .unwrap();
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("cxkit"));
    for var in common::ENVIRONMENT {
        command.env_remove(var);
    }
    let mut child = command
        .current_dir(d)
        .args([
            "airbyte",
            "read",
            "--config",
            "config.json",
            "--catalog",
            "catalog.json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with('{'), "{first}");
    // The reader is dropped here: the rest of the read (far more than a pipe buffers) meets a
    // closed pipe.
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each stream's statuses come in protocol order (`STARTED`, `RUNNING` once before its first
/// record, `COMPLETE`), and a catalog asking for a cursor other than the source's is told
/// which one is used, while one asking for the source's own (or none) hears nothing.
#[test]
fn airbyte_statuses_come_in_order_and_only_a_foreign_cursor_is_named() {
    let dir = sandbox_config();
    let d = dir.path();
    let catalog = airbyte(&["discover", "--config", "config.json"], d, 0);
    let history = catalog[0]["catalog"]["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "zchat_history")
        .unwrap()
        .clone();
    let source_cursor = history["default_cursor_field"].clone();
    for (asked, named) in [
        (json!(["not_the_cursor"]), true),
        (source_cursor, false),
        (json!([]), false),
    ] {
        let configured = json!({"streams": [{"stream": history, "sync_mode": "incremental",
            "destination_sync_mode": "append", "cursor_field": asked}]});
        std::fs::write(d.join("catalog.json"), configured.to_string()).unwrap();
        let out = cxkit()
            .current_dir(d)
            .args([
                "airbyte",
                "read",
                "--config",
                "config.json",
                "--catalog",
                "catalog.json",
            ])
            .assert()
            .success()
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.contains("the cursor is source-defined, using `created_at`"),
            named,
            "{asked}: {stderr}"
        );
        let messages = messages(&out.stdout);
        let sequence: Vec<String> = messages
            .iter()
            .filter_map(|m| match m["type"].as_str().unwrap() {
                "RECORD" => Some("record".to_owned()),
                "TRACE" => m["trace"]["stream_status"]["status"]
                    .as_str()
                    .map(str::to_owned),
                _ => None,
            })
            .collect();
        let records = sequence.iter().filter(|s| *s == "record").count();
        assert!(records > 0);
        let mut expected = vec!["STARTED".to_owned(), "RUNNING".to_owned()];
        expected.extend(std::iter::repeat_n("record".to_owned(), records));
        expected.push("COMPLETE".to_owned());
        assert_eq!(sequence, expected, "{asked}");
    }
}
