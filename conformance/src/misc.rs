//! Notifications by id and to everyone, leaderboard listing, ranks
//! disabled and cursors from a rank, cron, files under the runtime path,
//! metrics, and party listing (the nk function and the client's
//! `GET /v2/party` with its hooks), through `fixtures/fixture-nk`'s
//! `nk_misc_*` RPCs. The expected answers are what Nakama 3.40.0 answered
//! through the bridge.

use std::path::Path;

use serde_json::{json, Value};

use crate::http::request;
use crate::nk::call;
use crate::realtime::{Socket, User};

/// Calls `rpc` with `body` and checks the answer's cases against `want`
/// (set `PRINT_GOT=1` to see the whole answer).
fn check_cases(port: u16, rpc: &str, body: &str, want: &str) -> Value {
    let (status, got) = call(port, rpc, body);
    assert_eq!(status, 200, "{got}");
    if std::env::var_os("PRINT_GOT").is_some() {
        eprintln!(
            "{rpc}: {}",
            serde_json::to_string_pretty(&got).unwrap_or_default()
        );
    }
    let want: Value = serde_json::from_str(want).expect("the expected answer is JSON");
    crate::assert_cases(&got, &want);
    got
}

/// What `nk_misc_notifications` answers: stored notifications read by
/// id (anyone's, or one user's; ids in any case; unknown ones left out),
/// changed (subject, content and sender; a subject alone leaves the
/// content; unknown ids pass; a sender that is not a UUID reaches PostgreSQL), deleted per user (another user's id
/// passes) and by id, with Nakama's refusals. A user id that is not a UUID
/// reaches PostgreSQL, whose refusal Nakama passes on.
const NOTIFICATIONS: &str = r#"{
  "after_delete": [
    {"code": 7, "content": {"n": 2}, "has_time": true, "persistent": true, "sender": "", "subject": "a2-subject-only", "user": "a"},
    {"code": 7, "content": {"n": 2}, "has_time": true, "persistent": true, "sender": "", "subject": "b1", "user": "b"}
  ],
  "after_delete_id": 0,
  "delete_bad_id": [3, "expects notificationID to be a valid UUID"],
  "delete_bad_user": [3, "expects userID to be a valid UUID"],
  "delete_id_bad_id": [3, "expects id to be a valid uuid"],
  "delete_id_bad_user": [3, "expects id to be a valid uuid"],
  "delete_id_empty": null,
  "get_bad_id": [3, "expects id to be a valid id string"],
  "get_bad_user": [13, "failed to list notifications by id: ERROR: invalid input syntax for type uuid: \"nope\" (SQLSTATE 22P02)"],
  "got_a": [
    {"code": 7, "content": {"n": 2}, "has_time": true, "persistent": true, "sender": "", "subject": "a1", "user": "a"},
    {"code": 7, "content": {"n": 2}, "has_time": true, "persistent": true, "sender": "", "subject": "a2", "user": "a"}
  ],
  "got_all": [
    {"code": 7, "content": {"n": 2}, "has_time": true, "persistent": true, "sender": "", "subject": "a1", "user": "a"},
    {"code": 7, "content": {"n": 2}, "has_time": true, "persistent": true, "sender": "", "subject": "a2", "user": "a"},
    {"code": 7, "content": {"n": 2}, "has_time": true, "persistent": true, "sender": "", "subject": "b1", "user": "b"}
  ],
  "got_none": 0,
  "kept_for_another_user": 1,
  "update_bad_id": [3, "expects id to be a valid UUID"],
  "update_bad_sender": [13, "failed to update notifications: ERROR: invalid input syntax for type uuid: \"nope\" (SQLSTATE 22P02)"],
  "update_none": null,
  "updated": [
    {"code": 7, "content": {"changed": true}, "has_time": true, "persistent": true, "sender": "b", "subject": "a1-changed", "user": "a"},
    {"code": 7, "content": {"n": 2}, "has_time": true, "persistent": true, "sender": "", "subject": "a2-subject-only", "user": "a"}
  ],
  "upper_case_id": 1
}"#;

/// fixture-nk's `nk_misc_notifications` answers as Nakama does.
pub fn check_notifications(port: u16) {
    let suffix = crate::run_suffix();
    let a = User::new(port, &format!("mn-a-{suffix}"), &format!("mna{suffix}"));
    let b = User::new(port, &format!("mn-b-{suffix}"), &format!("mnb{suffix}"));
    let body = json!({"a": a.user_id, "b": b.user_id}).to_string();
    check_cases(port, "nk_misc_notifications", &body, NOTIFICATIONS);
}

