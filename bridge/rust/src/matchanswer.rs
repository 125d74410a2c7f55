//! A match handler's answer goes to Go as length-prefixed fields instead
//! of JSON, as the storage nk arguments do (`nkargs`): Go's
//! `encoding/json` decodes through reflection, and an answer that sends a
//! message back (a match's usual answer to a client's message) took it
//! 2–3 µs and 20 allocations (`BenchmarkMatchAnswer`); serde reads it
//! here in under a microsecond (its share of a profile under
//! `bench/matches.sh`'s message load), and Go reads the fields with no
//! reflection (`decodeAnswer` in bridge/go/match.go).
//!
//! The form, little-endian: the compact byte, the state (`u64`), flags
//! (`u8`: 1 stop, 2 accept, 4 a label), the tick rate (`u32`), the label,
//! the reason and the reply (text: `u32` length and UTF-8 bytes), the
//! actions' count (`u32`), then per action its kind (`u8`) and fields:
//! 1 broadcast: op code (`i64`), data (bytes, as text), flags (`u8`: 1
//! presences, 2 a sender, 4 reliable, 8 deferred), the presences (a `u32`
//! count, then each) if any, the sender if any; 2 kick: the presences;
//! 3 label: the label. A presence: user id, session id, username, node
//! (text) and its reason (`u8`). The answer's `saved` (only a reload's
//! `save` call answers it, which the bridge never makes) is left out.

use nakama_runtime_host::abi::matches::{MatchAction, MatchAnswer, Presence, PresenceReason};

use crate::nkargs::COMPACT;

/// The module's answer `out` as Go reads it, or `None` to send it as it
/// is: `{}` (nothing asked, which Go reads without decoding), or JSON
/// that does not decode as an answer (Go's decoder reports it).
pub fn for_go(out: &[u8]) -> Option<Vec<u8>> {
    if out == b"{}" {
        return None;
    }
    let a: MatchAnswer = serde_json::from_slice(out).ok()?;
    let mut w = Writer(Vec::with_capacity(out.len()));
    w.0.push(COMPACT);
    w.0.extend_from_slice(&a.state.to_le_bytes());
    w.0.push(u8::from(a.stop) | u8::from(a.accept) << 1 | u8::from(a.label.is_some()) << 2);
    w.0.extend_from_slice(&a.tick_rate.to_le_bytes());
    w.text(a.label.as_deref().unwrap_or_default());
    w.text(&a.reason).text(&a.reply);
    w.count(a.actions.len());
    for action in &a.actions {
        match action {
            MatchAction::Broadcast {
                op_code,
                data,
                presences,
                sender,
                reliable,
                deferred,
            } => {
                w.0.push(1);
                w.0.extend_from_slice(&op_code.to_le_bytes());
                w.bytes(data);
                w.0.push(
                    u8::from(presences.is_some())
                        | u8::from(sender.is_some()) << 1
                        | u8::from(*reliable) << 2
                        | u8::from(*deferred) << 3,
                );
                if let Some(presences) = presences {
                    w.presences(presences);
                }
                if let Some(sender) = sender {
                    w.presence(sender);
                }
            }
            MatchAction::Kick { presences } => {
                w.0.push(2);
                w.presences(presences);
            }
            MatchAction::Label { label } => {
                w.0.push(3);
                w.text(label);
            }
        }
    }
    Some(w.0)
}

/// Reads a compact answer back, as Go does (`decodeAnswer`): `None` if it
/// is not one. For tests and tools; the bridge itself only writes them.
pub fn read(compact: &[u8]) -> Option<MatchAnswer> {
    let (&COMPACT, rest) = compact.split_first()? else {
        return None;
    };
    let mut r = Reader(rest);
    let mut a = MatchAnswer {
        state: u64::from_le_bytes(r.take(8)?.try_into().ok()?),
        ..MatchAnswer::default()
    };
    let flags = r.u8()?;
    a.stop = flags & 1 != 0;
    a.accept = flags & 2 != 0;
    a.tick_rate = r.u32()?;
    let label = r.text()?;
    a.label = (flags & 4 != 0).then_some(label);
    a.reason = r.text()?;
    a.reply = r.text()?;
    for _ in 0..r.u32()? {
        a.actions.push(match r.u8()? {
            1 => {
                let op_code = i64::from_le_bytes(r.take(8)?.try_into().ok()?);
                let data = r.bytes()?.to_vec();
                let flags = r.u8()?;
                let presences = if flags & 1 != 0 {
                    Some(r.presences()?)
                } else {
                    None
                };
                let sender = if flags & 2 != 0 {
                    Some(r.presence()?)
                } else {
                    None
                };
                MatchAction::Broadcast {
                    op_code,
                    data,
                    presences,
                    sender,
                    reliable: flags & 4 != 0,
                    deferred: flags & 8 != 0,
                }
            }
            2 => MatchAction::Kick {
                presences: r.presences()?,
            },
            3 => MatchAction::Label { label: r.text()? },
            _ => return None,
        });
    }
    r.0.is_empty().then_some(a)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(taken)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }

    fn presence(&mut self) -> Option<Presence> {
        Some(Presence {
            user_id: self.text()?,
            session_id: self.text()?,
            username: self.text()?,
            node: self.text()?,
            reason: PresenceReason::from_u8(self.u8()?),
        })
    }

    fn presences(&mut self) -> Option<Vec<Presence>> {
        (0..self.u32()?).map(|_| self.presence()).collect()
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn count(&mut self, n: usize) -> &mut Self {
        self.0.extend_from_slice(&(n as u32).to_le_bytes());
        self
    }

    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.count(b.len());
        self.0.extend_from_slice(b);
        self
    }

    fn text(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    fn presence(&mut self, p: &Presence) {
        self.text(&p.user_id).text(&p.session_id);
        self.text(&p.username).text(&p.node);
        self.0.push(p.reason as u8);
    }

    fn presences(&mut self, ps: &[Presence]) {
        self.count(ps.len());
        for p in ps {
            self.presence(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for n in 0..compact.len() {
            assert_eq!(read(&compact[..n]), None, "{n} bytes");
        }
        assert_eq!(read(b"{}"), None);
    }

    #[test]
    fn nothing_asked_and_what_does_not_decode_go_as_they_are() {
        assert_eq!(for_go(b"{}"), None);
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
