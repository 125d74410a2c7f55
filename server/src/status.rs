//! Users' status, as Nakama 3.40.0 keeps it (server/status_registry.go,
//! pipeline_status.go, and its tracker's status streams): which sessions
//! follow which users, each session's status presence, and the
//! `status_presence_event`s followers get.
//!
//! - Every session follows its own user from the moment its socket opens
//!   (it cannot unfollow itself), so a user's sockets hear of each other's
//!   status, their own included.
//! - A socket opened with `status=true` has a status presence (status
//!   `""`) from the start; `status_update` sets one (or, without a status,
//!   removes it: the session appears offline). A status change is a leave
//!   of the old presence and a join of the new one, in one event.
//! - A user is online while one of their sessions has a status presence:
//!   that is the `online` flag of their user and account.
//! - When the socket closes its presence leaves and it stops following.
//!
//! Nakama hands events to a goroutine that delivers them later; the dev
//! host sends them to the followers' sockets at once, so a follower has an
//! event before the answer to the request that caused it goes out.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use nakama_runtime_host::abi::matches::Presence;
use nakama_runtime_host::abi::{api, nk, Code};
use nakama_runtime_host::CallError;

use crate::channels::{go_uuid, Refusal};
use crate::db::Db;
use crate::log::Logger;
use crate::online::{Outbound, Outbox};
use crate::realtime::error_code;

/// Statuses longer than this (in bytes, as Go counts) are refused.
pub const MAX_STATUS_BYTES: usize = 2048;

/// A session's status presence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPresence {
    pub user_id: String,
    pub session_id: String,
    pub username: String,
    pub status: String,
}

/// A `status_presence_event`: presences of one user that came and went.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    pub joins: Vec<StatusPresence>,
    pub leaves: Vec<StatusPresence>,
}

/// What a `status_follow` came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    /// It named nobody: answered with no presences, and Nakama gives the
    /// after hook no answer.
    Nobody,
    /// The followed users' status presences (none when nobody it named
    /// could be followed).
    Presences(Vec<StatusPresence>),
}

/// A following session.
struct Follower {
    outbox: Outbox,
    /// The users it follows (its own always).
    follows: HashSet<String>,
}

#[derive(Default)]
struct Registry {
    /// By session id.
    followers: HashMap<String, Follower>,
    /// User id to the sessions following them.
    followed_by: HashMap<String, HashSet<String>>,
    /// User id to their sessions' status presences, oldest first.
    presences: HashMap<String, Vec<StatusPresence>>,
    /// Sessions whose status presence was updated since it was tracked
    /// (the tracker's reason `update` for the streams' listings).
    updated: HashSet<String>,
}

impl Registry {
    /// Sends `event` about `user_id` to everyone following them.
    fn tell(&self, user_id: &str, event: Event) {
        let Some(sessions) = self.followed_by.get(user_id) else {
            return;
        };
        for session in sessions {
            if let Some(f) = self.followers.get(session) {
                let _ = f.outbox.send(Outbound::StatusPresences(event.clone()));
            }
        }
    }

    fn follow(&mut self, session_id: &str, user_ids: &HashSet<String>) {
        let Some(f) = self.followers.get_mut(session_id) else {
            return;
        };
        for user in user_ids {
            f.follows.insert(user.clone());
            (self.followed_by.entry(user.clone()).or_default()).insert(session_id.to_string());
        }
    }

    fn unfollow(&mut self, session_id: &str, user_id: &str) {
        if let Some(f) = self.followers.get_mut(session_id) {
            f.follows.remove(user_id);
        }
        if let Some(sessions) = self.followed_by.get_mut(user_id) {
            sessions.remove(session_id);
            if sessions.is_empty() {
                self.followed_by.remove(user_id);
            }
        }
    }

    /// A status presence for the session, its user's followers told;
    /// false when it has one already.
    fn join(&mut self, me: &Presence, status: &str) -> bool {
        let joined = presence(me, status);
        let list = self.presences.entry(me.user_id.clone()).or_default();
        if list.iter().any(|p| p.session_id == me.session_id) {
            return false;
        }
        list.push(joined.clone());
        self.tell(
            &me.user_id,
            Event {
                joins: vec![joined],
                leaves: Vec::new(),
            },
        );
        true
    }

