//! What every host of Rust modules must do, checked the same way against
//! each of them.
//!
//! - [`http`]: a raw HTTP/1.1 client that sends exact bytes and answers the
//!   status, headers and body as received (the checks are byte for byte).
//! - [`modules`]: builds example and fixture module crates and puts their
//!   files in a folder, as a host's `runtime.path` expects.
//! - [`golden`]: replays the vectors recorded from a real Nakama 3.40.0
//!   (`shared/reference/golden`) against a running host and reports every
//!   difference that is not on the caller's list of intended ones.
//! - [`account_import`]: `account_import_id`, new accounts and imports
//!   onto existing ones.
//! - [`accounts`]: account deletion, links and unlinks over HTTP, and the
//!   account, user, link and wallet nk functions (bans, exports,
//!   `MultiUpdate`).
//! - [`nk`]: every nk function the SDK offers, through the RPCs of
//!   `fixtures/fixture-nk`.
//! - [`leaderboards`]: the client's leaderboard routes, on leaderboards
//!   `fixtures/fixture-nk` creates.
//! - [`realtime`]: the realtime socket (`/ws`): its refusals, `ping`,
//!   `rpc`, the `format=protobuf` wire, an `examples/arena` match joined,
//!   played and left, relayed matches, notifications, and the matchmaker
//!   (arena's matched hook, and `fixtures/fixture-matchmaker`'s failing
//!   one).
//! - [`matchmaker_custom`]: a module's matchmaker override
//!   (`fixtures/fixture-mm-override`) and processor
//!   (`fixtures/fixture-mm-processor`).
//! - [`matches`](mod@matches): the client's match listing, label queries included.
//! - [`channels`]: chat channels over the socket (rooms, direct chats,
//!   presences, messages, updates, removals) and their history over HTTP.
//! - [`friends`]: friends over HTTP (invites, accepts, lists, friends of
//!   friends, removals, blocks), their notifications (stored, pushed,
//!   listed, deleted), hooks around those routes, and the friends nk
//!   functions.
//! - [`status`]: users' status over the socket (follows, status
//!   presences and their events, refusals) and the `online` flag of users
//!   and accounts.
//! - [`streams`]: a module's presence streams (joins, presence events,
//!   data, listings, updates, leaves, kicks, a close) and the session nk
//!   functions (a socket disconnected, logouts), through `fixtures/fixture-nk`.
//! - [`rt_hooks`]: realtime message hooks (`fixtures/fixture-rt`).
//! - [`events`]: event handlers: clients' and modules' events, sessions'
//!   start and end (`fixtures/fixture-events`).
//! - [`groups`]: the client's group routes (permissions, refusals,
//!   listings, notifications, membership messages), a group chat channel,
//!   and the group nk functions.
//! - [`tournaments`]: the tournament nk functions, through
//!   `fixtures/fixture-nk`.
//! - [`parties`]: parties over the socket (creation, open and closed
//!   joins, join requests, promotions, data, updates, removals, leaves,
//!   closes).
//! - [`custom_http`]: modules' custom HTTP handlers (`fixtures/fixture-http`)
//!   and the shutdown hook's log line.
//! - [`scheduler`]: the tournament end, tournament reset and leaderboard
//!   reset callbacks (`fixtures/fixture-scheduler`), in real time.
//! - [`misc`]: notifications by id and to everyone, leaderboard listing,
//!   ranks disabled, cursors from a rank, cron, files, metrics, and party
//!   listing (nk and `GET /v2/party`).
//! - [`satori`]: the Satori nk functions without Satori settings, and
//!   through Nakama's client against a stand-in Satori server.
//! - [`fleet`]: the fleet manager nk functions without one, and against
//!   the Go fleet manager of `bridge/test-fleet-manager`.
//! - [`storage`]: storage values as stored JSON (key order, numbers,
//!   refusals).
//! - [`differential`]: random client calls (storage, friends) made on two
//!   hosts, their answers compared.
//! - [`routes`]: the client routes called with their last path variable
//!   empty (`GET /v2/leaderboard/`).
//! - [`nakama`]: starts and stops a real Nakama through `scripts/nakama-up`,
//!   for the tests of the bridge.
//!
//! Used by the dev host's tests (`server/tests`) and the bridge's tests
//! (`bridge/rust/tests/nakama.rs`), so both hosts answer to one yardstick.

pub mod account_import;
pub mod accounts;
pub mod channels;
pub mod custom_http;
pub mod differential;
pub mod events;
pub mod fleet;
pub mod friends;
pub mod golden;
pub mod groups;
pub mod http;
pub mod http_request;
pub mod leaderboards;
pub mod match_reasons;
pub mod matches;
pub mod matchmaker_custom;
pub mod misc;
pub mod modules;
pub mod nakama;
pub mod nk;
pub mod parties;
pub mod realtime;
pub mod routes;
pub mod rt_hooks;
pub mod satori;
pub mod scheduler;
pub mod social;
pub mod status;
pub mod stindex;
pub mod storage;
pub mod streams;
pub mod tournaments;

use std::path::PathBuf;

/// The repository's root folder.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("conformance/ is inside the workspace")
        .to_path_buf()
}

/// A suffix of this run's own (the time in nanoseconds, hex), for ids and
/// names that must not meet those of an earlier run: a real Nakama's
/// database outlives a test run.
pub fn run_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}")
}

/// Checks `check` every 50 ms until it holds; panics after 15 s naming
/// `what` and the last thing `check` said was wrong.
pub fn eventually(what: &str, check: impl FnMut() -> Result<(), String>) {
    eventually_within(what, std::time::Duration::from_secs(15), check)
}

/// [`eventually`], waiting up to `wait`.
pub fn eventually_within(
    what: &str,
    wait: std::time::Duration,
    mut check: impl FnMut() -> Result<(), String>,
) {
    let deadline = std::time::Instant::now() + wait;
    loop {
        match check() {
            Ok(()) => return,
            Err(e) if std::time::Instant::now() > deadline => {
                panic!("timed out waiting until {what}: {e}")
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    }
}

/// Asserts that `got` has exactly the cases (keys) of `want`, each with the
/// wanted value; panics listing every case that differs.
pub fn assert_cases(got: &serde_json::Value, want: &serde_json::Value) {
    let (Some(got_cases), Some(want_cases)) = (got.as_object(), want.as_object()) else {
        panic!("not objects: got {got}, want {want}");
    };
    let differ: Vec<String> = want_cases
        .iter()
        .filter(|(case, w)| got_cases.get(*case) != Some(w))
        .map(|(case, w)| {
            format!(
                "{case}: got {}, want {w}",
                got_cases.get(case).unwrap_or(&serde_json::Value::Null)
            )
        })
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert_eq!(got_cases.len(), want_cases.len(), "{got}");
}

/// The host under test, for the checks where the hosts differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    DevHost,
    Nakama,
}
