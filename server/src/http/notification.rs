//! The client's notification routes, with Nakama's checks and messages
//! (server/api_notification.go) and the modules' hooks around each:
//! `GET /v2/notification` (`limit`, `cacheable_cursor`) lists the caller's
//! stored notifications, oldest first, and answers a cursor to list what
//! comes later; `DELETE /v2/notification` (`ids`) deletes some of them.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::{api, Code};

use super::{gateway_err, gateway_ok, query_map, query_number, query_text, run, session, Shared};
use crate::db::{self, notification};

/// `GET`: one notification unless `limit` (1 to 100) says otherwise.
pub(super) async fn list(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListNotificationsRequest {
            limit: query_number::<i32>(&query, "limit")?,
            cacheable_cursor: query_text(&query, "cacheable_cursor")?.unwrap_or_default(),
        };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::ListNotifications>(Some(&claims), req)
            .await?;
        let limit = match req.limit {
            None => 1,
            Some(l @ 1..=100) => l as usize,
            Some(_) => {
                return Err(gateway_err(
                    Code::InvalidArgument,
                    "Invalid limit - limit must be between 1 and 100.",
                ))
            }
        };
        let (uid, cursor) = (claims.uid.clone(), req.cacheable_cursor.clone());
        let out = app
            .db
            .run(move |c| notification::list(c, &uid, limit, &cursor))
            .await
            // A cursor that does not read too, as in Nakama.
            .map_err(|_| gateway_err(Code::Internal, "Error retrieving notifications."))?;
        app.after::<hook::ListNotifications>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// `DELETE`: the caller's notifications of `ids` (others' are left alone).
pub(super) async fn delete(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    run(async move {
        let req = api::DeleteNotificationsRequest {
            ids: query_map(&uri)?.remove("ids").unwrap_or_default(),
        };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::DeleteNotifications>(Some(&claims), req)
            .await?;
        if req.ids.is_empty() {
            return Ok(gateway_ok(&serde_json::json!({})));
        }
        let (uid, ids) = (claims.uid.clone(), req.ids.clone());
        app.db
            .run(move |c: &mut db::Conn| notification::delete(c, &uid, &ids))
            .await
            .map_err(|_| gateway_err(Code::Internal, "Error while deleting notifications."))?;
        app.after::<hook::DeleteNotifications>(Some(&claims), &(), &req)
            .await;
        Ok(gateway_ok(&serde_json::json!({})))
    })
    .await
}
