/**
 * A model project is a normal Deno project: a folder with its own deno.json (import map with an
 * npm package by bare name, a local folder mapped by the import map, the server linked), served
 * with 2 workers by the documented command. Workers must resolve with the model's deno.json, and
 * the server's own deno.lock must not change.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { dirname, join } from "node:path";
import { appFolder, MAIN, spawnServer } from "../_helpers/spawn.ts";

const ROOT = dirname(MAIN);

/** A model folder whose imports resolve only through its own deno.json. */
export function modelProject(): Promise<string> {
  return appFolder({
    "deno.json": JSON.stringify({
      imports: {
        "@seldon-ts/server": "jsr:@seldon-ts/server@^0.1.0",
        "yaml": "npm:yaml@2.9.1",
        "lib/": "./lib/",
      },
      links: [ROOT],
    }),
    "lib/scale.ts": "export const SCALE = 3;\n",
    "MyModel.ts": `import { BaseComponent, type NDArray } from "@seldon-ts/server";
import { parse } from "yaml";
import { SCALE } from "lib/scale.ts";
export class MyModel extends BaseComponent {
  override predict(X: NDArray) {
    const extra = parse("pid: " + Deno.pid) as { pid: number };
    return { scaled: X.map((v) => v * SCALE).tolist(), pid: extra.pid };
  }
}
`,
  });
}

Deno.test("a model folder with its own deno.json serves with 2 workers; server's lock untouched", async () => {
  const lock = join(ROOT, "deno.lock");
  const before = await Deno.readFile(lock);
  const dir = await modelProject();
  const server = await spawnServer(
    dir,
    ["MyModel", "--workers", "2", "--grpc-workers", "0"],
    {},
    true,
    {
      denoFlags: ["--unstable-net", "-A", "--config", "deno.json"],
    },
  );
  try {
    assert(server.log().includes("with 2 workers"), server.log());
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${server.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json", connection: "close" },
        body: JSON.stringify({ data: { ndarray: [[1, 2]] } }),
      });
      const body = await res.json();
      assertEquals(res.status, 200, JSON.stringify(body));
      assertEquals(body.jsonData.scaled, [[3, 6]]);
      assert(Number.isInteger(body.jsonData.pid));
    }
  } finally {
    await server.stop();
  }
  assertEquals(await Deno.readFile(lock), before, "the server's deno.lock changed");
  const modelLock = await Deno.readTextFile(join(dir, "deno.lock"));
  assert(modelLock.includes("npm:yaml@2.9.1"), modelLock);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a model folder with a package.json dependency (after `deno install`) serves with 2 workers", async () => {
  const lock = join(ROOT, "deno.lock");
  const before = await Deno.readFile(lock);
  const dir = await appFolder({
    "package.json": JSON.stringify({
      name: "pj-model",
      private: true,
      type: "module",
      dependencies: { yaml: "2.9.1" },
    }),
    "deno.json": JSON.stringify({
      imports: { "@seldon-ts/server": "jsr:@seldon-ts/server@^0.1.0" },
      links: [ROOT],
    }),
    "MyModel.ts": `import type { SeldonComponent } from "@seldon-ts/server";
import { parse } from "yaml";
export class MyModel implements SeldonComponent {
  predict() { return parse("[7, 8]"); }
}
`,
  });
  try {
    const install = await new Deno.Command(Deno.execPath(), {
      args: ["install"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    assertEquals(install.code, 0, new TextDecoder().decode(install.stderr));
    const server = await spawnServer(
      dir,
      ["MyModel", "--workers", "2", "--grpc-workers", "0"],
      {},
      true,
      {
        denoFlags: ["--unstable-net", "-A", "--config", "deno.json"],
      },
    );
    try {
      const res = await fetch(`${server.url}/api/v1.0/predictions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: { ndarray: [1] } }),
      });
      assertEquals(await res.json(), { data: { names: [], ndarray: [7, 8] }, meta: {} });
    } finally {
      await server.stop();
    }
    assertEquals(await Deno.readFile(lock), before, "the server's deno.lock changed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
