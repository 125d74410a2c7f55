//! The arguments and answers of the stream and session nk functions
//! (Nakama's `StreamUserList`, `StreamUserGet`, `StreamUserJoin`,
//! `StreamUserUpdate`, `StreamUserLeave`, `StreamUserKick`, `StreamCount`,
//! `StreamClose`, `StreamSend`, `StreamSendRaw`, `SessionDisconnect` and
//! `SessionLogout`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::matches::Presence;

/// A presence stream, as Nakama's tracker keys them: a mode and up to
/// three names. Nakama's own modes are 0 (notifications), 1 (status), 2
/// (chat room), 3 (group chat), 4 (direct chat), 5 (relayed match), 6
/// (authoritative match) and 7 (party); any other mode is the module's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Stream {
    pub mode: u8,
    /// Empty, or a UUID.
    pub subject: String,
    /// Empty, or a UUID.
    pub subcontext: String,
    pub label: String,
}

impl Stream {
    /// A stream of `mode` named by `label` alone.
    pub fn labelled(mode: u8, label: impl Into<String>) -> Stream {
        Stream {
            mode,
            label: label.into(),
            ..Stream::default()
        }
    }
}

/// Why a presence is where it is (Nakama's `runtime.PresenceReason`): the
/// numbers of [`crate::matches::PresenceReason`].
pub mod reason {
    use crate::matches::PresenceReason;

    pub const UNKNOWN: u8 = PresenceReason::Unknown as u8;
    pub const JOIN: u8 = PresenceReason::Join as u8;
    pub const UPDATE: u8 = PresenceReason::Update as u8;
    pub const LEAVE: u8 = PresenceReason::Leave as u8;
    pub const DISCONNECT: u8 = PresenceReason::Disconnect as u8;
}

/// A presence on a stream, as `stream_user_list` lists it (Nakama's
/// `runtime.Presence`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamPresence {
    pub user_id: String,
    pub session_id: String,
    /// The node the session is connected to.
    pub node: String,
    pub username: String,
    pub hidden: bool,
    pub persistence: bool,
    pub status: String,
    /// [`reason`]: `JOIN`, or `UPDATE` after a `stream_user_update`.
    pub reason: u8,
}

/// What `stream_user_get` answers of a presence (Nakama's
/// `runtime.PresenceMeta`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PresenceMeta {
    pub username: String,
    pub hidden: bool,
    pub persistence: bool,
    pub status: String,
    /// [`reason`].
    pub reason: u8,
}

/// Arguments of `stream_count` and `stream_close`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamArgs {
    pub stream: Stream,
}

/// Arguments of `stream_user_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamUserListArgs {
    pub stream: Stream,
    pub include_hidden: bool,
    pub include_not_hidden: bool,
}

/// Arguments of `stream_user_get`, `stream_user_leave` and
/// `stream_user_kick`: one session of one user on a stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamUserArgs {
    pub stream: Stream,
    pub user_id: String,
    pub session_id: String,
}

/// Arguments of `stream_user_join` and `stream_user_update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamUserJoinArgs {
    pub stream: Stream,
    pub user_id: String,
    /// A socket session of this node.
    pub session_id: String,
    /// Not listed by default, and no presence events.
    pub hidden: bool,
    pub persistence: bool,
    pub status: String,
}

/// Arguments of `stream_send`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamSendArgs {
    pub stream: Stream,
    pub data: String,
    /// Only these sessions (their `session_id`, and `node`: empty for this
    /// one), whether on the stream or not; empty: everyone on the stream.
    pub presences: Vec<Presence>,
    pub reliable: bool,
}

/// Arguments of `stream_send_raw`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StreamSendRawArgs {
    pub stream: Stream,
    /// A realtime envelope in the socket's JSON form (`{"notifications":
    /// {...}}`, `{"stream_data": {...}}`, ...).
    pub envelope: Value,
    /// As [`StreamSendArgs::presences`].
    pub presences: Vec<Presence>,
    pub reliable: bool,
}

/// Arguments of `session_disconnect`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionDisconnectArgs {
    pub session_id: String,
    /// A [`reason`] for the session's leaves; `None`: `DISCONNECT`.
    pub reason: Option<u8>,
}

/// Arguments of `session_logout`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionLogoutArgs {
    pub user_id: String,
    /// A session token of the user's to invalidate; empty with an empty
    /// `refresh_token`: all of the user's sessions.
    pub token: String,
    pub refresh_token: String,
}
