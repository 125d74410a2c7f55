//! The realtime socket (`/ws`) of the dev host serving `examples/arena`:
//! the conformance checks shared with real Nakama (chat channels and user
//! status,
//! and parties too).

use crate::common::Server;
use nakama_conformance::realtime::{
    check_arena, check_closes, check_matchmaker, check_matchmaker_hook_failures,
    check_matchmaker_stats, check_notifications, check_relayed, check_rpc_context, User,
};

#[test]
fn the_socket_serves_an_arena_match_as_nakama() {
    let server = Server::start(&["arena"], &["--logger.level", "error"]);
    check_arena(server.port);
}

#[test]
fn relayed_matches_relay_as_nakama() {
    let server = Server::start(&["arena"], &["--logger.level", "error"]);
    check_relayed(server.port);
}

#[test]
fn notifications_reach_open_sockets_as_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    check_notifications(server.port);
}

#[test]
fn the_sockets_it_closes_get_nakamas_close_frame_and_error() {
    // Exact: the dev host always writes the error and the close frame,
    // where Nakama sometimes loses them to a race.
    let server = Server::start(&["arena"], &["--logger.level", "error"]);
    let user = User::new(server.port, "rt-closes-0001", "closes0001");
    check_closes(server.port, &user, true);
}

#[test]
fn the_socket_settings_time_out_silent_clients_and_limit_messages_as_nakama() {
    let mut flags = vec!["--logger.level", "error"];
    flags.extend(nakama_conformance::realtime::SOCKET_SETTINGS);
    let server = Server::start(&["arena"], &flags);
    let user = User::new(server.port, "rt-settings-0001", "settings0001");
    nakama_conformance::realtime::check_socket_settings(server.port, &user);
}

#[test]
fn the_protobuf_format_answers_and_closes_as_nakama() {
    // Exact, as above.
    let server = Server::start(&["arena"], &["--logger.level", "error"]);
    let user = User::new(server.port, "rt-protobuf-0001", "protobuf0001");
    nakama_conformance::realtime::check_protobuf(server.port, &user, true);
}

#[test]
fn an_rpc_over_the_socket_has_the_sessions_context() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    check_rpc_context(server.port);
}

#[test]
fn chat_channels_work_as_nakamas() {
    let server = Server::start(&["arena"], &["--logger.level", "error"]);
    nakama_conformance::channels::check_channels(server.port);
    nakama_conformance::channels::check_slow_reader(server.port, true);
}

#[test]
fn modules_chat_through_the_channel_nk_functions_as_in_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::channels::check_nk_channels(server.port);
}

#[test]
fn groups_work_as_nakamas() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::groups::check_groups(server.port);
    nakama_conformance::groups::check_nk_groups(server.port);
    nakama_conformance::groups::check_group_hooks(server.port);
}

#[test]
fn hooks_see_the_chat_history_request() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::channels::check_history_hook(server.port);
}

#[test]
fn user_status_works_as_nakamas() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::status::check_status(server.port);
    nakama_conformance::status::check_nk_status(server.port);
}

#[test]
fn parties_work_as_nakamas() {
    let server = Server::start(&["hello"], &["--logger.level", "error"]);
    nakama_conformance::parties::check_parties(server.port);
}

#[test]
fn a_session_in_a_new_party_leaves_its_others_with_session_single_party() {
    let flags = [
        "--logger.level",
        "error",
        "--session.single_socket=true",
        "--session.single_party=true",
    ];
    let server = Server::start(&["fixture-nk"], &flags);
    nakama_conformance::parties::check_single_party(server.port);
}

#[test]
fn a_party_no_one_is_on_closes_when_idle_as_in_nakama() {
    let interval = nakama_conformance::parties::IDLE_CHECK_INTERVAL_MS.to_string();
    let flags = [
        "--logger.level",
        "error",
        "--party.idle_check_interval_ms",
        &interval,
    ];
    let server = Server::start(&["fixture-nk"], &flags);
    nakama_conformance::parties::check_idle_party(server.port);
}

#[test]
fn parties_are_matched_as_nakamas() {
    let server = Server::start(
        &["hello"],
        &["--logger.level", "error", "--matchmaker.interval_sec", "1"],
    );
    nakama_conformance::parties::check_party_matchmaker(server.port);
}

#[test]
fn the_upgrade_takes_protobuf_and_keeps_the_api_headers_off() {
    let server = Server::start(&["arena"], &["--logger.level", "error"]);
    // The format passes; the token is what is refused.
    let r = server
        .request("GET", "/ws?format=protobuf&token=x", &[], None)
        .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.text(), "Missing or invalid token\n");
    let r = server.request("GET", "/ws", &[], None).unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.header("Cache-Control"), None, "Nakama's /ws has none");
    assert_eq!(r.header("X-Content-Type-Options"), Some("nosniff"));
}

