// A module's own presence streams through the official JavaScript client:
// examples/guild's guild lobby, joined by RPC over the socket; members see
// each other come and go (onstreampresence) and get what is said there
// (onstreamdata), masked as guild chat is. On the dev host and on a real
// Nakama through the bridge. Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, until, refusal } from "./common.mjs";

const cid = (n) => customId(1100, n);

/** A connected socket for a new user, keeping what streams send it. */
async function player(n) {
  const session = await client.authenticateCustom(cid(n), true, `lobby_${run}_${n}`);
  const socket = client.createSocket(false, false);
  const seen = { data: [], presences: [] };
  socket.onstreamdata = (d) => seen.data.push(d);
  socket.onstreampresence = (p) => seen.presences.push(p);
  await socket.connect(session, false);
  return { session, socket, seen, id: session.user_id };
}

const call = async (p, id, input) => {
  const { payload } = await p.socket.rpc(id, JSON.stringify(input));
  return payload ? JSON.parse(payload) : undefined;
};
const names = (list) => (list ?? []).map((p) => p.username);

test("guild members meet in their guild's lobby", async () => {
  const ann = await player(1);
  const ben = await player(2);
  const cal = await player(3);
  try {
    const name = `lobby-${run}`;
    await client.rpc(ann.session, "create_guild", { name });

    // Ann is first in; she sees her own arrival.
    assert.deepEqual(await call(ann, "join_lobby", { name }), { members: [ann.session.username] });
    const stream = { mode: 100, label: name };
    const annIn = await until("ann's own join", () =>
      ann.seen.presences.find((e) => names(e.joins).includes(ann.session.username)),
    );
    assert.deepEqual(annIn.stream, stream);
    assert.equal(annIn.joins[0].user_id, ann.id);

    // Ben joins: both see him.
    const lobby = await call(ben, "join_lobby", { name });
    assert.deepEqual(lobby.members, [ann.session.username, ben.session.username].sort());
    for (const p of [ann, ben]) {
      await until(`${p.session.username} to see ben join`, () =>
        p.seen.presences.find((e) => names(e.joins).includes(ben.session.username)),
      );
    }

    // What is said reaches everyone in the lobby, masked; not Cal, who
    // is not in it and may not talk there.
    await call(ben, "lobby_say", { name, text: "darn, hello" });
    for (const p of [ann, ben]) {
      const said = await until(`${p.session.username} to hear ben`, () => p.seen.data[0]);
      assert.deepEqual(said.stream, stream);
      assert.deepEqual(JSON.parse(said.data), { from: ben.session.username, text: "****, hello" });
      assert.equal(said.reliable, true);
    }
    // (A socket's RPC errors carry rtapi's code 7, RUNTIME_FUNCTION_EXCEPTION.)
    await assert.rejects(call(cal, "lobby_say", { name, text: "hi" }), (e) => {
      assert.deepEqual(refusal(e), { code: 7, message: "join the guild's lobby first" });
      return true;
    });
    await assert.rejects(call(cal, "join_lobby", { name: `${name}-none` }), (e) => {
      assert.deepEqual(refusal(e), { code: 7, message: `guild ${name}-none not found` });
      return true;
    });
    assert.equal(cal.seen.data.length, 0);

    // Ben's socket closes: Ann sees him leave.
    ben.socket.disconnect(false);
    await until("ann to see ben leave", () =>
      ann.seen.presences.find((e) => names(e.leaves).includes(ben.session.username)),
    );
  } finally {
    for (const p of [ann, ben, cal]) p.socket.disconnect(false);
  }
});
