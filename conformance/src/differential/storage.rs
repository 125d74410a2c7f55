//! Storage: clients' calls, and a module's through `fixture-nk`'s `nk_raw`.

use serde_json::{json, Value};

use super::{pick, Hosts, Run, Side};
use crate::misc::urlencode;

/// `calls` random storage calls by three users: writes of one or two
/// objects (no version, `*`, a version seen before, a wrong one; each
/// permission, unset ones included; values that are and are not JSON
/// objects), reads of anyone's object, listings of a collection (anyone's
/// or one user's, through every cursor) and deletes; now and then a
/// collection, key or version with a NUL, or a value with a `\u0000`,
/// which PostgreSQL refuses.
pub fn compare_storage(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let collections = [format!("da{seed}"), format!("db{seed}")];
    let values = [
        r#"{"a":1}"#,
        r#"{"b":[1,2.50]}"#,
        "{}",
        "[]",
        "1",
        "x",
        r#"{"z":"é","a":{"c":1}}"#,
        r#"{"n":"a\u0000"}"#,
    ];
    for _ in 0..calls {
        let user = rng.usize(..3);
        let other = rng.usize(..4); // 3: nobody in particular
        let collection = match rng.f32() < 0.05 {
            true => format!("d\0{seed}"),
            false => pick(&mut rng, &collections).clone(),
        };
        let key = *pick(&mut rng, &["k1", "k2", "k3", "", "k\0"]);
        let limit = *pick(
            &mut rng,
            &[None, Some(0), Some(1), Some(2), Some(100), Some(101)],
        );
        match rng.usize(..7) {
            0..=2 => {
                let version = rng.f32();
                let seen = rng.usize(..1_000_000);
                let read = *pick(&mut rng, &[None, Some(0), Some(1), Some(2), Some(3)]);
                let write = *pick(&mut rng, &[None, Some(0), Some(1), Some(2)]);
                let value = *pick(&mut rng, &values);
                let count = *pick(&mut rng, &[1, 1, 2]);
                let what = format!(
                    "U{user} writes {count} object(s) {collection}/{key}.. value {value} read {read:?} write {write:?} version pick {version:.2}/{seen}"
                );
                run.compare(what, |side| {
                    let objects: Vec<Value> = (0..count)
                        .map(|i| {
                            let mut o = json!({"collection": collection, "value": value,
                                "key": if i == 0 { key.to_string() } else { format!("{key}{i}") }});
                            if let Some(v) = side.version(version, seen) {
                                o["version"] = json!(v);
                            }
                            if let Some(r) = read {
                                o["permission_read"] = json!(r);
                            }
                            if let Some(w) = write {
                                o["permission_write"] = json!(w);
                            }
                            o
                        })
                        .collect();
                    let answer = side.call(
                        user,
                        "PUT",
                        "/v2/storage",
                        Some(&json!({"objects": objects})),
                    );
                    for ack in answer.1["acks"].as_array().into_iter().flatten() {
                        side.versions
                            .push(ack["version"].as_str().unwrap_or("").into());
                    }
                    answer
                });
            }
            3 => {
                let what = format!("U{user} reads {collection}/{key} of U{other}");
                run.compare(what, |side| {
                    let mut id = json!({"collection": collection, "key": key});
                    if let Some(owner) = side.users.get(other) {
                        id["user_id"] = json!(owner.user_id);
                    }
                    side.call(
                        user,
                        "POST",
                        "/v2/storage",
                        Some(&json!({"object_ids": [id]})),
                    )
                });
            }
            4 | 5 => {
                let what = format!("U{user} lists {collection} of U{other}, limit {limit:?}");
                run.compare(what, |side| {
                    let mut path = format!("/v2/storage/{}?", urlencode(&collection));
                    if let Some(owner) = side.users.get(other) {
                        path.push_str(&format!("user_id={}&", owner.user_id));
                    }
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}&"));
                    }
                    let (status, mut listed) = side.pages(user, &path, "objects");
                    if other == 3 {
                        // Everyone's objects: an owner's order is its id's,
                        // which differs between the hosts; compare as a set.
                        if let Some(items) = listed["items"].as_array_mut() {
                            let mut normal: Vec<Value> =
                                items.iter().map(|o| side.normal(o)).collect();
                            normal.sort_by_key(Value::to_string);
                            *items = normal;
                        }
                    }
                    (status, listed)
                });
            }
            _ => {
                let version = rng.f32();
                let seen = rng.usize(..1_000_000);
                let what =
                    format!("U{user} deletes {collection}/{key}, version pick {version:.2}/{seen}");
                run.compare(what, |side| {
                    let mut id = json!({"collection": collection, "key": key});
                    if version > 0.5 {
                        if let Some(v) = side.versions.get(seen % side.versions.len().max(1)) {
                            id["version"] = json!(v);
                        }
                    }
                    side.call(
                        user,
                        "PUT",
                        "/v2/storage/delete",
                        Some(&json!({"object_ids": [id]})),
                    )
                });
            }
        }
    }
}

