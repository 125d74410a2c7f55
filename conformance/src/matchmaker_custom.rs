//! A module's matchmaker override and processor (Nakama's
//! `RegisterMatchmakerOverride`, `RegisterMatchmakerProcessor`), on a host
//! started with `matchmaker.interval_sec` 1.
//!
//! Nakama: server/matchmaker.go (`Process`: which of the two runs, the
//! answer's groups formed while their tickets remain),
//! server/matchmaker_process.go (`processOverride`: the candidates,
//! `processCustom`: every entry), server/runtime_go.go (the modes).

use std::time::Duration;

use serde_json::{json, Value};

use crate::realtime::{
    add_ticket, assert_not_matched, matched_push, pair_ticket, pass_intervals, users_of, Socket,
    User,
};

/// Users named after `names` (suffixed), each with an open socket.
fn players(port: u16, tag: &str, names: &[&str], suffix: &str) -> (Vec<User>, Vec<Socket>) {
    let users: Vec<User> = names
        .iter()
        .map(|n| {
            let name = format!("{tag}{n}{suffix}");
            User::new(port, &format!("mm-{name}"), &name)
        })
        .collect();
    let sockets = users.iter().map(|u| Socket::open(port, u)).collect();
    (users, sockets)
}

/// The user ids of a `matchmaker_matched` push, sorted.
fn ids_of(push: &Value) -> Vec<String> {
    users_of(push)
        .iter()
        .map(|u| u["presence"]["user_id"].as_str().unwrap_or("").to_string())
        .collect()
}

fn sorted_ids(users: &[&User]) -> Vec<String> {
    let mut ids: Vec<String> = users.iter().map(|u| u.user_id.clone()).collect();
    ids.sort();
    ids
}

/// `fixtures/fixture-mm-override`: its override keeps the candidate groups
/// of one `team`, duplicates included.
///
/// - Of alice (red), bob (blue) and carol (red), all after pairs of their
///   round, alice and carol are matched, each once though both of their
///   tickets proposed the pair; bob's ticket stays in the pool, where
///   dave (blue) finds it later.
/// - A group the override answers with an entry it made up is not formed.
/// - An override that panics or answers an error forms nothing in that
///   pass, and the host goes on (later tickets match).
pub fn check_matchmaker_override(port: u16) {
    let suffix = crate::run_suffix();
    let round = format!("mmteam{suffix}");
    let (users, mut sockets) = players(port, "o", &["alice", "bob", "carol", "dave"], &suffix);
    let team = |t: &str| pair_ticket(&round, "", json!({ "team": t }), json!({}));
    let tickets: Vec<String> = sockets[..3]
        .iter_mut()
        .zip(["red", "blue", "red"])
        .map(|(s, t)| add_ticket(s, team(t)))
        .collect();
    let alice = matched_push(&mut sockets[0], &tickets[0]);
    let carol = matched_push(&mut sockets[2], &tickets[2]);
    let want = sorted_ids(&[&users[0], &users[2]]);
    assert_eq!(ids_of(&alice), want, "{alice}");
    assert_eq!(ids_of(&carol), want, "{carol}");
    assert_eq!(alice["token"], carol["token"], "one relayed match: {carol}");
    // One group each, though the answer held the pair twice.
    pass_intervals(port, &suffix, "o");
    assert_not_matched(&mut sockets[0], &tickets[0]);
    assert_not_matched(&mut sockets[2], &tickets[2]);
    assert_not_matched(&mut sockets[1], &tickets[1]);
    // bob waited in the pool.
    let dave_ticket = add_ticket(&mut sockets[3], team("blue"));
    let bob = matched_push(&mut sockets[1], &tickets[1]);
    let dave = matched_push(&mut sockets[3], &dave_ticket);
    assert_eq!(ids_of(&bob), sorted_ids(&[&users[1], &users[3]]), "{bob}");
    assert_eq!(bob["token"], dave["token"], "{dave}");
    for s in sockets {
        s.close();
    }

    // Forged entries, a panic, an error: no group, the host goes on.
    for (tag, strings) in [
        ("forge", json!({"forge": "yes"})),
        ("panic", json!({"fail": "panic"})),
        ("error", json!({"fail": "error"})),
    ] {
        let round = format!("mm{tag}{suffix}");
        let (_, mut sockets) = players(port, tag, &["a", "b"], &suffix);
        let tickets: Vec<String> = sockets
            .iter_mut()
            .map(|s| add_ticket(s, pair_ticket(&round, "", strings.clone(), json!({}))))
            .collect();
        // A pass of their own first: tickets in a pass that forms nothing
        // are active no more (min = max), and the pairs that show passes
        // went by must not share it.
        std::thread::sleep(Duration::from_millis(2500));
        pass_intervals(port, &suffix, tag);
        for (s, t) in sockets.iter_mut().zip(&tickets) {
            assert_not_matched(s, t);
        }
        for s in sockets {
            s.close();
        }
    }
}

