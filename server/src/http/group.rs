//! The client's group routes, `/v2/group...` and `/v2/user/{user_id}/group`,
//! with Nakama's checks, codes and messages (server/api_group.go) and the
//! modules' hooks around each. The work is [`crate::groups`]'.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::{hook, Hook};
use nakama_runtime_host::abi::{api, Code};
use uuid::Uuid;

use super::{
    gateway_err, gateway_ok, query_map, query_number, query_text, read_json, run, session, App,
    Shared, Vars,
};
use crate::db::group::{self, GroupError};
use crate::groups::{parse_uuid, Groups};
use crate::session::Claims;

fn bad(message: &str) -> Response {
    gateway_err(Code::InvalidArgument, message)
}

fn internal(message: &str) -> Response {
    gateway_err(Code::Internal, message)
}

fn groups(app: &App) -> Groups {
    Groups {
        db: app.db.clone(),
        channels: app.channels.clone(),
        online: app.online.clone(),
        status: app.status.clone(),
    }
}

/// The after hook, then the answer (`{}` for calls that answer nothing).
async fn finish<H: Hook>(
    app: &App,
    claims: &Claims,
    req: &H::Request,
    out: H::Response,
) -> Response {
    app.after::<H>(Some(claims), &out, req).await;
    if std::any::TypeId::of::<H::Response>() == std::any::TypeId::of::<()>() {
        gateway_ok(&serde_json::json!({}))
    } else {
        gateway_ok(&out)
    }
}

/// A group id as the routes check it.
fn group_id(id: &str) -> Result<String, Response> {
    if id.is_empty() {
        return Err(bad("Group ID must be set."));
    }
    parse_uuid(id).ok_or_else(|| bad("Group ID must be a valid ID."))
}

/// `POST /v2/group`: a group with the caller as its superadmin.
pub(super) async fn create(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    run(async move {
        let req: api::CreateGroupRequest = read_json(&app, body).await?;
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::CreateGroup>(Some(&claims), req).await?;
        if req.name.is_empty() {
            return Err(bad("Group name must be set."));
        }
        let max_count = match req.max_count {
            0 => 100,
            n if n < 1 => return Err(bad("Group max count must be >= 1 when set.")),
            n => n,
        };
        let (r, uid) = (req.clone(), claims.uid.clone());
        let created = groups(&app)
            .read(move |c| {
                group::create(
                    c,
                    &group::New {
                        user_id: &uid,
                        creator_id: &uid,
                        name: &r.name,
                        lang_tag: &r.lang_tag,
                        description: &r.description,
                        avatar_url: &r.avatar_url,
                        metadata: "",
                        open: r.open,
                        max_count,
                    },
                )
            })
            .await
            .map_err(|e| match e {
                GroupError::NameInUse => gateway_err(Code::AlreadyExists, "Group name is in use."),
                _ => internal("Error while trying to create group."),
            })?;
        Ok(finish::<hook::CreateGroup>(&app, &claims, &req, created).await)
    })
    .await
}

/// `PUT /v2/group/{group_id}`: the fields given (an admin or superadmin).
pub(super) async fn update(
    State(app): Shared,
    Vars([id]): Vars<1>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    run(async move {
        let mut req: api::UpdateGroupRequest = read_json(&app, body).await?;
        req.group_id = id;
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::UpdateGroup>(Some(&claims), req).await?;
        let gid = group_id(&req.group_id)?;
        if req.name.as_deref() == Some("") {
            return Err(bad("Group name cannot be empty."));
        }
        if req.lang_tag.as_deref() == Some("") {
            return Err(bad("Group language cannot be empty."));
        }
        let changes = group::Changes {
            name: req.name.clone(),
            lang_tag: req.lang_tag.clone(),
            description: req.description.clone(),
            avatar_url: req.avatar_url.clone(),
            open: req.open,
            metadata: None,
            max_count: -1,
            creator_id: String::new(),
        };
        let uid = claims.uid.clone();
        groups(&app)
            .read(move |c| group::update(c, &gid, &uid, &changes))
            .await
            .map_err(|e| match e {
                GroupError::PermissionDenied => gateway_err(
                    Code::NotFound,
                    "Group not found or you're not allowed to update.",
                ),
                GroupError::NoUpdateOps => bad("Specify at least one field to update."),
                GroupError::NotUpdated => bad("No new fields in group update."),
                GroupError::NameInUse => bad("Group name is in use."),
                _ => internal("Error while trying to update group."),
            })?;
        Ok(finish::<hook::UpdateGroup>(&app, &claims, &req, ()).await)
    })
    .await
}

