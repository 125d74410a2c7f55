//! Nakama's character checks of ids, emails and usernames, as its two
//! POSIX regexps (server/api_authenticate.go) match: their classes are
//! ASCII only, so a no-break space or a C1 control character passes.

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

#[cfg(test)]
mod tests {
    use super::*;

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
