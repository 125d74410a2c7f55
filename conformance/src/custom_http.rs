//! Modules' custom HTTP handlers as Nakama 3.40.0 serves them (its
//! `RegisterHttp`, server/api.go), on a host serving
//! `fixtures/fixture-http`: path variables, methods, query, headers and
//! bodies reach the handler; its status, headers and body reach the
//! client with the API's `Cache-Control`; an error answers its code's
//! status, a panic 500, and the server keeps serving; a request of
//! another method goes on to the API's routes; a handler answers before
//! the API route of the same path, but not before `GET`/`POST /v2/rpc`;
//! the context's client address is the peer's; a path that is not clean
//! is redirected before any route; nothing is authenticated; bodies are capped at
//! `socket.max_request_size_bytes`.

use serde_json::json;

use crate::http::{request, HttpResponse};

fn call(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    request(port, method, path, headers, Some(body))
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

pub fn check_http_handlers(port: u16) {
    // Everything a handler gets, and what it answers; a bad session token
    // does not matter: nothing is checked.
    let r = call(
        port,
        "POST",
        "/fixture/echo/42?a=1&a=x%20y&http_key=defaulthttpkey",
        &[
            ("X-Custom", "v1"),
            ("Authorization", "Bearer nonsense"),
            ("X-Forwarded-For", "203.0.113.9"),
        ],
        "héllo <&>".as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("X-Echo"), Some("yes"));
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(
        r.header("Cache-Control"),
        Some("no-store, no-cache, must-revalidate")
    );
    assert_eq!(
        r.json(),
        json!({
            "method": "POST", "path": "/fixture/echo/42", "vars": {"id": "42"},
            "query": {"a": ["1", "x y"], "http_key": ["defaulthttpkey"]},
            "x_custom": ["v1"], "body": "héllo <&>", "http_key_valid": true,
            "mode": "http", "user_id": null, "ctx_query": {"a": ["1", "x y"]},
            // The peer, as a Go handler's `r.RemoteAddr`: a handler reads
            // X-Forwarded-For from the headers if it trusts a proxy.
            "client_ip": "127.0.0.1", "has_client_port": true,
        })
    );

    // Nakama's router cleans paths: a request whose decoded path has `//`,
    // `.` or `..` segments is redirected before any route, a handler's
    // included.
    for (path, location) in [
        ("//fixture/echo/42?a=1", "/fixture/echo/42?a=1"),
        ("/v2//account", "/v2/account"),
        (
            "/v2/rpc/./x?http_key=defaulthttpkey",
            "/v2/rpc/x?http_key=defaulthttpkey",
        ),
        ("/v2/rpc/..", "/v2"),
        ("/fixture/echo/a%2F%2Fb/", "/fixture/echo/a/b/"),
    ] {
        let r = call(port, "POST", path, &[], b"{}");
        assert_eq!(
            (r.status, r.header("Location"), r.text()),
            (301, Some(location), String::new()),
            "{path}"
        );
    }

    // Methods: PUT is one of the handler's (registered in lower case); GET
    // is not, so Nakama's router goes on to its API, which has no such
    // route.
    let r = call(port, "PUT", "/fixture/echo/a%20b", &[], b"");
    assert_eq!(r.status, 201, "{}", r.text());
    let echoed = r.json();
    assert_eq!(echoed["vars"], json!({"id": "a b"}), "{echoed}");
    assert_eq!(echoed["http_key_valid"], false);
    assert_eq!(echoed["ctx_query"], json!({}));
    // (Compared as JSON: protobuf-go spaces its output by a hash of the
    // binary.)
    let r = call(port, "GET", "/fixture/echo/42", &[], b"");
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"code": 5, "message": "Not Found"}))
    );
    let r = call(port, "POST", "/fixture/echo/42/more", &[], b"");
    assert_eq!(r.status, 404, "one segment: {}", r.text());
    // The http key by Basic auth, as the RPC route takes it; a wrong one.
    let basic = [("Authorization", "Basic ZGVmYXVsdGh0dHBrZXk6")];
    let r = call(port, "PUT", "/fixture/echo/1", &basic, b"");
    assert_eq!(r.json()["http_key_valid"], true, "{}", r.text());
    let r = call(port, "PUT", "/fixture/echo/1?http_key=wrong", &basic, b"");
    assert_eq!(r.json()["http_key_valid"], false, "{}", r.text());

    // Bodies cross as bytes, both ways.
    let bytes: Vec<u8> = (0..=255u8).collect();
    let r = call(
        port,
        "POST",
        "/fixture/raw",
        &[("Content-Type", "application/octet-stream")],
        &bytes,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("application/octet-stream"));
    assert_eq!(r.body, bytes);
    // No content type unless the handler sets one.
    let r = call(port, "POST", "/fixture/echo/1", &[], b"");
    assert_eq!(r.status, 201);
    let r = call(port, "PUT", "/fixture/panic", &[], b"");
    assert_eq!(r.status, 404, "PUT is not the panic handler's method");

    // The body limit (262144 bytes by default), as the API's.
    let limit = 262_144;
    let r = call(port, "POST", "/fixture/raw", &[], &vec![b'a'; limit]);
    assert_eq!((r.status, r.body.len()), (200, limit));
    let r = call(port, "POST", "/fixture/raw", &[], &vec![b'a'; limit + 1]);
    assert_eq!(
        (r.status, r.text().as_str()),
        (
            400,
            r#"{"code":3, "message":"http: request body too large"}"#
        )
    );

    // Errors: the code's status and {"code","message"}; a panic is 500.
    for method in ["GET", "DELETE", "PATCH"] {
        let r = call(port, method, "/fixture/error", &[], b"");
        assert_eq!(r.status, 403, "{method}: {}", r.text());
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        assert_eq!(r.text(), r#"{"code":7,"message":"no entry <here>"}"#);
    }
    let r = call(port, "GET", "/fixture/panic", &[], b"");
    assert_eq!(r.status, 500, "{}", r.text());
    assert_eq!(r.json()["code"], 13, "{}", r.text());
    let r = call(port, "PUT", "/fixture/echo/after-panic", &[], b"");
    assert_eq!(r.status, 201, "still serving: {}", r.text());

    // Before the API's routes of the same path...
    let r = call(port, "GET", "/v2/storage/anything", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"shadowed": "/v2/storage/anything", "vars": {"collection": "anything"}})
    );
    let r = call(port, "PUT", "/v2/rpc/some_id", &[], b"");
    assert_eq!(r.json()["vars"], json!({"id": "some_id"}), "{}", r.text());
    // ... but not before GET and POST /v2/rpc/{id}.
    for (method, path) in [
        ("GET", "/v2/rpc/some_id"),
        ("GET", "/v2/rpc/some%20id"),
        ("POST", "/v2/rpc/some%20id"),
    ] {
        let r = call(port, method, path, &[], b"");
        assert_eq!(r.status, 401, "{method} {path}: {}", r.text());
        assert_eq!(r.json()["message"], "Auth token or HTTP key required");
    }
}

