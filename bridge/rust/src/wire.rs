//! The per-call context as the Go side sends it (bridge/go/context.go,
//! `encodeCallContext`), read in place: the module's [`FfiContext`]
//! borrows the Go buffer, so a call copies and allocates nothing for its
//! context.
//!
//! Eleven fields in a fixed order, each a little-endian `u32` length and
//! that many bytes, or the length `u32::MAX` alone for an absent field:
//! headers, query_params, user_id, username, vars, user_session_exp,
//! session_id, lang, client_ip, client_port, trace_id. The maps are JSON
//! objects, `user_session_exp` eight bytes (little-endian `i64`), the rest
//! UTF-8 text.
//!
//! An empty buffer is a context on demand (ABI 1.2): the module gets only
//! the fixed values and asks for the rest when it reads it
//! ([`CONTEXT_ON_DEMAND`]).

use nakama_runtime_host::abi::abi_stable::std_types::{ROption, RStr};
use nakama_runtime_host::abi::ffi::{FfiContext, CONTEXT_ON_DEMAND};

const ABSENT: u32 = u32::MAX;
const FIELDS: usize = 11;
/// The index of user_session_exp, the one field that is not text.
const EXP: usize = 5;
const NAMES: [&str; FIELDS] = [
    "headers",
    "query_params",
    "user_id",
    "username",
    "vars",
    "user_session_exp",
    "session_id",
    "lang",
    "client_ip",
    "client_port",
    "trace_id",
];

/// What a call's context has besides the wire fields: the same for every
/// call of a process (or of a call kind).
pub struct Fixed<'a> {
    pub execution_mode: &'a str,
    pub node: &'a str,
    pub version: &'a str,
    /// The init env (JSON), given to every call.
    pub env_json: &'a str,
}

