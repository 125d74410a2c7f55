//! Test Nakama Rust modules with plain `cargo test`: no Docker, no
//! PostgreSQL, no Nakama.
//!
//! A [`TestHost`] runs the module's handlers against the dev host's real
//! nk implementation on a fresh in-memory SQLite database. Two modes, same
//! API: [`TestHost::new`] runs the handlers compiled into the test binary
//! (fast, debuggable), [`TestHost::load`] loads a built `.so` through the
//! real loader (what production runs).
//!
//! ```ignore
//! #[tokio::test]
//! async fn guild_names_are_unique() {
//!     let host = TestHost::new().await;                 // :memory: SQLite, fresh
//!     let alice = host.user("alice").await;             // an account + session
//!     let g: Guild = host.rpc(&alice, create_guild, &CreateGuild { name: "g1".into() })
//!         .await.unwrap();
//!     assert_eq!(g.owner, alice.id());
//!     let err = host.rpc(&alice, create_guild, &CreateGuild { name: "g1".into() })
//!         .await.unwrap_err();
//!     assert_eq!(err.code(), Code::AlreadyExists);
//!     let kept: Guild = host.stored(None, "guilds", "g1").await.unwrap();
//!     assert_eq!(kept.owner, alice.id());
//! }
//! ```
//!
//! - Calls: RPCs by handler (typed) or by id (raw), before/after hooks by
//!   call or realtime message, as a user, with the http key, with headers, query params, vars
//!   ([`Call`]); the answer is the result or an [`Error`] with its code.
//! - Fixtures: users with custom or device ids and wallets
//!   ([`TestHost::account`]), storage objects (typed:
//!   [`TestHost::put_json`], [`TestHost::stored`]), wallet credits,
//!   notifications, leaderboard scores, tournament joins and scores.
//! - Views: storage, wallets, ledgers, notifications, leaderboards,
//!   tournaments, the
//!   log lines the module wrote.
//! - Sockets ([`TestHost::connect`]): what a user's open socket receives
//!   (notifications, matchmaker results, chat in the rooms it joined).
//! - Stubs ([`TestHost::stub_nk`]): any nk function answered by the test
//!   instead (Satori, store validation, social providers, failures), with
//!   the arguments the module sent ([`TestHost::stubbed_calls`]).
//! - What a server runs on its own, run when the test asks: the
//!   leaderboard scheduler ([`TestHost::run_scheduler`]), a matchmaker
//!   pass ([`TestHost::matchmaker_process`]), queued events
//!   ([`TestHost::settle_events`]), the shutdown hook
//!   ([`TestHost::shutdown`]), a store's notification
//!   ([`TestHost::purchase_notification`],
//!   [`TestHost::subscription_notification`]).
//! - Time: the database's clock is settable ([`TestHost::clock`]); each
//!   host has its own database and clock, so tests run in parallel.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex};

use nakama_devhost::channels::Channels;
use nakama_devhost::db::{self, leaderboard, tournament, Caller, Clock, Db};
use nakama_devhost::events::Events;
use nakama_devhost::http::custom::{self, Routes};
use nakama_devhost::log::Logger;
use nakama_devhost::matches::Matches;
/// A `matchmaker_add`'s ticket ([`Connection::matchmaker_add`]).
pub use nakama_devhost::matchmaker::TicketRequest as MatchmakerAdd;
use nakama_devhost::matchmaker::{Matchmaker, MatchmakerConfig};
use nakama_devhost::metrics::Metrics;
use nakama_devhost::nk::DevHostApi;
use nakama_devhost::online::Online;
/// What the matchmaker told a socket ([`Connection::matched`]).
pub use nakama_devhost::online::{Matched, MatchedId};
use nakama_devhost::scheduler::Scheduler;
use nakama_devhost::session::Sessions;
use nakama_devhost::status::Statuses;
use nakama_devhost::storage_index::StorageIndexes;
use nakama_runtime::api;
use nakama_runtime::hooks::Hook;
use nakama_runtime::nk;
use nakama_runtime::store_notification::{PurchaseNotification, Store, SubscriptionNotification};
use nakama_runtime::MatchmakerEntry;
use nakama_runtime::{Code, Error, HttpResponse, Nakama, RpcFn};
use nakama_runtime_host::abi::ffi::FfiContext;
use nakama_runtime_host::abi::{mode, ContextData};
use nakama_runtime_host::{
    Before, BoxFuture, CallContext, CallError, EventKind, HostApi, LogRecord, Modules, OpenedModule,
};
use serde::{de::DeserializeOwned, Serialize};

mod fixtures;
mod matches;
mod socket;