/// What a host's log says once the fixture's shutdown hook ran: its line,
/// with mode `shutdown`.
pub fn check_shutdown_log(log: &str) {
    let line = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["msg"] == "shutdown hook wrote its object")
        .unwrap_or_else(|| panic!("no shutdown hook line in the log:\n{log}"));
    assert_eq!(line["hook_mode"], "shutdown", "{line}");
    assert_eq!(line["runtime"], "rust", "{line}");
}

/// Modules' console HTTP handlers (`RegisterConsoleHttp`, ABI 1.10) on
/// the console's port `console_port`, of a host serving
/// `fixtures/fixture-http` on `port`: they answer there as the client
/// port's handlers do (context mode `http`, no user, the error's status),
/// only there, and the client port's handlers are not served there.
pub fn check_console_http_handlers(port: u16, console_port: u16) {
    let r = call(
        console_port,
        "POST",
        "/fixture/console/7?a=1",
        &[("X-Custom", "c")],
        b"to the console",
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("X-Echo"), Some("yes"));
    let got = r.json();
    assert_eq!(
        (&got["path"], &got["vars"], &got["body"], &got["query"]),
        (
            &json!("/fixture/console/7"),
            &json!({"id": "7"}),
            &json!("to the console"),
            &json!({"a": ["1"]})
        ),
        "{got}"
    );
    assert_eq!(
        (&got["mode"], &got["user_id"], &got["x_custom"]),
        (&json!("http"), &json!(null), &json!(["c"])),
        "{got}"
    );
    // CORS, any origin, as on the client port.
    let origin = [("Origin", "http://admin.example")];
    let r = call(console_port, "POST", "/fixture/console/7", &origin, b"");
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.header("Access-Control-Allow-Origin"), Some("*"));
    let r = call(console_port, "PUT", "/fixture/console_error", &[], b"");
    assert_eq!(
        (r.status, r.json()),
        (403, json!({"code": 7, "message": "no entry <here>"}))
    );
    // Each port serves its own handlers only.
    let r = call(port, "POST", "/fixture/console/7", &[], b"");
    assert_eq!(r.header("X-Echo"), None, "{}", r.text());
    assert_eq!(r.status, 404, "{}", r.text());
    let r = call(console_port, "POST", "/fixture/echo/7", &[], b"");
    assert_eq!(r.header("X-Echo"), None, "{}", r.text());
    // A method the handler does not take.
    let r = call(console_port, "GET", "/fixture/console/7", &[], b"");
    assert_eq!(r.header("X-Echo"), None, "{}", r.text());
}
