//! A module's wallet, account, notification, sign-in, friend, group and
//! cron calls, through `fixture-nk`'s `nk_raw`.

use serde_json::json;

use super::{pick, Hosts, Run, Side};

/// `calls` random wallet, account and notification nk calls, made by a
/// module through `fixtures/fixture-nk`'s `nk_raw`: wallet updates (one
/// or two per call, the same user twice, sums that go below zero or past
/// the largest integer), ledger listings (limit 0 too), accounts and users
/// by id (an id twice), accounts updated (`account_update`) and
/// deleted, notifications sent (each kind of code; with one
/// to another user, stored together or not at all) and listed,
/// read, updated and deleted by id; ledger items updated, accounts
/// exported, multi updates (an account, a storage object and a wallet);
/// metadata with a `\u0000`, subjects longer than PostgreSQL's column and
/// codes past its `smallint` now and then.
pub fn compare_nk_wallets(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let suffix = format!("{}{seed}", crate::run_suffix());
    // The owners whose accounts this run deleted (or tried to).
    let mut deleted = [false; 5];
    for _ in 0..calls {
        // 3: the system user (""), 4: not a user id.
        let owner = rng.usize(..5);
        let key = *pick(&mut rng, &["gold", "gems", ""]);
        let amount: i64 = *pick(&mut rng, &[1, 5, -3, -100, 0, 1 << 62]);
        let ledger = rng.bool();
        let limit = *pick(&mut rng, &[0, 1, 2, 100, 101, -1]);
        let code = *pick(&mut rng, &[1, 0, -1, -1500, 40000]);
        let metadata = pick(
            &mut rng,
            &[json!({}), json!({"a": 1.5}), json!({"n": "a\0"})],
        )
        .clone();
        let what = |f: &str| {
            format!(
                "nk {f} for #{owner}: {key} {amount}, ledger {ledger}, limit {limit}, code {code}"
            )
        };
        let pick_kept = rng.usize(..1_000);
        match rng.usize(..15) {
            0 | 1 => run.compare(what("wallet_update"), |side| {
                let args = json!({"user_id": side.owner(owner), "changeset": {key: amount},
                    "metadata": metadata, "update_ledger": ledger});
                side.nk("wallet_update", args)
            }),
            2 => run.compare(what("wallets_update"), |side| {
                // The same user twice; no ledger, whose two entries of one
                // moment each host orders its own way.
                let updates = json!([
                    {"user_id": side.owner(owner), "changeset": {key: amount}, "metadata": metadata},
                    {"user_id": side.owner(0), "changeset": {"gold": 1}, "metadata": {}},
                ]);
                side.nk("wallets_update", json!({"updates": updates, "update_ledger": false}))
            }),
            3 => run.compare(what("wallet_ledger_list"), |side| {
                let args = json!({"user_id": side.owner(owner), "limit": limit, "cursor": ""});
                let answer = side.nk("wallet_ledger_list", args);
                for item in answer.1["ok"]["items"].as_array().into_iter().flatten() {
                    if let Some(id) = item["id"].as_str() {
                        side.kept("ledger").push(id.to_string());
                    }
                }
                answer
            }),
            8 => run.compare(what("wallet_ledger_update"), |side| {
                let id = side.nth_kept("ledger", pick_kept).unwrap_or_else(|| "nope".into());
                side.nk("wallet_ledger_update", json!({"item_id": id, "metadata": metadata}))
            }),
            9 => run.compare(what("account_export_id"), |side| {
                let (status, mut answer) = side.nk("account_export_id", json!({"user_id": side.owner(owner)}));
                // The export is JSON text: compared as JSON, its times left
                // out like the others'. Nakama reads its objects and ledger
                // items in no order (the table's physical one).
                if let Some(text) = answer["ok"].as_str() {
                    answer["ok"] = serde_json::from_str(text).unwrap_or_else(|_| json!(text));
                }
                for list in ["objects", "wallet_ledgers"] {
                    if let Some(items) = answer["ok"][list].as_array_mut() {
                        items.sort_by_key(|i| side.normal(i).to_string());
                    }
                }
                (status, answer)
            }),
            10 => run.compare(what("multi_update"), |side| {
                let args = json!({
                    "account_updates": [{"user_id": side.owner(owner), "display_name": key, "metadata": metadata}],
                    "storage_writes": [{"collection": "multi", "key": key, "user_id": side.owner(owner),
                        "value": metadata.to_string(), "permission_read": 1, "permission_write": 1}],
                    "wallet_updates": [{"user_id": side.owner(owner), "changeset": {"gold": amount}, "metadata": {}}],
                    "update_ledger": ledger,
                });
                side.nk("multi_update", args)
            }),
            11 | 12 => {
                let function = *pick(&mut rng, &["notifications_get_id", "notifications_delete_id", "notifications_update", "notifications_delete"]);
                run.compare(what(function), |side| {
                    let id = side.nth_kept("notification", pick_kept).unwrap_or_else(|| "nope".into());
                    let args = match function {
                        "notifications_update" => json!({"updates": [{"id": id, "subject": key, "content": metadata}]}),
                        "notifications_delete" => json!({"notifications": [{"user_id": side.owner(owner), "notification_id": id}]}),
                        _ => json!({"user_id": if ledger { side.owner(owner) } else { String::new() }, "ids": [id, id]}),
                    };
                    side.nk(function, args)
                });
            }
            4 => run.compare(what("accounts_get_id"), |side| {
                let ids = json!([side.owner(owner), side.owner(1), side.owner(1)]);
                let (status, mut answer) = side.nk("accounts_get_id", json!({"user_ids": ids}));
                // In the database's order, which differs between hosts.
                if let Some(accounts) = answer["ok"].as_array_mut() {
                    accounts.sort_by_key(|a| a["user"]["username"].to_string());
                }
                (status, answer)
            }),
            5 => run.compare(what("account_get_id"), |side| {
                side.nk("account_get_id", json!({"user_id": side.owner(owner)}))
            }),
            6 => run.compare(what("notifications_send"), |side| {
                // A subject longer than PostgreSQL's column now and then.
                let subject = match pick_kept % 5 {
                    0 => "s".repeat(300),
                    1 => format!("s{}", " ".repeat(300)),
                    _ => "s".to_string(),
                };
                let mut sends = Vec::new();
                // First one to another user, stored only if the second
                // one can be (Nakama stores a call's notifications with one
                // statement). Not with a code past `smallint`: the refusal
                // lists the codes in the order of a Go map of users.
                if owner < 3 && code != 40000 {
                    sends.push(json!({"user_id": side.owner((owner + 1) % 3), "subject": "t",
                        "content": {}, "code": 2, "sender_id": "", "persistent": true}));
                }
                sends.push(json!({"user_id": side.owner(owner), "subject": subject,
                    "content": metadata, "code": code, "sender_id": "", "persistent": ledger}));
                side.nk("notifications_send", json!({"notifications": sends}))
            }),
            13 => {
                // No value past its column for a deleted user's: Nakama
                // refuses it or finds no row depending on how PostgreSQL
                // planned the update (server/README: differences).
                let update = account_update(&mut rng, &suffix, !deleted[owner]);
                run.compare(format!("{} {update}", what("account_update_id")), |side| {
                    let mut args = update.clone();
                    args["user_id"] = json!(side.owner(owner));
                    side.nk("account_update_id", args)
                });
            }
            // Now and then an account goes (the system user's too), its
            // wallet, ledger and notifications with it.
            14 if rng.f32() < 0.15 => {
                deleted[owner] = true;
                run.compare(what("account_delete_id"), |side| {
                    side.nk("account_delete_id", json!({"user_id": side.owner(owner), "recorded": ledger}))
                });
            }
            _ => run.compare(what("notification_list"), |side| {
                let args = json!({"user_id": side.owner(owner), "limit": limit, "cursor": ""});
                let answer = side.nk("notification_list", args);
                for n in answer.1["ok"]["notifications"].as_array().into_iter().flatten() {
                    if let Some(id) = n["id"].as_str() {
                        side.kept("notification").push(id.to_string());
                    }
                }
                answer
            }),
        }
    }
}

