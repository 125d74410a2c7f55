//! The types that cross the boundary between a module and its host.
//!
//! Two exported symbols make a module:
//!
//! 1. [`MODULE_HEADER_SYMBOL`]: a plain `#[repr(C)]` [`ModuleHeader`] with a
//!    magic tag and the ABI version. The loader reads it *before* anything
//!    else, so a module of another ABI major is refused with a clear message
//!    even if every other type changed shape.
//! 2. abi_stable's root module, [`ModuleRoot`]: a prefix type whose layout
//!    abi_stable checks field by field when it is loaded.
//!
//! The host hands the module a [`HostHandle`] (an opaque pointer plus a
//! prefix-type vtable, [`HostVTable`]) on every call. It is valid for the
//! duration of that call only.

#![allow(non_camel_case_types)] // abi_stable names prefix references `X_Ref`

use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    package_version_strings,
    sabi_types::VersionStrings,
    std_types::{ROption, RResult, RSlice, RStr, RString, RVec},
    StableAbi,
};
use async_ffi::{BorrowingFfiFuture, FfiFuture};

use crate::Code;

/// Name of the exported [`ModuleHeader`] static.
pub const MODULE_HEADER_SYMBOL: &[u8] = b"NAKAMA_RUST_MODULE_HEADER\0";

/// Magic tag at the start of [`ModuleHeader`].
pub const MODULE_MAGIC: [u8; 8] = *b"NKRSMOD\0";

/// A `'static` string in a plain C layout (used only in [`ModuleHeader`],
/// which must stay readable across every ABI version).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct StaticStr {
    pub ptr: *const u8,
    pub len: usize,
}

// SAFETY: a StaticStr only ever points at a `&'static str`.
unsafe impl Sync for StaticStr {}
unsafe impl Send for StaticStr {}

impl StaticStr {
    pub const fn new(s: &'static str) -> Self {
        StaticStr {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    /// # Safety
    /// `self` must have been built by [`StaticStr::new`] in a library that
    /// is still loaded.
    pub unsafe fn as_str(&self) -> &str {
        let bytes = std::slice::from_raw_parts(self.ptr, self.len);
        std::str::from_utf8(bytes).unwrap_or("<invalid utf-8>")
    }
}

/// The first thing a loader reads from a module. Its layout never changes:
/// new information goes into [`ModuleRoot`].
#[repr(C)]
pub struct ModuleHeader {
    pub magic: [u8; 8],
    pub abi_major: u32,
    pub abi_minor: u32,
    /// Version of the `nakama-runtime` crate the module was built with.
    pub sdk_version: StaticStr,
    /// Version of rustc that built the module (informative).
    pub rustc_version: StaticStr,
}

/// An error crossing the boundary: a gRPC code and a message.
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct FfiError {
    pub code: u32,
    pub message: RString,
}

impl FfiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        FfiError {
            code: code.as_u32(),
            message: RString::from(message.into()),
        }
    }
}

/// The answer of a handler or host function: encoded bytes or an error.
pub type FfiResult = RResult<RVec<u8>, FfiError>;

