//! The dev host's data, in SQLite: accounts, storage, wallets and ledger,
//! notifications, leaderboards ([`leaderboard`]), chat history
//! ([`channel`]). Nakama's semantics (see the facts sheet, sections c, g, h).
//!
//! One connection behind a mutex, used from blocking threads: SQLite
//! serialises writers anyway, and this keeps transactions simple.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use nakama_runtime_host::abi::api;
use nakama_runtime_host::abi::nk;
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicI64, Ordering};

/// The system user: owner of server objects.
pub const SYSTEM_USER: &str = "00000000-0000-0000-0000-000000000000";

pub mod account;
pub mod channel;
pub mod friend;
pub mod group;
pub mod import;
pub mod leaderboard;
pub mod notification;
pub mod pg;
pub mod schedule;
pub mod tournament;

pub(crate) use pg::{has_nul, pg_params, Bigint, Jsonb, Varchar, JSONB_NUL_REFUSED, NUL_REFUSED};
use pg::{pg_values, Refused};

/// 1: accounts, storage, wallets, notifications; 2: leaderboards; 3: chat
/// channel messages; 4: friends; 5: groups; 6: tournaments; 7: deleted
/// users' tombstones (accounts); 8: users' provider ids and email
/// verification time ([`ADDED_USER_COLUMNS`]); 9: the system user's row;
/// 10: users' friend edges gone with other accounts (the same).
/// Every schema statement creates only what is missing.
const SCHEMA_VERSION: i64 = 10;

/// The `users` columns of later schema versions, added to a database made
/// before them. Version 8: the provider ids Nakama keeps (each unique, as
/// Nakama's are), which only an account import sets here (the dev host
/// verifies no provider's token), and when the email was verified.
/// Version 10: `lost_edges`, how many of the user's friend edges went
/// with another user's account: Nakama's `edge_count` is a counter, which
/// an account's deletion leaves as it was (the edges to it go by
/// cascade); the dev host's is the user's edges counted, plus these.
const ADDED_USER_COLUMNS: [(&str, &str); 8] = [
    ("facebook_id", "TEXT"),
    ("google_id", "TEXT"),
    ("gamecenter_id", "TEXT"),
    ("steam_id", "TEXT"),
    ("facebook_instant_game_id", "TEXT"),
    ("apple_id", "TEXT"),
    ("verify_time", "INTEGER NOT NULL DEFAULT 0"),
    ("lost_edges", "INTEGER NOT NULL DEFAULT 0"),
];

/// Adds what [`ADDED_USER_COLUMNS`] has and `users` lacks.
fn add_user_columns(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('users')")?;
    let have = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    for (name, kind) in ADDED_USER_COLUMNS {
        if !have.iter().any(|h| h == name) {
            conn.execute_batch(&format!("ALTER TABLE users ADD COLUMN {name} {kind}"))?;
        }
        if kind == "TEXT" {
            conn.execute_batch(&format!(
                "CREATE UNIQUE INDEX IF NOT EXISTS users_{name}_key ON users ({name})"
            ))?;
        }
    }
    Ok(())
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    avatar_url TEXT NOT NULL DEFAULT '',
    lang_tag TEXT NOT NULL DEFAULT 'en',
    location TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    wallet TEXT NOT NULL DEFAULT '{}',
    email TEXT UNIQUE,
    password TEXT,
    custom_id TEXT UNIQUE,
    disable_time INTEGER NOT NULL DEFAULT 0,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS user_device (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id)
);
CREATE TABLE IF NOT EXISTS storage (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    value TEXT NOT NULL,
    version TEXT NOT NULL,
    read INTEGER NOT NULL,
    write INTEGER NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    PRIMARY KEY (collection, key, user_id)
);
CREATE TABLE IF NOT EXISTS wallet_ledger (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    changeset TEXT NOT NULL,
    metadata TEXT NOT NULL,
    create_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notification (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    content TEXT NOT NULL,
    code INTEGER NOT NULL,
    sender_id TEXT NOT NULL,
    create_time INTEGER NOT NULL
);
";

/// The database.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Conn>>,
    clock: Clock,
    /// Told of the storage objects a task wrote or deleted, once it is
    /// done (the storage indexes).
    observer: Arc<OnceLock<Arc<dyn StorageObserver>>>,
}

/// A storage object written or deleted, once its transaction committed.
#[derive(Debug, Clone)]
pub enum StorageChange {
    /// The object as written: its value as sent, its new version and
    /// times, its owner (the system user's id for none).
    Written(api::StorageObject),
    /// Collection, key, owner.
    Deleted(String, String, String),
}

/// What follows storage writes and deletes ([`Db::observe_storage`]).
pub trait StorageObserver: Send + Sync + 'static {
    fn changed(&self, changes: Vec<StorageChange>) -> BoxFuture<'static, ()>;
}

/// Where the database takes the time it writes (create and update times,
/// ledger and notification times): the system clock, or a time a test
/// sets and moves ([`Clock::set`], [`Clock::advance`]). Clones share it.
#[derive(Clone, Debug, Default)]
pub struct Clock(Arc<AtomicI64>);

/// [`Clock`]'s value meaning "follow the system clock".
const SYSTEM_TIME: i64 = i64::MIN;

impl Clock {
    /// Follows the system clock until set.
    pub fn system() -> Clock {
        Clock(Arc::new(AtomicI64::new(SYSTEM_TIME)))
    }

    /// Unix seconds now.
    pub fn now(&self) -> i64 {
        match self.0.load(Ordering::SeqCst) {
            SYSTEM_TIME => unix_now(),
            fixed => fixed,
        }
    }

    /// Stops the clock at `unix_seconds`.
    pub fn set(&self, unix_seconds: i64) {
        self.0
            .store(unix_seconds.max(SYSTEM_TIME + 1), Ordering::SeqCst);
    }

    /// Moves the clock `seconds` forward (backward if negative) and stops it
    /// there.
    pub fn advance(&self, seconds: i64) {
        self.set(self.now().saturating_add(seconds));
    }
}

/// The SQLite connection with the clock its writes take the time from.
pub struct Conn {
    conn: Connection,
    clock: Clock,
    /// Storage changes committed by the task that runs, for the
    /// [`StorageObserver`].
    changes: Vec<StorageChange>,
}

impl Conn {
    /// Unix seconds now, by the database's clock.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

impl std::ops::Deref for Conn {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

fn err(code: Code, msg: impl Into<String>) -> CallError {
    CallError::new(code, msg)
}

fn internal(e: rusqlite::Error) -> CallError {
    match e {
        rusqlite::Error::ToSqlConversionFailure(e) if e.is::<Refused>() => {
            err(Code::Internal, e.to_string())
        }
        e => err(Code::Internal, format!("database error: {e}")),
    }
}

/// Runs `f` in one transaction: all its writes or none, as one statement
/// of Nakama's is.
pub fn in_tx<T, E: From<CallError>>(
    c: &Conn,
    f: impl FnOnce(&Conn) -> Result<T, E>,
) -> Result<T, E> {
    c.execute_batch("BEGIN IMMEDIATE").map_err(internal)?;
    match f(c) {
        Ok(v) => {
            c.execute_batch("COMMIT").map_err(internal)?;
            Ok(v)
        }
        Err(e) => {
            let _ = c.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// [`NUL_REFUSED`] when one of `texts` holds a NUL, in the words Nakama
/// gives `caller`: PostgreSQL's to a module, `client` to a client. For
/// calls whose failure a client gets in other words than a module.
fn refuse_nul<'a>(
    caller: Caller<'_>,
    client: &str,
    mut texts: impl Iterator<Item = &'a str>,
) -> Result<(), CallError> {
    if !texts.any(|t| t.contains('\0')) {
        return Ok(());
    }
    Err(err(
        Code::Internal,
        match caller {
            Caller::Server => NUL_REFUSED,
            Caller::Client(_) => client,
        },
    ))
}

/// Unix seconds now, by the system clock (session tokens; the database
/// uses its [`Clock`]).
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Nakama's API carries times as protobuf Timestamps, which hold years 1
/// to 9999 only: its gateway, and the bridge encoding a module's answer,
/// fail an answer holding a time outside them (after the call did its
/// work), in protobuf-go's words. A module's tournament can end (or
/// start) later: a time given in milliseconds where seconds are asked
/// for, say. The dev host refuses the same answers with the same words.
pub fn encodable_time(secs: i64) -> Result<(), CallError> {
    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    const RANGE: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;
    if RANGE.contains(&secs) {
        return Ok(());
    }
    Err(err(
        Code::Internal,
        format!("{TIMESTAMP_OUT_OF_RANGE}{secs}"),
    ))
}

/// How [`encodable_time`]'s refusal starts (protobuf-go writes a space
/// or a no-break space after `proto:`, by a hash of its binary).
pub const TIMESTAMP_OUT_OF_RANGE: &str =
    "proto:\u{a0}google.protobuf.Timestamp: seconds out of range ";

/// `2026-11-24T10:57:03Z`, as Nakama's gateway writes timestamps.
pub fn rfc3339(secs: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&fmt).unwrap_or_default()
}

/// A protobuf timestamp as Nakama's gateway writes one from Unix
/// nanoseconds: `2026-11-24T10:57:03.250Z`, with 0, 3, 6 or 9 fraction
/// digits, as few as the value needs.
pub fn rfc3339_nanos(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let base = rfc3339(secs);
    let base = base.trim_end_matches('Z');
    if frac == 0 {
        format!("{base}Z")
    } else if frac % 1_000_000 == 0 {
        format!("{base}.{:03}Z", frac / 1_000_000)
    } else if frac % 1_000 == 0 {
        format!("{base}.{:06}Z", frac / 1_000)
    } else {
        format!("{base}.{frac:09}Z")
    }
}

/// JSON text as PostgreSQL's JSONB column stores it ([`jsonb_text`]);
/// `None` for text it refuses (not JSON, a `\u0000` or a lone surrogate
/// in a string).
pub fn jsonb(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    (!has_nul(&v)).then(|| jsonb_text_of(text, &v))
}

/// [`jsonb_text`] of JSON `text` (`parsed` is what serde_json read of it),
/// keeping each number's own digits as PostgreSQL's numeric type does:
/// `1.50` stays `1.50`, where a `Value` keeps only a double's `1.5`.
pub fn jsonb_text_of(text: &str, parsed: &Value) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    match raw_jsonb(text.trim(), &mut out) {
        Some(()) => out,
        // Not reached for text serde_json read; the double's digits then.
        None => jsonb_text(parsed),
    }
}

fn raw_jsonb(raw: &str, out: &mut String) -> Option<()> {
    use serde_json::value::RawValue;
    match raw.as_bytes().first()? {
        b'{' => {
            // A map keeps a repeated key's last value, as JSONB does.
            let members: std::collections::BTreeMap<String, &RawValue> =
                serde_json::from_str(raw).ok()?;
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push_str(": ");
                raw_jsonb(members[k].get(), out)?;
            }
            out.push('}');
        }
        b'[' => {
            let items: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
            out.push('[');
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                raw_jsonb(item.get(), out)?;
            }
            out.push(']');
        }
        b'"' => out.push_str(&Value::String(serde_json::from_str(raw).ok()?).to_string()),
        b'-' | b'0'..=b'9' => out.push_str(&numeric_text(raw)),
        _ => out.push_str(raw),
    }
    Some(())
}

