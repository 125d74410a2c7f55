//! Storage objects' values as serde types, so a module need not turn
//! each into JSON text and back: `StorageWriteOp::new("guilds", name).json(&guild)?`
//! and `object.value_as::<Guild>()?`; the same for the bodies of HTTP
//! requests the host sends (`nk::HttpRequestArgs::new("post", url).json(&score)?`,
//! `answer.value_as::<Reply>()?`).

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::StorageObject;
use crate::nk::{HttpRequestAnswer, HttpRequestArgs, StorageWriteOp};
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

/// The body as `value`'s JSON, sent as `Content-Type: application/json`
/// unless the request names another type.
impl WriteJson for HttpRequestArgs {
    fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self, Error> {
        self.body = serde_json::to_vec(value).map_err(|e| {
            Error::internal(format!(
                "the body of the HTTP request to {} ({}) could not be encoded: {e}",
                self.url,
                std::any::type_name::<T>()
            ))
        })?;
        if !self
            .headers
            .keys()
            .any(|name| name.eq_ignore_ascii_case("content-type"))
        {
            self.headers
                .insert("Content-Type".into(), "application/json".into());
        }
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

/// The body read as JSON; one that does not read (the service answered
/// something else: an error page, another shape) is `INTERNAL` naming the
/// status and the type.
impl ReadJson for HttpRequestAnswer {
    fn value_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::internal(format!(
                "the HTTP answer (status {}) does not read as {}: {e}",
                self.code,
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

    #[test]
    fn http_bodies_go_out_as_json_and_come_back_typed() {
        let req = HttpRequestArgs::new("post", "https://example.com/g")
            .json(&Guild { name: "g1".into() })
            .unwrap()
            .timeout(std::time::Duration::from_millis(1500));
        assert_eq!(req.body, br#"{"name":"g1"}"#);
        assert_eq!(req.headers["Content-Type"], "application/json");
        assert_eq!((req.method.as_str(), req.timeout_ms), ("post", 1500));
        let own_type = HttpRequestArgs::new("put", "https://example.com/g")
            .header("content-type", "application/vnd.guild+json")
            .json(&Guild { name: "g2".into() })
            .unwrap();
        assert_eq!(own_type.headers.len(), 1, "{:?}", own_type.headers);

        let answer = HttpRequestAnswer {
            code: 200,
            body: br#"{"name":"g3"}"#.to_vec(),
            ..Default::default()
        };
        assert_eq!(
            answer.value_as::<Guild>().unwrap(),
            Guild { name: "g3".into() }
        );
        let page = HttpRequestAnswer {
            code: 502,
            body: b"<html>bad gateway</html>".to_vec(),
            ..Default::default()
        };
        let e = page.value_as::<Guild>().unwrap_err();
        assert_eq!(e.code(), Code::Internal);
        assert!(
            e.message()
                .starts_with("the HTTP answer (status 502) does not read as "),
            "{}",
            e.message()
        );
    }
}
