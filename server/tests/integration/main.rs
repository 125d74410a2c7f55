//! The dev host's integration tests, all in one binary: each test starts
//! the real `nakama-devhost` binary (`common::Server`) on the Nakama
//! modules it needs, built by `nakama-conformance`, so tests share nothing
//! but that build. One binary rather than one per file, as each would link
//! the whole dev host again (about 90 MB and a link step apiece). The test
//! host's tests (`testing/tests`) stay one binary per file: each file there
//! is a Nakama module, whose handlers `inventory` collects from the whole
//! binary.

mod common;

mod accounts;
mod bad_input;
mod check;
mod custom_http;
mod differential;
mod friends;
mod golden;
mod http;
mod load;
mod match_reasons;
mod misc;
mod nk;
mod realtime;
mod reload;
mod social;
mod stindex;
mod streams;
