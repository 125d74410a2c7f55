//! The Satori nk functions (fixture-nk's `nk_satori`): without Satori
//! settings (the dev host, and a Nakama started without `satori.*`), and
//! through a real Nakama's client against [`FakeSatori`], a stand-in for
//! Heroic Labs' Satori server (closed source, not runnable here) that
//! answers the routes Nakama 3.40.0's client calls
//! (`internal/satori/satori.go`) with fixed data and records each request.

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{json, Value};

use crate::http::read_request;
use crate::nk::call;

/// The API key Nakama is given for the fake (a UUID: Nakama then sends it
/// as basic auth).
pub const API_KEY: &str = "5b7c3c1e-3f0b-4a59-9c39-3f1e4bd0a001";

/// The server key Nakama is given for Satori's console API.
pub const SERVER_KEY: &str = "0d3a4b6e-77f1-4c2e-8a5d-2c9e61f0b002";

/// The `satori.*` flags that point a Nakama at `fake`.
pub fn nakama_flags(fake: &FakeSatori) -> Vec<String> {
    [
        ("--satori.url", format!("http://127.0.0.1:{}", fake.port)),
        ("--satori.api_key_name", "nakama-rs-test".to_string()),
        ("--satori.api_key", API_KEY.to_string()),
        ("--satori.signing_key", "satori-signing-key".to_string()),
        ("--satori.server_key", SERVER_KEY.to_string()),
        ("--satori.retry_count", "1".to_string()),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_string(), value])
    .collect()
}

/// Every Satori function without Satori settings: Nakama's
/// `satori configuration is invalid`, before any argument check.
pub fn check_without_satori(port: u16) {
    crate::nk::every_call_refused(port, "nk_satori", 23, 9, "satori configuration is invalid");
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct SatoriRequest {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// `basic <api key>` or `bearer <the token's identity>`.
    pub auth: String,
    pub forwarded_for: Option<String>,
    pub body: Value,
}

/// A stand-in Satori server on 127.0.0.1, until dropped with the process.
pub struct FakeSatori {
    pub port: u16,
    requests: Arc<Mutex<Vec<SatoriRequest>>>,
}

impl FakeSatori {
    pub fn start() -> FakeSatori {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake Satori");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || serve(stream, &seen));
            }
        });
        FakeSatori { port, requests }
    }

    /// The requests so far, in the order they came.
    pub fn requests(&self) -> Vec<SatoriRequest> {
        self.requests.lock().unwrap().clone()
    }
}

