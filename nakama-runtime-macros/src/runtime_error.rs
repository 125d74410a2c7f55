//! `#[derive(RuntimeError)]`: `From<YourError> for nakama_runtime::Error`
//! and `Display`, from `#[runtime_error(Code, "message")]` on each variant.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Token};

use crate::signature::Errors;

/// Codes a variant may use (every gRPC code but `Ok`).
const CODES: &[&str] = &[
    "Cancelled",
    "Unknown",
    "InvalidArgument",
    "DeadlineExceeded",
    "NotFound",
    "AlreadyExists",
    "PermissionDenied",
    "ResourceExhausted",
    "FailedPrecondition",
    "Aborted",
    "OutOfRange",
    "Unimplemented",
    "Internal",
    "Unavailable",
    "DataLoss",
    "Unauthenticated",
];

const USAGE: &str =
    "#[runtime_error(Code, \"message\")], e.g. #[runtime_error(NotFound, \"guild {0} not found\")]";

pub fn expand(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    match expand_enum(&input) {
        Ok(ts) => ts,
        Err(e) => {
            // Keep the type usable as an error so the user sees this
            // message and not a cascade of "does not convert" errors.
            let err = e.to_compile_error();
            let fallback = impls(
                &input,
                quote!(::nakama_runtime::Code::Internal),
                quote!(Ok(())),
            );
            quote!(#err #fallback)
        }
    }
}

/// `#[runtime_error(Code, "message")]`, parsed.
struct VariantAttr {
    code: Ident,
    message: Option<LitStr>,
}

impl Parse for VariantAttr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input.error(format!("missing the error code: {USAGE}")));
        }
        if input.peek(LitStr) {
            return Err(input.error(format!(
                "the error code comes first: {USAGE}; codes are {}",
                CODES.join(", ")
            )));
        }
        let code: Ident = input.parse()?;
        let message = if input.is_empty() {
            None
        } else {
            input.parse::<Token![,]>()?;
            let m: LitStr = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected the message as a string literal: {USAGE}"),
                )
            })?;
            if !input.is_empty() {
                return Err(input.error(format!("unexpected tokens after the message: {USAGE}")));
            }
            Some(m)
        };
        Ok(VariantAttr { code, message })
    }
}

