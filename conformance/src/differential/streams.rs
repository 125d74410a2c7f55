//! A module's presence stream calls, on sockets' sessions
//! (`compare_nk_streams`).

use serde_json::{json, Value};

use super::sockets::{begin, close_all, later, outcome, reconnect};
use super::{pick, Hosts, Side};

/// A well-formed session id no session has (nor this node's: Nakama
/// reads a node from a session id's last six bytes).
const NO_SESSION: &str = "5f0c6a52-8a3e-4d6c-9b0e-2d7a1c3e4f50";

/// `calls` random stream calls a module makes through `fixture-nk`'s
/// `nk_raw` on the sessions of four users' sockets: sessions put on
/// streams (the module's own modes, named by a label, a user as subject,
/// another as subcontext; malformed subjects too; a chat room's and a
/// relayed match's, whose members they become), hidden or not, with a
/// status, updated, taken off (left, kicked), looked up, listed (hidden
/// presences, the others, both, neither), counted, streams closed, data
/// and raw envelopes sent to a stream or to some sessions, sessions
/// disconnected by the module, sockets closed and opened again,
/// notifications sent to a user (stored or not, from the system, a user
/// or not an id) and to every connected session. The
/// sessions named are a user's own, another user's, an earlier one of
/// this host, one of no host, or not an id. After each call, its answer
/// and what every socket received until all were quiet (stream events
/// and data, notifications) are compared.
pub fn compare_nk_streams(hosts: Hosts, seed: u64, calls: usize) {
    let (mut rng, mut run, suffix, mut sockets) = begin(hosts, seed);
    for _ in 0..calls {
        let user = rng.usize(..4);
        let other = rng.usize(..4);
        // Of `STREAMS`, the first most often.
        let (mode, subject, subcontext, label) =
            STREAMS[*pick(&mut rng, &[0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7])];
        // 0: the user's own session, 1: the other user's, 2: an earlier
        // session of this host, 3: no host's, 4: not an id.
        let session_kind = *pick(&mut rng, &[0, 0, 0, 0, 1, 2, 3, 4]);
        let hidden = rng.f32() < 0.25;
        let persistence = rng.bool();
        let status = *pick(&mut rng, &["", "", "here"]);
        let include = *pick(
            &mut rng,
            &[(true, true), (true, false), (false, true), (false, false)],
        );
        // 0: the whole stream, 1: the other user's session, 2: two
        // sessions, 3: a session that is not an id, 4: no host's.
        let to = *pick(&mut rng, &[0, 0, 0, 1, 2, 3, 4]);
        let reliable = rng.bool();
        let reason = *pick(&mut rng, &[None, None, Some(2), Some(4)]);
        let subject_text = *pick(&mut rng, &["s", "s", ""]);
        let code = *pick(&mut rng, &[101, 1, 0, -5]);
        let op = rng.usize(..OPS.len());
        let what = format!(
            "U{user} {}: U{other}, mode {mode}, subject {subject:?}, subcontext {subcontext:?}, \
             label {label:?}, session {session_kind}, hidden {hidden}, persistence {persistence}, \
             status {status:?}, include {include:?}, to {to}, reliable {reliable}, reason {reason:?}, \
             subject {subject_text:?}, code {code}",
            OPS[op]
        );
        run.compare_twice(
            what,
            &mut sockets,
            |side, sockets| {
                let list = sockets.get_mut(&side.port).expect("the side's sockets");
                let id = |i: Option<usize>| match i {
                    None => String::new(),
                    Some(4) => "not-an-id".to_string(),
                    Some(i) => side.users[i].user_id.clone(),
                };
                let label = match label {
                    "" => String::new(),
                    l => format!("{l}{suffix}"),
                };
                let stream = json!({"mode": mode, "subject": id(subject),
                    "subcontext": id(subcontext), "label": label});
                let session = session(side, user, other, session_kind);
                let user_id = side.users[user].user_id.clone();
                let presences = presences(side, other, to);
                let function = OPS[op];
                let args = match function {
                    "reconnect" => {
                        reconnect(side, list, user, &suffix);
                        return outcome(side, list, &Value::Null, KINDS);
                    }
                    "stream_user_join" | "stream_user_update" => {
                        json!({"stream": stream, "user_id": user_id, "session_id": session,
                            "hidden": hidden, "persistence": persistence, "status": status})
                    }
                    "stream_user_leave" | "stream_user_get" | "stream_user_kick" => {
                        json!({"stream": stream, "user_id": user_id, "session_id": session})
                    }
                    "stream_user_list" => json!({"stream": stream, "include_hidden": include.0,
                        "include_not_hidden": include.1}),
                    "stream_count" | "stream_close" => json!({ "stream": stream }),
                    "stream_send" => json!({"stream": stream, "data": format!("d{user}"),
                        "presences": presences, "reliable": reliable}),
                    "stream_send_raw" => {
                        let envelope = match to % 3 {
                            0 => json!({"stream_data": {"stream": {"mode": mode,
                                "label": "raw"}, "data": "r"}}),
                            1 => json!({"notifications": {"notifications": [{"id":
                                "n1", "subject": "s", "content": "{}", "code": 101}]}}),
                            _ => json!({}),
                        };
                        json!({"stream": stream, "envelope": envelope, "presences": presences,
                            "reliable": reliable})
                    }
                    "notification_send" => json!({"user_id": side.users[other].user_id,
                        "subject": subject_text, "content": {"n": to}, "code": code,
                        "sender_id": sender(side, user, to), "persistent": persistence}),
                    // Not stored: every user of the database would get it.
                    "notification_send_all" => json!({"subject": subject_text, "content": {},
                        "code": code, "persistent": false}),
                    "session_disconnect" => json!({"session_id": session, "reason": reason}),
                    other => unreachable!("{other}"),
                };
                let (status, mut answer) = side.nk(function, args);
                // Presences are listed in the tracker's order.
                if let Some(list) = answer["ok"].as_array_mut() {
                    list.sort_by_key(|p| side.normal(p).to_string());
                }
                let (_, mut seen) = outcome(side, list, &answer, KINDS);
                seen["status"] = status.into();
                // A disconnected user's socket is open again for the
                // calls after this one.
                if function == "session_disconnect" {
                    if let Some(whose) = side.kept["session"].iter().position(|s| *s == session) {
                        reconnect(side, list, whose, &suffix);
                    }
                }
                (status, seen)
            },
            |side, sockets, first| later(side, sockets, first, KINDS),
        );
    }
    close_all(sockets);
}

