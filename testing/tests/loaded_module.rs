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
