//! Storage search indexes on the wire (ABI 1.9).
//!
//! Nakama's `RegisterStorageIndex` has no callback: a module declares an
//! index at init, and its host keeps it. Both the declaration and the
//! optional filter (`RegisterStorageIndexFilter`) are registrations of
//! kind [`crate::ffi::kind::STORAGE_INDEX`], told apart by their id, the
//! JSON of a [`Registration`]:
//!
//! - `{"index": {..}}`: an index ([`StorageIndex`]); its handler is never
//!   called;
//! - `{"filter": "name"}`: the filter of index `name`, called before an
//!   object enters that index with the JSON of a
//!   [`crate::nk::StorageWriteOp`] (the object as written, its new
//!   version) and answering `true` (index it) or `false` (keep it out, and
//!   drop it from the index if it was there).

use serde::{Deserialize, Serialize};

/// What one storage index registration declares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    Index(StorageIndex),
    /// The index name the filter is for.
    Filter(String),
}

impl Registration {
    /// The registration id.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a registration always encodes")
    }

    /// Reads a registration id.
    pub fn decode(id: &str) -> Result<Registration, serde_json::Error> {
        serde_json::from_str(id)
    }
}

/// A storage index, as Nakama's `RegisterStorageIndex` takes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageIndex {
    /// Unique among the server's indexes.
    pub name: String,
    /// The collection whose objects it indexes.
    pub collection: String,
    /// Only objects of this key; empty: every key of the collection.
    pub key: String,
    /// Top-level keys of the object's value to index (at least one).
    pub fields: Vec<String>,
    /// Those of `fields` a listing may order by.
    pub sortable_fields: Vec<String>,
    /// How many objects the index keeps; past 110% of it, the least
    /// recently updated go.
    pub max_entries: i32,
    /// A listing answers from the index (the indexed fields of the value,
    /// no database read) rather than reading the objects.
    pub index_only: bool,
}

/// The filter's answer as it crosses: `true` or `false`.
pub fn encode_answer(keep: bool) -> Vec<u8> {
    if keep {
        b"true".to_vec()
    } else {
        b"false".to_vec()
    }
}

/// Reads a filter's answer; anything but `true`/`false` is `None`.
pub fn decode_answer(out: &[u8]) -> Option<bool> {
    match out {
        b"true" => Some(true),
        b"false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrations_round_trip() {
        let index = Registration::Index(StorageIndex {
            name: "guilds".into(),
            collection: "guild".into(),
            fields: vec!["tag".into()],
            max_entries: 10,
            ..Default::default()
        });
        let id = index.encode();
        assert!(id.starts_with(r#"{"index":{"name":"guilds""#), "{id}");
        assert_eq!(Registration::decode(&id).unwrap(), index);
        let filter = Registration::Filter("guilds".into());
        assert_eq!(filter.encode(), r#"{"filter":"guilds"}"#);
        assert_eq!(Registration::decode(&filter.encode()).unwrap(), filter);
        assert_eq!(decode_answer(&encode_answer(false)), Some(false));
        assert_eq!(decode_answer(b"yes"), None);
    }
}
