//! Nakama's realtime socket, `GET /ws`, in its JSON format: what
//! `@heroiclabs/nakama-js` and Nakama 3.40.0 speak (server/socket_ws.go,
//! session_ws.go, pipeline*.go; the envelope is nakama-common's rtapi).
//!
//! - The upgrade: `format` (`json` or absent; anything else is refused
//!   before the token is looked at), the session token from an
//!   `Authorization: Bearer` header or else `?token=` (missing, invalid,
//!   expired or logged out: 401 `Missing or invalid token`), `lang`
//!   (default `en`) and `status` (`true`: the session has a status
//!   presence, [`crate::status`]). Refusals are Go's `http.Error`
//!   answers: plain text with a newline.
//! - Envelopes are protobuf JSON as Nakama reads and writes it: proto field
//!   names (lowerCamelCase names are read too), int64 as strings, bytes as
//!   base64, enums as numbers, default values left out, `cid` echoed. An
//!   envelope that does not decode (unknown field, wrong type, two
//!   messages) closes the socket, as in Nakama.
//! - Handled: `ping` (answers `pong`), `pong`, `rpc` (the modules' RPCs,
//!   with the session's context), `match_create` (a relayed match),
//!   `match_join` (by `match_id` or `token`), `match_leave`,
//!   `match_data_send`, for authoritative and relayed matches; the
//!   registry ([`crate::matches`]) pushes `match_data` and
//!   `match_presence_event`; `matchmaker_add` / `matchmaker_remove`
//!   ([`crate::matchmaker`] pushes `matchmaker_matched`); `channel_join`,
//!   `channel_leave`, `channel_message_send` / `_update` / `_remove`
//!   ([`crate::channels`] pushes `channel_message` and
//!   `channel_presence_event`); `status_follow`, `status_unfollow`,
//!   `status_update` ([`crate::status`] pushes `status_presence_event`);
//!   the party messages ([`crate::parties`], answered in
//!   `realtime/parties.rs`).
//!   Each error is an `error` envelope with Nakama's code and message.
//! - Server-to-client messages sent by a client answer `Unrecognized
//!   message.` and close it, as in Nakama.
//! - Requests of one socket are handled one after the other, in order, as
//!   Nakama's read loop does; what matches send goes out meanwhile.
//! - Liveness as Nakama's defaults: a WebSocket ping 15 s after the last
//!   pong (or the 20th message since), and the socket closes if nothing
//!   renews that within 25 s. Messages over 4096 bytes close it.
//! - The token's expiry is checked at the upgrade only: Nakama 3.40.0 does
//!   not close a socket whose session token expires later (its session has
//!   no timer for it), and neither does the dev host.
//! - When the socket closes, its session leaves every match, party and
//!   channel it is in, its matchmaker tickets go, its status presence leaves and
//!   it stops following users.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use nakama_runtime_host::abi::matches::{Presence, PresenceReason};
use nakama_runtime_host::abi::matchmaker::MatchmakerEntry;
use nakama_runtime_host::abi::{api, mode, rtapi, Code, ContextData};
use nakama_runtime_host::{CallContext, CallError, EventKind};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::events::session_event;
use crate::http::App;
use crate::matches::{JoinError, JoinRequest, Joined};
use crate::online::{MatchedId, Outbound, Outbox, SendQueue};
use crate::status::{Followed, StatusPresence};

pub mod decode;
mod hooks;
mod parties;
pub mod protobuf;

/// The socket's `socket.*` settings, with Nakama's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketConfig {
    /// The largest message a client may send (`max_message_size_bytes`).
    pub max_message_size_bytes: usize,
    /// How many messages (answers and pushes) may wait for the writer
    /// before the client counts as too slow (`outgoing_queue_size`).
    pub outgoing_queue_size: usize,
    /// A ping goes out this long after the last sign of life
    /// (`ping_period_ms`).
    pub ping_period_ms: u64,
    /// The socket closes when nothing renews it for this long
    /// (`pong_wait_ms`).
    pub pong_wait_ms: u64,
    /// Every this many messages count as a sign of life
    /// (`ping_backoff_threshold`; 0 or less: every message).
    pub ping_backoff_threshold: i64,
    /// How long a write may take (`write_wait_ms`).
    pub write_wait_ms: u64,
    /// How long the server waits for the client to answer its close
    /// (`close_ack_wait_ms`).
    pub close_ack_wait_ms: u64,
    /// The socket's read buffer (`read_buffer_size_bytes`). The WebSocket
    /// library zeroes the free part of it before each read, so its own
    /// default (128 KiB) cost a relayed message more than the relaying.
    pub read_buffer_size_bytes: usize,
    /// How much an answer or push may buffer before it is written
    /// (`write_buffer_size_bytes`; each is flushed as a whole anyway).
    pub write_buffer_size_bytes: usize,
}

impl Default for SocketConfig {
    fn default() -> Self {
        SocketConfig {
            max_message_size_bytes: 4096,
            outgoing_queue_size: 64,
            ping_period_ms: 15_000,
            pong_wait_ms: 25_000,
            ping_backoff_threshold: 20,
            write_wait_ms: 5_000,
            close_ack_wait_ms: 2_000,
            read_buffer_size_bytes: 4096,
            write_buffer_size_bytes: 4096,
        }
    }
}

impl SocketConfig {
    fn ping_period(&self) -> Duration {
        Duration::from_millis(self.ping_period_ms)
    }

    fn pong_wait(&self) -> Duration {
        Duration::from_millis(self.pong_wait_ms)
    }

    fn write_wait(&self) -> Duration {
        Duration::from_millis(self.write_wait_ms)
    }

    fn close_ack_wait(&self) -> Duration {
        Duration::from_millis(self.close_ack_wait_ms)
    }
}

/// Why Nakama closes a socket whose client does not read what it is sent
/// (`socket.outgoing_queue_size` messages waiting).
const QUEUE_FULL: &str = "session outgoing queue full";

/// rtapi `Error.Code`.
pub mod error_code {
    pub const RUNTIME_EXCEPTION: i32 = 0;
    pub const UNRECOGNIZED_PAYLOAD: i32 = 1;
    pub const MISSING_PAYLOAD: i32 = 2;
    pub const BAD_INPUT: i32 = 3;
    pub const MATCH_NOT_FOUND: i32 = 4;
    pub const MATCH_JOIN_REJECTED: i32 = 5;
    pub const RUNTIME_FUNCTION_NOT_FOUND: i32 = 6;
    pub const RUNTIME_FUNCTION_EXCEPTION: i32 = 7;
}

// ---- the upgrade ---------------------------------------------------------------

/// Go's `http.Error`: plain text, the message and a newline.
fn go_http_error(status: StatusCode, message: &str) -> Response {
    let mut r = (status, format!("{message}\n")).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn missing_or_invalid_token() -> Response {
    go_http_error(StatusCode::UNAUTHORIZED, "Missing or invalid token")
}

/// Go's `strconv.ParseBool`; anything else is false, as Nakama ignores the error.
fn go_bool(v: &str) -> bool {
    matches!(v, "1" | "t" | "T" | "TRUE" | "true" | "True")
}

/// `GET /ws`: checks the format and the session, then upgrades.
pub async fn upgrade(State(app): State<Arc<App>>, req: Request) -> Response {
    let (mut parts, _body) = req.into_parts();
    let query = crate::http::form_pairs(parts.uri.query().unwrap_or(""));
    // Go's `Query().Get`: the first value, "" when absent.
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let protobuf = match param("format") {
        "" | "json" => false,
        "protobuf" => true,
        _ => return go_http_error(StatusCode::BAD_REQUEST, "Invalid format parameter"),
    };
    // A header, when there is one, is the only place looked at.
    let token = match parts.headers.get(header::AUTHORIZATION) {
        Some(auth) => match auth.to_str().ok().and_then(|a| a.strip_prefix("Bearer ")) {
            Some(t) => t.to_string(),
            None => return missing_or_invalid_token(),
        },
        None => param("token").to_string(),
    };
    if token.is_empty() {
        return missing_or_invalid_token();
    }
    let Some(claims) = app.sessions.check_session(&token) else {
        return missing_or_invalid_token();
    };
    let lang = match param("lang") {
        "" => "en".to_string(),
        l => l.to_string(),
    };
    let status = go_bool(param("status"));
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(ws) => ws,
        // gorilla/websocket's answer to a request that is not a handshake.
        Err(_) => {
            let mut r = go_http_error(StatusCode::BAD_REQUEST, "Bad Request");
            r.headers_mut()
                .insert("sec-websocket-version", HeaderValue::from_static("13"));
            return r;
        }
    };
    let (client_ip, client_port) = crate::http::client_address(&parts.headers, &parts.extensions)
        .map_or((None, None), |(ip, port)| (Some(ip), port));
    let session = Session {
        id: crate::streams::new_session_id(&app.config.name),
        user_id: claims.uid,
        username: claims.usn,
        vars: claims.vrs,
        expiry: claims.exp,
        lang,
        client_ip,
        client_port,
        status,
        protobuf,
        conn: crate::http::Conn::of(&parts.extensions),
    };
    let limit = app.config.socket.max_message_size_bytes;
    ws.max_message_size(limit)
        .max_frame_size(limit)
        .read_buffer_size(app.config.socket.read_buffer_size_bytes)
        .write_buffer_size(app.config.socket.write_buffer_size_bytes)
        .on_upgrade(move |socket| run(app, socket, Arc::new(session)))
}

