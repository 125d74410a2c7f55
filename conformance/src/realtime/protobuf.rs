//! The socket's `format=protobuf` on the raw wire: envelopes written byte
//! by byte (field numbers of nakama-common's rtapi `Envelope`), answers read
//! with a minimal protobuf reader, and what the server closes the socket
//! for. The e2e suite (e2e/protobuf.test.mjs) covers the rest through the
//! official adapter.

use std::net::TcpStream;
use std::time::Instant;

use tungstenite::{Message, WebSocket};

use super::{assert_closed_for, User, WAIT};

/// A `format=protobuf` socket.
struct PbSocket {
    ws: WebSocket<TcpStream>,
    closed: Option<(u16, String)>,
}

impl PbSocket {
    fn open(port: u16, user: &User) -> PbSocket {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let url = format!(
            "ws://127.0.0.1:{port}/ws?lang=en&status=false&format=protobuf&token={}",
            user.token
        );
        let (ws, response) = tungstenite::client(url.as_str(), stream)
            .unwrap_or_else(|e| panic!("format=protobuf upgrade: {e}"));
        assert_eq!(response.status(), 101);
        ws.get_ref()
            .set_read_timeout(Some(std::time::Duration::from_millis(100)))
            .unwrap();
        PbSocket { ws, closed: None }
    }

    fn send(&mut self, m: Message) {
        self.ws.send(m).expect("send");
    }

    /// The next binary frame, `None` once closed (or after [`WAIT`]).
    fn read(&mut self) -> Option<Vec<u8>> {
        let deadline = Instant::now() + WAIT;
        while self.closed.is_none() && Instant::now() < deadline {
            match self.ws.read() {
                Ok(Message::Binary(b)) => return Some(b.to_vec()),
                Ok(Message::Text(t)) => panic!("the server sent text on a protobuf socket: {t}"),
                Ok(Message::Close(frame)) => {
                    self.closed = Some(frame.map_or((1005, String::new()), |f| {
                        (u16::from(f.code), f.reason.to_string())
                    }));
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => {
                    self.closed.get_or_insert((1006, e.to_string()));
                }
            }
        }
        None
    }

    /// Sends `frame` and answers the envelope whose `cid` is `cid`, as
    /// received; others (a status event of the user's other sessions)
    /// are passed over.
    fn call_raw(&mut self, cid: &str, frame: Vec<u8>) -> Vec<u8> {
        self.send(Message::binary(frame));
        while let Some(answer) = self.read() {
            if string(&fields(&answer), 1).as_deref() == Some(cid) {
                return answer;
            }
        }
        panic!("no answer to cid {cid} (closed: {:?})", self.closed)
    }

    /// [`PbSocket::call_raw`], the answer's fields.
    fn call(&mut self, cid: &str, frame: Vec<u8>) -> Vec<Field> {
        fields(&self.call_raw(cid, frame))
    }

    /// The close, and the envelopes before it.
    fn wait_closed(&mut self) -> ((u16, String), Vec<Vec<Field>>) {
        let mut before = Vec::new();
        while let Some(frame) = self.read() {
            before.push(fields(&frame));
        }
        let closed = self.closed.clone().expect("the server closed the socket");
        (closed, before)
    }
}

/// One field of a message: its number and its varint or length-delimited
/// value.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    Varint(u32, u64),
    Bytes(u32, Vec<u8>),
}

fn varint(b: &[u8], i: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = b[*i];
        *i += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
    }
    v
}

/// The fields of a message (only the wire types rtapi uses).
fn fields(b: &[u8]) -> Vec<Field> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let key = varint(b, &mut i);
        let number = (key >> 3) as u32;
        match key & 7 {
            0 => out.push(Field::Varint(number, varint(b, &mut i))),
            2 => {
                let len = varint(b, &mut i) as usize;
                out.push(Field::Bytes(number, b[i..i + len].to_vec()));
                i += len;
            }
            wire => panic!("wire type {wire} in {b:?}"),
        }
    }
    out
}

fn bytes(fields: &[Field], number: u32) -> Option<Vec<u8>> {
    fields.iter().find_map(|f| match f {
        Field::Bytes(n, b) if *n == number => Some(b.clone()),
        _ => None,
    })
}

fn string(fields: &[Field], number: u32) -> Option<String> {
    bytes(fields, number).map(|b| String::from_utf8(b).expect("a UTF-8 string"))
}

