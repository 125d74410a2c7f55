//! Leaderboards: Nakama's semantics (server/core_leaderboard.go) on SQLite.
//!
//! A record belongs to an owner, a leaderboard and a period: the period of
//! a leaderboard with a reset schedule ends at the schedule's next time
//! (its "expiry"), and records of other periods are neither listed nor
//! changed. Ranks are counted in SQL where Nakama keeps a rank cache in
//! memory; the order is the same (score, then subscore, then owner id).

use nakama_runtime_host::abi::api;
use nakama_runtime_host::abi::nk::{self, Operator, SortOrder};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::CallError;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pg::refusal;
use super::tournament::Window;
use super::{
    encodable_time, err, internal, jsonb_text, pg_params, pg_values, rfc3339, Bigint, Caller, Conn,
    Jsonb, Varchar,
};

/// Tables added in schema version 2.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS leaderboard (
    id TEXT PRIMARY KEY,
    authoritative INTEGER NOT NULL,
    sort_order TEXT NOT NULL,
    operator TEXT NOT NULL,
    reset_schedule TEXT NOT NULL,
    metadata TEXT NOT NULL,
    enable_ranks INTEGER NOT NULL,
    create_time INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS leaderboard_record (
    leaderboard_id TEXT NOT NULL REFERENCES leaderboard(id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL,
    username TEXT,
    score INTEGER NOT NULL CHECK (score >= 0),
    subscore INTEGER NOT NULL CHECK (subscore >= 0),
    num_score INTEGER NOT NULL,
    max_num_score INTEGER NOT NULL DEFAULT 1000000,
    metadata TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    expiry_time INTEGER NOT NULL,
    PRIMARY KEY (leaderboard_id, expiry_time, owner_id)
);
CREATE INDEX IF NOT EXISTS leaderboard_record_order
    ON leaderboard_record (leaderboard_id, expiry_time, score, subscore, owner_id);
";

/// Which leaderboard periods have a rank cache in Nakama: one is made by
/// the first record written (or tournament join) since the server
/// started, and outlives its records until the leaderboard is deleted or
/// its ranks disabled; a restart makes one for each period with records.
/// A temporary table, as that cache lives in memory: a period has one if
/// it is here or has records.
pub(super) const RANK_CACHES: &str = "
CREATE TEMP TABLE IF NOT EXISTS leaderboard_rank_cache (
    leaderboard_id TEXT NOT NULL,
    expiry_time INTEGER NOT NULL,
    PRIMARY KEY (leaderboard_id, expiry_time)
);
";

/// Notes that a period of a leaderboard with ranks has a rank cache.
pub(super) fn note_rank_cache(c: &Connection, id: &str, expiry: i64) -> Result<(), CallError> {
    c.execute(
        "INSERT OR IGNORE INTO leaderboard_rank_cache (leaderboard_id, expiry_time) VALUES (?1, ?2)",
        pg_params![id, expiry],
    )
    .map_err(internal)?;
    Ok(())
}

/// The rank caches of a leaderboard deleted or whose ranks are disabled.
pub(super) fn forget_rank_caches(c: &Connection, id: &str) -> Result<(), CallError> {
    c.execute(
        "DELETE FROM leaderboard_rank_cache WHERE leaderboard_id = ?1",
        pg_params![id],
    )
    .map_err(internal)?;
    Ok(())
}

/// A record row with a negative score or subscore, in PostgreSQL's words
/// (what a module gets from Nakama; a client gets Nakama's own message).
/// The score's check is named first, so found first.
pub(super) fn negative_score(score: i64) -> CallError {
    let column = if score < 0 { "score" } else { "subscore" };
    err(
        Code::Internal,
        format!("ERROR: new row for relation \"leaderboard_record\" violates check constraint \"leaderboard_record_{column}_check\" (SQLSTATE 23514)"),
    )
}

/// The score and subscore `op` makes of a stored pair and a submitted
/// one, as Nakama's SQL does: sums for an increment, differences stopping
/// at 0 for a decrement, the better value of each column for best. A sum
/// or difference outside BIGINT is `None` (PostgreSQL fails the query,
/// even where the decrement would then have stopped at 0; see
/// [`Bigint`]).
pub(super) fn combine(
    op: Operator,
    sort: SortOrder,
    old: (i64, i64),
    new: (i64, i64),
) -> (Option<i64>, Option<i64>) {
    match op {
        Operator::Increment => (old.0.checked_add(new.0), old.1.checked_add(new.1)),
        Operator::Decrement => (
            old.0.checked_sub(new.0).map(|n| n.max(0)),
            old.1.checked_sub(new.1).map(|n| n.max(0)),
        ),
        Operator::Set => (Some(new.0), Some(new.1)),
        Operator::Best => match sort {
            SortOrder::Descending => (Some(old.0.max(new.0)), Some(old.1.max(new.1))),
            SortOrder::Ascending => (Some(old.0.min(new.0)), Some(old.1.min(new.1))),
        },
    }
}

/// Whether Nakama can encode the records of `list`, which carry the
/// period's `expiry` (a tournament's end, which may lie past year 9999:
/// [`encodable_time`]).
fn encodable(list: &api::LeaderboardRecordList, expiry: i64) -> Result<(), CallError> {
    if list.records.is_empty() && list.owner_records.is_empty() {
        return Ok(());
    }
    encodable_time(expiry)
}

/// Nakama's message for a leaderboard id that is not there.
pub const NOT_FOUND: &str = "leaderboard not found";
/// Nakama's message for a client write or delete on an authoritative one.
pub const AUTHORITATIVE: &str = "leaderboard only allows authoritative submissions";
/// Nakama's message for a cursor of another leaderboard or period.
pub const BAD_CURSOR: &str = "leaderboard cursor invalid";

pub(super) struct Leaderboard {
    pub(super) authoritative: bool,
    pub(super) sort: SortOrder,
    pub(super) operator: Operator,
    pub(super) reset: Option<croner::Cron>,
    pub(super) enable_ranks: bool,
    /// A tournament's times ([`super::tournament`]); `None` for a plain
    /// leaderboard.
    pub(super) tournament: Option<Window>,
}

impl Leaderboard {
    /// The end of the period `now` falls in (Unix seconds); 0 when the
    /// leaderboard never resets.
    pub(super) fn expiry(&self, now: i64) -> i64 {
        match &self.tournament {
            Some(w) => w.deadlines(self.reset.as_ref(), now).expiry,
            None => self.reset.as_ref().map_or(0, |cron| next_reset(cron, now)),
        }
    }

    /// The period asked for by its expiry; 0 asks for the current one.
    fn period(&self, expiry: i64, now: i64) -> i64 {
        if expiry == 0 {
            self.expiry(now)
        } else {
            expiry
        }
    }

    /// Clients may not change the records of an authoritative leaderboard.
    pub(super) fn check_writer(&self, caller: Caller<'_>) -> Result<(), CallError> {
        if self.authoritative && matches!(caller, Caller::Client(_)) {
            return Err(err(Code::PermissionDenied, AUTHORITATIVE));
        }
        Ok(())
    }

    /// `>` when higher scores rank first, else `<`: how a better record
    /// compares to a worse one.
    fn better(&self) -> &'static str {
        match self.sort {
            SortOrder::Descending => ">",
            SortOrder::Ascending => "<",
        }
    }

    /// Whether reading in rank order (or against it, `reverse`) reads
    /// ascending (score, subscore, owner id).
    fn reads_up(&self, reverse: bool) -> bool {
        (self.sort == SortOrder::Ascending) != reverse
    }

    fn order_by(&self, reverse: bool) -> &'static str {
        if self.reads_up(reverse) {
            "score ASC, subscore ASC, owner_id ASC"
        } else {
            "score DESC, subscore DESC, owner_id DESC"
        }
    }
}