/// `DELETE /v2/group/{group_id}` (a superadmin).
pub(super) async fn delete(
    State(app): Shared,
    Vars([id]): Vars<1>,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let req = api::DeleteGroupRequest { group_id: id };
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::DeleteGroup>(Some(&claims), req).await?;
        let gid = group_id(&req.group_id)?;
        let (g, uid) = (gid.clone(), claims.uid.clone());
        groups(&app)
            .change(&gid, move |c| Ok(((), group::delete(c, &g, &uid)?)))
            .await
            .map_err(|e| match e {
                GroupError::PermissionDenied => {
                    bad("Group not found or you're not allowed to delete.")
                }
                _ => internal("Error while trying to delete group."),
            })?;
        Ok(finish::<hook::DeleteGroup>(&app, &claims, &req, ()).await)
    })
    .await
}

/// `POST /v2/group/{group_id}/join`: a member of an open group, a join
/// request to a closed one.
pub(super) async fn join(State(app): Shared, Vars([id]): Vars<1>, headers: HeaderMap) -> Response {
    run(async move {
        let req = api::JoinGroupRequest { group_id: id };
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::JoinGroup>(Some(&claims), req).await?;
        let gid = group_id(&req.group_id)?;
        groups(&app)
            .join_leave(gid, claims.uid.clone(), claims.usn.clone(), false)
            .await
            .map_err(|e| match e {
                GroupError::NotFound => gateway_err(Code::NotFound, "Group not found."),
                GroupError::Full => bad("Group is full."),
                _ => internal("Error while trying to join group."),
            })?;
        Ok(finish::<hook::JoinGroup>(&app, &claims, &req, ()).await)
    })
    .await
}

/// `POST /v2/group/{group_id}/leave`.
pub(super) async fn leave(State(app): Shared, Vars([id]): Vars<1>, headers: HeaderMap) -> Response {
    run(async move {
        let req = api::LeaveGroupRequest { group_id: id };
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::LeaveGroup>(Some(&claims), req).await?;
        let gid = group_id(&req.group_id)?;
        groups(&app)
            .join_leave(gid, claims.uid.clone(), claims.usn.clone(), true)
            .await
            .map_err(|e| match e {
                GroupError::LastSuperadmin => {
                    bad("Cannot leave group when you are the last superadmin.")
                }
                _ => internal("Error while trying to leave group."),
            })?;
        Ok(finish::<hook::LeaveGroup>(&app, &claims, &req, ()).await)
    })
    .await
}

/// What the five membership routes share: their request's parts.
pub(super) trait MembersRequest: Sized {
    const VERB: &'static str;
    const FAILED: &'static str;
    fn make(group_id: String, user_ids: Vec<String>) -> Self;
    fn parts(&self) -> (&str, &[String]);
}

macro_rules! members_request {
    ($($ty:ident, $verb:literal, $failed:literal;)*) => {$(
        impl MembersRequest for api::$ty {
            const VERB: &'static str = $verb;
            const FAILED: &'static str = $failed;
            fn make(group_id: String, user_ids: Vec<String>) -> Self {
                api::$ty { group_id, user_ids }
            }
            fn parts(&self) -> (&str, &[String]) {
                (&self.group_id, &self.user_ids)
            }
        }
    )*};
}

members_request! {
    AddGroupUsersRequest, "add", "Error while trying to add users to a group.";
    KickGroupUsersRequest, "kick", "Error while trying to kick users from a group.";
    BanGroupUsersRequest, "ban", "Error while trying to ban users from a group.";
    PromoteGroupUsersRequest, "promote", "Error while trying to promote users in a group.";
    DemoteGroupUsersRequest, "demote", "Error while trying to demote users in a group.";
}

/// `POST /v2/group/{group_id}/<verb>?user_ids=...`: `add`, `kick`,
/// `ban`, `promote` and `demote`, by their hook `H`.
pub(super) async fn members<H>(
    State(app): Shared,
    Vars([id]): Vars<1>,
    uri: Uri,
    headers: HeaderMap,
) -> Response
where
    H: Hook<Response = ()>,
    H::Request: MembersRequest,
{
    run(async move {
        let query = query_map(&uri)?;
        let user_ids = query.get("user_ids").cloned().unwrap_or_default();
        let req = H::Request::make(id, user_ids);
        let claims = session(&app, &headers)?;
        let req = app.before::<H>(Some(&claims), req).await?;
        let (gid, user_ids) = req.parts();
        let gid = group_id(gid)?;
        let verb = <H::Request as MembersRequest>::VERB;
        if user_ids.is_empty() {
            if verb == "demote" {
                return Err(bad("User IDs must be set."));
            }
            return Ok(finish::<H>(&app, &claims, &req, ()).await);
        }
        let mut users = Vec::with_capacity(user_ids.len());
        for u in user_ids {
            match parse_uuid(u) {
                Some(u) if u != Uuid::nil().to_string() => users.push(u),
                _ => return Err(bad("User ID must be a valid ID.")),
            }
        }
        groups(&app)
            .members(verb, claims.uid.clone(), gid, users)
            .await
            .map_err(|e| match e {
                GroupError::PermissionDenied => {
                    gateway_err(Code::NotFound, "Group not found or permission denied.")
                }
                GroupError::Full if verb != "kick" && verb != "ban" => bad("Group is full."),
                GroupError::UserNotFound if verb == "add" => bad("One or more users not found."),
                _ => internal(<H::Request as MembersRequest>::FAILED),
            })?;
        Ok(finish::<H>(&app, &claims, &req, ()).await)
    })
    .await
}

