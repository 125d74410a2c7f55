//! A chat channel's history, `GET /v2/channel/{channel_id}` (`limit`,
//! `forward`, `cursor`), with Nakama's checks and messages
//! (server/api_channel.go) and the modules' hooks around it. The channels
//! themselves are joined and written to over the realtime socket.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::{api, Code};

use super::{gateway_err, gateway_ok, query_map, query_number, query_text, session, Shared};
use crate::channels::{HistoryError, Stream};

fn bad(message: &str) -> Response {
    gateway_err(Code::InvalidArgument, message)
}

/// `GET`: a page of the channel's messages; one unless `limit` (1 to 100)
/// says otherwise, oldest first unless `forward` is false.
pub(super) async fn list(
    State(app): Shared,
    Path(channel_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let query = query_map(&uri);
    let req = (|| {
        Ok::<_, Response>(api::ListChannelMessagesRequest {
            channel_id,
            limit: query_number::<i32>(&query, "limit")?,
            forward: query_number::<bool>(&query, "forward")?,
            cursor: query_text(&query, "cursor")?.unwrap_or_default(),
        })
    })();
    let req = match req {
        Ok(r) => r,
        Err(r) => return r,
    };
    let claims = match session(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = match app
        .before::<hook::ListChannelMessages>(Some(&claims), req)
        .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    if req.channel_id.is_empty() {
        return bad("Invalid channel ID.");
    }
    let limit = match req.limit {
        None => 1,
        Some(l @ 1..=100) => l as usize,
        Some(_) => return bad("Invalid limit - limit must be between 1 and 100."),
    };
    let Some(stream) = Stream::parse(&req.channel_id) else {
        return bad("Invalid channel ID.");
    };
    let listed = app
        .channels
        .history(
            Some(&claims.uid),
            stream,
            &req.channel_id,
            limit,
            req.forward.unwrap_or(true),
            &req.cursor,
        )
        .await;
    match listed {
        Ok(out) => {
            app.after::<hook::ListChannelMessages>(Some(&claims), &out, &req)
                .await;
            gateway_ok(&out)
        }
        Err(HistoryError::BadCursor) => bad("Cursor is invalid or expired."),
        Err(HistoryError::GroupNotFound) => bad("Group not found."),
        Err(HistoryError::NotFound) => bad("Channel not found."),
        Err(HistoryError::Internal) => {
            gateway_err(Code::Internal, "Error listing messages from channel.")
        }
    }
}
