//! Handlers registered by `#[init_module]` (not declared with attributes)
//! are called like declared ones, in every host of the process: each host
//! runs init again and appends its own rows to the module's handler table.

use std::sync::atomic::{AtomicU32, Ordering};

use nakama_runtime::{init_module, rpc, Context, Error, Initializer, Nakama};
use nakama_test_host::TestHost;

static INITS: AtomicU32 = AtomicU32::new(0);

#[rpc]
async fn declared(_ctx: &Context, _nk: &Nakama, payload: String) -> Result<String, Error> {
    Ok(format!("declared {payload}"))
}

#[init_module]
async fn init(_ctx: &Context, _nk: &Nakama, init: &mut Initializer) -> Result<(), Error> {
    let n = INITS.fetch_add(1, Ordering::SeqCst) + 1;
    for mode in ["solo", "duo"] {
        init.register_rpc(
            format!("start_{mode}"),
            move |_ctx: &Context, _nk: &Nakama, payload: String| async move {
                Ok::<_, Error>(format!("{mode} {payload} (init {n})"))
            },
        );
    }
    Ok(())
}

#[tokio::test]
async fn every_host_calls_the_handlers_its_init_registered() {
    for round in 1..=3 {
        let host = TestHost::new().await;
        let start = |id: &'static str| {
            let host = &host;
            async move { String::from_utf8(host.rpc_id(None, id, "go").await.unwrap()).unwrap() }
        };
        let init = INITS.load(Ordering::SeqCst);
        assert!(init >= round, "init ran {init} times for {round} hosts");
        assert_eq!(start("start_solo").await, format!("solo go (init {init})"));
        assert_eq!(start("START_DUO").await, format!("duo go (init {init})"));
        assert_eq!(start("declared").await, "declared go");
    }
}