fn notifications_of(port: u16, user: &User) -> Vec<Value> {
    let r = request(
        port,
        "GET",
        "/v2/notification?limit=100",
        &[("Authorization", &format!("Bearer {}", user.token))],
        None,
    )
    .expect("list notifications");
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["notifications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// `notification_send_all`: refusals; one not persistent reaches every
/// open socket (of any user) and is not stored; a persistent one is
/// stored for every user, connected or not, and pushed to those
/// connected.
pub fn check_send_all(port: u16) {
    let suffix = crate::run_suffix();
    let a = User::new(port, &format!("sa-a-{suffix}"), &format!("saa{suffix}"));
    let b = User::new(port, &format!("sa-b-{suffix}"), &format!("sab{suffix}"));
    let away = User::new(port, &format!("sa-c-{suffix}"), &format!("sac{suffix}"));
    let send = |subject: &str, code: i32, persistent: bool| {
        let body = json!({"subject": subject, "code": code, "persistent": persistent});
        let (status, got) = call(port, "nk_misc_send_all", &body.to_string());
        assert_eq!(status, 200, "{got}");
        got
    };
    assert_eq!(
        send("", 1, true),
        json!([3, "expects subject to be a non-empty string"])
    );
    assert_eq!(
        send("s", 0, false),
        json!([3, "expects code to number above 0"])
    );
    assert_eq!(
        send("s", -1000, false),
        json!([3, "expects code to number above 0"])
    );
    let mut sa = Socket::open(port, &a);
    let mut sb = Socket::open(port, &b);
    sa.ready();
    sb.ready();
    let live = format!("live-{suffix}");
    assert_eq!(send(&live, 3, false), Value::Null);
    let kept = format!("kept-{suffix}");
    for s in [&mut sa, &mut sb] {
        let e = s.wait_for("the notification to all", |e| {
            e["notifications"]["notifications"][0]["subject"] == live.as_str()
        });
        let n = &e["notifications"]["notifications"][0];
        assert_eq!(n["code"], 3, "{e}");
        assert_eq!(n["persistent"], Value::Null, "not persistent: {e}");
        assert_eq!(
            n["sender_id"], "00000000-0000-0000-0000-000000000000",
            "{e}"
        );
        let content: Value = serde_json::from_str(n["content"].as_str().unwrap()).unwrap();
        assert_eq!(content, json!({"to": "all"}));
    }
    assert_eq!(send(&kept, 4, true), Value::Null);
    for s in [&mut sa, &mut sb] {
        let e = s.wait_for("the stored notification to all", |e| {
            e["notifications"]["notifications"][0]["subject"] == kept.as_str()
        });
        assert_eq!(e["notifications"]["notifications"][0]["persistent"], true);
    }
    for user in [&a, &b, &away] {
        crate::eventually("the notification to all is stored", || {
            let listed = notifications_of(port, user);
            let subjects: Vec<&str> = listed
                .iter()
                .filter_map(|n| n["subject"].as_str())
                .collect();
            if subjects.contains(&live.as_str()) {
                return Err(format!("the live one was stored: {subjects:?}"));
            }
            subjects
                .contains(&kept.as_str())
                .then_some(())
                .ok_or_else(|| format!("{subjects:?}"))
        });
    }
    sa.close();
    sb.close();
}

/// What `nk_misc_leaderboards` answers (`SUFFIX`: the run's suffix): the
/// leaderboards listed one per page in the order they were created
/// (not the tournament); cursors from a rank listing from that rank, with
/// a previous page; ranks disabled: records written and owners' records
/// carry no rank (0) while pages count places, and no cursor from a rank;
/// Nakama's refusals. Nakama forgets that a tournament whose ranks were
/// disabled is one (until restarted): the cases after `t_disable` are
/// checked apart ([`check_leaderboards`]).
const LEADERBOARDS: &str = r#"{
  "bad_expiry": [3, "expects expiry to equal or greater than 0"],
  "cup_written": ["00000000-0000-4000-8000-00000000000b", 7, 1],
  "empty": [5, "failed to get cursor from rank: rank cache for leaderboard \"lb2_SUFFIX\" with expiry 0 not found"],
  "from_rank_1": "",
  "from_rank_disabled": [5, "failed to get cursor from rank: rank cache for leaderboard \"lb1_SUFFIX\" with expiry 0 not found"],
  "lb_disable_tournament": [5, "leaderboard not found"],
  "lb_disable_unknown": [5, "leaderboard not found"],
  "list_bad_cursor": [3, "expects cursor to be valid when provided"],
  "list_limit_0": [3, "limit must be 1-100"],
  "list_limit_101": [3, "limit must be 1-100"],
  "listed": [
    {"id": "lb1_", "resets": false, "sort_order": 1},
    {"id": "lb2_", "resets": false, "sort_order": 1},
    {"id": "lb3_", "resets": true, "sort_order": 0}
  ],
  "no_id": [3, "invalid leaderboard id"],
  "owners_after_disable": [
    ["00000000-0000-4000-8000-00000000000a", 60, 0],
    ["00000000-0000-4000-8000-00000000000b", 40, 0]
  ],
  "page3": [
    ["00000000-0000-4000-8000-00000000000c", 30, 3],
    ["00000000-0000-4000-8000-00000000000d", 20, 4]
  ],
  "page3_cursors": [false, false],
  "page3_prev": [
    ["00000000-0000-4000-8000-00000000000a", 50, 1],
    ["00000000-0000-4000-8000-00000000000b", 40, 2]
  ],
  "page5": [
    ["00000000-0000-4000-8000-00000000000e", 10, 5]
  ],
  "page5_next": true,
  "page_after_disable": [
    ["00000000-0000-4000-8000-00000000000a", 60, 1],
    ["00000000-0000-4000-8000-00000000000b", 40, 2]
  ],
  "rank_0": [3, "invalid rank - must be > 1"],
  "rank_6": null,
  "rank_7": [5, "failed to get cursor from rank: rank entry 6 not found for leaderboard \"lb1_SUFFIX\" with expiry 0"],
  "t_disable": null,
  "t_disable_leaderboard": [5, "tournament not found"],
  "t_disable_unknown": [5, "tournament not found"],
  "unknown": [5, "leaderboard not found"],
  "written_after_disable": ["00000000-0000-4000-8000-00000000000a", 60, 0]
}"#;

/// fixture-nk's `nk_misc_leaderboards` answers as Nakama does.
pub fn check_leaderboards(port: u16) {
    let suffix = crate::run_suffix();
    let want = LEADERBOARDS.replace("SUFFIX", &suffix);
    let (status, got) = call(
        port,
        "nk_misc_leaderboards",
        &json!({ "suffix": suffix }).to_string(),
    );
    assert_eq!(status, 200, "{got}");
    if std::env::var_os("PRINT_GOT").is_some() {
        eprintln!("{}", serde_json::to_string_pretty(&got).unwrap_or_default());
    }
    // After its ranks are disabled, the hosts part: Nakama 3.40.0 puts
    // the tournament back in its cache as a plain leaderboard (no reset,
    // so records of expiry 0, of which it has none): nothing is listed.
    // The dev host keeps the tournament: its records, the owner's with no
    // rank, a page still counting places.
    let mut got = got;
    let after: Vec<Value> = ["cup_owners_after_disable", "cup_page_after_disable"]
        .iter()
        .map(|k| {
            got.as_object_mut()
                .and_then(|o| o.remove(*k))
                .unwrap_or_default()
        })
        .collect();
    let nakama = json!([[], []]);
    let dev_host = json!([
        [["00000000-0000-4000-8000-00000000000a", 5, 0]],
        [
            ["00000000-0000-4000-8000-00000000000b", 7, 1],
            ["00000000-0000-4000-8000-00000000000a", 5, 2]
        ]
    ]);
    let after = Value::Array(after);
    assert!(
        after == nakama || after == dev_host,
        "the tournament's records after its ranks were disabled: {after}"
    );
    let want: Value = serde_json::from_str(&want).expect("the expected answer is JSON");
    crate::assert_cases(&got, &want);
}

/// What `nk_misc_cron` answers: `[next, prev]` of each expression (five
/// fields, a year after them, or seconds before and a year after) at a
/// time (2026-01-01T12:34:56Z, a Thursday, or that day's midnight), Go's
/// zero time (year 1) when nothing matches, and the refusals.
const CRON: &str = r#"{
  "*/15 * * * * @ 1767270896": [1767271500, 1767270600],
  "0 0 * * * @ 1767225600": [1767312000, 1767139200],
  "0 0 * * * @ 1767270896": [1767312000, 1767225600],
  "0 0 1 */3 * @ 1767270896": [1775001600, 1767225600],
  "0 0 31 2 * @ 1767270896": [-62135596800, -62135596800],
  "0 0 1 1 * 2030 @ 1767270896": [1893456000, -62135596800],
  "0 12 * * * 2020 @ 1767270896": [-62135596800, 1609416000],
  "30 15 10 * * * * @ 1767270896": [1767348930, 1767262530],
  "30 9 * * 1 @ 1767270896": [1767605400, 1767000600],
  "5 4 * * sun @ 1767270896": [1767499500, 1766894700],
  "@daily @ 1767225600": [1767312000, 1767139200],
  "@hourly @ 1767270896": [1767272400, 1767268800],
  "@monthly @ 1767270896": [1769904000, 1767225600],
  "@weekly @ 1767270896": [1767484800, 1766880000],
  "@yearly @ 1767270896": [1798761600, 1767225600],
  "bad \"\"": [3, "expects a valid cron string"],
  "bad \"* * *\"": [3, "expects a valid cron string"],
  "bad \"61 * * * *\"": [3, "expects a valid cron string"],
  "bad \"nope\"": [3, "expects a valid cron string"],
  "bad prev": [3, "expects a valid cron string"]
}"#;

