//! Friends: Nakama's `user_edge` table (server/core_friend.go) on SQLite.
//!
//! A relationship is two edges, one from each side: friends (state 0 on
//! both), an invite (1 on the inviter's side, 2 on the invited one's), or a
//! block (3 on the blocker's side only; the other side has no edge, or a
//! block of its own). Both edges of a relationship share a position (Unix
//! nanoseconds when it was formed): lists are ordered by state, then by
//! position. A user's `edge_count` is the number of edges from them.

use std::sync::atomic::{AtomicI64, Ordering};

use base64::Engine as _;
use nakama_runtime_host::abi::{api, Code};
use nakama_runtime_host::CallError;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{err, internal, jsonb_text, pg_params, rfc3339, Conn, Jsonb};
use crate::channels::pg_uuid;

/// Tables added in schema version 4.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS user_edge (
    source_id TEXT NOT NULL REFERENCES users(id),
    destination_id TEXT NOT NULL REFERENCES users(id),
    state INTEGER NOT NULL,
    position INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (source_id, destination_id)
);
CREATE INDEX IF NOT EXISTS user_edge_list ON user_edge (source_id, state, position);
CREATE INDEX IF NOT EXISTS user_edge_destination ON user_edge (destination_id);
";

/// The states of an edge, as `api::Friend` numbers them.
pub const FRIEND: i32 = api::Friend::FRIEND;
pub const INVITE_SENT: i32 = api::Friend::INVITE_SENT;
pub const INVITE_RECEIVED: i32 = api::Friend::INVITE_RECEIVED;
pub const BLOCKED: i32 = api::Friend::BLOCKED;

/// A friends cursor that does not read (Nakama's
/// `runtime.ErrFriendInvalidCursor`).
pub const BAD_CURSOR: &str = "friend cursor invalid";

