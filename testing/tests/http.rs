//! Custom HTTP handlers and the shutdown hook under TestHost: `host.http`
//! and `host.console_http` route a request as the dev host does on its
//! client and console ports, `host.shutdown()` runs the hook.

use std::sync::Mutex;

use nakama_runtime::{
    init_module, Code, Context, Error, HttpRequest, HttpResponse, Initializer, Nakama,
};
use nakama_test_host::TestHost;

async fn first(_ctx: &Context, _nk: &Nakama, req: HttpRequest) -> Result<HttpResponse, Error> {
    let who = req.var("who").unwrap_or_default().to_string();
    Ok(HttpResponse::new(200).with_body(format!("first {who}")))
}

async fn second(ctx: &Context, _nk: &Nakama, req: HttpRequest) -> Result<HttpResponse, Error> {
    let body = format!("second {} {}", req.method, ctx.execution_mode());
    Ok(HttpResponse::new(202).with_body(body))
}

async fn refused(_ctx: &Context, _nk: &Nakama, _req: HttpRequest) -> Result<HttpResponse, Error> {
    Err(Error::new(Code::ResourceExhausted, "slow down"))
}

/// What the shutdown hooks ran, and with which mode.
static SHUTDOWNS: Mutex<Vec<String>> = Mutex::new(Vec::new());

async fn replaced(_ctx: &Context, _nk: &Nakama) -> Result<(), Error> {
    SHUTDOWNS.lock().unwrap().push("replaced".into());
    Ok(())
}

async fn last(ctx: &Context, _nk: &Nakama) -> Result<(), Error> {
    SHUTDOWNS
        .lock()
        .unwrap()
        .push(ctx.execution_mode().to_string());
    Err(Error::new(Code::Aborted, "not now"))
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    // Both match GET /hello/{who}: the first registered answers; the second
    // takes the methods the first does not.
    init.register_http("/hello/{who}", &["GET"], first);
    init.register_http("/hello/{who}", &[], second);
    init.register_http("/busy", &[], refused);
    init.register_console_http("/admin/{who}", &["POST"], first);
    init.register_shutdown(replaced);
    init.register_shutdown(last);
    Ok(())
}

#[tokio::test]
async fn the_first_matching_handler_answers() {
    let host = TestHost::new().await;
    let r = host.http("GET", "/hello/ann", &[], "").await;
    assert_eq!((r.status, r.body), (200, b"first ann".to_vec()));
    let r = host.http("DELETE", "/hello/ann", &[], "").await;
    assert_eq!((r.status, r.body), (202, b"second DELETE http".to_vec()));
    let r = host.http("GET", "/hello/ann/more", &[], "").await;
    assert_eq!(r.status, 404);
    let r = host.http("POST", "/busy?x=1", &[], "").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.body, br#"{"code":8,"message":"slow down"}"#);
}

#[tokio::test]
async fn console_handlers_answer_on_the_console_port_only() {
    let host = TestHost::new().await;
    let r = host.console_http("POST", "/admin/bo", &[], "").await;
    assert_eq!((r.status, r.body), (200, b"first bo".to_vec()));
    let r = host.http("POST", "/admin/bo", &[], "").await;
    assert_eq!(r.status, 404);
    let r = host.console_http("GET", "/hello/ann", &[], "").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn the_last_shutdown_hook_registered_runs_with_its_mode() {
    let host = TestHost::new().await;
    let err = host.shutdown().await.unwrap_err();
    assert_eq!(err.code(), Code::Aborted);
    assert_eq!(*SHUTDOWNS.lock().unwrap(), ["shutdown"]);
}
