//! The notification, leaderboard-listing, cron and metrics nk functions
//! on the test host, as a module's tests meet them (metrics through
//! `TestHost::metrics`).

use nakama_runtime::{nk, rpc, Context, Error, Nakama};
use nakama_test_host::TestHost;
use serde_json::{json, Map};

/// Tells everyone the season is over (stored for each user).
#[rpc]
async fn announce(_ctx: &Context, nk: &Nakama, subject: String) -> Result<(), Error> {
    let content = json!({"season": 1})
        .as_object()
        .cloned()
        .unwrap_or_default();
    nk.notification_send_all(&subject, content, 100, true)
        .await?;
    nk.metrics_counter_add("announcements", &[("kind", "season")], 1)
        .await
}

/// When the next weekly reset (Monday 00:00 UTC) after a time falls.
#[rpc]
async fn next_reset(_ctx: &Context, nk: &Nakama, at: i64) -> Result<i64, Error> {
    nk.cron_next("0 0 * * 1", at).await
}

#[tokio::test]
async fn a_notification_to_all_reaches_every_user_and_their_sockets() {
    let host = TestHost::new().await;
    let (ann, bob) = (host.user("ann").await, host.user("bob").await);
    let socket = host.connect(&bob);
    host.rpc(&ann, announce, &"Season over".to_string())
        .await
        .unwrap();
    for user in [&ann, &bob] {
        let stored = host.notifications(user).await;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].subject, "Season over");
    }
    assert_eq!(socket.notifications()[0].subject, "Season over");
    // The module's metric, as Prometheus would read it from Nakama.
    let metrics = host.metrics();
    let counted = r#"nakama_custom_announcements{node_name="test",kind="season"} 1"#;
    assert!(metrics.lines().any(|l| l == counted), "{metrics}");
    // By id: read, changed, deleted.
    let id = host.notifications(&ann).await[0].id.clone();
    host.nk()
        .notifications_update(vec![nk::NotificationUpdate {
            id: id.clone(),
            subject: Some("Season 1 over".into()),
            ..Default::default()
        }])
        .await
        .unwrap();
    let got = host
        .nk()
        .notifications_get_id(ann.id(), &[&id])
        .await
        .unwrap();
    assert_eq!(got[0].subject, "Season 1 over");
    assert_eq!(
        got[0].content,
        json!({"season": 1}).as_object().cloned().unwrap()
    );
    host.nk().notifications_delete_id("", &[&id]).await.unwrap();
    assert!(host.notifications(&ann).await.is_empty());
    let refused = host.rpc(&ann, announce, &String::new()).await.unwrap_err();
    assert_eq!(
        refused.message(),
        "expects subject to be a non-empty string"
    );
}

#[tokio::test]
async fn cron_names_the_next_weekly_reset() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    // Thursday 2026-01-01T12:34:56Z: the next Monday is the 5th.
    let next: i64 = host.rpc(&ann, next_reset, &1_767_270_896).await.unwrap();
    assert_eq!(next, 1_767_571_200);
}

#[tokio::test]
async fn leaderboards_are_listed_in_the_order_they_were_made() {
    let host = TestHost::new().await;
    for id in ["weekly", "all_time"] {
        host.nk()
            .leaderboard_create(&nk::LeaderboardCreateArgs {
                id: id.into(),
                enable_ranks: true,
                metadata: Map::new(),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    let first = host.nk().leaderboard_list(1, None).await.unwrap();
    assert_eq!(first.leaderboards[0].id, "weekly");
    let rest = host
        .nk()
        .leaderboard_list(1, Some(&first.cursor))
        .await
        .unwrap();
    assert_eq!(rest.leaderboards[0].id, "all_time");
    assert!(rest.cursor.is_empty());
}

/// `stored` names the object, the type and serde's complaint when a value
/// is not what the test expects.
#[tokio::test]
#[should_panic(
    expected = "storage object saves/slot1 does not read as u32: invalid type: map, expected u32"
)]
async fn stored_says_which_object_does_not_read() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    host.put_json(Some(&ann), "saves", "slot1", &json!({"hp": 3}))
        .await;
    assert_eq!(
        host.stored::<serde_json::Value>(Some(&ann), "saves", "slot1")
            .await,
        Some(json!({"hp": 3}))
    );
    assert_eq!(
        host.stored::<u32>(None, "saves", "slot1").await,
        None,
        "the system user has none"
    );
    let _: Option<u32> = host.stored(Some(&ann), "saves", "slot1").await;
}

/// The settings a module reads (`nk.config()`): the test host's own,
/// `runtime.env` from `with_env`, or whatever a stub answers.
#[tokio::test]
async fn the_configuration_is_the_test_hosts_or_a_stubs() {
    let host = TestHost::with_env(&[("REGION", "eu"), ("MODE", "a=b")]).await;
    let config = host.nk().config().await.unwrap();
    assert_eq!(config.name, "test", "the node every context names");
    assert_eq!(config.runtime.env, ["MODE=a=b", "REGION=eu"]);
    assert_eq!(
        (
            config.session.token_expiry_sec,
            config.session.refresh_token_expiry_sec
        ),
        (3600, 7200)
    );
    assert_eq!(config.session.encryption_key, "test-session-key");
    assert_eq!(
        (
            config.socket.server_key.as_str(),
            config.socket.protocol.as_str()
        ),
        ("defaultkey", "tcp")
    );
    assert_eq!(config.runtime.http_key, "defaulthttpkey");
    assert_eq!(config.iap.apple.shared_password, "");
    host.stub_nk::<nk::GetConfig>(|()| {
        let mut c = nk::ServerConfig::default();
        c.iap.apple.shared_password = "from-the-test".into();
        Ok(c)
    });
    let config = host.nk().config().await.unwrap();
    assert_eq!(config.iap.apple.shared_password, "from-the-test");
}
