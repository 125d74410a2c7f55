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
pub mod gojson;
pub mod groups;
pub mod http;
pub mod log;
pub mod matches;
pub mod matchmaker;
pub mod modules;
pub mod nk;
pub mod online;
pub mod parties;
pub mod query;
pub mod realtime;
pub mod scheduler;
pub mod session;
pub mod status;
pub mod streams;

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
    /// Its matches, to end when it stops ([`matches::Matches::shutdown`]).
    pub matches: matches::Matches,
    /// `shutdown_grace_sec`.
    pub shutdown_grace: std::time::Duration,
}

/// Loads the modules, opens the database and starts serving.
pub async fn start(config: config::Config, warnings: Vec<String>) -> Result<Running, String> {
    let log = log::Logger::new(&config.logger_level, &config.logger_format);
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
    let matches = matches::Matches::new(&config.name, VERSION, log.clone());
    let online = online::Online::default();
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
    let extras = nk::Extras::new(config.runtime_path.clone());
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
    matches.set_modules(modules.clone());
    events.set_modules(modules.clone());
    scheduler.set_modules(modules.clone());
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
    matchmaker.start();
    let host = if config.socket_address.is_empty() {
        "0.0.0.0"
    } else {
        &config.socket_address
    };
    let listener = tokio::net::TcpListener::bind((host, config.socket_port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{}: {e}", config.socket_port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let reload = config.runtime_reload;
    let node = config.name.clone();
    let shutdown_grace = std::time::Duration::from_secs(config.shutdown_grace_sec);
    let app = Arc::new(http::App {
        config,
        db,
        modules: ArcSwap::new(modules),
        sessions,
        matches: matches.clone(),
        matchmaker: matchmaker.clone(),
        channels,
        online,
        status,
        events,
        scheduler,
        parties: {
            let parties = parties::Parties::new(&node, Some(matchmaker.clone()));
            extras.set_parties(parties.clone());
            parties
        },
        log: log.clone(),
    });
    if reload {
        modules::watch(app.clone(), loader);
    }
    let router = http::router(app);
    // Small request/response exchanges: send at once, as Go's net/http does.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    // The peer address reaches handlers (the context's client_ip/port).
    let service = axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<
        std::net::SocketAddr,
    >(router);
    let server = tokio::spawn(async move { axum::serve(listener, service).await });
    log.info("Startup done", &[("address", addr.to_string().into())]);
    Ok(Running {
        addr,
        server,
        matches,
        shutdown_grace,
    })
}
