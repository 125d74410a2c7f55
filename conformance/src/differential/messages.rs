//! Chat messages a module sends, updates and removes, as modules and
//! clients list them; notifications as clients list and delete them.

use serde_json::{json, Value};

use super::{pick, Hosts, Run, Side};

/// `calls` random chat and notification calls among three users, two of
/// them in a group: channel ids built for rooms, direct chats and the
/// group (by each user, the system user, for targets that are none),
/// messages sent to them (kept or not, by each user or the system, under
/// names past the username column now and then),
/// updated and removed (by their sender or another), listed by a module
/// and by each user (both directions, through every cursor); and
/// notifications sent by a module, listed by their user (a page, then the
/// next from its cursor) and deleted by ids.
///
/// A direct chat's id and its messages name the two users in the order
/// of their ids, which differ between hosts: both are compared in the
/// order of what the users stand for.
pub fn compare_messages(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let suffix = format!("{}{seed}", crate::run_suffix());
    run.compare("U0 makes a group, U1 joins it".into(), |side| {
        side.group_of_two(&format!("chat{suffix}"))
    });
    for _ in 0..calls {
        // 3: the system user, 4: not a user id.
        let user = rng.usize(..5);
        let other = rng.usize(..5);
        let persist = rng.f32() < 0.7;
        let pick_channel = rng.usize(..1_000);
        let pick_message = rng.usize(..1_000);
        // Now and then a sender's name past its column (`VARCHAR(128)`),
        // of letters or of trailing spaces (cut off).
        let sender = match rng.usize(..12) {
            0 => "x".repeat(129),
            1 => format!("#{user}{}", " ".repeat(200)),
            _ => format!("#{user}"),
        };
        match rng.usize(..12) {
            0 | 1 => {
                let kind = *pick(&mut rng, &["room", "direct", "group"]);
                let room = *pick(&mut rng, &["lobby", "", "a.b"]);
                let what =
                    format!("nk channel_id_build by #{user} for {kind} (#{other}, {room:?})");
                run.compare(what, |side| {
                    let target = match kind {
                        "room" => room.to_string(),
                        "direct" => side.owner(other),
                        _ => side.kept("group")[0].clone(),
                    };
                    let args = json!({"sender_id": side.owner(user), "target": target, "channel_type": kind});
                    let mut answer = side.nk("channel_id_build", args);
                    if let Some(id) = answer.1["ok"].as_str() {
                        side.kept("channel").push(id.to_string());
                    }
                    side.direct_in_order(&mut answer.1);
                    answer
                });
            }
            2..=4 => {
                let what = format!(
                    "nk channel_message_send on channel {pick_channel} by #{user} ({} characters), persist {persist}",
                    sender.len()
                );
                run.compare(what, |side| {
                    let Some(channel) = side.nth_kept("channel", pick_channel) else {
                        return (0, Value::Null);
                    };
                    let args = json!({"channel_id": channel, "content": {"n": pick_message},
                        "sender_id": side.owner(user), "sender_username": sender,
                        "persist": persist});
                    let mut answer = side.nk("channel_message_send", args);
                    if let Some(id) = answer.1["ok"]["message_id"].as_str() {
                        side.kept("message").push(format!("{channel} {id}"));
                    }
                    side.direct_in_order(&mut answer.1);
                    answer
                });
            }
            choice @ (5 | 6) => {
                let function = match choice {
                    5 => "channel_message_update",
                    _ => "channel_message_remove",
                };
                let what = format!(
                    "nk {function} of message {pick_message} by #{user} ({} characters), persist {persist}",
                    sender.len()
                );
                run.compare(what, |side| {
                    let Some(message) = side.nth_kept("message", pick_message) else {
                        return (0, Value::Null);
                    };
                    let (channel, id) = message.split_once(' ').expect("channel and id");
                    let mut args = json!({"channel_id": channel, "message_id": id,
                        "sender_id": side.owner(user), "sender_username": sender,
                        "persist": persist});
                    if function == "channel_message_update" {
                        args["content"] = json!({"updated": pick_channel});
                    }
                    let mut answer = side.nk(function, args);
                    side.direct_in_order(&mut answer.1);
                    // A name past its column changing a message that is not
                    // the sender's: Nakama refuses it or finds no message,
                    // as PostgreSQL's plan cache has it (see
                    // `channels::check_nk_channels`).
                    let past_column = sender.trim_end().chars().count() > 128;
                    let not_found = json!({"error": [5, "channel message not found"]});
                    if function == "channel_message_update" && past_column && answer.1 == not_found
                    {
                        answer.1 = json!({"error": [13, "error persisting channel message"]});
                    }
                    answer
                });
            }
            7 => {
                let limit = *pick(&mut rng, &[1, 2, 100, 0, 101]);
                let forward = rng.bool();
                let what = format!("nk channel_messages_list of channel {pick_channel}, limit {limit}, forward {forward}");
                run.compare(what, |side| {
                    let Some(channel) = side.nth_kept("channel", pick_channel) else {
                        return (0, Value::Null);
                    };
                    let args = json!({"channel_id": channel, "limit": limit,
                        "forward": forward, "cursor": ""});
                    let pages = side.nk_pages("channel_messages_list", args, "next_cursor", 10);
                    let pages = pages.into_iter().map(|(status, mut page)| {
                        side.direct_in_order(&mut page);
                        json!([status, page])
                    });
                    (200, pages.collect())
                });
            }
            8 => {
                let limit = *pick(&mut rng, &["", "limit=1&", "limit=3&", "limit=100&"]);
                let forward = *pick(&mut rng, &["", "forward=true&", "forward=false&"]);
                let who = user % 3;
                let what = format!("U{who} lists channel {pick_channel}: {limit}{forward}");
                run.compare(what, |side| {
                    let Some(channel) = side.nth_kept("channel", pick_channel) else {
                        return (0, Value::Null);
                    };
                    let path = format!(
                        "/v2/channel/{}?{limit}{forward}",
                        crate::misc::urlencode(&channel)
                    );
                    let mut answer = side.pages(who, &path, "messages");
                    side.direct_in_order(&mut answer.1);
                    answer
                });
            }
            9 => {
                let code = *pick(&mut rng, &[1, 0, -1, 500]);
                let what = format!("nk notification_send to #{user} from #{other}, code {code}, persistent {persist}");
                run.compare(what, |side| {
                    let args = json!({"user_id": side.owner(user), "subject": "s", "content": {"c": code},
                        "code": code, "sender_id": side.owner(other), "persistent": persist});
                    side.nk("notification_send", args)
                });
            }
            10 => {
                let who = user % 3;
                let limit = *pick(
                    &mut rng,
                    &["", "limit=1&", "limit=2&", "limit=100&", "limit=0&"],
                );
                let what = format!("U{who} lists its notifications: {limit}, then from the cursor");
                run.compare(what, |side| {
                    let path = format!("/v2/notification?{limit}");
                    let (status, first) = side.call(who, "GET", &path, None);
                    let cursor = first["cacheable_cursor"].as_str().unwrap_or("").to_string();
                    for n in first["notifications"].as_array().into_iter().flatten() {
                        if let Some(id) = n["id"].as_str() {
                            side.kept(&format!("notification{who}"))
                                .push(id.to_string());
                        }
                    }
                    let next = format!("{path}cursor={}", crate::misc::urlencode(&cursor));
                    let then = side.call(who, "GET", &next, None);
                    (status, json!([first, then]))
                });
            }
            _ => {
                let who = user % 3;
                let what =
                    format!("U{who} deletes notifications {pick_message} and {pick_channel}");
                run.compare(what, |side| {
                    let key = format!("notification{who}");
                    let ids: Vec<String> = [pick_message, pick_channel]
                        .iter()
                        .filter_map(|&n| side.nth_kept(&key, n))
                        .collect();
                    let query: String = ids.iter().map(|id| format!("ids={id}&")).collect();
                    side.call(who, "DELETE", &format!("/v2/notification?{query}"), None)
                });
            }
        }
    }
}

