//! Export: N zchat history rows from the sandbox to JSON Lines: the `cxkit` CLI at its default
//! concurrency and one page at a time, a Python `requests` script, and `curl` to /dev/null
//! (the ceiling).

use super::common::{
    lines, python_history, status, timed, zchat_history, SandboxProcess, Scratch, ZCHAT_TOKEN,
};
use super::Plan;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Median wall time of `runs` runs of one export method, and the rows it wrote.
pub struct Export {
    pub name: &'static str,
    pub time: Duration,
    pub rows: u64,
}

pub fn export(
    root: &Path,
    plan: &Plan,
    cxkit: &Path,
    sandbox: &SandboxProcess,
) -> Result<Vec<Export>, String> {
    let scratch = Scratch::new("export")?;
    let dir = &scratch.0;
    let out = dir.join("export.jsonl");
    let base = sandbox.url("/zchat");
    let page = plan.page.to_string();
    let mut results = Vec::new();
    for (name, concurrency) in [
        ("cxkit (default: --concurrency 4)", 4),
        ("cxkit --concurrency 1", 1),
    ] {
        let (time, rows) = timed(
            plan.runs,
            || {
                status(&mut zchat_history(
                    cxkit,
                    &base,
                    &page,
                    Some(concurrency),
                    Some(&out),
                ))
            },
            || lines(&out),
        )?;
        results.push(Export { name, time, rows });
    }
    let python_ok = Command::new("python3")
        .args(["-c", "import requests"])
        .status()
        .is_ok_and(|s| s.success());
    if !python_ok {
        status(Command::new("python3").args(["-m", "pip", "install", "--quiet", "requests"]))?;
    }
    let (time, rows) = timed(
        plan.runs,
        || status(&mut python_history(root, &base, &page, &out)),
        || lines(&out),
    )?;
    results.push(Export {
        name: "Python requests",
        time,
        rows,
    });
    let config = dir.join("curl.cfg");
    let pages = plan.rows / plan.page + 1;
    let mut text = String::new();
    for p in 1..=pages {
        text.push_str(&format!("url = \"{base}/history?token={ZCHAT_TOKEN}&from=2024-01-01T00:00:00&to=2024-04-01T23:59:59&limit={page}&page={p}\"\noutput = \"/dev/null\"\n"));
    }
    std::fs::write(&config, text).map_err(|e| e.to_string())?;
    let (time, _) = timed(
        plan.runs,
        || {
            status(
                Command::new("curl")
                    .args(["--silent", "--fail", "--config"])
                    .arg(&config),
            )
        },
        || Ok(plan.rows),
    )?;
    results.push(Export {
        name: "curl to /dev/null (ceiling)",
        time,
        rows: plan.rows,
    });
    for r in &results {
        if r.rows != plan.rows {
            return Err(format!(
                "{} wrote {} rows, expected {}",
                r.name, r.rows, plan.rows
            ));
        }
        println!(
            "   {:<28} {:>8.2} s  {:>10.0} rows/s",
            r.name,
            r.time.as_secs_f64(),
            r.rows as f64 / r.time.as_secs_f64()
        );
    }
    Ok(results)
}
