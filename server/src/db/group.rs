//! Groups: Nakama's `groups` and `group_edge` tables (server/core_group.go)
//! on SQLite, and what each change to them stores beside (the group
//! channel's membership messages, the notifications).
//!
//! - A membership is two edges, group → user and user → group, with the
//!   member's state (0 superadmin, 1 admin, 2 member, 3 join request) and
//!   a position (the time it was made, in nanoseconds: the order within a
//!   state). A ban is one edge, group → user, state 4: the user's own
//!   listing does not show it.
//! - `edge_count` counts the members (states 0 to 2), at most
//!   `max_count`.
//! - Times are Unix microseconds, as PostgreSQL keeps them; answers show
//!   whole seconds, as Nakama's.
//! - Each function runs in one transaction and answers what is to happen
//!   outside the database once it is done ([`Effects`]): messages to
//!   deliver to the group's channel, notifications to push, presences to
//!   take out of the channel.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use nakama_runtime_host::abi::{api, nk, Code};
use nakama_runtime_host::CallError;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    internal, pg_params, rfc3339, rfc3339_nanos, Conn, Jsonb, JSONB_NUL_REFUSED, NUL_REFUSED,
};
use crate::channels::{Stream, MODE_GROUP};

/// Tables added in schema version 5.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY,
    creator_id TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    avatar_url TEXT NOT NULL DEFAULT '',
    lang_tag TEXT NOT NULL DEFAULT 'en',
    metadata TEXT NOT NULL DEFAULT '{}',
    state INTEGER NOT NULL DEFAULT 0,
    edge_count INTEGER NOT NULL DEFAULT 0,
    max_count INTEGER NOT NULL DEFAULT 100,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS group_edge (
    source_id TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    state INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    PRIMARY KEY (source_id, state, position),
    UNIQUE (source_id, destination_id)
);
";

pub const SUPERADMIN: i64 = 0;
pub const ADMIN: i64 = 1;
pub const MEMBER: i64 = 2;
pub const JOIN_REQUEST: i64 = 3;
pub const BANNED: i64 = 4;

/// Nakama's notification codes of groups.
pub const NOTIFICATION_GROUP_ADD: i32 = -4;
pub const NOTIFICATION_GROUP_JOIN_REQUEST: i32 = -5;

/// Nakama's `ChannelMessageType`s of membership changes.
pub mod message_code {
    pub const JOIN: i32 = 3;
    pub const ADD: i32 = 4;
    pub const LEAVE: i32 = 5;
    pub const KICK: i32 = 6;
    pub const PROMOTE: i32 = 7;
    pub const BAN: i32 = 8;
    pub const DEMOTE: i32 = 9;
}

/// Why a group function refused (nakama-common's `runtime.ErrGroup*`).
#[derive(Debug, Clone, PartialEq)]
pub enum GroupError {
    NameInUse,
    PermissionDenied,
    NoUpdateOps,
    NotUpdated,
    NotFound,
    Full,
    UserNotFound,
    LastSuperadmin,
    /// A group-users cursor that does not read (or names another state).
    BadGroupUserCursor,
    /// A user-groups cursor that does not read (or names another state).
    BadUserGroupCursor,
    /// A group listing cursor that does not read.
    MalformedCursor,
    /// A name filter with another filter.
    NameCombined,
    CreatorInvalid,
    /// The database refused (as PostgreSQL would, or failed).
    Db(CallError),
}

impl From<CallError> for GroupError {
    fn from(e: CallError) -> Self {
        GroupError::Db(e)
    }
}

impl From<rusqlite::Error> for GroupError {
    fn from(e: rusqlite::Error) -> Self {
        GroupError::Db(internal(e))
    }
}

impl GroupError {
    /// The error an nk function answers: nakama-common's words, and the
    /// code the bridge gives them.
    pub fn nk(self) -> CallError {
        let (code, message) = match self {
            GroupError::NameInUse => (Code::AlreadyExists, "group name in use"),
            GroupError::PermissionDenied => (Code::PermissionDenied, "group permission denied"),
            GroupError::NoUpdateOps => (Code::InvalidArgument, "no group updates"),
            GroupError::NotUpdated => (Code::NotFound, "group not updated"),
            GroupError::NotFound => (Code::NotFound, "group not found"),
            GroupError::Full => (Code::InvalidArgument, "group is full"),
            GroupError::UserNotFound => (Code::NotFound, "user not found"),
            GroupError::LastSuperadmin => (Code::InvalidArgument, "user is last group superadmin"),
            GroupError::BadGroupUserCursor => (Code::InvalidArgument, "group user cursor invalid"),
            GroupError::BadUserGroupCursor => (Code::InvalidArgument, "user group cursor invalid"),
            GroupError::MalformedCursor => (Code::InvalidArgument, "Malformed cursor was used."),
            GroupError::NameCombined => (
                Code::InvalidArgument,
                "name filter cannot be combined with any other filter",
            ),
            GroupError::CreatorInvalid => {
                (Code::InvalidArgument, "group creator user ID not valid")
            }
            GroupError::Db(e) => return e,
        };
        CallError::new(code, message)
    }
}

type Result<T> = std::result::Result<T, GroupError>;

/// What a change leaves to do once it is stored.
#[derive(Debug, Default)]
pub struct Effects {
    /// Stored messages to deliver to the group's channel, in order.
    pub messages: Vec<api::ChannelMessage>,
    /// Stored notifications to push to their users' sockets.
    pub notifications: Vec<(String, api::Notification)>,
    /// Users whose presences leave the group's channel.
    pub removed: Vec<String>,
    /// The group is gone: everyone leaves its channel.
    pub deleted: bool,
}

/// A group's chat channel stream.
pub fn stream(group_id: &str) -> Stream {
    Stream {
        mode: MODE_GROUP,
        subject: Uuid::parse_str(group_id).unwrap_or_default(),
        subcontext: Uuid::nil(),
        label: String::new(),
    }
}

fn unix_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// Microseconds now: the database clock's second, with the system
/// clock's fraction when the two agree (a test's fixed clock gives whole
/// seconds).
fn now_micros(c: &Conn) -> i64 {
    let secs = c.now();
    let real = unix_nanos() / 1_000;
    if real.div_euclid(1_000_000) == secs {
        real
    } else {
        secs * 1_000_000
    }
}

