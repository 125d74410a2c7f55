//! Friends: listing, adding, removing, blocking and importing.

use serde::{Deserialize, Serialize};

use super::account::{AccountFacebook, AccountSteam, User};

/// A relationship between the caller and another user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Friend {
    /// The other user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Relationship state, one of the `Friend::*` state constants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i32>,
    /// When the relationship last changed (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    /// Metadata attached when the friend was added.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
}

impl Friend {
    /// Mutual friends.
    pub const FRIEND: i32 = 0;
    /// The caller sent an invite not yet accepted.
    pub const INVITE_SENT: i32 = 1;
    /// The caller received an invite not yet accepted.
    pub const INVITE_RECEIVED: i32 = 2;
    /// The caller blocked this user.
    pub const BLOCKED: i32 = 3;
}

/// One page of the caller's friends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendList {
    /// The friends on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub friends: Vec<Friend>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// A friend of one of the caller's friends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendOfFriend {
    /// The caller's friend through whom this user was found.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub referrer: String,
    /// The user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

/// One page of friends of friends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendsOfFriendsList {
    /// The users on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub friends_of_friends: Vec<FriendOfFriend>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// List the caller's friends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListFriendsRequest {
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Only this relationship state (see the `Friend::*` constants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// List friends of the caller's friends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListFriendsOfFriendsRequest {
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// Add friends (send or accept invites) by id or username.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddFriendsRequest {
    /// User ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Usernames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<String>,
    /// Metadata to attach to the relationship (JSON object in a string).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
}

/// Remove friends by id or username.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteFriendsRequest {
    /// User ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Usernames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<String>,
}

/// Block users by id or username.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockFriendsRequest {
    /// User ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Usernames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub usernames: Vec<String>,
}

/// Import Facebook friends who also play.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportFacebookFriendsRequest {
    /// The Facebook token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountFacebook>,
    /// Drop earlier imported friends first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset: Option<bool>,
}

/// Import Steam friends who also play.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportSteamFriendsRequest {
    /// The Steam ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountSteam>,
    /// Drop earlier imported friends first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset: Option<bool>,
}
