//! Replays every golden vector recorded from a real Nakama 3.40.0
//! (`shared/reference/golden/*.jsonl`, except other_runtimes.jsonl) against
//! the dev host serving `fixtures/golden-module`, each file on a fresh
//! server (the replay itself is `nakama_conformance::golden`, shared with
//! the bridge's tests against real Nakama).
//!
//! Differences we intend are listed in [`INTENDED`] with their reason (the
//! same list is in docs/differences.md); any other difference fails.

use std::path::PathBuf;

use crate::common::Server;
use nakama_conformance::golden::{self, Intended};

/// Vectors whose answer differs on purpose, and why.
const INTENDED: &[Intended] = &[
    (
        "rpc_plain_go_error_account_bad",
        "a Rust error always has a gRPC code, so the `error` field is {\"Message\",\"Code\":13} where Go's plain error serialises as {}; status, code and message match",
    ),
    (
        "rpc_body_at_limit_accepted",
        "the same module error as rpc_plain_go_error_account_bad (a body of exactly the limit reaches account_bad): `error` carries the code",
    ),
];

/// Replays one file on a fresh dev host serving the golden module.
fn check(file: &str) {
    let server = Server::start(&["golden-module"], &["--logger.level", "error"]);
    golden::check(file, server.port, INTENDED);
}

#[test]
fn golden_rpc() {
    check("rpc.jsonl");
}

#[test]
fn golden_errors() {
    check("errors.jsonl");
}

#[test]
fn golden_auth() {
    check("auth.jsonl");
}

#[test]
fn golden_storage() {
    check("storage.jsonl");
}

#[test]
fn golden_account() {
    check("account.jsonl");
}

#[test]
fn intended_differences_are_documented() {
    let doc = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/differences.md"),
    )
    .expect("docs/differences.md");
    golden::assert_documented(&doc, INTENDED);
}
