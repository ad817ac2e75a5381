//! Build: a cold `cargo build --workspace`, then the rebuild after a one-line spec change.
//! Both run in a copy of the work tree, so no tracked file is ever edited (an interrupted
//! benchmark cannot leave the spec changed).

use super::common::{cargo, status, Scratch};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct BuildTimes {
    pub cold: Duration,
    pub spec_change: Duration,
}

pub fn build_times(root: &Path) -> Result<BuildTimes, String> {
    let scratch = Scratch::new("build")?;
    let copy = scratch.0.join("cxkit");
    copy_work_tree(root, &copy)?;
    println!(
        "== build times (a copy of the work tree in {})",
        copy.display()
    );
    let build = || {
        let started = Instant::now();
        status(cargo(&copy).args(["build", "--workspace", "--quiet"]))?;
        Ok::<_, String>(started.elapsed())
    };
    let cold = build()?;
    let spec = copy.join("specs/zchat.yaml");
    let original = std::fs::read_to_string(&spec).map_err(|e| e.to_string())?;
    let edited = original.replacen(
        "description: Client rating from the satisfaction survey.",
        "description: Client rating from the satisfaction survey (edited).",
        1,
    );
    if edited == original {
        return Err("the spec line the build benchmark edits is gone".into());
    }
    std::fs::write(&spec, edited).map_err(|e| e.to_string())?;
    let spec_change = build()?;
    println!(
        "   cold {:.0} s, after a one-line spec change {:.0} s",
        cold.as_secs_f64(),
        spec_change.as_secs_f64()
    );
    Ok(BuildTimes { cold, spec_change })
}

/// Copies every tracked and untracked-but-not-ignored file of `root` to `to`.
fn copy_work_tree(root: &Path, to: &Path) -> Result<(), String> {
    let listed = Command::new("git")
        .current_dir(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .map_err(|e| format!("git ls-files: {e}"))?;
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let relative = Path::new(std::str::from_utf8(name).map_err(|e| e.to_string())?);
        let (from, dest) = (root.join(relative), to.join(relative));
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        // Links stay links: each API crate's `spec.yaml` points at `specs/`, and a copied
        // file would not see the spec edit this benchmark times.
        if let Ok(target) = std::fs::read_link(&from) {
            std::os::unix::fs::symlink(&target, &dest)
                .map_err(|e| format!("{}: {e}", dest.display()))?;
            continue;
        }
        if !from.is_file() {
            continue;
        }
        std::fs::copy(&from, &dest).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    Ok(())
}
