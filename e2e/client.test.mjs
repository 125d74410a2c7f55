// A host of the example modules (hello, guild) seen through the official
// JavaScript client, as a game would use it: the dev host, or a real Nakama
// running them through the bridge. Run by ./run.sh [devhost|nakama], which
// sets NAKAMA_PORT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@heroiclabs/nakama-js";

const port = process.env.NAKAMA_PORT;
assert.ok(port, "run through e2e/run.sh, which starts the host");
const client = new Client("defaultkey", "127.0.0.1", port, false);
const run = Date.now() % 1000000;
const cid = (n) => `cid-${String((run + n) % 1000000).padStart(6, "0")}`;

/** The status and JSON body of a rejected client call. */
async function rejection(promise) {
  try {
    await promise;
  } catch (response) {
    return { status: response.status, body: await response.json() };
  }
  assert.fail("the call succeeded");
}

test("authenticate: the module's before hook accepts and rejects", async () => {
  const session = await client.authenticateCustom(cid(1), true, `e2e_${run}_1`);
  assert.ok(session.token);
  assert.equal(session.created, true);
  assert.equal(session.username, `e2e_${run}_1`);
  const again = await client.authenticateCustom(cid(1), true);
  assert.equal(again.user_id, session.user_id);
  assert.equal(again.created, false);

  const refused = await rejection(client.authenticateCustom("bad-custom-id", true));
  assert.deepEqual(refused, {
    status: 400,
    body: { code: 3, message: "input contained invalid data" },
  });
});

test("typed RPCs answer results and each typed error", async () => {
  const session = await client.authenticateCustom(cid(2), true);
  const name = `guild${run}`;
  const created = await client.rpc(session, "create_guild", { name });
  assert.deepEqual(created.payload, { name, owner: session.user_id });

  const got = await client.rpc(session, "get_guild", { name });
  assert.deepEqual(got.payload, { name, owner: session.user_id });
  // nakama-js's rpcHttpKey sends a GET with the payload in the query
  // string, which Nakama's RPC handler does not read as the payload (only
  // a POST has one; the module finds it among the query parameters): the
  // typed RPC is told its payload is empty, and why that may be. A wrong
  // key is refused first.
  const viaKey = await rejection(client.rpcHttpKey("defaulthttpkey", "get_guild", { name }));
  assert.deepEqual(
    [viaKey.status, viaKey.body.code, viaKey.body.message],
    [
      400,
      3,
      "payload is empty; expected JSON (a payload is a POST body: a GET, as nakama-js's rpcHttpKey sends, has none)",
    ],
  );
  const badKey = await rejection(client.rpcHttpKey("wrong", "get_guild", { name }));
  assert.deepEqual([badKey.status, badKey.body.code, badKey.body.message], [401, 16, "HTTP key invalid"]);

  const taken = await rejection(client.rpc(session, "create_guild", { name }));
  assert.equal(taken.status, 409);
  assert.equal(taken.body.code, 6);
  assert.equal(taken.body.message, "guild name is in use");

  const missing = await rejection(client.rpc(session, "get_guild", { name: "nope" }));
  assert.equal(missing.status, 404);
  assert.equal(missing.body.message, "guild nope not found");

  const bad = await rejection(client.rpc(session, "create_guild", { name: "has space" }));
  assert.equal(bad.status, 400);
  assert.equal(bad.body.message, "input contained invalid data");

  const undecodable = await rejection(client.rpc(session, "create_guild", { title: "x" }));
  assert.equal(undecodable.status, 400);
  assert.match(undecodable.body.message, /missing field `name`/);

});

