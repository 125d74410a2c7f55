//! Nakama's `ImportAccount` (server/core_account.go), behind the nk
//! function `AccountImportId`: an account export written back, either as
//! a new account under the export's own id, or onto an existing user's
//! metadata, wallet and storage.
//!
//! Nakama decodes the export with Go's `encoding/json` into its console
//! protobuf structs, not as protobuf JSON: timestamps are `{"seconds",
//! "nanos"}` objects, 64-bit integers numbers, and keys match but for
//! case. So the text `AccountExportId` gives (protobuf JSON, timestamps as
//! RFC 3339 text) is refused, in Nakama as here. [`EXPORT`] is that Go
//! shape, for [`crate::gojson::fits`].
//!
//! Errors that PostgreSQL raises in Nakama (a malformed uuid or JSON
//! value, a taken email, custom id or device id) are given with the text
//! Nakama passes on, so a module handles them alike on both hosts.

use nakama_runtime_host::abi::Code;
use nakama_runtime_host::CallError;
use rusqlite::{OptionalExtension, Transaction};
use serde_json::Value;

use super::{internal, pg_params, Conn, SYSTEM_USER};
use crate::gojson::{field, GoType, BOOL_VALUE, INT32_VALUE, STRING_VALUE, TIMESTAMP};

use GoType::{Bool, List, String as Str, Struct, I32, I64, U32};

const USER: GoType = Struct(&[
    ("id", Str),
    ("username", Str),
    ("display_name", Str),
    ("avatar_url", Str),
    ("lang_tag", Str),
    ("location", Str),
    ("timezone", Str),
    ("metadata", Str),
    ("facebook_id", Str),
    ("google_id", Str),
    ("gamecenter_id", Str),
    ("steam_id", Str),
    ("online", Bool),
    ("edge_count", I32),
    ("create_time", TIMESTAMP),
    ("update_time", TIMESTAMP),
    ("facebook_instant_game_id", Str),
    ("apple_id", Str),
]);

const STORAGE_OBJECT: GoType = Struct(&[
    ("collection", Str),
    ("key", Str),
    ("user_id", Str),
    ("value", Str),
    ("version", Str),
    ("permission_read", I32),
    ("permission_write", I32),
    ("create_time", TIMESTAMP),
    ("update_time", TIMESTAMP),
]);

/// Nakama's `console.AccountExport` as Go's JSON decodes it. The lists
/// after `objects` are not imported, but a badly typed entry in them still
/// makes the whole export invalid.
pub const EXPORT: GoType = Struct(&[
    (
        "account",
        Struct(&[
            ("user", USER),
            ("wallet", Str),
            ("email", Str),
            (
                "devices",
                List(&Struct(&[("id", Str), ("vars", GoType::StringMap)])),
            ),
            ("custom_id", Str),
            ("verify_time", TIMESTAMP),
            ("disable_time", TIMESTAMP),
        ]),
    ),
    ("objects", List(&STORAGE_OBJECT)),
    (
        "friends",
        List(&Struct(&[
            ("user", USER),
            ("state", INT32_VALUE),
            ("update_time", TIMESTAMP),
            ("metadata", Str),
        ])),
    ),
    (
        "groups",
        List(&Struct(&[
            ("id", Str),
            ("creator_id", Str),
            ("name", Str),
            ("description", Str),
            ("lang_tag", Str),
            ("metadata", Str),
            ("avatar_url", Str),
            ("open", BOOL_VALUE),
            ("edge_count", I32),
            ("max_count", I32),
            ("create_time", TIMESTAMP),
            ("update_time", TIMESTAMP),
        ])),
    ),
    (
        "messages",
        List(&Struct(&[
            ("channel_id", Str),
            ("message_id", Str),
            ("code", INT32_VALUE),
            ("sender_id", Str),
            ("username", Str),
            ("content", Str),
            ("create_time", TIMESTAMP),
            ("update_time", TIMESTAMP),
            ("persistent", BOOL_VALUE),
            ("room_name", Str),
            ("group_id", Str),
            ("user_id_one", Str),
            ("user_id_two", Str),
        ])),
    ),
    (
        "leaderboard_records",
        List(&Struct(&[
            ("leaderboard_id", Str),
            ("owner_id", Str),
            ("username", STRING_VALUE),
            ("score", I64),
            ("subscore", I64),
            ("num_score", I32),
            ("metadata", Str),
            ("create_time", TIMESTAMP),
            ("update_time", TIMESTAMP),
            ("expiry_time", TIMESTAMP),
            ("rank", I64),
            ("max_num_score", U32),
        ])),
    ),
    (
        "notifications",
        List(&Struct(&[
            ("id", Str),
            ("subject", Str),
            ("content", Str),
            ("code", I32),
            ("sender_id", Str),
            ("create_time", TIMESTAMP),
            ("persistent", Bool),
        ])),
    ),
    (
        "wallet_ledgers",
        List(&Struct(&[
            ("id", Str),
            ("user_id", Str),
            ("changeset", Str),
            ("metadata", Str),
            ("create_time", TIMESTAMP),
            ("update_time", TIMESTAMP),
        ])),
    ),
]);

