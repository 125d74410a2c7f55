//! Streams and sessions as Nakama 3.40.0's nk functions handle them
//! (server/runtime_go_nakama.go `Stream*`, `SessionDisconnect`,
//! `SessionLogout`, and the tracker, stream manager and message router
//! behind them), on a host serving `fixtures/fixture-nk`: sockets put on a
//! stream of a module's own mode by its `nk_streams` RPC (called over the
//! socket, so the caller's session is known), the presence events and
//! data they get, listings, counts, updates, leaves, kicks, a close, a
//! session disconnected and logouts, and the refusals.
//!
//! As in [`crate::channels`], presence events come from Nakama's tracker
//! on a goroutine of its own: they are waited for, not ordered against
//! answers, and their recipients are whoever is on the stream when the
//! event goes out. Listings are in no particular order.

use std::time::Duration;

use serde_json::{json, Value};

use crate::http::request;
use crate::realtime::{settle, Socket, User};

/// A stream of a module's own (mode 100) named `label`.
fn custom(label: &str) -> Value {
    json!({"mode": 100, "label": label})
}

/// fixture-nk's `nk_streams` over the socket: `{"ok": ..}` or `{"error":
/// [code, message]}`, and the caller's `session_id`.
fn nk(s: &mut Socket, call: Value) -> Value {
    let r = s.call(json!({"rpc": {"id": "nk_streams", "payload": call.to_string()}}));
    let payload = r["rpc"]["payload"]
        .as_str()
        .unwrap_or_else(|| panic!("{call}: {r}"));
    serde_json::from_str(payload).unwrap()
}

/// A call that must succeed: its answer.
pub(crate) fn ok(s: &mut Socket, call: Value) -> Value {
    let r = nk(s, call.clone());
    assert!(r.get("error").is_none(), "{call}: {r}");
    r["ok"].clone()
}

/// A call that must be refused: its code and message.
fn refused(s: &mut Socket, call: Value) -> (i64, String) {
    let r = nk(s, call.clone());
    let e = &r["error"];
    assert!(e.is_array(), "{call} was not refused: {r}");
    (e[0].as_i64().unwrap(), e[1].as_str().unwrap().to_string())
}

/// A user presence as the socket writes it (`persistence` left out when
/// false).
fn presence(user: &User, session_id: &str, persistence: bool) -> Value {
    let mut p =
        json!({"user_id": user.user_id, "session_id": session_id, "username": user.username});
    if persistence {
        p["persistence"] = true.into();
    }
    p
}

/// A `stream_presence_event` of `stream` with exactly these joins and
/// leaves.
fn presence_event(stream: &Value, joins: Vec<Value>, leaves: Vec<Value>) -> Value {
    let mut e = json!({"stream": stream});
    if !joins.is_empty() {
        e["joins"] = joins.into();
    }
    if !leaves.is_empty() {
        e["leaves"] = leaves.into();
    }
    json!({ "stream_presence_event": e })
}

/// Waits for envelope `want` exactly.
fn wait_exact(s: &mut Socket, want: &Value) {
    let got = s.wait_for(&want.to_string(), |e| e == want);
    assert_eq!(&got, want);
}

/// Whether any envelope the socket got names session `session_id` in a
/// presence event.
fn told_of(s: &Socket, session_id: &str) -> bool {
    s.waiting().any(|e| {
        let e = &e["stream_presence_event"];
        ["joins", "leaves"].iter().any(|l| {
            e[*l]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["session_id"] == session_id))
        })
    })
}

/// Presences sorted by session, without `node` (each host names its own),
/// which must be there.
fn listed(list: &Value) -> Vec<Value> {
    let mut ps = list.as_array().cloned().unwrap_or_default();
    for p in &mut ps {
        let node = p
            .as_object_mut()
            .and_then(|m| m.remove("node"))
            .unwrap_or_default();
        assert!(node.as_str().is_some_and(|n| !n.is_empty()), "{p}");
    }
    ps.sort_by_key(|p| p["session_id"].as_str().unwrap_or("").to_string());
    ps
}

/// A stream presence as `stream_user_list` answers it (without `node`).
fn listing(user: &User, session_id: &str, persistence: bool, status: &str) -> Value {
    json!({
        "user_id": user.user_id, "session_id": session_id, "username": user.username,
        "hidden": false, "persistence": persistence, "status": status, "reason": 1,
    })
}

/// A session and refresh token of custom id `id`, over HTTP.
fn login(port: u16, id: &str, username: &str) -> (String, String) {
    let r = request(
        port,
        "POST",
        &format!("/v2/account/authenticate/custom?create=true&username={username}"),
        &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
        Some(json!({ "id": id }).to_string().as_bytes()),
    )
    .expect("authenticate");
    assert_eq!(r.status, 200, "{}", r.text());
    let b = r.json();
    (
        b["token"].as_str().unwrap().to_string(),
        b["refresh_token"].as_str().unwrap().to_string(),
    )
}

/// The status of `GET /v2/account` with `token`.
fn account_status(port: u16, token: &str) -> u16 {
    request(
        port,
        "GET",
        "/v2/account",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    )
    .expect("account")
    .status
}

