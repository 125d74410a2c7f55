//! The Rust half of the Nakama bridge: a C ABI over the module loader
//! (`nakama-runtime-host`), linked as a static library into the Go plugin
//! `bridge/go` that Nakama loads.
//!
//! The Go plugin calls:
//!
//! - [`nb_init`] once, from `InitModule`: loads every `*.rsmod` of a folder,
//!   runs the modules' init, and answers what they registered (JSON, see
//!   [`InitReport`]) or why loading was refused;
//! - [`nb_call`] for every call Nakama routes to a Rust module, one kind
//!   per registration kind: an RPC ([`NB_RPC`]), a before or after hook
//!   ([`NB_BEFORE`], [`NB_AFTER`]), a match handler's call (ABI 1.4,
//!   [`NB_MATCH`]) or the matchmaker matched hook (ABI 1.5,
//!   [`NB_MATCHMAKER`]), with the call's context (a compact binary form,
//!   read in place: see `wire.rs`) and a host token: an opaque number the
//!   Go side maps to the call's context, logger and nk module;
//! - [`nb_resume`] when a call answered [`NB_NK`]: the call is suspended on
//!   an nk request, which Go runs and answers here (see `suspend.rs` for
//!   why nk calls do not call Go back during a call);
//! - [`nb_free`] for every buffer Rust answered.
//!
//! Rust calls back into Go through two function pointers given to
//! [`nb_init`]: one writes a module log line, one runs an nk function
//! (during init, and for nk calls made outside of a call's polls) and
//! answers through [`nb_answer`] before it returns. Both receive the host
//! token of the call they belong to.
//!
//! Futures are driven on the calling thread ([`exec::drive`]): a call runs
//! until it answers or suspends on an nk request, so no Rust runtime
//! thread exists. No panic crosses into Go: every `extern "C"` function
//! here catches unwinding (module handlers are already isolated by the
//! loader) and answers `INTERNAL`.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use nakama_runtime_host::abi::ffi::FfiContext;
use nakama_runtime_host::abi::{mode, Code, ContextData};
use nakama_runtime_host::{
    BoxFuture, CallContext, CallError, Callee, HostApi, LoadEvent, LogRecord, Modules, Output,
};
use serde::Serialize;

pub mod exec;
mod matchanswer;
pub use matchanswer::read as read_match_answer;
mod nkargs;
mod suspend;
mod wire;

/// A byte buffer allocated by Rust, handed to Go; free it with [`nb_free`].
#[repr(C)]
#[derive(Debug)]
pub struct NbBuf {
    pub ptr: *mut u8,
    pub len: usize,
    pub cap: usize,
}

impl NbBuf {
    pub const EMPTY: NbBuf = NbBuf {
        ptr: std::ptr::null_mut(),
        len: 0,
        cap: 0,
    };

    fn from_vec(v: Vec<u8>) -> NbBuf {
        if v.capacity() == 0 {
            return NbBuf::EMPTY;
        }
        let mut v = std::mem::ManuallyDrop::new(v);
        NbBuf {
            ptr: v.as_mut_ptr(),
            len: v.len(),
            cap: v.capacity(),
        }
    }

    /// # Safety
    /// `self` must come from [`NbBuf::from_vec`] and not be used again.
    unsafe fn into_vec(self) -> Vec<u8> {
        if self.ptr.is_null() {
            Vec::new()
        } else {
            Vec::from_raw_parts(self.ptr, self.len, self.cap)
        }
    }
}

/// Where [`nb_call`] leaves an answer too long for the caller's buffer:
/// an [`NbBuf`] as integers (`addr` 0: the answer is in the caller's
/// buffer, `len` bytes). Integers because Go checks, on every call, each
/// argument that points to memory holding pointers.
///
/// With [`NB_NK`], the answer is the nk request (a little-endian `u32`
/// length, the function name, then the JSON arguments) and `call` the
/// suspended call to give to [`nb_resume`].
#[repr(C)]
#[derive(Debug)]
pub struct NbOut {
    pub addr: u64,
    pub len: u64,
    pub cap: u64,
    pub call: u64,
}

impl NbOut {
    pub const EMPTY: NbOut = NbOut {
        addr: 0,
        len: 0,
        cap: 0,
        call: 0,
    };

    /// The buffer it stands for (null when the answer was in `dst`).
    pub fn buf(&self) -> NbBuf {
        NbBuf {
            ptr: self.addr as usize as *mut u8,
            len: self.len as usize,
            cap: self.cap as usize,
        }
    }
}

/// Writes one module log line: `level` is one of
/// `nakama_runtime_abi::ffi::level` (1 debug .. 4 error), `caller` the
/// module's `file:line`, `fields` a JSON object or empty.
pub type NbLogFn = unsafe extern "C" fn(
    token: u64,
    level: u8,
    caller: *const u8,
    caller_len: usize,
    msg: *const u8,
    msg_len: usize,
    fields: *const u8,
    fields_len: usize,
);

/// Runs nk function `function` with JSON `args`; must call [`nb_answer`]
/// on `sink` before returning.
pub type NbNkFn = unsafe extern "C" fn(
    token: u64,
    sink: *mut NbSink,
    function: *const u8,
    function_len: usize,
    args: *const u8,
    args_len: usize,
);

