//! Arbitrary bytes as a match listing's label query (`GET /v2/match?query=`,
//! `match_list`) and the label it is matched against: `<query>\0<label>`.
//! Both come from clients or modules. Nothing may panic: a query that does
//! not parse is an error, one that parses scores any document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nakama_devhost::query::{Document, Query};

/// The label of an input without a `\0`: a keyword, a number, a boolean
/// and a date, one of each kind of term.
const LABEL: &[u8] = br#"{"mode":"ranked","skill":12.5,"open":true,"at":"2026-12-03T10:00:00Z"}"#;

fuzz_target!(|data: &[u8]| {
    let (query, label) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, LABEL),
    };
    let Ok(query) = std::str::from_utf8(query) else {
        return;
    };
    let mut doc = Document::default();
    if let Ok(label) = serde_json::from_slice::<serde_json::Value>(label) {
        doc.add_json("", &label);
    }
    match Query::parse(query) {
        Ok(q) => {
            let _ = q.score(&doc);
            let _ = doc.sort_value("skill");
        }
        Err(e) => assert!(!e.message().is_empty(), "an error says what is wrong"),
    }
});
