//! Match calls and answers in compact form (ABI 1.16): length-prefixed
//! fields instead of JSON, for the calls a running match makes most.
//!
//! A host may send a module of ABI 1.16 or later a `loop` call in this
//! form; the module then answers in it too (any call in JSON is answered
//! in JSON, so a host that sends none never reads one). JSON's cost was
//! most of what a message through a Rust match cost beyond a Go one on
//! Nakama (the module reading its messages, writing its answer, the bridge
//! reading that; bench/README.md, "What a message through a match
//! costs"), and the bridge's Go half reads this form with no reflection.
//!
//! Little-endian throughout; text and bytes are a `u32` length and the
//! bytes (text UTF-8). A presence is its user id, session id, username and
//! node (text) and its reason (`u8`).
//!
//! A call: [`COMPACT`], the call's kind (`u8`, [`LOOP`]), the state
//! (`u64`), the match id, node and label (text), the tick rate (`u32`),
//! the tick (`i64`), the messages' count (`u32`), then per message its
//! sender (a presence), op code (`i64`), data (bytes), `reliable` (`u8`)
//! and receive time (`i64`, ms). Everything up to the tick stays the same
//! from one tick to the next until the label changes, so a host can write
//! it once.
//!
//! An answer: [`COMPACT`], the state (`u64`), flags (`u8`: 1 stop, 2
//! accept, 4 a label), the tick rate (`u32`), the label, the reason and
//! the reply (text), the actions' count (`u32`), then per action its kind
//! (`u8`) and fields: 1 broadcast: op code (`i64`), data (bytes), flags
//! (`u8`: 1 presences, 2 a sender, 4 reliable, 8 deferred), the presences
//! (a `u32` count, then each) if any, the sender if any; 2 kick: the
//! presences; 3 label: the label. [`MatchAnswer::saved`] is left out: only
//! a `save` call answers it, and that call is JSON. An answer that asks
//! nothing (every field its default, as most ticks answer) is [`COMPACT`]
//! alone.

use super::{MatchAction, MatchAnswer, MatchCall, MatchData, MatchEvent, Presence, PresenceReason};

/// First byte of a compact call or answer (JSON never starts with it).
pub const COMPACT: u8 = 0;
/// The kind of a `loop` call ([`MatchEvent::Loop`]), the only one sent
/// in this form.
pub const LOOP: u8 = 1;

/// Whether `input` is in compact form (else JSON).
pub fn is_compact(input: &[u8]) -> bool {
    input.first() == Some(&COMPACT)
}

/// `call` in compact form, or `None` for a call that is not a `loop`
/// (those go as JSON).
pub fn write_call(call: &MatchCall) -> Option<Vec<u8>> {
    let MatchEvent::Loop { messages } = &call.event else {
        return None;
    };
    let mut w = Writer(Vec::with_capacity(64 + 96 * messages.len()));
    w.0.extend_from_slice(&[COMPACT, LOOP]);
    w.0.extend_from_slice(&call.state.to_le_bytes());
    w.text(&call.match_id).text(&call.node).text(&call.label);
    w.0.extend_from_slice(&call.tick_rate.to_le_bytes());
    w.0.extend_from_slice(&call.tick.to_le_bytes());
    w.count(messages.len());
    for m in messages {
        w.presence(&m.presence);
        w.0.extend_from_slice(&m.op_code.to_le_bytes());
        w.bytes(&m.data);
        w.0.push(u8::from(m.reliable));
        w.0.extend_from_slice(&m.receive_time_ms.to_le_bytes());
    }
    Some(w.0)
}

