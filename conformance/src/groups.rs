//! Groups as Nakama 3.40.0 serves them (server/api_group.go,
//! core_group.go, runtime_go_nakama.go, and the group chat channels of
//! core_channel.go): the client's `/v2/group` routes with their
//! permissions, refusals and listings, the notifications and the group
//! channel's membership messages they cause, a group channel joined and
//! read by members only, and the nk functions through
//! `fixtures/fixture-nk`'s `nk_group`.
//!
//! As in [`crate::realtime`], only what Nakama's source says is asserted:
//! membership messages are stored with whole-second times, so the
//! history's order within a second is not (it is compared as a set).

use serde_json::{json, Value};

use crate::http::request;
use crate::realtime::{error_of, Socket, User};

/// A gateway call as `user`: the status and the JSON answer.
fn call(port: u16, user: &User, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let auth = format!("Bearer {}", user.token);
    let body = body.map(|b| b.to_string());
    let r = request(
        port,
        method,
        path,
        &[("Authorization", &auth)],
        body.as_deref().map(str::as_bytes),
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    (r.status, r.json())
}

/// A call that must succeed; its answer.
fn ok(port: u16, user: &User, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, r) = call(port, user, method, path, body);
    assert_eq!(status, 200, "{method} {path}: {r}");
    r
}

/// A call that must be refused with `status`, gRPC `code` and `message`.
fn refused(
    port: u16,
    user: &User,
    (method, path, body): (&str, &str, Option<Value>),
    (status, code, message): (u16, i64, &str),
) {
    let (got, r) = call(port, user, method, path, body);
    assert_eq!(
        (got, r["code"].as_i64(), r["message"].as_str()),
        (status, Some(code), Some(message)),
        "{method} {path}: {r}"
    );
}

