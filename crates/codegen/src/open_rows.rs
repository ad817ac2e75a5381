//! Open values are kept as text: every `Map<String, Value>` of the generated types (the
//! flattened `extra` of a schema with named properties and `additionalProperties`, and
//! free-form objects) becomes a `cxkit_runtime::OpenMap`, and every struct with an `extra`
//! gets a `Deserialize` of its own.
//!
//! Serde's derive reads a flattened field by buffering every member into its own tree first,
//! and a `Map<String, Value>` then builds a `Value` per member: a typed row cost more than a
//! `Value` of it. The generated `Deserialize` hands the object to
//! `cxkit_runtime::open::split`, which reads the named members through a private struct
//! deriving `Deserialize` from the same fields and attributes (so serde's rules for them are
//! unchanged) and keeps the rest as spans of the object's text. `Serialize`, `JsonSchema`
//! and the builder keep their derives and read `OpenMap` as a map.

use quote::{format_ident, quote};
use syn::punctuated::Punctuated;

/// The type progenitor gives an open struct's `extra` field.
const VALUE_MAP: &str =
    ":: serde_json :: Map < :: std :: string :: String , :: serde_json :: Value >";

/// The type progenitor gives a value the spec leaves open (`{}`).
const VALUE: &str = ":: serde_json :: Value";

/// Rewrites every open struct in `file`'s `types` module, and every other
/// `Map<String, Value>` there (free-form objects, the builders' fields); returns how many
/// open structs there were.
pub fn keep_open_members_as_text(file: &mut syn::File) -> usize {
    let Some(types) = module_items(&mut file.items, "types") else {
        return 0;
    };
    let mut impls = Vec::new();
    for item in types.iter_mut() {
        if let syn::Item::Struct(item) = item {
            impls.extend(make_open(item));
        }
    }
    let open = impls.len();
    types.extend(impls);
    let mut retyped = false;
    for item in types.iter_mut() {
        retyped |= retype(item);
    }
    if retyped {
        types.push(syn::parse_quote! {
            /// Open members kept as the JSON text they were sent as (see `cxkit_runtime::open`).
            pub use ::cxkit_runtime::{OpenJson, OpenMap, OpenValue};
        });
    }
    open
}

