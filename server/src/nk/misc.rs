//! The notification, leaderboard-listing, rank, cron, file, metrics,
//! party-list and configuration nk functions on the dev host, as Nakama
//! 3.40.0's Go runtime serves them (server/runtime_go_nakama.go,
//! core_notification.go, core_leaderboard.go, core_file.go,
//! party_registry.go, config.go): its argument checks and words, with the
//! codes the bridge gives them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use nakama_runtime_host::abi::nk::{self, NkFunction};
use nakama_runtime_host::abi::{api, Code};
use nakama_runtime_host::{BoxFuture, CallError};
use serde_json::Value;

use super::{call, decode, encode, DevHostApi};
use crate::channels::go_uuid;
use crate::db::{leaderboard, notification};
use crate::log::Level;
use crate::parties::Parties;

type Answer = BoxFuture<'static, Result<Vec<u8>, CallError>>;

/// What these functions need beyond the rest of the host: the runtime
/// path `read_file` reads under, and the parties `party_list` lists
/// (set once the realtime side exists; none on hosts without one, the
/// test host and `check`).
#[derive(Clone, Default)]
pub struct Extras {
    pub runtime_path: PathBuf,
    parties: Arc<OnceLock<Parties>>,
    /// The Satori client (`satori.*` settings; none without them).
    pub satori: Option<super::satori::Satori>,
    /// The fleet manager a module registered, if any (`fleet_*`).
    pub fleet: super::Fleet,
    /// What `get_config` answers: the host's settings
    /// ([`crate::config::Config::server_config`]).
    pub config: Arc<nk::ServerConfig>,
}

impl Extras {
    pub fn new(runtime_path: PathBuf, config: nk::ServerConfig) -> Extras {
        Extras {
            runtime_path,
            parties: Arc::default(),
            satori: None,
            fleet: Default::default(),
            config: Arc::new(config),
        }
    }

    /// The host's parties (none on hosts without a realtime side).
    pub fn parties(&self) -> Option<Parties> {
        self.parties.get().cloned()
    }

    /// The host's parties, for `party_list`.
    pub fn set_parties(&self, parties: Parties) {
        let _ = self.parties.set(parties);
    }
}

fn refuse(message: impl Into<String>) -> CallError {
    CallError::new(Code::InvalidArgument, message)
}

fn answer(r: Result<Vec<u8>, CallError>) -> Answer {
    Box::pin(async move { r })
}

/// Runs a function that needs no database, at once.
fn now<F: NkFunction>(
    args: &[u8],
    f: impl FnOnce(F::Args) -> Result<F::Output, CallError>,
) -> Answer {
    answer(
        decode::<F::Args>(F::NAME, args)
            .and_then(f)
            .and_then(|out| encode(&out)),
    )
}

