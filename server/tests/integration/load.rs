//! A bounded load: concurrent clients authenticate, call RPCs and write
//! storage objects with unique keys; afterwards every object is read back
//! and counted: nothing lost, nothing duplicated.
//!
//! Small by default (8 clients x 40 writes); `scripts/load-test.sh` runs the
//! same test larger through LOAD_CLIENTS / LOAD_WRITES.

use crate::common::Server;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn concurrent_writes_are_all_read_back_once() {
    let clients = env_or("LOAD_CLIENTS", 8);
    let writes = env_or("LOAD_WRITES", 40);
    let server = Server::start(&["golden-module"], &["--logger.level", "error"]);
    let server = &server;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                s.spawn(move || {
                    let id = format!("cid-{:06}", 100_000 + c);
                    let auth = server
                        .request(
                            "POST",
                            "/v2/account/authenticate/custom",
                            &[("Authorization", "Basic ZGVmYXVsdGtleTo=")],
                            Some(format!("{{\"id\":\"{id}\"}}").as_bytes()),
                        )
                        .unwrap();
                    assert_eq!(auth.status, 200, "{}", auth.text());
                    let token = auth.json()["token"].as_str().unwrap().to_string();
                    let bearer = format!("Bearer {token}");
                    for w in 0..writes {
                        let body = format!(
                            "{{\"objects\":[{{\"collection\":\"load\",\"key\":\"k{w}\",\"value\":\"{{\\\"c\\\":{c},\\\"w\\\":{w}}}\"}}]}}"
                        );
                        let r = server
                            .request("PUT", "/v2/storage", &[("Authorization", &bearer)], Some(body.as_bytes()))
                            .unwrap();
                        assert_eq!(r.status, 200, "{}", r.text());
                        let r = server
                            .request(
                                "POST",
                                "/v2/rpc/echo?unwrap",
                                &[("Authorization", &bearer)],
                                Some(format!("{c}-{w}").as_bytes()),
                            )
                            .unwrap();
                        assert_eq!(r.text(), format!("{c}-{w}"));
                    }
                    bearer
                })
            })
            .collect();
        let bearers: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        // Read everything back, page by page, as each owner.
        let mut total = 0;
        for (c, bearer) in bearers.iter().enumerate() {
            let claims = bearer.split('.').nth(1).unwrap();
            let uid = {
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(claims)
                    .unwrap();
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                v["uid"].as_str().unwrap().to_string()
            };
            let mut seen = std::collections::BTreeSet::new();
            let mut cursor = String::new();
            loop {
                let path = format!("/v2/storage/load?user_id={uid}&limit=100&cursor={cursor}");
                let r = server
                    .request("GET", &path, &[("Authorization", bearer)], None)
                    .unwrap();
                assert_eq!(r.status, 200, "{}", r.text());
                let j = r.json();
                for o in j["objects"].as_array().cloned().unwrap_or_default() {
                    let v: serde_json::Value =
                        serde_json::from_str(o["value"].as_str().unwrap()).unwrap();
                    assert_eq!(v["c"], c, "an object of another client");
                    assert!(seen.insert(v["w"].as_u64().unwrap()), "duplicate {v}");
                }
                match j["cursor"].as_str() {
                    Some(next) if !next.is_empty() => cursor = next.to_string(),
                    _ => break,
                }
            }
            assert_eq!(seen.len(), writes, "client {c} lost writes");
            total += seen.len();
        }
        assert_eq!(total, clients * writes);
    });
}
