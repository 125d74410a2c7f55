//! `host.nk()`: every nk function the dev host serves, as fixtures a test
//! sets up before calling the module, and to look at what it did.

use nakama_runtime::{nk, rpc, Context, Error, Nakama};
use nakama_test_host::TestHost;
use serde_json::Map;

/// The usernames of the caller's friends (state 0).
#[rpc]
async fn my_friends(ctx: &Context, nk: &Nakama, _payload: String) -> Result<Vec<String>, Error> {
    let me = ctx.user_id().unwrap_or_default();
    let page = nk.friends_list(me, 100, Some(0), None).await?;
    Ok(page
        .friends
        .into_iter()
        .filter_map(|f| f.user.map(|u| u.username))
        .collect())
}

/// Creates a group owned by the caller.
#[rpc]
async fn found_group(ctx: &Context, nk: &Nakama, name: String) -> Result<String, Error> {
    let me = ctx.user_id().unwrap_or_default().to_string();
    let group = nk
        .group_create(&nk::GroupCreateArgs {
            user_id: me.clone(),
            creator_id: me,
            name,
            open: true,
            max_count: 10,
            ..Default::default()
        })
        .await?;
    Ok(group.id)
}

#[tokio::test]
async fn friendships_made_through_host_nk_are_the_modules_to_read() {
    let host = TestHost::new().await;
    let (ann, bob) = (host.user("ann").await, host.user("bob").await);
    // An invite, then its accept: friends both ways.
    host.nk()
        .friends_add(ann.id(), "ann", &[bob.id()], &[], Map::new())
        .await
        .unwrap();
    host.nk()
        .friends_add(bob.id(), "bob", &[ann.id()], &[], Map::new())
        .await
        .unwrap();
    let friends: Vec<String> = host.rpc(&ann, my_friends, &String::new()).await.unwrap();
    assert_eq!(friends, ["bob"]);
}

#[tokio::test]
async fn what_the_module_made_is_visible_through_host_nk() {
    let host = TestHost::new().await;
    let cid = host.user("cid").await;
    let id: String = host
        .rpc(&cid, found_group, &"tinkers".to_string())
        .await
        .unwrap();
    let groups = host.nk().groups_get_id(&[id.as_str()]).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (groups[0].name.as_str(), groups[0].creator_id.as_str()),
        ("tinkers", cid.id())
    );
}
