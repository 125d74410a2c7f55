//! Chat channel history: Nakama's `message` table (server/core_channel.go)
//! on SQLite. Times are Unix microseconds, the precision PostgreSQL keeps;
//! contents are stored as its JSONB column gives them back.

use base64::Engine as _;
use nakama_runtime_host::abi::api;
use nakama_runtime_host::CallError;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::{internal, pg_params, pg_values, rfc3339_nanos, Conn, Jsonb, Varchar};
use crate::channels::Stream;

/// Tables added in schema version 3.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS message (
    id TEXT PRIMARY KEY,
    code INTEGER NOT NULL,
    sender_id TEXT NOT NULL,
    username TEXT NOT NULL,
    stream_mode INTEGER NOT NULL,
    stream_subject TEXT NOT NULL,
    stream_descriptor TEXT NOT NULL,
    stream_label TEXT NOT NULL,
    content TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    UNIQUE (sender_id, id)
);
CREATE INDEX IF NOT EXISTS message_stream_order
    ON message (stream_mode, stream_subject, stream_descriptor, stream_label, create_time, id);
";

/// A message to store.
pub struct Stored {
    pub id: String,
    pub code: i32,
    pub sender_id: String,
    pub username: String,
    pub stream: Stream,
    /// JSONB text.
    pub content: String,
    /// Unix microseconds: its create and update time.
    pub time: i64,
}

/// Stores a message; `false` (nothing stored) when its sender is neither
/// a user nor the system user, which Nakama's foreign key refuses.
pub fn insert(c: &Conn, m: &Stored) -> Result<bool, CallError> {
    let stored = c
        .execute(
            "INSERT INTO message (id, code, sender_id, username, stream_mode, stream_subject,
             stream_descriptor, stream_label, content, create_time, update_time)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10
         WHERE ?3 = ?11 OR EXISTS (SELECT 1 FROM users WHERE id = ?3)",
            pg_params![
                m.id,
                m.code,
                m.sender_id,
                Varchar(128, &m.username),
                m.stream.mode,
                m.stream.subject.to_string(),
                m.stream.subcontext.to_string(),
                m.stream.label,
                m.content,
                m.time,
                super::SYSTEM_USER
            ],
        )
        .map_err(internal)?;
    Ok(stored == 1)
}

/// Changes a message of `sender_id`'s, found by id in any channel (as
/// Nakama's query does); answers its create time, `None` if there is none.
pub fn update(
    c: &Conn,
    id: &str,
    sender_id: &str,
    content: &str,
    username: &str,
    time: i64,
) -> Result<Option<i64>, CallError> {
    c.query_row(
        "UPDATE message SET update_time = ?5, username = ?4, content = ?3
         WHERE id = ?1 AND sender_id = ?2 RETURNING create_time",
        pg_params![
            id,
            sender_id,
            Jsonb(&content),
            Varchar(128, &username),
            time
        ],
        |r| r.get(0),
    )
    .optional()
    .map_err(internal)
}

