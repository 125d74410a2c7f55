//! The 82 client API calls a module can hook before and after, with the
//! message types each one takes and answers (nakama-common v1.47.0,
//! `RegisterBefore*` / `RegisterAfter*` in `runtime/runtime.go`).
//!
//! Hook ids as Nakama logs and routes them are the method names in lower case
//! (`authenticatecustom`); [`canonical_name`] maps such an id back.

use std::any::TypeId;

use serde::{de::DeserializeOwned, Serialize};

/// What an after hook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterShape {
    /// The call's answer and the request it ran with.
    OutAndIn,
    /// Only the request (calls that answer nothing).
    InOnly,
    /// Only the answer (GetAccount, GetMatchmakerStats, ListFriends,
    /// ListFriendsOfFriends).
    OutOnly,
    /// Nothing but the context (DeleteAccount).
    Nothing,
}

/// Implemented by one marker type per hookable API call.
pub trait Hook: Send + Sync + 'static {
    /// The API method name, e.g. "AuthenticateCustom".
    const NAME: &'static str;
    /// Request of the call (what a before hook gets and returns); `()` for the
    /// three calls that take no input (GetAccount, DeleteAccount, GetMatchmakerStats).
    type Request: Serialize + DeserializeOwned + Default + Send + 'static;
    /// What the call answers; `()` when it answers google.protobuf.Empty.
    type Response: Serialize + DeserializeOwned + Default + Send + 'static;
    /// What the after hook receives (from nakama-common's RegisterAfter* signature).
    const AFTER: AfterShape;
    /// A realtime message ([`crate::rtapi::hook`], hooked with
    /// `#[before_rt]` / `#[after_rt]`) rather than an API call.
    const REALTIME: bool = false;
}