/// The export's user, when it has an account with one (Nakama 3.40.0
/// dereferences both without a check, and its Go runtime panics).
pub fn user(export: &Value) -> Option<&Value> {
    field(export, "account")
        .and_then(|a| field(a, "user"))
        .filter(|u| !u.is_null())
}

/// A string field ("" when absent or null, as Go leaves it).
fn text<'a>(v: &'a Value, name: &str) -> &'a str {
    field(v, name).and_then(Value::as_str).unwrap_or("")
}

/// A timestamp field as Unix seconds; absent is the Unix epoch
/// (`Timestamp.AsTime` of nil).
fn seconds(v: &Value, name: &str) -> i64 {
    let t = field(v, name);
    let part = |p| t.and_then(|t| field(t, p)).and_then(Value::as_i64);
    let (s, n) = (part("seconds").unwrap_or(0), part("nanos").unwrap_or(0));
    s.saturating_add(n.div_euclid(1_000_000_000))
}

/// PostgreSQL's `nullif(trim(x), '')` (`trim` takes spaces only).
fn trimmed(s: &str) -> Option<&str> {
    Some(s.trim_matches(' ')).filter(|s| !s.is_empty())
}

/// The error Nakama gives when PostgreSQL refuses what it was given.
fn pg(message: &str, code: Code) -> CallError {
    CallError::new(code, format!("error importing account: ERROR: {message}"))
}

/// JSON text as a `jsonb` column keeps it, or PostgreSQL's refusal (for
/// a `\u0000` PostgreSQL names the escape instead).
fn jsonb(s: &str) -> Result<String, CallError> {
    super::jsonb(s).ok_or_else(|| {
        pg(
            "invalid input syntax for type json (SQLSTATE 22P02)",
            Code::InvalidArgument,
        )
    })
}

fn uuid(s: &str) -> Result<String, CallError> {
    crate::channels::go_uuid(s)
        .map(|u| u.to_string())
        .ok_or_else(|| {
            pg(
                &format!("invalid input syntax for type uuid: \"{s}\" (SQLSTATE 22P02)"),
                Code::InvalidArgument,
            )
        })
}

fn taken(constraint: &str) -> CallError {
    pg(
        &format!(
            "duplicate key value violates unique constraint \"{constraint}\" (SQLSTATE 23505)"
        ),
        Code::AlreadyExists,
    )
}

/// PostgreSQL's `varchar(n)` limit, in characters.
fn fits_varchar(s: &str, n: usize) -> Result<(), CallError> {
    if s.chars().count() > n {
        return Err(pg(
            &format!("value too long for type character varying({n}) (SQLSTATE 22001)"),
            Code::InvalidArgument,
        ));
    }
    Ok(())
}

fn refused(message: &str, code: Code) -> CallError {
    CallError::new(code, format!("error importing account: {message}"))
}

