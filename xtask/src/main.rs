//! `cargo xtask`: project automation as a plain Rust binary (no make, no shell scripts).
//!
//! - `cargo xtask regen`: lint and validate every spec in `specs/`, regenerate what is
//!   derived from them and kept for review (`docs/endpoints.md`, the insta snapshots in
//!   `tests/snapshots/`), and print what changed against `HEAD`.
//! - `cargo xtask regen --check`: the same checks, writing nothing; exits non-zero with a
//!   readable diff when a derived file is stale.
//! - `cargo xtask bench [--smoke]`: the benchmarks behind `docs/benchmarks.md` (see `bench/`).
//! - `cargo xtask schemathesis [--quick]`: every spec against the sandbox with schemathesis.
//! - `cargo xtask mutants [--in-diff REF] [--list]`: mutation testing of the data-safety code.
//! - `cargo xtask review [BASE]`: every spec change classified, with the version bump it needs.
//! - `cargo xtask airbyte [--release]`: `cxkit airbyte` against the Airbyte protocol's
//!   published models and the Airbyte CDK's standard source tests.
//! - `cargo xtask singer [--release]`: `cxkit singer` through a Singer target and Meltano.
//! - `cargo xtask parquet [--release]`: Parquet exports read by pyarrow and DuckDB.
//! - `cargo xtask unified`: CI's build without the CLI's defaults reuses the workspace build's
//!   dependencies (no feature drift).

