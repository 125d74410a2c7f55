//! The guild module tested with plain `cargo test`: its handlers run
//! in-process against the dev host's nk functions on in-memory SQLite.

use guild::{create_guild, get_guild, CreateGuild, GetGuild, Guild};
use nakama_runtime::Code;
use nakama_test_host::TestHost;

/// The example of the project's issue 5, as written there.
#[tokio::test]
async fn guild_names_are_unique() {
    let host = TestHost::new().await; // :memory: SQLite, fresh
    let alice = host.user("alice").await; // an account + session
    let g: Guild = host
        .rpc(&alice, create_guild, &CreateGuild { name: "g1".into() })
        .await
        .unwrap();
    assert_eq!(g.owner, alice.id());
    let err = host
        .rpc(&alice, create_guild, &CreateGuild { name: "g1".into() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::AlreadyExists);
    assert_eq!(
        host.storage()
            .read("guilds", "g1", None)
            .await
            .unwrap()
            .len(),
        1
    );
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
async fn contributions_add_up_and_rank_their_members() {
    use guild::{contribute, Contribute, Contribution, CONTRIBUTIONS};

    let host = TestHost::new().await; // init created the leaderboard
    let (dana, eli) = (host.user("dana").await, host.user("eli").await);
    let give = |points| Contribute { points };
    let c: Contribution = host.rpc(&dana, contribute, &give(30)).await.unwrap();
    assert_eq!(c, Contribution { total: 30, rank: 1 });
    let c: Contribution = host.rpc(&eli, contribute, &give(50)).await.unwrap();
    assert_eq!(c, Contribution { total: 50, rank: 1 });
    let c: Contribution = host.rpc(&dana, contribute, &give(25)).await.unwrap();
    assert_eq!(c, Contribution { total: 55, rank: 1 });

    let board = host.leaderboard(CONTRIBUTIONS).await;
    let standings: Vec<_> = board
        .iter()
        .map(|r| (r.username.as_deref(), r.score, r.rank))
        .collect();
    assert_eq!(standings, [(Some("dana"), 55, 1), (Some("eli"), 50, 2)]);

    // A score seeded by the test itself ranks with the others.
    let fay = host.user("fay").await;
    host.leaderboard_write(CONTRIBUTIONS, &fay, 80, 0).await;
    let c: Contribution = host.rpc(&eli, contribute, &give(1)).await.unwrap();
    assert_eq!(c, Contribution { total: 51, rank: 3 });

    let err = host
        .rpc::<_, _, Contribution, _>(&eli, contribute, &give(0))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
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
    let old = Guild {
        name: "old".into(),
        owner: "someone".into(),
    };
    host.put_json(None, "guilds", "old", &old).await;
    let g: Guild = host
        .rpc(&erin, get_guild, &GetGuild { name: "old".into() })
        .await
        .unwrap();
    assert_eq!(g.owner, "someone");

    // And what the module stores reads back as its type.
    let made: Guild = host
        .rpc(&erin, create_guild, &CreateGuild { name: "new".into() })
        .await
        .unwrap();
    let stored: Option<Guild> = host.stored(None, "guilds", "new").await;
    assert_eq!(stored.map(|g| g.owner), Some(made.owner));
    assert!(host.stored::<Guild>(None, "guilds", "none").await.is_none());
}

#[tokio::test]
async fn account_and_notification_fixtures() {
    let host = TestHost::new().await;
    let frank = host
        .account("frank")
        .device_id("phone-0001")
        .wallet(&[("gold", 10), ("gems", 2)])
        .create()
        .await;
    assert_eq!(frank.username(), "frank");
    let again = host
        .account("other-name")
        .device_id("phone-0001")
        .create()
        .await;
    assert_eq!(
        again.id(),
        frank.id(),
        "the device id finds the same account"
    );
    let wallet = host.wallet(&frank).await;
    assert_eq!((wallet["gold"], wallet["gems"]), (10, 2));

    host.notify(&frank, "welcome", serde_json::json!({"gift": 5}), 1)
        .await;
    let notes = host.notifications(&frank).await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].subject, "welcome");

    host.storage()
        .write(
            "guilds",
            "fixture",
            None,
            r#"{"name":"fixture","owner":"x"}"#,
        )
        .await
        .unwrap();
    let listed = host.storage().list("guilds", None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].key, "fixture");
}

#[tokio::test]
async fn the_display_name_hook_trims_and_keeps_the_rest() {
    use nakama_runtime::api::UpdateAccountRequest;
    use nakama_runtime::hooks::hook::UpdateAccount;
    use nakama_test_host::Call;

    let host = TestHost::new().await;
    let gina = host.user("gina").await;
    let req = UpdateAccountRequest {
        display_name: Some("  Gina  ".into()),
        location: Some("Oslo".into()),
        ..Default::default()
    };
    let out = host
        .before::<UpdateAccount>(&Call::user(&gina), req)
        .await
        .unwrap()
        .expect("the hook lets the call go on");
    assert_eq!(out.display_name.as_deref(), Some("Gina"));
    assert_eq!(out.location.as_deref(), Some("Oslo"));
    assert_eq!(out.username, None);
}

