//! The webhook receiver writing to a file: new changes of one object are all written,
//! redeliveries (sequential, concurrent, after a restart) once; a secret that would open it is
//! refused; a full disk never leaves a torn line.

use crate::common::{cxkit, free_port, listen, listen_logging_to, post_body, SECRET};
use predicates::prelude::*;
use serde_json::{json, Value};

/// A delivery of the interaction every test shares, as the vendor shapes it: `operationId`
/// is the interaction's id, the same for every change of it.
fn change(kind: &str, updated: &str, attempts: u32, owner: &str) -> String {
    json!({
        "subscriptionId": "65b7e408b517d9f6de2feec7", "topic": "interactions", "type": kind,
        "received": "2024-02-06T13:50:44.668Z", "sent": format!("2024-02-06T13:5{attempts}:44.668Z"),
        "attempts": attempts, "updatedAt": updated, "operationId": "65c23934e99c2100082e848a",
        "prospect": {
            "id": "6596d62461f4a300081b28cb", "created": "2024-01-04T16:00:36.544Z",
            "group": "Vendas", "groupId": "5cd09261a6f3d300596a39d0", "account": "Moto",
            "accountId": "5cc1d395ac14ff0059c1e78c", "status": "followUp", "leads": [],
            "agent": {"id": owner, "firstName": "R", "lastName": "S", "appFields": {}}
        },
        "interaction": {"id": "65c23934e99c2100082e848a", "createdAt": "2024-02-06T13:50:44.521Z",
                        "status": kind, "agentId": owner, "via": "whatsApp"}
    })
    .to_string()
}

const CREATED: &str = "2024-02-06T13:50:44.521Z";
const UPDATED_1: &str = "2024-02-06T14:02:10.000Z";
const UPDATED_2: &str = "2024-02-06T14:07:31.250Z";

fn lines(file: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is a whole event"))
        .collect()
}

/// (type, updatedAt) of every line.
fn changes(file: &std::path::Path) -> Vec<(String, String)> {
    lines(file)
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["updatedAt"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn ok(status: Option<u16>) -> bool {
    status == Some(200)
}

#[test]
fn every_change_of_one_object_is_written_once_and_redeliveries_never() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let port = free_port();
    let mut listener = listen(port, &file);
    let client = crate::common::client();

    for body in [
        change("created", CREATED, 1, "agent-a"),
        change("updated", UPDATED_1, 1, "agent-a"),
        change("updated", UPDATED_2, 1, "agent-b"),
    ] {
        assert!(ok(post_body(&client, port, &body)));
    }
    // Sequential redeliveries: other attempts, send times and a newer owner.
    for body in [
        change("created", CREATED, 2, "agent-b"),
        change("updated", "2024-02-06T14:02:10Z", 3, "agent-c"),
    ] {
        assert!(ok(post_body(&client, port, &body)));
    }
    // Concurrent redeliveries of the last change, tens of milliseconds apart or less.
    let concurrent: Vec<_> = (0..6)
        .map(|n| {
            std::thread::spawn(move || {
                let body = change("updated", UPDATED_2, 2 + n, "agent-b");
                post_body(&reqwest::blocking::Client::new(), port, &body)
            })
        })
        .collect();
    for sender in concurrent {
        assert!(ok(sender.join().unwrap()), "acknowledged");
    }
    let expected = vec![
        ("created".to_owned(), CREATED.to_owned()),
        ("updated".to_owned(), UPDATED_1.to_owned()),
        ("updated".to_owned(), UPDATED_2.to_owned()),
    ];
    assert_eq!(changes(&file), expected, "three changes, each once");
    // Written as the vendor sent it (only made one line), not re-encoded.
    let first = std::fs::read_to_string(&file).unwrap();
    let sent: Value = serde_json::from_str(&change("created", CREATED, 1, "agent-a")).unwrap();
    assert_eq!(first.lines().next().unwrap(), sent.to_string());

    // After a restart (SIGKILL), redeliveries are still known; a new change is written.
    listener.kill().unwrap();
    listener.wait().unwrap();
    let mut listener = listen(port, &file);
    for body in [
        change("created", CREATED, 5, "agent-z"),
        change("updated", UPDATED_1, 5, "agent-z"),
        change("updated", UPDATED_2, 5, "agent-z"),
        change("updated", "2024-02-06T15:00:00.000Z", 1, "agent-b"),
    ] {
        assert!(ok(post_body(&client, port, &body)));
    }
    listener.kill().unwrap();
    listener.wait().unwrap();
    let mut expected = expected;
    expected.push(("updated".into(), "2024-02-06T15:00:00.000Z".into()));
    assert_eq!(changes(&file), expected);
    assert!(
        dir.path().join("events.jsonl.index").exists(),
        "the bounded index"
    );
}

#[test]
fn a_secret_that_would_open_the_receiver_is_refused_before_listening() {
    let dir = tempfile::tempdir().unwrap();
    let short_file = dir.path().join("short-secret");
    std::fs::write(&short_file, "only-fifteen-ch\n").unwrap();
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let base = ["webhook", "listen", "--addr", addr.as_str()];
    // What `--secret "$WEBHOOK_SECRET"` becomes with the variable unset; nothing at all; a
    // short flag; a short file.
    let cases: [&[&str]; 3] = [&["--secret", ""], &[], &["--secret", "short"]];
    for extra in cases {
        cxkit()
            .args(base)
            .args(extra)
            .assert()
            .code(3)
            .stderr(predicate::str::contains("secret"));
    }
    cxkit()
        .args(base)
        .env("WEBHOOK_SECRET_FILE", &short_file)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("16 characters"));
    assert!(
        std::net::TcpStream::connect(addr.as_str()).is_err(),
        "nothing listens"
    );
}

