// Typed match messages in a match handler: decode what clients send,
// send typed answers.
use nakama_runtime::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Position {
    x: i32,
    y: i32,
}

const OP_MOVE: i64 = 1;

#[derive(MatchMessage)]
pub enum FromClient {
    #[op(OP_MOVE)]
    Move(Position),
    #[op(2)]
    Say {
        text: String,
        #[serde(default)]
        to: Option<String>,
    },
}

#[derive(MatchMessage)]
pub enum FromServer {
    #[op(10)]
    Moved { who: String, at: Position },
    #[op(11)]
    Refused,
}

pub struct Room;

impl Match for Room {
    async fn init(_: &Context, _: &Nakama, _: MatchParams) -> Result<MatchInit<Self>, Error> {
        Ok(MatchInit::new(Room, 1))
    }

    async fn tick(&mut self, _: &Context, _: &Nakama, d: &mut Dispatcher, messages: Vec<MatchData>) {
        for m in messages {
            match FromClient::from_data(&m) {
                Ok(FromClient::Move(at)) => {
                    let who = m.presence.username.clone();
                    let _ = d.broadcast_msg(&FromServer::Moved { who, at });
                }
                Ok(FromClient::Say { .. }) => {}
                Err(_) => {
                    let _ = d.send_msg_to(&[m.presence.clone()], &FromServer::Refused);
                }
            }
        }
    }
}

fn main() {}