/// fixture-nk's `nk_streams`: a module's stream, its presences, data,
/// updates, leaves, kicks and close; refusals; a session disconnected;
/// logouts. `exact`: see `realtime::assert_closed_for` (Nakama sometimes
/// drops the socket it disconnects without the close frame).
pub fn check_nk_streams(port: u16, exact: bool) {
    let suffix = crate::run_suffix();
    // (Dan logs in again below with the same id.)
    let user = |name: &str| {
        User::new(
            port,
            &format!("streams-{name}-{suffix}"),
            &format!("s{name}{suffix}"),
        )
    };
    let (ann, ben, cat) = (user("ann"), user("ben"), user("cat"));
    let (mut a, mut b, mut c) = (
        Socket::open(port, &ann),
        Socket::open(port, &ben),
        Socket::open(port, &cat),
    );
    let lobby = custom(&format!("lobby-{suffix}"));

    // Ann joins: a join event to everyone on the stream, herself included.
    let r = nk(&mut a, json!({"call": "join", "stream": lobby}));
    assert_eq!(r["ok"], true, "{r}");
    let sa = r["session_id"].as_str().unwrap().to_string();
    wait_exact(
        &mut a,
        &presence_event(&lobby, vec![presence(&ann, &sa, false)], vec![]),
    );
    // A second join changes nothing.
    assert_eq!(
        ok(
            &mut a,
            json!({"call": "join", "stream": lobby, "status": "x"})
        ),
        false
    );
    // Ben joins with persistence and a status; Cat hidden.
    let r = nk(
        &mut b,
        json!({"call": "join", "stream": lobby, "persistence": true, "status": "ready"}),
    );
    assert_eq!(r["ok"], true, "{r}");
    let sb = r["session_id"].as_str().unwrap().to_string();
    let ben_joins = presence_event(&lobby, vec![presence(&ben, &sb, true)], vec![]);
    wait_exact(&mut a, &ben_joins);
    wait_exact(&mut b, &ben_joins);
    let r = nk(
        &mut c,
        json!({"call": "join", "stream": lobby, "hidden": true}),
    );
    assert_eq!(r["ok"], true, "{r}");
    let sc = r["session_id"].as_str().unwrap().to_string();

    // Listings, counts and single presences.
    let visible = ok(
        &mut a,
        json!({"call": "list", "stream": lobby, "include_hidden": false, "include_not_hidden": true}),
    );
    let mut want = vec![
        listing(&ann, &sa, false, ""),
        listing(&ben, &sb, true, "ready"),
    ];
    want.sort_by_key(|p| p["session_id"].as_str().unwrap().to_string());
    assert_eq!(listed(&visible), want);
    let hidden = ok(
        &mut a,
        json!({"call": "list", "stream": lobby, "include_hidden": true, "include_not_hidden": false}),
    );
    let mut cat_listed = listing(&cat, &sc, false, "");
    cat_listed["hidden"] = true.into();
    assert_eq!(listed(&hidden), vec![cat_listed.clone()]);
    let none = ok(
        &mut a,
        json!({"call": "list", "stream": lobby, "include_hidden": false, "include_not_hidden": false}),
    );
    assert_eq!(none, json!([]));
    assert_eq!(ok(&mut a, json!({"call": "count", "stream": lobby})), 3);
    assert_eq!(
        ok(
            &mut a,
            json!({"call": "get", "stream": lobby, "user_id": ben.user_id, "session_id": sb})
        ),
        json!({"username": ben.username, "hidden": false, "persistence": true, "status": "ready", "reason": 1})
    );
    // The user and session must both match.
    assert_eq!(
        ok(
            &mut a,
            json!({"call": "get", "stream": lobby, "user_id": ann.user_id, "session_id": sb})
        ),
        Value::Null
    );
    assert_eq!(
        ok(
            &mut a,
            json!({"call": "count", "stream": custom("nobody-here")})
        ),
        0
    );

    // Data: to the whole stream (no sender), then to one session.
    ok(
        &mut a,
        json!({"call": "send", "stream": lobby, "data": "hello", "reliable": true}),
    );
    let hello = json!({"stream_data": {"stream": lobby, "data": "hello", "reliable": true}});
    for s in [&mut a, &mut b, &mut c] {
        wait_exact(s, &hello);
    }
    ok(
        &mut a,
        json!({"call": "send", "stream": lobby, "data": "psst", "presences": [{"session_id": sb}]}),
    );
    let psst = json!({"stream_data": {"stream": lobby, "data": "psst"}});
    wait_exact(&mut b, &psst);
    // A message of the module's own making, as it made it.
    let raw = json!({"stream_data": {
        "stream": lobby,
        "sender": presence(&ann, &sa, false),
        "data": "raw",
    }});
    ok(
        &mut a,
        json!({"call": "send_raw", "stream": lobby, "envelope": raw}),
    );
    for s in [&mut a, &mut b, &mut c] {
        wait_exact(s, &raw);
    }
    // Read as an envelope and written back: unknown fields dropped, names
    // in proto form, int64 as strings.
    ok(
        &mut a,
        json!({"call": "send_raw", "stream": lobby, "presences": [{"session_id": sa}],
            "envelope": {"matchData": {"matchId": "m.", "opCode": 3, "extra": true}}}),
    );
    wait_exact(
        &mut a,
        &json!({"match_data": {"match_id": "m.", "op_code": "3"}}),
    );
    assert!(
        !a.waiting().any(|e| e == &psst),
        "only Ben was sent psst: {:?}",
        a.waiting().collect::<Vec<_>>()
    );

    // An update: the old presence leaves and the new one joins, in one event.
    ok(
        &mut b,
        json!({"call": "update", "stream": lobby, "status": "away"}),
    );
    let ben_updates = presence_event(
        &lobby,
        vec![presence(&ben, &sb, false)],
        vec![presence(&ben, &sb, true)],
    );
    wait_exact(&mut a, &ben_updates);
    wait_exact(&mut b, &ben_updates);
    assert_eq!(
        ok(
            &mut a,
            json!({"call": "get", "stream": lobby, "user_id": ben.user_id, "session_id": sb})
        ),
        json!({"username": ben.username, "hidden": false, "persistence": false, "status": "away", "reason": 2})
    );

    // Ann takes Ben off; she kicks Cat (hidden: nobody is told).
    ok(
        &mut a,
        json!({"call": "leave", "stream": lobby, "user_id": ben.user_id, "session_id": sb}),
    );
    wait_exact(
        &mut a,
        &presence_event(&lobby, vec![], vec![presence(&ben, &sb, false)]),
    );
    let mut kicked = cat_listed.clone();
    kicked["node"] = "any".into();
    ok(
        &mut a,
        json!({"call": "kick", "stream": lobby, "presence": kicked}),
    );
    assert_eq!(ok(&mut a, json!({"call": "count", "stream": lobby})), 1);
    // Leaving a stream one is not on is no matter.
    ok(&mut b, json!({"call": "leave", "stream": lobby}));

    // Closing: everyone off at once, without events; data then reaches nobody.
    ok(&mut b, json!({"call": "join", "stream": lobby}));
    wait_exact(
        &mut a,
        &presence_event(&lobby, vec![presence(&ben, &sb, false)], vec![]),
    );
    ok(&mut a, json!({"call": "close", "stream": lobby}));
    assert_eq!(ok(&mut a, json!({"call": "count", "stream": lobby})), 0);
    ok(
        &mut a,
        json!({"call": "send", "stream": lobby, "data": "gone"}),
    );
    ok(
        &mut a,
        json!({"call": "send", "stream": lobby, "data": "direct", "presences": [{"session_id": sa}]}),
    );
    wait_exact(
        &mut a,
        &json!({"stream_data": {"stream": lobby, "data": "direct"}}),
    );
    // Ben's socket has the whole session's pushes in order: the close
    // left nothing for him (his `direct` copy would come after `gone`).
    ok(
        &mut a,
        json!({"call": "send", "stream": lobby, "data": "direct", "presences": [{"session_id": sb}]}),
    );
    wait_exact(
        &mut b,
        &json!({"stream_data": {"stream": lobby, "data": "direct"}}),
    );
    for s in [&a, &b] {
        assert!(
            !s.waiting().any(|e| e["stream_data"]["data"] == "gone"),
            "{:?}",
            s.waiting().collect::<Vec<_>>()
        );
    }
    for s in [&a, &b, &c] {
        assert!(!told_of(s, &sc), "Cat was hidden");
    }

    // A stream with a subject and subcontext.
    let (subject, subcontext) = (ann.user_id.clone(), ben.user_id.clone());
    let pair = json!({"mode": 101, "subject": subject, "subcontext": subcontext, "label": "pair"});
    ok(&mut a, json!({"call": "join", "stream": pair}));
    wait_exact(
        &mut a,
        &presence_event(&pair, vec![presence(&ann, &sa, false)], vec![]),
    );

    // Nakama's own streams: a user's sockets are on its notification
    // stream (mode 0, hidden); a chat room's members on its stream.
    let notifications = json!({"mode": 0, "subject": ann.user_id});
    assert_eq!(
        ok(&mut a, json!({"call": "count", "stream": notifications})),
        1
    );
    let mut ann_hidden = listing(&ann, &sa, false, "");
    ann_hidden["hidden"] = true.into();
    assert_eq!(
        listed(&ok(
            &mut a,
            json!({"call": "list", "stream": notifications, "include_hidden": true, "include_not_hidden": true})
        )),
        vec![ann_hidden]
    );
    let room_name = format!("room-{suffix}");
    let room = json!({"mode": 2, "label": room_name});
    for s in [&mut a, &mut b] {
        let r = s.call(json!({"channel_join": {"target": room_name, "type": 1}}));
        assert!(r["channel"].is_object(), "{r}");
    }
    let mut want = vec![listing(&ann, &sa, true, ""), listing(&ben, &sb, true, "")];
    want.sort_by_key(|p| p["session_id"].as_str().unwrap().to_string());
    assert_eq!(
        listed(&ok(
            &mut a,
            json!({"call": "list", "stream": room, "include_hidden": false, "include_not_hidden": true})
        )),
        want
    );
    // Kicked off the room's stream, Ben is out of the room: Ann is told.
    ok(
        &mut a,
        json!({"call": "kick", "stream": room, "presence": {"user_id": ben.user_id, "session_id": sb}}),
    );
    a.wait_for("Ben leaving the room", |e| {
        let e = &e["channel_presence_event"];
        e["room_name"] == room_name.as_str() && e["leaves"][0]["session_id"] == sb.as_str()
    });
    assert_eq!(ok(&mut a, json!({"call": "count", "stream": room})), 1);
    ok(&mut a, json!({"call": "close", "stream": room}));
    assert_eq!(ok(&mut a, json!({"call": "count", "stream": room})), 0);

    // Refusals.
    let refusals = [
        (
            json!({"call": "count", "stream": {"mode": 100, "subject": "nope"}}),
            "stream subject must be a valid identifier",
        ),
        (
            json!({"call": "list", "stream": {"mode": 100, "subcontext": "nope"}, "include_hidden": true, "include_not_hidden": true}),
            "stream subcontext must be a valid identifier",
        ),
        (
            json!({"call": "join", "stream": lobby, "user_id": "nope"}),
            "expects valid user id",
        ),
        (
            json!({"call": "join", "stream": {"mode": 100, "subject": "nope"}, "session_id": "nope"}),
            "expects valid session id",
        ),
        (
            json!({"call": "get", "stream": {"mode": 100, "subject": "nope"}}),
            "stream subject must be a valid identifier",
        ),
        (
            json!({"call": "send", "stream": lobby, "data": "x", "presences": [{"session_id": "nope"}]}),
            "expects each presence session id to be a valid identifier",
        ),
        // An envelope that does not read as rtapi's: a wrong type, two
        // messages, not an object.
        (
            json!({"call": "send_raw", "stream": lobby, "envelope": {"stream_data": {"data": 5}}}),
            "expects a valid message",
        ),
        (
            json!({"call": "send_raw", "stream": lobby, "envelope": {"ping": {}, "pong": {}}}),
            "expects a valid message",
        ),
        (
            json!({"call": "send_raw", "stream": lobby, "envelope": "text"}),
            "expects a valid message",
        ),
        (
            json!({"call": "disconnect", "session_id": "nope"}),
            "expects valid session id",
        ),
        (
            json!({"call": "logout", "user_id": "nope"}),
            "expects valid user id",
        ),
    ];
    for (call, message) in refusals {
        assert_eq!(
            refused(&mut a, call.clone()),
            (3, message.to_string()),
            "{call}"
        );
    }

    // A session disconnected: its socket closes, and it leaves its streams.
    ok(&mut b, json!({"call": "join", "stream": pair}));
    ok(&mut c, json!({"call": "join", "stream": pair}));
    wait_exact(
        &mut b,
        &presence_event(&pair, vec![presence(&cat, &sc, false)], vec![]),
    );
    let before = ok(&mut a, json!({"call": "count", "stream": pair})).as_u64();
    ok(
        &mut a,
        json!({"call": "disconnect", "session_id": sc, "reason": 4}),
    );
    // Gone from the stream when the call returns (Nakama's session close
    // leaves everything within it), before its client has read the close.
    let after = ok(&mut a, json!({"call": "count", "stream": pair})).as_u64();
    assert_eq!(after, before.map(|n| n - 1), "presences on the stream");
    let (closed, _) = c.wait_closed();
    crate::realtime::assert_closed_for(&closed, "server-side session disconnect", exact);
    wait_exact(
        &mut b,
        &presence_event(&pair, vec![], vec![presence(&cat, &sc, false)]),
    );
    // Its id now names no session of this node.
    assert_eq!(
        refused(
            &mut a,
            json!({"call": "join", "stream": pair, "user_id": cat.user_id, "session_id": sc})
        ),
        (5, "session not found".to_string())
    );
    // A session id of no node's (Nakama's end with their node's hash).
    let elsewhere = "6f2d3a4b-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
    for call in ["join", "update", "leave"] {
        assert_eq!(
            refused(
                &mut a,
                json!({"call": call, "stream": pair, "session_id": elsewhere})
            ),
            (5, "node not found".to_string()),
            "{call}"
        );
    }
    // Leaving with a gone session of this node is no matter.
    ok(
        &mut a,
        json!({"call": "leave", "stream": pair, "user_id": cat.user_id, "session_id": sc}),
    );
    // Disconnecting it again is no matter.
    ok(&mut a, json!({"call": "disconnect", "session_id": sc}));

    // Logouts: one token, then all of a user's (those issued in earlier
    // seconds: Nakama keeps the second of the logout).
    let (dan_token, dan_refresh) = login(
        port,
        &format!("streams-dan-{suffix}"),
        &format!("sdan{suffix}"),
    );
    let dan = user("dan");
    assert_eq!(
        refused(
            &mut a,
            json!({"call": "logout", "user_id": dan.user_id, "token": ann.token})
        ),
        (3, "session token invalid".to_string())
    );
    assert_eq!(
        refused(
            &mut a,
            json!({"call": "logout", "user_id": dan.user_id, "refresh_token": "x.y.z"})
        ),
        (3, "refresh token invalid".to_string())
    );
    ok(
        &mut a,
        json!({"call": "logout", "user_id": dan.user_id, "token": dan_token, "refresh_token": dan_refresh}),
    );
    assert_eq!(account_status(port, &dan_token), 401);
    assert_eq!(
        account_status(port, &dan.token),
        200,
        "another session lives on"
    );
    std::thread::sleep(Duration::from_millis(1100));
    ok(&mut a, json!({"call": "logout", "user_id": dan.user_id}));
    assert_eq!(account_status(port, &dan.token), 401);
    // Open sockets stay open.
    assert_eq!(ok(&mut a, json!({"call": "count", "stream": pair})), 2);
    a.close();
    b.close();
}

