//! Go's refusals of a regular expression's syntax: the first error Go's
//! `regexp/syntax.Parse(pattern, syntax.Perl)` meets, in its words
//! (`error parsing regexp: missing closing ): `(a``), for the `/regexp/`
//! of a label query (bluge parses it so). The dev host's regexps are the
//! `regex` crate's, which refuses other patterns in other words; this
//! walks the pattern as Go's parser does, keeping only what decides an
//! error: whether the parser's stack has something to repeat, the open
//! groups, the last repetition operator, the copies counted repetitions
//! ask for (`(a{100}){20}` asks for 2000 `a`s, past Go's 1000). Checked
//! against Go 1.26's own answers (`tests/data/goregexp_go.tsv`).
//!
//! Go's limit on its parse tree's height (1000: `expression nests too
//! deeply`) is followed by building the tree's heights as Go's parser
//! does: its stack of nodes, literals merged, `|` between single
//! characters and classes merged into one class, concatenations and
//! alternations flattened. Not followed: Go's factoring of common
//! prefixes out of alternatives (which may move a height by one), and its
//! limits on a pattern's size (`expression too large`, past about 3.3
//! million instructions or 32 million class runes).

/// What the top of Go's parse stack holds: nothing yet, a marker (an open
/// group or a `|`), or something a repetition operator can take.
#[derive(Clone, Copy, PartialEq)]
enum Top {
    Empty,
    Marker,
    Operand,
}

/// The most copies of one thing a pattern may ask for, in a counted
/// repetition and in counted repetitions nested in one another (Go's
/// `repeatIsValid(re, 1000)`).
const MAX_COPIES: u64 = 1000;

/// What an open group (or the whole pattern) asks for so far: the most
/// copies on any path through what lies below the top of its stack, and
/// through the operand on top (what a repetition operator takes next).
#[derive(Clone, Copy)]
struct Copies {
    below: u64,
    top: u64,
}

impl Copies {
    const ONE: Copies = Copies { below: 1, top: 1 };

    /// `operand` goes on top of the stack.
    fn push(&mut self, operand: u64) {
        self.below = self.most();
        self.top = operand;
    }

    fn most(&self) -> u64 {
        self.below.max(self.top)
    }
}

/// Go's limit on its parse tree's height (`maxHeight`).
const MAX_HEIGHT: u32 = 1000;

/// A node of Go's parse tree, as far as its height goes.
#[derive(Clone, Copy)]
struct Node {
    height: u32,
    kind: Kind,
}

/// What decides how Go's parser combines a node with those beside it.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A literal of one character: merged into a literal before it of
    /// the same case folding (`(?i)`).
    Char {
        fold: bool,
    },
    /// A literal of several characters.
    Literal {
        fold: bool,
    },
    /// A class or `.`: merged, as a single character is, with another
    /// alternative of one.
    Class,
    /// What an empty alternative or group leaves.
    Empty,
    /// A concatenation or an alternation: flattened into one it is in.
    Concat,
    Alternate,
    Other,
}

impl Node {
    const CLASS: Node = Node::leaf(Kind::Class);
    const OTHER: Node = Node::leaf(Kind::Other);

    const fn leaf(kind: Kind) -> Node {
        Node { height: 1, kind }
    }

    const fn char(fold: bool) -> Node {
        Node::leaf(Kind::Char { fold })
    }

    /// Its case folding, if a literal.
    fn literal(&self) -> Option<bool> {
        match self.kind {
            Kind::Char { fold } | Kind::Literal { fold } => Some(fold),
            _ => None,
        }
    }

    /// What Go merges into a class with another such alternative.
    fn class_like(&self) -> bool {
        matches!(self.kind, Kind::Char { .. } | Kind::Class)
    }

    /// A node over `subs`, flattening those of its own kind (Go's
    /// `collapse`); one sub is itself.
    fn over(kind: Kind, subs: &[Node]) -> Node {
        match subs {
            [] => Node::leaf(Kind::Empty),
            [one] => *one,
            _ => {
                let deepest = subs.iter().map(|sub| match sub.kind == kind {
                    true => sub.height - 1,
                    false => sub.height,
                });
                Node {
                    height: 1 + deepest.max().unwrap_or(0),
                    kind,
                }
            }
        }
    }
}