/// Reads a reset schedule as Nakama's parser does ([`read_cron`]), or
/// refuses it with Nakama's words.
pub(crate) fn parse_schedule(text: &str) -> Result<croner::Cron, CallError> {
    read_cron(text).ok_or_else(|| {
        err(
            Code::InvalidArgument,
            "expects reset schedule to be a valid CRON expression",
        )
    })
}

/// Reads a CRON expression as Nakama's parser (gorhill/cronexpr) does: the
/// `@daily`-style names, five fields (minute hour day-of-month month
/// day-of-week), a year after them, or seconds before and a year after
/// (fields past the seventh ignored). croner reads six fields with seconds
/// first, so a year alone gets its zero seconds.
pub(crate) fn read_cron(text: &str) -> Option<croner::Cron> {
    let text = text.trim();
    if text.starts_with('@') {
        return text.parse().ok();
    }
    let fields: Vec<&str> = text.split_whitespace().collect();
    let (text, year) = match fields.len() {
        0..=4 => return None,
        5 => (fields.join(" "), None),
        6 => (format!("0 {}", fields.join(" ")), Some(fields[5])),
        _ => (fields[..7].join(" "), Some(fields[6])),
    };
    // Nakama's parser knows the years 1970 to 2099 only (a step is not a
    // year).
    let years = year.into_iter().flat_map(|y| y.split(','));
    let bounds = years.flat_map(|part| part.split('/').next().unwrap_or("").split('-'));
    if bounds
        .filter_map(|n| n.parse::<i64>().ok())
        .any(|n| !(1970..2100).contains(&n))
    {
        return None;
    }
    text.parse().ok()
}

/// The first time after `now` the schedule names (Unix seconds).
pub(super) fn next_reset(cron: &croner::Cron, now: i64) -> i64 {
    next_at(cron, now).unwrap_or(0)
}

/// The years Nakama's parser knows: 1970 to 2099 (Unix seconds, the end
/// excluded). No time outside them matches.
const CRON_YEARS: std::ops::Range<i64> = 0..4_102_444_800;

/// The first time after `now` the schedule names, if any (`cron_next`).
pub(crate) fn next_at(cron: &croner::Cron, now: i64) -> Option<i64> {
    let at = chrono::DateTime::from_timestamp(now, 0)?;
    cron.find_next_occurrence(&at, false)
        .ok()
        .map(|t| t.timestamp())
        .filter(|t| CRON_YEARS.contains(t))
}

/// The last time before `now` the schedule named (Unix seconds).
pub(super) fn prev_reset(cron: &croner::Cron, now: i64) -> i64 {
    prev_at(cron, now).unwrap_or(0)
}

/// The last time before `now` the schedule named, if any (`cron_prev`).
pub(crate) fn prev_at(cron: &croner::Cron, now: i64) -> Option<i64> {
    let at = chrono::DateTime::from_timestamp(now, 0)?;
    cron.find_previous_occurrence(&at, false)
        .ok()
        .map(|t| t.timestamp())
        .filter(|t| CRON_YEARS.contains(t))
}

pub(super) fn get(c: &Connection, id: &str) -> Result<Option<Leaderboard>, CallError> {
    let row = c
        .query_row(
            "SELECT l.authoritative, l.sort_order, l.operator, l.reset_schedule, l.enable_ranks,
                    t.start_time, t.end_time, t.duration
             FROM leaderboard l LEFT JOIN tournament t ON t.id = l.id WHERE l.id = ?1",
            // Not `pg_params!`: Nakama finds leaderboards in its cache, so
            // an id with a NUL is one it does not know.
            [id],
            |r| {
                let window = match r.get::<_, Option<i64>>(5)? {
                    Some(start) => Some(Window {
                        start,
                        end: r.get(6)?,
                        duration: r.get(7)?,
                    }),
                    None => None,
                };
                Ok((
                    r.get::<_, bool>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, bool>(4)?,
                    window,
                ))
            },
        )
        .optional()
        .map_err(internal)?;
    let Some((authoritative, sort, operator, reset, enable_ranks, tournament)) = row else {
        return Ok(None);
    };
    Ok(Some(Leaderboard {
        authoritative,
        sort: from_word(sort)?,
        operator: from_word(operator)?,
        reset: if reset.is_empty() {
            None
        } else {
            Some(parse_schedule(&reset)?)
        },
        enable_ranks,
        tournament,
    }))
}

