//! Chat channels as Nakama 3.40.0 serves them (server/pipeline_channel.go,
//! core_channel.go, api_channel.go, and its tracker's presence events):
//! joins of rooms and direct chats and their refusals, presences and
//! presence events (hidden ones too), messages sent, updated and removed
//! with and without persistence, their history over HTTP
//! (`GET /v2/channel/{channel_id}`: pages both ways, cursors, refusals),
//! and leaves, on any host (no module is needed).
//!
//! As in [`crate::realtime`], only what Nakama's source says is asserted:
//! presence events come from Nakama's tracker, on a goroutine of their
//! own, so they are waited for, not ordered against answers; a message
//! reaches its sender before the sender's acknowledgement (both go through
//! the session's one queue, in that order); presence lists are in no
//! particular order.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::http::{request, HttpResponse};
use crate::realtime::{error_of, Socket, User};

/// A presence in a channel as the socket writes it (`persistence` is left
/// out when false).
fn presence(user: &User, session_id: &str, persistence: bool) -> Value {
    let mut p =
        json!({"user_id": user.user_id, "session_id": session_id, "username": user.username});
    if persistence {
        p["persistence"] = Value::Bool(true);
    }
    p
}

/// Presences in a fixed order, to compare lists Nakama writes in any.
fn sorted(presences: &Value) -> Vec<Value> {
    let mut list = presences.as_array().cloned().unwrap_or_default();
    list.sort_by_key(|p| p["session_id"].as_str().unwrap_or("").to_string());
    list
}

/// A `channel_join`; answers the `channel`.
fn join(s: &mut Socket, body: Value) -> Value {
    let r = s.call(json!({ "channel_join": body }));
    let channel = r["channel"].clone();
    assert!(channel.is_object(), "{r}");
    channel
}

/// The error a request is refused with.
fn refusal(s: &mut Socket, message: Value) -> (i64, String) {
    let r = s.call(message.clone());
    assert!(r.get("error").is_some(), "{message} was not refused: {r}");
    error_of(&r)
}

/// A `channel_presence_event` of `channel_id` with `session_id` among its
/// `joins` or `leaves`.
fn event(channel_id: &str, list: &'static str, session_id: &str) -> impl Fn(&Value) -> bool {
    let (channel_id, session_id) = (channel_id.to_string(), session_id.to_string());
    move |e| {
        let event = &e["channel_presence_event"];
        event["channel_id"] == channel_id.as_str()
            && event[list]
                .as_array()
                .is_some_and(|l| l.iter().any(|p| p["session_id"] == session_id.as_str()))
    }
}

/// Any presence event naming `session_id`.
fn mentions(e: &Value, session_id: &str) -> bool {
    let event = &e["channel_presence_event"];
    ["joins", "leaves"].iter().any(|list| {
        event[*list]
            .as_array()
            .is_some_and(|l| l.iter().any(|p| p["session_id"] == session_id))
    })
}

/// The `channel_message` of message `id` with `code`.
fn message(id: &str, code: i64) -> impl Fn(&Value) -> bool {
    let id = id.to_string();
    move |e| {
        e["channel_message"]["message_id"] == id.as_str() && e["channel_message"]["code"] == code
    }
}

/// Sends, updates or removes (`verb`); answers the acknowledgement, after
/// checking the sender's own copy of the message came before it.
fn acked(s: &mut Socket, verb: &str, body: Value) -> Value {
    let r = s.call(json!({ format!("channel_message_{verb}"): body }));
    let ack = r["channel_message_ack"].clone();
    assert!(ack.is_object(), "{verb}: {r}");
    assert_eq!(
        ack_fields(&ack, &["room_name", "user_id_one", "user_id_two"]),
        [
            "channel_id",
            "code",
            "create_time",
            "message_id",
            "persistent",
            "update_time",
            "username"
        ],
        "an acknowledgement has no sender id or content: {r}"
    );
    let id = ack["message_id"].as_str().unwrap();
    let code = ack["code"].as_i64().unwrap();
    assert!(
        s.waiting().any(message(id, code)),
        "the sender's copy of the message comes before its acknowledgement: {r}"
    );
    ack
}

/// The fields an acknowledgement has, in order, but those of `besides`.
fn ack_fields<'a>(ack: &'a Value, besides: &[&str]) -> Vec<&'a str> {
    let mut keys: Vec<&str> = ack
        .as_object()
        .into_iter()
        .flat_map(|o| o.keys().map(String::as_str))
        .filter(|k| !besides.contains(k))
        .collect();
    keys.sort_unstable();
    keys
}

/// A protojson timestamp to the microsecond (what PostgreSQL keeps):
/// the seconds as written, and the microseconds.
fn micros(t: &Value) -> (String, u32) {
    let t = t.as_str().unwrap_or_else(|| panic!("a timestamp: {t}"));
    let t = t.strip_suffix('Z').unwrap_or_else(|| panic!("UTC: {t}"));
    let (secs, fraction) = t.split_once('.').unwrap_or((t, ""));
    assert!(
        matches!(fraction.len(), 0 | 3 | 6 | 9),
        "protojson writes 0, 3, 6 or 9 digits: {t}"
    );
    let digits = format!("{fraction:0<6}");
    (secs.to_string(), digits[..6].parse().unwrap())
}

/// `GET /v2/channel/{channel_id}?{query}` as `user`.
fn history(port: u16, user: &User, channel_id: &str, query: &str) -> HttpResponse {
    request(
        port,
        "GET",
        &format!("/v2/channel/{channel_id}?{query}"),
        &[("Authorization", &format!("Bearer {}", user.token))],
        None,
    )
    .expect("GET /v2/channel")
}

/// A listing that succeeds: its messages' ids, and the page.
fn page(port: u16, user: &User, channel_id: &str, query: &str) -> (Vec<String>, Value) {
    let r = history(port, user, channel_id, query);
    assert_eq!(r.status, 200, "{channel_id}?{query}: {}", r.text());
    let body = r.json();
    let ids = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| m["message_id"].as_str().unwrap().to_string())
        .collect();
    (ids, body)
}

fn refused_listing(port: u16, user: &User, channel_id: &str, query: &str, message: &str) {
    let r = history(port, user, channel_id, query);
    assert_eq!(
        (
            r.status,
            r.json()["code"].clone(),
            r.json()["message"].clone()
        ),
        (400, json!(3), json!(message)),
        "{channel_id}?{query}: {}",
        r.text()
    );
}

