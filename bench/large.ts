/**
 * Large v1 REST payloads near the JSON floor (issue 13, item 1), side by side in one run: a
 * 1,000,000-float `data.tensor` (shape [1000,1000]) and the same values as a [1000,1000]
 * `data.ndarray`, each sent to an identity model (`bench/identity.ts`, `main.ts` with the
 * supervisor and one REST worker, no gRPC worker) and to the floor (`bench/large_floor.ts`, its
 * own process): a bare `Deno.serve` that `JSON.parse`s the body and `JSON.stringify`s the
 * identical answer (`names` `t:0`… included, and the trailing newline Flask writes) — the answer
 * bytes are checked equal to the server's before the clock starts.
 *
 *   deno run --unstable-net -A bench/large.ts [--requests 5] [--rounds 3] [--compare DIR]
 *
 * `--compare DIR` also runs the server of another checkout (e.g. `git archive` of an older
 * commit) in every round, as "before".
 * One request in flight; bodies are encoded once, answers are read as bytes. Rounds alternate
 * the servers. Prints per payload the median wall time per request of each and the ratio, and
 * the median CPU time per request of each server's process tree (user + system, per round's
 * block of requests; the client's own work is in the wall time, not in the CPU time).
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { median, spawnSeldon, spawnServer, stopServer, treeCpuSeconds } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    compare: { type: "string" },
  },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const SIDE = 1000;

/** Deterministic non-integral floats (an integral float would stay a float token: fine too). */
const flat: number[] = [];
for (let i = 0; i < SIDE * SIDE; i++) flat.push(Math.sin(i) * 100);
const rows: number[][] = [];
for (let r = 0; r < SIDE; r++) rows.push(flat.slice(r * SIDE, (r + 1) * SIDE));

const BODIES = {
  tensor: new TextEncoder().encode(
    JSON.stringify({ data: { tensor: { shape: [SIDE, SIDE], values: flat } } }),
  ),
  ndarray: new TextEncoder().encode(JSON.stringify({ data: { ndarray: rows } })),
};
type Kind = keyof typeof BODIES;

/** The supervisor and one REST worker of the checkout at `root`, serving the identity model. */
function start(root: string, port: number) {
  return spawnSeldon(root, "./identity.ts#Identity", [
    "--http-port",
    String(port),
    "--workers",
    "1",
    "--metrics-port",
    String(port + 1000),
  ]);
}
const port = 19_900 + Math.floor(Math.random() * 400);
const floor = await spawnServer(["run", "-A", join(here, "large_floor.ts")], here);
const servers = [floor, await start(join(here, ".."), port)];
if (values.compare) servers.push(await start(values.compare, port + 2));

async function post(url: string, body: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
  });
  const answer = await res.bytes();
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return answer;
}

const TARGETS: Record<string, string> = {
  floor: `http://127.0.0.1:${floor.port}/`,
  seldon: `http://127.0.0.1:${port}/api/v1.0/predictions`,
};
const PIDS: Record<string, number> = { floor: floor.child.pid, seldon: servers[1].child.pid };
if (values.compare) {
  TARGETS.before = `http://127.0.0.1:${port + 2}/api/v1.0/predictions`;
  PIDS.before = servers[2].child.pid;
}
try {
  for (const kind of Object.keys(BODIES) as Kind[]) {
    const a = await post(TARGETS.floor, BODIES[kind]);
    for (const url of Object.values(TARGETS)) {
      const b = await post(url, BODIES[kind]);
      if (a.length !== b.length || !a.every((x, i) => x === b[i])) {
        const td = new TextDecoder();
        throw new Error(
          `${kind}: answers differ\nfloor  ${
            td.decode(a.subarray(a.findIndex((x, i) => x !== b[i]) - 100).subarray(0, 200))
          }\nseldon ${
            td.decode(b.subarray(a.findIndex((x, i) => x !== b[i]) - 100).subarray(0, 200))
          }`,
        );
      }
    }
  }
  const ms = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of Object.keys(BODIES) as Kind[]) {
      for (const [who, url] of Object.entries(TARGETS)) {
        const key = `${kind} ${who}`;
        if (!ms.has(key)) ms.set(key, []), cpu.set(key, []);
        await post(url, BODIES[kind]);
        const cpu0 = treeCpuSeconds(PIDS[who]);
        for (let i = 0; i < REQUESTS; i++) {
          const t = performance.now();
          await post(url, BODIES[kind]);
          ms.get(key)!.push(performance.now() - t);
        }
        cpu.get(key)!.push((treeCpuSeconds(PIDS[who]) - cpu0) * 1000 / REQUESTS);
      }
    }
  }
  console.log(`${REQUESTS} requests × ${ROUNDS} rounds, one in flight; median ms per request`);
  for (const kind of Object.keys(BODIES) as Kind[]) {
    const f = median(ms.get(`${kind} floor`)!);
    const s = median(ms.get(`${kind} seldon`)!);
    const b = values.compare ? median(ms.get(`${kind} before`)!) : undefined;
    console.log(
      `${kind.padEnd(8)} ${(BODIES[kind].length / 1e6).toFixed(1)} MB  floor ${f.toFixed(0)} ms` +
        (b === undefined ? "" : `  before ${b.toFixed(0)} ms (ratio ${(b / f).toFixed(2)})`) +
        `  seldon ${s.toFixed(0)} ms  ratio ${(s / f).toFixed(2)} (target ≤ 1.5)`,
    );
    const cf = median(cpu.get(`${kind} floor`)!);
    const cs = median(cpu.get(`${kind} seldon`)!);
    const cb = values.compare ? median(cpu.get(`${kind} before`)!) : undefined;
    console.log(
      `  server CPU per request: floor ${cf.toFixed(0)} ms` +
        (cb === undefined ? "" : `  before ${cb.toFixed(0)} ms (ratio ${(cb / cf).toFixed(2)})`) +
        `  seldon ${cs.toFixed(0)} ms  ratio ${(cs / cf).toFixed(2)}`,
    );
  }
} finally {
  for (const server of servers) await stopServer(server);
}
