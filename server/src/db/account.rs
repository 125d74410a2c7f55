//! Accounts as Nakama's core changes them outside authentication
//! (server/core_account.go, core_user.go, core_link.go, core_unlink.go,
//! core_multi.go, core_wallet.go): deletion and export, bans, links and
//! unlinks, random users, relationship states, ledger item metadata and
//! the all-or-nothing `MultiUpdate`.
//!
//! "The last way in" counts what Nakama counts: email, custom id,
//! devices and the provider ids (which only an account import sets on
//! the dev host).

use nakama_runtime_host::abi::{api, nk, Code};
use nakama_runtime_host::CallError;
use rusqlite::{OptionalExtension, Transaction};
use serde_json::{Map, Value};

use super::{err, internal, jsonb_text, pg_params, rfc3339, rfc3339_nanos, Conn, Jsonb};
use crate::channels::Stream;

/// Tables added in schema version 7 (accounts): the ids of deleted users
/// kept when asked (Nakama's console lists them).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS user_tombstone (
    user_id TEXT PRIMARY KEY,
    create_time INTEGER NOT NULL
);
";

/// Nakama's refusal to unlink an account's last way to log in (also for
/// an unknown user or an id that is not the account's).
pub const LAST_LINK: &str =
    "Cannot unlink last account identifier. Check profile exists and is not last link.";

/// Nakama's `DeleteAccount`: the user and everything that is theirs, in
/// one transaction. Answers whether there was such a user.
pub fn delete(c: &mut Conn, user_id: &str, recorded: bool) -> Result<bool, CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let groups = member_groups(&tx, user_id)?;
    // Nakama's counters of the users with an edge to this one stay as they
    // were, the edges gone by cascade.
    tx.execute(
        "UPDATE users SET lost_edges = lost_edges + 1
         WHERE id IN (SELECT source_id FROM user_edge WHERE destination_id = ?1 AND source_id != ?1)",
        pg_params![user_id],
    )
    .map_err(internal)?;
    // Without foreign keys that cascade (as Nakama's do), each table in turn.
    for sql in [
        "DELETE FROM user_device WHERE user_id = ?1",
        "DELETE FROM user_edge WHERE source_id = ?1 OR destination_id = ?1",
        "DELETE FROM storage WHERE user_id = ?1",
        "DELETE FROM notification WHERE user_id = ?1",
        "DELETE FROM wallet_ledger WHERE user_id = ?1",
        "DELETE FROM message WHERE sender_id = ?1",
        "DELETE FROM leaderboard_record WHERE owner_id = ?1",
    ] {
        tx.execute(sql, pg_params![user_id]).map_err(internal)?;
    }
    if tx
        .execute("DELETE FROM users WHERE id = ?1", pg_params![user_id])
        .map_err(internal)?
        == 0
    {
        // Nothing was deleted: roll back the (empty) rest too.
        return Ok(false);
    }
    leave_groups(&tx, user_id, &groups, now)?;
    if recorded {
        tx.execute(
            "INSERT INTO user_tombstone (user_id, create_time) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            pg_params![user_id, now],
        )
        .map_err(internal)?;
    }
    tx.commit().map_err(internal)?;
    Ok(true)
}

