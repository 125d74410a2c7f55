//! The client's account deletion, link and unlink routes, with Nakama's
//! checks and messages (server/api_account.go, api_link.go, api_unlink.go,
//! core_link.go, core_unlink.go) and the modules' hooks around each:
//! `DELETE /v2/account` deletes the caller's account (its tokens stop
//! working); `POST /v2/account/link/{custom,device,email}` adds a way to
//! log in to it and `POST /v2/account/unlink/{custom,device,email}` removes
//! one (never the last). Each answers `{}`.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use nakama_runtime_host::abi::hooks::{hook, Hook};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::CallError;

use super::{gateway_call_err, gateway_err, gateway_ok, hooked_db_call, run, session, Shared};
use crate::db::account::{self, Link};
use crate::db::Conn;
use crate::nk::accounts as checks;

/// `DELETE /v2/account`: Nakama's `DeleteAccount` (not recorded); an
/// account already gone is no error.
pub(super) async fn delete(State(app): Shared, headers: HeaderMap) -> Response {
    run(async move {
        let claims = session(&app, &headers)?;
        app.before::<hook::DeleteAccount>(Some(&claims), ()).await?;
        let uid = claims.uid.clone();
        let deleted = app
            .db
            .run(move |c| account::delete(c, &uid, false))
            .await
            .map_err(|_| gateway_err(Code::Internal, "Error deleting user account."))?;
        if deleted {
            app.sessions.invalidate_user(&claims.uid);
            app.online.close_user(&claims.uid, None, Vec::new());
        }
        app.after::<hook::DeleteAccount>(Some(&claims), &(), &())
            .await;
        Ok(gateway_ok(&serde_json::json!({})))
    })
    .await
}

/// A link or unlink call: session, body, before hook, `check` (Nakama's
/// core checks, after the hook as there), the change, after hook, `{}`.
async fn change<H>(
    state: Shared,
    headers: HeaderMap,
    body: Body,
    check: impl FnOnce(&H::Request) -> Result<(), CallError>,
    work: impl FnOnce(&mut Conn, &str, H::Request) -> Result<(), CallError> + Send + 'static,
) -> Response
where
    H: Hook<Response = ()>,
    H::Request: Clone + Send + 'static,
{
    let State(app) = state;
    hooked_db_call::<H, _>(&app, &headers, body, |claims, req| {
        check(req).map_err(gateway_call_err)?;
        let (uid, req) = (claims.uid.clone(), req.clone());
        Ok(move |c: &mut Conn| work(c, &uid, req))
    })
    .await
}

pub(super) async fn link_custom(state: Shared, headers: HeaderMap, body: Body) -> Response {
    change::<hook::LinkCustom>(
        state,
        headers,
        body,
        |r| checks::check_custom(&r.id),
        |c, me, r| account::link_custom(c, me, &r.id),
    )
    .await
}

pub(super) async fn link_device(state: Shared, headers: HeaderMap, body: Body) -> Response {
    change::<hook::LinkDevice>(
        state,
        headers,
        body,
        |r| checks::check_device(&r.id),
        |c, me, r| account::link_device(c, me, &r.id),
    )
    .await
}

pub(super) async fn link_email(state: Shared, headers: HeaderMap, body: Body) -> Response {
    change::<hook::LinkEmail>(
        state,
        headers,
        body,
        |r| checks::check_email(&r.email, &r.password).map(drop),
        |c, me, r| {
            let email = checks::check_email(&r.email, &r.password)?;
            account::link_email(c, me, &email, &r.password)
        },
    )
    .await
}

pub(super) async fn unlink_custom(state: Shared, headers: HeaderMap, body: Body) -> Response {
    change::<hook::UnlinkCustom>(
        state,
        headers,
        body,
        |_| Ok(()),
        |c, me, r| account::unlink(c, me, Link::Custom, &r.id),
    )
    .await
}

pub(super) async fn unlink_device(state: Shared, headers: HeaderMap, body: Body) -> Response {
    change::<hook::UnlinkDevice>(
        state,
        headers,
        body,
        |r| checks::check_unlink_device(&r.id),
        |c, me, r| account::unlink_device(c, me, &r.id),
    )
    .await
}

pub(super) async fn unlink_email(state: Shared, headers: HeaderMap, body: Body) -> Response {
    change::<hook::UnlinkEmail>(
        state,
        headers,
        body,
        |_| Ok(()),
        |c, me, r| account::unlink(c, me, Link::Email, &r.email.to_lowercase()),
    )
    .await
}