/// An open group, or the whole pattern, as Go's parser holds it.
struct Group {
    copies: Copies,
    /// `(a)` or `(?P<n>a)`: a node of its own in Go's tree (`(?:a)` is not).
    capture: bool,
    /// Whether literals folded case (`(?i)`) where the group opened.
    fold_outside: bool,
    /// The alternatives before the last `|`, and the current one's nodes.
    alternatives: Vec<Node>,
    nodes: Vec<Node>,
}

/// A node whose height is past Go's limit.
struct TooDeep;

impl Group {
    fn new(capture: bool, fold_outside: bool) -> Group {
        Group {
            copies: Copies::ONE,
            capture,
            fold_outside,
            alternatives: Vec::new(),
            nodes: Vec::new(),
        }
    }

    /// The innermost open group's, or the pattern's.
    fn current<'a>(open: &'a mut [Group], outer: &'a mut Group) -> &'a mut Group {
        open.last_mut().unwrap_or(outer)
    }

    /// `node` goes on the stack, after the two literals on top, if there
    /// are, became one (Go's `push` and `maybeConcat`).
    fn push(&mut self, node: Node) -> Result<(), TooDeep> {
        self.merge_literals();
        self.nodes.push(checked(node)?);
        Ok(())
    }

    fn merge_literals(&mut self) {
        if let [.., below, top] = self.nodes[..] {
            if let Some(fold) = below.literal().filter(|&f| top.literal() == Some(f)) {
                self.nodes.pop();
                *self.nodes.last_mut().expect("below") = Node::leaf(Kind::Literal { fold });
            }
        }
    }

    /// A repetition operator takes the node on top.
    fn repeat(&mut self) -> Result<(), TooDeep> {
        if let Some(top) = self.nodes.last_mut() {
            *top = checked(Node {
                height: top.height + 1,
                kind: Kind::Other,
            })?;
        }
        Ok(())
    }

    /// A `|`: the current alternative's nodes become one, merged into the
    /// alternative before it when both are one character or class (Go's
    /// `concat` and `swapVerticalBar`).
    fn bar(&mut self) -> Result<(), TooDeep> {
        self.merge_literals();
        let alternative = checked(Node::over(Kind::Concat, &self.nodes))?;
        self.nodes.clear();
        match self.alternatives.last_mut() {
            Some(last) if last.class_like() && alternative.class_like() => *last = Node::CLASS,
            _ => self.alternatives.push(alternative),
        }
        Ok(())
    }

    /// The group's node, at its `)` or the pattern's end (Go's `concat`,
    /// `alternate` and the capture around them).
    fn close(mut self) -> Result<Node, TooDeep> {
        self.bar()?;
        // Go's `factor` makes one empty match of empty ones beside each other.
        self.alternatives
            .dedup_by(|a, b| a.kind == Kind::Empty && b.kind == Kind::Empty);
        let inside = checked(Node::over(Kind::Alternate, &self.alternatives))?;
        match self.capture {
            true => checked(Node {
                height: inside.height + 1,
                kind: Kind::Other,
            }),
            false => Ok(inside),
        }
    }
}

/// `node`, unless its height is past Go's limit.
fn checked(node: Node) -> Result<Node, TooDeep> {
    match node.height > MAX_HEIGHT {
        true => Err(TooDeep),
        false => Ok(node),
    }
}

/// Go's error for `code` and the text it names.
fn error(code: &str, expr: &str) -> String {
    format!("error parsing regexp: {code}: `{expr}`")
}

/// The part of `s` that `rest` does not hold (`rest` a suffix of `s`).
fn before<'a>(s: &'a str, rest: &str) -> &'a str {
    &s[..s.len() - rest.len()]
}