/// `account_update_id`'s arguments but the user: each field left out,
/// empty, given or (now and then) odd: a username of this run's (one
/// another user may have taken), in capitals, with a space, with a NUL;
/// with `too_long`, any of them past its column (a username past 128
/// characters, a language tag past 18, ...); metadata `null`, empty or
/// not.
fn account_update(rng: &mut fastrand::Rng, suffix: &str, too_long: bool) -> serde_json::Value {
    let mut args = serde_json::Map::new();
    // `odd` values now and then, and `long` ones (past the column) with
    // `too_long`.
    let mut field = |name: &str, given: &[String], odd: &[String], long: String| {
        let mut odd = odd.to_vec();
        if too_long {
            odd.push(long);
        }
        let value = match rng.f32() {
            x if x < 0.3 => return,
            x if x < 0.45 => String::new(),
            x if x < 0.9 || odd.is_empty() => pick(rng, given).clone(),
            _ => pick(rng, &odd).clone(),
        };
        args.insert(name.into(), json!(value));
    };
    let usernames = [format!("au0{suffix}"), format!("au1{suffix}")];
    let odd_usernames = [
        format!("AU1{suffix}"),
        format!("a u{suffix}"),
        format!("a\0u{suffix}"),
    ];
    field("username", &usernames, &odd_usernames, "u".repeat(129));
    field("display_name", &["Dee".into()], &[], "d".repeat(256));
    field("timezone", &["Europe/Paris".into()], &[], "t".repeat(256));
    field("location", &["Lyon".into()], &[], "l".repeat(256));
    field("lang_tag", &["fr".into()], &[], "l".repeat(19));
    let avatar = "https://a.example/1.png".to_string();
    field("avatar_url", &[avatar], &[], "a".repeat(513));
    let metadata = [
        None,
        Some(json!(null)),
        Some(json!({})),
        Some(json!({"level": 3})),
    ];
    if let Some(metadata) = pick(rng, &metadata) {
        args.insert("metadata".into(), metadata.clone());
    }
    serde_json::Value::Object(args)
}

