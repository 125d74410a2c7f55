//! Tournaments and their record requests.

use serde::{Deserialize, Serialize};

use super::leaderboards::{operator, LeaderboardRecord};
use super::serde_helpers::{int64_str, is_false, is_zero, opt_int64_str};

/// A tournament's settings and state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tournament {
    /// Tournament id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Title.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Category number (0..127).
    #[serde(skip_serializing_if = "is_zero")]
    pub category: u32,
    /// Sort order: 0 ascending, 1 descending.
    #[serde(skip_serializing_if = "is_zero")]
    pub sort_order: u32,
    /// Current number of participants.
    #[serde(skip_serializing_if = "is_zero")]
    pub size: u32,
    /// Participant limit.
    #[serde(skip_serializing_if = "is_zero")]
    pub max_size: u32,
    /// Submission limit per participant.
    #[serde(skip_serializing_if = "is_zero")]
    pub max_num_score: u32,
    /// Whether the tournament accepts new entries now.
    #[serde(skip_serializing_if = "is_false")]
    pub can_enter: bool,
    /// End of the current active period (Unix seconds).
    #[serde(skip_serializing_if = "is_zero")]
    pub end_active: u32,
    /// Next reset (Unix seconds).
    #[serde(skip_serializing_if = "is_zero")]
    pub next_reset: u32,
    /// Metadata (JSON object in a string).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When it starts (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// When it ends for good (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// Length of each active period, in seconds.
    #[serde(skip_serializing_if = "is_zero")]
    pub duration: u32,
    /// Start of the current active period (Unix seconds).
    #[serde(skip_serializing_if = "is_zero")]
    pub start_active: u32,
    /// Last reset (Unix seconds).
    #[serde(skip_serializing_if = "is_zero")]
    pub prev_reset: u32,
    /// Score operator (see [`operator`]).
    #[serde(
        deserialize_with = "operator::deserialize",
        skip_serializing_if = "is_zero"
    )]
    pub operator: i32,
    /// Whether only the server may submit scores.
    #[serde(skip_serializing_if = "is_false")]
    pub authoritative: bool,
    /// Whether players must join before submitting.
    #[serde(skip_serializing_if = "is_false")]
    pub join_required: bool,
}

/// One page of tournaments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentList {
    /// The tournaments on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tournaments: Vec<Tournament>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// One page of tournament records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentRecordList {
    /// Records on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<LeaderboardRecord>,
    /// Records of the owners asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owner_records: Vec<LeaderboardRecord>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub next_cursor: String,
    /// Cursor for the previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prev_cursor: String,
    /// Total number of ranked records.
    #[serde(with = "int64_str", skip_serializing_if = "is_zero")]
    pub rank_count: i64,
}

/// Delete the caller's record in a tournament.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteTournamentRecordRequest {
    /// Tournament id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tournament_id: String,
}

/// Join a tournament.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JoinTournamentRequest {
    /// Tournament id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tournament_id: String,
}

/// Search tournaments by category and time window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListTournamentsRequest {
    /// Lowest category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_start: Option<u32>,
    /// Highest category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_end: Option<u32>,
    /// Earliest start (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<u32>,
    /// Latest end (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<u32>,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// List records of a tournament.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListTournamentRecordsRequest {
    /// Tournament id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tournament_id: String,
    /// Also answer these owners' records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owner_ids: Vec<String>,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
    /// List records as of this expiry (Unix seconds).
    #[serde(with = "opt_int64_str", skip_serializing_if = "Option::is_none")]
    pub expiry: Option<i64>,
}

/// List tournament records around one owner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListTournamentRecordsAroundOwnerRequest {
    /// Tournament id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tournament_id: String,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The owner to centre on.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owner_id: String,
    /// List records as of this expiry (Unix seconds).
    #[serde(with = "opt_int64_str", skip_serializing_if = "Option::is_none")]
    pub expiry: Option<i64>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// The score part of a tournament write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentRecordWrite {
    /// Score.
    #[serde(with = "int64_str", skip_serializing_if = "is_zero")]
    pub score: i64,
    /// Subscore.
    #[serde(with = "int64_str", skip_serializing_if = "is_zero")]
    pub subscore: i64,
    /// Metadata (JSON object in a string).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// Operator override (see [`operator`]).
    #[serde(
        deserialize_with = "operator::deserialize",
        skip_serializing_if = "is_zero"
    )]
    pub operator: i32,
}

/// Submit a score to a tournament.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WriteTournamentRecordRequest {
    /// Tournament id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tournament_id: String,
    /// The score to submit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<TournamentRecordWrite>,
}
