//! Users' status as Nakama 3.40.0 serves it (server/pipeline_status.go,
//! status_registry.go, the tracker's status streams, socket_ws.go): a
//! socket opened with `status=true` has a status presence, which its own
//! user's sockets (they follow their user from the start) and the
//! followers hear of; `status_follow` answers the followed users' status
//! presences; `status_update` changes the status (a leave of the old
//! presence and a join of the new one, in one event) or, without one,
//! removes the presence; `status_unfollow` stops the events; a closing
//! socket's presence leaves; the refusals; and the `online` flag of users
//! and accounts, over HTTP and in the nk functions of
//! `fixtures/fixture-nk` (its RPC `nk_online`).
//!
//! As in [`crate::realtime`], only what Nakama's source says is asserted:
//! events go through the tracker's and the status registry's queues, each
//! read by one goroutine in order, so they are waited for, never ordered
//! against answers, but two events about the same follower come in the
//! order they were caused; the online flag is kept by that goroutine too,
//! so it is waited for.

use serde_json::{json, Value};

use crate::http::request;
use crate::realtime::{error_of, Socket, User};

/// A status presence as the socket writes it (the status always, as the
/// wrapper it is).
fn presence(user: &User, session_id: &str, status: &str) -> Value {
    json!({
        "user_id": user.user_id, "session_id": session_id,
        "username": user.username, "status": status,
    })
}

fn list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// A `status_presence_event` with exactly these joins and leaves.
fn event(joins: Vec<Value>, leaves: Vec<Value>) -> impl Fn(&Value) -> bool {
    move |e| {
        let event = &e["status_presence_event"];
        event.is_object() && list(&event["joins"]) == joins && list(&event["leaves"]) == leaves
    }
}

/// Any status event about `user`.
fn about(user: &User) -> impl Fn(&Value) -> bool + '_ {
    move |e| {
        let event = &e["status_presence_event"];
        ["joins", "leaves"]
            .iter()
            .flat_map(|l| list(&event[*l]))
            .any(|p| p["user_id"] == user.user_id.as_str())
    }
}

/// A socket with `status=true`, and its session id (from the event about
/// its own presence, which it gets as a follower of its own user).
fn open_with_status(port: u16, user: &User) -> (Socket, String) {
    let mut s = Socket::open(port, user);
    let own = s.wait_for("the socket's own status presence", |e| {
        list(&e["status_presence_event"]["joins"])
            .iter()
            .any(|p| p["user_id"] == user.user_id.as_str())
    });
    let joins = list(&own["status_presence_event"]["joins"]);
    let session_id = joins[0]["session_id"].as_str().unwrap().to_string();
    assert_eq!(joins, [presence(user, &session_id, "")], "{own}");
    (s, session_id)
}

/// A socket without a status presence.
fn open_without_status(port: u16, user: &User) -> Socket {
    Socket::connect(port, &format!("lang=en&status=false&token={}", user.token))
        .expect("socket connects")
}

/// A `status_follow`'s answer's presences, sorted by session.
fn follow(s: &mut Socket, body: Value) -> Vec<Value> {
    let r = s.call(json!({ "status_follow": body }));
    let status = &r["status"];
    assert!(status.is_object(), "{r}");
    sorted(list(&status["presences"]))
}

/// A request answered with an empty envelope (only the cid).
fn done(s: &mut Socket, message: Value) {
    let r = s.call(message.clone());
    let keys: Vec<&String> = r
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["cid"], "{message}: {r}");
}

fn refusal(s: &mut Socket, message: Value) -> (i64, String) {
    let r = s.call(message.clone());
    assert!(r.get("error").is_some(), "{message} was not refused: {r}");
    error_of(&r)
}

