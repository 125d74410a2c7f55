//! The realtime socket (`GET /ws`, JSON envelopes) as Nakama 3.40.0 serves
//! it, checked on a host serving `examples/arena`: the upgrade's refusals,
//! `ping`, `rpc`, an arena match joined, played and left by blocking
//! WebSocket clients, relayed matches, notifications, and the matchmaker
//! (tickets, groups, and arena's matched hook).
//!
//! Only what Nakama's source says it does is asserted. Where Nakama leaves
//! the order or timing of things to its goroutines (a presence event
//! against the `match` answer, a match's label while a join is still being
//! handled), the check waits for the message it needs and sets the others
//! aside rather than asserting an order.

use std::collections::VecDeque;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket};

use crate::http::{authenticate_custom, request, HttpResponse};

mod protobuf;
pub use protobuf::check_protobuf;

/// How long a check waits for a message it expects.
const WAIT: Duration = Duration::from_secs(10);

/// How long one read of a socket blocks before it looks at its deadline.
const READ_TIMEOUT: Duration = Duration::from_millis(100);

/// A user authenticated over HTTP.
pub struct User {
    pub token: String,
    pub user_id: String,
    pub username: String,
}

impl User {
    /// Authenticates custom id `id` (created if needed) with `username`.
    pub fn new(port: u16, id: &str, username: &str) -> User {
        let token = authenticate_custom(port, username, &format!(r#"{{"id":"{id}"}}"#));
        let account = request(
            port,
            "GET",
            "/v2/account",
            &[("Authorization", &format!("Bearer {token}"))],
            None,
        )
        .expect("account");
        assert_eq!(account.status, 200, "{}", account.text());
        let user = &account.json()["user"];
        User {
            token,
            user_id: user["id"].as_str().unwrap().to_string(),
            username: user["username"].as_str().unwrap().to_string(),
        }
    }

    /// A new user for one run of a check: custom id
    /// `<prefix>-<name>-<suffix>`, username `<prefix><name><suffix>`.
    pub fn fresh(port: u16, prefix: &str, name: &str) -> User {
        let suffix = crate::run_suffix();
        User::new(
            port,
            &format!("{prefix}-{name}-{suffix}"),
            &format!("{prefix}{name}{suffix}"),
        )
    }

    /// The JSON of the user's storage object `collection`/`key` (read
    /// with their session), if there is one yet.
    pub fn stored(&self, port: u16, collection: &str, key: &str) -> Option<Value> {
        let body = json!({"object_ids": [{"collection": collection, "key": key, "user_id": self.user_id}]});
        let r = request(
            port,
            "POST",
            "/v2/storage",
            &[("Authorization", &format!("Bearer {}", self.token))],
            Some(body.to_string().as_bytes()),
        )
        .expect("storage read");
        assert_eq!(r.status, 200, "{}", r.text());
        let value = r.json()["objects"][0]["value"].as_str()?.to_string();
        Some(serde_json::from_str(&value).expect("a JSON object"))
    }

    /// Waits until a module has stored the user's object
    /// `collection`/`key`; answers its JSON.
    pub fn wait_stored(&self, port: u16, collection: &str, key: &str) -> Value {
        let mut found = None;
        crate::eventually(&format!("a module stores {collection}/{key:?}"), || {
            found = self.stored(port, collection, key);
            found
                .is_some()
                .then_some(())
                .ok_or_else(|| "nothing yet".into())
        });
        found.unwrap_or_default()
    }

    /// An RPC over HTTP with the user's session; answers the payload.
    pub fn rpc(&self, port: u16, id: &str, payload: &str) -> Value {
        let r = request(
            port,
            "POST",
            &format!("/v2/rpc/{id}"),
            &[("Authorization", &format!("Bearer {}", self.token))],
            Some(Value::from(payload).to_string().as_bytes()),
        )
        .expect("rpc");
        assert_eq!(r.status, 200, "{}", r.text());
        serde_json::from_str(r.json()["payload"].as_str().unwrap()).unwrap()
    }
}

/// A blocking realtime client: envelopes as JSON, `cid`s numbered from 1.
pub struct Socket {
    ws: WebSocket<TcpStream>,
    /// Envelopes received while waiting for another.
    pending: VecDeque<Value>,
    next_cid: u64,
    /// How the server closed the socket, once it has.
    pub closed: Option<(u16, String)>,
    /// The bytes of the text frames sent and received so far.
    pub sent_bytes: usize,
    pub received_bytes: usize,
}

impl Socket {
    /// Connects to `/ws?<query>`, as nakama-js does with
    /// `lang=en&status=..&token=..`.
    pub fn connect(port: u16, query: &str) -> Result<Socket, tungstenite::Error> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        let url = format!("ws://127.0.0.1:{port}/ws?{query}");
        let (ws, _) = tungstenite::client(url.as_str(), stream).map_err(|e| match e {
            tungstenite::HandshakeError::Failure(e) => e,
            tungstenite::HandshakeError::Interrupted(_) => {
                tungstenite::Error::Io(std::io::ErrorKind::WouldBlock.into())
            }
        })?;
        ws.get_ref().set_read_timeout(Some(READ_TIMEOUT))?;
        Ok(Socket {
            ws,
            pending: VecDeque::new(),
            next_cid: 1,
            closed: None,
            sent_bytes: 0,
            received_bytes: 0,
        })
    }

    /// Connects with a session token, as nakama-js does.
    pub fn open(port: u16, user: &User) -> Socket {
        Socket::connect(port, &format!("lang=en&status=true&token={}", user.token))
            .expect("socket connects")
    }

    /// A ping round trip. Nakama registers a socket's session only after
    /// the handshake, so until then what is sent to its user (a
    /// notification, a ban's disconnect) can miss it; once the ping is
    /// answered, the session is registered.
    pub fn ready(&mut self) {
        let pong = self.call(serde_json::json!({"ping": {}}));
        assert!(pong.get("pong").is_some(), "{pong}");
    }

    /// The client's and the server's ends of the connection.
    pub fn addresses(&self) -> (std::net::SocketAddr, std::net::SocketAddr) {
        let tcp = self.ws.get_ref();
        (tcp.local_addr().unwrap(), tcp.peer_addr().unwrap())
    }

    /// Ends the connection without a WebSocket close: a plain TCP end of
    /// stream (`reset: false`), or a reset (the client leaves an answer
    /// unread, so its kernel resets the connection when it closes).
    pub fn drop_connection(mut self, reset: bool) {
        if reset {
            self.send(&serde_json::json!({"ping": {}}));
            std::thread::sleep(Duration::from_millis(300));
        } else {
            let _ = self.ws.get_ref().shutdown(std::net::Shutdown::Write);
            // The server's answer to that: it closes its end too.
            while self.read(Duration::from_millis(200)).is_some() {}
        }
    }

    /// Sends an envelope as text.
    pub fn send(&mut self, envelope: &Value) {
        self.send_text(&envelope.to_string());
    }

    pub fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text))
            .unwrap_or_else(|e| panic!("send {text}: {e}"));
        self.sent_bytes += text.len();
    }

    /// The next envelope from the server, if one comes within `wait`;
    /// `None` also once the server has closed (see [`Socket::closed`]).
    fn read(&mut self, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        while self.closed.is_none() && Instant::now() < deadline {
            match self.ws.read() {
                Ok(Message::Text(t)) => {
                    self.received_bytes += t.len();
                    return Some(serde_json::from_str(t.as_str()).unwrap_or_else(|e| {
                        panic!("the server sent an envelope that is not JSON ({e}): {t}")
                    }));
                }
                Ok(Message::Close(frame)) => {
                    self.closed = Some(frame.map_or((1005, String::new()), |f| {
                        (u16::from(f.code), f.reason.to_string())
                    }));
                }
                Ok(other) => {
                    assert!(
                        !matches!(other, Message::Binary(_)),
                        "the server sent binary on a JSON socket"
                    );
                }
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                    self.closed.get_or_insert((1006, String::new()));
                }
                Err(e) => {
                    self.closed.get_or_insert((1006, e.to_string()));
                }
            }
        }
        None
    }

    /// Sends `message` (e.g. `{"ping":{}}`) with the next cid and answers
    /// the envelope that carries it back; what comes meanwhile waits in
    /// its `pending` queue ([`Socket::waiting`]).
    pub fn call(&mut self, mut message: Value) -> Value {
        let cid = self.next_cid.to_string();
        self.next_cid += 1;
        message["cid"] = Value::from(cid.clone());
        self.send(&message);
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            match self.read(deadline - Instant::now()) {
                Some(e) if e["cid"] == cid.as_str() => return e,
                Some(e) => self.pending.push_back(e),
                None => break,
            }
        }
        panic!(
            "no answer to {message} (closed: {:?}; received meanwhile: {:?})",
            self.closed, self.pending
        )
    }

    /// The envelopes received while waiting for others, not asked for
    /// yet, oldest first.
    pub fn waiting(&self) -> impl Iterator<Item = &Value> {
        self.pending.iter()
    }

    /// Drops the waiting envelopes `unwanted` accepts.
    pub fn forget(&mut self, unwanted: impl Fn(&Value) -> bool) {
        self.pending.retain(|e| !unwanted(e));
    }

    /// The first envelope, received or waiting, that `wanted` accepts; the
    /// others received meanwhile wait.
    pub fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&wanted) {
            return self.pending.remove(i).unwrap();
        }
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            match self.read(deadline - Instant::now()) {
                Some(e) if wanted(&e) => return e,
                Some(e) => self.pending.push_back(e),
                None => break,
            }
        }
        panic!(
            "timed out waiting for {what} (closed: {:?}; received: {:?})",
            self.closed, self.pending
        )
    }

    /// Waits until the server closes the socket; answers its close code
    /// and reason, and the envelopes that came before.
    pub fn wait_closed(&mut self) -> ((u16, String), Vec<Value>) {
        let deadline = Instant::now() + WAIT;
        while self.closed.is_none() && Instant::now() < deadline {
            if let Some(e) = self.read(deadline - Instant::now()) {
                self.pending.push_back(e);
            }
        }
        let closed = self
            .closed
            .clone()
            .unwrap_or_else(|| panic!("the server did not close the socket: {:?}", self.pending));
        (closed, self.pending.drain(..).collect())
    }

    /// Closes from the client side (a normal close), and waits for the
    /// server's answer.
    pub fn close(mut self) {
        let _ = self.ws.close(Some(tungstenite::protocol::CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        }));
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            match self.ws.read() {
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
                Ok(_) => {}
            }
        }
    }
}

