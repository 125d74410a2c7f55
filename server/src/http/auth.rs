//! The client's authenticate routes for custom ids, device ids and email
//! (server/api_authenticate.go, core_authenticate.go), and the session's
//! refresh and logout (api_session.go), with Nakama's checks and messages
//! and the modules' hooks around each. The social logins
//! (`social.rs`) share the authenticate steps.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::{hook, Hook};
use nakama_runtime_host::abi::{api, Code};
use serde::de::DeserializeOwned;

use super::{
    check_server_key, gateway_call_err, gateway_err, gateway_ok, query_map, query_number,
    query_text, read_json, session, App, Shared,
};
use crate::db;

fn valid_id(id: &str) -> bool {
    !crate::gochars::has_space_or_control(id)
}

pub(super) fn check_username(username: &str) -> Result<(), Response> {
    if crate::gochars::invalid_username(username) {
        return Err(gateway_err(
            Code::InvalidArgument,
            "Username invalid, no spaces or control characters allowed.",
        ));
    }
    if username.len() > 128 {
        return Err(gateway_err(
            Code::InvalidArgument,
            "Username invalid, must be 1-128 bytes.",
        ));
    }
    Ok(())
}

/// The query of an authenticate route: `create` (Go's booleans) and
/// `username`, refused as the gateway refuses them.
pub(super) struct AuthQuery {
    pub(super) create: Option<bool>,
    pub(super) username: String,
}

pub(super) fn auth_query(query: &HashMap<String, Vec<String>>) -> Result<AuthQuery, Response> {
    Ok(AuthQuery {
        create: query_number::<bool>(query, "create")?,
        username: query_text(query, "username")?.unwrap_or_default(),
    })
}

/// The custom-id and device-id calls differ only in these.
trait IdAuth: Hook<Response = api::Session> {
    /// The body: `{"id", "vars"}`.
    type Account: DeserializeOwned + Default;
    /// "Custom ID" / "Device ID", as Nakama's messages say.
    const WHAT: &'static str;
    const MIN_LEN: usize;
    fn request(account: Self::Account, create: Option<bool>, username: String) -> Self::Request;
    /// The id, vars, username and create flag of a (hook-changed) request.
    fn parts(req: &Self::Request) -> (String, HashMap<String, String>, String, Option<bool>);
    fn auth_id(id: String) -> db::AuthIdOwned;
}

impl IdAuth for hook::AuthenticateCustom {
    type Account = api::AccountCustom;
    const WHAT: &'static str = "Custom ID";
    const MIN_LEN: usize = 6;
    fn request(account: Self::Account, create: Option<bool>, username: String) -> Self::Request {
        api::AuthenticateCustomRequest {
            account: Some(account),
            create,
            username,
        }
    }
    fn parts(r: &Self::Request) -> (String, HashMap<String, String>, String, Option<bool>) {
        let a = r.account.clone().unwrap_or_default();
        (a.id, a.vars, r.username.clone(), r.create)
    }
    fn auth_id(id: String) -> db::AuthIdOwned {
        db::AuthIdOwned::Custom(id)
    }
}

impl IdAuth for hook::AuthenticateDevice {
    type Account = api::AccountDevice;
    const WHAT: &'static str = "Device ID";
    const MIN_LEN: usize = 10;
    fn request(account: Self::Account, create: Option<bool>, username: String) -> Self::Request {
        api::AuthenticateDeviceRequest {
            account: Some(account),
            create,
            username,
        }
    }
    fn parts(r: &Self::Request) -> (String, HashMap<String, String>, String, Option<bool>) {
        let a = r.account.clone().unwrap_or_default();
        (a.id, a.vars, r.username.clone(), r.create)
    }
    fn auth_id(id: String) -> db::AuthIdOwned {
        db::AuthIdOwned::Device(id)
    }
}

pub(super) async fn custom(state: Shared, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    authenticate_id::<hook::AuthenticateCustom>(state, uri, headers, body).await
}

pub(super) async fn device(state: Shared, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    authenticate_id::<hook::AuthenticateDevice>(state, uri, headers, body).await
}

/// The start of an authenticate route: the body (the account), the
/// request `request` makes of it and the query, then the server key (as
/// Nakama's gateway decodes a request before its auth check), then the
/// before hook.
pub(super) async fn authenticate_request<H: Hook, A: DeserializeOwned + Default>(
    app: &Arc<App>,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    request: impl FnOnce(A, &HashMap<String, Vec<String>>) -> Result<H::Request, Response>,
) -> Result<H::Request, Response> {
    let account: A = read_json(app, body).await?;
    let req = request(account, &query_map(uri)?)?;
    check_server_key(app, headers)?;
    app.before::<H>(None, req).await
}

async fn authenticate_id<H: IdAuth>(
    State(app): Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let req = authenticate_request::<H, H::Account>(&app, &uri, &headers, body, |a, q| {
        let q = auth_query(q)?;
        Ok(H::request(a, q.create, q.username))
    });
    let req = match req.await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let (id, vars, username, create) = H::parts(&req);
    let what = H::WHAT;
    if id.is_empty() {
        return gateway_err(Code::InvalidArgument, &format!("{what} is required."));
    }
    if !valid_id(&id) {
        return gateway_err(
            Code::InvalidArgument,
            &format!("{what} invalid, no spaces or control characters allowed."),
        );
    }
    if !(H::MIN_LEN..=128).contains(&id.len()) {
        return gateway_err(
            Code::InvalidArgument,
            &format!("{what} invalid, must be {}-128 bytes.", H::MIN_LEN),
        );
    }
    finish_auth::<H>(app, req, H::auth_id(id), &username, create, vars).await
}

