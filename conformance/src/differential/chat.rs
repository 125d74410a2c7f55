//! Random chat and status calls on the realtime socket (`compare_chat`).

use serde_json::{json, Value};

use super::sockets::{begin, call, close_all, later, outcome, reconnect};
use super::{pick, Hosts};

/// `calls` random chat and status calls by four users, each on a socket
/// of its own: rooms, direct chats and a group's channel joined (kept or
/// not, hidden or not; bad targets and types too), left, messages sent
/// (JSON objects or not), updated and removed (by their senders or
/// others), users' statuses followed (by id and by username, unknown
/// ones too), unfollowed and set (or cleared: appearing offline),
/// sockets closed and opened again. After each call, the answer and what
/// every socket received until all were quiet (in no order) are compared.
pub fn compare_chat(hosts: Hosts, seed: u64, calls: usize) {
    let (mut rng, mut run, suffix, mut sockets) = begin(hosts, seed);
    run.compare("U0 makes a group, U1 joins it".into(), |side| {
        side.group_of_two(&format!("c{suffix}"))
    });
    for _ in 0..calls {
        let user = rng.usize(..4);
        let other = rng.usize(..4);
        let room = rng.usize(..2);
        let kind = *pick(&mut rng, &[1, 1, 2, 2, 3, 0, 4]);
        let persistence = rng.bool();
        let hidden = rng.f32() < 0.2;
        let content = *pick(
            &mut rng,
            &[r#"{"a":1}"#, r#"{"b":"x"}"#, "{}", "not json", ""],
        );
        let pick_channel = rng.usize(..8);
        // Half the time, a channel the user joined.
        let own_channel = rng.bool();
        let pick_message = rng.usize(..8);
        let status = *pick(&mut rng, &[Some("busy"), Some(""), Some("away"), None]);
        let by_name = rng.bool();
        let op = rng.usize(..OPS.len());
        let what = format!(
            "U{user} {}: U{other}, room {room}, type {kind}, persistence {persistence}, \
             hidden {hidden}, content {content:?}, channel {pick_channel}, message \
             {pick_message} (own channel {own_channel}), status {status:?}, by name {by_name}",
            OPS[op]
        );
        run.compare_twice(
            what,
            &mut sockets,
            |side, sockets| {
                let channel = match own_channel {
                    true => side.nth_kept(&format!("joined{user}"), pick_channel),
                    false => None,
                };
                let channel = (channel.or_else(|| side.nth_kept("channel", pick_channel)))
                    .unwrap_or("2...nowhere".into());
                let message = side.nth_kept("message", pick_message).unwrap_or_default();
                let target = match kind {
                    1 => format!("r{room}{suffix}"),
                    2 => side.users[other].user_id.clone(),
                    3 => side.kept("group")[0].clone(),
                    _ => String::new(),
                };
                let list = sockets.get_mut(&side.port).expect("the side's sockets");
                let envelope = match OPS[op] {
                    "reconnect" => {
                        reconnect(side, list, user, &suffix);
                        Value::Null
                    }
                    "join" => json!({"channel_join": {"target": target, "type": kind,
                        "persistence": persistence, "hidden": hidden}}),
                    "leave" => json!({"channel_leave": {"channel_id": channel}}),
                    "send" => json!({"channel_message_send": {"channel_id": channel,
                        "content": content}}),
                    "update" => json!({"channel_message_update": {"channel_id": channel,
                        "message_id": message, "content": content}}),
                    "remove" => json!({"channel_message_remove": {"channel_id": channel,
                        "message_id": message}}),
                    "follow" if by_name => json!({"status_follow": {"usernames":
                    [side.users[other].username, "nobody-by-that-name"]}}),
                    "follow" => json!({"status_follow": {"user_ids":
                    [side.users[other].user_id, "00000000-0000-4000-8000-000000000001"]}}),
                    "unfollow" => {
                        json!({"status_unfollow": {"user_ids": [side.users[other].user_id]}})
                    }
                    "status" => match status {
                        Some(s) => json!({"status_update": {"status": s}}),
                        None => json!({"status_update": {}}),
                    },
                    other => unreachable!("{other}"),
                };
                let answer = match envelope {
                    Value::Null => Value::Null,
                    envelope => call(&mut list[user], envelope),
                };
                if let Some(id) = answer["channel"]["id"].as_str() {
                    side.kept("channel").push(id.to_string());
                    side.kept(&format!("joined{user}")).push(id.to_string());
                }
                if let Some(id) = answer["channel_message_ack"]["message_id"].as_str() {
                    side.kept("message").push(id.to_string());
                }
                outcome(side, list, &answer, KINDS)
            },
            |side, sockets, first| later(side, sockets, first, KINDS),
        );
    }
    close_all(sockets);
}

/// What sockets receive from this area's calls.
const KINDS: &[&str] = &["channel", "status"];

/// The calls, the more common ones more than once.
#[rustfmt::skip]
const OPS: [&str; 14] = [
    "join", "join", "join", "leave", "send", "send", "send", "update", "remove", "follow",
    "follow", "unfollow", "status", "reconnect",
];
