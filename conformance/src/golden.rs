//! Replays the vectors recorded from a real Nakama 3.40.0
//! (`shared/reference/golden/*.jsonl`) against a running host, in file
//! order, and compares status, the recorded headers and the body after the
//! golden README's normalisation (uuids, timestamps, tokens, cursors).
//!
//! Each file expects a fresh database and the golden module
//! (`fixtures/golden-module`) loaded. Differences a host intends are passed
//! in with their reason; any other difference is a failure.

use std::collections::HashMap;
use std::path::PathBuf;

use base64::Engine as _;
use regex::Regex;
use serde_json::Value;

use crate::http::HttpResponse;

/// The files a host replays (`other_runtimes.jsonl` is about JS and Lua).
pub const FILES: &[&str] = &[
    "rpc.jsonl",
    "errors.jsonl",
    "auth.jsonl",
    "storage.jsonl",
    "account.jsonl",
];

/// A difference a host intends: (vector name, why).
pub type Intended = (&'static str, &'static str);

fn golden_dir() -> PathBuf {
    crate::workspace().join("../shared/reference/golden")
}

pub fn vectors(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(golden_dir().join(file))
        .unwrap_or_else(|e| panic!("read golden/{file}: {e} (is ../shared beside the repo?)"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("vector is JSON"))
        .collect()
}

/// What earlier vectors captured: NAME -> (token, refresh_token, user_id).
#[derive(Default)]
struct Captures(HashMap<String, (String, String, String)>);

impl Captures {
    fn substitute(&self, text: &str) -> String {
        let re = Regex::new(r"<(token|refresh_token|user_id):([A-Za-z0-9_]+)>").unwrap();
        re.replace_all(text, |c: &regex::Captures<'_>| {
            let (t, r, u) = self
                .0
                .get(&c[2])
                .unwrap_or_else(|| panic!("no capture named {}", &c[2]));
            match &c[1] {
                "token" => t.clone(),
                "refresh_token" => r.clone(),
                _ => u.clone(),
            }
        })
        .into_owned()
    }
}

fn jwt_claims(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next = || {
        let part = parts.next().unwrap_or("");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    let header = next();
    let claims = next();
    (header, claims)
}

struct Normaliser {
    uuid: Regex,
    ts: Regex,
    jwt: Regex,
}

impl Normaliser {
    fn new() -> Self {
        Normaliser {
            uuid: Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
                .unwrap(),
            ts: Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z").unwrap(),
            jwt: Regex::new(r"^eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*$").unwrap(),
        }
    }

    fn text(&self, s: &str) -> String {
        if self.jwt.is_match(s) {
            return "<token>".into();
        }
        // protobuf-go writes a space or a no-break space after "proto:"
        // depending on a hash of the binary (deliberately unstable text), so
        // two Nakama builds differ there.
        let s = s.replace('\u{a0}', " ");
        let s = self.uuid.replace_all(&s, |c: &regex::Captures<'_>| {
            if &c[0] == "00000000-0000-0000-0000-000000000000" {
                c[0].to_string()
            } else {
                "<uuid>".to_string()
            }
        });
        self.ts.replace_all(&s, "<ts>").into_owned()
    }

    fn json(&self, v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        let v = match (k.as_str(), v) {
                            ("token", Value::String(s)) if !s.is_empty() => "<token>".into(),
                            ("refresh_token", Value::String(s)) if !s.is_empty() => {
                                "<refresh_token>".into()
                            }
                            ("cursor", Value::String(s)) if !s.is_empty() => "<cursor>".into(),
                            _ => self.json(v),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.json(v)).collect()),
            Value::String(s) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }
}

