/**
 * `src/` imports npm packages by full `npm:name@version` specifiers (a module path may follow),
 * so that a model importing `mod.ts` type-checks and runs without the server's `deno.json` import
 * map; each must be the version `deno.json` pins (tests, examples and benchmarks use the bare
 * names).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("npm specifiers: src/ names npm packages by the versions deno.json pins", async () => {
  const pinned: Record<string, string> =
    JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).imports;
  const files = [join(ROOT, "main.ts"), join(ROOT, "mod.ts")];
  for await (const file of sources(join(ROOT, "src"))) files.push(file);
  let count = 0;
  for (const file of files) {
    // Doc comments may show how a model imports the package; only code counts.
    const text = (await Deno.readTextFile(file)).replaceAll(/\/\*[\s\S]*?\*\//g, "");
    for (const [, specifier] of text.matchAll(/(?:from|import\()\s*"([^"]+)"/g)) {
      if (specifier.startsWith(".") || specifier.startsWith("node:")) continue;
      // `init`'s templates import the server under the name the model project maps.
      if (file.endsWith("src/scaffold.ts") && specifier === "${pkg}") continue;
      // A module inside the package may follow the version (`npm:protobufjs@7.6.6/ext/…`).
      const m = /^npm:(@?[^@]+)@([^/]+)(?:\/[\w./-]+)?$/.exec(specifier);
      assert(m, `${file}: ${specifier} must be npm:<name>@<version>[/<path>]`);
      assertEquals(`npm:${m[1]}@${m[2]}`, pinned[m[1]], `${file}: ${specifier}`);
      count++;
    }
  }
  assert(count >= 10, `only ${count} npm imports found`);
});
