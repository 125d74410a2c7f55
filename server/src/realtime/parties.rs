//! The socket's party messages ([`crate::parties`] keeps the parties), as
//! Nakama's pipeline answers them (server/pipeline_party.go): the checks
//! in its order, each refusal a `BAD_INPUT` error with Nakama's words, and
//! the answer after what Nakama sends before it (a promotion's
//! `party_leader`, a close's `party_close`, an update's `party_update`),
//! or before what its tracker sends later (a joiner's `party` and the
//! presence events). Answers go through the session's outbox so that
//! order holds.

use nakama_runtime_host::abi::matches::Presence;
use nakama_runtime_host::abi::rtapi;

use super::{error_code, Done, Envelope, Socket};
use crate::online::Outbound;
use crate::parties::{
    deliver, envelope, parse_id, wire, Member, PartyOut, Push, RequestsOut, TicketOut,
};

/// What a party operation came to.
type Outcome = Result<Vec<Push>, crate::parties::PartyError>;

/// What to do with an operation's pushes against its answer.
enum Order {
    /// Nakama's tracker sends them later: the answer goes first.
    AnswerFirst,
    /// Nakama sends them before it answers.
    PushesFirst,
}

impl Socket {
    fn member(&self) -> Member {
        Member {
            presence: self.session.presence(&self.app.config.name),
            outbox: self.outbox.clone(),
        }
    }

    /// Sends the answer (`text`, the encoded envelope) and the pushes in
    /// `order`.
    fn party_answer(&self, text: String, pushes: Vec<Push>, order: Order) {
        if let Order::PushesFirst = order {
            deliver(pushes);
            let _ = self.outbox.send(Outbound::Reply(text));
        } else {
            let _ = self.outbox.send(Outbound::Reply(text));
            deliver(pushes);
        }
    }

    /// Answers with an empty envelope and sends the pushes.
    fn party_done(&self, cid: &str, pushes: Vec<Push>, order: Order) -> Done {
        let text = Envelope { cid, message: None }.to_json();
        self.party_answer(text, pushes, order);
        Done::Handled(None)
    }

    /// Whether `id` is `<uuid>.<node>`; refuses it if not.
    fn party_id_ok(&self, cid: &str, id: &str) -> bool {
        if parse_id(id).is_some() {
            return true;
        }
        self.error(cid, error_code::BAD_INPUT, "Invalid party ID");
        false
    }

    /// A presence with its user and session ids and username; refuses it
    /// if not.
    fn party_presence(&self, cid: &str, p: &Option<rtapi::UserPresence>) -> Option<Presence> {
        match p {
            Some(p)
                if !p.user_id.is_empty() && !p.session_id.is_empty() && !p.username.is_empty() =>
            {
                Some(Presence {
                    user_id: p.user_id.clone(),
                    session_id: p.session_id.clone(),
                    username: p.username.clone(),
                    node: String::new(),
                    ..Presence::default()
                })
            }
            _ => {
                self.error(cid, error_code::BAD_INPUT, "Invalid presence");
                None
            }
        }
    }

    /// Answers an operation's outcome: the pushes in `order` and an empty
    /// answer, or the error after `what` ("Error joining party").
    fn party_outcome(&self, cid: &str, what: &str, outcome: Outcome, order: Order) -> Done {
        match outcome {
            Ok(pushes) => self.party_done(cid, pushes, order),
            Err(e) => self.refused(cid, error_code::BAD_INPUT, &format!("{what}: {e}")),
        }
    }

    pub(super) fn party_create(&self, cid: &str, m: &rtapi::PartyCreate, keep: bool) -> Done {
        if m.max_size < 0 || m.max_size > crate::parties::MAX_SIZE {
            return self.refused(
                cid,
                error_code::BAD_INPUT,
                "Invalid party max size, must be 1-256",
            );
        }
        let me = self.member();
        let created = (self.app.parties).create(me.clone(), m.open, m.hidden, m.max_size, &m.label);
        let (party_id, pushes) = match created {
            Ok(c) => c,
            Err(e) => {
                return self.refused(
                    cid,
                    error_code::BAD_INPUT,
                    &format!("Error creating party: {e}"),
                )
            }
        };
        let me = wire(&me.presence);
        let party = PartyOut {
            party_id,
            open: m.open,
            hidden: m.hidden,
            max_size: m.max_size.max(0) as usize,
            self_: Some(me.clone()),
            leader: Some(me.clone()),
            presences: vec![me],
            label: m.label.clone(),
        };
        let pushes = self.single_party(&self.session.id, &party.party_id, pushes);
        let kept = keep.then(|| serde_json::to_value(&party).unwrap_or_default());
        self.party_answer(with_cid(cid, "party", &party), pushes, Order::AnswerFirst);
        Done::Handled(kept)
    }

