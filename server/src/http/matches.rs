//! The client's match listing, `GET /v2/match`, with Nakama's checks and
//! messages (server/api_match.go), and the matchmaker's stats, `GET
//! /v2/matchmaker/stats` (server/api_matchmaker.go), with the modules'
//! hooks around them. The matches themselves are joined, and matchmaker
//! tickets added, over the realtime socket.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::{api, Code};

use super::{gateway_err, gateway_ok, query_map, query_number, query_text, run, session, Shared};

fn bad(message: &str) -> Response {
    gateway_err(Code::InvalidArgument, message)
}

/// `GET`: `limit` (1 to 100, default 10), `authoritative`, `label`,
/// `min_size`, `max_size`, `query`.
pub(super) async fn list(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListMatchesRequest {
            limit: query_number::<i32>(&query, "limit")?,
            authoritative: query_number::<bool>(&query, "authoritative")?,
            label: query_text(&query, "label")?,
            min_size: query_number::<i32>(&query, "min_size")?,
            max_size: query_number::<i32>(&query, "max_size")?,
            query: query_text(&query, "query")?,
        };
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::ListMatches>(Some(&claims), req).await?;
        if req.limit.is_some_and(|l| !(1..=100).contains(&l)) {
            return Err(bad("Invalid limit - limit must be between 1 and 100."));
        }
        let relayed_only = req.authoritative == Some(false);
        if req.label.is_some() && relayed_only {
            return Err(bad(
                "Label filtering is not supported for non-authoritative matches.",
            ));
        }
        if req.query.is_some() && relayed_only {
            return Err(bad(
                "Query filtering is not supported for non-authoritative matches.",
            ));
        }
        if req.min_size.is_some_and(|n| n < 0) {
            return Err(bad("Minimum size must be 0 or above."));
        }
        if req.max_size.is_some_and(|n| n < 0) {
            return Err(bad("Maximum size must be 0 or above."));
        }
        if let (Some(min), Some(max)) = (req.min_size, req.max_size) {
            if min > max {
                return Err(bad(
                    "Maximum size must be greater than or equal to minimum size when both are specified.",
                ));
            }
        }
        let matches = app
            .matches
            .search(&req)
            .map_err(|_| gateway_err(Code::Internal, "Error listing matches."))?;
        let out = api::MatchList { matches };
        app.after::<hook::ListMatches>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// `GET /v2/matchmaker/stats`: as of the matchmaker's last pass.
pub(super) async fn matchmaker_stats(State(app): Shared, headers: HeaderMap) -> Response {
    run(async move {
        let claims = session(&app, &headers)?;
        app.before::<hook::GetMatchmakerStats>(Some(&claims), ())
            .await?;
        let stats = app.matchmaker.stats();
        app.after::<hook::GetMatchmakerStats>(Some(&claims), &stats, &())
            .await;
        Ok(gateway_ok(&stats))
    })
    .await
}