/// A new relationship's position: Unix nanoseconds, always above the last
/// one handed out.
fn next_position() -> i64 {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = crate::channels::now_nanos();
    let mut last = LAST.load(Ordering::SeqCst);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange(last, next, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

/// An id as PostgreSQL's `uuid` reads it (Nakama hands the ids it checked
/// with gofrs on to it as they came); one it refuses fails the query.
fn canonical(id: &str) -> Result<String, CallError> {
    pg_uuid(id).map(|u| u.to_string()).ok_or_else(|| {
        err(
            Code::Internal,
            format!("invalid input syntax for type uuid: \"{id}\""),
        )
    })
}

/// The ids, canonical, each once, in their first order.
fn unique(ids: &[String]) -> Result<Vec<String>, CallError> {
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        let id = canonical(id)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Nakama's `fetchUserID`: the ids of the users with these usernames
/// (unknown names are left out).
pub fn ids_by_username(c: &Conn, usernames: &[String]) -> Result<Vec<String>, CallError> {
    let mut stmt = c
        .prepare_cached("SELECT id FROM users WHERE username = ?1")
        .map_err(internal)?;
    let mut out = Vec::new();
    for name in usernames {
        if let Some(id) = stmt
            .query_row(pg_params![name], |r| r.get::<_, String>(0))
            .optional()
            .map_err(internal)?
        {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    Ok(out)
}

fn edge(c: &Connection, from: &str, to: &str) -> Result<Option<(i32, String)>, CallError> {
    c.query_row(
        "SELECT state, metadata FROM user_edge WHERE source_id = ?1 AND destination_id = ?2",
        pg_params![from, to],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map_err(internal)
}

/// Whether `blocker` blocked `blocked`.
pub fn blocks(c: &Connection, blocker: &str, blocked: &str) -> Result<bool, CallError> {
    Ok(edge(c, blocker, blocked)?.is_some_and(|(state, _)| state == BLOCKED))
}

/// A new edge's insert failing, in PostgreSQL's words where its source
/// is a user that is none (deleted since; Nakama's `user_edge` references
/// `users`, as the dev host's does): each insert here makes sure of the
/// other end first.
fn edge_refused(e: rusqlite::Error) -> CallError {
    match e.sqlite_error() {
        Some(f) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => err(
            Code::Internal,
            super::pg::no_such_user("user_edge", "source_id"),
        ),
        _ => internal(e),
    }
}

fn touch_users(c: &Connection, now: i64, ids: &[&str]) -> Result<(), CallError> {
    for id in ids {
        c.execute(
            "UPDATE users SET update_time = ?1 WHERE id = ?2",
            pg_params![now, id],
        )
        .map_err(internal)?;
    }
    Ok(())
}

/// PostgreSQL's `jsonb || jsonb`: two objects merge (the right one's keys
/// win), arrays concatenate, anything else is wrapped in an array first.
pub fn jsonb_concat(left: Value, right: Value) -> Value {
    match (left, right) {
        (Value::Object(mut l), Value::Object(r)) => {
            l.extend(r);
            Value::Object(l)
        }
        (l, r) => {
            let items = |v: Value| match v {
                Value::Array(a) => a,
                other => vec![other],
            };
            let mut out = items(l);
            out.extend(items(r));
            Value::Array(out)
        }
    }
}

/// Runs `each` on every user of `ids` (canonical, each once) in one
/// transaction, with the time now; answers what it answered, `None`s left
/// out. Any error changes nothing.
fn each_in_tx<T>(
    c: &mut Conn,
    ids: &[String],
    mut each: impl FnMut(&Connection, i64, String) -> Result<Option<T>, CallError>,
) -> Result<Vec<T>, CallError> {
    let ids = unique(ids)?;
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let mut out = Vec::new();
    for id in ids {
        out.extend(each(&tx, now, id)?);
    }
    tx.commit().map_err(internal)?;
    Ok(out)
}

/// Nakama's `AddFriends` for `user`: for each user of `ids` (not blocked
/// by `user`), accepts their invite or invites them. `metadata` (JSON
/// text; empty for `{}`) goes on `user`'s side. Answers, for each user to
/// notify, whether it was an accept. One transaction: metadata that is not
/// JSON (PostgreSQL refuses it) changes nothing.
pub fn add(
    c: &mut Conn,
    user: &str,
    ids: &[String],
    metadata: &str,
) -> Result<Vec<(String, bool)>, CallError> {
    each_in_tx(c, ids, |conn, now, id| {
        if blocks(conn, user, &id)? {
            return Ok(None);
        }
        let metadata: Value = if metadata.is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(metadata).map_err(|e| {
                err(
                    Code::Internal,
                    format!("invalid input syntax for type json: {e}"),
                )
            })?
        };
        // Their invite, accepted: both edges become friends.
        let mut accepted = 0;
        if edge(conn, &id, user)?.is_some_and(|(s, _)| s == INVITE_SENT) {
            conn.execute(
                "UPDATE user_edge SET state = ?1, update_time = ?2 WHERE source_id = ?3 AND destination_id = ?4",
                pg_params![FRIEND, now, id, user],
            )
            .map_err(internal)?;
            accepted += 1;
        }
        if let Some((INVITE_RECEIVED, mine)) = edge(conn, user, &id)? {
            let mine = serde_json::from_str(&mine).unwrap_or_default();
            conn.execute(
                "UPDATE user_edge SET state = ?1, update_time = ?2, metadata = ?3 WHERE source_id = ?4 AND destination_id = ?5",
                pg_params![FRIEND, now, Jsonb(&jsonb_text(&jsonb_concat(mine, metadata.clone()))), user, id],
            )
            .map_err(internal)?;
            accepted += 1;
        }
        if accepted == 2 {
            return Ok(Some((id, true)));
        }
        // A new invite, unless the other user is unknown or blocked
        // `user`; a relationship already there stays as it is.
        let exists = conn
            .query_row("SELECT 1 FROM users WHERE id = ?1", pg_params![&id], |_| {
                Ok(())
            })
            .optional()
            .map_err(internal)?
            .is_some();
        if !exists || blocks(conn, &id, user)? {
            return Ok(None);
        }
        let position = next_position();
        let mut inserted = 0;
        for (from, to, state, meta) in [
            (user, id.as_str(), INVITE_SENT, jsonb_text(&metadata)),
            (id.as_str(), user, INVITE_RECEIVED, "{}".to_string()),
        ] {
            inserted += conn
                .execute(
                    "INSERT OR IGNORE INTO user_edge (source_id, destination_id, state, position, update_time, metadata)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    pg_params![from, to, state, position, now, Jsonb(&meta)],
                )
                .map_err(edge_refused)?;
        }
        if inserted == 0 {
            return Ok(None);
        }
        touch_users(conn, now, &[user, &id])?;
        Ok(Some((id, false)))
    })
}

/// Nakama's `DeleteFriends` for `user`: a friendship or an invite either
/// way goes (both edges; the other user is answered, to be notified), a
/// block of `user`'s is lifted, a block of the other's stays.
pub fn delete(c: &mut Conn, user: &str, ids: &[String]) -> Result<Vec<String>, CallError> {
    each_in_tx(c, ids, |conn, now, id| {
        let deleted = conn
            .execute(
                "DELETE FROM user_edge WHERE (source_id = ?1 AND destination_id = ?2)
                 OR (source_id = ?2 AND destination_id = ?1 AND state <> ?3)",
                pg_params![user, id, BLOCKED],
            )
            .map_err(internal)?;
        Ok(match deleted {
            0 => None,
            1 => {
                touch_users(conn, now, &[user])?;
                None
            }
            _ => {
                touch_users(conn, now, &[user, &id])?;
                Some(id)
            }
        })
    })
}

/// Nakama's `BlockFriends` for `user`: its edge to each user becomes a
/// block (one is made if there was none and the user exists), theirs goes
/// unless it is a block. Answers the users blocked (unknown ones are not).
pub fn block(c: &mut Conn, user: &str, ids: &[String]) -> Result<Vec<String>, CallError> {
    each_in_tx(c, ids, |conn, now, id| {
        let updated = conn
            .execute(
                "UPDATE user_edge SET state = ?1, update_time = ?2 WHERE source_id = ?3 AND destination_id = ?4",
                pg_params![BLOCKED, now, user, id],
            )
            .map_err(internal)?;
        if updated == 0 {
            let inserted = conn
                .execute(
                    "INSERT INTO user_edge (source_id, destination_id, state, position, update_time)
                     SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)",
                    pg_params![user, id, BLOCKED, next_position(), now],
                )
                .map_err(edge_refused)?;
            if inserted == 0 {
                return Ok(None);
            }
            touch_users(conn, now, &[user])?;
        }
        let theirs = conn
            .execute(
                "DELETE FROM user_edge WHERE source_id = ?1 AND destination_id = ?2 AND state <> ?3",
                pg_params![id, user, BLOCKED],
            )
            .map_err(internal)?;
        if theirs == 1 {
            touch_users(conn, now, &[&id])?;
        }
        Ok(Some(id))
    })
}

/// Nakama's `UpdateFriendMetadata`: replaces the metadata of `user`'s edge
/// to `friend` (nothing if there is none).
pub fn update_metadata(
    c: &Conn,
    user: &str,
    friend: &str,
    metadata: &serde_json::Map<String, Value>,
) -> Result<(), CallError> {
    c.execute(
        "UPDATE user_edge SET metadata = ?1 WHERE source_id = ?2 AND destination_id = ?3",
        pg_params![
            Jsonb(&jsonb_text(&Value::Object(metadata.clone()))),
            user,
            friend
        ],
    )
    .map_err(internal)?;
    Ok(())
}

/// Where a page of a friends list starts.
#[derive(Serialize, Deserialize)]
struct ListCursor {
    state: i32,
    position: i64,
}

fn encode_cursor<T: Serialize>(c: &T) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(c).unwrap_or_default())
}

fn decode_cursor<T: for<'de> Deserialize<'de>>(cursor: &str) -> Result<T, CallError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| err(Code::InvalidArgument, BAD_CURSOR))
}

