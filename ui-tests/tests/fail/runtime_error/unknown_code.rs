use nakama_runtime::prelude::*;

#[derive(Debug, RuntimeError)]
enum GuildError {
    #[runtime_error(Missing, "guild not found")]
    NotFound,
    #[runtime_error(Ok, "all good")]
    NotAnError,
}

fn main() {}
