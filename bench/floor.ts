/**
 * What the REST predict does beyond the bare echo, stage by stage (`bench/floor_server.ts`),
 * each stage's server driven by `wrk` in rotating rounds; CPU µs per request of each server's
 * process tree. The last row is this server (`main.ts`, one REST worker, identity model).
 *
 *   deno run --unstable-net -A bench/floor.ts [--seconds 3] [--rounds 3] [--stages a,b,…]
 *     [--compare DIR]
 *
 * `--stages` picks the stages of `bench/floor_server.ts` (default: bare, cors, guarded, deadline,
 * payload, handler);
 * `--compare DIR` adds the server of another checkout (e.g. `git archive` of an older commit) as
 * one more row, `compared`.
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { measureCpu, median, SMALL_PREDICT, spawnSeldon, spawnServer, wrkPost } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    stages: { type: "string", default: "bare,cors,guarded,deadline,payload,handler" },
    compare: { type: "string" },
  },
});
const BODY = SMALL_PREDICT;
async function wrk(url: string): Promise<{ requests: number; seconds: number }> {
  const t0 = performance.now();
  const { rps } = await wrkPost(url, BODY, {
    threads: 2,
    connections: 32,
    seconds: values.seconds,
  });
  const seconds = (performance.now() - t0) / 1000;
  return { requests: rps * seconds, seconds };
}

const stages = values.stages.split(",");
const servers = [];
for (const mode of stages) {
  servers.push({
    name: mode,
    path: mode === "payload" || mode === "handler" ? "/api/v1.0/predictions" : "/",
    s: await spawnServer(
      ["run", "-A", "--unstable-net", join(here, "floor_server.ts"), mode],
      here,
    ),
  });
}
/** This server (or another checkout's): `main.ts`, one REST worker, identity model. */
function seldon(root: string) {
  return spawnSeldon(root, "./identity.ts#Identity");
}
const predictions = "/api/v1.0/predictions";
servers.push({ name: "seldon", path: predictions, s: await seldon(join(here, "..")) });
if (values.compare !== undefined) {
  servers.push({ name: "compared", path: predictions, s: await seldon(values.compare) });
}
const results = new Map<string, { rps: number; cpuUs: number }[]>(servers.map((s) => [s.name, []]));
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    const order = servers.slice(i % servers.length).concat(servers.slice(0, i % servers.length));
    for (const { name, path, s } of order) {
      const r = await measureCpu(s.child.pid, () => wrk(`http://127.0.0.1:${s.port}${path}`));
      results.get(name)!.push(r);
      console.log(
        `round ${i + 1} ${name}: ${r.rps.toFixed(0)} req/s, ${r.cpuUs.toFixed(2)} µs CPU/req`,
      );
    }
  }
} finally {
  for (const { s } of servers) {
    s.child.kill("SIGTERM");
    await s.child.status;
  }
}
const bare = median(results.get(stages[0])!.map((r) => r.rps));
for (const [name, rs] of results) {
  const rps = median(rs.map((r) => r.rps));
  console.log(
    `${name.padEnd(9)} ${rps.toFixed(0).padStart(7)} req/s  ratio ${(rps / bare).toFixed(3)}  ` +
      `${median(rs.map((r) => r.cpuUs)).toFixed(2)} µs CPU/req`,
  );
}