    /// Removes the session's status presence, if it has one.
    fn untrack(&mut self, user_id: &str, session_id: &str) -> Option<StatusPresence> {
        let list = self.presences.get_mut(user_id)?;
        let at = list.iter().position(|p| p.session_id == session_id)?;
        let gone = list.remove(at);
        if list.is_empty() {
            self.presences.remove(user_id);
        }
        self.updated.remove(session_id);
        Some(gone)
    }
}

/// The status registry of one host.
#[derive(Clone)]
pub struct Statuses {
    registry: Arc<Mutex<Registry>>,
    db: Db,
    log: Logger,
}

/// The session and user ids of an nk status call, in the form the
/// registry keys them by, or Nakama's refusal.
fn nk_ids(args: &nk::StatusFollowArgs) -> Result<(String, Vec<String>), CallError> {
    let refuse =
        |what: &str| CallError::new(Code::InvalidArgument, format!("expects a valid {what}"));
    let session = go_uuid(&args.session_id).ok_or_else(|| refuse("session id"))?;
    let users = (args.user_ids.iter())
        .map(|id| {
            go_uuid(id)
                .map(|u| u.to_string())
                .ok_or_else(|| refuse("user id"))
        })
        .collect::<Result<_, _>>()?;
    Ok((session.to_string(), users))
}

fn bad_input(message: &str) -> Refusal {
    Refusal {
        code: error_code::BAD_INPUT,
        message: message.to_string(),
    }
}