/// Nakama's `ListFriends`: a page of `user`'s edges (only those in `state`
/// when given), by state then position, from `cursor` (which must be of
/// the same state filter); `limit` checked by the caller. The users have
/// no `edge_count` and no `online` flag yet (the caller fills it), as
/// Nakama reads them.
pub fn list(
    c: &Conn,
    user: &str,
    limit: usize,
    state: Option<i32>,
    cursor: &str,
) -> Result<api::FriendList, CallError> {
    let from = if cursor.is_empty() {
        None
    } else {
        let from: ListCursor = decode_cursor(cursor)?;
        if state.is_some_and(|s| s != from.state) {
            return Err(err(Code::InvalidArgument, BAD_CURSOR));
        }
        Some(from)
    };
    let mut stmt = c
        .prepare_cached(
            "SELECT destination_id, state, position, update_time, metadata FROM user_edge
             WHERE source_id = ?1 AND (?2 IS NULL OR state = ?2)
             AND (?3 IS NULL OR (state, position) >= (?3, ?4))
             ORDER BY state, position LIMIT ?5",
        )
        .map_err(internal)?;
    let rows = stmt
        .query_map(
            pg_params![
                user,
                state,
                from.as_ref().map(|f| f.state),
                from.as_ref().map(|f| f.position),
                limit as i64 + 1
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i32>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                ))
            },
        )
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let mut out = api::FriendList::default();
    for (i, (id, state, position, update_time, metadata)) in rows.into_iter().enumerate() {
        if i == limit {
            out.cursor = encode_cursor(&ListCursor { state, position });
            break;
        }
        let Some(mut user) = super::users(c, std::slice::from_ref(&id))?.pop() else {
            continue;
        };
        user.edge_count = 0;
        out.friends.push(api::Friend {
            user: Some(user),
            state: Some(state),
            update_time: Some(rfc3339(update_time)),
            metadata,
        });
    }
    Ok(out)
}

