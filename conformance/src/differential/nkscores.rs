//! A module's leaderboard and tournament calls, through `fixture-nk`'s
//! `nk_raw`.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{pick, without_clock, Hosts, Run, Side};

/// `calls` random leaderboard and tournament nk calls, made by a module
/// through `fixtures/fixture-nk`'s `nk_raw`, on boards the run makes (each
/// sort order and operator but decrement, authoritative or not, with a
/// reset schedule or not, ranked or not; tournaments of each category,
/// with a size limit, a number of scores, joining required or not, now
/// and then an end given in milliseconds, past what Nakama encodes):
/// records written by three users, the system user and an id that is none
/// (an operator given or the board's, scores near BIGINT's top that an
/// increment takes past it, metadata or not, metadata with a `\u0000`,
/// usernames longer than PostgreSQL's column), listed (owners too, through
/// every cursor), found around an owner, from a rank, deleted (a
/// tournament's now and then through the leaderboard functions); boards read
/// by id (one that is none), every leaderboard listed, leaderboards' ranks
/// disabled, boards deleted; tournaments joined, attempts added (counts
/// past INT's range and to 0 too), tournaments listed by category and
/// time; now and then an owner's account deleted. Written scores are
/// random enough not to tie, but a tournament join writes 0 for each
/// owner who joins: records that tie are compared in their owners' order
/// (`ties_by_name`), and a write that leaves a record at 0 without its
/// rank. Times and resets are left out. The run's tournaments are
/// deleted at its end.
pub fn compare_nk_scores(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let suffix = format!("{}{seed}", crate::run_suffix());
    // No decrement: a record's first one is 0, which ties records
    // (`compare_leaderboards` covers it, on records made first).
    let operators = ["best", "set", "incr"];
    for _ in 0..calls {
        // 3: the system user, 4: not a user id.
        let owner = rng.usize(..5);
        let tournament = rng.f32() < 0.4;
        let board = format!(
            "{suffix}{}{}",
            if tournament { "t" } else { "b" },
            rng.usize(..4)
        );
        let limit = *pick(&mut rng, &[1, 2, 100, 0, -1, 10_001]);
        let what = |f: &str| format!("nk {f} on {board} for #{owner}, limit {limit}");
        let kind = if tournament {
            "tournament"
        } else {
            "leaderboard"
        };
        // Now and then a tournament's records through the leaderboard
        // functions, which read no tournament window.
        let records = if tournament && rng.f32() < 0.15 {
            "leaderboard"
        } else {
            kind
        };
        match rng.usize(..14) {
            0 | 1 => {
                let authoritative = rng.f32() < 0.2;
                let sort = *pick(&mut rng, &["asc", "desc"]);
                let operator = *pick(&mut rng, &operators);
                let reset = *pick(&mut rng, &["", "", "0 0 * * *", "not a schedule"]);
                let ranks = rng.f32() < 0.8;
                let category = rng.i32(0..3);
                let max_size = *pick(&mut rng, &[0, 2, 100]);
                let max_num_score = *pick(&mut rng, &[0, 1, 3]);
                let join_required = rng.bool();
                // Now and then an end in milliseconds (year 59000), which
                // Nakama takes but cannot encode in its answers.
                let end = *pick(&mut rng, &[0, 0, 0, 0, 0, 1_800_000_000_000_i64]);
                let what = format!(
                    "{} authoritative {authoritative}, {sort}, {operator}, reset {reset:?}, ranks {ranks}, category {category}, max size {max_size}, scores {max_num_score}, join {join_required}, end {end}",
                    what(&format!("{kind}_create"))
                );
                run.compare(what, |side| {
                    let mut args = json!({"id": board, "authoritative": authoritative, "sort_order": sort,
                        "operator": operator, "reset_schedule": reset, "metadata": {"m": category},
                        "enable_ranks": ranks});
                    if tournament {
                        let more = json!({"title": "t", "description": "d", "category": category,
                            "start_time": 0, "end_time": end, "duration": 3600, "max_size": max_size,
                            "max_num_score": max_num_score, "join_required": join_required});
                        args.as_object_mut().unwrap().extend(more.as_object().unwrap().clone());
                    }
                    side.nk(&format!("{kind}_create"), args)
                });
            }
            2..=5 => {
                // Now and then a score near BIGINT's top, so that an
                // increment goes past it (PostgreSQL fails the write).
                let score = match rng.f32() {
                    x if x < 0.1 => i64::MAX - rng.i64(0..1_000_000),
                    x if x < 0.2 => -rng.i64(1..100_000_000),
                    _ => rng.i64(1..100_000_000),
                };
                let subscore = rng.i64(0..1_000);
                let operator = pick(
                    &mut rng,
                    &[None, None, Some("best"), Some("set"), Some("incr")],
                );
                let metadata = pick(
                    &mut rng,
                    &[
                        None,
                        Some(json!({"x": 1.5})),
                        Some(json!({})),
                        Some(json!({"n": "\0"})),
                    ],
                )
                .clone();
                let name = rng.usize(..12);
                let what = format!(
                    "{} {score}/{subscore}, operator {operator:?}, metadata {metadata:?}, name {name}",
                    what(&format!("{records}_record_write"))
                );
                run.compare(what, |side| {
                    let username = username(side, owner, name);
                    let mut args = json!({"id": board, "owner_id": side.owner(owner), "username": username,
                        "score": score, "subscore": subscore, "metadata": metadata});
                    if let Some(op) = operator {
                        args["operator"] = json!(op);
                    }
                    let (status, mut answer) = side.nk(&format!("{records}_record_write"), args);
                    if let Some(record) = answer.get_mut("ok") {
                        without_rank_at_zero(record);
                    }
                    (status, without_clock(answer))
                });
            }
            6 | 7 => {
                let owners: Vec<usize> = (0..5).filter(|_| rng.f32() < 0.3).collect();
                run.compare(
                    format!(
                        "{} owners {owners:?}",
                        what(&format!("{records}_records_list"))
                    ),
                    |side| {
                        let owner_ids: Vec<String> =
                            owners.iter().map(|&o| side.owner(o)).collect();
                        let args = json!({"id": board, "owner_ids": owner_ids, "limit": limit,
                            "cursor": "", "expiry": 0});
                        let function = format!("{records}_records_list");
                        let mut pages = side.nk_pages(&function, args, "next_cursor", 10);
                        // The records of every page as one listing (a tie
                        // may straddle pages), each page with its size.
                        let mut all = Vec::new();
                        for (_, page) in &mut pages {
                            if let Some(Value::Array(these)) = page
                                .get_mut("ok")
                                .and_then(Value::as_object_mut)
                                .and_then(|ok| ok.remove("records"))
                            {
                                page["ok"]["records"] = json!(these.len());
                                all.extend(these);
                            }
                        }
                        let first = first_ranks(&all);
                        for (_, page) in &mut pages {
                            if let Some(Value::Array(owners)) =
                                page.pointer_mut("/ok/owner_records")
                            {
                                ties_by_name(side, &first, owners);
                            }
                        }
                        ties_by_name(side, &first, &mut all);
                        let pages: Vec<Value> =
                            pages.into_iter().map(|p| json!([p.0, p.1])).collect();
                        (200, without_clock(json!({"pages": pages, "records": all})))
                    },
                );
            }
            8 => run.compare(what(&format!("{records}_records_haystack")), |side| {
                let args = json!({"id": board, "owner_id": side.owner(owner), "limit": limit,
                    "cursor": "", "expiry": 0});
                let (status, mut answer) = side.nk(&format!("{records}_records_haystack"), args);
                if let Some(Value::Array(around)) = answer.pointer_mut("/ok/records") {
                    ties_by_name(side, &first_ranks(around), around);
                }
                (status, without_clock(answer))
            }),
            9 => run.compare(what(&format!("{records}_record_delete")), |side| {
                side.nk(
                    &format!("{records}_record_delete"),
                    json!({"id": board, "owner_id": side.owner(owner)}),
                )
            }),
            10 if tournament => {
                let function = *pick(&mut rng, &["tournament_join", "tournament_add_attempt"]);
                // Past INT's range, or to 0 and below: the column refuses
                // it, Nakama logs that and answers success.
                let count = *pick(&mut rng, &[1, 3, 0, -1, i32::MAX, i32::MIN, -1_000_000]);
                let name = rng.usize(..12);
                run.compare(format!("{} count {count}, name {name}", what(function)), |side| {
                    let username = username(side, owner, name);
                    let args = json!({"id": board, "owner_id": side.owner(owner), "username": username,
                        "count": count});
                    side.nk(function, args)
                });
            }
            10 => {
                let rank = *pick(&mut rng, &[1, 2, 5, 0, -1]);
                run.compare(
                    format!(
                        "{} rank {rank}",
                        what("leaderboard_records_list_cursor_from_rank")
                    ),
                    |side| {
                        let args = json!({"id": board, "rank": rank, "expiry": 0});
                        let (status, mut answer) =
                            side.nk("leaderboard_records_list_cursor_from_rank", args);
                        // A cursor: whether there is one.
                        if let Some(c) = answer["ok"].as_str() {
                            answer["ok"] = json!(!c.is_empty());
                        }
                        (status, answer)
                    },
                );
            }
            11 => {
                let function = if tournament {
                    "tournaments_get_id"
                } else {
                    "leaderboards_get_id"
                };
                run.compare(what(function), |side| {
                    let args = json!({"ids": [board, "nope", board]});
                    let (status, answer) = side.nk(function, args);
                    (status, without_clock(answer))
                });
            }
            // Not a tournament's (nor `tournament_ranks_disable`): Nakama
            // then takes it for a leaderboard until it restarts
            // (server/README: differences).
            12 if !tournament => run.compare(what("leaderboard_ranks_disable"), |side| {
                side.nk("leaderboard_ranks_disable", json!({"id": board}))
            }),
            // The run's tournaments in a category range and time window,
            // as a set: tournaments starting "now" may start a second
            // apart on the two hosts, which orders them differently.
            12 if rng.bool() => {
                let categories = *pick(&mut rng, &[(0, 127), (0, 0), (1, 2), (2, 1), (-1, 128)]);
                let day = 86_400;
                let start = *pick(&mut rng, &[-1, 0, -day, day]);
                let end = *pick(&mut rng, &[-1, 0, day, 2 * day]);
                let what = format!(
                    "nk tournament_list, categories {categories:?}, start {start}, end {end}"
                );
                run.compare(what, |side| {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs() as i64);
                    let at = |t: i64| if t == 0 || t == -1 { t } else { now + t };
                    let args = json!({"category_start": categories.0, "category_end": categories.1,
                        "start_time": at(start), "end_time": at(end), "limit": 100, "cursor": ""});
                    let (status, mut answer) = side.nk("tournament_list", args);
                    if let Some(Value::Array(list)) = answer.pointer_mut("/ok/tournaments") {
                        list.retain(|t| t["id"].as_str().is_some_and(|id| id.starts_with(&suffix)));
                        list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
                    }
                    (status, without_clock(answer))
                });
            }
            // Every leaderboard the hosts have (the earlier areas' too,
            // made in the same order on each), through every cursor.
            12 => run.compare(format!("nk leaderboard_list, limit {limit}"), |side| {
                let args = json!({"limit": limit, "cursor": ""});
                let pages = side.nk_pages("leaderboard_list", args, "cursor", 20);
                let pages = pages.into_iter().map(|p| json!([p.0, p.1])).collect();
                (200, without_clock(pages))
            }),
            // Now and then an account goes, its records with it.
            13 if owner < 3 && rng.f32() < 0.1 => run.compare(what("account_delete_id"), |side| {
                side.nk(
                    "account_delete_id",
                    json!({"user_id": side.owner(owner), "recorded": false}),
                )
            }),
            _ if rng.f32() < 0.3 => run.compare(what(&format!("{kind}_delete")), |side| {
                side.nk(&format!("{kind}_delete"), json!({"id": board}))
            }),
            _ => {}
        }
    }
    // The run's tournaments go, so that one ending in year 59000 does not
    // fail the later areas' listings of every tournament.
    for n in 0..4 {
        let id = format!("{suffix}t{n}");
        run.compare(format!("nk tournament_delete on {id}"), |side| {
            side.nk("tournament_delete", json!({"id": id}))
        });
    }
}

