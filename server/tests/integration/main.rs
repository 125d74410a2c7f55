//! The dev host's integration tests, one binary for all of them: each
//! module starts the real `nakama-devhost` binary (`common::Server`) with
//! modules built by `nakama-conformance`, so the modules share nothing but
//! the build. One binary rather than one per file: each would link the
//! whole dev host again (about 90 MB and a link step apiece).

mod common;

mod accounts;
mod bad_input;
mod check;
mod custom_http;
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
