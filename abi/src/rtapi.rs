//! The realtime messages a module can hook before and after (ABI 1.6):
//! what a client sends on its socket (nakama-common v1.47.0's `rtapi`
//! package) and what the server answers it, as plain serde structs.
//!
//! The JSON form is the one the realtime socket speaks (proto3 JSON with
//! proto field names), as the API structs in [`crate::api`]: fields at
//! their default are left out on output and may be missing on input,
//! unknown fields are ignored, `int64` fields are strings (numbers are
//! read too), bytes are base64, wrapper types (`BoolValue`,
//! `StringValue`, `Int32Value`) are `Option`s and timestamps RFC 3339
//! strings.
//!
//! A before hook gets the message and answers the message to go on with
//! (empty bytes: refuse it). An after hook runs once the server handled
//! the message successfully and gets `{"out": <answer>, "in": <message>}`,
//! `out` only for the messages that have an answer ([`AfterShape`]; the
//! SDK gives the hook the answer type's default when a host passes none,
//! as Nakama does for a `status_follow` that names nobody). Hook names are the message names (`ChannelJoin`); Nakama keys them in lower
//! case. `Rpc` has no hooks in Nakama (its RPC is the hook).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::api::serde_helpers::int64_str;
use crate::hooks::AfterShape;
use crate::matches::base64_bytes;

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Declares the message structs: every field is left out at its default.
macro_rules! messages {
    ($($(#[$m:meta])* $name:ident { $($(#[$f:meta])* $field:ident: $ty:ty),* $(,)? })*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
            #[serde(default)]
            pub struct $name {
                $(
                    $(#[$f])*
                    #[serde(skip_serializing_if = "is_default")]
                    pub $field: $ty,
                )*
            }
        )*
    };
}

messages! {
    /// A session as other sessions see it in a channel, match, party or
    /// status listing.
    UserPresence {
        user_id: String,
        session_id: String,
        username: String,
        /// Whether what it sends is stored.
        persistence: bool,
        /// Its status, when it shares one.
        status: Option<String>,
    }

    /// Join a chat channel.
    ChannelJoin {
        /// A room name, the other user's id, or a group id.
        target: String,
        /// [`ChannelJoin::ROOM`], [`ChannelJoin::DIRECT_MESSAGE`] or
        /// [`ChannelJoin::GROUP`].
        r#type: i32,
        /// Whether messages sent are stored (absent: yes).
        persistence: Option<bool>,
        /// Whether the session stays out of presence listings and events
        /// (absent: no).
        hidden: Option<bool>,
    }

    /// A joined channel (the answer to [`ChannelJoin`]).
    Channel {
        /// The channel id (`2...lobby`).
        id: String,
        /// The others in it.
        presences: Vec<UserPresence>,
        /// This session.
        #[serde(rename = "self")]
        self_: Option<UserPresence>,
        room_name: String,
        group_id: String,
        user_id_one: String,
        user_id_two: String,
    }

    /// Leave a chat channel.
    ChannelLeave {
        channel_id: String,
    }

    /// Send a chat message.
    ChannelMessageSend {
        channel_id: String,
        /// A JSON object, as text.
        content: String,
    }

    /// Change one of the session's own chat messages.
    ChannelMessageUpdate {
        channel_id: String,
        message_id: String,
        /// A JSON object, as text.
        content: String,
    }

    /// Remove one of the session's own chat messages.
    ChannelMessageRemove {
        channel_id: String,
        message_id: String,
    }

    /// A chat message sent, updated or removed (the answer to the three
    /// message requests).
    ChannelMessageAck {
        channel_id: String,
        message_id: String,
        /// 0 sent, 1 updated, 2 removed.
        code: Option<i32>,
        username: String,
        create_time: Option<String>,
        update_time: Option<String>,
        /// Whether it is stored.
        persistent: Option<bool>,
        room_name: String,
        group_id: String,
        user_id_one: String,
        user_id_two: String,
    }

    /// Create a relayed match (`name` makes its id from the name).
    MatchCreate {
        name: String,
    }

    /// Join a match by id or by a matchmaker token.
    MatchJoin {
        /// The match id (set this or `token`).
        match_id: Option<String>,
        /// A matchmaker token (set this or `match_id`).
        token: Option<String>,
        /// Passed to the match handler's join attempt.
        metadata: HashMap<String, String>,
    }

    /// A match joined or created (the answer to [`MatchCreate`] and
    /// [`MatchJoin`]).
    Match {
        match_id: String,
        authoritative: bool,
        label: Option<String>,
        size: i32,
        presences: Vec<UserPresence>,
        #[serde(rename = "self")]
        self_: Option<UserPresence>,
    }

    /// Leave a match.
    MatchLeave {
        match_id: String,
    }

    /// Send data to a match.
    MatchDataSend {
        match_id: String,
        #[serde(with = "int64_str")]
        op_code: i64,
        #[serde(with = "base64_bytes")]
        data: Vec<u8>,
        /// Only to these (relayed matches); empty: everyone.
        presences: Vec<UserPresence>,
        reliable: bool,
    }

    /// Ask the matchmaker for a match.
    MatchmakerAdd {
        min_count: i32,
        max_count: i32,
        query: String,
        string_properties: HashMap<String, String>,
        numeric_properties: HashMap<String, f64>,
        count_multiple: Option<i32>,
    }

    /// A matchmaker ticket (the answer to [`MatchmakerAdd`]).
    MatchmakerTicket {
        ticket: String,
    }

    /// Withdraw a matchmaker ticket.
    MatchmakerRemove {
        ticket: String,
    }

    /// An application-level ping.
    Ping {}

    /// The answer to [`Ping`] (a client may send one too).
    Pong {}

    /// Follow users' status.
    StatusFollow {
        user_ids: Vec<String>,
        usernames: Vec<String>,
    }

    /// The followed users online (the answer to [`StatusFollow`]).
    Status {
        presences: Vec<UserPresence>,
    }

    /// Stop following users' status.
    StatusUnfollow {
        user_ids: Vec<String>,
    }

    /// Set this session's status (absent: appear offline).
    StatusUpdate {
        status: Option<String>,
    }

    /// Create a party.
    PartyCreate {
        open: bool,
        max_size: i32,
        label: String,
        hidden: bool,
    }

    /// A party (the answer to [`PartyCreate`]).
    Party {
        party_id: String,
        open: bool,
        hidden: bool,
        max_size: i32,
        #[serde(rename = "self")]
        self_: Option<UserPresence>,
        leader: Option<UserPresence>,
        presences: Vec<UserPresence>,
        label: String,
    }

    /// Change a party's settings.
    PartyUpdate {
        party_id: String,
        label: String,
        open: bool,
        hidden: bool,
    }

    /// Join (or ask to join) a party.
    PartyJoin {
        party_id: String,
    }

    /// Leave a party.
    PartyLeave {
        party_id: String,
    }

    /// Make another member the party's leader.
    PartyPromote {
        party_id: String,
        presence: Option<UserPresence>,
    }

    /// Accept a request to join a closed party.
    PartyAccept {
        party_id: String,
        presence: Option<UserPresence>,
    }

    /// Remove a member, or refuse a join request.
    PartyRemove {
        party_id: String,
        presence: Option<UserPresence>,
    }

    /// Close a party.
    PartyClose {
        party_id: String,
    }

    /// List a closed party's join requests.
    PartyJoinRequestList {
        party_id: String,
    }

    /// A party's join requests (the answer to [`PartyJoinRequestList`]).
    PartyJoinRequest {
        party_id: String,
        presences: Vec<UserPresence>,
    }

    /// Ask the matchmaker for a match for the whole party.
    PartyMatchmakerAdd {
        party_id: String,
        min_count: i32,
        max_count: i32,
        query: String,
        string_properties: HashMap<String, String>,
        numeric_properties: HashMap<String, f64>,
        count_multiple: Option<i32>,
    }

    /// A party's matchmaker ticket (the answer to [`PartyMatchmakerAdd`]).
    PartyMatchmakerTicket {
        party_id: String,
        ticket: String,
    }

    /// Withdraw a party's matchmaker ticket.
    PartyMatchmakerRemove {
        party_id: String,
        ticket: String,
    }

    /// Send data to a party.
    PartyDataSend {
        party_id: String,
        #[serde(with = "int64_str")]
        op_code: i64,
        #[serde(with = "base64_bytes")]
        data: Vec<u8>,
    }
}

impl ChannelJoin {
    /// `type`: a room by name.
    pub const ROOM: i32 = 1;
    /// `type`: a direct chat with the user whose id is the target.
    pub const DIRECT_MESSAGE: i32 = 2;
    /// `type`: a group's channel.
    pub const GROUP: i32 = 3;
}

/// Calls `$m!` once with the table of hookable messages:
/// `(Name, MessageType, AnswerType, AfterShapeVariant)`, `()` where the
/// server answers nothing or an empty envelope, in the order of Nakama's
/// pipeline.
#[macro_export]
macro_rules! nakama_for_each_rt_hook {
    ($m:ident) => {
        $m! {
            (ChannelJoin, $crate::rtapi::ChannelJoin, $crate::rtapi::Channel, OutAndIn),
            (ChannelLeave, $crate::rtapi::ChannelLeave, (), InOnly),
            (ChannelMessageSend, $crate::rtapi::ChannelMessageSend, $crate::rtapi::ChannelMessageAck, OutAndIn),
            (ChannelMessageUpdate, $crate::rtapi::ChannelMessageUpdate, $crate::rtapi::ChannelMessageAck, OutAndIn),
            (ChannelMessageRemove, $crate::rtapi::ChannelMessageRemove, $crate::rtapi::ChannelMessageAck, OutAndIn),
            (MatchCreate, $crate::rtapi::MatchCreate, $crate::rtapi::Match, OutAndIn),
            (MatchDataSend, $crate::rtapi::MatchDataSend, (), InOnly),
            (MatchJoin, $crate::rtapi::MatchJoin, $crate::rtapi::Match, OutAndIn),
            (MatchLeave, $crate::rtapi::MatchLeave, (), InOnly),
            (MatchmakerAdd, $crate::rtapi::MatchmakerAdd, $crate::rtapi::MatchmakerTicket, OutAndIn),
            (MatchmakerRemove, $crate::rtapi::MatchmakerRemove, (), InOnly),
            (Ping, $crate::rtapi::Ping, $crate::rtapi::Pong, OutAndIn),
            (Pong, $crate::rtapi::Pong, (), InOnly),
            (StatusFollow, $crate::rtapi::StatusFollow, $crate::rtapi::Status, OutAndIn),
            (StatusUnfollow, $crate::rtapi::StatusUnfollow, (), InOnly),
            (StatusUpdate, $crate::rtapi::StatusUpdate, (), InOnly),
            (PartyCreate, $crate::rtapi::PartyCreate, $crate::rtapi::Party, OutAndIn),
            (PartyJoin, $crate::rtapi::PartyJoin, (), InOnly),
            (PartyLeave, $crate::rtapi::PartyLeave, (), InOnly),
            (PartyPromote, $crate::rtapi::PartyPromote, (), InOnly),
            (PartyAccept, $crate::rtapi::PartyAccept, (), InOnly),
            (PartyRemove, $crate::rtapi::PartyRemove, (), InOnly),
            (PartyClose, $crate::rtapi::PartyClose, (), InOnly),
            (PartyJoinRequestList, $crate::rtapi::PartyJoinRequestList, $crate::rtapi::PartyJoinRequest, OutAndIn),
            (PartyMatchmakerAdd, $crate::rtapi::PartyMatchmakerAdd, $crate::rtapi::PartyMatchmakerTicket, OutAndIn),
            (PartyMatchmakerRemove, $crate::rtapi::PartyMatchmakerRemove, (), InOnly),
            (PartyDataSend, $crate::rtapi::PartyDataSend, (), InOnly),
            (PartyUpdate, $crate::rtapi::PartyUpdate, (), InOnly),
        }
    };
}

macro_rules! define_rt_hooks {
    ($(($name:ident, $msg:ty, $out:ty, $shape:ident)),* $(,)?) => {
        crate::hooks::hook_markers!(true, "realtime message"; $(($name, $msg, $out, $shape)),*);

        /// Every hookable message's name, in the order of the table.
        pub const RT_HOOK_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// A hookable message's after shape, by name (exact, e.g.
        /// "ChannelJoin").
        pub fn after_shape(name: &str) -> Option<AfterShape> {
            match name {
                $(stringify!($name) => Some(AfterShape::$shape),)*
                _ => None,
            }
        }
    };
}

nakama_for_each_rt_hook!(define_rt_hooks);

/// Maps a message name in any letter case (Nakama keys hooks by the lower
/// case name, `channeljoin`) to its name in [`RT_HOOK_NAMES`].
pub fn canonical_name(id: &str) -> Option<&'static str> {
    RT_HOOK_NAMES
        .iter()
        .copied()
        .find(|name| name.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_proto_json_with_defaults_left_out() {
        let join = ChannelJoin {
            target: "lobby".into(),
            r#type: ChannelJoin::ROOM,
            persistence: Some(false),
            hidden: None,
        };
        let text = serde_json::to_string(&join).unwrap();
        assert_eq!(text, r#"{"target":"lobby","type":1,"persistence":false}"#);
        assert_eq!(serde_json::from_str::<ChannelJoin>(&text).unwrap(), join);

        let send = MatchDataSend {
            match_id: "m.".into(),
            op_code: 3,
            data: b"hi".to_vec(),
            ..Default::default()
        };
        let text = serde_json::to_string(&send).unwrap();
        assert_eq!(text, r#"{"match_id":"m.","op_code":"3","data":"aGk="}"#);
        // Numbers for int64 are read too, unknown fields ignored.
        let read: MatchDataSend =
            serde_json::from_str(r#"{"match_id":"m.","op_code":3,"data":"aGk=","x":1}"#).unwrap();
        assert_eq!(read, send);

        let channel = Channel {
            id: "2...lobby".into(),
            self_: Some(UserPresence {
                user_id: "u".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&channel).unwrap(),
            r#"{"id":"2...lobby","self":{"user_id":"u"}}"#
        );
        assert_eq!(serde_json::to_string(&Ping {}).unwrap(), "{}");
    }

    #[test]
    fn hook_names_are_unique_and_found_in_any_case() {
        let mut names = RT_HOOK_NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RT_HOOK_NAMES.len());
        assert_eq!(RT_HOOK_NAMES.len(), 28);
        assert_eq!(canonical_name("channeljoin"), Some("ChannelJoin"));
        assert_eq!(
            canonical_name("Rpc"),
            None,
            "Nakama has no RPC message hooks"
        );
        assert_eq!(after_shape("ChannelLeave"), Some(AfterShape::InOnly));
        assert_eq!(after_shape("MatchmakerAdd"), Some(AfterShape::OutAndIn));
        // No name is also an API hook's: the SDK's attributes tell them apart
        // anyway, but a reader of logs should not have to.
        for n in RT_HOOK_NAMES {
            assert_eq!(crate::hooks::canonical_name(n), None, "{n}");
        }
    }
}