/// Whether presence event `ev` (of a match or a party, whose id is at
/// `id_key`) tells of `session`'s leave from `id`.
fn leave_of(ev: &Value, id_key: &str, id: &str, session: &str) -> bool {
    ev[id_key] == id
        && ev["leaves"]
            .as_array()
            .is_some_and(|l| l.iter().any(|p| p["session_id"] == session))
}

/// Nakama's own streams of user status (mode 1), relayed matches (5),
/// authoritative matches (6) and parties (7): the sockets Nakama's tracker
/// puts there are listed, counted and got by the stream functions. A
/// match's and a party's streams are labelled with the node, as their ids
/// are (`<uuid>.<node>`); a relayed match's has no label. A module's
/// `stream_user_leave` / `_kick` there takes the presence out of the
/// match or party, as its own leave would.
pub fn check_host_streams(port: u16) {
    let suffix = crate::run_suffix();
    let user = |name: &str| User::fresh(port, "hs", name);
    let (ann, ben) = (user("ann"), user("ben"));
    let (mut a, mut b) = (Socket::open(port, &ann), Socket::open(port, &ben));
    let none = custom(&format!("none-{suffix}"));
    let session = |s: &mut Socket| {
        let r = nk(s, json!({"call": "count", "stream": none}));
        r["session_id"].as_str().unwrap().to_string()
    };
    let (sa, sb) = (session(&mut a), session(&mut b));
    let list = |s: &mut Socket, stream: &Value| {
        listed(&ok(
            s,
            json!({"call": "list", "stream": stream, "include_hidden": true, "include_not_hidden": true}),
        ))
    };
    let both = {
        let mut v = vec![listing(&ann, &sa, false, ""), listing(&ben, &sb, false, "")];
        v.sort_by_key(|p| p["session_id"].as_str().unwrap_or("").to_string());
        v
    };

    // Status: the sockets opened with status=true.
    let status = json!({"mode": 1, "subject": ann.user_id});
    assert_eq!(list(&mut b, &status), vec![listing(&ann, &sa, false, "")]);
    assert_eq!(count(&mut b, &status), 1);
    let r = a.call(json!({"status_update": {"status": "busy"}}));
    assert!(r.get("error").is_none(), "{r}");
    let mut updated = listing(&ann, &sa, false, "busy");
    updated["reason"] = 2.into();
    assert_eq!(list(&mut b, &status), vec![updated]);

    // A relayed match: whoever created or joined it.
    let r = a.call(json!({"match_create": {}}));
    let id = r["match"]["match_id"].as_str().unwrap().to_string();
    let r = b.call(json!({"match_join": {"match_id": id}}));
    assert!(r["match"].is_object(), "{r}");
    let relayed = json!({"mode": 5, "subject": id.trim_end_matches('.')});
    assert_eq!(list(&mut a, &relayed), both);
    assert_eq!(count(&mut a, &relayed), 2);
    let got = ok(
        &mut a,
        json!({"call": "get", "stream": relayed, "user_id": ben.user_id, "session_id": sb}),
    );
    assert_eq!(got["username"], ben.username.as_str(), "{got}");
    assert_eq!(got["reason"], 1, "{got}");
    // A module taking Ben off its stream takes him out of the match: Ann
    // is told, as if he had left it himself.
    ok(
        &mut a,
        json!({"call": "leave", "stream": relayed, "user_id": ben.user_id, "session_id": sb}),
    );
    a.wait_for("ben's leave from the relayed match", |e| {
        leave_of(&e["match_presence_event"], "match_id", &id, &sb)
    });
    assert_eq!(list(&mut a, &relayed), vec![listing(&ann, &sa, false, "")]);

    // An authoritative match: those it accepted, on its node's label.
    let (_, authoritative) = join_new_match(&mut a);
    count_comes_to(&mut b, &authoritative, 1, "ann in the authoritative match");
    let uuid = authoritative["subject"].clone();
    assert_eq!(
        list(&mut b, &authoritative),
        vec![listing(&ann, &sa, false, "")]
    );
    assert_eq!(count(&mut b, &json!({"mode": 6, "subject": uuid})), 0);

    // A party: its members.
    let (id, party) = party_of_two(&mut a, &mut b);
    assert_eq!(list(&mut a, &party), both);
    // Kicking Ann, the leader, off the party's stream takes her out of
    // the party: Ben is told and leads it.
    ok(
        &mut b,
        json!({"call": "kick", "stream": party, "presence": {"user_id": ann.user_id, "session_id": sa}}),
    );
    b.wait_for("ann's leave from the party", |e| {
        leave_of(&e["party_presence_event"], "party_id", &id, &sa)
    });
    b.wait_for("ben leads the party", |e| {
        e["party_leader"]["presence"]["session_id"] == sb.as_str()
    });
    assert_eq!(list(&mut b, &party), vec![listing(&ben, &sb, false, "")]);
    // The party closed, Ann asks to join it: Ben gets her request.
    let r = b.call(json!({"party_update": {"party_id": id, "label": "", "open": false}}));
    assert!(r.get("error").is_none(), "{r}");
    let r = a.call(json!({"party_join": {"party_id": id}}));
    assert!(r.get("error").is_none(), "{r}");
    b.wait_for("ann's join request", |e| {
        e["party_join_request"]["party_id"] == id.as_str() && e.get("cid").is_none()
    });
    // A module putting Ann back on the party's stream makes her a member
    // again, without the request accepted: she gets the party, Ben her join.
    let r = nk(&mut a, json!({"call": "join", "stream": party}));
    assert_eq!(r["ok"], true, "{r}");
    // (Her first `party`, from its creation, may still be waiting.)
    let welcome = a.wait_for("the party again, for ann", |e| {
        e["party"]["party_id"] == id.as_str()
            && e["party"]["presences"].as_array().map(Vec::len) == Some(2)
    });
    let party_of = &welcome["party"];
    assert_eq!(party_of["leader"]["session_id"], sb.as_str(), "{welcome}");
    let members: Vec<&str> = (party_of["presences"].as_array().unwrap().iter())
        .filter_map(|p| p["session_id"].as_str())
        .collect();
    assert_eq!(members, [sb.as_str(), sa.as_str()], "{welcome}");
    b.wait_for("ann's join to the party", |e| {
        (e["party_presence_event"]["joins"].as_array())
            .is_some_and(|j| j.iter().any(|p| p["session_id"] == sa.as_str()))
    });
    assert_eq!(list(&mut b, &party), both);
    // Her request stands (Nakama's party handler keeps it); accepting it
    // only drops it: she is a member once, and no one is told.
    let requests = |b: &mut Socket| {
        let r = b.call(json!({"party_join_request_list": {"party_id": id}}));
        (r["party_join_request"]["presences"]
            .as_array()
            .into_iter()
            .flatten())
        .filter_map(|p| p["session_id"].as_str().map(str::to_owned))
        .collect::<Vec<_>>()
    };
    assert_eq!(requests(&mut b), [sa.as_str()]);
    // What a socket got about the party once quiet (Nakama's tracker sends
    // presence events from a goroutine of its own).
    let party_news = |s: &mut Socket| {
        let got = settle(std::slice::from_mut(s), Duration::from_millis(200)).remove(0);
        (got.into_iter())
            .filter(|e| e.get("party").is_some() || e.get("party_presence_event").is_some())
            .collect::<Vec<_>>()
    };
    // Read past what came before the accept: only the accept's news count.
    for s in [&mut a, &mut b] {
        party_news(s);
    }
    let ann_presence = json!({"user_id": ann.user_id, "session_id": sa, "username": ann.username});
    let r = b.call(json!({"party_accept": {"party_id": id, "presence": ann_presence}}));
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(requests(&mut b), Vec::<String>::new());
    assert_eq!(list(&mut b, &party), both);
    for s in [&mut a, &mut b] {
        assert_eq!(party_news(s), Vec::<Value>::new());
    }
    // Taking Ann's presence off her status stream takes her offline: Ben,
    // who follows her, is told.
    let r = b.call(json!({"status_follow": {"user_ids": [ann.user_id]}}));
    assert!(r["status"].is_object(), "{r}");
    ok(
        &mut b,
        json!({"call": "leave", "stream": status, "user_id": ann.user_id, "session_id": sa}),
    );
    b.wait_for("ann's status leave", |e| {
        (e["status_presence_event"]["leaves"].as_array())
            .is_some_and(|l| l.iter().any(|p| p["session_id"] == sa.as_str()))
    });
    assert_eq!(list(&mut b, &status), Vec::<Value>::new());
    // A module putting her back on it, with a status, takes her online
    // again: Ben is told, status and all.
    let r = nk(
        &mut a,
        json!({"call": "join", "stream": status, "status": "back"}),
    );
    assert_eq!(r["ok"], true, "{r}");
    b.wait_for("ann's status join", |e| {
        (e["status_presence_event"]["joins"].as_array()).is_some_and(|j| {
            j.iter()
                .any(|p| p["session_id"] == sa.as_str() && p["status"] == "back")
        })
    });
    let listed: Vec<Value> = list(&mut b, &status);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (&listed[0]["session_id"], &listed[0]["status"]),
        (&json!(sa), &json!("back")),
        "{listed:?}"
    );
    a.close();
    b.close();
}

