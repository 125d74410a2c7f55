//! Bad input gets Nakama's status and body, and the server keeps serving:
//! after every bad request, a healthcheck and an echo RPC still work.

use crate::common::Server;

const KEY: &str = "http_key=defaulthttpkey";

fn assert_still_serving(server: &Server) {
    let r = server.request("GET", "/healthcheck", &[], None).unwrap();
    assert_eq!(r.status, 200);
    let r = server
        .request(
            "POST",
            &format!("/v2/rpc/echo?{KEY}&unwrap"),
            &[],
            Some(b"ok"),
        )
        .unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "ok"));
}

/// What is sent, what must come back: (what, path, headers, body, status,
/// message part).
type Case<'a> = (
    &'a str,
    String,
    Vec<(&'a str, &'a str)>,
    Option<Vec<u8>>,
    u16,
    &'a str,
);

fn json_of(r: &crate::common::HttpResponse) -> serde_json::Value {
    r.json()
}

#[test]
fn bad_requests_get_nakamas_answers_and_the_server_keeps_serving() {
    let server = Server::start(&["golden-module"], &["--logger.level", "error"]);
    let basic = "Basic ZGVmYXVsdGtleTo="; // defaultkey:
    let cases: Vec<Case<'_>> = vec![
        ("invalid JSON", "/v2/account/authenticate/custom".into(), vec![("Authorization", basic)], Some(b"{bad".to_vec()), 400, ""),
        ("invalid UTF-8", "/v2/account/authenticate/device".into(), vec![("Authorization", basic)], Some(b"{\"id\":\"\xff\xfe\"}".to_vec()), 400, ""),
        ("wrapped body not a string", format!("/v2/rpc/echo?{KEY}"), vec![], Some(b"{}".to_vec()), 400, "json: cannot unmarshal object into Go value of type string"),
        ("oversize body (limit 262144 bytes)", format!("/v2/rpc/echo?{KEY}&unwrap"), vec![], Some(vec![b'x'; 262_145]), 400, "http: request body too large"),
        ("unknown RPC", format!("/v2/rpc/nope?{KEY}"), vec![], Some(b"\"x\"".to_vec()), 404, "RPC function not found"),
        ("missing token", "/v2/rpc/echo".into(), vec![], Some(b"\"x\"".to_vec()), 401, "Auth token or HTTP key required"),
        ("garbage token", "/v2/rpc/echo".into(), vec![("Authorization", "Bearer garbage")], Some(b"\"x\"".to_vec()), 401, "Auth token invalid"),
        ("expired token", "/v2/account".into(), vec![("Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0aWQiOiJ4IiwidWlkIjoiNmIzZjBjM2UtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIiwidXNuIjoieCIsImV4cCI6MTcwMDAwMDAwMCwiaWF0IjoxNjAwMDAwMDAwfQ.invalid")], None, 401, "Auth token invalid"),
        ("wrong http_key", "/v2/rpc/echo?http_key=wrong".into(), vec![], Some(b"\"x\"".to_vec()), 401, "HTTP key invalid"),
        ("wrong server key", "/v2/account/authenticate/custom".into(), vec![("Authorization", "Basic d3Jvbmc6")], Some(b"{\"id\":\"cid-123456\"}".to_vec()), 401, "Server key invalid"),
        ("missing server key", "/v2/account/authenticate/custom".into(), vec![], Some(b"{\"id\":\"cid-123456\"}".to_vec()), 401, "Server key required"),
        ("unknown route", "/v2/nothing/here".into(), vec![], None, 404, "Not Found"),
    ];
    for (what, path, headers, body, status, message) in cases {
        let method = if body.is_some() { "POST" } else { "GET" };
        let r = server
            .request(method, &path, &headers, body.as_deref())
            .unwrap();
        assert_eq!(r.status, status, "{what}: {}", r.text());
        if !message.is_empty() {
            let j = json_of(&r);
            let got = j["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| r.text());
            assert!(got.contains(message), "{what}: {}", r.text());
        }
        assert_still_serving(&server);
    }
}

