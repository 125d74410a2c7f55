//! Dispatch through a loaded module (`.so`) against a direct in-process call
//! of the same handler. See `README.md` beside this file for what each case
//! measures and the results.
//!
//! `cargo bench -p nakama-runtime-host --bench dispatch`
//!
//! The bench builds the module it loads itself (`cargo build --release -p
//! fixture-bench`, same target dir) and links the same crate as an rlib for
//! the direct calls.
//!
//! Futures are driven with `futures_executor::block_on` on both sides: every
//! future here completes on its first poll, and it is the cheapest executor
//! that can run any future (the `executor` group measures it against a
//! current-thread tokio runtime).

use std::future::Future;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use fixture_bench::{GuildReply, GuildRequest, SAMPLE_GUILD_JSON};
use nakama_runtime::__private::{json_input, json_output, raw_input, raw_output};
use nakama_runtime::{Context, Nakama};
use nakama_runtime_host::abi::abi_stable::prefix_type::PrefixTypeTrait;
use nakama_runtime_host::abi::abi_stable::std_types::{RResult, RStr, RString, RVec};
use nakama_runtime_host::abi::async_ffi::{FfiFuture, FutureExt as _};
use nakama_runtime_host::abi::ffi::{FfiError, FfiResult, HostHandle, HostVTable};
use nakama_runtime_host::abi::{mode, Code, ContextData};
use nakama_runtime_host::{
    BoxFuture, CallError, HostApi, LogRecord, Modules, OpenedModule, EXTENSIONS,
};

/// The echo payload: a short raw string.
const ECHO_PAYLOAD: &str = "hello from the dispatch benchmark";

/// The driver of every future in this bench (see the crate docs).
fn block_on<F: Future>(f: F) -> F::Output {
    futures_executor::block_on(f)
}

/// A host that logs nothing and has no nk functions.
struct NullHost;

impl HostApi for NullHost {
    fn log(&self, _record: LogRecord<'_>) {}

    fn nk_call(
        &self,
        _host_token: u64,
        function: &str,
        _args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        let function = function.to_string();
        Box::pin(async move {
            Err(CallError::new(
                Code::Unimplemented,
                format!("{function} is not implemented"),
            ))
        })
    }
}

/// The same, as a raw vtable: the host handle of the direct calls.
fn null_handle() -> HostHandle {
    extern "C" fn log(_: usize, _: u8, _: RStr<'_>, _: RStr<'_>, _: RStr<'_>) {}
    extern "C" fn nk_call(_: usize, function: RStr<'_>, _: RVec<u8>) -> FfiFuture<FfiResult> {
        let message = format!("{function} is not implemented");
        async move { RResult::RErr(FfiError::new(Code::Unimplemented, message)) }.into_ffi()
    }
    extern "C" fn context_maps(_: usize) -> RString {
        RString::new()
    }
    extern "C" fn background(_: usize) -> usize {
        0
    }
    HostHandle {
        data: 0,
        vtable: HostVTable {
            log,
            nk_call,
            context_maps,
            call_context: context_maps,
            background,
        }
        .leak_into_prefix(),
    }
}

/// A realistic small context of an RPC call by a user.
fn rpc_context() -> ContextData {
    ContextData {
        execution_mode: mode::RPC.to_string(),
        node: "nakama-1".to_string(),
        version: "3.25.0+rust".to_string(),
        user_id: Some("8f2b1c4e-5d6a-4b7c-9e0f-1a2b3c4d5e6f".to_string()),
        username: Some("night_owl_42".to_string()),
        ..Default::default()
    }
}

/// Builds `fixture-bench` (release) and answers its `.so`.
fn build_module() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ is inside the workspace");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "-p",
            "fixture-bench",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(out.status.success(), "building fixture-bench failed");
    // The artifact message of the package's lib lists the .so.
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" || msg["target"]["name"] != "fixture_bench" {
            continue;
        }
        let files = msg["filenames"].as_array().into_iter().flatten();
        for f in files.filter_map(|f| f.as_str()) {
            let path = PathBuf::from(f);
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if EXTENSIONS.contains(&ext) {
                return path;
            }
        }
    }
    panic!("cargo build did not report the fixture-bench library");
}

/// The index of an RPC in this process's own handler table (the rlib's).
fn in_process_index(id: &str) -> u32 {
    nakama_runtime::__private::declared_info()
        .registrations
        .iter()
        .find(|r| r.id.as_str() == id)
        .unwrap_or_else(|| panic!("rpc {id} is not linked into the bench"))
        .handler
}