/// Answers the headers and query params of the call `token` names, as
/// `{"headers":{..},"query_params":{..}}`, through [`nb_answer`] on `sink`
/// before returning: for modules of ABI 1.1 or later, to which Go sends
/// them only when they are read (see [`RegistrationReport`]).
pub type NbMapsFn = unsafe extern "C" fn(token: u64, sink: *mut NbSink);

/// Answers the context of the call `token` names in the wire form (see
/// `wire.rs`, headers and query params included), through [`nb_answer`]
/// on `sink` before returning: for modules of ABI 1.2 or later, to which
/// Go may send an empty context (see [`RegistrationReport`]) that they
/// ask for when they read it.
pub type NbCtxFn = unsafe extern "C" fn(token: u64, sink: *mut NbSink);

/// Where the Go nk, maps and context callbacks leave their answer.
pub struct NbSink {
    result: Option<Result<Vec<u8>, CallError>>,
}

/// [`nb_call`]: the call succeeded; the buffer holds its output.
pub const NB_OK: i32 = 0;
/// [`nb_call`]: no module registered this id or hook.
pub const NB_NOT_FOUND: i32 = -1;
/// [`nb_call`], [`nb_resume`]: the call is suspended on an nk request (see
/// [`NbOut`]); run it and answer with [`nb_resume`].
pub const NB_NK: i32 = -2;
/// [`nb_init`]: loading was refused; the buffer holds why.
pub const NB_REFUSED: i32 = 1;

/// [`nb_call`] kinds (the loader's registration kinds).
pub const NB_RPC: u8 = 1;
pub const NB_BEFORE: u8 = 2;
pub const NB_AFTER: u8 = 3;
/// An authoritative match handler (ABI 1.4): input a `MatchCall`, output a
/// `MatchAnswer` (JSON, `nakama_runtime_abi::matches`).
pub const NB_MATCH: u8 = 4;
/// The matchmaker matched hook (ABI 1.5; one per process, its id empty):
/// input a JSON array of `MatchmakerEntry`
/// (`nakama_runtime_abi::matchmaker`), output the id of the match made
/// for them (UTF-8), or empty: no match (Nakama then sends a token).
pub const NB_MATCHMAKER: u8 = 5;
/// A hook before a realtime message (ABI 1.6): input the message, output
/// the message to go on with, or empty (refused) (JSON,
/// `nakama_runtime_abi::rtapi`).
pub const NB_BEFORE_RT: u8 = 6;
/// A hook after a realtime message (ABI 1.6): input `{"out":..,"in":..}`.
pub const NB_AFTER_RT: u8 = 7;
/// An event handler (ABI 1.7): input the event (JSON,
/// `nakama_runtime_abi::api::Event`), output empty.
pub const NB_EVENT: u8 = 8;
/// A session start event handler (ABI 1.7), as [`NB_EVENT`].
pub const NB_EVENT_SESSION_START: u8 = 9;
/// A session end event handler (ABI 1.7), as [`NB_EVENT`].
pub const NB_EVENT_SESSION_END: u8 = 10;
/// The tournament end callback (ABI 1.7): input a `TournamentCall`
/// (JSON, `nakama_runtime_abi::scheduler`), output empty.
pub const NB_TOURNAMENT_END: u8 = 11;
/// The tournament reset callback (ABI 1.7), as [`NB_TOURNAMENT_END`].
pub const NB_TOURNAMENT_RESET: u8 = 12;
/// The leaderboard reset callback (ABI 1.7): input a `LeaderboardCall`.
pub const NB_LEADERBOARD_RESET: u8 = 13;
/// A custom HTTP handler (ABI 1.8; its id the methods and path pattern,
/// `nakama_runtime_abi::http::registration_id`): input an encoded
/// `HttpRequest`, output an encoded `HttpResponse`
/// (`nakama_runtime_abi::http`).
pub const NB_HTTP: u8 = 14;
/// The shutdown hook (ABI 1.8; one per process, its id empty): input and
/// output empty.
pub const NB_SHUTDOWN: u8 = 15;
/// A storage index or its filter (ABI 1.9; its id the JSON of a
/// `nakama_runtime_abi::storage_index::Registration`): a filter's input is
/// a `StorageWriteOp` as JSON, its output `true` or `false`; an index's
/// handler is never called.
pub const NB_STORAGE_INDEX: u8 = 16;
/// The matchmaker override (ABI 1.9; one per process, its id
/// `matchmaker_override`): input the candidate groups (a JSON array of
/// arrays of `MatchmakerEntry`), output the groups to form, the same way.
pub const NB_MATCHMAKER_OVERRIDE: u8 = 17;
/// The matchmaker processor (ABI 1.9; id `matchmaker_processor`): input
/// every entry in the pool (a JSON array), output the groups to form.
pub const NB_MATCHMAKER_PROCESSOR: u8 = 18;
/// A custom HTTP handler on the console's port (ABI 1.10), as
/// [`NB_HTTP`].
pub const NB_CONSOLE_HTTP: u8 = 19;
/// A function of the fleet manager (ABI 1.12; its id the function's name,
/// `nakama_runtime_abi::fleet_manager::op`): input and output JSON, per
/// function (`nakama_runtime_abi::fleet_manager`). It runs in the context
/// of the call that asked, execution mode included, so its wire starts
/// with one more text field, that mode (`wire::split_mode`), and is
/// never empty (a context on demand has its kind's fixed mode).
pub const NB_FLEET_MANAGER: u8 = 20;
/// The App Store's purchase notification callback (ABI 1.13): input a
/// `PurchaseNotification` (`nakama_runtime_abi::store_notification`),
/// output empty.
pub const NB_PURCHASE_NOTIFICATION_APPLE: u8 = 21;
/// The App Store's subscription notification callback (ABI 1.13): input a
/// `SubscriptionNotification`.
pub const NB_SUBSCRIPTION_NOTIFICATION_APPLE: u8 = 22;
/// Google Play's purchase notification callback (ABI 1.13).
pub const NB_PURCHASE_NOTIFICATION_GOOGLE: u8 = 23;
/// Google Play's subscription notification callback (ABI 1.13).
pub const NB_SUBSCRIPTION_NOTIFICATION_GOOGLE: u8 = 24;