fn existing(c: &Connection, id: &str) -> Result<Leaderboard, CallError> {
    get(c, id)?.ok_or_else(|| err(Code::NotFound, NOT_FOUND))
}

/// An enum of the ABI from its name (as stored).
pub(super) fn from_word<T: serde::de::DeserializeOwned>(w: String) -> Result<T, CallError> {
    serde_json::from_value(Value::String(w)).map_err(|e| err(Code::Internal, e.to_string()))
}

/// An enum of the ABI by its name (`"desc"`, `"best"`), to store.
pub(super) fn word<T: Serialize>(v: T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An owner id in its canonical (lower-case) form, which also sorts as
/// Nakama's UUID column does; other text as it is (the nk functions and
/// routes check owner ids before they get here).
pub(super) fn canonical(owner_id: &str) -> String {
    uuid::Uuid::parse_str(owner_id).map_or_else(|_| owner_id.to_string(), |u| u.to_string())
}

/// `leaderboard_create`: creating an id that exists changes nothing.
pub fn create(c: &Conn, a: &nk::LeaderboardCreateArgs) -> Result<(), CallError> {
    if !a.reset_schedule.is_empty() {
        parse_schedule(&a.reset_schedule)?;
    }
    c.execute(
        "INSERT INTO leaderboard
             (id, authoritative, sort_order, operator, reset_schedule, metadata, enable_ranks, create_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO NOTHING",
        pg_params![
            Varchar(128, &a.id),
            a.authoritative,
            word(a.sort_order),
            word(a.operator),
            Varchar(64, &a.reset_schedule),
            // As Go's json.Marshal writes it (compact, keys sorted), which
            // is what Nakama's leaderboards answer.
            Jsonb(&serde_json::to_string(&a.metadata).unwrap_or_else(|_| "{}".into())),
            a.enable_ranks,
            c.now()
        ],
    )
    .map_err(internal)?;
    Ok(())
}

/// `leaderboards_get_id`: the leaderboards of `ids` that exist, with their
/// previous and next reset (0 when there is none).
pub fn get_many(c: &Conn, ids: &[String]) -> Result<Vec<api::Leaderboard>, CallError> {
    let now = c.now();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(get_at(c, id, now)?);
    }
    Ok(out)
}

/// A leaderboard (not a tournament: Nakama leaves them out) as it is at
/// `now`.
pub(super) fn get_at(
    c: &Connection,
    id: &str,
    now: i64,
) -> Result<Option<api::Leaderboard>, CallError> {
    let Some(lb) = get(c, id)?.filter(|lb| lb.tournament.is_none()) else {
        return Ok(None);
    };
    let (metadata, created): (String, i64) = c
        .query_row(
            "SELECT metadata, create_time FROM leaderboard WHERE id = ?1",
            pg_params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(internal)?;
    let (prev_reset, next_reset) = match &lb.reset {
        // Nakama: no previous reset before the leaderboard exists.
        Some(cron) => (
            if created > now {
                0
            } else {
                prev_reset(cron, now)
            },
            next_reset(cron, now),
        ),
        None => (0, 0),
    };
    Ok(Some(api::Leaderboard {
        id: id.to_string(),
        sort_order: match lb.sort {
            SortOrder::Ascending => 0,
            SortOrder::Descending => 1,
        },
        operator: lb.operator.api_number(),
        prev_reset: u32::try_from(prev_reset).unwrap_or(0),
        next_reset: u32::try_from(next_reset).unwrap_or(0),
        metadata,
        create_time: Some(rfc3339(created)),
        authoritative: lb.authoritative,
    }))
}

/// `leaderboard_delete`: the leaderboard and all its records; an unknown id
/// is not an error.
pub fn delete(c: &Conn, id: &str) -> Result<(), CallError> {
    c.execute("DELETE FROM leaderboard WHERE id = ?1", pg_params![id])
        .map_err(internal)?;
    forget_rank_caches(c, id)
}

/// One submission (the nk function's checks are the caller's).
pub struct Write<'a> {
    pub id: &'a str,
    pub owner_id: &'a str,
    /// Empty keeps the stored one.
    pub username: &'a str,
    pub score: i64,
    pub subscore: i64,
    /// JSONB text; `None` keeps the stored metadata (`{}` for a new record).
    pub metadata: Option<String>,
    pub operator: Option<Operator>,
}

impl<'a> Write<'a> {
    /// The submission of `leaderboard_record_write`.
    pub fn from_nk(a: &'a nk::LeaderboardRecordWriteArgs) -> Write<'a> {
        Write {
            id: &a.id,
            owner_id: &a.owner_id,
            username: &a.username,
            score: a.score,
            subscore: a.subscore,
            metadata: a
                .metadata
                .as_ref()
                .map(|m| jsonb_text(&Value::Object(m.clone()))),
            operator: a.operator,
        }
    }
}

pub(super) const RECORD_COLUMNS: &str =
    "owner_id, username, score, subscore, num_score, max_num_score, metadata, create_time, update_time";

pub(super) fn record_from_row(
    id: &str,
    expiry: i64,
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<api::LeaderboardRecord> {
    Ok(api::LeaderboardRecord {
        leaderboard_id: id.to_string(),
        owner_id: r.get(0)?,
        username: r.get(1)?,
        score: r.get(2)?,
        subscore: r.get(3)?,
        num_score: r.get(4)?,
        max_num_score: r.get(5)?,
        metadata: r.get(6)?,
        create_time: Some(rfc3339(r.get(7)?)),
        update_time: Some(rfc3339(r.get(8)?)),
        expiry_time: (expiry != 0).then(|| rfc3339(expiry)),
        rank: 0,
    })
}

pub(super) fn read_record(
    c: &Connection,
    id: &str,
    expiry: i64,
    owner_id: &str,
) -> Result<Option<api::LeaderboardRecord>, CallError> {
    c.query_row(
        &format!(
            "SELECT {RECORD_COLUMNS} FROM leaderboard_record
             WHERE leaderboard_id = ?1 AND expiry_time = ?2 AND owner_id = ?3"
        ),
        pg_params![id, expiry, owner_id],
        |r| record_from_row(id, expiry, r),
    )
    .optional()
    .map_err(internal)
}

/// The rank of `r` in its period: 1 + the records that rank before it.
pub(super) fn rank_of(
    c: &Connection,
    lb: &Leaderboard,
    expiry: i64,
    r: &api::LeaderboardRecord,
) -> Result<i64, CallError> {
    let better = lb.better();
    let ahead: i64 = c
        .query_row(
            &format!(
                "SELECT count(*) FROM leaderboard_record
                 WHERE leaderboard_id = ?1 AND expiry_time = ?2
                   AND (score, subscore, owner_id) {better} (?3, ?4, ?5)"
            ),
            pg_params![r.leaderboard_id, expiry, r.score, r.subscore, r.owner_id],
            |row| row.get(0),
        )
        .map_err(internal)?;
    Ok(ahead + 1)
}

/// The checks of [`write()`] before it reads the operator: the leaderboard
/// exists and `caller` may write to it.
pub fn check_writer(c: &Conn, caller: Caller<'_>, id: &str) -> Result<(), CallError> {
    existing(c, id)?.check_writer(caller)
}

/// A submission's change to an owner's record on a leaderboard or a
/// tournament: the new score and subscore, one more score, the metadata
/// and username if given. rusqlite's result, for each caller to read.
pub(super) fn update_record(
    tx: &Connection,
    w: &Write<'_>,
    expiry: i64,
    owner_id: &str,
    (score, subscore): (Option<i64>, Option<i64>),
    now: i64,
) -> rusqlite::Result<usize> {
    let username = (!w.username.is_empty()).then_some(w.username);
    // Bound in the table's column order, which is the order PostgreSQL
    // computes the new row in: a username too long is found before a
    // score out of range.
    tx.execute(
        "UPDATE leaderboard_record
         SET username = COALESCE(?4, username), score = ?5, subscore = ?6,
             num_score = num_score + 1, metadata = COALESCE(?7, metadata),
             update_time = ?8
         WHERE leaderboard_id = ?1 AND expiry_time = ?2 AND owner_id = ?3",
        pg_params![
            w.id,
            expiry,
            owner_id,
            Varchar(128, &username),
            Bigint(score),
            Bigint(subscore),
            Jsonb(&w.metadata),
            now
        ],
    )
}

/// What PostgreSQL refuses of the text of Nakama's submission: its NULs,
/// then its lengths, found on binding the parameters (typed after their
/// columns), before any check of the row and whether or not the record
/// then changes.
pub(super) fn check_text(
    owner_id: &str,
    username: &Option<&str>,
    metadata: &Option<String>,
) -> Result<(), CallError> {
    let metadata = metadata.as_deref().unwrap_or("{}");
    let text: [&dyn rusqlite::ToSql; 3] = [&owner_id, &Varchar(128, username), &Jsonb(&metadata)];
    match refusal(&text) {
        Some(refused) => Err(err(Code::Internal, refused.to_string())),
        None => Ok(()),
    }
}

/// Submits a score: a client (`Caller::Client`) may not write to an
/// authoritative leaderboard. Answers the record as it stands, ranked
/// when the leaderboard keeps ranks.
pub fn write(
    c: &mut Conn,
    caller: Caller<'_>,
    w: Write<'_>,
) -> Result<api::LeaderboardRecord, CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let lb = existing(&tx, w.id)?;
    lb.check_writer(caller)?;
    let operator = w.operator.unwrap_or(lb.operator);
    let username = (!w.username.is_empty()).then_some(w.username);
    let owner_id = canonical(w.owner_id);
    check_text(&owner_id, &username, &w.metadata)?;
    // Nakama's table refuses a negative score in the row it would insert
    // before it looks for the owner's record, whatever the operator would
    // make of it; a decrement's row has 0 (and a negative decrement adds).
    if operator != Operator::Decrement && (w.score < 0 || w.subscore < 0) {
        return Err(negative_score(w.score));
    }
    // Nakama's submission reads no tournament window: under a
    // tournament's id it writes the period of the reset schedule (0
    // without one), apart from the tournament's own records.
    let expiry = lb.reset.as_ref().map_or(0, |cron| next_reset(cron, now));
    let before = read_record(&tx, w.id, expiry, &owner_id)?;
    match before {
        None => {
            // A first decrement records 0, as Nakama's insert does.
            let (score, subscore) = match operator {
                Operator::Decrement => (0, 0),
                _ => (w.score, w.subscore),
            };
            tx.execute(
                "INSERT INTO leaderboard_record (leaderboard_id, owner_id, username, score, subscore,
                     num_score, metadata, create_time, update_time, expiry_time)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?7, ?8)",
                pg_params![
                    w.id,
                    owner_id,
                    Varchar(128, &username),
                    score,
                    subscore,
                    Jsonb(&w.metadata.as_deref().unwrap_or("{}")),
                    now,
                    expiry
                ],
            )
            .map_err(internal)?;
        }
        Some(old) => {
            let new = combine(
                operator,
                lb.sort,
                (old.score, old.subscore),
                (w.score, w.subscore),
            );
            // An increment or decrement by something counts as a change
            // even where it leaves the pair as it was (at 0); set and best
            // change the record only when the pair moves.
            let changes = match operator {
                Operator::Increment | Operator::Decrement => w.score != 0 || w.subscore != 0,
                Operator::Set | Operator::Best => new != (Some(old.score), Some(old.subscore)),
            };
            if changes {
                update_record(&tx, &w, expiry, &owner_id, new, now).map_err(internal)?;
            }
        }
    }
    let mut record = read_record(&tx, w.id, expiry, &owner_id)?
        .ok_or_else(|| err(Code::Internal, "leaderboard record vanished while written"))?;
    if lb.enable_ranks {
        record.rank = rank_of(&tx, &lb, expiry, &record)?;
        note_rank_cache(&tx, w.id, expiry)?;
    }
    tx.commit().map_err(internal)?;
    Ok(record)
}

