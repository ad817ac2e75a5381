//! Files an export leaves: no credential in any of them, none written through a planted link,
//! none shared by two runs.

use crate::common::cxkit;
use crate::files_holding;
use httpmock::prelude::*;
use predicates::prelude::*;
use serde_json::json;

const TOKEN: &str = "zt-FLAG-SECRET-8c1d2e";

/// A zchat server whose second history page fails: the export stops after a checkpoint.
fn failing_after_one_page(server: &MockServer) {
    let page = json!({"success": true, "data": (0..1000).map(|i| json!({"id": i.to_string()})).collect::<Vec<_>>()});
    server.mock(|when, then| {
        when.path("/history").query_param("page", "1");
        then.status(200).json_body(page);
    });
    server.mock(|when, then| {
        when.path("/history").query_param("page", "2");
        then.status(500)
            .json_body(json!({"error": "down", "status": 500, "success": false}));
    });
}

/// `cxkit zchat history … --output file` against `server`, with the token as a flag and one
/// attempt per request.
fn history_export(
    server: &MockServer,
    file: &std::path::Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    cxkit()
        .args([
            "--zchat-token",
            TOKEN,
            "--zchat-base-url",
            &server.base_url(),
        ])
        .args(["--max-attempts", "1", "zchat", "history"])
        .args(extra)
        .arg("--output")
        .arg(file)
        .assert()
}

#[test]
fn an_interrupted_export_leaves_no_credential_in_any_file_nor_in_a_mismatch_message() {
    let server = MockServer::start();
    failing_after_one_page(&server);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.jsonl");
    let run = |extra: &[&str]| history_export(&server, &file, extra);
    run(&[]).code(1);
    assert!(dir.path().join("export.jsonl.checkpoint").exists());
    assert_eq!(files_holding(dir.path(), TOKEN), Vec::<String>::new());
    // Resuming with another command names the recorded one, which holds no credential.
    run(&["--search", "x", "--resume"]).code(2).stderr(
        predicate::str::contains("another command").and(predicate::str::contains(TOKEN).not()),
    );

    // A checkpoint written by an older cxkit recorded the token: it is not shown either.
    let checkpoint = dir.path().join("export.jsonl.checkpoint");
    let mut saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&checkpoint).unwrap()).unwrap();
    saved["command"] = json!(format!("--zchat-token {TOKEN} zchat history --page-size 5"));
    std::fs::write(&checkpoint, saved.to_string()).unwrap();
    run(&["--resume"]).code(2).stderr(
        predicate::str::contains("--page-size 5").and(predicate::str::contains(TOKEN).not()),
    );
}

/// A table is written whole at its end and a Parquet file ends with its footer: neither can be
/// continued, so an interrupted one leaves only its `.partial` (no checkpoint promising a
/// resume), and `--resume` is refused before anything is fetched.
#[test]
fn an_interrupted_table_or_parquet_output_leaves_no_checkpoint_and_is_not_resumed() {
    let formats: &[&str] = if cfg!(feature = "parquet") {
        &["table", "parquet"]
    } else {
        &["table"]
    };
    for &format in formats {
        let server = MockServer::start();
        failing_after_one_page(&server);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("export.{format}"));
        let run = |extra: &[&str]| {
            history_export(&server, &file, &[&["--format", format][..], extra].concat())
        };
        run(&[]).code(1);
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, [format!("export.{format}.partial")], "{format}");

        server.reset();
        let any_request = server.mock(|_, then| {
            then.status(500);
        });
        let refusal = if format == "table" {
            "--resume needs a file format"
        } else {
            "a Parquet file cannot be continued"
        };
        run(&["--resume"])
            .code(2)
            .stderr(predicate::str::contains(refusal));
        assert_eq!(any_request.calls(), 0, "{format}: nothing fetched");
        assert!(!file.exists(), "{format}");
    }
}

#[test]
fn a_credential_can_come_from_a_file_named_by_a_flag_or_a_variable() {
    let server = MockServer::start();
    let ongoing = server.mock(|when, then| {
        when.path("/ongoing").query_param("token", TOKEN);
        then.status(200)
            .json_body(json!({"success": true, "data": [{"id": "p1"}]}));
    });
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("token");
    std::fs::write(&secret, format!("{TOKEN}\n")).unwrap();
    cxkit()
        .args(["--zchat-base-url", &server.base_url(), "--zchat-token-file"])
        .arg(&secret)
        .args(["--format", "jsonl", "zchat", "ongoing"])
        .assert()
        .success()
        .stdout(predicate::str::contains("p1"));
    cxkit()
        .env("ZCHAT_TOKEN_FILE", &secret)
        .env("ZCHAT_BASE_URL", server.base_url())
        .args(["--format", "jsonl", "zchat", "ongoing"])
        .assert()
        .success();
    ongoing.assert_calls(2);
    cxkit()
        .env("ZCHAT_TOKEN_FILE", &secret)
        .env("ZCHAT_TOKEN", TOKEN)
        .args(["--zchat-base-url", &server.base_url(), "zchat", "ongoing"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("keep one").and(predicate::str::contains(TOKEN).not()));
    cxkit()
        .arg("--help")
        .assert()
        .stdout(predicate::str::contains("visible to other users"));
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_beside_the_output_is_never_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    let file = dir.path().join("out.jsonl");
    let partial = dir.path().join("out.jsonl.partial");
    std::os::unix::fs::symlink(&victim, &partial).unwrap();
    let export = || {
        let mut cmd = cxkit();
        cmd.args(["--sandbox", "--quiet", "zchat", "ongoing", "--output"])
            .arg(&file);
        cmd
    };
    export().assert().success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(!std::fs::symlink_metadata(&file)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&file).unwrap().lines().count() > 0);

    // A link planted at the lock or, for --resume, at the partial file is refused.
    let lock = dir.path().join("out.jsonl.lock");
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    export()
        .assert()
        .code(5)
        .stderr(predicate::str::contains("symbolic link"));
    std::fs::remove_file(&lock).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

#[test]
fn a_second_run_on_the_same_output_or_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("history.jsonl");
    let state = dir.path().join("history.state");
    let slow = [
        "--sandbox",
        "--sandbox-latency-ms",
        "300",
        "--quiet",
        "--concurrency",
        "1",
        "zchat",
        "history",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-10",
        "--page-size",
        "50",
    ];
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("cxkit"))
        .args(slow)
        .arg("--state")
        .arg(&state)
        .arg("--output")
        .arg(&file)
        .spawn()
        .unwrap();
    // Readiness: the first run holds both once its first page is on disk.
    crate::common_wait_for(&dir.path().join("history.jsonl.checkpoint"));
    cxkit()
        .args(slow)
        .arg("--output")
        .arg(&file)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("in use"));
    cxkit()
        .args(slow)
        .arg("--state")
        .arg(&state)
        .arg("--output")
        .arg(dir.path().join("other.jsonl"))
        .assert()
        .code(5)
        .stderr(predicate::str::contains("in use"));
    let _ = first.kill();
    first.wait().unwrap();
}
