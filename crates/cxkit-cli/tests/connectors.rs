//! The connectors (`cxkit airbyte read`, `cxkit singer`) against a sandbox where one vendor
//! fails: the others' streams are read and their state saved; the failed stream's state never
//! moves; a second run from the saved state repeats no record; a lookback re-reads.
#![cfg(feature = "sandbox")]

mod common;

use common::cxkit;
use serde_json::{json, Value};
use std::path::Path;

/// A sandbox on loopback, kept serving while the returned runtime lives.
fn sandbox() -> (tokio::runtime::Runtime, cxkit_sandbox::Sandbox) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(cxkit_sandbox::Sandbox::start()).unwrap();
    (runtime, sandbox)
}

/// zchat as the sandbox serves it; Converz with a key the sandbox refuses (401).
fn config(dir: &Path, sandbox: &cxkit_sandbox::Sandbox, extra: Value) -> std::path::PathBuf {
    let mut config = json!({
        "start_date": "2024-01-01T00:00:00Z",
        "zchat": {"token": sandbox.credentials().zchat_token, "base_url": sandbox.zchat_base_url()},
        "converz": {"api_key": "refused-key-0123456789", "base_url": sandbox.converz_base_url()},
    });
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    let path = dir.join("config.json");
    std::fs::write(&path, config.to_string()).unwrap();
    path
}

