//! Random party calls on the realtime socket (`compare_parties`).

use std::time::Duration;

use serde_json::{json, Value};

use super::sockets::{begin, call, close_all, later, outcome, reconnect, shown, LATE};
use super::{pick, Hosts, Side};

/// How long a listing waits for the hosts to have indexed the changes
/// before it: Nakama's `party.label_update_interval_ms` must be shorter
/// (the test sets 20 ms; its default is 1 s).
const INDEXED: Duration = Duration::from_millis(100);

/// `calls` random party calls by four users, each on a socket of its own:
/// parties created (open or closed, hidden or not, with labels and sizes
/// in and out of range), joined (open ones, closed ones by request, full
/// ones, unknown and malformed ids), left, closed, updated, their leaders
/// promoting, accepting and removing members (right and wrong presences),
/// join requests listed, data sent, matchmaker tickets added (of a query
/// nothing matches) and removed, sockets closed and opened again, the
/// run's parties listed (by label, open or not, through every cursor: as
/// a set, their order being the index's). After each call, the answer
/// and what every socket received until all were quiet (in no order) are
/// compared.
pub fn compare_parties(hosts: Hosts, seed: u64, calls: usize) {
    let (mut rng, mut run, suffix, mut sockets) = begin(hosts, seed);
    // Labels that listings of this run's parties find.
    let run_label = format!("{{\"run\":\"r{suffix}\"}}");
    let run_label_2 = format!("{{\"run\":\"r{suffix}\",\"mode\":2}}");
    let labels = [
        "",
        "",
        "lobby",
        "{\"mode\":1}",
        // Past a float64: Go's json.Unmarshal refuses it.
        "{\"big\":[1,1e400]}",
        &run_label,
        &run_label,
        &run_label_2,
    ];
    for _ in 0..calls {
        let user = rng.usize(..4);
        let other = rng.usize(..4);
        let party = rng.usize(..8);
        // 0: a party of the run, 3: the last one the user made (which it
        // likely leads), 1: a well-formed id no party has, 2: not an id.
        let id_kind = *pick(&mut rng, &[0, 0, 0, 3, 3, 3, 1, 2]);
        let presence_kind = *pick(&mut rng, &[0, 0, 0, 1, 2, 3]);
        let open = rng.bool();
        let hidden = rng.f32() < 0.2;
        let max_size = *pick(&mut rng, &[0, 1, 2, 3, 3, 4, 4, -1, 257]);
        let label = *pick(&mut rng, &labels);
        let limit = *pick(
            &mut rng,
            &["", "limit=1&", "limit=2&", "limit=100&", "limit=0&"],
        );
        let open_query = *pick(&mut rng, &["", "open=true&", "open=false&"]);
        let query = *pick(
            &mut rng,
            &["%2Blabel.run:r", "%2Blabel.mode:2%20%2Blabel.run:r"],
        );
        let op_code = *pick(&mut rng, &[1, 2, 0, -5]);
        let counts = *pick(&mut rng, &[(2, 4), (2, 4), (2, 2), (1, 1), (4, 2)]);
        let op = rng.usize(..OPS.len());
        let what = format!(
            "U{user} {}: party {party} ({id_kind}), U{other} ({presence_kind}), open {open}, \
             hidden {hidden}, max {max_size}, label {label:?}, op {op_code}, counts {counts:?}",
            OPS[op]
        );
        let path = format!("/v2/party?{limit}{open_query}query={query}{suffix}");
        run.compare_twice(
            what,
            &mut sockets,
            |side, sockets| {
                let party_id = party_id(side, user, party, id_kind);
                let presence = presence(side, other, presence_kind);
                let list = sockets.get_mut(&side.port).expect("the side's sockets");
                let message = match OPS[op] {
                    "reconnect" => {
                        reconnect(side, list, user, &suffix);
                        Value::Null
                    }
                    "list" => listed(side, user, &path, INDEXED),
                    "create" => json!({"party_create": {"open": open, "max_size": max_size,
                        "label": label, "hidden": hidden}}),
                    "join" => json!({"party_join": {"party_id": party_id}}),
                    "leave" => json!({"party_leave": {"party_id": party_id}}),
                    "promote" => {
                        json!({"party_promote": {"party_id": party_id, "presence": presence}})
                    }
                    "accept" => {
                        json!({"party_accept": {"party_id": party_id, "presence": presence}})
                    }
                    "remove" => {
                        json!({"party_remove": {"party_id": party_id, "presence": presence}})
                    }
                    "close" => json!({"party_close": {"party_id": party_id}}),
                    "requests" => json!({"party_join_request_list": {"party_id": party_id}}),
                    "data" => json!({"party_data_send": {"party_id": party_id, "op_code": op_code,
                        "data": "aGk="}}),
                    "update" => json!({"party_update": {"party_id": party_id, "label": label,
                        "open": open, "hidden": hidden}}),
                    // Nakama 3.40.0 panics on a party of max_size 0 (no members)
                    // and drops the socket; the dev host refuses (documented).
                    "ticket" if side.kept("max0").contains(&party_id) => Value::Null,
                    // A query no ticket matches: tickets stay until removed.
                    "ticket" => json!({"party_matchmaker_add": {"party_id": party_id,
                        "min_count": counts.0, "max_count": counts.1, "query": "+properties.never:x"}}),
                    "unticket" => {
                        let ticket = match side.nth_kept("ticket", party) {
                            Some(t) if id_kind == 0 || id_kind == 3 => t,
                            _ => "not-a-ticket".into(),
                        };
                        json!({"party_matchmaker_remove": {"party_id": party_id, "ticket": ticket}})
                    }
                    other => unreachable!("{other}"),
                };
                let answer = match message.as_object() {
                    Some(m) if m.keys().any(|k| k.starts_with("party_")) => {
                        call(&mut list[user], message)
                    }
                    _ => message,
                };
                if let Some(t) = answer["party_matchmaker_ticket"]["ticket"].as_str() {
                    side.kept("ticket").push(t.to_string());
                }
                if let Some(id) = answer["party"]["party_id"].as_str() {
                    let n = side.kept("party").len();
                    side.names.insert(id.to_string(), format!("P{n}"));
                    side.kept("party").push(id.to_string());
                    side.kept(&format!("own{user}")).push(id.to_string());
                    if answer["party"].get("max_size").is_none() {
                        side.kept("max0").push(id.to_string());
                    }
                }
                outcome(side, list, &answer, KINDS)
            },
            |side, sockets, (status, mut first)| {
                // A listing is looked at again after a longer wait.
                if OPS[op] == "list" {
                    first["answer"] = shown(side, &listed(side, user, &path, LATE));
                }
                later(side, sockets, (status, first), KINDS)
            },
        );
    }
    close_all(sockets);
}

