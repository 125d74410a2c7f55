//! The client's match listing (`GET /v2/match`), checked on a host serving
//! `examples/arena`, whose `arena_create` RPC starts a match. Joining and
//! playing are the realtime socket's ([`crate::realtime`]).

use serde_json::Value;

use crate::http::{authenticate_custom, request, HttpResponse};

fn session(port: u16) -> String {
    let id = format!("match-list-{}", crate::run_suffix());
    let token = authenticate_custom(port, "", &format!(r#"{{"id":"{id}"}}"#));
    format!("Bearer {token}")
}

fn get(port: u16, auth: &str, path: &str) -> HttpResponse {
    request(port, "GET", path, &[("Authorization", auth)], None)
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// The listed match with this id, if any.
fn listed(port: u16, auth: &str, query: &str, id: &str) -> Result<Option<Value>, String> {
    let r = get(port, auth, &format!("/v2/match?{query}"));
    if r.status != 200 {
        return Err(format!("{query}: {} {}", r.status, r.text()));
    }
    let body = r.json();
    Ok(body["matches"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["match_id"] == id)
        .cloned())
}

/// Starts an arena and finds it with Nakama's filters; the refusals with
/// Nakama's statuses and messages.
pub fn check_listing(port: u16) {
    let auth = session(port);
    let r = request(
        port,
        "POST",
        "/v2/rpc/arena_create",
        &[("Authorization", &auth)],
        Some(br#""{\"max_players\":3}""#),
    )
    .expect("arena_create");
    assert_eq!(r.status, 200, "{}", r.text());
    let payload: Value = serde_json::from_str(r.json()["payload"].as_str().unwrap()).unwrap();
    let id = payload["match_id"].as_str().unwrap().to_string();

    // Nakama indexes labels in batches (about once a second): wait for it.
    let label = r#"{"open":true,"players":0}"#;
    let mut found = Value::Null;
    crate::eventually("the new match is listed", || {
        found = listed(port, &auth, "limit=100&authoritative=true", &id)?
            .ok_or_else(|| format!("{id} not listed yet"))?;
        Ok(())
    });
    assert_eq!(found["authoritative"], true, "{found}");
    assert_eq!(found["label"], label, "{found}");
    assert_eq!(found["tick_rate"], 10, "{found}");
    assert_eq!(found["handler_name"], "arena", "{found}");
    // Empty: left out, as proto3 JSON leaves out zeros.
    assert_eq!(found.get("size"), None, "{found}");

    let by_label = format!(
        "limit=100&authoritative=true&label={}",
        "%7B%22open%22%3Atrue%2C%22players%22%3A0%7D"
    );
    assert!(listed(port, &auth, &by_label, &id).unwrap().is_some());
    let other_label = "limit=100&authoritative=true&label=nope";
    assert!(listed(port, &auth, other_label, &id).unwrap().is_none());
    let bigger = "limit=100&authoritative=true&min_size=1";
    assert!(listed(port, &auth, bigger, &id).unwrap().is_none());
    let relayed = "limit=100&authoritative=false";
    assert!(listed(port, &auth, relayed, &id).unwrap().is_none());

    for (query, message) in [
        (
            "limit=0",
            "Invalid limit - limit must be between 1 and 100.",
        ),
        (
            "limit=101",
            "Invalid limit - limit must be between 1 and 100.",
        ),
        (
            "authoritative=false&label=x",
            "Label filtering is not supported for non-authoritative matches.",
        ),
        (
            "authoritative=false&query=x",
            "Query filtering is not supported for non-authoritative matches.",
        ),
        ("min_size=-1", "Minimum size must be 0 or above."),
        ("max_size=-1", "Maximum size must be 0 or above."),
        (
            "min_size=3&max_size=2",
            "Maximum size must be greater than or equal to minimum size when both are specified.",
        ),
    ] {
        let r = get(port, &auth, &format!("/v2/match?{query}"));
        let body = r.json();
        assert_eq!(
            (r.status, &body["code"], body["message"].as_str()),
            (400, &Value::from(3), Some(message)),
            "{query}: {body}"
        );
    }
    let r = request(port, "GET", "/v2/match", &[], None).unwrap();
    assert_eq!(r.status, 401, "{}", r.text());
}
