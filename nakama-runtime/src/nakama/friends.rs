//! The friends nk functions, as Nakama's `FriendsList`,
//! `FriendsOfFriendsList`, `FriendsAdd`, `FriendsDelete`, `FriendsBlock` and
//! `FriendMetadataUpdate`.

use nakama_runtime_abi::nk;
use serde_json::{Map, Value};

use super::Nakama;
use crate::Error;

fn strings<S: AsRef<str>>(list: &[S]) -> Vec<String> {
    list.iter().map(|s| s.as_ref().to_string()).collect()
}

impl Nakama {
    /// A page of `user_id`'s relationships (`FriendsList`): `limit` of them
    /// (1 to 1000), only those in `state` when given
    /// ([`crate::api::Friend::FRIEND`], `INVITE_SENT`, `INVITE_RECEIVED`,
    /// `BLOCKED`), ordered by state then by when each was formed, from
    /// `cursor` (the `cursor` of an earlier page listed with the same
    /// state) or the start. Each friend has the other user (with its
    /// `online` flag), the state, when it last changed and the metadata of
    /// `user_id`'s side.
    ///
    /// Refusals (`INVALID_ARGUMENT`): "expects user ID to be a valid
    /// identifier", "expects limit to be 1-1000", "expects state to be
    /// 0-3", "friend cursor invalid".
    pub async fn friends_list(
        &self,
        user_id: &str,
        limit: i32,
        state: Option<i32>,
        cursor: Option<&str>,
    ) -> Result<nk::FriendsPage, Error> {
        self.call::<nk::FriendsList>(&nk::FriendsListArgs {
            user_id: user_id.to_string(),
            limit,
            state,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// A page of the friends of `user_id`'s friends
    /// (`FriendsOfFriendsList`), `limit` of them (1 to 1000), each with the
    /// friend it was found through (`referrer`): neither `user_id` nor its
    /// friends, and a user found through two friends is listed twice. As
    /// in Nakama, the page a `cursor` gives lists only the rest of one
    /// friend's friends. Refusals as [`Nakama::friends_list`]'s.
    pub async fn friends_of_friends_list(
        &self,
        user_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<nk::FriendsOfFriendsPage, Error> {
        self.call::<nk::FriendsOfFriendsList>(&nk::FriendsOfFriendsListArgs {
            user_id: user_id.to_string(),
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// `user_id` (named `username`) adds the users of `ids` and `usernames`
    /// as friends (`FriendsAdd`): an invite to each (they get Nakama's
    /// notification, code -2, `<username> wants to add you as a friend`),
    /// or, when they invited `user_id`, an accepted friendship (code -3,
    /// `<username> accepted your friend request`). Users `user_id` blocked,
    /// users who blocked it, unknown users and existing relationships are
    /// left as they are. `metadata` is kept on `user_id`'s side (merged into
    /// it on an accept).
    ///
    /// Refusals (`INVALID_ARGUMENT`): "expects user ID to be a valid
    /// identifier", "cannot add self as friend", `invalid user ID '<id>'`,
    /// "username to add must not be empty", "no valid ID or username was
    /// provided" (only unknown usernames). Nothing named: nothing done.
    pub async fn friends_add<S: AsRef<str>>(
        &self,
        user_id: &str,
        username: &str,
        ids: &[S],
        usernames: &[S],
        metadata: Map<String, Value>,
    ) -> Result<(), Error> {
        self.call::<nk::FriendsAdd>(&nk::FriendsAddArgs {
            user_id: user_id.to_string(),
            username: username.to_string(),
            ids: strings(ids),
            usernames: strings(usernames),
            metadata,
        })
        .await
    }

    /// `user_id` removes the users of `ids` and `usernames`
    /// (`FriendsDelete`): a friendship or an invite either way goes on both
    /// sides (the other user gets Nakama's notification, code -9,
    /// `<username> removed you as a friend`), a block of `user_id`'s is
    /// lifted; a block of the other user's stays. Refusals as
    /// [`Nakama::friends_add`]'s, with "cannot delete self" and "username
    /// to delete must not be empty".
    pub async fn friends_delete<S: AsRef<str>>(
        &self,
        user_id: &str,
        username: &str,
        ids: &[S],
        usernames: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::FriendsDelete>(&change(user_id, username, ids, usernames))
            .await
    }

    /// `user_id` blocks the users of `ids` and `usernames` (`FriendsBlock`):
    /// its side of any relationship becomes a block, theirs goes (unless
    /// they blocked `user_id` too), and both leave their direct chat.
    /// Refusals as [`Nakama::friends_add`]'s, with "cannot block self" and
    /// "username to block must not be empty".
    pub async fn friends_block<S: AsRef<str>>(
        &self,
        user_id: &str,
        username: &str,
        ids: &[S],
        usernames: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::FriendsBlock>(&change(user_id, username, ids, usernames))
            .await
    }

    /// Replaces the metadata of `user_id`'s side of its relationship with
    /// `friend_user_id` (`FriendMetadataUpdate`); nothing when there is
    /// none. Refusals (`INVALID_ARGUMENT`): "expects user ID to be a valid
    /// identifier", "expects friend user ID to be a valid identifier".
    pub async fn friend_metadata_update(
        &self,
        user_id: &str,
        friend_user_id: &str,
        metadata: Map<String, Value>,
    ) -> Result<(), Error> {
        self.call::<nk::FriendMetadataUpdate>(&nk::FriendMetadataUpdateArgs {
            user_id: user_id.to_string(),
            friend_user_id: friend_user_id.to_string(),
            metadata,
        })
        .await
    }
}

fn change<S: AsRef<str>>(
    user_id: &str,
    username: &str,
    ids: &[S],
    usernames: &[S],
) -> nk::FriendsChangeArgs {
    nk::FriendsChangeArgs {
        user_id: user_id.to_string(),
        username: username.to_string(),
        ids: strings(ids),
        usernames: strings(usernames),
    }
}
