//! The arguments of the nk calls modules make most, storage reads and
//! writes, go to Go as length-prefixed fields instead of JSON: Go's
//! `encoding/json`, which decodes through reflection, took ~3% of Nakama's
//! CPU under the storage benchmark (bridge/go/nkargs.go reads them).
//!
//! The form: a zero byte (JSON never starts with one), a little-endian
//! `u32` count of ops, then per op its fields in declaration order, text as
//! a `u32` length and UTF-8 bytes, integers as little-endian `i32`. Other
//! functions, and arguments that do not parse, go as the module sent them.

use nakama_runtime_host::abi::nk::{
    NkFunction, StorageRead, StorageReadArgs, StorageWrite, StorageWriteArgs,
};

/// First byte of the compact form.
pub const COMPACT: u8 = 0;

/// The arguments as Go reads them for `function`.
pub fn for_go(function: &str, args: Vec<u8>) -> Vec<u8> {
    let compact = match function {
        StorageRead::NAME => serde_json::from_slice::<StorageReadArgs>(&args)
            .ok()
            .map(|a| {
                let mut w = Writer::new(a.reads.len());
                for r in &a.reads {
                    w.text(&r.collection).text(&r.key).text(&r.user_id);
                }
                w.0
            }),
        StorageWrite::NAME => serde_json::from_slice::<StorageWriteArgs>(&args)
            .ok()
            .map(|a| {
                let mut w = Writer::new(a.writes.len());
                for o in &a.writes {
                    w.text(&o.collection).text(&o.key).text(&o.user_id);
                    w.text(&o.value).text(&o.version);
                    w.int(o.permission_read).int(o.permission_write);
                }
                w.0
            }),
        _ => None,
    };
    compact.unwrap_or(args)
}

struct Writer(Vec<u8>);

impl Writer {
    fn new(ops: usize) -> Writer {
        let mut b = Vec::with_capacity(5 + 64 * ops);
        b.push(COMPACT);
        b.extend_from_slice(&(ops as u32).to_le_bytes());
        Writer(b)
    }

    fn text(&mut self, s: &str) -> &mut Writer {
        self.0.extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    fn int(&mut self, v: i32) -> &mut Writer {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_writes_go_as_fields() {
        let args = br#"{"writes":[{"collection":"c","key":"k","value":"{}","permission_read":2,"permission_write":1}]}"#;
        let got = for_go("storage_write", args.to_vec());
        let mut want = vec![COMPACT, 1, 0, 0, 0];
        for s in ["c", "k", "", "{}", ""] {
            want.extend_from_slice(&(s.len() as u32).to_le_bytes());
            want.extend_from_slice(s.as_bytes());
        }
        want.extend_from_slice(&2i32.to_le_bytes());
        want.extend_from_slice(&1i32.to_le_bytes());
        assert_eq!(got, want);
    }

    #[test]
    fn storage_reads_go_as_fields() {
        let args = br#"{"reads":[{"collection":"c","key":"k","user_id":"u"},{"key":"\u00e9"}]}"#;
        let got = for_go("storage_read", args.to_vec());
        let mut want = vec![COMPACT, 2, 0, 0, 0];
        for s in ["c", "k", "u", "", "é", ""] {
            want.extend_from_slice(&(s.len() as u32).to_le_bytes());
            want.extend_from_slice(s.as_bytes());
        }
        assert_eq!(got, want);
    }

    #[test]
    fn other_functions_and_bad_args_go_as_sent() {
        let args = br#"{"user_id":"u"}"#.to_vec();
        assert_eq!(for_go("account_get_id", args.clone()), args);
        let bad = br#"{"writes":"nope"}"#.to_vec();
        assert_eq!(for_go("storage_write", bad.clone()), bad);
    }
}
