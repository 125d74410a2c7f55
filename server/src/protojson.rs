//! Client API bodies decoded as Nakama's gateway decodes them: grpc-gateway
//! hands the JSON value [`crate::gobody`] read to protojson (unknown fields
//! discarded), whose rules differ from serde_json's both in what they
//! accept and in their words:
//!
//! - a field may be named as in the proto (`max_count`) or in lowerCamel
//!   (`maxCount`); naming it twice is an error, even with `null`;
//! - `null` leaves a field unset;
//! - an integer may be a string (`"5"`) and an integral number in any
//!   form (`5.0`, `5e1`), not a fraction or out of its kind's range;
//! - an enum name protojson does not know leaves the field unset;
//! - a timestamp is RFC 3339 text, kept in UTC;
//! - an error names the line and column of the value, the field's kind and
//!   JSON name: `proto: (line 1:7): invalid value for string field id: 5`.
//!
//! [`from_slice`] is a serde deserializer over the bytes that applies
//! those rules to the API structs of `nakama_runtime_abi::api`, which mark
//! the kinds JSON does not tell (int64, enums, timestamps) with the newtype
//! names of [`kind`]. It reads the bytes as they come (no tree in between)
//! and skips unknown fields without recursion. Checked against protojson's
//! own answers in `tests/data/protojson_go.tsv`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use base64::Engine as _;
use nakama_runtime_host::abi::api::serde_helpers::kind;
use serde::de::value::{CowStrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess};
use serde::de::{Deserializer, Visitor};

use crate::gobody::proto_position;

/// How deep arrays and objects read as values (not skipped) may nest; API
/// structs nest a few levels, so only untyped values come near it.
const MAX_DEPTH: usize = 1_000;

/// Decodes `value`, one JSON object that [`crate::gobody::read`] accepted,
/// into `T`, or gives protojson's message for why it cannot.
pub fn from_slice<T: DeserializeOwned>(value: &[u8]) -> Result<T, String> {
    let mut reader = Reader {
        text: value,
        at: 0,
        depth: 0,
    };
    let decoded = T::deserialize(Value {
        r: &mut reader,
        name: Name::Top,
    });
    // protojson reads every string as it meets it, those of unknown
    // fields too; the reading above reads escapes only where it needs the
    // text. So a string protojson refuses is the error when it comes
    // before (or is) the one found, or when none was.
    match (decoded, first_string_error(value)) {
        (Ok(_), Some((_, bad))) => Err(bad.render(value)),
        (Err(e), Some((at, bad))) if e.not_before(at) => Err(bad.render(value)),
        (decoded, _) => decoded.map_err(|e| e.render(value)),
    }
}

/// The first string of `value` (valid JSON to Go's scanner, which takes
/// any escape of a UTF-16 unit and any bytes) that protojson's decoder
/// refuses: invalid UTF-8, a surrogate not followed by its pair's
/// escape, a bad escape; with protojson's words and place (the string's
/// start), or `unexpected EOF` when too few bytes are left of the whole
/// value for the escapes it reads; with where the string starts.
fn first_string_error(value: &[u8]) -> Option<(usize, Error)> {
    // Only escapes and non-ASCII bytes can be refused (Go's scanner
    // refused control characters already).
    if !value.iter().any(|&b| b == b'\\' || b >= 0x80) {
        return None;
    }
    let mut i = 0;
    while i < value.len() {
        if value[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let invalid_escape = |bytes: &[u8]| {
            let code = crate::gochars::go_quote(bytes);
            Some((
                start,
                Error::syntax(start, format!("invalid escape code {code} in string")),
            ))
        };
        let hex4 = |at: usize| {
            let digits = std::str::from_utf8(&value[at..at + 4]).ok()?;
            // strconv.ParseUint(s, 16, 16): hex digits only.
            digits
                .bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| u32::from_str_radix(digits, 16).ok())
                .flatten()
        };
        loop {
            let Some(&b) = value.get(i) else {
                return Some((start, Error::nowhere("unexpected EOF")));
            };
            match b {
                b'"' => {
                    i += 1;
                    break;
                }
                b'\\' => {
                    let left = value.len() - i;
                    match value.get(i + 1) {
                        None => return Some((start, Error::nowhere("unexpected EOF"))),
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                        Some(b'u') if left < 6 => {
                            return Some((start, Error::nowhere("unexpected EOF")))
                        }
                        Some(b'u') => {
                            let Some(unit) = hex4(i + 2) else {
                                return invalid_escape(&value[i..i + 6]);
                            };
                            i += 6;
                            if (0xD800..=0xDFFF).contains(&unit) {
                                if value.len() - i < 6 {
                                    return Some((start, Error::nowhere("unexpected EOF")));
                                }
                                let paired = (0xD800..=0xDBFF).contains(&unit)
                                    && value[i..].starts_with(b"\\u")
                                    && hex4(i + 2)
                                        .is_some_and(|low| (0xDC00..=0xDFFF).contains(&low));
                                if !paired {
                                    return invalid_escape(&value[i..i + 6]);
                                }
                                i += 6;
                            }
                        }
                        Some(_) => return invalid_escape(&value[i..i + 2]),
                    }
                }
                b if b < 0x80 => i += 1,
                _ => {
                    let len = match b {
                        0xC2..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        0xF0..=0xF4 => 4,
                        _ => 0,
                    };
                    let valid = len > 0
                        && value
                            .get(i..i + len)
                            .is_some_and(|c| std::str::from_utf8(c).is_ok());
                    if !valid {
                        return Some((
                            start,
                            Error::syntax(start, "invalid UTF-8 in string".into()),
                        ));
                    }
                    i += len;
                }
            }
        }
    }
    None
}