/// The nk function `function`, when it is one of these.
pub(super) fn call_misc(api: &DevHostApi, function: &str, args: &[u8]) -> Option<Answer> {
    let db = &api.db;
    Some(match function {
        nk::NotificationSendAll::NAME => send_all(api, args),
        nk::NotificationsUpdate::NAME => call::<nk::NotificationsUpdate>(db, args, |c, a| {
            if a.updates.iter().any(|u| go_uuid(&u.id).is_none()) {
                return Err(refuse("expects id to be a valid UUID"));
            }
            notification::update(c, &a.updates)
        }),
        nk::NotificationsDelete::NAME => call::<nk::NotificationsDelete>(db, args, |c, a| {
            let mut by_user: Vec<(String, Vec<String>)> = Vec::new();
            for n in &a.notifications {
                let user = go_uuid(&n.user_id)
                    .ok_or_else(|| refuse("expects userID to be a valid UUID"))?
                    .to_string();
                if go_uuid(&n.notification_id).is_none() {
                    return Err(refuse("expects notificationID to be a valid UUID"));
                }
                match by_user.iter_mut().find(|(u, _)| *u == user) {
                    Some((_, ids)) => ids.push(n.notification_id.clone()),
                    None => by_user.push((user, vec![n.notification_id.clone()])),
                }
            }
            for (user, ids) in by_user {
                notification::delete(c, &user, &ids)?;
            }
            Ok(())
        }),
        nk::NotificationsGetId::NAME => call::<nk::NotificationsGetId>(db, args, |c, a| {
            if a.ids.is_empty() {
                return Ok(Vec::new());
            }
            if a.ids.iter().any(|id| go_uuid(id).is_none()) {
                return Err(refuse("expects id to be a valid id string"));
            }
            notification::get_ids(c, &a.user_id, &a.ids)
        }),
        nk::NotificationsDeleteId::NAME => call::<nk::NotificationsDeleteId>(db, args, |c, a| {
            if a.ids.is_empty() {
                return Ok(());
            }
            let bad = || refuse("expects id to be a valid uuid");
            if a.ids.iter().any(|id| go_uuid(id).is_none()) {
                return Err(bad());
            }
            let user = match a.user_id.as_str() {
                "" => String::new(),
                u => go_uuid(u).ok_or_else(bad)?.to_string(),
            };
            notification::delete_ids(c, &user, &a.ids)
        }),
        nk::LeaderboardList::NAME => call::<nk::LeaderboardList>(db, args, |c, a| {
            if !(1..=100).contains(&a.limit) {
                return Err(refuse("limit must be 1-100"));
            }
            leaderboard::list_leaderboards(c, a.limit as usize, &a.cursor)
        }),
        nk::LeaderboardRanksDisable::NAME => {
            call::<nk::LeaderboardRanksDisable>(db, args, |c, a| {
                leaderboard::ranks_disable(c, &a.id, false)
            })
        }
        nk::TournamentRanksDisable::NAME => call::<nk::TournamentRanksDisable>(db, args, |c, a| {
            leaderboard::ranks_disable(c, &a.id, true)
        }),
        nk::LeaderboardRecordsListCursorFromRank::NAME => {
            call::<nk::LeaderboardRecordsListCursorFromRank>(db, args, |c, a| {
                if a.id.is_empty() {
                    return Err(refuse("invalid leaderboard id"));
                }
                if a.rank < 1 {
                    return Err(refuse("invalid rank - must be > 1"));
                }
                if a.expiry < 0 {
                    return Err(refuse("expects expiry to equal or greater than 0"));
                }
                leaderboard::cursor_from_rank(c, &a.id, a.rank, a.expiry)
            })
        }
        nk::CronNext::NAME => now::<nk::CronNext>(args, |a| cron(&a, leaderboard::next_at)),
        nk::CronPrev::NAME => now::<nk::CronPrev>(args, |a| cron(&a, leaderboard::prev_at)),
        nk::ReadFile::NAME => {
            let root = api.misc.runtime_path.clone();
            now::<nk::ReadFile>(args, move |a| read_file(&root, &a.path))
        }
        nk::GetConfig::NAME => {
            let config = api.misc.config.clone();
            now::<nk::GetConfig>(args, move |()| Ok(nk::ServerConfig::clone(&config)))
        }
        nk::MetricsCounterAdd::NAME => now::<nk::MetricsCounterAdd>(args, |a| {
            let recorded = api.metrics.counter_add(&a.name, &a.tags, a.delta);
            metric(api, "counter", &a.name, &a.tags, a.delta.into(), recorded);
            Ok(())
        }),
        nk::MetricsGaugeSet::NAME => now::<nk::MetricsGaugeSet>(args, |a| {
            let recorded = api.metrics.gauge_set(&a.name, &a.tags, a.value);
            metric(api, "gauge", &a.name, &a.tags, a.value.into(), recorded);
            Ok(())
        }),
        nk::MetricsTimerRecord::NAME => now::<nk::MetricsTimerRecord>(args, |a| {
            let recorded = api.metrics.timer_record(&a.name, &a.tags, a.nanos);
            metric(api, "timer", &a.name, &a.tags, a.nanos.into(), recorded);
            Ok(())
        }),
        nk::PartyList::NAME => {
            let parties = api.misc.parties.get().cloned();
            now::<nk::PartyList>(args, move |a| {
                if !(1..=100).contains(&a.limit) {
                    return Err(refuse("limit must be 1-100"));
                }
                let Some(parties) = parties else {
                    return Ok(api::PartyList::default());
                };
                let (parties, cursor) = parties
                    .list(a.limit as usize, a.open, a.show_hidden, &a.query, &a.cursor)
                    .map_err(refuse)?;
                Ok(api::PartyList { parties, cursor })
            })
        }
        _ => return None,
    })
}

/// `notification_send_all`: a persistent one is stored for every user,
/// then pushed to those connected; another goes to every open socket.
/// (Nakama stores them in the background, after answering; here they are
/// stored before the answer.) Storing that fails (a code past `smallint`,
/// text PostgreSQL refuses) is logged and sends nothing, the call
/// answering as if it went well, as Nakama's does.
fn send_all(api: &DevHostApi, args: &[u8]) -> Answer {
    let parsed = decode::<nk::NotificationSendAllArgs>(nk::NotificationSendAll::NAME, args);
    let (db, online, log) = (api.db.clone(), api.online.clone(), api.log.clone());
    Box::pin(async move {
        let a = parsed?;
        if a.subject.is_empty() {
            return Err(refuse("expects subject to be a non-empty string"));
        }
        if a.code <= 0 {
            return Err(refuse("expects code to number above 0"));
        }
        if a.persistent {
            let stored = db
                .run(move |c| {
                    notification::fit_codes(std::iter::once(a.code))?;
                    notification::send_all(c, &a)
                })
                .await;
            match stored {
                Ok(sent) => {
                    for (user, n) in sent {
                        online.notify(&user, vec![n]);
                    }
                }
                Err(e) => log.error(
                    "Failed to save persistent notifications",
                    &[("error", e.message.into())],
                ),
            }
        } else {
            let now = db.run(|c| Ok(c.now())).await?;
            online.notify_all(&api::Notification {
                id: uuid::Uuid::new_v4().to_string(),
                subject: a.subject,
                content: Value::Object(a.content).to_string(),
                code: a.code,
                sender_id: crate::db::SYSTEM_USER.to_string(),
                create_time: Some(crate::db::rfc3339(now)),
                persistent: false,
            });
        }
        encode(&())
    })
}

