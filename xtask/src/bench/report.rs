//! `docs/benchmarks.md`: every figure, the targets, and what limits each.

use super::build::BuildTimes;
use super::client_cpu::Client;
use super::decode::Decode;
use super::export::Export;
use super::faults::FaultRun;
use super::formats::Format;
use super::latency::Latency;
use super::memory::Memory;
use super::Plan;
use std::process::Command;

/// Every target of the benchmark issues, met or not; what limits each follows in [`LIMITS`].
fn targets(r: &Results<'_>) -> String {
    let mut rows: Vec<(String, String, bool)> = Vec::new();
    let ratio = |group: &str, variant: &str| {
        let time = |v: &str| {
            r.decode
                .iter()
                .find(|d| d.name == format!("{group}/{v}"))
                .map(|d| d.mean.as_secs_f64())
        };
        Some(time("serde_json_value")? / time(variant)?)
    };
    for (group, variant) in [
        ("zchat_history_10k", "cxkit_types"),
        ("zchat_history_10k", "cxkit_raw"),
        ("converz_calls_100k", "cxkit_streaming"),
        ("converz_calls_100k", "cxkit_raw"),
    ] {
        if let Some(x) = ratio(group, variant) {
            rows.push((
                format!("decode `{group}/{variant}` ≥ 2× `Value`"),
                format!("{x:.2}×"),
                x >= 2.0,
            ));
        }
    }
    if let Some(latency) = r.latency {
        rows.extend(latency.targets());
    }
    if let Some(network) = r.network {
        rows.extend(network.targets());
    }
    rows.extend(super::client_cpu::targets(r.client));
    let time = |prefix: &str| {
        r.export
            .iter()
            .find(|e| e.name.starts_with(prefix))
            .map(|e| e.time.as_secs_f64())
    };
    if let (Some(cx), Some(curl)) = (time("cxkit"), time("curl")) {
        rows.push((
            "export from the live sandbox within 2× of the curl ceiling".into(),
            format!("{:.2}× the time", cx / curl),
            cx / curl <= 2.0,
        ));
    }
    rows.extend(super::formats::targets(r.formats));
    if let Some(m) = r.memory.first() {
        let mb = m.peak_kib as f64 * 1024.0 / 1e6;
        rows.push((
            "streaming read peak RSS < 64 MB".into(),
            format!("{mb:.1} MB"),
            mb < 64.0,
        ));
    }
    let mut s = String::from("\n## Targets\n\n| target | measured | |\n|---|---|---|\n");
    for (target, measured, met) in rows {
        let mark = if met { "met" } else { "missed" };
        s.push_str(&format!("| {target} | {measured} | {mark} |\n"));
    }
    s.push_str(LIMITS);
    s
}

/// What limits the figures, from profiling them (kept with the harness that measures them).
const LIMITS: &str = "
### What limits the figures

Profiles taken with `perf record` on the same commands (release build); shares are of the
client process's samples.

- **Latency-bound export.** With every answer 200 ms late the time is pages × latency ÷ pages in
  flight: `--concurrency 4` takes about a quarter of the sequential time and `8` an eighth, with
  the same bytes written (the run fails if not). Python's script pages one at a time, so it is
  as slow as `--concurrency 1`. Past 8 the vendor's rate limit is the limit: the walk's
  `Throttle` halves the requests in flight on each `429` (tested against a sandbox that allows 2).
- **Client-bound export, against Python.** Writing to a file costs cxkit its own work plus the
  output: the profile of the file run puts about 8% of its samples in `write(2)` (the kernel
  copying 0.5 GB into the page cache, in 1 MiB writes; 8 KiB writes cost twice that) and 3% in
  `fsync` (an export syncs after every page, so a written row survives a crash), besides 7%
  receiving the bodies from the socket. Python pays the same page-cache copy but never syncs.
  Python's own cost is its JSON decode and encode of every row.
