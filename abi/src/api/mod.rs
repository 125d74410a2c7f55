//! Nakama's client API messages (package `nakama.api` of nakama-common
//! v1.47.0) as plain serde structs.
//!
//! The JSON form is the one Nakama's HTTP gateway speaks (proto3 JSON with
//! proto field names):
//!
//! * every field is optional on input: missing fields take their default and
//!   unknown fields are ignored;
//! * fields holding their default value are left out on output (so
//!   `"created": false` never appears);
//! * `int64` fields are JSON strings on output; strings and numbers are both
//!   accepted on input;
//! * wrapper types (`BoolValue`, `StringValue`, `Int32Value`, ...) are
//!   `Option`s written as the bare value; timestamps are `Option<String>` in
//!   RFC 3339; message-typed fields are `Option<Message>`;
//! * enums are `i32` (the gateway writes numbers); the named values live in
//!   [`operator`], [`store_provider`], [`store_environment`] and in associated
//!   constants such as [`Friend::BLOCKED`] and [`GroupUser::ADMIN`]. Enum
//!   fields also accept the value's name on input; a name they do not know
//!   reads as 0 (unset), as protojson reads it;
//! * the kinds JSON does not show (int64, enums, timestamps) are read
//!   through the newtype names of [`serde_helpers::kind`], so that a
//!   deserializer with protojson's rules (the dev host's gateway) can check
//!   them as protojson does; serde_json passes them through.
//!
//! Nested proto messages are named by their own name: `FriendOfFriend`,
//! `GroupUser`, `UserGroup`, `LeaderboardRecordWrite`, `TournamentRecordWrite`.

pub mod serde_helpers;

mod account;
mod auth;
mod friends;
mod groups;
mod leaderboards;
mod matches;
mod misc;
mod notifications;
mod purchases;
mod storage;
mod tournaments;

