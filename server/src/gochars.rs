//! Characters as Go sees them: Nakama's checks of ids, emails and
//! usernames, as its two POSIX regexps (server/api_authenticate.go)
//! match (their classes are ASCII only, so a no-break space or a C1
//! control character passes), and text quoted as Go's `strconv.Quote`
//! (`%q`) quotes it in error messages.

use std::sync::OnceLock;

use regex::Regex;

/// `invalidCharsRegex`, `([[:cntrl:]]|[[:space:]])+` (ids, emails): an
/// ASCII control character or an ASCII space.
pub fn has_space_or_control(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_control() || b == b' ')
}

/// `invalidUsernameRegex`, `([[:cntrl:]]|[[\t\n\r\f\v]])+` (usernames):
/// an ASCII control character; a plain space passes. POSIX reads the
/// second alternative as one of `[`, tab, line feed, carriage return, form
/// feed or vertical tab followed by a literal `]`, so `[]` is refused too.
pub fn invalid_username(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_control()) || s.contains("[]")
}

/// Bytes as Go's `strconv.Quote` quotes them: `"` and `\\` escaped,
/// printable characters as they are, the rest escaped (`\n`, `\x01`,
/// `\u00a0`, `\U000e0001`), each invalid UTF-8 byte as `\x..`.
pub fn go_quote(b: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if go_printable(c) => out.push(c),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{b}' => out.push_str("\\v"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push_str(&format!("\\U{:08x}", c as u32)),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint`: a letter, mark, number, punctuation or symbol
/// (Unicode's categories L, M, N, P, S), or the ASCII space. The
/// `regex` crate's tables answer for the categories; they may be of a
/// later Unicode version than Go's (characters assigned since differ).
fn go_printable(c: char) -> bool {
    static PRINTABLE: OnceLock<Regex> = OnceLock::new();
    if c.is_ascii() {
        return c == ' ' || c.is_ascii_graphic();
    }
    let printable = PRINTABLE
        .get_or_init(|| Regex::new(r"^[\p{L}\p{M}\p{N}\p{P}\p{S}]$").expect("a valid pattern"));
    printable.is_match(c.encode_utf8(&mut [0; 4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go 1.26's `fmt.Sprintf("%q", s)` of the same text.
    #[test]
    fn quotes_as_go_quotes() {
        for (text, expected) in [
            (&b"plain"[..], r#""plain""#),
            (b"a\"b\\c", r#""a\"b\\c""#),
            (
                b"\x07\x08\x0c\n\r\t\x0b\x00\x1b\x7f",
                r#""\a\b\f\n\r\t\v\x00\x1b\x7f""#,
            ),
            (
                "d\u{fc}el \u{3000}\u{a0}\u{85}\u{200b}\u{feff}".as_bytes(),
                r#""düel \u3000\u00a0\u0085\u200b\ufeff""#,
            ),
            (
                "\u{e0001}\u{1f600}\u{10ffff}".as_bytes(),
                r#""\U000e0001😀\U0010ffff""#,
            ),
            (b"\xff\xc3(", r#""\xff\xc3(""#),
        ] {
            assert_eq!(go_quote(text), expected, "{text:?}");
        }
    }

    #[test]
    fn ids_refuse_ascii_spaces_and_controls_only() {
        for bad in ["a b", "a\tb", "a\u{7f}", "\u{0}x", "x\u{b}"] {
            assert!(has_space_or_control(bad), "{bad:?}");
        }
        for good in [
            "abc",
            "a\u{a0}b",
            "a\u{85}b",
            "a\u{2003}b",
            "a[]b",
            "ünïcode",
        ] {
            assert!(!has_space_or_control(good), "{good:?}");
        }
    }

    #[test]
    fn usernames_refuse_controls_and_empty_brackets_not_spaces() {
        for bad in ["a\tb", "a\nb", "x\u{1f}", "a[]b", "[]", "a\u{7f}"] {
            assert!(invalid_username(bad), "{bad:?}");
        }
        for good in ["a b", "a\u{85}b", "a\u{a0}b", "a[b]", "a]b[", "ünïcode"] {
            assert!(!invalid_username(good), "{good:?}");
        }
    }
}
