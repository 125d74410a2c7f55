//! Modules' custom HTTP handlers and the shutdown hook on the dev host:
//! the conformance checks that also run on Nakama through the bridge
//! (`bridge/rust/tests/nakama.rs`).

use std::time::Duration;

use crate::common::Server;

#[test]
fn custom_http_handlers_answer_as_in_nakama() {
    let server = Server::start(&["fixture-http"], &["--logger.level", "info"]);
    nakama_conformance::custom_http::check_http_handlers(server.port);
    nakama_conformance::custom_http::check_console_http_handlers(server.port, server.console_port);
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        log.contains(
            r#""msg":"Registered custom HTTP handler","path_pattern":"/fixture/echo/{id}""#
        ),
        "{log}"
    );
    assert!(
        log.contains(
            r#""msg":"Registered custom console HTTP handler","path_pattern":"/fixture/console/{id}""#
        ),
        "{log}"
    );
}

#[test]
fn the_shutdown_hook_runs_on_sigterm_within_the_grace_period() {
    let mut server = Server::start(
        &["fixture-http"],
        &["--logger.level", "info", "--shutdown_grace_sec", "5"],
    );
    let (exit, took) = server
        .terminate(Duration::from_secs(20))
        .expect("the dev host stops");
    assert!(exit.success(), "{exit:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    let log = std::fs::read_to_string(&server.log).unwrap();
    nakama_conformance::custom_http::check_shutdown_log(&log);
    assert!(
        log.contains("Registered Rust runtime Shutdown function invocation"),
        "{log}"
    );
}

#[test]
fn without_a_grace_period_the_shutdown_hook_does_not_run() {
    let mut server = Server::start(&["fixture-http"], &["--logger.level", "info"]);
    let (exit, _) = server
        .terminate(Duration::from_secs(20))
        .expect("the dev host stops");
    assert!(exit.success(), "{exit:?}");
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("Shutdown started"), "{log}");
    assert!(!log.contains("shutdown hook wrote its object"), "{log}");
}

#[test]
fn the_console_port_caps_bodies_and_is_opened_only_for_console_handlers() {
    let server = Server::start(
        &["fixture-http"],
        &["--console.max_message_size_bytes", "8"],
    );
    let r = nakama_conformance::http::request(
        server.console_port,
        "POST",
        "/fixture/console/1",
        &[],
        Some(b"123456789"),
    )
    .unwrap();
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (400, Some("http: request body too large"))
    );
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(
        log.contains(r#""msg":"Starting Console server gateway for HTTP requests""#),
        "{log}"
    );
    // No console handler, no console port.
    let plain = Server::start(&["fixture-nk"], &[]);
    let closed = std::net::TcpStream::connect(("127.0.0.1", plain.console_port));
    assert!(closed.is_err(), "{closed:?}");
}