// ---- a session -----------------------------------------------------------------

/// One connected socket's session.
#[derive(Debug, Clone)]
struct Session {
    id: String,
    user_id: String,
    username: String,
    vars: HashMap<String, String>,
    expiry: i64,
    lang: String,
    client_ip: Option<String>,
    /// The connection's addresses, which Go's read errors name.
    conn: Option<crate::http::Conn>,
    client_port: Option<String>,
    /// Opened with `status=true`: the session has a status presence.
    status: bool,
    /// Opened with `format=protobuf`: binary frames, each an envelope
    /// ([`protobuf`]), transcoded from and to JSON at the socket's edge.
    protobuf: bool,
}

impl Session {
    fn presence(&self, node: &str) -> Presence {
        Presence {
            user_id: self.user_id.clone(),
            session_id: self.id.clone(),
            username: self.username.clone(),
            node: node.to_string(),
            ..Presence::default()
        }
    }

    /// The context of its start and end events: the user's, and `lang`.
    fn event_context(&self) -> ContextData {
        ContextData {
            lang: Some(self.lang.clone()),
            ..self.user_context()
        }
    }

    /// The user's part of a context (no mode, node, lang).
    fn user_context(&self) -> ContextData {
        ContextData {
            user_id: Some(self.user_id.clone()),
            username: Some(self.username.clone()),
            vars: (!self.vars.is_empty()).then(|| self.vars.clone()),
            user_session_exp: Some(self.expiry),
            session_id: Some(self.id.clone()),
            client_ip: self.client_ip.clone(),
            client_port: self.client_port.clone(),
            ..Default::default()
        }
    }
}

