//! Storage search indexes on the dev host serving `fixtures/fixture-nk`:
//! the conformance check that also runs on Nakama through the bridge
//! (`bridge/rust/tests/nakama.rs`).

use crate::common::Server;

#[test]
fn storage_indexes_answer_as_in_nakama() {
    let server = Server::start(&["fixture-nk"], &["--logger.level", "error"]);
    nakama_conformance::stindex::check_storage_indexes(server.port);
}

#[test]
fn indexes_fill_from_the_database_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nakama.db");
    let args = [
        "--logger.level",
        "error",
        "--database.address",
        db.to_str().unwrap(),
    ];
    let server = Server::start(&["fixture-nk"], &args);
    let run = "restart";
    let write = format!(
        r#"{{"writes":[{{"collection":"fx_items","key":"k1","value":"{{\"run\":\"{run}\",\"size\":2}}","permission_read":2}},
                       {{"collection":"fx_items","key":"k2","value":"{{\"run\":\"{run}\",\"hidden\":true}}","permission_read":2}}]}}"#
    );
    let (status, out) = nakama_conformance::nk::call(server.port, "nk_stindex_write", &write);
    assert_eq!(status, 200, "{out}");
    drop(server);
    let server = Server::start(&["fixture-nk"], &args);
    let list = |index: &str| {
        let req = format!(r#"{{"index":"{index}","query":"+value.run:{run}","order":["key"]}}"#);
        nakama_conformance::nk::call(server.port, "nk_stindex_list", &req).1["keys"].clone()
    };
    // The filter runs on the load too: k2 is hidden from fx_items only.
    assert_eq!(list("fx_items"), serde_json::json!(["k1"]));
    assert_eq!(list("fx_items_only").as_array().unwrap().len(), 2);
}
