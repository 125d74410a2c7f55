// examples/guild's webhook, a custom HTTP handler (RegisterHttp) on the
// client API's port: another service credits a member's contributions
// with the shared secret run.sh puts in runtime.env, and players see them
// on the leaderboard through nakama-js. Run by ./run.sh on both hosts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, customId } from "./common.mjs";

const secret = "e2e-webhook-secret"; // run.sh: --runtime.env GUILD_WEBHOOK_SECRET=...
const url = `http://127.0.0.1:${process.env.NAKAMA_PORT}/guild/webhook`;

const post = (headers, body) =>
  fetch(url, { method: "POST", headers, body: JSON.stringify(body) });

test("the webhook credits a member with the secret and refuses others", async () => {
  const dee = await client.authenticateCustom(customId(900, 1), true);
  const r = await post({ "X-Webhook-Secret": secret }, { user_id: dee.user_id, points: 7 });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/json");
  const credited = await r.json();
  assert.equal(credited.total, 7);

  const board = await client.listLeaderboardRecords(dee, "contributions", [dee.user_id]);
  assert.equal(board.owner_records?.[0]?.score, 7);

  const wrong = await post({ "X-Webhook-Secret": "guess" }, { user_id: dee.user_id, points: 7 });
  assert.equal(wrong.status, 401);
  assert.deepEqual(await wrong.json(), { code: 16, message: "bad webhook secret" });
  // Another method goes on to Nakama's API, which has no such route.
  const get = await fetch(url);
  assert.equal(get.status, 404);
});
