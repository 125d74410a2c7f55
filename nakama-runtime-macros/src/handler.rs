//! Expansion of `#[rpc]`, `#[before_hook]`, `#[after_hook]`,
//! `#[before_rt]`, `#[after_rt]` and `#[init_module]`.
//!
//! Each keeps the function as written and adds, inside `const _: () = {..}`,
//! a unit type implementing the runtime's `Handler` trait (decode input,
//! call the function, encode output) and an `inventory` registration. Type
//! checks are spanned at the user's types so errors point there.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Ident, ItemFn, Type};

use crate::args;
use crate::describe;
use crate::hook_table::{After, HookInfo};
use crate::signature::{self, span_of, Errors};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Rpc,
    Before,
    After,
    BeforeRt,
    AfterRt,
    Init,
}

impl Kind {
    fn attr(self) -> &'static str {
        match self {
            Kind::Rpc => "rpc",
            Kind::Before => "before_hook",
            Kind::After => "after_hook",
            Kind::BeforeRt => "before_rt",
            Kind::AfterRt => "after_rt",
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
        Kind::Before | Kind::BeforeRt => {
            let (info, ident) = args::parse_hook(kind.attr(), hooks(kind), args)?;
            expand_before(f, kind, info, &ident)
        }
        Kind::After | Kind::AfterRt => {
            let (info, ident) = args::parse_hook(kind.attr(), hooks(kind), args)?;
            expand_after(f, kind, info, &ident)
        }
        Kind::Init => {
            args::parse_none("init_module", args)?;
            expand_init(f)
        }
    }
}

/// What a hook attribute hooks.
fn hooks(kind: Kind) -> &'static args::Hooked {
    match kind {
        Kind::BeforeRt | Kind::AfterRt => &args::RT_MESSAGES,
        _ => &args::API_CALLS,
    }
}

