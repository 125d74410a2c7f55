//! JSON as Go's `encoding/json` writes it (`json.Marshal`), for what
//! Nakama marshals itself: compact, object keys in byte order, `<`, `>`,
//! `&`, U+2028 and U+2029 escaped, and every number a float64 (a value
//! decoded into `interface{}` is one), written as Go's `strconv` writes
//! one: `1`, `1.5`, `1e+21`, `1e-7`.
//!
//! And the other way ([`GoType`], [`fits`], [`field`]): whether
//! `json.Unmarshal` would decode a JSON value into a Go struct, for the
//! inputs Nakama decodes that way rather than as protobuf JSON.

use serde_json::{Map, Value};

/// A JSON value as `json.Marshal` writes the same value decoded into Go's
/// `interface{}`.
pub fn marshal(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v);
    out
}

/// [`marshal`] of an object (Go's `map[string]interface{}`).
pub fn marshal_object(m: &Map<String, Value>) -> String {
    let mut out = String::new();
    write_object(&mut out, m);
    out
}

fn write_object(out: &mut String, m: &Map<String, Value>) {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_unstable();
    out.push('{');
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&string(k));
        out.push(':');
        write(out, &m[k]);
    }
    out.push('}');
}

fn write(out: &mut String, v: &Value) {
    match v {
        Value::Object(m) => write_object(out, m),
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        Value::String(s) => out.push_str(&string(s)),
        Value::Number(n) => out.push_str(&float(n.as_f64().unwrap_or(0.0))),
        other => out.push_str(&other.to_string()),
    }
}

/// A string as `json.Marshal` writes it.
pub fn string(s: &str) -> String {
    Value::from(s)
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A float64 as `json.Marshal` writes it: the shortest digits that read
/// back the same, in exponent form below 1e-6 and from 1e21 on, with a
/// sign and at least two digits in a positive exponent.
fn float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{f:e}");
        match text.split_once('e') {
            Some((digits, exp)) if !exp.starts_with('-') => format!("{digits}e+{exp:0>2}"),
            _ => text,
        }
    } else {
        format!("{f}")
    }
}

/// A Go type as `json.Unmarshal` decodes into it. Null fits every type
/// (it leaves the field as it was).
#[derive(Debug)]
pub enum GoType {
    String,
    Bool,
    I32,
    I64,
    U32,
    /// `map[string]string`.
    StringMap,
    List(&'static GoType),
    /// A struct: its fields by JSON name; other keys are ignored.
    Struct(&'static [(&'static str, GoType)]),
}

/// protobuf's `Timestamp` struct: Go's JSON reads `{"seconds", "nanos"}`,
/// not the RFC 3339 text of protobuf JSON.
pub const TIMESTAMP: GoType = GoType::Struct(&[("seconds", GoType::I64), ("nanos", GoType::I32)]);
/// protobuf's `Int32Value`, `BoolValue` and `StringValue` structs.
pub const INT32_VALUE: GoType = GoType::Struct(&[("value", GoType::I32)]);
pub const BOOL_VALUE: GoType = GoType::Struct(&[("value", GoType::Bool)]);
pub const STRING_VALUE: GoType = GoType::Struct(&[("value", GoType::String)]);

/// Whether `json.Unmarshal` decodes `v` into a `t` without an error. A
/// number fits an integer type only when it is written as an integer in
/// range (`1.0` and `1e3` do not), as Go parses integers.
pub fn fits(v: &Value, t: &GoType) -> bool {
    match (v, t) {
        (Value::Null, _) => true,
        (Value::String(_), GoType::String) | (Value::Bool(_), GoType::Bool) => true,
        (Value::Number(n), GoType::I32) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        (Value::Number(n), GoType::I64) => n.as_i64().is_some(),
        (Value::Number(n), GoType::U32) => n.as_u64().is_some_and(|i| u32::try_from(i).is_ok()),
        (Value::Object(m), GoType::StringMap) => m
            .values()
            .all(|v| matches!(v, Value::String(_) | Value::Null)),
        (Value::Array(items), GoType::List(item)) => items.iter().all(|v| fits(v, item)),
        // Go decodes every key that names a field, exactly or but for case.
        (Value::Object(m), GoType::Struct(fields)) => m.iter().all(|(key, v)| {
            let exact = fields.iter().find(|(name, _)| name == key);
            let folded = || fields.iter().find(|(name, _)| same_but_case(name, key));
            exact.or_else(folded).is_none_or(|(_, t)| fits(v, t))
        }),
        _ => false,
    }
}

