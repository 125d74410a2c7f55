//! Chat channel history, plus the two messages of the client API that no
//! hook uses (`Event`, `Rpc`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::serde_helpers::is_false;

/// A chat message stored in a channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelMessage {
    /// Channel id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel_id: String,
    /// Message id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message_id: String,
    /// Message type code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// Sender id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sender_id: String,
    /// Sender's username.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// Content (JSON object in a string).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// When it was sent (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When it was last edited (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    /// Whether it was stored in history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent: Option<bool>,
    /// Room name, for room channels.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub room_name: String,
    /// Group id, for group channels.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    /// First user, for direct-message channels.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id_one: String,
    /// Second user, for direct-message channels.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id_two: String,
}

/// One page of channel history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelMessageList {
    /// The messages on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<ChannelMessage>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub next_cursor: String,
    /// Cursor for the previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prev_cursor: String,
    /// Cursor to fetch newer messages later.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cacheable_cursor: String,
}

/// List a channel's message history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListChannelMessagesRequest {
    /// Channel id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub channel_id: String,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Oldest first (true) or newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward: Option<bool>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// An analytics event sent by a client.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Event {
    /// Event name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Free-form properties.
    #[serde(skip_serializing_if = "HashMap::is_empty")]
    pub properties: HashMap<String, String>,
    /// When it happened (RFC 3339).
    #[serde(
        deserialize_with = "super::serde_helpers::timestamp::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<String>,
    /// Whether it came from a client (true) or the server.
    #[serde(skip_serializing_if = "is_false")]
    pub external: bool,
}

/// A custom RPC call (gRPC form).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rpc {
    /// RPC id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Payload text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub payload: String,
    /// Runtime HTTP key, for server-to-server calls.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub http_key: String,
}
