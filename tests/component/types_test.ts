/**
 * The user API's types, checked by the type checker itself: a misspelt metric type fails
 * `deno check`, a model overriding every hook passes, and it passes without the server's
 * `deno.json` (`--no-config`, importing `mod.ts` by file URL from a folder of its own).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";

const ROOT = new URL("../../", import.meta.url);

async function denoCheck(
  args: string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, output: text.decode(out.stdout) + text.decode(out.stderr) };
}

Deno.test("types: a metric type outside COUNTER | GAUGE | TIMER fails deno check", async () => {
  const { code, output } = await denoCheck(["tests/types/bad_metric.ts"], ROOT.pathname);
  assertEquals(code, 1, output);
  assert(output.includes(`Type '"COUNTR"' is not assignable to type 'MetricType'`), output);
  assert(output.includes("bad_metric.ts:9:"), output);
});

Deno.test("types: a model overriding every hook, and the README's, check without the server's deno.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "seldon-ts-types-" });
  try {
    const source = await Deno.readTextFile(new URL("tests/types/every_hook.ts", ROOT));
    const modUrl = new URL("mod.ts", ROOT).href;
    assert(source.includes(`from "../../mod.ts"`));
    await Deno.writeTextFile(`${dir}/model.ts`, source.replace(`"../../mod.ts"`, `"${modUrl}"`));
    const readme = await Deno.readTextFile(new URL("README.md", ROOT));
    const mine = /```ts\n(\/\/ MyModel\.ts\n[\s\S]*?)```/.exec(readme)?.[1];
    assert(mine !== undefined && mine.includes(`"../seldon-ts/mod.ts"`), "README's MyModel.ts");
    await Deno.writeTextFile(
      `${dir}/MyModel.ts`,
      mine.replace(`"../seldon-ts/mod.ts"`, `"${modUrl}"`),
    );
    const { code, output } = await denoCheck(["--no-config", "model.ts", "MyModel.ts"], dir);
    assertEquals(code, 0, output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