/// The online flags of `users` as `asker` reads them over HTTP
/// (`GET /v2/user`), and of `asker`'s own account (`GET /v2/account`).
fn online_over_http(port: u16, asker: &User, users: &[&User]) -> (Vec<bool>, bool) {
    let auth = format!("Bearer {}", asker.token);
    let ids: Vec<String> = users.iter().map(|u| format!("ids={}", u.user_id)).collect();
    let r = request(
        port,
        "GET",
        &format!("/v2/user?{}", ids.join("&")),
        &[("Authorization", &auth)],
        None,
    )
    .expect("GET /v2/user");
    assert_eq!(r.status, 200, "{}", r.text());
    let listed = list(&r.json()["users"]);
    let flags = users
        .iter()
        .map(|u| {
            let found = listed.iter().find(|l| l["id"] == u.user_id.as_str());
            found.unwrap_or_else(|| panic!("{} listed: {listed:?}", u.username))["online"] == true
        })
        .collect();
    let r = request(
        port,
        "GET",
        "/v2/account",
        &[("Authorization", &auth)],
        None,
    )
    .expect("GET /v2/account");
    assert_eq!(r.status, 200, "{}", r.text());
    (flags, r.json()["user"]["online"] == true)
}

/// The online flag of `user` in each nk function that answers users or
/// accounts (fixture-nk's `nk_online`).
fn online_in_nk(port: u16, asker: &User, user: &User) -> Vec<bool> {
    let answer = asker.rpc(
        port,
        "nk_online",
        &json!({"ids": [user.user_id], "usernames": [user.username]}).to_string(),
    );
    let id = user.user_id.as_str();
    vec![
        answer["users_get_id"][id] == true,
        answer["accounts_get_id"][id] == true,
        answer["account_get_id"][id] == true,
        answer["users_get_username"][user.username.as_str()] == true,
    ]
}

/// Waits until every answer says `user` is online (or not).
fn wait_online(port: u16, asker: &User, user: &User, online: bool) {
    crate::eventually(&format!("{} is online: {online}", user.username), || {
        let (http, _) = online_over_http(port, asker, &[user]);
        let nk = online_in_nk(port, asker, user);
        if http == [online] && nk == [online; 4] {
            Ok(())
        } else {
            Err(format!("GET /v2/user: {http:?}, nk: {nk:?}"))
        }
    });
}

