//! The same API over a built `.so`, loaded through the real loader.

use nakama_runtime::Code;
use nakama_test_host::TestHost;

fn built_guild() -> std::path::PathBuf {
    nakama_conformance::modules::build(&["guild"])
        .join(nakama_conformance::modules::file_name("guild"))
}

#[tokio::test]
async fn a_loaded_module_answers_like_the_in_process_one() {
    let host = TestHost::load(built_guild()).await;
    let alice = host.user("alice").await;
    let out = host
        .rpc_id(Some(&alice), "create_guild", br#"{"name":"g1"}"#.to_vec())
        .await
        .unwrap();
    let g: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(g["owner"], alice.id());
    let err = host
        .rpc_id(Some(&alice), "create_guild", br#"{"name":"g1"}"#.to_vec())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert_eq!(host.storage_read("guilds", "g1", None).await.len(), 1);
    assert!(host
        .logs()
        .iter()
        .any(|l| l.message == "guild module loaded"));
}

#[tokio::test]
async fn nk_calls_from_a_thread_of_the_module_are_answered() {
    let built = nakama_conformance::modules::build(&["fixture-nk"])
        .join(nakama_conformance::modules::file_name("fixture-nk"));
    let host = TestHost::load(built).await;
    let out = host
        .rpc_id(None, "nk_from_thread", Vec::new())
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["from"], "module thread");
}

#[tokio::test]
async fn work_outside_calls_lands_in_the_test_hosts_database() {
    let built = nakama_conformance::modules::build(&["fixture-nk"])
        .join(nakama_conformance::modules::file_name("fixture-nk"));
    let host = TestHost::load(built).await;
    host.rpc_id(None, "nk_background", Vec::new())
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    // The module's thread writes, then logs.
    while !host
        .logs()
        .iter()
        .any(|l| l.message == "background work done")
    {
        assert!(std::time::Instant::now() < deadline, "{:?}", host.logs());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        host.storage_read("threads", "background", None).await.len(),
        1
    );
}

#[tokio::test]
async fn a_loaded_module_runs_its_matches() {
    let file = nakama_conformance::modules::build(&["arena"])
        .join(nakama_conformance::modules::file_name("arena"));
    let host = TestHost::load(file).await;
    let alice = host.user("alice").await;
    let out = host
        .rpc_id(
            Some(&alice),
            "arena_create",
            br#"{"max_players":2}"#.to_vec(),
        )
        .await
        .unwrap();
    let created: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let id = created["match_id"].as_str().unwrap();
    let ann = host
        .match_join(id, &alice, &[("name", "ann")])
        .await
        .unwrap();
    ann.send(1, r#"{"x":1,"y":1}"#);
    assert!(host.match_tick(id).await);
    let positions = ann.received();
    assert_eq!(positions.len(), 1, "{positions:?}");
    let p: serde_json::Value = positions[0].json();
    assert_eq!(p["players"]["ann"], serde_json::json!({"x": 1, "y": 1}));
}
