//! Accounts on the dev host serving `fixtures/fixture-nk`: the conformance
//! checks shared with real Nakama (the client's link, unlink and delete
//! routes; the account, user, link and wallet nk functions).

use crate::common::Server;

#[test]
fn the_link_unlink_and_delete_routes_answer_as_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::accounts::check_account_routes(server.port);
    nakama_conformance::accounts::check_malformed_bodies(server.port);
    nakama_conformance::accounts::check_body_fields(server.port);
    nakama_conformance::accounts::check_query_params(server.port);
    nakama_conformance::accounts::check_email_refusals(server.port);
}

#[test]
fn modules_ban_link_export_and_update_accounts_as_in_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::accounts::check_nk_accounts(server.port);
    nakama_conformance::accounts::check_account_updates(server.port);
    nakama_conformance::accounts::check_system_user(server.port);
}

#[test]
fn modules_import_accounts_as_nakama_reads_them() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::account_import::check_nk_account_import(server.port);
}