/// What the request handler asks of the socket's writer.
enum ToClient {
    /// An envelope.
    Envelope(String),
    /// Hold what matches send until [`ToClient::Release`]: a join's answer
    /// goes out before the match's first message to the joiner.
    Hold,
    Release,
    /// Close the socket with this reason.
    Close(&'static str),
}

/// Drives one socket: reads requests (handed to [`handle_requests`], one
/// at a time), writes answers and what matches send, pings, and closes.
async fn run(app: Arc<App>, mut socket: WebSocket, session: Arc<Session>) {
    app.log.info(
        "New WebSocket session connected",
        &[
            ("uid", session.user_id.as_str().into()),
            ("sid", session.id.as_str().into()),
            ("format", u8::from(session.protobuf).into()),
        ],
    );
    app.metrics.socket(true);
    // Each request with the size of its frame, for the metrics.
    let (requests, requests_rx) = mpsc::unbounded_channel::<(String, usize)>();
    // What waits for the writer: answers and pushes, counted together as
    // Nakama's one outgoing queue counts them.
    let limits = app.config.socket;
    let queue = Arc::new(SendQueue::new(limits.outgoing_queue_size));
    let (to_client, mut to_client_rx) = mpsc::unbounded_channel::<ToClient>();
    let (outbox, mut from_matches) = Outbox::channel(queue.clone());
    app.online
        .connect_as(&session.presence(&app.config.name), outbox.clone());
    app.status
        .connect(&session.presence(""), outbox.clone(), session.status);
    if app.config.session_single_socket {
        // The user's older sockets close, each told why first.
        let told = api::Notification {
            id: uuid::Uuid::new_v4().to_string(),
            subject: "single_socket".into(),
            content: "{}".into(),
            code: SINGLE_SOCKET,
            create_time: Some(crate::db::rfc3339(app.db.clock().now())),
            ..Default::default()
        };
        app.online
            .close_user(&session.user_id, Some(&session.id), vec![told]);
    }
    app.events.publish(
        EventKind::SessionStart,
        session.event_context(),
        session_event("session_start", app.db.clock().now(), None),
    );
    let stopped = Arc::new(AtomicBool::new(false));
    let handler = tokio::spawn(handle_requests(
        app.clone(),
        session.clone(),
        requests_rx,
        to_client,
        outbox,
        queue.clone(),
        stopped.clone(),
    ));

    let mut held = false;
    let mut matches_open = true;
    let mut until_renewal = limits.ping_backoff_threshold;
    let mut read_deadline = Instant::now() + limits.pong_wait();
    // Nakama's ping timer fires once, then waits for a renewal.
    let mut next_ping = Some(Instant::now() + limits.ping_period());
    // How the session's match presences leave: Nakama's session close
    // says `Disconnect`, unless `session_disconnect` named a reason.
    let mut leave_reason = PresenceReason::Disconnect;
    let close_reason: Option<String> = loop {
        let ping_at = next_ping.unwrap_or(read_deadline);
        tokio::select! {
            biased;
            () = queue.overflowed() => break Some(QUEUE_FULL.into()),
            m = to_client_rx.recv() => match m {
                Some(ToClient::Envelope(text)) => {
                    queue.leave();
                    if let Err(e) = write_queued(&mut socket, &app, &session, &queue, text).await {
                        break Some(e);
                    }
                }
                Some(ToClient::Hold) => held = true,
                Some(ToClient::Release) => held = false,
                Some(ToClient::Close(reason)) => break Some(reason.to_string()),
                None => break Some("error processing message".into()),
            },
            m = from_matches.recv(), if !held && matches_open => match m {
                Some(Outbound::Close(last, reason)) => {
                    if !last.is_empty() {
                        let _ = write_envelope(&mut socket, &app, &session, outbound(&Outbound::Notifications(last))).await;
                    }
                    leave_reason = reason;
                    break Some("server-side session disconnect".into());
                }
                Some(out) => {
                    queue.leave();
                    if let Err(e) = write_queued(&mut socket, &app, &session, &queue, outbound(&out)).await {
                        break Some(e);
                    }
                }
                None => matches_open = false,
            },
            m = socket.recv() => match m {
                // The client closed (its close was answered) or went away.
                None => break None,
                Some(Err(e)) => {
                    let reason = read_error(e, session.conn);
                    // Nakama counts every failed read but a close as a
                    // failed message, a socket dropped without one too.
                    if reason.is_some() {
                        app.metrics.message(0, true);
                    }
                    break reason;
                }
                Some(Ok(m @ (Message::Text(_) | Message::Binary(_)))) => {
                    let size = match &m {
                        Message::Text(t) => t.len(),
                        Message::Binary(b) => b.len(),
                        _ => 0,
                    };
                    // Nakama closes a socket that mixes text and binary.
                    let text = match (m, session.protobuf) {
                        (Message::Text(text), false) => text.to_string(),
                        (Message::Binary(frame), true) => protobuf::frame_to_json(&frame)
                            // Not an envelope: "" fails the JSON decoding
                            // too, so the request handler closes the socket
                            // as malformed, after the requests before it.
                            .unwrap_or_default(),
                        _ => {
                            app.metrics.message(0, true);
                            break Some("received unexpected WebSocket message type".into());
                        }
                    };
                    until_renewal -= 1;
                    if until_renewal <= 0 {
                        until_renewal = limits.ping_backoff_threshold;
                        read_deadline = Instant::now() + limits.pong_wait();
                        next_ping = Some(Instant::now() + limits.ping_period());
                    }
                    let _ = requests.send((text, size));
                }
                Some(Ok(Message::Pong(_))) => {
                    read_deadline = Instant::now() + limits.pong_wait();
                    next_ping = Some(Instant::now() + limits.ping_period());
                }
                // Answered by the WebSocket layer; the close's answer goes
                // out with the next read, which then ends.
                Some(Ok(Message::Ping(_))) | Some(Ok(Message::Close(_))) => {}
            },
            _ = tokio::time::sleep_until(ping_at), if next_ping.is_some() => {
                next_ping = None;
                if let Err(e) = write(&mut socket, &limits, Message::Ping(Default::default())).await {
                    break Some(e);
                }
            }
            _ = tokio::time::sleep_until(read_deadline) => {
                app.metrics.message(0, true);
                break Some(go_read_failure(session.conn, "i/o timeout"));
            }
        }
    };
    stopped.store(true, Ordering::SeqCst);
    drop(requests);
    if close_reason.as_deref() == Some(QUEUE_FULL) {
        app.log.warn(
            "Could not write message, session outgoing queue full",
            &[
                ("uid", session.user_id.as_str().into()),
                ("sid", session.id.as_str().into()),
            ],
        );
    }
    // A join still under way finishes before the session leaves
    // everything.
    if let Some(reason) = &close_reason {
        // A close the server starts (a module's session_disconnect, a
        // malformed message, a full queue...): Nakama leaves everything
        // before it writes the close frame, so the others hear of the
        // leaves at once, not after the client's answer to it.
        let _ = handler.await;
        leave_session(&app, &session.user_id, &session.id, leave_reason);
        close(&mut socket, &limits, reason).await;
    } else {
        drop(socket);
        let _ = handler.await;
        leave_session(&app, &session.user_id, &session.id, leave_reason);
    }
    app.events.publish(
        EventKind::SessionEnd,
        session.event_context(),
        session_event(
            "session_end",
            app.db.clock().now(),
            Some(close_reason.as_deref().unwrap_or_default()),
        ),
    );
    app.metrics.socket(false);
    match close_reason {
        Some(reason) => app.log.log(
            crate::log::Level::Debug,
            "Closed client connection",
            &[
                ("sid", session.id.as_str().into()),
                ("reason", reason.into()),
            ],
        ),
        None => app.log.log(
            crate::log::Level::Debug,
            "Closed client connection",
            &[("sid", session.id.as_str().into())],
        ),
    }
}

/// What a closed session leaves: tickets first, as Nakama's session close
/// does (whoever sees the leave can count on the tickets being gone). Also
/// what a module's `session_disconnect` does at once
/// ([`crate::online::Online::close_session`]).
pub(crate) fn leave_session(app: &App, user_id: &str, session_id: &str, reason: PresenceReason) {
    app.matchmaker.remove_session(session_id);
    app.matches.leave_all(session_id, reason);
    crate::parties::deliver(app.parties.leave_all(session_id));
    app.channels.leave_all(session_id);
    app.status.disconnect(user_id, session_id);
    let left = app.online.disconnect(user_id, session_id);
    app.parties.stream_left(&left);
}

/// [`write_envelope`], given up when the session's outgoing queue fills
/// meanwhile, so that a client too slow to read is closed at once (Nakama's
/// close waits for its stuck write: see server/README). A frame cut short
/// stays buffered whole, ahead of the close.
async fn write_queued(
    socket: &mut WebSocket,
    app: &App,
    session: &Session,
    queue: &SendQueue,
    json: String,
) -> Result<(), String> {
    tokio::select! {
        biased;
        () = queue.overflowed() => Err(QUEUE_FULL.into()),
        written = write_envelope(socket, app, session, json) => written,
    }
}

/// One write, within Nakama's write wait.
async fn write(socket: &mut WebSocket, limits: &SocketConfig, m: Message) -> Result<(), String> {
    match tokio::time::timeout(limits.write_wait(), socket.send(m)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("i/o timeout".into()),
    }
}

/// One envelope, written as the session's format wants it: the JSON text,
/// or its binary protobuf. JSON that is not an envelope (a module's
/// `stream_send_raw`) is not sent to a protobuf session.
async fn write_envelope(
    socket: &mut WebSocket,
    app: &App,
    session: &Session,
    json: String,
) -> Result<(), String> {
    let sent = |n: usize| app.metrics.message_sent(n);
    if !session.protobuf {
        let n = json.len();
        return write(socket, &app.config.socket, Message::Text(json.into()))
            .await
            .map(|()| sent(n));
    }
    match protobuf::json_to_frame(&json) {
        Ok(frame) => {
            let n = frame.len();
            write(socket, &app.config.socket, Message::Binary(frame.into()))
                .await
                .map(|()| sent(n))
        }
        Err(e) => {
            app.log.warn(
                "Could not marshal envelope",
                &[("sid", session.id.as_str().into()), ("error", e.into())],
            );
            Ok(())
        }
    }
}

/// Nakama's notification code for a socket closed by a newer one of its
/// user (`session.single_socket`).
const SINGLE_SOCKET: i32 = -7;

/// gorilla/websocket's words for a message over the limit.
const READ_LIMIT_EXCEEDED: &str = "websocket: read limit exceeded";

/// Why a read failed, in the words Nakama gives (its session end's reason);
/// `None` for a close.
fn read_error(e: axum::Error, conn: Option<crate::http::Conn>) -> Option<String> {
    let text = e.to_string();
    if text.contains("Space limit exceeded") || text.contains("too long") {
        return Some(READ_LIMIT_EXCEEDED.into());
    }
    // The connection ended without a WebSocket close.
    if text.contains("without closing handshake") {
        return Some("websocket: close 1006 (abnormal closure): unexpected EOF".into());
    }
    if text.contains("Connection reset") {
        return Some(go_read_failure(conn, "read: connection reset by peer"));
    }
    if text.contains("closed") {
        return None;
    }
    Some(text)
}

/// A failed read as Go's net package words it: `read tcp <server>-><client>: <what>`.
fn go_read_failure(conn: Option<crate::http::Conn>, what: &str) -> String {
    match conn {
        Some(c) => format!("read tcp {}->{}: {what}", c.local, c.peer),
        None => what.to_string(),
    }
}

/// A close the server starts: a close frame with the reason, then the
/// client's answer awaited a little.
async fn close(socket: &mut WebSocket, limits: &SocketConfig, reason: &str) {
    // gorilla/websocket answers a message over the limit with a bare
    // 1009 itself; every other close Nakama starts is 1000 and its reason.
    let frame = if reason == READ_LIMIT_EXCEEDED {
        CloseFrame {
            code: 1009,
            reason: "".into(),
        }
    } else {
        // A close frame's reason has room for 123 bytes.
        let mut end = reason.len().min(123);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        CloseFrame {
            code: 1000,
            reason: reason[..end].to_string().into(),
        }
    };
    if write(socket, limits, Message::Close(Some(frame)))
        .await
        .is_err()
    {
        return;
    }
    let _ = tokio::time::timeout(limits.close_ack_wait(), async {
        while let Some(Ok(m)) = socket.recv().await {
            if matches!(m, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

// ---- requests ------------------------------------------------------------------

/// Handles a socket's requests in order until it closes.
async fn handle_requests(
    app: Arc<App>,
    session: Arc<Session>,
    mut requests: mpsc::UnboundedReceiver<(String, usize)>,
    to_client: mpsc::UnboundedSender<ToClient>,
    outbox: Outbox,
    queue: Arc<SendQueue>,
    stopped: Arc<AtomicBool>,
) {
    let s = Socket {
        app,
        session,
        to_client,
        outbox,
        queue,
    };
    while let Some((text, size)) = requests.recv().await {
        if stopped.load(Ordering::SeqCst) {
            break;
        }
        // Counted as Nakama counts: a message that closes the socket is an
        // error of no bytes.
        if let Err(reason) = s.request(&text).await {
            s.app.metrics.message(0, true);
            let _ = s.to_client.send(ToClient::Close(reason));
            break;
        }
        s.app.metrics.message(size, false);
    }
}

/// How a message went, for the hook after it.
enum Done {
    /// Refused (answered with an error): no after hook, as in Nakama.
    Failed,
    /// Handled; the answer's message when an after hook wants it and the
    /// server answers one.
    Handled(Option<serde_json::Value>),
}

/// What a request handler works with.
struct Socket {
    app: Arc<App>,
    session: Arc<Session>,
    to_client: mpsc::UnboundedSender<ToClient>,
    outbox: Outbox,
    /// Shared with `outbox`: an answer waits in the same queue.
    queue: Arc<SendQueue>,
}

impl Socket {
    /// An answer for the writer, unless the queue is full (the writer
    /// then closes the socket).
    fn send(&self, envelope: Envelope<'_>) {
        if self.queue.enter() {
            let _ = self.to_client.send(ToClient::Envelope(envelope.to_json()));
        }
    }

    fn error(&self, cid: &str, code: i32, message: &str) {
        self.send(Envelope::error(cid, code, message));
    }

    /// One request; `Err` closes the socket with that reason.
    async fn request(&self, text: &str) -> Result<(), &'static str> {
        let Ok(envelope) = decode::envelope(text) else {
            self.app.log.warn(
                "Received malformed payload",
                &[("sid", self.session.id.as_str().into())],
            );
            return Err("received malformed payload");
        };
        let cid = envelope.cid.as_str();
        let Some(message) = envelope.message else {
            self.error(cid, error_code::MISSING_PAYLOAD, "Missing message.");
            return Err("error processing message");
        };
        let modules = self.app.modules.load();
        let name = message.hook_name();
        let before = name.is_some_and(|n| modules.has_before_rt(n));
        let after = name.is_some_and(|n| modules.has_after_rt(n));
        drop(modules);
        let message = if before {
            match self.before_rt(cid, message).await {
                hooks::Before::Go(message) => message,
                hooks::Before::Answered => return Ok(()),
                hooks::Before::Close => return Err("error processing message"),
            }
        } else {
            message
        };
        // The after hook sees the message as handled, the before hook's.
        let handled = if after { message.hooked() } else { None };
        let done = self.handle(cid, message, after).await?;
        if let (Some(handled), Done::Handled(out)) = (handled, done) {
            self.after_rt(handled, out).await;
        }
        Ok(())
    }

    /// Handles one message; `keep`: the answer is wanted by an after hook.
    async fn handle(
        &self,
        cid: &str,
        message: decode::Request,
        keep: bool,
    ) -> Result<Done, &'static str> {
        Ok(match message {
            decode::Request::Ping => self.answer(cid, Out::Pong(Empty {}), keep),
            decode::Request::Pong => Done::Handled(None),
            decode::Request::Rpc { id, payload } => {
                self.rpc(cid, id, payload).await;
                Done::Handled(None)
            }
            decode::Request::MatchJoin { id, metadata } => {
                self.match_join(cid, id, metadata, keep).await
            }
            decode::Request::MatchCreate(rtapi::MatchCreate { name }) => {
                self.match_create(cid, &name, keep)
            }
            decode::Request::MatchLeave(rtapi::MatchLeave { match_id }) => {
                self.match_leave(cid, &match_id)
            }
            decode::Request::MatchDataSend(rtapi::MatchDataSend {
                match_id,
                op_code,
                data,
                presences,
                reliable,
            }) => self.match_data_send(&match_id, op_code, data, &presences, reliable),
            decode::Request::MatchmakerAdd(req) => self.matchmaker_add(cid, &req, keep),
            decode::Request::MatchmakerRemove(rtapi::MatchmakerRemove { ticket }) => {
                self.matchmaker_remove(cid, &ticket)
            }
            decode::Request::ChannelJoin(req) => self.channel_join(cid, &req, keep).await,
            decode::Request::ChannelLeave(rtapi::ChannelLeave { channel_id }) => {
                let me = self.session.presence(&self.app.config.name);
                match self.app.channels.leave(&me, &channel_id) {
                    Ok(()) => self.answered(cid),
                    Err(r) => self.refused(cid, r.code, &r.message),
                }
            }
            decode::Request::ChannelMessageSend(rtapi::ChannelMessageSend {
                channel_id,
                content,
            }) => {
                let me = self.session.presence(&self.app.config.name);
                let sent = self.app.channels.send(&me, &channel_id, &content).await;
                self.channel_ack(cid, sent, keep)
            }
            decode::Request::ChannelMessageUpdate(rtapi::ChannelMessageUpdate {
                channel_id,
                message_id,
                content,
            }) => {
                let me = self.session.presence(&self.app.config.name);
                let updated = (self.app.channels)
                    .update(&me, &channel_id, &message_id, &content)
                    .await;
                self.channel_ack(cid, updated, keep)
            }
            decode::Request::ChannelMessageRemove(rtapi::ChannelMessageRemove {
                channel_id,
                message_id,
            }) => {
                let me = self.session.presence(&self.app.config.name);
                let removed = (self.app.channels)
                    .remove(&me, &channel_id, &message_id)
                    .await;
                self.channel_ack(cid, removed, keep)
            }
            decode::Request::StatusFollow(rtapi::StatusFollow {
                user_ids,
                usernames,
            }) => {
                let me = self.session.presence("");
                match self.app.status.follow(&me, &user_ids, &usernames).await {
                    // Nakama gives the after hook no answer for this one.
                    Ok(Followed::Nobody) => {
                        self.answer(cid, Out::Status(StatusOut::default()), false)
                    }
                    Ok(Followed::Presences(presences)) => {
                        let presences = presences.iter().map(UserPresence::from).collect();
                        self.answer(cid, Out::Status(StatusOut { presences }), keep)
                    }
                    Err(r) => self.refused(cid, r.code, &r.message),
                }
            }
            decode::Request::StatusUnfollow(rtapi::StatusUnfollow { user_ids }) => {
                let me = self.session.presence("");
                match self.app.status.unfollow(&me, &user_ids) {
                    Ok(()) => self.answered(cid),
                    Err(r) => self.refused(cid, r.code, &r.message),
                }
            }
            decode::Request::StatusUpdate(rtapi::StatusUpdate { status }) => {
                let me = self.session.presence("");
                match self.app.status.update(&me, status.as_deref()) {
                    Ok(()) => self.answered(cid),
                    Err(r) => self.refused(cid, r.code, &r.message),
                }
            }
            decode::Request::PartyCreate(m) => self.party_create(cid, &m, keep),
            decode::Request::PartyJoin(m) => self.party_join(cid, &m.party_id),
            decode::Request::PartyLeave(m) => self.party_leave(cid, &m.party_id),
            decode::Request::PartyPromote(m) => self.party_promote(cid, &m),
            decode::Request::PartyAccept(m) => self.party_accept(cid, &m),
            decode::Request::PartyRemove(m) => self.party_remove(cid, &m),
            decode::Request::PartyClose(m) => self.party_close(cid, &m.party_id),
            decode::Request::PartyJoinRequestList(m) => {
                self.party_join_request_list(cid, &m.party_id, keep)
            }
            decode::Request::PartyMatchmakerAdd(m) => self.party_matchmaker_add(cid, &m, keep),
            decode::Request::PartyMatchmakerRemove(m) => self.party_matchmaker_remove(cid, &m),
            decode::Request::PartyDataSend(m) => self.party_data_send(cid, &m),
            decode::Request::PartyUpdate(m) => self.party_update(cid, &m),
            decode::Request::ServerOnly(name) => {
                self.app.log.error(
                    "Unrecognizable payload received.",
                    &[("payload", name.into())],
                );
                self.error(
                    cid,
                    error_code::UNRECOGNIZED_PAYLOAD,
                    "Unrecognized message.",
                );
                return Err("error processing message");
            }
        })
    }

    /// Sends `out` as the answer to `cid`; keeps its message if `keep`.
    fn answer(&self, cid: &str, out: Out, keep: bool) -> Done {
        let envelope = Envelope {
            cid,
            message: Some(out),
        };
        let kept = keep.then(|| envelope.message_value());
        self.send(envelope);
        Done::Handled(kept)
    }

    /// Sends the empty answer (an envelope with only the cid).
    fn answered(&self, cid: &str) -> Done {
        self.send(Envelope { cid, message: None });
        Done::Handled(None)
    }

    /// Sends an error as the answer.
    fn refused(&self, cid: &str, code: i32, message: &str) -> Done {
        self.error(cid, code, message);
        Done::Failed
    }

    /// `channel_join`: the `channel` answer goes out before the session's
    /// own presence event.
    async fn channel_join(
        &self,
        cid: &str,
        req: &crate::channels::JoinRequest,
        keep: bool,
    ) -> Done {
        let me = self.session.presence(&self.app.config.name);
        let _ = self.to_client.send(ToClient::Hold);
        let done = match self.app.channels.join(&me, &self.outbox, req).await {
            Ok(joined) => {
                let names = joined.stream.message_names();
                let channel = Out::Channel(ChannelOut {
                    id: joined.stream.channel_id(),
                    presences: joined.presences.iter().map(UserPresence::from).collect(),
                    self_: Some(UserPresence::from(&joined.me)),
                    room_name: names.room_name,
                    group_id: names.group_id,
                    user_id_one: names.user_id_one,
                    user_id_two: names.user_id_two,
                });
                self.answer(cid, channel, keep)
            }
            Err(r) => self.refused(cid, r.code, &r.message),
        };
        let _ = self.to_client.send(ToClient::Release);
        done
    }

    /// A chat message's acknowledgement: after the sender's own copy of
    /// the message, as Nakama sends them.
    fn channel_ack(
        &self,
        cid: &str,
        r: Result<nakama_runtime_host::abi::api::ChannelMessage, crate::channels::Refusal>,
        keep: bool,
    ) -> Done {
        match r {
            Ok(m) => {
                let ack = Envelope {
                    cid,
                    message: Some(Out::ChannelMessageAck(m.into())),
                };
                let _ = self.outbox.send(Outbound::Reply(ack.to_json()));
                Done::Handled(keep.then(|| ack.message_value()))
            }
            Err(r) => self.refused(cid, r.code, &r.message),
        }
    }

    /// `matchmaker_add`: a ticket for this session.
    fn matchmaker_add(
        &self,
        cid: &str,
        req: &crate::matchmaker::TicketRequest,
        keep: bool,
    ) -> Done {
        let presence = self.session.presence(&self.app.config.name);
        match self.app.matchmaker.add(&presence, req) {
            Ok(ticket) => self.answer(cid, Out::MatchmakerTicket(TicketOut { ticket }), keep),
            Err(e) if e.is_bad_input() => self.refused(cid, error_code::BAD_INPUT, &e.to_string()),
            Err(e) => {
                if let crate::matchmaker::AddError::Refused(why) = &e {
                    self.app.log.error(
                        "Error adding to matchmaker",
                        &[("error", why.as_str().into())],
                    );
                }
                self.refused(cid, error_code::RUNTIME_EXCEPTION, &e.to_string())
            }
        }
    }

    /// `matchmaker_remove`: one of this session's tickets; answered with
    /// an empty envelope.
    fn matchmaker_remove(&self, cid: &str, ticket: &str) -> Done {
        if ticket.is_empty() {
            return self.refused(cid, error_code::BAD_INPUT, "Invalid matchmaker ticket");
        }
        match self.app.matchmaker.remove(&self.session.id, ticket) {
            Ok(()) => self.answered(cid),
            Err(e) => self.refused(cid, error_code::BAD_INPUT, &e.to_string()),
        }
    }

    /// `rpc`: the module's RPC with the session's context.
    async fn rpc(&self, cid: &str, id: String, payload: String) {
        if id.is_empty() {
            return self.error(cid, error_code::BAD_INPUT, "RPC ID must be set");
        }
        let modules = self.app.modules.load_full();
        if !modules.has_rpc(&id) {
            return self.error(
                cid,
                error_code::RUNTIME_FUNCTION_NOT_FOUND,
                "RPC function not found",
            );
        }
        let mut ctx = self.session.user_context();
        ctx.execution_mode = mode::RPC.into();
        ctx.node = self.app.config.name.clone();
        ctx.version = crate::VERSION.into();
        ctx.lang = Some(self.session.lang.clone());
        ctx.trace_id = Some(uuid::Uuid::new_v4().to_string());
        let start = std::time::Instant::now();
        let result = self
            .app
            .timed(async {
                modules
                    .call_rpc_tagged(&id, CallContext::new(&ctx), payload.as_bytes())
                    .await
                    .unwrap_or_else(|| {
                        Err(CallError::new(Code::NotFound, "RPC function not found"))
                    })
            })
            .await;
        if self.app.metrics.enabled() {
            let (sent, code) = match &result {
                Ok(out) => (out.len() as u64, Code::Ok),
                Err(e) => (0, e.code),
            };
            let io = (payload.len() as u64, sent);
            let transport = crate::metrics::Transport::Socket;
            let took = start.elapsed();
            self.app.metrics.rpc(transport, &id, took, io, code);
        }
        match result {
            Ok(out) => self.send(Envelope {
                cid,
                message: Some(Out::Rpc(RpcOut {
                    id,
                    payload: String::from_utf8_lossy(&out).into_owned(),
                })),
            }),
            Err(e) => self.error(cid, error_code::RUNTIME_FUNCTION_EXCEPTION, &e.message),
        }
    }

    async fn match_join(
        &self,
        cid: &str,
        id: Option<decode::JoinId>,
        metadata: Metadata,
        keep: bool,
    ) -> Done {
        let (given, allow_empty, bad) = match id {
            Some(decode::JoinId::MatchId(id)) => (id, false, "Invalid match ID"),
            Some(decode::JoinId::Token(token)) => match match_token(&self.app, &token) {
                Some(id) => (id, true, "Invalid match token"),
                None => {
                    return self.refused(cid, error_code::BAD_INPUT, "Invalid match token");
                }
            },
            None => {
                return self.refused(cid, error_code::BAD_INPUT, "No match ID or token found");
            }
        };
        let Some((key, node)) = match_key(&given) else {
            return self.refused(cid, error_code::BAD_INPUT, bad);
        };
        let node_name = &self.app.config.name;
        if node.is_empty() {
            // On the match's stream, as the node's presence.
            let me = self.session.presence(node_name);
            let _ = self.to_client.send(ToClient::Hold);
            let joined =
                self.app
                    .matches
                    .relayed_join(&key, me.clone(), self.outbox.clone(), allow_empty);
            let done = match joined {
                Some(joined) => {
                    self.single_match(&key, &me, &joined);
                    self.answer(cid, relayed_match(joined, &me, false), keep)
                }
                None => self.refused(cid, error_code::MATCH_NOT_FOUND, "Match not found"),
            };
            let _ = self.to_client.send(ToClient::Release);
            return done;
        }
        let mut ctx = self.session.user_context();
        ctx.node = node_name.clone();
        let request = JoinRequest {
            ctx,
            presence: self.session.presence(node_name),
            metadata,
            outbox: self.outbox.clone(),
        };
        let _ = self.to_client.send(ToClient::Hold);
        let done = match self.app.matches.join(&key, request).await {
            Ok(joined) => {
                self.single_match(&key, &self.session.presence(node_name), &joined);
                let answer = Out::Match(MatchOut {
                    match_id: given,
                    authoritative: true,
                    label: Some(joined.label),
                    size: joined.presences.len() as i32,
                    presences: joined.presences.iter().map(UserPresence::from).collect(),
                    self_: Some(UserPresence::from(&self.session.presence(node_name))),
                });
                self.answer(cid, answer, keep)
            }
            Err(JoinError::NotFound) => {
                self.refused(cid, error_code::MATCH_NOT_FOUND, "Match not found")
            }
            Err(JoinError::Rejected(reason)) => {
                self.refused(cid, error_code::MATCH_JOIN_REJECTED, &reason)
            }
        };
        let _ = self.to_client.send(ToClient::Release);
        done
    }

    /// `session.single_match`: a session new in match `key` leaves its
    /// other matches. Only a join does this, as in Nakama (a
    /// `match_create` does not).
    fn single_match(&self, key: &str, me: &Presence, joined: &Joined) {
        let new = !joined
            .presences
            .iter()
            .any(|p| p.session_id == me.session_id);
        if self.app.config.session_single_match && new {
            self.app.matches.leave_others(&self.session.id, key);
        }
    }

    /// `match_create`: a relayed match with this session in it.
    fn match_create(&self, cid: &str, name: &str, keep: bool) -> Done {
        let me = self.session.presence(&self.app.config.name);
        let _ = self.to_client.send(ToClient::Hold);
        let joined = self
            .app
            .matches
            .relayed_create(name, me.clone(), self.outbox.clone());
        let done = self.answer(cid, relayed_match(joined, &me, true), keep);
        let _ = self.to_client.send(ToClient::Release);
        done
    }

    fn match_leave(&self, cid: &str, match_id: &str) -> Done {
        let Some((key, node)) = match_key(match_id) else {
            return self.refused(cid, error_code::BAD_INPUT, "Invalid match ID");
        };
        if node.is_empty() {
            let user = &self.session.user_id;
            self.app.matches.relayed_leave(&key, &self.session.id, user);
        } else {
            self.app.matches.leave(&key, &self.session.id);
        }
        // Answered whether or not the session was in it.
        self.answered(cid)
    }

    fn match_data_send(
        &self,
        match_id: &str,
        op_code: i64,
        data: Vec<u8>,
        presences: &[nakama_runtime_host::abi::rtapi::UserPresence],
        reliable: bool,
    ) -> Done {
        let Some((key, node)) = match_key(match_id) else {
            // Nakama answers this one without the cid.
            return self.refused("", error_code::BAD_INPUT, "Invalid match ID");
        };
        if node.is_empty() {
            let to = match decode::send_to(presences) {
                decode::SendTo::Everyone => None,
                decode::SendTo::Sessions(sessions) => Some(sessions),
                // Nakama drops a send whose filter has an invalid id (and
                // counts it a failure: no after hook).
                decode::SendTo::Invalid => return Done::Failed,
            };
            let from = self.session.presence("");
            self.app
                .matches
                .relayed_send(&key, &from, to.as_deref(), op_code, data, reliable);
            return Done::Handled(None);
        }
        let from = self.session.presence(&self.app.config.name);
        self.app.matches.send(&key, &from, op_code, data, reliable);
        Done::Handled(None)
    }
}

type Metadata = HashMap<String, String>;

/// The `match` answer for a relayed match: no label. Nakama's size is that
/// of the list for a join, and counts this session too for a create
/// (which `joined` lists only when the session was in already).
fn relayed_match(joined: Joined, me: &Presence, create: bool) -> Out {
    let listed_me = joined
        .presences
        .iter()
        .any(|p| p.session_id == me.session_id);
    let size = joined.presences.len() + usize::from(create && !listed_me);
    Out::Match(MatchOut {
        match_id: joined.match_id,
        authoritative: false,
        label: None,
        size: size as i32,
        presences: joined.presences.iter().map(UserPresence::from).collect(),
        self_: Some(UserPresence::from(me)),
    })
}

/// `<uuid>.<node>` as the registry keys it (the UUID in its lower-case
/// hyphenated form, as Nakama parses it), and the node; `None` when the id
/// has no dot or its first part is not a UUID.
fn match_key(id: &str) -> Option<(String, String)> {
    let (uuid, node) = id.split_once('.')?;
    let uuid = uuid::Uuid::parse_str(uuid).ok()?;
    Some((format!("{}.{node}", uuid.hyphenated()), node.to_string()))
}

/// The match id (`mid`) of a match token: an HS256 JWT signed with the
/// session key, as the matchmaker issues them.
fn match_token(app: &App, token: &str) -> Option<String> {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.leeway = 0;
    v.validate_aud = false;
    v.required_spec_claims = HashSet::new();
    let claims = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(app.config.session_encryption_key.as_bytes()),
        &v,
    )
    .ok()?
    .claims;
    claims.get("mid")?.as_str().map(str::to_string)
}

// ---- envelopes out ---------------------------------------------------------------

/// An envelope the server sends: protobuf JSON as Nakama writes it (proto
/// names, fields in proto order, default values left out).
#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    cid: &'a str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    message: Option<Out>,
}

impl Envelope<'_> {
    fn error<'a>(cid: &'a str, code: i32, message: &str) -> Envelope<'a> {
        Envelope {
            cid,
            message: Some(Out::Error(ErrorOut {
                code,
                message: message.to_string(),
            })),
        }
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The message alone (`{"ticket":..}` of `{"matchmaker_ticket":{..}}`),
    /// as a realtime after hook gets it.
    fn message_value(&self) -> serde_json::Value {
        match serde_json::to_value(&self.message) {
            Ok(serde_json::Value::Object(m)) => m.into_iter().next().map(|(_, v)| v),
            _ => None,
        }
        .unwrap_or_default()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Out {
    Error(ErrorOut),
    Match(MatchOut),
    MatchData(MatchDataOut),
    MatchPresenceEvent(PresenceEventOut),
    Notifications(NotificationsOut),
    MatchmakerMatched(MatchedOut),
    MatchmakerTicket(TicketOut),
    Channel(ChannelOut),
    ChannelMessage(Box<nakama_runtime_host::abi::api::ChannelMessage>),
    ChannelMessageAck(nakama_runtime_host::abi::rtapi::ChannelMessageAck),
    ChannelPresenceEvent(ChannelPresenceOut),
    Rpc(RpcOut),
    Status(StatusOut),
    StatusPresenceEvent(StatusEventOut),
    Pong(Empty),
}

#[derive(Serialize)]
struct ChannelOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    presences: Vec<UserPresence>,
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    self_: Option<UserPresence>,
    #[serde(skip_serializing_if = "String::is_empty")]
    room_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    group_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    user_id_one: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    user_id_two: String,
}

#[derive(Serialize)]
struct ChannelPresenceOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    channel_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    joins: Vec<UserPresence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    leaves: Vec<UserPresence>,
    #[serde(skip_serializing_if = "String::is_empty")]
    room_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    group_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    user_id_one: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    user_id_two: String,
}

