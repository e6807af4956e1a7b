/**
 * Re-invoking this program for a worker inside a `deno compile`d binary: the binary itself, with
 * no `run`, script or deno flags (the supervisor appends its own arguments); and where the model
 * is looked up there (the binary's own file system, beside the bundled main.ts).
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { selfCommand, thisRuntime } from "../../../src/supervisor/self.ts";
import { defaultModelDir } from "../../../src/serving/component.ts";

/** What Deno 2.9 reports inside a binary built by `deno compile -o /usr/local/bin/seldon-ts`. */
const COMPILED = {
  execPath: "/usr/local/bin/seldon-ts",
  mainModule: "file:///tmp/deno-compile-seldon-ts/build/main.ts",
  standalone: true,
};

Deno.test("self: a compiled binary re-runs itself with no run, script or flags", () => {
  const { command, args } = selfCommand(COMPILED);
  assertEquals(command, "/usr/local/bin/seldon-ts");
  assertEquals(args, []);
});

Deno.test("self: under deno run, deno run + flags + the script", () => {
  const main = new URL("../../../main.ts", import.meta.url).href;
  const { command, args } = selfCommand({
    execPath: "/opt/deno",
    mainModule: main,
    standalone: false,
  });
  assertEquals(command, "/opt/deno");
  assertEquals(args[0], "run");
  assertEquals(args.at(-1), main);
  assert(args.includes("--unstable-net"), args.join(" "));
  const config = args.indexOf("--config");
  assert(config > 0 && args[config + 1].endsWith("/deno.json"), args.join(" "));
});

Deno.test("self: this test process is not compiled and re-runs deno", () => {
  const runtime = thisRuntime();
  assertEquals(runtime.standalone, false);
  assertEquals(runtime.execPath, Deno.execPath());
  assertEquals(selfCommand().command, Deno.execPath());
});

Deno.test("model dir: the working directory, or beside main.ts inside a compiled binary", () => {
  assertEquals(defaultModelDir(COMPILED, () => "/work"), "/tmp/deno-compile-seldon-ts/build");
  assertEquals(
    defaultModelDir({ standalone: false, mainModule: COMPILED.mainModule }, () => "/work"),
    "/work",
  );
  assertEquals(defaultModelDir(), Deno.cwd());
});