impl Side {
    /// U0 makes an open group named `name` (kept, named `G0`), U1 joins
    /// it: both answers.
    pub(super) fn group_of_two(&mut self, name: &str) -> (u16, Value) {
        let body = json!({"name": name, "open": true});
        let (status, group) = self.call(0, "POST", "/v2/group", Some(&body));
        let id = group["id"].as_str().expect("a group").to_string();
        self.names.insert(id.clone(), "G0".into());
        self.kept("group").push(id.clone());
        let joined = self.call(1, "POST", &format!("/v2/group/{id}/join"), None);
        (status, json!([group, joined]))
    }

    /// A direct chat's two users in the order of what they stand for
    /// rather than of their ids: its channel ids (`4.<id>.<id>.`) and its
    /// messages' `user_id_one` and `user_id_two`.
    pub(super) fn direct_in_order(&self, v: &mut Value) {
        let named = |id: &str| self.normal(&json!(id)).as_str().unwrap_or("").to_string();
        let later = |a: &str, b: &str| named(a) > named(b);
        match v {
            Value::Object(m) => {
                if let (Some(Value::String(one)), Some(Value::String(two))) =
                    (m.get("user_id_one"), m.get("user_id_two"))
                {
                    if later(one, two) {
                        let (one, two) = (one.clone(), two.clone());
                        m.insert("user_id_one".into(), json!(two));
                        m.insert("user_id_two".into(), json!(one));
                    }
                }
                m.values_mut().for_each(|x| self.direct_in_order(x));
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.direct_in_order(x)),
            Value::String(s) => {
                // `4.<id>.<id>.<label>`
                if let Some([one, two, label]) = s
                    .strip_prefix("4.")
                    .map(|rest| rest.splitn(3, '.').collect::<Vec<_>>())
                    .and_then(|p| <[&str; 3]>::try_from(p).ok())
                {
                    if later(one, two) {
                        *s = format!("4.{two}.{one}.{label}");
                    }
                }
            }
            _ => {}
        }
    }
}
