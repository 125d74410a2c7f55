//! The dev host's match registry, driven tick by tick through the test
//! host: ordering of deferred messages, kicks, a handler's panic and stop,
//! the joining user's context, typed signals with their caller, and a
//! state carried over a reload through its migration.
//! (`examples/arena/tests` covers the common path.)

use nakama_runtime::matches::{MatchSignal, Message, Signal};
use nakama_runtime::prelude::*;
use nakama_test_host::TestHost;

struct Referee;

const KICK_ME: i64 = 7;
const PANIC: i64 = 8;
const STOP: i64 = 9;

impl Match for Referee {
    async fn init(_ctx: &Context, _nk: &Nakama, _p: MatchParams) -> Result<MatchInit<Self>, Error> {
        Ok(MatchInit::new(Referee, 10).label("ref"))
    }

    async fn join_attempt(
        &mut self,
        ctx: &Context,
        _nk: &Nakama,
        _d: &mut Dispatcher,
        presence: &Presence,
        _metadata: &std::collections::HashMap<String, String>,
    ) -> JoinDecision {
        let seen = (ctx.execution_mode(), ctx.user_id(), ctx.session_id());
        if seen
            == (
                "match",
                Some(presence.user_id.as_str()),
                Some(presence.session_id.as_str()),
            )
        {
            JoinDecision::Accept
        } else {
            JoinDecision::Reject(format!("context {seen:?}"))
        }
    }

    async fn join(&mut self, _ctx: &Context, _nk: &Nakama, d: &mut Dispatcher, _p: &[Presence]) {
        d.send(Message {
            op_code: 2,
            data: b"deferred".to_vec(),
            deferred: true,
            ..Message::default()
        })
        .unwrap();
        d.broadcast(1, "immediate").unwrap();
    }

    async fn leave(&mut self, _ctx: &Context, _nk: &Nakama, d: &mut Dispatcher, left: &[Presence]) {
        // `name:reason`, the reason as Nakama's number.
        let names: Vec<String> = left
            .iter()
            .map(|p| format!("{}:{}", p.username, p.reason.as_u8()))
            .collect();
        d.broadcast(3, names.join(",")).unwrap();
    }

    async fn terminate(&mut self, _ctx: &Context, _nk: &Nakama, d: &mut Dispatcher, grace: i64) {
        d.broadcast(Referee::TERMINATING, grace.to_string())
            .unwrap();
    }

    async fn signal(
        &mut self,
        _ctx: &Context,
        _nk: &Nakama,
        _d: &mut Dispatcher,
        data: String,
    ) -> String {
        Signal::<WhoAsks>::answer(&data, async |s| match s.caller {
            Some(c) => Ok(format!("{} ({})", c.username, c.user_id)),
            None => Err(Error::permission_denied("users only")),
        })
        .await
    }

    async fn tick(
        &mut self,
        _ctx: &Context,
        _nk: &Nakama,
        d: &mut Dispatcher,
        messages: Vec<MatchData>,
    ) {
        for m in messages {
            match m.op_code {
                KICK_ME => d.kick(std::slice::from_ref(&m.presence)).unwrap(),
                PANIC => panic!("the referee lost it"),
                STOP => d.stop(),
                _ => {}
            }
        }
    }
}

impl Referee {
    const TERMINATING: i64 = 4;
}

/// Asks the referee who is asking; only users may.
#[derive(serde::Serialize, serde::Deserialize)]
struct WhoAsks;

impl MatchSignal for WhoAsks {
    type Reply = String;
}

/// A match that counts its ticks and keeps the count across reloads; the
/// build before this one counted `turns`.
#[derive(serde::Serialize, serde::Deserialize)]
struct Counter {
    ticks: u64,
}

#[derive(serde::Deserialize)]
struct CounterV1 {
    turns: u64,
}

impl Match for Counter {
    async fn init(_ctx: &Context, _nk: &Nakama, _p: MatchParams) -> Result<MatchInit<Self>, Error> {
        Ok(MatchInit::new(Counter { ticks: 0 }, 10))
    }

    async fn tick(&mut self, _: &Context, _: &Nakama, _: &mut Dispatcher, _: Vec<MatchData>) {
        self.ticks += 1;
    }

