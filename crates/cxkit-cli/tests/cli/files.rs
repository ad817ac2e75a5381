//! Output files: atomic on failure, resumed byte-identical after a kill, durable webhook logs.

use super::{common::cxkit, run_ok, wait_for};
use httpmock::prelude::*;
use predicates::prelude::*;
use serde_json::{json, Value};

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

/// Each delivery is printed as it is handled (a pipe reads it while the receiver runs), not
/// when the receiver stops.
#[test]
fn webhook_listen_prints_deliveries() {
    use std::io::BufRead;
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
            "2",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Killed if the test fails half-way: a receiver left waiting would hold the test's pipes.
    let mut child = KillOnDrop(child);
    let (lines, printed) = std::sync::mpsc::channel();
    let stdout = std::io::BufReader::new(child.0.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines() {
            let _ = lines.send(line.unwrap());
        }
    });
    let client = reqwest::blocking::Client::new();
    let deliver = |operation: &str| {
        let event = json!({"topic": "interactions", "type": "created", "operationId": operation, "attempts": 1});
        for _ in 0..100 {
            match client
                .post(format!("http://127.0.0.1:{port}/?secret={secret}"))
                .json(&event)
                .send()
            {
                Ok(r) => return Some(r.status().as_u16()),
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        }
        None
    };
    let wait = std::time::Duration::from_secs(10);
    for operation in ["op-1", "op-2"] {
        assert_eq!(deliver(operation), Some(200));
        let line = printed.recv_timeout(wait).expect("printed while listening");
        let line: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(line["operationId"], operation);
    }
    assert!(child.0.wait().unwrap().success());
}

/// A child process killed when the test lets go of it.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_interrupted_or_killed_export_resumes_to_a_byte_identical_file() {
    let dir = tempfile::tempdir().unwrap();
    // Only the runs that are cut need slow pages (so the signal lands mid-export); the whole
    // and resumed runs go at full speed (the sandbox's latency is not part of the command a
    // checkpoint records: it changes no row).
    let common = ["--sandbox", "--quiet"];
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
                .args(["--sandbox-latency-ms", "150"])
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
