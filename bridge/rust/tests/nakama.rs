//! The bridge inside a real Nakama 3.40.0 on PostgreSQL: the golden vectors
//! replayed through it, every nk function, an authoritative match of a
//! Rust module, its matchmaker matched hook, chat channels, parties and
//! their matchmaking, groups, user status, friends and their
//! notifications, accounts (links, bans, exports, `MultiUpdate`),
//! tournaments (nk functions and client routes), realtime message hooks,
//! event handlers, Satori (against a stand-in Satori server), the fleet
//! manager (a Go module's, and a Rust module's), and what
//! Nakama does with a module that panics, one
//! whose init fails, one built for another ABI, and a bridge built with
//! other Go flags.
//!
//! They need Nakama, PostgreSQL and the built plugin, so they are ignored
//! by a plain `cargo test`; `bridge/test.sh` builds everything and runs
//! them (`scripts/test` calls it). Each test starts its own Nakama on a
//! fresh database, one test at a time.

use nakama_conformance::golden::{self, Intended};
use nakama_conformance::nakama::{self, runtime_folder};

const NEEDS_NAKAMA: &str = "needs a real Nakama: run bridge/test.sh";

/// Where the golden module behind the bridge answers differently from the
/// Go module the vectors were recorded with (also in docs/differences.md).
const INTENDED: &[Intended] = &[
    (
        "rpc_plain_go_error_account_bad",
        "a Rust error always has a gRPC code: Nakama's `error` field is {\"Message\",\"Code\":13} where Go's plain error serialises as {}; status, code and message match",
    ),
    (
        "rpc_body_at_limit_accepted",
        "the same module error as rpc_plain_go_error_account_bad (a body of exactly the limit reaches account_bad)",
    ),
];

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn golden_vectors_through_the_bridge() {
    let runtime = runtime_folder(&["golden-module"]);
    for file in golden::FILES {
        let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
        golden::check(file, nakama.port, INTENDED);
    }
}

#[test]
fn bridge_differences_are_documented() {
    let doc = std::fs::read_to_string(nakama_conformance::workspace().join("docs/differences.md"))
        .expect("docs/differences.md");
    golden::assert_documented(&doc, INTENDED);
}