/// An edge's position: the time in nanoseconds, never the same twice.
fn position() -> i64 {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = unix_nanos();
    let mut last = LAST.load(Ordering::SeqCst);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange(last, next, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// [`super::in_tx`] for group work (its errors are [`GroupError`]s).
fn in_tx<T>(c: &Conn, f: impl FnOnce(&Conn) -> Result<T>) -> Result<T> {
    super::in_tx(c, f)
}

const GROUP_COLUMNS: &str = "id, creator_id, name, description, avatar_url, lang_tag, metadata, state, edge_count, max_count, create_time, update_time";

/// A group's row, with what listing cursors need.
#[derive(Debug, Clone)]
struct Row {
    group: api::Group,
    state: i64,
    update_time: i64,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let state: i64 = r.get(7)?;
    let create: i64 = r.get(10)?;
    let update: i64 = r.get(11)?;
    Ok(Row {
        group: api::Group {
            id: r.get(0)?,
            creator_id: r.get(1)?,
            name: r.get(2)?,
            description: r.get(3)?,
            avatar_url: r.get(4)?,
            lang_tag: r.get(5)?,
            metadata: r.get(6)?,
            open: Some(state != 1),
            edge_count: r.get(8)?,
            max_count: r.get(9)?,
            create_time: Some(rfc3339(create.div_euclid(1_000_000))),
            update_time: Some(rfc3339(update.div_euclid(1_000_000))),
        },
        state,
        update_time: update,
    })
}

fn get_row(c: &Conn, group_id: &str) -> Result<Option<Row>> {
    Ok(c.query_row(
        &format!("SELECT {GROUP_COLUMNS} FROM groups WHERE id = ?1"),
        pg_params![group_id],
        row,
    )
    .optional()?)
}

fn all_rows(c: &Conn) -> Result<Vec<Row>> {
    let mut stmt = c.prepare_cached(&format!("SELECT {GROUP_COLUMNS} FROM groups"))?;
    let rows = stmt.query_map([], row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// A user's state in a group (the group → user edge), if any.
pub fn state_of(c: &Conn, group_id: &str, user_id: &str) -> Result<Option<i64>> {
    Ok(c.query_row(
        "SELECT state FROM group_edge WHERE source_id = ?1 AND destination_id = ?2",
        pg_params![group_id, user_id],
        |r| r.get(0),
    )
    .optional()?)
}

/// Nakama's `groupCheckUserPermission`: the user's state is `at_most`
/// or better.
pub fn has_state(c: &Conn, group_id: &str, user_id: &str, at_most: i64) -> Result<bool> {
    Ok(state_of(c, group_id, user_id)?.is_some_and(|s| s <= at_most))
}

fn username_of(c: &Conn, user_id: &str) -> Result<Option<String>> {
    Ok(c.query_row(
        "SELECT username FROM users WHERE id = ?1",
        pg_params![user_id],
        |r| r.get(0),
    )
    .optional()?)
}

/// PostgreSQL's refusal of a value longer than its column, in pgx's words
/// (what a module's nk call gets through Nakama).
fn too_long(limit: usize, value: &str) -> Result<()> {
    if value.chars().count() > limit {
        let message = super::pg::too_long(limit);
        return Err(GroupError::Db(CallError::new(Code::Internal, message)));
    }
    Ok(())
}

fn add_edges(c: &Conn, group_id: &str, user_id: &str, state: i64) -> Result<bool> {
    let (pos, now) = (position(), now_micros(c));
    let taken: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM group_edge WHERE (source_id = ?1 AND destination_id = ?2)
                                                  OR (source_id = ?2 AND destination_id = ?1))",
        pg_params![group_id, user_id],
        |r| r.get(0),
    )?;
    if taken {
        return Ok(false);
    }
    let mut stmt = c.prepare_cached(
        "INSERT INTO group_edge (source_id, destination_id, position, state, update_time)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    stmt.execute(pg_params![group_id, user_id, pos, state, now])?;
    stmt.execute(pg_params![user_id, group_id, pos, state, now])?;
    Ok(true)
}

fn delete_edges(c: &Conn, group_id: &str, user_id: &str) -> Result<()> {
    c.execute(
        "DELETE FROM group_edge WHERE (source_id = ?1 AND destination_id = ?2)
                                   OR (source_id = ?2 AND destination_id = ?1)",
        pg_params![group_id, user_id],
    )?;
    Ok(())
}

fn set_state(c: &Conn, group_id: &str, user_id: &str, state: i64) -> Result<()> {
    c.execute(
        "UPDATE group_edge SET state = ?3, update_time = ?4
         WHERE (source_id = ?1 AND destination_id = ?2) OR (source_id = ?2 AND destination_id = ?1)",
        pg_params![group_id, user_id, state, now_micros(c)],
    )?;
    Ok(())
}

/// One member more, unless the group is full.
fn grow(c: &Conn, group_id: &str) -> Result<()> {
    let changed = c.execute(
        "UPDATE groups SET edge_count = edge_count + 1, update_time = ?2
         WHERE id = ?1 AND edge_count + 1 <= max_count",
        pg_params![group_id, now_micros(c)],
    )?;
    if changed == 0 {
        return Err(GroupError::Full);
    }
    Ok(())
}

fn shrink(c: &Conn, group_id: &str) -> Result<usize> {
    Ok(c.execute(
        "UPDATE groups SET edge_count = edge_count - 1, update_time = ?2 WHERE id = ?1",
        pg_params![group_id, now_micros(c)],
    )?)
}

/// Stores a membership message in the group's channel (its time in whole
/// seconds, as Nakama stores it) and answers it as it is delivered.
fn message(
    c: &Conn,
    group_id: &str,
    code: i32,
    user_id: &str,
    username: &str,
) -> Result<api::ChannelMessage> {
    let stream = stream(group_id);
    let nanos = unix_nanos();
    let stored = super::channel::Stored {
        id: Uuid::new_v4().to_string(),
        code,
        sender_id: user_id.to_string(),
        username: username.to_string(),
        stream: stream.clone(),
        content: "{}".into(),
        time: nanos.div_euclid(1_000_000_000) * 1_000_000,
    };
    if !super::channel::insert(c, &stored)? {
        let message = super::pg::no_such_user("message", "sender_id");
        return Err(GroupError::Db(CallError::new(Code::Internal, message)));
    }
    let time = Some(rfc3339_nanos(nanos));
    Ok(api::ChannelMessage {
        channel_id: stream.channel_id(),
        message_id: stored.id,
        code: Some(code),
        sender_id: stored.sender_id,
        username: stored.username,
        content: stored.content,
        create_time: time.clone(),
        update_time: time,
        persistent: Some(true),
        group_id: group_id.to_string(),
        ..Default::default()
    })
}

fn notify(
    c: &Conn,
    fx: &mut Effects,
    user_id: &str,
    subject: String,
    content: &[(&str, &str)],
    code: i32,
    sender_id: &str,
) -> Result<()> {
    let send = nk::NotificationSendArgs {
        user_id: user_id.to_string(),
        subject,
        content: content
            .iter()
            .map(|(k, v)| (k.to_string(), (*v).into()))
            .collect(),
        code,
        sender_id: sender_id.to_string(),
        persistent: true,
    };
    let n = super::notification_send(c, &send)?;
    fx.notifications.push((user_id.to_string(), n));
    Ok(())
}

/// What a group is created with.
pub struct New<'a> {
    /// The first superadmin.
    pub user_id: &'a str,
    /// Recorded as the creator (the nil UUID: the system).
    pub creator_id: &'a str,
    pub name: &'a str,
    pub lang_tag: &'a str,
    pub description: &'a str,
    pub avatar_url: &'a str,
    /// JSONB text; empty: `{}`.
    pub metadata: &'a str,
    pub open: bool,
    pub max_count: i32,
}

/// Nakama's `CreateGroup`.
pub fn create(c: &Conn, g: &New<'_>) -> Result<api::Group> {
    if g.user_id == Uuid::nil().to_string() {
        return Err(GroupError::CreatorInvalid);
    }
    too_long(255, g.name)?;
    too_long(255, g.description)?;
    too_long(512, g.avatar_url)?;
    too_long(18, g.lang_tag)?;
    in_tx(c, |c| {
        let (id, now) = (Uuid::new_v4().to_string(), now_micros(c));
        let lang = if g.lang_tag.is_empty() {
            "en"
        } else {
            g.lang_tag
        };
        let metadata = if g.metadata.is_empty() {
            "{}"
        } else {
            g.metadata
        };
        // One statement, as Nakama's: text PostgreSQL refuses fails it
        // before the name's uniqueness does.
        c.execute(
            "INSERT INTO groups (id, creator_id, name, description, avatar_url, lang_tag, metadata,
                                 state, edge_count, max_count, create_time, update_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?10)",
            pg_params![
                id,
                g.creator_id,
                g.name,
                g.description,
                g.avatar_url,
                lang,
                Jsonb(&metadata),
                if g.open { 0 } else { 1 },
                g.max_count,
                now
            ],
        )
        .map_err(name_in_use)?;
        add_edges(c, &id, g.user_id, SUPERADMIN)?;
        let row = get_row(c, &id)?.ok_or(GroupError::NotFound)?;
        Ok(row.group)
    })
}

/// The changes of an update; `None` leaves a field as it is.
#[derive(Default)]
pub struct Changes {
    pub name: Option<String>,
    pub lang_tag: Option<String>,
    /// Empty: none.
    pub description: Option<String>,
    /// Empty: none.
    pub avatar_url: Option<String>,
    pub open: Option<bool>,
    /// JSONB text.
    pub metadata: Option<String>,
    /// 0 or less: unchanged.
    pub max_count: i32,
    /// The nil UUID: unchanged.
    pub creator_id: String,
}

/// Nakama's `UpdateGroup`; `user_id` nil is the system, which may.
pub fn update(c: &Conn, group_id: &str, user_id: &str, ch: &Changes) -> Result<()> {
    let nil = Uuid::nil().to_string();
    if user_id != nil && !has_state(c, group_id, user_id, ADMIN)? {
        return Err(GroupError::PermissionDenied);
    }
    let creator = (!ch.creator_id.is_empty() && ch.creator_id != nil).then_some(&ch.creator_id);
    if ch.name.is_none()
        && ch.lang_tag.is_none()
        && ch.description.is_none()
        && ch.avatar_url.is_none()
        && ch.open.is_none()
        && ch.metadata.is_none()
        && ch.max_count <= 0
        && creator.is_none()
    {
        return Err(GroupError::NoUpdateOps);
    }
    // Nakama's one UPDATE is refused before it finds a row: for text with
    // a NUL or JSON with a `\u0000` (on reading its parameters), then for
    // values longer than their columns (in the table's order).
    let texts = [&ch.name, &ch.lang_tag, &ch.description, &ch.avatar_url];
    if texts.into_iter().flatten().any(|t| t.contains('\0')) {
        return Err(GroupError::Db(CallError::new(Code::Internal, NUL_REFUSED)));
    }
    let metadata = ch
        .metadata
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>);
    if metadata.is_some_and(|m| m.is_ok_and(|m| super::has_nul(&m))) {
        return Err(GroupError::Db(CallError::new(
            Code::Internal,
            JSONB_NUL_REFUSED,
        )));
    }
    let widths = [
        (255, &ch.name),
        (255, &ch.description),
        (512, &ch.avatar_url),
        (18, &ch.lang_tag),
    ];
    for (width, text) in widths {
        text.as_deref().map_or(Ok(()), |t| too_long(width, t))?;
    }
    in_tx(c, |c| {
        let Some(old) = get_row(c, group_id)? else {
            return Err(GroupError::NotUpdated);
        };
        let g = &old.group;
        let name = ch.name.clone().unwrap_or_else(|| g.name.clone());
        let lang = ch.lang_tag.clone().unwrap_or_else(|| g.lang_tag.clone());
        let description = ch
            .description
            .clone()
            .unwrap_or_else(|| g.description.clone());
        let avatar = ch
            .avatar_url
            .clone()
            .unwrap_or_else(|| g.avatar_url.clone());
        let state = ch.open.map_or(old.state, |o| if o { 0 } else { 1 });
        let metadata = ch.metadata.clone().unwrap_or_else(|| g.metadata.clone());
        let max_count = if ch.max_count > 0 {
            ch.max_count
        } else {
            g.max_count
        };
        let creator = creator.cloned().unwrap_or_else(|| g.creator_id.clone());
        // PostgreSQL refuses the text it is given first, then a row
        // breaking the table's check, then a name in use.
        let check = || {
            let message = "new row for relation \"groups\" violates check constraint";
            Err(GroupError::Db(CallError::new(Code::Internal, message)))
        };
        let updated = c.execute(
            "UPDATE groups SET name = ?2, lang_tag = ?3, description = ?4, avatar_url = ?5,
                 state = ?6, metadata = ?7, max_count = ?8, creator_id = ?9, update_time = ?10
             WHERE id = ?1",
            pg_params![
                group_id,
                name,
                lang,
                description,
                avatar,
                state,
                Jsonb(&metadata),
                max_count,
                creator,
                now_micros(c)
            ],
        );
        match updated.map_err(name_in_use) {
            Err(GroupError::NameInUse) | Ok(_) if g.edge_count > max_count => check(),
            Err(e) => Err(e),
            Ok(_) => Ok(()),
        }
    })
}

