//! Event handlers under TestHost: a client's event runs them at once
//! (`host.event`), with its context; what a module publishes with
//! `nk.event` and a socket's start and end are queued, as on a server, and
//! `host.settle_events()` waits for them.

use std::sync::Mutex;

use nakama_runtime::{api, init_module, rpc, Code, Context, Error, Initializer, Nakama};
use nakama_test_host::{Call, TestHost};

/// What the handlers saw: (handler, event name, mode, user id, session
/// id, external, properties' reason).
type Seen = (
    &'static str,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    Option<String>,
);

static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

fn seen(handler: &'static str, ctx: &Context, evt: &api::Event) {
    SEEN.lock().unwrap().push((
        handler,
        evt.name.clone(),
        ctx.execution_mode().to_string(),
        ctx.user_id().map(str::to_string),
        ctx.session_id().map(str::to_string),
        evt.external,
        evt.properties.get("reason").cloned(),
    ));
}

/// The events of this test's user (tests run in parallel).
fn seen_by(user: &str) -> Vec<Seen> {
    SEEN.lock()
        .unwrap()
        .iter()
        .filter(|s| s.3.as_deref() == Some(user) || s.1.ends_with(user))
        .cloned()
        .collect()
}

async fn on_event(ctx: &Context, _nk: &Nakama, evt: api::Event) -> Result<(), Error> {
    if evt.name.starts_with("fail") {
        return Err(Error::new(Code::FailedPrecondition, "not this one"));
    }
    seen("event", ctx, &evt);
    Ok(())
}

async fn on_start(ctx: &Context, _nk: &Nakama, evt: api::Event) -> Result<(), Error> {
    seen("start", ctx, &evt);
    Ok(())
}

async fn on_end(ctx: &Context, _nk: &Nakama, evt: api::Event) -> Result<(), Error> {
    seen("end", ctx, &evt);
    Ok(())
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    init.register_event(on_event);
    init.register_event_session_start(on_start);
    init.register_event_session_end(on_end);
    Ok(())
}

/// Publishes an event named after the payload.
#[rpc]
async fn publish(_ctx: &Context, nk: &Nakama, name: String) -> Result<(), Error> {
    nk.event(&api::Event {
        name,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn a_clients_event_runs_the_handlers_now_with_its_context() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    let evt = api::Event {
        name: "level_up".into(),
        ..Default::default()
    };
    host.event(&Call::user(&ann), evt).await.unwrap();
    assert_eq!(
        seen_by(ann.id()),
        [(
            "event",
            "level_up".to_string(),
            "event".to_string(),
            Some(ann.id().to_string()),
            None,
            true,
            None
        )]
    );
    let failing = api::Event {
        name: "fail".into(),
        ..Default::default()
    };
    let err = host.event(&Call::user(&ann), failing).await.unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::FailedPrecondition, "not this one")
    );
}

#[tokio::test]
async fn published_and_session_events_are_queued_until_settled() {
    let host = TestHost::new().await;
    let bea = host.user("bea").await;
    let name = format!("published-by-{}", bea.id());
    host.rpc_id(Some(&bea), "publish", name.clone())
        .await
        .unwrap();
    let socket = host.connect(&bea);
    let session = socket.session_id().to_string();
    drop(socket);
    host.settle_events().await;
    let mut got = seen_by(bea.id());
    got.sort();
    let user = Some(bea.id().to_string());
    assert_eq!(
        got,
        [
            (
                "end",
                "session_end".into(),
                "event".into(),
                user.clone(),
                Some(session.clone()),
                false,
                Some(String::new())
            ),
            // The publisher's context, as the dev host and Nakama give it.
            (
                "event",
                name,
                "event".into(),
                user.clone(),
                None,
                false,
                None
            ),
            (
                "start",
                "session_start".into(),
                "event".into(),
                user,
                Some(session),
                false,
                None
            ),
        ]
    );
}
