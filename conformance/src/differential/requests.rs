//! Malformed and odd client requests.

use serde_json::{json, Value};

use super::{pick, without_clock, Hosts, Run};
use crate::http::{request, HttpResponse};

/// `calls` random malformed or odd client requests by one user: each a
/// route (with a method it takes) given a body and a query from lists of
/// bad ones (not JSON, wrong types, out of range, ids that are none, long
/// values, unknown fields). Routes whose answers differ by design are
/// left out: social logins (the dev host asks no provider), and
/// leaderboard writes (a score of 0 ties records, ordered by owner ids).
pub fn compare_bad_requests(hosts: Hosts, seed: u64, calls: usize) {
    const ROUTES: &[(&str, &str)] = &[
        ("PUT", "/v2/storage"),
        ("POST", "/v2/storage"),
        ("PUT", "/v2/storage/delete"),
        ("GET", "/v2/storage/c?"),
        ("GET", "/v2/storage/c/{me}?"),
        ("POST", "/v2/friend?"),
        ("DELETE", "/v2/friend?"),
        ("GET", "/v2/friend?"),
        ("POST", "/v2/friend/block?"),
        ("POST", "/v2/group"),
        ("GET", "/v2/group?"),
        ("PUT", "/v2/group/{group}"),
        ("POST", "/v2/group/{group}/add?"),
        ("POST", "/v2/group/{group}/kick?"),
        ("POST", "/v2/group/nope/join"),
        ("GET", "/v2/group/{group}/user?"),
        ("GET", "/v2/user/{me}/group?"),
        ("PUT", "/v2/account"),
        ("GET", "/v2/user?"),
        ("GET", "/v2/notification?"),
        ("DELETE", "/v2/notification?"),
        ("POST", "/v2/account/link/custom"),
        ("POST", "/v2/account/link/device"),
        ("POST", "/v2/account/link/email"),
        ("POST", "/v2/account/unlink/custom"),
        ("POST", "/v2/account/authenticate/email?"),
        ("POST", "/v2/account/authenticate/custom?"),
        ("POST", "/v2/account/authenticate/device?"),
        ("POST", "/v2/event"),
        ("GET", "/v2/match?"),
        ("GET", "/v2/channel/room.x?"),
        ("GET", "/v2/leaderboard/nope?"),
        ("POST", "/v2/leaderboard/nope"),
        ("GET", "/v2/leaderboard/nope/owner/{me}?"),
        ("GET", "/v2/tournament?"),
        ("POST", "/v2/tournament/nope/join"),
        ("POST", "/v2/iap/subscription"),
        ("GET", "/v2/leaderboard/"),
        ("PUT", "/v2/group/"),
    ];
    const BODIES: &[&str] = &[
        "", "{", "[]", "null", "1", "\"x\"", "{}", "{\"unknown\": 1}",
        "{\"objects\": 5}",
        "{\"objects\": [{}]}",
        "{\"objects\": [{\"collection\": \"c\", \"key\": \"k\", \"value\": \"{}\", \"permission_read\": 5}]}",
        "{\"objects\": [{\"collection\": \"c\", \"key\": \"k\", \"value\": \"{}\", \"permission_write\": \"1\"}]}",
        "{\"objects\": [{\"collection\": \"\", \"key\": \"k\", \"value\": \"{}\"}]}",
        "{\"objects\": [{\"collection\": \"c\", \"key\": \"k\", \"value\": \"{\\\"a\\\":1e2}\"}]}",
        "{\"object_ids\": [{\"collection\": \"c\", \"key\": \"k\", \"user_id\": \"nope\"}]}",
        "{\"object_ids\": [{\"collection\": \"c\", \"key\": \"k\", \"version\": \"x\"}]}",
        "{\"name\": \"\"}", "{\"name\": \"g\", \"max_count\": -1}", "{\"name\": \"g\", \"max_count\": \"x\"}",
        "{\"name\": \"g\", \"open\": \"yes\"}", "{\"name\": \"%\"}",
        "{\"id\": \"short\"}", "{\"id\": \"abc def gh\"}", "{\"id\": \"abcdefgh\", \"vars\": {\"a\": 1}}",
        "{\"email\": \"a@b\", \"password\": \"x\"}", "{\"password\": \"long enough\"}",
        "{\"email\": \"Some@Example.com\", \"password\": \"12345678\"}",
        "{\"name\": \"e\", \"properties\": {\"a\": 1}}", "{\"name\": \"e\", \"properties\": {\"a\": \"b\"}, \"external\": true}",
        "{\"limit\": -5}", "{\"limit\": \"x\"}", "{\"username\": 5}", "{\"display_name\": null}",
        "{\"lang_tag\": \"\"}", "{\"timezone\": \"\", \"location\": \"\"}",
        "{\"score\": \"x\"}", "{\"score\": \"1\", \"operator\": 9}",
    ];
    const QUERIES: &[&str] = &[
        "",
        "limit=0",
        "limit=-1",
        "limit=abc",
        "limit=1001",
        "limit=1&limit=2",
        "ids=nope",
        "ids=",
        "usernames=",
        "cursor=zzz",
        "state=9",
        "state=x",
        "user_id=nope",
        "user_id={me}",
        "ids={me}",
        "user_ids={me}",
        "user_ids=nope",
        "members=x",
        "open=maybe",
        "name=%25",
        "name=a%25",
        "lang_tag=en&name=x",
        "authoritative=yes",
        "forward=x",
        "owner_ids=nope",
        "category_start=x",
        "create=false",
        "username=a%20b",
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    let mut groups = Vec::new();
    for side in run.sides.iter_mut() {
        let made = side.call(
            0,
            "POST",
            "/v2/group",
            Some(&json!({"name": format!("bad{}", side.users[0].username)})),
        );
        let id = made.1["id"].as_str().unwrap_or("none").to_string();
        side.names.insert(id.clone(), "G".into());
        groups.push(id);
    }
    for _ in 0..calls {
        let &(method, route) = pick(&mut rng, ROUTES);
        let body = matches!(method, "POST" | "PUT").then(|| *pick(&mut rng, BODIES));
        let query = *pick(&mut rng, QUERIES);
        let what = format!("{method} {route} query {query:?} body {body:?}");
        let mut side_index = 0;
        run.compare(what, |side| {
            let (me, group) = (side.users[0].user_id.clone(), groups[side_index].clone());
            side_index += 1;
            let mut path = route.replace("{me}", &me).replace("{group}", &group);
            if path.ends_with('?') {
                path.push_str(&query.replace("{me}", &me));
            }
            let auth = if path.contains("/authenticate/") {
                "Basic ZGVmYXVsdGtleTo=".to_string()
            } else {
                format!("Bearer {}", side.users[0].token)
            };
            let r = request(
                side.port,
                method,
                &path,
                &[("Authorization", auth.as_str())],
                body.map(str::as_bytes),
            )
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            (r.status, comparable(&r))
        });
    }
}

/// A client answer's body as compared: JSON (`null` if empty, a string if
/// not JSON), tokens reduced to whether there is one (each host signs its
/// own), protojson's random no-break spaces made plain, tournament
/// listings (which span earlier areas' tournaments, each host's made at
/// its own second) by id and without the clock.
pub(super) fn comparable(r: &HttpResponse) -> Value {
    let mut answer = if r.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&r.body).unwrap_or_else(|_| Value::String(r.text()))
    };
    for token in ["token", "refresh_token"] {
        if let Some(t) = answer.get_mut(token) {
            *t = json!(t.as_str().is_some_and(|t| !t.is_empty()));
        }
    }
    if let Some(m) = answer.get_mut("message") {
        if let Some(text) = m.as_str() {
            *m = json!(text.replace('\u{a0}', " "));
        }
    }
    if let Some(Value::Array(all)) = answer.get_mut("tournaments") {
        all.sort_by_key(|t| t["id"].as_str().unwrap_or("").to_string());
    }
    without_clock(answer)
}
