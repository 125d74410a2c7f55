//! The arguments and answers of the friends nk functions (Nakama's
//! `FriendsList`, `FriendsOfFriendsList`, `FriendsAdd`, `FriendsDelete`,
//! `FriendsBlock` and `FriendMetadataUpdate`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api;

/// Arguments of `friends_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendsListArgs {
    /// Whose relationships.
    pub user_id: String,
    /// 1 to 1000.
    pub limit: i32,
    /// Only this state (`api::Friend::FRIEND`, `INVITE_SENT`,
    /// `INVITE_RECEIVED`, `BLOCKED`); `None`: all of them.
    pub state: Option<i32>,
    /// A cursor of an earlier page listed with the same state.
    pub cursor: String,
}

/// What `friends_list` answers: the relationships by state, then by when
/// they were formed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendsPage {
    pub friends: Vec<api::Friend>,
    /// Empty when there is no next page.
    pub cursor: String,
}

/// Arguments of `friends_of_friends_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendsOfFriendsListArgs {
    pub user_id: String,
    /// 1 to 1000.
    pub limit: i32,
    pub cursor: String,
}

/// What `friends_of_friends_list` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendsOfFriendsPage {
    pub friends_of_friends: Vec<api::FriendOfFriend>,
    /// Empty when there is no next page.
    pub cursor: String,
}

/// Arguments of `friends_add`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendsAddArgs {
    /// Who adds.
    pub user_id: String,
    /// Their username: the notifications name them by it, and a username
    /// equal to it is refused as adding oneself.
    pub username: String,
    pub ids: Vec<String>,
    pub usernames: Vec<String>,
    /// Kept on the adder's side of the relationship (merged into it when
    /// this accepts an invite).
    pub metadata: Map<String, Value>,
}

/// Arguments of `friends_delete` and `friends_block`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendsChangeArgs {
    pub user_id: String,
    /// Their username (a username equal to it is refused as oneself; a
    /// removal's notification names them by it).
    pub username: String,
    pub ids: Vec<String>,
    pub usernames: Vec<String>,
}

/// Arguments of `friend_metadata_update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendMetadataUpdateArgs {
    pub user_id: String,
    pub friend_user_id: String,
    /// Replaces the metadata of `user_id`'s side of the relationship.
    pub metadata: Map<String, Value>,
}