/// What a registration is. Plain numbers rather than an enum so that later
/// versions can add kinds (match handlers, events...) without breaking the
/// layout; a host ignores kinds it does not know.
pub mod kind {
    pub const RPC: u8 = 1;
    pub const BEFORE_HOOK: u8 = 2;
    pub const AFTER_HOOK: u8 = 3;
    /// ABI 1.4: an authoritative match handler, by name (see
    /// [`crate::matches`]).
    pub const MATCH: u8 = 4;
    /// ABI 1.5: the matchmaker's matched hook (see [`crate::matchmaker`]);
    /// its id is empty, and a host takes one per process.
    pub const MATCHMAKER_MATCHED: u8 = 5;
    /// ABI 1.6: a hook before a realtime message (see [`crate::rtapi`]),
    /// by message name (`ChannelJoin`).
    pub const BEFORE_RT: u8 = 6;
    /// ABI 1.6: a hook after a realtime message was handled.
    pub const AFTER_RT: u8 = 7;
    /// ABI 1.7: a handler of events (see [`crate::api::Event`]): those
    /// clients send (`POST /v2/event`) and those modules publish
    /// (`event` nk function). Its id is empty; every one registered runs,
    /// as with Nakama's `RegisterEvent`. Its answer is empty.
    pub const EVENT: u8 = 8;
    /// ABI 1.7: called after a realtime session (socket) starts, with
    /// event `session_start` and the session's context
    /// (`RegisterEventSessionStart`).
    pub const EVENT_SESSION_START: u8 = 9;
    /// ABI 1.7: called after a realtime session ends, with event
    /// `session_end` and its `reason` property
    /// (`RegisterEventSessionEnd`).
    pub const EVENT_SESSION_END: u8 = 10;
    /// ABI 1.7: called when a tournament's period stops taking scores
    /// (`RegisterTournamentEnd`); one per process, its id
    /// [`crate::mode::TOURNAMENT_END`] (see [`crate::scheduler`]).
    pub const TOURNAMENT_END: u8 = 11;
    /// ABI 1.7: called when a tournament's records expire
    /// (`RegisterTournamentReset`).
    pub const TOURNAMENT_RESET: u8 = 12;
    /// ABI 1.7: called when a leaderboard resets
    /// (`RegisterLeaderboardReset`).
    pub const LEADERBOARD_RESET: u8 = 13;
    /// ABI 1.8: a custom HTTP handler on the client API's port
    /// (`RegisterHttp`), its id the methods and path pattern (see
    /// [`crate::http`]); input an [`crate::http::HttpRequest`], output an
    /// [`crate::http::HttpResponse`]. Every one registered is routed, in
    /// load order.
    pub const HTTP: u8 = 14;
    /// ABI 1.8: called once when the server stops on a termination signal,
    /// within `shutdown_grace_sec` (`RegisterShutdown`); one per process,
    /// its id empty; input and output empty.
    pub const SHUTDOWN: u8 = 15;
    /// ABI 1.9: a storage search index (`RegisterStorageIndex`) or its
    /// filter (`RegisterStorageIndexFilter`), its id the JSON of a
    /// [`crate::storage_index::Registration`]. An index's handler is never
    /// called; a filter's input is a [`crate::nk::StorageWriteOp`], its
    /// output `true` or `false`.
    pub const STORAGE_INDEX: u8 = 16;
    /// ABI 1.9: chooses which of the matchmaker's candidate groups form
    /// (`RegisterMatchmakerOverride`); one per process, its id
    /// [`crate::mode::MATCHMAKER_OVERRIDE`] (see [`crate::matchmaker`]).
    pub const MATCHMAKER_OVERRIDE: u8 = 17;
    /// ABI 1.9: replaces the matchmaker's grouping: every ticket's entries
    /// in, the groups to form out (`RegisterMatchmakerProcessor`); one per
    /// process, its id [`crate::mode::MATCHMAKER_PROCESSOR`].
    pub const MATCHMAKER_PROCESSOR: u8 = 18;
    /// ABI 1.10: a custom HTTP handler on the console's port
    /// (`RegisterConsoleHttp`), as [`HTTP`] otherwise: the same id, input
    /// and output.
    pub const CONSOLE_HTTP: u8 = 19;
    /// ABI 1.12: one function of a fleet manager (`RegisterFleetManager`),
    /// its id the function's name ([`crate::fleet_manager::op`]); one
    /// fleet manager per process (see [`crate::fleet_manager`]).
    pub const FLEET_MANAGER: u8 = 20;
    /// ABI 1.13: called when the App Store tells Nakama of a purchase
    /// (`RegisterPurchaseNotificationApple`); one per process, its id
    /// [`crate::mode::PURCHASE_NOTIFICATION_APPLE`], input a
    /// [`crate::store_notification::PurchaseNotification`] (see
    /// [`crate::store_notification`]).
    pub const PURCHASE_NOTIFICATION_APPLE: u8 = 21;
    /// ABI 1.13: the App Store's subscription notifications
    /// (`RegisterSubscriptionNotificationApple`), input a
    /// [`crate::store_notification::SubscriptionNotification`].
    pub const SUBSCRIPTION_NOTIFICATION_APPLE: u8 = 22;
    /// ABI 1.13: Google Play's purchase notifications
    /// (`RegisterPurchaseNotificationGoogle`).
    pub const PURCHASE_NOTIFICATION_GOOGLE: u8 = 23;
    /// ABI 1.13: Google Play's subscription notifications
    /// (`RegisterSubscriptionNotificationGoogle`).
    pub const SUBSCRIPTION_NOTIFICATION_GOOGLE: u8 = 24;
}

