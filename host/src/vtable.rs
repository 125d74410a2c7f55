//! The host side of the ABI: what a module can call back into.
//!
//! Every call into a module gets a [`HostHandle`] whose `data` points at a
//! [`Scope`] owned by the dispatching future. The scope outlives the module
//! future (it is dropped after it), so the pointer is valid whenever the
//! module can use it; nk futures clone what they need and own it. Each
//! module also has one scope for its work outside calls (ABI 1.3), kept
//! for as long as the process runs ([`module_name`]).

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use futures_util::FutureExt as _;
use nakama_runtime_abi::abi_stable::prefix_type::PrefixTypeTrait;
use nakama_runtime_abi::abi_stable::std_types::{ROption, RResult, RStr, RString, RVec};
use nakama_runtime_abi::async_ffi::{FfiFuture, FutureExt as _};
use nakama_runtime_abi::ffi::{
    FfiContext, FfiError, FfiResult, HostHandle, HostVTable, HostVTable_Ref,
};
use nakama_runtime_abi::Code;

use crate::CallError;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a host provides to modules: a log and the nk functions.
pub trait HostApi: Send + Sync + 'static {
    /// Writes one log line of a module.
    fn log(&self, record: LogRecord<'_>);

    /// Runs nk function `function` with JSON `args` (see
    /// `nakama_runtime_abi::nk`) for the call `host_token` names; answers
    /// JSON. A function the host lacks answers `UNIMPLEMENTED` naming it.
    /// Both are borrowed for this call only: a host takes from them what
    /// its future needs (most decode the arguments right away), so a call
    /// copies neither.
    fn nk_call(
        &self,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>>;

    /// [`nk_call`](Self::nk_call), given the calling context as the
    /// module sees it, for a host whose answer depends on the caller (the
    /// dev host's `event`: handlers get the publisher's context, as
    /// Nakama's do). The default leaves the context out.
    fn nk_call_from(
        &self,
        caller: &FfiContext<'_>,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        let _ = caller;
        self.nk_call(host_token, function, args)
    }

    /// The headers and query params of the call `host_token` names, as
    /// `{"headers":{..},"query_params":{..}}`, for a host that leaves them
    /// out of the context it gives modules of ABI 1.1 or later (see
    /// `HostVTable::context_maps`). The default, for hosts that always
    /// fill them in, answers nothing more.
    fn context_maps(&self, host_token: u64) -> String {
        let _ = host_token;
        String::new()
    }

    /// The call's own context values as a `ContextData` JSON object, for a
    /// host that gives modules of ABI 1.2 or later a context marked
    /// `CONTEXT_ON_DEMAND` (see `HostVTable::call_context`). Such a host
    /// gets [`CallInfo`] without `user_id` and `trace_id` (they are not in
    /// that context). The default, for hosts that always fill the
    /// context in, answers nothing.
    fn call_context(&self, host_token: u64) -> String {
        let _ = host_token;
        String::new()
    }
}

/// The call a module is serving, for log fields and nk calls.
#[derive(Debug, Clone, Default)]
pub struct CallInfo {
    /// Module package name.
    pub module: String,
    /// `rpc`, `before`, `after`, `run_once`.
    pub mode: &'static str,
    /// RPC id (for `rpc`).
    pub rpc_id: Option<String>,
    /// Hook API id, lower-cased as in Nakama's logs (for hooks).
    pub api_id: Option<String>,
    pub trace_id: Option<String>,
    /// The caller, if any.
    pub user_id: Option<String>,
    /// Whatever the host wants back in `log`/`nk_call` for this call (the
    /// bridge passes a handle to the Go call's context and logger); 0 when
    /// unused.
    pub host_token: u64,
}

/// One log line from a module.
pub struct LogRecord<'a> {
    /// One of `nakama_runtime_abi::ffi::level`.
    pub level: u8,
    /// `file:line` in the module's source.
    pub caller: &'a str,
    pub message: &'a str,
    /// A JSON object of extra fields, or empty.
    pub fields: &'a str,
    pub call: &'a CallInfo,
}

