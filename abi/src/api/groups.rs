//! Groups (clans, guilds): the group record, membership lists and the
//! group management requests.

use serde::{Deserialize, Serialize};

use super::account::User;
use super::serde_helpers::{is_false, is_zero};

/// A group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Group {
    /// Group id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// User who created it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub creator_id: String,
    /// Unique name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Language tag.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub lang_tag: String,
    /// Server-set metadata (JSON object in a string).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub metadata: String,
    /// Avatar image URL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub avatar_url: String,
    /// Whether anyone may join without approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    /// Current member count.
    #[serde(skip_serializing_if = "is_zero")]
    pub edge_count: i32,
    /// Member limit.
    #[serde(skip_serializing_if = "is_zero")]
    pub max_count: i32,
    /// When the group was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When the group was last changed (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// One page of groups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupList {
    /// The groups on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Group>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// A member of a group and their role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupUser {
    /// The member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Role, one of the `GroupUser::*` state constants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i32>,
}

impl GroupUser {
    /// Creator-level administrator.
    pub const SUPERADMIN: i32 = 0;
    /// Administrator.
    pub const ADMIN: i32 = 1;
    /// Ordinary member.
    pub const MEMBER: i32 = 2;
    /// Asked to join, not yet accepted.
    pub const JOIN_REQUEST: i32 = 3;
    /// Banned: kept out (listed only when this state is asked for).
    pub const BANNED: i32 = 4;
}

/// One page of a group's members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupUserList {
    /// The members on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_users: Vec<GroupUser>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// A group a user belongs to and their role in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserGroup {
    /// The group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Group>,
    /// Role, one of the `UserGroup::*` state constants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i32>,
}

impl UserGroup {
    /// Creator-level administrator.
    pub const SUPERADMIN: i32 = 0;
    /// Administrator.
    pub const ADMIN: i32 = 1;
    /// Ordinary member.
    pub const MEMBER: i32 = 2;
    /// Asked to join, not yet accepted.
    pub const JOIN_REQUEST: i32 = 3;
    /// Banned: kept out (listed only when this state is asked for).
    pub const BANNED: i32 = 4;
}

/// One page of a user's groups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserGroupList {
    /// The groups on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_groups: Vec<UserGroup>,
    /// Cursor for the next page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// Create a group with the caller as superadmin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateGroupRequest {
    /// Unique name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Language tag.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub lang_tag: String,
    /// Avatar image URL.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub avatar_url: String,
    /// Whether anyone may join without approval.
    #[serde(skip_serializing_if = "is_false")]
    pub open: bool,
    /// Member limit.
    #[serde(skip_serializing_if = "is_zero")]
    pub max_count: i32,
}

/// Change a group's fields; absent ones stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateGroupRequest {
    /// Group to change.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New language tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang_tag: Option<String>,
    /// New avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// New open flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
}

/// Delete a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteGroupRequest {
    /// Group to delete.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
}

/// Join (or ask to join) a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JoinGroupRequest {
    /// Group to join.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
}

/// Leave a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaveGroupRequest {
    /// Group to leave.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
}

/// Add users to a group (or accept their join requests).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddGroupUsersRequest {
    /// The group.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    /// Users to add.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
}

/// Ban users from a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BanGroupUsersRequest {
    /// The group.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    /// Users to ban.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
}

/// Kick users from a group (or decline their join requests).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KickGroupUsersRequest {
    /// The group.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    /// Users to kick.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
}

/// Raise members one role up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromoteGroupUsersRequest {
    /// The group.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    /// Users to promote.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
}

/// Lower members one role down.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DemoteGroupUsersRequest {
    /// The group.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    /// Users to demote.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_ids: Vec<String>,
}

/// Search groups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListGroupsRequest {
    /// Name filter (`%` wildcard at the end).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Language tag filter.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub lang_tag: String,
    /// Filter by member count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<i32>,
    /// Filter by open flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
}

/// List a group's members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListGroupUsersRequest {
    /// The group.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub group_id: String,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Only this role (see the `GroupUser::*` constants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// List the groups a user belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListUserGroupsRequest {
    /// The user.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Only this role (see the `UserGroup::*` constants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}
