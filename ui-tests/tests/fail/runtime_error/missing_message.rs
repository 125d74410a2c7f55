use nakama_runtime::prelude::*;

#[derive(Debug, RuntimeError)]
enum GuildError {
    #[runtime_error(NotFound)]
    NotFound,
}

fn main() {}
