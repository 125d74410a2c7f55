// Matchmaking through the official JavaScript client, as a game would:
// tickets in, a `matchmaker_matched` out, then the match it names. The
// module (examples/arena) makes an arena for each group from its matched
// hook, or no match when a ticket asks for `mode` = `relayed` (the
// players then get a token for a relayed match). On the dev host and on a
// real Nakama through the bridge; both run with matchmaker.interval_sec 1
// (see run.sh). Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, until } from "./common.mjs";

const cid = (n) => customId(700, n);

/** A connected socket for a new user, keeping what the matchmaker says. */
async function player(n) {
  const session = await client.authenticateCustom(cid(n), true, `mm_${run}_${n}`);
  const socket = client.createSocket(false, false);
  const seen = { matched: [], data: [] };
  socket.onmatchmakermatched = (m) => seen.matched.push(m);
  socket.onmatchdata = (m) => seen.data.push(m);
  await socket.connect(session, false);
  return { session, socket, seen };
}


test("two players are matched into an arena the module makes for them", async () => {
  // A property only this run's tickets have: other tests' tickets never match.
  const tag = `arena-${run}`;
  const [a, b] = [await player(1), await player(2)];
  try {
    const query = `+properties.tag:${tag}`;
    const ta = await a.socket.addMatchmaker(query, 2, 2, { tag }, { skill: 10 });
    const tb = await b.socket.addMatchmaker(query, 2, 2, { tag }, { skill: 12.5 });
    assert.ok(ta.ticket && tb.ticket && ta.ticket !== tb.ticket);

    const ma = await until("a to be matched", () => a.seen.matched[0]);
    const mb = await until("b to be matched", () => b.seen.matched[0]);
    assert.equal(ma.ticket, ta.ticket);
    assert.equal(mb.ticket, tb.ticket);
    assert.match(ma.match_id, /^[0-9a-f-]{36}\.\S+$/, "an authoritative match");
    assert.equal(mb.match_id, ma.match_id);
    assert.equal(ma.token, undefined);
    assert.deepEqual(
      ma.users.map((u) => u.presence.user_id).sort(),
      [a.session.user_id, b.session.user_id].sort(),
    );
    assert.equal(ma.self.presence.user_id, a.session.user_id);
    assert.deepEqual(ma.self.string_properties, { tag });
    assert.deepEqual(ma.self.numeric_properties, { skill: 10 });
    const other = ma.users.find((u) => u.presence.user_id === b.session.user_id);
    assert.deepEqual(other.numeric_properties, { skill: 12.5 });

    // The arena has a seat for each of them.
    const joined = await a.socket.joinMatch(ma.match_id, undefined, { name: "a" });
    assert.equal(joined.authoritative, true);
    assert.equal(joined.label, '{"open":true,"players":0}');
    await b.socket.joinMatch(mb.match_id, undefined, { name: "b" });
  } finally {
    a.socket.disconnect(false);
    b.socket.disconnect(false);
  }
});

test("without a match from the hook, players get a token for a relayed match", async () => {
  const tag = `relayed-${run}`;
  const [a, b] = [await player(3), await player(4)];
  try {
    const query = `+properties.tag:${tag}`;
    await a.socket.addMatchmaker(query, 2, 2, { tag, mode: "relayed" });
    await b.socket.addMatchmaker(query, 2, 2, { tag, mode: "relayed" });
    const ma = await until("a to be matched", () => a.seen.matched[0]);
    const mb = await until("b to be matched", () => b.seen.matched[0]);
    assert.equal(ma.match_id, undefined);
    assert.ok(ma.token, "a token");
    assert.equal(mb.token, ma.token, "one token for the group");

    const ja = await a.socket.joinMatch(undefined, ma.token);
    assert.match(ja.match_id, /^[0-9a-f-]{36}\.$/, "a relayed match");
    assert.ok(!ja.authoritative);
    const jb = await b.socket.joinMatch(undefined, mb.token);
    assert.equal(jb.match_id, ja.match_id);

    await b.socket.sendMatchState(jb.match_id, 4, "hi");
    const got = await until("a to get b's data", () => a.seen.data.find((d) => d.op_code === 4));
    assert.equal(new TextDecoder().decode(got.data), "hi");
  } finally {
    a.socket.disconnect(false);
    b.socket.disconnect(false);
  }
});

test("a removed ticket is not matched, and bad tickets are refused", async () => {
  const tag = `removed-${run}`;
  const [a, b] = [await player(5), await player(6)];
  try {
    const query = `+properties.tag:${tag}`;
    const ta = await a.socket.addMatchmaker(query, 2, 2, { tag });
    await a.socket.removeMatchmaker(ta.ticket);
    await b.socket.addMatchmaker(query, 2, 2, { tag });
    // Two passes (interval 1 s) without a match.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(b.seen.matched.length, 0);

    const gone = await a.socket.removeMatchmaker(ta.ticket).then(
      () => assert.fail("removed twice"),
      (e) => e,
    );
    assert.deepEqual({ code: gone.code, message: gone.message }, { code: 3, message: "Matchmaker ticket not found" });

    const small = await a.socket.addMatchmaker("*", 1, 2).then(
      () => assert.fail("a ticket for one player"),
      (e) => e,
    );
    assert.deepEqual({ code: small.code, message: small.message }, { code: 3, message: "Invalid minimum count, must be >= 2" });
  } finally {
    a.socket.disconnect(false);
    b.socket.disconnect(false);
  }
});
