//! What every benchmark shares: running cargo and commands, the sandbox as a process,
//! timing, counting rows.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ZCHAT_TOKEN: &str = "sandbox-zchat-token";
pub const CONVERZ_KEY: &str = "sandbox-converz-key";

pub fn cargo(root: &Path) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root);
    c
}

pub fn status(command: &mut Command) -> Result<(), String> {
    let s = command.status().map_err(|e| format!("{command:?}: {e}"))?;
    s.success()
        .then_some(())
        .ok_or_else(|| format!("{command:?} failed: {s}"))
}

/// The number following `key` after `section` in a JSON text (enough for criterion's files).
pub fn number_after(text: &str, section: &str, key: &str) -> Option<f64> {
    let rest = &text[text.find(section)?..];
    let rest = &rest[rest.find(key)? + key.len()..];
    let end =
        rest.find(|c: char| c != '.' && c != '-' && c != 'e' && c != '+' && !c.is_ascii_digit())?;
    rest[..end].trim().parse().ok()
}

/// `cxkit --quiet --format jsonl [--concurrency N] [--output FILE] zchat history` over the
/// sandbox's whole period (the 90 days before 2024-04-01) from `base`, pages of `page` rows;
/// without `out` the rows go to standard output.
pub fn zchat_history(
    cxkit: &Path,
    base: &str,
    page: &str,
    concurrency: Option<u16>,
    out: Option<&Path>,
) -> Command {
    let mut c = Command::new(cxkit);
    c.env("ZCHAT_BASE_URL", base)
        .env("ZCHAT_TOKEN", ZCHAT_TOKEN);
    c.args(["--quiet", "--format", "jsonl"]);
    if let Some(n) = concurrency {
        c.arg("--concurrency").arg(n.to_string());
    }
    if let Some(out) = out {
        c.arg("--output").arg(out);
    }
    c.args([
        "zchat",
        "history",
        "--from",
        "2024-01-01",
        "--to",
        "2024-04-01",
    ]);
    c.args(["--page-size", page]);
    c
}

/// The Python baseline (`xtask/bench/export_requests.py`): the same period as
/// [`zchat_history`], one page after another with `requests`, to `out`; stdout discarded.
pub fn python_history(root: &Path, base: &str, page: &str, out: &Path) -> Command {
    let mut c = Command::new("python3");
    c.arg(root.join("xtask/bench/export_requests.py"))
        .arg(base)
        .arg(ZCHAT_TOKEN)
        .arg(out)
        .args(["2024-01-01T00:00:00", "2024-04-01T23:59:59", page])
        .stdout(Stdio::null());
    c
}

/// A sandbox binary serving on a free port until dropped.
pub struct SandboxProcess {
    child: Child,
    port: u16,
}

impl SandboxProcess {
    /// Starts `bin` with `rows` history rows and calls, plus `extra` flags (faults), answering
    /// identity bodies: the loopback benchmarks measure the client, not compression.
    pub fn start(bin: &Path, rows: u64, extra: &[&str]) -> Result<Self, String> {
        Self::start_compressing(bin, rows, &[extra, &["--no-compression"]].concat())
    }

    /// [`start`](Self::start), compressing responses that ask for it (gzip level 1 unless
    /// `extra` says otherwise), as a real server's edge does.
    pub fn start_compressing(bin: &Path, rows: u64, extra: &[&str]) -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(bin)
            .args([
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--history-rows",
                &rows.to_string(),
                "--calls",
                &rows.to_string(),
            ])
            .args(extra)
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
        Ok(Self { child, port })
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Median wall time of `runs` runs of `once` (only the command is timed), then the rows it
/// wrote, counted outside the timing.
pub fn timed(
    runs: usize,
    mut once: impl FnMut() -> Result<(), String>,
    count: impl Fn() -> Result<u64, String>,
) -> Result<(Duration, u64), String> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        once()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], count()?))
}

/// Lines in a file.
pub fn lines(path: &Path) -> Result<u64, String> {
    let text = std::fs::read(path).map_err(|e| e.to_string())?;
    Ok(text.iter().filter(|b| **b == b'\n').count() as u64)
}

/// A scratch directory for one benchmark, removed when dropped.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("cxkit-bench-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What one process cost, as `/usr/bin/time` reports it.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    pub wall: Duration,
    /// User plus system time.
    pub cpu: Duration,
    pub peak_kib: u64,
}

/// Runs `command` under `/usr/bin/time` and returns its wall time, CPU time and peak RSS.
pub fn usage(command: &mut Command) -> Result<Usage, String> {
    let report = Scratch::new("usage")?;
    let file = report.0.join("time.txt");
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%e %U %S %M", "-o"])
        .arg(&file)
        .arg(program)
        .args(args);
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        timed.current_dir(dir);
    }
    status(timed.stdout(Stdio::null()))?;
    let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    let fields: Vec<f64> = text
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [wall, user, sys, peak] = fields[..] else {
        return Err(format!("/usr/bin/time printed {text:?}"));
    };
    Ok(Usage {
        wall: Duration::from_secs_f64(wall),
        cpu: Duration::from_secs_f64(user + sys),
        peak_kib: peak as u64,
    })
}

/// The run with the median CPU time of `runs` runs of `command`.
pub fn median_usage(runs: usize, mut command: impl FnMut() -> Command) -> Result<Usage, String> {
    let mut all = Vec::new();
    for _ in 0..runs.max(1) {
        all.push(usage(&mut command())?);
    }
    all.sort_by_key(|u| u.cpu);
    Ok(all[all.len() / 2])
}
