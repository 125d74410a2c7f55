//! A client API body read as Nakama's gateway reads it, for its error
//! messages: grpc-gateway first reads one JSON value with Go's
//! `encoding/json` decoder (whose syntax errors it answers as they are,
//! and which ignores what follows that value), then hands the value to
//! `protojson`, which wants an object.
//!
//! [`first_value`] follows `encoding/json`'s scanner (scanner.go) state for
//! state, so a malformed body gets Go's words (`invalid character 'b'
//! looking for beginning of object key string`); [`proto_checks`] gives
//! protojson's for the check above. [`crate::protojson`] then decodes
//! the value with protojson's rules. [`unmarshal_error`] is the same
//! scanner as `json.Unmarshal` runs it, for text Nakama unmarshals itself
//! (party labels).

/// Go's `maxNestingDepth`.
const MAX_DEPTH: usize = 10_000;

/// What the scanner is inside: an object's key, an object's value, an
/// array's element (Go's `parseState`).
#[derive(Clone, Copy, PartialEq)]
enum Nest {
    Key,
    Value,
    Element,
}

/// The scanner's states (Go's `state*` functions of the same names).
#[derive(Clone, Copy, PartialEq)]
enum State {
    BeginValue,
    BeginValueOrEmpty,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    /// After `\u`, with this many hex digits read.
    InStringEscU(u8),
    Neg,
    Zero,
    One,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    /// Inside a literal: the bytes still expected, and the literal.
    Literal(&'static [u8], &'static str),
}

/// How a step went.
enum Step {
    Continue,
    /// The value has ended: with this byte (the `}` or `]` of a top-level
    /// object or array), or before it.
    End {
        with_byte: bool,
    },
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

struct Scanner {
    state: State,
    nest: Vec<Nest>,
}

impl Scanner {
    fn step(&mut self, c: u8) -> Result<Step, String> {
        use State::*;
        let to = |s: &mut Scanner, state| {
            s.state = state;
            Ok(Step::Continue)
        };
        match self.state {
            BeginValue | BeginValueOrEmpty | BeginStringOrEmpty if is_space(c) => {
                Ok(Step::Continue)
            }
            BeginValueOrEmpty if c == b']' => self.end_value(c),
            BeginStringOrEmpty if c == b'}' => {
                // An empty object ends as one after a value does.
                *self.nest.last_mut().expect("in an object") = Nest::Value;
                self.end_value(c)
            }
            BeginValueOrEmpty => self.begin_value(c),
            BeginStringOrEmpty => {
                self.state = BeginString;
                self.step(c)
            }
            BeginValue => self.begin_value(c),
            BeginString => match c {
                _ if is_space(c) => Ok(Step::Continue),
                b'"' => to(self, InString),
                _ => Err(invalid(c, "looking for beginning of object key string")),
            },
            EndValue => self.end_value(c),
            // Go would complain of anything but space on the next call;
            // the decoder has stopped reading by then.
            EndTop => Ok(Step::End { with_byte: false }),
            InString => match c {
                b'"' => to(self, EndValue),
                b'\\' => to(self, InStringEsc),
                0..0x20 => Err(invalid(c, "in string literal")),
                _ => Ok(Step::Continue),
            },
            InStringEsc => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => to(self, InString),
                b'u' => to(self, InStringEscU(0)),
                _ => Err(invalid(c, "in string escape code")),
            },
            InStringEscU(n) => match c.is_ascii_hexdigit() {
                true if n == 3 => to(self, InString),
                true => to(self, InStringEscU(n + 1)),
                false => Err(invalid(c, "in \\u hexadecimal character escape")),
            },
            Neg => match c {
                b'0' => to(self, Zero),
                b'1'..=b'9' => to(self, One),
                _ => Err(invalid(c, "in numeric literal")),
            },
            One if c.is_ascii_digit() => Ok(Step::Continue),
            One | Zero => match c {
                b'.' => to(self, Dot),
                b'e' | b'E' => to(self, E),
                _ => self.end_value(c),
            },
            Dot => match c.is_ascii_digit() {
                true => to(self, Dot0),
                false => Err(invalid(c, "after decimal point in numeric literal")),
            },
            Dot0 => match c {
                b'0'..=b'9' => Ok(Step::Continue),
                b'e' | b'E' => to(self, E),
                _ => self.end_value(c),
            },
            E if c == b'+' || c == b'-' => to(self, ESign),
            E | ESign => match c.is_ascii_digit() {
                true => to(self, E0),
                false => Err(invalid(c, "in exponent of numeric literal")),
            },
            E0 if c.is_ascii_digit() => Ok(Step::Continue),
            E0 => self.end_value(c),
            Literal(rest, word) => match rest.split_first() {
                Some((&want, more)) if c == want => match more.is_empty() {
                    true => to(self, EndValue),
                    false => to(self, Literal(more, word)),
                },
                Some((&want, _)) => Err(invalid(
                    c,
                    &format!("in literal {word} (expecting {})", quote_char(want)),
                )),
                None => self.end_value(c),
            },
        }
    }

