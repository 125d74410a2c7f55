//! A match handler's answer goes to Go in compact form
//! (`nakama_runtime_abi::matches::compact`), not JSON, as the storage nk
//! arguments do (`nkargs`): Go's `encoding/json` decodes through
//! reflection, and an answer that sends a message back (a match's usual
//! answer to a client's message) took it 2–3 µs and 20 allocations
//! (`BenchmarkMatchAnswer`); Go reads the compact fields with no
//! reflection (`decodeAnswer` in bridge/go/match.go).
//!
//! A module of ABI 1.16 or later answers a compact `loop` call (what the
//! Go half sends it) in compact form, which goes through as it is. Its
//! answers to the other calls, and every answer of an older module, are
//! JSON, read here with serde and written compact. The answer's `saved`
//! (only a reload's `save` call answers it, which the bridge never makes)
//! is left out.

use nakama_runtime_host::abi::matches::{compact, MatchAnswer};

/// The module's answer `out` as Go reads it, or `None` to send it as it
/// is: compact already, `{}` (nothing asked, which Go reads without
/// decoding), or JSON that does not decode as an answer (Go's decoder
/// reports it).
pub fn for_go(out: &[u8]) -> Option<Vec<u8>> {
    if out == b"{}" || compact::is_compact(out) {
        return None;
    }
    let a: MatchAnswer = serde_json::from_slice(out).ok()?;
    let mut compact = Vec::with_capacity(out.len());
    compact::write_answer(&a, &mut compact);
    Some(compact)
}

/// Reads a compact answer back, as Go does (`decodeAnswer`): `None` if it
/// is not one. For tests and tools; the bridge itself only writes them.
pub fn read(compact: &[u8]) -> Option<MatchAnswer> {
    compact::read_answer(compact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nakama_runtime_host::abi::matches::{MatchAction, PresenceReason};

    /// The answer bridge/go/match_test.go's
    /// `TestACompactAnswerReadsAsItsJSON` reads from `COMPACT_HEX`: a
    /// change to the form has to change both.
    const JSON: &str = r#"{"state":7,"stop":true,"tick_rate":5,"label":"lb","accept":true,
        "reason":"r","reply":"ok","saved":"{}","actions":[
        {"action":"broadcast","op_code":-2,"data":"aGk=","presences":[{"user_id":"u","session_id":"s",
         "username":"n","node":"d","reason":4}],"sender":{"user_id":"v","session_id":"t","username":"m",
         "node":"e"},"reliable":true,"deferred":true},
        {"action":"broadcast","op_code":3,"data":"","reliable":true},
        {"action":"kick","presences":[]},
        {"action":"label","label":"é"}]}"#;

    const COMPACT_HEX: &str = concat!(
        "00",
        "0700000000000000", // state 7
        "07",               // stop, accept, a label
        "05000000",         // tick rate 5
        "020000006c62",     // label "lb"
        "0100000072",       // reason "r"
        "020000006f6b",     // reply "ok"
        "04000000",         // 4 actions
        // broadcast -2 "hi" to [u s n d 4] from [v t m e 0], reliable, deferred
        "01feffffffffffffff020000006869",
        "0f01000000",
        "01000000750100000073010000006e010000006404",
        "01000000760100000074010000006d010000006500",
        // broadcast 3 "" to everyone, reliable
        "0103000000000000000000000004",
        // kick []
        "0200000000",
        // label "é"
        "0302000000c3a9",
    );

    fn hex(b: &[u8]) -> String {
        b.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn an_answer_goes_to_go_as_its_fields() {
        let out = for_go(JSON.as_bytes()).expect("an answer");
        assert_eq!(hex(&out), COMPACT_HEX);
    }

    #[test]
    fn a_compact_answer_reads_back_as_it_was_but_saved() {
        let mut want: MatchAnswer = serde_json::from_str(JSON).unwrap();
        want.saved = None;
        let got = read(&for_go(JSON.as_bytes()).unwrap()).expect("reads");
        assert_eq!(got, want);
        // Reason numbers survive (Presence's == leaves them out).
        let MatchAction::Broadcast { presences, .. } = &got.actions[0] else {
            panic!("{got:?}")
        };
        assert_eq!(
            presences.as_ref().unwrap()[0].reason,
            PresenceReason::Disconnect
        );
        let compact = for_go(JSON.as_bytes()).unwrap();
        // Cut anywhere, it is not an answer, but after its first byte
        // (the answer that asks nothing).
        for n in (0..compact.len()).filter(|&n| n != 1) {
            assert_eq!(read(&compact[..n]), None, "{n} bytes");
        }
        assert_eq!(read(b"{}"), None);
    }

    #[test]
    fn nothing_asked_compact_answers_and_what_does_not_decode_go_as_they_are() {
        assert_eq!(for_go(b"{}"), None);
        let compact = for_go(JSON.as_bytes()).unwrap();
        assert_eq!(for_go(&compact), None);
        assert_eq!(for_go(&[0]), None);
        assert_eq!(for_go(b"{not json"), None);
        assert_eq!(for_go(br#"{"actions":[{"action":"teleport"}]}"#), None);
        // A state alone is still an answer (init's).
        let init = for_go(br#"{"state":9,"tick_rate":10,"label":""}"#).unwrap();
        assert_eq!(
            hex(&init),
            "00090000000000000004 0a000000 00000000 00000000 00000000 00000000".replace(' ', "")
        );
    }
}