/// Waits until none of `sockets` has received anything for `quiet`;
/// answers what each received, with what was waiting first, oldest
/// first. For what a server sends on its own time (presence events,
/// messages to other sockets), where waiting for one envelope would miss
/// envelopes that should not come.
pub fn settle(sockets: &mut [Socket], quiet: Duration) -> Vec<Vec<Value>> {
    let mut got: Vec<Vec<Value>> = sockets
        .iter_mut()
        .map(|s| s.pending.drain(..).collect())
        .collect();
    for s in sockets.iter() {
        let _ =
            s.ws.get_ref()
                .set_read_timeout(Some(Duration::from_millis(1)));
    }
    let deadline = Instant::now() + WAIT;
    loop {
        std::thread::sleep(quiet);
        let mut any = false;
        for (s, got) in sockets.iter_mut().zip(&mut got) {
            while let Some(e) = s.read(Duration::from_millis(2)) {
                got.push(e);
                any = true;
            }
        }
        if !any || Instant::now() > deadline {
            break;
        }
    }
    for s in sockets.iter() {
        let _ = s.ws.get_ref().set_read_timeout(Some(READ_TIMEOUT));
    }
    got
}

/// An `error` envelope's code and message (code 0 is left out of the JSON).
pub fn error_of(envelope: &Value) -> (i64, String) {
    let e = &envelope["error"];
    assert!(e.is_object(), "expected an error: {envelope}");
    (
        e["code"].as_i64().unwrap_or(0),
        e["message"].as_str().unwrap_or("").to_string(),
    )
}

/// A user presence as the socket writes it.
fn presence(user: &User, session_id: &str) -> Value {
    json!({"user_id": user.user_id, "session_id": session_id, "username": user.username})
}

/// The data of a `match_data` envelope, decoded from base64 as JSON when
/// it is.
fn data_of(envelope: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(envelope["match_data"]["data"].as_str().unwrap_or(""))
        .unwrap_or_else(|e| panic!("match_data data is not base64 ({e}): {envelope}"))
}

fn is_data(envelope: &Value, op_code: &str) -> bool {
    envelope["match_data"]["op_code"] == op_code
}

/// A move to `(x, y)` as a client sends it (op code 1, JSON, base64).
pub fn move_to(match_id: &str, x: i32, y: i32) -> Value {
    let data =
        base64::engine::general_purpose::STANDARD.encode(json!({"x": x, "y": y}).to_string());
    json!({"match_data_send": {"match_id": match_id, "op_code": "1", "data": data, "presences": []}})
}

/// Op code 2 telling that `name` is at `(x, y)`.
pub fn positions_with(envelope: &Value, name: &str, x: i32, y: i32) -> bool {
    is_data(envelope, "2")
        && serde_json::from_slice::<Value>(&data_of(envelope))
            .is_ok_and(|p| p["players"][name] == json!({"x": x, "y": y}))
}

/// The upgrade's refusals, before any socket: Go's `http.Error` bodies.
pub fn check_upgrade_refusals(port: u16, user: &User) {
    let handshake = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let get = |path: &str, extra: &[(&str, &str)]| -> HttpResponse {
        let mut headers = handshake.to_vec();
        headers.extend_from_slice(extra);
        request(port, "GET", path, &headers, None).expect("GET /ws")
    };
    let refused = |r: &HttpResponse, status: u16, body: &str| {
        assert_eq!(r.status, status, "{}", r.text());
        assert_eq!(r.text(), format!("{body}\n"));
        assert_eq!(r.header("Content-Type"), Some("text/plain; charset=utf-8"));
    };
    refused(&get("/ws", &[]), 401, "Missing or invalid token");
    refused(&get("/ws?token=", &[]), 401, "Missing or invalid token");
    refused(&get("/ws?token=bad", &[]), 401, "Missing or invalid token");
    // Well formed, badly signed.
    let forged = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0aWQiOiJ0IiwidWlkIjoiNmIzZjBjM2UtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIiwidXNuIjoidSIsImV4cCI6OTk5OTk5OTk5OSwiaWF0IjoxfQ.x";
    refused(
        &get(&format!("/ws?token={forged}"), &[]),
        401,
        "Missing or invalid token",
    );
    // A header wins over the query, and must be a Bearer one.
    let token_query = format!("/ws?token={}", user.token);
    refused(
        &get(&token_query, &[("Authorization", "Basic ZGVmYXVsdGtleTo=")]),
        401,
        "Missing or invalid token",
    );
    refused(
        &get(&token_query, &[("Authorization", "Bearer bad")]),
        401,
        "Missing or invalid token",
    );
    // The format is checked first.
    refused(
        &get("/ws?format=xml&token=bad", &[]),
        400,
        "Invalid format parameter",
    );
    // A valid token on a request that is not a handshake.
    let plain = request(port, "GET", &token_query, &[], None).expect("GET /ws");
    refused(&plain, 400, "Bad Request");
    // The tungstenite client sees the refusal too.
    match Socket::connect(port, "token=bad") {
        Err(tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        Err(e) => panic!("expected an HTTP 401, got {e}"),
        Ok(_) => panic!("a bad token was accepted"),
    }
    // With the token in the header, as other clients send it.
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = tungstenite::client::IntoClientRequest::into_client_request(format!(
        "ws://127.0.0.1:{port}/ws?format=json"
    ))
    .unwrap();
    req.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", user.token).parse().unwrap(),
    );
    let (mut ws, response) = tungstenite::client(req, stream).expect("header token accepted");
    assert_eq!(response.status(), 101);
    let _ = ws.close(None);
}