/// What a call is, for its [`CallInfo`].
#[derive(Clone, Copy)]
pub(crate) enum CallKind<'a> {
    Init,
    Rpc(&'a str),
    Hook {
        name: &'a str,
        mode: &'static str,
    },
    /// A match handler's call (ABI 1.4).
    Match,
    /// The matchmaker matched hook (ABI 1.5).
    Matchmaker,
    /// An event handler (ABI 1.7).
    Event,
    /// A leaderboard scheduler callback (ABI 1.7), or the matchmaker
    /// override or processor (ABI 1.9), by its mode.
    Scheduled(&'a str),
    /// A custom HTTP handler (ABI 1.8).
    Http,
    /// The shutdown hook (ABI 1.8).
    Shutdown,
    /// A storage index filter (ABI 1.9).
    StorageIndexFilter,
    /// A fleet manager's function (ABI 1.12), in the asking call's
    /// context.
    FleetManager,
}

/// What a [`HostHandle`] points at during one call. It lives in the
/// dispatching future, which outlives the module future it awaits, so the
/// handle is valid whenever the module can use it. The [`CallInfo`] is only
/// built if the module logs or calls nk.
pub(crate) struct Scope<'a> {
    api: &'a dyn HostApi,
    module: &'a ModuleName,
    kind: CallKind<'a>,
    ctx: &'a FfiContext<'a>,
    host_token: u64,
    call: OnceLock<Arc<CallInfo>>,
}

/// A module as its scopes name it: its package name, and the scope for its
/// work outside calls ([`module_name`]; 0 in that scope itself). One
/// pointer in every scope rather than a name and a number: a call's scope
/// stays small.
pub(crate) struct ModuleName {
    pub(crate) name: String,
    background: usize,
}

impl ModuleName {
    /// The handle of the module's scope for work outside calls.
    pub(crate) fn background(&self) -> HostHandle {
        HostHandle {
            data: self.background,
            vtable: vtable(),
        }
    }
}

impl<'a> Scope<'a> {
    pub(crate) fn new(
        api: &'a dyn HostApi,
        module: &'a ModuleName,
        kind: CallKind<'a>,
        ctx: &'a FfiContext<'a>,
        host_token: u64,
    ) -> Scope<'a> {
        Scope {
            api,
            module,
            kind,
            ctx,
            host_token,
            call: OnceLock::new(),
        }
    }

    /// The handle to give the module; valid while `self` lives, unmoved.
    pub(crate) fn handle(&self) -> HostHandle {
        HostHandle {
            data: self as *const Scope<'a> as usize,
            vtable: vtable(),
        }
    }

    fn call_info(&self) -> &Arc<CallInfo> {
        self.call.get_or_init(|| {
            let (mode, rpc_id, api_id) = match self.kind {
                CallKind::Init => ("run_once", None, None),
                CallKind::Rpc(id) => ("rpc", Some(id.to_string()), None),
                CallKind::Hook { name, mode } => (mode, None, Some(name.to_lowercase())),
                CallKind::Match => ("match", None, None),
                CallKind::Matchmaker => ("matchmaker", None, None),
                CallKind::Event => ("event", None, None),
                CallKind::Scheduled(mode) => (scheduled_mode(mode), None, None),
                CallKind::Http => (nakama_runtime_abi::mode::HTTP, None, None),
                CallKind::Shutdown => (nakama_runtime_abi::mode::SHUTDOWN, None, None),
                CallKind::StorageIndexFilter => {
                    (nakama_runtime_abi::mode::STORAGE_INDEX_FILTER, None, None)
                }
                // Nakama has no mode of its own for it: the asking call's
                // context goes on, and this names the call in logs.
                CallKind::FleetManager => ("fleet_manager", None, None),
            };
            Arc::new(CallInfo {
                module: self.module.name.clone(),
                mode,
                rpc_id,
                api_id,
                trace_id: owned(self.ctx.trace_id),
                user_id: owned(self.ctx.user_id),
                host_token: self.host_token,
            })
        })
    }
}

/// A scheduler callback's (or the matchmaker override's or processor's)
/// execution mode, as a static string.
fn scheduled_mode(id: &str) -> &'static str {
    use nakama_runtime_abi::mode;
    [
        mode::TOURNAMENT_END,
        mode::TOURNAMENT_RESET,
        mode::LEADERBOARD_RESET,
        mode::MATCHMAKER_OVERRIDE,
        mode::MATCHMAKER_PROCESSOR,
        mode::PURCHASE_NOTIFICATION_APPLE,
        mode::SUBSCRIPTION_NOTIFICATION_APPLE,
        mode::PURCHASE_NOTIFICATION_GOOGLE,
        mode::SUBSCRIPTION_NOTIFICATION_GOOGLE,
    ]
    .into_iter()
    .find(|m| *m == id)
    .unwrap_or(mode::LEADERBOARD_RESET)
}

