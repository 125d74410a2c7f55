//! Write Nakama server modules in Rust.
//!
//! A module is a crate with `crate-type = ["cdylib"]` that depends on
//! `nakama-runtime` (and serde for its own types). Handlers are plain
//! `async fn`s marked with attributes; they are registered when the module
//! loads, with no manual call:
//!
//! ```ignore
//! use nakama_runtime::prelude::*;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, RuntimeError)]
//! enum GuildError {
//!     #[runtime_error(InvalidArgument, "input contained invalid data")]
//!     BadInput,
//!     #[runtime_error(NotFound, "guild {0} not found")]
//!     NotFound(String),
//! }
//!
//! #[derive(Deserialize)]
//! struct CreateGuild { name: String }
//! #[derive(Serialize)]
//! struct Guild { name: String, owner: String }
//!
//! #[init_module]
//! async fn init(ctx: &Context, nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
//!     ctx.logger().info("Hello World!");
//!     Ok(())
//! }
//!
//! #[rpc] // id "create_guild"; #[rpc(id = "...")] to choose another
//! async fn create_guild(ctx: &Context, nk: &Nakama, req: CreateGuild) -> Result<Guild, GuildError> {
//!     let owner = ctx.user_id().ok_or(GuildError::BadInput)?.to_string();
//!     Ok(Guild { name: req.name, owner })
//! }
//!
//! #[before_hook(AuthenticateCustom)]
//! async fn check_id(ctx: &Context, nk: &Nakama, req: api::AuthenticateCustomRequest)
//!     -> Result<Option<api::AuthenticateCustomRequest>, GuildError> {
//!     Ok(Some(req)) // Ok(None) drops the call, as a Go hook returning nil does
//! }
//! ```
//!
//! Build it with `cargo build --release` and point a host at the `.so`: the
//! dev host (`nakama-devhost`) or a real Nakama through the bridge. The
//! same file runs on both; it does not need the host's compiler or
//! dependency versions, only a compatible ABI (see `nakama-runtime-abi`).
//! Keep Rust's default `panic = "unwind"`: hosts refuse a module built to
//! abort on panic, which could not turn a panic into an error.
//!
//! Coming from Nakama's Go runtime: [`from_go`] lists where each part of
//! a Go module is here; from its TypeScript or Lua runtime:
//! [`from_typescript`].
//!
//! # Handler signatures
//!
//! | attribute | signature |
//! |---|---|
//! | `#[init_module]` | `async fn(&Context, &Nakama, &mut Initializer) -> Result<(), E>` |
//! | `#[rpc]`, `#[rpc(id = "x")]` | `async fn(&Context, &Nakama, Req) -> Result<Resp, E>` |
//! | `#[before_hook(Call)]` | `async fn(&Context, &Nakama, Request) -> Result<Option<Request>, E>`; for `GetAccount`, `DeleteAccount`, `GetMatchmakerStats`: `async fn(&Context, &Nakama) -> Result<(), E>` |
//! | `#[after_hook(Call)]` | `async fn(&Context, &Nakama, out: Response, req: Request) -> Result<(), E>`, with only the arguments the call has (see [`hooks`]) |
//! | `#[before_rt(Message)]` | `async fn(&Context, &Nakama, msg: rtapi::Message) -> Result<Option<rtapi::Message>, E>` (see [`rtapi`]) |
//! | `#[after_rt(Message)]` | `async fn(&Context, &Nakama, out: Answer, msg: rtapi::Message) -> Result<(), E>`, without `out` for messages answered with nothing |
//!
//! | registered in `#[init_module]` | |
//! |---|---|
//! | `impl Match for T` + `init.register_match::<T>("name")` | authoritative match handlers: see [`matches`](mod@crate::matches) |
//! | `init.register_matchmaker_matched(f)` | `async fn(&Context, &Nakama, Vec<MatchmakerEntry>) -> Result<Option<String>, E>` |
//! | `init.register_matchmaker_override(f)` | `async fn(&Context, &Nakama, Vec<Vec<MatchmakerEntry>>) -> Result<Vec<Vec<MatchmakerEntry>>, E>` |
//! | `init.register_matchmaker_processor(f)` | `async fn(&Context, &Nakama, Vec<MatchmakerEntry>) -> Result<Vec<Vec<MatchmakerEntry>>, E>` |
//! | `init.register_event(f)`, `init.register_event_session_start(f)`, `init.register_event_session_end(f)` | `async fn(&Context, &Nakama, api::Event) -> Result<(), E>` |
//! | `init.register_http("/path/{var}", &["POST"], f)` | `async fn(&Context, &Nakama, HttpRequest) -> Result<HttpResponse, E>` |
//! | `init.register_console_http("/path", &["GET"], f)` | the same, on the console's port |
//! | `init.register_shutdown(f)` | `async fn(&Context, &Nakama) -> Result<(), E>` |
//! | `init.register_storage_index(StorageIndex { .. })?` | (no handler: an index [`Nakama::storage_index_list`] queries) |
//! | `init.register_storage_index_filter("index", f)` | `async fn(&Context, &Nakama, StorageWriteOp) -> bool` |
//! | `init.register_rpc("id", f)` | as `#[rpc]`, with `Json<T>` for typed payloads |
//!
//! [`client::ClientApi`] describes the `#[rpc]`s and `MatchMessage` enums
//! to game clients: a JSON Schema, a TypeScript module for nakama-js, C#
//! for Unity and Nakama .NET, and GDScript for Godot 4.
//!
//! Storage values are typed with [`WriteJson::json`] and
//! [`ReadJson::value_as`]:
//! `StorageWriteOp::new("guilds", name).json(&guild)?` and
//! `object.value_as::<Guild>()?`.
//!
//! `Req` is any `serde::Deserialize` type (decoded from JSON), or `String` /
//! `Vec<u8>` for the raw payload; `Resp` any `serde::Serialize` type
//! (encoded as JSON), or `String` / `Vec<u8>` / `()`. `E` is anything that
//! converts into [`Error`]: derive [`RuntimeError`] on your error enum. A
//! payload that does not decode is answered with `INVALID_ARGUMENT` naming
//! the problem; a handler that panics is answered with `INTERNAL` and the
//! host keeps serving.