/// `leaderboard_record_delete` and the client's delete: the owner's
/// record of the current period.
pub fn delete_record(
    c: &Conn,
    caller: Caller<'_>,
    id: &str,
    owner_id: &str,
) -> Result<(), CallError> {
    let lb = existing(c, id)?;
    if lb.tournament.is_some() {
        // Nakama: a tournament's records are deleted as a tournament's.
        return Err(err(Code::NotFound, NOT_FOUND));
    }
    lb.check_writer(caller)?;
    c.execute(
        "DELETE FROM leaderboard_record WHERE leaderboard_id = ?1 AND expiry_time = ?2 AND owner_id = ?3",
        pg_params![id, lb.expiry(c.now()), canonical(owner_id)],
    )
    .map_err(internal)?;
    Ok(())
}

/// Where a page starts: just after (`next`) or just before this record,
/// whose rank was `rank`. Opaque to clients (URL-safe base64 of JSON),
/// and only good for the leaderboard and period it was made for.
#[derive(Serialize, Deserialize)]
struct Cursor {
    next: bool,
    id: String,
    expiry: i64,
    score: i64,
    subscore: i64,
    owner: String,
    rank: i64,
}

impl Cursor {
    fn encode(&self) -> String {
        use base64::Engine as _;
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE.encode(json)
    }

