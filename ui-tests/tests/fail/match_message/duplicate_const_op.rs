use nakama_runtime::prelude::*;

const OP_READY: i64 = 1;
const OP_MOVE: i64 = 1;

#[derive(MatchMessage)]
enum Msg {
    #[op(OP_READY)]
    Ready,
    #[op(OP_MOVE)]
    Move { x: i32, y: i32 },
}

fn main() {}
