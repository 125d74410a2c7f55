//! The arena match tested with plain `cargo test`: the test host runs the
//! match in-process and its ticks only when the test asks, so every step
//! is deterministic.

use arena::{
    arena_create, pb, CreateArena, Created, FromArena, FromClient, Position, OP_MOVE,
    OP_MOVE_COMPACT, OP_POSITIONS, RESERVATION_TICKS,
};
use nakama_runtime::{Code, MatchMessage, Proto};
use nakama_test_host::{MatchedId, MatchmakerAdd, TestHost};

async fn arena(host: &TestHost, max_players: usize) -> String {
    let alice = host.user("alice").await;
    let created: Created = host
        .rpc(&alice, arena_create, &CreateArena { max_players })
        .await
        .unwrap();
    created.match_id
}

#[tokio::test]
async fn players_see_each_other_move() {
    let host = TestHost::new().await;
    let id = arena(&host, 2).await;
    let m = host.match_get(&id).await.expect("running");
    assert_eq!(m.handler_name, "arena");
    assert_eq!((m.tick_rate, m.size), (10, 0));
    assert_eq!(m.label.as_deref(), Some(r#"{"open":true,"players":0}"#));

    let (alice, bob) = (host.user("alice").await, host.user("bob").await);
    let ann = host
        .match_join(&id, &alice, &[("name", "ann")])
        .await
        .unwrap();
    let ben = host
        .match_join(&id, &bob, &[("name", "ben")])
        .await
        .unwrap();
    assert_eq!(ben.others(), [ann.presence().clone()]);
    // Ann saw Ben join.
    let events = ann.presence_events();
    assert!(
        events.iter().any(|e| e.joins == [ben.presence().clone()]),
        "{events:?}"
    );

    ann.send_msg(&FromClient::Move(Position { x: 3, y: 4 }));
    assert!(host.match_tick(&id).await);
    for client in [&ann, &ben] {
        let got = client.received();
        let positions = got
            .iter()
            .find(|r| r.op_code == OP_POSITIONS)
            .expect("positions");
        let FromArena::Positions(p) = positions.msg() else {
            panic!("not positions: {positions:?}");
        };
        assert_eq!(p.players["ann"], Position { x: 3, y: 4 });
        assert_eq!(p.players["ben"], Position::default());
        assert_eq!(positions.sender, None);
    }

    // Nobody moved: no message.
    assert!(host.match_tick(&id).await);
    assert!(ann.received().is_empty());

    // A message the arena does not understand goes back to its sender only.
    ben.send(5, "jump");
    assert!(host.match_tick(&id).await);
    match ben.received()[0].msg() {
        FromArena::Refused { error } => {
            assert_eq!(
                error,
                "op code 5 is not a FromClient message (1 Move, 4 MoveCompact)"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(ann.received().is_empty());

    let m = host.match_get(&id).await.unwrap();
    assert_eq!(m.size, 2);
    assert_eq!(m.label.as_deref(), Some(r#"{"open":false,"players":2}"#));
}

#[tokio::test]
async fn a_compact_move_is_protobuf_bytes() {
    let host = TestHost::new().await;
    let id = arena(&host, 2).await;
    let alice = host.user("alice").await;
    let ann = host
        .match_join(&id, &alice, &[("name", "ann")])
        .await
        .unwrap();
    // What a client's protobuf library writes for Move { x: 3, y: -4 }
    // (sint32: zigzag varints).
    let bytes = vec![0x08, 0x06, 0x10, 0x07];
    assert_eq!(
        FromClient::MoveCompact(Proto(pb::Move { x: 3, y: -4 }))
            .encode()
            .unwrap(),
        bytes
    );
    ann.send(OP_MOVE_COMPACT, bytes);
    assert!(host.match_tick(&id).await);
    let FromArena::Positions(p) = ann.received()[0].msg() else {
        panic!("not positions");
    };
    assert_eq!(p.players["ann"], Position { x: 3, y: -4 });

    // Bytes that are not a Move: refused, saying so.
    ann.send(OP_MOVE_COMPACT, vec![0x08]);
    assert!(host.match_tick(&id).await);
    match ann.received()[0].msg() {
        FromArena::Refused { error } => assert!(
            error == "op code 4 (FromClient::MoveCompact): not a valid Move protobuf message: Move.x: invalid varint",
            "{error}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn joins_are_refused_when_full_or_nameless() {
    let host = TestHost::new().await;
    let id = arena(&host, 2).await;
    let users = [
        host.user("u1").await,
        host.user("u2").await,
        host.user("u3").await,
    ];
    let e = host.match_join(&id, &users[0], &[]).await.unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::PermissionDenied, "name required")
    );
    let _a = host
        .match_join(&id, &users[0], &[("name", "a")])
        .await
        .unwrap();
    let _b = host
        .match_join(&id, &users[1], &[("name", "b")])
        .await
        .unwrap();
    let e = host
        .match_join(&id, &users[2], &[("name", "c")])
        .await
        .unwrap_err();
    assert_eq!(e.message(), "arena is full");
    let e = host
        .match_join(
            "9e0ba8f3-6d51-4a8d-9f47-4b1c2d3e4f50.test",
            &users[2],
            &[("name", "c")],
        )
        .await
        .unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::NotFound, "Match not found"));
}

#[tokio::test]
async fn leaving_frees_the_seat_and_tells_the_others() {
    let host = TestHost::new().await;
    let id = arena(&host, 2).await;
    let (alice, bob) = (host.user("alice").await, host.user("bob").await);
    let ann = host
        .match_join(&id, &alice, &[("name", "ann")])
        .await
        .unwrap();
    let ben = host
        .match_join(&id, &bob, &[("name", "ben")])
        .await
        .unwrap();
    ann.presence_events();
    ben.leave();
    assert!(host.match_tick(&id).await);
    let events = ann.presence_events();
    assert!(
        events.iter().any(|e| e.leaves == [ben.presence().clone()]),
        "{events:?}"
    );
    assert_eq!(host.match_signal(&id, "players").await.unwrap(), "1");
    assert_eq!(host.match_get(&id).await.unwrap().size, 1);
}

#[tokio::test]
async fn a_close_signal_ends_the_match() {
    let host = TestHost::new().await;
    let id = arena(&host, 4).await;
    let alice = host.user("alice").await;
    let ann = host
        .match_join(&id, &alice, &[("name", "ann")])
        .await
        .unwrap();
    // The match ends in the signal, so its reply is lost, as in Nakama.
    let e = host.match_signal(&id, "close").await.unwrap_err();
    assert_eq!(e.message(), "match busy");
    assert!(matches!(ann.received()[0].msg(), FromArena::Closing));
    assert!(host.match_get(&id).await.is_none());
    assert!(!host.match_tick(&id).await);
    let e = host.match_signal(&id, "players").await.unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
}

#[tokio::test]
async fn bad_sizes_are_refused_before_a_match_starts() {
    let host = TestHost::new().await;
    let alice = host.user("alice").await;
    let e = host
        .rpc::<_, _, Created, _>(&alice, arena_create, &CreateArena { max_players: 40 })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    let e = host
        .match_create("nope", serde_json::json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::NotFound);
}

#[tokio::test]
async fn a_joined_player_keeps_the_seat_past_the_reservation() {
    let host = TestHost::new().await;
    let id = arena(&host, 2).await;
    let alice = host.user("alice").await;
    let _ann = host
        .match_join(&id, &alice, &[("name", "ann")])
        .await
        .unwrap();
    for _ in 0..RESERVATION_TICKS + 2 {
        assert!(host.match_tick(&id).await);
    }
    // (A seat whose join never comes is freed: the test host always joins
    // after an accepted attempt, so host/tests/loader.rs checks that.)
    assert_eq!(host.match_signal(&id, "players").await.unwrap(), "1");
}

#[tokio::test]
async fn the_matchmaker_seats_a_group_in_an_arena_sized_for_it() {
    let host = TestHost::new().await;
    let (alice, bob, carol) = (
        host.user("alice").await,
        host.user("bob").await,
        host.user("carol").await,
    );
    let (a, b, c) = (
        host.connect(&alice),
        host.connect(&bob),
        host.connect(&carol),
    );
    let ticket = |skill: f64| MatchmakerAdd::new(3, 3).number("skill", skill);
    let ta = a.matchmaker_add(&ticket(10.0)).unwrap();
    b.matchmaker_add(&ticket(12.0)).unwrap();
    assert!(host.matchmaker_process().await.is_empty(), "two of three");
    c.matchmaker_add(&ticket(11.0)).unwrap();
    let groups = host.matchmaker_process().await;
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].len(), 3);

    let pushed = a.matched();
    assert_eq!(pushed.len(), 1);
    assert_eq!(pushed[0].ticket, ta);
    assert_eq!(
        pushed[0].users[pushed[0].self_index].presence.user_id,
        alice.id()
    );
    let MatchedId::MatchId(id) = &pushed[0].id else {
        panic!("the hook made no match: {pushed:?}");
    };
    for other in [&b, &c] {
        assert_eq!(
            other.matched()[0].id,
            pushed[0].id,
            "one match for the group"
        );
    }
    // An arena with exactly three seats.
    for (user, name) in [(&alice, "ann"), (&bob, "ben"), (&carol, "cat")] {
        host.match_join(id, user, &[("name", name)]).await.unwrap();
    }
    let dave = host.user("dave").await;
    let full = host
        .match_join(id, &dave, &[("name", "dan")])
        .await
        .unwrap_err();
    assert_eq!(full.message(), "arena is full");
}

#[tokio::test]
async fn a_relayed_ticket_gets_a_token_instead_of_a_match() {
    let host = TestHost::new().await;
    let (alice, bob) = (host.user("alice").await, host.user("bob").await);
    let (a, b) = (host.connect(&alice), host.connect(&bob));
    a.matchmaker_add(&MatchmakerAdd::new(2, 2).string("mode", "relayed"))
        .unwrap();
    b.matchmaker_add(&MatchmakerAdd::new(2, 2)).unwrap();
    assert_eq!(host.matchmaker_process().await.len(), 1);
    let (pa, pb) = (a.matched(), b.matched());
    assert!(matches!(pa[0].id, MatchedId::Token(_)), "{pa:?}");
    assert_eq!(pa[0].id, pb[0].id, "one token for the group");
}

#[tokio::test]
async fn a_reload_carries_the_arena_over_with_its_players() {
    let host = TestHost::new().await;
    let id = arena(&host, 2).await;
    let alice = host.user("alice").await;
    let ann = host
        .match_join(&id, &alice, &[("name", "ann")])
        .await
        .unwrap();
    ann.send(OP_MOVE, br#"{"x":3,"y":4}"#);
    assert!(host.match_tick(&id).await);
    ann.received();
    // What `runtime.reload` does with a new build: the state saved as
    // JSON and read back (`keep_state_on_reload` in `init`).
    host.match_reload(&id).await.unwrap();
    ann.send(OP_MOVE, br#"{"x":5,"y":6}"#);
    let bob = host.user("bob").await;
    host.match_join(&id, &bob, &[("name", "ben")])
        .await
        .unwrap();
    assert!(host.match_tick(&id).await);
    let FromArena::Positions(p) = ann.received().pop().unwrap().msg() else {
        panic!("not positions");
    };
    assert_eq!(p.players["ann"], Position { x: 5, y: 6 });
    assert_eq!(p.players["ben"], Position::default());
    assert_eq!(host.match_signal(&id, "players").await.unwrap(), "2");
    let carol = host.user("carol").await;
    let e = host
        .match_join(&id, &carol, &[("name", "cat")])
        .await
        .unwrap_err();
    assert_eq!(e.message(), "arena is full");
}