/// The whole check, on a host serving `fixtures/fixture-nk`.
pub fn check_status(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("st-{n}-{suffix}"), &format!("st{n}{suffix}"));
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));

    // Bob's socket has no status presence: he is not online, and follows.
    let mut b = open_without_status(port, &bob);
    let (flags, own) = online_over_http(port, &bob, &[&bob]);
    assert_eq!((flags, own), (vec![false], false));
    assert_eq!(online_in_nk(port, &bob, &bob), [false; 4]);
    check_refusals(&mut b);
    // A follow that names nobody: a `status` answer with no presences.
    let r = b.call(json!({"status_follow": {}}));
    assert_eq!(r["status"], json!({}), "{r}");

    // Alice's socket opens with a status presence (status "").
    let (mut a, a_sid) = open_with_status(port, &alice);
    wait_online(port, &bob, &alice, true);
    let (_, alice_own) = online_over_http(port, &alice, &[]);
    assert!(alice_own, "her own account is online");

    // Following by id: her presence; bob himself, the system user and
    // unknown users are left out, repeats count once.
    let unknown = "6b3f0c3e-0000-4000-8000-00000000abcd";
    let nil = "00000000-0000-0000-0000-000000000000";
    let ids = json!([alice.user_id, alice.user_id, bob.user_id, nil, unknown]);
    assert_eq!(
        follow(&mut b, json!({"user_ids": ids})),
        [presence(&alice, &a_sid, "")]
    );
    // By name too, the same.
    let names = json!([alice.username, bob.username, format!("nobody{suffix}")]);
    assert_eq!(
        follow(&mut b, json!({"usernames": names})),
        [presence(&alice, &a_sid, "")]
    );
    // Carol is not connected: nothing to list, but followed.
    assert!(follow(&mut b, json!({"user_ids": [carol.user_id]})).is_empty());

    // A change: the old presence leaves and the new joins, in one event,
    // to the followers and to alice's own socket.
    done(&mut a, json!({"status_update": {"status": "playing"}}));
    let changed = || {
        event(
            vec![presence(&alice, &a_sid, "playing")],
            vec![presence(&alice, &a_sid, "")],
        )
    };
    b.wait_for("alice's change", changed());
    a.wait_for("alice's own change", changed());

    // No status: her presence leaves; she is offline.
    done(&mut a, json!({"status_update": {}}));
    b.wait_for(
        "alice appearing offline",
        event(vec![], vec![presence(&alice, &a_sid, "playing")]),
    );
    wait_online(port, &bob, &alice, false);
    assert!(follow(&mut b, json!({"user_ids": [alice.user_id]})).is_empty());
    // A status again: a join alone.
    done(&mut a, json!({"status_update": {"status": "back"}}));
    b.wait_for(
        "alice back",
        event(vec![presence(&alice, &a_sid, "back")], vec![]),
    );
    wait_online(port, &bob, &alice, true);

    // Another socket of alice's with status=true: followers and her first
    // socket hear of it.
    let (a2, a2_sid) = open_with_status(port, &alice);
    let second = || event(vec![presence(&alice, &a2_sid, "")], vec![]);
    b.wait_for("alice's second socket", second());
    a.wait_for("alice's second socket, on her first", second());
    assert_eq!(
        follow(&mut b, json!({"user_ids": [alice.user_id]})),
        sorted(vec![
            presence(&alice, &a_sid, "back"),
            presence(&alice, &a2_sid, "")
        ])
    );
    // It closes: its presence leaves; alice is still online.
    a2.close();
    b.wait_for(
        "alice's second socket closing",
        event(vec![], vec![presence(&alice, &a2_sid, "")]),
    );
    wait_online(port, &bob, &alice, true);

    // Carol connects: bob follows her already.
    let (mut c, c_sid) = open_with_status(port, &carol);
    b.wait_for(
        "carol connecting",
        event(vec![presence(&carol, &c_sid, "")], vec![]),
    );

    // Unfollowed: bob hears no more of alice. Events reach him in the
    // order they were caused, so once carol's later change is there,
    // alice's would have been before it.
    done(
        &mut b,
        json!({"status_unfollow": {"user_ids": [alice.user_id, bob.user_id, unknown]}}),
    );
    while b.waiting().next().is_some() {
        b.wait_for("what is left", |_| true);
    }
    done(&mut a, json!({"status_update": {"status": "unheard"}}));
    a.wait_for("alice's own change, still heard", |e| {
        list(&e["status_presence_event"]["joins"]) == [presence(&alice, &a_sid, "unheard")]
    });
    done(&mut c, json!({"status_update": {"status": "later"}}));
    b.wait_for(
        "carol's change",
        event(
            vec![presence(&carol, &c_sid, "later")],
            vec![presence(&carol, &c_sid, "")],
        ),
    );
    assert!(
        !b.waiting().any(about(&alice)),
        "an unfollowed user's events: {:?}",
        b.waiting().collect::<Vec<_>>()
    );
    // Bob cannot unfollow himself (he just tried): his own status reaches
    // his socket.
    done(&mut b, json!({"status_update": {"status": "me"}}));
    b.wait_for("bob's own status", |e| {
        let joins = list(&e["status_presence_event"]["joins"]);
        joins.len() == 1
            && joins[0]["user_id"] == bob.user_id.as_str()
            && joins[0]["status"] == "me"
    });
    wait_online(port, &alice, &bob, true);

    // Carol's socket closes: her presence leaves, with her last status.
    c.close();
    b.wait_for(
        "carol leaving",
        event(vec![], vec![presence(&carol, &c_sid, "later")]),
    );
    wait_online(port, &bob, &carol, false);
    // Bob's closes: he is offline.
    b.close();
    wait_online(port, &alice, &bob, false);
    a.close();
}

/// Presences in a fixed order, to compare lists Nakama writes in any.
fn sorted(mut presences: Vec<Value>) -> Vec<Value> {
    presences.sort_by_key(|p| p["session_id"].as_str().unwrap_or("").to_string());
    presences
}

