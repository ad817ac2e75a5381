//! The one place cxkit's progenitor settings live.
//!
//! Every `*-api` crate's `build.rs`, the `xtask` and the snapshot tests render code through
//! this crate, so all three see the same source for a spec:
//!
//! - [`render_client`]: progenitor's client (Builder interface, separate types module,
//!   derives incl. `schemars::JsonSchema` and `PartialEq`), plus the glue that wires the
//!   generated `Client` to `cxkit-runtime` (credential placement, retries, normalisation)
//!   a `json_schemas()` inventory of every generated type, and the [`wire`] facts (paths,
//!   parameter names, limits) that code beside the client names instead of typing them, and
//!   a [`request_twin`] `build_request()` beside every `GET` builder's `send()`;
//! - [`render_mocks`]: progenitor's typed httpmock helpers, with array and date-time query
//!   matchers fixed so they compile and match the client's wire form (see [`mock_fix`]);
//! - [`build_script`]: what an API crate's `build.rs` calls.

pub mod mock_fix;
pub mod multipart;
pub mod normalize;
pub mod open_rows;
pub mod openapi;
pub mod request_twin;
pub mod safe_http;
mod spec;
pub mod wire;

pub use spec::{load_spec, parse_spec, SpecError};

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;
use std::path::Path;

/// The progenitor settings every cxkit API crate is generated with.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote! { ::cxkit_runtime::ClientContext })
        .with_hooks(HooksMode::Expected)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq")
        // Ordered maps: deterministic Debug output, snapshots and wire bodies.
        .with_map_type("::std::collections::BTreeMap")
        // A secret inside a body (`format: password`) is masked in `Debug`.
        .with_conversion(
            schemars::schema::SchemaObject {
                instance_type: Some(schemars::schema::InstanceType::String.into()),
                format: Some("password".into()),
                ..Default::default()
            },
            "::cxkit_runtime::Secret",
            std::iter::empty(),
        )
        .with_timeout(30);
    settings
}

/// Renders the full client source for `spec`: formatted, ready to `include!`.
pub fn render_client(spec: &openapiv3::OpenAPI) -> Result<String, SpecError> {
    let wire = wire::render(spec)?;
    let (spec, uploads) = split_uploads(spec)?;
    let mut generator = Generator::new(&settings());
    let client = generator
        .generate_tokens(&spec)
        .map_err(SpecError::generate)?;
    let file: syn::File = syn::parse2(client.clone()).map_err(SpecError::parse)?;
    let schemas = schema_inventory(&file);
    let uploads = multipart::render(&uploads);
    let glue = Glue {
        unauthenticated: unauthenticated_operations(&spec),
    };
    let tokens = quote! {
        #client
        #uploads
        #glue
        #schemas
        #wire
    };
    let mut file: syn::File = syn::parse2(tokens).map_err(SpecError::parse)?;
    if request_twin::add_request_twins(&mut file) == 0 && !spec_has_no_get(&spec) {
        return Err(SpecError::io(
            "progenitor's GET builders no longer have the send() this pass knows: \
             update crates/codegen/src/request_twin.rs",
        ));
    }
    open_rows::keep_open_members_as_text(&mut file);
    if safe_http::use_runtime_http_client(&mut file) == 0 {
        return Err(SpecError::io(
            "progenitor's Client::new no longer calls reqwest::ClientBuilder::new(): \
             update crates/codegen/src/safe_http.rs",
        ));
    }
    Ok(prettyplease::unparse(&file))
}

/// Whether `spec` declares no `GET` operation (then no builder gets a request twin).
fn spec_has_no_get(spec: &openapiv3::OpenAPI) -> bool {
    spec.operations().all(|(_, method, _)| method != "get")
}

/// The spec without its file-upload operations (which progenitor cannot generate), and those
/// operations (which [`multipart::render`] generates).
fn split_uploads(
    spec: &openapiv3::OpenAPI,
) -> Result<(openapiv3::OpenAPI, Vec<multipart::Upload>), SpecError> {
    let mut document = serde_json::to_value(spec).map_err(|e| SpecError::io(e.to_string()))?;
    let uploads = multipart::take(&mut document);
    let spec = serde_json::from_value(document).map_err(|e| SpecError::io(e.to_string()))?;
    Ok((spec, uploads))
}

