//! Coming from Nakama's TypeScript (JavaScript) runtime, or its Lua one:
//! where each part of such a module is in this SDK. (Documentation only;
//! every name below is a link that `cargo doc` checks.)
//!
//! The shape is the same: an init function registers handlers, handlers
//! get a context and the nk API, errors carry gRPC codes. What changes:
//! handlers are `async fn`s registered by attribute, payloads and stored
//! values are typed structs instead of `JSON.parse` results, nk calls are
//! awaited and answer `Result`s instead of throwing, and the module is
//! native code with no VM pool: one copy of the module serves every call
//! at once, so its state can be shared (see below).
//!
//! # The module and its registrations
//!
//! | TypeScript (`nkruntime`) | Lua (`nakama` module) | Rust |
//! |---|---|---|
//! | `let InitModule: nkruntime.InitModule = function (ctx, logger, nk, initializer) {..}` | the module file's top level | [`#[init_module]`](crate::init_module) `async fn init(ctx: &Context, nk: &Nakama, init: &mut Initializer) -> Result<(), Error>`; optional |
//! | `initializer.registerRpc('id', fn)`, `fn(ctx, logger, nk, payload: string): string` | `nk.register_rpc(fn, "id")` | [`#[rpc]`](crate::rpc) on `async fn(ctx: &Context, nk: &Nakama, req: T) -> Result<R, E>`: `T` and `R` any serde type, decoded and encoded for you (`String` for the raw payload) |
//! | `initializer.registerBeforeAuthenticateCustom(fn)`: return the request, or `null` to stop the call | `nk.register_req_before(fn, "AuthenticateCustom")` | [`#[before_hook(AuthenticateCustom)]`](crate::before_hook): answer `Ok(Some(req))` to go on, `Ok(None)` to stop the call |
//! | `initializer.registerAfterWriteStorageObjects(fn)` | `nk.register_req_after(fn, "WriteStorageObjects")` | [`#[after_hook(WriteStorageObjects)]`](crate::after_hook) |
//! | `initializer.registerRtBefore('ChannelJoin', fn)`, `registerRtAfter` | `nk.register_rt_before(fn, "ChannelJoin")` | [`#[before_rt(ChannelJoin)]`](crate::before_rt), [`#[after_rt(..)]`](crate::after_rt), the message typed ([`rtapi`](crate::rtapi)) |
//! | `initializer.registerMatch('arena', {matchInit, matchJoinAttempt, ..})` | a Lua module answering the match functions, named in `nk.match_create` | [`Initializer::register_match`]`::<Arena>("arena")`, `Arena` a type implementing [`Match`] (below) |
//! | `registerMatchmakerMatched`, `registerTournamentEnd`, `registerTournamentReset`, `registerLeaderboardReset`, `registerShutdown`, `registerStorageIndex`, `registerStorageIndexFilter`, the four `register*Notification*` | the same in snake case | [`Initializer::register_matchmaker_matched`], [`Initializer::register_tournament_end`], [`Initializer::register_tournament_reset`], [`Initializer::register_leaderboard_reset`], [`Initializer::register_shutdown`], [`Initializer::register_storage_index`], [`Initializer::register_storage_index_filter`], [`Initializer::register_purchase_notification_apple`] and the three others |
//! | (Go runtime only) | (Go runtime only) | also here: event handlers ([`Initializer::register_event`]), the matchmaker override and processor, custom HTTP handlers ([`Initializer::register_http`]), fleet managers |
//!
//! A TypeScript module must register functions declared by name at the
//! top level (Nakama finds each one again by name in every VM); here any
//! `async fn` will do, and one module can be split over as many Rust
//! modules and crates as it likes.
//!
//! # Context, logger, errors
//!
//! | TypeScript | Rust |
//! |---|---|
//! | `ctx.userId`, `ctx.username`, `ctx.vars`, `ctx.env`, `ctx.executionMode`, `ctx.headers`, `ctx.queryParams`, `ctx.sessionId`, `ctx.clientIp` (each possibly `undefined`) | [`Context::user_id`] (`Option<&str>`), [`Context::username`], [`Context::vars`], [`Context::env`], [`Context::execution_mode`], [`Context::headers`], [`Context::query_params`], [`Context::session_id`], [`Context::client_ip`] |
//! | `logger.withField('k', v).info('saved %s', name)` | [`Context::logger`]`().with_field("k", v).info(format!("saved {name}"))`, or the [`tracing`] and [`log`] macros; every line has the caller's `file:line` |
//! | `throw { message: 'taken', code: nkruntime.Codes.ALREADY_EXISTS } as nkruntime.Error` (Lua: `error({ "taken", 6 })`) | `return Err(`[`Error::new`]`(Code::AlreadyExists, "taken"))`, or an enum with [`#[derive(RuntimeError)]`](crate::RuntimeError) naming each error's [`Code`] and message |
//! | anything else thrown: `INTERNAL` | a panic: `INTERNAL`, logged, and the host goes on |
//! | an nk function throws; `try`/`catch` to handle it | an nk function answers `Err(`[`Error`]`)` with its [`Code`]; `?` hands it to the client, `match` handles it |
//!
//! # The nk API
//!
//! [`Nakama`] has the nk functions under their names in snake case:
//! `nk.accountGetId(id)` is [`Nakama::account_get_id`]`(id).await`,
//! `nk.walletUpdate(userId, changeset)` is [`Nakama::wallet_update`],
//! `nk.httpRequest(url, 'post', headers, JSON.stringify(score))` is
//! [`Nakama::http_request`]`(&nk::HttpRequestArgs::new("post",
//! url).json(&score)?)` (Lua's `nk.http_request`), its answer's body read
//! with `answer.value_as::<Reply>()?`; `initializer.getConfig()` (Lua's
//! `nk.get_config()`) is [`Nakama::config`]`()`. They are
//! awaited, so a call waiting on the database or another service holds
//! no thread. Arguments are typed structs ([`nk`](crate::nk)) where
//! TypeScript takes objects.
//!
//! Stored values are JSON text, typed when read and written:
//! `nk.storageWrite([{collection, key, userId, value: guild}])` is
//! [`Nakama::storage_write`] with `StorageWriteOp::new("guilds",
//! key).json(&guild)?` ([`WriteJson`]), and a read object's `value` is
//! `object.value_as::<Guild>()?` ([`ReadJson`]) instead of an untyped
//! object. `nk.base64Encode`, `nk.sha256Hash`, `nk.uuidv4` and the other
//! helpers are crates (`base64`, `sha2`, `uuid`, ...).
//!
//! **Shared state.** Nakama runs a TypeScript module in a pool of VMs,
//! each with its own globals, read-only after `InitModule` by default
//! (`runtime.js_read_only_globals`); state shared between calls goes
//! through `nk.localcacheGet` / `localcachePut` or storage. A Rust module
//! is loaded once per host process, so a `static` (a `LazyLock<Mutex<..>>`,
//! an atomic, a `moka` cache) is shared by all its calls on that node;
//! state that must be the same on every node of a cluster still goes
//! through storage.
//!
//! # Matches
//!
//! | TypeScript (`nkruntime.MatchHandler`) | Rust ([`Match`]) |
//! |---|---|
//! | `matchInit` answering `{state, tickRate, label}` | [`Match::init`] answering [`MatchInit::new`]`(state, tick_rate).label(..)`; the state is `Self`, a struct of your own |
//! | `matchJoinAttempt` answering `{state, accept, rejectMessage}` | [`Match::join_attempt`] answering [`JoinDecision`] |
//! | `matchJoin`, `matchLeave` answering `{state}` | [`Match::join`], [`Match::leave`] on `&mut self` (each [`Presence`] with its [`PresenceReason`]) |
//! | `matchLoop(.., tick, state, messages)` answering `{state}`, or `null` to end | [`Match::tick`]`(&mut self, ..)`; [`Dispatcher::stop`] to end; the tick number is [`Dispatcher::tick`] |
//! | `matchTerminate`, `matchSignal` | [`Match::terminate`], [`Match::signal`] |
//! | `dispatcher.broadcastMessage(opCode, data, presences, sender, reliable)` | [`Dispatcher::broadcast`], [`Dispatcher::send_to`], [`Dispatcher::broadcast_from`], or [`Dispatcher::send`] for every option |
//! | `dispatcher.matchKick`, `dispatcher.matchLabelUpdate` | [`Dispatcher::kick`], [`Dispatcher::set_label`] |
//! | `message.opCode` and `JSON.parse(nk.binaryToString(message.data))` | [`#[derive(MatchMessage)]`](crate::MatchMessage) on an enum, `#[op(N)]` per variant: each message arrives decoded |
//!
//! # Building, testing, running
//!
//! | TypeScript | Rust |
//! |---|---|
//! | `tsc` (or a bundler) to one `index.js`, named by `runtime.js_entrypoint` | `cargo build --release`: one `.so` (`.dll` on Windows), any Rust 1.85 or later; hosts check its ABI version at load |
//! | no official test harness; a mock `nk` by hand, or a server in Docker | `cargo test` with `nakama-test-host`: the real nk functions on an in-memory SQLite, stubs for the rest (`stub_nk`, e.g. for [`Nakama::http_request`]) |
//! | restart Nakama for each change | the dev host's `runtime.reload`: new builds load beside the old ones |
//! | `index.js` in Nakama's `runtime.path` | the same `.so` on the dev host, or in Nakama through the bridge plugin (`bridge/README.md`) |
//!
//! Measured in one Nakama with the same three RPCs in each runtime (the
//! repository's `bench/README.md`): the Rust module served 1.7 times the
//! JavaScript module's requests per second on an empty echo, 2.1 times on
//! an RPC that decodes and encodes JSON, and the same on one that waits
//! on storage.

// What the links above name.
#[allow(unused_imports)]
use crate::{
    Code, Context, Dispatcher, Error, Initializer, JoinDecision, Match, MatchInit, Nakama,
    Presence, PresenceReason, ReadJson, WriteJson,
};