pub(super) async fn email(
    State(app): Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let req = authenticate_request::<hook::AuthenticateEmail, api::AccountEmail>(
        &app,
        &uri,
        &headers,
        body,
        |account, q| {
            let q = auth_query(q)?;
            Ok(api::AuthenticateEmailRequest {
                account: Some(account),
                create: q.create,
                username: q.username,
            })
        },
    );
    let req = match req.await {
        Ok(r) => r,
        Err(r) => return r,
    };
    // The gateway reads the body as the account, so only a before hook
    // can take it away.
    let Some(account) = req.account.clone() else {
        return gateway_err(
            Code::InvalidArgument,
            "Email address and password is required.",
        );
    };
    let email = account.email.to_lowercase();
    if !email.is_empty() {
        if !valid_id(&email) {
            return gateway_err(
                Code::InvalidArgument,
                "Invalid email address, no spaces or control characters allowed.",
            );
        }
        let well_formed = email.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain
                    .rsplit_once('.')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        });
        if !well_formed {
            return gateway_err(Code::InvalidArgument, "Invalid email address format.");
        }
        if !(10..=255).contains(&email.len()) {
            return gateway_err(
                Code::InvalidArgument,
                "Invalid email address, must be 10-255 bytes.",
            );
        }
    }
    if account.password.len() < 8 {
        return gateway_err(
            Code::InvalidArgument,
            "Password must be at least 8 characters long.",
        );
    }
    if email.is_empty() && req.username.is_empty() {
        return gateway_err(
            Code::InvalidArgument,
            "Username is required when email address is not supplied.",
        );
    }
    let id = db::AuthIdOwned::Email {
        email,
        password: account.password.clone(),
    };
    finish_auth::<hook::AuthenticateEmail>(
        app,
        req.clone(),
        id,
        &req.username,
        req.create,
        account.vars,
    )
    .await
}

/// The common tail of authenticate calls: find or create, tokens, after hook.
pub(super) async fn finish_auth<H: Hook<Response = api::Session>>(
    app: Arc<App>,
    req: H::Request,
    id: db::AuthIdOwned,
    username: &str,
    create: Option<bool>,
    vars: HashMap<String, String>,
) -> Response {
    if let Err(r) = check_username(username) {
        return r;
    }
    let username = username.to_string();
    let create = create.unwrap_or(true);
    let found = app
        .db
        .run(move |c| id.authenticate(c, &username, create))
        .await;
    let found = match found {
        Ok(f) => f,
        Err(e) => return gateway_call_err(e),
    };
    let (token, refresh_token) =
        app.sessions
            .issue(&found.user_id, &found.username, &vars, None, None);
    let session = api::Session {
        created: found.created,
        token,
        refresh_token,
    };
    let claims = app.sessions.check_session(&session.token);
    app.after::<H>(claims.as_ref(), &session, &req).await;
    gateway_ok(&session)
}

pub(super) async fn session_refresh(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let req: api::SessionRefreshRequest = match read_json(&app, body).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Err(r) = check_server_key(&app, &headers) {
        return r;
    }
    let req = match app.before::<hook::SessionRefresh>(None, req).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if req.token.is_empty() {
        return gateway_err(Code::InvalidArgument, "Refresh token is required.");
    }
    let Some(old) = app.sessions.check_refresh(&req.token) else {
        return gateway_err(Code::Unauthenticated, "Refresh token invalid or expired.");
    };
    let uid = old.uid.clone();
    let account = app.db.run(move |c| db::account(c, &uid)).await;
    let user = match account {
        Ok(Some(a)) if a.disable_time.is_some() => {
            return gateway_err(Code::PermissionDenied, "User account banned.")
        }
        Ok(Some(a)) => a.user.unwrap_or_default(),
        Ok(None) => return gateway_err(Code::NotFound, "User account not found."),
        Err(e) => return gateway_call_err(e),
    };
    let vars = if req.vars.is_empty() {
        old.vrs.clone()
    } else {
        req.vars.clone()
    };
    let (token, refresh_token) = app.sessions.issue(
        &old.uid,
        &user.username,
        &vars,
        Some(&old.tid),
        Some(old.iat),
    );
    let session = api::Session {
        created: false,
        token,
        refresh_token,
    };
    let claims = app.sessions.check_session(&session.token);
    app.after::<hook::SessionRefresh>(claims.as_ref(), &session, &req)
        .await;
    gateway_ok(&session)
}

pub(super) async fn session_logout(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    let req: api::SessionLogoutRequest = match read_json(&app, body).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let claims = match session(&app, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = match app.before::<hook::SessionLogout>(Some(&claims), req).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    match app
        .sessions
        .logout(&claims.uid, &req.token, &req.refresh_token)
    {
        Ok(()) => {}
        Err(crate::session::LogoutError::SessionToken) => {
            return gateway_err(Code::InvalidArgument, "Session token invalid.")
        }
        Err(crate::session::LogoutError::RefreshToken) => {
            return gateway_err(Code::InvalidArgument, "Refresh token invalid.")
        }
    }
    app.after::<hook::SessionLogout>(Some(&claims), &(), &req)
        .await;
    gateway_ok(&serde_json::json!({}))
}