/// Imports `export` (which [`crate::gojson::fits`] [`EXPORT`] and has a
/// [`user`]) onto `user_id`, or, without one, as the export's own
/// account. Answers the id the account was read back from.
pub fn import(c: &mut Conn, user_id: Option<&str>, export: &Value) -> Result<String, CallError> {
    let account = field(export, "account").unwrap_or(&Value::Null);
    let user = user(export).unwrap_or(&Value::Null);
    let data_id = text(user, "id");
    let tx = c.transaction().map_err(internal)?;
    // The nil user id is no user id, as in Nakama.
    let user_id = user_id.filter(|id| *id != SYSTEM_USER);
    let owner = match user_id {
        None if data_id != SYSTEM_USER => create(&tx, account, user)?,
        _ => {
            // Onto an existing user (the system user, for an export of
            // it): only its metadata and wallet, taken as they are.
            let target = user_id.unwrap_or(SYSTEM_USER);
            let metadata = jsonb(text(user, "metadata"))?;
            let wallet = jsonb(text(account, "wallet"))?;
            let updated = tx
                .execute(
                    "UPDATE users SET metadata = ?1, wallet = ?2 WHERE id = ?3",
                    pg_params![metadata, wallet, target],
                )
                .map_err(internal)?;
            if updated == 0 {
                return Err(refused(
                    "Error updating user account during import.",
                    Code::NotFound,
                ));
            }
            tx.execute("DELETE FROM storage WHERE user_id = ?1", pg_params![target])
                .map_err(internal)?;
            target.to_string()
        }
    };
    let objects = field(export, "objects").and_then(Value::as_array);
    for o in objects.into_iter().flatten() {
        let (collection, key) = (text(o, "collection"), text(o, "key"));
        fits_varchar(collection, 128)?;
        fits_varchar(key, 128)?;
        let value = jsonb(text(o, "value"))?;
        fits_varchar(text(o, "version"), 32)?;
        let permission = |name: &str| {
            let p = field(o, name).and_then(Value::as_i64).unwrap_or(0);
            if p < 0 {
                let check = &name["permission_".len()..];
                return Err(pg(
                    &format!("new row for relation \"storage\" violates check constraint \"storage_{check}_check\" (SQLSTATE 23514)"),
                    Code::InvalidArgument,
                ));
            }
            Ok(p)
        };
        let (read, write) = (
            permission("permission_read")?,
            permission("permission_write")?,
        );
        let done = tx.execute(
            "INSERT INTO storage (collection, key, user_id, value, version, read, write, create_time, update_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            pg_params![
                collection,
                key,
                owner,
                value,
                text(o, "version"),
                read,
                write,
                seconds(o, "create_time"),
                seconds(o, "update_time"),
            ],
        );
        if done.is_err() {
            return Err(taken("storage_pkey"));
        }
    }
    tx.commit().map_err(internal)?;
    Ok(owner)
}

