//! A request twin of every `GET` builder: `build_request()` runs what `send()` runs up to the
//! request (the builder's checks, the URL and query as progenitor encodes them, headers, the
//! client's `pre` hook that attaches the credential) and returns it unsent.
//!
//! Code beside the client that must read an answer its own way (rows as the vendor sent them,
//! a body decoded as it streams) sends this request instead of building a second one by hand,
//! so a list has one encoder of its parameters: the generated builder.

use syn::visit_mut::VisitMut;

/// Adds `build_request` beside every `GET` builder's `send` in `file`; returns how many.
pub fn add_request_twins(file: &mut syn::File) -> usize {
    let mut twins = Twins(0);
    twins.visit_file_mut(file);
    twins.0
}

struct Twins(usize);

impl VisitMut for Twins {
    fn visit_item_impl_mut(&mut self, item: &mut syn::ItemImpl) {
        let twins: Vec<syn::ImplItem> = item
            .items
            .iter()
            .filter_map(|member| match member {
                syn::ImplItem::Fn(f) if f.sig.ident == "send" => twin(f),
                _ => None,
            })
            .collect();
        self.0 += twins.len();
        item.items.extend(twins);
    }
}

/// `send`'s statements before the request is executed, then `Ok(request)`; `None` for a
/// `send` that is not a `GET` or does not have the shape this pass knows.
fn twin(send: &syn::ImplItemFn) -> Option<syn::ImplItem> {
    let text = quote::quote!(#send).to_string();
    if !text.contains(". get (url)") {
        return None;
    }
    let error = error_type(&send.sig.output)?;
    let stmts = &send.block.stmts;
    let exec = stmts
        .iter()
        .position(|s| quote::quote!(#s).to_string().contains("client . exec ("))?;
    let before = &stmts[..exec];
    let has_pre = before
        .iter()
        .any(|s| quote::quote!(#s).to_string().contains("client . pre ("));
    if !has_pre {
        return None;
    }
    let docs = send.attrs.iter().filter(|a| a.path().is_ident("doc"));
    Some(syn::parse_quote! {
        #(#docs)*
        ///
        /// Built and authorised, not sent: what `send` would send, for code that reads the
        /// answer its own way (see `cxkit_codegen::request_twin`).
        pub async fn build_request(self) -> Result<reqwest::Request, Error<#error>> {
            #(#before)*
            Ok(request)
        }
    })
}

/// `E` of `Result<ResponseValue<T>, Error<E>>`.
fn error_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let result = last_segment(ty)?;
    let error = generic_types(result).nth(1)?;
    let error = last_segment(error)?;
    generic_types(error).next().cloned()
}

fn last_segment(ty: &syn::Type) -> Option<&syn::PathSegment> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last(),
        _ => None,
    }
}

fn generic_types(segment: &syn::PathSegment) -> impl Iterator<Item = &syn::Type> {
    let args = match &segment.arguments {
        syn::PathArguments::AngleBracketed(a) => Some(&a.args),
        _ => None,
    };
    args.into_iter().flatten().filter_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_get_builder_gains_a_twin_that_stops_before_exec_and_others_do_not() {
        let mut file: syn::File = syn::parse_quote! {
            impl<'a> ListThings<'a> {
                ///Sends a `GET` request to `/things`
                pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<types::Oops>> {
                    let Self { client, page } = self;
                    let url = format!("{}/things", client.baseurl);
                    let mut request = client.client.get(url).query(&page).build()?;
                    let info = OperationInfo { operation_id: "list_things" };
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    client.post(&result, &info).await?;
                    todo!()
                }
            }
            impl<'a> MakeThing<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Oops>> {
                    let mut request = client.client.post(url).build()?;
                    client.pre(&mut request, &info).await?;
                    let result = client.exec(request, &info).await;
                    todo!()
                }
            }
        };
        assert_eq!(add_request_twins(&mut file), 1);
        let text = quote::quote!(#file).to_string();
        assert!(text.contains(
            "pub async fn build_request (self) -> Result < reqwest :: Request , Error < types :: Oops > >"
        ), "{text}");
        let twin = &text[text.find("fn build_request").unwrap()..];
        let twin = &twin[..twin.find("impl").unwrap_or(twin.len())];
        assert!(twin.contains("client . pre (& mut request , & info) . await ?"));
        assert!(!twin.contains("client . exec"));
        assert!(twin.contains("Ok (request)"));
    }
}
