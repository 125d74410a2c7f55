//! The arguments and answers of the notification (`NotificationSendAll`,
//! `NotificationsUpdate`, `NotificationsDelete`, `NotificationsGetId`,
//! `NotificationsDeleteId`), leaderboard (`LeaderboardList`,
//! `LeaderboardRanksDisable`, `TournamentRanksDisable`,
//! `LeaderboardRecordsListCursorFromRank`), utility (`CronNext`,
//! `CronPrev`, `ReadFile`), metrics, `PartyList` and `http_request` nk
//! functions.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Arguments of `notification_send_all`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationSendAllArgs {
    /// Not empty.
    pub subject: String,
    pub content: Map<String, Value>,
    /// Above 0.
    pub code: i32,
    /// Stored for every user (and pushed to those connected); otherwise
    /// only pushed to every connected session.
    pub persistent: bool,
}

/// One change of `notifications_update`: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationUpdate {
    /// The stored notification's id (a UUID).
    pub id: String,
    pub subject: Option<String>,
    pub content: Option<Map<String, Value>>,
    /// A user id (or the system user's).
    pub sender: Option<String>,
}

/// Arguments of `notifications_update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationsUpdateArgs {
    pub updates: Vec<NotificationUpdate>,
}

/// One notification of `notifications_delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationDelete {
    pub user_id: String,
    pub notification_id: String,
}

/// Arguments of `notifications_delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationsDeleteArgs {
    pub notifications: Vec<NotificationDelete>,
}

/// Arguments of `notifications_get_id` and `notifications_delete_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationIdsArgs {
    /// Only this user's notifications; empty: anyone's.
    pub user_id: String,
    pub ids: Vec<String>,
}

/// A stored notification as `notifications_get_id` answers it (Nakama's
/// `runtime.Notification`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredNotification {
    pub id: String,
    pub user_id: String,
    pub subject: String,
    pub content: Map<String, Value>,
    pub code: i32,
    /// Empty for the system.
    pub sender: String,
    /// Unix seconds.
    pub create_time: i64,
    /// Always true: only persistent notifications are stored.
    pub persistent: bool,
}

/// Arguments of `leaderboard_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaderboardListArgs {
    /// 1 to 100.
    pub limit: i32,
    /// The `cursor` of an earlier page.
    pub cursor: String,
}

/// Arguments of `leaderboard_records_list_cursor_from_rank`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CursorFromRankArgs {
    pub id: String,
    /// The first rank the cursor's page lists; at least 1.
    pub rank: i64,
    /// The period (its expiry, Unix seconds); 0: the current one.
    pub expiry: i64,
}

/// Arguments of `cron_next` and `cron_prev`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CronArgs {
    /// A CRON expression (`"0 0 * * 1"`, `"@daily"`).
    pub expression: String,
    /// Unix seconds.
    pub timestamp: i64,
}

/// Arguments of `read_file`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadFileArgs {
    /// Joined to the host's `runtime.path`.
    pub path: String,
}

/// What `read_file` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileContent {
    /// The file's bytes (base64 in JSON).
    #[serde(with = "crate::matches::base64_bytes")]
    pub content: Vec<u8>,
}

/// Arguments of `metrics_counter_add`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsCounterArgs {
    pub name: String,
    pub tags: HashMap<String, String>,
    pub delta: i64,
}

/// Arguments of `metrics_gauge_set`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsGaugeArgs {
    pub name: String,
    pub tags: HashMap<String, String>,
    pub value: f64,
}

/// Arguments of `metrics_timer_record`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsTimerArgs {
    pub name: String,
    pub tags: HashMap<String, String>,
    /// The duration recorded, in nanoseconds (Go's `time.Duration`).
    pub nanos: i64,
}

/// Arguments of `party_list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartyListArgs {
    /// 1 to 100.
    pub limit: i32,
    /// Only open (`Some(true)`) or closed parties; `None`: both.
    pub open: Option<bool>,
    /// List hidden parties too.
    pub show_hidden: bool,
    /// A query on the parties' labels (`+label.mode:duel`); empty: all.
    pub query: String,
    /// The `cursor` of an earlier page listed with the same arguments.
    pub cursor: String,
}

impl Default for PartyListArgs {
    fn default() -> Self {
        PartyListArgs {
            limit: 10,
            open: None,
            show_hidden: false,
            query: String::new(),
            cursor: String::new(),
        }
    }
}

/// Arguments of `http_request` (ABI 1.14), as the JavaScript runtime's
/// `nk.httpRequest(url, method, headers, body, timeout, insecure)` takes
/// them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpRequestArgs {
    /// An absolute `http` or `https` URL.
    pub url: String,
    /// `get`, `post`, `put`, `patch`, `delete` or `head`, in any case.
    pub method: String,
    /// One value per header, as Nakama sends them.
    pub headers: BTreeMap<String, String>,
    /// The request body (base64 in JSON); empty: none.
    #[serde(with = "crate::matches::base64_bytes")]
    pub body: Vec<u8>,
    /// The whole request's time limit in milliseconds; 0: 5 000, as in
    /// Nakama.
    pub timeout_ms: u64,
    /// Skip the checks of the server's TLS certificate.
    pub insecure: bool,
}

impl HttpRequestArgs {
    /// A request without headers or body, with Nakama's time limit.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Self {
        HttpRequestArgs {
            url: url.into(),
            method: method.into(),
            ..Default::default()
        }
    }

    /// With header `name` set to `value`.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// With this body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// With this time limit for the whole request (rounded down to
    /// milliseconds; under one: Nakama's 5 s).
    pub fn timeout(mut self, limit: std::time::Duration) -> Self {
        self.timeout_ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
        self
    }
}

/// What `http_request` answers: the response, whatever its status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpRequestAnswer {
    /// The status code.
    pub code: u16,
    /// The response's headers, names in Go's canonical form
    /// (`Content-Type`), each with its values in order.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The response body (base64 in JSON).
    #[serde(with = "crate::matches::base64_bytes")]
    pub body: Vec<u8>,
}
