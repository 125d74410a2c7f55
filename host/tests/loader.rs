//! Builds the example and fixture modules and loads them through the
//! loader, checking every outcome the loader promises.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use nakama_runtime_host::abi::ffi::CONTEXT_ON_DEMAND;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::matches::{MatchAction, MatchCall, MatchData, MatchEvent, Presence};
use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::{api, Code, ContextData};
use nakama_runtime_host::{
    Before, BoxFuture, CallContext, CallError, CallFuture, Callee, HostApi, LoadError, LoadEvent,
    LogRecord, Modules, Output,
};

/// A host for loader tests: records log lines and keeps storage in a map
/// (enough to exercise nk calls across the boundary; the dev host's
/// SQLite implementation is tested in the server crate).
#[derive(Default)]
struct TestHost {
    logs: Mutex<Vec<Logged>>,
    storage: Mutex<HashMap<(String, String, String), String>>,
    /// What `context_maps` answers (empty: nothing, as hosts that always
    /// fill the context in answer).
    request_maps: Mutex<String>,
    /// What `call_context` answers, and how many times it was asked.
    call_context: Mutex<String>,
    context_asks: AtomicUsize,
}

#[derive(Debug, Clone)]
struct Logged {
    level: u8,
    caller: String,
    message: String,
    fields: String,
    module: String,
    rpc_id: Option<String>,
}

impl HostApi for TestHost {
    fn log(&self, r: LogRecord<'_>) {
        self.logs.lock().unwrap().push(Logged {
            level: r.level,
            caller: r.caller.to_string(),
            message: r.message.to_string(),
            fields: r.fields.to_string(),
            module: r.call.module.clone(),
            rpc_id: r.call.rpc_id.clone(),
        });
    }

    fn nk_call(
        &self,
        _host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        // A host's bugs: a panic while starting the nk call, or in its
        // future (the modules' tests read a guild of either name).
        let args_text = String::from_utf8_lossy(args);
        if args_text.contains("host-panics-now") {
            panic!("a host bug, starting {function}");
        }
        if args_text.contains("host-panics-later") {
            return Box::pin(async { panic!("a host bug, in the future") });
        }
        let out = self.nk(function, args);
        Box::pin(async move { out })
    }

    fn context_maps(&self, _host_token: u64) -> String {
        self.request_maps.lock().unwrap().clone()
    }

    fn call_context(&self, _host_token: u64) -> String {
        self.context_asks.fetch_add(1, Ordering::SeqCst);
        self.call_context.lock().unwrap().clone()
    }
}

impl TestHost {
    fn nk(&self, function: &str, args: &[u8]) -> Result<Vec<u8>, CallError> {
        let mut storage = self.storage.lock().unwrap();
        match function {
            f if f == nk::StorageWrite::NAME => {
                let a: nk::StorageWriteArgs = serde_json::from_slice(args).unwrap();
                let mut acks = Vec::new();
                for w in &a.writes {
                    let key = (w.collection.clone(), w.key.clone(), w.user_id.clone());
                    if w.version == "*" && storage.contains_key(&key) {
                        return Err(CallError::new(
                            Code::InvalidArgument,
                            "Storage write rejected - version check failed.",
                        ));
                    }
                    storage.insert(key, w.value.clone());
                    acks.push(api::StorageObjectAck {
                        collection: w.collection.clone(),
                        key: w.key.clone(),
                        ..Default::default()
                    });
                }
                Ok(serde_json::to_vec(&acks).unwrap())
            }
            f if f == nk::StorageRead::NAME => {
                let a: nk::StorageReadArgs = serde_json::from_slice(args).unwrap();
                let found: Vec<api::StorageObject> = a
                    .reads
                    .iter()
                    .filter_map(|r| {
                        let key = (r.collection.clone(), r.key.clone(), r.user_id.clone());
                        storage.get(&key).map(|v| api::StorageObject {
                            collection: r.collection.clone(),
                            key: r.key.clone(),
                            value: v.clone(),
                            ..Default::default()
                        })
                    })
                    .collect();
                Ok(serde_json::to_vec(&found).unwrap())
            }
            // examples/guild creates its leaderboard and tournament in its
            // init.
            f if f == nk::LeaderboardCreate::NAME || f == nk::TournamentCreate::NAME => {
                Ok(b"null".to_vec())
            }
            other => Err(CallError::new(
                Code::Unimplemented,
                format!("nk function `{other}` is not implemented by this host"),
            )),
        }
    }

    fn logs(&self) -> Vec<Logged> {
        self.logs.lock().unwrap().clone()
    }
}

fn rpc_ctx() -> ContextData {
    ContextData {
        execution_mode: "rpc".into(),
        node: "test".into(),
        user_id: Some("6b3f0c3e-0000-4000-8000-000000000001".into()),
        username: Some("alice".into()),
        ..Default::default()
    }
}

async fn load(packages: &[&str]) -> (Result<Modules, LoadError>, Arc<TestHost>, Vec<LoadEvent>) {
    let dir = common::folder_with(packages);
    let host = Arc::new(TestHost::default());
    let mut events = Vec::new();
    let result = Modules::load(dir.path(), host.clone(), ContextData::default(), |e| {
        events.push(e)
    })
    .await;
    (result, host, events)
}

async fn load_ok(packages: &[&str]) -> (Modules, Arc<TestHost>) {
    let (m, host, _) = load(packages).await;
    (m.unwrap_or_else(|e| panic!("load failed: {e}")), host)
}

