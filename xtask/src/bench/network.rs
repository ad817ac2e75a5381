//! A shaped link: the sandbox behind one shared bandwidth budget and a 40 ms round trip,
//! compressing at gzip level 1 as an API edge does (`cxkit-sandbox --link-mbit --link-rtt-ms`),
//! at 100 and 20 Mbit/s. The same zchat history export by cxkit with its defaults (to JSON
//! Lines and to Parquet), a Python `requests` script, dlt's REST API source to Parquet (in its
//! venv, `xtask/dlt/requirements.txt`) and `curl --compressed` fetching the pages one after
//! another. Every export's ids are compared (`xtask/bench/same_rows.py`).

use super::common::{
    python_history, status, usage, zchat_history, SandboxProcess, Scratch, Usage, ZCHAT_TOKEN,
};
use std::path::Path;
use std::process::{Command, Stdio};

/// The links measured: Mbit/s and round-trip milliseconds.
pub const LINKS: [(f64, u64); 2] = [(100.0, 40), (20.0, 40)];

const FROM: &str = "2024-01-01T00:00:00";
const TO: &str = "2024-04-01T23:59:59";

/// One client's run on one link.
pub struct Run {
    pub name: &'static str,
    pub usage: Usage,
}

/// One link's runs.
pub struct LinkRuns {
    pub mbit: f64,
    pub rtt_ms: u64,
    pub runs: Vec<Run>,
}

/// Every link's runs, and the rows each export had.
pub struct Network {
    pub rows: u64,
    pub page: u64,
    pub links: Vec<LinkRuns>,
}

pub const CXKIT_JSONL: &str = "cxkit → JSON Lines (defaults)";
pub const CXKIT_PARQUET: &str = "cxkit → Parquet (defaults)";
pub const PYTHON: &str = "Python requests → JSON Lines";
pub const DLT: &str = "dlt REST API source → Parquet";
pub const CURL: &str = "curl --compressed, pages in turn";

pub fn network(
    root: &Path,
    smoke: bool,
    cxkit: &Path,
    sandbox_bin: &Path,
) -> Result<Network, String> {
    let (rows, page) = if smoke {
        (20_000, 2_000)
    } else {
        (300_000, 10_000)
    };
    let dlt = crate::python::venv(root, crate::python::DLT)?;
    let page_text = page.to_string();
    let mut links = Vec::new();
    for (mbit, rtt_ms) in LINKS {
        println!("   link {mbit} Mbit/s, {rtt_ms} ms round trip, gzip level 1");
        let shape = [
            "--link-mbit",
            &mbit.to_string(),
            "--link-rtt-ms",
            &rtt_ms.to_string(),
        ];
        // `rows - 1`: the last page is short, so every client stops on it.
        let sandbox = SandboxProcess::start_compressing(sandbox_bin, rows - 1, &shape)?;
        let base = sandbox.url("/zchat");
        let scratch = Scratch::new("network")?;
        let path = |name: &str| scratch.0.join(name);
        let mut runs = Vec::new();
        let mut measure = |name: &'static str, mut command: Command| -> Result<(), String> {
            let usage = usage(&mut command)?;
            println!(
                "     {name:<36} wall {:>6.2} s  CPU {:>6.2} s  peak {:>6.1} MiB",
                usage.wall.as_secs_f64(),
                usage.cpu.as_secs_f64(),
                usage.peak_kib as f64 / 1024.0
            );
            runs.push(Run { name, usage });
            Ok(())
        };
        measure(
            CXKIT_JSONL,
            zchat_history(cxkit, &base, &page_text, None, Some(&path("cxkit.jsonl"))),
        )?;
        let mut parquet =
            zchat_history(cxkit, &base, &page_text, None, Some(&path("cxkit.parquet")));
        parquet.args(["--format", "parquet"]);
        measure(CXKIT_PARQUET, parquet)?;
        measure(
            PYTHON,
            python_history(root, &base, &page_text, &path("python.jsonl")),
        )?;
        let mut dlt_run = Command::new(&dlt);
        dlt_run
            .arg(root.join("xtask/bench/export_dlt.py"))
            .arg(&base)
            .arg(ZCHAT_TOKEN)
            .arg(path("dlt"))
            .args([FROM, TO, &page_text])
            .stdout(Stdio::null());
        measure(DLT, dlt_run)?;
        let mut curl = Command::new("curl");
        curl.args(["--silent", "--show-error", "--fail", "--compressed"]);
        for n in 1..=rows.div_ceil(page) {
            curl.arg(format!(
                "{base}/history?token={ZCHAT_TOKEN}&from={FROM}&to={TO}&limit={page}&page={n}"
            ))
            .args(["--output", "/dev/null"]);
        }
        measure(CURL, curl)?;
        status(
            Command::new(&dlt)
                .arg(root.join("xtask/bench/same_rows.py"))
                .arg((rows - 1).to_string())
                .arg(path("cxkit.jsonl"))
                .arg(path("python.jsonl"))
                .arg(path("cxkit.parquet"))
                .arg(path("dlt")),
        )
        .map_err(|e| format!("the exports differ: {e}"))?;
        links.push(LinkRuns { mbit, rtt_ms, runs });
    }
    Ok(Network {
        rows: rows - 1,
        page,
        links,
    })
}