/// `cron_next` / `cron_prev` with `at`, on the schedule reader the
/// leaderboard resets use. Nakama answers Go's zero time (year 1) when
/// no time matches.
fn cron(a: &nk::CronArgs, at: fn(&croner::Cron, i64) -> Option<i64>) -> Result<i64, CallError> {
    const GO_ZERO_TIME: i64 = -62_135_596_800;
    let schedule = leaderboard::read_cron(&a.expression)
        .ok_or_else(|| refuse("expects a valid cron string"))?;
    Ok(at(&schedule, a.timestamp).unwrap_or(GO_ZERO_TIME))
}

/// Go's `filepath.Join`: the parts joined by `/`, then cleaned lexically
/// (`.` and empty parts dropped, `..` taking off the part before it).
fn go_join(root: &str, rel: &str) -> String {
    let joined = match (root.is_empty(), rel.is_empty()) {
        (true, true) => return String::new(),
        (true, false) => rel.to_string(),
        (false, true) => root.to_string(),
        (false, false) => format!("{root}/{rel}"),
    };
    let rooted = joined.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_string(),
        (false, false) => body,
    }
}

/// An OS error as Go words it (`no such file or directory`).
fn go_os_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// `read_file`: the file at `rel` joined to the runtime path, as Nakama's
/// `FileRead` opens it (nothing keeps it under the runtime path).
fn read_file(root: &Path, rel: &str) -> Result<nk::FileContent, CallError> {
    let path = go_join(&root.to_string_lossy(), rel);
    let code = |e: &std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Code::NotFound,
        std::io::ErrorKind::PermissionDenied => Code::PermissionDenied,
        _ => Code::Internal,
    };
    let file = std::fs::File::open(&path)
        .map_err(|e| CallError::new(code(&e), format!("open {path}: {}", go_os_error(&e))))?;
    let mut content = Vec::new();
    std::io::Read::read_to_end(&mut &file, &mut content)
        .map_err(|e| CallError::new(code(&e), format!("read {path}: {}", go_os_error(&e))))?;
    Ok(nk::FileContent { content })
}

/// A custom metric, once recorded for Prometheus: logged at debug level
/// (for a dev host run without the exporter), and a warning if its name
/// was first recorded as another kind, which drops it.
fn metric(
    api: &DevHostApi,
    kind: &str,
    name: &str,
    tags: &std::collections::HashMap<String, String>,
    value: Value,
    recorded: Result<(), &str>,
) {
    if let Err(first) = recorded {
        api.log.warn(
            "Custom metric not recorded: its name is already used by another kind",
            &[
                ("name", name.into()),
                ("kind", kind.into()),
                ("recorded_as", first.into()),
            ],
        );
    }
    if !api.log.enabled(Level::Debug) {
        return;
    }
    let tags: serde_json::Map<String, Value> = tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect();
    api.log.log(
        Level::Debug,
        "Custom metric",
        &[
            ("kind", kind.into()),
            ("name", name.into()),
            ("tags", Value::Object(tags)),
            ("value", value),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_and_clean_as_go_does() {
        assert_eq!(go_join("/rt", "a.txt"), "/rt/a.txt");
        assert_eq!(go_join("/rt", "/etc/x"), "/rt/etc/x");
        assert_eq!(go_join("/rt", "sub/../a.txt"), "/rt/a.txt");
        assert_eq!(go_join("/rt", "../../etc/x"), "/etc/x");
        assert_eq!(go_join("/rt/", ""), "/rt");
        assert_eq!(go_join("data/modules", "../../../x"), "../x");
        assert_eq!(go_join("", ""), "");
    }

    #[test]
    fn os_errors_read_as_go_words_them() {
        let e = std::fs::File::open("/no/such/file").unwrap_err();
        assert_eq!(go_os_error(&e), "no such file or directory");
        let missing = read_file(Path::new("/no/such"), "x").unwrap_err();
        assert_eq!(missing.code, Code::NotFound);
        assert_eq!(
            missing.message,
            "open /no/such/x: no such file or directory"
        );
    }
}
