//! Random label queries on a module's matches (`compare_match_queries`).

use std::time::Duration;

use serde_json::{json, Value};

use super::{pick, Hosts, Run, Side};
use crate::misc::urlencode;

/// How many matches each run makes.
const MATCHES: usize = 10;

/// `calls` random query strings (bluge's dialect: must, should and
/// must-not clauses, terms, numbers, ranges of numbers and dates,
/// wildcards, regexps, fuzzy terms, phrases, boosts, escapes, and
/// malformed ones) over ten `fixture-nk` `signal_echo` matches labelled
/// with random JSON (strings, numbers, booleans, dates, arrays, nested
/// objects, nulls) or text, listed by a module (`match_list`) and by a
/// client (`GET /v2/match?query=`). Compared: the status, the error, and
/// the run's matches in the order listed (best score first, then newest
/// first: the matches are made 20 ms apart, Nakama keeping their start
/// in milliseconds).
pub fn compare_match_queries(hosts: Hosts, seed: u64, calls: usize) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut run = Run::new(hosts, seed, 1);
    let labels: Vec<String> = (0..MATCHES).map(|_| label(&mut rng)).collect();
    run.compare(format!("the run's matches, labelled {labels:?}"), |side| {
        let mut made = Vec::new();
        for label in &labels {
            let params = json!({ "label": label, "tick_rate": 1 });
            let (status, answer) = side.nk(
                "match_create",
                json!({"module": "signal_echo", "params": params}),
            );
            match answer["ok"].as_str() {
                Some(id) => side.kept("match").push(id.to_string()),
                None => return (status, answer),
            }
            made.push(status);
            std::thread::sleep(Duration::from_millis(20));
        }
        // Both hosts index labels every 20 ms here (the test's setting).
        crate::eventually("the run's matches are indexed", || {
            let listed = listed(side, &side.nk("match_list", list_args("*")).1);
            (listed.as_array().map(Vec::len) == Some(MATCHES))
                .then_some(())
                .ok_or_else(|| format!("listed: {listed}"))
        });
        (200, json!(made))
    });
    for _ in 0..calls {
        let query = query(&mut rng);
        let by_client = rng.f32() < 0.3;
        let what = format!(
            "{} {query:?}",
            if by_client { "client" } else { "match_list" }
        );
        run.compare(what, |side| {
            if by_client {
                let path = format!("/v2/match?limit=100&query={}", urlencode(&query));
                let (status, page) = side.call(0, "GET", &path, None);
                let shown = match status {
                    200 => listed(side, &json!({ "ok": page["matches"] })),
                    _ => page,
                };
                (status, shown)
            } else {
                let (status, answer) = side.nk("match_list", list_args(&query));
                (status, listed(side, &answer))
            }
        });
    }
    run.compare("the run's matches stop".into(), |side| {
        for id in side.kept("match").clone() {
            side.nk("match_signal", json!({"id": id, "data": "stop"}));
        }
        (200, Value::Null)
    });
}

/// `match_list`'s arguments for `query`: authoritative matches only (a
/// query lists no other), up to 100.
fn list_args(query: &str) -> Value {
    json!({"limit": 100, "authoritative": true, "label": "", "query": query})
}

/// The run's matches in a listing (`ok`: an array of matches), by the
/// order they were made, in the order listed (earlier runs' matches
/// share the hosts).
fn listed(side: &Side, answer: &Value) -> Value {
    let made = side.kept.get("match").cloned().unwrap_or_default();
    let Some(all) = answer["ok"].as_array() else {
        return answer.clone();
    };
    all.iter()
        .filter_map(|m| {
            let id = m["match_id"].as_str()?;
            made.iter().position(|k| k == id)
        })
        .map(Value::from)
        .collect()
}

/// Values the labels' fields take and the queries look for.
const WORDS: &[&str] = &[
    "duel",
    "Duel",
    "duel-2",
    "team",
    "ffa",
    "düel",
    "a b",
    "x:y",
    "T",
    "F",
    "5",
    "1e3",
    "",
    "a*b",
    "x?y",
    "back\\slash",
    "-0",
    "du\u{a0}el",
    "ＤＵＥＬ",
];
const NUMBERS: &[f64] = &[
    0.0,
    1.0,
    5.0,
    10.0,
    -3.0,
    2.5,
    1000.0,
    100000.0,
    0.1,
    -0.5,
    -0.0,
    1e300,
    9007199254740993.0,
    1e-7,
];
const DATES: &[&str] = &[
    "2024-01-02T03:04:05Z",
    "2024-01-02",
    "2023-12-31 23:59:59",
    "2024-06-01T00:00:00+02:00",
    "2024-13-01",
];

