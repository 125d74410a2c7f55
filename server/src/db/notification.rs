//! A user's stored notifications as the client's routes read and delete
//! them (Nakama's `NotificationList` with a cacheable cursor and
//! `NotificationDelete`, server/core_notification.go). They are kept in the
//! `notification` table of schema version 1, in the order they were stored.

use base64::Engine as _;
use nakama_runtime_host::abi::{api, Code};
use nakama_runtime_host::CallError;
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{err, internal, jsonb_text, rfc3339, Conn, SYSTEM_USER};
use crate::channels::pg_uuid;

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
        .query_map(params![user_id, time, row, limit as i64], |r| {
            let content: String = r.get(2)?;
            let sender: String = r.get(4)?;
            let at: (i64, i64) = (r.get(5)?, r.get(6)?);
            Ok((
                api::Notification {
                    id: r.get(0)?,
                    subject: r.get(1)?,
                    // As PostgreSQL's JSONB column gives it back.
                    content: serde_json::from_str::<Value>(&content)
                        .map_or(content, |v| jsonb_text(&v)),
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
            params![user_id, id],
        )
        .map_err(internal)?;
    }
    tx.commit().map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nakama_runtime_host::abi::nk;

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
    fn cacheable_cursors_list_what_came_since() {
        let db = super::super::Db::open(":memory:").unwrap();
        let conn = db.conn.clone();
        let mut c = conn.lock().unwrap();
        let me = uuid::Uuid::new_v4().to_string();
        let empty = list(&c, &me, 10, "").unwrap();
        assert!(empty.notifications.is_empty());
        assert!(!empty.cacheable_cursor.is_empty());
        let id1 = send(&c, &me, "one", "");
        send(&c, &me, "two", &me);
        send(&c, "someone-else", "theirs", "");
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
        delete(&mut c, "someone-else", std::slice::from_ref(&id1)).unwrap();
        delete(&mut c, &me, &[id1.to_uppercase()]).unwrap();
        assert_eq!(subjects(&list(&c, &me, 10, "").unwrap()), ["two", "three"]);
    }
}
