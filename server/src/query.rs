//! Nakama's query language for match labels (and matchmaker tickets): the
//! query strings `match_list` and `GET /v2/match?query=` take.
//!
//! Nakama 3.40.0 hands a query to `github.com/blugelabs/query_string`
//! v0.3.0 with the keyword analyzer (server/match_common.go,
//! `ParseQueryString`), and runs it on an in-memory bluge v0.2.2 index
//! whose similarity gives every matching term the same score. This module
//! reads the same strings the same way and scores a [`Document`] the way
//! that index does, without an index: a dev host lists a handful of
//! matches, and walking each label per listing costs less than keeping an
//! index up to date.
//!
//! No maintained Rust crate parses this dialect (the Lucene-style parsers
//! on crates.io lex and analyse differently: bluge ends a term only at a
//! space, `:`, `^` or `~`, keeps `-` inside a term, has no parentheses nor
//! `AND`/`OR`), so the lexer and parser here are written for it.
//!
//! # The language
//!
//! Clauses separated by spaces, each `+` (must match), `-` (must not) or
//! neither (should). A document matches when it matches every must clause
//! and no must-not clause, and, when there is no must clause, at least
//! one should clause; a query of must-not clauses only matches everything
//! else. `*` alone matches everything; an empty query nothing (the match
//! listing reads an empty query as `*`, as Nakama does).
//!
//! | clause | matches a document whose field has |
//! |---|---|
//! | `field:term` | the term, whole and case-sensitive (no tokenising) |
//! | `field:"phrase"` | nothing: the index keeps no term positions, so bluge's phrase search never matches |
//! | `field:/regexp/` | a term the regular expression matches as a whole |
//! | `field:te*m`, `field:te?m` | a term the wildcard matches as a whole |
//! | `field:term~N` (`~` alone: 1) | a term within N (at most 2) edits (insert, delete, substitute, swap two neighbours) |
//! | `field:5`, `field:-2.5` | the term `5`, or the number 5 |
//! | `field:>5`, `>=`, `<`, `<=` | a number in range |
//! | `field:>"2006-01-02T15:04:05Z"` (and `>=`, `<`, `<=`) | a date in range (RFC 3339) |
//!
//! A clause without `field:` searches bluge's default field `_all`, which
//! Nakama's documents do not have: it matches nothing. `^N` after a
//! clause (or after a space) boosts it; `\` escapes the next character.
//!
//! # Scores
//!
//! A document's score is what bluge's constant similarity gives: each
//! matching term of a clause counts its boost, and a clause that matches
//! several terms of a field (a wildcard or regexp on an array, a range on
//! an array of numbers) counts each. bluge wraps a `field:term` clause in
//! a boolean of the same boost, so its boost counts squared (`^3`: 9); a
//! fuzzy term counts `1 - edits / shorter length` times the boost
//! squared; a number clause counts its boost once, a range its boost for
//! each matching term, a date range 1 for each whatever its boost. A
//! boolean query sums its must and matching should clauses, times its
//! boost.
//!
//! # Documents
//!
//! [`Document::add_json`] walks JSON as Nakama's `BlugeWalkDocument`
//! does: object keys join the path with `.`, array items add values to
//! the same field, strings that read as dates (RFC 3339, or
//! `2006-01-02T15:04:05`, `2006-01-02 15:04:05`, `2006-01-02`, UTC) are
//! dates, numbers are numbers, booleans the keywords `T` and `F`, nulls
//! nothing. Numbers and dates are indexed as bluge indexes them (16
//! prefix-coded terms each), so a wildcard or regexp that reaches them
//! (`field:*`) counts them as Nakama does.
//!
//! # Errors
//!
//! A query bluge's parser refuses is a [`QueryError`] with bluge's message
//! ("syntax error", "parse error: unterminated quote", ...). Some queries
//! parse but fail when bluge runs them (a fuzziness above 2, a regexp Go
//! does not compile, a zero-width assertion in a regexp, a date outside
//! the years 1678 to 2262): [`QueryError::at_search`] tells them apart,
//! since Nakama words the two differently.
//!
//! # Known differences
//!
//! Regular expressions are the `regex` crate's: RE2-like as Go's, but
//! `\d`, `\w`, `\s` are Unicode-aware. Their syntax errors are Go's,
//! found first by `goregexp` as Go's parser meets them (not Go's limits on
//! a pattern's size and nesting depth).
//! Numbers in boosts and fuzziness read as Rust reads them (Go also reads
//! hexadecimal floats and `_` separators there). A non-ASCII decimal digit
//! starts a term, not a number.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::{LazyLock, Mutex, PoisonError};

use lru::LruCache;
use regex::Regex;
use serde_json::Value;

/// bluge's default search field, where clauses without `field:` look.
const DEFAULT_FIELD: &str = "_all";

/// The characters a `\` escapes; before any other, the `\` stays.
const RESERVED: &str = "+-=&|><!(){}[]^\"~*?:\\/ ";

/// The RFC 3339 layout bluge reads range dates with (for messages).
const RFC3339_LAYOUT: &str = "2006-01-02T15:04:05Z07:00";

/// A query that does not parse, or that Nakama's index would refuse to
/// run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(String, bool);

impl QueryError {
    fn parse(message: impl Into<String>) -> QueryError {
        QueryError(message.into(), false)
    }

    fn search(message: impl Into<String>) -> QueryError {
        QueryError(message.into(), true)
    }

    /// The message, as bluge words it where it can.
    pub fn message(&self) -> &str {
        &self.0
    }

    /// `true` for a query bluge parses but refuses to run (Nakama:
    /// "error listing matches by query: ..."); `false` for one it does
    /// not parse ("error parsing query string: ...").
    pub fn at_search(&self) -> bool {
        self.1
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

/// A parsed query.
#[derive(Debug, Clone)]
pub struct Query {
    root: Node,
}

#[derive(Debug, Clone)]
enum Node {
    /// `*`: every document, score 1.
    All,
    /// No document: an empty query, a phrase.
    Nothing,
    Bool(Box<Bool>),
    /// A whole term; scores `boost²` (bluge's match query wraps its term
    /// query in a boolean, both boosted).
    Term {
        field: String,
        term: String,
        boost: f64,
    },
    /// A regexp or wildcard: `boost` for each term it matches.
    Pattern {
        field: String,
        re: Regex,
        boost: f64,
    },
    /// Terms within `edits`: `boost² × (1 - distance / shorter length)`
    /// for each.
    Fuzzy {
        field: String,
        term: String,
        edits: usize,
        boost: f64,
    },
    /// Prefix-coded terms in one of `ranges` (a numeric or date range):
    /// `per_term` for each.
    Ranges {
        field: String,
        ranges: Vec<(String, String)>,
        per_term: f64,
        /// A date range: bluge scores its terms 1 whatever the boost.
        date: bool,
    },
    /// A clause bluge parses but refuses to run; never in a [`Query`].
    Refused(String),
}

#[derive(Debug, Clone)]
struct Bool {
    must: Vec<Node>,
    should: Vec<Node>,
    must_not: Vec<Node>,
    boost: f64,
}

impl Query {
    /// Parses a query string as Nakama does: `*` matches everything,
    /// anything else is read by bluge's query string grammar.
    pub fn parse(s: &str) -> Result<Query, QueryError> {
        if s == "*" {
            return Ok(Query::match_all());
        }
        if s.is_empty() {
            return Ok(Query {
                root: Node::Nothing,
            });
        }
        let root = Parser::new(s).query()?;
        // bluge builds the must-not searchers first, then must, then
        // should; the first that fails is the error.
        if let Node::Bool(b) = &root {
            let refused = b
                .must_not
                .iter()
                .chain(&b.must)
                .chain(&b.should)
                .find_map(|n| match n {
                    Node::Refused(m) => Some(m.clone()),
                    _ => None,
                });
            if let Some(m) = refused {
                return Err(QueryError::search(m));
            }
        }
        Ok(Query { root })
    }

    /// The query that matches every document (score 1).
    pub fn match_all() -> Query {
        Query { root: Node::All }
    }

    /// `Some(score)` when `doc` matches (a score may be 0 or negative:
    /// boosts may be), `None` otherwise.
    pub fn score(&self, doc: &Document) -> Option<f64> {
        self.root.score(doc)
    }
}

impl Node {
    fn score(&self, doc: &Document) -> Option<f64> {
        match self {
            Node::All => Some(1.0),
            Node::Nothing | Node::Refused(_) => None,
            Node::Bool(b) => b.score(doc),
            Node::Term { field, term, boost } => doc
                .terms(field)
                .contains(term.as_str())
                .then_some(boost * boost),
            Node::Pattern { field, re, boost } => {
                let n = doc.terms(field).iter().filter(|t| re.is_match(t)).count();
                (n > 0).then_some(boost * n as f64)
            }
            Node::Fuzzy {
                field,
                term,
                edits,
                boost,
            } => {
                let wanted: Vec<char> = term.chars().collect();
                let mut sum = 0.0;
                let mut any = false;
                for t in doc.terms(field) {
                    let have: Vec<char> = t.chars().collect();
                    let Some(d) = edit_distance(&wanted, &have, *edits) else {
                        continue;
                    };
                    any = true;
                    sum += if t == term {
                        1.0
                    } else {
                        // Division by a zero length gives -inf, as in Go.
                        1.0 - d as f64 / wanted.len().min(have.len()) as f64
                    };
                }
                any.then_some(boost * boost * sum)
            }
            Node::Ranges {
                field,
                ranges,
                per_term,
                date,
            } => {
                let n = doc
                    .terms(field)
                    .iter()
                    .filter(|t| {
                        ranges.iter().any(|(lo, hi)| {
                            t.len() == lo.len()
                                && lo.as_bytes() <= t.as_bytes()
                                && t.as_bytes() <= hi.as_bytes()
                        })
                    })
                    .count();
                let each = if *date { 1.0 } else { *per_term };
                (n > 0).then_some(each * n as f64)
            }
        }
    }
}

impl Bool {
    fn score(&self, doc: &Document) -> Option<f64> {
        if self.must.is_empty() && self.should.is_empty() && self.must_not.is_empty() {
            return None;
        }
        if self.must_not.iter().any(|n| n.score(doc).is_some()) {
            return None;
        }
        let mut sum = 0.0;
        for n in &self.must {
            sum += n.score(doc)?;
        }
        let mut matched = 0;
        for n in &self.should {
            if let Some(s) = n.score(doc) {
                sum += s;
                matched += 1;
            }
        }
        if self.must.is_empty() {
            if self.should.is_empty() {
                // Must-not clauses only: everything else, score 1.
                sum = 1.0;
            } else if matched == 0 {
                return None;
            }
        }
        Some(sum * self.boost)
    }
}

/// The restricted Damerau-Levenshtein distance of `a` and `b` (an edit:
/// insert, delete or substitute a character, or swap two neighbours), if
/// it is at most `max`.
fn edit_distance(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut two_back: Vec<usize> = Vec::new();
    let mut back: Vec<usize> = (0..width).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; width];
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (back[j] + 1).min(row[j - 1] + 1).min(back[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(two_back[j - 2] + 1);
            }
            row[j] = best;
        }
        two_back = std::mem::replace(&mut back, row);
    }
    let d = back[b.len()];
    (d <= max).then_some(d)
}

// ---------------------------------------------------------------------
// Documents

/// The fields of one indexed thing (a match, a ticket): each field's
/// distinct terms, as bluge indexes them.
#[derive(Debug, Clone, Default)]
pub struct Document {
    fields: BTreeMap<String, BTreeSet<String>>,
}

