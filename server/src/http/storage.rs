//! The client's storage routes (server/api_storage.go, core_storage.go):
//! `PUT /v2/storage` writes, `POST /v2/storage` reads, `PUT
//! /v2/storage/delete` deletes, `GET /v2/storage/{collection}` (and
//! `/{user_id}`) lists, each with Nakama's checks and messages and the
//! modules' hooks around it.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use nakama_runtime_host::abi::hooks::hook;
use nakama_runtime_host::abi::{api, nk, Code};
use serde_json::Value;

use super::{
    gateway_call_err, gateway_err, gateway_ok, hooked_db_call, query_map, query_number, query_text,
    session, Shared, Vars,
};
use crate::db::{self, Caller};

/// Nakama checks every id before reading any; the nil UUID (the system
/// user) is refused too.
fn validate_read(o: &api::ReadStorageObjectId) -> Result<(), Response> {
    if o.collection.is_empty() || o.key.is_empty() {
        return Err(gateway_err(
            Code::InvalidArgument,
            "Invalid collection or key value supplied. They must be set.",
        ));
    }
    if !o.user_id.is_empty() && !uuid::Uuid::parse_str(&o.user_id).is_ok_and(|u| !u.is_nil()) {
        return Err(gateway_err(
            Code::InvalidArgument,
            "Invalid user ID - make sure user ID is a valid UUID.",
        ));
    }
    Ok(())
}

fn validate_write(o: &api::WriteStorageObject) -> Result<(), Response> {
    if o.collection.is_empty() || o.key.is_empty() || o.value.is_empty() {
        return Err(gateway_err(
            Code::InvalidArgument,
            "Invalid collection or key value supplied. They must be set.",
        ));
    }
    if let Some(p) = o.permission_read {
        if !(0..=2).contains(&p) {
            return Err(gateway_err(
                Code::InvalidArgument,
                "Invalid Read permission supplied. It must be either 0, 1 or 2.",
            ));
        }
    }
    if let Some(p) = o.permission_write {
        if !(0..=1).contains(&p) {
            return Err(gateway_err(
                Code::InvalidArgument,
                "Invalid Write permission supplied. It must be either 0 or 1.",
            ));
        }
    }
    match serde_json::from_str::<Value>(&o.value) {
        Ok(Value::Object(_)) => Ok(()),
        _ => Err(gateway_err(
            Code::InvalidArgument,
            "Value must be a JSON object.",
        )),
    }
}

pub(super) async fn write(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    hooked_db_call::<hook::WriteStorageObjects, _>(&app, &headers, body, |claims, req| {
        for o in &req.objects {
            validate_write(o)?;
        }
        let writes: Vec<nk::StorageWriteOp> = req
            .objects
            .iter()
            .map(|o| nk::StorageWriteOp {
                collection: o.collection.clone(),
                key: o.key.clone(),
                user_id: claims.uid.clone(),
                value: o.value.clone(),
                version: o.version.clone(),
                permission_read: o.permission_read.unwrap_or(1),
                permission_write: o.permission_write.unwrap_or(1),
            })
            .collect();
        let uid = claims.uid.clone();
        Ok(move |c: &mut db::Conn| {
            db::storage_write(c, Caller::Client(&uid), &writes)
                .map(|acks| api::StorageObjectAcks { acks })
        })
    })
    .await
}

pub(super) async fn read(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    hooked_db_call::<hook::ReadStorageObjects, _>(&app, &headers, body, |claims, req| {
        for o in &req.object_ids {
            validate_read(o)?;
        }
        let reads: Vec<nk::StorageReadOp> = req
            .object_ids
            .iter()
            .map(|o| nk::StorageReadOp {
                collection: o.collection.clone(),
                key: o.key.clone(),
                user_id: o.user_id.clone(),
            })
            .collect();
        let uid = claims.uid.clone();
        Ok(move |c: &mut db::Conn| {
            db::storage_read(c, Caller::Client(&uid), &reads)
                .map(|objects| api::StorageObjects { objects })
        })
    })
    .await
}

pub(super) async fn delete(State(app): Shared, headers: HeaderMap, body: Body) -> Response {
    hooked_db_call::<hook::DeleteStorageObjects, _>(&app, &headers, body, |claims, req| {
        if req
            .object_ids
            .iter()
            .any(|o| o.collection.is_empty() || o.key.is_empty())
        {
            return Err(gateway_err(
                Code::InvalidArgument,
                "Invalid collection or key value supplied. They must be set.",
            ));
        }
        let deletes: Vec<nk::StorageDeleteOp> = req
            .object_ids
            .iter()
            .map(|o| nk::StorageDeleteOp {
                collection: o.collection.clone(),
                key: o.key.clone(),
                user_id: claims.uid.clone(),
                version: o.version.clone(),
            })
            .collect();
        let uid = claims.uid.clone();
        Ok(move |c: &mut db::Conn| db::storage_delete(c, Caller::Client(&uid), &deletes))
    })
    .await
}

pub(super) async fn list(
    state: Shared,
    Vars([collection]): Vars<1>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let user = match query_map(&uri).and_then(|q| query_text(&q, "user_id")) {
        Ok(u) => u.unwrap_or_default(),
        Err(r) => return r,
    };
    list_objects(state, collection, user, uri, headers).await
}

pub(super) async fn list_user(
    state: Shared,
    Vars([collection, user_id]): Vars<2>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    list_objects(state, collection, user_id, uri, headers).await
}

async fn list_objects(
    State(app): Shared,
    collection: String,
    user_id: String,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let req = (|| {
        let query = query_map(&uri)?;
        Ok::<_, Response>(api::ListStorageObjectsRequest {
            user_id,
            collection,
            limit: Some(query_number(&query, "limit")?.unwrap_or(1)),
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
        .before::<hook::ListStorageObjects>(Some(&claims), req)
        .await
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let limit = req.limit.unwrap_or(1);
    if !(1..=100).contains(&limit) {
        return gateway_err(
            Code::InvalidArgument,
            "Invalid limit - limit must be between 1 and 100.",
        );
    }
    if !req.user_id.is_empty() && crate::channels::go_uuid(&req.user_id).is_none() {
        return gateway_err(
            Code::InvalidArgument,
            "Invalid user ID - make sure user ID is a valid UUID.",
        );
    }
    let uid = claims.uid.clone();
    let r = req.clone();
    match app
        .db
        .run(move |c| {
            db::storage_list(
                c,
                Caller::Client(&uid),
                &r.user_id,
                &r.collection,
                limit,
                &r.cursor,
            )
        })
        .await
    {
        Ok(list) => {
            let out = api::StorageObjectList {
                objects: list.objects,
                cursor: list.cursor,
            };
            app.after::<hook::ListStorageObjects>(Some(&claims), &out, &req)
                .await;
            gateway_ok(&out)
        }
        // The database failed, as it does for text with a NUL.
        Err(e) if e.code == Code::Internal => {
            gateway_err(Code::Internal, "Error listing storage objects.")
        }
        Err(e) => gateway_call_err(e),
    }
}