/// Where a page of friends of friends starts: a friend's friend.
#[derive(Serialize, Deserialize)]
struct FriendsOfFriendsCursor {
    source_id: String,
    destination_id: String,
}

/// Nakama's `ListFriendsOfFriends`: for each of `user`'s friends in id
/// order, their friends that are neither `user` nor `user`'s friends, in id
/// order, `limit` in all. A cursor names the friend and friend's friend the
/// next page starts at, and, as in Nakama, that page lists only the rest of
/// that friend's friends. The users are whole (with `edge_count`), but for
/// their `online` flag, which the caller fills.
pub fn friends_of_friends(
    c: &Conn,
    user: &str,
    limit: usize,
    cursor: &str,
) -> Result<api::FriendsOfFriendsList, CallError> {
    let from = if cursor.is_empty() {
        None
    } else {
        let from: FriendsOfFriendsCursor = decode_cursor(cursor)?;
        if from.source_id.is_empty() || from.destination_id.is_empty() {
            return Err(err(Code::InvalidArgument, BAD_CURSOR));
        }
        Some(from)
    };
    let friends_of = |who: &str| -> Result<Vec<String>, CallError> {
        let mut stmt = c
            .prepare_cached(
                "SELECT destination_id FROM user_edge WHERE source_id = ?1 AND state = ?2
                 ORDER BY destination_id",
            )
            .map_err(internal)?;
        let ids = stmt
            .query_map(pg_params![who, FRIEND], |r| r.get::<_, String>(0))
            .map_err(internal)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(internal)?;
        Ok(ids)
    };
    let friends = friends_of(user)?;
    let mut found: Vec<(String, String)> = Vec::new();
    let mut out = api::FriendsOfFriendsList::default();
    'friends: for f in &friends {
        if from.as_ref().is_some_and(|from| *f != from.source_id) {
            continue;
        }
        let theirs = friends_of(f)?.into_iter().filter(|d| {
            d != user
                && !friends.contains(d)
                && from
                    .as_ref()
                    .is_none_or(|from| d.as_str() >= from.destination_id.as_str())
        });
        for d in theirs.take(limit + 1) {
            if found.len() >= limit {
                out.cursor = encode_cursor(&FriendsOfFriendsCursor {
                    source_id: f.clone(),
                    destination_id: d,
                });
                break 'friends;
            }
            found.push((f.clone(), d));
        }
    }
    for (referrer, id) in found {
        if let Some(user) = super::users(c, std::slice::from_ref(&id))?.pop() {
            out.friends_of_friends.push(api::FriendOfFriend {
                referrer,
                user: Some(user),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{self, AuthId, Db};
    use serde_json::json;

    fn user(c: &mut Conn, name: &str) -> String {
        db::authenticate(c, AuthId::Custom(&format!("custom-{name}")), name, true)
            .unwrap()
            .user_id
    }

    fn states(c: &Conn, of: &str) -> Vec<(String, i32)> {
        list(c, of, 100, None, "")
            .unwrap()
            .friends
            .into_iter()
            .map(|f| (f.user.unwrap().username, f.state.unwrap()))
            .collect()
    }

    fn one(id: &str) -> Vec<String> {
        vec![id.to_string()]
    }

    fn with_db(f: impl FnOnce(&mut Conn)) {
        let db = Db::open(":memory:").unwrap();
        let mut c = db.conn.lock().unwrap();
        f(&mut c);
    }

    #[test]
    fn a_database_of_schema_version_3_gains_the_friends_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.sqlite3");
        let path = path.to_str().unwrap();
        let alice = {
            let db = Db::open(path).unwrap();
            let mut c = db.conn.lock().unwrap();
            let alice = user(&mut c, "alice");
            // As a dev host of schema version 3 left it.
            c.execute_batch(
                "DROP TABLE user_edge; DELETE FROM schema_version; INSERT INTO schema_version VALUES (3);",
            )
            .unwrap();
            alice
        };
        let db = Db::open(path).unwrap();
        let mut c = db.conn.lock().unwrap();
        let bob = user(&mut c, "bob");
        assert_eq!(add(&mut c, &alice, &one(&bob), "").unwrap().len(), 1);
        let account = db::account(&c, &alice).unwrap().unwrap();
        assert_eq!(account.user.unwrap().edge_count, 1);
    }

    #[test]
    fn an_invite_then_its_accept_make_friends_and_each_notifies() {
        with_db(|c| {
            let (a, b) = (user(c, "alice"), user(c, "bob"));
            assert_eq!(add(c, &a, &one(&b), "").unwrap(), [(b.clone(), false)]);
            assert_eq!(states(c, &a), [("bob".to_string(), INVITE_SENT)]);
            assert_eq!(states(c, &b), [("alice".to_string(), INVITE_RECEIVED)]);
            // Inviting again changes nothing and notifies nobody.
            assert_eq!(add(c, &a, &one(&b), "").unwrap(), []);
            assert_eq!(
                add(c, &b, &one(&a), r#"{"x":1}"#).unwrap(),
                [(a.clone(), true)]
            );
            assert_eq!(states(c, &a), [("bob".to_string(), FRIEND)]);
            let mine = list(c, &b, 10, None, "").unwrap().friends;
            assert_eq!(mine[0].metadata, r#"{"x": 1}"#);
            // Already friends: nothing.
            assert_eq!(add(c, &a, &one(&b), "").unwrap(), []);
        });
    }

    #[test]
    fn blocks_keep_invites_out_and_take_the_other_side_away() {
        with_db(|c| {
            let (a, b, x) = (user(c, "alice"), user(c, "bob"), user(c, "carol"));
            add(c, &a, &one(&b), "").unwrap();
            assert_eq!(block(c, &b, &one(&a)).unwrap(), one(&a));
            assert_eq!(states(c, &b), [("alice".to_string(), BLOCKED)]);
            assert_eq!(states(c, &a), []);
            assert!(blocks(c, &b, &a).unwrap() && !blocks(c, &a, &b).unwrap());
            // Blocked: alice's invite does nothing; bob's own add is skipped.
            assert_eq!(add(c, &a, &one(&b), "").unwrap(), []);
            assert_eq!(add(c, &b, &one(&a), "").unwrap(), []);
            // An unknown user is not blocked.
            let nobody = uuid::Uuid::new_v4().to_string();
            assert_eq!(block(c, &a, &[nobody]).unwrap(), Vec::<String>::new());
            // Unblocking: one edge goes, nobody is notified.
            assert_eq!(delete(c, &b, &one(&a)).unwrap(), Vec::<String>::new());
            assert_eq!(states(c, &b), []);
            // A friendship's removal notifies the other side.
            add(c, &a, &one(&x), "").unwrap();
            assert_eq!(delete(c, &x, &one(&a)).unwrap(), one(&a));
            assert_eq!(states(c, &a), []);
        });
    }

    #[test]
    fn a_deleted_account_stays_in_its_friends_counts_and_makes_no_edge() {
        with_db(|c| {
            let (a, b, x) = (user(c, "alice"), user(c, "bob"), user(c, "carol"));
            add(c, &a, &one(&b), "").unwrap();
            add(c, &x, &one(&a), "").unwrap();
            let edge_count = |c: &Conn, id: &str| {
                db::account(c, id)
                    .unwrap()
                    .unwrap()
                    .user
                    .unwrap()
                    .edge_count
            };
            assert_eq!((edge_count(c, &a), edge_count(c, &x)), (2, 1));
            // Nakama's counter keeps the edge the cascade took away.
            db::account::delete(c, &b, false).unwrap();
            assert_eq!(states(c, &a), [("carol".to_string(), INVITE_RECEIVED)]);
            assert_eq!(edge_count(c, &a), 2);
            // No edge to a user that is none; from one, PostgreSQL's refusal.
            assert_eq!(block(c, &a, &one(&b)).unwrap(), Vec::<String>::new());
            db::account::delete(c, &a, false).unwrap();
            assert_eq!(edge_count(c, &x), 1);
            let fk = "ERROR: insert or update on table \"user_edge\" violates foreign key constraint \"user_edge_source_id_fkey\" (SQLSTATE 23503)";
            assert_eq!(block(c, &a, &one(&x)).unwrap_err().message, fk);
            assert_eq!(add(c, &a, &one(&x), "").unwrap_err().message, fk);
        });
    }

    #[test]
    fn lists_go_by_state_then_age_in_pages() {
        with_db(|c| {
            let me = user(c, "me");
            let others: Vec<String> = (0..4).map(|i| user(c, &format!("u{i}"))).collect();
            for o in &others[..3] {
                add(c, &me, std::slice::from_ref(o), "").unwrap();
            }
            add(c, &others[3], std::slice::from_ref(&me), "").unwrap();
            add(c, &others[1], std::slice::from_ref(&me), "").unwrap(); // accepts
            assert_eq!(
                states(c, &me),
                [
                    ("u1".to_string(), FRIEND),
                    ("u0".to_string(), INVITE_SENT),
                    ("u2".to_string(), INVITE_SENT),
                    ("u3".to_string(), INVITE_RECEIVED)
                ]
            );
            let first = list(c, &me, 2, None, "").unwrap();
            assert_eq!(first.friends.len(), 2);
            let second = list(c, &me, 2, None, &first.cursor).unwrap();
            let names: Vec<String> = second
                .friends
                .iter()
                .map(|f| f.user.as_ref().unwrap().username.clone())
                .collect();
            assert_eq!(names, ["u2", "u3"]);
            assert!(second.cursor.is_empty());
            let sent = list(c, &me, 1, Some(INVITE_SENT), "").unwrap();
            assert_eq!(sent.friends.len(), 1);
            let next = list(c, &me, 1, Some(INVITE_SENT), &sent.cursor).unwrap();
            assert_eq!(next.friends[0].user.as_ref().unwrap().username, "u2");
            // A cursor of another state, or none at all, is refused.
            for (state, cursor) in [(Some(FRIEND), sent.cursor.as_str()), (None, "nope")] {
                let e = list(c, &me, 1, state, cursor).unwrap_err();
                assert_eq!(
                    (e.code, e.message.as_str()),
                    (Code::InvalidArgument, BAD_CURSOR)
                );
            }
        });
    }

    #[test]
    fn friends_of_friends_leave_out_me_and_my_friends() {
        with_db(|c| {
            let [me, f1, f2, x, y, z] = ["me", "f1", "f2", "x", "y", "z"].map(|n| user(c, n));
            let befriend = |c: &mut Conn, a: &str, b: &str| {
                add(c, a, &[b.to_string()], "").unwrap();
                add(c, b, &[a.to_string()], "").unwrap();
            };
            befriend(c, &me, &f1);
            befriend(c, &me, &f2);
            befriend(c, &f1, &f2);
            for o in [&x, &y] {
                befriend(c, &f1, o);
            }
            befriend(c, &f2, &z);
            add(c, &f2, &one(&x), "").unwrap(); // an invite only
            let all = friends_of_friends(c, &me, 10, "").unwrap();
            let mut seen: Vec<(String, String)> = all
                .friends_of_friends
                .iter()
                .map(|f| (f.referrer.clone(), f.user.as_ref().unwrap().id.clone()))
                .collect();
            seen.sort();
            let mut want = vec![
                (f1.clone(), x.clone()),
                (f1.clone(), y.clone()),
                (f2.clone(), z.clone()),
            ];
            want.sort();
            assert_eq!(seen, want);
            assert!(all.cursor.is_empty());
            // x's edges: f1 (friends) and f2's invite, as Nakama counts them.
            let edges = |id: &str| {
                all.friends_of_friends
                    .iter()
                    .filter_map(|f| f.user.as_ref())
                    .find(|u| u.id == id)
                    .map(|u| u.edge_count)
            };
            assert_eq!(
                (edges(&x), edges(&y), edges(&z)),
                (Some(2), Some(1), Some(1))
            );
            let page = friends_of_friends(c, &me, 1, "").unwrap();
            assert_eq!(page.friends_of_friends.len(), 1);
            assert!(!page.cursor.is_empty());
            let e = friends_of_friends(c, &me, 1, "e30").unwrap_err(); // {}
            assert_eq!(e.message, BAD_CURSOR);
        });
    }

    #[test]
    fn metadata_merges_as_jsonb_does() {
        assert_eq!(
            jsonb_concat(json!({"a": 1, "b": 1}), json!({"b": 2})),
            json!({"a": 1, "b": 2})
        );
        assert_eq!(jsonb_concat(json!([1]), json!(2)), json!([1, 2]));
        assert_eq!(
            jsonb_concat(json!({"a": 1}), json!([2])),
            json!([{"a": 1}, 2])
        );
        with_db(|c| {
            let (a, b) = (user(c, "alice"), user(c, "bob"));
            let e = add(c, &a, &one(&b), "{not json").unwrap_err();
            assert_eq!(e.code, Code::Internal);
            assert_eq!(states(c, &a), []);
            add(c, &a, &one(&b), r#"{"k": "v"}"#).unwrap();
            let mut m = serde_json::Map::new();
            m.insert("new".into(), json!(true));
            update_metadata(c, &a, &b, &m).unwrap();
            assert_eq!(
                list(c, &a, 1, None, "").unwrap().friends[0].metadata,
                r#"{"new": true}"#
            );
        });
    }
}