/// A JSON number as PostgreSQL's numeric type writes it back: plain
/// decimal digits (no exponent), as many fraction digits as the text gave
/// after its exponent is applied (`1.50e1` is `15.0`, `1e2` is `100`,
/// `1E-3` is `0.001`), and no sign on zero.
fn numeric_text(number: &str) -> String {
    let (negative, unsigned) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (
            &unsigned[..i],
            unsigned[i + 1..].parse::<i64>().unwrap_or(0),
        ),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    // Where the decimal point falls in `digits` once the exponent moves it.
    let point = whole.len() as i64 + exponent;
    let (int_part, frac_part) = if point <= 0 {
        (String::new(), "0".repeat((-point) as usize) + &digits)
    } else if point as usize >= digits.len() {
        (
            digits.clone() + &"0".repeat(point as usize - digits.len()),
            String::new(),
        )
    } else {
        let (i, f) = digits.split_at(point as usize);
        (i.to_string(), f.to_string())
    };
    let int_part = match int_part.trim_start_matches('0') {
        "" => "0",
        trimmed => trimmed,
    };
    let zero = digits.bytes().all(|b| b == b'0');
    let sign = if negative && !zero { "-" } else { "" };
    if frac_part.is_empty() {
        format!("{sign}{int_part}")
    } else {
        format!("{sign}{int_part}.{frac_part}")
    }
}

/// Text of a JSON value as PostgreSQL's JSONB gives it back: `", "` and
/// `": "` separators, object keys ordered by length then bytes, doubles
/// in their shortest digits without exponent (as Go writes a float64 and
/// numeric reads it back: `100` for `1e2`). [`jsonb_text_of`] keeps the
/// digits of JSON text instead.
pub fn jsonb_text(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_f64() => numeric_text(&format!("{}", n.as_f64().unwrap_or(0.0))),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
            let items: Vec<String> = keys
                .iter()
                .map(|k| format!("{}: {}", Value::from(k.as_str()), jsonb_text(&m[*k])))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(jsonb_text).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// Lower-case hex MD5 of the value as submitted: Nakama's object version.
pub fn version_of(value: &str) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Who performs a storage operation: the server (nk) or a client user.
#[derive(Clone, Copy)]
pub enum Caller<'a> {
    Server,
    Client(&'a str),
}

impl Db {
    /// Opens (creating if needed) and migrates the database; its clock is
    /// the system clock.
    pub fn open(path: &str) -> Result<Db, String> {
        Db::open_with_clock(path, Clock::system())
    }

    /// [`Db::open`] with the clock its writes take the time from.
    pub fn open_with_clock(path: &str, clock: Clock) -> Result<Db, String> {
        if path != ":memory:" {
            if let Some(dir) = std::path::Path::new(path).parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
        let conn = Connection::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(|e| format!("cannot configure {path}: {e}"))?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);")
            .map_err(|e| e.to_string())?;
        let version: Option<i64> = conn
            .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        match version {
            Some(v) if v > SCHEMA_VERSION => {
                return Err(format!(
                    "database {path} has schema version {v}, newer than this dev host's {SCHEMA_VERSION}"
                ))
            }
            Some(v) if v == SCHEMA_VERSION => {}
            // New, or made by an older dev host: every statement of the
            // schema creates only what is missing.
            _ => {
                conn.execute_batch(SCHEMA).map_err(|e| e.to_string())?;
                conn.execute_batch(leaderboard::SCHEMA)
                    .map_err(|e| e.to_string())?;
                conn.execute_batch(channel::SCHEMA)
                    .map_err(|e| e.to_string())?;
                conn.execute_batch(friend::SCHEMA)
                    .map_err(|e| e.to_string())?;
                conn.execute_batch(group::SCHEMA)
                    .map_err(|e| e.to_string())?;
                conn.execute_batch(tournament::SCHEMA)
                    .map_err(|e| e.to_string())?;
                conn.execute_batch(account::SCHEMA)
                    .map_err(|e| e.to_string())?;
                add_user_columns(&conn).map_err(|e| e.to_string())?;
                // Nakama's first migration makes the system user a row of
                // its own (empty username): users lookups find it, its
                // wallet and metadata can be updated, server storage,
                // notifications and exports hang off it.
                conn.execute(
                    "INSERT OR IGNORE INTO users (id, username, create_time, update_time) VALUES (?1, '', ?2, ?2)",
                    pg_params![SYSTEM_USER, clock.now()],
                )
                .map_err(|e| e.to_string())?;
                conn.execute(
                    "INSERT INTO schema_version (version) VALUES (?1)",
                    pg_params![SCHEMA_VERSION],
                )
                .map_err(|e| e.to_string())?;
            }
        }
        conn.execute_batch(leaderboard::RANK_CACHES)
            .map_err(|e| e.to_string())?;
        Ok(Db {
            conn: Arc::new(Mutex::new(Conn {
                conn,
                clock: clock.clone(),
                changes: Vec::new(),
            })),
            clock,
            observer: Arc::default(),
        })
    }

    /// The database's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Sets what follows storage writes and deletes: once per database.
    pub fn observe_storage(&self, observer: Arc<dyn StorageObserver>) {
        let _ = self.observer.set(observer);
    }

    /// Runs `f` on a blocking thread with the connection, or on the calling
    /// thread when that thread has no tokio runtime: a module may call nk
    /// from a thread of its own, driven by an executor of its own, and that
    /// thread is the module's to block. The storage objects `f` wrote or
    /// deleted reach the [`StorageObserver`] before this answers, as
    /// Nakama updates its storage indexes before a write returns.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, CallError> + Send + 'static,
    ) -> Result<T, CallError> {
        let conn = self.conn.clone();
        let work = move || {
            let mut c = conn.lock().unwrap_or_else(|e| e.into_inner());
            let out = f(&mut c);
            (out, std::mem::take(&mut c.changes))
        };
        let (out, changes) = if tokio::runtime::Handle::try_current().is_err() {
            work()
        } else {
            tokio::task::spawn_blocking(work)
                .await
                .map_err(|e| err(Code::Internal, format!("database task failed: {e}")))?
        };
        if let (false, Some(observer)) = (changes.is_empty(), self.observer.get()) {
            observer.changed(changes).await;
        }
        out
    }
}

// ---- accounts -------------------------------------------------------------

/// What `authenticate_*` answers.
#[derive(Debug)]
pub struct Authenticated {
    pub user_id: String,
    pub username: String,
    pub created: bool,
}

/// The kind of id an account is found by.
pub enum AuthId<'a> {
    Custom(&'a str),
    Device(&'a str),
    /// A player id proven by Facebook Instant Games signed player info.
    FacebookInstantGame(&'a str),
}

/// A username as Nakama makes one up: ten ASCII letters.
pub fn random_username() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..10)
        .map(|_| {
            let c = rng.random_range(0..52u8);
            (if c < 26 { b'a' + c } else { b'A' + c - 26 }) as char
        })
        .collect()
}

/// An [`AuthId`] that owns its id (to move into a blocking task).
pub enum AuthIdOwned {
    Custom(String),
    Device(String),
    FacebookInstantGame(String),
    Email { email: String, password: String },
}

impl AuthIdOwned {
    /// Finds or creates the account (see [`authenticate`] and
    /// [`authenticate_email`]).
    pub fn authenticate(
        &self,
        c: &mut Conn,
        username: &str,
        create: bool,
    ) -> Result<Authenticated, CallError> {
        match self {
            AuthIdOwned::Custom(s) => authenticate(c, AuthId::Custom(s), username, create),
            AuthIdOwned::Device(s) => authenticate(c, AuthId::Device(s), username, create),
            AuthIdOwned::FacebookInstantGame(s) => {
                authenticate(c, AuthId::FacebookInstantGame(s), username, create)
            }
            AuthIdOwned::Email { email, password } => {
                authenticate_email(c, email, password, username, create)
            }
        }
    }
}

