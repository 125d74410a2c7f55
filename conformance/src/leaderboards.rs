//! The client's leaderboard routes (`/v2/leaderboard/{id}`: list, write,
//! delete), checked on a host serving `fixtures/fixture-nk`, whose
//! `nk_leaderboard_setup` RPC creates the leaderboards.

use serde_json::{json, Value};

use crate::http::{authenticate_custom, request, HttpResponse as Response};

/// A client with a session.
pub(crate) struct Client {
    port: u16,
    auth: String,
}

impl Client {
    /// A session for custom id `id` (created if needed).
    pub(crate) fn new(port: u16, id: &str, username: &str) -> Client {
        let token = authenticate_custom(port, username, &format!(r#"{{"id":"{id}"}}"#));
        Client {
            port,
            auth: format!("Bearer {token}"),
        }
    }

    pub(crate) fn send(&self, method: &str, path: &str, body: Option<&str>) -> Response {
        request(
            self.port,
            method,
            path,
            &[("Authorization", &self.auth)],
            body.map(str::as_bytes),
        )
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub(crate) fn user_id(&self) -> String {
        let r = self.send("GET", "/v2/account", None);
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["user"]["id"].as_str().unwrap().to_string()
    }
}

/// The parts of a record that do not change from run to run.
fn stable(record: &Value) -> Value {
    let mut r = record.clone();
    if let Some(o) = r.as_object_mut() {
        for time in ["create_time", "update_time"] {
            let t = o.remove(time);
            assert!(
                t.as_ref()
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.ends_with('Z')),
                "{time}: {record}"
            );
        }
    }
    r
}

/// A refusal's status, gRPC code and message.
pub(crate) fn error(r: &Response) -> (u16, Value, Value) {
    let body = r.json();
    (r.status, body["code"].clone(), body["message"].clone())
}

/// Writes, lists (pages, owners, defaults), deletes, and the refusals
/// with Nakama's statuses and messages.
pub fn check_client_routes(port: u16) {
    let suffix = crate::run_suffix();
    let (status, body) = crate::nk::call(
        port,
        "nk_leaderboard_setup",
        &format!(r#"{{"suffix":"{suffix}"}}"#),
    );
    assert_eq!(status, 200, "{body}");
    let (open, auth) = (format!("open_{suffix}"), format!("auth_{suffix}"));
    let ann = Client::new(port, "cid-lb-000001", "lb_ann");
    let ben = Client::new(port, "cid-lb-000002", "lb_ben");
    let cid = Client::new(port, "cid-lb-000003", "lb_cid");
    let (ann_id, ben_id) = (ann.user_id(), ben.user_id());
    let board = format!("/v2/leaderboard/{open}");

    let r = ann.send(
        "POST",
        &board,
        Some(r#"{"score":"100","metadata":"{\"x\":1}"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        stable(&r.json()),
        json!({"leaderboard_id": open, "owner_id": ann_id, "username": "lb_ann", "score": "100",
               "num_score": 1, "metadata": "{\"x\": 1}", "rank": "1", "max_num_score": 1000000}),
    );
    let r = ben.send("POST", &board, Some(r#"{"score":150,"subscore":2}"#));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["rank"], "1", "{}", r.text());
    // An increment on a "best" leaderboard, by the request's operator.
    let r = ann.send(
        "POST",
        &board,
        Some(r#"{"score":"5","operator":"INCREMENT"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        (r.json()["score"].clone(), r.json()["num_score"].clone()),
        (json!("105"), json!(2))
    );

    let r = ann.send("GET", &format!("{board}?limit=1"), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let page1 = r.json();
    assert_eq!(
        page1["records"].as_array().map(Vec::len),
        Some(1),
        "{page1}"
    );
    assert_eq!(page1["records"][0]["owner_id"], ben_id.as_str(), "{page1}");
    assert_eq!(page1["records"][0]["rank"], "1", "{page1}");
    assert!(page1.get("prev_cursor").is_none(), "{page1}");
    assert_eq!(page1["rank_count"], "2", "{page1}");
    let next = page1["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    let r = ann.send("GET", &format!("{board}?limit=1&cursor={next}"), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let page2 = r.json();
    assert_eq!(page2["records"][0]["owner_id"], ann_id.as_str(), "{page2}");
    assert_eq!(page2["records"][0]["rank"], "2", "{page2}");
    assert!(page2.get("next_cursor").is_none(), "{page2}");
    assert!(page2["prev_cursor"].is_string(), "{page2}");

    // Owners only: no page unless a limit is given.
    let r = ben.send("GET", &format!("{board}?owner_ids={ann_id}"), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let owners = r.json();
    assert!(owners.get("records").is_none(), "{owners}");
    assert_eq!(
        owners["owner_records"][0]["owner_id"],
        ann_id.as_str(),
        "{owners}"
    );
    assert_eq!(owners["owner_records"][0]["rank"], "2", "{owners}");
    // Nothing asked: one record.
    let r = ben.send("GET", &board, None);
    assert_eq!(
        r.json()["records"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text()
    );

    // fixture-nk's before hook doubles a score whose metadata asks.
    let r = cid.send(
        "POST",
        &board,
        Some(r#"{"score":"21","metadata":"{\"double\":true}"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["score"], "42", "{}", r.text());

    // Around an owner: Ann (second of three) alone on a page of one, with
    // cursors both ways.
    let r = ben.send("GET", &format!("{board}/owner/{ann_id}?limit=1"), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let around = r.json();
    assert_eq!(
        around["records"][0]["owner_id"],
        ann_id.as_str(),
        "{around}"
    );
    assert_eq!(around["records"][0]["rank"], "2", "{around}");
    assert_eq!(
        around["records"].as_array().map(Vec::len),
        Some(1),
        "{around}"
    );
    assert!(around["prev_cursor"].is_string(), "{around}");
    assert!(around["next_cursor"].is_string(), "{around}");
    assert_eq!(around["rank_count"], "3", "{around}");

    let refusals = [
        (
            ann.send(
                "POST",
                &format!("/v2/leaderboard/{auth}"),
                Some(r#"{"score":1}"#),
            ),
            (
                403,
                7,
                "Leaderboard only allows authoritative score submissions.",
            ),
        ),
        (
            ann.send("DELETE", &format!("/v2/leaderboard/{auth}"), None),
            (
                403,
                7,
                "Leaderboard only allows authoritative score deletions.",
            ),
        ),
        (
            ann.send(
                "POST",
                "/v2/leaderboard/no_such_board",
                Some(r#"{"score":1}"#),
            ),
            (404, 5, "Leaderboard not found."),
        ),
        (
            ann.send("GET", "/v2/leaderboard/no_such_board?limit=1", None),
            (404, 5, "Leaderboard not found."),
        ),
        // An unknown operator fails the write after the board's checks.
        (
            ann.send(
                "POST",
                "/v2/leaderboard/no_such_board",
                Some(r#"{"score":1,"operator":9}"#),
            ),
            (404, 5, "Leaderboard not found."),
        ),
        (
            ann.send(
                "POST",
                &format!("/v2/leaderboard/{auth}"),
                Some(r#"{"score":1,"operator":9}"#),
            ),
            (
                403,
                7,
                "Leaderboard only allows authoritative score submissions.",
            ),
        ),
        (
            ann.send("POST", &board, Some(r#"{"score":1,"operator":9}"#)),
            (500, 13, "Error writing score to leaderboard."),
        ),
        (
            ann.send("POST", &board, Some(r#"{"score":1,"metadata":"not json"}"#)),
            (400, 3, "Metadata value must be JSON, if provided."),
        ),
        // A negative score breaks the table's check, first score or not.
        (
            cid.send("POST", &board, Some(r#"{"score":-1}"#)),
            (500, 13, "Error writing score to leaderboard."),
        ),
        (
            ann.send("POST", &board, Some(r#"{"score":-1}"#)),
            (500, 13, "Error writing score to leaderboard."),
        ),
        (
            ann.send("GET", &format!("{board}?limit=1001"), None),
            (400, 3, "Invalid limit - limit must be between 1 and 1000."),
        ),
        (
            ann.send("GET", &format!("{board}?owner_ids=not-a-uuid"), None),
            (400, 3, "One or more owner IDs are invalid."),
        ),
        (
            ann.send(
                "GET",
                &format!("{board}?limit=1&cursor=bm90LWEtY3Vyc29y"),
                None,
            ),
            (400, 3, "Cursor is invalid or expired."),
        ),
    ];
    let around_refusals = [
        (
            ann.send("GET", &format!("{board}/owner/not-a-uuid"), None),
            (400, 3, "Invalid owner ID provided."),
        ),
        (
            ann.send("GET", &format!("{board}/owner/{ann_id}?limit=101"), None),
            (400, 3, "Invalid limit - limit must be between 1 and 100."),
        ),
        (
            ann.send(
                "GET",
                &format!("/v2/leaderboard/no_such_board/owner/{ann_id}"),
                None,
            ),
            (404, 5, "Leaderboard not found."),
        ),
    ];
    for (r, (status, code, message)) in refusals.into_iter().chain(around_refusals) {
        assert_eq!(
            error(&r),
            (status, json!(code), json!(message)),
            "{}",
            r.text()
        );
    }
    let r = request(port, "GET", &board, &[], None).expect("no session");
    assert_eq!(r.status, 401, "{}", r.text());

    let r = ann.send("DELETE", &board, None);
    assert_eq!((r.status, r.json()), (200, json!({})), "{}", r.text());
    let r = ben.send(
        "GET",
        &format!("{board}?owner_ids={ann_id}&owner_ids={ben_id}"),
        None,
    );
    let left: Vec<Value> = r.json()["owner_records"]
        .as_array()
        .map(|rs| rs.iter().map(|r| r["owner_id"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(left, [json!(ben_id)], "{}", r.text());
}
