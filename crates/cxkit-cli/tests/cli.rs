//! `cxkit` end to end: every subcommand against the embedded sandbox, every format, atomic
//! output on failure, missing credentials, and no secret in any output.
#![cfg(feature = "sandbox")]

mod common;

use common::cxkit;
use httpmock::prelude::*;
use predicates::prelude::*;
use serde_json::{json, Value};

fn stdout_of(args: &[&str]) -> String {
    let out = cxkit()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn jsonl(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--sandbox", "--format", "jsonl"];
    all.extend_from_slice(args);
    stdout_of(&all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

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
}

#[test]
fn every_format() {
    let args = ["zchat", "messages", "202400000042"];
    let table = stdout_of(&[&["--sandbox", "--format", "table"][..], &args].concat());
    assert!(
        table.contains("│") && table.contains("direction"),
        "{table}"
    );
    let json: Value = serde_json::from_str(&stdout_of(
        &[&["--sandbox", "--format", "json"][..], &args].concat(),
    ))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
    let csv = stdout_of(&[&["--sandbox", "--format", "csv"][..], &args].concat());
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for column in ["id", "time", "direction", "type", "content", "agent.name"] {
        assert!(header.contains(&column), "{column} in {header:?}");
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
fn a_failed_export_leaves_the_output_untouched_and_resumes_to_the_same_file() {
    let server = MockServer::start();
    let page = |from: usize, n: usize| json!({"success": true, "data": (from..from + n).map(|i| json!({"id": i.to_string()})).collect::<Vec<_>>()});
    server.mock(|when, then| {
        when.path("/history").query_param("page", "1");
        then.status(200).json_body(page(0, 1000));
    });
    let mut failing = server.mock(|when, then| {
        when.path("/history").query_param("page", "2");
        then.status(500)
            .json_body(json!({"error": "database down", "status": 500, "success": false}));
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.jsonl");
    std::fs::write(&file, "previous export\n").unwrap();
    let run = |resume: bool| {
        let mut cmd = cxkit();
        cmd.env("ZCHAT_TOKEN", "zt-cli-SECRET-42")
            .env("ZCHAT_BASE_URL", server.base_url())
            .args([
                "--max-attempts",
                "2",
                "--max-retry-wait",
                "0",
                "zchat",
                "history",
                "--output",
            ])
            .arg(&file);
        if resume {
            cmd.arg("--resume");
        }
        cmd.assert()
    };

    run(false).code(1).stderr(
        predicate::str::contains("database down")
            .and(predicate::str::contains("zt-cli-SECRET-42").not()),
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous export\n");
    let checkpoint: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("export.jsonl.checkpoint")).unwrap())
            .unwrap();
    assert_eq!(checkpoint["checkpoint"], json!({"kind": "page", "next": 2}));
    assert_eq!(checkpoint["rows"], 1000);

    failing.delete();
    let second = server.mock(|when, then| {
        when.path("/history").query_param("page", "2");
        then.status(200).json_body(page(1000, 7));
    });
    run(true).success();
    second.assert();
    let lines: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<String> = lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..1007).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected, "every row once, in order");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing left beside it"
    );
}

#[test]
fn missing_credentials_are_named_and_secrets_never_printed() {
    cxkit().args(["zchat", "history"]).assert().code(3).stderr(
        predicate::str::contains("ZCHAT_TOKEN").and(predicate::str::contains("--zchat-token")),
    );
    cxkit()
        .args(["converz", "calls"])
        .env("CONVERZ_API_KEY", "k")
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("CONVERZ_BASE_URL")
                .and(predicate::str::contains("--converz-base-url")),
        );
    cxkit()
        .args(["conversion", "prospects"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("CONVERSION_API_KEY")
                .and(predicate::str::contains("--conversion-api-key")),
        );
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/prospects");
        then.status(401)
            .json_body(json!({"code": "UNAUTHORIZED", "message": "Invalid API key"}));
    });
    cxkit()
        .env("CONVERSION_API_KEY", "cv-cli-SECRET-77")
        .env("CONVERSION_BASE_URL", server.base_url())
        .args(["conversion", "prospects"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("Invalid API key")
                .and(predicate::str::contains("cv-cli-SECRET-77").not()),
        );
    cxkit()
        .env("ZCHAT_TOKEN", "zt-cli-SECRET-99")
        .env("ZCHAT_BASE_URL", "http://127.0.0.1:9")
        // Retried (a refused connection is retryable), without waiting.
        .args(["--max-retry-wait", "0", "zchat", "ongoing"])
        .assert()
        .code(4)
        .stderr(
            predicate::str::contains("token=***")
                .and(predicate::str::contains("zt-cli-SECRET-99").not()),
        );
    // clap shows `[env: NAME=value]` in help unless told not to: with every credential set,
    // no help page may show one.
    let secrets = [
        ("ZCHAT_TOKEN", "zt-help-SECRET-1"),
        ("CONVERZ_API_KEY", "cz-help-SECRET-2"),
        ("CONVERSION_API_KEY", "cv-help-SECRET-3"),
        ("WEBHOOK_SECRET", "wh-help-SECRET-4"),
    ];
    for page in [
        &["--help"][..],
        &["zchat", "history", "--help"],
        &["converz", "calls", "--help"],
        &["conversion", "prospects", "--help"],
        &["webhook", "listen", "--help"],
    ] {
        let mut command = cxkit();
        for (name, value) in secrets {
            command.env(name, value);
        }
        let output = command.args(page).output().unwrap();
        assert!(output.status.success(), "{page:?}");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("Usage"), "{page:?}");
        for (name, value) in secrets {
            assert!(!help.contains(value), "{page:?} shows {name}: {help}");
        }
    }
    let root = stdout_of(&["--help"]);
    assert!(root.contains("ZCHAT_TOKEN") && root.contains("CONVERSION_API_KEY"));
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

#[test]
fn webhook_listen_prints_deliveries() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let secret = "listen-secret-0123456789";
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cxkit"))
        .args([
            "--format",
            "jsonl",
            "--quiet",
            "webhook",
            "listen",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--secret",
            secret,
            "--max-events",
            "1",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let event =
        json!({"topic": "interactions", "type": "created", "operationId": "op-1", "attempts": 1});
    let client = reqwest::blocking::Client::new();
    let mut status = None;
    for _ in 0..100 {
        match client
            .post(format!("http://127.0.0.1:{port}/?secret={secret}"))
            .json(&event)
            .send()
        {
            Ok(r) => {
                status = Some(r.status().as_u16());
                break;
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
    assert_eq!(status, Some(200));
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let line: Value =
        serde_json::from_str(String::from_utf8(output.stdout).unwrap().trim()).unwrap();
    assert_eq!(line["operationId"], "op-1");
}

/// The process umask, as the shell reports it.
fn umask() -> u32 {
    let out = std::process::Command::new("sh")
        .args(["-c", "umask"])
        .output()
        .unwrap();
    u32::from_str_radix(String::from_utf8(out.stdout).unwrap().trim(), 8).unwrap()
}

#[test]
fn verbose_logs_show_retries_without_the_credential() {
    let out = cxkit()
        .args([
            "--sandbox",
            "--sandbox-faults",
            "429=0.4",
            "-v",
            "--max-retry-wait",
            "0",
        ])
        .args(["zchat", "ongoing", "--page-size", "20", "--format", "jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    let logs = String::from_utf8(out.stderr).unwrap();
    assert!(logs.contains("retrying"), "{logs}");
    assert!(logs.contains("429"), "the reason is logged: {logs}");
    assert!(!logs.contains("sandbox-zchat-token"), "{logs}");
    assert!(
        logs.contains("token=***") || !logs.contains("token="),
        "{logs}"
    );
    let quiet = cxkit()
        .args([
            "--sandbox",
            "--sandbox-faults",
            "429=0.4",
            "--max-retry-wait",
            "0",
        ])
        .args(["zchat", "ongoing", "--page-size", "20", "--format", "jsonl"])
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    assert!(
        !String::from_utf8(quiet).unwrap().contains("retrying"),
        "retries log at info"
    );
}

/// Runs `args` to completion; panics unless it succeeds.
fn run_ok(args: &[&str], file: &std::path::Path) {
    cxkit()
        .args(args)
        .arg("--output")
        .arg(file)
        .assert()
        .success();
}

/// Waits (bounded) until `path` exists.
fn wait_for(path: &std::path::Path) {
    for _ in 0..600 {
        if path.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn an_interrupted_or_killed_export_resumes_to_a_byte_identical_file() {
    let dir = tempfile::tempdir().unwrap();
    let common = ["--sandbox", "--sandbox-latency-ms", "150", "--quiet"];
    // Numbered pages (zchat), and cursor walks over 31-day windows (Conversion).
    let lists: [(&str, &[&str]); 2] = [
        (
            "history",
            &[
                "zchat",
                "history",
                "--from",
                "2024-03-01",
                "--to",
                "2024-03-10",
                "--page-size",
                "100",
            ],
        ),
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
                "20",
            ],
        ),
    ];
    let cases = lists.iter().flat_map(|(name, list)| {
        ["jsonl", "json", "csv"].map(move |format| (*name, *list, format))
    });
    for (name, list, format) in cases {
        let format_name = format!("{name}.{format}");
        let whole = dir.path().join(format!("whole.{format_name}"));
        let mut full = common.to_vec();
        full.extend(list);
        full.extend(["--format", format]);
        run_ok(&full, &whole);

        for signal in ["-INT", "-KILL"] {
            let file = dir.path().join(format!("cut{signal}.{format_name}"));
            let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cxkit"))
                .args(&full)
                .arg("--output")
                .arg(&file)
                .spawn()
                .unwrap();
            // Readiness, not a fixed sleep: stop it once a page is on disk.
            wait_for(
                &dir.path()
                    .join(format!("cut{signal}.{format_name}.checkpoint")),
            );
            let sent = std::process::Command::new("kill")
                .args([signal, &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
            let output = child.wait_with_output().unwrap();
            if signal == "-INT" {
                assert_eq!(output.status.code(), Some(130), "{format_name}");
            }
            assert!(
                !file.exists(),
                "{format}{signal}: no half file at the output path"
            );

            let mut resumed = full.clone();
            resumed.push("--resume");
            run_ok(&resumed, &file);
            assert_eq!(
                std::fs::read(&file).unwrap(),
                std::fs::read(&whole).unwrap(),
                "{format_name}{signal}: the resumed file is the uninterrupted one"
            );
        }
    }
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".partial") || n.ends_with(".checkpoint"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn listed_subscriptions_show_callback_urls_with_the_secret_masked() {
    let secret = "listed-webhook-secret-5678";
    let server = MockServer::start();
    let subscription = |id: &str| {
        json!({"id": id, "topics": ["prospects"],
               "callbackUrl": format!("https://hooks.example.com/in?secret={secret}&team=a")})
    };
    server.mock(|when, then| {
        when.method(GET).path("/notifications/subscriptions");
        then.status(200).json_body(json!([
            subscription("65f1c2a4e13b7d0012a4c9e1"),
            subscription("65f1c2a4e13b7d0012a4c9e2")
        ]));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path("/notifications/subscription/65f1c2a4e13b7d0012a4c9e1");
        then.status(200)
            .json_body(subscription("65f1c2a4e13b7d0012a4c9e1"));
    });
    for (args, rows) in [
        (&["conversion", "subscriptions"][..], 2),
        (
            &["conversion", "subscription", "65f1c2a4e13b7d0012a4c9e1"][..],
            1,
        ),
    ] {
        for format in ["jsonl", "csv", "table"] {
            let out = cxkit()
                .env("CONVERSION_API_KEY", "cv-cli-key")
                .env("CONVERSION_BASE_URL", server.base_url())
                .args(["--format", format])
                .args(args)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            let out = String::from_utf8(out).unwrap();
            assert_eq!(out.matches("secret=***").count(), rows, "{format}: {out}");
            assert!(!out.contains(secret), "{format}: {out}");
            assert!(out.contains("team=a"), "the rest of the URL stays: {out}");
        }
    }
}

#[test]
fn an_output_that_cannot_be_written_exits_5() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("missing-dir/out.jsonl");
    cxkit()
        .args(["--sandbox", "zchat", "ongoing", "--output"])
        .arg(&file)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("cannot create"));
}

#[test]
fn utc_offset_prefetch_and_credential_flags_reach_the_wire() {
    let server = MockServer::start();
    let page = |n: usize| json!({"success": true, "data": (0..n).map(|i| json!({"id": format!("p{n}-{i}")})).collect::<Vec<_>>()});
    let first = server.mock(|when, then| {
        when.path("/history")
            .query_param("token", "flag-token-1")
            // 2024-03-01 00:00 at -03:00, sent as a local time with its zone.
            .query_param("from", "2024-03-01T00:00:00")
            .query_param("timezone", "-0300")
            .query_param("page", "1");
        then.status(200).json_body(page(2));
    });
    let second = server.mock(|when, then| {
        when.path("/history").query_param("page", "2");
        then.status(200).json_body(page(1));
    });
    let past_the_end = server.mock(|when, then| {
        when.path("/history").query_param("page", "3");
        then.status(200).json_body(page(0));
    });
    let run = |extra: &[&str]| {
        cxkit()
            .args([
                "--zchat-token",
                "flag-token-1",
                "--zchat-base-url",
                &server.base_url(),
            ])
            .args([
                "--format",
                "jsonl",
                "zchat",
                "history",
                "--from",
                "2024-03-01",
                "--to",
                "2024-03-02",
            ])
            .args(["--utc-offset", "-03:00", "--page-size", "2"])
            .args(extra)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };

    let without = run(&["--no-prefetch"]);
    assert_eq!(String::from_utf8_lossy(&without).lines().count(), 3);
    // Without prefetch nothing is asked for past the short (last) page.
    past_the_end.assert_calls(0);
    // With it (the default) the output is the same; the facade tests pin when pages are asked.
    assert_eq!(run(&[]), without);
    first.assert_calls(2);
    second.assert_calls(2);

    // The Conversion and Converz credential flags too.
    let conversion = server.mock(|when, then| {
        when.path("/leads/defaults")
            .query_param("api-key", "flag-key-2");
        then.status(200)
            .json_body(json!({"currency": "BRL", "distance": "km"}));
    });
    cxkit()
        .args([
            "--conversion-api-key",
            "flag-key-2",
            "--conversion-base-url",
            &server.base_url(),
        ])
        .args(["--format", "jsonl", "conversion", "defaults"])
        .assert()
        .success();
    conversion.assert();
    let converz = server.mock(|when, then| {
        when.path("/report").header("x-api-key", "flag-key-3");
        then.status(200).json_body(json!([]));
    });
    cxkit()
        .args([
            "--converz-api-key",
            "flag-key-3",
            "--converz-base-url",
            &server.base_url(),
        ])
        .args(["--format", "jsonl", "converz", "report"])
        .assert()
        .success();
    converz.assert();
}
