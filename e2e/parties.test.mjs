// Parties through the official JavaScript client, as a game would: an open
// party joined at once, a closed one joined on request (listed, accepted),
// data, a promotion, a removal, a leave and a close, and the refusals a
// client sees, and a party's matchmaker ticket matched with another
// player's. On the dev host and on a real Nakama through the bridge.
// Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, until, refusal } from "./common.mjs";

const cid = (n) => customId(700, n);

/** A connected socket for a new user, keeping what parties send it. */
async function player(n) {
  const session = await client.authenticateCustom(cid(n), true, `party_${run}_${n}`);
  const socket = client.createSocket(false, false);
  const seen = { parties: [], presences: [], data: [], leaders: [], closes: [], requests: [], tickets: [], matched: [] };
  socket.onparty = (p) => seen.parties.push(p);
  socket.onpartypresence = (p) => seen.presences.push(p);
  socket.onpartydata = (d) => seen.data.push(d);
  socket.onpartyleader = (l) => seen.leaders.push(l);
  socket.onpartyclose = (c) => seen.closes.push(c);
  socket.onpartyjoinrequest = (r) => seen.requests.push(r);
  socket.onpartymatchmakerticket = (t) => seen.tickets.push(t);
  socket.onmatchmakermatched = (m) => seen.matched.push(m);
  await socket.connect(session, false);
  return { session, socket, seen };
}

const joined = (seen, partyId, userId) =>
  seen.presences.find((e) => e.party_id === partyId && (e.joins ?? []).some((p) => p.user_id === userId));
const left = (seen, partyId, userId) =>
  seen.presences.find((e) => e.party_id === partyId && (e.leaves ?? []).some((p) => p.user_id === userId));

test("an open party: join, data, promotion, removal, leave", async () => {
  const ann = await player(1);
  const ben = await player(2);
  const cat = await player(3);
  try {
    const party = await ann.socket.createParty(true, 3);
    assert.match(party.party_id, /^[0-9a-f-]{36}\..+$/);
    assert.equal(party.open, true);
    assert.equal(party.max_size, 3);
    assert.equal(party.leader.user_id, ann.session.user_id);
    assert.deepEqual(party.presences.map((p) => p.user_id), [ann.session.user_id]);
    const annMe = party.self;

    await ben.socket.joinParty(party.party_id);
    const benParty = await until("ben's party", () => ben.seen.parties.find((p) => p.party_id === party.party_id));
    assert.equal(benParty.leader.user_id, ann.session.user_id);
    assert.deepEqual(
      benParty.presences.map((p) => p.user_id).sort(),
      [ann.session.user_id, ben.session.user_id].sort(),
    );
    const benMe = benParty.self;
    await until("ann to see ben join", () => joined(ann.seen, party.party_id, ben.session.user_id));

    // Data reaches the other members only.
    await ben.socket.sendPartyData(party.party_id, 5, "ready");
    const data = await until("ann to get ben's data", () => ann.seen.data[0]);
    assert.equal(data.party_id, party.party_id);
    assert.equal(data.op_code, 5);
    assert.equal(new TextDecoder().decode(data.data), "ready");
    assert.equal(data.presence.user_id, ben.session.user_id);

    // Only the leader promotes; a promotion is announced to every member.
    await assert.rejects(ben.socket.promotePartyMember(party.party_id, annMe), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Error promoting new party leader: party leader only" });
      return true;
    });
    await ann.socket.promotePartyMember(party.party_id, benMe);
    for (const p of [ann, ben]) {
      const l = await until("the new leader", () => p.seen.leaders.find((l) => l.party_id === party.party_id));
      assert.equal(l.presence.user_id, ben.session.user_id);
    }

    // cat joins, then the leader removes it: the party closes for cat.
    await cat.socket.joinParty(party.party_id);
    const catParty = await until("cat's party", () => cat.seen.parties.find((p) => p.party_id === party.party_id));
    await ben.socket.removePartyMember(party.party_id, catParty.self);
    await until("cat's close", () => cat.seen.closes.find((c) => c.party_id === party.party_id));
    await until("ann to see cat leave", () => left(ann.seen, party.party_id, cat.session.user_id));

    // The leader leaves: ann, the oldest member, leads.
    await ben.socket.leaveParty(party.party_id);
    await until("ann to lead", () =>
      ann.seen.leaders.find((l) => l.party_id === party.party_id && l.presence.user_id === ann.session.user_id),
    );
    await ann.socket.closeParty(party.party_id);
    await until("ann's close", () => ann.seen.closes.find((c) => c.party_id === party.party_id));
    await assert.rejects(cat.socket.joinParty(party.party_id), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Error joining party: party not found" });
      return true;
    });
  } finally {
    for (const p of [ann, ben, cat]) p.socket.disconnect(false);
  }
});

