// The C# clients generated from examples/guild and examples/arena
// (examples/*/client/*.cs, kept current by each module's unit test):
// Mono's mcs compiles them with the test program in csharp/ (warnings as
// errors, XML docs checked), which calls the modules' RPCs over REST on the
// host run.sh started, round-trips arena messages and plays them in an arena
// match over the realtime socket; a payload of the wrong type does not
// compile. run.sh installs Mono if mcs is missing.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const port = process.env.NAKAMA_PORT;
assert.ok(port, "run through e2e/run.sh, which starts the host");
const build = mkdtempSync(join(tmpdir(), "csharp-e2e-"));
after(() => rmSync(build, { recursive: true, force: true }));

const clients = ["guild/client/Guild.cs", "arena/client/Arena.cs"].map((f) => join(here, "../examples", f));

/** Runs mcs (C# 7.2, the newest it takes; Unity takes 7.3); its status and output. */
function mcs(out, ...files) {
  const r = spawnSync(
    "mcs",
    [
      "-langversion:7.2",
      "-warnaserror+",
      // Public members of the test program need no docs.
      "-nowarn:1591",
      `-doc:${join(build, "docs.xml")}`,
      "-r:System.Runtime.Serialization",
      "-r:System.Net.Http",
      `-out:${join(build, out)}`,
      ...files,
    ],
    { encoding: "utf8" },
  );
  assert.ok(!r.error, `mcs did not run (run e2e/run.sh, which installs Mono): ${r.error}`);
  return { status: r.status, output: r.stdout + r.stderr };
}

test("the generated C# compiles and calls the modules through the typed methods", () => {
  const compiled = mcs("program.exe", ...clients, join(here, "csharp/Program.cs"));
  assert.equal(compiled.status, 0, compiled.output);
  const run = spawnSync("mono", [join(build, "program.exe"), port], { encoding: "utf8", timeout: 60000 });
  assert.equal(run.stdout.trim(), "ok", `mono program.exe (status ${run.status}): ${run.stdout}${run.stderr}`);
});

test("a payload or message of the wrong type does not compile", () => {
  const cases = [
    // create_guild takes a CreateGuild.
    ["GuildClient.Rpcs.CreateGuildAsync(call, new GuildClient.Contribute { Points = 5 });", "CS1503"],
    // Points are a number.
    ['GuildClient.Rpcs.ContributeAsync(call, new GuildClient.Contribute { Points = "5" });', "CS0029"],
    // A Move carries a Position.
    ["ArenaClient.FromClient.NewMove(new GuildClient.Guild());", "CS1503"],
    // Clients send no Jump.
    ["ArenaClient.FromClient.NewJump();", "CS0117"],
  ];
  for (const [line, code] of cases) {
    const file = join(build, "wrong.cs");
    writeFileSync(
      file,
      `static class Wrong {
  static object Use(GuildClient.RpcCall call) {
    return ${line}
  }
}
`,
    );
    const compiled = mcs("wrong.dll", "-target:library", ...clients, file);
    assert.notEqual(compiled.status, 0, `${line} compiled`);
    assert.match(compiled.output, new RegExp(`wrong\\.cs\\(3,\\d+\\): error ${code}`), compiled.output);
    assert.doesNotMatch(compiled.output, /warning CS|error CS(?!0029|0117|1502|1503)/, compiled.output);
  }
  // The same program with the right types compiles: the errors above are the types'.
  writeFileSync(
    join(build, "right.cs"),
    `static class Right {
  static object Use(GuildClient.RpcCall call) {
    var guild = GuildClient.Rpcs.CreateGuildAsync(call, new GuildClient.CreateGuild { Name = "x" });
    var move = ArenaClient.FromClient.NewMove(new ArenaClient.Position { X = 1, Y = 2 });
    return guild.Id + move.OpCode;
  }
}
`,
  );
  const right = mcs("right.dll", "-target:library", ...clients, join(build, "right.cs"));
  assert.equal(right.status, 0, right.output);
});
