use nakama_runtime::prelude::*;

#[derive(Debug, RuntimeError)]
enum GuildError {
    #[runtime_error("guild not found")]
    NotFound,
}

fn main() {}
