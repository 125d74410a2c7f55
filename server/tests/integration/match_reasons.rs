//! The reasons a match handler's presences carry on the dev host serving
//! `fixtures/fixture-nk`: the conformance check shared with real Nakama.

use crate::common::Server;

#[test]
fn match_presences_carry_nakamas_reasons() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::match_reasons::check_presence_reasons(server.port);
}
