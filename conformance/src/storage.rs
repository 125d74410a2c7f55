//! Storage values as a client writes and reads them: the JSON text
//! PostgreSQL's JSONB gives back (key order, separators, numbers as its
//! numeric type writes them) and what it refuses, and the longest
//! collection and key its columns take.

use serde_json::{json, Value};

use crate::http::request;
use crate::realtime::User;

/// Each value written, and its text read back (`None`: the write's refusal,
/// Nakama's 500).
const STORED: &[(&str, Option<&str>)] = &[
    (r#"{"b":1,"a":2}"#, Some(r#"{"a": 2, "b": 1}"#)),
    (
        r#"{"ccc":{"c":1,"bb":2},"dd":[ 1 , 2 ]}"#,
        Some(r#"{"dd": [1, 2], "ccc": {"c": 1, "bb": 2}}"#),
    ),
    (r#"{"a":null,"a":2}"#, Some(r#"{"a": 2}"#)),
    (r#"{"a":"\u00e9\/\t"}"#, Some(r#"{"a": "é/\t"}"#)),
    (r#"{"a":1.50}"#, Some(r#"{"a": 1.50}"#)),
    (r#"{"a":1e2,"b":5E+2}"#, Some(r#"{"a": 100, "b": 500}"#)),
    (r#"{"a":1.50e1}"#, Some(r#"{"a": 15.0}"#)),
    (r#"{"a":1E-7}"#, Some(r#"{"a": 0.0000001}"#)),
    (r#"{"a":-0,"b":-0.0}"#, Some(r#"{"a": 0, "b": 0.0}"#)),
    (r#"{"a":-1.25e-3}"#, Some(r#"{"a": -0.00125}"#)),
    (
        r#"{"a":100000000000000000000000}"#,
        Some(r#"{"a": 100000000000000000000000}"#),
    ),
    (
        r#"{"a":1.23456789012345678901234567890}"#,
        Some(r#"{"a": 1.23456789012345678901234567890}"#),
    ),
    (r#"{"a":"\u0000"}"#, None),
];

/// Writes each of `STORED` (above) and reads it back; writes keys and
/// collections of 128 and 129 characters.
pub fn check_stored_json(port: u16) {
    let suffix = crate::run_suffix();
    let user = User::new(port, &format!("sj-{suffix}"), &format!("sj{suffix}"));
    let bearer = format!("Bearer {}", user.token);
    let send = |method: &str, path: &str, body: Value| {
        let body = body.to_string();
        let r = request(
            port,
            method,
            path,
            &[("Authorization", bearer.as_str())],
            Some(body.as_bytes()),
        )
        .expect("storage request");
        (r.status, r.json())
    };
    for (i, &(value, back)) in STORED.iter().enumerate() {
        let key = format!("v{i}");
        let written = send(
            "PUT",
            "/v2/storage",
            json!({"objects": [{"collection": "stored_json", "key": key, "value": value}]}),
        );
        let Some(back) = back else {
            assert_eq!(
                written,
                (
                    500,
                    json!({"code": 13, "message": "Error writing storage objects."})
                ),
                "{value}"
            );
            continue;
        };
        assert_eq!(written.0, 200, "{value}: {}", written.1);
        let (status, read) = send(
            "POST",
            "/v2/storage",
            json!({"object_ids": [{"collection": "stored_json", "key": key, "user_id": user.user_id}]}),
        );
        assert_eq!(status, 200, "{value}: {read}");
        assert_eq!(read["objects"][0]["value"], back, "{value}");
    }

    // Collections and keys are VARCHAR(128) columns.
    let (at_limit, past) = ("k".repeat(128), "k".repeat(129));
    for (collection, key, status) in [
        ("stored_json", at_limit.as_str(), 200),
        ("stored_json", past.as_str(), 500),
        (past.as_str(), "k", 500),
    ] {
        let (got, body) = send(
            "PUT",
            "/v2/storage",
            json!({"objects": [{"collection": collection, "key": key, "value": "{}"}]}),
        );
        assert_eq!(got, status, "{collection}/{key}: {body}");
        if status == 500 {
            assert_eq!(body["message"], "Error writing storage objects.");
        }
    }
}
