//! The nk functions of the dev host, called by a real module
//! (`fixtures/fixture-nk`) through the ABI and answered from SQLite.

mod common;

use common::Server;
use serde_json::{json, Value};

fn call(server: &Server, id: &str, body: &str) -> (u16, Value) {
    let r = server
        .request(
            "POST",
            &format!("/v2/rpc/{id}?http_key=defaulthttpkey&unwrap"),
            &[],
            Some(body.as_bytes()),
        )
        .unwrap();
    (r.status, r.json())
}

#[test]
fn every_nk_function_works_against_sqlite() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    let (status, a) = call(&server, "nk_accounts", "");
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["created"], json!([true, true, true]));
    assert_eq!(a["again_same"], true, "email lookup is case-insensitive");
    assert_eq!(a["wrong_password_code"], 16);
    assert!(a["token_len"].as_u64().unwrap() > 100);
    assert_eq!(a["accounts"], 2);
    assert_eq!(a["by_name"], json!(["nk_c"]));
    assert_eq!(a["display_name"], "Bee");
    assert_eq!(a["metadata"], r#"{"lvl":3}"#);
    assert_eq!(a["users"], 1);
    let user = a["ids"][0].as_str().unwrap().to_string();

    let (status, w) = call(&server, "nk_wallets", &format!(r#"{{"id":"{user}"}}"#));
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["first"], json!({"gold": 100}));
    assert_eq!(w["batch_users"], 1, "unknown users are skipped");
    assert_eq!(w["after_batch"], json!({"gold": 70, "gems": 5}));
    assert_eq!(
        w["refused"],
        json!([3, "wallet update rejected negative value at path 'gold'"])
    );
    assert_eq!(w["ledger_first_page"], 1);
    assert_eq!(
        w["ledger_rest"], 1,
        "the refused update left no ledger entry"
    );
    let wallet: Value = serde_json::from_str(w["wallet"].as_str().unwrap()).unwrap();
    assert_eq!(wallet, json!({"gold": 70, "gems": 5}));

    let (status, n) = call(
        &server,
        "nk_notifications_storage",
        &format!(r#"{{"id":"{user}"}}"#),
    );
    assert_eq!(status, 200, "{n}");
    let mut subjects: Vec<String> = serde_json::from_value(n["notifications"].clone()).unwrap();
    subjects.sort();
    assert_eq!(subjects, ["a", "b", "hi"]);
    assert_eq!(n["first_page"], 2);
    assert_eq!(n["has_cursor"], true);
    assert_eq!(n["after_delete"], json!(["k1", "k2"]));
}

#[test]
fn an_nk_function_the_dev_host_lacks_is_unimplemented_naming_it() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    let (status, body) = call(&server, "nk_missing", "");
    assert_eq!(status, 501, "{body}");
    assert_eq!(body["code"], 12);
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("`leaderboard_create`"), "{message}");
    assert!(message.contains("bridge"), "{message}");
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
        let (status, a) = call(&server, "nk_accounts", "");
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
