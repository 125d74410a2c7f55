//! Streams and sessions on the dev host serving `fixtures/fixture-nk`:
//! the conformance check shared with real Nakama (a module's stream,
//! its presence events and data, a session disconnected, logouts).

use crate::common::Server;

#[test]
fn modules_run_streams_and_sessions_through_the_nk_functions_as_in_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::streams::check_nk_streams(server.port, true);
}

#[test]
fn status_match_and_party_presences_are_on_nakamas_streams() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::streams::check_host_streams(server.port);
}

#[test]
fn data_sent_to_nakamas_streams_reaches_whoever_is_on_them() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::streams::check_sends_to_host_streams(server.port);
}

#[test]
fn a_module_makes_sessions_members_of_chat_channels_and_relayed_matches() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::streams::check_module_members_of_host_streams(server.port);
}

#[test]
fn a_match_join_leaves_the_other_matches_with_session_single_match() {
    let flags = [
        "--logger.level",
        "error",
        "--session.single_socket",
        "true",
        "--session.single_match",
        "true",
    ];
    let server = Server::start(&["fixture-nk"], &flags);
    nakama_conformance::streams::check_single_match(server.port);
}
