//! Authoritative matches a module makes, joined on the realtime socket
//! (`compare_matches`).

use std::time::Duration;

use serde_json::{json, Value};

use super::sockets::{begin, call, close_all, later, outcome, reconnect, shown, LATE};
use super::{pick, Hosts, Side};
use crate::misc::urlencode;

/// How long a listing waits for the hosts to have indexed the matches'
/// changes: Nakama's `match.label_update_interval_ms` must be shorter
/// (the test sets 20 ms; its default is 1 s).
const INDEXED: Duration = Duration::from_millis(100);

/// A well-formed id of no match of this node.
const UNKNOWN: &str = "5f0c6a52-8a3e-4d6c-9b0e-2d7a1c3e4f50.nakama1";

/// `calls` random calls on authoritative matches of `fixture-nk`'s
/// `signal_echo` handler: matches made by a module (labelled with JSON,
/// text or nothing; refused by the handler's init; of a handler that is
/// not registered), joined and left on four users' sockets (the run's
/// matches, unknown and malformed ids), data sent to them, signalled
/// (echoed, relabelled, stopped), looked up and listed by a module and by
/// clients (authoritative or not, by label, by query, by size), sockets
/// closed and opened again. After each call, its answer and what every
/// socket received until all were quiet (in no order) are compared;
/// listings are compared as sets of the run's matches (Nakama lists
/// matches made in the same second in its index's order).
pub fn compare_matches(hosts: Hosts, seed: u64, calls: usize) {
    let (mut rng, mut run, suffix, mut sockets) = begin(hosts, seed);
    for _ in 0..calls {
        let user = rng.usize(..4);
        let pick_match = rng.usize(..8);
        // 0: a match of the run, 3: the last one the user joined, 1: a
        // well-formed id no match has, 2: not an id.
        let id_kind = *pick(&mut rng, &[0, 0, 0, 3, 3, 1, 2]);
        let mode = rng.usize(..3);
        let label = match rng.usize(..5) {
            0 | 1 => json!({"run": format!("r{suffix}"), "mode": mode}).to_string(),
            2 => json!({ "run": format!("r{suffix}") }).to_string(),
            3 => String::new(),
            _ => format!("t{suffix}"),
        };
        let module = *pick(
            &mut rng,
            &["signal_echo", "signal_echo", "signal_echo", "nope"],
        );
        let refuse = rng.f32() < 0.1;
        let signal = match rng.usize(..5) {
            0 | 1 => "hi".to_string(),
            2 => format!("label:{label}"),
            3 => "stop".to_string(),
            _ => String::new(),
        };
        let authoritative = *pick(&mut rng, &[None, Some(true), Some(false)]);
        let by_label = rng.f32() < 0.25;
        let query = *pick(
            &mut rng,
            &[
                None,
                Some("+label.run:r"),
                Some("+label.run:r +label.mode:1"),
                Some("label.mode:2"),
            ],
        );
        let min_size = *pick(&mut rng, &[None, None, Some(0), Some(1), Some(2)]);
        let max_size = *pick(&mut rng, &[None, None, Some(0), Some(1), Some(3)]);
        let op = rng.usize(..OPS.len());
        let what = format!(
            "U{user} {}: match {pick_match} ({id_kind}), label {label:?}, module {module}, \
             refuse {refuse}, signal {signal:?}, authoritative {authoritative:?}, by label \
             {by_label}, query {query:?}, sizes {min_size:?} to {max_size:?}",
            OPS[op]
        );
        // A query names this run's matches: its terms end with the suffix.
        let query = query.map(|q| q.replacen("run:r", &format!("run:r{suffix}"), 1));
        let list_label = by_label.then(|| label.clone());
        // The calls that only read: looked at again, after a longer
        // wait, when the hosts differ (a busy host indexes late).
        let look = |side: &Side, wait: Duration| -> Option<Value> {
            let match_id = match_id(side, user, pick_match, id_kind, UNKNOWN);
            Some(match OPS[op] {
                "get" => json!(side.nk("match_get", json!({ "id": match_id }))),
                "list" => {
                    std::thread::sleep(wait);
                    let args = json!({"limit": 100, "authoritative": authoritative.unwrap_or(true),
                        "label": list_label.clone().unwrap_or_default(), "min_size": min_size,
                        "max_size": max_size, "query": query.clone().unwrap_or_default()});
                    let (status, mut listed) = side.nk("match_list", args);
                    if let Some(all) = listed["ok"].as_array_mut() {
                        run_matches(side, all);
                    }
                    json!([status, listed])
                }
                "client_list" => {
                    std::thread::sleep(wait);
                    let mut path = "/v2/match?limit=100".to_string();
                    let filters = [
                        ("authoritative", authoritative.map(|a| a.to_string())),
                        ("label", list_label.clone()),
                        ("min_size", min_size.map(|n: i32| n.to_string())),
                        ("max_size", max_size.map(|n: i32| n.to_string())),
                        ("query", query.clone()),
                    ];
                    for (name, value) in filters {
                        if let Some(v) = value {
                            path.push_str(&format!("&{name}={}", urlencode(&v)));
                        }
                    }
                    let (status, mut page) = side.call(user, "GET", &path, None);
                    if let Some(all) = page["matches"].as_array_mut() {
                        run_matches(side, all);
                    }
                    json!([status, page])
                }
                _ => return None,
            })
        };
        run.compare_twice(
            what,
            &mut sockets,
            |side, sockets| {
                let list = sockets.get_mut(&side.port).expect("the side's sockets");
                if let Some(answer) = look(side, INDEXED) {
                    return outcome(side, list, &answer, KINDS);
                }
                let match_id = match_id(side, user, pick_match, id_kind, UNKNOWN);
                let answer = match OPS[op] {
                    "reconnect" => {
                        reconnect(side, list, user, &suffix);
                        Value::Null
                    }
                    "create" => {
                        let mut params = json!({ "label": label });
                        if refuse {
                            params["refuse"] = true.into();
                        }
                        let made =
                            side.nk("match_create", json!({"module": module, "params": params}));
                        if let Some(id) = made.1["ok"].as_str() {
                            side.kept("match").push(id.to_string());
                        }
                        json!(made)
                    }
                    "join" => call(
                        &mut list[user],
                        json!({"match_join": {"match_id": match_id}}),
                    ),
                    "leave" => call(
                        &mut list[user],
                        json!({"match_leave": {"match_id": match_id}}),
                    ),
                    // No answer: the handler reads data at its ticks.
                    "data" => {
                        list[user].send(&json!({"match_data_send": {"match_id": match_id,
                            "op_code": 1, "data": "aGk="}}));
                        Value::Null
                    }
                    "signal" => {
                        json!(side.nk("match_signal", json!({"id": match_id, "data": signal})))
                    }
                    other => unreachable!("{other}"),
                };
                if let Some(id) = answer["match"]["match_id"].as_str() {
                    side.kept(&format!("in{user}")).push(id.to_string());
                }
                outcome(side, list, &answer, KINDS)
            },
            |side, sockets, (status, mut first)| {
                if let Some(answer) = look(side, LATE) {
                    first["answer"] = shown(side, &answer);
                }
                later(side, sockets, (status, first), KINDS)
            },
        );
    }
    // The run's matches end (signal_echo stops when signalled "stop").
    run.compare("the run's matches stop".into(), |side| {
        let ids = side.kept("match").clone();
        for id in ids {
            side.nk("match_signal", json!({"id": id, "data": "stop"}));
        }
        (200, Value::Null)
    });
    close_all(sockets);
}

