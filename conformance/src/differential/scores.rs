//! Leaderboards and tournaments, as clients call them, on the boards
//! `fixture-nk` makes.

use serde_json::{json, Value};

use super::{pick, without_clock, Hosts, Run};
use crate::misc::urlencode;

/// `calls` random leaderboard calls by five users on the two leaderboards
/// `fixtures/fixture-nk`'s `nk_leaderboard_setup` makes (descending, best,
/// ranked; and an authoritative one): submissions with each operator
/// (negative ones too), metadata or not, listings (with owners, through
/// every cursor), haystacks and deletes. Each user first submits a score
/// of its own, and later scores move by random amounts, so that no two
/// records tie: a tie's order follows the owners' ids, which differ
/// between the hosts.
pub fn compare_leaderboards(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 5);
    let suffix = format!("{}{seed}", crate::run_suffix());
    run.setup("nk_leaderboard_setup", &suffix);
    let open = format!("open_{suffix}");
    let boards = [
        open.clone(),
        open.clone(),
        open.clone(),
        format!("auth_{suffix}"),
    ];
    for user in 0..5 {
        submit_own_score(&mut run, &mut rng, user, &open);
    }
    for _ in 0..calls {
        let user = rng.usize(..5);
        let other = rng.usize(..5);
        let board = pick(&mut rng, &boards).clone();
        match rng.usize(..8) {
            0..=3 => {
                let operator = *pick(
                    &mut rng,
                    &[None, Some(0), Some(1), Some(2), Some(3), Some(4)],
                );
                // A decrement moves a score by little, so that it does not
                // reach 0 (where records would tie); a negative one adds.
                let score = match (operator, rng.usize(..5)) {
                    (Some(4), _) => rng.i64(-100_000..100_000),
                    (_, 0) => -rng.i64(1..1_000),
                    // Near BIGINT's top, which an increment then takes
                    // past it (Nakama's write fails).
                    (_, 1) if rng.f32() < 0.3 => i64::MAX - rng.i64(0..1_000_000),
                    _ => rng.i64(1..100_000_000),
                };
                let subscore = rng.bool().then(|| rng.i64(0..1_000));
                let metadata = *pick(
                    &mut rng,
                    &[None, Some(r#"{"x":1.50}"#), Some("{}"), Some("[1]")],
                );
                let what = format!(
                    "U{user} submits {score}/{subscore:?} to {board} with operator {operator:?}, metadata {metadata:?}"
                );
                run.compare(what, |side| {
                    let record = record(score, subscore, operator, metadata);
                    side.call(
                        user,
                        "POST",
                        &format!("/v2/leaderboard/{board}"),
                        Some(&record),
                    )
                });
            }
            4 | 5 => {
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(3), Some(100)]);
                let owners: Vec<usize> = (0..5).filter(|_| rng.f32() < 0.2).collect();
                let what = format!("U{user} lists {board}, limit {limit:?}, owners {owners:?}");
                run.compare(what, |side| {
                    let mut path = format!("/v2/leaderboard/{board}?");
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}&"));
                    }
                    for &o in &owners {
                        path.push_str(&format!("owner_ids={}&", side.users[o].user_id));
                    }
                    let mut pages = Vec::new();
                    let mut next = path.clone();
                    loop {
                        let (status, page) = side.call(user, "GET", &next, None);
                        if status != 200 || pages.len() == 10 {
                            return (status, json!({"pages": pages, "last": page}));
                        }
                        let cursor = page["next_cursor"].as_str().unwrap_or("").to_string();
                        pages.push(page);
                        if cursor.is_empty() {
                            return (200, json!(pages));
                        }
                        next = format!("{path}cursor={}", urlencode(&cursor));
                    }
                });
            }
            6 => {
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(3), Some(100)]);
                let what = format!("U{user} lists {board} around U{other}, limit {limit:?}");
                run.compare(what, |side| {
                    let mut path = format!(
                        "/v2/leaderboard/{board}/owner/{}?",
                        side.users[other].user_id
                    );
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}"));
                    }
                    side.call(user, "GET", &path, None)
                });
            }
            _ => {
                run.compare(format!("U{user} deletes its record of {board}"), |side| {
                    side.call(user, "DELETE", &format!("/v2/leaderboard/{board}"), None)
                });
                // And gets a score of its own again, for the reason above.
                submit_own_score(&mut run, &mut rng, user, &board);
            }
        }
    }
}

