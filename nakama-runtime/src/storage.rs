//! Storage objects' values as serde types, so a module need not turn
//! each into JSON text and back: `StorageWriteOp::new("guilds", name).json(&guild)?`
//! and `object.value_as::<Guild>()?`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::StorageObject;
use crate::nk::StorageWriteOp;
use crate::Error;

/// Sets a write's value from a serde type (in the prelude).
pub trait WriteJson: Sized {
    /// The value as `value`'s JSON. A value that does not encode (a map
    /// with non-string keys, a `Serialize` that fails) is `INTERNAL`,
    /// naming its type.
    fn json<T: Serialize + ?Sized>(self, value: &T) -> Result<Self, Error>;
}

impl WriteJson for StorageWriteOp {
    fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self, Error> {
        self.value = serde_json::to_string(value).map_err(|e| {
            Error::internal(format!(
                "the value of storage object {}/{} ({}) could not be encoded: {e}",
                self.collection,
                self.key,
                std::any::type_name::<T>()
            ))
        })?;
        Ok(self)
    }
}

/// Reads a stored object's value as a serde type (in the prelude).
pub trait ReadJson {
    /// The value read as `T`. One that does not read is `INTERNAL`
    /// naming the object, the type and what serde met: the module wrote
    /// something else there (a client write of an object clients may
    /// write is the usual cause).
    fn value_as<T: DeserializeOwned>(&self) -> Result<T, Error>;
}

impl ReadJson for StorageObject {
    fn value_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(&self.value).map_err(|e| {
            let owner = if self.user_id.is_empty() {
                String::new()
            } else {
                format!(" of {}", self.user_id)
            };
            Error::internal(format!(
                "storage object {}/{}{owner} does not read as {}: {e}",
                self.collection,
                self.key,
                std::any::type_name::<T>()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Guild {
        name: String,
    }

    #[test]
    fn a_value_goes_in_as_json_and_comes_back_typed() {
        let op = StorageWriteOp::new("guilds", "g1")
            .json(&Guild { name: "g1".into() })
            .unwrap()
            .if_absent()
            .permissions(2, 0);
        assert_eq!(
            (op.value.as_str(), op.version.as_str(), op.permission_read),
            (r#"{"name":"g1"}"#, "*", 2)
        );
        let stored = StorageObject {
            collection: "guilds".into(),
            key: "g1".into(),
            value: op.value,
            ..StorageObject::default()
        };
        assert_eq!(
            stored.value_as::<Guild>().unwrap(),
            Guild { name: "g1".into() }
        );
    }

    #[test]
    fn values_that_do_not_fit_name_the_object_and_the_type() {
        let stored = StorageObject {
            collection: "guilds".into(),
            key: "g1".into(),
            user_id: "u1".into(),
            value: r#"{"title":"g1"}"#.into(),
            ..StorageObject::default()
        };
        let e = stored.value_as::<Guild>().unwrap_err();
        assert_eq!(e.code(), Code::Internal);
        assert_eq!(
            e.message(),
            format!(
                "storage object guilds/g1 of u1 does not read as {}: missing field `name` at line 1 column 14",
                std::any::type_name::<Guild>()
            )
        );
        let mut keyed = std::collections::HashMap::new();
        keyed.insert((1, 2), 3);
        let e = StorageWriteOp::new("pairs", "p").json(&keyed).unwrap_err();
        assert_eq!(e.code(), Code::Internal);
        assert!(
            e.message()
                .starts_with("the value of storage object pairs/p (std::collections::hash::map::HashMap<(i32, i32), i32>) could not be encoded: "),
            "{}",
            e.message()
        );
    }
}
