use nakama_runtime::prelude::*;

struct Position {
    x: i32,
    y: i32,
}

#[derive(MatchMessage)]
enum Msg {
    #[op(1)]
    Move(Position),
}

fn main() {}