/// `stream_send` and `stream_send_raw` to Nakama's own streams reach
/// whoever its tracker has there, as to a module's own: a user's sockets
/// (its notification stream, mode 0; its status stream, mode 1, for a
/// socket opened with `status=true`), a chat room's members (2), a
/// relayed match's (5), an authoritative match's (6) and a party's (7),
/// and no one else. A module's `stream_user_join` of a presence the
/// tracker has there already changes nothing (it answers `false`).
pub fn check_sends_to_host_streams(port: u16) {
    let suffix = crate::run_suffix();
    let user = |name: &str| User::fresh(port, "ss", name);
    let (ann, ben, cat) = (user("ann"), user("ben"), user("cat"));
    let (mut a, mut b, mut c) = (
        Socket::open(port, &ann),
        Socket::open(port, &ben),
        Socket::open(port, &cat),
    );

    // A user's own streams: Ann's sockets, not Ben's.
    let notifications = json!({"mode": 0, "subject": ann.user_id});
    again_then_send(&mut a, &mut c, &mut [], &notifications, "n".into());
    let status = json!({"mode": 1, "subject": ann.user_id});
    let raw = json!({"stream_data": {"stream": status, "data": "s"}});
    again_then_send(&mut a, &mut c, &mut [], &status, raw);

    // A chat room's members.
    let room_name = format!("sends-{suffix}");
    for s in [&mut a, &mut b] {
        let r = s.call(json!({"channel_join": {"target": room_name, "type": 1}}));
        assert!(r["channel"].is_object(), "{r}");
    }
    let room = json!({"mode": 2, "label": room_name});
    again_then_send(&mut a, &mut c, &mut [&mut b], &room, "c".into());

    // A relayed match's.
    let r = a.call(json!({"match_create": {}}));
    let id = r["match"]["match_id"].as_str().unwrap().to_string();
    let r = b.call(json!({"match_join": {"match_id": id}}));
    assert!(r["match"].is_object(), "{r}");
    let relayed = json!({"mode": 5, "subject": id.trim_end_matches('.')});
    again_then_send(&mut a, &mut c, &mut [&mut b], &relayed, "r".into());

    // An authoritative match's, once it has Ann.
    let (_, authoritative) = join_new_match(&mut a);
    count_comes_to(&mut c, &authoritative, 1, "ann in the authoritative match");
    again_then_send(&mut a, &mut c, &mut [], &authoritative, "m".into());

    // A party's.
    let (_, party) = party_of_two(&mut a, &mut b);
    again_then_send(&mut a, &mut c, &mut [&mut b], &party, "p".into());

    // Nothing more: each got each once (the joins again added no one),
    // Ben none of Ann's own, and Cat, on none of these streams, nothing;
    // nor were stream presence events sent for those joins.
    let mut sockets = [a, b, c];
    let heard = settle(&mut sockets, Duration::from_millis(300));
    for (name, heard) in ["ann", "ben", "cat"].iter().zip(&heard) {
        let data: Vec<&Value> = (heard.iter())
            .filter(|e| e.get("stream_data").is_some() || e.get("stream_presence_event").is_some())
            .collect();
        assert!(data.is_empty(), "{name} also got {data:?}");
    }
    for s in sockets {
        s.close();
    }
}

