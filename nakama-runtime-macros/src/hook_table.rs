//! The client API calls and the realtime messages a module can hook, and
//! what their hooks receive. Mirrors `nakama_runtime_abi::hooks` and
//! `nakama_runtime_abi::rtapi` (a test in the ABI crate checks that they
//! agree).

/// What an after hook receives, besides ctx and nk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    OutAndIn,
    InOnly,
    OutOnly,
    Nothing,
}

#[derive(Debug)]
pub struct HookInfo {
    pub name: &'static str,
    /// Whether the before hook receives (and returns) a request.
    pub before_input: bool,
    pub after: After,
    /// The request type, as written in `nakama_runtime::api` or
    /// `nakama_runtime::rtapi` (for messages).
    pub request: &'static str,
    /// The response type.
    pub response: &'static str,
}

macro_rules! table {
    ($table:ident; $(($name:ident, $input:literal, $after:ident, $req:literal, $resp:literal),)*) => {
        pub static $table: &[HookInfo] = &[$(HookInfo {
            name: stringify!($name),
            before_input: $input,
            after: After::$after,
            request: $req,
            response: $resp,
        }),*];
    };
}

table! {
    HOOKS;
    (GetAccount, false, OutOnly, "()", "api::Account"),
    (UpdateAccount, true, InOnly, "api::UpdateAccountRequest", "()"),
    (DeleteAccount, false, Nothing, "()", "()"),
    (SessionRefresh, true, OutAndIn, "api::SessionRefreshRequest", "api::Session"),
    (SessionLogout, true, InOnly, "api::SessionLogoutRequest", "()"),
    (AuthenticateApple, true, OutAndIn, "api::AuthenticateAppleRequest", "api::Session"),
    (AuthenticateCustom, true, OutAndIn, "api::AuthenticateCustomRequest", "api::Session"),
    (AuthenticateDevice, true, OutAndIn, "api::AuthenticateDeviceRequest", "api::Session"),
    (AuthenticateEmail, true, OutAndIn, "api::AuthenticateEmailRequest", "api::Session"),
    (AuthenticateFacebook, true, OutAndIn, "api::AuthenticateFacebookRequest", "api::Session"),
    (AuthenticateFacebookInstantGame, true, OutAndIn, "api::AuthenticateFacebookInstantGameRequest", "api::Session"),
    (AuthenticateGameCenter, true, OutAndIn, "api::AuthenticateGameCenterRequest", "api::Session"),
    (AuthenticateGoogle, true, OutAndIn, "api::AuthenticateGoogleRequest", "api::Session"),
    (AuthenticateSteam, true, OutAndIn, "api::AuthenticateSteamRequest", "api::Session"),
    (ListChannelMessages, true, OutAndIn, "api::ListChannelMessagesRequest", "api::ChannelMessageList"),
    (ListFriends, true, OutOnly, "api::ListFriendsRequest", "api::FriendList"),
    (ListFriendsOfFriends, true, OutOnly, "api::ListFriendsOfFriendsRequest", "api::FriendsOfFriendsList"),
    (AddFriends, true, InOnly, "api::AddFriendsRequest", "()"),
    (DeleteFriends, true, InOnly, "api::DeleteFriendsRequest", "()"),
    (BlockFriends, true, InOnly, "api::BlockFriendsRequest", "()"),
    (ImportFacebookFriends, true, InOnly, "api::ImportFacebookFriendsRequest", "()"),
    (ImportSteamFriends, true, InOnly, "api::ImportSteamFriendsRequest", "()"),
    (CreateGroup, true, OutAndIn, "api::CreateGroupRequest", "api::Group"),
    (UpdateGroup, true, InOnly, "api::UpdateGroupRequest", "()"),
    (DeleteGroup, true, InOnly, "api::DeleteGroupRequest", "()"),
    (JoinGroup, true, InOnly, "api::JoinGroupRequest", "()"),
    (LeaveGroup, true, InOnly, "api::LeaveGroupRequest", "()"),
    (AddGroupUsers, true, InOnly, "api::AddGroupUsersRequest", "()"),
    (BanGroupUsers, true, InOnly, "api::BanGroupUsersRequest", "()"),
    (KickGroupUsers, true, InOnly, "api::KickGroupUsersRequest", "()"),
    (PromoteGroupUsers, true, InOnly, "api::PromoteGroupUsersRequest", "()"),
    (DemoteGroupUsers, true, InOnly, "api::DemoteGroupUsersRequest", "()"),
    (ListGroupUsers, true, OutAndIn, "api::ListGroupUsersRequest", "api::GroupUserList"),
    (ListUserGroups, true, OutAndIn, "api::ListUserGroupsRequest", "api::UserGroupList"),
    (ListGroups, true, OutAndIn, "api::ListGroupsRequest", "api::GroupList"),
    (DeleteLeaderboardRecord, true, InOnly, "api::DeleteLeaderboardRecordRequest", "()"),
    (DeleteTournamentRecord, true, InOnly, "api::DeleteTournamentRecordRequest", "()"),
    (ListLeaderboardRecords, true, OutAndIn, "api::ListLeaderboardRecordsRequest", "api::LeaderboardRecordList"),
    (WriteLeaderboardRecord, true, OutAndIn, "api::WriteLeaderboardRecordRequest", "api::LeaderboardRecord"),
    (ListLeaderboardRecordsAroundOwner, true, OutAndIn, "api::ListLeaderboardRecordsAroundOwnerRequest", "api::LeaderboardRecordList"),
    (LinkApple, true, InOnly, "api::AccountApple", "()"),
    (LinkCustom, true, InOnly, "api::AccountCustom", "()"),
    (LinkDevice, true, InOnly, "api::AccountDevice", "()"),
    (LinkEmail, true, InOnly, "api::AccountEmail", "()"),
    (LinkFacebook, true, InOnly, "api::LinkFacebookRequest", "()"),
    (LinkFacebookInstantGame, true, InOnly, "api::AccountFacebookInstantGame", "()"),
    (LinkGameCenter, true, InOnly, "api::AccountGameCenter", "()"),
    (LinkGoogle, true, InOnly, "api::AccountGoogle", "()"),
    (LinkSteam, true, InOnly, "api::LinkSteamRequest", "()"),
    (ListMatches, true, OutAndIn, "api::ListMatchesRequest", "api::MatchList"),
    (GetMatchmakerStats, false, OutOnly, "()", "api::MatchmakerStats"),
    (ListNotifications, true, OutAndIn, "api::ListNotificationsRequest", "api::NotificationList"),
    (DeleteNotifications, true, InOnly, "api::DeleteNotificationsRequest", "()"),
    (ListStorageObjects, true, OutAndIn, "api::ListStorageObjectsRequest", "api::StorageObjectList"),
    (ReadStorageObjects, true, OutAndIn, "api::ReadStorageObjectsRequest", "api::StorageObjects"),
    (WriteStorageObjects, true, OutAndIn, "api::WriteStorageObjectsRequest", "api::StorageObjectAcks"),
    (DeleteStorageObjects, true, InOnly, "api::DeleteStorageObjectsRequest", "()"),
    (JoinTournament, true, InOnly, "api::JoinTournamentRequest", "()"),
    (ListTournamentRecords, true, OutAndIn, "api::ListTournamentRecordsRequest", "api::TournamentRecordList"),
    (ListTournaments, true, OutAndIn, "api::ListTournamentsRequest", "api::TournamentList"),
    (WriteTournamentRecord, true, OutAndIn, "api::WriteTournamentRecordRequest", "api::LeaderboardRecord"),
    (ListTournamentRecordsAroundOwner, true, OutAndIn, "api::ListTournamentRecordsAroundOwnerRequest", "api::TournamentRecordList"),
    (ValidatePurchaseApple, true, OutAndIn, "api::ValidatePurchaseAppleRequest", "api::ValidatePurchaseResponse"),
    (ValidateSubscriptionApple, true, OutAndIn, "api::ValidateSubscriptionAppleRequest", "api::ValidateSubscriptionResponse"),
    (ValidatePurchaseGoogle, true, OutAndIn, "api::ValidatePurchaseGoogleRequest", "api::ValidatePurchaseResponse"),
    (ValidateSubscriptionGoogle, true, OutAndIn, "api::ValidateSubscriptionGoogleRequest", "api::ValidateSubscriptionResponse"),
    (ValidatePurchaseHuawei, true, OutAndIn, "api::ValidatePurchaseHuaweiRequest", "api::ValidatePurchaseResponse"),
    (ValidatePurchaseFacebookInstant, true, OutAndIn, "api::ValidatePurchaseFacebookInstantRequest", "api::ValidatePurchaseResponse"),
    (ValidatePurchaseSamsung, true, OutAndIn, "api::ValidatePurchaseSamsungRequest", "api::ValidatePurchaseResponse"),
    (ListSubscriptions, true, OutAndIn, "api::ListSubscriptionsRequest", "api::SubscriptionList"),
    (GetSubscription, true, OutAndIn, "api::GetSubscriptionRequest", "api::ValidatedSubscription"),
    (UnlinkApple, true, InOnly, "api::AccountApple", "()"),
    (UnlinkCustom, true, InOnly, "api::AccountCustom", "()"),
    (UnlinkDevice, true, InOnly, "api::AccountDevice", "()"),
    (UnlinkEmail, true, InOnly, "api::AccountEmail", "()"),
    (UnlinkFacebook, true, InOnly, "api::AccountFacebook", "()"),
    (UnlinkFacebookInstantGame, true, InOnly, "api::AccountFacebookInstantGame", "()"),
    (UnlinkGameCenter, true, InOnly, "api::AccountGameCenter", "()"),
    (UnlinkGoogle, true, InOnly, "api::AccountGoogle", "()"),
    (UnlinkSteam, true, InOnly, "api::AccountSteam", "()"),
    (GetUsers, true, OutAndIn, "api::GetUsersRequest", "api::Users"),
    (ListParties, true, OutAndIn, "api::ListPartiesRequest", "api::PartyList"),
}

