//! The leaderboard scheduler: runs the modules' tournament end, tournament
//! reset and leaderboard reset callbacks when their deadlines pass, as
//! Nakama's (server/leaderboard_scheduler.go) does. It looks once a second
//! at what fell due since it last looked ([`crate::db::schedule`]), by the
//! database's clock; a test host calls [`Scheduler::tick`] itself.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nakama_runtime_host::abi::{mode, ContextData};
use nakama_runtime_host::Modules;

use crate::db::schedule::{self, Due};
use crate::db::Db;
use crate::log::Logger;

/// The scheduler; cheap to clone.
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    /// Mode, node, version and env of the callbacks' context.
    base: ContextData,
    modules: Mutex<Option<Arc<Modules>>>,
    /// The time it last looked up to (deadlines at or before it are done).
    last: Mutex<i64>,
    log: Logger,
}

impl Scheduler {
    /// A scheduler from now on (deadlines already past are not run).
    pub fn new(db: Db, init_ctx: &ContextData, log: Logger) -> Scheduler {
        let now = db.clock().now();
        let base = ContextData {
            node: init_ctx.node.clone(),
            version: init_ctx.version.clone(),
            env: init_ctx.env.clone(),
            ..Default::default()
        };
        Scheduler {
            inner: Arc::new(Inner {
                db,
                base,
                modules: Mutex::new(None),
                last: Mutex::new(now),
                log,
            }),
        }
    }

    /// The modules whose callbacks run from now on.
    pub fn set_modules(&self, modules: Arc<Modules>) {
        *self.inner.modules.lock().unwrap_or_else(|e| e.into_inner()) = Some(modules);
    }

    /// Looks once a second, in a task of the current runtime.
    pub fn start(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(1));
            loop {
                every.tick().await;
                this.tick().await;
            }
        });
    }

    /// Runs what fell due since the last look, one callback after the
    /// other in deadline order; answers how many callbacks ran.
    pub async fn tick(&self) -> usize {
        let now = self.inner.db.clock().now();
        let from = {
            let mut last = self.inner.last.lock().unwrap_or_else(|e| e.into_inner());
            if now <= *last {
                return 0;
            }
            std::mem::replace(&mut *last, now)
        };
        let due = match self
            .inner
            .db
            .run(move |c| schedule::due(c, from, now))
            .await
        {
            Ok(d) => d,
            Err(e) => {
                self.inner.log.error(
                    "Leaderboard scheduler could not read the deadlines",
                    &[("error", e.message.into())],
                );
                return 0;
            }
        };
        let modules = self
            .inner
            .modules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(modules) = modules else { return 0 };
        let mut ran = 0;
        for d in due {
            let (mode, input, failed) = match &d {
                Due::TournamentEnd(c) => (
                    mode::TOURNAMENT_END,
                    serde_json::to_vec(c),
                    "Failed to invoke tournament end callback",
                ),
                Due::TournamentReset(c) => (
                    mode::TOURNAMENT_RESET,
                    serde_json::to_vec(c),
                    "Failed to invoke tournament reset callback",
                ),
                Due::LeaderboardReset(c) => (
                    mode::LEADERBOARD_RESET,
                    serde_json::to_vec(c),
                    "Failed to invoke leaderboard reset callback",
                ),
            };
            let Ok(input) = input else { continue };
            let ctx = ContextData {
                execution_mode: mode.into(),
                ..self.inner.base.clone()
            };
            match modules.call_scheduled(mode, &ctx, &input).await {
                None => {}
                Some(Ok(())) => ran += 1,
                Some(Err(e)) => {
                    ran += 1;
                    self.inner.log.warn(failed, &[("error", e.message.into())]);
                }
            }
        }
        ran
    }
}
