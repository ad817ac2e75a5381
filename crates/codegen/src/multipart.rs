//! File uploads (`multipart/form-data` request bodies), which progenitor cannot generate.
//!
//! [`take`] removes those operations from the document progenitor sees and describes them;
//! [`render`] generates one method per operation on the same `Client`, with the same hooks
//! (credential, retries, tracing, masking) and the same `ResponseValue` / `Error` types as
//! progenitor's methods, so callers cannot tell the difference. The wire facts (path, path
//! parameters, part names, response type) all come from the spec.

use crate::openapi::METHODS;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// One upload operation, as far as the generated method needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// `operationId`, the method name.
    pub operation_id: String,
    /// HTTP method, lower case.
    pub method: String,
    /// Path template, e.g. `/prospect/{prospectId}/messaging/{channel}/send-file`.
    pub path: String,
    /// Path parameter names in template order.
    pub path_params: Vec<String>,
    /// Form parts: name, whether it is a file (`format: binary`), whether it is required.
    pub parts: Vec<(String, bool, bool)>,
    /// Summary and description, for the doc comment.
    pub doc: String,
    /// The 2xx JSON body: a component name, wrapped in `Vec` when `list` is set.
    pub response: Option<(String, bool)>,
    /// The component name of the shared error body.
    pub error: Option<String>,
}

/// Removes every `multipart/form-data` operation from `document` and returns them.
pub fn take(document: &mut Value) -> Vec<Upload> {
    let mut uploads = Vec::new();
    let snapshot = document.clone();
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return uploads;
    };
    for (path, item) in paths.iter_mut() {
        for method in &METHODS {
            let is_upload = item[*method]["requestBody"]["content"]
                .get("multipart/form-data")
                .is_some();
            if !is_upload {
                continue;
            }
            let op = item[*method].clone();
            uploads.push(describe(&snapshot, path, method, &item["parameters"], &op));
            if let Some(item) = item.as_object_mut() {
                item.remove(*method);
            }
        }
    }
    uploads
}

fn describe(doc: &Value, path: &str, method: &str, shared: &Value, op: &Value) -> Upload {
    let params: Vec<Value> = [shared, &op["parameters"]]
        .iter()
        .flat_map(|list| list.as_array().cloned().unwrap_or_default())
        .map(|p| resolve(doc, &p).clone())
        .collect();
    let path_params = path
        .split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
        .filter(|name| {
            params
                .iter()
                .any(|p| p["name"] == *name && p["in"] == "path")
        })
        .map(str::to_owned)
        .collect();
    let form = resolve(
        doc,
        &op["requestBody"]["content"]["multipart/form-data"]["schema"],
    );
    let required: Vec<&str> = form["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut parts: Vec<(String, bool, bool)> = form["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, p)| {
            let file = p["format"] == "binary";
            (name.clone(), file, required.contains(&name.as_str()))
        })
        .collect();
    parts.sort();
    let responses = op["responses"].as_object();
    let success = responses.and_then(|r| {
        r.iter()
            .find(|(code, _)| code.starts_with('2'))
            .map(|(_, v)| resolve(doc, v).clone())
    });
    let response = success.and_then(|r| {
        let schema = &r["content"]["application/json"]["schema"];
        match component(schema) {
            Some(name) => Some((name, false)),
            None => component(&schema["items"]).map(|name| (name, true)),
        }
    });
    let error = responses
        .and_then(|r| r.get("4XX").or_else(|| r.get("default")))
        .map(|e| resolve(doc, e))
        .and_then(|e| component(&e["content"]["application/json"]["schema"]));
    let text = |key: &str| op[key].as_str().unwrap_or_default().trim().to_owned();
    Upload {
        operation_id: op["operationId"].as_str().unwrap_or("upload").to_owned(),
        method: (*method).to_owned(),
        path: path.to_owned(),
        path_params,
        parts,
        doc: [text("summary"), text("description")].join("\n\n"),
        response,
        error,
    }
}

/// Follows a `$ref` chain; `null` where it names nothing (the description then lacks that part,
/// and the wire facts, which resolve strictly, refuse the spec).
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    crate::openapi::resolve(doc, value).unwrap_or(&Value::Null)
}