pub use fixtures::{AccountFixture, Storage};
pub use matches::{MatchClient, PresenceEvent, Received};
pub use nakama_runtime::Presence;
pub use socket::Connection;

/// One log line a handler wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// `debug`, `info`, `warn`, `error`.
    pub level: &'static str,
    pub message: String,
    /// `file:line` in the module.
    pub caller: String,
    /// Extra fields, as JSON text (empty for none).
    pub fields: String,
}

/// A test's answer to one nk function ([`TestHost::stub_nk`]): encoded
/// arguments in, encoded answer out.
type Stub = Arc<dyn Fn(&[u8]) -> Result<Vec<u8>, CallError> + Send + Sync>;

/// Records log lines, answers nk calls with the dev host's implementation
/// or the test's stubs.
struct Recorder {
    inner: DevHostApi,
    lines: Mutex<Vec<LogLine>>,
    stubs: Mutex<HashMap<&'static str, Stub>>,
    /// The stubbed calls so far: function name and encoded arguments.
    stubbed: Mutex<Vec<(String, Vec<u8>)>>,
}

impl HostApi for Recorder {
    fn log(&self, r: LogRecord<'_>) {
        let level = match r.level {
            1 => "debug",
            3 => "warn",
            4 => "error",
            _ => "info",
        };
        self.lines.lock().unwrap().push(LogLine {
            level,
            message: r.message.to_string(),
            caller: r.caller.to_string(),
            fields: r.fields.to_string(),
        });
    }

    fn nk_call(
        &self,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        self.stubbed_call(function, args)
            .unwrap_or_else(|| self.inner.nk_call(host_token, function, args))
    }

    // The dev host's answer may depend on the caller (an event's handlers
    // and a fleet manager get its context, Satori its address).
    fn nk_call_from(
        &self,
        caller: &FfiContext<'_>,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        self.stubbed_call(function, args)
            .unwrap_or_else(|| self.inner.nk_call_from(caller, host_token, function, args))
    }
}

impl Recorder {
    /// The test's stub's answer to `function`, if it stubbed it.
    fn stubbed_call(
        &self,
        function: &str,
        args: &[u8],
    ) -> Option<BoxFuture<'static, Result<Vec<u8>, CallError>>> {
        let stub = self.stubs.lock().unwrap().get(function).cloned();
        if let Some(stub) = stub {
            let name = function.to_string();
            self.stubbed
                .lock()
                .unwrap()
                .push((name.clone(), args.to_vec()));
            // The stub is the test's code, run inside the module's call: a
            // panic must not unwind into the module.
            let answer =
                std::panic::catch_unwind(AssertUnwindSafe(|| stub(args))).unwrap_or_else(|p| {
                    let what = p
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| p.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Err(CallError::new(
                        Code::Internal,
                        format!("the test's stub of nk function {name} panicked: {what}"),
                    ))
                });
            return Some(Box::pin(async move { answer }));
        }
        None
    }
}

/// A user of the test host, with a session.
#[derive(Debug, Clone)]
pub struct User {
    id: String,
    username: String,
}

impl User {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn username(&self) -> &str {
        &self.username
    }
}

/// Who calls and with what request metadata.
#[derive(Debug, Clone, Default)]
pub struct Call {
    user: Option<User>,
    headers: HashMap<String, Vec<String>>,
    query: HashMap<String, Vec<String>>,
    vars: HashMap<String, String>,
}

impl Call {
    /// As this user (with a session).
    pub fn user(user: &User) -> Call {
        Call {
            user: Some(user.clone()),
            ..Default::default()
        }
    }

    /// Server to server, with the http key: no user.
    pub fn http_key() -> Call {
        Call::default()
    }