table! {
    RT_HOOKS;
    (ChannelJoin, true, OutAndIn, "rtapi::ChannelJoin", "rtapi::Channel"),
    (ChannelLeave, true, InOnly, "rtapi::ChannelLeave", "()"),
    (ChannelMessageSend, true, OutAndIn, "rtapi::ChannelMessageSend", "rtapi::ChannelMessageAck"),
    (ChannelMessageUpdate, true, OutAndIn, "rtapi::ChannelMessageUpdate", "rtapi::ChannelMessageAck"),
    (ChannelMessageRemove, true, OutAndIn, "rtapi::ChannelMessageRemove", "rtapi::ChannelMessageAck"),
    (MatchCreate, true, OutAndIn, "rtapi::MatchCreate", "rtapi::Match"),
    (MatchDataSend, true, InOnly, "rtapi::MatchDataSend", "()"),
    (MatchJoin, true, OutAndIn, "rtapi::MatchJoin", "rtapi::Match"),
    (MatchLeave, true, InOnly, "rtapi::MatchLeave", "()"),
    (MatchmakerAdd, true, OutAndIn, "rtapi::MatchmakerAdd", "rtapi::MatchmakerTicket"),
    (MatchmakerRemove, true, InOnly, "rtapi::MatchmakerRemove", "()"),
    (Ping, true, OutAndIn, "rtapi::Ping", "rtapi::Pong"),
    (Pong, true, InOnly, "rtapi::Pong", "()"),
    (StatusFollow, true, OutAndIn, "rtapi::StatusFollow", "rtapi::Status"),
    (StatusUnfollow, true, InOnly, "rtapi::StatusUnfollow", "()"),
    (StatusUpdate, true, InOnly, "rtapi::StatusUpdate", "()"),
    (PartyCreate, true, OutAndIn, "rtapi::PartyCreate", "rtapi::Party"),
    (PartyJoin, true, InOnly, "rtapi::PartyJoin", "()"),
    (PartyLeave, true, InOnly, "rtapi::PartyLeave", "()"),
    (PartyPromote, true, InOnly, "rtapi::PartyPromote", "()"),
    (PartyAccept, true, InOnly, "rtapi::PartyAccept", "()"),
    (PartyRemove, true, InOnly, "rtapi::PartyRemove", "()"),
    (PartyClose, true, InOnly, "rtapi::PartyClose", "()"),
    (PartyJoinRequestList, true, OutAndIn, "rtapi::PartyJoinRequestList", "rtapi::PartyJoinRequest"),
    (PartyMatchmakerAdd, true, OutAndIn, "rtapi::PartyMatchmakerAdd", "rtapi::PartyMatchmakerTicket"),
    (PartyMatchmakerRemove, true, InOnly, "rtapi::PartyMatchmakerRemove", "()"),
    (PartyDataSend, true, InOnly, "rtapi::PartyDataSend", "()"),
    (PartyUpdate, true, InOnly, "rtapi::PartyUpdate", "()"),
}

pub fn find(table: &'static [HookInfo], name: &str) -> Option<&'static HookInfo> {
    table.iter().find(|h| h.name == name)
}

pub fn find_ignoring_case(table: &'static [HookInfo], name: &str) -> Option<&'static HookInfo> {
    let squash = |s: &str| s.replace('_', "").to_ascii_lowercase();
    table.iter().find(|h| squash(h.name) == squash(name))
}

pub fn names(table: &'static [HookInfo]) -> Vec<&'static str> {
    table.iter().map(|h| h.name).collect()
}
