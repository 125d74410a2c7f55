//! Expansion of `#[rpc]`, `#[before_hook]`, `#[after_hook]` and
//! `#[init_module]`.
//!
//! Each keeps the function as written and adds, inside `const _: () = {..}`,
//! a unit type implementing the runtime's `Handler` trait (decode input,
//! call the function, encode output) and an `inventory` registration. Type
//! checks are spanned at the user's types so errors point there.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Ident, ItemFn, Type};

use crate::args;
use crate::hook_table::{After, HookInfo};
use crate::signature::{self, span_of, Errors};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Rpc,
    Before,
    After,
    Init,
}

impl Kind {
    fn attr(self) -> &'static str {
        match self {
            Kind::Rpc => "rpc",
            Kind::Before => "before_hook",
            Kind::After => "after_hook",
            Kind::Init => "init_module",
        }
    }
}

pub fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(_) => {
            let e = syn::Error::new(
                Span::call_site(),
                format!("#[{}] goes on an `async fn`", kind.attr()),
            );
            let err = e.to_compile_error();
            return quote!(#item #err);
        }
    };
    match expand_fn(kind, args, &item_fn) {
        Ok(glue) => quote!(#item_fn #glue),
        Err(e) => {
            let err = e.to_compile_error();
            quote!(#item_fn #err)
        }
    }
}

const RT: &str = "::nakama_runtime::__private";

fn rt() -> TokenStream {
    RT.parse().unwrap()
}

fn expand_fn(kind: Kind, args: TokenStream, f: &ItemFn) -> syn::Result<TokenStream> {
    match kind {
        Kind::Rpc => {
            let args = args::parse_rpc(args)?;
            let id = args
                .id
                .map(|l| l.value())
                .unwrap_or_else(|| f.sig.ident.to_string());
            expand_rpc(f, &id)
        }
        Kind::Before => {
            let (info, ident) = args::parse_hook("before_hook", args)?;
            expand_before(f, info, &ident)
        }
        Kind::After => {
            let (info, ident) = args::parse_hook("after_hook", args)?;
            expand_after(f, info, &ident)
        }
        Kind::Init => {
            args::parse_none("init_module", args)?;
            expand_init(f)
        }
    }
}

/// `is_context::<T>()` etc., spanned at the user's types.
fn ctx_nk_checks(types: &[Type]) -> TokenStream {
    let rt = rt();
    let mut out = TokenStream::new();
    if let Some(t) = types.first() {
        out.extend(quote_spanned!(span_of(types, 0)=> #rt::is_context::<#t>();));
    }
    if let Some(t) = types.get(1) {
        out.extend(quote_spanned!(span_of(types, 1)=> #rt::is_nakama::<#t>();));
    }
    out
}

/// The error type check, if the `Result` names one.
fn error_check(err: &Option<Type>) -> TokenStream {
    let rt = rt();
    match err {
        Some(e) => quote_spanned!(syn::spanned::Spanned::span(e)=> #rt::is_error::<#e>();),
        None => TokenStream::new(),
    }
}

/// The handler type and its registration.
fn glue(
    f: &ItemFn,
    kind_const: &str,
    id: &str,
    checks: TokenStream,
    body: TokenStream,
) -> TokenStream {
    let rt = rt();
    let name = &f.sig.ident;
    let kind_ident = Ident::new(kind_const, Span::call_site());
    let function = format!("::{name}");
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, clippy::all)]
        const _: () = {
            struct __NakamaHandler;
            #[automatically_derived]
            impl #rt::Handler for __NakamaHandler {
                fn call<'__a>(
                    &'__a self,
                    __nakama_ctx: &'__a ::nakama_runtime::Context,
                    __nakama_nk: &'__a ::nakama_runtime::Nakama,
                    __nakama_input: &'__a [u8],
                ) -> #rt::BoxFuture<'__a, ::core::result::Result<::std::vec::Vec<u8>, ::nakama_runtime::Error>> {
                    #[allow(unreachable_code)]
                    if false { #checks }
                    ::std::boxed::Box::pin(async move { #body })
                }
            }
            #rt::inventory::submit! {
                #rt::Declared {
                    kind: #rt::kind::#kind_ident,
                    id: #id,
                    function: ::core::concat!(::core::module_path!(), #function),
                    package: ::core::env!("CARGO_PKG_NAME"),
                    handler: &__NakamaHandler,
                }
            }
        };
    }
}

const RPC_SIG: &str = "async fn(ctx: &Context, nk: &Nakama, payload: T) -> Result<R, E>";

fn expand_rpc(f: &ItemFn, id: &str) -> syn::Result<TokenStream> {
    let rt = rt();
    let mut errors = Errors::default();
    let types = signature::check(f, "rpc", 3, RPC_SIG, &mut errors);
    let result = signature::result_types(f, "rpc", RPC_SIG);
    errors.finish()?;
    let (ok, err) = result?;
    let name = &f.sig.ident;

    let mut checks = ctx_nk_checks(&types);
    let payload_ty = &types[2];
    let decode = if signature::is_raw(payload_ty) {
        quote_spanned!(span_of(&types, 2)=> #rt::raw_input::<#payload_ty>(__nakama_input)?)
    } else {
        checks.extend(quote_spanned!(span_of(&types, 2)=> #rt::is_payload::<#payload_ty>();));
        quote!(#rt::json_input::<#payload_ty>(__nakama_input)?)
    };
    let encode = if signature::is_raw(&ok) {
        quote!(#rt::raw_output(#name(__nakama_ctx, __nakama_nk, __nakama_payload).await))
    } else {
        checks.extend(quote_spanned!(syn::spanned::Spanned::span(&ok)=> #rt::is_reply::<#ok>();));
        quote!(#rt::json_output(#name(__nakama_ctx, __nakama_nk, __nakama_payload).await))
    };
    checks.extend(error_check(&err));
    let body = quote! {
        let __nakama_payload = #decode;
        #encode
    };
    Ok(glue(f, "RPC", id, checks, body))
}

/// `SameType` checks of hook argument types against the hook's.
fn hook_type_check(types: &[Type], i: usize, hook: &TokenStream, assoc: &str) -> TokenStream {
    let rt = rt();
    let assoc = Ident::new(assoc, Span::call_site());
    let t = &types[i];
    quote_spanned!(span_of(types, i)=> #rt::same_type::<#t, <#hook as #rt::Hook>::#assoc>();)
}

fn expand_before(f: &ItemFn, info: &HookInfo, ident: &Ident) -> syn::Result<TokenStream> {
    let rt = rt();
    let hook = quote!(::nakama_runtime::hooks::hook::#ident);
    let name = &f.sig.ident;
    let (arity, expected) = if info.before_input {
        (
            3,
            format!(
                "async fn(ctx: &Context, nk: &Nakama, req: {0}) -> Result<Option<{0}>, E>",
                info.request
            ),
        )
    } else {
        (
            2,
            "async fn(ctx: &Context, nk: &Nakama) -> Result<(), E>".to_string(),
        )
    };
    let mut errors = Errors::default();
    let types = signature::check(f, "before_hook", arity, &expected, &mut errors);
    let result = signature::result_types(f, "before_hook", &expected);
    errors.finish()?;
    let (_, err) = result?;
    let mut checks = ctx_nk_checks(&types);
    checks.extend(error_check(&err));
    let body = if info.before_input {
        checks.extend(hook_type_check(&types, 2, &hook, "Request"));
        quote! {
            let __nakama_req = #rt::hook_request::<#hook>(__nakama_input)?;
            #rt::before_output::<#hook, _>(#name(__nakama_ctx, __nakama_nk, __nakama_req).await)
        }
    } else {
        quote! {
            let _ = __nakama_input;
            #rt::unit_output(#name(__nakama_ctx, __nakama_nk).await)
        }
    };
    Ok(glue(f, "BEFORE_HOOK", info.name, checks, body))
}

fn expand_after(f: &ItemFn, info: &HookInfo, ident: &Ident) -> syn::Result<TokenStream> {
    let rt = rt();
    let hook = quote!(::nakama_runtime::hooks::hook::#ident);
    let name = &f.sig.ident;
    let (extra, expected): (&[(&str, &str)], String) = match info.after {
        After::OutAndIn => (
            &[("Response", "out"), ("Request", "req")],
            format!(
                "async fn(ctx: &Context, nk: &Nakama, out: {}, req: {}) -> Result<(), E>",
                info.response, info.request
            ),
        ),
        After::InOnly => (
            &[("Request", "req")],
            format!(
                "async fn(ctx: &Context, nk: &Nakama, req: {}) -> Result<(), E>",
                info.request
            ),
        ),
        After::OutOnly => (
            &[("Response", "out")],
            format!(
                "async fn(ctx: &Context, nk: &Nakama, out: {}) -> Result<(), E>",
                info.response
            ),
        ),
        After::Nothing => (
            &[],
            "async fn(ctx: &Context, nk: &Nakama) -> Result<(), E>".to_string(),
        ),
    };
    let mut errors = Errors::default();
    let types = signature::check(f, "after_hook", 2 + extra.len(), &expected, &mut errors);
    let result = signature::result_types(f, "after_hook", &expected);
    errors.finish()?;
    let (_, err) = result?;
    let mut checks = ctx_nk_checks(&types);
    checks.extend(error_check(&err));
    let mut call_args = Vec::new();
    for (i, (assoc, field)) in extra.iter().enumerate() {
        checks.extend(hook_type_check(&types, 2 + i, &hook, assoc));
        let field = Ident::new(field, Span::call_site());
        call_args.push(quote!(__nakama_args.#field));
    }
    let body = quote! {
        let __nakama_args = #rt::after_input::<#hook>(__nakama_input)?;
        let _ = &__nakama_args;
        #rt::unit_output(#name(__nakama_ctx, __nakama_nk #(, #call_args)*).await)
    };
    Ok(glue(f, "AFTER_HOOK", info.name, checks, body))
}

const INIT_SIG: &str =
    "async fn(ctx: &Context, nk: &Nakama, init: &mut Initializer) -> Result<(), E>";

fn expand_init(f: &ItemFn) -> syn::Result<TokenStream> {
    let rt = rt();
    let mut errors = Errors::default();
    let types = signature::check(f, "init_module", 3, INIT_SIG, &mut errors);
    let result = signature::result_types(f, "init_module", INIT_SIG);
    errors.finish()?;
    let (_, err) = result?;
    let name = &f.sig.ident;
    let mut checks = ctx_nk_checks(&types);
    let init_ty = &types[2];
    checks.extend(quote_spanned!(span_of(&types, 2)=> #rt::is_initializer::<#init_ty>();));
    checks.extend(error_check(&err));
    let function = format!("::{name}");
    // A second #[init_module] in the same crate defines this symbol twice,
    // which rustc reports at the second one.
    let marker = quote_spanned! {f.sig.ident.span()=>
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        #[allow(non_upper_case_globals)]
        pub static nakama_runtime_only_one_init_module_per_module: u8 = 0;
    };
    Ok(quote! {
        #marker
        #[doc(hidden)]
        #[allow(non_camel_case_types, clippy::all)]
        const _: () = {
            struct __NakamaInitHandler;
            #[automatically_derived]
            impl #rt::InitHandler for __NakamaInitHandler {
                fn call<'__a>(
                    &'__a self,
                    __nakama_ctx: &'__a ::nakama_runtime::Context,
                    __nakama_nk: &'__a ::nakama_runtime::Nakama,
                    __nakama_init: &'__a mut ::nakama_runtime::Initializer,
                ) -> #rt::BoxFuture<'__a, ::core::result::Result<(), ::nakama_runtime::Error>> {
                    #[allow(unreachable_code)]
                    if false { #checks }
                    ::std::boxed::Box::pin(async move {
                        #rt::unit_output(#name(__nakama_ctx, __nakama_nk, __nakama_init).await).map(|_| ())
                    })
                }
            }
            #rt::inventory::submit! {
                #rt::DeclaredInit {
                    function: ::core::concat!(::core::module_path!(), #function),
                    package: ::core::env!("CARGO_PKG_NAME"),
                    handler: &__NakamaInitHandler,
                }
            }
        };
    })
}
