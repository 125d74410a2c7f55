//! Parties as Nakama 3.40.0 serves them on the realtime socket
//! (server/pipeline_party.go, party_handler.go, party_registry.go, and its
//! tracker's party presence events): creation and its refusals, joins of
//! open and closed parties, join requests (listed, accepted, refused),
//! promotions, data, label updates, removals, leaves (the leader's hands
//! the party to the oldest member), closes, a socket that closes, and the
//! leader-only and membership checks with Nakama's messages, on any host
//! (no module is needed).
//!
//! As in [`crate::realtime`], what Nakama leaves to its goroutines is not
//! ordered: presence events and the `party` a joiner gets come from the
//! tracker's, so they are waited for; presence lists are compared in no
//! particular order.

use serde_json::{json, Value};

use crate::realtime::{error_of, Socket, User};

/// A party member as the socket writes it.
fn presence(user: &User, session_id: &str) -> Value {
    json!({"user_id": user.user_id, "session_id": session_id, "username": user.username})
}

/// Presences in a fixed order, to compare lists Nakama writes in any.
fn sorted(presences: &Value) -> Vec<Value> {
    let mut list = presences.as_array().cloned().unwrap_or_default();
    list.sort_by_key(|p| p["session_id"].as_str().unwrap_or("").to_string());
    list
}

fn sorted_of(presences: &[&Value]) -> Vec<Value> {
    sorted(&Value::Array(
        presences.iter().map(|p| (*p).clone()).collect(),
    ))
}

/// The error a request is refused with.
fn refusal(s: &mut Socket, message: Value) -> (i64, String) {
    let r = s.call(message.clone());
    assert!(r.get("error").is_some(), "{message} was not refused: {r}");
    error_of(&r)
}

/// A request answered with an empty envelope (its cid alone).
fn done(s: &mut Socket, message: Value) {
    let r = s.call(message.clone());
    assert_eq!(
        r.as_object().map(|o| o.len()),
        Some(1),
        "{message} was not answered empty: {r}"
    );
}

/// A pushed envelope of `kind` for `party_id`.
fn push<'a>(kind: &'a str, party_id: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |e| e.get("cid").is_none() && e[kind]["party_id"] == party_id
}

/// A `party_presence_event` of `party_id` with `session_id` in `list`.
fn event<'a>(
    party_id: &'a str,
    list: &'a str,
    session_id: &'a str,
) -> impl Fn(&Value) -> bool + 'a {
    move |e| {
        let event = &e["party_presence_event"];
        event["party_id"] == party_id
            && event[list]
                .as_array()
                .is_some_and(|l| l.iter().any(|p| p["session_id"] == session_id))
    }
}

/// Creates a party; answers the `party`.
fn create(s: &mut Socket, body: Value) -> Value {
    let r = s.call(json!({ "party_create": body }));
    let party = r["party"].clone();
    assert!(party.is_object(), "{r}");
    party
}

