//! The C ABI with Rust stand-ins for the Go callbacks, loading real module
//! files (built here into target/test-modules, copied as `.rsmod`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use nakama_bridge::*;

const PACKAGES: &[&str] = &[
    "hello",
    "arena",
    "guild",
    "fixture-panics",
    "fixture-init-fails",
    "fixture-nk",
    "fixture-abi-1-0",
    "fixture-fleet",
    "fixture-store",
];

fn build_modules() -> PathBuf {
    nakama_conformance::modules::build(PACKAGES)
}

fn folder(built: &Path, packages: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for p in packages {
        nakama_conformance::modules::copy_into(built, p, dir.path(), "rsmod");
    }
    // A Go plugin beside them is not looked at.
    std::fs::write(dir.path().join("bridge.so"), b"not for us").unwrap();
    dir
}

/// token, level, caller, message, fields
type LogLine = (u64, u8, String, String, String);

static LOGS: Mutex<Vec<LogLine>> = Mutex::new(Vec::new());
static STORAGE: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);
static NK_TOKENS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
/// The tokens of the calls that asked for their headers and query params.
static MAPS_TOKENS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
/// The tokens of the calls that asked for their context.
static CTX_TOKENS: Mutex<Vec<u64>> = Mutex::new(Vec::new());
/// nk requests calls suspended on (NB_NK) rather than calling back.
static SUSPENDED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Each registration's index (nb_call takes it) by kind and id, from the
/// init report.
static INDEXES: Mutex<Option<HashMap<(u8, String), u32>>> = Mutex::new(None);

/// The first `N` text fields of the first op of storage arguments, which
/// the bridge sends compact (src/nkargs.rs): a zero byte, a u32 count, then
/// u32-length-prefixed text.
fn first_op<const N: usize>(args: &[u8]) -> [String; N] {
    assert_eq!(args.first(), Some(&0), "storage arguments go to Go compact");
    let mut rest = &args[5..];
    std::array::from_fn(|_| {
        let n = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
        let s = String::from_utf8(rest[4..4 + n].to_vec()).unwrap();
        rest = &rest[4 + n..];
        s
    })
}

unsafe fn text(p: *const u8, n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    String::from_utf8_lossy(std::slice::from_raw_parts(p, n)).into_owned()
}

unsafe extern "C" fn log_cb(
    token: u64,
    level: u8,
    caller: *const u8,
    caller_len: usize,
    msg: *const u8,
    msg_len: usize,
    fields: *const u8,
    fields_len: usize,
) {
    LOGS.lock().unwrap().push((
        token,
        level,
        text(caller, caller_len),
        text(msg, msg_len),
        text(fields, fields_len),
    ));
}

unsafe extern "C" fn nk_cb(
    token: u64,
    sink: *mut NbSink,
    function: *const u8,
    function_len: usize,
    args: *const u8,
    args_len: usize,
) {
    let function = text(function, function_len);
    let args = if args_len == 0 {
        Vec::new()
    } else {
        std::slice::from_raw_parts(args, args_len).to_vec()
    };
    let (code, out) = serve_nk(token, &function, &args);
    nb_answer(sink, code, out.as_ptr(), out.len());
}

/// Go's answer when a module reads headers or query params it was not
/// sent: made from the token, so a test sees which call it belongs to.
unsafe extern "C" fn maps_cb(token: u64, sink: *mut NbSink) {
    MAPS_TOKENS.lock().unwrap().push(token);
    let out = format!(
        r#"{{"headers":{{"X-Client":["c{token}"]}},"query_params":{{"region":["r{token}"]}}}}"#
    );
    nb_answer(sink, 0, out.as_ptr(), out.len());
}

