//! One matchmaker pass over a pool, as Nakama's own benchmark
//! (`BenchmarkMatchmakerProcessTickets*` in server/matchmaker_test.go)
//! measures it: N new tickets (query `*`, groups of exactly 2) beside a
//! number of older tickets none of them may take, all formed into N/2
//! groups in one pass, each told over its socket (no matched hook: a
//! relayed match token per group). Twice: with `rev_precision` at its
//! default (off; the older tickets kept out by their group size), and on,
//! as Nakama's benchmark runs (kept out because their query does not find
//! the new ones). Run: `cargo bench -p nakama-devhost --bench matchmaker`;
//! the figures are in the README.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use nakama_devhost::log::Logger;
use nakama_devhost::matchmaker::{Matchmaker, MatchmakerConfig, TicketRequest};
use nakama_devhost::online::Online;
use nakama_runtime_host::abi::matches::Presence;

fn user(n: usize) -> Presence {
    Presence {
        user_id: uuid::Uuid::new_v4().to_string(),
        session_id: uuid::Uuid::new_v4().to_string(),
        username: format!("user{n}"),
        node: "bench".into(),
        ..Presence::default()
    }
}

/// A pool with `unmatchable` tickets the new ones cannot take, then
/// `tickets` new ones that pair up. With `rev_precision` the older ones
/// are kept out as in Nakama's benchmark, by a query that finds none of
/// the new ones; without, by their group size.
fn pool(tickets: usize, unmatchable: usize, rev_precision: bool) -> Matchmaker {
    let online = Online::default();
    let m = Matchmaker::new(
        MatchmakerConfig {
            max_tickets: 3,
            interval_sec: 1,
            max_intervals: 5,
            rev_precision,
            ..Default::default()
        },
        "bench",
        "bench",
        "key",
        Logger::new("error", "json"),
        online.clone(),
    );
    for n in 0..unmatchable {
        let p = user(n);
        let size = if rev_precision { 2 } else { 3 };
        let req = TicketRequest::new(size, size)
            .query("+properties.will_never_match:foo")
            .string("will_never_match", "baz");
        m.add(&p, &req).unwrap();
    }
    for n in 0..tickets {
        let p = user(n);
        let (outbox, inbox) = nakama_devhost::online::Outbox::unlimited();
        std::mem::forget(inbox); // the socket stays open; its pushes pile up
        online.connect(&p.user_id, &p.session_id, outbox);
        m.add(&p, &TicketRequest::new(2, 2).query("*")).unwrap();
    }
    m
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for (group, rev_precision) in [
        ("matchmaker_pass", false),
        ("matchmaker_pass_rev_precision", true),
    ] {
        let mut g = c.benchmark_group(group);
        for (tickets, unmatchable) in [(100, 50), (1_000, 100)] {
            g.bench_function(format!("{tickets}_tickets_min2_max2"), |b| {
                b.iter_batched(
                    || pool(tickets, unmatchable, rev_precision),
                    |m| {
                        let groups = rt.block_on(m.process());
                        assert_eq!(groups.len(), tickets / 2);
                    },
                    BatchSize::PerIteration,
                )
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
