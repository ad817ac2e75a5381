//! One Converz page of N rows written by the `cxkit` CLI as JSON Lines, CSV and Parquet:
//! client CPU and peak RSS of each.

use super::common::{median_usage, SandboxProcess, Scratch, Usage, CONVERZ_KEY};
use super::Plan;
use std::path::Path;
use std::process::Command;

/// One format's median-CPU run and the size of what it wrote.
pub struct Format {
    pub name: &'static str,
    pub usage: Usage,
    pub bytes: u64,
}

pub fn formats(plan: &Plan, cxkit: &Path, sandbox: &SandboxProcess) -> Result<Vec<Format>, String> {
    let scratch = Scratch::new("formats")?;
    let base = sandbox.url("/converz/api/v1");
    let rows = plan.rows.to_string();
    let mut out = Vec::new();
    for name in ["jsonl", "csv", "parquet"] {
        let file = scratch.0.join(format!("calls.{name}"));
        let usage = median_usage(plan.runs, || {
            let mut c = Command::new(cxkit);
            c.env("CONVERZ_BASE_URL", &base)
                .env("CONVERZ_API_KEY", CONVERZ_KEY);
            c.args(["--quiet", "--format", name, "--output"]).arg(&file);
            c.args(["converz", "calls", "--page-size", &rows]);
            c
        })?;
        let bytes = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
        println!(
            "   {name:<8} CPU {:>6.2} s  peak RSS {:>7.1} MiB  {:>7.1} MB written",
            usage.cpu.as_secs_f64(),
            usage.peak_kib as f64 / 1024.0,
            bytes as f64 / 1e6
        );
        out.push(Format { name, usage, bytes });
    }
    Ok(out)
}

/// The section of `docs/benchmarks.md`.
pub fn section(plan: &Plan, formats: &[Format]) -> String {
    let mut s = format!(
        "\n## 5. Output formats\n\nOne Converz `/calls` page of {} rows from the sandbox, \
         written by `cxkit converz calls --page-size {}` (median of {} runs by CPU).\n\n\
         | format | client CPU | peak RSS | written |\n|---|---|---|---|\n",
        plan.rows, plan.rows, plan.runs
    );
    for f in formats {
        s.push_str(&format!(
            "| {} | {:.2} s | {:.1} MiB | {:.1} MB |\n",
            f.name,
            f.usage.cpu.as_secs_f64(),
            f.usage.peak_kib as f64 / 1024.0,
            f.bytes as f64 / 1e6
        ));
    }
    s
}

/// The target: peak RSS under 64 MB for every format.
pub fn targets(formats: &[Format]) -> Vec<(String, String, bool)> {
    formats
        .iter()
        .map(|f| {
            let mb = f.usage.peak_kib as f64 * 1024.0 / 1e6;
            (
                format!("{}: 1M-row Converz page, peak RSS < 64 MB", f.name),
                format!("{mb:.1} MB"),
                mb < 64.0,
            )
        })
        .collect()
}