/// The execution mode a module's context has in a call of `kind`, as
/// Nakama names it for Go modules.
fn execution_mode(kind: u8) -> Option<&'static str> {
    Some(match kind {
        NB_RPC => mode::RPC,
        NB_BEFORE => mode::BEFORE,
        NB_AFTER => mode::AFTER,
        NB_MATCH => mode::MATCH,
        NB_MATCHMAKER => mode::MATCHMAKER,
        NB_BEFORE_RT => mode::BEFORE,
        NB_AFTER_RT => mode::AFTER,
        NB_EVENT | NB_EVENT_SESSION_START | NB_EVENT_SESSION_END => mode::EVENT,
        NB_TOURNAMENT_END => mode::TOURNAMENT_END,
        NB_TOURNAMENT_RESET => mode::TOURNAMENT_RESET,
        NB_LEADERBOARD_RESET => mode::LEADERBOARD_RESET,
        NB_HTTP | NB_CONSOLE_HTTP => mode::HTTP,
        NB_SHUTDOWN => mode::SHUTDOWN,
        NB_STORAGE_INDEX => mode::STORAGE_INDEX_FILTER,
        NB_MATCHMAKER_OVERRIDE => mode::MATCHMAKER_OVERRIDE,
        NB_MATCHMAKER_PROCESSOR => mode::MATCHMAKER_PROCESSOR,
        NB_PURCHASE_NOTIFICATION_APPLE => mode::PURCHASE_NOTIFICATION_APPLE,
        NB_SUBSCRIPTION_NOTIFICATION_APPLE => mode::SUBSCRIPTION_NOTIFICATION_APPLE,
        NB_PURCHASE_NOTIFICATION_GOOGLE => mode::PURCHASE_NOTIFICATION_GOOGLE,
        NB_SUBSCRIPTION_NOTIFICATION_GOOGLE => mode::SUBSCRIPTION_NOTIFICATION_GOOGLE,
        // NB_FLEET_MANAGER: the asker's, from the wire.
        _ => return None,
    })
}

/// Call kinds are 1 to this.
const KINDS: usize = 24;

struct GoHost {
    log: NbLogFn,
    nk: NbNkFn,
    maps: NbMapsFn,
    context: NbCtxFn,
}

impl HostApi for GoHost {
    fn log(&self, r: LogRecord<'_>) {
        // SAFETY: the Go callback only reads the slices during the call.
        unsafe {
            (self.log)(
                r.call.host_token,
                r.level,
                r.caller.as_ptr(),
                r.caller.len(),
                r.message.as_ptr(),
                r.message.len(),
                r.fields.as_ptr(),
                r.fields.len(),
            )
        }
    }

    fn context_maps(&self, host_token: u64) -> String {
        let json = ask_go(self.maps, host_token);
        String::from_utf8(json).unwrap_or_default()
    }

    fn call_context(&self, host_token: u64) -> String {
        let wire = ask_go(self.context, host_token);
        let fixed = wire::Fixed {
            execution_mode: "",
            node: "",
            version: "",
            env_json: "",
        };
        // Empty (no call) or malformed: no values, as a module reading a
        // malformed context map gets none.
        match wire::read(&wire, fixed) {
            Ok(view) if !wire.is_empty() => {
                serde_json::to_string(&ContextData::from_ffi(&view)).unwrap_or_default()
            }
            _ => String::new(),
        }
    }

    fn nk_call(
        &self,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        if let Some(slot) = suspend::current() {
            let request = nkargs::request(function, args);
            return Box::pin(suspend::NkRequest::new(slot, request));
        }
        let nk = self.nk;
        // Called back when polled: the future keeps its own copies.
        let function = function.to_string();
        let mut go_args = Vec::with_capacity(args.len());
        nkargs::write_for_go(&function, args, &mut go_args);
        Box::pin(async move {
            let mut sink = NbSink { result: None };
            // SAFETY: the Go callback answers through nb_answer before it
            // returns and keeps no pointer.
            unsafe {
                nk(
                    host_token,
                    &mut sink,
                    function.as_ptr(),
                    function.len(),
                    go_args.as_ptr(),
                    go_args.len(),
                )
            };
            sink.result.unwrap_or_else(|| {
                Err(CallError::new(
                    Code::Internal,
                    format!("nk function {function}: the host gave no answer"),
                ))
            })
        })
    }
}

