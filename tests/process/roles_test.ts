/**
 * Each role loads only what it runs: the module graph each role's entry evaluates (from
 * `deno info --json main.ts`, following static imports only — `main.ts` imports the roles by
 * name, and its type-only imports of them put them in the graph), and, against the real program, which processes import the user's model and who
 * reports a model that cannot be loaded.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { appFolder, runMain, spawnServer } from "../_helpers/spawn.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

interface Dependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}
interface Graph {
  modules: { specifier: string; dependencies?: Dependency[] }[];
  redirects: Record<string, string>;
}

/** The graph of `entry` (default main.ts) and of everything it may import. */
async function moduleGraph(entry = "main.ts"): Promise<Graph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Short names of the modules evaluated when `entries` are (static, non-type-only imports). */
function evaluated(graph: Graph, entries: string[]): Set<string> {
  const byName = new Map(graph.modules.map((m) => [m.specifier, m]));
  const resolve = (s: string) => graph.redirects[s] ?? s;
  const seen = new Set<string>();
  const todo = entries.map((e) => new URL(e, `file://${ROOT}/`).href);
  while (todo.length > 0) {
    const specifier = resolve(todo.pop()!);
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of byName.get(specifier)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) todo.push(dep.code.specifier);
    }
  }
  return new Set([...seen].map((s) => s.replace(`file://${ROOT}/`, "")));
}

/** The modules of `set` matching any of `patterns`. */
function matching(set: Set<string>, patterns: RegExp[]): string[] {
  return [...set].filter((m) => patterns.some((p) => p.test(m)));
}