/// One handler the module offers.
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct Registration {
    /// One of [`kind`].
    pub kind: u8,
    /// RPC id (lower-cased), hook name as written in the SDK
    /// (`AuthenticateCustom`), or match handler name.
    pub id: RString,
    /// Index to pass to [`ModuleRoot::call`].
    pub handler: u32,
    /// The Rust function behind it (`guild::create_guild`), for logs.
    pub function: RString,
}

/// What a module says about itself.
#[repr(C)]
#[derive(StableAbi, Debug, Clone)]
pub struct ModuleInfo {
    /// The module's package name.
    pub name: RString,
    pub sdk_version: RString,
    pub registrations: RVec<Registration>,
}

/// Log levels for [`HostVTable::log`].
pub mod level {
    pub const DEBUG: u8 = 1;
    pub const INFO: u8 = 2;
    pub const WARN: u8 = 3;
    pub const ERROR: u8 = 4;
}

/// Functions the host offers to a module.
///
/// A prefix type: a newer host appends fields after the last one, and a
/// module built against an older ABI simply does not see them.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = HostVTable_Ref)))]
#[sabi(missing_field(panic))]
pub struct HostVTable {
    /// Write one log line. `caller` is `file:line` in the module, `fields`
    /// a JSON object (possibly empty string for none).
    pub log:
        extern "C" fn(data: usize, level: u8, caller: RStr<'_>, msg: RStr<'_>, fields: RStr<'_>),
    /// Call an nk function by name with JSON-encoded arguments; answers
    /// JSON. An unknown name answers `UNIMPLEMENTED` naming the function.
    /// One generic entry point keeps adding a function a change to the
    /// function table on each side, never to this layout.
    #[sabi(last_prefix_field)]
    pub nk_call:
        extern "C" fn(data: usize, function: RStr<'_>, args: RVec<u8>) -> FfiFuture<FfiResult>,
    /// ABI 1.1. The call's headers and query params, as the JSON object
    /// `{"headers":{..},"query_params":{..}}` (empty string: none), for a
    /// module that finds both empty in its [`FfiContext`]: a host may
    /// leave them out there for modules of ABI 1.1 or later, so that a
    /// call whose handler never reads them does not encode them. Hosts
    /// always fill them in for older modules, which do not know this.
    #[sabi(missing_field(option))]
    pub context_maps: extern "C" fn(data: usize) -> RString,
    /// ABI 1.2. The per-call part of the call's context, as a
    /// [`crate::ContextData`] JSON object, for a module whose
    /// [`FfiContext`] is [`CONTEXT_ON_DEMAND`]: of the answer the module
    /// uses user_id, username, vars, user_session_exp, session_id, lang,
    /// client_ip, client_port, trace_id, headers and query_params (the
    /// other keys stay those of its `FfiContext`). A host may send such a
    /// context to modules of ABI 1.2 or later, so that a call whose
    /// handler reads none of it does not gather it.
    #[sabi(missing_field(option))]
    pub call_context: extern "C" fn(data: usize) -> RString,
    /// ABI 1.3. The `data` of a handle (with this same vtable) for work
    /// outside any call: threads and tasks of the module's own that outlive
    /// the call that started them. It stays valid as long as the module is
    /// loaded; its log lines and nk calls go to the host as the module's
    /// init's do (execution mode `run_once`, the init context); once the
    /// host has stopped, nk calls may answer `UNAVAILABLE`. Any handle of
    /// the module answers the same one; 0 means the host has none.
    #[sabi(missing_field(option))]
    pub background: extern "C" fn(data: usize) -> usize,
}

/// An opaque host pointer plus the host's functions.
///
/// `data` is only meaningful to the host; the module passes it back.
#[repr(C)]
#[derive(StableAbi, Clone, Copy)]
pub struct HostHandle {
    pub data: usize,
    pub vtable: HostVTable_Ref,
}

/// The root module every Nakama Rust module exports.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ModuleRoot_Ref)))]
#[sabi(missing_field(panic))]
pub struct ModuleRoot {
    pub abi_major: u32,
    pub abi_minor: u32,
    /// Name, SDK version and the handlers declared with attributes.
    pub info: extern "C" fn() -> ModuleInfo,
    /// Run `#[init_module]` (if any). Answers every registration: declared
    /// ones plus those made through the `Initializer`.
    pub init: for<'a> extern "C" fn(
        host: HostHandle,
        ctx: &'a FfiContext<'a>,
    ) -> BorrowingFfiFuture<'a, RResult<ModuleInfo, FfiError>>,
    /// Call handler number `handler` with the call's context and its
    /// encoded input (see the crate docs for the encoding per kind). Both
    /// are borrowed until the returned future completes or is dropped.
    #[sabi(last_prefix_field)]
    pub call: for<'a> extern "C" fn(
        handler: u32,
        host: HostHandle,
        ctx: &'a FfiContext<'a>,
        input: RSlice<'a, u8>,
    ) -> BorrowingFfiFuture<'a, FfiResult>,
    /// ABI 1.11. Whether the module was built to unwind on a panic (Rust's
    /// default, `panic = "unwind"`): only then does it catch a handler's
    /// panic and answer `INTERNAL`. Hosts refuse a module built with
    /// `panic = "abort"`, whose first panic would end the host's process.
    /// Modules of older minors do not say, and load as before.
    #[sabi(missing_field(option))]
    pub panic_unwinds: bool,
}