/// `calls` random storage nk calls, made by a module
/// (`fixtures/fixture-nk`'s `nk_raw`) with arguments as a module can
/// send them: writes for any of three users, the system user or an id
/// that is none (versions, permissions, values as for clients, empty
/// collections and keys, text with a NUL), reads, listings as the server
/// or a user (through every cursor) and deletes; now and then an account
/// deleted, after which its user is one that is none.
pub fn compare_nk_storage(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let collections = [format!("na{seed}"), format!("nb{seed}"), String::new()];
    let values = [
        r#"{"a":1}"#,
        r#"{"b":[1,2.50]}"#,
        "{}",
        "[]",
        "x",
        "",
        r#"{"n":"a\u0000"}"#,
    ];
    for _ in 0..calls {
        // 3: the system user (""), 4: not a user id.
        let owner = rng.usize(..5);
        let caller = rng.usize(..4);
        let collection = match rng.f32() < 0.05 {
            true => format!("n\0{seed}"),
            false => pick(&mut rng, &collections).clone(),
        };
        let key = *pick(&mut rng, &["k1", "k2", "k3", "", "k\0"]);
        let version = rng.f32();
        let seen = rng.usize(..1_000_000);
        match rng.usize(..6) {
            0..=2 => {
                let value = *pick(&mut rng, &values);
                let read = rng.i32(0..4);
                let write = rng.i32(0..3);
                let what = format!(
                    "nk storage_write {collection}/{key} of #{owner}, value {value}, read {read} write {write}, version pick {version:.2}/{seen}"
                );
                run.compare(what, |side| {
                    let mut op = json!({"collection": collection, "key": key,
                        "user_id": side.owner(owner), "value": value,
                        "permission_read": read, "permission_write": write});
                    if let Some(v) = side.version(version, seen) {
                        op["version"] = json!(v);
                    }
                    let answer = side.nk("storage_write", json!({"writes": [op]}));
                    for ack in answer.1["ok"].as_array().into_iter().flatten() {
                        side.versions
                            .push(ack["version"].as_str().unwrap_or("").into());
                    }
                    answer
                });
            }
            3 => run.compare(
                format!("nk storage_read {collection}/{key} of #{owner}"),
                |side| {
                    let read =
                        json!({"collection": collection, "key": key, "user_id": side.owner(owner)});
                    side.nk("storage_read", json!({"reads": [read]}))
                },
            ),
            4 => {
                let limit = *pick(&mut rng, &[0, 1, 2, 100, 101]);
                let what =
                    format!("nk storage_list {collection} of #{owner} as #{caller}, limit {limit}");
                run.compare(what, |side| {
                    let args = json!({"caller_id": side.owner(caller), "user_id": side.owner(owner),
                        "collection": collection, "limit": limit, "cursor": ""});
                    let pages = side.nk_pages("storage_list", args, "cursor", 20);
                    let status = pages.last().map_or(200, |p| p.0);
                    let pages: Vec<Value> = pages.into_iter().map(|p| p.1).collect();
                    match owner {
                        3 => (status, everyones(side, pages)),
                        _ => (status, json!(pages)),
                    }
                });
            }
            // Now and then an account goes, its objects with it.
            5 if owner < 3 && rng.f32() < 0.1 => {
                run.compare(format!("nk account_delete_id of #{owner}"), |side| {
                    side.nk(
                        "account_delete_id",
                        json!({"user_id": side.owner(owner), "recorded": false}),
                    )
                })
            }
            _ => {
                let what = format!("nk storage_delete {collection}/{key} of #{owner}, version pick {version:.2}/{seen}");
                run.compare(what, |side| {
                    let mut op =
                        json!({"collection": collection, "key": key, "user_id": side.owner(owner)});
                    if let Some(v) = side.version(version, seen) {
                        op["version"] = json!(v);
                    }
                    side.nk("storage_delete", json!({"deletes": [op]}))
                });
            }
        }
    }
}

/// Pages of everyone's objects as the page sizes and the objects in one
/// sorted list: objects of one key and permission follow their owners'
/// ids, which differ between the hosts.
fn everyones(side: &Side, pages: Vec<Value>) -> Value {
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p["ok"]["objects"].as_array().map_or(0, Vec::len))
        .collect();
    let mut objects: Vec<Value> = pages
        .iter()
        .flat_map(|p| p["ok"]["objects"].as_array().cloned().unwrap_or_default())
        .map(|o| side.normal(&o))
        .collect();
    objects.sort_by_key(Value::to_string);
    let errors: Vec<&Value> = pages.iter().filter_map(|p| p.get("error")).collect();
    // A module's objects of read permission 3 (listed after those of 2)
    // send the pages back, the cursor being read as permission 2: which
    // ones come again, and whether the listing ends, follow the order of
    // the owners' ids, each host's own. Then the objects of permission 2
    // are compared, once each.
    if objects.iter().any(|o| o["permission_read"] == 3) {
        objects.retain(|o| o["permission_read"] == 2);
        objects.dedup();
        return json!({"objects of read 2": objects, "some of read 3": true, "errors": errors});
    }
    json!({"sizes": sizes, "objects": objects, "errors": errors})
}

