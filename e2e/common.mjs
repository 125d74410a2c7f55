// What the realtime suites share: the client for the host run.sh started,
// this run's custom ids, and a wait. Not a test file (run.sh runs
// ./*.test.mjs).
import assert from "node:assert/strict";
import { Client } from "@heroiclabs/nakama-js";
import WebSocket from "ws";

// Node 20 has no WebSocket of its own; the client expects the browser's.
globalThis.WebSocket ??= WebSocket;

const port = process.env.NAKAMA_PORT;
assert.ok(port, "run through e2e/run.sh, which starts the host");
export const client = new Client("defaultkey", "127.0.0.1", port, false);

/** Differs between runs, so one run's users and tickets are new to the host. */
export const run = Date.now() % 1000000;

/**
 * The n-th custom id of a suite (each suite its own `base`): examples/guild's
 * before hook takes custom ids of the form cid-NNNNNN.
 */
export const customId = (base, n) => `cid-${String((run + base + n) % 1000000).padStart(6, "0")}`;

/** The status and gateway body of a refused call (nakama-js throws the response). */
export async function refused(promise) {
  try {
    await promise;
  } catch (e) {
    return { status: e.status, body: await e.json() };
  }
  assert.fail("the call was not refused");
}

/**
 * Waits until `check` answers something, for up to 15 s (the matchmaker
 * runs once a second; the rest usually answers at once).
 */
export async function until(what, check) {
  for (let i = 0; i < 300; i++) {
    const found = await check();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The code and message of a socket error. */
export const refusal = (e) => ({ code: e.code, message: e.message });