/// Where an error is: at a byte of the value, not yet known (an error a
/// visitor made, placed at the value being read), or nowhere (protojson
/// gives some without a position).
#[derive(Debug, Clone, Copy)]
enum Place {
    Unset,
    At(usize),
    Nowhere,
}

/// A decoding error, rendered in protojson's words by `Error::render`.
#[derive(Debug)]
pub struct Error {
    place: Place,
    syntax: bool,
    message: String,
}

impl Error {
    fn at(at: usize, message: String) -> Self {
        Error {
            place: Place::At(at),
            syntax: false,
            message,
        }
    }

    fn syntax(at: usize, message: String) -> Self {
        Error {
            place: Place::At(at),
            syntax: true,
            message,
        }
    }

    fn nowhere(message: &str) -> Self {
        Error {
            place: Place::Nowhere,
            syntax: false,
            message: message.to_string(),
        }
    }

    /// Whether protojson meets this error no sooner than the token at
    /// `at`: at it or after it, or where it has no place (the end).
    fn not_before(&self, at: usize) -> bool {
        match self.place {
            Place::At(here) => at <= here,
            Place::Unset | Place::Nowhere => true,
        }
    }

    fn or_at(mut self, at: usize) -> Self {
        if let Place::Unset = self.place {
            self.place = Place::At(at);
        }
        self
    }

    fn render(&self, value: &[u8]) -> String {
        let syntax = if self.syntax { "syntax error " } else { "" };
        match self.place {
            Place::At(at) => format!(
                "proto: {syntax}{}: {}",
                proto_position(value, at),
                self.message
            ),
            Place::Unset | Place::Nowhere => format!("proto: {}", self.message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            place: Place::Unset,
            syntax: false,
            message: msg.to_string(),
        }
    }
}

/// The bytes and a cursor. The value is valid JSON (Go's scanner said so),
/// which the reading below relies on to stay simple; it never indexes out
/// of the bytes whatever they hold.
struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// Skips white space and gives the next byte.
    fn peek(&mut self) -> Option<u8> {
        while matches!(self.text.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
        self.text.get(self.at).copied()
    }

    /// Where the next token starts.
    fn start(&mut self) -> usize {
        self.peek();
        self.at
    }

    /// The end of the token at `at`: a string with its quotes, a number or
    /// a literal, a bracket alone.
    fn token_end(&self, at: usize) -> usize {
        let text = self.text;
        let mut i = at + 1;
        match text.get(at) {
            Some(b'"') => {
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                i + 1
            }
            Some(b'{' | b'[' | b'}' | b']' | b',' | b':') | None => i,
            Some(_) => {
                while i < text.len()
                    && !matches!(
                        text[i],
                        b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}' | b':'
                    )
                {
                    i += 1;
                }
                i
            }
        }
        .min(text.len())
    }