/// `ping` and `rpc` over the socket.
pub fn check_ping_and_rpc(socket: &mut Socket) {
    let pong = socket.call(json!({"ping": {}}));
    assert_eq!(pong, json!({"cid": pong["cid"], "pong": {}}));

    // A module's RPC, with the id echoed as sent (lookups ignore case).
    let r = socket.call(json!({"rpc": {"id": "Arena_Create", "payload": r#"{"max_players":3}"#}}));
    assert_eq!(r["rpc"]["id"], "Arena_Create", "{r}");
    let created: Value = serde_json::from_str(r["rpc"]["payload"].as_str().unwrap()).unwrap();
    assert!(match_id_parts(created["match_id"].as_str().unwrap()).is_some());
    assert_eq!(r.as_object().unwrap().len(), 2, "{r}");

    let r = socket.call(json!({"rpc": {"id": "arena_create", "payload": r#"{"max_players":1}"#}}));
    assert_eq!(
        error_of(&r),
        (7, "max_players must be 2 to 16".into()),
        "RUNTIME_FUNCTION_EXCEPTION with the function's message"
    );
    let r = socket.call(json!({"rpc": {"id": "no_such_rpc"}}));
    assert_eq!(error_of(&r), (6, "RPC function not found".into()));
    let r = socket.call(json!({"rpc": {"payload": "x"}}));
    assert_eq!(error_of(&r), (3, "RPC ID must be set".into()));
}

/// `<uuid>.<node>` with a non-empty node.
fn match_id_parts(id: &str) -> Option<(&str, &str)> {
    let (uuid, node) = id.split_once('.')?;
    (uuid.len() == 36 && !node.is_empty()).then_some((uuid, node))
}

/// The whole check on a host serving `examples/arena`.
pub fn check_arena(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("rt-{n}-{suffix}"), &format!("{n}{suffix}"));
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));

    check_upgrade_refusals(port, &alice);

    let mut a = Socket::open(port, &alice);
    let mut b = Socket::open(port, &bob);
    let mut c = Socket::open(port, &carol);
    check_ping_and_rpc(&mut a);

    let created = alice.rpc(port, "arena_create", r#"{"max_players":2}"#);
    let match_id = created["match_id"].as_str().unwrap().to_string();
    let (_, node) = match_id_parts(&match_id).unwrap_or_else(|| panic!("match id {match_id}"));

    // Joins that fail.
    let unknown = format!("{}.{node}", "6b3f0c3e-0000-4000-8000-00000000abcd");
    let r = a.call(json!({"match_join": {"match_id": unknown, "metadata": {"name": "x"}}}));
    assert_eq!(error_of(&r), (4, "Match not found".into()));
    for bad in ["not-a-uuid.node", "nodot", ""] {
        let r = a.call(json!({"match_join": {"match_id": bad}}));
        assert_eq!(error_of(&r), (3, "Invalid match ID".into()), "{bad:?}");
    }
    let r = a.call(json!({"match_join": {}}));
    assert_eq!(error_of(&r), (3, "No match ID or token found".into()));
    let r = a.call(json!({"match_join": {"match_id": match_id}}));
    assert_eq!(error_of(&r), (5, "name required".into()));

    // Alice joins: nobody else is in.
    let r = a.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "alice"}}}));
    let m = &r["match"];
    assert!(m.is_object(), "{r}");
    assert_eq!(m["match_id"], match_id.as_str());
    assert_eq!(m["authoritative"], true);
    assert_eq!(
        serde_json::from_str::<Value>(m["label"].as_str().unwrap()).unwrap(),
        json!({"open": true, "players": 0}),
        "the label as the join attempt left it"
    );
    assert!(
        m.get("size").is_none() && m.get("presences").is_none(),
        "{m}"
    );
    let a_session = m["self"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(m["self"], presence(&alice, &a_session));
    // Her own join reaches her as a presence event.
    let joined = |e: &Value, session: &str| {
        e["match_presence_event"]["match_id"] == match_id.as_str()
            && e["match_presence_event"]["joins"]
                .as_array()
                .is_some_and(|j| j.iter().any(|p| p["session_id"] == session))
    };
    let e = a.wait_for("alice's own join", |e| joined(e, &a_session));
    assert_eq!(
        e["match_presence_event"]["joins"],
        json!([presence(&alice, &a_session)])
    );

    // Bob joins: Alice is the other presence.
    let r = b.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "bob"}}}));
    let m = &r["match"];
    assert!(m.is_object(), "{r}");
    assert_eq!(m["size"], 1, "{m}");
    assert_eq!(m["presences"], json!([presence(&alice, &a_session)]));
    let b_session = m["self"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(m["self"], presence(&bob, &b_session));
    assert_ne!(a_session, b_session);
    // Loose: Nakama may run Alice's MatchJoin after Bob's join attempt.
    let label: Value = serde_json::from_str(m["label"].as_str().unwrap()).unwrap();
    assert_eq!(label["open"], true, "{label}");
    assert!(matches!(label["players"].as_i64(), Some(0 | 1)), "{label}");
    a.wait_for("bob's join, at alice", |e| joined(e, &b_session));
    b.wait_for("bob's own join", |e| joined(e, &b_session));

    // Alice joins again: the match again, every presence listed, her own
    // too, and no second join. Nakama's match loop takes Bob in at its
    // next tick, which may come after the presence events: ask again
    // until it has.
    let mut r = Value::Null;
    crate::eventually("the match to count bob", || {
        r = a.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "alice"}}}));
        if r["match"]["size"] == 2 {
            Ok(())
        } else {
            Err(r.to_string())
        }
    });
    let m = &r["match"];
    let mut sessions: Vec<&str> = m["presences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["session_id"].as_str().unwrap())
        .collect();
    sessions.sort();
    let mut both = vec![a_session.as_str(), b_session.as_str()];
    both.sort();
    assert_eq!(sessions, both, "{m}");

    // A move: op code 2 with the positions, to both.
    a.send(&move_to(&match_id, 3, 4));
    for s in [&mut a, &mut b] {
        let e = s.wait_for("positions after alice's move", |e| {
            positions_with(e, "alice", 3, 4)
        });
        let d = &e["match_data"];
        assert_eq!(d["match_id"], match_id.as_str());
        assert_eq!(d["reliable"], true);
        assert!(d.get("presence").is_none(), "sent by the match: {e}");
        let p: Value = serde_json::from_slice(&data_of(&e)).unwrap();
        assert!(p["players"]["bob"].is_object(), "{p}");
    }

    // A message the arena does not understand: op code 9, to its sender only.
    let data = base64::engine::general_purpose::STANDARD.encode("nope");
    b.send(&json!({"match_data_send": {"match_id": match_id, "op_code": 1, "data": data}}));
    let e = b.wait_for("op code 9 at bob", |e| is_data(e, "9"));
    let refused: Value = serde_json::from_slice(&data_of(&e)).unwrap();
    assert_eq!(
        refused,
        json!({"error": "op code 1 (FromClient::Move): expected ident at line 1 column 2"})
    );
    a.send(&move_to(&match_id, 5, 6));
    a.wait_for("positions after alice's second move", |e| {
        positions_with(e, "alice", 5, 6)
    });
    assert!(
        !a.pending.iter().any(|e| is_data(e, "9")),
        "op code 9 went to alice too: {:?}",
        a.pending
    );

    // A data message with a malformed match id: an error without the cid,
    // and the socket stays open.
    b.send(&json!({"cid": "77", "match_data_send": {"match_id": "nodot", "op_code": "1"}}));
    let e = b.wait_for("the bad match id error", |e| e.get("error").is_some());
    assert_eq!(error_of(&e), (3, "Invalid match ID".into()));
    assert!(e.get("cid").is_none(), "{e}");
    b.call(json!({"ping": {}}));

    // The arena is full.
    let r = c.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "carol"}}}));
    assert_eq!(error_of(&r), (5, "arena is full".into()));

    // Bob leaves: an empty answer; Alice sees him go.
    let r = b.call(json!({"match_leave": {"match_id": match_id}}));
    assert_eq!(r, json!({"cid": r["cid"]}));
    let left = |e: &Value, session: &str| {
        e["match_presence_event"]["match_id"] == match_id.as_str()
            && e["match_presence_event"]["leaves"]
                .as_array()
                .is_some_and(|l| l.iter().any(|p| p["session_id"] == session))
    };
    let e = a.wait_for("bob's leave, at alice", |e| left(e, &b_session));
    assert_eq!(
        e["match_presence_event"]["leaves"],
        json!([presence(&bob, &b_session)])
    );
    // Leaving again, or a match one is not in, is answered the same.
    let r = b.call(json!({"match_leave": {"match_id": match_id}}));
    assert_eq!(r, json!({"cid": r["cid"]}));
    let r = b.call(json!({"match_leave": {"match_id": "nodot"}}));
    assert_eq!(error_of(&r), (3, "Invalid match ID".into()));

    // Carol takes the seat; Alice's socket closes and she leaves the match.
    let r = c.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "carol"}}}));
    assert_eq!(
        r["match"]["presences"],
        json!([presence(&alice, &a_session)]),
        "{r}"
    );
    a.close();
    c.wait_for("alice's leave when her socket closed", |e| {
        left(e, &a_session)
    });

    check_closes(port, &carol, false);
    check_protobuf(port, &carol, false);

    b.close();
    c.close();
}