/// The first syntax error of `pattern` as Go words it, or `None`.
pub fn syntax_error(pattern: &str) -> Option<String> {
    let deep = |_: TooDeep| error("expression nests too deeply", pattern);
    let mut t = pattern;
    let mut top = Top::Empty;
    // The pattern's top level, and each open group.
    let mut outer = Group::new(false, false);
    let mut open: Vec<Group> = Vec::new();
    // The text from the last token's repetition operator on, if the last
    // token was one (`a**` is refused, not a doubled star).
    let mut last_repeat = "";
    // Whether literals fold case here (`(?i)`).
    let mut fold = false;
    while let Some(c) = t.chars().next() {
        let mut repeat = "";
        let result = match c {
            '(' if t.starts_with("(?") => perl_flags(t).map(|(rest, group, folds)| {
                if let Some(capture) = group {
                    open.push(Group::new(capture, fold));
                    top = Top::Marker;
                }
                fold = folds.unwrap_or(fold);
                rest
            }),
            '(' => {
                open.push(Group::new(true, fold));
                top = Top::Marker;
                Ok(&t[1..])
            }
            '|' => {
                top = Top::Marker;
                let group = Group::current(&mut open, &mut outer);
                group.bar().map_err(deep).map(|()| &t[1..])
            }
            ')' => {
                let Some(group) = open.pop() else {
                    // Go makes the pattern one node before it looks.
                    if let Err(e) = outer.close() {
                        return Some(deep(e));
                    }
                    return Some(error("unexpected )", pattern));
                };
                let copies = group.copies.most();
                fold = group.fold_outside;
                let closed = group.close();
                let parent = Group::current(&mut open, &mut outer);
                parent.copies.push(copies);
                top = Top::Operand;
                closed
                    .and_then(|node| parent.push(node))
                    .map_err(deep)
                    .map(|()| &t[1..])
            }
            '[' => {
                top = Top::Operand;
                let group = Group::current(&mut open, &mut outer);
                group.copies.push(1);
                class(t).and_then(|rest| {
                    let node = class_node(before(t, rest), fold);
                    group.push(node).map_err(deep).map(|()| rest)
                })
            }
            '*' | '+' | '?' => {
                repeat = t;
                repetition(t, &t[1..], last_repeat, top).and_then(|after| {
                    let group = Group::current(&mut open, &mut outer);
                    group.repeat().map_err(deep).map(|()| after)
                })
            }
            '{' => match counted(t) {
                None => {
                    top = Top::Operand;
                    let group = Group::current(&mut open, &mut outer);
                    group.copies.push(1);
                    group.push(Node::char(fold)).map_err(deep).map(|()| &t[1..])
                }
                Some((min, max, after)) => {
                    if !(0..=1000).contains(&min) || max > 1000 || (max >= 0 && min > max) {
                        return Some(error("invalid repeat count", before(t, after)));
                    }
                    repeat = t;
                    let after = match repetition(t, after, last_repeat, top) {
                        Ok(after) => after,
                        Err(e) => return Some(e),
                    };
                    let group = Group::current(&mut open, &mut outer);
                    if let Err(e) = group.repeat() {
                        return Some(deep(e));
                    }
                    // Go counts a repetition's largest count, its minimum
                    // if unbounded; `{0}` keeps nothing of what it takes.
                    let copies = &mut group.copies;
                    let times = u64::try_from(if max < 0 { min } else { max }).unwrap_or(0);
                    let taken = if max == 0 {
                        1
                    } else {
                        times.max(1) * copies.top
                    };
                    if (min >= 2 || max >= 2) && taken > MAX_COPIES {
                        return Some(error("invalid repeat count", before(t, after)));
                    }
                    copies.top = taken;
                    Ok(after)
                }
            },
            '\\' => escape_token(t, &mut top, fold).and_then(|(rest, node, count)| {
                let group = Group::current(&mut open, &mut outer);
                // `\Q\E` quotes nothing: the stack keeps its top.
                if count > 0 {
                    group.copies.push(1);
                }
                for _ in 0..count {
                    group.push(node).map_err(deep)?;
                }
                Ok(rest)
            }),
            _ => {
                top = Top::Operand;
                let group = Group::current(&mut open, &mut outer);
                group.copies.push(1);
                let node = match c {
                    '.' => Node::CLASS,
                    '^' | '$' => Node::OTHER,
                    _ => Node::char(fold),
                };
                group.push(node).map_err(deep).map(|()| &t[c.len_utf8()..])
            }
        };
        match result {
            Ok(rest) => t = rest,
            Err(e) => return Some(e),
        }
        last_repeat = repeat;
    }
    // Go makes the innermost open group's nodes (or the pattern's) one
    // node before it looks for a group left open.
    let unclosed = !open.is_empty();
    let mut innermost = open.pop().unwrap_or(outer);
    innermost.capture = false;
    if let Err(e) = innermost.close() {
        return Some(deep(e));
    }
    unclosed.then(|| error("missing closing )", pattern))
}

