//! Random client calls made on two hosts, their answers compared.
//!
//! The checks of the other modules hold what their authors thought of;
//! this finds what they did not. Each run makes its own users on both
//! hosts, then the same seeded sequence of calls (storage writes with and
//! without versions and permissions, reads, listings followed through
//! their cursors, deletes; friend invites, blocks, removals and listings;
//! leaderboard submissions with each operator, listings, haystacks and
//! deletes; the same and joins for tournaments; account updates, reads
//! and user look-ups; groups made, joined, left, managed and listed; and a
//! module's storage, wallet, account and notification nk calls, through
//! `fixtures/fixture-nk`'s `nk_raw`; and malformed or odd requests)
//! and compares each answer once ids, names, times and cursors are
//! replaced by what they stand for. The first difference panics with the
//! seed, the call and both answers.
//!
//! Made to run against the dev host and a real Nakama
//! (`server/tests/integration/differential.rs`, run by `bridge/test.sh`).

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::http::request;
use crate::misc::urlencode;
use crate::realtime::User;

/// The two hosts' client ports; `a` is named first in a difference.
#[derive(Clone, Copy)]
pub struct Hosts {
    pub a: u16,
    pub b: u16,
}

/// One host's side of a run: its users, and each id or name it made
/// mapped to what it stands for (`U0`, `N0`, ...).
struct Side {
    port: u16,
    users: Vec<User>,
    names: HashMap<String, String>,
    /// Other ids met in answers (notifications', messages'), each named
    /// by when it was first met (`<id0>`, ...).
    met: std::cell::RefCell<HashMap<String, String>>,
    /// Storage versions acknowledged so far, in order.
    versions: Vec<String>,
}

impl Side {
    fn new(port: u16, run: &str, users: usize) -> Side {
        let mut names = HashMap::new();
        let users: Vec<User> = (0..users)
            .map(|i| {
                let u = User::new(port, &format!("diff-{run}-{i}"), &format!("d{i}{run}"));
                names.insert(u.user_id.clone(), format!("U{i}"));
                names.insert(u.username.clone(), format!("N{i}"));
                u
            })
            .collect();
        Side {
            port,
            users,
            names,
            met: Default::default(),
            versions: Vec::new(),
        }
    }

    /// One call as `user`: its status and its JSON body (`null` if empty).
    fn call(&self, user: usize, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let bearer = format!("Bearer {}", self.users[user].token);
        let body = body.map(Value::to_string);
        let r = request(
            self.port,
            method,
            path,
            &[("Authorization", bearer.as_str())],
            body.as_deref().map(str::as_bytes),
        )
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let json = if r.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&r.body).unwrap_or_else(|_| Value::String(r.text()))
        };
        (r.status, json)
    }

    /// A listing followed through its cursors (at most 20 pages): each
    /// page's size and every item of `field`.
    fn pages(&self, user: usize, path: &str, field: &str) -> (u16, Value) {
        let (status, mut page) = self.call(user, "GET", path, None);
        if status != 200 {
            return (status, page);
        }
        let (mut sizes, mut items) = (Vec::new(), Vec::new());
        loop {
            let these = page[field].as_array().cloned().unwrap_or_default();
            sizes.push(these.len());
            items.extend(these);
            let cursor = page["cursor"].as_str().unwrap_or("").to_string();
            if cursor.is_empty() || sizes.len() == 20 {
                break;
            }
            let next = format!("{path}&cursor={}", urlencode(&cursor));
            let (status, next_page) = self.call(user, "GET", &next, None);
            if status != 200 {
                return (status, json!({"page": sizes.len(), "error": next_page}));
            }
            page = next_page;
        }
        (200, json!({"sizes": sizes, "items": items}))
    }

    /// `v` with this side's ids and names replaced by what they stand for,
    /// times left out and cursors reduced to whether there is one.
    fn normal(&self, v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| !k.ends_with("_time"))
                    .map(|(k, x)| match k.ends_with("cursor") {
                        true => (k.clone(), json!(x.as_str().is_some_and(|c| !c.is_empty()))),
                        false => (k.clone(), self.normal(x)),
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.normal(x)).collect()),
            Value::String(s) => {
                let named = self
                    .names
                    .iter()
                    .fold(s.clone(), |s, (real, name)| s.replace(real.as_str(), name));
                Value::String(self.name_met_ids(&named))
            }
            other => other.clone(),
        }
    }
}