/// The username a module gives for `owner`'s record: its own, or (`pick`
/// 10 and 11) one longer than PostgreSQL's column, of letters or of
/// trailing spaces (which it cuts off).
fn username(side: &Side, owner: usize, pick: usize) -> String {
    match pick {
        10 => "x".repeat(200),
        11 => format!("u{}", " ".repeat(200)),
        _ => side
            .users
            .get(owner)
            .map_or(String::new(), |u| u.username.clone()),
    }
}

/// A record's tie: its score and subscore.
fn tie(r: &Value) -> (String, String) {
    (r["score"].to_string(), r["subscore"].to_string())
}

/// Each tie's first rank in `listing` (a whole listing, in rank order).
fn first_ranks(listing: &[Value]) -> HashMap<(String, String), Value> {
    let mut first = HashMap::new();
    for r in listing {
        first.entry(tie(r)).or_insert_with(|| r["rank"].clone());
    }
    first
}

/// A tie's records (same score and subscore) made the same on both
/// hosts: both order a tie by owner id, which each host draws at random,
/// so each of `records` (in rank order) gets its tie's `first` rank in
/// the listing it is part of ([`first_ranks`]; no rank if it is at 0 and
/// not listed) and a tie's records are put in the order of their
/// owners' names here.
fn ties_by_name(side: &Side, first: &HashMap<(String, String), Value>, records: &mut [Value]) {
    for r in records.iter_mut() {
        match first.get(&tie(r)) {
            Some(rank) => r["rank"] = rank.clone(),
            None => without_rank_at_zero(r),
        }
    }
    for run in records.chunk_by_mut(|a, b| tie(a) == tie(b)) {
        run.sort_by_cached_key(|r| side.normal(&r["owner_id"]).to_string());
    }
}

/// `record` without its rank if it is at 0 (score and subscore, left out
/// of the answer): a joined owner's record, kept there by `best` or not
/// written since, may tie with other joined owners', and its rank then
/// follows their ids.
fn without_rank_at_zero(record: &mut Value) {
    if let Some(r) = record
        .as_object_mut()
        .filter(|r| !r.contains_key("score") && !r.contains_key("subscore"))
    {
        r.remove("rank");
    }
}