/// The run's parties `path` lists after `wait` (Nakama indexes their
/// changes in batches, every `party.label_update_interval_ms`: see the
/// test's settings), through every cursor, as a set (equal scores:
/// Nakama's order is its index's, by when a batch took each change, in
/// no set order within one).
///
/// With `open=false`, the first page's size and whether it has a cursor,
/// not the next pages: Nakama 3.40.0 reads such a cursor through a nil
/// pointer (its gob leaves a false `open` out) and stops (server/README.md,
/// Parties).
fn listed(side: &Side, user: usize, path: &str, wait: Duration) -> Value {
    std::thread::sleep(wait);
    if path.contains("open=false") {
        let (status, page) = side.call(user, "GET", path, None);
        let size = page["parties"].as_array().map(Vec::len);
        let cursor = page["cursor"].as_str().is_some_and(|c| !c.is_empty());
        let page = match status {
            200 => json!({"size": size, "cursor": cursor}),
            _ => page,
        };
        return json!([status, page]);
    }
    let (status, mut page) = side.pages(user, path, "parties");
    if let Some(items) = page["items"].as_array_mut() {
        items.sort_by_key(|p| side.normal(p).to_string());
    }
    json!([status, page])
}

/// What sockets receive from this area's calls.
const KINDS: &[&str] = &["party"];

/// The calls, the more common ones more than once.
#[rustfmt::skip]
const OPS: [&str; 23] = [
    "create", "create", "create", "join", "join", "join", "leave", "promote", "accept", "accept",
    "remove", "close", "requests", "data", "data", "update", "reconnect", "list", "list",
    "ticket", "ticket", "unticket", "promote",
];

/// The party a call by `user` names: one of the run's (or, before there
/// is one, a well-formed id no party has), the last one `user` made, a
/// well-formed one no party has, or not an id.
fn party_id(side: &Side, user: usize, n: usize, kind: usize) -> String {
    let own = (side.kept.get(&format!("own{user}"))).and_then(|own| own.last().cloned());
    let known = match kind {
        3 => own.or_else(|| side.nth_kept("party", n)),
        _ => side.nth_kept("party", n),
    };
    match (kind, known) {
        (3, Some(id)) => id,
        (0, Some(id)) => id,
        // The same node as the host's parties: a party id names its node.
        (1, Some(id)) => format!("7b0e2f8c-2d4a-4c7e-9d11-3f5a6b7c8d9e{}", &id[36..]),
        (0 | 1 | 3, None) => "7b0e2f8c-2d4a-4c7e-9d11-3f5a6b7c8d9e.nakama1".into(),
        _ => "not-a-party".into(),
    }
}

/// User `i`'s presence on its socket: as it is, with another user's
/// session, without its username, or empty.
fn presence(side: &Side, i: usize, kind: usize) -> Value {
    let sessions = &side.kept["session"];
    let user = &side.users[i];
    match kind {
        0 => json!({"user_id": user.user_id, "session_id": sessions[i], "username": user.username}),
        1 => json!({"user_id": user.user_id, "session_id": sessions[(i + 1) % 4],
            "username": user.username}),
        2 => json!({"user_id": user.user_id, "session_id": sessions[i]}),
        _ => json!({}),
    }
}