/// fixture-nk's `nk_misc_cron` answers as Nakama does.
pub fn check_cron(port: u16) {
    check_cases(port, "nk_misc_cron", "", CRON);
}

/// `read_file` under the runtime path `runtime` of the host on `port`:
/// a file, the same through `..` and as an absolute path (joined under
/// the runtime path all the same), a missing file (`NOT_FOUND`, Go's
/// message with the whole path) and the folder itself.
pub fn check_read_file(port: u16, runtime: &Path) {
    std::fs::write(
        runtime.join("misc-read.txt"),
        "hello from the runtime path\n",
    )
    .expect("write a file into the runtime path");
    let read = |path: &str| {
        let (status, got) = call(port, "nk_misc_file", &json!({ "path": path }).to_string());
        assert_eq!(status, 200, "{got}");
        got
    };
    for path in ["misc-read.txt", "sub/../misc-read.txt", "/misc-read.txt"] {
        assert_eq!(
            read(path),
            json!({"text": "hello from the runtime path\n"}),
            "{path}"
        );
    }
    let missing = read("missing.txt");
    assert_eq!(missing["code"], 5, "{missing}");
    let message = missing["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("open /")
            && message.ends_with("/missing.txt: no such file or directory"),
        "{missing}"
    );
    let folder = read("");
    assert_eq!(folder["code"], 13, "{folder}");
    let message = folder["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("read /") && message.ends_with(": is a directory"),
        "{folder}"
    );
}

/// Settings a host is started with for [`check_config`]: in the
/// sections both hosts have, a number among them.
pub const CONFIG_SETTINGS: &[&str] = &[
    "--session.refresh_token_expiry_sec",
    "9000",
    "--runtime.env",
    "CONFIG_CHECK=first",
    "--runtime.env",
    "CONFIG_CHECK=a=b",
];

/// Settings in the sections only Nakama has (`social`, `iap`,
/// `google_auth`: the dev host contacts no provider or store), one or
/// more in each.
pub const PROVIDER_SETTINGS: &[&str] = &[
    "--social.steam.app_id",
    "480",
    "--social.facebook_limited_login.app_id",
    "fb-app",
    "--social.apple.bundle_id",
    "com.example.game",
    "--iap.apple.notifications_endpoint_id",
    "apple-notify",
    "--iap.google.client_email",
    "iap@example.com",
    "--iap.huawei.client_secret",
    "hw-secret",
    "--iap.facebook_instant.app_secret",
    "fbi-secret",
    "--iap.samsung.package_name",
    "com.example.samsung",
    "--google_auth.credentials_json",
    // Nakama reads it at startup as an OAuth client's (`web` or
    // `installed`, with a redirect URL).
    "{\"web\":{\"client_id\":\"cid\",\"redirect_uris\":[\"http://localhost/cb\"]}}",
];

