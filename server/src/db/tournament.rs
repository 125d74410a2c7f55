//! Tournaments: Nakama's semantics (server/core_tournament.go and the
//! tournament part of leaderboard_cache.go) on SQLite.
//!
//! A tournament is a leaderboard (its row in `leaderboard`, its records in
//! `leaderboard_record`) with a row in `tournament`: title, description,
//! category, start and end time, duration, max size and number of scores,
//! join requirement and its current size. Its records belong to a period
//! as a leaderboard's do, but the period is the tournament's: it starts at
//! `start_time` or a time of the reset schedule, accepts scores for
//! `duration` seconds (its "active" part), and its records expire at the
//! next reset or at `end_time` ([`Window::deadlines`]).

use nakama_runtime_host::abi::api;
use nakama_runtime_host::abi::nk::{self, Operator, SortOrder};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::CallError;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::leaderboard::{self as lb, Leaderboard};
use super::pg::Refused;
use super::{
    encodable_time, err, internal, jsonb_text, pg_params, rfc3339, Caller, Conn, Jsonb, Varchar,
};

/// Tables added in schema version 6.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tournament (
    id TEXT PRIMARY KEY REFERENCES leaderboard(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL,
    duration INTEGER NOT NULL,
    max_size INTEGER NOT NULL,
    max_num_score INTEGER NOT NULL,
    join_required INTEGER NOT NULL,
    size INTEGER NOT NULL DEFAULT 0
);
";

/// Nakama's (nakama-common's) messages, as its nk functions answer them.
pub const NOT_FOUND: &str = "tournament not found";
pub const AUTHORITATIVE: &str = "tournament only allows authoritative submissions";
pub const MAX_SIZE_REACHED: &str = "tournament max size reached";
pub const OUTSIDE_DURATION: &str = "tournament outside of duration";
pub const MAX_NUM_SCORE_REACHED: &str = "max number score count reached";
pub const JOIN_REQUIRED: &str = "required to join before writing tournament record";
/// Creating a tournament under a plain leaderboard's id.
pub const ID_IN_USE: &str = "cannot create tournament as leaderboard is already in use";
/// An end time not after the first reset.
pub const END_BEFORE_FIRST_RESET: &str = "tournament end time cannot be before first reset schedule - either increase end time or change/disable reset schedule";
/// A `tournament_list` cursor not made by it.
pub const BAD_LIST_CURSOR: &str = "expects cursor to be valid when provided";

/// Nakama's max size of a tournament created without one (no limit).
const NO_MAX_SIZE: i64 = i32::MAX as i64;
/// Nakama's number of scores per owner when created without one.
const DEFAULT_MAX_NUM_SCORE: i64 = 1_000_000;

fn not_found() -> CallError {
    err(Code::NotFound, NOT_FOUND)
}

fn outside() -> CallError {
    err(Code::FailedPrecondition, OUTSIDE_DURATION)
}

/// A tournament's times (Unix seconds; `end` 0: it never ends).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub start: i64,
    pub end: i64,
    pub duration: i64,
}

/// The period a time falls in (or the next one, before it starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// When it starts accepting scores.
    pub start_active: i64,
    /// When it stops accepting scores.
    pub end_active: i64,
    /// When its records expire (the next period starts); 0: never.
    pub expiry: i64,
}

impl Window {
    /// Nakama's `calculateTournamentDeadlines`.
    pub fn deadlines(&self, reset: Option<&croner::Cron>, now: i64) -> Deadlines {
        let Some(cron) = reset else {
            let mut end_active = self.start + self.duration;
            if self.end > 0 && end_active > self.end {
                end_active = self.end;
            }
            return Deadlines {
                start_active: self.start,
                end_active,
                expiry: self.end,
            };
        };
        let next = |t: i64| lb::next_reset(cron, t);
        let mut start_active = if now < self.start {
            next(self.start)
        } else if next(now - 1) == now {
            now
        } else {
            lb::prev_reset(cron, now)
        };
        let mut end_active = start_active + self.duration;
        let mut expiry = next(start_active);
        end_active = end_active.min(expiry);
        if self.start > end_active {
            // Started after this period's active part: the first period
            // is the one after the start.
            start_active = next(self.start);
            expiry = next(start_active);
            end_active = (start_active + self.duration).min(expiry);
        } else if self.start > start_active {
            start_active = self.start;
        }
        if self.end > 0 && expiry > self.end {
            expiry = self.end;
            end_active = end_active.min(expiry);
        }
        Deadlines {
            start_active,
            end_active,
            expiry,
        }
    }
}

/// Where Nakama answers a tournament from, which decides a few fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// `tournaments_get_id`, no max size (from its cache): size 0 and no
    /// join requirement.
    ById,
    /// `tournaments_get_id`, a max size (from its table): no authoritative
    /// flag and no join requirement.
    ByIdSized,
    /// `tournament_list` and the client's list: every field.
    Listed,
}

/// Everything stored about a tournament.
struct Row {
    lb: Leaderboard,
    window: Window,
    title: String,
    description: String,
    category: i64,
    max_size: i64,
    max_num_score: i64,
    join_required: bool,
    size: i64,
    metadata: String,
    create_time: i64,
}

impl Row {
    fn has_max_size(&self) -> bool {
        self.max_size != NO_MAX_SIZE
    }

    fn deadlines(&self, now: i64) -> Deadlines {
        self.window.deadlines(self.lb.reset.as_ref(), now)
    }

