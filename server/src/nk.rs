//! The dev host's side of the module ABI: module log lines and the nk
//! functions, answered from SQLite.

use std::sync::Arc;

use nakama_runtime_host::abi::ffi::FfiContext;
use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::{api, Code, ContextData};
use nakama_runtime_host::{BoxFuture, CallError, EventKind, HostApi, LogRecord};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};

use crate::channels::Channels;
use crate::db::{self, leaderboard, Caller, Db};
use crate::groups::Groups;
use crate::log::{Level, Logger};
use crate::matches::Matches;
use crate::online::Online;
use crate::session::Sessions;
use crate::status::Statuses;

pub(crate) mod accounts;
mod checks;
mod fleet;
mod friends;
mod http_request;
mod misc;
mod purchases;
pub mod satori;
pub mod social;
mod streams;
mod tournament;

pub use fleet::Fleet;
pub use misc::Extras;

/// Implements [`HostApi`] for the dev host.
pub struct DevHostApi {
    pub db: Db,
    pub log: Logger,
    pub sessions: Arc<Sessions>,
    /// The running matches (`match_*`).
    pub matches: Matches,
    /// Where notifications reach connected users.
    pub online: Online,
    /// The chat channels (`channel_*`).
    pub channels: Channels,
    /// Users' status (the `online` flag of users and accounts).
    pub status: Statuses,
    /// Where `event` queues what modules publish.
    pub events: crate::events::Events,
    /// The runtime path and parties (`read_file`, `party_list`).
    pub misc: Extras,
    /// Where `metrics_*` record (the Prometheus exporter).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The storage indexes (`storage_index_list`).
    pub storage_indexes: crate::storage_index::StorageIndexes,
}

fn authenticated(
    r: Result<db::Authenticated, CallError>,
) -> Result<nk::AuthenticateResult, CallError> {
    r.map(|a| nk::AuthenticateResult {
        user_id: a.user_id,
        username: a.username,
        created: a.created,
    })
}

fn decode<T: DeserializeOwned>(function: &str, args: &[u8]) -> Result<T, CallError> {
    serde_json::from_slice(args).map_err(|e| {
        CallError::new(
            Code::InvalidArgument,
            format!("{function}: bad arguments: {e}"),
        )
    })
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, CallError> {
    serde_json::to_vec(v).map_err(|e| CallError::new(Code::Internal, e.to_string()))
}

/// Runs `work`, which blocks (an HTTP client's request), on tokio's
/// blocking pool, so that the module's call waits without holding a
/// worker; outside a runtime (the `check` command), right here. `what`
/// names it if the task itself fails.
async fn blocking(
    what: &str,
    work: impl FnOnce() -> Result<Vec<u8>, CallError> + Send + 'static,
) -> Result<Vec<u8>, CallError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CallError::new(Code::Internal, format!("{what} task failed: {e}")))?
}

/// Runs one nk function on a part of the host that lives in memory (the
/// match registry, the chat channels).
fn on<F: NkFunction, S: Clone + Send + 'static, Fut>(
    part: &S,
    args: &[u8],
    f: impl FnOnce(S, F::Args) -> Fut + Send + 'static,
) -> BoxFuture<'static, Result<Vec<u8>, CallError>>
where
    Fut: std::future::Future<Output = Result<F::Output, CallError>> + Send + 'static,
{
    let parsed = decode::<F::Args>(F::NAME, args);
    let part = part.clone();
    Box::pin(async move { encode(&f(part, parsed?).await?) })
}

/// Runs one nk function on the database.
fn call<F: NkFunction>(
    db: &Db,
    args: &[u8],
    f: impl FnOnce(&mut crate::db::Conn, F::Args) -> Result<F::Output, CallError> + Send + 'static,
) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
    let parsed = decode::<F::Args>(F::NAME, args);
    let db = db.clone();
    Box::pin(async move {
        let args = parsed?;
        let out = db.run(move |c| f(c, args)).await?;
        encode(&out)
    })
}