#[derive(Serialize, Default)]
struct StatusOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    presences: Vec<UserPresence>,
}

#[derive(Serialize)]
struct StatusEventOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    joins: Vec<UserPresence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    leaves: Vec<UserPresence>,
}

#[derive(Serialize)]
struct NotificationsOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notifications: Vec<nakama_runtime_host::abi::api::Notification>,
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct ErrorOut {
    #[serde(skip_serializing_if = "is_zero")]
    code: i32,
    #[serde(skip_serializing_if = "String::is_empty")]
    message: String,
}

#[derive(Serialize)]
struct TicketOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    ticket: String,
}

#[derive(Serialize)]
struct MatchedOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    ticket: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    match_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    users: Vec<MatchmakerUser>,
    #[serde(rename = "self")]
    self_: MatchmakerUser,
}

#[derive(Serialize, Clone)]
struct MatchmakerUser {
    presence: UserPresence,
    #[serde(skip_serializing_if = "String::is_empty")]
    party_id: String,
    /// Maps: keys sorted, as protojson writes them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    string_properties: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    numeric_properties: BTreeMap<String, GoDouble>,
}

impl From<&MatchmakerEntry> for MatchmakerUser {
    fn from(e: &MatchmakerEntry) -> Self {
        MatchmakerUser {
            presence: UserPresence::from(&e.presence),
            party_id: e.party_id.clone(),
            string_properties: e.string_properties.clone().into_iter().collect(),
            numeric_properties: e
                .numeric_properties
                .iter()
                .map(|(k, v)| (k.clone(), GoDouble(*v)))
                .collect(),
        }
    }
}

