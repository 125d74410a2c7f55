//! Well-formed realtime envelopes with one part made odd
//! (`compare_mutated_envelopes`).

use std::time::Duration;

use serde_json::{json, Value};

use super::bodies::{changed_text, with_values, TEXT_CHANGES, VALUES};
use super::sockets::{shown, LATE, QUIET};
use super::{pick, Hosts, Run, Side};
use crate::realtime::{settle, Socket};

/// An envelope and the JSON pointers of the values the calls replace.
/// `{run}` is the run's suffix, `{me}` the user's id, `{n}` the call's
/// number.
#[rustfmt::skip]
const TEMPLATES: &[(&str, &[&str])] = &[
    (r#"{"cid":"1","channel_join":{"target":"room{run}","type":1,"persistence":true,"hidden":false}}"#,
        &["/channel_join", "/channel_join/target", "/channel_join/type", "/channel_join/persistence",
          "/channel_join/hidden", "/cid"]),
    (r#"{"cid":"1","channel_message_send":{"channel_id":"2...room{run}","content":"{\"a\":1}"}}"#,
        &["/channel_message_send/channel_id", "/channel_message_send/content", "/channel_message_send"]),
    (r#"{"cid":"1","channel_leave":{"channel_id":"2...room{run}"}}"#,
        &["/channel_leave/channel_id"]),
    (r#"{"cid":"1","status_update":{"status":"here"}}"#,
        &["/status_update/status", "/status_update"]),
    (r#"{"cid":"1","status_follow":{"user_ids":["{me}"],"usernames":[]}}"#,
        &["/status_follow/user_ids", "/status_follow/user_ids/0", "/status_follow/usernames"]),
    (r#"{"cid":"1","status_unfollow":{"user_ids":["{me}"]}}"#,
        &["/status_unfollow/user_ids", "/status_unfollow/user_ids/0"]),
    (r#"{"cid":"1","match_join":{"match_id":"5f0c6a52-8a3e-4d6c-9b0e-2d7a1c3e4f50.","metadata":{"a":"b"}}}"#,
        &["/match_join/match_id", "/match_join/metadata", "/match_join/metadata/a", "/match_join/token"]),
    (r#"{"cid":"1","matchmaker_add":{"min_count":2,"max_count":4,"query":"*","string_properties":{"a":"b"},"numeric_properties":{"n":1}}}"#,
        &["/matchmaker_add/min_count", "/matchmaker_add/max_count", "/matchmaker_add/query",
          "/matchmaker_add/string_properties", "/matchmaker_add/numeric_properties",
          "/matchmaker_add/numeric_properties/n", "/matchmaker_add/count_multiple"]),
    (r#"{"cid":"1","matchmaker_remove":{"ticket":"nope"}}"#,
        &["/matchmaker_remove/ticket"]),
    (r#"{"cid":"1","party_create":{"open":true,"max_size":4,"label":"l{run}","hidden":false}}"#,
        &["/party_create/open", "/party_create/max_size", "/party_create/label", "/party_create/hidden"]),
    (r#"{"cid":"1","ping":{}}"#, &["/ping", "/cid"]),
    (r#"{"cid":"1","match_data_send":{"match_id":"5f0c6a52-8a3e-4d6c-9b0e-2d7a1c3e4f50.","op_code":"1","data":"aGk=","reliable":true}}"#,
        &["/match_data_send/match_id", "/match_data_send/op_code", "/match_data_send/data",
          "/match_data_send/presences", "/match_data_send/reliable"]),
    (r#"{"cid":"1","party_join":{"party_id":"5f0c6a52-8a3e-4d6c-9b0e-2d7a1c3e4f50.nakama1"}}"#,
        &["/party_join/party_id"]),
    (r#"{"cid":"1","channel_message_remove":{"channel_id":"2...room{run}","message_id":"5f0c6a52-8a3e-4d6c-9b0e-2d7a1c3e4f50"}}"#,
        &["/channel_message_remove/channel_id", "/channel_message_remove/message_id"]),
    (r#"{"cid":"1","channel_message_update":{"channel_id":"2...room{run}","message_id":"5f0c6a52-8a3e-4d6c-9b0e-2d7a1c3e4f50","content":"{}"}}"#,
        &["/channel_message_update/channel_id", "/channel_message_update/message_id", "/channel_message_update/content"]),
    (r#"{"cid":"1","rpc":{"id":"nope","payload":"x"}}"#, &["/rpc/id", "/rpc/payload", "/rpc/http_key"]),
];

/// `calls` well-formed envelopes (channels, statuses, matches, the
/// matchmaker, parties, pings, RPCs) with one or two of their values
/// replaced by odd ones, now and then the text itself changed (as
/// `compare_mutated_requests` does), each sent on one user's socket.
/// Compared: what the socket received until it was quiet, and whether
/// it was closed (a socket the server closed is opened again).
pub fn compare_mutated_envelopes(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    let suffix = format!("{}{seed}", crate::run_suffix());
    let mut sockets: Vec<Socket> = run
        .sides
        .iter()
        .map(|side| Socket::open(side.port, &side.users[0]))
        .collect();
    for n in 0..calls {
        let (template, slots) = *pick(&mut rng, TEMPLATES);
        // Now and then none: the envelope as it is.
        let count = match rng.f32() {
            p if p < 0.1 => 0,
            p if p < 0.35 => 2,
            _ => 1,
        };
        let replaced: Vec<(&str, &str)> = (0..count)
            .map(|_| (slots[rng.usize(..slots.len())], *pick(&mut rng, VALUES)))
            .collect();
        let text_change = (rng.f32() < 0.15).then(|| rng.usize(..TEXT_CHANGES));
        let cut = rng.f32();
        let what = format!("{template}: {replaced:?}, text change {text_change:?} (cut {cut:.2})");
        run.compare_twice(
            what,
            &mut sockets,
            |side, sockets| {
                let socket = &mut sockets[usize::from(side.port != hosts.a)];
                let me = side.users[0].user_id.clone();
                let text = template
                    .replace("{run}", &suffix)
                    .replace("{me}", &me)
                    .replace("{n}", &n.to_string());
                socket.send_text(&changed_text(
                    &with_values(&text, &replaced),
                    text_change,
                    cut,
                ));
                received(side, socket, QUIET, Vec::new())
            },
            // A busy host answers late: a longer look.
            |side, sockets, (_, first)| {
                if first["closed"] == true {
                    return (200, first); // its socket is a new one now
                }
                let socket = &mut sockets[usize::from(side.port != hosts.a)];
                let had = first["received"].as_array().cloned().unwrap_or_default();
                received(side, socket, LATE, had)
            },
        );
    }
    for socket in sockets {
        socket.close();
    }
}

/// What `socket` received until quiet for `quiet` (after `had`), in no
/// order, and how it was closed, if it was (it is then opened again).
fn received(side: &Side, socket: &mut Socket, quiet: Duration, had: Vec<Value>) -> (u16, Value) {
    let more = settle(std::slice::from_mut(socket), quiet).remove(0);
    let mut received = had;
    received.extend(more.iter().map(|e| shown(side, e)));
    // An answer and the events it causes come in either order.
    received.sort_by_key(Value::to_string);
    // Whether the server closed the socket, not how: Nakama writes its
    // close frame and shuts the connection at once, so a client that
    // sent more meanwhile may see a reset instead (1006; the close codes
    // and reasons are checked by `conformance::realtime::check_closes`).
    let closed = socket.closed.is_some();
    if closed {
        // Nakama queues the error that goes with a close, then closes:
        // whether the error is written first is a race there too.
        received.retain(|e| e.get("error").is_none());
        *socket = Socket::open(side.port, &side.users[0]);
    }
    (200, json!({"received": received, "closed": closed}))
}
