//! The client's match listing (`GET /v2/match`), checked on a host serving
//! `examples/arena`, whose `arena_create` RPC starts a match. Joining and
//! playing are the realtime socket's ([`crate::realtime`]).

use serde_json::{json, Value};

use crate::http::{authenticate_custom, request, HttpResponse};
use crate::realtime::{Socket, User};

fn session(port: u16) -> String {
    let id = format!("match-list-{}", crate::run_suffix());
    let token = authenticate_custom(port, "", &format!(r#"{{"id":"{id}"}}"#));
    format!("Bearer {token}")
}

fn get(port: u16, auth: &str, path: &str) -> HttpResponse {
    request(port, "GET", path, &[("Authorization", auth)], None)
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

/// The matches `GET /v2/match?{query}` lists.
fn listing(port: u16, auth: &str, query: &str) -> Result<Vec<Value>, String> {
    let r = get(port, auth, &format!("/v2/match?{query}"));
    if r.status != 200 {
        return Err(format!("{query}: {} {}", r.status, r.text()));
    }
    match r.json()["matches"].take() {
        Value::Array(matches) => Ok(matches),
        _ => Ok(Vec::new()),
    }
}

/// The listed match with this id, if any.
fn listed(port: u16, auth: &str, query: &str, id: &str) -> Result<Option<Value>, String> {
    Ok(listing(port, auth, query)?
        .into_iter()
        .find(|m| m["match_id"] == id))
}

/// Starts an arena: its id.
fn arena_create(port: u16, auth: &str) -> String {
    let r = request(
        port,
        "POST",
        "/v2/rpc/arena_create",
        &[("Authorization", auth)],
        Some(br#""{\"max_players\":3}""#),
    )
    .expect("arena_create");
    assert_eq!(r.status, 200, "{}", r.text());
    let payload: Value = serde_json::from_str(r.json()["payload"].as_str().unwrap()).unwrap();
    payload["match_id"].as_str().unwrap().to_string()
}

/// Starts an arena and finds it with Nakama's filters; the refusals with
/// Nakama's statuses and messages; without a query, the newest match is
/// listed first.
pub fn check_listing(port: u16) {
    let auth = session(port);
    let id = arena_create(port, &auth);

    // Nakama indexes labels in batches (about once a second): wait for it.
    let label = r#"{"open":true,"players":0}"#;
    let mut found = Value::Null;
    crate::eventually("the new match is listed", || {
        found = listed(port, &auth, "limit=100&authoritative=true", &id)?
            .ok_or_else(|| format!("{id} not listed yet"))?;
        Ok(())
    });
    assert_eq!(found["authoritative"], true, "{found}");
    assert_eq!(found["label"], label, "{found}");
    assert_eq!(found["tick_rate"], 10, "{found}");
    assert_eq!(found["handler_name"], "arena", "{found}");
    // Empty: left out, as proto3 JSON leaves out zeros.
    assert_eq!(found.get("size"), None, "{found}");

    let by_label = format!(
        "limit=100&authoritative=true&label={}",
        "%7B%22open%22%3Atrue%2C%22players%22%3A0%7D"
    );
    assert!(listed(port, &auth, &by_label, &id).unwrap().is_some());
    let other_label = "limit=100&authoritative=true&label=nope";
    assert!(listed(port, &auth, other_label, &id).unwrap().is_none());
    let bigger = "limit=100&authoritative=true&min_size=1";
    assert!(listed(port, &auth, bigger, &id).unwrap().is_none());
    let relayed = "limit=100&authoritative=false";
    assert!(listed(port, &auth, relayed, &id).unwrap().is_none());

    // Newest first (Nakama keeps start times in milliseconds: apart).
    std::thread::sleep(std::time::Duration::from_millis(20));
    let newer = arena_create(port, &auth);
    crate::eventually("the newer match is listed", || {
        listed(port, &auth, "limit=100&authoritative=true", &newer)?
            .map(|_| ())
            .ok_or_else(|| format!("{newer} not listed yet"))
    });
    let r = get(port, &auth, "/v2/match?limit=100&authoritative=true");
    let body = r.json();
    let ids: Vec<&str> = body["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| match m["match_id"].as_str() {
            Some(s) if s == newer => Some("newer"),
            Some(s) if s == id => Some("older"),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["newer", "older"], "{}", r.text());

    for (query, message) in [
        (
            "limit=0",
            "Invalid limit - limit must be between 1 and 100.",
        ),
        (
            "limit=101",
            "Invalid limit - limit must be between 1 and 100.",
        ),
        (
            "authoritative=false&label=x",
            "Label filtering is not supported for non-authoritative matches.",
        ),
        (
            "authoritative=false&query=x",
            "Query filtering is not supported for non-authoritative matches.",
        ),
        ("min_size=-1", "Minimum size must be 0 or above."),
        ("max_size=-1", "Maximum size must be 0 or above."),
        (
            "min_size=3&max_size=2",
            "Maximum size must be greater than or equal to minimum size when both are specified.",
        ),
    ] {
        let r = get(port, &auth, &format!("/v2/match?{query}"));
        let body = r.json();
        assert_eq!(
            (r.status, &body["code"], body["message"].as_str()),
            (400, &Value::from(3), Some(message)),
            "{query}: {body}"
        );
    }
    let r = request(port, "GET", "/v2/match", &[], None).unwrap();
    assert_eq!(r.status, 401, "{}", r.text());
}

/// Nakama's label queries (`GET /v2/match?query=`) on three arenas, oldest
/// first: `full` (2 of 2 seats taken: `{"open":false,"players":2}`), `one`
/// (`{"open":true,"players":1}`) and `empty` (`{"open":true,"players":0}`).
/// Must, should and must-not clauses, numeric ranges, the booleans `T`
/// and `F`, boosts; best score first, then newest first; a query that does
/// not parse answers 500 "Error listing matches.".
pub fn check_listing_queries(port: u16) {
    use crate::realtime::{Socket, User};

    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("mq-{n}-{suffix}"), &format!("mq{n}{suffix}"));
    let (ann, ben) = (user("ann"), user("ben"));
    let auth = format!("Bearer {}", ann.token);
    let create = |max_players: u32| {
        let created = ann.rpc(
            port,
            "arena_create",
            &format!(r#"{{"max_players":{max_players}}}"#),
        );
        // Nakama keeps start times in milliseconds: keep them apart.
        std::thread::sleep(std::time::Duration::from_millis(20));
        created["match_id"].as_str().unwrap().to_string()
    };
    let matches = [
        ("full", create(2)),
        ("one", create(3)),
        ("empty", create(4)),
    ];
    let id = |name: &str| matches.iter().find(|(n, _)| *n == name).unwrap().1.clone();

    let mut a = Socket::open(port, &ann);
    let mut b = Socket::open(port, &ben);
    let join = |socket: &mut Socket, name: &str, arena: &str| {
        let r = socket.call(
            serde_json::json!({"match_join": {"match_id": id(arena), "metadata": {"name": name}}}),
        );
        assert!(r["match"].is_object(), "{name} joins {arena}: {r}");
    };
    join(&mut a, "ann", "full");
    join(&mut b, "ben", "full");
    join(&mut b, "ben", "one");

    // Our arenas among the listed ones, in the order listed.
    let listed = |query: &str| -> Result<Vec<&str>, String> {
        let encoded: String = query
            .bytes()
            .map(|c| match c {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    char::from(c).to_string()
                }
                _ => format!("%{c:02X}"),
            })
            .collect();
        Ok(listing(port, &auth, &format!("limit=100&query={encoded}"))?
            .iter()
            .filter_map(|m| matches.iter().find(|(_, id)| m["match_id"] == id.as_str()))
            .map(|(name, _)| *name)
            .collect())
    };

    // Nakama indexes labels about once a second: wait for the joins.
    crate::eventually("the arenas' labels are indexed", || {
        let all = listed("*")?;
        let full = listed("+label.open:F +label.players:2")?;
        let one = listed("+label.open:T +label.players:1")?;
        (all.len() == 3 && full == ["full"] && one == ["one"])
            .then_some(())
            .ok_or_else(|| format!("not indexed yet: {all:?} {full:?} {one:?}"))
    });

    for (query, expected) in [
        // Everything, newest first.
        ("*", &["empty", "one", "full"][..]),
        // Must: equal scores, newest first.
        ("+label.open:T", &["empty", "one"]),
        // Must not, alone: every other match.
        ("-label.open:T", &["full"]),
        ("-label.open:T -label.players:2", &[]),
        // Should: at least one; equal scores, newest first.
        ("label.open:F label.players:0", &["empty", "full"]),
        // A should clause adds to a must's score: the better one first.
        ("+label.open:T label.players:1", &["one", "empty"]),
        ("+label.open:T -label.players:0", &["one"]),
        // Numbers and ranges.
        ("label.players:2", &["full"]),
        ("label.players:>=1", &["one", "full"]),
        (
            "label.players:>0 label.players:<2",
            &["one", "empty", "full"],
        ),
        ("label.players:<1", &["empty"]),
        ("label.players:<=-1", &[]),
        // A boost outweighs age: 1 + 3² against 1.
        ("label.players:>=1 label.open:F^3", &["full", "one"]),
        // Other fields of the index.
        (
            "+handler_name:arena +tick_rate:10 +label.players:1",
            &["one"],
        ),
        // No match: a value no label has, a field none has, an unfielded
        // term (Nakama's default field is not in its documents).
        ("label.players:>10", &[]),
        ("label.mode:duel", &[]),
        ("T", &[]),
        ("+label.open:T +label.players:2", &[]),
        // Regexps: Go's most copies of a thing is 1000, and a count with
        // a leading zero is literal text.
        ("label.open:/T{1,1000}/", &["empty", "one"]),
        ("label.open:/(T{1}){1,1000}/", &["empty", "one"]),
        ("label.open:/T{01}/", &[]),
        // A class of no character is the empty text to Nakama's index
        // (vellum), unless Go's parser merged it into a class beside it.
        ("label.open:/T[\\^\\d\\D]/", &["empty", "one"]),
        ("label.open:/([\\^\\d\\D]|x)T/", &[]),
    ] {
        assert_eq!(listed(query).unwrap(), expected, "query {query}");
    }
    // Go's parser takes a regexp nested 1000 deep (its tree's height),
    // and no deeper: 999 groups around `T`, not 1000.
    let nested = |depth: usize| format!("{}T{}", "(".repeat(depth), ")".repeat(depth));
    let deepest = format!("label.open:/{}/", nested(999));
    assert_eq!(listed(&deepest).unwrap(), ["empty", "one"]);
    let too_deep = format!("label.open%3A%2F{}%2F", nested(1000));
    // Sizes filter the query's matches.
    let r = get(
        port,
        &auth,
        "/v2/match?limit=100&query=label.open:T&min_size=1&max_size=1",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    let ours: Vec<&Value> = body["matches"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| matches.iter().any(|(_, id)| m["match_id"] == id.as_str()))
        .collect();
    assert_eq!(ours.len(), 1, "{body}");
    assert_eq!(ours[0]["match_id"], id("one").as_str());
    assert_eq!(ours[0]["size"], 1);
    assert_eq!(ours[0]["label"], r#"{"open":true,"players":1}"#);

    // Queries that do not parse, or that Nakama's index will not run.
    for query in [
        too_deep.as_str(),
        "%2B",
        "label.open%3A%22T",
        "label.open%3A",
        "label.open%3AT%5Eabc",
        "label.mode%3Aduel~3",
        // Go's regexp parser refuses these counts (Nakama's index asks it).
        "label.open%3A%2FT%7B1001%7D%2F",
        "label.open%3A%2F(T%7B100%7D)%7B20%7D%2F",
        // Past what Nakama's index (vellum) builds: more than 10 000
        // states (`/.*x.{9}/`).
        "label.open%3A%2F.*x.%7B9%7D%2F",
    ] {
        let r = get(port, &auth, &format!("/v2/match?query={query}"));
        let body = r.json();
        assert_eq!(
            (r.status, &body["code"], body["message"].as_str()),
            (500, &Value::from(13), Some("Error listing matches.")),
            "{query}: {body}"
        );
    }
    a.close();
    b.close();
}

/// `match.max_empty_sec` (the host run with 1): an arena nobody joins
/// stops after a second of ticks in a row without anyone, one with a
/// player keeps running, and stops a second after its last player left.
pub fn check_idle_matches(port: u16) {
    let suffix = crate::run_suffix();
    let ann = User::new(
        port,
        &format!("idle-ann-{suffix}"),
        &format!("idleann{suffix}"),
    );
    let auth = format!("Bearer {}", ann.token);
    let mut socket = Socket::open(port, &ann);
    let empty = arena_create(port, &auth);
    let played = arena_create(port, &auth);
    let r = socket.call(json!({"match_join": {"match_id": played, "metadata": {"name": "ann"}}}));
    assert!(r["match"].is_object(), "{r}");
    let query = "authoritative=true&limit=100";
    let running = |id: &str| listed(port, &auth, query, id).map(|m| m.is_some());
    crate::eventually("the empty arena stops", || match running(&empty)? {
        false => Ok(()),
        true => Err(format!("{empty} still listed")),
    });
    // Nakama lists a match a moment after it starts.
    crate::eventually("the played arena is listed", || match running(&played)? {
        true => Ok(()),
        false => Err(format!("{played} not listed")),
    });
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(running(&played), Ok(true), "a match with a player runs on");
    let r = socket.call(json!({"match_leave": {"match_id": played}}));
    assert!(r.get("error").is_none(), "{r}");
    crate::eventually("the arena its player left stops", || {
        match running(&played)? {
            false => Ok(()),
            true => Err(format!("{played} still listed")),
        }
    });
    socket.close();
}