    /// Whether Nakama can encode the tournament's start and end times
    /// ([`encodable_time`]).
    fn encodable(&self) -> Result<(), CallError> {
        encodable_time(self.window.start)?;
        if self.window.end > 0 {
            encodable_time(self.window.end)?;
        }
        Ok(())
    }

    /// The tournament as Nakama answers it in `view`.
    fn to_api(&self, id: &str, now: i64, view: View) -> api::Tournament {
        let d = self.deadlines(now);
        let size = if self.has_max_size() { self.size } else { 0 };
        let mut can_enter = !(d.start_active > now || (d.end_active != 0 && d.end_active < now));
        if view != View::ById && size >= self.max_size {
            can_enter = false;
        }
        let prev_reset = match &self.lb.reset {
            Some(cron) if self.window.start <= now => lb::prev_reset(cron, now),
            _ => 0,
        };
        // Go's uint32 conversions, which keep the low 32 bits.
        let u32_of = |v: i64| v as u32;
        api::Tournament {
            id: id.to_string(),
            title: self.title.clone(),
            description: self.description.clone(),
            category: u32_of(self.category),
            sort_order: match self.lb.sort {
                SortOrder::Ascending => 0,
                SortOrder::Descending => 1,
            },
            size: u32_of(size),
            max_size: u32_of(self.max_size),
            max_num_score: u32_of(self.max_num_score),
            can_enter,
            end_active: u32_of(d.end_active),
            next_reset: u32_of(d.expiry),
            metadata: self.metadata.clone(),
            create_time: Some(rfc3339(self.create_time)),
            start_time: Some(rfc3339(self.window.start)),
            end_time: (self.window.end > 0).then(|| rfc3339(self.window.end)),
            duration: u32_of(self.window.duration),
            start_active: u32_of(d.start_active),
            prev_reset: u32_of(prev_reset),
            operator: self.lb.operator.api_number(),
            authoritative: view != View::ByIdSized && self.lb.authoritative,
            join_required: view == View::Listed && self.join_required,
        }
    }
}

fn read(c: &Connection, id: &str) -> Result<Option<Row>, CallError> {
    let Some(lb) = lb::get(c, id)? else {
        return Ok(None);
    };
    let Some(window) = lb.tournament else {
        return Ok(None);
    };
    type Columns = (String, String, i64, i64, i64, bool, i64, String, i64);
    let columns: Columns = c
        .query_row(
            "SELECT t.title, t.description, t.category, t.max_size, t.max_num_score,
                    t.join_required, t.size, l.metadata, l.create_time
             FROM tournament t JOIN leaderboard l ON l.id = t.id WHERE t.id = ?1",
            pg_params![id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            },
        )
        .map_err(internal)?;
    let (
        title,
        description,
        category,
        max_size,
        max_num_score,
        join_required,
        size,
        metadata,
        create_time,
    ) = columns;
    Ok(Some(Row {
        lb,
        window,
        title,
        description,
        category,
        max_size,
        max_num_score,
        join_required,
        size,
        metadata,
        create_time,
    }))
}

/// A tournament as the scheduler hands it to its callbacks: every field,
/// as it was at `now`, with that period's end of activity and reset.
pub(super) fn call_at(
    c: &Connection,
    id: &str,
    now: i64,
) -> Result<Option<nakama_runtime_host::abi::scheduler::TournamentCall>, CallError> {
    Ok(read(c, id)?.map(|t| {
        let d = t.deadlines(now);
        nakama_runtime_host::abi::scheduler::TournamentCall {
            end: d.end_active,
            reset: d.expiry,
            tournament: t.to_api(id, now, View::Listed),
        }
    }))
}

fn existing(c: &Connection, id: &str) -> Result<Row, CallError> {
    read(c, id)?.ok_or_else(not_found)
}

/// Nakama's `checkTournamentConfig` past the nk function's own checks:
/// an end time must come after the first reset.
fn check_config(a: &nk::TournamentCreateArgs) -> Result<Option<croner::Cron>, CallError> {
    if a.reset_schedule.is_empty() {
        return Ok(None);
    }
    let cron = lb::parse_schedule(&a.reset_schedule)?;
    let first = lb::next_reset(&cron, a.start_time);
    if a.end_time > 0 && a.end_time <= first {
        return Err(err(Code::InvalidArgument, END_BEFORE_FIRST_RESET));
    }
    Ok(Some(cron))
}

/// `tournament_create`: creating an existing tournament's id changes
/// nothing; a plain leaderboard's id is refused.
pub fn create(c: &mut Conn, a: &nk::TournamentCreateArgs) -> Result<(), CallError> {
    check_config(a)?;
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    if let Some(existing) = lb::get(&tx, &a.id)? {
        if existing.tournament.is_some() {
            return Ok(());
        }
        return Err(err(Code::AlreadyExists, ID_IN_USE));
    }
    tx.execute(
        "INSERT INTO leaderboard
             (id, authoritative, sort_order, operator, reset_schedule, metadata, enable_ranks, create_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        pg_params![
            Varchar(128, &a.id),
            a.authoritative,
            lb::word(a.sort_order),
            lb::word(a.operator),
            Varchar(64, &a.reset_schedule),
            // As PostgreSQL's JSONB gives it back: Nakama answers a
            // tournament's metadata from its table.
            Jsonb(&jsonb_text(&serde_json::Value::Object(a.metadata.clone()))),
            a.enable_ranks,
            now
        ],
    )
    .map_err(internal)?;
    let start = if a.start_time > 0 { a.start_time } else { now };
    let max_size = if a.max_size == 0 {
        NO_MAX_SIZE
    } else {
        i64::from(a.max_size)
    };
    let max_num_score = if a.max_num_score > 0 {
        i64::from(a.max_num_score)
    } else {
        DEFAULT_MAX_NUM_SCORE
    };
    tx.execute(
        "INSERT INTO tournament (id, title, description, category, start_time, end_time, duration,
             max_size, max_num_score, join_required)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        pg_params![
            a.id,
            Varchar(255, &a.title),
            Varchar(255, &a.description),
            a.category,
            start,
            a.end_time.max(0),
            a.duration,
            max_size,
            max_num_score,
            a.join_required
        ],
    )
    .map_err(internal)?;
    tx.commit().map_err(internal)
}

