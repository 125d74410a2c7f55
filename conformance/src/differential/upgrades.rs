//! Realtime socket upgrades with odd parameters
//! (`compare_socket_upgrades`).

use serde_json::{json, Value};

use super::{pick, Hosts, Run};
use crate::realtime::Socket;

/// `calls` socket upgrades (`GET /ws?...`, as nakama-js makes them) with
/// each parameter picked from right, odd and malformed values (`format`,
/// `status`, `lang`, the session token: right, wrong, empty, twice,
/// missing) and now and then a malformed pair. Compared: the refusal's
/// status and text, or, for a socket that opened, the answer to a ping.
pub fn compare_socket_upgrades(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    for _ in 0..calls {
        let format = *pick(
            &mut rng,
            &[
                None,
                None,
                Some("json"),
                Some("JSON"),
                Some("protobuf"),
                Some("xml"),
                Some(""),
            ],
        );
        let status = *pick(
            &mut rng,
            &[
                None,
                Some("true"),
                Some("false"),
                Some("1"),
                Some("t"),
                Some("yes"),
                Some(""),
            ],
        );
        let lang = *pick(
            &mut rng,
            &[None, Some("en"), Some(""), Some("x%20y"), Some("%C3%A9")],
        );
        let token = *pick(
            &mut rng,
            &[
                "right",
                "right",
                "right",
                "wrong",
                "empty",
                "missing",
                "twice",
                "twice_bad_first",
            ],
        );
        let odd = *pick(
            &mut rng,
            &[
                None,
                None,
                None,
                Some("%ZZ=1"),
                Some("a;b=1"),
                Some("token"),
                Some("format=json&format=xml"),
            ],
        );
        let what = format!(
            "format {format:?}, status {status:?}, lang {lang:?}, token {token}, odd {odd:?}"
        );
        run.compare(what, |side| {
            let right = side.users[0].token.clone();
            let mut params: Vec<String> = Vec::new();
            params.extend(format.map(|f| format!("format={f}")));
            params.extend(status.map(|s| format!("status={s}")));
            params.extend(lang.map(|l| format!("lang={l}")));
            match token {
                "right" => params.push(format!("token={right}")),
                "wrong" => params.push("token=not.a.token".into()),
                "empty" => params.push("token=".into()),
                "twice" => params.push(format!("token={right}&token=not.a.token")),
                "twice_bad_first" => params.push(format!("token=not.a.token&token={right}")),
                _ => {}
            }
            params.extend(odd.map(str::to_string));
            let query = params.join("&");
            match Socket::connect(side.port, &query) {
                // A protobuf socket does not read JSON: opened is enough.
                Ok(socket) if query.contains("format=protobuf") => {
                    socket.close();
                    (101, Value::Null)
                }
                Ok(mut socket) => {
                    let pong = socket.call(json!({"ping": {}}));
                    socket.close();
                    (101, json!({ "ping": pong }))
                }
                Err(tungstenite::Error::Http(r)) => {
                    let body = r
                        .body()
                        .as_deref()
                        .map(String::from_utf8_lossy)
                        .unwrap_or_default();
                    (r.status().as_u16(), Value::String(body.into_owned()))
                }
                Err(e) => (0, Value::String(e.to_string())),
            }
        });
    }
}
