//! JSON as Go's `encoding/json` writes it (`json.Marshal`), for what
//! Nakama marshals itself: compact, object keys in byte order, `<`, `>`,
//! `&`, U+2028 and U+2029 escaped, and every number a float64 (a value
//! decoded into `interface{}` is one), written as Go's `strconv` writes
//! one: `1`, `1.5`, `1e+21`, `1e-7`.

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
}