/// A score submission's body (the gateway reads its numbers as text).
fn record(
    score: i64,
    subscore: Option<i64>,
    operator: Option<i32>,
    metadata: Option<&str>,
) -> Value {
    let mut record = json!({"score": score.to_string()});
    if let Some(s) = subscore {
        record["subscore"] = json!(s.to_string());
    }
    if let Some(o) = operator {
        record["operator"] = json!(o);
    }
    if let Some(m) = metadata {
        record["metadata"] = json!(m);
    }
    record
}

/// A score far from the other users' (`user` tens of millions), so that
/// no two records tie.
fn submit_own_score(run: &mut Run, rng: &mut fastrand::Rng, user: usize, board: &str) {
    let score = (user as i64 + 1) * 10_000_000 + rng.i64(0..1_000_000);
    run.compare(format!("U{user} submits {score} to {board}"), |side| {
        let record = json!({"score": score.to_string()});
        side.call(
            user,
            "POST",
            &format!("/v2/leaderboard/{board}"),
            Some(&record),
        )
    });
}

/// `calls` random tournament calls by four users on the tournaments
/// `fixtures/fixture-nk`'s `nk_tournament_setup` makes (open to all with
/// three scores each, joining required with one owner, authoritative,
/// ended, and a plain leaderboard): joins, submissions (no decrement,
/// whose first record of 0 would tie), listings of records (with owners,
/// through every cursor) and of the run's tournaments, haystacks and
/// deletes. Scores are drawn far apart, so that no two records tie.
pub fn compare_tournaments(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 4);
    let suffix = format!("{}{seed}", crate::run_suffix());
    run.setup("nk_tournament_setup", &suffix);
    let id = |name: &str| format!("t_{name}_{suffix}");
    let open = id("open");
    let ids = [
        open.clone(),
        open.clone(),
        open.clone(),
        id("join"),
        id("auth"),
        id("ended"),
        id("plain"),
    ];
    for _ in 0..calls {
        let user = rng.usize(..4);
        let other = rng.usize(..4);
        let t = pick(&mut rng, &ids).clone();
        match rng.usize(..8) {
            0 => run.compare(format!("U{user} joins {t}"), |side| {
                side.call(user, "POST", &format!("/v2/tournament/{t}/join"), None)
            }),
            1..=3 => {
                let operator = *pick(
                    &mut rng,
                    &[None, Some(0), Some(1), Some(2), Some(3), Some(9)],
                );
                let score = match rng.usize(..20) {
                    0..=3 => -rng.i64(1..1_000),
                    4 => i64::MAX - rng.i64(0..1_000_000),
                    _ => rng.i64(1..100_000_000),
                };
                let subscore = rng.bool().then(|| rng.i64(0..1_000));
                let what = format!(
                    "U{user} submits {score}/{subscore:?} to {t} with operator {operator:?}"
                );
                run.compare(what, |side| {
                    let record = record(score, subscore, operator, None);
                    side.call(user, "POST", &format!("/v2/tournament/{t}"), Some(&record))
                });
            }
            4 => {
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(100)]);
                let owners: Vec<usize> = (0..4).filter(|_| rng.f32() < 0.25).collect();
                let what = format!("U{user} lists {t}, limit {limit:?}, owners {owners:?}");
                run.compare(what, |side| {
                    let mut path = format!("/v2/tournament/{t}?");
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}&"));
                    }
                    for &o in &owners {
                        path.push_str(&format!("owner_ids={}&", side.users[o].user_id));
                    }
                    let (status, page) = side.call(user, "GET", &path, None);
                    (status, without_clock(page))
                });
            }
            5 => {
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(100)]);
                let what = format!("U{user} lists {t} around U{other}, limit {limit:?}");
                run.compare(what, |side| {
                    let mut path =
                        format!("/v2/tournament/{t}/owner/{}?", side.users[other].user_id);
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}"));
                    }
                    let (status, page) = side.call(user, "GET", &path, None);
                    (status, without_clock(page))
                });
            }
            6 => {
                let (start, end) = *pick(&mut rng, &[(20, 20), (20, 21), (21, 21), (0, 127)]);
                let what = format!("U{user} lists tournaments of categories {start} to {end}");
                run.compare(what, |side| {
                    let path = format!(
                        "/v2/tournament?category_start={start}&category_end={end}&limit=100"
                    );
                    let (status, mut page) = side.call(user, "GET", &path, None);
                    // Only this run's: earlier runs' share the database.
                    if let Some(all) = page["tournaments"].as_array_mut() {
                        all.retain(|t| t["id"].as_str().is_some_and(|id| id.ends_with(&suffix)));
                    }
                    (status, without_clock(page))
                });
            }
            _ => run.compare(format!("U{user} deletes its record of {t}"), |side| {
                side.call(user, "DELETE", &format!("/v2/tournament/{t}"), None)
            }),
        }
    }
}
