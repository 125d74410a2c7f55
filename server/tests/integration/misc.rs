//! Notifications by id and to everyone, leaderboard listing, ranks
//! disabled, cursors from a rank, cron, files, the server's settings,
//! metrics and party listing on the dev host, checked as on Nakama
//! (`conformance::misc`).

use crate::common::Server;

fn server() -> Server {
    Server::start(&["fixture-nk"], &["--logger.level", "error"])
}

#[test]
fn notifications_are_read_changed_and_deleted_by_id() {
    nakama_conformance::misc::check_notifications(server().port);
}

#[test]
fn a_notification_reaches_everyone() {
    nakama_conformance::misc::check_send_all(server().port);
}

#[test]
fn leaderboards_are_listed_and_ranks_disabled() {
    nakama_conformance::misc::check_leaderboards(server().port);
}

#[test]
fn cron_expressions_name_times_as_nakama_reads_them() {
    nakama_conformance::misc::check_cron(server().port);
}

#[test]
fn files_are_read_under_the_runtime_path() {
    let server = server();
    let runtime = server
        .log
        .parent()
        .expect("the runtime folder")
        .to_path_buf();
    nakama_conformance::misc::check_read_file(server.port, &runtime);
}

#[test]
fn http_requests_are_sent_by_the_host() {
    nakama_conformance::http_request::check_http_request(server().port);
}

#[test]
fn modules_read_the_hosts_settings() {
    use nakama_conformance::misc::{check_config, CONFIG_SETTINGS};
    let flags = [&["--logger.level", "ERROR"], CONFIG_SETTINGS].concat();
    // No provider settings here: Nakama's defaults are reported.
    check_config(Server::start(&["fixture-nk"], &flags).port, false);
}

#[test]
fn metrics_calls_are_accepted() {
    nakama_conformance::misc::check_metrics(server().port);
}

#[test]
fn metrics_are_exported_for_prometheus_as_nakama_names_them() {
    let metrics_port = crate::common::free_port().to_string();
    let flags = [
        "--logger.level",
        "error",
        "--metrics.prometheus_port",
        &metrics_port,
        "--matchmaker.interval_sec",
        "1",
    ];
    let server = Server::start(&["fixture-nk"], &flags);
    let metrics_port = metrics_port.parse().unwrap();
    nakama_conformance::misc::check_prometheus(server.port, metrics_port);
    nakama_conformance::misc::check_server_series(server.port, metrics_port, true);
}

#[test]
fn parties_are_listed_by_nk_and_by_clients() {
    nakama_conformance::misc::check_parties(server().port);
}

#[test]
fn client_storage_reads_check_their_ids() {
    nakama_conformance::misc::check_storage_read_ids(server().port);
}

#[test]
fn purchase_functions_refuse_as_nakama_without_iap_settings() {
    nakama_conformance::misc::check_purchases(server().port);
}

#[test]
fn storage_values_come_back_as_postgresql_stores_them() {
    nakama_conformance::storage::check_stored_json(server().port);
}

#[test]
fn routes_called_with_an_empty_last_variable_answer_as_nakama() {
    nakama_conformance::routes::check_empty_last_segment(server().port);
}

#[test]
fn a_request_head_past_nakamas_limit_is_answered_431() {
    nakama_conformance::routes::check_head_limit(server().port);
}

#[test]
fn purchase_routes_answer_as_nakama_without_iap_settings() {
    let server = server();
    nakama_conformance::misc::check_purchase_routes(server.port);
    // Where Nakama would ask the store, the dev host says it does not.
    let user = nakama_conformance::realtime::User::new(server.port, "pr-store", "prstore");
    let r = nakama_conformance::http::request(
        server.port,
        "POST",
        "/v2/iap/purchase/apple",
        &[("Authorization", &format!("Bearer {}", user.token))],
        Some(br#"{"receipt":"r"}"#),
    )
    .expect("apple purchase");
    assert_eq!(r.status, 501, "{}", r.text());
    assert!(r.text().contains("Apple"), "{}", r.text());
}
