//! The nk functions of the dev host, called by a real module
//! (`fixtures/fixture-nk`) through the ABI and answered from SQLite.

use crate::common::Server;
use nakama_conformance::nk::call;
use serde_json::Value;

#[test]
fn every_nk_function_works_against_sqlite() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::nk::check_every_function(server.port);
}

#[test]
fn the_client_leaderboard_routes_answer_as_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::leaderboards::check_client_routes(server.port);
}

#[test]
fn the_module_sees_the_whole_context() {
    let server = Server::start(
        &["fixture-nk"],
        &["--logger.level", "error", "--runtime.env", "GREETING=hi"],
    );
    nakama_conformance::nk::check_context(server.port);
}

#[test]
fn an_nk_function_the_dev_host_lacks_is_unimplemented_naming_it() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    let (status, body) = call(server.port, "nk_missing", "");
    assert_eq!(status, 501, "{body}");
    assert_eq!(body["code"], 12);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("`from_the_future`"), "{message}");
    assert!(message.contains("bridge"), "{message}");
}

#[test]
fn without_settings_or_a_fleet_manager_module_satori_and_the_fleet_are_refused() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::satori::check_without_satori(server.port);
    nakama_conformance::fleet::check_without_fleet_manager(server.port);
}

#[test]
fn fleet_calls_reach_the_fleet_manager_a_rust_module_registered() {
    // fixtures/fixture-fleet behaves as the Go fleet manager the bridge's
    // tests register in real Nakama: the same checks hold for both.
    let server = Server::start(
        &["fixture-nk", "fixture-fleet"],
        &["--logger.level", "error"],
    );
    nakama_conformance::fleet::check_with_fleet_manager(server.port);
}

#[test]
fn satori_calls_reach_the_satori_server_as_nakamas_do() {
    use nakama_conformance::satori::{self, FakeSatori};
    let fake = FakeSatori::start();
    let mut flags = vec!["--logger.level".to_string(), "error".to_string()];
    flags.extend(satori::nakama_flags(&fake));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = Server::start(&["fixture-nk"], &flags);
    satori::check_with_satori(server.port, &fake);
}

#[test]
fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data.sqlite3");
    let db = db.to_str().unwrap();
    let user = {
        let server = Server::start(
            &["fixture-nk"],
            &["--logger.level", "error", "--database.address", db],
        );
        let (status, a) = call(server.port, "nk_accounts", "");
        assert_eq!(status, 200, "{a}");
        a["ids"][0].as_str().unwrap().to_string()
    };
    let server = Server::start(
        &["fixture-nk"],
        &["--logger.level", "error", "--database.address", db],
    );
    let r = server
        .request(
            "POST",
            "/v2/account/authenticate/custom?create=false",
            &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
            Some(br#"{"id":"cid-900001"}"#),
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let token = r.json()["token"].as_str().unwrap().to_string();
    let claims = token.split('.').nth(1).unwrap().to_string();
    use base64::Engine as _;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["uid"], user.as_str());
}

#[test]
fn work_outside_calls_writes_and_logs_through_the_background_handle() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "info"]);
    nakama_conformance::nk::check_background_work(server.port);
    let log = std::fs::read_to_string(&server.log).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("background work done"))
        .unwrap_or_else(|| panic!("no line from the module's thread:\n{log}"));
    assert!(line.contains(r#""runtime":"rust""#), "{line}");
    assert!(line.contains(r#""key":"background""#), "{line}");
    assert!(line.contains("fixtures/fixture-nk/src/lib.rs"), "{line}");
}

#[test]
fn empty_matches_stop_after_match_max_empty_sec() {
    let flags = ["--logger.level", "error", "--match.max_empty_sec", "1"];
    let server = Server::start(&["arena"], &flags);
    nakama_conformance::matches::check_idle_matches(server.port);
}

#[test]
fn the_client_match_listing_answers_as_nakama() {
    let server = Server::start(&["arena"], &["--logger.level", "error"]);
    nakama_conformance::matches::check_listing(server.port);
    nakama_conformance::matches::check_listing_queries(server.port);
}

#[test]
fn on_sigterm_matches_get_terminate_and_the_grace_period() {
    // fixture-nk's signal_echo ends in its terminate; a 30 s grace would
    // otherwise keep the process up that long.
    let mut server = Server::start(
        &["fixture-nk"],
        &["--logger.level", "info", "--shutdown_grace_sec", "30"],
    );
    let (status, m) = call(server.port, "nk_matches", r#"{"suffix":"sigterm"}"#);
    assert_eq!(status, 200, "{m}");
    let (exit, took) = server
        .terminate(std::time::Duration::from_secs(20))
        .expect("the dev host stops once its matches have ended");
    assert!(exit.success(), "{exit:?}");
    assert!(took.as_secs() < 10, "{took:?}");
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("terminating with 30 s of grace"), "{log}");
}

#[test]
fn match_list_answers_nakamas_errors_for_label_queries() {
    use nakama_devhost::matches::Matches;
    use nakama_runtime_host::abi::{nk::MatchListArgs, Code};

    let matches = Matches::manual(
        "node",
        "test",
        nakama_devhost::log::Logger::new("error", "json"),
        Default::default(),
    );
    let list = |authoritative: bool, query: &str| {
        matches.list(&MatchListArgs {
            limit: 10,
            authoritative,
            query: query.into(),
            ..Default::default()
        })
    };
    // Nakama's MatchList wraps its parser's and its index's errors; the
    // bridge reads the first as INVALID_ARGUMENT, the second as INTERNAL.
    let e = list(true, "+").unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            Code::InvalidArgument,
            "error parsing query string: syntax error"
        )
    );
    let e = list(true, "label.open:\"T").unwrap_err();
    assert_eq!(
        e.message,
        "error parsing query string: parse error: unterminated quote"
    );
    let e = list(true, "label.mode:duel~3").unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            Code::Internal,
            "error listing matches by query: fuzziness exceeds max (2)"
        )
    );
    assert_eq!(list(true, "label.open:T").unwrap(), vec![]);
    // Relayed matches only: Nakama answers none before reading the query.
    assert_eq!(list(false, "+").unwrap(), vec![]);
}

#[test]
fn the_tournament_nk_functions_answer_as_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::tournaments::check_nk(server.port);
}

#[test]
fn the_client_tournament_routes_answer_as_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::tournaments::check_client_routes(server.port);
}