/// Finds the account with this id, or creates it when `create`.
pub fn authenticate(
    c: &mut Conn,
    id: AuthId<'_>,
    username: &str,
    create: bool,
) -> Result<Authenticated, CallError> {
    let found: Option<(String, String, i64)> = match id {
        AuthId::Custom(cid) => c
            .query_row(
                "SELECT id, username, disable_time FROM users WHERE custom_id = ?1",
                pg_params![cid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional(),
        AuthId::Device(did) => c
            .query_row(
                "SELECT u.id, u.username, u.disable_time FROM users u JOIN user_device d ON d.user_id = u.id WHERE d.id = ?1",
                pg_params![did],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional(),
        AuthId::FacebookInstantGame(player) => c
            .query_row(
                "SELECT id, username, disable_time FROM users WHERE facebook_instant_game_id = ?1",
                pg_params![player],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional(),
    }
    .map_err(internal)?;
    if let Some((user_id, username, disabled)) = found {
        if disabled > 0 {
            return Err(err(Code::PermissionDenied, "User account banned."));
        }
        return Ok(Authenticated {
            user_id,
            username,
            created: false,
        });
    }
    if !create {
        return Err(err(Code::NotFound, "User account not found."));
    }
    let username = if username.is_empty() {
        random_username()
    } else {
        username.to_string()
    };
    let user_id = uuid::Uuid::new_v4().to_string();
    let t = c.now();
    let tx = c.transaction().map_err(internal)?;
    let (custom, instant_game) = match id {
        AuthId::Custom(cid) => (Some(cid), None),
        AuthId::Device(_) => (None, None),
        AuthId::FacebookInstantGame(player) => (None, Some(player)),
    };
    let inserted = tx.execute(
        "INSERT INTO users (id, username, custom_id, facebook_instant_game_id, create_time, update_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        pg_params![user_id, username, custom, instant_game, t],
    );
    match inserted {
        Err(rusqlite::Error::SqliteFailure(e, Some(msg)))
            if e.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains("username") =>
        {
            return Err(err(Code::AlreadyExists, "Username is already in use."));
        }
        other => {
            other.map_err(internal)?;
        }
    }
    if let AuthId::Device(did) = id {
        tx.execute(
            "INSERT INTO user_device (id, user_id) VALUES (?1, ?2)",
            pg_params![did, user_id],
        )
        .map_err(internal)?;
    }
    tx.commit().map_err(internal)?;
    Ok(Authenticated {
        user_id,
        username,
        created: true,
    })
}

/// Whether an account has this id.
pub fn user_exists(c: &Connection, user_id: &str) -> Result<bool, CallError> {
    c.query_row(
        "SELECT 1 FROM users WHERE id = ?1",
        pg_params![user_id],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
    .map_err(internal)
}

fn user_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<api::User> {
    Ok(api::User {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        avatar_url: r.get(3)?,
        lang_tag: r.get(4)?,
        location: r.get(5)?,
        timezone: r.get(6)?,
        metadata: r.get(7)?,
        create_time: Some(rfc3339(r.get(8)?)),
        update_time: Some(rfc3339(r.get(9)?)),
        edge_count: r.get(10)?,
        facebook_id: provider_id(r, 11)?,
        google_id: provider_id(r, 12)?,
        gamecenter_id: provider_id(r, 13)?,
        steam_id: provider_id(r, 14)?,
        facebook_instant_game_id: provider_id(r, 15)?,
        apple_id: provider_id(r, 16)?,
        ..Default::default()
    })
}

fn provider_id(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
}

/// A user's columns, for [`user_from_row`]; `edge_count` is the number of
/// friend edges from them, as Nakama counts it (with those gone with
/// other accounts: [`ADDED_USER_COLUMNS`]).
const USER_COLUMNS: &str = "id, username, display_name, avatar_url, lang_tag, location, timezone, metadata, create_time, update_time,
    (SELECT count(*) FROM user_edge WHERE source_id = users.id) + users.lost_edges,
    facebook_id, google_id, gamecenter_id, steam_id, facebook_instant_game_id, apple_id";
/// How many columns [`USER_COLUMNS`] has: the index of the next one.
const USER_COLUMN_COUNT: usize = 17;

/// The account of a user (`GET /v2/account`, `AccountGetId`).
pub fn account(c: &Conn, user_id: &str) -> Result<Option<api::Account>, CallError> {
    let row = c
        .query_row(
            &format!("SELECT {USER_COLUMNS}, wallet, email, custom_id, disable_time, verify_time FROM users WHERE id = ?1"),
            pg_params![user_id],
            |r| {
                let user = user_from_row(r)?;
                let n = USER_COLUMN_COUNT;
                let wallet: String = r.get(n)?;
                let email: Option<String> = r.get(n + 1)?;
                let custom_id: Option<String> = r.get(n + 2)?;
                let times: (i64, i64) = (r.get(n + 3)?, r.get(n + 4)?);
                Ok((user, wallet, email, custom_id, times))
            },
        )
        .optional()
        .map_err(internal)?;
    let Some((user, wallet, email, custom_id, (disable_time, verify_time))) = row else {
        return Ok(None);
    };
    let mut stmt = c
        .prepare_cached("SELECT id FROM user_device WHERE user_id = ?1 ORDER BY id")
        .map_err(internal)?;
    let devices = stmt
        .query_map(pg_params![user_id], |r| {
            Ok(api::AccountDevice {
                id: r.get(0)?,
                ..Default::default()
            })
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    Ok(Some(api::Account {
        user: Some(user),
        wallet,
        email: email.unwrap_or_default(),
        devices,
        custom_id: custom_id.unwrap_or_default(),
        disable_time: (disable_time > 0).then(|| rfc3339(disable_time)),
        verify_time: (verify_time != 0).then(|| rfc3339(verify_time)),
    }))
}

/// Users by id (unknown ids are left out). An id is read as PostgreSQL
/// reads a UUID (any case, with or without hyphens or braces).
pub fn users(c: &Conn, ids: &[String]) -> Result<Vec<api::User>, CallError> {
    let ids: Vec<String> = ids
        .iter()
        .map(|id| uuid::Uuid::parse_str(id).map_or_else(|_| id.clone(), |u| u.to_string()))
        .collect();
    users_where(c, "id", &ids)
}

/// Users whose `column` is one of `keys`, in that order, each once (as
/// Nakama's `= ANY(..)`); unknown ones are left out.
fn users_where(c: &Conn, column: &str, keys: &[String]) -> Result<Vec<api::User>, CallError> {
    let mut out = Vec::new();
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE {column} = ?1"
        ))
        .map_err(internal)?;
    let mut seen = std::collections::HashSet::new();
    for key in keys.iter().filter(|k| seen.insert(k.as_str())) {
        if let Some(u) = stmt
            .query_row(pg_params![key], user_from_row)
            .optional()
            .map_err(internal)?
        {
            out.push(u);
        }
    }
    Ok(out)
}

/// Email authentication: find by email (or by username when `email` is
/// empty) and check the password; create with a bcrypt hash when asked.
pub fn authenticate_email(
    c: &mut Conn,
    email: &str,
    password: &str,
    username: &str,
    create: bool,
) -> Result<Authenticated, CallError> {
    let invalid = || err(Code::Unauthenticated, "Invalid credentials.");
    let (column, key) = if email.is_empty() {
        ("username", username)
    } else {
        ("email", email)
    };
    let found: Option<(String, String, Option<String>, i64)> = c
        .query_row(
            &format!("SELECT id, username, password, disable_time FROM users WHERE {column} = ?1"),
            pg_params![key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(internal)?;
    // As Nakama: a banned account is refused before its password is
    // checked; a username nobody has is not found.
    if let Some((user_id, username, hash, disabled)) = found {
        if disabled > 0 {
            return Err(err(Code::PermissionDenied, "User account banned."));
        }
        let ok = hash
            .map(|h| bcrypt::verify(password, &h).unwrap_or(false))
            .unwrap_or(false);
        if !ok {
            return Err(invalid());
        }
        return Ok(Authenticated {
            user_id,
            username,
            created: false,
        });
    }
    if !create || email.is_empty() {
        return Err(err(Code::NotFound, "User account not found."));
    }
    let hash = bcrypt::hash(password, bcrypt::DEFAULT_COST)
        .map_err(|e| err(Code::Internal, format!("password hashing failed: {e}")))?;
    let username = if username.is_empty() {
        random_username()
    } else {
        username.to_string()
    };
    let user_id = uuid::Uuid::new_v4().to_string();
    let r = c.execute(
        "INSERT INTO users (id, username, email, password, create_time, update_time) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        pg_params![user_id, username, email, hash, c.now()],
    );
    match r {
        Err(rusqlite::Error::SqliteFailure(e, Some(msg)))
            if e.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains("username") =>
        {
            Err(err(Code::AlreadyExists, "Username is already in use."))
        }
        other => {
            other.map_err(internal)?;
            Ok(Authenticated {
                user_id,
                username,
                created: true,
            })
        }
    }
}

/// Users by username (unknown names are left out).
pub fn users_by_name(c: &Conn, names: &[String]) -> Result<Vec<api::User>, CallError> {
    users_where(c, "username", names)
}

/// Users by Facebook id (unknown ones are left out).
pub fn users_by_facebook_id(c: &Conn, ids: &[String]) -> Result<Vec<api::User>, CallError> {
    users_where(c, "facebook_id", ids)
}

/// Applies `PUT /v2/account`.
pub fn update_account(
    c: &Conn,
    user_id: &str,
    req: &api::UpdateAccountRequest,
) -> Result<(), CallError> {
    let fields = [
        ("username", &req.username),
        ("display_name", &req.display_name),
        ("avatar_url", &req.avatar_url),
        ("lang_tag", &req.lang_tag),
        ("location", &req.location),
        ("timezone", &req.timezone),
    ];
    if fields.iter().all(|(_, v)| v.is_none()) {
        return Err(err(Code::InvalidArgument, "No fields to update."));
    }
    // PostgreSQL refuses a value longer than its column, and the update
    // with it; so it does an empty language tag, which Nakama writes as
    // NULL into a NOT NULL column (other empty fields clear theirs), and
    // text with a NUL.
    let refused = |(c, v): &(&str, &Option<String>)| {
        v.as_deref().is_some_and(|v| {
            account::too_long(c, v).is_some()
                || (*c == "lang_tag" && v.is_empty())
                || v.contains('\0')
        })
    };
    if fields.iter().any(refused) {
        return Err(err(Code::Internal, "Error while trying to update account."));
    }
    for (column, value) in fields {
        if let Some(v) = value {
            let r = c.execute(
                &format!("UPDATE users SET {column} = ?1, update_time = ?2 WHERE id = ?3"),
                pg_params![v, c.now(), user_id],
            );
            match r {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    // Nakama's text of the gRPC error it made for it.
                    return Err(err(
                        Code::InvalidArgument,
                        "rpc error: code = AlreadyExists desc = Username is already in use.",
                    ));
                }
                other => {
                    other.map_err(internal)?;
                }
            }
        }
    }
    Ok(())
}

// ---- storage --------------------------------------------------------------

fn object_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<api::StorageObject> {
    let user_id: String = r.get(2)?;
    Ok(api::StorageObject {
        collection: r.get(0)?,
        key: r.get(1)?,
        user_id,
        value: r.get(3)?,
        version: r.get(4)?,
        permission_read: r.get(5)?,
        permission_write: r.get(6)?,
        create_time: Some(rfc3339(r.get(7)?)),
        update_time: Some(rfc3339(r.get(8)?)),
    })
}

const OBJECT_COLUMNS: &str =
    "collection, key, user_id, value, version, read, write, create_time, update_time";

fn owner(user_id: &str) -> &str {
    if user_id.is_empty() {
        SYSTEM_USER
    } else {
        user_id
    }
}

/// Writes objects in one transaction: any rejection writes nothing.
pub fn storage_write(
    c: &mut Conn,
    caller: Caller<'_>,
    writes: &[nk::StorageWriteOp],
) -> Result<Vec<api::StorageObjectAck>, CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let mut acks = Vec::with_capacity(writes.len());
    for w in writes {
        acks.push(write_one(&tx, caller, w, now)?);
    }
    tx.commit().map_err(internal)?;
    c.written(writes, &acks);
    Ok(acks)
}

impl Conn {
    /// Records committed writes for the [`StorageObserver`].
    pub(crate) fn written(
        &mut self,
        writes: &[nk::StorageWriteOp],
        acks: &[api::StorageObjectAck],
    ) {
        for (w, a) in writes.iter().zip(acks) {
            self.changes
                .push(StorageChange::Written(api::StorageObject {
                    collection: w.collection.clone(),
                    key: w.key.clone(),
                    user_id: owner(&w.user_id).to_string(),
                    value: w.value.clone(),
                    version: a.version.clone(),
                    permission_read: w.permission_read,
                    permission_write: w.permission_write,
                    create_time: a.create_time.clone(),
                    update_time: a.update_time.clone(),
                }));
        }
    }

    /// Records committed deletes (`owner` resolves each one's owner).
    pub(crate) fn deleted<'a>(
        &mut self,
        deletes: &'a [nk::StorageDeleteOp],
        owner: impl Fn(&'a nk::StorageDeleteOp) -> &'a str,
    ) {
        for d in deletes {
            let o = owner(d).to_string();
            self.changes.push(StorageChange::Deleted(
                d.collection.clone(),
                d.key.clone(),
                o,
            ));
        }
    }
}

fn write_one(
    tx: &Transaction<'_>,
    caller: Caller<'_>,
    w: &nk::StorageWriteOp,
    t: i64,
) -> Result<api::StorageObjectAck, CallError> {
    // Read once here for both callers; each gets Nakama's words.
    let not_object = match caller {
        Caller::Server => "value must be a JSON-encoded object",
        Caller::Client(_) => "Value must be a JSON object.",
    };
    let value: Value = serde_json::from_str(&w.value)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| err(Code::InvalidArgument, not_object))?;
    // What PostgreSQL answers Nakama's write (a module gets it as is),
    // and Nakama its client.
    let refused = |postgres: &str| {
        err(
            Code::Internal,
            match caller {
                Caller::Server => postgres,
                Caller::Client(_) => "Error writing storage objects.",
            },
        )
    };
    // In the order of the parameters of Nakama's one statement per object.
    if w.collection.contains('\0') || w.key.contains('\0') {
        return Err(refused(NUL_REFUSED));
    }
    if has_nul(&value) {
        return Err(refused(JSONB_NUL_REFUSED));
    }
    if w.version.contains('\0') {
        return Err(refused(NUL_REFUSED));
    }
    if w.collection.chars().count() > 128 || w.key.chars().count() > 128 {
        return Err(refused(&pg::too_long(128)));
    }
    let owner = owner(&w.user_id);
    let existing: Option<Existing> = tx
        .query_row(
            "SELECT version, read, write, create_time, update_time FROM storage WHERE collection = ?1 AND key = ?2 AND user_id = ?3",
            pg_params![w.collection, w.key, owner],
            |r| {
                Ok(Existing {
                    version: r.get(0)?,
                    read: r.get(1)?,
                    write: r.get(2)?,
                    create_time: r.get(3)?,
                    update_time: r.get(4)?,
                })
            },
        )
        .optional()
        .map_err(internal)?;
    let rejected = || {
        err(
            Code::InvalidArgument,
            "Storage write rejected - version check failed.",
        )
    };
    // Nakama's order: "*" on an existing object and a version for a missing
    // one fail the version check; a client's write to an object it may not
    // write is refused for that before its version is compared.
    match (&existing, w.version.as_str()) {
        (Some(_), "*") => return Err(rejected()),
        (None, v) if !v.is_empty() && v != "*" => return Err(rejected()),
        _ => {}
    }
    if let (Caller::Client(_), Some(e)) = (caller, &existing) {
        if e.write != 1 {
            return Err(err(
                Code::InvalidArgument,
                "Storage write rejected - permission denied.",
            ));
        }
    }
    let version = version_of(&w.value);
    if let Some(e) = &existing {
        if !w.version.is_empty() && w.version != e.version {
            return Err(rejected());
        }
        // A write without a version that changes nothing leaves the object
        // as it is, its update time too (Nakama skips such an update).
        if w.version.is_empty()
            && e.version == version
            && e.read == i64::from(w.permission_read)
            && e.write == i64::from(w.permission_write)
        {
            return Ok(ack(w, owner, version, e.create_time, e.update_time));
        }
    }
    // A new object's owner must be a user: Nakama's table references
    // `users` (a user deleted since, or an id that is none).
    if existing.is_none() && !user_exists(tx, owner)? {
        return Err(refused(&pg::no_such_user("storage", "user_id")));
    }
    let create_time = existing.as_ref().map(|e| e.create_time).unwrap_or(t);
    tx.execute(
        "INSERT INTO storage (collection, key, user_id, value, version, read, write, create_time, update_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (collection, key, user_id) DO UPDATE SET
           value = excluded.value, version = excluded.version, read = excluded.read,
           write = excluded.write, update_time = excluded.update_time",
        pg_params![
            w.collection,
            w.key,
            owner,
            jsonb_text_of(&w.value, &value),
            version,
            w.permission_read,
            w.permission_write,
            create_time,
            t
        ],
    )
    .map_err(internal)?;
    Ok(ack(w, owner, version, create_time, t))
}

/// What [`write_one`] reads of the object it may replace.
struct Existing {
    version: String,
    read: i64,
    write: i64,
    create_time: i64,
    update_time: i64,
}

fn ack(
    w: &nk::StorageWriteOp,
    owner: &str,
    version: String,
    create_time: i64,
    update_time: i64,
) -> api::StorageObjectAck {
    api::StorageObjectAck {
        collection: w.collection.clone(),
        key: w.key.clone(),
        version,
        // The system user's id for its objects, as Nakama's ack has.
        user_id: owner.to_string(),
        create_time: Some(rfc3339(create_time)),
        update_time: Some(rfc3339(update_time)),
    }
}

/// Reads objects; missing and (for clients) unreadable ones are left out.
pub fn storage_read(
    c: &Conn,
    caller: Caller<'_>,
    reads: &[nk::StorageReadOp],
) -> Result<Vec<api::StorageObject>, CallError> {
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT {OBJECT_COLUMNS} FROM storage WHERE collection = ?1 AND key = ?2 AND user_id = ?3"
        ))
        .map_err(internal)?;
    let texts = reads
        .iter()
        .flat_map(|r| [&r.collection, &r.key, &r.user_id]);
    refuse_nul(
        caller,
        "Error reading storage objects.",
        texts.map(String::as_str),
    )?;
    let mut out = Vec::new();
    for r in reads {
        let found = stmt
            .query_row(
                pg_params![r.collection, r.key, owner(&r.user_id)],
                object_from_row,
            )
            .optional()
            .map_err(internal)?;
        if let Some(o) = found {
            let readable = match caller {
                Caller::Server => true,
                Caller::Client(me) => {
                    o.permission_read == 2 || (o.permission_read == 1 && o.user_id == me)
                }
            };
            if readable {
                out.push(o);
            }
        }
    }
    Ok(out)
}

/// Deletes objects in one transaction. Clients may delete only their own
/// objects with write permission 1; nothing deleted is an error for them.
pub fn storage_delete(
    c: &mut Conn,
    caller: Caller<'_>,
    deletes: &[nk::StorageDeleteOp],
) -> Result<(), CallError> {
    let texts = deletes
        .iter()
        .flat_map(|d| [&d.collection, &d.key, &d.user_id, &d.version]);
    refuse_nul(
        caller,
        "Error deleting storage objects.",
        texts.map(String::as_str),
    )?;
    let tx = c.transaction().map_err(internal)?;
    for d in deletes {
        let owner = match caller {
            Caller::Client(me) => me,
            Caller::Server => owner(&d.user_id),
        };
        let mut sql = String::from(
            "DELETE FROM storage WHERE collection = ?1 AND key = ?2 AND user_id = ?3 AND (?4 = '' OR version = ?4)",
        );
        if matches!(caller, Caller::Client(_)) {
            sql.push_str(" AND write = 1");
        }
        let n = tx
            .execute(&sql, pg_params![d.collection, d.key, owner, d.version])
            .map_err(internal)?;
        if n == 0 && (matches!(caller, Caller::Client(_)) || !d.version.is_empty()) {
            return Err(err(
                Code::InvalidArgument,
                "Storage delete rejected - not found, version check failed, or permission denied.",
            ));
        }
    }
    tx.commit().map_err(internal)?;
    c.deleted(deletes, |d| match caller {
        Caller::Client(me) => me,
        Caller::Server => owner(&d.user_id),
    });
    Ok(())
}

/// Lists a page of a collection. The cursor is the offset, base64-encoded.
pub fn storage_list(
    c: &Conn,
    caller: Caller<'_>,
    user_id: &str,
    collection: &str,
    limit: i32,
    cursor: &str,
) -> Result<nk::StorageListResult, CallError> {
    // Nakama answers a listing of nothing before it reads the cursor or
    // asks PostgreSQL (which refuses a NUL).
    if limit <= 0 {
        return Ok(nk::StorageListResult::default());
    }
    // A module listing for a user gets PostgreSQL's words too.
    if user_id.contains('\0') || collection.contains('\0') {
        return Err(err(Code::Internal, NUL_REFUSED));
    }
    if matches!(caller, Caller::Client(_)) && user_id.is_empty() {
        return storage_list_public(c, collection, limit, cursor);
    }
    let offset = decode_cursor(cursor)?;
    // Nakama's five listings: everyone's or one owner's, for the server,
    // the owner, another user or any user.
    let (filter, order) = match caller {
        Caller::Server if user_id.is_empty() => ("1 = 1", "read, key, user_id"),
        Caller::Server => ("1 = 1", "read, key"),
        Caller::Client(_) if user_id.is_empty() => ("read >= 2", "read, key, user_id"),
        Caller::Client(me) if user_id == me => ("read >= 1", "read, key"),
        Caller::Client(_) => ("read = 2", "key"),
    };
    let owner_filter = if user_id.is_empty() {
        "?2 = ''"
    } else {
        "user_id = ?2"
    };
    let sql = format!(
        "SELECT {OBJECT_COLUMNS} FROM storage WHERE collection = ?1 AND {owner_filter} AND {filter}
         ORDER BY {order} LIMIT ?3 OFFSET ?4"
    );
    let mut stmt = c.prepare_cached(&sql).map_err(internal)?;
    let mut objects = stmt
        .query_map(
            pg_params![collection, user_id, limit as i64 + 1, offset],
            object_from_row,
        )
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let cursor = next_cursor(&mut objects, limit as i64, offset);
    Ok(nk::StorageListResult { objects, cursor })
}

/// A client's listing of everyone's public objects, paged as Nakama pages
/// it (core_storage.go, `StorageListObjectsAll`): its cursor holds the
/// last object's key and owner with read 2, whatever that object's read,
/// so the page after one that ends on an object of read 3 starts again at
/// the first object of read 3; a page whose cursor would be the one given
/// ends the listing.
fn storage_list_public(
    c: &Conn,
    collection: &str,
    limit: i32,
    cursor: &str,
) -> Result<nk::StorageListResult, CallError> {
    use base64::Engine as _;
    let base64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let after = match cursor {
        "" => None,
        given => Some(
            base64
                .decode(given)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| {
                    s.rsplit_once('\n')
                        .map(|(k, u)| (k.to_string(), u.to_string()))
                })
                .ok_or_else(|| err(Code::InvalidArgument, "Malformed cursor was used."))?,
        ),
    };
    let (key, owner) = after.unzip();
    let sql = format!(
        "SELECT {OBJECT_COLUMNS} FROM storage
         WHERE collection = ?1 AND read >= 2 AND (?2 IS NULL OR (read, key, user_id) > (2, ?2, ?3))
         ORDER BY read, key, user_id LIMIT ?4"
    );
    let mut stmt = c.prepare_cached(&sql).map_err(internal)?;
    let mut objects = stmt
        .query_map(
            pg_params![collection, key, owner, limit as i64 + 1],
            object_from_row,
        )
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let mut next = String::new();
    if objects.len() > limit as usize {
        objects.truncate(limit as usize);
        if let Some(last) = objects.last() {
            next = base64.encode(format!("{}\n{}", last.key, last.user_id));
        }
    }
    if next == cursor {
        next.clear();
    }
    Ok(nk::StorageListResult {
        objects,
        cursor: next,
    })
}

// ---- wallets and notifications --------------------------------------------

/// Adds a changeset to one wallet (`WalletUpdate`); a result below zero
/// refuses the whole call.
pub fn wallet_update(
    c: &mut Conn,
    user_id: &str,
    changeset: &HashMap<String, i64>,
    metadata: &Map<String, Value>,
    update_ledger: bool,
) -> Result<nk::WalletUpdateResult, CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let out = wallet_apply(&tx, now, user_id, changeset, metadata, update_ledger)?
        .ok_or_else(|| err(Code::NotFound, "user not found"))?;
    tx.commit().map_err(internal)?;
    Ok(out)
}

