//! Friends and their notifications as Nakama 3.40.0 serves them
//! (server/api_friend.go, core_friend.go, api_notification.go,
//! core_notification.go), on a host serving `fixtures/fixture-nk`:
//!
//! - [`check_friends`]: the client's routes (`/v2/friend`,
//!   `/v2/friend/block`, `/v2/friend/friends`, the imports,
//!   `/v2/notification`): invites, accepts, lists by state and in pages,
//!   friends of friends, removals, blocks (and what a block does to direct
//!   chats), the friend notifications stored and pushed to open sockets,
//!   their listing with cacheable cursors and deletion, the refusals, and
//!   fixture-nk's hooks around every route;
//! - [`check_nk_friends`]: the nk functions (through fixture-nk's
//!   `nk_friends`): the same relationships made by a module, and Nakama's
//!   argument refusals.
//!
//! Cursors are opaque (the hosts' differ); times are not compared.
//! Pushed notifications are waited for, never ordered against answers.

use serde_json::{json, Value};

use crate::http::request;
use crate::realtime::{error_of, Socket, User};

/// A call with `user`'s session: (status, JSON body).
fn call(port: u16, user: &User, method: &str, path: &str) -> (u16, Value) {
    let r = request(
        port,
        method,
        path,
        &[("Authorization", &format!("Bearer {}", user.token))],
        None,
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    (r.status, r.json())
}

/// A call that must answer `{}`.
fn done(port: u16, user: &User, method: &str, path: &str) {
    let (status, body) = call(port, user, method, path);
    assert_eq!((status, &body), (200, &json!({})), "{method} {path}");
}

/// A call that must be refused with `status`, `code` and `message`.
fn refused(port: u16, user: &User, method: &str, path: &str, want: (u16, i64, &str)) {
    let (status, body) = call(port, user, method, path);
    assert_eq!(
        (status, body["code"].as_i64(), body["message"].as_str()),
        (want.0, Some(want.1), Some(want.2)),
        "{method} {path}: {body}"
    );
}

/// `user`'s relationships (`GET /v2/friend` with `query`): (username,
/// state, metadata as JSON) each, in the order listed, and the cursor.
fn friends(port: u16, user: &User, query: &str) -> (Vec<(String, i64, Value)>, String) {
    let (status, body) = call(port, user, "GET", &format!("/v2/friend?{query}"));
    assert_eq!(status, 200, "{body}");
    let listed = body["friends"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["user"]["username"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["state"].as_i64().unwrap_or(-1),
                serde_json::from_str(f["metadata"].as_str().unwrap_or("null")).unwrap(),
            )
        })
        .collect();
    (listed, body["cursor"].as_str().unwrap_or("").to_string())
}

/// The state of `user`'s side of its relationship with `other`, if any.
fn state_of(port: u16, user: &User, other: &User) -> Option<i64> {
    states(port, user)
        .into_iter()
        .find(|(name, _)| *name == other.username)
        .map(|(_, state)| state)
}

fn states(port: u16, user: &User) -> Vec<(String, i64)> {
    friends(port, user, "")
        .0
        .into_iter()
        .map(|(name, state, _)| (name, state))
        .collect()
}

