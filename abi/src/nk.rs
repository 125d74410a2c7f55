//! The nk functions (Nakama's `NakamaModule`) a module can call, as data.
//!
//! Each function is a type implementing [`NkFunction`]: its name on the
//! wire, its argument struct and its output. The SDK encodes the arguments
//! as JSON and calls [`crate::ffi::HostVTable::nk_call`] with the name; a
//! host decodes them into the same struct. Adding a function is one struct
//! and one `nk_functions!` line here, one method in the SDK's `Nakama`, and
//! one match arm in each host.

use std::collections::HashMap;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::api;

mod accounts;
mod config;
mod fleet;
mod friends;
mod misc;
mod purchases;
mod satori;
mod social;
pub use accounts::*;
pub use config::*;
pub use fleet::*;
pub use friends::*;
mod streams;
pub use misc::*;
pub use purchases::*;
pub use satori::*;
pub use social::*;
pub use streams::*;

/// Reads `null` (what Go writes for a nil slice or map) as the empty value.
fn null_as_empty<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One nk function: its wire name, arguments and result.
pub trait NkFunction {
    /// Name on the wire; the Rust method name (`storage_read`).
    const NAME: &'static str;
    type Args: Serialize + DeserializeOwned + Send + 'static;
    type Output: Serialize + DeserializeOwned + Send + 'static;
}