    /// The token at `at` as protojson shows it in an error: its raw text.
    fn raw(&self, at: usize) -> Cow<'a, str> {
        let text: &'a [u8] = self.text;
        String::from_utf8_lossy(&text[at.min(text.len())..self.token_end(at)])
    }

    /// Moves past the token at the cursor.
    fn skip_token(&mut self) -> &'a str {
        let at = self.start();
        self.at = self.token_end(at);
        let text: &'a [u8] = self.text;
        std::str::from_utf8(&text[at..self.at]).unwrap_or("")
    }

    /// Moves past one value, however deep, without recursion.
    fn skip_value(&mut self) {
        let mut depth = 0usize;
        loop {
            match self.peek() {
                None => return,
                Some(b'{' | b'[') => {
                    depth += 1;
                    self.at += 1;
                    continue;
                }
                Some(b',' | b':') => {
                    self.at += 1;
                    continue;
                }
                Some(b'}' | b']') => {
                    depth = depth.saturating_sub(1);
                    self.at += 1;
                }
                Some(_) => {
                    self.skip_token();
                }
            }
            if depth == 0 {
                return;
            }
        }
    }

    /// Reads the string at the cursor, escapes decoded.
    fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        let at = self.start();
        let end = self.token_end(at);
        self.at = end;
        let text: &'a [u8] = self.text;
        let inner = &text[(at + 1).min(end)..end.saturating_sub(1).max(at + 1).min(end)];
        let Ok(inner) = std::str::from_utf8(inner) else {
            return Err(Error::syntax(at, "invalid UTF-8 in string".into()));
        };
        if !inner.contains('\\') {
            return Ok(Cow::Borrowed(inner));
        }
        unescape(inner).map(Cow::Owned)
    }

    /// Reads an object's next key and the colon after it: where the key
    /// starts, and the key.
    fn key(&mut self) -> Result<(usize, Cow<'a, str>), Error> {
        let at = self.start();
        let key = self.string()?;
        if self.peek() == Some(b':') {
            self.at += 1;
        }
        Ok((at, key))
    }

    /// After `[` or `{`, or after an element: true when another element
    /// follows (its comma read), false at `close` (read).
    fn more(&mut self, close: u8) -> bool {
        match self.peek() {
            Some(c) if c == close => {
                self.at += 1;
                false
            }
            Some(b',') => {
                self.at += 1;
                true
            }
            None => false,
            Some(_) => true,
        }
    }

    /// Skips what a visitor left of an array or object (after an element or
    /// entry it read), its `close` too.
    fn finish(&mut self, close: u8) {
        while self.more(close) {
            if close == b'}' && self.key().is_err() {
                return;
            }
            self.skip_value();
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::nowhere("exceeded max recursion depth"));
        }
        self.at += 1;
        Ok(())
    }
}

/// A string's escapes decoded. A lone surrogate is an error protojson
/// words as `unexpected EOF`.
fn unescape(inner: &str) -> Result<String, Error> {
    let eof = || Error::nowhere("unexpected EOF");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    let hex4 = |chars: &mut std::str::Chars| -> Option<u32> {
        let digits: String = chars.take(4).collect();
        u32::from_str_radix(&digits, 16).ok()
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let unit = hex4(&mut chars).ok_or_else(eof)?;
                let code = match unit {
                    0xD800..=0xDBFF => {
                        if chars.next() != Some('\\') || chars.next() != Some('u') {
                            return Err(eof());
                        }
                        let low = hex4(&mut chars).ok_or_else(eof)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(eof());
                        }
                        0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(eof()),
                    _ => unit,
                };
                out.push(char::from_u32(code).ok_or_else(eof)?);
            }
            Some(other) => out.push(other), // `"`, `\` and `/`
            None => return Err(eof()),
        }
    }
    Ok(out)
}

/// A JSON number's parts: sign, integer digits, fraction digits, exponent
/// (saturated); `None` when `text` is not a JSON number.
fn number_parts(text: &str) -> Option<(bool, &str, &str, i64)> {
    let b = text.as_bytes();
    let digits_from = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let negative = b.first() == Some(&b'-');
    let int_start = usize::from(negative);
    let mut i = match b.get(int_start) {
        Some(b'0') => int_start + 1,
        Some(b'1'..=b'9') => digits_from(int_start + 1),
        _ => return None,
    };
    let int = &text[int_start..i];
    let mut frac = "";
    if b.get(i) == Some(&b'.') {
        let end = digits_from(i + 1);
        if end == i + 1 {
            return None;
        }
        frac = &text[i + 1..end];
        i = end;
    }
    let mut exp = 0i64;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let negative_exp = b.get(i) == Some(&b'-');
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let end = digits_from(i);
        if end == i {
            return None;
        }
        exp = text[i..end].parse().unwrap_or(i64::MAX / 4);
        if negative_exp {
            exp = -exp;
        }
        i = end;
    }
    (i == b.len()).then_some((negative, int, frac, exp))
}

/// An integral JSON number in any of its forms (`5`, `-0`, `5.0`,
/// `15e-1`), exactly; `None` for a fraction, a number too large for an
/// `i128`, or text that is not a JSON number.
fn integral(text: &str) -> Option<i128> {
    let (negative, int, frac, exp) = number_parts(text)?;
    let digits = format!("{int}{frac}");
    // Where the decimal point falls in `digits`.
    let point = (int.len() as i64).saturating_add(exp);
    let split = point.clamp(0, digits.len() as i64) as usize;
    let (whole, rest) = digits.split_at(split);
    if rest.bytes().any(|c| c != b'0') {
        return None;
    }
    let zeros = point.saturating_sub(digits.len() as i64).max(0);
    let whole = whole.trim_start_matches('0');
    if whole.is_empty() {
        return Some(0);
    }
    if whole.len() as i64 + zeros > 39 {
        return None;
    }
    let mut n: i128 = whole.parse().ok()?;
    for _ in 0..zeros {
        n = n.checked_mul(10)?;
    }
    Some(if negative { -n } else { n })
}

