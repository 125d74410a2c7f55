// Tournaments through nakama-js: examples/guild's weekly cup (created at
// init; joining required, a new period every Monday) listed, joined,
// written and read, on the dev host and on Nakama.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, customId, run } from "./common.mjs";

const cid = (n) => customId(400, n);
const CUP = "weekly_cup";

/** The status and JSON body of a rejected client call. */
async function rejection(promise) {
  try {
    await promise;
  } catch (response) {
    return { status: response.status, body: await response.json() };
  }
  assert.fail("the call succeeded");
}

test("tournament: listed, joined, written, ranked and read around an owner", async () => {
  const ann = await client.authenticateCustom(cid(1), true, `tn_${run}_a`);
  const ben = await client.authenticateCustom(cid(2), true, `tn_${run}_b`);

  // Category 1, no times given: tournaments not ended yet.
  const list = await client.listTournaments(ann, 1, 1);
  const cup = list.tournaments.find((t) => t.id === CUP);
  assert.ok(cup, JSON.stringify(list));
  assert.equal(cup.title, "Weekly cup");
  assert.equal(cup.category, 1);
  assert.equal(cup.duration, 7 * 24 * 3600);
  assert.equal(cup.can_enter, true);
  // The period ends, and the next starts, on a Monday at midnight UTC.
  assert.equal(cup.end_active, cup.next_reset);
  assert.equal(new Date(cup.next_reset * 1000).toISOString().slice(10), "T00:00:00.000Z");
  assert.equal(new Date(cup.next_reset * 1000).getUTCDay(), 1);

  const early = await rejection(client.writeTournamentRecord(ann, CUP, { score: 10 }));
  assert.deepEqual(early, {
    status: 400,
    body: { code: 9, message: "Must join tournament before attempting to write value." },
  });
  assert.equal(await client.joinTournament(ann, CUP), true);
  assert.equal(await client.joinTournament(ann, CUP), true, "joining twice is fine");
  assert.equal(await client.joinTournament(ben, CUP), true);

  const written = await client.writeTournamentRecord(ann, CUP, { score: 50, metadata: { lap: 1 } });
  assert.equal(written.owner_id, ann.user_id);
  assert.equal(written.username, `tn_${run}_a`);
  assert.deepEqual([written.score, written.num_score], [50, 1]);
  assert.deepEqual(written.metadata, { lap: 1 });
  assert.ok(written.expiry_time, "a record of this week");
  // The best score counts (the default operator).
  await client.writeTournamentRecord(ben, CUP, { score: 30 });
  const worse = await client.writeTournamentRecord(ben, CUP, { score: 20 });
  assert.deepEqual([worse.score, worse.num_score], [30, 2]);

  const mine = await client.listTournamentRecords(ben, CUP, [ann.user_id, ben.user_id], 100);
  const owners = mine.owner_records.map((r) => [r.username, r.score, r.num_score]);
  assert.deepEqual(owners, [
    [`tn_${run}_a`, 50, 1],
    [`tn_${run}_b`, 30, 2],
  ]);
  assert.ok(mine.owner_records[0].rank < mine.owner_records[1].rank);
  assert.ok(mine.records.some((r) => r.owner_id === ben.user_id && r.score === 30));

  const around = await client.listTournamentRecordsAroundOwner(ann, CUP, ben.user_id, 2);
  const ids = around.records.map((r) => r.owner_id);
  assert.ok(ids.includes(ben.user_id), JSON.stringify(around));
  assert.ok(ids.includes(ann.user_id), JSON.stringify(around));

  // Ann takes her record back; Ben's stays.
  await client.deleteTournamentRecord(ann, CUP);
  const left = await client.listTournamentRecords(ben, CUP, [ann.user_id, ben.user_id], 100);
  assert.deepEqual(
    left.owner_records.map((r) => [r.username, r.score]),
    [[`tn_${run}_b`, 30]],
  );
  assert.ok(!left.records.some((r) => r.owner_id === ann.user_id), JSON.stringify(left));
});
