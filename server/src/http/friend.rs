//! The client's friend routes, with Nakama's checks, codes and messages
//! (server/api_friend.go) and the modules' hooks around each:
//!
//! - `GET /v2/friend` (`limit`, `state`, `cursor`): the caller's
//!   relationships;
//! - `POST /v2/friend` (`ids`, `usernames`, `metadata`): invite, or accept
//!   an invite;
//! - `DELETE /v2/friend` (`ids`, `usernames`): remove, cancel, refuse,
//!   unblock;
//! - `POST /v2/friend/block` (`ids`, `usernames`);
//! - `GET /v2/friend/friends` (`limit`, `cursor`): friends of friends
//!   (its after hook only: Nakama 3.40.0 never runs a Go module's before
//!   hook on it);
//! - `POST /v2/friend/facebook` and `/v2/friend/steam`: imports, answered
//!   as Nakama answers them with no social provider configured.
//!
//! Every parameter is in the query string, as the gateway reads them.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::{hook, Hook};
use nakama_runtime_host::abi::{api, Code};
use nakama_runtime_host::CallError;

use super::{
    gateway_err, gateway_ok, query_map, query_number, query_text, read_json, run, session, App,
    Shared,
};
use crate::db::friend::BAD_CURSOR;
use crate::friends::{Change, Friends, Refusal};

fn bad(message: &str) -> Response {
    gateway_err(Code::InvalidArgument, message)
}

impl App {
    pub(crate) fn friends(&self) -> Friends {
        Friends {
            db: self.db.clone(),
            online: self.online.clone(),
            channels: self.channels.clone(),
            status: self.status.clone(),
            log: self.log.clone(),
        }
    }
}

/// `GET /v2/friend`: a page of the caller's relationships, 1000 unless
/// `limit` (1 to 1000) says otherwise, in one `state` when given.
pub(super) async fn list(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListFriendsRequest {
            limit: query_number::<i32>(&query, "limit")?,
            state: query_number::<i32>(&query, "state")?,
            cursor: query_text(&query, "cursor")?.unwrap_or_default(),
        };
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::ListFriends>(Some(&claims), req).await?;
        let limit = match req.limit {
            None => 1000,
            Some(l @ 1..=1000) => l as usize,
            Some(_) => return Err(bad("Invalid limit - limit must be between 1 and 1000.")),
        };
        if req.state.is_some_and(|s| !(0..=3).contains(&s)) {
            return Err(bad("Invalid state - state must be between 0 and 3."));
        }
        let out = app
            .friends()
            .list(&claims.uid, limit, req.state, req.cursor.clone())
            .await
            .map_err(listing_error)?;
        app.after::<hook::ListFriends>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// `GET /v2/friend/friends`: a page of friends of friends, 10 unless
/// `limit` (1 to 100) says otherwise.
pub(super) async fn friends_of_friends(
    State(app): Shared,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListFriendsOfFriendsRequest {
            limit: query_number::<i32>(&query, "limit")?,
            cursor: query_text(&query, "cursor")?.unwrap_or_default(),
        };
        let claims = session(&app, &headers)?;
        // No before hook: Nakama 3.40.0 runs none here (UNRUN_BEFORE_HOOK).
        let limit = match req.limit {
            None => 10,
            Some(l @ 1..=100) => l as usize,
            Some(_) => return Err(bad("Invalid limit - limit must be between 1 and 100.")),
        };
        let out = app
            .friends()
            .friends_of_friends(&claims.uid, limit, req.cursor.clone())
            .await
            .map_err(listing_error)?;
        app.after::<hook::ListFriendsOfFriends>(Some(&claims), &out, &req)
            .await;
        Ok(gateway_ok(&out))
    })
    .await
}

/// A listing's failure as Nakama answers it: a cursor that does not
/// read, or its internal error.
fn listing_error(e: CallError) -> Response {
    if e.message == BAD_CURSOR {
        bad("Cursor is invalid.")
    } else {
        gateway_err(Code::Internal, "Error while trying to list friends.")
    }
}

/// The add, delete and block routes differ only in these.
trait ChangeCall: Hook<Response = ()> {
    const CHANGE: Change;
    /// "Cannot add self as friend." and the like.
    const MYSELF: &'static str;
    /// "Error while trying to add friends." and the like.
    const FAILED: &'static str;
    fn request(query: &HashMap<String, Vec<String>>) -> Result<Self::Request, Response>;
    /// The ids, usernames and metadata of a (hook-changed) request.
    fn parts(req: &Self::Request) -> (&[String], &[String], &str);
}

fn listed(query: &HashMap<String, Vec<String>>, name: &str) -> Vec<String> {
    query.get(name).cloned().unwrap_or_default()
}

impl ChangeCall for hook::AddFriends {
    const CHANGE: Change = Change::Add;
    const MYSELF: &'static str = "Cannot add self as friend.";
    const FAILED: &'static str = "Error while trying to add friends.";
    fn request(query: &HashMap<String, Vec<String>>) -> Result<Self::Request, Response> {
        Ok(api::AddFriendsRequest {
            ids: listed(query, "ids"),
            usernames: listed(query, "usernames"),
            metadata: query_text(query, "metadata")?.unwrap_or_default(),
        })
    }
    fn parts(req: &Self::Request) -> (&[String], &[String], &str) {
        (&req.ids, &req.usernames, &req.metadata)
    }
}

