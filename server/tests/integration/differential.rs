//! The dev host and a real Nakama given the same random client calls
//! (`nakama_conformance::differential`): their answers must match. Needs
//! Nakama, so ignored by a plain `cargo test`; `bridge/test.sh` runs it
//! after building Nakama and the bridge.

use nakama_conformance::differential::{
    compare_accounts, compare_bad_requests, compare_friends, compare_groups, compare_leaderboards,
    compare_nk_storage, compare_nk_wallets, compare_storage, compare_tournaments, Hosts,
};
use nakama_conformance::nakama;

use crate::common::Server;

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn random_client_calls_answer_as_on_nakama() {
    // fixture-nk makes the leaderboards and tournaments, on each host.
    let runtime = nakama::runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect("a real Nakama: run bridge/test.sh");
    let dev = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    let hosts = Hosts {
        a: dev.port,
        b: nakama.port,
    };
    for seed in 0..8 {
        compare_storage(hosts, seed, 150);
    }
    for seed in 0..4 {
        compare_friends(hosts, seed, 120);
    }
    for seed in 0..6 {
        compare_leaderboards(hosts, seed, 150);
    }
    for seed in 0..4 {
        compare_accounts(hosts, seed, 100);
    }
    for seed in 0..4 {
        compare_groups(hosts, seed, 150);
    }
    for seed in 0..4 {
        compare_tournaments(hosts, seed, 120);
    }
    for seed in 0..6 {
        compare_nk_storage(hosts, seed, 150);
    }
    for seed in 0..4 {
        compare_nk_wallets(hosts, seed, 120);
    }
    for seed in 0..4 {
        compare_bad_requests(hosts, seed, 300);
    }
}