    pub fn header(mut self, name: &str, value: &str) -> Call {
        self.headers
            .entry(name.to_string())
            .or_default()
            .push(value.to_string());
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Call {
        self.query
            .entry(name.to_string())
            .or_default()
            .push(value.to_string());
        self
    }

    /// A session variable (needs a user).
    pub fn var(mut self, name: &str, value: &str) -> Call {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }
}

/// A host for one test: fresh database, the module loaded and initialised.
pub struct TestHost {
    modules: Arc<Modules>,
    db: Db,
    /// Matches tick only when a test asks ([`TestHost::match_tick`]).
    matches: Matches,
    /// The users' open "sockets" ([`TestHost::connect`]).
    online: Online,
    /// Passes only when a test asks ([`TestHost::matchmaker_process`]).
    matchmaker: Matchmaker,
    recorder: Arc<Recorder>,
    /// The queue of the module's event handlers.
    events: Events,
    /// Runs the module's tournament and leaderboard callbacks when asked.
    scheduler: Scheduler,
    /// The module's custom HTTP handlers ([`TestHost::http`]).
    http_routes: Routes,
    /// The env the module's context has (`runtime.env`).
    env: HashMap<String, String>,
    /// The copies of the module files this host loaded (see [`TestHost::load`]).
    _copies: Option<tempfile::TempDir>,
}

fn to_error(e: CallError) -> Error {
    Error::new(e.code, e.message)
}

impl TestHost {
    async fn start(
        opened: Option<OpenedModule>,
        path: Option<&Path>,
        env: HashMap<String, String>,
    ) -> Result<TestHost, String> {
        let db = Db::open(":memory:")?;
        // The dev host's default settings, with this host's node name,
        // session keys and env: what the module's `nk.config()` answers.
        let config = nakama_devhost::config::Config {
            name: "test".into(),
            runtime_env: env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            session_encryption_key: "test-session-key".into(),
            session_refresh_encryption_key: "test-refresh-key".into(),
            session_token_expiry_sec: 3600,
            session_refresh_token_expiry_sec: 7200,
            ..Default::default()
        };
        let sessions = Arc::new(Sessions::new(
            &config.session_encryption_key,
            &config.session_refresh_encryption_key,
            config.session_token_expiry_sec,
            config.session_refresh_token_expiry_sec,
        ));
        let misc = nakama_devhost::nk::Extras::new(Default::default(), config.server_config());
        let online = Online::default();
        let matches = Matches::manual(
            "test",
            "test",
            Logger::new("error", "json"),
            online.streams.clone(),
        );
        let ctx = ContextData {
            execution_mode: mode::RUN_ONCE.into(),
            node: "test".into(),
            env: env.clone(),
            ..Default::default()
        };
        let scheduler = Scheduler::new(db.clone(), &ctx, Logger::new("error", "json"));
        let storage_indexes = StorageIndexes::new(db.clone(), &ctx, Logger::new("error", "json"));
        let events = Events::new(
            nakama_devhost::events::QUEUE_SIZE,
            nakama_devhost::events::WORKERS,
            &ctx,
            Logger::new("error", "json"),
        );
        let recorder = Arc::new(Recorder {
            inner: DevHostApi {
                db: db.clone(),
                log: Logger::new("error", "json"),
                sessions,
                matches: matches.clone(),
                online: online.clone(),
                channels: Channels::new(db.clone(), online.clone(), Logger::new("error", "json")),
                status: Statuses::new(db.clone(), Logger::new("error", "json")),
                events: events.clone(),
                misc,
                storage_indexes: storage_indexes.clone(),
                metrics: Arc::new(Metrics::recording(&Default::default(), "test")),
            },
            lines: Mutex::new(Vec::new()),
            stubs: Mutex::default(),
            stubbed: Mutex::default(),
        });
        let api: Arc<dyn HostApi> = recorder.clone();
        let mut copies = None;
        let modules = match (opened, path) {
            (Some(m), _) => Modules::init_all(vec![m], api, ctx, |_| {}).await,
            (None, Some(p)) => {
                let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
                let loaded = Modules::load_copies(p, dir.path(), api, ctx, |_| {}).await;
                copies = Some(dir);
                loaded
            }
            (None, None) => unreachable!("one of the two is given"),
        }
        .map_err(|e| e.to_string())?;
        let modules = Arc::new(modules);
        matches.set_modules(modules.clone());
        events.set_modules(modules.clone());
        scheduler.set_modules(modules.clone());
        storage_indexes.set_modules(modules.clone()).await;
        recorder.inner.misc.fleet.set_modules(modules.clone());
        let matchmaker = Matchmaker::new(
            MatchmakerConfig::default(),
            "test",
            "test",
            "test-session-key",
            Logger::new("error", "json"),
            online.clone(),
        );
        matchmaker.set_modules(modules.clone());
        let http_routes = Routes::new(modules.clone(), &Logger::new("error", "json"))?;
        Ok(TestHost {
            http_routes,
            env,
            modules,
            db,
            matches,
            online,
            matchmaker,
            recorder,
            events,
            scheduler,
            _copies: copies,
        })
    }

    /// The handlers compiled into this test binary, on a fresh database.
    pub async fn new() -> TestHost {
        let root = nakama_runtime::__private::in_process_root();
        TestHost::start(Some(OpenedModule::in_process(root)), None, HashMap::new())
            .await
            .unwrap_or_else(|e| panic!("test host: {e}"))
    }

