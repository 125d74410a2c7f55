use nakama_runtime::prelude::*;

#[derive(MatchMessage)]
struct Move {
    x: i32,
    y: i32,
}

fn main() {}