/// Reads a compact call; the error says what is wrong with it.
pub fn read_call(input: &[u8]) -> Result<MatchCall, String> {
    let truncated = || "compact match call cut short, or with text that is not UTF-8".to_string();
    let mut r = Reader(input);
    if r.u8() != Some(COMPACT) {
        return Err("not a compact match call".into());
    }
    match r.u8().ok_or_else(truncated)? {
        LOOP => {}
        kind => return Err(format!("unknown compact match call kind {kind}")),
    }
    let mut call = (|| {
        Some(MatchCall {
            state: r.u64()?,
            match_id: r.text()?,
            node: r.text()?,
            label: r.text()?,
            tick_rate: r.u32()?,
            tick: r.i64()?,
            event: MatchEvent::Loop {
                messages: Vec::new(),
            },
        })
    })()
    .ok_or_else(truncated)?;
    // A message is at least 38 bytes (a presence's 17, then 8 + 4 + 1 + 8):
    // a count no input could hold does not reserve memory for it.
    let count = r.u32().ok_or_else(truncated)? as usize;
    let mut messages = Vec::with_capacity(count.min(r.0.len() / 38));
    for _ in 0..count {
        messages.push(
            (|| {
                Some(MatchData {
                    presence: r.presence()?,
                    op_code: r.i64()?,
                    data: r.bytes()?.to_vec(),
                    reliable: r.u8()? != 0,
                    receive_time_ms: r.i64()?,
                })
            })()
            .ok_or_else(truncated)?,
        );
    }
    if !r.0.is_empty() {
        return Err(format!(
            "compact match call: {} bytes after its last message",
            r.0.len()
        ));
    }
    call.event = MatchEvent::Loop { messages };
    Ok(call)
}

/// `answer` in compact form, appended to `out` ([`MatchAnswer::saved`] left
/// out).
pub fn write_answer(a: &MatchAnswer, out: &mut Vec<u8>) {
    let mut w = Writer(std::mem::take(out));
    w.0.push(COMPACT);
    if *a == MatchAnswer::default() {
        *out = w.0;
        return;
    }
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
    *out = w.0;
}