impl Document {
    /// Walks `value` under `prefix` as Nakama walks a match label: see
    /// the module docs. (The match listing walks a label only when it is
    /// a JSON object, as Nakama does; this walks any value.)
    pub fn add_json(&mut self, prefix: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    self.add_json(&path, item);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.add_json(prefix, item);
                }
            }
            Value::String(s) => match label_date(s) {
                Some(nanos) => self.add_date_nanos(prefix, nanos),
                None => self.add_keyword(prefix, s),
            },
            Value::Number(n) => {
                if let Some(f) = n.as_f64() {
                    self.add_number(prefix, f);
                }
            }
            Value::Bool(b) => self.add_keyword(prefix, if *b { "T" } else { "F" }),
            Value::Null => {}
        }
    }

    /// A keyword: one whole term.
    pub fn add_keyword(&mut self, field: &str, value: &str) {
        self.field(field).insert(value.to_string());
    }

    /// A number, for ranges and number clauses.
    pub fn add_number(&mut self, field: &str, value: f64) {
        self.add_coded(field, sortable(value));
    }

    /// A date, in nanoseconds since the Unix epoch, for date ranges.
    pub fn add_date_nanos(&mut self, field: &str, nanos: i64) {
        self.add_coded(field, nanos);
    }

    /// bluge's numeric terms: the value at every 4th shift.
    fn add_coded(&mut self, field: &str, value: i64) {
        let terms = self.field(field);
        for shift in (0..64).step_by(4) {
            terms.insert(prefix_coded(value, shift));
        }
    }

    /// What bluge sorts a document by on `field` (a sortable field's doc
    /// values): its smallest term once the numeric terms of shifts above 0
    /// are left out (bluge's `RemoveNumericPaddedTerms`, with its
    /// heuristic: any term shaped like one goes); `None` without one.
    pub fn sort_value(&self, field: &str) -> Option<&[u8]> {
        self.terms(field).iter().map(|t| t.as_bytes()).find(|t| {
            !matches!(t.first(), Some(&b) if (0x21..=0x5f).contains(&b)
                && t.len() == (63 - (b - 0x20) as usize) / 7 + 2)
        })
    }

    fn field(&mut self, field: &str) -> &mut BTreeSet<String> {
        self.fields.entry(field.to_string()).or_default()
    }

    fn terms(&self, field: &str) -> &BTreeSet<String> {
        static EMPTY: BTreeSet<String> = BTreeSet::new();
        self.fields.get(field).unwrap_or(&EMPTY)
    }
}

/// A float as bluge orders it: an integer in the same order.
fn sortable(f: f64) -> i64 {
    let bits = f.to_bits() as i64;
    if bits < 0 {
        bits ^ i64::MAX
    } else {
        bits
    }
}

/// bluge's prefix-coded term of `value` at `shift`: a byte naming the
/// shift, then the value's top `64 - shift` bits (sign flipped), 7 to a
/// byte, so terms sort as their values do.
fn prefix_coded(value: i64, shift: u32) -> String {
    let chars = ((63 - shift) / 7 + 1) as usize;
    let mut out = vec![0u8; chars + 1];
    out[0] = 0x20 + shift as u8;
    let mut bits = ((value as u64) ^ 0x8000_0000_0000_0000) >> shift;
    for byte in out[1..].iter_mut().rev() {
        *byte = (bits & 0x7f) as u8;
        bits >>= 7;
    }
    // Every byte is below 0x80: ASCII.
    out.into_iter().map(char::from).collect()
}

/// The term ranges (first and last term of each, one shift each) that
/// cover the integers `lo..=hi`, as bluge splits a numeric range with
/// precision step 4.
fn split_range(mut lo: i64, mut hi: i64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if lo > hi {
        return out;
    }
    let span = |a: i64, b: i64, shift: u32| {
        let b = b | ((1i64 << shift) - 1);
        (prefix_coded(a, shift), prefix_coded(b, shift))
    };
    let mut shift = 0u32;
    loop {
        // One step up in precision (0 past the top, as Go shifts).
        let step = 1i64.checked_shl(shift + 4).unwrap_or(0);
        let mask = 0xfi64 << shift;
        let has_lower = lo & mask != 0;
        let has_upper = hi & mask != mask;
        let next_lo = if has_lower {
            lo.wrapping_add(step) & !mask
        } else {
            lo & !mask
        };
        let next_hi = if has_upper {
            hi.wrapping_sub(step) & !mask
        } else {
            hi & !mask
        };
        if shift + 4 >= 64 || next_lo > next_hi || next_lo < lo || next_hi > hi {
            out.push(span(lo, hi, shift));
            return out;
        }
        if has_lower {
            out.push(span(lo, lo | mask, shift));
        }
        if has_upper {
            out.push(span(hi & !mask, hi, shift));
        }
        lo = next_lo;
        hi = next_hi;
        shift += 4;
    }
}

// ---------------------------------------------------------------------
// Dates

/// Nanoseconds from the Unix epoch to 0001-01-01T00:00:00Z, Go's zero
/// time, which bluge reads as "no bound".
const GO_ZERO_TIME_NANOS: i128 = -62_135_596_800 * 1_000_000_000;

/// Which of Go's layouts a date is read with.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// `2006-01-02T15:04:05Z07:00` (and its nanosecond form).
    Rfc3339,
    /// `2006-01-02T15:04:05`, UTC.
    NoZone,
    /// `2006-01-02 15:04:05`, UTC.
    NoZoneSpace,
    /// `2006-01-02`, UTC.
    DateOnly,
}

/// A label string as Nakama's `blugeParseDateTime` reads it: the
/// nanoseconds of the first layout that fits (wrapping as Go's
/// `UnixNano` does), or `None`: a keyword.
pub(crate) fn label_date(s: &str) -> Option<i64> {
    [
        Layout::Rfc3339,
        Layout::NoZone,
        Layout::NoZoneSpace,
        Layout::DateOnly,
    ]
    .into_iter()
    .find_map(|l| go_time(s, l))
    .map(|nanos| nanos as i64)
}

/// `s` read as Go's `time.Parse` reads it with `layout`: nanoseconds
/// since the epoch (exact; years 0 to 9999).
fn go_time(s: &str, layout: Layout) -> Option<i128> {
    go_time_zoned(s, layout).map(|(nanos, _)| nanos)
}

/// [`go_time`], with the zone's offset from UTC in seconds.
fn go_time_zoned(s: &str, layout: Layout) -> Option<(i128, i64)> {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize, n: usize| -> Option<i64> {
        let part = b.get(*i..*i + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *i += n;
        Some(part.iter().fold(0, |v, d| v * 10 + i64::from(d - b'0')))
    };
    let lit = |i: &mut usize, c: u8| -> Option<()> { (b.get(*i) == Some(&c)).then(|| *i += 1) };
    let year = digits(&mut i, 4)?;
    lit(&mut i, b'-')?;
    let month = digits(&mut i, 2)?;
    lit(&mut i, b'-')?;
    let day = digits(&mut i, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let (mut secs, mut nanos, mut offset) = (0i64, 0i64, 0i64);
    if layout != Layout::DateOnly {
        lit(
            &mut i,
            if layout == Layout::NoZoneSpace {
                b' '
            } else {
                b'T'
            },
        )?;
        // Go reads the hour with one or two digits.
        let hour = match digits(&mut i, 2) {
            Some(h) => h,
            None => digits(&mut i, 1)?,
        };
        lit(&mut i, b':')?;
        let minute = digits(&mut i, 2)?;
        lit(&mut i, b':')?;
        let second = digits(&mut i, 2)?;
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        secs = hour * 3600 + minute * 60 + second;
        // A fraction may follow the seconds in any layout: `.` or `,` and
        // digits, of which nine count.
        if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let mut frac = b[start..i.min(start + 9)].to_vec();
            frac.resize(9, b'0');
            nanos = frac.iter().fold(0, |v, d| v * 10 + i64::from(d - b'0'));
        }
        if layout == Layout::Rfc3339 && lit(&mut i, b'Z').is_none() {
            let sign = match b.get(i) {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            i += 1;
            let hh = digits(&mut i, 2)?;
            lit(&mut i, b':')?;
            let mm = digits(&mut i, 2)?;
            // Go's own limits for an offset.
            if hh > 24 || mm > 60 {
                return None;
            }
            offset = sign * (hh * 3600 + mm * 60);
        }
    }
    if i != b.len() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let unix = i128::from(days) * 86_400 + i128::from(secs) - i128::from(offset);
    Some((unix * 1_000_000_000 + i128::from(nanos), offset))
}

/// A time as Go's `Time.String` writes one `time.Parse` made on a
/// machine whose local zone is UTC: `2006-01-02 15:04:05.999999999
/// -0700 MST`, the zone named `UTC` at offset 0 and by its offset
/// otherwise (Go's fixed zone without a name).
fn go_time_string(nanos: i128, offset: i64) -> String {
    use chrono::{Datelike, Timelike};
    // The zone's wall clock (years 0 to 10000 here).
    let local = nanos + i128::from(offset) * 1_000_000_000;
    let (secs, nano) = (
        local.div_euclid(1_000_000_000),
        local.rem_euclid(1_000_000_000),
    );
    let Some(t) = i64::try_from(secs)
        .ok()
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, nano as u32))
    else {
        return format!("{nanos}ns");
    };
    let mut fraction = format!("{nano:09}");
    while fraction.ends_with('0') {
        fraction.pop();
    }
    if !fraction.is_empty() {
        fraction.insert(0, '.');
    }
    let minutes = offset.abs() / 60;
    let sign = if offset < 0 { '-' } else { '+' };
    let numeric = format!("{sign}{:02}{:02}", minutes / 60, minutes % 60);
    let name = if offset == 0 { "UTC" } else { numeric.as_str() };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{fraction} {numeric} {name}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Why Go's `time.Parse(time.RFC3339, s)` refuses `s`, worded as Go's
/// `ParseError` is, for a string [`go_time`] refused: Go reads the
/// layout's elements in turn (`2006`, `-`, `01`, ...), the first that
/// does not fit names itself and what was left of `s`; a value out of
/// range, text after the zone and a day the month has not are said
/// otherwise, the day only once the rest has been read.
fn rfc3339_refusal(s: &str) -> String {
    let whole = go_time_quote(s.as_bytes());
    let cannot = |rest: &[u8], element: &str| {
        format!(
            "parsing time {whole} as {RFC3339_LAYOUT:?}: cannot parse {} as \"{element}\"",
            go_time_quote(rest)
        )
    };
    let out_of_range = |what: &str| format!("parsing time {whole}: {what} out of range");
    let digit = |v: &[u8], i: usize| v.get(i).is_some_and(u8::is_ascii_digit);
    let two = |v: &[u8]| i64::from(v[0] - b'0') * 10 + i64::from(v[1] - b'0');
    let mut v = s.as_bytes();
    if v.len() < 4 || !v[..4].iter().all(u8::is_ascii_digit) {
        return cannot(v, "2006");
    }
    let year = v[..4].iter().fold(0, |y, d| y * 10 + i64::from(d - b'0'));
    v = &v[4..];
    // A separator, then a number of two digits (or, for the hour, one).
    let mut fields = [0i64; 5];
    let elements = [
        ("-", "01"),
        ("-", "02"),
        ("T", "15"),
        (":", "04"),
        (":", "05"),
    ];
    for (n, (separator, element)) in elements.into_iter().enumerate() {
        let Some(rest) = v.strip_prefix(separator.as_bytes()) else {
            return cannot(v, separator);
        };
        v = rest;
        let (value, len) = match (digit(v, 0), digit(v, 1)) {
            (true, true) => (two(v), 2),
            (true, false) if element == "15" => (i64::from(v[0] - b'0'), 1),
            _ => return cannot(v, element),
        };
        let range = match element {
            "01" => (1..=12).contains(&value).then_some(()).ok_or("month"),
            "15" => (value < 24).then_some(()).ok_or("hour"),
            "04" => (value < 60).then_some(()).ok_or("minute"),
            "05" => (value < 60).then_some(()).ok_or("second"),
            _ => Ok(()),
        };
        if let Err(what) = range {
            return out_of_range(what);
        }
        fields[n] = value;
        v = &v[len..];
    }
    // A fraction of a second may follow, however the layout ends.
    if v.len() >= 2 && matches!(v[0], b'.' | b',') && digit(v, 1) {
        let digits = v[1..].iter().take_while(|d| d.is_ascii_digit()).count();
        v = &v[1 + digits..];
    }
    if let Some(rest) = v.strip_prefix(b"Z") {
        v = rest;
    } else {
        if v.len() < 6 || v[3] != b':' {
            return cannot(v, "Z07:00");
        }
        // Go reads the minutes only after hours it could read (a number
        // it could not read is 0), and checks the ranges before the
        // digits and the sign.
        let read = |n: &[u8]| (digit(n, 0) && digit(n, 1)).then(|| two(n));
        let hours = read(&v[1..3]);
        let minutes = hours.and(read(&v[4..6]));
        let (read, hours, minutes) = (minutes.is_some(), hours.unwrap_or(0), minutes.unwrap_or(0));
        if minutes > 60 {
            return out_of_range("time zone offset minute");
        }
        if hours > 24 {
            return out_of_range("time zone offset hour");
        }
        if !read || !matches!(v[0], b'+' | b'-') {
            return cannot(v, "Z07:00");
        }
        v = &v[6..];
    }
    if !v.is_empty() {
        return format!("parsing time {whole}: extra text: {}", go_time_quote(v));
    }
    let [month, day, ..] = fields;
    if day < 1 || day > days_in_month(year, month) {
        return format!("parsing time {whole}: day out of range");
    }
    // Not reached for a string go_time refused.
    format!("parsing time {whole} as {RFC3339_LAYOUT:?}: not an RFC 3339 time")
}

/// Text as Go's time package quotes it in errors: `"` and `\\` escaped,
/// every byte of a control or non-ASCII character as `\xNN`.
fn go_time_quote(b: &[u8]) -> String {
    let mut out = String::from("\"");
    for &c in b {
        match c {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(c));
            }
            c if !(0x20..0x80).contains(&c) => out.push_str(&format!("\\x{c:02x}")),
            c => out.push(char::from(c)),
        }
    }
    out.push('"');
    out
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// ---------------------------------------------------------------------
// Numbers as Go's strconv reads them

