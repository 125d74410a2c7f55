//! A user's stored notifications as the client's routes read and delete
//! them (Nakama's `NotificationList` with a cacheable cursor and
//! `NotificationDelete`, server/core_notification.go). They are kept in the
//! `notification` table of schema version 1, in the order they were stored.

use base64::Engine as _;
use nakama_runtime_host::abi::{api, Code};
use nakama_runtime_host::CallError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    err, internal, jsonb_text_of, pg_params, pg_values, rfc3339, Conn, Jsonb, Varchar, SYSTEM_USER,
};
use crate::channels::{go_uuid, pg_uuid};
use nakama_runtime_host::abi::nk;

/// Where the next listing starts: after the notification stored at
/// (create time, row), or at the start.
#[derive(Serialize, Deserialize, Default)]
struct Cursor {
    after: Option<(i64, i64)>,
}

/// A cursor that does not read ("Malformed cursor was used." in Nakama).
pub const BAD_CURSOR: &str = "Malformed cursor was used.";

fn encode(c: &Cursor) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(c).unwrap_or_default())
}

/// `limit` of `user_id`'s notifications, oldest first, after the one
/// `cursor` points at (or from the start). The answer's cacheable cursor
/// points after the last one listed; with none listed, it is the cursor
/// given (or one for the start), so a later call lists what came since.
pub fn list(
    c: &Conn,
    user_id: &str,
    limit: usize,
    cursor: &str,
) -> Result<api::NotificationList, CallError> {
    let from: Cursor = if cursor.is_empty() {
        Cursor::default()
    } else {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| err(Code::InvalidArgument, BAD_CURSOR))?
    };
    let (time, row) = from.after.unzip();
    let mut stmt = c
        .prepare_cached(
            "SELECT id, subject, content, code, sender_id, create_time, rowid FROM notification
             WHERE user_id = ?1 AND (?2 IS NULL OR (create_time, rowid) > (?2, ?3))
             ORDER BY create_time, rowid LIMIT ?4",
        )
        .map_err(internal)?;
    let rows = stmt
        .query_map(pg_params![user_id, time, row, limit as i64], |r| {
            let content: String = r.get(2)?;
            let sender: String = r.get(4)?;
            let at: (i64, i64) = (r.get(5)?, r.get(6)?);
            Ok((
                api::Notification {
                    id: r.get(0)?,
                    subject: r.get(1)?,
                    // As PostgreSQL's JSONB column gives it back.
                    content: serde_json::from_str::<Value>(&content)
                        .map_or_else(|_| content.clone(), |v| jsonb_text_of(&content, &v)),
                    code: r.get(3)?,
                    sender_id: if sender == SYSTEM_USER {
                        String::new()
                    } else {
                        sender
                    },
                    create_time: Some(rfc3339(at.0)),
                    persistent: true,
                },
                at,
            ))
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let cacheable_cursor = match rows.last() {
        Some((_, at)) => encode(&Cursor { after: Some(*at) }),
        None if cursor.is_empty() => encode(&Cursor::default()),
        None => cursor.to_string(),
    };
    Ok(api::NotificationList {
        notifications: rows.into_iter().map(|(n, _)| n).collect(),
        cacheable_cursor,
    })
}

/// Deletes `user_id`'s notifications of `ids` (others' and unknown ones
/// are left alone). An id PostgreSQL would not read as a UUID fails the
/// whole call, as in Nakama.
pub fn delete(c: &mut Conn, user_id: &str, ids: &[String]) -> Result<(), CallError> {
    let ids = ids
        .iter()
        .map(|id| {
            pg_uuid(id).map(|u| u.to_string()).ok_or_else(|| {
                err(
                    Code::Internal,
                    format!("invalid input syntax for type uuid: \"{id}\""),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tx = c.transaction().map_err(internal)?;
    for id in ids {
        tx.execute(
            "DELETE FROM notification WHERE user_id = ?1 AND id = ?2",
            pg_params![user_id, id],
        )
        .map_err(internal)?;
    }
    tx.commit().map_err(internal)
}

/// Nakama stores a call's persistent notifications with one INSERT, their
/// codes (in the order given) in one array of PostgreSQL's `smallint`,
/// which its driver refuses to encode when a code does not fit: the call
/// fails with its words, nothing stored. (Nakama orders the array by a Go
/// map of users: for several users its order, and so the words, vary.)
pub fn fit_codes(codes: impl Iterator<Item = i32> + Clone) -> Result<(), CallError> {
    let Some(big) = codes.clone().find(|c| *c > i32::from(i16::MAX)) else {
        return Ok(());
    };
    let all: Vec<String> = codes.map(|c| c.to_string()).collect();
    Err(err(
        Code::Internal,
        format!(
            "failed to encode args[4]: unable to encode []int32{{{}}} into binary format for _int2 (OID 1005): {big} is greater than maximum value for int2",
            all.join(", ")
        ),
    ))
}

/// PostgreSQL's refusal of text that is not a UUID, as Nakama passes it on.
fn not_a_uuid(what: &str, text: &str) -> CallError {
    err(
        Code::Internal,
        format!("{what}: ERROR: invalid input syntax for type uuid: \"{text}\" (SQLSTATE 22P02)"),
    )
}

/// `notification_send_all` when persistent: one copy (an id of its own)
/// of `n` stored for every user, in user id order as Nakama pages them.
/// Answers each user's copy, to push.
pub fn send_all(
    c: &mut Conn,
    n: &nk::NotificationSendAllArgs,
) -> Result<Vec<(String, api::Notification)>, CallError> {
    let now = c.now();
    let content = Value::Object(n.content.clone()).to_string();
    let tx = c.transaction().map_err(internal)?;
    let users: Vec<String> = tx
        .prepare("SELECT id FROM users ORDER BY id")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .map_err(internal)?;
    let mut sent = Vec::with_capacity(users.len());
    for user in users {
        let id = uuid::Uuid::new_v4().to_string();
        tx.execute(
            "INSERT INTO notification (id, user_id, subject, content, code, sender_id, create_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            pg_params![
                id,
                user,
                Varchar(255, &n.subject),
                Jsonb(&content),
                n.code,
                SYSTEM_USER,
                now
            ],
        )
        .map_err(internal)?;
        sent.push((
            user,
            api::Notification {
                id,
                subject: n.subject.clone(),
                content: content.clone(),
                code: n.code,
                sender_id: SYSTEM_USER.to_string(),
                create_time: Some(rfc3339(now)),
                persistent: true,
            },
        ));
    }
    tx.commit().map_err(internal)?;
    Ok(sent)
}

/// `notifications_update`: each update's given fields replace the stored
/// notification's, in one transaction; unknown ids change nothing.
pub fn update(c: &mut Conn, updates: &[nk::NotificationUpdate]) -> Result<(), CallError> {
    const FAILED: &str = "failed to update notifications";
    let tx = c.transaction().map_err(internal)?;
    for u in updates {
        let id = go_uuid(&u.id).map(|id| id.to_string()).unwrap_or_default();
        let sender = match &u.sender {
            Some(s) => Some(
                pg_uuid(s)
                    .map(|s| s.to_string())
                    .ok_or_else(|| not_a_uuid(FAILED, s))?,
            ),
            None => None,
        };
        let content = u
            .content
            .as_ref()
            .map(|m| Value::Object(m.clone()).to_string());
        tx.execute(
            "UPDATE notification SET content = coalesce(?1, content),
                 subject = coalesce(?2, subject), sender_id = coalesce(?3, sender_id)
             WHERE id = ?4",
            pg_params![Jsonb(&content), Varchar(255, &u.subject), sender, id],
        )
        .map_err(|e| {
            let e = internal(e);
            CallError::new(e.code, format!("{FAILED}: {}", e.message))
        })?;
    }
    tx.commit().map_err(internal)
}

/// `notifications_get_id`: the stored notifications of `ids` (only
/// `user_id`'s unless it is empty), in id order.
pub fn get_ids(
    c: &Conn,
    user_id: &str,
    ids: &[String],
) -> Result<Vec<nk::StoredNotification>, CallError> {
    let ids: Vec<String> = ids
        .iter()
        .filter_map(|id| go_uuid(id).map(|u| u.to_string()))
        .collect();
    let user = match user_id {
        "" => None,
        u => Some(
            pg_uuid(u)
                .map(|u| u.to_string())
                .ok_or_else(|| not_a_uuid("failed to list notifications by id", u))?,
        ),
    };
    let marks = vec!["?"; ids.len()].join(", ");
    let mut stmt = c
        .prepare(&format!(
            "SELECT id, user_id, subject, content, code, sender_id, create_time FROM notification
             WHERE id IN ({marks}) AND (?{n} IS NULL OR user_id = ?{n}) ORDER BY id",
            n = ids.len() + 1
        ))
        .map_err(internal)?;
    let mut values: Vec<&dyn rusqlite::ToSql> =
        ids.iter().map(|i| i as &dyn rusqlite::ToSql).collect();
    values.push(&user);
    stmt.query_map(pg_values(&values), |r| {
        let content: String = r.get(3)?;
        let sender: String = r.get(5)?;
        Ok(nk::StoredNotification {
            id: r.get(0)?,
            user_id: r.get(1)?,
            subject: r.get(2)?,
            content: serde_json::from_str(&content).unwrap_or_default(),
            code: r.get(4)?,
            sender: if sender == SYSTEM_USER {
                String::new()
            } else {
                sender
            },
            create_time: r.get(6)?,
            persistent: true,
        })
    })
    .and_then(|rows| rows.collect())
    .map_err(internal)
}

/// `notifications_delete_id`: the stored notifications of `ids`, only
/// `user_id`'s unless it is empty.
pub fn delete_ids(c: &mut Conn, user_id: &str, ids: &[String]) -> Result<(), CallError> {
    if !user_id.is_empty() {
        return delete(c, user_id, ids);
    }
    let tx = c.transaction().map_err(internal)?;
    for id in ids.iter().filter_map(|id| go_uuid(id)) {
        tx.execute(
            "DELETE FROM notification WHERE id = ?1",
            pg_params![id.to_string()],
        )
        .map_err(internal)?;
    }
    tx.commit().map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(c: &Conn, to: &str, subject: &str, sender: &str) -> String {
        let mut content = serde_json::Map::new();
        content.insert("bb".into(), 1.into());
        content.insert("a".into(), 2.into());
        let n = nk::NotificationSendArgs {
            user_id: to.into(),
            subject: subject.into(),
            content,
            code: 5,
            sender_id: sender.into(),
            persistent: true,
        };
        super::super::notification_send(c, &n).unwrap().id
    }

    fn subjects(l: &api::NotificationList) -> Vec<&str> {
        l.notifications.iter().map(|n| n.subject.as_str()).collect()
    }

    #[test]
    fn codes_past_smallint_refuse_the_batch_in_the_drivers_words() {
        assert!(fit_codes([1, 32767, -1500].into_iter()).is_ok());
        let e = fit_codes([7, 40000, 50000].into_iter()).unwrap_err();
        assert_eq!(e.code, Code::Internal);
        assert_eq!(
            e.message,
            "failed to encode args[4]: unable to encode []int32{7, 40000, 50000} into binary format for _int2 (OID 1005): 40000 is greater than maximum value for int2"
        );
    }

    #[test]
    fn cacheable_cursors_list_what_came_since() {
        let db = super::super::Db::open(":memory:").unwrap();
        let conn = db.conn.clone();
        let mut c = conn.lock().unwrap();
        // Notifications are stored for users only (Nakama's table
        // references them).
        let user = |c: &mut Conn, id| {
            super::super::authenticate(c, super::super::AuthId::Custom(id), "", true)
                .unwrap()
                .user_id
        };
        let me = user(&mut c, "cid-100010");
        let someone_else = user(&mut c, "cid-100011");
        let empty = list(&c, &me, 10, "").unwrap();
        assert!(empty.notifications.is_empty());
        assert!(!empty.cacheable_cursor.is_empty());
        let id1 = send(&c, &me, "one", "");
        send(&c, &me, "two", &me);
        send(&c, &someone_else, "theirs", "");
        let first = list(&c, &me, 1, &empty.cacheable_cursor).unwrap();
        assert_eq!(subjects(&first), ["one"]);
        let n = &first.notifications[0];
        assert_eq!(
            (n.sender_id.as_str(), n.content.as_str()),
            ("", r#"{"a": 2, "bb": 1}"#)
        );
        assert!(n.persistent);
        let rest = list(&c, &me, 10, &first.cacheable_cursor).unwrap();
        assert_eq!(subjects(&rest), ["two"]);
        assert_eq!(rest.notifications[0].sender_id, me);
        let none = list(&c, &me, 10, &rest.cacheable_cursor).unwrap();
        assert!(none.notifications.is_empty());
        assert_eq!(none.cacheable_cursor, rest.cacheable_cursor);
        send(&c, &me, "three", "");
        assert_eq!(
            subjects(&list(&c, &me, 10, &none.cacheable_cursor).unwrap()),
            ["three"]
        );
        assert_eq!(list(&c, &me, 1, "!!").unwrap_err().message, BAD_CURSOR);

        // Deleting: only the user's own, and a bad id fails it all.
        let e = delete(&mut c, &me, &[id1.clone(), "nope".into()]).unwrap_err();
        assert_eq!(e.code, Code::Internal);
        assert_eq!(list(&c, &me, 10, "").unwrap().notifications.len(), 3);
        delete(&mut c, &someone_else, std::slice::from_ref(&id1)).unwrap();
        delete(&mut c, &me, &[id1.to_uppercase()]).unwrap();
        assert_eq!(subjects(&list(&c, &me, 10, "").unwrap()), ["two", "three"]);
    }
}