/// Reads `buf` into the module's view of the context. Errors name the
/// field that is truncated or not UTF-8. Inlined, so that the caller's
/// context is built in place instead of copied twice on the way out.
#[inline(always)]
pub fn read<'a>(buf: &'a [u8], fixed: Fixed<'a>) -> Result<FfiContext<'a>, String> {
    if buf.is_empty() {
        return Ok(on_demand(fixed));
    }
    // Every field as text (user_session_exp apart), validated as it is met.
    let mut text: [Option<&'a str>; FIELDS] = [None; FIELDS];
    let mut exp: Option<&'a [u8]> = None;
    let mut rest = buf;
    for (i, name) in NAMES.iter().enumerate() {
        let Some((len, after)) = rest.split_first_chunk::<4>() else {
            return Err(format!("the call's context ends before {name}"));
        };
        rest = after;
        let len = u32::from_le_bytes(*len);
        if len == ABSENT {
            continue;
        }
        let Some((value, after)) = rest.split_at_checked(len as usize) else {
            return Err(format!("the call's context ends inside {name}"));
        };
        rest = after;
        if i == EXP {
            exp = Some(value);
        } else {
            let Ok(value) = std::str::from_utf8(value) else {
                return Err(format!("the call's context has a {name} that is not UTF-8"));
            };
            text[i] = Some(value);
        }
    }
    if !rest.is_empty() {
        return Err(format!(
            "the call's context has {} bytes after its last field",
            rest.len()
        ));
    }
    let user_session_exp = match exp.map(<[u8; 8]>::try_from) {
        None => ROption::RNone,
        Some(Ok(b)) => ROption::RSome(i64::from_le_bytes(b)),
        Some(Err(_)) => return Err("the call's user_session_exp is not 8 bytes".into()),
    };
    Ok(context(&fixed, text, user_session_exp))
}

/// Splits the execution mode off the front of a fleet manager call's wire
/// (`crate::NB_FLEET_MANAGER`): a text field like the others (absent:
/// empty), then the eleven fields.
pub fn split_mode(buf: &[u8]) -> Result<(&str, &[u8]), String> {
    let Some((len, rest)) = buf.split_first_chunk::<4>() else {
        return Err("the call's context ends before its execution mode".into());
    };
    let len = u32::from_le_bytes(*len);
    if len == ABSENT {
        return Ok(("", rest));
    }
    let Some((mode, rest)) = rest.split_at_checked(len as usize) else {
        return Err("the call's context ends inside its execution mode".into());
    };
    let mode = std::str::from_utf8(mode)
        .map_err(|_| "the call's context has an execution mode that is not UTF-8".to_string())?;
    Ok((mode, rest))
}

/// The context of a call whose context is on demand (an empty wire): the
/// same for every call of a kind.
pub fn on_demand(fixed: Fixed<'_>) -> FfiContext<'_> {
    FfiContext {
        extra_json: RStr::from_str(CONTEXT_ON_DEMAND),
        ..context(&fixed, [None; FIELDS], ROption::RNone)
    }
}

fn context<'a>(
    fixed: &Fixed<'a>,
    text: [Option<&'a str>; FIELDS],
    user_session_exp: ROption<i64>,
) -> FfiContext<'a> {
    let opt = |i: usize| match text[i] {
        Some(s) => ROption::RSome(RStr::from_str(s)),
        None => ROption::RNone,
    };
    let map = |i: usize| RStr::from_str(text[i].unwrap_or(""));
    FfiContext {
        execution_mode: RStr::from_str(fixed.execution_mode),
        node: RStr::from_str(fixed.node),
        version: RStr::from_str(fixed.version),
        user_id: opt(2),
        username: opt(3),
        user_session_exp,
        session_id: opt(6),
        lang: opt(7),
        client_ip: opt(8),
        client_port: opt(9),
        trace_id: opt(10),
        env_json: RStr::from_str(fixed.env_json),
        headers_json: map(0),
        query_params_json: map(1),
        vars_json: opt(4),
        extra_json: RStr::from_str(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes fields the way the Go side does (`None`: absent).
    fn wire(fields: [Option<&[u8]>; FIELDS]) -> Vec<u8> {
        let mut b = Vec::new();
        for f in fields {
            match f {
                None => b.extend_from_slice(&ABSENT.to_le_bytes()),
                Some(v) => {
                    b.extend_from_slice(&(v.len() as u32).to_le_bytes());
                    b.extend_from_slice(v);
                }
            }
        }
        b
    }

    const FIXED: Fixed<'static> = Fixed {
        execution_mode: "rpc",
        node: "nakama1",
        version: "3.40.0",
        env_json: r#"{"K":"v"}"#,
    };

    fn opt(v: ROption<RStr<'_>>) -> Option<&str> {
        v.into_option().map(|s| s.as_str())
    }

    #[test]
    fn every_field_lands_where_the_module_reads_it() {
        let exp = 1_700_000_000i64.to_le_bytes();
        let buf = wire([
            Some(br#"{"X":["1"]}"#),
            Some(br#"{"q":["a","b"]}"#),
            Some(b"u1"),
            Some(b"ann"),
            Some(br#"{"tier":"gold"}"#),
            Some(&exp),
            Some(b"s1"),
            Some(b"fr"),
            Some(b"127.0.0.1"),
            Some(b"5000"),
            Some(b"t1"),
        ]);
        let c = read(&buf, FIXED).unwrap();
        assert_eq!(
            (
                c.execution_mode.as_str(),
                c.node.as_str(),
                c.version.as_str()
            ),
            ("rpc", "nakama1", "3.40.0")
        );
        assert_eq!(c.headers_json.as_str(), r#"{"X":["1"]}"#);
        assert_eq!(c.query_params_json.as_str(), r#"{"q":["a","b"]}"#);
        assert_eq!(opt(c.vars_json), Some(r#"{"tier":"gold"}"#));
        assert_eq!(opt(c.user_id), Some("u1"));
        assert_eq!(opt(c.username), Some("ann"));
        assert_eq!(c.user_session_exp.into_option(), Some(1_700_000_000));
        assert_eq!(opt(c.session_id), Some("s1"));
        assert_eq!(opt(c.lang), Some("fr"));
        assert_eq!(opt(c.client_ip), Some("127.0.0.1"));
        assert_eq!(opt(c.client_port), Some("5000"));
        assert_eq!(opt(c.trace_id), Some("t1"));
        assert_eq!(c.env_json.as_str(), r#"{"K":"v"}"#);
    }

    #[test]
    fn absent_fields_are_none_and_absent_maps_empty() {
        let buf = wire([None; FIELDS]);
        let c = read(&buf, FIXED).unwrap();
        assert_eq!(c.headers_json.as_str(), "");
        assert_eq!(c.query_params_json.as_str(), "");
        assert_eq!(opt(c.vars_json), None);
        assert_eq!(opt(c.user_id), None);
        assert_eq!(c.user_session_exp.into_option(), None);
        assert_eq!(opt(c.trace_id), None);
    }

    #[test]
    fn bad_buffers_are_refused_with_the_field_named() {
        let mut fields = [None; FIELDS];
        fields[3] = Some(&b"\xff"[..]);
        let err = read(&wire(fields), FIXED).err().unwrap();
        assert!(err.contains("username") && err.contains("UTF-8"), "{err}");

        let full = wire([Some(&b"abc"[..]); FIELDS]);
        let err = read(&full[..6], FIXED).err().unwrap();
        assert!(err.contains("inside headers"), "{err}");
        let err = read(&full[..7], FIXED).err().unwrap();
        assert!(err.contains("before query_params"), "{err}");
        let err = read(&full, FIXED).err().unwrap();
        assert!(err.contains("user_session_exp"), "{err}");

        let mut extra = wire([None; FIELDS]);
        extra.push(0);
        assert!(read(&extra, FIXED).err().unwrap().contains("1 bytes after"));
        assert!(read(&[0], FIXED).err().unwrap().contains("before headers"));
    }

    #[test]
    fn a_fleet_manager_call_leads_with_the_askers_mode() {
        let mut buf = 5u32.to_le_bytes().to_vec();
        buf.extend_from_slice(b"after");
        buf.extend_from_slice(&wire([None; FIELDS]));
        let (mode, rest) = split_mode(&buf).unwrap();
        assert_eq!((mode, rest.len()), ("after", FIELDS * 4));
        let c = read(
            rest,
            Fixed {
                execution_mode: mode,
                ..FIXED
            },
        )
        .unwrap();
        assert_eq!(c.execution_mode.as_str(), "after");
        let mut absent = ABSENT.to_le_bytes().to_vec();
        absent.push(7);
        assert_eq!(split_mode(&absent).unwrap(), ("", &[7u8][..]));
        assert!(split_mode(&[1, 0]).unwrap_err().contains("before"));
        assert!(split_mode(&[2, 0, 0, 0, b'a'])
            .unwrap_err()
            .contains("inside"));
        assert!(split_mode(&[1, 0, 0, 0, 0xff])
            .unwrap_err()
            .contains("UTF-8"));
    }

    #[test]
    fn an_empty_buffer_is_a_context_on_demand() {
        let c = read(&[], FIXED).unwrap();
        assert_eq!(c.extra_json.as_str(), CONTEXT_ON_DEMAND);
        assert_eq!(
            (c.execution_mode.as_str(), c.node.as_str()),
            ("rpc", "nakama1")
        );
        assert_eq!(c.env_json.as_str(), r#"{"K":"v"}"#);
        assert_eq!(opt(c.user_id), None);
        assert_eq!(c.headers_json.as_str(), "");
        // A context that is sent has no marker.
        let buf = wire([None; FIELDS]);
        let sent = read(&buf, FIXED).unwrap();
        assert_eq!(sent.extra_json.as_str(), "");
    }
}
