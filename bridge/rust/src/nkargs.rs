//! The arguments of the nk calls modules make most, storage reads and
//! writes, go to Go as length-prefixed fields instead of JSON: Go's
//! `encoding/json`, which decodes through reflection, took ~3% of Nakama's
//! CPU under the storage benchmark (bridge/go/nkargs.go reads them).
//!
//! The form: a zero byte (JSON never starts with one), a little-endian
//! `u32` count of ops, then per op its fields in declaration order, text as
//! a `u32` length and UTF-8 bytes, integers as little-endian `i32`. Other
//! functions, and arguments that do not parse, go as the module sent them.

use std::borrow::Cow;

use nakama_runtime_host::abi::nk::{NkFunction, StorageRead, StorageWrite};
use serde::Deserialize;

/// First byte of the compact form (the same as a compact match answer's,
/// which Go tells from JSON the same way).
pub const COMPACT: u8 = nakama_runtime_host::abi::matches::compact::COMPACT;

/// Appends the arguments as Go reads them for `function` to `out`.
pub fn write_for_go(function: &str, args: &[u8], out: &mut Vec<u8>) {
    let done = match function {
        StorageRead::NAME => serde_json::from_slice::<Reads>(args)
            .map(|a| {
                let mut w = Writer::new(out, a.reads.len());
                for r in &a.reads {
                    w.text(&r.collection).text(&r.key).text(&r.user_id);
                }
            })
            .is_ok(),
        StorageWrite::NAME => serde_json::from_slice::<Writes>(args)
            .map(|a| {
                let mut w = Writer::new(out, a.writes.len());
                for o in &a.writes {
                    w.text(&o.collection).text(&o.key).text(&o.user_id);
                    w.text(&o.value).text(&o.version);
                    w.int(o.permission_read).int(o.permission_write);
                }
            })
            .is_ok(),
        _ => false,
    };
    if !done {
        out.extend_from_slice(args);
    }
}

/// A suspended call's nk request as Go reads it (`nkRequest` in
/// bridge/go/cgo.go): the function name's length (`u32`), the name, the
/// arguments for Go.
pub fn request(function: &str, args: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + function.len() + args.len());
    out.extend_from_slice(&(function.len() as u32).to_le_bytes());
    out.extend_from_slice(function.as_bytes());
    write_for_go(function, args, &mut out);
    out
}

// The arguments of `nakama_runtime_abi::nk::{StorageReadArgs,
// StorageWriteArgs}`, with the same names and defaults, read in place:
// their text is borrowed from the module's JSON unless it has escapes.
// A test checks that both read the same.

#[derive(Deserialize)]
struct Reads<'a> {
    #[serde(borrow, default)]
    reads: Vec<ReadOp<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReadOp<'a> {
    #[serde(borrow)]
    collection: Cow<'a, str>,
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    user_id: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Writes<'a> {
    #[serde(borrow, default)]
    writes: Vec<WriteOp<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WriteOp<'a> {
    #[serde(borrow)]
    collection: Cow<'a, str>,
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    user_id: Cow<'a, str>,
    #[serde(borrow)]
    value: Cow<'a, str>,
    #[serde(borrow)]
    version: Cow<'a, str>,
    permission_read: i32,
    permission_write: i32,
}

struct Writer<'o>(&'o mut Vec<u8>);

impl<'o> Writer<'o> {
    fn new(out: &'o mut Vec<u8>, ops: usize) -> Writer<'o> {
        out.reserve(5 + 64 * ops);
        out.push(COMPACT);
        out.extend_from_slice(&(ops as u32).to_le_bytes());
        Writer(out)
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    fn int(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nakama_runtime_host::abi::nk::{
        StorageReadArgs, StorageReadOp, StorageWriteArgs, StorageWriteOp,
    };

    fn for_go(function: &str, args: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_for_go(function, args, &mut out);
        out
    }

    fn fields(ops: u32, texts: &[&str], ints: &[i32]) -> Vec<u8> {
        let mut want = vec![COMPACT];
        want.extend_from_slice(&ops.to_le_bytes());
        for s in texts {
            want.extend_from_slice(&(s.len() as u32).to_le_bytes());
            want.extend_from_slice(s.as_bytes());
        }
        for i in ints {
            want.extend_from_slice(&i.to_le_bytes());
        }
        want
    }

    #[test]
    fn storage_writes_go_as_fields() {
        let args = br#"{"writes":[{"collection":"c","key":"k","value":"{\"a\":1}","permission_read":2,"permission_write":1}]}"#;
        let want = fields(1, &["c", "k", "", r#"{"a":1}"#, ""], &[2, 1]);
        assert_eq!(for_go("storage_write", args), want);
    }

    #[test]
    fn storage_reads_go_as_fields() {
        let args = br#"{"reads":[{"collection":"c","key":"k","user_id":"u"},{"key":"\u00e9"}]}"#;
        let want = fields(2, &["c", "k", "u", "", "é", ""], &[]);
        assert_eq!(for_go("storage_read", args), want);
    }

    /// The borrowed argument structs read what the ABI's own structs read
    /// (names, defaults, escapes, unknown keys), and refuse what they refuse.
    #[test]
    fn borrowed_args_read_as_the_abi_structs() {
        let writes = [
            r#"{"writes":[{"collection":"c","key":"k","user_id":"u","value":"{}","version":"*","permission_read":2,"permission_write":1}]}"#,
            r#"{"writes":[{"key":"k\n","extra":true},{}]}"#,
            r#"{}"#,
            r#"{"writes":[{"collection":null}]}"#,
            r#"{"writes":[{"permission_read":"1"}]}"#,
        ];
        for args in writes {
            let ours = serde_json::from_str::<Writes>(args).ok().map(|a| {
                let ops = a.writes.iter().map(|o| StorageWriteOp {
                    collection: o.collection.to_string(),
                    key: o.key.to_string(),
                    user_id: o.user_id.to_string(),
                    value: o.value.to_string(),
                    version: o.version.to_string(),
                    permission_read: o.permission_read,
                    permission_write: o.permission_write,
                });
                ops.collect::<Vec<_>>()
            });
            let abi = serde_json::from_str::<StorageWriteArgs>(args).ok();
            assert_eq!(ours, abi.map(|a| a.writes), "{args}");
        }
        let reads = [
            r#"{"reads":[{"collection":"c\u0041","key":"k","user_id":"u","x":1}]}"#,
            r#"{"reads":[{}]}"#,
            r#"{"reads":"nope"}"#,
        ];
        for args in reads {
            let ours = serde_json::from_str::<Reads>(args).ok().map(|a| {
                let ops = a.reads.iter().map(|r| StorageReadOp {
                    collection: r.collection.to_string(),
                    key: r.key.to_string(),
                    user_id: r.user_id.to_string(),
                });
                ops.collect::<Vec<_>>()
            });
            let abi = serde_json::from_str::<StorageReadArgs>(args).ok();
            assert_eq!(ours, abi.map(|a| a.reads), "{args}");
        }
    }

    #[test]
    fn other_functions_and_bad_args_go_as_sent() {
        let args = br#"{"user_id":"u"}"#;
        assert_eq!(for_go("account_get_id", args), args);
        let bad = br#"{"writes":"nope"}"#;
        assert_eq!(for_go("storage_write", bad), bad);
    }

    #[test]
    fn a_request_is_the_name_then_the_arguments() {
        let got = request("account_get_id", br#"{"user_id":"u"}"#);
        let mut want = 14u32.to_le_bytes().to_vec();
        want.extend_from_slice(br#"account_get_id{"user_id":"u"}"#);
        assert_eq!(got, want);
    }
}
