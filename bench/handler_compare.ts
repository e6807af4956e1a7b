/**
 * The REST handler of several checkouts in one process, measured side by side: blocks of
 * requests alternate between the trees, and the process CPU per request (minus building the
 * `Request`) is reported as the median of the rounds. Steal and other processes' load do not
 * count, so a change of a few tenths of a µs shows even on a shared machine.
 *
 *   deno run -A bench/handler_compare.ts [--body ndarray|plain|tensor] [floor] DIR…
 *
 * (DIR: e.g. `git archive` of an older commit, `.`.) `--body` picks the request: `ndarray` (the
 * default, {@link SMALL_PREDICT}: four floats with names), `plain` (four floats, no names) or
 * `tensor` (the same as a `data.tensor`). `--rounds` (default 15): blocks per tree. A tree after
 * the first also gets the median of its per-round differences to the first tree.
 *
 * Each handler gets a REST worker's default options (5000 s request timeout, 60 s body deadline,
 * `--threads 1`, a request counter, a terminating signal); all must give the same answer. `floor`
 * is `bench/floor_server.ts`'s `deadline` stage as a handler: the body read with its deadline,
 * `JSON.parse`, `JSON.stringify` and the CORS header.
 * @module
 */
import { parseArgs } from "node:util";
import { SMALL_PREDICT, workerRestOptions } from "./proc.ts";
import process from "node:process";
import { resolve } from "node:path";
import { readBody } from "../src/rest/body.ts";
import { addCors } from "../src/http/cors.ts";

type Handler = (req: Request) => Promise<Response>;
const BODIES: Record<string, string> = {
  ndarray: SMALL_PREDICT,
  plain: '{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}',
  tensor: '{"data":{"tensor":{"shape":[1,4],"values":[5.1,3.5,1.4,0.2]}}}',
};
const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    body: { type: "string", default: "ndarray" },
    rounds: { type: "string", default: "15" },
  },
  allowPositionals: true,
});
const body = BODIES[values.body];
if (body === undefined) throw new Error(`--body: one of ${Object.keys(BODIES).join(", ")}`);
const mk = () =>
  new Request("http://127.0.0.1:9000/api/v1.0/predictions", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "content-length": String(body.length) },
  });
const decoder = new TextDecoder();
const TYPE = { "content-type": "application/json" };

async function floor(req: Request): Promise<Response> {
  const text = decoder.decode(await readBody(req, { limit: 128 * 2 ** 20, timeoutMs: 60_000 }));
  const response = new Response(JSON.stringify(JSON.parse(text)) + "\n", { headers: TYPE });
  addCors(req, response.headers);
  return response;
}

const names = positionals.length > 0 ? positionals : ["."];
const handlers: Handler[] = [];
for (const name of names) {
  if (name === "floor") {
    handlers.push(floor);
    continue;
  }
  const root = resolve(name);
  const { DataPlane } = await import(`file://${root}/src/dataplane/dataplane.ts`);
  const { createHandler } = await import(`file://${root}/src/rest/server.ts`);
  const plane = await DataPlane.create({ predict: (X: unknown) => X }, {
    includeMetrics: true,
    executorEnabled: true,
  });
  handlers.push(createHandler(plane, workerRestOptions()));
}
const answers = new Set<string>();
for (let i = 0; i < handlers.length; i++) {
  if (names[i] !== "floor") answers.add(await (await handlers[i](mk())).text());
}
if (answers.size > 1) throw new Error(`the answers differ: ${[...answers].join(" | ")}`);

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system; // µs
};
const N = 20_000;
async function block(h: Handler): Promise<number> {
  const t = cpu();
  for (let i = 0; i < N; i++) await (await h(mk())).text();
  return (cpu() - t) / N;
}
function construction(): number {
  const t = cpu();
  for (let i = 0; i < N; i++) mk();
  return (cpu() - t) / N;
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const h of handlers) for (let i = 0; i < 3; i++) await block(h);
const rounds = Number(values.rounds);
const results: number[][] = handlers.map(() => []);
const base: number[] = [];
for (let r = 0; r < rounds; r++) {
  base.push(construction());
  for (let k = 0; k < handlers.length; k++) {
    const j = (k + r) % handlers.length;
    results[j].push(await block(handlers[j]));
  }
}
const b = median(base);
const first = names.findIndex((name) => name !== "floor");
names.forEach((name, i) => {
  const rs = results[i].map((x) => x - b);
  // Paired by round against the first tree: the same round's load is shared by both.
  const paired = i > first && first >= 0
    ? `; paired with ${names[first]}: ${
      median(results[i].map((x, r) => x - results[first][r])).toFixed(2)
    }`
    : "";
  console.log(
    `${name}: ${median(rs).toFixed(2)} µs CPU/req (median of ${rounds} blocks of ${N}; ` +
      `${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)}${paired})`,
  );
});
