/**
 * `init.ts` scaffolds a model project whose own test (through `testClient()`, no sockets)
 * passes with `deno test` inside it, and which serves with the project's deno.json.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { dirname, join } from "node:path";
import { MAIN, spawnServer } from "../_helpers/spawn.ts";
import { scaffoldFiles } from "../../src/scaffold.ts";

const ROOT = dirname(MAIN);
const INIT = join(ROOT, "init.ts");

async function run(args: string[], cwd: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("init: the scaffolded project's test passes, it serves, the server's lock is untouched", async () => {
  const lock = await Deno.readFile(join(ROOT, "deno.lock"));
  const tmp = await Deno.makeTempDir({ prefix: "seldon-init-" });
  try {
    const made = await run(["run", "-A", INIT, "iris-model", "--class", "Iris"], tmp);
    assertEquals(made.code, 0, made.text);
    const dir = join(tmp, "iris-model");
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assertEquals(files, [".gitignore", "Iris.ts", "Iris_test.ts", "README.md", "deno.json"]);

    const tested = await run(["test", "-A"], dir);
    assertEquals(tested.code, 0, tested.text);
    assert(/ok \| 3 passed \| 0 failed/.test(tested.text), tested.text);

    const s = await spawnServer(dir, ["Iris", "--workers", "2", "--grpc-workers", "0"], {}, true, {
      denoFlags: ["--unstable-net", "-A", "--config", "deno.json"],
    });
    try {
      const res = await fetch(`${s.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"data":{"ndarray":[[1,2.5]]}}',
      });
      assertEquals(await res.json(), {
        data: { names: ["t:0", "t:1"], ndarray: [[1, 2.5]] },
        meta: {},
      });
    } finally {
      await s.stop();
    }
    assertEquals(await Deno.readFile(join(ROOT, "deno.lock")), lock);

    const again = await run(["run", "-A", INIT, "iris-model"], tmp);
    assertEquals(again.code, 1, again.text);
    assert(again.text.includes("is not empty"), again.text);
    const badClass = await run(["run", "-A", INIT, "other", "--class", "9x"], tmp);
    assertEquals(badClass.code, 2, badClass.text);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("init: the README's deno.json is what init.ts writes", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const section = readme.slice(readme.indexOf("## Your own model project"));
  const block = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  assert(block, "no deno.json block");
  const files = scaffoldFiles({
    dir: "/src/my-model",
    className: "MyModel",
    server: { root: "/src/seldon-ts", name: "@seldon-ts/server", version: "0.1.0" },
  });
  const written = JSON.parse(files["deno.json"]);
  delete written.fmt;
  assertEquals(JSON.parse(block), written);
});
