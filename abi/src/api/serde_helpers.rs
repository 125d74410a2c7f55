//! Small serde helpers that give the API structs the proto3 JSON encoding
//! Nakama's gateway speaks: 64-bit integers as strings, defaults omitted,
//! enums as numbers (names accepted on input).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// Newtype names the fields of a proto kind that JSON alone does not tell
/// are read through. serde_json passes the value on unchanged; a
/// deserializer that applies protojson's rules (the dev host's gateway,
/// `server/src/protojson.rs`) checks the value as protojson checks that kind.
pub mod kind {
    /// An `int64` (also `google.protobuf.Int64Value`).
    pub const INT64: &str = "$nakama::proto::int64";
    /// A `uint64`.
    pub const UINT64: &str = "$nakama::proto::uint64";
    /// An enum, read as its number.
    pub const ENUM: &str = "$nakama::proto::enum";
    /// A `google.protobuf.Timestamp`, read as RFC 3339 text.
    pub const TIMESTAMP: &str = "$nakama::proto::timestamp";
}

/// True when a number (or any `Default + PartialEq` value) holds its default.
pub fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// True for `false`; used to leave `false` booleans out of the JSON.
pub fn is_false(v: &bool) -> bool {
    !*v
}

/// Reads an integer given as a JSON number, a JSON string holding a number,
/// or `null` (`None`). Integral floats such as `1e3` are accepted, as proto3
/// JSON parsers do.
struct LenientInt<T>(std::marker::PhantomData<T>);

trait FromWide: Sized {
    const WHAT: &'static str;
    const KIND: &'static str;
    fn from_i128(v: i128) -> Option<Self>;
}

impl FromWide for i64 {
    const WHAT: &'static str = "a 64-bit signed integer (number or string)";
    const KIND: &'static str = kind::INT64;
    fn from_i128(v: i128) -> Option<Self> {
        i64::try_from(v).ok()
    }
}

impl FromWide for u64 {
    const WHAT: &'static str = "a 64-bit unsigned integer (number or string)";
    const KIND: &'static str = kind::UINT64;
    fn from_i128(v: i128) -> Option<Self> {
        u64::try_from(v).ok()
    }
}

fn from_float<T: FromWide>(f: f64) -> Option<T> {
    // 2^64 bounds; anything integral inside them fits in an i128 exactly.
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1.9e19 {
        T::from_i128(f as i128)
    } else {
        None
    }
}

fn parse_text<T: FromWide>(s: &str) -> Option<T> {
    let s = s.trim();
    if let Ok(v) = s.parse::<i128>() {
        return T::from_i128(v);
    }
    s.parse::<f64>().ok().and_then(from_float::<T>)
}

impl<'de, T: FromWide> Visitor<'de> for LenientInt<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::WHAT)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::from_i128(v.into())
            .map(Some)
            .ok_or_else(|| E::custom(format!("integer {v} out of range")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_i128(v.into())
            .map(Some)
            .ok_or_else(|| E::custom(format!("integer {v} out of range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        from_float::<T>(v)
            .map(Some)
            .ok_or_else(|| E::custom(format!("{v} is not a valid integer")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_text::<T>(v)
            .map(Some)
            .ok_or_else(|| E::custom(format!("{v:?} is not a valid integer")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn lenient<'de, D: Deserializer<'de>, T: FromWide>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_newtype_struct(T::KIND, LenientInt::<T>(std::marker::PhantomData))
}

/// `int64` fields: written as a JSON string, read from a string or a number
/// (`null` reads as 0). Use with `#[serde(with = "int64_str")]`.
pub mod int64_str {
    use serde::{Deserializer, Serializer};

    /// Writes the number as a decimal string.
    pub fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Reads a string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        Ok(super::lenient::<D, i64>(d)?.unwrap_or_default())
    }
}

/// `uint64` fields: like [`int64_str`](mod@int64_str) but unsigned.
pub mod uint64_str {
    use serde::{Deserializer, Serializer};

    /// Writes the number as a decimal string.
    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Reads a string or a number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        Ok(super::lenient::<D, u64>(d)?.unwrap_or_default())
    }
}

/// `google.protobuf.Int64Value` fields (`Option<i64>`): the bare value as a
/// string when present; reads a string, a number or `null`.
pub mod opt_int64_str {
    use serde::{Deserializer, Serializer};

    /// Writes `Some(n)` as a decimal string and `None` as `null` (normally
    /// skipped with `skip_serializing_if = "Option::is_none"`).
    pub fn serialize<S: Serializer>(v: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(n) => s.collect_str(n),
            None => s.serialize_none(),
        }
    }

    /// Reads a string, a number or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        super::lenient::<D, i64>(d)
    }
}

/// Reads a proto enum field as its number, accepting the number itself, the
/// value's name, or `null` (0). `names` maps each name to its number. A
/// name not in it reads as 0, as Nakama's gateway reads it (protojson
/// leaves a field with an unknown enum name unset); so does a number in a
/// string, which protojson takes for a name.
pub fn enum_i32<'de, D: Deserializer<'de>>(
    d: D,
    names: &'static [(&'static str, i32)],
) -> Result<i32, D::Error> {
    struct EnumVisitor(&'static [(&'static str, i32)]);

    impl<'de> Visitor<'de> for EnumVisitor {
        type Value = i32;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an enum number or name")
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
            i32::try_from(v).map_err(|_| E::custom(format!("enum value {v} out of range")))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
            i32::try_from(v).map_err(|_| E::custom(format!("enum value {v} out of range")))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<i32, E> {
            Ok(self
                .0
                .iter()
                .find(|(name, _)| *name == v)
                .map_or(0, |(_, n)| *n))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i32, E> {
            // protojson takes an integral number in any form (`1.0`, `1e0`).
            if v.fract() == 0.0 && v >= f64::from(i32::MIN) && v <= f64::from(i32::MAX) {
                Ok(v as i32)
            } else {
                Err(E::custom(format!("enum value {v} out of range")))
            }
        }

        fn visit_unit<E: de::Error>(self) -> Result<i32, E> {
            Ok(0)
        }

        fn visit_none<E: de::Error>(self) -> Result<i32, E> {
            Ok(0)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<i32, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<i32, D::Error> {
            d.deserialize_any(self)
        }
    }

    d.deserialize_newtype_struct(kind::ENUM, EnumVisitor(names))
}

/// `google.protobuf.Timestamp` fields read as `Option<String>` (RFC 3339).
/// Use with `#[serde(deserialize_with = "timestamp::deserialize")]`.
pub mod timestamp {
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, Visitor};

    /// Reads RFC 3339 text or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        struct Text;

        impl<'de> Visitor<'de> for Text {
            type Value = Option<String>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 time")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Some(v.to_string()))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                Option::<String>::deserialize(d)
            }
        }

        d.deserialize_newtype_struct(super::kind::TIMESTAMP, Text)
    }
}
