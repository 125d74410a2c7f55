//! What a module's test pays for the test host: a fresh `TestHost` (in-
//! memory SQLite, schema, the module initialised) and one typed RPC round
//! trip in-process (`guild::get_guild`: JSON in, one storage read through
//! the nk API, JSON out).
//!
//!   cargo bench -p nakama-test-host --bench test_host

use criterion::{criterion_group, criterion_main, Criterion};
use guild::{get_guild, CreateGuild, GetGuild, Guild};
use nakama_test_host::TestHost;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    c.bench_function("fresh TestHost::new", |b| {
        b.iter(|| rt.block_on(TestHost::new()))
    });

    let host = rt.block_on(TestHost::new());
    let user = rt.block_on(host.user("bench"));
    let _: Guild = rt
        .block_on(host.rpc(
            &user,
            guild::create_guild,
            &CreateGuild {
                name: "bench".into(),
            },
        ))
        .unwrap();
    let req = GetGuild {
        name: "bench".into(),
    };
    c.bench_function("typed RPC round trip (get_guild)", |b| {
        b.iter(|| {
            let g: Guild = rt.block_on(host.rpc(&user, get_guild, &req)).unwrap();
            g
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
