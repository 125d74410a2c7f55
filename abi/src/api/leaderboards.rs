//! Leaderboards, their records, and the record list/write/delete requests.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{enum_i32, int64_str, is_false, is_zero, opt_int64_str};

/// How a new score combines with a stored one (proto enum `Operator`).
pub mod operator {
    /// Use the leaderboard's own operator.
    pub const NO_OVERRIDE: i32 = 0;
    /// Keep the better score.
    pub const BEST: i32 = 1;
    /// Replace the score.
    pub const SET: i32 = 2;
    /// Add to the score.
    pub const INCREMENT: i32 = 3;
    /// Subtract from the score.
    pub const DECREMENT: i32 = 4;

    /// Every name with its number.
    pub const NAMES: &[(&str, i32)] = &[
        ("NO_OVERRIDE", NO_OVERRIDE),
        ("BEST", BEST),
        ("SET", SET),
        ("INCREMENT", INCREMENT),
        ("DECREMENT", DECREMENT),
    ];

    /// Reads the field from its number or its name.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
        super::enum_i32(d, NAMES)
    }
}

/// A leaderboard's settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Leaderboard {
    /// Leaderboard id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Sort order: 0 ascending, 1 descending.
    #[serde(skip_serializing_if = "is_zero")]
    pub sort_order: u32,
    /// Score operator (see [`operator`]).
    #[serde(
        deserialize_with = "operator::deserialize",
        skip_serializing_if = "is_zero"
    )]
    pub operator: i32,
    /// Last reset (Unix seconds).
    #[serde(skip_serializing_if = "is_zero")]
    pub prev_reset: u32,
    /// Next reset (Unix seconds).
    #[serde(skip_serializing_if = "is_zero")]
    pub next_reset: u32,
    /// Metadata (JSON object in a string).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// Whether only the server may submit scores.
    #[serde(skip_serializing_if = "is_false")]
    pub authoritative: bool,
}

/// One page of leaderboards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardList {
    /// The leaderboards on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leaderboards: Vec<Leaderboard>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// One owner's record on a leaderboard or tournament.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardRecord {
    /// Leaderboard (or tournament) id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub leaderboard_id: String,
    /// Owner id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub owner_id: String,
    /// Owner's username.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Score.
    #[serde(with = "int64_str", skip_serializing_if = "is_zero")]
    pub score: i64,
    /// Subscore (tie breaker).
    #[serde(with = "int64_str", skip_serializing_if = "is_zero")]
    pub subscore: i64,
    /// How many times the owner has submitted.
    #[serde(skip_serializing_if = "is_zero")]
    pub num_score: i32,
    /// Metadata (JSON object in a string).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When it was last changed (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    /// When it expires (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_time: Option<String>,
    /// Position in the ranking.
    #[serde(with = "int64_str", skip_serializing_if = "is_zero")]
    pub rank: i64,
    /// Submission limit (tournaments).
    #[serde(skip_serializing_if = "is_zero")]
    pub max_num_score: u32,
}

/// One page of leaderboard records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardRecordList {
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

/// Delete the caller's record on a leaderboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteLeaderboardRecordRequest {
    /// Leaderboard id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub leaderboard_id: String,
}

/// List records of a leaderboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListLeaderboardRecordsRequest {
    /// Leaderboard id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub leaderboard_id: String,
    /// Also answer these owners' records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owner_ids: Vec<String>,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
    /// List records as of this expiry (Unix seconds); 0 means now.
    #[serde(with = "opt_int64_str", skip_serializing_if = "Option::is_none")]
    pub expiry: Option<i64>,
}

/// List leaderboard records around one owner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListLeaderboardRecordsAroundOwnerRequest {
    /// Leaderboard id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub leaderboard_id: String,
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

/// The score part of a leaderboard write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardRecordWrite {
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

/// Submit a score to a leaderboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WriteLeaderboardRecordRequest {
    /// Leaderboard id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub leaderboard_id: String,
    /// The score to submit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<LeaderboardRecordWrite>,
}