/// The groups a user is in or asked to join: (group, the user's state,
/// the group's member count).
fn member_groups(
    tx: &Transaction<'_>,
    user_id: &str,
) -> Result<Vec<(String, i64, i64)>, CallError> {
    let mut stmt = tx
        .prepare(
            "SELECT g.id, e.state, g.edge_count FROM groups g
             JOIN group_edge e ON e.source_id = g.id WHERE e.destination_id = ?1",
        )
        .map_err(internal)?;
    let rows = stmt
        .query_map(pg_params![user_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal);
    rows
}

/// Nakama's `GroupDeleteAll`: a group the user was the only superadmin of
/// goes; the user leaves the others (a superadmin's edge stays where
/// other superadmins remain, as Nakama removes only states above 0).
fn leave_groups(
    tx: &Transaction<'_>,
    user_id: &str,
    groups: &[(String, i64, i64)],
    now: i64,
) -> Result<(), CallError> {
    for (group_id, state, edge_count) in groups {
        let last_superadmin = *state == 0
            && (*edge_count == 1
                || tx
                    .query_row(
                        "SELECT count(*) FROM group_edge WHERE source_id = ?1 AND destination_id != ?2 AND state = 0",
                        pg_params![group_id, user_id],
                        |r| r.get::<_, i64>(0),
                    )
                    .map_err(internal)?
                    == 0);
        if last_superadmin {
            tx.execute("DELETE FROM groups WHERE id = ?1", pg_params![group_id])
                .map_err(internal)?;
            tx.execute(
                "DELETE FROM group_edge WHERE source_id = ?1 OR destination_id = ?1",
                pg_params![group_id],
            )
            .map_err(internal)?;
            continue;
        }
        let removed = tx
            .execute(
                "DELETE FROM group_edge WHERE ((source_id = ?1 AND destination_id = ?2)
                                             OR (source_id = ?2 AND destination_id = ?1)) AND state > 0",
                pg_params![group_id, user_id],
            )
            .map_err(internal)?;
        // Members (admins 1, members 2) count in the group's size; bans (3)
        // and join requests (4) do not.
        if removed > 0 && *state < 3 {
            tx.execute(
                "UPDATE groups SET edge_count = edge_count - 1, update_time = ?2 WHERE id = ?1",
                pg_params![group_id, now * 1_000_000],
            )
            .map_err(internal)?;
        }
    }
    Ok(())
}

/// Nakama's `ExportAccount`, as its protobuf JSON (`None`: no such user).
pub fn export(c: &Conn, user_id: &str) -> Result<Option<Value>, CallError> {
    let Some(account) = super::account(c, user_id)? else {
        return Ok(None);
    };
    let mut out = Map::new();
    let mut put = |key: &str, v: Value| {
        if v.as_array().is_none_or(|a| !a.is_empty()) {
            out.insert(key.to_string(), v);
        }
    };
    put("account", json(&account)?);
    put("objects", json(&storage_all(c, user_id)?)?);
    // The system user's export is its account and objects alone.
    if user_id == super::SYSTEM_USER {
        return Ok(Some(Value::Object(out)));
    }
    put("friends", json(&export_friends(c, user_id)?)?);
    let groups = super::group::user_groups(c, user_id, 0, None, "").map_err(|e| e.nk())?;
    let groups: Vec<api::Group> = groups
        .user_groups
        .into_iter()
        .filter_map(|g| g.group)
        .collect();
    put("groups", json(&groups)?);
    put("messages", json(&export_messages(c, user_id)?)?);
    put("leaderboard_records", json(&export_records(c, user_id)?)?);
    let notifications = super::notification::list(c, user_id, usize::MAX >> 1, "")?;
    put("notifications", json(&notifications.notifications)?);
    put("wallet_ledgers", Value::Array(export_ledger(c, user_id)?));
    Ok(Some(Value::Object(out)))
}

fn json<T: serde::Serialize>(v: &T) -> Result<Value, CallError> {
    serde_json::to_value(v).map_err(|e| err(Code::Internal, e.to_string()))
}