/// `calls` random storage index calls, made by a module through
/// `fixtures/fixture-nk`'s `nk_raw`, on its `fx_items` indexes (the one
/// with a filter, and the index-only one): objects of the run written
/// (tags, sizes, hidden or not, by each user or the system) and deleted,
/// and searched with Bluge query strings (terms, must and must-not,
/// numeric ranges, wildcards, phrases, groups, fields no object has,
/// malformed ones), ordered by a field (sortable or not) or by relevance,
/// by each caller, through every cursor. A search by relevance or by a
/// field that is not sortable is compared as a set of one page: its ties
/// are broken by the index's internal order.
pub fn compare_nk_index(hosts: Hosts, seed: u64, calls: usize) {
    const CLAUSES: &[&str] = &[
        "",
        "+value.tag:red",
        "value.tag:blue",
        "-value.tag:red",
        "+value.size:>25",
        "+value.size:>=20 +value.size:<40",
        "value.size:31",
        "+value.tag:re*",
        "+value.tag:\"red blue\"",
        "+value.missing:x",
        "+value.size:>abc",
        "+(value.tag:red value.tag:green)",
        "+value.tag:Green",
        "value.tag:red^2 value.tag:blue",
        "+value.size:[10 TO 30]",
        "+value.tag:",
        "AND OR",
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let tag = format!("{}{seed}", crate::run_suffix());
    for _ in 0..calls {
        // 3: the system user.
        let owner = rng.usize(..4);
        let key = rng.usize(..8);
        match rng.usize(..6) {
            0 | 1 => {
                let tag_value = *pick(&mut rng, &["red", "blue", "red blue", "Green", "reddish"]);
                let hidden = rng.f32() < 0.2;
                let size = key * 10 + owner;
                let what = format!("#{owner} writes k{key}: {tag_value}, size {size}, hidden {hidden}");
                run.compare(what, |side| {
                    let value = json!({"run": tag, "tag": tag_value, "size": size, "hidden": hidden});
                    let object = json!({"collection": "fx_items", "key": format!("k{key}"),
                        "user_id": side.owner(owner), "value": value.to_string(),
                        "permission_read": 2, "permission_write": 1});
                    side.nk("storage_write", json!({"writes": [object]}))
                });
            }
            2 => run.compare(format!("#{owner} deletes k{key}"), |side| {
                let id = json!({"collection": "fx_items", "key": format!("k{key}"), "user_id": side.owner(owner)});
                side.nk("storage_delete", json!({"deletes": [id]}))
            }),
            // Now and then an account goes, its objects with it.
            3 if owner < 3 && rng.f32() < 0.1 => run.compare(
                format!("nk account_delete_id of #{owner}"),
                |side| {
                    side.nk("account_delete_id", json!({"user_id": side.owner(owner), "recorded": false}))
                },
            ),
            _ => {
                let clauses: Vec<&str> = (0..rng.usize(1..3)).map(|_| *pick(&mut rng, CLAUSES)).collect();
                let query = format!("+value.run:{tag} {}", clauses.join(" "));
                let index = *pick(&mut rng, &["fx_items", "fx_items", "fx_items_only"]);
                let order = pick(&mut rng, &[vec![], vec!["value.size"], vec!["-value.size"], vec!["value.tag"]]).clone();
                // By relevance, or by a field that is not sortable (every
                // object ties): in the index's internal order, which
                // Nakama's segment merges change as they happen.
                let unordered = matches!(order.as_slice(), [] | ["value.tag"]);
                let limit = match unordered {
                    true => 100,
                    false => *pick(&mut rng, &[1, 3, 100, 0]),
                };
                let caller = rng.usize(..5);
                let what = format!("#{caller} searches {index}: {query:?}, order {order:?}, limit {limit}");
                run.compare(what, |side| {
                    let caller_id = if caller == 4 { String::new() } else { side.owner(caller) };
                    let args = json!({"caller_id": caller_id, "index_name": index, "query": query,
                        "limit": limit, "order": order, "cursor": ""});
                    let pages = side.nk_pages("storage_index_list", args, "cursor", 10);
                    let pages = pages.into_iter().map(|(status, mut page)| {
                        if unordered {
                            if let Some(objects) = page["ok"]["objects"].as_array_mut() {
                                objects.sort_by_key(|o| side.normal(&json!([o["key"], o["user_id"]])).to_string());
                            }
                        }
                        json!([status, page])
                    });
                    (200, pages.collect())
                });
            }
        }
    }
}