#[test]
fn a_panicking_handler_answers_500_and_the_server_keeps_serving() {
    let server = Server::start(
        &["fixture-panics", "golden-module"],
        &["--logger.level", "error"],
    );
    for _ in 0..2 {
        let r = server
            .request(
                "POST",
                &format!("/v2/rpc/panic_now?{KEY}&unwrap"),
                &[],
                Some(b""),
            )
            .unwrap();
        assert_eq!(r.status, 500);
        let j = r.json();
        assert_eq!(j["code"], 13);
        assert!(
            j["message"].as_str().unwrap().contains("deliberate panic"),
            "{j}"
        );
        assert_still_serving(&server);
    }
    let r = server
        .request(
            "POST",
            &format!("/v2/rpc/still_fine?{KEY}&unwrap"),
            &[],
            Some(b"fine"),
        )
        .unwrap();
    assert_eq!((r.status, r.text().as_str()), (200, "fine"));
    // A panicking before hook (GetAccount) answers 500 to the client too.
    let auth = server
        .request(
            "POST",
            "/v2/account/authenticate/custom",
            &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
            Some(b"{\"id\":\"cid-654321\"}"),
        )
        .unwrap();
    let token = auth.json()["token"].as_str().unwrap().to_string();
    let r = server
        .request(
            "GET",
            "/v2/account",
            &[("Authorization", &format!("Bearer {token}"))],
            None,
        )
        .unwrap();
    assert_eq!(r.status, 500, "{}", r.text());
    assert_still_serving(&server);
}

#[test]
fn a_handler_that_never_finishes_hits_the_per_call_timeout() {
    let server = Server::start(
        &["fixture-slow", "golden-module"],
        &[
            "--logger.level",
            "error",
            "--runtime.call_timeout_ms",
            "300",
        ],
    );
    let started = std::time::Instant::now();
    let r = server
        .request(
            "POST",
            &format!("/v2/rpc/never?{KEY}&unwrap"),
            &[],
            Some(b""),
        )
        .unwrap();
    assert_eq!(r.status, 504, "{}", r.text());
    assert_eq!(r.json()["code"], 4);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_still_serving(&server);
}

#[test]
fn a_match_whose_ticks_overrun_their_period_is_warned_about_once_in_a_while() {
    let metrics_port = crate::common::free_port();
    let server = Server::start(
        &["fixture-slow", "golden-module"],
        &[
            "--logger.level",
            "warn",
            "--metrics.prometheus_port",
            &metrics_port.to_string(),
        ],
    );
    let r = server
        .request(
            "POST",
            &format!("/v2/rpc/sluggish?{KEY}&unwrap"),
            &[],
            Some(b""),
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let match_id = r.text();
    // About 12 ticks of 80 ms: all overrun, one warning (the next may come
    // after 10 s).
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let log = std::fs::read_to_string(&server.log).unwrap();
    let warnings: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| {
            l["msg"]
                .as_str()
                .unwrap_or("")
                .starts_with("Match tick took longer")
        })
        .collect();
    assert_eq!(warnings.len(), 1, "{log}");
    let w = &warnings[0];
    assert_eq!(w["mid"], match_id.as_str(), "{w}");
    assert_eq!(w["period_ms"], 50.0, "{w}");
    assert!(w["took_ms"].as_f64().unwrap() >= 80.0, "{w}");
    assert_eq!(w["overruns"], 1, "{w}");
    // Every tick's time and each overrun, by handler, for Prometheus.
    let r = nakama_conformance::http::request(metrics_port, "GET", "/metrics", &[], None).unwrap();
    let text = r.text();
    let value = |prefix: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix) && l.contains(r#"module="sluggish""#))
            .unwrap_or_else(|| panic!("no {prefix} for sluggish in:\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(value("nakama_match_tick_overrun_count{") >= 5.0, "{text}");
    assert!(value("nakama_match_tick_time_count{") >= 5.0, "{text}");
    let median = text
        .lines()
        .find(|l| l.starts_with("nakama_match_tick_time{") && l.contains(r#"quantile="0.5""#))
        .unwrap_or_else(|| panic!("no median tick time in:\n{text}"));
    let median: f64 = median.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(median >= 0.08, "ticks take 80 ms: {median}");
    assert_still_serving(&server);
}
