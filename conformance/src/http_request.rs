//! The `http_request` nk function (ABI 1.14), through
//! `fixtures/fixture-nk`'s `nk_misc_http`, against a stand-in web server on
//! 127.0.0.1: what the server receives, the answer whatever its status,
//! headers named as Go names them, redirects, `HEAD`, and the refusals and
//! failures with their codes. Both hosts send it (the dev host with ureq,
//! the bridge with Go's net/http), so only the refusals that are Nakama's
//! own are compared word for word; the transport's own words after
//! "HTTP request error: " differ.

use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};

use crate::http::read_request;
use crate::nk::call;

/// A stand-in web server on 127.0.0.1 for the process's life; its port.
/// `/echo...` answers 200 with what it received as JSON and `x-multi`
/// twice, `/status/418` 418 `teapot`, `/redirect` a 302 to
/// `/echo/landed`, `/slow` after 2 s.
fn web_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the stand-in web server");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

/// One request per connection, then closed.
fn serve(stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let Some(request) = read_request(&mut reader) else {
        return;
    };
    let (method, target) = (request.method.as_str(), request.target.as_str());
    let (status, extra, answer) = match target {
        "/status/418" => ("418 I'm a teapot", "", "teapot".to_string()),
        "/redirect" => ("302 Found", "location: /echo/landed\r\n", String::new()),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(2));
            ("200 OK", "", "late".to_string())
        }
        _ => (
            "200 OK",
            "content-type: application/json\r\nx-multi: 1\r\nx-multi: 2\r\n",
            json!({
                "method": method,
                "target": target,
                "x_test": request.header("x-test"),
                "body": String::from_utf8_lossy(&request.body),
            })
            .to_string(),
        ),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n",
        answer.len()
    );
    let _ = writer.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = writer.write_all(answer.as_bytes());
    }
}

/// `nk_misc_http` with `args`.
fn send(port: u16, args: Value) -> Value {
    let (status, got) = call(port, "nk_misc_http", &args.to_string());
    assert_eq!(status, 200, "{got}");
    got
}

/// The check, on the host on `port` (which loaded fixture-nk).
pub fn check_http_request(port: u16) {
    let web = web_server();
    let url = |path: &str| format!("http://127.0.0.1:{web}{path}");
    let b64 = base64::engine::general_purpose::STANDARD;

    // A POST: method in any case, one header, a body; the answer with its
    // headers named as Go names them, the repeated one with both values.
    let got = send(
        port,
        json!({"url": url("/echo/post?q=1"), "method": "pOsT",
               "headers": {"X-Test": "a value"}, "body": b64.encode("ping")}),
    );
    assert_eq!(got["code"], 200, "{got}");
    let seen: Value = serde_json::from_str(got["body"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {got}"));
    assert_eq!(
        seen,
        json!({"method": "POST", "target": "/echo/post?q=1", "x_test": "a value", "body": "ping"}),
        "{got}"
    );
    assert_eq!(got["headers"]["X-Multi"], json!(["1", "2"]), "{got}");
    assert_eq!(
        got["headers"]["Content-Type"],
        json!(["application/json"]),
        "{got}"
    );

    // Any status is an answer; redirects are followed; HEAD has no body.
    let teapot = send(port, json!({"url": url("/status/418"), "method": "get"}));
    assert_eq!(
        (&teapot["code"], &teapot["body"]),
        (&json!(418), &json!("teapot")),
        "{teapot}"
    );
    let landed = send(port, json!({"url": url("/redirect"), "method": "get"}));
    assert_eq!(landed["code"], 200, "{landed}");
    assert!(
        landed["body"]
            .as_str()
            .unwrap_or_default()
            .contains("/echo/landed"),
        "{landed}"
    );
    let head = send(port, json!({"url": url("/echo/head"), "method": "head"}));
    assert_eq!(
        (&head["code"], &head["body"]),
        (&json!(200), &json!("")),
        "{head}"
    );

    // Refusals (Nakama's words, then ours), no answer in time, and none
    // at all: each with its code and the start of its message.
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind a port to close");
    let closed_url = format!("http://127.0.0.1:{}/", closed.local_addr().unwrap().port());
    drop(closed);
    for (args, code, message) in [
        (json!({"method": "get"}), 3, "URL string cannot be empty."),
        (
            json!({"url": url("/echo"), "method": "trace"}),
            3,
            "Invalid method must be one of: 'get', 'post', 'put', 'patch', 'delete', 'head'.",
        ),
        (
            json!({"url": "/echo", "method": "get"}),
            3,
            "HTTP request is invalid: ",
        ),
        (
            json!({"url": url("/echo"), "method": "get", "headers": {"bad name": "v"}}),
            3,
            "HTTP request is invalid: header name",
        ),
        (
            json!({"url": url("/slow"), "method": "get", "timeout_ms": 300}),
            4,
            "HTTP request error: ",
        ),
        (
            json!({"url": closed_url, "method": "get"}),
            14,
            "HTTP request error: ",
        ),
    ] {
        let got = send(port, args);
        assert_eq!(got["error"], code, "{got}");
        let text = got["message"].as_str().unwrap_or_default();
        assert!(text.starts_with(message), "{message}: {got}");
    }
}
