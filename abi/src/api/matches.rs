//! Match listing, matchmaker statistics and party listing.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{is_false, is_zero};

/// A running match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Match {
    /// Match id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub match_id: String,
    /// Whether the server runs the match logic.
    #[serde(skip_serializing_if = "is_false")]
    pub authoritative: bool,
    /// Match label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Number of players in it.
    #[serde(skip_serializing_if = "is_zero")]
    pub size: i32,
    /// Ticks per second (authoritative matches).
    #[serde(skip_serializing_if = "is_zero")]
    pub tick_rate: i32,
    /// Name of the registered match handler.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub handler_name: String,
}

/// Matches found by a listing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchList {
    /// The matches.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<Match>,
}

/// Search running matches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListMatchesRequest {
    /// Most matches to answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Only authoritative (or only relayed) matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authoritative: Option<bool>,
    /// Exact label filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Smallest player count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_size: Option<i32>,
    /// Largest player count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_size: Option<i32>,
    /// Label search query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// Timing of one completed matchmaker ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchmakerCompletionStats {
    /// When the ticket was made (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When it was matched (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete_time: Option<String>,
}

/// Matchmaker statistics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchmakerStats {
    /// Tickets waiting now.
    #[serde(skip_serializing_if = "is_zero")]
    pub ticket_count: i32,
    /// When the oldest waiting ticket was made (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest_ticket_create_time: Option<String>,
    /// Recently completed tickets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub completions: Vec<MatchmakerCompletionStats>,
}

/// A party found by a listing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Party {
    /// Party id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub party_id: String,
    /// Whether anyone may join without approval.
    #[serde(skip_serializing_if = "is_false")]
    pub open: bool,
    /// Whether it is hidden from listings.
    #[serde(skip_serializing_if = "is_false")]
    pub hidden: bool,
    /// Member limit.
    #[serde(skip_serializing_if = "is_zero")]
    pub max_size: i32,
    /// Party label.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
}

/// One page of parties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartyList {
    /// The parties on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<Party>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// Search parties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListPartiesRequest {
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Only open (or only closed) parties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    /// Label search query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
