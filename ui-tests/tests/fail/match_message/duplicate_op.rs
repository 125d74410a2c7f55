use nakama_runtime::prelude::*;

#[derive(MatchMessage)]
enum Msg {
    #[op(1)]
    Ready,
    #[op(1)]
    Move { x: i32, y: i32 },
}

fn main() {}