/// Several wallet updates in one transaction (`WalletsUpdate`): unknown
/// users are skipped, any negative result refuses everything.
pub fn wallets_update(
    c: &mut Conn,
    updates: &[nk::WalletUpdateOp],
    update_ledger: bool,
) -> Result<Vec<nk::WalletsUpdateItem>, CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let mut out = Vec::new();
    for u in updates {
        if let Some(r) = wallet_apply(
            &tx,
            now,
            &u.user_id,
            &u.changeset,
            &u.metadata,
            update_ledger,
        )? {
            out.push(nk::WalletsUpdateItem {
                user_id: u.user_id.clone(),
                updated: r.updated,
                previous: r.previous,
            });
        }
    }
    tx.commit().map_err(internal)?;
    share_final_wallets(&mut out);
    Ok(out)
}

/// Nakama's results of several wallet updates share each user's wallet:
/// every one shows the wallet after all of that user's updates (each
/// `previous` is its own).
pub(crate) fn share_final_wallets(out: &mut [nk::WalletsUpdateItem]) {
    for i in 0..out.len() {
        let last = out.iter().rev().find(|r| r.user_id == out[i].user_id);
        if let Some(last) = last.map(|r| r.updated.clone()) {
            out[i].updated = last;
        }
    }
}

/// One wallet change inside a transaction; `None` for an unknown user.
fn wallet_apply(
    tx: &Transaction<'_>,
    now: i64,
    user_id: &str,
    changeset: &HashMap<String, i64>,
    metadata: &Map<String, Value>,
    update_ledger: bool,
) -> Result<Option<nk::WalletUpdateResult>, CallError> {
    let Some(wallet): Option<String> = tx
        .query_row(
            "SELECT wallet FROM users WHERE id = ?1",
            pg_params![user_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let previous: HashMap<String, i64> = serde_json::from_str(&wallet).unwrap_or_default();
    let mut updated = previous.clone();
    let mut keys: Vec<&String> = changeset.keys().collect();
    keys.sort();
    for k in keys {
        // Go's int64 addition wraps, and a wrapped sum is a negative one.
        let v = updated
            .get(k)
            .copied()
            .unwrap_or(0)
            .wrapping_add(changeset[k]);
        if v < 0 {
            return Err(err(
                Code::InvalidArgument,
                format!("wallet update rejected negative value at path '{k}'"),
            ));
        }
        updated.insert(k.clone(), v);
    }
    // As Nakama's JSONB column gives it back.
    let wallet_json =
        serde_json::to_value(&updated).map_or_else(|_| "{}".into(), |v| jsonb_text(&v));
    tx.execute(
        "UPDATE users SET wallet = ?1, update_time = ?2 WHERE id = ?3",
        pg_params![wallet_json, now, user_id],
    )
    .map_err(internal)?;
    if update_ledger {
        if metadata.iter().any(|(k, v)| k.contains('\0') || has_nul(v)) {
            return Err(err(Code::Internal, JSONB_NUL_REFUSED));
        }
        tx.execute(
            "INSERT INTO wallet_ledger (id, user_id, changeset, metadata, create_time) VALUES (?1, ?2, ?3, ?4, ?5)",
            pg_params![
                uuid::Uuid::new_v4().to_string(),
                user_id,
                serde_json::to_string(changeset).unwrap_or_default(),
                Value::Object(metadata.clone()).to_string(),
                now
            ],
        )
        .map_err(internal)?;
    }
    Ok(Some(nk::WalletUpdateResult { updated, previous }))
}

/// A page (offset cursor, base64) of newest-first rows.
fn page_bounds(limit: i32, cursor: &str) -> Result<(i64, i64), CallError> {
    if !(1..=100).contains(&limit) {
        return Err(err(Code::InvalidArgument, "expects limit to be 1-100"));
    }
    Ok((limit as i64, decode_cursor(cursor)?))
}

/// The offset a cursor stands for (empty: the start).
fn decode_cursor(cursor: &str) -> Result<i64, CallError> {
    use base64::Engine as _;
    if cursor.is_empty() {
        return Ok(0);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| err(Code::InvalidArgument, "Malformed cursor was used."))
}

/// Trims the one extra row fetched and answers the next page's cursor (empty
/// when there is none).
fn next_cursor<T>(rows: &mut Vec<T>, limit: i64, offset: i64) -> String {
    use base64::Engine as _;
    if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode((offset + limit).to_string())
    } else {
        String::new()
    }
}

/// A user's wallet ledger, newest first.
pub fn wallet_ledger_list(c: &Conn, a: &nk::PageArgs) -> Result<nk::LedgerPage, CallError> {
    if a.limit == 0 {
        // Nakama's listing stops at its first row for a limit of 0: no
        // items, and a cursor (to nothing further) if there is any entry.
        let any: bool = c
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM wallet_ledger WHERE user_id = ?1)",
                pg_params![&a.user_id],
                |r| r.get(0),
            )
            .map_err(internal)?;
        let mut cursor = String::new();
        if any {
            use base64::Engine as _;
            cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(i64::MAX.to_string());
        }
        return Ok(nk::LedgerPage {
            items: Vec::new(),
            cursor,
        });
    }
    let (limit, offset) = page_bounds(a.limit, &a.cursor)?;
    let mut stmt = c
        .prepare_cached(
            "SELECT id, user_id, changeset, metadata, create_time FROM wallet_ledger
             WHERE user_id = ?1 ORDER BY create_time DESC, rowid DESC LIMIT ?2 OFFSET ?3",
        )
        .map_err(internal)?;
    let mut items = stmt
        .query_map(pg_params![a.user_id, limit + 1, offset], |r| {
            let changeset: String = r.get(2)?;
            let metadata: String = r.get(3)?;
            Ok(nk::LedgerItem {
                id: r.get(0)?,
                user_id: r.get(1)?,
                changeset: serde_json::from_str(&changeset).unwrap_or_default(),
                metadata: serde_json::from_str(&metadata).unwrap_or_default(),
                create_time: r.get(4)?,
            })
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let cursor = next_cursor(&mut items, limit, offset);
    Ok(nk::LedgerPage { items, cursor })
}

/// A user's notifications, oldest first (as Nakama lists them); `limit` 0
/// lists them all.
pub fn notification_list(c: &Conn, a: &nk::PageArgs) -> Result<nk::NotificationPage, CallError> {
    let (limit, offset) = (i64::from(a.limit), decode_cursor(&a.cursor)?);
    let mut stmt = c
        .prepare_cached(
            "SELECT id, subject, content, code, sender_id, create_time FROM notification
             WHERE user_id = ?1 ORDER BY create_time ASC, rowid ASC LIMIT ?2 OFFSET ?3",
        )
        .map_err(internal)?;
    // SQLite reads a negative limit as none.
    let fetch = if limit == 0 { -1 } else { limit + 1 };
    let mut notifications = stmt
        .query_map(pg_params![a.user_id, fetch, offset], |r| {
            Ok(api::Notification {
                id: r.get(0)?,
                subject: r.get(1)?,
                content: r.get::<_, String>(2).map(|c| jsonb(&c).unwrap_or(c))?,
                code: r.get(3)?,
                sender_id: r.get::<_, String>(4).map(|s| {
                    // A system notification has no sender, as in Nakama.
                    if s == SYSTEM_USER {
                        String::new()
                    } else {
                        s
                    }
                })?,
                create_time: Some(rfc3339(r.get(5)?)),
                persistent: true,
            })
        })
        .map_err(internal)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(internal)?;
    let cursor = if limit == 0 {
        String::new()
    } else {
        next_cursor(&mut notifications, limit, offset)
    };
    Ok(nk::NotificationPage {
        notifications,
        cursor,
    })
}

/// Applies `AccountUpdateId` as Nakama's core does (the update of one
/// `MultiUpdate` account, in a transaction of its own).
pub fn account_update_id(c: &mut Conn, a: &nk::AccountUpdateArgs) -> Result<(), CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    account::update_account(&tx, a, now)?;
    tx.commit().map_err(internal)
}

