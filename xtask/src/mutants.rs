//! `cargo xtask mutants [--in-diff REF] [--list]`: mutation testing (cargo-mutants) of the code
//! whose bugs lose or leak data. The scope lives in `.cargo/mutants.toml`, so a plain
//! `cargo mutants` run sees the same files; this command adds what a reviewer needs: the
//! tool's presence checked, `--in-diff` from a git ref, and a summary of the outcomes
//! (caught / missed / unviable / timeout) with every surviving mutant listed, for
//! `docs/testing.md`.
//!
//! Not in CI: a full run takes long on 2 cores (see `docs/testing.md` for the last duration).
//! Each mutant is tested with the tests of the package that owns the file, in the `mutants`
//! profile (no debug info: faster links).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Where each file's latest outcomes are kept, so the next run can be compared with it.
pub const RECORD: &str = "docs/mutants.json";

/// cargo-mutants adds `-f` globs to the config's `examine_globs` instead of narrowing them, so
/// a run of some files reads no config (`--no-config`) and passes the config's other settings
/// itself (a test keeps the two in step with `.cargo/mutants.toml`).
const NARROWED: [&str; 4] = [
    "--no-config",
    "--all-features",
    "--cargo-test-arg=--tests",
    "--exclude=crates/cxkit-cli/src/output/properties.rs",
];

/// Whether cargo-mutants arguments name files to examine (`-f`/`--file`).
fn names_files(extra: &[&str]) -> bool {
    extra
        .iter()
        .any(|a| *a == "-f" || *a == "--file" || a.starts_with("--file="))
}

/// What to run.
#[derive(Debug, Default, PartialEq)]
pub struct Options<'a> {
    /// Only mutants on lines changed since this git ref.
    pub in_diff: Option<&'a str>,
    /// List the mutants instead of testing them.
    pub list: bool,
    /// Passed on to cargo-mutants (after `--`).
    pub extra: Vec<&'a str>,
}

impl<'a> Options<'a> {
    /// `[--in-diff REF] [--list] [-- ARGS…]`; `None` on anything else.
    pub fn parse(args: &[&'a str]) -> Option<Self> {
        let mut options = Self::default();
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            match *arg {
                "--in-diff" => options.in_diff = Some(*rest.next()?),
                "--list" => options.list = true,
                "--" => {
                    for arg in rest.by_ref() {
                        // cargo-mutants' own `--list` lists too: there are no outcomes to record.
                        match *arg {
                            "--list" => options.list = true,
                            other => options.extra.push(other),
                        }
                    }
                    break;
                }
                _ => return None,
            }
        }
        Some(options)
    }
}

/// Runs cargo-mutants over the scoped files and summarises `mutants.out/outcomes.json`.
pub fn run(root: &Path, options: Options<'_>) -> Result<(), String> {
    let version = Command::new(cargo())
        .args(["mutants", "--version"])
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !version.status.success() {
        return Err("cargo-mutants is not installed: cargo install cargo-mutants --locked".into());
    }
    println!("== {}", String::from_utf8_lossy(&version.stdout).trim());

    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args(["mutants", "--profile", "mutants", "--no-shuffle"]);
    if options.list {
        command.arg("--list");
    }
    if names_files(&options.extra) {
        command.args(NARROWED);
    }
    command.args(&options.extra);
    let diff_file = root.join("target").join("mutants.diff");
    if let Some(base) = options.in_diff {
        let diff = Command::new("git")
            .current_dir(root)
            .args(["diff", base, "--"])
            .output()
            .map_err(|e| format!("git diff: {e}"))?;
        if !diff.status.success() {
            return Err(format!(
                "git diff {base}: {}",
                String::from_utf8_lossy(&diff.stderr).trim()
            ));
        }
        std::fs::create_dir_all(root.join("target")).map_err(|e| e.to_string())?;
        std::fs::write(&diff_file, &diff.stdout).map_err(|e| e.to_string())?;
        command.arg("--in-diff").arg(&diff_file);
    }

    let started = Instant::now();
    let outcome = command
        .status()
        .map_err(|e| format!("cargo mutants: {e}"))?;
    if options.list {
        return if outcome.success() {
            Ok(())
        } else {
            Err("cargo mutants --list failed".into())
        };
    }
    let elapsed = started.elapsed();
    let outcomes = root.join("mutants.out").join("outcomes.json");
    // An earlier run's outcomes must never be recorded as this run's.
    let written_now = std::fs::metadata(&outcomes)
        .and_then(|m| m.modified())
        .is_ok_and(|at| at.elapsed().is_ok_and(|age| age <= elapsed));
    if !written_now {
        return Err(format!(
            "cargo mutants wrote no {} (status {outcome}); nothing recorded",
            outcomes.display()
        ));
    }
    let summary = summarise(&outcomes)?;
    println!("\n{summary}");
    println!("duration: {:.0} min", elapsed.as_secs_f64() / 60.0);
    let run = RunFacts {
        date: command_output(root, "date", &["-u", "+%Y-%m-%d"])?,
        commit: command_output(root, "git", &["rev-parse", "HEAD"])?,
        tool: String::from_utf8_lossy(&version.stdout).trim().to_owned(),
        minutes: (elapsed.as_secs_f64() / 60.0).round() as u64,
    };
    let path = root.join(RECORD);
    let before = std::fs::read_to_string(&path).ok();
    let after = record(before.as_deref(), &summary, &run)?;
    std::fs::write(&path, after).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("recorded in {RECORD}");
    if summary.missed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} mutant(s) survived: add a test that catches each, or explain why it is \
             harmless in docs/testing.md",
            summary.missed.len()
        ))
    }
}

