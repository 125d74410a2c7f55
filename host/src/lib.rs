//! Loads Nakama Rust modules and dispatches calls to them.
//!
//! Both hosts use this crate: the dev host and the bridge inside a real
//! Nakama. It
//!
//! - finds the modules of a folder, in a stable (sorted) order, skipping
//!   files that are not modules with a reason ([`loader`]);
//! - refuses, with an error naming the file, both versions and the fix, a
//!   module of an incompatible ABI or with a layout mismatch;
//! - runs each module's `#[init_module]`, stopping with the module's name
//!   when one fails;
//! - refuses two modules registering the same RPC id or the same hook;
//! - dispatches RPCs, hooks and match handlers' calls, turning a panic
//!   into `INTERNAL` for that call ([`Modules`]).
//!
//! The host supplies logging and the nk functions through [`HostApi`].
//! Loaded libraries are never unloaded.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::FutureExt as _;
use nakama_runtime_abi::abi_stable::std_types::{RResult, RSlice, RStr, RVec};
use nakama_runtime_abi::async_ffi::BorrowingFfiFuture;
use nakama_runtime_abi::ffi::{kind, FfiContext, FfiResult, ModuleInfo};
use nakama_runtime_abi::hooks::Hook;
use nakama_runtime_abi::matches::{compact, MatchAnswer, MatchCall};
use nakama_runtime_abi::matchmaker::MatchmakerEntry;
use nakama_runtime_abi::{storage_index, Code, ContextData, ContextMaps};

pub mod loader;
mod vtable;

pub use loader::{OpenedModule, EXTENSIONS};
pub use nakama_runtime_abi as abi;
pub use vtable::{BoxFuture, CallInfo, HostApi, LogRecord};
use vtable::{CallKind, ModuleName, Scope};

/// An error answered by a call: a gRPC code and a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({code})")]
pub struct CallError {
    pub code: Code,
    pub message: String,
}

impl CallError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        CallError {
            code,
            message: message.into(),
        }
    }
}

/// Why loading stopped.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {error}")]
    Io { path: PathBuf, error: String },
    #[error("refusing module {file} (nakama-runtime {sdk_version}): {detail}")]
    Incompatible {
        file: PathBuf,
        sdk_version: String,
        detail: String,
    },
    #[error(
        "refusing module {file} (ABI {}.{}, nakama-runtime {sdk_version}): its types do not match this host's ABI {}.{} \
         (the module was probably built from a modified or mismatched nakama-runtime; rebuild it against a released nakama-runtime):\n{detail}",
        module_abi.0, module_abi.1, nakama_runtime_abi::ABI_MAJOR, nakama_runtime_abi::ABI_MINOR
    )]
    Layout {
        file: PathBuf,
        module_abi: (u32, u32),
        sdk_version: String,
        detail: String,
    },
    #[error("module {module} ({file}) failed to initialise: {error}")]
    Init {
        module: String,
        file: PathBuf,
        error: CallError,
    },
    #[error("{what} is registered by two modules: {first} and {second}; rename or remove one")]
    Duplicate {
        what: String,
        first: String,
        second: String,
    },
}

/// One registration of a module, as the host sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// `rpc`, `before hook`, `after hook`.
    pub kind: &'static str,
    pub id: String,
    pub function: String,
    handler: u32,
    raw_kind: u8,
    /// Where [`Callee::Registered`] finds it (`None`: a kind of a newer
    /// ABI minor this host does not route).
    pub index: Option<u32>,
}

impl Registration {
    fn from_info(info: &ModuleInfo) -> Vec<Registration> {
        info.registrations
            .iter()
            .map(|r| Registration {
                kind: loader::kind_name(r.kind),
                id: r.id.to_string(),
                function: r.function.to_string(),
                handler: r.handler,
                raw_kind: r.kind,
                index: None,
            })
            .collect()
    }
}

/// A loaded and initialised module.
pub struct Module {
    pub opened: OpenedModule,
    pub registrations: Vec<Registration>,
    /// How its calls' scopes name it.
    name: ModuleName,
}

impl Module {
    /// A host handle for nk calls on the module's behalf outside any call
    /// (what its `Nakama::background` answers: the init context, valid as
    /// long as the process): for a test host's own fixtures.
    pub fn background(&self) -> abi::ffi::HostHandle {
        self.name.background()
    }
}

#[derive(Clone, Copy)]
struct Target {
    module: usize,
    handler: u32,
}

/// What a before hook decided.
#[derive(Debug, PartialEq, Eq)]
pub enum Before<T> {
    /// Go on with this (possibly changed) request.
    Proceed(T),
    /// The hook returned `None`: answer "Requested resource was not found."
    Drop,
}

/// The context of one call through the raw entry points
/// ([`Modules::call`], [`Modules::call_driven`],
/// [`Modules::call_rpc_tagged`]).
#[allow(clippy::large_enum_variant)] // built per call on the stack, never stored
pub enum CallContext<'a> {
    /// A decoded context; its maps are used unless `maps` is given.
    Data {
        data: &'a ContextData,
        /// The maps already as JSON: a host that has them as JSON passes
        /// them through without decoding and encoding them again. An empty
        /// env means the init context's env.
        maps: Option<ContextMaps>,
        /// See [`CallInfo::host_token`].
        host_token: u64,
    },
    /// The module's view, built by the host straight from its own wire
    /// form (the bridge): nothing is copied per call. An empty `env_json`
    /// means the init context's env (cheaper: [`Modules::init_env_json`]).
    View {
        ctx: &'a FfiContext<'a>,
        /// See [`CallInfo::host_token`].
        host_token: u64,
    },
}