/// `strconv.ParseFloat(s, 64)`: Rust's reading, with Go's refusal of a
/// finite-looking number too large for a float.
fn go_float(s: &str) -> Result<f64, String> {
    let refused = |why: &str| {
        let quoted = crate::gochars::go_quote(s.as_bytes());
        format!("strconv.ParseFloat: parsing {quoted}: {why}")
    };
    let f: f64 = s.parse().map_err(|_| refused("invalid syntax"))?;
    let named_infinity = s
        .trim_start_matches(['+', '-'])
        .to_ascii_lowercase()
        .starts_with("inf");
    if f.is_infinite() && !named_infinity {
        return Err(refused("value out of range"));
    }
    Ok(f)
}

/// Go's `int(f)` on amd64: truncation, and the smallest int for what
/// does not fit (NaN, infinities).
fn go_int(f: f64) -> i64 {
    if f.is_finite() && f > -9.223_372_036_854_776e18 && f < 9.223_372_036_854_776e18 {
        f.trunc() as i64
    } else {
        i64::MIN
    }
}

// ---------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Phrase(String),
    Number(String),
    Boost(String),
    Tilde(String),
    Plus,
    Minus,
    Colon,
    Greater,
    Less,
    Equal,
}

#[derive(Clone, Copy, PartialEq)]
enum LexState {
    Start,
    Phrase,
    Boost,
    Tilde,
    NumOrStr,
    Str,
}

/// `\c`: `c` for a reserved character, `\c` (backslash kept) otherwise.
fn unescape(buf: &mut String, c: char) {
    if !RESERVED.contains(c) {
        buf.push('\\');
    }
    buf.push(c);
}