    /// [`TestHost::new`] with `runtime.env` entries: the env every context
    /// of the module has ([`Context::env`](nakama_runtime::Context::env)).
    pub async fn with_env(env: &[(&str, &str)]) -> TestHost {
        let root = nakama_runtime::__private::in_process_root();
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TestHost::start(Some(OpenedModule::in_process(root)), None, env)
            .await
            .unwrap_or_else(|e| panic!("test host: {e}"))
    }

    /// A built module file (or a folder of them) through the real loader.
    /// Each host loads copies of the files, so each has a module of its
    /// own: statics in the module do not carry over from one test to the
    /// next, and a file rebuilt while tests run is loaded as it is now.
    pub async fn load(path: impl AsRef<Path>) -> TestHost {
        TestHost::start(None, Some(path.as_ref()), HashMap::new())
            .await
            .unwrap_or_else(|e| panic!("test host: {e}"))
    }

    /// Creates (or finds) an account with this username (custom id
    /// `test-user-<username>`).
    pub async fn user(&self, username: &str) -> User {
        self.account(username).create().await
    }

    /// An account to create with more detail: its custom or device id, a
    /// wallet. `host.account("bob").device_id("phone-1").wallet(&[("gold", 10)]).create().await`
    pub fn account(&self, username: &str) -> AccountFixture<'_> {
        AccountFixture {
            host: self,
            username: username.to_string(),
            id: None,
            wallet: Vec::new(),
        }
    }

    /// The clock the database writes times with (system time until set):
    /// `host.clock().set(1_700_000_000)`, `host.clock().advance(3600)`.
    pub fn clock(&self) -> &Clock {
        self.db.clock()
    }