impl<'a> CallContext<'a> {
    /// `data` with its own maps and no host token.
    pub fn new(data: &'a ContextData) -> CallContext<'a> {
        CallContext::Data {
            data,
            maps: None,
            host_token: 0,
        }
    }
}

/// Handlers (their index in `Modules::registered`) by RPC id or hook
/// name. Looked up on every call by name, with a fast hasher (SipHash was
/// a visible share of a call): the keys are the modules' own, callers only
/// look up, so there is no flooding to defend.
type Handlers = HashMap<String, u32, foldhash::fast::RandomState>;

/// A routed handler.
struct Registered {
    target: Target,
    /// The RPC id, hook name or match handler name.
    id: String,
    /// One of [`kind`].
    kind: u8,
}

impl Registered {
    fn kind(&self) -> CallKind<'_> {
        match self.kind {
            kind::BEFORE_HOOK | kind::BEFORE_RT => CallKind::Hook {
                name: &self.id,
                mode: "before",
            },
            kind::AFTER_HOOK | kind::AFTER_RT => CallKind::Hook {
                name: &self.id,
                mode: "after",
            },
            kind::MATCH => CallKind::Match,
            kind::MATCHMAKER_MATCHED => CallKind::Matchmaker,
            kind::EVENT | kind::EVENT_SESSION_START | kind::EVENT_SESSION_END => CallKind::Event,
            kind::TOURNAMENT_END
            | kind::TOURNAMENT_RESET
            | kind::LEADERBOARD_RESET
            | kind::MATCHMAKER_OVERRIDE
            | kind::MATCHMAKER_PROCESSOR
            | kind::PURCHASE_NOTIFICATION_APPLE
            | kind::SUBSCRIPTION_NOTIFICATION_APPLE
            | kind::PURCHASE_NOTIFICATION_GOOGLE
            | kind::SUBSCRIPTION_NOTIFICATION_GOOGLE => CallKind::Scheduled(&self.id),
            kind::HTTP | kind::CONSOLE_HTTP => CallKind::Http,
            kind::SHUTDOWN => CallKind::Shutdown,
            kind::STORAGE_INDEX => CallKind::StorageIndexFilter,
            kind::FLEET_MANAGER => CallKind::FleetManager,
            _ => CallKind::Rpc(&self.id),
        }
    }
}

/// Every loaded module, with its handlers indexed for dispatch.
pub struct Modules {
    modules: Vec<Module>,
    /// Every routed handler, in registration order
    /// ([`Registration::index`]).
    registered: Vec<Registered>,
    rpcs: Handlers,
    before: Handlers,
    after: Handlers,
    /// Match handlers by name.
    matches: Handlers,
    /// The matchmaker matched hook, under the empty id: at most one.
    matchmaker: Handlers,
    /// Realtime message hooks, by message name (`ChannelJoin`).
    before_rt: Handlers,
    after_rt: Handlers,
    /// Event handlers, by [`EventKind`]: every one runs, in load order.
    events: [Vec<u32>; 3],
    /// The leaderboard scheduler's callbacks and the matchmaker's override
    /// and processor, by their mode (`tournament_end`, ...): at most one
    /// each.
    scheduled: Handlers,
    /// Custom HTTP handlers, in load order: the first that matches answers.
    http: Vec<u32>,
    /// Custom HTTP handlers on the console's port (ABI 1.10), likewise.
    console_http: Vec<u32>,
    /// The shutdown hook, under the empty id: at most one.
    shutdown: Handlers,
    /// Storage index declarations by name (ABI 1.9): one per name.
    storage_indexes: Handlers,
    /// Storage index filters by index name: one per index.
    storage_filters: Handlers,
    /// The fleet manager's functions by name (ABI 1.12,
    /// [`abi::fleet_manager::op`]): one fleet manager per process.
    fleet: Handlers,
    api: Arc<dyn HostApi>,
    /// The init context's `env` as the modules receive it (JSON), for
    /// calls whose context has no env of its own: encoded once, not per
    /// call.
    init_env_json: String,
}

/// Something the loader says while loading (for the host's log).
#[derive(Debug, Clone)]
pub enum LoadEvent {
    Skipped {
        file: PathBuf,
        reason: String,
    },
    Loaded {
        name: String,
        file: PathBuf,
        sdk_version: String,
        abi: (u32, u32),
    },
    Registered {
        module: String,
        kind: &'static str,
        id: String,
    },
}

impl Modules {
    /// Loads every module under `path` (a folder, or one file): opens and
    /// checks them all, then initialises them in order and indexes their
    /// handlers. `init_ctx` is the context `#[init_module]` sees.
    pub async fn load(
        path: &std::path::Path,
        api: Arc<dyn HostApi>,
        init_ctx: ContextData,
        on_event: impl FnMut(LoadEvent),
    ) -> Result<Modules, LoadError> {
        Self::load_with_extensions(path, EXTENSIONS, api, init_ctx, on_event).await
    }