impl Side {
    /// `s` with each UUID in it named by when this side first met it.
    fn name_met_ids(&self, s: &str) -> String {
        static UUID: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let uuid = UUID.get_or_init(|| {
            regex::Regex::new("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                .expect("a valid pattern")
        });
        let mut met = self.met.borrow_mut();
        uuid.replace_all(s, |id: &regex::Captures<'_>| {
            let n = met.len();
            met.entry(id[0].to_string())
                .or_insert_with(|| format!("<id{n}>"))
                .clone()
        })
        .into_owned()
    }
}

/// Both sides of a run, and the calls made so far (for the report).
struct Run {
    seed: u64,
    sides: [Side; 2],
    log: Vec<String>,
}

impl Run {
    fn new(hosts: Hosts, seed: u64, users: usize) -> Run {
        let run = format!("{}{seed}", crate::run_suffix());
        Run {
            seed,
            sides: [
                Side::new(hosts.a, &run, users),
                Side::new(hosts.b, &run, users),
            ],
            log: Vec::new(),
        }
    }

    /// Makes one call on both sides (`call` gets each side) and compares
    /// the normalised answers.
    fn compare(&mut self, what: String, mut call: impl FnMut(&mut Side) -> (u16, Value)) {
        let answers: Vec<(u16, Value)> = self
            .sides
            .iter_mut()
            .map(|side| {
                let (status, body) = call(side);
                (status, side.normal(&body))
            })
            .collect();
        self.log.push(what);
        if answers[0] != answers[1] {
            let recent = self.log.len().saturating_sub(15);
            panic!(
                "the hosts differ, seed {}, call {}: {}\n  a (port {}): {} {}\n  b (port {}): {} {}\nthe calls before it:\n  {}",
                self.seed,
                self.log.len() - 1,
                self.log.last().unwrap(),
                self.sides[0].port,
                answers[0].0,
                answers[0].1,
                self.sides[1].port,
                answers[1].0,
                answers[1].1,
                self.log[recent..self.log.len() - 1].join("\n  "),
            );
        }
    }
}

impl Run {
    /// Calls fixture-nk's RPC `rpc` (with the server key) on both sides,
    /// with this run's `suffix` for the ids it makes.
    fn setup(&self, rpc: &str, suffix: &str) {
        let payload = json!(json!({"suffix": suffix}).to_string()).to_string();
        for side in &self.sides {
            let path = format!("/v2/rpc/{rpc}?http_key=defaulthttpkey");
            let r = request(side.port, "POST", &path, &[], Some(payload.as_bytes()))
                .unwrap_or_else(|e| panic!("{rpc}: {e}"));
            assert_eq!(r.status, 200, "{rpc} on port {}: {}", side.port, r.text());
        }
    }
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

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
                            let version = match version {
                                v if v < 0.4 => None,
                                v if v < 0.5 => Some("*".to_string()),
                                v if v < 0.55 => Some("not-a-version".to_string()),
                                _ => side
                                    .versions
                                    .get(seen % side.versions.len().max(1))
                                    .cloned(),
                            };
                            if let Some(v) = version {
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

/// `calls` random friend calls among four users, one other user each (a
/// call naming several is made in a Go map's order by Nakama, so the
/// relationships' order would differ): invites and accepts by id or
/// username, removals, blocks, and listings by state through every cursor.
pub fn compare_friends(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 4);
    for _ in 0..calls {
        let user = rng.usize(..4);
        let other = rng.usize(..4);
        let by_name = rng.f32() < 0.3;
        let name = |side: &Side| {
            let u = &side.users[other];
            if by_name {
                format!("usernames={}", u.username)
            } else {
                format!("ids={}", u.user_id)
            }
        };
        match rng.usize(..7) {
            0..=2 => run.compare(
                format!("U{user} adds U{other} (by name: {by_name})"),
                |side| side.call(user, "POST", &format!("/v2/friend?{}", name(side)), None),
            ),
            3 => run.compare(
                format!("U{user} removes U{other} (by name: {by_name})"),
                |side| side.call(user, "DELETE", &format!("/v2/friend?{}", name(side)), None),
            ),
            4 => run.compare(
                format!("U{user} blocks U{other} (by name: {by_name})"),
                |side| {
                    side.call(
                        user,
                        "POST",
                        &format!("/v2/friend/block?{}", name(side)),
                        None,
                    )
                },
            ),
            _ => {
                let state = *pick(
                    &mut rng,
                    &[None, Some(0), Some(1), Some(2), Some(3), Some(4)],
                );
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(100), Some(1001)]);
                run.compare(
                    format!("U{user} lists friends, state {state:?} limit {limit:?}"),
                    |side| {
                        let mut path = "/v2/friend?".to_string();
                        if let Some(s) = state {
                            path.push_str(&format!("state={s}&"));
                        }
                        if let Some(l) = limit {
                            path.push_str(&format!("limit={l}&"));
                        }
                        side.pages(user, &path, "friends")
                    },
                );
            }
        }
    }
}

