//! The social login functions and routes on the dev host
//! (conformance/src/social.rs; the same checks run on Nakama through the
//! bridge).

use crate::common::Server;
use nakama_conformance::social::{self, Host};

fn server() -> Server {
    Server::start(&["fixture-nk"], &["--logger.level", "error"])
}

#[test]
fn social_functions_refuse_as_nakama_without_social_settings() {
    social::check_social_functions(server().port, Host::DevHost);
}

#[test]
fn social_routes_refuse_as_nakama_and_run_their_hooks() {
    social::check_social_routes(server().port, Host::DevHost);
}

#[test]
fn instant_games_players_log_in_link_and_unlink_as_in_nakama() {
    social::check_instant_games(server().port);
}
