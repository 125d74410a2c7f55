//! Tournaments: the nk functions through `fixtures/fixture-nk`'s
//! `nk_tournaments` RPC, on tournaments whose active window is open now
//! (and, on purpose, one not started yet and one ended).

use serde_json::Value;

use crate::nk::call;

/// What `nk_tournaments` answers, as Nakama 3.40.0 answered it through the
/// bridge (`SUFFIX`: the run's suffix). Among what it shows:
/// - the cup (join required, max size 2, two scores each): a write before
///   joining, a third owner joining, and a third score are refused or, the
///   last, answered unchanged (`a3`, join required); an added attempt
///   lets `a4` through, with new metadata and username;
/// - the open tournament (incrementing, three scores, no joining): the
///   fourth score is refused (`too_many`); a record deleted (twice) is
///   gone;
/// - not started yet: joined but not written to; ended: neither written,
///   listed nor given attempts, and no records around an owner;
/// - `by_id`: tournaments with a max size come last, with their size and
///   without their authoritative flag, and none has its join flag;
/// - the list: one per page, latest end first, with a cursor; filters
///   by category, start and end time;
/// - the codes and messages of Nakama's refusals.
const EXPECTED: &str = r#"{
  "a1": {
    "expires": true,
    "max_num_score": 2,
    "metadata": {},
    "num_score": 1,
    "owner": "00000000-0000-4000-8000-00000000000a",
    "rank": 1,
    "score": 10,
    "subscore": 0,
    "username": "alice"
  },
  "a2": {
    "expires": true,
    "max_num_score": 2,
    "metadata": {},
    "num_score": 2,
    "owner": "00000000-0000-4000-8000-00000000000a",
    "rank": 2,
    "score": 10,
    "subscore": 0,
    "username": "alice"
  },
  "a3": {
    "expires": true,
    "max_num_score": 2,
    "metadata": {},
    "num_score": 2,
    "owner": "00000000-0000-4000-8000-00000000000a",
    "rank": 2,
    "score": 10,
    "subscore": 0,
    "username": "alice"
  },
  "a4": {
    "expires": true,
    "max_num_score": 3,
    "metadata": {
      "lap": 3
    },
    "num_score": 3,
    "owner": "00000000-0000-4000-8000-00000000000a",
    "rank": 1,
    "score": 30,
    "subscore": 0,
    "username": "alice2"
  },
  "after_delete": 0,
  "around": [
    {
      "expires": true,
      "max_num_score": 2,
      "metadata": {},
      "num_score": 1,
      "owner": "00000000-0000-4000-8000-00000000000b",
      "rank": 2,
      "score": 20,
      "subscore": 0,
      "username": "bob"
    }
  ],
  "around_cursors": [
    false,
    false
  ],
  "around_rank_count": 2,
  "b1": {
    "expires": true,
    "max_num_score": 2,
    "metadata": {},
    "num_score": 1,
    "owner": "00000000-0000-4000-8000-00000000000b",
    "rank": 1,
    "score": 20,
    "subscore": 0,
    "username": "bob"
  },
  "by_id": [
    {
      "active_for": 3600,
      "authoritative": false,
      "can_enter": true,
      "category": 6,
      "description": "",
      "duration": 3600,
      "has_times": [
        true,
        true,
        true
      ],
      "id": "open_SUFFIX",
      "join_required": false,
      "max_num_score": 3,
      "max_size": 2147483647,
      "metadata": {},
      "next_reset_is_end": true,
      "operator": 3,
      "prev_reset": 0,
      "size": 0,
      "sort_order": 1,
      "title": "Open"
    },
    {
      "active_for": 3600,
      "authoritative": true,
      "can_enter": true,
      "category": 7,
      "description": "",
      "duration": 3600,
      "has_times": [
        true,
        true,
        true
      ],
      "id": "auth_SUFFIX",
      "join_required": false,
      "max_num_score": 1000000,
      "max_size": 2147483647,
      "metadata": {},
      "next_reset_is_end": true,
      "operator": 1,
      "prev_reset": 0,
      "size": 0,
      "sort_order": 1,
      "title": ""
    },
    {
      "active_for": 3600,
      "authoritative": false,
      "can_enter": false,
      "category": 5,
      "description": "Join first",
      "duration": 3600,
      "has_times": [
        true,
        true,
        true
      ],
      "id": "cup_SUFFIX",
      "join_required": false,
      "max_num_score": 2,
      "max_size": 2,
      "metadata": {
        "kind": "cup"
      },
      "next_reset_is_end": true,
      "operator": 1,
      "prev_reset": 0,
      "size": 2,
      "sort_order": 1,
      "title": "Cup"
    }
  ],
  "ended_around": 0,
  "in_seven": [
    "ended_SUFFIX",
    "auth_SUFFIX",
    "later_SUFFIX"
  ],
  "list1": [
    "cup_SUFFIX"
  ],
  "list1_cursor": true,
  "list1_full": [
    {
      "active_for": 3600,
      "authoritative": false,
      "can_enter": false,
      "category": 5,
      "description": "Join first",
      "duration": 3600,
      "has_times": [
        true,
        true,
        true
      ],
      "id": "cup_SUFFIX",
      "join_required": true,
      "max_num_score": 2,
      "max_size": 2,
      "metadata": {
        "kind": "cup"
      },
      "next_reset_is_end": true,
      "operator": 1,
      "prev_reset": 0,
      "size": 2,
      "sort_order": 1,
      "title": "Cup"
    }
  ],
  "list2": [
    "open_SUFFIX"
  ],
  "list2_cursor": false,
  "open": [
    {
      "expires": true,
      "max_num_score": 3,
      "metadata": {},
      "num_score": 1,
      "owner": "00000000-0000-4000-8000-00000000000c",
      "rank": 1,
      "score": 4,
      "subscore": 0,
      "username": null
    },
    {
      "expires": true,
      "max_num_score": 3,
      "metadata": {},
      "num_score": 2,
      "owner": "00000000-0000-4000-8000-00000000000c",
      "rank": 1,
      "score": 8,
      "subscore": 0,
      "username": null
    },
    {
      "expires": true,
      "max_num_score": 3,
      "metadata": {},
      "num_score": 3,
      "owner": "00000000-0000-4000-8000-00000000000c",
      "rank": 1,
      "score": 1,
      "subscore": 2,
      "username": null
    }
  ],
  "owners": [
    {
      "expires": true,
      "max_num_score": 2,
      "metadata": {},
      "num_score": 1,
      "owner": "00000000-0000-4000-8000-00000000000b",
      "rank": 2,
      "score": 20,
      "subscore": 0,
      "username": "bob"
    }
  ],
  "owners_page": 0,
  "page1": [
    {
      "expires": true,
      "max_num_score": 3,
      "metadata": {
        "lap": 3
      },
      "num_score": 3,
      "owner": "00000000-0000-4000-8000-00000000000a",
      "rank": 1,
      "score": 30,
      "subscore": 0,
      "username": "alice2"
    }
  ],
  "page1_cursors": [
    true,
    false
  ],
  "page2": [
    {
      "expires": true,
      "max_num_score": 2,
      "metadata": {},
      "num_score": 1,
      "owner": "00000000-0000-4000-8000-00000000000b",
      "rank": 2,
      "score": 20,
      "subscore": 0,
      "username": "bob"
    }
  ],
  "page2_cursors": [
    false,
    true
  ],
  "refused": {
    "around_limit": [
      3,
      "limit must be 1-100"
    ],
    "around_unknown": [
      5,
      "leaderboard not found"
    ],
    "attempt_zero": [
      3,
      "expects an attempt count number != 0"
    ],
    "before_join": [
      9,
      "required to join before writing tournament record"
    ],
    "category": [
      3,
      "category must be 0-127"
    ],
    "delete_bad_owner": [
      3,
      "expects owner ID to be a valid identifier"
    ],
    "delete_unknown": [
      5,
      "tournament not found"
    ],
    "deleted_list": [
      5,
      "tournament not found"
    ],
    "end_before_reset": [
      3,
      "tournament end time cannot be before first reset schedule - either increase end time or change/disable reset schedule"
    ],
    "end_before_start": [
      3,
      "endTime must be >= startTime"
    ],
    "ended_attempt": [
      9,
      "tournament outside of duration"
    ],
    "ended_list": [
      9,
      "tournament outside of duration"
    ],
    "ended_write": [
      9,
      "tournament outside of duration"
    ],
    "full": [
      9,
      "tournament max size reached"
    ],
    "join_bad_owner": [
      3,
      "expects owner ID to be a valid identifier"
    ],
    "join_no_name": [
      3,
      "expects a username string"
    ],
    "join_no_owner": [
      3,
      "expects a owner ID string"
    ],
    "join_unknown": [
      5,
      "tournament not found"
    ],
    "list_category": [
      3,
      "categoryEnd must be 0-127"
    ],
    "list_cursor": [
      3,
      "expects cursor to be valid when provided"
    ],
    "list_limit": [
      3,
      "limit must be 1-100"
    ],
    "list_times": [
      3,
      "endTime must be >= startTime"
    ],
    "max_size": [
      3,
      "maxSize must be >= 0"
    ],
    "no_duration": [
      3,
      "duration must be > 0"
    ],
    "no_id": [
      3,
      "expects a tournament ID string"
    ],
    "not_started": [
      9,
      "tournament outside of duration"
    ],
    "plain_create": [
      6,
      "cannot create tournament as leaderboard is already in use"
    ],
    "plain_write": [
      5,
      "tournament not found"
    ],
    "records_bad_owner": [
      3,
      "One or more ownerIDs are invalid."
    ],
    "records_limit": [
      3,
      "expects limit to be 0-10000"
    ],
    "records_no_id": [
      3,
      "expects a tournament ID strings"
    ],
    "records_unknown": [
      5,
      "tournament not found"
    ],
    "schedule": [
      3,
      "expects reset schedule to be a valid CRON expression"
    ],
    "too_many": [
      9,
      "max number score count reached"
    ],
    "write_bad_owner": [
      3,
      "expects owner ID to be a valid identifier"
    ]
  },
  "server_write": {
    "expires": true,
    "max_num_score": 1000000,
    "metadata": {},
    "num_score": 1,
    "owner": "00000000-0000-4000-8000-00000000000a",
    "rank": 1,
    "score": 3,
    "subscore": 0,
    "username": null
  }
}"#;