/// Checks how the server closed a socket it closes for `reason`: a close
/// frame 1000 with the reason. Not `exact`: an abrupt close (1006) also
/// passes, for Nakama closes from two goroutines and the one that
/// closes without a frame sometimes wins (server/session_ws.go `Close`,
/// called by the read loop with the reason and by the write loop, woken
/// by the first call, without one); seen after `Unrecognized message.`
/// and after a module's `session_disconnect`.
pub(crate) fn assert_closed_for(closed: &(u16, String), reason: &str, exact: bool) {
    let clean = closed.0 == 1000 && closed.1 == reason;
    assert!(
        clean || (!exact && closed.0 == 1006),
        "expected a close for {reason:?}, got {closed:?}"
    );
}

/// The flags [`check_socket_settings`] needs the host started with.
pub const SOCKET_SETTINGS: [&str; 10] = [
    "--socket.ping_period_ms",
    "300",
    "--socket.pong_wait_ms",
    "900",
    "--socket.max_message_size_bytes",
    "1000",
    "--socket.read_buffer_size_bytes",
    "100",
    "--socket.write_buffer_size_bytes",
    "100",
];

/// Nakama's `socket.*` timings and size limit, as a host started with
/// [`SOCKET_SETTINGS`] applies them: a client that answers the server's
/// pings (the WebSocket library does, as it reads) stays open past the
/// pong wait; one that reads nothing is closed once the pong wait is up,
/// with Go's read timeout as the reason (the address pair Go names
/// included); a message larger than the read and write buffers but under
/// the size limit is read whole and answered; one over the size limit
/// gets gorilla/websocket's bare 1009.
pub fn check_socket_settings(port: u16, user: &User) {
    let mut reading = Socket::open(port, user);
    let mut silent = Socket::open(port, user);
    let (client, server) = silent.addresses();
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2_000) {
        if let Some(e) = reading.read(Duration::from_millis(100)) {
            reading.pending.push_back(e);
        }
        assert_eq!(reading.closed, None, "the reading client was closed");
    }
    reading.ready();
    let r = reading.call(json!({"rpc": {"id": "x", "payload": "y".repeat(900)}}));
    assert_eq!(error_of(&r), (6, "RPC function not found".into()));
    let (closed, _) = silent.wait_closed();
    assert_eq!(
        closed,
        (1000, format!("read tcp {server}->{client}: i/o timeout")),
        "the silent client is closed for its missing pong"
    );
    reading.send_text(
        &json!({"cid": "1", "rpc": {"id": "x", "payload": "y".repeat(990)}}).to_string(),
    );
    let (closed, _) = reading.wait_closed();
    assert_eq!(closed.0, 1009, "{closed:?}");
}

/// Requests the server closes the socket for: a payload that is not an
/// envelope, a binary message, one over 4096 bytes, an envelope without a
/// message, a message only servers send. `exact`: see `assert_closed_for`.
pub fn check_closes(port: u16, user: &User, exact: bool) {
    let mut s = Socket::open(port, user);
    s.send_text("not json");
    let (closed, _) = s.wait_closed();
    assert_closed_for(&closed, "received malformed payload", exact);
    // protojson refuses two messages, unknown fields, wrong types.
    for envelope in [
        json!({"cid": "1", "ping": {}, "pong": {}}),
        json!({"cid": "1", "match_join": {"match_id": "x", "bogus": 1}}),
        json!({"cid": 1, "ping": {}}),
        json!({"cid": "1", "match_data_send": {"match_id": "x", "op_code": "one"}}),
    ] {
        let mut s = Socket::open(port, user);
        s.send(&envelope);
        let (closed, before) = s.wait_closed();
        assert_closed_for(&closed, "received malformed payload", exact);
        assert!(
            !before.iter().any(|e| e.get("error").is_some()),
            "{envelope}: {before:?}"
        );
    }
    let mut s = Socket::open(port, user);
    s.ws.send(Message::binary(b"{}".to_vec())).unwrap();
    let (closed, _) = s.wait_closed();
    assert_closed_for(&closed, "received unexpected WebSocket message type", exact);
    // Over socket.max_message_size_bytes (4096): gorilla/websocket sends a
    // bare 1009 itself, before the session closes.
    let mut s = Socket::open(port, user);
    let big = "x".repeat(5000);
    s.send(&json!({"rpc": {"id": "arena_create", "payload": big}}));
    let (closed, _) = s.wait_closed();
    assert_eq!(closed.0, 1009, "{closed:?}");
    // An error envelope, then the close. Nakama may close before the
    // envelope is written; other envelopes may come first (with
    // `status=true` a real Nakama tells each session of the user about the
    // others' status).
    for (envelope, error) in [
        (json!({"cid": "1"}), (2, "Missing message.")),
        (
            json!({"cid": "1", "match_data": {}}),
            (1, "Unrecognized message."),
        ),
    ] {
        let mut s = Socket::open(port, user);
        s.send(&envelope);
        let (closed, before) = s.wait_closed();
        assert_closed_for(&closed, "error processing message", exact);
        let errors: Vec<_> = before.iter().filter(|e| e.get("error").is_some()).collect();
        for e in &errors {
            assert_eq!(error_of(e), (error.0, error.1.to_string()), "{e}");
            assert_eq!(e["cid"], "1", "{e}");
        }
        if exact {
            assert_eq!(errors.len(), 1, "{before:?}");
        }
    }
}