/// `calls` random leaderboard calls by five users on the two leaderboards
/// `fixtures/fixture-nk`'s `nk_leaderboard_setup` makes (descending, best,
/// ranked; and an authoritative one): submissions with each operator
/// (negative ones too), metadata or not, listings (with owners, through
/// every cursor), haystacks and deletes. Each user first submits a score
/// of its own, and later scores move by random amounts, so that no two
/// records tie: a tie's order follows the owners' ids, which differ
/// between the hosts.
pub fn compare_leaderboards(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 5);
    let suffix = format!("{}{seed}", crate::run_suffix());
    run.setup("nk_leaderboard_setup", &suffix);
    let open = format!("open_{suffix}");
    let boards = [
        open.clone(),
        open.clone(),
        open.clone(),
        format!("auth_{suffix}"),
    ];
    for user in 0..5 {
        submit_own_score(&mut run, &mut rng, user, &open);
    }
    for _ in 0..calls {
        let user = rng.usize(..5);
        let other = rng.usize(..5);
        let board = pick(&mut rng, &boards).clone();
        match rng.usize(..8) {
            0..=3 => {
                let operator = *pick(
                    &mut rng,
                    &[None, Some(0), Some(1), Some(2), Some(3), Some(4)],
                );
                // A decrement moves a score by little, so that it does not
                // reach 0 (where records would tie); a negative one adds.
                let score = match (operator, rng.usize(..5)) {
                    (Some(4), _) => rng.i64(-100_000..100_000),
                    (_, 0) => -rng.i64(1..1_000),
                    _ => rng.i64(1..100_000_000),
                };
                let subscore = rng.bool().then(|| rng.i64(0..1_000));
                let metadata = *pick(
                    &mut rng,
                    &[None, Some(r#"{"x":1.50}"#), Some("{}"), Some("[1]")],
                );
                let what = format!(
                    "U{user} submits {score}/{subscore:?} to {board} with operator {operator:?}, metadata {metadata:?}"
                );
                run.compare(what, |side| {
                    let record = record(score, subscore, operator, metadata);
                    side.call(
                        user,
                        "POST",
                        &format!("/v2/leaderboard/{board}"),
                        Some(&record),
                    )
                });
            }
            4 | 5 => {
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(3), Some(100)]);
                let owners: Vec<usize> = (0..5).filter(|_| rng.f32() < 0.2).collect();
                let what = format!("U{user} lists {board}, limit {limit:?}, owners {owners:?}");
                run.compare(what, |side| {
                    let mut path = format!("/v2/leaderboard/{board}?");
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}&"));
                    }
                    for &o in &owners {
                        path.push_str(&format!("owner_ids={}&", side.users[o].user_id));
                    }
                    let mut pages = Vec::new();
                    let mut next = path.clone();
                    loop {
                        let (status, page) = side.call(user, "GET", &next, None);
                        if status != 200 || pages.len() == 10 {
                            return (status, json!({"pages": pages, "last": page}));
                        }
                        let cursor = page["next_cursor"].as_str().unwrap_or("").to_string();
                        pages.push(page);
                        if cursor.is_empty() {
                            return (200, json!(pages));
                        }
                        next = format!("{path}cursor={}", urlencode(&cursor));
                    }
                });
            }
            6 => {
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(3), Some(100)]);
                let what = format!("U{user} lists {board} around U{other}, limit {limit:?}");
                run.compare(what, |side| {
                    let mut path = format!(
                        "/v2/leaderboard/{board}/owner/{}?",
                        side.users[other].user_id
                    );
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}"));
                    }
                    side.call(user, "GET", &path, None)
                });
            }
            _ => {
                run.compare(format!("U{user} deletes its record of {board}"), |side| {
                    side.call(user, "DELETE", &format!("/v2/leaderboard/{board}"), None)
                });
                // And gets a score of its own again, for the reason above.
                submit_own_score(&mut run, &mut rng, user, &board);
            }
        }
    }
}

/// A score submission's body (the gateway reads its numbers as text).
fn record(
    score: i64,
    subscore: Option<i64>,
    operator: Option<i32>,
    metadata: Option<&str>,
) -> Value {
    let mut record = json!({"score": score.to_string()});
    if let Some(s) = subscore {
        record["subscore"] = json!(s.to_string());
    }
    if let Some(o) = operator {
        record["operator"] = json!(o);
    }
    if let Some(m) = metadata {
        record["metadata"] = json!(m);
    }
    record
}

