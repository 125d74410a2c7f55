// The GDScript clients generated from examples/guild and examples/arena
// (examples/*/client/*.gd, kept current by each module's unit test), run by
// a real Godot 4 (scripts/godot unpacks Debian's build; run.sh calls it):
// godot/test.gd calls the modules' RPCs over REST on the host run.sh started,
// round-trips arena messages and plays them in an arena match over the
// realtime socket; a payload or message of the wrong type does not parse.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const port = process.env.NAKAMA_PORT;
assert.ok(port, "run through e2e/run.sh, which starts the host");
// Godot's res:// is this folder: the clients and the scripts sit in it, and
// its settings and caches too (not in $HOME).
const project = mkdtempSync(join(tmpdir(), "godot-e2e-"));
after(() => rmSync(project, { recursive: true, force: true }));
copyFileSync(join(here, "../examples/guild/client/guild.gd"), join(project, "guild.gd"));
copyFileSync(join(here, "../examples/arena/client/arena.gd"), join(project, "arena.gd"));
copyFileSync(join(here, "godot/test.gd"), join(project, "test.gd"));

/** Runs Godot headless in the project folder; its status and output. */
function godot(...args) {
  const r = spawnSync(join(here, "../scripts/godot"), ["run", "--headless", ...args], {
    cwd: project,
    encoding: "utf8",
    timeout: 120000,
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(project, ".config"),
      XDG_DATA_HOME: join(project, ".data"),
      XDG_CACHE_HOME: join(project, ".cache"),
    },
  });
  assert.ok(!r.error, `godot did not run: ${r.error}`);
  return { status: r.status, stdout: r.stdout, output: r.stdout + r.stderr };
}

test("the generated GDScript calls the modules through the typed functions in Godot 4", () => {
  const run = godot("--script", "test.gd", "--", port);
  assert.equal(run.status, 0, run.output);
  assert.equal(run.stdout.trim().split("\n").at(-1), "ok", run.output);
  // A runtime error stops only its function: none may be printed.
  assert.doesNotMatch(run.output, /SCRIPT ERROR|^ERROR:|^WARNING:/m, run.output);
});

test("a payload or message of the wrong type does not parse", () => {
  const check = (line) => {
    writeFileSync(
      join(project, "wrong.gd"),
      `extends SceneTree

const GuildApi = preload("res://guild.gd")
const ArenaApi = preload("res://arena.gd")


func use(rpc_call: Callable) -> void:
\t${line}
`,
    );
    return godot("--check-only", "--script", "wrong.gd");
  };
  const cases = [
    // create_guild takes a CreateGuild.
    [
      "GuildApi.create_guild(rpc_call, GuildApi.Contribute.new())",
      'Invalid argument for "create_guild()" function: argument 2 should be "CreateGuild" but is "Contribute".',
    ],
    // Points are an int.
    ['var c := GuildApi.Contribute.new(); c.points = "5"', 'Cannot assign a value of type "String" as "int".'],
    // A move carries a Position.
    [
      "ArenaApi.FromClient.move(GuildApi.Guild.new())",
      'Invalid argument for "move()" function: argument 1 should be "Position" but is "Guild".',
    ],
    // Clients send no jump.
    ["ArenaApi.FromClient.jump()", 'Static function "jump()" not found in base "FromClient".'],
  ];
  for (const [line, error] of cases) {
    const checked = check(line);
    assert.notEqual(checked.status, 0, `${line} parsed`);
    assert.ok(checked.output.includes(`Parse Error: ${error}`), checked.output);
    assert.match(checked.output, /at: GDScript::reload \(res:\/\/wrong\.gd:8\)/, checked.output);
  }
  // The same script with the right types parses: the errors above are the types'.
  const right = check(
    'var g := GuildApi.CreateGuild.new(); g.name = "x"; GuildApi.create_guild(rpc_call, g); ' +
      "ArenaApi.FromClient.move(ArenaApi.Position.new())",
  );
  assert.equal(right.status, 0, right.output);
  assert.doesNotMatch(right.output, /SCRIPT ERROR|ERROR:|WARNING:/, right.output);
});
