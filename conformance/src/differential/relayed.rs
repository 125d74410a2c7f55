//! Random relayed match calls on the realtime socket (`compare_relayed`).

use serde_json::{json, Value};

use super::matches::match_id;
use super::sockets::{begin, call, close_all, later, outcome, reconnect};
use super::{pick, Hosts};

/// `calls` random relayed match calls by four users, each on a socket of
/// its own: matches created (unnamed, or named: the same name is the
/// same match), joined (the run's, unknown and malformed ids), left, data
/// sent to everyone or to some (op codes, payloads, presences of other
/// matches' members too), sockets closed and opened again. After each
/// call, the answer and what every socket received until all were quiet
/// (in no order) are compared.
pub fn compare_relayed(hosts: Hosts, seed: u64, calls: usize) {
    let (mut rng, mut run, suffix, mut sockets) = begin(hosts, seed);
    for _ in 0..calls {
        let user = rng.usize(..4);
        let other = rng.usize(..4);
        let name = *pick(&mut rng, &[None, Some(0), Some(1)]);
        let pick_match = rng.usize(..8);
        // 0: a match of the run, 3: the last one the user created or
        // joined, 1: a well-formed id no match has, 2: not an id.
        let id_kind = *pick(&mut rng, &[0, 0, 3, 3, 3, 1, 2]);
        let op_code = *pick(&mut rng, &[1, 7, 0, -3]);
        let data = *pick(&mut rng, &["aGk=", "", "AAEC"]);
        let to = *pick(&mut rng, &[0, 0, 1, 2]);
        let op = rng.usize(..OPS.len());
        let what = format!(
            "U{user} {}: U{other}, name {name:?}, match {pick_match} ({id_kind}), op {op_code}, \
             data {data:?}, to {to}",
            OPS[op]
        );
        run.compare_twice(
            what,
            &mut sockets,
            |side, sockets| {
                // A relayed match's id names no node.
                let unknown = "5f0c6a52-8a3e-4d6c-9b0e-2d7a1c3e4f50.";
                let match_id = match_id(side, user, pick_match, id_kind, unknown);
                let sessions = &side.kept["session"];
                let presences = match to {
                    0 => json!([]),
                    1 => json!([{"user_id": side.users[other].user_id,
                        "session_id": sessions[other], "username": side.users[other].username}]),
                    _ => json!([{"user_id": side.users[other].user_id,
                        "session_id": sessions[(other + 1) % 4]}]),
                };
                let list = sockets.get_mut(&side.port).expect("the side's sockets");
                let answer = match OPS[op] {
                    "reconnect" => {
                        reconnect(side, list, user, &suffix);
                        Value::Null
                    }
                    "create" => {
                        let create = match name {
                            Some(n) => json!({"match_create": {"name": format!("m{n}{suffix}")}}),
                            None => json!({"match_create": {}}),
                        };
                        call(&mut list[user], create)
                    }
                    "join" => call(
                        &mut list[user],
                        json!({"match_join": {"match_id": match_id}}),
                    ),
                    "leave" => call(
                        &mut list[user],
                        json!({"match_leave": {"match_id": match_id}}),
                    ),
                    // No answer: Nakama sends none.
                    "data" => {
                        list[user].send(&json!({"match_data_send": {"match_id": match_id,
                            "op_code": op_code, "data": data, "presences": presences}}));
                        Value::Null
                    }
                    other => unreachable!("{other}"),
                };
                if let Some(id) = answer["match"]["match_id"].as_str() {
                    if !side.kept("match").iter().any(|m| m == id) {
                        side.kept("match").push(id.to_string());
                    }
                    side.kept(&format!("in{user}")).push(id.to_string());
                }
                outcome(side, list, &answer, KINDS)
            },
            |side, sockets, first| later(side, sockets, first, KINDS),
        );
    }
    close_all(sockets);
}

/// What sockets receive from this area's calls.
const KINDS: &[&str] = &["match", "error"];

/// The calls, the more common ones more than once.
#[rustfmt::skip]
const OPS: [&str; 10] = [
    "create", "create", "join", "join", "join", "leave", "data", "data", "data", "reconnect",
];