    async fn signal(&mut self, _: &Context, _: &Nakama, _: &mut Dispatcher, _: String) -> String {
        self.ticks.to_string()
    }
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_match::<Referee>("referee");
    init.register_match::<Counter>("counter")
        .keep_state_on_reload()
        .migrate_from(|old: CounterV1| {
            if old.turns > 1000 {
                return Err(Error::new(Code::OutOfRange, "too many turns to carry over"));
            }
            assert_ne!(old.turns, 13, "a migration that panics");
            Ok(Counter { ticks: old.turns })
        });
    Ok(())
}

async fn started() -> (TestHost, String) {
    let host = TestHost::new().await;
    let id = host
        .match_create("referee", serde_json::json!({}))
        .await
        .unwrap();
    (host, id)
}

#[tokio::test]
async fn deferred_messages_go_after_the_others_and_joins_see_their_own_context() {
    let (host, id) = started().await;
    let alice = host.user("alice").await;
    let ann = host.match_join(&id, &alice, &[]).await.unwrap();
    let ops: Vec<i64> = ann.received().iter().map(|r| r.op_code).collect();
    assert_eq!(ops, [1, 2]);
}

#[tokio::test]
async fn a_kicked_presence_leaves_and_the_others_are_told() {
    let (host, id) = started().await;
    let (alice, bob) = (host.user("alice").await, host.user("bob").await);
    let ann = host.match_join(&id, &alice, &[]).await.unwrap();
    let ben = host.match_join(&id, &bob, &[]).await.unwrap();
    ann.received();
    ben.send(KICK_ME, "");
    assert!(host.match_tick(&id).await);
    let got = ann.received();
    assert_eq!(
        got.last().map(|r| (r.op_code, r.data.as_slice())),
        Some((3, &b"bob:3"[..])),
        "a kick is a Leave"
    );
    assert_eq!(host.match_get(&id).await.unwrap().size, 1);
    // Ben is out: his messages no longer reach the match.
    ben.send(STOP, "");
    assert!(host.match_tick(&id).await);
    assert!(host.match_get(&id).await.is_some());
}

#[tokio::test]
async fn a_leave_is_a_leave_and_a_closed_socket_a_disconnect() {
    let (host, id) = started().await;
    let (alice, bob, carol) = (
        host.user("alice").await,
        host.user("bob").await,
        host.user("carol").await,
    );
    let ann = host.match_join(&id, &alice, &[]).await.unwrap();
    let ben = host.match_join(&id, &bob, &[]).await.unwrap();
    let cy = host.match_join(&id, &carol, &[]).await.unwrap();
    ann.received();
    ben.leave();
    cy.disconnect();
    assert!(host.match_tick(&id).await);
    let told: Vec<Vec<u8>> = ann
        .received()
        .into_iter()
        .filter(|r| r.op_code == 3)
        .map(|r| r.data)
        .collect();
    assert_eq!(told, [b"bob:3".to_vec(), b"carol:4".to_vec()]);
}

#[tokio::test]
async fn a_panicking_handler_ends_its_match_and_the_host_goes_on() {
    let (host, id) = started().await;
    let alice = host.user("alice").await;
    let ann = host.match_join(&id, &alice, &[]).await.unwrap();
    ann.send(PANIC, "");
    host.match_tick(&id).await;
    assert!(host.match_get(&id).await.is_none());
    assert!(!host.match_tick(&id).await);
    // Another match of the same handler runs as before.
    let other = host
        .match_create("referee", serde_json::json!({}))
        .await
        .unwrap();
    assert!(host.match_tick(&other).await);
}

#[tokio::test]
async fn stopping_in_a_tick_ends_the_match_after_it() {
    let (host, id) = started().await;
    let alice = host.user("alice").await;
    let ann = host.match_join(&id, &alice, &[]).await.unwrap();
    ann.send(STOP, "");
    assert!(host.match_tick(&id).await);
    assert!(host.match_get(&id).await.is_none());
    let e = host.match_join(&id, &alice, &[]).await.unwrap_err();
    assert_eq!(e.message(), "Match not found");
}

