//! The hello module under `cargo test`, in-process.
//!
//! In-process, the module's handlers are collected from the test binary, so
//! the test must use something of the module crate (here `hello::hello`):
//! an unused crate is not linked in.

use nakama_test_host::{Call, TestHost};

#[tokio::test]
async fn greets_the_caller_and_logs_at_init() {
    let host = TestHost::new().await;
    assert!(
        host.logs().iter().any(|l| l.message == "Hello World!"),
        "{:?}",
        host.logs()
    );
    let ann = host.user("ann").await;
    // By handler: raw `String` payload and result, typed.
    let out: String = host.rpc(&ann, hello::hello, &String::new()).await.unwrap();
    assert_eq!(out, "Hello, ann!");
    let out = host.rpc_id(None, "hello", b"bob".to_vec()).await.unwrap();
    assert_eq!(out, b"Hello, bob!");
}

#[tokio::test]
async fn headers_query_params_and_vars_reach_the_context() {
    let host = TestHost::new().await;
    let ann = host.user("ann").await;
    let call = Call::user(&ann)
        .header("X-Client", "tests")
        .query("region", "eu")
        .var("tier", "gold");
    let out = host.rpc_call(&call, "whoami", Vec::new()).await.unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "user=ann client=tests region=eu tier=gold mode=rpc"
    );
    let out = host
        .rpc_call(&Call::http_key(), "whoami", Vec::new())
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "user=- client=- region=- tier=- mode=rpc"
    );
}