/// A notification for a user, stored if it is persistent (the others
/// only reach the user's open sockets, as in Nakama).
pub fn notification_send(
    c: &Conn,
    n: &nk::NotificationSendArgs,
) -> Result<api::Notification, CallError> {
    let mut sent = notifications_send(c, std::slice::from_ref(n))?;
    Ok(sent.remove(0))
}

/// Notifications for users, the persistent ones stored as Nakama's one
/// statement stores them: refused for a row's values, then for a user
/// that is none (its table references `users`), before any is written.
/// Run it in a transaction ([`in_tx`]) for all or none.
pub fn notifications_send(
    c: &Conn,
    sends: &[nk::NotificationSendArgs],
) -> Result<Vec<api::Notification>, CallError> {
    let now = c.now();
    let sent: Vec<api::Notification> = sends
        .iter()
        .map(|n| api::Notification {
            id: uuid::Uuid::new_v4().to_string(),
            subject: n.subject.clone(),
            content: Value::Object(n.content.clone()).to_string(),
            code: n.code,
            // A system notification's sender is the nil UUID, as Nakama
            // writes it.
            sender_id: match n.sender_id.as_str() {
                "" => uuid::Uuid::nil().to_string(),
                id => id.to_string(),
            },
            create_time: Some(rfc3339(now)),
            persistent: n.persistent,
        })
        .collect();
    let stored: Vec<_> = sends
        .iter()
        .zip(&sent)
        .filter(|(n, _)| n.persistent)
        .collect();
    let subjects: Vec<Varchar<'_>> = stored
        .iter()
        .map(|(n, _)| Varchar(255, &n.subject))
        .collect();
    let contents: Vec<Jsonb<'_>> = stored.iter().map(|(_, s)| Jsonb(&s.content)).collect();
    // Nakama's parameters: an array per column (`unnest`), in their order.
    let mut columns: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(4 * stored.len());
    columns.extend(stored.iter().map(|(_, s)| &s.id as &dyn rusqlite::ToSql));
    columns.extend(
        stored
            .iter()
            .map(|(n, _)| &n.user_id as &dyn rusqlite::ToSql),
    );
    columns.extend(subjects.iter().map(|v| v as &dyn rusqlite::ToSql));
    columns.extend(contents.iter().map(|v| v as &dyn rusqlite::ToSql));
    if let Some(refused) = pg::refusal(&columns) {
        return Err(err(Code::Internal, refused.to_string()));
    }
    for (n, _) in &stored {
        if !user_exists(c, &n.user_id)? {
            return Err(err(
                Code::Internal,
                pg::no_such_user("notification", "user_id"),
            ));
        }
    }
    for (((n, s), subject), content) in stored.iter().zip(&subjects).zip(&contents) {
        c.execute(
            "INSERT INTO notification (id, user_id, subject, content, code, sender_id, create_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            pg_params![s.id, n.user_id, subject, content, n.code, s.sender_id, now],
        )
        .map_err(internal)?;
    }
    Ok(sent)
}

