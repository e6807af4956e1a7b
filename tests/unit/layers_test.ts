/**
 * The house's one-way layers (README "Architecture"): what each folder of `src/` never imports,
 * checked on every static and dynamic import of every module.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Folder → folders (or files) of `src/` its modules must not import. */
const NEVER: Readonly<Record<string, readonly string[]>> = {
  "config": ["protocol", "dataplane", "rest", "grpc", "serving", "component", "metrics"],
  "supervisor": ["rest", "grpc", "dataplane", "serving", "component", "serve.ts", "roles"],
  "rest": ["component", "grpc"],
  "grpc": ["component", "rest"],
  "protocol": ["component", "dataplane", "metrics", "rest", "grpc", "serving", "http"],
  "dataplane": ["rest", "grpc", "http", "serving"],
  "metrics": ["rest", "grpc", "dataplane", "serving"],
  "http": ["rest", "grpc", "dataplane", "protocol", "component"],
  "python": [
    "config",
    "supervisor",
    "roles",
    "serving",
    "rest",
    "grpc",
    "http",
    "protocol",
    "dataplane",
    "component",
    "metrics",
    "logging.ts",
    "error_text.ts",
  ],
};

const IMPORT = /(?:^|\n)\s*(?:import|export)[^"';]*?from\s*"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

function* modules(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* modules(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) yield path;
  }
}

/** Every `src/`-relative target a module imports (its first path segment). */
function importedTops(file: string): string[] {
  const text = Deno.readTextFileSync(file);
  const tops: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith(".")) continue;
    const target = relative(SRC, join(dirname(file), spec));
    if (!target.startsWith("..")) tops.push(target.split("/")[0]);
  }
  return tops;
}

Deno.test("layers: no folder of src/ imports what the architecture says it never does", () => {
  const violations: string[] = [];
  let checked = 0;
  for (const file of modules(SRC)) {
    const folder = relative(SRC, file).split("/")[0];
    const never = NEVER[folder];
    if (never === undefined) continue;
    checked++;
    for (const top of importedTops(file)) {
      if (never.includes(top)) violations.push(`${relative(SRC, file)} imports ${top}`);
    }
  }
  assertEquals(violations, []);
  // The walk saw the modules it guards (not an empty tree).
  assertEquals(checked > 40, true);
});

Deno.test("layers: the prepackaged servers (src/runtimes/) import only the public API, mod.ts", () => {
  const MOD = fileURLToPath(new URL("../../mod.ts", import.meta.url));
  const RUNTIMES = join(SRC, "runtimes");
  const violations: string[] = [];
  let checked = 0;
  for (const file of modules(RUNTIMES)) {
    checked++;
    for (const m of Deno.readTextFileSync(file).matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith(".")) continue;
      const target = join(dirname(file), spec);
      if (target !== MOD && relative(RUNTIMES, target).startsWith("..")) {
        violations.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
  }
  assertEquals(violations, []);
  assertEquals(checked > 0, true);
});

Deno.test("layers: the data plane never asks which transport or wire mode called it", () => {
  const found: string[] = [];
  for (const file of modules(join(SRC, "dataplane"))) {
    const text = Deno.readTextFileSync(file);
    if (
      /\.protocol\s*[!=]==|["'](rest|grpc|json|proto)["']\s*[!=]==|[!=]==\s*["'](rest|grpc|json|proto)["']/
        .test(text)
    ) {
      found.push(relative(SRC, file));
    }
  }
  assertEquals(found, []);
});