/// Go's answer when a module reads a context it was sent empty: the wire
/// form, made from the token.
unsafe extern "C" fn ctx_cb(token: u64, sink: *mut NbSink) {
    CTX_TOKENS.lock().unwrap().push(token);
    let out = wire_ctx_with(
        Some(r#"{"X-Client":["ctx"]}"#),
        None,
        &format!("u{token}"),
        &format!("n{token}"),
        "t",
    );
    nb_answer(sink, 0, out.as_ptr(), out.len());
}

/// What the test's Nakama answers an nk call (from the init callback or a
/// suspended call): a storage of one collection in memory.
fn serve_nk(token: u64, function: &str, args: &[u8]) -> (u32, String) {
    NK_TOKENS.lock().unwrap().push(token);
    let mut storage = STORAGE.lock().unwrap();
    let storage = storage.get_or_insert_with(HashMap::new);
    let (code, out) = match function {
        "storage_write" => {
            // collection, key, user_id, value, version (then permissions)
            let [_, key, _, value, version] = first_op(args);
            if version == "*" && storage.contains_key(&key) {
                (
                    3,
                    "Storage write rejected - version check failed.".to_string(),
                )
            } else {
                storage.insert(key.clone(), value);
                (
                    0,
                    format!(r#"[{{"collection":"guilds","key":"{key}","version":"v"}}]"#),
                )
            }
        }
        "storage_read" => {
            let [_, key, _] = first_op(args);
            match storage.get(&key) {
                Some(v) => (
                    0,
                    serde_json::json!([{"collection": "guilds", "key": key, "value": v}])
                        .to_string(),
                ),
                None => (0, "[]".to_string()),
            }
        }
        // examples/guild creates its leaderboard and tournament in its init.
        "leaderboard_create" | "tournament_create" => (0, "null".to_string()),
        // examples/arena's arena_create starts an "arena" match.
        "match_create" => {
            let args: serde_json::Value = serde_json::from_slice(args).unwrap();
            assert_eq!(args["module"], "arena", "{args}");
            match args["params"]["max_players"].as_u64().unwrap() {
                16 => (14, "no room for 16 players".to_string()),
                players => (0, format!(r#""m{players}.nakama1""#)),
            }
        }
        other => (12, format!("{other} is not here")),
    };
    (code, out)
}

fn init(path: &Path) -> (i32, String) {
    let path = path.to_str().unwrap();
    let ctx =
        r#"{"execution_mode":"run_once","node":"nakama1","version":"3.40.0","env":{"K":"V"}}"#;
    let mut out = NbBuf::EMPTY;
    let code = unsafe {
        nb_init(
            path.as_ptr(),
            path.len(),
            ctx.as_ptr(),
            ctx.len(),
            log_cb,
            nk_cb,
            maps_cb,
            ctx_cb,
            2000,
            &mut out,
        )
    };
    (code, take(out))
}

fn take(buf: NbBuf) -> String {
    String::from_utf8_lossy(&take_bytes(buf)).into_owned()
}

fn take_bytes(buf: NbBuf) -> Vec<u8> {
    let b = if buf.len == 0 {
        Vec::new()
    } else {
        unsafe { std::slice::from_raw_parts(buf.ptr, buf.len) }.to_vec()
    };
    unsafe { nb_free(buf) };
    b
}

/// A call's context in the bridge's wire form (bridge/rust/src/wire.rs):
/// user id, username and trace id set, every other field absent.
fn wire_ctx(user_id: &str, username: &str, trace_id: &str) -> Vec<u8> {
    wire_ctx_with(None, None, user_id, username, trace_id)
}

/// [`wire_ctx`] with headers and query params (JSON) sent in the context.
fn wire_ctx_with(
    headers: Option<&str>,
    query: Option<&str>,
    user_id: &str,
    username: &str,
    trace_id: &str,
) -> Vec<u8> {
    let mut b = Vec::new();
    let mut field = |v: Option<&str>| match v {
        None => b.extend_from_slice(&u32::MAX.to_le_bytes()),
        Some(v) => {
            b.extend_from_slice(&(v.len() as u32).to_le_bytes());
            b.extend_from_slice(v.as_bytes());
        }
    };
    field(headers);
    field(query);
    field(Some(user_id));
    field(Some(username));
    for _ in 0..6 {
        field(None); // vars .. client_port
    }
    field(Some(trace_id));
    b
}

/// The bytes of an answer, from `dst` or from Rust's buffer (freed).
fn answer(out: &NbOut, dst: &[u8]) -> Vec<u8> {
    if out.addr == 0 {
        dst[..out.len as usize].to_vec()
    } else {
        take(out.buf()).into_bytes()
    }
}

/// One call through nb_call with a 16-byte answer buffer, so answers take
/// both ways back: copied into it, or in a Rust buffer when longer. `id`
/// is found in the init report (absent: an index no handler has).
fn call(kind: u8, id: &str, ctx: &[u8], input: &str, token: u64) -> (i32, String) {
    call_mode(kind, id, ctx, input, token, 1)
}

/// [`call`] with nb_call's `suspendable` flag (0: nk calls call back).
fn call_mode(
    kind: u8,
    id: &str,
    ctx: &[u8],
    input: &str,
    token: u64,
    suspendable: u8,
) -> (i32, String) {
    let (code, out) = call_bytes(kind, id, ctx, input.as_bytes(), token, suspendable);
    (code, String::from_utf8_lossy(&out).into_owned())
}

/// [`call_mode`] answering the output's bytes as they are (a match
/// handler's answer is not text).
fn call_bytes(
    kind: u8,
    id: &str,
    ctx: &[u8],
    input: &[u8],
    token: u64,
    suspendable: u8,
) -> (i32, Vec<u8>) {
    let index = INDEXES
        .lock()
        .unwrap()
        .as_ref()
        .and_then(|m| m.get(&(kind, id.to_string())).copied())
        .unwrap_or(u32::MAX);
    let mut out = NbOut::EMPTY;
    let mut dst = [0u8; 16];
    // Go's buffers: a suspended call must not need them any more.
    let (mut ctx, mut input) = (ctx.to_vec(), input.to_vec());
    let code = unsafe {
        nb_call(
            kind,
            index,
            ctx.as_ptr(),
            ctx.len(),
            input.as_ptr(),
            input.len(),
            token,
            suspendable,
            dst.as_mut_ptr(),
            dst.len(),
            &mut out,
        )
    };
    let mut code = code;
    if code == NB_NK {
        ctx.fill(0xAA);
        input.fill(0xAA);
    }
    while code == NB_NK {
        // Go's side of a suspended call: run the request, resume.
        SUSPENDED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let request = answer(&out, &dst);
        let n = u32::from_le_bytes(request[..4].try_into().unwrap()) as usize;
        let function = String::from_utf8(request[4..4 + n].to_vec()).unwrap();
        let (nk_code, result) = serve_nk(token, &function, &request[4 + n..]);
        code = unsafe {
            nb_resume(
                out.call,
                nk_code,
                result.as_ptr(),
                result.len(),
                dst.as_mut_ptr(),
                dst.len(),
                &mut out,
            )
        };
    }
    let len = out.len as usize;
    if out.addr == 0 {
        assert!(len <= dst.len());
        return (code, dst[..len].to_vec());
    }
    assert!(len > dst.len(), "a short answer was not put in dst");
    (code, take_bytes(out.buf()))
}

#[test]
fn the_c_abi_end_to_end() {
    let built = build_modules();

    // Before init: every call answers INTERNAL, nothing crashes.
    let (code, msg) = call(NB_RPC, "hello", b"", "", 1);
    assert_eq!(
        (code, msg.as_str()),
        (13, "the Rust bridge is not initialised")
    );

    // A failing init is refused, naming the module and its error; the
    // bridge stays uninitialised.
    let bad = folder(&built, &["hello", "fixture-init-fails"]);
    let (code, msg) = init(bad.path());
    assert_eq!(code, NB_REFUSED);
    assert!(
        msg.contains("fixture_init_fails") || msg.contains("fixture-init-fails"),
        "{msg}"
    );
    assert!(msg.contains("missing configuration: GUILD_LIMIT"), "{msg}");

    // A good folder loads; the report lists modules and registrations.
    LOGS.lock().unwrap().clear();
    let good = folder(
        &built,
        &[
            "hello",
            "guild",
            "fixture-panics",
            "fixture-abi-1-0",
            "fixture-nk",
            "arena",
            "fixture-fleet",
            "fixture-store",
        ],
    );
    let (code, report) = init(good.path());
    assert_eq!(code, NB_OK, "{report}");
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    let regs = report["registrations"].as_array().unwrap();
    let has = |kind: u8, id: &str| regs.iter().any(|r| r["kind"] == kind && r["id"] == id);
    let indexes: HashMap<(u8, String), u32> = regs
        .iter()
        .map(|r| {
            let kind = r["kind"].as_u64().unwrap() as u8;
            let id = r["id"].as_str().unwrap().to_string();
            ((kind, id), r["index"].as_u64().unwrap() as u32)
        })
        .collect();
    let mut distinct: Vec<u32> = indexes.values().copied().collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), regs.len(), "one index per registration");
    *INDEXES.lock().unwrap() = Some(indexes);
    assert!(has(NB_RPC, "hello") && has(NB_RPC, "create_guild") && has(NB_RPC, "panic_now"));
    assert!(has(NB_BEFORE, "AuthenticateCustom") && has(NB_AFTER, "AuthenticateCustom"));
    assert!(has(NB_BEFORE, "GetAccount"));
    assert!(has(NB_MATCH, "arena") && has(NB_RPC, "arena_create"));
    assert!(has(NB_MATCHMAKER, ""), "arena's matchmaker matched hook");
    for op in ["get", "list", "create", "join", "update", "delete"] {
        assert!(has(NB_FLEET_MANAGER, op), "fixture-fleet's {op}");
    }
    assert_eq!(report["modules"].as_array().unwrap().len(), 8);
    // Modules of ABI 1.1 ask for headers and query params, of 1.2 for
    // their context; Go must send them to older ones. A fleet manager's
    // context is always sent (it carries the asker's execution mode).
    for r in regs {
        let older = r["module"] == "fixture_abi_1_0";
        let fleet = r["kind"] == NB_FLEET_MANAGER;
        assert_eq!(r["maps_on_demand"], !older, "{r}");
        assert_eq!(r["context_on_demand"], !older && !fleet, "{r}");
    }
    {
        let logs = LOGS.lock().unwrap();
        let hello = logs
            .iter()
            .find(|l| l.3 == "Hello World!")
            .expect("init log");
        assert_eq!(hello.0, 0, "init lines carry token 0");
        assert!(hello.2.contains("hello/src/lib.rs:"), "{}", hello.2);
    }
    // Only once per process.
    let (code, msg) = init(good.path());
    assert_eq!((code, msg.contains("already")), (NB_REFUSED, true));

    // RPCs: raw and typed, context from the wire form, env from init.
    let ctx = &wire_ctx("u1", "alice", "t")[..];
    assert_eq!(
        call(NB_RPC, "hello", ctx, "", 7),
        (0, "Hello, alice!".into())
    );
    assert_eq!(
        call(NB_RPC, "hello", ctx, "Rust", 7),
        (0, "Hello, Rust!".into())
    );
    assert_eq!(
        call(NB_RPC, "nope", ctx, "", 7),
        (NB_NOT_FOUND, String::new())
    );
    let (code, msg) = call(25, "hello", ctx, "", 7);
    assert_eq!((code, msg.as_str()), (13, "unknown call kind 25"));
    // The same with a context on demand (an empty wire), whose view comes
    // from a table by kind.
    for kind in [0, 25, 99] {
        let (code, msg) = call(kind, "hello", b"", "", 7);
        assert_eq!((code, msg), (13, format!("unknown call kind {kind}")));
    }
    // Known kinds (realtime hooks: ABI 1.6, events: 1.7, HTTP handlers
    // and the shutdown hook: 1.8, storage index filters, the matchmaker
    // override and processor: 1.9, the stores' notifications: 1.13)
    // without that handler.
    for kind in [
        NB_MATCH,
        NB_BEFORE_RT,
        NB_AFTER_RT,
        NB_EVENT,
        NB_TOURNAMENT_END,
        NB_HTTP,
        NB_SHUTDOWN,
        NB_STORAGE_INDEX,
        NB_MATCHMAKER_OVERRIDE,
        NB_MATCHMAKER_PROCESSOR,
        NB_PURCHASE_NOTIFICATION_APPLE,
        NB_SUBSCRIPTION_NOTIFICATION_GOOGLE,
    ] {
        assert_eq!(
            call(kind, "hello", b"", "", 7),
            (NB_NOT_FOUND, String::new())
        );
    }

    // Headers and query params left out of the context come from Go when
    // the module reads them, once per call; sent in it, they are used.
    assert_eq!(
        call(NB_RPC, "whoami", ctx, "{}", 21),
        (0, "user=alice client=c21 region=r21 tier=- mode=rpc".into())
    );
    assert_eq!(*MAPS_TOKENS.lock().unwrap(), [21]);
    let sent = wire_ctx_with(
        Some(r#"{"X-Client":["wire"]}"#),
        Some(r#"{"region":["eu"]}"#),
        "u1",
        "alice",
        "t",
    );
    assert_eq!(
        call(NB_RPC, "whoami", &sent, "{}", 22),
        (0, "user=alice client=wire region=eu tier=- mode=rpc".into())
    );
    assert_eq!(*MAPS_TOKENS.lock().unwrap(), [21], "not asked when sent");
    assert_eq!(
        call(NB_RPC, "raw_maps", &sent, "", 23),
        (0, r#"{"X-Client":["wire"]}|{"region":["eu"]}"#.into())
    );

    // A context sent empty comes from Go when the handler reads it, once
    // per call (headers and query params with it); the execution mode is
    // the bridge's own. A handler that reads none of it never asks.
    assert_eq!(
        call(NB_RPC, "whoami", b"", "{}", 31),
        (0, "user=n31 client=ctx region=- tier=- mode=rpc".into())
    );
    assert_eq!(
        call(NB_RPC, "hello", b"", "", 32),
        (0, "Hello, n32!".into())
    );
    assert_eq!(call(NB_RPC, "still_fine", b"", "ok", 33), (0, "ok".into()));
    assert_eq!(*CTX_TOKENS.lock().unwrap(), [31, 32]);
    assert_eq!(
        *MAPS_TOKENS.lock().unwrap(),
        [21],
        "maps came with the context"
    );

    let (code, out) = call(NB_RPC, "create_guild", ctx, r#"{"name":"g1"}"#, 8);
    assert_eq!((code, out.as_str()), (0, r#"{"name":"g1","owner":"u1"}"#));
    assert!(
        NK_TOKENS.lock().unwrap().contains(&8),
        "nk calls carry the call's token"
    );
    // create_guild's storage write suspended the call (NB_NK) instead of
    // calling Go back.
    assert_eq!(SUSPENDED.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Not suspendable: the same nk call calls back, with the call's token.
    let (code, out) = call_mode(NB_RPC, "get_guild", ctx, r#"{"name":"g1"}"#, 11, 0);
    assert_eq!((code, out.as_str()), (0, r#"{"name":"g1","owner":"u1"}"#));
    assert_eq!(SUSPENDED.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(NK_TOKENS.lock().unwrap().contains(&11));
    let (code, out) = call(NB_RPC, "create_guild", ctx, r#"{"name":"g1"}"#, 9);
    assert_eq!((code, out.as_str()), (6, "guild name is in use"));
    let (code, out) = call(NB_RPC, "get_guild", ctx, r#"{"name":"g1"}"#, 10);
    assert_eq!((code, out.as_str()), (0, r#"{"name":"g1","owner":"u1"}"#));
    let (code, out) = call(NB_RPC, "get_guild", ctx, r#"{"name":"zz"}"#, 10);
    assert_eq!((code, out.as_str()), (5, "guild zz not found"));
    let (code, out) = call(NB_RPC, "create_guild", ctx, "{", 10);
    assert_eq!(code, 3, "{out}");
    assert!(
        LOGS.lock()
            .unwrap()
            .iter()
            .any(|l| l.0 == 8 && l.3 == "guild created"),
        "log lines carry the call's token"
    );

    // Panics answer INTERNAL and the bridge keeps serving.
    let (code, _) = call(NB_RPC, "panic_now", ctx, "", 11);
    assert_eq!(code, 13);
    let (code, _) = call(NB_RPC, "panic_after_await", ctx, "", 11);
    assert_eq!(code, 13);
    let (code, _) = call(NB_BEFORE, "GetAccount", ctx, "null", 11);
    assert_eq!(code, 13);
    assert_eq!(call(NB_RPC, "still_fine", ctx, "ok", 12), (0, "ok".into()));

    // Hooks: the request goes on (JSON), or the error stops it.
    let hook_ctx = &[0xff; 44][..]; // every field absent
    let req = r#"{"account":{"id":"cid-123456","vars":{"a":"b"}},"create":true,"username":"x"}"#;
    let (code, out) = call(NB_BEFORE, "AuthenticateCustom", hook_ctx, req, 13);
    assert_eq!(code, 0);
    let back: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        back,
        serde_json::from_str::<serde_json::Value>(req).unwrap()
    );
    let (code, out) = call(
        NB_BEFORE,
        "AuthenticateCustom",
        hook_ctx,
        r#"{"account":{"id":"x"}}"#,
        13,
    );
    assert_eq!((code, out.as_str()), (3, "input contained invalid data"));
    let after = r#"{"out":{"created":true,"token":"t"},"in":{"account":{"id":"cid-123456"}}}"#;
    assert_eq!(
        call(NB_AFTER, "AuthenticateCustom", hook_ctx, after, 14),
        (0, String::new())
    );
    assert_eq!(
        call(NB_AFTER, "GetAccount", hook_ctx, "{}", 14),
        (NB_NOT_FOUND, String::new())
    );

    // A context that does not decode is an INTERNAL answer, not a crash.
    let (code, msg) = call(NB_RPC, "hello", b"{not json", "", 15);
    assert_eq!(code, 13);
    assert!(msg.contains("context"), "{msg}");

    // A suspended call reads its context from its own copy: call_mode
    // overwrites the buffers it gave nb_call once the call has suspended.
    let (code, out) = call(NB_RPC, "nk_then_context", ctx, "", 16);
    assert_eq!(code, 0, "{out}");
    let seen: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(seen["user_id"], "u1", "{out}");

    match_handlers(ctx);
    matchmaker_matched();
    fleet_manager(ctx);
    store_notifications();
}

/// fixture-store's notification callbacks (ABI 1.13) through nb_call:
/// each in its own execution mode (a context on demand, as Go sends
/// them; this test's Go side gives every context a user, Nakama gives
/// these none); what crossed is what the module kept; its error keeps its
/// code.
fn store_notifications() {
    let input = r#"{"notification_type":5,"purchase":{"user_id":"u9","product_id":"gems"},"payload":{"bundleId":"b"}}"#;
    assert_eq!(
        call(
            NB_PURCHASE_NOTIFICATION_APPLE,
            "purchase_notification_apple",
            b"",
            input,
            70
        ),
        (0, String::new())
    );
    let input = r#"{"notification_type":2,"subscription":{"user_id":"u9","product_id":"vip"},"payload":null}"#;
    assert_eq!(
        call(
            NB_SUBSCRIPTION_NOTIFICATION_GOOGLE,
            "subscription_notification_google",
            b"",
            input,
            71
        ),
        (0, String::new())
    );
    let kept = |mode: &str| -> serde_json::Value {
        let storage = STORAGE.lock().unwrap();
        let value = storage.as_ref().and_then(|s| s.get(mode)).expect(mode);
        let mut kept: serde_json::Value = serde_json::from_str(value).unwrap();
        kept.as_object_mut().unwrap().remove("user_id");
        kept
    };
    assert_eq!(
        kept("purchase_notification_apple"),
        serde_json::json!({"mode": "purchase_notification_apple", "type": 5,
            "buyer": "u9", "product_id": "gems", "payload": {"bundleId": "b"}})
    );
    assert_eq!(
        kept("subscription_notification_google"),
        serde_json::json!({"mode": "subscription_notification_google", "type": 2,
            "buyer": "u9", "product_id": "vip", "payload": null})
    );
    let refund = r#"{"notification_type":5,"purchase":{}}"#;
    assert_eq!(
        call(
            NB_PURCHASE_NOTIFICATION_GOOGLE,
            "purchase_notification_google",
            b"",
            refund,
            72
        ),
        (3, "a refund names no user".into())
    );
}

/// fixture-fleet's functions (ABI 1.12) through nb_call: JSON in and out,
/// the context led by the asker's execution mode, the module's errors
/// with their code.
fn fleet_manager(ctx: &[u8]) {
    let mut asker = 3u32.to_le_bytes().to_vec();
    asker.extend_from_slice(b"rpc");
    asker.extend_from_slice(ctx);
    assert_eq!(
        call(NB_FLEET_MANAGER, "get", &asker, r#"{"id":"nowhere"}"#, 60),
        (13, "instance nowhere not found".into())
    );
    assert_eq!(
        call(
            NB_FLEET_MANAGER,
            "list",
            &asker,
            r#"{"query":"","limit":5,"cursor":""}"#,
            61
        ),
        (0, r#"{"instances":[],"cursor":""}"#.into())
    );
    assert_eq!(
        call(NB_FLEET_MANAGER, "delete", &asker, r#"{"id":"i"}"#, 62),
        (0, String::new())
    );
    assert_eq!(
        call(
            NB_FLEET_MANAGER,
            "create",
            &asker,
            r#"{"max_players":0,"callback_id":"cb"}"#,
            63
        ),
        (13, "max players must be at least 1".into())
    );
    // Never on demand: an empty wire has no mode to give.
    let (code, msg) = call(NB_FLEET_MANAGER, "get", b"", r#"{"id":"i"}"#, 64);
    assert_eq!(code, 13);
    assert!(msg.contains("needs its context"), "{msg}");
    // The mode field cut short.
    let (code, msg) = call(NB_FLEET_MANAGER, "get", &asker[..5], r#"{"id":"i"}"#, 65);
    assert_eq!(code, 13);
    assert!(msg.contains("execution mode"), "{msg}");
}

/// A MatchCall of the arena match "m2.nakama1" (abi/src/matches.rs).
fn match_call(state: u64, tick: i64, event: serde_json::Value) -> String {
    let mut call = serde_json::json!({
        "state": state,
        "match_id": "m2.nakama1",
        "node": "nakama1",
        "label": "",
        "tick_rate": 10,
        "tick": tick,
    });
    call.as_object_mut()
        .unwrap()
        .extend(event.as_object().unwrap().clone());
    call.to_string()
}

/// Match handlers (ABI 1.4) through nb_call: examples/arena's match, by
/// the index of its registration, MatchCall in, MatchAnswer out.
fn match_handlers(ctx: &[u8]) {
    use serde_json::{json, Value};
    let (code, out) = call(NB_RPC, "arena_create", ctx, r#"{"max_players":2}"#, 40);
    assert_eq!((code, out.as_str()), (0, r#"{"match_id":"m2.nakama1"}"#));

    // Answers come back compact (but `{}`): read as Go reads them.
    let matched = |input: String, token: u64| -> Value {
        let (code, out) = call_bytes(NB_MATCH, "arena", b"", input.as_bytes(), token, 1);
        let text = String::from_utf8_lossy(&out);
        assert_eq!(code, 0, "{input}: {text}");
        if out == b"{}" {
            return json!({});
        }
        let answer = read_match_answer(&out).unwrap_or_else(|| panic!("not compact: {text}"));
        serde_json::to_value(answer).unwrap()
    };
    let started = matched(
        match_call(0, 0, json!({"call": "init", "params": {"max_players": 2}})),
        41,
    );
    let state = started["state"].as_u64().expect("a state number");
    assert_eq!(started["tick_rate"], 10, "{started}");
    assert_eq!(
        started["label"], r#"{"open":true,"players":0}"#,
        "{started}"
    );

    let ann = json!({"user_id": "5c7d8a57-0d9f-4f0b-9f5e-3d8a3f1b2c4d",
        "session_id": "6c7d8a57-0d9f-4f0b-9f5e-3d8a3f1b2c4d", "username": "ann", "node": "nakama1"});
    let refused = matched(
        match_call(
            state,
            0,
            json!({"call": "join_attempt", "presence": ann, "metadata": {}}),
        ),
        42,
    );
    assert_eq!(refused, json!({"reason": "name required"}));
    let accepted = matched(
        match_call(
            state,
            0,
            json!({"call": "join_attempt", "presence": ann, "metadata": {"name": "ann"}}),
        ),
        42,
    );
    assert_eq!(accepted, json!({"accept": true}));
    let joined = matched(
        match_call(state, 1, json!({"call": "join", "presences": [ann]})),
        43,
    );
    assert_eq!(
        joined["actions"],
        json!([{"action": "label", "label": r#"{"open":true,"players":1}"#}])
    );
    assert!(
        LOGS.lock()
            .unwrap()
            .iter()
            .any(|l| l.0 == 43 && l.3 == "ann joined m2.nakama1"),
        "the handler's log line carries its call's token"
    );
    // {"x":3,"y":-1}, base64
    let moved = matched(
        match_call(
            state,
            2,
            json!({"call": "loop", "messages": [
                {"presence": ann, "op_code": 1, "data": "eyJ4IjozLCJ5IjotMX0=", "reliable": true, "receive_time_ms": 1}
            ]}),
        ),
        44,
    );
    let broadcast = &moved["actions"][0];
    assert_eq!(
        (&broadcast["action"], &broadcast["op_code"]),
        (&json!("broadcast"), &json!(2))
    );
    assert!(broadcast.get("presences").is_none(), "to everyone: {moved}");
    // The same tick in compact form (ABI 1.16, as the Go half sends it):
    // the module answers in it, and the answer goes to Go as it is.
    let compact_tick = |tick| {
        use nakama_runtime_host::abi::matches::{compact, MatchCall, MatchData, MatchEvent};
        let call = MatchCall {
            event: MatchEvent::Loop {
                messages: vec![MatchData {
                    presence: serde_json::from_value(ann.clone()).unwrap(),
                    op_code: 1,
                    data: br#"{"x":3,"y":-1}"#.to_vec(),
                    reliable: true,
                    receive_time_ms: 1,
                }],
            },
            ..serde_json::from_str(&match_call(state, tick, json!({"call": "loop"}))).unwrap()
        };
        compact::write_call(&call).unwrap()
    };
    let (code, out) = call_bytes(NB_MATCH, "arena", b"", &compact_tick(3), 44, 1);
    assert_eq!((code, out[0]), (0, 0), "{}", String::from_utf8_lossy(&out));
    let again = serde_json::to_value(read_match_answer(&out).expect("compact")).unwrap();
    assert_eq!(
        (
            &again["actions"][0]["action"],
            &again["actions"][0]["op_code"]
        ),
        (&json!("broadcast"), &json!(2)),
        "{again}"
    );
    assert_eq!(
        matched(
            match_call(state, 3, json!({"call": "signal", "data": "players"})),
            45
        ),
        json!({"reply": "1"})
    );
    let closed = matched(
        match_call(state, 4, json!({"call": "signal", "data": "close"})),
        46,
    );
    assert_eq!(
        (&closed["stop"], &closed["reply"]),
        (&json!(true), &json!("closed")),
        "{closed}"
    );
    assert_eq!(closed["actions"][0]["op_code"], 3, "{closed}");
    // Stopped: the state is gone; a drop of it is harmless.
    let (code, out) = call(
        NB_MATCH,
        "arena",
        b"",
        &match_call(state, 5, json!({"call": "loop"})),
        47,
    );
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("is gone"), "{out}");
    assert_eq!(
        matched(match_call(state, 5, json!({"call": "drop"})), 48),
        json!({})
    );
    // A call that does not decode is refused, not a crash.
    let (code, out) = call(NB_MATCH, "arena", b"", "{", 49);
    assert_eq!(code, 3, "{out}");
}

/// One matched user as Go sends it (abi/src/matchmaker.rs).
fn entry(name: &str, string_properties: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "presence": {"user_id": format!("u-{name}"), "session_id": format!("s-{name}"),
            "username": name, "node": "nakama1"},
        "ticket": format!("t-{name}"),
        "string_properties": string_properties,
        "numeric_properties": {"rank": 7.5},
        "create_time": 1_700_000_000_000_000_000i64,
    })
}

/// The matchmaker matched hook (ABI 1.5) through nb_call: examples/arena's,
/// by the index of its registration (id empty), the entries in, a match id
/// or nothing out.
fn matchmaker_matched() {
    use serde_json::json;
    let group = json!([
        entry("ann", json!({})),
        entry("bob", json!({"region": "eu"}))
    ]);
    // Its match_create suspends the call (or calls back), and the arena's
    // id comes back.
    for (token, suspendable) in [(60, 1), (61, 0)] {
        let (code, out) = call_mode(
            NB_MATCHMAKER,
            "",
            b"",
            &group.to_string(),
            token,
            suspendable,
        );
        assert_eq!(
            (code, out.as_str()),
            (0, "m2.nakama1"),
            "suspendable {suspendable}"
        );
        assert!(
            NK_TOKENS.lock().unwrap().contains(&token),
            "match_create runs with the hook's token"
        );
        assert!(
            LOGS.lock()
                .unwrap()
                .iter()
                .any(|l| l.0 == token && l.3 == "matchmaker: arena m2.nakama1 for 2 players"),
            "the hook's log line carries its call's token"
        );
    }
    // A ticket asking for a relayed match: the hook answers nothing (Go
    // then answers Nakama "", which sends the users a token).
    let relayed = json!([
        entry("ann", json!({"mode": "relayed"})),
        entry("bob", json!({}))
    ]);
    assert_eq!(
        call(NB_MATCHMAKER, "", b"", &relayed.to_string(), 62),
        (0, String::new())
    );
    // One entry still gets two seats; 17 ask for 16, which this Nakama
    // refuses: the nk call's error is the hook's, code and message.
    let (code, out) = call(
        NB_MATCHMAKER,
        "",
        b"",
        &json!([entry("ann", json!({}))]).to_string(),
        63,
    );
    assert_eq!((code, out.as_str()), (0, "m2.nakama1"));
    let crowd: Vec<_> = (0..17)
        .map(|i| entry(&format!("p{i}"), json!({})))
        .collect();
    let (code, out) = call(NB_MATCHMAKER, "", b"", &json!(crowd).to_string(), 66);
    assert_eq!((code, out.as_str()), (14, "no room for 16 players"));
    // Entries that do not decode: INTERNAL, the SDK's message.
    let (code, out) = call(NB_MATCHMAKER, "", b"", "{", 64);
    assert_eq!(code, 13, "{out}");
    assert!(out.contains("cannot be decoded"), "{out}");
    // A context sent on the wire is read with the matchmaker's mode.
    let (code, out) = call(NB_MATCHMAKER, "", &[0xff; 44], &group.to_string(), 65);
    assert_eq!((code, out.as_str()), (0, "m2.nakama1"));
}