struct Bridge {
    modules: Modules,
    /// Node name, server version and env from the init context: the same
    /// for every call, so Go sends them once. Kept for the life of the
    /// process (the bridge is never unloaded), so that the contexts below
    /// can borrow them.
    node: &'static str,
    version: &'static str,
    env_json: &'static str,
    /// The context of a call whose context is on demand, for each kind
    /// (`kind - 1`): built once, not for every call.
    on_demand: [Option<FfiContext<'static>>; KINDS],
    timeout: Option<Duration>,
}

static BRIDGE: OnceLock<Bridge> = OnceLock::new();

/// What [`nb_init`] answers on success.
#[derive(Debug, Default, Serialize)]
pub struct InitReport {
    pub modules: Vec<ModuleReport>,
    pub skipped: Vec<Skipped>,
    pub registrations: Vec<RegistrationReport>,
}

#[derive(Debug, Serialize)]
pub struct ModuleReport {
    pub name: String,
    pub file: String,
    pub sdk_version: String,
    pub abi: String,
}

#[derive(Debug, Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

/// What a Go callback that answers through a sink answered (empty if
/// nothing or an error).
fn ask_go(callback: unsafe extern "C" fn(u64, *mut NbSink), host_token: u64) -> Vec<u8> {
    let mut sink = NbSink { result: None };
    // SAFETY: the Go callbacks answer through nb_answer before they return
    // and keep no pointer.
    unsafe { callback(host_token, &mut sink) };
    match sink.result {
        Some(Ok(bytes)) => bytes,
        _ => Vec::new(),
    }
}

#[derive(Debug, Serialize)]
pub struct RegistrationReport {
    pub module: String,
    /// [`NB_RPC`], [`NB_BEFORE`], [`NB_AFTER`], [`NB_MATCH`] or
    /// [`NB_MATCHMAKER`].
    pub kind: u8,
    /// RPC id (lower-cased), hook name (`AuthenticateCustom`), match
    /// handler name, or empty (the matchmaker matched hook).
    pub id: String,
    /// What [`nb_call`] takes to call it.
    pub index: u32,
    /// The Rust function behind it.
    pub function: String,
    /// The module (ABI 1.1 or later) asks for headers and query params
    /// when it reads them: Go leaves them out of the call's context.
    pub maps_on_demand: bool,
    /// The module (ABI 1.2 or later) asks for the call's own context when
    /// it reads it: Go may send it an empty context.
    pub context_on_demand: bool,
    /// A match handler whose module (ABI 1.16 or later) takes its `loop`
    /// calls in compact form (`abi::matches::compact`) and answers them
    /// in it.
    pub compact_match_calls: bool,
}

/// # Safety
/// `ptr` must be valid for `len` bytes (any pointer when `len` is 0).
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// # Safety
/// `out` must be writable.
unsafe fn answer(out: *mut NbBuf, code: i32, bytes: Vec<u8>) -> i32 {
    if !out.is_null() {
        *out = NbBuf::from_vec(bytes);
    }
    code
}

/// Loads the modules and runs their init. Answers [`NB_OK`] with an
/// [`InitReport`] as JSON in `out`, or [`NB_REFUSED`] with the reason
/// (naming the file) as text.
///
/// - `path`: a folder (its `*.rsmod` files are loaded, sorted) or one file;
/// - `ctx`: the init context as JSON ([`ContextData`]); its `env`, `node`
///   and `version` are kept and given to every later call whose context
///   has none;
/// - `log`, `nk`, `maps`, `context`: the Go callbacks (token 0 in them
///   means the init call);
/// - `timeout_ms`: how long a call may stay pending (0: no limit).
///
/// # Safety
/// Pointers must be valid for their lengths; `out` writable; callbacks
/// valid for the life of the process. Called at most once successfully.
#[no_mangle]
pub unsafe extern "C" fn nb_init(
    path: *const u8,
    path_len: usize,
    ctx: *const u8,
    ctx_len: usize,
    log: NbLogFn,
    nk: NbNkFn,
    maps: NbMapsFn,
    context: NbCtxFn,
    timeout_ms: u64,
    out: *mut NbBuf,
) -> i32 {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let path = String::from_utf8_lossy(bytes(path, path_len)).into_owned();
        let ctx = bytes(ctx, ctx_len);
        let host = GoHost {
            log,
            nk,
            maps,
            context,
        };
        init(&path, ctx, host, timeout_ms)
    }));
    match result {
        Ok(Ok(report)) => answer(out, NB_OK, report),
        Ok(Err(message)) => answer(out, NB_REFUSED, message.into_bytes()),
        Err(p) => answer(
            out,
            NB_REFUSED,
            format!("the bridge panicked while loading: {}", panic_message(&*p)).into_bytes(),
        ),
    }
}

