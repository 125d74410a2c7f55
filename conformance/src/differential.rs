//! Random client calls made on two hosts, their answers compared.
//!
//! The checks of the other modules hold what their authors thought of;
//! this finds what they did not. Each run makes its own users on both
//! hosts, then the same seeded sequence of calls (storage writes with and
//! without versions and permissions, reads, listings followed through
//! their cursors, deletes; friend invites, blocks, removals and listings;
//! leaderboard submissions with each operator, listings, haystacks and
//! deletes; the same and joins for tournaments; account updates, reads
//! and user look-ups; authentication, links and unlinks, session
//! refreshes, logouts and account deletions; groups made, joined, left,
//! managed and listed; a module's storage, storage index, wallet,
//! account, sign-in, friend, group, leaderboard, tournament,
//! notification, chat and cron nk calls, through `fixtures/fixture-nk`'s
//! `nk_raw`, with chat listed by clients too and notifications listed and
//! deleted by them; parties, chat, users' statuses and relayed matches on
//! the realtime socket, a module's authoritative matches joined there and
//! its presence stream calls on the sockets' sessions, with what every
//! socket receives; random label queries on a module's matches;
//! malformed or odd requests, and well-formed requests and socket
//! envelopes with a value or the text changed) and compares each
//! answer once ids, names, times and cursors are replaced by what they
//! stand for. Where an answer may still be arriving (what sockets
//! receive, what an index has taken in), sides that differ get a second,
//! longer look (`Run::compare_twice`). The first difference panics with
//! the seed, the call and both answers.
//!
//! Made to run against the dev host and a real Nakama
//! (`server/tests/integration/differential.rs`, run by `bridge/test.sh`).
//! This file holds the two sides and the comparison; each area's calls
//! are in a file of their own (`storage`, `social`, `sessions`, `scores`,
//! `nk`, `nkscores`, `messages`, `parties`, `chat`, `relayed`,
//! `matches`, `queries`, `streams`, `requests`, `bodies`, `envelopes`, `rpc`, `upgrades`;
//! what the socket areas share in `sockets`).

mod bodies;
mod chat;
mod envelopes;
mod matches;
mod messages;
mod nk;
mod nkscores;
mod parties;
mod queries;
mod relayed;
mod requests;
mod rpc;
mod scores;
mod sessions;
mod social;
mod sockets;
mod storage;
mod streams;
mod upgrades;

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::http::request;
use crate::misc::urlencode;
use crate::realtime::User;