/// A score far from the other users' (`user` tens of millions), so that
/// no two records tie.
fn submit_own_score(run: &mut Run, rng: &mut fastrand::Rng, user: usize, board: &str) {
    let score = (user as i64 + 1) * 10_000_000 + rng.i64(0..1_000_000);
    run.compare(format!("U{user} submits {score} to {board}"), |side| {
        let record = json!({"score": score.to_string()});
        side.call(
            user,
            "POST",
            &format!("/v2/leaderboard/{board}"),
            Some(&record),
        )
    });
}

/// `calls` random account calls by three users: updates of any of the
/// fields a client may set (empty ones, names another user has, names
/// Nakama refuses, values longer than their column), reads of the
/// account, and users looked up by ids and usernames.
pub fn compare_accounts(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    let long = "x".repeat(300);
    for _ in 0..calls {
        let user = rng.usize(..3);
        match rng.usize(..4) {
            0 | 1 => {
                // Each field set or not; `Err(i)`: user `i`'s first name.
                let fields: Vec<(&str, Result<String, usize>)> = [
                    "username",
                    "display_name",
                    "avatar_url",
                    "lang_tag",
                    "location",
                    "timezone",
                ]
                .into_iter()
                .filter_map(|field| {
                    if rng.f32() >= 0.3 {
                        return None;
                    }
                    let value = match rng.usize(..6) {
                        0 => Ok(String::new()),
                        1 => Ok("a\tb".to_string()),
                        2 => Ok("A B é".to_string()),
                        3 => Ok(long.clone()),
                        _ => Err(rng.usize(..3)),
                    };
                    Some((field, value))
                })
                .collect();
                run.compare(format!("U{user} updates its account: {fields:?}"), |side| {
                    let body: serde_json::Map<String, Value> = fields
                        .iter()
                        .map(|(field, value)| {
                            let value = match value {
                                Ok(v) => v.clone(),
                                Err(i) => side.users[*i].username.clone(),
                            };
                            (field.to_string(), json!(value))
                        })
                        .collect();
                    side.call(user, "PUT", "/v2/account", Some(&Value::Object(body)))
                });
            }
            2 => run.compare(format!("U{user} reads its account"), |side| {
                side.call(user, "GET", "/v2/account", None)
            }),
            _ => {
                let ids: Vec<usize> = (0..3).filter(|_| rng.bool()).collect();
                let names: Vec<usize> = (0..3).filter(|_| rng.bool()).collect();
                let what = format!("U{user} looks up users {ids:?} and names {names:?}");
                run.compare(what, |side| {
                    let mut path = "/v2/user?".to_string();
                    for &i in &ids {
                        path.push_str(&format!("ids={}&", side.users[i].user_id));
                    }
                    for &i in &names {
                        path.push_str(&format!(
                            "usernames={}&",
                            urlencode(&side.users[i].username)
                        ));
                    }
                    let (status, mut found) = side.call(user, "GET", &path, None);
                    // In the database's order, which differs between hosts.
                    if let Some(users) = found["users"].as_array_mut() {
                        users.sort_by_key(|u| u["username"].to_string());
                    }
                    (status, found)
                });
            }
        }
    }
}