test("a player's guilds, found through the server's storage index", async () => {
  const session = await client.authenticateCustom(cid(20), true);
  const other = await client.authenticateCustom(cid(21), true);
  for (const name of [`zeta${run}`, `alpha${run}`]) {
    await client.rpc(session, "create_guild", { name });
  }
  await client.rpc(other, "create_guild", { name: `other${run}` });
  // Nakama indexes a write as it commits; wait for it all the same.
  let page;
  for (let i = 0; i < 100; i++) {
    page = (await client.rpc(session, "my_guilds", {})).payload;
    if (page.guilds?.length === 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(
    page.guilds.map((g) => g.name),
    [`alpha${run}`, `zeta${run}`],
  );
  assert.ok(page.guilds.every((g) => g.owner === session.user_id));
});

test("storage: versions, permissions, list, delete", async () => {
  const owner = await client.authenticateCustom(cid(3), true);
  const other = await client.authenticateCustom(cid(4), true);
  const acks = await client.writeStorageObjects(owner, [
    { collection: "saves", key: "slot1", value: { hp: 20 }, permission_read: 1, permission_write: 1 },
    { collection: "saves", key: "pub", value: { hp: 1 }, permission_read: 2, permission_write: 1 },
  ]);
  assert.equal(acks.acks.length, 2);
  const version = acks.acks[0].version;
  assert.match(version, /^[0-9a-f]{32}$/);

  const conflict = await rejection(
    client.writeStorageObjects(owner, [
      { collection: "saves", key: "slot1", value: { hp: 1 }, version: "*" },
    ]),
  );
  assert.equal(conflict.status, 400);
  assert.equal(conflict.body.message, "Storage write rejected - version check failed.");

  const updated = await client.writeStorageObjects(owner, [
    { collection: "saves", key: "slot1", value: { hp: 30 }, version },
  ]);
  assert.notEqual(updated.acks[0].version, version);

  const read = await client.readStorageObjects(owner, {
    object_ids: [{ collection: "saves", key: "slot1", user_id: owner.user_id }],
  });
  assert.deepEqual(read.objects[0].value, { hp: 30 });

  const otherRead = await client.readStorageObjects(other, {
    object_ids: [
      { collection: "saves", key: "slot1", user_id: owner.user_id },
      { collection: "saves", key: "pub", user_id: owner.user_id },
    ],
  });
  assert.deepEqual(
    otherRead.objects.map((o) => o.key),
    ["pub"],
    "another user reads only public objects",
  );

  const page = await client.listStorageObjects(owner, "saves", owner.user_id, 1);
  assert.equal(page.objects.length, 1);
  assert.ok(page.cursor, "a second page exists");
  const page2 = await client.listStorageObjects(owner, "saves", owner.user_id, 1, page.cursor);
  assert.equal(page2.objects.length, 1);
  assert.notEqual(page2.objects[0].key, page.objects[0].key);

  await client.deleteStorageObjects(owner, {
    object_ids: [{ collection: "saves", key: "pub" }],
  });
  const gone = await client.readStorageObjects(owner, {
    object_ids: [{ collection: "saves", key: "pub", user_id: owner.user_id }],
  });
  assert.equal(gone.objects.length, 0);
});

test("account get and update, session refresh", async () => {
  const session = await client.authenticateCustom(cid(5), true, `acct_${run}`);
  const account = await client.getAccount(session);
  assert.equal(account.user.id, session.user_id);
  assert.equal(account.user.username, `acct_${run}`);
  assert.equal(account.custom_id, cid(5));

  // The guild module's before hook trims the display name; the other
  // fields cross the hook unchanged.
  await client.updateAccount(session, { display_name: "  Ann  ", location: "Lyon", timezone: "Europe/Paris" });
  const after = await client.getAccount(session);
  assert.equal(after.user.display_name, "Ann");
  assert.equal(after.user.location, "Lyon");
  assert.equal(after.user.timezone, "Europe/Paris");

  const refreshed = await client.sessionRefresh(session);
  assert.equal(refreshed.user_id, session.user_id);
  assert.ok(refreshed.token);
  const still = await client.getAccount(refreshed);
  assert.equal(still.user.id, session.user_id);

  // Logging out voids the token and its refresh token.
  assert.equal(await client.sessionLogout(refreshed, refreshed.token, refreshed.refresh_token), true);
  assert.deepEqual(await rejection(client.getAccount(refreshed)), {
    status: 401,
    body: { code: 16, message: "Auth token invalid" },
  });
  assert.deepEqual(await rejection(client.sessionRefresh(refreshed)), {
    status: 401,
    body: { code: 16, message: "Refresh token invalid or expired." },
  });
});

test("leaderboard: an RPC writes, the client lists, the client may not write", async () => {
  const ann = await client.authenticateCustom(cid(6), true, `lb_${run}_a`);
  const ben = await client.authenticateCustom(cid(7), true, `lb_${run}_b`);
  const first = await client.rpc(ann, "contribute", { points: 40 });
  assert.equal(first.payload.total, 40);
  await client.rpc(ben, "contribute", { points: 30 });
  const again = await client.rpc(ann, "contribute", { points: 5 });
  assert.equal(again.payload.total, 45);

  const mine = await client.listLeaderboardRecords(ben, "contributions", [ann.user_id, ben.user_id]);
  const scores = mine.owner_records.map((r) => [r.username, r.score, r.num_score]);
  assert.deepEqual(scores, [
    [`lb_${run}_a`, 45, 2],
    [`lb_${run}_b`, 30, 1],
  ]);
  assert.ok(mine.owner_records[0].rank < mine.owner_records[1].rank);

  const top = await client.listLeaderboardRecords(ben, "contributions", undefined, 100);
  assert.ok(top.records.some((r) => r.owner_id === ann.user_id && r.score === 45));
  const around = await client.listLeaderboardRecordsAroundOwner(ben, "contributions", ann.user_id, 2);
  assert.equal(around.records.length, 2, JSON.stringify(around));
  assert.ok(around.records.some((r) => r.owner_id === ann.user_id && r.score === 45));

  const refused = await rejection(client.writeLeaderboardRecord(ann, "contributions", { score: 1000 }));
  assert.deepEqual(refused, {
    status: 403,
    body: { code: 7, message: "Leaderboard only allows authoritative score submissions." },
  });
});