/// Answers the requests of one connection (Go's client keeps it open).
fn serve(stream: TcpStream, seen: &Mutex<Vec<SatoriRequest>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    while let Some(served) = read_request(&mut reader) {
        let request = SatoriRequest {
            auth: served
                .header("authorization")
                .map(describe_auth)
                .unwrap_or_default(),
            forwarded_for: served.header("x-forwarded-for").map(str::to_string),
            body: serde_json::from_slice(&served.body).unwrap_or(Value::Null),
            method: served.method,
            target: served.target,
        };
        let (status, answer) = {
            let mut seen = seen.lock().unwrap();
            let earlier = seen
                .iter()
                .filter(|r| r.method == request.method && r.target == request.target)
                .filter(|r| r.auth == request.auth)
                .count();
            let answer = answer(&request, earlier);
            seen.push(request);
            answer
        };
        let answer = answer.to_string();
        // Try again at once (Nakama waits Retry-After's seconds).
        let retry_after = if status.starts_with("503") {
            "retry-after: 0\r\n"
        } else {
            ""
        };
        let reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{retry_after}content-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// `basic <key>` for basic auth, `bearer <iid>` for a session token.
fn describe_auth(value: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    if let Some(basic) = value.strip_prefix("Basic ") {
        let decoded = b64.decode(basic).unwrap_or_default();
        let user = String::from_utf8_lossy(&decoded);
        return format!("basic {}", user.trim_end_matches(':'));
    }
    if let Some(token) = value.strip_prefix("Bearer ") {
        let claims = token.split('.').nth(1).unwrap_or("");
        let claims: Value =
            serde_json::from_slice(&b64url.decode(claims).unwrap_or_default()).unwrap_or_default();
        return format!("bearer {}", claims["iid"].as_str().unwrap_or("?"));
    }
    value.to_string()
}

/// What the fake answers: Satori's shapes, with times as strings as
/// Satori's JSON has them; `earlier`: how many times it was sent the
/// same request (method, target, identity) before.
fn answer(r: &SatoriRequest, earlier: usize) -> (&'static str, Value) {
    let path = r.target.split('?').next().unwrap_or("");
    let properties = json!({"default": {"region": "eu"}, "custom": {"vip": "no"}, "computed": {"sessions": "4"}});
    match (r.method.as_str(), path) {
        // Down, or down every other time: for the retries.
        ("DELETE", "/v1/identity")
            if r.auth == "bearer down" || (r.auth == "bearer flaky" && earlier % 2 == 0) =>
        {
            (
                "503 Service Unavailable",
                json!({"error": "satori is down", "code": 14}),
            )
        }
        ("GET", "/v1/properties") if r.auth == "bearer nobody" => (
            "404 Not Found",
            json!({"error": "identity not found", "code": 5}),
        ),
        ("POST", "/v1/authenticate") => ("200 OK", json!({ "properties": properties })),
        ("GET", "/v1/properties") => ("200 OK", properties),
        ("GET", "/v1/experiment") => (
            "200 OK",
            json!({"experiments": [{"name": "shop", "value": "{\"layout\":2}", "labels": ["store"]}]}),
        ),
        ("GET", "/v1/flag") => (
            "200 OK",
            json!({"flags": [{"name": "f", "value": "on", "condition_changed": true,
                "change_reason": {"type": 2, "name": "spring", "variant_name": "v1"}}]}),
        ),
        ("GET", "/v1/flag/override") => (
            "200 OK",
            json!({"flags": [{"flag_name": "f", "labels": ["l"], "overrides": [
                {"type": 2, "name": "spring", "variant_name": "v1", "value": "on", "create_time_sec": "1700000000"}]}]}),
        ),
        ("GET", "/v1/live-event") => (
            "200 OK",
            json!({"live_events": [{"name": "spring", "id": "le1", "value": "x2",
                "active_start_time_sec": "1700000000", "active_end_time_sec": "1700086400",
                "start_time_sec": "1700000000", "end_time_sec": "1700086400", "duration_sec": "86400",
                "reset_cron": "0 0 * * *", "status": 1}]}),
        ),
        ("GET", "/v1/message") => (
            "200 OK",
            json!({"messages": [{"id": "m1", "title": "Welcome", "text": "hi", "send_time": "1700000000",
                "create_time": "1700000000", "metadata": {"reward": 50}}], "next_cursor": "n1"}),
        ),
        ("POST", "/v1/event")
        | ("POST", "/v1/server-event")
        | ("PUT", "/v1/properties")
        | ("DELETE", "/v1/identity")
        | ("POST", "/v1/live-event/le1/participation")
        | ("PUT", "/v1/message/m1")
        | ("DELETE", "/v1/message/m1") => ("200 OK", json!({})),
        ("POST", "/v1/console/message-direct") => (
            "200 OK",
            json!({"delivery_results": [{"recipient_id": "player-1", "integration_results": [
                {"integration_type": 1, "success": true, "channel_type": 1},
                {"integration_type": 5, "error_message": "webhook down"}]}]}),
        ),
        _ => (
            "404 Not Found",
            json!({"error": "no such route in the fake", "code": 5}),
        ),
    }
}

/// Every Satori function through a Nakama started with
/// [`nakama_flags`]`(fake)`: what the module gets, and what Satori was
/// asked.
pub fn check_with_satori(port: u16, fake: &FakeSatori) {
    let (status, body) = call(port, "nk_satori", "");
    assert_eq!(status, 200, "{body}");
    let props = json!({"default": {"region": "eu"}, "custom": {"vip": "no"}, "computed": {"sessions": "4"}});
    assert_eq!(body["authenticate"], json!({ "ok": props }), "{body}");
    assert_eq!(body["properties_get"], json!({ "ok": props }), "{body}");
    assert_eq!(
        body["properties_get_unknown"],
        json!([
            5,
            r#"404 status code: {"code":5,"error":"identity not found"}"#
        ]),
        "Satori's refusal comes back in Nakama's words, with its status's code: {body}"
    );
    for done in [
        "properties_update",
        "events_publish",
        "server_events_publish",
        "live_event_join",
        "message_update",
        "message_delete",
        "identity_delete",
    ] {
        assert_eq!(body[done], json!({ "ok": null }), "{done}: {body}");
    }
    let experiment = &body["experiments"]["ok"][0];
    assert_eq!(experiment["name"], "shop", "{body}");
    assert_eq!(experiment["labels"], json!(["store"]), "{body}");
    let flag = &body["flags"]["ok"][0];
    assert_eq!(flag["value"], "on", "{body}");
    assert_eq!(flag["condition_changed"], true, "{body}");
    assert_eq!(
        flag["change_reason"],
        json!({"type": 2, "name": "spring", "variant_name": "v1"})
    );
    let over = &body["flag_overrides"]["ok"][0];
    assert_eq!(over["flag_name"], "f", "{body}");
    assert_eq!(over["overrides"][0]["create_time_sec"], 1_700_000_000_i64);
    let events = &body["live_events"]["ok"];
    assert_eq!(events["live_events"][0]["id"], "le1", "{body}");
    assert_eq!(events["live_events"][0]["duration_sec"], 86_400, "{body}");
    assert_eq!(events["live_events"][0]["reset_cron"], "0 0 * * *");
    assert_eq!(events["live_events"][0]["status"], 1);
    assert_eq!(events["explicit_join_live_events"], json!([]), "{body}");
    assert_eq!(
        body["direct_message"],
        json!({"ok": {"delivery_results": [{"recipient_id": "player-1", "integration_results": [
            {"integration_type": 1, "success": true, "error_message": "", "channel_type": 1},
            {"integration_type": 5, "success": false, "error_message": "webhook down", "channel_type": 0}]}]}}),
        "{body}"
    );
    let messages = &body["messages"]["ok"];
    assert_eq!(messages["messages"][0]["send_time"], 1_700_000_000_i64);
    assert_eq!(messages["messages"][0]["metadata"], json!({"reward": 50}));
    assert_eq!(messages["next_cursor"], "n1", "{body}");
    // Refused by Nakama's client before Satori is asked.
    for (refused, message) in [
        (
            "live_events_backwards",
            "startTimeSec cannot be after endTimeSec",
        ),
        (
            "live_events_half_window",
            "start_time_sec and end_time_sec must be greater than 0",
        ),
        ("live_event_join_nothing", "liveEventId cannot be empty"),
        ("messages_none", "limit must be greater than zero"),
        (
            "message_delete_nothing",
            "message id cannot be an empty string",
        ),
    ] {
        assert_eq!(body[refused], json!([3, message]), "{refused}: {body}");
    }

    // What Satori was asked, in order.
    let asked = fake.requests();
    let find = |method: &str, path: &str| {
        asked
            .iter()
            .find(|r| r.method == method && r.target.split('?').next() == Some(path))
            .unwrap_or_else(|| panic!("Satori was not asked {method} {path}: {asked:#?}"))
            .clone()
    };
    let auth = find("POST", "/v1/authenticate");
    assert_eq!(auth.auth, format!("basic {API_KEY}"));
    assert_eq!(auth.forwarded_for.as_deref(), Some("203.0.113.7"));
    assert_eq!(
        auth.body,
        json!({"id": "player-1", "default": {"region": "eu"}, "no_session": true})
    );
    let gets: Vec<&str> = asked
        .iter()
        .filter(|r| r.method == "GET" && r.target == "/v1/properties")
        .map(|r| r.auth.as_str())
        .collect();
    assert_eq!(
        gets,
        ["bearer nobody", "bearer player-1"],
        "the identity is the token's"
    );
    let update = find("PUT", "/v1/properties");
    assert_eq!(update.auth, "bearer player-1");
    assert_eq!(
        update.body,
        json!({"custom": {"vip": "yes"}, "recompute": true})
    );
    let event = find("POST", "/v1/event");
    assert_eq!(event.auth, "bearer player-1");
    let sent = &event.body["events"][0];
    assert_eq!(sent["name"], "level_up", "{}", event.body);
    assert_eq!(sent["metadata"], json!({"level": "3"}));
    // RFC 3339 in Nakama's time zone: 2023-11-14T22:13:20Z in UTC.
    assert!(
        sent["timestamp"]
            .as_str()
            .is_some_and(|t| t.starts_with("2023-11-1")),
        "the event's timestamp reaches Satori: {}",
        event.body
    );
    let server_event = find("POST", "/v1/server-event");
    assert_eq!(server_event.auth, format!("basic {API_KEY}"));
    assert_eq!(server_event.body["events"][0]["identity_id"], "player-1");
    let flags = find("GET", "/v1/flag");
    assert!(flags.target.contains("names=f"), "{flags:?}");
    assert_eq!(
        flags.forwarded_for.as_deref(),
        Some("127.0.0.1"),
        "without an address of the module's, the caller's is forwarded"
    );
    assert!(find("GET", "/v1/flag/override").target.contains("labels=l"));
    let live = find("GET", "/v1/live-event").target;
    for part in [
        "past_run_count=1",
        "start_time_sec=1700000000",
        "end_time_sec=1700086400",
    ] {
        assert!(live.contains(part), "{part} in {live}");
    }
    let listed = find("GET", "/v1/message").target;
    for part in ["limit=10", "forward=true", "message_ids=m1"] {
        assert!(listed.contains(part), "{part} in {listed}");
    }
    assert_eq!(
        find("PUT", "/v1/message/m1").body,
        json!({"read_time": 1_700_000_100})
    );
    find("POST", "/v1/live-event/le1/participation");
    find("DELETE", "/v1/message/m1");
    assert_eq!(find("DELETE", "/v1/identity").auth, "bearer player-1");
    // With `satori.retry_count` 1, a 503 is tried once more.
    assert_eq!(
        body["identity_delete_flaky"],
        json!({ "ok": null }),
        "{body}"
    );
    assert_eq!(
        body["identity_delete_down"],
        json!([
            14,
            r#"retries exhausted: 503 status code: {"code":14,"error":"satori is down"}"#
        ]),
        "{body}"
    );
    for identity in ["flaky", "down"] {
        let tries = asked
            .iter()
            .filter(|r| r.method == "DELETE" && r.auth == format!("bearer {identity}"))
            .count();
        assert_eq!(tries, 2, "{identity}: the request and one retry");
    }
    let direct = find("POST", "/v1/console/message-direct");
    assert_eq!(
        direct.auth,
        format!("basic {SERVER_KEY}"),
        "the server key's"
    );
    assert_eq!(
        direct.body,
        json!({"template_id": "welcome", "identity_ids": ["player-1"], "integrations": [1, 5],
            "persist": true, "channels": {"1": {"channels": [1]}},
            "template_override": {"title": "Welcome", "value": "Hello {{name}}",
                "variants": {"fr": {"title": "Bienvenue"}}}})
    );
    assert!(
        !asked.iter().any(|r| r.target.contains("/v1/live-event?")
            && r.target.contains("start_time_sec=10")),
        "a refused window never reaches Satori: {asked:#?}"
    );
}