#[tokio::test]
async fn the_clock_is_settable_and_each_host_has_its_own() {
    let host = TestHost::new().await;
    let other = TestHost::new().await;
    host.clock().set(1_800_000_000); // 2027-01-15T08:00:00Z
    let hana = host.user("hana").await;
    let _: Guild = host
        .rpc(&hana, create_guild, &CreateGuild { name: "t1".into() })
        .await
        .unwrap();
    host.clock().advance(3600);
    host.give(&hana, &[("gold", 1)]).await;

    let object = host
        .storage()
        .read("guilds", "t1", None)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(object.create_time.as_deref(), Some("2027-01-15T08:00:00Z"));
    let ledger = host.ledger(&hana).await;
    assert_eq!(ledger[0].create_time, 1_800_003_600);

    // The other host still follows the system clock.
    assert!(other.clock().now() > 1_700_000_000 && other.clock().now() < 1_800_000_000);
}

#[tokio::test]
async fn chat_messages_are_masked_before_the_server_sees_them() {
    use nakama_runtime::rtapi::{self, hook::ChannelMessageSend};
    use nakama_test_host::Call;

    let host = TestHost::new().await;
    let hana = host.user("hana").await;
    let msg = rtapi::ChannelMessageSend {
        channel_id: "2...guild".into(),
        content: r#"{"text":"Oh HECK, darn it","n":1,"parts":["heck"]}"#.into(),
    };
    let out = host
        .before::<ChannelMessageSend>(&Call::user(&hana), msg)
        .await
        .unwrap()
        .expect("the hook lets the message go on");
    assert_eq!(out.channel_id, "2...guild");
    let content: serde_json::Value = serde_json::from_str(&out.content).unwrap();
    assert_eq!(
        content,
        serde_json::json!({"text": "Oh ****, **** it", "n": 1, "parts": ["****"]})
    );
    // Not an object: left for the server to refuse, unchanged.
    let odd = rtapi::ChannelMessageSend {
        channel_id: "2...guild".into(),
        content: "heck".into(),
    };
    let out = host
        .before::<ChannelMessageSend>(&Call::user(&hana), odd)
        .await;
    assert_eq!(out.unwrap().unwrap().content, "heck");
}

#[test]
fn masking_keeps_other_text_and_non_ascii_intact() {
    assert_eq!(
        guild::mask_words("checkered darnedest"),
        "c****ered ****edest"
    );
    assert_eq!(guild::mask_words("Ünïcode heck"), "Ünïcode ****");
    assert_eq!(guild::mask_words("nothing here"), "nothing here");
}

#[tokio::test]
async fn members_activity_follows_their_sessions_and_events() {
    use nakama_runtime::api;
    use nakama_test_host::Call;

    let host = TestHost::new().await;
    host.clock().set(1_800_000_000);
    let ines = host.user("ines").await;
    let activity = |key: &'static str| {
        let (host, ines) = (&host, &ines);
        async move {
            let objects = host
                .storage()
                .read(guild::ACTIVITY, key, Some(ines))
                .await
                .unwrap();
            let object = objects.first().expect("recorded");
            assert_eq!((object.permission_read, object.permission_write), (2, 0));
            serde_json::from_str::<serde_json::Value>(&object.value).unwrap()
        }
    };

    // What the client reports (external, as nakama-js's emitEvent sends it).
    let evt = api::Event {
        name: "tutorial_done".into(),
        properties: [("step".to_string(), "3".to_string())].into(),
        ..Default::default()
    };
    host.event(&Call::user(&ines), evt).await.unwrap();
    assert_eq!(
        activity("last_event").await,
        serde_json::json!({"name": "tutorial_done", "properties": {"step": "3"}})
    );

    // A session's start and end, queued: settle before looking.
    let socket = host.connect(&ines);
    host.settle_events().await;
    let at = "2027-01-15T08:00:00Z";
    assert_eq!(
        activity("last_seen").await,
        serde_json::json!({"online": true, "at": at})
    );
    drop(socket);
    host.settle_events().await;
    assert_eq!(
        activity("last_seen").await,
        serde_json::json!({"online": false, "at": at})
    );
}

