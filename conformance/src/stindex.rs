//! Storage search indexes (ABI 1.9) through fixture-nk's `fx_items`
//! indexes (`fixtures/fixture-nk/src/stindex.rs`): queries (term, numeric
//! range, must and must-not), order, limit and cursor, read permissions,
//! the filter keeping objects out, client and module writes and deletes,
//! an index-only index, and the errors, the same on both hosts.

use serde_json::{json, Value};

use crate::http::request;
use crate::nk::call;
use crate::realtime::User;

/// `storage_index_list` through `nk_stindex_list` with `req`'s fields.
fn list(port: u16, req: Value) -> Value {
    let (status, out) = call(port, "nk_stindex_list", &req.to_string());
    assert_eq!(status, 200, "{out}");
    out
}

/// The keys a listing answered, without the run's prefix.
fn keys(out: &Value, run: &str) -> Vec<String> {
    out["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {out}"))
        .iter()
        .map(|k| {
            k.as_str()
                .unwrap()
                .trim_start_matches(&format!("{run}-"))
                .to_string()
        })
        .collect()
}

fn write(port: u16, body: Value) {
    let (status, out) = call(port, "nk_stindex_write", &body.to_string());
    assert_eq!(status, 200, "{out}");
}

/// The whole check, on the host on 127.0.0.1:`port` serving fixture-nk.
pub fn check_storage_indexes(port: u16) {
    let run = crate::run_suffix();
    let alice = User::new(port, &format!("stindex-a-{run}"), "");
    let bob = User::new(port, &format!("stindex-b-{run}"), "");
    let (alice, bob_token, bob) = (alice.user_id, bob.token, bob.user_id);
    let object = |key: &str, owner: &str, read: i32, value: Value| {
        json!({
            "collection": "fx_items",
            "key": format!("{run}-{key}"),
            "user_id": owner,
            "value": value.to_string(),
            "permission_read": read,
            "permission_write": 1,
        })
    };
    let mine = format!("+value.run:{run}");
    write(
        port,
        json!({"writes": [
            object("a", "", 2, json!({"run": run, "tag": "red", "size": 5})),
            object("b", "", 2, json!({"run": run, "tag": "blue", "size": 12})),
            object("c", "", 2, json!({"run": run, "tag": "red", "size": 20, "extra": "x"})),
            object("d", "", 2, json!({"run": run, "tag": "red", "size": 8, "hidden": true})),
            object("e", "", 2, json!({"run": run, "tag": "green"})),
            object("f", &alice, 1, json!({"run": run, "tag": "red", "size": 3})),
        ]}),
    );
    let red = format!("{mine} +value.tag:red");
    let by_size = json!(["value.size"]);

    // A term; the filter kept d out; ascending order.
    let out = list(port, json!({"query": red, "order": by_size}));
    assert_eq!(keys(&out, &run), ["f", "a", "c"], "{out}");
    assert_eq!(out["cursor"], "", "{out}");
    // The objects as stored, not only the indexed fields.
    assert_eq!(out["values"][2]["extra"], "x", "{out}");
    assert_eq!(out["owners"][0], alice.as_str(), "{out}");
    // A numeric range, descending.
    let out = list(
        port,
        json!({"query": format!("{mine} +value.size:>=8"), "order": ["-value.size"]}),
    );
    assert_eq!(keys(&out, &run), ["c", "b"], "{out}");
    // Must not; an object without the field sorts last.
    let out = list(
        port,
        json!({"query": format!("{mine} -value.tag:red"), "order": by_size}),
    );
    assert_eq!(keys(&out, &run), ["b", "e"], "{out}");
    let out = list(port, json!({"query": mine, "order": ["-value.size"]}));
    assert_eq!(keys(&out, &run), ["c", "b", "a", "f", "e"], "{out}");
    // Without an order, by relevance: the should clause lifts b.
    let out = list(port, json!({"query": format!("{mine} value.tag:blue")}));
    let got = keys(&out, &run);
    assert_eq!(got.len(), 5, "{out}");
    assert_eq!(got[0], "b", "{out}");

    // Limit and cursor.
    let page = |cursor: &str| {
        list(
            port,
            json!({"query": mine, "order": by_size, "limit": 2, "cursor": cursor}),
        )
    };
    let p1 = page("");
    assert_eq!(keys(&p1, &run), ["f", "a"], "{p1}");
    let p2 = page(p1["cursor"].as_str().unwrap());
    assert_eq!(keys(&p2, &run), ["b", "c"], "{p2}");
    let p3 = page(p2["cursor"].as_str().unwrap());
    assert_eq!(keys(&p3, &run), ["e"], "{p3}");
    assert_eq!(p3["cursor"], "", "{p3}");
    let cursor = p1["cursor"].as_str().unwrap();
    let refused = |req: Value| list(port, req);
    assert_eq!(
        refused(json!({"query": red, "order": by_size, "limit": 2, "cursor": cursor})),
        json!([3, "invalid cursor: query mismatch"])
    );
    assert_eq!(
        refused(json!({"query": mine, "order": by_size, "limit": 3, "cursor": cursor})),
        json!([3, "invalid cursor: limit mismatch"])
    );
    assert_eq!(
        refused(json!({"query": mine, "limit": 2, "cursor": cursor})),
        json!([3, "invalid cursor: order mismatch"])
    );
    assert_eq!(
        refused(json!({"query": mine, "cursor": "%%%"})),
        json!([3, "invalid cursor"])
    );

    // Read permissions: f is alice's, readable by her only.
    let out = list(
        port,
        json!({"query": red, "order": by_size, "caller_id": bob}),
    );
    assert_eq!(keys(&out, &run), ["a", "c"], "{out}");
    let out = list(
        port,
        json!({"query": red, "order": by_size, "caller_id": alice}),
    );
    assert_eq!(keys(&out, &run), ["f", "a", "c"], "{out}");

    // The index-only index: no filter (d is there), the value holds the
    // indexed fields only, the same permissions.
    let only = json!({"index": "fx_items_only", "query": mine, "order": by_size});
    let out = list(port, only.clone());
    assert_eq!(keys(&out, &run), ["f", "a", "d", "b", "c", "e"], "{out}");
    assert_eq!(out["values"][4], json!({"run": run, "size": 20}), "{out}");
    let mut for_bob = only.clone();
    for_bob["caller_id"] = json!(bob);
    let out = list(port, for_bob);
    assert_eq!(keys(&out, &run), ["a", "d", "b", "c", "e"], "{out}");

    // A write the filter refuses takes the object out; a delete too.
    write(
        port,
        json!({"writes": [object("a", "", 2, json!({"run": run, "tag": "red", "size": 5, "hidden": true}))],
               "deletes": [{"collection": "fx_items", "key": format!("{run}-c"), "user_id": ""}]}),
    );
    let out = list(port, json!({"query": red, "order": by_size}));
    assert_eq!(keys(&out, &run), ["f"], "{out}");
    // A refused object that becomes visible again comes back.
    write(
        port,
        json!({"writes": [object("d", "", 2, json!({"run": run, "tag": "red", "size": 8}))]}),
    );
    let out = list(port, json!({"query": red, "order": by_size}));
    assert_eq!(keys(&out, &run), ["f", "d"], "{out}");

    // Clients' writes and deletes reach the index too.
    let auth = format!("Bearer {bob_token}");
    let as_bob = |path: &str, body: Value| {
        let body = body.to_string();
        let r = request(
            port,
            "PUT",
            path,
            &[("Authorization", &auth)],
            Some(body.as_bytes()),
        );
        let r = r.unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    };
    as_bob(
        "/v2/storage",
        json!({"objects": [{
            "collection": "fx_items",
            "key": format!("{run}-g"),
            "value": json!({"run": run, "tag": "red", "size": 1}).to_string(),
            "permission_read": 2,
        }]}),
    );
    let out = list(port, json!({"query": red, "order": by_size}));
    assert_eq!(keys(&out, &run), ["g", "f", "d"], "{out}");
    assert_eq!(out["owners"][0], bob.as_str(), "{out}");
    as_bob(
        "/v2/storage/delete",
        json!({"object_ids": [{"collection": "fx_items", "key": format!("{run}-g")}]}),
    );
    let out = list(port, json!({"query": red, "order": by_size}));
    assert_eq!(keys(&out, &run), ["f", "d"], "{out}");

    // Past 110% of its 2 entries, an index keeps the 2 updated last.
    for key in ["a", "b", "c"] {
        let mut small = object(key, "", 2, json!({"run": run}));
        small["collection"] = json!("fx_small");
        write(port, json!({ "writes": [small] }));
    }
    let out = list(
        port,
        json!({"index": "fx_small", "query": mine, "order": ["create_time"]}),
    );
    assert_eq!(keys(&out, &run), ["b", "c"], "{out}");

    // Errors.
    assert_eq!(
        refused(json!({"index": "nope"})),
        json!([5, "index \"nope\" not found"])
    );
    for limit in [0, 10_001] {
        assert_eq!(
            refused(json!({"limit": limit})),
            json!([3, "limit must be 1-10000"])
        );
    }
    assert_eq!(
        refused(json!({"caller_id": "x"})),
        json!([3, "expects caller id to be empty or a valid user id"])
    );
    assert_eq!(
        refused(json!({"index": ""})),
        json!([3, "expects a non-empty indexName"])
    );
}
