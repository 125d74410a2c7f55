//! The Nakama Rust dev host: loads Rust modules and serves them behind
//! Nakama's client HTTP API on one port, with an embedded SQLite database.
//!
//! Layout: [`config`] (Nakama-style YAML and flags), [`log`] (Nakama-style
//! JSON lines), [`db`] (SQLite: accounts, storage, wallets, notifications),
//! [`session`] (JWT session tokens), [`nk`] (the nk functions modules call),
//! [`http`] (the routes), and [`start`], which puts them together.

pub mod config;
pub mod db;
pub mod http;
pub mod log;
pub mod nk;
pub mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use nakama_runtime_host::abi::{mode, ContextData};
use nakama_runtime_host::{LoadEvent, Modules};
use serde_json::Value;

/// The version the dev host reports in the runtime context.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "+nakama-devhost");

/// A running dev host.
pub struct Running {
    pub addr: SocketAddr,
    pub server: tokio::task::JoinHandle<std::io::Result<()>>,
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
    let api = Arc::new(nk::DevHostApi {
        db: db.clone(),
        log: log.clone(),
        sessions: sessions.clone(),
    });
    let init_ctx = ContextData {
        env,
        execution_mode: mode::RUN_ONCE.into(),
        node: config.name.clone(),
        version: VERSION.into(),
        ..Default::default()
    };
    if !config.runtime_path.exists() {
        std::fs::create_dir_all(&config.runtime_path).map_err(|e| {
            format!(
                "cannot create runtime.path {}: {e}",
                config.runtime_path.display()
            )
        })?;
    }
    let modules = Modules::load(&config.runtime_path, api, init_ctx, |event| match event {
        LoadEvent::Skipped { file, reason } => log.warn(
            "Skipping file that is not a Rust module",
            &[
                ("path", file.display().to_string().into()),
                ("reason", reason.into()),
            ],
        ),
        LoadEvent::Loaded {
            name,
            file,
            sdk_version,
            abi,
        } => log.info(
            "Rust module loaded",
            &[
                ("name", name.into()),
                ("path", file.display().to_string().into()),
                ("sdk_version", sdk_version.into()),
                ("abi", format!("{}.{}", abi.0, abi.1).into()),
            ],
        ),
        LoadEvent::Registered { module, kind, id } => {
            let msg = match kind {
                "rpc" => "Registered Rust runtime RPC function invocation",
                "before hook" => "Registered Rust runtime Before function invocation",
                _ => "Registered Rust runtime After function invocation",
            };
            let id = if kind == "rpc" { id } else { id.to_lowercase() };
            log.info(msg, &[("id", id.into()), ("module", Value::from(module))]);
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    let host = if config.socket_address.is_empty() {
        "0.0.0.0"
    } else {
        &config.socket_address
    };
    let listener = tokio::net::TcpListener::bind((host, config.socket_port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{}: {e}", config.socket_port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = Arc::new(http::App {
        config,
        db,
        modules,
        sessions,
        log: log.clone(),
    });
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
    Ok(Running { addr, server })
}
