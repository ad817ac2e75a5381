//! Conversion rows reach every text format as the vendor sent them: a date-time written
//! `…06.000Z` stays so (a typed decode and re-encode would write `…06Z`).

use super::common::cxkit;
use httpmock::prelude::*;
use serde_json::Value;

// Our fixtures reproducing the live captures' patterns (milliseconds always written).
const PROSPECTS: &str =
    include_str!("../../../../tests/fixtures/conversion/prospects.live_patterns.json");
const INTERACTIONS: &str =
    include_str!("../../../../tests/fixtures/conversion/interactions.live_patterns.json");

fn served() -> MockServer {
    let server = MockServer::start();
    for (path, body) in [
        ("/prospects", PROSPECTS),
        ("/prospects/interactions", INTERACTIONS),
    ] {
        server.mock(|when, then| {
            when.method(GET).path(path);
            then.status(200)
                .header("content-type", "application/json")
                .body(body);
        });
    }
    server
}

fn export(server: &MockServer, list: &str, format: &str) -> String {
    let output = cxkit()
        .env("CONVERSION_API_KEY", "cv-as-sent")
        .env("CONVERSION_BASE_URL", server.base_url())
        .args(["--format", format, "conversion", list])
        .args(["--from", "2024-07-01", "--to", "2024-07-31"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output).unwrap()
}

fn created(fixture: &str, member: &str) -> Vec<String> {
    let rows: Vec<Value> = serde_json::from_str(fixture).unwrap();
    rows.iter()
        .map(|r| r[member].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn conversion_rows_keep_every_value_as_sent_in_json_json_lines_and_csv() {
    let server = served();
    let prospects = created(PROSPECTS, "created");
    let interactions = created(INTERACTIONS, "createdAt");
    assert!(
        prospects.iter().all(|t| t.ends_with(".000Z")),
        "{prospects:?}"
    );
    for format in ["jsonl", "json", "csv"] {
        let out = export(&server, "prospects", format);
        for t in &prospects {
            assert!(out.contains(t.as_str()), "{format}: {t} missing in {out}");
        }
        let out = export(&server, "interactions", format);
        for t in &interactions {
            assert!(out.contains(t.as_str()), "{format}: {t} missing in {out}");
        }
    }
    // Every row whole: JSON Lines hold the fixture's rows, in its order, nothing dropped.
    let lines = export(&server, "prospects", "jsonl");
    let rows: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let fixture: Vec<Value> = serde_json::from_str(PROSPECTS).unwrap();
    assert_eq!(rows, fixture);
}