macro_rules! nk_functions {
    ($($(#[$doc:meta])* $ty:ident = $name:literal: $args:ty => $out:ty;)*) => {
        $(
            $(#[$doc])*
            pub struct $ty;
            impl NkFunction for $ty {
                const NAME: &'static str = $name;
                type Args = $args;
                type Output = $out;
            }
        )*
        /// Wire names of every function this ABI version defines.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

nk_functions! {
    /// `AccountGetId`: one account by user id.
    AccountGetId = "account_get_id": UserIdArgs => api::Account;
    /// `UsersGetId`: users by id (and Facebook id); unknown ids are skipped.
    UsersGetId = "users_get_id": UsersGetIdArgs => Vec<api::User>;
    /// `StorageRead`: objects by collection/key/owner; missing ones are absent.
    StorageRead = "storage_read": StorageReadArgs => Vec<api::StorageObject>;
    /// `StorageWrite`: one transaction; any failure writes nothing.
    StorageWrite = "storage_write": StorageWriteArgs => Vec<api::StorageObjectAck>;
    /// `StorageDelete`: one transaction.
    StorageDelete = "storage_delete": StorageDeleteArgs => ();
    /// `StorageList`: a page of objects in a collection.
    StorageList = "storage_list": StorageListArgs => StorageListResult;
    /// `StorageIndexList`: a page of a storage index's objects that match
    /// a query (ABI 1.9).
    StorageIndexList = "storage_index_list": StorageIndexListArgs => StorageListResult;
    /// `WalletUpdate`: add a changeset to one wallet.
    WalletUpdate = "wallet_update": WalletUpdateArgs => WalletUpdateResult;
    /// `NotificationSend`: one notification to one user.
    NotificationSend = "notification_send": NotificationSendArgs => ();
    /// `AuthenticateCustom`: find or create an account by custom id.
    AuthenticateCustom = "authenticate_custom": AuthenticateArgs => AuthenticateResult;
    /// `AuthenticateDevice`: find or create an account by device id.
    AuthenticateDevice = "authenticate_device": AuthenticateArgs => AuthenticateResult;
    /// `AuthenticateEmail`: find (checking the password) or create by email.
    AuthenticateEmail = "authenticate_email": AuthenticateEmailArgs => AuthenticateResult;
    /// `AuthenticateTokenGenerate`: a session token for a user.
    AuthenticateTokenGenerate = "authenticate_token_generate": TokenGenerateArgs => TokenGenerateResult;
    /// `AccountsGetId`: several accounts; unknown ids are left out.
    AccountsGetId = "accounts_get_id": UserIdsArgs => Vec<api::Account>;
    /// `AccountUpdateId`: change the given fields of an account.
    AccountUpdateId = "account_update_id": AccountUpdateArgs => ();
    /// `UsersGetUsername`: users by username; unknown names are left out.
    UsersGetUsername = "users_get_username": UsernamesArgs => Vec<api::User>;
    /// `WalletsUpdate`: several wallets in one transaction; unknown users skipped.
    WalletsUpdate = "wallets_update": WalletsUpdateArgs => Vec<WalletsUpdateItem>;
    /// `WalletLedgerList`: a user's ledger, newest first.
    WalletLedgerList = "wallet_ledger_list": PageArgs => LedgerPage;
    /// `NotificationsSend`: several notifications.
    NotificationsSend = "notifications_send": NotificationsSendArgs => ();
    /// `NotificationsList`: a user's notifications, oldest first (limit 0: all).
    NotificationList = "notification_list": PageArgs => NotificationPage;
    /// `FriendsList`: a page of a user's relationships (friends, invites
    /// sent and received, blocks), by state then age.
    FriendsList = "friends_list": FriendsListArgs => FriendsPage;
    /// `FriendsOfFriendsList`: a page of the friends of a user's friends,
    /// with the friend they were found through.
    FriendsOfFriendsList = "friends_of_friends_list": FriendsOfFriendsListArgs => FriendsOfFriendsPage;
    /// `FriendsAdd`: invite users, or accept their invites; each gets a
    /// notification.
    FriendsAdd = "friends_add": FriendsAddArgs => ();
    /// `FriendsDelete`: remove friends, cancel or refuse invites, unblock.
    FriendsDelete = "friends_delete": FriendsChangeArgs => ();
    /// `FriendsBlock`: block users (their side of any relationship goes).
    FriendsBlock = "friends_block": FriendsChangeArgs => ();
    /// `FriendMetadataUpdate`: replace the metadata of a user's side of a
    /// relationship.
    FriendMetadataUpdate = "friend_metadata_update": FriendMetadataUpdateArgs => ();
    /// `LeaderboardCreate`: a leaderboard; creating an existing id changes nothing.
    LeaderboardCreate = "leaderboard_create": LeaderboardCreateArgs => ();
    /// `LeaderboardDelete`: a leaderboard and its records; an unknown id is not an error.
    LeaderboardDelete = "leaderboard_delete": LeaderboardIdArgs => ();
    /// `LeaderboardRecordWrite`: submit an owner's score through the leaderboard's operator.
    LeaderboardRecordWrite = "leaderboard_record_write": LeaderboardRecordWriteArgs => api::LeaderboardRecord;
    /// `LeaderboardRecordsList`: a page of records in rank order, and chosen owners' records.
    LeaderboardRecordsList = "leaderboard_records_list": LeaderboardRecordsListArgs => LeaderboardRecordsPage;
    /// `LeaderboardRecordDelete`: remove an owner's record of the current period.
    LeaderboardRecordDelete = "leaderboard_record_delete": LeaderboardRecordDeleteArgs => ();
    /// `LeaderboardRecordsHaystack`: a page of records around an owner's (empty if it has none).
    LeaderboardRecordsHaystack = "leaderboard_records_haystack": LeaderboardRecordsHaystackArgs => api::LeaderboardRecordList;
    /// `LeaderboardsGetId`: leaderboards by id, with their reset times; unknown ids are left out.
    LeaderboardsGetId = "leaderboards_get_id": LeaderboardIdsArgs => Vec<api::Leaderboard>;
    /// `TournamentCreate`: a tournament; creating an existing tournament's
    /// id changes nothing.
    TournamentCreate = "tournament_create": TournamentCreateArgs => ();
    /// `TournamentDelete`: a tournament and its records; an unknown id is
    /// not an error.
    TournamentDelete = "tournament_delete": LeaderboardIdArgs => ();
    /// `TournamentAddAttempt`: change how many scores an owner may still
    /// submit in the current period.
    TournamentAddAttempt = "tournament_add_attempt": TournamentAddAttemptArgs => ();
    /// `TournamentJoin`: an owner joins (needed before writing where the
    /// tournament asks for it); joining twice is not an error.
    TournamentJoin = "tournament_join": TournamentJoinArgs => ();
    /// `TournamentsGetId`: tournaments by id; unknown ids are left out.
    TournamentsGetId = "tournaments_get_id": LeaderboardIdsArgs => Vec<api::Tournament>;
    /// `TournamentList`: a page of tournaments by category and time.
    TournamentList = "tournament_list": TournamentListArgs => api::TournamentList;
    /// `TournamentRecordsList`: a page of a period's records in rank
    /// order, and chosen owners' records.
    TournamentRecordsList = "tournament_records_list": LeaderboardRecordsListArgs => LeaderboardRecordsPage;
    /// `TournamentRecordWrite`: submit an owner's score in the active period.
    TournamentRecordWrite = "tournament_record_write": LeaderboardRecordWriteArgs => api::LeaderboardRecord;
    /// `TournamentRecordDelete`: remove an owner's record of the current period.
    TournamentRecordDelete = "tournament_record_delete": LeaderboardRecordDeleteArgs => ();
    /// `TournamentRecordsHaystack`: a page of records around an owner's.
    TournamentRecordsHaystack = "tournament_records_haystack": LeaderboardRecordsHaystackArgs => api::TournamentRecordList;
    /// `MatchCreate`: start an authoritative match of a registered handler
    /// (ABI 1.4); answers its id.
    MatchCreate = "match_create": MatchCreateArgs => String;
    /// `MatchGet`: a running match; `None` when there is none by that id.
    MatchGet = "match_get": MatchIdArgs => Option<api::Match>;
    /// `MatchList`: running matches, filtered.
    MatchList = "match_list": MatchListArgs => Vec<api::Match>;
    /// `MatchSignal`: send data to a match's handler; answers its reply.
    MatchSignal = "match_signal": MatchSignalArgs => String;
    /// `ChannelIdBuild`: the id of a room, direct chat or group channel
    /// (nothing is created).
    ChannelIdBuild = "channel_id_build": ChannelIdBuildArgs => String;
    /// `ChannelMessageSend`: a message to everyone in a channel (no one
    /// needs to have joined), stored when asked.
    ChannelMessageSend = "channel_message_send": ChannelMessageSendArgs => ChannelMessageAck;
    /// `ChannelMessageUpdate`: new content for a message, to everyone in
    /// its channel; the stored message changes when asked.
    ChannelMessageUpdate = "channel_message_update": ChannelMessageUpdateArgs => ChannelMessageAck;
    /// `ChannelMessageRemove`: a message's removal, to everyone in its
    /// channel; the stored message goes when asked.
    ChannelMessageRemove = "channel_message_remove": ChannelMessageRemoveArgs => ChannelMessageAck;
    /// `ChannelMessagesList`: a page of a channel's stored messages.
    ChannelMessagesList = "channel_messages_list": ChannelMessagesListArgs => ChannelMessagesPage;
    /// `StatusFollow`: a session follows users' status (nothing is looked
    /// up: unknown users are followed too).
    StatusFollow = "status_follow": StatusFollowArgs => ();
    /// `StatusUnfollow`: a session stops following users' status.
    StatusUnfollow = "status_unfollow": StatusFollowArgs => ();
    /// `StreamUserList`: the presences on a stream, hidden ones, others or both.
    StreamUserList = "stream_user_list": StreamUserListArgs => Vec<StreamPresence>;
    /// `StreamUserGet`: one session's presence on a stream; `None` if it is not on it.
    StreamUserGet = "stream_user_get": StreamUserArgs => Option<PresenceMeta>;
    /// `StreamUserJoin`: puts a socket session on a stream; answers whether
    /// it was not on it yet.
    StreamUserJoin = "stream_user_join": StreamUserJoinArgs => bool;
    /// `StreamUserUpdate`: changes (or makes) a session's presence on a stream.
    StreamUserUpdate = "stream_user_update": StreamUserJoinArgs => ();
    /// `StreamUserLeave`: takes a session off a stream.
    StreamUserLeave = "stream_user_leave": StreamUserArgs => ();
    /// `StreamUserKick`: takes a presence off a stream (as `stream_user_leave`).
    StreamUserKick = "stream_user_kick": StreamUserArgs => ();
    /// `StreamCount`: how many presences a stream has, hidden ones included.
    StreamCount = "stream_count": StreamArgs => u64;
    /// `StreamClose`: takes everyone off a stream, without presence events.
    StreamClose = "stream_close": StreamArgs => ();
    /// `StreamSend`: a `stream_data` message to a stream's sessions (or some sessions).
    StreamSend = "stream_send": StreamSendArgs => ();
    /// `StreamSendRaw`: any realtime envelope to a stream's sessions (or some sessions).
    StreamSendRaw = "stream_send_raw": StreamSendRawArgs => ();
    /// `SessionDisconnect`: closes a socket session.
    SessionDisconnect = "session_disconnect": SessionDisconnectArgs => ();
    /// `SessionLogout`: invalidates a user's session and refresh tokens.
    SessionLogout = "session_logout": SessionLogoutArgs => ();
    /// `Event`: an event for the modules' event handlers, queued (ABI
    /// 1.7 hosts; older ones answer `UNIMPLEMENTED`).
    Event = "event": api::Event => ();
    /// `GroupCreate`: a group with `user_id` as its superadmin.
    GroupCreate = "group_create": GroupCreateArgs => api::Group;
    /// `GroupUpdate`: change a group's fields (as a member with the right
    /// to, or as the system).
    GroupUpdate = "group_update": GroupUpdateArgs => ();
    /// `GroupDelete`: a group and its memberships; an unknown id is not an
    /// error.
    GroupDelete = "group_delete": GroupIdArgs => ();
    /// `GroupsGetId`: groups by id; unknown ids are left out.
    GroupsGetId = "groups_get_id": GroupIdsArgs => Vec<api::Group>;
    /// `GroupsList`: a page of groups, by name or filtered.
    GroupsList = "groups_list": GroupsListArgs => api::GroupList;
    /// `GroupsGetRandom`: up to `count` groups, from a random place.
    GroupsGetRandom = "groups_get_random": GroupsGetRandomArgs => Vec<api::Group>;
    /// `GroupUsersList`: a page of a group's members and join requests.
    GroupUsersList = "group_users_list": GroupUsersListArgs => api::GroupUserList;
    /// `UserGroupsList`: a page of the groups a user is in or asked to join.
    UserGroupsList = "user_groups_list": UserGroupsListArgs => api::UserGroupList;
    /// `GroupUsersAdd`: add users to a group (or accept their join requests).
    GroupUsersAdd = "group_users_add": GroupUsersArgs => ();
    /// `GroupUsersKick`: remove members (or decline join requests).
    GroupUsersKick = "group_users_kick": GroupUsersArgs => ();
    /// `GroupUsersBan`: remove members and keep them out.
    GroupUsersBan = "group_users_ban": GroupUsersArgs => ();
    /// `GroupUsersPromote`: raise members one role up.
    GroupUsersPromote = "group_users_promote": GroupUsersArgs => ();
    /// `GroupUsersDemote`: lower members one role down.
    GroupUsersDemote = "group_users_demote": GroupUsersArgs => ();
    /// `GroupUserJoin`: a user joins a group (or asks to, if it is closed).
    GroupUserJoin = "group_user_join": GroupUserArgs => ();
    /// `GroupUserLeave`: a user leaves a group.
    GroupUserLeave = "group_user_leave": GroupUserArgs => ();
    /// `NotificationSendAll`: one notification to every user (stored
    /// for each when persistent) or every connected session.
    NotificationSendAll = "notification_send_all": NotificationSendAllArgs => ();
    /// `NotificationsUpdate`: change stored notifications' subject,
    /// content or sender.
    NotificationsUpdate = "notifications_update": NotificationsUpdateArgs => ();
    /// `NotificationsDelete`: delete users' stored notifications.
    NotificationsDelete = "notifications_delete": NotificationsDeleteArgs => ();
    /// `NotificationsGetId`: stored notifications by id.
    NotificationsGetId = "notifications_get_id": NotificationIdsArgs => Vec<StoredNotification>;
    /// `NotificationsDeleteId`: delete stored notifications by id.
    NotificationsDeleteId = "notifications_delete_id": NotificationIdsArgs => ();
    /// `LeaderboardList`: a page of leaderboards (not tournaments).
    LeaderboardList = "leaderboard_list": LeaderboardListArgs => api::LeaderboardList;
    /// `LeaderboardRanksDisable`: a leaderboard stops keeping ranks.
    LeaderboardRanksDisable = "leaderboard_ranks_disable": LeaderboardIdArgs => ();
    /// `TournamentRanksDisable`: a tournament stops keeping ranks.
    TournamentRanksDisable = "tournament_ranks_disable": LeaderboardIdArgs => ();
    /// `LeaderboardRecordsListCursorFromRank`: a `leaderboard_records_list`
    /// cursor whose page starts at a rank.
    LeaderboardRecordsListCursorFromRank = "leaderboard_records_list_cursor_from_rank": CursorFromRankArgs => String;
    /// `CronNext`: the first time after a timestamp a CRON expression names.
    CronNext = "cron_next": CronArgs => i64;
    /// `CronPrev`: the last time before a timestamp a CRON expression named.
    CronPrev = "cron_prev": CronArgs => i64;
    /// `ReadFile`: a file's bytes, by its path under the runtime path.
    ReadFile = "read_file": ReadFileArgs => FileContent;
    /// `MetricsCounterAdd`: add to a custom counter.
    MetricsCounterAdd = "metrics_counter_add": MetricsCounterArgs => ();
    /// `MetricsGaugeSet`: set a custom gauge.
    MetricsGaugeSet = "metrics_gauge_set": MetricsGaugeArgs => ();
    /// `MetricsTimerRecord`: record a duration in a custom timer.
    MetricsTimerRecord = "metrics_timer_record": MetricsTimerArgs => ();
    /// `PartyList`: a page of parties, filtered by a label query.
    PartyList = "party_list": PartyListArgs => api::PartyList;
    /// `PurchaseValidateApple`: confirm an App Store receipt's purchases.
    PurchaseValidateApple = "purchase_validate_apple": AppleValidateArgs => api::ValidatePurchaseResponse;
    /// `PurchaseValidateGoogle`: confirm a Google Play purchase.
    PurchaseValidateGoogle = "purchase_validate_google": GoogleValidateArgs => api::ValidatePurchaseResponse;
    /// `PurchaseValidateHuawei`: confirm a Huawei AppGallery purchase.
    PurchaseValidateHuawei = "purchase_validate_huawei": HuaweiValidateArgs => api::ValidatePurchaseResponse;
    /// `PurchaseValidateFacebookInstant`: confirm a Facebook Instant
    /// Games purchase.
    PurchaseValidateFacebookInstant = "purchase_validate_facebook_instant": FacebookInstantValidateArgs => api::ValidatePurchaseResponse;
    /// `PurchaseValidateSamsung`: confirm a Samsung Galaxy Store purchase.
    PurchaseValidateSamsung = "purchase_validate_samsung": SamsungValidateArgs => api::ValidatePurchaseResponse;
    /// `PurchasesList`: a page of stored purchases.
    PurchasesList = "purchases_list": StoreListArgs => api::PurchaseList;
    /// `PurchaseGetByTransactionId`: a stored purchase, if any.
    PurchaseGetByTransactionId = "purchase_get_by_transaction_id": TransactionIdArgs => Option<api::ValidatedPurchase>;
    /// `SubscriptionValidateApple`: confirm an App Store subscription.
    SubscriptionValidateApple = "subscription_validate_apple": AppleValidateArgs => api::ValidateSubscriptionResponse;
    /// `SubscriptionValidateGoogle`: confirm a Google Play subscription.
    SubscriptionValidateGoogle = "subscription_validate_google": GoogleValidateArgs => api::ValidateSubscriptionResponse;
    /// `SubscriptionsList`: a page of stored subscriptions.
    SubscriptionsList = "subscriptions_list": StoreListArgs => api::SubscriptionList;
    /// `SubscriptionGetByProductId`: a user's stored subscription to a
    /// product.
    SubscriptionGetByProductId = "subscription_get_by_product_id": ProductIdArgs => api::ValidatedSubscription;
    /// `AccountDeleteId`: delete an account and what is its (sessions
    /// end); an unknown user is not an error.
    AccountDeleteId = "account_delete_id": AccountDeleteArgs => ();
    /// `AccountExportId`: everything stored about a user, as JSON text.
    AccountExportId = "account_export_id": UserIdArgs => String;
    /// `AccountImportId`: write an account export back: a new account
    /// under the export's id, or onto an existing user's metadata, wallet
    /// and storage.
    AccountImportId = "account_import_id": AccountImportArgs => api::Account;
    /// `UsersGetFriendStatus`: a user's relationships with the given users.
    UsersGetFriendStatus = "users_get_friend_status": FriendStatusArgs => Vec<api::Friend>;
    /// `UsersGetRandom`: up to `count` users, from a random place.
    UsersGetRandom = "users_get_random": UsersGetRandomArgs => Vec<api::User>;
    /// `UsersBanId`: ban users (their sessions end, they cannot log in).
    UsersBanId = "users_ban_id": UserIdsArgs => ();
    /// `UsersUnbanId`: lift bans.
    UsersUnbanId = "users_unban_id": UserIdsArgs => ();
    /// `LinkCustom`: give an account a custom id to log in with.
    LinkCustom = "link_custom": LinkArgs => ();
    /// `LinkDevice`: add a device id to an account.
    LinkDevice = "link_device": LinkArgs => ();
    /// `LinkEmail`: give an account an email and password.
    LinkEmail = "link_email": LinkEmailArgs => ();
    /// `UnlinkCustom`: remove an account's custom id (not its last way in).
    UnlinkCustom = "unlink_custom": LinkArgs => ();
    /// `UnlinkDevice`: remove a device id from an account (not its last
    /// way in).
    UnlinkDevice = "unlink_device": LinkArgs => ();
    /// `UnlinkEmail`: remove an account's email and password (not its last
    /// way in).
    UnlinkEmail = "unlink_email": LinkArgs => ();
    /// `AuthenticateApple`: find or create an account by Sign in with
    /// Apple identity token (needs Nakama's `social.apple.bundle_id`).
    AuthenticateApple = "authenticate_apple": AuthenticateTokenArgs => AuthenticateResult;
    /// `AuthenticateFacebook`: find or create an account by Facebook
    /// access token, optionally importing Facebook friends.
    AuthenticateFacebook = "authenticate_facebook": AuthenticateFacebookArgs => AuthenticateResult;
    /// `AuthenticateFacebookInstantGame`: find or create an account by
    /// Instant Games signed player info.
    AuthenticateFacebookInstantGame = "authenticate_facebook_instant_game": AuthenticateFacebookInstantGameArgs => AuthenticateResult;
    /// `AuthenticateGameCenter`: find or create an account by Game Center
    /// identity verification data.
    AuthenticateGameCenter = "authenticate_game_center": AuthenticateGameCenterArgs => AuthenticateResult;
    /// `AuthenticateGoogle`: find or create an account by Google ID token.
    AuthenticateGoogle = "authenticate_google": AuthenticateTokenArgs => AuthenticateResult;
    /// `AuthenticateSteam`: find or create an account by Steam session
    /// ticket (needs Nakama's `social.steam` publisher key and app id).
    AuthenticateSteam = "authenticate_steam": AuthenticateTokenArgs => AuthenticateResult;
    /// `LinkApple`: give an account a Sign in with Apple id.
    LinkApple = "link_apple": LinkTokenArgs => ();
    /// `LinkFacebook`: give an account a Facebook id.
    LinkFacebook = "link_facebook": LinkFriendsArgs => ();
    /// `LinkFacebookInstantGame`: give an account an Instant Games id.
    LinkFacebookInstantGame = "link_facebook_instant_game": LinkTokenArgs => ();
    /// `LinkGameCenter`: give an account a Game Center player id.
    LinkGameCenter = "link_game_center": LinkGameCenterArgs => ();
    /// `LinkGoogle`: give an account a Google id.
    LinkGoogle = "link_google": LinkTokenArgs => ();
    /// `LinkSteam`: give an account a Steam id.
    LinkSteam = "link_steam": LinkFriendsArgs => ();
    /// `UnlinkApple`: remove an account's Apple id (not its last way in).
    UnlinkApple = "unlink_apple": LinkTokenArgs => ();
    /// `UnlinkFacebook`: remove an account's Facebook id (not its last
    /// way in).
    UnlinkFacebook = "unlink_facebook": LinkTokenArgs => ();
    /// `UnlinkFacebookInstantGame`: remove an account's Instant Games id
    /// (not its last way in).
    UnlinkFacebookInstantGame = "unlink_facebook_instant_game": LinkTokenArgs => ();
    /// `UnlinkGameCenter`: remove an account's Game Center id (not its
    /// last way in).
    UnlinkGameCenter = "unlink_game_center": LinkGameCenterArgs => ();
    /// `UnlinkGoogle`: remove an account's Google id (not its last way in).
    UnlinkGoogle = "unlink_google": LinkTokenArgs => ();
    /// `UnlinkSteam`: remove an account's Steam id (not its last way in).
    UnlinkSteam = "unlink_steam": LinkTokenArgs => ();
    /// `WalletLedgerUpdate`: merge metadata into a wallet ledger item.
    WalletLedgerUpdate = "wallet_ledger_update": WalletLedgerUpdateArgs => LedgerItem;
    /// `MultiUpdate`: account updates, storage writes and deletes and
    /// wallet updates in one transaction.
    MultiUpdate = "multi_update": MultiUpdateArgs => MultiUpdateResult;
    /// `Satori.Authenticate`: create or find a Satori identity (Satori
    /// through Nakama's `satori.*` settings), its properties.
    SatoriAuthenticate = "satori_authenticate": SatoriAuthenticateArgs => SatoriProperties;
    /// `Satori.IdentityDelete`: delete an identity and all its data.
    SatoriIdentityDelete = "satori_identity_delete": SatoriIdArgs => ();
    /// `Satori.PropertiesGet`: an identity's properties.
    SatoriPropertiesGet = "satori_properties_get": SatoriIdArgs => SatoriProperties;
    /// `Satori.PropertiesUpdate`: change an identity's properties.
    SatoriPropertiesUpdate = "satori_properties_update": SatoriPropertiesUpdateArgs => ();
    /// `Satori.EventsPublish`: an identity's analytics events.
    SatoriEventsPublish = "satori_events_publish": SatoriEventsPublishArgs => ();
    /// `Satori.ServerEventsPublish`: events of the server's, each naming
    /// its identity.
    SatoriServerEventsPublish = "satori_server_events_publish": SatoriEventsPublishArgs => ();
    /// `Satori.ExperimentsList`: the experiments an identity is in.
    SatoriExperimentsList = "satori_experiments_list": SatoriListArgs => SatoriExperimentList;
    /// `Satori.FlagsList`: flags' values for an identity.
    SatoriFlagsList = "satori_flags_list": SatoriListArgs => SatoriFlagList;
    /// `Satori.FlagsOverridesList`: flags and what overrides them.
    SatoriFlagsOverridesList = "satori_flags_overrides_list": SatoriListArgs => SatoriFlagOverridesList;
    /// `Satori.LiveEventsList`: the live events an identity sees.
    SatoriLiveEventsList = "satori_live_events_list": SatoriLiveEventsListArgs => SatoriLiveEventList;
    /// `Satori.LiveEventJoin`: join a live event that asks to be joined.
    SatoriLiveEventJoin = "satori_live_event_join": SatoriLiveEventJoinArgs => ();
    /// `Satori.MessagesList`: a page of an identity's inbox.
    SatoriMessagesList = "satori_messages_list": SatoriMessagesListArgs => SatoriMessageList;
    /// `Satori.MessageUpdate`: mark a message read or consumed.
    SatoriMessageUpdate = "satori_message_update": SatoriMessageUpdateArgs => ();
    /// `Satori.MessageDelete`: delete a message.
    SatoriMessageDelete = "satori_message_delete": SatoriMessageDeleteArgs => ();
    /// `Satori.ConsoleDirectMessageSend`: send a message to identities
    /// through Satori's integrations (Satori's `satori.server_key`).
    SatoriConsoleDirectMessageSend = "satori_console_direct_message_send": SatoriDirectMessageArgs => SatoriMessageSendResults;
    /// `FleetManager.Get`: one game server instance of the registered
    /// fleet manager.
    FleetGet = "fleet_get": FleetGetArgs => FleetInstance;
    /// `FleetManager.List`: a page of instances.
    FleetList = "fleet_list": FleetListArgs => FleetInstanceList;
    /// `FleetManager.Create`: a new instance; answers when the fleet
    /// manager calls back.
    FleetCreate = "fleet_create": FleetCreateArgs => FleetCreated;
    /// `FleetManager.Join`: reserve player slots on an instance.
    FleetJoin = "fleet_join": FleetJoinArgs => FleetJoinInfo;
    /// ABI 1.12. `FmCallbackHandler.InvokeCallback`: a fleet manager
    /// written in Rust ([`crate::fleet_manager`]) tells the `fleet_create`
    /// it was asked for that its instance is up, or that it failed.
    FleetCallback = "fleet_callback": FleetCallbackArgs => ();
    /// `httpRequest` of Nakama's JavaScript and Lua runtimes (Go modules
    /// use `net/http`): an HTTP request from the host, which answers the
    /// response whatever its status (ABI 1.14).
    HttpRequest = "http_request": HttpRequestArgs => HttpRequestAnswer;
    /// `GetConfig` of Go's initializer (`nk.get_config` in Lua): the
    /// read-only part of the server's configuration (ABI 1.15).
    GetConfig = "get_config": () => ServerConfig;
}

/// Arguments of `authenticate_custom` / `authenticate_device`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateArgs {
    pub id: String,
    /// Empty: a random one when creating.
    pub username: String,
    pub create: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateEmailArgs {
    pub email: String,
    pub password: String,
    pub username: String,
    pub create: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthenticateResult {
    pub user_id: String,
    pub username: String,
    pub created: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenGenerateArgs {
    pub user_id: String,
    pub username: String,
    /// Expiry, Unix seconds; 0 for the configured session lifetime.
    pub exp: i64,
    pub vars: HashMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenGenerateResult {
    pub token: String,
    pub exp: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserIdsArgs {
    pub user_ids: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsernamesArgs {
    pub usernames: Vec<String>,
}

/// `None` and empty fields are left unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountUpdateArgs {
    pub user_id: String,
    pub username: Option<String>,
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    pub display_name: Option<String>,
    pub timezone: Option<String>,
    pub location: Option<String>,
    pub lang_tag: Option<String>,
    pub avatar_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletUpdateOp {
    pub user_id: String,
    pub changeset: HashMap<String, i64>,
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletsUpdateArgs {
    pub updates: Vec<WalletUpdateOp>,
    pub update_ledger: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletsUpdateItem {
    pub user_id: String,
    pub updated: HashMap<String, i64>,
    pub previous: HashMap<String, i64>,
}

/// A page request: whose, how many (1..=100), from where.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageArgs {
    pub user_id: String,
    pub limit: i32,
    pub cursor: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerItem {
    pub id: String,
    pub user_id: String,
    pub changeset: HashMap<String, i64>,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Unix seconds.
    pub create_time: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerPage {
    pub items: Vec<LedgerItem>,
    /// Empty when there is no next page.
    pub cursor: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationsSendArgs {
    pub notifications: Vec<NotificationSendArgs>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationPage {
    pub notifications: Vec<api::Notification>,
    pub cursor: String,
}

/// Arguments naming one user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserIdArgs {
    pub user_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsersGetIdArgs {
    pub user_ids: Vec<String>,
    pub facebook_ids: Vec<String>,
}

/// One object to read (Nakama's `runtime.StorageRead`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageReadOp {
    pub collection: String,
    pub key: String,
    /// Owner; empty for the system user.
    pub user_id: String,
}

impl StorageReadOp {
    /// The system user's object `key` in `collection`.
    pub fn new(collection: impl Into<String>, key: impl Into<String>) -> Self {
        StorageReadOp {
            collection: collection.into(),
            key: key.into(),
            user_id: String::new(),
        }
    }

    /// The object of user `user_id` instead.
    pub fn owner(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageReadArgs {
    pub reads: Vec<StorageReadOp>,
}

/// One object to write (Nakama's `runtime.StorageWrite`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageWriteOp {
    pub collection: String,
    pub key: String,
    /// Owner; empty for the system user.
    pub user_id: String,
    /// A JSON object, as text.
    pub value: String,
    /// Empty: unconditional; `*`: only if absent; else: only if equal.
    pub version: String,
    /// 0 (no client read), 1 (owner), 2 (public). Go's zero value is 0.
    pub permission_read: i32,
    /// 0 (no client write), 1 (owner).
    pub permission_write: i32,
}

impl StorageWriteOp {
    /// A write of the system user's object `key` in `collection`, whatever
    /// version is stored, with Go's defaults for the rest: no client reads
    /// or writes it (see [`Self::permissions`]). Its value comes from
    /// [`Self::value`], or from a serde type with the SDK's `json`.
    pub fn new(collection: impl Into<String>, key: impl Into<String>) -> Self {
        StorageWriteOp {
            collection: collection.into(),
            key: key.into(),
            ..StorageWriteOp::default()
        }
    }

    /// The value: a JSON object, as text.
    pub fn value(mut self, json: impl Into<String>) -> Self {
        self.value = json.into();
        self
    }

    /// The object of user `user_id` instead.
    pub fn owner(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// Only if no such object is stored yet (version `*`); else the write
    /// fails with `INVALID_ARGUMENT`, as Nakama's does.
    pub fn if_absent(self) -> Self {
        self.if_version("*")
    }

    /// Only if the stored object has this version (from a read or an
    /// earlier write's ack).
    pub fn if_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// Which clients may read and write it through the client API:
    /// `read` 0 (none), 1 (the owner) or 2 (anyone); `write` 0 (none) or
    /// 1 (the owner). Modules always may.
    pub fn permissions(mut self, read: i32, write: i32) -> Self {
        self.permission_read = read;
        self.permission_write = write;
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageWriteArgs {
    pub writes: Vec<StorageWriteOp>,
}

/// One object to delete (Nakama's `runtime.StorageDelete`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageDeleteOp {
    pub collection: String,
    pub key: String,
    pub user_id: String,
    /// Empty: unconditional; else only if equal.
    pub version: String,
}

impl StorageDeleteOp {
    /// The system user's object `key` in `collection`, whatever its
    /// version.
    pub fn new(collection: impl Into<String>, key: impl Into<String>) -> Self {
        StorageDeleteOp {
            collection: collection.into(),
            key: key.into(),
            ..StorageDeleteOp::default()
        }
    }

    /// The object of user `user_id` instead.
    pub fn owner(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = user_id.into();
        self
    }

    /// Only if the stored object has this version.
    pub fn if_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageDeleteArgs {
    pub deletes: Vec<StorageDeleteOp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageListArgs {
    /// Whose permissions apply; empty means the server (sees everything).
    pub caller_id: String,
    /// Owner to list; empty lists every owner.
    pub user_id: String,
    pub collection: String,
    pub limit: i32,
    pub cursor: String,
}

/// Nakama's `StorageIndexList` arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageIndexListArgs {
    /// Whose read permissions apply; empty: the server's (sees all).
    pub caller_id: String,
    pub index_name: String,
    /// A Bluge query string over the indexed fields (`value.tag:red`);
    /// empty: every object.
    pub query: String,
    /// 1 to 10000.
    pub limit: i32,
    /// Sortable fields to order by (`value.size`, `-value.size` for
    /// descending); empty: by relevance.
    pub order: Vec<String>,
    pub cursor: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageListResult {
    pub objects: Vec<api::StorageObject>,
    /// Empty when there is no next page.
    pub cursor: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletUpdateArgs {
    pub user_id: String,
    pub changeset: HashMap<String, i64>,
    /// A JSON object stored with the ledger entry.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub update_ledger: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletUpdateResult {
    pub updated: HashMap<String, i64>,
    pub previous: HashMap<String, i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationSendArgs {
    pub user_id: String,
    pub subject: String,
    pub content: serde_json::Map<String, serde_json::Value>,
    pub code: i32,
    /// Sender user id; empty for the system.
    pub sender_id: String,
    pub persistent: bool,
}

/// How a leaderboard ranks its records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortOrder {
    /// Lower scores rank first (`"asc"`).
    #[serde(rename = "asc")]
    Ascending,
    /// Higher scores rank first (`"desc"`).
    #[default]
    #[serde(rename = "desc")]
    Descending,
}

/// What a submitted score does to an owner's record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    /// Keeps the better of the old and new score, and of the subscores, each
    /// on its own (`"best"`).
    #[default]
    #[serde(rename = "best")]
    Best,
    /// Replaces the record's score and subscore (`"set"`).
    #[serde(rename = "set")]
    Set,
    /// Adds to them (`"incr"`).
    #[serde(rename = "incr")]
    Increment,
    /// Subtracts from them, stopping at 0 (`"decr"`); a first submission
    /// records 0.
    #[serde(rename = "decr")]
    Decrement,
}

impl Operator {
    /// The number of Nakama's `api.Operator` enum (0 is "no override").
    pub fn api_number(self) -> i32 {
        match self {
            Operator::Best => api::operator::BEST,
            Operator::Set => api::operator::SET,
            Operator::Increment => api::operator::INCREMENT,
            Operator::Decrement => api::operator::DECREMENT,
        }
    }
}

/// Arguments of `leaderboard_create`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardCreateArgs {
    pub id: String,
    /// Only the server (modules) may write records; clients may only read.
    pub authoritative: bool,
    pub sort_order: SortOrder,
    pub operator: Operator,
    /// A CRON expression (`0 0 * * 1`: Mondays at midnight UTC); records
    /// written in one period are not listed in the next. Empty: never resets.
    pub reset_schedule: String,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Keep ranks for owner records and `rank_count` (the records of a
    /// page are ranked either way).
    pub enable_ranks: bool,
}

/// Arguments naming one leaderboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardIdArgs {
    pub id: String,
}

/// Arguments naming several leaderboards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardIdsArgs {
    pub ids: Vec<String>,
}

/// Arguments of `leaderboard_record_write`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardRecordWriteArgs {
    pub id: String,
    /// A user id, or any other UUID (a group's, ...).
    pub owner_id: String,
    /// Stored with the record; empty keeps the one stored before.
    pub username: String,
    /// At least 0.
    pub score: i64,
    /// At least 0.
    pub subscore: i64,
    /// Replaces the stored metadata when the record changes; `None` keeps it.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// This submission's operator instead of the leaderboard's.
    pub operator: Option<Operator>,
}

/// Arguments of `leaderboard_records_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardRecordsListArgs {
    pub id: String,
    /// Also answer these owners' records, ranked (`owner_records`).
    pub owner_ids: Vec<String>,
    /// Records per page, 0 to 10 000; 0 lists no page (only the owners'
    /// records).
    pub limit: i32,
    pub cursor: String,
    /// The period to list, by its expiry (Unix seconds); 0: the current one.
    pub expiry: i64,
}

/// Arguments of `leaderboard_records_haystack`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardRecordsHaystackArgs {
    pub id: String,
    /// The owner whose record the page surrounds.
    pub owner_id: String,
    /// Records on the page, 1 to 100, the owner's included.
    pub limit: i32,
    /// A cursor of an earlier page: then this lists on from it as
    /// `leaderboard_records_list` does.
    pub cursor: String,
    /// The period to list, by its expiry (Unix seconds); 0: the current one.
    pub expiry: i64,
}

/// What `leaderboard_records_list` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardRecordsPage {
    pub records: Vec<api::LeaderboardRecord>,
    pub owner_records: Vec<api::LeaderboardRecord>,
    /// Empty when there is no next page.
    pub next_cursor: String,
    /// Empty when there is no previous page.
    pub prev_cursor: String,
}

/// Arguments of `leaderboard_record_delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardRecordDeleteArgs {
    pub id: String,
    pub owner_id: String,
}

/// Arguments of `tournament_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentCreateArgs {
    pub id: String,
    /// Only the server (modules) may write records.
    pub authoritative: bool,
    pub sort_order: SortOrder,
    pub operator: Operator,
    /// A CRON expression: when a new period (with records of its own)
    /// starts. Empty: one period from `start_time` on.
    pub reset_schedule: String,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub title: String,
    pub description: String,
    /// 0 to 127.
    pub category: i32,
    /// Unix seconds; 0: now.
    pub start_time: i64,
    /// Unix seconds after which nothing is written; 0: never ends.
    pub end_time: i64,
    /// Seconds each period accepts scores for, from its start; at least 1.
    pub duration: i64,
    /// How many owners may take part; 0: no limit.
    pub max_size: i32,
    /// How many scores an owner may submit per period; 0: Nakama's
    /// default (1 000 000).
    pub max_num_score: i32,
    /// Owners must `tournament_join` before they write.
    pub join_required: bool,
    /// Keep ranks for owner records and `rank_count`.
    pub enable_ranks: bool,
}

impl Default for TournamentCreateArgs {
    fn default() -> Self {
        TournamentCreateArgs {
            id: String::new(),
            authoritative: false,
            sort_order: SortOrder::Descending,
            operator: Operator::Best,
            reset_schedule: String::new(),
            metadata: serde_json::Map::new(),
            title: String::new(),
            description: String::new(),
            category: 0,
            start_time: 0,
            end_time: 0,
            duration: 0,
            max_size: 0,
            max_num_score: 0,
            join_required: false,
            enable_ranks: true,
        }
    }
}

/// Arguments of `tournament_add_attempt`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentAddAttemptArgs {
    pub id: String,
    pub owner_id: String,
    /// Added to the owner's allowed number of scores; negative takes away;
    /// not 0.
    pub count: i32,
}

/// Arguments of `tournament_join`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentJoinArgs {
    pub id: String,
    pub owner_id: String,
    /// Stored with the owner's record; not empty.
    pub username: String,
}

/// Arguments of `tournament_list`. Nakama's filters: `start_time` -1 or
/// a time at or before the tournaments' start; `end_time` 0 lists those
/// without an end, -1 those not ended yet, a time those ending by then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TournamentListArgs {
    /// 0 to 127.
    pub category_start: i32,
    /// 0 to 127.
    pub category_end: i32,
    pub start_time: i64,
    pub end_time: i64,
    /// 1 to 100.
    pub limit: i32,
    pub cursor: String,
}

impl Default for TournamentListArgs {
    fn default() -> Self {
        TournamentListArgs {
            category_start: 0,
            category_end: 127,
            start_time: -1,
            end_time: -1,
            limit: 10,
            cursor: String::new(),
        }
    }
}

/// Arguments of `match_create`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchCreateArgs {
    /// The name the match handler was registered under.
    pub module: String,
    /// Handed to the handler's `init`.
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// Arguments of `match_get`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchIdArgs {
    pub id: String,
}

/// Arguments of `match_list` (Nakama's `MatchList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchListArgs {
    /// Most matches to answer.
    pub limit: i32,
    /// `true`: authoritative matches only; `false`: relayed ones only.
    pub authoritative: bool,
    /// Only matches with exactly this label (empty: any).
    pub label: String,
    /// Fewest presences, inclusive.
    pub min_size: Option<i32>,
    /// Most presences, inclusive.
    pub max_size: Option<i32>,
    /// A label query (empty: none).
    pub query: String,
}

/// Arguments of `match_signal`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchSignalArgs {
    pub id: String,
    pub data: String,
}

/// Arguments of `status_follow` and `status_unfollow`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StatusFollowArgs {
    /// The following session (a socket's session id).
    pub session_id: String,
    pub user_ids: Vec<String>,
}

/// Arguments of `group_create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupCreateArgs {
    /// The group's first superadmin.
    pub user_id: String,
    /// Unique.
    pub name: String,
    /// Recorded as its creator; empty: the system user.
    pub creator_id: String,
    /// Empty: `en`.
    pub lang_tag: String,
    pub description: String,
    pub avatar_url: String,
    /// Anyone may join without asking.
    pub open: bool,
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// At least 1; 100 by default.
    pub max_count: i32,
}

impl Default for GroupCreateArgs {
    fn default() -> Self {
        GroupCreateArgs {
            user_id: String::new(),
            name: String::new(),
            creator_id: String::new(),
            lang_tag: String::new(),
            description: String::new(),
            avatar_url: String::new(),
            open: false,
            metadata: None,
            max_count: 100,
        }
    }
}

/// Arguments of `group_update`: empty strings, `None` and 0 leave a field
/// as it is; `open` is always set (as Nakama's Go runtime does).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupUpdateArgs {
    pub group_id: String,
    /// Checked for the right to update (an admin or superadmin); empty:
    /// the system, which may.
    pub user_id: String,
    pub name: String,
    pub creator_id: String,
    pub lang_tag: String,
    pub description: String,
    pub avatar_url: String,
    pub open: bool,
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    pub max_count: i32,
}

/// Arguments of `group_delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupIdArgs {
    pub group_id: String,
}

/// Arguments of `groups_get_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupIdsArgs {
    pub group_ids: Vec<String>,
}