/// The end time (0: none) of the tournament `id`, 0 for a plain
/// leaderboard's id, `None` when neither has it (the client's write looks
/// the id up so before writing, as Nakama does).
pub fn end_time_of(c: &Connection, id: &str) -> Result<Option<i64>, CallError> {
    Ok(lb::get(c, id)?.map(|l| l.tournament.map_or(0, |w| w.end)))
}

/// `tournament_delete`: the tournament and its records; an unknown id or
/// a plain leaderboard's is not an error (and the leaderboard stays).
pub fn delete(c: &Conn, id: &str) -> Result<(), CallError> {
    if read(c, id)?.is_some() {
        c.execute("DELETE FROM leaderboard WHERE id = ?1", pg_params![id])
            .map_err(internal)?;
        lb::forget_rank_caches(c, id)?;
    }
    Ok(())
}

/// `tournament_add_attempt`: changes the owner's allowed number of scores
/// in the current period (nothing when the owner has no record). Nakama's
/// UPDATE of that INT column, which must stay above 0, fails for a sum
/// outside either bound; Nakama logs it and answers success, so such a
/// failure comes back as `Ok(Some(error))`, nothing changed, for the
/// caller to log.
pub fn add_attempt(
    c: &Conn,
    id: &str,
    owner_id: &str,
    count: i32,
) -> Result<Option<CallError>, CallError> {
    let t = existing(c, id)?;
    let now = c.now();
    let d = t.deadlines(now);
    if d.end_active <= now {
        return Err(outside());
    }
    let owner_id = lb::canonical(owner_id);
    let allowed: Option<i64> = c
        .query_row(
            "SELECT max_num_score FROM leaderboard_record
             WHERE leaderboard_id = ?1 AND owner_id = ?2 AND expiry_time = ?3",
            pg_params![id, owner_id, d.expiry],
            |r| r.get(0),
        )
        .optional()
        .map_err(internal)?;
    let Some(allowed) = allowed else {
        return Ok(None);
    };
    let sum = allowed + i64::from(count);
    if i32::try_from(sum).is_err() {
        return Ok(Some(err(
            Code::Internal,
            "ERROR: integer out of range (SQLSTATE 22003)",
        )));
    }
    if sum <= 0 {
        return Ok(Some(err(
            Code::Internal,
            "ERROR: new row for relation \"leaderboard_record\" violates check constraint \"leaderboard_record_max_num_score_check\" (SQLSTATE 23514)",
        )));
    }
    c.execute(
        "UPDATE leaderboard_record SET max_num_score = ?1
         WHERE leaderboard_id = ?2 AND owner_id = ?3 AND expiry_time = ?4",
        pg_params![sum, id, owner_id, d.expiry],
    )
    .map_err(internal)?;
    Ok(None)
}

/// `tournament_join` and the client's join: an empty record (score 0, no
/// scores yet) for the owner in the current period, counted in the size.
/// Nothing happens for a tournament that does not ask for joining.
pub fn join(c: &mut Conn, id: &str, owner_id: &str, username: &str) -> Result<(), CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let t = existing(&tx, id)?;
    if !t.join_required {
        return Ok(());
    }
    let d = t.deadlines(now);
    if d.end_active <= now {
        return Err(outside());
    }
    let inserted = tx
        .execute(
            "INSERT INTO leaderboard_record (leaderboard_id, owner_id, username, score, subscore,
                 num_score, max_num_score, metadata, create_time, update_time, expiry_time)
             VALUES (?1, ?2, ?3, 0, 0, 0, ?4, '{}', ?5, ?5, ?6)
             ON CONFLICT DO NOTHING",
            pg_params![
                id,
                lb::canonical(owner_id),
                Varchar(128, &username),
                t.max_num_score,
                now,
                d.expiry
            ],
        )
        .map_err(internal)?;
    if inserted == 1 && t.has_max_size() && !grow(&tx, id)? {
        return Err(err(Code::FailedPrecondition, MAX_SIZE_REACHED));
    }
    if inserted == 1 && t.lb.enable_ranks {
        lb::note_rank_cache(&tx, id, d.expiry)?;
    }
    tx.commit().map_err(internal)
}

/// One more owner in a tournament with a max size; false when it is full.
fn grow(c: &Connection, id: &str) -> Result<bool, CallError> {
    let changed = c
        .execute(
            "UPDATE tournament SET size = size + 1 WHERE id = ?1 AND size < max_size",
            pg_params![id],
        )
        .map_err(internal)?;
    Ok(changed == 1)
}

