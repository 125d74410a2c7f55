//! The client's social login routes, `POST /v2/account/authenticate/*`,
//! `/v2/account/link/*` and `/v2/account/unlink/*` for `apple`,
//! `facebook`, `facebookinstantgame`, `gamecenter`, `google` and `steam`,
//! with Nakama's checks and messages (server/api_authenticate.go,
//! api_link.go, api_unlink.go) and the modules' hooks around each.
//!
//! The dev host asks no provider ([`crate::nk::social`]): an
//! authenticate or link call ends in Nakama's refusal or `UNIMPLEMENTED`
//! where Nakama would ask the provider (so its after hook never runs
//! there), and works as in Nakama for Facebook Instant Games, whose
//! signed player info is checked offline; an unlink call without a token
//! (or, for Game Center, without all six fields) works as in Nakama: `{}`
//! unless the account would be left no way to log in.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::{hook, Hook};
use nakama_runtime_host::abi::{api, nk, Code};
use nakama_runtime_host::CallError;
use serde::de::DeserializeOwned;

use super::auth::{auth_query, authenticate_request, finish_auth};
use super::{gateway_call_err, hooked_db_call, query_map, query_number, run, Shared};
use crate::db::{self, Conn};
use crate::nk::social::{self, Credential, Provider};

fn refuse(message: &str) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

fn token(t: &str) -> Credential {
    Credential::Token(t.to_string())
}

fn game_center(a: &api::AccountGameCenter) -> nk::GameCenterCredentials {
    nk::GameCenterCredentials {
        player_id: a.player_id.clone(),
        bundle_id: a.bundle_id.clone(),
        timestamp: a.timestamp_seconds,
        salt: a.salt.clone(),
        signature: a.signature.clone(),
        public_key_url: a.public_key_url.clone(),
    }
}

/// What an authenticate route finds or creates the account by, with the
/// username and create flag of its request.
struct Login {
    id: db::AuthIdOwned,
    username: String,
    create: Option<bool>,
}

/// The username check of the gateway's authenticate calls, then the core.
fn then_core(
    username: &str,
    create: Option<bool>,
    p: Provider,
    cred: Credential,
) -> Result<Login, CallError> {
    if crate::gochars::invalid_username(username) {
        return Err(refuse(
            "Username invalid, no spaces or control characters allowed.",
        ));
    }
    if username.len() > 128 {
        return Err(refuse("Username invalid, must be 1-128 bytes."));
    }
    Ok(Login {
        id: social::authenticate(p, cred)?,
        username: username.to_string(),
        create,
    })
}

/// The authenticate routes differ in these.
trait SocialAuth: Hook<Response = api::Session> {
    /// The body.
    type Account: DeserializeOwned + Default;
    /// The request from the body and the `create`, `username` and `sync`
    /// query parameters.
    fn request(
        a: Self::Account,
        create: Option<bool>,
        username: String,
        sync: Option<bool>,
    ) -> Self::Request;
    /// Nakama's checks and core of a (hook-changed) request, up to finding
    /// the account: what to find it by, or the refusal.
    fn core(r: &Self::Request) -> Result<Login, CallError>;
}

/// Nakama's "... token is required." check of a request's account, then
/// the username and the core.
fn token_auth(
    token: Option<&str>,
    missing: &str,
    username: &str,
    create: Option<bool>,
    p: Provider,
) -> Result<Login, CallError> {
    match token {
        Some(t) if !t.is_empty() => then_core(username, create, p, self::token(t)),
        _ => Err(refuse(missing)),
    }
}

impl SocialAuth for hook::AuthenticateApple {
    type Account = api::AccountApple;
    fn request(
        a: Self::Account,
        create: Option<bool>,
        username: String,
        _: Option<bool>,
    ) -> Self::Request {
        api::AuthenticateAppleRequest {
            account: Some(a),
            create,
            username,
        }
    }
    fn core(_: &Self::Request) -> Result<Login, CallError> {
        // No `social.apple.bundle_id` here: Nakama checks it first.
        Err(CallError::new(
            Code::FailedPrecondition,
            "Apple authentication is not configured.",
        ))
    }
}

impl SocialAuth for hook::AuthenticateFacebook {
    type Account = api::AccountFacebook;
    fn request(
        a: Self::Account,
        create: Option<bool>,
        username: String,
        sync: Option<bool>,
    ) -> Self::Request {
        api::AuthenticateFacebookRequest {
            account: Some(a),
            create,
            username,
            sync,
        }
    }
    fn core(r: &Self::Request) -> Result<Login, CallError> {
        let t = r.account.as_ref().map(|a| a.token.as_str());
        token_auth(
            t,
            "Facebook access token is required.",
            &r.username,
            r.create,
            Provider::Facebook,
        )
    }
}

