//! What reaches a spreadsheet or a terminal: `--csv-safe` quotes cells that would run as
//! formulas (off by default: it changes them), and tables never pass escape sequences.

use crate::common::cxkit;
use httpmock::prelude::*;
use serde_json::json;

fn ongoing(server: &MockServer, extra: &[&str]) -> String {
    let output = cxkit()
        .args([
            "--zchat-token",
            "zt-out-SECRET-3",
            "--zchat-base-url",
            &server.base_url(),
        ])
        .args(extra)
        .args(["--columns", "id,client_name", "zchat", "ongoing"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output).unwrap()
}

#[test]
fn csv_safe_quotes_formula_cells_and_tables_show_control_characters() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/ongoing");
        then.status(200).json_body(json!({"success": true, "data": [
            {"id": "1", "client_name": "=HYPERLINK(\"http://evil.example\",\"click\")"},
            {"id": "2", "client_name": "-2+3"},
            {"id": "3", "client_name": "\u{1b}]0;owned\u{7}\u{1b}[2JAna"},
        ]}));
    });
    let plain = ongoing(&server, &["--format", "csv"]);
    assert!(plain.contains("\"=HYPERLINK("), "{plain}");
    let safe = ongoing(&server, &["--format", "csv", "--csv-safe"]);
    assert!(safe.contains("\"'=HYPERLINK("), "{safe}");
    assert!(safe.contains("2,'-2+3"), "{safe}");

    let table = ongoing(&server, &["--format", "table"]);
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(table.contains("\\u{1b}"), "{table}");
}
