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
//!     let host = TestHost::new().await;
//!     let alice = host.user("alice").await;
//!     let g: Guild = host.rpc(&alice, create_guild, &CreateGuild { name: "g1".into() }).await.unwrap();
//!     assert_eq!(g.owner, alice.id());
//!     let err = host.rpc::<_, _, Guild, _>(&alice, create_guild, &CreateGuild { name: "g1".into() })
//!         .await.unwrap_err();
//!     assert_eq!(err.code(), Code::AlreadyExists);
//! }
//! ```
//!
//! Status: users, typed and raw RPC calls, storage inspection and captured
//! log lines. Not yet: hooks by name, fixtures for wallets and
//! notifications, a settable clock (see the project's issue 5).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use nakama_devhost::db::{self, Caller, Db};
use nakama_devhost::log::Logger;
use nakama_devhost::nk::DevHostApi;
use nakama_devhost::session::Sessions;
use nakama_runtime::api;
use nakama_runtime::nk::StorageReadOp;
use nakama_runtime::{Code, Error, RpcFn};
use nakama_runtime_host::abi::{mode, ContextData};
use nakama_runtime_host::{
    BoxFuture, CallError, CallInfo, HostApi, LogRecord, Modules, OpenedModule,
};
use serde::{de::DeserializeOwned, Serialize};

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

/// Records log lines, answers nk calls with the dev host's implementation.
struct Recorder {
    inner: DevHostApi,
    lines: Mutex<Vec<LogLine>>,
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
        call: Arc<CallInfo>,
        function: String,
        args: Vec<u8>,
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        self.inner.nk_call(call, function, args)
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

/// A host for one test: fresh database, the module loaded and initialised.
pub struct TestHost {
    modules: Modules,
    db: Db,
    recorder: Arc<Recorder>,
}

fn to_error(e: CallError) -> Error {
    Error::new(e.code, e.message)
}

impl TestHost {
    async fn start(opened: Option<OpenedModule>, path: Option<&Path>) -> Result<TestHost, String> {
        let db = Db::open(":memory:")?;
        let sessions = Arc::new(Sessions::new(
            "test-session-key",
            "test-refresh-key",
            3600,
            7200,
        ));
        let recorder = Arc::new(Recorder {
            inner: DevHostApi {
                db: db.clone(),
                log: Logger::new("error", "json"),
                sessions,
            },
            lines: Mutex::new(Vec::new()),
        });
        let ctx = ContextData {
            execution_mode: mode::RUN_ONCE.into(),
            node: "test".into(),
            ..Default::default()
        };
        let api: Arc<dyn HostApi> = recorder.clone();
        let modules = match (opened, path) {
            (Some(m), _) => Modules::init_all(vec![m], api, ctx, |_| {}).await,
            (None, Some(p)) => Modules::load(p, api, ctx, |_| {}).await,
            (None, None) => unreachable!("one of the two is given"),
        }
        .map_err(|e| e.to_string())?;
        Ok(TestHost {
            modules,
            db,
            recorder,
        })
    }

    /// The handlers compiled into this test binary, on a fresh database.
    pub async fn new() -> TestHost {
        let root = nakama_runtime::__private::in_process_root();
        TestHost::start(Some(OpenedModule::in_process(root)), None)
            .await
            .unwrap_or_else(|e| panic!("test host: {e}"))
    }

    /// A built module file (or a folder of them) through the real loader.
    pub async fn load(path: impl AsRef<Path>) -> TestHost {
        TestHost::start(None, Some(path.as_ref()))
            .await
            .unwrap_or_else(|e| panic!("test host: {e}"))
    }

    /// Creates (or finds) an account with this username.
    pub async fn user(&self, username: &str) -> User {
        let name = username.to_string();
        let a = self
            .db
            .run(move |c| {
                db::authenticate(
                    c,
                    db::AuthId::Custom(&format!("test-user-{name}")),
                    &name,
                    true,
                )
            })
            .await
            .unwrap_or_else(|e| panic!("creating user {username}: {}", e.message));
        User {
            id: a.user_id,
            username: a.username,
        }
    }

    fn context(&self, user: Option<&User>) -> ContextData {
        ContextData {
            execution_mode: mode::RPC.into(),
            node: "test".into(),
            user_id: user.map(|u| u.id.clone()),
            username: user.map(|u| u.username.clone()),
            ..Default::default()
        }
    }

    /// Calls an RPC by id with a raw payload, as `user` (or with the http
    /// key when `None`).
    pub async fn rpc_id(
        &self,
        user: Option<&User>,
        id: &str,
        payload: impl Into<Vec<u8>>,
    ) -> Result<Vec<u8>, Error> {
        let ctx = self.context(user);
        self.modules
            .call_rpc(id, &ctx, payload.into())
            .await
            .unwrap_or_else(|| Err(CallError::new(Code::NotFound, "RPC function not found")))
            .map_err(to_error)
    }

    /// Calls the RPC registered for `handler` (a `#[rpc]` function) with a
    /// JSON payload; answers its typed JSON result.
    pub async fn rpc<F, Req, Resp, E>(
        &self,
        user: &User,
        handler: F,
        req: &Req,
    ) -> Result<Resp, Error>
    where
        F: for<'a> RpcFn<'a, Req, Output = Result<Resp, E>>,
        Req: Serialize,
        Resp: DeserializeOwned,
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
        let payload = serde_json::to_vec(req).expect("encode the request");
        let out = self.rpc_id(Some(user), &id, payload).await?;
        serde_json::from_slice(&out)
            .map_err(|e| Error::internal(format!("the RPC answered undecodable JSON: {e}")))
    }

    /// Server-side view of storage (ignores permissions).
    pub async fn storage_read(
        &self,
        collection: &str,
        key: &str,
        owner: Option<&User>,
    ) -> Vec<api::StorageObject> {
        let op = StorageReadOp {
            collection: collection.into(),
            key: key.into(),
            user_id: owner.map(|u| u.id.clone()).unwrap_or_default(),
        };
        self.db
            .run(move |c| db::storage_read(c, Caller::Server, &[op]))
            .await
            .unwrap_or_else(|e| panic!("storage read: {}", e.message))
    }

    /// Every line the module logged so far.
    pub fn logs(&self) -> Vec<LogLine> {
        self.recorder.lines.lock().unwrap().clone()
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