/// A write's error, a name another group has as [`GroupError::NameInUse`]
/// (the one unique column a write can break: ids are new or kept).
fn name_in_use(e: rusqlite::Error) -> GroupError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            GroupError::NameInUse
        }
        _ => e.into(),
    }
}

/// Nakama's `DeleteGroup`; `user_id` nil is the system. Deleting a group
/// that is not there is no error.
pub fn delete(c: &Conn, group_id: &str, user_id: &str) -> Result<Effects> {
    if user_id != Uuid::nil().to_string() && !has_state(c, group_id, user_id, SUPERADMIN)? {
        return Err(GroupError::PermissionDenied);
    }
    in_tx(c, |c| delete_group(c, group_id))?;
    Ok(Effects {
        deleted: true,
        ..Default::default()
    })
}

fn delete_group(c: &Conn, group_id: &str) -> Result<()> {
    if c.execute("DELETE FROM groups WHERE id = ?1", pg_params![group_id])? > 0 {
        c.execute(
            "DELETE FROM group_edge WHERE source_id = ?1 OR destination_id = ?1",
            pg_params![group_id],
        )?;
    }
    Ok(())
}

/// Nakama's `JoinGroup`: an open group's member, or a closed one's join
/// request (its admins are notified). Joining again changes nothing.
pub fn join(c: &Conn, group_id: &str, user_id: &str, username: &str) -> Result<Effects> {
    let Some(row) = get_row(c, group_id)? else {
        return Err(GroupError::NotFound);
    };
    let g = &row.group;
    if g.edge_count >= g.max_count {
        return Err(GroupError::Full);
    }
    let mut fx = Effects::default();
    if g.open != Some(true) {
        in_tx(c, |c| {
            if !add_edges(c, group_id, user_id, JOIN_REQUEST)? {
                return Ok(());
            }
            let admins: Vec<String> = {
                let mut stmt = c.prepare_cached(
                    "SELECT destination_id FROM group_edge
                     WHERE source_id = ?1 AND (state = 0 OR state = 1) ORDER BY state, position",
                )?;
                let ids = stmt
                    .query_map(pg_params![group_id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                ids
            };
            // Nakama stores the admins' notifications after the request,
            // in one statement whose failure (a username PostgreSQL
            // refuses) it logs: the request stays, with no notification.
            c.execute_batch("SAVEPOINT join_notifications")?;
            let sent = admins.iter().try_for_each(|admin| {
                notify(
                    c,
                    &mut fx,
                    admin,
                    format!("User {username} wants to join your group"),
                    &[("group_id", group_id), ("username", username)],
                    NOTIFICATION_GROUP_JOIN_REQUEST,
                    user_id,
                )
            });
            if sent.is_err() {
                c.execute_batch("ROLLBACK TO join_notifications")?;
                fx.notifications.clear();
            }
            c.execute_batch("RELEASE join_notifications")?;
            Ok(())
        })?;
        return Ok(fx);
    }
    in_tx(c, |c| {
        if !add_edges(c, group_id, user_id, MEMBER)? {
            return Ok(());
        }
        grow(c, group_id)?;
        let m = message(c, group_id, message_code::JOIN, user_id, username)?;
        fx.messages.push(m);
        Ok(())
    })?;
    Ok(fx)
}

/// Nakama's `LeaveGroup`: a member (or a join request) leaves; the last
/// superadmin may not while others are in, and leaving alone deletes the
/// group. Not being in it, or banned, changes nothing.
pub fn leave(c: &Conn, group_id: &str, user_id: &str, username: &str) -> Result<Effects> {
    let Some(state) = state_of(c, group_id, user_id)? else {
        return Ok(Effects::default());
    };
    if state == BANNED {
        return Ok(Effects::default());
    }
    if state == SUPERADMIN {
        let (supers, members): (i64, i64) = c.query_row(
            "SELECT COALESCE(SUM(state = 0), 0), COALESCE(SUM(state <= 2), 0) FROM group_edge
             WHERE source_id = ?1 AND destination_id != ?2",
            pg_params![group_id, user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if supers == 0 {
            if members == 0 {
                return delete(c, group_id, user_id);
            }
            return Err(GroupError::LastSuperadmin);
        }
    }
    let mut fx = Effects::default();
    in_tx(c, |c| {
        delete_edges(c, group_id, user_id)?;
        if state < JOIN_REQUEST && shrink(c, group_id)? == 0 {
            return Err(GroupError::NotFound);
        }
        let m = message(c, group_id, message_code::LEAVE, user_id, username)?;
        fx.messages.push(m);
        Ok(())
    })?;
    fx.removed.push(user_id.to_string());
    Ok(fx)
}

/// The caller's state for a change of others' memberships: the system
/// (nil) acts as a superadmin; others must be an admin or superadmin.
fn caller_state(c: &Conn, group_id: &str, caller: &str) -> Result<i64> {
    if caller == Uuid::nil().to_string() {
        return Ok(SUPERADMIN);
    }
    match state_of(c, group_id, caller)? {
        Some(s) if s <= ADMIN => Ok(s),
        _ => Err(GroupError::PermissionDenied),
    }
}

fn group_name(c: &Conn, group_id: &str) -> Result<Option<String>> {
    Ok(c.query_row(
        "SELECT name FROM groups WHERE id = ?1",
        pg_params![group_id],
        |r| r.get(0),
    )
    .optional()?)
}

/// Nakama's `AddGroupUsers`: new members, or accepted join requests; each
/// is notified and announced in the channel. Members and banned users
/// stay as they are.
pub fn add(c: &Conn, caller: &str, group_id: &str, user_ids: &[String]) -> Result<Effects> {
    caller_state(c, group_id, caller)?;
    let Some(name) = group_name(c, group_id)? else {
        return Err(GroupError::NotFound);
    };
    let mut fx = Effects::default();
    in_tx(c, |c| {
        for uid in user_ids.iter().filter(|u| *u != caller) {
            let Some(username) = username_of(c, uid)? else {
                return Err(GroupError::UserNotFound);
            };
            let grew = match state_of(c, group_id, uid)? {
                None if !add_edges(c, group_id, uid, MEMBER)? => false,
                None => true,
                Some(JOIN_REQUEST) => {
                    set_state(c, group_id, uid, MEMBER)?;
                    true
                }
                Some(_) => false,
            };
            if !grew {
                continue;
            }
            grow(c, group_id)?;
            let m = message(c, group_id, message_code::ADD, uid, &username)?;
            fx.messages.push(m);
            notify(
                c,
                &mut fx,
                uid,
                format!("You've been added to group {name}"),
                &[("group_id", group_id), ("name", &name)],
                NOTIFICATION_GROUP_ADD,
                caller,
            )?;
        }
        Ok(())
    })?;
    Ok(fx)
}

/// Whether `caller_state` may remove `uid` (state `state`): a superadmin
/// (or the system) anyone but the group's last superadmin, an admin only
/// members, join requests and the banned.
fn removable(c: &Conn, group_id: &str, uid: &str, state: i64, caller_state: i64) -> Result<bool> {
    if caller_state != SUPERADMIN {
        return Ok(state > ADMIN);
    }
    if state != SUPERADMIN {
        return Ok(true);
    }
    let others: i64 = c.query_row(
        "SELECT COUNT(*) FROM group_edge WHERE source_id = ?1 AND destination_id != ?2 AND state = 0",
        pg_params![group_id, uid],
        |r| r.get(0),
    )?;
    Ok(others > 0)
}

/// Nakama's `KickGroupUsers` (`ban` false) and `BanGroupUsers`: members
/// removed (announced in the channel, their presences out of it), join
/// requests declined; a ban leaves a banned edge.
pub fn remove(
    c: &Conn,
    caller: &str,
    group_id: &str,
    user_ids: &[String],
    ban: bool,
) -> Result<Effects> {
    let my_state = caller_state(c, group_id, caller)?;
    let exists = get_row(c, group_id)?.is_some();
    if !ban && !exists {
        return Err(GroupError::NotFound);
    }
    let mut fx = Effects::default();
    in_tx(c, |c| {
        for uid in user_ids.iter().filter(|u| *u != caller) {
            if !exists {
                continue;
            }
            let Some(state) = state_of(c, group_id, uid)? else {
                continue;
            };
            if !removable(c, group_id, uid, state, my_state)? {
                continue;
            }
            delete_edges(c, group_id, uid)?;
            if ban {
                c.execute(
                    "INSERT INTO group_edge (source_id, destination_id, position, state, update_time)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    pg_params![group_id, uid, position(), BANNED, now_micros(c)],
                )?;
            }
            if state >= JOIN_REQUEST {
                continue;
            }
            shrink(c, group_id)?;
            let Some(username) = username_of(c, uid)? else {
                return Err(GroupError::UserNotFound);
            };
            let code = if ban {
                message_code::BAN
            } else {
                message_code::KICK
            };
            fx.messages
                .push(message(c, group_id, code, uid, &username)?);
            fx.removed.push(uid.clone());
        }
        Ok(())
    })?;
    Ok(fx)
}

/// Nakama's `PromoteGroupUsers` (`up`) and `DemoteGroupUsers`: one role
/// up (members and admins, to the caller's own at most) or down (admins
/// and superadmins the caller's rank or below, to member at the lowest; a
/// group keeps a superadmin).
pub fn change_role(
    c: &Conn,
    caller: &str,
    group_id: &str,
    user_ids: &[String],
    up: bool,
) -> Result<Effects> {
    let my_state = caller_state(c, group_id, caller)?;
    if get_row(c, group_id)?.is_none() {
        return Err(GroupError::NotFound);
    }
    let mut fx = Effects::default();
    in_tx(c, |c| {
        for uid in user_ids.iter().filter(|u| *u != caller) {
            let Some(state) = state_of(c, group_id, uid)? else {
                continue;
            };
            let new_state = if up {
                if !(state > SUPERADMIN && state > my_state && state <= MEMBER) {
                    continue;
                }
                state - 1
            } else {
                if !(state >= my_state && state < MEMBER) {
                    continue;
                }
                // A superadmin (or the system) demotes only while a
                // superadmin other than the one demoted stays.
                if my_state == SUPERADMIN {
                    let others: i64 = c.query_row(
                        "SELECT COUNT(*) FROM group_edge
                         WHERE source_id = ?1 AND destination_id != ?2 AND state = 0",
                        pg_params![group_id, uid],
                        |r| r.get(0),
                    )?;
                    if others == 0 {
                        continue;
                    }
                }
                state + 1
            };
            set_state(c, group_id, uid, new_state)?;
            let Some(username) = username_of(c, uid)? else {
                return Err(GroupError::UserNotFound);
            };
            let code = if up {
                message_code::PROMOTE
            } else {
                message_code::DEMOTE
            };
            fx.messages
                .push(message(c, group_id, code, uid, &username)?);
        }
        Ok(())
    })?;
    Ok(fx)
}

/// Nakama's `GetGroups`: unknown ids are left out.
pub fn get_many(c: &Conn, ids: &[String]) -> Result<Vec<api::Group>> {
    let mut out = Vec::new();
    for id in ids {
        let id = Uuid::parse_str(id).map_or_else(|_| id.clone(), |u| u.to_string());
        if out.iter().any(|g: &api::Group| g.id == id) {
            continue;
        }
        if let Some(r) = get_row(c, &id)? {
            out.push(r.group);
        }
    }
    Ok(out)
}

/// Nakama's `GetRandomGroups`: from a random id on, in id order, then
/// from the start, `count` at most.
pub fn random(c: &Conn, count: usize) -> Result<Vec<api::Group>> {
    let mut rows = all_rows(c)?;
    rows.sort_by(|a, b| a.group.id.cmp(&b.group.id));
    let from = Uuid::new_v4().to_string();
    let mut out: Vec<api::Group> = rows
        .iter()
        .filter(|r| r.group.id > from)
        .take(count)
        .map(|r| r.group.clone())
        .collect();
    for r in &rows {
        if out.len() >= count {
            break;
        }
        if !out.iter().any(|g| g.id == r.group.id) {
            out.push(r.group.clone());
        }
    }
    Ok(out)
}

/// A position in a group listing: what Nakama's gob cursor holds, as
/// JSON in URL-safe base64.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ListCursor {
    lang: String,
    edge_count: i32,
    id: String,
    open: bool,
    name: String,
    /// Microseconds.
    update_time: i64,
}

/// A sort key part.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    I(i64),
    S(String),
}

/// The fields listing keys are made of.
struct Keyed<'a> {
    state: i64,
    lang: &'a str,
    edge: i64,
    id: &'a str,
    update: i64,
}

impl Keyed<'_> {
    fn pick(&self, parts: &str) -> Vec<Key> {
        parts
            .chars()
            .map(|p| match p {
                's' => Key::I(self.state),
                'l' => Key::S(self.lang.to_string()),
                'e' => Key::I(self.edge),
                'i' => Key::S(self.id.to_string()),
                _ => Key::I(self.update),
            })
            .collect()
    }
}

