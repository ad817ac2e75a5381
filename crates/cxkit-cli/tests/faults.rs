//! The fault suite: every vendor's lists exported through 20% mixed faults (429, 503,
//! connections dropped before an answer, bodies cut mid-way) give the file a fault-free run
//! gives, byte for byte; stalled bodies and late headers are retried on the per-attempt
//! timeout; a CSV keeps a column that first appears on a late row; a webhook listener killed
//! with SIGKILL during a burst keeps every acknowledged delivery, once.
#![cfg(feature = "sandbox")]

mod common;

use common::{cxkit, free_port, listen};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Exports `list` from the sandbox into `file`, with `faults` when given.
fn export(list: &[&str], faults: Option<&str>, file: &Path) {
    let mut cmd = cxkit();
    cmd.args([
        "--sandbox",
        "--sandbox-rows",
        "20000",
        "--quiet",
        "--format",
        "jsonl",
    ])
    // Retries without waiting: the faults are the point, not the backoff.
    .args(["--max-retry-wait", "0", "--timeout", "2"]);
    if let Some(faults) = faults {
        cmd.args(["--sandbox-faults", faults]);
    }
    cmd.args(list).arg("--output").arg(file).assert().success();
}

#[test]
fn exports_under_mixed_faults_are_identical_to_fault_free_ones() {
    let dir = tempfile::tempdir().unwrap();
    let lists: [(&str, &[&str]); 5] = [
        (
            "history",
            &[
                "zchat",
                "history",
                "--from",
                "2024-01-01",
                "--to",
                "2024-04-01",
                "--page-size",
                "500",
            ],
        ),
        ("ongoing", &["zchat", "ongoing", "--page-size", "20"]),
        ("calls", &["converz", "calls", "--page-size", "2000"]),
        (
            "prospects",
            &[
                "conversion",
                "prospects",
                "--from",
                "2024-01-01",
                "--to",
                "2024-04-01",
                "--page-size",
                "100",
            ],
        ),
        (
            "interactions",
            &[
                "conversion",
                "interactions",
                "--from",
                "2024-01-01",
                "--to",
                "2024-04-01",
                "--page-size",
                "100",
            ],
        ),
    ];
    for (name, list) in lists {
        // The reference: identity bodies, no fault.
        let clean = dir.path().join(format!("{name}.clean.jsonl"));
        export(&[&["--no-compression"], list].concat(), None, &clean);
        let expected = std::fs::read(&clean).unwrap();
        assert!(expected.len() > 100, "{name}: the clean export has rows");
        // Compressed bodies (the default; the sandbox compresses at gzip level 1), whose
        // compressed bytes are cut, stalled and dropped; and identity bodies under the same.
        for (how, extra) in [
            ("compressed", &[][..]),
            ("identity", &["--no-compression"][..]),
        ] {
            let faulty = dir.path().join(format!("{name}.{how}.jsonl"));
            export(&[extra, list].concat(), Some("mixed=0.2"), &faulty);
            assert_eq!(
                std::fs::read(&faulty).unwrap(),
                expected,
                "{name}: a faulty run over {how} bodies writes the same file"
            );
        }
    }
}

#[test]
fn stalled_bodies_and_late_headers_are_retried_on_the_attempt_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let list = [
        "zchat",
        "history",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-08",
        "--page-size",
        "200",
    ];
    let clean = dir.path().join("clean.jsonl");
    let slow = dir.path().join("slow.jsonl");
    export(&list, None, &clean);
    export(&list, Some("stall=0.15,slow=0.15"), &slow);
    assert_eq!(
        std::fs::read(&slow).unwrap(),
        std::fs::read(&clean).unwrap()
    );
}

#[test]
fn a_csv_keeps_a_column_that_first_appears_on_a_late_row() {
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.path("/calls");
        then.status(200).json_body(serde_json::json!([
            {"call_id": 1, "rep_id": "a", "duration": 30},
            {"call_id": 2, "rep_id": "b", "duration": 40, "summary": {"topic": "billing"}}
        ]));
    });
    let out = cxkit()
        .env("CONVERZ_API_KEY", "k-late-column")
        .env("CONVERZ_BASE_URL", server.base_url())
        .args(["--format", "csv", "converz", "calls"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("call_id,rep_id,duration,summary.topic"));
    assert_eq!(lines.next(), Some("1,a,30,"));
    assert_eq!(lines.next(), Some("2,b,40,billing"));
}

fn delivery(n: usize) -> String {
    serde_json::json!({
        "subscriptionId": "66a1f3000000000000000001", "topic": "interactions", "type": "created",
        "attempts": 1, "operationId": format!("op-{n:04}"), "sent": "2024-07-25T12:00:00.000Z"
    })
    .to_string()
}

/// Posts delivery `n`; whether it was acknowledged (2xx).
fn post(client: &reqwest::blocking::Client, port: u16, n: usize) -> bool {
    common::post_body(client, port, &delivery(n)).is_some_and(|s| (200..300).contains(&s))
}

#[test]
fn a_listener_killed_mid_burst_keeps_every_acknowledged_delivery_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let port = free_port();
    let mut listener = listen(port, &file);
    let total = 400;

    // A burst from 8 senders; the listener is killed once a quarter were acknowledged.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(HashSet::new()));
    let senders: Vec<_> = (0..8)
        .map(|s| {
            let acknowledged = acknowledged.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                for n in (s..total).step_by(8) {
                    if post(&client, port, n) {
                        acknowledged.lock().unwrap().insert(n);
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < total / 4 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    listener.kill().unwrap(); // SIGKILL
    listener.wait().unwrap();
    for sender in senders {
        sender.join().unwrap();
    }
    let before_restart = acknowledged.lock().unwrap().clone();
    assert!(before_restart.len() < total, "the kill came mid-burst");

    // The vendor redelivers everything (acknowledged ones too, as it may).
    let mut listener = listen(port, &file);
    let client = reqwest::blocking::Client::new();
    for n in 0..total {
        assert!(post(&client, port, n), "delivery {n} after the restart");
    }
    listener.kill().unwrap();
    listener.wait().unwrap();

    let mut counts: HashMap<String, usize> = HashMap::new();
    for line in std::fs::read_to_string(&file).unwrap().lines() {
        let event: serde_json::Value = serde_json::from_str(line).expect("every line is whole");
        *counts
            .entry(event["operationId"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    for n in &before_restart {
        assert_eq!(
            counts.get(&format!("op-{n:04}")),
            Some(&1),
            "acknowledged op-{n:04}"
        );
    }
    assert_eq!(counts.len(), total, "every delivery in the end");
    assert!(counts.values().all(|c| *c == 1), "none twice");
}
