//! The guild module tested with plain `cargo test`: its handlers run
//! in-process against the dev host's nk functions on in-memory SQLite.

use guild::{create_guild, get_guild, CreateGuild, GetGuild, Guild};
use nakama_runtime::Code;
use nakama_test_host::TestHost;

#[tokio::test]
async fn guild_names_are_unique() {
    let host = TestHost::new().await;
    let alice = host.user("alice").await;
    let g: Guild = host
        .rpc(&alice, create_guild, &CreateGuild { name: "g1".into() })
        .await
        .unwrap();
    assert_eq!(g.owner, alice.id());
    let err = host
        .rpc::<_, _, Guild, _>(&alice, create_guild, &CreateGuild { name: "g1".into() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert_eq!(err.message(), "guild name is in use");
    assert_eq!(host.storage_read("guilds", "g1", None).await.len(), 1);
}

#[tokio::test]
async fn typed_errors_reach_the_caller() {
    let host = TestHost::new().await;
    let bob = host.user("bob").await;
    let err = host
        .rpc::<_, _, Guild, _>(
            &bob,
            get_guild,
            &GetGuild {
                name: "nope".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::NotFound, "guild nope not found")
    );
    let err = host
        .rpc::<_, _, Guild, _>(
            &bob,
            create_guild,
            &CreateGuild {
                name: "has space".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    // Without a session (http_key), create_guild needs a user.
    let err = host
        .rpc_id(None, "create_guild", br#"{"name":"g2"}"#.to_vec())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn log_lines_are_inspectable() {
    let host = TestHost::new().await;
    let carol = host.user("carol").await;
    let _: Guild = host
        .rpc(
            &carol,
            create_guild,
            &CreateGuild {
                name: "logs".into(),
            },
        )
        .await
        .unwrap();
    let logs = host.logs();
    assert!(logs.iter().any(|l| l.message == "guild module loaded"));
    let created = logs.iter().find(|l| l.message == "guild created").unwrap();
    assert!(created.fields.contains(r#""guild":"logs""#), "{created:?}");
}

#[tokio::test]
async fn the_custom_id_hook_accepts_and_rejects() {
    use nakama_runtime::api::{AccountCustom, AuthenticateCustomRequest, Session};
    use nakama_runtime::hooks::hook::AuthenticateCustom;
    use nakama_test_host::Call;

    let host = TestHost::new().await;
    let req = |id: &str| AuthenticateCustomRequest {
        account: Some(AccountCustom {
            id: id.into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let ok = host
        .before::<AuthenticateCustom>(&Call::http_key(), req("cid-123456"))
        .await
        .unwrap();
    assert_eq!(ok, Some(req("cid-123456")));
    let err = host
        .before::<AuthenticateCustom>(&Call::http_key(), req("nope"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);

    let dave = host.user("dave").await;
    let created = Session {
        created: true,
        ..Default::default()
    };
    host.after::<AuthenticateCustom>(&Call::user(&dave), &created, &req("cid-123456"))
        .await
        .unwrap();
    assert!(host
        .logs()
        .iter()
        .any(|l| l.message == "new account created"));
}

#[tokio::test]
async fn fixtures() {
    let host = TestHost::new().await;
    let erin = host.user("erin").await;
    host.give(&erin, &[("gold", 50)]).await;
    assert_eq!(host.wallet(&erin).await.get("gold"), Some(&50));
    assert_eq!(host.ledger(&erin).await.len(), 1);
    assert!(host.notifications(&erin).await.is_empty());

    // A guild object written as a fixture is read by the module.
    host.put_object(None, "guilds", "old", r#"{"name":"old","owner":"someone"}"#)
        .await;
    let g: Guild = host
        .rpc(&erin, get_guild, &GetGuild { name: "old".into() })
        .await
        .unwrap();
    assert_eq!(g.owner, "someone");
}