pub mod client;
mod context;
mod error;
pub mod fleet_manager;
pub mod from_go;
pub mod from_typescript;
mod initializer;
mod logging;
pub mod matches;
mod nakama;
mod payload;
mod registry;
mod storage;
mod time;

pub use context::{Context, Logger};
pub use error::{Code, Error};
pub use fleet_manager::{FleetCreateOutcome, FleetCreateRequest, FleetManagerHandler};
pub use initializer::{
    Initializer, KeepableState, KeptState, MatchRegistration, OlderState, RpcFn, ShutdownFn,
};
pub use matches::{
    Dispatcher, JoinDecision, Match, MatchData, MatchInit, MatchMessage, MatchParams, Presence,
    PresenceReason,
};
pub use nakama::{FleetManager, Nakama, Satori};
/// A custom HTTP handler's request and answer
/// ([`Initializer::register_http`], ABI 1.8).
pub use nakama_runtime_abi::http::{HttpRequest, HttpResponse};
/// One user the matchmaker matched, as the matched hook gets it
/// ([`Initializer::register_matchmaker_matched`]).
pub use nakama_runtime_abi::matchmaker::MatchmakerEntry;
/// A storage search index's declaration
/// ([`Initializer::register_storage_index`], ABI 1.9).
pub use nakama_runtime_abi::storage_index::StorageIndex;
#[cfg(feature = "prost")]
pub use payload::Proto;
pub use payload::{Json, RpcInput, RpcOutput};
pub use storage::{ReadJson, WriteJson};
pub use time::sleep;

/// Nakama's API messages (requests and responses of the client API).
pub use nakama_runtime_abi::api;

/// The client API calls that can be hooked, with their request/response
/// types and after-hook shapes.
pub use nakama_runtime_abi::hooks;
/// The realtime messages `#[before_rt]` / `#[after_rt]` hooks receive (ABI
/// 1.6).
pub use nakama_runtime_abi::rtapi;

/// The leaderboard scheduler's callbacks' arguments
/// ([`Initializer::register_tournament_end`] and the others).
pub use nakama_runtime_abi::scheduler;

/// What the stores' notification callbacks get (ABI 1.13,
/// [`Initializer::register_purchase_notification_apple`] and the others).
pub use nakama_runtime_abi::store_notification;

/// The nk functions as data, and their argument types.
pub mod nk {
    pub use crate::nakama::{
        StorageDeleteOp, StorageListResult, StorageReadOp, StorageWriteOp, WalletUpdateResult,
    };
    pub use nakama_runtime_abi::nk::*;
}

/// Marks the module's init function, run once when the module loads.
///
/// `async fn(&Context, &Nakama, &mut Initializer) -> Result<(), E>`; at most
/// one per module, and optional. An error stops the host's startup with
/// the module's name and the error, as in Nakama.
#[doc(inline)]
pub use nakama_runtime_macros::init_module;

/// Registers an `async fn` as an RPC; the id is the function name, or
/// `#[rpc(id = "...")]`. Ids are case-insensitive.
#[doc(inline)]
pub use nakama_runtime_macros::rpc;

/// Registers an `async fn` to run before a client API call:
/// `#[before_hook(AuthenticateCustom)]`. Returning `Ok(None)` drops the call
/// (the client gets Nakama's "Requested resource was not found.").
#[doc(inline)]
pub use nakama_runtime_macros::before_hook;