/// `calls` random group calls by five users: groups made open or closed
/// with a member limit or not, joins and join requests, leaves, each
/// membership action on another user (add, kick, promote, demote, ban),
/// updates and deletes, and listings of a group's members and of a
/// user's groups by state, through every cursor.
pub fn compare_groups(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 5);
    let suffix = format!("{}{seed}", crate::run_suffix());
    // Each side's groups, in the order they were made.
    let mut groups: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..calls {
        let user = rng.usize(..5);
        let other = rng.usize(..5);
        let pick_group = rng.usize(..1_000);
        match rng.usize(..14) {
            0 | 1 => {
                let open = rng.bool();
                let max = *pick(&mut rng, &[None, Some(2), Some(3), Some(100)]);
                let name = format!("g{}{suffix}", rng.usize(..20));
                let what = format!("U{user} makes group {name}, open {open}, max {max:?}");
                let mut made = Vec::new();
                run.compare(what, |side| {
                    let mut body = json!({"name": name, "open": open});
                    if let Some(m) = max {
                        body["max_count"] = json!(m);
                    }
                    let answer = side.call(user, "POST", "/v2/group", Some(&body));
                    if let Some(id) = answer.1["id"].as_str() {
                        let n = side.names.len();
                        side.names.insert(id.to_string(), format!("G{n}"));
                        made.push((side.port, id.to_string()));
                    }
                    answer
                });
                for (port, id) in made {
                    groups[usize::from(port != hosts.a)].push(id);
                }
            }
            choice => {
                let action = match choice {
                    2 | 3 => "join",
                    4 => "leave",
                    5 => "add",
                    6 => "kick",
                    7 => "promote",
                    8 => "demote",
                    9 => "ban",
                    10 => "update",
                    11 => "delete",
                    _ => "list",
                };
                let state = *pick(&mut rng, &[None, Some(0), Some(1), Some(2), Some(3)]);
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(100)]);
                let of_user = rng.bool();
                let open = rng.bool();
                let what = format!(
                    "U{user} {action} group #{pick_group} (other U{other}, state {state:?}, limit {limit:?}, of user {of_user}, open {open})"
                );
                let mut deleted = Vec::new();
                let groups_made = &groups;
                run.compare(what, |side| {
                    let mine = &groups_made[usize::from(side.port != hosts.a)];
                    let id = mine
                        .get(pick_group % mine.len().max(1))
                        .cloned()
                        .unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into());
                    let other_id = side.users[other].user_id.clone();
                    match action {
                        "join" | "leave" => {
                            side.call(user, "POST", &format!("/v2/group/{id}/{action}"), None)
                        }
                        "update" => side.call(
                            user,
                            "PUT",
                            &format!("/v2/group/{id}"),
                            Some(&json!({"open": open, "description": "d"})),
                        ),
                        "delete" => {
                            let answer =
                                side.call(user, "DELETE", &format!("/v2/group/{id}"), None);
                            if answer.0 == 200 {
                                deleted.push((side.port, id));
                            }
                            answer
                        }
                        "list" => {
                            let mut path = if of_user {
                                format!("/v2/user/{other_id}/group?")
                            } else {
                                format!("/v2/group/{id}/user?")
                            };
                            if let Some(s) = state {
                                path.push_str(&format!("state={s}&"));
                            }
                            if let Some(l) = limit {
                                path.push_str(&format!("limit={l}&"));
                            }
                            let field = if of_user {
                                "user_groups"
                            } else {
                                "group_users"
                            };
                            side.pages(user, &path, field)
                        }
                        _ => side.call(
                            user,
                            "POST",
                            &format!("/v2/group/{id}/{action}?user_ids={other_id}"),
                            None,
                        ),
                    }
                });
                for (port, id) in deleted {
                    groups[usize::from(port != hosts.a)].retain(|g| *g != id);
                }
            }
        }
    }
}

/// `calls` random tournament calls by four users on the tournaments
/// `fixtures/fixture-nk`'s `nk_tournament_setup` makes (open to all with
/// three scores each, joining required with one owner, authoritative,
/// ended, and a plain leaderboard): joins, submissions (no decrement,
/// whose first record of 0 would tie), listings of records (with owners,
/// through every cursor) and of the run's tournaments, haystacks and
/// deletes. Scores are drawn far apart, so that no two records tie.
pub fn compare_tournaments(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 4);
    let suffix = format!("{}{seed}", crate::run_suffix());
    run.setup("nk_tournament_setup", &suffix);
    let id = |name: &str| format!("t_{name}_{suffix}");
    let open = id("open");
    let ids = [
        open.clone(),
        open.clone(),
        open.clone(),
        id("join"),
        id("auth"),
        id("ended"),
        id("plain"),
    ];
    for _ in 0..calls {
        let user = rng.usize(..4);
        let other = rng.usize(..4);
        let t = pick(&mut rng, &ids).clone();
        match rng.usize(..8) {
            0 => run.compare(format!("U{user} joins {t}"), |side| {
                side.call(user, "POST", &format!("/v2/tournament/{t}/join"), None)
            }),
            1..=3 => {
                let operator = *pick(
                    &mut rng,
                    &[None, Some(0), Some(1), Some(2), Some(3), Some(9)],
                );
                let score = if rng.usize(..5) == 0 {
                    -rng.i64(1..1_000)
                } else {
                    rng.i64(1..100_000_000)
                };
                let subscore = rng.bool().then(|| rng.i64(0..1_000));
                let what = format!(
                    "U{user} submits {score}/{subscore:?} to {t} with operator {operator:?}"
                );
                run.compare(what, |side| {
                    let record = record(score, subscore, operator, None);
                    side.call(user, "POST", &format!("/v2/tournament/{t}"), Some(&record))
                });
            }
            4 => {
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(100)]);
                let owners: Vec<usize> = (0..4).filter(|_| rng.f32() < 0.25).collect();
                let what = format!("U{user} lists {t}, limit {limit:?}, owners {owners:?}");
                run.compare(what, |side| {
                    let mut path = format!("/v2/tournament/{t}?");
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}&"));
                    }
                    for &o in &owners {
                        path.push_str(&format!("owner_ids={}&", side.users[o].user_id));
                    }
                    let (status, page) = side.call(user, "GET", &path, None);
                    (status, without_clock(page))
                });
            }
            5 => {
                let limit = *pick(&mut rng, &[None, Some(1), Some(2), Some(100)]);
                let what = format!("U{user} lists {t} around U{other}, limit {limit:?}");
                run.compare(what, |side| {
                    let mut path =
                        format!("/v2/tournament/{t}/owner/{}?", side.users[other].user_id);
                    if let Some(l) = limit {
                        path.push_str(&format!("limit={l}"));
                    }
                    let (status, page) = side.call(user, "GET", &path, None);
                    (status, without_clock(page))
                });
            }
            6 => {
                let (start, end) = *pick(&mut rng, &[(20, 20), (20, 21), (21, 21), (0, 127)]);
                let what = format!("U{user} lists tournaments of categories {start} to {end}");
                run.compare(what, |side| {
                    let path = format!(
                        "/v2/tournament?category_start={start}&category_end={end}&limit=100"
                    );
                    let (status, mut page) = side.call(user, "GET", &path, None);
                    // Only this run's: earlier runs' share the database.
                    if let Some(all) = page["tournaments"].as_array_mut() {
                        all.retain(|t| t["id"].as_str().is_some_and(|id| id.ends_with(&suffix)));
                    }
                    (status, without_clock(page))
                });
            }
            _ => run.compare(format!("U{user} deletes its record of {t}"), |side| {
                side.call(user, "DELETE", &format!("/v2/tournament/{t}"), None)
            }),
        }
    }
}

