//! progenitor's `Client::new` builds its `reqwest::Client` with reqwest's defaults, which
//! follow redirects (re-sending custom headers such as `X-API-Key` to the new host) and send
//! `Referer` (the original URL, query credential included). This rewrite makes it start
//! from `cxkit_runtime::http_client_builder()` instead: no redirects, no `Referer`.

use syn::visit_mut::VisitMut;

/// Replaces every `reqwest::ClientBuilder::new()` in `file`; returns how many it replaced.
pub fn use_runtime_http_client(file: &mut syn::File) -> usize {
    let mut fix = Fix(0);
    fix.visit_file_mut(file);
    fix.0
}

struct Fix(usize);

impl VisitMut for Fix {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Call(call) = expr {
            if call.args.is_empty() && is_client_builder_new(&call.func) {
                *expr = syn::parse_quote!(::cxkit_runtime::http_client_builder());
                self.0 += 1;
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

fn is_client_builder_new(func: &syn::Expr) -> bool {
    let syn::Expr::Path(path) = func else {
        return false;
    };
    let names: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    names.ends_with(&["ClientBuilder".to_owned(), "new".to_owned()])
        && names.first().is_some_and(|n| n == "reqwest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_builders_become_the_runtime_s() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                pub fn new(baseurl: &str) -> Self {
                    let client = reqwest::ClientBuilder::new().connect_timeout(dur);
                    let other = reqwest::ClientBuilder::new();
                    let untouched = other::ClientBuilder::new();
                    Self::new_with_client(baseurl, client.build().unwrap())
                }
            }
        };
        assert_eq!(use_runtime_http_client(&mut file), 2);
        let text = quote::quote!(#file).to_string();
        assert_eq!(
            text.matches(":: cxkit_runtime :: http_client_builder ()")
                .count(),
            2
        );
        assert!(text.contains("other :: ClientBuilder :: new ()"));
    }
}