impl DevHostApi {
    /// `notification_send(s)`: checks them all, stores the persistent ones
    /// in one transaction, then pushes each user's to their open sockets.
    fn notify(
        &self,
        sends: Vec<nk::NotificationSendArgs>,
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        let (db, online) = (self.db.clone(), self.online.clone());
        Box::pin(async move {
            for n in &sends {
                checks::notification(n)?;
            }
            db::notification::fit_codes(sends.iter().filter(|n| n.persistent).map(|n| n.code))?;
            let sent = db
                .run(move |c| {
                    let sent = db::in_tx(c, |c| db::notifications_send(c, &sends))?;
                    Ok(sends
                        .into_iter()
                        .map(|n| n.user_id)
                        .zip(sent)
                        .collect::<Vec<_>>())
                })
                .await?;
            let mut by_user: Vec<(String, Vec<api::Notification>)> = Vec::new();
            for (user, n) in sent {
                match by_user.iter_mut().find(|(u, _)| *u == user) {
                    Some((_, ns)) => ns.push(n),
                    None => by_user.push((user, vec![n])),
                }
            }
            for (user, ns) in by_user {
                online.notify(&user, ns);
            }
            encode(&())
        })
    }
}

impl DevHostApi {
    /// `event`: queues the event for the modules' handlers, with `caller`
    /// as their context's user and session part.
    fn event(
        &self,
        caller: ContextData,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        on::<nk::Event, _, _>(&self.events, args, |events, evt| async move {
            events.publish(EventKind::Event, caller, evt);
            Ok(())
        })
    }

    /// The group nk functions (`group_*`, `groups_*`, `user_groups_list`).
    fn group_call(
        &self,
        name: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        let groups = Groups {
            db: self.db.clone(),
            channels: self.channels.clone(),
            online: self.online.clone(),
            status: self.status.clone(),
        };
        let g = &groups;
        match name {
            nk::GroupCreate::NAME => {
                on::<nk::GroupCreate, _, _>(g, args, |g, a| async move { g.nk_create(a).await })
            }
            nk::GroupUpdate::NAME => {
                on::<nk::GroupUpdate, _, _>(g, args, |g, a| async move { g.nk_update(a).await })
            }
            nk::GroupDelete::NAME => {
                on::<nk::GroupDelete, _, _>(g, args, |g, a| async move { g.nk_delete(a).await })
            }
            nk::GroupsGetId::NAME => {
                on::<nk::GroupsGetId, _, _>(g, args, |g, a| async move { g.nk_get(a).await })
            }
            nk::GroupsList::NAME => {
                on::<nk::GroupsList, _, _>(g, args, |g, a| async move { g.nk_list(a).await })
            }
            nk::GroupsGetRandom::NAME => {
                on::<nk::GroupsGetRandom, _, _>(g, args, |g, a| async move { g.nk_random(a).await })
            }
            nk::GroupUsersList::NAME => {
                on::<nk::GroupUsersList, _, _>(g, args, |g, a| async move { g.nk_users(a).await })
            }
            nk::UserGroupsList::NAME => on::<nk::UserGroupsList, _, _>(
                g,
                args,
                |g, a| async move { g.nk_user_groups(a).await },
            ),
            nk::GroupUsersAdd::NAME => on::<nk::GroupUsersAdd, _, _>(g, args, |g, a| async move {
                g.nk_members("add", a).await
            }),
            nk::GroupUsersKick::NAME => {
                on::<nk::GroupUsersKick, _, _>(g, args, |g, a| async move {
                    g.nk_members("kick", a).await
                })
            }
            nk::GroupUsersBan::NAME => on::<nk::GroupUsersBan, _, _>(g, args, |g, a| async move {
                g.nk_members("ban", a).await
            }),
            nk::GroupUsersPromote::NAME => {
                on::<nk::GroupUsersPromote, _, _>(g, args, |g, a| async move {
                    g.nk_members("promote", a).await
                })
            }
            nk::GroupUsersDemote::NAME => {
                on::<nk::GroupUsersDemote, _, _>(g, args, |g, a| async move {
                    g.nk_members("demote", a).await
                })
            }
            nk::GroupUserJoin::NAME => on::<nk::GroupUserJoin, _, _>(g, args, |g, a| async move {
                g.nk_join_leave(a, false).await
            }),
            nk::GroupUserLeave::NAME => {
                on::<nk::GroupUserLeave, _, _>(g, args, |g, a| async move {
                    g.nk_join_leave(a, true).await
                })
            }
            other => {
                let message = format!("nk function `{other}` is not implemented by the dev host");
                Box::pin(async move { Err(CallError::new(Code::Unimplemented, message)) })
            }
        }
    }
}