/// Arguments of `groups_list`: a name (a trailing `%` matches any end;
/// case-insensitive), or the other filters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupsListArgs {
    pub name: String,
    pub lang_tag: String,
    /// Groups with at most this many members.
    pub members: Option<i32>,
    pub open: Option<bool>,
    /// 1 to 100.
    pub limit: i32,
    pub cursor: String,
}

/// Arguments of `groups_get_random`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupsGetRandomArgs {
    /// 0 to 1 000.
    pub count: i32,
}

/// Arguments of `group_users_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupUsersListArgs {
    pub group_id: String,
    /// 1 to 10 000.
    pub limit: i32,
    /// Only this state (0 superadmin to 4 banned).
    pub state: Option<i32>,
    pub cursor: String,
}

/// Arguments of `user_groups_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserGroupsListArgs {
    pub user_id: String,
    /// 1 to 100.
    pub limit: i32,
    /// Only this state (0 superadmin to 4 banned).
    pub state: Option<i32>,
    pub cursor: String,
}

/// Arguments of `group_users_add`, `_kick`, `_ban`, `_promote` and
/// `_demote`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupUsersArgs {
    /// Acts with this member's rights; empty: the system, which has them
    /// all.
    pub caller_id: String,
    pub group_id: String,
    pub user_ids: Vec<String>,
}