/// fixture-nk's `nk_tournaments` answers as Nakama does.
pub fn check_nk(port: u16) {
    let suffix = crate::run_suffix();
    let (status, got) = call(
        port,
        "nk_tournaments",
        &format!(r#"{{"suffix":"{suffix}"}}"#),
    );
    assert_eq!(status, 200, "{got}");
    let want: Value =
        serde_json::from_str(&EXPECTED.replace("SUFFIX", &suffix)).expect("EXPECTED is JSON");
    crate::assert_cases(&got, &want);
}

/// The client's tournament routes on fixture-nk's `nk_tournament_setup`
/// tournaments: list (filters, pages), join, write (POST and PUT, the
/// before hook's doubling), records (pages, owners), around an owner,
/// delete, and the refusals with Nakama's statuses, codes and messages.
pub fn check_client_routes(port: u16) {
    use crate::leaderboards::{error, Client};
    use serde_json::json;

    let s = crate::run_suffix();
    let (status, setup) = call(
        port,
        "nk_tournament_setup",
        &format!(r#"{{"suffix":"{s}"}}"#),
    );
    assert_eq!(status, 200, "{setup}");
    let start = setup["start"].as_i64().expect("start");
    let [open, join, auth, ended, plain] =
        ["open", "join", "auth", "ended", "plain"].map(|n| format!("/v2/tournament/t_{n}_{s}"));
    let ann = Client::new(port, "cid-tn-000001", "tn_ann");
    let ben = Client::new(port, "cid-tn-000002", "tn_ben");
    let cid = Client::new(port, "cid-tn-000003", "tn_cid");
    let (ann_id, ben_id, cid_id) = (ann.user_id(), ben.user_id(), cid.user_id());
    let ok = |r: &crate::http::HttpResponse| {
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    };

    // The list: category 20 from this run's start, ending within the day,
    // latest end first, one per page.
    let filter = format!(
        "category_start=20&category_end=20&start_time={start}&end_time={}",
        start + 86_400
    );
    let page = ok(&ann.send("GET", &format!("/v2/tournament?{filter}&limit=2"), None));
    let ids = |page: &Value| -> Vec<String> {
        page["tournaments"]
            .as_array()
            .map(|ts| {
                ts.iter()
                    .map(|t| t["id"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        ids(&page),
        [format!("t_open_{s}"), format!("t_join_{s}")],
        "{page}"
    );
    let first = &page["tournaments"][0];
    assert_eq!(
        (
            first["title"].clone(),
            first["category"].clone(),
            first["max_num_score"].clone()
        ),
        (json!("open"), json!(20), json!(3)),
        "{page}"
    );
    assert_eq!(first["can_enter"], true, "{page}");
    assert_eq!(page["tournaments"][1]["join_required"], true, "{page}");
    let cursor = page["cursor"].as_str().expect("a cursor");
    let rest = ok(&ann.send(
        "GET",
        &format!("/v2/tournament?{filter}&limit=2&cursor={cursor}"),
        None,
    ));
    assert_eq!(ids(&rest), [format!("t_auth_{s}")], "{rest}");
    assert!(rest.get("cursor").is_none(), "{rest}");

    // Joining: required before writing; one owner at most.
    let r = ann.send("POST", &join, Some(r#"{"score":"1"}"#));
    assert_eq!(
        error(&r),
        (
            400,
            json!(9),
            json!("Must join tournament before attempting to write value.")
        ),
        "{}",
        r.text()
    );
    assert_eq!(
        ok(&ann.send("POST", &format!("{join}/join"), Some("{}"))),
        json!({})
    );
    let r = ben.send("POST", &format!("{join}/join"), Some("{}"));
    assert_eq!(
        error(&r),
        (
            400,
            json!(3),
            json!("Tournament cannot be joined as it has reached its max size.")
        ),
        "{}",
        r.text()
    );
    let joined = ok(&ann.send("PUT", &join, Some(r#"{"score":"7"}"#)));
    assert_eq!(
        (
            joined["score"].clone(),
            joined["num_score"].clone(),
            joined["username"].clone()
        ),
        (json!("7"), json!(1), json!("tn_ann")),
        "{joined}"
    );

    // Writes (fixture-nk's before hook doubles Ann's), pages and owners.
    let w = ok(&ann.send(
        "POST",
        &open,
        Some(r#"{"score":"10","metadata":"{\"double\":true}"}"#),
    ));
    assert_eq!(
        (
            w["score"].clone(),
            w["num_score"].clone(),
            w["max_num_score"].clone(),
            w["rank"].clone()
        ),
        (json!("20"), json!(1), json!(3), json!("1")),
        "{w}"
    );
    assert_eq!(w["metadata"], "{\"double\": true}", "{w}");
    ok(&ben.send("POST", &open, Some(r#"{"score":"15"}"#)));
    ok(&cid.send("PUT", &open, Some(r#"{"score":"5","subscore":"1"}"#)));
    let page1 = ok(&ann.send("GET", &format!("{open}?limit=2"), None));
    let owners_of = |page: &Value, key: &str| -> Vec<(String, String)> {
        page[key]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .map(|r| {
                        (
                            r["owner_id"].as_str().unwrap_or("").to_string(),
                            r["rank"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let ranked = |id: &str, rank: &str| (id.to_string(), rank.to_string());
    assert_eq!(
        owners_of(&page1, "records"),
        [ranked(&ann_id, "1"), ranked(&ben_id, "2")],
        "{page1}"
    );
    assert_eq!(page1["rank_count"], "3", "{page1}");
    let next = page1["next_cursor"].as_str().expect("a next page");
    let page2 = ok(&ann.send("GET", &format!("{open}?limit=2&cursor={next}"), None));
    assert_eq!(
        owners_of(&page2, "records"),
        [ranked(&cid_id, "3")],
        "{page2}"
    );
    // Owners without a limit or cursor: a page of ten as well.
    let owners = ok(&ben.send("GET", &format!("{open}?owner_ids={cid_id}"), None));
    assert_eq!(owners_of(&owners, "records").len(), 3, "{owners}");
    assert_eq!(
        owners_of(&owners, "owner_records"),
        [ranked(&cid_id, "3")],
        "{owners}"
    );
    let around = ok(&cid.send("GET", &format!("{open}/owner/{ben_id}?limit=1"), None));
    assert_eq!(
        owners_of(&around, "records"),
        [ranked(&ben_id, "2")],
        "{around}"
    );

    // Three scores each: Ann's fourth is refused.
    ok(&ann.send("POST", &open, Some(r#"{"score":"1"}"#)));
    ok(&ann.send("POST", &open, Some(r#"{"score":"1"}"#)));
    let r = ann.send("POST", &open, Some(r#"{"score":"1"}"#));
    assert_eq!(
        error(&r),
        (
            400,
            json!(9),
            json!("Reached allowed max number of score attempts.")
        ),
        "{}",
        r.text()
    );
    // Deleting one's record.
    assert_eq!(ok(&ben.send("DELETE", &open, None)), json!({}));
    let left = ok(&ann.send("GET", &format!("{open}?limit=10"), None));
    assert_eq!(
        owners_of(&left, "records"),
        [ranked(&ann_id, "1"), ranked(&cid_id, "2")],
        "{left}"
    );

    let nope = "/v2/tournament/no_such_tournament";
    let refusals = [
        (
            ann.send("POST", &auth, Some(r#"{"score":1}"#)),
            (
                403,
                7,
                "Tournament only allows authoritative score submissions.",
            ),
        ),
        (
            ann.send("POST", &ended, Some(r#"{"score":1}"#)),
            (404, 5, "Tournament not found or has ended."),
        ),
        (
            ann.send("GET", &ended, None),
            (404, 5, "Tournament has ended."),
        ),
        (
            ann.send("POST", nope, Some(r#"{"score":1}"#)),
            (404, 5, "Tournament not found."),
        ),
        // A leaderboard's id passes the route's look-up and fails in the
        // tournament's write.
        (
            ann.send("POST", &plain, Some(r#"{"score":1}"#)),
            (500, 13, "Error writing score to tournament."),
        ),
        (
            ann.send("GET", nope, None),
            (404, 5, "Tournament not found."),
        ),
        (
            ann.send("GET", &plain, None),
            (404, 5, "Tournament not found."),
        ),
        (
            ann.send("POST", &format!("{nope}/join"), Some("{}")),
            (404, 5, "Tournament not found."),
        ),
        (
            ann.send("GET", &format!("{nope}/owner/{ann_id}"), None),
            (404, 5, "Tournament not found."),
        ),
        // Nakama answers every failed delete as its internal error.
        (
            ann.send("DELETE", &auth, None),
            (500, 13, "Error deleting score from tournament."),
        ),
        (
            ann.send("DELETE", nope, None),
            (500, 13, "Error deleting score from tournament."),
        ),
        (
            ann.send("POST", &open, Some(r#"{"score":1,"metadata":"[1]"}"#)),
            (400, 3, "Metadata value must be JSON, if provided."),
        ),
        // Nakama's core error, which its gateway answers as UNKNOWN.
        (
            ann.send("GET", "/v2/tournament?cursor=!!", None),
            (500, 2, "leaderboard cursor invalid"),
        ),
        (
            ann.send("GET", "/v2/tournament?limit=0", None),
            (400, 3, "Limit must be between 1 and 100."),
        ),
        (
            ann.send("GET", "/v2/tournament?category_end=128", None),
            (400, 3, "Tournament category end must be >=0 and <128."),
        ),
        (
            ann.send(
                "GET",
                "/v2/tournament?category_start=5&category_end=4",
                None,
            ),
            (
                400,
                3,
                "Tournament category end must be greater than category start.",
            ),
        ),
        (
            ann.send("GET", "/v2/tournament?start_time=10&end_time=5", None),
            (
                400,
                3,
                "Tournament end time must be greater than start time.",
            ),
        ),
        (
            ann.send("GET", &format!("{open}?limit=101"), None),
            (400, 3, "Invalid limit - limit must be between 1 and 100."),
        ),
        (
            ann.send("GET", &format!("{open}?owner_ids=not-a-uuid"), None),
            (400, 3, "One or more owner IDs are invalid."),
        ),
        (
            ann.send(
                "GET",
                &format!("{open}?limit=1&cursor=bm90LWEtY3Vyc29y"),
                None,
            ),
            (400, 3, "Cursor is invalid or expired."),
        ),
        (
            ann.send("GET", &format!("{open}/owner/not-a-uuid"), None),
            (400, 3, "Invalid owner ID provided."),
        ),
        (
            ann.send("GET", &format!("{open}/owner/{ann_id}?limit=0"), None),
            (400, 3, "Invalid limit - limit must be between 1 and 100."),
        ),
    ];
    for (r, (status, code, message)) in refusals {
        assert_eq!(
            error(&r),
            (status, json!(code), json!(message)),
            "{}",
            r.text()
        );
    }
}
