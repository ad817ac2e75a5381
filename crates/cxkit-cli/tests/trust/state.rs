//! `--state` bound to what it covers, and a cursor that a future-dated row cannot poison.

use crate::common::cxkit;
use httpmock::prelude::*;
use predicates::prelude::*;
use serde_json::{json, Value};

fn history(rows: &[(&str, &str)]) -> Value {
    let data: Vec<Value> = rows
        .iter()
        .map(|(id, created)| json!({"id": id, "created_at": created}))
        .collect();
    json!({"success": true, "data": data})
}

fn export(server: &MockServer, state: &std::path::Path, extra: &[&str]) -> Vec<String> {
    let output = cxkit()
        .args([
            "--zchat-token",
            "zt-state-SECRET-1",
            "--zchat-base-url",
            &server.base_url(),
        ])
        .args(["--format", "jsonl", "--quiet", "--state"])
        .arg(state)
        .args(["zchat", "history", "--from", "2024-03-01"])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_future_dated_row_is_written_once_but_cannot_move_the_cursor_past_the_run() {
    let server = MockServer::start();
    let mut first_page = server.mock(|when, then| {
        when.path("/history");
        then.status(200).json_body(history(&[
            ("p1", "2024-03-02 10:00:00"),
            ("test-record", "2099-01-01 00:00:00"),
        ]));
    });
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("history.state");
    let before = chrono::Utc::now();
    assert_eq!(export(&server, &state, &[]), ["p1", "test-record"]);
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let cursor: chrono::DateTime<chrono::Utc> = saved["cursor"].as_str().unwrap().parse().unwrap();
    assert!(
        cursor >= before && cursor <= chrono::Utc::now(),
        "bounded by the run: {cursor}"
    );

    // The next run still asks from before now, gets a row that arrived since, and does not
    // write the future-dated one again.
    first_page.delete();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    server.mock(|when, then| {
        when.path("/history");
        then.status(200).json_body(history(&[
            ("test-record", "2099-01-01 00:00:00"),
            ("p2", now.as_str()),
        ]));
    });
    assert_eq!(export(&server, &state, &[]), ["p2"]);
}

#[test]
fn a_state_file_made_with_other_filters_or_another_api_is_refused_with_a_way_out() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/history");
        then.status(200)
            .json_body(history(&[("p1", "2024-03-02 10:00:00")]));
    });
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("history.state");
    assert_eq!(export(&server, &state, &["--channel", "WHATSAPP"]), ["p1"]);
    let saved = std::fs::read(&state).unwrap();

    // Each refusal names what differs, and only that.
    let refused = |base_url: &str, extra: &[&str], filters: bool, origin: bool| {
        cxkit()
            .args([
                "--zchat-token",
                "zt-state-SECRET-1",
                "--zchat-base-url",
                base_url,
            ])
            .arg("--state")
            .arg(&state)
            .args(["zchat", "history", "--from", "2024-03-01"])
            .args(extra)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("belongs to another export")
                    .and(predicate::str::contains("delete it"))
                    .and(predicate::str::contains("SECRET").not())
                    .and(predicate::function(move |e: &str| {
                        e.contains("its rows were selected by") == filters
                            && e.contains("this run reads") == origin
                    })),
            );
    };
    refused(&server.base_url(), &["--channel", "EMAIL"], true, false);
    refused(&server.base_url(), &[], true, false);
    let other_tenant = MockServer::start();
    refused(
        &other_tenant.base_url(),
        &["--channel", "WHATSAPP"],
        false,
        true,
    );
    refused(
        &other_tenant.base_url(),
        &["--channel", "EMAIL"],
        true,
        true,
    );
    assert_eq!(std::fs::read(&state).unwrap(), saved, "left as it was");
    // The same filters in another order, another period or page size: the same export.
    export(
        &server,
        &state,
        &["--page-size", "10", "--channel", "WHATSAPP"],
    );
}