/// The runtime context of one call, borrowed from the host for the call.
///
/// Scalars cross as strings, so reading `user_id` costs nothing; the four
/// maps cross as JSON objects (empty string when empty), decoded by the
/// module only if it reads them. Since ABI 1.1 a host may leave headers
/// and query params empty and answer them through
/// [`HostVTable::context_maps`] when the module reads them. Since ABI 1.2
/// a host may also leave out everything a call has of its own (all but
/// execution mode, node, version and env), with `extra_json` set to
/// [`CONTEXT_ON_DEMAND`], and answer it through
/// [`HostVTable::call_context`]. Context keys added in a later minor go into
/// `extra_json` (a JSON object), so this layout stays fixed within a major.
#[repr(C)]
#[derive(StableAbi, Clone, Copy)]
pub struct FfiContext<'a> {
    pub execution_mode: RStr<'a>,
    pub node: RStr<'a>,
    pub version: RStr<'a>,
    pub user_id: ROption<RStr<'a>>,
    pub username: ROption<RStr<'a>>,
    pub user_session_exp: ROption<i64>,
    pub session_id: ROption<RStr<'a>>,
    pub lang: ROption<RStr<'a>>,
    pub client_ip: ROption<RStr<'a>>,
    pub client_port: ROption<RStr<'a>>,
    pub trace_id: ROption<RStr<'a>>,
    pub env_json: RStr<'a>,
    pub headers_json: RStr<'a>,
    pub query_params_json: RStr<'a>,
    /// `None`: the session has no vars (or there is no session).
    pub vars_json: ROption<RStr<'a>>,
    /// Reserved for context keys of later minors; empty today.
    pub extra_json: RStr<'a>,
}

/// The `extra_json` of an [`FfiContext`] whose per-call part the module
/// must ask for ([`HostVTable::call_context`], ABI 1.2).
pub const CONTEXT_ON_DEMAND: &str = r#"{"on_demand":true}"#;

impl RootModule for ModuleRoot_Ref {
    declare_root_module_statics! {ModuleRoot_Ref}
    const BASE_NAME: &'static str = "nakama_rust_module";
    const NAME: &'static str = "nakama_rust_module";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}
