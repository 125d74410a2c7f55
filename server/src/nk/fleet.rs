//! The fleet manager nk functions (`fleet_*`), answered by the fleet
//! manager a module registered (ABI 1.12, `init.register_fleet_manager`),
//! as Nakama answers them from the one a Go module registered.
//!
//! `fleet_create` hands the module's `create` a callback id and waits for
//! the module to call `fleet_callback` with it (Nakama's
//! `FmCallbackHandler`: `GenerateCallbackId`, `SetCallback`,
//! `InvokeCallback`), at most [`CREATE_WAIT`], as the bridge does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nakama_runtime_host::abi::fleet_manager::{op, CreateRequest};
use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::{Code, ContextData};
use nakama_runtime_host::{BoxFuture, CallContext, CallError, Callee, Modules};
use tokio::sync::oneshot;

use super::{decode, encode, NO_FLEET_MANAGER};

/// How long `fleet_create` waits for the module's callback (the bridge's
/// bound too: a platform's placement can take minutes, but a fleet
/// manager that never calls back must not hold the call for ever).
pub const CREATE_WAIT: Duration = Duration::from_secs(600);

/// What `fleet_create` answers when the callback did not come in time.
const NO_CALLBACK: &str = "the fleet manager did not call back within 10 minutes of Create";

/// The modules' fleet manager and the creates waiting on it; cheap to
/// clone.
#[derive(Clone, Default)]
pub struct Fleet {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The modules loaded now (they change on a reload).
    modules: Mutex<Option<Arc<Modules>>>,
    /// Each `fleet_create` waiting for its callback, by callback id.
    waiting: Mutex<HashMap<String, oneshot::Sender<nk::FleetCallbackArgs>>>,
}

impl Fleet {
    /// The modules whose fleet manager (if any) answers from now on.
    pub fn set_modules(&self, modules: Arc<Modules>) {
        *lock(&self.inner.modules) = Some(modules);
    }

    /// Answers `fleet_*` nk function `name` in `caller`'s context (that of
    /// the call asking, which the fleet manager's function gets); `None`
    /// for another name.
    pub fn call(
        &self,
        name: &str,
        caller: ContextData,
        args: &[u8],
    ) -> Option<BoxFuture<'static, Result<Vec<u8>, CallError>>> {
        enum Function {
            /// The nk function's arguments are the fleet manager
            /// function's input, and its answer the nk function's.
            Forward(&'static str),
            Create,
            Callback,
        }
        let function = match name {
            nk::FleetGet::NAME => Function::Forward(op::GET),
            nk::FleetList::NAME => Function::Forward(op::LIST),
            nk::FleetJoin::NAME => Function::Forward(op::JOIN),
            nk::FleetCreate::NAME => Function::Create,
            nk::FleetCallback::NAME => Function::Callback,
            _ => return None,
        };
        let modules = lock(&self.inner.modules)
            .clone()
            .filter(|m| m.has_fleet_manager());
        let Some(modules) = modules else {
            return Some(Box::pin(async {
                Err(CallError::new(Code::FailedPrecondition, NO_FLEET_MANAGER))
            }));
        };
        let fleet = self.clone();
        let args = args.to_vec();
        Some(Box::pin(async move {
            match function {
                Function::Forward(function) => {
                    let out = call(&modules, function, &caller, &args).await?;
                    check_answer(function, &out)?;
                    Ok(out)
                }
                Function::Create => fleet.create(&modules, &caller, &args).await,
                Function::Callback => {
                    let args = decode::<nk::FleetCallbackArgs>(nk::FleetCallback::NAME, &args)?;
                    if let Some(i) = &args.instance {
                        check_time(i).map_err(|e| CallError::new(Code::InvalidArgument, e))?;
                    }
                    fleet.callback(args);
                    encode(&())
                }
            }
        }))
    }

    /// `fleet_create`: the module's `create` with a callback id, then its
    /// callback, with what `create` answered.
    async fn create(
        &self,
        modules: &Modules,
        caller: &ContextData,
        args: &[u8],
    ) -> Result<Vec<u8>, CallError> {
        let a = decode::<nk::FleetCreateArgs>(nk::FleetCreate::NAME, args)?;
        let callback_id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        // Set before `create` runs: a fleet manager may call back before
        // it answers.
        lock(&self.inner.waiting).insert(callback_id.clone(), tx);
        let request = CreateRequest {
            max_players: a.max_players,
            user_ids: a.user_ids,
            latencies: a.latencies,
            metadata: a.metadata,
            callback_id: callback_id.clone(),
        };
        let answered = match encode(&request) {
            Ok(input) => call(modules, op::CREATE, caller, &input).await,
            Err(e) => Err(e),
        };
        let info: HashMap<String, String> = match answered.and_then(|out| {
            serde_json::from_slice(&out).map_err(|e| {
                CallError::new(
                    Code::Internal,
                    format!(
                        "the fleet manager's create answered what is not an object of strings: {e}"
                    ),
                )
            })
        }) {
            Ok(info) => info,
            Err(e) => {
                lock(&self.inner.waiting).remove(&callback_id);
                return Err(e);
            }
        };
        let called = tokio::time::timeout(CREATE_WAIT, rx).await;
        lock(&self.inner.waiting).remove(&callback_id);
        match called {
            Ok(Ok(c)) => encode(&nk::FleetCreated {
                info,
                status: c.status,
                instance: c.instance,
                sessions: c.sessions,
                metadata: c.metadata,
                error: c.error,
            }),
            // The sender went without a callback: only when the host
            // drops its state, as when it stops.
            Ok(Err(_)) => Err(CallError::new(
                Code::Unavailable,
                "the server stopped before the fleet manager called back",
            )),
            Err(_) => Err(CallError::new(Code::DeadlineExceeded, NO_CALLBACK)),
        }
    }

