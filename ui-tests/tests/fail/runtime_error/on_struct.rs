use nakama_runtime::prelude::*;

#[derive(Debug, RuntimeError)]
struct GuildError {
    reason: String,
}

fn main() {}