/// Deletes a message of `sender_id`'s, found by id; answers its create
/// and update times, `None` if there is none.
pub fn delete(c: &Conn, id: &str, sender_id: &str) -> Result<Option<(i64, i64)>, CallError> {
    c.query_row(
        "DELETE FROM message WHERE id = ?1 AND sender_id = ?2 RETURNING create_time, update_time",
        pg_params![id, sender_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map_err(internal)
}

/// A position in a channel's history, and the way it was read: what
/// Nakama's gob-encoded cursor holds, as JSON in URL-safe base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    mode: u8,
    subject: String,
    subcontext: String,
    label: String,
    /// Unix nanoseconds.
    create_time: i64,
    id: String,
    forward: bool,
    is_next: bool,
}

impl Cursor {
    fn at(stream: &Stream, create_time: i64, id: &str, forward: bool, is_next: bool) -> Cursor {
        Cursor {
            mode: stream.mode,
            subject: stream.subject.to_string(),
            subcontext: stream.subcontext.to_string(),
            label: stream.label.clone(),
            create_time: create_time * 1_000,
            id: id.to_string(),
            forward,
            is_next,
        }
    }

    /// Reads a cursor: URL-safe base64, or standard (as Nakama tries both).
    pub fn decode(text: &str) -> Option<Cursor> {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE};
        let bytes = URL_SAFE
            .decode(text)
            .or_else(|_| STANDARD.decode(text))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn encode(&self) -> String {
        base64::engine::general_purpose::URL_SAFE
            .encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Whether it was made for this channel, read this way.
    pub fn fits(&self, stream: &Stream, forward: bool) -> bool {
        self.forward == forward
            && self.mode == stream.mode
            && self.subject == stream.subject.to_string()
            && self.subcontext == stream.subcontext.to_string()
            && self.label == stream.label
    }
}

/// A page of `stream`'s history (Nakama's `ChannelMessagesList`): oldest
/// first when `forward`, else newest first; from `cursor` on, in its
/// direction; with the cursors of the next and previous pages and a
/// cacheable one (after the newest message seen, reading forward).
pub fn list(
    c: &Conn,
    stream: &Stream,
    channel_id: &str,
    limit: usize,
    forward: bool,
    cursor: Option<Cursor>,
) -> Result<api::ChannelMessageList, CallError> {
    let mut sql = String::from(
        "SELECT id, code, sender_id, username, content, create_time, update_time FROM message
         WHERE stream_mode = ?1 AND stream_subject = ?2 AND stream_descriptor = ?3 AND stream_label = ?4",
    );
    let ascending = match &cursor {
        None => forward,
        Some(c) => forward == c.is_next,
    };
    if cursor.is_some() {
        sql.push_str(if ascending {
            " AND (create_time, id) > (?6, ?7)"
        } else {
            " AND (create_time, id) < (?6, ?7)"
        });
    }
    sql.push_str(if ascending {
        " ORDER BY create_time ASC, id ASC"
    } else {
        " ORDER BY create_time DESC, id DESC"
    });
    sql.push_str(" LIMIT ?5");
    let (at_time, at_id) = cursor.as_ref().map_or((0, String::new()), |c| {
        (c.create_time.div_euclid(1_000), c.id.clone())
    });
    let mut stmt = c.prepare_cached(&sql).map_err(internal)?;
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    let (subject, subcontext) = (stream.subject.to_string(), stream.subcontext.to_string());
    let mut values: Vec<&dyn rusqlite::ToSql> =
        vec![&stream.mode, &subject, &subcontext, &stream.label, &fetch];
    if cursor.is_some() {
        values.push(&at_time);
        values.push(&at_id);
    }
    let rows = stmt
        .query_map(pg_values(&values), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let names = stream.message_names();
    // Each message with its create time (microseconds).
    let mut page: Vec<(i64, api::ChannelMessage)> = Vec::with_capacity(limit.min(rows.len()));
    let mut next = None;
    for (id, code, sender_id, username, content, create_time, update_time) in rows {
        if page.len() >= limit {
            // After the last message of the page.
            if let Some((t, m)) = page.last() {
                next = Some(Cursor::at(stream, *t, &m.message_id, forward, true));
            }
            break;
        }
        page.push((
            create_time,
            api::ChannelMessage {
                channel_id: channel_id.to_string(),
                message_id: id,
                code: Some(code),
                sender_id,
                username,
                content,
                create_time: Some(rfc3339_nanos(create_time * 1_000)),
                update_time: Some(rfc3339_nanos(update_time * 1_000)),
                persistent: Some(true),
                room_name: names.room_name.clone(),
                group_id: names.group_id.clone(),
                user_id_one: names.user_id_one.clone(),
                user_id_two: names.user_id_two.clone(),
            },
        ));
    }
    // Only a page read from a cursor has a previous one: before its first
    // message.
    let mut prev = match (&cursor, page.first()) {
        (Some(_), Some((t, m))) => Some(Cursor::at(stream, *t, &m.message_id, forward, false)),
        _ => None,
    };
    if cursor.as_ref().is_some_and(|c| !c.is_next) {
        // A previous page was read backwards: back in order, cursors swapped.
        std::mem::swap(&mut next, &mut prev);
        for c in [&mut next, &mut prev].into_iter().flatten() {
            c.is_next = !c.is_next;
        }
        page.reverse();
    }
    let cacheable = match (page.last(), cursor) {
        (Some((t, m)), _) => Some(Cursor::at(stream, *t, &m.message_id, true, true)),
        (None, Some(mut c)) => {
            if !forward {
                c.forward = true;
                c.is_next = true;
            }
            Some(c)
        }
        (None, None) => None,
    };
    let encode = |c: Option<Cursor>| c.map(|c| c.encode()).unwrap_or_default();
    Ok(api::ChannelMessageList {
        messages: page.into_iter().map(|(_, m)| m).collect(),
        next_cursor: encode(next),
        prev_cursor: encode(prev),
        cacheable_cursor: encode(cacheable),
    })
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::db::{Db, SYSTEM_USER};

    /// The username column is PostgreSQL's `VARCHAR(128)`: longer is
    /// refused, on a change too (even of a message that is not there),
    /// but for trailing spaces, which are cut off.
    #[test]
    fn a_username_past_its_column_is_refused_but_for_trailing_spaces() {
        let db = Db::open(":memory:").unwrap();
        let c = db.conn.lock().unwrap();
        let stream = Stream {
            mode: 2,
            subject: Uuid::nil(),
            subcontext: Uuid::nil(),
            label: "room".into(),
        };
        let message = |username: String| Stored {
            id: Uuid::new_v4().to_string(),
            code: 0,
            sender_id: SYSTEM_USER.into(),
            username,
            stream: stream.clone(),
            content: "{}".into(),
            time: 1,
        };
        let too_long = insert(&c, &message("x".repeat(129))).unwrap_err();
        assert!(
            too_long.message.contains("varying(128)"),
            "{}",
            too_long.message
        );
        let spaced = message(format!("s{}", " ".repeat(200)));
        assert_eq!(insert(&c, &spaced), Ok(true));
        let page = list(&c, &stream, "2...room", 10, true, None).unwrap();
        assert_eq!(page.messages.len(), 1);
        assert_eq!(page.messages[0].username.len(), 128, "cut to the column");
        let missing = Uuid::new_v4().to_string();
        let changed = update(&c, &missing, SYSTEM_USER, "{}", &"x".repeat(129), 2);
        assert!(changed.is_err(), "refused on binding, found or not");
        assert_eq!(update(&c, &missing, SYSTEM_USER, "{}", "ok", 2), Ok(None));
    }
}