/// With a file-size limit (as a full disk), a delivery that cannot be written gets a 5xx and
/// leaves no part of itself: every line parses, every acknowledged event is there once, and
/// the refused ones are written once there is room again.
#[test]
fn a_full_disk_never_leaves_a_torn_line_and_refused_events_are_written_later() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let port = free_port();
    // 16 blocks of 512 bytes: room for a few events. SIGXFSZ ignored, so the write fails with
    // EFBIG as on a full disk instead of killing the process. Its log goes to a file already
    // past the limit too (a log on the same full disk): a log line it cannot write must not
    // stop it from answering.
    let log = dir.path().join("listener.log");
    std::fs::write(&log, vec![b'.'; 20_000]).unwrap();
    let log = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let mut listener = listen_logging_to(port, &file, "trap '' XFSZ; ulimit -f 16;", log.into());
    let client = crate::common::client();
    let updated = |n: u32| format!("2024-02-06T14:{:02}:{:02}.000Z", n / 60, n % 60);
    let mut acknowledged = Vec::new();
    let mut refused = Vec::new();
    for n in 0..40 {
        match post_body(&client, port, &change("updated", &updated(n), 1, "agent-a")) {
            Some(200) => acknowledged.push(updated(n)),
            Some(status) => {
                assert!(status >= 500, "{status}");
                refused.push(updated(n));
            }
            None => panic!(
                "no answer to event {n}; the listener: {:?}",
                listener.try_wait()
            ),
        }
    }
    listener.kill().unwrap();
    listener.wait().unwrap();
    assert!(
        !acknowledged.is_empty() && !refused.is_empty(),
        "the limit was reached"
    );
    let written: Vec<String> = changes(&file).into_iter().map(|(_, u)| u).collect();
    assert_eq!(
        written, acknowledged,
        "exactly the acknowledged events, whole"
    );

    let mut listener = listen(port, &file);
    for at in &refused {
        assert!(ok(post_body(
            &client,
            port,
            &change("updated", at, 2, "agent-a")
        )));
    }
    listener.kill().unwrap();
    listener.wait().unwrap();
    let written: Vec<String> = changes(&file).into_iter().map(|(_, u)| u).collect();
    let mut all = acknowledged;
    all.extend(refused);
    assert_eq!(written, all);
}

#[test]
fn a_torn_or_glued_line_left_by_an_older_version_is_repaired_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let whole = |at: &str| -> String {
        let v: Value = serde_json::from_str(&change("updated", at, 1, "agent-a")).unwrap();
        v.to_string()
    };
    let (first, glued, torn) = (whole(UPDATED_1), whole(UPDATED_2), whole(CREATED));
    // A failed write left half an event, the next event was glued to it, and a crash cut
    // the last line.
    let damaged = format!("{first}\n{}{glued}\n{}", &torn[..40], &torn[..70]);
    std::fs::write(&file, damaged).unwrap();
    let port = free_port();
    let mut listener = listen(port, &file);
    let client = crate::common::client();
    // The glued event is known; the torn one was never acknowledged, so it is new.
    assert!(ok(post_body(
        &client,
        port,
        &change("updated", UPDATED_2, 2, "x")
    )));
    assert!(ok(post_body(
        &client,
        port,
        &change("created", CREATED, 2, "x")
    )));
    listener.kill().unwrap();
    listener.wait().unwrap();
    let written: Vec<String> = changes(&file).into_iter().map(|(_, u)| u).collect();
    assert_eq!(written, [UPDATED_1, UPDATED_2, CREATED]);
}

#[test]
fn a_second_listener_on_the_same_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let mut listener = listen(free_port(), &file);
    cxkit()
        .args([
            "webhook",
            "listen",
            "--addr",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .args(["--secret", SECRET, "--output"])
        .arg(&file)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("in use"));
    listener.kill().unwrap();
    listener.wait().unwrap();
}