/// `tournaments_get_id`: each tournament once; unknown ids and plain
/// leaderboards are left out. As in Nakama, tournaments with a max size
/// come after the others, with their size, without their authoritative
/// flag, and (all of them) without their join requirement.
pub fn get_many(c: &Conn, ids: &[String]) -> Result<Vec<api::Tournament>, CallError> {
    let now = c.now();
    let mut seen = std::collections::HashSet::new();
    let (mut out, mut sized) = (Vec::new(), Vec::new());
    for id in ids {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let Some(t) = read(c, id)? else {
            continue;
        };
        if t.has_max_size() {
            sized.push((t.to_api(id, now, View::ByIdSized), t));
        } else {
            out.push((t.to_api(id, now, View::ById), t));
        }
    }
    out.extend(sized);
    out.iter().try_for_each(|(_, t)| t.encodable())?;
    Ok(out.into_iter().map(|(api, _)| api).collect())
}

/// Where a tournament list goes on: after this tournament.
#[derive(Serialize, Deserialize)]
struct ListCursor {
    tournament: String,
}

/// `tournament_list` (its checks are the caller's): Nakama's filters and
/// order (start time, end time latest first, category, id).
pub fn list(c: &Conn, a: &nk::TournamentListArgs) -> Result<api::TournamentList, CallError> {
    use base64::Engine as _;
    let after = if a.cursor.is_empty() {
        None
    } else {
        let cursor = base64::engine::general_purpose::URL_SAFE
            .decode(&a.cursor)
            .ok()
            .and_then(|b| serde_json::from_slice::<ListCursor>(&b).ok())
            .ok_or_else(|| err(Code::InvalidArgument, BAD_LIST_CURSOR))?;
        Some(cursor.tournament)
    };
    let now = c.now();
    let ids: Vec<String> = c
        .prepare(
            "SELECT id FROM tournament
             WHERE category >= ?1 AND category <= ?2 AND start_time >= ?3
             ORDER BY start_time ASC,
                      CASE WHEN end_time = 0 THEN 0 ELSE 1 END DESC, end_time DESC,
                      category ASC, id ASC",
        )
        .and_then(|mut s| {
            s.query_map(
                pg_params![a.category_start, a.category_end, a.start_time],
                |r| r.get(0),
            )?
            .collect()
        })
        .map_err(internal)?;
    let mut skipping = after.is_some();
    let mut out = api::TournamentList::default();
    for id in ids {
        if skipping {
            skipping = after.as_deref() != Some(id.as_str());
            continue;
        }
        let Some(t) = read(c, &id)? else { continue };
        let end = t.window.end;
        let skip = match a.end_time {
            0 => end != 0,
            -1 => end != 0 && end < now,
            limit => end == 0 || end > limit,
        };
        if skip {
            continue;
        }
        if out.tournaments.len() >= a.limit.max(0) as usize {
            let last = out
                .tournaments
                .last()
                .map(|t| t.id.clone())
                .unwrap_or_default();
            let json = serde_json::to_vec(&ListCursor { tournament: last }).unwrap_or_default();
            out.cursor = base64::engine::general_purpose::URL_SAFE.encode(json);
            break;
        }
        t.encodable()?;
        out.tournaments.push(t.to_api(&id, now, View::Listed));
    }
    Ok(out)
}

/// The period asked for: `expiry` 0 is the current one, `None` when it
/// has expired (no records to list).
fn listed_period(t: &Row, expiry: i64, now: i64) -> Option<i64> {
    if expiry != 0 {
        return Some(expiry);
    }
    let current = t.deadlines(now).expiry;
    (current == 0 || current > now).then_some(current)
}

/// `tournament_records_list` and the client's list: refused once the
/// tournament has ended (unless a past period is asked for).
pub fn records_list(
    c: &Conn,
    id: &str,
    owner_ids: &[String],
    limit: Option<i32>,
    cursor: &str,
    expiry: i64,
) -> Result<api::TournamentRecordList, CallError> {
    let t = existing(c, id)?;
    let now = c.now();
    if expiry == 0 && t.window.end > 0 && t.window.end <= now {
        return Err(outside());
    }
    let Some(period) = listed_period(&t, expiry, now) else {
        return Ok(api::TournamentRecordList::default());
    };
    let l = lb::list(c, id, owner_ids, limit, cursor, period)?;
    Ok(api::TournamentRecordList {
        records: l.records,
        owner_records: l.owner_records,
        next_cursor: l.next_cursor,
        prev_cursor: l.prev_cursor,
        rank_count: l.rank_count,
    })
}

/// `tournament_records_haystack` and the client's list around an owner.
/// As in Nakama, an unknown tournament is "leaderboard not found" here,
/// and the previous cursor is the next one.
pub fn haystack(
    c: &Conn,
    id: &str,
    owner_id: &str,
    limit: i32,
    cursor: &str,
    expiry: i64,
) -> Result<api::TournamentRecordList, CallError> {
    let t = read(c, id)?.ok_or_else(|| err(Code::NotFound, lb::NOT_FOUND))?;
    let Some(period) = listed_period(&t, expiry, c.now()) else {
        return Ok(api::TournamentRecordList::default());
    };
    let l = lb::haystack(c, id, owner_id, limit, cursor, period)?;
    Ok(api::TournamentRecordList {
        records: l.records,
        owner_records: Vec::new(),
        prev_cursor: l.next_cursor.clone(),
        next_cursor: l.next_cursor,
        rank_count: l.rank_count,
    })
}

/// One submission: a leaderboard's (the checks of the nk function or
/// route are the caller's).
pub use super::leaderboard::Write;