- **Client-bound export, against the floor.** JSON output does not decode rows: each row is
  read once to validate it and hash its primary key (for de-duplication), and its bytes are
  copied to the output (`RawRow`). In the profile, serde_json's validating pass
  (`skip_to_escape`, `ignore_value`, `ignore_str`, member names) is about a third of the
  samples: the floor's own work. The rest is the HTTP client (the body gathered into one buffer
  is 4%), the secret search over each body (3%), de-duplication (4%) and writing the output.
  Two fixes came from these profiles: the per-row step of a numbered walk was a large future
  copied for every row (30% of the CPU; now boxed), and member names were checked as UTF-8.
- **Decode.** Typed rows decode over 2× faster than `Value`, raw rows (what every export
  uses) faster still. A typed Converz row is open by contract (`call_id` and `rep_id` typed,
  every other column open). Until issue 28 (item 7) each open column was a `serde_json::Value`
  in the generated type's `extra` map, read through serde's `flatten`: a typed row built what a
  `Value` builds (two fifths of its profile was allocation) and stayed at 0.8–1.2× `Value`.
  Open values are now kept as the JSON text the vendor sent (`cxkit_runtime::OpenMap`,
  `OpenJson`): the generated `Deserialize` of an open struct reads its named members through
  serde's derive and copies every other member's name and text into one buffer per row in the
  same pass (`cxkit_runtime::open::split`), so a row costs two allocations, not a tree, and
  values are decoded when read. How that design was chosen (a stand-alone decoder of the same
  page, median of 15 runs, each against `Value` in the same run): open members as
  `Map<String, Value>` 1.16×; as a map of boxed raw text (`BTreeMap<String, Box<RawValue>>`)
  1.15×, as each member still allocates its name and a copy of its text; as a `Vec` of (name,
  boxed text) 1.71×; the row's own text with the spans of its open members 3.03×. The one-pass
  copy into a buffer gets close to the last without a different public type per schema. zchat
  rows, whose members are nearly all named, pay the pass's test of each name: 34.3 against
  33.1 ms before, in paired runs, within the machine's spread.

- **CSV and Parquet.** Both are written from each row's JSON text, read in place
  (`output/json_text.rs`): no `serde_json::Value` per row. CSV spools the rows as JSON Lines and
  reads them twice (once for the columns, keys only, then for the cells, strings unescaped only
  when they have escapes); its profile is the two JSON passes and CSV quoting. Parquet appends
  each value straight to an Arrow builder of the spec's shape; a Converz row is all open
  columns, so most of its time is the `_extra` JSON text, then Snappy and Parquet encoding
  (about 18%). Memory stays flat: rows are written as they arrive (Parquet holds one 8k-row
  batch), under 64 MB for a 1M-row page in every format.