/// The user's relationships as an export has them: the other user's id
/// and the state.
fn export_friends(c: &Conn, user_id: &str) -> Result<Vec<api::Friend>, CallError> {
    let mut stmt = c
        .prepare_cached(
            "SELECT destination_id, state FROM user_edge WHERE source_id = ?1 ORDER BY position",
        )
        .map_err(internal)?;
    let rows = stmt
        .query_map(pg_params![user_id], |r| {
            Ok(api::Friend {
                user: Some(api::User {
                    id: r.get(0)?,
                    ..Default::default()
                }),
                state: Some(r.get(1)?),
                ..Default::default()
            })
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal);
    rows
}

/// The chat messages the user sent (Nakama's `GetChannelMessages`).
fn export_messages(c: &Conn, user_id: &str) -> Result<Vec<api::ChannelMessage>, CallError> {
    let mut stmt = c
        .prepare_cached(
            "SELECT id, code, username, stream_mode, stream_subject, stream_descriptor, stream_label,
                    content, create_time, update_time
             FROM message WHERE sender_id = ?1 ORDER BY create_time, id",
        )
        .map_err(internal)?;
    let rows = stmt
        .query_map(pg_params![user_id], |r| {
            let stream = Stream {
                mode: r.get(3)?,
                subject: r.get::<_, String>(4)?.parse().unwrap_or_default(),
                subcontext: r.get::<_, String>(5)?.parse().unwrap_or_default(),
                label: r.get(6)?,
            };
            Ok(api::ChannelMessage {
                channel_id: stream.channel_id(),
                message_id: r.get(0)?,
                code: Some(r.get(1)?),
                sender_id: user_id.to_string(),
                username: r.get(2)?,
                content: r.get(7)?,
                create_time: Some(rfc3339_nanos(r.get::<_, i64>(8)? * 1_000)),
                update_time: Some(rfc3339_nanos(r.get::<_, i64>(9)? * 1_000)),
                persistent: Some(true),
                ..Default::default()
            })
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal);
    rows
}

/// The user's leaderboard and tournament records, of every period.
fn export_records(c: &Conn, user_id: &str) -> Result<Vec<api::LeaderboardRecord>, CallError> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {}, leaderboard_id, expiry_time FROM leaderboard_record WHERE owner_id = ?1
             ORDER BY leaderboard_id, expiry_time",
            super::leaderboard::RECORD_COLUMNS
        ))
        .map_err(internal)?;
    let rows = stmt
        .query_map(pg_params![user_id], |r| {
            let id: String = r.get(9)?;
            super::leaderboard::record_from_row(&id, r.get(10)?, r)
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal);
    rows
}

/// The user's wallet ledger as an export has it (console `WalletLedger`:
/// changeset and metadata as JSON text, and no user id: Nakama's listing
/// does not read it), newest first.
fn export_ledger(c: &Conn, user_id: &str) -> Result<Vec<Value>, CallError> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = super::wallet_ledger_list(
            c,
            &nk::PageArgs {
                user_id: user_id.to_string(),
                limit: 100,
                cursor,
            },
        )?;
        all.extend(page.items);
        if page.cursor.is_empty() {
            break;
        }
        cursor = page.cursor;
    }
    Ok(all
        .into_iter()
        .map(|it| {
            let time = Value::from(rfc3339(it.create_time));
            serde_json::json!({
                "id": it.id,
                "changeset": serde_json::to_string(&it.changeset).unwrap_or_default(),
                // Nakama's export writes the item's metadata again, compact.
                "metadata": Value::Object(it.metadata).to_string(),
                "create_time": time,
                "update_time": time,
            })
        })
        .collect())
}