/// Rewrites `{0}` to `{__0}` so positional fields can be bound by name.
/// Answers the rewritten text or a message about a bare `{}`.
fn rewrite_format(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' {
            if chars.peek() == Some(&'{') {
                chars.next();
                out.push_str("{{");
                continue;
            }
            out.push('{');
            let mut name = String::new();
            while let Some(&n) = chars.peek() {
                if n == '}' || n == ':' {
                    break;
                }
                name.push(n);
                chars.next();
            }
            if name.is_empty() {
                return Err(
                    "use `{0}` or `{field}` to name the field to show; a bare `{}` is ambiguous"
                        .into(),
                );
            }
            if name.chars().all(|c| c.is_ascii_digit()) {
                out.push_str("__");
            }
            out.push_str(&name);
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn expand_enum(input: &DeriveInput) -> syn::Result<TokenStream> {
    let data = match &input.data {
        Data::Enum(e) => e,
        Data::Struct(s) => {
            return Err(syn::Error::new(
                s.struct_token.span(),
                format!("#[derive(RuntimeError)] goes on an enum whose variants each carry {USAGE}; for a struct, implement `From<{}> for nakama_runtime::Error` by hand", input.ident),
            ))
        }
        Data::Union(u) => {
            return Err(syn::Error::new(
                u.union_token.span(),
                "#[derive(RuntimeError)] goes on an enum",
            ))
        }
    };
    let mut errors = Errors::default();
    let mut code_arms = Vec::new();
    let mut fmt_arms = Vec::new();
    let mut catalog = Vec::new();
    for v in &data.variants {
        let attrs: Vec<_> = v
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("runtime_error"))
            .collect();
        if attrs.is_empty() {
            errors.push(syn::Error::new(
                v.ident.span(),
                format!("variant `{}` needs {USAGE}", v.ident),
            ));
            continue;
        }
        if let Some(dup) = attrs.get(1) {
            errors.push(syn::Error::new(
                dup.span(),
                "duplicate #[runtime_error] on this variant; give it once",
            ));
        }
        let attr = match attrs[0].parse_args::<VariantAttr>() {
            Ok(a) => a,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if !CODES.contains(&attr.code.to_string().as_str()) {
            let extra = if attr.code == "Ok" {
                " (`Ok` is not an error)"
            } else {
                ""
            };
            errors.push(syn::Error::new(
                attr.code.span(),
                format!(
                    "unknown error code `{}`{extra}; valid codes are: {}",
                    attr.code,
                    CODES.join(", ")
                ),
            ));
            continue;
        }
        let Some(message) = attr.message else {
            errors.push(syn::Error::new(
                attr.code.span(),
                format!(
                    "missing the message the client sees: #[runtime_error({}, \"...\")]",
                    attr.code
                ),
            ));
            continue;
        };
        let text = match rewrite_format(&message.value()) {
            Ok(t) => t,
            Err(m) => {
                errors.push(syn::Error::new(message.span(), m));
                continue;
            }
        };
        let ident = &v.ident;
        let code = &attr.code;
        let (pattern, bindings) = match &v.fields {
            Fields::Unit => (quote!(Self::#ident), quote!()),
            Fields::Unnamed(f) => {
                let names: Vec<Ident> = (0..f.unnamed.len())
                    .map(|i| format_ident!("__{}", i))
                    .collect();
                (quote!(Self::#ident(#(#names),*)), quote!())
            }
            Fields::Named(f) => {
                let names: Vec<&Ident> = f.named.iter().filter_map(|f| f.ident.as_ref()).collect();
                (
                    quote!(Self::#ident { #(#names),* }),
                    quote!(#(let _ = &#names;)*),
                )
            }
        };
        code_arms.push(quote!(Self::#ident { .. } => ::nakama_runtime::Code::#code,));
        let template = message.value();
        catalog.push(quote!((::nakama_runtime::Code::#code, #template)));
        let lit = LitStr::new(&text, message.span());
        fmt_arms.push(quote_spanned! {message.span()=>
            #pattern => { #bindings ::core::write!(f, #lit) }
        });
    }
    errors.finish()?;
    if data.variants.is_empty() {
        return Err(syn::Error::new(
            input.ident.span(),
            format!("#[derive(RuntimeError)] needs at least one variant with {USAGE}"),
        ));
    }
    let impls = impls(
        input,
        quote!(match self { #(#code_arms)* }),
        quote!(match self { #(#fmt_arms)* }),
    );
    // What `nakama_runtime::client` lists as the errors of the RPCs that
    // return this type.
    let name = &input.ident;
    let (ig, tg, wc) = input.generics.split_for_impl();
    Ok(quote! {
        #impls
        #[automatically_derived]
        impl #ig ::nakama_runtime::__private::ErrorCatalog for #name #tg #wc {
            const ERRORS: &'static [(::nakama_runtime::Code, &'static str)] = &[#(#catalog),*];
        }
    })
}

fn impls(input: &DeriveInput, code: TokenStream, fmt: TokenStream) -> TokenStream {
    let name = &input.ident;
    let (ig, tg, wc) = input.generics.split_for_impl();
    let _ = Span::call_site();
    quote! {
        #[automatically_derived]
        impl #ig #name #tg #wc {
            /// The gRPC code this error answers with.
            #[allow(unused_variables, unreachable_patterns)]
            pub fn code(&self) -> ::nakama_runtime::Code {
                #code
            }
        }
        #[automatically_derived]
        impl #ig ::core::fmt::Display for #name #tg #wc {
            #[allow(unused_variables)]
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #fmt
            }
        }
        #[automatically_derived]
        impl #ig ::core::convert::From<#name #tg> for ::nakama_runtime::Error #wc {
            fn from(e: #name #tg) -> Self {
                ::nakama_runtime::Error::new(e.code(), ::std::string::ToString::to_string(&e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn positional_fields_are_renamed() {
        assert_eq!(
            rewrite_format("guild {0} not found").unwrap(),
            "guild {__0} not found"
        );
        assert_eq!(
            rewrite_format("{0:?} and {name}").unwrap(),
            "{__0:?} and {name}"
        );
        assert_eq!(rewrite_format("{{literal}}").unwrap(), "{{literal}}");
        assert!(rewrite_format("bad {}").is_err());
    }

    #[test]
    fn every_variant_problem_is_reported() {
        let input = quote! {
            enum E {
                A,
                #[runtime_error(Nope, "x")] B,
                #[runtime_error(NotFound)] C,
                #[runtime_error(NotFound, "ok {0}")] D(String),
            }
        };
        let out = expand(input).to_string();
        assert!(out.contains("variant `A` needs"), "{out}");
        assert!(out.contains("unknown error code `Nope`"), "{out}");
        assert!(out.contains("missing the message"), "{out}");
    }

    #[test]
    fn struct_is_refused() {
        let out = expand(quote!(
            struct S;
        ))
        .to_string();
        assert!(out.contains("goes on an enum"), "{out}");
    }
}
