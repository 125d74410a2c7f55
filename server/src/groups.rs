//! Groups as Nakama 3.40.0 runs them (server/core_group.go): the stored
//! part is [`crate::db::group`]; this carries out what each change leaves
//! to do outside the database (the group channel's membership messages
//! to whoever is in it, notifications to the users' sockets, presences
//! out of the channel, a deleted group's channel closed), and the nk
//! functions with the argument checks of Nakama's Go runtime
//! (server/runtime_go_nakama.go).

use nakama_runtime_host::abi::{api, nk, Code};
use nakama_runtime_host::CallError;
use uuid::Uuid;

use crate::channels::Channels;
use crate::db::group::{self, Effects, GroupError};
use crate::db::{self, Conn, Db};
use crate::online::Online;
use crate::status::Statuses;

/// What group changes reach beside the database.
#[derive(Clone)]
pub struct Groups {
    pub db: Db,
    pub channels: Channels,
    pub online: Online,
    pub status: Statuses,
}

/// A UUID as Go's `uuid.FromString` reads one, written as PostgreSQL
/// writes it.
pub fn parse_uuid(s: &str) -> Option<String> {
    Uuid::parse_str(s).ok().map(|u| u.to_string())
}

fn refuse(message: &str) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

/// The JSON text Nakama stores for a module's metadata map (JSONB's).
fn metadata_text(m: &Option<serde_json::Map<String, serde_json::Value>>) -> Option<String> {
    m.as_ref()
        .map(|m| db::jsonb_text(&serde_json::Value::Object(m.clone())))
}