/// The context of an RPC called over the socket, on a host serving
/// `fixtures/fixture-nk` (its `nk_context` answers the context): the
/// session's user, session id and `lang`, the client's address, and no
/// headers or query params (Nakama passes none on this path).
pub fn check_rpc_context(port: u16) {
    let token = authenticate_custom(
        port,
        "rt_ctx_user",
        r#"{"id":"rt-ctx-424242","vars":{"tier":"gold"}}"#,
    );
    let mut s = Socket::connect(port, &format!("lang=de&token={token}&region=eu"))
        .expect("socket connects");
    let r = s.call(json!({"rpc": {"id": "nk_context", "payload": "{}"}}));
    let ctx: Value = serde_json::from_str(r["rpc"]["payload"].as_str().unwrap_or("null"))
        .unwrap_or_else(|e| panic!("{e}: {r}"));
    assert_eq!(ctx["execution_mode"], "rpc", "{ctx}");
    assert_eq!(ctx["username"], "rt_ctx_user", "{ctx}");
    assert_eq!(ctx["vars"], json!({"tier": "gold"}), "{ctx}");
    assert!(
        ctx["user_id"].as_str().is_some_and(|u| u.len() == 36),
        "{ctx}"
    );
    assert!(ctx["user_session_exp"].as_i64().is_some(), "{ctx}");
    assert!(
        ctx["session_id"].as_str().is_some_and(|u| u.len() == 36),
        "{ctx}"
    );
    assert_eq!(ctx["lang"], "de", "{ctx}");
    assert!(ctx["client_ip"].as_str().is_some(), "{ctx}");
    assert!(ctx["client_port"].as_str().is_some(), "{ctx}");
    for absent in ["headers", "query_params"] {
        let v = &ctx[absent];
        assert!(
            v.is_null() || v.as_object().is_some_and(|m| m.is_empty()),
            "{absent}: {ctx}"
        );
    }
    // The same session id on every call of the socket.
    let again = s.call(json!({"rpc": {"id": "nk_context"}}));
    let again: Value = serde_json::from_str(again["rpc"]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(again["session_id"], ctx["session_id"]);
    s.close();
}

/// Relayed matches (a client's `match_create`): no handler, the server
/// relays data between the presences. Named ones meet at one id; a send
/// goes to every other presence, or to those it lists; joins and leaves
/// reach everyone in the match; `GET /v2/match` lists them with their size.
pub fn check_relayed(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("rl-{n}-{suffix}"), &format!("r{n}{suffix}"));
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));
    let (mut a, mut b, mut c) = (
        Socket::open(port, &alice),
        Socket::open(port, &bob),
        Socket::open(port, &carol),
    );

    // An unnamed match: a fresh id, relayed ("<uuid>." with no node).
    let r = a.call(json!({"match_create": {}}));
    let m = &r["match"];
    let id = m["match_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    assert!(id.ends_with('.') && id.len() == 37, "{id}");
    assert_eq!(m.get("authoritative"), None, "{m}");
    assert_eq!(m.get("label"), None, "{m}");
    assert_eq!(m["size"], 1, "{m}");
    let a_session = m["self"]["session_id"].as_str().unwrap().to_string();
    assert_eq!(m["self"], presence(&alice, &a_session));

    // Bob joins it: Alice is listed; both are told of his join.
    let r = b.call(json!({"match_join": {"match_id": id}}));
    let m = &r["match"];
    assert_eq!(m["presences"], json!([presence(&alice, &a_session)]), "{r}");
    assert_eq!(m["size"], 1, "{m}");
    let b_session = m["self"]["session_id"].as_str().unwrap().to_string();
    let joined = |session: &str| {
        let (id, session) = (id.clone(), session.to_string());
        move |e: &Value| {
            e["match_presence_event"]["match_id"] == id.as_str()
                && e["match_presence_event"]["joins"]
                    .as_array()
                    .is_some_and(|j| j.iter().any(|p| p["session_id"] == session.as_str()))
        }
    };
    a.wait_for("bob's join, at alice", joined(&b_session));
    b.wait_for("bob's join, at bob", joined(&b_session));
    c.call(json!({"match_join": {"match_id": id}}));
    let c_session = c.wait_for("carol's own join", |e| {
        e["match_presence_event"]["match_id"] == id.as_str()
    })["match_presence_event"]["joins"][0]["session_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Data goes to everyone but the sender, with the sender's presence.
    let data = base64::engine::general_purpose::STANDARD.encode("hi all");
    a.send(&json!({"match_data_send": {"match_id": id, "op_code": "5", "data": data}}));
    for s in [&mut b, &mut c] {
        let e = s.wait_for("alice's data", |e| is_data(e, "5"));
        assert_eq!(e["match_data"]["presence"], presence(&alice, &a_session));
        assert_eq!(data_of(&e), b"hi all");
    }
    // Listed presences only (the sender too, when listed).
    let to_bob = json!([{"user_id": bob.user_id, "session_id": b_session}]);
    let data = base64::engine::general_purpose::STANDARD.encode("just bob");
    a.send(&json!({"match_data_send": {"match_id": id, "op_code": "6", "data": data, "presences": to_bob}}));
    b.wait_for("alice's data to bob", |e| is_data(e, "6"));
    // A send from someone not in the match reaches no one.
    let outsider = User::new(
        port,
        &format!("rl-dave-{suffix}"),
        &format!("rdave{suffix}"),
    );
    let mut d = Socket::open(port, &outsider);
    d.send(&json!({"match_data_send": {"match_id": id, "op_code": "7", "data": ""}}));
    // Ordering: Alice's next message arrives after anything sent before it.
    a.send(&json!({"match_data_send": {"match_id": id, "op_code": "8", "data": ""}}));
    c.wait_for("alice's last data at carol", |e| is_data(e, "8"));
    assert!(
        !c.pending.iter().any(|e| is_data(e, "6") || is_data(e, "7")),
        "carol got data not meant for her: {:?}",
        c.pending
    );

    // Listed with its size.
    let r = request(
        port,
        "GET",
        "/v2/match?limit=100&authoritative=false",
        &[("Authorization", &format!("Bearer {}", alice.token))],
        None,
    )
    .expect("list");
    let listed = r.json()["matches"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["match_id"] == id.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{id} not listed: {}", r.text()));
    assert_eq!(listed, json!({"match_id": id, "size": 3}));

    // Carol leaves: the others are told; the match goes on.
    let r = c.call(json!({"match_leave": {"match_id": id}}));
    assert!(r.get("error").is_none(), "{r}");
    let left = |e: &Value| {
        e["match_presence_event"]["leaves"]
            .as_array()
            .is_some_and(|l| l.iter().any(|p| p["session_id"] == c_session.as_str()))
    };
    a.wait_for("carol's leave, at alice", left);
    b.wait_for("carol's leave, at bob", left);

    // A named match: the same id for everyone who names it.
    let name = format!("room-{suffix}");
    let r = a.call(json!({"match_create": {"name": name}}));
    let named = r["match"]["match_id"].as_str().unwrap().to_string();
    let r = b.call(json!({"match_create": {"name": name}}));
    assert_eq!(r["match"]["match_id"], named.as_str(), "{r}");
    assert_eq!(r["match"]["size"], 2, "{r}");
    assert_eq!(
        r["match"]["presences"],
        json!([presence(&alice, &a_session)])
    );

    // A relayed match nobody is in is not found.
    a.call(json!({"match_leave": {"match_id": named}}));
    b.call(json!({"match_leave": {"match_id": named}}));
    let r = c.call(json!({"match_join": {"match_id": named}}));
    assert_eq!(error_of(&r), (4, "Match not found".into()));
    for s in [a, b, c, d] {
        s.close();
    }
}

/// Notifications a module sends reach the user's open sockets at once, on
/// a host serving `fixtures/fixture-nk` (its `nk_notify` sends one): a
/// persistent one is also stored, another is not.
pub fn check_notifications(port: u16) {
    let suffix = crate::run_suffix();
    let user = User::new(port, &format!("nt-{suffix}"), &format!("nt{suffix}"));
    let mut s = Socket::open(port, &user);
    let mut second = Socket::open(port, &user);
    s.ready();
    second.ready();
    for (persistent, stored) in [(false, 0), (true, 1)] {
        let payload = json!({"id": user.user_id, "persistent": persistent}).to_string();
        let r = user.rpc(port, "nk_notify", &payload);
        assert_eq!(r["stored"], stored, "persistent {persistent}: {r}");
        for socket in [&mut s, &mut second] {
            let e = socket.wait_for("the notification", |e| {
                let n = &e["notifications"]["notifications"][0];
                n.is_object() && n["persistent"].as_bool().unwrap_or(false) == persistent
            });
            let n = &e["notifications"]["notifications"];
            assert_eq!(n.as_array().map(Vec::len), Some(1), "{e}");
            let n = &n[0];
            assert_eq!(n["subject"], "ping", "{e}");
            assert_eq!(n["code"], 101, "{e}");
            let content: Value = serde_json::from_str(n["content"].as_str().unwrap()).unwrap();
            assert_eq!(content, json!({"n": 1}));
            assert_eq!(n["id"].as_str().map(str::len), Some(36), "{e}");
            assert!(
                n["create_time"].as_str().is_some_and(|t| t.ends_with('Z')),
                "{e}"
            );
            assert_eq!(
                n["sender_id"], "00000000-0000-0000-0000-000000000000",
                "a system notification: {e}"
            );
        }
    }
    s.close();
    second.close();
}

/// A protobuf JSON timestamp (`...:03Z`, `...:03.250Z`) with its fraction
/// written out to nine digits, so that two compare as text.
fn comparable_time(t: &Value) -> String {
    let t = t.as_str().unwrap_or_else(|| panic!("not a timestamp: {t}"));
    let re = regex::Regex::new(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{3}|\d{6}|\d{9}))?Z$")
        .unwrap();
    let c = re
        .captures(t)
        .unwrap_or_else(|| panic!("not a protobuf JSON timestamp: {t}"));
    let frac = c.get(2).map_or("", |m| m.as_str());
    format!("{}.{frac:0<9}", &c[1])
}

/// `GET /v2/matchmaker/stats`: as of the matchmaker's last pass, the
/// tickets waiting and the oldest's creation time, and the last (up to
/// 10) tickets matched with their creation and completion times.
pub fn check_matchmaker_stats(port: u16) {
    let suffix = crate::run_suffix();
    let r = request(port, "GET", "/v2/matchmaker/stats", &[], None).unwrap();
    assert_eq!(r.status, 401, "{}", r.text());

    let round = format!("mmstats{suffix}");
    let users: Vec<User> = ["a", "b"]
        .iter()
        .map(|u| {
            let name = format!("s{u}{suffix}");
            User::new(port, &format!("mm-{name}"), &name)
        })
        .collect();
    let auth = format!("Bearer {}", users[0].token);
    let stats = || {
        let r = request(
            port,
            "GET",
            "/v2/matchmaker/stats",
            &[("Authorization", &auth)],
            None,
        )
        .unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    };
    let mut a = Socket::open(port, &users[0]);
    let t = add_ticket(&mut a, pair_ticket(&round, "", json!({}), json!({})));
    // A pass sees it waiting.
    crate::eventually("the stats to count the waiting ticket", || {
        let s = stats();
        match s["ticket_count"].as_i64() {
            Some(n) if n >= 1 && s.get("oldest_ticket_create_time").is_some() => Ok(()),
            _ => Err(format!("{s}")),
        }
    });
    let mut b = Socket::open(port, &users[1]);
    add_ticket(&mut b, pair_ticket(&round, "", json!({}), json!({})));
    matched_push(&mut a, &t);
    // The pass that matched them counted them as completed.
    let mut last = Value::Null;
    crate::eventually("the stats to count the two completions", || {
        last = stats();
        let completions = last["completions"].as_array().cloned().unwrap_or_default();
        if completions.len() >= 2 {
            Ok(())
        } else {
            Err(format!("{last}"))
        }
    });
    let completions = last["completions"].as_array().unwrap();
    assert!(completions.len() <= 10, "{last}");
    for c in completions {
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["complete_time", "create_time"], "{c}");
        assert!(
            comparable_time(&c["create_time"]) <= comparable_time(&c["complete_time"]),
            "{c}"
        );
    }
    a.close();
    b.close();
}