#[tokio::test]
async fn terminate_runs_when_asked_and_the_match_goes_on() {
    let (host, id) = started().await;
    let alice = host.user("alice").await;
    let ann = host.match_join(&id, &alice, &[]).await.unwrap();
    ann.received();
    assert!(host.match_terminate(&id, 7).await);
    let got = ann.received();
    assert_eq!(
        got.iter()
            .map(|r| (r.op_code, r.data.as_slice()))
            .collect::<Vec<_>>(),
        [(Referee::TERMINATING, &b"7"[..])]
    );
    assert!(
        host.match_tick(&id).await,
        "it runs until it stops or the host does"
    );
    assert!(
        !host
            .match_terminate("9e0ba8f3-6d51-4a8d-9f47-4b1c2d3e4f50.test", 1)
            .await
    );
}

#[tokio::test]
async fn a_typed_signal_carries_its_caller_and_the_reply_or_error_comes_back() {
    use nakama_test_host::Call;
    let (host, id) = started().await;
    let alice = host.user("alice").await;
    let reply = host
        .match_signal_typed(&Call::user(&alice), &id, &WhoAsks)
        .await
        .unwrap();
    assert_eq!(reply, format!("alice ({})", alice.id()));
    let e = host
        .match_signal_typed(&Call::default(), &id, &WhoAsks)
        .await
        .unwrap_err();
    assert_eq!(
        (e.code(), e.message()),
        (Code::PermissionDenied, "users only")
    );
    // Plain match_signal data is not a WhoAsks: the match says so, typed.
    let raw = host.match_signal(&id, "who?").await.unwrap();
    assert!(
        raw.starts_with(r#"{"error":{"code":3,"message":"the signal is not a typed "#),
        "{raw}"
    );
}

#[tokio::test]
async fn a_reload_leaves_a_match_that_does_not_keep_its_state_as_it_was() {
    let (host, id) = started().await;
    let e = host.match_reload(&id).await.unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(
        e.message().ends_with(
            "does not keep its state across reloads (register it with .keep_state_on_reload())"
        ),
        "{e}"
    );
    assert!(host.match_tick(&id).await, "it goes on");
    let e = host
        .match_reload("9e0ba8f3-6d51-4a8d-9f47-4b1c2d3e4f50.test")
        .await
        .unwrap_err();
    assert_eq!((e.code(), e.message()), (Code::NotFound, "match not found"));
}

#[tokio::test]
async fn an_older_builds_state_reads_through_the_handlers_migration() {
    let host = TestHost::new().await;
    let id = host
        .match_create("counter", serde_json::json!({}))
        .await
        .unwrap();
    assert!(host.match_tick(&id).await);
    assert_eq!(host.match_signal(&id, "").await.unwrap(), "1");
    // Its own state reads as it is; v1's through migrate_from.
    host.match_reload(&id).await.unwrap();
    assert_eq!(host.match_signal(&id, "").await.unwrap(), "1");
    host.match_reload_from(&id, &serde_json::json!({"turns": 40}))
        .await
        .unwrap();
    assert!(host.match_tick(&id).await);
    assert_eq!(host.match_signal(&id, "").await.unwrap(), "41");

    // A state nothing reads, and one the migration refuses: the match
    // keeps the state it had, and the error says why.
    let e = host
        .match_reload_from(&id, &serde_json::json!({"rounds": 2}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(
        e.message().contains("missing field `ticks`")
            && e.message().contains("; nor as ")
            && e.message()
                .ends_with("CounterV1: missing field `turns` at line 1 column 12"),
        "{e}"
    );
    let e = host
        .match_reload_from(&id, &serde_json::json!({"turns": 5000}))
        .await
        .unwrap_err();
    assert!(
        e.message()
            .ends_with("CounterV1 but migrate_from refused it: too many turns to carry over"),
        "{e}"
    );
    // A migration that panics is one more reason to stay.
    let e = host
        .match_reload_from(&id, &serde_json::json!({"turns": 13}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Code::FailedPrecondition);
    assert!(e.message().contains("a migration that panics"), "{e}");
    assert_eq!(host.match_signal(&id, "").await.unwrap(), "41");
    assert!(host.match_tick(&id).await);
    assert_eq!(host.match_signal(&id, "").await.unwrap(), "42");
}
