//! The matchmaker's "matched" hook on the wire (ABI 1.5).
//!
//! A module registers at most one handler of kind
//! [`crate::ffi::kind::MATCHMAKER_MATCHED`] (Nakama's
//! `RegisterMatchmakerMatched`). When the matchmaker forms a group, the host
//! calls it once with the group's tickets, one [`MatchmakerEntry`] per
//! matched user, as a JSON array. The handler answers the id of a match it
//! created for them (UTF-8 bytes) or nothing: empty bytes, or an error, and
//! the users get a token for a relayed match instead, as in Nakama.
//!
//! # Override and processor (ABI 1.9)
//!
//! [`crate::ffi::kind::MATCHMAKER_OVERRIDE`] (Nakama's
//! `RegisterMatchmakerOverride`) gets, in a pass that found any, every
//! candidate group the default matchmaker found (a JSON array of arrays of
//! entries: a ticket may be in several) and answers the groups to form, in
//! the same form. [`crate::ffi::kind::MATCHMAKER_PROCESSOR`]
//! (`RegisterMatchmakerProcessor`) replaces the grouping: it gets every
//! entry of every ticket in the pool (a JSON array) and answers the groups
//! the same way. Either way the host forms the answered groups in order; a
//! group with a ticket already gone (matched by an earlier group of the
//! answer, or removed meanwhile), or with an entry that was not in the
//! input ([`resolve_groups`]), is not formed; tickets not formed stay in
//! the pool. An error is an empty answer.

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

/// The entries of `given` (a call's input) that an override's or
/// processor's `answer` names, group by group: an entry is known by its
/// ticket and session. A group naming an entry that was not given is left
/// out, and its unknown entries named in the second list (for a
/// warning); so is an empty group. Hosts
/// form the groups from the entries they gave, whatever else the module
/// changed in its copies.
pub fn resolve_groups<'a>(
    given: impl IntoIterator<Item = &'a MatchmakerEntry>,
    answer: &[Vec<MatchmakerEntry>],
) -> (Vec<Vec<&'a MatchmakerEntry>>, Vec<String>) {
    let known: HashMap<(&str, &str), &'a MatchmakerEntry> = given
        .into_iter()
        .map(|e| ((e.ticket.as_str(), e.presence.session_id.as_str()), e))
        .collect();
    let mut unknown = Vec::new();
    let groups = answer
        .iter()
        .filter_map(|group| {
            let found: Vec<&'a MatchmakerEntry> = group
                .iter()
                .filter_map(|e| {
                    let hit = known.get(&(e.ticket.as_str(), e.presence.session_id.as_str()));
                    if hit.is_none() {
                        unknown.push(format!(
                            "ticket {} session {}",
                            e.ticket, e.presence.session_id
                        ));
                    }
                    hit.copied()
                })
                .collect();
            (found.len() == group.len() && !found.is_empty()).then_some(found)
        })
        .collect();
    (groups, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ticket: &str, session: &str) -> MatchmakerEntry {
        MatchmakerEntry {
            presence: Presence {
                session_id: session.into(),
                ..Default::default()
            },
            ticket: ticket.into(),
            ..Default::default()
        }
    }

    #[test]
    fn answers_resolve_to_the_given_entries_and_unknown_ones_drop_their_group() {
        let given = [entry("t1", "s1"), entry("t2", "s2"), entry("t2", "s3")];
        let mut changed = entry("t1", "s1");
        changed.party_id = "edited".into();
        let answer = vec![
            vec![changed, entry("t2", "s2")],
            vec![entry("t2", "s3"), entry("t9", "s1")],
            vec![],
        ];
        let (groups, unknown) = resolve_groups(&given, &answer);
        assert_eq!(groups, vec![vec![&given[0], &given[1]]]);
        assert_eq!(groups[0][0].party_id, "", "the host's own entry");
        assert_eq!(unknown, ["ticket t9 session s1"]);
    }

    #[test]
    fn entries_round_trip_and_leave_out_empty_fields() {
        let e = MatchmakerEntry {
            presence: Presence {
                user_id: "u".into(),
                session_id: "s".into(),
                username: "n".into(),
                node: "nakama".into(),
                ..Presence::default()
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
