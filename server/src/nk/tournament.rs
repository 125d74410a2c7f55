//! The tournament nk functions on the dev host: Nakama's argument checks
//! (its Go runtime's `Tournament*` functions, with their messages) and
//! the calls into [`crate::db::tournament`].

use nakama_runtime_host::abi::nk::{self, NkFunction as _};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError};

use super::call;
use crate::db::{tournament, Caller, Db};
use crate::log::Logger;

fn refuse(message: &str) -> Result<(), CallError> {
    Err(CallError::new(Code::InvalidArgument, message))
}

fn id(id: &str) -> Result<(), CallError> {
    if id.is_empty() {
        return refuse("expects a tournament ID string");
    }
    Ok(())
}

fn owner(owner_id: &str) -> Result<(), CallError> {
    if uuid::Uuid::parse_str(owner_id).is_err() {
        return refuse("expects owner ID to be a valid identifier");
    }
    Ok(())
}

/// An owner that may not be empty (`tournament_join`, `_add_attempt`).
fn required_owner(owner_id: &str) -> Result<(), CallError> {
    if owner_id.is_empty() {
        return refuse("expects a owner ID string");
    }
    owner(owner_id)
}

pub fn create(a: &nk::TournamentCreateArgs) -> Result<(), CallError> {
    id(&a.id)?;
    // The sort order and operator are the ABI's enums, the reset schedule
    // is read (and refused) where it is stored.
    if !(0..128).contains(&a.category) {
        return refuse("category must be 0-127");
    }
    if a.start_time < 0 {
        return refuse("startTime must be >= 0");
    }
    if a.end_time < 0 {
        return refuse("endTime must be >= 0");
    }
    if a.end_time != 0 && a.end_time < a.start_time {
        return refuse("endTime must be >= startTime");
    }
    if a.duration <= 0 {
        return refuse("duration must be > 0");
    }
    if a.max_size < 0 {
        return refuse("maxSize must be >= 0");
    }
    if a.max_num_score < 0 {
        return refuse("maxNumScore must be >= 0");
    }
    Ok(())
}

pub fn add_attempt(a: &nk::TournamentAddAttemptArgs) -> Result<(), CallError> {
    id(&a.id)?;
    required_owner(&a.owner_id)?;
    if a.count == 0 {
        return refuse("expects an attempt count number != 0");
    }
    Ok(())
}

pub fn join(a: &nk::TournamentJoinArgs) -> Result<(), CallError> {
    id(&a.id)?;
    required_owner(&a.owner_id)?;
    if a.username.is_empty() {
        return refuse("expects a username string");
    }
    Ok(())
}

pub fn list(a: &nk::TournamentListArgs) -> Result<(), CallError> {
    if !(0..128).contains(&a.category_start) {
        return refuse("categoryStart must be 0-127");
    }
    if !(0..128).contains(&a.category_end) {
        return refuse("categoryEnd must be 0-127");
    }
    if a.start_time < -1 {
        return refuse("startTime must be >= -1");
    }
    if a.end_time < -1 {
        return refuse("endTime must be >= -1");
    }
    if a.end_time < a.start_time {
        return refuse("endTime must be >= startTime");
    }
    if !(1..=100).contains(&a.limit) {
        return refuse("limit must be 1-100");
    }
    Ok(())
}

pub fn records_list(a: &nk::LeaderboardRecordsListArgs) -> Result<(), CallError> {
    if a.id.is_empty() {
        return refuse("expects a tournament ID strings");
    }
    if !a.owner_ids.iter().all(|o| uuid::Uuid::parse_str(o).is_ok()) {
        return refuse("One or more ownerIDs are invalid.");
    }
    if !(0..=10_000).contains(&a.limit) {
        return refuse("expects limit to be 0-10000");
    }
    if a.expiry < 0 {
        return refuse("expects expiry to equal or greater than 0");
    }
    Ok(())
}

pub fn record_write(a: &nk::LeaderboardRecordWriteArgs) -> Result<(), CallError> {
    id(&a.id)?;
    owner(&a.owner_id)
}

pub fn record_delete(a: &nk::LeaderboardRecordDeleteArgs) -> Result<(), CallError> {
    id(&a.id)?;
    owner(&a.owner_id)
}

pub fn records_haystack(a: &nk::LeaderboardRecordsHaystackArgs) -> Result<(), CallError> {
    id(&a.id)?;
    owner(&a.owner_id)?;
    if !(1..=100).contains(&a.limit) {
        return refuse("limit must be 1-100");
    }
    if a.expiry < 0 {
        return refuse(
            "expiry should be time since epoch in seconds and has to be a positive integer",
        );
    }
    Ok(())
}

/// Runs tournament nk function `name`; `None` when `name` is not one.
pub fn dispatch(
    db: &Db,
    log: &Logger,
    name: &str,
    args: &[u8],
) -> Option<BoxFuture<'static, Result<Vec<u8>, CallError>>> {
    Some(match name {
        nk::TournamentCreate::NAME => call::<nk::TournamentCreate>(db, args, |c, a| {
            create(&a)?;
            tournament::create(c, &a)
        }),
        nk::TournamentDelete::NAME => call::<nk::TournamentDelete>(db, args, |c, a| {
            id(&a.id)?;
            tournament::delete(c, &a.id)
        }),
        nk::TournamentAddAttempt::NAME => {
            let log = log.clone();
            call::<nk::TournamentAddAttempt>(db, args, move |c, a| {
                add_attempt(&a)?;
                // As Nakama: a count its column refuses is logged, and the
                // call answers success.
                if let Some(e) = tournament::add_attempt(c, &a.id, &a.owner_id, a.count)? {
                    log.error(
                        "Could not increment max attempt counter",
                        &[("error", e.message.into())],
                    );
                }
                Ok(())
            })
        }
        nk::TournamentJoin::NAME => call::<nk::TournamentJoin>(db, args, |c, a| {
            join(&a)?;
            tournament::join(c, &a.id, &a.owner_id, &a.username)
        }),
        nk::TournamentsGetId::NAME => {
            call::<nk::TournamentsGetId>(db, args, |c, a| tournament::get_many(c, &a.ids))
        }
        nk::TournamentList::NAME => call::<nk::TournamentList>(db, args, |c, a| {
            list(&a)?;
            tournament::list(c, &a)
        }),
        nk::TournamentRecordsList::NAME => call::<nk::TournamentRecordsList>(db, args, |c, a| {
            records_list(&a)?;
            let limit = (a.limit > 0).then_some(a.limit);
            let l = tournament::records_list(c, &a.id, &a.owner_ids, limit, &a.cursor, a.expiry)?;
            Ok(nk::LeaderboardRecordsPage {
                records: l.records,
                owner_records: l.owner_records,
                next_cursor: l.next_cursor,
                prev_cursor: l.prev_cursor,
            })
        }),
        nk::TournamentRecordWrite::NAME => call::<nk::TournamentRecordWrite>(db, args, |c, a| {
            record_write(&a)?;
            tournament::write(c, Caller::Server, tournament::write_from_nk(&a))
        }),
        nk::TournamentRecordDelete::NAME => call::<nk::TournamentRecordDelete>(db, args, |c, a| {
            record_delete(&a)?;
            tournament::delete_record(c, Caller::Server, &a.id, &a.owner_id)
        }),
        nk::TournamentRecordsHaystack::NAME => {
            call::<nk::TournamentRecordsHaystack>(db, args, |c, a| {
                records_haystack(&a)?;
                tournament::haystack(c, &a.id, &a.owner_id, a.limit, &a.cursor, a.expiry)
            })
        }
        _ => return None,
    })
}
