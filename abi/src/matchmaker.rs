//! The matchmaker's "matched" hook on the wire (ABI 1.5).
//!
//! A module registers at most one handler of kind
//! [`crate::ffi::kind::MATCHMAKER_MATCHED`] (Nakama's
//! `RegisterMatchmakerMatched`). When the matchmaker forms a group, the host
//! calls it once with the group's tickets, one [`MatchmakerEntry`] per
//! matched user, as a JSON array. The handler answers the id of a match it
//! created for them (UTF-8 bytes) or nothing: empty bytes, or an error, and
//! the users get a token for a relayed match instead, as in Nakama.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::matches::Presence;

/// One matched user: their presence, their ticket and what the ticket
/// said about them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchmakerEntry {
    pub presence: Presence,
    /// The matchmaker ticket this user was matched on (a party's members
    /// share one).
    pub ticket: String,
    /// The ticket's string properties.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub string_properties: HashMap<String, String>,
    /// The ticket's numeric properties.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub numeric_properties: HashMap<String, f64>,
    /// The party the ticket was made for, empty for a single user.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub party_id: String,
    /// When the ticket was made, in Unix nanoseconds.
    pub create_time: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_leave_out_empty_fields() {
        let e = MatchmakerEntry {
            presence: Presence {
                user_id: "u".into(),
                session_id: "s".into(),
                username: "n".into(),
                node: "nakama".into(),
            },
            ticket: "t".into(),
            numeric_properties: HashMap::from([("rank".to_string(), 7.5)]),
            create_time: 12,
            ..Default::default()
        };
        let json = serde_json::to_string(&[&e]).unwrap();
        assert!(!json.contains("party_id"), "{json}");
        assert!(!json.contains("string_properties"), "{json}");
        assert!(json.contains(r#""rank":7.5"#), "{json}");
        let back: Vec<MatchmakerEntry> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![e]);
    }
}