    /// Storage as the server sees it (no permission checks).
    pub fn storage(&self) -> Storage<'_> {
        Storage { host: self }
    }

    /// Sends a notification to `user` as the server (a fixture).
    pub async fn notify(&self, user: &User, subject: &str, content: serde_json::Value, code: i32) {
        let args = nk::NotificationSendArgs {
            user_id: user.id.clone(),
            subject: subject.into(),
            content: content.as_object().cloned().unwrap_or_default(),
            code,
            sender_id: String::new(),
            persistent: true,
        };
        self.db
            .run(move |c| db::notification_send(c, &args))
            .await
            .unwrap_or_else(|e| panic!("notification fixture: {}", e.message));
    }

    fn context(&self, call: &Call, execution_mode: &str) -> ContextData {
        let user = call.user.as_ref();
        ContextData {
            execution_mode: execution_mode.into(),
            node: "test".into(),
            user_id: user.map(|u| u.id.clone()),
            username: user.map(|u| u.username.clone()),
            vars: (user.is_some() && !call.vars.is_empty()).then(|| call.vars.clone()),
            env: self.env.clone(),
            headers: call.headers.clone(),
            query_params: call.query.clone(),
            ..Default::default()
        }
    }

    /// Calls an RPC by id with a raw payload, with full control of the call.
    pub async fn rpc_call(
        &self,
        call: &Call,
        id: &str,
        payload: impl Into<Vec<u8>>,
    ) -> Result<Vec<u8>, Error> {
        let ctx = self.context(call, mode::RPC);
        self.modules
            .call_rpc(id, &ctx, payload.into())
            .await
            .unwrap_or_else(|| Err(CallError::new(Code::NotFound, "RPC function not found")))
            .map_err(to_error)
    }

    /// Runs the before hook of `H` on `req`: `Ok(Some(req))` to go on,
    /// `Ok(None)` when the hook drops the call (requests without a hook go
    /// on unchanged).
    pub async fn before<H: Hook>(
        &self,
        call: &Call,
        req: H::Request,
    ) -> Result<Option<H::Request>, Error> {
        let ctx = self.context(call, mode::BEFORE);
        match self
            .modules
            .before::<H>(&ctx, req)
            .await
            .map_err(to_error)?
        {
            Before::Proceed(r) => Ok(Some(r)),
            Before::Drop => Ok(None),
        }
    }

    /// Runs the after hook of `H`; answers its error, which Nakama only logs.
    pub async fn after<H: Hook>(
        &self,
        call: &Call,
        out: &H::Response,
        req: &H::Request,
    ) -> Result<(), Error> {
        let ctx = self.context(call, mode::AFTER);
        self.modules
            .after::<H>(&ctx, out, req)
            .await
            .map_err(to_error)
    }

    /// Adds to a user's wallet (a fixture; recorded in the ledger).
    pub async fn give(&self, user: &User, changeset: &[(&str, i64)]) {
        let id = user.id.clone();
        let changes: HashMap<String, i64> =
            changeset.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        self.db
            .run(move |c| db::wallet_update(c, &id, &changes, &Default::default(), true))
            .await
            .unwrap_or_else(|e| panic!("wallet fixture: {}", e.message));
    }

    /// Writes a storage object as the server would (a fixture); panics on
    /// a database error. Same as `storage().write(..)`.
    pub async fn put_object(&self, owner: Option<&User>, collection: &str, key: &str, value: &str) {
        self.storage()
            .write(collection, key, owner, value)
            .await
            .unwrap_or_else(|e| panic!("storage fixture: {}", e.message()));
    }

    /// Writes `value` as a storage object's JSON, as the server would (a
    /// fixture, readable and writable by its owner only); panics when it
    /// does not encode or on a database error. The typed
    /// [`put_object`](TestHost::put_object).
    pub async fn put_json<T: Serialize + ?Sized>(
        &self,
        owner: Option<&User>,
        collection: &str,
        key: &str,
        value: &T,
    ) {
        let json = serde_json::to_string(value).unwrap_or_else(|e| {
            panic!(
                "storage fixture {collection}/{key}: a {} does not encode as JSON: {e}",
                std::any::type_name::<T>()
            )
        });
        self.put_object(owner, collection, key, &json).await;
    }

    /// The value of storage object `collection`/`key` of `owner` (`None`:
    /// the system user) read as `T`, or `None` when there is no such
    /// object (permissions ignored). Panics when the value does not read
    /// as `T`, naming the object, the type and what serde met.
    pub async fn stored<T: DeserializeOwned>(
        &self,
        owner: Option<&User>,
        collection: &str,
        key: &str,
    ) -> Option<T> {
        let object = self.storage_read(collection, key, owner).await.pop()?;
        Some(serde_json::from_str(&object.value).unwrap_or_else(|e| {
            panic!(
                "storage object {collection}/{key} does not read as {}: {e}; its value is {}",
                std::any::type_name::<T>(),
                object.value
            )
        }))
    }

    /// A user's ledger, newest first.
    pub async fn ledger(&self, user: &User) -> Vec<nk::LedgerItem> {
        let args = nk::PageArgs {
            user_id: user.id.clone(),
            limit: 100,
            cursor: String::new(),
        };
        self.db
            .run(move |c| db::wallet_ledger_list(c, &args))
            .await
            .map(|p| p.items)
            .unwrap_or_else(|e| panic!("ledger: {}", e.message))
    }

    /// Submits `user`'s score as the server would (a fixture: the
    /// leaderboard's operator applies, authoritative or not); panics if the
    /// leaderboard does not exist.
    pub async fn leaderboard_write(&self, id: &str, user: &User, score: i64, subscore: i64) {
        let (id, user_id, username) = (id.to_string(), user.id.clone(), user.username.clone());
        self.db
            .run(move |c| {
                leaderboard::write(
                    c,
                    Caller::Server,
                    leaderboard::Write {
                        id: &id,
                        owner_id: &user_id,
                        username: &username,
                        score,
                        subscore,
                        metadata: None,
                        operator: None,
                    },
                )
            })
            .await
            .unwrap_or_else(|e| panic!("leaderboard fixture: {}", e.message));
    }

    /// A leaderboard's records of the current period in rank order, each
    /// with its rank (the first 1 000); panics if there is no such
    /// leaderboard.
    pub async fn leaderboard(&self, id: &str) -> Vec<api::LeaderboardRecord> {
        let id = id.to_string();
        self.db
            .run(move |c| leaderboard::list(c, &id, &[], Some(1000), "", 0))
            .await
            .map(|l| l.records)
            .unwrap_or_else(|e| panic!("leaderboard: {}", e.message))
    }

    /// Joins `user` to a tournament as the client's join does (nothing
    /// happens where joining is not required); panics on a refusal
    /// (unknown, full, no longer active).
    pub async fn tournament_join(&self, id: &str, user: &User) {
        let (id, user_id, username) = (id.to_string(), user.id.clone(), user.username.clone());
        self.db
            .run(move |c| tournament::join(c, &id, &user_id, &username))
            .await
            .unwrap_or_else(|e| panic!("tournament join: {}", e.message));
    }

    /// Submits `user`'s score to a tournament as the server would (the
    /// tournament's operator; its active window, join requirement and
    /// limits apply); answers the record or Nakama's refusal.
    pub async fn tournament_write(
        &self,
        id: &str,
        user: &User,
        score: i64,
    ) -> Result<api::LeaderboardRecord, Error> {
        let (id, user_id, username) = (id.to_string(), user.id.clone(), user.username.clone());
        self.db
            .run(move |c| {
                tournament::write(
                    c,
                    Caller::Server,
                    tournament::Write {
                        id: &id,
                        owner_id: &user_id,
                        username: &username,
                        score,
                        subscore: 0,
                        metadata: None,
                        operator: None,
                    },
                )
            })
            .await
            .map_err(|e| Error::new(e.code, e.message))
    }

    /// A tournament's records of the current period in rank order, each
    /// with its rank (the first 100); panics if there is no such
    /// tournament or it has ended.
    pub async fn tournament(&self, id: &str) -> Vec<api::LeaderboardRecord> {
        let id = id.to_string();
        self.db
            .run(move |c| tournament::records_list(c, &id, &[], Some(100), "", 0))
            .await
            .map(|l| l.records)
            .unwrap_or_else(|e| panic!("tournament: {}", e.message))
    }

    /// The nk API as the module's own init has it: every nk function the
    /// dev host serves, for fixtures the other helpers do not make (friends,
    /// groups, tournaments, channels...) and for looking at what handlers
    /// did. Calls run with the init context (mode `run_once`, no user).
    ///
    /// ```ignore
    /// host.nk().friends_add(ann.id(), "ann", &[bob.id()], &[]).await?;
    /// ```
    pub fn nk(&self) -> Nakama {
        Nakama::from_host(self.background())
    }

    /// Answers nk function `F` (any of [`nk`]'s: `nk::SatoriFlagsList`,
    /// `nk::PurchaseValidateApple`, `nk::StorageRead`, ...) with `answer`
    /// instead of the test host's own implementation, for every later
    /// call of it on this host (a later stub of `F` replaces this one).
    /// For what the test host cannot do itself (Satori, a fleet manager
    /// unless the module registers one, the stores' validation, social providers: it has no settings,
    /// plugins or network for them and answers them as such a Nakama
    /// does) or to make a call fail. The stub's arguments are what the
    /// module sent ([`TestHost::stubbed_calls`]);
    /// a panic in it is the module's call failing `INTERNAL`, naming `F`.
    ///
    /// ```ignore
    /// host.stub_nk::<nk::SatoriFlagsList>(|args| {
    ///     assert_eq!(args.names, ["shop_layout"]);
    ///     Ok(nk::SatoriFlagList { flags: vec![nk::SatoriFlag { name: "shop_layout".into(), value: "v2".into(), ..Default::default() }] })
    /// });
    /// ```
    pub fn stub_nk<F: nk::NkFunction>(
        &self,
        answer: impl Fn(F::Args) -> Result<F::Output, Error> + Send + Sync + 'static,
    ) {
        let stub: Stub = Arc::new(move |args: &[u8]| {
            let args: F::Args = serde_json::from_slice(args).map_err(|e| {
                CallError::new(
                    Code::InvalidArgument,
                    format!("{}: arguments do not read: {e}", F::NAME),
                )
            })?;
            let out = answer(args).map_err(|e| CallError::new(e.code(), e.message()))?;
            serde_json::to_vec(&out).map_err(|e| {
                CallError::new(
                    Code::Internal,
                    format!("{}: the stub's answer does not encode: {e}", F::NAME),
                )
            })
        });
        self.recorder.stubs.lock().unwrap().insert(F::NAME, stub);
    }

    /// The arguments of every call of the stubbed nk function `F` so far,
    /// oldest first ([`TestHost::stub_nk`]).
    pub fn stubbed_calls<F: nk::NkFunction>(&self) -> Vec<F::Args> {
        self.recorder
            .stubbed
            .lock()
            .unwrap()
            .iter()
            .filter(|(name, _)| name == F::NAME)
            .filter_map(|(_, args)| serde_json::from_slice(args).ok())
            .collect()
    }

    /// The host's handle for work of the module outside its calls.
    fn background(&self) -> nakama_runtime_host::abi::ffi::HostHandle {
        let module = self
            .modules
            .modules()
            .first()
            .expect("a test host has one module");
        module.background()
    }

    /// Sends `event` as a client does (`POST /v2/event`: `external` set)
    /// and runs the module's event handlers on it now, with the call's
    /// context (mode `event`); answers the first handler error (hosts
    /// only log them).
    pub async fn event(&self, call: &Call, mut event: api::Event) -> Result<(), Error> {
        event.external = true;
        let ctx = self.context(call, mode::EVENT);
        match self
            .modules
            .call_events(EventKind::Event, &ctx, &event)
            .await
            .into_iter()
            .next()
        {
            Some((_, e)) => Err(to_error(e)),
            None => Ok(()),
        }
    }

    /// Sends an HTTP request to the module's custom HTTP handlers
    /// (`init.register_http`) as the dev host routes it on its port:
    /// `path` may carry a query (`/guild/webhook?x=1`); the first handler
    /// whose pattern and methods match answers (its error or panic as the
    /// code's status with `{"code","message"}`); none: 404
    /// `{"code":5,"message":"Not Found"}`, the API's answer. The server's
    /// http key is Nakama's default, `defaulthttpkey`. The context has mode
    /// `http` and no user.
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
    ) -> HttpResponse {
        self.send_http(false, method, path, headers, body.into())
            .await
    }

    /// [`TestHost::http`] to the module's console HTTP handlers
    /// (`init.register_console_http`), as the dev host routes them on the
    /// console's port.
    pub async fn console_http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
    ) -> HttpResponse {
        self.send_http(true, method, path, headers, body.into())
            .await
    }

    async fn send_http(
        &self,
        console: bool,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> HttpResponse {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let path = custom::decoded_path(path);
        let found = if console {
            self.http_routes.find_console(method, &path)
        } else {
            self.http_routes.find(method, &path)
        };
        let Some(found) = found else {
            let body = serde_json::json!({"code": 5, "message": "Not Found"});
            return HttpResponse::json(404, &body);
        };
        let query = nakama_devhost::http::form_pairs(query);
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let req = custom::request(method, &path, &query, &headers, "defaulthttpkey", body);
        let mut call = Call::default();
        for (k, v) in &req.headers {
            call.headers.insert(k.clone(), v.clone());
        }
        for (k, v) in query.iter().filter(|(k, _)| k != "http_key") {
            call = call.query(k, v);
        }
        let ctx = self.context(&call, mode::HTTP);
        self.http_routes
            .call(found, CallContext::new(&ctx), req)
            .await
    }

    /// Runs the module's shutdown hook (`init.register_shutdown`) as a
    /// host does on a termination signal (mode `shutdown`, no user);
    /// answers its error. Without a hook, `Ok`.
    pub async fn shutdown(&self) -> Result<(), Error> {
        let ctx = self.context(&Call::default(), mode::SHUTDOWN);
        match self.modules.call_shutdown(&ctx).await {
            Some(result) => result.map_err(to_error),
            None => Ok(()),
        }
    }

    /// Runs the module's purchase notification callback for `store`
    /// (`init.register_purchase_notification_apple` or `_google`) with
    /// `n`, as Nakama does when the store calls its notification endpoint
    /// (mode `purchase_notification_apple` or `_google`, no user); answers
    /// its error (Nakama logs it). Without a callback for `store`, `Ok`:
    /// Nakama then only stores the change.
    ///
    /// ```ignore
    /// use nakama_runtime::store_notification::{NotificationType, PurchaseNotification, Store};
    /// let mut n = PurchaseNotification::default();
    /// n.notification_type = NotificationType::Refunded;
    /// n.purchase.user_id = ann.id().into();
    /// host.purchase_notification(Store::Apple, &n).await?;
    /// ```
    pub async fn purchase_notification(
        &self,
        store: Store,
        n: &PurchaseNotification,
    ) -> Result<(), Error> {
        self.store_notification(store.purchase_mode(), n).await
    }

    /// As [`TestHost::purchase_notification`], for the module's
    /// subscription notification callback of `store`.
    pub async fn subscription_notification(
        &self,
        store: Store,
        n: &SubscriptionNotification,
    ) -> Result<(), Error> {
        self.store_notification(store.subscription_mode(), n).await
    }

    async fn store_notification(&self, mode: &str, n: &impl Serialize) -> Result<(), Error> {
        let input = serde_json::to_vec(n).map_err(|e| Error::internal(e.to_string()))?;
        let ctx = self.context(&Call::default(), mode);
        match self.modules.call_scheduled(mode, &ctx, &input).await {
            Some(result) => result.map_err(to_error),
            None => Ok(()),
        }
    }

    /// Runs the tournament end, tournament reset and leaderboard reset
    /// callbacks whose deadlines passed since the host started or the last
    /// call, by the host's clock (move it with [`TestHost::clock`]), as
    /// the dev host's scheduler does every second; answers how many ran.
    /// Tournaments whose period expired start again at size 0.
    pub async fn run_scheduler(&self) -> usize {
        self.scheduler.tick().await
    }

    /// Waits until the events queued so far have been handled: those the
    /// module published (`nk.event`) and the session start and end events
    /// of [`TestHost::connect`] and of dropping its [`Connection`].
    pub async fn settle_events(&self) {
        self.events.settled().await
    }

    /// One matchmaker pass, as the dev host runs every
    /// `matchmaker.interval_sec` (Nakama's defaults otherwise: tickets stay
    /// active for 2 passes, 3 tickets per socket): forms the groups it
    /// can (or those the module's matchmaker processor or override
    /// answers), runs the module's matched hook for each and tells their
    /// sockets ([`Connection::matched`]). Answers the groups.
    pub async fn matchmaker_process(&self) -> Vec<Vec<MatchmakerEntry>> {
        self.matchmaker.process().await
    }

    /// A user's stored notifications, oldest first.
    pub async fn notifications(&self, user: &User) -> Vec<api::Notification> {
        let args = nk::PageArgs {
            user_id: user.id.clone(),
            limit: 100,
            cursor: String::new(),
        };
        self.db
            .run(move |c| db::notification_list(c, &args))
            .await
            .map(|p| p.notifications)
            .unwrap_or_else(|e| panic!("notifications: {}", e.message))
    }

    /// Calls an RPC by id with a raw payload, as `user` (or with the http
    /// key when `None`).
    pub async fn rpc_id(
        &self,
        user: Option<&User>,
        id: &str,
        payload: impl Into<Vec<u8>>,
    ) -> Result<Vec<u8>, Error> {
        let call = match user {
            Some(u) => Call::user(u),
            None => Call::http_key(),
        };
        self.rpc_call(&call, id, payload).await
    }

    /// Calls the RPC registered for `handler` (a `#[rpc]` function) as
    /// `user`, encoding the request as its `#[rpc]` glue expects: `String`
    /// and `Vec<u8>` raw, anything else as JSON; the result likewise.
    pub async fn rpc<F, Req, Resp, E>(
        &self,
        user: &User,
        handler: F,
        req: &Req,
    ) -> Result<Resp, Error>
    where
        F: for<'a> RpcFn<'a, Req, Output = Result<Resp, E>>,
        Req: Serialize + 'static,
        Resp: DeserializeOwned + 'static,
    {
        let _ = handler;
        let function = std::any::type_name::<F>();
        let id = self
            .modules
            .modules()
            .iter()
            .flat_map(|m| m.registrations.iter())
            .find(|r| r.kind == "rpc" && r.function == function)
            .map(|r| r.id.clone())
            .unwrap_or_else(|| panic!("{function} is not registered with #[rpc]"));
        let any: &dyn Any = req;
        let payload = if let Some(s) = any.downcast_ref::<String>() {
            s.clone().into_bytes()
        } else if let Some(b) = any.downcast_ref::<Vec<u8>>() {
            b.clone()
        } else {
            serde_json::to_vec(req).expect("encode the request")
        };
        let out = self.rpc_id(Some(user), &id, payload).await?;
        let raw: Box<dyn Any> = if TypeId::of::<Resp>() == TypeId::of::<String>() {
            Box::new(String::from_utf8_lossy(&out).into_owned())
        } else if TypeId::of::<Resp>() == TypeId::of::<Vec<u8>>() {
            Box::new(out)
        } else {
            // A `()` result crosses as an empty payload.
            let out: &[u8] = if out.is_empty() { b"null" } else { &out };
            return serde_json::from_slice(out)
                .map_err(|e| Error::internal(format!("the RPC answered undecodable JSON: {e}")));
        };
        Ok(*raw.downcast::<Resp>().expect("the type was checked"))
    }

    /// Server-side view of storage (ignores permissions); panics on a
    /// database error. Same as `storage().read(..)`.
    pub async fn storage_read(
        &self,
        collection: &str,
        key: &str,
        owner: Option<&User>,
    ) -> Vec<api::StorageObject> {
        self.storage()
            .read(collection, key, owner)
            .await
            .unwrap_or_else(|e| panic!("storage read: {}", e.message()))
    }

    /// Every line the module logged so far.
    pub fn logs(&self) -> Vec<LogLine> {
        self.recorder.lines.lock().unwrap().clone()
    }

    /// The metrics the module recorded (`metrics_counter_add`,
    /// `metrics_gauge_set`, `metrics_timer_record`), in Prometheus' text
    /// format, named as Nakama names them (`nakama_custom_<name>`, labelled
    /// `node_name="test"` and the tags).
    pub fn metrics(&self) -> String {
        self.recorder.inner.metrics.render()
    }

    /// A user's wallet.
    pub async fn wallet(&self, user: &User) -> HashMap<String, i64> {
        let id = user.id.clone();
        let account = self
            .db
            .run(move |c| db::account(c, &id))
            .await
            .ok()
            .flatten()
            .expect("the user exists");
        serde_json::from_str(&account.wallet).unwrap_or_default()
    }
}

fn new_session_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "00000000-0000-4000-8000-{:012x}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
