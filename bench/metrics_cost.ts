/**
 * The cost per request of custom metrics in the process model: REST predict (one REST worker, no
 * gRPC) of a model returning four custom metrics vs the identity model, both driven by `wrk`, in
 * alternating rounds; CPU is the whole process tree (supervisor, collector, worker). The
 * difference is what recording and shipping a request's metrics costs.
 *
 *   deno run -A bench/metrics_cost.ts [--seconds 5] [--rounds 3] [--connections 8] [--compare DIR]
 *
 * `--compare DIR` also runs the metrics model on another checkout (before/after side by side).
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { measureCpu, median, type Spawned, spawnSeldon, wrkPost } from "./proc.ts";

const here = dirname(new URL(import.meta.url).pathname);
const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "8" },
    compare: { type: "string" },
  },
});
const BODY = '{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}';

async function wrk(url: string): Promise<number> {
  const opts = { threads: 1, connections: Number(values.connections), seconds: values.seconds };
  return (await wrkPost(url, BODY, opts)).rps;
}

function server(root: string, model: string, extra: string[] = []): Promise<Spawned> {
  return spawnSeldon(root, model, extra, {
    portPattern: /REST microservice running on port (\d+)/,
  });
}

const root = join(here, "..");
const servers: [string, Spawned][] = [
  ["identity", await server(root, "./identity.ts#Identity")],
  ["4 metrics", await server(root, "./metrics_model.ts#WithMetrics")],
  [
    "4 metrics + --builtin-metrics",
    await server(root, "./metrics_model.ts#WithMetrics", [
      "--builtin-metrics",
    ]),
  ],
];
if (values.compare) {
  servers.push(["identity (compared)", await server(values.compare, "./identity.ts#Identity")]);
  servers.push([
    "4 metrics (compared)",
    await server(values.compare, "./metrics_model.ts#WithMetrics"),
  ]);
}
const results = new Map<string, { rps: number; cpuUs: number }[]>();
try {
  for (let i = 0; i < Number(values.rounds); i++) {
    for (const [name, s] of servers) {
      const r = await measureCpu(s.child.pid, async () => {
        const t0 = performance.now();
        const rps = await wrk(`http://127.0.0.1:${s.port}/api/v1.0/predictions`);
        return {
          requests: rps * (performance.now() - t0) / 1000,
          seconds: (performance.now() - t0) / 1000,
        };
      });
      results.set(name, [...(results.get(name) ?? []), r]);
      console.log(
        `round ${i + 1}: ${name}: ${r.rps.toFixed(0)} req/s, ${r.cpuUs.toFixed(1)} µs CPU/req`,
      );
    }
  }
} finally {
  for (const [, s] of servers) {
    s.child.kill("SIGTERM");
    await s.child.status;
  }
}
for (const [name, rs] of results) {
  console.log(
    `median ${name}: ${median(rs.map((r) => r.rps)).toFixed(0)} req/s, ${
      median(rs.map((r) => r.cpuUs)).toFixed(1)
    } µs CPU/req`,
  );
}
