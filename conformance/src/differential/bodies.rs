//! Well-formed client requests with one part made odd
//! (`compare_mutated_requests`).

use serde_json::{json, Value};

use super::requests::comparable;
use super::{pick, Hosts, Run};
use crate::http::request;

/// A route and a body it takes, whose values at `slots` (JSON pointers)
/// the calls replace, and query parameters they may add.
struct Template {
    method: &'static str,
    path: &'static str,
    body: &'static str,
    slots: &'static [&'static str],
    params: &'static [&'static str],
}

/// `{run}` is the run's suffix, `{me}` the user's id, `{group}` a group
/// the user made, `{n}` the call's number.
#[rustfmt::skip]
const TEMPLATES: &[Template] = &[
    Template { method: "PUT", path: "/v2/storage",
        body: r#"{"objects":[{"collection":"c{run}","key":"k{n}","value":"{\"a\":1}","version":"","permission_read":1,"permission_write":1}]}"#,
        slots: &["/objects", "/objects/0", "/objects/0/collection", "/objects/0/key", "/objects/0/value",
            "/objects/0/version", "/objects/0/permission_read", "/objects/0/permission_write"], params: &[] },
    Template { method: "POST", path: "/v2/storage",
        body: r#"{"object_ids":[{"collection":"c{run}","key":"k1","user_id":"{me}"}]}"#,
        slots: &["/object_ids", "/object_ids/0", "/object_ids/0/collection", "/object_ids/0/key", "/object_ids/0/user_id"], params: &[] },
    Template { method: "PUT", path: "/v2/storage/delete",
        body: r#"{"object_ids":[{"collection":"c{run}","key":"k{n}","version":""}]}"#,
        slots: &["/object_ids", "/object_ids/0/collection", "/object_ids/0/key", "/object_ids/0/version"], params: &[] },
    Template { method: "PUT", path: "/v2/account",
        body: r#"{"display_name":"d","avatar_url":"a","lang_tag":"en","location":"l","timezone":"t"}"#,
        slots: &["/display_name", "/avatar_url", "/lang_tag", "/location", "/timezone"], params: &[] },
    Template { method: "POST", path: "/v2/group",
        body: r#"{"name":"g{run}-{n}","description":"d","lang_tag":"en","avatar_url":"a","open":true,"max_count":10}"#,
        slots: &["/name", "/description", "/lang_tag", "/avatar_url", "/open", "/max_count"], params: &[] },
    Template { method: "PUT", path: "/v2/group/{group}",
        body: r#"{"description":"d","lang_tag":"en","avatar_url":"a","open":false}"#,
        slots: &["/description", "/lang_tag", "/avatar_url", "/open", "/group_id", "/name"], params: &[] },
    Template { method: "POST", path: "/v2/account/authenticate/custom?create=true",
        body: r#"{"id":"custom{run}-{n}","vars":{"k":"v"}}"#,
        slots: &["/id", "/vars", "/vars/k"], params: &["create", "username", "username"] },
    Template { method: "POST", path: "/v2/account/authenticate/device?create=true",
        body: r#"{"id":"device{run}-{n}","vars":{}}"#,
        slots: &["/id", "/vars"], params: &["create", "username"] },
    Template { method: "POST", path: "/v2/account/link/custom",
        body: r#"{"id":"link{run}-{n}","vars":{}}"#,
        slots: &["/id", "/vars"], params: &[] },
    Template { method: "POST", path: "/v2/event",
        body: r#"{"name":"e","properties":{"k":"v"},"timestamp":"2024-01-01T00:00:00Z","external":true}"#,
        slots: &["/name", "/properties", "/properties/k", "/timestamp", "/external"], params: &[] },
    Template { method: "POST", path: "/v2/leaderboard/open_{run}",
        body: r#"{"score":"5","subscore":"1","metadata":"{\"a\":1}","operator":"SET"}"#,
        slots: &["/score", "/subscore", "/metadata", "/operator"], params: &[] },
    Template { method: "POST", path: "/v2/leaderboard/auth_{run}",
        body: r#"{"score":"5"}"#, slots: &["/score", "/operator"], params: &[] },
    Template { method: "GET", path: "/v2/leaderboard/open_{run}?", body: "", slots: &[],
        params: &["limit", "cursor", "owner_ids", "expiry"] },
    Template { method: "GET", path: "/v2/leaderboard/open_{run}/owner/{me}?", body: "", slots: &[],
        params: &["limit", "cursor", "expiry"] },
    Template { method: "POST", path: "/v2/tournament/t_join_{run}/join", body: "", slots: &[], params: &[] },
    Template { method: "POST", path: "/v2/tournament/t_open_{run}/join", body: "", slots: &[], params: &[] },
    Template { method: "PUT", path: "/v2/tournament/t_open_{run}",
        body: r#"{"score":"5","subscore":"1","metadata":"{}","operator":"INCREMENT"}"#,
        slots: &["/score", "/subscore", "/metadata", "/operator"], params: &[] },
    Template { method: "POST", path: "/v2/tournament/t_join_{run}",
        body: r#"{"score":"7","operator":"BEST"}"#,
        slots: &["/score", "/subscore", "/operator"], params: &[] },
    Template { method: "GET", path: "/v2/tournament/t_open_{run}?", body: "", slots: &[],
        params: &["limit", "cursor", "owner_ids", "expiry"] },
    Template { method: "GET", path: "/v2/tournament/t_open_{run}/owner/{me}?", body: "", slots: &[],
        params: &["limit", "cursor", "expiry"] },
    Template { method: "GET", path: "/v2/storage/c{run}?", body: "", slots: &[],
        params: &["limit", "cursor", "user_id"] },
    Template { method: "GET", path: "/v2/group?", body: "", slots: &[],
        params: &["name", "lang_tag", "members", "open", "limit", "cursor"] },
    Template { method: "GET", path: "/v2/friend?", body: "", slots: &[],
        params: &["limit", "state", "cursor"] },
    Template { method: "GET", path: "/v2/notification?", body: "", slots: &[],
        params: &["limit", "cacheable_cursor"] },
    Template { method: "GET", path: "/v2/user?", body: "", slots: &[],
        params: &["ids", "usernames", "facebook_ids"] },
    Template { method: "GET", path: "/v2/match?", body: "", slots: &[],
        params: &["limit", "authoritative", "label", "min_size", "max_size", "query"] },
    Template { method: "GET", path: "/v2/group/{group}/user?", body: "", slots: &[],
        params: &["limit", "state", "cursor"] },
    Template { method: "POST", path: "/v2/friend?", body: "", slots: &[],
        params: &["ids", "usernames", "metadata"] },
];

/// What a query parameter is given (URL-encoded; not to bytes that are
/// not UTF-8, which Go keeps and the dev host reads as U+FFFD).
const PARAM_VALUES: &[&str] = &[
    "",
    "5",
    "-1",
    "0",
    "abc",
    "1.5",
    "1e2",
    "true",
    "false",
    "TRUE",
    "1",
    "t",
    "f",
    "2147483648",
    "-2147483649",
    "4294967296",
    "9223372036854775808",
    "%00",
    "%20",
    "+5",
    "%2B5",
    "0x10",
    "05",
    "null",
    "[1]",
    "%ZZ",
    "a%20b",
    "%C3%A9",
    "%C2%A0",
    "{me}",
    "%7B%7D",
    "a&x",
    "%26",
];

/// What a slot is given: JSON values of every kind, and text that is
/// not JSON at all.
pub(super) const VALUES: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "5.5",
    "1e3",
    "5.0",
    "0.5e1",
    "-0",
    "1e400",
    "-1e400",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967296",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    r#""""#,
    r#""x""#,
    r#""5""#,
    r#"" 5""#,
    r#""5 ""#,
    r#""+5""#,
    r#""-0""#,
    r#""5.0""#,
    r#""1e3""#,
    r#""0x10""#,
    r#""NaN""#,
    r#""Infinity""#,
    r#""true""#,
    r#""True""#,
    r#""\u0000""#,
    r#""\ud800""#,
    r#""\u00e9""#,
    r#""é""#,
    r#""a\"b""#,
    r#""2024-01-01T00:00:00Z""#,
    r#""2024-01-01T00:00:00+01:00""#,
    r#""2024-01-01""#,
    r#""1e""#,
    "[]",
    "{}",
    "[1]",
    r#"["x"]"#,
    r#"{"value":"x"}"#,
    r#"{"value":5}"#,
    r#"{"k":1}"#,
    r#"{"k":null}"#,
    "01",
    "+1",
    ".5",
    "1.",
    "NaN",
    "tru",
    "'x'",
    "x",
    r#""x"#,
    "[",
    "{",
];

/// `calls` well-formed client requests (storage, account, groups,
/// authentication, links, events) with one or two of their values
/// replaced by one of a list of odd values (a string where a number goes, numbers
/// past their kind, fractions, wrappers' objects, bad escapes...), now and
/// then the text itself changed (a key twice or in lowerCamel, trailing
/// text, a byte order mark, a trailing comma, cut short, in an array).
/// Compared: the status and the body (protojson's and Nakama's words).
pub fn compare_mutated_requests(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    let suffix = format!("{}{seed}", crate::run_suffix());
    // Leaderboards open_{suffix} and auth_{suffix}, tournaments
    // t_open_{suffix} and t_join_{suffix} (and others).
    run.setup("nk_leaderboard_setup", &suffix);
    run.setup("nk_tournament_setup", &suffix);
    let mut groups = Vec::new();
    for side in run.sides.iter_mut() {
        let made = side.call(
            0,
            "POST",
            "/v2/group",
            Some(&json!({ "name": format!("mut{suffix}") })),
        );
        let id = made.1["id"].as_str().unwrap_or("none").to_string();
        side.names.insert(id.clone(), "G".into());
        groups.push(id);
    }
    for n in 0..calls {
        let template = pick(&mut rng, TEMPLATES);
        let replaced: Vec<(&str, &str)> = match template.slots.len() {
            0 => Vec::new(),
            slots => (0..1 + usize::from(rng.f32() < 0.3))
                .map(|_| (template.slots[rng.usize(..slots)], *pick(&mut rng, VALUES)))
                .collect(),
        };
        let params: Vec<(&str, &str)> = match template.params.len() {
            0 => Vec::new(),
            n => (0..rng.usize(..=2 + usize::from(template.body.is_empty())))
                .map(|_| {
                    (
                        template.params[rng.usize(..n)],
                        *pick(&mut rng, PARAM_VALUES),
                    )
                })
                .collect(),
        };
        let text_change = (rng.f32() < 0.2).then(|| rng.usize(..TEXT_CHANGES));
        let cut = rng.f32();
        let what = format!(
            "{} {}: {replaced:?}, params {params:?}, text change {text_change:?} (cut {cut:.2})",
            template.method, template.path
        );
        let mut side_index = 0;
        run.compare(what, |side| {
            let (me, group) = (side.users[0].user_id.clone(), groups[side_index].clone());
            side_index += 1;
            let fill = |s: &str| {
                s.replace("{run}", &suffix)
                    .replace("{me}", &me)
                    .replace("{group}", &group)
                    .replace("{n}", &n.to_string())
            };
            let body = match template.body {
                "" => String::new(),
                b => changed_text(&with_values(&fill(b), &replaced), text_change, cut),
            };
            let auth = if template.path.contains("/authenticate/") {
                "Basic ZGVmYXVsdGtleTo=".to_string()
            } else {
                format!("Bearer {}", side.users[0].token)
            };
            let mut path = fill(template.path);
            for (name, value) in &params {
                if !path.ends_with('?') {
                    path.push(if path.contains('?') { '&' } else { '?' });
                }
                path.push_str(&format!("{name}={}", fill(value)));
            }
            let body = (template.method != "GET").then_some(body.as_bytes());
            let r = request(
                side.port,
                template.method,
                &path,
                &[("Authorization", auth.as_str())],
                body,
            )
            .unwrap_or_else(|e| panic!("{} {path}: {e}", template.method));
            let mut answer = comparable(&r);
            // Users looked up as PostgreSQL finds them: by username here.
            if let Some(Value::Array(all)) = answer.get_mut("users") {
                all.sort_by_key(|u| u["username"].as_str().unwrap_or("").to_string());
            }
            // Friends added by one call are ordered as Nakama's map of
            // them iterated, groups listed by a filter span every run's
            // (each host's tie order by random ids): how many (pages
            // hold different ones).
            for list in ["friends", "groups"] {
                if let Some(Value::Array(all)) = answer.get(list) {
                    answer[list] = all.len().into();
                }
            }
            // grpc-gateway reads query parameters in a Go map's order: of
            // two it refuses, either may be named.
            let names: std::collections::HashSet<&str> = params.iter().map(|(n, _)| *n).collect();
            if let (true, Some(m)) = (names.len() > 1, answer["message"].as_str()) {
                if m.starts_with("parsing field ") || m.starts_with("too many values ") {
                    answer["message"] = "(a query parameter's refusal)".into();
                }
            }
            (r.status, answer)
        });
    }
}

/// `body` (JSON) with the value at each pointer replaced by the raw text
/// given (which may not be JSON); a pointer to nothing adds the key to
/// its object.
pub(super) fn with_values(body: &str, replaced: &[(&str, &str)]) -> String {
    let mut value: Value = serde_json::from_str(body).expect("a template is JSON");
    for (i, (pointer, _)) in replaced.iter().enumerate() {
        let mark = Value::String(format!("@@slot{i}@@"));
        match value.pointer_mut(pointer) {
            Some(slot) => *slot = mark,
            None => {
                let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
                if let Some(Value::Object(o)) = value.pointer_mut(parent) {
                    o.insert(key.to_string(), mark);
                }
            }
        }
    }
    let mut text = value.to_string();
    for (i, (_, raw)) in replaced.iter().enumerate() {
        text = text.replace(&format!("\"@@slot{i}@@\""), raw);
    }
    text
}

/// How many ways [`changed_text`] has.
pub(super) const TEXT_CHANGES: usize = 8;

/// `text` changed the `change`th way (`cut`: where, as a share of it).
pub(super) fn changed_text(text: &str, change: Option<usize>, cut: f32) -> String {
    let Some(change) = change else {
        return text.to_string();
    };
    let inner = text.strip_prefix('{').unwrap_or(text);
    match change {
        // The first key again, then as protojson's lowerCamel name.
        0 => {
            let first = inner.split(',').next().unwrap_or("").trim_end_matches('}');
            format!("{{{first},{inner}")
        }
        1 => {
            let first = inner.split(',').next().unwrap_or("").trim_end_matches('}');
            format!("{{{},{inner}", camel(first))
        }
        2 => format!("{text} x"),
        3 => format!("\u{feff}{text}"),
        4 => format!("{},}}", text.trim_end_matches('}')),
        5 => {
            let at = (text.len() as f32 * cut) as usize;
            let at = (0..=at)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text[..at].to_string()
        }
        6 => format!("[{text}]"),
        _ => format!("{text}{text}"),
    }
}

/// A `"snake_case":value` pair with its key in lowerCamel.
fn camel(pair: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    let key_end = pair.find("\":").unwrap_or(0);
    for (i, c) in pair.char_indices() {
        if i < key_end && c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
