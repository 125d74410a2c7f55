// The realtime socket in its protobuf format, through the official
// @heroiclabs/nakama-js-protobuf adapter (binary frames, each a
// nakama.realtime.Envelope): a socket RPC (examples/hello), an arena match
// with binary match data (examples/arena), a relayed match's raw bytes, a
// chat message and its acknowledgement (wrappers, timestamps), one that
// examples/guild's realtime hook masks, a status event and a friend
// notification (negative int32, timestamp), error envelopes, and a party
// with its data. On the dev host and on a real Nakama through the bridge.
// Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocketAdapterPb } from "@heroiclabs/nakama-js-protobuf";
import { client, run, customId, until, refusal } from "./common.mjs";

const cid = (n) => customId(1400, n);

/** A new user's protobuf socket, keeping what the server pushes to it. */
async function player(n) {
  const session = await client.authenticateCustom(cid(n), true, `pb_${run}_${n}`);
  const socket = client.createSocket(false, false, new WebSocketAdapterPb());
  const seen = { data: [], presences: [], messages: [], notifications: [], status: [] };
  socket.onmatchdata = (m) => seen.data.push(m);
  socket.onmatchpresence = (p) => seen.presences.push(p);
  socket.onchannelmessage = (m) => seen.messages.push(m);
  socket.onnotification = (n) => seen.notifications.push(n);
  socket.onstatuspresence = (e) => seen.status.push(e);
  await socket.connect(session, true);
  return { session, socket, seen, id: session.user_id, name: session.username };
}

const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

/** A timestamp the adapter decoded, within a minute of now. */
function recent(t) {
  const ms = new Date(t).getTime();
  assert.ok(Math.abs(Date.now() - ms) < 60_000, `${t} is not recent`);
}

test("a socket RPC and its error over protobuf", async () => {
  const ann = await player(1);
  try {
    const hello = await ann.socket.rpc("hello", "protobuf");
    assert.equal(hello.id, "hello");
    assert.equal(hello.payload, "Hello, protobuf!");
    const anon = await ann.socket.rpc("hello");
    assert.equal(anon.payload, `Hello, ${ann.name}!`);
    const missing = await ann.socket.rpc("no_such_rpc", "{}").then(
      () => assert.fail("an unknown RPC answered"),
      (e) => e,
    );
    assert.deepEqual(refusal(missing), { code: 6, message: "RPC function not found" });
  } finally {
    ann.socket.disconnect(false);
  }
});

test("an arena match over protobuf: joins, presences and binary match data", async () => {
  const ann = await player(2);
  const ben = await player(3);
  try {
    const created = await client.rpc(ann.session, "arena_create", { max_players: 2 });
    const matchId = created.payload.match_id;
    const annMatch = await ann.socket.joinMatch(matchId, undefined, { name: "ann" });
    assert.equal(annMatch.match_id, matchId);
    assert.equal(annMatch.authoritative, true);
    // A google.protobuf.StringValue label.
    assert.equal(annMatch.label, '{"open":true,"players":0}');
    assert.equal(annMatch.self.user_id, ann.id);

    const benMatch = await ben.socket.joinMatch(matchId, undefined, { name: "ben" });
    assert.deepEqual(benMatch.presences.map((p) => p.user_id), [ann.id]);
    await until("ann to see ben join", () =>
      ann.seen.presences.find((e) => (e.joins ?? []).some((p) => p.user_id === ben.id)),
    );

    // JSON text as match data (the adapter sends it as bytes).
    await ann.socket.sendMatchState(matchId, 1, JSON.stringify({ x: 3, y: 4 }));
    const moved = await until("positions with ann's move", () =>
      ben.seen.data.find((d) => d.op_code === 2 && decode(d.data).players.ann?.x === 3),
    );
    assert.ok(moved.data instanceof Uint8Array, "match data arrives as bytes");
    assert.deepEqual(decode(moved.data).players, { ann: { x: 3, y: 4 }, ben: { x: 0, y: 0 } });

    // The arena's protobuf move (op code 4): { x: 3, y: -4 } as sint32s.
    await ben.socket.sendMatchState(matchId, 4, new Uint8Array([0x08, 0x06, 0x10, 0x07]));
    const compact = await until("positions with ben's compact move", () =>
      ann.seen.data.find((d) => d.op_code === 2 && decode(d.data).players.ben?.y === -4),
    );
    assert.deepEqual(decode(compact.data).players.ben, { x: 3, y: -4 });

    // An error envelope: a full arena.
    const cal = await player(4);
    try {
      const full = await cal.socket.joinMatch(matchId, undefined, { name: "cal" }).then(
        () => assert.fail("joined a full arena"),
        (e) => e,
      );
      assert.deepEqual(refusal(full), { code: 5, message: "arena is full" });
    } finally {
      cal.socket.disconnect(false);
    }

    await ben.socket.leaveMatch(matchId);
    await until("ann to see ben leave", () =>
      ann.seen.presences.find((e) => (e.leaves ?? []).some((p) => p.user_id === ben.id)),
    );
  } finally {
    ann.socket.disconnect(false);
    ben.socket.disconnect(false);
  }
});

