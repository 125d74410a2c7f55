//! Friends as Nakama 3.40.0 keeps them (server/core_friend.go), for the
//! client's routes (`crate::http`'s friend routes) and the nk functions:
//! the checks both start with, the database work ([`crate::db::friend`]),
//! and what follows it: the notifications a friend request, an accept and
//! a removal send (stored, and pushed to the user's open sockets), a
//! block's end of the two users' direct chat, and the `online` flag of the
//! users listed.

use nakama_runtime_host::abi::{api, nk};
use nakama_runtime_host::CallError;
use serde_json::Map;

use crate::channels::{go_uuid, Channels};
use crate::db::{self, friend, Db};
use crate::log::Logger;
use crate::online::Online;
use crate::status::Statuses;

/// Nakama's notification codes of friend requests, accepts and removals.
pub const NOTIFICATION_FRIEND_REQUEST: i32 = -2;
pub const NOTIFICATION_FRIEND_ACCEPT: i32 = -3;
pub const NOTIFICATION_FRIEND_REMOVE: i32 = -9;

/// What is done to the users a request names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Add,
    Delete,
    Block,
}

/// Why the users a request names were refused; the client's routes and
/// the nk functions word each their own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's own id or username.
    Myself,
    /// An id that is not a UUID, or the nil one.
    BadId(String),
    /// An empty username.
    EmptyUsername,
    /// Only usernames, none of a user.
    NoneValid,
    /// The database failed.
    Failed,
}

/// The host parts friends need; cheap to make (each is shared).
pub struct Friends {
    pub db: Db,
    pub online: Online,
    pub channels: Channels,
    pub status: Statuses,
    pub log: Logger,
}

impl Friends {
    /// The ids of the users a request names (`ids`, then the users of
    /// `usernames`), after Nakama's checks, in its order: `None` when it
    /// names nobody. `me` / `my_name` are the caller's id and username.
    pub async fn targets(
        &self,
        me: &str,
        my_name: &str,
        ids: &[String],
        usernames: &[String],
    ) -> Result<Option<Vec<String>>, Refusal> {
        if ids.is_empty() && usernames.is_empty() {
            return Ok(None);
        }
        for id in ids {
            if id == me {
                return Err(Refusal::Myself);
            }
            if go_uuid(id).is_none_or(|u| u.is_nil()) {
                return Err(Refusal::BadId(id.clone()));
            }
        }
        for name in usernames {
            if name.is_empty() {
                return Err(Refusal::EmptyUsername);
            }
            if name == my_name {
                return Err(Refusal::Myself);
            }
        }
        let names = usernames.to_vec();
        let found = self
            .db
            .run(move |c| friend::ids_by_username(c, &names))
            .await
            .map_err(|_| Refusal::Failed)?;
        if found.is_empty() && ids.is_empty() {
            return Err(Refusal::NoneValid);
        }
        let mut all = ids.to_vec();
        all.extend(found);
        Ok(Some(all))
    }

    /// Adds, deletes or blocks `targets` for `me` (named `my_name`), then
    /// notifies and ends direct chats as Nakama does. `metadata` (JSON
    /// text, empty for none) is an add's.
    pub async fn change(
        &self,
        what: Change,
        me: &str,
        my_name: &str,
        targets: Vec<String>,
        metadata: String,
    ) -> Result<(), CallError> {
        let user = me.to_string();
        match what {
            Change::Add => {
                let added = self
                    .db
                    .run(move |c| friend::add(c, &user, &targets, &metadata))
                    .await?;
                for (to, accepted) in added {
                    let (code, subject) = if accepted {
                        (
                            NOTIFICATION_FRIEND_ACCEPT,
                            format!("{my_name} accepted your friend request"),
                        )
                    } else {
                        (
                            NOTIFICATION_FRIEND_REQUEST,
                            format!("{my_name} wants to add you as a friend"),
                        )
                    };
                    self.notify(me, my_name, to, code, subject).await;
                }
            }
            Change::Delete => {
                let removed = self
                    .db
                    .run(move |c| friend::delete(c, &user, &targets))
                    .await?;
                for to in removed {
                    let subject = format!("{my_name} removed you as a friend");
                    self.notify(me, my_name, to, NOTIFICATION_FRIEND_REMOVE, subject)
                        .await;
                }
            }
            Change::Block => {
                let blocked = self
                    .db
                    .run(move |c| friend::block(c, &user, &targets))
                    .await?;
                for other in blocked {
                    self.channels.drop_direct(me, &other);
                }
            }
        }
        Ok(())
    }

    /// A friend notification from `me` to `to`: stored, and pushed to
    /// their open sockets; a failure is logged (Nakama's `AddFriends` does
    /// not fail for it either).
    async fn notify(&self, me: &str, my_name: &str, to: String, code: i32, subject: String) {
        let mut content = Map::new();
        content.insert("username".into(), my_name.into());
        let send = nk::NotificationSendArgs {
            user_id: to.clone(),
            subject,
            content,
            code,
            sender_id: me.to_string(),
            persistent: true,
        };
        match self.db.run(move |c| db::notification_send(c, &send)).await {
            Ok(n) => self.online.notify(&to, vec![n]),
            Err(e) => self.log.error(
                "Could not save notifications.",
                &[("error", e.message.into())],
            ),
        }
    }

    /// A page of `me`'s relationships (see [`friend::list`]), the users'
    /// `online` flags filled.
    pub async fn list(
        &self,
        me: &str,
        limit: usize,
        state: Option<i32>,
        cursor: String,
    ) -> Result<api::FriendList, CallError> {
        let me = me.to_string();
        let mut out = self
            .db
            .run(move |c| friend::list(c, &me, limit, state, &cursor))
            .await?;
        self.status
            .fill_users(out.friends.iter_mut().filter_map(|f| f.user.as_mut()));
        Ok(out)
    }

    /// A page of the friends of `me`'s friends (see
    /// [`friend::friends_of_friends`]), the users' `online` flags filled.
    pub async fn friends_of_friends(
        &self,
        me: &str,
        limit: usize,
        cursor: String,
    ) -> Result<api::FriendsOfFriendsList, CallError> {
        let me = me.to_string();
        let mut out = self
            .db
            .run(move |c| friend::friends_of_friends(c, &me, limit, &cursor))
            .await?;
        self.status.fill_users(
            out.friends_of_friends
                .iter_mut()
                .filter_map(|f| f.user.as_mut()),
        );
        Ok(out)
    }
}