- **Converz JSON Lines.** A Converz page is one JSON array decoded as it arrives; the splitter
  that finds its rows skips string contents with `memchr` and copies each row once (about 5%
  of a Converz export's samples).
- **Live export.** The sandbox renders each page as it is asked for, on the same 2 cores.
  Concurrent paging overlaps rendering with the client's work, which is why the default run
  is faster than the `curl` ceiling, which fetches one page after another.
- **Memory.** The streaming client holds one row and one network chunk at a time, whatever the
  page size; the generated client buffers the body and then the decoded `Vec`.
- **A shaped link.** On a real link the bytes are the cost: a 10,000-row zchat page is about
  5 MB as JSON and about a ninth of that gzipped at level 1, and the link carries nothing else.
  cxkit asks for compressed bodies and keeps 4 pages in flight, so the link stays busy while
  each answer's round trip and the server's rendering overlap; `requests` and dlt also ask for
  gzip but wait for each page before asking for the next, so every page pays its round trip
  and the server's time in turn, and dlt then normalises every row into its own schema before
  writing Parquet (its CPU). `curl` fetching the pages in turn on one connection is the
  sequential ceiling. On 20 Mbit/s the link limits everyone more; concurrency still hides the
  round trips. Decoding gzip costs the client little CPU (the gzip row of section 3).

### Issue 28, before and after

The same commands with release binaries of `b3875e6` (before the issue) and of the commit
that closed it, against one sandbox (identity bodies), run in turn (new, old, new, old …);
the median of the per-pair ratios, new ÷ old, and each one's median peak RSS. The decode
benchmark is left out: the decoders are the same code in both commits (its run-to-run spread
on this machine is ±25%).

| command (sandbox data) | pairs | CPU | wall | peak RSS new / old |
|---|---|---|---|---|
| `zchat history` 1M rows → JSON Lines | 15 | 0.99× | 1.01× | 54 / 54 MiB |
| the same, `--concurrency 1` | 9 | 0.99× | 0.98× | |
| `converz calls` 1M rows → JSON Lines | 11 | 0.97× | 0.96× | 19.9 / 20.3 MiB |
| `converz calls` 1M rows → CSV | 5 | 1.01× | 1.00× | 20.3 / 20.3 MiB |
| `converz calls` 1M rows → Parquet | 15 | 1.03× | 1.03× | 41.6 / 40.8 MiB |
| `conversion prospects` 100k rows → CSV | 5 | 0.61× | 0.99× | 28.2 / 48.4 MiB |
| `airbyte read` of `conversion_prospects` and `converz_calls` | 5 | 0.79× | 0.95× | 25.0 / 49.0 MiB |

zchat and Converz lists read the same raw rows as before, so they are unchanged (their
ratios' spread, 0.8–1.2 on this machine, covers the medians). Conversion lists are no longer
decoded into typed rows and encoded again (item 3): less CPU and half the memory; their wall
time is the sandbox's, which renders Conversion pages slowly.

Item 7 (open values kept as text), measured by the release builds of `cea4f96` (before) and
of the commit that landed it, run in turn on one machine: the decode benchmark's binaries
(criterion means of 2–3 paired runs each) and the generated client buffering one 1,000,000-row
Converz page (`calls_memory buffered`, 2 pairs, identical every time).

| measurement | before | after | after vs `Value` |
|---|---|---|---|
| `converz_calls_100k/cxkit_types` | 289 ms | 117 ms | 2.1–2.3× |
| `converz_calls_100k/cxkit_streaming` | 183 ms | 109 ms | 2.3–2.4× |
| `zchat_history_10k/cxkit_types` | 33.1 ms | 34.3 ms | 2.3–2.6× |
| generated client, 1M Converz rows buffered: peak RSS | 1409 MiB | 867 MiB | |
| the same: user CPU | 2.0 s | 1.0 s | |
";

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem} RAM, {rustc}")
}

/// Every figure of one run.
pub struct Results<'a> {
    pub decode: &'a [Decode],
    pub latency: Option<&'a Latency>,
    pub client: &'a [Client],
    pub export: &'a [Export],
    pub formats: &'a [Format],
    pub memory: &'a [Memory],
    pub faults: &'a [FaultRun],
    pub network: Option<&'a super::network::Network>,
    pub build: Option<&'a BuildTimes>,
}

