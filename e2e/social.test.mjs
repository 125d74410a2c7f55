// Social logins through the official JavaScript client, on a server
// without social settings and without a network: what a game's login
// screen gets back. Both hosts refuse alike up to where Nakama asks the
// provider; there a real Nakama (which cannot reach it) answers 401
// "Could not authenticate ... profile." and the dev host (which asks no
// provider) 501. Run by ./run.sh [devhost|nakama].
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { client, customId, refused } from "./common.mjs";

const host = process.env.NAKAMA_HOST ?? "devhost";

// Facebook Instant Games player info signed with the empty app secret
// (Nakama's default), and the same payload signed with another secret
// (conformance/src/social.rs has the same two).
const payload =
  "eyJhbGdvcml0aG0iOiJITUFDLVNIQTI1NiIsImlzc3VlZF9hdCI6MTcwMDAwMDAwMCwicGxheWVyX2lkIjoiY29uZm9ybWFuY2UtcGxheWVyIiwicmVxdWVzdF9wYXlsb2FkIjoiIn0";
const signed = `Bj9teBzONnBPkqdpxhX3Wbj_4fAJdcb1w06wjhYG6Sc.${payload}`;
const forged = `JVOLCob46iTd6rglvSXs-Yuj6Zl1mg_2YLqKOfj9NKE.${payload}`;

// Player info for a new player, signed as Facebook signs it.
function signedFor(player) {
  const body = JSON.stringify({ algorithm: "HMAC-SHA256", issued_at: 1700000000, player_id: player });
  const payload = Buffer.from(body).toString("base64url");
  return `${createHmac("sha256", "").update(payload).digest("base64url")}.${payload}`;
}

const error = (status, code, message) => ({ status, body: { code, message } });
const denied = (provider) => error(401, 16, `Could not authenticate ${provider} profile.`);

test("a login screen is told which social logins are not set up", async () => {
  assert.deepEqual(
    await refused(client.authenticateSteam("ticket", true)),
    error(400, 9, "Steam authentication is not configured."),
  );
  assert.deepEqual(
    await refused(client.authenticateApple("token")),
    error(400, 9, "Apple authentication is not configured."),
  );
  assert.deepEqual(
    await refused(client.authenticateGoogle("")),
    error(400, 3, "Google access token is required."),
  );
  assert.deepEqual(
    await refused(client.authenticateFacebook("")),
    error(400, 3, "Facebook access token is required."),
  );
  assert.deepEqual(
    await refused(client.authenticateFacebookInstantGame(forged)),
    error(500, 15, "Error extracting the Facebook Instant Game player ID or validating the signature"),
  );
  assert.deepEqual(
    await refused(client.authenticateFacebookInstantGame(signed, false)),
    error(404, 5, "User account not found."),
  );
  // Nakama fetches Game Center's key only from https URLs on apple.com.
  assert.deepEqual(
    await refused(
      client.authenticateGameCenter(
        "com.example.game",
        "G:1234",
        "http://static.gc.apple.com/public-key/gc-prod-9.cer",
        "c2FsdA==",
        "c2lnbmF0dXJl",
        "1700000000",
      ),
    ),
    denied("GameCenter"),
  );
});

test("a player links and unlinks social accounts", async () => {
  const player = await client.authenticateCustom(customId(1300, 1), true);
  assert.deepEqual(
    await refused(client.linkGoogle(player, { token: "" })),
    error(400, 3, "Google access token is required."),
  );
  assert.deepEqual(
    await refused(client.linkSteam(player, { account: { token: "ticket" }, sync: true })),
    error(400, 9, "Steam authentication is not configured."),
  );
  assert.deepEqual(
    await refused(client.linkFacebookInstantGame(player, { signed_player_info: forged })),
    denied("Facebook Instant Game"),
  );
  assert.deepEqual(
    await refused(client.linkApple(player, { token: "token" })),
    error(400, 9, "Apple authentication is not configured."),
  );
  assert.deepEqual(
    await refused(client.linkFacebook(player, { token: "" })),
    error(400, 3, "Facebook access token is required."),
  );
  assert.deepEqual(
    await refused(
      client.linkGameCenter(player, {
        bundle_id: "com.example.game",
        player_id: "G:1234",
        public_key_url: "http://static.gc.apple.com/public-key/gc-prod-9.cer",
        salt: "c2FsdA==",
        signature: "c2lnbmF0dXJl",
        timestamp_seconds: "1700000000",
      }),
    ),
    denied("GameCenter"),
  );
  assert.deepEqual(
    await refused(client.importFacebookFriends(player, { token: "" })),
    error(400, 3, "Facebook token is required."),
  );
  assert.deepEqual(
    await refused(client.importSteamFriends(player, { token: "ticket" }, false)),
    error(400, 9, "Steam authentication is not configured."),
  );
  // Without a token nothing is asked: the player keeps its custom id.
  assert.equal(await client.unlinkSteam(player, {}), true);
  assert.equal(await client.unlinkGoogle(player, {}), true);
  assert.equal(await client.unlinkFacebook(player, {}), true);
  assert.equal(await client.unlinkGameCenter(player, {}), true);
  assert.deepEqual(await refused(client.unlinkApple(player, { token: "t" })), denied("Apple"));
  assert.deepEqual(
    await refused(client.unlinkFacebookInstantGame(player, { signed_player_info: signed })),
    error(403, 7, "Cannot unlink last account identifier. Check profile exists and is not last link."),
  );
});

test("where Nakama asks the provider, each host answers its own way", async () => {
  const answer = await refused(client.authenticateGoogle("token"));
  if (host === "nakama") {
    assert.deepEqual(answer, denied("Google"));
  } else {
    assert.deepEqual(
      answer,
      error(
        501,
        12,
        "the dev host cannot verify Google tokens (it contacts no provider); run on a real Nakama through the bridge",
      ),
    );
  }
});

// Instant Games player info is checked with the app secret, no network
// needed: both hosts log the player in, creating the account.
test("an Instant Games player logs in and keeps one account", async () => {
  const player = `e2e-${randomUUID()}`;
  const info = signedFor(player);
  const made = await client.authenticateFacebookInstantGame(info);
  assert.equal(made.created, true);
  const again = await client.authenticateFacebookInstantGame(info, false);
  assert.equal(again.user_id, made.user_id);
  assert.equal(again.created, false);
  const account = await client.getAccount(made);
  assert.equal(account.user.facebook_instant_game_id, player);
});
