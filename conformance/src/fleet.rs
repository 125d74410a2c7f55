//! The fleet manager nk functions (fixture-nk's `nk_fleet`): without a
//! fleet manager, and against one: in real Nakama the Go fleet manager of
//! `bridge/test-fleet-manager`, on either host the Rust one of
//! `fixtures/fixture-fleet`, which behaves the same.

use serde_json::json;

use crate::nk::call;

/// Every fleet manager function without one.
pub fn check_without_fleet_manager(port: u16) {
    crate::nk::every_call_refused(port, "nk_fleet", 7, 9, "no fleet manager is registered");
}

/// Every fleet manager function, answered by `bridge/test-fleet-manager`'s
/// fleet manager or `fixtures/fixture-fleet`'s.
pub fn check_with_fleet_manager(port: u16) {
    let (status, body) = call(port, "nk_fleet", "");
    assert_eq!(status, 200, "{body}");
    let instance = |players: i32| {
        json!({
            "id": "instance-1",
            "connection_info": {"ip_address": "10.0.0.7", "dns_name": "instance-1.example", "port": 7777},
            "create_time": "2026-12-03T15:00:00Z",
            "player_count": players,
            "status": "ready",
            "metadata": {"mode": "duel", "region": "eu-west"},
        })
    };
    let session = |user: &str| json!({"user_id": user, "session_id": format!("instance-1/{user}")});
    // Create answers once the fleet manager has called back (50 ms later,
    // from its own goroutine or thread), with what Create itself answered.
    assert_eq!(
        body["create"],
        json!({"ok": {
            "info": {"placement": "instance-1"},
            "status": 0,
            "instance": instance(2),
            "sessions": [session("u1"), session("u2")],
            "metadata": {"mode": "duel"},
            "error": "",
        }}),
        "{body}"
    );
    // A failure in the callback, and in Create itself.
    assert_eq!(
        body["create_too_big"],
        json!({"ok": {
            "info": {"placement": "instance-2"},
            "status": 2,
            "instance": null,
            "sessions": [],
            "metadata": {},
            "error": "no server for more than 100 players",
        }}),
        "{body}"
    );
    assert_eq!(
        body["create_nobody"],
        json!([13, "max players must be at least 1"])
    );
    assert_eq!(body["get"], json!({ "ok": instance(2) }), "{body}");
    assert_eq!(
        body["get_unknown"],
        json!([13, "instance nowhere not found"])
    );
    assert_eq!(
        body["join"],
        json!({"ok": {"instance_info": instance(3), "session_info": [session("u3")]}}),
        "{body}"
    );
    assert_eq!(
        body["list"],
        json!({"ok": {"instances": [instance(3)], "cursor": ""}}),
        "{body}"
    );
}

/// The fleet manager plugin `bridge/test.sh` builds.
pub fn plugin() -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../bridge/test-fleet-manager/build/fleet_manager.so");
    assert!(
        path.exists(),
        "{} is missing: bridge/test.sh builds it",
        path.display()
    );
    path
}