/// The submission of `tournament_record_write`: as a leaderboard's, but no
/// metadata is `{}`, as Nakama's nk function sends it.
pub fn write_from_nk(a: &nk::LeaderboardRecordWriteArgs) -> Write<'_> {
    Write {
        metadata: Some(
            a.metadata
                .as_ref()
                .map_or_else(|| "{}".into(), |m| jsonb_text(&m.clone().into())),
        ),
        ..Write::from_nk(a)
    }
}

/// The checks of [`write()`] before it reads the operator: the tournament
/// exists, `caller` may write to it, and it is active.
pub fn check_writer(c: &Conn, caller: Caller<'_>, id: &str) -> Result<(), CallError> {
    writable(c, caller, id, c.now()).map(|_| ())
}

fn writable(
    c: &Connection,
    caller: Caller<'_>,
    id: &str,
    now: i64,
) -> Result<(Row, Deadlines), CallError> {
    let t = existing(c, id)?;
    if t.lb.authoritative && matches!(caller, Caller::Client(_)) {
        return Err(err(Code::PermissionDenied, AUTHORITATIVE));
    }
    let d = t.deadlines(now);
    if d.start_active > now || d.end_active <= now {
        return Err(outside());
    }
    Ok((t, d))
}

/// Submits a score in the active period. Every submission counts towards
/// the owner's number of scores, whether or not it changes the record.
pub fn write(
    c: &mut Conn,
    caller: Caller<'_>,
    w: Write<'_>,
) -> Result<api::LeaderboardRecord, CallError> {
    let now = c.now();
    let tx = c.transaction().map_err(internal)?;
    let (t, d) = writable(&tx, caller, w.id, now)?;
    let operator = w.operator.unwrap_or(t.lb.operator);
    let username = (!w.username.is_empty()).then_some(w.username);
    let owner_id = lb::canonical(w.owner_id);
    let before = lb::read_record(&tx, w.id, d.expiry, &owner_id)?;
    // The new pair of an existing record, as Nakama's SQL makes it.
    let combined = |old: &api::LeaderboardRecord| {
        lb::combine(
            operator,
            t.lb.sort,
            (old.score, old.subscore),
            (w.score, w.subscore),
        )
    };
    let update = |new: (Option<i64>, Option<i64>)| {
        lb::update_record(&tx, &w, d.expiry, &owner_id, new, now).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                lb::negative_score(new.0.unwrap_or_default())
            }
            e => internal(e),
        })
    };
    if t.join_required {
        // The owner's record comes from joining; a submission past the
        // owner's number of scores changes nothing (Nakama answers the
        // record as it was).
        let Some(old) = before else {
            return Err(err(Code::FailedPrecondition, JOIN_REQUIRED));
        };
        // Nakama's UPDATE binds its parameters even when its condition on
        // the number of scores leaves the record as it was.
        lb::check_text(&owner_id, &username, &w.metadata)?;
        if old.max_num_score == 0 || i64::from(old.num_score) < i64::from(old.max_num_score) {
            update(combined(&old))?;
        }
    } else {
        // Nakama inserts this row or, for an existing record, updates that
        // instead; PostgreSQL checks the row first, so a negative score
        // fails either way (a decrement's row holds 0).
        let (score, subscore) = match operator {
            Operator::Decrement => (0, 0),
            _ => (w.score, w.subscore),
        };
        lb::check_text(&owner_id, &username, &w.metadata)?;
        if score < 0 || subscore < 0 {
            return Err(lb::negative_score(score));
        }
        match &before {
            Some(old) => {
                // Nakama updates the record, then counts its scores (and
                // rolls back): a sum out of range is found first.
                let new = combined(old);
                if new.0.is_none() || new.1.is_none() {
                    return Err(err(Code::Internal, Refused::OutOfRange.to_string()));
                }
                if old.max_num_score > 0 && old.num_score as i64 + 1 > i64::from(old.max_num_score)
                {
                    return Err(err(Code::FailedPrecondition, MAX_NUM_SCORE_REACHED));
                }
                update(new)?;
            }
            None => {
                tx.execute(
                    "INSERT INTO leaderboard_record (leaderboard_id, owner_id, username, score, subscore,
                         num_score, max_num_score, metadata, create_time, update_time, expiry_time)
                     VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?8, ?9)",
                    pg_params![
                        w.id,
                        owner_id,
                        Varchar(128, &username),
                        score,
                        subscore,
                        t.max_num_score,
                        Jsonb(&w.metadata.as_deref().unwrap_or("{}")),
                        now,
                        d.expiry
                    ],
                )
                .map_err(internal)?;
            }
        }
        // A first submission (or the first after joining) counts the
        // owner in the size.
        let first = before.as_ref().is_none_or(|old| old.num_score == 0);
        if t.has_max_size() && first && !grow(&tx, w.id)? {
            return Err(err(Code::FailedPrecondition, MAX_SIZE_REACHED));
        }
    }
    let mut record = lb::read_record(&tx, w.id, d.expiry, &owner_id)?
        .ok_or_else(|| err(Code::Internal, "tournament record vanished while written"))?;
    if t.lb.enable_ranks {
        record.rank = lb::rank_of(&tx, &t.lb, d.expiry, &record)?;
        lb::note_rank_cache(&tx, w.id, d.expiry)?;
    }
    tx.commit().map_err(internal)?;
    // Stored, as in Nakama, whose answer then fails to encode.
    if d.expiry != 0 {
        encodable_time(d.expiry)?;
    }
    Ok(record)
}

