//! Realtime message hooks as Nakama 3.40.0 runs them (server/pipeline.go),
//! on a host serving `fixtures/fixture-rt`: a before hook that passes a
//! message on, rewrites it, refuses it with an error (the socket stays
//! open), panics, or answers nothing (a disabled resource: the socket
//! closes); after hooks that see the server's answer and the message as
//! handled, with the after mode in their context, and none after a
//! refused message; status messages hooked too (a status rewritten, the
//! `status` answer seen); party messages too (a creation refused and
//! rewritten, the `party` and `party_join_request` answers seen).

use serde_json::{json, Value};

use crate::realtime::{assert_closed_for, error_of, Socket, User};

/// What `fixture-rt`'s after hooks stored for `user` under `key`, if
/// anything yet.
fn recorded(port: u16, user: &User, key: &str) -> Option<Value> {
    user.stored(port, "rt_hooks", key)
}

/// Waits for the after hook's record under `key`.
fn wait_recorded(port: u16, user: &User, key: &str) -> Value {
    user.wait_stored(port, "rt_hooks", key)
}

/// `exact`: whether the socket closes cleanly after a disabled resource
/// (see [`crate::realtime::check_closes`]).
pub fn check_rt_hooks(port: u16, exact: bool) {
    let run = crate::run_suffix();
    let user = User::new(port, &format!("rt-hooks-{run}"), &format!("rt_hooks_{run}"));
    let mut s = Socket::open(port, &user);

    // Passed on: the after hook gets the answer and the message.
    let room = format!("plain-{run}");
    let r = s.call(json!({"channel_join": {"target": room, "type": 1}}));
    let channel = &r["channel"];
    let channel_id = format!("2...{room}");
    assert_eq!(channel["id"], channel_id.as_str(), "{r}");
    let session_id = channel["self"]["session_id"].as_str().unwrap().to_string();
    let seen = wait_recorded(port, &user, &format!("joined {channel_id}"));
    assert_eq!(
        seen,
        json!({
            "target": room, "type": 1, "room_name": room,
            "self_session": session_id, "session_id": session_id, "mode": "after",
        })
    );

    // Rewritten: the server joins the room the hook names, and the after
    // hook sees the message as rewritten.
    let r = s.call(json!({"channel_join": {"target": format!("alias-{run}"), "type": 1}}));
    let rewritten = format!("room-{run}");
    assert_eq!(r["channel"]["room_name"], rewritten.as_str(), "{r}");
    let seen = wait_recorded(port, &user, &format!("joined 2...{rewritten}"));
    assert_eq!(seen["target"], rewritten.as_str(), "{seen}");

    // Refused with an error, or by a panic: an error (code 7) with the
    // hook's message, the socket open, and no after hook.
    let forbidden = format!("forbidden-{run}");
    let r = s.call(json!({"channel_join": {"target": forbidden, "type": 1}}));
    assert_eq!(error_of(&r), (7, format!("room {forbidden} is closed")));
    let r = s.call(json!({"channel_join": {"target": format!("panic-{run}"), "type": 1}}));
    let (code, message) = error_of(&r);
    assert_eq!(code, 7, "{r}");
    assert!(
        message.contains("panicked") && message.contains("the join hook panics on purpose"),
        "{message}"
    );
    assert!(s.call(json!({"ping": {}})).get("pong").is_some());
    assert_eq!(
        recorded(port, &user, &format!("joined 2...{forbidden}")),
        None
    );

    // A message rewritten on its way: everyone gets the hook's content.
    let r = s.call(json!({"channel_message_send": {
        "channel_id": channel_id, "content": r#"{"text":"hi"}"#,
    }}));
    let ack = &r["channel_message_ack"];
    assert!(ack.is_object(), "{r}");
    let id = ack["message_id"].as_str().unwrap().to_string();
    let got = s.wait_for("the message", |e| {
        e["channel_message"]["message_id"] == id.as_str()
    });
    let content: Value =
        serde_json::from_str(got["channel_message"]["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({"text": "hi", "checked": true}));

    // A message the server refuses after the before hook: no after hook
    // (Nakama runs it only on success; each runs it before reading the
    // socket's next message, so the record would be there by the next
    // answer).
    let bogus = format!("bogus-{run}");
    let r = s.call(json!({"channel_leave": {"channel_id": bogus}}));
    assert_eq!(error_of(&r), (3, "Invalid channel identifier".to_string()));

    // An after hook of a message answered with nothing gets the message.
    let r = s.call(json!({"channel_leave": {"channel_id": channel_id}}));
    assert!(r.get("error").is_none(), "{r}");
    let seen = wait_recorded(port, &user, &format!("left {channel_id}"));
    assert_eq!(seen, json!({"mode": "after"}));
    assert_eq!(recorded(port, &user, &format!("left {bogus}")), None);

    check_status_hooks(port, &user, &mut s);
    check_party_hooks(port, &user, &mut s);

    // No message from the hook: a disabled resource; the socket closes.
    s.send(&json!({"cid": "99", "channel_join": {"target": format!("disabled-{run}"), "type": 1}}));
    let (closed, before) = s.wait_closed();
    assert_closed_for(&closed, "error processing message", exact);
    let errors: Vec<_> = before.iter().filter(|e| e.get("error").is_some()).collect();
    for e in &errors {
        assert_eq!(
            error_of(e),
            (1, "Requested resource was not found.".to_string()),
            "{e}"
        );
        assert_eq!(e["cid"], "99", "{e}");
    }
    if exact {
        assert_eq!(errors.len(), 1, "{before:?}");
    }
}

/// Party messages through their hooks: a creation refused, one changed
/// on its way (the party as the hook made it, and the after hook sees
/// it), and the after hook of a listing with its answer.
fn check_party_hooks(port: u16, user: &User, s: &mut Socket) {
    let r = s.call(
        json!({"party_create": {"open": true, "max_size": 4, "label": r#"{"closed":true}"#}}),
    );
    assert_eq!(error_of(&r), (7, "parties are closed".to_string()));
    let r = s.call(json!({"party_create": {"open": false, "max_size": 1}}));
    let party = &r["party"];
    assert_eq!(party["max_size"], 2, "{r}");
    let party_id = party["party_id"].as_str().unwrap().to_string();
    let session_id = party["self"]["session_id"].as_str().unwrap().to_string();
    let seen = wait_recorded(port, user, &format!("party {party_id}"));
    assert_eq!(
        seen,
        json!({"max_size": 2, "asked": 2, "leader": session_id, "mode": "after"})
    );
    let r = s.call(json!({"party_join_request_list": {"party_id": party_id}}));
    assert!(r.get("party_join_request").is_some(), "{r}");
    let seen = wait_recorded(port, user, &format!("requests {party_id}"));
    assert_eq!(seen, json!({"requests": 0, "asked": party_id}));
    let r = s.call(json!({"party_close": {"party_id": party_id}}));
    assert!(r.get("error").is_none(), "{r}");
}

/// Status messages through their hooks: the after hook of a follow sees
/// the `status` answer; a status the before hook rewrites is the one
/// followers (here the user's own socket) get.
fn check_status_hooks(port: u16, user: &User, s: &mut Socket) {
    let run = crate::run_suffix();
    let other = User::new(port, &format!("rt-other-{run}"), &format!("rt_other_{run}"));
    let o = Socket::open(port, &other);
    let r = s.call(json!({"status_follow": {"user_ids": [other.user_id]}}));
    let presences = r["status"]["presences"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(presences.len(), 1, "{r}");
    let seen = wait_recorded(port, user, &format!("followed {}", other.user_id));
    assert_eq!(seen, json!({"statuses": [""], "mode": "after"}));

    let r = s.call(json!({"status_update": {"status": format!("secret-{run}")}}));
    assert!(r.get("error").is_none(), "{r}");
    let hidden = s.wait_for("the rewritten status", |e| {
        let joins = &e["status_presence_event"]["joins"];
        joins[0]["user_id"] == user.user_id.as_str() && joins[0]["status"] != ""
    });
    assert_eq!(
        hidden["status_presence_event"]["joins"][0]["status"], "hidden",
        "{hidden}"
    );
    o.close();
}
