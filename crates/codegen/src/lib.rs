//! The one place cxkit's progenitor settings live.
//!
//! Every `*-api` crate's `build.rs`, the `xtask` and the snapshot tests render code through
//! this crate, so all three see the same source for a spec:
//!
//! - [`render_client`]: progenitor's client (Builder interface, separate types module,
//!   derives incl. `schemars::JsonSchema` and `PartialEq`), plus the glue that wires the
//!   generated `Client` to `cxkit-runtime` (credential placement, retries, normalisation)
//!   and a `json_schemas()` inventory of every generated type;
//! - [`render_mocks`]: progenitor's typed httpmock helpers, with array and date-time query
//!   matchers fixed so they compile and match the client's wire form (see [`mock_fix`]);
//! - [`build_script`]: what an API crate's `build.rs` calls.

pub mod mock_fix;
mod spec;

pub use spec::{load_spec, SpecError};

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
        .with_timeout(30);
    settings
}

/// Renders the full client source for `spec`: formatted, ready to `include!`.
pub fn render_client(spec: &openapiv3::OpenAPI) -> Result<String, SpecError> {
    let mut generator = Generator::new(&settings());
    let client = generator
        .generate_tokens(spec)
        .map_err(SpecError::generate)?;
    let file: syn::File = syn::parse2(client.clone()).map_err(SpecError::parse)?;
    let schemas = schema_inventory(&file);
    let tokens = quote! {
        #client
        #RUNTIME_GLUE
        #schemas
    };
    format(tokens)
}

/// Renders the typed httpmock helpers for `spec`; `crate_path` is how the helpers name the
/// API crate (`crate` when they are compiled inside it).
pub fn render_mocks(spec: &openapiv3::OpenAPI, crate_path: &str) -> Result<String, SpecError> {
    let mut generator = Generator::new(&settings());
    let tokens = generator
        .httpmock(spec, crate_path)
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

fn format(tokens: TokenStream) -> Result<String, SpecError> {
    let file: syn::File = syn::parse2(tokens).map_err(SpecError::parse)?;
    Ok(prettyplease::unparse(&file))
}

/// Wires the generated `Client` (whose inner type is `cxkit_runtime::ClientContext`) to the
/// runtime. Generated into every API crate, so the glue is written once, here.
const RUNTIME_GLUE: Glue = Glue;

struct Glue;

impl quote::ToTokens for Glue {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(quote! {
            impl ClientHooks<::cxkit_runtime::ClientContext> for Client {
                async fn pre<E>(
                    &self,
                    request: &mut reqwest::Request,
                    _info: &OperationInfo,
                ) -> ::std::result::Result<(), Error<E>> {
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