impl Groups {
    /// Runs `f` on the database, then what its answer leaves to do for
    /// the group `group_id`.
    pub async fn change<T: Send + 'static>(
        &self,
        group_id: &str,
        f: impl FnOnce(&Conn) -> Result<(T, Effects), GroupError> + Send + 'static,
    ) -> Result<T, GroupError> {
        let (out, fx) = self.read(f).await?;
        self.apply(group_id, fx);
        Ok(out)
    }

    /// Runs `f` on the database.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Conn) -> Result<T, GroupError> + Send + 'static,
    ) -> Result<T, GroupError> {
        let out = self
            .db
            .run(move |c| Ok(f(c)))
            .await
            .map_err(GroupError::Db)?;
        out
    }

    fn apply(&self, group_id: &str, fx: Effects) {
        let stream = group::stream(group_id);
        for m in &fx.messages {
            self.channels.deliver(&stream, m);
        }
        for (user, n) in fx.notifications {
            self.online.notify(&user, vec![n]);
        }
        for user in &fx.removed {
            self.channels.leave_user(&stream, user);
        }
        if fx.deleted {
            self.channels.close(&stream);
        }
    }

    /// Fills the `online` flag of a group's members.
    pub fn fill_online(&self, list: &mut api::GroupUserList) {
        self.status
            .fill_users(list.group_users.iter_mut().filter_map(|g| g.user.as_mut()));
    }

    /// nk `group_create`.
    pub async fn nk_create(&self, a: nk::GroupCreateArgs) -> Result<api::Group, CallError> {
        let user_id = parse_uuid(&a.user_id)
            .ok_or_else(|| refuse("expects user ID to be a valid identifier"))?;
        if a.name.is_empty() {
            return Err(refuse("expects group name not be empty"));
        }
        let creator_id = if a.creator_id.is_empty() {
            Uuid::nil().to_string()
        } else {
            parse_uuid(&a.creator_id)
                .ok_or_else(|| refuse("expects creator ID to be a valid identifier"))?
        };
        let metadata = metadata_text(&a.metadata).unwrap_or_default();
        if a.max_count < 1 {
            return Err(refuse("expects max_count to be >= 1"));
        }
        self.read(move |c| {
            group::create(
                c,
                &group::New {
                    user_id: &user_id,
                    creator_id: &creator_id,
                    name: &a.name,
                    lang_tag: &a.lang_tag,
                    description: &a.description,
                    avatar_url: &a.avatar_url,
                    metadata: &metadata,
                    open: a.open,
                    max_count: a.max_count,
                },
            )
        })
        .await
        .map_err(GroupError::nk)
    }

    /// nk `group_update`: empty strings leave fields as they are, `open`
    /// is always set.
    pub async fn nk_update(&self, a: nk::GroupUpdateArgs) -> Result<(), CallError> {
        let group_id = parse_uuid(&a.group_id)
            .ok_or_else(|| refuse("expects group ID to be a valid identifier"))?;
        let user_id = if a.user_id.is_empty() {
            Uuid::nil().to_string()
        } else {
            parse_uuid(&a.user_id)
                .ok_or_else(|| refuse("expects user ID to be a valid identifier"))?
        };
        let creator_id = if a.creator_id.is_empty() {
            Uuid::nil().to_string()
        } else {
            parse_uuid(&a.creator_id)
                .ok_or_else(|| refuse("expects creator ID to be a valid identifier"))?
        };
        let given = |s: String| (!s.is_empty()).then_some(s);
        let changes = group::Changes {
            metadata: metadata_text(&a.metadata),
            name: given(a.name),
            lang_tag: given(a.lang_tag),
            description: given(a.description),
            avatar_url: given(a.avatar_url),
            open: Some(a.open),
            max_count: a.max_count,
            creator_id,
        };
        self.read(move |c| group::update(c, &group_id, &user_id, &changes))
            .await
            .map_err(GroupError::nk)
    }

    /// nk `group_delete`, as the system.
    pub async fn nk_delete(&self, a: nk::GroupIdArgs) -> Result<(), CallError> {
        let group_id = parse_uuid(&a.group_id)
            .ok_or_else(|| refuse("expects group ID to be a valid identifier"))?;
        let id = group_id.clone();
        self.change(&group_id, move |c| {
            Ok(((), group::delete(c, &id, &Uuid::nil().to_string())?))
        })
        .await
        .map_err(GroupError::nk)
    }

    /// nk `groups_get_id`.
    pub async fn nk_get(&self, a: nk::GroupIdsArgs) -> Result<Vec<api::Group>, CallError> {
        if a.group_ids.iter().any(|id| parse_uuid(id).is_none()) {
            return Err(refuse("each group id must be a valid id string"));
        }
        self.read(move |c| group::get_many(c, &a.group_ids))
            .await
            .map_err(GroupError::nk)
    }

    /// nk `groups_list`.
    pub async fn nk_list(&self, a: nk::GroupsListArgs) -> Result<api::GroupList, CallError> {
        if !a.name.is_empty() && (!a.lang_tag.is_empty() || a.members.is_some() || a.open.is_some())
        {
            return Err(GroupError::NameCombined.nk());
        }
        if !(1..=100).contains(&a.limit) {
            return Err(refuse("expects limit to be 1-100"));
        }
        self.read(move |c| {
            group::list(
                c,
                &group::ListFilter {
                    name: &a.name,
                    lang_tag: &a.lang_tag,
                    open: a.open,
                    members: a.members.map_or(-1, i64::from),
                    limit: a.limit as usize,
                    cursor: &a.cursor,
                },
            )
        })
        .await
        .map_err(GroupError::nk)
    }

    /// nk `groups_get_random`.
    pub async fn nk_random(
        &self,
        a: nk::GroupsGetRandomArgs,
    ) -> Result<Vec<api::Group>, CallError> {
        if a.count == 0 {
            return Ok(Vec::new());
        }
        if !(0..=1000).contains(&a.count) {
            return Err(refuse("count must be 0-1000"));
        }
        self.read(move |c| group::random(c, a.count as usize))
            .await
            .map_err(GroupError::nk)
    }

    /// nk `group_users_list`.
    pub async fn nk_users(
        &self,
        a: nk::GroupUsersListArgs,
    ) -> Result<api::GroupUserList, CallError> {
        let group_id = parse_uuid(&a.group_id)
            .ok_or_else(|| refuse("expects group ID to be a valid identifier"))?;
        if !(1..=10_000).contains(&a.limit) {
            return Err(refuse("expects limit to be 1-10000"));
        }
        if a.state.is_some_and(|s| !(0..=4).contains(&s)) {
            return Err(refuse("expects state to be 0-4"));
        }
        let mut list = self
            .read(move |c| {
                let state = a.state.map(i64::from);
                group::users(c, &group_id, a.limit as usize, state, &a.cursor)
            })
            .await
            .map_err(GroupError::nk)?;
        self.fill_online(&mut list);
        Ok(list)
    }

    /// nk `user_groups_list`.
    pub async fn nk_user_groups(
        &self,
        a: nk::UserGroupsListArgs,
    ) -> Result<api::UserGroupList, CallError> {
        let user_id = parse_uuid(&a.user_id)
            .ok_or_else(|| refuse("expects user ID to be a valid identifier"))?;
        if !(1..=100).contains(&a.limit) {
            return Err(refuse("expects limit to be 1-100"));
        }
        if a.state.is_some_and(|s| !(0..=4).contains(&s)) {
            return Err(refuse("expects state to be 0-4"));
        }
        self.read(move |c| {
            let state = a.state.map(i64::from);
            group::user_groups(c, &user_id, a.limit as usize, state, &a.cursor)
        })
        .await
        .map_err(GroupError::nk)
    }

    /// nk `group_users_add`, `_kick`, `_ban`, `_promote`, `_demote`
    /// (`verb` names the function in Nakama's "cannot `verb` the root
    /// user").
    pub async fn nk_members(
        &self,
        verb: &'static str,
        a: nk::GroupUsersArgs,
    ) -> Result<(), CallError> {
        let caller = if a.caller_id.is_empty() {
            Uuid::nil().to_string()
        } else {
            parse_uuid(&a.caller_id)
                .ok_or_else(|| refuse("expects caller ID to be empty or a valid identifier"))?
        };
        let group_id = parse_uuid(&a.group_id)
            .ok_or_else(|| refuse("expects group ID to be a valid identifier"))?;
        if a.user_ids.is_empty() {
            return Ok(());
        }
        let mut users = Vec::with_capacity(a.user_ids.len());
        for id in &a.user_ids {
            let uid = parse_uuid(id)
                .ok_or_else(|| refuse("expects each user ID to be a valid identifier"))?;
            if uid == Uuid::nil().to_string() {
                return Err(refuse(&format!("cannot {verb} the root user")));
            }
            users.push(uid);
        }
        self.members(verb, caller, group_id, users)
            .await
            .map_err(GroupError::nk)
    }

    /// Adds, kicks, bans, promotes or demotes (`verb`) `users` as
    /// `caller` (nil: the system).
    pub async fn members(
        &self,
        verb: &'static str,
        caller: String,
        group_id: String,
        users: Vec<String>,
    ) -> Result<(), GroupError> {
        let id = group_id.clone();
        self.change(&group_id, move |c| {
            let fx = match verb {
                "add" => group::add(c, &caller, &id, &users)?,
                "kick" => group::remove(c, &caller, &id, &users, false)?,
                "ban" => group::remove(c, &caller, &id, &users, true)?,
                "promote" => group::change_role(c, &caller, &id, &users, true)?,
                _ => group::change_role(c, &caller, &id, &users, false)?,
            };
            Ok(((), fx))
        })
        .await
    }

    /// nk `group_user_join` (`leave` false) and `group_user_leave`.
    pub async fn nk_join_leave(&self, a: nk::GroupUserArgs, leave: bool) -> Result<(), CallError> {
        let group_id = parse_uuid(&a.group_id)
            .ok_or_else(|| refuse("expects group ID to be a valid identifier"))?;
        let user_id = parse_uuid(&a.user_id)
            .ok_or_else(|| refuse("expects user ID to be a valid identifier"))?;
        if a.username.is_empty() {
            return Err(refuse("expects a username string"));
        }
        self.join_leave(group_id, user_id, a.username, leave)
            .await
            .map_err(GroupError::nk)
    }

    /// `user_id` (`username`) joins or leaves the group.
    pub async fn join_leave(
        &self,
        group_id: String,
        user_id: String,
        username: String,
        leave: bool,
    ) -> Result<(), GroupError> {
        let id = group_id.clone();
        self.change(&group_id, move |c| {
            let fx = if leave {
                group::leave(c, &id, &user_id, &username)?
            } else {
                group::join(c, &id, &user_id, &username)?
            };
            Ok(((), fx))
        })
        .await
    }
}
