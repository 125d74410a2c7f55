// Accounts through the official JavaScript client, as a game's account
// screen would use them: a device login that gains a custom id and an
// email, ways in another player cannot take, unlinks (never the last way
// in), and the account deleted. On the dev host and on a real Nakama
// through the bridge. Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, run, customId, refused } from "./common.mjs";

const LAST_LINK =
  "Cannot unlink last account identifier. Check profile exists and is not last link.";

test("a player links ways in, keeps the last one, and deletes the account", async () => {
  const device = `acc-device-${run}-ann`;
  const email = `acc-${run}@Example.com`;
  const custom = customId(500, 1);
  const ann = await client.authenticateDevice(device, true, `acc_${run}_ann`);
  const ben = await client.authenticateDevice(`acc-device-${run}-ben`, true, `acc_${run}_ben`);

  // Links: each is a way in to the same account.
  assert.equal(await client.linkCustom(ann, { id: custom }), true);
  assert.equal(await client.linkEmail(ann, { email, password: "password1" }), true);
  let account = await client.getAccount(ann);
  assert.equal(account.custom_id, custom);
  assert.equal(account.email, email.toLowerCase());
  assert.deepEqual(account.devices.map((d) => d.id), [device]);
  const byEmail = await client.authenticateEmail(email.toLowerCase(), "password1", false);
  assert.equal(byEmail.user_id, ann.user_id);

  // What ann holds, ben cannot take.
  assert.deepEqual(await refused(client.linkCustom(ben, { id: custom })), {
    status: 409,
    body: { code: 6, message: "Custom ID is already in use." },
  });
  assert.deepEqual(await refused(client.linkDevice(ben, { id: device })), {
    status: 409,
    body: { code: 6, message: "Device ID already in use." },
  });
  assert.deepEqual(await refused(client.linkDevice(ben, { id: "short" })), {
    status: 400,
    body: { code: 3, message: "Device ID invalid, must be 10-128 bytes." },
  });

  // Unlinks, down to the last way in.
  assert.equal(await client.unlinkDevice(ann, { id: device }), true);
  assert.equal((await refused(client.authenticateDevice(device, false))).status, 404);
  assert.equal(await client.unlinkCustom(ann, { id: custom }), true);
  assert.deepEqual(await refused(client.unlinkEmail(ann, { email })), {
    status: 403,
    body: { code: 7, message: LAST_LINK },
  });
  account = await client.getAccount(ann);
  assert.equal(account.custom_id, undefined);
  assert.equal(account.devices, undefined);

  // Deletion: the session stops working (Nakama voids the tokens issued
  // before the second of the deletion) and the email logs in no more.
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(await client.deleteAccount(ann), true);
  assert.deepEqual(await refused(client.getAccount(ann)), {
    status: 401,
    body: { code: 16, message: "Auth token invalid" },
  });
  const gone = await refused(client.authenticateEmail(email.toLowerCase(), "password1", false));
  assert.deepEqual(gone, { status: 404, body: { code: 5, message: "User account not found." } });
  // ben was not touched.
  assert.equal((await client.getAccount(ben)).user.id, ben.user_id);
});