/// The name of module `name`, with a scope made for its work outside calls
/// (ABI 1.3, `HostVTable::background`). That scope is leaked, so it lives
/// as long as the module (never unloaded), and speaks for the module's
/// init (mode `run_once`, host token 0, the init context).
pub(crate) fn module_name(
    api: &Arc<dyn HostApi>,
    name: &str,
    init_ctx: &'static FfiContext<'static>,
) -> ModuleName {
    let api: &'static HostWhileAlive = Box::leak(Box::new(HostWhileAlive(Arc::downgrade(api))));
    let own: &'static ModuleName = Box::leak(Box::new(ModuleName {
        name: name.to_string(),
        background: 0,
    }));
    let scope = Scope::new(api, own, CallKind::Init, init_ctx, 0);
    ModuleName {
        name: name.to_string(),
        background: Box::leak(Box::new(scope)) as *const Scope<'static> as usize,
    }
}

/// The host, for a background scope: that scope is kept for good, the host
/// need not be (a test host is dropped after its test, and its database
/// with it). Once it is gone, nk calls answer `UNAVAILABLE` and log lines
/// are dropped.
struct HostWhileAlive(std::sync::Weak<dyn HostApi>);

impl HostApi for HostWhileAlive {
    fn log(&self, record: LogRecord<'_>) {
        if let Some(api) = self.0.upgrade() {
            api.log(record);
        }
    }

    fn nk_call(
        &self,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        match self.0.upgrade() {
            Some(api) => api.nk_call(host_token, function, args),
            None => {
                let e = CallError::new(
                    Code::Unavailable,
                    "the host that loaded this module has stopped",
                );
                Box::pin(async move { Err(e) })
            }
        }
    }

    // No context_maps / call_context: no `Context` is made over this scope
    // (its context is init's, complete), so the defaults are never asked;
    // nor nk_call_from: init's context names no caller.
}

fn owned(v: ROption<RStr<'_>>) -> Option<String> {
    v.into_option().map(|s| s.as_str().to_string())
}

fn vtable() -> HostVTable_Ref {
    static VTABLE: OnceLock<HostVTable_Ref> = OnceLock::new();
    *VTABLE.get_or_init(|| {
        HostVTable {
            log: host_log,
            nk_call: host_nk_call,
            context_maps: host_context_maps,
            call_context: host_call_context,
            background: host_background,
        }
        .leak_into_prefix()
    })
}

/// # Safety (internal)
/// `data` comes from [`Scope::handle`] and the scope outlives every call a
/// module makes with it (see [`Scope`]); the callbacks below use it only
/// before they return.
fn scope<'s>(data: usize) -> &'s Scope<'s> {
    unsafe { &*(data as *const Scope<'s>) }
}

extern "C" fn host_log(data: usize, level: u8, caller: RStr<'_>, msg: RStr<'_>, fields: RStr<'_>) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        let s = scope(data);
        s.api.log(LogRecord {
            level,
            caller: caller.as_str(),
            message: msg.as_str(),
            fields: fields.as_str(),
            call: s.call_info(),
        });
    }));
}

extern "C" fn host_context_maps(data: usize) -> RString {
    catch_unwind(AssertUnwindSafe(|| {
        let s = scope(data);
        RString::from(s.api.context_maps(s.host_token))
    }))
    .unwrap_or_default()
}

extern "C" fn host_call_context(data: usize) -> RString {
    catch_unwind(AssertUnwindSafe(|| {
        let s = scope(data);
        RString::from(s.api.call_context(s.host_token))
    }))
    .unwrap_or_default()
}

extern "C" fn host_background(data: usize) -> usize {
    // Only reads a field: nothing here can panic.
    match scope(data).module.background {
        0 => data,
        other => other,
    }
}

extern "C" fn host_nk_call(
    data: usize,
    function: RStr<'_>,
    args: RVec<u8>,
) -> FfiFuture<FfiResult> {
    let started = catch_unwind(AssertUnwindSafe(|| {
        let s = scope(data);
        s.api
            .nk_call_from(s.ctx, s.host_token, function.as_str(), args.as_slice())
    }));
    // The function's name is only copied for a panic while starting it:
    // later, the message goes without it (not worth a copy per call).
    let started = started.map_err(|_| {
        FfiError::new(
            Code::Internal,
            format!("host panicked in nk function {}", function.as_str()),
        )
    });
    async move {
        let fut = match started {
            Ok(fut) => fut,
            Err(e) => return RResult::RErr(e),
        };
        match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(Ok(bytes)) => RResult::ROk(RVec::from(bytes)),
            Ok(Err(e)) => RResult::RErr(FfiError::new(e.code, e.message)),
            Err(_) => RResult::RErr(FfiError::new(
                Code::Internal,
                "host panicked in an nk function",
            )),
        }
    }
    .into_ffi()
}
