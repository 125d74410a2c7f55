//! Chat messages a module sends (`nk.channel_message_send`) reach the
//! sockets in the room (`Connection::join_room`); a socket elsewhere gets
//! none.

use nakama_runtime::prelude::*;
use nakama_test_host::TestHost;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Announce {
    channel_id: String,
    text: String,
}

/// Posts `text` to a channel as the system, kept in its history.
#[rpc]
async fn announce(_ctx: &Context, nk: &Nakama, req: Announce) -> Result<String, Error> {
    let mut content = serde_json::Map::new();
    content.insert("text".into(), req.text.into());
    let ack = nk
        .channel_message_send(&req.channel_id, content, None, "herald", true)
        .await?;
    Ok(ack.message_id)
}

#[tokio::test]
async fn a_modules_message_reaches_the_sockets_in_the_room() {
    let host = TestHost::new().await;
    let (ann, ben, cat) = (
        host.user("ann").await,
        host.user("ben").await,
        host.user("cat").await,
    );
    let (a, b, c) = (host.connect(&ann), host.connect(&ben), host.connect(&cat));
    let lobby = a.join_room("lobby").await.unwrap();
    assert_eq!(lobby, "2...lobby");
    assert_eq!(b.join_room("lobby").await.unwrap(), lobby);
    c.join_room("elsewhere").await.unwrap();

    let req = Announce {
        channel_id: lobby.clone(),
        text: "welcome".into(),
    };
    let id: String = host.rpc(&ann, announce, &req).await.unwrap();
    for socket in [&a, &b] {
        let got = socket.channel_messages();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].message_id, id);
        assert_eq!(got[0].content, r#"{"text":"welcome"}"#);
        assert_eq!(got[0].username, "herald");
        assert_eq!(got[0].persistent, Some(true));
    }
    assert!(c.channel_messages().is_empty());
    // Asked for once: the next call has only what came since.
    assert!(a.channel_messages().is_empty());

    // Another socket closing (and leaving the room) stops nothing.
    drop(b);
    host.rpc::<_, _, String, _>(&ann, announce, &req)
        .await
        .unwrap();
    assert_eq!(a.channel_messages().len(), 1);

    // Rooms are named as Nakama names them.
    let err = a.join_room(&"r".repeat(65)).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("1-64 chars"), "{}", err.message());
}