/// A module's `stream_user_join` on a chat channel's or a relayed
/// match's stream makes the session one of its members, as Nakama's
/// tracker has them all on the stream: the others are told, it gets the
/// channel's messages and the match's data, and sends its own; a
/// relayed match a module put someone on can be joined. Its leave takes
/// it out.
pub fn check_module_members_of_host_streams(port: u16) {
    let suffix = crate::run_suffix();
    let user = |name: &str| User::fresh(port, "mm", name);
    let (ann, ben, cat) = (user("ann"), user("ben"), user("cat"));
    let (mut a, mut b, mut c) = (
        Socket::open(port, &ann),
        Socket::open(port, &ben),
        Socket::open(port, &cat),
    );
    let sc = nk(&mut c, json!({"call": "count", "stream": custom("none")}));
    let sc = sc["session_id"].as_str().unwrap().to_string();
    let names = |e: &Value, list: &str| {
        (e[list].as_array()).is_some_and(|l| l.iter().any(|p| p["session_id"] == sc.as_str()))
    };

    // A chat room Ann is in.
    let room_name = format!("members-{suffix}");
    let r = a.call(json!({"channel_join": {"target": room_name, "type": 1}}));
    let channel_id = r["channel"]["id"].as_str().unwrap().to_string();
    let room = json!({"mode": 2, "label": room_name});
    let joined = ok(
        &mut c,
        json!({"call": "join", "stream": room, "persistence": true}),
    );
    assert_eq!(joined, true);
    let e = a.wait_for("cat's join", |e| {
        names(&e["channel_presence_event"], "joins")
    });
    assert_eq!(
        e["channel_presence_event"]["joins"][0]["persistence"], true,
        "{e}"
    );
    let hi = r#"{"hi":"cat"}"#;
    let r = a.call(json!({"channel_message_send": {"channel_id": channel_id, "content": hi}}));
    assert!(r["channel_message_ack"].is_object(), "{r}");
    c.wait_for("ann's message", |e| e["channel_message"]["content"] == hi);
    let back = r#"{"hi":"ann"}"#;
    let r = c.call(json!({"channel_message_send": {"channel_id": channel_id, "content": back}}));
    assert!(r["channel_message_ack"].is_object(), "{r}");
    a.wait_for("cat's message", |e| e["channel_message"]["content"] == back);
    ok(&mut c, json!({"call": "leave", "stream": room}));
    a.wait_for("cat's leave", |e| {
        names(&e["channel_presence_event"], "leaves")
    });

    // A relayed match Ann made.
    let r = a.call(json!({"match_create": {}}));
    let id = r["match"]["match_id"].as_str().unwrap().to_string();
    let relayed = json!({"mode": 5, "subject": id.trim_end_matches('.')});
    assert_eq!(ok(&mut c, json!({"call": "join", "stream": relayed})), true);
    a.wait_for("cat's join", |e| names(&e["match_presence_event"], "joins"));
    a.send(&json!({"match_data_send": {"match_id": id, "op_code": 1, "data": "aGk="}}));
    c.wait_for("ann's data", |e| e["match_data"]["data"] == "aGk=");
    c.send(&json!({"match_data_send": {"match_id": id, "op_code": 2, "data": "eW8="}}));
    a.wait_for("cat's data", |e| e["match_data"]["data"] == "eW8=");
    let r = b.call(json!({"match_join": {"match_id": id}}));
    let mut presences: Vec<String> = (r["match"]["presences"].as_array())
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|p| p["user_id"].as_str().unwrap().to_string())
        .collect();
    presences.sort();
    let mut want = vec![ann.user_id.clone(), cat.user_id.clone()];
    want.sort();
    assert_eq!(presences, want, "{r}");
    ok(&mut c, json!({"call": "leave", "stream": relayed}));
    for s in [&mut a, &mut b] {
        s.wait_for("cat's leave", |e| {
            names(&e["match_presence_event"], "leaves")
        });
    }

    // A relayed match no client made: a module put Cat on its stream.
    let made = json!({"mode": 5, "subject": ben.user_id});
    assert_eq!(ok(&mut c, json!({"call": "join", "stream": made})), true);
    let r = b.call(json!({"match_join": {"match_id": format!("{}.", ben.user_id)}}));
    assert_eq!(r["match"]["presences"][0]["session_id"], sc.as_str(), "{r}");
    for s in [a, b, c] {
        s.close();
    }
}

