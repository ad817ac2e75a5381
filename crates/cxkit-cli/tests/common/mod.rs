//! What the CLI's end-to-end tests share.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::Path;

/// `cxkit` with no credential or base URL from the environment.
pub fn cxkit() -> Command {
    let mut cmd = Command::cargo_bin("cxkit").unwrap();
    for var in ENVIRONMENT {
        cmd.env_remove(var);
    }
    cmd
}

/// The variables cxkit reads, removed from every test's environment.
pub const ENVIRONMENT: [&str; 15] = [
    "ZCHAT_TOKEN",
    "ZCHAT_TOKEN_FILE",
    "ZCHAT_BASE_URL",
    "CONVERZ_API_KEY",
    "CONVERZ_API_KEY_FILE",
    "CONVERZ_BASE_URL",
    "CONVERSION_API_KEY",
    "CONVERSION_API_KEY_FILE",
    "CONVERSION_BASE_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_SECRET_FILE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
];

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The webhook secret the listeners of the tests use.
pub const SECRET: &str = "listener-secret-0123456789";

/// `cxkit webhook listen` on `port` writing to `file`, run through `sh -c PREFIX`, e.g. to
/// set a resource limit first (`""` for none); returns once it accepts connections.
pub fn listen_with(port: u16, file: &Path, shell_prefix: &str) -> std::process::Child {
    listen_logging_to(port, file, shell_prefix, std::process::Stdio::inherit())
}

/// [`listen_with`], its stderr (where it logs) going to `stderr`.
pub fn listen_logging_to(
    port: u16,
    file: &Path,
    shell_prefix: &str,
    stderr: std::process::Stdio,
) -> std::process::Child {
    let mut command = std::process::Command::new("sh");
    command.stderr(stderr);
    command
        .arg("-c")
        .arg(format!("{shell_prefix} exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("cxkit"))
        .args([
            "--quiet",
            "webhook",
            "listen",
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--secret", SECRET, "--output"])
        .arg(file);
    for var in ENVIRONMENT {
        command.env_remove(var);
    }
    let mut child = command.spawn().unwrap();
    // Ready when it accepts connections (bounded wait).
    for _ in 0..400 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the listener did not start");
}

/// [`listen_with`] without a prefix.
pub fn listen(port: u16, file: &Path) -> std::process::Child {
    listen_with(port, file, "")
}

/// Posts `body` to the listener on `port`; the status, or `None` when it failed to answer.
pub fn post_body(client: &reqwest::blocking::Client, port: u16, body: &str) -> Option<u16> {
    client
        .post(format!("http://127.0.0.1:{port}/?secret={SECRET}"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .ok()
        .map(|r| r.status().as_u16())
}

/// A blocking HTTP client whose requests fail after 10 s instead of waiting forever.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap()
}
