//! The client's party listing, `GET /v2/party`, with Nakama's checks and
//! messages (server/api_party.go) and the modules' hooks around it.
//! Parties themselves are made and joined over the realtime socket.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::{api, Code};

use super::{gateway_err, gateway_ok, query_map, query_number, query_text, run, session, Shared};

/// `GET`: `limit` (1 to 100, default 10), `open`, `query`, `cursor`;
/// hidden parties are never listed here.
pub(super) async fn list(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListPartiesRequest {
            limit: query_number::<i32>(&query, "limit")?,
            open: query_number::<bool>(&query, "open")?,
            query: query_text(&query, "query")?,
            cursor: query_text(&query, "cursor")?,
        };
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::ListParties>(Some(&claims), req).await?;
        if req.limit.is_some_and(|l| !(1..=100).contains(&l)) {
            return Err(gateway_err(
                Code::InvalidArgument,
                "Invalid limit - limit must be between 1 and 100.",
            ));
        }
        let limit = req.limit.unwrap_or(10) as usize;
        let (parties, cursor) = app
            .parties
            .list(
                limit,
                req.open,
                false,
                req.query.as_deref().unwrap_or_default(),
                req.cursor.as_deref().unwrap_or_default(),
            )
            .map_err(|_| gateway_err(Code::Internal, "Error listing matches."))?;
        let out = api::PartyList { parties, cursor };
        app.after::<hook::ListParties>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}
