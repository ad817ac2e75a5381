//! Walking an OpenAPI document: the operations of a path item and local `$ref`s.
//!
//! Every reader of a spec in the workspace (the code generator, the xtask's lint, review,
//! inventory and endpoint table) walks operations with [`METHODS`] and follows references with
//! [`reference_path`], so a chain of references or an escaped name means the same everywhere.

use crate::spec::SpecError;
use serde_json::Value;

/// The operation keys of an OpenAPI 3.0 path item, in the order readers visit them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// How many `$ref`s in a row are followed before giving up (a cycle, or a bad spec).
pub const MAX_REF_HOPS: usize = 8;

/// The keys a local reference (`#/components/schemas/Lead`) walks, unescaped per RFC 6901
/// (`~1` is `/`, `~0` is `~`); `None` for a reference to another document.
///
/// ```
/// let path = cxkit_codegen::openapi::reference_path("#/components/schemas/a~1b").unwrap();
/// assert_eq!(path, ["components", "schemas", "a/b"]);
/// assert!(cxkit_codegen::openapi::reference_path("other.yaml#/x").is_none());
/// ```
pub fn reference_path(reference: &str) -> Option<Vec<String>> {
    let pointer = reference.strip_prefix("#/")?;
    Some(
        pointer
            .split('/')
            .map(|key| key.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Follows `value`'s `$ref` chain inside `doc` (JSON) to the object it names; `value` itself
/// when it is not a reference. A reference that names nothing is an error.
pub fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> Result<&'a Value, SpecError> {
    for _ in 0..MAX_REF_HOPS {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return Ok(value);
        };
        value = reference_path(reference)
            .and_then(|keys| keys.iter().try_fold(doc, |at, key| at.get(key.as_str())))
            .ok_or_else(|| SpecError::io(format!("unresolved reference `{reference}`")))?;
    }
    match value.get("$ref") {
        None => Ok(value),
        Some(_) => Err(SpecError::io(format!(
            "more than {MAX_REF_HOPS} references in a row"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_a_chain_and_refuses_a_dangling_or_endless_one() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "Loop": {"$ref": "#/components/schemas/Loop"},
        }}});
        let a = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(resolve(&doc, &a).unwrap(), &json!({"type": "string"}));
        let plain = json!({"type": "integer"});
        assert_eq!(resolve(&doc, &plain).unwrap(), &plain);
        let dangling = json!({"$ref": "#/components/schemas/Missing"});
        let err = resolve(&doc, &dangling).unwrap_err().to_string();
        assert!(err.contains("#/components/schemas/Missing"), "{err}");
        let endless = json!({"$ref": "#/components/schemas/Loop"});
        assert!(resolve(&doc, &endless)
            .unwrap_err()
            .to_string()
            .contains("in a row"));
    }
}