/// Calls `$m!` once with the whole hook table, one entry per hookable call:
/// `(Name, RequestType, ResponseType, AfterShapeVariant)`, in the order
/// nakama-common declares them. `()` stands for "no input" (request) or
/// `google.protobuf.Empty` (response); the shape is an [`AfterShape`]
/// variant name.
///
/// ```
/// macro_rules! names {
///     ($(($name:ident, $req:ty, $resp:ty, $shape:ident)),* $(,)?) => {
///         &[$(stringify!($name)),*]
///     };
/// }
/// const ALL: &[&str] = nakama_runtime_abi::nakama_for_each_hook!(names);
/// assert_eq!(ALL.len(), 82);
/// assert_eq!(ALL[0], "GetAccount");
/// ```
#[macro_export]
macro_rules! nakama_for_each_hook {
    ($m:ident) => {
        $m! {
            (GetAccount, (), $crate::api::Account, OutOnly),
            (UpdateAccount, $crate::api::UpdateAccountRequest, (), InOnly),
            (DeleteAccount, (), (), Nothing),
            (SessionRefresh, $crate::api::SessionRefreshRequest, $crate::api::Session, OutAndIn),
            (SessionLogout, $crate::api::SessionLogoutRequest, (), InOnly),
            (AuthenticateApple, $crate::api::AuthenticateAppleRequest, $crate::api::Session, OutAndIn),
            (AuthenticateCustom, $crate::api::AuthenticateCustomRequest, $crate::api::Session, OutAndIn),
            (AuthenticateDevice, $crate::api::AuthenticateDeviceRequest, $crate::api::Session, OutAndIn),
            (AuthenticateEmail, $crate::api::AuthenticateEmailRequest, $crate::api::Session, OutAndIn),
            (AuthenticateFacebook, $crate::api::AuthenticateFacebookRequest, $crate::api::Session, OutAndIn),
            (AuthenticateFacebookInstantGame, $crate::api::AuthenticateFacebookInstantGameRequest, $crate::api::Session, OutAndIn),
            (AuthenticateGameCenter, $crate::api::AuthenticateGameCenterRequest, $crate::api::Session, OutAndIn),
            (AuthenticateGoogle, $crate::api::AuthenticateGoogleRequest, $crate::api::Session, OutAndIn),
            (AuthenticateSteam, $crate::api::AuthenticateSteamRequest, $crate::api::Session, OutAndIn),
            (ListChannelMessages, $crate::api::ListChannelMessagesRequest, $crate::api::ChannelMessageList, OutAndIn),
            (ListFriends, $crate::api::ListFriendsRequest, $crate::api::FriendList, OutOnly),
            (ListFriendsOfFriends, $crate::api::ListFriendsOfFriendsRequest, $crate::api::FriendsOfFriendsList, OutOnly),
            (AddFriends, $crate::api::AddFriendsRequest, (), InOnly),
            (DeleteFriends, $crate::api::DeleteFriendsRequest, (), InOnly),
            (BlockFriends, $crate::api::BlockFriendsRequest, (), InOnly),
            (ImportFacebookFriends, $crate::api::ImportFacebookFriendsRequest, (), InOnly),
            (ImportSteamFriends, $crate::api::ImportSteamFriendsRequest, (), InOnly),
            (CreateGroup, $crate::api::CreateGroupRequest, $crate::api::Group, OutAndIn),
            (UpdateGroup, $crate::api::UpdateGroupRequest, (), InOnly),
            (DeleteGroup, $crate::api::DeleteGroupRequest, (), InOnly),
            (JoinGroup, $crate::api::JoinGroupRequest, (), InOnly),
            (LeaveGroup, $crate::api::LeaveGroupRequest, (), InOnly),
            (AddGroupUsers, $crate::api::AddGroupUsersRequest, (), InOnly),
            (BanGroupUsers, $crate::api::BanGroupUsersRequest, (), InOnly),
            (KickGroupUsers, $crate::api::KickGroupUsersRequest, (), InOnly),
            (PromoteGroupUsers, $crate::api::PromoteGroupUsersRequest, (), InOnly),
            (DemoteGroupUsers, $crate::api::DemoteGroupUsersRequest, (), InOnly),
            (ListGroupUsers, $crate::api::ListGroupUsersRequest, $crate::api::GroupUserList, OutAndIn),
            (ListUserGroups, $crate::api::ListUserGroupsRequest, $crate::api::UserGroupList, OutAndIn),
            (ListGroups, $crate::api::ListGroupsRequest, $crate::api::GroupList, OutAndIn),
            (DeleteLeaderboardRecord, $crate::api::DeleteLeaderboardRecordRequest, (), InOnly),
            (DeleteTournamentRecord, $crate::api::DeleteTournamentRecordRequest, (), InOnly),
            (ListLeaderboardRecords, $crate::api::ListLeaderboardRecordsRequest, $crate::api::LeaderboardRecordList, OutAndIn),
            (WriteLeaderboardRecord, $crate::api::WriteLeaderboardRecordRequest, $crate::api::LeaderboardRecord, OutAndIn),
            (ListLeaderboardRecordsAroundOwner, $crate::api::ListLeaderboardRecordsAroundOwnerRequest, $crate::api::LeaderboardRecordList, OutAndIn),
            (LinkApple, $crate::api::AccountApple, (), InOnly),
            (LinkCustom, $crate::api::AccountCustom, (), InOnly),
            (LinkDevice, $crate::api::AccountDevice, (), InOnly),
            (LinkEmail, $crate::api::AccountEmail, (), InOnly),
            (LinkFacebook, $crate::api::LinkFacebookRequest, (), InOnly),
            (LinkFacebookInstantGame, $crate::api::AccountFacebookInstantGame, (), InOnly),
            (LinkGameCenter, $crate::api::AccountGameCenter, (), InOnly),
            (LinkGoogle, $crate::api::AccountGoogle, (), InOnly),
            (LinkSteam, $crate::api::LinkSteamRequest, (), InOnly),
            (ListMatches, $crate::api::ListMatchesRequest, $crate::api::MatchList, OutAndIn),
            (GetMatchmakerStats, (), $crate::api::MatchmakerStats, OutOnly),
            (ListNotifications, $crate::api::ListNotificationsRequest, $crate::api::NotificationList, OutAndIn),
            (DeleteNotifications, $crate::api::DeleteNotificationsRequest, (), InOnly),
            (ListStorageObjects, $crate::api::ListStorageObjectsRequest, $crate::api::StorageObjectList, OutAndIn),
            (ReadStorageObjects, $crate::api::ReadStorageObjectsRequest, $crate::api::StorageObjects, OutAndIn),
            (WriteStorageObjects, $crate::api::WriteStorageObjectsRequest, $crate::api::StorageObjectAcks, OutAndIn),
            (DeleteStorageObjects, $crate::api::DeleteStorageObjectsRequest, (), InOnly),
            (JoinTournament, $crate::api::JoinTournamentRequest, (), InOnly),
            (ListTournamentRecords, $crate::api::ListTournamentRecordsRequest, $crate::api::TournamentRecordList, OutAndIn),
            (ListTournaments, $crate::api::ListTournamentsRequest, $crate::api::TournamentList, OutAndIn),
            (WriteTournamentRecord, $crate::api::WriteTournamentRecordRequest, $crate::api::LeaderboardRecord, OutAndIn),
            (ListTournamentRecordsAroundOwner, $crate::api::ListTournamentRecordsAroundOwnerRequest, $crate::api::TournamentRecordList, OutAndIn),
            (ValidatePurchaseApple, $crate::api::ValidatePurchaseAppleRequest, $crate::api::ValidatePurchaseResponse, OutAndIn),
            (ValidateSubscriptionApple, $crate::api::ValidateSubscriptionAppleRequest, $crate::api::ValidateSubscriptionResponse, OutAndIn),
            (ValidatePurchaseGoogle, $crate::api::ValidatePurchaseGoogleRequest, $crate::api::ValidatePurchaseResponse, OutAndIn),
            (ValidateSubscriptionGoogle, $crate::api::ValidateSubscriptionGoogleRequest, $crate::api::ValidateSubscriptionResponse, OutAndIn),
            (ValidatePurchaseHuawei, $crate::api::ValidatePurchaseHuaweiRequest, $crate::api::ValidatePurchaseResponse, OutAndIn),
            (ValidatePurchaseFacebookInstant, $crate::api::ValidatePurchaseFacebookInstantRequest, $crate::api::ValidatePurchaseResponse, OutAndIn),
            (ValidatePurchaseSamsung, $crate::api::ValidatePurchaseSamsungRequest, $crate::api::ValidatePurchaseResponse, OutAndIn),
            (ListSubscriptions, $crate::api::ListSubscriptionsRequest, $crate::api::SubscriptionList, OutAndIn),
            (GetSubscription, $crate::api::GetSubscriptionRequest, $crate::api::ValidatedSubscription, OutAndIn),
            (UnlinkApple, $crate::api::AccountApple, (), InOnly),
            (UnlinkCustom, $crate::api::AccountCustom, (), InOnly),
            (UnlinkDevice, $crate::api::AccountDevice, (), InOnly),
            (UnlinkEmail, $crate::api::AccountEmail, (), InOnly),
            (UnlinkFacebook, $crate::api::AccountFacebook, (), InOnly),
            (UnlinkFacebookInstantGame, $crate::api::AccountFacebookInstantGame, (), InOnly),
            (UnlinkGameCenter, $crate::api::AccountGameCenter, (), InOnly),
            (UnlinkGoogle, $crate::api::AccountGoogle, (), InOnly),
            (UnlinkSteam, $crate::api::AccountSteam, (), InOnly),
            (GetUsers, $crate::api::GetUsersRequest, $crate::api::Users, OutAndIn),
            (ListParties, $crate::api::ListPartiesRequest, $crate::api::PartyList, OutAndIn),
        }
    };
}

