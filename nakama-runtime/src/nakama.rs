//! `Nakama`: the server functions a module can call (Nakama's `nk`).

use std::collections::HashMap;

use abi_stable::std_types::{RResult, RStr, RVec};

use nakama_runtime_abi::ffi::HostHandle;
use nakama_runtime_abi::nk::{self, NkFunction};
use serde_json::{Map, Value};

use crate::api;
use crate::Error;

mod accounts;
mod fleet;
mod friends;
mod misc;
mod purchases;
mod satori;
mod social;
mod streams;

pub use fleet::FleetManager;
pub use satori::Satori;

pub use nakama_runtime_abi::nk::{
    StorageDeleteOp, StorageListResult, StorageReadOp, StorageWriteOp, WalletUpdateResult,
};

/// The server API, as Nakama's `NakamaModule`, typed and async.
///
/// Handlers receive it as `nk: &Nakama`. Each function is answered by the
/// host: the dev host (SQLite) or a real Nakama through the bridge. A host
/// that lacks a function answers `UNIMPLEMENTED` naming it.
///
/// Its futures need no particular executor: a handler may also call nk
/// from threads of its own (`std::thread::scope`, with any `block_on`)
/// while the call lasts. For work that outlives the call, see
/// [`Nakama::background`].
pub struct Nakama {
    host: HostHandle,
}

/// What both hosts answer a storage write whose version check fails
/// (Nakama's `runtime.ErrStorageRejectedVersion`).
const STORAGE_VERSION_REJECTED: &str = "Storage write rejected - version check failed.";

impl Nakama {
    pub(crate) fn new(host: HostHandle) -> Self {
        Nakama { host }
    }

    /// A `Nakama` answered by `host`, for in-process callers (the dispatch
    /// benchmark calls handlers directly with it).
    #[doc(hidden)]
    pub fn from_host(host: HostHandle) -> Self {
        Nakama { host }
    }

    /// A `Nakama` for work outside any call: threads and tasks of your own
    /// that outlive the call that starts them (a periodic job started in
    /// `#[init_module]`, work left over after an RPC has answered). It
    /// stays valid as long as the module is loaded (its nk calls answer
    /// `UNAVAILABLE` once the host that loaded it has stopped, as a test
    /// host does at the end of its test). Its nk calls run as
    /// the module's init's do, with the init context (execution mode
    /// `run_once`), like a goroutine a Go module starts in `InitModule`;
    /// `log`/`tracing` lines written on threads polling no call go to the
    /// host the same way. Share it in an `Arc`, or ask again (it is cheap).
    ///
    /// ```ignore
    /// let nk = nk.background()?;
    /// std::thread::spawn(move || loop {
    ///     std::thread::sleep(std::time::Duration::from_secs(60));
    ///     if let Err(e) = futures::executor::block_on(nk.storage_write(&writes())) {
    ///         tracing::warn!("periodic write failed: {e}");
    ///     }
    /// });
    /// ```
    ///
    /// Hosts of ABI 1.3 or later have it (every host that loads a module
    /// built with this SDK); `UNIMPLEMENTED` otherwise.
    pub fn background(&self) -> Result<Nakama, Error> {
        background_handle(self.host)
            .map(|host| Nakama { host })
            .ok_or_else(|| {
                Error::new(
                    crate::Code::Unimplemented,
                    "this host has no handle for work outside calls (ABI 1.3); upgrade the host",
                )
            })
    }

    /// Calls any nk function by its spec type. The typed methods below are
    /// thin wrappers over this.
    pub async fn call<F: NkFunction>(&self, args: &F::Args) -> Result<F::Output, Error> {
        let encoded = serde_json::to_vec(args).map_err(|e| {
            Error::internal(format!("{}: could not encode arguments: {e}", F::NAME))
        })?;
        let fut = (self.host.vtable.nk_call())(
            self.host.data,
            RStr::from_str(F::NAME),
            RVec::from(encoded),
        );
        match fut.await {
            RResult::ROk(bytes) => {
                let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
                serde_json::from_slice(bytes).map_err(|e| {
                    Error::internal(format!("{}: host answered undecodable data: {e}", F::NAME))
                })
            }
            RResult::RErr(e) => Err(Error::from_ffi(e)),
        }
    }

    /// One account by user id (`AccountGetId`).
    pub async fn account_get_id(&self, user_id: &str) -> Result<api::Account, Error> {
        self.call::<nk::AccountGetId>(&nk::UserIdArgs {
            user_id: user_id.to_string(),
        })
        .await
    }

    /// Users by id; unknown ids are left out (`UsersGetId`).
    pub async fn users_get_id<S: AsRef<str>>(
        &self,
        user_ids: &[S],
    ) -> Result<Vec<api::User>, Error> {
        self.call::<nk::UsersGetId>(&nk::UsersGetIdArgs {
            user_ids: user_ids.iter().map(|s| s.as_ref().to_string()).collect(),
            facebook_ids: Vec::new(),
        })
        .await
    }

    /// Reads objects; missing ones are left out. Ignores permissions.
    pub async fn storage_read(
        &self,
        reads: &[StorageReadOp],
    ) -> Result<Vec<api::StorageObject>, Error> {
        self.call::<nk::StorageRead>(&nk::StorageReadArgs {
            reads: reads.to_vec(),
        })
        .await
    }