/// A connection to a new in-memory database, for unit tests.
#[cfg(test)]
pub fn memory_conn() -> Conn {
    let d = Db::open(":memory:").unwrap();
    Arc::try_unwrap(d.conn).ok().unwrap().into_inner().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_keep_as_many_fraction_digits_as_protobuf_json_does() {
        let t = 1_764_547_023; // 2025-11-30T23:57:03Z
        let at = |frac: i64| rfc3339_nanos(t * 1_000_000_000 + frac);
        assert_eq!(at(0), "2025-11-30T23:57:03Z");
        assert_eq!(at(250_000_000), "2025-11-30T23:57:03.250Z");
        assert_eq!(at(250_500_000), "2025-11-30T23:57:03.250500Z");
        assert_eq!(at(1), "2025-11-30T23:57:03.000000001Z");
    }

    #[test]
    fn a_schema_7_database_gains_the_provider_columns_and_the_system_user_and_keeps_its_users() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let path = path.to_str().unwrap();
        {
            // A users table as schema 7 made it, with one user.
            let old = Connection::open(path).unwrap();
            old.execute_batch(SCHEMA).unwrap();
            old.execute_batch(
                "CREATE TABLE schema_version (version INTEGER NOT NULL);
                 INSERT INTO schema_version VALUES (7);
                 INSERT INTO users (id, username, create_time, update_time)
                 VALUES ('5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11', 'old', 1, 2);",
            )
            .unwrap();
            let columns: i64 = old
                .query_row("SELECT count(*) FROM pragma_table_info('users')", [], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(columns, 15);
        }
        let d = Db::open(path).unwrap();
        let c = d.conn.lock().unwrap();
        let id = "5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11";
        c.execute(
            "UPDATE users SET steam_id = 's1', verify_time = 3 WHERE id = ?1",
            pg_params![id],
        )
        .unwrap();
        let a = account(&c, id).unwrap().unwrap();
        let user = a.user.unwrap();
        assert_eq!(
            (user.username.as_str(), user.steam_id.as_str()),
            ("old", "s1")
        );
        assert_eq!(a.verify_time.as_deref(), Some("1970-01-01T00:00:03Z"));
        // Provider ids are unique, as in Nakama.
        c.execute(
            "INSERT INTO users (id, username, steam_id, create_time, update_time) VALUES ('x', 'y', 's1', 1, 1)",
            [],
        )
        .unwrap_err();
        // And the system user's row (schema 9), found by id and by name.
        let system = users(&c, &[SYSTEM_USER.to_uppercase()]).unwrap();
        assert_eq!(system.len(), 1);
        assert_eq!(users_by_name(&c, &[String::new()]).unwrap(), system);
        let version: i64 = c
            .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    fn db() -> Conn {
        memory_conn()
    }

    #[test]
    fn the_clock_follows_the_system_until_set_then_moves_when_told() {
        let clock = Clock::system();
        assert!((clock.now() - unix_now()).abs() <= 1);
        clock.set(1_700_000_000);
        assert_eq!(clock.now(), 1_700_000_000);
        clock.advance(90);
        assert_eq!(clock.now(), 1_700_000_090);
        let shared = clock.clone();
        shared.advance(-30);
        assert_eq!(clock.now(), 1_700_000_060, "clones share the time");
        assert!(
            (Clock::system().now() - unix_now()).abs() <= 1,
            "a new clock is its own"
        );
    }

    #[test]
    fn notifications_list_oldest_first_and_all_of_them_for_limit_0() {
        let d = Db::open(":memory:").unwrap();
        d.clock().set(1_000_000_000);
        let mut c = Arc::try_unwrap(d.conn).ok().unwrap().into_inner().unwrap();
        let user = authenticate(&mut c, AuthId::Custom("cid-100001"), "", true)
            .unwrap()
            .user_id;
        for subject in ["first", "second", "third"] {
            let n = nk::NotificationSendArgs {
                user_id: user.clone(),
                subject: subject.into(),
                code: 1,
                persistent: true,
                ..Default::default()
            };
            notification_send(&c, &n).unwrap();
            c.clock.advance(10);
        }
        let page = |limit, cursor: &str| {
            let args = nk::PageArgs {
                user_id: user.clone(),
                limit,
                cursor: cursor.into(),
            };
            let page = notification_list(&c, &args).unwrap();
            let subjects: Vec<String> = page.notifications.into_iter().map(|n| n.subject).collect();
            (subjects, page.cursor)
        };
        let (all, cursor) = page(0, "");
        assert_eq!(
            (all, cursor.as_str()),
            (
                vec!["first".to_string(), "second".into(), "third".into()],
                ""
            )
        );
        let (two, cursor) = page(2, "");
        assert_eq!(two, ["first", "second"]);
        assert_eq!(page(2, &cursor).0, ["third"]);
    }

    #[test]
    fn rows_of_a_user_that_is_none_are_refused_as_postgresql_refuses_them() {
        let mut c = db();
        let nobody = "6f1f0f0e-0000-4000-8000-000000000001";
        // A new object: refused. A version for a missing object fails the
        // version check first (Nakama's update finds no row).
        let mut w = write("a", "{}", "");
        w.user_id = nobody.into();
        let e = storage_write(&mut c, Caller::Server, &[w.clone()]).unwrap_err();
        let fk = "ERROR: insert or update on table \"storage\" violates foreign key constraint \"storage_user_id_fkey\" (SQLSTATE 23503)";
        assert_eq!((e.code, e.message.as_str()), (Code::Internal, fk));
        w.version = "some-version".into();
        let e = storage_write(&mut c, Caller::Server, &[w]).unwrap_err();
        assert_eq!(e.message, "Storage write rejected - version check failed.");
        // Notifications: only stored ones are, and all of a call's rows
        // are read and formed before any user is looked up.
        let user = authenticate(&mut c, AuthId::Custom("cid-100003"), "", true)
            .unwrap()
            .user_id;
        let send = |user_id: &str, subject: &str, persistent| nk::NotificationSendArgs {
            user_id: user_id.into(),
            subject: subject.into(),
            code: 1,
            persistent,
            ..Default::default()
        };
        notifications_send(&c, &[send(nobody, "s", false)]).unwrap();
        let e = notifications_send(
            &c,
            &[send(user.as_str(), "s", true), send(nobody, "s", true)],
        )
        .unwrap_err();
        let fk = "ERROR: insert or update on table \"notification\" violates foreign key constraint \"notification_user_id_fkey\" (SQLSTATE 23503)";
        assert_eq!((e.code, e.message.as_str()), (Code::Internal, fk));
        let long = "s".repeat(256);
        let e = notifications_send(&c, &[send(nobody, "s", true), send(&user, &long, true)])
            .unwrap_err();
        assert_eq!(e.message, pg::too_long(255));
        let stored = notification_list(
            &c,
            &nk::PageArgs {
                user_id: user,
                limit: 100,
                cursor: String::new(),
            },
        )
        .unwrap();
        assert!(
            stored.notifications.is_empty(),
            "nothing stored: {stored:?}"
        );
    }

    #[test]
    fn writes_take_their_time_from_the_database_clock() {
        let d = Db::open(":memory:").unwrap();
        d.clock().set(1_000_000_000);
        let mut c = Arc::try_unwrap(d.conn).ok().unwrap().into_inner().unwrap();
        storage_write(&mut c, Caller::Server, &[write("a", "{}", "")]).unwrap();
        c.clock.advance(60);
        storage_write(&mut c, Caller::Server, &[write("a", r#"{"x":1}"#, "")]).unwrap();
        let read = nk::StorageReadOp {
            collection: "c".into(),
            key: "a".into(),
            user_id: String::new(),
        };
        let o = storage_read(&c, Caller::Server, &[read]).unwrap().remove(0);
        assert_eq!(o.create_time.as_deref(), Some("2001-09-09T01:46:40Z"));
        assert_eq!(o.update_time.as_deref(), Some("2001-09-09T01:47:40Z"));
    }

    #[test]
    fn a_write_that_changes_nothing_keeps_the_update_time_as_nakama_does() {
        let d = Db::open(":memory:").unwrap();
        d.clock().set(1_000_000_000);
        let mut c = Arc::try_unwrap(d.conn).ok().unwrap().into_inner().unwrap();
        storage_write(&mut c, Caller::Server, &[write("a", "{}", "")]).unwrap();
        c.clock.advance(60);
        let same = storage_write(&mut c, Caller::Server, &[write("a", "{}", "")]).unwrap();
        assert_eq!(same[0].update_time.as_deref(), Some("2001-09-09T01:46:40Z"));
        // Other permissions are a change; so is a write with its version.
        let mut other = write("a", "{}", "");
        other.permission_read = 2;
        let changed = storage_write(&mut c, Caller::Server, &[other]).unwrap();
        assert_eq!(
            changed[0].update_time.as_deref(),
            Some("2001-09-09T01:47:40Z")
        );
        c.clock.advance(60);
        let mut again = write("a", "{}", &changed[0].version);
        again.permission_read = 2;
        let versioned = storage_write(&mut c, Caller::Server, &[again]).unwrap();
        assert_eq!(
            versioned[0].update_time.as_deref(),
            Some("2001-09-09T01:48:40Z")
        );
    }

    #[test]
    fn a_client_is_refused_an_object_it_may_not_write_before_its_version_is_compared() {
        let mut c = db();
        let user = authenticate(&mut c, AuthId::Custom("cid-100002"), "", true)
            .unwrap()
            .user_id;
        let mut locked = write("a", "{}", "");
        locked.user_id = user.clone();
        locked.permission_write = 0;
        storage_write(&mut c, Caller::Server, &[locked]).unwrap();
        let mut refusal = |version: &str| {
            let mut w = write("a", "{}", version);
            w.user_id = user.clone();
            storage_write(&mut c, Caller::Client(&user), &[w])
                .unwrap_err()
                .message
        };
        assert_eq!(
            refusal("not-its-version"),
            "Storage write rejected - permission denied."
        );
        assert_eq!(refusal(""), "Storage write rejected - permission denied.");
        // "*" asks for a new object: that check comes first.
        assert_eq!(
            refusal("*"),
            "Storage write rejected - version check failed."
        );
    }

    fn write(key: &str, value: &str, version: &str) -> nk::StorageWriteOp {
        nk::StorageWriteOp {
            collection: "c".into(),
            key: key.into(),
            value: value.into(),
            version: version.into(),
            permission_read: 1,
            permission_write: 1,
            ..Default::default()
        }
    }

    #[test]
    fn jsonb_text_matches_postgres() {
        let v: Value = serde_json::from_str(r#"{"hp":20,"a":[1,{"bb":1,"c":2}]}"#).unwrap();
        assert_eq!(jsonb_text(&v), r#"{"a": [1, {"c": 2, "bb": 1}], "hp": 20}"#);
        assert_eq!(version_of(r#"{"hp":20}"#).len(), 32);
    }

    #[test]
    fn numbers_come_back_as_postgres_numeric_writes_them() {
        for (given, back) in [
            ("1.50", "1.50"),
            ("1e2", "100"),
            ("5E+2", "500"),
            ("1.50e1", "15.0"),
            ("1E-7", "0.0000001"),
            ("-1.25e-3", "-0.00125"),
            ("-0", "0"),
            ("-0.0", "0.0"),
            ("0e10", "0"),
            ("0.00", "0.00"),
            ("12345678901234567890123", "12345678901234567890123"),
            ("1.5e30", "1500000000000000000000000000000"),
        ] {
            assert_eq!(numeric_text(given), back, "{given}");
        }
        let text = r#" {"b":[1.10,{"x":2e1}],"a":"é","a":-0} "#;
        let parsed: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            jsonb_text_of(text, &parsed),
            r#"{"a": 0, "b": [1.10, {"x": 20}]}"#
        );
        // A double, as Go writes one and numeric reads it back.
        assert_eq!(jsonb_text(&parsed), r#"{"a": 0, "b": [1.1, {"x": 20}]}"#);
        assert_eq!(
            jsonb_text(&serde_json::json!({"a": 1e-7})),
            r#"{"a": 0.0000001}"#
        );
    }

    #[test]
    fn a_client_account_update_fails_as_nakamas_for_an_empty_language_and_a_taken_name() {
        let mut c = db();
        let me = authenticate(&mut c, AuthId::Custom("cid-100003"), "me", true).unwrap();
        authenticate(&mut c, AuthId::Custom("cid-100004"), "taken", true).unwrap();
        let update = |c: &Conn, f: fn(&mut api::UpdateAccountRequest)| {
            let mut req = api::UpdateAccountRequest::default();
            f(&mut req);
            update_account(c, &me.user_id, &req).map_err(|e| (e.code, e.message))
        };
        let refused = update(&c, |r| {
            r.display_name = Some("shown".into());
            r.lang_tag = Some(String::new());
        });
        assert_eq!(
            refused,
            Err((
                Code::Internal,
                "Error while trying to update account.".into()
            ))
        );
        let account = account(&c, &me.user_id).unwrap().unwrap();
        assert_eq!(account.user.unwrap().display_name, "", "nothing changed");
        let taken = update(&c, |r| r.username = Some("taken".into()));
        assert_eq!(
            taken,
            Err((
                Code::InvalidArgument,
                "rpc error: code = AlreadyExists desc = Username is already in use.".into()
            ))
        );
        assert_eq!(update(&c, |r| r.avatar_url = Some(String::new())), Ok(()));
    }

    #[test]
    fn listings_follow_nakamas_order_and_acks_name_the_system_user() {
        let mut c = db();
        let mut w = |key: &str, read: i32| {
            let mut op = write(key, "{}", "");
            op.permission_read = read;
            storage_write(&mut c, Caller::Server, &[op])
                .unwrap()
                .remove(0)
        };
        w("b", 0);
        w("c", 2);
        let ack = w("a", 2);
        assert_eq!(ack.user_id, SYSTEM_USER);
        let keys = |caller, user_id: &str| -> Vec<String> {
            storage_list(&c, caller, user_id, "c", 10, "")
                .unwrap()
                .objects
                .into_iter()
                .map(|o| o.key)
                .collect()
        };
        // The server: by read permission, then key (then owner).
        assert_eq!(keys(Caller::Server, ""), ["b", "a", "c"]);
        assert_eq!(keys(Caller::Server, SYSTEM_USER), ["b", "a", "c"]);
        // A user, everyone's public objects.
        assert_eq!(keys(Caller::Client("someone"), ""), ["a", "c"]);
    }

    #[test]
    fn a_value_with_a_nul_is_refused_as_postgres_refuses_it() {
        let mut c = db();
        let e = storage_write(
            &mut c,
            Caller::Server,
            &[write("a", r#"{"a":"\u0000"}"#, "")],
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                Code::Internal,
                "ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)"
            )
        );
    }

    #[test]
    fn text_with_a_nul_fails_any_query_as_postgres_fails_it() {
        let mut c = db();
        let refused = |e: CallError| (e.code, e.message);
        let nul = || (Code::Internal, NUL_REFUSED.to_string());
        // A lookup as well as a write: PostgreSQL refuses the parameter.
        assert_eq!(
            refused(users_by_name(&c, &["a\0b".into()]).unwrap_err()),
            nul()
        );
        let e = storage_write(&mut c, Caller::Server, &[write("k\0", "{}", "")]);
        assert_eq!(refused(e.unwrap_err()), nul());
        // A client gets the call's own words.
        let e = storage_write(&mut c, Caller::Client("u"), &[write("k\0", "{}", "")]);
        let words = (Code::Internal, "Error writing storage objects.".to_string());
        assert_eq!(refused(e.unwrap_err()), words);
        let read = nk::StorageReadOp {
            collection: "c\0".into(),
            key: "k".into(),
            user_id: String::new(),
        };
        let e = storage_read(&c, Caller::Client("u"), std::slice::from_ref(&read));
        let words = (Code::Internal, "Error reading storage objects.".to_string());
        assert_eq!(refused(e.unwrap_err()), words);
        assert_eq!(
            refused(storage_read(&c, Caller::Server, &[read]).unwrap_err()),
            nul()
        );
        // Nothing written on the way.
        assert!(storage_list(&c, Caller::Server, "", "c", 10, "")
            .unwrap()
            .objects
            .is_empty());
    }

    #[test]
    fn email_sign_in_refuses_as_nakama_does_in_its_order() {
        let mut c = db();
        let email = "someone@example.com";
        let made = authenticate_email(&mut c, email, "password1", "someone", true).unwrap();
        let refused = |c: &mut Conn, email: &str, password: &str, username: &str| {
            let e = authenticate_email(c, email, password, username, true).unwrap_err();
            (e.code, e.message)
        };
        let invalid = (Code::Unauthenticated, "Invalid credentials.".to_string());
        assert_eq!(refused(&mut c, email, "wrong-one", ""), invalid);
        assert_eq!(refused(&mut c, "", "wrong-one", "someone"), invalid);
        // A username nobody has: not found, created or not.
        let unknown = (Code::NotFound, "User account not found.".to_string());
        assert_eq!(refused(&mut c, "", "password1", "nobody"), unknown);
        // A banned account, whatever the password.
        account::set_disabled(&mut c, std::slice::from_ref(&made.user_id), true).unwrap();
        let banned = (Code::PermissionDenied, "User account banned.".to_string());
        for (email, username) in [(email, ""), ("", "someone")] {
            for password in ["password1", "wrong-one"] {
                assert_eq!(refused(&mut c, email, password, username), banned);
            }
        }
    }

    #[test]
    fn a_listing_of_nothing_reads_no_argument() {
        let c = db();
        // Nakama answers a limit of 0 before it reads the cursor or the
        // text PostgreSQL would refuse.
        for caller in [Caller::Server, Caller::Client("u")] {
            for (user_id, collection, cursor) in [("", "c\0", ""), ("u\0", "c", "!?")] {
                let list = storage_list(&c, caller, user_id, collection, 0, cursor).unwrap();
                assert!(list.objects.is_empty() && list.cursor.is_empty());
            }
        }
        let e = storage_list(&c, Caller::Server, "", "c", 1, "!?").unwrap_err();
        assert_eq!(e.code, Code::InvalidArgument);
    }

    #[test]
    fn only_jsonb_parameters_refuse_an_escaped_nul() {
        let c = db();
        let escaped = r#"{"a":"\u0000"}"#;
        let e = c
            .execute("SELECT ?1", pg_params![Jsonb(&escaped)])
            .map_err(internal)
            .unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (Code::Internal, JSONB_NUL_REFUSED)
        );
        // Plain text may hold the six characters, and JSON an escaped
        // backslash before them.
        c.query_row("SELECT ?1", pg_params![escaped], |_| Ok(()))
            .unwrap();
        let backslash = r#"{"a":"\\u0000"}"#;
        c.query_row("SELECT ?1", pg_params![Jsonb(&backslash)], |_| Ok(()))
            .unwrap();
    }

    #[test]
    fn postgres_reads_every_parameter_before_it_writes_the_row() {
        let c = db();
        let long = "x".repeat(130);
        fn refused(c: &Conn, p: impl rusqlite::Params) -> String {
            let e = c.query_row("SELECT ?1, ?2", p, |_| Ok(()));
            e.map_err(internal).unwrap_err().message
        }
        assert_eq!(
            refused(&c, pg_params![Varchar(128, &long), 1]),
            pg::too_long(128)
        );
        // A NUL found on reading a later parameter is named instead.
        let nul = r#"{"a":"\u0000"}"#;
        let both = refused(&c, pg_params![Varchar(128, &long), Jsonb(&nul)]);
        assert_eq!(both, JSONB_NUL_REFUSED);
        let long_nul = format!("{long}\0");
        let one = refused(&c, pg_params![Varchar(128, &long_nul), 1]);
        assert_eq!(one, NUL_REFUSED);
        // Spaces past the width are cut off, not refused.
        let spaces = format!("a{}", " ".repeat(200));
        let kept: String = c
            .query_row("SELECT ?1", pg_params![Varchar(128, &spaces)], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, format!("a{}", " ".repeat(127)));
    }

    #[test]
    fn a_failed_batch_writes_nothing() {
        let mut c = db();
        storage_write(&mut c, Caller::Server, &[write("a", "{}", "")]).unwrap();
        let e = storage_write(
            &mut c,
            Caller::Server,
            &[write("b", "{}", ""), write("a", "{}", "*")],
        )
        .unwrap_err();
        assert_eq!(e.message, "Storage write rejected - version check failed.");
        let read = storage_read(
            &c,
            Caller::Server,
            &[nk::StorageReadOp {
                collection: "c".into(),
                key: "b".into(),
                user_id: String::new(),
            }],
        )
        .unwrap();
        assert!(read.is_empty());
    }

    #[test]
    fn wallets_refuse_negative_whole() {
        let mut c = db();
        let a = authenticate(&mut c, AuthId::Custom("cid-000001"), "u1", true).unwrap();
        let add = HashMap::from([("gold".to_string(), 10)]);
        wallet_update(&mut c, &a.user_id, &add, &Map::new(), true).unwrap();
        let bad = HashMap::from([("gold".to_string(), -5), ("gems".to_string(), -1)]);
        assert!(wallet_update(&mut c, &a.user_id, &bad, &Map::new(), true).is_err());
        let acc = account(&c, &a.user_id).unwrap().unwrap();
        assert_eq!(acc.wallet, r#"{"gold": 10}"#, "as JSONB gives it back");
    }

    #[test]
    fn wallet_updates_answer_as_nakamas_do() {
        let mut c = db();
        let a = authenticate(&mut c, AuthId::Custom("cid-000002"), "u2", true).unwrap();
        let op = |gold: i64| nk::WalletUpdateOp {
            user_id: a.user_id.clone(),
            changeset: HashMap::from([("gold".to_string(), gold)]),
            metadata: Map::new(),
        };
        // Two updates of one user: each result shows the final wallet.
        let out = wallets_update(&mut c, &[op(1), op(2)], true).unwrap();
        let updated: Vec<i64> = out.iter().map(|r| r.updated["gold"]).collect();
        let previous: Vec<i64> = out
            .iter()
            .map(|r| r.previous.get("gold").copied().unwrap_or(0))
            .collect();
        assert_eq!((updated, previous), (vec![3, 3], vec![0, 1]));
        // A sum past i64::MAX wraps below zero, as Go's does: refused.
        let e = wallets_update(&mut c, &[op(i64::MAX)], false).unwrap_err();
        assert_eq!(
            e.message,
            "wallet update rejected negative value at path 'gold'"
        );
        // A ledger page of 0 entries, with a cursor that leads nowhere.
        let page = |limit, cursor: &str| {
            let args = nk::PageArgs {
                user_id: a.user_id.clone(),
                limit,
                cursor: cursor.into(),
            };
            wallet_ledger_list(&c, &args).unwrap()
        };
        let none = page(0, "");
        assert!(none.items.is_empty() && !none.cursor.is_empty());
        assert!(page(10, &none.cursor).items.is_empty());
        assert_eq!(page(10, "").items.len(), 2);
    }

    #[test]
    fn authenticate_creates_then_finds() {
        let mut c = db();
        let a = authenticate(&mut c, AuthId::Device("device-0001"), "", true).unwrap();
        assert!(a.created);
        assert_eq!(a.username.len(), 10);
        let b = authenticate(&mut c, AuthId::Device("device-0001"), "other", false).unwrap();
        assert_eq!(a.user_id, b.user_id);
        assert!(!b.created);
        let e = authenticate(&mut c, AuthId::Custom("nobody-here"), "", false).unwrap_err();
        assert_eq!(e.code, Code::NotFound);
    }
}
