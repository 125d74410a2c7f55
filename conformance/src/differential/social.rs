//! Friends, accounts and groups, as clients call them.

use serde_json::{json, Value};

use super::{pick, Hosts, Run, Side};
use crate::misc::urlencode;

/// `calls` random friend calls among four users, one other user each (a
/// call naming several is made in a Go map's order by Nakama, so the
/// relationships' order would differ): invites and accepts by id or
/// username (one with a NUL too), removals, blocks, and listings by state
/// through every cursor; now and then a user deletes its account (its
/// token then refused, its id one that is none for the others).
pub fn compare_friends(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 4);
    for _ in 0..calls {
        let user = rng.usize(..4);
        let other = rng.usize(..4);
        let by_name = rng.f32() < 0.3;
        // A name PostgreSQL cannot be given.
        let nul = rng.f32() < 0.05;
        let name = |side: &Side| {
            let u = &side.users[other];
            if nul {
                "usernames=a%00b".to_string()
            } else if by_name {
                format!("usernames={}", u.username)
            } else {
                format!("ids={}", u.user_id)
            }
        };
        match rng.usize(..8) {
            0..=2 => run.compare(
                format!("U{user} adds U{other} (by name: {by_name}, NUL: {nul})"),
                |side| side.call(user, "POST", &format!("/v2/friend?{}", name(side)), None),
            ),
            3 => run.compare(
                format!("U{user} removes U{other} (by name: {by_name}, NUL: {nul})"),
                |side| side.call(user, "DELETE", &format!("/v2/friend?{}", name(side)), None),
            ),
            4 => run.compare(
                format!("U{user} blocks U{other} (by name: {by_name}, NUL: {nul})"),
                |side| {
                    side.call(
                        user,
                        "POST",
                        &format!("/v2/friend/block?{}", name(side)),
                        None,
                    )
                },
            ),
            7 if rng.f32() < 0.15 => run.compare(format!("U{user} deletes its account"), |side| {
                side.delete_account(user)
            }),
            _ => {
                let state = *pick(
                    &mut rng,
                    &[None, Some(0), Some(1), Some(2), Some(3), Some(4)],
                );
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(100), Some(1001)]);
                run.compare(
                    format!("U{user} lists friends, state {state:?} limit {limit:?}"),
                    |side| {
                        let mut path = "/v2/friend?".to_string();
                        if let Some(s) = state {
                            path.push_str(&format!("state={s}&"));
                        }
                        if let Some(l) = limit {
                            path.push_str(&format!("limit={l}&"));
                        }
                        side.pages(user, &path, "friends")
                    },
                );
            }
        }
    }
}