#[tokio::test]
async fn the_weekly_cup_takes_members_who_joined_and_starts_again_on_monday() {
    let host = TestHost::new().await;
    // The cup was created at init (by the system clock); a Wednesday later.
    host.clock().set(1_800_000_000 + 5 * 86_400); // 2027-01-20T08:00:00Z
    let (ivy, jon) = (host.user("ivy").await, host.user("jon").await);
    let refused = host
        .tournament_write(guild::WEEKLY_CUP, &ivy, 10)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert_eq!(
        refused.message(),
        "required to join before writing tournament record"
    );
    host.tournament_join(guild::WEEKLY_CUP, &ivy).await;
    host.tournament_join(guild::WEEKLY_CUP, &jon).await;
    let first = host
        .tournament_write(guild::WEEKLY_CUP, &ivy, 10)
        .await
        .unwrap();
    assert_eq!(
        first.expiry_time.as_deref(),
        Some("2027-01-25T00:00:00Z"),
        "the week ends on Monday"
    );
    host.tournament_write(guild::WEEKLY_CUP, &jon, 30)
        .await
        .unwrap();
    let week: Vec<_> = host
        .tournament(guild::WEEKLY_CUP)
        .await
        .into_iter()
        .map(|r| (r.username.unwrap_or_default(), r.score, r.rank))
        .collect();
    assert_eq!(week, [("jon".into(), 30, 1), ("ivy".into(), 10, 2)]);

    // Monday: a new period, empty; joining again is needed. The week's
    // end ran the module's tournament end callback: the podium is told.
    host.clock().set(1_800_000_000 + 10 * 86_400); // 2027-01-25T08:00:00Z
    host.run_scheduler().await;
    for (user, place) in [
        (&jon, r#"{"rank": 1, "score": 30}"#),
        (&ivy, r#"{"rank": 2, "score": 10}"#),
    ] {
        let told: Vec<_> = host
            .notifications(user)
            .await
            .into_iter()
            .filter(|n| n.code == guild::CUP_RESULT)
            .map(|n| (n.subject, n.content))
            .collect();
        assert_eq!(told, [("Weekly cup".to_string(), place.to_string())]);
    }
    assert!(host.tournament(guild::WEEKLY_CUP).await.is_empty());
    let again = host.tournament_write(guild::WEEKLY_CUP, &ivy, 5).await;
    assert!(again.is_err(), "{again:?}");
    host.tournament_join(guild::WEEKLY_CUP, &ivy).await;
    let fresh = host
        .tournament_write(guild::WEEKLY_CUP, &ivy, 5)
        .await
        .unwrap();
    assert_eq!((fresh.score, fresh.num_score, fresh.rank), (5, 1, 1));
}

/// `POST /guild/webhook` with this secret and body.
async fn post_webhook(host: &TestHost, secret: &str, body: String) -> nakama_runtime::HttpResponse {
    let headers = [("X-Webhook-Secret", secret)];
    host.http("POST", "/guild/webhook", &headers, body).await
}

#[tokio::test]
async fn the_webhook_credits_contributions_for_callers_with_the_secret() {
    use guild::{Contribution, CONTRIBUTIONS, WEBHOOK_SECRET};

    // Without the secret in runtime.env, the webhook is off.
    let off = TestHost::new().await;
    let r = post_webhook(&off, "", "{}".into()).await;
    assert_eq!(r.status, 503, "{:?}", String::from_utf8_lossy(&r.body));

    let host = TestHost::with_env(&[(WEBHOOK_SECRET, "s3cret")]).await;
    let gus = host.user("gus").await;
    let credit = |points: i64| format!(r#"{{"user_id":"{}","points":{points}}}"#, gus.id());
    let r = post_webhook(&host, "s3cret", credit(40)).await;
    assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
    let c: Contribution = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(c, Contribution { total: 40, rank: 1 });
    let board = host.leaderboard(CONTRIBUTIONS).await;
    assert_eq!(board[0].username.as_deref(), Some("gus"));

    // A wrong secret, a bad amount, an unknown member, another method.
    assert_eq!(post_webhook(&host, "guess", credit(5)).await.status, 401);
    assert_eq!(post_webhook(&host, "s3cret", credit(0)).await.status, 400);
    let stranger = r#"{"user_id":"5bd0c3a8-0b3e-4c57-a7f1-0d6f0e4c9a11","points":5}"#;
    assert_eq!(
        post_webhook(&host, "s3cret", stranger.into()).await.status,
        404
    );
    let r = host.http("GET", "/guild/webhook", &[], "").await;
    assert_eq!(r.status, 404, "POST only");
    assert_eq!(host.leaderboard(CONTRIBUTIONS).await[0].score, 40);
}

#[tokio::test]
async fn my_guilds_come_from_the_storage_index_by_name() {
    use guild::{my_guilds, GuildPage, MyGuilds};
    let host = TestHost::new().await;
    let alice = host.user("alice").await;
    let bob = host.user("bob").await;
    for (user, name) in [(&alice, "zeta"), (&bob, "beta"), (&alice, "alpha")] {
        host.rpc(user, create_guild, &CreateGuild { name: name.into() })
            .await
            .unwrap();
    }
    let page: GuildPage = host
        .rpc(&alice, my_guilds, &MyGuilds::default())
        .await
        .unwrap();
    let names: Vec<&str> = page.guilds.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["alpha", "zeta"]);
    assert_eq!(page.cursor, "");
    // A guild deleted leaves the index.
    host.storage().delete("guilds", "zeta", None).await.unwrap();
    let page: GuildPage = host
        .rpc(&alice, my_guilds, &MyGuilds::default())
        .await
        .unwrap();
    assert_eq!(page.guilds.len(), 1);
}