    /// [`Modules::load`] looking only at files with one of `extensions`
    /// (the bridge loads only `.rsmod`: every `.so` beside a real Nakama is
    /// a Go plugin).
    pub async fn load_with_extensions(
        path: &std::path::Path,
        extensions: &[&str],
        api: Arc<dyn HostApi>,
        init_ctx: ContextData,
        on_event: impl FnMut(LoadEvent),
    ) -> Result<Modules, LoadError> {
        Self::load_files(path, extensions, None, api, init_ctx, on_event).await
    }

    /// [`Modules::load`] from copies of the files made in folder `copies`
    /// ([`loader::open_copy`]): for a host that loads the folder again when
    /// its files change. Give each load a folder of its own.
    pub async fn load_copies(
        path: &std::path::Path,
        copies: &std::path::Path,
        api: Arc<dyn HostApi>,
        init_ctx: ContextData,
        on_event: impl FnMut(LoadEvent),
    ) -> Result<Modules, LoadError> {
        Self::load_files(path, EXTENSIONS, Some(copies), api, init_ctx, on_event).await
    }

    async fn load_files(
        path: &std::path::Path,
        extensions: &[&str],
        copies: Option<&std::path::Path>,
        api: Arc<dyn HostApi>,
        init_ctx: ContextData,
        mut on_event: impl FnMut(LoadEvent),
    ) -> Result<Modules, LoadError> {
        let mut opened = Vec::new();
        for file in loader::candidates(path, extensions)? {
            let checked = match copies {
                Some(dir) => loader::open_copy(&file, dir)?,
                None => loader::open(&file)?,
            };
            match checked {
                loader::Opened::Module(m) => opened.push(*m),
                loader::Opened::Skipped { file, reason } => {
                    on_event(LoadEvent::Skipped { file, reason })
                }
            }
        }
        Self::init_all(opened, api, init_ctx, on_event).await
    }

    /// Initialises opened modules in order and indexes their handlers.
    pub async fn init_all(
        opened: Vec<OpenedModule>,
        api: Arc<dyn HostApi>,
        init_ctx: ContextData,
        mut on_event: impl FnMut(LoadEvent),
    ) -> Result<Modules, LoadError> {
        let mut set = Modules {
            modules: Vec::new(),
            registered: Vec::new(),
            rpcs: Handlers::default(),
            before: Handlers::default(),
            after: Handlers::default(),
            matches: Handlers::default(),
            matchmaker: Handlers::default(),
            before_rt: Handlers::default(),
            after_rt: Handlers::default(),
            events: Default::default(),
            scheduled: Handlers::default(),
            http: Vec::new(),
            console_http: Vec::new(),
            shutdown: Handlers::default(),
            storage_indexes: Handlers::default(),
            storage_filters: Handlers::default(),
            fleet: Handlers::default(),
            api,
            init_env_json: String::new(),
        };
        let maps = init_ctx.encode_maps();
        set.init_env_json = maps.env_json().to_string();
        let ffi_ctx = init_ctx.as_ffi(&maps);
        // The init context again, for the modules' work outside calls,
        // which may outlive this load: kept for good, as the modules are.
        let background_ctx: &'static FfiContext<'static> = {
            let data: &'static ContextData = Box::leak(Box::new(init_ctx.clone()));
            let maps: &'static ContextMaps = Box::leak(Box::new(data.encode_maps()));
            Box::leak(Box::new(data.as_ffi(maps)))
        };
        for m in opened {
            on_event(LoadEvent::Loaded {
                name: m.name.clone(),
                file: m.file.clone(),
                sdk_version: m.sdk_version.clone(),
                abi: m.abi,
            });
            let name = vtable::module_name(&set.api, &m.name, background_ctx);
            let scope = Scope::new(&*set.api, &name, CallKind::Init, &ffi_ctx, 0);
            let fut = (m.root.init())(scope.handle(), &ffi_ctx);
            let result = AssertUnwindSafe(fut).catch_unwind().await;
            drop(scope);
            let info = match result {
                Ok(RResult::ROk(info)) => info,
                Ok(RResult::RErr(e)) => {
                    return Err(LoadError::Init {
                        module: m.name.clone(),
                        file: m.file.clone(),
                        error: CallError::new(Code::from_u32(e.code), e.message.to_string()),
                    })
                }
                Err(_) => {
                    return Err(LoadError::Init {
                        module: m.name.clone(),
                        file: m.file.clone(),
                        error: CallError::new(Code::Internal, "init panicked"),
                    })
                }
            };
            let index = set.modules.len();
            let mut registrations = Registration::from_info(&info);
            for r in &mut registrations {
                let at = set.registered.len() as u32;
                if let Some(event) = EventKind::of(r.raw_kind) {
                    // Any number, from any module: no duplicates to refuse.
                    set.events[event as usize].push(at);
                } else if r.raw_kind == kind::HTTP {
                    // As Nakama's router: any number, the first match wins.
                    set.http.push(at);
                } else if r.raw_kind == kind::CONSOLE_HTTP {
                    set.console_http.push(at);
                } else {
                    // The key a second registration must not repeat.
                    let mut key = r.id.clone();
                    let (table, what) = match r.raw_kind {
                        kind::RPC => (&mut set.rpcs, format!("RPC id \"{}\"", r.id)),
                        kind::BEFORE_HOOK => (&mut set.before, format!("before hook {}", r.id)),
                        kind::AFTER_HOOK => (&mut set.after, format!("after hook {}", r.id)),
                        kind::MATCH => (&mut set.matches, format!("match handler \"{}\"", r.id)),
                        kind::MATCHMAKER_MATCHED => {
                            (&mut set.matchmaker, "the matchmaker matched hook".into())
                        }
                        kind::BEFORE_RT => {
                            (&mut set.before_rt, format!("realtime before hook {}", r.id))
                        }
                        kind::AFTER_RT => {
                            (&mut set.after_rt, format!("realtime after hook {}", r.id))
                        }
                        kind::TOURNAMENT_END
                        | kind::TOURNAMENT_RESET
                        | kind::LEADERBOARD_RESET
                        | kind::MATCHMAKER_OVERRIDE
                        | kind::MATCHMAKER_PROCESSOR => (
                            &mut set.scheduled,
                            format!("the {} callback", r.id.replace('_', " ")),
                        ),
                        kind::PURCHASE_NOTIFICATION_APPLE
                        | kind::SUBSCRIPTION_NOTIFICATION_APPLE
                        | kind::PURCHASE_NOTIFICATION_GOOGLE
                        | kind::SUBSCRIPTION_NOTIFICATION_GOOGLE => (
                            &mut set.scheduled,
                            format!("the {}", loader::kind_name(r.raw_kind)),
                        ),
                        kind::SHUTDOWN => (&mut set.shutdown, "the shutdown hook".into()),
                        kind::FLEET_MANAGER => (&mut set.fleet, "the fleet manager".into()),
                        kind::STORAGE_INDEX => match storage_index::Registration::decode(&r.id) {
                            Ok(storage_index::Registration::Index(i)) => {
                                key = i.name;
                                let what = format!("storage index \"{key}\"");
                                (&mut set.storage_indexes, what)
                            }
                            Ok(storage_index::Registration::Filter(name)) => {
                                key = name;
                                let what = format!("the filter of storage index \"{key}\"");
                                (&mut set.storage_filters, what)
                            }
                            Err(_) => continue, // a shape from a newer minor
                        },
                        _ => continue, // a kind from a newer minor this host ignores
                    };
                    if let Some(&prev) = table.get(&key) {
                        let prev = set.registered[prev as usize].target;
                        let first = &set.modules[prev.module];
                        let first_fn = first
                            .registrations
                            .iter()
                            .find(|x| x.handler == prev.handler)
                            .map(|x| x.function.clone())
                            .unwrap_or_default();
                        return Err(LoadError::Duplicate {
                            what,
                            first: format!(
                                "{} ({first_fn}, {})",
                                first.opened.name,
                                first.opened.file.display()
                            ),
                            second: format!("{} ({}, {})", m.name, r.function, m.file.display()),
                        });
                    }
                    table.insert(key, at);
                }
                r.index = Some(at);
                set.registered.push(Registered {
                    target: Target {
                        module: index,
                        handler: r.handler,
                    },
                    id: r.id.clone(),
                    kind: r.raw_kind,
                });
                on_event(LoadEvent::Registered {
                    module: m.name.clone(),
                    kind: r.kind,
                    id: r.id.clone(),
                });
            }
            set.modules.push(Module {
                opened: m,
                registrations,
                name,
            });
        }
        Ok(set)
    }