/// Which field a value belongs to, for protojson's messages: a struct
/// field (by its proto name, shown in lowerCamel), the `value` of a
/// wrapper or a map entry, or the body itself.
#[derive(Clone, Copy)]
enum Name {
    Top,
    Field(&'static str),
    Value,
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Name::Top => Ok(()),
            Name::Value => f.write_str("value"),
            Name::Field(snake) => f.write_str(&json_name(snake)),
        }
    }
}

/// True when `key` names the field `snake`, by its proto name or its
/// lowerCamel JSON name.
fn names_field(key: &str, snake: &'static str) -> bool {
    key == snake || key == json_name(snake)
}

/// A proto field's JSON name: `max_count` is `maxCount`.
pub fn json_name(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// One value of the body, read as the field `name`.
struct Value<'r, 'a> {
    r: &'r mut Reader<'a>,
    name: Name,
}

impl<'a> Value<'_, 'a> {
    fn invalid(&self, kind: &str, at: usize) -> Error {
        Error::at(
            at,
            format!(
                "invalid value for {kind} field {}: {}",
                self.name,
                self.r.raw(at)
            ),
        )
    }

    fn unexpected(&self, at: usize) -> Error {
        Error::syntax(at, format!("unexpected token {}", self.r.raw(at)))
    }

    /// An integer of `kind` within `range`, from a number or a string.
    fn integer(
        &mut self,
        kind: &str,
        range: std::ops::RangeInclusive<i128>,
    ) -> Result<i128, Error> {
        let at = self.r.start();
        let n = match self.r.text.get(at) {
            Some(b'"') => integral(&self.r.string()?),
            Some(b'-' | b'0'..=b'9') => integral(self.r.skip_token()),
            _ => None,
        };
        n.filter(|n| range.contains(n))
            .ok_or_else(|| self.invalid(kind, at))
    }

    fn float(&mut self, kind: &str) -> Result<f64, Error> {
        let at = self.r.start();
        let n = match self.r.text.get(at) {
            Some(b'"') => match &*self.r.string()? {
                "NaN" => Some(f64::NAN),
                "Infinity" => Some(f64::INFINITY),
                "-Infinity" => Some(f64::NEG_INFINITY),
                s => number_parts(s).and_then(|_| s.parse().ok()),
            },
            Some(b'-' | b'0'..=b'9') => self.r.skip_token().parse().ok(),
            _ => None,
        };
        n.filter(|n: &f64| !n.is_infinite() || self.r.text.get(at) == Some(&b'"'))
            .filter(|n| kind != "float" || !n.is_finite() || n.abs() <= f64::from(f32::MAX))
            .ok_or_else(|| self.invalid(kind, at))
    }

    fn text(&mut self, kind: &str) -> Result<Cow<'a, str>, Error> {
        let at = self.r.start();
        if self.r.text.get(at) == Some(&b'"') {
            self.r.string()
        } else {
            Err(self.invalid(kind, at))
        }
    }

    /// An enum field: a name (the visitor knows the names; one it does not
    /// reads as unset) or a number in `int32`'s range.
    fn proto_enum<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let at = self.r.start();
        match self.r.text.get(at) {
            Some(b'"') => v.visit_str(&self.r.string()?),
            Some(b'-' | b'0'..=b'9') => {
                match integral(self.r.skip_token()).and_then(|n| i32::try_from(n).ok()) {
                    Some(n) => v.visit_i64(n.into()),
                    None => Err(self.invalid("enum", at)),
                }
            }
            _ => Err(self.invalid("enum", at)),
        }
    }

    /// A `google.protobuf.Timestamp`: RFC 3339 text, given on in UTC.
    fn timestamp<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let at = self.r.start();
        if self.r.text.get(at) != Some(&b'"') {
            return Err(self.unexpected(at));
        }
        let text = self.r.string()?;
        let raw = self.r.raw(at);
        match timestamp_utc(&text) {
            Ok(utc) => v.visit_string(utc),
            Err(TimeError::OutOfRange) => Err(Error::at(
                at,
                format!("google.protobuf.Timestamp value out of range: {raw}"),
            )),
            Err(TimeError::Invalid) => Err(Error::at(
                at,
                format!("invalid google.protobuf.Timestamp value {raw}"),
            )),
        }
    }

    fn visit_text<'de, V: Visitor<'de>>(v: V, s: Cow<'a, str>) -> Result<V::Value, Error> {
        match s {
            Cow::Borrowed(s) => v.visit_str(s),
            Cow::Owned(s) => v.visit_string(s),
        }
    }
}

macro_rules! integers {
    ($($method:ident $kind:literal $t:ty => $visit:ident $wide:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Error> {
            let n = self.integer($kind, i128::from(<$t>::MIN)..=i128::from(<$t>::MAX))?;
            v.$visit(n as $wide)
        }
    )*};
}