/// A matched hook that fails (`fixtures/fixture-matchmaker`: it panics,
/// or answers an error, as the tickets' `fail` property asks) leaves the
/// host running, and the group gets a relayed match token instead, one
/// for all of them, that joins them in one relayed match (Nakama logs the
/// failure: "Error running Matchmaker Matched hook.").
pub fn check_matchmaker_hook_failures(port: u16) {
    let suffix = crate::run_suffix();
    for fail in ["panic", "error", "none"] {
        let round = format!("mmfail{fail}x{suffix}");
        let users: Vec<User> = ["a", "b"]
            .iter()
            .map(|u| {
                let name = format!("f{fail}{u}{suffix}");
                User::new(port, &format!("mm-{name}"), &name)
            })
            .collect();
        let mut sockets: Vec<Socket> = users.iter().map(|u| Socket::open(port, u)).collect();
        let tickets: Vec<String> = sockets
            .iter_mut()
            .map(|s| add_ticket(s, pair_ticket(&round, "", json!({"fail": fail}), json!({}))))
            .collect();
        let pushes: Vec<Value> = sockets
            .iter_mut()
            .zip(&tickets)
            .map(|(s, t)| matched_push(s, t))
            .collect();
        let token = pushes[0]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token when the hook fails ({fail}): {}", pushes[0]))
            .to_string();
        for push in &pushes {
            assert_eq!(push.get("match_id"), None, "{push}");
            assert_eq!(push["token"], token.as_str(), "one token: {push}");
        }
        let joined: Vec<Value> = sockets
            .iter_mut()
            .map(|s| s.call(json!({"match_join": {"token": token}})))
            .collect();
        let id = joined[0]["match"]["match_id"].as_str().unwrap_or_default();
        assert!(
            id.ends_with('.') && id.len() == 37,
            "a relayed match: {}",
            joined[0]
        );
        assert_eq!(joined[1]["match"]["match_id"], id, "{}", joined[1]);
        for s in sockets {
            s.close();
        }
    }
}

/// A `matchmaker_add` body: a group of exactly two, among the tickets of
/// round `round` only (its query and a string property `round` say so,
/// so that tickets of other rounds, or of another run on the same host,
/// never join them). `query` is added to the round's.
pub(crate) fn pair_ticket(round: &str, query: &str, strings: Value, numbers: Value) -> Value {
    let mut strings = strings;
    strings["round"] = Value::from(round);
    json!({
        "min_count": 2,
        "max_count": 2,
        "query": format!("+properties.round:{round} {query}").trim_end().to_string(),
        "string_properties": strings,
        "numeric_properties": numbers,
    })
}

/// Sends `matchmaker_add` and answers the ticket: the answer is
/// `matchmaker_ticket` alone, a UUID.
pub(crate) fn add_ticket(s: &mut Socket, body: Value) -> String {
    let r = s.call(json!({"matchmaker_add": body}));
    let ticket = r["matchmaker_ticket"]["ticket"]
        .as_str()
        .unwrap_or_else(|| panic!("no ticket for {body}: {r}"))
        .to_string();
    assert_eq!(
        r,
        json!({"cid": r["cid"], "matchmaker_ticket": {"ticket": ticket}})
    );
    assert_eq!(ticket.len(), 36, "{ticket}");
    ticket
}

/// `matchmaker_remove` of `ticket`: the answer.
fn remove_ticket(s: &mut Socket, ticket: &str) -> Value {
    s.call(json!({"matchmaker_remove": {"ticket": ticket}}))
}

/// The `matchmaker_matched` push of `ticket`, waited for.
pub(crate) fn matched_push(s: &mut Socket, ticket: &str) -> Value {
    let e = s.wait_for(&format!("matchmaker_matched of ticket {ticket}"), |e| {
        e["matchmaker_matched"]["ticket"] == ticket
    });
    assert_eq!(e.as_object().map(|o| o.len()), Some(1), "no cid: {e}");
    e["matchmaker_matched"].clone()
}

/// A push's users, sorted by user id (Nakama lists them in the order its
/// search found them).
pub(crate) fn users_of(push: &Value) -> Vec<Value> {
    let mut users = push["users"].as_array().cloned().unwrap_or_default();
    users.sort_by_key(|u| u["presence"]["user_id"].as_str().unwrap_or("").to_string());
    users
}

/// Lets the matchmaker run past every ticket added so far: two fresh
/// users' tickets that only match each other are added now and matched;
/// an interval that forms their group has looked at every older ticket.
/// Twice, so that the pushes of that earlier interval have been sent (an
/// interval sends its groups' pushes before it ends: server/matchmaker.go,
/// Process).
pub(crate) fn pass_intervals(port: u16, suffix: &str, tag: &str) {
    for n in 0..2 {
        let round = format!("mmctl{tag}{n}x{suffix}");
        let users: Vec<User> = ["a", "b"]
            .iter()
            .map(|u| {
                let name = format!("c{tag}{n}{u}{suffix}");
                User::new(port, &format!("mm-{name}"), &name)
            })
            .collect();
        let mut sockets: Vec<Socket> = users.iter().map(|u| Socket::open(port, u)).collect();
        let tickets: Vec<String> = sockets
            .iter_mut()
            .map(|s| add_ticket(s, pair_ticket(&round, "", json!({}), json!({}))))
            .collect();
        for (s, t) in sockets.iter_mut().zip(&tickets) {
            matched_push(s, t);
        }
        for s in sockets {
            s.close();
        }
    }
}

