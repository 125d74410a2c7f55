//! Storage: clients' calls, and a module's through `fixture-nk`'s `nk_raw`.

use serde_json::{json, Value};

use super::{pick, Hosts, Run, Side};

/// `calls` random storage calls by three users: writes of one or two
/// objects (no version, `*`, a version seen before, a wrong one; each
/// permission, unset ones included; values that are and are not JSON
/// objects), reads of anyone's object, listings of a collection (anyone's
/// or one user's, through every cursor) and deletes.
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
    ];
    for _ in 0..calls {
        let user = rng.usize(..3);
        let other = rng.usize(..4); // 3: nobody in particular
        let collection = pick(&mut rng, &collections).clone();
        let key = *pick(&mut rng, &["k1", "k2", "k3", ""]);
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
                    let mut path = format!("/v2/storage/{collection}?");
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
/// collections and keys), reads, listings as the server or a user
/// (through every cursor) and deletes.
pub fn compare_nk_storage(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let collections = [format!("na{seed}"), format!("nb{seed}"), String::new()];
    let values = [r#"{"a":1}"#, r#"{"b":[1,2.50]}"#, "{}", "[]", "x", ""];
    for _ in 0..calls {
        // 3: the system user (""), 4: not a user id.
        let owner = rng.usize(..5);
        let caller = rng.usize(..4);
        let collection = pick(&mut rng, &collections).clone();
        let key = *pick(&mut rng, &["k1", "k2", "k3", ""]);
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
                    let mut pages = Vec::new();
                    let mut cursor = String::new();
                    loop {
                        let args = json!({"caller_id": side.owner(caller), "user_id": side.owner(owner),
                            "collection": collection, "limit": limit, "cursor": cursor});
                        let (status, page) = side.nk("storage_list", args);
                        cursor = page["ok"]["cursor"].as_str().unwrap_or("").to_string();
                        pages.push(page);
                        if status != 200 || cursor.is_empty() || pages.len() == 20 {
                            if owner == 3 {
                                return (status, everyones(side, pages));
                            }
                            return (status, json!(pages));
                        }
                    }
                });
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
    json!({"sizes": sizes, "objects": objects, "errors": errors})
}
