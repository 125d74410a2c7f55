// The TypeScript client generated from examples/guild's #[rpc] functions
// (examples/guild/client/guild.ts, kept current by guild's unit test):
// it type-checks against nakama-js's own typings under `strict`, refuses
// payloads of the wrong shape at compile time, and, compiled, calls the
// module on the host run.sh started.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { client, customId, run } from "./common.mjs";

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

copyFileSync(join(here, "../examples/guild/client/guild.ts"), join(build, "guild.ts"));

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
  tsc("guild.ts", "usage.ts");
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
