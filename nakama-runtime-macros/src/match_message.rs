//! `#[derive(MatchMessage)]`: an enum whose variants are a match's
//! messages, each with its op code (`#[op(1)]`) and its data as JSON.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Expr, Fields, Lit};

use crate::describe;
use crate::signature::Errors;

const USAGE: &str = "mark each variant with its op code: #[op(1)] Move { x: i32, y: i32 }";

pub fn expand(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    match expand_enum(&input) {
        Ok(ts) => ts,
        Err(e) => e.to_compile_error(),
    }
}

/// The variant's `#[op(..)]` expression.
fn op_of(attrs: &[Attribute]) -> Option<syn::Result<Expr>> {
    attrs
        .iter()
        .find(|a| a.path().is_ident("op"))
        .map(|a| a.parse_args::<Expr>())
}

/// The `#[serde(..)]` attributes of a field, kept for its JSON.
fn serde_attrs(attrs: &[Attribute]) -> Vec<&Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .collect()
}

fn expand_enum(input: &DeriveInput) -> syn::Result<TokenStream> {
    let name = &input.ident;
    let data = match &input.data {
        Data::Enum(e) => e,
        _ => {
            return Err(syn::Error::new(
                name.span(),
                format!(
                    "#[derive(MatchMessage)] goes on an enum, one variant per message: {USAGE}"
                ),
            ))
        }
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "a MatchMessage enum cannot be generic: name the types of its messages",
        ));
    }
    if data.variants.is_empty() {
        return Err(syn::Error::new(
            name.span(),
            format!("a MatchMessage enum needs at least one variant: {USAGE}"),
        ));
    }
    let private = quote!(::nakama_runtime::__private);
    let serde_path = "::nakama_runtime::__private::serde";
    let mut errors = Errors::default();
    let mut literal_ops: HashMap<i128, String> = HashMap::new();
    let (mut ops, mut names, mut op_arms, mut encode_arms, mut decode_arms) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut described = Vec::new();
    for (n, v) in data.variants.iter().enumerate() {
        let vname = &v.ident;
        let op = match op_of(&v.attrs) {
            None => {
                errors.push(syn::Error::new(
                    vname.span(),
                    format!("variant `{vname}` has no op code: {USAGE}"),
                ));
                continue;
            }
            Some(Err(e)) => {
                errors.push(syn::Error::new(
                    e.span(),
                    format!("#[op(..)] takes the op code, a number or a constant: {USAGE}"),
                ));
                continue;
            }
            Some(Ok(op)) => op,
        };
        if let Expr::Lit(syn::ExprLit {
            lit: Lit::Int(n), ..
        }) = &op
        {
            if let Ok(n) = n.base10_parse::<i128>() {
                if let Some(first) = literal_ops.insert(n, vname.to_string()) {
                    errors.push(syn::Error::new(
                        op.span(),
                        format!("op code {n} is already `{first}`'s: each message needs its own"),
                    ));
                }
            }
        }
        let op_const = format_ident!("__OP_{}", n);
        ops.push(quote_spanned!(op.span()=> const #op_const: i64 = #op;));
        names.push(quote!((#op_const, stringify!(#vname))));
        let (vdocs, vdata) = (describe::docs(&v.attrs), describe::variant_data(&v.fields));
        described.push(quote! {
            #private::DeclaredVariant {
                op: #op_const,
                name: stringify!(#vname),
                docs: #vdocs,
                data: #vdata,
            }
        });
        let label = format!("{name}::{vname}");
        match &v.fields {
            Fields::Unit => {
                op_arms.push(quote!(Self::#vname => #op_const));
                encode_arms.push(quote!(Self::#vname => Ok(::std::vec::Vec::new())));
                decode_arms.push(quote!(#op_const => Ok(Self::#vname)));
            }
            Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                // Spanned at the type: a type that is not data is
                // reported there.
                let ty = &f.unnamed[0].ty;
                op_arms.push(quote!(Self::#vname(..) => #op_const));
                let encode = quote_spanned!(ty.span()=> <#ty as #private::MessageData>::to_data(v));
                encode_arms.push(quote!(Self::#vname(v) => #encode));
                let decode = quote_spanned!(ty.span()=>
                    <#ty as #private::MessageData>::from_data(#op_const, #label, data)
                );
                decode_arms.push(quote!(#op_const => #decode.map(Self::#vname)));
            }
            Fields::Unnamed(f) => {
                errors.push(syn::Error::new(
                    f.span(),
                    format!(
                        "variant `{vname}` carries {} values; a message carries one type, or named fields: #[op(1)] Move {{ x: i32, y: i32 }}",
                        f.unnamed.len()
                    ),
                ));
            }
            Fields::Named(f) => {
                let fields: Vec<_> = f.named.iter().map(|f| f.ident.clone()).collect();
                let types: Vec<_> = f.named.iter().map(|f| &f.ty).collect();
                let attrs: Vec<Vec<&Attribute>> =
                    f.named.iter().map(|f| serde_attrs(&f.attrs)).collect();
                op_arms.push(quote!(Self::#vname { .. } => #op_const));
                encode_arms.push(quote!(Self::#vname { #(#fields),* } => {
                    #[derive(#private::serde::Serialize)]
                    #[serde(crate = #serde_path)]
                    struct Data<'a> { #( #(#attrs)* #fields: &'a #types, )* }
                    #private::encode_fields(&Data { #(#fields),* })
                }));
                decode_arms.push(quote!(#op_const => {
                    #[derive(#private::serde::Deserialize)]
                    #[serde(crate = #serde_path)]
                    struct Data { #( #(#attrs)* #fields: #types, )* }
                    let d: Data = #private::decode_fields(#op_const, #label, data)?;
                    Ok(Self::#vname { #(#fields: d.#fields),* })
                }));
            }
        }
    }
    errors.finish()?;
    let docs = describe::docs(&input.attrs);
    let duplicate =
        format!("two variants of {name} have the same op code: each message needs its own");
    Ok(quote! {
        const _: () = {
            #(#ops)*
            const __OPS: &[(i64, &str)] = &[#(#names),*];
            // Op codes given as constants are checked here.
            const _: () = {
                let mut i = 0;
                while i < __OPS.len() {
                    let mut j = i + 1;
                    while j < __OPS.len() {
                        if __OPS[i].0 == __OPS[j].0 {
                            panic!(#duplicate);
                        }
                        j += 1;
                    }
                    i += 1;
                }
            };
            #private::inventory::submit! {
                #private::DeclaredMessage {
                    name: stringify!(#name),
                    docs: #docs,
                    variants: &[#(#described),*],
                }
            }
            impl ::nakama_runtime::MatchMessage for #name {
                const OP_CODES: &'static [(i64, &'static str)] = __OPS;

                fn op_code(&self) -> i64 {
                    match self { #(#op_arms,)* }
                }

                fn encode(&self) -> ::std::result::Result<::std::vec::Vec<u8>, ::nakama_runtime::Error> {
                    match self { #(#encode_arms,)* }
                }

                fn decode(op_code: i64, data: &[u8]) -> ::std::result::Result<Self, ::nakama_runtime::Error> {
                    #[allow(unreachable_patterns)]
                    match op_code {
                        #(#decode_arms,)*
                        _ => Err(#private::unknown_op_code::<Self>(op_code, stringify!(#name))),
                    }
                }
            }
        };
    })
}