/// `calls` random sign-in, friend and group nk calls, made by a module
/// through `fixtures/fixture-nk`'s `nk_raw`, about three users, the
/// system user and an id that is none: accounts found or made by custom
/// id, device id and email (a username taken, one with a NUL, a password
/// wrong, ids too short), session tokens made, custom ids, devices and
/// emails linked and unlinked, users banned and unbanned, friend
/// statuses; friends added, deleted and blocked by id and by username,
/// their metadata updated, friends and friends of friends listed; groups
/// made, updated, deleted, read, joined and left, each membership action
/// by a caller or by no one, and a user's groups listed; now and then an
/// account deleted, after which its user is one that is none.
pub fn compare_nk_social(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let suffix = format!("{}{seed}", crate::run_suffix());
    for _ in 0..calls {
        // 3: the system user, 4: not a user id.
        let user = rng.usize(..5);
        let other = rng.usize(..5);
        let id = match rng.usize(..4) {
            3 => "abc".to_string(),
            i => format!("nk{i}-{suffix}"),
        };
        let name = match rng.usize(..7) {
            2..=4 => None,
            5 => Some(format!("n\0{suffix}")),
            i => Some(format!("n{}{suffix}", i % 2)),
        };
        let create = rng.f32() < 0.6;
        let password = *pick(&mut rng, &["password1", "password1", "wrong-one", "short"]);
        let pick_group = rng.usize(..1_000);
        // An email call hashes a password (bcrypt, a large part of a
        // second on both hosts): fewer of them.
        let email = rng.f32() < 0.3;
        let what = |f: &str| {
            format!("nk {f} by #{user} for #{other}: id {id}, name {name:?}, create {create}, password {password}, group {pick_group}")
        };
        // A name of a user of this run, or one made up.
        let username = |side: &Side| match &name {
            Some(n) => n.clone(),
            None => side
                .users
                .get(other)
                .map_or("nobody".into(), |u| u.username.clone()),
        };
        match rng.usize(..23) {
            0 => run.compare(what("authenticate_custom"), |side| {
                let args = json!({"id": id, "username": username(side), "create": create});
                side.nk("authenticate_custom", args)
            }),
            2 if email => run.compare(what("authenticate_email"), |side| {
                let args = json!({"email": format!("{id}@example.com"), "password": password,
                    "username": username(side), "create": create});
                side.nk("authenticate_email", args)
            }),
            1 | 2 => run.compare(what("authenticate_device"), |side| {
                let args = json!({"id": format!("{id}-device"), "username": username(side), "create": create});
                side.nk("authenticate_device", args)
            }),
            3 => {
                // 0: the configured lifetime; -1: a token already expired.
                let exp = *pick(&mut rng, &[0, 0, -1]);
                let unnamed = rng.f32() < 0.3;
                let what = format!("{}, exp {exp}, unnamed {unnamed}", what("authenticate_token_generate"));
                run.compare(what, |side| {
                    let given = if unnamed { String::new() } else { username(side) };
                    let args = json!({"user_id": side.owner(user), "username": given,
                        "exp": exp, "vars": {"v": "1"}});
                    let (status, mut answer) = side.nk("authenticate_token_generate", args);
                    if let Some(exp) = answer["ok"]["exp"].as_i64() {
                        answer["ok"]["exp"] = json!(exp.signum());
                    }
                    if let Some(token) = answer["ok"]["token"].as_str() {
                        answer["ok"]["token"] = token_outcome(side, token, &given);
                    }
                    (status, answer)
                });
            }
            choice @ 4..=9 => {
                let verb = if choice < 7 { "link" } else { "unlink" };
                let kind = match (choice - 4) % 3 {
                    0 => "custom",
                    2 if email => "email",
                    _ => "device",
                };
                let function = format!("{verb}_{kind}");
                run.compare(what(&function), |side| {
                    let args = match kind {
                        "email" => json!({"user_id": side.owner(user),
                            "email": format!("{id}@example.com"), "password": password}),
                        _ => json!({"user_id": side.owner(user), "id": id}),
                    };
                    side.nk(&function, args)
                });
            }
            10 => {
                let function = *pick(&mut rng, &["users_ban_id", "users_unban_id"]);
                run.compare(what(function), |side| {
                    side.nk(function, json!({"user_ids": [side.owner(user)]}))
                });
            }
            11 => run.compare(what("users_get_friend_status"), |side| {
                let ids = json!([side.owner(other), side.owner(0), side.owner(1)]);
                let (status, mut answer) =
                    side.nk("users_get_friend_status", json!({"user_id": side.owner(user), "user_ids": ids}));
                // In the database's order, which differs between hosts.
                if let Some(friends) = answer["ok"].as_array_mut() {
                    friends.sort_by_key(|f| f["user"]["username"].to_string());
                }
                (status, answer)
            }),
            choice @ 12..=14 => {
                let function = ["friends_add", "friends_delete", "friends_block"][choice - 12];
                let by_name = rng.f32() < 0.3;
                run.compare(format!("{} (by name {by_name})", what(function)), |side| {
                    let me = side.users.get(user).map_or("", |u| u.username.as_str()).to_string();
                    let mut args = json!({"user_id": side.owner(user), "username": me});
                    if by_name {
                        args["usernames"] = json!([username(side)]);
                    } else {
                        args["ids"] = json!([side.owner(other)]);
                    }
                    side.nk(function, args)
                });
            }
            15 => run.compare(what("friend_metadata_update"), |side| {
                let args = json!({"user_id": side.owner(user), "friend_user_id": side.owner(other),
                    "metadata": {"m": pick_group}});
                side.nk("friend_metadata_update", args)
            }),
            16 => {
                let function = *pick(&mut rng, &["friends_list", "friends_of_friends_list"]);
                let state = *pick(&mut rng, &[None, Some(0), Some(2), Some(3), Some(5)]);
                let limit = *pick(&mut rng, &[1, 100, 0, 1001]);
                run.compare(format!("{} state {state:?} limit {limit}", what(function)), |side| {
                    let mut args = json!({"user_id": side.owner(user), "limit": limit, "cursor": ""});
                    if let Some(s) = state.filter(|_| function == "friends_list") {
                        args["state"] = json!(s);
                    }
                    side.nk(function, args)
                });
            }
            17 => {
                let open = rng.bool();
                let max = *pick(&mut rng, &[0, 2, 100, -1]);
                let group = format!("{suffix}ng{}", rng.usize(..10));
                run.compare(format!("{} named {group}, open {open}, max {max}", what("group_create")), |side| {
                    let args = json!({"user_id": side.owner(user), "name": group, "creator_id": side.owner(other),
                        "lang_tag": "en", "open": open, "max_count": max});
                    let answer = side.nk("group_create", args);
                    if let Some(id) = answer.1["ok"]["id"].as_str() {
                        let n = side.names.len();
                        side.names.insert(id.to_string(), format!("G{n}"));
                        side.kept("group").push(id.to_string());
                    }
                    answer
                });
            }
            18 => {
                let function = *pick(&mut rng, &["group_update", "group_delete", "groups_get_id"]);
                let open = rng.bool();
                run.compare(format!("{} open {open}", what(function)), |side| {
                    let group = side.nth_kept("group", pick_group).unwrap_or_default();
                    let args = match function {
                        "group_update" => json!({"group_id": group, "user_id": side.owner(user),
                            "description": format!("d{pick_group}"), "open": open, "max_count": 0}),
                        "group_delete" => json!({"group_id": group}),
                        _ => json!({"group_ids": [group, group]}),
                    };
                    side.nk(function, args)
                });
            }
            19 => {
                let function = *pick(&mut rng, &["group_user_join", "group_user_leave"]);
                run.compare(what(function), |side| {
                    let group = side.nth_kept("group", pick_group).unwrap_or_default();
                    let args = json!({"group_id": group, "user_id": side.owner(user), "username": username(side)});
                    side.nk(function, args)
                });
            }
            20 => {
                let function = *pick(
                    &mut rng,
                    &["group_users_add", "group_users_kick", "group_users_ban", "group_users_promote", "group_users_demote"],
                );
                run.compare(what(function), |side| {
                    let group = side.nth_kept("group", pick_group).unwrap_or_default();
                    let caller = if user == 4 { String::new() } else { side.owner(user) };
                    let args = json!({"caller_id": caller, "group_id": group, "user_ids": [side.owner(other)]});
                    side.nk(function, args)
                });
            }
            // Now and then an account goes: its friends, groups (the
            // ones it alone ran too) and ways in with it.
            21 if rng.f32() < 0.2 => run.compare(what("account_delete_id"), |side| {
                side.nk("account_delete_id", json!({"user_id": side.owner(user), "recorded": create}))
            }),
            _ => {
                let function = *pick(&mut rng, &["user_groups_list", "group_users_list"]);
                let state = *pick(&mut rng, &[None, Some(0), Some(2), Some(3)]);
                run.compare(format!("{} state {state:?}", what(function)), |side| {
                    let group = side.nth_kept("group", pick_group).unwrap_or_default();
                    let mut args = match function {
                        "user_groups_list" => json!({"user_id": side.owner(user), "limit": 100, "cursor": ""}),
                        _ => json!({"group_id": group, "limit": 100, "cursor": ""}),
                    };
                    if let Some(s) = state {
                        args["state"] = json!(s);
                    }
                    side.nk(function, args)
                });
            }
        }
    }
}