    pub(super) fn party_join(&self, cid: &str, id: &str) -> Done {
        if !self.party_id_ok(cid, id) {
            return Done::Failed;
        }
        let joined = self.app.parties.join(self.member(), id);
        let joined = joined.map(|pushes| self.single_party(&self.session.id, id, pushes));
        self.party_outcome(cid, "Error joining party", joined, Order::AnswerFirst)
    }

    pub(super) fn party_leave(&self, cid: &str, id: &str) -> Done {
        if !self.party_id_ok(cid, id) {
            return Done::Failed;
        }
        let pushes = self.app.parties.leave(&self.session.id, id);
        self.party_done(cid, pushes, Order::AnswerFirst)
    }

    /// A leader's operation on another session (promote, accept, remove):
    /// the presence is checked, then the party id, then `op` runs.
    fn party_on_presence(
        &self,
        cid: &str,
        party_id: &str,
        presence: &Option<rtapi::UserPresence>,
        what: &str,
        order: Order,
        op: impl FnOnce(&crate::parties::Parties, &str, &str, &Presence) -> Outcome,
    ) -> Done {
        let Some(who) = self.party_presence(cid, presence) else {
            return Done::Failed;
        };
        if !self.party_id_ok(cid, party_id) {
            return Done::Failed;
        }
        let outcome = op(&self.app.parties, &self.session.id, party_id, &who);
        self.party_outcome(cid, what, outcome, order)
    }

    pub(super) fn party_promote(&self, cid: &str, m: &rtapi::PartyPromote) -> Done {
        self.party_on_presence(
            cid,
            &m.party_id,
            &m.presence,
            "Error promoting new party leader",
            Order::PushesFirst,
            |p, me, id, to| p.promote(me, id, to),
        )
    }

    pub(super) fn party_accept(&self, cid: &str, m: &rtapi::PartyAccept) -> Done {
        self.party_on_presence(
            cid,
            &m.party_id,
            &m.presence,
            "Error accepting party join request",
            Order::AnswerFirst,
            |p, me, id, who| {
                (p.accept(me, id, who)).map(|pushes| self.single_party(&who.session_id, id, pushes))
            },
        )
    }

    /// `session.single_party`: once `session_id` is a member of party
    /// `id` (created, joined open, or accepted; not on a join request),
    /// it leaves its other parties, what that sends going out with
    /// `pushes`.
    fn single_party(&self, session_id: &str, id: &str, mut pushes: Vec<Push>) -> Vec<Push> {
        let parties = &self.app.parties;
        if self.app.config.session_single_party && parties.is_member(session_id, id) {
            pushes.extend(parties.leave_others(session_id, id));
        }
        pushes
    }

    pub(super) fn party_remove(&self, cid: &str, m: &rtapi::PartyRemove) -> Done {
        self.party_on_presence(
            cid,
            &m.party_id,
            &m.presence,
            "Error removing party member or join request",
            Order::PushesFirst,
            |p, me, id, who| p.remove(me, id, who),
        )
    }

    pub(super) fn party_close(&self, cid: &str, id: &str) -> Done {
        if !self.party_id_ok(cid, id) {
            return Done::Failed;
        }
        let closed = self.app.parties.close(&self.session.id, id);
        self.party_outcome(cid, "Error closing party", closed, Order::PushesFirst)
    }

