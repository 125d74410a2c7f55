//! The dev host's side of the module ABI: module log lines and the nk
//! functions, answered from SQLite.

use std::sync::Arc;

use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::Code;
use nakama_runtime_host::{BoxFuture, CallError, CallInfo, HostApi, LogRecord};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};

use crate::db::{self, Caller, Db};
use crate::log::{Level, Logger};

/// Implements [`HostApi`] for the dev host.
pub struct DevHostApi {
    pub db: Db,
    pub log: Logger,
}

fn decode<T: DeserializeOwned>(function: &str, args: &[u8]) -> Result<T, CallError> {
    serde_json::from_slice(args).map_err(|e| {
        CallError::new(
            Code::InvalidArgument,
            format!("{function}: bad arguments: {e}"),
        )
    })
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, CallError> {
    serde_json::to_vec(v).map_err(|e| CallError::new(Code::Internal, e.to_string()))
}

/// Runs one nk function on the database.
fn call<F: NkFunction>(
    db: &Db,
    args: &[u8],
    f: impl FnOnce(&mut rusqlite::Connection, F::Args) -> Result<F::Output, CallError> + Send + 'static,
) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
    let parsed = decode::<F::Args>(F::NAME, args);
    let db = db.clone();
    Box::pin(async move {
        let args = parsed?;
        let out = db.run(move |c| f(c, args)).await?;
        encode(&out)
    })
}

impl HostApi for DevHostApi {
    fn log(&self, r: LogRecord<'_>) {
        let level = Level::from_abi(r.level);
        if !self.log.enabled(level) {
            return;
        }
        let mut fields = Map::new();
        fields.insert("runtime".into(), "rust".into());
        if let Some(id) = &r.call.rpc_id {
            fields.insert("rpc_id".into(), id.as_str().into());
        }
        if let Some(id) = &r.call.api_id {
            fields.insert("api_id".into(), id.as_str().into());
            fields.insert("mode".into(), r.call.mode.into());
        }
        if let Some(t) = &r.call.trace_id {
            fields.insert("trace_id".into(), t.as_str().into());
        }
        if !r.fields.is_empty() {
            if let Ok(Value::Object(extra)) = serde_json::from_str::<Value>(r.fields) {
                for (k, v) in extra {
                    fields.entry(k).or_insert(v);
                }
            }
        }
        self.log.write(level, r.caller, r.message, &fields);
    }

    fn nk_call(
        &self,
        _call: Arc<CallInfo>,
        function: String,
        args: Vec<u8>,
    ) -> BoxFuture<'static, Result<Vec<u8>, CallError>> {
        let db = &self.db;
        match function.as_str() {
            nk::AccountGetId::NAME => call::<nk::AccountGetId>(db, &args, |c, a| {
                if uuid::Uuid::parse_str(&a.user_id).is_err() {
                    return Err(CallError::new(Code::InvalidArgument, "invalid user id"));
                }
                db::account(c, &a.user_id)?
                    .ok_or_else(|| CallError::new(Code::NotFound, "account not found"))
            }),
            nk::UsersGetId::NAME => {
                call::<nk::UsersGetId>(db, &args, |c, a| db::users(c, &a.user_ids))
            }
            nk::StorageRead::NAME => call::<nk::StorageRead>(db, &args, |c, a| {
                db::storage_read(c, Caller::Server, &a.reads)
            }),
            nk::StorageWrite::NAME => call::<nk::StorageWrite>(db, &args, |c, a| {
                db::storage_write(c, Caller::Server, &a.writes)
            }),
            nk::StorageDelete::NAME => call::<nk::StorageDelete>(db, &args, |c, a| {
                db::storage_delete(c, Caller::Server, &a.deletes)
            }),
            nk::StorageList::NAME => call::<nk::StorageList>(db, &args, |c, a| {
                let caller = if a.caller_id.is_empty() {
                    Caller::Server
                } else {
                    Caller::Client(&a.caller_id)
                };
                db::storage_list(c, caller, &a.user_id, &a.collection, a.limit, &a.cursor)
            }),
            nk::WalletUpdate::NAME => call::<nk::WalletUpdate>(db, &args, |c, a| {
                db::wallet_update(c, &a.user_id, &a.changeset, &a.metadata, a.update_ledger)
            }),
            nk::NotificationSend::NAME => {
                call::<nk::NotificationSend>(db, &args, |c, a| db::notification_send(c, &a))
            }
            other => {
                let message = format!(
                    "nk function `{other}` is not implemented by the dev host; run the module on a real Nakama through the bridge"
                );
                Box::pin(async move { Err(CallError::new(Code::Unimplemented, message)) })
            }
        }
    }
}