/// A membership listing's `limit` (100 when absent) and `state`.
fn limit_and_state(
    limit: Option<i32>,
    state: Option<i32>,
) -> Result<(usize, Option<i64>), Response> {
    let limit = match limit {
        None => 100,
        Some(l @ 1..=100) => l as usize,
        Some(_) => return Err(bad("Invalid limit - limit must be between 1 and 100.")),
    };
    if state.is_some_and(|s| !(0..=4).contains(&s)) {
        return Err(bad("Invalid state - state must be between 0 and 4."));
    }
    Ok((limit, state.map(i64::from)))
}

/// `GET /v2/group/{group_id}/user`: a page of the members and join
/// requests (`limit`, `state`, `cursor`).
pub(super) async fn users(
    State(app): Shared,
    Vars([id]): Vars<1>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListGroupUsersRequest {
            group_id: id,
            limit: query_number(&query, "limit")?,
            state: query_number(&query, "state")?,
            cursor: query_text(&query, "cursor")?.unwrap_or_default(),
        };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::ListGroupUsers>(Some(&claims), req)
            .await?;
        let gid = group_id(&req.group_id)?;
        let (limit, state) = limit_and_state(req.limit, req.state)?;
        let cursor = req.cursor.clone();
        let g = groups(&app);
        let mut list = g
            .read(move |c| group::users(c, &gid, limit, state, &cursor))
            .await
            .map_err(|e| match e {
                GroupError::BadGroupUserCursor => bad("Cursor is invalid."),
                _ => internal("Error while trying to list users in a group."),
            })?;
        g.fill_online(&mut list);
        Ok(finish::<hook::ListGroupUsers>(&app, &claims, &req, list).await)
    })
    .await
}

/// `GET /v2/user/{user_id}/group`: a page of the groups a user is in or
/// asked to join (`limit`, `state`, `cursor`).
pub(super) async fn user_groups(
    State(app): Shared,
    Vars([id]): Vars<1>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListUserGroupsRequest {
            user_id: id,
            limit: query_number(&query, "limit")?,
            state: query_number(&query, "state")?,
            cursor: query_text(&query, "cursor")?.unwrap_or_default(),
        };
        let claims = session(&app, &headers)?;
        let req = app
            .before::<hook::ListUserGroups>(Some(&claims), req)
            .await?;
        if req.user_id.is_empty() {
            return Err(bad("User ID must be set."));
        }
        // Nakama's words for a bad user id name the group.
        let uid = parse_uuid(&req.user_id).ok_or_else(|| bad("Group ID must be a valid ID."))?;
        let (limit, state) = limit_and_state(req.limit, req.state)?;
        let cursor = req.cursor.clone();
        let list = groups(&app)
            .read(move |c| group::user_groups(c, &uid, limit, state, &cursor))
            .await
            .map_err(|e| match e {
                GroupError::BadUserGroupCursor => bad("Cursor is invalid."),
                _ => internal("Error while trying to list groups for a user."),
            })?;
        Ok(finish::<hook::ListUserGroups>(&app, &claims, &req, list).await)
    })
    .await
}

/// `GET /v2/group`: a page of groups (`name`, `cursor`, `limit` (1 when
/// absent), `lang_tag`, `members`, `open`).
pub(super) async fn list(State(app): Shared, uri: Uri, headers: HeaderMap) -> Response {
    run(async move {
        let query = query_map(&uri)?;
        let req = api::ListGroupsRequest {
            name: query_text(&query, "name")?.unwrap_or_default(),
            cursor: query_text(&query, "cursor")?.unwrap_or_default(),
            limit: query_number(&query, "limit")?,
            lang_tag: query_text(&query, "lang_tag")?.unwrap_or_default(),
            members: query_number(&query, "members")?,
            open: query_number::<bool>(&query, "open")?,
        };
        let claims = session(&app, &headers)?;
        let req = app.before::<hook::ListGroups>(Some(&claims), req).await?;
        let limit = match req.limit {
            None => 1,
            Some(l @ 1..=100) => l as usize,
            Some(_) => return Err(bad("Invalid limit - limit must be between 1 and 100.")),
        };
        let r = req.clone();
        let list = groups(&app)
            .read(move |c| {
                group::list(
                    c,
                    &group::ListFilter {
                        name: &r.name,
                        lang_tag: &r.lang_tag,
                        open: r.open,
                        members: r.members.map_or(-1, i64::from),
                        limit,
                        cursor: &r.cursor,
                    },
                )
            })
            .await
            .map_err(|e| match e {
                GroupError::NameCombined => {
                    bad("name filter cannot be combined with any other filter")
                }
                _ => internal("Error while trying to list groups."),
            })?;
        Ok(finish::<hook::ListGroups>(&app, &claims, &req, list).await)
    })
    .await
}