/// A double as protojson writes it: whole numbers without a fraction
/// (`5`, not serde's `5.0`), the special values as strings.
#[derive(Clone, Copy)]
struct GoDouble(f64);

impl Serialize for GoDouble {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.is_nan() {
            s.serialize_str("NaN")
        } else if v.is_infinite() {
            s.serialize_str(if v > 0.0 { "Infinity" } else { "-Infinity" })
        } else if v.fract() == 0.0 && v.abs() < 9.0e15 {
            s.serialize_i64(v as i64)
        } else {
            s.serialize_f64(v)
        }
    }
}

#[derive(Serialize)]
struct RpcOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    payload: String,
}

#[derive(Serialize, Clone)]
struct UserPresence {
    #[serde(skip_serializing_if = "String::is_empty")]
    user_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    session_id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    username: String,
    /// Channel presences only: whether what the session sends is stored.
    #[serde(skip_serializing_if = "is_zero")]
    persistence: bool,
    /// Status presences only: the status (a wrapper: written when set,
    /// empty or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

impl From<&Presence> for UserPresence {
    fn from(p: &Presence) -> Self {
        UserPresence {
            user_id: p.user_id.clone(),
            session_id: p.session_id.clone(),
            username: p.username.clone(),
            persistence: false,
            status: None,
        }
    }
}

impl From<&StatusPresence> for UserPresence {
    fn from(p: &StatusPresence) -> Self {
        UserPresence {
            user_id: p.user_id.clone(),
            session_id: p.session_id.clone(),
            username: p.username.clone(),
            persistence: false,
            status: Some(p.status.clone()),
        }
    }
}

impl From<&crate::channels::ChannelPresence> for UserPresence {
    fn from(p: &crate::channels::ChannelPresence) -> Self {
        UserPresence {
            persistence: p.persistence,
            ..UserPresence::from(&p.presence)
        }
    }
}

#[derive(Serialize)]
struct MatchOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    match_id: String,
    #[serde(skip_serializing_if = "is_zero")]
    authoritative: bool,
    /// A wrapper message: present (even empty) for authoritative matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    size: i32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    presences: Vec<UserPresence>,
    #[serde(rename = "self", skip_serializing_if = "Option::is_none")]
    self_: Option<UserPresence>,
}