/// A repetition operator from `before` (`*`, `{2,3}`), the text after it
/// `after`: Go takes a `?` after it (lazy), then refuses it after another
/// operator, then with nothing to repeat.
fn repetition<'a>(
    before_op: &'a str,
    after: &'a str,
    last_repeat: &str,
    top: Top,
) -> Result<&'a str, String> {
    let after = after.strip_prefix('?').unwrap_or(after);
    if !last_repeat.is_empty() {
        return Err(error(
            "invalid nested repetition operator",
            &last_repeat[..last_repeat.len() - after.len()],
        ));
    }
    if top != Top::Operand {
        return Err(error(
            "missing argument to repetition operator",
            before(before_op, after),
        ));
    }
    Ok(after)
}

/// `{min}`, `{min,}` (max -1) or `{min,max}` at the start of `s`, with the
/// rest; a number too large makes the minimum -1. `None` when `s` does
/// not start so: the `{` is then a literal.
fn counted(s: &str) -> Option<(i64, i64, &str)> {
    let (min, s) = int(s.strip_prefix('{')?)?;
    let (min, max, s) = match s.strip_prefix(',') {
        None => (min, min, s),
        Some(s) if s.starts_with('}') => (min, -1, s),
        Some(s) => {
            let (max, s) = int(s)?;
            (if max < 0 { -1 } else { min }, max, s)
        }
    };
    Some((min, max, s.strip_prefix('}')?))
}

/// A decimal number without leading zeros, and the rest; -1 when it
/// reaches 10^8 before its last digit (Go's `parseInt`).
fn int(s: &str) -> Option<(i64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits >= 2 && s.starts_with('0')) {
        return None;
    }
    let mut n: i64 = 0;
    for b in s[..digits].bytes() {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some((n, &s[digits..]))
}

/// What `(?...` opens or sets: the text after it, the group it opens, if
/// any (whether a capture), and whether literals fold case after it, if
/// it says.
type Flags<'a> = (&'a str, Option<bool>, Option<bool>);

/// `(?` at the start of `s`: a named group, or flags with or without a
/// group.
fn perl_flags(s: &str) -> Result<Flags<'_>, String> {
    let named = if s.len() > 4 && s[2..].starts_with("P<") {
        Some(4)
    } else if s.len() > 3 && s[2..].starts_with('<') {
        Some(3)
    } else {
        None
    };
    if let Some(start) = named {
        let Some(end) = s.find('>') else {
            return Err(error("invalid named capture", s));
        };
        let name = &s[start..end];
        if name.is_empty() || !name.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric()) {
            return Err(error("invalid named capture", &s[..=end]));
        }
        return Ok((&s[end + 1..], Some(true), None));
    }
    let mut t = &s[2..];
    let mut negated = false;
    let mut saw_flag = false;
    let mut fold = None;
    while let Some(c) = t.chars().next() {
        t = &t[c.len_utf8()..];
        match c {
            'i' | 'm' | 's' | 'U' => {
                saw_flag = true;
                if c == 'i' {
                    fold = Some(!negated);
                }
            }
            '-' if !negated => {
                negated = true;
                saw_flag = false;
            }
            ':' | ')' if !negated || saw_flag => return Ok((t, (c == ':').then_some(false), fold)),
            _ => break,
        }
    }
    Err(error("invalid or unsupported Perl syntax", before(s, t)))
}

