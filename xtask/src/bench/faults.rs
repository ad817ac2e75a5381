//! Faults: a zchat history export and a Converz calls export through 20% mixed faults (429,
//! 503, connections dropped before an answer, bodies cut mid-way), against the same export
//! from a fault-free sandbox: rows lost, rows repeated, time ratio.

use super::common::{status, SandboxProcess, Scratch, CONVERZ_KEY, ZCHAT_TOKEN};
use super::Plan;
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The sandbox flags of 20% mixed faults.
pub const MIXED_20: &[&str] = &[
    "--rate-429",
    "0.05",
    "--rate-5xx",
    "0.05",
    "--rate-drop",
    "0.05",
    "--rate-cut",
    "0.05",
];

/// One list exported clean and through faults.
pub struct FaultRun {
    pub list: &'static str,
    pub rows: u64,
    pub lost: u64,
    pub repeated: u64,
    pub identical: bool,
    pub clean: Duration,
    pub faulty: Duration,
}

pub fn faults(
    plan: &Plan,
    cxkit: &Path,
    clean: &SandboxProcess,
    faulty: &SandboxProcess,
) -> Result<Vec<FaultRun>, String> {
    let scratch = Scratch::new("faults")?;
    let page = plan.page.to_string();
    let converz_page = (plan.rows / 10).max(1).to_string();
    let lists: [(&'static str, &str, Vec<&str>); 2] = [
        (
            "zchat history",
            "id",
            vec![
                "zchat",
                "history",
                "--from",
                "2024-01-01",
                "--to",
                "2024-04-01",
                "--page-size",
                &page,
            ],
        ),
        (
            "Converz calls",
            "call_id",
            vec!["converz", "calls", "--page-size", &converz_page],
        ),
    ];
    let mut out = Vec::new();
    for (list, key, args) in lists {
        let run = |sandbox: &SandboxProcess, file: &Path| {
            let started = Instant::now();
            status(
                Command::new(cxkit)
                    .env("ZCHAT_BASE_URL", sandbox.url("/zchat"))
                    .env("ZCHAT_TOKEN", ZCHAT_TOKEN)
                    .env("CONVERZ_BASE_URL", sandbox.url("/converz/api/v1"))
                    .env("CONVERZ_API_KEY", CONVERZ_KEY)
                    .args(["--quiet", "--format", "jsonl", "--output"])
                    .arg(file)
                    .args(&args),
            )?;
            Ok::<_, String>(started.elapsed())
        };
        let (clean_file, faulty_file) = (
            scratch.0.join("clean.jsonl"),
            scratch.0.join("faulty.jsonl"),
        );
        let clean_time = run(clean, &clean_file)?;
        let faulty_time = run(faulty, &faulty_file)?;
        let (clean_keys, _) = keys(&clean_file, key)?;
        let (faulty_keys, faulty_rows) = keys(&faulty_file, key)?;
        let result = FaultRun {
            list,
            rows: clean_keys.len() as u64,
            lost: clean_keys.difference(&faulty_keys).count() as u64,
            repeated: faulty_rows - faulty_keys.len() as u64,
            identical: std::fs::read(&clean_file).map_err(|e| e.to_string())?
                == std::fs::read(&faulty_file).map_err(|e| e.to_string())?,
            clean: clean_time,
            faulty: faulty_time,
        };
        println!(
            "   {list:<16} {} rows: {} lost, {} repeated, {:.2}× the fault-free time{}",
            result.rows,
            result.lost,
            result.repeated,
            result.faulty.as_secs_f64() / result.clean.as_secs_f64(),
            if result.identical {
                ", byte-identical"
            } else {
                ""
            }
        );
        out.push(result);
    }
    Ok(out)
}

/// The distinct `key` values of a JSON Lines file, and its row count.
fn keys(path: &Path, key: &str) -> Result<(HashSet<String>, u64), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut set = HashSet::new();
    let mut rows = 0;
    for line in text.lines() {
        let row: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        set.insert(row[key].to_string());
        rows += 1;
    }
    Ok((set, rows))
}
