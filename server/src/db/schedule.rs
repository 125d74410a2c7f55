//! What the leaderboard scheduler has to do between two times: Nakama's
//! `LocalLeaderboardScheduler` (server/leaderboard_scheduler.go) asked,
//! for each leaderboard and tournament, which of its deadlines fell in
//! `(from, to]`: a tournament period's end of activity (the tournament
//! end callback), its expiry (the tournament reset callback; the
//! tournament's size starts again at 0), a leaderboard's reset (the
//! leaderboard reset callback). Each is seen as it was the second before.

use nakama_runtime_host::abi::scheduler::{LeaderboardCall, TournamentCall};
use nakama_runtime_host::CallError;

use super::leaderboard as lb;
use super::{internal, pg_params, tournament, Conn};

/// One callback to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Due {
    TournamentEnd(TournamentCall),
    TournamentReset(TournamentCall),
    LeaderboardReset(LeaderboardCall),
}

/// At most this many periods per leaderboard in one look (a clock moved
/// far ahead at once); later ones are skipped.
const MAX_PERIODS: usize = 100;

/// The callbacks whose deadline fell in `(from, to]`, in deadline order,
/// one per period passed. Tournaments whose records expired get their
/// size back to 0, as in Nakama, whether a module registered a callback
/// or not.
pub fn due(c: &Conn, from: i64, to: i64) -> Result<Vec<Due>, CallError> {
    let ids: Vec<String> = {
        let mut stmt = c
            .prepare("SELECT id FROM leaderboard ORDER BY id")
            .map_err(internal)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(internal)?;
        rows.collect::<Result<_, _>>().map_err(internal)?
    };
    let mut out: Vec<(i64, Due)> = Vec::new();
    for id in ids {
        let Some(board) = lb::get(c, &id)? else {
            continue;
        };
        let within = |t: i64| t > from && t <= to;
        match board.tournament {
            None => {
                let Some(cron) = &board.reset else { continue };
                let mut reset = lb::next_reset(cron, from);
                for _ in 0..MAX_PERIODS {
                    if !within(reset) {
                        break;
                    }
                    if let Some(leaderboard) = lb::get_at(c, &id, reset - 1)? {
                        let call = LeaderboardCall { leaderboard, reset };
                        out.push((reset, Due::LeaderboardReset(call)));
                    }
                    reset = lb::next_reset(cron, reset);
                }
            }
            Some(window) => {
                if window.end > 0 && window.end < from {
                    continue; // ended for good before
                }
                // Period after period, from the one `from` falls in.
                let mut at = from;
                for _ in 0..MAX_PERIODS {
                    let d = window.deadlines(board.reset.as_ref(), at);
                    if d.end_active > at && within(d.end_active) {
                        if let Some(call) = tournament::call_at(c, &id, d.end_active - 1)? {
                            out.push((d.end_active, Due::TournamentEnd(call)));
                        }
                    }
                    if d.expiry <= at || !within(d.expiry) {
                        break;
                    }
                    if let Some(call) = tournament::call_at(c, &id, d.expiry - 1)? {
                        out.push((d.expiry, Due::TournamentReset(call)));
                    }
                    c.execute(
                        "UPDATE tournament SET size = 0 WHERE id = ?1",
                        pg_params![&id],
                    )
                    .map_err(internal)?;
                    at = d.expiry;
                }
            }
        }
    }
    out.sort_by_key(|(t, _)| *t);
    Ok(out.into_iter().map(|(_, d)| d).collect())
}
