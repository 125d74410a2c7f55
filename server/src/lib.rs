//! The Nakama Rust dev host: loads Rust modules and serves them behind
//! Nakama's client HTTP API on one port, with an embedded SQLite database.
//!
//! Layout: [`config`] (Nakama-style YAML and flags), [`log`] (Nakama-style
//! JSON lines), [`db`] (SQLite: accounts, storage, wallets, notifications),
//! [`session`] (JWT session tokens), [`nk`] (the nk functions modules call),
//! [`modules`] (loading the modules folder, and again after a change),
//! [`http`] (the routes), [`realtime`] (the realtime socket, `/ws`),
//! [`channels`] (chat channels: their members and history), [`parties`]
//! (realtime sessions' parties), [`status`]
//! (who follows whose status, and who is online), and
//! [`start`], which puts them together.

pub mod channels;
pub mod config;
pub mod db;
pub mod events;
pub mod friends;
pub mod gobody;
pub mod gochars;
pub mod gojson;
pub mod goregexp;
pub mod groups;
pub mod http;
pub mod log;
pub mod matches;
pub mod matchmaker;
pub mod metrics;
pub mod modules;
pub mod nk;
pub mod online;
pub mod parties;
pub mod protojson;
pub mod query;
pub mod realtime;
pub mod scheduler;
pub mod session;
pub mod status;
pub mod storage_index;
pub mod streams;
pub mod vellum;

use std::net::SocketAddr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use nakama_runtime_host::abi::{mode, ContextData};

/// The version the dev host reports in the runtime context.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+nakama-devhost");

/// A running dev host.
pub struct Running {
    pub addr: SocketAddr,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
    /// What to do when it is told to stop ([`Shutdown::run`]).
    pub shutdown: Shutdown,
}

/// A dev host's stop on a termination signal, as Nakama's
/// (server/shutdown.go): with `shutdown_grace_sec` above 0, the modules'
/// shutdown hook runs while the matches get `terminate`, both cut short
/// when the grace period ends; with 0, matches stop at once and the hook
/// does not run.
#[derive(Clone)]
pub struct Shutdown {
    app: Arc<http::App>,
    grace: std::time::Duration,
}

impl Shutdown {
    pub async fn run(&self) {
        let (app, grace) = (&self.app, self.grace);
        if grace.is_zero() {
            app.log.info("Shutdown started", &[]);
            app.matches.shutdown(grace).await;
            return;
        }
        app.log.info(
            "Shutdown started - use CTRL^C to force stop server",
            &[("grace_period_sec", grace.as_secs().into())],
        );
        let modules = app.modules.load_full();
        let hook = async {
            let ctx = ContextData {
                execution_mode: mode::SHUTDOWN.into(),
                node: app.config.name.clone(),
                version: VERSION.into(),
                ..Default::default()
            };
            if let Some(Err(e)) = modules.call_shutdown(&ctx).await {
                app.log.error(
                    "Runtime shutdown function returned an error",
                    &[("error", e.to_string().into())],
                );
            }
        };
        let both = futures_util::future::join(app.matches.shutdown(grace), hook);
        if tokio::time::timeout(grace, both).await.is_err() {
            app.log.info("Shutdown grace period expired", &[]);
        }
    }
}

