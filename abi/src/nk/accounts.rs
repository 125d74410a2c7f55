//! The arguments and answers of the account, user, link and wallet nk
//! functions (Nakama's `AccountDeleteId`, `AccountExportId`,
//! `UsersGetFriendStatus`, `UsersGetRandom`, `UsersBanId`, `UsersUnbanId`,
//! `LinkCustom`, `LinkDevice`, `LinkEmail`, `UnlinkCustom`, `UnlinkDevice`,
//! `UnlinkEmail`, `WalletLedgerUpdate` and `MultiUpdate`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    AccountUpdateArgs, StorageDeleteOp, StorageWriteOp, WalletUpdateOp, WalletsUpdateItem,
};
use crate::api;

/// Arguments of `account_delete_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountDeleteArgs {
    pub user_id: String,
    /// Keep a record (tombstone) of the deleted user id, as Nakama does
    /// for its console.
    pub recorded: bool,
}

/// Arguments of `account_import_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountImportArgs {
    /// The export, as JSON text.
    pub data: String,
    /// The user to import onto; empty: create the export's own account.
    pub user_id: String,
}

/// Arguments of `users_get_friend_status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FriendStatusArgs {
    /// Whose relationships.
    pub user_id: String,
    /// The users asked about; those without a relationship are left out.
    pub user_ids: Vec<String>,
}

/// Arguments of `users_get_random`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UsersGetRandomArgs {
    /// 0 to 1000.
    pub count: i32,
}

/// Arguments of `link_custom`, `link_device`, `unlink_custom`,
/// `unlink_device` and `unlink_email`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkArgs {
    pub user_id: String,
    /// The custom id, device id or (`unlink_email`) email address.
    pub id: String,
}

/// Arguments of `link_email`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkEmailArgs {
    pub user_id: String,
    pub email: String,
    pub password: String,
}

/// Arguments of `wallet_ledger_update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WalletLedgerUpdateArgs {
    /// The ledger item's id.
    pub item_id: String,
    /// Merged into the item's metadata (top-level keys replaced).
    pub metadata: Map<String, Value>,
}

/// Arguments of `multi_update`: everything is done in one transaction, in
/// this order, and any failure changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MultiUpdateArgs {
    /// `None` or empty fields are left as they are; an update must change
    /// something.
    pub account_updates: Vec<AccountUpdateArgs>,
    pub storage_writes: Vec<StorageWriteOp>,
    pub storage_deletes: Vec<StorageDeleteOp>,
    pub wallet_updates: Vec<WalletUpdateOp>,
    /// Record each wallet update in its user's ledger.
    pub update_ledger: bool,
}

/// What `multi_update` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MultiUpdateResult {
    /// One per storage write, in order.
    pub acks: Vec<api::StorageObjectAck>,
    /// One per wallet update of an existing user.
    pub wallet_updates: Vec<WalletsUpdateItem>,
}
