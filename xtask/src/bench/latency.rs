//! Latency-bound export: a sandbox answering each page 200 ms late, 100 pages of zchat history:
//! the `cxkit` CLI at `--concurrency 1, 4, 8` against the Python `requests` script, every cxkit
//! output compared byte for byte with the sequential one.

use super::common::{lines, python_history, status, timed, zchat_history, SandboxProcess, Scratch};
use super::Plan;
use std::path::Path;
use std::time::Duration;

/// One method's median wall time.
pub struct Run {
    pub name: String,
    pub wall: Duration,
    /// Whether its output is byte-identical to `--concurrency 1`'s (cxkit only).
    pub identical: Option<bool>,
}

/// The runs and the setting they ran in.
pub struct Latency {
    pub pages: u64,
    pub page: u64,
    pub latency_ms: u64,
    pub runs: Vec<Run>,
}

/// The concurrencies compared; the first is the sequential reference.
pub const CONCURRENCY: [u16; 3] = [1, 4, 8];

pub fn latency(
    root: &Path,
    plan: &Plan,
    smoke: bool,
    cxkit: &Path,
    sandbox_bin: &Path,
) -> Result<Latency, String> {
    let (pages, page, latency_ms) = if smoke {
        (5, 200, 20)
    } else {
        (100, 1_000, 200)
    };
    let latency_flag = latency_ms.to_string();
    let sandbox = SandboxProcess::start(
        sandbox_bin,
        pages * page - 1,
        &["--latency-ms", &latency_flag],
    )?;
    let base = sandbox.url("/zchat");
    let scratch = Scratch::new("latency")?;
    let page_text = page.to_string();
    let mut runs = Vec::new();
    let mut reference: Option<Vec<u8>> = None;
    for concurrency in CONCURRENCY {
        let out = scratch.0.join(format!("c{concurrency}.jsonl"));
        let (wall, rows) = timed(
            plan.runs,
            || {
                let mut c = zchat_history(cxkit, &base, &page_text, Some(concurrency), Some(&out));
                status(&mut c)
            },
            || lines(&out),
        )?;
        check_rows(
            &format!("cxkit --concurrency {concurrency}"),
            rows,
            pages * page - 1,
        )?;
        let bytes = std::fs::read(&out).map_err(|e| e.to_string())?;
        let identical = match &reference {
            None => {
                reference = Some(bytes);
                true
            }
            Some(first) => *first == bytes,
        };
        runs.push(Run {
            name: format!("cxkit --concurrency {concurrency}"),
            wall,
            identical: Some(identical),
        });
    }
    let out = scratch.0.join("python.jsonl");
    let (wall, rows) = timed(
        plan.runs,
        || status(&mut python_history(root, &base, &page_text, &out)),
        || lines(&out),
    )?;
    check_rows("Python requests", rows, pages * page - 1)?;
    runs.push(Run {
        name: "Python requests".into(),
        wall,
        identical: None,
    });
    for r in &runs {
        println!("   {:<28} {:>8.2} s", r.name, r.wall.as_secs_f64());
    }
    Ok(Latency {
        pages,
        page,
        latency_ms,
        runs,
    })
}

fn check_rows(name: &str, rows: u64, expected: u64) -> Result<(), String> {
    (rows == expected)
        .then_some(())
        .ok_or_else(|| format!("{name} wrote {rows} rows, expected {expected}"))
}

impl Latency {
    fn wall(&self, name: &str) -> Option<f64> {
        let run = self.runs.iter().find(|r| r.name == name)?;
        Some(run.wall.as_secs_f64())
    }

    /// The section of `docs/benchmarks.md`.
    pub fn section(&self) -> String {
        let mut s = format!(
            "\n## 2. Latency-bound export\n\n{} pages of {} zchat history rows (the last one \
             short) from a sandbox that answers each request {} ms late, to JSON Lines. \
             Python pages one after another, as its script is written.\n\n\
             | method | time | vs Python | output vs `--concurrency 1` |\n|---|---|---|---|\n",
            self.pages, self.page, self.latency_ms
        );
        let python = self.wall("Python requests");
        for r in &self.runs {
            let vs = python.map_or("".into(), |p| format!("{:.2}×", p / r.wall.as_secs_f64()));
            let same = match r.identical {
                Some(true) => "byte-identical",
                Some(false) => "DIFFERS",
                None => "",
            };
            s.push_str(&format!(
                "| {} | {:.2} s | {vs} | {same} |\n",
                r.name,
                r.wall.as_secs_f64()
            ));
        }
        s
    }

    /// The target: ≥ 3.5× Python at concurrency 4, output identical.
    pub fn targets(&self) -> Vec<(String, String, bool)> {
        let (Some(python), Some(four)) = (
            self.wall("Python requests"),
            self.wall("cxkit --concurrency 4"),
        ) else {
            return Vec::new();
        };
        let identical = self.runs.iter().all(|r| r.identical != Some(false));
        vec![
            (
                "latency-bound export at `--concurrency 4` ≥ 3.5× faster than Python".into(),
                format!("{:.2}×", python / four),
                python / four >= 3.5,
            ),
            (
                "concurrent output identical to the sequential run".into(),
                if identical {
                    "byte-identical"
                } else {
                    "differs"
                }
                .into(),
                identical,
            ),
        ]
    }
}
