//! `cargo xtask bench [--smoke]`: measures cxkit against the baselines its users would
//! otherwise pick, side by side in one run, and writes `docs/benchmarks.md`.
//!
//! 1. Decode (criterion): zchat 10k-row page and Converz 100k-row page, cxkit types vs `Value`.
//! 2. Latency-bound: 100 pages answered 200 ms late: `--concurrency 1, 4, 8` vs Python.
//! 3. Client-bound: N pre-rendered zchat rows: client CPU of cxkit, Python and a
//!    validate-only floor.
//! 4. Export: N zchat history rows from the sandbox on loopback to JSON Lines: the `cxkit`
//!    CLI at concurrency 4 and 1, a Python `requests` script, and `curl` to /dev/null.
//! 5. Formats: one N-row Converz page to JSON Lines, CSV and Parquet: CPU and peak RSS.
//! 6. Memory: peak RSS reading one N-row Converz page, streaming vs the generated client.
//! 7. Faults: zchat and Converz exports through 20% mixed faults vs fault-free.
//! 8. Build: cold `cargo build --workspace` and the rebuild after a one-line spec change, in a
//!    copy of the work tree (no tracked file is edited); `--skip-build` leaves it out.
//! 9. A shaped link (100 and 20 Mbit/s, 40 ms, gzip level 1): cxkit vs Python `requests` vs
//!    dlt's REST API source vs `curl --compressed`, the same rows from each.
//!
//! Sections 2–7 run on loopback with identity bodies (the client is the subject); section 3
//! adds a gzip run, and section 9 is the network users have.
//!
//! `--smoke` runs every step on small data with debug binaries and writes nothing: it only
//! proves the harness works (it runs in CI).

mod build;
mod client_cpu;
mod common;
mod decode;
mod export;
mod faults;
mod formats;
mod latency;
mod memory;
mod network;
mod report;

use common::{cargo, status, SandboxProcess};
use std::path::Path;

/// How big the benchmarks are.
pub struct Plan {
    pub rows: u64,
    pub page: u64,
    pub runs: usize,
}

/// Runs the benchmarks.
pub fn run(root: &Path, smoke: bool, skip_build: bool) -> Result<(), String> {
    let plan = if smoke {
        Plan {
            rows: 20_000,
            page: 2_000,
            runs: 1,
        }
    } else {
        Plan {
            rows: 1_000_000,
            page: 10_000,
            runs: 3,
        }
    };
    let profile = if smoke { "debug" } else { "release" };
    println!("== building ({profile})");
    if smoke {
        crate::python::build_debug_binaries(root)?;
    } else {
        // Target flags apply to every package named, so binaries and the example build apart.
        for targets in [
            &["-p", "cxkit-cli", "-p", "cxkit-sandbox", "--bins"][..],
            &[
                "-p",
                "cxkit",
                "--example",
                "calls_memory",
                "--example",
                "json_floor",
            ],
        ] {
            status(cargo(root).arg("build").args(targets).arg("--release"))?;
        }
    }
    let bin = |name: &str| root.join("target").join(profile).join(name);

    println!("== decode (criterion)");
    let decode = decode::decode(root, smoke)?;

    println!(
        "== export and memory against the sandbox ({} rows)",
        plan.rows
    );
    let sandbox = SandboxProcess::start(&bin("cxkit-sandbox"), plan.rows, &[])?;
    let export = export::export(root, &plan, &bin("cxkit"), &sandbox)?;
    println!(
        "== one {}-row Converz page to each output format",
        plan.rows
    );
    let formats = formats::formats(&plan, &bin("cxkit"), &sandbox)?;
    let memory = memory::memory(&plan, &bin("examples/calls_memory"), &sandbox)?;
    drop(sandbox);

    println!("== latency-bound export (every answer late)");
    let latency = latency::latency(root, &plan, smoke, &bin("cxkit"), &bin("cxkit-sandbox"))?;
    if let Some(run) = latency.runs.iter().find(|r| r.identical == Some(false)) {
        return Err(format!("{}: output differs from --concurrency 1", run.name));
    }

    println!("== client-bound export (pre-rendered pages)");
    let floor = bin("examples/json_floor");
    let client =
        client_cpu::client_cpu(root, &plan, (&bin("cxkit"), &floor, &bin("cxkit-sandbox")))?;

    let sandbox = SandboxProcess::start(&bin("cxkit-sandbox"), plan.rows, &[])?;

    println!("== exports through 20% mixed faults");
    let faulty = SandboxProcess::start(&bin("cxkit-sandbox"), plan.rows, faults::MIXED_20)?;
    let faults = faults::faults(&plan, &bin("cxkit"), &sandbox, &faulty)?;
    drop((sandbox, faulty));
    if let Some(bad) = faults.iter().find(|f| f.lost > 0 || f.repeated > 0) {
        return Err(format!(
            "{}: {} rows lost and {} repeated through faults",
            bad.list, bad.lost, bad.repeated
        ));
    }

    println!("== a shaped link");
    let network = network::network(root, smoke, &bin("cxkit"), &bin("cxkit-sandbox"))?;

    let build_times = if smoke || skip_build {
        None
    } else {
        Some(build::build_times(root)?)
    };

    let report = report::render(
        &plan,
        &report::Results {
            decode: &decode,
            latency: Some(&latency),
            client: &client,
            export: &export,
            formats: &formats,
            memory: &memory,
            faults: &faults,
            network: Some(&network),
            build: build_times.as_ref(),
        },
    );
    if smoke {
        println!("\n{report}\nbench --smoke: every step ran (nothing written)");
    } else {
        std::fs::write(root.join("docs/benchmarks.md"), &report).map_err(|e| e.to_string())?;
        println!("\n{report}\nwrote docs/benchmarks.md");
    }
    Ok(())
}
