//! The leaderboard scheduler's callbacks on the wire (ABI 1.7).
//!
//! A module registers at most one handler of each kind (Nakama's
//! `RegisterTournamentEnd`, `RegisterTournamentReset`,
//! `RegisterLeaderboardReset`): [`crate::ffi::kind::TOURNAMENT_END`] runs
//! when a tournament's period stops taking scores,
//! [`crate::ffi::kind::TOURNAMENT_RESET`] when its records expire (a new
//! period starts, or the tournament ends for good) and
//! [`crate::ffi::kind::LEADERBOARD_RESET`] when a leaderboard's reset
//! schedule empties it. Each registration's id is its execution mode
//! ([`crate::mode::TOURNAMENT_END`], ...). The input is the JSON of [`TournamentCall`] or
//! [`LeaderboardCall`]; the answer is empty (an error is logged).

use serde::{Deserialize, Serialize};

use crate::api;

/// A tournament end or reset: the tournament as it was in the period that
/// ended, that period's end of activity and its reset (Unix seconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentCall {
    pub tournament: api::Tournament,
    /// When the period stopped taking scores.
    pub end: i64,
    /// When its records expire (0: never).
    pub reset: i64,
}

/// A leaderboard reset: the leaderboard, and the reset time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardCall {
    pub leaderboard: api::Leaderboard,
    pub reset: i64,
}