impl HostApi for DevHostApi {
    fn log(&self, r: LogRecord<'_>) {
        let level = Level::from_abi(r.level);
        if !self.log.enabled(level) {
            return;
        }
        let mut fields = Map::new();
        fields.insert("runtime".into(), "rust".into());
        if let Some(id) = &r.call.rpc_id {
            fields.insert("rpc_id".into(), id.as_str().into());
        }
        if let Some(id) = &r.call.api_id {
            fields.insert("api_id".into(), id.as_str().into());
            fields.insert("mode".into(), r.call.mode.into());
        }
        if let Some(t) = &r.call.trace_id {
            fields.insert("trace_id".into(), t.as_str().into());
        }
        if !r.fields.is_empty() {
            if let Ok(Value::Object(extra)) = serde_json::from_str::<Value>(r.fields) {
                for (k, v) in extra {
                    fields.entry(k).or_insert(v);
                }
            }
        }
        self.log.write(level, r.caller, r.message, &fields);
    }

    fn nk_call_from(
        &self,
        caller: &FfiContext<'_>,
        host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        match function {
            // The handlers get the publisher's context (user, session,
            // vars...), as Nakama's Go runtime hands it on.
            nk::Event::NAME => self.event(ContextData::from_ffi(caller), args),
            // The fleet manager's functions get the asker's context.
            name if name.starts_with("fleet_") => self
                .misc
                .fleet
                .call(name, ContextData::from_ffi(caller), args)
                .unwrap_or_else(|| unimplemented_nk(name)),
            // Satori is told the caller's address, as Nakama's client does.
            name if name.starts_with("satori_") => {
                let client_ip = caller.client_ip.into_option().map(|ip| ip.to_string());
                satori::dispatch(self.misc.satori.as_ref(), name, args, client_ip)
                    .unwrap_or_else(|| unimplemented_nk(name))
            }
            _ => self.nk_call(host_token, function, args),
        }
    }