fn component(schema: &Value) -> Option<String> {
    schema["$ref"]
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

/// The generated methods, as an `impl Client` block (empty when there are no uploads).
pub fn render(uploads: &[Upload]) -> TokenStream {
    let methods = uploads.iter().map(render_one);
    quote! {
        impl Client {
            #(#methods)*
        }
    }
}

fn render_one(upload: &Upload) -> TokenStream {
    let name = format_ident!("{}", upload.operation_id);
    let op_id = &upload.operation_id;
    let method = format_ident!("{}", upload.method);
    let doc = format!(
        "{}\n\nSends a `{}` request to `{}` with a `multipart/form-data` body.",
        upload.doc,
        upload.method.to_uppercase(),
        upload.path
    );
    let params: Vec<_> = upload.path_params.iter().map(|p| snake_ident(p)).collect();
    let mut template = upload.path.clone();
    for p in &upload.path_params {
        template = template.replace(&format!("{{{p}}}"), "{}");
    }
    let template = format!("{{}}{template}");
    let (part_args, part_adds): (Vec<_>, Vec<_>) = upload
        .parts
        .iter()
        .map(|(part, file, required)| {
            let arg = snake_ident(part);
            let ty = if *file {
                quote!(reqwest::multipart::Part)
            } else {
                quote!(::std::string::String)
            };
            let add = if *file {
                quote!(form = form.part(#part, #arg);)
            } else {
                quote!(form = form.text(#part, #arg);)
            };
            if *required {
                (quote!(#arg: #ty), add)
            } else {
                (
                    quote!(#arg: ::std::option::Option<#ty>),
                    quote!(if let Some(#arg) = #arg { #add }),
                )
            }
        })
        .unzip();
    let ok = match &upload.response {
        Some((ty, false)) => {
            let ty = format_ident!("{ty}");
            quote!(types::#ty)
        }
        Some((ty, true)) => {
            let ty = format_ident!("{ty}");
            quote!(::std::vec::Vec<types::#ty>)
        }
        None => quote!(()),
    };
    let decode_ok = if upload.response.is_some() {
        quote!(ResponseValue::from_response(response).await)
    } else {
        quote!(Ok(ResponseValue::empty(response)))
    };
    let err = match &upload.error {
        Some(ty) => {
            let ty = format_ident!("{ty}");
            quote!(types::#ty)
        }
        None => quote!(()),
    };
    quote! {
        #[doc = #doc]
        pub async fn #name(
            &self,
            #(#params: &str,)*
            #(#part_args,)*
        ) -> Result<ResponseValue<#ok>, Error<#err>> {
            let url = format!(#template, self.baseurl, #(encode_path(#params),)*);
            #[allow(unused_mut)]
            let mut form = reqwest::multipart::Form::new();
            #(#part_adds)*
            #[allow(unused_mut)]
            let mut request = self
                .client
                .#method(url)
                .header(
                    ::reqwest::header::ACCEPT,
                    ::reqwest::header::HeaderValue::from_static("application/json"),
                )
                .header(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                )
                .multipart(form)
                .build()?;
            let info = OperationInfo { operation_id: #op_id };
            self.pre(&mut request, &info).await?;
            let result = self.exec(request, &info).await;
            self.post(&result, &info).await?;
            let response = result?;
            match response.status().as_u16() {
                200u16..=299u16 => #decode_ok,
                400u16..=599u16 => Err(Error::ErrorResponse(
                    ResponseValue::from_response(response).await?,
                )),
                _ => Err(Error::UnexpectedResponse(response)),
            }
        }
    }
}

/// `prospectId` → `prospect_id`, as progenitor names parameters.
fn snake_ident(name: &str) -> proc_macro2::Ident {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    format_ident!("{out}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn uploads_are_taken_out_and_described_from_the_spec() {
        let mut doc = json!({
            "paths": {
                "/p/{prospectId}/files/{channel}": {
                    "parameters": [{"$ref": "#/components/parameters/ProspectId"}],
                    "post": {
                        "operationId": "send_file",
                        "summary": "Send a file",
                        "parameters": [{"name": "channel", "in": "path", "required": true}],
                        "requestBody": {"content": {"multipart/form-data": {"schema": {
                            "type": "object", "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"},
                                           "caption": {"type": "string"}}
                        }}}},
                        "responses": {
                            "200": {"content": {"application/json": {"schema":
                                {"type": "array", "items": {"$ref": "#/components/schemas/Interaction"}}}}},
                            "4XX": {"$ref": "#/components/responses/Error"}
                        }
                    },
                    "get": {"operationId": "list_files"}
                }
            },
            "components": {
                "parameters": {"ProspectId": {"name": "prospectId", "in": "path", "required": true}},
                "responses": {"Error": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
            }
        });
        let uploads = take(&mut doc);
        assert_eq!(
            uploads,
            vec![Upload {
                operation_id: "send_file".into(),
                method: "post".into(),
                path: "/p/{prospectId}/files/{channel}".into(),
                path_params: vec!["prospectId".into(), "channel".into()],
                parts: vec![
                    ("caption".into(), false, false),
                    ("file".into(), true, true)
                ],
                doc: "Send a file\n\n".into(),
                response: Some(("Interaction".into(), true)),
                error: Some("Error".into()),
            }]
        );
        let item = &doc["paths"]["/p/{prospectId}/files/{channel}"];
        assert!(item.get("post").is_none(), "progenitor no longer sees it");
        assert!(item.get("get").is_some(), "other operations stay");

        let code = render(&uploads).to_string();
        for expected in [
            "pub async fn send_file",
            "prospect_id : & str",
            "file : reqwest :: multipart :: Part",
            "caption : :: std :: option :: Option < :: std :: string :: String >",
            "\"{}/p/{}/files/{}\"",
            "form . part (\"file\" , file)",
            "Vec < types :: Interaction >",
            "Error < types :: Error >",
            "operation_id : \"send_file\"",
        ] {
            assert!(code.contains(expected), "{expected} in {code}");
        }
    }
}
