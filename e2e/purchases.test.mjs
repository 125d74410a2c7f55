// In-app purchases through the official JavaScript client, on a server
// without store settings (neither host here has any): what a game's shop
// screen gets back before a store is configured. On the dev host and on a
// real Nakama through the bridge. Run by ./run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, customId, refused } from "./common.mjs";

const notConfigured = (store) => ({
  status: 400,
  body: { code: 9, message: `${store} IAP is not configured.` },
});

test("a shop without store settings is told so, and has no subscriptions", async () => {
  const buyer = await client.authenticateCustom(customId(1200, 1), true);

  assert.deepEqual(await refused(client.validatePurchaseGoogle(buyer, "{}")), notConfigured("Google"));
  assert.deepEqual(
    await refused(client.validatePurchaseHuawei(buyer, "{}", "signature")),
    notConfigured("Huawei"),
  );
  assert.deepEqual(
    await refused(client.validatePurchaseFacebookInstant(buyer, "signed")),
    notConfigured("Facebook Instant"),
  );
  assert.deepEqual(await refused(client.validateSubscriptionApple(buyer, "receipt")), notConfigured("Apple"));
  assert.deepEqual(await refused(client.validateSubscriptionGoogle(buyer, "receipt")), notConfigured("Google"));
  assert.deepEqual(await refused(client.validatePurchaseApple(buyer, "")), {
    status: 400,
    body: { code: 3, message: "Receipt cannot be empty." },
  });

  const list = await client.listSubscriptions(buyer, undefined, 10);
  assert.deepEqual(list.validated_subscriptions ?? [], []);
  assert.deepEqual(await refused(client.getSubscription(buyer, "gold.monthly")), {
    status: 404,
    body: { code: 5, message: "subscription not found" },
  });
});
