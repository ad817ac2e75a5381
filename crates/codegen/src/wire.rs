//! The `wire` module generated into every API crate: the facts about the wire that code
//! beside the generated client needs (the facade's streaming, the sandbox's routes, the CLI),
//! read from the spec so nobody types them again.
//!
//! Per operation (a module named by its `operationId`): `OPERATION_ID`, `METHOD`, `PATH`
//! (OpenAPI's `{param}` template, which is also axum's route syntax), one module per parameter
//! location (`query`, `path`, `header`) with a constant per parameter name, the integer limits
//! of those parameters (`<NAME>_MINIMUM`, `<NAME>_MAXIMUM`, `<NAME>_DEFAULT`), and
//! `MAX_BODY_ITEMS`, the largest `maxItems` in the JSON request body. At the top: the first
//! server's URL and where the credential travels.
//!
//! Renaming a parameter in a spec renames its constant, so every layer that names it stops
//! compiling.

use crate::openapi::{resolve, METHODS};
use crate::spec::SpecError;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const LOCATIONS: [&str; 3] = ["query", "path", "header"];

/// Renders `pub mod wire { … }` for `spec`.
pub fn render(spec: &openapiv3::OpenAPI) -> Result<TokenStream, SpecError> {
    let doc = serde_json::to_value(spec).map_err(|e| SpecError::io(e.to_string()))?;
    let server = doc
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .ok_or_else(|| SpecError::io("the spec names no server"))?;
    let (credential_in, credential_name) = credential(&doc)?;
    let mut operations = Vec::new();
    let mut seen = BTreeSet::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let shared = item.get("parameters");
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| SpecError::io(format!("{method} {path} has no operationId")))?;
            if !seen.insert(id.to_owned()) {
                return Err(SpecError::io(format!("operationId `{id}` is used twice")));
            }
            operations.push(operation(&doc, id, method, path, shared, op)?);
        }
    }
    let placement = match credential_in.as_str() {
        "query" => quote! { query },
        "header" => quote! { header },
        other => {
            return Err(SpecError::io(format!(
                "an apiKey in `{other}` is not supported (query or header)"
            )))
        }
    };
    Ok(quote! {
        /// The credential placed where the spec's `apiKey` security scheme puts it
        /// ([`wire::CREDENTIAL_IN`], [`wire::CREDENTIAL_NAME`]).
        pub fn credential(value: impl Into<::cxkit_runtime::Secret>) -> ::cxkit_runtime::Credential {
            ::cxkit_runtime::Credential::#placement(wire::CREDENTIAL_NAME, value)
        }

        /// Facts about the wire, generated from the spec: the server, the credential, and per
        /// operation its method, path, parameter names and limits. Code beside the generated
        /// client names the wire through these, so a spec change reaches it at compile time.
        pub mod wire {
            /// The first server's URL in the spec (a template where it has variables).
            pub const SERVER_URL: &str = #server;
            /// Where the credential travels: `query` or `header`.
            pub const CREDENTIAL_IN: &str = #credential_in;
            /// The name of the query parameter or header that carries the credential.
            pub const CREDENTIAL_NAME: &str = #credential_name;
            #(#operations)*
        }
    })
}

/// `(in, name)` of the spec's first `apiKey` security scheme.
fn credential(doc: &Value) -> Result<(String, String), SpecError> {
    doc.pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(_, scheme)| scheme)
        .find(|scheme| scheme.get("type").and_then(Value::as_str) == Some("apiKey"))
        .and_then(|scheme| {
            let location = scheme.get("in")?.as_str()?;
            let name = scheme.get("name")?.as_str()?;
            Some((location.to_owned(), name.to_owned()))
        })
        .ok_or_else(|| SpecError::io("the spec has no apiKey security scheme"))
}

