//! Finds wire facts typed by hand beside the generated code: a string literal in the facade,
//! the sandbox or the CLI that spells a spec's path, or the name of one of its parameters
//! (query, path, header, or the credential's). Those must come from the API crates' generated
//! `wire` module, so renaming them in a spec breaks the build instead of the traffic.
//!
//! A parameter name that is also a schema property name (`rep_id`, `status`) is not flagged:
//! the same word names body fields, which the generated types carry. Tests are not scanned
//! (they pin the wire independently, on purpose), nor `#[arg(...)]` lines (CLI flag names are
//! cxkit's own words). A line that really means the literal says so with a
//! `wire-literal: <why>` comment on it or on the line above.

use crate::specs::resolve;
use crate::specs::Spec;
use cxkit_codegen::openapi::METHODS;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The hand-written crates whose sources are scanned.
const SCANNED: &[&str] = &[
    "crates/cxkit/src",
    "crates/cxkit-sandbox/src",
    "crates/cxkit-cli/src",
];
const ALLOW: &str = "wire-literal:";

/// What the specs say the wire is made of.
#[derive(Debug, Default)]
pub struct Facts {
    paths: BTreeSet<String>,
    parameters: BTreeSet<String>,
}

impl Facts {
    /// Paths and unambiguous parameter names of every spec.
    pub fn of(specs: &[Spec]) -> Self {
        let mut facts = Facts::default();
        let mut properties = BTreeSet::new();
        for spec in specs {
            let raw = &spec.raw;
            collect_properties(raw, &mut properties);
            for (path, item) in mapping(&raw["paths"]) {
                facts.paths.insert(path.to_owned());
                let lists = std::iter::once(&item["parameters"])
                    .chain(METHODS.iter().map(|m| &item[*m]["parameters"]));
                for param in lists.filter_map(Value::as_sequence).flatten() {
                    if let Some(name) = resolve(raw, param)["name"].as_str() {
                        facts.parameters.insert(name.to_owned());
                    }
                }
            }
            for (_, scheme) in mapping(&raw["components"]["securitySchemes"]) {
                if let Some(name) = scheme["name"].as_str() {
                    facts.parameters.insert(name.to_owned());
                }
            }
        }
        facts.parameters.retain(|name| !properties.contains(name));
        facts
    }

    fn names(&self, literal: &str) -> bool {
        self.paths.contains(literal)
            || literal
                .split_once('?')
                .is_some_and(|(path, _)| self.paths.contains(path))
            || self.parameters.contains(literal)
    }
}

/// Every hand-typed wire literal under `root`, as `file:line: "literal"` lines.
pub fn find(root: &Path, facts: &Facts) -> Vec<String> {
    let mut files = Vec::new();
    for dir in SCANNED {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        found.extend(
            scan(&text, facts)
                .into_iter()
                .map(|(line, literal)| format!("{shown}:{line}: \"{literal}\"")),
        );
    }
    found
}

/// `(line number, literal)` for each wire literal in one file's text.
fn scan(text: &str, facts: &Facts) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut previous = "";
    for (index, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        let skip = code.starts_with("//")
            || code.starts_with("#[arg(")
            || line.contains(ALLOW)
            || previous.contains(ALLOW);
        previous = line;
        if skip {
            continue;
        }
        for literal in literals(line) {
            if facts.names(literal) {
                found.push((index + 1, literal.to_owned()));
            }
        }
    }
    found
}

/// The plain string literals on a line of Rust (escapes skipped over, a trailing `//`
/// comment ignored).
fn literals(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => break,
            // A char literal such as '"' must not open a string.
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 3,
            b'\'' if bytes.get(i + 1) == Some(&b'\\') => {
                i += bytes[i + 2..]
                    .iter()
                    .position(|&b| b == b'\'')
                    .map_or(bytes.len(), |p| p + 3);
            }
            b'"' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                if end < bytes.len() {
                    found.push(&line[start..end]);
                }
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    found
}

fn collect_properties(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                if key.as_str() == Some("properties") {
                    into.extend(mapping(child).map(|(name, _)| name.to_owned()));
                }
                collect_properties(child, into);
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| collect_properties(v, into)),
        _ => {}
    }
}

fn mapping(value: &Value) -> impl Iterator<Item = (&str, &Value)> {
    value
        .as_mapping()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?, v)))
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        let yaml = r#"
paths:
  /calls:
    parameters:
      - $ref: '#/components/parameters/Page'
    get:
      parameters:
        - {name: n_per_page, in: query}
        - {name: rep_id, in: query}
components:
  parameters:
    Page: {name: page, in: query}
  securitySchemes:
    key: {type: apiKey, in: header, name: X-API-Key}
  schemas:
    Call:
      properties:
        rep_id: {type: string}
"#;
        let raw: Value = serde_yaml::from_str(yaml).unwrap();
        let openapi =
            serde_yaml::from_str("{openapi: 3.0.3, info: {title: t, version: '1'}, paths: {}}")
                .unwrap();
        Facts::of(&[Spec {
            file_name: "t.yaml".into(),
            raw,
            openapi,
        }])
    }

    #[test]
    fn literals_are_read_past_escapes_chars_and_comments() {
        assert_eq!(literals(r#"f("a", "b\"c") // "d""#), vec!["a", r#"b\"c"#]);
        assert_eq!(literals(r#"if c == '"' { g("x") }"#), vec!["x"]);
        assert_eq!(literals(r#"'\n'; "y""#), vec!["y"]);
        assert!(literals("no strings").is_empty());
    }

    #[test]
    fn paths_parameters_and_the_credential_are_flagged_but_property_names_are_not() {
        let facts = facts();
        let text = r#"
let a = ("n_per_page", 1);
let b = get("/calls?page=2");
let c = row.get("rep_id");
let d = headers.get("X-API-Key");
// a comment naming "page"
let e = value("page"); // wire-literal: the tests' own spelling
#[arg(long = "page")]
let f = "/calls";
#[cfg(test)]
let g = "page";
"#;
        let found: Vec<_> = scan(text, &facts)
            .into_iter()
            .map(|(line, l)| format!("{line}:{l}"))
            .collect();
        assert_eq!(
            found,
            ["2:n_per_page", "3:/calls?page=2", "5:X-API-Key", "9:/calls"]
        );
    }
}