/// True unless the request type is `()` (a before hook without input).
fn takes_input<T: 'static>() -> bool {
    TypeId::of::<T>() != TypeId::of::<()>()
}

/// The `hook` module of marker types, one per row of a hook table (the
/// API calls' here, the realtime messages' in [`crate::rtapi`]), each
/// named as its call or message; `$realtime` is their [`Hook::REALTIME`].
macro_rules! hook_markers {
    ($realtime:literal, $what:literal; $(($name:ident, $req:ty, $resp:ty, $shape:ident)),* $(,)?) => {
        #[doc = concat!("Marker types, one per ", $what, ", named as it.")]
        pub mod hook {
            use $crate::hooks::{AfterShape, Hook};

            $(
                #[doc = concat!("The `", stringify!($name), "` ", $what, ".")]
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
                pub struct $name;

                impl Hook for $name {
                    const NAME: &'static str = stringify!($name);
                    type Request = $req;
                    type Response = $resp;
                    const AFTER: AfterShape = AfterShape::$shape;
                    const REALTIME: bool = $realtime;
                }
            )*
        }
    };
}
pub(crate) use hook_markers;

macro_rules! define_hooks {
    ($(($name:ident, $req:ty, $resp:ty, $shape:ident)),* $(,)?) => {
        hook_markers!(false, "API call"; $(($name, $req, $resp, $shape)),*);

        /// Every hook name, in the order of the table.
        pub const HOOK_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Looks a hook up by name (exact, e.g. "AuthenticateCustom") and
        /// answers whether its before hook takes input, and its after shape.
        pub fn shape(name: &str) -> Option<(bool, AfterShape)> {
            match name {
                $(stringify!($name) => Some((takes_input::<$req>(), AfterShape::$shape)),)*
                _ => None,
            }
        }
    };
}