#[derive(Serialize)]
struct MatchDataOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    match_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    presence: Option<UserPresence>,
    /// int64: a string.
    #[serde(skip_serializing_if = "String::is_empty")]
    op_code: String,
    /// bytes: standard base64.
    #[serde(skip_serializing_if = "String::is_empty")]
    data: String,
    #[serde(skip_serializing_if = "is_zero")]
    reliable: bool,
}

#[derive(Serialize)]
struct PresenceEventOut {
    #[serde(skip_serializing_if = "String::is_empty")]
    match_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    joins: Vec<UserPresence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    leaves: Vec<UserPresence>,
}

/// The envelope of something the server pushes.
fn outbound(out: &Outbound) -> String {
    let message = match out {
        Outbound::Data {
            match_id,
            sender,
            op_code,
            data,
            reliable,
        } => Out::MatchData(MatchDataOut {
            match_id: match_id.clone(),
            presence: sender.as_ref().map(UserPresence::from),
            op_code: if *op_code == 0 {
                String::new()
            } else {
                op_code.to_string()
            },
            data: base64::engine::general_purpose::STANDARD.encode(data),
            reliable: *reliable,
        }),
        Outbound::Presences {
            match_id,
            joins,
            leaves,
        } => Out::MatchPresenceEvent(PresenceEventOut {
            match_id: match_id.clone(),
            joins: joins.iter().map(UserPresence::from).collect(),
            leaves: leaves.iter().map(UserPresence::from).collect(),
        }),
        Outbound::Notifications(notifications) | Outbound::Close(notifications, _) => {
            Out::Notifications(NotificationsOut {
                notifications: notifications.clone(),
            })
        }
        Outbound::Matched(m) => {
            let users: Vec<MatchmakerUser> = m.users.iter().map(MatchmakerUser::from).collect();
            let (match_id, token) = match &m.id {
                MatchedId::MatchId(id) => (Some(id.clone()), None),
                MatchedId::Token(t) => (None, Some(t.clone())),
            };
            Out::MatchmakerMatched(MatchedOut {
                ticket: m.ticket.clone(),
                match_id,
                token,
                // A group is never empty; an empty `self` would still not panic.
                self_: users.get(m.self_index).cloned().unwrap_or(MatchmakerUser {
                    presence: UserPresence::from(&Presence::default()),
                    party_id: String::new(),
                    string_properties: BTreeMap::new(),
                    numeric_properties: BTreeMap::new(),
                }),
                users,
            })
        }
        Outbound::ChannelMessage(m) => Out::ChannelMessage(m.clone()),
        Outbound::ChannelPresences(e) => {
            let names = e.names();
            Out::ChannelPresenceEvent(ChannelPresenceOut {
                channel_id: e.stream.channel_id(),
                joins: e.joins.iter().map(UserPresence::from).collect(),
                leaves: e.leaves.iter().map(UserPresence::from).collect(),
                room_name: names.room_name,
                group_id: names.group_id,
                user_id_one: names.user_id_one,
                user_id_two: names.user_id_two,
            })
        }
        Outbound::StatusPresences(e) => Out::StatusPresenceEvent(StatusEventOut {
            joins: e.joins.iter().map(UserPresence::from).collect(),
            leaves: e.leaves.iter().map(UserPresence::from).collect(),
        }),
        Outbound::Reply(text) | Outbound::Stream(text) => return text.clone(),
    };
    Envelope {
        cid: "",
        message: Some(message),
    }
    .to_json()
}