    fn begin_value(&mut self, c: u8) -> Result<Step, String> {
        use State::*;
        let (state, nest) = match c {
            b'{' => (BeginStringOrEmpty, Some(Nest::Key)),
            b'[' => (BeginValueOrEmpty, Some(Nest::Element)),
            b'"' => (InString, None),
            b'-' => (Neg, None),
            b'0' => (Zero, None),
            b'1'..=b'9' => (One, None),
            b't' => (Literal(b"rue", "true"), None),
            b'f' => (Literal(b"alse", "false"), None),
            b'n' => (Literal(b"ull", "null"), None),
            _ => return Err(invalid(c, "looking for beginning of value")),
        };
        if let Some(n) = nest {
            self.nest.push(n);
            if self.nest.len() > MAX_DEPTH {
                return Err(invalid(c, "exceeded max depth"));
            }
        }
        self.state = state;
        Ok(Step::Continue)
    }

    /// Go's `stateEndValue`: a value ended; `c` is the byte after it.
    fn end_value(&mut self, c: u8) -> Result<Step, String> {
        use State::*;
        let Some(&top) = self.nest.last() else {
            self.state = EndTop;
            return self.step(c);
        };
        self.state = EndValue;
        if is_space(c) {
            return Ok(Step::Continue);
        }
        match (top, c) {
            (Nest::Key, b':') => {
                *self.nest.last_mut().expect("nested") = Nest::Value;
                self.state = BeginValue;
                Ok(Step::Continue)
            }
            (Nest::Key, _) => Err(invalid(c, "after object key")),
            (Nest::Value, b',') => {
                *self.nest.last_mut().expect("nested") = Nest::Key;
                self.state = BeginString;
                Ok(Step::Continue)
            }
            (Nest::Value, b'}') | (Nest::Element, b']') => {
                self.nest.pop();
                // Go ends a top-level object or array at its last byte.
                if self.nest.is_empty() {
                    self.state = EndTop;
                    return Ok(Step::End { with_byte: true });
                }
                Ok(Step::Continue)
            }
            (Nest::Value, _) => Err(invalid(c, "after object key:value pair")),
            (Nest::Element, b',') => {
                self.state = BeginValue;
                Ok(Step::Continue)
            }
            (Nest::Element, _) => Err(invalid(c, "after array element")),
        }
    }
}

