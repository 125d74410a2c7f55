//! Coming from Nakama's Go runtime: where each part of a Go module is in
//! this SDK. (Documentation only; every name below is a link that
//! `cargo doc` checks.)
//!
//! The shape is the same: an init function registers handlers, handlers
//! get a context and the nk API, errors carry gRPC codes. What changes:
//! handlers are plain `async fn`s registered by attribute, payloads and
//! results are typed (serde), a match's state is its own type, and a
//! module is a `cdylib` that any host of a compatible ABI loads, whatever
//! Go version or dependencies the server was built with.
//!
//! # The module and its registrations
//!
//! | Go (`runtime` package of nakama-common) | Rust |
//! |---|---|
//! | `func InitModule(ctx, logger, db, nk, initializer) error` | [`#[init_module]`](crate::init_module) `async fn init(ctx: &Context, nk: &Nakama, init: &mut Initializer) -> Result<(), Error>`; optional |
//! | `initializer.RegisterRpc("id", fn)`, `fn(ctx, logger, db, nk, payload string) (string, error)` | [`#[rpc]`](crate::rpc) on `async fn(ctx: &Context, nk: &Nakama, req: T) -> Result<R, E>`: `T` and `R` any serde type (or `String` and `Vec<u8>` for the raw bytes, `Proto<T>` with the `prost` feature); ids chosen at run time: [`Initializer::register_rpc`] |
//! | `RegisterBeforeAuthenticateCustom(fn)` (one method per API call) | [`#[before_hook(AuthenticateCustom)]`](crate::before_hook); answer `Ok(None)` where Go returns `nil, nil` to drop the call |
//! | `RegisterAfterWriteStorageObjects(fn)` | [`#[after_hook(WriteStorageObjects)]`](crate::after_hook) |
//! | `RegisterBeforeRt("ChannelJoin", fn)`, `RegisterAfterRt(..)` | [`#[before_rt(ChannelJoin)]`](crate::before_rt), [`#[after_rt(..)]`](crate::after_rt), with the message typed ([`rtapi`](crate::rtapi)) |
//! | `RegisterMatch("arena", fn)` | [`Initializer::register_match`]`::<Arena>("arena")` |
//! | `RegisterMatchmakerMatched`, `RegisterMatchmakerOverride`, `RegisterMatchmakerProcessor` | [`Initializer::register_matchmaker_matched`], [`Initializer::register_matchmaker_override`], [`Initializer::register_matchmaker_processor`] |
//! | `RegisterEvent`, `RegisterEventSessionStart`, `RegisterEventSessionEnd` | [`Initializer::register_event`], [`Initializer::register_event_session_start`], [`Initializer::register_event_session_end`] |
//! | `RegisterTournamentEnd`, `RegisterTournamentReset`, `RegisterLeaderboardReset` | [`Initializer::register_tournament_end`], [`Initializer::register_tournament_reset`], [`Initializer::register_leaderboard_reset`] |
//! | `RegisterHttp(path, handler, methods...)` | [`Initializer::register_http`] ([`Initializer::register_console_http`] on the console's port) |
//! | `RegisterShutdown` | [`Initializer::register_shutdown`] |
//! | `RegisterPurchaseNotificationApple`, `RegisterSubscriptionNotificationApple`, `RegisterPurchaseNotificationGoogle`, `RegisterSubscriptionNotificationGoogle` | [`Initializer::register_purchase_notification_apple`] and the three others, with a [`PurchaseNotification`](crate::store_notification::PurchaseNotification) or [`SubscriptionNotification`](crate::store_notification::SubscriptionNotification) (the store's payload as JSON) |
//! | `RegisterStorageIndex`, `RegisterStorageIndexFilter` | [`Initializer::register_storage_index`], [`Initializer::register_storage_index_filter`] |
//! | `RegisterFleetManager(fm)`, `fm.Init(nk, callbackHandler)`, `callbackHandler.InvokeCallback(id, ..)` | [`Initializer::register_fleet_manager`] with a [`FleetManagerHandler`](crate::FleetManagerHandler); `create` gets the callback id in its request, [`FleetManager::invoke_callback`](crate::FleetManager::invoke_callback) calls back |
//!
//! # Context, logger, errors
//!
//! | Go | Rust |
//! |---|---|
//! | `ctx.Value(runtime.RUNTIME_CTX_USER_ID).(string)` (a type assertion per key) | [`Context::user_id`] (`Option<&str>`), and [`Context::username`], [`Context::session_id`], [`Context::vars`], [`Context::env`], [`Context::execution_mode`], [`Context::headers`], [`Context::query_params`], [`Context::client_ip`], ... |
//! | `logger.WithField("k", v).Info("msg")` | [`Context::logger`]`().with_field("k", v).info("msg")`, or the [`tracing`] and [`log`] macros; every line has the caller's `file:line` |
//! | `runtime.NewError("msg", 3)` | [`Error::new`]`(Code::InvalidArgument, "msg")`, or an enum with [`#[derive(RuntimeError)]`](crate::RuntimeError) naming each error's [`Code`] and message |
//! | an nk call's error, often only a message | an [`Error`] with its [`Code`], kept through `?` to the client |
//! | a panic: the server process ends | the call answers `INTERNAL` and is logged; a match whose handler panics ends alone |
//!
//! # The nk API
//!
//! [`Nakama`] has the nk functions under their Go names in snake case:
//! `nk.AccountGetId(ctx, id)` is [`Nakama::account_get_id`]`(id)`,
//! `nk.StorageWrite(ctx, writes)` is [`Nakama::storage_write`]`(&writes)`
//! (the call's context travels with `nk`); `nk.GetSatori().FlagsList(ctx,
//! id, names, labels)` is [`Nakama::satori`]`().flags_list(id, &names,
//! &labels)` and `nk.GetFleetManager().Join(ctx, id, users, md)`
//! [`Nakama::fleet_manager`]`().join(id, &users, md)`. Arguments are typed structs
//! ([`nk`](crate::nk)) where Go takes many positional ones. An nk function
//! a host does not have answers `UNIMPLEMENTED` naming it. Storage values
//! need no `json.Marshal`/`json.Unmarshal`:
//! `StorageWriteOp::new("guilds", name).json(&guild)?` ([`WriteJson`])
//! and `object.value_as::<Guild>()?` ([`ReadJson`]).
//!
//! Where a Go module calls another web service with `net/http`,
//! [`Nakama::http_request`] sends the request from the host (as the
//! JavaScript and Lua runtimes' `httpRequest`): a module needs no HTTP
//! client or async runtime of its own.
//!
//! `initializer.GetConfig()` is [`Nakama::config`]`()`, a plain struct
//! ([`nk::ServerConfig`](crate::nk::ServerConfig)) with no getter per
//! setting, readable from any handler as well as from init.
//!
//! There is no `db *sql.DB`: a module reads and writes through the nk
//! functions ([`Nakama::storage_read`], [`Nakama::multi_update`] for
//! several changes in one transaction, storage indexes for queries), so
//! the same file runs on the dev host's SQLite and on Nakama's
//! PostgreSQL.
//!
//! # Matches
//!
//! | Go (`runtime.Match`) | Rust ([`Match`]) |
//! |---|---|
//! | `MatchInit(..) (interface{}, int, string)` | [`Match::init`] answering [`MatchInit::new`]`(state, tick_rate).label(..)`; the state is `Self`, no type assertions |
//! | `MatchJoinAttempt(..) (interface{}, bool, string)` | [`Match::join_attempt`] answering [`JoinDecision`] |
//! | `MatchJoin`, `MatchLeave` | [`Match::join`], [`Match::leave`] (each [`Presence`] with its [`PresenceReason`]) |
//! | `MatchLoop(.., tick, state, messages)` | [`Match::tick`]`(&mut self, ..)`; the tick number is [`Dispatcher::tick`] |
//! | returning a `nil` state to end the match | [`Dispatcher::stop`] |
//! | `MatchTerminate`, `MatchSignal` | [`Match::terminate`], [`Match::signal`]; typed signals with their caller: [`matches::Signal`](crate::matches::Signal) and [`Nakama::match_signal_typed`] |
//! | `dispatcher.BroadcastMessage(op, data, presences, sender, reliable)` | [`Dispatcher::broadcast`], [`Dispatcher::send_to`], [`Dispatcher::broadcast_from`], or [`Dispatcher::send`] with a [`matches::Message`](crate::matches::Message) for every option |
//! | `BroadcastMessageDeferred` | [`Dispatcher::send`] with `deferred: true` |
//! | `MatchKick`, `MatchLabelUpdate` | [`Dispatcher::kick`], [`Dispatcher::set_label`] |
//! | op codes and `json.Unmarshal` of each message's data | [`#[derive(MatchMessage)]`](crate::MatchMessage) on an enum, `#[op(N)]` per variant |
//!
//! # Building, testing, running
//!
//! | Go | Rust |
//! |---|---|
//! | `go build -buildmode=plugin` with the server's exact Go version and dependency versions | `cargo build --release`, any Rust 1.85 or later; the module records its ABI version and hosts check it at load |
//! | a mock of `NakamaModule` by hand, or Docker with PostgreSQL | `cargo test` with `nakama-test-host`: the real nk functions on an in-memory SQLite |
//! | restart the server for each change | the dev host's `runtime.reload`: new builds load beside the old ones; matches can carry their state over ([`MatchRegistration::keep_state_on_reload`]) |
//! | the plugin `.so` in Nakama's `runtime.path` | the same `.so` on the dev host, or in Nakama through the bridge plugin (`bridge/README.md`) |

// What the links above name.
#[allow(unused_imports)]
use crate::{
    Code, Context, Dispatcher, Error, Initializer, JoinDecision, Match, MatchInit,
    MatchRegistration, Nakama, Presence, PresenceReason, ReadJson, WriteJson,
};
