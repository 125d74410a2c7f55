use nakama_runtime::prelude::*;

#[derive(Debug, RuntimeError)]
enum GuildError {
    #[runtime_error(NotFound, "guild {name} not found")]
    NotFound { id: String },
}

fn main() {}