/// Nakama's `GetFriends`: `user_id`'s relationships with `others` (those
/// it has one with), with the other user (no edge count), when the
/// relationship last changed and the metadata of `user_id`'s side.
pub fn friend_status(
    c: &Conn,
    user_id: &str,
    others: &[String],
) -> Result<Vec<api::Friend>, CallError> {
    let mut out = Vec::new();
    let mut stmt = c
        .prepare_cached(
            "SELECT state, update_time, metadata FROM user_edge WHERE source_id = ?1 AND destination_id = ?2",
        )
        .map_err(internal)?;
    // Each user once, however often named (Nakama's `IN (...)`).
    let mut seen = std::collections::HashSet::new();
    for other in others.iter().filter(|o| seen.insert(o.as_str())) {
        let Some((state, update_time, metadata)) = stmt
            .query_row(pg_params![user_id, other], |r| {
                Ok((r.get::<_, i32>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
            })
            .optional()
            .map_err(internal)?
        else {
            continue;
        };
        let Some(mut user) = super::users(c, std::slice::from_ref(other))?.pop() else {
            continue;
        };
        user.edge_count = 0;
        out.push(api::Friend {
            user: Some(user),
            state: Some(state),
            update_time: Some(rfc3339(update_time)),
            metadata,
        });
    }
    Ok(out)
}

/// Nakama's `GetRandomUsers`: users whose ids follow a random id, then
/// from the first id on, `count` in all (fewer only if there are fewer).
pub fn random_users(c: &Conn, count: usize) -> Result<Vec<api::User>, CallError> {
    let ids_after = |from: &str| -> Result<Vec<String>, CallError> {
        let mut stmt = c
            .prepare_cached("SELECT id FROM users WHERE id > ?1 ORDER BY id LIMIT ?2")
            .map_err(internal)?;
        let rows = stmt
            .query_map(pg_params![from, count as i64], |r| r.get(0))
            .map_err(internal)?
            .collect::<Result<Vec<String>, _>>()
            .map_err(internal);
        rows
    };
    let mut ids = ids_after(&uuid::Uuid::new_v4().to_string())?;
    if ids.len() < count {
        for id in ids_after(super::SYSTEM_USER)? {
            if ids.len() >= count {
                break;
            }
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    super::users(c, &ids)
}

/// Sets (ban) or clears (unban) the disable time of the users of `ids`;
/// unknown ones are passed over.
pub fn set_disabled(c: &mut Conn, ids: &[String], banned: bool) -> Result<(), CallError> {
    let time = if banned { c.now() } else { 0 };
    let tx = c.transaction().map_err(internal)?;
    for id in ids {
        tx.execute(
            "UPDATE users SET disable_time = ?1 WHERE id = ?2",
            pg_params![time, id],
        )
        .map_err(internal)?;
    }
    tx.commit().map_err(internal)
}

/// Nakama's `LinkCustom` (arguments checked): refused when another
/// account has the id, or there is no such user.
pub fn link_custom(c: &Conn, user_id: &str, custom_id: &str) -> Result<(), CallError> {
    let n = c
        .execute(
            "UPDATE users SET custom_id = ?2, update_time = ?3 WHERE id = ?1
             AND NOT EXISTS (SELECT 1 FROM users WHERE custom_id = ?2 AND id != ?1)",
            pg_params![user_id, custom_id, c.now()],
        )
        .map_err(internal)?;
    if n == 0 {
        return Err(err(Code::AlreadyExists, "Custom ID is already in use."));
    }
    Ok(())
}

/// Nakama's `LinkDevice` (arguments checked).
pub fn link_device(c: &mut Conn, user_id: &str, device_id: &str) -> Result<(), CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let owner: Option<String> = tx
        .query_row(
            "SELECT user_id FROM user_device WHERE id = ?1",
            pg_params![device_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(internal)?;
    match owner {
        Some(o) if o == user_id => {}
        Some(_) => return Err(err(Code::AlreadyExists, "Device ID already in use.")),
        None => {
            let exists: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)",
                    pg_params![user_id],
                    |r| r.get(0),
                )
                .map_err(internal)?;
            if !exists {
                // PostgreSQL's foreign key refuses it; Nakama answers this.
                return Err(err(Code::Internal, "Error linking Device ID."));
            }
            tx.execute(
                "INSERT INTO user_device (id, user_id) VALUES (?1, ?2)",
                pg_params![device_id, user_id],
            )
            .map_err(internal)?;
        }
    }
    tx.execute(
        "UPDATE users SET update_time = ?2 WHERE id = ?1",
        pg_params![user_id, now],
    )
    .map_err(internal)?;
    tx.commit().map_err(internal)
}

/// Nakama's `LinkEmail` (arguments checked; `email` in lower case).
pub fn link_email(c: &Conn, user_id: &str, email: &str, password: &str) -> Result<(), CallError> {
    let hash = bcrypt::hash(password, bcrypt::DEFAULT_COST)
        .map_err(|e| err(Code::Internal, format!("password hashing failed: {e}")))?;
    let n = c
        .execute(
            "UPDATE users SET email = ?2, password = ?3, update_time = ?4 WHERE id = ?1
             AND NOT EXISTS (SELECT 1 FROM users WHERE email = ?2 AND id != ?1)",
            pg_params![user_id, email, hash, c.now()],
        )
        .map_err(internal)?;
    if n == 0 {
        return Err(err(Code::AlreadyExists, "Email is already in use."));
    }
    Ok(())
}

/// The `users` columns that each hold a way to log in (devices aside).
const LOGIN_COLUMNS: [&str; 8] = [
    "email",
    "custom_id",
    "apple_id",
    "facebook_id",
    "facebook_instant_game_id",
    "google_id",
    "gamecenter_id",
    "steam_id",
];

/// SQL over a `users` row (user `?1`): it has a way to log in besides
/// the column `except` (or, for `"device"`, besides device `?2`), as
/// Nakama's unlinks require.
pub fn other_way_in(except: &str) -> String {
    let mut ways: Vec<String> = LOGIN_COLUMNS
        .iter()
        .filter(|c| **c != except)
        .map(|c| format!("{c} IS NOT NULL"))
        .collect();
    ways.push(if except == "device" {
        "EXISTS (SELECT 1 FROM user_device WHERE user_id = ?1 AND id != ?2)".to_string()
    } else {
        "EXISTS (SELECT 1 FROM user_device WHERE user_id = ?1)".to_string()
    });
    format!("({})", ways.join(" OR "))
}

/// Which way to log in an unlink removes.
#[derive(Clone, Copy)]
pub enum Link {
    Custom,
    Email,
}

/// Nakama's `UnlinkCustom` / `UnlinkEmail`: clears the column (only if it
/// holds `id`, when given) unless it is the account's last way in.
pub fn unlink(c: &Conn, user_id: &str, link: Link, id: &str) -> Result<(), CallError> {
    let (set, column) = match link {
        Link::Custom => ("custom_id = NULL", "custom_id"),
        Link::Email => ("email = NULL, password = NULL", "email"),
    };
    let n = c
        .execute(
            &format!(
                "UPDATE users SET {set}, update_time = ?3 WHERE id = ?1 AND (?2 = '' OR {column} = ?2)
                 AND {}",
                other_way_in(column)
            ),
            pg_params![user_id, id, c.now()],
        )
        .map_err(internal)?;
    if n == 0 {
        return Err(err(Code::PermissionDenied, LAST_LINK));
    }
    Ok(())
}

/// Nakama's `UnlinkDevice` (arguments checked).
pub fn unlink_device(c: &mut Conn, user_id: &str, device_id: &str) -> Result<(), CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let n = tx
        .execute(
            &format!(
                "DELETE FROM user_device WHERE id = ?2 AND user_id = ?1
                 AND EXISTS (SELECT 1 FROM users WHERE id = ?1 AND {})",
                other_way_in("device")
            ),
            pg_params![user_id, device_id],
        )
        .map_err(internal)?;
    if n == 0 {
        return Err(err(Code::PermissionDenied, LAST_LINK));
    }
    tx.execute(
        "UPDATE users SET update_time = ?2 WHERE id = ?1",
        pg_params![user_id, now],
    )
    .map_err(internal)?;
    tx.commit().map_err(internal)
}

/// Nakama's `UpdateWalletLedger`: merges `metadata` into the item's and
/// answers the item as Nakama does (user, changeset, creation time; no id,
/// no metadata). An unknown item answers Nakama's words (`NOT_FOUND`).
pub fn ledger_update(
    c: &Conn,
    item_id: &str,
    metadata: &Map<String, Value>,
) -> Result<nk::LedgerItem, CallError> {
    // Nakama's one UPDATE is refused before it finds the item.
    if metadata
        .iter()
        .any(|(k, v)| k.contains('\0') || super::has_nul(v))
    {
        return Err(err(Code::Internal, super::JSONB_NUL_REFUSED));
    }
    let found: Option<(String, String, String, i64)> = c
        .query_row(
            "SELECT user_id, changeset, metadata, create_time FROM wallet_ledger WHERE id = ?1",
            pg_params![item_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(internal)?;
    let Some((user_id, changeset, stored, create_time)) = found else {
        return Err(err(Code::NotFound, "sql: no rows in result set"));
    };
    let merged = super::friend::jsonb_concat(
        serde_json::from_str(&stored).unwrap_or(Value::Object(Map::new())),
        Value::Object(metadata.clone()),
    );
    c.execute(
        "UPDATE wallet_ledger SET metadata = ?2 WHERE id = ?1",
        pg_params![item_id, Jsonb(&jsonb_text(&merged))],
    )
    .map_err(internal)?;
    Ok(nk::LedgerItem {
        user_id,
        changeset: serde_json::from_str(&changeset).unwrap_or_default(),
        create_time,
        ..Default::default()
    })
}

/// Nakama's `MultiUpdate` (arguments checked): account updates, storage
/// writes, storage deletes, wallet updates, in one transaction.
pub fn multi_update(
    c: &mut Conn,
    a: &nk::MultiUpdateArgs,
) -> Result<nk::MultiUpdateResult, CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    for u in &a.account_updates {
        update_account(&tx, u, now)?;
    }
    let mut out = nk::MultiUpdateResult::default();
    for w in &a.storage_writes {
        out.acks
            .push(super::write_one(&tx, super::Caller::Server, w, now)?);
    }
    for d in &a.storage_deletes {
        delete_object(&tx, d)?;
    }
    for u in &a.wallet_updates {
        if let Some(r) = super::wallet_apply(
            &tx,
            now,
            &u.user_id,
            &u.changeset,
            &u.metadata,
            a.update_ledger,
        )? {
            out.wallet_updates.push(nk::WalletsUpdateItem {
                user_id: u.user_id.clone(),
                updated: r.updated,
                previous: r.previous,
            });
        }
    }
    tx.commit().map_err(internal)?;
    super::share_final_wallets(&mut out.wallet_updates);
    c.written(&a.storage_writes, &out.acks);
    c.deleted(&a.storage_deletes, |d| super::owner(&d.user_id));
    Ok(out)
}

/// A server delete (as `StorageDelete`): a missing object is no error
/// unless a version was asked for.
fn delete_object(tx: &Transaction<'_>, d: &nk::StorageDeleteOp) -> Result<(), CallError> {
    let owner = if d.user_id.is_empty() {
        super::SYSTEM_USER
    } else {
        &d.user_id
    };
    let n = tx
        .execute(
            "DELETE FROM storage WHERE collection = ?1 AND key = ?2 AND user_id = ?3 AND (?4 = '' OR version = ?4)",
            pg_params![d.collection, d.key, owner, d.version],
        )
        .map_err(internal)?;
    if n == 0 && !d.version.is_empty() {
        return Err(err(
            Code::InvalidArgument,
            "Storage delete rejected - not found, version check failed, or permission denied.",
        ));
    }
    Ok(())
}

/// All of a user's storage objects (Nakama's `StorageReadAllUserObjects`).
fn storage_all(c: &Conn, user_id: &str) -> Result<Vec<api::StorageObject>, CallError> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {} FROM storage WHERE user_id = ?1 ORDER BY collection, key",
            super::OBJECT_COLUMNS
        ))
        .map_err(internal)?;
    let rows = stmt
        .query_map(pg_params![user_id], super::object_from_row)
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal);
    rows
}

