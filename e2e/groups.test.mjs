// Groups through the official JavaScript client, as a game would: a clan
// created, found by name, joined (open at once, closed by request and
// acceptance), its members listed, promoted, demoted, kicked and banned,
// its chat channel joined by members, and left and deleted. On the dev
// host and on a real Nakama through the bridge. Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, until } from "./common.mjs";

const cid = (n) => customId(700, n);

/** A new user with a connected socket, keeping what it is sent. */
async function player(n) {
  const session = await client.authenticateCustom(cid(n), true, `grp_${run}_${n}`);
  const socket = client.createSocket(false, false);
  const seen = { messages: [], notifications: [] };
  socket.onchannelmessage = (m) => seen.messages.push(m);
  socket.onnotification = (n) => seen.notifications.push(n);
  await socket.connect(session, false);
  return { session, socket, seen, id: session.user_id };
}

const GROUP = 3;
const states = (list) => (list.group_users ?? []).map((g) => [g.user.id, g.state]);

test("a clan is made, joined, run and closed down", async () => {
  const ann = await player(1);
  const ben = await player(2);
  const cal = await player(3);
  try {
    // Ann makes an open clan and a closed one; both are found by name.
    const clan = await client.createGroup(ann.session, {
      name: `clan-${run}-open`,
      description: "the open one",
      open: true,
      max_count: 10,
    });
    assert.equal(clan.creator_id, ann.id);
    assert.equal(clan.open, true);
    assert.equal(clan.edge_count, 1);
    const closed = await client.createGroup(ann.session, { name: `clan-${run}-closed` });
    assert.equal(closed.open, false);
    await assert.rejects(client.createGroup(ben.session, { name: `clan-${run}-open` }));
    const found = await client.listGroups(ben.session, `clan-${run}%`, undefined, 10);
    assert.deepEqual(
      found.groups.map((g) => g.name),
      [`clan-${run}-closed`, `clan-${run}-open`],
    );

    // Ann listens in the clan's channel.
    const channel = await ann.socket.joinChat(clan.id, GROUP, true, false);
    assert.equal(channel.id, `3.${clan.id}..`);
    assert.equal(channel.group_id, clan.id);
    // Cal is no member: his join is refused.
    await assert.rejects(cal.socket.joinChat(clan.id, GROUP, true, false));

    // Ben joins the open clan at once, and asks to join the closed one.
    assert.equal(await client.joinGroup(ben.session, clan.id), true);
    await until("ben's join in the channel", () =>
      ann.seen.messages.find((m) => m.code === 3 && m.sender_id === ben.id),
    );
    await client.joinGroup(ben.session, closed.id);
    const request = await until("the join request", () =>
      ann.seen.notifications.find((n) => n.code === -5),
    );
    assert.deepEqual(request.content, { group_id: closed.id, username: ben.session.username });
    assert.deepEqual(states(await client.listGroupUsers(ann.session, closed.id)), [
      [ann.id, 0],
      [ben.id, 3],
    ]);
    // Ann accepts him; he is told.
    await client.addGroupUsers(ann.session, closed.id, [ben.id]);
    await until("ben's added notification", () => ben.seen.notifications.find((n) => n.code === -4));
    const bens = await client.listUserGroups(ben.session, ben.id);
    assert.deepEqual(
      bens.user_groups.map((g) => [g.group.id, g.state]),
      [
        [clan.id, 2],
        [closed.id, 2],
      ],
    );

    // Ann adds cal; promotes ben to admin; ben kicks cal; ann demotes ben.
    await client.addGroupUsers(ann.session, clan.id, [cal.id]);
    await client.promoteGroupUsers(ann.session, clan.id, [ben.id]);
    assert.deepEqual(states(await client.listGroupUsers(ben.session, clan.id)), [
      [ann.id, 0],
      [ben.id, 1],
      [cal.id, 2],
    ]);
    await client.kickGroupUsers(ben.session, clan.id, [cal.id]);
    await client.demoteGroupUsers(ann.session, clan.id, [ben.id]);
    assert.deepEqual(states(await client.listGroupUsers(ben.session, clan.id)), [
      [ann.id, 0],
      [ben.id, 2],
    ]);
    for (const code of [4, 7, 6, 9]) {
      await until(`membership message ${code}`, () => ann.seen.messages.find((m) => m.code === code));
    }

    // Members chat in the clan's channel.
    await ben.socket.joinChat(clan.id, GROUP, true, false);
    const hello = await ben.socket.writeChatMessage(channel.id, { text: "hi clan" });
    assert.equal(hello.group_id, clan.id);
    const got = await until("ann to hear ben", () =>
      ann.seen.messages.find((m) => m.message_id === hello.message_id),
    );
    assert.deepEqual(got.content, { text: "hi clan" });
    const history = await client.listChannelMessages(ann.session, channel.id, 100, true);
    assert.ok(history.messages.some((m) => m.message_id === hello.message_id));

    // Banned, ben is out and stays out.
    await client.banGroupUsers(ann.session, clan.id, [ben.id]);
    assert.deepEqual(states(await client.listGroupUsers(ann.session, clan.id)), [[ann.id, 0]]);
    assert.deepEqual(states(await client.listGroupUsers(ann.session, clan.id, 4)), [[ben.id, 4]]);
    await client.joinGroup(ben.session, clan.id);
    assert.deepEqual(states(await client.listGroupUsers(ann.session, clan.id)), [[ann.id, 0]]);

    // Ann cannot leave the closed clan while ben is in; ben leaves, then
    // ann deletes it. Leaving the open one alone deletes it too.
    await assert.rejects(client.leaveGroup(ann.session, closed.id));
    await client.leaveGroup(ben.session, closed.id);
    await client.updateGroup(ann.session, closed.id, { description: "closing" });
    await client.deleteGroup(ann.session, closed.id);
    await client.leaveGroup(ann.session, clan.id);
    const left = await client.listGroups(ben.session, `clan-${run}%`, undefined, 10);
    assert.deepEqual(left.groups ?? [], []);
  } finally {
    for (const p of [ann, ben, cal]) p.socket.disconnect(false);
  }
});
