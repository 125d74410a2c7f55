//! The fleet example in the test host: players get seats, new servers
//! are answered once their webhook reports them up, and only servers may
//! report.

use fleet::{play, server_ready, Play, Seat, SERVERS};
use nakama_runtime::{nk, Code, ReadJson};
use nakama_test_host::{TestHost, User};
use serde_json::json;

/// A game server booting: waits for the fleet to ask for one, then
/// reports it with `report` (its webhook call, with the http key), and
/// answers the server's id.
async fn boot(host: &TestHost, report: serde_json::Value) -> String {
    let fleet = host.nk();
    let fleet = fleet.fleet_manager();
    for _ in 0..500 {
        let starting = fleet.list("starting", 10, "").await.unwrap().instances;
        if let Some(server) = starting.first() {
            let mut report = report;
            report["instance_id"] = server.id.clone().into();
            host.rpc_id(None, "server_ready", report.to_string())
                .await
                .unwrap();
            return server.id.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no server was asked for");
}

/// The first server, `max_players` seats, booted for `user`'s play, with
/// `user` seated.
async fn first_server(host: &TestHost, user: &User, max_players: i32) -> String {
    let req = Play { max_players };
    let (seat, id) = tokio::join!(
        host.rpc(user, play, &req),
        boot(host, json!({"ip": "10.0.0.9", "port": 7777})),
    );
    assert_eq!(seat.unwrap().instance_id, id);
    id
}

#[tokio::test]
async fn players_get_seats_on_servers_that_report_ready() {
    let host = TestHost::new().await;
    let (ann, bob, cai) = (
        host.user("ann").await,
        host.user("bob").await,
        host.user("cai").await,
    );

    // No server yet: ann's play waits until the one it asked for is up.
    let (seat, id) = tokio::join!(
        host.rpc(&ann, play, &Play { max_players: 2 }),
        boot(&host, json!({"ip": "10.0.0.9", "port": 7777})),
    );
    let seat = seat.unwrap();
    assert_eq!(
        seat,
        Seat {
            instance_id: id.clone(),
            ip: "10.0.0.9".into(),
            port: 7777,
            session_id: format!("{id}/{}", ann.id()),
        }
    );

    // Bob joins it: one seat was left.
    let seat = host
        .rpc(&bob, play, &Play { max_players: 2 })
        .await
        .unwrap();
    assert_eq!(seat.instance_id, id);
    let server = host.nk().fleet_manager().get(&id).await.unwrap();
    assert_eq!((server.player_count, server.status.as_str()), (2, "ready"));

    // Full: cai's play asks for another, which fails to boot.
    let (seat, _) = tokio::join!(
        host.rpc(&cai, play, &Play { max_players: 2 }),
        boot(&host, json!({"error": "out of capacity in eu-west"})),
    );
    let err = seat.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (
            Code::Unavailable,
            "no game server: out of capacity in eu-west"
        )
    );
}

#[tokio::test]
async fn a_join_that_loses_the_last_seat_to_another_finds_the_server_full() {
    let host = TestHost::new().await;
    let (ann, bob, cai) = (
        host.user("ann").await,
        host.user("bob").await,
        host.user("cai").await,
    );
    let id = first_server(&host, &ann, 2).await;

    // Cai's join reads the server while it has a seat left, and bob's
    // join takes the seat before cai's write: the storage read answers
    // cai the object from before bob's join, once, then as it is.
    let nk = host.nk();
    let read = [nk::StorageReadOp::new(SERVERS, id.as_str())];
    let before = nk.storage_read(&read).await.unwrap();
    let fleet = nk.fleet_manager();
    fleet
        .join(&id, &[bob.id()], Default::default())
        .await
        .unwrap();
    let after = nk.storage_read(&read).await.unwrap();
    let reads = std::sync::atomic::AtomicUsize::new(0);
    let answers = (before, after.clone());
    host.stub_nk::<nk::StorageRead>(move |_| {
        match reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => Ok(answers.0.clone()),
            _ => Ok(answers.1.clone()),
        }
    });

    // Its write is refused (the version moved) and its second look finds
    // the server full: a refusal `play` skips, not a storage error.
    let err = fleet
        .join(&id, &[cai.id()], Default::default())
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (
            Code::ResourceExhausted,
            format!("game server {id} is full").as_str()
        )
    );
    assert_eq!(host.stubbed_calls::<nk::StorageRead>().len(), 2);
    let seated = &after[0].value_as::<fleet::Server>().unwrap().players;
    assert_eq!(seated, &[ann.id(), bob.id()]);
}

#[tokio::test]
async fn a_server_that_fails_to_seat_the_player_is_the_players_error_not_a_new_server() {
    let host = TestHost::new().await;
    let (ann, bob) = (host.user("ann").await, host.user("bob").await);
    first_server(&host, &ann, 4).await;

    // Storage fails bob's seat: play answers that, and asks for no
    // server (one write: the seat's).
    host.stub_nk::<nk::StorageWrite>(|_| Err(nakama_runtime::Error::internal("disk full")));
    let err = host
        .rpc(&bob, play, &Play { max_players: 4 })
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.message()), (Code::Internal, "disk full"));
    assert_eq!(host.stubbed_calls::<nk::StorageWrite>().len(), 1);
}

#[tokio::test]
async fn only_game_servers_report_and_unknown_servers_are_not_found() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    let report = fleet::Ready {
        instance_id: "gs-1".into(),
        ..Default::default()
    };
    let err = host.rpc(&ann, server_ready, &report).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied);
    let err = host
        .rpc_id(None, "server_ready", r#"{"instance_id":"gs-1"}"#)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::NotFound, "no game server gs-1")
    );
}