/// The streams calls name: `(mode, subject, subcontext, label)`, the
/// subject and subcontext a user's id (by number) or not an id (4).
const STREAMS: [(u8, Option<usize>, Option<usize>, &str); 8] = [
    (100, None, None, "a"),
    (101, Some(0), None, "b"),
    (255, Some(1), Some(2), ""),
    (100, Some(3), None, "a"),
    (100, Some(4), None, "a"),
    (101, Some(0), Some(4), "b"),
    // Nakama's own: a chat room's stream, a relayed match's (named by
    // user 3's id), whose members the sessions put there become.
    (2, None, None, "r"),
    (5, Some(3), None, ""),
];

/// What sockets receive from streams: their events and data (a chat
/// room's and a relayed match's presence events on theirs), and the raw
/// envelopes sent (notifications).
const KINDS: &[&str] = &[
    "stream",
    "notifications",
    "channel_presence",
    "match_presence",
];

/// The calls (nk functions, but `reconnect`), the more common ones more
/// than once.
#[rustfmt::skip]
const OPS: [&str; 22] = [
    "stream_user_join", "stream_user_join", "stream_user_join", "stream_user_join",
    "stream_user_join", "stream_user_join", "stream_user_update", "stream_user_update",
    "stream_user_leave", "stream_user_kick", "stream_user_get", "stream_user_list",
    "stream_user_list", "stream_count", "stream_close", "stream_send", "stream_send",
    "stream_send_raw", "session_disconnect", "reconnect", "notification_send",
    "notification_send_all",
];

/// The session of `session_kind` (see [`compare_nk_streams`]).
fn session(side: &Side, user: usize, other: usize, session_kind: usize) -> String {
    let sessions = &side.kept["session"];
    match session_kind {
        0 => sessions[user].clone(),
        1 => sessions[other].clone(),
        2 => side
            .nth_kept("replaced", 0)
            .unwrap_or_else(|| NO_SESSION.into()),
        3 => NO_SESSION.into(),
        _ => "not-a-session".into(),
    }
}

/// A notification's sender: the system, the user, or not an id.
fn sender(side: &Side, user: usize, to: usize) -> String {
    match to % 3 {
        0 => String::new(),
        1 => side.users[user].user_id.clone(),
        _ => "not-an-id".into(),
    }
}

/// The presences a send goes to (see `to` in [`compare_nk_streams`]):
/// none for the whole stream.
fn presences(side: &Side, other: usize, to: usize) -> Value {
    let sessions = &side.kept["session"];
    let of = |i: usize| json!({"user_id": side.users[i].user_id, "session_id": sessions[i]});
    match to {
        0 => json!([]),
        1 => json!([of(other)]),
        2 => json!([of(other), of((other + 1) % 4)]),
        3 => json!([{"session_id": "not-a-session"}]),
        _ => json!([{"session_id": NO_SESSION}]),
    }
}