pub use account::{
    Account, AccountApple, AccountCustom, AccountDevice, AccountEmail, AccountFacebook,
    AccountFacebookInstantGame, AccountGameCenter, AccountGoogle, AccountRefresh, AccountSteam,
    GetUsersRequest, LinkFacebookRequest, LinkSteamRequest, UpdateAccountRequest, User, Users,
};
pub use auth::{
    AuthenticateAppleRequest, AuthenticateCustomRequest, AuthenticateDeviceRequest,
    AuthenticateEmailRequest, AuthenticateFacebookInstantGameRequest, AuthenticateFacebookRequest,
    AuthenticateGameCenterRequest, AuthenticateGoogleRequest, AuthenticateSteamRequest, Session,
    SessionLogoutRequest, SessionRefreshRequest,
};
pub use friends::{
    AddFriendsRequest, BlockFriendsRequest, DeleteFriendsRequest, Friend, FriendList,
    FriendOfFriend, FriendsOfFriendsList, ImportFacebookFriendsRequest, ImportSteamFriendsRequest,
    ListFriendsOfFriendsRequest, ListFriendsRequest,
};
pub use groups::{
    AddGroupUsersRequest, BanGroupUsersRequest, CreateGroupRequest, DeleteGroupRequest,
    DemoteGroupUsersRequest, Group, GroupList, GroupUser, GroupUserList, JoinGroupRequest,
    KickGroupUsersRequest, LeaveGroupRequest, ListGroupUsersRequest, ListGroupsRequest,
    ListUserGroupsRequest, PromoteGroupUsersRequest, UpdateGroupRequest, UserGroup, UserGroupList,
};
pub use leaderboards::{
    operator, DeleteLeaderboardRecordRequest, Leaderboard, LeaderboardList, LeaderboardRecord,
    LeaderboardRecordList, LeaderboardRecordWrite, ListLeaderboardRecordsAroundOwnerRequest,
    ListLeaderboardRecordsRequest, WriteLeaderboardRecordRequest,
};
pub use matches::{
    ListMatchesRequest, ListPartiesRequest, Match, MatchList, MatchmakerCompletionStats,
    MatchmakerStats, Party, PartyList,
};
pub use misc::{ChannelMessage, ChannelMessageList, Event, ListChannelMessagesRequest, Rpc};
pub use notifications::{
    DeleteNotificationsRequest, ListNotificationsRequest, Notification, NotificationList,
};
pub use purchases::{
    store_environment, store_provider, GetSubscriptionRequest, ListSubscriptionsRequest,
    PurchaseList, SubscriptionList, ValidatePurchaseAppleRequest,
    ValidatePurchaseFacebookInstantRequest, ValidatePurchaseGoogleRequest,
    ValidatePurchaseHuaweiRequest, ValidatePurchaseResponse, ValidatePurchaseSamsungRequest,
    ValidateSubscriptionAppleRequest, ValidateSubscriptionGoogleRequest,
    ValidateSubscriptionResponse, ValidatedPurchase, ValidatedSubscription,
};
pub use storage::{
    DeleteStorageObjectId, DeleteStorageObjectsRequest, ListStorageObjectsRequest,
    ReadStorageObjectId, ReadStorageObjectsRequest, StorageObject, StorageObjectAck,
    StorageObjectAcks, StorageObjectList, StorageObjects, WriteStorageObject,
    WriteStorageObjectsRequest, STORAGE_PERMISSION_NO_READ, STORAGE_PERMISSION_NO_WRITE,
    STORAGE_PERMISSION_OWNER_READ, STORAGE_PERMISSION_OWNER_WRITE, STORAGE_PERMISSION_PUBLIC_READ,
};
pub use tournaments::{
    DeleteTournamentRecordRequest, JoinTournamentRequest, ListTournamentRecordsAroundOwnerRequest,
    ListTournamentRecordsRequest, ListTournamentsRequest, Tournament, TournamentList,
    TournamentRecordList, TournamentRecordWrite, WriteTournamentRecordRequest,
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn to_value<T: serde::Serialize>(v: &T) -> Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn defaults_are_omitted() {
        let s = Session {
            created: false,
            token: "t".into(),
            refresh_token: "r".into(),
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"token":"t","refresh_token":"r"}"#
        );
        let s = Session { created: true, ..s };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"created":true,"token":"t","refresh_token":"r"}"#
        );
        assert_eq!(serde_json::to_string(&Account::default()).unwrap(), "{}");
        assert_eq!(serde_json::to_string(&User::default()).unwrap(), "{}");
        assert_eq!(
            serde_json::to_string(&StorageObject::default()).unwrap(),
            "{}"
        );
        assert_eq!(serde_json::to_string(&Tournament::default()).unwrap(), "{}");
        assert_eq!(
            serde_json::to_string(&LeaderboardRecord::default()).unwrap(),
            "{}"
        );
        assert_eq!(
            serde_json::to_string(&ValidatedSubscription::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn missing_fields_default_and_unknown_fields_ignored() {
        let s: Session = serde_json::from_str(r#"{"token":"a","whatever":[1,2],"x":{}}"#).unwrap();
        assert_eq!(
            s,
            Session {
                created: false,
                token: "a".into(),
                refresh_token: String::new(),
            }
        );
        let a: Account = serde_json::from_str("{}").unwrap();
        assert_eq!(a, Account::default());
    }

    #[test]
    fn int64_written_as_string_and_read_from_either() {
        let r = LeaderboardRecord {
            leaderboard_id: "lb".into(),
            score: 9_007_199_254_740_993,
            subscore: -5,
            rank: 1,
            ..Default::default()
        };
        let v = to_value(&r);
        assert_eq!(
            v,
            json!({"leaderboard_id":"lb","score":"9007199254740993","subscore":"-5","rank":"1"})
        );
        let back: LeaderboardRecord = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);

        let from_numbers: LeaderboardRecord =
            serde_json::from_str(r#"{"score":42,"subscore":-7,"rank":"3","rank_count":1}"#)
                .unwrap();
        assert_eq!(from_numbers.score, 42);
        assert_eq!(from_numbers.subscore, -7);
        assert_eq!(from_numbers.rank, 3);

        let big: LeaderboardRecord =
            serde_json::from_str(r#"{"score":"9223372036854775807"}"#).unwrap();
        assert_eq!(big.score, i64::MAX);
        assert!(serde_json::from_str::<LeaderboardRecord>(r#"{"score":"abc"}"#).is_err());
        assert!(
            serde_json::from_str::<LeaderboardRecord>(r#"{"score":"9223372036854775808"}"#)
                .is_err()
        );
        let gc: AccountGameCenter = serde_json::from_str(r#"{"timestamp_seconds":1e3}"#).unwrap();
        assert_eq!(gc.timestamp_seconds, 1000);
    }

    #[test]
    fn int64_wrapper_is_optional_string() {
        let r = ListLeaderboardRecordsRequest {
            leaderboard_id: "lb".into(),
            expiry: Some(0),
            ..Default::default()
        };
        assert_eq!(to_value(&r), json!({"leaderboard_id":"lb","expiry":"0"}));
        let none: ListLeaderboardRecordsRequest =
            serde_json::from_str(r#"{"leaderboard_id":"lb"}"#).unwrap();
        assert_eq!(none.expiry, None);
        let null: ListLeaderboardRecordsRequest =
            serde_json::from_str(r#"{"expiry":null}"#).unwrap();
        assert_eq!(null.expiry, None);
        let num: ListTournamentRecordsAroundOwnerRequest =
            serde_json::from_str(r#"{"expiry":17,"limit":10}"#).unwrap();
        assert_eq!(num.expiry, Some(17));
        assert_eq!(num.limit, Some(10));
    }

    #[test]
    fn wrappers_are_bare_values() {
        let json = r#"{"account":{"id":"x"},"create":true,"username":"u"}"#;
        let req: AuthenticateCustomRequest = serde_json::from_str(json).unwrap();
        assert_eq!(
            req,
            AuthenticateCustomRequest {
                account: Some(AccountCustom {
                    id: "x".into(),
                    vars: Default::default(),
                }),
                create: Some(true),
                username: "u".into(),
            }
        );
        assert_eq!(serde_json::to_string(&req).unwrap(), json);

        // An explicit false survives, unlike a plain bool.
        let req = AuthenticateCustomRequest {
            create: Some(false),
            ..Default::default()
        };
        assert_eq!(serde_json::to_string(&req).unwrap(), r#"{"create":false}"#);

        let upd: UpdateAccountRequest =
            serde_json::from_str(r#"{"display_name":"","location":null}"#).unwrap();
        assert_eq!(upd.display_name.as_deref(), Some(""));
        assert_eq!(upd.location, None);
        assert_eq!(upd.username, None);

        let w = WriteStorageObject {
            collection: "c".into(),
            key: "k".into(),
            value: "{}".into(),
            permission_read: Some(0),
            ..Default::default()
        };
        assert_eq!(
            to_value(&w),
            json!({"collection":"c","key":"k","value":"{}","permission_read":0})
        );
    }

    #[test]
    fn maps_round_trip() {
        let json = r#"{"token":"rt","vars":{"a":"1"}}"#;
        let r: SessionRefreshRequest = serde_json::from_str(json).unwrap();
        assert_eq!(r.vars.get("a").map(String::as_str), Some("1"));
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
    }

    #[test]
    fn enums_are_numbers_and_names_are_accepted() {
        let w = WriteLeaderboardRecordRequest {
            leaderboard_id: "lb".into(),
            record: Some(LeaderboardRecordWrite {
                score: 10,
                operator: operator::INCREMENT,
                ..Default::default()
            }),
        };
        let v = to_value(&w);
        assert_eq!(
            v,
            json!({"leaderboard_id":"lb","record":{"score":"10","operator":3}})
        );
        assert_eq!(
            serde_json::from_value::<WriteLeaderboardRecordRequest>(v).unwrap(),
            w
        );

        let named: TournamentRecordWrite =
            serde_json::from_str(r#"{"operator":"DECREMENT"}"#).unwrap();
        assert_eq!(named.operator, operator::DECREMENT);
        let p: ValidatedPurchase =
            serde_json::from_str(r#"{"store":"GOOGLE_PLAY_STORE","environment":2}"#).unwrap();
        assert_eq!(p.store, store_provider::GOOGLE_PLAY_STORE);
        assert_eq!(p.environment, store_environment::PRODUCTION);
        // An unknown name leaves the field unset, as protojson does; so
        // does a number in a string (protojson takes it for a name).
        for unknown in [r#"{"store":"NOPE"}"#, r#"{"store":"1"}"#] {
            let p: ValidatedPurchase = serde_json::from_str(unknown).unwrap();
            assert_eq!(p.store, 0, "{unknown}");
        }
        let integral: TournamentRecordWrite = serde_json::from_str(r#"{"operator":1.0}"#).unwrap();
        assert_eq!(integral.operator, operator::BEST);
        assert!(serde_json::from_str::<TournamentRecordWrite>(r#"{"operator":1.5}"#).is_err());
        assert_eq!(Friend::BLOCKED, 3);
        assert_eq!(GroupUser::JOIN_REQUEST, 3);
    }

    #[test]
    fn golden_storage_shapes_decode() {
        // Shaped like the recorded `storage_write_new` and `storage_read_own` answers.
        let acks: StorageObjectAcks = serde_json::from_str(
            r#"{"acks":[{"collection":"saves","key":"slot1","version":"0def569d6eda5da7c16772a5a86adfbd","user_id":"7f0c2d6e-1f7b-4a52-9a43-6a1b8d1c0e11","create_time":"2026-11-24T10:46:04Z","update_time":"2026-11-24T10:46:04Z"}]}"#,
        )
        .unwrap();
        assert_eq!(acks.acks.len(), 1);
        assert_eq!(acks.acks[0].key, "slot1");
        assert_eq!(
            acks.acks[0].create_time.as_deref(),
            Some("2026-11-24T10:46:04Z")
        );

        let body = r#"{"objects":[{"collection":"saves","key":"slot1","user_id":"7f0c2d6e-1f7b-4a52-9a43-6a1b8d1c0e11","value":"{\"hp\": 10}","version":"0def569d6eda5da7c16772a5a86adfbd","permission_read":1,"permission_write":1,"create_time":"2026-11-24T10:46:04Z","update_time":"2026-11-24T10:46:04Z"}]}"#;
        let objs: StorageObjects = serde_json::from_str(body).unwrap();
        let o = &objs.objects[0];
        assert_eq!(o.value, r#"{"hp": 10}"#);
        assert_eq!(o.permission_read, STORAGE_PERMISSION_OWNER_READ);
        assert_eq!(o.permission_write, STORAGE_PERMISSION_OWNER_WRITE);
        // Re-encoding gives back the same keys in the same order.
        assert_eq!(serde_json::to_string(&objs).unwrap(), body);

        // A read-0 object omits permission_read; an empty result is `{}`.
        let o = StorageObject {
            collection: "c".into(),
            key: "k".into(),
            permission_write: 1,
            ..Default::default()
        };
        assert_eq!(
            to_value(&o),
            json!({"collection":"c","key":"k","permission_write":1})
        );
        assert_eq!(
            serde_json::to_string(&StorageObjects::default()).unwrap(),
            "{}"
        );

        let list: StorageObjectList =
            serde_json::from_str(r#"{"objects":[],"cursor":"abc"}"#).unwrap();
        assert_eq!(list.cursor, "abc");
    }

    #[test]
    fn account_shape() {
        let a: Account = serde_json::from_str(
            r#"{"user":{"id":"u1","username":"bob","lang_tag":"en","metadata":"{}","create_time":"2026-01-01T00:00:00Z","online":true,"edge_count":2},"wallet":"{}","devices":[{"id":"dev-123456"}],"custom_id":"cid-1"}"#,
        )
        .unwrap();
        let u = a.user.as_ref().unwrap();
        assert_eq!(u.username, "bob");
        assert!(u.online);
        assert_eq!(u.edge_count, 2);
        assert_eq!(a.devices[0].id, "dev-123456");
        assert_eq!(a.wallet, "{}");
        assert_eq!(a.email, "");
    }

    #[test]
    fn nested_lists() {
        let g: GroupUserList = serde_json::from_str(
            r#"{"group_users":[{"user":{"id":"a"},"state":0},{"user":{"id":"b"},"state":2}],"cursor":"c"}"#,
        )
        .unwrap();
        assert_eq!(g.group_users[0].state, Some(GroupUser::SUPERADMIN));
        assert_eq!(g.group_users[1].state, Some(GroupUser::MEMBER));
        // A zero-valued wrapper is still written.
        assert_eq!(
            to_value(&g.group_users[0]),
            json!({"user":{"id":"a"},"state":0})
        );
        let f: FriendsOfFriendsList =
            serde_json::from_str(r#"{"friends_of_friends":[{"referrer":"r","user":{"id":"x"}}]}"#)
                .unwrap();
        assert_eq!(f.friends_of_friends[0].referrer, "r");
    }
}
