//! The client's tournament routes, with Nakama's checks, codes and messages
//! (server/api_tournament.go) and the modules' hooks around each:
//! `GET /v2/tournament` (list), `GET /v2/tournament/{id}` (records),
//! `POST`/`PUT /v2/tournament/{id}` (write the caller's record), `DELETE
//! /v2/tournament/{id}` (delete it), `POST /v2/tournament/{id}/join` and
//! `GET /v2/tournament/{id}/owner/{owner_id}` (records around an owner).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::nk;
use nakama_runtime_host::abi::{api, Code};

use super::leaderboard::{
    haystack_args, list_query, score_options, unencodable, InvalidOperator, ListQuery,
};
use super::{
    gateway_err, gateway_ok, query_map, query_number, query_text, read_json, run, session, App,
    RouteVars, Shared, Vars,
};
use crate::db::{self, tournament, Caller};

/// The tournament routes, to merge into the API's router.
pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v2/tournament", get(list))
        .route_vars(
            "/v2/tournament/{tournament_id}",
            get(records).post(write).put(write).delete(delete_record),
        )
        .route("/v2/tournament/{tournament_id}/join", post(join))
        .route_vars(
            "/v2/tournament/{tournament_id}/owner/{owner_id}",
            get(around_owner),
        )
}

fn bad(message: &str) -> Response {
    gateway_err(Code::InvalidArgument, message)
}

