//! Friends on the dev host serving `fixtures/fixture-nk`: the conformance
//! checks shared with real Nakama (the client's friend and notification
//! routes, the friends nk functions), then what only the dev host can
//! answer (a Facebook token, which Nakama would take to Facebook).

use crate::common::Server;
use nakama_conformance::realtime::User;

#[test]
fn the_friend_and_notification_routes_answer_as_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "warn"]);
    nakama_conformance::friends::check_friends(server.port);
    // fixture-nk's before hook on ListFriendsOfFriends, which Nakama 3.40.0
    // never runs for a Go module: the dev host says so when it loads it.
    let log = std::fs::read_to_string(&server.log).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("Before hook registered but never run"))
        .unwrap_or_else(|| panic!("no warning about the unrun hook in:\n{log}"));
    assert!(line.contains(r#""id":"listfriendsoffriends""#), "{line}");
}

#[test]
fn modules_make_friends_through_the_nk_functions_as_in_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::friends::check_nk_friends(server.port);
}

#[test]
fn a_facebook_import_is_refused_as_facebook_would_refuse_it() {
    let server = Server::start(&[], &["--logger.level", "error"]);
    let user = User::new(server.port, "fb-import-0001", "fbimport");
    let r = server
        .request(
            "POST",
            "/v2/friend/facebook?reset=true",
            &[("Authorization", &format!("Bearer {}", user.token))],
            Some(br#"{"token":"not-a-facebook-token"}"#),
        )
        .unwrap();
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(
        r.json(),
        serde_json::json!({"code": 16, "message": "Could not authenticate Facebook profile."})
    );
    let r = server
        .request(
            "POST",
            "/v2/friend/facebook?reset=maybe",
            &[("Authorization", &format!("Bearer {}", user.token))],
            None,
        )
        .unwrap();
    assert_eq!(r.status, 400, "{}", r.text());
}