/// The value `json.Unmarshal` reads into the struct field `name` of the
/// object `v`: the key spelt exactly so, or else one equal to it ignoring
/// case (Go folds a few more characters than Unicode lowercase does).
pub fn field<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object().and_then(|m| field_in(m, name))
}

fn field_in<'a>(m: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    m.get(name).or_else(|| {
        m.iter()
            .find(|(k, _)| same_but_case(k, name))
            .map(|(_, v)| v)
    })
}

fn same_but_case(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_written_as_gos_json_marshal() {
        let v = json!({"b": [1, 1.5, -0.25, true, null], "a": {"z": "<&>", "y": "\u{2028}"},
                       "big": 1e21, "small": 1e-7, "edge": 1e-6, "int": 12345678901234567890u64,
                       "neg": -3, "zero": 0.0, "ctl": "\u{1}\né"});
        assert_eq!(
            marshal(&v),
            r#"{"a":{"y":"\u2028","z":"\u003c\u0026\u003e"},"b":[1,1.5,-0.25,true,null],"big":1e+21,"ctl":"\u0001\né","edge":0.000001,"int":12345678901234567000,"neg":-3,"small":1e-7,"zero":0}"#
        );
        assert_eq!(float(1.0), "1");
        assert_eq!(float(2.5e300), "2.5e+300");
        assert_eq!(float(-1.25e-10), "-1.25e-10");
        assert_eq!(float(123456789.0), "123456789");
    }

    #[test]
    fn values_fit_go_types_as_json_unmarshal_decodes_them() {
        const T: GoType = GoType::Struct(&[
            ("name", GoType::String),
            ("n", GoType::I32),
            ("big", GoType::I64),
            ("u", GoType::U32),
            ("on", GoType::Bool),
            ("at", TIMESTAMP),
            ("tags", GoType::StringMap),
            ("list", GoType::List(&INT32_VALUE)),
        ]);
        let good = json!({"name": "a", "n": -2147483648, "big": 9007199254740993i64, "u": 4294967295u32,
            "on": true, "at": {"seconds": 1, "nanos": 2}, "tags": {"a": "b", "c": null},
            "list": [{"value": 1}, null], "other": [1, "x"], "NAME": "b"});
        assert!(fits(&good, &T));
        assert!(fits(&json!({}), &T) && fits(&Value::Null, &T));
        for bad in [
            json!({"name": 1}),
            json!({"n": 2147483648i64}),
            json!({"n": 1.0}),
            json!({"n": 1e3}),
            json!({"n": "1"}),
            json!({"u": -1}),
            json!({"on": 0}),
            json!({"at": "2024-01-01T00:00:00Z"}),
            json!({"at": {"seconds": "1"}}),
            json!({"tags": {"a": 1}}),
            json!({"list": [1]}),
            json!({"list": {}}),
            json!({"Name": 1}),
            json!({"name": "a", "NAME": 1}),
            json!([]),
        ] {
            assert!(!fits(&bad, &T), "{bad}");
        }
        // An exact key first, then one that differs only in case.
        let v = json!({"Name": "x", "name": "y", "KEY": 1});
        assert_eq!(field(&v, "name"), Some(&json!("y")));
        assert_eq!(field(&v, "key"), Some(&json!(1)));
        assert_eq!(field(&v, "other"), None);
    }
}