/// A match label: mostly a JSON object of some of these fields, else
/// text or nothing.
fn label(rng: &mut fastrand::Rng) -> String {
    if rng.f32() < 0.1 {
        return pick(rng, &["", "duel", "{not json", "[1,2]", "5"]).to_string();
    }
    let mut r = fastrand::Rng::with_seed(rng.u64(..));
    let mut keep = fastrand::Rng::with_seed(rng.u64(..));
    let mut label = serde_json::Map::new();
    let mut maybe = |name: &str, value: Value| {
        if keep.f32() < 0.6 {
            label.insert(name.into(), value);
        }
    };
    maybe("mode", json!(pick(&mut r, WORDS)));
    maybe("level", json!(pick(&mut r, NUMBERS)));
    maybe("open", json!(r.bool()));
    maybe("when", json!(pick(&mut r, DATES)));
    let tags: Vec<&str> = (0..r.usize(..4)).map(|_| *pick(&mut r, WORDS)).collect();
    maybe("tags", json!(tags));
    let scores: Vec<f64> = (0..r.usize(..3)).map(|_| *pick(&mut r, NUMBERS)).collect();
    maybe("scores", json!(scores));
    maybe(
        "nested",
        json!({"a": pick(&mut r, WORDS), "b": {"c": pick(&mut r, NUMBERS)}}),
    );
    maybe("none", Value::Null);
    maybe("odd.key", json!(pick(&mut r, WORDS)));
    maybe("ü", json!(pick(&mut r, NUMBERS)));
    maybe(
        "deep",
        json!([[pick(&mut r, WORDS)], {"x": pick(&mut r, NUMBERS)}]),
    );
    maybe("big", json!(u64::MAX));
    maybe(
        "mixed",
        json!([pick(&mut r, WORDS), pick(&mut r, NUMBERS), r.bool()]),
    );
    Value::Object(label).to_string()
}

