//! RPCs over HTTP, made every way a client may make them
//! (`compare_rpc_requests`).

use serde_json::Value;

use super::requests::comparable;
use super::{pick, Hosts, Run};
use crate::http::request;

/// `calls` RPC requests to `fixture-nk`'s `nk_context` (which answers
/// the context it was called with) and to ids no module has: `GET` or
/// `POST`; a session (with vars), the http key (right, wrong, empty,
/// twice), the server key, a wrong token, or nothing; `unwrap` or not; a
/// body that is a JSON string, raw text, JSON that is not a string,
/// nothing; a `payload` query parameter; other query parameters and
/// headers, some odd. Compared: the status and the body, the context's
/// parts that follow each host's clock and build (trace id, session
/// expiry, version, client port) left out.
pub fn compare_rpc_requests(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    for _ in 0..calls {
        let method = *pick(&mut rng, &["POST", "POST", "GET", "PUT"]);
        let id = *pick(
            &mut rng,
            &[
                "nk_context",
                "nk_context",
                "nk_context",
                "nope",
                "NK_CONTEXT",
                "nk_context%20",
                "nk%2Fcontext",
            ],
        );
        let auth = *pick(
            &mut rng,
            &[
                "session",
                "session",
                "http_key",
                "http_key",
                "wrong_key",
                "empty_key",
                "two_keys",
                "server_key",
                "bad_token",
                "none",
            ],
        );
        let unwrap = *pick(
            &mut rng,
            &["", "", "unwrap", "unwrap", "unwrap=false", "unwrap=1"],
        );
        let body = *pick(
            &mut rng,
            &[
                r#""{}""#,
                r#""{\"a\":1}""#,
                r#""x""#,
                "{}",
                r#"{"a":1}"#,
                "x",
                "",
                "5",
                "null",
                r#""""#,
                r#""\u00e9""#,
                r#""unterminated"#,
                "[1]",
            ],
        );
        let payload = *pick(
            &mut rng,
            &[
                None,
                None,
                None,
                Some("x"),
                Some("%7B%7D"),
                Some(""),
                Some("%22x%22"),
            ],
        );
        let extra = *pick(
            &mut rng,
            &[
                None,
                None,
                Some("region=eu"),
                Some("a=1&a=2"),
                Some("a+b=c%20d"),
                Some("e=%C3%A9"),
                Some("%ZZ=1"),
                Some("k;v=1"),
                Some("empty="),
            ],
        );
        let header = *pick(
            &mut rng,
            &[
                None,
                None,
                Some(("X-Client", "conformance")),
                Some(("X-Multi", "a, b")),
                Some(("Content-Type", "application/json")),
                Some(("Content-Type", "text/plain")),
            ],
        );
        let what = format!(
            "{method} {id}: auth {auth}, {unwrap:?}, body {body:?}, payload {payload:?}, extra {extra:?}, header {header:?}"
        );
        run.compare(what, |side| {
            let mut params = Vec::new();
            match auth {
                "http_key" => params.push("http_key=defaulthttpkey".to_string()),
                "wrong_key" => params.push("http_key=nope".into()),
                "empty_key" => params.push("http_key=".into()),
                "two_keys" => params.push("http_key=defaulthttpkey&http_key=nope".into()),
                _ => {}
            }
            params.extend(
                [
                    (!unwrap.is_empty()).then(|| unwrap.to_string()),
                    payload.map(|p| format!("payload={p}")),
                    extra.map(str::to_string),
                ]
                .into_iter()
                .flatten(),
            );
            let path = match params.is_empty() {
                true => format!("/v2/rpc/{id}"),
                false => format!("/v2/rpc/{id}?{}", params.join("&")),
            };
            let authorization = match auth {
                "session" => Some(format!("Bearer {}", side.users[0].token)),
                "server_key" => Some("Basic ZGVmYXVsdGtleTo=".to_string()),
                "bad_token" => Some("Bearer not.a.token".to_string()),
                _ => None,
            };
            let mut headers: Vec<(&str, &str)> = Vec::new();
            if let Some(a) = &authorization {
                headers.push(("Authorization", a));
            }
            headers.extend(header);
            let r = request(
                side.port,
                method,
                &path,
                &headers,
                (method != "GET").then_some(body.as_bytes()),
            )
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            (r.status, context_left(comparable(&r)))
        });
    }
}

/// An answer with `nk_context`'s context (the answer itself, or a
/// wrapped answer's `payload` as JSON) without the parts that follow each
/// host's clock and build.
fn context_left(mut answer: Value) -> Value {
    let wrapped = answer["payload"]
        .as_str()
        .and_then(|p| serde_json::from_str::<Value>(p).ok());
    let ctx = match wrapped {
        Some(ctx) => {
            answer["payload"] = ctx;
            &mut answer["payload"]
        }
        None => &mut answer,
    };
    if let Some(ctx) = ctx.as_object_mut() {
        for varying in ["trace_id", "user_session_exp", "version", "client_port"] {
            ctx.remove(varying);
        }
        // Each host's own session token.
        if let Some(Value::Array(auth)) = ctx
            .get_mut("headers")
            .and_then(|h| h.get_mut("Authorization"))
        {
            for value in auth
                .iter_mut()
                .filter(|v| v.as_str().is_some_and(|v| v.starts_with("Bearer ey")))
            {
                *value = "Bearer (a token)".into();
            }
        }
    }
    answer
}