/// `v` without the fields that follow each host's clock: when a
/// tournament's period started or ends, in seconds (each host made its
/// tournaments at its own moment).
fn without_clock(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "start_active" | "end_active" | "next_reset" | "prev_reset"
                    )
                })
                .map(|(k, x)| (k, without_clock(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_clock).collect()),
        other => other,
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

impl Side {
    /// User `i`'s id; for 3 the system user's (""), for 4 one that is
    /// not an id.
    fn owner(&self, i: usize) -> String {
        match self.users.get(i) {
            Some(u) => u.user_id.clone(),
            None if i == 3 => String::new(),
            None => "not-a-user-id".into(),
        }
    }

    /// A version to send: none, `*`, a wrong one, or one seen before.
    fn version(&self, pick: f32, seen: usize) -> Option<String> {
        match pick {
            p if p < 0.4 => None,
            p if p < 0.5 => Some("*".into()),
            p if p < 0.55 => Some("not-a-version".into()),
            _ => self
                .versions
                .get(seen % self.versions.len().max(1))
                .cloned(),
        }
    }

    /// fixture-nk's `nk_raw` RPC with the server key.
    fn nk(&self, function: &str, args: Value) -> (u16, Value) {
        let body = json!({"function": function, "args": args}).to_string();
        let path = "/v2/rpc/nk_raw?http_key=defaulthttpkey&unwrap";
        let r = request(self.port, "POST", path, &[], Some(body.as_bytes()))
            .unwrap_or_else(|e| panic!("nk_raw: {e}"));
        (r.status, r.json())
    }
}

/// `calls` random wallet, account and notification nk calls, made by a
/// module through `fixtures/fixture-nk`'s `nk_raw`: wallet updates (one
/// or two per call, the same user twice, sums that go below zero or past
/// the largest integer), ledger listings (limit 0 too), accounts and users
/// by id (an id twice), notifications sent (each kind of code) and listed.
pub fn compare_nk_wallets(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 3);
    for _ in 0..calls {
        // 3: the system user (""), 4: not a user id.
        let owner = rng.usize(..5);
        let key = *pick(&mut rng, &["gold", "gems", ""]);
        let amount: i64 = *pick(&mut rng, &[1, 5, -3, -100, 0, 1 << 62]);
        let ledger = rng.bool();
        let limit = *pick(&mut rng, &[0, 1, 2, 100, 101, -1]);
        let code = *pick(&mut rng, &[1, 0, -1, -1500]);
        let metadata = pick(&mut rng, &[json!({}), json!({"a": 1.5})]).clone();
        let what = |f: &str| {
            format!(
                "nk {f} for #{owner}: {key} {amount}, ledger {ledger}, limit {limit}, code {code}"
            )
        };
        match rng.usize(..8) {
            0 | 1 => run.compare(what("wallet_update"), |side| {
                let args = json!({"user_id": side.owner(owner), "changeset": {key: amount},
                    "metadata": metadata, "update_ledger": ledger});
                side.nk("wallet_update", args)
            }),
            2 => run.compare(what("wallets_update"), |side| {
                // The same user twice; no ledger, whose two entries of one
                // moment each host orders its own way.
                let updates = json!([
                    {"user_id": side.owner(owner), "changeset": {key: amount}, "metadata": metadata},
                    {"user_id": side.owner(0), "changeset": {"gold": 1}, "metadata": {}},
                ]);
                side.nk("wallets_update", json!({"updates": updates, "update_ledger": false}))
            }),
            3 => run.compare(what("wallet_ledger_list"), |side| {
                let args = json!({"user_id": side.owner(owner), "limit": limit, "cursor": ""});
                side.nk("wallet_ledger_list", args)
            }),
            4 => run.compare(what("accounts_get_id"), |side| {
                let ids = json!([side.owner(owner), side.owner(1), side.owner(1)]);
                let (status, mut answer) = side.nk("accounts_get_id", json!({"user_ids": ids}));
                // In the database's order, which differs between hosts.
                if let Some(accounts) = answer["ok"].as_array_mut() {
                    accounts.sort_by_key(|a| a["user"]["username"].to_string());
                }
                (status, answer)
            }),
            5 => run.compare(what("account_get_id"), |side| {
                side.nk("account_get_id", json!({"user_id": side.owner(owner)}))
            }),
            6 => run.compare(what("notifications_send"), |side| {
                let n = json!({"user_id": side.owner(owner), "subject": "s", "content": metadata,
                    "code": code, "sender_id": "", "persistent": ledger});
                side.nk("notifications_send", json!({"notifications": [n]}))
            }),
            _ => run.compare(what("notification_list"), |side| {
                let args = json!({"user_id": side.owner(owner), "limit": limit, "cursor": ""});
                side.nk("notification_list", args)
            }),
        }
    }
}