pub fn render(plan: &Plan, r: &Results<'_>) -> String {
    let (decode, export, memory, faults, build) = (r.decode, r.export, r.memory, r.faults, r.build);
    let mut s = format!(
        "# Benchmarks\n\nGenerated by `cargo xtask bench` (release builds, {} runs per export, median). \
         Reproduce with that command; `cargo xtask bench --smoke` (in CI) only checks the harness.\n\n\
         Machine: {}. Every figure below was taken in the same run, side by side.\n",
        plan.runs,
        machine()
    );
    if !decode.is_empty() {
        s.push_str("\n## 1. Decode\n\nOne page decoded in memory (criterion, mean).\n\n| benchmark | time | rows/s | MB/s | vs `Value` |\n|---|---|---|---|---|\n");
        for d in decode {
            let group = d.name.split('/').next().unwrap_or("");
            let baseline = decode
                .iter()
                .find(|b| b.name == format!("{group}/serde_json_value"))
                .map(|b| b.mean.as_secs_f64());
            let secs = d.mean.as_secs_f64();
            s.push_str(&format!(
                "| `{}` | {:.1} ms | {:.0} | {:.0} | {} |\n",
                d.name,
                secs * 1e3,
                d.rows as f64 / secs,
                d.bytes as f64 / secs / 1e6,
                baseline
                    .map(|b| format!("{:.2}×", b / secs))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(latency) = r.latency {
        s.push_str(&latency.section());
    }
    s.push_str(&super::client_cpu::section(plan, r.client));
    s.push_str(&format!("\n## 4. Export from the live sandbox\n\n{} zchat history rows rendered by the sandbox as they are asked for (the server shares the 2 cores) to a JSON Lines file, pages of {}.\n\n| method | time | rows/s | vs Python | vs curl ceiling |\n|---|---|---|---|---|\n", plan.rows, plan.page));
    let python = export
        .iter()
        .find(|e| e.name == "Python requests")
        .map(|e| e.time.as_secs_f64())
        .unwrap_or(f64::NAN);
    let curl = export
        .iter()
        .find(|e| e.name.starts_with("curl"))
        .map(|e| e.time.as_secs_f64())
        .unwrap_or(f64::NAN);
    for e in export {
        let t = e.time.as_secs_f64();
        s.push_str(&format!(
            "| {} | {:.2} s | {:.0} | {:.2}× | {:.2}× the time |\n",
            e.name,
            t,
            e.rows as f64 / t,
            python / t,
            t / curl
        ));
    }
    s.push_str(&super::formats::section(plan, r.formats));
    s.push_str(&format!("\n## 6. Memory\n\nPeak RSS (`/usr/bin/time -v`) reading one Converz `/calls` response of {} rows.\n\n| client | peak RSS |\n|---|---|\n", plan.rows));
    for m in memory {
        s.push_str(&format!(
            "| {} | {:.1} MiB |\n",
            m.name,
            m.peak_kib as f64 / 1024.0
        ));
    }
    if let [streaming, buffered] = memory {
        s.push_str(&format!(
            "\nStreaming uses {:.1}× less memory than buffering.\n",
            buffered.peak_kib as f64 / streaming.peak_kib as f64
        ));
    }
    if !faults.is_empty() {
        s.push_str("\n## 7. Through faults\n\nThe same export from a sandbox injecting 20% mixed faults (5% each: `429`, `503`, connections closed before an answer, bodies cut after a random 1–64 KiB), against a fault-free sandbox, with the default retry policy.\n\n| list | rows | rows lost | rows repeated | output | time vs fault-free |\n|---|---|---|---|---|---|\n");
        for f in faults {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {:.2}× |\n",
                f.list,
                f.rows,
                f.lost,
                f.repeated,
                if f.identical {
                    "byte-identical"
                } else {
                    "differs"
                },
                f.faulty.as_secs_f64() / f.clean.as_secs_f64()
            ));
        }
    }
    if let Some(b) = build {
        s.push_str(&format!(
            "\n## 8. Build\n\n| build | time |\n|---|---|\n| cold `cargo build --workspace` (debug) | {:.0} s |\n| after a one-line change in `specs/zchat.yaml` | {:.0} s |\n",
            b.cold.as_secs_f64(),
            b.spec_change.as_secs_f64()
        ));
    }
    if build.is_none() && !r.decode.is_empty() {
        s.push_str(BUILD_SKIPPED);
    }
    if let Some(network) = r.network {
        s.push_str(&network.section());
    }
    s.push_str(&targets(r));
    s
}

/// What a full run without the build timing (`--skip-build`) says in its place.
const BUILD_SKIPPED: &str =
    "\n## 8. Build\n\nNot measured in this run (`cargo xtask bench --skip-build`): \
    the cold build takes minutes of both cores. `cargo xtask bench` measures it.\n";