/// `GET /v2/tournament`: tournaments by category and time; without times,
/// those not ended yet.
async fn list(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListTournamentsRequest {
            category_start: query_number(&query, "category_start")?,
            category_end: query_number(&query, "category_end")?,
            start_time: query_number(&query, "start_time")?,
            end_time: query_number(&query, "end_time")?,
            limit: query_number(&query, "limit")?,
            cursor: query_text(&query, "cursor")?.unwrap_or_default(),
        };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::ListTournaments>(Some(&claims), req)
            .await?;
        let category_start = req.category_start.map_or(0, i64::from);
        let category_end = match req.category_end.map(i64::from) {
            None => 127,
            Some(e) if e >= 128 => {
                return Err(bad("Tournament category end must be >=0 and <128."));
            }
            Some(e) if e < category_start => {
                return Err(bad(
                    "Tournament category end must be greater than category start.",
                ));
            }
            Some(e) => e,
        };
        let start_time = req.start_time.map_or(-1, i64::from);
        let end_time = match req.end_time.map(i64::from) {
            // 0 asks for tournaments without an end.
            Some(e) if e != 0 && e < start_time => {
                return Err(bad("Tournament end time must be greater than start time."));
            }
            Some(e) => e,
            None => -1,
        };
        let limit = match req.limit {
            None => 100,
            Some(l @ 1..=100) => l,
            Some(_) => return Err(bad("Limit must be between 1 and 100.")),
        };
        let args = nk::TournamentListArgs {
            // Nakama takes any start category here; past 127 none match.
            category_start: i32::try_from(category_start).unwrap_or(i32::MAX),
            category_end: category_end as i32,
            start_time,
            end_time,
            limit,
            cursor: req.cursor.clone(),
        };
        let out = app
            .db
            .run(move |c| tournament::list(c, &args))
            .await
            .map_err(|e| {
                // Nakama answers an unreadable cursor with its core's error,
                // which the gateway makes UNKNOWN.
                if e.code == Code::InvalidArgument {
                    gateway_err(Code::Unknown, "leaderboard cursor invalid")
                } else {
                    unencodable(&e).unwrap_or_else(|| {
                        gateway_err(Code::Internal, "Error listing tournaments.")
                    })
                }
            })?;
        app.after::<hook::ListTournaments>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// `GET /v2/tournament/{id}`: a page of the current period's records and
/// the records of `owner_ids`.
async fn records(
    State(app): Shared,
    Vars([tournament_id]): Vars<1>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let ListQuery {
            claims,
            query,
            limit,
            expiry,
            cursor,
        } = list_query(&app, &headers, &uri)?;
        let req = api::ListTournamentRecordsRequest {
            tournament_id,
            owner_ids: query.get("owner_ids").cloned().unwrap_or_default(),
            limit,
            cursor,
            expiry,
        };
        let req = app
            .before::<hook::ListTournamentRecords>(Some(&claims), req)
            .await?;
        if req.tournament_id.is_empty() {
            return Err(bad("Tournament ID must be provided"));
        }
        let mut owner_ids = Vec::with_capacity(req.owner_ids.len());
        for o in &req.owner_ids {
            match uuid::Uuid::parse_str(o) {
                Ok(u) => owner_ids.push(u.to_string()),
                Err(_) => return Err(bad("One or more owner IDs are invalid.")),
            }
        }
        let limit = match req.limit {
            Some(l @ 1..=100) => Some(l),
            Some(_) => return Err(bad("Invalid limit - limit must be between 1 and 100.")),
            // Ten records, unless owners' records are asked for with a cursor.
            None if req.owner_ids.is_empty() || req.cursor.is_empty() => Some(10),
            None => None,
        };
        let (id, cursor, expiry) = (
            req.tournament_id.clone(),
            req.cursor.clone(),
            req.expiry.unwrap_or(0),
        );
        let task = move |c: &mut db::Conn| {
            tournament::records_list(c, &id, &owner_ids, limit, &cursor, expiry)
        };
        let out = app.db.run(task).await.map_err(|e| {
            if e.code == Code::NotFound {
                gateway_err(Code::NotFound, "Tournament not found.")
            } else if e.message == tournament::OUTSIDE_DURATION {
                gateway_err(Code::NotFound, "Tournament has ended.")
            } else if e.code == Code::InvalidArgument {
                gateway_err(Code::InvalidArgument, "Cursor is invalid or expired.")
            } else {
                unencodable(&e).unwrap_or_else(|| {
                    gateway_err(Code::Internal, "Error listing records from tournament.")
                })
            }
        })?;
        app.after::<hook::ListTournamentRecords>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// `POST`/`PUT /v2/tournament/{id}`: the caller's score in the active
/// period.
async fn write(
    State(app): Shared,
    Vars([tournament_id]): Vars<1>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    const FAILED: &str = "Error writing score to tournament.";
    run(async move {
        let record: api::TournamentRecordWrite = read_json(&app, body).await?;
        let req = api::WriteTournamentRecordRequest {
            tournament_id,
            record: Some(record),
        };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::WriteTournamentRecord>(Some(&claims), req)
            .await?;
        if req.tournament_id.is_empty() {
            return Err(bad("Tournament ID must be provided."));
        }
        let Some(record) = &req.record else {
            return Err(bad("Invalid input, record score value is required."));
        };
        let (metadata, operator) = score_options(&record.metadata, record.operator)?;
        let (id, uid, username) = (
            req.tournament_id.clone(),
            claims.uid.clone(),
            claims.usn.clone(),
        );
        let (score, subscore) = (record.score, record.subscore);
        let task = move |c: &mut db::Conn| {
            // Nakama looks the id up among leaderboards and tournaments alike
            // first: a plain leaderboard's id gets past this and fails in the
            // write.
            let Some(end) = tournament::end_time_of(c, &id)? else {
                return Ok(Err(gateway_err(Code::NotFound, "Tournament not found.")));
            };
            if end > 0 && end <= c.now() {
                return Ok(Err(gateway_err(
                    Code::NotFound,
                    "Tournament not found or has ended.",
                )));
            }
            let operator = match operator {
                Ok(o) => o,
                Err(_) => {
                    let checks = tournament::check_writer(c, Caller::Client(&uid), &id);
                    return Err(InvalidOperator::refuse(checks));
                }
            };
            tournament::write(
                c,
                Caller::Client(&uid),
                tournament::Write {
                    id: &id,
                    owner_id: &uid,
                    username: &username,
                    score,
                    subscore,
                    metadata,
                    operator,
                },
            )
            .map(Ok)
        };
        let written = app.db.run(task).await.map_err(|e| {
            if let Some(answer) = unencodable(&e) {
                return answer;
            }
            let (code, message) = match e.message.as_str() {
                tournament::MAX_SIZE_REACHED => {
                    (Code::FailedPrecondition, "Tournament has reached max size.")
                }
                tournament::AUTHORITATIVE => (
                    Code::PermissionDenied,
                    "Tournament only allows authoritative score submissions.",
                ),
                tournament::MAX_NUM_SCORE_REACHED => (
                    Code::FailedPrecondition,
                    "Reached allowed max number of score attempts.",
                ),
                tournament::JOIN_REQUIRED => (
                    Code::FailedPrecondition,
                    "Must join tournament before attempting to write value.",
                ),
                tournament::OUTSIDE_DURATION => (
                    Code::FailedPrecondition,
                    "Tournament is not active and cannot accept new scores.",
                ),
                _ => (Code::Internal, FAILED),
            };
            gateway_err(code, message)
        })?;
        // The task's own refusal: no tournament, or one that has ended.
        let out = written?;
        app.after::<hook::WriteTournamentRecord>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// `DELETE /v2/tournament/{id}`: the caller's record of the current
/// period. Nakama answers every failure here (an unknown tournament, an
/// authoritative one) as its internal error: its checks look for the
/// leaderboards' errors, which the tournament's core never returns.
async fn delete_record(
    State(app): Shared,
    Vars([tournament_id]): Vars<1>,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let req = api::DeleteTournamentRecordRequest { tournament_id };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::DeleteTournamentRecord>(Some(&claims), req)
            .await?;
        if req.tournament_id.is_empty() {
            return Err(bad("Invalid tournament ID."));
        }
        let (id, uid) = (req.tournament_id.clone(), claims.uid.clone());
        let task =
            move |c: &mut db::Conn| tournament::delete_record(c, Caller::Client(&uid), &id, &uid);
        app.db
            .run(task)
            .await
            .map_err(|_| gateway_err(Code::Internal, "Error deleting score from tournament."))?;
        app.after::<hook::DeleteTournamentRecord>(Some(&claims), &(), &req)
            .await;
        Ok(gateway_ok(&serde_json::json!({})))
    })
    .await
}

/// `POST /v2/tournament/{id}/join`: the caller joins (nothing happens
/// where joining is not required).
async fn join(State(app): Shared, Vars([tournament_id]): Vars<1>, headers: HeaderMap) -> Response {
    run(async move {
        let req = api::JoinTournamentRequest { tournament_id };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::JoinTournament>(Some(&claims), req)
            .await?;
        let (id, uid, username) = (
            req.tournament_id.clone(),
            claims.uid.clone(),
            claims.usn.clone(),
        );
        let task = move |c: &mut db::Conn| tournament::join(c, &id, &uid, &username);
        app.db.run(task).await.map_err(|e| {
            let (code, message) = match e.message.as_str() {
                tournament::NOT_FOUND => (Code::NotFound, "Tournament not found."),
                tournament::MAX_SIZE_REACHED => (
                    Code::InvalidArgument,
                    "Tournament cannot be joined as it has reached its max size.",
                ),
                tournament::OUTSIDE_DURATION => (
                    Code::InvalidArgument,
                    "Tournament is not active and cannot accept new joins.",
                ),
                _ => (Code::Internal, "Error while trying to join tournament."),
            };
            gateway_err(code, message)
        })?;
        app.after::<hook::JoinTournament>(Some(&claims), &(), &req)
            .await;
        Ok(gateway_ok(&serde_json::json!({})))
    })
    .await
}

/// `GET /v2/tournament/{id}/owner/{owner_id}`: a page around an owner's
/// record.
async fn around_owner(
    State(app): Shared,
    Vars([tournament_id, owner_id]): Vars<2>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let ListQuery {
            claims,
            query: _,
            limit,
            expiry,
            cursor,
        } = list_query(&app, &headers, &uri)?;
        let req = api::ListTournamentRecordsAroundOwnerRequest {
            tournament_id,
            limit,
            owner_id,
            expiry,
            cursor,
        };
        let req = app
            .before::<hook::ListTournamentRecordsAroundOwner>(Some(&claims), req)
            .await?;
        if req.tournament_id.is_empty() {
            return Err(bad("Invalid tournament ID."));
        }
        let (limit, owner) = haystack_args(req.limit, 100, &req.owner_id)?;
        let (id, cursor, expiry) = (
            req.tournament_id.clone(),
            req.cursor.clone(),
            req.expiry.unwrap_or(0),
        );
        let task =
            move |c: &mut db::Conn| tournament::haystack(c, &id, &owner, limit, &cursor, expiry);
        let out = app.db.run(task).await.map_err(|e| {
            if e.code == Code::NotFound {
                gateway_err(Code::NotFound, "Tournament not found.")
            } else {
                unencodable(&e).unwrap_or_else(|| {
                    gateway_err(Code::Internal, "Error querying records from leaderboard.")
                })
            }
        })?;
        app.after::<hook::ListTournamentRecordsAroundOwner>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}
