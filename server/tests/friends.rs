//! Friends on the dev host serving `fixtures/fixture-nk`: the conformance
//! checks shared with real Nakama (the client's friend and notification
//! routes, the friends nk functions), then what only the dev host can
//! answer (a Facebook token, which Nakama would take to Facebook).

mod common;

use common::Server;
use nakama_conformance::realtime::User;

#[test]
fn the_friend_and_notification_routes_answer_as_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::friends::check_friends(server.port);
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
