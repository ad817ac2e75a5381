//! Client-bound export: the zchat history rows served pre-rendered (`cxkit-sandbox --replay`,
//! warmed up first, so the server only copies bytes) and read by the `cxkit` CLI to JSON Lines,
//! by the Python `requests` script, and by the floor: a Rust program that fetches the same
//! pages and only validates them as JSON (`examples/json_floor.rs`). Compared by client CPU.

use super::common::{
    median_usage, python_history, status, zchat_history, SandboxProcess, Scratch, Usage,
    ZCHAT_TOKEN,
};
use super::Plan;
use std::path::Path;
use std::process::Command;

/// One client's median-CPU run.
pub struct Client {
    pub name: &'static str,
    pub usage: Usage,
}

const TO_FILE: &str = "cxkit → file";
const TO_NULL: &str = "cxkit → /dev/null";
const GZIP_TO_NULL: &str = "cxkit → /dev/null, gzip bodies";
const FROM: &str = "2024-01-01T00:00:00";
const TO: &str = "2024-04-01T23:59:59";

pub fn client_cpu(
    root: &Path,
    plan: &Plan,
    bins: (&Path, &Path, &Path),
) -> Result<Vec<Client>, String> {
    let (cxkit, floor, sandbox_bin) = bins;
    let sandbox = SandboxProcess::start(sandbox_bin, plan.rows, &["--replay"])?;
    let base = sandbox.url("/zchat");
    let page = plan.page.to_string();
    let floor_command = || {
        let mut c = Command::new(floor);
        c.args([&base, ZCHAT_TOKEN, FROM, TO, &page]);
        c
    };
    // Renders every page once; the measured runs get them from memory.
    status(&mut floor_command())?;
    let scratch = Scratch::new("client-cpu")?;
    let out = scratch.0.join("out.jsonl");
    // To a file (durable: synced after each page), as Python writes; and to standard output
    // on /dev/null, which like the floor keeps nothing.
    let cxkit_command =
        |to_file: bool| zchat_history(cxkit, &base, &page, None, to_file.then_some(out.as_path()));

    let python_command = || python_history(root, &base, &page, &out);

    // The same pages gzipped at level 1 by a second sandbox (the server's CPU is its own).
    let gzipping = SandboxProcess::start_compressing(sandbox_bin, plan.rows, &["--replay"])?;
    let gzip_base = gzipping.url("/zchat");
    let gzip_command = || zchat_history(cxkit, &gzip_base, &page, None, None);
    status(gzip_command().stdout(std::process::Stdio::null()))?;

    let mut clients = Vec::new();
    for (name, usage) in [
        (TO_FILE, median_usage(plan.runs, || cxkit_command(true))?),
        (TO_NULL, median_usage(plan.runs, || cxkit_command(false))?),
        (GZIP_TO_NULL, median_usage(plan.runs, gzip_command)?),
        ("Python requests", median_usage(plan.runs, python_command)?),
        (
            "floor: fetch + validate (IgnoredAny)",
            median_usage(plan.runs, floor_command)?,
        ),
    ] {
        println!(
            "   {name:<38} CPU {:>6.2} s  wall {:>6.2} s",
            usage.cpu.as_secs_f64(),
            usage.wall.as_secs_f64()
        );
        clients.push(Client { name, usage });
    }
    Ok(clients)
}

fn cpu(clients: &[Client], prefix: &str) -> Option<f64> {
    let client = clients.iter().find(|c| c.name.starts_with(prefix))?;
    Some(client.usage.cpu.as_secs_f64())
}

/// The section of `docs/benchmarks.md`.
pub fn section(plan: &Plan, clients: &[Client]) -> String {
    let mut s = format!(
        "\n## 3. Client-bound export\n\n{} zchat history rows in pages of {}, served \
         pre-rendered (`cxkit-sandbox --replay`, warmed up), so the client is the limit. \
         CPU is user + system time of the client process (`/usr/bin/time`), median of {} runs.\n\n\
         | client | CPU | wall | CPU vs Python | CPU vs floor |\n|---|---|---|---|---|\n",
        plan.rows, plan.page, plan.runs
    );
    let (python, floor) = (cpu(clients, "Python"), cpu(clients, "floor"));
    for c in clients {
        let own = c.usage.cpu.as_secs_f64();
        let vs_python = python.map_or(String::new(), |p| format!("{:.1}× less", p / own));
        let vs_floor = floor.map_or(String::new(), |f| format!("{:.2}×", own / f));
        s.push_str(&format!(
            "| {} | {:.2} s | {:.2} s | {vs_python} | {vs_floor} |\n",
            c.name,
            own,
            c.usage.wall.as_secs_f64()
        ));
    }
    s
}

/// The targets: ≥ 10× less CPU than Python, ≤ 3× the floor.
pub fn targets(clients: &[Client]) -> Vec<(String, String, bool)> {
    let (Some(file), Some(null), Some(python), Some(floor)) = (
        cpu(clients, TO_FILE),
        cpu(clients, TO_NULL),
        cpu(clients, "Python"),
        cpu(clients, "floor"),
    ) else {
        return Vec::new();
    };
    let gzip = clients.iter().find(|c| c.name == GZIP_TO_NULL);
    let identity = clients.iter().find(|c| c.name == TO_NULL);
    let mut targets = Vec::new();
    if let (Some(gzip), Some(identity)) = (gzip, identity) {
        let ratio = gzip.usage.cpu.as_secs_f64() / identity.usage.cpu.as_secs_f64();
        targets.push((
            "client CPU per row with gzip bodies ≤ 1.5× identity bodies".into(),
            format!("{ratio:.2}×"),
            ratio <= 1.5,
        ));
        let rss = gzip.usage.peak_kib as f64 / identity.usage.peak_kib as f64;
        targets.push((
            "peak RSS with gzip bodies unchanged (≤ 1.1× identity)".into(),
            format!("{rss:.2}×"),
            rss <= 1.1,
        ));
    }
    targets.extend(vec![
        (
            "client-bound export CPU ≥ 10× less than Python (both writing a file)".into(),
            format!("{:.1}×", python / file),
            python / file >= 10.0,
        ),
        (
            "client-bound export CPU ≤ 3× the validate-only floor (neither keeping output)".into(),
            format!("{:.2}×", null / floor),
            null / floor <= 3.0,
        ),
    ]);
    targets
}
