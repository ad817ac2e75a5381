//! `cargo xtask schemathesis [--quick]`: checks each spec against the sandbox with
//! schemathesis (`--checks all`): every response the sandbox gives must fit the spec, every
//! schema-valid request must be accepted and every schema-violating one refused. The sandbox
//! plays the vendor, so a failure means the spec or the fake is wrong; the vendor's documented
//! behaviour decides which to fix.
//!
//! schemathesis (PyPI, pinned in `xtask/schemathesis/requirements.txt`) is installed into its
//! own venv on first use (`python::venv`: kept outside the checkout, keyed by the pins). Per-vendor settings, with the one documented
//! exception, are in `xtask/schemathesis/<vendor>.toml`.

use crate::python::{build_debug_binaries, venv, SCHEMATHESIS};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const VENDORS: [(&str, &str); 3] = [
    ("zchat", "/zchat"),
    ("converz", "/converz/api/v1"),
    ("conversion", "/conversion/v1"),
];

/// Runs schemathesis for every spec; `quick` uses fewer examples per operation (CI).
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let python = venv(root, SCHEMATHESIS)?;
    println!("== building the sandbox");
    build_debug_binaries(root)?;
    let examples = if quick { "25" } else { "100" };
    let mut failed = Vec::new();
    for (vendor, prefix) in VENDORS {
        // A fresh sandbox per spec: state from one run does not leak into the next.
        let sandbox = Sandbox::start(&root.join("target/debug/cxkit-sandbox"))?;
        println!("== schemathesis: specs/{vendor}.yaml");
        let outcome = Command::new(python.with_file_name("schemathesis"))
            .arg("--config-file")
            .arg(root.join(format!("xtask/schemathesis/{vendor}.toml")))
            .arg("run")
            .arg(root.join(format!("specs/{vendor}.yaml")))
            .args(["--url", &format!("{}{prefix}", sandbox.base)])
            .args(["--checks", "all", "--max-examples", examples, "--seed", "1"])
            .status()
            .map_err(|e| format!("schemathesis: {e}"))?;
        if !outcome.success() {
            failed.push(vendor);
        }
    }
    if failed.is_empty() {
        println!("\nschemathesis: no failure for any spec");
        Ok(())
    } else {
        Err(format!(
            "schemathesis found failures for: {}",
            failed.join(", ")
        ))
    }
}

/// The sandbox binary on a free port of 127.0.0.1, stopped when dropped.
struct Sandbox {
    child: Child,
    base: String,
}

impl Sandbox {
    fn start(bin: &Path) -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(bin)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err("the sandbox did not start".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        })
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
