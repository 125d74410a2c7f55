use nakama_runtime::prelude::*;

#[derive(MatchMessage)]
enum Msg {
    #[op("move")]
    Move { x: i32, y: i32 },
}

fn main() {}
