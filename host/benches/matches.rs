//! What a match tick costs through the module ABI: `examples/arena`'s tick
//! through a loaded `.so`, against the same tick through the same loader
//! path over the handlers linked into this binary (no library boundary).
//! See `README.md` beside this file for the results.
//!
//! `cargo bench -p nakama-runtime-host --bench matches`
//!
//! A tick is the whole host-side call: the `MatchCall` (with its messages)
//! encoded, the module decoding it, taking its state, running
//! `Arena::tick`, encoding the `MatchAnswer` with its broadcast, and the
//! host decoding that.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use nakama_runtime_host::abi::matches::{MatchCall, MatchData, MatchEvent, Presence};
use nakama_runtime_host::abi::{mode, Code, ContextData};
use nakama_runtime_host::{BoxFuture, CallError, HostApi, LogRecord, Modules, OpenedModule};

struct NullHost;

impl HostApi for NullHost {
    fn log(&self, _record: LogRecord<'_>) {}

    fn nk_call(
        &self,
        _host_token: u64,
        _function: &str,
        _args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        Box::pin(async { Err(CallError::new(Code::Unimplemented, "none here")) })
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures_executor::block_on(f)
}

/// Builds `examples/arena` (release) and answers its `.so`.
fn build_arena() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "-p", "arena"])
        .status()
        .expect("run cargo build");
    assert!(status.success(), "building arena failed");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace.join("target"));
    target.join("release").join("libarena.so")
}

fn call(state: u64, tick: i64, event: MatchEvent) -> MatchCall {
    MatchCall {
        state,
        match_id: "0b7f3c9e-6a1d-4d2b-9a8e-2f4c6d8e0a1b.bench".into(),
        node: "bench".into(),
        label: String::new(),
        tick_rate: 10,
        tick,
        event,
    }
}

fn player(n: u8) -> Presence {
    Presence {
        user_id: format!("6b3f0c3e-0000-4000-8000-00000000000{n}"),
        session_id: format!("5c7d8a57-0000-4000-8000-00000000000{n}"),
        username: format!("player{n}"),
        node: "bench".into(),
        ..Presence::default()
    }
}

/// Starts an arena with two players in it; answers its state number.
fn arena_with_two(modules: &Modules, ctx: &ContextData) -> u64 {
    let run = |c: MatchCall| {
        block_on(modules.call_match("arena", ctx, &c))
            .expect("arena is registered")
            .expect("the call succeeds")
    };
    let state = run(call(
        0,
        0,
        MatchEvent::Init {
            params: Default::default(),
        },
    ))
    .state;
    for n in [1, 2] {
        let metadata = HashMap::from([("name".to_string(), format!("p{n}"))]);
        let attempt = MatchEvent::JoinAttempt {
            presence: player(n),
            metadata,
        };
        assert!(run(call(state, 0, attempt)).accept);
        run(call(
            state,
            0,
            MatchEvent::Join {
                presences: vec![player(n)],
            },
        ));
    }
    // The first tick tells everyone of the joins; the benched ones start after.
    run(call(state, 1, MatchEvent::Loop { messages: vec![] }));
    state
}

/// `count` moves, alternating between the two players.
fn moves(count: usize) -> Vec<MatchData> {
    (0..count)
        .map(|i| MatchData {
            presence: player(1 + (i % 2) as u8),
            op_code: arena::OP_MOVE,
            data: format!(r#"{{"x":{i},"y":{}}}"#, i * 2).into_bytes(),
            reliable: true,
            receive_time_ms: 1_764_000_000_000,
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let ctx = ContextData {
        execution_mode: mode::MATCH.into(),
        node: "bench".into(),
        ..Default::default()
    };
    let so = block_on(Modules::load(
        &build_arena(),
        Arc::new(NullHost),
        ContextData::default(),
        |_| {},
    ))
    .expect("load arena");
    let linked = block_on(Modules::init_all(
        vec![OpenedModule::in_process(
            nakama_runtime::__private::in_process_root(),
        )],
        Arc::new(NullHost),
        ContextData::default(),
        |_| {},
    ))
    .expect("init the linked arena");

    let mut group = c.benchmark_group("tick");
    for (name, modules) in [("so", &so), ("linked", &linked)] {
        let state = arena_with_two(modules, &ctx);
        for count in [0, 10] {
            let messages = moves(count);
            group.bench_function(format!("{name}/{count}_moves"), |b| {
                let mut tick = 1;
                b.iter(|| {
                    tick += 1;
                    let c = call(
                        state,
                        tick,
                        MatchEvent::Loop {
                            messages: messages.clone(),
                        },
                    );
                    let answer = block_on(modules.call_match("arena", &ctx, &c))
                        .expect("registered")
                        .expect("the tick succeeds");
                    // 10 moves: one broadcast of every position.
                    assert_eq!(answer.actions.len(), usize::from(count > 0));
                    answer
                })
            });
        }
    }
    group.finish();
}

criterion_group!(matches, benches);
criterion_main!(matches);