/// `calls` random `cron_next` and `cron_prev` calls (what leaderboard and
/// tournament resets use too): expressions of five fields, with seconds
/// before or a year after, the `@` names, each field from its usual forms
/// (lists, ranges, steps, names, `L`, `W`, `#`, `?`) and some out of range,
/// at times about month and year ends.
pub fn compare_nk_cron(hosts: Hosts, seed: u64, calls: usize) {
    const MINUTES: &[&str] = &[
        "*", "0", "5", "*/15", "10-20", "10-20/5", "0,30", "59", "60", "1-5,10",
    ];
    const HOURS: &[&str] = &["*", "0", "12", "*/6", "9-17", "23", "24", "0-23/7"];
    const DAYS: &[&str] = &[
        "*", "1", "15", "31", "L", "1-7", "*/10", "?", "15W", "LW", "0", "29",
    ];
    const MONTHS: &[&str] = &[
        "*", "1", "2", "JAN", "feb", "*/3", "6-8", "12", "13", "Jan-Mar",
    ];
    const WEEKDAYS: &[&str] = &[
        "*", "0", "1", "7", "MON", "mon-fri", "1-5", "5L", "2#3", "?", "*/2", "SUN,SAT",
    ];
    const NAMES: &[&str] = &[
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
        "@every 5m",
        "@reboot",
        "@never",
    ];
    // 2026-02-28 23:59:59, 2028-02-29 12:00:00, 2026-12-31 23:59:00,
    // 2026-03-29 01:30:00, 1970-01-01, and the session's own times.
    const TIMES: &[i64] = &[
        1_772_323_199,
        1_835_438_400,
        1_798_761_540,
        1_774_747_800,
        0,
        1_764_500_000,
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    for _ in 0..calls {
        let expression = match rng.usize(..10) {
            0 => pick(&mut rng, NAMES).to_string(),
            choice => {
                let mut fields = vec![
                    *pick(&mut rng, MINUTES),
                    *pick(&mut rng, HOURS),
                    *pick(&mut rng, DAYS),
                    *pick(&mut rng, MONTHS),
                    *pick(&mut rng, WEEKDAYS),
                ];
                if choice == 1 {
                    fields.insert(0, *pick(&mut rng, &["0", "30", "*/20", "61"]));
                }
                if choice <= 2 {
                    fields.push(*pick(&mut rng, &["*", "2027", "2026-2030", "1969"]));
                }
                fields.join(" ")
            }
        };
        let timestamp = match rng.usize(..3) {
            0 => rng.i64(0..2_000_000_000),
            _ => *pick(&mut rng, TIMES),
        };
        let function = *pick(&mut rng, &["cron_next", "cron_prev"]);
        run.compare(
            format!("nk {function} {expression:?} at {timestamp}"),
            |side| {
                side.nk(
                    function,
                    json!({"expression": expression, "timestamp": timestamp}),
                )
            },
        );
    }
}

/// What a token a module generated carries and does: its username (the
/// one given, or ten letters made up for none), and the status of
/// `GET /v2/account` with it.
fn token_outcome(side: &Side, token: &str, given: &str) -> serde_json::Value {
    use base64::Engine as _;
    let claims: serde_json::Value = token
        .split('.')
        .nth(1)
        .and_then(|c| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
        })
        .and_then(|c| serde_json::from_slice(&c).ok())
        .unwrap_or_default();
    let usn = claims["usn"].as_str().unwrap_or_default();
    let username = if usn == given {
        "given"
    } else if usn.len() == 10 && usn.bytes().all(|b| b.is_ascii_alphabetic()) {
        "made up"
    } else {
        usn
    };
    let bearer = format!("Bearer {token}");
    let (status, _) = super::http(side.port, "GET", "/v2/account", &bearer, None);
    json!({"username": username, "account": status})
}