/// A `matchmaker_add` for a group of 3 in round `round`: the default
/// matchmaker would never match two of them.
fn trio_ticket(round: &str, strings: Value) -> Value {
    let mut body = pair_ticket(round, "", strings, json!({}));
    body["min_count"] = json!(3);
    body["max_count"] = json!(3);
    body
}

/// `fixtures/fixture-mm-processor`: its processor pairs the entries of
/// each round, whatever the tickets ask; its override, which would panic,
/// never runs.
///
/// - Two tickets for groups of 3 are matched as a pair; a third of the
///   round waits alone, then pairs with a fourth.
/// - While a ticket that makes the processor panic or err is in the pool,
///   nothing forms; once its socket closes, the waiting pair forms.
pub fn check_matchmaker_processor(port: u16) {
    let suffix = crate::run_suffix();
    let round = format!("mmpairs{suffix}");
    let (users, mut sockets) = players(port, "p", &["a", "b", "c", "d"], &suffix);
    let tickets: Vec<String> = sockets[..2]
        .iter_mut()
        .map(|s| add_ticket(s, trio_ticket(&round, json!({}))))
        .collect();
    let a = matched_push(&mut sockets[0], &tickets[0]);
    let b = matched_push(&mut sockets[1], &tickets[1]);
    assert_eq!(ids_of(&a), sorted_ids(&[&users[0], &users[1]]), "{a}");
    assert_eq!(a["token"], b["token"], "{b}");
    let c_ticket = add_ticket(&mut sockets[2], trio_ticket(&round, json!({})));
    // Passes go by: c stays alone in the pool.
    std::thread::sleep(Duration::from_millis(2500));
    assert_not_matched(&mut sockets[2], &c_ticket);
    let d_ticket = add_ticket(&mut sockets[3], trio_ticket(&round, json!({})));
    let c = matched_push(&mut sockets[2], &c_ticket);
    matched_push(&mut sockets[3], &d_ticket);
    assert_eq!(ids_of(&c), sorted_ids(&[&users[2], &users[3]]), "{c}");
    for s in sockets {
        s.close();
    }

    for fail in ["panic", "error"] {
        let round = format!("mmp{fail}{suffix}");
        let (_, mut sockets) = players(port, fail, &["a", "b", "x"], &suffix);
        let failing = add_ticket(
            &mut sockets[2],
            trio_ticket(&format!("{round}x"), json!({ "fail": fail })),
        );
        let tickets: Vec<String> = sockets[..2]
            .iter_mut()
            .map(|s| add_ticket(s, trio_ticket(&round, json!({}))))
            .collect();
        std::thread::sleep(Duration::from_millis(2500));
        assert_not_matched(&mut sockets[2], &failing);
        for (s, t) in sockets[..2].iter_mut().zip(&tickets) {
            assert_not_matched(s, t);
        }
        // Its ticket goes with its socket: the pair forms.
        let mut sockets = sockets.into_iter();
        let (mut a, mut b, x) = (
            sockets.next().unwrap(),
            sockets.next().unwrap(),
            sockets.next().unwrap(),
        );
        x.close();
        matched_push(&mut a, &tickets[0]);
        matched_push(&mut b, &tickets[1]);
        a.close();
        b.close();
    }
}
