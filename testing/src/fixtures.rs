//! Fixtures a test makes through the host: accounts with ids and wallets,
//! storage as the server sees it.

use nakama_devhost::db::{self, Caller};
use nakama_runtime::api;
use nakama_runtime::nk::{StorageReadOp, StorageWriteOp};
use nakama_runtime::Error;

use crate::{to_error, TestHost, User};

/// An account [`TestHost::account`] will create.
pub struct AccountFixture<'h> {
    pub(crate) host: &'h TestHost,
    pub(crate) username: String,
    pub(crate) id: Option<db::AuthIdOwned>,
    pub(crate) wallet: Vec<(String, i64)>,
}

impl AccountFixture<'_> {
    /// Its custom id (default `test-user-<username>`).
    pub fn custom_id(mut self, id: &str) -> Self {
        self.id = Some(db::AuthIdOwned::Custom(id.into()));
        self
    }

    /// A device id instead of a custom id.
    pub fn device_id(mut self, id: &str) -> Self {
        self.id = Some(db::AuthIdOwned::Device(id.into()));
        self
    }

    /// Starting wallet (recorded in the ledger).
    pub fn wallet(mut self, changeset: &[(&str, i64)]) -> Self {
        self.wallet = changeset.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        self
    }

    /// Creates the account (or finds it, by its id).
    pub async fn create(self) -> User {
        let name = self.username.clone();
        let id = self
            .id
            .unwrap_or_else(|| db::AuthIdOwned::Custom(format!("test-user-{name}")));
        let a = self
            .host
            .db
            .run(move |c| id.authenticate(c, &name, true))
            .await
            .unwrap_or_else(|e| panic!("creating user {}: {}", self.username, e.message));
        let user = User {
            id: a.user_id,
            username: a.username,
        };
        if !self.wallet.is_empty() {
            let changes: Vec<(&str, i64)> =
                self.wallet.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            self.host.give(&user, &changes).await;
        }
        user
    }
}

/// Storage seen by the server ([`TestHost::storage`]).
pub struct Storage<'h> {
    pub(crate) host: &'h TestHost,
}

impl Storage<'_> {
    /// The object `collection`/`key` of `owner` (`None`: the system user),
    /// as a list of zero or one object.
    pub async fn read(
        &self,
        collection: &str,
        key: &str,
        owner: Option<&User>,
    ) -> Result<Vec<api::StorageObject>, Error> {
        let op = StorageReadOp {
            collection: collection.into(),
            key: key.into(),
            user_id: owner.map(|u| u.id.clone()).unwrap_or_default(),
        };
        self.host
            .db
            .run(move |c| db::storage_read(c, Caller::Server, &[op]))
            .await
            .map_err(to_error)
    }

    /// Writes a JSON object value (a fixture; readable and writable by its
    /// owner only).
    pub async fn write(
        &self,
        collection: &str,
        key: &str,
        owner: Option<&User>,
        value: &str,
    ) -> Result<api::StorageObjectAck, Error> {
        let op = StorageWriteOp {
            collection: collection.into(),
            key: key.into(),
            user_id: owner.map(|u| u.id.clone()).unwrap_or_default(),
            value: value.into(),
            permission_read: 1,
            permission_write: 1,
            ..Default::default()
        };
        self.host
            .db
            .run(move |c| db::storage_write(c, Caller::Server, &[op]))
            .await
            .map(|mut acks| acks.remove(0))
            .map_err(to_error)
    }

    /// Deletes an object as the server does (no version check; a missing
    /// one is no error). Storage indexes drop it.
    pub async fn delete(
        &self,
        collection: &str,
        key: &str,
        owner: Option<&User>,
    ) -> Result<(), Error> {
        let op = nakama_runtime::nk::StorageDeleteOp {
            collection: collection.into(),
            key: key.into(),
            user_id: owner.map(|u| u.id.clone()).unwrap_or_default(),
            version: String::new(),
        };
        self.host
            .db
            .run(move |c| db::storage_delete(c, Caller::Server, &[op]))
            .await
            .map_err(to_error)
    }

    /// Every object of `collection` owned by `owner`, by key.
    pub async fn list(
        &self,
        collection: &str,
        owner: Option<&User>,
    ) -> Result<Vec<api::StorageObject>, Error> {
        let collection = collection.to_string();
        let owner = owner.map(|u| u.id.clone()).unwrap_or_default();
        self.host
            .db
            .run(move |c| db::storage_list(c, Caller::Server, &owner, &collection, 100, ""))
            .await
            .map(|page| page.objects)
            .map_err(to_error)
    }
}