#[tokio::test]
async fn hello_loads_logs_at_init_and_answers() {
    let (modules, host) = load_ok(&["hello"]).await;
    let logs = host.logs();
    let hello = logs
        .iter()
        .find(|l| l.message == "Hello World!")
        .expect("init logged Hello World!");
    assert_eq!(hello.module, "hello");
    assert!(
        hello.caller.ends_with("examples/hello/src/lib.rs:7"),
        "{}",
        hello.caller
    );
    assert_eq!(hello.level, nakama_runtime_host::abi::ffi::level::INFO);

    let out = modules
        .call_rpc("hello", &rpc_ctx(), Vec::new())
        .await
        .unwrap();
    assert_eq!(out.unwrap(), b"Hello, alice!");
    // Ids are case-insensitive, as in Nakama.
    let out = modules
        .call_rpc("HeLLo", &rpc_ctx(), b"bob".to_vec())
        .await
        .unwrap();
    assert_eq!(out.unwrap(), b"Hello, bob!");
    assert!(modules
        .call_rpc("nope", &rpc_ctx(), Vec::new())
        .await
        .is_none());
}

#[tokio::test]
async fn tracing_macros_in_module_code_reach_the_host_log() {
    let (modules, host) = load_ok(&["hello"]).await;
    modules
        .call_rpc("hello", &rpc_ctx(), b"carol".to_vec())
        .await
        .unwrap()
        .unwrap();
    let logs = host.logs();
    let line = logs
        .iter()
        .find(|l| l.message == "greeted")
        .expect("tracing::info! line reached the host");
    assert_eq!(line.rpc_id.as_deref(), Some("hello"));
    assert!(line.fields.contains(r#""who":"carol""#), "{}", line.fields);
    assert!(
        line.caller.contains("examples/hello/src/lib.rs:"),
        "{}",
        line.caller
    );
}

#[tokio::test]
async fn guild_typed_rpcs_errors_and_nk_calls() {
    let (modules, _host) = load_ok(&["guild"]).await;
    let ctx = rpc_ctx();
    let created = modules
        .call_rpc("create_guild", &ctx, br#"{"name":"g1"}"#.to_vec())
        .await
        .unwrap()
        .unwrap();
    let created: serde_json::Value = serde_json::from_slice(&created).unwrap();
    assert_eq!(created["name"], "g1");
    assert_eq!(created["owner"], "6b3f0c3e-0000-4000-8000-000000000001");

    let again = modules
        .call_rpc("create_guild", &ctx, br#"{"name":"g1"}"#.to_vec())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        again,
        CallError::new(Code::AlreadyExists, "guild name is in use")
    );

    let got = modules
        .call_rpc("get_guild", &ctx, br#"{"name":"g1"}"#.to_vec())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&got).unwrap(),
        created
    );

    let missing = modules
        .call_rpc("get_guild", &ctx, br#"{"name":"nope"}"#.to_vec())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        missing,
        CallError::new(Code::NotFound, "guild nope not found")
    );

    let bad = modules
        .call_rpc("create_guild", &ctx, br#"{"name":"has space"}"#.to_vec())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(bad.code, Code::InvalidArgument);
}

/// A host whose nk function panics answers the module's nk call with
/// INTERNAL, naming the function when the panic came while starting it;
/// the module goes on (here: answers its own error) and the host serves on.
#[tokio::test]
async fn a_host_panic_in_an_nk_call_answers_internal() {
    let (modules, _host) = load_ok(&["guild"]).await;
    let ctx = rpc_ctx();
    for (name, message) in [
        (
            "host-panics-now",
            "storage failed: host panicked in nk function storage_read",
        ),
        (
            "host-panics-later",
            "storage failed: host panicked in an nk function",
        ),
    ] {
        let input = format!(r#"{{"name":"{name}"}}"#).into_bytes();
        let err = modules
            .call_rpc("get_guild", &ctx, input)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(err, CallError::new(Code::Internal, message));
    }
    let missing = modules
        .call_rpc("get_guild", &ctx, br#"{"name":"nope"}"#.to_vec())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(missing.code, Code::NotFound);
}

#[tokio::test]
async fn undecodable_payload_is_invalid_argument_naming_the_problem() {
    let (modules, _host) = load_ok(&["guild"]).await;
    for (payload, expect) in [
        (&b"{}"[..], "missing field `name`"),
        (&b"{\"name\":5}"[..], "invalid type: integer `5`"),
        (&b"not json"[..], "expected ident"),
        (&b""[..], "payload is empty"),
    ] {
        let e = modules
            .call_rpc("create_guild", &rpc_ctx(), payload.to_vec())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(e.code, Code::InvalidArgument, "{payload:?}");
        assert!(e.message.contains(expect), "{payload:?}: {}", e.message);
    }
}

#[tokio::test]
async fn nk_function_missing_on_host_is_unimplemented_naming_it() {
    let (modules, _host) = load_ok(&["guild"]).await;
    let ctx = rpc_ctx();
    modules
        .call_rpc("create_guild", &ctx, br#"{"name":"g2"}"#.to_vec())
        .await
        .unwrap()
        .unwrap();
    // guild_owner calls account_get_id, which this test host lacks; the
    // module passes the error on with `?`, code intact.
    let e = modules
        .call_rpc("guild_owner", &ctx, br#"{"name":"g2"}"#.to_vec())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(e.code, Code::Unimplemented);
    assert!(e.message.contains("`account_get_id`"), "{}", e.message);
}

#[tokio::test]
async fn before_and_after_hooks_run_with_typed_requests() {
    let (modules, host) = load_ok(&["guild"]).await;
    let ctx = ContextData {
        execution_mode: "before".into(),
        ..Default::default()
    };
    let req = |id: &str| api::AuthenticateCustomRequest {
        account: Some(api::AccountCustom {
            id: id.into(),
            ..Default::default()
        }),
        username: "u1".into(),
        ..Default::default()
    };
    let ok = modules
        .before::<hook::AuthenticateCustom>(&ctx, req("cid-123456"))
        .await
        .unwrap();
    assert_eq!(ok, Before::Proceed(req("cid-123456")));
    let refused = modules
        .before::<hook::AuthenticateCustom>(&ctx, req("bad"))
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        CallError::new(Code::InvalidArgument, "input contained invalid data")
    );
    // No hook registered for this call: the request goes on unchanged.
    let device = api::AuthenticateDeviceRequest::default();
    assert_eq!(
        modules
            .before::<hook::AuthenticateDevice>(&ctx, device.clone())
            .await
            .unwrap(),
        Before::Proceed(device)
    );

    let session = api::Session {
        created: true,
        token: "t".into(),
        ..Default::default()
    };
    modules
        .after::<hook::AuthenticateCustom>(&ctx, &session, &req("cid-123456"))
        .await
        .unwrap();
    assert!(host
        .logs()
        .iter()
        .any(|l| l.message == "new account created"));
}

/// `modules.call_driven` with an RPC context, polled to its end.
fn driven(
    modules: &Modules,
    callee: Callee<'_>,
    input: &[u8],
) -> Option<Result<Output, CallError>> {
    let data = rpc_ctx();
    let block_on = |fut: &mut CallFuture<'_>| Ok(futures_executor::block_on(fut));
    modules.call_driven(callee, CallContext::new(&data), input, block_on)
}

#[tokio::test]
async fn a_driven_call_answers_as_an_awaited_one() {
    let (modules, _) = load_ok(&["hello", "fixture-panics"]).await;
    let data = rpc_ctx();
    let call = |callee, input: &[u8]| driven(&modules, callee, input);
    let out = call(Callee::Rpc("HELLO"), b"Rust").expect("registered");
    assert_eq!(&*out.unwrap(), b"Hello, Rust!", "ids in any case");
    assert!(call(Callee::Rpc("nope"), b"").is_none());
    assert!(call(Callee::After("GetAccount"), b"{}").is_none());
    // The module's own errors and panics, as when awaited.
    let e = call(Callee::Rpc("panic_now"), b"").unwrap().unwrap_err();
    assert_eq!(e.code, Code::Internal);
    assert!(e.message.contains("deliberate panic in panic_now"), "{e}");
    let e = call(Callee::Before("GetAccount"), b"null")
        .unwrap()
        .unwrap_err();
    assert_eq!(e.code, Code::Internal);
    // What the driver answers instead of polling to the end, and a panic
    // of the driver itself.
    let gave_up = modules.call_driven(Callee::Rpc("hello"), CallContext::new(&data), b"", |_| {
        Err(CallError::new(Code::DeadlineExceeded, "too slow"))
    });
    assert_eq!(gave_up.unwrap().unwrap_err().code, Code::DeadlineExceeded);
    let panicked = modules.call_driven(Callee::Rpc("hello"), CallContext::new(&data), b"", |_| {
        panic!("driver")
    });
    let e = panicked.unwrap().unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (Code::Internal, "module handler panicked")
    );
}

#[tokio::test]
async fn a_handler_can_be_called_by_its_registration_index() {
    let (modules, _) = load_ok(&["hello", "fixture-panics"]).await;
    let call = |callee, input: &[u8]| driven(&modules, callee, input);
    let regs: Vec<_> = modules
        .modules()
        .iter()
        .flat_map(|m| &m.registrations)
        .collect();
    let mut indexes: Vec<u32> = regs.iter().map(|r| r.index.expect("routed")).collect();
    indexes.sort();
    assert_eq!(indexes, (0..regs.len() as u32).collect::<Vec<_>>());
    let index_of = |kind: &str, id: &str| {
        regs.iter()
            .find(|r| r.kind == kind && r.id == id)
            .and_then(|r| r.index)
            .unwrap()
    };

    let hello = Callee::Registered(index_of("rpc", "hello"));
    assert_eq!(&*call(hello, b"Rust").unwrap().unwrap(), b"Hello, Rust!");
    // A hook by its index is called as a hook: this one panics.
    let hook = Callee::Registered(index_of("before hook", "GetAccount"));
    let e = call(hook, b"null").unwrap().unwrap_err();
    assert_eq!(e.code, Code::Internal);
    assert!(
        e.message.contains("deliberate panic in a before hook"),
        "{e}"
    );
    assert!(call(Callee::Registered(regs.len() as u32), b"").is_none());
}

#[tokio::test]
async fn a_panicking_handler_answers_internal_and_the_host_keeps_going() {
    let (modules, host) = load_ok(&["fixture-panics"]).await;
    for _ in 0..3 {
        let e = modules
            .call_rpc("panic_now", &rpc_ctx(), Vec::new())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(e.code, Code::Internal);
        assert!(
            e.message
                .contains("fixture_panics::panic_now panicked: deliberate panic in panic_now"),
            "{}",
            e.message
        );
        let e = modules
            .call_rpc("panic_after_await", &rpc_ctx(), Vec::new())
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(e.code, Code::Internal);
        assert!(e.message.contains("index out of bounds"), "{}", e.message);
    }
    let e = modules
        .before::<hook::GetAccount>(&ContextData::default(), ())
        .await
        .unwrap_err();
    assert_eq!(e.code, Code::Internal);
    // Each panic is one ERROR line in the host's log, with the call's RPC
    // id and the panic's location, and nothing on stderr.
    let panics: Vec<Logged> = host
        .logs()
        .into_iter()
        .filter(|l| l.message.starts_with("panic in module handler"))
        .collect();
    assert_eq!(panics.len(), 7, "{panics:?}");
    assert_eq!(panics[0].rpc_id.as_deref(), Some("panic_now"));
    assert_eq!(panics[0].level, nakama_runtime_host::abi::ffi::level::ERROR);
    assert!(
        panics[0]
            .caller
            .ends_with("fixtures/fixture-panics/src/lib.rs:8"),
        "{:?}",
        panics[0]
    );
    let fine = modules
        .call_rpc("still_fine", &rpc_ctx(), b"ok".to_vec())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fine, b"ok");
}

#[tokio::test]
async fn work_outside_calls_reaches_the_host_as_the_modules_init() {
    let (modules, host) = load_ok(&["fixture-nk"]).await;
    let out = modules
        .call_rpc("nk_background", &rpc_ctx(), Vec::new())
        .await
        .unwrap();
    assert_eq!(out.unwrap(), br#"{"started":true}"#);
    // The module's thread writes and logs after the call has ended.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let line = loop {
        if let Some(l) = host
            .logs()
            .into_iter()
            .find(|l| l.message == "background work done")
        {
            break l;
        }
        assert!(std::time::Instant::now() < deadline, "{:?}", host.logs());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(line.module, "fixture-nk");
    assert_eq!(line.rpc_id, None, "not the call that started it");
    assert!(line.fields.contains(r#""key":"background""#), "{line:?}");
    let stored = host.storage.lock().unwrap().clone();
    let key = (
        "threads".to_string(),
        "background".to_string(),
        String::new(),
    );
    assert_eq!(
        stored.get(&key).map(String::as_str),
        Some(r#"{"done":true}"#)
    );
}

#[tokio::test]
async fn the_background_handle_does_not_keep_the_host_alive() {
    let (modules, host) = load_ok(&["hello"]).await;
    let gone = Arc::downgrade(&host);
    drop((modules, host));
    assert!(gone.upgrade().is_none(), "the host was kept");
}

#[tokio::test]
async fn a_file_loaded_again_from_copies_serves_its_new_contents() {
    // One file name, two contents: hello, then guild written over it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("game.so");
    let copies = tempfile::tempdir().unwrap();
    let host = Arc::new(TestHost::default());
    let load = |generation: &str| {
        let copies = copies.path().join(generation);
        let (dir, host) = (dir.path().to_path_buf(), host.clone());
        async move {
            let mut events = Vec::new();
            let result = Modules::load_copies(&dir, &copies, host, ContextData::default(), |e| {
                events.push(e)
            })
            .await;
            (result, events)
        }
    };
    std::fs::copy(common::module_file("hello"), &file).unwrap();
    let (first, events) = load("1").await;
    let first = first.unwrap();
    // Events and errors name the file in the folder, not the copy.
    assert!(
        events
            .iter()
            .any(|e| matches!(e, LoadEvent::Loaded { file: f, .. } if *f == file)),
        "{events:?}"
    );
    std::fs::copy(common::module_file("guild"), &file).unwrap();
    let second = load("2").await.0.unwrap();
    assert!(first.has_rpc("hello") && !first.has_rpc("create_guild"));
    assert!(second.has_rpc("create_guild") && !second.has_rpc("hello"));
    // The first load keeps serving from its own copy.
    let out = first.call_rpc("hello", &rpc_ctx(), Vec::new()).await;
    assert_eq!(out.unwrap().unwrap(), b"Hello, alice!");

    std::fs::copy(common::module_file("fixture-abi-major"), &file).unwrap();
    let refused = load("3").await.0.err().expect("refused");
    let msg = refused.to_string();
    assert!(msg.contains(&file.display().to_string()), "{msg}");
}

#[tokio::test]
async fn failing_init_stops_loading_naming_the_module() {
    let (result, _, _) = load(&["hello", "fixture-init-fails"]).await;
    let e = result.err().expect("init failure stops loading");
    match &e {
        LoadError::Init { module, error, .. } => {
            assert_eq!(module, "fixture-init-fails");
            assert_eq!(error.code, Code::FailedPrecondition);
            assert_eq!(error.message, "missing configuration: GUILD_LIMIT");
        }
        other => panic!("unexpected {other}"),
    }
    assert!(e.to_string().contains("fixture-init-fails"));
}

#[tokio::test]
async fn other_abi_major_is_refused_naming_file_versions_and_fix() {
    let (result, _, _) = load(&["fixture-abi-major"]).await;
    let msg = result.err().expect("refused").to_string();
    assert!(msg.contains("libfixture_abi_major"), "{msg}");
    assert!(
        msg.contains("module ABI 2.0") && msg.contains("host ABI 1.16"),
        "{msg}"
    );
    assert!(msg.contains("rebuild the module"), "{msg}");
}

#[tokio::test]
async fn newer_abi_minor_is_refused() {
    let (result, _, _) = load(&["fixture-abi-minor-newer"]).await;
    let msg = result.err().expect("refused").to_string();
    assert!(msg.contains("libfixture_abi_minor_newer"), "{msg}");
    assert!(
        msg.contains("module ABI 1.99 is newer than host ABI 1.16"),
        "{msg}"
    );
    assert!(msg.contains("upgrade the host"), "{msg}");
}

#[tokio::test]
async fn a_module_built_to_abort_on_panic_is_refused_with_the_fix() {
    use nakama_conformance::modules::{build_with_config, file_name};
    let built = build_with_config(&["fixture-abort"], &["profile.dev.panic=\"abort\""]);
    let dir = tempfile::tempdir().unwrap();
    let file = file_name("fixture-abort");
    std::fs::copy(built.join(&file), dir.path().join(&file)).unwrap();
    let host = Arc::new(TestHost::default());
    let result = Modules::load(dir.path(), host, ContextData::default(), |_| {}).await;
    let e = result.err().expect("refused");
    assert!(matches!(e, LoadError::Incompatible { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("libfixture_abort"), "{msg}");
    assert!(
        msg.contains("it was built with panic = \"abort\": its first panic would end this process")
            && msg.contains(
                "Remove `panic = \"abort\"` from the [profile] sections of its Cargo.toml"
            ),
        "{msg}"
    );
}

#[tokio::test]
async fn headers_and_query_missing_from_the_context_are_asked_of_the_host() {
    let (modules, host) = load_ok(&["hello"]).await;
    let whoami = |ctx: ContextData| {
        let modules = &modules;
        async move {
            let out = modules.call_rpc("whoami", &ctx, b"{}".to_vec()).await;
            String::from_utf8(out.unwrap().unwrap()).unwrap()
        }
    };
    // A host that has nothing more to give: no headers, no query params.
    assert_eq!(
        whoami(rpc_ctx()).await,
        "user=alice client=- region=- tier=- mode=rpc"
    );
    // A host that sends them on demand.
    *host.request_maps.lock().unwrap() =
        r#"{"headers":{"X-Client":["asked"]},"query_params":{"region":["eu"]}}"#.into();
    assert_eq!(
        whoami(rpc_ctx()).await,
        "user=alice client=asked region=eu tier=- mode=rpc"
    );
    // In the context, they are used as they are.
    let mut ctx = rpc_ctx();
    ctx.headers.insert("X-Client".into(), vec!["sent".into()]);
    assert_eq!(
        whoami(ctx).await,
        "user=alice client=sent region=- tier=- mode=rpc"
    );
}

#[tokio::test]
async fn a_context_on_demand_is_asked_of_the_host_once_when_read() {
    let (modules, host) = load_ok(&["hello"]).await;
    *host.call_context.lock().unwrap() = r#"{"username":"bob","vars":{"tier":"gold"},
        "headers":{"X-Client":["asked"]},"query_params":{"region":["eu"]},
        "execution_mode":"not used"}"#
        .into();
    // What a host sends: execution mode, node, version (and env), and the
    // marker instead of the call's own values.
    let fixed = ContextData {
        execution_mode: "rpc".into(),
        node: "n1".into(),
        ..Default::default()
    };
    let maps = fixed.encode_maps();
    let view = nakama_runtime_host::abi::ffi::FfiContext {
        extra_json: CONTEXT_ON_DEMAND.into(),
        ..fixed.as_ffi(&maps)
    };
    let call = |id: &'static str, payload: &'static str| {
        let (modules, view) = (&modules, &view);
        async move {
            let ctx = CallContext::View {
                ctx: view,
                host_token: 5,
            };
            let out = modules.call_rpc_tagged(id, ctx, payload.as_bytes()).await;
            String::from_utf8(out.unwrap().unwrap().into_vec()).unwrap()
        }
    };
    assert_eq!(
        call("whoami", "{}").await,
        "user=bob client=asked region=eu tier=gold mode=rpc"
    );
    assert_eq!(host.context_asks.load(Ordering::SeqCst), 1, "once per call");
    // A handler that reads none of it does not ask.
    assert_eq!(call("hello", "Rust").await, "Hello, Rust!");
    assert_eq!(host.context_asks.load(Ordering::SeqCst), 1);
    // A host with nothing to answer: the call's own values are absent.
    host.call_context.lock().unwrap().clear();
    assert_eq!(
        call("whoami", "{}").await,
        "user=- client=- region=- tier=- mode=rpc"
    );
}

#[tokio::test]
async fn an_older_abi_minor_loads_and_gets_every_context_map() {
    let (result, _, events) = load(&["fixture-abi-1-0"]).await;
    let modules = result.unwrap_or_else(|e| panic!("an ABI 1.0 module is refused: {e}"));
    assert_eq!(modules.modules()[0].opened.abi, (1, 0));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, LoadEvent::Loaded { abi: (1, 0), .. })),
        "{events:?}"
    );
    // It reads headers and query params from the context as 1.0 modules
    // do (it cannot ask for them): this host always sends them.
    let mut ctx = rpc_ctx();
    ctx.headers
        .insert("X-Client".into(), vec!["e2e".into(), "2".into()]);
    ctx.query_params.insert("region".into(), vec!["eu".into()]);
    let out = modules
        .call_rpc("raw_maps", &ctx, Vec::new())
        .await
        .expect("registered")
        .expect("answers");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{"X-Client":["e2e","2"]}|{"region":["eu"]}"#
    );
}

#[tokio::test]
async fn layout_mismatch_is_refused() {
    let (result, _, _) = load(&["fixture-layout-mismatch"]).await;
    match result.err().expect("refused") {
        e @ LoadError::Layout { .. } => {
            let msg = e.to_string();
            assert!(msg.contains("libfixture_layout_mismatch"), "{msg}");
            assert!(msg.contains("do not match this host's ABI 1.16"), "{msg}");
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn files_that_are_not_modules_are_skipped_with_a_reason() {
    let dir = common::folder_with(&["hello", "fixture-not-a-module"]);
    std::fs::write(dir.path().join("notes.txt"), "ignored: not a library").unwrap();
    std::fs::write(dir.path().join("broken.so"), "not an ELF file").unwrap();
    let mut events = Vec::new();
    let modules = Modules::load(
        dir.path(),
        Arc::new(TestHost::default()),
        ContextData::default(),
        |e| events.push(e),
    )
    .await
    .unwrap();
    assert_eq!(modules.modules().len(), 1);
    let skipped: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            LoadEvent::Skipped { file, reason } => Some(format!(
                "{}: {reason}",
                file.file_name().unwrap().to_string_lossy()
            )),
            _ => None,
        })
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped[0].starts_with("broken.so: not a loadable shared library"),
        "{skipped:?}"
    );
    assert!(
        skipped[1].contains("not built with nakama-runtime"),
        "{skipped:?}"
    );
}

#[tokio::test]
async fn duplicate_rpc_ids_are_refused_naming_both_modules() {
    let (result, _, _) = load(&["guild", "fixture-duplicate-rpc"]).await;
    let msg = result.err().expect("refused").to_string();
    assert!(msg.contains("RPC id \"create_guild\""), "{msg}");
    assert!(
        msg.contains("fixture-duplicate-rpc") && msg.contains("guild ("),
        "{msg}"
    );
}

#[tokio::test]
async fn duplicate_hooks_are_refused() {
    // Every registration clashes, the first being its before hook on
    // AuthenticateCustom or an RPC.
    let msg = load_twice("guild")
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(msg.contains("registered by two modules"), "{msg}");
}

/// Loads `package`'s file under two names.
async fn load_twice(package: &str) -> Result<Modules, LoadError> {
    let dir = common::folder_with(&[package]);
    let file = format!("lib{}", package.replace('-', "_"));
    let src = dir.path().join(format!("{file}.so"));
    std::fs::copy(&src, dir.path().join(format!("{file}_copy.rsmod"))).unwrap();
    Modules::load(
        dir.path(),
        Arc::new(TestHost::default()),
        ContextData::default(),
        |_| {},
    )
    .await
}

#[tokio::test]
async fn two_shutdown_hooks_are_refused_and_http_handlers_all_kept_in_load_order() {
    let (modules, _) = load_ok(&["guild", "fixture-http"]).await;
    let routes: Vec<(String, String, String)> = modules
        .http_routes()
        .into_iter()
        .map(|r| (r.module, r.methods.join(","), r.pattern))
        .collect();
    let route = |m: &str, methods: &str, p: &str| (m.into(), methods.into(), p.into());
    assert_eq!(
        routes,
        [
            route("fixture-http", "POST,PUT", "/fixture/echo/{id}"),
            route("fixture-http", "POST", "/fixture/raw"),
            route("fixture-http", "", "/fixture/error"),
            route("fixture-http", "GET", "/fixture/panic"),
            route("fixture-http", "GET", "/v2/storage/{collection}"),
            route("fixture-http", "PUT,GET", "/v2/rpc/{id}"),
            route("guild", "POST", "/guild/webhook"),
        ]
    );
    // The console's handlers are listed apart (ABI 1.10).
    let console: Vec<(String, String, String)> = modules
        .console_http_routes()
        .into_iter()
        .map(|r| (r.module, r.methods.join(","), r.pattern))
        .collect();
    assert_eq!(
        console,
        [
            route("fixture-http", "POST", "/fixture/console/{id}"),
            route("fixture-http", "", "/fixture/console_error"),
        ]
    );
    assert!(modules.has_shutdown());

    // The same file under two names: its HTTP handlers may come twice (the
    // first answers), its shutdown hook may not.
    let msg = load_twice("fixture-http").await.err().expect("refused");
    let msg = msg.to_string();
    assert!(
        msg.contains("the shutdown hook is registered by two modules"),
        "{msg}"
    );
}

#[tokio::test]
async fn modules_load_in_a_stable_order() {
    let (modules, _) = load_ok(&["hello", "guild", "fixture-panics"]).await;
    let names: Vec<&str> = modules
        .modules()
        .iter()
        .map(|m| m.opened.name.as_str())
        .collect();
    // Sorted by file name: libfixture_panics, libguild, libhello.
    assert_eq!(names, ["fixture-panics", "guild", "hello"]);
    assert_eq!(
        modules.rpc_ids(),
        [
            "contribute",
            "create_guild",
            "get_guild",
            "guild_owner",
            "hello",
            "join_lobby",
            "lobby_say",
            "my_guilds",
            "panic_after_await",
            "panic_now",
            "still_fine",
            "whoami"
        ]
    );
}

fn match_call(state: u64, tick: i64, event: MatchEvent) -> MatchCall {
    MatchCall {
        state,
        match_id: "0b7f3c9e-6a1d-4d2b-9a8e-2f4c6d8e0a1b.test".into(),
        node: "test".into(),
        label: String::new(),
        tick_rate: 10,
        tick,
        event,
    }
}

fn presence(n: u8) -> Presence {
    Presence {
        user_id: format!("6b3f0c3e-0000-4000-8000-00000000000{n}"),
        session_id: format!("5c7d8a57-0000-4000-8000-00000000000{n}"),
        username: format!("user{n}"),
        node: "test".into(),
        ..Presence::default()
    }
}

#[tokio::test]
async fn a_match_handler_runs_its_match_through_the_loader() {
    let (modules, _host) = load_ok(&["arena"]).await;
    assert!(modules.has_match("arena"));
    assert_eq!(modules.match_names(), ["arena"]);
    let reg = &modules.modules()[0].registrations;
    assert!(reg
        .iter()
        .any(|r| r.kind == "match handler" && r.id == "arena" && r.function.ends_with("Arena")));
    let ctx = ContextData {
        execution_mode: "match".into(),
        node: "test".into(),
        ..Default::default()
    };
    let call = |c: MatchCall| {
        let modules = &modules;
        let ctx = &ctx;
        async move {
            modules
                .call_match("arena", ctx, &c)
                .await
                .expect("registered")
        }
    };

    let mut params = serde_json::Map::new();
    params.insert("max_players".into(), 2.into());
    let started = call(match_call(0, 0, MatchEvent::Init { params }))
        .await
        .unwrap();
    assert!(started.state != 0 && !started.stop);
    assert_eq!(started.tick_rate, 10);
    assert_eq!(
        started.label.as_deref(),
        Some(r#"{"open":true,"players":0}"#)
    );
    let state = started.state;

    let nameless = call(match_call(
        state,
        0,
        MatchEvent::JoinAttempt {
            presence: presence(1),
            metadata: HashMap::new(),
        },
    ))
    .await
    .unwrap();
    assert!(!nameless.accept);
    assert_eq!(nameless.reason, "name required");

    let metadata = HashMap::from([("name".to_string(), "ann".to_string())]);
    let named = call(match_call(
        state,
        0,
        MatchEvent::JoinAttempt {
            presence: presence(1),
            metadata,
        },
    ))
    .await
    .unwrap();
    assert!(named.accept, "{named:?}");

    let joined = call(match_call(
        state,
        1,
        MatchEvent::Join {
            presences: vec![presence(1)],
        },
    ))
    .await
    .unwrap();
    assert_eq!(
        joined.actions,
        [MatchAction::Label {
            label: r#"{"open":true,"players":1}"#.into()
        }]
    );

    let moved = call(match_call(
        state,
        2,
        MatchEvent::Loop {
            messages: vec![
                MatchData {
                    presence: presence(1),
                    op_code: 1,
                    data: br#"{"x":3,"y":-1}"#.to_vec(),
                    reliable: true,
                    receive_time_ms: 0,
                },
                MatchData {
                    presence: presence(1),
                    op_code: 7,
                    data: b"?".to_vec(),
                    reliable: true,
                    receive_time_ms: 0,
                },
            ],
        },
    ))
    .await
    .unwrap();
    match &moved.actions[..] {
        [MatchAction::Broadcast {
            op_code: 9,
            presences: Some(to),
            ..
        }, MatchAction::Broadcast {
            op_code: 2,
            data,
            presences: None,
            sender: None,
            reliable: true,
            deferred: false,
        }] => {
            assert_eq!(to, &[presence(1)]);
            assert_eq!(
                std::str::from_utf8(data).unwrap(),
                r#"{"tick":2,"players":{"ann":{"x":3,"y":-1}}}"#
            );
        }
        other => panic!("unexpected actions {other:?}"),
    }

    let players = call(match_call(
        state,
        3,
        MatchEvent::Signal {
            data: "players".into(),
        },
    ))
    .await
    .unwrap();
    assert_eq!(players.reply, "1");

    let closed = call(match_call(
        state,
        3,
        MatchEvent::Signal {
            data: "close".into(),
        },
    ))
    .await
    .unwrap();
    assert!(closed.stop);
    assert_eq!(closed.reply, "closed");
    assert!(matches!(
        &closed.actions[..],
        [MatchAction::Broadcast { op_code: 3, .. }]
    ));

    // The module dropped the state: the match is over.
    let gone = call(match_call(state, 4, MatchEvent::Loop { messages: vec![] }))
        .await
        .unwrap_err();
    assert_eq!(gone.code, Code::NotFound);
    assert!(gone.message.contains("is gone"), "{}", gone.message);
    // Dropping a state that is gone already is not an error.
    call(match_call(state, 4, MatchEvent::Drop)).await.unwrap();

    // No handler by that name.
    assert!(modules
        .call_match("nope", &ctx, &match_call(0, 0, MatchEvent::Drop))
        .await
        .is_none());
}

#[tokio::test]
async fn arena_frees_a_seat_whose_join_never_comes() {
    let (modules, _host) = load_ok(&["arena"]).await;
    let ctx = ContextData {
        execution_mode: "match".into(),
        ..Default::default()
    };
    let call = |c: MatchCall| {
        let (modules, ctx) = (&modules, &ctx);
        async move { modules.call_match("arena", ctx, &c).await.unwrap().unwrap() }
    };
    let state = call(match_call(
        0,
        0,
        MatchEvent::Init {
            params: Default::default(),
        },
    ))
    .await
    .state;
    let metadata = HashMap::from([("name".to_string(), "ann".to_string())]);
    let attempt = MatchEvent::JoinAttempt {
        presence: presence(1),
        metadata,
    };
    assert!(call(match_call(state, 0, attempt)).await.accept);
    let players = |tick| {
        match_call(
            state,
            tick,
            MatchEvent::Signal {
                data: "players".into(),
            },
        )
    };
    assert_eq!(call(players(0)).await.reply, "1");
    let tick = |tick| match_call(state, tick, MatchEvent::Loop { messages: vec![] });
    call(tick(100)).await;
    assert_eq!(
        call(players(100)).await.reply,
        "1",
        "still within its reservation"
    );
    let freed = call(tick(101)).await;
    assert_eq!(call(players(101)).await.reply, "0");
    assert!(freed.actions.contains(&MatchAction::Label {
        label: r#"{"open":true,"players":0}"#.into()
    }));
}

#[tokio::test]
async fn a_second_matchmaker_hook_is_refused_naming_both_modules() {
    let (result, _, _) = load(&["arena", "fixture-matchmaker"]).await;
    let msg = result.err().expect("refused").to_string();
    assert!(
        msg.contains("the matchmaker matched hook is registered by two modules"),
        "{msg}"
    );
    assert!(
        msg.contains("arena (") && msg.contains("fixture-matchmaker ("),
        "{msg}"
    );
}

#[tokio::test]
async fn a_second_matchmaker_override_is_refused_and_a_processor_loads_beside_one() {
    // fixture-mm-processor registers an override beside its processor.
    let (result, _, _) = load(&["fixture-mm-override", "fixture-mm-processor"]).await;
    let msg = result.err().expect("refused").to_string();
    assert!(
        msg.contains("the matchmaker override callback is registered by two modules"),
        "{msg}"
    );
    let (result, _, _) = load(&["fixture-mm-processor"]).await;
    let modules = result.expect("loads");
    assert!(modules.has_scheduled("matchmaker_processor"));
    assert!(modules.has_scheduled("matchmaker_override"));
}

#[tokio::test]
async fn a_second_realtime_hook_on_one_message_is_refused_naming_both_modules() {
    // Both hook ChannelMessageSend before the server handles it.
    let (result, _, _) = load(&["guild", "fixture-rt"]).await;
    let msg = result.err().expect("refused").to_string();
    assert!(
        msg.contains("realtime before hook ChannelMessageSend is registered by two modules"),
        "{msg}"
    );
    assert!(
        msg.contains("guild (") && msg.contains("fixture-rt ("),
        "{msg}"
    );
}

#[tokio::test]
async fn realtime_hooks_are_routed_by_message_name() {
    let (modules, _) = load_ok(&["fixture-rt"]).await;
    assert!(modules.has_before_rt("ChannelJoin") && modules.has_after_rt("ChannelLeave"));
    assert!(!modules.has_before_rt("ChannelLeave") && !modules.has_before("ChannelJoin"));
    // A before hook's answer is the message to go on with, as JSON.
    let ctx = ContextData::default();
    let out = modules
        .call(
            Callee::BeforeRt("ChannelJoin"),
            CallContext::new(&ctx),
            br#"{"target":"alias-x","type":1}"#,
        )
        .await
        .expect("hooked")
        .expect("answered");
    let out: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(out, serde_json::json!({"target": "room-x", "type": 1}));
}

#[tokio::test]
async fn a_fleet_manager_answers_by_function_and_a_second_one_is_refused() {
    let (modules, _) = load_ok(&["fixture-fleet"]).await;
    assert!(modules.has_fleet_manager());
    let call = |function: &'static str, input: &'static str| {
        let modules = &modules;
        async move {
            modules
                .call(
                    Callee::FleetManager(function),
                    CallContext::new(&rpc_ctx()),
                    input.as_bytes(),
                )
                .await
        }
    };
    let listed = call("list", r#"{"query":"","limit":10}"#).await.unwrap();
    assert_eq!(&*listed.unwrap(), br#"{"instances":[],"cursor":""}"#);
    let err = call("get", r#"{"id":"nowhere"}"#)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (Code::Internal, "instance nowhere not found")
    );
    // update has the SDK's default: nothing to do.
    let updated = call("update", r#"{"id":"i","player_count":2}"#).await;
    assert!(updated.unwrap().unwrap().is_empty());
    assert!(call("scale", "{}").await.is_none(), "not a function");
    let (modules, _) = load_ok(&["hello"]).await;
    assert!(!modules.has_fleet_manager());

    let msg = load_twice("fixture-fleet").await.err().expect("refused");
    let msg = msg.to_string();
    assert!(
        msg.contains("the fleet manager is registered by two modules"),
        "{msg}"
    );
}

#[tokio::test]
async fn store_notification_callbacks_are_called_by_mode_and_one_each_per_process() {
    let (modules, _) = load_ok(&["fixture-store"]).await;
    let modes = [
        "purchase_notification_apple",
        "subscription_notification_apple",
        "purchase_notification_google",
        "subscription_notification_google",
    ];
    for mode in modes {
        assert!(modules.has_scheduled(mode), "{mode}");
    }
    // A refund naming no user: the module's error, with its code.
    let ctx = ContextData {
        execution_mode: "purchase_notification_google".into(),
        ..Default::default()
    };
    let refund = br#"{"notification_type":5,"purchase":{}}"#;
    let err = modules
        .call_scheduled("purchase_notification_google", &ctx, refund)
        .await
        .expect("registered")
        .unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (Code::InvalidArgument, "a refund names no user")
    );
    let (modules, _) = load_ok(&["hello"]).await;
    assert!(!modes.iter().any(|m| modules.has_scheduled(m)));

    let msg = load_twice("fixture-store").await.err().expect("refused");
    let msg = msg.to_string();
    assert!(
        msg.contains("the apple purchase notification callback is registered by two modules"),
        "{msg}"
    );
}
