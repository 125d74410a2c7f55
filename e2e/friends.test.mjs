// Friends through the official JavaScript client, as a game's friends
// screen would use them: an invite and its accept (each notified over the
// socket and kept for listNotifications), friends listed by state, friends
// of friends, a block, a removal, and notifications read and deleted. On
// the dev host and on a real Nakama through the bridge. Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, until } from "./common.mjs";

const cid = (n) => customId(400, n);

/** A connected socket for a new user, keeping the notifications it is sent. */
async function player(n) {
  const session = await client.authenticateCustom(cid(n), true, `friends_${run}_${n}`);
  const socket = client.createSocket(false, false);
  const notifications = [];
  socket.onnotification = (n) => notifications.push(n);
  await socket.connect(session, false);
  return { session, socket, notifications, id: session.user_id, name: session.username };
}

/** `who`'s relationships: [username, state] each, in the order listed. */
async function friends(who, state) {
  const list = await client.listFriends(who.session, state);
  return (list.friends ?? []).map((f) => [f.user.username, f.state]);
}

/** Waits for the friend notification `code` from `from` on `to`'s socket. */
function notified(to, from, code, subject) {
  return until(subject, () =>
    to.notifications.find((n) => n.code === code && n.sender_id === from.id),
  ).then((n) => {
    assert.equal(n.subject, subject);
    assert.deepEqual(n.content, { username: from.name });
    assert.equal(n.persistent, true);
    return n;
  });
}

test("players befriend, block and remove each other, notified as they go", async () => {
  const [ann, ben, cal] = [await player(1), await player(2), await player(3)];
  try {
    // An invite: pushed to ben and kept for him.
    assert.equal(await client.addFriends(ann.session, [ben.id]), true);
    const invite = await notified(ben, ann, -2, `${ann.name} wants to add you as a friend`);
    assert.deepEqual(await friends(ann), [[ben.name, 1]]);
    assert.deepEqual(await friends(ben, 2), [[ann.name, 2]]);
    assert.deepEqual(await friends(ben, 0), []);
    const stored = await client.listNotifications(ben.session, 10);
    assert.deepEqual(
      stored.notifications.map((n) => [n.id, n.code, n.subject, n.content]),
      [[invite.id, -2, invite.subject, { username: ann.name }]],
    );
    assert.ok(stored.cacheable_cursor);

    // The accept, by username.
    assert.equal(await client.addFriends(ben.session, undefined, [ann.name]), true);
    await notified(ann, ben, -3, `${ben.name} accepted your friend request`);
    assert.deepEqual(await friends(ann), [[ben.name, 0]]);
    assert.deepEqual(await friends(ben), [[ann.name, 0]]);
    // Nothing stored for ben since his last listing.
    const since = await client.listNotifications(ben.session, 10, stored.cacheable_cursor);
    assert.deepEqual(since.notifications, []);

    // Friends of friends: cal is ben's friend, not ann's.
    await client.addFriends(cal.session, [ben.id]);
    await client.addFriends(ben.session, [cal.id]);
    const fof = await client.listFriendsOfFriends(ann.session);
    assert.deepEqual(
      fof.friends_of_friends.map((f) => [f.referrer, f.user.username]),
      [[ben.id, cal.name]],
    );

    // Reading and deleting notifications.
    assert.equal(await client.deleteNotifications(ben.session, [invite.id]), true);
    const left = await client.listNotifications(ben.session, 10);
    assert.ok(!left.notifications.some((n) => n.id === invite.id), JSON.stringify(left));

    // A block: cal's side is a block, and ann's invite does nothing.
    assert.equal(await client.blockFriends(cal.session, [ann.id]), true);
    assert.deepEqual(await friends(cal, 3), [[ann.name, 3]]);
    await client.addFriends(ann.session, [cal.id]);
    assert.deepEqual(await friends(ann), [[ben.name, 0]]);

    // A removal: both sides go, ben is told.
    assert.equal(await client.deleteFriends(ann.session, [ben.id]), true);
    await notified(ben, ann, -9, `${ann.name} removed you as a friend`);
    assert.deepEqual(await friends(ann), []);
    assert.deepEqual(await friends(ben), [[cal.name, 0]]);
  } finally {
    for (const p of [ann, ben, cal]) p.socket.disconnect(false);
  }
});