fn init(path: &str, ctx_json: &[u8], host: GoHost, timeout_ms: u64) -> Result<Vec<u8>, String> {
    if BRIDGE.get().is_some() {
        return Err("the Rust bridge is already initialised in this process".into());
    }
    let ctx: ContextData = serde_json::from_slice(ctx_json)
        .map_err(|e| format!("the bridge's init context does not decode: {e}"))?;
    let (node, version) = (ctx.node.clone(), ctx.version.clone());
    let mut report = InitReport::default();
    let load =
        Modules::load_with_extensions(Path::new(path), &["rsmod"], Arc::new(host), ctx, |event| {
            match event {
                LoadEvent::Skipped { file, reason } => report.skipped.push(Skipped {
                    file: file.display().to_string(),
                    reason,
                }),
                LoadEvent::Loaded {
                    name,
                    file,
                    sdk_version,
                    abi,
                } => report.modules.push(ModuleReport {
                    name,
                    file: file.display().to_string(),
                    sdk_version,
                    abi: format!("{}.{}", abi.0, abi.1),
                }),
                LoadEvent::Registered { .. } => {}
            }
        });
    // The loader gives `#[init_module]` calls host token 0: their log
    // lines and nk calls reach InitModule's logger and nk on the Go side.
    let modules = exec::block_on(load, None)
        .expect("no timeout")
        .map_err(|e| e.to_string())?;
    for m in modules.modules() {
        for r in &m.registrations {
            let (kind, Some(index)) = (
                match r.kind {
                    "rpc" => NB_RPC,
                    "before hook" => NB_BEFORE,
                    "after hook" => NB_AFTER,
                    "match handler" => NB_MATCH,
                    "matchmaker matched hook" => NB_MATCHMAKER,
                    "realtime before hook" => NB_BEFORE_RT,
                    "realtime after hook" => NB_AFTER_RT,
                    "event handler" => NB_EVENT,
                    "session start event handler" => NB_EVENT_SESSION_START,
                    "session end event handler" => NB_EVENT_SESSION_END,
                    "tournament end callback" => NB_TOURNAMENT_END,
                    "tournament reset callback" => NB_TOURNAMENT_RESET,
                    "leaderboard reset callback" => NB_LEADERBOARD_RESET,
                    "http handler" => NB_HTTP,
                    "shutdown hook" => NB_SHUTDOWN,
                    "storage index" => NB_STORAGE_INDEX,
                    "matchmaker override" => NB_MATCHMAKER_OVERRIDE,
                    "matchmaker processor" => NB_MATCHMAKER_PROCESSOR,
                    "console http handler" => NB_CONSOLE_HTTP,
                    "fleet manager" => NB_FLEET_MANAGER,
                    "apple purchase notification callback" => NB_PURCHASE_NOTIFICATION_APPLE,
                    "apple subscription notification callback" => {
                        NB_SUBSCRIPTION_NOTIFICATION_APPLE
                    }
                    "google purchase notification callback" => NB_PURCHASE_NOTIFICATION_GOOGLE,
                    "google subscription notification callback" => {
                        NB_SUBSCRIPTION_NOTIFICATION_GOOGLE
                    }
                    _ => continue,
                },
                r.index,
            ) else {
                continue; // a kind of a newer ABI minor: not routed
            };
            report.registrations.push(RegistrationReport {
                module: m.opened.name.clone(),
                kind,
                id: r.id.clone(),
                index,
                function: r.function.clone(),
                maps_on_demand: m.opened.abi >= (1, 1),
                // A fleet manager's context carries the asker's mode,
                // which a context on demand cannot (see NB_FLEET_MANAGER).
                context_on_demand: m.opened.abi >= (1, 2) && kind != NB_FLEET_MANAGER,
                compact_match_calls: m.opened.abi >= (1, 16) && kind == NB_MATCH,
            });
        }
    }
    let timeout = (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms));
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let env_json = leak(modules.init_env_json().to_owned());
    let (node, version) = (leak(node), leak(version));
    let fixed = |execution_mode| wire::Fixed {
        execution_mode,
        node,
        version,
        env_json,
    };
    let bridge = Bridge {
        modules,
        node,
        version,
        env_json,
        on_demand: std::array::from_fn(|i| {
            execution_mode(i as u8 + 1).map(|mode| wire::on_demand(fixed(mode)))
        }),
        timeout,
    };
    if BRIDGE.set(bridge).is_err() {
        return Err("the Rust bridge is already initialised in this process".into());
    }
    serde_json::to_vec(&report).map_err(|e| e.to_string())
}

/// Calls the handler `index` of the init report's registrations (not by
/// its name: looking names up cost a visible share of a call), whose
/// `kind` is an RPC ([`NB_RPC`]), a before hook ([`NB_BEFORE`], input =
/// the request JSON), an after hook ([`NB_AFTER`], input =
/// `{"out":..,"in":..}`), a match handler ([`NB_MATCH`], input = a
/// `MatchCall`, JSON or, for a tick to a module of ABI 1.16 or later, in
/// the ABI's compact form; output = a `MatchAnswer`: `{}`, or compact,
/// as `matchanswer.rs` hands it Go, unless it does not decode) or the matchmaker matched hook
/// ([`NB_MATCHMAKER`], input = the matched entries, output = a match id or
/// nothing).
///
/// Answers [`NB_OK`] with the output (for a before hook: the request to go
/// on with; empty = drop the call), [`NB_NOT_FOUND`] if there is no
/// handler `index`, or a gRPC code (1..=16) with the error message. The
/// output or message is copied into `dst` if it fits in `dst_cap` bytes
/// (`out` is then `{0, length, 0, 0}`); otherwise `out` holds it, to free
/// with [`nb_free`]. `dst` may be null.
///
/// `suspendable` 0: the call runs to its answer here, its nk calls calling
/// Go back (no allocation: for handlers that make no nk call); else its nk
/// calls suspend it ([`NB_NK`], see `suspend.rs`).
///
/// # Safety
/// Pointers must be valid for their lengths; `dst` writable for `dst_cap`
/// bytes; `out` writable. All of them are used before `nb_call` returns:
/// a call that suspends has its own copy of `ctx` and `input`.
#[no_mangle]
pub unsafe extern "C" fn nb_call(
    kind: u8,
    index: u32,
    ctx: *const u8,
    ctx_len: usize,
    input: *const u8,
    input_len: usize,
    token: u64,
    suspendable: u8,
    dst: *mut u8,
    dst_cap: usize,
    out: *mut NbOut,
) -> i32 {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let (ctx, input) = (bytes(ctx, ctx_len), bytes(input, input_len));
        if suspendable == 0 {
            let result = call_here(kind, index, ctx, input, token);
            return finish(result, dst, dst_cap, out);
        }
        match start(kind, index, ctx, input, token) {
            Ok(call) => run(call, dst, dst_cap, out),
            Err(e) => finish(Some(Err(e)), dst, dst_cap, out),
        }
    }));
    result.unwrap_or_else(|p| bridge_panicked(&*p, dst, dst_cap, out))
}