test("a closed party: join requests listed, accepted and refused; full", async () => {
  const ann = await player(11);
  const ben = await player(12);
  const cat = await player(13);
  try {
    const party = await ann.socket.createParty(false, 2);
    assert.equal(party.open, undefined);

    await ben.socket.joinParty(party.party_id);
    const request = await until("ann to hear ben's request", () =>
      ann.seen.requests.find((r) => r.party_id === party.party_id),
    );
    assert.deepEqual(request.presences.map((p) => p.user_id), [ben.session.user_id]);
    await assert.rejects(ben.socket.joinParty(party.party_id), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Error joining party: party join request duplicate" });
      return true;
    });
    await cat.socket.joinParty(party.party_id);
    await until("ann to hear cat's request", () =>
      ann.seen.requests.find((r) => r.presences.some((p) => p.user_id === cat.session.user_id)),
    );
    const listed = await ann.socket.listPartyJoinRequests(party.party_id);
    assert.equal(listed.party_id, party.party_id);
    assert.deepEqual(listed.presences.map((p) => p.user_id), [ben.session.user_id, cat.session.user_id]);
    await assert.rejects(ben.socket.listPartyJoinRequests(party.party_id), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Error listing party join requests: party leader only" });
      return true;
    });

    // ann accepts ben, refuses cat.
    await ann.socket.acceptPartyMember(party.party_id, listed.presences[0]);
    const benParty = await until("ben's party", () => ben.seen.parties.find((p) => p.party_id === party.party_id));
    assert.equal(benParty.leader.user_id, ann.session.user_id);
    await until("ann to see ben join", () => joined(ann.seen, party.party_id, ben.session.user_id));
    await ann.socket.removePartyMember(party.party_id, listed.presences[1]);
    const after = await ann.socket.listPartyJoinRequests(party.party_id);
    assert.deepEqual(after.presences ?? [], []);

    // Full.
    await assert.rejects(cat.socket.joinParty(party.party_id), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Error joining party: party full" });
      return true;
    });
    // The leader's socket closes: ben leads what is left.
    ann.socket.disconnect(false);
    await until("ben to lead", () =>
      ben.seen.leaders.find((l) => l.party_id === party.party_id && l.presence.user_id === ben.session.user_id),
    );
    await until("ben to see ann leave", () => left(ben.seen, party.party_id, ann.session.user_id));
  } finally {
    for (const p of [ann, ben, cat]) p.socket.disconnect(false);
  }
});

test("a party is matched with another player, its ticket on every member's side", async () => {
  const ann = await player(31);
  const ben = await player(32);
  const cat = await player(33);
  try {
    const party = await ann.socket.createParty(true, 4);
    await ben.socket.joinParty(party.party_id);
    await until("ann to see ben join", () => joined(ann.seen, party.party_id, ben.session.user_id));
    const mode = `party-${run}`;
    const query = `+properties.mode:${mode}`;

    // Only the leader asks; a ticket it withdraws is gone.
    await assert.rejects(ben.socket.addMatchmakerParty(party.party_id, query, 3, 3, { mode }), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Error adding party to matchmaker: party leader only" });
      return true;
    });
    const withdrawn = await ann.socket.addMatchmakerParty(party.party_id, query, 3, 3, { mode });
    await ann.socket.removeMatchmakerParty(party.party_id, withdrawn.ticket);
    await assert.rejects(ann.socket.removeMatchmakerParty(party.party_id, withdrawn.ticket), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Error closing party: matchmaker ticket not found" });
      return true;
    });

    const ticket = await ann.socket.addMatchmakerParty(party.party_id, query, 3, 3, { mode });
    assert.equal(ticket.party_id, party.party_id);
    await until("ben to hear of the ticket", () => ben.seen.tickets.find((t) => t.ticket === ticket.ticket));
    const own = await cat.socket.addMatchmaker(query, 3, 3, { mode });

    for (const [p, t] of [[ann, ticket.ticket], [ben, ticket.ticket], [cat, own.ticket]]) {
      const m = await until("a match", () => p.seen.matched[0]);
      assert.equal(m.ticket, t);
      assert.deepEqual(
        m.users.map((u) => u.presence.user_id).sort(),
        [ann.session.user_id, ben.session.user_id, cat.session.user_id].sort(),
      );
      for (const u of m.users) {
        assert.equal(u.party_id, u.presence.user_id === cat.session.user_id ? undefined : party.party_id);
      }
      assert.equal(m.self.presence.user_id, p.session.user_id);
    }
  } finally {
    for (const p of [ann, ben, cat]) p.socket.disconnect(false);
  }
});

test("a party's refusals", async () => {
  const ann = await player(21);
  try {
    await assert.rejects(ann.socket.createParty(true, 300), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Invalid party max size, must be 1-256" });
      return true;
    });
    await assert.rejects(ann.socket.joinParty("nope"), (e) => {
      assert.deepEqual(refusal(e), { code: 3, message: "Invalid party ID" });
      return true;
    });
  } finally {
    ann.socket.disconnect(false);
  }
});