/// A group's members as (user id, state), in listing order.
fn members(port: u16, user: &User, group_id: &str, query: &str) -> Vec<(String, i64)> {
    let r = ok(
        port,
        user,
        "GET",
        &format!("/v2/group/{group_id}/user?{query}"),
        None,
    );
    r["group_users"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|g| {
            (
                g["user"]["id"].as_str().unwrap_or("").to_string(),
                g["state"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

fn pair(u: &User, state: i64) -> (String, i64) {
    (u.user_id.clone(), state)
}

/// A membership message of `code` about `user` in the group's channel.
fn membership(code: i64, user: &User) -> impl Fn(&Value) -> bool + '_ {
    move |e| {
        let m = &e["channel_message"];
        m["code"].as_i64() == Some(code) && m["sender_id"] == user.user_id.as_str()
    }
}

/// A notification of `code` in a `notifications` envelope.
fn notification(code: i64) -> impl Fn(&Value) -> bool {
    move |e| {
        e["notifications"]["notifications"]
            .as_array()
            .is_some_and(|ns| ns.iter().any(|n| n["code"].as_i64() == Some(code)))
    }
}

/// The whole HTTP check, on a host serving any module (none is needed).
pub fn check_groups(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("gr-{n}-{suffix}"), &format!("gr{n}{suffix}"));
    let (alice, bob, carol, dave) = (user("alice"), user("bob"), user("carol"), user("dave"));
    let (open_name, closed_name) = (format!("g{suffix}-open"), format!("g{suffix}-closed"));

    // Creating: refusals, then an open group for three and a closed one.
    refused(
        port,
        &alice,
        ("POST", "/v2/group", Some(json!({}))),
        (400, 3, "Group name must be set."),
    );
    refused(
        port,
        &alice,
        (
            "POST",
            "/v2/group",
            Some(json!({"name": "x", "max_count": -1})),
        ),
        (400, 3, "Group max count must be >= 1 when set."),
    );
    // A language of this run's own (18 characters at most), to filter by.
    let lang = format!("l{}", &suffix[suffix.len().saturating_sub(12)..]);
    let body = json!({"name": open_name, "description": "d", "lang_tag": lang, "open": true, "max_count": 3});
    let open = ok(port, &alice, "POST", "/v2/group", Some(body));
    let gid = open["id"].as_str().unwrap().to_string();
    assert_eq!(open["creator_id"], alice.user_id.as_str(), "{open}");
    assert_eq!(
        (
            &open["name"],
            &open["description"],
            &open["lang_tag"],
            &open["metadata"]
        ),
        (&json!(open_name), &json!("d"), &json!(lang), &json!("{}")),
    );
    assert_eq!(
        (&open["open"], &open["edge_count"], &open["max_count"]),
        (&json!(true), &json!(1), &json!(3))
    );
    assert!(open["create_time"].is_string(), "{open}");
    refused(
        port,
        &bob,
        ("POST", "/v2/group", Some(json!({"name": open_name}))),
        (409, 6, "Group name is in use."),
    );
    let closed = ok(
        port,
        &alice,
        "POST",
        "/v2/group",
        Some(json!({"name": closed_name})),
    );
    let cid = closed["id"].as_str().unwrap().to_string();
    assert_eq!(
        (&closed["open"], &closed["lang_tag"], &closed["max_count"]),
        (&json!(false), &json!("en"), &json!(100)),
        "{closed}"
    );

    // Members only in the group's channel: alice joins it to hear the
    // membership messages; carol is refused.
    let mut a = Socket::open(port, &alice);
    let channel = a.call(json!({"channel_join": {"target": gid, "type": 3}}));
    let channel_id = channel["channel"]["id"].as_str().unwrap_or("").to_string();
    assert_eq!(channel_id, format!("3.{gid}.."), "{channel}");
    assert_eq!(channel["channel"]["group_id"], gid.as_str(), "{channel}");
    let mut c = Socket::open(port, &carol);
    let r = c.call(json!({"channel_join": {"target": gid, "type": 3}}));
    assert_eq!(
        error_of(&r),
        (3, "Group not found: Invalid channel target".to_string())
    );
    refused(
        port,
        &carol,
        ("GET", &format!("/v2/channel/{channel_id}"), None),
        (400, 3, "Group not found."),
    );

    // Bob joins the open group: a member at once, announced (code 3).
    ok(port, &bob, "POST", &format!("/v2/group/{gid}/join"), None);
    a.wait_for("bob's join message", membership(3, &bob));
    // The closed one: a join request, and alice (its superadmin) is told.
    ok(port, &bob, "POST", &format!("/v2/group/{cid}/join"), None);
    let n = a.wait_for("the join request notification", notification(-5));
    let n = &n["notifications"]["notifications"][0];
    assert_eq!(
        n["subject"],
        format!("User {} wants to join your group", bob.username)
    );
    let content: Value = serde_json::from_str(n["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({"group_id": cid, "username": bob.username}));
    assert_eq!(
        members(port, &carol, &cid, ""),
        [pair(&alice, 0), pair(&bob, 3)]
    );
    // Bob's groups: the membership first (state 2), then the request.
    let r = ok(
        port,
        &bob,
        "GET",
        &format!("/v2/user/{}/group", bob.user_id),
        None,
    );
    let listed: Vec<(Value, Value)> = r["user_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["group"]["id"].clone(), g["state"].clone()))
        .collect();
    assert_eq!(listed, [(json!(gid), json!(2)), (json!(cid), json!(3))]);

    // Adding: members may not; alice accepts bob's request (he is told)
    // and adds carol, which fills the open group.
    let add = |g: &str, u: &User| format!("/v2/group/{g}/add?user_ids={}", u.user_id);
    refused(
        port,
        &bob,
        ("POST", &add(&gid, &carol), None),
        (404, 5, "Group not found or permission denied."),
    );
    let mut b = Socket::open(port, &bob);
    b.ready();
    ok(port, &alice, "POST", &add(&cid, &bob), None);
    let n = b.wait_for("the added notification", notification(-4));
    assert_eq!(
        n["notifications"]["notifications"][0]["subject"],
        format!("You've been added to group {closed_name}")
    );
    ok(port, &alice, "POST", &add(&gid, &carol), None);
    a.wait_for("carol's add message", membership(4, &carol));
    refused(
        port,
        &dave,
        ("POST", &format!("/v2/group/{gid}/join"), None),
        (400, 3, "Group is full."),
    );
    assert_eq!(
        members(port, &dave, &gid, ""),
        [pair(&alice, 0), pair(&bob, 2), pair(&carol, 2)]
    );

    // Roles: a member cannot promote; alice makes bob an admin; the admin
    // kicks carol but cannot kick alice; alice demotes him again.
    let verb = |v: &str, u: &User| format!("/v2/group/{gid}/{v}?user_ids={}", u.user_id);
    refused(
        port,
        &carol,
        ("POST", &verb("promote", &bob), None),
        (404, 5, "Group not found or permission denied."),
    );
    ok(port, &alice, "POST", &verb("promote", &bob), None);
    a.wait_for("bob's promotion", membership(7, &bob));
    ok(port, &bob, "POST", &verb("kick", &carol), None);
    a.wait_for("carol's kick", membership(6, &carol));
    ok(port, &bob, "POST", &verb("kick", &alice), None);
    assert_eq!(
        members(port, &bob, &gid, ""),
        [pair(&alice, 0), pair(&bob, 1)]
    );
    ok(port, &alice, "POST", &verb("demote", &bob), None);
    a.wait_for("bob's demotion", membership(9, &bob));

    // Chat among members: bob joins the channel and hears alice.
    let r = b.call(json!({"channel_join": {"target": gid, "type": 3}}));
    assert_eq!(r["channel"]["id"], channel_id.as_str(), "{r}");
    let sent = a
        .call(json!({"channel_message_send": {"channel_id": channel_id, "content": "{\"hi\":1}"}}));
    assert_eq!(
        sent["channel_message_ack"]["group_id"],
        gid.as_str(),
        "{sent}"
    );
    b.wait_for("alice's chat", |e| {
        e["channel_message"]["content"] == "{\"hi\": 1}"
            || e["channel_message"]["content"] == "{\"hi\":1}"
    });

    // Banned: out of the channel and the group, listed only as state 4,
    // not among his groups, and his joining again changes nothing.
    ok(port, &alice, "POST", &verb("ban", &bob), None);
    a.wait_for("bob's ban", membership(8, &bob));
    assert_eq!(members(port, &alice, &gid, ""), [pair(&alice, 0)]);
    assert_eq!(members(port, &alice, &gid, "state=4"), [pair(&bob, 4)]);
    let r = ok(
        port,
        &bob,
        "GET",
        &format!("/v2/user/{}/group", bob.user_id),
        None,
    );
    let ids: Vec<&Value> = r["user_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["group"]["id"])
        .collect();
    assert_eq!(ids, [&json!(cid)], "{r}");
    ok(port, &bob, "POST", &format!("/v2/group/{gid}/join"), None);
    assert_eq!(members(port, &alice, &gid, "state=4"), [pair(&bob, 4)]);

    // The history: every membership message, for members only.
    let r = ok(
        port,
        &alice,
        "GET",
        &format!("/v2/channel/{channel_id}?limit=100"),
        None,
    );
    let mut codes: Vec<(i64, String)> = r["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["code"].as_i64() != Some(0))
        .map(|m| {
            (
                m["code"].as_i64().unwrap(),
                m["sender_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    codes.sort();
    let mut want = vec![
        (3, bob.user_id.clone()),
        (4, carol.user_id.clone()),
        (6, carol.user_id.clone()),
        (7, bob.user_id.clone()),
        (8, bob.user_id.clone()),
        (9, bob.user_id.clone()),
    ];
    want.sort();
    assert_eq!(codes, want, "{r}");

    // Leaving: the last superadmin may not while bob is in the closed
    // group; bob may.
    refused(
        port,
        &alice,
        ("POST", &format!("/v2/group/{cid}/leave"), None),
        (
            400,
            3,
            "Cannot leave group when you are the last superadmin.",
        ),
    );
    ok(port, &bob, "POST", &format!("/v2/group/{cid}/leave"), None);
    assert_eq!(members(port, &alice, &cid, ""), [pair(&alice, 0)]);

    // Updating: admins only, Nakama's refusals, then a change.
    let path = format!("/v2/group/{cid}");
    refused(
        port,
        &bob,
        ("PUT", &path, Some(json!({"description": "x"}))),
        (404, 5, "Group not found or you're not allowed to update."),
    );
    refused(
        port,
        &alice,
        ("PUT", &path, Some(json!({"name": ""}))),
        (400, 3, "Group name cannot be empty."),
    );
    refused(
        port,
        &alice,
        ("PUT", &path, Some(json!({}))),
        (400, 3, "Specify at least one field to update."),
    );
    refused(
        port,
        &alice,
        ("PUT", &path, Some(json!({"name": open_name}))),
        (400, 3, "Group name is in use."),
    );
    ok(
        port,
        &alice,
        "PUT",
        &path,
        Some(json!({"description": "new", "open": true})),
    );

    // Listing: by name prefix, a page at a time; refusals.
    let page = ok(
        port,
        &dave,
        "GET",
        &format!("/v2/group?name=g{suffix}%25"),
        None,
    );
    assert_eq!(page["groups"][0]["name"], closed_name.as_str(), "{page}");
    assert_eq!(page["groups"][0]["description"], "new");
    assert_eq!(page["groups"][0]["open"], true);
    let cursor = page["cursor"].as_str().expect("a cursor").to_string();
    let next = ok(
        port,
        &dave,
        "GET",
        &format!("/v2/group?name=g{suffix}%25&cursor={cursor}"),
        None,
    );
    assert_eq!(next["groups"][0]["name"], open_name.as_str(), "{next}");
    assert!(next.get("cursor").is_none(), "{next}");
    let r = ok(
        port,
        &dave,
        "GET",
        &format!("/v2/group?name=G{suffix}-OPEN&limit=10"),
        None,
    );
    assert_eq!(
        r["groups"].as_array().map(Vec::len),
        Some(1),
        "case-insensitive: {r}"
    );
    // By the other filters (the open group: one member, alice).
    let by = |query: &str| -> Vec<Value> {
        let r = ok(
            port,
            &dave,
            "GET",
            &format!("/v2/group?limit=10&{query}"),
            None,
        );
        r["groups"].as_array().cloned().unwrap_or_default()
    };
    let only_open = |gs: Vec<Value>| gs.len() == 1 && gs[0]["id"] == gid.as_str();
    assert!(only_open(by(&format!("lang_tag={lang}"))));
    assert!(only_open(by(&format!(
        "lang_tag={lang}&open=true&members=1"
    ))));
    assert!(only_open(by(&format!("lang_tag={lang}&members=5"))));
    assert!(by(&format!("lang_tag={lang}&open=false")).is_empty());
    assert!(by(&format!("lang_tag={lang}&members=0")).is_empty());
    refused(
        port,
        &dave,
        ("GET", "/v2/group?name=x&lang_tag=en", None),
        (
            400,
            3,
            "name filter cannot be combined with any other filter",
        ),
    );
    refused(
        port,
        &dave,
        ("GET", "/v2/group?limit=0", None),
        (400, 3, "Invalid limit - limit must be between 1 and 100."),
    );

    // Bad ids, limits, states and cursors.
    let unknown = "6b3f0c3e-0000-4000-8000-00000000abcd";
    for (route, message) in [
        (
            ("DELETE", "/v2/group/nope".to_string()),
            "Group ID must be a valid ID.",
        ),
        (
            ("POST", "/v2/group/nope/join".to_string()),
            "Group ID must be a valid ID.",
        ),
        (
            ("POST", format!("/v2/group/{gid}/add?user_ids=nope")),
            "User ID must be a valid ID.",
        ),
        (
            ("POST", format!("/v2/group/{gid}/demote")),
            "User IDs must be set.",
        ),
        (
            ("GET", format!("/v2/group/{gid}/user?limit=101")),
            "Invalid limit - limit must be between 1 and 100.",
        ),
        (
            ("GET", format!("/v2/group/{gid}/user?state=5")),
            "Invalid state - state must be between 0 and 4.",
        ),
        (
            ("GET", format!("/v2/group/{gid}/user?cursor=garbage")),
            "Cursor is invalid.",
        ),
        (
            ("GET", "/v2/user/nope/group".to_string()),
            "Group ID must be a valid ID.",
        ),
    ] {
        refused(port, &dave, (route.0, &route.1, None), (400, 3, message));
    }
    refused(
        port,
        &dave,
        ("POST", &format!("/v2/group/{unknown}/join"), None),
        (404, 5, "Group not found."),
    );
    // Nothing to add is done at once.
    ok(port, &dave, "POST", &format!("/v2/group/{gid}/add"), None);

    // Deleting: superadmins only.
    refused(
        port,
        &bob,
        ("DELETE", &format!("/v2/group/{cid}"), None),
        (400, 3, "Group not found or you're not allowed to delete."),
    );
    ok(port, &alice, "DELETE", &format!("/v2/group/{cid}"), None);
    assert!(members(port, &alice, &cid, "").is_empty());
    // Leaving alone deletes the open group too.
    ok(
        port,
        &alice,
        "POST",
        &format!("/v2/group/{gid}/leave"),
        None,
    );
    let r = ok(
        port,
        &dave,
        "GET",
        &format!("/v2/group?name=g{suffix}%25&limit=10"),
        None,
    );
    assert!(r.get("groups").is_none(), "{r}");
    a.close();
    b.close();
    c.close();
}

/// One `nk_group` call: `Ok(answer)` or `Err((code, message))`.
fn nk(port: u16, body: Value) -> Result<Value, (i64, String)> {
    let (status, r) = crate::nk::call(port, "nk_group", &body.to_string());
    assert_eq!(status, 200, "{body}: {r}");
    match r.get("ok") {
        Some(v) => Ok(v.clone()),
        None => Err((
            r["error"][0].as_i64().unwrap_or(-1),
            r["error"][1].as_str().unwrap_or("").to_string(),
        )),
    }
}

fn nk_err(port: u16, body: Value, code: i64, message: &str) {
    assert_eq!(
        nk(port, body.clone()),
        Err((code, message.to_string())),
        "{body}"
    );
}

/// The group nk functions (fixture-nk's `nk_group`) and `channel_id_build`
/// of a group channel, on a host serving `fixtures/fixture-nk`.
pub fn check_nk_groups(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("ng-{n}-{suffix}"), &format!("ng{n}{suffix}"));
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));
    let name = format!("nkg{suffix}");
    let nil = "00000000-0000-0000-0000-000000000000";
    let unknown = "6b3f0c3e-0000-4000-8000-00000000abcd";

    // group_create.
    nk_err(
        port,
        json!({"call": "create", "user_id": "nope", "name": name}),
        3,
        "expects user ID to be a valid identifier",
    );
    nk_err(
        port,
        json!({"call": "create", "user_id": alice.user_id, "name": ""}),
        3,
        "expects group name not be empty",
    );
    nk_err(
        port,
        json!({"call": "create", "user_id": alice.user_id, "name": name, "max_count": 0}),
        3,
        "expects max_count to be >= 1",
    );
    let g = nk(
        port,
        json!({"call": "create", "user_id": alice.user_id, "name": name, "open": true,
               "metadata": {"lvl": 3}, "lang_tag": "de"}),
    )
    .expect("created");
    let gid = g["id"].as_str().unwrap().to_string();
    assert_eq!(
        (
            &g["creator_id"],
            &g["lang_tag"],
            &g["max_count"],
            &g["open"]
        ),
        (&json!(nil), &json!("de"), &json!(100), &json!(true)),
        "{g}"
    );
    let metadata: Value = serde_json::from_str(g["metadata"].as_str().unwrap()).unwrap();
    assert_eq!(metadata, json!({"lvl": 3}));
    nk_err(
        port,
        json!({"call": "create", "user_id": bob.user_id, "name": name}),
        6,
        "group name in use",
    );

    // groups_get_id.
    nk_err(
        port,
        json!({"call": "get_id", "group_ids": ["nope"]}),
        3,
        "each group id must be a valid id string",
    );
    let got = nk(port, json!({"call": "get_id", "group_ids": [gid, unknown]})).unwrap();
    assert_eq!(got.as_array().map(Vec::len), Some(1), "{got}");

    // group_update.
    nk_err(
        port,
        json!({"call": "update", "group_id": gid, "user_id": bob.user_id, "description": "x"}),
        7,
        "group permission denied",
    );
    nk_err(
        port,
        json!({"call": "update", "group_id": unknown, "description": "x"}),
        5,
        "group not updated",
    );
    nk_err(
        port,
        json!({"call": "update", "group_id": "nope"}),
        3,
        "expects group ID to be a valid identifier",
    );
    // `open` is always set (false would close it).
    nk(
        port,
        json!({"call": "update", "group_id": gid, "description": "nk", "open": true}),
    )
    .unwrap();
    let got = nk(port, json!({"call": "get_id", "group_ids": [gid]})).unwrap();
    assert_eq!(got[0]["description"], "nk", "{got}");

    // group_user_join / group_users_list / user_groups_list.
    nk_err(
        port,
        json!({"call": "join", "group_id": gid, "user_id": bob.user_id, "username": ""}),
        3,
        "expects a username string",
    );
    nk_err(
        port,
        json!({"call": "join", "group_id": unknown, "user_id": bob.user_id, "username": "b"}),
        5,
        "group not found",
    );
    nk(
        port,
        json!({"call": "join", "group_id": gid, "user_id": bob.user_id, "username": bob.username}),
    )
    .unwrap();
    let states = |state: Option<i64>| -> Vec<(String, i64)> {
        let r = nk(
            port,
            json!({"call": "users", "group_id": gid, "limit": 10, "state": state}),
        )
        .unwrap();
        r["group_users"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|g| {
                (
                    g["user"]["id"].as_str().unwrap().to_string(),
                    g["state"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(states(None), [pair(&alice, 0), pair(&bob, 2)]);
    nk_err(
        port,
        json!({"call": "users", "group_id": gid, "limit": 0}),
        3,
        "expects limit to be 1-10000",
    );
    nk_err(
        port,
        json!({"call": "users", "group_id": gid, "limit": 1, "state": 5}),
        3,
        "expects state to be 0-4",
    );
    let page = nk(port, json!({"call": "users", "group_id": gid, "limit": 1})).unwrap();
    let cursor = page["cursor"].as_str().expect("a cursor");
    let next = nk(
        port,
        json!({"call": "users", "group_id": gid, "limit": 1, "cursor": cursor}),
    )
    .unwrap();
    assert_eq!(next["group_users"][0]["user"]["id"], bob.user_id.as_str());
    let mine = nk(
        port,
        json!({"call": "user_groups", "user_id": bob.user_id, "limit": 10}),
    )
    .unwrap();
    assert_eq!(
        mine["user_groups"][0]["group"]["id"],
        gid.as_str(),
        "{mine}"
    );
    assert_eq!(mine["user_groups"][0]["state"], 2);
    nk_err(
        port,
        json!({"call": "user_groups", "user_id": bob.user_id, "limit": 101}),
        3,
        "expects limit to be 1-100",
    );

    // The channel id of a member's group channel, and a stranger's refusal.
    let build = |sender: &User| {
        crate::nk::call(
            port,
            "nk_channel",
            &json!({"call": "id_build", "sender_id": sender.user_id, "target": gid,
                    "channel_type": "group"})
            .to_string(),
        )
        .1
    };
    assert_eq!(build(&bob)["ok"], format!("3.{gid}.."));
    assert_eq!(
        build(&carol)["error"],
        json!([3, "Group not found: Invalid channel target"])
    );

    // Adding, roles, kicking, banning.
    let members = |call: &str, caller: &str, users: Value| {
        nk(
            port,
            json!({"call": call, "caller_id": caller, "group_id": gid, "user_ids": users}),
        )
    };
    assert_eq!(
        members("add", "", json!([nil])),
        Err((3, "cannot add the root user".into()))
    );
    assert_eq!(
        members("ban", "", json!([nil])),
        Err((3, "cannot ban the root user".into()))
    );
    assert_eq!(
        members("add", "nope", json!([carol.user_id])),
        Err((
            3,
            "expects caller ID to be empty or a valid identifier".into()
        ))
    );
    assert_eq!(
        members("add", "", json!(["nope"])),
        Err((3, "expects each user ID to be a valid identifier".into()))
    );
    assert_eq!(
        members("add", "", json!([unknown])),
        Err((5, "user not found".into()))
    );
    members("add", "", json!([carol.user_id])).unwrap();
    members("promote", "", json!([carol.user_id])).unwrap();
    assert_eq!(
        states(None),
        [pair(&alice, 0), pair(&carol, 1), pair(&bob, 2)]
    );
    members("demote", "", json!([carol.user_id])).unwrap();
    assert_eq!(
        members("kick", &bob.user_id, json!([carol.user_id])),
        Err((7, "group permission denied".into()))
    );
    members("kick", &alice.user_id, json!([carol.user_id])).unwrap();
    members("ban", "", json!([bob.user_id])).unwrap();
    assert_eq!(states(None), [pair(&alice, 0)]);
    assert_eq!(states(Some(4)), [pair(&bob, 4)]);
    assert_eq!(
        members("kick", "", json!([carol.user_id])),
        Ok(Value::Null),
        "kicking someone not in it is nothing"
    );

    // groups_list, groups_get_random.
    nk_err(
        port,
        json!({"call": "list", "name": name, "members": 3, "limit": 1}),
        3,
        "name filter cannot be combined with any other filter",
    );
    nk_err(
        port,
        json!({"call": "list", "name": name, "limit": 0}),
        3,
        "expects limit to be 1-100",
    );
    let listed = nk(port, json!({"call": "list", "name": name, "limit": 10})).unwrap();
    assert_eq!(listed["groups"][0]["id"], gid.as_str(), "{listed}");
    nk_err(
        port,
        json!({"call": "random", "count": -1}),
        3,
        "count must be 0-1000",
    );
    assert_eq!(
        nk(port, json!({"call": "random", "count": 0})),
        Ok(json!([]))
    );
    let some = nk(port, json!({"call": "random", "count": 1})).unwrap();
    assert_eq!(some.as_array().map(Vec::len), Some(1), "{some}");

    // group_user_leave: the last superadmin stays while carol is in.
    members("add", "", json!([carol.user_id])).unwrap();
    nk_err(
        port,
        json!({"call": "leave", "group_id": gid, "user_id": alice.user_id, "username": alice.username}),
        3,
        "user is last group superadmin",
    );
    nk(
        port,
        json!({"call": "leave", "group_id": gid, "user_id": carol.user_id, "username": carol.username}),
    )
    .unwrap();

    // The membership messages, in the history as the server reads it.
    let history = crate::nk::call(
        port,
        "nk_channel",
        &json!({"call": "list", "channel_id": format!("3.{gid}.."), "limit": 100,
                "forward": true})
        .to_string(),
    )
    .1;
    let mut codes: Vec<i64> = history["ok"]["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| m["code"].as_i64().unwrap())
        .collect();
    codes.sort();
    assert_eq!(codes, [3, 4, 4, 5, 6, 7, 8, 9], "{history}");

    // group_delete: gone; deleting again is nothing.
    nk(port, json!({"call": "delete", "group_id": gid})).unwrap();
    assert_eq!(
        nk(port, json!({"call": "get_id", "group_ids": [gid]})),
        Ok(json!([]))
    );
    nk(port, json!({"call": "delete", "group_id": gid})).unwrap();
    nk_err(
        port,
        json!({"call": "delete", "group_id": "nope"}),
        3,
        "expects group ID to be a valid identifier",
    );
}

/// A module's before hook on `CreateGroup` (fixture-nk's) rewrites,
/// drops and refuses group creations, on both hosts.
pub fn check_group_hooks(port: u16) {
    let suffix = crate::run_suffix();
    let alice = User::new(port, &format!("gh-{suffix}"), &format!("gh{suffix}"));
    let hooked = ok(
        port,
        &alice,
        "POST",
        "/v2/group",
        Some(json!({"name": format!("g{suffix}-hooked"), "description": "mine"})),
    );
    assert_eq!(hooked["description"], "set by hook", "{hooked}");
    refused(
        port,
        &alice,
        (
            "POST",
            "/v2/group",
            Some(json!({"name": format!("g{suffix}-dropped")})),
        ),
        (404, 5, "Requested resource was not found."),
    );
    refused(
        port,
        &alice,
        (
            "POST",
            "/v2/group",
            Some(json!({"name": format!("g{suffix}-refused")})),
        ),
        (400, 9, "no such groups here"),
    );
    let r = ok(
        port,
        &alice,
        "GET",
        &format!("/v2/group?name=g{suffix}%25&limit=10"),
        None,
    );
    assert_eq!(r["groups"].as_array().map(Vec::len), Some(1), "{r}");
}