impl LinkRuns {
    fn wall(&self, name: &str) -> Option<f64> {
        Some(
            self.runs
                .iter()
                .find(|r| r.name == name)?
                .usage
                .wall
                .as_secs_f64(),
        )
    }
}

impl Network {
    /// The section of `docs/benchmarks.md`.
    pub fn section(&self) -> String {
        let mut s = format!(
            "\n## 9. A shaped link (compressed, 40 ms away)\n\n{} zchat history rows in pages of {} \
             from a sandbox behind a link shared by every connection (`cxkit-sandbox --link-mbit N \
             --link-rtt-ms 40`), gzip level 1 when asked (nginx's default). Every client on its \
             defaults: cxkit asks for gzip, br, zstd or deflate and fetches 4 pages at once; \
             `requests` and dlt ask for gzip and page one at a time; curl fetches the same pages \
             one after another on one connection. The rows of every export are compared (same \
             ids, each once). Wall and CPU of the client process (`/usr/bin/time`).\n",
            self.rows, self.page
        );
        for link in &self.links {
            s.push_str(&format!(
                "\n### {} Mbit/s, {} ms round trip\n\n| client | wall | CPU | peak RSS | vs Python | vs dlt |\n|---|---|---|---|---|---|\n",
                link.mbit, link.rtt_ms
            ));
            let (python, dlt) = (link.wall(PYTHON), link.wall(DLT));
            for r in &link.runs {
                let wall = r.usage.wall.as_secs_f64();
                let vs =
                    |base: Option<f64>| base.map_or(String::new(), |b| format!("{:.2}×", b / wall));
                s.push_str(&format!(
                    "| {} | {:.2} s | {:.2} s | {:.0} MiB | {} | {} |\n",
                    r.name,
                    wall,
                    r.usage.cpu.as_secs_f64(),
                    r.usage.peak_kib as f64 / 1024.0,
                    vs(python),
                    vs(dlt)
                ));
            }
        }
        s
    }

    /// The targets on 100 Mbit/s: ≥ 3× faster than Python, ≥ 5× faster than dlt to
    /// Parquet.
    pub fn targets(&self) -> Vec<(String, String, bool)> {
        let Some(link) = self.links.iter().find(|l| l.mbit >= 100.0) else {
            return Vec::new();
        };
        let mut targets = Vec::new();
        if let (Some(python), Some(cxkit)) = (link.wall(PYTHON), link.wall(CXKIT_JSONL)) {
            targets.push((
                "100 Mbit/s + 40 ms, gzip: cxkit ≥ 3× faster than Python".into(),
                format!("{:.2}×", python / cxkit),
                python / cxkit >= 3.0,
            ));
        }
        if let (Some(dlt), Some(cxkit)) = (link.wall(DLT), link.wall(CXKIT_PARQUET)) {
            targets.push((
                "100 Mbit/s + 40 ms, gzip: cxkit ≥ 5× faster than dlt to Parquet".into(),
                format!("{:.2}×", dlt / cxkit),
                dlt / cxkit >= 5.0,
            ));
        }
        targets
    }
}