/// An `error` envelope's (11) code (1) and message (2).
fn error_of(envelope: &[Field]) -> (u64, String) {
    let e = fields(&bytes(envelope, 11).unwrap_or_else(|| panic!("not an error: {envelope:?}")));
    let code = e.iter().find_map(|f| match f {
        Field::Varint(1, v) => Some(*v),
        _ => None,
    });
    (code.unwrap_or(0), string(&e, 2).unwrap_or_default())
}

/// A length-delimited field's bytes: key, length, value.
fn field(number: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut put = |mut v: u64| loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    };
    put(u64::from(number) << 3 | 2);
    put(value.len() as u64);
    out.extend_from_slice(value);
    out
}

/// An envelope: `cid` (1) and one message (field `number`, already encoded).
fn envelope(cid: &str, number: u32, message: &[u8]) -> Vec<u8> {
    [field(1, cid.as_bytes()), field(number, message)].concat()
}

/// `format=protobuf` on a host serving `examples/arena`: a ping, an RPC and
/// its error, envelopes the pipeline refuses, and the closes for a text
/// frame and a frame that is not an envelope. `exact`: see
/// `assert_closed_for`.
pub fn check_protobuf(port: u16, user: &User, exact: bool) {
    let mut s = PbSocket::open(port, user);
    // ping (32) → pong (33), the cid echoed: byte for byte.
    let pong = s.call_raw("1", envelope("1", 32, &[]));
    assert_eq!(pong, [0x0a, 1, b'1', 0x8a, 0x02, 0]);
    // rpc (24) { id (1), payload (2) }.
    let rpc = [field(1, b"arena_create"), field(2, br#"{"max_players":2}"#)].concat();
    let r = s.call("2", envelope("2", 24, &rpc));
    let r = fields(&bytes(&r, 24).unwrap_or_else(|| panic!("not an rpc: {r:?}")));
    assert_eq!(string(&r, 1).as_deref(), Some("arena_create"));
    let payload = string(&r, 2).expect("a payload");
    assert!(payload.contains(r#""match_id":""#), "{payload}");
    let rpc = [field(1, b"arena_create"), field(2, br#"{"max_players":1}"#)].concat();
    let r = s.call("3", envelope("3", 24, &rpc));
    assert_eq!(error_of(&r), (7, "max_players must be 2 to 16".into()));
    let r = s.call("4", envelope("4", 24, &field(2, b"x")));
    assert_eq!(error_of(&r), (3, "RPC ID must be set".into()));
    // Unknown fields are skipped, as protobuf readers do: field 99 here.
    let mut with_unknown = envelope("5", 32, &[]);
    with_unknown.extend_from_slice(&[0x98, 0x06, 1]);
    let r = s.call("5", with_unknown);
    assert_eq!(bytes(&r, 33), Some(vec![]), "{r:?}");
    s.send(Message::Close(None));

    // A text frame on a protobuf socket.
    let mut s = PbSocket::open(port, user);
    s.send(Message::text(r#"{"ping":{}}"#));
    let (closed, _) = s.wait_closed();
    assert_closed_for(&closed, "received unexpected WebSocket message type", exact);

    // Frames that are not envelopes: a length past the end, a string that
    // is not UTF-8, JSON.
    for frame in [
        vec![0x0a, 5, b'a'],
        vec![0x0a, 1, 0xff],
        br#"{"cid":"1","ping":{}}"#.to_vec(),
    ] {
        let mut s = PbSocket::open(port, user);
        s.send(Message::binary(frame.clone()));
        let (closed, before) = s.wait_closed();
        assert_closed_for(&closed, "received malformed payload", exact);
        assert!(
            !before.iter().any(|e| bytes(e, 11).is_some()),
            "{frame:?}: {before:?}"
        );
    }

    // An error envelope, then the close (Nakama may close before the
    // envelope is written): no message; a message only servers send
    // (match_data, 14).
    for (frame, error) in [
        (field(1, b"1"), (2, "Missing message.")),
        (envelope("1", 14, &[]), (1, "Unrecognized message.")),
    ] {
        let mut s = PbSocket::open(port, user);
        s.send(Message::binary(frame));
        let (closed, before) = s.wait_closed();
        assert_closed_for(&closed, "error processing message", exact);
        let errors: Vec<_> = before.iter().filter(|e| bytes(e, 11).is_some()).collect();
        for e in &errors {
            assert_eq!(error_of(e), (error.0, error.1.to_string()), "{e:?}");
            assert_eq!(string(e, 1).as_deref(), Some("1"), "{e:?}");
        }
        if exact {
            assert_eq!(errors.len(), 1, "{before:?}");
        }
    }
}