    fn decode(text: &str, id: &str, expiry: i64) -> Result<Option<Cursor>, CallError> {
        use base64::Engine as _;
        if text.is_empty() {
            return Ok(None);
        }
        base64::engine::general_purpose::URL_SAFE
            .decode(text)
            .ok()
            .and_then(|b| serde_json::from_slice::<Cursor>(&b).ok())
            .filter(|c| c.id == id && c.expiry == expiry)
            .map(Some)
            .ok_or_else(|| err(Code::InvalidArgument, BAD_CURSOR))
    }

    fn at(next: bool, id: &str, expiry: i64, r: &api::LeaderboardRecord) -> Cursor {
        Cursor {
            next,
            id: id.to_string(),
            expiry,
            score: r.score,
            subscore: r.subscore,
            owner: r.owner_id.clone(),
            rank: r.rank,
        }
    }
}

/// Lists a page of records in rank order (when `limit` is given; each
/// ranked by its place) and the records of `owner_ids` (ranked when the
/// leaderboard keeps ranks). `expiry` 0 is the current period.
pub fn list(
    c: &Conn,
    id: &str,
    owner_ids: &[String],
    limit: Option<i32>,
    cursor: &str,
    expiry: i64,
) -> Result<api::LeaderboardRecordList, CallError> {
    let lb = existing(c, id)?;
    let expiry = lb.period(expiry, c.now());
    let mut out = api::LeaderboardRecordList::default();
    if let Some(limit) = limit {
        let from = Cursor::decode(cursor, id, expiry)?;
        // A previous page is read backwards from its cursor, then turned
        // round.
        let backwards = from.as_ref().is_some_and(|f| !f.next);
        let mut sql = format!(
            "SELECT {RECORD_COLUMNS} FROM leaderboard_record WHERE leaderboard_id = ?1 AND expiry_time = ?2"
        );
        if from.is_some() {
            // Past the cursor, in the direction of reading.
            let past = if lb.reads_up(backwards) { ">" } else { "<" };
            sql += &format!(" AND (score, subscore, owner_id) {past} (?4, ?5, ?6)");
        }
        sql += &format!(" ORDER BY {} LIMIT ?3", lb.order_by(backwards));
        let (score, subscore, owner) = from
            .as_ref()
            .map_or((0, 0, ""), |f| (f.score, f.subscore, f.owner.as_str()));
        let fetch = i64::from(limit) + 1;
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&id, &expiry, &fetch];
        if from.is_some() {
            values.extend([&score as &dyn rusqlite::ToSql, &subscore, &owner]);
        }
        let mut rows: Vec<api::LeaderboardRecord> = c
            .prepare(&sql)
            .and_then(|mut stmt| {
                stmt.query_map(pg_values(&values), |r| record_from_row(id, expiry, r))?
                    .collect()
            })
            .map_err(internal)?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let mut rank = from.as_ref().map_or(0, |f| f.rank);
        for r in &mut rows {
            rank += if backwards { -1 } else { 1 };
            r.rank = rank;
        }
        // Cursors in reading order: past the last row read (when more
        // rows follow) and before the first (when this page had a cursor).
        let onward = match (more, rows.last()) {
            (true, Some(last)) => Some(Cursor::at(!backwards, id, expiry, last)),
            _ => None,
        };
        let back = match (&from, rows.first()) {
            (Some(_), Some(first)) => Some(Cursor::at(backwards, id, expiry, first)),
            _ => None,
        };
        let (next, prev) = if backwards {
            rows.reverse();
            (back, onward)
        } else {
            (onward, back)
        };
        out.next_cursor = next.map(|c| c.encode()).unwrap_or_default();
        out.prev_cursor = prev.map(|c| c.encode()).unwrap_or_default();
        out.records = rows;
    }
    if !owner_ids.is_empty() {
        let marks = vec!["?"; owner_ids.len()].join(", ");
        let mut stmt = c
            .prepare(&format!(
                "SELECT {RECORD_COLUMNS} FROM leaderboard_record
                 WHERE leaderboard_id = ? AND expiry_time = ? AND owner_id IN ({marks})
                 ORDER BY {}",
                lb.order_by(false)
            ))
            .map_err(internal)?;
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&id, &expiry];
        let owner_ids: Vec<String> = owner_ids.iter().map(|o| canonical(o)).collect();
        values.extend(owner_ids.iter().map(|o| o as &dyn rusqlite::ToSql));
        out.owner_records = stmt
            .query_map(pg_values(&values), |r| record_from_row(id, expiry, r))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(internal)?;
    }
    if lb.enable_ranks {
        for r in &mut out.owner_records {
            r.rank = rank_of(c, &lb, expiry, r)?;
        }
        out.rank_count = count_records(c, id, expiry)?;
    }
    encodable(&out, expiry)?;
    Ok(out)
}