    pub fn modules(&self) -> &[Module] {
        &self.modules
    }

    /// Whether an RPC id (any case) is registered.
    pub fn has_rpc(&self, id: &str) -> bool {
        self.rpcs.contains_key(id) || self.rpcs.contains_key(&id.to_lowercase())
    }

    pub fn has_before(&self, hook: &str) -> bool {
        self.before.contains_key(hook)
    }

    pub fn has_after(&self, hook: &str) -> bool {
        self.after.contains_key(hook)
    }

    /// Whether a module hooks realtime message `name` (`ChannelJoin`)
    /// before the server handles it.
    pub fn has_before_rt(&self, name: &str) -> bool {
        self.before_rt.contains_key(name)
    }

    /// Whether a module hooks realtime message `name` after the server
    /// handled it.
    pub fn has_after_rt(&self, name: &str) -> bool {
        self.after_rt.contains_key(name)
    }

    /// Whether a module registered the scheduler callback `mode`
    /// (`tournament_end`, `tournament_reset`, `leaderboard_reset`).
    pub fn has_scheduled(&self, mode: &str) -> bool {
        self.scheduled.contains_key(mode)
    }

    /// Calls the scheduler callback `mode` with `input` (the JSON of an
    /// `abi::scheduler` call); `None` if no module registered it.
    pub async fn call_scheduled(
        &self,
        mode: &str,
        ctx: &ContextData,
        input: &[u8],
    ) -> Option<Result<(), CallError>> {
        let r = &self.registered[*self.scheduled.get(mode)? as usize];
        Some(
            self.invoke(r.target, r.kind(), CallContext::new(ctx), input)
                .await
                .map(|_| ()),
        )
    }

    /// The custom HTTP handlers, in the order a request tries them.
    pub fn http_routes(&self) -> Vec<HttpRoute> {
        self.routes(&self.http)
    }

    /// The custom HTTP handlers of the console's port (ABI 1.10), in the
    /// order a request tries them; [`Modules::call_http`] calls them too.
    pub fn console_http_routes(&self) -> Vec<HttpRoute> {
        self.routes(&self.console_http)
    }