/// A token starting with `\`: the rest, and the node it puts on Go's
/// stack that many times (`fold`: whether literals fold case here).
fn escape_token<'a>(
    t: &'a str,
    top: &mut Top,
    fold: bool,
) -> Result<(&'a str, Node, usize), String> {
    match t.as_bytes().get(1) {
        Some(b'A' | b'b' | b'B' | b'z') => {
            *top = Top::Operand;
            return Ok((&t[2..], Node::OTHER, 1));
        }
        Some(b'C') => return Err(error("invalid escape sequence", &t[..2])),
        Some(b'Q') => {
            let (quoted, rest) = t[2..].split_once("\\E").unwrap_or((&t[2..], ""));
            // A literal each (two stand for more: Go merges them).
            let count = quoted.chars().take(2).count();
            if count > 0 {
                *top = Top::Operand;
            }
            return Ok((rest, Node::char(fold), count));
        }
        _ => {}
    }
    *top = Top::Operand;
    if let Some(rest) = unicode_class(t)? {
        return Ok((rest, Node::CLASS, 1));
    }
    if let Some(rest) = perl_class(t) {
        return Ok((rest, Node::CLASS, 1));
    }
    escape(t).map(|(_, rest)| (rest, Node::char(fold), 1))
}

/// `\p{Greek}`, `\pL`, `\P{^Lu}` at the start of `s`: the rest; `None`
/// if `s` starts with no `\p` or `\P`.
fn unicode_class(s: &str) -> Result<Option<&str>, String> {
    if !(s.starts_with("\\p") || s.starts_with("\\P")) {
        return Ok(None);
    }
    let t = &s[2..];
    let (seq, name, rest) = if t.starts_with('{') {
        let Some(end) = s.find('}') else {
            return Err(error("invalid character class range", s));
        };
        (&s[..=end], &s[3..end], &s[end + 1..])
    } else {
        let size = t.chars().next().map_or(0, char::len_utf8);
        (&s[..2 + size], &t[..size], &t[size..])
    };
    let name = name.strip_prefix('^').unwrap_or(name);
    if !UNICODE_CLASSES.contains(&canonical_name(name).as_str()) {
        return Err(error("invalid character class range", seq));
    }
    Ok(Some(rest))
}

/// Go's lookup key of a Unicode class name: the first letter upper case,
/// the others lower case, without `_`, `-` and spaces.
fn canonical_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().filter(|c| !matches!(c, '_' | '-' | ' ')) {
        if out.is_empty() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// `\d`, `\S`, ... at the start of `s`: the rest.
fn perl_class(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('\\')?;
    rest.strip_prefix(['d', 'D', 's', 'S', 'w', 'W'])
}

/// An escape sequence at the start of `s` (which starts with `\`): the
/// code point it stands for and the rest.
fn escape(s: &str) -> Result<(u32, &str), String> {
    let invalid = |rest: &str| Err(error("invalid escape sequence", before(s, rest)));
    let mut t = &s[1..];
    let Some(c) = t.chars().next() else {
        return Err(error("trailing backslash at end of expression", ""));
    };
    t = &t[c.len_utf8()..];
    let octal = |t: &str| {
        t.as_bytes()
            .first()
            .is_some_and(|b| (b'0'..=b'7').contains(b))
    };
    match c {
        // A single non-zero digit would be a backreference.
        '1'..='7' if !octal(t) => invalid(t),
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            for _ in 1..3 {
                if !octal(t) {
                    break;
                }
                r = r * 8 + u32::from(t.as_bytes()[0] - b'0');
                t = &t[1..];
            }
            Ok((r, t))
        }
        'x' => {
            let Some(c) = t.chars().next() else {
                return invalid(t);
            };
            t = &t[c.len_utf8()..];
            if c == '{' {
                let mut r: u32 = 0;
                let mut digits = 0;
                loop {
                    let Some(c) = t.chars().next() else {
                        return invalid(t);
                    };
                    t = &t[c.len_utf8()..];
                    if c == '}' {
                        break;
                    }
                    let Some(v) = c.to_digit(16) else {
                        return invalid(t);
                    };
                    r = r * 16 + v;
                    if r > 0x10FFFF {
                        return invalid(t);
                    }
                    digits += 1;
                }
                return if digits == 0 { invalid(t) } else { Ok((r, t)) };
            }
            let x = c.to_digit(16);
            let y = t.chars().next();
            if let Some(y) = y {
                t = &t[y.len_utf8()..];
            }
            match (x, y.and_then(|y| y.to_digit(16))) {
                (Some(x), Some(y)) => Ok((x * 16 + y, t)),
                _ => invalid(t),
            }
        }
        'a' => Ok((7, t)),
        'f' => Ok((12, t)),
        'n' => Ok((10, t)),
        'r' => Ok((13, t)),
        't' => Ok((9, t)),
        'v' => Ok((11, t)),
        // Punctuation stands for itself.
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c as u32, t)),
        _ => invalid(t),
    }
}

