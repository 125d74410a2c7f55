//! Notifications a module sends reach the user's open sockets
//! ([`TestHost::connect`]), persistent or not; only persistent ones are
//! stored.

use nakama_runtime::nk;
use nakama_runtime::prelude::*;
use nakama_test_host::TestHost;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Ping {
    persistent: bool,
}

#[rpc]
async fn ping_me(ctx: &Context, nk: &Nakama, req: Ping) -> Result<(), Error> {
    let user_id = ctx.user_id().ok_or(Error::invalid_argument("no user"))?;
    nk.call::<nk::NotificationSend>(&nk::NotificationSendArgs {
        user_id: user_id.to_string(),
        subject: "ping".into(),
        code: 101,
        persistent: req.persistent,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn an_open_socket_gets_every_notification_and_only_persistent_ones_are_kept() {
    let host = TestHost::new().await;
    let alice = host.user("alice").await;
    let socket = host.connect(&alice);
    host.rpc(&alice, ping_me, &Ping { persistent: false })
        .await
        .unwrap();
    let pushed = socket.notifications();
    assert_eq!(pushed.len(), 1);
    assert_eq!(
        (pushed[0].subject.as_str(), pushed[0].persistent),
        ("ping", false)
    );
    assert!(host.notifications(&alice).await.is_empty());

    host.rpc(&alice, ping_me, &Ping { persistent: true })
        .await
        .unwrap();
    assert!(socket.notifications()[0].persistent);
    assert_eq!(host.notifications(&alice).await.len(), 1);

    // A closed socket gets nothing.
    drop(socket);
    let later = host.connect(&alice);
    drop(later);
    host.rpc(&alice, ping_me, &Ping { persistent: false })
        .await
        .unwrap();
    assert_eq!(host.notifications(&alice).await.len(), 1);
}
