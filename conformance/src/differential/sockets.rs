//! What the areas on the realtime socket share: sockets whose sessions
//! are named, and what they received, compared in no order.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use super::{Hosts, Run, Side};
use crate::realtime::{settle, Socket};

/// How long every socket of a side must stay quiet after a call before
/// what they received is compared: presence events and the party a
/// joiner gets come from Nakama's tracker, after the call's answer.
pub(super) const QUIET: Duration = Duration::from_millis(50);

/// The start of the rooms [`connect`] joins and leaves.
const PROBE: &str = "session-probe-";

/// A socket for user `i`, its session named `S<i>` (the first time) or
/// `S<i>.<n>` (its `n`th reconnection); the session it replaces is kept
/// as `replaced`.
pub(super) fn connect(side: &mut Side, i: usize, suffix: &str) -> Socket {
    let mut socket = Socket::open(side.port, &side.users[i]);
    // A room's answer names the socket's session.
    let join = json!({"channel_join": {"target": format!("{PROBE}{i}{suffix}"), "type": 1}});
    let channel = socket.call(join);
    let session = channel["channel"]["self"]["session_id"]
        .as_str()
        .expect("a session id");
    let sessions = side.kept("session");
    if sessions.len() > i {
        let replaced = std::mem::replace(&mut sessions[i], session.to_string());
        side.kept("replaced").push(replaced);
        let n = side.kept("reconnection").len();
        side.kept("reconnection").push(session.to_string());
        side.names.insert(session.to_string(), format!("S{i}.{n}"));
    } else {
        sessions.push(session.to_string());
        side.names.insert(session.to_string(), format!("S{i}"));
    }
    let id = channel["channel"]["id"].clone();
    socket.call(json!({"channel_leave": {"channel_id": id}}));
    socket
}

/// User `i`'s socket closed after a new one is open (its parties,
/// channels and status left as a socket's close leaves them).
pub(super) fn reconnect(side: &mut Side, sockets: &mut [Socket], i: usize, suffix: &str) {
    let socket = connect(side, i, suffix);
    std::mem::replace(&mut sockets[i], socket).close();
}

/// Each side's sockets, by port.
pub(super) type Sockets = HashMap<u16, Vec<Socket>>;

/// A socket for each user of each side of `run`.
fn open_all(run: &mut Run, suffix: &str) -> Sockets {
    let mut sockets = HashMap::new();
    run.compare("each user opens a socket".into(), |side| {
        let mut list: Vec<Socket> = (0..side.users.len())
            .map(|i| connect(side, i, suffix))
            .collect();
        settle(&mut list, QUIET);
        sockets.insert(side.port, list);
        (200, Value::Null)
    });
    sockets
}

/// What a socket area starts with: the seed's random numbers, a run of
/// four users, the suffix of the names it makes, and the users' sockets
/// on each side.
pub(super) fn begin(hosts: Hosts, seed: u64) -> (fastrand::Rng, Run, String, Sockets) {
    let mut run = Run::new(hosts, seed, 4);
    let suffix = format!("{}{seed}", crate::run_suffix());
    let sockets = open_all(&mut run, &suffix);
    (fastrand::Rng::with_seed(seed), run, suffix, sockets)
}

/// Closes every side's sockets.
pub(super) fn close_all(sockets: Sockets) {
    sockets.into_values().flatten().for_each(Socket::close);
}

/// Sends `message` and answers the envelope that carries its cid back,
/// without the cid.
pub(super) fn call(socket: &mut Socket, message: Value) -> Value {
    let mut answer = socket.call(message);
    if let Some(answer) = answer.as_object_mut() {
        answer.remove("cid");
    }
    answer
}

/// What a socket call gives to compare: its answer ([`shown`], before
/// what the sockets received, so that ids it shows first are named
/// first) and what every socket received, of `kinds` (see [`received`]),
/// in no order.
pub(super) fn outcome(
    side: &Side,
    sockets: &mut [Socket],
    answer: &Value,
    kinds: &[&str],
) -> (u16, Value) {
    let answer = shown(side, answer);
    let received = received(side, sockets, kinds, QUIET)
        .into_iter()
        .map(in_no_order)
        .collect();
    (
        200,
        json!({"answer": answer, "received": Value::Array(received)}),
    )
}

/// An answer as [`outcome`] shows it: normalised, presences and direct
/// chats' users in one order.
pub(super) fn shown(side: &Side, answer: &Value) -> Value {
    let mut answer = tidy(side.normal(answer));
    side.direct_in_order(&mut answer);
    answer
}

/// How long a second look ([`later`]) waits for quiet.
pub(super) const LATE: Duration = Duration::from_millis(500);

/// An [`outcome`] with what the side's sockets received since it was
/// taken, once they were quiet for [`LATE`]: the second look of
/// [`Run::compare_twice`] (a busy host sends presence events late).
pub(super) fn later(
    side: &mut Side,
    sockets: &mut Sockets,
    (status, mut outcome): (u16, Value),
    kinds: &[&str],
) -> (u16, Value) {
    let list = sockets.get_mut(&side.port).expect("the side's sockets");
    for (i, more) in received(side, list, kinds, LATE).into_iter().enumerate() {
        let had = outcome["received"][i]
            .as_array()
            .cloned()
            .unwrap_or_default();
        outcome["received"][i] = in_no_order(had.into_iter().chain(more).collect());
    }
    (status, outcome)
}

/// What each of `sockets` received until all were `quiet`, of the kinds
/// starting with one of `kinds` (others, such as what a new socket's
/// status sent it, belong to no area), normalised (direct chats' users
/// in the order of their names).
fn received(
    side: &Side,
    sockets: &mut [Socket],
    kinds: &[&str],
    quiet: Duration,
) -> Vec<Vec<Value>> {
    settle(sockets, quiet)
        .iter()
        .map(|envelopes| {
            envelopes
                .iter()
                .filter(|e| {
                    e.as_object()
                        .is_some_and(|e| e.keys().any(|k| kinds.iter().any(|p| k.starts_with(p))))
                })
                // Nakama's tracker may or may not tell a socket it joined
                // the room it left at once.
                .filter(|e| {
                    let room = e["channel_presence_event"]["room_name"].as_str();
                    !room.is_some_and(|r| r.starts_with(PROBE))
                })
                .map(|e| {
                    let mut e = tidy(side.normal(e));
                    side.direct_in_order(&mut e);
                    e
                })
                .collect()
        })
        .collect()
}

/// `envelopes` in one order.
fn in_no_order(mut envelopes: Vec<Value>) -> Value {
    envelopes.sort_by_key(Value::to_string);
    Value::Array(envelopes)
}

/// `v` with its lists of presences in one order (Nakama writes them in
/// its maps' order).
fn tidy(mut v: Value) -> Value {
    match &mut v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                *x = tidy(std::mem::take(x));
                if matches!(k.as_str(), "presences" | "joins" | "leaves") {
                    if let Value::Array(list) = x {
                        list.sort_by_key(Value::to_string);
                    }
                }
            }
        }
        Value::Array(list) => {
            for x in list.iter_mut() {
                *x = tidy(std::mem::take(x));
            }
        }
        _ => {}
    }
    v
}