/// `calls` random account calls by three users: updates of any of the
/// fields a client may set (empty ones, names another user has, names
/// Nakama refuses, values longer than their column, text with a NUL),
/// reads of the account, and users looked up by ids and usernames.
pub fn compare_accounts(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let long = "x".repeat(300);
    for _ in 0..calls {
        let user = rng.usize(..3);
        match rng.usize(..4) {
            0 | 1 => {
                // Each field set or not; `Err(i)`: user `i`'s first name.
                let fields: Vec<(&str, Result<String, usize>)> = [
                    "username",
                    "display_name",
                    "avatar_url",
                    "lang_tag",
                    "location",
                    "timezone",
                ]
                .into_iter()
                .filter_map(|field| {
                    if rng.f32() >= 0.3 {
                        return None;
                    }
                    let value = match rng.usize(..7) {
                        0 => Ok(String::new()),
                        1 => Ok("a\tb".to_string()),
                        2 => Ok("A B é".to_string()),
                        3 => Ok(long.clone()),
                        4 => Ok("a\0b".to_string()),
                        _ => Err(rng.usize(..3)),
                    };
                    Some((field, value))
                })
                .collect();
                run.compare(format!("U{user} updates its account: {fields:?}"), |side| {
                    let body: serde_json::Map<String, Value> = fields
                        .iter()
                        .map(|(field, value)| {
                            let value = match value {
                                Ok(v) => v.clone(),
                                Err(i) => side.users[*i].username.clone(),
                            };
                            (field.to_string(), json!(value))
                        })
                        .collect();
                    side.call(user, "PUT", "/v2/account", Some(&Value::Object(body)))
                });
            }
            2 => run.compare(format!("U{user} reads its account"), |side| {
                side.call(user, "GET", "/v2/account", None)
            }),
            _ => {
                let ids: Vec<usize> = (0..3).filter(|_| rng.bool()).collect();
                let names: Vec<usize> = (0..3).filter(|_| rng.bool()).collect();
                let nul = rng.f32() < 0.1;
                let what =
                    format!("U{user} looks up users {ids:?} and names {names:?} (NUL: {nul})");
                run.compare(what, |side| {
                    let mut path = "/v2/user?".to_string();
                    for &i in &ids {
                        path.push_str(&format!("ids={}&", side.users[i].user_id));
                    }
                    for &i in &names {
                        path.push_str(&format!(
                            "usernames={}&",
                            urlencode(&side.users[i].username)
                        ));
                    }
                    if nul {
                        path.push_str("usernames=a%00b&");
                    }
                    let (status, mut found) = side.call(user, "GET", &path, None);
                    // In the database's order, which differs between hosts.
                    if let Some(users) = found["users"].as_array_mut() {
                        users.sort_by_key(|u| u["username"].to_string());
                    }
                    (status, found)
                });
            }
        }
    }
}