fn messages(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn records(messages: &[Value], stream: &str) -> usize {
    messages
        .iter()
        .filter(|m| m["type"] == "RECORD")
        .filter(|m| m["record"]["stream"] == stream || m["stream"] == stream)
        .count()
}

const STREAMS: [&str; 2] = ["zchat_history", "converz_calls"];

#[test]
fn airbyte_a_failed_stream_keeps_its_state_and_the_others_move_on() {
    let (_runtime, sandbox) = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &sandbox, json!({}));
    let catalog = dir.path().join("catalog.json");
    let streams: Vec<Value> = STREAMS
        .iter()
        .map(|name| json!({"stream": {"name": name}, "sync_mode": "incremental", "cursor_field": null}))
        .collect();
    std::fs::write(&catalog, json!({ "streams": streams }).to_string()).unwrap();
    let read = |state: Option<&Path>| {
        let mut cmd = cxkit();
        cmd.args(["airbyte", "read", "--config"])
            .arg(&config)
            .arg("--catalog")
            .arg(&catalog);
        if let Some(state) = state {
            cmd.arg("--state").arg(state);
        }
        let out = cmd.assert().failure().get_output().clone();
        assert!(!String::from_utf8_lossy(&out.stderr).contains("refused-key-0123456789"));
        messages(&out.stdout)
    };
    let first = read(None);
    assert!(records(&first, "zchat_history") > 0);
    assert_eq!(records(&first, "converz_calls"), 0);
    let states: Vec<&Value> = first.iter().filter(|m| m["type"] == "STATE").collect();
    let named: Vec<&str> = states
        .iter()
        .map(|s| {
            s["state"]["stream"]["stream_descriptor"]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(named, ["zchat_history"], "no state for the failed stream");
    let error = first
        .iter()
        .find(|m| m["type"] == "TRACE" && m["trace"]["type"] == "ERROR")
        .unwrap();
    assert_eq!(
        error["trace"]["error"]["stream_descriptor"]["name"],
        "converz_calls"
    );

    // From the saved state (plus an old one for the failed stream, kept as it was).
    let state_file = dir.path().join("state.json");
    let mut saved: Vec<Value> = states.iter().map(|s| s["state"].clone()).collect();
    let old = json!({"type": "STREAM", "stream": {"stream_descriptor": {"name": "converz_calls"},
        "stream_state": {"cursor": "2024-02-01T00:00:00Z"}}});
    saved.push(old);
    std::fs::write(&state_file, serde_json::to_string(&saved).unwrap()).unwrap();
    let second = read(Some(&state_file));
    assert_eq!(
        records(&second, "zchat_history"),
        0,
        "nothing new, nothing repeated"
    );
    assert!(second.iter().all(|m| m["type"] != "STATE"
        || m["state"]["stream"]["stream_descriptor"]["name"] != "converz_calls"));
}

#[test]
fn singer_a_failed_stream_keeps_its_bookmark_and_a_lookback_reads_again() {
    let (_runtime, sandbox) = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.json");
    let entries: Vec<Value> = STREAMS
        .iter()
        .map(|name| json!({"tap_stream_id": name, "metadata": [{"breadcrumb": [], "metadata": {"selected": true}}]}))
        .collect();
    std::fs::write(&catalog, json!({ "streams": entries }).to_string()).unwrap();
    let sync = |config: &Path, state: Option<&Path>| {
        let mut cmd = cxkit();
        cmd.args(["singer", "--config"])
            .arg(config)
            .arg("--catalog")
            .arg(&catalog);
        if let Some(state) = state {
            cmd.arg("--state").arg(state);
        }
        messages(&cmd.assert().failure().get_output().stdout)
    };
    let plain = config(dir.path(), &sandbox, json!({}));
    let state_file = dir.path().join("state.json");
    let old = json!({"bookmarks": {"converz_calls": {"replication_key": "start_time",
        "replication_key_value": "2024-02-01T00:00:00Z"}}});
    std::fs::write(&state_file, old.to_string()).unwrap();
    let first = sync(&plain, Some(&state_file));
    let total = records(&first, "zchat_history");
    assert!(total > 0);
    let last = first.last().unwrap();
    assert_eq!(last["type"], "STATE", "the last message is a STATE");
    let bookmarks = &last["value"]["bookmarks"];
    assert!(bookmarks["zchat_history"]["replication_key_value"].is_string());
    assert_eq!(
        bookmarks["converz_calls"], old["bookmarks"]["converz_calls"],
        "the failed stream's bookmark did not move"
    );

    std::fs::write(&state_file, last["value"].to_string()).unwrap();
    assert_eq!(
        records(&sync(&plain, Some(&state_file)), "zchat_history"),
        0
    );
    // A lookback of a year reads the stream again (rows may have changed since), once each.
    let looking_back = config(dir.path(), &sandbox, json!({"lookback_window_days": 3650}));
    let again = sync(&looking_back, Some(&state_file));
    let ids: Vec<&Value> = again
        .iter()
        .filter(|m| m["type"] == "RECORD" && m["stream"] == "zchat_history")
        .map(|m| &m["record"]["id"])
        .collect();
    let unique: std::collections::HashSet<String> = ids.iter().map(|v| v.to_string()).collect();
    assert!(
        !ids.is_empty() && ids.len() <= total,
        "{} of {total}",
        ids.len()
    );
    assert_eq!(unique.len(), ids.len(), "no row twice in one run");
}

/// A stream the catalog asks for in full (`FULL_TABLE`) is read in full whatever the state
/// says, and its bookmark stays as it was; read incrementally, its bookmark reads zchat's
/// date-times, which the vendor writes without an offset, in the account's zone.
#[test]
fn singer_full_table_reads_past_a_bookmark_and_zchat_times_are_read_in_the_accounts_zone() {
    let server = httpmock::MockServer::start();
    let created = [
        "2024-03-02 10:00:00",
        "2024-03-03 11:30:00",
        "2024-03-04 09:15:00",
        "2024-03-05 10:00:00",
    ];
    let data: Vec<Value> = created
        .iter()
        .enumerate()
        .map(|(n, at)| json!({"id": format!("p{n}"), "created_at": at}))
        .collect();
    server.mock(|when, then| {
        when.method(httpmock::Method::GET);
        then.status(200)
            .json_body(json!({"success": true, "data": data}));
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    std::fs::write(
        &config,
        json!({"start_date": "2024-03-01T00:00:00Z", "zchat": {"token": "zt-singer-0123456789",
            "base_url": server.base_url(), "utc_offset": "-03:00"}})
        .to_string(),
    )
    .unwrap();
    let sync = |method: &str, state: Option<&Value>| {
        let catalog = dir.path().join("catalog.json");
        let entry = json!({"tap_stream_id": "zchat_history", "metadata": [{"breadcrumb": [],
            "metadata": {"selected": true, "replication-method": method}}]});
        std::fs::write(&catalog, json!({ "streams": [entry] }).to_string()).unwrap();
        let mut cmd = cxkit();
        cmd.args(["singer", "--config"])
            .arg(&config)
            .arg("--catalog")
            .arg(&catalog);
        if let Some(state) = state {
            let path = dir.path().join("state.json");
            std::fs::write(&path, state.to_string()).unwrap();
            cmd.arg("--state").arg(path);
        }
        messages(&cmd.assert().success().get_output().stdout)
    };
    let bookmark = |messages: &[Value]| {
        let last = messages.last().unwrap();
        assert_eq!(last["type"], "STATE");
        let value = &last["value"]["bookmarks"]["zchat_history"]["replication_key_value"];
        chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap()
    };
    assert_eq!(records(&sync("FULL_TABLE", None), "zchat_history"), 4);

    let old = "2024-03-03T14:30:00+00:00";
    let state = json!({"bookmarks": {"zchat_history": {"replication_key": "created_at",
        "replication_key_value": old}}});
    let full = sync("FULL_TABLE", Some(&state));
    assert_eq!(records(&full, "zchat_history"), 4);
    assert_eq!(
        bookmark(&full),
        chrono::DateTime::parse_from_rfc3339(old).unwrap(),
        "the bookmark of a stream read in full stays as it was"
    );

    let incremental = sync("INCREMENTAL", None);
    assert_eq!(records(&incremental, "zchat_history"), 4);
    // The newest row, 10:00 at -03:00: 13:00 UTC.
    assert_eq!(
        bookmark(&incremental),
        chrono::DateTime::parse_from_rfc3339("2024-03-05T13:00:00Z").unwrap()
    );
}
