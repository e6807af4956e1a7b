/**
 * `init.ts`: the files of a new model project — a `deno.json` (import map linking this server,
 * tasks to run, test and check the model), a model class, a test through `testClient()` (no
 * sockets) and a README. Pure text; `init.ts` writes it.
 * @module
 */
import { isAbsolute, relative } from "node:path";

/** Where the project finds this server, and what it is called. */
export interface ServerRef {
  /** The server's root folder (a checkout) or base URL, ending without `/`. */
  readonly root: string;
  /** The package name in the server's `deno.json` (`@seldon-ts/server`). */
  readonly name: string;
  /** The package version in the server's `deno.json`. */
  readonly version: string;
}

/** What to scaffold. */
export interface ScaffoldOptions {
  /** The project folder (absolute). */
  readonly dir: string;
  /** The model's class name (and module name: `<className>.ts`). */
  readonly className: string;
  readonly server: ServerRef;
}

/** A valid class name: an identifier starting with a letter. */
export function isClassName(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(name);
}

/** The files of a new model project, by path relative to its folder. */
export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  const { className: name, server } = options;
  const local = isAbsolute(server.root);
  // A checkout is linked (its own deno.json resolves its own imports, the project keeps its
  // own lockfile); a URL is imported directly.
  const root = local ? relative(options.dir, server.root) || "." : server.root;
  const main = `${root}/main.ts`;
  const run = `deno run --unstable-net -A --config deno.json ${main} ${name}`;
  const denoJson: Record<string, unknown> = {
    tasks: {
      start: run,
      dev: `${run} --debug`,
      test: "deno test -A",
      check: `deno fmt --check && deno lint && deno check ${name}.ts ${name}_test.ts`,
    },
    imports: {
      [server.name]: local ? `jsr:${server.name}@^${server.version}` : `${server.root}/mod.ts`,
    },
    ...(local ? { links: [root] } : {}),
    fmt: { lineWidth: 100, proseWrap: "preserve" },
  };
  return {
    "deno.json": JSON.stringify(denoJson, null, 2) + "\n",
    [`${name}.ts`]: modelText(name, server.name),
    [`${name}_test.ts`]: testText(name, server.name),
    "README.md": readmeText(name, root, server.name),
    ".gitignore": "node_modules/\n",
  };
}

function modelText(name: string, pkg: string): string {
  return `import { logger, type NDArray, type SeldonComponent } from "${pkg}";

const log = logger("${name}");

/** The model's \`--parameters\` (typed: INT, FLOAT, DOUBLE, STRING, BOOL). */
export interface ${name}Parameters {
  scale?: number;
}

/** A model: every hook is optional (predict, transformInput, route, metrics, infer, …). */
export class ${name} implements SeldonComponent {
  #scale: number;

  constructor(parameters: ${name}Parameters = {}) {
    this.#scale = parameters.scale ?? 1;
  }

  /** Runs once per serving process, before the first request: read weights here. */
  async load(): Promise<void> {
    // e.g. this.#weights = JSON.parse(await Deno.readTextFile("weights.json"));
    await Promise.resolve();
    log.info("Loaded (scale {scale})", { scale: this.#scale });
  }

  /** \`X\` is the request's data (an NDArray for ndarray/tensor payloads). */
  predict(X: NDArray, _names: string[]): NDArray {
    return X.map((v) => Number(v) * this.#scale);
  }
}
`;
}

function testText(name: string, pkg: string): string {
  return `import assert from "node:assert/strict";
import { testClient } from "${pkg}";
import { ${name} } from "./${name}.ts";

// testClient() calls the model through the server's own request handler, in this process
// (no ports): each answer is what the running server would send.
const parameters = '[{"name":"scale","value":"2","type":"FLOAT"}]';

Deno.test("${name}: predict scales its input (Seldon v1)", async () => {
  const client = await testClient(${name}, { parameters });
  const { status, body } = await client.predict({ data: { ndarray: [[1, 2.5]] } });
  assert.equal(status, 200);
  assert.deepEqual(body, { data: { names: ["t:0", "t:1"], ndarray: [[2, 5]] }, meta: {} });
});

Deno.test("${name}: infer (Open Inference Protocol V2)", async () => {
  const client = await testClient(${name}, { parameters });
  const { status, body } = await client.infer({
    inputs: [{ name: "x", datatype: "FP64", shape: [1, 2], data: [1, 2.5] }],
  });
  assert.equal(status, 200);
  assert.deepEqual(body.outputs[0].data, [2, 5]);
});

Deno.test("${name}: a bad request gets the server's 400", async () => {
  const client = await testClient(${name});
  const { status, body } = await client.predict({ nothing: [] });
  assert.equal(status, 400);
  assert.equal(body.status.reason, "MICROSERVICE_BAD_DATA");
});
`;
}

function readmeText(name: string, root: string, pkg: string): string {
  return `# ${name}

A model for [seldon-ts](${root}) (a Seldon Core v1 / Open Inference Protocol model server on
Deno). This folder is a normal Deno project: \`deno.json\` holds its import map, tasks and
dependencies, \`deno.lock\` (written on the first run) its lockfile; the server's own files are
never changed.

\`\`\`sh
deno task start    # serve: REST :9000 (v1 and V2), gRPC :5000, metrics :6000
deno task dev      # one process, no workers (--debug)
deno task test     # ${name}_test.ts: the model through testClient(), no sockets
deno task check    # fmt, lint, type check
\`\`\`

Server flags go after the task: \`deno task start --workers 2 --parameters '[{"name":"scale","value":"3","type":"FLOAT"}]'\`.

\`\`\`sh
curl -s -X POST http://localhost:9000/api/v1.0/predictions -H 'Content-Type: application/json' \\
  -d '{"data":{"ndarray":[[1,2.5]]}}'
\`\`\`

Dependencies: \`deno add npm:some-package\` (or \`jsr:\`) adds it to \`deno.json\`'s import map;
import it by its bare name. A \`package.json\` beside \`deno.json\` works as Deno supports it
(run \`deno install\` first). \`${pkg}\` resolves to the server checkout through \`links\`; the
server's workers are started with this project's \`deno.json\` too.
`;
}