/// `calls` random group calls by five users: groups made open or closed
/// with a member limit or not, joins and join requests, leaves, each
/// membership action on another user (add, kick, promote, demote, ban),
/// updates and deletes, listings of a group's members and of a user's
/// groups by state, and searches of groups by name (exact, a prefix,
/// another case) or by language, openness and members, through every
/// cursor; now and then a name with a NUL, made or searched, and a user
/// deleting its account.
pub fn compare_groups(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 5);
    let suffix = format!("{}{seed}", crate::run_suffix());
    // Two language tags of this run's own (a search by language sees
    // every group of Nakama's database), short enough for the column.
    let tag = &suffix[suffix.len().saturating_sub(12)..];
    let langs = [format!("{tag}a"), format!("{tag}b")];
    // Each side's groups, in the order they were made.
    let mut groups: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..calls {
        let user = rng.usize(..5);
        let other = rng.usize(..5);
        let pick_group = rng.usize(..1_000);
        match rng.usize(..17) {
            // Now and then a user deletes its account: its groups where it
            // was the only superadmin go, it leaves the others.
            16 if rng.f32() < 0.3 => run.compare(format!("U{user} deletes its account"), |side| {
                side.delete_account(user)
            }),
            16 => {}
            0 | 1 => {
                let open = rng.bool();
                let max = *pick(&mut rng, &[None, Some(2), Some(3), Some(100)]);
                let name = match rng.f32() < 0.05 {
                    true => format!("{suffix}g\0"),
                    false => format!("{suffix}g{}", rng.usize(..20)),
                };
                let lang = pick(&mut rng, &langs);
                let what = format!("U{user} makes group {name}, open {open}, max {max:?}, {lang}");
                let mut made = Vec::new();
                run.compare(what, |side| {
                    let mut body = json!({"name": name, "open": open, "lang_tag": lang});
                    if let Some(m) = max {
                        body["max_count"] = json!(m);
                    }
                    let answer = side.call(user, "POST", "/v2/group", Some(&body));
                    if let Some(id) = answer.1["id"].as_str() {
                        let n = side.names.len();
                        side.names.insert(id.to_string(), format!("G{n}"));
                        made.push((side.port, id.to_string()));
                    }
                    answer
                });
                for (port, id) in made {
                    groups[usize::from(port != hosts.a)].push(id);
                }
            }
            14 | 15 => {
                let mut query = match rng.usize(..6) {
                    0 => format!("name={suffix}g{}&", rng.usize(..20)),
                    1 => format!("name={suffix}g1%25&"),
                    2 => format!("name=%25{}G%25&", suffix.to_uppercase()),
                    3 => format!("name={suffix}g%00&"),
                    _ => String::new(),
                };
                // Always a language but with a name: otherwise the search
                // sees other runs' groups.
                if query.is_empty() || rng.f32() < 0.1 {
                    query.push_str(&format!("lang_tag={}&", pick(&mut rng, &langs)));
                    if let Some(open) = *pick(&mut rng, &[None, Some(true), Some(false)]) {
                        query.push_str(&format!("open={open}&"));
                    }
                    if let Some(n) = *pick(&mut rng, &[None, Some(1), Some(2), Some(5)]) {
                        query.push_str(&format!("members={n}&"));
                    }
                }
                // A search but by name is in the order of the groups' ids,
                // which differ between hosts, and so are its pages (Nakama's
                // cursor there goes back to groups already listed): one page
                // of all.
                let limit = match query.starts_with("name=") {
                    true => *pick(&mut rng, &[None, Some(1), Some(2), Some(100)]),
                    false => Some(100),
                };
                if let Some(l) = limit {
                    query.push_str(&format!("limit={l}&"));
                }
                run.compare(format!("U{user} searches groups: {query}"), |side| {
                    let (status, mut found) =
                        side.pages(user, &format!("/v2/group?{query}"), "groups");
                    if !query.starts_with("name=") {
                        if let Some(items) = found["items"].as_array_mut() {
                            items.sort_by_key(|g| g["name"].to_string());
                        }
                    }
                    (status, found)
                });
            }
            choice => {
                let action = match choice {
                    2 | 3 => "join",
                    4 => "leave",
                    5 => "add",
                    6 => "kick",
                    7 => "promote",
                    8 => "demote",
                    9 => "ban",
                    10 => "update",
                    11 => "delete",
                    _ => "list",
                };
                let state = *pick(&mut rng, &[None, Some(0), Some(1), Some(2), Some(3)]);
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(100)]);
                let of_user = rng.bool();
                let open = rng.bool();
                let what = format!(
                    "U{user} {action} group #{pick_group} (other U{other}, state {state:?}, limit {limit:?}, of user {of_user}, open {open})"
                );
                let mut deleted = Vec::new();
                let groups_made = &groups;
                run.compare(what, |side| {
                    let mine = &groups_made[usize::from(side.port != hosts.a)];
                    let id = mine
                        .get(pick_group % mine.len().max(1))
                        .cloned()
                        .unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into());
                    let other_id = side.users[other].user_id.clone();
                    match action {
                        "join" | "leave" => {
                            side.call(user, "POST", &format!("/v2/group/{id}/{action}"), None)
                        }
                        "update" => side.call(
                            user,
                            "PUT",
                            &format!("/v2/group/{id}"),
                            Some(&json!({"open": open, "description": "d"})),
                        ),
                        "delete" => {
                            let answer =
                                side.call(user, "DELETE", &format!("/v2/group/{id}"), None);
                            if answer.0 == 200 {
                                deleted.push((side.port, id));
                            }
                            answer
                        }
                        "list" => {
                            let mut path = if of_user {
                                format!("/v2/user/{other_id}/group?")
                            } else {
                                format!("/v2/group/{id}/user?")
                            };
                            if let Some(s) = state {
                                path.push_str(&format!("state={s}&"));
                            }
                            if let Some(l) = limit {
                                path.push_str(&format!("limit={l}&"));
                            }
                            let field = if of_user {
                                "user_groups"
                            } else {
                                "group_users"
                            };
                            side.pages(user, &path, field)
                        }
                        _ => side.call(
                            user,
                            "POST",
                            &format!("/v2/group/{id}/{action}?user_ids={other_id}"),
                            None,
                        ),
                    }
                });
                for (port, id) in deleted {
                    groups[usize::from(port != hosts.a)].retain(|g| *g != id);
                }
            }
        }
    }
}
