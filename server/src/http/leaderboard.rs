//! The client's leaderboard routes, `/v2/leaderboard/{leaderboard_id}`:
//! list (GET), write the caller's record (POST), delete it (DELETE), and
//! the records around an owner (GET `.../owner/{owner_id}`), with Nakama's
//! checks and messages (server/api_leaderboard.go) and the modules' hooks
//! around each.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::nk::Operator;
use nakama_runtime_host::abi::{api, Code};
use nakama_runtime_host::CallError;
use serde_json::Value;

use super::{
    gateway_err, gateway_ok, query_map, query_number, query_text, read_json, run, session, App,
    Shared, Vars,
};
use crate::db::{self, leaderboard, Caller};
use crate::session::Claims;

/// The gateway's answer to a failed leaderboard call: Nakama's messages for
/// a missing leaderboard and a refused client, `otherwise` for the rest.
/// An answer holding a time Nakama's gateway cannot encode
/// ([`db::encodable_time`]): protobuf-go's error, which the gateway
/// answers as UNKNOWN.
pub(super) fn unencodable(e: &CallError) -> Option<Response> {
    e.message
        .starts_with(db::TIMESTAMP_OUT_OF_RANGE)
        .then(|| gateway_err(Code::Unknown, &e.message))
}

fn api_err(e: CallError, refused: &str, otherwise: &str) -> Response {
    if let Some(answer) = unencodable(&e) {
        return answer;
    }
    match e.code {
        Code::NotFound => gateway_err(Code::NotFound, "Leaderboard not found."),
        Code::PermissionDenied => gateway_err(Code::PermissionDenied, refused),
        Code::InvalidArgument if e.message == leaderboard::BAD_CURSOR => {
            gateway_err(Code::InvalidArgument, "Cursor is invalid or expired.")
        }
        _ => gateway_err(Code::Internal, otherwise),
    }
}

fn bad(message: &str) -> Response {
    gateway_err(Code::InvalidArgument, message)
}

/// What the record listing routes read first: the query's `limit`,
/// `expiry` and `cursor` (refused before the session is checked, as
/// Nakama's gateway reads a query before its auth check), then the
/// session.
pub(super) struct ListQuery<L> {
    pub(super) claims: Claims,
    pub(super) query: HashMap<String, Vec<String>>,
    pub(super) limit: Option<L>,
    pub(super) expiry: Option<i64>,
    pub(super) cursor: String,
}