fn operation(
    doc: &Value,
    id: &str,
    method: &str,
    path: &str,
    shared: Option<&Value>,
    op: &Value,
) -> Result<TokenStream, SpecError> {
    // Operation-level parameters override path-level ones with the same name and location.
    let mut params: BTreeMap<(String, String), Value> = BTreeMap::new();
    for list in [shared, op.get("parameters")].into_iter().flatten() {
        for param in list.as_array().into_iter().flatten() {
            let param = resolve(doc, param)?;
            let location = field(param, "in", id)?;
            let name = field(param, "name", id)?;
            params.insert((location.to_owned(), name.to_owned()), param.clone());
        }
    }
    let locations = LOCATIONS.iter().filter_map(|location| {
        let consts: Vec<TokenStream> = params
            .iter()
            .filter(|((l, _), _)| l == location)
            .map(|((_, name), param)| parameter(doc, name, param))
            .collect();
        if consts.is_empty() {
            return None;
        }
        let module = Ident::new(location, Span::call_site());
        let about = format!("Names and limits of the {location} parameters.");
        Some(quote! {
            #[doc = #about]
            pub mod #module { #(#consts)* }
        })
    });
    let body_items = op
        .pointer("/requestBody/content/application~1json/schema")
        .and_then(|schema| max_items(doc, schema, &mut BTreeSet::new()))
        .map(|n| {
            let n = n as usize;
            quote! {
                /// The largest `maxItems` in the request body: rows per request.
                pub const MAX_BODY_ITEMS: usize = #n;
            }
        });
    let module = Ident::new(&identifier(id).to_lowercase(), Span::call_site());
    let method = method.to_uppercase();
    let about = format!("`{method} {path}` (`{id}`).");
    Ok(quote! {
        #[doc = #about]
        pub mod #module {
            /// The spec's `operationId`.
            pub const OPERATION_ID: &str = #id;
            /// The HTTP method.
            pub const METHOD: &str = #method;
            /// The path, relative to the server URL, with `{param}` placeholders.
            pub const PATH: &str = #path;
            #body_items
            #(#locations)*
        }
    })
}

/// A parameter's name constant and the integer limits its schema declares.
fn parameter(doc: &Value, name: &str, param: &Value) -> TokenStream {
    let constant = Ident::new(&identifier(name), Span::call_site());
    let about = format!("`{name}`");
    let schema = param
        .get("schema")
        .and_then(|s| resolve(doc, s).ok())
        .cloned()
        .unwrap_or(Value::Null);
    let integer = schema.get("type").and_then(Value::as_str) == Some("integer");
    let limits = ["minimum", "maximum", "default"]
        .into_iter()
        .filter(|_| integer)
        .filter_map(|key| Some((key, schema.get(key)?.as_i64()?)))
        .map(|(key, value)| {
            let constant = Ident::new(
                &format!("{}_{}", identifier(name), key.to_uppercase()),
                Span::call_site(),
            );
            let about = format!("The `{key}` of `{name}`.");
            // Non-negative limits are `u64` (sizes and counts), others `i64`.
            if value >= 0 {
                let value = value as u64;
                quote! { #[doc = #about] pub const #constant: u64 = #value; }
            } else {
                quote! { #[doc = #about] pub const #constant: i64 = #value; }
            }
        });
    quote! {
        #[doc = #about]
        pub const #constant: &str = #name;
        #(#limits)*
    }
}

/// The largest `maxItems` reachable in `schema` (through `$ref`, `oneOf`/`anyOf`/`allOf`,
/// properties and `additionalProperties`).
fn max_items(doc: &Value, schema: &Value, visited: &mut BTreeSet<String>) -> Option<u64> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if !visited.insert(reference.to_owned()) {
            return None;
        }
        return max_items(doc, resolve(doc, schema).ok()?, visited);
    }
    let own = schema.get("maxItems").and_then(Value::as_u64);
    let composed = ["oneOf", "anyOf", "allOf"]
        .into_iter()
        .filter_map(|key| schema.get(key)?.as_array())
        .flatten();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values());
    let additional = schema.get("additionalProperties").filter(|a| a.is_object());
    composed
        .chain(properties)
        .chain(additional)
        .filter_map(|s| max_items(doc, s, visited))
        .chain(own)
        .max()
}

fn field<'a>(param: &'a Value, key: &str, id: &str) -> Result<&'a str, SpecError> {
    param
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| SpecError::io(format!("a parameter of `{id}` has no `{key}`")))
}

/// `createdAfter` → `CREATED_AFTER`, `n_per_page` → `N_PER_PAGE`, `api-key` → `API_KEY`.
pub fn identifier(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower {
                out.push('_');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_uppercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    let out = out.trim_end_matches('_').to_owned();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        format!("P_{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_rust_constants() {
        assert_eq!(identifier("createdAfter"), "CREATED_AFTER");
        assert_eq!(identifier("n_per_page"), "N_PER_PAGE");
        assert_eq!(identifier("api-key"), "API_KEY");
        assert_eq!(identifier("rep_id[]"), "REP_ID");
        assert_eq!(identifier("X-API-Key"), "X_API_KEY");
        assert_eq!(identifier("2fa"), "P_2FA");
    }
}
