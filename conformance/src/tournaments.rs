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