mod bench;
mod endpoints;
mod interop;
mod inventory;
mod lint;
mod mutants;
mod python;
mod review;
mod schemathesis;
mod snapshots;
mod specs;
mod unified;
mod wire_literals;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask regen [--check] | bench [--smoke | --skip-build] | schemathesis [--quick]
       | mutants [--in-diff REF] [--list] [-- CARGO-MUTANTS-ARGS]
       | airbyte [--release] | singer [--release] | parquet [--release]
       | review [BASE] [--markdown] [--deny-breaking] [--no-rust] | unified | tools

  regen           lint + validate specs/, rewrite docs/endpoints.md and tests/snapshots/,
                  print what changed against HEAD
  regen --check   write nothing; fail with a diff when anything derived is stale
  bench           decode, latency- and client-bound exports, formats, memory, faults and
                  build benchmarks; writes docs/benchmarks.md
  bench --smoke   every benchmark step on tiny data, debug builds; writes nothing (CI)
  bench --skip-build  the full run without the (slow) cold-build timing
  schemathesis    every spec against the sandbox with schemathesis --checks all (PyPI)
  schemathesis --quick   the same with fewer examples per operation (CI)
  review [BASE]   every spec change since BASE classified (breaking / needs review /
                  compatible), the version each API crate needs, cargo-semver-checks beside it;
                  fails when a breaking change lacks its version bump (--deny-breaking: on any)
  airbyte         cxkit airbyte's messages against airbyte-protocol-models, then the Airbyte
                  CDK's standard source tests, warnings as errors (PyPI)
  singer          cxkit singer through target-jsonl and Meltano, a second run from its state
  parquet         cxkit's Parquet exports read by pyarrow and DuckDB (PyPI)
  --release       (airbyte, singer, parquet) test the release binary, not the debug one
  mutants         cargo-mutants on the files in .cargo/mutants.toml; summary for docs/testing.md
  mutants --in-diff REF  only mutants on lines changed since the git ref REF
  mutants --list  list the mutants without testing them
  mutants -- ARGS more cargo-mutants arguments (e.g. -- -f crates/runtime/src/retry.rs)
  unified         the CLI's build without default features uses no dependency feature the
                  workspace build lacks (so CI compiles each dependency once)
  tools           install every PyPI tool's venv not installed yet (CI runs it while it compiles)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["regen"] => regen(Mode::Write),
        ["regen", "--check"] => regen(Mode::Check),
        ["bench"] => bench::run(&workspace_root(), false, false),
        ["bench", "--skip-build"] => bench::run(&workspace_root(), false, true),
        ["bench", "--smoke"] => bench::run(&workspace_root(), true, false),
        ["schemathesis"] => schemathesis::run(&workspace_root(), false),
        ["schemathesis", "--quick"] => schemathesis::run(&workspace_root(), true),
        ["review", rest @ ..] => match review::Options::parse(rest) {
            Some(options) => review::run(&workspace_root(), options),
            None => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        ["airbyte", rest @ ..] if release_flag(rest).is_some() => {
            interop::airbyte(&workspace_root(), release_flag(rest) == Some(true))
        }
        ["singer", rest @ ..] if release_flag(rest).is_some() => {
            interop::singer(&workspace_root(), release_flag(rest) == Some(true))
        }
        ["parquet", rest @ ..] if release_flag(rest).is_some() => interop::run(
            &workspace_root(),
            python::PARQUET_READERS,
            release_flag(rest) == Some(true),
        ),
        ["tools"] => python::install_all(&workspace_root()),
        ["unified"] => unified::run(&workspace_root()),
        ["mutants", rest @ ..] => match mutants::Options::parse(rest) {
            Some(options) => mutants::run(&workspace_root(), options),
            None => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `[]` → `Some(false)`, `["--release"]` → `Some(true)`, anything else → `None`.
fn release_flag(rest: &[&str]) -> Option<bool> {
    match rest {
        [] => Some(false),
        ["--release"] => Some(true),
        _ => None,
    }
}

/// Whether derived files are rewritten or only compared.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Rewrite derived files.
    Write,
    /// Compare only; fail when stale.
    Check,
}

fn regen(mode: Mode) -> Result<(), String> {
    let root = workspace_root();
    let specs = specs::discover(&root)?;

    println!("== specs");
    let mut problems = Vec::new();
    for spec in &specs {
        let found = lint::lint(spec);
        let generated = cxkit_codegen::render_client(&spec.openapi)
            .and_then(|_| cxkit_codegen::render_mocks(&spec.openapi, "crate"))
            .err()
            .map(|e| format!("{}: {e}", spec.file_name));
        println!(
            "   {:<16} {} operations, {} schemas, {} lint problem(s){}",
            spec.file_name,
            spec.openapi.operations().count(),
            spec.openapi
                .components
                .as_ref()
                .map_or(0, |c| c.schemas.len()),
            found.len(),
            if generated.is_some() {
                ", generation FAILED"
            } else {
                ""
            },
        );
        problems.extend(
            found
                .into_iter()
                .map(|p| format!("{}: {p}", spec.file_name)),
        );
        problems.extend(generated);
    }
    problems.extend(packaged_specs(&root, &specs));
    let literals = wire_literals::find(&root, &wire_literals::Facts::of(&specs));
    println!(
        "   {} hand-typed wire literal(s) in the facade, sandbox and CLI",
        literals.len()
    );
    problems.extend(literals.into_iter().map(|l| {
        format!("{l}: a wire fact typed by hand; use the API crate's generated `wire` module")
    }));
    if !problems.is_empty() {
        return Err(format!(
            "the specs have problems:\n  {}",
            problems.join("\n  ")
        ));
    }

    println!("== docs/endpoints.md");
    let endpoints_ok = endpoints::sync(&root, &specs, mode)?;

    println!("== snapshots (cargo test --workspace --all-features --test snapshots)");
    let snapshots_ok = snapshots::sync(&root, mode)?;

    println!("== changes against HEAD");
    inventory::print_summary(&root, &specs);

    match (endpoints_ok, snapshots_ok) {
        (true, true) => {
            println!("\nregen: everything derived from specs/ is up to date");
            Ok(())
        }
        _ => Err("derived files are stale: run `cargo xtask regen` and review the diff".into()),
    }
}

/// Each API crate carries its spec as `crates/<vendor>-api/spec.yaml` (a link to
/// `specs/<vendor>.yaml`), so the published package builds on its own: the two must be the
/// same text.
fn packaged_specs(root: &Path, specs: &[specs::Spec]) -> Vec<String> {
    specs
        .iter()
        .filter_map(|spec| {
            let vendor = spec.file_name.trim_end_matches(".yaml");
            let packaged = root.join(format!("crates/{vendor}-api/spec.yaml"));
            let source = root.join("specs").join(&spec.file_name);
            match (std::fs::read(&packaged), std::fs::read(&source)) {
                (Ok(a), Ok(b)) if a == b => None,
                (Ok(_), Ok(_)) => Some(format!(
                    "{} differs from {}: make it a link to it again",
                    packaged.display(),
                    source.display()
                )),
                (Err(e), _) | (_, Err(e)) => Some(format!("{}: {e}", packaged.display())),
            }
        })
        .collect()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