/// The whole check.
pub fn check_channels(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("ch-{n}-{suffix}"), &format!("ch{n}{suffix}"));
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));
    let mut a = Socket::open(port, &alice);
    check_join_refusals(&mut a);
    let mut b = Socket::open(port, &bob);
    let mut c = Socket::open(port, &carol);
    let room = format!("room-{suffix}");
    let id = format!("2...{room}");
    check_room(&mut a, &mut b, &mut c, [&alice, &bob, &carol], &room);
    check_history(port, &mut a, &alice, &bob, &id);
    check_direct(port, &mut a, &mut b, &mut c, [&alice, &bob, &carol]);
    check_leaves(&mut a, &mut b, &mut c, &room);
    // A socket that closes leaves its channels; the others are told.
    let a_sid = join(&mut a, json!({"target": room}))["self"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let b_sid = join(&mut b, json!({"target": room}))["self"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    b.wait_for("bob's own join", event(&id, "joins", &b_sid));
    a.close();
    let e = b.wait_for("alice's leave on close", event(&id, "leaves", &a_sid));
    assert_eq!(
        e,
        json!({"channel_presence_event": {"channel_id": id, "leaves": [presence(&alice, &a_sid, true)], "room_name": room}})
    );
    b.close();
    c.close();
}

/// A client that does not read what it is sent: once
/// `socket.outgoing_queue_size` messages (64) wait for its socket, the
/// server closes it rather than hold more or drop some, its presences
/// leave, and the others are served as before. Bob floods a room with
/// messages Alice's socket does not read, so many that they fill the
/// connection's buffers first, until she leaves; then she reads.
///
/// `exact` (the dev host): she leaves at once and gets the close frame
/// with Nakama's reason, `session outgoing queue full`
/// (`realtime::assert_closed_for`). Nakama's writer
/// holds the session while its write is stuck, so she leaves when its
/// write wait (5 s) ends, and the failed write leaves the connection
/// without a close frame (a reset).
pub fn check_slow_reader(port: u16, exact: bool) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("ch-{n}-{suffix}"), &format!("ch{n}{suffix}"));
    let (alice, bob) = (user("slow"), user("flood"));
    let mut a = Socket::open(port, &alice);
    let mut b = Socket::open(port, &bob);
    let room = format!("flood-{suffix}");
    let no_history = json!({"target": room, "type": 1, "persistence": false});
    let a_sid = join(&mut a, no_history.clone())["self"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = join(&mut b, no_history)["id"].as_str().unwrap().to_string();
    let content = json!({"text": "x".repeat(3_000)}).to_string();
    let alice_left = event(&id, "leaves", &a_sid);
    let started = Instant::now();
    let mut sent = 0;
    while !b.waiting().any(&alice_left) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "Alice's socket is still open after {sent} messages she did not read"
        );
        let r = b.call(json!({"channel_message_send": {"channel_id": id, "content": content}}));
        assert!(r.get("channel_message_ack").is_some(), "{r}");
        sent += 1;
        // Bob's own copies.
        b.forget(|e| e.get("channel_message").is_some());
    }
    let (closed, before) = a.wait_closed();
    crate::realtime::assert_closed_for(&closed, "session outgoing queue full", exact);
    let got = before
        .iter()
        .filter(|e| e.get("channel_message").is_some())
        .count();
    assert!(got < sent, "Alice got {got} of {sent} messages");
    // Bob is served as before.
    b.ready();
    b.close();
}

/// `channel_join`s Nakama refuses, with its codes and messages.
fn check_join_refusals(s: &mut Socket) {
    const TARGET: &str = "Invalid channel target";
    let length = format!("Channel name is required and must be 1-64 chars: {TARGET}");
    let control = format!("Channel name must not contain control chars: {TARGET}");
    let user_id = format!("Invalid user ID in direct message join: {TARGET}");
    let nobody = "6b3f0c3e-0000-4000-8000-00000000c0de";
    for (join, message) in [
        (json!({"target": "", "type": 1}), TARGET.to_string()),
        (json!({"type": 9}), TARGET.into()),
        (json!({"target": "r".repeat(65), "type": 1}), length.clone()),
        // Bytes are counted, not characters.
        (json!({"target": "é".repeat(33)}), length),
        (json!({"target": "a\u{1}b", "type": 1}), control.clone()),
        (json!({"target": "a\u{7f}", "type": 0}), control),
        (
            json!({"target": "room", "type": 4}),
            "Invalid channel type".into(),
        ),
        (
            json!({"target": "room", "type": -1}),
            "Invalid channel type".into(),
        ),
        (json!({"target": "nope", "type": 2}), user_id.clone()),
        (
            json!({"target": "00000000-0000-0000-0000-000000000000", "type": 2}),
            user_id,
        ),
        (
            json!({"target": nobody, "type": 2}),
            format!("User ID not found: {TARGET}"),
        ),
        (
            json!({"target": "nope", "type": 3}),
            format!("Invalid group ID in group channel join: {TARGET}"),
        ),
        (
            json!({"target": nobody, "type": 3}),
            format!("Group not found: {TARGET}"),
        ),
    ] {
        let got = refusal(s, json!({ "channel_join": join }));
        assert_eq!(got, (3, message), "{join}");
    }
    // 64 bytes of a two-byte character is a name.
    let name = "é".repeat(32);
    let channel = join(s, json!({"target": name, "type": 1}));
    assert_eq!(channel["id"], format!("2...{name}"));
    assert_eq!(channel["room_name"], name.as_str());
    let r = s.call(json!({"channel_leave": {"channel_id": channel["id"]}}));
    assert!(r.get("error").is_none(), "{r}");
}

