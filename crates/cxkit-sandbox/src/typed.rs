//! Sandbox JSON into the generated types, so responses have the spec's shapes.

/// Builds a generated type from JSON the sandbox wrote. Sandbox data that does not fit its
/// own spec is a sandbox bug, caught by the contract tests, not bad input.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    match serde_json::from_value(value) {
        Ok(typed) => typed,
        Err(e) => panic!(
            "sandbox data does not fit {}: {e}",
            std::any::type_name::<T>()
        ),
    }
}
