//! Accounts as Nakama 3.40.0 changes them (server/api_account.go,
//! api_link.go, api_unlink.go, core_account.go, core_link.go,
//! core_unlink.go, core_user.go, core_multi.go, core_wallet.go,
//! runtime_go_nakama.go), on a host serving `fixtures/fixture-nk`:
//!
//! - [`check_account_routes`]: `POST /v2/account/link/{custom,device,email}`,
//!   `POST /v2/account/unlink/{custom,device,email}` and
//!   `DELETE /v2/account`: links and what they let log in, ids another
//!   account holds, the last way in kept, Nakama's refusals, tokens that
//!   stop working, and fixture-nk's hooks around them;
//! - [`check_nk_accounts`]: the nk functions (through fixture-nk's
//!   `nk_account_call`): bans and what they do to sessions and logins,
//!   links and unlinks, deletion, the export's shape, relationship states,
//!   random users, ledger item metadata and `MultiUpdate`'s all or nothing,
//!   with Nakama's refusals; a banned or deleted user's sockets closed.
//!
//! Times are not compared. Checks that need a token issued before a ban or
//! a deletion wait a second: Nakama tells a token's age from its expiry,
//! in whole seconds.

use std::time::Duration;

use serde_json::{json, Value};

use crate::http::{authenticate_custom, request};
use crate::realtime::{Socket, User};

const SERVER_KEY: &str = "Basic ZGVmYXVsdGtleTo=";
const LAST_LINK: &str =
    "Cannot unlink last account identifier. Check profile exists and is not last link.";

/// A call with the session `token`: (status, JSON body).
fn call(port: u16, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string());
    let r = request(
        port,
        method,
        path,
        &[("Authorization", &format!("Bearer {token}"))],
        body.as_deref().map(str::as_bytes),
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    (r.status, r.json())
}

/// A `POST` of `body` that must answer `{}`.
fn done(port: u16, user: &User, path: &str, body: Value) {
    let (status, got) = call(port, &user.token, "POST", path, Some(body.clone()));
    assert_eq!((status, &got), (200, &json!({})), "{path} {body}");
}

/// A `POST` of `body` that must be refused with `status`, `code` and
/// `message`.
fn refused(port: u16, user: &User, path: &str, body: Value, want: (u16, i64, &str)) {
    let (status, got) = call(port, &user.token, "POST", path, Some(body.clone()));
    assert_eq!(
        (status, got["code"].as_i64(), got["message"].as_str()),
        (want.0, Some(want.1), Some(want.2)),
        "{path} {body}: {got}"
    );
}

/// The caller's account (`GET /v2/account`).
fn account(port: u16, token: &str) -> (u16, Value) {
    call(port, token, "GET", "/v2/account", None)
}

/// Authenticates with `kind` (`custom`, `device`, `email`) and `body`
/// without creating: (status, JSON body).
fn login(port: u16, kind: &str, body: Value) -> (u16, Value) {
    let r = request(
        port,
        "POST",
        &format!("/v2/account/authenticate/{kind}?create=false"),
        &[("Authorization", SERVER_KEY)],
        Some(body.to_string().as_bytes()),
    )
    .expect("authenticate");
    (r.status, r.json())
}

/// The user id a session token is for.
fn user_of(port: u16, token: &str) -> String {
    let (status, a) = account(port, token);
    assert_eq!(status, 200, "{a}");
    a["user"]["id"].as_str().unwrap().to_string()
}

/// What fixture-nk's after hook `hook` recorded for `user_id`, if it ran.
fn hook_record(port: u16, hook: &str, user_id: &str) -> Option<Value> {
    let key = format!("{hook}:{user_id}");
    match nk(port, json!({"call": "hook_record", "key": key})) {
        Ok(Value::Null) => None,
        Ok(v) => Some(v),
        Err(e) => panic!("reading {key}: {e:?}"),
    }
}