/// A room: joins (hidden and not, again), messages with and without
/// persistence, updates and removals, and their refusals.
fn check_room(a: &mut Socket, b: &mut Socket, c: &mut Socket, users: [&User; 3], room: &str) {
    let [alice, bob, carol] = users;
    let id = format!("2...{room}");

    // Alice joins: nobody else is in; persistence by default.
    let r = a.call(json!({"channel_join": {"target": room, "type": 1}}));
    let a_sid = r["channel"]["self"]["session_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    assert_eq!(
        r,
        json!({"cid": r["cid"], "channel": {"id": id, "self": presence(alice, &a_sid, true), "room_name": room}})
    );
    let own = a.wait_for("alice's own join", event(&id, "joins", &a_sid));
    assert_eq!(
        own,
        json!({"channel_presence_event": {"channel_id": id, "joins": [presence(alice, &a_sid, true)], "room_name": room}})
    );

    // Bob joins with every field nakama-js sends (type 0 is a room).
    let channel = join(
        b,
        json!({"target": room, "type": 0, "persistence": true, "hidden": false}),
    );
    let b_sid = channel["self"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(
        channel,
        json!({"id": id, "presences": [presence(alice, &a_sid, true)],
               "self": presence(bob, &b_sid, true), "room_name": room})
    );
    a.wait_for("bob's join, at alice", event(&id, "joins", &b_sid));
    b.wait_for("bob's own join", event(&id, "joins", &b_sid));

    // Carol joins hidden, without persistence: she sees them, they are
    // not told.
    let channel = join(
        c,
        json!({"target": room, "type": 1, "persistence": false, "hidden": true}),
    );
    let c_sid = channel["self"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(channel["self"], presence(carol, &c_sid, false));
    let both = sorted(&json!([
        presence(alice, &a_sid, true),
        presence(bob, &b_sid, true)
    ]));
    assert_eq!(sorted(&channel["presences"]), both, "{channel}");

    // Joining again changes nothing, and lists the joiner itself; the
    // hidden one is never listed.
    let channel = join(a, json!({"target": room}));
    assert_eq!(sorted(&channel["presences"]), both, "{channel}");
    assert_eq!(channel["self"], presence(alice, &a_sid, true));

    // A message reaches everyone in the room, the hidden one and the
    // sender too.
    let content = r#"{"text":"hello","n":1}"#;
    let ack = acked(a, "send", json!({"channel_id": id, "content": content}));
    let m1 = ack["message_id"].as_str().unwrap().to_string();
    assert_eq!(m1.len(), 36, "{ack}");
    assert_eq!(
        (&ack["channel_id"], &ack["code"], &ack["persistent"]),
        (&json!(id), &json!(0), &json!(true))
    );
    assert_eq!(
        (&ack["username"], &ack["room_name"]),
        (&json!(alice.username), &json!(room))
    );
    assert_eq!(ack["create_time"], ack["update_time"], "{ack}");
    let sent = json!({"channel_message": {
        "channel_id": id, "message_id": m1, "code": 0, "sender_id": alice.user_id,
        "username": alice.username, "content": content, "create_time": ack["create_time"],
        "update_time": ack["update_time"], "persistent": true, "room_name": room}});
    for s in [&mut *a, &mut *b, &mut *c] {
        assert_eq!(s.wait_for("alice's message", message(&m1, 0)), sent);
    }

    // Carol's messages are not stored.
    let ack = acked(c, "send", json!({"channel_id": id, "content": "{}"}));
    assert_eq!(ack["persistent"], false, "{ack}");
    let carols = ack["message_id"].as_str().unwrap().to_string();
    let e = a.wait_for("carol's message", message(&carols, 0));
    assert_eq!(e["channel_message"]["persistent"], false, "{e}");
    assert_eq!(e["channel_message"]["sender_id"], carol.user_id.as_str());

    // Sends Nakama refuses.
    let elsewhere = format!("{id}-elsewhere");
    for (send, message) in [
        (
            json!({"channel_id": "nope", "content": "x"}),
            "Invalid channel identifier",
        ),
        (json!({"content": "{}"}), "Invalid channel identifier"),
        (
            json!({"channel_id": "2...", "content": "{}"}),
            "Invalid channel identifier",
        ),
        (
            json!({"channel_id": id, "content": "[1]"}),
            "Message content must be a valid JSON object",
        ),
        (
            json!({"channel_id": id}),
            "Message content must be a valid JSON object",
        ),
        (
            json!({"channel_id": id, "content": "{\"a\":"}),
            "Message content must be a valid JSON object",
        ),
        (
            json!({"channel_id": id, "content": "\"{}\""}),
            "Message content must be a valid JSON object",
        ),
        (
            json!({"channel_id": elsewhere, "content": "{}"}),
            "Must join channel before sending messages",
        ),
    ] {
        let got = refusal(a, json!({ "channel_message_send": send }));
        assert_eq!(got, (3, message.to_string()), "{send}");
    }

    // Alice updates her message: stored, so its create time is the stored
    // one (to the microsecond).
    let updated = r#"{"text":"hello again"}"#;
    let ack = acked(
        a,
        "update",
        json!({"channel_id": id, "message_id": m1, "content": updated}),
    );
    assert_eq!(
        (&ack["message_id"], &ack["code"], &ack["persistent"]),
        (&json!(m1), &json!(1), &json!(true))
    );
    assert_eq!(
        micros(&ack["create_time"]),
        micros(&sent["channel_message"]["create_time"])
    );
    let update_time = ack["update_time"].clone();
    for s in [&mut *a, &mut *b, &mut *c] {
        let e = s.wait_for("alice's update", message(&m1, 1));
        let m = &e["channel_message"];
        assert_eq!(
            (&m["content"], &m["sender_id"], &m["create_time"]),
            (&json!(updated), &json!(alice.user_id), &ack["create_time"])
        );
        assert_eq!(m["update_time"], update_time);
    }
    // Carol, without persistence, updates any id: nothing stored is
    // looked at.
    let any = "6b3f0c3e-0000-4000-8000-0000000000aa";
    let ack = acked(
        c,
        "update",
        json!({"channel_id": id, "message_id": any, "content": "{}"}),
    );
    assert_eq!(
        (&ack["message_id"], &ack["code"], &ack["persistent"]),
        (&json!(any), &json!(1), &json!(false))
    );
    for (by_bob, update, message) in [
        (
            false,
            json!({"channel_id": "nope", "message_id": "x", "content": "{}"}),
            "Invalid message identifier",
        ),
        (
            false,
            json!({"channel_id": "nope", "message_id": m1, "content": "{}"}),
            "Invalid channel identifier",
        ),
        (
            false,
            json!({"channel_id": id, "message_id": m1, "content": "[]"}),
            "Message content must be a valid JSON object",
        ),
        (
            false,
            json!({"channel_id": elsewhere, "message_id": m1, "content": "{}"}),
            "Must join channel before updating messages",
        ),
        (
            false,
            json!({"channel_id": id, "message_id": any, "content": "{}"}),
            "Could not find message to update in channel history",
        ),
        // Only the sender's own messages.
        (
            true,
            json!({"channel_id": id, "message_id": m1, "content": "{}"}),
            "Could not find message to update in channel history",
        ),
    ] {
        let s = if by_bob { &mut *b } else { &mut *a };
        let got = refusal(s, json!({ "channel_message_update": update }));
        assert_eq!(got, (3, message.to_string()), "{update}");
    }

    // Alice removes it: the stored times come back, the content is `{}`.
    let ack = acked(a, "remove", json!({"channel_id": id, "message_id": m1}));
    assert_eq!(
        (&ack["message_id"], &ack["code"], &ack["persistent"]),
        (&json!(m1), &json!(2), &json!(true))
    );
    assert_eq!(
        micros(&ack["create_time"]),
        micros(&sent["channel_message"]["create_time"])
    );
    assert_eq!(micros(&ack["update_time"]), micros(&update_time));
    for s in [&mut *a, &mut *b, &mut *c] {
        let e = s.wait_for("alice's removal", message(&m1, 2));
        let m = &e["channel_message"];
        assert_eq!(m["content"], "{}", "{e}");
        assert_eq!(m["update_time"], ack["update_time"], "{e}");
    }
    for (remove, message) in [
        (
            json!({"channel_id": id, "message_id": m1}),
            "Could not find message to remove in channel history",
        ),
        (
            json!({"channel_id": "nope", "message_id": "x"}),
            "Invalid message identifier",
        ),
        (
            json!({"channel_id": "nope", "message_id": m1}),
            "Invalid channel identifier",
        ),
        (
            json!({"channel_id": elsewhere, "message_id": m1}),
            "Must join channel before removing messages",
        ),
    ] {
        let got = refusal(a, json!({ "channel_message_remove": remove }));
        assert_eq!(got, (3, message.to_string()), "{remove}");
    }
}

/// Three stored messages of Alice's read back in pages, both ways, and
/// the listing's refusals.
fn check_history(port: u16, a: &mut Socket, alice: &User, bob: &User, id: &str) {
    let mut sent = Vec::new();
    for (n, text) in [(2, "two"), (3, "three"), (4, "four")] {
        let content = json!({"text": text, "n": n}).to_string();
        let ack = acked(a, "send", json!({"channel_id": id, "content": content}));
        sent.push(ack);
    }
    let ids: Vec<String> = sent
        .iter()
        .map(|m| m["message_id"].as_str().unwrap().to_string())
        .collect();
    let [m2, m3, m4] = [&ids[0], &ids[1], &ids[2]];

    // Everything, oldest first; contents as PostgreSQL's JSONB gives them
    // back. Anyone may read a room's.
    let (listed, body) = page(port, bob, id, "limit=10");
    assert_eq!(listed, ids, "{body}");
    for (m, ack) in body["messages"].as_array().unwrap().iter().zip(&sent) {
        let n = ack["message_id"].clone();
        let (text, number) = match n.as_str() {
            Some(x) if x == m2 => ("two", 2),
            Some(x) if x == m3 => ("three", 3),
            _ => ("four", 4),
        };
        let expected = json!({
            "channel_id": id, "message_id": n, "code": 0, "sender_id": alice.user_id,
            "username": alice.username, "content": format!(r#"{{"n": {number}, "text": "{text}"}}"#),
            "create_time": m["create_time"], "update_time": m["update_time"],
            "persistent": true, "room_name": id.trim_start_matches("2...")});
        assert_eq!(m, &expected);
        assert_eq!(micros(&m["create_time"]), micros(&ack["create_time"]));
        assert_eq!(m["create_time"], m["update_time"], "{m}");
    }
    assert!(body.get("next_cursor").is_none(), "{body}");
    assert!(body.get("prev_cursor").is_none(), "{body}");
    assert!(body["cacheable_cursor"].is_string(), "{body}");

    // No limit: one message; forward unless told.
    let (listed, body) = page(port, alice, id, "");
    assert_eq!(listed, [m2.as_str()], "{body}");
    assert!(body["next_cursor"].is_string(), "{body}");

    // Pages forward, and back from the second.
    let (listed, first) = page(port, alice, id, "limit=2&forward=true");
    assert_eq!(listed, [m2.as_str(), m3.as_str()]);
    assert!(first.get("prev_cursor").is_none(), "{first}");
    let next = first["next_cursor"].as_str().unwrap().to_string();
    let (listed, second) = page(port, alice, id, &format!("limit=2&cursor={next}"));
    assert_eq!(listed, [m4.as_str()]);
    assert!(second.get("next_cursor").is_none(), "{second}");
    let prev = second["prev_cursor"].as_str().unwrap().to_string();
    let (listed, back) = page(port, alice, id, &format!("limit=2&cursor={prev}"));
    assert_eq!(listed, [m2.as_str(), m3.as_str()], "{back}");
    assert!(back["next_cursor"].is_string(), "{back}");
    assert!(back.get("prev_cursor").is_none(), "{back}");

    // Newest first.
    let (listed, newest) = page(port, alice, id, "limit=2&forward=false");
    assert_eq!(listed, [m4.as_str(), m3.as_str()]);
    let older = newest["next_cursor"].as_str().unwrap().to_string();
    let (listed, oldest) = page(
        port,
        alice,
        id,
        &format!("limit=2&forward=false&cursor={older}"),
    );
    assert_eq!(listed, [m2.as_str()]);
    let newer = oldest["prev_cursor"].as_str().unwrap().to_string();
    let (listed, _) = page(
        port,
        alice,
        id,
        &format!("limit=2&forward=false&cursor={newer}"),
    );
    assert_eq!(listed, [m4.as_str(), m3.as_str()]);

    // An empty room: an empty list.
    let (listed, body) = page(port, alice, &format!("{id}-empty"), "limit=5");
    assert!(listed.is_empty());
    assert_eq!(body, json!({}));

    // Refusals.
    const CURSOR: &str = "Cursor is invalid or expired.";
    refused_listing(
        port,
        alice,
        id,
        &format!("limit=2&forward=false&cursor={next}"),
        CURSOR,
    );
    refused_listing(
        port,
        alice,
        &format!("{id}-other"),
        &format!("limit=2&cursor={next}"),
        CURSOR,
    );
    refused_listing(port, alice, id, "cursor=abc", CURSOR);
    for limit in ["0", "101", "-1"] {
        refused_listing(
            port,
            alice,
            id,
            &format!("limit={limit}"),
            "Invalid limit - limit must be between 1 and 100.",
        );
    }
    refused_listing(port, alice, "nope", "", "Invalid channel ID.");
    refused_listing(port, alice, "2...", "", "Invalid channel ID.");
    let (one, two) = (
        "6b3f0c3e-0000-4000-8000-0000000000b1",
        "6b3f0c3e-0000-4000-8000-0000000000b2",
    );
    refused_listing(port, alice, &format!("3.{one}.."), "", "Group not found.");
    refused_listing(
        port,
        alice,
        &format!("4.{one}.{two}."),
        "",
        "Channel not found.",
    );
}

/// A direct chat: the id both sides get, the request notification, its
/// messages and who may read them.
fn check_direct(
    port: u16,
    a: &mut Socket,
    b: &mut Socket,
    c: &mut Socket,
    [alice, bob, carol]: [&User; 3],
) {
    let (one, two) = if alice.user_id < bob.user_id {
        (&alice.user_id, &bob.user_id)
    } else {
        (&bob.user_id, &alice.user_id)
    };
    let id = format!("4.{one}.{two}.");
    let channel = join(a, json!({"target": bob.user_id, "type": 2}));
    let a_sid = channel["self"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(
        channel,
        json!({"id": id, "self": presence(alice, &a_sid, true), "user_id_one": one, "user_id_two": two})
    );
    // Bob is not in it: he is asked to chat.
    let e = b.wait_for("alice's chat request", |e| {
        e["notifications"]["notifications"][0]["code"] == -1
    });
    let n = &e["notifications"]["notifications"][0];
    assert_eq!(n["subject"], format!("{} wants to chat", alice.username));
    assert_eq!(n["sender_id"], alice.user_id.as_str());
    assert_eq!(n["persistent"], true);
    let content: Value = serde_json::from_str(n["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({"username": alice.username}));

    // Bob joins by Alice's id, upper case: the same channel.
    let channel = join(
        b,
        json!({"target": alice.user_id.to_uppercase(), "type": 2}),
    );
    let b_sid = channel["self"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(channel["id"], id.as_str());
    assert_eq!(channel["presences"], json!([presence(alice, &a_sid, true)]));
    let e = a.wait_for("bob's join", event(&id, "joins", &b_sid));
    assert_eq!(
        e,
        json!({"channel_presence_event": {"channel_id": id, "joins": [presence(bob, &b_sid, true)],
               "user_id_one": one, "user_id_two": two}})
    );

    // A message sent to the channel id as written (upper case here) is
    // answered with that id.
    let written = id.to_uppercase();
    let ack = acked(
        b,
        "send",
        json!({"channel_id": written, "content": "{\"hi\":1}"}),
    );
    assert_eq!(ack["channel_id"], written.as_str());
    assert_eq!(
        (&ack["user_id_one"], &ack["user_id_two"]),
        (&json!(one), &json!(two))
    );
    let e = a.wait_for(
        "bob's message",
        message(ack["message_id"].as_str().unwrap(), 0),
    );
    assert_eq!(e["channel_message"]["channel_id"], written.as_str());
    assert!(e["channel_message"].get("room_name").is_none(), "{e}");

    // Its history is theirs only.
    let (listed, body) = page(port, alice, &id, "limit=10");
    assert_eq!(listed, [ack["message_id"].as_str().unwrap()], "{body}");
    assert_eq!(body["messages"][0]["user_id_one"], one.as_str());
    refused_listing(port, carol, &id, "", "Channel not found.");
    // Carol cannot send to it without joining.
    let got = refusal(
        c,
        json!({"channel_message_send": {"channel_id": id, "content": "{}"}}),
    );
    assert_eq!(got, (3, "Must join channel before sending messages".into()));
    // Leaving: Alice is told Bob left.
    let r = b.call(json!({"channel_leave": {"channel_id": id}}));
    assert_eq!(r, json!({"cid": r["cid"]}));
    a.wait_for("bob's leave", event(&id, "leaves", &b_sid));
    let r = a.call(json!({"channel_leave": {"channel_id": id}}));
    assert_eq!(r, json!({"cid": r["cid"]}));
}

/// Leaves: the others are told, unless the one leaving is hidden;
/// leaving a channel one is not in is answered all the same.
fn check_leaves(a: &mut Socket, b: &mut Socket, c: &mut Socket, room: &str) {
    let id = format!("2...{room}");
    let r = a.call(json!({"channel_leave": {"channel_id": "nope"}}));
    assert_eq!(error_of(&r), (3, "Invalid channel identifier".into()));
    let r = a.call(json!({"channel_leave": {"channel_id": format!("{id}-never")}}));
    assert_eq!(r, json!({"cid": r["cid"]}));

    // Carol (hidden) leaves, then Bob: Alice hears of Bob only.
    let c_sid = join(c, json!({"target": room, "hidden": true}))["self"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c.call(json!({"channel_leave": {"channel_id": id}}));
    assert_eq!(r, json!({"cid": r["cid"]}));
    let b_sid = join(b, json!({"target": room}))["self"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = b.call(json!({"channel_leave": {"channel_id": id}}));
    assert_eq!(r, json!({"cid": r["cid"]}));
    let e = a.wait_for("bob's leave", event(&id, "leaves", &b_sid));
    assert_eq!(e["channel_presence_event"]["room_name"], room, "{e}");
    // The tracker sends its events in order: one for Carol would have
    // come before.
    assert!(
        !a.waiting().any(|e| mentions(e, &c_sid)),
        "a hidden presence has no events"
    );
    // Gone: Bob may not send there any more.
    let got = refusal(
        b,
        json!({"channel_message_send": {"channel_id": id, "content": "{}"}}),
    );
    assert_eq!(got, (3, "Must join channel before sending messages".into()));
    let r = a.call(json!({"channel_leave": {"channel_id": id}}));
    assert_eq!(r, json!({"cid": r["cid"]}));
}

/// The hooks around the history listing, on a host serving
/// `fixtures/fixture-nk` (its before hook reads a channel whose id ends in
/// `-newest` newest first, and drops a listing of one ending in
/// `-dropped`).
pub fn check_history_hook(port: u16) {
    let suffix = crate::run_suffix();
    let user = User::new(port, &format!("chh-{suffix}"), &format!("chh{suffix}"));
    let mut s = Socket::open(port, &user);
    let room = format!("hooked-{suffix}-newest");
    let id = join(&mut s, json!({"target": room}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sent: Vec<String> = (0..2)
        .map(|n| {
            let ack = acked(
                &mut s,
                "send",
                json!({"channel_id": id, "content": format!("{{\"n\":{n}}}")}),
            );
            ack["message_id"].as_str().unwrap().to_string()
        })
        .collect();
    let (listed, _) = page(port, &user, &id, "limit=2");
    assert_eq!(
        listed,
        [sent[1].clone(), sent[0].clone()],
        "the hook's order"
    );
    let (listed, _) = page(port, &user, &id, "limit=2&forward=true");
    assert_eq!(listed, sent, "the request's own order");
    let r = history(port, &user, &format!("2...{suffix}-dropped"), "");
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(
        (r.json()["code"].clone(), r.json()["message"].clone()),
        (json!(5), json!("Requested resource was not found."))
    );
    s.close();
}

/// The system user's id: the sender of a module's message that names none.
const SYSTEM_USER: &str = "00000000-0000-0000-0000-000000000000";

/// fixture-nk's `nk_channel`: one channel nk function, called by the
/// module through the SDK; its answer, or its refusal's code and message.
fn nk_channel(port: u16, call: &Value) -> Result<Value, (i64, String)> {
    let (status, r) = crate::nk::call(port, "nk_channel", &call.to_string());
    assert_eq!(status, 200, "{call}: {r}");
    match (r.get("ok"), r.get("error")) {
        (Some(ok), _) => Ok(ok.clone()),
        (_, Some(e)) => Err((
            e[0].as_i64().unwrap_or(-1),
            e[1].as_str().unwrap_or_default().to_string(),
        )),
        _ => panic!("{call}: {r}"),
    }
}

fn nk_ok(port: u16, call: Value) -> Value {
    nk_channel(port, &call).unwrap_or_else(|e| panic!("{call} was refused: {e:?}"))
}

/// A module's message whose acknowledgement says it was sent, updated or
/// removed (`code`) on the room `room`: its id, and the acknowledgement.
fn nk_acked(port: u16, call: Value, code: i64, room: &str) -> (String, Value) {
    let ack = nk_ok(port, call);
    let id = ack["message_id"].as_str().unwrap_or_default().to_string();
    assert!(ack["create_time"].is_string(), "{ack}");
    assert_eq!(
        ack_fields(&ack, &["username"]),
        [
            "channel_id",
            "code",
            "create_time",
            "message_id",
            "persistent",
            "room_name",
            "update_time"
        ],
        "an acknowledgement has no sender id or content: {ack}"
    );
    assert_eq!(
        (&ack["code"], &ack["room_name"]),
        (&json!(code), &json!(room))
    );
    (id, ack)
}

/// The channel nk functions, on a host serving `fixtures/fixture-nk`
/// (Nakama's `ChannelIdBuild`, `ChannelMessageSend`, `...Update`,
/// `...Remove` and `ChannelMessagesList`, driven step by step through its
/// `nk_channel` RPC): ids and their refusals; a module's messages reaching
/// everyone in a room (no membership needed, hidden members and members
/// without persistence too) before its call answers, stored or not;
/// updates and removals, stored and not; pages both ways with cursors;
/// direct and group channels; and the refusals (channel ids, message ids,
/// a history that cannot store the message, limits, cursors). A content
/// that is not an object cannot be asked for: the SDK takes a map, as
/// Nakama's Go interface does.
pub fn check_nk_channels(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| {
        User::new(
            port,
            &format!("nkch-{n}-{suffix}"),
            &format!("nkch{n}{suffix}"),
        )
    };
    let (alice, bob) = (user("alice"), user("bob"));
    check_nk_id_build(port, &alice, &bob, &suffix);

    let room = format!("nk-room-{suffix}");
    let id = format!("2...{room}");
    let mut a = Socket::open(port, &alice);
    let mut b = Socket::open(port, &bob);
    join(&mut a, json!({"target": room}));
    join(
        &mut b,
        json!({"target": room, "persistence": false, "hidden": true}),
    );

    // A message of the system's, stored: everyone in the room gets it, as
    // Go's json.Marshal writes the module's map (keys sorted, <, > and &
    // escaped, numbers as float64).
    let send = |content: Value, sender: Option<&User>, persist: bool| {
        json!({"call": "send", "channel_id": id, "content": content, "persist": persist,
               "sender_id": sender.map(|u| u.user_id.clone()),
               "sender_username": sender.map(|u| u.username.clone()).unwrap_or_default()})
    };
    let content = json!({"text": "<hi & bye>", "n": 1.0, "list": [1.5, true]});
    let (m1, ack) = nk_acked(port, send(content, None, true), 0, &room);
    assert_eq!(m1.len(), 36, "{ack}");
    assert_eq!(ack["persistent"], true, "{ack}");
    assert_eq!(ack["create_time"], ack["update_time"], "{ack}");
    assert_eq!(ack.get("username"), None, "no username was given: {ack}");
    let marshalled = r#"{"list":[1.5,true],"n":1,"text":"\u003chi \u0026 bye\u003e"}"#;
    let sent = json!({"channel_message": {
        "channel_id": id, "message_id": m1, "code": 0, "sender_id": SYSTEM_USER,
        "content": marshalled, "create_time": ack["create_time"],
        "update_time": ack["update_time"], "persistent": true, "room_name": room}});
    for s in [&mut a, &mut b] {
        assert_eq!(s.wait_for("the module's message", message(&m1, 0)), sent);
    }

    // One as Alice (stored), one not stored.
    let (m2, ack) = nk_acked(
        port,
        send(json!({"by": "alice"}), Some(&alice), true),
        0,
        &room,
    );
    assert_eq!(ack["username"], alice.username.as_str(), "{ack}");
    let e = b.wait_for("alice's message, sent by the module", message(&m2, 0));
    let m = &e["channel_message"];
    assert_eq!(
        (&m["sender_id"], &m["username"], &m["content"]),
        (
            &json!(alice.user_id),
            &json!(alice.username),
            &json!(r#"{"by":"alice"}"#)
        )
    );
    let (m3, ack) = nk_acked(port, send(json!({}), None, false), 0, &room);
    assert_eq!(ack["persistent"], false, "{ack}");
    a.wait_for("the message not stored", message(&m3, 0));

    check_nk_history(port, &bob, &id, [&m1, &m2]);

    // Updates: a stored message's keeps its create time; the sender must
    // be the stored one's; one not stored looks at nothing.
    let update = |message_id: &str, sender: Option<&User>, persist: bool| {
        json!({"call": "update", "channel_id": id, "message_id": message_id,
               "content": {"text": "edited"}, "persist": persist,
               "sender_id": sender.map(|u| u.user_id.clone())})
    };
    let (_, ack) = nk_acked(port, update(&m1, None, true), 1, &room);
    assert_eq!(ack["message_id"], m1.as_str());
    assert_eq!(
        micros(&ack["create_time"]),
        micros(&sent["channel_message"]["create_time"])
    );
    assert_ne!(ack["update_time"], ack["create_time"], "{ack}");
    for s in [&mut a, &mut b] {
        let e = s.wait_for("the update", message(&m1, 1));
        let m = &e["channel_message"];
        assert_eq!(
            (
                &m["content"],
                &m["sender_id"],
                &m["create_time"],
                &m["update_time"]
            ),
            (
                &json!(r#"{"text":"edited"}"#),
                &json!(SYSTEM_USER),
                &ack["create_time"],
                &ack["update_time"]
            ),
        );
    }
    let not_found = Err((5, "channel message not found".to_string()));
    assert_eq!(
        nk_channel(port, &update(&m1, Some(&alice), true)),
        not_found
    );
    // A name past its column (`VARCHAR(128)`) cannot be stored. (Of a
    // message that is not the sender's, Nakama's answer depends on
    // PostgreSQL's plan cache: refused while the connection plans the
    // update with the name in it, its first five times; not found once a
    // generic plan measures the name only in rows it changes. The dev
    // host refuses it always.)
    let mut long_named = update(&m1, None, true);
    long_named["sender_username"] = json!("x".repeat(129));
    assert_eq!(
        nk_channel(port, &long_named),
        Err((13, "error persisting channel message".to_string()))
    );
    let anyone = "6b3f0c3e-0000-4000-8000-0000000000ab";
    let (_, ack) = nk_acked(port, update(anyone, Some(&alice), false), 1, &room);
    assert_eq!(
        (&ack["persistent"], &ack["message_id"]),
        (&json!(false), &json!(anyone))
    );
    assert_eq!(ack["create_time"], ack["update_time"], "{ack}");
    b.wait_for("the update of a message not stored", message(anyone, 1));

    // Removals: the stored message goes (the acknowledgement has its
    // times), and everyone is told, with empty content.
    let remove = json!({"call": "remove", "channel_id": id, "message_id": m2,
                        "sender_id": alice.user_id, "sender_username": alice.username,
                        "persist": true});
    let (_, ack) = nk_acked(port, remove.clone(), 2, &room);
    let stored = page(port, &bob, &id, "limit=10").1;
    assert_eq!(
        stored["messages"].as_array().map(Vec::len),
        Some(1),
        "{stored}"
    );
    for s in [&mut a, &mut b] {
        let e = s.wait_for("the removal", message(&m2, 2));
        let m = &e["channel_message"];
        assert_eq!(
            (&m["content"], &m["create_time"], &m["username"]),
            (&json!("{}"), &ack["create_time"], &json!(alice.username))
        );
        assert_eq!(micros(&m["create_time"]), micros(&m["update_time"]), "{e}");
    }
    assert_eq!(nk_channel(port, &remove), not_found);

    let accepted = check_nk_refusals(port, &id, &m1);
    // Nothing refused reached the room: the messages that arrive after
    // those seen so far are the ones accepted since, in order.
    let (last, _) = nk_acked(port, send(json!({"last": true}), None, false), 0, &room);
    let seen = [m1, m2, m3, anyone.to_string()];
    for expected in accepted.iter().chain([&last]) {
        let e = a.wait_for("the messages sent since", |e| {
            e["channel_message"]["message_id"]
                .as_str()
                .is_some_and(|m| !seen.iter().any(|s| s == m))
        });
        assert_eq!(e["channel_message"]["message_id"], expected.as_str(), "{e}");
    }

    check_nk_direct_and_group(port, &alice, &bob, &suffix);
    a.close();
    b.close();
}

/// `channel_id_build`: ids as the socket's joins make them, and refusals.
fn check_nk_id_build(port: u16, alice: &User, bob: &User, suffix: &str) {
    let build = |sender: Option<&str>, target: &str, kind: &str| {
        nk_channel(
            port,
            &json!({"call": "id_build", "sender_id": sender, "target": target, "channel_type": kind}),
        )
    };
    let room = format!("r-{suffix}");
    assert_eq!(build(None, &room, "room"), Ok(json!(format!("2...{room}"))));
    // A direct chat: the pair, smaller id first, whoever asks.
    let (one, two) = if alice.user_id < bob.user_id {
        (&alice.user_id, &bob.user_id)
    } else {
        (&bob.user_id, &alice.user_id)
    };
    let direct = json!(format!("4.{one}.{two}."));
    assert_eq!(
        build(Some(&alice.user_id), &bob.user_id, "direct"),
        Ok(direct.clone())
    );
    assert_eq!(
        build(Some(&bob.user_id), &alice.user_id, "direct"),
        Ok(direct)
    );
    // The system user is in no direct chat: Nakama leaves the id a room
    // with no name, which the other functions refuse.
    assert_eq!(build(None, &bob.user_id, "direct"), Ok(json!("2...")));
    // The system user names any group's channel; a user only that of a
    // group they are a member of (here a made-up group; a member's
    // channel is built in `crate::groups::check_nk_groups`).
    let group = "6b3f0c3e-0000-4000-8000-00000000900d";
    assert_eq!(
        build(None, group, "group"),
        Ok(json!(format!("3.{group}..")))
    );
    const TARGET: &str = "Invalid channel target";
    let nobody = "6b3f0c3e-0000-4000-8000-00000000c0de";
    for (sender, target, kind, message) in [
        (None, "", "room", TARGET.to_string()),
        (None, "", "direct", TARGET.to_string()),
        (
            None,
            &"r".repeat(65),
            "room",
            format!("Channel name is required and must be 1-64 chars: {TARGET}"),
        ),
        (
            None,
            "a\u{1}",
            "room",
            format!("Channel name must not contain control chars: {TARGET}"),
        ),
        (
            None,
            "nope",
            "direct",
            format!("Invalid user ID in direct message join: {TARGET}"),
        ),
        (
            Some(alice.user_id.as_str()),
            SYSTEM_USER,
            "direct",
            format!("Invalid user ID in direct message join: {TARGET}"),
        ),
        (
            Some(alice.user_id.as_str()),
            nobody,
            "direct",
            format!("User ID not found: {TARGET}"),
        ),
        (
            None,
            "nope",
            "group",
            format!("Invalid group ID in group channel join: {TARGET}"),
        ),
        (
            Some(alice.user_id.as_str()),
            group,
            "group",
            format!("Group not found: {TARGET}"),
        ),
        (
            Some("nope"),
            "room",
            "room",
            r#"uuid: incorrect UUID length 4 in string "nope""#.to_string(),
        ),
    ] {
        assert_eq!(
            build(sender, target, kind),
            Err((3, message)),
            "{sender:?} {target:?} {kind}"
        );
    }
}

/// The stored messages `ids` of room `id`, oldest first, read by the
/// module in pages both ways, and as a client reads them.
fn check_nk_history(port: u16, reader: &User, id: &str, ids: [&str; 2]) {
    let list = |limit: i64, forward: bool, cursor: &Value| {
        nk_ok(
            port,
            json!({"call": "list", "channel_id": id, "limit": limit, "forward": forward,
                   "cursor": cursor}),
        )
    };
    let listed = |page: &Value| -> Vec<String> {
        page["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| m["message_id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    // The module reads what a client reads.
    let all = list(10, true, &Value::Null);
    let (client_ids, client_page) = page(port, reader, id, "limit=10");
    assert_eq!(client_ids, ids, "{client_page}");
    assert_eq!(all["messages"], client_page["messages"]);
    let first = &all["messages"][0];
    assert_eq!(
        (&first["sender_id"], &first["content"], &first["persistent"]),
        (
            &json!(SYSTEM_USER),
            // As PostgreSQL's JSONB writes it back.
            &json!(r#"{"n": 1, "list": [1.5, true], "text": "<hi & bye>"}"#),
            &json!(true)
        )
    );
    assert_eq!(
        (&all["next_cursor"], &all["prev_cursor"]),
        (&json!(""), &json!(""))
    );
    // Pages of one, forward, then back.
    let p1 = list(1, true, &Value::Null);
    assert_eq!(listed(&p1), [ids[0]], "{p1}");
    assert_eq!(p1["prev_cursor"], "", "a first page has no previous one");
    let p2 = list(1, true, &p1["next_cursor"]);
    assert_eq!(listed(&p2), [ids[1]], "{p2}");
    assert_eq!(p2["next_cursor"], "", "nothing after the last: {p2}");
    let back = list(1, true, &p2["prev_cursor"]);
    assert_eq!(listed(&back), [ids[0]], "{back}");
    assert_eq!(back["prev_cursor"], "", "{back}");
    assert!(
        back["next_cursor"].as_str().is_some_and(|c| !c.is_empty()),
        "{back}"
    );
    // Newest first.
    let newest = list(1, false, &Value::Null);
    assert_eq!(listed(&newest), [ids[1]], "{newest}");
    let older = list(1, false, &newest["next_cursor"]);
    assert_eq!(listed(&older), [ids[0]], "{older}");
    // A cursor read the other way, or of another channel, is refused.
    let bad_cursor = Err((3, "invalid channel cursor".to_string()));
    let other_way = json!({"call": "list", "channel_id": id, "limit": 1, "forward": false,
                           "cursor": p1["next_cursor"]});
    assert_eq!(nk_channel(port, &other_way), bad_cursor);
    let elsewhere = json!({"call": "list", "channel_id": format!("{id}-x"), "limit": 1,
                           "forward": true, "cursor": p1["next_cursor"]});
    assert_eq!(nk_channel(port, &elsewhere), bad_cursor);
}

/// Arguments Nakama's channel functions refuse, with its codes and words,
/// in room `id` whose stored message `stored` is the system's; answers
/// the ids of the messages then sent that were not to be stored.
fn check_nk_refusals(port: u16, id: &str, stored: &str) -> Vec<String> {
    let bad_id = (3, "invalid channel id".to_string());
    let bad_message = (3, "Invalid message identifier".to_string());
    let not_stored = (13, "error persisting channel message".to_string());
    let send = |channel_id: &str, content: Value, sender: Option<&str>, username: &str, persist| {
        json!({"call": "send", "channel_id": channel_id, "content": content,
               "sender_id": sender, "sender_username": username, "persist": persist})
    };
    let list = |channel_id: &str, limit: i64, cursor: &str| {
        json!({"call": "list", "channel_id": channel_id, "limit": limit, "forward": true,
               "cursor": cursor})
    };
    let nobody = "6b3f0c3e-0000-4000-8000-00000000c0de";
    let long_name = "n".repeat(129);
    let cases = [
        (send("nope", json!({}), None, "", false), bad_id.clone()),
        (send("", json!({}), None, "", false), bad_id.clone()),
        (send("2...", json!({}), None, "", false), bad_id.clone()),
        (send("3.x..", json!({}), None, "", false), bad_id.clone()),
        (
            json!({"call": "update", "channel_id": "nope", "message_id": "nope", "content": {},
                   "persist": true}),
            bad_id.clone(),
        ),
        (
            json!({"call": "update", "channel_id": id, "message_id": "nope", "content": {},
                   "persist": false}),
            bad_message.clone(),
        ),
        (
            json!({"call": "remove", "channel_id": id, "message_id": "nope", "persist": false}),
            bad_message,
        ),
        (list("nope", 1, ""), bad_id),
        (list(id, 0, ""), (3, "limit must be 1-100".to_string())),
        (list(id, 101, ""), (3, "limit must be 1-100".to_string())),
        (
            list(id, 1, "nope!"),
            (3, "invalid channel cursor".to_string()),
        ),
        // What the history cannot store: an empty sender id (Nakama's Go
        // runtime passes it on; the SDK's `None` is the system user), a
        // sender that is not a user, a username over 128 characters, a
        // NUL character (PostgreSQL's JSONB refuses it).
        (send(id, json!({}), Some(""), "", true), not_stored.clone()),
        (
            send(id, json!({}), Some(nobody), "", true),
            not_stored.clone(),
        ),
        (
            send(id, json!({}), None, &long_name, true),
            not_stored.clone(),
        ),
        (
            send(id, json!({"t": "a\u{0}b"}), None, "", true),
            not_stored.clone(),
        ),
        (
            json!({"call": "update", "channel_id": id, "message_id": stored, "content": {},
                   "sender_id": "", "persist": true}),
            not_stored,
        ),
    ];
    for (call, refusal) in cases {
        assert_eq!(nk_channel(port, &call), Err(refusal), "{call}");
    }
    // Not stored, the same are sent.
    [
        send(id, json!({}), Some(""), "", false),
        send(id, json!({"t": "a\u{0}b"}), Some(nobody), &long_name, false),
    ]
    .into_iter()
    .map(|call| {
        let ack = nk_ok(port, call);
        assert_eq!(ack["persistent"], false, "{ack}");
        ack["message_id"].as_str().unwrap_or_default().to_string()
    })
    .collect()
}

/// A module's messages in a direct chat nobody joined and in a group's
/// channel, stored, and listed with the names of their channel.
fn check_nk_direct_and_group(port: u16, alice: &User, bob: &User, suffix: &str) {
    let direct = nk_ok(
        port,
        json!({"call": "id_build", "sender_id": alice.user_id, "target": bob.user_id,
               "channel_type": "direct"}),
    );
    let direct = direct.as_str().unwrap_or_default().to_string();
    let ack = nk_ok(
        port,
        json!({"call": "send", "channel_id": direct, "content": {"hi": "bob"},
               "sender_id": alice.user_id, "sender_username": alice.username, "persist": true}),
    );
    let (one, two) = (ack["user_id_one"].clone(), ack["user_id_two"].clone());
    assert_eq!(
        format!(
            "4.{}.{}.",
            one.as_str().unwrap_or(""),
            two.as_str().unwrap_or("")
        ),
        direct,
        "{ack}"
    );
    let listed = nk_ok(
        port,
        json!({"call": "list", "channel_id": direct, "limit": 10, "forward": true}),
    );
    let m = &listed["messages"][0];
    assert_eq!(
        (&m["message_id"], &m["user_id_one"], &m["user_id_two"]),
        (&ack["message_id"], &one, &two),
        "{listed}"
    );
    // Its users read it as clients too.
    let (ids, _) = page(port, bob, &direct, "limit=10");
    assert_eq!(ids, [ack["message_id"].as_str().unwrap_or_default()]);

    // A group's channel, as the system names it: the module writes and
    // reads it; a client who is not a member may not (the dev host has
    // no members at all).
    let group = format!(
        "6b3f0c3e-0000-4000-8000-{:0>12}",
        &suffix[suffix.len().saturating_sub(12)..]
    );
    let channel = format!("3.{group}..");
    let ack = nk_ok(
        port,
        json!({"call": "send", "channel_id": channel, "content": {"to": "all"}, "persist": true}),
    );
    assert_eq!(ack["group_id"], group.as_str(), "{ack}");
    let listed = nk_ok(
        port,
        json!({"call": "list", "channel_id": channel, "limit": 10, "forward": false}),
    );
    assert_eq!(
        listed["messages"][0]["group_id"],
        group.as_str(),
        "{listed}"
    );
    assert_eq!(
        listed["messages"][0]["message_id"], ack["message_id"],
        "{listed}"
    );
    refused_listing(port, alice, &channel, "", "Group not found.");
}
