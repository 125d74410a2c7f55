//! Notifications beyond sending one (`NotificationSendAll`,
//! `NotificationsUpdate`, `NotificationsDelete`, `NotificationsGetId`,
//! `NotificationsDeleteId`), leaderboard listing and ranks
//! (`LeaderboardList`, `LeaderboardRanksDisable`, `TournamentRanksDisable`,
//! `LeaderboardRecordsListCursorFromRank`), the utilities `CronNext`,
//! `CronPrev` and `ReadFile`, custom metrics, `PartyList`, the
//! JavaScript and Lua runtimes' `httpRequest`, and the server's
//! configuration (`GetConfig`).

use std::collections::HashMap;
use std::time::Duration;

use nakama_runtime_abi::nk;
use serde_json::{Map, Value};

use super::Nakama;
use crate::{api, Error};

fn strings<S: AsRef<str>>(list: &[S]) -> Vec<String> {
    list.iter().map(|s| s.as_ref().to_string()).collect()
}

fn tags(tags: &[(&str, &str)]) -> HashMap<String, String> {
    tags.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl Nakama {
    /// One notification from the system to everyone
    /// (`NotificationSendAll`): when `persistent`, stored for every user
    /// (each gets a copy with an id of its own, listed with
    /// [`Nakama::notification_list`]) and pushed to those connected;
    /// otherwise pushed to every connected socket and not stored. Nakama
    /// stores them after answering, in batches, so they show up shortly
    /// after the call.
    ///
    /// Refusals (`INVALID_ARGUMENT`): "expects subject to be a non-empty
    /// string", "expects code to number above 0".
    pub async fn notification_send_all(
        &self,
        subject: &str,
        content: Map<String, Value>,
        code: i32,
        persistent: bool,
    ) -> Result<(), Error> {
        self.call::<nk::NotificationSendAll>(&nk::NotificationSendAllArgs {
            subject: subject.to_string(),
            content,
            code,
            persistent,
        })
        .await
    }

    /// Changes stored notifications (`NotificationsUpdate`): each update's
    /// `subject`, `content` and `sender` replace the notification's when
    /// given. Unknown ids are passed over. Refusal (`INVALID_ARGUMENT`):
    /// "expects id to be a valid UUID".
    pub async fn notifications_update(
        &self,
        updates: Vec<nk::NotificationUpdate>,
    ) -> Result<(), Error> {
        self.call::<nk::NotificationsUpdate>(&nk::NotificationsUpdateArgs { updates })
            .await
    }

    /// Deletes stored notifications, each of its user
    /// (`NotificationsDelete`); unknown ones are passed over. Refusals
    /// (`INVALID_ARGUMENT`): "expects userID to be a valid UUID",
    /// "expects notificationID to be a valid UUID".
    pub async fn notifications_delete(
        &self,
        notifications: Vec<nk::NotificationDelete>,
    ) -> Result<(), Error> {
        self.call::<nk::NotificationsDelete>(&nk::NotificationsDeleteArgs { notifications })
            .await
    }

    /// Stored notifications by id (`NotificationsGetId`), only `user_id`'s
    /// when it is not empty; unknown ids are left out. Each has its user,
    /// its content as JSON and an empty `sender` for the system. Refusal
    /// (`INVALID_ARGUMENT`): "expects id to be a valid id string".
    pub async fn notifications_get_id<S: AsRef<str>>(
        &self,
        user_id: &str,
        ids: &[S],
    ) -> Result<Vec<nk::StoredNotification>, Error> {
        self.call::<nk::NotificationsGetId>(&nk::NotificationIdsArgs {
            user_id: user_id.to_string(),
            ids: strings(ids),
        })
        .await
    }

    /// Deletes stored notifications by id (`NotificationsDeleteId`), only
    /// `user_id`'s when it is not empty. Refusal (`INVALID_ARGUMENT`):
    /// "expects id to be a valid uuid" (for an id or the user id).
    pub async fn notifications_delete_id<S: AsRef<str>>(
        &self,
        user_id: &str,
        ids: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::NotificationsDeleteId>(&nk::NotificationIdsArgs {
            user_id: user_id.to_string(),
            ids: strings(ids),
        })
        .await
    }

    /// A page of `limit` leaderboards (1 to 100; tournaments are left out)
    /// in the order they were created, from `cursor` (the `cursor` of an
    /// earlier page) or the first (`LeaderboardList`). Refusals
    /// (`INVALID_ARGUMENT`): "limit must be 1-100", "expects cursor to be
    /// valid when provided".
    pub async fn leaderboard_list(
        &self,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<api::LeaderboardList, Error> {
        self.call::<nk::LeaderboardList>(&nk::LeaderboardListArgs {
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// The leaderboard stops keeping ranks (`LeaderboardRanksDisable`):
    /// written records and owners' records then have no `rank` (0, left
    /// out of JSON) and listings no `rank_count`; pages of records are
    /// still numbered by their place. Disabling twice is not an error.
    /// Refusal (`NOT_FOUND`): "leaderboard not found" (also for a
    /// tournament's id).
    pub async fn leaderboard_ranks_disable(&self, id: &str) -> Result<(), Error> {
        self.call::<nk::LeaderboardRanksDisable>(&nk::LeaderboardIdArgs { id: id.to_string() })
            .await
    }

    /// The tournament stops keeping ranks (`TournamentRanksDisable`), as
    /// [`Nakama::leaderboard_ranks_disable`]. Refusal (`NOT_FOUND`):
    /// "tournament not found" (also for a leaderboard's id). Nakama 3.40.0
    /// then forgets, until it restarts, that the id is a tournament (its
    /// tournament functions answer "tournament not found"); the dev host
    /// keeps the tournament.
    pub async fn tournament_ranks_disable(&self, id: &str) -> Result<(), Error> {
        self.call::<nk::TournamentRanksDisable>(&nk::LeaderboardIdArgs { id: id.to_string() })
            .await
    }

    /// A cursor for [`Nakama::leaderboard_records_list`] whose page starts
    /// at `rank` (`LeaderboardRecordsListCursorFromRank`), in the period
    /// ending at `expiry` (0: the current one). Rank 1 answers an empty
    /// cursor (the first page). The leaderboard must keep ranks.
    ///
    /// Refusals: "invalid leaderboard id", "invalid rank - must be > 1",
    /// "expects expiry to equal or greater than 0", "invalid expiry" (a
    /// tournament whose records have expired) (`INVALID_ARGUMENT`);
    /// "leaderboard not found" and "failed to get cursor from rank: ..."
    /// (no ranks kept, or no record at the rank before) (`NOT_FOUND`).
    pub async fn leaderboard_records_list_cursor_from_rank(
        &self,
        id: &str,
        rank: i64,
        expiry: i64,
    ) -> Result<String, Error> {
        self.call::<nk::LeaderboardRecordsListCursorFromRank>(&nk::CursorFromRankArgs {
            id: id.to_string(),
            rank,
            expiry,
        })
        .await
    }

    /// The first time (Unix seconds, UTC) after `timestamp` that the CRON
    /// `expression` names (`CronNext`). Refusal (`INVALID_ARGUMENT`):
    /// "expects a valid cron string".
    pub async fn cron_next(&self, expression: &str, timestamp: i64) -> Result<i64, Error> {
        self.call::<nk::CronNext>(&nk::CronArgs {
            expression: expression.to_string(),
            timestamp,
        })
        .await
    }

    /// The last time (Unix seconds, UTC) before `timestamp` that the CRON
    /// `expression` named (`CronPrev`). Refusal as
    /// [`Nakama::cron_next`]'s.
    pub async fn cron_prev(&self, expression: &str, timestamp: i64) -> Result<i64, Error> {
        self.call::<nk::CronPrev>(&nk::CronArgs {
            expression: expression.to_string(),
            timestamp,
        })
        .await
    }

    /// The bytes of the file at `path` joined to the server's
    /// `runtime.path` (`ReadFile`). As in Nakama, nothing keeps the path
    /// inside it (`..` climbs out). A missing file is `NOT_FOUND`, with
    /// Go's message (`open <path>: no such file or directory`).
    pub async fn read_file(&self, path: &str) -> Result<Vec<u8>, Error> {
        let file = self
            .call::<nk::ReadFile>(&nk::ReadFileArgs {
                path: path.to_string(),
            })
            .await?;
        Ok(file.content)
    }

    /// Adds `delta` to the custom counter `name` with `tags`
    /// (`MetricsCounterAdd`): one of Nakama's metrics (Prometheus). The
    /// dev host has no metrics exporter: it logs the call at debug level.
    pub async fn metrics_counter_add(
        &self,
        name: &str,
        tags_: &[(&str, &str)],
        delta: i64,
    ) -> Result<(), Error> {
        self.call::<nk::MetricsCounterAdd>(&nk::MetricsCounterArgs {
            name: name.to_string(),
            tags: tags(tags_),
            delta,
        })
        .await
    }

    /// Sets the custom gauge `name` with `tags` to `value`
    /// (`MetricsGaugeSet`); see [`Nakama::metrics_counter_add`].
    pub async fn metrics_gauge_set(
        &self,
        name: &str,
        tags_: &[(&str, &str)],
        value: f64,
    ) -> Result<(), Error> {
        self.call::<nk::MetricsGaugeSet>(&nk::MetricsGaugeArgs {
            name: name.to_string(),
            tags: tags(tags_),
            value,
        })
        .await
    }

    /// Records `value` in the custom timer `name` with `tags`
    /// (`MetricsTimerRecord`); see [`Nakama::metrics_counter_add`].
    pub async fn metrics_timer_record(
        &self,
        name: &str,
        tags_: &[(&str, &str)],
        value: Duration,
    ) -> Result<(), Error> {
        self.call::<nk::MetricsTimerRecord>(&nk::MetricsTimerArgs {
            name: name.to_string(),
            tags: tags(tags_),
            nanos: i64::try_from(value.as_nanos()).unwrap_or(i64::MAX),
        })
        .await
    }

    /// A page of the realtime parties (`PartyList`), as
    /// [`nk::PartyListArgs`] filters them: each with its id, open and
    /// hidden flags, size limit and label. Nakama indexes a new or changed
    /// party in batches (once a second by default), so it is listed
    /// shortly after. Refusals (`INVALID_ARGUMENT`): "limit must be
    /// 1-100", "invalid cursor", "error parsing query string: ...".
    pub async fn party_list(&self, args: &nk::PartyListArgs) -> Result<api::PartyList, Error> {
        self.call::<nk::PartyList>(args).await
    }

    /// Sends an HTTP request from the host, as `nk.httpRequest` of
    /// Nakama's JavaScript runtime (`http_request` in Lua) does, and
    /// answers the response whatever its status: a module needs no HTTP
    /// client or async runtime of its own, and its call waits without
    /// holding a thread of the host. Redirects are followed; the time
    /// limit is `timeout_ms` (5 s when 0) for the whole request.
    ///
    /// ```ignore
    /// let request = nk::HttpRequestArgs::new("post", "https://example.com/score")
    ///     .header("Authorization", format!("Bearer {key}"))
    ///     .json(&score)?; // WriteJson: the body, and Content-Type
    /// let answer = nk.http_request(&request).await?;
    /// if answer.code != 200 { /* the service refused */ }
    /// let reply: Reply = answer.value_as()?; // ReadJson
    /// ```
    ///
    /// Refusals (`INVALID_ARGUMENT`): "URL string cannot be empty.",
    /// "Invalid method must be one of: 'get', 'post', 'put', 'patch',
    /// 'delete', 'head'." (Nakama's words), "HTTP request is invalid: ..."
    /// (a URL that is not absolute `http` or `https`, a header name or
    /// value HTTP does not allow). No answer in time: `DEADLINE_EXCEEDED`
    /// "HTTP request error: ..."; no answer at all (no connection, TLS
    /// refused): `UNAVAILABLE` "HTTP request error: ...".
    pub async fn http_request(
        &self,
        request: &nk::HttpRequestArgs,
    ) -> Result<nk::HttpRequestAnswer, Error> {
        self.call::<nk::HttpRequest>(request).await
    }

    /// The server's configuration as Nakama gives it to its runtimes
    /// (Go's `initializer.GetConfig()`, Lua's `nk.get_config()`): the
    /// node's name, the logger level, the session, socket, social, runtime,
    /// store, Google and Satori settings, secrets included. Callable from
    /// init and from any handler; each call asks the host.
    ///
    /// ```ignore
    /// let config = nk.config().await?;
    /// let refresh_in = config.session.token_expiry_sec / 2;
    /// ```
    ///
    /// The dev host answers its own settings; it has no `social`, `iap`
    /// or `google_auth` settings (it contacts no provider or store) and
    /// answers Nakama's defaults there (a module's test can stub
    /// [`nk::GetConfig`] for others).
    pub async fn config(&self) -> Result<nk::ServerConfig, Error> {
        self.call::<nk::GetConfig>(&()).await
    }
}