/// The tokens of `s` as bluge's lexer reads them, and the lexer's error
/// if it stopped at one (an unterminated phrase). bluge lexes lazily, so
/// the parser meets the error only when it reads that far.
fn lex(s: &str) -> (Vec<Tok>, Option<String>) {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut state = LexState::Start;
    let mut buf = String::new();
    let mut escaped = false;
    let mut seen_dot = false;
    let mut i = 0;
    loop {
        let next = chars.get(i).copied();
        match state {
            LexState::Start => {
                let Some(c) = next else {
                    return (out, None);
                };
                i += 1;
                if escaped {
                    escaped = false;
                    unescape(&mut buf, c);
                    state = LexState::Str;
                    continue;
                }
                match c {
                    '"' => state = LexState::Phrase,
                    '+' => out.push(Tok::Plus),
                    '-' => out.push(Tok::Minus),
                    ':' => out.push(Tok::Colon),
                    '>' => out.push(Tok::Greater),
                    '<' => out.push(Tok::Less),
                    '=' => out.push(Tok::Equal),
                    '^' => state = LexState::Boost,
                    '~' => state = LexState::Tilde,
                    '\\' => escaped = true,
                    c if c.is_ascii_digit() => {
                        buf.push(c);
                        state = LexState::NumOrStr;
                    }
                    c if !c.is_whitespace() => {
                        buf.push(c);
                        state = LexState::Str;
                    }
                    _ => {
                        buf.clear();
                        seen_dot = false;
                    }
                }
            }
            LexState::Phrase => {
                let Some(c) = next else {
                    return (out, Some("parse error: unterminated quote".into()));
                };
                i += 1;
                if !escaped && c == '"' {
                    out.push(Tok::Phrase(std::mem::take(&mut buf)));
                    seen_dot = false;
                    state = LexState::Start;
                } else if !escaped && c == '\\' {
                    escaped = true;
                } else if escaped {
                    escaped = false;
                    unescape(&mut buf, c);
                } else {
                    buf.push(c);
                }
            }
            LexState::Boost | LexState::Tilde => {
                if next.is_none() || (!escaped && next == Some(' ')) {
                    let mut value = std::mem::take(&mut buf);
                    if value.is_empty() {
                        value = "1".into();
                    }
                    out.push(if state == LexState::Boost {
                        Tok::Boost(value)
                    } else {
                        Tok::Tilde(value)
                    });
                    escaped = false;
                    seen_dot = false;
                    state = LexState::Start;
                    i += 1;
                    continue;
                }
                let c = next.unwrap_or_default();
                i += 1;
                if !escaped && c == '\\' {
                    escaped = true;
                } else if escaped {
                    escaped = false;
                    unescape(&mut buf, c);
                } else {
                    buf.push(c);
                }
            }
            LexState::NumOrStr | LexState::Str => {
                let ends = |c: char| matches!(c, ' ' | ':' | '^' | '~');
                if next.is_none() || (!escaped && next.is_some_and(ends)) {
                    let value = std::mem::take(&mut buf);
                    out.push(if state == LexState::NumOrStr {
                        Tok::Number(value)
                    } else {
                        Tok::Str(value)
                    });
                    escaped = false;
                    seen_dot = false;
                    state = LexState::Start;
                    // A space is eaten; `:`, `^` and `~` are read again.
                    if next == Some(' ') || next.is_none() {
                        i += 1;
                    }
                    continue;
                }
                let c = next.unwrap_or_default();
                i += 1;
                if !escaped && c == '\\' {
                    escaped = true;
                } else if escaped {
                    escaped = false;
                    unescape(&mut buf, c);
                    // An escape never makes a number.
                    state = LexState::Str;
                } else if state == LexState::NumOrStr && !seen_dot && c == '.' {
                    seen_dot = true;
                    buf.push(c);
                } else if state == LexState::NumOrStr && c.is_ascii_digit() {
                    buf.push(c);
                } else {
                    buf.push(c);
                    state = LexState::Str;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------
// Parser

/// Reads the tokens in the order bluge's (yacc) parser asks for them, so
/// that of two problems the same one is reported.
struct Parser {
    tokens: std::vec::IntoIter<Tok>,
    peeked: Option<Tok>,
    /// The lexer's error, met after the last token.
    lex_error: Option<String>,
}

enum Occur {
    Should,
    Must,
    MustNot,
}

fn syntax_error() -> QueryError {
    QueryError::parse("syntax error")
}

impl Parser {
    fn new(s: &str) -> Parser {
        let (tokens, lex_error) = lex(s);
        Parser {
            tokens: tokens.into_iter(),
            peeked: None,
            lex_error,
        }
    }

    /// The next token without taking it; `None` at the end; the lexer's
    /// error when it comes next.
    fn peek(&mut self) -> Result<Option<&Tok>, QueryError> {
        if self.peeked.is_none() {
            self.peeked = self.tokens.next();
            if self.peeked.is_none() {
                if let Some(e) = &self.lex_error {
                    return Err(QueryError::parse(e.clone()));
                }
            }
        }
        Ok(self.peeked.as_ref())
    }

    fn take(&mut self) -> Result<Option<Tok>, QueryError> {
        self.peek()?;
        Ok(self.peeked.take())
    }

    fn query(&mut self) -> Result<Node, QueryError> {
        let mut top = Bool {
            must: Vec::new(),
            should: Vec::new(),
            must_not: Vec::new(),
            boost: 1.0,
        };
        loop {
            let occur = match self.peek()? {
                None if top.must.len() + top.should.len() + top.must_not.len() > 0 => break,
                None => return Err(syntax_error()),
                Some(Tok::Plus) => Occur::Must,
                Some(Tok::Minus) => Occur::MustNot,
                Some(_) => Occur::Should,
            };
            if !matches!(occur, Occur::Should) {
                self.take()?;
            }
            let mut node = self.base()?;
            if let Some(Tok::Boost(_)) = self.peek()? {
                let Some(Tok::Boost(text)) = self.take()? else {
                    unreachable!("peeked a boost");
                };
                let boost = go_float(&text).map_err(|e| {
                    QueryError::parse(format!("parse error: invalid boost value: {e}"))
                })?;
                set_boost(&mut node, boost);
            }
            match occur {
                Occur::Should => top.should.push(node),
                Occur::Must => top.must.push(node),
                Occur::MustNot => top.must_not.push(node),
            }
        }
        Ok(Node::Bool(Box::new(top)))
    }

    /// One clause without its prefix and boost.
    fn base(&mut self) -> Result<Node, QueryError> {
        match self.take()? {
            Some(Tok::Str(s)) => match self.peek()? {
                Some(Tok::Tilde(_)) => {
                    let Some(Tok::Tilde(f)) = self.take()? else {
                        unreachable!("peeked a tilde");
                    };
                    fuzzy(DEFAULT_FIELD, s, &f)
                }
                Some(Tok::Colon) => {
                    self.take()?;
                    self.fielded(s)
                }
                _ => string_clause(DEFAULT_FIELD, s),
            },
            Some(Tok::Number(n)) => number(DEFAULT_FIELD, &n),
            Some(Tok::Phrase(_)) => Ok(Node::Nothing),
            _ => Err(syntax_error()),
        }
    }

    /// What follows `field:`.
    fn fielded(&mut self, field: String) -> Result<Node, QueryError> {
        match self.take()? {
            Some(Tok::Str(s)) => {
                if let Some(Tok::Tilde(_)) = self.peek()? {
                    let Some(Tok::Tilde(f)) = self.take()? else {
                        unreachable!("peeked a tilde");
                    };
                    return fuzzy(&field, s, &f);
                }
                string_clause(&field, s)
            }
            Some(Tok::Number(n)) => number(&field, &n),
            Some(Tok::Minus) => match self.take()? {
                Some(Tok::Number(n)) => number(&field, &format!("-{n}")),
                _ => Err(syntax_error()),
            },
            Some(Tok::Phrase(_)) => Ok(Node::Nothing),
            Some(op @ (Tok::Greater | Tok::Less)) => {
                let greater = op == Tok::Greater;
                let mut or_equal = false;
                if let Some(Tok::Equal) = self.peek()? {
                    self.take()?;
                    or_equal = true;
                }
                match self.take()? {
                    Some(Tok::Number(n)) => numeric_range(&field, &n, greater, or_equal),
                    Some(Tok::Minus) => match self.take()? {
                        Some(Tok::Number(n)) => {
                            numeric_range(&field, &format!("-{n}"), greater, or_equal)
                        }
                        _ => Err(syntax_error()),
                    },
                    Some(Tok::Phrase(p)) => date_range(&field, &p, greater, or_equal),
                    _ => Err(syntax_error()),
                }
            }
            _ => Err(syntax_error()),
        }
    }
}

fn set_boost(node: &mut Node, value: f64) {
    match node {
        Node::Bool(b) => b.boost = value,
        Node::Term { boost, .. } | Node::Pattern { boost, .. } | Node::Fuzzy { boost, .. } => {
            *boost = value
        }
        Node::Ranges { per_term, .. } => *per_term = value,
        Node::All | Node::Nothing | Node::Refused(_) => {}
    }
}

/// `field:value`: a regexp between slashes, a wildcard with `*` or `?`,
/// else a whole term.
fn string_clause(field: &str, s: String) -> Result<Node, QueryError> {
    if s.starts_with('/') && s.ends_with('/') {
        if s.len() == 1 {
            // bluge slices "/"[1:0] and recovers from the panic.
            return Err(QueryError::parse(
                "parse error: runtime error: slice bounds out of range [1:0]",
            ));
        }
        let pattern = &s[1..s.len() - 1];
        // bluge drops one leading `^`: terms are matched whole anyway.
        let pattern = pattern.strip_prefix('^').unwrap_or(pattern);
        return Ok(pattern_node(field, pattern));
    }
    if s.contains(['*', '?']) {
        let mut pattern = String::new();
        for c in s.chars() {
            match c {
                '*' => pattern.push_str(".*"),
                '?' => pattern.push('.'),
                '+' | '(' | ')' | '^' | '$' | '.' | '{' | '}' | '[' | ']' | '|' | '\\' => {
                    pattern.push('\\');
                    pattern.push(c);
                }
                c => pattern.push(c),
            }
        }
        return Ok(pattern_node(field, &pattern));
    }
    Ok(Node::Term {
        field: field.to_string(),
        term: s,
        boost: 1.0,
    })
}

/// A regexp that must match a whole term, or the refusal bluge (vellum's
/// automaton) would answer when it runs.
fn pattern_node(field: &str, pattern: &str) -> Node {
    match compiled(pattern) {
        Ok(re) => Node::Pattern {
            field: field.to_string(),
            re,
            boost: 1.0,
        },
        Err(m) => Node::Refused(m),
    }
}

/// How many patterns [`compiled`] keeps: clients send the same few
/// queries again and again.
const CACHED_PATTERNS: NonZeroUsize = NonZeroUsize::new(128).unwrap();

/// The patterns [`compiled`] keeps, by their text, the least recently
/// used dropped first.
static PATTERNS: LazyLock<Mutex<LruCache<String, Result<Regex, String>>>> =
    LazyLock::new(|| Mutex::new(LruCache::new(CACHED_PATTERNS)));

/// [`compile`]d, or as compiled before: a listing polled with the same
/// query builds its regexp once, and a pattern whose automaton costs
/// seconds to build (as in Nakama: `\pL{20}`) costs them once. The build
/// runs with the runtime's worker handed over (`block_in_place`), so that
/// other requests and match loops go on meanwhile, as Go's scheduler lets
/// them in Nakama.
fn compiled(pattern: &str) -> Result<Regex, String> {
    let cache = || PATTERNS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = cache().get(pattern) {
        return known.clone();
    }
    let on_worker = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let built = match on_worker {
        true => tokio::task::block_in_place(|| compile_deep(pattern)),
        // No runtime, or one thread (the `check` command): nothing else to let run.
        false => compile_deep(pattern),
    };
    cache().put(pattern.to_owned(), built.clone());
    built
}

/// How deep the `regex` crate may find a pattern's groups and repetitions
/// nested: Go refuses a tree higher than 1000 (`goregexp`), and takes any
/// number of `(?:` around one node; this only keeps the crate's parser
/// from going on without end.
const NEST_LIMIT: u32 = 10_000;

/// [`compile`], on a thread of a stack that a tree 1000 deep fits in (the
/// `regex` crate compiles by recursion: several MB at that depth in a
/// debug build, where a worker's stack is 2 MB). A pattern too short to
/// nest so deep compiles where it is.
fn compile_deep(pattern: &str) -> Result<Regex, String> {
    const SHALLOW: usize = 250;
    const STACK: usize = 64 << 20;
    if pattern.len() <= SHALLOW {
        return compile(pattern);
    }
    let built = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().stack_size(STACK);
        let compiling = thread.spawn_scoped(scope, || compile(pattern)).ok()?;
        compiling.join().ok()
    });
    built.unwrap_or_else(|| Err("error parsing regexp: no thread to compile it on".into()))
}

/// A Go pattern as the `regex` crate's, whole-term anchored, or Go's or
/// vellum's refusal of it, in their words.
fn compile(pattern: &str) -> Result<Regex, String> {
    // Go's parser first: the `regex` crate refuses other patterns, in
    // other words.
    if let Some(m) = crate::goregexp::syntax_error(pattern) {
        return Err(m);
    }
    let pattern = rust_pattern(pattern);
    let hir = regex_syntax::ParserBuilder::new()
        .octal(true)
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(&pattern)
        .map_err(|e| format!("error parsing regexp: {}", regex_error(&e)))?;
    if let Some(m) = crate::vellum::refusal(&hir) {
        return Err(m.into());
    }
    // Printed from the HIR where vellum matches otherwise (rare): the
    // printer writes a pattern of the same meaning.
    let pattern = match crate::vellum::as_matched(&hir) {
        Some(matched) => matched.to_string(),
        None => pattern,
    };
    regex::RegexBuilder::new(&format!(r"\A(?:{pattern})\z"))
        .octal(true)
        // The group and the concatenation around it are two more.
        .nest_limit(NEST_LIMIT + 2)
        .build()
        .map_err(|e| format!("error parsing regexp: {e}"))
}

/// The last line of a regex-syntax error (the others draw the pattern).
fn regex_error(e: &regex_syntax::Error) -> String {
    let text = e.to_string();
    let last = text.lines().last().unwrap_or_default();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

/// A Go (RE2) pattern Go's parser takes (`goregexp` found no error) in
/// the `regex` crate's syntax, where they differ: `\Q...\E` quotes, a `{`
/// that starts no repetition is a literal, a `[` inside a class is a
/// literal (not a nested class), and so are `&` and `~` (not set
/// operations), and the Perl classes are ASCII.
fn rust_pattern(go: &str) -> String {
    let chars: Vec<char> = go.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    // Inside a class: where it started (after `[` and a `^`).
    let mut class: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        match (c, class) {
            ('(', None) if chars.get(i + 1) == Some(&'?') => {
                // A group's flags (`(?i)`, `(?:`), not a repetition.
                out.push_str("(?");
                i += 1;
            }
            ('\\', _) if chars.get(i + 1) == Some(&'Q') && class.is_none() => {
                let rest: String = chars[i + 2..].iter().collect();
                let (quoted, after) = match rest.find("\\E") {
                    Some(end) => (&rest[..end], rest[..end].chars().count() + 2),
                    None => (rest.as_str(), rest.chars().count()),
                };
                out.push_str(&regex_syntax::escape(quoted));
                i += 2 + after;
                continue;
            }
            ('\\', _) if chars.get(i + 1).is_some_and(|&n| perl_class(n).is_some()) => {
                // Go's `\d`, `\s`, `\w` are ASCII; the `regex` crate's
                // Unicode. A nested class is the same inside a class.
                out.push_str(perl_class(chars[i + 1]).unwrap_or_default());
                i += 1;
            }
            ('\\', _) => {
                out.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                    i += 1;
                    // `\p{Greek}`, `\x{41}`: the braces belong to it.
                    if matches!(next, 'p' | 'P' | 'x') && chars.get(i + 1) == Some(&'{') {
                        while let Some(&b) = chars.get(i + 1) {
                            out.push(b);
                            i += 1;
                            if b == '}' {
                                break;
                            }
                        }
                    }
                }
            }
            ('[', None) => {
                out.push(c);
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                class = Some(i + 1);
            }
            ('[', Some(_)) => {
                let named = chars.get(i + 1) == Some(&':')
                    && chars[i + 2..].windows(2).any(|w| w == [':', ']']);
                if named {
                    while let Some(&b) = chars.get(i) {
                        out.push(b);
                        i += 1;
                        if b == ']' && chars[i - 2] == ':' {
                            break;
                        }
                    }
                    continue;
                }
                out.push_str("\\[");
            }
            (']', Some(start)) if i > start => {
                out.push(c);
                class = None;
            }
            ('&' | '~', Some(_)) => {
                out.push('\\');
                out.push(c);
            }
            ('{', None) => match repetition_at(&chars[i..]) {
                Some(len) => {
                    out.extend(&chars[i..i + len]);
                    i += len;
                    continue;
                }
                None => out.push_str("\\{"),
            },
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// The length in chars of the counted repetition `s` starts with, as Go
/// reads one: `{n}`, `{n,}` or `{n,m}`, numbers without leading zeros
/// (else the `{` is a literal).
fn repetition_at(s: &[char]) -> Option<usize> {
    let mut i = 1;
    let number = |i: &mut usize| -> Option<()> {
        let start = *i;
        while s.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        let digits = &s[start..*i];
        if digits.is_empty() || (digits.len() > 1 && digits[0] == '0') {
            return None;
        }
        Some(())
    };
    number(&mut i)?;
    if s.get(i) == Some(&',') {
        i += 1;
        if s.get(i) != Some(&'}') {
            number(&mut i)?;
        }
    }
    (s.get(i) == Some(&'}')).then_some(i + 1)
}

/// Go's Perl class (`\d`, `\D`, `\s`, ... by its letter) as the `regex`
/// crate's class of the same ASCII characters (Go's `\s` leaves out `\v`).
fn perl_class(letter: char) -> Option<&'static str> {
    Some(match letter {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        's' => "[\\t\\n\\f\\r ]",
        'S' => "[^\\t\\n\\f\\r ]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        _ => return None,
    })
}

/// `term~fuzziness`.
fn fuzzy(field: &str, term: String, fuzziness: &str) -> Result<Node, QueryError> {
    let f = go_float(fuzziness)
        .map_err(|e| QueryError::parse(format!("parse error: invalid fuzziness value: {e}")))?;
    let edits = go_int(f);
    if edits == 0 {
        return Ok(Node::Term {
            field: field.to_string(),
            term,
            boost: 1.0,
        });
    }
    if edits > 2 {
        return Ok(Node::Refused("fuzziness exceeds max (2)".into()));
    }
    if edits < 0 {
        return Ok(Node::Refused("invalid fuzziness, negative".into()));
    }
    Ok(Node::Fuzzy {
        field: field.to_string(),
        term,
        edits: edits as usize,
        boost: 1.0,
    })
}

fn parse_number(text: &str) -> Result<f64, QueryError> {
    go_float(text).map_err(|e| QueryError::parse(format!("parse error: error parsing number: {e}")))
}

/// `field:5`: the term `5`, or the number 5.
fn number(field: &str, text: &str) -> Result<Node, QueryError> {
    let v = sortable(parse_number(text)?);
    Ok(Node::Bool(Box::new(Bool {
        must: Vec::new(),
        should: vec![
            Node::Term {
                field: field.to_string(),
                term: text.to_string(),
                boost: 1.0,
            },
            Node::Ranges {
                field: field.to_string(),
                ranges: split_range(v, v),
                per_term: 1.0,
                date: false,
            },
        ],
        must_not: Vec::new(),
        boost: 1.0,
    })))
}

/// The integer bounds of a range, exclusive ends moved inwards as bluge
/// does.
fn range_node(field: &str, mut lo: i64, mut hi: i64, lo_in: bool, hi_in: bool, date: bool) -> Node {
    if !lo_in && lo != i64::MAX {
        lo += 1;
    }
    if !hi_in && hi != i64::MIN {
        hi -= 1;
    }
    Node::Ranges {
        field: field.to_string(),
        ranges: split_range(lo, hi),
        per_term: 1.0,
        date,
    }
}

/// `field:>N`, `>=`, `<`, `<=`: one end open.
fn numeric_range(
    field: &str,
    text: &str,
    greater: bool,
    or_equal: bool,
) -> Result<Node, QueryError> {
    let v = sortable(parse_number(text)?);
    Ok(if greater {
        range_node(field, v, i64::MAX, or_equal, true, false)
    } else {
        range_node(field, i64::MIN, v, true, or_equal, false)
    })
}

/// `field:>"2006-01-02T15:04:05Z"` and the like.
fn date_range(field: &str, text: &str, greater: bool, or_equal: bool) -> Result<Node, QueryError> {
    let (nanos, offset) = go_time_zoned(text, Layout::Rfc3339).ok_or_else(|| {
        QueryError::parse(format!(
            "parse error: invalid time: {}",
            rfc3339_refusal(text)
        ))
    })?;
    // Go's zero time is no bound at all.
    if nanos == GO_ZERO_TIME_NANOS {
        return Ok(range_node(
            field,
            i64::MIN,
            i64::MAX,
            !greater || or_equal,
            greater || or_equal,
            true,
        ));
    }
    let Ok(v) = i64::try_from(nanos) else {
        let end = if greater { "start" } else { "end" };
        return Ok(Node::Refused(format!(
            "invalid/unsupported date range, {end}: {}",
            go_time_string(nanos, offset)
        )));
    };
    Ok(if greater {
        range_node(field, v, i64::MAX, or_equal, true, true)
    } else {
        range_node(field, i64::MIN, v, true, or_equal, true)
    })
}

#[cfg(test)]
mod tests {
    //! Expected scores and orders are what Nakama 3.40.0's index (bluge
    //! v0.2.2, constant similarity, keyword analyzer) answered for the
    //! same documents and queries.

    use super::*;
    use crate::goregexp;

    /// What vellum v1.2.0 answers (`tests/data/vellum_go.tsv`, written by
    /// `vellum-go` from its `cases.txt`): the same refusal, or none and
    /// the same verdict on the whole text.
    #[test]
    fn regexps_are_refused_and_matched_as_vellum_does() {
        let table = include_str!("../tests/data/vellum_go.tsv");
        let mut checked = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let row: Vec<String> = line
                .split('\t')
                .map(|column| serde_json::from_str(column).expect(line))
                .collect();
            let [pattern, refusal, text, matched] = &row[..] else {
                panic!("four columns: {line}")
            };
            let (pattern, refusal) = (&goregexp::expand(pattern), &goregexp::expand(refusal));
            match pattern_node("f", pattern) {
                Node::Refused(m) => assert_eq!(&m, refusal, "{pattern}"),
                Node::Pattern { re, .. } => {
                    assert_eq!(refusal, "", "{pattern}");
                    if !matched.is_empty() {
                        assert_eq!(
                            re.is_match(text).to_string(),
                            *matched,
                            "{pattern} on {text:?}"
                        );
                    }
                }
                _ => panic!("{pattern}: neither a pattern nor a refusal"),
            }
            checked += 1;
        }
        assert!(checked > 60, "{checked}");
    }

    /// Built on a worker handed over to other tasks where there are
    /// workers (a listing), and in place on a runtime of one thread (the
    /// `check` command's), where handing over would panic.
    #[test]
    fn regexps_are_built_on_any_runtime() {
        let runtimes = [
            tokio::runtime::Builder::new_current_thread().build(),
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .build(),
        ];
        // A pattern of each runtime's own, built there first.
        for (runtime, q) in runtimes.into_iter().zip(["f:/ab{2,}/", "f:/ab{3,}/"]) {
            let mut d = Document::default();
            d.add_keyword("f", "abbb");
            let score = runtime.unwrap().block_on(async move {
                tokio::spawn(async move { Query::parse(q).unwrap().score(&d) })
                    .await
                    .unwrap()
            });
            assert_eq!(score, Some(1.0), "{q}");
        }
    }

    /// Labels of three matches, oldest first.
    const LABELS: [(&str, &str); 3] = [
        (
            "a",
            r#"{"open":true,"players":0,"mode":"ffa","tags":["x","y"],"n":[1,2,3],
                "when":"2024-05-01T10:00:00Z","sub":{"k":"Hello World","deep":{"z":5}}}"#,
        ),
        (
            "b",
            r#"{"open":false,"players":2,"mode":"duel","tags":["y"],"n":[2],
                "when":"2023-01-01","sub":{"k":"hello"}}"#,
        ),
        (
            "c",
            r#"{"open":true,"players":4,"mode":"Duel","name":"a-b c","x":"5","neg":-3.5}"#,
        ),
    ];

    /// More labels, for fuzzy terms, arrays of numbers and dates.
    const MORE: [(&str, &str); 3] = [
        (
            "a",
            r#"{"s":"abc","z":-0,"big":[1,2,3,17,18,255,256,1000000],"f":[0.5,-0.5,1e300],
                "u":"héllo","e":""}"#,
        ),
        (
            "b",
            r#"{"s":"ab","z":0,"big":[16,32],"u":"hello",
                "dt":["2024-01-01","2024-01-02","2024-06-01T00:00:00.5Z"]}"#,
        ),
        (
            "c",
            r#"{"s":["abcd","abce","xbc"],"dt":"2024-01-01 10:00:00","nest":[[1,"x"],{"k":true}]}"#,
        ),
    ];

    fn docs(labels: &[(&'static str, &str)]) -> Vec<(&'static str, Document)> {
        labels
            .iter()
            .map(|(id, label)| {
                let mut d = Document::default();
                d.add_keyword("label_string", label);
                d.add_json("label", &serde_json::from_str(label).unwrap());
                (*id, d)
            })
            .collect()
    }

    /// The matching documents, best first, then newest first, as
    /// `id=score` (the form the Go index's answers were written down in).
    fn ranked_in(labels: &[(&'static str, &str)], q: &str) -> String {
        let query = Query::parse(q).unwrap_or_else(|e| panic!("{q:?}: {e}"));
        let mut hits: Vec<(usize, &str, f64)> = docs(labels)
            .iter()
            .enumerate()
            .filter_map(|(i, (id, d))| query.score(d).map(|s| (i, *id, s)))
            .collect();
        hits.sort_by(|x, y| y.2.total_cmp(&x.2).then(y.0.cmp(&x.0)));
        hits.iter()
            .map(|(_, id, s)| format!("{id}={s}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn ranked(q: &str) -> String {
        ranked_in(&LABELS, q)
    }

    fn error(q: &str) -> QueryError {
        Query::parse(q).expect_err(q)
    }

    #[test]
    fn star_matches_everything_and_empty_nothing() {
        assert_eq!(ranked("*"), "c=1 b=1 a=1");
        assert_eq!(ranked(""), "");
        // Not trimmed: ` *` is a wildcard on the default field.
        assert_eq!(ranked(" *"), "");
        assert_eq!(Query::match_all().score(&Document::default()), Some(1.0));
    }

    #[test]
    fn should_clauses_need_one_match_unless_there_is_a_must() {
        assert_eq!(ranked("label.open:T label.mode:duel"), "c=1 b=1 a=1");
        assert_eq!(ranked("label.mode:duel label.mode:nope"), "b=1");
        // With a must, shoulds only add to the score.
        assert_eq!(ranked("+label.open:T label.mode:duel"), "c=1 a=1");
        assert_eq!(ranked("+label.open:T label.mode:Duel"), "c=2 a=1");
    }

    #[test]
    fn every_must_clause_must_match() {
        assert_eq!(ranked("+label.open:T"), "c=1 a=1");
        assert_eq!(ranked("+label.open:T +label.mode:Duel"), "c=2");
        assert_eq!(ranked("+label.open:T +label.mode:duel"), "");
        assert_eq!(
            ranked("+label.players:>=2 +label.players:>=4"),
            "c=2",
            "two musts add up"
        );
    }

    #[test]
    fn must_not_clauses_exclude_and_alone_match_the_rest() {
        assert_eq!(ranked("-label.open:T"), "b=1");
        assert_eq!(ranked("+label.open:T -label.mode:Duel"), "a=1");
        assert_eq!(ranked("label.players:>=2 -label.players:>=4"), "b=1");
        assert_eq!(ranked("-label.mode:duel -label.mode:ffa"), "c=1");
    }

    #[test]
    fn terms_are_whole_and_case_sensitive() {
        assert_eq!(ranked("label.mode:duel"), "b=1");
        assert_eq!(ranked("label.mode:Duel"), "c=1");
        assert_eq!(ranked("label.mode:due"), "");
        assert_eq!(ranked("label.sub.k:Hello"), "");
        assert_eq!(ranked(r"label.sub.k:Hello\ World"), "a=1");
        assert_eq!(ranked("label.tags:y"), "b=1 a=1");
        assert_eq!(ranked("label_string:arena"), "");
    }

    #[test]
    fn unfielded_clauses_search_a_field_nakama_documents_lack() {
        for q in ["duel", "Duel", "T", "5", "d*", "duel~1", r#""duel""#] {
            assert_eq!(ranked(q), "", "{q}");
        }
        let mut d = Document::default();
        d.add_keyword(DEFAULT_FIELD, "duel");
        assert_eq!(Query::parse("duel").unwrap().score(&d), Some(1.0));
    }

    #[test]
    fn phrases_never_match_keywords() {
        assert_eq!(ranked(r#"label.mode:"duel""#), "");
        assert_eq!(ranked(r#"label.sub.k:"Hello World""#), "");
        assert_eq!(ranked(r#"label.mode:"duel" label.open:T"#), "c=1 a=1");
        assert_eq!(ranked(r#"+label.mode:"duel" label.open:T"#), "");
    }

    #[test]
    fn regexps_match_whole_terms() {
        assert_eq!(ranked("label.mode:/du.l/"), "b=1");
        assert_eq!(ranked("label.mode:/d.*/"), "b=1");
        assert_eq!(ranked("label.mode:/(?i)DUEL/"), "c=1 b=1");
        assert_eq!(ranked("label.mode:/u.l/"), "", "anchored at the start");
        assert_eq!(
            ranked(r"label.mode:/\^duel/"),
            "b=1",
            "a leading ^ is dropped"
        );
        // Each matching term counts.
        assert_eq!(ranked("label.tags:/x|y/"), "a=2 b=1");
        assert_eq!(ranked("label.mode://"), "");
        // Go's literal `{` and `\Q...\E`, octal escapes. (The query's own
        // `\` takes one: `\\[` reaches the regexp as `\[`.)
        let mut d = Document::default();
        d.add_keyword("f", "a{b.c[");
        for q in [
            r"f:/a{b\.c\\[/",
            r"f:/a\Q{b.c[\E/",
            r"f:/\141{b.c[[]/",
            "f:/a[{]b.c[[]/",
        ] {
            assert_eq!(Query::parse(q).unwrap().score(&d), Some(1.0), "{q}");
        }
    }

    #[test]
    fn regexps_bluge_cannot_run_are_refused_at_search() {
        for (q, message) in [
            ("label.mode:/duel$/", "zero width assertions not allowed"),
            (r"label.mode:/\bduel/", "word boundaries are not allowed"),
            ("label.mode:/d.*?/", "lazy quantifiers are not allowed"),
        ] {
            let e = error(q);
            assert_eq!((e.message(), e.at_search()), (message, true), "{q}");
        }
        let e = error("label.mode:/[/");
        assert!(e.at_search(), "{e}");
        assert!(e.message().starts_with("error parsing regexp: "), "{e}");
        assert!(!e.message().contains('\n'), "{e}");
    }

    /// Go's limits on counted repetitions (`regexp/syntax`), with the
    /// answers Go 1.26's `syntax.Parse` gives for each pattern.
    /// Go 1.26's `regexp.Compile` on the same patterns (`None`: taken).
    #[test]
    fn repetitions_of_repetitions_are_refused_as_go_refuses_them() {
        for (pattern, refused) in [
            ("a**", Some("invalid nested repetition operator: `**`")),
            ("a*?*", Some("invalid nested repetition operator: `*?*`")),
            ("a*??", Some("invalid nested repetition operator: `*??`")),
            ("a{2}*", Some("invalid nested repetition operator: `{2}*`")),
            ("a*{2}", Some("invalid nested repetition operator: `*{2}`")),
            (
                "a{2}{3}",
                Some("invalid nested repetition operator: `{2}{3}`"),
            ),
            (
                "a{2}?+",
                Some("invalid nested repetition operator: `{2}?+`"),
            ),
            (
                "x{2,}?{1}",
                Some("invalid nested repetition operator: `{2,}?{1}`"),
            ),
            ("a{1001}*", Some("invalid repeat count: `{1001}`")),
            ("a*{1001}", Some("invalid repeat count: `{1001}`")),
            ("a+?", None),
            ("a??", None),
            ("(?i)a*", None),
            ("[*+]*", None),
            ("\\**", None),
            ("a{,2}*", None),
            ("(a*)*", None),
        ] {
            let refused = refused.map(|r| format!("error parsing regexp: {r}"));
            assert_eq!(crate::goregexp::syntax_error(pattern), refused, "{pattern}");
        }
        let e = error("label.mode:/du**/");
        assert!(e.at_search(), "{e}");
    }

    #[test]
    fn repeat_counts_go_refuses_are_refused() {
        for (pattern, count) in [
            ("a{1001}", "{1001}"),
            ("a{2,1001}", "{2,1001}"),
            ("a{1001,}", "{1001,}"),
            ("a{1,1001}", "{1,1001}"),
            ("a{3,2}", "{3,2}"),
            ("a{99999999999999999999}", "{99999999999999999999}"),
            ("(a{100}){20}", "{20}"),
            ("(a{2000}){2}", "{2000}"),
            ("(a{600}){2,}", "{2,}"),
            ("(a{100}){20}?", "{20}?"),
            // As written (the regex crate reads `{3,3}` as `{3}`), and
            // before a later syntax error, as Go names them.
            ("(a{500}){3,3}", "{3,3}"),
            ("(a{100}){20}(", "{20}"),
        ] {
            let e = error(&format!("label.mode:/{pattern}/"));
            assert_eq!(
                (e.message(), e.at_search()),
                (
                    format!("error parsing regexp: invalid repeat count: `{count}`").as_str(),
                    true
                ),
                "{pattern}"
            );
        }
        let mut d = Document::default();
        d.add_keyword("f", "a{01}");
        d.add_keyword("g", &"a".repeat(1000));
        for (q, score) in [
            ("g:/a{1000}/", Some(1.0)),
            ("g:/(a{10}){100}/", Some(1.0)),
            ("g:/(a{600})*/", None),
            ("g:/(a{600}){1,}/", None),
            ("g:/(a{10}|b{200}){5}/", None),
            ("g:/x{1000}y{1000}/", None),
            ("g:/a{5,5}/", None),
            // A number with a leading zero starts no repetition in Go:
            // the `{` is a literal.
            ("f:/a{01}/", Some(1.0)),
        ] {
            assert_eq!(Query::parse(q).unwrap().score(&d), score, "{q}");
        }
    }

    #[test]
    fn wildcards_match_whole_terms() {
        assert_eq!(ranked("label.mode:d*"), "b=1");
        assert_eq!(ranked("label.mode:?uel"), "c=1 b=1");
        assert_eq!(ranked("label.mode:d?el"), "b=1");
        assert_eq!(ranked("label.mode:*"), "c=1 b=1 a=1");
        assert_eq!(ranked("label.tags:*"), "a=2 b=1");
        assert_eq!(ranked("label.sub.k:Hello*"), "a=1");
        // An escaped `*` is still a wildcard; regexp characters are literal.
        assert_eq!(ranked(r"label.mode:du\*l"), "b=1");
        let mut d = Document::default();
        d.add_keyword("f", "a.b(c)");
        assert_eq!(Query::parse("f:a.b(*").unwrap().score(&d), Some(1.0));
        assert_eq!(Query::parse("f:a?b(*").unwrap().score(&d), Some(1.0));
        assert_eq!(Query::parse("f:a.c*").unwrap().score(&d), None);
    }

    #[test]
    fn wildcards_and_regexps_reach_numbers_as_bluge_indexes_them() {
        assert_eq!(ranked("label.players:*"), "c=16 b=16 a=16");
        assert_eq!(ranked_in(&MORE, "label.dt:*"), "b=42 c=16");
    }

    #[test]
    fn fuzzy_terms_score_by_distance() {
        assert_eq!(ranked("label.mode:duet~1"), "b=0.75");
        assert_eq!(ranked("label.mode:dual~"), "b=0.75");
        assert_eq!(ranked("label.mode:deul~1"), "b=0.75", "a swap is one edit");
        assert_eq!(ranked("label.mode:duel~2"), "b=1 c=0.75");
        assert_eq!(
            ranked("label.mode:dl~2"),
            "b=0",
            "a score of 0 still matches"
        );
        assert_eq!(ranked("label.mode:duel~0"), "b=1");
        assert_eq!(ranked("label.mode:duel~1.5"), "b=1 c=0.75");
        assert_eq!(
            ranked_in(&MORE, "label.s:ca~2"),
            "b=0",
            "not a full Damerau distance"
        );
        assert_eq!(ranked_in(&MORE, "label.s:abc~1"), "c=2 a=1 b=0.5");
        assert_eq!(
            ranked_in(&MORE, "label.u:hello~1"),
            "b=1 a=0.8",
            "characters, not bytes"
        );
        assert_eq!(ranked("label.open:T~"), "c=1 a=1 b=0");
    }

    #[test]
    fn fuzziness_out_of_range_is_refused_at_search_and_junk_at_parse() {
        let e = error("label.mode:duel~3");
        assert_eq!(
            (e.message(), e.at_search()),
            ("fuzziness exceeds max (2)", true)
        );
        let e = error("label.mode:duel~-1");
        assert_eq!(
            (e.message(), e.at_search()),
            ("invalid fuzziness, negative", true)
        );
        let e = error("label.mode:duel~x");
        assert_eq!(
            (e.message(), e.at_search()),
            (
                r#"parse error: invalid fuzziness value: strconv.ParseFloat: parsing "x": invalid syntax"#,
                false
            )
        );
        // The tilde runs to the next space: a boost there is not a number.
        assert!(error("label.mode:duet~1^2").message().contains(r#""1^2""#));
    }

    #[test]
    fn numbers_match_the_term_or_the_number() {
        assert_eq!(ranked("label.players:4"), "c=1");
        assert_eq!(ranked("label.players:4.0"), "c=1");
        assert_eq!(ranked("label.players:04"), "c=1");
        assert_eq!(ranked("label.x:5"), "c=1", "the keyword \"5\"");
        assert_eq!(ranked("label.neg:-3.5"), "c=1");
        assert_eq!(ranked("label.n:2"), "b=1 a=1");
        assert_eq!(ranked("label.sub.deep.z:5"), "a=1");
        assert_eq!(ranked("label.players:1e1"), "", "a term, not a number");
        assert_eq!(ranked("tick_rate:10"), "");
        // -0 and 0 are different numbers to bluge.
        assert_eq!(ranked_in(&MORE, "label.z:0"), "b=1");
        assert_eq!(ranked_in(&MORE, "label.z:-0"), "a=1");
    }

    #[test]
    fn numeric_ranges() {
        assert_eq!(ranked("label.players:>=2"), "c=1 b=1");
        assert_eq!(ranked("label.players:>2"), "c=1");
        assert_eq!(ranked("label.players:<2"), "a=1");
        assert_eq!(ranked("label.players:<=2"), "b=1 a=1");
        assert_eq!(ranked("label.players:>-1"), "c=1 b=1 a=1");
        assert_eq!(ranked("label.players:> 5"), "");
        assert_eq!(ranked("label.neg:<-3"), "c=1");
        assert_eq!(ranked("label.neg:<-3.5"), "");
        assert_eq!(ranked("label.neg:>=-3.5"), "c=1");
        assert_eq!(ranked("label.mode:>0"), "", "keywords are not numbers");
    }

    #[test]
    fn ranges_on_arrays_count_each_term_bluge_matches() {
        // bluge matches a range with prefix-coded terms of several
        // precisions; values sharing one count once.
        assert_eq!(ranked("label.n:>=1"), "a=2 b=1");
        assert_eq!(ranked("label.n:>=2"), "b=1 a=1");
        assert_eq!(ranked_in(&MORE, "label.big:>0"), "a=2 b=1");
        assert_eq!(ranked_in(&MORE, "label.big:<300"), "a=5 b=2");
        assert_eq!(ranked_in(&MORE, "label.big:>=16 label.big:<=32"), "a=7 b=4");
        assert_eq!(ranked_in(&MORE, "label.big:>=2 label.big:<100"), "a=4 b=3");
        assert_eq!(ranked_in(&MORE, "label.f:>0"), "a=2");
        assert_eq!(ranked_in(&MORE, "label.f:>1000"), "a=1");
    }

    #[test]
    fn date_ranges_and_date_labels() {
        assert_eq!(ranked(r#"label.when:>"2024-01-01T00:00:00Z""#), "a=1");
        assert_eq!(ranked(r#"label.when:<"2024-01-01T00:00:00Z""#), "b=1");
        assert_eq!(ranked(r#"label.when:>="2023-01-01T00:00:00Z""#), "b=1 a=1");
        assert_eq!(ranked(r#"label.when:>="2024-05-01T10:00:00Z""#), "a=1");
        assert_eq!(ranked(r#"label.when:>"2024-05-01T10:00:00Z""#), "");
        assert_eq!(ranked(r#"label.when:>"2024-01-01T00:00:00+02:00""#), "a=1");
        assert_eq!(ranked(r#"label.when:>"2024-01-01T00:00:00.5Z""#), "a=1");
        // A string that reads as a date is not a keyword.
        assert_eq!(ranked("label.when:2023-01-01"), "");
        assert_eq!(
            ranked_in(&MORE, r#"label.dt:>"2024-01-01T00:00:00Z""#),
            "b=2 c=1"
        );
        assert_eq!(
            ranked_in(&MORE, r#"label.dt:>="2024-01-01T00:00:00Z""#),
            "b=3 c=1"
        );
        // Go's zero time is no bound.
        assert_eq!(ranked(r#"label.when:>"0001-01-01T00:00:00Z""#), "b=1 a=1");
    }

    /// Go 1.26's `time.Parse(time.RFC3339, s)` errors, word for word.
    #[test]
    fn bad_dates_are_refused_in_gos_words() {
        let refused = [
            (
                "2024-01-02",
                r#"parsing time "2024-01-02" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T""#,
            ),
            (
                "not a date",
                r#"parsing time "not a date" as "2006-01-02T15:04:05Z07:00": cannot parse "not a date" as "2006""#,
            ),
            (
                "",
                r#"parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006""#,
            ),
            (
                "2024",
                r#"parsing time "2024" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "-""#,
            ),
            (
                "20x4-01-02T00:00:00Z",
                r#"parsing time "20x4-01-02T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "20x4-01-02T00:00:00Z" as "2006""#,
            ),
            (
                "2024/01/02T00:00:00Z",
                r#"parsing time "2024/01/02T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "/01/02T00:00:00Z" as "-""#,
            ),
            (
                "2024-1-02T00:00:00Z",
                r#"parsing time "2024-1-02T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "1-02T00:00:00Z" as "01""#,
            ),
            (
                "2024-13-02T00:00:00Z",
                r#"parsing time "2024-13-02T00:00:00Z": month out of range"#,
            ),
            (
                "2024-00-02T00:00:00Z",
                r#"parsing time "2024-00-02T00:00:00Z": month out of range"#,
            ),
            (
                "2024-02-30T00:00:00Z",
                r#"parsing time "2024-02-30T00:00:00Z": day out of range"#,
            ),
            (
                "2023-02-29T00:00:00Z",
                r#"parsing time "2023-02-29T00:00:00Z": day out of range"#,
            ),
            (
                "2024-01-02 00:00:00Z",
                r#"parsing time "2024-01-02 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T""#,
            ),
            (
                "2024-01-02T24:00:00Z",
                r#"parsing time "2024-01-02T24:00:00Z": hour out of range"#,
            ),
            (
                "2024-01-02Tx:00:00Z",
                r#"parsing time "2024-01-02Tx:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "x:00:00Z" as "15""#,
            ),
            (
                "2024-01-02T10:60:00Z",
                r#"parsing time "2024-01-02T10:60:00Z": minute out of range"#,
            ),
            (
                "2024-01-02T10:00:60Z",
                r#"parsing time "2024-01-02T10:00:60Z": second out of range"#,
            ),
            (
                "2024-01-02T10:00:00",
                r#"parsing time "2024-01-02T10:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00""#,
            ),
            (
                "2024-01-02T10:00:00.5",
                r#"parsing time "2024-01-02T10:00:00.5" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00""#,
            ),
            (
                "2024-01-02T10:00:00+0100",
                r#"parsing time "2024-01-02T10:00:00+0100" as "2006-01-02T15:04:05Z07:00": cannot parse "+0100" as "Z07:00""#,
            ),
            (
                "2024-01-02T10:00:00+25:00",
                r#"parsing time "2024-01-02T10:00:00+25:00": time zone offset hour out of range"#,
            ),
            (
                "2024-01-02T10:00:00+01:61",
                r#"parsing time "2024-01-02T10:00:00+01:61": time zone offset minute out of range"#,
            ),
            (
                "2024-01-02T10:00:00+25:61",
                r#"parsing time "2024-01-02T10:00:00+25:61": time zone offset minute out of range"#,
            ),
            (
                "2024-01-02T10:00:00*01:00",
                r#"parsing time "2024-01-02T10:00:00*01:00" as "2006-01-02T15:04:05Z07:00": cannot parse "*01:00" as "Z07:00""#,
            ),
            (
                "2024-01-02T10:00:00+0x:00",
                r#"parsing time "2024-01-02T10:00:00+0x:00" as "2006-01-02T15:04:05Z07:00": cannot parse "+0x:00" as "Z07:00""#,
            ),
            (
                "2024-01-02T10:00:00+01:0x",
                r#"parsing time "2024-01-02T10:00:00+01:0x" as "2006-01-02T15:04:05Z07:00": cannot parse "+01:0x" as "Z07:00""#,
            ),
            (
                "2024-01-02T10:00:00+99:0x",
                r#"parsing time "2024-01-02T10:00:00+99:0x": time zone offset hour out of range"#,
            ),
            (
                "2024-01-02T10:00:00Zjunk",
                r#"parsing time "2024-01-02T10:00:00Zjunk": extra text: "junk""#,
            ),
            (
                "2024-02-30T10:00:00Zjunk",
                r#"parsing time "2024-02-30T10:00:00Zjunk": extra text: "junk""#,
            ),
            (
                "2024-01-02T10:00:00.Z",
                r#"parsing time "2024-01-02T10:00:00.Z" as "2006-01-02T15:04:05Z07:00": cannot parse ".Z" as "Z07:00""#,
            ),
            (
                "2024-01-32T10:00:00Z",
                r#"parsing time "2024-01-32T10:00:00Z": day out of range"#,
            ),
            (
                "düel",
                r#"parsing time "d\xc3\xbcel" as "2006-01-02T15:04:05Z07:00": cannot parse "d\xc3\xbcel" as "2006""#,
            ),
            (
                "a\"b\\c\t",
                r#"parsing time "a\"b\\c\x09" as "2006-01-02T15:04:05Z07:00": cannot parse "a\"b\\c\x09" as "2006""#,
            ),
            (
                "2024-01-02T10:00:00+01:00x",
                r#"parsing time "2024-01-02T10:00:00+01:00x": extra text: "x""#,
            ),
            (
                "2024-00-32T10:00:00Z",
                r#"parsing time "2024-00-32T10:00:00Z": month out of range"#,
            ),
            (
                "2024-02-30T25:00:00Z",
                r#"parsing time "2024-02-30T25:00:00Z": hour out of range"#,
            ),
            (
                "2024-01-02T10:00:00 ",
                r#"parsing time "2024-01-02T10:00:00 " as "2006-01-02T15:04:05Z07:00": cannot parse " " as "Z07:00""#,
            ),
        ];
        for (s, expected) in refused {
            assert_eq!(go_time(s, Layout::Rfc3339), None, "{s:?}");
            assert_eq!(rfc3339_refusal(s), expected, "{s:?}");
        }
        // What Go's parser takes besides RFC 3339: a one-digit hour, a
        // comma, more than nine digits of a fraction.
        for s in [
            "2024-01-02T9:00:00Z",
            "2024-01-02T10:00:00,5Z",
            "2024-01-02T10:00:00.123456789123Z",
        ] {
            assert!(go_time(s, Layout::Rfc3339).is_some(), "{s:?}");
        }
        let e = error(r#"label.when:>"2024-01-02""#);
        assert_eq!(
            e.message(),
            r#"parse error: invalid time: parsing time "2024-01-02" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T""#
        );
    }

    /// Go's `Time.String` of what `time.Parse(time.RFC3339, s)` made
    /// (local zone UTC), for the refusal of dates past int64 nanoseconds.
    #[test]
    fn times_print_as_go_prints_them() {
        for (s, expected) in [
            ("1600-01-01T00:00:00Z", "1600-01-01 00:00:00 +0000 UTC"),
            (
                "2300-01-01T10:00:00.5+01:00",
                "2300-01-01 10:00:00.5 +0100 +0100",
            ),
            (
                "9999-12-31T23:59:59.123-05:30",
                "9999-12-31 23:59:59.123 -0530 -0530",
            ),
            ("0000-01-01T00:00:00-00:00", "0000-01-01 00:00:00 +0000 UTC"),
            (
                "1677-09-21T00:12:43.145224191+00:00",
                "1677-09-21 00:12:43.145224191 +0000 UTC",
            ),
            (
                "2262-04-12T00:00:00+24:00",
                "2262-04-12 00:00:00 +2400 +2400",
            ),
        ] {
            let (nanos, offset) = go_time_zoned(s, Layout::Rfc3339).unwrap();
            assert_eq!(go_time_string(nanos, offset), expected, "{s}");
        }
        let e = error(r#"label.when:<"2300-01-01T10:00:00.5+01:00""#);
        assert_eq!(
            e.message(),
            "invalid/unsupported date range, end: 2300-01-01 10:00:00.5 +0100 +0100"
        );
    }

    #[test]
    fn bad_dates_are_refused() {
        for q in [
            r#"label.when:>"2024-01-01""#,
            r#"label.when:<="2024-05-01t10:00:00z""#,
            r#"label.when:<="2024-05-01 10:00:00Z""#,
            r#"label.when:<="2024-05-01T10:00:00""#,
        ] {
            let e = error(q);
            assert!(!e.at_search(), "{q}");
            assert!(
                e.message().starts_with("parse error: invalid time: "),
                "{q}: {e}"
            );
        }
        let e = error(r#"label.when:>"1600-01-01T00:00:00Z""#);
        assert!(e.at_search());
        assert!(
            e.message()
                .starts_with("invalid/unsupported date range, start"),
            "{e}"
        );
        let e = error(r#"label.when:<"2300-01-01T00:00:00Z""#);
        assert!(
            e.message()
                .starts_with("invalid/unsupported date range, end"),
            "{e}"
        );
    }

    #[test]
    fn boosts_count_as_bluge_counts_them() {
        assert_eq!(
            ranked("label.mode:duel^2"),
            "b=4",
            "a term's boost counts squared"
        );
        assert_eq!(ranked("+label.open:T label.mode:Duel^3"), "c=10 a=1");
        assert_eq!(ranked("+label.open:T^2 label.mode:Duel^3"), "c=13 a=4");
        assert_eq!(ranked("label.open:F^0.5 label.open:T^2"), "c=4 a=4 b=0.25");
        assert_eq!(ranked("label.players:4^3"), "c=3", "a number's once");
        assert_eq!(
            ranked("label.players:>=2^5"),
            "c=5 b=5",
            "a range's once a term"
        );
        assert_eq!(
            ranked("label.open:T label.players:>=2^0.5"),
            "c=1.5 a=1 b=0.5"
        );
        assert_eq!(
            ranked("label.players:>=0^2 label.open:T^3"),
            "c=11 a=11 b=2"
        );
        assert_eq!(
            ranked("label.tags:*^2"),
            "a=4 b=2",
            "a wildcard's once a term"
        );
        assert_eq!(ranked("label.mode:d*^2"), "b=2");
        assert_eq!(
            ranked(r#"label.when:>"2024-01-01T00:00:00Z"^2"#),
            "a=1",
            "a date range's never"
        );
        assert_eq!(ranked("label.open:T^0"), "c=0 a=0");
        assert_eq!(ranked("label.open:T^-1"), "c=1 a=1");
        assert_eq!(ranked("label.open:T^"), "c=1 a=1");
        // After a space, a boost still belongs to the clause before it.
        assert_eq!(ranked("label.mode:duel     ^2"), "b=4");
        assert_eq!(
            ranked("label.mode:duet~1 ^2"),
            "b=3",
            "a fuzzy term's squared"
        );
        assert_eq!(ranked("label.open:T label.open:T"), "c=2 a=2");
        let e = error("label.open:T^abc");
        assert_eq!(
            e.message(),
            r#"parse error: invalid boost value: strconv.ParseFloat: parsing "abc": invalid syntax"#
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(ranked(r"label.name:a\-b\ c"), "c=1");
        assert_eq!(
            ranked(r"label.name:a-b\ c"),
            "c=1",
            "a `-` inside a term is a character"
        );
        // A `\` before an ordinary character stays.
        let mut d = Document::default();
        d.add_keyword("f", r"\5");
        assert_eq!(Query::parse(r"f:\5").unwrap().score(&d), Some(1.0));
        d.add_keyword("g", "a:b");
        assert_eq!(Query::parse(r"g:a\:b").unwrap().score(&d), Some(1.0));
        d.add_keyword("h", r#"say "hi""#);
        assert_eq!(
            Query::parse(r#"h:say\ \"hi\""#).unwrap().score(&d),
            Some(1.0)
        );
    }

    #[test]
    fn syntax_errors() {
        for q in [
            "+",
            "-",
            ":",
            "  ",
            "label.open:",
            "label.open:T:",
            "a:b:c",
            ">5",
            "label.players:>abc",
            "label.players:>.5",
            "label.players:=5",
            "label.players:+3",
            "label.open:+T",
            "+-label.open:T",
            "5:x",
            "label.players:5:x",
            "~1",
            "^2",
            "a ^2 ^3",
            "label.open:T\tlabel.mode:duel",
        ] {
            let e = error(q);
            assert_eq!(
                (e.message(), e.at_search()),
                ("syntax error", false),
                "{q:?}"
            );
        }
        assert_eq!(
            error(r#"label.open:"T"#).message(),
            "parse error: unterminated quote"
        );
        assert_eq!(
            error("label.mode:/").message(),
            "parse error: runtime error: slice bounds out of range [1:0]"
        );
        // `^` ends a term: this is the term "/" and the boost "duel/".
        assert_eq!(
            error("label.mode:/^duel/").message(),
            "parse error: runtime error: slice bounds out of range [1:0]"
        );
    }

    #[test]
    fn a_parse_error_wins_and_search_errors_come_in_bluges_order() {
        // The search error comes first in the text, the parse error wins.
        assert_eq!(error("a:b~3 +").message(), "syntax error");
        // bluge builds must-not clauses, then must, then should.
        let e = error("a:/[/ +b:c~3 -d:/x$/");
        assert_eq!(e.message(), "zero width assertions not allowed");
        let e = error("a:/[/ +b:c~3");
        assert_eq!(e.message(), "fuzziness exceeds max (2)");
        // An action's error comes before the lexer reaches a later one.
        assert!(error(r#"a:b~x "c"#).message().contains("fuzziness value"));
    }

    #[test]
    fn nothing_panics_on_junk() {
        let alphabet: Vec<&str> = vec![
            "a", "b", ":", "+", "-", "\"", "\\", "^", "~", ">", "<", "=", "*", "?", "/", "5", ".",
            " ", "\t", "é", "(", "[", "{", "}", "$", "label.n", "0",
        ];
        let docs = docs(&MORE);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut q = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 12) as usize;
            for k in 0..n {
                q.push_str(alphabet[((seed >> (k * 5)) % alphabet.len() as u64) as usize]);
            }
            if let Ok(query) = Query::parse(&q) {
                for (_, d) in &docs {
                    query.score(d);
                }
            }
        }
    }

    #[test]
    fn json_is_walked_as_nakama_walks_labels() {
        let mut d = Document::default();
        d.add_json(
            "label",
            &serde_json::json!({
                "mode": "duel", "open": true, "closed": false, "none": null,
                "deep": {"deeper": {"x": 1}}, "list": [[1, "x"], {"k": true}],
                "day": "2024-01-01", "at": "2024-01-01 10:00:00", "": "empty key"
            }),
        );
        let q = |s: &str| Query::parse(s).unwrap().score(&d);
        assert_eq!(q("label.mode:duel"), Some(1.0));
        assert_eq!(q("label.open:T"), Some(1.0));
        assert_eq!(q("label.closed:F"), Some(1.0));
        assert_eq!(q("label.none:*"), None);
        assert_eq!(q("label.deep.deeper.x:1"), Some(1.0));
        assert_eq!(q("label.list:1"), Some(1.0));
        assert_eq!(q("label.list:x"), Some(1.0));
        assert_eq!(q("label.list.k:T"), Some(1.0));
        assert_eq!(q("label.day:2024-01-01"), None, "a date, not a keyword");
        assert_eq!(q(r#"label.day:>="2024-01-01T00:00:00Z""#), Some(1.0));
        assert_eq!(q(r#"label.at:>"2024-01-01T09:59:59Z""#), Some(1.0));
        assert_eq!(q(r"label.:empty\ key"), Some(1.0));
        // Without a prefix, keys are the fields.
        let mut top = Document::default();
        top.add_json("", &serde_json::json!({"k": "v"}));
        assert_eq!(Query::parse("k:v").unwrap().score(&top), Some(1.0));
    }

    #[test]
    fn label_dates_read_as_go_reads_them() {
        let nanos = |s: &str| label_date(s);
        assert_eq!(
            nanos("2024-01-01T01:00:00Z"),
            Some(1_704_070_800_000_000_000)
        );
        assert_eq!(
            nanos("2024-01-01T1:00:00Z"),
            Some(1_704_070_800_000_000_000)
        );
        assert_eq!(
            nanos("2024-01-01T01:00:00,5Z"),
            Some(1_704_070_800_500_000_000)
        );
        assert_eq!(
            nanos("2024-01-01T01:00:00.1234567891Z"),
            Some(1_704_070_800_123_456_789)
        );
        assert_eq!(
            nanos("2024-01-01T01:02:03+24:00"),
            Some(1_703_984_523_000_000_000)
        );
        assert_eq!(
            nanos("2024-01-01T01:00:00+01:60"),
            Some(1_704_063_600_000_000_000)
        );
        assert_eq!(
            nanos("2024-01-01T01:02:03.5"),
            Some(1_704_070_923_500_000_000)
        );
        assert_eq!(nanos("2024-01-01 1:02:03"), Some(1_704_070_923_000_000_000));
        assert_eq!(nanos("2024-02-29"), Some(1_709_164_800_000_000_000));
        // Go's UnixNano wraps outside 1678..2262.
        assert_eq!(nanos("0000-01-01"), Some(-6_826_986_978_871_345_152));
        assert_eq!(
            nanos("9999-12-31T23:59:59Z"),
            Some(-4_852_116_232_933_722_624)
        );
        for s in [
            "2024-1-01",
            "2023-02-29",
            "2024-01-01T24:00:00Z",
            "2024-01-01T23:59:60Z",
            "2024-01-01T01:00:00+25:00",
            "2024-01-01T01:00:00+0100",
            "2024-01-01T01:00:00.Z",
            "2024-01-01T01:00",
            "2024-01-01T01:00:00z",
            " 2024-01-01",
            "+2024-01-01",
            "2024-01-01T01:00:00+01:5",
            "2024-01-01T01:02:03+00:99",
            "2024-01-01 1:2:03",
        ] {
            assert_eq!(nanos(s), None, "{s}");
        }
    }

    #[test]
    fn numbers_are_coded_as_bluge_codes_them() {
        // bluge's term for 5.0 at shift 0, and its top shift.
        assert_eq!(
            prefix_coded(sortable(5.0), 0).as_bytes(),
            [0x20, 0x01, 0x40, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        );
        assert_eq!(prefix_coded(sortable(5.0), 60).as_bytes(), [0x5c, 0x0c]);
        assert_eq!(sortable(-0.0), -1);
        assert!(sortable(-1.0) < sortable(-0.5) && sortable(0.5) < sortable(1.0));
    }

    /// What `fuzz/`'s `label_query` target does, on queries put together
    /// at random from the grammar's pieces (a seeded run, so that CI, which
    /// runs no fuzzer, still tries thousands): nothing panics, a query
    /// that does not parse says why.
    #[test]
    fn random_queries_parse_or_say_why_and_score_any_label() {
        const PIECES: &[&str] = &[
            "mode",
            "label.mode",
            "skill",
            "open",
            "at",
            "properties.region",
            "+",
            "-",
            ":",
            ">",
            ">=",
            "<",
            "<=",
            "=",
            "\"",
            "*",
            "?",
            "~",
            "~2",
            "^",
            "^3",
            "/",
            "(",
            ")",
            "\\",
            " ",
            "  ",
            "ranked",
            "12.5",
            "-3",
            "1e308",
            "true",
            "false",
            "2026-12-03T10:00:00Z",
            "\"a phrase\"",
            "/ran.*/",
            "/[a-z]+/",
            "/(?i)x|y{2,}/",
            "[",
            "]",
            "{",
            "}",
            "é",
            "\u{0}",
            "\u{10ffff}",
            "ω*",
            "\t",
            "AND",
            "OR",
            "NOT",
            "&&",
            "||",
        ];
        let labels = [
            serde_json::json!({"mode": "ranked", "skill": 12.5, "open": true,
                "at": "2026-12-03T10:00:00Z"}),
            serde_json::json!({"label": {"mode": ["a", 1, null]}, "skill": -1e300}),
            serde_json::json!("not an object"),
            serde_json::json!({"properties": {"region": {"deep": [[{"x": "y"}]]}}}),
        ];
        let docs: Vec<Document> = labels
            .iter()
            .map(|label| {
                let mut doc = Document::default();
                doc.add_json("", label);
                doc
            })
            .collect();
        // Sorting reads any label too: a number where the label has one.
        let sorted: Vec<bool> = docs
            .iter()
            .map(|d| d.sort_value("skill").is_some())
            .collect();
        assert_eq!(sorted, [true, true, false, false]);
        let mut rng = fastrand::Rng::with_seed(20261206);
        let (mut parsed, mut matched, mut refused) = (0, 0, 0);
        for _ in 0..4000 {
            let query: String = (0..rng.usize(1..10))
                .map(|_| PIECES[rng.usize(..PIECES.len())])
                .collect();
            match Query::parse(&query) {
                Ok(q) => {
                    parsed += 1;
                    for doc in &docs {
                        matched += usize::from(q.score(doc).is_some());
                    }
                }
                Err(e) => {
                    refused += 1;
                    assert!(!e.message().is_empty(), "{query:?}: no reason given");
                }
            }
        }
        // The pieces reach each outcome (2 087, 400 and 1 913 with this seed).
        assert!(
            parsed > 1000 && matched > 100 && refused > 1000,
            "parsed {parsed}, matched {matched}, refused {refused}"
        );
    }
}