/// The filters of a group listing.
pub struct ListFilter<'a> {
    pub name: &'a str,
    pub lang_tag: &'a str,
    pub open: Option<bool>,
    /// -1 (or less): none.
    pub members: i64,
    pub limit: usize,
    pub cursor: &'a str,
}

/// Nakama's `ListGroups`: by name (its `ILIKE` pattern, leading `%` and
/// spaces trimmed, in name order), or by the other filters, each
/// combination in the order (and with the cursor comparison) Nakama's
/// query for it has.
pub fn list(c: &Conn, f: &ListFilter<'_>) -> Result<api::GroupList> {
    let has_members = f.members > -1;
    if !f.name.is_empty() && (!f.lang_tag.is_empty() || f.open.is_some() || has_members) {
        return Err(GroupError::NameCombined);
    }
    let cursor = if f.cursor.is_empty() {
        None
    } else {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(f.cursor)
            .map_err(|_| GroupError::MalformedCursor)?;
        Some(
            serde_json::from_slice::<ListCursor>(&bytes)
                .map_err(|_| GroupError::MalformedCursor)?,
        )
    };
    // Trimmed after the check above, as Nakama does: a name of only `%`
    // and spaces then filters nothing.
    let name = f.name.trim_start_matches(['%', ' ']);
    // Filtered here, but PostgreSQL is given them in Nakama's query.
    if name.contains('\0') || f.lang_tag.contains('\0') {
        return Err(GroupError::Db(CallError::new(Code::Internal, NUL_REFUSED)));
    }
    let mut rows = all_rows(c)?;
    let open_state = f.open.map(|o| if o { 0 } else { 1 });
    rows.retain(|r| {
        open_state.is_none_or(|s| r.state == s)
            && (f.lang_tag.is_empty() || r.group.lang_tag == f.lang_tag)
            && (!has_members || i64::from(r.group.edge_count) <= f.members)
    });
    // (cursor key, order key, descending, cursor wants greater keys)
    let (cursor_key, order_key, desc, greater) = if !name.is_empty() {
        let pattern = name.to_lowercase();
        rows.retain(|r| ilike(&r.group.name.to_lowercase(), &pattern));
        ("n", "n", false, true)
    } else {
        match (f.open.is_some(), !f.lang_tag.is_empty(), has_members) {
            (true, true, true) => ("slei", "slei", true, false),
            (true, true, false) => ("slei", "seli", true, true),
            (true, false, true) => ("seli", "seli", true, false),
            (false, true, true) => ("lei", "lei", true, false),
            (false, true, false) => ("lei", "lei", false, true),
            (false, false, true) => ("eui", "eui", true, false),
            (_, false, false) => ("uei", "uei", false, true),
        }
    };
    let key_of = |parts: &str, r: &Row| -> Vec<Key> {
        if parts == "n" {
            return vec![Key::S(r.group.name.clone())];
        }
        Keyed {
            state: r.state,
            lang: &r.group.lang_tag,
            edge: i64::from(r.group.edge_count),
            id: &r.group.id,
            update: r.update_time,
        }
        .pick(parts)
    };
    if let Some(cur) = &cursor {
        let at = if cursor_key == "n" {
            vec![Key::S(cur.name.clone())]
        } else {
            Keyed {
                state: if cur.open { 0 } else { 1 },
                lang: &cur.lang,
                edge: i64::from(cur.edge_count),
                id: &cur.id,
                update: cur.update_time,
            }
            .pick(cursor_key)
        };
        rows.retain(|r| {
            let k = key_of(cursor_key, r);
            if greater {
                k > at
            } else {
                k < at
            }
        });
    }
    rows.sort_by_cached_key(|r| key_of(order_key, r));
    if desc {
        rows.reverse();
    }
    let more = rows.len() > f.limit;
    rows.truncate(f.limit);
    let cursor = match rows.last() {
        Some(last) if more => {
            let c = ListCursor {
                lang: last.group.lang_tag.clone(),
                edge_count: last.group.edge_count,
                id: last.group.id.clone(),
                open: last.group.open == Some(true),
                name: last.group.name.clone(),
                update_time: last.update_time,
            };
            let json = serde_json::to_vec(&c).unwrap_or_default();
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
        }
        _ => String::new(),
    };
    Ok(api::GroupList {
        groups: rows.into_iter().map(|r| r.group).collect(),
        cursor,
    })
}