/// `matchmaker.rev_precision`, on a host serving `examples/arena` with
/// `matchmaker.interval_sec` 1: Alice (in Europe) wants duel players; Bob
/// plays duels but wants players in the US. Off (`rev_precision` false,
/// Nakama's default), Alice's query finding Bob is enough: they match. On,
/// Bob's must find Alice too: they never match, and Carol, a duel player in
/// Europe who wants Europe, matches Alice once both have waited past
/// their passes (server/matchmaker_process.go, `validateMatch`).
pub fn check_rev_precision(port: u16, on: bool) {
    let suffix = crate::run_suffix();
    let tag = if on { "revon" } else { "revoff" };
    let user = |n: &str| {
        let name = format!("{tag}{n}{suffix}");
        User::new(port, &format!("mm-{name}"), &name)
    };
    let (alice, bob) = (user("alice"), user("bob"));
    let (mut a, mut b) = (Socket::open(port, &alice), Socket::open(port, &bob));
    let round = format!("mm{tag}x{suffix}");
    let alice_ticket = add_ticket(
        &mut a,
        pair_ticket(
            &round,
            "+properties.mode:duel",
            json!({"region": "eu"}),
            json!({}),
        ),
    );
    let bob_ticket = add_ticket(
        &mut b,
        pair_ticket(
            &round,
            "+properties.region:us",
            json!({"mode": "duel"}),
            json!({}),
        ),
    );
    if !on {
        matched_push(&mut a, &alice_ticket);
        matched_push(&mut b, &bob_ticket);
        return;
    }
    // Past both tickets' active passes (max_intervals 2).
    pass_intervals(port, &suffix, &format!("{tag}1"));
    pass_intervals(port, &suffix, &format!("{tag}2"));
    assert_not_matched(&mut a, &alice_ticket);
    assert_not_matched(&mut b, &bob_ticket);
    let carol = user("carol");
    let mut c = Socket::open(port, &carol);
    let carol_ticket = add_ticket(
        &mut c,
        pair_ticket(
            &round,
            "+properties.region:eu",
            json!({"mode": "duel", "region": "eu"}),
            json!({}),
        ),
    );
    let pushed = matched_push(&mut c, &carol_ticket);
    let users = users_of(&pushed);
    let mut names: Vec<&str> = users
        .iter()
        .map(|u| u["presence"]["username"].as_str().unwrap_or(""))
        .map(|n| {
            if n == alice.username {
                "alice"
            } else if n == carol.username {
                "carol"
            } else {
                n
            }
        })
        .collect();
    names.sort();
    assert_eq!(names, ["alice", "carol"], "{pushed}");
    matched_push(&mut a, &alice_ticket);
    assert_not_matched(&mut b, &bob_ticket);
}

/// No `matchmaker_matched` push has reached `s` for `ticket`, up to a
/// `ping` answered now (pushes queued before it come first).
pub(crate) fn assert_not_matched(s: &mut Socket, ticket: &str) {
    s.call(json!({"ping": {}}));
    assert!(
        !s.pending
            .iter()
            .any(|e| e["matchmaker_matched"]["ticket"] == ticket),
        "ticket {ticket} was matched: {:?}",
        s.pending
    );
}