/// A page of `limit` records around `owner_id`'s (Nakama's "haystack"):
/// as many better records as fit, leaving room for up to half the page of
/// worse ones. Ranked when the leaderboard keeps ranks. With a cursor it
/// is a plain listing from there.
pub fn haystack(
    c: &Conn,
    id: &str,
    owner_id: &str,
    limit: i32,
    cursor: &str,
    expiry: i64,
) -> Result<api::LeaderboardRecordList, CallError> {
    let lb = existing(c, id)?;
    let expiry = lb.period(expiry, c.now());
    if !cursor.is_empty() {
        return list(c, id, &[], Some(limit), cursor, expiry);
    }
    let Some(owner) = read_record(c, id, expiry, &canonical(owner_id))? else {
        return Ok(api::LeaderboardRecordList::default());
    };
    let limit = limit.max(0) as usize;
    // The records just better (`up`) or just worse than the owner's,
    // nearest first.
    let near = |up: bool, count: usize| -> Result<Vec<api::LeaderboardRecord>, CallError> {
        // Reading away from the owner: against rank order when going up.
        let side = if lb.reads_up(up) { ">" } else { "<" };
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM leaderboard_record
             WHERE leaderboard_id = ?1 AND expiry_time = ?2
               AND (score, subscore, owner_id) {side} (?3, ?4, ?5)
             ORDER BY {} LIMIT ?6",
            lb.order_by(up)
        );
        c.prepare(&sql)
            .and_then(|mut stmt| {
                stmt.query_map(
                    pg_params![
                        id,
                        expiry,
                        owner.score,
                        owner.subscore,
                        owner.owner_id,
                        count as i64
                    ],
                    |r| record_from_row(id, expiry, r),
                )?
                .collect()
            })
            .map_err(internal)
    };
    let mut above = near(true, limit + 1)?;
    let mut has_prev = above.len() > limit;
    above.truncate(limit);
    above.reverse();
    let mut below_limit = limit / 2;
    if above.len() < below_limit {
        below_limit = limit - above.len();
    }
    let mut below = near(false, below_limit + 1)?;
    let has_next = below.len() > below_limit;
    below.truncate(below_limit);

    let above_count = above.len();
    let mut records = above;
    records.push(owner);
    records.extend(below);
    // Keep the last `limit` (the page ends as low as it can), unless the
    // records above were fewer than those kept below.
    let start = match records.len().checked_sub(limit) {
        Some(start) if above_count >= below_limit => start,
        _ => 0,
    };
    has_prev |= start > 0;
    records.drain(..start);
    records.truncate(limit);

    let mut out = api::LeaderboardRecordList::default();
    if lb.enable_ranks {
        for r in &mut records {
            r.rank = rank_of(c, &lb, expiry, r)?;
        }
        out.rank_count = count_records(c, id, expiry)?;
    }
    if has_prev {
        if let Some(first) = records.first() {
            out.prev_cursor = Cursor::at(false, id, expiry, first).encode();
        }
    }
    if has_next {
        if let Some(last) = records.last() {
            out.next_cursor = Cursor::at(true, id, expiry, last).encode();
        }
    }
    out.records = records;
    encodable(&out, expiry)?;
    Ok(out)
}

/// Where `leaderboard_list`'s next page starts (opaque to modules).
#[derive(Serialize, Deserialize)]
struct ListCursor {
    offset: usize,
}

/// `leaderboard_list`: `limit` leaderboards (tournaments left out) in the
/// order they were created, from `cursor`'s place.
pub fn list_leaderboards(
    c: &Conn,
    limit: usize,
    cursor: &str,
) -> Result<api::LeaderboardList, CallError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE;
    let offset = match cursor {
        "" => 0,
        text => {
            b64.decode(text)
                .ok()
                .and_then(|b| serde_json::from_slice::<ListCursor>(&b).ok())
                .ok_or_else(|| {
                    err(
                        Code::InvalidArgument,
                        "expects cursor to be valid when provided",
                    )
                })?
                .offset
        }
    };
    let ids: Vec<String> = c
        .prepare(
            "SELECT id FROM leaderboard WHERE id NOT IN (SELECT id FROM tournament)
             ORDER BY create_time, rowid LIMIT ?1 OFFSET ?2",
        )
        .and_then(|mut stmt| {
            stmt.query_map(pg_params![limit as i64 + 1, offset as i64], |r| r.get(0))?
                .collect()
        })
        .map_err(internal)?;
    let now = c.now();
    let mut out = api::LeaderboardList::default();
    for id in ids.iter().take(limit) {
        out.leaderboards.extend(get_at(c, id, now)?);
    }
    if ids.len() > limit {
        let next = ListCursor {
            offset: offset + limit,
        };
        out.cursor = b64.encode(serde_json::to_vec(&next).unwrap_or_default());
    }
    Ok(out)
}

/// `leaderboard_ranks_disable` (`tournament` false) and
/// `tournament_ranks_disable`: the leaderboard or tournament stops
/// keeping ranks; one of the other kind is not found.
pub fn ranks_disable(c: &Conn, id: &str, tournament: bool) -> Result<(), CallError> {
    let not_found = if tournament {
        "tournament not found"
    } else {
        NOT_FOUND
    };
    match get(c, id)? {
        Some(lb) if lb.tournament.is_some() == tournament => {}
        _ => return Err(err(Code::NotFound, not_found)),
    }
    c.execute(
        "UPDATE leaderboard SET enable_ranks = 0 WHERE id = ?1",
        pg_params![id],
    )
    .map_err(internal)?;
    forget_rank_caches(c, id)
}

