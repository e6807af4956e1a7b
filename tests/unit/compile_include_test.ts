/**
 * A `deno compile`d binary reads only what it bundles: every file the server (and the bundled
 * example model) reads at run time must be covered by the compile task's `--include` list, and
 * the Dockerfile's `deno compile` must bundle at least as much. Call sites that read from the
 * real file system instead (system files, paths the user configures) are listed here with their
 * reason, so a new one fails this test until it is classified.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Reads of the real file system, by `file: argument`: never bundled, on purpose. */
const REAL_FS: Readonly<Record<string, string>> = {
  "src/supervisor/private_dir.ts: `/proc/${pid}/stat`": "system file (stale folder check)",
  'src/http/limits.ts: "/proc/self/limits"': "system file (open-files limit)",
  "src/config/tracing.ts: path": "JAEGER_CONFIG_PATH, the user's file",
  "src/config/annotations.ts: path": "pod annotations file (downward API volume)",
  'src/supervisor/self.ts: "/proc/self/cmdline"': "system file (the flags deno was started with)",
  'src/scaffold.ts: "weights.json"': "text of a template `init` writes, not a read",
};

/** Uses of `import.meta` other than `new URL("<literal>", import.meta.url)`, with their reason. */
const OTHER_META: Readonly<Record<string, string>> = {
  "src/grpc/reflection.ts: createRequire(import.meta.url)":
    "resolves a file of the npm package @grpc/reflection, bundled with the package",
  "main.ts: import.meta.main": "not a file",
};

/** Modules and files whose run-time reads are checked: the server and the bundled example. */
async function sources(): Promise<string[]> {
  const out = ["main.ts", "mod.ts"];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(join(ROOT, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (/\.(ts|js|mjs)$/.test(entry.name)) out.push(path);
    }
  }
  await walk("src");
  await walk("examples/iris");
  return out;
}

/** The `--include` values of a `deno compile` command line. */
function includesOf(command: string): string[] {
  return [...command.matchAll(/--include[= ](\S+)/g)].map((m) => m[1]);
}

function covered(path: string, includes: readonly string[]): boolean {
  return includes.some((inc) => {
    const rel = relative(inc, path);
    return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
  });
}

async function compileTask(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  return config.tasks.compile as string;
}

Deno.test("compile: every file read at run time is in the compile task's --include list", async () => {
  const includes = includesOf(await compileTask());
  assert(includes.length > 0, "no --include in the compile task");
  for (const inc of includes) await Deno.stat(join(ROOT, inc)); // each exists
  const realFs: string[] = [];
  const otherMeta: string[] = [];
  const bundled: string[] = [];
  for (const file of await sources()) {
    const text = await Deno.readTextFile(join(ROOT, file));
    const dir = file.slice(0, file.lastIndexOf("/") + 1);
    for (
      const m of text.matchAll(/new URL\(\s*("[^"]*"|'[^']*'|`[^`$]*`),\s*import\.meta\.url\)/g)
    ) {
      const target = relative(ROOT, resolve(ROOT, dir, m[1].slice(1, -1)));
      bundled.push(target);
      assert(covered(target, includes), `${file}: ${target} is not covered by ${includes}`);
    }
    const rest = text.replace(/new URL\(\s*("[^"]*"|'[^']*'|`[^`$]*`),\s*import\.meta\.url\)/g, "");
    for (const m of rest.matchAll(/(?:(\w+)\()?import\.meta\.(\w+)/g)) {
      otherMeta.push(`${file}: ${m[1] ? `${m[1]}(import.meta.${m[2]})` : `import.meta.${m[2]}`}`);
    }
    for (
      const m of text.matchAll(/Deno\.(?:readTextFile|readFile|open)(?:Sync)?\(\s*([^)]+?)\s*\)/g)
    ) {
      const arg = m[1];
      // A read of a URL checked above (a variable holding `new URL(..., import.meta.url)`).
      const viaUrl = new RegExp(`const ${arg} = new URL\\(`).test(text);
      if (!viaUrl) realFs.push(`${file}: ${arg}`);
    }
  }
  assertEquals(realFs.sort(), Object.keys(REAL_FS).sort());
  assertEquals(otherMeta.sort(), Object.keys(OTHER_META).sort());
  // What the scan found to bundle: proto/ for gRPC reflection, the iris model's weights.
  assert(bundled.includes("proto"), bundled.join(", "));
  assert(bundled.includes("examples/iris/model.json"), bundled.join(", "));
});

Deno.test("compile: every role module main.ts imports by name is in the --include list", async () => {
  const { ROLE_MODULES } = await import("../../main.ts");
  const includes = includesOf(await compileTask());
  const roles = Object.values(ROLE_MODULES);
  assertEquals(roles.length, 6);
  for (const role of roles) {
    const target = relative(ROOT, resolve(ROOT, role));
    await Deno.stat(join(ROOT, target));
    assert(covered(target, includes), `${target} is not covered by ${includes}`);
  }
});

Deno.test("compile: JSON documents are bundled as JSON modules, not read from disk", async () => {
  const server = await Deno.readTextFile(join(ROOT, "src/rest/server.ts"));
  assert(/import openapi from "\.\/openapi\.json" with \{ type: "json" \};/.test(server));
  for (const file of await sources()) {
    const text = await Deno.readTextFile(join(ROOT, file));
    // `init`'s templates (scaffold.ts) show a model reading its own file: text, not a read.
    const template = file === "src/scaffold.ts";
    assert(
      !/readTextFile(Sync)?\([^)]*\.json/.test(text) || file.startsWith("examples/") || template,
      file,
    );
  }
});

Deno.test("compile: the Dockerfile bundles what the compile task does, plus the model", async () => {
  const docker = await Deno.readTextFile(join(ROOT, "Dockerfile"));
  const line = docker.replaceAll(/\\\n\s*/g, " ").split("\n").find((l) =>
    l.startsWith("RUN") && l.includes("deno compile ")
  );
  assert(line, "no deno compile in the Dockerfile");
  const task = await compileTask();
  const dockerIncludes = includesOf(line);
  for (const inc of includesOf(task)) {
    assert(dockerIncludes.includes(inc), `Dockerfile lacks ${inc}`);
  }
  assert(dockerIncludes.includes("Model.ts"), line);
  assert(line.includes("$INCLUDE_MODEL"), line);
  for (const flag of ["--unstable-net", "-A", "--v8-flags=--expose-gc"]) {
    assert(task.includes(flag) && line.includes(flag), flag);
  }
  assert(/^FROM gcr\.io\/distroless\/cc-debian12/m.test(docker));
  assert(/^USER nonroot$/m.test(docker));
  assert(/^EXPOSE 9000 5000 6000$/m.test(docker));
  assert(/^ENTRYPOINT \["\/usr\/local\/bin\/seldon-ts"\]$/m.test(docker));
  for (const arg of ["MODEL_DIR", "MODEL_MODULE", "MODEL_CLASS", "ONNX_FILE", "DENORT_BIN"]) {
    assert(new RegExp(`^ARG ${arg}=`, "m").test(docker), arg);
  }
});
