//! Finding and loading the specs in `specs/`.

use std::path::Path;

/// One spec, as raw YAML (for the lint) and as progenitor's model.
pub struct Spec {
    pub file_name: String,
    pub raw: serde_yaml::Value,
    pub openapi: openapiv3::OpenAPI,
}

/// Every `specs/*.yaml`, sorted by file name.
pub fn discover(root: &Path) -> Result<Vec<Spec>, String> {
    let dir = root.join("specs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load(p)).collect()
}

fn load(path: &Path) -> Result<Spec, String> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{file_name}: {e}"))?;
    let raw = parse_raw(&text).map_err(|e| format!("{file_name}: {e}"))?;
    let openapi = cxkit_codegen::load_spec(path).map_err(|e| e.to_string())?;
    Ok(Spec {
        file_name,
        raw,
        openapi,
    })
}

/// Parses YAML text (used for `HEAD` versions too).
pub fn parse_raw(text: &str) -> Result<serde_yaml::Value, String> {
    serde_yaml::from_str(text).map_err(|e| format!("not valid YAML: {e}"))
}

/// Follows `value`'s local `$ref` chain inside the raw spec `doc` (at most
/// [`cxkit_codegen::openapi::MAX_REF_HOPS`] in a row) to what it names; `value` itself when it
/// is not a reference, and YAML `null` where a reference names nothing. The YAML twin of
/// [`cxkit_codegen::openapi::resolve`], reading references the same way.
pub fn resolve<'a>(
    doc: &'a serde_yaml::Value,
    mut value: &'a serde_yaml::Value,
) -> &'a serde_yaml::Value {
    for _ in 0..cxkit_codegen::openapi::MAX_REF_HOPS {
        let Some(reference) = value["$ref"].as_str() else {
            break;
        };
        let Some(keys) = cxkit_codegen::openapi::reference_path(reference) else {
            return &serde_yaml::Value::Null;
        };
        value = keys.iter().fold(doc, |at, key| &at[key.as_str()]);
    }
    value
}