fn module_items<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// If `item` is an open struct: retypes `extra`, drops the derived `Deserialize` and returns
/// the one that replaces it.
fn make_open(item: &mut syn::ItemStruct) -> Option<syn::Item> {
    let syn::Fields::Named(fields) = &item.fields else {
        return None;
    };
    fields.named.iter().find(|f| is_open_extra(f))?;
    for attr in &mut item.attrs {
        if attr.path().is_ident("derive") {
            let derives = attr
                .parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .ok()?;
            let kept = derives.iter().filter(|p| !is_serde_deserialize(p));
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
    }
    Some(deserialize_impl(item))
}

fn is_open_extra(field: &syn::Field) -> bool {
    let ty = &field.ty;
    field.ident.as_ref().is_some_and(|i| i == "extra")
        && quote!(#ty).to_string() == VALUE_MAP
        && field
            .attrs
            .iter()
            .any(|a| a.path().is_ident("serde") && quote!(#a).to_string().contains("flatten"))
}

fn is_serde_deserialize(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == "Deserialize")
}

/// `impl Deserialize for #name` through `cxkit_runtime::open::split`.
fn deserialize_impl(item: &syn::ItemStruct) -> syn::Item {
    let name = &item.ident;
    let container = item.attrs.iter().filter(|a| a.path().is_ident("serde"));
    let named: Vec<&syn::Field> = item
        .fields
        .iter()
        .filter(|f| f.ident.as_ref().is_some_and(|i| i != "extra"))
        .collect();
    let idents: Vec<&syn::Ident> = named.iter().filter_map(|f| f.ident.as_ref()).collect();
    let wire_names: Vec<String> = named.iter().map(|f| wire_name(f)).collect();
    let known_fields = named.iter().map(|f| {
        let serde_attrs = f.attrs.iter().filter(|a| a.path().is_ident("serde"));
        let (ident, ty) = (&f.ident, &f.ty);
        quote! { #(#serde_attrs)* #ident: #ty }
    });
    let known = format_ident!("Named");
    let is_named = if wire_names.is_empty() {
        quote!(|_| false)
    } else {
        quote!(|name| matches!(name, #(#wire_names)|*))
    };
    syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                #[derive(::serde::Deserialize)]
                #(#container)*
                struct #known { #(#known_fields),* }
                let (named, extra): (#known, _) =
                    ::cxkit_runtime::open::split(deserializer, #is_named)?;
                Ok(Self { #(#idents: named.#idents,)* extra })
            }
        }
    }
}

/// The member name a field is read from: its `rename`, else its identifier.
fn wire_name(field: &syn::Field) -> String {
    let mut name = field
        .ident
        .as_ref()
        .map(|i| i.to_string().trim_start_matches("r#").to_owned())
        .unwrap_or_default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.input.peek(syn::Token![=]) {
                let value: syn::Expr = meta.value()?.parse()?;
                if meta.path.is_ident("rename") {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) = value
                    {
                        name = s.value();
                    }
                }
            }
            Ok(())
        });
    }
    name
}

/// Replaces `Map<String, Value>` with `OpenMap` and any other `Value` with `OpenJson` inside
/// `node`; returns whether there was one.
fn retype<T: quote::ToTokens + syn::parse::Parse>(node: &mut T) -> bool {
    let text = quote!(#node).to_string();
    if !text.contains(VALUE) {
        return false;
    }
    let text = text
        .replace(VALUE_MAP, ":: cxkit_runtime :: OpenMap")
        .replace(VALUE, ":: cxkit_runtime :: OpenJson")
        .replace(
            "\"::serde_json::Map::is_empty\"",
            "\"::cxkit_runtime::OpenMap::is_empty\"",
        );
    match syn::parse_str(&text) {
        Ok(retyped) => {
            *node = retyped;
            true
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(source: &str) -> (usize, String) {
        let mut file: syn::File = syn::parse_str(source).unwrap();
        let open = keep_open_members_as_text(&mut file);
        (open, prettyplease::unparse(&file))
    }

    #[test]
    fn an_open_struct_reads_its_named_members_by_their_wire_names() {
        let (open, out) = rewritten(
            r#"
            pub mod before_types {}
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct NotFlattened {
                    #[serde(default)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct FlattenedOther {
                    #[serde(flatten)]
                    pub extra: Other,
                    #[serde(flatten)]
                    pub more: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub struct Row {
                    #[serde(rename = "callId")]
                    pub call_id: i64,
                    #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                    pub r#type: ::std::option::Option<::serde_json::Value>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct Closed { pub data: ::serde_json::Map<::std::string::String, ::serde_json::Value> }
                pub mod builder {
                    pub struct Row {
                        extra: ::std::result::Result<::serde_json::Map<::std::string::String, ::serde_json::Value>, ::std::string::String>,
                    }
                }
            }
            "#,
        );
        assert_eq!(open, 1, "only the struct with a flattened `extra` map");
        assert!(out.contains("#[derive(::serde::Serialize, Clone, Debug)]\n    pub struct Row"));
        assert!(
            out.contains(r#"|name| matches!(name, "callId" | "type")"#),
            "{out}"
        );
        assert!(out.contains("pub extra: ::cxkit_runtime::OpenMap"));
        assert!(out.contains("pub r#type: ::std::option::Option<::cxkit_runtime::OpenJson>"));
        assert!(
            out.contains("pub data: ::cxkit_runtime::OpenMap"),
            "free-form objects too"
        );
        assert_eq!(
            out.matches("::cxkit_runtime::OpenMap").count(),
            5,
            "both extras, more, data and the builder's extra: {out}"
        );
        assert!(out.contains("pub use ::cxkit_runtime::{OpenJson, OpenMap, OpenValue};"));
        assert!(!out.contains("serde_json::Value"), "nowhere: {out}");
    }

    #[test]
    fn types_without_open_values_are_left_alone() {
        let source = "pub mod types { pub struct Row { pub id: i64 } }";
        let (open, out) = rewritten(source);
        assert_eq!(open, 0);
        assert!(!out.contains("cxkit_runtime"));
    }
}