impl SocialAuth for hook::AuthenticateFacebookInstantGame {
    type Account = api::AccountFacebookInstantGame;
    fn request(
        a: Self::Account,
        create: Option<bool>,
        username: String,
        _: Option<bool>,
    ) -> Self::Request {
        api::AuthenticateFacebookInstantGameRequest {
            account: Some(a),
            create,
            username,
        }
    }
    fn core(r: &Self::Request) -> Result<Login, CallError> {
        let t = r.account.as_ref().map(|a| a.signed_player_info.as_str());
        token_auth(
            t,
            "Signed Player Info for a Facebook Instant Game is required.",
            &r.username,
            r.create,
            Provider::FacebookInstantGame,
        )
    }
}

impl SocialAuth for hook::AuthenticateGameCenter {
    type Account = api::AccountGameCenter;
    fn request(
        a: Self::Account,
        create: Option<bool>,
        username: String,
        _: Option<bool>,
    ) -> Self::Request {
        api::AuthenticateGameCenterRequest {
            account: Some(a),
            create,
            username,
        }
    }
    fn core(r: &Self::Request) -> Result<Login, CallError> {
        let Some(a) = &r.account else {
            return Err(refuse("GameCenter access credentials are required."));
        };
        let g = game_center(a);
        if let Some(e) = social::game_center_missing(&g) {
            return Err(e);
        }
        let cred = Credential::GameCenter(g);
        then_core(&r.username, r.create, Provider::GameCenter, cred)
    }
}

impl SocialAuth for hook::AuthenticateGoogle {
    type Account = api::AccountGoogle;
    fn request(
        a: Self::Account,
        create: Option<bool>,
        username: String,
        _: Option<bool>,
    ) -> Self::Request {
        api::AuthenticateGoogleRequest {
            account: Some(a),
            create,
            username,
        }
    }
    fn core(r: &Self::Request) -> Result<Login, CallError> {
        let t = r.account.as_ref().map(|a| a.token.as_str());
        token_auth(
            t,
            "Google access token is required.",
            &r.username,
            r.create,
            Provider::Google,
        )
    }
}

impl SocialAuth for hook::AuthenticateSteam {
    type Account = api::AccountSteam;
    fn request(
        a: Self::Account,
        create: Option<bool>,
        username: String,
        sync: Option<bool>,
    ) -> Self::Request {
        api::AuthenticateSteamRequest {
            account: Some(a),
            create,
            username,
            sync,
        }
    }
    fn core(_: &Self::Request) -> Result<Login, CallError> {
        // No `social.steam` publisher key or app id here: checked first.
        Err(CallError::new(
            Code::FailedPrecondition,
            "Steam authentication is not configured.",
        ))
    }
}

/// Server key, body, before hook, Nakama's checks and core: a session and
/// the after hook where the dev host can find or create the account.
async fn authenticate<H: SocialAuth>(
    State(app): Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    run(async move {
        let req = authenticate_request::<H, H::Account>(&app, &uri, &headers, body, |a, q| {
            let sync = query_number::<bool>(q, "sync")?;
            let q = auth_query(q)?;
            Ok(H::request(a, q.create, q.username, sync))
        })
        .await?;
        let login = H::core(&req).map_err(gateway_call_err)?;
        let vars = Default::default();
        Ok(finish_auth::<H>(app, req, login.id, &login.username, login.create, vars).await)
    })
    .await
}

pub(super) async fn authenticate_apple(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    authenticate::<hook::AuthenticateApple>(state, uri, headers, body).await
}

pub(super) async fn authenticate_facebook(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    authenticate::<hook::AuthenticateFacebook>(state, uri, headers, body).await
}

pub(super) async fn authenticate_facebook_instant_game(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    authenticate::<hook::AuthenticateFacebookInstantGame>(state, uri, headers, body).await
}

pub(super) async fn authenticate_game_center(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    authenticate::<hook::AuthenticateGameCenter>(state, uri, headers, body).await
}

pub(super) async fn authenticate_google(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    authenticate::<hook::AuthenticateGoogle>(state, uri, headers, body).await
}

pub(super) async fn authenticate_steam(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    authenticate::<hook::AuthenticateSteam>(state, uri, headers, body).await
}

