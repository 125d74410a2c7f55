//! Storage objects and the four storage calls (list, read, write, delete).

use serde::{Deserialize, Serialize};

use super::serde_helpers::is_zero;

/// Read permission: only the server can read the object.
pub const STORAGE_PERMISSION_NO_READ: i32 = 0;
/// Read permission: the owner can read it.
pub const STORAGE_PERMISSION_OWNER_READ: i32 = 1;
/// Read permission: anyone can read it.
pub const STORAGE_PERMISSION_PUBLIC_READ: i32 = 2;
/// Write permission: only the server can write it.
pub const STORAGE_PERMISSION_NO_WRITE: i32 = 0;
/// Write permission: the owner can write it.
pub const STORAGE_PERMISSION_OWNER_WRITE: i32 = 1;

/// A stored object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageObject {
    /// Collection name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub collection: String,
    /// Key within the collection.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// Owner (the nil UUID for server-owned objects).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// The value, a JSON object encoded in a string.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Version hash, for conditional writes.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Read permission (0 server only, 1 owner, 2 public).
    #[serde(skip_serializing_if = "is_zero")]
    pub permission_read: i32,
    /// Write permission (0 server only, 1 owner).
    #[serde(skip_serializing_if = "is_zero")]
    pub permission_write: i32,
    /// When the object was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When the object was last written (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// Confirmation of one written object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageObjectAck {
    /// Collection name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub collection: String,
    /// Key within the collection.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// The new version hash.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Owner.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// When the object was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// When the object was last written (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
}

/// Acks for a batch write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageObjectAcks {
    /// One ack per written object.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub acks: Vec<StorageObjectAck>,
}

/// Objects answered by a read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageObjects {
    /// The objects found (missing or unreadable ones are left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<StorageObject>,
}

/// One page of a storage listing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageObjectList {
    /// The objects on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<StorageObject>,
    /// Cursor for the next page, if there is one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}

/// One object to write.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WriteStorageObject {
    /// Collection name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub collection: String,
    /// Key within the collection.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// The value, a JSON object encoded in a string.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// Expected version: empty = always write, `*` = only if absent,
    /// otherwise only if it matches.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Read permission; the client API defaults it to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_read: Option<i32>,
    /// Write permission; the client API defaults it to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_write: Option<i32>,
}

/// Write a batch of objects (all or nothing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WriteStorageObjectsRequest {
    /// The objects to write.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<WriteStorageObject>,
}

/// Identifies one object to read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadStorageObjectId {
    /// Collection name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub collection: String,
    /// Key within the collection.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// Owner.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
}

/// Read a batch of objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadStorageObjectsRequest {
    /// The objects to read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub object_ids: Vec<ReadStorageObjectId>,
}

/// Identifies one of the caller's objects to delete.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteStorageObjectId {
    /// Collection name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub collection: String,
    /// Key within the collection.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// Delete only if the stored version matches.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
}

/// Delete a batch of the caller's objects (all or nothing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteStorageObjectsRequest {
    /// The objects to delete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub object_ids: Vec<DeleteStorageObjectId>,
}

/// List objects in a collection, optionally of one user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListStorageObjectsRequest {
    /// Owner to list; empty lists public objects of everyone.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_id: String,
    /// Collection name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub collection: String,
    /// Page size (1..100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Cursor from a previous page.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cursor: String,
}