impl<'de> Deserializer<'de> for Value<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let at = self.r.start();
        match self.r.text.get(at) {
            Some(b'{') => self.deserialize_map(v),
            Some(b'[') => self.deserialize_seq(v),
            Some(b'"') => {
                let s = self.r.string()?;
                Self::visit_text(v, s)
            }
            Some(b't' | b'f' | b'n') => match self.r.skip_token() {
                "true" => v.visit_bool(true),
                "false" => v.visit_bool(false),
                _ => v.visit_unit(),
            },
            Some(_) => {
                let text = self.r.skip_token();
                if let Ok(n) = text.parse::<i64>() {
                    v.visit_i64(n)
                } else if let Ok(n) = text.parse::<u64>() {
                    v.visit_u64(n)
                } else {
                    v.visit_f64(text.parse().unwrap_or(f64::NAN))
                }
            }
            None => Err(Error::nowhere("unexpected EOF")),
        }
        .map_err(|e| e.or_at(at))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let at = self.r.start();
        match self.r.text.get(at) {
            Some(b't' | b'f') => v.visit_bool(self.r.skip_token() == "true"),
            _ => Err(self.invalid("bool", at)),
        }
    }

    integers! {
        deserialize_i8 "int32" i8 => visit_i64 i64;
        deserialize_i16 "int32" i16 => visit_i64 i64;
        deserialize_i32 "int32" i32 => visit_i64 i64;
        deserialize_i64 "int64" i64 => visit_i64 i64;
        deserialize_u8 "uint32" u8 => visit_u64 u64;
        deserialize_u16 "uint32" u16 => visit_u64 u64;
        deserialize_u32 "uint32" u32 => visit_u64 u64;
        deserialize_u64 "uint64" u64 => visit_u64 u64;
    }

    fn deserialize_f32<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(self.float("float")?)
    }

    fn deserialize_f64<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(self.float("double")?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    fn deserialize_string<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Error> {
        let at = self.r.start();
        let s = self.text("string")?;
        Self::visit_text(v, s).map_err(|e| e.or_at(at))
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_byte_buf(v)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(mut self, v: V) -> Result<V::Value, Error> {
        // protojson takes standard or URL-safe base64, padded or not.
        let at = self.r.start();
        let s = self.text("bytes")?;
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        match engines.iter().find_map(|e| e.decode(s.as_bytes()).ok()) {
            Some(bytes) => v.visit_byte_buf(bytes),
            None => Err(self.invalid("bytes", at)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if self.r.peek() == Some(b'n') {
            self.r.skip_token();
            return v.visit_none();
        }
        // An optional scalar is a wrapper message (`StringValue`...), whose
        // one field protojson names `value`.
        v.visit_some(Value {
            r: self.r,
            name: Name::Value,
        })
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let at = self.r.start();
        if self.r.text.get(at) == Some(&b'n') {
            self.r.skip_token();
            v.visit_unit()
        } else {
            Err(self.unexpected(at))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        let at = self.r.start();
        match name {
            kind::INT64 => {
                let n = self.integer("int64", i128::from(i64::MIN)..=i128::from(i64::MAX))?;
                v.visit_i64(n as i64)
            }
            kind::UINT64 => {
                let n = self.integer("uint64", 0..=i128::from(u64::MAX))?;
                v.visit_u64(n as u64)
            }
            kind::ENUM => self.proto_enum(v),
            kind::TIMESTAMP => self.timestamp(v),
            _ => v.visit_newtype_struct(self),
        }
        .map_err(|e| e.or_at(at))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let at = self.r.start();
        if self.r.text.get(at) != Some(&b'[') {
            return Err(self.unexpected(at));
        }
        self.r.enter()?;
        let mut seq = Seq {
            r: &mut *self.r,
            name: self.name,
            done: false,
        };
        let out = v.visit_seq(&mut seq).map_err(|e| e.or_at(at))?;
        if !seq.done {
            self.r.finish(b']');
        }
        self.r.depth -= 1;
        Ok(out)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let at = self.r.start();
        if self.r.text.get(at) != Some(&b'{') {
            return Err(self.unexpected(at));
        }
        self.r.enter()?;
        let mut map = Map {
            r: &mut *self.r,
            keys: HashSet::new(),
            done: false,
        };
        let out = v.visit_map(&mut map).map_err(|e| e.or_at(at))?;
        if !map.done {
            self.r.finish(b'}');
        }
        self.r.depth -= 1;
        Ok(out)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let at = self.r.start();
        if self.r.text.get(at) != Some(&b'{') {
            return Err(self.unexpected(at));
        }
        self.r.enter()?;
        let mut message = Message {
            r: &mut *self.r,
            fields,
            seen: Vec::new(),
            current: Name::Top,
            done: false,
        };
        let out = v.visit_map(&mut message).map_err(|e| e.or_at(at))?;
        if !message.done {
            self.r.finish(b'}');
        }
        self.r.depth -= 1;
        Ok(out)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let s = self.text("enum")?;
        v.visit_enum(s.into_owned().into_deserializer())
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_string(v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.r.skip_value();
        v.visit_unit()
    }
}

/// The elements of an array, each read as the array's field.
struct Seq<'r, 'a> {
    r: &'r mut Reader<'a>,
    name: Name,
    done: bool,
}

impl<'de> SeqAccess<'de> for Seq<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.done || !self.r.more(b']') {
            self.done = true;
            return Ok(None);
        }
        seed.deserialize(Value {
            r: &mut *self.r,
            name: self.name,
        })
        .map(Some)
    }
}

/// The entries of a JSON object read as a map field (`map<string, ...>`):
/// any keys, once each, and values that are the entries' `value` field.
struct Map<'r, 'a> {
    r: &'r mut Reader<'a>,
    keys: HashSet<String>,
    done: bool,
}

impl<'de> MapAccess<'de> for Map<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.done || !self.r.more(b'}') {
            self.done = true;
            return Ok(None);
        }
        let (at, key) = self.r.key()?;
        let key = key.into_owned();
        if !self.keys.insert(key.clone()) {
            return Err(Error::at(at, format!("duplicate map key {key:?}")));
        }
        seed.deserialize(StringDeserializer::<Error>::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(Value {
            r: &mut *self.r,
            name: Name::Value,
        })
    }
}

/// The fields of a message: each known by its proto or JSON name, given
/// once (`null` counting), `null` ones left unset, unknown ones skipped.
struct Message<'r, 'a> {
    r: &'r mut Reader<'a>,
    fields: &'static [&'static str],
    seen: Vec<&'static str>,
    current: Name,
    done: bool,
}

impl<'de> MapAccess<'de> for Message<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        loop {
            if self.done || !self.r.more(b'}') {
                self.done = true;
                return Ok(None);
            }
            let (at, key) = self.r.key()?;
            let field = self.fields.iter().copied().find(|f| names_field(&key, f));
            if let Some(f) = field {
                if self.seen.contains(&f) {
                    return Err(Error::at(at, format!("duplicate field {key:?}")));
                }
                self.seen.push(f);
            }
            if self.r.peek() == Some(b'n') {
                self.r.skip_token();
                continue;
            }
            self.current = field.map_or(Name::Top, Name::Field);
            // An unknown key goes to serde as it is, which skips its value.
            let name = field.map_or(key, Cow::Borrowed);
            return seed
                .deserialize(CowStrDeserializer::<Error>::new(name))
                .map(Some);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(Value {
            r: &mut *self.r,
            name: self.current,
        })
    }
}

