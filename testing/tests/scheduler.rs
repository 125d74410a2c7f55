//! The tournament end, tournament reset and leaderboard reset callbacks
//! under TestHost: the test moves the clock and asks the scheduler to run
//! (`host.run_scheduler()`), as the dev host does every second.

use std::sync::Mutex;

use nakama_runtime::scheduler::{LeaderboardCall, TournamentCall};
use nakama_runtime::{init_module, nk, Context, Error, Initializer, Nakama};
use nakama_test_host::TestHost;

/// What the callbacks got: (mode, id, end, reset).
static SEEN: Mutex<Vec<(String, String, i64, i64)>> = Mutex::new(Vec::new());

fn seen(ctx: &Context, id: &str, end: i64, reset: i64) {
    let mode = ctx.execution_mode().to_string();
    SEEN.lock()
        .unwrap()
        .push((mode, id.to_string(), end, reset));
}

async fn ended(ctx: &Context, _nk: &Nakama, call: TournamentCall) -> Result<(), Error> {
    seen(ctx, &call.tournament.id, call.end, call.reset);
    Ok(())
}

async fn reset(ctx: &Context, _nk: &Nakama, call: TournamentCall) -> Result<(), Error> {
    seen(ctx, &call.tournament.id, call.end, call.reset);
    Ok(())
}

async fn board_reset(ctx: &Context, _nk: &Nakama, call: LeaderboardCall) -> Result<(), Error> {
    seen(
        ctx,
        &call.leaderboard.id,
        i64::from(call.leaderboard.next_reset),
        call.reset,
    );
    Ok(())
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_tournament_end(ended);
    init.register_tournament_reset(reset);
    init.register_leaderboard_reset(board_reset);
    Ok(())
}

/// What the callbacks got for `id`.
fn seen_for(id: &str) -> Vec<(String, i64, i64)> {
    SEEN.lock()
        .unwrap()
        .iter()
        .filter(|s| s.1 == id)
        .map(|s| (s.0.clone(), s.2, s.3))
        .collect()
}

#[tokio::test]
async fn a_tournament_ends_then_resets_and_a_leaderboard_resets_on_schedule() {
    let host = TestHost::new().await;
    let t0 = 1_900_000_000; // 2030-03-17T17:46:40Z
    host.clock().set(t0);
    assert_eq!(host.run_scheduler().await, 0, "nothing exists yet");
    host.nk()
        .tournament_create(&nk::TournamentCreateArgs {
            id: "sprint".into(),
            start_time: t0,
            duration: 100,
            end_time: t0 + 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    host.nk()
        .leaderboard_create(&nk::LeaderboardCreateArgs {
            id: "hourly".into(),
            reset_schedule: "0 * * * *".into(),
            ..Default::default()
        })
        .await
        .unwrap();

    host.clock().set(t0 + 99);
    assert_eq!(host.run_scheduler().await, 0, "still active");
    host.clock().set(t0 + 150);
    assert_eq!(host.run_scheduler().await, 1);
    assert_eq!(
        seen_for("sprint"),
        [("tournament_end".into(), t0 + 100, t0 + 1000)]
    );

    // 18:00: the leaderboard's hourly reset; then the tournament's end.
    let hour = t0 - t0 % 3600 + 3600;
    host.clock().set(t0 + 1000);
    assert_eq!(host.run_scheduler().await, 2);
    assert_eq!(
        seen_for("hourly"),
        [("leaderboard_reset".into(), hour, hour)]
    );
    assert_eq!(
        seen_for("sprint")[1],
        ("tournament_reset".into(), t0 + 100, t0 + 1000)
    );
    // Ended for good: nothing more for it.
    host.clock().set(t0 + 5000);
    host.run_scheduler().await;
    assert_eq!(seen_for("sprint").len(), 2);
}