/// Ann (`a`), on `stream` already, put there again by a module: that
/// changes nothing (`false`). Then Cat's module (`c`) sends `data` there
/// (a text; an object is sent as a raw envelope), which Ann and
/// `others` get.
fn again_then_send(
    a: &mut Socket,
    c: &mut Socket,
    others: &mut [&mut Socket],
    stream: &Value,
    data: Value,
) {
    let joined = ok(a, json!({"call": "join", "stream": stream}));
    assert_eq!(joined, false, "{stream}");
    let (call, data) = if data.is_object() {
        let text = data["stream_data"]["data"].clone();
        (
            json!({"call": "send_raw", "stream": stream, "envelope": data}),
            text,
        )
    } else {
        (
            json!({"call": "send", "stream": stream, "data": data}),
            data,
        )
    };
    ok(c, call);
    for s in std::iter::once(a).chain(others.iter_mut().map(|s| &mut **s)) {
        s.wait_for(&format!("{data} on {stream}"), |e| {
            e["stream_data"]["data"] == data
        });
    }
}

/// A match fixture-nk's module made, which the socket joins: its id and
/// stream (an authoritative match's, labelled with its node).
fn join_new_match(s: &mut Socket) -> (String, Value) {
    let id = ok(s, json!({"call": "create_match"}));
    let id = id.as_str().unwrap().to_string();
    let r = s.call(json!({"match_join": {"match_id": id}}));
    assert!(r["match"].is_object(), "{r}");
    let (uuid, node) = id.split_once('.').unwrap();
    let stream = json!({"mode": 6, "subject": uuid, "label": node});
    (id, stream)
}