/// One account update of `MultiUpdate` and `AccountUpdateId`: its
/// non-empty fields (Nakama's Go runtime passes empty ones as unchanged);
/// an unknown user changes nothing. A value longer than its column in
/// Nakama's schema fails as PostgreSQL fails it.
pub(crate) fn update_account(
    tx: &Transaction<'_>,
    u: &nk::AccountUpdateArgs,
    now: i64,
) -> Result<(), CallError> {
    let set = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let mut columns: Vec<(&str, String)> = [
        ("username", set(&u.username)),
        ("display_name", set(&u.display_name)),
        ("timezone", set(&u.timezone)),
        ("location", set(&u.location)),
        ("lang_tag", set(&u.lang_tag)),
        ("avatar_url", set(&u.avatar_url)),
    ]
    .into_iter()
    .filter_map(|(c, v)| v.map(|v| (c, v)))
    .collect();
    if let Some(name) = columns.iter().find(|(c, _)| *c == "username") {
        if crate::gochars::invalid_username(&name.1) {
            return Err(err(
                Code::InvalidArgument,
                "Username invalid, no spaces or control characters allowed.",
            ));
        }
    }
    if let Some(m) = &u.metadata {
        columns.push(("metadata", jsonb_text(&Value::Object(m.clone()))));
    }
    if columns.is_empty() {
        return Err(err(Code::InvalidArgument, "No fields to update."));
    }
    // PostgreSQL refuses a NUL (in JSON too) on reading the parameters,
    // before it checks the lengths.
    if columns.iter().any(|(_, v)| v.contains('\0')) {
        return Err(err(Code::Internal, super::NUL_REFUSED));
    }
    if u.metadata
        .as_ref()
        .is_some_and(|m| m.iter().any(|(k, v)| k.contains('\0') || super::has_nul(v)))
    {
        return Err(err(Code::Internal, super::JSONB_NUL_REFUSED));
    }
    // PostgreSQL checks the columns in the table's order.
    let by_table_order = COLUMNS
        .iter()
        .filter_map(|c| columns.iter().find(|(n, _)| n == c));
    if let Some(width) = by_table_order.into_iter().find_map(|(c, v)| too_long(c, v)) {
        return Err(err(Code::InvalidArgument, super::pg::too_long(width)));
    }
    for (column, value) in columns {
        let json = Jsonb(&value);
        let value: &dyn rusqlite::ToSql = if column == "metadata" { &json } else { &value };
        let r = tx.execute(
            &format!("UPDATE users SET {column} = ?1, update_time = ?2 WHERE id = ?3"),
            pg_params![value, now, u.user_id],
        );
        match r {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(err(Code::AlreadyExists, "Username is already in use."));
            }
            other => {
                other.map_err(internal)?;
            }
        }
    }
    Ok(())
}