enum TimeError {
    Invalid,
    OutOfRange,
}

/// RFC 3339 text as protojson reads a timestamp (Go's `time.RFC3339Nano`:
/// upper-case `T` and `Z`, up to nine fraction digits, an offset of up to
/// 24 hours), given back in UTC as protojson writes it (`Z`, and 0, 3, 6 or
/// 9 fraction digits), within years 1 to 9999.
fn timestamp_utc(s: &str) -> Result<String, TimeError> {
    use TimeError::*;
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Result<i64, TimeError> {
        let digits = b.get(from..from + len).ok_or(Invalid)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(Invalid);
        }
        Ok(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, c: u8| {
        if b.get(at) == Some(&c) {
            Ok(())
        } else {
            Err(Invalid)
        }
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    sep(4, b'-')?;
    sep(7, b'-')?;
    sep(10, b'T')?;
    sep(13, b':')?;
    sep(16, b':')?;
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    let mut nanos = 0i64;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return Err(Invalid);
        }
        nanos = num(i + 1, digits)? * 10i64.pow(9 - digits as u32);
        i += 1 + digits;
    }
    let offset = match b.get(i) {
        Some(b'Z') if i + 1 == b.len() => 0,
        Some(sign @ (b'+' | b'-')) if i + 6 == b.len() => {
            sep(i + 3, b':')?;
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if h > 24 || m > 60 {
                return Err(Invalid);
            }
            (h * 60 + m) * 60 * if *sign == b'-' { -1 } else { 1 }
        }
        _ => return Err(Invalid),
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or(Invalid)?;
    let date =
        time::Date::from_calendar_date(year as i32, month, day as u8).map_err(|_| Invalid)?;
    if hour > 23 || minute > 59 || second > 59 {
        return Err(Invalid);
    }
    let days = i64::from(date.to_julian_day()) - 2_440_588; // 1970-01-01
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset;
    // 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    if !(-62_135_596_800..=253_402_300_799).contains(&seconds) {
        return Err(OutOfRange);
    }
    let utc = time::OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| OutOfRange)?;
    let fraction = match nanos {
        0 => String::new(),
        n if n % 1_000_000 == 0 => format!(".{:03}", n / 1_000_000),
        n if n % 1_000 == 0 => format!(".{:06}", n / 1_000),
        n => format!(".{n:09}"),
    };
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nakama_runtime_host::abi::api;

    #[test]
    fn integral_numbers_in_every_form() {
        for (text, n) in [
            ("5", Some(5)),
            ("-0", Some(0)),
            ("5.0", Some(5)),
            ("5e1", Some(50)),
            ("150e-1", Some(15)),
            ("0.0000", Some(0)),
            ("1e-400", None),
            ("5.5", None),
            ("05", None),
            ("+5", None),
            (".5", None),
            ("5.", None),
            ("1e400", None),
            ("", None),
        ] {
            assert_eq!(integral(text), n, "{text}");
        }
    }

    #[test]
    fn timestamps_come_back_in_utc() {
        for (text, utc) in [
            ("2020-01-01T00:00:00Z", Some("2020-01-01T00:00:00Z")),
            ("2020-01-01T00:00:00+01:00", Some("2019-12-31T23:00:00Z")),
            ("2020-01-01T00:00:00.5Z", Some("2020-01-01T00:00:00.500Z")),
            (
                "2020-01-01T00:00:00.1234Z",
                Some("2020-01-01T00:00:00.123400Z"),
            ),
            ("2020-02-30T00:00:00Z", None),
            ("2020-01-01t00:00:00z", None),
            ("2020-01-01T00:00:00", None),
        ] {
            assert_eq!(timestamp_utc(text).ok().as_deref(), utc, "{text}");
        }
        assert!(matches!(
            timestamp_utc("0000-12-31T23:59:59Z"),
            Err(TimeError::OutOfRange)
        ));
    }

    /// Decodes `body` as a gateway body of `T`; what it read, written back
    /// as JSON, or the gateway's message.
    fn decode<T: DeserializeOwned + serde::Serialize + Default>(
        body: &str,
    ) -> Result<serde_json::Value, String> {
        let value = crate::gobody::read(body.as_bytes())?;
        let read: T = value.map_or(Ok(T::default()), from_slice)?;
        Ok(serde_json::to_value(read).unwrap())
    }

    /// protojson's own answers (`protojson_go.tsv`, written by
    /// `tests/data/protojson-go`): the same error, word for word, or the
    /// same fields read.
    /// protojson meets invalid UTF-8 where it reads the string, after
    /// the errors before it (Go 1.26, protojson v1.36.11).
    #[test]
    fn invalid_utf8_is_met_in_order() {
        let decode = |b: &[u8]| from_slice::<api::AccountCustom>(b).err();
        for (body, go) in [
            (
                &b"{\"id\":5,\"x\":\"\xff\"}"[..],
                "proto: (line 1:7): invalid value for string field id: 5",
            ),
            (
                b"{\"x\":\"\xff\",\"id\":5}",
                "proto: syntax error (line 1:6): invalid UTF-8 in string",
            ),
            (
                b"{\"id\":\"\xff\"}",
                "proto: syntax error (line 1:7): invalid UTF-8 in string",
            ),
        ] {
            assert_eq!(decode(body).as_deref(), Some(go), "{body:?}");
        }
    }

    #[test]
    fn bodies_decode_as_protojson_decodes_them() {
        let table = include_str!("../tests/data/protojson_go.tsv");
        let mut checked = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.splitn(3, '\t');
            let (message, body, answer) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let ours = match message {
                "custom" => decode::<api::AccountCustom>(body),
                "device" => decode::<api::AccountDevice>(body),
                "email" => decode::<api::AccountEmail>(body),
                "refresh" => decode::<api::SessionRefreshRequest>(body),
                "account" => decode::<api::UpdateAccountRequest>(body),
                "event" => decode::<api::Event>(body),
                "group" => decode::<api::CreateGroupRequest>(body),
                "group_update" => decode::<api::UpdateGroupRequest>(body),
                "lb_write" => decode::<api::LeaderboardRecordWrite>(body),
                "tour_write" => decode::<api::TournamentRecordWrite>(body),
                "storage_write" => decode::<api::WriteStorageObjectsRequest>(body),
                "storage_read" => decode::<api::ReadStorageObjectsRequest>(body),
                "storage_delete" => decode::<api::DeleteStorageObjectsRequest>(body),
                "apple" => decode::<api::ValidatePurchaseAppleRequest>(body),
                other => panic!("no message {other} here"),
            };
            match (answer.split_once(' ').unwrap(), ours) {
                (("ERR", go), Err(ours)) => {
                    // protobuf-go writes a space or a no-break space after `proto:`.
                    assert_eq!(ours, go.replace('\u{a0}', " "), "{message} {body}")
                }
                (("OK", go), Ok(ours)) => {
                    let go: serde_json::Value = serde_json::from_str(go).unwrap();
                    assert_eq!(ours, go, "{message} {body}");
                }
                ((_, go), ours) => panic!("{message} {body}: protojson {go}, ours {ours:?}"),
            }
            checked += 1;
        }
        assert!(checked > 150, "{checked} cases");
    }

    /// Decodes `body` as `T`; what decodes must decode again, the same,
    /// from its own JSON.
    fn round_trip<T>(body: &[u8])
    where
        T: DeserializeOwned + serde::Serialize + PartialEq + fmt::Debug,
    {
        if let Ok(read) = from_slice::<T>(body) {
            let text = serde_json::to_vec(&read).unwrap();
            assert_eq!(
                from_slice::<T>(&text).as_ref(),
                Ok(&read),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn generated_bodies_decode_without_panicking() {
        // Objects of the API's field names and values of every kind,
        // nested a little (seeded: the same bodies every run).
        const KEYS: &[&str] = &[
            "id",
            "vars",
            "name",
            "max_count",
            "maxCount",
            "open",
            "score",
            "operator",
            "objects",
            "collection",
            "key",
            "value",
            "permission_read",
            "timestamp",
            "username",
            "x",
        ];
        const SCALARS: &[&str] = &[
            "5",
            "-0",
            "5.5",
            "1e400",
            "2147483648",
            "-9223372036854775809",
            "\"a\"",
            "\"5\"",
            "\"\\ud83d\"",
            "\"\\u00e9\"",
            "\"SET\"",
            "\"2020-01-01T00:00:00Z\"",
            "true",
            "false",
            "null",
            "\"\"",
        ];
        let mut rng = fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15);
        let mut next = move |n: usize| rng.usize(..n);
        fn value(next: &mut dyn FnMut(usize) -> usize, depth: usize) -> String {
            match if depth > 2 { 0 } else { next(4) } {
                0 | 1 => SCALARS[next(SCALARS.len())].to_string(),
                2 => {
                    let items: Vec<String> = (0..next(3)).map(|_| value(next, depth + 1)).collect();
                    format!("[{}]", items.join(","))
                }
                _ => object(next, depth + 1),
            }
        }
        fn object(next: &mut dyn FnMut(usize) -> usize, depth: usize) -> String {
            let entries: Vec<String> = (0..next(4))
                .map(|_| format!("\"{}\":{}", KEYS[next(KEYS.len())], value(next, depth)))
                .collect();
            format!("{{{}}}", entries.join(","))
        }
        for _ in 0..5_000 {
            let body = object(&mut next, 0);
            round_trip::<api::AccountCustom>(body.as_bytes());
            round_trip::<api::CreateGroupRequest>(body.as_bytes());
            round_trip::<api::UpdateAccountRequest>(body.as_bytes());
            round_trip::<api::LeaderboardRecordWrite>(body.as_bytes());
            round_trip::<api::WriteStorageObjectsRequest>(body.as_bytes());
            round_trip::<api::Event>(body.as_bytes());
        }
    }

    #[test]
    fn any_bytes_decode_without_panicking() {
        // Valid JSON is what it gets (gobody::read checks), but no input
        // may make it index out of the bytes (seeded, as gobody's).
        const ALPHABET: &[u8] = b"{}[]\":,\\ \n-+.0123456789eEtrufalsnidxu\xff";
        let mut rng = fastrand::Rng::with_seed(0x853c_49e6_748f_ea9b);
        let cut = [
            &br#"{"id""#[..],
            br#"{"id":"#,
            br#"{"id":"a"#,
            br#"{"objects":[{"collection""#,
            br#"{"score":"#,
            br#"{"x":[1,{"#,
        ];
        let random = (0..20_000).map(|_| {
            (0..rng.usize(..20))
                .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
                .collect::<Vec<u8>>()
        });
        for body in cut.iter().map(|b| b.to_vec()).chain(random) {
            let _ = from_slice::<api::AccountCustom>(&body);
            let _ = from_slice::<api::WriteStorageObjectsRequest>(&body);
            let _ = from_slice::<api::LeaderboardRecordWrite>(&body);
        }
    }

    #[test]
    fn what_a_visitor_leaves_of_an_array_is_skipped() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Short {
            t: (String,),
            id: String,
        }
        let short: Short = from_slice(br#"{"t":["a",["x",{"y":[]}],"c"],"id":"z"}"#).unwrap();
        assert_eq!(
            short,
            Short {
                t: ("a".into(),),
                id: "z".into()
            }
        );
    }

    #[test]
    fn deep_unknown_fields_are_skipped_without_recursion() {
        let deep = format!(
            "{{\"x\":{}{},\"id\":\"abc\"}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let custom: api::AccountCustom = from_slice(deep.as_bytes()).unwrap();
        assert_eq!(custom.id, "abc");
    }
}