const SERVING = [
  /^src\/(rest|grpc|dataplane|component|serving|protocol\/proto)\//,
  /^src\/serve\.ts$/,
  /^npm:\/(@grpc|protobufjs)/,
];
const GRPC = [/^src\/grpc\//, /^src\/serving\/grpc\.ts$/, /^npm:\/(@grpc|protobufjs)/];
const REST = [/^src\/rest\//, /^src\/serving\/rest\.ts$/];

Deno.test("roles: main.ts imports each role only when it runs", async () => {
  const graph = await moduleGraph();
  const main = evaluated(graph, ["main.ts"]);
  assertEquals(matching(main, SERVING), []);
  assert(!main.has("src/supervisor/supervisor.ts"));
  assertEquals([...main].filter((m) => m.startsWith("src/roles/")), []);
  // No literal import(): `deno run` would load every role's graph in every process. The roles
  // are imported by name (ROLE_MODULES); main.ts's type-only imports of them put their graphs in
  // `deno info`'s output, which the tests below read.
  const mainModule = graph.modules.find((m) => m.specifier.endsWith("/main.ts"))!;
  assertEquals(mainModule.dependencies!.filter((d) => d.isDynamic), []);
  const { ROLE_MODULES } = await import("../../main.ts");
  const names = Object.values(ROLE_MODULES).map((p) => p.replace(/^\.\//, "")).sort();
  assertEquals(names, [
    "src/roles/collector.ts",
    "src/roles/custom_service.ts",
    "src/roles/grpc_worker.ts",
    "src/roles/rest_worker.ts",
    "src/roles/single.ts",
    "src/supervisor/supervisor.ts",
  ]);
  const inGraph = new Set(graph.modules.map((m) => m.specifier.replace(`file://${ROOT}/`, "")));
  for (const name of names) assert(inGraph.has(name), name);
});

Deno.test("roles: the supervisor loads config, logging and supervisor only (no metrics, no serving)", async () => {
  const graph = await moduleGraph();
  const supervisor = evaluated(graph, ["main.ts", "src/supervisor/supervisor.ts"]);
  assertEquals(matching(supervisor, SERVING), []);
  const local = [...supervisor].filter((m) => m.startsWith("src/"));
  const outside = local.filter((m) =>
    !/^src\/(config|supervisor|python|protocol)\//.test(m) &&
    !["src/error_text.ts", "src/listen.ts", "src/logging.ts", "src/version.ts", "src/yaml.ts"]
      .includes(m)
  );
  assertEquals(outside, []);
  // The metrics port, the registry and prom-client live in the collector process.
  assert(![...supervisor].some((m) => m.startsWith("src/metrics/") || m.includes("prom-client")));
  const collector = evaluated(graph, ["main.ts", "src/roles/collector.ts"]);
  assertEquals(matching(collector, SERVING), []);
  assert(collector.has("src/metrics/server.ts") && collector.has("src/metrics/registry.ts"));
});

Deno.test("roles: no role loads the yaml package at start (only when YAML is to be read)", async () => {
  const graph = await moduleGraph();
  for (
    const role of [
      "supervisor/supervisor",
      "roles/collector",
      "roles/rest_worker",
      "roles/grpc_worker",
    ]
  ) {
    const loaded = evaluated(graph, ["main.ts", `src/${role}.ts`]);
    assert(![...loaded].some((m) => m.startsWith("npm:/yaml")), role);
  }
});

Deno.test("roles: a REST worker loads no gRPC stack, a gRPC worker no REST stack", async () => {
  const graph = await moduleGraph();
  const rest = evaluated(graph, ["main.ts", "src/roles/rest_worker.ts"]);
  assertEquals(matching(rest, GRPC), []);
  assert(rest.has("src/rest/server.ts") && rest.has("src/dataplane/dataplane.ts"));
  // prom-client only with --builtin-metrics (imported when on).
  assert(![...rest].some((m) => m.includes("prom-client")), [...rest].join("\n"));
  const grpc = evaluated(graph, ["main.ts", "src/roles/grpc_worker.ts"]);
  assertEquals(matching(grpc, REST), []);
  assert(grpc.has("src/grpc/server.ts") && grpc.has("npm:/@grpc/grpc-js@1.14.7"));
  // --debug serves everything in one process.
  const single = evaluated(graph, ["main.ts", "src/roles/single.ts"]);
  assert(single.has("src/rest/server.ts") && single.has("src/grpc/server.ts"));
});

Deno.test("roles: a model importing the public API (mod.ts) loads no transport into a worker", async () => {
  const graph = await moduleGraph("mod.ts");
  const api = evaluated(graph, ["mod.ts"]);
  assertEquals(matching(api, [...GRPC, ...REST, /^src\/serve\.ts$/]), []);
  // serve() still serves everything in one process, importing it when called.
  assert(evaluated(graph, ["mod.ts", "src/serve.ts"]).has("src/grpc/server.ts"));
});

/** A model that writes its importer's pid to `imported-<pid>` at import. */
const MARKER_MODEL = `
Deno.writeTextFileSync(new URL("./imported-" + Deno.pid, import.meta.url), "");
export class Marked { predict(X) { return X; } }
`;

Deno.test("roles: only the workers import the model, never the supervisor", async () => {
  const dir = await appFolder({ "Marked.js": MARKER_MODEL });
  const s = await spawnServer(dir, ["Marked", "--workers", "2", "--grpc-workers", "1"]);
  try {
    // The supervisor logs the REST port once every initial worker is ready.
    const importers = [...Deno.readDirSync(dir)].map((e) => e.name)
      .filter((n) => n.startsWith("imported-")).map((n) => Number(n.slice(9)));
    const workers = [...s.log().matchAll(/Booting (?:rest|grpc) worker with pid: (\d+)/g)]
      .map((m) => Number(m[1]));
    assertEquals(workers.length, 3, s.log());
    assertEquals(importers.sort(), workers.sort());
    assert(!importers.includes(s.child.pid));
  } finally {
    assertEquals((await s.stop()).code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("roles: a model that cannot be loaded is reported once by a worker; exit 1", async () => {
  const dir = await appFolder({
    "Broken.js": "export class Broken { constructor() { throw new Error('no weights'); } }",
    "Throws.js": "throw new Error('bad module'); export class Throws {}",
  });
  try {
    for (
      const [name, text] of [
        ["Broken", "Error: no weights"],
        ["Throws", "Error: bad module"],
        ["Missing", "No module named 'Missing'"],
      ]
    ) {
      const r = await runMain([name, "--workers", "2", "--grpc-workers", "1"], dir);
      assertEquals(r.code, 1, r.stderr);
      assertEquals(r.stderr.split(text).length - 1, 1, r.stderr);
      assert(r.stderr.includes("Shutting down: Master"), r.stderr);
      assert(!r.stderr.includes("Worker failed to boot"), r.stderr);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