fn benches(c: &mut Criterion) {
    let so = build_module();
    let ctx_data = rpc_context();
    let modules = block_on(Modules::load(
        &so,
        Arc::new(NullHost),
        ContextData::default(),
        |_| {},
    ))
    .expect("load fixture-bench");
    assert!(modules.has_rpc("echo") && modules.has_rpc("guild"));
    // The same loader path over the handlers linked into this binary: no
    // library boundary (buffers cross without copies).
    let linked = block_on(Modules::init_all(
        vec![OpenedModule::in_process(
            nakama_runtime::__private::in_process_root(),
        )],
        Arc::new(NullHost),
        ContextData::default(),
        |_| {},
    ))
    .expect("init linked fixture-bench");

    let handle = null_handle();
    let ctx = Context::from_data(ctx_data.clone(), handle);
    let nk = Nakama::from_host(handle);
    let ctx_maps = ctx_data.encode_maps();
    let ffi_ctx = ctx_data.as_ffi(&ctx_maps);

    let echo_bytes = ECHO_PAYLOAD.as_bytes().to_vec();
    let guild_bytes = SAMPLE_GUILD_JSON.as_bytes().to_vec();

    // Each side answers the same bytes.
    let host_call = |modules: &Modules, id: &str, payload: &[u8]| {
        block_on(modules.call_rpc(id, &ctx_data, payload.to_vec()))
            .expect("registered")
            .expect("call succeeds")
    };
    let so_call = |id: &str, payload: &[u8]| host_call(&modules, id, payload);
    let linked_call = |id: &str, payload: &[u8]| host_call(&linked, id, payload);
    let direct_echo = |payload: &[u8]| {
        block_on(async {
            let input: String = raw_input(payload)?;
            raw_output(fixture_bench::echo(&ctx, &nk, input).await)
        })
        .expect("echo succeeds")
    };
    let direct_guild = |payload: &[u8]| {
        block_on(async {
            let req: GuildRequest = json_input(payload)?;
            json_output(fixture_bench::guild(&ctx, &nk, req).await)
        })
        .expect("guild succeeds")
    };
    let echo_index = in_process_index("echo");
    let guild_index = in_process_index("guild");
    let in_process = |index: u32, payload: &[u8]| {
        block_on(nakama_runtime::__private::dispatch(
            index, handle, &ffi_ctx, payload,
        ))
        .into_result()
        .expect("call succeeds")
        .into_vec()
    };
    assert_eq!(so_call("echo", &echo_bytes), echo_bytes);
    assert_eq!(linked_call("echo", &echo_bytes), echo_bytes);
    assert_eq!(direct_echo(&echo_bytes), echo_bytes);
    assert_eq!(in_process(echo_index, &echo_bytes), echo_bytes);
    let reply = so_call("guild", &guild_bytes);
    assert_eq!(direct_guild(&guild_bytes), reply);
    assert_eq!(linked_call("guild", &guild_bytes), reply);
    assert_eq!(in_process(guild_index, &guild_bytes), reply);
    let reply: GuildReply = serde_json::from_slice(&reply).expect("typed reply");
    assert_eq!(reply.owner, ctx_data.user_id.clone().unwrap());

    // From the outermost layer in: the loaded .so, the same loader path over
    // the linked handlers, the SDK's dispatch alone, the handler alone.
    let mut g = c.benchmark_group("echo");
    g.bench_function("so", |b| b.iter(|| so_call("echo", black_box(&echo_bytes))));
    g.bench_function("loader_linked", |b| {
        b.iter(|| linked_call("echo", black_box(&echo_bytes)))
    });
    g.bench_function("sdk_dispatch", |b| {
        b.iter(|| in_process(echo_index, black_box(&echo_bytes)))
    });
    g.bench_function("direct", |b| b.iter(|| direct_echo(black_box(&echo_bytes))));
    g.finish();

    let mut g = c.benchmark_group("typed");
    g.bench_function("so", |b| {
        b.iter(|| so_call("guild", black_box(&guild_bytes)))
    });
    g.bench_function("loader_linked", |b| {
        b.iter(|| linked_call("guild", black_box(&guild_bytes)))
    });
    g.bench_function("sdk_dispatch", |b| {
        b.iter(|| in_process(guild_index, black_box(&guild_bytes)))
    });
    g.bench_function("direct", |b| {
        b.iter(|| direct_guild(black_box(&guild_bytes)))
    });
    let owner = ctx_data.user_id.clone().unwrap();
    g.bench_function("json_only", |b| {
        b.iter(|| {
            let req: GuildRequest =
                serde_json::from_slice(black_box(&guild_bytes)).expect("decode");
            let reply = GuildReply {
                name: req.name,
                owner: owner.clone(),
                tags: req.tags,
                max_members: req.max_members,
                open: req.open,
            };
            serde_json::to_vec(&reply).expect("encode")
        })
    });
    g.finish();

    // The context as it crosses the boundary: the host encodes the maps
    // that are not empty and lends the rest in place; the module decodes
    // the maps only when a handler reads them.
    let mut g = c.benchmark_group("context");
    g.bench_function("encode", |b| {
        b.iter(|| {
            let maps = black_box(&ctx_data).encode_maps();
            black_box(ctx_data.as_ffi(&maps).user_id);
        })
    });
    g.bench_function("decode_all", |b| {
        b.iter(|| ContextData::from_ffi(black_box(&ffi_ctx)))
    });
    g.finish();

    // What driving a ready future costs with each executor.
    let mut g = c.benchmark_group("executor");
    g.bench_function("futures_block_on", |b| {
        b.iter(|| futures_executor::block_on(async { black_box(1u8) }))
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| rt.block_on(async { black_box(1u8) }))
    });
    g.finish();
}

criterion_group!(dispatch, benches);
criterion_main!(dispatch);
