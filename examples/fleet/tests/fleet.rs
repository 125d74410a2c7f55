//! The fleet example in the test host: players get seats, new servers
//! are answered once their webhook reports them up, and only servers may
//! report.

use fleet::{play, server_ready, Play, Seat};
use nakama_runtime::Code;
use nakama_test_host::TestHost;
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