/// Go's `SyntaxError` text for byte `c`.
fn invalid(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

/// Go's `quoteChar`: the byte as a rune (Latin-1), quoted as
/// `strconv.Quote` quotes it, between single quotes.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".into(),
        b'"' => "'\"'".into(),
        0x07 => r"'\a'".into(),
        0x08 => r"'\b'".into(),
        0x0c => r"'\f'".into(),
        b'\n' => r"'\n'".into(),
        b'\r' => r"'\r'".into(),
        b'\t' => r"'\t'".into(),
        0x0b => r"'\v'".into(),
        b'\\' => r"'\\'".into(),
        0..0x20 | 0x7f => format!("'\\x{c:02x}'"),
        // Not printable to Go's unicode.IsPrint: C1 controls, the no-break
        // space and the soft hyphen.
        0x80..=0xa0 | 0xad => format!("'\\u{c:04x}'"),
        _ => format!("'{}'", char::from(c)),
    }
}

/// The first JSON value of `body` as Go's `json.Decoder` reads it: its
/// end (what follows is not read), `Ok(None)` when there is nothing but
/// white space (the gateway's `io.EOF`: no fields given), or Go's error.
pub fn first_value(body: &[u8]) -> Result<Option<usize>, String> {
    let mut s = Scanner {
        state: State::BeginValue,
        nest: Vec::new(),
    };
    for (i, &c) in body.iter().enumerate() {
        if let Step::End { with_byte } = s.step(c)? {
            return Ok(Some(i + usize::from(with_byte)));
        }
    }
    // At the end of the input Go steps a space.
    match s.step(b' ') {
        Ok(Step::End { .. }) => Ok(Some(body.len())),
        _ if body.iter().all(|&c| is_space(c)) => Ok(None),
        _ => Err("unexpected EOF".into()),
    }
}

/// Why Go's `json.Unmarshal` refuses `text` (its `checkValid`: the whole
/// text must be one value), in its words, if it does. Unlike the
/// decoder's ([`first_value`]), its end of input is a space stepped, whose
/// own error counts (`invalid character ' ' in literal null`).
pub fn unmarshal_error(text: &[u8]) -> Option<String> {
    let mut s = Scanner {
        state: State::BeginValue,
        nest: Vec::new(),
    };
    for (i, &c) in text.iter().enumerate() {
        match s.step(c) {
            Err(e) => return Some(e),
            Ok(Step::Continue) => {}
            Ok(Step::End { with_byte }) => {
                let end = i + usize::from(with_byte);
                return text[end..]
                    .iter()
                    .find(|&&c| !is_space(c))
                    .map(|&c| invalid(c, "after top-level value"));
            }
        }
    }
    match s.step(b' ') {
        Err(e) => Some(e),
        Ok(Step::End { .. }) => None,
        Ok(Step::Continue) => Some("unexpected end of JSON input".into()),
    }
}

/// A gateway body as Nakama reads it: the JSON value protojson would
/// decode (what follows it is never read), `None` when the body is only
/// white space (every field its default), or Nakama's message for it.
pub fn read(body: &[u8]) -> Result<Option<&[u8]>, String> {
    let Some(end) = first_value(body)? else {
        return Ok(None);
    };
    let value = &body[..end];
    proto_checks(value)?;
    Ok(Some(value))
}

/// protojson's check of the value the gateway hands it that serde does
/// not word as it does: an object, in its words (`proto: syntax error
/// (line 1:1): unexpected token 5`). Its strings' checks (valid UTF-8,
/// paired surrogates) are made in order with the rest by
/// [`crate::protojson::from_slice`].
pub fn proto_checks(value: &[u8]) -> Result<(), String> {
    let start = value.iter().position(|&c| !is_space(c)).unwrap_or(0);
    if value.get(start) != Some(&b'{') {
        let token = token_at(&value[start..]);
        return Err(proto_syntax(
            value,
            start,
            &format!("unexpected token {token}"),
        ));
    }
    Ok(())
}

/// A scalar token as protojson shows it in an error: its raw text.
fn token_at(value: &[u8]) -> String {
    let end = match value.first() {
        Some(b'"') => first_value(value).ok().flatten().unwrap_or(value.len()),
        Some(b'[') => 1,
        _ => value
            .iter()
            .position(|&c| is_space(c) || matches!(c, b',' | b']' | b'}'))
            .unwrap_or(value.len()),
    };
    String::from_utf8_lossy(&value[..end]).into_owned()
}