/// A party `a` makes and `b` joins, both on its stream once this
/// answers: its id and stream (labelled with its node).
fn party_of_two(a: &mut Socket, b: &mut Socket) -> (String, Value) {
    let r = a.call(json!({"party_create": {"open": true, "max_size": 4}}));
    let id = r["party"]["party_id"].as_str().unwrap().to_string();
    let r = b.call(json!({"party_join": {"party_id": id}}));
    assert!(r.get("error").is_none(), "{r}");
    let (uuid, node) = id.split_once('.').unwrap();
    let stream = json!({"mode": 7, "subject": uuid, "label": node});
    count_comes_to(a, &stream, 2, "both on the party stream");
    (id, stream)
}

/// The number of presences on `stream`, as `nk.stream_count` answers.
fn count(s: &mut Socket, stream: &Value) -> Value {
    ok(s, json!({"call": "count", "stream": stream}))
}

/// Waits until `stream` has `n` presences (`what` names the wait).
fn count_comes_to(s: &mut Socket, stream: &Value, n: u64, what: &str) {
    crate::eventually(what, || match count(s, stream).as_u64() {
        Some(c) if c == n => Ok(()),
        c => Err(format!("count {c:?}")),
    });
}

/// `session.single_match` (the host started with it and
/// `session.single_socket`): a session joining a match leaves the others
/// it was in, as if it had left them itself, and the other match streams
/// a module put it on; creating a relayed match does not (Nakama applies
/// it in `match_join` only).
pub fn check_single_match(port: u16) {
    let user = |name: &str| User::fresh(port, "sm", name);
    let (ann, ben) = (user("ann"), user("ben"));
    let (mut a, mut b) = (Socket::open(port, &ann), Socket::open(port, &ben));

    // Ann in an authoritative match.
    let (id, authoritative) = join_new_match(&mut a);
    let node = authoritative["label"].clone();
    count_comes_to(&mut b, &authoritative, 1, "ann in the authoritative match");

    // Creating a relayed match keeps her in it.
    let r = a.call(json!({"match_create": {}}));
    let own = r["match"]["match_id"].as_str().unwrap().to_string();
    let own_stream = json!({"mode": 5, "subject": own.trim_end_matches('.')});
    count_comes_to(&mut b, &own_stream, 1, "ann in the match she created");
    assert_eq!(count(&mut b, &authoritative), 1);

    // A module puts her on the streams of matches there are not.
    let nowhere = [
        json!({"mode": 5, "subject": ben.user_id}),
        json!({"mode": 6, "subject": ben.user_id, "label": node}),
    ];
    for stream in &nowhere {
        assert_eq!(ok(&mut a, json!({"call": "join", "stream": stream})), true);
    }

    // Joining Ben's relayed match takes her out of all of them.
    let r = b.call(json!({"match_create": {}}));
    let bens = r["match"]["match_id"].as_str().unwrap().to_string();
    let r = a.call(json!({"match_join": {"match_id": bens}}));
    assert!(r["match"].is_object(), "{r}");
    count_comes_to(
        &mut b,
        &authoritative,
        0,
        "ann out of the authoritative match",
    );
    count_comes_to(&mut b, &own_stream, 0, "ann out of the match she created");
    for stream in &nowhere {
        count_comes_to(
            &mut b,
            stream,
            0,
            "ann off a match stream a module put her on",
        );
    }
    let bens_stream = json!({"mode": 5, "subject": bens.trim_end_matches('.')});
    assert_eq!(count(&mut b, &bens_stream), 2);

    // Joining the authoritative match again takes her out of Ben's: he
    // is told.
    let r = a.call(json!({"match_join": {"match_id": id}}));
    assert!(r["match"].is_object(), "{r}");
    let sa = r["match"]["self"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    b.wait_for("ann's leave from ben's match", |e| {
        leave_of(&e["match_presence_event"], "match_id", &bens, &sa)
    });
    count_comes_to(&mut b, &bens_stream, 1, "only ben in his match");
    count_comes_to(
        &mut b,
        &authoritative,
        1,
        "ann back in the authoritative match",
    );
    a.close();
    b.close();
}