/// What is recorded about a run beside its outcomes.
pub struct RunFacts {
    pub date: String,
    pub commit: String,
    pub tool: String,
    pub minutes: u64,
}

/// The record with this run's files replaced (files not mutated this time keep their last
/// run), as pretty JSON: `{"files": {path: {run, caught, missed, unviable, timeout, survivors}}}`.
pub fn record(before: Option<&str>, summary: &Summary, run: &RunFacts) -> Result<String, String> {
    let mut record: serde_json::Value = match before {
        Some(text) => {
            serde_json::from_str(text).map_err(|e| format!("{RECORD} is not JSON: {e}"))?
        }
        None => serde_json::json!({}),
    };
    if !record.is_object() {
        return Err(format!("{RECORD} is not a JSON object"));
    }
    if !record["files"].is_object() {
        record["files"] = serde_json::json!({});
    }
    for (file, counts) in &summary.files {
        let mut entry = counts.to_json();
        entry["run"] = serde_json::json!({
            "date": run.date,
            "commit": run.commit,
            "tool": run.tool,
            "minutes": run.minutes,
        });
        record["files"][file] = entry;
    }
    let mut text = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

fn command_output(root: &Path, program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{program} {} failed", args.join(" ")));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Counts of outcomes, and the mutants no test caught.
#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    pub caught: usize,
    pub missed: Vec<String>,
    pub unviable: usize,
    pub timeout: usize,
    /// The same, file by file (the key is the file's path in the workspace).
    pub files: BTreeMap<String, FileCounts>,
}

/// One file's outcomes.
#[derive(Debug, Default, PartialEq)]
pub struct FileCounts {
    pub caught: usize,
    pub missed: Vec<String>,
    pub unviable: usize,
    pub timeout: usize,
}

impl FileCounts {
    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "caught": self.caught,
            "missed": self.missed.len(),
            "unviable": self.unviable,
            "timeout": self.timeout,
            "survivors": self.missed,
        })
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "| caught | missed | unviable | timeout |\n|---|---|---|---|\n| {} | {} | {} | {} |",
            self.caught,
            self.missed.len(),
            self.unviable,
            self.timeout
        )?;
        for name in &self.missed {
            writeln!(f, "missed: {name}")?;
        }
        Ok(())
    }
}

/// Reads cargo-mutants' `outcomes.json`.
fn summarise(path: &Path) -> Result<Summary, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    summarise_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The summary of an `outcomes.json` text: one entry per mutant (the baseline is skipped),
/// each with a `summary` of `CaughtMutant`, `MissedMutant`, `Unviable` or `Timeout`.
pub fn summarise_json(text: &str) -> Result<Summary, String> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let outcomes = json["outcomes"]
        .as_array()
        .ok_or("no `outcomes` array (not a cargo-mutants outcomes.json?)")?;
    let mut summary = Summary::default();
    for outcome in outcomes {
        let scenario = &outcome["scenario"];
        if scenario == "Baseline" {
            continue;
        }
        let mutant = &scenario["Mutant"];
        let file = mutant["file"].as_str().unwrap_or("?").to_owned();
        let counts = summary.files.entry(file).or_default();
        match outcome["summary"].as_str() {
            Some("CaughtMutant") => {
                summary.caught += 1;
                counts.caught += 1;
            }
            Some("MissedMutant") => {
                summary.missed.push(describe(mutant));
                counts.missed.push(describe(mutant));
            }
            Some("Unviable") => {
                summary.unviable += 1;
                counts.unviable += 1;
            }
            Some("Timeout") => {
                summary.timeout += 1;
                counts.timeout += 1;
            }
            other => return Err(format!("unknown outcome {other:?}")),
        }
    }
    Ok(summary)
}