/// Reads a compact answer: `None` if it is not one.
pub fn read_answer(compact: &[u8]) -> Option<MatchAnswer> {
    let mut r = Reader(compact);
    if r.u8()? != COMPACT {
        return None;
    }
    if r.0.is_empty() {
        return Some(MatchAnswer::default());
    }
    let mut a = MatchAnswer {
        state: r.u64()?,
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
                let op_code = r.i64()?;
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
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (taken, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*taken)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take::<1>()?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn i64(&mut self) -> Option<i64> {
        self.take().map(i64::from_le_bytes)
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        if self.0.len() < n {
            return None;
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(taken)
    }

    fn text(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_owned)
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

    /// The loop call bridge/go/match_test.go's
    /// `TestACompactLoopCallIsTheABIs` writes: a change to the form has to
    /// change both.
    const LOOP_HEX: &str = concat!(
        "0001",                                     // compact, loop
        "0700000000000000",                         // state 7
        "030000006d2e6e",                           // match id "m.n"
        "010000006e",                               // node "n"
        "020000006c62",                             // label "lb"
        "05000000",                                 // tick rate 5
        "0300000000000000",                         // tick 3
        "02000000",                                 // 2 messages
        "0100000075010000007301000000770100000064", // from u s w d
        "04",                                       // reason 4
        "feffffffffffffff",                         // op code -2
        "020000006869",                             // data "hi"
        "01",                                       // reliable
        "e803000000000000",                         // received at 1000 ms
        "0000000000000000000000000000000000",       // from nobody, no reason
        "0000000000000000",                         // op code 0
        "00000000",                                 // no data
        "00",                                       // not reliable
        "0000000000000000",                         // received at 0
    );

    fn hex(b: &[u8]) -> String {
        b.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn loop_call() -> MatchCall {
        MatchCall {
            state: 7,
            match_id: "m.n".into(),
            node: "n".into(),
            label: "lb".into(),
            tick_rate: 5,
            tick: 3,
            event: MatchEvent::Loop {
                messages: vec![
                    MatchData {
                        presence: Presence {
                            user_id: "u".into(),
                            session_id: "s".into(),
                            username: "w".into(),
                            node: "d".into(),
                            reason: PresenceReason::Disconnect,
                        },
                        op_code: -2,
                        data: b"hi".to_vec(),
                        reliable: true,
                        receive_time_ms: 1000,
                    },
                    MatchData::default(),
                ],
            },
        }
    }

    #[test]
    fn a_loop_call_is_written_as_the_form_says_and_reads_back() {
        let call = loop_call();
        let compact = write_call(&call).expect("a loop call");
        assert_eq!(hex(&compact), LOOP_HEX);
        assert!(is_compact(&compact));
        let back = read_call(&compact).unwrap();
        assert_eq!(back, call);
        // Reason numbers survive (Presence's == leaves them out).
        let MatchEvent::Loop { messages } = &back.event else {
            panic!("{back:?}")
        };
        assert_eq!(messages[0].presence.reason, PresenceReason::Disconnect);
        // The JSON of the same call reads as the same call.
        let json = serde_json::to_vec(&call).unwrap();
        assert!(!is_compact(&json));
        assert_eq!(serde_json::from_slice::<MatchCall>(&json).unwrap(), back);
    }

    #[test]
    fn only_loop_calls_are_compact() {
        let call = MatchCall {
            event: MatchEvent::Signal { data: "x".into() },
            ..loop_call()
        };
        assert_eq!(write_call(&call), None);
    }

    #[test]
    fn a_bad_compact_call_is_an_error_that_says_why() {
        let compact = write_call(&loop_call()).unwrap();
        for n in 0..compact.len() {
            let e = read_call(&compact[..n]).unwrap_err();
            assert!(
                e.contains("cut short") || e.contains("not a compact"),
                "{n}: {e}"
            );
        }
        let mut longer = compact.clone();
        longer.push(9);
        assert_eq!(
            read_call(&longer).unwrap_err(),
            "compact match call: 1 bytes after its last message"
        );
        let mut kind = compact.clone();
        kind[1] = 9;
        assert_eq!(
            read_call(&kind).unwrap_err(),
            "unknown compact match call kind 9"
        );
        // A count no input could hold is an error, not an allocation.
        // (The header: kind bytes, state, three texts, tick rate, tick.)
        let mut huge = compact[..2 + 8 + 7 + 5 + 6 + 4 + 8].to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(read_call(&huge).unwrap_err().contains("cut short"));
        // Text that is not UTF-8.
        let mut bad = compact;
        bad[2 + 8 + 4] = 0xff;
        assert!(read_call(&bad).unwrap_err().contains("not UTF-8"));
    }

    #[test]
    fn an_answer_reads_back_as_written_but_saved() {
        let presence = |id: &str, reason| Presence {
            user_id: id.into(),
            session_id: "s".into(),
            username: "n".into(),
            node: "d".into(),
            reason,
        };
        let answer = MatchAnswer {
            state: 7,
            stop: true,
            tick_rate: 5,
            label: Some("lb".into()),
            accept: true,
            reason: "r".into(),
            reply: "ok".into(),
            saved: Some("{}".into()),
            actions: vec![
                MatchAction::Broadcast {
                    op_code: -2,
                    data: b"hi".to_vec(),
                    presences: Some(vec![presence("u", PresenceReason::Disconnect)]),
                    sender: Some(presence("v", PresenceReason::Unknown)),
                    reliable: true,
                    deferred: true,
                },
                MatchAction::Kick { presences: vec![] },
                MatchAction::Label { label: "é".into() },
            ],
        };
        let mut compact = b"kept".to_vec();
        write_answer(&answer, &mut compact);
        assert_eq!(&compact[..4], b"kept");
        let compact = &compact[4..];
        let got = read_answer(compact).expect("reads");
        assert_eq!(
            got,
            MatchAnswer {
                saved: None,
                ..answer
            }
        );
        let MatchAction::Broadcast { presences, .. } = &got.actions[0] else {
            panic!("{got:?}")
        };
        assert_eq!(
            presences.as_ref().unwrap()[0].reason,
            PresenceReason::Disconnect
        );
        for n in (0..compact.len()).filter(|&n| n != 1) {
            assert_eq!(read_answer(&compact[..n]), None, "{n} bytes");
        }
        assert_eq!(read_answer(b"{}"), None);
        // Nothing asked: the first byte alone.
        let mut nothing = Vec::new();
        write_answer(&MatchAnswer::default(), &mut nothing);
        assert_eq!(nothing, [COMPACT]);
        assert_eq!(read_answer(&nothing), Some(MatchAnswer::default()));
        let mut state_only = Vec::new();
        write_answer(
            &MatchAnswer {
                state: 1,
                ..MatchAnswer::default()
            },
            &mut state_only,
        );
        assert_eq!(state_only.len(), 30);
    }
}