/// `leaderboard_records_list_cursor_from_rank`: a cursor whose page
/// starts at `rank` (past the record ranked just before it); rank 1 is
/// the first page (an empty cursor). Nakama reads the record from its
/// rank cache (`RANK_CACHES`), so a leaderboard without ranks has none
/// to give.
pub fn cursor_from_rank(c: &Conn, id: &str, rank: i64, expiry: i64) -> Result<String, CallError> {
    let lb = existing(c, id)?;
    let now = c.now();
    let expiry = match (&lb.tournament, expiry) {
        (Some(_), 0) => {
            let expiry = lb.expiry(now);
            if expiry != 0 && expiry <= now {
                return Err(err(Code::InvalidArgument, "invalid expiry"));
            }
            expiry
        }
        _ => lb.period(expiry, now),
    };
    let before = rank - 1;
    if before == 0 {
        return Ok(String::new());
    }
    let failed = |why: String| {
        err(
            Code::NotFound,
            format!("failed to get cursor from rank: {why}"),
        )
    };
    let cached = c
        .query_row(
            "SELECT 1 FROM leaderboard_rank_cache WHERE leaderboard_id = ?1 AND expiry_time = ?2",
            pg_params![id, expiry],
            |_| Ok(()),
        )
        .optional()
        .map_err(internal)?
        .is_some();
    if !lb.enable_ranks || !cached && count_records(c, id, expiry)? == 0 {
        return Err(failed(format!(
            "rank cache for leaderboard {id:?} with expiry {expiry} not found"
        )));
    }
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM leaderboard_record WHERE leaderboard_id = ?1 AND expiry_time = ?2
         ORDER BY {} LIMIT 1 OFFSET ?3",
        lb.order_by(false)
    );
    let record = c
        .query_row(&sql, pg_params![id, expiry, before - 1], |r| {
            record_from_row(id, expiry, r)
        })
        .optional()
        .map_err(internal)?
        .ok_or_else(|| {
            failed(format!(
                "rank entry {before} not found for leaderboard {id:?} with expiry {expiry}"
            ))
        })?;
    let mut cursor = Cursor::at(true, id, expiry, &record);
    cursor.rank = before;
    Ok(cursor.encode())
}

