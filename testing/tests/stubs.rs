//! `TestHost::stub_nk`: a test answers nk functions the test host cannot
//! (here Satori's flags, or should not reach: an HTTP request), sees what
//! the module sent, and makes calls fail.

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

/// Today's forecast from a weather service, sent by the host.
#[rpc]
async fn forecast(_ctx: &Context, nk: &Nakama, city: String) -> Result<String, Error> {
    let answer = nk
        .http_request(
            &nk::HttpRequestArgs::new("get", format!("https://weather.example/today?city={city}"))
                .header("Accept", "text/plain"),
        )
        .await?;
    if answer.code != 200 {
        return Err(Error::new(Code::Unavailable, "no forecast today"));
    }
    Ok(String::from_utf8_lossy(&answer.body).into_owned())
}

#[tokio::test]
async fn http_requests_are_stubbed_like_any_nk_function() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    host.stub_nk::<nk::HttpRequest>(|a| {
        Ok(nk::HttpRequestAnswer {
            code: if a.url.ends_with("city=oslo") {
                200
            } else {
                404
            },
            body: b"snow".to_vec(),
            ..Default::default()
        })
    });
    let sky: String = host.rpc(&ann, forecast, &"oslo".to_string()).await.unwrap();
    assert_eq!(sky, "snow");
    let err = host
        .rpc(&ann, forecast, &"atlantis".to_string())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    let calls = host.stubbed_calls::<nk::HttpRequest>();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].method, "get");
    assert_eq!(calls[0].headers["Accept"], "text/plain");
}
