//! The account, user, link and wallet nk functions, as Nakama's
//! `AccountDeleteId`, `AccountExportId`, `UsersGetFriendStatus`,
//! `UsersGetRandom`, `UsersBanId`, `UsersUnbanId`, `LinkCustom`,
//! `LinkDevice`, `LinkEmail`, `UnlinkCustom`, `UnlinkDevice`, `UnlinkEmail`,
//! `WalletLedgerUpdate` and `MultiUpdate`.

use nakama_runtime_abi::nk;
use serde_json::{Map, Value};

use super::Nakama;
use crate::api;
use crate::Error;

fn strings<S: AsRef<str>>(list: &[S]) -> Vec<String> {
    list.iter().map(|s| s.as_ref().to_string()).collect()
}

impl Nakama {
    /// Deletes `user_id`'s account (`AccountDeleteId`): the user, its
    /// devices, storage objects, friends, notifications, wallet ledger,
    /// chat messages and leaderboard and tournament records; it leaves its
    /// groups (a group whose last superadmin it was goes too). Its session
    /// and refresh tokens stop working (those issued before the second of
    /// the deletion) and its sockets close. With `recorded`, the id is kept in
    /// Nakama's tombstone list (what its console shows of deleted users).
    /// An unknown user is not an error.
    ///
    /// Refusals (`INVALID_ARGUMENT`): "expects user ID to be a valid
    /// identifier", "cannot delete the system user".
    pub async fn account_delete_id(&self, user_id: &str, recorded: bool) -> Result<(), Error> {
        self.call::<nk::AccountDeleteId>(&nk::AccountDeleteArgs {
            user_id: user_id.to_string(),
            recorded,
        })
        .await
    }

    /// Everything stored about `user_id`, as JSON text
    /// (`AccountExportId`): an object with `account` (as
    /// [`Nakama::account_get_id`] has it, but without `online`),
    /// `objects` (all its storage objects), `friends` (each `{"user":
    /// {"id"}, "state"}`), `groups`, `messages` (the chat messages it
    /// sent), `leaderboard_records`, `notifications` and `wallet_ledgers`
    /// (each with `changeset` and `metadata` as JSON text); empty lists are
    /// left out, as Nakama's protobuf JSON does.
    ///
    /// Refusals: "expects user ID to be a valid identifier"
    /// (`INVALID_ARGUMENT`); an unknown user is `NOT_FOUND` ("error
    /// exporting account: ... Account not found.").
    pub async fn account_export_id(&self, user_id: &str) -> Result<String, Error> {
        self.call::<nk::AccountExportId>(&nk::UserIdArgs {
            user_id: user_id.to_string(),
        })
        .await
    }

    /// Writes an account export back (`AccountImportId`) and answers the
    /// account as it then is.
    ///
    /// - Without `user_id`, a new account under the export's user id: its
    ///   username, profile (text trimmed of spaces), metadata, wallet,
    ///   email, custom id, devices and times as the export has them, and
    ///   its storage objects. The answer's user id is then
    ///   the nil id, as Nakama 3.40.0 answers.
    /// - With `user_id`, onto that user: its metadata and wallet become
    ///   the export's (both must be JSON text), and its storage objects
    ///   are replaced by the export's. Nothing else changes.
    ///
    /// Friends, groups, messages, records, notifications and ledger items
    /// in the export are not imported.
    ///
    /// `data` is read as Go's `encoding/json` reads Nakama's
    /// `AccountExport`, not as protobuf JSON: timestamps are
    /// `{"seconds": 1700000000, "nanos": 0}` objects, wrapped values
    /// objects (`"state": {"value": 0}`), keys match but for case. So
    /// [`Nakama::account_export_id`]'s text (RFC 3339 timestamps) is
    /// refused as it is; convert its timestamps first.
    ///
    /// ```json
    /// {"account": {"user": {"id": "…", "username": "ann", "metadata": "{}",
    ///   "create_time": {"seconds": 1700000000}}, "wallet": "{\"gold\": 5}",
    ///   "custom_id": "ann-1", "devices": [{"id": "device-1"}]},
    ///  "objects": [{"collection": "saves", "key": "slot1", "value": "{}",
    ///   "permission_read": 1, "permission_write": 1}]}
    /// ```
    ///
    /// Refusals (`INVALID_ARGUMENT`): "expects data to be present",
    /// "expects data to be a valid account export format", "expects user
    /// ID to be a valid identifier", "expects data to hold an account with
    /// its user" (both hosts check this; Nakama 3.40.0 would panic), and
    /// PostgreSQL's own words for a user id or JSON value it cannot read
    /// ("error importing account: ERROR: invalid input syntax for type
    /// ..."). A taken user id ("error importing account: User identifier
    /// already exists."), username ("... Username already in use."),
    /// email, custom id, device id or storage key ("... duplicate key value
    /// violates unique constraint ...") is `ALREADY_EXISTS`; an unknown
    /// `user_id` ("... Error updating user account during import.")
    /// `NOT_FOUND`. A refused import changes nothing.
    pub async fn account_import_id(
        &self,
        data: &str,
        user_id: Option<&str>,
    ) -> Result<api::Account, Error> {
        self.call::<nk::AccountImportId>(&nk::AccountImportArgs {
            data: data.to_string(),
            user_id: user_id.unwrap_or_default().to_string(),
        })
        .await
    }