pub(super) fn count_records(c: &Connection, id: &str, expiry: i64) -> Result<i64, CallError> {
    c.query_row(
        "SELECT count(*) FROM leaderboard_record WHERE leaderboard_id = ?1 AND expiry_time = ?2",
        pg_params![id, expiry],
        |r| r.get(0),
    )
    .map_err(internal)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::db::pg::Refused;
    use crate::db::{Clock, Db};

    const A: &str = "00000000-0000-4000-8000-00000000000a";
    const B: &str = "00000000-0000-4000-8000-00000000000b";

    /// A connection whose clock the test holds.
    fn db() -> (Conn, Clock) {
        let clock = Clock::system();
        let d = Db::open_with_clock(":memory:", clock.clone()).unwrap();
        let conn = Arc::try_unwrap(d.conn).ok().unwrap().into_inner().unwrap();
        (conn, clock)
    }

    fn submit(
        c: &mut Conn,
        caller: Caller<'_>,
        id: &str,
        owner: &str,
        score: i64,
    ) -> Result<api::LeaderboardRecord, CallError> {
        write(
            c,
            caller,
            Write {
                id,
                owner_id: owner,
                username: "",
                score,
                subscore: 0,
                metadata: None,
                operator: None,
            },
        )
    }

    fn owners(list: &api::LeaderboardRecordList) -> Vec<(&str, i64, i64)> {
        list.records
            .iter()
            .map(|r| (r.owner_id.as_str(), r.score, r.rank))
            .collect()
    }

    #[test]
    fn schedules_are_read_with_nakamas_field_counts() {
        let noon = 1_767_268_800; // 2026-01-01T12:00:00Z, a Thursday
        let next = |text: &str| read_cron(text).and_then(|c| next_at(&c, noon));
        // Five fields; a year after them; seconds before and a year after.
        assert_eq!(next("30 12 * * *"), Some(noon + 1_800));
        assert_eq!(next("30 12 * * * 2027"), Some(noon + 1_800 + 365 * 86_400));
        assert_eq!(next("15 30 12 * * * *"), Some(noon + 1_815));
        assert_eq!(next("15 30 12 * * * * ignored"), Some(noon + 1_815));
        assert_eq!(next(" @daily "), Some(noon + 12 * 3_600));
        // Only the years 1970 to 2099 (a step is not a year).
        assert_eq!(next("30 12 * * * 2026-2030/2"), Some(noon + 1_800));
        let annually = read_cron("@annually").unwrap();
        assert_eq!(prev_at(&annually, 0), None);
        assert_eq!(next_at(&annually, 4_102_444_799), None);
        for bad in [
            "",
            "* * * *",
            "every day",
            "61 * * * *",
            "0 0 1 1 * 1969",
            "0 0 1 1 * 2100",
        ] {
            let refused = parse_schedule(bad).unwrap_err();
            assert_eq!(
                refused.message, "expects reset schedule to be a valid CRON expression",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_reset_schedule_starts_a_new_period_and_the_old_one_stays_listable() {
        let (mut c, clock) = db();
        clock.set(1_767_268_800); // 2026-01-01T12:00:00Z, a Thursday
        create(
            &c,
            &nk::LeaderboardCreateArgs {
                id: "daily".into(),
                reset_schedule: "0 0 * * *".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let first = submit(&mut c, Caller::Server, "daily", A, 10).unwrap();
        let midnight = 1_767_312_000; // 2026-01-02T00:00:00Z
        assert_eq!(first.expiry_time.as_deref(), Some("2026-01-02T00:00:00Z"));

        clock.advance(86_400);
        let now = list(&c, "daily", &[], Some(10), "", 0).unwrap();
        assert!(now.records.is_empty(), "a new day lists no records");
        let again = submit(&mut c, Caller::Server, "daily", A, 3).unwrap();
        assert_eq!(
            (again.score, again.num_score),
            (3, 1),
            "a record of its own"
        );
        assert_eq!(again.expiry_time.as_deref(), Some("2026-01-03T00:00:00Z"));
        let before = list(&c, "daily", &[], Some(10), "", midnight).unwrap();
        assert_eq!(
            owners(&before),
            [(A, 10, 1)],
            "the past period by its expiry"
        );
    }

    #[test]
    fn clients_may_not_touch_an_authoritative_leaderboard_but_the_server_may() {
        let (mut c, _) = db();
        let args = nk::LeaderboardCreateArgs {
            id: "auth".into(),
            authoritative: true,
            ..Default::default()
        };
        create(&c, &args).unwrap();
        let refused = submit(&mut c, Caller::Client(A), "auth", A, 1).unwrap_err();
        assert_eq!(
            (refused.code, refused.message.as_str()),
            (Code::PermissionDenied, AUTHORITATIVE)
        );
        submit(&mut c, Caller::Server, "auth", A, 1).unwrap();
        let refused = delete_record(&c, Caller::Client(A), "auth", A).unwrap_err();
        assert_eq!(refused.code, Code::PermissionDenied);
        delete_record(&c, Caller::Server, "auth", A).unwrap();
    }

    #[test]
    fn ties_rank_by_subscore_then_owner_id_in_the_leaderboard_order() {
        let (mut c, _) = db();
        for (id, sort) in [
            ("down", SortOrder::Descending),
            ("up", SortOrder::Ascending),
        ] {
            create(
                &c,
                &nk::LeaderboardCreateArgs {
                    id: id.into(),
                    sort_order: sort,
                    enable_ranks: true,
                    ..Default::default()
                },
            )
            .unwrap();
            submit(&mut c, Caller::Server, id, A, 5).unwrap();
            submit(&mut c, Caller::Server, id, B, 5).unwrap();
        }
        // Same score and subscore: the greater owner id first when
        // descending, the smaller when ascending (Nakama's rank cache).
        let down = list(&c, "down", &[], Some(10), "", 0).unwrap();
        assert_eq!(owners(&down), [(B, 5, 1), (A, 5, 2)]);
        let up = list(&c, "up", &[A.to_string()], Some(10), "", 0).unwrap();
        assert_eq!(owners(&up), [(A, 5, 1), (B, 5, 2)]);
        assert_eq!(up.owner_records[0].rank, 1);
        assert_eq!(up.rank_count, 2);
    }

    #[test]
    fn a_negative_score_is_refused_but_for_a_decrement_which_adds_it() {
        let (mut c, _) = db();
        let args = nk::LeaderboardCreateArgs {
            id: "down".into(),
            operator: nk::Operator::Decrement,
            ..Default::default()
        };
        create(&c, &args).unwrap();
        let mut decrement = |score| {
            let w = Write {
                id: "down",
                owner_id: A,
                username: "",
                score,
                subscore: 0,
                metadata: None,
                operator: None,
            };
            write(&mut c, Caller::Server, w).map(|r| (r.score, r.num_score))
        };
        assert_eq!(
            decrement(-3).unwrap(),
            (0, 1),
            "a first decrement records 0"
        );
        assert_eq!(decrement(-3).unwrap(), (3, 2));
        assert_eq!(decrement(5).unwrap(), (0, 3), "never below 0");
        let by_default = submit(&mut c, Caller::Server, "down", B, -1).map(|r| r.score);
        assert_eq!(by_default, Ok(0), "the leaderboard's operator decrements");
        create(
            &c,
            &nk::LeaderboardCreateArgs {
                id: "best".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let refused = submit(&mut c, Caller::Server, "best", A, -1).unwrap_err();
        assert_eq!(refused.code, Code::Internal);
    }

    #[test]
    fn a_sum_outside_bigint_fails_in_postgresqls_words_and_changes_nothing() {
        let (mut c, _) = db();
        let args = nk::LeaderboardCreateArgs {
            id: "up".into(),
            operator: nk::Operator::Increment,
            ..Default::default()
        };
        create(&c, &args).unwrap();
        let mut write_op = |operator, score, subscore| {
            let w = Write {
                id: "up",
                owner_id: A,
                username: "",
                score,
                subscore,
                metadata: None,
                operator,
            };
            write(&mut c, Caller::Server, w).map(|r| (r.score, r.subscore, r.num_score))
        };
        assert_eq!(write_op(None, i64::MAX, 0), Ok((i64::MAX, 0, 1)));
        let words = Err(err(Code::Internal, Refused::OutOfRange.to_string()));
        assert_eq!(write_op(None, 1, 0), words, "score");
        assert_eq!(write_op(None, 0, 1), Ok((i64::MAX, 1, 2)));
        assert_eq!(write_op(None, 0, i64::MAX), words, "subscore");
        let decrement = Some(Operator::Decrement);
        assert_eq!(write_op(decrement, 1, 0), Ok((i64::MAX - 1, 1, 3)));
        // A negative decrement adds; PostgreSQL computes the difference
        // before GREATEST(.., 0) could stop it.
        assert_eq!(write_op(decrement, -2, 0), words, "a decrement by -2");
        assert_eq!(write_op(decrement, i64::MIN, 0), words, "by i64::MIN");
        assert_eq!(write_op(decrement, -1, 0), Ok((i64::MAX, 1, 4)));
        let best = Some(Operator::Best);
        assert_eq!(
            write_op(best, i64::MAX, i64::MAX),
            Ok((i64::MAX, i64::MAX, 5))
        );
    }

    #[test]
    fn deleting_a_leaderboard_deletes_its_records() {
        let (mut c, _) = db();
        let gone = nk::LeaderboardCreateArgs {
            id: "gone".into(),
            ..Default::default()
        };
        create(&c, &gone).unwrap();
        submit(&mut c, Caller::Server, "gone", A, 1).unwrap();
        delete(&c, "gone").unwrap();
        create(&c, &gone).unwrap();
        let list = list(&c, "gone", &[], Some(10), "", 0).unwrap();
        assert!(list.records.is_empty(), "{list:?}");
    }

    #[test]
    fn a_database_of_schema_version_1_gains_the_leaderboard_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let path = path.to_str().unwrap();
        drop(Db::open(path).unwrap());
        {
            let old = rusqlite::Connection::open(path).unwrap();
            old.execute_batch(
                "DROP TABLE leaderboard_record; DROP TABLE leaderboard;
                 DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (1);",
            )
            .unwrap();
        }
        let d = Db::open(path).unwrap();
        let c = d.conn.lock().unwrap();
        create(
            &c,
            &nk::LeaderboardCreateArgs {
                id: "new".into(),
                ..Default::default()
            },
        )
        .unwrap();
    }
}