/// The matchmaker over the realtime socket, on a host serving
/// `examples/arena` (its matched hook makes an arena sized for the group,
/// or no match when a ticket has `mode` = `relayed`), started with
/// `matchmaker.interval_sec` 1 (default 15) and the other matchmaker
/// settings at their defaults (`max_tickets` 3, `max_intervals` 2,
/// `rev_precision` false: a ticket whose query finds another matches it,
/// whatever the other's query).
///
/// Nakama: server/pipeline_matchmaker.go (add, remove), server/matchmaker.go
/// (`Add`, `RemoveSession`, `Process`: the hook and the pushes),
/// server/matchmaker_process.go (forming groups), server/session_ws.go
/// (`Close`: a session's tickets go with it).
pub fn check_matchmaker(port: u16) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("mm-{n}-{suffix}"), &format!("m{n}{suffix}"));
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));
    let (mut a, mut b, mut c) = (
        Socket::open(port, &alice),
        Socket::open(port, &bob),
        Socket::open(port, &carol),
    );
    let round = |n: u32| format!("mm{n}x{suffix}");

    // Refused input: BAD_INPUT (3) with the reason; a query that does not
    // parse, or a fourth ticket of one session (matchmaker.max_tickets 3),
    // fail in the matchmaker's Add, which the socket answers as
    // RUNTIME_EXCEPTION (0, so no code in the JSON) "Error adding to
    // matchmaker".
    for (body, error) in [
        (
            json!({"min_count": 1, "max_count": 2, "query": "*"}),
            json!({"code": 3, "message": "Invalid minimum count, must be >= 2"}),
        ),
        (
            json!({"max_count": 2}),
            json!({"code": 3, "message": "Invalid minimum count, must be >= 2"}),
        ),
        (
            json!({"min_count": 3, "max_count": 2}),
            json!({"code": 3, "message": "Invalid maximum count, must be >= minimum count"}),
        ),
        (
            json!({"min_count": 2, "max_count": 4, "count_multiple": 0}),
            json!({"code": 3, "message": "Invalid count multiple, must be >= 1"}),
        ),
        (
            json!({"min_count": 2, "max_count": 4, "count_multiple": 3}),
            json!({"code": 3, "message": "Invalid count multiple for minimum count, must divide"}),
        ),
        (
            json!({"min_count": 2, "max_count": 5, "count_multiple": 2}),
            json!({"code": 3, "message": "Invalid count multiple for maximum count, must divide"}),
        ),
        (
            json!({"min_count": 2, "max_count": 2, "query": "+properties.region:"}),
            json!({"message": "Error adding to matchmaker"}),
        ),
    ] {
        let r = a.call(json!({"matchmaker_add": body}));
        assert_eq!(r, json!({"cid": r["cid"], "error": error}), "{body}");
    }

    // Three tickets per session; a removed one makes room. Tickets of one
    // session never match each other.
    let r0 = round(0);
    // A count multiple that divides both counts is taken.
    let mut multiple = pair_ticket(&r0, "", json!({}), json!({}));
    multiple["max_count"] = json!(4);
    multiple["count_multiple"] = json!(2);
    let t = add_ticket(&mut a, multiple);
    let r = remove_ticket(&mut a, &t);
    assert_eq!(r, json!({"cid": r["cid"]}));
    let mut held: Vec<String> = (0..3)
        .map(|_| add_ticket(&mut a, pair_ticket(&r0, "", json!({}), json!({}))))
        .collect();
    let r = a.call(json!({"matchmaker_add": pair_ticket(&r0, "", json!({}), json!({}))}));
    assert_eq!(
        r,
        json!({"cid": r["cid"], "error": {"message": "Error adding to matchmaker"}})
    );
    // Removing: an empty answer with the cid; a ticket that is gone, was
    // never made, or is another session's is not found.
    let not_found = |r: &Value| {
        assert_eq!(
            r,
            &json!({"cid": r["cid"], "error": {"code": 3, "message": "Matchmaker ticket not found"}})
        )
    };
    not_found(&remove_ticket(&mut b, &held[0]));
    let r = remove_ticket(&mut a, &held[0]);
    assert_eq!(r, json!({"cid": r["cid"]}));
    not_found(&remove_ticket(&mut a, &held[0]));
    not_found(&remove_ticket(
        &mut a,
        "6b3f0c3e-0000-4000-8000-00000000abcd",
    ));
    let r = a.call(json!({"matchmaker_remove": {}}));
    assert_eq!(
        r,
        json!({"cid": r["cid"], "error": {"code": 3, "message": "Invalid matchmaker ticket"}})
    );
    held[0] = add_ticket(&mut a, pair_ticket(&r0, "", json!({}), json!({})));
    for t in &held {
        let r = remove_ticket(&mut a, t);
        assert_eq!(r, json!({"cid": r["cid"]}), "{t}");
    }

    // A group: each member is pushed its own ticket, the match the hook
    // made (an arena: "<uuid>.<node>"), every member with the properties
    // of their ticket, and itself.
    let r1 = round(1);
    let a_ticket = add_ticket(
        &mut a,
        pair_ticket(
            &r1,
            "",
            json!({"region": "eu"}),
            json!({"rank": 1500, "skill": 7.5}),
        ),
    );
    let b_ticket = add_ticket(
        &mut b,
        pair_ticket(&r1, "", json!({}), json!({"rank": 1400})),
    );
    let (pa, pb) = (
        matched_push(&mut a, &a_ticket),
        matched_push(&mut b, &b_ticket),
    );
    let session = |push: &Value| {
        let s = push["self"]["presence"]["session_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{push}"))
            .to_string();
        assert_eq!(s.len(), 36, "{push}");
        s
    };
    let (a_session, b_session) = (session(&pa), session(&pb));
    let a_user = json!({
        "presence": presence(&alice, &a_session),
        "string_properties": {"region": "eu", "round": r1},
        "numeric_properties": {"rank": 1500, "skill": 7.5},
    });
    let b_user = json!({
        "presence": presence(&bob, &b_session),
        "string_properties": {"round": r1},
        "numeric_properties": {"rank": 1400},
    });
    let mut both = vec![a_user.clone(), b_user.clone()];
    both.sort_by_key(|u| u["presence"]["user_id"].as_str().unwrap().to_string());
    let match_id = pa["match_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no match id: {pa}"))
        .to_string();
    for (push, ticket, me) in [(&pa, &a_ticket, &a_user), (&pb, &b_ticket, &b_user)] {
        let keys: Vec<&String> = push.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4, "ticket, match_id, users, self: {push}");
        assert_eq!(push["ticket"], ticket.as_str(), "{push}");
        assert_eq!(push["match_id"], match_id.as_str(), "{push}");
        assert_eq!(users_of(push), both, "{push}");
        assert_eq!(&push["self"], me, "{push}");
    }
    assert!(match_id_parts(&match_id).is_some(), "{match_id}");
    // The arena exists, with a seat for each of them and no more.
    for (s, name) in [(&mut a, "alice"), (&mut b, "bob")] {
        let r = s.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": name}}}));
        assert_eq!(r["match"]["match_id"], match_id.as_str(), "{r}");
        assert_eq!(r["match"]["authoritative"], true, "{r}");
    }
    let r = c.call(json!({"match_join": {"match_id": match_id, "metadata": {"name": "carol"}}}));
    assert_eq!(error_of(&r), (5, "arena is full".into()));
    for s in [&mut a, &mut b] {
        s.call(json!({"match_leave": {"match_id": match_id}}));
    }
    // A matched ticket is gone.
    not_found(&remove_ticket(&mut a, &a_ticket));

    // No match from the hook (a ticket asked for a relayed one): the
    // group is pushed one token instead of a match id, which joins each
    // of them to one relayed match ("<uuid>.", made by the first join).
    let r2 = round(2);
    let a_ticket = add_ticket(
        &mut a,
        pair_ticket(&r2, "", json!({"mode": "relayed"}), json!({})),
    );
    let b_ticket = add_ticket(&mut b, pair_ticket(&r2, "", json!({}), json!({})));
    let (pa, pb) = (
        matched_push(&mut a, &a_ticket),
        matched_push(&mut b, &b_ticket),
    );
    let token = pa["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {pa}"))
        .to_string();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    for push in [&pa, &pb] {
        assert_eq!(
            push["token"],
            token.as_str(),
            "one token for the group: {push}"
        );
        assert!(push.get("match_id").is_none(), "{push}");
        assert_eq!(users_of(push).len(), 2, "{push}");
    }
    let r = a.call(json!({"match_join": {"token": token}}));
    let relayed = r["match"]["match_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string();
    assert!(relayed.ends_with('.') && relayed.len() == 37, "{relayed}");
    assert_eq!(
        r,
        json!({"cid": r["cid"], "match": {"match_id": relayed, "self": presence(&alice, &a_session)}}),
        "the first one in: nobody else, size 0 (left out)"
    );
    let r = b.call(json!({"match_join": {"token": token}}));
    assert_eq!(
        r,
        json!({"cid": r["cid"], "match": {
            "match_id": relayed,
            "size": 1,
            "presences": [presence(&alice, &a_session)],
            "self": presence(&bob, &b_session),
        }})
    );
    let r = c.call(json!({"match_join": {"token": "not.a.token"}}));
    assert_eq!(error_of(&r), (3, "Invalid match token".into()));
    for s in [&mut a, &mut b] {
        s.call(json!({"match_leave": {"match_id": relayed}}));
    }

    // Queries that exclude each other: Alice (eu) wants eu, Bob (us) wants
    // us. Neither ticket finds the other, however long they wait; both
    // stay in the pool.
    let r3 = round(3);
    let a_ticket = add_ticket(
        &mut a,
        pair_ticket(
            &r3,
            "+properties.region:eu",
            json!({"region": "eu"}),
            json!({}),
        ),
    );
    let b_ticket = add_ticket(
        &mut b,
        pair_ticket(
            &r3,
            "+properties.region:us",
            json!({"region": "us"}),
            json!({}),
        ),
    );
    pass_intervals(port, &suffix, "x");
    assert_not_matched(&mut a, &a_ticket);
    assert_not_matched(&mut b, &b_ticket);
    for (s, t) in [(&mut a, &a_ticket), (&mut b, &b_ticket)] {
        let r = remove_ticket(s, t);
        assert_eq!(r, json!({"cid": r["cid"]}), "still in the pool: {t}");
    }

    // A closed socket's tickets go with it. Nakama removes them before it
    // untracks the session (server/session_ws.go, Close), so once Carol
    // sees Alice's second session leave their relayed match, its ticket
    // is gone, and a ticket it would have matched waits alone.
    let r4 = round(4);
    let r = c.call(json!({"match_create": {}}));
    let room = r["match"]["match_id"].as_str().unwrap().to_string();
    let mut a2 = Socket::open(port, &alice);
    let r = a2.call(json!({"match_join": {"match_id": room}}));
    let a2_session = r["match"]["self"]["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    add_ticket(&mut a2, pair_ticket(&r4, "", json!({}), json!({})));
    a2.close();
    c.wait_for("the closed session's leave", |e| {
        e["match_presence_event"]["leaves"]
            .as_array()
            .is_some_and(|l| l.iter().any(|p| p["session_id"] == a2_session.as_str()))
    });
    let b_ticket = add_ticket(&mut b, pair_ticket(&r4, "", json!({}), json!({})));
    pass_intervals(port, &suffix, "y");
    assert_not_matched(&mut b, &b_ticket);
    let r = remove_ticket(&mut b, &b_ticket);
    assert_eq!(r, json!({"cid": r["cid"]}));

    for s in [a, b, c] {
        s.close();
    }
}

/// `session.single_socket` (the host run with it on): a user's new socket
/// closes their older one, which is first told why (a notification of
/// Nakama's code -7, not stored); another user's socket stays open.
/// Nakama sometimes closes that socket without its close frame (the race
/// `assert_closed_for` describes; seen once, 2026-12-03), and then the
/// notification may be lost with it: on Nakama an abrupt close passes,
/// with the notification checked when it came.
pub fn check_single_socket(port: u16, host: crate::Host) {
    let suffix = crate::run_suffix();
    let user = |n: &str| User::new(port, &format!("ss-{n}-{suffix}"), &format!("ss{n}{suffix}"));
    let (ann, ben) = (user("ann"), user("ben"));
    let mut old = Socket::open(port, &ann);
    let mut other = Socket::open(port, &ben);
    let r = old.call(json!({"ping": {}}));
    assert!(r.get("pong").is_some(), "{r}");
    let mut new = Socket::open(port, &ann);
    let (closed, before) = old.wait_closed();
    assert_closed_for(
        &closed,
        "server-side session disconnect",
        host == crate::Host::DevHost,
    );
    let told: Vec<&Value> = (before.iter())
        .filter_map(|e| e["notifications"]["notifications"].as_array())
        .flatten()
        .collect();
    let abrupt = closed.0 == 1006;
    assert!(told.len() == 1 || (abrupt && told.is_empty()), "{before:?}");
    for n in told {
        check_single_socket_notification(n);
    }
    for s in [&mut new, &mut other] {
        let r = s.call(json!({"ping": {}}));
        assert!(r.get("pong").is_some(), "{r}");
    }
    new.close();
    other.close();
}

/// What the socket a newer one closes is told: Nakama's code -7, not
/// stored, from nobody.
fn check_single_socket_notification(n: &Value) {
    assert_eq!(
        (
            &n["subject"],
            &n["content"],
            &n["code"],
            n.get("persistent"),
            n.get("sender_id")
        ),
        (
            &json!("single_socket"),
            &json!("{}"),
            &json!(-7),
            None,
            None
        ),
        "{n}"
    );
    assert!(n["id"].as_str().is_some_and(|id| id.len() == 36), "{n}");
    assert!(
        n["create_time"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{n}"
    );
}
