// Chat through the official JavaScript client, as a game would: two
// players in a room (messages, an edit, a removal, presences), its history
// read back in pages, a direct chat's request, and examples/guild's
// realtime hooks masking words. On the dev host and on a real Nakama
// through the bridge. Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, until, refusal } from "./common.mjs";

const cid = (n) => customId(900, n);

/** A connected socket for a new user, keeping what the chat sends it. */
async function player(n) {
  const session = await client.authenticateCustom(cid(n), true, `chat_${run}_${n}`);
  const socket = client.createSocket(false, false);
  const seen = { messages: [], presences: [], notifications: [] };
  socket.onchannelmessage = (m) => seen.messages.push(m);
  socket.onchannelpresence = (p) => seen.presences.push(p);
  socket.onnotification = (n) => seen.notifications.push(n);
  await socket.connect(session, false);
  return { session, socket, seen };
}

const ROOM = 1;
const DIRECT_MESSAGE = 2;

test("two players chat in a room and read its history back", async () => {
  const ann = await player(1);
  const ben = await player(2);
  try {
    const room = `tavern-${run}`;
    const annChannel = await ann.socket.joinChat(room, ROOM, true, false);
    assert.equal(annChannel.id, `2...${room}`);
    assert.equal(annChannel.room_name, room);
    assert.equal(annChannel.self.user_id, ann.session.user_id);
    assert.equal(annChannel.self.persistence, true);

    const benChannel = await ben.socket.joinChat(room, ROOM, true, false);
    assert.equal(benChannel.id, annChannel.id);
    assert.deepEqual(
      benChannel.presences.map((p) => p.user_id),
      [ann.session.user_id],
    );
    await until("ann to see ben join", () =>
      ann.seen.presences.find((e) => (e.joins ?? []).some((p) => p.user_id === ben.session.user_id)),
    );

    // Messages reach both players, contents as objects.
    const hello = await ann.socket.writeChatMessage(annChannel.id, { text: "hi ben" });
    assert.equal(hello.channel_id, annChannel.id);
    assert.equal(hello.code, 0);
    assert.equal(hello.persistent, true);
    assert.equal(hello.username, ann.session.username);
    const got = await until("ben to get ann's message", () =>
      ben.seen.messages.find((m) => m.message_id === hello.message_id),
    );
    assert.deepEqual(got.content, { text: "hi ben" });
    assert.equal(got.sender_id, ann.session.user_id);
    assert.equal(got.room_name, room);
    await until("ann to get her own message", () =>
      ann.seen.messages.find((m) => m.message_id === hello.message_id),
    );
    const reply = await ben.socket.writeChatMessage(benChannel.id, { text: "hi ann" });
    await until("ann to get ben's reply", () =>
      ann.seen.messages.find((m) => m.message_id === reply.message_id),
    );

    // An edit.
    const edit = await ann.socket.updateChatMessage(annChannel.id, hello.message_id, { text: "hi, ben" });
    assert.equal(edit.code, 1);
    assert.equal(edit.message_id, hello.message_id);
    const edited = await until("ben to see the edit", () =>
      ben.seen.messages.find((m) => m.message_id === hello.message_id && m.code === 1),
    );
    assert.deepEqual(edited.content, { text: "hi, ben" });

    // The history, oldest first, then newest first a page at a time.
    const all = await client.listChannelMessages(ann.session, annChannel.id, 10, true);
    assert.deepEqual(
      all.messages.map((m) => [m.message_id, m.username, m.content]),
      [
        [hello.message_id, ann.session.username, { text: "hi, ben" }],
        [reply.message_id, ben.session.username, { text: "hi ann" }],
      ],
    );
    assert.ok(all.messages.every((m) => m.persistent && m.code === 0 && m.room_name === room));
    const newest = await client.listChannelMessages(ben.session, annChannel.id, 1, false);
    assert.deepEqual(newest.messages.map((m) => m.message_id), [reply.message_id]);
    assert.ok(newest.next_cursor, "a next page");
    const older = await client.listChannelMessages(ben.session, annChannel.id, 1, false, newest.next_cursor);
    assert.deepEqual(older.messages.map((m) => m.message_id), [hello.message_id]);

    // A removal: gone from the history.
    const removed = await ann.socket.removeChatMessage(annChannel.id, hello.message_id);
    assert.equal(removed.code, 2);
    await until("ben to see the removal", () =>
      ben.seen.messages.find((m) => m.message_id === hello.message_id && m.code === 2),
    );
    const left = await client.listChannelMessages(ann.session, annChannel.id, 10, true);
    assert.deepEqual(left.messages.map((m) => m.message_id), [reply.message_id]);

    // Ben leaves: ann is told, and he may not write there any more.
    await ben.socket.leaveChat(benChannel.id);
    await until("ann to see ben leave", () =>
      ann.seen.presences.find((e) => (e.leaves ?? []).some((p) => p.user_id === ben.session.user_id)),
    );
    const refused = await ben.socket.writeChatMessage(benChannel.id, { text: "still here?" }).then(
      () => assert.fail("wrote to a channel he left"),
      (e) => e,
    );
    assert.deepEqual(refusal(refused), { code: 3, message: "Must join channel before sending messages" });
  } finally {
    ann.socket.disconnect(false);
    ben.socket.disconnect(false);
  }
});

