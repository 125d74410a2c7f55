// The TypeScript clients generated from examples/guild's #[rpc] functions
// and examples/arena's RPC and match messages (examples/*/client/*.ts,
// kept current by each module's unit test): they type-check against
// nakama-js's own typings under `strict`, refuse payloads and messages of
// the wrong shape at compile time, and, compiled, call the modules and
// play a match on the host run.sh started.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { client, customId, run, until } from "./common.mjs";

const here = dirname(fileURLToPath(import.meta.url));
// Inside e2e/, so that the import of @heroiclabs/nakama-js resolves to
// e2e/node_modules.
const build = mkdtempSync(join(here, ".tsbuild-"));
after(() => rmSync(build, { recursive: true, force: true }));

/** Compiles the files with tsc; throws with its diagnostics if it fails. */
function tsc(...files) {
  try {
    execFileSync(
      process.execPath,
      [
        join(here, "node_modules/typescript/bin/tsc"),
        "--strict",
        "--noEmitOnError",
        "--target", "es2022",
        "--module", "nodenext",
        "--moduleResolution", "nodenext",
        "--outDir", join(build, "out"),
        ...files.map((f) => join(build, f)),
      ],
      { encoding: "utf8", stdio: "pipe" },
    );
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
}

for (const module of ["guild", "arena"]) {
  copyFileSync(join(here, `../examples/${module}/client/${module}.ts`), join(build, `${module}.ts`));
}

test("the generated client type-checks and refuses payloads of the wrong shape", () => {
  // Each @ts-expect-error must meet an error: were a type `unknown` or
  // `any`, tsc would report the directive as unused and fail.
  writeFileSync(
    join(build, "usage.ts"),
    `import type { Client, Session } from "@heroiclabs/nakama-js";
import { contribute, createGuild, guildOwner, type Guild } from "./guild.js";

export async function use(client: Client, session: Session): Promise<string> {
  const guild: Guild = await createGuild(client, session, { name: "x" });
  // @ts-expect-error: the field is \`name\`
  await createGuild(client, session, { title: "x" });
  // @ts-expect-error: points are a number
  await contribute(client, session, { points: "5" });
  const total: number = (await contribute(client, session, { points: 5 })).total;
  // @ts-expect-error: a guild has a name and an owner only
  guild.members;
  // api::Account derives no JsonSchema: unknown, so not usable unchecked.
  const owner = await guildOwner(client, session, { name: "x" });
  // @ts-expect-error: unknown has no fields
  owner.user;
  return guild.owner + total;
}
`,
  );
  writeFileSync(
    join(build, "arena_usage.ts"),
    `import type { MatchData, Socket } from "@heroiclabs/nakama-js";
import { decodeFromArena, encodeFromClient, FromArenaOpCodes } from "./arena.js";

export async function play(socket: Socket, matchId: string, m: MatchData): Promise<number> {
  const { opCode, data } = encodeFromClient({ op: "Move", data: { x: 1, y: 2 } });
  await socket.sendMatchState(matchId, opCode, data);
  // @ts-expect-error: a position's coordinates are numbers
  encodeFromClient({ op: "Move", data: { x: "1", y: 2 } });
  // @ts-expect-error: clients send no "Jump"
  encodeFromClient({ op: "Jump" });
  const msg = decodeFromArena(m.op_code, m.data);
  if (msg?.op === "Positions") return msg.data.tick;
  // @ts-expect-error: "Closing" carries no data
  if (msg?.op === "Closing") return msg.data;
  return FromArenaOpCodes.Refused;
}
`,
  );
  tsc("guild.ts", "usage.ts", "arena.ts", "arena_usage.ts");
});

test("the compiled client calls the module's RPCs with their types", async () => {
  tsc("guild.ts");
  const guild = await import(join(build, "out/guild.js"));
  const session = await client.authenticateCustom(customId(700, 1), true);
  const name = `typed${run}`;
  assert.deepEqual(await guild.createGuild(client, session, { name }), {
    name,
    owner: session.user_id,
  });
  assert.deepEqual(await guild.getGuild(client, session, { name }), {
    name,
    owner: session.user_id,
  });
  const contribution = await guild.contribute(client, session, { points: 7 });
  assert.equal(contribution.total, 7);
  assert.ok(contribution.rank >= 1);
  const owner = await guild.guildOwner(client, session, { name });
  assert.equal(owner.user.id, session.user_id);
  // The module's typed errors reach the caller as nakama-js rejects them.
  await assert.rejects(guild.createGuild(client, session, { name }), (r) => r.status === 409);
});

test("the compiled arena client creates a match and speaks its messages", async () => {
  tsc("arena.ts");
  const arena = await import(join(build, "out/arena.js"));
  const session = await client.authenticateCustom(customId(700, 2), true, `typed_${run}`);
  const socket = client.createSocket(false, false);
  const received = [];
  socket.onmatchdata = (m) => received.push(arena.decodeFromArena(m.op_code, m.data));
  await socket.connect(session, false);
  try {
    const { match_id: matchId } = await arena.arenaCreate(client, session, { max_players: 2 });
    await socket.joinMatch(matchId, undefined, { name: "typed" });
    const move = arena.encodeFromClient({ op: "Move", data: { x: 5, y: 6 } });
    assert.deepEqual(move, { opCode: 1, data: '{"x":5,"y":6}' });
    await socket.sendMatchState(matchId, move.opCode, move.data);
    const positions = await until("positions with the move", () =>
      received.find((m) => m?.op === "Positions" && m.data.players.typed?.x === 5),
    );
    assert.deepEqual(positions.data.players, { typed: { x: 5, y: 6 } });
    // An op code the arena does not know: its refusal decodes with its field.
    await socket.sendMatchState(matchId, 5, "jump");
    const refused = await until("the refusal", () => received.find((m) => m?.op === "Refused"));
    assert.equal(typeof refused.data.error, "string");
    assert.equal(arena.decodeFromArena(77, new Uint8Array()), undefined);
  } finally {
    socket.disconnect(false);
  }
});