/// The friends of `user`'s friends (`GET /v2/friend/friends` with
/// `query`): (referrer's id, username) each, and the cursor.
fn friends_of_friends(port: u16, user: &User, query: &str) -> (Vec<(String, String)>, String) {
    let (status, body) = call(port, user, "GET", &format!("/v2/friend/friends?{query}"));
    assert_eq!(status, 200, "{body}");
    let listed = body["friends_of_friends"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["referrer"].as_str().unwrap_or_default().to_string(),
                f["user"]["username"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    (listed, body["cursor"].as_str().unwrap_or("").to_string())
}

/// `user`'s stored notifications (`GET /v2/notification` with `query`) and
/// the cacheable cursor.
fn notifications(port: u16, user: &User, query: &str) -> (Vec<Value>, String) {
    let (status, body) = call(port, user, "GET", &format!("/v2/notification?{query}"));
    assert_eq!(status, 200, "{body}");
    let cursor = body["cacheable_cursor"].as_str().unwrap_or("").to_string();
    assert!(
        !cursor.is_empty(),
        "a listing always has a cacheable cursor: {body}"
    );
    (
        body["notifications"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        cursor,
    )
}

/// A friend notification from `from` as Nakama writes it, but for its id
/// and time (checked to be there, then left out).
fn friend_notification(n: &Value, from: &User, code: i64, subject: &str) -> bool {
    n["code"] == code
        && n["subject"] == subject
        && n["sender_id"] == from.user_id.as_str()
        && n["persistent"] == true
        && n["id"].as_str().is_some_and(|id| id.len() == 36)
        && n["create_time"].as_str().is_some_and(|t| t.ends_with('Z'))
        && serde_json::from_str::<Value>(n["content"].as_str().unwrap_or(""))
            .is_ok_and(|c| c == json!({"username": from.username}))
}

/// Waits for the socket's push of a friend notification; answers it.
fn pushed(s: &mut Socket, from: &User, code: i64, subject: &str) -> Value {
    let e = s.wait_for(subject, |e| {
        e["notifications"]["notifications"]
            .as_array()
            .is_some_and(|l| {
                l.iter()
                    .any(|n| friend_notification(n, from, code, subject))
            })
    });
    let list = e["notifications"]["notifications"].as_array().unwrap();
    assert_eq!(list.len(), 1, "one notification an envelope: {e}");
    list[0].clone()
}

/// What an after hook of fixture-nk recorded for `user` (`friend_hooks/<key>`).
fn recorded(port: u16, user: &User, key: &str) -> Value {
    user.stored(port, "friend_hooks", key)
        .unwrap_or_else(|| panic!("no after hook record {key}"))
}

/// The client's friend and notification routes on the host on `port`.
pub fn check_friends(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("fr-{n}-{suffix}"), &format!("fr{n}{suffix}"));
    let (alice, bob, carol, dave) = (user("alice"), user("bob"), user("carol"), user("dave"));
    let mut a = Socket::open(port, &alice);
    let mut b = Socket::open(port, &bob);

    // Refusals, in Nakama's order and words.
    let bad = |msg| (400, 3, msg);
    let nil = "00000000-0000-0000-0000-000000000000";
    let nil_refused = format!("Invalid user ID '{nil}'.");
    for (method, path, self_msg) in [
        ("POST", "/v2/friend", "Cannot add self as friend."),
        ("DELETE", "/v2/friend", "Cannot delete self."),
        ("POST", "/v2/friend/block", "Cannot block self."),
    ] {
        done(port, &alice, method, path);
        let me = &alice.user_id;
        refused(
            port,
            &alice,
            method,
            &format!("{path}?ids={me}"),
            bad(self_msg),
        );
        let name = &alice.username;
        refused(
            port,
            &alice,
            method,
            &format!("{path}?usernames={name}"),
            bad(self_msg),
        );
        refused(
            port,
            &alice,
            method,
            &format!("{path}?ids=nope&ids={me}"),
            bad("Invalid user ID 'nope'."),
        );
        refused(
            port,
            &alice,
            method,
            &format!("{path}?ids={nil}"),
            bad(&nil_refused),
        );
        refused(
            port,
            &alice,
            method,
            &format!("{path}?usernames="),
            bad("Username must not be empty."),
        );
        let nobody = format!("{path}?usernames=nobody{suffix}");
        if method == "DELETE" {
            done(port, &alice, method, &nobody);
        } else {
            refused(
                port,
                &alice,
                method,
                &nobody,
                bad("No valid ID or username was provided."),
            );
        }
    }
    for query in ["limit=0", "limit=1001"] {
        refused(
            port,
            &alice,
            "GET",
            &format!("/v2/friend?{query}"),
            bad("Invalid limit - limit must be between 1 and 1000."),
        );
    }
    for query in ["state=4", "state=-1"] {
        refused(
            port,
            &alice,
            "GET",
            &format!("/v2/friend?{query}"),
            bad("Invalid state - state must be between 0 and 3."),
        );
    }
    refused(
        port,
        &alice,
        "GET",
        "/v2/friend?cursor=!!!",
        bad("Cursor is invalid."),
    );
    for query in ["limit=0", "limit=101"] {
        refused(
            port,
            &alice,
            "GET",
            &format!("/v2/friend/friends?{query}"),
            bad("Invalid limit - limit must be between 1 and 100."),
        );
    }
    refused(
        port,
        &alice,
        "GET",
        "/v2/friend/friends?cursor=!!!",
        bad("Cursor is invalid."),
    );
    for query in ["limit=0", "limit=101"] {
        refused(
            port,
            &alice,
            "GET",
            &format!("/v2/notification?{query}"),
            bad("Invalid limit - limit must be between 1 and 100."),
        );
    }
    refused(
        port,
        &alice,
        "GET",
        "/v2/notification?cacheable_cursor=!!!",
        (500, 13, "Error retrieving notifications."),
    );
    refused(
        port,
        &alice,
        "DELETE",
        "/v2/notification?ids=nope",
        (500, 13, "Error while deleting notifications."),
    );
    done(port, &alice, "DELETE", "/v2/notification");
    refused(
        port,
        &alice,
        "POST",
        "/v2/friend/steam",
        (400, 9, "Steam authentication is not configured."),
    );
    refused(
        port,
        &alice,
        "POST",
        "/v2/friend/facebook",
        bad("Facebook token is required."),
    );
    // Metadata that is not JSON fails the request (PostgreSQL refuses it);
    // an unknown user is passed over without a word.
    refused(
        port,
        &alice,
        "POST",
        &format!("/v2/friend?ids={}&metadata=nope", bob.user_id),
        (500, 13, "Error while trying to add friends."),
    );
    let unknown = format!("{:08x}-0000-4000-8000-{:012x}", suffix.len(), 7);
    done(port, &alice, "POST", &format!("/v2/friend?ids={unknown}"));
    done(
        port,
        &alice,
        "POST",
        &format!("/v2/friend/block?ids={unknown}"),
    );
    assert_eq!(states(port, &alice), [], "the refusals changed nothing");

    // An invite: stored and pushed to the invited user.
    let (none, empty_cursor) = notifications(port, &alice, "limit=10");
    assert_eq!(none, Vec::<Value>::new());
    done(
        port,
        &bob,
        "POST",
        &format!("/v2/friend?ids={}", alice.user_id),
    );
    let request_subject = format!("{} wants to add you as a friend", bob.username);
    let invite = pushed(&mut a, &bob, -2, &request_subject);
    let (stored, after_invite) = notifications(
        port,
        &alice,
        &format!("limit=10&cacheable_cursor={empty_cursor}"),
    );
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(
        friend_notification(&stored[0], &bob, -2, &request_subject),
        "{stored:?}"
    );
    assert_eq!(stored[0]["id"], invite["id"]);
    assert_eq!(states(port, &bob), [(alice.username.clone(), 1)]);
    assert_eq!(states(port, &alice), [(bob.username.clone(), 2)]);
    assert_eq!(friends(port, &alice, "state=1").0, []);
    // Inviting again changes nothing.
    done(
        port,
        &bob,
        "POST",
        &format!("/v2/friend?usernames={}", alice.username),
    );
    assert_eq!(states(port, &bob), [(alice.username.clone(), 1)]);

    // The accept, with metadata on the accepter's side.
    done(
        port,
        &alice,
        "POST",
        &format!(
            "/v2/friend?usernames={}&metadata=%7B%22note%22%3A%22hi%22%7D",
            bob.username
        ),
    );
    let accept_subject = format!("{} accepted your friend request", alice.username);
    pushed(&mut b, &alice, -3, &accept_subject);
    assert_eq!(
        friends(port, &alice, "").0,
        [(bob.username.clone(), 0, json!({"note": "hi"}))]
    );
    assert_eq!(
        friends(port, &bob, "").0,
        [(alice.username.clone(), 0, json!({}))]
    );
    let (status, account) = call(port, &alice, "GET", "/v2/account");
    assert_eq!(
        (status, &account["user"]["edge_count"]),
        (200, &json!(1)),
        "{account}"
    );
    // Only what came since the cursor.
    let (since, _) = notifications(
        port,
        &alice,
        &format!("limit=10&cacheable_cursor={after_invite}"),
    );
    assert_eq!(since, Vec::<Value>::new());
    let (bobs, _) = notifications(port, &bob, "limit=10");
    assert!(
        bobs.len() == 1 && friend_notification(&bobs[0], &alice, -3, &accept_subject),
        "{bobs:?}"
    );

    // Lists in pages: by state (friends first), then by age.
    // (One request each: Nakama adds the users of one request in a Go
    // map's order.)
    done(
        port,
        &alice,
        "POST",
        &format!("/v2/friend?ids={}", carol.user_id),
    );
    done(
        port,
        &alice,
        "POST",
        &format!("/v2/friend?ids={}", dave.user_id),
    );
    let all = states(port, &alice);
    assert_eq!(
        all,
        [
            (bob.username.clone(), 0),
            (carol.username.clone(), 1),
            (dave.username.clone(), 1)
        ]
    );
    let (first, cursor) = friends(port, &alice, "limit=2");
    assert_eq!(first.len(), 2);
    assert!(!cursor.is_empty());
    let (second, last) = friends(port, &alice, &format!("limit=2&cursor={cursor}"));
    assert_eq!(
        second.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        [dave.username.as_str()]
    );
    assert_eq!(last, "");
    let (sent, cursor) = friends(port, &alice, "state=1&limit=1");
    assert_eq!(sent.len(), 1);
    refused(
        port,
        &alice,
        "GET",
        &format!("/v2/friend?state=0&cursor={cursor}"),
        bad("Cursor is invalid."),
    );
    let (rest, _) = friends(port, &alice, &format!("state=1&limit=1&cursor={cursor}"));
    assert_eq!(
        rest.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        [dave.username.as_str()]
    );
    // fixture-nk's hooks: a limit of 7 lists 1; the after hook saw it.
    assert_eq!(friends(port, &alice, "limit=7").0.len(), 1);
    assert_eq!(recorded(port, &alice, "list"), json!({"listed": 1}));

    // Friends of friends: carol and dave are bob's friends too.
    for other in [&carol, &dave] {
        done(
            port,
            &bob,
            "POST",
            &format!("/v2/friend?ids={}", other.user_id),
        );
        done(
            port,
            other,
            "POST",
            &format!("/v2/friend?ids={}", bob.user_id),
        );
    }
    let (fof, cursor) = friends_of_friends(port, &alice, "");
    let mut want = vec![
        (bob.user_id.clone(), carol.username.clone()),
        (bob.user_id.clone(), dave.username.clone()),
    ];
    want.sort_by_key(|(_, name)| {
        if *name == carol.username {
            carol.user_id.clone()
        } else {
            dave.user_id.clone()
        }
    });
    assert_eq!((fof, cursor), (want.clone(), String::new()));
    let (one, cursor) = friends_of_friends(port, &alice, "limit=1");
    assert_eq!(one, want[..1]);
    let (two, last) = friends_of_friends(port, &alice, &format!("limit=1&cursor={cursor}"));
    assert_eq!((two, last), (want[1..].to_vec(), String::new()));
    assert_eq!(
        recorded(port, &alice, "friends_of_friends"),
        json!({"listed": 1})
    );
    // fixture-nk's before hook would drop this; Nakama 3.40.0 never runs a
    // Go (so a bridged) module's before hook on ListFriendsOfFriends.
    assert_eq!(friends_of_friends(port, &alice, "limit=7").0, want);

    // Hooks around adding: a dropped request, a changed one, what the
    // after hook saw.
    refused(
        port,
        &carol,
        "POST",
        &format!(
            "/v2/friend?ids={}&metadata=%7B%22hook%22%3A%22drop%22%7D",
            alice.user_id
        ),
        (404, 5, "Requested resource was not found."),
    );
    assert_eq!(
        friends(port, &carol, "state=2").0.len(),
        1,
        "alice's invite only"
    );
    done(
        port,
        &carol,
        "POST",
        &format!(
            "/v2/friend?ids={}&metadata=%7B%22hook%22%3A%22stamp%22%7D",
            alice.user_id
        ),
    );
    assert!(friends(port, &carol, "").0.contains(&(
        alice.username.clone(),
        0,
        json!({"stamped": true})
    )));
    assert_eq!(
        recorded(port, &carol, "add"),
        json!({"ids": [alice.user_id], "usernames": [], "metadata": "{\"stamped\":true}"})
    );

    // A block: the blocker's side stays as a block, the other's goes, and
    // the blocked user's invites and direct chat joins are refused.
    refused(
        port,
        &carol,
        "POST",
        "/v2/friend/block?usernames=hook-drop",
        (404, 5, "Requested resource was not found."),
    );
    done(
        port,
        &carol,
        "POST",
        &format!("/v2/friend/block?ids={}", alice.user_id),
    );
    assert_eq!(
        recorded(port, &carol, "block"),
        json!({"ids": [alice.user_id]})
    );
    assert_eq!(state_of(port, &carol, &alice), Some(3));
    assert_eq!(state_of(port, &alice, &carol), None);
    done(
        port,
        &alice,
        "POST",
        &format!("/v2/friend?ids={}", carol.user_id),
    );
    assert_eq!(state_of(port, &alice, &carol), None);
    let join = json!({"channel_join": {"target": carol.user_id, "type": 2}});
    assert_eq!(
        error_of(&a.call(join)),
        (3, "User ID not found: Invalid channel target".to_string())
    );
    let mut c = Socket::open(port, &carol);
    let r = c.call(json!({"channel_join": {"target": alice.user_id, "type": 2}}));
    assert!(r["channel"].is_object(), "the blocker may still join: {r}");
    // Unblocking: the edge goes, nobody is told.
    done(
        port,
        &carol,
        "DELETE",
        &format!("/v2/friend?ids={}", alice.user_id),
    );
    assert_eq!(state_of(port, &carol, &alice), None);
    assert_eq!(
        recorded(port, &carol, "delete"),
        json!({"ids": [alice.user_id]})
    );

    // A removal: both sides go, the other user is told.
    refused(
        port,
        &alice,
        "DELETE",
        "/v2/friend?usernames=hook-drop",
        (404, 5, "Requested resource was not found."),
    );
    done(
        port,
        &alice,
        "DELETE",
        &format!("/v2/friend?usernames={}", bob.username),
    );
    let remove_subject = format!("{} removed you as a friend", alice.username);
    pushed(&mut b, &alice, -9, &remove_subject);
    assert_eq!(state_of(port, &bob, &alice), None);
    assert_eq!(state_of(port, &alice, &bob), None);

    // A block ends a direct chat: both are out of it, nobody is told.
    let mut d = Socket::open(port, &dave);
    let dm = b.call(json!({"channel_join": {"target": dave.user_id, "type": 2}}));
    let channel_id = dm["channel"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{dm}"))
        .to_string();
    let r = d.call(json!({"channel_join": {"target": bob.user_id, "type": 2}}));
    assert!(r["channel"].is_object(), "{r}");
    done(
        port,
        &dave,
        "POST",
        &format!("/v2/friend/block?ids={}", bob.user_id),
    );
    for (s, who) in [(&mut b, "bob"), (&mut d, "dave")] {
        let r = s.call(
            json!({"channel_message_send": {"channel_id": channel_id, "content": "{\"a\":1}"}}),
        );
        assert_eq!(
            error_of(&r),
            (3, "Must join channel before sending messages".to_string()),
            "{who}: {r}"
        );
    }

    // Notifications: a limit of 7 lists 1 (the hook), deletions (not of
    // others' notifications), and what the hooks saw.
    let (mine, _) = notifications(port, &alice, "limit=100");
    assert!(mine.len() >= 2, "{mine:?}");
    let (one, _) = notifications(port, &alice, "limit=7");
    assert_eq!(one.len(), 1);
    assert_eq!(
        recorded(port, &alice, "list_notifications"),
        json!({"listed": 1, "limit": 1})
    );
    let first = mine[0]["id"].as_str().unwrap().to_string();
    refused(
        port,
        &alice,
        "DELETE",
        "/v2/notification?ids=hook-drop",
        (404, 5, "Requested resource was not found."),
    );
    done(
        port,
        &bob,
        "DELETE",
        &format!("/v2/notification?ids={first}"),
    );
    assert_eq!(notifications(port, &alice, "limit=100").0.len(), mine.len());
    done(
        port,
        &alice,
        "DELETE",
        &format!("/v2/notification?ids={first}"),
    );
    assert_eq!(
        recorded(port, &alice, "delete_notifications"),
        json!({"ids": [first]})
    );
    let (left, _) = notifications(port, &alice, "limit=100");
    assert_eq!(left, mine[1..].to_vec());
    for s in [a, b, c, d] {
        s.close();
    }
}

/// Calls fixture-nk's `nk_friends` with `body`: `Ok(answer)` or
/// `Err((code, message))`.
fn nk(port: u16, body: Value) -> Result<Value, (i64, String)> {
    let (status, r) = crate::nk::call(port, "nk_friends", &body.to_string());
    assert_eq!(status, 200, "{body}: {r}");
    match r.get("error") {
        Some(e) => Err((e[0].as_i64().unwrap(), e[1].as_str().unwrap().to_string())),
        None => Ok(r["ok"].clone()),
    }
}

/// The friends nk functions on the host on `port` (serving fixture-nk):
/// the same relationships as the routes make, and Nakama's refusals.
pub fn check_nk_friends(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| {
        User::new(
            port,
            &format!("nkf-{n}-{suffix}"),
            &format!("nkf{n}{suffix}"),
        )
    };
    let (erin, fred, gail) = (user("erin"), user("fred"), user("gail"));
    let me = |u: &User| json!({"user_id": u.user_id, "username": u.username});
    let with = |base: Value, extra: Value| {
        let mut v = base;
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let states = |u: &User| -> Vec<(String, i64, Value)> {
        let page = nk(
            port,
            json!({"call": "list", "user_id": u.user_id, "limit": 100}),
        )
        .unwrap();
        page["friends"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|f| {
                (
                    f["user"]["username"].as_str().unwrap().to_string(),
                    f["state"].as_i64().unwrap(),
                    serde_json::from_str(f["metadata"].as_str().unwrap()).unwrap(),
                )
            })
            .collect()
    };

    // Refusals.
    let bad = |m: &str| Err((3, m.to_string()));
    let nil = "00000000-0000-0000-0000-000000000000";
    for (call, myself, verb) in [
        ("add", "cannot add self as friend", "add"),
        ("delete", "cannot delete self", "delete"),
        ("block", "cannot block self", "block"),
    ] {
        let base = with(me(&erin), json!({"call": call}));
        assert_eq!(nk(port, with(base.clone(), json!({}))), Ok(Value::Null));
        assert_eq!(
            nk(
                port,
                with(
                    base.clone(),
                    json!({"user_id": "nope", "ids": [fred.user_id]})
                )
            ),
            bad("expects user ID to be a valid identifier")
        );
        assert_eq!(
            nk(port, with(base.clone(), json!({"ids": [erin.user_id]}))),
            bad(myself)
        );
        assert_eq!(
            nk(port, with(base.clone(), json!({"ids": ["nope"]}))),
            bad("invalid user ID 'nope'")
        );
        assert_eq!(
            nk(port, with(base.clone(), json!({"ids": [nil]}))),
            bad(&format!("invalid user ID '{nil}'"))
        );
        assert_eq!(
            nk(port, with(base.clone(), json!({"usernames": [""]}))),
            bad(&format!("username to {verb} must not be empty"))
        );
        assert_eq!(
            nk(
                port,
                with(base.clone(), json!({"usernames": [erin.username]}))
            ),
            bad(myself)
        );
        assert_eq!(
            nk(
                port,
                with(base, json!({"usernames": [format!("nobody{suffix}")]}))
            ),
            bad("no valid ID or username was provided")
        );
    }
    for (body, message) in [
        (
            json!({"call": "list", "user_id": "nope", "limit": 1}),
            "expects user ID to be a valid identifier",
        ),
        (
            json!({"call": "list", "user_id": erin.user_id, "limit": 0}),
            "expects limit to be 1-1000",
        ),
        (
            json!({"call": "list", "user_id": erin.user_id, "limit": 1001}),
            "expects limit to be 1-1000",
        ),
        (
            json!({"call": "list", "user_id": erin.user_id, "limit": 1, "state": 4}),
            "expects state to be 0-3",
        ),
        (
            json!({"call": "list", "user_id": erin.user_id, "limit": 1, "cursor": "!!!"}),
            "friend cursor invalid",
        ),
        (
            json!({"call": "of_friends", "user_id": "nope", "limit": 1}),
            "expects user ID to be a valid identifier",
        ),
        (
            json!({"call": "of_friends", "user_id": erin.user_id, "limit": 1001}),
            "expects limit to be 1-1000",
        ),
        (
            json!({"call": "of_friends", "user_id": erin.user_id, "limit": 1, "cursor": "!!!"}),
            "friend cursor invalid",
        ),
        (
            json!({"call": "metadata_update", "user_id": "nope", "friend_user_id": fred.user_id, "metadata": {}}),
            "expects user ID to be a valid identifier",
        ),
        (
            json!({"call": "metadata_update", "user_id": erin.user_id, "friend_user_id": "nope", "metadata": {}}),
            "expects friend user ID to be a valid identifier",
        ),
    ] {
        assert_eq!(nk(port, body.clone()), bad(message), "{body}");
    }

    // An invite and its accept, made by the module: notifications as the
    // routes send them.
    let add = |u: &User, to: &User, metadata: Value| {
        nk(
            port,
            with(
                with(me(u), json!({"call": "add", "ids": [to.user_id]})),
                json!({"metadata": metadata}),
            ),
        )
    };
    assert_eq!(add(&erin, &fred, json!({"m": 1})), Ok(Value::Null));
    let (freds, _) = notifications(port, &fred, "limit=10");
    let subject = format!("{} wants to add you as a friend", erin.username);
    assert!(
        freds.len() == 1 && friend_notification(&freds[0], &erin, -2, &subject),
        "{freds:?}"
    );
    assert_eq!(states(&erin), [(fred.username.clone(), 1, json!({"m": 1}))]);
    assert_eq!(states(&fred), [(erin.username.clone(), 2, json!({}))]);
    let received = nk(
        port,
        json!({"call": "list", "user_id": fred.user_id, "limit": 1, "state": 2}),
    )
    .unwrap();
    assert_eq!(
        received["friends"][0]["user"]["id"],
        erin.user_id.as_str(),
        "{received}"
    );
    assert_eq!(add(&fred, &erin, json!({"n": 2})), Ok(Value::Null));
    let subject = format!("{} accepted your friend request", fred.username);
    let (erins, _) = notifications(port, &erin, "limit=10");
    assert!(
        erins.len() == 1 && friend_notification(&erins[0], &fred, -3, &subject),
        "{erins:?}"
    );
    assert_eq!(states(&erin), [(fred.username.clone(), 0, json!({"m": 1}))]);
    assert_eq!(states(&fred), [(erin.username.clone(), 0, json!({"n": 2}))]);

    // Metadata replaced on one side.
    let update = json!({"call": "metadata_update", "user_id": erin.user_id, "friend_user_id": fred.user_id, "metadata": {"x": [1, 2]}});
    assert_eq!(nk(port, update), Ok(Value::Null));
    assert_eq!(
        states(&erin),
        [(fred.username.clone(), 0, json!({"x": [1, 2]}))]
    );

    // Friends of friends, in pages.
    assert_eq!(add(&fred, &gail, json!({})), Ok(Value::Null));
    assert_eq!(add(&gail, &fred, json!({})), Ok(Value::Null));
    let fof = nk(
        port,
        json!({"call": "of_friends", "user_id": erin.user_id, "limit": 10}),
    )
    .unwrap();
    let found = fof["friends_of_friends"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(found.len(), 1, "{fof}");
    assert_eq!(
        (
            found[0]["referrer"].as_str(),
            found[0]["user"]["id"].as_str()
        ),
        (Some(fred.user_id.as_str()), Some(gail.user_id.as_str()))
    );
    assert_eq!(fof["cursor"], "");
    let first = nk(
        port,
        json!({"call": "list", "user_id": fred.user_id, "limit": 1}),
    )
    .unwrap();
    let cursor = first["cursor"].as_str().unwrap().to_string();
    assert!(!cursor.is_empty(), "{first}");
    let next = nk(
        port,
        json!({"call": "list", "user_id": fred.user_id, "limit": 1, "cursor": cursor}),
    )
    .unwrap();
    assert_eq!(next["friends"].as_array().map(Vec::len), Some(1), "{next}");
    assert_ne!(
        next["friends"][0]["user"]["id"],
        first["friends"][0]["user"]["id"]
    );

    // A removal and a block.
    let change = |call: &str, u: &User, to: &User| {
        nk(
            port,
            with(me(u), json!({"call": call, "usernames": [to.username]})),
        )
    };
    assert_eq!(change("delete", &erin, &fred), Ok(Value::Null));
    let subject = format!("{} removed you as a friend", erin.username);
    let (freds, _) = notifications(port, &fred, "limit=10");
    assert!(
        freds
            .iter()
            .any(|n| friend_notification(n, &erin, -9, &subject)),
        "{freds:?}"
    );
    assert_eq!(states(&erin), []);
    assert_eq!(change("block", &gail, &erin), Ok(Value::Null));
    assert_eq!(
        states(&gail)
            .iter()
            .find(|f| f.0 == erin.username)
            .map(|f| f.1),
        Some(3)
    );
    assert_eq!(add(&erin, &gail, json!({})), Ok(Value::Null));
    assert_eq!(states(&erin), [], "a blocked user's invite does nothing");
    // A module cannot build erin a direct chat with gail either; gail can.
    let build = |from: &User, to: &User| {
        let body = json!({"call": "id_build", "sender_id": from.user_id, "target": to.user_id, "channel_type": "direct"});
        crate::nk::call(port, "nk_channel", &body.to_string()).1
    };
    assert_eq!(
        build(&erin, &gail),
        json!({"error": [3, "User ID not found: Invalid channel target"]})
    );
    assert!(build(&gail, &erin)["ok"].is_string());
    let blocked = nk(
        port,
        json!({"call": "list", "user_id": gail.user_id, "limit": 10, "state": 3}),
    )
    .unwrap();
    assert_eq!(
        blocked["friends"].as_array().map(Vec::len),
        Some(1),
        "{blocked}"
    );
}