/// What the three messages refuse (code 3, Nakama's words); the socket
/// stays open.
fn check_refusals(s: &mut Socket) {
    let bad_id = (3, "Invalid user identifier".to_string());
    let ok_id = "6b3f0c3e-0000-4000-8000-000000000001";
    assert_eq!(
        refusal(
            s,
            json!({"status_follow": {"user_ids": [ok_id, "not-a-uuid"]}})
        ),
        bad_id
    );
    assert_eq!(
        refusal(s, json!({"status_follow": {"usernames": ["someone", ""]}})),
        (3, "Invalid username".to_string())
    );
    // Ids are checked before names.
    assert_eq!(
        refusal(
            s,
            json!({"status_follow": {"user_ids": ["x"], "usernames": [""]}})
        ),
        bad_id
    );
    assert_eq!(
        refusal(s, json!({"status_unfollow": {"user_ids": ["x"]}})),
        bad_id
    );
    assert_eq!(
        refusal(s, json!({"status_update": {"status": "é".repeat(1025)}})),
        (3, "Status must be 2048 characters or less".to_string())
    );
    // 2048 bytes are fine; an empty unfollow too.
    done(s, json!({"status_update": {"status": "x".repeat(2048)}}));
    done(s, json!({"status_update": {}}));
    done(s, json!({"status_unfollow": {}}));
}

/// nk `status_follow` / `status_unfollow` (through fixture-nk's
/// `nk_status_follow`) on the host on `port`: a module makes a socket's
/// session follow users, or stop, as the socket's own messages would; bad
/// ids are refused with Nakama's words.
pub fn check_nk_status(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| {
        User::new(
            port,
            &format!("nks-{n}-{suffix}"),
            &format!("nks{n}{suffix}"),
        )
    };
    let (dan, erin, frank) = (user("dan"), user("erin"), user("frank"));
    let follow = |session_id: &str, users: &[&User], unfollow: bool| {
        let ids: Vec<&str> = users.iter().map(|u| u.user_id.as_str()).collect();
        let body = json!({"session_id": session_id, "user_ids": ids, "unfollow": unfollow});
        let (status, r) = crate::nk::call(port, "nk_status_follow", &body.to_string());
        assert_eq!(status, 200, "{r}");
    };
    let (mut d, d_sid) = open_with_status(port, &dan);

    // Followed by the module: erin's socket is heard of.
    follow(&d_sid, &[&erin], false);
    let (mut e, e_sid) = open_with_status(port, &erin);
    d.wait_for(
        "erin connecting",
        event(vec![presence(&erin, &e_sid, "")], vec![]),
    );

    // Unfollowed by the module, frank followed: erin's change is not heard
    // of. Events reach dan in the order they were caused, so once frank's
    // later connection is there, erin's change would have been before it.
    follow(&d_sid, &[&erin], true);
    follow(&d_sid, &[&frank], false);
    done(&mut e, json!({"status_update": {"status": "unheard"}}));
    e.wait_for("erin's own change", |ev| {
        list(&ev["status_presence_event"]["joins"]) == [presence(&erin, &e_sid, "unheard")]
    });
    let (f, f_sid) = open_with_status(port, &frank);
    d.wait_for(
        "frank connecting",
        event(vec![presence(&frank, &f_sid, "")], vec![]),
    );
    assert!(
        !d.waiting().any(about(&erin)),
        "an unfollowed user's events: {:?}",
        d.waiting().collect::<Vec<_>>()
    );

    // Refusals.
    for (body, message) in [
        (
            json!({"session_id": "nope", "user_ids": []}),
            "expects a valid session id",
        ),
        (
            json!({"session_id": d_sid, "user_ids": [erin.user_id, "nope"]}),
            "expects a valid user id",
        ),
        (
            json!({"session_id": d_sid, "user_ids": ["nope"], "unfollow": true}),
            "expects a valid user id",
        ),
    ] {
        let (status, r) = crate::nk::call(port, "nk_status_follow", &body.to_string());
        assert_eq!(
            (status, r["message"].as_str()),
            (400, Some(message)),
            "{body}: {r}"
        );
    }
    f.close();
    e.close();
    d.close();
}