    fn routes(&self, indexes: &[u32]) -> Vec<HttpRoute> {
        indexes
            .iter()
            .map(|&index| {
                let r = &self.registered[index as usize];
                let (methods, pattern) = abi::http::parse_registration_id(&r.id);
                HttpRoute {
                    index,
                    methods,
                    pattern: pattern.to_string(),
                    module: self.modules[r.target.module].opened.name.clone(),
                }
            })
            .collect()
    }

    /// Calls custom HTTP handler `index` (an [`HttpRoute::index`]) with
    /// `req`. An answer that does not decode is `INTERNAL`.
    pub async fn call_http(
        &self,
        index: u32,
        ctx: CallContext<'_>,
        req: &abi::http::HttpRequest,
    ) -> Result<abi::http::HttpResponse, CallError> {
        let out = self
            .call(Callee::Registered(index), ctx, &req.encode())
            .await
            .unwrap_or_else(|| Err(CallError::new(Code::NotFound, "no such HTTP handler")))?;
        abi::http::HttpResponse::decode(&out).map_err(|e| {
            CallError::new(
                Code::Internal,
                format!("an HTTP handler answered an undecodable response: {e}"),
            )
        })
    }

    /// Whether a module registered the shutdown hook.
    pub fn has_shutdown(&self) -> bool {
        !self.shutdown.is_empty()
    }

    /// Calls the shutdown hook; `None` if no module registered one.
    pub async fn call_shutdown(&self, ctx: &ContextData) -> Option<Result<(), CallError>> {
        let r = &self.registered[*self.shutdown.get("")? as usize];
        Some(
            self.invoke(r.target, r.kind(), CallContext::new(ctx), &[])
                .await
                .map(|_| ()),
        )
    }

    /// Whether a module registered a fleet manager (ABI 1.12).
    pub fn has_fleet_manager(&self) -> bool {
        !self.fleet.is_empty()
    }

    /// The storage indexes the modules declared (ABI 1.9), in load order.
    pub fn storage_indexes(&self) -> Vec<storage_index::StorageIndex> {
        let mut at: Vec<u32> = self.storage_indexes.values().copied().collect();
        at.sort_unstable();
        at.into_iter()
            .filter_map(|i| {
                match storage_index::Registration::decode(&self.registered[i as usize].id) {
                    Ok(storage_index::Registration::Index(index)) => Some(index),
                    _ => None,
                }
            })
            .collect()
    }

    /// Whether a module registered a filter for storage index `name`.
    pub fn has_storage_index_filter(&self, name: &str) -> bool {
        self.storage_filters.contains_key(name)
    }

    /// Asks the filter of storage index `name` whether to index `write`
    /// (`None`: the index has no filter). An answer that is not a boolean
    /// is `INTERNAL`.
    pub async fn call_storage_index_filter(
        &self,
        name: &str,
        ctx: &ContextData,
        write: &nakama_runtime_abi::nk::StorageWriteOp,
    ) -> Option<Result<bool, CallError>> {
        let r = &self.registered[*self.storage_filters.get(name)? as usize];
        let input = serde_json::to_vec(write).unwrap_or_default();
        let out = self
            .invoke(r.target, r.kind(), CallContext::new(ctx), &input)
            .await;
        Some(out.and_then(|out| {
            storage_index::decode_answer(&out).ok_or_else(|| {
                CallError::new(
                    Code::Internal,
                    "a storage index filter answered neither true nor false",
                )
            })
        }))
    }

    /// Whether a module registered a handler of `event`s.
    pub fn has_event_handlers(&self, event: EventKind) -> bool {
        !self.events[event as usize].is_empty()
    }

    /// Runs every handler of `event`s (in load order, one after the
    /// other) with `evt`; answers the failures, each with the module's
    /// name, for the host to log (Nakama's Go runtime drops them: an event
    /// handler returns nothing).
    pub async fn call_events(
        &self,
        event: EventKind,
        ctx: &ContextData,
        evt: &abi::api::Event,
    ) -> Vec<(String, CallError)> {
        let mut failed = Vec::new();
        let input = match serde_json::to_vec(evt) {
            Ok(v) => v,
            Err(e) => return vec![(String::new(), CallError::new(Code::Internal, e.to_string()))],
        };
        for &index in &self.events[event as usize] {
            let r = &self.registered[index as usize];
            if let Err(e) = self
                .invoke(r.target, r.kind(), CallContext::new(ctx), &input)
                .await
            {
                failed.push((self.modules[r.target.module].opened.name.clone(), e));
            }
        }
        failed
    }

    /// Whether a match handler is registered under `name`.
    pub fn has_match(&self, name: &str) -> bool {
        self.matches.contains_key(name)
    }

    /// Whether a module registered the matchmaker matched hook.
    pub fn has_matchmaker_matched(&self) -> bool {
        !self.matchmaker.is_empty()
    }