impl Statuses {
    pub fn new(db: Db, log: Logger) -> Statuses {
        Statuses {
            registry: Default::default(),
            db,
            log,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many status presences there are, all users together.
    pub fn presence_count(&self) -> usize {
        self.lock().presences.values().map(Vec::len).sum()
    }

    /// A socket opened: it follows its own user and, opened with
    /// `status=true`, has a status presence (status `""`).
    pub fn connect(&self, me: &Presence, outbox: Outbox, status: bool) {
        let mut r = self.lock();
        r.followers.insert(
            me.session_id.clone(),
            Follower {
                outbox,
                follows: HashSet::new(),
            },
        );
        r.follow(&me.session_id, &HashSet::from([me.user_id.clone()]));
        if status {
            r.join(me, "");
        }
    }

    /// `user_id`'s status presences (sockets opened with `status=true`,
    /// or that set a status), oldest first, each with whether it was
    /// updated since: Nakama's status stream of the user.
    pub fn presences_of(&self, user_id: &str) -> Vec<(StatusPresence, bool)> {
        let r = self.lock();
        (r.presences.get(user_id).into_iter().flatten())
            .map(|p| (p.clone(), r.updated.contains(&p.session_id)))
            .collect()
    }

    /// The session's status presence leaves, if it has one: its
    /// followers are told.
    pub fn leave(&self, user_id: &str, session_id: &str) {
        let mut r = self.lock();
        if let Some(gone) = r.untrack(user_id, session_id) {
            r.tell(
                user_id,
                Event {
                    joins: Vec::new(),
                    leaves: vec![gone],
                },
            );
        }
    }

    /// The socket closed: its presence leaves, then it stops following
    /// (Nakama's order).
    pub fn disconnect(&self, user_id: &str, session_id: &str) {
        self.leave(user_id, session_id);
        let mut r = self.lock();
        if let Some(f) = r.followers.remove(session_id) {
            for user in f.follows {
                r.unfollow(session_id, &user);
            }
        }
    }

    /// `status_follow`: checks the ids and names, looks the users up
    /// (unknown ones, the session's own user and the system user are left
    /// out), follows them and answers their status presences.
    pub async fn follow(
        &self,
        me: &Presence,
        user_ids: &[String],
        usernames: &[String],
    ) -> Result<Followed, Refusal> {
        if user_ids.is_empty() && usernames.is_empty() {
            return Ok(Followed::Nobody);
        }
        let mut ids = HashSet::new();
        for id in user_ids {
            let id = uuid::Uuid::parse_str(id).map_err(|_| bad_input("Invalid user identifier"))?;
            ids.insert(id.hyphenated().to_string());
        }
        let mut names = HashSet::new();
        for name in usernames {
            if name.is_empty() {
                return Err(bad_input("Invalid username"));
            }
            names.insert(name.clone());
        }
        let (asked_ids, asked_names) = (ids.clone(), names.clone());
        let found = self
            .db
            .run(move |c| {
                let ids: Vec<String> = ids.into_iter().collect();
                let names: Vec<String> = names.into_iter().collect();
                let mut found = crate::db::users(c, &ids)?;
                found.extend(crate::db::users_by_name(c, &names)?);
                Ok(found)
            })
            .await
            .map_err(|e| {
                (self.log).error(
                    "Error checking users in status follow",
                    &[("error", e.message.as_str().into())],
                );
                Refusal {
                    code: error_code::RUNTIME_EXCEPTION,
                    message: "Could not check users".into(),
                }
            })?;
        // Neither its own user nor the system user (a row of the users
        // table, as in Nakama) is followed.
        let follow: HashSet<String> = found
            .iter()
            .map(|u| u.id.clone())
            .filter(|id| *id != me.user_id && id != crate::db::SYSTEM_USER)
            .collect();
        // As Nakama logs them: the ids not followed, the names not found.
        let missing_ids: Vec<&String> = (asked_ids.iter())
            .filter(|id| !follow.contains(*id))
            .collect();
        let missing_names: Vec<&String> = (asked_names.iter())
            .filter(|n| !found.iter().any(|u| u.username == **n))
            .collect();
        if !missing_ids.is_empty() || !missing_names.is_empty() {
            self.log.log(
                crate::log::Level::Debug,
                "Could not follow users, no user found",
                &[
                    ("user_ids", serde_json::json!(missing_ids)),
                    ("usernames", serde_json::json!(missing_names)),
                ],
            );
        }
        let mut r = self.lock();
        r.follow(&me.session_id, &follow);
        let presences = follow
            .iter()
            .flat_map(|user| r.presences.get(user).into_iter().flatten().cloned())
            .collect();
        Ok(Followed::Presences(presences))
    }

    /// `status_unfollow`: checks every id, then stops following those
    /// users (the session's own user is skipped; users not followed are
    /// no matter).
    pub fn unfollow(&self, me: &Presence, user_ids: &[String]) -> Result<(), Refusal> {
        let mut ids = Vec::with_capacity(user_ids.len());
        for id in user_ids {
            let id = uuid::Uuid::parse_str(id)
                .map_err(|_| bad_input("Invalid user identifier"))?
                .hyphenated()
                .to_string();
            if id != me.user_id {
                ids.push(id);
            }
        }
        let mut r = self.lock();
        let followed = |r: &Registry, id: &String| {
            (r.followers.get(&me.session_id)).is_some_and(|f| f.follows.contains(id))
        };
        for id in ids {
            if followed(&r, &id) {
                r.unfollow(&me.session_id, &id);
            }
        }
        Ok(())
    }

    /// nk `status_follow`: session `args.session_id` follows the users,
    /// unlooked-up (Nakama's `StatusFollow` checks only that the ids are
    /// UUIDs). A session that is not connected follows nothing.
    pub fn nk_follow(&self, args: &nk::StatusFollowArgs) -> Result<(), CallError> {
        let (session, users) = nk_ids(args)?;
        self.lock().follow(&session, &users.into_iter().collect());
        Ok(())
    }

    /// nk `status_unfollow`: session `args.session_id` stops following the
    /// users it follows among them (its own user too, if named: Nakama's
    /// `StatusUnfollow` leaves no one out).
    pub fn nk_unfollow(&self, args: &nk::StatusFollowArgs) -> Result<(), CallError> {
        let (session, users) = nk_ids(args)?;
        let mut r = self.lock();
        for user in users {
            if (r.followers.get(&session)).is_some_and(|f| f.follows.contains(&user)) {
                r.unfollow(&session, &user);
            }
        }
        Ok(())
    }

    /// A module's `stream_user_join` on the user's status stream: a status
    /// presence for the session, its followers told, as Nakama's tracker
    /// does; false when it has one already.
    pub fn stream_join(&self, me: &Presence, status: &str) -> bool {
        self.lock().join(me, status)
    }

    /// `status_update`: sets the session's status (a leave of the old
    /// presence, if any, and a join of the new one), or, without one,
    /// removes its presence (a leave).
    pub fn update(&self, me: &Presence, status: Option<&str>) -> Result<(), Refusal> {
        let Some(status) = status else {
            self.leave(&me.user_id, &me.session_id);
            return Ok(());
        };
        if status.len() > MAX_STATUS_BYTES {
            return Err(bad_input("Status must be 2048 characters or less"));
        }
        let joined = presence(me, status);
        let mut r = self.lock();
        let list = r.presences.entry(me.user_id.clone()).or_default();
        let leaves = match list.iter_mut().find(|p| p.session_id == me.session_id) {
            Some(p) => vec![std::mem::replace(p, joined.clone())],
            None => {
                list.push(joined.clone());
                Vec::new()
            }
        };
        if !leaves.is_empty() {
            r.updated.insert(me.session_id.clone());
        }
        r.tell(
            &me.user_id,
            Event {
                joins: vec![joined],
                leaves,
            },
        );
        Ok(())
    }

    /// Nakama's `IsOnline`: one of the user's sessions has a status
    /// presence.
    pub fn is_online(&self, user_id: &str) -> bool {
        self.lock().presences.contains_key(user_id)
    }

    /// Sets the `online` flag of each user (Nakama's `FillOnlineUsers`).
    pub fn fill_users<'a>(&self, users: impl IntoIterator<Item = &'a mut api::User>) {
        let r = self.lock();
        for u in users {
            u.online = r.presences.contains_key(&u.id);
        }
    }

    /// Sets the `online` flag of each account's user (Nakama's
    /// `FillOnlineAccounts`, and `IsOnline` for one account).
    pub fn fill_accounts<'a>(&self, accounts: impl IntoIterator<Item = &'a mut api::Account>) {
        self.fill_users(accounts.into_iter().filter_map(|a| a.user.as_mut()));
    }
}

