//! Arbitrary bytes as what a realtime client sends: a binary (protobuf)
//! frame, read as the envelope it carries, and a text (JSON) frame.
//! Nothing may panic: a frame that does not decode is an error the socket
//! answers, and a binary frame that decodes is a JSON envelope that
//! decodes again the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nakama_devhost::realtime::{decode, protobuf};

fuzz_target!(|data: &[u8]| {
    if let Ok(json) = protobuf::frame_to_json(data) {
        let parsed: serde_json::Value =
            serde_json::from_str(&json).expect("frame_to_json writes JSON");
        assert!(parsed.is_object());
        // What the pipeline does with it next; an error is a clean refusal.
        let _ = decode::envelope(&json);
        // The server's own frames go back out through json_to_frame.
        let _ = protobuf::json_to_frame(&json);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = decode::envelope(text);
        let _ = protobuf::envelope(text);
    }
});