/// `tournament_record_delete`: the owner's record of the current period,
/// if any; its owner leaves the size.
pub fn delete_record(
    c: &Conn,
    caller: Caller<'_>,
    id: &str,
    owner_id: &str,
) -> Result<(), CallError> {
    let t = existing(c, id)?;
    if t.lb.authoritative && matches!(caller, Caller::Client(_)) {
        return Err(err(Code::PermissionDenied, AUTHORITATIVE));
    }
    let expiry = t.deadlines(c.now()).expiry;
    let deleted = c
        .execute(
            "DELETE FROM leaderboard_record WHERE leaderboard_id = ?1 AND owner_id = ?2 AND expiry_time = ?3",
            pg_params![id, lb::canonical(owner_id), expiry],
        )
        .map_err(internal)?;
    if t.has_max_size() && deleted > 0 {
        c.execute(
            "UPDATE tournament SET size = size - 1 WHERE id = ?1",
            pg_params![id],
        )
        .map_err(internal)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::str::FromStr as _;
    use std::sync::Arc;

    use super::*;
    use crate::db::{Clock, Db};

    const A: &str = "00000000-0000-4000-8000-00000000000a";
    const B: &str = "00000000-0000-4000-8000-00000000000b";
    /// 2026-01-01T12:00:00Z, a Thursday.
    const NOON: i64 = 1_767_268_800;

    fn db() -> (Conn, Clock) {
        let clock = Clock::system();
        clock.set(NOON);
        let d = Db::open_with_clock(":memory:", clock.clone()).unwrap();
        let conn = Arc::try_unwrap(d.conn).ok().unwrap().into_inner().unwrap();
        (conn, clock)
    }

    fn make(c: &mut Conn, a: nk::TournamentCreateArgs) {
        create(c, &a).unwrap();
    }

    fn args(id: &str) -> nk::TournamentCreateArgs {
        nk::TournamentCreateArgs {
            id: id.into(),
            duration: 3600,
            ..Default::default()
        }
    }

    fn submit(
        c: &mut Conn,
        id: &str,
        owner: &str,
        score: i64,
    ) -> Result<api::LeaderboardRecord, CallError> {
        write(
            c,
            Caller::Server,
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

    #[test]
    fn deadlines_without_a_schedule_run_from_the_start_for_the_duration() {
        let w = Window {
            start: 100,
            end: 0,
            duration: 50,
        };
        let d = w.deadlines(None, 120);
        assert_eq!((d.start_active, d.end_active, d.expiry), (100, 150, 0));
        let capped = Window { end: 130, ..w }.deadlines(None, 120);
        assert_eq!((capped.end_active, capped.expiry), (130, 130));
    }

    #[test]
    fn deadlines_with_a_daily_schedule_are_the_days_active_hour() {
        let cron = croner::Cron::from_str("0 0 * * *").unwrap();
        let midnight = 1_767_225_600; // 2026-01-01T00:00:00Z
        let w = Window {
            start: midnight - 86_400 * 3,
            end: 0,
            duration: 3600,
        };
        let d = w.deadlines(Some(&cron), NOON);
        assert_eq!(
            (d.start_active, d.end_active, d.expiry),
            (midnight, midnight + 3600, midnight + 86_400)
        );
        // Exactly on a reset: the period starting then.
        let on = w.deadlines(Some(&cron), midnight + 86_400);
        assert_eq!(on.start_active, midnight + 86_400);
        // Before the start: the first period after it.
        let early = Window { start: NOON, ..w }.deadlines(Some(&cron), NOON - 60);
        assert_eq!(early.start_active, midnight + 86_400);
    }

    #[test]
    fn writes_count_only_inside_the_active_window() {
        let (mut c, clock) = db();
        make(
            &mut c,
            nk::TournamentCreateArgs {
                start_time: NOON + 60,
                ..args("later")
            },
        );
        let early = submit(&mut c, "later", A, 1).unwrap_err();
        assert_eq!(
            (early.code, early.message.as_str()),
            (Code::FailedPrecondition, OUTSIDE_DURATION)
        );
        clock.advance(61);
        assert_eq!(submit(&mut c, "later", A, 1).unwrap().score, 1);
        clock.advance(3600);
        let late = submit(&mut c, "later", A, 2).unwrap_err();
        assert_eq!(late.message, OUTSIDE_DURATION);
        join(&mut c, "later", A, "a")
            .expect("joining a tournament without the requirement does nothing");
    }

    #[test]
    fn join_required_max_size_and_max_num_score() {
        let (mut c, _) = db();
        make(
            &mut c,
            nk::TournamentCreateArgs {
                join_required: true,
                max_size: 1,
                max_num_score: 2,
                ..args("cup")
            },
        );
        let before = submit(&mut c, "cup", A, 5).unwrap_err();
        assert_eq!(
            (before.code, before.message.as_str()),
            (Code::FailedPrecondition, JOIN_REQUIRED)
        );
        join(&mut c, "cup", A, "a").unwrap();
        join(&mut c, "cup", A, "a").unwrap();
        let full = join(&mut c, "cup", B, "b").unwrap_err();
        assert_eq!(full.message, MAX_SIZE_REACHED);
        assert_eq!(submit(&mut c, "cup", A, 5).unwrap().num_score, 1);
        assert_eq!(submit(&mut c, "cup", A, 7).unwrap().score, 7);
        // Past max_num_score with join required: the record as it was.
        let kept = submit(&mut c, "cup", A, 9).unwrap();
        assert_eq!((kept.score, kept.num_score), (7, 2));
        add_attempt(&c, "cup", A, 1).unwrap();
        assert_eq!(submit(&mut c, "cup", A, 9).unwrap().score, 9);
        let t = get_many(&c, &["cup".into()]).unwrap();
        assert_eq!((t[0].size, t[0].max_size, t[0].can_enter), (1, 1, false));
    }

    #[test]
    fn attempts_outside_the_columns_range_change_nothing_and_say_why() {
        let (mut c, _) = db();
        make(
            &mut c,
            nk::TournamentCreateArgs {
                max_num_score: 3,
                ..args("tries")
            },
        );
        assert_eq!(add_attempt(&c, "tries", A, 1), Ok(None), "no record");
        submit(&mut c, "tries", A, 1).unwrap();
        let allowed = |c: &Conn| {
            let list = records_list(c, "tries", &[A.to_string()], Some(1), "", 0).unwrap();
            list.owner_records[0].max_num_score
        };
        let out_of_int = add_attempt(&c, "tries", A, i32::MAX).unwrap().unwrap();
        assert!(
            out_of_int.message.contains("integer out of range"),
            "{}",
            out_of_int.message
        );
        assert_eq!(allowed(&c), 3);
        assert_eq!(add_attempt(&c, "tries", A, i32::MAX - 3), Ok(None));
        assert_eq!(allowed(&c), i32::MAX as u32);
        let not_positive = add_attempt(&c, "tries", A, i32::MIN).unwrap().unwrap();
        assert!(
            not_positive
                .message
                .contains("leaderboard_record_max_num_score_check"),
            "{}",
            not_positive.message
        );
        assert_eq!(allowed(&c), i32::MAX as u32);
        assert_eq!(add_attempt(&c, "tries", A, 1 - i32::MAX), Ok(None));
        assert_eq!(allowed(&c), 1);
    }

    /// PostgreSQL reads the parameters (NULs), then makes the row's text
    /// (lengths), checks it (negative scores), and only then computes the
    /// update of an existing record (a sum out of range).
    #[test]
    fn a_write_is_refused_in_postgresqls_order() {
        let (mut c, _) = db();
        make(
            &mut c,
            nk::TournamentCreateArgs {
                operator: Operator::Increment,
                ..args("sums")
            },
        );
        let mut write_with = |score, username, metadata: Option<&str>| {
            let w = Write {
                id: "sums",
                owner_id: A,
                username,
                score,
                subscore: 0,
                metadata: metadata.map(Into::into),
                operator: None,
            };
            write(&mut c, Caller::Server, w)
                .map(|r| r.score)
                .map_err(|e| e.message)
        };
        let long = "x".repeat(129);
        let nul = Some(r#"{"n":"\u0000"}"#);
        assert_eq!(write_with(i64::MAX, "", None), Ok(i64::MAX));
        let words = |r: Refused| Err(r.to_string());
        assert_eq!(write_with(-1, &long, nul), words(Refused::JsonbNul));
        assert_eq!(write_with(-1, &long, None), words(Refused::TooLong(128)));
        assert_eq!(write_with(1, &long, None), words(Refused::TooLong(128)));
        assert_eq!(write_with(1, "a\0", None), words(Refused::Nul));
        assert!(write_with(-1, "", None)
            .unwrap_err()
            .contains("score_check"));
        assert_eq!(write_with(1, "", None), words(Refused::OutOfRange));
        assert_eq!(write_with(0, "", None), Ok(i64::MAX), "nothing changed");
    }

    #[test]
    fn without_joining_the_first_write_counts_and_max_num_score_refuses() {
        let (mut c, _) = db();
        make(
            &mut c,
            nk::TournamentCreateArgs {
                max_size: 1,
                max_num_score: 1,
                ..args("open")
            },
        );
        submit(&mut c, "open", A, 1).unwrap();
        let again = submit(&mut c, "open", A, 2).unwrap_err();
        assert_eq!(again.message, MAX_NUM_SCORE_REACHED);
        let full = submit(&mut c, "open", B, 2).unwrap_err();
        assert_eq!(full.message, MAX_SIZE_REACHED);
        delete_record(&c, Caller::Server, "open", A).unwrap();
        submit(&mut c, "open", B, 2).unwrap();
        // A negative score fails before the number of scores is counted,
        // on an existing record too.
        let negative = submit(&mut c, "open", B, -1).unwrap_err();
        assert_eq!(negative.code, Code::Internal);
    }

    /// A database with tournament `id`, its end given in milliseconds
    /// (in year 57 972), and that end.
    fn ending_in_milliseconds(id: &str) -> (Conn, i64) {
        let (mut c, _) = db();
        let end = NOON * 1000;
        make(
            &mut c,
            nk::TournamentCreateArgs {
                end_time: end,
                ..args(id)
            },
        );
        (c, end)
    }

    /// A time in milliseconds where seconds are asked for: the tournament
    /// is made, but every answer holding its end fails to encode, as
    /// Nakama's gateway and the bridge fail it (a write is kept).
    #[test]
    fn times_past_year_9999_make_answers_fail_as_nakamas_do() {
        let (mut c, end) = ending_in_milliseconds("ms");
        let words = format!("{}{end}", crate::db::TIMESTAMP_OUT_OF_RANGE);
        fn failed<T>(r: Result<T, CallError>) -> String {
            r.map(|_| ()).unwrap_err().message
        }
        assert_eq!(failed(get_many(&c, &["ms".into()])), words);
        let all = nk::TournamentListArgs {
            end_time: -1,
            ..Default::default()
        };
        assert_eq!(failed(list(&c, &all)), words);
        let none = records_list(&c, "ms", &[], Some(10), "", 0).unwrap();
        assert!(none.records.is_empty(), "no records, nothing to encode");
        assert_eq!(failed(submit(&mut c, "ms", A, 5)), words);
        let kept = lb::read_record(&c, "ms", end, A).unwrap().unwrap();
        assert_eq!(kept.score, 5, "the write was kept");
        assert_eq!(failed(records_list(&c, "ms", &[], Some(10), "", 0)), words);
        assert_eq!(failed(haystack(&c, "ms", A, 10, "", 0)), words);
        // A time Nakama encodes: year 9999.
        make(
            &mut c,
            nk::TournamentCreateArgs {
                end_time: 253_402_300_799,
                ..args("late")
            },
        );
        let late = get_many(&c, &["late".into()]).unwrap();
        assert_eq!(late[0].end_time.as_deref(), Some("9999-12-31T23:59:59Z"));
    }

    /// A leaderboard submission under a tournament's id reads no window:
    /// it writes the period of the reset schedule (0 without one), apart
    /// from the tournament's records, which the leaderboard listing finds
    /// (and cannot encode when they end past year 9999).
    #[test]
    fn leaderboard_calls_under_a_tournaments_id_follow_nakama() {
        let (mut c, end) = ending_in_milliseconds("mixed");
        let board = Write {
            id: "mixed",
            owner_id: A,
            username: "",
            score: 3,
            subscore: 0,
            metadata: None,
            operator: None,
        };
        lb::write(&mut c, Caller::Server, board).unwrap();
        assert_eq!(
            lb::read_record(&c, "mixed", 0, A).unwrap().unwrap().score,
            3
        );
        assert!(lb::read_record(&c, "mixed", end, A).unwrap().is_none());
        let listed = lb::list(&c, "mixed", &[], Some(10), "", 0).unwrap();
        assert!(listed.records.is_empty(), "the tournament's period");
        submit(&mut c, "mixed", A, 5).unwrap_err();
        let words = format!("{}{end}", crate::db::TIMESTAMP_OUT_OF_RANGE);
        let unencodable = lb::list(&c, "mixed", &[], Some(10), "", 0).unwrap_err();
        assert_eq!(unencodable.message, words);
    }

    /// The reset times Nakama answers are Go `uint32` conversions, which
    /// keep the low 32 bits.
    #[test]
    fn times_past_2106_wrap_in_the_32_bit_fields() {
        let (mut c, _) = db();
        let start = 9_223_372_036;
        make(
            &mut c,
            nk::TournamentCreateArgs {
                start_time: start,
                duration: 60,
                ..args("far")
            },
        );
        let t = &get_many(&c, &["far".into()]).unwrap()[0];
        assert_eq!(t.start_active, 633_437_444);
        assert_eq!(t.end_active, 633_437_504);
    }

    #[test]
    fn list_filters_orders_and_pages() {
        let (mut c, _) = db();
        make(
            &mut c,
            nk::TournamentCreateArgs {
                category: 2,
                ..args("b")
            },
        );
        make(
            &mut c,
            nk::TournamentCreateArgs {
                category: 1,
                ..args("a")
            },
        );
        make(
            &mut c,
            nk::TournamentCreateArgs {
                category: 1,
                end_time: NOON + 7200,
                ..args("ends")
            },
        );
        let all = nk::TournamentListArgs {
            limit: 2,
            ..Default::default()
        };
        let first = list(&c, &all).unwrap();
        let ids: Vec<_> = first.tournaments.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            ["ends", "a"],
            "same start: an end first, then category"
        );
        let rest = list(
            &c,
            &nk::TournamentListArgs {
                cursor: first.cursor.clone(),
                ..all.clone()
            },
        )
        .unwrap();
        assert_eq!(rest.tournaments.len(), 1);
        assert_eq!(rest.tournaments[0].id, "b");
        assert!(rest.cursor.is_empty());
        let no_end = list(
            &c,
            &nk::TournamentListArgs {
                start_time: 0,
                end_time: 0,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(no_end.tournaments.len(), 2);
        let bad = list(
            &c,
            &nk::TournamentListArgs {
                cursor: "x".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(bad.message, BAD_LIST_CURSOR);
    }

    #[test]
    fn a_plain_leaderboard_is_not_a_tournament_and_its_id_is_taken() {
        let (mut c, _) = db();
        lb::create(
            &c,
            &nk::LeaderboardCreateArgs {
                id: "plain".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let taken = create(&mut c, &args("plain")).unwrap_err();
        assert_eq!(taken.message, ID_IN_USE);
        assert_eq!(
            submit(&mut c, "plain", A, 1).unwrap_err().message,
            NOT_FOUND
        );
        assert!(get_many(&c, &["plain".into()]).unwrap().is_empty());
        delete(&c, "plain").unwrap();
        assert_eq!(lb::get_many(&c, &["plain".into()]).unwrap().len(), 1);
        make(&mut c, args("t"));
        assert!(lb::get_many(&c, &["t".into()]).unwrap().is_empty());
    }

    #[test]
    fn a_database_of_schema_version_3_gains_the_tournament_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let path = path.to_str().unwrap();
        drop(Db::open(path).unwrap());
        {
            let old = rusqlite::Connection::open(path).unwrap();
            old.execute_batch(
                "DROP TABLE tournament;
                 DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (3);",
            )
            .unwrap();
        }
        let d = Db::open(path).unwrap();
        let mut c = d.conn.lock().unwrap();
        create(&mut c, &args("new")).unwrap();
        assert_eq!(get_many(&c, &["new".into()]).unwrap().len(), 1);
    }
}