/// A hook's marker type (implementing the runtime's `Hook`) and its
/// registration kind.
fn hook_marker(kind: Kind, ident: &Ident) -> (TokenStream, &'static str) {
    match kind {
        Kind::BeforeRt => (quote!(::nakama_runtime::rtapi::hook::#ident), "BEFORE_RT"),
        Kind::AfterRt => (quote!(::nakama_runtime::rtapi::hook::#ident), "AFTER_RT"),
        Kind::After => (quote!(::nakama_runtime::hooks::hook::#ident), "AFTER_HOOK"),
        _ => (quote!(::nakama_runtime::hooks::hook::#ident), "BEFORE_HOOK"),
    }
}

/// What the signatures in error messages call the hooked input.
fn input_name(kind: Kind) -> &'static str {
    match kind {
        Kind::BeforeRt | Kind::AfterRt => "msg",
        _ => "req",
    }
}

/// The call's `ctx` and `nk` arguments, cast to the user's declared types
/// through traits spanned at those types: a wrong type is one error, at the
/// user's type, saying what is expected.
fn ctx_nk_args(types: &[Type]) -> (TokenStream, TokenStream) {
    let rt = rt();
    let (c, n) = (&types[0], &types[1]);
    (
        quote_spanned!(span_of(types, 0)=> <#c as #rt::IsContext<'__a>>::cast(__nakama_ctx)),
        quote_spanned!(span_of(types, 1)=> <#n as #rt::IsNakama<'__a>>::cast(__nakama_nk)),
    )
}

/// Converts the handler's error, spanned at its declared error type.
fn into_error(err: &Option<Type>) -> TokenStream {
    let rt = rt();
    match err {
        Some(e) => {
            quote_spanned!(syn::spanned::Spanned::span(e)=> <#e as #rt::IntoError>::into_error)
        }
        None => quote!(#rt::IntoError::into_error),
    }
}

/// The handler type and its registration.
fn glue(f: &ItemFn, kind_const: &str, id: &str, body: TokenStream) -> TokenStream {
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
                ) -> impl ::core::future::Future<
                    Output = ::core::result::Result<::std::vec::Vec<u8>, ::nakama_runtime::Error>,
                > + ::core::marker::Send + '__a {
                    async move { #body }
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
    let (ctx, nk) = ctx_nk_args(&types);
    let payload_ty = &types[2];
    let decode = if signature::is_raw(payload_ty) {
        quote_spanned!(span_of(&types, 2)=> #rt::raw_input::<#payload_ty>(__nakama_input)?)
    } else {
        quote_spanned!(span_of(&types, 2)=> <#payload_ty as #rt::Payload>::decode(__nakama_input)?)
    };
    let encode = if signature::is_raw(&ok) {
        quote!(#rt::RpcOutput::into_payload)
    } else {
        quote_spanned!(syn::spanned::Spanned::span(&ok)=> <#ok as #rt::Reply>::encode)
    };
    let into_error = into_error(&err);
    let body = quote! {
        let __nakama_payload = #decode;
        match #name(#ctx, #nk, __nakama_payload).await {
            ::core::result::Result::Ok(v) => #encode(v),
            ::core::result::Result::Err(e) => ::core::result::Result::Err(#into_error(e)),
        }
    };
    let described = describe::rpc(f, id, payload_ty, &ok, err.as_ref());
    let glue = glue(f, "RPC", id, body);
    Ok(quote!(#glue #described))
}

/// The cast of hook argument `i` from the hook's own type `assoc`, spanned
/// at the user's type.
fn hook_arg(
    types: &[Type],
    i: usize,
    hook: &TokenStream,
    assoc: &str,
    value: TokenStream,
) -> TokenStream {
    let rt = rt();
    let assoc = Ident::new(assoc, Span::call_site());
    let t = &types[i];
    quote_spanned!(span_of(types, i)=>
        <#t as #rt::SameType<<#hook as #rt::Hook>::#assoc>>::from_target(#value))
}

fn expand_before(
    f: &ItemFn,
    kind: Kind,
    info: &HookInfo,
    ident: &Ident,
) -> syn::Result<TokenStream> {
    let rt = rt();
    let (hook, kind_const) = hook_marker(kind, ident);
    let name = &f.sig.ident;
    let (arity, expected) = if info.before_input {
        (
            3,
            format!(
                "async fn(ctx: &Context, nk: &Nakama, {1}: {0}) -> Result<Option<{0}>, E>",
                info.request,
                input_name(kind)
            ),
        )
    } else {
        (
            2,
            "async fn(ctx: &Context, nk: &Nakama) -> Result<(), E>".to_string(),
        )
    };
    let mut errors = Errors::default();
    let types = signature::check(f, kind.attr(), arity, &expected, &mut errors);
    let result = signature::result_types(f, kind.attr(), &expected);
    errors.finish()?;
    let (_, err) = result?;
    let (ctx, nk) = ctx_nk_args(&types);
    let into_error = into_error(&err);
    let body = if info.before_input {
        let req = hook_arg(
            &types,
            2,
            &hook,
            "Request",
            quote!(#rt::hook_request::<#hook>(__nakama_input)?),
        );
        quote! {
            let __nakama_req = #req;
            let __nakama_out = #name(#ctx, #nk, __nakama_req).await.map_err(#into_error);
            #rt::before_output::<#hook, _>(__nakama_out)
        }
    } else {
        quote! {
            let _ = __nakama_input;
            #name(#ctx, #nk).await.map(|()| ::std::vec::Vec::new()).map_err(#into_error)
        }
    };
    Ok(glue(f, kind_const, info.name, body))
}

fn expand_after(
    f: &ItemFn,
    kind: Kind,
    info: &HookInfo,
    ident: &Ident,
) -> syn::Result<TokenStream> {
    let rt = rt();
    let (hook, kind_const) = hook_marker(kind, ident);
    let name = &f.sig.ident;
    let (extra, expected): (&[(&str, &str)], String) = match info.after {
        After::OutAndIn => (
            &[("Response", "out"), ("Request", "req")],
            format!(
                "async fn(ctx: &Context, nk: &Nakama, out: {}, {}: {}) -> Result<(), E>",
                info.response,
                input_name(kind),
                info.request
            ),
        ),
        After::InOnly => (
            &[("Request", "req")],
            format!(
                "async fn(ctx: &Context, nk: &Nakama, {}: {}) -> Result<(), E>",
                input_name(kind),
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
    let types = signature::check(f, kind.attr(), 2 + extra.len(), &expected, &mut errors);
    let result = signature::result_types(f, kind.attr(), &expected);
    errors.finish()?;
    let (_, err) = result?;
    let (ctx, nk) = ctx_nk_args(&types);
    let into_error = into_error(&err);
    let call_args: Vec<TokenStream> = extra
        .iter()
        .enumerate()
        .map(|(i, (assoc, field))| {
            let field = Ident::new(field, Span::call_site());
            hook_arg(&types, 2 + i, &hook, assoc, quote!(__nakama_args.#field))
        })
        .collect();
    let body = quote! {
        let __nakama_args = #rt::after_input::<#hook>(__nakama_input)?;
        let _ = &__nakama_args;
        #name(#ctx, #nk #(, #call_args)*)
            .await
            .map(|()| ::std::vec::Vec::new())
            .map_err(#into_error)
    };
    Ok(glue(f, kind_const, info.name, body))
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
    let (ctx, nk) = ctx_nk_args(&types);
    let init_ty = &types[2];
    let init = quote_spanned!(span_of(&types, 2)=>
        <#init_ty as #rt::IsInitializer<'__a>>::cast(__nakama_init));
    let into_error = into_error(&err);
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
                    ::std::boxed::Box::pin(async move {
                        #name(#ctx, #nk, #init).await.map_err(#into_error)
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