/// Malformed bodies on a client API route (`PUT /v2/account`), answered
/// in Nakama's gateway's words: Go's `encoding/json` for the syntax,
/// protojson for a value that is not an object or a string that is not
/// UTF-8; and what follows the body's first JSON value is not read.
pub fn check_malformed_bodies(port: u16) {
    let suffix = crate::run_suffix();
    let user = User::new(port, &format!("mb-ann-{suffix}"), &format!("mbann{suffix}"));
    let bearer = format!("Bearer {}", user.token);
    let put = |body: &[u8]| {
        let r = request(
            port,
            "PUT",
            "/v2/account",
            &[("Authorization", &bearer)],
            Some(body),
        )
        .expect("PUT /v2/account");
        // protobuf-go writes a space or a no-break space after `proto:`.
        let message = r.json()["message"]
            .as_str()
            .map(|m| m.replace('\u{a0}', " "));
        (r.status, message)
    };
    for (body, message) in [
        (&br#"{"display_name": "x""#[..], "unexpected EOF"),
        (
            br#"{"display_name":tru}"#,
            "invalid character '}' in literal true (expecting 'e')",
        ),
        (
            br#"{"display_name" "x"}"#,
            "invalid character '\"' after object key",
        ),
        (
            br#"{"lang_tag":"en",}"#,
            "invalid character '}' looking for beginning of object key string",
        ),
        (
            b"\x0c{}",
            "invalid character '\\f' looking for beginning of value",
        ),
        (b"[]", "proto: syntax error (line 1:1): unexpected token ["),
        (b"5x", "proto: syntax error (line 1:1): unexpected token 5"),
        (
            b"{\n \"display_name\": \"a\xffb\"}",
            "proto: syntax error (line 2:18): invalid UTF-8 in string",
        ),
    ] {
        let shown = String::from_utf8_lossy(body);
        assert_eq!(put(body), (400, Some(message.to_string())), "{shown}");
    }
    // What follows the first value is not read.
    let name = format!("mb{suffix}");
    let body = format!("{{\"display_name\":\"{name}\"}} {{not json");
    assert_eq!(put(body.as_bytes()).0, 200);
    let r = request(
        port,
        "GET",
        "/v2/account",
        &[("Authorization", &bearer)],
        None,
    )
    .expect("GET /v2/account");
    assert_eq!(
        r.json()["user"]["display_name"],
        name.as_str(),
        "{}",
        r.text()
    );
}

/// Body fields read with protojson's rules, as Nakama's gateway reads
/// them: lowerCamel names, `null` for unset, integers in strings, a field
/// named twice refused, and a value of the wrong kind refused naming the
/// field's kind and JSON name (`src/protojson.rs` on the dev host).
pub fn check_body_fields(port: u16) {
    let suffix = crate::run_suffix();
    let user = User::new(port, &format!("bf-ann-{suffix}"), &format!("bfann{suffix}"));
    let bearer = format!("Bearer {}", user.token);
    let send = |method: &str, path: &str, body: &str| {
        let r = request(
            port,
            method,
            path,
            &[("Authorization", &bearer)],
            Some(body.as_bytes()),
        )
        .expect(path);
        let json = r.json();
        // protobuf-go writes a space or a no-break space after `proto:`.
        let message = json["message"].as_str().map(|m| m.replace('\u{a0}', " "));
        (r.status, message, json)
    };
    for (method, path, body, message) in [
        (
            "PUT",
            "/v2/account",
            r#"{"display_name": 5}"#,
            "proto: (line 1:18): invalid value for string field value: 5",
        ),
        (
            "PUT",
            "/v2/account",
            r#"{"display_name":"a","displayName":"b"}"#,
            r#"proto: (line 1:21): duplicate field "displayName""#,
        ),
        (
            "POST",
            "/v2/group",
            r#"{"name":"g","max_count":5.5}"#,
            "proto: (line 1:25): invalid value for int32 field maxCount: 5.5",
        ),
        (
            "POST",
            "/v2/group",
            r#"{"name":"g","open":"true"}"#,
            r#"proto: (line 1:20): invalid value for bool field open: "true""#,
        ),
        (
            "POST",
            "/v2/event",
            r#"{"name":"e","timestamp":"2020-01-01 00:00:00Z"}"#,
            r#"proto: (line 1:25): invalid google.protobuf.Timestamp value "2020-01-01 00:00:00Z""#,
        ),
    ] {
        let (status, got, json) = send(method, path, body);
        assert_eq!(
            (status, got.as_deref()),
            (400, Some(message)),
            "{method} {path} {body}: {json}"
        );
    }

    // A lowerCamel name, and null for a field left as it is.
    let name = format!("bf{suffix}");
    let body = format!(r#"{{"displayName":"{name}","location":null}}"#);
    assert_eq!(send("PUT", "/v2/account", &body).0, 200);
    let (_, _, account) = send("GET", "/v2/account", "");
    assert_eq!(account["user"]["display_name"], name.as_str(), "{account}");

    // A value longer than its column in Nakama's schema fails the whole
    // update, as PostgreSQL refuses it.
    let body = r#"{"timezone":"tz","lang_tag":"1234567890123456789"}"#;
    let (status, message, _) = send("PUT", "/v2/account", body);
    let failed = Some("Error while trying to update account.".to_string());
    assert_eq!((status, message), (500, failed));
    let (_, _, account) = send("GET", "/v2/account", "");
    assert_eq!(account["user"].get("timezone"), None, "{account}");
    // A storage delete names a collection and a key.
    let body = r#"{"object_ids":[{"collection":"c"}]}"#;
    let (status, message, _) = send("PUT", "/v2/storage/delete", body);
    let unset = "Invalid collection or key value supplied. They must be set.";
    assert_eq!((status, message.as_deref()), (400, Some(unset)));

    // An integer in a string, in a field named in lowerCamel.
    let group = format!("bf-group-{suffix}");
    let body = format!(r#"{{"name":"{group}","maxCount":"7","open":true,"description":null}}"#);
    let (status, _, created) = send("POST", "/v2/group", &body);
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["max_count"], 7, "{created}");
    assert_eq!(created["open"], true, "{created}");
}

/// Query parameters read as grpc-gateway reads them into a request: Go's
/// `strconv` for numbers and booleans, in its words; one value per field;
/// a field named by its proto or its JSON name.
pub fn check_query_params(port: u16) {
    let user = User::fresh(port, "qp", "ann");
    let bearer = format!("Bearer {}", user.token);
    let get = |path: &str| {
        let r = request(port, "GET", path, &[("Authorization", &bearer)], None).expect(path);
        (r.status, r.json()["message"].as_str().map(str::to_string))
    };
    let parsing = |field: &str, func: &str, value: &str, why: &str| {
        format!("parsing field \"{field}\": strconv.{func}: parsing \"{value}\": {why}")
    };
    for (path, message) in [
        (
            "/v2/friend?limit=abc",
            parsing("limit", "ParseInt", "abc", "invalid syntax"),
        ),
        (
            "/v2/friend?limit=99999999999",
            parsing("limit", "ParseInt", "99999999999", "value out of range"),
        ),
        (
            "/v2/tournament?start_time=-1",
            parsing("start_time", "ParseUint", "-1", "invalid syntax"),
        ),
        (
            "/v2/group?open=maybe",
            parsing("open", "ParseBool", "maybe", "invalid syntax"),
        ),
        (
            "/v2/match?minSize=abc",
            parsing("min_size", "ParseInt", "abc", "invalid syntax"),
        ),
        (
            "/v2/friend?limit=5&limit=6",
            "too many values for field \"limit\": 5, 6".to_string(),
        ),
        (
            "/v2/storage/saves?user_id=abc",
            "Invalid user ID - make sure user ID is a valid UUID.".to_string(),
        ),
    ] {
        assert_eq!(get(path), (400, Some(message)), "{path}");
    }
    for path in ["/v2/group?open=T", "/v2/friend?limit=%2B5&state=0"] {
        assert_eq!(get(path).0, 200, "{path}");
    }

    // A text field given twice is refused too, wrapped ones (`label`)
    // included. The gateway reads the query, and a body, before the
    // auth check: a malformed one answers 400 whatever the token.
    let too_many = |field: &str| format!("too many values for field \"{field}\": a, b");
    let twice = [
        ("/v2/friend?cursor=a&cursor=b", too_many("cursor")),
        ("/v2/friend/friends?cursor=a&cursor=b", too_many("cursor")),
        ("/v2/storage/saves?user_id=a&user_id=b", too_many("user_id")),
        (
            "/v2/leaderboard/board?cursor=a&cursor=b",
            too_many("cursor"),
        ),
        (
            "/v2/tournament/t/owner/o?cursor=a&cursor=b",
            too_many("cursor"),
        ),
        ("/v2/match?label=a&label=b", too_many("label")),
        (
            "/v2/notification?cacheable_cursor=a&cacheable_cursor=b",
            too_many("cacheable_cursor"),
        ),
        (
            "/v2/group?limit=abc",
            parsing("limit", "ParseInt", "abc", "invalid syntax"),
        ),
    ];
    for (path, message) in twice {
        assert_eq!(get(path), (400, Some(message.clone())), "{path}");
        for auth in [None, Some("Bearer bad")] {
            let headers: Vec<(&str, &str)> =
                auth.map(|a| ("Authorization", a)).into_iter().collect();
            let r = request(port, "GET", path, &headers, None).expect(path);
            assert_eq!(
                (r.status, r.json()["message"].clone()),
                (400, json!(message)),
                "{path} {auth:?}"
            );
        }
    }
    let malformed = "invalid character 'b' looking for beginning of object key string";
    let wrong_key = "Basic d3JvbmdrZXk6"; // wrongkey:
    let no_auth: &[(&str, &str)] = &[];
    for (method, path, headers, body, message) in [
        ("PUT", "/v2/account", no_auth, "{bad", malformed.to_string()),
        (
            "POST",
            "/v2/friend?metadata=a&metadata=b",
            no_auth,
            "",
            too_many("metadata"),
        ),
        (
            "POST",
            "/v2/account/link/facebook?sync=x",
            no_auth,
            "{bad",
            malformed.to_string(),
        ),
        (
            "POST",
            "/v2/account/link/facebook?sync=x",
            no_auth,
            "{}",
            parsing("sync", "ParseBool", "x", "invalid syntax"),
        ),
        (
            "POST",
            "/v2/account/authenticate/custom",
            &[("Authorization", wrong_key)],
            "{bad",
            malformed.to_string(),
        ),
        (
            "POST",
            "/v2/account/session/refresh",
            no_auth,
            "{bad",
            malformed.to_string(),
        ),
        (
            "POST",
            "/v2/account/authenticate/custom?create=x",
            no_auth,
            "{\"id\":\"cid-123456\"}",
            parsing("create", "ParseBool", "x", "invalid syntax"),
        ),
        (
            "POST",
            "/v2/account/authenticate/device?username=a&username=b",
            &[("Authorization", SERVER_KEY)],
            "{\"id\":\"qp-device-123456\"}",
            too_many("username"),
        ),
    ] {
        let r = request(port, method, path, headers, Some(body.as_bytes())).expect(path);
        assert_eq!(
            (r.status, r.json()["message"].clone()),
            (400, json!(message)),
            "{method} {path}"
        );
    }
    // Go's booleans: `F` is false, so no account is made.
    let r = request(
        port,
        "POST",
        "/v2/account/authenticate/device?create=F",
        &[("Authorization", SERVER_KEY)],
        Some(format!("{{\"id\":\"qp-device-{}\"}}", crate::run_suffix()).as_bytes()),
    )
    .expect("create=F");
    assert_eq!(
        (r.status, r.json()["message"].clone()),
        (404, json!("User account not found."))
    );
}

/// The client's link, unlink and delete routes on the host on `port`.
pub fn check_account_routes(port: u16) {
    let suffix = crate::run_suffix();
    let ann = User::new(
        port,
        &format!("acr-ann-{suffix}"),
        &format!("acrann{suffix}"),
    );
    let bob = User::new(
        port,
        &format!("acr-bob-{suffix}"),
        &format!("acrbob{suffix}"),
    );
    let device = format!("acr-device-{suffix}");
    let email = format!("acr-{suffix}@example.com");

    // Links, and Nakama's checks of what is linked.
    done(port, &ann, "/v2/account/link/device", json!({"id": device}));
    done(port, &ann, "/v2/account/link/device", json!({"id": device}));
    let bad = |message: &'static str| (400, 3, message);
    for (path, body, message) in [
        (
            "/v2/account/link/custom",
            json!({}),
            "Custom ID is required.",
        ),
        (
            "/v2/account/link/custom",
            json!({"id": "has space"}),
            "Invalid custom ID, no spaces or control characters allowed.",
        ),
        (
            "/v2/account/link/custom",
            json!({"id": "short"}),
            "Invalid custom ID, must be 6-128 bytes.",
        ),
        (
            "/v2/account/link/device",
            json!({"id": ""}),
            "Device ID is required.",
        ),
        (
            "/v2/account/link/device",
            json!({"id": "too-short"}),
            "Device ID invalid, must be 10-128 bytes.",
        ),
        (
            "/v2/account/link/email",
            json!({"email": email}),
            "Email address and password is required.",
        ),
        (
            "/v2/account/link/email",
            json!({"email": email, "password": "short"}),
            "Password must be at least 8 characters long.",
        ),
        (
            "/v2/account/link/email",
            json!({"email": "no-at-sign.example.com", "password": "password1"}),
            "Invalid email address format.",
        ),
        (
            "/v2/account/link/email",
            json!({"email": "a@b.cd", "password": "password1"}),
            "Invalid email address, must be 10-255 bytes.",
        ),
        (
            "/v2/account/unlink/device",
            json!({}),
            "A device ID must be supplied.",
        ),
    ] {
        refused(port, &ann, path, body, bad(message));
    }
    let upper = email.to_uppercase();
    done(
        port,
        &ann,
        "/v2/account/link/email",
        json!({"email": upper, "password": "password1"}),
    );
    let (_, a) = account(port, &ann.token);
    assert_eq!(a["email"], json!(email), "kept in lower case: {a}");
    assert_eq!(a["custom_id"], json!(format!("acr-ann-{suffix}")), "{a}");
    assert_eq!(a["devices"], json!([{"id": device}]), "{a}");
    // Each way in finds the account.
    let (status, s) = login(port, "device", json!({"id": device}));
    assert_eq!(status, 200, "{s}");
    assert_eq!(user_of(port, s["token"].as_str().unwrap()), ann.user_id);
    let (status, s) = login(
        port,
        "email",
        json!({"email": email, "password": "password1"}),
    );
    assert_eq!(status, 200, "{s}");

    // What another account holds is refused.
    let taken = |m: &'static str| (409, 6, m);
    refused(
        port,
        &bob,
        "/v2/account/link/device",
        json!({"id": device}),
        taken("Device ID already in use."),
    );
    refused(
        port,
        &bob,
        "/v2/account/link/custom",
        json!({"id": format!("acr-ann-{suffix}")}),
        taken("Custom ID is already in use."),
    );
    refused(
        port,
        &bob,
        "/v2/account/link/email",
        json!({"email": email, "password": "password2"}),
        taken("Email is already in use."),
    );

    // fixture-nk's hooks: a dropped link, a changed one, what ran after.
    refused(
        port,
        &bob,
        "/v2/account/link/custom",
        json!({"id": "hook-drop-id"}),
        (404, 5, "Requested resource was not found."),
    );
    assert_eq!(hook_record(port, "link_custom", &bob.user_id), None);
    let stamp = format!("acr-bob2-{suffix}-stamp");
    done(port, &bob, "/v2/account/link/custom", json!({"id": stamp}));
    let (_, b) = account(port, &bob.token);
    assert_eq!(b["custom_id"], json!(format!("{stamp}ed")), "replaced: {b}");
    assert_eq!(
        hook_record(port, "link_custom", &bob.user_id),
        Some(json!({"id": format!("{stamp}ed")}))
    );
    let (status, _) = login(port, "custom", json!({"id": format!("acr-bob-{suffix}")}));
    assert_eq!(status, 404, "the replaced custom id no longer logs in");
    // bob's custom id is his only way in.
    refused(
        port,
        &bob,
        "/v2/account/unlink/custom",
        json!({"id": format!("{stamp}ed")}),
        (403, 7, LAST_LINK),
    );

    // Unlinks: only what the account has, never its last way in.
    let denied = (403, 7, LAST_LINK);
    refused(
        port,
        &ann,
        "/v2/account/unlink/device",
        json!({"id": "not-my-device-0"}),
        denied,
    );
    refused(
        port,
        &ann,
        "/v2/account/unlink/email",
        json!({"email": "other@example.com"}),
        denied,
    );
    done(
        port,
        &ann,
        "/v2/account/unlink/custom",
        json!({"id": format!("acr-ann-{suffix}")}),
    );
    let (status, s) = login(port, "custom", json!({"id": format!("acr-ann-{suffix}")}));
    assert_eq!(
        (status, &s["message"]),
        (404, &json!("User account not found.")),
        "{s}"
    );
    done(
        port,
        &ann,
        "/v2/account/unlink/email",
        json!({"email": upper}),
    );
    let (_, a) = account(port, &ann.token);
    assert_eq!((a.get("email"), a.get("custom_id")), (None, None), "{a}");
    refused(
        port,
        &ann,
        "/v2/account/unlink/device",
        json!({"id": device}),
        denied,
    );
    // Nothing to unlink, but another way in remains: no refusal.
    done(port, &ann, "/v2/account/unlink/custom", json!({}));
    let second = format!("acr-device2-{suffix}");
    done(port, &ann, "/v2/account/link/device", json!({"id": second}));
    assert_eq!(hook_record(port, "unlink_device", &ann.user_id), None);
    done(
        port,
        &ann,
        "/v2/account/unlink/device",
        json!({"id": device}),
    );
    assert_eq!(
        hook_record(port, "unlink_device", &ann.user_id),
        Some(json!({"id": device}))
    );
    let (_, a) = account(port, &ann.token);
    assert_eq!(a["devices"], json!([{"id": second}]), "{a}");

    // Deletion: fixture-nk's before hook refuses a session with the
    // variable `keep`; otherwise the account goes and its tokens with it.
    let cid = format!("acr-cat-{suffix}");
    let kept = authenticate_custom(
        port,
        &format!("acrcat{suffix}"),
        &json!({"id": cid, "vars": {"keep": "1"}}).to_string(),
    );
    let cat_id = user_of(port, &kept);
    let (status, got) = call(port, &kept, "DELETE", "/v2/account", None);
    assert_eq!(
        (status, &got),
        (403, &json!({"code": 7, "message": "this account is kept"}))
    );
    let token = authenticate_custom(port, "", &json!({"id": cid}).to_string());
    std::thread::sleep(Duration::from_millis(1100));
    let cat = User {
        token: token.clone(),
        user_id: cat_id.clone(),
        username: format!("acrcat{suffix}"),
    };
    // cat runs a group alone and is in bob's.
    let create = |token: &str, name: &str| {
        let body = json!({"name": name, "open": true});
        let (status, g) = call(port, token, "POST", "/v2/group", Some(body));
        assert_eq!(status, 200, "{g}");
        g["id"].as_str().unwrap().to_string()
    };
    let (cats, bobs) = (format!("acr-cats-{suffix}"), format!("acr-bobs-{suffix}"));
    create(&token, &cats);
    let bobs_id = create(&bob.token, &bobs);
    let join = format!("/v2/group/{bobs_id}/join");
    assert_eq!(call(port, &token, "POST", &join, None).0, 200);
    let group = |name: &str| {
        let (status, list) = call(
            port,
            &bob.token,
            "GET",
            &format!("/v2/group?name={name}"),
            None,
        );
        assert_eq!(status, 200, "{list}");
        list["groups"].get(0).cloned()
    };
    assert_eq!(group(&bobs).unwrap()["edge_count"], json!(2));
    let mut socket = Socket::open(port, &cat);
    socket.ready();
    let (status, got) = call(port, &token, "DELETE", "/v2/account", None);
    assert_eq!((status, &got), (200, &json!({})));
    assert_eq!(group(&cats), None, "the group cat ran alone went");
    assert_eq!(
        group(&bobs).unwrap()["edge_count"],
        json!(1),
        "cat left bob's"
    );
    let (closed, _) = socket.wait_closed();
    assert_eq!(closed, (1000, "server-side session disconnect".to_string()));
    assert_eq!(
        hook_record(port, "delete_account", &cat_id),
        Some(json!({"deleted": true}))
    );
    for t in [&token, &kept] {
        let (status, got) = account(port, t);
        assert_eq!(
            (status, &got),
            (401, &json!({"code": 16, "message": "Auth token invalid"})),
            "a deleted account's token"
        );
    }
    let (status, got) = login(port, "custom", json!({"id": cid}));
    assert_eq!(
        (status, &got["message"]),
        (404, &json!("User account not found."))
    );
    // The id is free again: a new account.
    let again = authenticate_custom(port, "", &json!({"id": cid}).to_string());
    assert_ne!(user_of(port, &again), cat_id);
}

/// Calls `nk_account_call` with `body`: the answer or (code, message).
/// One `nk_account_call` of fixture-nk: its answer or `(code, message)`.
pub(crate) fn nk(port: u16, body: Value) -> Result<Value, (i64, String)> {
    let (status, r) = crate::nk::call(port, "nk_account_call", &body.to_string());
    assert_eq!(status, 200, "{body}: {r}");
    match r.get("error") {
        Some(e) => Err((e[0].as_i64().unwrap(), e[1].as_str().unwrap().to_string())),
        None => Ok(r["ok"].clone()),
    }
}

pub(crate) fn refusal(code: i64, message: &str) -> Result<Value, (i64, String)> {
    Err((code, message.to_string()))
}

/// The export of `user_id`, parsed.
fn export(port: u16, user_id: &str) -> Value {
    nk(port, json!({"call": "export", "user_id": user_id})).expect("export")
}

/// The account, link and wallet nk functions on the host on `port`.
pub fn check_nk_accounts(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| {
        User::new(
            port,
            &format!("nka-{n}-{suffix}"),
            &format!("nka{n}{suffix}"),
        )
    };
    let (dan, eve, fay, gus) = (user("dan"), user("eve"), user("fay"), user("gus"));
    let nil = "00000000-0000-0000-0000-000000000000";
    let unknown = "5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11";

    // Bans: the tokens the user holds stop working, logging in is refused
    // until the ban is lifted.
    let bad_ids = "each user id must be a valid id string";
    assert_eq!(
        nk(port, json!({"call": "ban", "user_ids": ["nope"]})),
        refusal(3, bad_ids)
    );
    assert_eq!(
        nk(port, json!({"call": "unban", "user_ids": ["nope"]})),
        refusal(3, bad_ids)
    );
    assert_eq!(
        nk(port, json!({"call": "ban", "user_ids": []})),
        Ok(Value::Null)
    );
    let (status, dans) = login(port, "custom", json!({"id": format!("nka-dan-{suffix}")}));
    assert_eq!(status, 200, "{dans}");
    std::thread::sleep(Duration::from_millis(1100));
    let mut socket = Socket::open(port, &dan);
    socket.ready();
    let ban = json!({"call": "ban", "user_ids": [dan.user_id, unknown]});
    assert_eq!(nk(port, ban), Ok(Value::Null));
    // Its socket is told, then closed.
    let (closed, before) = socket.wait_closed();
    assert_eq!(closed, (1000, "server-side session disconnect".to_string()));
    let told: Vec<(&Value, &Value, &Value)> = before
        .iter()
        .flat_map(|e| {
            e["notifications"]["notifications"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .map(|n| (&n["subject"], &n["code"], &n["content"]))
        .collect();
    assert_eq!(
        told,
        [(&json!("banned"), &json!(-8), &json!("{}"))],
        "{before:?}"
    );
    let (status, got) = account(port, &dan.token);
    assert_eq!(
        (status, &got["message"]),
        (401, &json!("Auth token invalid")),
        "{got}"
    );
    let r = request(
        port,
        "POST",
        "/v2/account/session/refresh",
        &[("Authorization", SERVER_KEY)],
        Some(
            json!({"token": dans["refresh_token"]})
                .to_string()
                .as_bytes(),
        ),
    )
    .unwrap();
    assert_eq!(
        (r.status, r.json()),
        (
            401,
            json!({"code": 16, "message": "Refresh token invalid or expired."})
        ),
        "a refresh token from before the ban"
    );
    let banned = login(port, "custom", json!({"id": format!("nka-dan-{suffix}")}));
    assert_eq!(
        banned,
        (403, json!({"code": 7, "message": "User account banned."}))
    );
    let (_, a) = account(port, &eve.token);
    assert!(a.get("disable_time").is_none(), "{a}");
    let unban = json!({"call": "unban", "user_ids": [dan.user_id]});
    assert_eq!(nk(port, unban), Ok(Value::Null));
    let (status, s) = login(port, "custom", json!({"id": format!("nka-dan-{suffix}")}));
    assert_eq!(status, 200, "{s}");
    assert_eq!(user_of(port, s["token"].as_str().unwrap()), dan.user_id);

    // Links and unlinks, with Nakama's refusals.
    let bad_user = "user ID must be a valid identifier";
    for c in [
        "link_custom",
        "link_device",
        "unlink_custom",
        "unlink_device",
        "unlink_email",
    ] {
        let got = nk(
            port,
            json!({"call": c, "user_id": "nope", "id": "whatever-id-1"}),
        );
        assert_eq!(got, refusal(3, bad_user), "{c}");
    }
    let link_email = json!({"call": "link_email", "user_id": "nope", "email": "x@example.com", "password": "password1"});
    assert_eq!(nk(port, link_email), refusal(3, bad_user));
    let link =
        |call: &str, u: &str, id: &str| nk(port, json!({"call": call, "user_id": u, "id": id}));
    let device = format!("nka-device-{suffix}");
    assert_eq!(link("link_device", &eve.user_id, &device), Ok(Value::Null));
    assert_eq!(
        link("link_device", &fay.user_id, &device),
        refusal(6, "Device ID already in use.")
    );
    assert_eq!(
        link("link_device", &eve.user_id, "short"),
        refusal(3, "Device ID invalid, must be 10-128 bytes.")
    );
    assert_eq!(
        link("link_custom", &fay.user_id, &format!("nka-eve-{suffix}")),
        refusal(6, "Custom ID is already in use.")
    );
    // As in Nakama: an unknown user is "in use" for a custom id, an
    // internal error for a device, a last link for an unlink.
    assert_eq!(
        link("link_custom", unknown, &format!("nka-free-{suffix}")),
        refusal(6, "Custom ID is already in use.")
    );
    assert_eq!(
        link("link_device", unknown, &format!("nka-free-device-{suffix}")),
        refusal(13, "Error linking Device ID.")
    );
    assert_eq!(link("unlink_custom", unknown, ""), refusal(7, LAST_LINK));
    // fay's custom id is her only way in; she has no email to unlink, but
    // that is no refusal.
    assert_eq!(
        link("unlink_custom", &fay.user_id, ""),
        refusal(7, LAST_LINK)
    );
    assert_eq!(link("unlink_email", &fay.user_id, ""), Ok(Value::Null));
    let email = format!("nka-eve-{suffix}@Example.com");
    let link_email = json!({"call": "link_email", "user_id": eve.user_id, "email": email, "password": "password1"});
    assert_eq!(nk(port, link_email), Ok(Value::Null));
    let (status, _) = login(
        port,
        "email",
        json!({"email": email.to_lowercase(), "password": "password1"}),
    );
    assert_eq!(status, 200);
    assert_eq!(
        link("unlink_custom", &eve.user_id, "not-eves-custom"),
        refusal(7, LAST_LINK)
    );
    assert_eq!(
        link("unlink_custom", &eve.user_id, &format!("nka-eve-{suffix}")),
        Ok(Value::Null)
    );
    assert_eq!(
        link("unlink_email", &eve.user_id, &email.to_uppercase()),
        Ok(Value::Null)
    );
    assert_eq!(
        link("unlink_device", &eve.user_id, ""),
        refusal(3, "A device ID must be supplied.")
    );
    assert_eq!(
        link("unlink_device", &eve.user_id, &device),
        refusal(7, LAST_LINK)
    );
    assert_eq!(
        link("link_custom", &eve.user_id, &format!("nka-eve2-{suffix}")),
        Ok(Value::Null)
    );
    assert_eq!(
        link("unlink_device", &eve.user_id, &device),
        Ok(Value::Null)
    );
    let (_, a) = account(port, &eve.token);
    assert_eq!(a.get("devices"), None, "{a}");
    assert_eq!(a["custom_id"], json!(format!("nka-eve2-{suffix}")), "{a}");

    // Relationship states: invites sent, blocks; no relationship, no entry.
    let friends = |call: &str, from: &User, to: &User| {
        let body = json!({"call": call, "user_id": from.user_id, "username": from.username, "ids": [to.user_id]});
        let (status, r) = crate::nk::call(port, "nk_friends", &body.to_string());
        assert_eq!((status, r.get("error")), (200, None), "{r}");
    };
    friends("add", &fay, &eve);
    friends("block", &fay, &gus);
    let status_of = |ids: Value| {
        nk(
            port,
            json!({"call": "friend_status", "user_id": fay.user_id, "user_ids": ids}),
        )
    };
    let got = status_of(json!([eve.user_id, gus.user_id, dan.user_id])).unwrap();
    let mut states: Vec<(String, i64)> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert!(f["update_time"].is_string(), "{f}");
            (
                f["user"]["username"].as_str().unwrap().to_string(),
                f["state"].as_i64().unwrap(),
            )
        })
        .collect();
    states.sort();
    let mut want = vec![(eve.username.clone(), 1), (gus.username.clone(), 3)];
    want.sort();
    assert_eq!(states, want, "{got}");
    let bad_id = "expects user ID to be a valid identifier";
    assert_eq!(status_of(json!(["nope"])), refusal(3, bad_id));
    assert_eq!(status_of(json!([])), Ok(json!([])));

    // Random users: the count's bounds, distinct users.
    for count in [-1, 1001] {
        assert_eq!(
            nk(port, json!({"call": "random", "count": count})),
            refusal(3, "count must be 0-1000")
        );
    }
    assert_eq!(
        nk(port, json!({"call": "random", "count": 0})),
        Ok(json!([]))
    );
    let got = nk(port, json!({"call": "random", "count": 3})).unwrap();
    let mut ids: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "{got}");

    check_multi_update(port, &fay, &gus);

    // The export of fay: her account, object, relationships, group,
    // notification (eve's accept below), ledger item.
    let (status, g) = call(
        port,
        &fay.token,
        "POST",
        "/v2/group",
        Some(json!({"name": format!("nka-group-{suffix}"), "open": true})),
    );
    assert_eq!(status, 200, "{g}");
    friends("add", &eve, &fay);
    let x = export(port, &fay.user_id);
    let mut keys: Vec<&str> = x.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "account",
            "friends",
            "groups",
            "notifications",
            "objects",
            "wallet_ledgers"
        ],
        "{x}"
    );
    // A chat message fay keeps in a room's history, a leaderboard score.
    let mut socket = Socket::open(port, &fay);
    let room = format!("nka-room-{suffix}");
    let joined =
        socket.call(json!({"channel_join": {"target": room, "type": 1, "persistence": true}}));
    let channel_id = joined["channel"]["id"].as_str().unwrap().to_string();
    let send = json!({"channel_message_send": {"channel_id": channel_id, "content": "{\"hi\":1}"}});
    let ack = socket.call(send);
    assert!(
        ack["channel_message_ack"]["message_id"].is_string(),
        "{ack}"
    );
    socket.close();
    let setup = json!({"suffix": suffix}).to_string();
    assert_eq!(crate::nk::call(port, "nk_leaderboard_setup", &setup).0, 200);
    let board = format!("open_{suffix}");
    let (status, r) = call(
        port,
        &fay.token,
        "POST",
        &format!("/v2/leaderboard/{board}"),
        Some(json!({"score": "10"})),
    );
    assert_eq!(status, 200, "{r}");
    let y = export(port, &fay.user_id);
    let m = &y["messages"];
    assert_eq!(m.as_array().map(Vec::len), Some(1), "{y}");
    assert_eq!(
        (
            &m[0]["channel_id"],
            &m[0]["sender_id"],
            &m[0]["code"],
            &m[0]["persistent"]
        ),
        (
            &json!(channel_id),
            &json!(fay.user_id),
            &json!(0),
            &json!(true)
        ),
        "{m}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(m[0]["content"].as_str().unwrap()).unwrap(),
        json!({"hi": 1})
    );
    let r = &y["leaderboard_records"];
    assert_eq!(r.as_array().map(Vec::len), Some(1), "{y}");
    assert_eq!(
        (
            &r[0]["leaderboard_id"],
            &r[0]["owner_id"],
            &r[0]["score"],
            &r[0]["num_score"]
        ),
        (&json!(board), &json!(fay.user_id), &json!("10"), &json!(1)),
        "{r}"
    );
    assert_eq!(x["account"]["user"]["id"], json!(fay.user_id), "{x}");
    assert_eq!(
        x["account"]["custom_id"],
        json!(format!("nka-fay-{suffix}"))
    );
    assert_eq!(x["account"]["user"]["display_name"], json!("Fay"));
    let mut rel: Vec<(String, i64)> = x["friends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["user"].as_object().unwrap().len(), 1, "only the id: {f}");
            (
                f["user"]["id"].as_str().unwrap().to_string(),
                f["state"].as_i64().unwrap(),
            )
        })
        .collect();
    rel.sort();
    let mut want = vec![(eve.user_id.clone(), 0), (gus.user_id.clone(), 3)];
    want.sort();
    assert_eq!(rel, want, "{x}");
    assert_eq!(x["groups"][0]["name"], json!(format!("nka-group-{suffix}")));
    let objects: Vec<(&str, &str)> = x["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["collection"].as_str().unwrap(),
                o["key"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(objects, [("nka", "kept")], "{x}");
    assert_eq!(x["notifications"][0]["code"], json!(-3), "{x}");
    let ledger = &x["wallet_ledgers"][0];
    assert_eq!(x["wallet_ledgers"].as_array().unwrap().len(), 1, "{x}");
    // Nakama's export reads no user id into its ledger items.
    assert_eq!(ledger.get("user_id"), None, "{x}");
    let parsed = |v: &Value| serde_json::from_str::<Value>(v.as_str().unwrap()).unwrap();
    assert_eq!(parsed(&ledger["changeset"]), json!({"gold": 5}));
    assert_eq!(parsed(&ledger["metadata"]), json!({"a": 1, "b": 2}));
    assert!(ledger["create_time"].is_string() && ledger["update_time"].is_string());

    // Ledger item metadata: merged; the answer is Nakama's partial item.
    let item = ledger["id"].as_str().unwrap().to_string();
    let update = |id: &str| {
        nk(
            port,
            json!({"call": "ledger_update", "item_id": id, "metadata": {"b": 3, "c": 4}}),
        )
    };
    let got = update(&item).unwrap();
    assert_eq!(
        (
            &got["id"],
            &got["user_id"],
            &got["changeset"],
            &got["metadata"]
        ),
        (
            &json!(""),
            &json!(fay.user_id),
            &json!({"gold": 5}),
            &json!({})
        ),
        "{got}"
    );
    let x = export(port, &fay.user_id);
    assert_eq!(
        parsed(&x["wallet_ledgers"][0]["metadata"]),
        json!({"a": 1, "b": 3, "c": 4})
    );
    assert_eq!(update("nope"), refusal(3, "expects a valid item id"));
    assert_eq!(update(unknown), refusal(5, "sql: no rows in result set"));

    // Deletion, recorded or not; refusals; an unknown user is no error.
    let delete = |id: &str| {
        nk(
            port,
            json!({"call": "delete", "user_id": id, "recorded": true}),
        )
    };
    assert_eq!(delete("nope"), refusal(3, bad_id));
    assert_eq!(delete(nil), refusal(3, "cannot delete the system user"));
    assert_eq!(delete(unknown), Ok(Value::Null));
    assert_eq!(
        nk(port, json!({"call": "export", "user_id": "nope"})),
        refusal(3, bad_id)
    );
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(delete(&gus.user_id), Ok(Value::Null));
    assert_eq!(
        nk(port, json!({"call": "export", "user_id": gus.user_id})),
        refusal(
            5,
            "error exporting account: rpc error: code = NotFound desc = Account not found."
        )
    );
    let (status, _) = account(port, &gus.token);
    assert_eq!(status, 401, "a deleted user's token");
    // fay's block of gus went with him.
    let got = status_of(json!([gus.user_id, eve.user_id])).unwrap();
    assert_eq!(got.as_array().unwrap().len(), 1, "{got}");
}

/// `MultiUpdate`: what it answers, its refusals, and that any failure
/// changes nothing. Leaves `fay` named "Fay", with the object `nka/kept`,
/// 5 gold and one ledger item (metadata `{"a":1,"b":2}`).
fn check_multi_update(port: u16, fay: &User, gus: &User) {
    let multi = |v: Value| {
        let mut v = v;
        v["call"] = json!("multi");
        nk(port, v)
    };
    assert_eq!(
        multi(json!({})),
        Ok(json!({"acks": [], "wallet_updates": []}))
    );
    let write = |key: &str, version: &str| {
        json!({"collection": "nka", "key": key, "user_id": fay.user_id, "value": "{\"v\": 1}",
               "version": version, "permission_read": 1, "permission_write": 1})
    };
    let ok = multi(json!({
        "account_updates": [{"user_id": fay.user_id, "display_name": "Fay"}],
        "storage_writes": [write("kept", "")],
        "wallet_updates": [
            {"user_id": fay.user_id, "changeset": {"gold": 5}, "metadata": {"a": 1, "b": 2}},
            {"user_id": "5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11", "changeset": {"gold": 1}}
        ],
        "update_ledger": true
    }))
    .unwrap();
    let ack = &ok["acks"][0];
    assert_eq!(
        (&ack["collection"], &ack["key"], &ack["user_id"]),
        (&json!("nka"), &json!("kept"), &json!(fay.user_id)),
        "{ok}"
    );
    assert_eq!(
        ok["wallet_updates"],
        json!([{"user_id": fay.user_id, "updated": {"gold": 5}, "previous": {}}])
    );
    let (_, a) = account(port, &fay.token);
    assert_eq!(a["user"]["display_name"], json!("Fay"));
    assert_eq!(
        a["wallet"]
            .as_str()
            .map(|w| serde_json::from_str::<Value>(w).unwrap()),
        Some(json!({"gold": 5}))
    );

    // Any failure, even the last step's, changes nothing.
    let changes = |failing: Value| {
        let mut v = json!({
            "account_updates": [{"user_id": fay.user_id, "display_name": "Changed"}],
            "storage_writes": [write("lost", "")],
            "wallet_updates": [{"user_id": fay.user_id, "changeset": {"gold": 1}}],
            "update_ledger": true
        });
        for (k, extra) in failing.as_object().unwrap() {
            v[k].as_array_mut()
                .unwrap()
                .extend(extra.as_array().unwrap().clone());
        }
        v
    };
    for (failing, want) in [
        (
            json!({"wallet_updates": [{"user_id": fay.user_id, "changeset": {"gold": -100}}]}),
            refusal(3, "wallet update rejected negative value at path 'gold'"),
        ),
        (
            json!({"storage_writes": [write("kept", "*")]}),
            refusal(3, "Storage write rejected - version check failed."),
        ),
        (
            json!({"account_updates": [{"user_id": fay.user_id, "username": gus.username}]}),
            refusal(6, "Username is already in use."),
        ),
        (
            json!({"account_updates": [{"user_id": fay.user_id}]}),
            refusal(3, "No fields to update."),
        ),
        (
            json!({"account_updates": [{"user_id": "nope", "display_name": "x"}]}),
            refusal(3, "expects user ID to be a valid identifier"),
        ),
        (
            json!({"storage_writes": [{"collection": "", "key": "k", "value": "{}"}]}),
            refusal(3, "expects collection to be a non-empty string"),
        ),
        (
            json!({"storage_writes": [{"collection": "nka", "key": "k", "value": "[]"}]}),
            refusal(3, "value must be a JSON-encoded object"),
        ),
        (
            json!({"wallet_updates": [{"user_id": "nope", "changeset": {"gold": 1}}]}),
            refusal(3, "expects a valid user id"),
        ),
    ] {
        assert_eq!(multi(changes(failing.clone())), want, "{failing}");
    }
    let (_, a) = account(port, &fay.token);
    assert_eq!(a["user"]["display_name"], json!("Fay"), "{a}");
    assert_eq!(a["user"]["username"], json!(fay.username), "{a}");
    assert_eq!(
        a["wallet"]
            .as_str()
            .map(|w| serde_json::from_str::<Value>(w).unwrap()),
        Some(json!({"gold": 5}))
    );
    assert_eq!(fay.stored(port, "nka", "lost"), None);
    assert_eq!(fay.stored(port, "nka", "kept"), Some(json!({"v": 1})));
}

/// Account updates by a module (`AccountUpdateId`, `MultiUpdate`) and by
/// the client, as Nakama's core applies them: empty fields left as they
/// are, an unknown user no error, its username check, and a value longer
/// than its column failing the whole update (in PostgreSQL's words for a
/// module, Nakama's for the client). Then the character checks of the
/// gateway's authenticate routes, whose classes are ASCII only.
pub fn check_account_updates(port: u16) {
    let suffix = crate::run_suffix();
    let ann = User::new(
        port,
        &format!("upd-ann-{suffix}"),
        &format!("updann{suffix}"),
    );
    let update = |mut fields: Value| {
        fields["call"] = json!("update");
        fields["user_id"] = json!(ann.user_id);
        nk(port, fields)
    };
    let too_long = |width: usize| {
        let pg = "ERROR: value too long for type character varying";
        refusal(3, &format!("{pg}({width}) (SQLSTATE 22001)"))
    };
    let fields = json!({"display_name": "Ann", "lang_tag": "fr"});
    assert_eq!(update(fields), Ok(Value::Null));
    let fields = json!({"display_name": "Changed", "lang_tag": "x".repeat(19)});
    assert_eq!(update(fields), too_long(18));
    let fields = json!({"avatar_url": "x".repeat(513), "timezone": "x".repeat(256)});
    assert_eq!(update(fields), too_long(512));
    let multi = json!({"call": "multi", "account_updates": [
        {"user_id": ann.user_id, "display_name": "Multi"},
        {"user_id": ann.user_id, "location": "y".repeat(256)},
    ]});
    assert_eq!(nk(port, multi), too_long(255));
    let (_, a) = account(port, &ann.token);
    let user = &a["user"];
    assert_eq!(
        (&user["display_name"], &user["lang_tag"]),
        (&json!("Ann"), &json!("fr")),
        "{a}"
    );
    // An empty field is left as it is: this update has none to make.
    let none = refusal(3, "No fields to update.");
    assert_eq!(update(json!({"display_name": ""})), none);
    let unknown = "5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11";
    let fields = json!({"call": "update", "user_id": unknown, "display_name": "x"});
    assert_eq!(nk(port, fields), Ok(Value::Null));
    // Usernames: ASCII controls and (Nakama's regexp as POSIX reads it)
    // `[]` refused, spaces taken.
    let invalid = refusal(
        3,
        "Username invalid, no spaces or control characters allowed.",
    );
    assert_eq!(update(json!({"username": "a[]b"})), invalid);
    assert_eq!(update(json!({"username": "a\tb"})), invalid);
    let spaced = format!("ann {suffix}");
    assert_eq!(update(json!({"username": spaced})), Ok(Value::Null));
    let (_, a) = account(port, &ann.token);
    assert_eq!(a["user"]["username"], json!(spaced), "{a}");

    // The client: nothing to change is refused too (an empty field there
    // is a change, to none); the same widths, in Nakama's words.
    let (status, body) = call(port, &ann.token, "PUT", "/v2/account", Some(json!({})));
    assert_eq!(
        (status, &body["message"]),
        (400, &json!("No fields to update.")),
        "{body}"
    );
    let (status, body) = call(
        port,
        &ann.token,
        "PUT",
        "/v2/account",
        Some(json!({"display_name": ""})),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        port,
        &ann.token,
        "PUT",
        "/v2/account",
        Some(json!({"timezone": "z".repeat(256)})),
    );
    assert_eq!(
        (status, &body["message"]),
        (500, &json!("Error while trying to update account.")),
        "{body}"
    );

    // Authenticate: usernames as above, ids with ASCII classes only.
    let device = |query: &str, id: String| {
        let r = request(
            port,
            "POST",
            &format!("/v2/account/authenticate/device?{query}"),
            &[("Authorization", SERVER_KEY)],
            Some(json!({ "id": id }).to_string().as_bytes()),
        )
        .expect("authenticate");
        (r.status, r.json()["message"].clone())
    };
    let invalid = json!("Username invalid, no spaces or control characters allowed.");
    let id = format!("upd-device-{suffix}");
    assert_eq!(device("username=a%5B%5Db", id.clone()), (400, invalid));
    let named = format!("upd{suffix}%20%C2%85b");
    assert_eq!(device(&format!("username={named}"), id).0, 200);
    let spaced_id = format!("upd\u{a0}device\u{85}{suffix}");
    assert_eq!(device("", spaced_id).0, 200);
    let refused = json!("Device ID invalid, no spaces or control characters allowed.");
    assert_eq!(device("", format!("upd device {suffix}")), (400, refused));
}

/// The system user (nil id, empty username) is a row of the users table,
/// as Nakama's first migration makes it: lookups by id and by its empty
/// name find it, nk functions read and update it, and its export is its
/// account and storage objects alone.
pub fn check_system_user(port: u16) {
    let suffix = crate::run_suffix();
    let ann = User::new(
        port,
        &format!("sys-ann-{suffix}"),
        &format!("sysann{suffix}"),
    );
    let nil = "00000000-0000-0000-0000-000000000000";
    let get = |query: String| {
        let (status, got) = call(port, &ann.token, "GET", &format!("/v2/user{query}"), None);
        assert_eq!(status, 200, "{query}: {got}");
        got
    };
    let ids = |got: &Value| -> Vec<String> {
        let users = got["users"].as_array().cloned().unwrap_or_default();
        users
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect()
    };
    let by_id = get(format!("?ids={nil}"));
    assert_eq!(ids(&by_id), [nil], "{by_id}");
    let system = &by_id["users"][0];
    assert_eq!(system.get("username"), None, "{system}");
    assert_eq!(
        (&system["lang_tag"], &system["metadata"]),
        (&json!("en"), &json!("{}")),
        "{system}"
    );
    assert!(system["create_time"].is_string(), "{system}");
    let by_name = get("?usernames=".into());
    assert_eq!(ids(&by_name), [nil], "{by_name}");
    // Each user once, however often and in whatever case it is asked for.
    let upper = ann.user_id.to_uppercase();
    let names = format!("?ids={}&ids={upper}&usernames=sysann{suffix}", ann.user_id);
    assert_eq!(ids(&get(names)), [ann.user_id.as_str()]);
    assert_eq!(get(String::new()), json!({}));

    // nk: users_get_id finds it; users_get_username refuses the empty name.
    let users = |ids: &[&str], usernames: &[&str]| {
        let body = json!({"call": "users", "ids": ids, "usernames": usernames});
        let (status, got) = crate::nk::call(port, "nk_account_call", &body.to_string());
        assert_eq!(status, 200, "{got}");
        got
    };
    let got = users(&[nil], &[]);
    assert_eq!(got[0]["ok"][0]["id"], nil, "{got}");
    assert_eq!(got[1], json!({"ok": []}), "{got}");
    let got = users(&[], &[""]);
    assert_eq!(
        got[1],
        json!({"error": [3, "each username must be a string"]}),
        "{got}"
    );
    let update = json!({"call": "update", "user_id": nil, "display_name": "System"});
    assert_eq!(nk(port, update), Ok(Value::Null));
    let wallet = json!({"call": "wallet", "user_id": nil, "changeset": {"sys": 1}});
    let updated = nk(port, wallet).expect("wallet");
    assert!(updated["sys"].as_i64() >= Some(1), "{updated}");
    let account = nk(port, json!({"call": "account", "user_id": nil})).expect("account");
    assert_eq!(
        (&account["user"]["id"], &account["user"]["display_name"]),
        (&json!(nil), &json!("System")),
        "{account}"
    );
    let in_account: Value = serde_json::from_str(account["wallet"].as_str().unwrap()).unwrap();
    assert_eq!(in_account["sys"], updated["sys"], "{account}");
    // A notification stored for it is not in its export.
    let notify = json!({"id": nil, "persistent": true}).to_string();
    let (status, sent) = crate::nk::call(port, "nk_notify", &notify);
    assert_eq!(status, 200, "{sent}");
    assert!(sent["stored"].as_u64() >= Some(1), "{sent}");
    let exported = export(port, nil);
    let keys: Vec<&String> = exported.as_object().unwrap().keys().collect();
    assert!(
        keys.iter()
            .all(|k| ["account", "objects"].contains(&k.as_str())),
        "{keys:?}"
    );
    assert_eq!(exported["account"]["user"]["id"], nil, "{exported}");
}

/// `POST /v2/account/authenticate/email`'s refusals, in Nakama's order:
/// the address's own checks, then the password's length, then a username
/// for a login without an address; then the account's: a username nobody
/// has is not found, a banned account is refused before its password is
/// checked.
pub fn check_email_refusals(port: u16) {
    let refusal = |query: &str, body: Value| {
        let r = crate::http::request(
            port,
            "POST",
            &format!("/v2/account/authenticate/email{query}"),
            &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
            Some(body.to_string().as_bytes()),
        )
        .expect("authenticate");
        (r.status, r.json()["message"].clone())
    };
    for (query, body, message) in [
        (
            "",
            json!({}),
            "Password must be at least 8 characters long.",
        ),
        (
            "",
            json!({"password": "long enough"}),
            "Username is required when email address is not supplied.",
        ),
        (
            "?username=someone",
            json!({"password": "short"}),
            "Password must be at least 8 characters long.",
        ),
        (
            "",
            json!({"email": "not an address", "password": "x"}),
            "Invalid email address, no spaces or control characters allowed.",
        ),
        (
            "",
            json!({"email": "nobody", "password": "x"}),
            "Invalid email address format.",
        ),
        (
            "",
            json!({"email": "a@b.co", "password": "long enough"}),
            "Invalid email address, must be 10-255 bytes.",
        ),
        (
            "",
            json!({"email": "someone@example.com", "password": "x"}),
            "Password must be at least 8 characters long.",
        ),
    ] {
        assert_eq!(
            refusal(query, body.clone()),
            (400, json!(message)),
            "{query} {body}"
        );
    }

    let suffix = crate::run_suffix();
    let (email, name) = (
        format!("banned-{suffix}@example.com"),
        format!("banned-{suffix}"),
    );
    let (status, made) = refusal(
        &format!("?username={name}"),
        json!({"email": email, "password": "password1"}),
    );
    assert_eq!(status, 200, "{made}");
    let (status, session) = login(
        port,
        "email",
        json!({"email": email, "password": "password1"}),
    );
    assert_eq!(status, 200, "{session}");
    let user_id = user_of(port, session["token"].as_str().unwrap());
    let wrong = json!({"email": email, "password": "wrong-one"});
    let invalid = (401, json!("Invalid credentials."));
    assert_eq!(refusal("", wrong.clone()), invalid);
    let by_name = format!("?username={name}");
    assert_eq!(refusal(&by_name, json!({"password": "wrong-one"})), invalid);
    let nobody = format!("?username=nobody-{suffix}");
    assert_eq!(
        refusal(&nobody, json!({"password": "password1"})),
        (404, json!("User account not found."))
    );
    assert_eq!(
        nk(port, json!({"call": "ban", "user_ids": [user_id]})),
        Ok(Value::Null)
    );
    let banned = (403, json!("User account banned."));
    assert_eq!(refusal("", wrong), banned, "the wrong password");
    assert_eq!(refusal(&by_name, json!({"password": "wrong-one"})), banned);
    assert_eq!(refusal(&by_name, json!({"password": "password1"})), banned);
}