    fn nk_call(
        &self,
        _host_token: u64,
        function: &str,
        args: &[u8],
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        if let Some(answer) = friends::call(self, function, args) {
            return answer;
        }
        if let Some(answer) = streams::call(self, function, args) {
            return answer;
        }
        if let Some(answer) = misc::call_misc(self, function, args) {
            return answer;
        }
        if let Some(answer) = accounts::call(self, function, args) {
            return answer;
        }
        if let Some(answer) = purchases::call(function, args) {
            return answer;
        }
        if let Some(answer) = http_request::call(function, args) {
            return answer;
        }
        if let Some(answer) = social::call(self, function, args) {
            return answer;
        }
        let db = &self.db;
        // Users and accounts carry their `online` flag, as Nakama fills it.
        let status = self.status.clone();
        match function {
            nk::AccountGetId::NAME => call::<nk::AccountGetId>(db, args, move |c, a| {
                if uuid::Uuid::parse_str(&a.user_id).is_err() {
                    return Err(CallError::new(Code::InvalidArgument, "invalid user id"));
                }
                let mut account = db::account(c, &a.user_id)?
                    .ok_or_else(|| CallError::new(Code::NotFound, "account not found"))?;
                status.fill_accounts([&mut account]);
                Ok(account)
            }),
            nk::UsersGetId::NAME => call::<nk::UsersGetId>(db, args, move |c, a| {
                checks::user_ids(&a.user_ids)?;
                let mut users = db::users(c, &a.user_ids)?;
                status.fill_users(&mut users);
                Ok(users)
            }),
            nk::StorageRead::NAME => call::<nk::StorageRead>(db, args, |c, a| {
                checks::storage_read(&a)?;
                db::storage_read(c, Caller::Server, &a.reads)
            }),
            nk::StorageWrite::NAME => call::<nk::StorageWrite>(db, args, |c, a| {
                checks::storage_write(&a)?;
                db::storage_write(c, Caller::Server, &a.writes)
            }),
            nk::StorageDelete::NAME => call::<nk::StorageDelete>(db, args, |c, a| {
                checks::storage_delete(&a)?;
                db::storage_delete(c, Caller::Server, &a.deletes)
            }),
            nk::StorageList::NAME => call::<nk::StorageList>(db, args, |c, a| {
                checks::storage_list(&a)?;
                let caller = if a.caller_id.is_empty() {
                    Caller::Server
                } else {
                    Caller::Client(&a.caller_id)
                };
                db::storage_list(c, caller, &a.user_id, &a.collection, a.limit, &a.cursor)
            }),
            nk::StorageIndexList::NAME => on::<nk::StorageIndexList, _, _>(
                &self.storage_indexes,
                args,
                |indexes, a| async move { indexes.list(a).await },
            ),
            nk::WalletUpdate::NAME => call::<nk::WalletUpdate>(db, args, |c, a| {
                checks::wallet_user(&a.user_id)?;
                db::wallet_update(c, &a.user_id, &a.changeset, &a.metadata, a.update_ledger)
            }),
            nk::NotificationSend::NAME => {
                let parsed = decode::<nk::NotificationSendArgs>(nk::NotificationSend::NAME, args);
                parsed.map_or_else(
                    |e| Box::pin(async move { Err(e) }) as BoxFuture<'static, _>,
                    |a| self.notify(vec![a]),
                )
            }
            nk::AuthenticateCustom::NAME => call::<nk::AuthenticateCustom>(db, args, |c, a| {
                checks::authenticate_id(&a, 6)?;
                authenticated(db::authenticate(
                    c,
                    db::AuthId::Custom(&a.id),
                    &a.username,
                    a.create,
                ))
            }),
            nk::AuthenticateDevice::NAME => call::<nk::AuthenticateDevice>(db, args, |c, a| {
                checks::authenticate_id(&a, 10)?;
                authenticated(db::authenticate(
                    c,
                    db::AuthId::Device(&a.id),
                    &a.username,
                    a.create,
                ))
            }),
            nk::AuthenticateEmail::NAME => call::<nk::AuthenticateEmail>(db, args, |c, a| {
                checks::authenticate_email(&a)?;
                let email = a.email.to_lowercase();
                authenticated(db::authenticate_email(
                    c,
                    &email,
                    &a.password,
                    &a.username,
                    a.create,
                ))
            }),
            nk::AuthenticateTokenGenerate::NAME => {
                let sessions = self.sessions.clone();
                call::<nk::AuthenticateTokenGenerate>(db, args, move |_, a| {
                    checks::token_generate(&a)?;
                    // As Nakama: only 0 means the configured lifetime (a
                    // time past is kept, and the token refused), and a
                    // token without a username gets a random one.
                    let exp = (a.exp != 0).then_some(a.exp);
                    let username = match a.username.as_str() {
                        "" => db::random_username(),
                        given => given.to_string(),
                    };
                    let (token, exp) = sessions.issue_session(&a.user_id, &username, &a.vars, exp);
                    Ok(nk::TokenGenerateResult { token, exp })
                })
            }
            nk::AccountsGetId::NAME => call::<nk::AccountsGetId>(db, args, move |c, a| {
                checks::user_ids(&a.user_ids)?;
                let mut out = Vec::new();
                // Each account once, as Nakama's `= ANY(..)` finds them.
                let mut seen = std::collections::HashSet::new();
                for id in a
                    .user_ids
                    .iter()
                    .filter(|id| seen.insert(id.to_lowercase()))
                {
                    out.extend(db::account(c, id)?);
                }
                status.fill_accounts(&mut out);
                Ok(out)
            }),
            nk::AccountUpdateId::NAME => call::<nk::AccountUpdateId>(db, args, |c, a| {
                checks::account_update_id(&a)?;
                db::account_update_id(c, &a)
            }),
            nk::UsersGetUsername::NAME => call::<nk::UsersGetUsername>(db, args, move |c, a| {
                checks::usernames(&a.usernames)?;
                let mut users = db::users_by_name(c, &a.usernames)?;
                status.fill_users(&mut users);
                Ok(users)
            }),
            nk::WalletsUpdate::NAME => call::<nk::WalletsUpdate>(db, args, |c, a| {
                for u in &a.updates {
                    checks::wallet_user(&u.user_id)?;
                }
                db::wallets_update(c, &a.updates, a.update_ledger)
            }),
            nk::WalletLedgerList::NAME => call::<nk::WalletLedgerList>(db, args, |c, a| {
                checks::wallet_ledger_list(&a)?;
                db::wallet_ledger_list(c, &a)
            }),
            nk::NotificationsSend::NAME => {
                let parsed = decode::<nk::NotificationsSendArgs>(nk::NotificationsSend::NAME, args);
                parsed.map_or_else(
                    |e| Box::pin(async move { Err(e) }) as BoxFuture<'static, _>,
                    |a| self.notify(a.notifications),
                )
            }
            nk::NotificationList::NAME => call::<nk::NotificationList>(db, args, |c, a| {
                checks::notification_list(&a)?;
                db::notification_list(c, &a)
            }),
            nk::LeaderboardCreate::NAME => call::<nk::LeaderboardCreate>(db, args, |c, a| {
                checks::leaderboard_id(&a.id)?;
                leaderboard::create(c, &a)
            }),
            nk::LeaderboardDelete::NAME => call::<nk::LeaderboardDelete>(db, args, |c, a| {
                checks::leaderboard_id(&a.id)?;
                leaderboard::delete(c, &a.id)
            }),
            nk::LeaderboardRecordWrite::NAME => {
                call::<nk::LeaderboardRecordWrite>(db, args, |c, a| {
                    checks::leaderboard_record_write(&a)?;
                    leaderboard::write(c, Caller::Server, leaderboard::Write::from_nk(&a))
                })
            }
            nk::LeaderboardRecordsList::NAME => {
                call::<nk::LeaderboardRecordsList>(db, args, |c, a| {
                    checks::leaderboard_records_list(&a)?;
                    let limit = (a.limit > 0).then_some(a.limit);
                    let list =
                        leaderboard::list(c, &a.id, &a.owner_ids, limit, &a.cursor, a.expiry)?;
                    Ok(nk::LeaderboardRecordsPage {
                        records: list.records,
                        owner_records: list.owner_records,
                        next_cursor: list.next_cursor,
                        prev_cursor: list.prev_cursor,
                    })
                })
            }
            nk::LeaderboardRecordDelete::NAME => {
                call::<nk::LeaderboardRecordDelete>(db, args, |c, a| {
                    checks::leaderboard_record_delete(&a)?;
                    leaderboard::delete_record(c, Caller::Server, &a.id, &a.owner_id)
                })
            }
            nk::LeaderboardRecordsHaystack::NAME => {
                call::<nk::LeaderboardRecordsHaystack>(db, args, |c, a| {
                    checks::leaderboard_records_haystack(&a)?;
                    leaderboard::haystack(c, &a.id, &a.owner_id, a.limit, &a.cursor, a.expiry)
                })
            }
            nk::LeaderboardsGetId::NAME => {
                call::<nk::LeaderboardsGetId>(db, args, |c, a| leaderboard::get_many(c, &a.ids))
            }
            nk::MatchCreate::NAME => {
                on::<nk::MatchCreate, _, _>(&self.matches, args, |m, a| async move {
                    m.create(&a.module, a.params).await
                })
            }
            nk::MatchGet::NAME => {
                on::<nk::MatchGet, _, _>(&self.matches, args, |m, a| async move { m.get(&a.id) })
            }
            nk::MatchList::NAME => {
                on::<nk::MatchList, _, _>(&self.matches, args, |m, a| async move { m.list(&a) })
            }
            nk::MatchSignal::NAME => {
                on::<nk::MatchSignal, _, _>(&self.matches, args, |m, a| async move {
                    m.signal(&a.id, &a.data).await
                })
            }
            nk::ChannelIdBuild::NAME => {
                on::<nk::ChannelIdBuild, _, _>(&self.channels, args, |ch, a| async move {
                    ch.nk_id_build(&a).await
                })
            }
            nk::ChannelMessageSend::NAME => {
                on::<nk::ChannelMessageSend, _, _>(&self.channels, args, |ch, a| async move {
                    ch.nk_send(&a).await
                })
            }
            nk::ChannelMessageUpdate::NAME => {
                on::<nk::ChannelMessageUpdate, _, _>(&self.channels, args, |ch, a| async move {
                    ch.nk_update(&a).await
                })
            }
            nk::ChannelMessageRemove::NAME => {
                on::<nk::ChannelMessageRemove, _, _>(&self.channels, args, |ch, a| async move {
                    ch.nk_remove(&a).await
                })
            }
            nk::ChannelMessagesList::NAME => {
                on::<nk::ChannelMessagesList, _, _>(&self.channels, args, |ch, a| async move {
                    ch.nk_list(&a).await
                })
            }
            nk::StatusFollow::NAME => on::<nk::StatusFollow, _, _>(
                &self.status,
                args,
                |s, a| async move { s.nk_follow(&a) },
            ),
            nk::StatusUnfollow::NAME => {
                on::<nk::StatusUnfollow, _, _>(&self.status, args, |s, a| async move {
                    s.nk_unfollow(&a)
                })
            }
            // Called without the caller's context (a host wrapping this
            // one): the handlers get the event context alone.
            nk::Event::NAME => self.event(ContextData::default(), args),
            name if name.starts_with("group") || name == nk::UserGroupsList::NAME => {
                self.group_call(name, args)
            }
            other if other.starts_with("tournament") => {
                tournament::dispatch(db, &self.log, other, args)
                    .unwrap_or_else(|| unimplemented_nk(other))
            }
            other if other.starts_with("satori_") => {
                satori::dispatch(self.misc.satori.as_ref(), other, args, None)
                    .unwrap_or_else(|| unimplemented_nk(other))
            }
            other if other.starts_with("fleet_") => self
                .misc
                .fleet
                .call(other, ContextData::default(), args)
                .unwrap_or_else(|| unimplemented_nk(other)),
            other => unimplemented_nk(other),
        }
    }
}

/// What the fleet manager functions answer without one (the bridge's
/// words when no module registered one in Nakama).
pub const NO_FLEET_MANAGER: &str = "no fleet manager is registered";

/// The answer to an nk function the dev host does not have.
fn unimplemented_nk(other: &str) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
    let message = format!(
        "nk function `{other}` is not implemented by the dev host; run the module on a real Nakama through the bridge"
    );
    Box::pin(async move { Err(CallError::new(Code::Unimplemented, message)) })
}