/// What sockets receive from matches.
const KINDS: &[&str] = &["match", "error"];

/// The calls, the more common ones more than once.
#[rustfmt::skip]
const OPS: [&str; 14] = [
    "create", "create", "join", "join", "join", "leave", "data", "signal", "signal", "get",
    "list", "list", "client_list", "reconnect",
];

/// The match of `id_kind` (see [`compare_matches`]), `unknown` when the
/// run has none.
pub(super) fn match_id(
    side: &Side,
    user: usize,
    pick_match: usize,
    id_kind: usize,
    unknown: &str,
) -> String {
    let last = side
        .kept
        .get(&format!("in{user}"))
        .and_then(|m| m.last().cloned());
    let known = match id_kind {
        3 => last.or_else(|| side.nth_kept("match", pick_match)),
        _ => side.nth_kept("match", pick_match),
    };
    match (id_kind, known) {
        (0 | 3, Some(id)) => id,
        (0 | 1 | 3, _) => unknown.into(),
        _ => "not-a-match".into(),
    }
}

/// `all` cut to the matches this run made, in one order (earlier runs'
/// matches share the hosts).
fn run_matches(side: &Side, all: &mut Vec<Value>) {
    let made = side.kept.get("match").cloned().unwrap_or_default();
    all.retain(|m| {
        m["match_id"]
            .as_str()
            .is_some_and(|id| made.iter().any(|k| k == id))
    });
    all.sort_by_key(|m| side.normal(m).to_string());
}