/// Nakama's link or unlink core for a user.
type Core = fn(&Conn, &str, Provider, Credential) -> Result<(), CallError>;

/// Session, body, before hook, the gateway's checks (`cred`: the
/// credential, or the refusal), then `core` (Nakama's link or unlink),
/// after hook, `{}`.
async fn link<H: Hook<Response = ()>>(
    State(app): Shared,
    headers: HeaderMap,
    body: Body,
    (p, core): (Provider, Core),
    cred: impl FnOnce(&H::Request) -> Result<Credential, CallError>,
) -> Response {
    hooked_db_call::<H, _>(&app, &headers, body, |claims, req| {
        let cred = cred(req).map_err(gateway_call_err)?;
        let uid = claims.uid.clone();
        Ok(move |c: &mut Conn| core(c, &uid, p, cred))
    })
    .await
}

fn linking(p: Provider) -> (Provider, Core) {
    (p, social::link)
}

fn unlinking(p: Provider) -> (Provider, Core) {
    (p, social::unlink)
}

pub(super) async fn link_apple(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::LinkApple>(state, headers, body, linking(Provider::Apple), |r| {
        Ok(token(&r.token))
    })
    .await
}

pub(super) async fn link_facebook(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // The body is the account; `sync` is a query parameter.
    let State(app) = state;
    run(async move {
        let bytes = super::read_body(&app, body)
            .await
            .map_err(|_| super::too_large())?;
        let account: api::AccountFacebook = super::json_body(&bytes)?;
        // The gateway reads the body, then the query.
        let sync = query_number::<bool>(&query_map(&uri)?, "sync")?;
        let req = serde_json::to_vec(&api::LinkFacebookRequest {
            account: Some(account),
            sync,
        })
        .unwrap_or_default();
        let p = linking(Provider::Facebook);
        let answer =
            link::<hook::LinkFacebook>(State(app), headers, Body::from(req), p, |r| {
                match r.account.as_ref().map(|a| a.token.as_str()) {
                    Some(t) if !t.is_empty() => Ok(token(t)),
                    _ => Err(refuse("Facebook access token is required.")),
                }
            })
            .await;
        Ok(answer)
    })
    .await
}

pub(super) async fn link_facebook_instant_game(
    state: Shared,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let p = linking(Provider::FacebookInstantGame);
    link::<hook::LinkFacebookInstantGame>(state, headers, body, p, |r| {
        Ok(token(&r.signed_player_info))
    })
    .await
}

pub(super) async fn link_game_center(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::LinkGameCenter>(state, headers, body, linking(Provider::GameCenter), |r| {
        Ok(Credential::GameCenter(game_center(r)))
    })
    .await
}

pub(super) async fn link_google(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::LinkGoogle>(state, headers, body, linking(Provider::Google), |r| {
        Ok(token(&r.token))
    })
    .await
}

pub(super) async fn link_steam(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::LinkSteam>(state, headers, body, linking(Provider::Steam), |r| {
        // The gateway wants the token before the core's settings check.
        match r.account.as_ref().map(|a| a.token.as_str()) {
            Some(t) if !t.is_empty() => Ok(token(t)),
            _ => Err(refuse("Steam access token is required.")),
        }
    })
    .await
}

pub(super) async fn unlink_apple(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::UnlinkApple>(state, headers, body, unlinking(Provider::Apple), |r| {
        Ok(token(&r.token))
    })
    .await
}

pub(super) async fn unlink_facebook(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::UnlinkFacebook>(state, headers, body, unlinking(Provider::Facebook), |r| {
        Ok(token(&r.token))
    })
    .await
}

pub(super) async fn unlink_facebook_instant_game(
    state: Shared,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let p = unlinking(Provider::FacebookInstantGame);
    link::<hook::UnlinkFacebookInstantGame>(state, headers, body, p, |r| {
        Ok(token(&r.signed_player_info))
    })
    .await
}

pub(super) async fn unlink_game_center(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::UnlinkGameCenter>(state, headers, body, unlinking(Provider::GameCenter), |r| {
        Ok(Credential::GameCenter(game_center(r)))
    })
    .await
}

pub(super) async fn unlink_google(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::UnlinkGoogle>(state, headers, body, unlinking(Provider::Google), |r| {
        Ok(token(&r.token))
    })
    .await
}

pub(super) async fn unlink_steam(state: Shared, headers: HeaderMap, body: Body) -> Response {
    link::<hook::UnlinkSteam>(state, headers, body, unlinking(Provider::Steam), |r| {
        Ok(token(&r.token))
    })
    .await
}
