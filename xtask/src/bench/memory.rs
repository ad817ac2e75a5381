//! Memory: peak RSS reading one N-row Converz page, streaming vs the generated client.

use super::common::{SandboxProcess, CONVERZ_KEY};
use super::Plan;
use std::path::Path;
use std::process::Command;

pub struct Memory {
    pub name: &'static str,
    pub peak_kib: u64,
}

pub fn memory(plan: &Plan, probe: &Path, sandbox: &SandboxProcess) -> Result<Vec<Memory>, String> {
    let base = sandbox.url("/converz/api/v1");
    let mut out = Vec::new();
    for (name, mode) in [
        ("cxkit streaming", "streaming"),
        ("generated client, buffered", "buffered"),
    ] {
        let output = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(probe)
            .args([mode, &base, CONVERZ_KEY, &plan.rows.to_string()])
            .output()
            .map_err(|e| format!("/usr/bin/time: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() || stdout.trim() != plan.rows.to_string() {
            return Err(format!("{name}: {stdout} {stderr}"));
        }
        let peak = stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|v| v.trim().parse().ok())
            .ok_or("no peak RSS in /usr/bin/time's output")?;
        println!("   {name:<28} peak RSS {:>8.1} MiB", peak as f64 / 1024.0);
        out.push(Memory {
            name,
            peak_kib: peak,
        });
    }
    Ok(out)
}