/// Checks parties on the host on `port`.
pub fn check_parties(port: u16) {
    let a = User::new(port, "party-user-0001", "partya0001");
    let b = User::new(port, "party-user-0002", "partyb0002");
    let c = User::new(port, "party-user-0003", "partyc0003");
    let d = User::new(port, "party-user-0004", "partyd0004");
    let mut sa = Socket::open(port, &a);
    let mut sb = Socket::open(port, &b);
    let mut sc = Socket::open(port, &c);
    let mut sd = Socket::open(port, &d);

    // Creation's refusals.
    for max_size in [-1, 257] {
        assert_eq!(
            refusal(
                &mut sa,
                json!({"party_create": {"open": true, "max_size": max_size}})
            ),
            (3, "Invalid party max size, must be 1-256".into())
        );
    }
    assert_eq!(
        refusal(
            &mut sa,
            json!({"party_create": {"open": true, "max_size": 2, "label": "x".repeat(2049)}})
        ),
        (3, "Error creating party: party label too long".into())
    );
    assert_eq!(
        refusal(
            &mut sa,
            json!({"party_create": {"open": true, "max_size": 2, "label": "[1]"}})
        ),
        (
            3,
            "Error creating party: failed to unmarshal party label: json: cannot unmarshal array into Go value of type map[string]interface {}".into()
        )
    );

    // An open party of 3: its creator leads it.
    let label = r#"{"mode":"duo"}"#;
    let party = create(
        &mut sa,
        json!({"open": true, "max_size": 3, "label": label}),
    );
    let party_id = party["party_id"].as_str().unwrap().to_string();
    let (uuid, node) = party_id.split_once('.').expect("<uuid>.<node>");
    assert_eq!(uuid.len(), 36, "{party_id}");
    assert!(!node.is_empty(), "{party_id}");
    let a_sid = party["self"]["session_id"].as_str().unwrap().to_string();
    let pa = presence(&a, &a_sid);
    assert_eq!(
        party,
        json!({"party_id": party_id, "open": true, "max_size": 3, "self": pa, "leader": pa,
               "presences": [pa], "label": label})
    );
    let pid = party_id.as_str();
    sa.wait_for("the creator's join", event(pid, "joins", &a_sid));
    // Nakama's handler welcomes its creator too, when the tracker reports
    // the creator's join.
    let welcome = sa.wait_for("the creator's party", push("party", pid))["party"].clone();
    assert_eq!(
        welcome,
        json!({"party_id": pid, "open": true, "max_size": 3, "self": pa, "leader": pa,
               "presences": [pa]})
    );

    // Party ids that are not one.
    for bad in ["", "nodot", "not-a-uuid.node"] {
        assert_eq!(
            refusal(&mut sb, json!({"party_join": {"party_id": bad}})),
            (3, "Invalid party ID".into()),
            "{bad}"
        );
    }
    let unknown = format!("{}.{node}", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
    assert_eq!(
        refusal(&mut sb, json!({"party_join": {"party_id": unknown}})),
        (3, "Error joining party: party not found".into())
    );
    let elsewhere = format!("{uuid}.elsewhere");
    assert_eq!(
        refusal(&mut sb, json!({"party_join": {"party_id": elsewhere}})),
        (3, "Error joining party: party not found".into())
    );

    // b joins the open party at once: the `party` comes to b, the join
    // to every member.
    done(&mut sb, json!({"party_join": {"party_id": pid}}));
    let joined = sb.wait_for("b's party", push("party", pid))["party"].clone();
    let b_sid = joined["self"]["session_id"].as_str().unwrap().to_string();
    let pb = presence(&b, &b_sid);
    assert_eq!(joined["open"], true, "{joined}");
    assert_eq!(joined["max_size"], 3, "{joined}");
    assert_eq!(joined["self"], pb, "{joined}");
    assert_eq!(joined["leader"], pa, "{joined}");
    assert_eq!(
        sorted(&joined["presences"]),
        sorted_of(&[&pa, &pb]),
        "{joined}"
    );
    assert_eq!(joined.get("label"), None, "{joined}");
    sa.wait_for("b's join, to a", event(pid, "joins", &b_sid));
    sb.wait_for("b's join, to b", event(pid, "joins", &b_sid));

    // Data goes to the other members.
    done(
        &mut sb,
        json!({"party_data_send": {"party_id": pid, "op_code": "7", "data": "aGk="}}),
    );
    let data = sa.wait_for("b's data", push("party_data", pid))["party_data"].clone();
    assert_eq!(
        data,
        json!({"party_id": pid, "presence": pb, "op_code": "7", "data": "aGk="})
    );
    assert_eq!(
        refusal(
            &mut sc,
            json!({"party_data_send": {"party_id": pid, "op_code": 1}})
        ),
        (3, "Error sending party data: party member not found".into())
    );

    // Leader-only operations.
    let promote_a = json!({"party_promote": {"party_id": pid, "presence": pa}});
    assert_eq!(
        refusal(&mut sb, promote_a.clone()),
        (
            3,
            "Error promoting new party leader: party leader only".into()
        )
    );
    assert_eq!(
        refusal(
            &mut sa,
            json!({"party_promote": {"party_id": pid, "presence": {"user_id": b.user_id, "session_id": b_sid}}})
        ),
        (3, "Invalid presence".into())
    );
    assert_eq!(
        refusal(&mut sa, json!({"party_promote": {"party_id": pid}})),
        (3, "Invalid presence".into())
    );
    assert_eq!(
        refusal(
            &mut sa,
            json!({"party_promote": {"party_id": pid, "presence": presence(&c, &b_sid)}})
        ),
        (
            3,
            "Error promoting new party leader: party member not found".into()
        )
    );
    assert_eq!(
        refusal(&mut sb, json!({"party_close": {"party_id": pid}})),
        (3, "Error closing party: party leader only".into())
    );
    assert_eq!(
        refusal(
            &mut sb,
            json!({"party_join_request_list": {"party_id": pid}})
        ),
        (
            3,
            "Error listing party join requests: party leader only".into()
        )
    );
    assert_eq!(
        refusal(
            &mut sb,
            json!({"party_update": {"party_id": pid, "open": false}})
        ),
        (3, "Error updating party: party leader only".into())
    );
    assert_eq!(
        refusal(
            &mut sb,
            json!({"party_remove": {"party_id": pid, "presence": pa}})
        ),
        (
            3,
            "Error removing party member or join request: party leader only".into()
        )
    );

    // a makes b the leader: every member is told.
    done(&mut sa, promote_a_to(&pb, pid));
    for s in [&mut sa, &mut sb] {
        let leader = s.wait_for("the new leader", push("party_leader", pid));
        assert_eq!(
            leader["party_leader"],
            json!({"party_id": pid, "presence": pb})
        );
    }

    // b closes the party to new members.
    assert_eq!(
        refusal(
            &mut sb,
            json!({"party_update": {"party_id": pid, "label": "{\"a\":1}", "hidden": true}})
        ),
        (
            3,
            "Error updating party: party is hidden and label is not empty, invalid operation"
                .into()
        )
    );
    let new_label = r#"{"mode":"trio"}"#;
    done(
        &mut sb,
        json!({"party_update": {"party_id": pid, "label": new_label, "open": false}}),
    );
    for s in [&mut sa, &mut sb] {
        let update = s.wait_for("the update", push("party_update", pid));
        assert_eq!(
            update["party_update"],
            json!({"party_id": pid, "label": new_label})
        );
    }

    // c asks to join: the leader hears of it; asking twice is refused.
    done(&mut sc, json!({"party_join": {"party_id": pid}}));
    let request = sb.wait_for("c's request", push("party_join_request", pid));
    let c_sid = request["party_join_request"]["presences"][0]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let pc = presence(&c, &c_sid);
    assert_eq!(
        request["party_join_request"],
        json!({"party_id": pid, "presences": [pc]})
    );
    assert_eq!(
        refusal(&mut sc, json!({"party_join": {"party_id": pid}})),
        (
            3,
            "Error joining party: party join request duplicate".into()
        )
    );
    let listed = sb.call(json!({"party_join_request_list": {"party_id": pid}}));
    assert_eq!(
        listed["party_join_request"],
        json!({"party_id": pid, "presences": [pc]}),
        "{listed}"
    );
    // d asks too, and is refused by the leader.
    done(&mut sd, json!({"party_join": {"party_id": pid}}));
    let request = sb.wait_for("d's request", push("party_join_request", pid));
    let d_sid = request["party_join_request"]["presences"][0]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let pd = presence(&d, &d_sid);
    done(
        &mut sb,
        json!({"party_remove": {"party_id": pid, "presence": pd}}),
    );
    let listed = sb.call(json!({"party_join_request_list": {"party_id": pid}}));
    assert_eq!(
        listed["party_join_request"],
        json!({"party_id": pid, "presences": [pc]}),
        "{listed}"
    );
    assert_eq!(
        refusal(
            &mut sb,
            json!({"party_accept": {"party_id": pid, "presence": pd}})
        ),
        (
            3,
            "Error accepting party join request: party join request not found".into()
        )
    );
    assert_eq!(
        refusal(
            &mut sa,
            json!({"party_accept": {"party_id": pid, "presence": pc}})
        ),
        (
            3,
            "Error accepting party join request: party leader only".into()
        )
    );

    // The leader accepts c.
    done(
        &mut sb,
        json!({"party_accept": {"party_id": pid, "presence": pc}}),
    );
    let joined = sc.wait_for("c's party", push("party", pid))["party"].clone();
    assert_eq!(joined["open"], Value::Null, "closed: {joined}");
    assert_eq!(joined["max_size"], 3, "{joined}");
    assert_eq!(joined["self"], pc, "{joined}");
    assert_eq!(joined["leader"], pb, "{joined}");
    assert_eq!(
        sorted(&joined["presences"]),
        sorted_of(&[&pa, &pb, &pc]),
        "{joined}"
    );
    for s in [&mut sa, &mut sb, &mut sc] {
        s.wait_for("c's join", event(pid, "joins", &c_sid));
    }
    let listed = sb.call(json!({"party_join_request_list": {"party_id": pid}}));
    assert_eq!(
        listed,
        json!({"cid": listed["cid"], "party_join_request": {"party_id": pid}})
    );

    // Full: no more requests.
    assert_eq!(
        refusal(&mut sd, json!({"party_join": {"party_id": pid}})),
        (3, "Error joining party: party full".into())
    );

    // The leader cannot remove itself; removing a member tells it the
    // party is closed to it, and the others that it left.
    assert_eq!(
        refusal(
            &mut sb,
            json!({"party_remove": {"party_id": pid, "presence": pb}})
        ),
        (
            3,
            "Error removing party member or join request: party cannot remove self".into()
        )
    );
    assert_eq!(
        refusal(
            &mut sb,
            json!({"party_remove": {"party_id": pid, "presence": pd}})
        ),
        (
            3,
            "Error removing party member or join request: party member not found".into()
        )
    );
    done(
        &mut sb,
        json!({"party_remove": {"party_id": pid, "presence": pa}}),
    );
    let closed = sa.wait_for("a's removal", push("party_close", pid));
    assert_eq!(closed["party_close"], json!({"party_id": pid}));
    for s in [&mut sb, &mut sc] {
        s.wait_for("a's leave", event(pid, "leaves", &a_sid));
    }

    // The leader leaves: the oldest member leads.
    done(&mut sb, json!({"party_leave": {"party_id": pid}}));
    let leader = sc.wait_for("c leads", push("party_leader", pid));
    assert_eq!(
        leader["party_leader"],
        json!({"party_id": pid, "presence": pc})
    );
    sc.wait_for("b's leave", event(pid, "leaves", &b_sid));
    // Leaving a party one is not in, or one that does not exist, is fine.
    done(&mut sb, json!({"party_leave": {"party_id": pid}}));
    done(&mut sb, json!({"party_leave": {"party_id": unknown}}));
    assert_eq!(
        refusal(&mut sb, json!({"party_leave": {"party_id": "x"}})),
        (3, "Invalid party ID".into())
    );

    // c closes it: the members are told, and it is gone.
    done(&mut sc, json!({"party_close": {"party_id": pid}}));
    let closed = sc.wait_for("the close", push("party_close", pid));
    assert_eq!(closed["party_close"], json!({"party_id": pid}));
    assert_eq!(
        refusal(&mut sd, json!({"party_join": {"party_id": pid}})),
        (3, "Error joining party: party not found".into())
    );
    assert_eq!(
        refusal(&mut sc, json!({"party_close": {"party_id": pid}})),
        (3, "Error closing party: party not found".into())
    );

    // A leader whose socket closes leaves its party.
    let party = create(&mut sd, json!({"open": true, "max_size": 2}));
    assert_eq!(party.get("label"), None, "{party}");
    let pid = party["party_id"].as_str().unwrap().to_string();
    let pid = pid.as_str();
    done(&mut sa, json!({"party_join": {"party_id": pid}}));
    sa.wait_for("a's party", push("party", pid));
    sd.wait_for("a's join", event(pid, "joins", &a_sid));
    sd.close();
    let leader = sa.wait_for("a leads", push("party_leader", pid));
    assert_eq!(
        leader["party_leader"],
        json!({"party_id": pid, "presence": pa})
    );
    sa.wait_for("d's leave", event(pid, "leaves", &d_sid_of(&party)));

    // Nobody got their own data.
    for s in [&sa, &sb, &sc] {
        assert!(
            !s.waiting().any(|e| e.get("party_data").is_some()),
            "{:?}",
            s.waiting().collect::<Vec<_>>()
        );
    }
    sa.close();
    sb.close();
    sc.close();
}

/// Checks party tickets in the matchmaker of the host on `port` (running
/// every second): only the leader adds and removes them, every member
/// hears of one, a member's change of party withdraws them, and a party's
/// members are matched with a player's own ticket.
pub fn check_party_matchmaker(port: u16) {
    let a = User::new(port, "party-mm-0001", "partymm0001");
    let b = User::new(port, "party-mm-0002", "partymm0002");
    let c = User::new(port, "party-mm-0003", "partymm0003");
    let mut sa = Socket::open(port, &a);
    let mut sb = Socket::open(port, &b);
    let mut sc = Socket::open(port, &c);
    let party = create(&mut sa, json!({"open": true, "max_size": 4}));
    let pid = party["party_id"].as_str().unwrap().to_string();
    let pid = pid.as_str();
    let a_sid = party["self"]["session_id"].as_str().unwrap().to_string();
    done(&mut sb, json!({"party_join": {"party_id": pid}}));
    let joined = sb.wait_for("b's party", push("party", pid))["party"].clone();
    let b_sid = joined["self"]["session_id"].as_str().unwrap().to_string();
    sa.wait_for("b's join", event(pid, "joins", &b_sid));

    let ticket_body = |party_id: &str| {
        json!({"party_matchmaker_add": {
            "party_id": party_id, "min_count": 3, "max_count": 3,
            "query": "+properties.mode:partymm", "string_properties": {"mode": "partymm"},
        }})
    };
    assert_eq!(
        refusal(&mut sb, ticket_body(pid)),
        (
            3,
            "Error adding party to matchmaker: party leader only".into()
        )
    );
    let mut bad = ticket_body(pid);
    bad["party_matchmaker_add"]["min_count"] = json!(1);
    assert_eq!(
        refusal(&mut sa, bad),
        (3, "Invalid minimum count, must be >= 2".into())
    );
    assert_eq!(
        refusal(&mut sa, ticket_body("x")),
        (3, "Invalid party ID".into())
    );

    // A ticket withdrawn when the party changes.
    let r = sa.call(ticket_body(pid));
    let first = r["party_matchmaker_ticket"]["ticket"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    assert_eq!(
        r["party_matchmaker_ticket"],
        json!({"party_id": pid, "ticket": first})
    );
    let heard = sb.wait_for(
        "b hears of the ticket",
        push("party_matchmaker_ticket", pid),
    );
    assert_eq!(heard["party_matchmaker_ticket"]["ticket"], first.as_str());
    // Not a session's own ticket.
    assert_eq!(
        refusal(&mut sb, json!({"matchmaker_remove": {"ticket": first}})),
        (3, "Matchmaker ticket not found".into())
    );
    assert_eq!(
        refusal(
            &mut sa,
            json!({"party_matchmaker_remove": {"party_id": pid, "ticket": ""}})
        ),
        (3, "Invalid matchmaker ticket".into())
    );
    assert_eq!(
        refusal(
            &mut sb,
            json!({"party_matchmaker_remove": {"party_id": pid, "ticket": first}})
        ),
        (3, "Error closing party: party leader only".into())
    );
    done(
        &mut sa,
        json!({"party_matchmaker_remove": {"party_id": pid, "ticket": first}}),
    );
    assert_eq!(
        refusal(
            &mut sa,
            json!({"party_matchmaker_remove": {"party_id": pid, "ticket": first}})
        ),
        (3, "Error closing party: matchmaker ticket not found".into())
    );
    let r = sa.call(ticket_body(pid));
    let second = r["party_matchmaker_ticket"]["ticket"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    done(&mut sc, json!({"party_join": {"party_id": pid}}));
    sa.wait_for("c's join", |e| {
        e["party_presence_event"]["joins"][0]["user_id"] == c.user_id.as_str()
    });
    assert_eq!(
        refusal(
            &mut sa,
            json!({"party_matchmaker_remove": {"party_id": pid, "ticket": second}})
        ),
        (3, "Error closing party: matchmaker ticket not found".into())
    );
    done(&mut sc, json!({"party_leave": {"party_id": pid}}));
    sa.wait_for("c's leave", |e| {
        e["party_presence_event"]["leaves"][0]["user_id"] == c.user_id.as_str()
    });

    // The party's ticket and c's own make a group of three.
    let r = sa.call(ticket_body(pid));
    let ticket = r["party_matchmaker_ticket"]["ticket"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    let r = sc.call(json!({"matchmaker_add": {
        "min_count": 3, "max_count": 3, "query": "+properties.mode:partymm",
        "string_properties": {"mode": "partymm"},
    }}));
    let c_ticket = r["matchmaker_ticket"]["ticket"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    let mut tokens = Vec::new();
    for (s, sid, own) in [
        (&mut sa, a_sid.as_str(), ticket.as_str()),
        (&mut sb, b_sid.as_str(), ticket.as_str()),
        (&mut sc, "", c_ticket.as_str()),
    ] {
        let m = s.wait_for("matched", |e| e.get("matchmaker_matched").is_some());
        let m = &m["matchmaker_matched"];
        assert_eq!(m["ticket"], own, "{m}");
        let users = m["users"].as_array().cloned().unwrap_or_default();
        assert_eq!(users.len(), 3, "{m}");
        for u in &users {
            let in_party = u["presence"]["user_id"] != c.user_id.as_str();
            assert_eq!(u["party_id"].as_str().is_some(), in_party, "{u}");
            if in_party {
                assert_eq!(u["party_id"], pid, "{u}");
            }
            assert_eq!(u["string_properties"], json!({"mode": "partymm"}), "{u}");
        }
        if !sid.is_empty() {
            assert_eq!(m["self"]["presence"]["session_id"], sid, "{m}");
            assert_eq!(m["self"]["party_id"], pid, "{m}");
        } else {
            assert_eq!(m["self"]["presence"]["user_id"], c.user_id.as_str(), "{m}");
        }
        tokens.push(m["token"].clone());
    }
    assert!(tokens[0].is_string(), "{tokens:?}");
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    sa.close();
    sb.close();
    sc.close();
}

fn promote_a_to(to: &Value, party_id: &str) -> Value {
    json!({"party_promote": {"party_id": party_id, "presence": to}})
}

fn d_sid_of(party: &Value) -> String {
    party["self"]["session_id"].as_str().unwrap().to_string()
}

/// `session.single_party` (the host started with it,
/// `session.single_socket` and fixture-nk): a session that becomes a
/// member of a party (by creating it, joining it open, or being accepted)
/// leaves its other parties, their members told, and the other party
/// streams a module put it on; a join request alone does not.
pub fn check_single_party(port: u16) {
    let user = |name: &str| User::fresh(port, "sp", name);
    let (a, b, c, d) = (user("ann"), user("ben"), user("cat"), user("dan"));
    let (mut sa, mut sb, mut sc, mut sd) = (
        Socket::open(port, &a),
        Socket::open(port, &b),
        Socket::open(port, &c),
        Socket::open(port, &d),
    );
    let open = json!({"open": true, "max_size": 4});

    // Ben joins Ann's open party, then Cat's: he leaves Ann's.
    let first = create(&mut sa, open.clone());
    let first = first["party_id"].as_str().unwrap().to_string();
    done(&mut sb, json!({"party_join": {"party_id": first}}));
    let welcome = sb.wait_for("ben's party", push("party", &first));
    let b_sid = welcome["party"]["self"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    sa.wait_for("ben in ann's party", event(&first, "joins", &b_sid));
    // A module puts him on the stream of a party there is not.
    let (_, node) = first.split_once('.').unwrap();
    let nowhere = json!({"mode": 7, "subject": a.user_id, "label": node});
    crate::streams::ok(&mut sb, json!({"call": "join", "stream": nowhere}));
    let second = create(&mut sc, open.clone());
    let second = second["party_id"].as_str().unwrap().to_string();
    done(&mut sb, json!({"party_join": {"party_id": second}}));
    sa.wait_for(
        "ben's leave from ann's party",
        event(&first, "leaves", &b_sid),
    );
    crate::eventually(
        "ben off the party stream a module put him on",
        || match crate::streams::ok(&mut sa, json!({"call": "count", "stream": nowhere})) {
            n if n == 0 => Ok(()),
            n => Err(format!("count {n}")),
        },
    );

    // A join request to Dan's closed party keeps him in Cat's; Dan's
    // accepting it takes him out.
    let third = create(&mut sd, json!({"open": false, "max_size": 4}));
    let third = third["party_id"].as_str().unwrap().to_string();
    done(&mut sb, json!({"party_join": {"party_id": third}}));
    sd.wait_for("ben's request", push("party_join_request", &third));
    done(
        &mut sb,
        json!({"party_data_send": {"party_id": second, "op_code": 1, "data": "aGk="}}),
    );
    sc.wait_for(
        "ben's data: still in cat's party",
        push("party_data", &second),
    );
    done(
        &mut sd,
        json!({"party_accept": {"party_id": third, "presence": presence(&b, &b_sid)}}),
    );
    sc.wait_for(
        "ben's leave from cat's party",
        event(&second, "leaves", &b_sid),
    );

    // Creating a party takes him out of Dan's.
    create(&mut sb, open);
    sd.wait_for(
        "ben's leave from dan's party",
        event(&third, "leaves", &b_sid),
    );
    for s in [sa, sb, sc, sd] {
        s.close();
    }
}

/// `party.idle_check_interval_ms` (the host started with
/// [`IDLE_CHECK_INTERVAL_MS`] and fixture-nk): a party no one is on (a
/// `max_size` 0 party its creator left) closes once an interval passed
/// with no activity (a join attempt, even refused, counts, and so does
/// a module taking a session off its stream); a party with a member
/// stays, and so does one with a session a module put on its stream.
pub fn check_idle_party(port: u16) {
    let user = |name: &str| User::fresh(port, "ip", name);
    let (a, b, c) = (user("ann"), user("ben"), user("cat"));
    let (mut sa, mut sb, mut sc) = (
        Socket::open(port, &a),
        Socket::open(port, &b),
        Socket::open(port, &c),
    );
    let party_id = |party: Value| party["party_id"].as_str().unwrap().to_string();
    let empty = party_id(create(&mut sa, json!({"open": true, "max_size": 0})));
    let kept = party_id(create(&mut sb, json!({"open": true, "max_size": 2})));
    done(&mut sa, json!({"party_leave": {"party_id": empty}}));
    let quiet = std::time::Duration::from_millis(IDLE_CHECK_INTERVAL_MS * 4);
    let join_empty = |s: &mut Socket| refusal(s, json!({"party_join": {"party_id": empty}}));
    let full = (3, "Error joining party: party full".to_string());
    // Kept from closing by the refused joins, four to an interval.
    for _ in 0..8 {
        assert_eq!(join_empty(&mut sc), full);
        std::thread::sleep(quiet / 16);
    }
    // Cat, put on its stream by a module (refused as a member: it is
    // full), keeps it too (fixture-nk's `nk_streams`).
    let (uuid, node) = empty.split_once('.').unwrap();
    let stream = json!({"mode": 7, "subject": uuid, "label": node});
    crate::streams::ok(&mut sc, json!({"call": "join", "stream": stream}));
    std::thread::sleep(quiet);
    assert_eq!(
        join_empty(&mut sc),
        full,
        "a session on its stream keeps a party"
    );
    // Its leave is activity too: the party is there half an interval
    // later. (Without it, a check in that half would close it: three
    // rounds, so that one falls there.)
    for round in 0..3 {
        if round > 0 {
            crate::streams::ok(&mut sc, json!({"call": "join", "stream": stream}));
        }
        std::thread::sleep(quiet);
        crate::streams::ok(&mut sc, json!({"call": "leave", "stream": stream}));
        std::thread::sleep(quiet / 8);
        assert_eq!(
            join_empty(&mut sc),
            full,
            "a session leaving its stream is activity"
        );
    }
    std::thread::sleep(quiet);
    assert_eq!(
        join_empty(&mut sc),
        (3, "Error joining party: party not found".into()),
        "a party no one is on, quiet for an interval, is closed"
    );
    std::thread::sleep(quiet);
    done(&mut sc, json!({"party_join": {"party_id": kept}}));
    sc.wait_for("cat in ben's party", push("party", &kept));
    for s in [sa, sb, sc] {
        s.close();
    }
}

/// The `party.idle_check_interval_ms` [`check_idle_party`] needs.
pub const IDLE_CHECK_INTERVAL_MS: u64 = 500;