fn rpc(nakama: &nakama::Nakama, id: &str, body: &str) -> (u16, serde_json::Value) {
    let r = nakama.request(
        "POST",
        &format!("/v2/rpc/{id}?http_key=defaulthttpkey"),
        &[("Content-Type", "application/json")],
        Some(serde_json::to_string(body).unwrap().as_bytes()),
    );
    (r.status, r.json())
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_panicking_handler_answers_internal_and_nakama_keeps_serving() {
    let runtime = runtime_folder(&["fixture-panics", "hello"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);

    for id in ["panic_now", "panic_after_await"] {
        let (status, body) = rpc(&nakama, id, "{}");
        assert_eq!(status, 500, "{id}: {body}");
        assert_eq!(body["code"], 13, "{id}: {body}");
        assert!(
            body["message"].as_str().unwrap_or("").contains("panicked"),
            "{id}: {body}"
        );
    }
    // A panicking before hook refuses the request it guards.
    let session = nakama.request(
        "POST",
        "/v2/account/authenticate/custom?create=true",
        &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
        Some(br#"{"id":"cid-123456"}"#),
    );
    assert_eq!(session.status, 200, "{}", session.text());
    let token = session.json()["token"].as_str().unwrap().to_string();
    let account = nakama.request(
        "GET",
        "/v2/account",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(account.status, 500, "{}", account.text());

    // Nakama is still up, the other handlers and modules still serve.
    let (status, body) = rpc(&nakama, "still_fine", "ok");
    assert_eq!((status, body), (200, serde_json::json!({"payload": "ok"})));
    let (status, _) = rpc(&nakama, "hello", "{}");
    assert_eq!(status, 200);

    // The panic is in Nakama's log, from the Rust runtime, with its place.
    let lines = nakama.log_lines("deliberate panic in panic_now");
    assert!(!lines.is_empty(), "no panic line in:\n{}", nakama.log());
    assert_eq!(lines[0]["runtime"], "rust", "{}", lines[0]);
    assert_eq!(lines[0]["level"], "error", "{}", lines[0]);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn module_log_lines_carry_the_rust_runtime_and_caller() {
    let runtime = runtime_folder(&["guild"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    let lines = nakama.log_lines("guild module loaded");
    assert_eq!(lines.len(), 1, "{}", nakama.log());
    assert_eq!(lines[0]["runtime"], "rust");
    assert_eq!(lines[0]["collection"], "guilds");
    assert!(
        lines[0]["caller"]
            .as_str()
            .unwrap()
            .starts_with("examples/guild/src/lib.rs:"),
        "{}",
        lines[0]
    );
    let ready = nakama.log_lines("Rust bridge ready");
    assert_eq!(ready.len(), 1, "{}", nakama.log());
    assert_eq!(ready[0]["modules"], 1);
}

/// The start fails and Nakama's log says which file and why.
fn refused(packages: &[&str], file: &str, reason: &str) {
    refused_in(runtime_folder(packages).path(), file, reason);
}

fn refused_in(runtime: &std::path::Path, file: &str, reason: &str) {
    let log = match nakama::start(runtime, &[]) {
        Ok(_) => panic!("Nakama started with the modules of {}", runtime.display()),
        Err(log) => log,
    };
    let line = log
        .lines()
        .find(|l| l.contains(file) && l.contains(reason))
        .unwrap_or_else(|| panic!("no line naming {file} and {reason:?} in:\n{log}"));
    assert!(
        line.contains("\"level\":\"error\"") || line.contains("\"level\":\"fatal\""),
        "{line}"
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_failing_init_stops_startup_naming_the_module() {
    refused(
        &["hello", "fixture-init-fails"],
        "fixture_init_fails.rsmod",
        "missing configuration: GUILD_LIMIT",
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_module_for_another_abi_stops_startup_naming_the_module() {
    refused(&["fixture-abi-major"], "fixture_abi_major.rsmod", "ABI 2.0");
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_module_built_to_abort_on_panic_stops_startup_naming_the_module() {
    let built = nakama_conformance::modules::build_with_config(
        &["fixture-abort"],
        &["profile.dev.panic=\"abort\""],
    );
    let runtime = tempfile::tempdir().unwrap();
    let copy = |from: std::path::PathBuf, to: &str| {
        std::fs::copy(from, runtime.path().join(to)).expect("copy into the runtime folder")
    };
    copy(
        built.join(nakama_conformance::modules::file_name("fixture-abort")),
        "fixture_abort.rsmod",
    );
    copy(nakama::bridge_plugin(), "nakama_rust_bridge.so");
    refused_in(
        runtime.path(),
        "fixture_abort.rsmod",
        "it was built with panic = ",
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_bridge_built_with_other_go_flags_is_refused_by_nakama() {
    // Nakama is built without -trimpath; a plugin built with it compiles
    // the shared packages differently, and Go's plugin loader refuses it.
    let runtime = tempfile::tempdir().unwrap();
    let plugin = runtime.path().join("nakama_rust_bridge.so");
    let status =
        std::process::Command::new(nakama_conformance::workspace().join("bridge/build.sh"))
            .env("BRIDGE_GO_FLAGS", "-trimpath")
            .env("BRIDGE_OUT", &plugin)
            .status()
            .expect("run bridge/build.sh");
    assert!(status.success(), "bridge/build.sh with -trimpath failed");
    let log = match nakama::start(runtime.path(), &[]) {
        Ok(_) => panic!("Nakama loaded a plugin built with -trimpath"),
        Err(log) => log,
    };
    assert!(
        log.contains("plugin was built with a different version of package"),
        "{log}"
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn tournaments_are_forwarded_to_nakama_and_served_to_clients() {
    // fixture-store's notification callbacks go to Nakama's
    // Register*Notification*, which must take them (no store can call
    // them here: see bridge/README).
    let runtime = runtime_folder(&["fixture-nk", "fixture-store"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::tournaments::check_nk(nakama.port);
    nakama_conformance::tournaments::check_client_routes(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn notifications_leaderboards_cron_files_http_metrics_and_parties_are_forwarded() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    use nakama_conformance::misc;
    misc::check_notifications(nakama.port);
    misc::check_send_all(nakama.port);
    misc::check_leaderboards(nakama.port);
    misc::check_cron(nakama.port);
    misc::check_read_file(nakama.port, runtime.path());
    nakama_conformance::http_request::check_http_request(nakama.port);
    misc::check_metrics(nakama.port);
    misc::check_parties(nakama.port);
    misc::check_storage_read_ids(nakama.port);
    misc::check_purchases(nakama.port);
    misc::check_purchase_routes(nakama.port);
    nakama_conformance::routes::check_empty_last_segment(nakama.port);
    nakama_conformance::routes::check_head_limit(nakama.port);
    nakama_conformance::storage::check_stored_json(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn modules_read_nakamas_settings() {
    use nakama_conformance::misc::{check_config, CONFIG_SETTINGS, PROVIDER_SETTINGS};
    let runtime = runtime_folder(&["fixture-nk"]);
    let settings = [CONFIG_SETTINGS, PROVIDER_SETTINGS].concat();
    let nakama = nakama::start(runtime.path(), &settings).expect(NEEDS_NAKAMA);
    check_config(nakama.port, true);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn every_nk_function_is_forwarded_to_nakama() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama =
        nakama::start(runtime.path(), &["--runtime.env", "GREETING=hi"]).expect(NEEDS_NAKAMA);
    nakama_conformance::nk::check_every_function(nakama.port);
    nakama_conformance::nk::check_context(nakama.port);
    nakama_conformance::leaderboards::check_client_routes(nakama.port);
    // An RPC over the realtime socket gets the session's context.
    nakama_conformance::realtime::check_rpc_context(nakama.port);
    nakama_conformance::realtime::check_notifications(nakama.port);
    nakama_conformance::channels::check_history_hook(nakama.port);
    // The background work's log line (written on the module's own thread,
    // after its call ended) reaches Nakama's log as the module's.
    nakama_conformance::eventually("the background work logs", || {
        let found = !nakama.log_lines("background work done").is_empty();
        found.then_some(()).ok_or_else(|| nakama.log())
    });
    let line = nakama.log_lines("background work done").remove(0);
    assert_eq!(line["runtime"], "rust", "{line}");
    assert_eq!(line["key"], "background", "{line}");

    // A function the bridge does not forward (a module built for a newer
    // bridge) is UNIMPLEMENTED, named.
    let (status, body) = nakama_conformance::nk::call(nakama.port, "nk_missing", "");
    assert_eq!(status, 501, "{body}");
    assert_eq!(body["code"], 12);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("from_the_future"), "{message}");

    // No satori.* settings: Nakama's client refuses every call, as the dev
    // host does.
    nakama_conformance::satori::check_without_satori(nakama.port);
    // No Go module registered a fleet manager.
    nakama_conformance::fleet::check_without_fleet_manager(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn fleet_calls_reach_the_fleet_manager_a_go_module_registered() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let plugin = nakama_conformance::fleet::plugin();
    std::fs::copy(&plugin, runtime.path().join("fleet_manager.so")).unwrap();
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::fleet::check_with_fleet_manager(nakama.port);
}

/// The same checks against `fixture-fleet`, the Rust twin of the Go fleet
/// manager, which the bridge registers with Nakama's RegisterFleetManager:
/// fixture-nk's nk calls go through Nakama to it (nested Rust calls), and
/// its `create` calls back from a thread of its own (a background nk
/// call). The first run has `nk_fleet` call back into Go for its nk
/// calls; the second, once it is suspendable, hands them to Go's loop.
#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn fleet_calls_reach_the_fleet_manager_a_rust_module_registered() {
    let runtime = runtime_folder(&["fixture-nk", "fixture-fleet"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::fleet::check_with_fleet_manager(nakama.port);

    let (status, body) = nakama_conformance::nk::call(nakama.port, "nk_fleet", "");
    assert_eq!(status, 200, "{body}");
    let created = &body["create"]["ok"];
    assert_eq!(
        created["info"],
        serde_json::json!({"placement": "instance-3"}),
        "{body}"
    );
    assert_eq!(
        (&created["status"], &created["instance"]["id"]),
        (&0.into(), &"instance-3".into()),
        "{body}"
    );
    assert_eq!(
        body["create_too_big"]["ok"]["error"], "no server for more than 100 players",
        "{body}"
    );
    assert_eq!(
        body["create_nobody"],
        serde_json::json!([13, "max players must be at least 1"])
    );
    assert_eq!(
        body["get_unknown"],
        serde_json::json!([13, "instance nowhere not found"])
    );
    let listed: Vec<_> = body["list"]["ok"]["instances"]
        .as_array()
        .map(|l| l.iter().map(|i| i["id"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(listed, ["instance-1", "instance-3"], "{body}");
    assert!(
        nakama.log_lines("fleet callback failed").is_empty(),
        "{}",
        nakama.log()
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn satori_calls_go_through_nakamas_own_satori_client() {
    use nakama_conformance::satori::{self, FakeSatori};
    let fake = FakeSatori::start();
    let runtime = runtime_folder(&["fixture-nk"]);
    let flags = satori::nakama_flags(&fake);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let nakama = nakama::start(runtime.path(), &flags).expect(NEEDS_NAKAMA);
    satori::check_with_satori(nakama.port, &fake);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn storage_indexes_are_nakamas() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::stindex::check_storage_indexes(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn the_context_carries_session_vars_headers_and_query() {
    let runtime = runtime_folder(&["hello"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    let session = nakama.request(
        "POST",
        "/v2/account/authenticate/custom?create=true&username=ctx_user",
        &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
        Some(br#"{"id":"cid-777777","vars":{"tier":"gold"}}"#),
    );
    assert_eq!(session.status, 200, "{}", session.text());
    let token = session.json()["token"].as_str().unwrap().to_string();
    // The first call gets an empty context and asks for it (hello is of
    // ABI 1.2); the bridge then sends it with every call, headers and
    // query params still on demand. Every call sees the same.
    for call in 0..3 {
        let r = nakama.request(
            "POST",
            "/v2/rpc/whoami?unwrap&region=eu",
            &[
                ("Authorization", &format!("Bearer {token}")),
                ("X-Client", "e2e"),
            ],
            Some(b"{}"),
        );
        assert_eq!(r.status, 200, "call {call}: {}", r.text());
        assert_eq!(
            r.text(),
            "user=ctx_user client=e2e region=eu tier=gold mode=rpc",
            "call {call}"
        );
    }
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_module_of_abi_1_0_gets_headers_and_query_in_its_context() {
    // hello (ABI 1.2) asks for them when it reads them (tested above);
    // a 1.0 module cannot ask, so the bridge sends them with every call.
    let runtime = runtime_folder(&["fixture-abi-1-0", "hello"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    let r = nakama.request(
        "POST",
        "/v2/rpc/raw_maps?unwrap&http_key=defaulthttpkey&region=eu",
        &[("X-Client", "e2e")],
        Some(b"{}"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    let (headers, query) = text.split_once('|').expect("headers|query");
    let headers: serde_json::Value = serde_json::from_str(headers).expect(headers);
    let query: serde_json::Value = serde_json::from_str(query).expect(query);
    assert_eq!(headers["X-Client"], serde_json::json!(["e2e"]), "{headers}");
    assert_eq!(query["region"], serde_json::json!(["eu"]), "{query}");
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_call_that_never_finishes_times_out_and_nakama_keeps_serving() {
    let runtime = runtime_folder(&["fixture-slow", "hello"]);
    let nakama = nakama::start(
        runtime.path(),
        &["--runtime.env", "RUST_CALL_TIMEOUT_MS=300"],
    )
    .expect(NEEDS_NAKAMA);
    let started = std::time::Instant::now();
    let (status, body) = rpc(&nakama, "never", "{}");
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["code"], 4, "{body}");
    assert_eq!(
        body["message"], "module call exceeded RUST_CALL_TIMEOUT_MS",
        "{body}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let (status, _) = rpc(&nakama, "hello", "{}");
    assert_eq!(status, 200);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_bad_timeout_setting_stops_startup_saying_so() {
    let runtime = runtime_folder(&["hello"]);
    let log = match nakama::start(
        runtime.path(),
        &["--runtime.env", "RUST_CALL_TIMEOUT_MS=soon"],
    ) {
        Ok(_) => panic!("Nakama started with RUST_CALL_TIMEOUT_MS=soon"),
        Err(log) => log,
    };
    assert!(
        log.contains("RUST_CALL_TIMEOUT_MS \\\"soon\\\" is not a number of milliseconds"),
        "{log}"
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn an_authoritative_match_of_a_rust_module_runs_in_nakama() {
    let runtime = runtime_folder(&["arena"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    let ready = nakama.log_lines("Rust bridge ready");
    assert_eq!(ready.len(), 1, "{}", nakama.log());
    assert_eq!(
        ready[0]["registrations"], 3,
        "arena_create, the arena match and the matchmaker matched hook"
    );

    let session = nakama.request(
        "POST",
        "/v2/account/authenticate/custom?create=true&username=arena_host",
        &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
        Some(br#"{"id":"cid-arena-0001"}"#),
    );
    assert_eq!(session.status, 200, "{}", session.text());
    let bearer = format!("Bearer {}", session.json()["token"].as_str().unwrap());
    let create = |body: &str| {
        let r = nakama.request(
            "POST",
            "/v2/rpc/arena_create",
            &[("Authorization", &bearer)],
            Some(serde_json::to_string(body).unwrap().as_bytes()),
        );
        (r.status, r.json())
    };

    // The RPC's match_create runs the handler's init through the bridge
    // and answers Nakama's match id, <uuid>.<node>.
    let (status, body) = create(r#"{"max_players":2}"#);
    assert_eq!(status, 200, "{body}");
    let created: serde_json::Value =
        serde_json::from_str(body["payload"].as_str().unwrap()).unwrap();
    let id = created["match_id"].as_str().unwrap().to_string();
    let (uuid, node) = id.split_once('.').expect("<uuid>.<node>");
    assert_eq!((uuid.len(), uuid.matches('-').count()), (36, 4), "{id}");
    assert_eq!(node, "nakama1", "{id}");
    let (status, body) = create(r#"{"max_players":1}"#);
    assert_eq!(
        (status, &body["code"]),
        (400, &serde_json::json!(3)),
        "{body}"
    );

    // Nakama runs it: started, listed with the label, tick rate and
    // handler init answered.
    let started = nakama.log_lines("Match started");
    assert!(started.iter().any(|l| l["mid"] == uuid), "{}", nakama.log());
    let listed = || -> Result<serde_json::Value, String> {
        let r = nakama.request(
            "GET",
            "/v2/match?limit=100&authoritative=true",
            &[("Authorization", &bearer)],
            None,
        );
        let body = r.json();
        body["matches"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["match_id"] == id.as_str())
            .cloned()
            .ok_or_else(|| format!("{id} not in {body}"))
    };
    nakama_conformance::eventually("Nakama lists the arena", || listed().map(|_| ()));
    let found = listed().unwrap();
    assert_eq!(found["label"], r#"{"open":true,"players":0}"#, "{found}");
    assert_eq!(found["tick_rate"], 10, "{found}");
    assert_eq!(found["handler_name"], "arena", "{found}");

    // A second of ticks (10 loop calls into Rust) later it still runs,
    // and no call of it failed.
    std::thread::sleep(std::time::Duration::from_secs(1));
    listed().expect("the arena still runs after its ticks");
    assert!(
        nakama.log_lines("Rust match handler").is_empty(),
        "{}",
        nakama.log()
    );

    // The client listing's filters and refusals, as on the dev host.
    nakama_conformance::matches::check_listing(nakama.port);
    nakama_conformance::matches::check_listing_queries(nakama.port);
    // Played over Nakama's realtime socket: joins (refused and accepted),
    // moves, positions, leaves, as on the dev host.
    nakama_conformance::realtime::check_arena(nakama.port);
    nakama_conformance::realtime::check_relayed(nakama.port);
    assert!(
        nakama.log_lines("Rust match handler").is_empty(),
        "{}",
        nakama.log()
    );
    // The handler's log lines are the module's, with the match's "mid"
    // as Nakama's own match lines have it.
    let joins = nakama.log_lines(" joined ");
    assert!(!joins.is_empty(), "{}", nakama.log());
    for line in joins {
        let msg = line["msg"].as_str().unwrap();
        let mid = msg.rsplit(' ').next().unwrap().split('.').next().unwrap();
        assert_eq!(line["mid"], mid, "{line}");
        assert_eq!(line["runtime"], "rust", "{line}");
        let caller = line["caller"].as_str().unwrap();
        assert!(caller.starts_with("examples/arena/src/lib.rs:"), "{line}");
    }
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn chat_channels_in_nakama_are_as_on_the_dev_host() {
    let runtime = runtime_folder(&["arena"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::channels::check_channels(nakama.port);
    nakama_conformance::channels::check_slow_reader(nakama.port, false);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn with_rev_precision_nakama_matches_tickets_as_the_dev_host_does() {
    let runtime = runtime_folder(&["arena"]);
    let nakama = nakama::start(
        runtime.path(),
        &[
            "--matchmaker.interval_sec",
            "1",
            "--matchmaker.rev_precision=true",
        ],
    )
    .expect(NEEDS_NAKAMA);
    nakama_conformance::realtime::check_rev_precision(nakama.port, true);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn socket_settings_in_nakama_are_as_on_the_dev_host() {
    let runtime = runtime_folder(&["hello"]);
    let nakama = nakama::start(
        runtime.path(),
        &nakama_conformance::realtime::SOCKET_SETTINGS,
    )
    .expect(NEEDS_NAKAMA);
    let user = nakama_conformance::realtime::User::fresh(nakama.port, "rt", "settings");
    nakama_conformance::realtime::check_socket_settings(nakama.port, &user);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn parties_in_nakama_are_as_on_the_dev_host() {
    let runtime = runtime_folder(&["hello"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::parties::check_parties(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_session_in_a_new_party_leaves_its_others_with_session_single_party() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let flags = [
        "--session.single_socket=true",
        "--session.single_party=true",
    ];
    let nakama = nakama::start(runtime.path(), &flags).expect(NEEDS_NAKAMA);
    nakama_conformance::parties::check_single_party(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_party_no_one_is_on_closes_when_idle_in_nakama_as_on_the_dev_host() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let interval = nakama_conformance::parties::IDLE_CHECK_INTERVAL_MS.to_string();
    let flags = ["--party.idle_check_interval_ms", &interval];
    let nakama = nakama::start(runtime.path(), &flags).expect(NEEDS_NAKAMA);
    nakama_conformance::parties::check_idle_party(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn parties_are_matched_in_nakama_as_on_the_dev_host() {
    let runtime = runtime_folder(&["hello"]);
    let nakama =
        nakama::start(runtime.path(), &["--matchmaker.interval_sec", "1"]).expect(NEEDS_NAKAMA);
    nakama_conformance::parties::check_party_matchmaker(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_modules_chat_through_the_channel_nk_functions_is_as_on_the_dev_host() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::channels::check_nk_channels(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn groups_in_nakama_are_as_on_the_dev_host() {
    // fixture-nk's nk_group calls the group nk functions through the
    // bridge; the routes and the group channel are Nakama's own.
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::groups::check_groups(nakama.port);
    nakama_conformance::groups::check_nk_groups(nakama.port);
    nakama_conformance::groups::check_group_hooks(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn friends_and_their_notifications_in_nakama_are_as_on_the_dev_host() {
    // fixture-nk hooks the friend and notification routes; its nk_friends
    // calls the friends nk functions through the bridge.
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::friends::check_friends(nakama.port);
    nakama_conformance::friends::check_nk_friends(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_modules_streams_and_sessions_in_nakama_are_as_on_the_dev_host() {
    // fixture-nk's nk_streams calls the stream and session nk functions
    // through the bridge, over the sockets it puts on its streams.
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::streams::check_nk_streams(nakama.port, false);
    nakama_conformance::streams::check_host_streams(nakama.port);
    nakama_conformance::streams::check_sends_to_host_streams(nakama.port);
    nakama_conformance::streams::check_module_members_of_host_streams(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn match_presences_carry_nakamas_reasons_through_the_bridge() {
    // fixture-nk's presence_reasons match records the reason of every
    // presence Nakama hands it, as the bridge passes it on.
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::match_reasons::check_presence_reasons(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn accounts_links_bans_and_exports_in_nakama_are_as_on_the_dev_host() {
    // fixture-nk hooks the delete, link and unlink routes; its
    // nk_account_call calls the account nk functions through the bridge.
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::accounts::check_account_routes(nakama.port);
    nakama_conformance::accounts::check_malformed_bodies(nakama.port);
    nakama_conformance::accounts::check_body_fields(nakama.port);
    nakama_conformance::accounts::check_email_refusals(nakama.port);
    nakama_conformance::accounts::check_query_params(nakama.port);
    nakama_conformance::accounts::check_nk_accounts(nakama.port);
    nakama_conformance::accounts::check_account_updates(nakama.port);
    nakama_conformance::accounts::check_system_user(nakama.port);
    nakama_conformance::account_import::check_nk_account_import(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn user_status_in_nakama_is_as_on_the_dev_host() {
    // fixture-nk's nk_online reads the online flag through the bridge,
    // its nk_status_follow follows for a socket.
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::status::check_status(nakama.port);
    nakama_conformance::status::check_nk_status(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_users_new_socket_closes_the_old_one_with_session_single_socket() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama =
        nakama::start(runtime.path(), &["--session.single_socket=true"]).expect(NEEDS_NAKAMA);
    nakama_conformance::realtime::check_single_socket(
        nakama.port,
        nakama_conformance::Host::Nakama,
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_match_join_leaves_the_other_matches_with_session_single_match() {
    let runtime = runtime_folder(&["fixture-nk"]);
    // Go's flag package takes a bool flag's value only after `=`: a
    // separate `true` would end its parsing.
    let flags = [
        "--session.single_socket=true",
        "--session.single_match=true",
    ];
    let nakama = nakama::start(runtime.path(), &flags).expect(NEEDS_NAKAMA);
    nakama_conformance::streams::check_single_match(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_match_nakama_stops_on_its_own_has_its_rust_state_dropped() {
    // An arena nobody joins: Nakama stops it after a second empty, without
    // a call of the handler; the bridge then drops its state in Rust.
    let runtime = runtime_folder(&["arena"]);
    let nakama = nakama::start(
        runtime.path(),
        &["--match.max_empty_sec", "1", "--logger.level", "DEBUG"],
    )
    .expect(NEEDS_NAKAMA);
    let r = nakama.request(
        "POST",
        "/v2/rpc/arena_create?http_key=defaulthttpkey&unwrap",
        &[],
        Some(br#"{"max_players":2}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["match_id"].as_str().unwrap().to_string();
    let uuid = id.split('.').next().unwrap().to_string();
    nakama_conformance::eventually("Nakama stops the idle arena", || {
        let stopped = nakama.log_lines("Stopping idle empty match");
        stopped
            .iter()
            .any(|l| l["mid"] == uuid.as_str())
            .then_some(())
            .ok_or_else(|| nakama.log())
    });
    nakama_conformance::eventually("the bridge drops the arena's state", || {
        let dropped = nakama.log_lines("Dropped the Rust state of an ended match");
        dropped
            .iter()
            .any(|l| l["match_id"] == id.as_str())
            .then_some(())
            .ok_or_else(|| nakama.log())
    });
    assert!(
        nakama
            .log_lines("Rust match handler could not drop")
            .is_empty(),
        "{}",
        nakama.log()
    );
    // Played and left, as on the dev host.
    nakama_conformance::matches::check_idle_matches(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn the_matchmaker_matched_hook_of_a_rust_module_runs_in_nakama() {
    // arena's hook makes an arena for each group (nk match_create from
    // inside the hook), or nothing for a relayed one. The matchmaker runs
    // every second instead of 15.
    let runtime = runtime_folder(&["arena"]);
    let nakama =
        nakama::start(runtime.path(), &["--matchmaker.interval_sec", "1"]).expect(NEEDS_NAKAMA);
    nakama_conformance::realtime::check_matchmaker(nakama.port);
    nakama_conformance::realtime::check_rev_precision(nakama.port, false);

    // The hook's log lines are the module's, with the "mode" Nakama gives
    // a Go hook's logger: one per arena it made (the groups of two of the
    // check, and of its rounds that let the matchmaker run).
    let lines = nakama.log_lines("matchmaker: arena ");
    assert!(lines.len() >= 2, "{}", nakama.log());
    for line in &lines {
        assert!(
            line["msg"].as_str().unwrap().ends_with(" for 2 players"),
            "{line}"
        );
        assert_eq!(line["runtime"], "rust", "{line}");
        assert_eq!(line["mode"], "matchmaker", "{line}");
        let caller = line["caller"].as_str().unwrap();
        assert!(caller.starts_with("examples/arena/src/lib.rs:"), "{line}");
    }
    // The hook never failed: answering nothing (relayed) is no error.
    assert!(
        nakama
            .log_lines("Error running Matchmaker Matched hook")
            .is_empty(),
        "{}",
        nakama.log()
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_failing_matched_hook_leaves_nakama_running_and_sends_a_token() {
    // fixture-matchmaker's hook panics, or answers an error, as the
    // tickets ask: Nakama logs it and sends the group a relayed token.
    let runtime = runtime_folder(&["fixture-matchmaker"]);
    let nakama =
        nakama::start(runtime.path(), &["--matchmaker.interval_sec", "1"]).expect(NEEDS_NAKAMA);
    nakama_conformance::realtime::check_matchmaker_hook_failures(nakama.port);
    let failures = nakama.log_lines("Error running Matchmaker Matched hook");
    assert_eq!(failures.len(), 2, "panic and error: {}", nakama.log());
    let errors: Vec<&str> = failures
        .iter()
        .map(|l| l["error"].as_str().unwrap_or_default())
        .collect();
    assert!(errors.iter().any(|e| e.contains("panicked")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("no arena free")),
        "{errors:?}"
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn matchmaker_stats_answer_as_on_the_dev_host() {
    let runtime = runtime_folder(&["arena"]);
    let nakama =
        nakama::start(runtime.path(), &["--matchmaker.interval_sec", "1"]).expect(NEEDS_NAKAMA);
    nakama_conformance::realtime::check_matchmaker_stats(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn realtime_hooks_run_in_nakama_as_on_the_dev_host() {
    // fixture-rt's hooks pass, rewrite, refuse and follow chat messages;
    // Nakama registers them with RegisterBeforeRt / RegisterAfterRt.
    let runtime = runtime_folder(&["fixture-rt"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::rt_hooks::check_rt_hooks(nakama.port, false);
    assert!(
        !nakama
            .log_lines("Intercepted a disabled resource.")
            .is_empty(),
        "{}",
        nakama.log()
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn event_handlers_run_in_nakama_as_on_the_dev_host() {
    // fixture-events registers with RegisterEvent, RegisterEventSessionStart
    // and RegisterEventSessionEnd; Nakama queues the events for them.
    let runtime = runtime_folder(&["fixture-events"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::events::check_events(nakama.port, nakama_conformance::Host::Nakama);
    let failed = nakama.log_lines("Runtime event handler returned an error");
    assert!(
        failed
            .iter()
            .any(|l| l["module"] == "fixture-events" && l["event"] == "fail"),
        "{}",
        nakama.log()
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn scheduler_callbacks_run_in_nakama_as_on_the_dev_host() {
    // fixture-scheduler registers with RegisterTournamentEnd,
    // RegisterTournamentReset and RegisterLeaderboardReset; Nakama's
    // leaderboard scheduler calls them.
    let runtime = runtime_folder(&["fixture-scheduler"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::scheduler::check_scheduler(nakama.port);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn custom_http_handlers_answer_in_nakama_as_on_the_dev_host() {
    // fixture-http's handlers are registered with RegisterHttp: Nakama's
    // own router (gorilla/mux) matches their patterns and methods.
    let runtime = runtime_folder(&["fixture-http"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    nakama_conformance::custom_http::check_http_handlers(nakama.port);
    nakama_conformance::custom_http::check_console_http_handlers(nakama.port, nakama.console_port);
    assert!(
        !nakama
            .log_lines("Registered custom console HTTP handler")
            .is_empty(),
        "{}",
        nakama.log()
    );
    assert!(
        !nakama
            .log_lines("Registered custom HTTP handler")
            .is_empty(),
        "{}",
        nakama.log()
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn the_shutdown_hook_runs_in_nakama_on_sigterm() {
    // Registered with RegisterShutdown; Nakama runs it on SIGTERM when
    // shutdown_grace_sec is above 0.
    let runtime = runtime_folder(&["fixture-http"]);
    let nakama = nakama::start(runtime.path(), &["--shutdown_grace_sec", "5"]).expect(NEEDS_NAKAMA);
    let log = nakama.stop();
    nakama_conformance::custom_http::check_shutdown_log(&log);
    assert!(
        log.contains("Registered Go runtime Shutdown function invocation"),
        "{log}"
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_matchmaker_override_chooses_the_groups_in_nakama() {
    // fixture-mm-override's override is registered with
    // RegisterMatchmakerOverride; Nakama's processOverride proposes the
    // candidates and forms the answer.
    let runtime = runtime_folder(&["fixture-mm-override"]);
    let nakama =
        nakama::start(runtime.path(), &["--matchmaker.interval_sec", "1"]).expect(NEEDS_NAKAMA);
    nakama_conformance::matchmaker_custom::check_matchmaker_override(nakama.port);
    let log = nakama.log();
    assert!(
        log.contains("Registered Go runtime Matchmaker Override function invocation"),
        "{log}"
    );
    let calls = nakama.log_lines("matchmaker override: candidates");
    assert!(!calls.is_empty(), "{log}");
    for line in &calls {
        assert_eq!(line["ctx_mode"], "matchmaker_override", "{line}");
        assert_eq!(line["mode"], "matchmaker_override", "{line}");
    }
    assert!(
        !nakama
            .log_lines("Error running Rust matchmaker override")
            .is_empty(),
        "{log}"
    );
    assert!(log.contains("no override today"), "{log}");
    assert!(
        !nakama
            .log_lines("Matchmaker groups with entries the matchmaker did not give")
            .is_empty(),
        "{log}"
    );
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn a_matchmaker_processor_replaces_the_grouping_in_nakama() {
    // fixture-mm-processor's processor (RegisterMatchmakerProcessor) runs;
    // its override, registered too, never does.
    let runtime = runtime_folder(&["fixture-mm-processor"]);
    let nakama =
        nakama::start(runtime.path(), &["--matchmaker.interval_sec", "1"]).expect(NEEDS_NAKAMA);
    nakama_conformance::matchmaker_custom::check_matchmaker_processor(nakama.port);
    let log = nakama.log();
    assert!(
        log.contains("Registered Go runtime Matchmaker Processor function invocation"),
        "{log}"
    );
    let calls = nakama.log_lines("matchmaker processor: entries");
    assert!(!calls.is_empty(), "{log}");
    for line in &calls {
        assert_eq!(line["ctx_mode"], "matchmaker_processor", "{line}");
        // Nakama's logger for the processor names the override's mode.
        assert_eq!(line["mode"], "matchmaker_override", "{line}");
    }
    assert!(log.contains("no processing today"), "{log}");
    assert!(!log.contains("the override runs"), "{log}");
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn metrics_reach_nakamas_prometheus_exporter() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let flags = [
        "--metrics.prometheus_port",
        &metrics_port.to_string(),
        "--metrics.reporting_freq_sec",
        "1",
        "--matchmaker.interval_sec",
        "1",
    ];
    let nakama = nakama::start(runtime.path(), &flags).expect(NEEDS_NAKAMA);
    nakama_conformance::misc::check_prometheus(nakama.port, metrics_port);
    nakama_conformance::misc::check_server_series(nakama.port, metrics_port, false);
}

#[test]
#[ignore = "needs a real Nakama: run bridge/test.sh"]
fn social_logins_are_forwarded_and_refused_as_without_social_settings() {
    let runtime = runtime_folder(&["fixture-nk"]);
    let nakama = nakama::start(runtime.path(), &[]).expect(NEEDS_NAKAMA);
    use nakama_conformance::social::{self, Host};
    social::check_social_functions(nakama.port, Host::Nakama);
    social::check_social_routes(nakama.port, Host::Nakama);
    social::check_instant_games(nakama.port);
}