/// The account columns a client or module may set, in the order of
/// Nakama's `users` table.
const COLUMNS: [&str; 6] = [
    "username",
    "display_name",
    "avatar_url",
    "lang_tag",
    "location",
    "timezone",
];

/// The width of `column` in Nakama's schema (`VARCHAR(n)`, in characters)
/// when `value` is longer.
pub(crate) fn too_long(column: &str, value: &str) -> Option<usize> {
    let width = match column {
        "username" => 128,
        "display_name" | "location" | "timezone" => 255,
        "avatar_url" => 512,
        "lang_tag" => 18,
        _ => return None,
    };
    (value.chars().count() > width).then_some(width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{authenticate, AuthId, Db};

    fn user(c: &mut Conn, name: &str) -> String {
        authenticate(c, AuthId::Custom(&format!("id-{name}")), name, true)
            .unwrap()
            .user_id
    }

    fn tombstones(c: &Conn) -> Vec<String> {
        let mut stmt = c.prepare("SELECT user_id FROM user_tombstone").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn a_database_of_schema_version_6_gains_tombstones_and_a_recorded_delete_keeps_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.sqlite3");
        let path = path.to_str().unwrap();
        {
            let db = Db::open(path).unwrap();
            let c = db.conn.lock().unwrap();
            // As a dev host of schema version 6 left it.
            c.execute_batch(
                "DROP TABLE user_tombstone; DELETE FROM schema_version; INSERT INTO schema_version VALUES (6);",
            )
            .unwrap();
        }
        let db = Db::open(path).unwrap();
        let mut c = db.conn.lock().unwrap();
        let (alice, bob) = (user(&mut c, "alice"), user(&mut c, "bob"));
        assert!(delete(&mut c, &alice, false).unwrap());
        assert!(tombstones(&c).is_empty());
        assert!(delete(&mut c, &bob, true).unwrap());
        assert_eq!(tombstones(&c), std::slice::from_ref(&bob));
        // Already gone: nothing deleted, nothing recorded again.
        assert!(!delete(&mut c, &bob, true).unwrap());
        assert_eq!(tombstones(&c), [bob]);
        assert!(crate::db::account(&c, &alice).unwrap().is_none());
    }

    #[test]
    fn a_deleted_user_leaves_its_groups_and_takes_those_it_alone_ran() {
        let db = Db::open(":memory:").unwrap();
        let mut c = db.conn.lock().unwrap();
        let (ann, bob) = (user(&mut c, "ann"), user(&mut c, "bob"));
        let group = |c: &Conn, owner: &str, name: &str| {
            let new = crate::db::group::New {
                user_id: owner,
                creator_id: owner,
                name,
                lang_tag: "",
                description: "",
                avatar_url: "",
                metadata: "",
                open: true,
                max_count: 10,
            };
            crate::db::group::create(c, &new).unwrap().id
        };
        let (anns, bobs) = (group(&c, &ann, "anns"), group(&c, &bob, "bobs"));
        crate::db::group::join(&c, &bobs, &ann, "ann").unwrap();
        let size = |c: &Conn, id: &str| {
            let found = crate::db::group::get_many(c, &[id.to_string()]).unwrap();
            found.first().map(|g| g.edge_count)
        };
        assert_eq!(size(&c, &bobs), Some(2));
        assert!(delete(&mut c, &ann, false).unwrap());
        assert_eq!(size(&c, &anns), None, "ann was its only superadmin");
        assert_eq!(size(&c, &bobs), Some(1), "ann left it");
    }
}