fn proto_syntax(value: &[u8], at: usize, what: &str) -> String {
    format!("proto: syntax error {}: {what}", proto_position(value, at))
}

/// Where byte `at` of `value` is, as protojson words it: `(line 1:7)`,
/// the column in runes (an invalid byte counting as one, as
/// `utf8.RuneCount` does).
pub fn proto_position(value: &[u8], at: usize) -> String {
    let before = &value[..at.min(value.len())];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    format!("(line {line}:{column})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use nakama_runtime_host::abi::api::AuthenticateCustomRequest;

    #[test]
    fn first_values_end_where_go_stops_reading() {
        for (body, end) in [
            (&b"{}"[..], Some(2)),
            (b"  {\"a\": [1, 2.5e-3, true, null]} trailing", Some(32)),
            (b"5 x", Some(1)),
            (b"5}", Some(1)),
            (b"\"s\" ", Some(3)),
            (b"[]]", Some(2)),
            (b"", None),
            (b" \n\t", None),
            (b"12", Some(2)),
        ] {
            assert_eq!(
                first_value(body),
                Ok(end),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    /// Go's own answers (`gobody_go.tsv`: each body in hex, then what Go
    /// 1.26's `json.Decoder` into a `json.RawMessage` and protojson
    /// v1.36.11 into Nakama's `AuthenticateCustomRequest` answered, as
    /// JSON text: the error's message, `OK <value>`, or `OK(EOF)`): every
    /// byte as a body's first, and the malformed bodies of each scanner
    /// state.
    #[test]
    fn bodies_read_as_go_reads_them() {
        let table = include_str!("../tests/data/gobody_go.tsv");
        let mut checked = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (hex, go) = line.split_once('\t').expect("hex TAB answer");
            let body: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let go: String = serde_json::from_str(go).unwrap();
            // protojson's checks of strings are made as it decodes.
            let ours = read(&body).and_then(|value| match value {
                Some(v) => {
                    crate::protojson::from_slice::<AuthenticateCustomRequest>(v).map(|_| Some(v))
                }
                None => Ok(None),
            });
            let shown = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
            match go.strip_prefix("OK") {
                Some("(EOF)") => assert_eq!(ours, Ok(None), "{shown}"),
                Some(value) => {
                    let ours = ours.unwrap_or_else(|e| panic!("{shown}: {e}"));
                    let ours = String::from_utf8_lossy(ours.unwrap()).into_owned();
                    assert_eq!(ours.trim_start(), value.trim_start(), "{shown}");
                }
                None => assert_eq!(ours, Err(go), "{shown}"),
            }
            checked += 1;
        }
        assert!(checked > 300, "{checked} cases");
    }

    #[test]
    fn any_body_reads_without_panicking() {
        // JSON's own bytes, more often than others (seeded: the same
        // bodies every run).
        const ALPHABET: &[u8] = b"{}[]\":,\\ \n-+.0123456789eEtrufalsn\xff\xc3\x01x";
        let mut rng = fastrand::Rng::with_seed(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let body: Vec<u8> = (0..rng.usize(..24))
                .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
                .collect();
            if let Ok(Some(value)) = read(&body) {
                assert!(body.starts_with(value));
            }
        }
    }

    #[test]
    fn nesting_deeper_than_gos_limit_is_refused_in_its_words() {
        let deepest = [vec![b'['; 10_000], vec![b']'; 10_000]].concat();
        assert_eq!(
            read(&deepest),
            Err("proto: syntax error (line 1:1): unexpected token [".into())
        );
        assert_eq!(
            read(&[b'['; 10_001]),
            Err("invalid character '[' exceeded max depth".into())
        );
    }
}
