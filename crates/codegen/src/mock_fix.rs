//! Makes progenitor's httpmock helpers match what the generated client sends.
//!
//! progenitor 0.15 renders every query matcher as
//! `self.0.query_param("name", value.to_string())`. Two parameter kinds break that:
//!
//! - a `Vec` does not compile (`to_string()` on a `Vec`); the client sends arrays as
//!   repeated keys (`a=1&a=2`), so the matcher expects one `name=value` pair per element
//!   (and the key to be absent for an empty list);
//! - a `chrono::DateTime` compiles but never matches: `to_string()` gives
//!   `2024-03-01 00:00:00 UTC` while the client serializes `2024-03-01T00:00:00Z`, so the
//!   matcher uses chrono's serde form (RFC 3339, `Z`, sub-seconds only when present).

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};

/// Rewrites the array query matchers in a rendered httpmock module (see the module docs).
pub fn repeat_array_query_params(file: &mut syn::File) {
    ArrayQueryFix.visit_file_mut(file);
}

/// Rewrites date-time query matchers to the client's wire form (see the module docs).
pub fn rfc3339_datetime_query_params(file: &mut syn::File) {
    DateTimeQueryFix.visit_file_mut(file);
}

struct DateTimeQueryFix;

impl VisitMut for DateTimeQueryFix {
    fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
        let signature = function.sig.to_token_stream().to_string();
        if signature.contains("DateTime") && !signature.contains("Vec") {
            RewriteDateTimeArg.visit_block_mut(&mut function.block);
        }
        visit_mut::visit_impl_item_fn_mut(self, function);
    }
}

struct RewriteDateTimeArg;

impl VisitMut for RewriteDateTimeArg {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if call.method == "query_param" && call.args.len() == 2 {
            call.args[1] = syn::parse_quote! {
                value.to_rfc3339_opts(::chrono::SecondsFormat::AutoSi, true)
            };
        }
        visit_mut::visit_expr_method_call_mut(self, call);
    }
}

struct ArrayQueryFix;

impl VisitMut for ArrayQueryFix {
    fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
        let signature = function.sig.to_token_stream().to_string();
        if signature.contains("Vec") {
            RewriteQueryParam.visit_block_mut(&mut function.block);
        }
        visit_mut::visit_impl_item_fn_mut(self, function);
    }
}

struct RewriteQueryParam;

impl VisitMut for RewriteQueryParam {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr {
            if call.method == "query_param" && call.args.len() == 2 {
                let receiver = &call.receiver;
                let name = &call.args[0];
                *expr = syn::parse_quote! {
                    if value.is_empty() {
                        #receiver.query_param_missing(#name)
                    } else {
                        value.iter().fold(#receiver, |when, item| {
                            when.query_param(#name, item.to_string())
                        })
                    }
                };
                return;
            }
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_vec_helpers() {
        let mut file: syn::File = syn::parse_quote! {
            impl<'a> W {
                pub fn ids<T>(self, value: T) -> Self where T: Into<Option<&'a ::std::vec::Vec<String>>> {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("ids", value.to_string()))
                    } else {
                        Self(self.0.query_param_missing("ids"))
                    }
                }
                pub fn page<T>(self, value: T) -> Self where T: Into<Option<u32>> {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("page", value.to_string()))
                    } else {
                        Self(self.0.query_param_missing("page"))
                    }
                }
            }
        };
        repeat_array_query_params(&mut file);
        let out: String = prettyplease::unparse(&file).split_whitespace().collect();
        assert!(
            out.contains("value.iter().fold(self.0,|when,item|"),
            "{out}"
        );
        assert!(
            out.contains(r#"self.0.query_param_missing("ids")"#),
            "{out}"
        );
        assert_eq!(
            out.matches(".fold(").count(),
            1,
            "only the Vec helper: {out}"
        );
        assert!(
            out.contains(r#"self.0.query_param("page",value.to_string())"#),
            "{out}"
        );
    }

    #[test]
    fn rewrites_datetime_matchers_to_rfc3339() {
        let mut file: syn::File = syn::parse_quote! {
            impl<'a> W {
                pub fn after<T>(self, value: T) -> Self where T: Into<Option<&'a ::chrono::DateTime<::chrono::offset::Utc>>> {
                    if let Some(value) = value.into() {
                        Self(self.0.query_param("after", value.to_string()))
                    } else {
                        Self(self.0.query_param_missing("after"))
                    }
                }
            }
        };
        rfc3339_datetime_query_params(&mut file);
        let out: String = prettyplease::unparse(&file).split_whitespace().collect();
        let wanted =
            r#"query_param("after",value.to_rfc3339_opts(::chrono::SecondsFormat::AutoSi,true)"#;
        assert!(out.contains(wanted), "{out}");
    }
}
