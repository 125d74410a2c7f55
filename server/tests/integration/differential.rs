//! The dev host and a real Nakama given the same random client calls
//! (`nakama_conformance::differential`): their answers must match. Needs
//! Nakama, so ignored by a plain `cargo test`; `bridge/test.sh` runs it
//! after building Nakama and the bridge.

use nakama_conformance::differential::{
    compare_accounts, compare_bad_requests, compare_chat, compare_friends, compare_groups,
    compare_leaderboards, compare_match_queries, compare_matches, compare_messages,
    compare_mutated_envelopes, compare_mutated_requests, compare_nk_cron, compare_nk_index,
    compare_nk_scores, compare_nk_social, compare_nk_storage, compare_nk_streams,
    compare_nk_wallets, compare_parties, compare_relayed, compare_rpc_requests, compare_sessions,
    compare_socket_upgrades, compare_storage, compare_tournaments, Hosts,
};
use nakama_conformance::nakama;

use crate::common::Server;

/// One area's comparison: `(hosts, seed, calls)`.
type Compare = fn(Hosts, u64, usize);

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn random_client_calls_answer_as_on_nakama() {
    // Each area: how many seeded runs, of how many calls (fewer sessions:
    // email passwords are hashed with bcrypt on both hosts, and account
    // deletions wait for a second of their own).
    let areas: [(&str, Compare, u64, usize); 25] = [
        ("storage", compare_storage, 8, 150),
        ("friends", compare_friends, 4, 120),
        ("leaderboards", compare_leaderboards, 6, 150),
        ("accounts", compare_accounts, 4, 100),
        ("sessions", compare_sessions, 3, 80),
        ("groups", compare_groups, 4, 150),
        ("tournaments", compare_tournaments, 4, 120),
        ("nk_storage", compare_nk_storage, 6, 150),
        ("nk_index", compare_nk_index, 4, 150),
        ("nk_wallets", compare_nk_wallets, 4, 120),
        ("nk_social", compare_nk_social, 6, 150),
        ("nk_scores", compare_nk_scores, 6, 150),
        ("nk_cron", compare_nk_cron, 4, 300),
        ("messages", compare_messages, 6, 150),
        ("bad_requests", compare_bad_requests, 4, 300),
        // Before any area makes matches: with none, a listing filtered
        // by size answers before it reads its query.
        ("mutated_requests", compare_mutated_requests, 6, 250),
        ("rpc_requests", compare_rpc_requests, 4, 200),
        ("match_queries", compare_match_queries, 6, 250),
        // Each call waits for the sockets to be quiet (50 ms).
        ("parties", compare_parties, 3, 60),
        ("mutated_envelopes", compare_mutated_envelopes, 3, 120),
        ("socket_upgrades", compare_socket_upgrades, 3, 100),
        ("chat", compare_chat, 3, 60),
        ("relayed", compare_relayed, 3, 80),
        ("nk_streams", compare_nk_streams, 3, 80),
        ("matches", compare_matches, 3, 80),
    ];
    // To look further than CI does, or to rerun one area while mending
    // it: `DIFFERENTIAL_AREAS` names the areas to run (comma-separated, as
    // in the table; all when unset), `DIFFERENTIAL_SEEDS` the seeds of
    // each (`100..140`; the table's count from 0 when unset) and
    // `DIFFERENTIAL_CALLS` the length of each run (and
    // `DIFFERENTIAL_REPORT=full` a longer report, `conformance`'s `Run`).
    // Read before the hosts start, so that a typo costs no wait.
    let names: Option<Vec<String>> = std::env::var("DIFFERENTIAL_AREAS").ok().map(|names| {
        names
            .split(',')
            .map(|name| name.trim().to_owned())
            .collect()
    });
    for name in names.iter().flatten() {
        assert!(
            areas.iter().any(|area| area.0 == name),
            "DIFFERENTIAL_AREAS: no area {name:?}; the areas: {:?}",
            areas.map(|area| area.0)
        );
    }
    let chosen_seeds = std::env::var("DIFFERENTIAL_SEEDS").ok().map(|range| {
        let bounds = range
            .split_once("..")
            .and_then(|(a, b)| Some(a.parse::<u64>().ok()?..b.parse().ok()?));
        bounds.unwrap_or_else(|| panic!("DIFFERENTIAL_SEEDS={range}: write a range, as 100..140"))
    });
    let length = std::env::var("DIFFERENTIAL_CALLS").ok().map(|n| {
        n.parse::<usize>()
            .unwrap_or_else(|_| panic!("DIFFERENTIAL_CALLS={n}: write a number of calls"))
    });
    // fixture-nk makes the leaderboards and tournaments, on each host.
    let runtime = nakama::runtime_folder(&["fixture-nk"]);
    // Parties' and matches' changes indexed every 20 ms, not every
    // second (their listings wait for it).
    let settings = [
        "--party.label_update_interval_ms",
        "20",
        "--match.label_update_interval_ms",
        "20",
    ];
    let nakama =
        nakama::start(runtime.path(), &settings).expect("a real Nakama: run bridge/test.sh");
    let dev = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    let hosts = Hosts {
        a: dev.port,
        b: nakama.port,
    };
    for (name, compare, count, calls) in areas {
        if names
            .as_ref()
            .is_some_and(|names| !names.iter().any(|n| n == name))
        {
            continue;
        }
        for seed in chosen_seeds.clone().unwrap_or(0..count) {
            compare(hosts, seed, length.unwrap_or(calls));
        }
    }
}