/// Answers the nk request a call is suspended on ([`NB_NK`]) and runs the
/// call on: it answers as [`nb_call`] does. `code` 0 with the JSON result,
/// else a gRPC code with the error message.
///
/// # Safety
/// `call` must come from the `NbOut` of an `NB_NK` answer and be used
/// once; `ptr` valid for `len` bytes; `dst` and `out` as for [`nb_call`].
#[no_mangle]
pub unsafe extern "C" fn nb_resume(
    call: u64,
    code: u32,
    ptr: *const u8,
    len: usize,
    dst: *mut u8,
    dst_cap: usize,
    out: *mut NbOut,
) -> i32 {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let call = Box::from_raw(call as usize as *mut Call);
        call.slot.answer(nk_answer(code, bytes(ptr, len)));
        run(call, dst, dst_cap, out)
    }));
    result.unwrap_or_else(|p| bridge_panicked(&*p, dst, dst_cap, out))
}

/// Drops a suspended call without running it on (Go could not run its nk
/// request).
///
/// # Safety
/// As for [`nb_resume`].
#[no_mangle]
pub unsafe extern "C" fn nb_abandon(call: u64) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        drop(Box::from_raw(call as usize as *mut Call))
    }));
}

/// An nk answer from Go: `code` 0 with the result JSON, else a gRPC code
/// with the message.
fn nk_answer(code: u32, data: &[u8]) -> Result<Vec<u8>, CallError> {
    if code == 0 {
        Ok(data.to_vec())
    } else {
        Err(CallError::new(
            Code::from_u32(code),
            String::from_utf8_lossy(data).into_owned(),
        ))
    }
}

/// What a call answers: the module's output, read in place, or a message.
enum Answer {
    Module(Output),
    Text(String),
    /// A match handler's answer in compact form (`matchanswer`).
    Compact(Vec<u8>),
}

type CallFuture = Pin<Box<dyn Future<Output = Option<Result<Answer, CallError>>>>>;

/// A module call between [`nb_call`] and its answer: boxed, so that its
/// slot stays where its nk futures point while it is suspended.
struct Call {
    slot: suspend::Slot,
    fut: CallFuture,
    /// What `fut` borrows (the call's context and input, copied so that
    /// Go need not keep its own memory alive and pinned while the call is
    /// suspended), dropped after it: fields drop in order.
    _borrowed: Kept,
}

/// What a suspended call's future borrows as `'static`: the call's own
/// copy of its context's wire form and input, and the context read from
/// it. Held as a raw pointer rather than a `Box`, which asserts unique
/// access whenever it moves and so may not be moved while borrowed. Kept
/// out of the future, whose allocation it would take past glibc's
/// per-thread cache (1 KiB), into its slower general path.
struct Kept(*mut Borrowed);

struct Borrowed {
    bytes: Vec<u8>,
    read: Option<FfiContext<'static>>,
}

impl Kept {
    fn new(parts: &[&[u8]]) -> Kept {
        Kept(Box::into_raw(Box::new(Borrowed {
            bytes: parts.concat(),
            read: None,
        })))
    }

    /// The bytes, and where to read a context from them.
    ///
    /// # Safety
    /// Once per `Kept`; what borrows the two must be dropped before `self`.
    unsafe fn parts(&self) -> (&'static [u8], &'static mut Option<FfiContext<'static>>) {
        let b = &mut *self.0;
        (&*(b.bytes.as_slice() as *const [u8]), &mut b.read)
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        // SAFETY: made by Box::into_raw in new, freed only here.
        drop(unsafe { Box::from_raw(self.0) });
    }
}

