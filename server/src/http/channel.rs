//! A chat channel's history, `GET /v2/channel/{channel_id}` (`limit`,
//! `forward`, `cursor`), with Nakama's checks and messages
//! (server/api_channel.go) and the modules' hooks around it. The channels
//! themselves are joined and written to over the realtime socket.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::{api, Code};

use super::{
    gateway_err, gateway_ok, query_map, query_number, query_text, run, session, Shared, Vars,
};
use crate::channels::{HistoryError, Stream};

fn bad(message: &str) -> Response {
    gateway_err(Code::InvalidArgument, message)
}

/// `GET`: a page of the channel's messages; one unless `limit` (1 to 100)
/// says otherwise, oldest first unless `forward` is false.
pub(super) async fn list(
    State(app): Shared,
    Vars([channel_id]): Vars<1>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListChannelMessagesRequest {
            channel_id,
            limit: query_number::<i32>(&query, "limit")?,
            forward: query_number::<bool>(&query, "forward")?,
            cursor: query_text(&query, "cursor")?.unwrap_or_default(),
        };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::ListChannelMessages>(Some(&claims), req)
            .await?;
        if req.channel_id.is_empty() {
            return Err(bad("Invalid channel ID."));
        }
        let limit = match req.limit {
            None => 1,
            Some(l @ 1..=100) => l as usize,
            Some(_) => return Err(bad("Invalid limit - limit must be between 1 and 100.")),
        };
        let Some(stream) = Stream::parse(&req.channel_id) else {
            return Err(bad("Invalid channel ID."));
        };
        let out = app
            .channels
            .history(
                Some(&claims.uid),
                stream,
                &req.channel_id,
                limit,
                req.forward.unwrap_or(true),
                &req.cursor,
            )
            .await
            .map_err(|e| match e {
                HistoryError::BadCursor => bad("Cursor is invalid or expired."),
                HistoryError::GroupNotFound => bad("Group not found."),
                HistoryError::NotFound => bad("Channel not found."),
                HistoryError::Internal(_) => {
                    gateway_err(Code::Internal, "Error listing messages from channel.")
                }
            })?;
        app.after::<hook::ListChannelMessages>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}
