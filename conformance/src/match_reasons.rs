//! The reasons a match handler's presences carry (Nakama's
//! `runtime.PresenceReason`), checked on a host serving
//! `fixtures/fixture-nk`, whose `presence_reasons` match records every
//! presence it is handed and `reasons_report` answers what it saw.
//!
//! Nakama 3.40 sets no reason on the presences of `MatchJoinAttempt`,
//! `MatchJoin` or a message's sender (its match handler builds them
//! without one); a leave has the reason its tracker untracked the
//! presence with: `Leave` for a match leave, a kick, or a module's
//! `stream_user_leave` / `stream_user_kick` on the match's stream,
//! `Disconnect` for a closed socket, `session_disconnect`'s own when it
//! names one.

use serde_json::json;

use crate::realtime::{Socket, User};

const UNKNOWN: u64 = 0;
const UPDATE: u64 = 2;
const LEAVE: u64 = 3;
const DISCONNECT: u64 = 4;

/// What the match has seen: `(call, reason)` of each session, in order.
fn seen(port: u16, by: &User, match_id: &str, session: &str) -> Vec<(String, u64)> {
    let report = by.rpc(
        port,
        "reasons_report",
        &json!({ "match_id": match_id }).to_string(),
    );
    report
        .as_array()
        .unwrap_or_else(|| panic!("a list: {report}"))
        .iter()
        .filter(|e| e["session_id"] == session)
        .map(|e| {
            (
                e["call"].as_str().unwrap_or_default().to_string(),
                e["reason"].as_u64().unwrap_or(99),
            )
        })
        .collect()
}

/// Waits until session `session`'s last entry is `call`: what it saw.
fn wait_seen(
    port: u16,
    by: &User,
    match_id: &str,
    session: &str,
    call: &str,
) -> Vec<(String, u64)> {
    let mut last = Vec::new();
    crate::eventually(&format!("the match's {call} of {session}"), || {
        last = seen(port, by, match_id, session);
        match last.last() {
            Some((c, _)) if c == call => Ok(()),
            _ => Err(format!("{last:?}")),
        }
    });
    last
}

fn calls(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(c, r)| (c.to_string(), *r)).collect()
}

/// Nine players join; one sends a message; then each goes another way:
/// a match leave, a kick, a normal close of the socket, a dropped socket,
/// `session_disconnect` with a reason and without, a module taking them
/// off the match's stream (`stream_user_leave`, `stream_user_kick`).
/// Each presence's reason, callback by callback, is Nakama's.
pub fn check_presence_reasons(port: u16) {
    let suffix = crate::run_suffix();
    let names = [
        "ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ida",
    ];
    let users: Vec<User> = names
        .iter()
        .map(|n| User::new(port, &format!("pr-{n}-{suffix}"), &format!("pr{n}{suffix}")))
        .collect();
    let host = &users[0];
    let created = host.rpc(port, "reasons_create", "");
    let match_id = created["match_id"].as_str().unwrap().to_string();

    let mut sockets = Vec::new();
    let mut sessions = Vec::new();
    for u in &users {
        let mut s = Socket::open(port, u);
        let r = s.call(json!({"match_join": {"match_id": match_id}}));
        let session = r["match"]["self"]["session_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"))
            .to_string();
        wait_seen(port, host, &match_id, &session, "join");
        sockets.push(Some(s));
        sessions.push(session);
    }
    let mut socket = |i: usize| sockets[i].take().unwrap();

    // ann: a message, and she stays.
    let mut ann = socket(0);
    ann.send(&json!({"match_data_send": {"match_id": match_id, "op_code": "1", "data": ""}}));
    // bob: a match leave.
    let mut bob = socket(1);
    let r = bob.call(json!({"match_leave": {"match_id": match_id}}));
    assert!(r.get("error").is_none(), "{r}");
    // cat: a message that gets her kicked.
    let mut cat = socket(2);
    cat.send(&json!({"match_data_send": {"match_id": match_id, "op_code": "9", "data": ""}}));
    // dan: his socket closes normally; eve's drops without a close.
    socket(3).close();
    drop(socket(4));
    // fay and gus: the server disconnects them, fay with a reason.
    let disconnect = |session: &str, reason: Option<u64>| {
        let r = host.rpc(
            port,
            "nk_streams",
            &json!({"call": "disconnect", "session_id": session, "reason": reason}).to_string(),
        );
        assert!(r.get("ok").is_some(), "{r}");
    };
    disconnect(&sessions[5], Some(UPDATE));
    disconnect(&sessions[6], None);
    // hal and ida: a module takes them off the match's stream; their
    // sockets stay open.
    let (subject, node) = match_id.split_once('.').unwrap();
    let stream = json!({"mode": 6, "subject": subject, "label": node});
    let off_stream = |i: usize, call: serde_json::Value| {
        let r = host.rpc(port, "nk_streams", &call.to_string());
        assert!(r.get("ok").is_some(), "{}: {r}", names[i]);
    };
    let (hal, ida) = (socket(7), socket(8));
    off_stream(
        7,
        json!({"call": "leave", "stream": stream,
               "user_id": users[7].user_id, "session_id": sessions[7]}),
    );
    off_stream(
        8,
        json!({"call": "kick", "stream": stream,
               "presence": {"user_id": users[8].user_id, "session_id": sessions[8]}}),
    );

    let joined = [("join_attempt", UNKNOWN), ("join", UNKNOWN)];
    let with = |more: &[(&'static str, u64)]| {
        let mut all = joined.to_vec();
        all.extend_from_slice(more);
        calls(&all)
    };
    let wanted = [
        (0, "message", with(&[("message", UNKNOWN)])),
        (1, "leave", with(&[("leave", LEAVE)])),
        (2, "leave", with(&[("message", UNKNOWN), ("leave", LEAVE)])),
        (3, "leave", with(&[("leave", DISCONNECT)])),
        (4, "leave", with(&[("leave", DISCONNECT)])),
        (5, "leave", with(&[("leave", UPDATE)])),
        (6, "leave", with(&[("leave", DISCONNECT)])),
        (7, "leave", with(&[("leave", LEAVE)])),
        (8, "leave", with(&[("leave", LEAVE)])),
    ];
    for (i, last, want) in wanted {
        let got = wait_seen(port, host, &match_id, &sessions[i], last);
        assert_eq!(got, want, "{}: {:?}", names[i], sessions[i]);
    }
    for s in [ann, bob, cat, hal, ida] {
        s.close();
    }
}