/// `file:line: replace … with …`, as cargo-mutants names a mutant.
fn describe(mutant: &serde_json::Value) -> String {
    let file = mutant["file"].as_str().unwrap_or("?");
    let line = mutant["span"]["start"]["line"].as_u64().unwrap_or(0);
    let name = mutant["name"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            format!(
                "replace {} with {}",
                mutant["function"]["function_name"].as_str().unwrap_or("?"),
                mutant["replacement"].as_str().unwrap_or("?")
            )
        });
    // cargo-mutants' own names already start with `file:line:column:`.
    if name.starts_with(&format!("{file}:")) {
        name
    } else {
        format!("{file}:{line}: {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_some_files_passes_the_configs_settings_itself() {
        assert!(names_files(&["--in-place", "-f", "a.rs"]));
        assert!(names_files(&["--file=a.rs"]));
        assert!(!names_files(&["--package", "cxkit"]));
        let config = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cargo/mutants.toml"),
        )
        .unwrap();
        let setting = |line: &str| config.lines().any(|l| l.trim() == line);
        assert!(setting("all_features = true"));
        assert!(setting(r#"additional_cargo_test_args = ["--tests"]"#));
        assert!(setting(
            r#"exclude_globs = ["crates/cxkit-cli/src/output/properties.rs"]"#
        ));
        assert!(NARROWED.contains(&"--all-features"));
        assert!(NARROWED.contains(&"--cargo-test-arg=--tests"));
        assert!(NARROWED.contains(&"--exclude=crates/cxkit-cli/src/output/properties.rs"));
    }

    #[test]
    fn outcomes_are_counted_and_survivors_named() {
        let text = r#"{"outcomes": [
            {"scenario": "Baseline", "summary": "Success"},
            {"scenario": {"Mutant": {"file": "a.rs", "span": {"start": {"line": 3}},
                "name": "replace f -> bool with true"}}, "summary": "CaughtMutant"},
            {"scenario": {"Mutant": {"file": "b.rs", "span": {"start": {"line": 9}},
                "function": {"function_name": "g"}, "replacement": "0"}},
             "summary": "MissedMutant"},
            {"scenario": {"Mutant": {"file": "c.rs"}}, "summary": "Unviable"},
            {"scenario": {"Mutant": {"file": "d.rs"}}, "summary": "Timeout"},
            {"scenario": {"Mutant": {"file": "e.rs", "span": {"start": {"line": 4}},
                "name": "e.rs:4:7: replace + with -"}}, "summary": "MissedMutant"}
        ]}"#;
        let summary = summarise_json(text).unwrap();
        assert_eq!(summary.caught, 1);
        assert_eq!(
            summary.missed,
            ["b.rs:9: replace g with 0", "e.rs:4:7: replace + with -"]
        );
        assert_eq!((summary.unviable, summary.timeout), (1, 1));
        assert_eq!(
            summary.files.keys().collect::<Vec<_>>(),
            ["a.rs", "b.rs", "c.rs", "d.rs", "e.rs"]
        );
        assert_eq!(summary.files["b.rs"].missed, ["b.rs:9: replace g with 0"]);
        assert_eq!(summary.files["a.rs"].caught, 1);
        assert_eq!(summary.files["d.rs"].timeout, 1);
    }

    #[test]
    fn a_record_keeps_files_not_run_again_and_replaces_those_run() {
        let run = |date: &str| RunFacts {
            date: date.into(),
            commit: "abc".into(),
            tool: "cargo-mutants 27".into(),
            minutes: 3,
        };
        let first = summarise_json(
            r#"{"outcomes": [
                {"scenario": {"Mutant": {"file": "a.rs"}}, "summary": "CaughtMutant"},
                {"scenario": {"Mutant": {"file": "b.rs", "span": {"start": {"line": 2}},
                    "name": "m"}}, "summary": "MissedMutant"}
            ]}"#,
        )
        .unwrap();
        let text = record(None, &first, &run("2026-12-01")).unwrap();
        let second = summarise_json(
            r#"{"outcomes": [{"scenario": {"Mutant": {"file": "b.rs"}}, "summary": "CaughtMutant"}]}"#,
        )
        .unwrap();
        let text = record(Some(&text), &second, &run("2026-12-07")).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["files"]["a.rs"]["run"]["date"], "2026-12-01");
        assert_eq!(json["files"]["a.rs"]["caught"], 1);
        assert_eq!(json["files"]["b.rs"]["run"]["date"], "2026-12-07");
        assert_eq!(json["files"]["b.rs"]["missed"], 0);
        assert_eq!(json["files"]["b.rs"]["caught"], 1);
        assert!(record(Some("[1]"), &second, &run("x")).is_err());
    }

    #[test]
    fn options_parse_and_refuse_strays() {
        let parsed = Options::parse(&["--in-diff", "main", "--", "-f", "a.rs"]).unwrap();
        assert_eq!(
            parsed,
            Options {
                in_diff: Some("main"),
                list: false,
                extra: vec!["-f", "a.rs"]
            }
        );
        assert!(Options::parse(&["--list"]).unwrap().list);
        // cargo-mutants' own `--list` is a listing too, never a run whose outcomes are recorded.
        let listed = Options::parse(&["--", "-f", "a.rs", "--list"]).unwrap();
        assert!(listed.list);
        assert_eq!(listed.extra, ["-f", "a.rs"]);
        assert!(Options::parse(&["--in-diff"]).is_none());
        assert!(Options::parse(&["--bogus"]).is_none());
    }

    #[test]
    fn an_unknown_outcome_or_shape_is_an_error() {
        assert!(summarise_json(r#"{"outcomes": [{"scenario": {}, "summary": "Odd"}]}"#).is_err());
        assert!(summarise_json("{}").is_err());
        assert!(summarise_json("not json").is_err());
    }
}