/// A new account under the export's id: its profile, ways to log in and
/// times as the export has them.
fn create(tx: &Transaction<'_>, account: &Value, user: &Value) -> Result<String, CallError> {
    // PostgreSQL reads the values in the columns' order, then checks the
    // unique keys in theirs.
    let id = uuid(text(user, "id"))?;
    let (username, lang_tag) = (text(user, "username"), text(user, "lang_tag"));
    let profile = |name| trimmed(text(user, name)).unwrap_or("");
    for (value, limit) in [
        (username, 128),
        (profile("display_name"), 255),
        (profile("avatar_url"), 512),
        (lang_tag, 18),
        (profile("location"), 255),
        (profile("timezone"), 255),
    ] {
        fits_varchar(value, limit)?;
    }
    let json_or_empty = |s: &str| trimmed(s).map_or(Ok("{}".to_string()), jsonb);
    let metadata = json_or_empty(text(user, "metadata"))?;
    let wallet = json_or_empty(text(account, "wallet"))?;
    // The unique ways to log in, in the table's order (of its columns and
    // of its unique keys alike).
    let ids = [
        ("email", trimmed(text(account, "email")), 255),
        ("facebook_id", trimmed(text(user, "facebook_id")), 128),
        ("google_id", trimmed(text(user, "google_id")), 128),
        ("gamecenter_id", trimmed(text(user, "gamecenter_id")), 128),
        ("steam_id", trimmed(text(user, "steam_id")), 128),
        ("custom_id", trimmed(text(account, "custom_id")), 128),
        (
            "facebook_instant_game_id",
            trimmed(text(user, "facebook_instant_game_id")),
            128,
        ),
        ("apple_id", trimmed(text(user, "apple_id")), 128),
    ];
    for (_, value, limit) in ids {
        fits_varchar(value.unwrap_or(""), limit)?;
    }
    let exists = |sql: &str, v: &str| {
        tx.query_row(sql, pg_params![v], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(internal)
    };
    if exists("SELECT 1 FROM users WHERE id = ?1", &id)? {
        return Err(refused(
            "User identifier already exists.",
            Code::AlreadyExists,
        ));
    }
    if exists("SELECT 1 FROM users WHERE username = ?1", username)? {
        return Err(refused("Username already in use.", Code::AlreadyExists));
    }
    for (column, value, _) in ids {
        let Some(value) = value else { continue };
        // The column names are the constants above.
        if exists(&format!("SELECT 1 FROM users WHERE {column} = ?1"), value)? {
            return Err(taken(&format!("users_{column}_key")));
        }
    }
    tx.execute(
        "INSERT INTO users (id, username, display_name, avatar_url, lang_tag, location, timezone,
             metadata, wallet, email, facebook_id, google_id, gamecenter_id, steam_id, custom_id,
             facebook_instant_game_id, apple_id, create_time, update_time, verify_time, disable_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21)",
        pg_params![
            id,
            username,
            profile("display_name"),
            profile("avatar_url"),
            lang_tag,
            profile("location"),
            profile("timezone"),
            metadata,
            wallet,
            ids[0].1,
            ids[1].1,
            ids[2].1,
            ids[3].1,
            ids[4].1,
            ids[5].1,
            ids[6].1,
            ids[7].1,
            seconds(user, "create_time"),
            seconds(user, "update_time"),
            seconds(account, "verify_time"),
            seconds(account, "disable_time"),
        ],
    )
    .map_err(internal)?;
    let devices = field(account, "devices").and_then(Value::as_array);
    for d in devices.into_iter().flatten() {
        let device = text(d, "id");
        fits_varchar(device, 128)?;
        if exists("SELECT 1 FROM user_device WHERE id = ?1", device)? {
            return Err(taken("user_device_pkey"));
        }
        tx.execute(
            "INSERT INTO user_device (id, user_id) VALUES (?1, ?2)",
            pg_params![device, id],
        )
        .map_err(internal)?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gojson;
    use serde_json::json;

    #[test]
    fn the_export_shape_is_gos_not_protobuf_json() {
        let go = json!({"account": {"user": {"id": "x", "create_time": {"seconds": 5}},
            "devices": [{"id": "d", "vars": {"k": "v"}}]},
            "objects": [{"value": "{}", "permission_read": 2}],
            "friends": [{"state": {"value": 0}}], "leaderboard_records": [{"score": 7}]});
        assert!(gojson::fits(&go, &EXPORT));
        for bad in [
            json!({"account": {"user": {"create_time": "2024-01-01T00:00:00Z"}}}),
            json!({"friends": [{"state": 0}]}),
            json!({"leaderboard_records": [{"score": "7"}]}),
            json!({"objects": [{"permission_read": "2"}]}),
            json!({"account": {"devices": [{"vars": {"k": 1}}]}}),
        ] {
            assert!(!gojson::fits(&bad, &EXPORT), "{bad}");
        }
        assert!(user(&json!({"account": {"user": null}})).is_none());
        assert!(user(&json!({"Account": {"User": {}}})).is_some());
    }

    #[test]
    fn times_and_trimmed_text_read_as_nakama_stores_them() {
        let v = json!({"t": {"seconds": 10, "nanos": 1_500_000_000}, "u": null});
        assert_eq!(seconds(&v, "t"), 11);
        assert_eq!(seconds(&v, "u"), 0);
        assert_eq!(seconds(&v, "missing"), 0);
        assert_eq!(trimmed("  a b "), Some("a b"));
        assert_eq!(trimmed("   "), None);
        assert_eq!(trimmed("\tx"), Some("\tx"));
        assert_eq!(
            jsonb("{\"b\":1,\"a\":[1,2]}").unwrap(),
            "{\"a\": [1, 2], \"b\": 1}"
        );
        assert!(jsonb("").is_err() && jsonb("{\"a\":\"\\u0000\"}").is_err());
    }
}