/// `calls` random malformed or odd client requests by one user: each a
/// route (with a method it takes) given a body and a query from lists of
/// bad ones (not JSON, wrong types, out of range, ids that are none, long
/// values, unknown fields). Routes whose answers differ by design are
/// left out: social logins (the dev host asks no provider), and
/// leaderboard writes (a score of 0 ties records, ordered by owner ids).
pub fn compare_bad_requests(hosts: Hosts, seed: u64, calls: usize) {
    const ROUTES: &[(&str, &str)] = &[
        ("PUT", "/v2/storage"),
        ("POST", "/v2/storage"),
        ("PUT", "/v2/storage/delete"),
        ("GET", "/v2/storage/c?"),
        ("GET", "/v2/storage/c/{me}?"),
        ("POST", "/v2/friend?"),
        ("DELETE", "/v2/friend?"),
        ("GET", "/v2/friend?"),
        ("POST", "/v2/friend/block?"),
        ("POST", "/v2/group"),
        ("GET", "/v2/group?"),
        ("PUT", "/v2/group/{group}"),
        ("POST", "/v2/group/{group}/add?"),
        ("POST", "/v2/group/{group}/kick?"),
        ("POST", "/v2/group/nope/join"),
        ("GET", "/v2/group/{group}/user?"),
        ("GET", "/v2/user/{me}/group?"),
        ("PUT", "/v2/account"),
        ("GET", "/v2/user?"),
        ("GET", "/v2/notification?"),
        ("DELETE", "/v2/notification?"),
        ("POST", "/v2/account/link/custom"),
        ("POST", "/v2/account/link/device"),
        ("POST", "/v2/account/link/email"),
        ("POST", "/v2/account/unlink/custom"),
        ("POST", "/v2/account/authenticate/email?"),
        ("POST", "/v2/account/authenticate/custom?"),
        ("POST", "/v2/account/authenticate/device?"),
        ("POST", "/v2/event"),
        ("GET", "/v2/match?"),
        ("GET", "/v2/channel/room.x?"),
        ("GET", "/v2/leaderboard/nope?"),
        ("POST", "/v2/leaderboard/nope"),
        ("GET", "/v2/leaderboard/nope/owner/{me}?"),
        ("GET", "/v2/tournament?"),
        ("POST", "/v2/tournament/nope/join"),
        ("POST", "/v2/iap/subscription"),
        ("GET", "/v2/leaderboard/"),
        ("PUT", "/v2/group/"),
    ];
    const BODIES: &[&str] = &[
        "", "{", "[]", "null", "1", "\"x\"", "{}", "{\"unknown\": 1}",
        "{\"objects\": 5}",
        "{\"objects\": [{}]}",
        "{\"objects\": [{\"collection\": \"c\", \"key\": \"k\", \"value\": \"{}\", \"permission_read\": 5}]}",
        "{\"objects\": [{\"collection\": \"c\", \"key\": \"k\", \"value\": \"{}\", \"permission_write\": \"1\"}]}",
        "{\"objects\": [{\"collection\": \"\", \"key\": \"k\", \"value\": \"{}\"}]}",
        "{\"objects\": [{\"collection\": \"c\", \"key\": \"k\", \"value\": \"{\\\"a\\\":1e2}\"}]}",
        "{\"object_ids\": [{\"collection\": \"c\", \"key\": \"k\", \"user_id\": \"nope\"}]}",
        "{\"object_ids\": [{\"collection\": \"c\", \"key\": \"k\", \"version\": \"x\"}]}",
        "{\"name\": \"\"}", "{\"name\": \"g\", \"max_count\": -1}", "{\"name\": \"g\", \"max_count\": \"x\"}",
        "{\"name\": \"g\", \"open\": \"yes\"}", "{\"name\": \"%\"}",
        "{\"id\": \"short\"}", "{\"id\": \"abc def gh\"}", "{\"id\": \"abcdefgh\", \"vars\": {\"a\": 1}}",
        "{\"email\": \"a@b\", \"password\": \"x\"}", "{\"password\": \"long enough\"}",
        "{\"email\": \"Some@Example.com\", \"password\": \"12345678\"}",
        "{\"name\": \"e\", \"properties\": {\"a\": 1}}", "{\"name\": \"e\", \"properties\": {\"a\": \"b\"}, \"external\": true}",
        "{\"limit\": -5}", "{\"limit\": \"x\"}", "{\"username\": 5}", "{\"display_name\": null}",
        "{\"lang_tag\": \"\"}", "{\"timezone\": \"\", \"location\": \"\"}",
        "{\"score\": \"x\"}", "{\"score\": \"1\", \"operator\": 9}",
    ];
    const QUERIES: &[&str] = &[
        "",
        "limit=0",
        "limit=-1",
        "limit=abc",
        "limit=1001",
        "limit=1&limit=2",
        "ids=nope",
        "ids=",
        "usernames=",
        "cursor=zzz",
        "state=9",
        "state=x",
        "user_id=nope",
        "user_id={me}",
        "ids={me}",
        "user_ids={me}",
        "user_ids=nope",
        "members=x",
        "open=maybe",
        "name=%25",
        "name=a%25",
        "lang_tag=en&name=x",
        "authoritative=yes",
        "forward=x",
        "owner_ids=nope",
        "category_start=x",
        "create=false",
        "username=a%20b",
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    let mut groups = Vec::new();
    for side in run.sides.iter_mut() {
        let made = side.call(
            0,
            "POST",
            "/v2/group",
            Some(&json!({"name": format!("bad{}", side.users[0].username)})),
        );
        let id = made.1["id"].as_str().unwrap_or("none").to_string();
        side.names.insert(id.clone(), "G".into());
        groups.push(id);
    }
    for _ in 0..calls {
        let &(method, route) = pick(&mut rng, ROUTES);
        let body = matches!(method, "POST" | "PUT").then(|| *pick(&mut rng, BODIES));
        let query = *pick(&mut rng, QUERIES);
        let what = format!("{method} {route} query {query:?} body {body:?}");
        let mut side_index = 0;
        run.compare(what, |side| {
            let (me, group) = (side.users[0].user_id.clone(), groups[side_index].clone());
            side_index += 1;
            let mut path = route.replace("{me}", &me).replace("{group}", &group);
            if path.ends_with('?') {
                path.push_str(&query.replace("{me}", &me));
            }
            let auth = if path.contains("/authenticate/") {
                "Basic ZGVmYXVsdGtleTo=".to_string()
            } else {
                format!("Bearer {}", side.users[0].token)
            };
            let r = request(
                side.port,
                method,
                &path,
                &[("Authorization", auth.as_str())],
                body.map(str::as_bytes),
            )
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let mut answer = if r.body.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&r.body).unwrap_or_else(|_| Value::String(r.text()))
            };
            // Tokens are each host's own; Go's protojson puts a
            // non-breaking space in its messages at random.
            for token in ["token", "refresh_token"] {
                if let Some(t) = answer.get_mut(token) {
                    *t = json!(t.as_str().is_some_and(|t| !t.is_empty()));
                }
            }
            if let Some(m) = answer.get_mut("message") {
                if let Some(text) = m.as_str() {
                    *m = json!(text.replace('\u{a0}', " "));
                }
            }
            (r.status, answer)
        });
    }
}