    pub(super) fn party_join_request_list(&self, cid: &str, id: &str, keep: bool) -> Done {
        if !self.party_id_ok(cid, id) {
            return Done::Failed;
        }
        match self.app.parties.join_requests(&self.session.id, id) {
            Ok(presences) => {
                let out = RequestsOut {
                    party_id: id.to_string(),
                    presences: presences.iter().map(wire).collect(),
                };
                let kept = keep.then(|| serde_json::to_value(&out).unwrap_or_default());
                self.party_answer(
                    with_cid(cid, "party_join_request", &out),
                    Vec::new(),
                    Order::AnswerFirst,
                );
                Done::Handled(kept)
            }
            Err(e) => self.refused(
                cid,
                error_code::BAD_INPUT,
                &format!("Error listing party join requests: {e}"),
            ),
        }
    }

    /// `party_matchmaker_add`: a ticket for the whole party, answered to
    /// the leader and sent to the other members.
    pub(super) fn party_matchmaker_add(
        &self,
        cid: &str,
        m: &rtapi::PartyMatchmakerAdd,
        keep: bool,
    ) -> Done {
        let req = crate::matchmaker::TicketRequest {
            min_count: m.min_count,
            max_count: m.max_count,
            query: m.query.clone(),
            string_properties: m.string_properties.clone(),
            numeric_properties: m.numeric_properties.clone(),
            count_multiple: m.count_multiple,
        };
        let multiple = match req.check_counts() {
            Ok(multiple) => multiple,
            Err(e) => return self.refused(cid, error_code::BAD_INPUT, &e.to_string()),
        };
        if !self.party_id_ok(cid, &m.party_id) {
            return Done::Failed;
        }
        let added =
            (self.app.parties).matchmaker_add(&self.session.id, &m.party_id, &req, multiple);
        match added {
            Ok((ticket, pushes)) => {
                let out = TicketOut {
                    party_id: m.party_id.clone(),
                    ticket,
                };
                let kept = keep.then(|| serde_json::to_value(&out).unwrap_or_default());
                self.party_answer(
                    with_cid(cid, "party_matchmaker_ticket", &out),
                    pushes,
                    Order::AnswerFirst,
                );
                Done::Handled(kept)
            }
            Err(e) => self.refused(
                cid,
                error_code::BAD_INPUT,
                &format!("Error adding party to matchmaker: {e}"),
            ),
        }
    }

    /// `party_matchmaker_remove`: one of the party's tickets (Nakama's
    /// refusals say "Error closing party").
    pub(super) fn party_matchmaker_remove(
        &self,
        cid: &str,
        m: &rtapi::PartyMatchmakerRemove,
    ) -> Done {
        if m.ticket.is_empty() {
            return self.refused(cid, error_code::BAD_INPUT, "Invalid matchmaker ticket");
        }
        if !self.party_id_ok(cid, &m.party_id) {
            return Done::Failed;
        }
        match (self.app.parties).matchmaker_remove(&self.session.id, &m.party_id, &m.ticket) {
            Ok(()) => self.party_done(cid, Vec::new(), Order::AnswerFirst),
            Err(e) => self.refused(
                cid,
                error_code::BAD_INPUT,
                &format!("Error closing party: {e}"),
            ),
        }
    }

    pub(super) fn party_data_send(&self, cid: &str, m: &rtapi::PartyDataSend) -> Done {
        if !self.party_id_ok(cid, &m.party_id) {
            return Done::Failed;
        }
        let sent = (self.app.parties).send(&self.session.id, &m.party_id, m.op_code, &m.data);
        self.party_outcome(cid, "Error sending party data", sent, Order::PushesFirst)
    }

    pub(super) fn party_update(&self, cid: &str, m: &rtapi::PartyUpdate) -> Done {
        if !self.party_id_ok(cid, &m.party_id) {
            return Done::Failed;
        }
        let updated =
            self.app
                .parties
                .update(&self.session.id, &m.party_id, &m.label, m.open, m.hidden);
        self.party_outcome(cid, "Error updating party", updated, Order::PushesFirst)
    }
}

/// `{"cid": .., "<kind>": <message>}` (no cid when it is empty).
fn with_cid(cid: &str, kind: &str, message: &impl serde::Serialize) -> String {
    let body = envelope(kind, message);
    if cid.is_empty() {
        return body;
    }
    format!("{{\"cid\":{},{}", crate::gojson::string(cid), &body[1..])
}