test("a relayed match passes raw bytes and a large op code", async () => {
  const [a, b] = [await player(5), await player(6)];
  try {
    const created = await a.socket.createMatch(`pb-relay-${run}`);
    assert.ok(!created.authoritative);
    await b.socket.joinMatch(created.match_id);
    const bytes = new Uint8Array([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]);
    // An int64 op code past 2^32 (nakama-js parses it back with parseInt).
    const opCode = 2 ** 40 + 3;
    await a.socket.sendMatchState(created.match_id, opCode, bytes);
    const got = await until("b to get a's bytes", () => b.seen.data.find((d) => d.op_code === opCode));
    assert.deepEqual([...got.data], [...bytes]);
    assert.equal(got.presence.user_id, a.id);
    assert.equal(got.match_id, created.match_id);
  } finally {
    a.socket.disconnect(false);
    b.socket.disconnect(false);
  }
});

test("chat, status and notifications over protobuf", async () => {
  const [ann, ben] = [await player(7), await player(8)];
  try {
    // Chat: the acknowledgement's wrappers and timestamps, the message pushed.
    const room = `pb-${run}`;
    const channel = await ann.socket.joinChat(room, 1, true, false);
    assert.equal(channel.id, `2...${room}`);
    assert.equal(channel.self.persistence, true);
    await ben.socket.joinChat(room, 1, true, false);
    const ack = await ann.socket.writeChatMessage(channel.id, { text: "hi" });
    assert.equal(ack.channel_id, channel.id);
    assert.equal(ack.code, 0);
    assert.equal(ack.persistent, true);
    assert.equal(ack.username, ann.name);
    assert.equal(ack.room_name, room);
    recent(ack.create_time);
    const got = await until("ben to get ann's message", () =>
      ben.seen.messages.find((m) => m.message_id === ack.message_id),
    );
    assert.deepEqual(got.content, { text: "hi" });
    assert.equal(got.sender_id, ann.id);
    assert.equal(got.code, 0);
    recent(got.create_time);
    // examples/guild's realtime before hook rewrites the message as it
    // does on a JSON socket: it sees the same envelope.
    const masked = await ann.socket.writeChatMessage(channel.id, { text: "what the HECK" });
    const maskedGot = await until("ben to get the masked message", () =>
      ben.seen.messages.find((m) => m.message_id === masked.message_id),
    );
    assert.deepEqual(maskedGot.content, { text: "what the ****" });

    // Status: a followed user's change (google.protobuf.StringValue).
    const followed = await ben.socket.followUsers([ann.id]);
    assert.deepEqual(followed.presences.map((p) => [p.user_id, p.status ?? ""]), [[ann.id, ""]]);
    await ann.socket.updateStatus("in a match");
    const changed = await until("ben to see ann's status", () =>
      ben.seen.status.find((e) => (e.joins ?? []).some((p) => p.status === "in a match")),
    );
    assert.equal(changed.joins[0].user_id, ann.id);
    assert.equal(changed.leaves[0].user_id, ann.id);

    // A friend invite's notification: code -2, a timestamp, persistent.
    assert.equal(await client.addFriends(ann.session, [ben.id]), true);
    const invite = await until("ben's invite", () =>
      ben.seen.notifications.find((n) => n.code === -2 && n.sender_id === ann.id),
    );
    assert.equal(invite.subject, `${ann.name} wants to add you as a friend`);
    assert.deepEqual(invite.content, { username: ann.name });
    assert.equal(invite.persistent, true);
    recent(invite.create_time);
  } finally {
    ann.socket.disconnect(false);
    ben.socket.disconnect(false);
  }
});

test("a party over protobuf: creation, a join, presences and binary party data", async () => {
  const [ann, ben] = [await player(9), await player(10)];
  const parties = { ben: [], presences: [], data: [] };
  ann.socket.onpartypresence = (p) => parties.presences.push(p);
  ben.socket.onparty = (p) => parties.ben.push(p);
  ben.socket.onpartydata = (d) => parties.data.push(d);
  try {
    // The adapter (1.4.0, the latest) decodes `party` with an older
    // Party that has no `hidden` (field 3), so it reads fields 3 to 7 as
    // the wrong ones on either host: only party_id (field 1) is asserted.
    const party = await ann.socket.createParty(true, 3);
    assert.match(party.party_id, /^[0-9a-f-]{36}\..+$/);
    await ben.socket.joinParty(party.party_id);
    await until("ben's party", () => parties.ben.find((p) => p.party_id === party.party_id));
    await until("ann to see ben join", () =>
      parties.presences.find((e) => (e.joins ?? []).some((p) => p.user_id === ben.id)),
    );
    const bytes = new Uint8Array([0xff, 0, 0x80]);
    await ann.socket.sendPartyData(party.party_id, 7, bytes);
    const got = await until("ben to get the party data", () => parties.data.find((d) => d.op_code === 7));
    assert.deepEqual([...got.data], [...bytes]);
    assert.equal(got.presence.user_id, ann.id);
  } finally {
    ann.socket.disconnect(false);
    ben.socket.disconnect(false);
  }
});
