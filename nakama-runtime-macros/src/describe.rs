//! What `#[rpc]` and `#[derive(MatchMessage)]` record for
//! `nakama_runtime::client`: ids and names, docs, and how each payload,
//! result and message's data crosses the wire, with a probe for each
//! type's `schemars::JsonSchema`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Fields, ItemFn, Type};

use crate::signature;

fn rt() -> TokenStream {
    quote!(::nakama_runtime::__private)
}

/// The `///` docs of an item, one line per attribute.
pub fn docs(attrs: &[Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_string())
        .collect();
    lines.join("\n")
}

/// The RPC's entry: its id, docs, how its payload and result cross, and
/// its errors if its error type lists them (`#[derive(RuntimeError)]`).
pub fn rpc(f: &ItemFn, id: &str, payload: &Type, ok: &Type, err: Option<&Type>) -> TokenStream {
    let rt = rt();
    let function = format!("::{}", f.sig.ident);
    let docs = docs(&f.attrs);
    let (request, response) = (type_shape(payload), type_shape(ok));
    let error_type = err.map(rust_name).unwrap_or_default();
    let errors = match err {
        Some(e) => quote! {
            || {
                #[allow(unused_imports)]
                use #rt::{HasErrors as _, NoErrors as _};
                #[allow(clippy::needless_borrow)]
                (&#rt::Probe::<#e>::new()).errors()
            }
        },
        None => quote!(|| ::core::option::Option::None),
    };
    quote! {
        #[doc(hidden)]
        const _: () = {
            #rt::inventory::submit! {
                #rt::DeclaredRpc {
                    id: #id,
                    function: ::core::concat!(::core::module_path!(), #function),
                    docs: #docs,
                    request: #request,
                    response: #response,
                    error_type: #error_type,
                    errors: #errors,
                }
            }
        };
    }
}

/// `()` is no payload, `String` / `Vec<u8>` raw bytes, `Proto<T>` a
/// protobuf message's bytes, anything else JSON
/// (described if it implements `JsonSchema`: the probe's method
/// resolution falls back to "no schema" when it does not).
pub fn type_shape(ty: &Type) -> TokenStream {
    let rt = rt();
    if matches!(ty, Type::Tuple(t) if t.elems.is_empty()) {
        return quote!(#rt::TypeShape::Empty);
    }
    if let Some(message) = signature::proto_message(ty) {
        return proto_shape(message);
    }
    if signature::is_raw(ty) {
        return quote!(#rt::TypeShape::Raw);
    }
    json_shape(ty)
}

/// A protobuf message's bytes (`Proto<T>`), named by `T` as written.
fn proto_shape(message: &Type) -> TokenStream {
    let rt = rt();
    let message = rust_name(message);
    quote!(#rt::TypeShape::Protobuf { message: #message })
}

/// A type serde_json reads and writes, `String` included (a JSON string).
fn json_shape(ty: &Type) -> TokenStream {
    let rt = rt();
    let rust = rust_name(ty);
    quote! {
        #rt::TypeShape::Json {
            rust: #rust,
            schema: |__nakama_g| {
                #[allow(unused_imports)]
                use #rt::{HasSchema as _, NoSchema as _};
                #[allow(clippy::needless_borrow)]
                (&#rt::Probe::<#ty>::new()).schema(__nakama_g)
            },
        }
    }
}

/// A type as written, without the spaces tokens print with.
fn rust_name(ty: &Type) -> String {
    quote!(#ty)
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" <", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
}

/// A message variant's data: none, one value, or named fields (with their
/// serde `rename`, and optional if `Option<_>` or `#[serde(default)]`;
/// `#[serde(skip)]` fields are left out).
pub fn variant_data(fields: &Fields) -> TokenStream {
    let rt = rt();
    match fields {
        Fields::Unit => quote!(#rt::VariantData::None),
        Fields::Unnamed(f) => {
            let ty = &f.unnamed[0].ty;
            let shape = match signature::proto_message(ty) {
                Some(message) => proto_shape(message),
                None => json_shape(ty),
            };
            quote!(#rt::VariantData::Value(#shape))
        }
        Fields::Named(f) => {
            let fields = f.named.iter().filter_map(|field| {
                let serde = SerdeField::of(&field.attrs);
                if serde.skip {
                    return None;
                }
                let name = serde
                    .rename
                    .unwrap_or_else(|| field.ident.as_ref().map(ToString::to_string).unwrap_or_default());
                let docs = docs(&field.attrs);
                let optional = serde.default || is_option(&field.ty);
                let shape = json_shape(&field.ty);
                Some(quote! {
                    #rt::DeclaredField { name: #name, docs: #docs, optional: #optional, shape: #shape }
                })
            });
            quote!(#rt::VariantData::Fields(&[#(#fields),*]))
        }
    }
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// The serde field attributes that change a field's JSON name or presence.
#[derive(Default)]
struct SerdeField {
    rename: Option<String>,
    default: bool,
    skip: bool,
}

impl SerdeField {
    fn of(attrs: &[Attribute]) -> Self {
        let mut f = SerdeField::default();
        for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
            // Anything this does not understand is serde's to judge: the
            // derive of the message's data reports it.
            let _ = a.parse_nested_meta(|m| {
                if m.path.is_ident("rename") && m.input.peek(syn::Token![=]) {
                    let v: syn::LitStr = m.value()?.parse()?;
                    f.rename = Some(v.value());
                } else if m.path.is_ident("default") {
                    f.default = true;
                    if m.input.peek(syn::Token![=]) {
                        let _: syn::Expr = m.value()?.parse()?;
                    }
                } else if m.path.is_ident("skip") {
                    f.skip = true;
                } else if m.input.peek(syn::Token![=]) {
                    let _: syn::Expr = m.value()?.parse()?;
                } else if m.input.peek(syn::token::Paren) {
                    m.parse_nested_meta(|inner| {
                        if inner.input.peek(syn::Token![=]) {
                            let _: syn::Expr = inner.value()?.parse()?;
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            });
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_field_attributes_that_change_the_json_are_read() {
        let field: syn::Field = syn::parse_quote! {
            #[serde(rename = "hp", skip_serializing_if = "Option::is_none", default)]
            health: u32
        };
        let f = SerdeField::of(&field.attrs);
        assert_eq!(f.rename.as_deref(), Some("hp"));
        assert!(f.default && !f.skip);
        let skipped: syn::Field = syn::parse_quote!(#[serde(skip)] cache: u32);
        assert!(SerdeField::of(&skipped.attrs).skip);
        let per_side: syn::Field =
            syn::parse_quote!(#[serde(rename(serialize = "a"), default = "zero")] x: u32);
        let f = SerdeField::of(&per_side.attrs);
        assert_eq!(f.rename, None);
        assert!(f.default);
    }

    #[test]
    fn docs_are_the_doc_lines_without_their_leading_space() {
        let f: ItemFn = syn::parse_quote! {
            /// One.
            ///   Two, indented.
            #[rpc]
            async fn f() {}
        };
        assert_eq!(docs(&f.attrs), "One.\n  Two, indented.");
    }
}