pub(super) fn list_query<L: super::GoQueryValue>(
    app: &App,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<ListQuery<L>, Response> {
    let query = query_map(uri)?;
    let limit = query_number(&query, "limit")?;
    let expiry = query_number(&query, "expiry")?;
    let cursor = query_text(&query, "cursor")?.unwrap_or_default();
    Ok(ListQuery {
        claims: session(app, headers)?,
        query,
        limit,
        expiry,
        cursor,
    })
}

/// A client write's metadata (JSONB text; `None`: keep the stored one) and
/// operator (`None`: the board's own; an unknown one is refused by the
/// write), or Nakama's refusal of metadata that is not a JSON object.
pub(super) fn score_options(
    metadata: &str,
    operator: i32,
) -> Result<(Option<String>, RequestOperator), Response> {
    let metadata = if metadata.is_empty() {
        None
    } else {
        match serde_json::from_str::<Value>(metadata) {
            Ok(v @ Value::Object(_)) => Some(db::jsonb_text_of(metadata, &v)),
            _ => return Err(bad("Metadata value must be JSON, if provided.")),
        }
    };
    let operator = match operator {
        api::operator::NO_OVERRIDE => Ok(None),
        api::operator::BEST => Ok(Some(Operator::Best)),
        api::operator::SET => Ok(Some(Operator::Set)),
        api::operator::INCREMENT => Ok(Some(Operator::Increment)),
        api::operator::DECREMENT => Ok(Some(Operator::Decrement)),
        _ => Err(InvalidOperator),
    };
    Ok((metadata, operator))
}

/// A request's operator: `None` for the board's own.
pub(super) type RequestOperator = Result<Option<Operator>, InvalidOperator>;

/// A request's operator that is none of Nakama's. Nakama finds that out
/// in the write, after the leaderboard's (or tournament's) own checks, so
/// the caller makes those first ([`InvalidOperator::refuse`]).
pub(super) struct InvalidOperator;

impl InvalidOperator {
    /// `checks`' refusal if it has one, else the write's failure.
    pub(super) fn refuse(checks: Result<(), CallError>) -> CallError {
        checks
            .err()
            .unwrap_or_else(|| CallError::new(Code::Internal, "invalid operator"))
    }
}

/// `POST`: the caller's score, through the leaderboard's operator or the
/// one the request names.
pub(super) async fn write(
    State(app): Shared,
    Vars([leaderboard_id]): Vars<1>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    const FAILED: &str = "Error writing score to leaderboard.";
    run(async move {
        let record: api::LeaderboardRecordWrite = read_json(&app, body).await?;
        let req = api::WriteLeaderboardRecordRequest {
            leaderboard_id,
            record: Some(record),
        };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::WriteLeaderboardRecord>(Some(&claims), req)
            .await?;
        if req.leaderboard_id.is_empty() {
            return Err(bad("Invalid leaderboard ID."));
        }
        let Some(record) = &req.record else {
            return Err(bad("Invalid input, record score value is required."));
        };
        let (metadata, operator) = score_options(&record.metadata, record.operator)?;
        let (id, uid, username) = (
            req.leaderboard_id.clone(),
            claims.uid.clone(),
            claims.usn.clone(),
        );
        let (score, subscore) = (record.score, record.subscore);
        let task = move |c: &mut db::Conn| {
            let operator = operator.map_err(|_| {
                InvalidOperator::refuse(leaderboard::check_writer(c, Caller::Client(&uid), &id))
            })?;
            leaderboard::write(
                c,
                Caller::Client(&uid),
                leaderboard::Write {
                    id: &id,
                    owner_id: &uid,
                    username: &username,
                    score,
                    subscore,
                    metadata,
                    operator,
                },
            )
        };
        let out = app.db.run(task).await.map_err(|e| {
            api_err(
                e,
                "Leaderboard only allows authoritative score submissions.",
                FAILED,
            )
        })?;
        app.after::<hook::WriteLeaderboardRecord>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// `GET`: a page of records (`limit`, `cursor`) and the records of
/// `owner_ids`.
pub(super) async fn list(
    State(app): Shared,
    Vars([leaderboard_id]): Vars<1>,
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
        let req = api::ListLeaderboardRecordsRequest {
            leaderboard_id,
            owner_ids: query.get("owner_ids").cloned().unwrap_or_default(),
            limit,
            cursor,
            expiry,
        };
        let req = app
            .before::<hook::ListLeaderboardRecords>(Some(&claims), req)
            .await?;
        if req.leaderboard_id.is_empty() {
            return Err(bad("Invalid leaderboard ID."));
        }
        let limit = match req.limit {
            Some(l) if !(1..=1000).contains(&l) => {
                return Err(bad("Invalid limit - limit must be between 1 and 1000."))
            }
            Some(l) => Some(l),
            // Without a limit: one record, unless only owners' records are
            // asked for.
            None if req.owner_ids.is_empty() || !req.cursor.is_empty() => Some(1),
            None => None,
        };
        let mut owner_ids = Vec::with_capacity(req.owner_ids.len());
        for o in &req.owner_ids {
            match uuid::Uuid::parse_str(o) {
                Ok(u) => owner_ids.push(u.to_string()),
                Err(_) => return Err(bad("One or more owner IDs are invalid.")),
            }
        }
        let (id, cursor, expiry) = (
            req.leaderboard_id.clone(),
            req.cursor.clone(),
            req.expiry.unwrap_or(0),
        );
        let task =
            move |c: &mut db::Conn| leaderboard::list(c, &id, &owner_ids, limit, &cursor, expiry);
        let out = app
            .db
            .run(task)
            .await
            .map_err(|e| api_err(e, "", "Error listing records from leaderboard."))?;
        app.after::<hook::ListLeaderboardRecords>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// A page-around-an-owner request's limit (`default` when absent) and
/// owner, with Nakama's refusals (leaderboards and tournaments alike).
pub(super) fn haystack_args(
    limit: Option<u32>,
    default: i32,
    owner_id: &str,
) -> Result<(i32, String), Response> {
    let limit = match limit {
        None => default,
        Some(l @ 1..=100) => l as i32,
        Some(_) => return Err(bad("Invalid limit - limit must be between 1 and 100.")),
    };
    if owner_id.is_empty() {
        return Err(bad("Owner ID must be provided for a haystack query."));
    }
    match uuid::Uuid::parse_str(owner_id) {
        Ok(owner) => Ok((limit, owner.to_string())),
        Err(_) => Err(bad("Invalid owner ID provided.")),
    }
}

/// `GET .../owner/{owner_id}`: a page around an owner's record.
pub(super) async fn around_owner(
    State(app): Shared,
    Vars([leaderboard_id, owner_id]): Vars<2>,
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
        let req = api::ListLeaderboardRecordsAroundOwnerRequest {
            leaderboard_id,
            limit,
            owner_id,
            expiry,
            cursor,
        };
        let req = app
            .before::<hook::ListLeaderboardRecordsAroundOwner>(Some(&claims), req)
            .await?;
        if req.leaderboard_id.is_empty() {
            return Err(bad("Invalid leaderboard ID."));
        }
        let (limit, owner) = haystack_args(req.limit, 1, &req.owner_id)?;
        let (id, cursor, expiry) = (
            req.leaderboard_id.clone(),
            req.cursor.clone(),
            req.expiry.unwrap_or(0),
        );
        let task =
            move |c: &mut db::Conn| leaderboard::haystack(c, &id, &owner, limit, &cursor, expiry);
        let out = app.db.run(task).await.map_err(|e| {
            // Nakama names only a missing leaderboard; a bad cursor here is
            // its internal error.
            if e.code == Code::NotFound {
                gateway_err(Code::NotFound, "Leaderboard not found.")
            } else {
                unencodable(&e).unwrap_or_else(|| {
                    gateway_err(Code::Internal, "Error querying records from leaderboard.")
                })
            }
        })?;
        app.after::<hook::ListLeaderboardRecordsAroundOwner>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// `DELETE`: the caller's record of the current period.
pub(super) async fn delete(
    State(app): Shared,
    Vars([leaderboard_id]): Vars<1>,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let req = api::DeleteLeaderboardRecordRequest { leaderboard_id };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::DeleteLeaderboardRecord>(Some(&claims), req)
            .await?;
        if req.leaderboard_id.is_empty() {
            return Err(bad("Invalid leaderboard ID."));
        }
        let (id, uid) = (req.leaderboard_id.clone(), claims.uid.clone());
        let task =
            move |c: &mut db::Conn| leaderboard::delete_record(c, Caller::Client(&uid), &id, &uid);
        app.db.run(task).await.map_err(|e| {
            api_err(
                e,
                "Leaderboard only allows authoritative score deletions.",
                "Error deleting score from leaderboard.",
            )
        })?;
        app.after::<hook::DeleteLeaderboardRecord>(Some(&claims), &(), &req)
            .await;
        Ok(gateway_ok(&serde_json::json!({})))
    })
    .await
}