fn presence(me: &Presence, status: &str) -> StatusPresence {
    StatusPresence {
        user_id: me.user_id.clone(),
        session_id: me.session_id.clone(),
        username: me.username.clone(),
        status: status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt as _;
    use tokio::sync::mpsc;

    use super::*;

    /// A registry on a fresh database with users alice and bob; their
    /// sessions' presences.
    fn setup() -> (Statuses, Presence, Presence) {
        let db = Db::open(":memory:").unwrap();
        let statuses = Statuses::new(db.clone(), Logger::new("error", "json"));
        let user = |id: &str, name: &str| {
            let a = db
                .run({
                    let (id, name) = (id.to_string(), name.to_string());
                    move |c| crate::db::authenticate(c, crate::db::AuthId::Custom(&id), &name, true)
                })
                .now_or_never()
                .unwrap()
                .unwrap();
            Presence {
                user_id: a.user_id,
                session_id: uuid::Uuid::new_v4().to_string(),
                username: a.username,
                node: String::new(),
                ..Presence::default()
            }
        };
        let (alice, bob) = (user("alice-0001", "alice"), user("bob-00001", "bob"));
        (statuses, alice, bob)
    }

    type Rx = mpsc::UnboundedReceiver<Outbound>;

    fn connect(s: &Statuses, me: &Presence, status: bool) -> Rx {
        let (tx, rx) = Outbox::unlimited();
        s.connect(me, tx, status);
        rx
    }

    /// The status events waiting in `rx`.
    fn events(rx: &mut Rx) -> Vec<Event> {
        std::iter::from_fn(|| rx.try_recv().ok())
            .map(|o| match o {
                Outbound::StatusPresences(e) => e,
                other => panic!("not a status event: {other:?}"),
            })
            .collect()
    }

    fn follow(s: &Statuses, me: &Presence, ids: &[&str], names: &[&str]) -> Followed {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        s.follow(me, &ids, &names).now_or_never().unwrap().unwrap()
    }

    fn refusal(s: &Statuses, me: &Presence, ids: &[&str], names: &[&str]) -> (i32, String) {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let r = s.follow(me, &ids, &names).now_or_never().unwrap();
        let e = r.expect_err("refused");
        (e.code, e.message)
    }

    fn with(p: &Presence, status: &str) -> StatusPresence {
        presence(p, status)
    }

    #[test]
    fn followers_hear_of_joins_updates_and_leaves_their_own_sessions_too() {
        let (s, alice, bob) = setup();
        let mut a = connect(&s, &alice, true);
        // Its own user is followed from the start: the socket hears of
        // its own status presence.
        let joined = Event {
            joins: vec![with(&alice, "")],
            leaves: vec![],
        };
        assert_eq!(events(&mut a), vec![joined.clone()]);
        assert!(s.is_online(&alice.user_id));

        let mut b = connect(&s, &bob, false);
        assert!(events(&mut b).is_empty());
        assert!(!s.is_online(&bob.user_id), "no status presence");
        assert_eq!(
            follow(&s, &bob, &[&alice.user_id], &[]),
            Followed::Presences(vec![with(&alice, "")])
        );

        // A change is the old presence leaving and the new one joining.
        s.update(&alice, Some("busy")).unwrap();
        let changed = Event {
            joins: vec![with(&alice, "busy")],
            leaves: vec![with(&alice, "")],
        };
        assert_eq!(events(&mut b), vec![changed.clone()]);
        assert_eq!(events(&mut a), vec![changed]);

        // No status: the presence leaves; nothing left to leave later.
        s.update(&alice, None).unwrap();
        let left = Event {
            joins: vec![],
            leaves: vec![with(&alice, "busy")],
        };
        assert_eq!(events(&mut b), vec![left]);
        assert!(!s.is_online(&alice.user_id));
        s.update(&alice, None).unwrap();
        assert!(events(&mut b).is_empty());
        assert_eq!(
            follow(&s, &bob, &[&alice.user_id], &[]),
            Followed::Presences(vec![])
        );

        // An update without a presence is a join alone.
        s.update(&alice, Some("back")).unwrap();
        assert_eq!(
            events(&mut b),
            vec![Event {
                joins: vec![with(&alice, "back")],
                leaves: vec![]
            }]
        );

        // A closing socket's presence leaves.
        s.disconnect(&alice.user_id, &alice.session_id);
        assert_eq!(
            events(&mut b),
            vec![Event {
                joins: vec![],
                leaves: vec![with(&alice, "back")]
            }]
        );
        assert!(!s.is_online(&alice.user_id));

        // A closed follower follows nobody: a new alice socket reaches
        // only itself.
        s.disconnect(&bob.user_id, &bob.session_id);
        let alice2 = Presence {
            session_id: uuid::Uuid::new_v4().to_string(),
            ..alice.clone()
        };
        let mut a2 = connect(&s, &alice2, true);
        assert_eq!(events(&mut a2).len(), 1);
        assert!(events(&mut b).is_empty());
        assert!(s.lock().followed_by[&alice.user_id].len() == 1);
        assert!(!s.lock().followers.contains_key(&bob.session_id));
    }

    #[test]
    fn unfollowing_stops_the_events_but_not_those_of_the_own_user() {
        let (s, alice, bob) = setup();
        let mut a = connect(&s, &alice, true);
        let mut b = connect(&s, &bob, true);
        follow(&s, &bob, &[&alice.user_id], &[]);
        events(&mut a);
        events(&mut b);
        // A bad id refuses the whole request.
        let bad = s.unfollow(&bob, &[alice.user_id.clone(), "x".into()]);
        assert_eq!(
            bad.map_err(|e| (e.code, e.message)),
            Err((3, "Invalid user identifier".into()))
        );
        s.update(&alice, Some("a")).unwrap();
        assert_eq!(events(&mut b).len(), 1, "still following");
        // Its own user cannot be unfollowed; a user not followed is no
        // matter.
        let nobody = uuid::Uuid::new_v4().to_string();
        let upper = alice.user_id.to_uppercase();
        s.unfollow(&bob, &[bob.user_id.clone(), nobody, upper])
            .unwrap();
        s.update(&alice, Some("b")).unwrap();
        assert!(events(&mut b).is_empty());
        s.update(&bob, Some("c")).unwrap();
        assert_eq!(events(&mut b).len(), 1);
        let followers = s.lock().followed_by.get(&alice.user_id).cloned();
        assert!(!followers.is_some_and(|f| f.contains(&bob.session_id)));
    }

    #[test]
    fn follows_are_checked_deduplicated_and_looked_up() {
        let (s, alice, bob) = setup();
        let _a = connect(&s, &alice, true);
        // Bob's own status presence is never listed to him.
        let _b = connect(&s, &bob, true);
        assert_eq!(follow(&s, &bob, &[], &[]), Followed::Nobody);
        assert_eq!(
            refusal(&s, &bob, &[&alice.user_id, "not-a-uuid"], &[]),
            (3, "Invalid user identifier".into())
        );
        assert_eq!(
            refusal(&s, &bob, &[], &["alice", ""]),
            (3, "Invalid username".into())
        );
        // Ids are checked before names.
        assert_eq!(
            refusal(&s, &bob, &["x"], &[""]),
            (3, "Invalid user identifier".into())
        );
        // Itself, the system user and unknown users are left out: an
        // answer with no presences.
        let unknown = uuid::Uuid::new_v4().to_string();
        assert_eq!(
            follow(
                &s,
                &bob,
                &[&bob.user_id, crate::db::SYSTEM_USER, &unknown],
                &["bob", "nobody"]
            ),
            Followed::Presences(vec![])
        );
        assert!(!s.lock().followed_by.contains_key(crate::db::SYSTEM_USER));
        // Named twice, by id (in any form a UUID is written) and by name:
        // listed once.
        let upper = alice.user_id.to_uppercase();
        assert_eq!(
            follow(&s, &bob, &[&alice.user_id, &upper], &["alice", "alice"]),
            Followed::Presences(vec![with(&alice, "")])
        );
        // Every status presence of the user is listed.
        let alice2 = Presence {
            session_id: uuid::Uuid::new_v4().to_string(),
            ..alice.clone()
        };
        let _a2 = connect(&s, &alice2, false);
        s.update(&alice2, Some("away")).unwrap();
        let Followed::Presences(mut listed) = follow(&s, &bob, &[], &["alice"]) else {
            panic!("names were given")
        };
        listed.sort_by(|x, y| x.status.cmp(&y.status));
        assert_eq!(listed, vec![with(&alice, ""), with(&alice2, "away")]);
    }

    #[test]
    fn statuses_over_2048_bytes_are_refused_and_change_nothing() {
        let (s, alice, _) = setup();
        let mut a = connect(&s, &alice, false);
        let r = s.update(&alice, Some(&"é".repeat(1025)));
        assert_eq!(
            r.map_err(|e| (e.code, e.message)),
            Err((3, "Status must be 2048 characters or less".into()))
        );
        assert!(events(&mut a).is_empty());
        assert!(!s.is_online(&alice.user_id));
        s.update(&alice, Some(&"x".repeat(2048))).unwrap();
        assert_eq!(events(&mut a).len(), 1);
    }

    #[test]
    fn users_and_accounts_are_online_while_a_session_has_a_status() {
        let (s, alice, bob) = setup();
        let _a = connect(&s, &alice, true);
        let _b = connect(&s, &bob, false);
        let mut users = vec![
            api::User {
                id: alice.user_id.clone(),
                ..Default::default()
            },
            api::User {
                id: bob.user_id.clone(),
                online: true,
                ..Default::default()
            },
        ];
        s.fill_users(&mut users);
        assert_eq!((users[0].online, users[1].online), (true, false));
        let mut accounts = vec![
            api::Account {
                user: Some(users[1].clone()),
                ..Default::default()
            },
            api::Account::default(),
        ];
        s.update(&bob, Some("here")).unwrap();
        s.fill_accounts(&mut accounts);
        assert!(accounts[0].user.as_ref().unwrap().online);
        s.disconnect(&bob.user_id, &bob.session_id);
        s.fill_accounts(&mut accounts);
        assert!(!accounts[0].user.as_ref().unwrap().online);
    }
}