    /// Registered match handler names, sorted.
    pub fn match_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.matches.keys().map(String::as_str).collect();
        v.sort();
        v
    }

    /// Registered RPC ids, sorted.
    pub fn rpc_ids(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.rpcs.keys().map(String::as_str).collect();
        v.sort();
        v
    }

    /// What the host handle of a call to module `index` points at.
    fn scope<'a>(
        &'a self,
        index: usize,
        kind: CallKind<'a>,
        ctx: &'a FfiContext<'a>,
        host_token: u64,
    ) -> Scope<'a> {
        Scope::new(&*self.api, &self.modules[index].name, kind, ctx, host_token)
    }

    /// Calls one handler; a panic anywhere becomes `INTERNAL`.
    async fn invoke(
        &self,
        target: Target,
        kind: CallKind<'_>,
        call: CallContext<'_>,
        input: &[u8],
    ) -> Result<Output, CallError> {
        let (mut maps, mut owned) = (None, None);
        let (ffi_ctx, host_token) = self.resolve(call, &mut maps, &mut owned);
        // Lives in this future, which outlives the module future below.
        let scope = self.scope(target.module, kind, ffi_ctx, host_token);
        let module = &self.modules[target.module];
        let fut = (module.opened.root.call())(
            target.handler,
            scope.handle(),
            ffi_ctx,
            RSlice::from_slice(input),
        );
        answer(AssertUnwindSafe(fut).catch_unwind().await.map(Ok))
    }

    /// Calls `callee` and drives the module's future with `drive` on this
    /// thread instead of awaiting it: for a host that completes its calls
    /// in place (the bridge), this leaves out the async layers around the
    /// module's future. `drive` polls the future until it is ready, or
    /// answers the error the call gets instead (a timeout); the future is
    /// dropped when `drive` returns. A panic anywhere becomes `INTERNAL`.
    /// `None`: nothing is registered as `callee`.
    pub fn call_driven(
        &self,
        callee: Callee<'_>,
        call: CallContext<'_>,
        input: &[u8],
        drive: impl for<'f> FnOnce(&mut CallFuture<'f>) -> Result<FfiResult, CallError>,
    ) -> Option<Result<Output, CallError>> {
        let (target, kind) = self.target(callee)?;
        let (mut maps, mut owned) = (None, None);
        let (ffi_ctx, host_token) = self.resolve(call, &mut maps, &mut owned);
        let module = &self.modules[target.module];
        // Declared before the future, so it is dropped after it.
        let scope = self.scope(target.module, kind, ffi_ctx, host_token);
        let mut fut = (module.opened.root.call())(
            target.handler,
            scope.handle(),
            ffi_ctx,
            RSlice::from_slice(input),
        );
        Some(answer(std::panic::catch_unwind(AssertUnwindSafe(|| {
            drive(&mut fut)
        }))))
    }

    /// The handler registered as `callee`, and how its calls are named.
    fn target<'s>(&'s self, callee: Callee<'_>) -> Option<(Target, CallKind<'s>)> {
        // The bridge names every call by index; the names' match is out of
        // line so that its calls do not read the match's jump table (a
        // cold line of the library's data per call under load).
        let index = match callee {
            Callee::Registered(index) => index,
            named => self.index_of(named)?,
        };
        let r = self.registered.get(index as usize)?;
        Some((r.target, r.kind()))
    }

    /// The index of the handler registered under a name.
    #[inline(never)]
    fn index_of(&self, callee: Callee<'_>) -> Option<u32> {
        Some(match callee {
            Callee::Registered(index) => index,
            // Ids are stored lower-cased; lower-case the request's only if
            // needed.
            Callee::Rpc(id) => match self.rpcs.get(id) {
                Some(&i) => i,
                None => *self.rpcs.get(&id.to_lowercase())?,
            },
            Callee::Before(hook) => *self.before.get(hook)?,
            Callee::After(hook) => *self.after.get(hook)?,
            Callee::Match(name) => *self.matches.get(name)?,
            Callee::MatchmakerMatched => *self.matchmaker.get("")?,
            Callee::BeforeRt(name) => *self.before_rt.get(name)?,
            Callee::AfterRt(name) => *self.after_rt.get(name)?,
            Callee::FleetManager(function) => *self.fleet.get(function)?,
        })
    }

    /// The module's view of a call's context, and its host token. A view
    /// without env gets the init env; decoded data is encoded into `maps`
    /// and viewed in `owned`.
    fn resolve<'c>(
        &'c self,
        call: CallContext<'c>,
        maps: &'c mut Option<ContextMaps>,
        owned: &'c mut Option<FfiContext<'c>>,
    ) -> (&'c FfiContext<'c>, u64) {
        match call {
            CallContext::Data {
                data,
                maps: given,
                host_token,
            } => {
                let maps: &ContextMaps =
                    maps.insert(self.with_env(given.unwrap_or_else(|| data.encode_maps()), data));
                (owned.insert(data.as_ffi(maps)), host_token)
            }
            CallContext::View { ctx, host_token } if ctx.env_json.is_empty() => {
                let view = FfiContext {
                    env_json: RStr::from_str(&self.init_env_json),
                    ..*ctx
                };
                (owned.insert(view), host_token)
            }
            CallContext::View { ctx, host_token } => (ctx, host_token),
        }
    }

    /// The init context's env as modules receive it (a JSON object, empty
    /// for no env): what a host puts in a call's `env_json`.
    pub fn init_env_json(&self) -> &str {
        &self.init_env_json
    }

    /// `maps` with an env: its own, the context's, or the init env.
    fn with_env(&self, mut maps: ContextMaps, ctx: &ContextData) -> ContextMaps {
        if maps.env_json().is_empty() {
            if ctx.env.is_empty() {
                maps.set_env_json(&self.init_env_json);
            } else {
                maps.set_env_json(&serde_json::to_string(&ctx.env).unwrap_or_default());
            }
        }
        maps
    }

    /// Calls RPC `id` (any case) with a raw payload. `None` if no module
    /// registered it.
    pub async fn call_rpc(
        &self,
        id: &str,
        ctx: &ContextData,
        payload: Vec<u8>,
    ) -> Option<Result<Vec<u8>, CallError>> {
        self.call_rpc_tagged(id, CallContext::new(ctx), &payload)
            .await
            .map(|r| r.map(Output::into_vec))
    }

    /// [`Modules::call_rpc`] with a [`CallContext`] (host token, maps
    /// already encoded).
    pub async fn call_rpc_tagged(
        &self,
        id: &str,
        ctx: CallContext<'_>,
        payload: &[u8],
    ) -> Option<Result<Output, CallError>> {
        self.call(Callee::Rpc(id), ctx, payload).await
    }

    /// Runs the before hook of `H` (an API call or a realtime message), if
    /// any. Without a hook the request goes on unchanged.
    pub async fn before<H: Hook>(
        &self,
        ctx: &ContextData,
        req: H::Request,
    ) -> Result<Before<H::Request>, CallError> {
        let callee = if H::REALTIME {
            Callee::BeforeRt(H::NAME)
        } else {
            Callee::Before(H::NAME)
        };
        let Some((target, kind)) = self.target(callee) else {
            return Ok(Before::Proceed(req));
        };
        let input = encode(&req)?;
        let out = self
            .invoke(target, kind, CallContext::new(ctx), &input)
            .await?;
        if std::any::TypeId::of::<H::Request>() == std::any::TypeId::of::<()>() {
            return Ok(Before::Proceed(req));
        }
        if out.is_empty() {
            return Ok(Before::Drop);
        }
        serde_json::from_slice(&out)
            .map(Before::Proceed)
            .map_err(|e| {
                CallError::new(
                    Code::Internal,
                    format!(
                        "before hook {} answered an undecodable request: {e}",
                        H::NAME
                    ),
                )
            })
    }

    /// Runs the after hook of `H`, if any. Its error is returned for the
    /// host to log; Nakama does not send it to the client.
    pub async fn after<H: Hook>(
        &self,
        ctx: &ContextData,
        out: &H::Response,
        req: &H::Request,
    ) -> Result<(), CallError> {
        let callee = if H::REALTIME {
            Callee::AfterRt(H::NAME)
        } else {
            Callee::After(H::NAME)
        };
        let Some((target, kind)) = self.target(callee) else {
            return Ok(());
        };
        #[derive(serde::Serialize)]
        struct AfterInput<'a, O, I> {
            out: &'a O,
            #[serde(rename = "in")]
            req: &'a I,
        }
        let input = encode(&AfterInput { out, req })?;
        self.invoke(target, kind, CallContext::new(ctx), &input)
            .await
            .map(|_| ())
    }

    /// Calls match handler `name` with one event of one of its matches
    /// (see [`abi::matches`]): a `loop` call in compact form to a module of
    /// ABI 1.16 or later, any other call in JSON. `None`: no module
    /// registered `name`. An answer that does not decode is `INTERNAL`.
    pub async fn call_match(
        &self,
        name: &str,
        ctx: &ContextData,
        call: &MatchCall,
    ) -> Option<Result<MatchAnswer, CallError>> {
        let (target, kind) = self.target(Callee::Match(name))?;
        let compact_form = self.modules[target.module].opened.abi >= (1, 16);
        let input = match compact_form.then(|| compact::write_call(call)).flatten() {
            Some(input) => Ok(input),
            None => encode(call),
        };
        let out = match input {
            Ok(input) => {
                self.invoke(target, kind, CallContext::new(ctx), &input)
                    .await
            }
            Err(e) => Err(e),
        };
        let undecodable = |why: &dyn std::fmt::Display| {
            CallError::new(
                Code::Internal,
                format!("match handler {name} answered an undecodable answer: {why}"),
            )
        };
        Some(out.and_then(|out| {
            if compact::is_compact(&out) {
                compact::read_answer(&out).ok_or_else(|| undecodable(&"bad compact form"))
            } else {
                serde_json::from_slice(&out).map_err(|e| undecodable(&e))
            }
        }))
    }

    /// Calls `callee` with `input` encoded as JSON. `None`: nothing is
    /// registered as `callee`.
    async fn call_encoded<T: serde::Serialize>(
        &self,
        callee: Callee<'_>,
        ctx: &ContextData,
        input: &T,
    ) -> Option<Result<Output, CallError>> {
        let (target, kind) = self.target(callee)?;
        Some(match encode(input) {
            Ok(input) => {
                self.invoke(target, kind, CallContext::new(ctx), &input)
                    .await
            }
            Err(e) => Err(e),
        })
    }

    /// Calls the matchmaker override ([`abi::mode::MATCHMAKER_OVERRIDE`],
    /// `input` the candidate groups) or processor
    /// ([`abi::mode::MATCHMAKER_PROCESSOR`], `input` every entry in the
    /// pool) and answers the groups it chose, as the module wrote them
    /// (see [`abi::matchmaker::resolve_groups`]). `None`: no module
    /// registered it.
    pub async fn matchmaker_groups<T: serde::Serialize>(
        &self,
        mode: &str,
        ctx: &ContextData,
        input: &T,
    ) -> Option<Result<Vec<Vec<MatchmakerEntry>>, CallError>> {
        let index = *self.scheduled.get(mode)?;
        let out = match self
            .call_encoded(Callee::Registered(index), ctx, input)
            .await?
        {
            Ok(out) => out,
            Err(e) => return Some(Err(e)),
        };
        Some(serde_json::from_slice(&out).map_err(|e| {
            CallError::new(
                Code::Internal,
                format!(
                    "the {} answered groups that do not decode: {e}",
                    mode.replace('_', " ")
                ),
            )
        }))
    }

    /// Calls the matchmaker matched hook with one matched group. `None`:
    /// no module registered it. `Ok(None)`: it made no match (it answered
    /// nothing), so the users get a relayed match token, as in Nakama.
    pub async fn matchmaker_matched(
        &self,
        ctx: &ContextData,
        entries: &[MatchmakerEntry],
    ) -> Option<Result<Option<String>, CallError>> {
        let out = match self
            .call_encoded(Callee::MatchmakerMatched, ctx, &entries)
            .await?
        {
            Ok(out) => out,
            Err(e) => return Some(Err(e)),
        };
        Some(match std::str::from_utf8(&out) {
            Ok("") => Ok(None),
            Ok(id) => Ok(Some(id.to_string())),
            Err(_) => Err(CallError::new(
                Code::Internal,
                "the matchmaker matched hook answered a match id that is not UTF-8",
            )),
        })
    }

    /// Calls `callee` with its encoded input (a hook's request, an after
    /// hook's `{"out":..,"in":..}`: for hosts that pass JSON through, like
    /// the bridge) and awaits the module's answer. `None`: nothing is
    /// registered as `callee`.
    pub async fn call(
        &self,
        callee: Callee<'_>,
        ctx: CallContext<'_>,
        input: &[u8],
    ) -> Option<Result<Output, CallError>> {
        let (target, kind) = self.target(callee)?;
        Some(self.invoke(target, kind, ctx, input).await)
    }
}