    /// Writes objects in one transaction: any failure writes nothing.
    /// Ignores permissions; stores the permissions given.
    pub async fn storage_write(
        &self,
        writes: &[StorageWriteOp],
    ) -> Result<Vec<api::StorageObjectAck>, Error> {
        self.call::<nk::StorageWrite>(&nk::StorageWriteArgs {
            writes: writes.to_vec(),
        })
        .await
    }

    /// Nakama's `StorageWriteRetry`: optimistic concurrency in one call.
    /// Reads `reads`, hands the objects (those that exist) to `update`,
    /// and writes what it answers in one transaction; when a write's
    /// version check fails because someone else wrote first, it reads and
    /// updates again, up to `max_retries` (0 to 10) more times. `update`
    /// sets each write's `version`: the read object's version (the write
    /// then only lands on what `update` saw), `"*"` to create only, or
    /// empty to overwrite. Any other error, `update`'s included, ends it.
    ///
    /// ```no_run
    /// # use nakama_runtime::prelude::*;
    /// # #[derive(Default, serde::Serialize, serde::Deserialize)]
    /// # struct Wins { n: i64 }
    /// # async fn f(nk: &Nakama, user: &str) -> Result<(), Error> {
    /// let read = StorageReadOp::new("stats", "wins").owner(user);
    /// nk.storage_write_retry(&[read], 5, |objects| async move {
    ///     let (wins, version) = match objects.first() {
    ///         Some(o) => (o.value_as::<Wins>()?, o.version.clone()),
    ///         None => (Wins::default(), "*".to_string()),
    ///     };
    ///     let write = StorageWriteOp::new("stats", "wins").owner(user);
    ///     Ok(vec![write.json(&Wins { n: wins.n + 1 })?.if_version(version)])
    /// }).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// Between attempts it waits as Nakama does (2 ms, doubled per
    /// attempt up to 20 ms, plus up to 9 ms at random), without blocking
    /// the host ([`crate::sleep`]). Out of retries: `ABORTED`, "Storage
    /// write retries exhausted.".
    pub async fn storage_write_retry<F, Fut>(
        &self,
        reads: &[StorageReadOp],
        max_retries: u32,
        mut update: F,
    ) -> Result<Vec<api::StorageObjectAck>, Error>
    where
        F: FnMut(Vec<api::StorageObject>) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<StorageWriteOp>, Error>>,
    {
        if max_retries > 10 {
            return Err(Error::invalid_argument(
                "max retries must be a value between 0 and 10",
            ));
        }
        for attempt in 0..=max_retries {
            let objects = self.storage_read(reads).await?;
            let writes = update(objects).await?;
            match self.storage_write(&writes).await {
                Err(e) if e.message() == STORAGE_VERSION_REJECTED => {
                    if attempt < max_retries {
                        crate::sleep(crate::time::storage_retry_backoff(attempt)).await;
                    }
                }
                done => return done,
            }
        }
        Err(Error::new(
            crate::Code::Aborted,
            "Storage write retries exhausted.",
        ))
    }

    /// Deletes objects in one transaction.
    pub async fn storage_delete(&self, deletes: &[StorageDeleteOp]) -> Result<(), Error> {
        self.call::<nk::StorageDelete>(&nk::StorageDeleteArgs {
            deletes: deletes.to_vec(),
        })
        .await
    }

