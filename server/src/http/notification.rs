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

use super::{gateway_err, gateway_ok, query_map, query_number, query_text, session, Shared};
use crate::db::{self, notification};

/// `GET`: one notification unless `limit` (1 to 100) says otherwise.
pub(super) async fn list(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    let query = query_map(&uri);
    let req = (|| {
        Ok::<_, Response>(api::ListNotificationsRequest {
            limit: query_number::<i32>(&query, "limit")?,
            cacheable_cursor: query_text(&query, "cacheable_cursor")?.unwrap_or_default(),
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
        .before::<hook::ListNotifications>(Some(&claims), req)
        .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let limit = match req.limit {
        None => 1,
        Some(l @ 1..=100) => l as usize,
        Some(_) => {
            return gateway_err(
                Code::InvalidArgument,
                "Invalid limit - limit must be between 1 and 100.",
            )
        }
    };
    let (uid, cursor) = (claims.uid.clone(), req.cacheable_cursor.clone());
    let listed = app
        .db
        .run(move |c| notification::list(c, &uid, limit, &cursor))
        .await;
    match listed {
        Ok(out) => {
            app.after::<hook::ListNotifications>(Some(&claims), &out, &req)
                .await;
            gateway_ok(&out)
        }
        // A cursor that does not read too, as in Nakama.
        Err(_) => gateway_err(Code::Internal, "Error retrieving notifications."),
    }
}

/// `DELETE`: the caller's notifications of `ids` (others' are left alone).
pub(super) async fn delete(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    let req = api::DeleteNotificationsRequest {
        ids: query_map(&uri).remove("ids").unwrap_or_default(),
    };
    let claims = match session(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = match app
        .before::<hook::DeleteNotifications>(Some(&claims), req)
        .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    if req.ids.is_empty() {
        return gateway_ok(&serde_json::json!({}));
    }
    let (uid, ids) = (claims.uid.clone(), req.ids.clone());
    match app
        .db
        .run(move |c: &mut db::Conn| notification::delete(c, &uid, &ids))
        .await
    {
        Ok(()) => {
            app.after::<hook::DeleteNotifications>(Some(&claims), &(), &req)
                .await;
            gateway_ok(&serde_json::json!({}))
        }
        Err(_) => gateway_err(Code::Internal, "Error while deleting notifications."),
    }
}