/// Registers an `async fn` to run after a client API call succeeded:
/// `#[after_hook(WriteStorageObjects)]`. Its error is logged, not sent.
#[doc(inline)]
pub use nakama_runtime_macros::after_hook;

/// Hooks a realtime message before the server handles it:
/// `async fn(ctx: &Context, nk: &Nakama, msg: rtapi::ChannelJoin) -> Result<Option<rtapi::ChannelJoin>, E>`.
/// `Ok(Some(msg))` goes on with `msg` (changed or not); `Ok(None)`
/// refuses it as Nakama does for a Go hook answering nil (the client gets
/// `Requested resource was not found.` and its socket closes); an error
/// goes to the client as an `error` message (code 7) and the socket stays
/// open. `Rpc` has no realtime hooks (its RPC is the hook).
#[doc(inline)]
pub use nakama_runtime_macros::before_rt;

/// Runs after the server handled a realtime message successfully:
/// `async fn(ctx: &Context, nk: &Nakama, out: rtapi::Channel, msg: rtapi::ChannelJoin) -> Result<(), E>`,
/// without `out` for messages the server answers with nothing (see
/// `nakama_runtime_abi::nakama_for_each_rt_hook!`). Its error is logged;
/// the client has its answer already.
#[doc(inline)]
pub use nakama_runtime_macros::after_rt;

/// Derives `From<YourError> for Error` and `Display`: every variant carries
/// `#[runtime_error(Code, "message")]`; the message may use the variant's
/// fields (`{0}`, `{name}`).
#[doc(inline)]
pub use nakama_runtime_macros::RuntimeError;

/// `#[derive(MatchMessage)]` on an enum of a match's messages, `#[op(N)]`
/// on each variant: see the [`MatchMessage`](trait@MatchMessage) trait.
pub use nakama_runtime_macros::MatchMessage;

/// The `log` crate: its macros in module code reach the host's log.
pub use log;
/// The `tracing` crate: its events in module code reach the host's log,
/// fields included.
pub use tracing;

/// Version of this crate, recorded in every module.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything a module usually needs.
pub mod prelude {
    pub use crate::nk::{StorageDeleteOp, StorageReadOp, StorageWriteOp};
    #[cfg(feature = "prost")]
    pub use crate::Proto;
    pub use crate::{
        after_hook, after_rt, api, before_hook, before_rt, init_module, nk, rpc, rtapi, Code,
        Context, Dispatcher, Error, HttpRequest, HttpResponse, Initializer, JoinDecision, Json,
        Logger, Match, MatchData, MatchInit, MatchMessage, MatchParams, MatchmakerEntry, Nakama,
        Presence, PresenceReason, ReadJson, RuntimeError, StorageIndex, WriteJson,
    };
}