pub use bodies::compare_mutated_requests;
pub use chat::compare_chat;
pub use envelopes::compare_mutated_envelopes;
pub use matches::compare_matches;
pub use messages::compare_messages;
pub use nk::{compare_nk_cron, compare_nk_social, compare_nk_wallets};
pub use nkscores::compare_nk_scores;
pub use parties::compare_parties;
pub use queries::compare_match_queries;
pub use relayed::compare_relayed;
pub use requests::compare_bad_requests;
pub use rpc::compare_rpc_requests;
pub use scores::{compare_leaderboards, compare_tournaments};
pub use sessions::compare_sessions;
pub use social::{compare_accounts, compare_friends, compare_groups};
pub use storage::{compare_nk_index, compare_nk_storage, compare_storage};
pub use streams::compare_nk_streams;
pub use upgrades::compare_socket_upgrades;

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
    /// Other things this side was given, by kind, in order (channel and
    /// message ids, sessions...): the same call on each side picks the
    /// same one by its place.
    kept: HashMap<String, Vec<String>>,
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
            kept: HashMap::new(),
        }
    }

    /// One call as `user`: its status and its JSON body (`null` if empty).
    fn call(&self, user: usize, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let bearer = format!("Bearer {}", self.users[user].token);
        http(self.port, method, path, &bearer, body)
    }

    /// `user` deletes its account, in a second after the one its token was
    /// made in (Nakama keeps a user's tokens of the second of a deletion).
    fn delete_account(&self, user: usize) -> (u16, Value) {
        sessions::next_second();
        self.call(user, "DELETE", "/v2/account", None)
    }

    /// What this side was given of `kind`, in order.
    fn kept(&mut self, kind: &str) -> &mut Vec<String> {
        self.kept.entry(kind.to_string()).or_default()
    }

    /// The `n`th (modulo how many) of `kind`, if any were given.
    fn nth_kept(&self, kind: &str, n: usize) -> Option<String> {
        let kept = self.kept.get(kind).filter(|k| !k.is_empty())?;
        Some(kept[n % kept.len()].clone())
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
                    .map(|(k, x)| match k.as_str() {
                        k if k.ends_with("cursor") => {
                            (k.into(), json!(x.as_str().is_some_and(|c| !c.is_empty())))
                        }
                        "token" | "refresh_token" => (k.clone(), self.normal(&claims(x))),
                        _ => (k.clone(), self.normal(x)),
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

/// A session or refresh token's claims, but its times; anything else as
/// it is.
fn claims(token: &Value) -> Value {
    use base64::Engine;
    let claims = token
        .as_str()
        .and_then(|t| t.split('.').nth(1))
        .and_then(|c| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
        })
        .and_then(|c| serde_json::from_slice::<Value>(&c).ok());
    match claims {
        Some(Value::Object(mut c)) => {
            c.remove("exp");
            c.remove("iat");
            Value::Object(c)
        }
        _ => token.clone(),
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
    /// `DIFFERENTIAL_REPORT=full`: a difference reports every call before
    /// it with its answer (the first side's), not the last 15 calls alone.
    full_report: bool,
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
            full_report: std::env::var("DIFFERENTIAL_REPORT").is_ok_and(|r| r == "full"),
        }
    }

    /// Makes one call on both sides (`call` gets each side) and compares
    /// the normalised answers.
    fn compare(&mut self, what: String, mut call: impl FnMut(&mut Side) -> (u16, Value)) {
        self.compare_twice(what, &mut (), |side, _| call(side), |_, _, answer| answer);
    }

    /// [`Run::compare`] for calls whose outcome may still be arriving
    /// when it is taken (what sockets receive after a call: a busy host
    /// can be late): when the sides differ, `again` gets each side, the
    /// `state` both closures share and that side's outcome, to complete
    /// it, and only then must they match.
    fn compare_twice<S>(
        &mut self,
        what: String,
        state: &mut S,
        mut call: impl FnMut(&mut Side, &mut S) -> (u16, Value),
        mut again: impl FnMut(&mut Side, &mut S, (u16, Value)) -> (u16, Value),
    ) {
        let mut raw: Vec<(u16, Value)> = self
            .sides
            .iter_mut()
            .map(|side| call(side, state))
            .collect();
        let normal = |sides: &[Side; 2], raw: &[(u16, Value)]| -> Vec<(u16, Value)> {
            sides
                .iter()
                .zip(raw)
                .map(|(side, (status, body))| (*status, side.normal(body)))
                .collect()
        };
        let mut answers = normal(&self.sides, &raw);
        if answers[0] != answers[1] {
            raw = self
                .sides
                .iter_mut()
                .zip(raw)
                .map(|(side, outcome)| again(side, state, outcome))
                .collect();
            let completed = normal(&self.sides, &raw);
            if completed[0] == completed[1] && completed != answers {
                eprintln!(
                    "seed {}: the hosts agreed on a second look: {what}",
                    self.seed
                );
            }
            answers = completed;
        }
        if answers[0] != answers[1] {
            let recent = match self.full_report {
                true => 0,
                false => self.log.len().saturating_sub(15),
            };
            panic!(
                "the hosts differ, seed {}, call {}: {what}\n  a (port {}): {} {}\n  b (port {}): {} {}\nthe calls before it:\n  {}",
                self.seed,
                self.log.len(),
                self.sides[0].port,
                answers[0].0,
                answers[0].1,
                self.sides[1].port,
                answers[1].0,
                answers[1].1,
                self.log[recent..].join("\n  "),
            );
        }
        self.log.push(match self.full_report {
            true => format!("{what}\n    => {} {}", answers[0].0, answers[0].1),
            false => what,
        });
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

/// One call with `authorization`: its status and its JSON body (`null`
/// if empty, a string if not JSON).
fn http(
    port: u16,
    method: &str,
    path: &str,
    authorization: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let body = body.map(Value::to_string);
    let r = request(
        port,
        method,
        path,
        &[("Authorization", authorization)],
        body.as_deref().map(str::as_bytes),
    )
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    // Go's 431 (a request head past Nakama's limit) has a text body,
    // hyper's none (`routes::check_head_limit`): the status says it.
    let json = if r.body.is_empty() || r.status == 431 {
        Value::Null
    } else {
        serde_json::from_slice(&r.body).unwrap_or_else(|_| Value::String(r.text()))
    };
    (r.status, json)
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
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

    /// A version to send: none, `*`, a wrong one, one with a NUL, or one
    /// seen before.
    fn version(&self, pick: f32, seen: usize) -> Option<String> {
        match pick {
            p if p < 0.4 => None,
            p if p < 0.5 => Some("*".into()),
            p if p < 0.55 => Some("not-a-version".into()),
            p if p < 0.58 => Some("v\0".into()),
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

    /// A module's listing through `nk_raw`, followed through its cursor:
    /// `function` called with `args` and `"cursor"` (first empty, then the
    /// answer's `ok.<cursor_field>`) until an answer has none or `max`
    /// pages are in; each page with its status.
    fn nk_pages(
        &self,
        function: &str,
        mut args: Value,
        cursor_field: &str,
        max: usize,
    ) -> Vec<(u16, Value)> {
        let mut pages = Vec::new();
        loop {
            let (status, page) = self.nk(function, args.clone());
            let cursor = page["ok"][cursor_field].as_str().unwrap_or("").to_string();
            pages.push((status, page));
            if cursor.is_empty() || pages.len() == max {
                return pages;
            }
            args["cursor"] = cursor.into();
        }
    }
}

/// `v` without the fields that follow each host's clock: when a
/// tournament's period starts and ends and when its resets were and will
/// be, in Unix seconds (each host makes its tournaments, from "now", at
/// its own moment). Fields named `*_time` [`Side::normal`] leaves out.
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
