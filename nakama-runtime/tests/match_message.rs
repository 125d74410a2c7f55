//! `#[derive(MatchMessage)]`: op codes, data encodings, and what a message
//! that does not decode answers.

use nakama_runtime::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Position {
    x: i32,
    y: i32,
}

const OP_SAY: i64 = 20;

#[derive(Debug, PartialEq, MatchMessage)]
enum Msg {
    #[op(1)]
    Move(Position),
    #[op(OP_SAY)]
    Say {
        text: String,
        #[serde(default)]
        loud: bool,
    },
    #[op(-3)]
    Ready,
    #[op(4)]
    Names(Vec<String>),
}

fn round_trip(m: Msg) -> (i64, String) {
    let data = m.encode().unwrap();
    let back = Msg::decode(m.op_code(), &data).unwrap();
    assert_eq!(back, m);
    (m.op_code(), String::from_utf8(data).unwrap())
}

#[test]
fn each_variant_has_its_op_code_and_json_data() {
    assert_eq!(
        round_trip(Msg::Move(Position { x: 1, y: -2 })),
        (1, r#"{"x":1,"y":-2}"#.to_string())
    );
    assert_eq!(
        round_trip(Msg::Say {
            text: "hi".into(),
            loud: true
        }),
        (20, r#"{"text":"hi","loud":true}"#.to_string())
    );
    assert_eq!(round_trip(Msg::Ready), (-3, String::new()));
    assert_eq!(
        round_trip(Msg::Names(vec!["a".into()])),
        (4, r#"["a"]"#.to_string())
    );
    assert_eq!(
        Msg::OP_CODES,
        &[(1, "Move"), (20, "Say"), (-3, "Ready"), (4, "Names")]
    );
}

#[test]
fn field_attributes_apply_and_unit_messages_ignore_their_data() {
    let m = Msg::decode(20, br#"{"text":"hi"}"#).unwrap();
    assert_eq!(
        m,
        Msg::Say {
            text: "hi".into(),
            loud: false
        }
    );
    assert_eq!(Msg::decode(-3, b"anything").unwrap(), Msg::Ready);
}

#[test]
fn what_does_not_decode_is_invalid_argument_naming_the_problem() {
    let e = Msg::decode(9, b"{}").unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(
        e.message(),
        "op code 9 is not a Msg message (1 Move, 20 Say, -3 Ready, 4 Names)"
    );
    let e = Msg::decode(1, br#"{"x":1}"#).unwrap_err();
    assert_eq!(e.code(), Code::InvalidArgument);
    assert_eq!(
        e.message(),
        "op code 1 (Msg::Move): missing field `y` at line 1 column 7"
    );
    let e = Msg::decode(20, b"not json").unwrap_err();
    assert!(
        e.message().starts_with("op code 20 (Msg::Say): expected"),
        "{}",
        e.message()
    );
}

#[test]
fn match_data_decodes_to_its_message() {
    let m = MatchData {
        op_code: 1,
        data: br#"{"x":3,"y":4}"#.to_vec(),
        ..Default::default()
    };
    assert_eq!(
        Msg::from_data(&m).unwrap(),
        Msg::Move(Position { x: 3, y: 4 })
    );
}