    /// `fleet_callback`: the `fleet_create` waiting on the id answers. An
    /// id nothing waits on (any more) is ignored, as Nakama's
    /// `InvokeCallback` does.
    fn callback(&self, args: nk::FleetCallbackArgs) {
        if let Some(tx) = lock(&self.inner.waiting).remove(&args.callback_id) {
            let _ = tx.send(args);
        }
    }
}

/// Refuses an answer of `function` with an instance whose `create_time`
/// Nakama could not read, as the bridge does (Go's `time.Time` is
/// between a Rust fleet manager and its askers there): a mistake found on
/// the dev host rather than in production.
fn check_answer(function: &str, out: &[u8]) -> Result<(), CallError> {
    let instances: Vec<nk::FleetInstance> = match function {
        op::GET => serde_json::from_slice::<nk::FleetInstance>(out)
            .map(|i| vec![i])
            .unwrap_or_default(),
        op::LIST => serde_json::from_slice::<nk::FleetInstanceList>(out)
            .map(|l| l.instances)
            .unwrap_or_default(),
        op::JOIN => serde_json::from_slice::<nk::FleetJoinInfo>(out)
            .map(|j| j.instance_info.into_iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    instances.iter().try_for_each(check_time).map_err(|e| {
        CallError::new(
            Code::Internal,
            format!("the Rust fleet manager's {function} answered what does not decode: {e}"),
        )
    })
}

/// An instance's `create_time`: empty (unknown) or RFC 3339.
fn check_time(i: &nk::FleetInstance) -> Result<(), String> {
    if i.create_time.is_empty() || chrono::DateTime::parse_from_rfc3339(&i.create_time).is_ok() {
        Ok(())
    } else {
        Err(format!(
            "instance {}: create_time {:?} is not RFC 3339",
            i.id, i.create_time
        ))
    }
}

/// Calls the fleet manager's `function` with `input` in `caller`'s
/// context; its errors come back as it gave them.
async fn call(
    modules: &Modules,
    function: &str,
    caller: &ContextData,
    input: &[u8],
) -> Result<Vec<u8>, CallError> {
    match modules
        .call(
            Callee::FleetManager(function),
            CallContext::new(caller),
            input,
        )
        .await
    {
        Some(out) => out.map(|o| o.into_vec()),
        // A module of this load registered every function (the SDK
        // does); one that did not is refused here rather than answered
        // by nothing.
        None => Err(CallError::new(
            Code::Unimplemented,
            format!("the fleet manager has no function {function}"),
        )),
    }
}

/// A poisoned lock only means a panic elsewhere while it was held; the
/// map and the slot stay usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_a_fleet_manager_every_function_is_refused_and_others_are_not_fleet() {
        let fleet = Fleet::default();
        for name in [
            "fleet_get",
            "fleet_list",
            "fleet_create",
            "fleet_join",
            "fleet_callback",
        ] {
            let err = fleet
                .call(name, ContextData::default(), b"{}")
                .expect("a fleet function")
                .await
                .unwrap_err();
            assert_eq!(
                (err.code, err.message.as_str()),
                (Code::FailedPrecondition, NO_FLEET_MANAGER),
                "{name}"
            );
        }
        assert!(fleet
            .call("fleet_scale", ContextData::default(), b"{}")
            .is_none());
    }

    #[tokio::test]
    async fn a_callback_reaches_the_create_waiting_on_its_id_once() {
        let fleet = Fleet::default();
        let (tx, rx) = oneshot::channel();
        lock(&fleet.inner.waiting).insert("cb".into(), tx);
        // Another id is ignored, as Nakama ignores it.
        fleet.callback(nk::FleetCallbackArgs {
            callback_id: "other".into(),
            ..Default::default()
        });
        fleet.callback(nk::FleetCallbackArgs {
            callback_id: "cb".into(),
            status: 2,
            error: "no capacity".into(),
            ..Default::default()
        });
        let got = rx.await.unwrap();
        assert_eq!((got.status, got.error.as_str()), (2, "no capacity"));
        assert!(lock(&fleet.inner.waiting).is_empty());
    }

    #[test]
    fn instances_need_an_rfc_3339_create_time_or_none() {
        let at = |t: &str| nk::FleetInstance {
            id: "i1".into(),
            create_time: t.into(),
            ..Default::default()
        };
        assert!(check_time(&at("")).is_ok());
        assert!(check_time(&at("2026-12-03T15:00:00.25+01:00")).is_ok());
        assert_eq!(
            check_time(&at("yesterday")).unwrap_err(),
            r#"instance i1: create_time "yesterday" is not RFC 3339"#
        );
        let list = serde_json::to_vec(&nk::FleetInstanceList {
            instances: vec![at(""), at("3 Dec")],
            cursor: String::new(),
        })
        .unwrap();
        let err = check_answer(op::LIST, &list).unwrap_err();
        assert_eq!(err.code, Code::Internal);
        assert!(
            err.message.starts_with(
                "the Rust fleet manager's list answered what does not decode: instance i1"
            ),
            "{}",
            err.message
        );
        assert!(check_answer(op::GET, &serde_json::to_vec(&at("")).unwrap()).is_ok());
    }
}