/// Loads the modules, opens the database and starts serving.
pub async fn start(config: config::Config, warnings: Vec<String>) -> Result<Running, String> {
    let log = log::Logger::new(&config.logger_level.to_lowercase(), &config.logger_format);
    for key in &warnings {
        log.warn(
            "Unknown configuration key ignored; check its spelling",
            &[("key", key.as_str().into())],
        );
    }
    for param in config.insecure_defaults() {
        log.warn(
            "WARNING: insecure default parameter value, change this for production!",
            &[("param", param.into())],
        );
    }
    let db = db::Db::open(&config.database_path())?;
    let env = config.env_map();
    let sessions = Arc::new(session::Sessions::new(
        &config.session_encryption_key,
        &config.session_refresh_encryption_key,
        config.session_token_expiry_sec,
        config.session_refresh_token_expiry_sec,
    ));
    let online = online::Online::default();
    let matches = matches::Matches::new(&config.name, VERSION, log.clone(), online.streams.clone());
    matches.set_max_empty_sec(config.match_max_empty_sec.unsigned_abs());
    let channels = channels::Channels::new(db.clone(), online.clone(), log.clone());
    let status = status::Statuses::new(db.clone(), log.clone());
    let init_ctx = ContextData {
        env,
        execution_mode: mode::RUN_ONCE.into(),
        node: config.name.clone(),
        version: VERSION.into(),
        ..Default::default()
    };
    let events = events::Events::new(
        config.runtime_event_queue_size,
        config.runtime_event_queue_workers,
        &init_ctx,
        log.clone(),
    );
    let scheduler = scheduler::Scheduler::new(db.clone(), &init_ctx, log.clone());
    let mut extras = nk::Extras::new(config.runtime_path.clone(), config.server_config());
    // As Nakama: settings given but incomplete are a warning, and every
    // Satori call then answers that the configuration is invalid.
    if let Some(problem) = config.satori.problems() {
        log.warn(&problem, &[]);
    }
    extras.satori = nk::satori::Satori::new(config.satori.clone(), log.clone());
    let storage_indexes = storage_index::StorageIndexes::new(db.clone(), &init_ctx, log.clone());
    let metrics = Arc::new(metrics::Metrics::new(&config.metrics, &config.name));
    let api = Arc::new(nk::DevHostApi {
        db: db.clone(),
        log: log.clone(),
        sessions: sessions.clone(),
        matches: matches.clone(),
        online: online.clone(),
        channels: channels.clone(),
        status: status.clone(),
        events: events.clone(),
        misc: extras.clone(),
        storage_indexes: storage_indexes.clone(),
        metrics: metrics.clone(),
    });
    if !config.runtime_path.exists() {
        std::fs::create_dir_all(&config.runtime_path).map_err(|e| {
            format!(
                "cannot create runtime.path {}: {e}",
                config.runtime_path.display()
            )
        })?;
    }
    let copies = config
        .runtime_reload
        .then(|| config.data_dir.join("modules-loaded"));
    let mut loader = modules::Loader::new(
        config.runtime_path.clone(),
        copies,
        api,
        init_ctx,
        log.clone(),
    )?;
    let modules = Arc::new(loader.load().await.map_err(|e| e.to_string())?);
    let http_routes = http::custom::Routes::new(modules.clone(), &log)?;
    matches.set_modules(modules.clone());
    events.set_modules(modules.clone());
    scheduler.set_modules(modules.clone());
    storage_indexes.set_modules(modules.clone()).await;
    extras.fleet.set_modules(modules.clone());
    scheduler.start();
    let matchmaker = matchmaker::Matchmaker::new(
        config.matchmaker.clone(),
        &config.name,
        VERSION,
        &config.session_encryption_key,
        log.clone(),
        online.clone(),
    );
    matchmaker.set_modules(modules.clone());
    matchmaker.set_metrics(metrics.clone());
    matches.set_metrics(metrics.clone());
    matchmaker.start();
    let host = if config.socket_address.is_empty() {
        "0.0.0.0".to_string()
    } else {
        config.socket_address.clone()
    };
    let listener = tokio::net::TcpListener::bind((host.as_str(), config.socket_port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{}: {e}", config.socket_port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let reload = config.runtime_reload;
    let config_metrics_port = config.metrics.prometheus_port;
    let node = config.name.clone();
    let shutdown_grace = std::time::Duration::from_secs(config.shutdown_grace_sec);
    let parties = parties::Parties::new(
        &node,
        Some(matchmaker.clone()),
        Some(online.streams.clone()),
    );
    extras.set_parties(parties.clone());
    if config.party_idle_check_interval_ms > 0 {
        let every = std::time::Duration::from_millis(config.party_idle_check_interval_ms as u64);
        let parties = parties.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            // As Go's ticker, which Nakama's check uses: a stalled check is
            // not made up for with back-to-back ones.
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                parties.close_idle();
            }
        });
    }
    metrics.state_from({
        let (online, status) = (online.clone(), status.clone());
        let (matches, parties) = (matches.clone(), parties.clone());
        move || {
            let sessions = online.session_count();
            metrics::ServerState {
                sessions,
                // Every socket is on its notification stream.
                presences: sessions
                    + status.presence_count()
                    + matches.presence_count()
                    + parties.presence_count()
                    + online.streams.presence_count(),
                authoritative_matches: matches.count(),
                parties: parties.count(),
            }
        }
    });
    let app = Arc::new(http::App {
        config,
        db,
        modules: ArcSwap::new(modules),
        http_routes: ArcSwap::from_pointee(http_routes),
        console_open: Default::default(),
        sessions,
        matches: matches.clone(),
        matchmaker: matchmaker.clone(),
        channels,
        online,
        status,
        events,
        scheduler,
        storage_indexes,
        fleet: extras.fleet.clone(),
        parties,
        metrics: metrics.clone(),
        log: log.clone(),
    });
    // A module's session_disconnect leaves everything at once; weak, as
    // the app holds what holds this.
    let weak = Arc::downgrade(&app);
    app.online.set_leaver(move |user_id, session_id, reason| {
        if let Some(app) = weak.upgrade() {
            realtime::leave_session(&app, user_id, session_id, reason);
        }
    });
    http::console::open_if_needed(&app).await?;
    if reload {
        modules::watch(app.clone(), loader);
    }
    let shutdown = Shutdown {
        app: app.clone(),
        grace: shutdown_grace,
    };
    let router = http::router(app);
    let server = tokio::spawn(http::serve::serve(listener, router, http::serve::API_HEAD));
    if metrics.enabled() {
        let port = config_metrics_port;
        let at = metrics::Metrics::serve(metrics, &host, port).await?;
        log.info(
            "Starting Prometheus server for metrics requests",
            &[("address", at.to_string().into())],
        );
    }
    log.info("Startup done", &[("address", addr.to_string().into())]);
    Ok(Running {
        addr,
        server,
        shutdown,
    })
}