/// A custom HTTP handler as a host routes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    /// What [`Modules::call_http`] takes.
    pub index: u32,
    /// Upper-cased; empty: any method.
    pub methods: Vec<String>,
    /// The gorilla/mux path template (`/guild/{id}`).
    pub pattern: String,
    /// The module that registered it.
    pub module: String,
}

/// Which events a handler takes (Nakama's `RegisterEvent`,
/// `RegisterEventSessionStart`, `RegisterEventSessionEnd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Events clients send and modules publish.
    Event = 0,
    /// `session_start`, when a realtime session starts.
    SessionStart = 1,
    /// `session_end`, when it ends.
    SessionEnd = 2,
}

impl EventKind {
    /// The kind of a registration, if it is an event handler's.
    pub fn of(raw_kind: u8) -> Option<EventKind> {
        match raw_kind {
            kind::EVENT => Some(EventKind::Event),
            kind::EVENT_SESSION_START => Some(EventKind::SessionStart),
            kind::EVENT_SESSION_END => Some(EventKind::SessionEnd),
            _ => None,
        }
    }
}

/// A handler to call: an RPC id (any case), the name of a hooked API
/// call, or a handler's [`Registration::index`].
#[derive(Debug, Clone, Copy)]
pub enum Callee<'a> {
    Rpc(&'a str),
    Before(&'a str),
    After(&'a str),
    /// A match handler, by the name it was registered under.
    Match(&'a str),
    /// The matchmaker matched hook (one per process).
    MatchmakerMatched,
    /// The hook before realtime message `name` (`ChannelJoin`, see
    /// [`abi::rtapi`]): its input is the message, its answer the message
    /// to go on with, empty to refuse it.
    BeforeRt(&'a str),
    /// The hook after realtime message `name`: its input is
    /// `{"out":..,"in":..}`, its answer empty.
    AfterRt(&'a str),
    /// Function `name` of the fleet manager a module registered (ABI 1.12,
    /// [`abi::fleet_manager`]): `get`, `list`, `create`, `join`,
    /// `update`, `delete`.
    FleetManager(&'a str),
    /// Resolved once, when the host registered the handler, instead of by
    /// name on every call (the bridge: a call then touches less memory,
    /// which is most of what it costs inside a loaded Nakama).
    Registered(u32),
}

/// A module's future for one call, as [`Modules::call_driven`] hands it
/// to its driver.
pub type CallFuture<'a> = BorrowingFfiFuture<'a, FfiResult>;

/// A call's outcome from the module's answer; a caught panic is
/// `INTERNAL`.
fn answer(
    done: Result<Result<FfiResult, CallError>, Box<dyn std::any::Any + Send>>,
) -> Result<Output, CallError> {
    match done {
        Ok(Ok(RResult::ROk(bytes))) => Ok(Output(bytes)),
        Ok(Ok(RResult::RErr(e))) => Err(CallError::new(Code::from_u32(e.code), e.message.as_str())),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(CallError::new(Code::Internal, "module handler panicked")),
    }
}

/// What a module handler answered, still in the module's buffer: hosts
/// read it in place or take it as a `Vec` (a copy: the buffer belongs to
/// the module's allocator).
pub struct Output(RVec<u8>);

impl Output {
    pub fn into_vec(self) -> Vec<u8> {
        self.0.into_vec()
    }
}

impl std::ops::Deref for Output {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

impl AsRef<[u8]> for Output {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Output({:?})", String::from_utf8_lossy(self))
    }
}

fn encode<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, CallError> {
    serde_json::to_vec(v)
        .map_err(|e| CallError::new(Code::Internal, format!("encoding failed: {e}")))
}