    /// `user_id`'s relationships with the users of `user_ids`
    /// (`UsersGetFriendStatus`): one [`api::Friend`] for each of them
    /// `user_id` has a relationship with (friend, invite sent, invite
    /// received, blocked: its `state`), with the other user, when it last
    /// changed and the metadata of `user_id`'s side; the others are left
    /// out. The order is not defined.
    ///
    /// Refusal (`INVALID_ARGUMENT`): "expects user ID to be a valid
    /// identifier" (for `user_id` or any of `user_ids`).
    pub async fn users_get_friend_status<S: AsRef<str>>(
        &self,
        user_id: &str,
        user_ids: &[S],
    ) -> Result<Vec<api::Friend>, Error> {
        self.call::<nk::UsersGetFriendStatus>(&nk::FriendStatusArgs {
            user_id: user_id.to_string(),
            user_ids: strings(user_ids),
        })
        .await
    }

    /// Up to `count` users (`UsersGetRandom`): those whose ids follow a
    /// random id, then from the first id on if that is not enough, so
    /// fewer only when there are fewer users. 0 answers none.
    ///
    /// Refusal (`INVALID_ARGUMENT`): "count must be 0-1000".
    pub async fn users_get_random(&self, count: i32) -> Result<Vec<api::User>, Error> {
        self.call::<nk::UsersGetRandom>(&nk::UsersGetRandomArgs { count })
            .await
    }

    /// Bans the users of `user_ids` (`UsersBanId`): their accounts get a
    /// `disable_time`, the session and refresh tokens they hold stop
    /// working (those issued before the second of the ban), their sockets
    /// get Nakama's `banned` notification (code -8, not stored) and are
    /// closed, and authenticating or refreshing a session answers
    /// `PERMISSION_DENIED` "User account banned." until
    /// [`Nakama::users_unban_id`]. Unknown users are passed over.
    ///
    /// Refusal (`INVALID_ARGUMENT`): "each user id must be a valid id
    /// string".
    pub async fn users_ban_id<S: AsRef<str>>(&self, user_ids: &[S]) -> Result<(), Error> {
        self.call::<nk::UsersBanId>(&nk::UserIdsArgs {
            user_ids: strings(user_ids),
        })
        .await
    }

    /// Lifts the bans of `user_ids` (`UsersUnbanId`): they may log in
    /// again (tokens the ban ended stay ended). Refusal as
    /// [`Nakama::users_ban_id`]'s.
    pub async fn users_unban_id<S: AsRef<str>>(&self, user_ids: &[S]) -> Result<(), Error> {
        self.call::<nk::UsersUnbanId>(&nk::UserIdsArgs {
            user_ids: strings(user_ids),
        })
        .await
    }

    /// Gives `user_id`'s account the custom id `custom_id` to log in with
    /// (`LinkCustom`), replacing any it had.
    ///
    /// Refusals: "user ID must be a valid identifier", "Custom ID is
    /// required.", "Invalid custom ID, no spaces or control characters
    /// allowed.", "Invalid custom ID, must be 6-128 bytes."
    /// (`INVALID_ARGUMENT`); "Custom ID is already in use."
    /// (`ALREADY_EXISTS`: another account has it, or, as in Nakama, there
    /// is no such user).
    pub async fn link_custom(&self, user_id: &str, custom_id: &str) -> Result<(), Error> {
        self.call::<nk::LinkCustom>(&link(user_id, custom_id)).await
    }

    /// Adds the device id `device_id` to `user_id`'s account
    /// (`LinkDevice`); linking one it has again changes nothing.
    ///
    /// Refusals: "user ID must be a valid identifier", "Device ID is
    /// required.", "Device ID invalid, no spaces or control characters
    /// allowed.", "Device ID invalid, must be 10-128 bytes."
    /// (`INVALID_ARGUMENT`); "Device ID already in use." (`ALREADY_EXISTS`:
    /// another account has it); an unknown user is `INTERNAL` ("Error
    /// linking Device ID.").
    pub async fn link_device(&self, user_id: &str, device_id: &str) -> Result<(), Error> {
        self.call::<nk::LinkDevice>(&link(user_id, device_id)).await
    }