    /// Lists a page of a collection. `caller_id` selects whose read
    /// permissions apply (`None`: the server, sees everything); `user_id`
    /// the owner (`None`: all owners).
    pub async fn storage_list(
        &self,
        caller_id: Option<&str>,
        user_id: Option<&str>,
        collection: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<StorageListResult, Error> {
        self.call::<nk::StorageList>(&nk::StorageListArgs {
            caller_id: caller_id.unwrap_or_default().to_string(),
            user_id: user_id.unwrap_or_default().to_string(),
            collection: collection.to_string(),
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// Lists a page of storage index `index_name`'s objects (ABI 1.9; see
    /// [`crate::Initializer::register_storage_index`]) that match `query`,
    /// as Nakama's `StorageIndexList`.
    ///
    /// `query` is a Bluge query string, as for `match_list`, over the
    /// indexed fields of each value under `value.` (`+value.tag:red
    /// value.size:>=10`), and `key`, `user_id`, `collection`, `version`,
    /// `read`, `write`, `create_time`, `update_time`; empty matches all.
    /// `order` names sortable fields (`value.size`; `-value.size` for
    /// descending; objects without the field come last); empty: by
    /// relevance. `limit` is 1 to 10000 (else `limit must be 1-10000`).
    /// The answer's cursor, when not empty, reads the next page with the
    /// same query, limit and order. `caller_id` selects whose read
    /// permissions apply (`None`: the server's, sees everything): objects
    /// the caller may not read are left out of the page.
    ///
    /// An index that is not `index_only` answers the objects as stored;
    /// an `index_only` one answers from the index (the value holds only
    /// the indexed fields). An unknown index is `index "name" not found`.
    pub async fn storage_index_list(
        &self,
        caller_id: Option<&str>,
        index_name: &str,
        query: &str,
        limit: i32,
        order: &[&str],
        cursor: Option<&str>,
    ) -> Result<StorageListResult, Error> {
        self.call::<nk::StorageIndexList>(&nk::StorageIndexListArgs {
            caller_id: caller_id.unwrap_or_default().to_string(),
            index_name: index_name.to_string(),
            query: query.to_string(),
            limit,
            order: order.iter().map(|o| o.to_string()).collect(),
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// Adds `changeset` to a user's wallet. Refused whole (`INVALID_ARGUMENT`)
    /// if any value would go negative.
    pub async fn wallet_update(
        &self,
        user_id: &str,
        changeset: HashMap<String, i64>,
        metadata: Map<String, Value>,
        update_ledger: bool,
    ) -> Result<WalletUpdateResult, Error> {
        self.call::<nk::WalletUpdate>(&nk::WalletUpdateArgs {
            user_id: user_id.to_string(),
            changeset,
            metadata,
            update_ledger,
        })
        .await
    }

    /// Sends one notification. `sender_id` `None` means the system.
    #[allow(clippy::too_many_arguments)]
    pub async fn notification_send(
        &self,
        user_id: &str,
        subject: &str,
        content: Map<String, Value>,
        code: i32,
        sender_id: Option<&str>,
        persistent: bool,
    ) -> Result<(), Error> {
        self.call::<nk::NotificationSend>(&nk::NotificationSendArgs {
            user_id: user_id.to_string(),
            subject: subject.to_string(),
            content,
            code,
            sender_id: sender_id.unwrap_or_default().to_string(),
            persistent,
        })
        .await
    }

    /// Finds or creates an account by custom id (`AuthenticateCustom`).
    pub async fn authenticate_custom(
        &self,
        id: &str,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateCustom>(&nk::AuthenticateArgs {
            id: id.to_string(),
            username: username.unwrap_or_default().to_string(),
            create,
        })
        .await
    }

    /// Finds or creates an account by device id (`AuthenticateDevice`).
    pub async fn authenticate_device(
        &self,
        id: &str,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateDevice>(&nk::AuthenticateArgs {
            id: id.to_string(),
            username: username.unwrap_or_default().to_string(),
            create,
        })
        .await
    }

    /// Finds (checking the password) or creates an account by email.
    pub async fn authenticate_email(
        &self,
        email: &str,
        password: &str,
        username: Option<&str>,
        create: bool,
    ) -> Result<nk::AuthenticateResult, Error> {
        self.call::<nk::AuthenticateEmail>(&nk::AuthenticateEmailArgs {
            email: email.to_string(),
            password: password.to_string(),
            username: username.unwrap_or_default().to_string(),
            create,
        })
        .await
    }

    /// A session token for a user (`AuthenticateTokenGenerate`); `exp` in
    /// Unix seconds, `None` for the configured lifetime.
    pub async fn authenticate_token_generate(
        &self,
        user_id: &str,
        username: &str,
        exp: Option<i64>,
        vars: HashMap<String, String>,
    ) -> Result<nk::TokenGenerateResult, Error> {
        self.call::<nk::AuthenticateTokenGenerate>(&nk::TokenGenerateArgs {
            user_id: user_id.to_string(),
            username: username.to_string(),
            exp: exp.unwrap_or(0),
            vars,
        })
        .await
    }

    /// Several accounts by user id; unknown ids are left out.
    pub async fn accounts_get_id<S: AsRef<str>>(
        &self,
        user_ids: &[S],
    ) -> Result<Vec<api::Account>, Error> {
        self.call::<nk::AccountsGetId>(&nk::UserIdsArgs {
            user_ids: user_ids.iter().map(|s| s.as_ref().to_string()).collect(),
        })
        .await
    }

    /// Changes the fields of `update` that are `Some` and not empty (as in
    /// Nakama's Go runtime, an empty text leaves the field as it is). An
    /// unknown user is no error; an update with nothing to change is
    /// (`No fields to update.`), and so is a value longer than its column
    /// (`lang_tag` 18 characters, `avatar_url` 512, `username` 128, the
    /// others 255), which changes nothing.
    pub async fn account_update_id(&self, update: &nk::AccountUpdateArgs) -> Result<(), Error> {
        self.call::<nk::AccountUpdateId>(update).await
    }

    /// Users by username; unknown names are left out.
    pub async fn users_get_username<S: AsRef<str>>(
        &self,
        usernames: &[S],
    ) -> Result<Vec<api::User>, Error> {
        self.call::<nk::UsersGetUsername>(&nk::UsernamesArgs {
            usernames: usernames.iter().map(|s| s.as_ref().to_string()).collect(),
        })
        .await
    }

    /// Several wallet updates in one transaction; refused whole if any
    /// wallet would go negative. Unknown users are skipped.
    pub async fn wallets_update(
        &self,
        updates: Vec<nk::WalletUpdateOp>,
        update_ledger: bool,
    ) -> Result<Vec<nk::WalletsUpdateItem>, Error> {
        self.call::<nk::WalletsUpdate>(&nk::WalletsUpdateArgs {
            updates,
            update_ledger,
        })
        .await
    }

    /// A page of a user's wallet ledger, newest first.
    pub async fn wallet_ledger_list(
        &self,
        user_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<nk::LedgerPage, Error> {
        self.call::<nk::WalletLedgerList>(&nk::PageArgs {
            user_id: user_id.to_string(),
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// Sends several notifications.
    pub async fn notifications_send(
        &self,
        notifications: Vec<nk::NotificationSendArgs>,
    ) -> Result<(), Error> {
        self.call::<nk::NotificationsSend>(&nk::NotificationsSendArgs { notifications })
            .await
    }

    /// A page of a user's notifications, oldest first; `limit` 1 to
    /// 1 000, or 0 for all of them.
    pub async fn notification_list(
        &self,
        user_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<nk::NotificationPage, Error> {
        self.call::<nk::NotificationList>(&nk::PageArgs {
            user_id: user_id.to_string(),
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// Creates a leaderboard (typically in `#[init_module]`). Creating an
    /// id that exists changes nothing, so this is safe on every start.
    pub async fn leaderboard_create(&self, args: &nk::LeaderboardCreateArgs) -> Result<(), Error> {
        self.call::<nk::LeaderboardCreate>(args).await
    }

    /// Deletes a leaderboard and all its records; an unknown id is not an
    /// error.
    pub async fn leaderboard_delete(&self, id: &str) -> Result<(), Error> {
        self.call::<nk::LeaderboardDelete>(&nk::LeaderboardIdArgs { id: id.to_string() })
            .await
    }

    /// Submits a score for `args.owner_id` through the leaderboard's
    /// operator (or `args.operator`); answers the record as it now stands,
    /// with its rank when the leaderboard keeps ranks. Allowed on
    /// authoritative leaderboards too. `NOT_FOUND` for an unknown
    /// leaderboard.
    pub async fn leaderboard_record_write(
        &self,
        args: &nk::LeaderboardRecordWriteArgs,
    ) -> Result<api::LeaderboardRecord, Error> {
        self.call::<nk::LeaderboardRecordWrite>(args).await
    }

    /// A page of `id`'s records in rank order (each with its rank), and
    /// the records of `owner_ids` wherever they rank. `limit` 0 lists only
    /// the owners' records.
    pub async fn leaderboard_records_list<S: AsRef<str>>(
        &self,
        id: &str,
        owner_ids: &[S],
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<nk::LeaderboardRecordsPage, Error> {
        self.call::<nk::LeaderboardRecordsList>(&nk::LeaderboardRecordsListArgs {
            id: id.to_string(),
            owner_ids: owner_ids.iter().map(|s| s.as_ref().to_string()).collect(),
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
            expiry: 0,
        })
        .await
    }

    /// A page of `limit` records (1 to 100) around `owner_id`'s, in rank
    /// order: records ranked just above and below it ("you and your
    /// neighbours"); empty when the owner has no record. Ranks are filled
    /// in when the leaderboard keeps them. With a cursor of an earlier
    /// page, lists on from it.
    pub async fn leaderboard_records_haystack(
        &self,
        id: &str,
        owner_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<api::LeaderboardRecordList, Error> {
        self.call::<nk::LeaderboardRecordsHaystack>(&nk::LeaderboardRecordsHaystackArgs {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
            expiry: 0,
        })
        .await
    }

    /// Leaderboards by id (settings, metadata, previous and next reset);
    /// unknown ids are left out.
    pub async fn leaderboards_get_id<S: AsRef<str>>(
        &self,
        ids: &[S],
    ) -> Result<Vec<api::Leaderboard>, Error> {
        self.call::<nk::LeaderboardsGetId>(&nk::LeaderboardIdsArgs {
            ids: ids.iter().map(|s| s.as_ref().to_string()).collect(),
        })
        .await
    }

    /// Removes `owner_id`'s record of the current period, if any.
    pub async fn leaderboard_record_delete(&self, id: &str, owner_id: &str) -> Result<(), Error> {
        self.call::<nk::LeaderboardRecordDelete>(&nk::LeaderboardRecordDeleteArgs {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
        })
        .await
    }

    /// Creates a tournament (typically in `#[init_module]`): a leaderboard
    /// whose periods accept scores for `duration` seconds from their start
    /// (`start_time`, then each time of the reset schedule) until
    /// `end_time`. Creating an existing tournament's id changes nothing.
    pub async fn tournament_create(&self, args: &nk::TournamentCreateArgs) -> Result<(), Error> {
        self.call::<nk::TournamentCreate>(args).await
    }

    /// Deletes a tournament and all its records; an unknown id is not an
    /// error.
    pub async fn tournament_delete(&self, id: &str) -> Result<(), Error> {
        self.call::<nk::TournamentDelete>(&nk::LeaderboardIdArgs { id: id.to_string() })
            .await
    }

    /// Gives `owner_id` `count` more (or, negative, fewer) scores to submit
    /// in the current period (its record must exist). `NOT_FOUND` for an
    /// unknown tournament, `FAILED_PRECONDITION` outside the active time.
    pub async fn tournament_add_attempt(
        &self,
        id: &str,
        owner_id: &str,
        count: i32,
    ) -> Result<(), Error> {
        self.call::<nk::TournamentAddAttempt>(&nk::TournamentAddAttemptArgs {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
            count,
        })
        .await
    }

    /// Joins `owner_id` to a tournament that asks for joining (otherwise
    /// nothing happens); joining twice is not an error.
    /// `FAILED_PRECONDITION` when it is full or no longer active.
    pub async fn tournament_join(
        &self,
        id: &str,
        owner_id: &str,
        username: &str,
    ) -> Result<(), Error> {
        self.call::<nk::TournamentJoin>(&nk::TournamentJoinArgs {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
            username: username.to_string(),
        })
        .await
    }

    /// Tournaments by id with their current active period; unknown ids and
    /// leaderboards are left out.
    pub async fn tournaments_get_id<S: AsRef<str>>(
        &self,
        ids: &[S],
    ) -> Result<Vec<api::Tournament>, Error> {
        self.call::<nk::TournamentsGetId>(&nk::LeaderboardIdsArgs {
            ids: ids.iter().map(|s| s.as_ref().to_string()).collect(),
        })
        .await
    }

    /// A page of tournaments (see [`nk::TournamentListArgs`] for the
    /// filters), by start time, end time (latest first), category and id.
    pub async fn tournament_list(
        &self,
        args: &nk::TournamentListArgs,
    ) -> Result<api::TournamentList, Error> {
        self.call::<nk::TournamentList>(args).await
    }

    /// A page of the current period's records in rank order (`limit` 0: no
    /// page) and `owner_ids`' records. `FAILED_PRECONDITION` once the
    /// tournament has ended.
    pub async fn tournament_records_list<S: AsRef<str>>(
        &self,
        id: &str,
        owner_ids: &[S],
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<nk::LeaderboardRecordsPage, Error> {
        self.call::<nk::TournamentRecordsList>(&nk::LeaderboardRecordsListArgs {
            id: id.to_string(),
            owner_ids: owner_ids.iter().map(|s| s.as_ref().to_string()).collect(),
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
            expiry: 0,
        })
        .await
    }

    /// Submits a score in the active period (authoritative tournaments
    /// too). Metadata `None` stores `{}`, as Nakama does. Refused with
    /// `FAILED_PRECONDITION` outside the active time, before joining when
    /// joining is required, when full or past the owner's number of scores.
    pub async fn tournament_record_write(
        &self,
        args: &nk::LeaderboardRecordWriteArgs,
    ) -> Result<api::LeaderboardRecord, Error> {
        self.call::<nk::TournamentRecordWrite>(args).await
    }

    /// Removes `owner_id`'s record of the current period, if any.
    pub async fn tournament_record_delete(&self, id: &str, owner_id: &str) -> Result<(), Error> {
        self.call::<nk::TournamentRecordDelete>(&nk::LeaderboardRecordDeleteArgs {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
        })
        .await
    }

    /// A page of `limit` (1 to 100) records of the current period around
    /// `owner_id`'s (empty if it has none).
    pub async fn tournament_records_haystack(
        &self,
        id: &str,
        owner_id: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<api::TournamentRecordList, Error> {
        self.call::<nk::TournamentRecordsHaystack>(&nk::LeaderboardRecordsHaystackArgs {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
            limit,
            cursor: cursor.unwrap_or_default().to_string(),
            expiry: 0,
        })
        .await
    }

    /// Starts an authoritative match of the handler registered as `module`
    /// ([`crate::Initializer::register_match`]) with `params` for its
    /// `init`; answers the match id clients join.
    pub async fn match_create(
        &self,
        module: &str,
        params: crate::matches::MatchParams,
    ) -> Result<String, Error> {
        self.call::<nk::MatchCreate>(&nk::MatchCreateArgs {
            module: module.to_string(),
            params,
        })
        .await
    }

    /// A running match; `None` when there is none by that id.
    pub async fn match_get(&self, id: &str) -> Result<Option<api::Match>, Error> {
        self.call::<nk::MatchGet>(&nk::MatchIdArgs { id: id.to_string() })
            .await
    }

    /// Running matches, filtered as Nakama's `MatchList` filters them.
    pub async fn match_list(&self, args: &nk::MatchListArgs) -> Result<Vec<api::Match>, Error> {
        self.call::<nk::MatchList>(args).await
    }

    /// Hands `data` to a match's [`crate::Match::signal`]; answers its
    /// reply.
    pub async fn match_signal(&self, id: &str, data: &str) -> Result<String, Error> {
        self.call::<nk::MatchSignal>(&nk::MatchSignalArgs {
            id: id.to_string(),
            data: data.to_string(),
        })
        .await
    }

    /// Sends a typed signal ([`MatchSignal`](crate::matches::MatchSignal))
    /// to a match, with `ctx`'s user as its [`Caller`](crate::matches::Caller),
    /// and answers the match's typed reply or its error, code kept. The
    /// match reads it with [`Signal::answer`](crate::matches::Signal::answer).
    /// The errors of [`Nakama::match_signal`] as they are; `INTERNAL` when
    /// the match answers something else than a typed reply.
    pub async fn match_signal_typed<S: crate::matches::MatchSignal>(
        &self,
        ctx: &crate::Context,
        id: &str,
        signal: &S,
    ) -> Result<S::Reply, Error> {
        let data = crate::matches::encode_signal(ctx, signal)?;
        let reply = self.match_signal(id, &data).await?;
        crate::matches::decode_signal_reply::<S>(id, &reply)
    }

    /// Publishes `event` to the modules' event handlers
    /// ([`Initializer::register_event`](crate::Initializer::register_event)),
    /// as Nakama's `Event` does: queued, handled after this call goes on,
    /// and a no-op when no handler is registered. `external` stays as
    /// given (clients' events have it set).
    pub async fn event(&self, event: &api::Event) -> Result<(), Error> {
        self.call::<nk::Event>(event).await
    }

    /// Makes the socket session `session_id` follow the status of
    /// `user_ids` (`StatusFollow`), as its own `status_follow` would: it
    /// gets their `status_presence_event`s from now on. Unlike the socket
    /// message, nothing is looked up or left out (an unknown user is
    /// followed too) and no presences are answered. A session or user id
    /// that is not a UUID is `INVALID_ARGUMENT` (`expects a valid session
    /// id`, `expects a valid user id`); a session that is not connected
    /// follows nothing.
    pub async fn status_follow<S: AsRef<str>>(
        &self,
        session_id: &str,
        user_ids: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::StatusFollow>(&status_args(session_id, user_ids))
            .await
    }

    /// Makes the socket session `session_id` stop following the status of
    /// `user_ids` (`StatusUnfollow`); users it does not follow are no
    /// matter. Refusals as [`Nakama::status_follow`]'s.
    pub async fn status_unfollow<S: AsRef<str>>(
        &self,
        session_id: &str,
        user_ids: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::StatusUnfollow>(&status_args(session_id, user_ids))
            .await
    }

    /// The id of a chat channel (`ChannelIdBuild`), for the other
    /// `channel_*` functions; no channel is created. `target` is a room's
    /// name (1 to 64 bytes, no control characters), the other user's id
    /// for a direct chat, or a group's id.
    ///
    /// `sender_id` is the user the channel is for: a direct chat is
    /// `sender_id`'s with `target` (refused when that user does not exist),
    /// and a group channel is refused unless `sender_id` is a member.
    /// `None` is the system user, for whom nothing is looked up: any
    /// group's id gives its channel, but a direct chat has no second user,
    /// and Nakama then answers the id of a room with no name (`"2..."`),
    /// which the other functions refuse.
    ///
    /// Refusals (`INVALID_ARGUMENT`) name the problem as Nakama does
    /// (`Channel name is required and must be 1-64 chars: Invalid channel
    /// target`, `User ID not found: Invalid channel target`, ...).
    pub async fn channel_id_build(
        &self,
        sender_id: Option<&str>,
        target: &str,
        channel_type: nk::ChannelType,
    ) -> Result<String, Error> {
        self.call::<nk::ChannelIdBuild>(&nk::ChannelIdBuildArgs {
            sender_id: sender_id.unwrap_or_default().to_string(),
            target: target.to_string(),
            channel_type,
        })
        .await
    }

    /// Sends a chat message to everyone in channel `channel_id`
    /// (`ChannelMessageSend`); nobody needs to have joined, the sender
    /// included. With `persist` it is stored in the channel's history.
    /// Answers its acknowledgement (its id and times).
    ///
    /// `sender_id` `None` is a message of the system: it is sent as the
    /// system user, `00000000-0000-0000-0000-000000000000`, as Nakama's
    /// Lua and TypeScript runtimes do (its Go runtime would pass an empty
    /// id on, which the history cannot store). A stored message's sender
    /// must be a user that exists (or the system user); otherwise, as for
    /// any failure to store it, `INTERNAL` "error persisting channel
    /// message". A bad `channel_id` is `INVALID_ARGUMENT` "invalid channel
    /// id".
    pub async fn channel_message_send(
        &self,
        channel_id: &str,
        content: Map<String, Value>,
        sender_id: Option<&str>,
        sender_username: &str,
        persist: bool,
    ) -> Result<nk::ChannelMessageAck, Error> {
        self.call::<nk::ChannelMessageSend>(&nk::ChannelMessageSendArgs {
            channel_id: channel_id.to_string(),
            content,
            sender_id: sender_or_system(sender_id),
            sender_username: sender_username.to_string(),
            persist,
        })
        .await
    }

    /// Sends new `content` for message `message_id` to everyone in its
    /// channel (`ChannelMessageUpdate`). With `persist` the stored message
    /// changes too, and it must be the sender's: `NOT_FOUND` "channel
    /// message not found" otherwise. Without, nothing stored is looked at.
    /// `sender_id` as in [`Nakama::channel_message_send`]; a message id
    /// that is not a UUID is `INVALID_ARGUMENT` "Invalid message
    /// identifier".
    #[allow(clippy::too_many_arguments)]
    pub async fn channel_message_update(
        &self,
        channel_id: &str,
        message_id: &str,
        content: Map<String, Value>,
        sender_id: Option<&str>,
        sender_username: &str,
        persist: bool,
    ) -> Result<nk::ChannelMessageAck, Error> {
        self.call::<nk::ChannelMessageUpdate>(&nk::ChannelMessageUpdateArgs {
            channel_id: channel_id.to_string(),
            message_id: message_id.to_string(),
            content,
            sender_id: sender_or_system(sender_id),
            sender_username: sender_username.to_string(),
            persist,
        })
        .await
    }

    /// Tells everyone in its channel that message `message_id` is removed
    /// (`ChannelMessageRemove`). With `persist` the stored message goes
    /// too, and it must be the sender's (`NOT_FOUND` "channel message not
    /// found" otherwise). As [`Nakama::channel_message_update`] otherwise.
    pub async fn channel_message_remove(
        &self,
        channel_id: &str,
        message_id: &str,
        sender_id: Option<&str>,
        sender_username: &str,
        persist: bool,
    ) -> Result<nk::ChannelMessageAck, Error> {
        self.call::<nk::ChannelMessageRemove>(&nk::ChannelMessageRemoveArgs {
            channel_id: channel_id.to_string(),
            message_id: message_id.to_string(),
            sender_id: sender_or_system(sender_id),
            sender_username: sender_username.to_string(),
            persist,
        })
        .await
    }

    /// A page of channel `channel_id`'s stored messages
    /// (`ChannelMessagesList`), `limit` of them (1 to 100), oldest first
    /// when `forward`, from `cursor` (a `next_cursor` or `prev_cursor` of
    /// an earlier page of this channel read the same way) or the start.
    /// Any channel's history, as the server reads it: no membership is
    /// checked. Refusals: `INVALID_ARGUMENT` "invalid channel id", "limit
    /// must be 1-100", "invalid channel cursor".
    pub async fn channel_messages_list(
        &self,
        channel_id: &str,
        limit: i32,
        forward: bool,
        cursor: Option<&str>,
    ) -> Result<nk::ChannelMessagesPage, Error> {
        self.call::<nk::ChannelMessagesList>(&nk::ChannelMessagesListArgs {
            channel_id: channel_id.to_string(),
            limit,
            forward,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// Creates a group (`GroupCreate`) with `args.user_id` as its
    /// superadmin and only member; answers it. `INVALID_ARGUMENT` for a
    /// user or creator id that is not a UUID ("expects user ID to be a
    /// valid identifier"), an empty name, a `max_count` below 1;
    /// `ALREADY_EXISTS` "group name in use".
    pub async fn group_create(&self, args: &nk::GroupCreateArgs) -> Result<api::Group, Error> {
        self.call::<nk::GroupCreate>(args).await
    }

    /// Changes a group's fields (`GroupUpdate`); empty strings, `None` and
    /// 0 leave a field as it is, but `open` is always set. With a
    /// `user_id`, that user must be an admin or superadmin
    /// (`PERMISSION_DENIED` "group permission denied"); `NOT_FOUND` "group
    /// not updated" when there is no such group.
    pub async fn group_update(&self, args: &nk::GroupUpdateArgs) -> Result<(), Error> {
        self.call::<nk::GroupUpdate>(args).await
    }

    /// Deletes a group, its memberships and its channel's presences
    /// (`GroupDelete`); an unknown group is not an error.
    pub async fn group_delete(&self, group_id: &str) -> Result<(), Error> {
        self.call::<nk::GroupDelete>(&nk::GroupIdArgs {
            group_id: group_id.to_string(),
        })
        .await
    }

    /// Groups by id (`GroupsGetId`); unknown ids are left out, an id that
    /// is not a UUID is `INVALID_ARGUMENT`.
    pub async fn groups_get_id<S: AsRef<str>>(
        &self,
        group_ids: &[S],
    ) -> Result<Vec<api::Group>, Error> {
        self.call::<nk::GroupsGetId>(&nk::GroupIdsArgs {
            group_ids: group_ids.iter().map(|s| s.as_ref().to_string()).collect(),
        })
        .await
    }

    /// A page of groups (`GroupsList`): by name (case-insensitive; `%`
    /// matches any run of characters, so `"clan%"` finds the names
    /// starting with `clan`), or filtered by language, open flag and
    /// member count (at most); a name cannot be combined with the
    /// others. `limit` 1 to 100.
    pub async fn groups_list(&self, args: &nk::GroupsListArgs) -> Result<api::GroupList, Error> {
        self.call::<nk::GroupsList>(args).await
    }

    /// Up to `count` groups (0 to 1 000), read from a random place on
    /// (`GroupsGetRandom`).
    pub async fn groups_get_random(&self, count: i32) -> Result<Vec<api::Group>, Error> {
        self.call::<nk::GroupsGetRandom>(&nk::GroupsGetRandomArgs { count })
            .await
    }

    /// A page of a group's members and join requests (`GroupUsersList`),
    /// superadmins first, each state in the order they got it; `limit` 1
    /// to 10 000, `state` only one state (4 lists the banned).
    pub async fn group_users_list(
        &self,
        group_id: &str,
        limit: i32,
        state: Option<i32>,
        cursor: Option<&str>,
    ) -> Result<api::GroupUserList, Error> {
        self.call::<nk::GroupUsersList>(&nk::GroupUsersListArgs {
            group_id: group_id.to_string(),
            limit,
            state,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// A page of the groups a user is in or asked to join
    /// (`UserGroupsList`), with the user's state in each; `limit` 1 to
    /// 100.
    pub async fn user_groups_list(
        &self,
        user_id: &str,
        limit: i32,
        state: Option<i32>,
        cursor: Option<&str>,
    ) -> Result<api::UserGroupList, Error> {
        self.call::<nk::UserGroupsList>(&nk::UserGroupsListArgs {
            user_id: user_id.to_string(),
            limit,
            state,
            cursor: cursor.unwrap_or_default().to_string(),
        })
        .await
    }

    /// Adds users to a group, or accepts their join requests
    /// (`GroupUsersAdd`); each gets a notification (code -4) and the
    /// group's channel a message. `caller_id` acts with that member's
    /// rights (an admin or superadmin), `None` as the system.
    pub async fn group_users_add<S: AsRef<str>>(
        &self,
        caller_id: Option<&str>,
        group_id: &str,
        user_ids: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::GroupUsersAdd>(&group_users(caller_id, group_id, user_ids))
            .await
    }

    /// Removes members, or declines join requests (`GroupUsersKick`); a
    /// group's last superadmin stays. `caller_id` as in
    /// [`Nakama::group_users_add`].
    pub async fn group_users_kick<S: AsRef<str>>(
        &self,
        caller_id: Option<&str>,
        group_id: &str,
        user_ids: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::GroupUsersKick>(&group_users(caller_id, group_id, user_ids))
            .await
    }

    /// Removes members and keeps them out (`GroupUsersBan`). `caller_id`
    /// as in [`Nakama::group_users_add`].
    pub async fn group_users_ban<S: AsRef<str>>(
        &self,
        caller_id: Option<&str>,
        group_id: &str,
        user_ids: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::GroupUsersBan>(&group_users(caller_id, group_id, user_ids))
            .await
    }

    /// Raises members one role up (`GroupUsersPromote`), to the caller's
    /// own at most. `caller_id` as in [`Nakama::group_users_add`].
    pub async fn group_users_promote<S: AsRef<str>>(
        &self,
        caller_id: Option<&str>,
        group_id: &str,
        user_ids: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::GroupUsersPromote>(&group_users(caller_id, group_id, user_ids))
            .await
    }

    /// Lowers members one role down (`GroupUsersDemote`), down to member.
    /// `caller_id` as in [`Nakama::group_users_add`].
    pub async fn group_users_demote<S: AsRef<str>>(
        &self,
        caller_id: Option<&str>,
        group_id: &str,
        user_ids: &[S],
    ) -> Result<(), Error> {
        self.call::<nk::GroupUsersDemote>(&group_users(caller_id, group_id, user_ids))
            .await
    }

    /// `user_id` (named `username` in the channel message) joins a group
    /// (`GroupUserJoin`): an open group at once, a closed one as a join
    /// request its admins are told of (code -5). `NOT_FOUND` "group not
    /// found", `INVALID_ARGUMENT` "group is full".
    pub async fn group_user_join(
        &self,
        group_id: &str,
        user_id: &str,
        username: &str,
    ) -> Result<(), Error> {
        self.call::<nk::GroupUserJoin>(&group_user(group_id, user_id, username))
            .await
    }

    /// `user_id` leaves a group (`GroupUserLeave`); a group's last
    /// superadmin cannot while others are in it (`INVALID_ARGUMENT` "user
    /// is last group superadmin"), and leaving it empty deletes it.
    pub async fn group_user_leave(
        &self,
        group_id: &str,
        user_id: &str,
        username: &str,
    ) -> Result<(), Error> {
        self.call::<nk::GroupUserLeave>(&group_user(group_id, user_id, username))
            .await
    }
}

fn group_users<S: AsRef<str>>(
    caller_id: Option<&str>,
    group_id: &str,
    user_ids: &[S],
) -> nk::GroupUsersArgs {
    nk::GroupUsersArgs {
        caller_id: caller_id.unwrap_or_default().to_string(),
        group_id: group_id.to_string(),
        user_ids: user_ids.iter().map(|s| s.as_ref().to_string()).collect(),
    }
}

fn group_user(group_id: &str, user_id: &str, username: &str) -> nk::GroupUserArgs {
    nk::GroupUserArgs {
        group_id: group_id.to_string(),
        user_id: user_id.to_string(),
        username: username.to_string(),
    }
}

/// The system user's id, Nakama's sender of a message no user sends.
const SYSTEM_USER_ID: &str = "00000000-0000-0000-0000-000000000000";

fn sender_or_system(sender_id: Option<&str>) -> String {
    sender_id.unwrap_or(SYSTEM_USER_ID).to_string()
}

/// The handle for work outside calls of the module `host` belongs to
/// (`HostVTable::background`), if the host has one.
pub(crate) fn background_handle(host: HostHandle) -> Option<HostHandle> {
    let get = host.vtable.background()?;
    let data = get(host.data);
    (data != 0).then_some(HostHandle {
        data,
        vtable: host.vtable,
    })
}

fn status_args<S: AsRef<str>>(session_id: &str, user_ids: &[S]) -> nk::StatusFollowArgs {
    nk::StatusFollowArgs {
        session_id: session_id.to_string(),
        user_ids: user_ids.iter().map(|s| s.as_ref().to_string()).collect(),
    }
}