/// Arguments of `group_user_join` and `group_user_leave`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupUserArgs {
    pub group_id: String,
    pub user_id: String,
    /// Named in the group channel's message (and a join request's
    /// notification).
    pub username: String,
}

/// The kind of channel `channel_id_build` names (Nakama's
/// `runtime.ChannelType`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelType {
    /// A room, named by the target (`"room"`).
    #[default]
    #[serde(rename = "room")]
    Room,
    /// A direct chat of the sender with the user whose id is the target
    /// (`"direct"`).
    #[serde(rename = "direct")]
    Direct,
    /// A group's channel; the target is the group id (`"group"`).
    #[serde(rename = "group")]
    Group,
}

/// Arguments of `channel_id_build`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelIdBuildArgs {
    /// The user the channel is built for; empty: the system user, for whom
    /// nothing about the target is looked up.
    pub sender_id: String,
    /// The room name, the other user's id or the group id.
    pub target: String,
    pub channel_type: ChannelType,
}

/// Arguments of `channel_message_send`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelMessageSendArgs {
    pub channel_id: String,
    pub content: serde_json::Map<String, serde_json::Value>,
    /// Stored as the sender when `persist`: a user's id, or the system
    /// user's (`00000000-0000-0000-0000-000000000000`).
    pub sender_id: String,
    pub sender_username: String,
    /// Keep it in the channel's history.
    pub persist: bool,
}

