use nakama_runtime::prelude::*;

#[derive(MatchMessage)]
enum Msg {
    #[op(1)]
    Move(i32, i32),
}

fn main() {}
