// Events through the official JavaScript client: what a game reports with
// client.emitEvent, and a realtime session's start and end, reach
// examples/guild's event handlers, which keep each member's activity in
// storage where other players can read it. Handlers run from a queue,
// after the call that caused them answered: the test waits for their
// writes. Run by ./run.sh on both hosts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, customId, until } from "./common.mjs";

const cid = (n) => customId(800, n);

/** `owner`'s activity object `key`, as `reader` reads it, once it exists. */
async function activity(reader, owner, key, wanted = () => true) {
  return until(`activity/${key} of ${owner.user_id}`, async () => {
    const found = await client.readStorageObjects(reader, {
      object_ids: [{ collection: "activity", key, user_id: owner.user_id }],
    });
    const value = found.objects?.[0]?.value;
    return value && wanted(value) ? value : undefined;
  });
}

test("a client's event is kept as the member's last event, readable by others", async () => {
  const ana = await client.authenticateCustom(cid(1), true);
  const ben = await client.authenticateCustom(cid(2), true);
  const sent = await client.emitEvent(ana, { name: "tutorial_done", properties: { step: "3" } });
  assert.equal(sent, true);
  const last = await activity(ben, ana, "last_event", (v) => v.name === "tutorial_done");
  assert.deepEqual(last, { name: "tutorial_done", properties: { step: "3" } });
});

test("a realtime session's start and end are seen as the member going online and offline", async () => {
  const cat = await client.authenticateCustom(cid(3), true);
  const socket = client.createSocket(false, false);
  await socket.connect(cat, false);
  const online = await activity(cat, cat, "last_seen", (v) => v.online === true);
  assert.match(online.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  socket.disconnect(false);
  const offline = await activity(cat, cat, "last_seen", (v) => v.online === false);
  assert.ok(offline.at >= online.at, `${offline.at} after ${online.at}`);
});