nakama_for_each_hook!(define_hooks);

/// Maps a hook id in any letter case (Nakama uses the lower-cased method
/// name, e.g. `authenticatecustom`) to its canonical name.
pub fn canonical_name(id: &str) -> Option<&'static str> {
    HOOK_NAMES
        .iter()
        .copied()
        .find(|name| name.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_has_82_unique_names() {
        assert_eq!(HOOK_NAMES.len(), 82);
        let set: HashSet<_> = HOOK_NAMES.iter().collect();
        assert_eq!(set.len(), 82);
        let lower: HashSet<_> = HOOK_NAMES.iter().map(|n| n.to_lowercase()).collect();
        assert_eq!(lower.len(), 82);
    }

    #[test]
    fn shapes() {
        assert_eq!(
            shape("AuthenticateCustom"),
            Some((true, AfterShape::OutAndIn))
        );
        assert_eq!(shape("GetAccount"), Some((false, AfterShape::OutOnly)));
        assert_eq!(shape("DeleteAccount"), Some((false, AfterShape::Nothing)));
        assert_eq!(
            shape("GetMatchmakerStats"),
            Some((false, AfterShape::OutOnly))
        );
        assert_eq!(shape("ListFriends"), Some((true, AfterShape::OutOnly)));
        assert_eq!(
            shape("ListFriendsOfFriends"),
            Some((true, AfterShape::OutOnly))
        );
        assert_eq!(shape("UpdateAccount"), Some((true, AfterShape::InOnly)));
        assert_eq!(shape("SessionLogout"), Some((true, AfterShape::InOnly)));
        assert_eq!(
            shape("WriteStorageObjects"),
            Some((true, AfterShape::OutAndIn))
        );
        assert_eq!(shape("authenticatecustom"), None);
        assert_eq!(shape("RpcFunc"), None);
        assert_eq!(shape("Event"), None);
        for name in HOOK_NAMES {
            assert!(shape(name).is_some(), "{name}");
        }
        let no_input: Vec<_> = HOOK_NAMES.iter().filter(|n| !shape(n).unwrap().0).collect();
        assert_eq!(
            no_input,
            [&"GetAccount", &"DeleteAccount", &"GetMatchmakerStats"]
        );
    }

    #[test]
    fn every_empty_answer_means_in_only_or_nothing() {
        macro_rules! check {
            ($(($name:ident, $req:ty, $resp:ty, $shape:ident)),* $(,)?) => {
                $(
                    let empty = TypeId::of::<$resp>() == TypeId::of::<()>();
                    let shape = AfterShape::$shape;
                    assert_eq!(
                        empty,
                        matches!(shape, AfterShape::InOnly | AfterShape::Nothing),
                        "{}",
                        stringify!($name)
                    );
                )*
            };
        }
        nakama_for_each_hook!(check);
    }

    #[test]
    fn marker_types() {
        fn info<H: Hook>() -> (&'static str, AfterShape) {
            (H::NAME, H::AFTER)
        }
        assert_eq!(
            info::<hook::AuthenticateCustom>(),
            ("AuthenticateCustom", AfterShape::OutAndIn)
        );
        assert_eq!(
            info::<hook::DeleteAccount>(),
            ("DeleteAccount", AfterShape::Nothing)
        );
        let req: <hook::AuthenticateCustom as Hook>::Request =
            serde_json::from_str(r#"{"account":{"id":"cid-123456"},"username":"u"}"#).unwrap();
        assert_eq!(req.account.unwrap().id, "cid-123456");
        type Out = <hook::AuthenticateCustom as Hook>::Response;
        let out = Out {
            created: true,
            token: "t".into(),
            refresh_token: "r".into(),
        };
        assert_eq!(
            serde_json::to_string(&out).unwrap(),
            r#"{"created":true,"token":"t","refresh_token":"r"}"#
        );
        // `()` (Empty) requests and answers round-trip through JSON `null`.
        serde_json::from_str::<<hook::GetAccount as Hook>::Request>("null").unwrap();
    }

    #[test]
    fn canonical_names() {
        assert_eq!(
            canonical_name("authenticatecustom"),
            Some("AuthenticateCustom")
        );
        assert_eq!(
            canonical_name("WRITESTORAGEOBJECTS"),
            Some("WriteStorageObjects")
        );
        assert_eq!(canonical_name("nope"), None);
    }
}

/// The macros crate keeps its own copy of this table (a proc-macro crate
/// cannot depend on this one's types); this test keeps the two equal.
#[cfg(test)]
mod macro_table_sync {
    use super::*;

    #[test]
    fn macro_hook_table_matches_this_one() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../nakama-runtime-macros/src/hook_table.rs"
        );
        let text = std::fs::read_to_string(path).expect("read the macros' hook table");
        let (api_table, rt_table) = text
            .split_once("RT_HOOKS;")
            .expect("the realtime table after the API one");
        let rows = |text: &str| -> Vec<(String, bool, String)> {
            text.lines()
                .map(str::trim)
                .filter(|l| l.starts_with('(') && l.ends_with("),"))
                .map(|l| {
                    let cols: Vec<&str> = l[1..l.len() - 2].split(", ").collect();
                    (cols[0].to_string(), cols[1] == "true", cols[2].to_string())
                })
                .collect()
        };
        let api_rows = rows(api_table);
        assert_eq!(
            api_rows.len(),
            HOOK_NAMES.len(),
            "the two tables list different hooks"
        );
        for (name, before_input, after) in api_rows {
            let (input, shape) = shape(&name).unwrap_or_else(|| panic!("{name} unknown here"));
            assert_eq!(before_input, input, "{name}: before-hook input differs");
            assert_eq!(after, format!("{shape:?}"), "{name}: after shape differs");
        }
        let rt_rows = rows(rt_table);
        let names: Vec<&str> = rt_rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, crate::rtapi::RT_HOOK_NAMES, "realtime tables differ");
        for (name, before_input, after) in rt_rows {
            let shape = crate::rtapi::after_shape(&name).unwrap();
            assert!(
                before_input,
                "{name}: every realtime hook takes its message"
            );
            assert_eq!(after, format!("{shape:?}"), "{name}: after shape differs");
        }
    }
}
