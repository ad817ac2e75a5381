//! Loading a spec and the errors of the generation pipeline.

use std::fmt;
use std::path::Path;

/// A spec that could not be read, parsed or generated.
#[derive(Debug)]
pub struct SpecError(String);

impl SpecError {
    pub(crate) fn io(message: impl Into<String>) -> Self {
        Self(message.into())
    }
    pub(crate) fn generate(error: progenitor::Error) -> Self {
        Self(format!("progenitor refused the spec: {error}"))
    }
    pub(crate) fn parse(error: syn::Error) -> Self {
        Self(format!("generated code does not parse: {error}"))
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// Reads an OpenAPI document (YAML or JSON) into progenitor's model, with the published forms
/// rewritten for generation (see [`crate::normalize`]).
pub fn load_spec(path: &Path) -> Result<openapiv3::OpenAPI, SpecError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| SpecError::io(format!("{}: {e}", path.display())))?;
    parse_spec(&text).map_err(|e| SpecError::io(format!("{}: {e}", path.display())))
}

/// Parses OpenAPI text (YAML or JSON) into progenitor's model, rewritten for generation.
pub fn parse_spec(text: &str) -> Result<openapiv3::OpenAPI, SpecError> {
    let invalid =
        |e: &dyn fmt::Display| SpecError::io(format!("not a valid OpenAPI 3.0 document: {e}"));
    let mut document: serde_json::Value = serde_yaml::from_str(text).map_err(|e| invalid(&e))?;
    crate::normalize::for_generation(&mut document);
    serde_json::from_value(document).map_err(|e| invalid(&e))
}