/// A query string: one to four clauses, now and then a whole odd one.
fn query(rng: &mut fastrand::Rng) -> String {
    if rng.f32() < 0.08 {
        return pick(
            rng,
            &[
                "*",
                "",
                " ",
                "+",
                "-",
                "+*",
                "-*",
                "label.mode:duel AND label.level:5",
                "(label.mode:duel)",
                "label.mode:duel OR label.mode:team",
                "!label.open:T",
                "label.mode:duel^",
                "label.mode:duel~",
                "^2",
                ":",
                "label.mode::duel",
                "\"duel\"",
                "label.mode:duel\\",
                "label.*:duel",
                "label.mode:duel +",
            ],
        )
        .to_string();
    }
    if rng.f32() < 0.15 {
        return noise(rng);
    }
    let clauses = 1 + rng.usize(..4);
    let sep = *pick(rng, &[" ", " ", " ", "  ", "\t", "\n"]);
    (0..clauses)
        .map(|_| clause(rng))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Up to 24 characters, mostly of those the query language reads, now
/// and then after a field.
fn noise(rng: &mut fastrand::Rng) -> String {
    const CHARS: &[char] = &[
        '+', '-', ':', '^', '~', '*', '?', '/', '\\', '"', '(', ')', '[', ']', '{', '}', '<', '>',
        '=', '!', '&', '|', ' ', ' ', '\t', '.', ',', 'd', 'u', 'e', 'l', 'T', 'F', '0', '1', '2',
        '5', 'e', 'x', 'ü', '\u{a0}', '\u{3000}',
    ];
    let start = *pick(
        rng,
        &["", "", "label.mode:", "label.level:", "+label.tags:"],
    );
    let len = rng.usize(..24);
    let text: String = (0..len).map(|_| *pick(rng, CHARS)).collect();
    format!("{start}{text}")
}

/// One clause: a prefix, a field (or none), a value, a boost.
fn clause(rng: &mut fastrand::Rng) -> String {
    let prefix = *pick(rng, &["", "", "+", "+", "-"]);
    let field = *pick(
        rng,
        &[
            "label.mode",
            "label.mode",
            "label.level",
            "label.level",
            "label.open",
            "label.when",
            "label.tags",
            "label.scores",
            "label.nested.a",
            "label.nested.b.c",
            "label.none",
            "label.mixed",
            "label.odd.key",
            "label.ü",
            "label.deep",
            "label.deep.x",
            "label.big",
            "label.nope",
            "label",
            "label_string",
            "handler_name",
            "tick_rate",
            "",
        ],
    );
    let value = value(rng);
    let boost = *pick(
        rng,
        &[
            "", "", "", "", "^2", "^0.5", "^3", "^0", "^-1", "^abc", "^1e1",
        ],
    );
    match field {
        "" => format!("{prefix}{value}{boost}"),
        f => format!("{prefix}{f}:{value}{boost}"),
    }
}

/// A regexp about as deep as Go's parser takes (a tree 1000 high).
fn deep_regexp(rng: &mut fastrand::Rng) -> String {
    let depth = rng.usize(996..=1001);
    let (open, close, inner) = *pick(
        rng,
        &[
            ("(", ")", "duel"),
            ("(?:", ")*", "d*"),
            ("(", ")", "du|x"),
            ("(?i:(", "))", "DUEL"),
        ],
    );
    format!("/{}{inner}{}/", open.repeat(depth), close.repeat(depth))
}

/// A clause's value.
fn value(rng: &mut fastrand::Rng) -> String {
    let word = |rng: &mut fastrand::Rng| -> String {
        let w = *pick(rng, WORDS);
        // Terms end at a space or a colon unless escaped.
        w.replace(' ', "\\ ").replace(':', "\\:")
    };
    let number = |rng: &mut fastrand::Rng| -> String {
        let n = *pick(rng, NUMBERS);
        match rng.usize(..6) {
            0 => format!("{n:e}"),
            1 => format!("{n:.1}"),
            _ => n.to_string(),
        }
    };
    match rng.usize(..14) {
        0..=2 => word(rng),
        3 | 4 => number(rng),
        5 => {
            let op = *pick(rng, &[">", ">=", "<", "<="]);
            format!("{op}{}", number(rng))
        }
        6 => {
            let op = *pick(rng, &[">", ">=", "<", "<="]);
            let date = *pick(
                rng,
                &[
                    "2024-01-01T00:00:00Z",
                    "2024-01-02T03:04:05Z",
                    "2024-01-02T04:04:05+01:00",
                    "2023-12-31T23:59:59Z",
                    "2024-01-02",
                    "1600-01-01T00:00:00Z",
                    "not a date",
                ],
            );
            format!("{op}\"{date}\"")
        }
        7 => pick(
            rng,
            &[
                "du*", "*", "d?el", "*e*", "?", "D*", "1*", "t*m", "*2", "d\\*", "düe?",
            ],
        )
        .to_string(),
        8 if rng.usize(..8) == 0 => deep_regexp(rng),
        8 => pick(
            rng,
            &[
                "/du.*/",
                "/[a-z]+/",
                "/.*/",
                "/d[u]el/",
                "/(/",
                "/d{2,}/",
                "/T|F/",
                "/[0-9]+/",
                "/x\\:y/",
                "/a b/",
                "/(?i)DUEL/",
                "/^duel$/",
                "/duel",
                "/a{2}/",
                "/\\pL+/",
                "/[[:alpha:]]+/",
                "/d(u|ü)el/",
                "/du**/",
                "/d{1}*/",
                "/du+?/",
                "/(?i)du*/",
                "/[*]*/",
                // Go's syntax errors, each in its own words.
                "/a|*/",
                "/(?x)duel/",
                "/[z-a]/",
                "/du\\q/",
                "/[[:foo:]]/",
                "/\\p{Foo}/",
                "/(?P<n>d)uel/",
                "/d(uel/",
                "/duel)/",
                "/[duel/",
                "/du{1001}/",
                "/\\x{zz}/",
                "/(?i-)d/",
                "/d\\/",
                // Past what bluge's automaton builds (vellum's limits).
                "/.*u.{9}/",
                "/\\pL{100}/",
                // Go's Perl classes are ASCII.
                "/d\\w+/",
                "/\\w+/",
                "/\\d+/",
                "/[\\s\\S]+/",
                // A class of no character: the empty text to vellum,
                // unless merged into a class beside it.
                "/d[\\^\\d\\D]uel/",
                "/([\\^\\d\\D]|x)duel/",
            ],
        )
        .to_string(),
        9 => {
            let fuzz = *pick(rng, &["~", "~1", "~2", "~3", "~0", "~x", "~1.5"]);
            format!(
                "{}{fuzz}",
                pick(
                    rng,
                    &["duel", "dul", "deul", "team", "tema", "düel", "ffaa"]
                )
            )
        }
        10 => pick(
            rng,
            &[
                "\"duel\"", "\"a b\"", "\"duel", "\"\"", "\"5\"", "\"du*\"", "\"x:y\"",
            ],
        )
        .to_string(),
        11 => pick(
            rng,
            &[
                "a\\ b", "x\\:y", "\\*", "duel\\-2", "\\+5", "\\\\", "d\\uel",
            ],
        )
        .to_string(),
        12 => pick(
            rng,
            &[
                "T", "F", "true", "false", "0x10", ".5", "05", "+5", "-0", "NaN", "Inf",
            ],
        )
        .to_string(),
        _ => pick(
            rng,
            &[
                "", ":", "^", "~", "*duel", "düel", "duel-2", "-duel", "+duel",
            ],
        )
        .to_string(),
    }
}
