use nakama_runtime::prelude::*;

#[derive(Debug, RuntimeError)]
enum GuildError {
    #[runtime_error(NotFound, "guild not found")]
    NotFound,
    Taken,
}

fn main() {}