/// A character class at the start of `s` (which starts with `[`): the rest.
fn class(s: &str) -> Result<&str, String> {
    let mut t = &s[1..];
    t = t.strip_prefix('^').unwrap_or(t);
    // `]` is a member when it comes first.
    let mut first = true;
    while t.is_empty() || !t.starts_with(']') || first {
        first = false;
        if t.len() > 2 && t.starts_with("[:") {
            if let Some(i) = t[2..].find(":]") {
                let name = &t[..i + 4];
                if !POSIX_CLASSES.contains(&name) {
                    return Err(error("invalid character class range", name));
                }
                t = &t[i + 4..];
                continue;
            }
        }
        if let Some(rest) = unicode_class(t)? {
            t = rest;
            continue;
        }
        if let Some(rest) = perl_class(t) {
            t = rest;
            continue;
        }
        let range = t;
        let (lo, rest) = class_char(t, s)?;
        t = rest;
        if t.len() >= 2 && t.starts_with('-') && !t[1..].starts_with(']') {
            let (hi, rest) = class_char(&t[1..], s)?;
            t = rest;
            if hi < lo {
                return Err(error("invalid character class range", before(range, t)));
            }
        }
    }
    Ok(&t[1..])
}

/// The node Go makes of a (valid) class: a literal when it holds one
/// character, or one letter in both cases (`[a]`, `[Aa]`; under `(?i)`
/// both are the latter), else a class. Only ASCII letters' cases are
/// known here: a class of another cased letter stays a class.
fn class_node(class: &str, fold: bool) -> Node {
    let inner = &class[1..class.len() - 1];
    if inner.starts_with('^') {
        return Node::CLASS;
    }
    let mut members = Vec::new();
    let mut t = inner;
    while !t.is_empty() {
        let named = t.starts_with("[:") || t.starts_with("\\p") || t.starts_with("\\P");
        if named || perl_class(t).is_some() {
            return Node::CLASS;
        }
        let Ok((lo, rest)) = class_char(t, class) else {
            return Node::CLASS;
        };
        t = rest;
        let mut hi = lo;
        if t.len() >= 2 && t.starts_with('-') {
            let Ok((end, rest)) = class_char(&t[1..], class) else {
                return Node::CLASS;
            };
            (hi, t) = (end, rest);
        }
        if hi - lo > 1 {
            return Node::CLASS;
        }
        members.extend(lo..=hi);
    }
    // Each member's cases, where `fold` adds them.
    let mut cases = Vec::new();
    for &c in &members {
        let Some(c) = char::from_u32(c) else {
            return Node::CLASS;
        };
        match (fold, c.is_ascii_alphabetic()) {
            (true, true) => cases.extend([c.to_ascii_lowercase(), c.to_ascii_uppercase()]),
            (true, false) if !c.is_ascii() => return Node::CLASS,
            _ => cases.push(c),
        }
    }
    cases.sort_unstable();
    cases.dedup();
    match cases[..] {
        [_] => Node::char(false),
        // `k` and `s` have a third case outside ASCII (Kelvin, long s).
        [upper, lower]
            if upper.is_ascii_uppercase()
                && lower == upper.to_ascii_lowercase()
                && !matches!(lower, 'k' | 's') =>
        {
            Node::char(true)
        }
        _ => Node::CLASS,
    }
}

/// One member of a class: an escape or a character, and the rest.
fn class_char<'a>(t: &'a str, whole_class: &str) -> Result<(u32, &'a str), String> {
    match t.chars().next() {
        None => Err(error("missing closing ]", whole_class)),
        Some('\\') => escape(t),
        Some(c) => Ok((c as u32, &t[c.len_utf8()..])),
    }
}