fn send(port: u16, caps: &Captures, req: &Value) -> HttpResponse {
    let method = req["method"].as_str().unwrap();
    let path = caps.substitute(req["path_and_query"].as_str().unwrap());
    let headers: Vec<(String, String)> = req["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.clone(), caps.substitute(v.as_str().unwrap_or(""))))
                .collect()
        })
        .unwrap_or_default();
    let body: Option<Vec<u8>> = if let Some(g) = req.get("body_generator") {
        let unit = g["repeat"].as_str().unwrap();
        Some(
            unit.repeat(g["times"].as_u64().unwrap() as usize)
                .into_bytes(),
        )
    } else if let Some(b) = req.get("body_base64").and_then(Value::as_str) {
        Some(base64::engine::general_purpose::STANDARD.decode(b).unwrap())
    } else {
        req["body"]
            .as_str()
            .map(|b| caps.substitute(b).into_bytes())
    };
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    crate::http::request(port, method, &path, &header_refs, body.as_deref())
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// Compares one answer with the recording; answers the differences.
fn compare(norm: &Normaliser, vector: &Value, got: &HttpResponse) -> Vec<String> {
    let want = &vector["response"];
    let mut diffs = Vec::new();
    if want["status"].as_u64() != Some(got.status as u64) {
        diffs.push(format!(
            "status: want {}, got {}",
            want["status"], got.status
        ));
    }
    for h in [
        "Content-Type",
        "Www-Authenticate",
        "Grpc-Metadata-Content-Type",
    ] {
        let w = want["headers"].get(h).and_then(Value::as_str);
        let g = got.header(h);
        if w != g {
            diffs.push(format!("header {h}: want {w:?}, got {g:?}"));
        }
    }
    if let Some(b64) = want.get("body_base64").and_then(Value::as_str) {
        let w = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        if w != got.body {
            diffs.push(format!("body bytes: want {w:?}, got {:?}", got.body));
        }
    } else if !want["body_json"].is_null() {
        let g = norm.json(&got.json());
        if norm.json(&want["body_json"]) != g {
            diffs.push(format!("body: want {}, got {}", want["body_json"], g));
        }
    } else {
        let w = want["body_raw"].as_str().unwrap_or("");
        let g = norm.text(&got.text());
        if w != g {
            diffs.push(format!("raw body: want {w:?}, got {g:?}"));
        }
    }
    if let Some(claims) = want.get("token_claims") {
        let body = got.json();
        for which in ["token", "refresh_token"] {
            let Some(w) = claims.get(which) else { continue };
            let (header, c) = jwt_claims(body[which].as_str().unwrap_or(""));
            if header != w["header"] {
                diffs.push(format!(
                    "{which} header: want {}, got {header}",
                    w["header"]
                ));
            }
            let keys = |v: &Value| -> Vec<String> {
                v.as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let (mut wk, mut gk) = (keys(&w["claims"]), keys(&c));
            wk.sort();
            gk.sort();
            if wk != gk {
                diffs.push(format!("{which} claim keys: want {wk:?}, got {gk:?}"));
            }
            let span = c["exp"].as_i64().unwrap_or(0) - c["iat"].as_i64().unwrap_or(0);
            match &w["exp_minus_iat"] {
                Value::Number(n) if n.as_i64() != Some(span) => {
                    diffs.push(format!("{which} exp-iat: want {n}, got {span}"))
                }
                Value::String(s) => {
                    let min: i64 = s.trim_start_matches(">=").parse().unwrap_or(0);
                    if span < min {
                        diffs.push(format!("{which} exp-iat: want {s}, got {span}"));
                    }
                }
                _ => {}
            }
            for (k, v) in w["claims"].as_object().into_iter().flatten() {
                if let Some(s) = v.as_str() {
                    if !s.starts_with('<') && c[k].as_str() != Some(s) {
                        diffs.push(format!("{which} claim {k}: want {s}, got {}", c[k]));
                    }
                }
            }
        }
    }
    diffs
}

/// What a replay found.
#[derive(Debug, Default)]
pub struct Report {
    pub passed: usize,
    /// Vectors that differ and are on the intended list.
    pub intended: usize,
    /// One entry per unexpected difference, naming the vector.
    pub failed: Vec<String>,
}

/// Replays `file` against the host on 127.0.0.1:`port` (fresh database,
/// golden module loaded).
pub fn replay(file: &str, port: u16, intended: &[Intended]) -> Report {
    let norm = Normaliser::new();
    let mut caps = Captures::default();
    let mut report = Report::default();
    for v in vectors(file) {
        let name = v["name"].as_str().unwrap().to_string();
        let got = send(port, &caps, &v["request"]);
        if let Some(cap) = v.get("capture").and_then(Value::as_str) {
            let body = got.json();
            let token = body["token"].as_str().unwrap_or("").to_string();
            let refresh = body["refresh_token"].as_str().unwrap_or("").to_string();
            let uid = jwt_claims(&token).1["uid"]
                .as_str()
                .unwrap_or("")
                .to_string();
            caps.0.insert(cap.to_string(), (token, refresh, uid));
        }
        let diffs = compare(&norm, &v, &got);
        if diffs.is_empty() {
            report.passed += 1;
        } else if intended.iter().any(|(n, _)| *n == name) {
            report.intended += 1;
        } else {
            report
                .failed
                .push(format!("{file} {name}:\n    {}", diffs.join("\n    ")));
        }
    }
    report
}

/// [`replay`], printing the counts and failing on unexpected differences.
pub fn check(file: &str, port: u16, intended: &[Intended]) {
    let report = replay(file, port, intended);
    println!(
        "{file}: {} match, {} differ as intended, {} fail",
        report.passed,
        report.intended,
        report.failed.len()
    );
    assert!(
        report.failed.is_empty(),
        "unexpected differences:\n{}",
        report.failed.join("\n")
    );
}

/// Fails unless `doc` (a document's text) names every intended vector.
pub fn assert_documented(doc: &str, intended: &[Intended]) {
    for (name, _) in intended {
        assert!(
            doc.contains(name),
            "the differences document does not explain {name}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_ids_times_and_tokens_but_not_the_nil_uuid() {
        let n = Normaliser::new();
        assert_eq!(
            n.text("u 123e4567-e89b-12d3-a456-426614174000 at 2026-01-02T03:04:05.123Z"),
            "u <uuid> at <ts>"
        );
        assert_eq!(
            n.text("00000000-0000-0000-0000-000000000000"),
            "00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(n.text("eyJa.eyJb.sig"), "<token>");
        assert_eq!(
            n.json(&serde_json::json!({"cursor": "abc", "token": ""})),
            serde_json::json!({"cursor": "<cursor>", "token": ""})
        );
    }

    #[test]
    fn substitutes_captured_sessions() {
        let mut caps = Captures::default();
        caps.0
            .insert("a".into(), ("T".into(), "R".into(), "U".into()));
        assert_eq!(
            caps.substitute("Bearer <token:a> <refresh_token:a> /<user_id:a>"),
            "Bearer T R /U"
        );
    }

    #[test]
    fn every_file_has_vectors() {
        for f in FILES {
            assert!(!vectors(f).is_empty(), "{f} has no vectors");
        }
    }
}