/// Runs a call to its answer on this thread's stack, nk calls calling Go
/// back: for handlers that have made no nk call so far (no allocation).
fn call_here(
    kind: u8,
    index: u32,
    ctx_wire: &[u8],
    input: &[u8],
    token: u64,
) -> Option<Result<Answer, CallError>> {
    let bridge = match initialised() {
        Ok(b) => b,
        Err(e) => return Some(Err(e)),
    };
    let mut read = None;
    let ctx = match view(bridge, kind, ctx_wire, &mut read) {
        Ok(ctx) => ctx,
        Err(e) => return Some(Err(e)),
    };
    let call_ctx = CallContext::View {
        ctx,
        host_token: token,
    };
    // The module's future is polled right here: no async layers around it.
    let callee = Callee::Registered(index);
    let out = bridge.modules.call_driven(callee, call_ctx, input, |fut| {
        exec::block_on(fut, bridge.timeout).ok_or_else(timed_out)
    })?;
    Some(out.map(|out| module_answer(kind, out)))
}

/// What Go gets back from a module: its output, nothing for an after hook
/// (Nakama has already answered the client).
fn module_answer(kind: u8, out: Output) -> Answer {
    match kind {
        NB_AFTER
        | NB_AFTER_RT
        | NB_EVENT
        | NB_EVENT_SESSION_START
        | NB_EVENT_SESSION_END
        | NB_TOURNAMENT_END
        | NB_TOURNAMENT_RESET
        | NB_LEADERBOARD_RESET
        | NB_SHUTDOWN
        | NB_PURCHASE_NOTIFICATION_APPLE
        | NB_SUBSCRIPTION_NOTIFICATION_APPLE
        | NB_PURCHASE_NOTIFICATION_GOOGLE
        | NB_SUBSCRIPTION_NOTIFICATION_GOOGLE => Answer::Text(String::new()),
        NB_MATCH => match matchanswer::for_go(&out) {
            Some(compact) => Answer::Compact(compact),
            None => Answer::Module(out),
        },
        _ => Answer::Module(out),
    }
}

fn initialised() -> Result<&'static Bridge, CallError> {
    BRIDGE
        .get()
        .ok_or_else(|| CallError::new(Code::Internal, "the Rust bridge is not initialised"))
}

fn timed_out() -> CallError {
    CallError::new(
        Code::DeadlineExceeded,
        "module call exceeded RUST_CALL_TIMEOUT_MS",
    )
}

/// The module's view of a call's context: for a context on demand (an
/// empty wire), the one built at init for the call's kind; else read in
/// place from the wire into `read`.
#[inline(always)]
fn view<'a>(
    bridge: &'a Bridge,
    kind: u8,
    ctx_wire: &'a [u8],
    read: &'a mut Option<FfiContext<'a>>,
) -> Result<&'a FfiContext<'a>, CallError> {
    if ctx_wire.is_empty() {
        let ctx = bridge.on_demand.get(usize::from(kind).wrapping_sub(1));
        return ctx
            .and_then(Option::as_ref)
            .ok_or_else(|| no_context_on_demand(kind));
    }
    read_view(bridge, kind, ctx_wire, read)
}

/// [`view`] of a context sent on the wire. Not inlined: inlined, the
/// compiler wrote all of `read` on the on-demand path too.
#[inline(never)]
fn read_view<'a>(
    bridge: &'a Bridge,
    kind: u8,
    ctx_wire: &'a [u8],
    read: &'a mut Option<FfiContext<'a>>,
) -> Result<&'a FfiContext<'a>, CallError> {
    let (execution_mode, ctx_wire) = match execution_mode(kind) {
        Some(mode) => (mode, ctx_wire),
        None if kind == NB_FLEET_MANAGER => {
            wire::split_mode(ctx_wire).map_err(|e| CallError::new(Code::Internal, e))?
        }
        None => return Err(unknown_kind(kind)),
    };
    let fixed = wire::Fixed {
        execution_mode,
        node: bridge.node,
        version: bridge.version,
        env_json: bridge.env_json,
    };
    let ctx = wire::read(ctx_wire, fixed).map_err(|e| CallError::new(Code::Internal, e))?;
    Ok(read.insert(ctx))
}

fn unknown_kind(kind: u8) -> CallError {
    CallError::new(Code::Internal, format!("unknown call kind {kind}"))
}

/// An empty wire for a kind that has no context on demand.
#[cold]
fn no_context_on_demand(kind: u8) -> CallError {
    if kind == NB_FLEET_MANAGER {
        return CallError::new(
            Code::Internal,
            "a fleet manager call needs its context (with the asker's execution mode)",
        );
    }
    unknown_kind(kind)
}

/// Calls handler `index` (of `kind`); `None`: there is none.
async fn dispatch(
    bridge: &Bridge,
    kind: u8,
    index: u32,
    ctx: &FfiContext<'_>,
    input: &[u8],
    token: u64,
) -> Option<Result<Answer, CallError>> {
    let call_ctx = CallContext::View {
        ctx,
        host_token: token,
    };
    let callee = Callee::Registered(index);
    let out = bridge.modules.call(callee, call_ctx, input).await?;
    Some(out.map(|out| module_answer(kind, out)))
}

/// Starts a call that can suspend, on its own copy of `ctx_wire` and
/// `input`.
fn start(
    kind: u8,
    index: u32,
    ctx_wire: &[u8],
    input: &[u8],
    token: u64,
) -> Result<Box<Call>, CallError> {
    let bridge = initialised()?;
    let kept = Kept::new(&[ctx_wire, input]);
    // SAFETY: once; `fut` is dropped before `kept` (see Call).
    let (bytes, read) = unsafe { kept.parts() };
    let (ctx_wire, input) = bytes.split_at(ctx_wire.len());
    let ctx = view(bridge, kind, ctx_wire, read)?;
    // 960 bytes with nakama-runtime-host 0.1: within glibc's per-thread
    // cache, as Kept keeps it (see there).
    let fut: CallFuture = Box::pin(dispatch(bridge, kind, index, ctx, input, token));
    Ok(Box::new(Call {
        slot: suspend::Slot::default(),
        fut,
        _borrowed: kept,
    }))
}