/// The POSIX classes Go knows inside `[...]`.
const POSIX_CLASSES: &[&str] = &[
    "[:alnum:]",
    "[:^alnum:]",
    "[:alpha:]",
    "[:^alpha:]",
    "[:ascii:]",
    "[:^ascii:]",
    "[:blank:]",
    "[:^blank:]",
    "[:cntrl:]",
    "[:^cntrl:]",
    "[:digit:]",
    "[:^digit:]",
    "[:graph:]",
    "[:^graph:]",
    "[:lower:]",
    "[:^lower:]",
    "[:print:]",
    "[:^print:]",
    "[:punct:]",
    "[:^punct:]",
    "[:space:]",
    "[:^space:]",
    "[:upper:]",
    "[:^upper:]",
    "[:word:]",
    "[:^word:]",
    "[:xdigit:]",
    "[:^xdigit:]",
];

/// The Unicode class names Go 1.26 takes in `\p{...}`, by their lookup
/// key (`canonical_name`): its categories, scripts, category aliases and
/// `Any`, `Assigned`, `ASCII`, `LC`. Listed by asking Go's parser each
/// name of its tables (`tests/data/goregexp-go`, `names`).
const UNICODE_CLASSES: &[&str] = &include!("../tests/data/goregexp_classes.in");

/// A case of the Go tables written out: `<<N*text>>` is `text` N times
/// (so that the cases of deeply nested patterns stay short).
#[cfg(test)]
pub(crate) fn expand(case: &str) -> String {
    let mut out = String::new();
    let mut rest = case;
    while let Some((head, tail)) = rest.split_once("<<") {
        let (run, tail) = tail.split_once(">>").expect("a run ends with >>");
        let (n, text) = run.split_once('*').expect("a run is <<N*text>>");
        out.push_str(head);
        out.push_str(&text.repeat(n.parse().expect("a count")));
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go 1.26's answers (`tests/data/goregexp_go.tsv`, written by
    /// `goregexp-go` from its `cases.txt`): the same error, word for word,
    /// or none.
    #[test]
    fn patterns_are_refused_as_go_refuses_them() {
        let table = include_str!("../tests/data/goregexp_go.tsv");
        let mut checked = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (pattern, go) = line.split_once('\t').expect("two columns");
            // Go's %q of these cases is JSON's quoting.
            let pattern = expand(&serde_json::from_str::<String>(pattern).expect(pattern));
            let go = expand(&serde_json::from_str::<String>(go).expect(go));
            let go = (!go.is_empty()).then_some(go);
            assert_eq!(syntax_error(&pattern), go, "{pattern}");
            checked += 1;
        }
        assert!(checked > 100, "{checked}");
    }

    /// Patterns of the characters that matter to the parser (and a few
    /// wider ones, whose byte offsets must be kept whole): no panic, and
    /// an answer in Go's form.
    #[test]
    fn any_pattern_gets_an_answer() {
        use rand::{Rng, SeedableRng};
        const PARTS: &[&str] = &[
            "(", ")", "(?", "(?P<", "(?<", ">", "P", "i", "-", ":", "|", "*", "+", "?", "{", "}",
            ",", "1", "0", "1001", "[", "]", "^", "[:", ":]", "alpha", "\\", "\\p", "\\P", "\\Q",
            "\\E", "\\x", "\\d", "a", "z", "é", "€", "😀", "L", "Greek",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..50_000 {
            let n = rng.random_range(0..12);
            let pattern: String = (0..n)
                .map(|_| PARTS[rng.random_range(0..PARTS.len())])
                .collect();
            if let Some(e) = syntax_error(&pattern) {
                assert!(
                    e.starts_with("error parsing regexp: ") && e.ends_with('`'),
                    "{pattern}: {e}"
                );
            }
        }
    }

    #[test]
    fn unicode_class_names_are_looked_up_as_go_does() {
        assert_eq!(canonical_name("cased_letter"), "Casedletter");
        assert_eq!(canonical_name("GREEK"), "Greek");
        assert_eq!(syntax_error(r"\p{ l }"), None);
        assert_eq!(syntax_error(r"\p{Lu}\P{^greek}"), None);
    }
}
