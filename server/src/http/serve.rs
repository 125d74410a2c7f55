//! The HTTP/1.1 server under the API and console ports, with the limit
//! Go's net/http puts on a request's head: Nakama's API server answers a
//! request whose line and headers pass 9216 bytes with 431 (its
//! `MaxHeaderBytes` of 5120, plus the 4096 Go's server reads past it), a
//! client's long GET query or large header included. axum::serve sets no
//! such limit, so this is hyper's HTTP/1 server set up as axum's is.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

use super::Conn;

/// The most bytes of a request's line and headers Nakama's API server
/// takes.
pub const API_HEAD: usize = 5120 + 4096;

/// The console's: Go's default `MaxHeaderBytes` (1 MB) plus the same 4096.
pub const CONSOLE_HEAD: usize = (1 << 20) + 4096;

/// hyper's read buffer, unless a head may be longer (its own default).
const READ_BUFFER: usize = 8192 + 4096 * 100;

/// Serves `app` (the API's or the console's router) on `listener` until
/// the task is dropped: each
/// connection's addresses reach handlers as axum's `ConnectInfo<Conn>`,
/// upgrades (the realtime socket) are served, and a request whose head
/// passes `max_head` bytes is answered 431, its connection closed.
pub async fn serve<S>(mut listener: TcpListener, app: S, max_head: usize) -> std::io::Result<()>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    loop {
        // axum's accept, which waits out what a failed accept allows.
        let (tcp, peer) = axum::serve::Listener::accept(&mut listener).await;
        let conn = Conn {
            peer,
            local: tcp.local_addr().unwrap_or(peer),
        };
        // Small request/response exchanges: send at once, as Go's net/http does.
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(conn));
            tower::ServiceExt::oneshot(app.clone(), request)
        });
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            // The timer lets hyper's 30 s wait for a request's head run.
            http.timer(TokioTimer::new())
                .max_header_size(max_head)
                .max_buf_size(max_head.max(READ_BUFFER));
            let served = http.serve_connection(TokioIo::new(tcp), service);
            let _ = served.with_upgrades().await;
        });
    }
}
