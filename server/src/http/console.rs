//! The console's port: the modules' custom console HTTP handlers
//! (`init.register_console_http`, Nakama's `RegisterConsoleHttp`, ABI
//! 1.10), and nothing else (the dev host has no console of its own).
//!
//! Nakama 3.40.0 (server/console.go) routes them on its console server
//! after its storage import, purchase notification and pprof routes and
//! before its console API, behind CORS (any origin) only: no body limit,
//! no compression, no authentication except under `/v2/console/hiro/`
//! (a console session), which the dev host, without console users, does
//! not ask for. Here a body is capped at
//! `console.max_message_size_bytes` (Nakama's limit of its console API),
//! and a request no handler takes is answered 404.
//!
//! The port is opened only once the modules register a console handler
//! (at startup, or after a reload that brings one), so that a dev host
//! without any does not take `console.port`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::Response;
use axum::Router;
use nakama_runtime_host::abi::Code;

use super::{custom, gateway_err, serve_custom, App, Shared};

/// Opens the console's port if the modules have a console handler and it
/// is not open yet: its address when this call opened it.
pub async fn open_if_needed(app: &Arc<App>) -> Result<Option<SocketAddr>, String> {
    if !app.http_routes.load().has_console() {
        return Ok(None);
    }
    let mut opened = false;
    let addr = app
        .console_open
        .get_or_try_init(|| async {
            opened = true;
            listen(app).await
        })
        .await?;
    Ok(opened.then_some(*addr))
}

/// Binds `console.address`:`console.port` and serves the console handlers
/// there.
async fn listen(app: &Arc<App>) -> Result<SocketAddr, String> {
    let c = &app.config;
    let host = if c.console_address.is_empty() {
        "0.0.0.0"
    } else {
        c.console_address.as_str()
    };
    let listener = tokio::net::TcpListener::bind((host, c.console_port))
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {host}:{} (console.port): {e}",
                c.console_port
            )
        })?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let router = Router::new()
        .fallback(console_http)
        .layer(super::cors(&[
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ]))
        .layer(axum::middleware::from_fn(super::clean_path))
        .with_state(app.clone());
    tokio::spawn(super::serve::serve(
        listener,
        router,
        super::serve::CONSOLE_HEAD,
    ));
    app.log.info(
        "Starting Console server gateway for HTTP requests",
        &[("port", addr.port().into())],
    );
    Ok(addr)
}

/// The first console handler that takes the request answers it.
async fn console_http(State(app): Shared, req: Request) -> Response {
    let routes = app.http_routes.load_full();
    let path = custom::decoded_path(req.uri().path());
    let Some(found) = routes.find_console(req.method().as_str(), &path) else {
        return gateway_err(Code::NotFound, "Not Found");
    };
    let limit = app.config.console_max_message_size_bytes;
    serve_custom(&app, &routes, found, req, &path, limit).await
}