#[test]
fn the_matchmaker_matches_as_nakama() {
    let server = Server::start(
        &["arena"],
        &["--logger.level", "error", "--matchmaker.interval_sec", "1"],
    );
    check_matchmaker(server.port);
    nakama_conformance::realtime::check_rev_precision(server.port, false);
}

#[test]
fn with_rev_precision_tickets_match_only_those_that_find_them_back_as_in_nakama() {
    let server = Server::start(
        &["arena"],
        &[
            "--logger.level",
            "error",
            "--matchmaker.interval_sec",
            "1",
            "--matchmaker.rev_precision=true",
        ],
    );
    nakama_conformance::realtime::check_rev_precision(server.port, true);
}

#[test]
fn a_failing_matched_hook_gives_the_group_a_token_as_nakama() {
    let server = Server::start(
        &["fixture-matchmaker"],
        &["--logger.level", "error", "--matchmaker.interval_sec", "1"],
    );
    check_matchmaker_hook_failures(server.port);
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        log.contains("Error running Matchmaker Matched hook."),
        "{log}"
    );
    assert!(log.contains("no arena free"), "{log}");
}

#[test]
fn matchmaker_stats_answer_as_nakama() {
    let server = Server::start(
        &["arena"],
        &["--logger.level", "error", "--matchmaker.interval_sec", "1"],
    );
    check_matchmaker_stats(server.port);
}

#[test]
fn realtime_hooks_pass_rewrite_refuse_and_follow_messages_as_nakama() {
    let server = Server::start(&["fixture-rt"], &["--logger.level", "info"]);
    nakama_conformance::rt_hooks::check_rt_hooks(server.port, true);
    let log = std::fs::read_to_string(&server.log).unwrap();
    // Registered in Nakama's words for Go modules' hooks.
    assert!(
        log.lines().any(
            |l| l.contains("Registered Rust runtime After function invocation")
                && l.contains(r#""id":"channelleave""#)
        ),
        "{log}"
    );
    assert!(
        log.contains("Intercepted a disabled resource.") && log.contains("ChannelJoin"),
        "{log}"
    );
}

#[test]
fn event_handlers_get_clients_modules_and_sessions_events_as_nakama() {
    let server = Server::start(&["fixture-events"], &["--logger.level", "info"]);
    nakama_conformance::events::check_events(server.port, nakama_conformance::Host::DevHost);
    let log = std::fs::read_to_string(&server.log).unwrap();
    // The failing handler's error is logged, naming the module and event.
    assert!(
        log.lines()
            .any(|l| l.contains("Runtime event handler returned an error")
                && l.contains("\"module\":\"fixture-events\"")
                && l.contains("\"event\":\"fail\"")),
        "{log}"
    );
    for kind in ["event", "session start event", "session end event"] {
        let line = format!("Registered Rust {kind} handler");
        assert!(log.contains(&line), "{line}: {log}");
    }
}

#[test]
fn scheduler_callbacks_run_when_their_deadlines_pass_as_in_nakama() {
    let server = Server::start(&["fixture-scheduler"], &["--logger.level", "info"]);
    nakama_conformance::scheduler::check_scheduler(server.port);
    let log = std::fs::read_to_string(&server.log).unwrap();
    for what in ["Tournament End", "Tournament Reset", "Leaderboard Reset"] {
        let line = format!("Registered Rust runtime {what} function invocation");
        assert!(log.contains(&line), "{line}: {log}");
    }
}

#[test]
fn a_matchmaker_override_chooses_the_groups_as_nakama() {
    let server = Server::start(
        &["fixture-mm-override"],
        &["--logger.level", "info", "--matchmaker.interval_sec", "1"],
    );
    nakama_conformance::matchmaker_custom::check_matchmaker_override(server.port);
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        log.contains("Registered Rust runtime Matchmaker Override function invocation"),
        "{log}"
    );
    assert!(log.contains(r#""ctx_mode":"matchmaker_override""#), "{log}");
    assert!(
        log.contains("Error running Rust matchmaker override, no groups formed."),
        "{log}"
    );
    assert!(log.contains("no override today"), "{log}");
    assert!(log.contains("not formed"), "the forged entry: {log}");
}

#[test]
fn a_matchmaker_processor_replaces_the_grouping_as_nakama() {
    let server = Server::start(
        &["fixture-mm-processor"],
        &["--logger.level", "info", "--matchmaker.interval_sec", "1"],
    );
    nakama_conformance::matchmaker_custom::check_matchmaker_processor(server.port);
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        log.contains(r#""ctx_mode":"matchmaker_processor""#),
        "{log}"
    );
    assert!(log.contains("no processing today"), "{log}");
    assert!(!log.contains("the override runs"), "{log}");
}

#[test]
fn a_users_new_socket_closes_the_old_one_with_session_single_socket() {
    let flags = ["--logger.level", "error", "--session.single_socket", "true"];
    let server = Server::start(&["fixture-nk"], &flags);
    nakama_conformance::realtime::check_single_socket(
        server.port,
        nakama_conformance::Host::DevHost,
    );
}