/// `get_config` on a host listening on `port`, started with
/// [`CONFIG_SETTINGS`] (and [`PROVIDER_SETTINGS`] when `providers`):
/// those settings where Nakama reports them, and its defaults for the
/// rest (the test servers' keys and the node's name are their own).
pub fn check_config(port: u16, providers: bool) {
    let (status, c) = call(port, "nk_misc_config", "");
    assert_eq!(status, 200, "{c}");
    let at = |path: &str| c.pointer(path).cloned().unwrap_or(Value::Null);
    // Each provider setting as given, or Nakama's default (empty, 0).
    for pair in PROVIDER_SETTINGS.chunks(2) {
        let path = format!("/{}", pair[0].trim_start_matches("--").replace('.', "/"));
        let given = (pair[1].parse::<i64>()).map_or_else(|_| json!(pair[1]), |n| json!(n));
        let want = match (providers, given.is_number()) {
            (true, _) => given,
            (false, true) => json!(0),
            (false, false) => json!(""),
        };
        assert_eq!(at(&path), want, "{path} in {c}");
    }
    for (path, want) in [
        ("/session/refresh_token_expiry_sec", json!(9000)),
        ("/social/steam/publisher_key", json!("")),
        ("/iap/huawei/client_id", json!("")),
        ("/socket/port", json!(port)),
        ("/socket/protocol", json!("tcp")),
        ("/socket/server_key", json!("defaultkey")),
        ("/runtime/http_key", json!("defaulthttpkey")),
        ("/session/single_session", json!(false)),
        ("/session/single_socket", json!(false)),
        ("/shutdown_grace_sec", json!(0)),
        ("/satori/url", json!("")),
    ] {
        assert_eq!(at(path), want, "{path} in {c}");
    }
    // One entry per key, the last given, sorted (as Nakama rewrites it).
    let env: Vec<&str> = (c["runtime"]["env"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    let checks: Vec<_> = env
        .iter()
        .filter(|e| e.starts_with("CONFIG_CHECK="))
        .collect();
    assert_eq!(checks, [&"CONFIG_CHECK=a=b"], "{c}");
    assert!(env.is_sorted(), "{c}");
    for path in [
        "/name",
        "/session/encryption_key",
        "/session/refresh_encryption_key",
    ] {
        assert!(
            !at(path).as_str().unwrap_or_default().is_empty(),
            "{path} in {c}"
        );
    }
    // As given: the tests start Nakama with `INFO`, the dev host with
    // `ERROR` (both read it without regard to case).
    let level = at("/logger/level");
    assert!(
        ["INFO", "ERROR"].contains(&level.as_str().unwrap_or_default()),
        "{c}"
    );
}

/// The metrics functions answer.
pub fn check_metrics(port: u16) {
    assert_eq!(call(port, "nk_misc_metrics", ""), (200, json!("done")));
}

/// The Prometheus exporter on `metrics_port` (`metrics.prometheus_port`;
/// Nakama run with `metrics.reporting_freq_sec` 1, since it flushes
/// periodically): the custom metrics `nk_misc_metrics` records, named
/// `nakama_custom_*` with the node's name and the tags as labels, the RPC
/// calls' series over HTTP and the socket, and the client API calls'
/// (refused ones included). Nakama's node is `nakama1`.
pub fn check_prometheus(port: u16, metrics_port: u16) {
    for _ in 0..2 {
        assert_eq!(call(port, "nk_misc_metrics", ""), (200, json!("done")));
    }
    let user = User::new(port, "prometheus-metrics-user", "prometheususer");
    let mut socket = Socket::open(port, &user);
    let answer = socket.call(json!({"rpc": {"id": "nk_misc_metrics"}}));
    assert_eq!(answer["rpc"]["payload"], json!("\"done\""), "{answer}");
    socket.close();
    // Client API calls: User::new's authentication and account read, and
    // an account read with a bad token.
    let bad = [("Authorization", "Bearer not-a-token")];
    let refused = request(port, "GET", "/v2/account", &bad, None).expect("account");
    assert_eq!(refused.status, 401, "{}", refused.text());
    let rpc = "rpc_id=\"nk_misc_metrics\"";
    let calls = format!("nakama_Rpc_count{{node_name=\"nakama1\",{rpc}}}");
    let mut scraped = Default::default();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        let r = request(metrics_port, "GET", "/metrics", &[], None).expect("scrape");
        assert_eq!(r.status, 200, "{}", r.text());
        scraped = exposition(&r.text());
        if scraped.get(&calls) == Some(&3.0) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let duel = "mode=\"duel\",node_name=\"nakama1\"";
    let api = |method: &str, code: &str| {
        format!("nakama_count{{node_name=\"nakama1\",rpc_code=\"{code}\",rpc_id=\"{method}\",transport=\"api\"}}")
    };
    let transport = |t: &str| {
        format!("nakama_count{{node_name=\"nakama1\",rpc_code=\"OK\",{rpc},transport=\"{t}\"}}")
    };
    for (series, value) in [
        (calls.clone(), 3.0),
        (format!("nakama_custom_fixture_calls{{{duel}}}"), 6.0),
        (format!("nakama_custom_fixture_level{{{duel}}}"), 1.5),
        (format!("nakama_custom_fixture_time_count{{{duel}}}"), 3.0),
        (
            format!("nakama_Rpc_sent_bytes{{node_name=\"nakama1\",{rpc}}}"),
            18.0,
        ),
        (transport("api_rpc"), 2.0),
        (transport("ws_rpc"), 1.0),
        ("nakama_GetAccount_count{node_name=\"nakama1\"}".into(), 2.0),
        (
            "nakama_GetAccount_errors{node_name=\"nakama1\"}".into(),
            1.0,
        ),
        (
            "nakama_AuthenticateCustom_count{node_name=\"nakama1\"}".into(),
            1.0,
        ),
        (api("GetAccount", "OK"), 1.0),
        (api("GetAccount", "Unauthenticated"), 1.0),
    ] {
        assert_eq!(
            scraped.get(&series),
            Some(&value),
            "{series} in {scraped:#?}"
        );
    }
    // 3 x 12 ms, in seconds.
    let sum = scraped[&format!("nakama_custom_fixture_time_sum{{{duel}}}")];
    assert!((sum - 0.036).abs() < 1e-9, "{sum}");
}

/// The exporter's series, by `name{sorted labels}`.
fn scrape(metrics_port: u16) -> std::collections::BTreeMap<String, f64> {
    let r = request(metrics_port, "GET", "/metrics", &[], None).expect("scrape");
    assert_eq!(r.status, 200, "{}", r.text());
    exposition(&r.text())
}

/// A scrape once the counters named have stopped moving (Nakama reports
/// what came before a while after).
fn settled(metrics_port: u16, counters: &[&str]) -> std::collections::BTreeMap<String, f64> {
    let of = |m: &std::collections::BTreeMap<String, f64>| {
        (counters.iter())
            .map(|c| {
                m.get(&format!("nakama_{c}{{node_name=\"nakama1\"}}"))
                    .copied()
            })
            .collect::<Vec<_>>()
    };
    let mut last = scrape(metrics_port);
    for _ in 0..20 {
        std::thread::sleep(std::time::Duration::from_millis(1200));
        let now = scrape(metrics_port);
        if of(&now) == of(&last) {
            return now;
        }
        last = now;
    }
    panic!("the counters {counters:?} kept moving")
}

/// Waits until the exporter's series `want` have their values (Nakama
/// reports every `metrics.reporting_freq_sec`, presences every 15 s);
/// `base` (an earlier scrape) is taken from each counter named in
/// `deltas` first.
fn wait_series(
    metrics_port: u16,
    what: &str,
    base: &std::collections::BTreeMap<String, f64>,
    deltas: &[&str],
    want: &[(&str, f64)],
) {
    let series = |name: &str| format!("nakama_{name}{{node_name=\"nakama1\"}}");
    let mut got = Vec::new();
    crate::eventually_within(what, std::time::Duration::from_secs(25), || {
        let now = scrape(metrics_port);
        got = (want.iter())
            .map(|(name, _)| {
                let s = series(name);
                let v = now.get(&s).copied().unwrap_or(0.0);
                let from = match deltas.contains(name) {
                    true => base.get(&s).copied().unwrap_or(0.0),
                    false => 0.0,
                };
                (name.to_string(), v - from)
            })
            .collect();
        let wanted: Vec<(String, f64)> = want.iter().map(|(n, v)| (n.to_string(), *v)).collect();
        if got == wanted {
            Ok(())
        } else {
            Err(format!("{got:?}, wanted {wanted:?}"))
        }
    });
}

/// Nakama's own series of the realtime sockets and the server's state,
/// on a server whose exporter is on `metrics_port` (as for
/// [`check_prometheus`]): each socket opened and closed, each message
/// received (its bytes; one that closes the socket an error of none) and
/// sent, the gauges of sessions, presences, authoritative matches and
/// parties, and the matchmaker's pool as its passes saw it (the server
/// run with `matchmaker.interval_sec` 1). `exact`: see
/// `realtime::assert_closed_for` (Nakama sometimes drops the socket it
/// closes for the bad message without the close frame).
pub fn check_server_series(port: u16, metrics_port: u16, exact: bool) {
    let suffix = crate::run_suffix();
    let user = |n: &str| {
        User::new(
            port,
            &format!("series-{n}-{suffix}"),
            &format!("sr{n}{suffix}"),
        )
    };
    let (ann, ben, cy) = (user("ann"), user("ben"), user("cy"));

    // Cy's socket (no status): two pings, then a message that is not
    // JSON, which closes it.
    let counters = [
        "socket_ws_opened",
        "socket_ws_closed",
        "overall_message_count",
        "overall_message_recv_bytes",
        "overall_message_errors",
        "overall_message_sent_bytes",
        "overall_count",
        "overall_recv_bytes",
        "overall_errors",
        "overall_sent_bytes",
    ];
    let base = settled(metrics_port, &counters);
    let mut c = Socket::connect(port, &format!("lang=en&token={}", cy.token)).expect("connects");
    for _ in 0..2 {
        let r = c.call(json!({"ping": {}}));
        assert!(r.get("pong").is_some(), "{r}");
    }
    let good = c.sent_bytes as f64;
    c.send_text("not an envelope");
    let (closed, _) = c.wait_closed();
    crate::realtime::assert_closed_for(&closed, "received malformed payload", exact);
    let received = c.received_bytes as f64;
    wait_series(
        metrics_port,
        "a socket's messages",
        &base,
        &counters,
        &[
            ("socket_ws_opened", 1.0),
            ("socket_ws_closed", 1.0),
            ("overall_message_count", 3.0),
            ("overall_message_recv_bytes", good),
            ("overall_message_errors", 1.0),
            ("overall_message_sent_bytes", received),
            ("overall_count", 3.0),
            ("overall_recv_bytes", good),
            ("overall_errors", 1.0),
            ("overall_sent_bytes", received),
            ("sessions", 0.0),
        ],
    );

    // A socket dropped without a close counts as a message that failed.
    let base = scrape(metrics_port);
    let mut c = Socket::connect(port, &format!("lang=en&token={}", cy.token)).expect("connects");
    let r = c.call(json!({"ping": {}}));
    assert!(r.get("pong").is_some(), "{r}");
    let (good, received) = (c.sent_bytes as f64, c.received_bytes as f64);
    drop(c);
    wait_series(
        metrics_port,
        "a dropped socket",
        &base,
        &counters,
        &[
            ("socket_ws_opened", 1.0),
            ("socket_ws_closed", 1.0),
            ("overall_message_count", 2.0),
            ("overall_message_recv_bytes", good),
            ("overall_message_errors", 1.0),
            ("overall_message_sent_bytes", received),
            ("sessions", 0.0),
        ],
    );

    // Ann and Ben (status on): a party of both, a match and a chat room
    // of Ann's.
    let base = scrape(metrics_port);
    let (mut a, mut b) = (Socket::open(port, &ann), Socket::open(port, &ben));
    let r = a.call(json!({"party_create": {"open": true, "max_size": 4}}));
    let party = r["party"]["party_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"));
    let r = b.call(json!({"party_join": {"party_id": party}}));
    assert!(r.get("error").is_none(), "{r}");
    let r = a.call(json!({"rpc": {"id": "nk_streams", "payload": "{\"call\":\"create_match\"}"}}));
    let answer: Value = serde_json::from_str(
        r["rpc"]["payload"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}")),
    )
    .unwrap();
    let r = a.call(json!({"match_join": {"match_id": answer["ok"]}}));
    assert!(r["match"].is_object(), "{r}");
    let r = a.call(json!({"channel_join": {"target": format!("series-{suffix}"), "type": 1}}));
    assert!(r["channel"].is_object(), "{r}");
    // Each socket is on its notification and status streams.
    wait_series(
        metrics_port,
        "the server's state",
        &base,
        &["authoritative_matches", "socket_ws_opened"],
        &[
            ("socket_ws_opened", 2.0),
            ("sessions", 2.0),
            ("parties", 1.0),
            ("authoritative_matches", 1.0),
            ("presences", 2.0 * 2.0 + 2.0 + 1.0 + 1.0),
        ],
    );
    // Ben goes: his two presences and his place in the party with him.
    // Ann's matchmaker ticket wants two players: it stays in the pool,
    // active for `matchmaker.max_intervals` passes.
    let r = a.call(json!({"matchmaker_add": {"min_count": 2, "max_count": 2, "query": "*"}}));
    assert!(r["matchmaker_ticket"].is_object(), "{r}");
    b.close();
    wait_series(
        metrics_port,
        "the server's state after a close",
        &base,
        &["authoritative_matches", "socket_ws_closed"],
        &[
            ("socket_ws_closed", 1.0),
            ("sessions", 1.0),
            ("parties", 1.0),
            ("authoritative_matches", 1.0),
            ("presences", 2.0 + 1.0 + 1.0 + 1.0),
            ("matchmaker_tickets", 1.0),
            ("matchmaker_active_tickets", 0.0),
        ],
    );
    a.close();
}

/// A Prometheus text exposition as `name{sorted labels}` -> value.
fn exposition(text: &str) -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let series = match series.split_once('{') {
            Some((name, labels)) => {
                let mut labels: Vec<&str> = labels.trim_end_matches('}').split(',').collect();
                labels.sort_unstable();
                format!("{name}{{{}}}", labels.join(","))
            }
            None => series.to_string(),
        };
        out.insert(series, value);
    }
    out
}