/// Renders the typed httpmock helpers for `spec`; `crate_path` is how the helpers name the
/// API crate (`crate` when they are compiled inside it).
pub fn render_mocks(spec: &openapiv3::OpenAPI, crate_path: &str) -> Result<String, SpecError> {
    // Uploads have no typed mock helper; mock them with httpmock's own `when.path(..)`.
    let (spec, _uploads) = split_uploads(spec)?;
    let mut generator = Generator::new(&settings());
    let tokens = generator
        .httpmock(&spec, crate_path)
        .map_err(SpecError::generate)?;
    let mut file: syn::File = syn::parse2(tokens).map_err(SpecError::parse)?;
    mock_fix::repeat_array_query_params(&mut file);
    mock_fix::rfc3339_datetime_query_params(&mut file);
    Ok(prettyplease::unparse(&file))
}

/// For an API crate's `build.rs`: renders the client to `$OUT_DIR/client.rs` and the mocks to
/// `$OUT_DIR/mock.rs` from `spec_path` (relative to the crate), and tells cargo to rerun
/// when the spec changes.
pub fn build_script(spec_path: &str) -> Result<(), SpecError> {
    println!("cargo:rerun-if-changed={spec_path}");
    let out_dir = std::env::var("OUT_DIR").map_err(|_| SpecError::io("OUT_DIR is not set"))?;
    let spec = load_spec(Path::new(spec_path))?;
    write(Path::new(&out_dir).join("client.rs"), render_client(&spec)?)?;
    write(
        Path::new(&out_dir).join("mock.rs"),
        render_mocks(&spec, "crate")?,
    )?;
    Ok(())
}

fn write(path: std::path::PathBuf, content: String) -> Result<(), SpecError> {
    std::fs::write(&path, content).map_err(|e| SpecError::io(format!("{}: {e}", path.display())))
}

/// The `operationId`s that declare `security: []`: sent without the client's credential.
fn unauthenticated_operations(spec: &openapiv3::OpenAPI) -> Vec<String> {
    spec.operations()
        .filter(|(_, _, op)| op.security.as_ref().is_some_and(Vec::is_empty))
        .filter_map(|(_, _, op)| op.operation_id.clone())
        .collect()
}

/// Wires the generated `Client` (whose inner type is `cxkit_runtime::ClientContext`) to the
/// runtime. Generated into every API crate, so the glue is written once, here.
struct Glue {
    /// Operations sent without the credential (`security: []` in the spec).
    unauthenticated: Vec<String>,
}

impl quote::ToTokens for Glue {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let unauthenticated = &self.unauthenticated;
        tokens.extend(quote! {
            /// The operations the spec declares with `security: []`: the client's credential is
            /// not attached to them (a credential they need travels as a parameter or in the body).
            pub const UNAUTHENTICATED_OPERATIONS: &[&str] = &[#(#unauthenticated),*];

            impl ClientHooks<::cxkit_runtime::ClientContext> for Client {
                async fn pre<E>(
                    &self,
                    request: &mut reqwest::Request,
                    info: &OperationInfo,
                ) -> ::std::result::Result<(), Error<E>> {
                    if UNAUTHENTICATED_OPERATIONS.contains(&info.operation_id) {
                        return Ok(());
                    }
                    self.inner.authorize(request).map_err(Error::InvalidRequest)
                }

                async fn exec(
                    &self,
                    request: reqwest::Request,
                    info: &OperationInfo,
                ) -> reqwest::Result<reqwest::Response> {
                    ::cxkit_runtime::execute(&self.client, &self.inner, request, info.operation_id)
                        .await
                }
            }

            impl Client {
                /// The runtime context: credential, retry policy, timeout, vendor profile.
                pub fn context(&self) -> &::cxkit_runtime::ClientContext {
                    &self.inner
                }
            }
        });
    }
}

/// `json_schemas()`: the JSON Schema of every type in the generated `types` module, by name.
fn schema_inventory(file: &syn::File) -> TokenStream {
    let names = type_names(file);
    let entries = names.iter().map(|name| {
        let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
        quote! { (#name, ::schemars::schema_for!(types::#ident)) }
    });
    quote! {
        /// The JSON Schema of every generated type, by type name, in name order. Used by the
        /// contract snapshots; also handy for validating payloads in your own tests.
        pub fn json_schemas() -> ::std::vec::Vec<(&'static str, ::schemars::schema::RootSchema)> {
            ::std::vec![#(#entries),*]
        }
    }
}

/// Names of the structs and enums declared directly in `mod types`.
pub fn type_names(file: &syn::File) -> Vec<String> {
    let mut names: Vec<String> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .flat_map(|(_, items)| items.iter())
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect();
    names.sort();
    names
}
