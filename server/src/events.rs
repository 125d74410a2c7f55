//! The event queue: what the modules' event handlers run from (Nakama's
//! `RuntimeEventQueue`, server/runtime_event.go). Events clients send
//! (`POST /v2/event`), those modules publish (the `event` nk function),
//! and realtime sessions' start and end are queued and handled by a fixed
//! number of workers after whatever sent them has gone on; when the queue
//! is full an event is dropped with Nakama's warning, never waited for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use nakama_runtime_host::abi::{api, mode, ContextData};
use nakama_runtime_host::{EventKind, Modules};
use tokio::sync::{mpsc, Notify, Semaphore};

use crate::log::Logger;

/// Nakama's `runtime.event_queue_size` default.
pub const QUEUE_SIZE: usize = 65536;
/// Nakama's `runtime.event_queue_workers` default.
pub const WORKERS: usize = 8;

/// A realtime session's `session_start` or `session_end` event at `now`
/// (seconds), with the end's `reason` (empty: the client closed).
pub fn session_event(name: &str, now: i64, reason: Option<&str>) -> api::Event {
    api::Event {
        name: name.into(),
        properties: reason
            .map(|r| [("reason".to_string(), r.to_string())].into())
            .unwrap_or_default(),
        timestamp: Some(crate::db::rfc3339(now)),
        external: false,
    }
}

/// The queue; cheap to clone.
#[derive(Clone)]
pub struct Events {
    inner: Arc<Inner>,
}

struct Inner {
    /// What every event's context starts from: mode `event`, the node,
    /// version and env.
    base: ContextData,
    /// The modules events queued from now on go to (a queued event keeps
    /// the modules it was queued for, as a call keeps its own).
    modules: Mutex<Option<Arc<Modules>>>,
    tx: mpsc::Sender<Job>,
    log: Logger,
    /// Events queued and not handled yet, and a wake-up when that falls
    /// to 0 ([`Events::settled`]).
    pending: AtomicUsize,
    settled: Notify,
}

struct Job {
    modules: Arc<Modules>,
    kind: EventKind,
    ctx: ContextData,
    event: api::Event,
}

impl Events {
    /// A queue of `size` events handled by `workers` at a time; the
    /// handlers' contexts have `init_ctx`'s node, version and env. Call
    /// from within a Tokio runtime: the workers are its tasks.
    pub fn new(size: usize, workers: usize, init_ctx: &ContextData, log: Logger) -> Events {
        let (tx, mut rx) = mpsc::channel::<Job>(size.max(1));
        let base = ContextData {
            execution_mode: mode::EVENT.into(),
            node: init_ctx.node.clone(),
            version: init_ctx.version.clone(),
            env: init_ctx.env.clone(),
            ..Default::default()
        };
        let inner = Arc::new(Inner {
            base,
            modules: Mutex::new(None),
            tx,
            log,
            pending: AtomicUsize::new(0),
            settled: Notify::new(),
        });
        let slots = Arc::new(Semaphore::new(workers.max(1)));
        let log = inner.log.clone();
        let queue = Arc::downgrade(&inner);
        tokio::spawn(async move {
            while let Some(job) = rx.recv().await {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let log = log.clone();
                let queue = queue.clone();
                tokio::spawn(async move {
                    let failed = job
                        .modules
                        .call_events(job.kind, &job.ctx, &job.event)
                        .await;
                    // Nakama's Go handlers return nothing; a Rust handler's
                    // error is worth a line.
                    for (module, e) in failed {
                        log.error(
                            "Runtime event handler returned an error",
                            &[
                                ("module", module.into()),
                                ("event", job.event.name.clone().into()),
                                ("code", e.code.as_u32().into()),
                                ("error", e.message.into()),
                            ],
                        );
                    }
                    drop(slot);
                    if let Some(q) = queue.upgrade() {
                        if q.pending.fetch_sub(1, Ordering::SeqCst) == 1 {
                            q.settled.notify_waiters();
                        }
                    }
                });
            }
        });
        Events { inner }
    }

    /// A queue no modules will ever handle events from (`check`: init
    /// runs with no server behind it). Needs no runtime.
    pub fn inert(log: Logger) -> Events {
        let (tx, _) = mpsc::channel(1);
        Events {
            inner: Arc::new(Inner {
                base: ContextData::default(),
                modules: Mutex::new(None),
                tx,
                log,
                pending: AtomicUsize::new(0),
                settled: Notify::new(),
            }),
        }
    }

    /// Waits until every event queued so far has been handled (tests).
    pub async fn settled(&self) {
        loop {
            // Registered before the check, so a wake-up in between counts.
            let mut woken = std::pin::pin!(self.inner.settled.notified());
            woken.as_mut().enable();
            if self.inner.pending.load(Ordering::SeqCst) == 0 {
                return;
            }
            woken.await;
        }
    }

    /// The modules events queued from now on are handled by.
    pub fn set_modules(&self, modules: Arc<Modules>) {
        *self.inner.modules.lock().unwrap_or_else(|e| e.into_inner()) = Some(modules);
    }

    fn modules(&self) -> Option<Arc<Modules>> {
        self.inner
            .modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Queues `event` for the handlers of `kind`, with `ctx` (the user's
    /// and session's part) as their context; nothing if no module handles
    /// that kind.
    pub fn publish(&self, kind: EventKind, ctx: ContextData, event: api::Event) {
        let Some(modules) = self.modules().filter(|m| m.has_event_handlers(kind)) else {
            return;
        };
        let base = &self.inner.base;
        let ctx = ContextData {
            execution_mode: base.execution_mode.clone(),
            node: base.node.clone(),
            version: base.version.clone(),
            env: base.env.clone(),
            ..ctx
        };
        let job = Job {
            modules,
            kind,
            ctx,
            event,
        };
        self.inner.pending.fetch_add(1, Ordering::SeqCst);
        if self.inner.tx.try_send(job).is_err() {
            self.inner.pending.fetch_sub(1, Ordering::SeqCst);
            self.inner
                .log
                .warn("Runtime event queue full, events may be lost", &[]);
        }
    }
}
