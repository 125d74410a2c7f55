//! `TestHost::stub_nk`: a test answers nk functions the test host cannot
//! (here Satori's flags), sees what the module sent, and makes calls fail.

use nakama_runtime::{nk, rpc, Code, Context, Error, Nakama};
use nakama_test_host::TestHost;

/// The shop layout Satori's `shop_layout` flag names for the caller
/// ("classic" without one).
#[rpc]
async fn shop_layout(ctx: &Context, nk: &Nakama, _p: String) -> Result<String, Error> {
    let player = ctx.user_id().unwrap_or_default();
    let flags = nk
        .satori()
        .flags_list(player, &["shop_layout"], &[])
        .await?;
    Ok(flags
        .into_iter()
        .find(|f| f.name == "shop_layout")
        .map(|f| f.value)
        .unwrap_or_else(|| "classic".into()))
}

fn flag(name: &str, value: &str) -> nk::SatoriFlag {
    nk::SatoriFlag {
        name: name.into(),
        value: value.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn without_a_stub_satori_is_not_configured() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    let err = host
        .rpc(&ann, shop_layout, &String::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    assert_eq!(err.message(), "satori configuration is invalid");
}

#[tokio::test]
async fn a_stub_answers_the_module_and_keeps_its_arguments() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    host.stub_nk::<nk::SatoriFlagsList>(|_| {
        Ok(nk::SatoriFlagList {
            flags: vec![flag("other", "x"), flag("shop_layout", "grid")],
        })
    });
    let layout: String = host.rpc(&ann, shop_layout, &String::new()).await.unwrap();
    assert_eq!(layout, "grid");
    let calls = host.stubbed_calls::<nk::SatoriFlagsList>();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].id, ann.id());
    assert_eq!(calls[0].names, ["shop_layout"]);
    // Other functions keep the test host's own answers.
    assert!(host.stubbed_calls::<nk::StorageRead>().is_empty());

    // A later stub replaces it: here Satori failing.
    host.stub_nk::<nk::SatoriFlagsList>(|_| Err(Error::new(Code::Unavailable, "satori is down")));
    let err = host
        .rpc(&ann, shop_layout, &String::new())
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.message()),
        (Code::Unavailable, "satori is down")
    );
    assert_eq!(host.stubbed_calls::<nk::SatoriFlagsList>().len(), 2);
}

#[tokio::test]
async fn a_panicking_stub_fails_the_call_naming_the_function() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    host.stub_nk::<nk::SatoriFlagsList>(|_| panic!("no flags today"));
    let err = host
        .rpc(&ann, shop_layout, &String::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Internal);
    assert_eq!(
        err.message(),
        "the test's stub of nk function satori_flags_list panicked: no flags today"
    );
    // The host goes on serving.
    host.stub_nk::<nk::SatoriFlagsList>(|_| Ok(nk::SatoriFlagList::default()));
    let layout: String = host.rpc(&ann, shop_layout, &String::new()).await.unwrap();
    assert_eq!(layout, "classic");
}