/// What the macros expand to. Not a public API: names here may change in
/// any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::client::{
        DeclaredField, DeclaredMessage, DeclaredRpc, DeclaredVariant, ErrorCatalog, HasErrors,
        HasSchema, NoErrors, NoSchema, Probe, TypeShape, VariantData,
    };
    pub use crate::matches::{decode_fields, encode_fields, unknown_op_code, MessageData};
    pub use crate::registry::{
        declared_info, dispatch, in_process_root, run_init, BoxFuture, Declared, DeclaredInit,
        FfiHandler, Handler, InitHandler,
    };
    pub use inventory;
    pub use nakama_runtime_abi::ffi::kind;
    pub use nakama_runtime_abi::hooks::{AfterShape, Hook};
    pub use serde;

    use crate::payload::RpcInput;
    pub use crate::payload::RpcOutput;
    use crate::{Error, Json};
    use serde::{de::DeserializeOwned, Serialize};

    /// The first handler argument: `&Context`.
    #[diagnostic::on_unimplemented(
        message = "this argument must be `&Context`",
        label = "expected `&Context` here",
        note = "handlers take `(ctx: &Context, nk: &Nakama, ...)` in this order"
    )]
    pub trait IsContext<'a> {
        fn cast(c: &'a crate::Context) -> Self;
    }
    impl<'a> IsContext<'a> for &'a crate::Context {
        fn cast(c: &'a crate::Context) -> Self {
            c
        }
    }

    /// The second handler argument: `&Nakama`.
    #[diagnostic::on_unimplemented(
        message = "this argument must be `&Nakama`",
        label = "expected `&Nakama` here",
        note = "handlers take `(ctx: &Context, nk: &Nakama, ...)` in this order"
    )]
    pub trait IsNakama<'a> {
        fn cast(n: &'a crate::Nakama) -> Self;
    }
    impl<'a> IsNakama<'a> for &'a crate::Nakama {
        fn cast(n: &'a crate::Nakama) -> Self {
            n
        }
    }

    /// The third argument of `#[init_module]`: `&mut Initializer`.
    #[diagnostic::on_unimplemented(
        message = "this argument must be `&mut Initializer`",
        label = "expected `&mut Initializer` here",
        note = "#[init_module] takes `(ctx: &Context, nk: &Nakama, init: &mut Initializer)`"
    )]
    pub trait IsInitializer<'a> {
        fn cast(i: &'a mut crate::Initializer) -> Self;
    }
    impl<'a> IsInitializer<'a> for &'a mut crate::Initializer {
        fn cast(i: &'a mut crate::Initializer) -> Self {
            i
        }
    }

    /// A JSON payload type.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be decoded as an RPC payload",
        label = "does not implement `serde::Deserialize`",
        note = "an #[rpc] payload is any type that implements `serde::Deserialize` (add `#[derive(Deserialize)]`), or `String` / `Vec<u8>` for the raw payload"
    )]
    pub trait Payload: Sized {
        fn decode(input: &[u8]) -> Result<Self, Error>;
    }
    impl<T: DeserializeOwned> Payload for T {
        fn decode(input: &[u8]) -> Result<Self, Error> {
            crate::payload::decode_json(input)
        }
    }

    /// A JSON result type.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be encoded as an RPC result",
        label = "does not implement `serde::Serialize`",
        note = "an #[rpc] result is any type that implements `serde::Serialize` (add `#[derive(Serialize)]`), or `String` / `Vec<u8>` / `()`"
    )]
    pub trait Reply {
        fn encode(self) -> Result<Vec<u8>, Error>;
    }
    impl<T: Serialize> Reply for T {
        fn encode(self) -> Result<Vec<u8>, Error> {
            Json(self).into_payload()
        }
    }

    /// A handler's error type.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be returned as a handler error",
        label = "does not convert into `nakama_runtime::Error`",
        note = "use `nakama_runtime::Error`, or derive `RuntimeError` on your error enum, or implement `From<{Self}> for nakama_runtime::Error`"
    )]
    pub trait IntoError {
        fn into_error(self) -> Error;
    }
    impl<T: Into<Error>> IntoError for T {
        fn into_error(self) -> Error {
            self.into()
        }
    }

    /// A hook argument: must be the hook's own type.
    #[diagnostic::on_unimplemented(
        message = "this hook takes `{T}` here, not `{Self}`",
        label = "expected `{T}`"
    )]
    pub trait SameType<T> {
        fn from_target(t: T) -> Self;
    }
    impl<T> SameType<T> for T {
        fn from_target(t: T) -> Self {
            t
        }
    }

    /// Decodes a raw payload (`String` / `Vec<u8>`).
    pub fn raw_input<T: RpcInput>(input: &[u8]) -> Result<T, Error> {
        T::from_payload(input.to_vec())
    }

    /// Decodes a JSON payload.
    pub fn json_input<T: DeserializeOwned>(input: &[u8]) -> Result<T, Error> {
        crate::payload::decode_json(input)
    }

    pub fn raw_output<T: RpcOutput, E: IntoError>(r: Result<T, E>) -> Result<Vec<u8>, Error> {
        r.map_err(IntoError::into_error)?.into_payload()
    }

    pub fn json_output<T: Serialize, E: IntoError>(r: Result<T, E>) -> Result<Vec<u8>, Error> {
        Json(r.map_err(IntoError::into_error)?).into_payload()
    }

    /// Decodes what a host sends a before hook.
    pub fn hook_request<H: Hook>(input: &[u8]) -> Result<H::Request, Error> {
        serde_json::from_slice(input).map_err(|e| {
            Error::invalid_argument(format!("{} request could not be decoded: {e}", H::NAME))
        })
    }

    /// Encodes a before hook's answer: the request, or empty for "drop".
    pub fn before_output<H: Hook, U: Serialize>(
        r: Result<Option<U>, Error>,
    ) -> Result<Vec<u8>, Error> {
        match r? {
            Some(req) => serde_json::to_vec(&req).map_err(|e| {
                Error::internal(format!("{} request could not be encoded: {e}", H::NAME))
            }),
            None => Ok(Vec::new()),
        }
    }

    /// What an after hook receives.
    #[derive(serde::Deserialize)]
    #[serde(bound = "")]
    pub struct AfterInput<H: Hook> {
        #[serde(default)]
        pub out: H::Response,
        #[serde(default, rename = "in")]
        pub req: H::Request,
    }

    pub fn after_input<H: Hook>(input: &[u8]) -> Result<AfterInput<H>, Error> {
        serde_json::from_slice(input).map_err(|e| {
            Error::invalid_argument(format!(
                "{} after-hook input could not be decoded: {e}",
                H::NAME
            ))
        })
    }
}