/// Arguments of `channel_message_update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelMessageUpdateArgs {
    pub channel_id: String,
    pub message_id: String,
    pub content: serde_json::Map<String, serde_json::Value>,
    /// With `persist`, the stored message must be this sender's.
    pub sender_id: String,
    pub sender_username: String,
    /// Change the stored message.
    pub persist: bool,
}

/// Arguments of `channel_message_remove`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelMessageRemoveArgs {
    pub channel_id: String,
    pub message_id: String,
    /// With `persist`, the stored message must be this sender's.
    pub sender_id: String,
    pub sender_username: String,
    /// Remove the stored message.
    pub persist: bool,
}

/// Arguments of `channel_messages_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelMessagesListArgs {
    pub channel_id: String,
    /// 1 to 100.
    pub limit: i32,
    /// Oldest first; newest first when false.
    pub forward: bool,
    /// A cursor of an earlier page of this channel, read the same way.
    pub cursor: String,
}

/// What `channel_messages_list` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelMessagesPage {
    pub messages: Vec<api::ChannelMessage>,
    /// Empty when there is no next page.
    pub next_cursor: String,
    /// Empty when there is no previous page.
    pub prev_cursor: String,
}

/// What `channel_message_send`, `_update` and `_remove` answer: the
/// acknowledgement a socket gets for its own message (Nakama's
/// `rtapi.ChannelMessageAck`).
pub use crate::rtapi::ChannelMessageAck;

