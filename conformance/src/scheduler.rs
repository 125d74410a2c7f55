//! The leaderboard scheduler's callbacks as Nakama 3.40.0 runs them
//! (server/leaderboard_scheduler.go), on a host serving
//! `fixtures/fixture-scheduler`: a tournament active for 2 s and ending
//! after 4 gets its end callback when its activity stops and its reset
//! callback when it ends, each with the period's end and reset; a
//! leaderboard reset every minute gets its reset callback at the minute,
//! with the leaderboard as it was before it. Their context has their mode
//! and no user. Real time: this check waits up to a minute and a half.
//!
//! The leaderboard comes first: in Nakama 3.40.0 a tournament's final
//! expiry leaves its scheduler with nothing to wait for (the ended
//! tournament's deadline is picked again and then dropped as already
//! done), so a leaderboard reset due after it is not run until something
//! else makes the scheduler look again (a leaderboard created or
//! deleted). The dev host runs it.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::realtime::User;

/// What the callback stored under `key`, once it has.
fn wait_seen(port: u16, user: &User, key: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let seen = user.rpc(port, "scheduled_seen", &json!({ "key": key }).to_string());
        if !seen.is_null() {
            return seen;
        }
        assert!(Instant::now() < deadline, "no {key} callback in 90 s");
        std::thread::sleep(Duration::from_millis(250));
    }
}

pub fn check_scheduler(port: u16) {
    let run = crate::run_suffix();
    let user = User::new(port, &format!("sched-{run}"), &format!("sched_{run}"));
    let setup = |what: &str| {
        let answer = user.rpc(
            port,
            "scheduled_setup",
            &json!({ "run": run, "what": what }).to_string(),
        );
        answer["start"].as_i64().expect("the start time")
    };
    let (sprint, minutely) = (format!("sprint-{run}"), format!("minutely-{run}"));

    let start = setup("leaderboard");
    let board = wait_seen(port, &user, &format!("leaderboard_reset {minutely}"));
    assert_eq!(board["mode"], "leaderboard_reset", "{board}");
    assert_eq!(board["user_id"], Value::Null, "{board}");
    let at = board["call"]["reset"].as_i64().expect("a reset time");
    assert_eq!(at % 60, 0, "a minute's start: {board}");
    assert!(
        at > start && at <= start + 61,
        "the first minute after the setup: {board}"
    );
    assert_eq!(board["call"]["next_reset"], at, "{board}");
    assert_eq!(board["call"]["prev_reset"], at - 60, "{board}");

    let start = setup("tournament");
    let ended = wait_seen(port, &user, &format!("tournament_end {sprint}"));
    assert_eq!(
        ended,
        json!({"mode": "tournament_end", "user_id": null, "call": {
            "end": start + 2, "reset": start + 4, "end_active": start + 2,
            "next_reset": start + 4, "duration": 2, "title": "Sprint",
        }})
    );
    let reset = wait_seen(port, &user, &format!("tournament_reset {sprint}"));
    assert_eq!(reset["mode"], "tournament_reset", "{reset}");
    assert_eq!(reset["call"], ended["call"], "the same period");
}