#[cfg(test)]
mod tests {
    use super::decode::{envelope, JoinId, Request};
    use super::*;

    #[test]
    fn envelopes_decode_as_protojson_reads_them() {
        let e = envelope(r#"{"cid":"1","ping":{}}"#).unwrap();
        assert_eq!((e.cid.as_str(), e.message), ("1", Some(Request::Ping)));
        // lowerCamelCase names, int64 as a string or a number, base64.
        let e = envelope(
            r#"{"matchDataSend":{"matchId":"m.n","opCode":"7","data":"eyJ4IjoxfQ==","reliable":true,"presences":[]}}"#,
        )
        .unwrap();
        assert_eq!(
            e.message,
            Some(Request::MatchDataSend(rtapi::MatchDataSend {
                match_id: "m.n".into(),
                op_code: 7,
                data: br#"{"x":1}"#.to_vec(),
                presences: Vec::new(),
                reliable: true
            }))
        );
        // Listed presences: their session ids; an id that is not a UUID
        // makes the send one Nakama drops.
        let sent_to = |presences: &str| {
            let text =
                format!(r#"{{"match_data_send":{{"match_id":"m.","presences":{presences}}}}}"#);
            match envelope(&text).unwrap().message {
                Some(Request::MatchDataSend(rtapi::MatchDataSend { presences, .. })) => {
                    decode::send_to(&presences)
                }
                other => panic!("{other:?}"),
            }
        };
        let (u, s) = (
            "6b3f0c3e-0000-4000-8000-000000000001",
            "5C7D8A57-0000-4000-8000-000000000002",
        );
        assert_eq!(
            sent_to(&format!(r#"[{{"user_id":"{u}","session_id":"{s}"}}]"#)),
            decode::SendTo::Sessions(vec![s.to_lowercase()])
        );
        assert_eq!(
            sent_to(&format!(r#"[{{"user_id":"{u}","session_id":"x"}}]"#)),
            decode::SendTo::Invalid
        );
        let e = envelope(r#"{"match_data_send":{"op_code":2.0,"data":"eyJ4IjoxfQ"}}"#).unwrap();
        assert!(matches!(
            e.message,
            Some(Request::MatchDataSend(rtapi::MatchDataSend {
                op_code: 2,
                ..
            }))
        ));
        // URL-safe base64.
        assert_eq!(
            decode::bytes(Some(decode::Json::String("-_8".into()))).unwrap(),
            vec![0xfb, 0xff]
        );
        // null is absent.
        let e = envelope(r#"{"cid":null,"ping":null}"#).unwrap();
        assert_eq!((e.cid.as_str(), e.message), ("", None));
        // A join by id or token, metadata.
        let e = envelope(r#"{"match_join":{"match_id":"","metadata":{"name":"a"}}}"#).unwrap();
        assert_eq!(
            e.message,
            Some(Request::MatchJoin {
                id: Some(JoinId::MatchId(String::new())),
                metadata: [("name".to_string(), "a".to_string())].into()
            })
        );
        let e = envelope(r#"{"match_create":{"name":"x"}}"#).unwrap();
        assert_eq!(
            e.message,
            Some(Request::MatchCreate(rtapi::MatchCreate {
                name: "x".into()
            }))
        );
        // A ticket: int32 counts, a wrapper count multiple (absent: None),
        // doubles from numbers or strings.
        let e = envelope(
            r#"{"matchmaker_add":{"minCount":2,"max_count":"4","query":"*","count_multiple":2,
                "string_properties":{"mode":"duel"},"numericProperties":{"rank":"1.5","n":3}}}"#,
        )
        .unwrap();
        assert_eq!(
            e.message,
            Some(Request::MatchmakerAdd(
                crate::matchmaker::TicketRequest::new(2, 4)
                    .query("*")
                    .count_multiple(2)
                    .string("mode", "duel")
                    .number("rank", 1.5)
                    .number("n", 3.0)
            ))
        );
        let e = envelope(r#"{"matchmaker_add":{}}"#).unwrap();
        assert_eq!(e.message, Some(Request::MatchmakerAdd(Default::default())));
        // Chat: the type an int32, the wrappers bare bools (absent: None).
        let e = envelope(
            r#"{"channel_join":{"target":"lobby","type":"1","persistence":false,"hidden":null}}"#,
        )
        .unwrap();
        assert_eq!(
            e.message,
            Some(Request::ChannelJoin(crate::channels::JoinRequest {
                target: "lobby".into(),
                kind: 1,
                persistence: Some(false),
                hidden: None
            }))
        );
        let e = envelope(
            r#"{"channelMessageUpdate":{"channelId":"2...a","messageId":"m","content":"{}"}}"#,
        )
        .unwrap();
        assert_eq!(
            e.message,
            Some(Request::ChannelMessageUpdate(rtapi::ChannelMessageUpdate {
                channel_id: "2...a".into(),
                message_id: "m".into(),
                content: "{}".into()
            }))
        );
        let e = envelope(r#"{"channel_message_remove":{}}"#).unwrap();
        assert_eq!(
            e.message,
            Some(Request::ChannelMessageRemove(rtapi::ChannelMessageRemove {
                channel_id: String::new(),
                message_id: String::new()
            }))
        );
        let e = envelope(r#"{"channel_leave":{"channel_id":"x"}}"#).unwrap();
        assert_eq!(
            e.message,
            Some(Request::ChannelLeave(rtapi::ChannelLeave {
                channel_id: "x".into()
            }))
        );
        // Status: repeated strings, and a bare string for the wrapper
        // (absent or null: None).
        let e = envelope(r#"{"statusFollow":{"userIds":["a","b"],"usernames":[]}}"#).unwrap();
        assert_eq!(
            e.message,
            Some(Request::StatusFollow(rtapi::StatusFollow {
                user_ids: vec!["a".into(), "b".into()],
                usernames: vec![]
            }))
        );
        let e = envelope(r#"{"status_unfollow":{}}"#).unwrap();
        assert_eq!(
            e.message,
            Some(Request::StatusUnfollow(rtapi::StatusUnfollow {
                user_ids: vec![]
            }))
        );
        let e = envelope(r#"{"status_update":{"status":""}}"#).unwrap();
        assert_eq!(
            e.message,
            Some(Request::StatusUpdate(rtapi::StatusUpdate {
                status: Some(String::new())
            }))
        );
        let e = envelope(r#"{"status_update":{"status":null}}"#).unwrap();
        assert_eq!(
            e.message,
            Some(Request::StatusUpdate(rtapi::StatusUpdate { status: None }))
        );
        let e =
            envelope(r#"{"partyMatchmakerAdd":{"partyId":"p.n","minCount":2,"countMultiple":2}}"#)
                .unwrap();
        assert_eq!(
            e.message,
            Some(Request::PartyMatchmakerAdd(rtapi::PartyMatchmakerAdd {
                party_id: "p.n".into(),
                min_count: 2,
                count_multiple: Some(2),
                ..Default::default()
            }))
        );
        let e = envelope(
            r#"{"party_promote":{"party_id":"p.n","presence":{"user_id":"u","session_id":"s","username":"n"}}}"#,
        )
        .unwrap();
        assert_eq!(
            e.message,
            Some(Request::PartyPromote(rtapi::PartyPromote {
                party_id: "p.n".into(),
                presence: Some(rtapi::UserPresence {
                    user_id: "u".into(),
                    session_id: "s".into(),
                    username: "n".into(),
                    ..Default::default()
                }),
            }))
        );
        let e = envelope(r#"{"party_data_send":{"party_id":"p.n","op_code":"3","data":"aGk="}}"#)
            .unwrap();
        assert_eq!(
            e.message,
            Some(Request::PartyDataSend(rtapi::PartyDataSend {
                party_id: "p.n".into(),
                op_code: 3,
                data: b"hi".to_vec(),
            }))
        );
        assert!(envelope(r#"{"party_create":{"size":2}}"#).is_err());
        assert!(envelope(r#"{"party_join":{"party_id":1}}"#).is_err());
        let e = envelope(r#"{"matchData":{}}"#).unwrap();
        assert_eq!(e.message, Some(Request::ServerOnly("match_data")));
    }

    #[test]
    fn malformed_envelopes_are_refused() {
        for bad in [
            "",
            "[]",
            "{",
            r#"{"cid":1}"#,
            r#"{"unknown":{}}"#,
            r#"{"ping":{},"pong":{}}"#,
            r#"{"cid":"1","cid":"2"}"#,
            r#"{"cid":"1","ping":{}} x"#,
            r#"{"ping":{"x":1}}"#,
            r#"{"ping":3}"#,
            r#"{"match_join":{"match_id":"a","token":"b"}}"#,
            r#"{"match_join":{"match_id":"a","matchId":"a"}}"#,
            r#"{"match_join":{"metadata":{"a":1}}}"#,
            r#"{"match_join":{"metadata":{"a":"1","a":"2"}}}"#,
            r#"{"match_data_send":{"op_code":1.5}}"#,
            r#"{"match_data_send":{"op_code":" 1"}}"#,
            r#"{"match_data_send":{"data":"*"}}"#,
            r#"{"match_data_send":{"reliable":"true"}}"#,
            r#"{"match_data_send":{"presences":[{"node":"x"}]}}"#,
            r#"{"rpc":{"id":5}}"#,
            r#"{"matchmaker_add":{"min_count":2147483648}}"#,
            r#"{"matchmaker_add":{"numeric_properties":{"a":"x"}}}"#,
            r#"{"matchmaker_add":{"numeric_properties":{"a":1,"a":2}}}"#,
            r#"{"matchmaker_add":{"string_properties":{"a":1}}}"#,
            r#"{"matchmaker_add":{"region":"eu"}}"#,
            r#"{"matchmaker_remove":{"ticket":1}}"#,
            r#"{"channel_join":{"type":1.5}}"#,
            r#"{"channel_join":{"type":"ROOM"}}"#,
            r#"{"channel_join":{"persistence":"true"}}"#,
            r#"{"channel_join":{"hidden":{"value":true}}}"#,
            r#"{"channel_join":{"room":"x"}}"#,
            r#"{"channel_message_send":{"content":{}}}"#,
            r#"{"channel_message_send":{"channel_id":"a","channelId":"a"}}"#,
            r#"{"channel_message_update":{"message_id":1}}"#,
            r#"{"channel_message_remove":{"content":"{}"}}"#,
            r#"{"channel_leave":[]}"#,
            r#"{"status_follow":{"user_ids":"a"}}"#,
            r#"{"status_follow":{"usernames":[null]}}"#,
            r#"{"status_follow":{"user_ids":[1]}}"#,
            r#"{"status_unfollow":{"usernames":[]}}"#,
            r#"{"status_update":{"status":{"value":"x"}}}"#,
            r#"{"status_update":{"status":1}}"#,
        ] {
            assert!(envelope(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn envelopes_encode_as_protojson_writes_them() {
        let p = Presence {
            user_id: "u".into(),
            session_id: "s".into(),
            username: "n".into(),
            node: "nakama".into(),
            ..Presence::default()
        };
        assert_eq!(
            Envelope::error("3", error_code::MATCH_NOT_FOUND, "Match not found").to_json(),
            r#"{"cid":"3","error":{"code":4,"message":"Match not found"}}"#
        );
        assert_eq!(
            Envelope::error("", error_code::RUNTIME_EXCEPTION, "x").to_json(),
            r#"{"error":{"message":"x"}}"#
        );
        assert_eq!(
            Envelope {
                cid: "2",
                message: None
            }
            .to_json(),
            r#"{"cid":"2"}"#
        );
        assert_eq!(
            Envelope {
                cid: "1",
                message: Some(Out::Pong(Empty {}))
            }
            .to_json(),
            r#"{"cid":"1","pong":{}}"#
        );
        let m = Envelope {
            cid: "4",
            message: Some(Out::Match(MatchOut {
                match_id: "m.nakama".into(),
                authoritative: true,
                label: Some(String::new()),
                size: 0,
                presences: vec![],
                self_: Some(UserPresence::from(&p)),
            })),
        };
        assert_eq!(
            m.to_json(),
            r#"{"cid":"4","match":{"match_id":"m.nakama","authoritative":true,"label":"","self":{"user_id":"u","session_id":"s","username":"n"}}}"#
        );
        assert_eq!(
            outbound(&Outbound::Data {
                match_id: "m.nakama".into(),
                sender: None,
                op_code: 2,
                data: b"hi".to_vec(),
                reliable: true
            }),
            r#"{"match_data":{"match_id":"m.nakama","op_code":"2","data":"aGk=","reliable":true}}"#
        );
        assert_eq!(
            outbound(&Outbound::Presences {
                match_id: "m.nakama".into(),
                joins: vec![],
                leaves: vec![p.clone()]
            }),
            r#"{"match_presence_event":{"match_id":"m.nakama","leaves":[{"user_id":"u","session_id":"s","username":"n"}]}}"#
        );
        // Chat: wrappers written zero or not, presences with their
        // persistence, names in proto order.
        let stream = crate::channels::Stream::parse("2...lobby").unwrap();
        let message = nakama_runtime_host::abi::api::ChannelMessage {
            channel_id: "2...lobby".into(),
            message_id: "m".into(),
            code: Some(0),
            sender_id: "u".into(),
            content: "{}".into(),
            create_time: Some("2027-01-15T08:00:00.120Z".into()),
            persistent: Some(false),
            room_name: "lobby".into(),
            ..Default::default()
        };
        assert_eq!(
            outbound(&Outbound::ChannelMessage(Box::new(message))),
            r#"{"channel_message":{"channel_id":"2...lobby","message_id":"m","code":0,"sender_id":"u","content":"{}","create_time":"2027-01-15T08:00:00.120Z","persistent":false,"room_name":"lobby"}}"#
        );
        let joined = crate::channels::ChannelPresence {
            presence: p,
            persistence: true,
        };
        assert_eq!(
            outbound(&Outbound::ChannelPresences(
                crate::channels::PresenceEvent {
                    stream,
                    joins: vec![joined],
                    leaves: vec![]
                }
            )),
            r#"{"channel_presence_event":{"channel_id":"2...lobby","joins":[{"user_id":"u","session_id":"s","username":"n","persistence":true}],"room_name":"lobby"}}"#
        );
        // Status presences carry their status, empty or not.
        let status = |s: &str| crate::status::StatusPresence {
            user_id: "u".into(),
            session_id: "s".into(),
            username: "n".into(),
            status: s.into(),
        };
        assert_eq!(
            outbound(&Outbound::StatusPresences(crate::status::Event {
                joins: vec![status("busy")],
                leaves: vec![status("")]
            })),
            r#"{"status_presence_event":{"joins":[{"user_id":"u","session_id":"s","username":"n","status":"busy"}],"leaves":[{"user_id":"u","session_id":"s","username":"n","status":""}]}}"#
        );
        assert_eq!(
            Envelope {
                cid: "5",
                message: Some(Out::Status(StatusOut::default()))
            }
            .to_json(),
            r#"{"cid":"5","status":{}}"#
        );
        assert_eq!(
            outbound(&Outbound::Reply(r#"{"cid":"1"}"#.into())),
            r#"{"cid":"1"}"#
        );
    }

    #[test]
    fn match_ids_are_keyed_as_nakama_parses_them() {
        let id = "6B3F0C3E-0000-4000-8000-000000000001.nakama";
        assert_eq!(
            match_key(id),
            Some((
                "6b3f0c3e-0000-4000-8000-000000000001.nakama".into(),
                "nakama".into()
            ))
        );
        assert_eq!(
            match_key("6b3f0c3e000040008000000000000001."),
            Some((
                "6b3f0c3e-0000-4000-8000-000000000001.".into(),
                String::new()
            ))
        );
        assert_eq!(match_key("nodot"), None);
        assert_eq!(match_key("not-a-uuid.nakama"), None);
    }
}