test("a direct chat asks the other player to join it", async () => {
  const ann = await player(3);
  const ben = await player(4);
  try {
    const dm = await ann.socket.joinChat(ben.session.user_id, DIRECT_MESSAGE, true, false);
    const pair = [ann.session.user_id, ben.session.user_id].sort();
    assert.equal(dm.id, `4.${pair[0]}.${pair[1]}.`);
    assert.deepEqual([dm.user_id_one, dm.user_id_two], pair);
    const asked = await until("ben to be asked", () => ben.seen.notifications.find((n) => n.code === -1));
    assert.equal(asked.subject, `${ann.session.username} wants to chat`);
    assert.equal(asked.sender_id, ann.session.user_id);
    assert.deepEqual(asked.content, { username: ann.session.username });

    const benDm = await ben.socket.joinChat(ann.session.user_id, DIRECT_MESSAGE, true, false);
    assert.equal(benDm.id, dm.id);
    const sent = await ben.socket.writeChatMessage(dm.id, { text: "hello" });
    const got = await until("ann to get ben's message", () =>
      ann.seen.messages.find((m) => m.message_id === sent.message_id),
    );
    assert.deepEqual([got.user_id_one, got.user_id_two], pair);

    const nosy = await player(5);
    try {
      const refused = await client.listChannelMessages(nosy.session, dm.id, 10, true).then(
        () => assert.fail("read someone else's direct chat"),
        (r) => r,
      );
      assert.equal(refused.status, 400);
      assert.deepEqual(await refused.json(), { code: 3, message: "Channel not found." });
    } finally {
      nosy.socket.disconnect(false);
    }
  } finally {
    ann.socket.disconnect(false);
    ben.socket.disconnect(false);
  }
});

test("guild's realtime hooks mask words in messages and edits before anyone sees them", async () => {
  const ann = await player(5);
  const ben = await player(6);
  try {
    const room = `masked-${run}`;
    const channel = await ann.socket.joinChat(room, ROOM, true, false);
    await ben.socket.joinChat(room, ROOM, true, false);
    const sent = await ann.socket.writeChatMessage(channel.id, { text: "what the HECK", n: 1 });
    const got = await until("ben to get the masked message", () =>
      ben.seen.messages.find((m) => m.message_id === sent.message_id),
    );
    assert.deepEqual(got.content, { text: "what the ****", n: 1 });
    await ann.socket.updateChatMessage(channel.id, sent.message_id, { text: "darn" });
    const edited = await until("ben to see the masked edit", () =>
      ben.seen.messages.find((m) => m.message_id === sent.message_id && m.code === 1),
    );
    assert.deepEqual(edited.content, { text: "****" });
    // Stored masked too.
    const history = await client.listChannelMessages(ben.session, channel.id, 10, true);
    assert.deepEqual(history.messages.map((m) => m.content), [{ text: "****" }]);
  } finally {
    ann.socket.disconnect(false);
    ben.socket.disconnect(false);
  }
});