/// `party_list` through `nk_misc_parties`.
fn party_list(port: u16, args: Value) -> Value {
    let (status, got) = call(port, "nk_misc_parties", &args.to_string());
    assert_eq!(status, 200, "{got}");
    got
}

/// The ids of the listed parties that are among `ours`, in listed order.
fn ids(listing: &Value, ours: &[&str]) -> Vec<String> {
    listing["parties"]
        .as_array()
        .unwrap_or_else(|| panic!("not a listing: {listing}"))
        .iter()
        .filter_map(|p| p["party_id"].as_str())
        .filter(|id| ours.contains(id))
        .map(str::to_string)
        .collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Parties listed with the nk function and the client's route: label
/// queries, open and hidden filters, pages and their cursors, hooks, and
/// the refusals. Nakama indexes parties once a second, so the first
/// listing is waited for.
pub fn check_parties(port: u16) {
    let suffix = crate::run_suffix();
    let leader = User::new(port, &format!("pl-a-{suffix}"), &format!("pla{suffix}"));
    let client = User::new(port, &format!("pl-b-{suffix}"), &format!("plb{suffix}"));
    let mut s = Socket::open(port, &leader);
    let duel_label = format!(r#"{{"run":"{suffix}","mode":"duel","lvl":3}}"#);
    let ffa_label = format!(r#"{{"run":"{suffix}","mode":"ffa"}}"#);
    let mut create = |body: Value| {
        let r = s.call(json!({ "party_create": body }));
        r["party"]["party_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{r}"))
            .to_string()
    };
    let duel = create(json!({"open": true, "max_size": 4, "label": duel_label}));
    let ffa = create(json!({"open": false, "max_size": 2, "label": ffa_label}));
    let hidden = create(json!({"open": true, "max_size": 3, "hidden": true}));
    let ours = [duel.as_str(), ffa.as_str(), hidden.as_str()];
    let run_query = format!("+label.run:{suffix}");

    let mut listed = Value::Null;
    crate::eventually("the parties are listed", || {
        listed = party_list(port, json!({"limit": 10, "query": run_query}));
        let found = ids(&listed, &ours);
        (found.len() == 2)
            .then_some(())
            .ok_or_else(|| listed.to_string())
    });
    assert_eq!(
        sorted(ids(&listed, &ours)),
        sorted(vec![duel.clone(), ffa.clone()])
    );
    let duel_listed = listed["parties"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p["party_id"] == duel.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        duel_listed,
        json!({"party_id": duel, "open": true, "hidden": false, "max_size": 4, "label": duel_label}),
        "a party as listed: its label as it was sent"
    );
    assert!(
        listed["cursor"].as_str().is_some_and(str::is_empty),
        "{listed}"
    );

    // Hidden parties only when asked; their label is "{}".
    crate::eventually("the hidden party is listed when asked", || {
        let all = party_list(port, json!({"limit": 100, "show_hidden": true}));
        (ids(&all, &ours).len() == 3)
            .then_some(())
            .ok_or_else(|| all.to_string())
    });
    let all = party_list(port, json!({"limit": 100, "show_hidden": true}));
    let hidden_listed = all["parties"]
        .as_array()
        .and_then(|l| l.iter().find(|p| p["party_id"] == hidden.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        hidden_listed,
        json!({"party_id": hidden, "open": true, "hidden": true, "max_size": 3, "label": "{}"})
    );
    let visible = party_list(port, json!({"limit": 100}));
    assert_eq!(ids(&visible, &[hidden.as_str()]), Vec::<String>::new());

    // Filters.
    let open_only = party_list(port, json!({"limit": 10, "query": run_query, "open": true}));
    assert_eq!(ids(&open_only, &ours), [duel.as_str()]);
    let closed_only = party_list(
        port,
        json!({"limit": 10, "query": run_query, "open": false}),
    );
    assert_eq!(ids(&closed_only, &ours), [ffa.as_str()]);
    let duels = party_list(
        port,
        json!({"limit": 10, "query": format!("{run_query} +label.mode:duel")}),
    );
    assert_eq!(ids(&duels, &ours), [duel.as_str()]);
    let levelled = party_list(
        port,
        json!({"limit": 10, "query": format!("{run_query} +label.lvl:>=3")}),
    );
    assert_eq!(ids(&levelled, &ours), [duel.as_str()]);

    // Pages of one.
    let first = party_list(port, json!({"limit": 1, "query": run_query}));
    let cursor = first["cursor"].as_str().unwrap_or_default().to_string();
    assert!(!cursor.is_empty(), "{first}");
    let second = party_list(
        port,
        json!({"limit": 1, "query": run_query, "cursor": cursor}),
    );
    assert!(
        second["cursor"].as_str().is_some_and(str::is_empty),
        "{second}"
    );
    let mut paged = ids(&first, &ours);
    paged.extend(ids(&second, &ours));
    assert_eq!(sorted(paged), sorted(vec![duel.clone(), ffa.clone()]));

    // Refusals.
    let refused = |args: Value| party_list(port, args)["refused"].clone();
    for limit in [0, 101] {
        assert_eq!(
            refused(json!({ "limit": limit })),
            json!([3, "limit must be 1-100"])
        );
    }
    assert_eq!(
        refused(json!({"limit": 1, "cursor": "!!"})),
        json!([3, "invalid cursor"])
    );
    assert_eq!(
        refused(json!({"limit": 1, "query": "+label.mode:duel", "cursor": cursor})),
        json!([3, "invalid cursor: param query mismatch"])
    );
    assert_eq!(
        refused(json!({"limit": 2, "query": run_query, "cursor": cursor})),
        json!([3, "invalid cursor: param limit mismatch"])
    );
    // A cursor of a listing without `open` used with it: the dev host
    // refuses the change; Nakama 3.40.0 dereferences the cursor's nil
    // `open` (the bridge recovers the panic).
    let open_changed =
        refused(json!({"limit": 1, "query": run_query, "open": true, "cursor": cursor}));
    assert!(
        open_changed == json!([3, "invalid cursor: param open mismatch"])
            || open_changed
                == json!([13, "nk function party_list panicked in the bridge: runtime error: invalid memory address or nil pointer dereference"]),
        "{open_changed}"
    );
    assert_eq!(
        refused(json!({"limit": 1, "query": "+label.mode:\"open"})),
        json!([
            3,
            "error parsing query string: parse error: unterminated quote"
        ])
    );

    check_party_route(port, &client, &run_query, &[&duel, &ffa, &hidden]);
    s.close();
}

/// `GET /v2/party`: listed with a session (never hidden parties), the
/// fixture's hooks (a limit of 1 listed as 2, its answer stored; a
/// refused query), and Nakama's refusals.
fn check_party_route(port: u16, client: &User, run_query: &str, ours: &[&str]) {
    let get = |query: &str, auth: bool| {
        let bearer = format!("Bearer {}", client.token);
        let headers: Vec<(&str, &str)> = if auth {
            vec![("Authorization", bearer.as_str())]
        } else {
            Vec::new()
        };
        request(port, "GET", &format!("/v2/party{query}"), &headers, None).expect("list parties")
    };
    let q = urlencode(run_query);
    let r = get(&format!("?limit=10&query={q}"), true);
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        sorted(ids(&body, ours)),
        sorted(vec![ours[0].to_string(), ours[1].to_string()])
    );
    assert_eq!(body.get("cursor"), None, "no more pages: {body}");
    let r = get(&format!("?limit=10&open=false&query={q}"), true);
    assert_eq!(ids(&r.json(), ours), [ours[1].to_string()]);

    // The before hook lists two for a limit of 1; the after hook stores
    // what was answered.
    let r = get(&format!("?limit=1&query={q}"), true);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(ids(&r.json(), ours).len(), 2, "{}", r.text());
    assert_eq!(
        client.wait_stored(port, "hooks", "list_parties"),
        json!({"count": 2, "limit": 2})
    );
    let r = get(&format!("?query={}", urlencode("+label.hook:refuse")), true);
    assert_eq!(
        (r.status, r.json()),
        (403, json!({"code": 7, "message": "no such listing"}))
    );

    let r = get("?limit=0", true);
    assert_eq!(
        (r.status, r.json()),
        (
            400,
            json!({"code": 3, "message": "Invalid limit - limit must be between 1 and 100."})
        )
    );
    let r = get("?limit=5&cursor=!!", true);
    assert_eq!(
        (r.status, r.json()),
        (
            500,
            json!({"code": 13, "message": "Error listing matches."})
        )
    );
    let r = get("", false);
    assert_eq!(r.status, 401, "{}", r.text());
    // No parties of this query: an empty object.
    let r = get(&format!("?query={}", urlencode("+label.run:none")), true);
    assert_eq!((r.status, r.json()), (200, json!({})));
}

/// Percent-encodes a query parameter's value.
pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A client's storage read (`POST /v2/storage`) checks every object id
/// before reading any: collection and key set, a user id empty or a UUID
/// other than the nil UUID (the system user's objects are not a client's
/// to read by id).
pub fn check_storage_read_ids(port: u16) {
    let suffix = crate::run_suffix();
    let client = User::new(port, &format!("sr-{suffix}"), &format!("sr{suffix}"));
    let read = |ids: Value| {
        let bearer = format!("Bearer {}", client.token);
        let body = json!({ "object_ids": ids }).to_string();
        let r = request(
            port,
            "POST",
            "/v2/storage",
            &[("Authorization", bearer.as_str())],
            Some(body.as_bytes()),
        )
        .expect("read storage");
        (r.status, r.json())
    };
    let refused = |message: &str| (400, json!({"code": 3, "message": message}));
    let bad_id = "Invalid user ID - make sure user ID is a valid UUID.";
    let unset = "Invalid collection or key value supplied. They must be set.";
    let nil = "00000000-0000-0000-0000-000000000000";
    let own = json!({"collection": "c", "key": "k", "user_id": client.user_id});
    assert_eq!(
        read(json!([own, {"collection": "c", "key": "k", "user_id": nil}])),
        refused(bad_id)
    );
    assert_eq!(
        read(json!([{"collection": "c", "key": "k", "user_id": "nope"}])),
        refused(bad_id)
    );
    assert_eq!(
        read(json!([{"collection": "", "key": "k"}])),
        refused(unset)
    );
    assert_eq!(
        read(json!([{"collection": "c", "key": ""}])),
        refused(unset)
    );
    assert_eq!(
        read(json!([own, {"collection": "c", "key": "k"}])),
        (200, json!({}))
    );
}

/// What `nk_misc_purchases` answers on a host without `iap` settings:
/// Nakama's refusals, in its order (a store's missing settings before the
/// arguments), empty lists and nothing found.
const PURCHASES: &str = r#"{
  "apple_unconfigured": [9, "apple IAP is not configured"],
  "apple_bad_user": [3, "user ID must be a valid id string"],
  "apple_no_receipt": [3, "receipt cannot be empty string"],
  "sub_apple_unconfigured": [9, "apple IAP is not configured"],
  "sub_apple_no_receipt": [3, "receipt cannot be empty string"],
  "google_unconfigured": [9, "google IAP is not configured"],
  "google_half_override": [9, "google IAP is not configured"],
  "google_bad_user": [3, "user ID must be a valid id string"],
  "sub_google_no_receipt": [3, "receipt cannot be empty string"],
  "huawei": [9, "Huawei IAP is not configured."],
  "facebook": [9, "facebook instant IAP is not configured"],
  "samsung_bad_user": [3, "user ID must be a valid id string"],
  "samsung_no_id": [3, "purchaseId cannot be empty string"],
  "list": {"ok": {}},
  "list_everyone": {"ok": {}},
  "list_bad_user": [3, "expects a valid user ID"],
  "list_limit": [3, "limit must be a positive value <= 100"],
  "list_bad_cursor": [3, "purchases list cursor invalid"],
  "subs": {"ok": {}},
  "subs_limit": [3, "limit must be a positive value <= 100"],
  "subs_bad_cursor": [3, "subscriptions list cursor invalid"],
  "by_transaction": {"ok": null},
  "by_transaction_empty": [3, "expects a transaction id string."],
  "by_transaction_nul": [13, "ERROR: invalid byte sequence for encoding \"UTF8\": 0x00 (SQLSTATE 22021)"],
  "by_product": [5, "subscription not found"],
  "by_product_bad_user": [3, "expects a valid user ID"],
  "by_product_empty": [3, "expects a product id string."],
  "by_product_nul": [13, "ERROR: invalid byte sequence for encoding \"UTF8\": 0x00 (SQLSTATE 22021)"]
}"#;

/// fixture-nk's `nk_misc_purchases` answers as Nakama without `iap`
/// settings does.
pub fn check_purchases(port: u16) {
    let suffix = crate::run_suffix();
    let buyer = User::new(port, &format!("pu-{suffix}"), &format!("pu{suffix}"));
    let body = json!({ "user": buyer.user_id }).to_string();
    let got = check_cases(port, "nk_misc_purchases", &body, PURCHASES);
    let want: Value = serde_json::from_str(PURCHASES).expect("JSON");
    assert_eq!(got, want, "every case, and no other");
}

/// The client's `/v2/iap/...` routes on a host without `iap` settings,
/// with fixture-nk's hooks (a Huawei purchase refused or disabled, a
/// subscription listing's limit changed and its answer stored). Routes
/// that would ask a store (an Apple purchase with a receipt, a Samsung
/// one with an id) are left out: Nakama's answer depends on the network.
pub fn check_purchase_routes(port: u16) {
    let suffix = crate::run_suffix();
    let client = User::new(port, &format!("pr-{suffix}"), &format!("pr{suffix}"));
    let bearer = format!("Bearer {}", client.token);
    let send = |method: &str, path: &str, body: Value, auth: bool| {
        let headers: Vec<(&str, &str)> = if auth {
            vec![("Authorization", bearer.as_str())]
        } else {
            Vec::new()
        };
        let body = body.to_string();
        let body = (method == "POST").then_some(body.as_bytes());
        let r = request(port, method, path, &headers, body).expect("iap route");
        (r.status, r.json())
    };
    let post = |path: &str, body: Value| send("POST", path, body, true);
    let error =
        |status: u16, code: u32, message: &str| (status, json!({"code": code, "message": message}));
    let not_configured = |store: &str| error(400, 9, &format!("{store} IAP is not configured."));

    assert_eq!(
        post("/v2/iap/purchase/apple", json!({})),
        error(400, 3, "Receipt cannot be empty.")
    );
    assert_eq!(
        post("/v2/iap/subscription/apple", json!({"receipt": "r"})),
        not_configured("Apple")
    );
    assert_eq!(
        post("/v2/iap/purchase/google", json!({"purchase": "p"})),
        not_configured("Google")
    );
    assert_eq!(
        post("/v2/iap/subscription/google", json!({})),
        not_configured("Google")
    );
    let huawei = |purchase: &str| {
        post(
            "/v2/iap/purchase/huawei",
            json!({"purchase": purchase, "signature": "s"}),
        )
    };
    assert_eq!(huawei("p"), not_configured("Huawei"));
    assert_eq!(huawei("refuse"), error(403, 7, "no purchase here"));
    assert_eq!(
        huawei("disable"),
        error(404, 5, "Requested resource was not found.")
    );
    assert_eq!(
        post(
            "/v2/iap/purchase/facebookinstant",
            json!({"signed_request": "x"})
        ),
        not_configured("Facebook Instant")
    );
    assert_eq!(
        post("/v2/iap/purchase/samsung", json!({})),
        error(400, 3, "Purchase ID cannot be empty.")
    );

    assert_eq!(post("/v2/iap/subscription", json!({})), (200, json!({})));
    assert_eq!(
        post("/v2/iap/subscription", json!({"limit": 0})),
        error(400, 3, "Invalid limit - limit must be between 1 and 1000.")
    );
    assert_eq!(
        post("/v2/iap/subscription", json!({"limit": 999})),
        (200, json!({}))
    );
    assert_eq!(
        client.wait_stored(port, "hooks", "list_subscriptions"),
        json!({"count": 0, "limit": 5})
    );
    assert_eq!(
        post("/v2/iap/subscription", json!({"cursor": "zzz"})),
        error(500, 2, "subscriptions list cursor invalid")
    );
    assert_eq!(
        send(
            "GET",
            "/v2/iap/subscription/gold.monthly",
            json!(null),
            true
        ),
        error(404, 5, "subscription not found")
    );
    // A NUL in the product: Nakama's query fails, and its core passes
    // PostgreSQL's words on as a plain error (gRPC's UNKNOWN).
    assert_eq!(
        send("GET", "/v2/iap/subscription/gold%00", json!(null), true),
        error(
            500,
            2,
            r#"ERROR: invalid byte sequence for encoding "UTF8": 0x00 (SQLSTATE 22021)"#
        )
    );
    // A product named like a store: its GET is still the product's.
    for product in ["apple", "google"] {
        let path = format!("/v2/iap/subscription/{product}");
        assert_eq!(
            send("GET", &path, json!(null), true),
            error(404, 5, "subscription not found"),
            "{path}"
        );
    }
    assert_eq!(
        send("POST", "/v2/iap/subscription", json!({}), false).0,
        401
    );
}
