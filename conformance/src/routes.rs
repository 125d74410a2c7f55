//! Client API routes called with their last path variable empty
//! (`GET /v2/leaderboard/`), as a client does that builds a path from an
//! empty id: Nakama's gateway matches the route with that variable "" and
//! its handler answers, where a router of one-or-more-character variables
//! would say `Not Found`.

use serde_json::{json, Value};

use crate::http::request;
use crate::realtime::User;

/// Each route whose last segment is a variable, without it, with every
/// method: Nakama 3.40.0's answers (the handler's refusal, a listing, or
/// `Method Not Allowed` for a method the route does not take).
const EMPTY_LAST: &[(&str, &str, u16, Answer)] = &[
    (
        "GET",
        "/v2/leaderboard/",
        400,
        Some((3, "Invalid leaderboard ID.")),
    ),
    (
        "POST",
        "/v2/leaderboard/",
        400,
        Some((3, "Invalid leaderboard ID.")),
    ),
    (
        "DELETE",
        "/v2/leaderboard/",
        400,
        Some((3, "Invalid leaderboard ID.")),
    ),
    ("PUT", "/v2/leaderboard/", 501, NOT_ALLOWED),
    ("GET", "/v2/leaderboard/x/owner/", 400, Some((3, NO_OWNER))),
    ("POST", "/v2/leaderboard/x/owner/", 501, NOT_ALLOWED),
    (
        "GET",
        "/v2/tournament/",
        400,
        Some((3, "Tournament ID must be provided")),
    ),
    (
        "POST",
        "/v2/tournament/",
        400,
        Some((3, "Tournament ID must be provided.")),
    ),
    (
        "PUT",
        "/v2/tournament/",
        400,
        Some((3, "Tournament ID must be provided.")),
    ),
    (
        "DELETE",
        "/v2/tournament/",
        400,
        Some((3, "Invalid tournament ID.")),
    ),
    ("GET", "/v2/tournament/x/owner/", 400, Some((3, NO_OWNER))),
    ("DELETE", "/v2/tournament/x/owner/", 501, NOT_ALLOWED),
    ("GET", "/v2/group/", 501, NOT_ALLOWED),
    ("POST", "/v2/group/", 501, NOT_ALLOWED),
    ("PUT", "/v2/group/", 400, Some((3, "Group ID must be set."))),
    (
        "DELETE",
        "/v2/group/",
        400,
        Some((3, "Group ID must be set.")),
    ),
    ("GET", "/v2/channel/", 400, Some((3, "Invalid channel ID."))),
    ("POST", "/v2/channel/", 501, NOT_ALLOWED),
    (
        "GET",
        "/v2/iap/subscription/",
        404,
        Some((5, "subscription not found")),
    ),
    ("PUT", "/v2/iap/subscription/", 501, NOT_ALLOWED),
    ("GET", "/v2/storage/", 200, None),
    ("PUT", "/v2/storage/", 501, NOT_ALLOWED),
    ("POST", "/v2/storage/x/", 501, NOT_ALLOWED),
    ("DELETE", "/v2/storage/x/", 501, NOT_ALLOWED),
];

/// The error's code and message; `None`: a 200 with `{}`.
type Answer = Option<(u32, &'static str)>;

const NOT_ALLOWED: Answer = Some((12, "Method Not Allowed"));
const NO_OWNER: &str = "Owner ID must be provided for a haystack query.";

/// Checks `EMPTY_LAST` (above), that such a call without a session is refused for
/// that first, and that `GET /v2/storage/{collection}/` lists the
/// collection's public objects as `GET /v2/storage/{collection}` does.
pub fn check_empty_last_segment(port: u16) {
    let suffix = crate::run_suffix();
    let user = User::new(port, &format!("els-{suffix}"), &format!("els{suffix}"));
    let bearer = format!("Bearer {}", user.token);
    let send = |method: &str, path: &str, auth: bool, body: Option<&[u8]>| {
        let headers: Vec<(&str, &str)> = if auth {
            vec![("Authorization", bearer.as_str())]
        } else {
            Vec::new()
        };
        let r = request(port, method, path, &headers, body).expect("request");
        (r.status, r.json())
    };
    for &(method, path, status, error) in EMPTY_LAST {
        let body = matches!(method, "POST" | "PUT").then_some(&b"{}"[..]);
        let want = match error {
            Some((code, message)) => json!({"code": code, "message": message}),
            None => json!({}),
        };
        assert_eq!(
            send(method, path, true, body),
            (status, want),
            "{method} {path}"
        );
        if status != 501 {
            assert_eq!(
                send(method, path, false, body),
                (401, json!({"code": 16, "message": "Auth token required"})),
                "{method} {path} without a session"
            );
        }
    }

    let collection = format!("els{suffix}");
    let write = json!({"objects": [{"collection": collection, "key": "k",
        "value": "{\"a\":1}", "permission_read": 2}]});
    let body = write.to_string();
    assert_eq!(
        send("PUT", "/v2/storage", true, Some(body.as_bytes())).0,
        200
    );
    let listed = |path: &str| -> Vec<Value> {
        let (status, page) = send("GET", path, true, None);
        assert_eq!(status, 200, "{path}: {page}");
        let keys = page["objects"].as_array().cloned().unwrap_or_default();
        keys.iter()
            .map(|o| json!([o["key"], o["user_id"]]))
            .collect()
    };
    let all = listed(&format!("/v2/storage/{collection}"));
    assert_eq!(all, [json!(["k", user.user_id])]);
    assert_eq!(listed(&format!("/v2/storage/{collection}/")), all);
}

/// A request whose line and headers pass 9216 bytes (Nakama's API server
/// sets Go's `MaxHeaderBytes` to 5120, and Go reads 4096 bytes past it) is
/// answered 431 before any route sees it, a long GET query or a long
/// header alike; one of 9216 bytes is served. (Go's answer has the body
/// `431 Request Header Fields Too Large`, hyper's none: not compared.)
pub fn check_head_limit(port: u16) {
    // The head `request` writes, with an empty `X-Pad` header.
    let bare = "GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
                Accept-Encoding: identity\r\nX-Pad: \r\n\r\n"
        .len();
    for (size, status) in [(9216, 200), (9217, 431), (20_000, 431)] {
        let pad = "a".repeat(size - bare);
        let r = request(port, "GET", "/healthcheck", &[("X-Pad", &pad)], None).expect("request");
        assert_eq!(r.status, status, "a head of {size} bytes");
    }
    // A long query: refused before its route (here: before the session
    // check, which would answer 401).
    let path = format!("/v2/account?q={}", "a".repeat(9300));
    let r = request(port, "GET", &path, &[], None).expect("request");
    assert_eq!(r.status, 431, "{}", r.text());
}
