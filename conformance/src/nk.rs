//! The nk functions, checked on any host through the RPCs of
//! `fixtures/fixture-nk` (which call them and answer what they saw): the
//! dev host answers from SQLite, the bridge forwards to Nakama.

use serde_json::{json, Value};

/// Calls RPC `id` with the http key (unwrapped body); (status, JSON body).
pub fn call(port: u16, id: &str, body: &str) -> (u16, Value) {
    let r = crate::http::request(
        port,
        "POST",
        &format!("/v2/rpc/{id}?http_key=defaulthttpkey&unwrap"),
        &[],
        Some(body.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("rpc {id}: {e}"));
    (r.status, r.json())
}

/// RPC `id` of fixture-nk answers an object of `count` calls, each of
/// them refused with `code` and `message` (a host without the service).
pub(crate) fn every_call_refused(port: u16, id: &str, count: usize, code: u32, message: &str) {
    let (status, body) = call(port, id, "");
    assert_eq!(status, 200, "{body}");
    let answers = body.as_object().expect("an object of the calls' answers");
    assert_eq!(answers.len(), count, "{body}");
    for (function, answer) in answers {
        assert_eq!(answer, &serde_json::json!([code, message]), "{function}");
    }
}

/// Every nk function the SDK offers, on the host on 127.0.0.1:`port`
/// serving fixture-nk on a fresh database.
pub fn check_every_function(port: u16) {
    let (status, a) = call(port, "nk_accounts", "");
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["created"], json!([true, true, true]));
    assert_eq!(a["again_same"], true, "email lookup is case-insensitive");
    assert_eq!(a["wrong_password_code"], 16);
    assert!(a["token_len"].as_u64().unwrap() > 100);
    assert_eq!(a["accounts"], 2);
    assert_eq!(a["by_name"], json!(["nk_c"]));
    assert_eq!(a["display_name"], "Bee");
    // Compared as JSON: Nakama answers PostgreSQL's jsonb text ({"lvl": 3}).
    let metadata: Value = serde_json::from_str(a["metadata"].as_str().unwrap()).unwrap();
    assert_eq!(metadata, json!({"lvl": 3}));
    assert_eq!(a["users"], 1);
    let user = a["ids"][0].as_str().unwrap().to_string();

    let (status, w) = call(port, "nk_wallets", &format!(r#"{{"id":"{user}"}}"#));
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["first"], json!({"gold": 100}));
    assert_eq!(w["batch_users"], 1, "unknown users are skipped");
    assert_eq!(w["after_batch"], json!({"gold": 70, "gems": 5}));
    assert_eq!(
        w["refused"],
        json!([3, "wallet update rejected negative value at path 'gold'"])
    );
    assert_eq!(w["ledger_first_page"], 1);
    assert_eq!(
        w["ledger_rest"], 1,
        "the refused update left no ledger entry"
    );
    // Nakama 3.40.0 leaves the items' user id empty; both hosts give it.
    assert_eq!(w["ledger_users"], json!([user, user]));
    let wallet: Value = serde_json::from_str(w["wallet"].as_str().unwrap()).unwrap();
    assert_eq!(wallet, json!({"gold": 70, "gems": 5}));

    let (status, n) = call(
        port,
        "nk_notifications_storage",
        &format!(r#"{{"id":"{user}"}}"#),
    );
    assert_eq!(status, 200, "{n}");
    let mut subjects: Vec<String> = serde_json::from_value(n["notifications"].clone()).unwrap();
    subjects.sort();
    assert_eq!(subjects, ["a", "b", "hi"]);
    assert_eq!(n["first_page"], 2);
    assert_eq!(n["has_cursor"], true);
    assert_eq!(n["after_delete"], json!(["k1", "k2"]));

    // storage_write_retry (the SDK's, on the hosts' version checks): the
    // first attempt loses to a competing write (n 0 -> 100) and the
    // second lands on the competitor's value.
    let (status, r) = call(port, "nk_storage_retry", &format!(r#"{{"id":"{user}"}}"#));
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["acks"], 1);
    assert_eq!(r["value"], json!({"n": 101}));
    assert_eq!(
        r["exhausted"],
        json!([10, "Storage write retries exhausted."])
    );
    assert_eq!(
        r["too_many"],
        json!([3, "max retries must be a value between 0 and 10"])
    );
    assert_eq!(r["retry_waited"], true, "Nakama waits between attempts");
    // nakama_runtime::sleep: woken by the SDK's timer on either host.
    assert_eq!(r["slept"], true);

    check_leaderboards(port);
    check_refusals(port);
    check_matches(port);
    check_typed_signals(port);

    // nk calls from a thread the module started, driven by its own
    // executor, outside the host's poll of the call.
    let (status, t) = call(port, "nk_from_thread", "");
    assert_eq!(status, 200, "{t}");
    assert_eq!(t, json!({"from": "module thread"}));

    // Work that outlives its call, through the background `Nakama`.
    check_background_work(port);
}

/// fixture-nk's `nk_refusals`: arguments Nakama's nk functions refuse get
/// its code and words on every host.
pub fn check_refusals(port: u16) {
    let (status, r) = call(port, "nk_refusals", "");
    assert_eq!(status, 200, "{r}");
    let bad = |m: &str| json!([3, m]);
    let expected = json!({
        "read_collection": bad("expects collection to be a non-empty string"),
        "read_key": bad("expects key to be a non-empty string"),
        "read_user": bad("expects an empty or valid user id"),
        "write_value": bad("value must be a JSON-encoded object"),
        "delete_key": bad("expects key to be a non-empty string"),
        "list_caller": bad("expects an empty or valid caller id"),
        "list_user": bad("expects an empty or valid user id"),
        "list_limit": bad("limit must not be negative"),
        "notify_user": bad("expects userID to be a valid UUID"),
        "notify_subject": bad("expects subject to be a non-empty string"),
        "notify_code": bad("expects code to number above 0"),
        "notify_sender": bad("expects sender to either be an empty string or a valid UUID"),
        "wallet_user": bad("expects a valid user id"),
        "wallet_unknown": [5, "user not found"],
        "ledger_limit": bad("expects limit to be 0-100"),
        "notifications_user": bad("expects a valid user id"),
        "users_ids": bad("each user id must be a valid id string"),
        "accounts_ids": bad("each user id must be a valid id string"),
        "account_update": bad("expects user ID to be a valid identifier"),
        "custom_empty": bad("expects id string"),
        "custom_space": bad("expects id to be valid, no spaces or control characters allowed"),
        "custom_short": bad("expects id to be valid, must be 6-128 bytes"),
        "device_short": bad("expects id to be valid, must be 10-128 bytes"),
        "email_format": bad("expects email to be valid, invalid email address format"),
        "email_short": bad("expects email to be valid, must be 10-255 bytes"),
        "email_password": bad("expects password to be valid, must be longer than 8 characters"),
        "token_empty": bad("expects user id"),
        "token_user": bad("expects valid user id"),
    });
    crate::assert_cases(&r, &expected);
}

/// fixture-nk's `nk_leaderboards`: the leaderboard functions, their
/// operators, ranks, pages and refusals. Its leaderboards are named after
/// this run, so a database kept from earlier runs does not matter.
pub fn check_leaderboards(port: u16) {
    let suffix = crate::run_suffix();
    let (status, l) = call(
        port,
        "nk_leaderboards",
        &format!(r#"{{"suffix":"{suffix}"}}"#),
    );
    assert_eq!(status, 200, "{l}");
    let (a, b, c) = (
        "00000000-0000-4000-8000-00000000000a",
        "00000000-0000-4000-8000-00000000000b",
        "00000000-0000-4000-8000-00000000000c",
    );
    let record = |owner: &str,
                  username: Option<&str>,
                  score: i64,
                  subscore: i64,
                  num: i64,
                  rank: i64,
                  metadata: Value| {
        json!({"owner": owner, "username": username, "score": score, "subscore": subscore,
               "num_score": num, "rank": rank, "metadata": metadata, "expiry_time": null})
    };
    let red = json!({"car": "red"});
    assert_eq!(
        l["first"],
        record(a, Some("alice"), 10, 1, 1, 1, red.clone()),
        "{l}"
    );
    // A worse score changes nothing, not even the count.
    assert_eq!(l["worse"], l["first"], "{l}");
    // A better one: the best score and, on its own, the best subscore;
    // name and metadata kept when not given.
    assert_eq!(
        l["better"],
        record(a, Some("alice"), 20, 1, 2, 1, red.clone()),
        "{l}"
    );
    let bob = record(b, Some("bob"), 20, 5, 1, 1, json!({}));
    let alice = record(a, Some("alice"), 20, 1, 2, 2, red.clone());
    let carol = record(c, Some("carol"), 15, 0, 1, 3, json!({}));
    assert_eq!(l["page1"], json!([bob, alice]), "{l}");
    assert_eq!(l["page1_cursors"], json!([true, false]), "{l}");
    assert_eq!(l["page2"], json!([carol]), "{l}");
    assert_eq!(l["page2_cursors"], json!([false, true]), "{l}");
    assert_eq!(l["back"], json!([bob, alice]), "{l}");
    assert_eq!(l["back_cursors"], json!([true, false]), "{l}");
    assert_eq!(
        l["owners"],
        json!([alice, carol]),
        "owners' records in rank order: {l}"
    );
    assert_eq!(l["owners_page"], 0, "{l}");
    // Around C (last of three), two records: the one above and C, and a
    // cursor back; around A (second), three: all, no cursors. From the
    // cursor back, a plain listing: the records before, ranked by place.
    assert_eq!(
        l["around_c"],
        json!({"ranked": [[a, 2], [c, 3]], "cursors": [false, true], "rank_count": 3}),
        "{l}"
    );
    assert_eq!(
        l["around_a"],
        json!({"ranked": [[b, 1], [a, 2], [c, 3]], "cursors": [false, false], "rank_count": 3}),
        "{l}"
    );
    assert_eq!(l["around_nobody"], 0, "{l}");
    assert_eq!(
        l["after_around"],
        json!({"ranked": [[b, 1]], "cursors": [true, false], "rank_count": 3}),
        "{l}"
    );
    assert_eq!(l["after_delete"], json!([a, c]), "{l}");
    // set 50, set 30, incr 5, best 40 (no better: unchanged), best 20,
    // decr 100 (stops at 0): [score, submissions, rank (none kept)].
    assert_eq!(
        l["ops"],
        json!([
            [50, 1, 0],
            [30, 2, 0],
            [35, 3, 0],
            [35, 3, 0],
            [20, 4, 0],
            [0, 5, 0]
        ]),
        "{l}"
    );
    assert_eq!(l["first_decrement"], json!([0, 1]), "{l}");
    let expiry = l["periodic_expiry"].as_str().unwrap_or_default();
    assert!(
        expiry.ends_with("T00:00:00Z"),
        "a daily reset ends at midnight: {l}"
    );
    assert_eq!(l["listed_periodic"], 1, "{l}");
    // By id: the first creation's settings; unknown ids left out; a daily
    // reset's times a day apart, the next one the records' expiry.
    let boards = &l["boards"];
    assert_eq!(
        boards[0],
        json!({"sort_order": 1, "operator": 1, "authoritative": false,
               "metadata": {"kind": "best"}, "resets": [0, 0], "created": true}),
        "{l}"
    );
    assert_eq!(boards.as_array().map(Vec::len), Some(4), "{l}");
    // Midnight daily, then 12:30 daily in the six- and seven-field forms.
    for (board, time_of_day) in [(1, 0), (2, 45_000), (3, 45_000)] {
        let (prev, next) = (
            boards[board]["resets"][0].as_i64().unwrap_or(0),
            boards[board]["resets"][1].as_i64().unwrap_or(0),
        );
        assert_eq!(
            (next - prev, next % 86_400),
            (86_400, time_of_day),
            "board {board}: {l}"
        );
    }
    assert_eq!(
        l["refused"],
        json!({"unknown": 5, "negative": 3, "bad_owner": 3, "bad_schedule": 3,
               "deleted": 5, "list_unknown": 5, "bad_cursor": 3, "haystack_limit": 3}),
        "{l}"
    );
}

/// fixture-nk's `nk_background` starts a thread that writes through the
/// background `Nakama` after the call has answered: the write lands.
pub fn check_background_work(port: u16) {
    let (status, started) = call(port, "nk_background", "");
    assert_eq!(
        (status, &started),
        (200, &json!({"started": true})),
        "{started}"
    );
    crate::eventually("the background write lands", || {
        let (status, done) = call(port, "nk_background_done", "");
        assert_eq!(status, 200, "{done}");
        (done == json!({"done": true}))
            .then_some(())
            .ok_or_else(|| done.to_string())
    });
}

/// The context fixture-nk's `nk_context` RPC sees when called with a
/// session (vars `tier=gold`), a header, a query parameter, on a host
/// started with `runtime.env` `GREETING=hi`: every part arrives; then what
/// its SessionLogout before hook sees (user, env, client IP, no port).
pub fn check_context(port: u16) {
    let token = crate::http::authenticate_custom(
        port,
        "ctx_user",
        r#"{"id":"cid-424242","vars":{"tier":"gold"}}"#,
    );
    let r = crate::http::request(
        port,
        "POST",
        "/v2/rpc/nk_context?unwrap&region=eu",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("X-Client", "conformance"),
        ],
        Some(b"{}"),
    )
    .expect("rpc");
    assert_eq!(r.status, 200, "{}", r.text());
    let ctx = r.json();
    assert_eq!(ctx["env"]["GREETING"], "hi", "{ctx}");
    assert_eq!(ctx["execution_mode"], "rpc", "{ctx}");
    assert_eq!(ctx["node"], "nakama1", "{ctx}");
    assert!(!ctx["version"].as_str().unwrap_or("").is_empty(), "{ctx}");
    assert_eq!(ctx["username"], "ctx_user", "{ctx}");
    assert_eq!(ctx["vars"], json!({"tier": "gold"}), "{ctx}");
    assert!(
        ctx["user_id"].as_str().is_some_and(|u| u.len() == 36),
        "{ctx}"
    );
    assert!(ctx["user_session_exp"].as_i64().is_some(), "{ctx}");
    assert_eq!(ctx["headers"]["X-Client"], json!(["conformance"]), "{ctx}");
    assert_eq!(ctx["query_params"]["region"], json!(["eu"]), "{ctx}");
    assert!(ctx["client_ip"].as_str().is_some(), "{ctx}");
    assert!(
        ctx["trace_id"].as_str().is_some_and(|t| !t.is_empty()),
        "{ctx}"
    );

    // A hook's context: fixture-nk's SessionLogout before hook refuses
    // with its context as the message.
    let r = crate::http::request(
        port,
        "POST",
        "/v2/session/logout",
        &[("Authorization", &format!("Bearer {token}"))],
        Some(format!(r#"{{"token":"{token}"}}"#).as_bytes()),
    )
    .expect("logout");
    assert_eq!(r.status, 400, "{}", r.text());
    let message = r.json()["message"].as_str().unwrap_or("").to_string();
    let hook: serde_json::Value = serde_json::from_str(&message).expect("context JSON");
    assert_eq!(hook["execution_mode"], "before", "{hook}");
    assert_eq!(hook["user_id"], ctx["user_id"], "{hook}");
    assert_eq!(hook["username"], "ctx_user", "{hook}");
    assert_eq!(hook["env"]["GREETING"], "hi", "{hook}");
    assert!(hook["client_ip"].as_str().is_some(), "{hook}");
    // Nakama's gateway forwards the client's IP only.
    assert!(hook.get("client_port").is_none(), "{hook}");
    // Each API call has a trace id of its own, for its hooks as for RPCs.
    assert!(
        hook["trace_id"]
            .as_str()
            .is_some_and(|t| !t.is_empty() && ctx["trace_id"] != t),
        "{hook}"
    );
}

/// fixture-nk's `nk_match_typed`: typed signals (`match_signal_typed`)
/// to a running match carry the caller's user (none with the http key),
/// keep the match's state between them, and bring its errors back with
/// their codes; a type the match does not read is refused by it.
pub fn check_typed_signals(port: u16) {
    let suffix = crate::run_suffix();
    let (status, plain) = call(port, "nk_match_typed", "");
    assert_eq!(status, 200, "{plain}");
    assert_eq!(plain["first"], json!({"ok": {"total": 2, "caller": null}}));
    assert_eq!(plain["second"], json!({"ok": {"total": 5, "caller": null}}));
    assert_eq!(plain["refused"], json!([7, "refused by the match"]));
    assert_eq!(plain["stranger"][0], 3, "{plain}");
    let stranger = plain["stranger"][1].as_str().unwrap_or_default();
    assert!(
        stranger.starts_with("the signal is not a typed fixture_nk::Probe"),
        "{plain}"
    );
    // An untyped signal to the same match still gets its plain answer.
    assert_eq!(plain["untyped"], json!({"ok": "echo:hi:1:match"}));
    // A signal that ends its match loses its reply, typed or not.
    assert_eq!(plain["stop"][1], "match busy", "{plain}");
    assert_eq!(plain["gone"][1], "match not found", "{plain}");

    let username = format!("sig_{suffix}");
    let token =
        crate::http::authenticate_custom(port, &username, &format!(r#"{{"id":"sig-{suffix}"}}"#));
    let r = crate::http::request(
        port,
        "POST",
        "/v2/rpc/nk_match_typed?unwrap",
        &[("Authorization", &format!("Bearer {token}"))],
        Some(b""),
    )
    .expect("rpc");
    assert_eq!(r.status, 200, "{}", r.text());
    let user = r.json();
    let caller = &user["first"]["ok"]["caller"];
    assert_eq!(caller["username"], username.as_str(), "{user}");
    assert!(
        caller["user_id"].as_str().is_some_and(|u| u.len() == 36),
        "{user}"
    );
    assert_eq!(user["second"]["ok"]["total"], 5, "{user}");
}

/// fixture-nk's `nk_matches` and `nk_match_list`: the `match_*` functions
/// on a running match of the module's own handler, and their refusals.
pub fn check_matches(port: u16) {
    let suffix = crate::run_suffix();
    let (status, m) = call(port, "nk_matches", &format!(r#"{{"suffix":"{suffix}"}}"#));
    assert_eq!(status, 200, "{m}");
    let id = m["id"].as_str().unwrap();
    let (uuid, node) = id.split_once('.').expect("<uuid>.<node>");
    assert_eq!(uuid.len(), 36, "{id}");
    assert!(!node.is_empty(), "{id}");
    assert_eq!(
        m["get"],
        json!({
            "match_id": id,
            "authoritative": true,
            "label": format!("fx-{suffix}"),
            "tick_rate": 7,
            "handler_name": "signal_echo",
        })
    );
    assert_eq!(m["echo"], "echo:hi:7:match");
    assert_eq!(m["relabel"], "relabelled");
    assert_eq!(m["relabelled"], format!("fx-{suffix}-b"));
    // The match's own calls see its label as it stands.
    assert_eq!(m["label_seen"], format!("fx-{suffix}"), "{m}");
    assert_eq!(m["relabel_seen"], format!("fx-{suffix}-b"), "{m}");
    // A signal that ends its match loses its reply.
    assert_eq!(m["stop"][1], "match busy", "{m}");
    assert_eq!(m["after_stop"], Value::Null);
    assert_eq!(m["create_nameless"], json!([3, "expects module name"]));
    assert_eq!(m["get_bad_id"][1], "match id invalid", "{m}");
    assert_eq!(m["get_unknown"], json!({"ok": null}));
    assert_eq!(m["signal_unknown"][1], "match not found", "{m}");
    assert_eq!(m["list_nothing"], json!({"ok": []}));
    for key in ["create_unknown", "create_refused"] {
        let message = m[key][1].as_str().unwrap_or_default();
        assert!(message.starts_with("error creating match"), "{key}: {m}");
    }
    let mut listed = Value::Null;
    crate::eventually("match_list finds the live match", || {
        let (status, l) = call(
            port,
            "nk_match_list",
            &format!(r#"{{"suffix":"{suffix}"}}"#),
        );
        listed = l.clone();
        (status == 200 && l["found"] == json!(["signal_echo"]))
            .then_some(())
            .ok_or_else(|| format!("{status} {l}"))
    });
    assert_eq!(listed["bigger"], 0, "{listed}");
}
