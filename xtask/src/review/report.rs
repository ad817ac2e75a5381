//! The review's report: changes grouped by operation, the version each crate needs, and the
//! Rust view beside it; as text or Markdown.

use super::diff::{Change, Class};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A crate version (`major.minor.patch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// `"0.1.0"` → `Version(0, 1, 0)`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split(['.', '-', '+']).map(|p| p.parse::<u64>());
        Some(Version(
            parts.next()?.ok()?,
            parts.next()?.ok()?,
            parts.next()?.ok()?,
        ))
    }

    /// The smallest version after `self` that Cargo treats as `bump`.
    pub fn bumped(self, bump: Bump) -> Self {
        let Version(major, minor, patch) = self;
        match (bump, major) {
            (Bump::None, _) => self,
            (Bump::Breaking, 0) => Version(0, minor + 1, 0),
            (Bump::Breaking, _) => Version(major + 1, 0, 0),
            (Bump::Compatible, 0) => Version(0, minor, patch + 1),
            (Bump::Compatible, _) => Version(major, minor + 1, 0),
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// What kind of release a set of changes needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing changed for users.
    None,
    /// Additions only: a patch release under 0.x, a minor one from 1.0.
    Compatible,
    /// Something breaks: a minor release under 0.x, a major one from 1.0.
    Breaking,
}

/// One spec's review.
#[derive(Debug)]
pub struct SpecReport {
    /// `zchat.yaml`.
    pub spec: String,
    /// The API crate generated from it.
    pub krate: String,
    /// The spec did not exist at BASE.
    pub new: bool,
    /// Every change.
    pub changes: Vec<Change>,
    /// The crate's version at BASE and now.
    pub version_before: Option<Version>,
    /// The crate's version in the work tree.
    pub version_after: Option<Version>,
    /// `cargo-semver-checks`' verdict, when it ran: the bump it requires, or why it did not.
    pub rust: Option<Result<Bump, String>>,
}

impl SpecReport {
    /// The bump the spec view asks for ("needs review" counts as compatible; a person
    /// decides).
    pub fn bump(&self) -> Bump {
        let classes = self.changes.iter().map(|c| c.class);
        if self.changes.iter().any(|c| c.class == Class::Breaking) {
            Bump::Breaking
        } else if classes.count() > 0 {
            Bump::Compatible
        } else {
            Bump::None
        }
    }

    /// The bump both views ask for together.
    fn required(&self) -> Bump {
        match &self.rust {
            Some(Ok(rust)) => self.bump().max(*rust),
            _ => self.bump(),
        }
    }

    /// The version rule's complaint, if the crate was not bumped enough for a breaking change.
    pub fn missing_bump(&self) -> Option<String> {
        if self.required() != Bump::Breaking {
            return None;
        }
        let (Some(before), Some(after)) = (self.version_before, self.version_after) else {
            return None;
        };
        let needed = before.bumped(Bump::Breaking);
        (after < needed).then(|| {
            format!(
                "{} has breaking changes: version {after} needs to be at least {needed}",
                self.krate
            )
        })
    }
}

/// The report for `reports`, as text or Markdown.
pub fn render(base: &str, reports: &[SpecReport], markdown: bool) -> String {
    let mut out = String::new();
    let short = &base[..base.len().min(12)];
    if markdown {
        let _ = writeln!(out, "## Contract review against `{short}`\n");
    } else {
        let _ = writeln!(out, "== contract review against {short}");
    }
    for r in reports {
        render_spec(&mut out, r, markdown);
    }
    out
}

fn render_spec(out: &mut String, r: &SpecReport, markdown: bool) {
    let heading = if r.new {
        format!("{} ({}): new spec", r.spec, r.krate)
    } else if r.changes.is_empty() {
        format!("{} ({}): no change", r.spec, r.krate)
    } else {
        let count = |c: Class| r.changes.iter().filter(|x| x.class == c).count();
        format!(
            "{} ({}): {} breaking, {} needs review, {} compatible",
            r.spec,
            r.krate,
            count(Class::Breaking),
            count(Class::NeedsReview),
            count(Class::Compatible)
        )
    };
    if markdown {
        let _ = writeln!(out, "### {heading}\n");
    } else {
        let _ = writeln!(out, "\n{heading}");
    }
    if r.changes.is_empty() {
        return;
    }
    let mut by_scope: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in &r.changes {
        by_scope.entry(c.scope.as_str()).or_default().push(c);
    }
    for (scope, changes) in by_scope {
        if markdown {
            let _ = writeln!(out, "- `{scope}`");
            for c in changes {
                let _ = writeln!(out, "  - **{}**: {}", c.class.label(), c.what);
            }
        } else {
            let _ = writeln!(out, "  {scope}");
            for c in changes {
                let _ = writeln!(out, "    [{}] {}", c.class.label(), c.what);
            }
        }
    }
    let bump = match r.bump() {
        Bump::Breaking => "breaking",
        Bump::Compatible => "compatible",
        Bump::None => "none",
    };
    let version = match (r.version_before, r.version_after) {
        (Some(b), Some(a)) => format!(
            "; {} {b} → at least {} (now {a})",
            r.krate,
            b.bumped(r.required())
        ),
        _ => String::new(),
    };
    let rust = match &r.rust {
        None => "Rust view: not run".to_owned(),
        Some(Err(why)) => format!("Rust view: unavailable ({why})"),
        Some(Ok(rust)) if *rust == r.bump() => format!("Rust view agrees ({rust:?})"),
        Some(Ok(rust)) => format!(
            "Rust view DISAGREES: cargo-semver-checks finds a {rust:?} change where the spec \
             view finds {bump} (e.g. a field added to a generated struct users construct)"
        ),
    };
    let line = format!("semver: {bump}{version}. {rust}");
    if markdown {
        let _ = writeln!(out, "\n{line}\n");
    } else {
        let _ = writeln!(out, "  {line}");
    }
}