/// PostgreSQL's `LIKE` on lowercased text: `%` any run, `_` any one
/// character, `\` escapes the next.
fn ilike(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    fn go(t: &[char], p: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('%') => (0..=t.len()).any(|i| go(&t[i..], &p[1..])),
            Some('_') => !t.is_empty() && go(&t[1..], &p[1..]),
            Some('\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&t[1..], &p[2..]),
            Some(ch) => t.first() == Some(ch) && go(&t[1..], &p[1..]),
        }
    }
    go(&t, &p)
}

/// A position in a membership listing: a state and a position in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EdgeCursor {
    state: i64,
    position: i64,
}

fn edge_cursor(cursor: &str, state: Option<i64>) -> Option<Option<EdgeCursor>> {
    if cursor.is_empty() {
        return Some(None);
    }
    let bytes = base64::engine::general_purpose::URL_SAFE
        .decode(cursor)
        .ok()?;
    let c: EdgeCursor = serde_json::from_slice(&bytes).ok()?;
    if state.is_some_and(|s| s != c.state) {
        return None;
    }
    Some(Some(c))
}

fn encode_edge_cursor(state: i64, position: i64) -> String {
    let json = serde_json::to_vec(&EdgeCursor { state, position }).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE.encode(json)
}

/// The edges from `source` in listing order: one state (or 0 to 3), from
/// the cursor on; `limit` 0: all.
fn edges(
    c: &Conn,
    source: &str,
    state: Option<i64>,
    cursor: Option<&EdgeCursor>,
) -> Result<Vec<(String, i64, i64)>> {
    let mut stmt = c.prepare_cached(
        "SELECT destination_id, state, position FROM group_edge
         WHERE source_id = ?1 AND state >= ?2 AND state <= ?3
           AND (state > ?4 OR (state = ?4 AND position >= ?5))
         ORDER BY state, position",
    )?;
    let (lo, hi) = state.map_or((0, 3), |s| (s, s));
    let (cs, cp) = cursor.map_or((-1, i64::MIN), |c| (c.state, c.position));
    let rows = stmt
        .query_map(pg_params![source, lo, hi, cs, cp], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Nakama's `ListGroupUsers`: members and join requests by state, then
/// the order they got it (an unknown group has none); `limit` 0: all.
pub fn users(
    c: &Conn,
    group_id: &str,
    limit: usize,
    state: Option<i64>,
    cursor: &str,
) -> Result<api::GroupUserList> {
    let cursor = edge_cursor(cursor, state).ok_or(GroupError::BadGroupUserCursor)?;
    let mut out = api::GroupUserList::default();
    for (user_id, state, position) in edges(c, group_id, state, cursor.as_ref())? {
        let Some(user) = super::users(c, std::slice::from_ref(&user_id))?
            .into_iter()
            .next()
        else {
            continue;
        };
        if limit != 0 && out.group_users.len() >= limit {
            out.cursor = encode_edge_cursor(state, position);
            break;
        }
        out.group_users.push(api::GroupUser {
            user: Some(user),
            state: Some(state as i32),
        });
    }
    Ok(out)
}

/// Nakama's `ListUserGroups`: the groups a user is in or asked to join
/// (not those banned from), by state then the order they got it.
pub fn user_groups(
    c: &Conn,
    user_id: &str,
    limit: usize,
    state: Option<i64>,
    cursor: &str,
) -> Result<api::UserGroupList> {
    let cursor = edge_cursor(cursor, state).ok_or(GroupError::BadUserGroupCursor)?;
    let mut out = api::UserGroupList::default();
    for (group_id, state, position) in edges(c, user_id, state, cursor.as_ref())? {
        let Some(row) = get_row(c, &group_id)? else {
            continue;
        };
        if limit != 0 && out.user_groups.len() >= limit {
            out.cursor = encode_edge_cursor(state, position);
            break;
        }
        out.user_groups.push(api::UserGroup {
            group: Some(row.group),
            state: Some(state as i32),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Conn {
        let db = crate::db::Db::open(":memory:").unwrap();
        std::sync::Arc::try_unwrap(db.conn)
            .ok()
            .unwrap()
            .into_inner()
            .unwrap()
    }

    fn user(c: &mut Conn, name: &str) -> String {
        crate::db::authenticate(
            c,
            crate::db::AuthId::Custom(&format!("id-{name}")),
            name,
            true,
        )
        .unwrap()
        .user_id
    }

    fn new<'a>(user_id: &'a str, name: &'a str, open: bool) -> New<'a> {
        New {
            user_id,
            creator_id: user_id,
            name,
            lang_tag: "",
            description: "",
            avatar_url: "",
            metadata: "",
            open,
            max_count: 3,
        }
    }

    fn states(c: &Conn, group_id: &str) -> Vec<(String, i32)> {
        users(c, group_id, 0, None, "")
            .unwrap()
            .group_users
            .into_iter()
            .map(|g| (g.user.unwrap().username, g.state.unwrap()))
            .collect()
    }

    #[test]
    fn a_value_past_its_column_fails_in_pgx_words_before_the_name_is_compared() {
        let mut c = db();
        let a = user(&mut c, "a");
        create(&c, &new(&a, "Taken", true)).unwrap();
        let long = "x".repeat(256);
        let refused = |r: Result<api::Group>| match r {
            Err(GroupError::Db(e)) => e.message,
            other => panic!("not a database refusal: {other:?}"),
        };
        let pg = "ERROR: value too long for type character varying(255) (SQLSTATE 22001)";
        assert_eq!(refused(create(&c, &new(&a, &long, true))), pg);
        let taken_and_long = New {
            description: &long,
            ..new(&a, "Taken", true)
        };
        assert_eq!(refused(create(&c, &taken_and_long)), pg);
        // A NUL fails Nakama's one statement before its name is compared.
        let taken_with_nul = New {
            avatar_url: "a\0",
            ..new(&a, "Taken", true)
        };
        assert_eq!(refused(create(&c, &taken_with_nul)), NUL_REFUSED);
        // An update breaking the member limit fails on it before its
        // name is compared; a NUL before both.
        let b = create(&c, &new(&a, "Other", true)).unwrap();
        for n in ["m1", "m2"] {
            let m = user(&mut c, n);
            join(&c, &b.id, &m, n).unwrap();
        }
        let mut ch = Changes {
            name: Some("Taken".into()),
            max_count: 2,
            ..Default::default()
        };
        let updated = |ch: &Changes| match update(&c, &b.id, &a, ch) {
            Err(GroupError::Db(e)) => e.message,
            other => panic!("not a database refusal: {other:?}"),
        };
        assert!(updated(&ch).contains("violates check constraint"));
        ch.description = Some("\0".into());
        assert_eq!(updated(&ch), NUL_REFUSED);
        ch.max_count = 0;
        ch.description = None;
        assert_eq!(update(&c, &b.id, &a, &ch), Err(GroupError::NameInUse));
        assert_eq!(get_row(&c, &b.id).unwrap().unwrap().group.name, "Other");
    }

    #[test]
    fn memberships_follow_nakamas_rules() {
        let mut c = db();
        let (a, b, d, e) = (
            user(&mut c, "a"),
            user(&mut c, "b"),
            user(&mut c, "d"),
            user(&mut c, "e"),
        );
        let g = create(&c, &new(&a, "Clan", true)).unwrap();
        assert_eq!((g.edge_count, g.max_count, g.open), (1, 3, Some(true)));
        assert_eq!(g.lang_tag, "en");
        assert_eq!(
            create(&c, &new(&b, "Clan", true)).unwrap_err(),
            GroupError::NameInUse
        );
        // Open: a member at once, announced; joining again is nothing.
        let fx = join(&c, &g.id, &b, "b").unwrap();
        assert_eq!(fx.messages[0].code, Some(message_code::JOIN));
        assert!(join(&c, &g.id, &b, "b").unwrap().messages.is_empty());
        // A member cannot promote; the superadmin can, to admin.
        assert_eq!(
            change_role(&c, &b, &g.id, std::slice::from_ref(&d), true).unwrap_err(),
            GroupError::PermissionDenied
        );
        change_role(&c, &a, &g.id, std::slice::from_ref(&b), true).unwrap();
        // The admin adds d; the group is then full.
        let fx = add(&c, &b, &g.id, std::slice::from_ref(&d)).unwrap();
        assert_eq!(fx.notifications[0].1.code, NOTIFICATION_GROUP_ADD);
        assert_eq!(
            join(&c, &g.id, &e, "e").unwrap_err(),
            GroupError::Full,
            "max_count 3"
        );
        assert_eq!(
            states(&c, &g.id),
            [("a".into(), 0), ("b".into(), 1), ("d".into(), 2)]
        );
        // An admin cannot kick an admin or the superadmin; members yes.
        remove(&c, &b, &g.id, &[a.clone(), d.clone()], false).unwrap();
        assert_eq!(states(&c, &g.id), [("a".into(), 0), ("b".into(), 1)]);
        // The last superadmin cannot leave while b is in; b can.
        assert_eq!(
            leave(&c, &g.id, &a, "a").unwrap_err(),
            GroupError::LastSuperadmin
        );
        // Banned: listed only as state 4, and not among b's groups.
        remove(&c, &a, &g.id, std::slice::from_ref(&b), true).unwrap();
        assert_eq!(states(&c, &g.id), [("a".into(), 0)]);
        let banned = users(&c, &g.id, 0, Some(BANNED), "").unwrap();
        assert_eq!(banned.group_users.len(), 1);
        assert!(user_groups(&c, &b, 10, None, "")
            .unwrap()
            .user_groups
            .is_empty());
        assert!(join(&c, &g.id, &b, "b").unwrap().messages.is_empty());
        // Alone, the superadmin's leaving deletes the group.
        assert!(leave(&c, &g.id, &a, "a").unwrap().deleted);
        assert!(get_many(&c, std::slice::from_ref(&g.id))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn closed_groups_take_join_requests_and_tell_the_admins() {
        let mut c = db();
        let (a, b) = (user(&mut c, "a"), user(&mut c, "b"));
        let g = create(&c, &new(&a, "Closed", false)).unwrap();
        let fx = join(&c, &g.id, &b, "b").unwrap();
        assert!(fx.messages.is_empty());
        let (to, n) = &fx.notifications[0];
        assert_eq!((to, n.code), (&a, NOTIFICATION_GROUP_JOIN_REQUEST));
        assert_eq!(n.subject, "User b wants to join your group");
        assert_eq!(states(&c, &g.id)[1], ("b".into(), 3));
        // Accepted by an add: a member, the count one more.
        add(&c, &a, &g.id, std::slice::from_ref(&b)).unwrap();
        let g2 = get_many(&c, std::slice::from_ref(&g.id)).unwrap();
        assert_eq!(g2[0].edge_count, 2);
    }

    /// The admins' notifications of a join request are stored after it:
    /// one PostgreSQL refuses leaves the request made, and no
    /// notification; in an open group the join's message fails the join.
    #[test]
    fn a_join_under_a_name_postgresql_refuses() {
        let mut c = db();
        let (a, b) = (user(&mut c, "a"), user(&mut c, "b"));
        let closed = create(&c, &new(&a, "Closed", false)).unwrap();
        let fx = join(&c, &closed.id, &b, "b\0").unwrap();
        assert!(fx.notifications.is_empty());
        assert_eq!(states(&c, &closed.id)[1], ("b".into(), 3));
        let page = nk::PageArgs {
            user_id: a.clone(),
            limit: 10,
            cursor: String::new(),
        };
        let stored = crate::db::notification_list(&c, &page).unwrap();
        assert!(stored.notifications.is_empty());
        let open = create(&c, &new(&a, "Open", true)).unwrap();
        assert!(join(&c, &open.id, &b, "b\0").is_err());
        assert_eq!(states(&c, &open.id).len(), 1, "not a member");
    }

    #[test]
    fn a_deleted_user_joining_an_open_group_is_refused_for_its_message() {
        let mut c = db();
        let (a, b) = (user(&mut c, "a"), user(&mut c, "b"));
        let open = create(&c, &new(&a, "Open", true)).unwrap();
        crate::db::account::delete(&mut c, &b, false).unwrap();
        let Err(GroupError::Db(e)) = join(&c, &open.id, &b, "b") else {
            panic!("a join of a user that is none");
        };
        let fk = "ERROR: insert or update on table \"message\" violates foreign key constraint \"message_sender_id_fkey\" (SQLSTATE 23503)";
        assert_eq!((e.code, e.message.as_str()), (Code::Internal, fk));
        assert_eq!(states(&c, &open.id).len(), 1, "not a member");
    }

    #[test]
    fn listings_page_with_cursors() {
        let mut c = db();
        let a = user(&mut c, "a");
        for name in ["Alpha", "alps", "Beta"] {
            create(&c, &new(&a, name, true)).unwrap();
        }
        let by_name = |name: &str, cursor: &str| {
            list(
                &c,
                &ListFilter {
                    name,
                    lang_tag: "",
                    open: None,
                    members: -1,
                    limit: 1,
                    cursor,
                },
            )
            .unwrap()
        };
        let first = by_name("al%", "");
        assert_eq!(first.groups[0].name, "Alpha");
        let second = by_name("al%", &first.cursor);
        assert_eq!(second.groups[0].name, "alps");
        assert!(second.cursor.is_empty());
        assert_eq!(by_name("BETA", "").groups.len(), 1, "case-insensitive");
        let unfiltered = by_name("% %", "");
        assert_eq!(
            unfiltered.groups.len(),
            1,
            "only % and spaces: no name filter"
        );
        assert!(!unfiltered.cursor.is_empty());
        let page = user_groups(&c, &a, 2, None, "").unwrap();
        assert_eq!(page.user_groups.len(), 2);
        let rest = user_groups(&c, &a, 2, None, &page.cursor).unwrap();
        assert_eq!(rest.user_groups.len(), 1);
        assert_eq!(
            user_groups(&c, &a, 2, Some(1), &page.cursor).unwrap_err(),
            GroupError::BadUserGroupCursor
        );
    }
}