/// Polls a call until it answers (into `dst` / `out`) or suspends on an
/// nk request ([`NB_NK`], the call handed to Go in `out`).
unsafe fn run(mut call: Box<Call>, dst: *mut u8, dst_cap: usize, out: *mut NbOut) -> i32 {
    let timeout = BRIDGE.get().and_then(|b| b.timeout);
    let Call { slot, fut, .. } = &mut *call;
    let step = suspend::with_slot(slot, || {
        exec::drive(fut.as_mut(), timeout, || slot.has_request())
    });
    match step {
        exec::Step::Ready(result) => {
            drop(call);
            finish(result, dst, dst_cap, out)
        }
        exec::Step::TimedOut => {
            drop(call);
            finish(Some(Err(timed_out())), dst, dst_cap, out)
        }
        exec::Step::Suspended => {
            let request = call.slot.take_request().unwrap_or_default();
            deliver(&request, dst, dst_cap, out);
            if !out.is_null() {
                (*out).call = Box::into_raw(call) as usize as u64;
            }
            NB_NK
        }
    }
}

/// Answers a finished call: its output or its error's code and message.
unsafe fn finish(
    result: Option<Result<Answer, CallError>>,
    dst: *mut u8,
    dst_cap: usize,
    out: *mut NbOut,
) -> i32 {
    let (code, answer) = match result {
        None => (NB_NOT_FOUND, Answer::Text(String::new())),
        Some(Ok(out)) => (NB_OK, out),
        Some(Err(e)) => {
            let code = match e.code.as_u32() {
                c @ 1..=16 => c as i32,
                _ => Code::Internal.as_u32() as i32,
            };
            (code, Answer::Text(e.message))
        }
    };
    let bytes: &[u8] = match &answer {
        Answer::Module(out) => out,
        Answer::Text(text) => text.as_bytes(),
        Answer::Compact(bytes) => bytes,
    };
    deliver(bytes, dst, dst_cap, out);
    code
}

unsafe fn bridge_panicked(
    p: &(dyn std::any::Any + Send),
    dst: *mut u8,
    dst_cap: usize,
    out: *mut NbOut,
) -> i32 {
    let e = CallError::new(
        Code::Internal,
        format!("the bridge panicked: {}", panic_message(p)),
    );
    finish(Some(Err(e)), dst, dst_cap, out)
}

/// Small answers go into the caller's buffer: no allocation for Go to
/// free, no second call across the boundary; longer ones into an
/// [`NbBuf`] whose address is in `out`.
unsafe fn deliver(bytes: &[u8], dst: *mut u8, dst_cap: usize, out: *mut NbOut) {
    let fits = !dst.is_null() && bytes.len() <= dst_cap;
    if fits {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len());
    }
    if out.is_null() {
        return;
    }
    *out = if fits {
        NbOut {
            len: bytes.len() as u64,
            ..NbOut::EMPTY
        }
    } else {
        let buf = NbBuf::from_vec(bytes.to_vec());
        NbOut {
            addr: buf.ptr as usize as u64,
            len: buf.len as u64,
            cap: buf.cap as u64,
            call: 0,
        }
    };
}

/// Stores an nk answer: `code` 0 with the JSON result, or a gRPC code with
/// the error message.
///
/// # Safety
/// `sink` must be the pointer given to the nk callback, which has not
/// returned yet; `ptr` valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn nb_answer(sink: *mut NbSink, code: u32, ptr: *const u8, len: usize) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        if sink.is_null() {
            return;
        }
        (*sink).result = Some(nk_answer(code, bytes(ptr, len)));
    }));
}

/// Frees a buffer answered by [`nb_init`] or [`nb_call`].
///
/// # Safety
/// `buf` must come from this library and be freed once.
#[no_mangle]
pub unsafe extern "C" fn nb_free(buf: NbBuf) {
    let _ = catch_unwind(AssertUnwindSafe(|| drop(buf.into_vec())));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_the_execution_mode_nakama_gives_go_modules() {
        let modes: Vec<_> = (0..=KINDS as u8 + 1).map(execution_mode).collect();
        assert_eq!(
            modes,
            [
                None,
                Some("rpc"),
                Some("before"),
                Some("after"),
                Some("match"),
                Some("matchmaker"),
                Some("before"),
                Some("after"),
                Some("event"),
                Some("event"),
                Some("event"),
                Some("tournament_end"),
                Some("tournament_reset"),
                Some("leaderboard_reset"),
                Some("http"),
                Some("shutdown"),
                Some("storage_index_filter"),
                Some("matchmaker_override"),
                Some("matchmaker_processor"),
                Some("http"),
                // The fleet manager's: the asker's, sent with its context.
                None,
                Some("purchase_notification_apple"),
                Some("subscription_notification_apple"),
                Some("purchase_notification_google"),
                Some("subscription_notification_google"),
                None
            ]
        );
    }
}