impl From<api::ChannelMessage> for ChannelMessageAck {
    /// A message's acknowledgement: all of it but the sender id and the
    /// content.
    fn from(m: api::ChannelMessage) -> Self {
        ChannelMessageAck {
            channel_id: m.channel_id,
            message_id: m.message_id,
            code: m.code,
            username: m.username,
            create_time: m.create_time,
            update_time: m.update_time,
            persistent: m.persistent,
            room_name: m.room_name,
            group_id: m.group_id,
            user_id_one: m.user_id_one,
            user_id_two: m.user_id_two,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for name in ALL {
            assert!(seen.insert(*name), "duplicate {name}");
            assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
        assert_eq!(StorageRead::NAME, "storage_read");
    }

    #[test]
    fn channel_types_are_named_and_acks_leave_out_sender_and_content() {
        let args = ChannelIdBuildArgs {
            channel_type: ChannelType::Direct,
            ..Default::default()
        };
        let json = serde_json::to_value(&args).unwrap();
        assert_eq!(json["channel_type"], "direct");
        let back: ChannelIdBuildArgs = serde_json::from_str(r#"{"target":"t"}"#).unwrap();
        assert_eq!(back.channel_type, ChannelType::Room);
        let ack = ChannelMessageAck::from(api::ChannelMessage {
            channel_id: "2...r".into(),
            message_id: "m".into(),
            code: Some(0),
            sender_id: "s".into(),
            content: "{}".into(),
            persistent: Some(false),
            room_name: "r".into(),
            ..Default::default()
        });
        assert_eq!(
            serde_json::to_value(&ack).unwrap(),
            serde_json::json!({"channel_id": "2...r", "message_id": "m", "code": 0,
                               "persistent": false, "room_name": "r"})
        );
    }

    #[test]
    fn a_group_is_created_for_100_members_unless_told() {
        let a: GroupCreateArgs = serde_json::from_str(r#"{"user_id":"u","name":"n"}"#).unwrap();
        assert_eq!((a.max_count, a.open, a.metadata), (100, false, None));
        let l: GroupUsersListArgs = serde_json::from_str(r#"{"group_id":"g"}"#).unwrap();
        assert_eq!(l.state, None);
    }

    #[test]
    fn args_decode_with_missing_fields() {
        let w: StorageWriteOp = serde_json::from_str(r#"{"collection":"c","key":"k"}"#).unwrap();
        assert_eq!(w.permission_read, 0);
        assert_eq!(w.version, "");
    }
}
