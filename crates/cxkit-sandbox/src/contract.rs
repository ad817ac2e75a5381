//! The specs as JSON Schema. The sandbox refuses a request body its spec refuses (as the
//! vendor would, and as schemathesis' negative tests expect), and the contract tests check
//! every response with the same translation.
//!
//! OpenAPI 3.0.3 becomes JSON Schema draft 7 faithfully and strictly: `#/components/schemas/X`
//! points at `definitions`; `nullable: true` adds `null` to the `type` of its own schema and
//! does nothing where no `type` is given (3.0.3's rule); `oneOf` stays `oneOf`; formats are
//! checked.

use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// One vendor's spec, with a compiled validator per documented JSON request body.
pub struct Contract {
    document: Value,
    definitions: Value,
    requests: HashMap<(String, String), jsonschema::Validator>,
}

impl std::fmt::Debug for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contract")
            .field("request_bodies", &self.requests.len())
            .finish()
    }
}

impl Contract {
    /// Reads an OpenAPI document (YAML or JSON). A document that does not parse, or a schema
    /// that does not compile, is a bug of the specs, caught by every test that starts a
    /// sandbox.
    pub fn parse(yaml: &str) -> Result<Self, String> {
        let document: Value = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
        let definitions = definitions(&document);
        let mut contract = Self {
            document,
            definitions,
            requests: HashMap::new(),
        };
        let mut requests = HashMap::new();
        for (path, item) in contract.document["paths"].as_object().into_iter().flatten() {
            // Only operations carry a `requestBody`, so the path item's members need no list
            // of method names (the workspace's one list is codegen's, not a sandbox dependency).
            for (method, operation) in item.as_object().into_iter().flatten() {
                let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
                if schema.is_null() {
                    continue;
                }
                let validator = validator(&contract.standalone(schema))?;
                requests.insert((method.clone(), template_key(path)), validator);
            }
        }
        contract.requests = requests;
        Ok(contract)
    }

    /// The whole document, as JSON.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Why `body` is not a valid request body of `method path` (a route template, any
    /// parameter names), or `None` when it is (or the operation documents no JSON body).
    pub fn request_problem(&self, method: &str, path: &str, body: &Value) -> Option<String> {
        let key = (method.to_ascii_lowercase(), template_key(path));
        let validator = self.requests.get(&key)?;
        let problems: Vec<String> = validator
            .iter_errors(body)
            .take(3)
            .map(|e| format!("{e} at `{}`", e.instance_path))
            .collect();
        (!problems.is_empty()).then(|| problems.join("; "))
    }

    /// `schema` (a schema of this spec) as a standalone draft-7 schema.
    pub fn standalone(&self, schema: &Value) -> Value {
        let mut schema = convert(schema);
        schema["definitions"] = self.definitions.clone();
        schema["$schema"] = json!("http://json-schema.org/draft-07/schema#");
        schema
    }
}

/// A draft-7 validator that also checks formats.
pub fn validator(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| format!("a spec schema does not compile: {e}"))
}

/// `/prospect/{id}/quote/{quoteId}` and `/prospect/{prospectId}/quote/{q}` are one template.
fn template_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// An OpenAPI 3.0.3 schema object as a draft-7 schema.
pub fn convert(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, v) in map {
        let converted = match key.as_str() {
            // Annotations and OpenAPI-only keywords; `nullable` is handled below.
            "example" | "examples" | "discriminator" | "nullable" | "xml" | "externalDocs" => {
                continue
            }
            // Rewritten, not resolved: the validator resolves `#/definitions/…` itself, and a
            // recursive schema stays finite.
            "$ref" => Value::String(
                v.as_str()
                    .unwrap_or_default()
                    .replace("#/components/schemas/", "#/definitions/"),
            ),
            "properties" => Value::Object(
                v.as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, s)| (name.clone(), convert(s)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => convert(v),
            "allOf" | "anyOf" | "oneOf" => {
                Value::Array(v.as_array().into_iter().flatten().map(convert).collect())
            }
            // `enum`, `required`, `default`, `type`, `format`…: values, not schemas.
            _ => v.clone(),
        };
        out.insert(key.clone(), converted);
    }
    // OpenAPI 3.0.3: "A true value adds "null" to the allowed types specified by the type
    // keyword, only if type is explicitly defined within the same Schema Object."
    if map.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(t)) = map.get("type") {
            out.insert("type".into(), json!([t, "null"]));
        }
    }
    Value::Object(out)
}

/// Every schema of `components.schemas`, converted.
fn definitions(document: &Value) -> Value {
    Value::Object(
        document["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, s)| (name.clone(), convert(s)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_follows_openapi_3_0_3_and_one_of_stays_exclusive() {
        let schema = json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "nullable": true},
                "b": {"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": true},
                "c": {"oneOf": [{"type": "string"}, {"type": "string", "enum": ["k"]}]}
            }
        });
        let converted = convert(&schema);
        assert_eq!(
            converted["properties"]["a"]["type"],
            json!(["string", "null"])
        );
        assert!(converted["properties"]["b"].get("nullable").is_none());
        assert_eq!(
            converted["properties"]["b"]["allOf"][0]["$ref"],
            "#/definitions/X"
        );
        assert!(converted["properties"]["c"]["oneOf"].is_array());
    }

    #[test]
    fn request_bodies_are_checked_against_their_operation_whatever_the_parameter_names() {
        let contract = Contract::parse(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /p/{prospectId}/notes:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Note'}
      responses: {'200': {description: ok}}
components:
  schemas:
    Note:
      type: object
      required: [text]
      properties:
        text: {type: string, minLength: 1}
        when: {type: string, format: date-time}
"#,
        )
        .unwrap();
        let ok = json!({"text": "hi"});
        assert_eq!(contract.request_problem("POST", "/p/{id}/notes", &ok), None);
        for bad in [
            json!({}),
            json!({"text": null}),
            json!({"text": "x", "when": "soon"}),
        ] {
            assert!(
                contract
                    .request_problem("POST", "/p/{id}/notes", &bad)
                    .is_some(),
                "{bad}"
            );
        }
        assert_eq!(
            contract.request_problem("GET", "/p/{id}/notes", &json!(1)),
            None,
            "an operation without a body checks nothing"
        );
    }
}
