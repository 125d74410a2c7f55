//! The macros of `nakama-runtime`. Use them through that crate
//! (`nakama_runtime::prelude::*`), which documents them; generated code
//! names only `::nakama_runtime::__private`, so a module needs no other
//! dependency.
//!
//! Layout: `args.rs` parses attribute arguments, `signature.rs` checks the
//! annotated function, `handler.rs` expands `#[rpc]`, the hooks (API and
//! realtime) and `#[init_module]`, `runtime_error.rs` and `match_message.rs` the derives,
//! `hook_table.rs` lists the hookable calls, `describe.rs` records RPCs and
//! messages for `nakama_runtime::client`. Every attribute macro re-emits
//! the user's item even when it reports an error, so one mistake does not
//! cascade into others.

use proc_macro::TokenStream;

mod args;
mod describe;
mod handler;
mod hook_table;
mod match_message;
mod runtime_error;
mod signature;

#[proc_macro_attribute]
pub fn rpc(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(handler::Kind::Rpc, args.into(), item.into()).into()
}

#[proc_macro_attribute]
pub fn before_hook(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(handler::Kind::Before, args.into(), item.into()).into()
}

#[proc_macro_attribute]
pub fn after_hook(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(handler::Kind::After, args.into(), item.into()).into()
}

#[proc_macro_attribute]
pub fn before_rt(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(handler::Kind::BeforeRt, args.into(), item.into()).into()
}

#[proc_macro_attribute]
pub fn after_rt(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(handler::Kind::AfterRt, args.into(), item.into()).into()
}

#[proc_macro_attribute]
pub fn init_module(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(handler::Kind::Init, args.into(), item.into()).into()
}

#[proc_macro_derive(MatchMessage, attributes(op, serde))]
pub fn derive_match_message(input: TokenStream) -> TokenStream {
    match_message::expand(input.into()).into()
}

#[proc_macro_derive(RuntimeError, attributes(runtime_error))]
pub fn derive_runtime_error(input: TokenStream) -> TokenStream {
    runtime_error::expand(input.into()).into()
}
