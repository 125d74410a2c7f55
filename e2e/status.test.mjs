// User status through the official JavaScript client, as a game's friends
// list would use it: one player online with a status, another following
// them, the status changing, the player appearing offline, and the
// `online` flag of users. On the dev host and on a real Nakama through the
// bridge. Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, until } from "./common.mjs";

const cid = (n) => customId(300, n);

/** A connected socket for a new user (`createStatus`: with a status presence), keeping its status events. */
async function player(n, createStatus) {
  const session = await client.authenticateCustom(cid(n), true, `status_${run}_${n}`);
  const socket = client.createSocket(false, false);
  const events = [];
  socket.onstatuspresence = (e) => events.push(e);
  await socket.connect(session, createStatus);
  return { session, socket, events };
}

/** Whether `session` reads `user` as online (`GET /v2/user`). */
async function online(session, user) {
  const users = await client.getUsers(session, [user.user_id]);
  return users.users[0].online === true;
}

test("a follower sees a player's status change and go", async () => {
  const ann = await player(1, true);
  const ben = await player(2, false);
  try {
    const me = { user_id: ann.session.user_id, username: ann.session.username };
    // Ann's socket hears of its own presence: a user's sockets follow it.
    const own = await until("ann's own presence", () =>
      ann.events.find((e) => (e.joins ?? []).some((p) => p.user_id === me.user_id)),
    );
    const sessionId = own.joins[0].session_id;
    const presence = (status) => ({ ...me, session_id: sessionId, status });

    const status = await ben.socket.followUsers([ann.session.user_id]);
    assert.deepEqual(status.presences, [presence("")]);
    await until("ann to be online", () => online(ben.session, ann.session));
    assert.equal(await online(ben.session, ben.session), false, "no status presence, not online");

    // A change: the old presence leaves and the new one joins.
    await ann.socket.updateStatus("in a match");
    const changed = await until("ben to see the change", () =>
      ben.events.find((e) => (e.joins ?? []).some((p) => p.status === "in a match")),
    );
    assert.deepEqual(changed.joins, [presence("in a match")]);
    assert.deepEqual(changed.leaves, [presence("")]);

    // No status: appearing offline.
    await ann.socket.updateStatus();
    const gone = await until("ben to see ann go", () =>
      ben.events.find((e) => !e.joins && (e.leaves ?? []).some((p) => p.status === "in a match")),
    );
    assert.deepEqual(gone.leaves, [presence("in a match")]);
    await until("ann to be offline", async () => !(await online(ben.session, ann.session)));
    const account = await client.getAccount(ann.session);
    assert.notEqual(account.user.online, true);

    await ben.socket.unfollowUsers([ann.session.user_id]);
  } finally {
    ann.socket.disconnect(false);
    ben.socket.disconnect(false);
  }
});