impl ChangeCall for hook::DeleteFriends {
    const CHANGE: Change = Change::Delete;
    const MYSELF: &'static str = "Cannot delete self.";
    const FAILED: &'static str = "Error while trying to delete friends.";
    fn request(query: &HashMap<String, Vec<String>>) -> Result<Self::Request, Response> {
        Ok(api::DeleteFriendsRequest {
            ids: listed(query, "ids"),
            usernames: listed(query, "usernames"),
        })
    }
    fn parts(req: &Self::Request) -> (&[String], &[String], &str) {
        (&req.ids, &req.usernames, "")
    }
}

impl ChangeCall for hook::BlockFriends {
    const CHANGE: Change = Change::Block;
    const MYSELF: &'static str = "Cannot block self.";
    const FAILED: &'static str = "Error while trying to block friends.";
    fn request(query: &HashMap<String, Vec<String>>) -> Result<Self::Request, Response> {
        Ok(api::BlockFriendsRequest {
            ids: listed(query, "ids"),
            usernames: listed(query, "usernames"),
        })
    }
    fn parts(req: &Self::Request) -> (&[String], &[String], &str) {
        (&req.ids, &req.usernames, "")
    }
}

pub(super) async fn add(state: Shared, uri: Uri, headers: HeaderMap) -> Response {
    change::<hook::AddFriends>(state, uri, headers).await
}

pub(super) async fn delete(state: Shared, uri: Uri, headers: HeaderMap) -> Response {
    change::<hook::DeleteFriends>(state, uri, headers).await
}

pub(super) async fn block(state: Shared, uri: Uri, headers: HeaderMap) -> Response {
    change::<hook::BlockFriends>(state, uri, headers).await
}

/// Query, session, before hook, Nakama's checks, the change, after hook.
/// A request naming nobody (and a removal of only unknown usernames)
/// answers `{}` without the after hook, as in Nakama.
async fn change<H: ChangeCall>(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    run(async move {
        let req = H::request(&query_map(&uri)?)?;
        let claims = session(&app, &headers)?;
        let req = app.before::<H>(Some(&claims), req).await?;
        let (ids, usernames, metadata) = H::parts(&req);
        let friends = app.friends();
        let targets = match friends
            .targets(&claims.uid, &claims.usn, ids, usernames)
            .await
        {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(gateway_ok(&serde_json::json!({}))),
            Err(Refusal::Myself) => return Err(bad(H::MYSELF)),
            Err(Refusal::BadId(id)) => return Err(bad(&format!("Invalid user ID '{id}'."))),
            Err(Refusal::EmptyUsername) => return Err(bad("Username must not be empty.")),
            Err(Refusal::NoneValid) if H::CHANGE == Change::Delete => {
                app.log.info("No valid ID or username was provided.", &[]);
                return Ok(gateway_ok(&serde_json::json!({})));
            }
            Err(Refusal::NoneValid) => return Err(bad("No valid ID or username was provided.")),
            Err(Refusal::Failed) => return Err(gateway_err(Code::Internal, H::FAILED)),
        };
        friends
            .change(
                H::CHANGE,
                &claims.uid,
                &claims.usn,
                targets,
                metadata.to_string(),
            )
            .await
            .map_err(|_| gateway_err(Code::Internal, H::FAILED))?;
        app.after::<H>(Some(&claims), &(), &req).await;
        Ok(gateway_ok(&serde_json::json!({})))
    })
    .await
}

/// The Facebook and Steam imports differ only in these.
trait ImportCall: Hook<Response = ()> {
    /// The body: the account (its token).
    type Account: serde::de::DeserializeOwned;
    fn request(account: Option<Self::Account>, reset: Option<bool>) -> Self::Request;
    /// What Nakama answers with no social provider configured.
    fn answer(req: &Self::Request) -> Response;
}

impl ImportCall for hook::ImportFacebookFriends {
    type Account = api::AccountFacebook;
    fn request(account: Option<Self::Account>, reset: Option<bool>) -> Self::Request {
        api::ImportFacebookFriendsRequest { account, reset }
    }
    /// No token: refused; a token: refused as Facebook refuses one it does
    /// not know (the dev host has no Facebook client).
    fn answer(req: &Self::Request) -> Response {
        if req.account.as_ref().is_none_or(|a| a.token.is_empty()) {
            return bad("Facebook token is required.");
        }
        gateway_err(
            Code::Unauthenticated,
            "Could not authenticate Facebook profile.",
        )
    }
}

impl ImportCall for hook::ImportSteamFriends {
    type Account = api::AccountSteam;
    fn request(account: Option<Self::Account>, reset: Option<bool>) -> Self::Request {
        api::ImportSteamFriendsRequest { account, reset }
    }
    /// Nakama checks for a publisher key and app id first (the dev host
    /// has no setting for them).
    fn answer(_req: &Self::Request) -> Response {
        gateway_err(
            Code::FailedPrecondition,
            "Steam authentication is not configured.",
        )
    }
}

/// `POST /v2/friend/facebook`: the body is the Facebook account (its
/// token), `reset` in the query.
pub(super) async fn import_facebook(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    import::<hook::ImportFacebookFriends>(state, uri, headers, body).await
}

/// `POST /v2/friend/steam`: likewise with the Steam account.
pub(super) async fn import_steam(
    state: Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    import::<hook::ImportSteamFriends>(state, uri, headers, body).await
}

/// Session, body, `reset`, before hook, then Nakama's answer without a
/// social provider (never a success, so never the after hook).
async fn import<H: ImportCall>(
    State(app): Shared,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    run(async move {
        let account: Option<H::Account> = read_json(&app, body).await?;
        let reset = query_number::<bool>(&query_map(&uri)?, "reset")?;
        let req = H::request(account, reset);
        let claims = session(&app, &headers)?;
        let req = app.before::<H>(Some(&claims), req).await?;
        Ok(H::answer(&req))
    })
    .await
}
