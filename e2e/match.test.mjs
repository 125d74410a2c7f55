// An authoritative match (examples/arena) played through the official
// JavaScript client's realtime socket, as a game would: on the dev host or
// on a real Nakama running the module through the bridge. Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, until, refusal } from "./common.mjs";

const cid = (n) => customId(500, n);

/** A connected socket for a new user, collecting what the match sends. */
async function player(n) {
  const session = await client.authenticateCustom(cid(n), true, `arena_${run}_${n}`);
  const socket = client.createSocket(false, false);
  const seen = { data: [], presences: [] };
  socket.onmatchdata = (m) => seen.data.push(m);
  socket.onmatchpresence = (p) => seen.presences.push(p);
  await socket.connect(session, false);
  return { session, socket, seen };
}


const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

test("players join an arena, see each other move, and leave", async () => {
  const ann = await player(1);
  const ben = await player(2);
  try {
    const created = await client.rpc(ann.session, "arena_create", { max_players: 2 });
    const matchId = created.payload.match_id;
    assert.match(matchId, /^[0-9a-f-]{36}\.\S+$/);

    const listed = await until("the match to be listed", async () => {
      const list = await client.listMatches(ann.session, 100, true);
      return (list.matches ?? []).find((m) => m.match_id === matchId);
    });
    assert.equal(listed.handler_name, "arena");

    const annMatch = await ann.socket.joinMatch(matchId, undefined, { name: "ann" });
    assert.equal(annMatch.match_id, matchId);
    assert.equal(annMatch.authoritative, true);
    assert.equal(annMatch.self.user_id, ann.session.user_id);
    assert.equal(annMatch.label, '{"open":true,"players":0}');

    const benMatch = await ben.socket.joinMatch(matchId, undefined, { name: "ben" });
    assert.deepEqual(
      benMatch.presences.map((p) => p.user_id),
      [ann.session.user_id],
    );
    await until("ann to see ben join", () =>
      ann.seen.presences.find((e) => (e.joins ?? []).some((p) => p.user_id === ben.session.user_id)),
    );

    await ann.socket.sendMatchState(matchId, 1, JSON.stringify({ x: 3, y: 4 }));
    for (const p of [ann, ben]) {
      const positions = await until("positions with ann's move", () =>
        p.seen.data.find((d) => d.op_code === 2 && decode(d.data).players.ann?.x === 3),
      );
      assert.deepEqual(decode(positions.data).players, { ann: { x: 3, y: 4 }, ben: { x: 0, y: 0 } });
    }

    // The same move as protobuf bytes (op code 4, the arena's pb::Move
    // { sint32 x = 1; sint32 y = 2; }): what a protobuf library writes for
    // { x: 3, y: -4 }, sent as binary match data.
    await ben.socket.sendMatchState(matchId, 4, new Uint8Array([0x08, 0x06, 0x10, 0x07]));
    const compact = await until("positions with ben's compact move", () =>
      ann.seen.data.find((d) => d.op_code === 2 && decode(d.data).players.ben?.y === -4),
    );
    assert.deepEqual(decode(compact.data).players.ben, { x: 3, y: -4 });

    // A message the arena does not understand comes back to its sender only.
    await ben.socket.sendMatchState(matchId, 5, "jump");
    await until("ben's refusal", () => ben.seen.data.find((d) => d.op_code === 9));
    assert.equal(ann.seen.data.filter((d) => d.op_code === 9).length, 0);

    await ben.socket.leaveMatch(matchId);
    await until("ann to see ben leave", () =>
      ann.seen.presences.find((e) => (e.leaves ?? []).some((p) => p.user_id === ben.session.user_id)),
    );
  } finally {
    ann.socket.disconnect(false);
    ben.socket.disconnect(false);
  }
});

test("joins are refused as the match handler decides", async () => {
  const [a, b, c] = [await player(3), await player(4), await player(5)];
  try {
    const created = await client.rpc(a.session, "arena_create", { max_players: 2 });
    const matchId = created.payload.match_id;

    const nameless = await a.socket.joinMatch(matchId).then(
      () => assert.fail("joined without a name"),
      (e) => e,
    );
    assert.deepEqual(refusal(nameless), { code: 5, message: "name required" });

    await a.socket.joinMatch(matchId, undefined, { name: "a" });
    await b.socket.joinMatch(matchId, undefined, { name: "b" });
    const full = await c.socket.joinMatch(matchId, undefined, { name: "c" }).then(
      () => assert.fail("joined a full arena"),
      (e) => e,
    );
    assert.deepEqual(refusal(full), { code: 5, message: "arena is full" });

    const missing = await c.socket
      .joinMatch("9e0ba8f3-6d51-4a8d-9f47-4b1c2d3e4f50.nowhere", undefined, { name: "c" })
      .then(
        () => assert.fail("joined a match that does not exist"),
        (e) => e,
      );
    assert.deepEqual(refusal(missing), { code: 4, message: "Match not found" });
  } finally {
    for (const p of [a, b, c]) p.socket.disconnect(false);
  }
});

test("a relayed match passes data between its players, without a handler", async () => {
  const [a, b] = [await player(6), await player(7)];
  try {
    const created = await a.socket.createMatch(`relay-${run}`);
    assert.ok(!created.authoritative, "relayed");
    assert.match(created.match_id, /^[0-9a-f-]{36}\.$/);
    const again = await b.socket.createMatch(`relay-${run}`);
    assert.equal(again.match_id, created.match_id, "a name always gives the same match");
    assert.deepEqual(again.presences.map((p) => p.user_id), [a.session.user_id]);

    await a.socket.sendMatchState(created.match_id, 3, "hello");
    const got = await until("b to get a's data", () => b.seen.data.find((d) => d.op_code === 3));
    assert.equal(new TextDecoder().decode(got.data), "hello");
    assert.equal(got.presence.user_id, a.session.user_id);
    assert.equal(a.seen.data.length, 0, "not echoed to the sender");
  } finally {
    a.socket.disconnect(false);
    b.socket.disconnect(false);
  }
});