    /// Gives `user_id`'s account an email (kept in lower case) and password
    /// to log in with (`LinkEmail`), replacing any it had.
    ///
    /// Refusals: "user ID must be a valid identifier", "Email address and
    /// password is required.", "Invalid email address, no spaces or control
    /// characters allowed.", "Password must be at least 8 characters
    /// long.", "Invalid email address format.", "Invalid email address,
    /// must be 10-255 bytes." (`INVALID_ARGUMENT`); "Email is already in
    /// use." (`ALREADY_EXISTS`: another account has it, or there is no such
    /// user).
    pub async fn link_email(
        &self,
        user_id: &str,
        email: &str,
        password: &str,
    ) -> Result<(), Error> {
        self.call::<nk::LinkEmail>(&nk::LinkEmailArgs {
            user_id: user_id.to_string(),
            email: email.to_string(),
            password: password.to_string(),
        })
        .await
    }

    /// Removes `user_id`'s custom id (`UnlinkCustom`); with a non-empty
    /// `custom_id`, only if it is that one.
    ///
    /// Refusals: "user ID must be a valid identifier" (`INVALID_ARGUMENT`);
    /// "Cannot unlink last account identifier. Check profile exists and is
    /// not last link." (`PERMISSION_DENIED`: it is the account's only way
    /// to log in, the id differs, or there is no such user).
    pub async fn unlink_custom(&self, user_id: &str, custom_id: &str) -> Result<(), Error> {
        self.call::<nk::UnlinkCustom>(&link(user_id, custom_id))
            .await
    }

    /// Removes the device id `device_id` from `user_id`'s account
    /// (`UnlinkDevice`).
    ///
    /// Refusals: "user ID must be a valid identifier", "A device ID must be
    /// supplied." (`INVALID_ARGUMENT`); "Cannot unlink last account
    /// identifier. Check profile exists and is not last link."
    /// (`PERMISSION_DENIED`: it is the account's only way to log in, or the
    /// account has no such device).
    pub async fn unlink_device(&self, user_id: &str, device_id: &str) -> Result<(), Error> {
        self.call::<nk::UnlinkDevice>(&link(user_id, device_id))
            .await
    }

    /// Removes `user_id`'s email and password (`UnlinkEmail`); with a
    /// non-empty `email`, only if it is that one (in any case). Refusals as
    /// [`Nakama::unlink_custom`]'s.
    pub async fn unlink_email(&self, user_id: &str, email: &str) -> Result<(), Error> {
        self.call::<nk::UnlinkEmail>(&link(user_id, email)).await
    }

    /// Merges `metadata` into the metadata of the wallet ledger item
    /// `item_id` (`WalletLedgerUpdate`; top-level keys are replaced, the
    /// others kept). Answers the item as Nakama does: its user, changeset
    /// and creation time, with its id and metadata left empty (read it
    /// back with [`Nakama::wallet_ledger_list`]).
    ///
    /// Refusals: "expects a valid item id" (`INVALID_ARGUMENT`); an
    /// unknown item is `NOT_FOUND` (Nakama's words: "sql: no rows in
    /// result set").
    pub async fn wallet_ledger_update(
        &self,
        item_id: &str,
        metadata: Map<String, Value>,
    ) -> Result<nk::LedgerItem, Error> {
        self.call::<nk::WalletLedgerUpdate>(&nk::WalletLedgerUpdateArgs {
            item_id: item_id.to_string(),
            metadata,
        })
        .await
    }

    /// Account updates, storage writes, storage deletes and wallet updates
    /// in one transaction (`MultiUpdate`), in that order: any failure
    /// changes nothing and answers its error. Answers the storage acks and
    /// a wallet result per existing user (unknown users' wallet updates
    /// and account updates are passed over).
    ///
    /// Each account update changes its `Some`, non-empty fields (Nakama's
    /// Go runtime cannot clear one here; use
    /// [`Nakama::account_update_id`]) and must change one ("No fields to
    /// update.", `INVALID_ARGUMENT`); a username in use is
    /// `ALREADY_EXISTS`. Writes and deletes are the server's, as
    /// [`Nakama::storage_write`] and [`Nakama::storage_delete`]; wallet
    /// updates as [`Nakama::wallets_update`], with `update_ledger` for all.
    /// Nothing given: nothing done, empty answers.
    ///
    /// Refusals before anything is done (`INVALID_ARGUMENT`): "expects user
    /// ID to be a valid identifier" (account), the storage functions'
    /// ("expects collection to be a non-empty string", ...), "expects a
    /// valid user id" (wallet).
    pub async fn multi_update(
        &self,
        updates: nk::MultiUpdateArgs,
    ) -> Result<nk::MultiUpdateResult, Error> {
        self.call::<nk::MultiUpdate>(&updates).await
    }
}

fn link(user_id: &str, id: &str) -> nk::LinkArgs {
    nk::LinkArgs {
        user_id: user_id.to_string(),
        id: id.to_string(),
    }
}
